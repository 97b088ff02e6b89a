/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's SR-IOV PFs (hw-inventory.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hw/hw-backend.h"
#include "hw/hw-inventory.h"

static gint pci_addr_compare(gconstpointer a, gconstpointer b) {
        const PciAddr *x = a, *y = b;

        if (x->domain != y->domain)
                return x->domain < y->domain ? -1 : 1;
        if (x->bus != y->bus)
                return x->bus < y->bus ? -1 : 1;
        if (x->slot != y->slot)
                return x->slot < y->slot ? -1 : 1;
        return x->function < y->function ? -1 : x->function > y->function;
}

int hw_list_sriov_pfs(HwBackend *hw, GArray **ret) {
        g_autofree char *path = g_strconcat(hw->sysfs_root, "/sys/bus/pci/devices", NULL);
        g_autoptr(GArray) pfs = g_array_new(FALSE, FALSE, sizeof(PciAddr));
        DIR *d = opendir(path);
        struct dirent *de;

        if (!d)
                return -errno;
        /* one faccessat per function: the bus directory holds links to every function of the host */
        while ((de = readdir(d))) {
                g_autofree char *rel = NULL;
                PciAddr addr;

                if (de->d_name[0] == '.' || pci_addr_from_string(de->d_name, &addr) < 0)
                        continue;
                rel = g_strconcat(de->d_name, "/sriov_totalvfs", NULL);
                if (faccessat(dirfd(d), rel, F_OK, 0) == 0)
                        g_array_append_val(pfs, addr);
        }
        closedir(d);
        g_array_sort(pfs, pci_addr_compare);
        *ret = g_steal_pointer(&pfs);
        return 0;
}
