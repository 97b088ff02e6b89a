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

int hw_lookup_function(HwBackend *hw, const PciAddr *addr, HwFunction **ret);

int hw_lookup_topology(HwBackend *hw, const PciAddr *addr, HwFunction **ret);

int hw_function_driver(HwBackend *hw, const PciAddr *addr, char **ret);

int hw_list_vfs(HwBackend *hw, const HwFunction *pf, GPtrArray **ret /* HwFunction* */);
int hw_list_vf_topology(HwBackend *hw, const HwFunction *pf, GPtrArray **ret /* HwFunction* */);

/* The PCI function of VF `vf` of the PF that has netdev pf_netdev, as rtnetlink addresses a VF: -ENODEV when
 * either is gone, -ENOTSUP when pf_netdev has no PCI function. */
int hw_vf_function_addr(HwBackend *hw, const char *pf_netdev, unsigned vf, PciAddr *ret);

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
