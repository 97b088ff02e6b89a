/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: g_autoptr cleanups for the foreign types of libnl and libpci */
#pragma once

#include <glib.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>

typedef struct nl_sock NlSock;
typedef struct nl_msg NlMsg;
typedef struct nl_cb NlCb;
typedef struct nl_addr NlAddr;
typedef struct rtnl_link RtnlLink;
typedef struct rtnl_link_vf RtnlLinkVf;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlSock, nl_socket_free);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlMsg, nlmsg_free);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlCb, nl_cb_put);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlAddr, nl_addr_put);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RtnlLink, rtnl_link_put);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RtnlLinkVf, rtnl_link_vf_put);
