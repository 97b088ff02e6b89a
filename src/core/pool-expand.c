/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pool expansion: which devices a <pf> or an explicit list stands for, from what the hardware reported */
#include <errno.h>

#include "core/pool-expand.h"
#include "shared/macro.h"

typedef enum VfPort {
        VF_PORT_MATCH,                  /* the VF is on the PF netdev's port (or the PF has one port) */
        VF_PORT_OTHER,                  /* the VF is on the other port of a dual-port PF */
        VF_PORT_UNKNOWN,                /* dual-port PF, but the VF's port cannot be told */
} VfPort;

static bool pf_is_dual_port(const HwFunction *pf, const HwNetdev *pf_netdev) {
        return pf->netdevs->len > 1 && pf_netdev->phys_port_id;
}

/* Which port a VF is on, seen from pf_netdev; *ret_netdev is the VF netdev to use (NULL if none). */
static VfPort vf_port_of(const HwFunction *pf, const HwNetdev *pf_netdev, const HwFunction *vf,
                         const HwNetdev **ret_netdev) {
        const HwNetdev *nd;

        *ret_netdev = vf->netdevs->len > 0 ? vf->netdevs->pdata[0] : NULL;
        if (!pf_is_dual_port(pf, pf_netdev))
                return VF_PORT_MATCH;
        if (vf->netdevs->len == 0)
                return VF_PORT_UNKNOWN;
        nd = hw_function_netdev_by_port_id(vf, pf_netdev->phys_port_id);
        if (nd) {
                *ret_netdev = nd;
                return VF_PORT_MATCH;
        }
        for (guint i = 0; i < vf->netdevs->len; i++)
                if (((const HwNetdev *) vf->netdevs->pdata[i])->phys_port_id)
                        return VF_PORT_OTHER;
        return VF_PORT_UNKNOWN;
}

const HwNetdev *pool_pf_netdev_for_vf(const HwFunction *pf, const HwNetdev *vf_netdev) {
        if (pf->netdevs->len == 0)
                return NULL;
        if (vf_netdev && vf_netdev->phys_port_id) {
                const HwNetdev *nd = hw_function_netdev_by_port_id(pf, vf_netdev->phys_port_id);

                if (nd)
                        return nd;
        }
        return pf->netdevs->pdata[0];
}

static PoolDevice *pool_device_for_vf(ForwardMode mode, const HwFunction *vf, const HwNetdev *vf_netdev,
                                      const char *pf_netdev) {
        char addr[PCI_ADDR_STR_MAX];
        PoolDevice *d;

        pci_addr_to_string(&vf->addr, addr);
        if (forward_mode_uses_pci(mode))
                d = pool_device_new(FORWARD_DEV_PCI, addr);
        else
                d = pool_device_new(FORWARD_DEV_NETDEV, vf_netdev->name);
        d->netdev = vf_netdev ? g_strdup(vf_netdev->name) : NULL;
        pool_device_set_pci_address(d, addr);
        d->pf_netdev = g_intern_string(pf_netdev);
        d->vf_index = vf->vf_index;
        return d;
}

int pool_expand_pf(Pool *p, ForwardMode mode, const HwNetdev *pf_netdev, const HwFunction *pf,
                   GPtrArray *vfs, GPtrArray *notes) {
        int added = 0;

        for (guint i = 0; i < vfs->len; i++) {
                const HwFunction *vf = vfs->pdata[i];
                const HwNetdev *vf_netdev;
                char addr[PCI_ADDR_STR_MAX];
                int r;

                pci_addr_to_string(&vf->addr, addr);
                switch (vf_port_of(pf, pf_netdev, vf, &vf_netdev)) {
                case VF_PORT_OTHER:
                        continue;
                case VF_PORT_UNKNOWN:
                        g_ptr_array_add(notes, g_strdup_printf(
                                "PF %s: the port of VF %d (%s) cannot be told (no netdev with a phys_port_id); "
                                "kept in the pool", pf_netdev->name, vf->vf_index, addr));
                        break;
                case VF_PORT_MATCH:
                        break;
                }
                if (!forward_mode_uses_pci(mode) && !vf_netdev) {
                        g_ptr_array_add(notes, g_strdup_printf(
                                "PF %s: VF %d (%s) has no host netdev, which mode '%s' needs; skipped",
                                pf_netdev->name, vf->vf_index, addr, forward_mode_to_string(mode)));
                        continue;
                }
                /* a VF with a netdev on each port comes once from each of its PFs' netdevs */
                r = pool_add(p, pool_device_for_vf(mode, vf, vf_netdev, pf_netdev->name));
                if (r == -EEXIST)
                        continue;
                if (r < 0)
                        return r;
                added++;
        }
        return added;
}

PoolDevice *pool_device_for_netdev(const HwNetdev *nd, const HwFunction *fn, const HwFunction *pf) {
        PoolDevice *d = pool_device_new(FORWARD_DEV_NETDEV, nd->name);
        char addr[PCI_ADDR_STR_MAX];

        d->netdev = g_strdup(nd->name);
        if (fn)
                pool_device_set_pci_address(d, pci_addr_to_string(&fn->addr, addr));
        if (fn && fn->is_vf && pf) {
                const HwNetdev *pf_nd = pool_pf_netdev_for_vf(pf, nd);

                d->vf_index = fn->vf_index;
                d->pf_netdev = pf_nd ? g_intern_string(pf_nd->name) : NULL;
        }
        return d;
}

PoolDevice *pool_device_for_function(const HwFunction *fn, const HwFunction *pf) {
        char addr[PCI_ADDR_STR_MAX];
        const HwNetdev *vf_netdev = fn->netdevs->len > 0 ? fn->netdevs->pdata[0] : NULL;
        PoolDevice *d = pool_device_new(FORWARD_DEV_PCI, pci_addr_to_string(&fn->addr, addr));

        pool_device_set_pci_address(d, addr);
        d->netdev = vf_netdev ? g_strdup(vf_netdev->name) : NULL;
        if (fn->is_vf && pf) {
                const HwNetdev *pf_nd = pool_pf_netdev_for_vf(pf, vf_netdev);

                d->vf_index = fn->vf_index;
                d->pf_netdev = pf_nd ? g_intern_string(pf_nd->name) : NULL;
        }
        return d;
}
