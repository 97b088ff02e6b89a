/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sysfs discovery under a root: netdevs, PCI functions and their VFs, shared by both backends */
#pragma once

#include <glib.h>

#include "core/hwinfo.h"
#include "hw/hw.h"

/* root is "" for the real system, else a directory that holds a sys/ tree (a sim host, a fixture).
 * Every function validates names and addresses before it builds a path from them (-EINVAL),
 * and returns -ENODEV for a netdev or PCI function that does not exist. */

/* The netdev R/sys/class/net/<name>, with its PCI function's address when it has one. */
int hw_sysfs_read_netdev(const char *root, const char *name, HwNetdev **ret);
/* The same, reading only what attrs (HwNetdevAttr bits) names: the rest as hw_netdev_new() leaves it */
int hw_sysfs_read_netdev_attrs(const char *root, const char *name, unsigned attrs, HwNetdev **ret);
/* The PCI function of a netdev, its attributes unread: 1 with *ret, 0 when it has none, -ENODEV when gone */
int hw_sysfs_netdev_pci(const char *root, const char *name, PciAddr *ret);

/* The netdev's own sysfs directory (symlinks resolved); for backends that write its files. */
int hw_sysfs_netdev_dir(const char *root, const char *name, char **ret);

/* The PCI function R/sys/bus/pci/devices/<BDF>, with every netdev it has, sorted by dev_port, its NUMA node,
 * PCI root and IOMMU group.
 * Vendor and device names are left NULL: hw.c fills them. vf_index_hint (-1: none) is the VF index it had
 * last time: checked against the PF's one virtfn link of that index, and only when that link names
 * another function are all of them read. */
int hw_sysfs_read_function(const char *root, const PciAddr *addr, int vf_index_hint, HwFunction **ret);

/* The function's place in the topology: PF or VF side (physfn, index) and netdevs (names, dev_port,
 * phys_port_id) — no ids, driver, ifindex, MAC or operstate. */
int hw_sysfs_read_topology(const char *root, const PciAddr *addr, int vf_index_hint, HwFunction **ret);

/* A VF's PF (its physfn link) and index (-1 when no virtfn link of the PF names it), nothing else read: 1, or 0
 * when the function is no VF. vf_index_hint as above. */
int hw_sysfs_vf_place(const char *root, const PciAddr *addr, int vf_index_hint, PciAddr *ret_pf, int *ret_index);

/* The function's PCI class code (0x020000: Ethernet); -ENODEV when it does not exist. */
int hw_sysfs_function_class(const char *root, const PciAddr *addr, uint32_t *ret);

/* The name of the driver a PCI function is bound to (*ret NULL when none); -ENODEV when it does not exist. */
int hw_sysfs_function_driver(const char *root, const PciAddr *addr, char **ret);

/* Whether the function is an SR-IOV PF (has sriov_totalvfs). -ENODEV when it does not exist. */
int hw_sysfs_function_is_pf(const char *root, const PciAddr *addr);

/* The VFs of a PF: every index 0..sriov_numvfs-1 whose virtfnN link exists, in index order.
 * -ENOTSUP when pf is not an SR-IOV PF. With topology, each VF has only its address, PF, index and netdevs
 * (names, dev_port, phys_port_id): what placing it in a pool needs, at a third of the reads. */
int hw_sysfs_list_vfs(const char *root, const PciAddr *pf, bool topology, GPtrArray **ret);
/* The same as a topology read without phys_port_id, and dev_port only for a VF with two netdevs: what places the
 * VFs of a PF that has one netdev (no port to match) */
int hw_sysfs_list_vf_names(const char *root, const PciAddr *pf, GPtrArray **ret);
/* The same, each VF with what a Device object shows and no more: ids, driver, NUMA node, PCI root, IOMMU group, its
 * netdevs' names, link types and admin_up (dev_port only when it has two); its place from the PF's virtfn link (no
 * physfn or sriov_* read). About half a full read's calls. */
int hw_sysfs_list_vf_inventory(const char *root, const PciAddr *pf, GPtrArray **ret);

/* The PCI function of VF `index` of PF pf: one readlink of virtfn<index>; -ENODEV when there is none. */
int hw_sysfs_vf_addr(const char *root, const PciAddr *pf, unsigned index, PciAddr *ret);

/* ---- IOMMU and VFIO (hw-plug.h's common part; the same layout under the real /sys and a sim root) ---- */

/* The group number from the function's iommu_group link; -ENOENT when it has none. */
int hw_sysfs_iommu_group(const char *root, const PciAddr *addr, int *ret);
/* The functions of R/sys/kernel/iommu_groups/<G>/devices (PciAddr, sorted); -ENOENT when no such group. */
int hw_sysfs_iommu_group_devices(const char *root, int group, GArray **ret);
/* "vfioX" from the function's vfio-dev/ directory; -ENOENT when it has none. */
int hw_sysfs_vfio_dev_name(const char *root, const PciAddr *addr, char **ret);
