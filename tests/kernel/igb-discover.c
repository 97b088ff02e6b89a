/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the linux backend discovers from a PF netdev, one line per fact, for the igb guest test to compare
 * with what ls, readlink and cat show in /sys (tests/kernel/igb-guest-test.sh) */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "hw/hw-linux.h"
#include "hw/hw.h"

/* Output (fields separated by one space; "-" for a value that is absent):
 *   pf NETDEV PCI VENDOR DEVICE DRIVER TOTAL_VFS NUM_VFS
 *   vf INDEX PCI VENDOR DEVICE DRIVER NETDEV PHYSFN
 *   name PCI VENDOR-NAME|DEVICE-NAME
 * VENDOR and DEVICE are 4 lower-case hex digits, as /sys prints them after "0x". */

static const char *or_dash(const char *s) {
        return s && *s ? s : "-";
}

static const char *first_netdev(const HwFunction *f) {
        return f->netdevs->len > 0 ? ((const HwNetdev *) g_ptr_array_index(f->netdevs, 0))->name : NULL;
}

static void print_names(const HwFunction *f) {
        char pci[PCI_ADDR_STR_MAX];

        printf("name %s %s|%s\n", pci_addr_to_string(&f->addr, pci), or_dash(f->vendor_name),
               or_dash(f->device_name));
}

static int print_vfs(HwBackend *hw, const HwFunction *pf) {
        g_autoptr(GPtrArray) vfs = NULL;
        int r;

        r = hw_list_vfs(hw, pf, &vfs);
        if (r < 0) {
                fprintf(stderr, "igb-discover: listing the VFs: %s\n", g_strerror(-r));
                return r;
        }
        for (unsigned i = 0; i < vfs->len; i++) {
                const HwFunction *vf = g_ptr_array_index(vfs, i);
                char pci[PCI_ADDR_STR_MAX], physfn[PCI_ADDR_STR_MAX];

                printf("vf %d %s %04x %04x %s %s %s\n", vf->vf_index, pci_addr_to_string(&vf->addr, pci),
                       vf->vendor_id, vf->device_id, or_dash(vf->driver), or_dash(first_netdev(vf)),
                       pci_addr_to_string(&vf->physfn, physfn));
        }
        for (unsigned i = 0; i < vfs->len; i++)
                print_names(g_ptr_array_index(vfs, i));
        return 0;
}

int main(int argc, char *argv[]) {
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(HwNetdev) netdev = NULL;
        g_autoptr(HwFunction) pf = NULL;
        char pci[PCI_ADDR_STR_MAX];
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: igb-discover PF-NETDEV\n");
                return 2;
        }
        r = hw_backend_new_linux(NULL, &hw);
        if (r < 0) {
                fprintf(stderr, "igb-discover: cannot open the linux backend: %s\n", g_strerror(-r));
                return 1;
        }
        r = hw_lookup_netdev(hw, argv[1], &netdev, &pf);
        if (r < 0 || !pf) {
                fprintf(stderr, "igb-discover: %s: %s\n", argv[1], r < 0 ? g_strerror(-r) : "no PCI function");
                return 1;
        }
        printf("pf %s %s %04x %04x %s %u %u\n", netdev->name, pci_addr_to_string(&pf->addr, pci), pf->vendor_id,
               pf->device_id, or_dash(pf->driver), pf->total_vfs, pf->num_vfs);
        print_names(pf);
        return print_vfs(hw, pf) < 0 ? 1 : 0;
}
