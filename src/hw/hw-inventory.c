/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's SR-IOV PFs (hw-inventory.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/hw-backend.h"
#include "hw/hw-inventory.h"
#include "shared/macro.h"

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

/* A PCI address as a set member: 16 + 8 + 5 + 3 bits */
static gpointer addr_key(const PciAddr *a) {
        return GUINT_TO_POINTER((a->domain << 16) | (a->bus << 8) | (a->slot << 3) | a->function);
}

static gint name_compare(gconstpointer a, gconstpointer b) {
        PciAddr x, y;

        (void) pci_addr_from_string(*(const char *const *) a, &x);
        (void) pci_addr_from_string(*(const char *const *) b, &y);
        return pci_addr_compare(&x, &y);
}

/* The names of the functions in bus/pci/devices (its fd), in address order */
static int list_functions(int bus_fd, GPtrArray *ret) {
        int fd = openat(bus_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        struct dirent *de;

        if (!d) {
                int r = -errno;

                if (fd >= 0)
                        close(fd);
                return r;
        }
        while ((de = readdir(d))) {
                PciAddr addr;

                if (de->d_name[0] != '.' && pci_addr_from_string(de->d_name, &addr) >= 0)
                        g_ptr_array_add(ret, g_strdup(de->d_name));
        }
        closedir(d);
        g_ptr_array_sort(ret, name_compare);
        return 0;
}

/* The VFs of the PF called bdf under bus_fd, as its virtfnN links name them, into vfs (nothing when unreadable) */
static void note_vfs(int bus_fd, const char *bdf, GHashTable *vfs) {
        _cleanup_(closep) int pf_fd = openat(bus_fd, bdf, O_PATH | O_DIRECTORY | O_CLOEXEC);
        char text[32], name[32], target[PATH_MAX];
        unsigned long num_vfs;
        ssize_t n;
        int fd;

        if (pf_fd < 0)
                return;
        fd = openat(pf_fd, "sriov_numvfs", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return;
        n = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (n <= 0)
                return;
        text[n] = '\0';
        num_vfs = strtoul(text, NULL, 10);
        for (unsigned long i = 0; i < num_vfs && i <= 0xffff; i++) {
                const char *base;
                PciAddr addr;

                g_snprintf(name, sizeof(name), "virtfn%lu", i);
                n = readlinkat(pf_fd, name, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                base = strrchr(target, '/');
                if (pci_addr_from_string(base ? base + 1 : target, &addr) >= 0)
                        g_hash_table_add(vfs, addr_key(&addr));
        }
}

/* Each function of the bus is asked whether it has sriov_totalvfs, but for the VFs of a PF found before it (a VF's
 * routing ID follows its PF's): one short readlink of the PF's virtfnN link tells those, where the question walks
 * the function's bus link to its directory. */
int hw_list_sriov_pfs(HwBackend *hw, GArray **ret) {
        g_autofree char *path = g_strconcat(hw->sysfs_root, "/sys/bus/pci/devices", NULL);
        g_autoptr(GPtrArray) functions = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GArray) pfs = g_array_new(FALSE, FALSE, sizeof(PciAddr));
        g_autoptr(GHashTable) vfs = g_hash_table_new(g_direct_hash, g_direct_equal);
        _cleanup_(closep) int bus_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (bus_fd < 0)
                return -errno;
        r = list_functions(bus_fd, functions);
        if (r < 0)
                return r;
        for (guint i = 0; i < functions->len; i++) {
                const char *bdf = functions->pdata[i];
                g_autofree char *rel = g_strconcat(bdf, "/sriov_totalvfs", NULL);
                PciAddr addr;

                (void) pci_addr_from_string(bdf, &addr);
                if (g_hash_table_contains(vfs, addr_key(&addr)) || faccessat(bus_fd, rel, F_OK, 0) < 0)
                        continue;
                g_array_append_val(pfs, addr);
                note_vfs(bus_fd, bdf, vfs);
        }
        *ret = g_steal_pointer(&pfs);
        return 0;
}
