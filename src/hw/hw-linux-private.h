/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The linux backend's internals, shared by hw-linux.c (VF configuration, rtnetlink) and hw-linux-plug.c
 * (the plug: driver binding, reset, macvtap and VLAN devices) */
#pragma once

#include <stdbool.h>

#include <netlink/route/link.h>

#include "hw/hw-backend.h"

/* hw->data of the linux backend; each socket is connected on first use: discovery alone needs none */
typedef struct HwLinux {
        struct nl_sock *sock;           /* rtnetlink: VF configuration, links */
        struct nl_sock *genl_sock;      /* generic netlink: devlink (hw-linux-attrs.c) */
        int devlink_family;             /* its family id; 0 not asked yet, -errno when the kernel has none */
        struct nl_sock *addr_sock;      /* rtnetlink with strict checking: address dumps of one netdev */
} HwLinux;

/* libnl's own error code back to -errno */
int linux_errno_from_nl(int nl_error);

/* RTM_GETLINK by ifindex (> 0) or else by name, with the link's kind data (IFLA_LINKINFO) parsed;
 * -ENODEV when there is none. */
int linux_get_link(HwBackend *hw, int ifindex, const char *name, struct rtnl_link **ret);

/* Sends a request and waits for its acknowledgement; returns the kernel's -errno. */
int linux_transact(HwBackend *hw, struct nl_msg *msg);

/* An empty change of the link orig (its ifindex set), to fill and hand to linux_change_link(); NULL: no memory. */
struct rtnl_link *linux_link_changes(struct rtnl_link *orig);

/* RTM_SETLINK carrying the changes of one link object to the kernel. */
int linux_change_link(HwBackend *hw, struct rtnl_link *orig, struct rtnl_link *changes);

/* The backend's rtnetlink socket, connected on first use. */
int linux_socket(HwBackend *hw, struct nl_sock **ret);

/* The plug's ops: hw-linux-plug.c (PCI side, tap node), hw-linux-netdev.c (rtnetlink) */
int linux_bind_driver(HwBackend *hw, const PciAddr *addr, const char *driver);
int linux_bind_host_driver(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs);
int linux_reset(HwBackend *hw, const PciAddr *addr);
int linux_netdev_rename(HwBackend *hw, const char *name, const char *new_name);
int linux_netdev_set_up(HwBackend *hw, const char *name, bool up);
int linux_virtual_read(HwBackend *hw, const char *name, HwVirtualNetdev **ret);
int linux_virtual_list(HwBackend *hw, GPtrArray **ret);
int linux_macvtap_create(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac,
                         HwVirtualNetdev **ret);
int linux_vlan_create(HwBackend *hw, const char *lower, const char *name, unsigned vlan_id);
int linux_virtual_delete(HwBackend *hw, const char *name, bool macvtap_only);
int linux_macvtap_open_tap(HwBackend *hw, const char *name, int *ret_fd);

/* Device attributes beyond sysfs (hw-linux-attrs.c): a PF's eswitch mode through devlink, a netdev's
 * addresses through an rtnetlink dump */
int linux_eswitch_mode(HwBackend *hw, const PciAddr *addr, char **ret);
int linux_netdev_global_address(HwBackend *hw, const HwNetdev *n);

/* Link change notifications (hw-linux-watch.c) */
int linux_watch_new(HwLinkWatch *w);
int linux_watch_add_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf);
void linux_watch_remove_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf);
int linux_watch_read(HwLinkWatch *w, GHashTable *changed, bool *ret_overflow);

/* Opens /dev/tap<ifindex> (under the root), waiting ≤ 2 s for the node (hw-linux-plug.c) */
int linux_macvtap_open_tap_ifindex(HwBackend *hw, int ifindex, int *ret_fd);
