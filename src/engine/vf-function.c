/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VF's PCI function: to vfio-pci for a guest and back to its host driver (libvirt's virHostdev steps) */
#include <errno.h>
#include <unistd.h>

#include "engine/vf-function.h"
#include "shared/log.h"
#include "shared/macro.h"

void vfio_nodes_clear(VfioNodes *v) {
        g_clear_pointer(&v->group_path, g_free);
        g_clear_pointer(&v->device_path, g_free);
        v->group = -1;
}

/* Drivers that leave a group viable, as the kernel's vfio_dev_driver_allowed() has it. */
static bool driver_keeps_group_viable(const char *driver) {
        return !driver || streq(driver, "vfio-pci") || streq(driver, "pci-stub");
}

char *vf_function_vfio_problem(HwBackend *hw, const PciAddr *addr, VfioInPool in_pool, void *data) {
        g_autoptr(GArray) members = NULL;
        char bdf[PCI_ADDR_STR_MAX];
        int group, r;

        r = hw_function_iommu_group(hw, addr, &group);
        if (r == -ENOENT)
                return g_strdup("no IOMMU group: VFIO cannot take it (is the IOMMU on? intel_iommu=on or "
                                "amd_iommu=on)");
        if (r < 0)
                return g_strdup_printf("its IOMMU group cannot be read: %s", g_strerror(-r));
        r = hw_iommu_group_devices(hw, group, &members);
        if (r < 0)
                return g_strdup_printf("IOMMU group %d cannot be read: %s", group, g_strerror(-r));
        for (guint i = 0; i < members->len; i++) {
                const PciAddr *m = &g_array_index(members, PciAddr, i);
                g_autofree char *driver = NULL;

                if (pci_addr_equal(m, addr) || (in_pool && in_pool(m, data)))
                        continue;
                if (hw_function_driver(hw, m, &driver) < 0 || driver_keeps_group_viable(driver))
                        continue;
                return g_strdup_printf("IOMMU group %d is not viable: %s, bound to %s and outside the pool, "
                                       "shares it", group, pci_addr_to_string(m, bdf), driver);
        }
        return NULL;
}

int vf_function_bind_vfio(HwBackend *hw, const PciAddr *addr, VfioNodes *ret, char **ret_msg) {
        g_autofree char *driver = NULL;
        g_auto(VfioNodes) nodes = { .group = -1 };
        char bdf[PCI_ADDR_STR_MAX];
        int r;

        pci_addr_to_string(addr, bdf);
        r = hw_function_bind_driver(hw, addr, "vfio-pci");
        if (r < 0) {
                *ret_msg = g_strdup_printf("binding %s to vfio-pci failed: %s", bdf,
                                           r == -EIO ? "the driver did not take it" : g_strerror(-r));
                return r;
        }
        r = hw_function_driver(hw, addr, &driver);
        if (r >= 0 && !streq_ptr(driver, "vfio-pci")) {
                *ret_msg = g_strdup_printf("binding %s to vfio-pci failed: the driver did not take it (bound "
                                           "to %s)", bdf, driver ?: "no driver");
                return -EIO;
        }
        if (r >= 0)
                r = hw_function_iommu_group(hw, addr, &nodes.group);
        if (r < 0) {
                *ret_msg = g_strdup_printf("%s is on vfio-pci, but its IOMMU group cannot be read: %s", bdf,
                                           g_strerror(-r));
                return r;
        }
        nodes.group_path = hw_vfio_group_path(hw, nodes.group);
        if (access(nodes.group_path, F_OK) < 0) {
                r = -errno;
                *ret_msg = g_strdup_printf("%s is on vfio-pci, but its group node %s is missing: %s", bdf,
                                           nodes.group_path, g_strerror(-r));
                return r;
        }
        if (hw_function_vfio_device(hw, addr, &nodes.device_path) < 0)
                nodes.device_path = NULL;       /* a kernel without VFIO cdevs */
        *ret = nodes;
        nodes = (VfioNodes) { .group = -1 };
        return 0;
}

/* The VF's netdev of rec's port now: the one already called rec->vf_netdev, else the one whose dev_port is
 * the PF netdev's (a dual-port VF has one per port), else its only one. */
static const HwNetdev *vf_netdev_now(HwBackend *hw, const HwFunction *vf, const VfRecord *rec) {
        g_autoptr(HwNetdev) pf_nd = NULL;

        for (guint i = 0; i < vf->netdevs->len; i++)
                if (streq(((const HwNetdev *) vf->netdevs->pdata[i])->name, rec->vf_netdev))
                        return vf->netdevs->pdata[i];
        if (vf->netdevs->len == 1)
                return vf->netdevs->pdata[0];
        if (hw_read_netdev(hw, rec->pf_netdev, HW_NETDEV_DEV_PORT, &pf_nd) < 0)
                return NULL;
        return hw_function_netdev_by_dev_port(vf, pf_nd->dev_port);
}

/* The netdev that came back with the driver gets the name and state it had. A name taken meanwhile by
 * another netdev is left to it (logged): the VF is usable under the kernel's name. */
static int restore_netdev_identity(HwBackend *hw, const PciAddr *addr, const VfRecord *rec, char **ret_msg) {
        g_autoptr(HwFunction) vf = NULL;
        const HwNetdev *nd;
        int r;

        if (!rec->vf_netdev)
                return 0;
        r = hw_lookup_topology(hw, addr, &vf);
        if (r < 0 || !(nd = vf_netdev_now(hw, vf, rec)))
                return 0;       /* no netdev (yet): the settings restore still sets what it can */
        if (!streq(nd->name, rec->vf_netdev)) {
                r = hw_netdev_rename(hw, nd->name, rec->vf_netdev);
                if (r == -EEXIST) {
                        log_warning("VF %u of '%s' is back as '%s': its name '%s' is taken by another netdev",
                                    rec->vf, rec->pf_netdev, nd->name, rec->vf_netdev);
                        return 0;
                }
                if (r < 0) {
                        *ret_msg = g_strdup_printf("renaming netdev '%s' of VF %u of '%s' back to '%s' failed: %s",
                                                   nd->name, rec->vf, rec->pf_netdev, rec->vf_netdev,
                                                   g_strerror(-r));
                        return r;
                }
        }
        r = hw_netdev_set_up(hw, rec->vf_netdev, rec->vf_netdev_up);
        if (r < 0)
                *ret_msg = g_strdup_printf("setting netdev '%s' of VF %u of '%s' %s failed: %s", rec->vf_netdev,
                                           rec->vf, rec->pf_netdev, rec->vf_netdev_up ? "up" : "down",
                                           g_strerror(-r));
        return r;
}

/* Reset the function of a VF a guest had. A reset that fails, or a VF that still holds what only a reset clears
 * (a backend that can tell), is no failure of the give-back — the rest goes on, the VF must not reach the next
 * guest: *ret_quarantine says why. */
static void reset_function(HwBackend *hw, const PciAddr *addr, const VfRecord *rec, char **ret_quarantine) {
        char bdf[PCI_ADDR_STR_MAX];
        bool dirty = false;
        int r;

        pci_addr_to_string(addr, bdf);
        r = hw_function_reset(hw, addr);
        if (r < 0 && r != -ENOTSUP) {
                *ret_quarantine = g_strdup_printf("resetting VF %s (VF %u of '%s') failed: %s", bdf, rec->vf,
                                                  rec->pf_netdev, g_strerror(-r));
                return;
        }
        if (hw_function_needs_reset(hw, addr, &dirty) >= 0 && dirty)
                *ret_quarantine = g_strdup_printf("VF %s (VF %u of '%s') still holds its guest's state after "
                                                  "%s", bdf, rec->vf, rec->pf_netdev,
                                                  r == -ENOTSUP ? "its release: it has no reset" : "its reset");
}

int vf_function_give_back(HwBackend *hw, const VfRecord *rec, char **ret_msg, char **ret_quarantine) {
        g_autofree char *driver = NULL;
        char bdf[PCI_ADDR_STR_MAX];
        bool rebind;
        PciAddr addr;
        int r;

        if (!rec->reset && !rec->managed)
                return 0;
        r = hw_vf_function_addr(hw, rec->pf_netdev, rec->vf, &addr);
        if (r == -ENODEV)
                return 0;       /* the VF is gone: nothing of it to give back */
        if (r >= 0)
                r = hw_function_driver(hw, &addr, &driver);
        if (r < 0) {
                *ret_msg = g_strdup_printf("VF %u of '%s' cannot be looked up: %s", rec->vf, rec->pf_netdev,
                                           g_strerror(-r));
                return r;
        }
        pci_addr_to_string(&addr, bdf);
        /* on vfio-pci (or unbound, half-way) where it had another driver; a driver someone else bound it to
         * since is theirs */
        rebind = rec->managed && !streq_ptr(driver, rec->driver) && (!driver || streq(driver, "vfio-pci"));
        /* a quarantined VF is reset again at each retry, wherever it is bound now */
        if (rec->reset && (rebind || !rec->managed || rec->quarantine))
                reset_function(hw, &addr, rec, ret_quarantine);
        if (!rebind)    /* on its driver already (a bind that failed went back by itself): name and state */
                return rec->managed ? restore_netdev_identity(hw, &addr, rec, ret_msg) : 0;
        r = hw_function_bind_host_driver(hw, &addr, rec->driver, rec->vf_netdev ? 1 : 0);
        g_clear_pointer(&driver, g_free);
        if (r >= 0)
                r = hw_function_driver(hw, &addr, &driver);
        if (r >= 0 && (rec->driver ? !streq_ptr(driver, rec->driver) : streq_ptr(driver, "vfio-pci")))
                r = -EIO;
        if (r < 0) {
                *ret_msg = g_strdup_printf("giving VF %s (VF %u of '%s') back to %s failed: %s", bdf, rec->vf,
                                           rec->pf_netdev, rec->driver ?: "its host driver",
                                           r == -EIO ? "the driver did not take it" : g_strerror(-r));
                return r;
        }
        return restore_netdev_identity(hw, &addr, rec, ret_msg);
}
