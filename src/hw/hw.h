/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: one interface, two backends (linux: real /sys + rtnetlink; sim: a directory) */
#pragma once

#include <glib.h>

#include "core/hwinfo.h"

typedef struct HwBackend HwBackend;

/* Errors (negative errno):
 *   -EINVAL      an invalid netdev name, PCI address, MAC, VLAN (> VLAN_ID_MAX), QoS (> 7), link state, VLAN
 *                protocol, TX rates (min above a max that is not 0) or MTU (< 68); checked before anything is
 *                looked up
 *   -ENODEV      the netdev / PCI function / VF does not exist
 *   -ENOTSUP     the device cannot do that (not a PF, no SR-IOV, …)
 *   -ENETDOWN    the PF netdev is down (VF sets)
 *   -EBUSY, -EINVAL, -EPERM, -EOPNOTSUPP   as the driver said
 */

HwBackend *hw_backend_free(HwBackend *hw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwBackend, hw_backend_free);

/* "linux" or "sim" */
const char *hw_backend_name(const HwBackend *hw);

int hw_lookup_netdev(HwBackend *hw, const char *name, HwNetdev **ret_netdev, HwFunction **ret_function);

/* What hw_read_netdev() reads of a netdev besides its name: each bit one or two sysfs files (a full lookup
 * reads nine and the PCI function's links) */
typedef enum HwNetdevAttr {
        HW_NETDEV_IFINDEX = 1u << 0,
        HW_NETDEV_DEV_PORT = 1u << 1,   /* dev_port and phys_port_id */
        HW_NETDEV_MAC = 1u << 2,
        HW_NETDEV_UP = 1u << 3,         /* up (operstate) and admin_up (flags) */
        HW_NETDEV_MTU = 1u << 4,
        HW_NETDEV_SPEED = 1u << 5,
        HW_NETDEV_TYPE = 1u << 6,       /* link_type */
        HW_NETDEV_PCI = 1u << 7,        /* pci and has_pci */
        HW_NETDEV_ALL = (1u << 8) - 1,
} HwNetdevAttr;

/* The netdev called name with only what attrs (HwNetdevAttr bits) names read, the rest as hw_netdev_new() leaves
 * it (ifindex -1; 0, NULL, false); attrs 0 checks that it exists. Returns: 0, -EINVAL for an invalid name, -ENODEV when it does not
 * exist (with HW_NETDEV_IFINDEX: also when it has no ifindex) */
int hw_read_netdev(HwBackend *hw, const char *name, unsigned attrs, HwNetdev **ret);
/* The PCI function of a netdev, nothing else read: 1 with *ret, 0 when it has none, -ENODEV when gone */
int hw_netdev_pci_address(HwBackend *hw, const char *name, PciAddr *ret);

int hw_lookup_function(HwBackend *hw, const PciAddr *addr, HwFunction **ret);

int hw_lookup_topology(HwBackend *hw, const PciAddr *addr, HwFunction **ret);

/* Where a VF sits: its PF and VF index (-1 when no virtfn link of the PF names it), nothing else read (the
 * physfn link and, with the index it had last time, one virtfn link). Returns: 1, 0 when the function is no
 * VF, -EINVAL for an invalid address, -ENODEV when it does not exist */
int hw_function_vf_place(HwBackend *hw, const PciAddr *addr, PciAddr *ret_pf, int *ret_index);

int hw_function_driver(HwBackend *hw, const PciAddr *addr, char **ret);

int hw_list_vfs(HwBackend *hw, const HwFunction *pf, GPtrArray **ret /* HwFunction* */);
/* As hw_list_vfs(), each VF with what a Device object shows (ids, driver, NUMA node, PCI root, IOMMU group, netdev
 * names, link types and admin_up; dev_port only for two netdevs) and what hw_function_holder() judges: no
 * vendor/device names, no other netdev attribute, no physfn or sriov_* read. A start over 32,768 VFs reads half as
 * much as with hw_list_vfs(). Returns: as hw_list_vfs() */
int hw_list_vf_inventory(HwBackend *hw, const HwFunction *pf, GPtrArray **ret /* HwFunction* */);

/* The eswitch mode of PF pf: "legacy" or "switchdev", *ret NULL when unknown (no devlink instance, a driver
 * that does not say, a sim host without the file). linux: devlink (DEVLINK_CMD_ESWITCH_GET, bus "pci"), one
 * generic netlink exchange; sim: the PF's `eswitch_mode` file. Not part of a lookup: ask for PFs only.
 * Errors: -EINVAL for an invalid address; the kernel's -errno other than "no such device / not supported". */
int hw_function_eswitch_mode(HwBackend *hw, const PciAddr *pf, char **ret);

/* Who uses function f outside netpool, in words for a Device's Holder, or *ret NULL when nobody does:
 *   "netdev in another network namespace"   a network function (PCI class 0x02) bound to a driver other than
 *                                           vfio-pci or pci-stub, with no netdev visible here
 *   "bound to DRIVER"                       bound to a vfio-pci variant driver (mlx5_vfio_pci, …): netpool
 *                                           binds vfio-pci only
 *   "netdev NAME is up with addresses"      a netdev of f set up (IFF_UP) that has an address other than
 *                                           link-local (fe80::/10, 169.254/16), loopback and host-scope ones
 * vfio-pci itself is not judged here: whether it is netpool's binding only the engine knows.
 * f as hw_lookup_function(), hw_list_vfs() or hw_list_vf_inventory() read it (not a topology read). Costs nothing
 * for a function without an up netdev that is not in the first case; one rtnetlink address dump (sim: one file)
 * per up netdev (linux: and its ifindex where the read left it); one read of `class` in the first case. The
 * first case is judged only when had_netdev says the caller saw a netdev of f before: a function that never
 * showed one may simply make none (mlx4_core without mlx4_en, a sim VF without netdevs). */
int hw_function_holder(HwBackend *hw, const HwFunction *f, bool had_netdev, char **ret);
/* pf as hw_lookup_function() read it: of a PF with one netdev the VFs' netdevs have their names only (dev_port
 * where a VF has two), there being no port to tell */
int hw_list_vf_topology(HwBackend *hw, const HwFunction *pf, GPtrArray **ret /* HwFunction* */);

/* The PCI function of VF `vf` of the PF that has netdev pf_netdev, as rtnetlink addresses a VF: -ENODEV when
 * either is gone, -ENOTSUP when pf_netdev has no PCI function. */
int hw_vf_function_addr(HwBackend *hw, const char *pf_netdev, unsigned vf, PciAddr *ret);

/* A batch: the VF operations of one step (an apply, an undo, a restore) on one VF, as real rtnetlink carries
 * several IFLA_VF_* settings in one RTM_SETLINK. Between hw_vf_batch_begin() and hw_vf_batch_end() the gets and sets
 * of VF vf through pf_netdev may take what an earlier one of the batch found of where the VF is (the sim: its PF
 * netdev, `port` file, the PF's operstate, that it has no `fail` file, the values it read or wrote) rather than
 * look again; what was not looked at in the batch, and every other VF or PF netdev, is read as without one. The
 * hardware is looked at afresh after the end: a change made meanwhile, or a fault injected, reaches the next batch.
 * One batch at a time on a backend: a begin while one is open returns a batch that changes nothing (the open one
 * goes on). Never fails (a bad name makes a batch that changes nothing); the linux backend's does nothing (each
 * request is one round trip anyway). The batch must not outlive hw. */
typedef struct HwVfBatch HwVfBatch;

HwVfBatch *hw_vf_batch_begin(HwBackend *hw, const char *pf_netdev, unsigned vf);
/* Ends the batch and frees it; takes NULL. Returns: NULL */
HwVfBatch *hw_vf_batch_end(HwVfBatch *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwVfBatch, hw_vf_batch_end);

/* VF configuration through a PF netdev, addressed as rtnetlink does: (PF netdev, VF index). */
int hw_vf_get(HwBackend *hw, const char *pf_netdev, unsigned vf, VfConfig *ret);
int hw_vf_set_mac(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *mac);
int hw_vf_set_vlan(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned vlan, unsigned qos);
int hw_vf_set_spoofchk(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on);
int hw_vf_set_trust(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on);
int hw_vf_set_link_state(HwBackend *hw, const char *pf_netdev, unsigned vf, VfLinkState state);
/* min and max TX rate in Mbit/s, 0 = no limit (IFLA_VF_RATE: both in one request) */
int hw_vf_set_rate(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned min_tx_rate, unsigned max_tx_rate);
/* The protocol of the VF's VLAN, its VLAN id and QoS kept (IFLA_VF_VLAN_LIST). On linux a VLAN set
 * (hw_vf_set_vlan()) makes it 802.1Q again, as `ip link set … vf N vlan V` does. */
int hw_vf_set_vlan_proto(HwBackend *hw, const char *pf_netdev, unsigned vf, VfVlanProto proto);

/* The MAC of a netdev itself (a VF's own netdev). */
int hw_netdev_set_mac(HwBackend *hw, const char *netdev, const char *mac);
/* The MTU of a netdev (a VF's own netdev); the limits are the driver's (-EINVAL past them). */
int hw_netdev_set_mtu(HwBackend *hw, const char *netdev, unsigned mtu);
