/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux backend: device attributes sysfs does not give — a PF's eswitch mode through devlink (generic
 * netlink), whether a netdev has addresses (an rtnetlink dump of that netdev's). Plain libnl-3 messages:
 * the one generic netlink step libnl-genl would add, resolving the family's id, is one request. */
#include <errno.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <glib.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "hw/hw-autoptr.h"
#include "hw/hw-backend.h"
#include "hw/hw-linux.h"
#include "hw/hw-linux-private.h"
#include "hw/hw-sysfs.h"
#include "shared/log.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

typedef int (*ReplyParse)(struct nlmsghdr *h, void *arg);

typedef struct Exchange {
        int result;                     /* 1 waiting, 0 done, < 0 the kernel's -errno */
        ReplyParse parse;
        void *arg;
} Exchange;

static int on_reply(struct nl_msg *msg, void *arg) {
        Exchange *x = arg;

        (void) x->parse(nlmsg_hdr(msg), x->arg);
        return NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg) {
        Exchange *x = arg;

        x->result = 0;
        return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg) {
        Exchange *x = arg;

        x->result = err->error < 0 ? err->error : -EIO;
        return NL_STOP;
}

/* Sends msg and hands every reply to parse, until the acknowledgement (a request) or the end of the dump;
 * returns the kernel's -errno. */
static int exchange(struct nl_sock *sock, struct nl_msg *msg, ReplyParse parse, void *arg) {
        g_autoptr(NlCb) socket_cb = nl_socket_get_cb(sock), cb = NULL;
        Exchange x = { .result = 1, .parse = parse, .arg = arg };
        int r;

        cb = socket_cb ? nl_cb_clone(socket_cb) : NULL;
        if (!cb)
                return -ENOMEM;
        nl_cb_err(cb, NL_CB_CUSTOM, on_error, &x);
        nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &x);
        nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &x);
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &x);
        r = nl_send_auto(sock, msg);
        if (r < 0)
                return linux_errno_from_nl(r);
        while (x.result > 0) {
                r = nl_recvmsgs(sock, cb);
                if (x.result <= 0)
                        break;
                if (r < 0)
                        return linux_errno_from_nl(r);
        }
        return x.result;
}

static int connect_socket(int protocol, struct nl_sock **ret) {
        g_autoptr(NlSock) sock = nl_socket_alloc();
        int r;

        if (!sock)
                return -ENOMEM;
        r = nl_connect(sock, protocol);
        if (r < 0)
                return linux_errno_from_nl(r);
        *ret = g_steal_pointer(&sock);
        return 0;
}

/* ---- devlink ---- */

/* A generic netlink message: the netlink header of type `family`, then genlmsghdr */
static struct nl_msg *genl_message(int family, uint8_t cmd, uint8_t version) {
        g_autoptr(NlMsg) msg = nlmsg_alloc_simple(family, 0);
        struct genlmsghdr g = { .cmd = cmd, .version = version };

        if (!msg || nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO) < 0)
                return NULL;
        return g_steal_pointer(&msg);
}

static int parse_family_id(struct nlmsghdr *h, void *arg) {
        struct nlattr *tb[CTRL_ATTR_MAX + 1];

        if (nlmsg_parse(h, GENL_HDRLEN, tb, CTRL_ATTR_MAX, NULL) < 0 || !tb[CTRL_ATTR_FAMILY_ID])
                return -EIO;
        *(int *) arg = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
        return 0;
}

/* The generic netlink socket and devlink's family id, both found once; -ENOENT when the kernel has no
 * devlink (CONFIG_NET_DEVLINK off) */
static int devlink_socket(HwBackend *hw, struct nl_sock **ret_sock, int *ret_family) {
        HwLinux *l = hw->data;
        g_autoptr(NlMsg) msg = NULL;
        int family = 0, r;

        if (!l->genl_sock) {
                r = connect_socket(NETLINK_GENERIC, &l->genl_sock);
                if (r < 0)
                        return r;
        }
        if (l->devlink_family == 0) {
                msg = genl_message(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
                if (!msg || nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, DEVLINK_GENL_NAME) < 0)
                        return -ENOMEM;
                r = exchange(l->genl_sock, msg, parse_family_id, &family);
                if (r < 0 && r != -ENOENT)
                        return r;       /* not kept: the next call asks again */
                l->devlink_family = r < 0 ? r : family > 0 ? family : -ENOENT;
        }
        if (l->devlink_family < 0)
                return l->devlink_family;
        *ret_sock = l->genl_sock;
        *ret_family = l->devlink_family;
        return 0;
}

static int parse_eswitch_mode(struct nlmsghdr *h, void *arg) {
        struct nlattr *tb[DEVLINK_ATTR_MAX + 1];
        const char **mode = arg;

        if (nlmsg_parse(h, GENL_HDRLEN, tb, DEVLINK_ATTR_MAX, NULL) < 0 || !tb[DEVLINK_ATTR_ESWITCH_MODE])
                return -EIO;
        switch (nla_get_u16(tb[DEVLINK_ATTR_ESWITCH_MODE])) {
        case DEVLINK_ESWITCH_MODE_LEGACY:
                *mode = "legacy";
                break;
        case DEVLINK_ESWITCH_MODE_SWITCHDEV:
                *mode = "switchdev";
                break;
        default:
                *mode = NULL;           /* a mode the contract has no word for */
        }
        return 0;
}

/**
 * hw_linux_devlink_eswitch_mode() - the eswitch mode of devlink instance BUS/DEV (hw-linux.h)
 */
int hw_linux_devlink_eswitch_mode(HwBackend *hw, const char *bus, const char *dev, char **ret) {
        g_autoptr(NlMsg) msg = NULL;
        const char *mode = NULL;
        struct nl_sock *sock;
        int family, r;

        if (!hw || !bus || !dev || hw->ops->eswitch_mode != linux_eswitch_mode)
                return -EINVAL;
        r = devlink_socket(hw, &sock, &family);
        if (r == -ENOENT)
                goto unknown;
        if (r < 0)
                return r;
        msg = genl_message(family, DEVLINK_CMD_ESWITCH_GET, DEVLINK_GENL_VERSION);
        if (!msg || nla_put_string(msg, DEVLINK_ATTR_BUS_NAME, bus) < 0 ||
            nla_put_string(msg, DEVLINK_ATTR_DEV_NAME, dev) < 0)
                return -ENOMEM;
        r = exchange(sock, msg, parse_eswitch_mode, &mode);
        /* no devlink instance for the device; a driver without eswitch_mode_get */
        if (r == -ENODEV || r == -EOPNOTSUPP || r == -ENOENT)
                goto unknown;
        if (r < 0)
                return r;
        *ret = g_strdup(mode);
        return 0;
unknown:
        *ret = NULL;
        return 0;
}

int linux_eswitch_mode(HwBackend *hw, const PciAddr *addr, char **ret) {
        char bdf[PCI_ADDR_STR_MAX];

        return hw_linux_devlink_eswitch_mode(hw, "pci", pci_addr_to_string(addr, bdf), ret);
}

/* ---- addresses ---- */

/* An rtnetlink socket of its own for address dumps: strict checking (kernels ≥ 4.20) makes the kernel send
 * one netdev's addresses instead of the host's, and it must not change how the VF requests of the main
 * socket are checked. A dump is answered without an acknowledgement. */
static int addr_socket(HwBackend *hw, struct nl_sock **ret) {
        HwLinux *l = hw->data;
        int one = 1, r;

        if (!l->addr_sock) {
                r = connect_socket(NETLINK_ROUTE, &l->addr_sock);
                if (r < 0)
                        return r;
                nl_socket_disable_auto_ack(l->addr_sock);
                /* older kernels dump every address: the parser checks the index itself */
                (void) setsockopt(nl_socket_get_fd(l->addr_sock), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
                                  sizeof(one));
        }
        *ret = l->addr_sock;
        return 0;
}

typedef struct AddrScan {
        int ifindex;
        bool found;
} AddrScan;

static int parse_address(struct nlmsghdr *h, void *arg) {
        AddrScan *scan = arg;
        struct nlattr *tb[IFA_MAX + 1], *a;
        struct ifaddrmsg *ifa;
        size_t len;

        if (h->nlmsg_type != RTM_NEWADDR || nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
                return 0;
        ifa = nlmsg_data(h);
        /* link- and host-scope addresses (fe80::/10; what `ip addr add … scope link` made) do not count */
        if ((int) ifa->ifa_index != scan->ifindex || ifa->ifa_scope >= RT_SCOPE_LINK)
                return 0;
        a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];    /* IFA_ADDRESS is the peer's on a ptp link */
        len = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
        if (a && len > 0 && (size_t) nla_len(a) >= len && hw_address_is_global(ifa->ifa_family, nla_data(a)))
                scan->found = true;
        return 0;
}

int linux_netdev_global_address(HwBackend *hw, const HwNetdev *n) {
        g_autoptr(NlMsg) msg = NULL;
        struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
        AddrScan scan = { .ifindex = n->ifindex };
        struct nl_sock *sock;
        int r;

        if (scan.ifindex <= 0) {
                /* an inventory read (hw_list_vf_inventory()) leaves it unread: only an up netdev needs it */
                g_autoptr(HwNetdev) now = NULL;

                r = hw_sysfs_read_netdev_attrs(hw->sysfs_root, n->name, HW_NETDEV_IFINDEX, &now);
                if (r < 0)
                        return r == -EINVAL ? -ENODEV : r;
                scan.ifindex = now->ifindex;
        }
        r = addr_socket(hw, &sock);
        if (r < 0)
                return r;
        ifa.ifa_index = (uint32_t) scan.ifindex;
        msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
        if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0)
                return -ENOMEM;
        r = exchange(sock, msg, parse_address, &scan);
        if (r < 0)
                return r;
        return scan.found;
}
