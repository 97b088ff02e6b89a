/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: the privileged half of a plug — IOMMU groups, driver binding (managed hostdev), function
 * reset, macvtap and VLAN devices, and the device nodes an agent is handed (issue 18). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <glib.h>

#include "hw/hw.h"

/* Errors are negative errno, as in hw.h; besides:
 *   -ENOENT      no IOMMU group / no such driver / no VFIO cdev / no tap device node
 *   -EEXIST      a netdev of that name exists already (macvtap, VLAN device, rename)
 *   -ETIMEDOUT   a device node or netdev the kernel should make did not appear in time
 *   -EOPNOTSUPP  the backend cannot do that at all */

/* ---- IOMMU ---- */

/* The function's IOMMU group number (*ret >= 0); -ENOENT when it has none (no IOMMU), -ENODEV when the
 * function does not exist. */
int hw_function_iommu_group(HwBackend *hw, const PciAddr *addr, int *ret);

/* The PCI functions in IOMMU group `group` (PciAddr, sorted); -ENOENT when there is no such group. */
int hw_iommu_group_devices(HwBackend *hw, int group, GArray **ret);

/* The VFIO group node of group `group`: "/dev/vfio/G" (R/dev/vfio/G in the sim). Never NULL. */
char *hw_vfio_group_path(HwBackend *hw, int group);

/* The VFIO cdev of a function bound to vfio-pci, "/dev/vfio/devices/vfioX", read from the function's
 * vfio-dev/ directory (kernels ≥ 6.2); -ENOENT where it has none. */
int hw_function_vfio_device(HwBackend *hw, const PciAddr *addr, char **ret);

/* ---- driver binding ---- */

/* Bind the function to `driver` as libvirt's virpci.c does: driver_override = driver, unbind from the
 * driver it has, drivers_probe (the kernel honours the override). For "vfio-pci" the module is loaded when
 * the driver is not there yet, and the call returns only once the IOMMU group's node exists (≤ 5 s,
 * -ETIMEDOUT). Already bound to `driver`: nothing is done, 0. driver_override is left set, so that a
 * re-probe cannot hand the function back to its host driver behind netpool's back. A bind that fails, or that
 * `driver` does not take (-EIO), leaves no override behind: the function is back on a host driver. */
int hw_function_bind_driver(HwBackend *hw, const PciAddr *addr, const char *driver);

/* Give the function back to a host driver: clear driver_override, unbind from the driver it has (if any),
 * drivers_probe; when `driver` (the one it had before, may be NULL = the kernel's choice) is given and the
 * probe bound another one or none, bind it to `driver` explicitly. Returns once the function's netdevs
 * exist again when `wait_netdevs` > 0 of them are expected (≤ 5 s, -ETIMEDOUT). */
int hw_function_bind_host_driver(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs);

/* Function-level reset through the function's `reset` file; -ENOTSUP when it has none. */
int hw_function_reset(HwBackend *hw, const PciAddr *addr);

/* Whether the function is known to hold state only a reset clears (the sim's `dirty`: a guest left it so):
 * *ret. -EOPNOTSUPP where the backend cannot tell (the kernel does not say). */
int hw_function_needs_reset(HwBackend *hw, const PciAddr *addr, bool *ret);

/* ---- netdevs ---- */

/* Rename a netdev (it is set down first when up, and left down: the caller sets the state it wants). */
int hw_netdev_rename(HwBackend *hw, const char *name, const char *new_name);
int hw_netdev_set_up(HwBackend *hw, const char *name, bool up);

/* A virtual netdev netpoold may have made: a macvtap or a VLAN device. */
typedef enum HwVirtualKind {
        HW_VIRTUAL_MACVTAP,
        HW_VIRTUAL_VLAN,
        HW_VIRTUAL_OTHER,               /* anything else (listed so that names are known taken) */
} HwVirtualKind;

typedef struct HwVirtualNetdev {
        char *name;
        HwVirtualKind kind;
        int ifindex;
        char *lower;                    /* the lower netdev's name; NULL when unknown */
        char *mode;                     /* macvtap: "passthru", "private", "vepa", "bridge"; else NULL */
        unsigned vlan_id;               /* VLAN device: its id; else 0 */
        char mac[18];
        bool up;
        char *tap;                      /* macvtap: "tapN", the name of its character device; else NULL */
} HwVirtualNetdev;

HwVirtualNetdev *hw_virtual_netdev_free(HwVirtualNetdev *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwVirtualNetdev, hw_virtual_netdev_free);

/* Read one: -ENODEV when no netdev of that name exists, -ENOTSUP when it exists but is neither a macvtap
 * nor a VLAN device (kind OTHER is never returned here). */
int hw_virtual_netdev_read(HwBackend *hw, const char *name, HwVirtualNetdev **ret);

/* Every macvtap and VLAN device of the host (HwVirtualNetdev*), sorted by name. */
int hw_virtual_netdev_list(HwBackend *hw, GPtrArray **ret);

/* Create a macvtap `name` over `lower` in `mode` ("passthru", "private", "vepa", "bridge") with address
 * `mac`, and set it up. -EEXIST when a netdev of that name exists; the kernel's refusal otherwise. On
 * failure nothing is left behind. On success *ret (when ret is given) is the macvtap as it is now — what the
 * backend made (the kernel's netdev read back; the sim's, as it wrote it), so the caller need not read it again
 * — or NULL when the backend reported success and there is none of that name (a driver that drops the request). */
int hw_macvtap_create(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac,
                      HwVirtualNetdev **ret);

/* Create a VLAN device `name` over `lower` with id `vlan_id` (1..4094), and set it up. -EEXIST as above. */
int hw_vlan_create(HwBackend *hw, const char *lower, const char *name, unsigned vlan_id);

/* Delete a macvtap or VLAN device; -ENODEV when it is gone already, -ENOTSUP for any other kind of
 * netdev (netpoold deletes nothing else). */
int hw_virtual_netdev_delete(HwBackend *hw, const char *name);
/* Delete the macvtap `name`, as hw_virtual_netdev_delete() and -ENOTSUP for a VLAN device too: the delete finds
 * out what the netdev is, no read before it is needed. */
int hw_macvtap_delete(HwBackend *hw, const char *name);

/* Open the tap character device of macvtap `name` (O_RDWR|O_CLOEXEC): /dev/tapN (R/dev/tapN, a FIFO, in the
 * sim). Waits ≤ 2 s for the node to appear (udev/devtmpfs make it). */
int hw_macvtap_open_tap(HwBackend *hw, const char *name, int *ret_fd);

/* ---- device nodes handed to an agent ---- */

typedef struct HwNodeOwner {
        uid_t uid;
        gid_t gid;
        mode_t mode;                    /* permission bits only */
} HwNodeOwner;

/* Owner and mode of a node returned by hw_vfio_group_path() or hw_function_vfio_device(): the only paths
 * these accept (anything else is -EINVAL). */
int hw_node_get_owner(HwBackend *hw, const char *path, HwNodeOwner *ret);
int hw_node_set_owner(HwBackend *hw, const char *path, const HwNodeOwner *owner);
