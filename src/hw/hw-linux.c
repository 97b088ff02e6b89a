/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux backend: VF configuration and netdev MACs over rtnetlink (libnl-route-3) */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/stat.h>

#include <glib.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>

#include "hw/hw-autoptr.h"
#include "hw/hw-backend.h"
#include "hw/hw-linux.h"
#include "hw/hw-linux-private.h"
#include "shared/log.h"


/* libnl's own error codes back to errno, for the calls that report only those */
int linux_errno_from_nl(int nl_error) {
        static const struct {
                int nl;
                int error;
        } table[] = {
                { NLE_NOMEM, ENOMEM },
                { NLE_AGAIN, EAGAIN },
                { NLE_BUSY, EBUSY },
                { NLE_EXIST, EEXIST },
                { NLE_INVAL, EINVAL },
                { NLE_RANGE, ERANGE },
                { NLE_MSGSIZE, EMSGSIZE },
                { NLE_OPNOTSUPP, EOPNOTSUPP },
                { NLE_AF_NOSUPPORT, EAFNOSUPPORT },
                { NLE_OBJ_NOTFOUND, ENODEV },
                { NLE_NODEV, ENODEV },
                { NLE_PERM, EPERM },
                { NLE_NOACCESS, EACCES },
                { NLE_BAD_SOCK, EBADF },
                { NLE_INTR, EINTR },
                { NLE_NOADDR, EADDRNOTAVAIL },
                { NLE_PROTO_MISMATCH, EPROTONOSUPPORT },
        };
        int e = nl_error < 0 ? -nl_error : nl_error;

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
                if (table[i].nl == e)
                        return -table[i].error;
        return -EIO;
}

int linux_socket(HwBackend *hw, struct nl_sock **ret) {
        HwLinux *l = hw->data;
        g_autoptr(NlSock) sock = NULL;
        int r;

        if (!l->sock) {
                sock = nl_socket_alloc();
                if (!sock)
                        return -ENOMEM;
                r = nl_connect(sock, NETLINK_ROUTE);
                if (r < 0)
                        return linux_errno_from_nl(r);
                l->sock = g_steal_pointer(&sock);
        }
        *ret = l->sock;
        return 0;
}

static int on_ack(struct nl_msg *msg, void *arg);
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg);

typedef struct LinkReply {
        int result;                     /* 1 waiting, 0 done, < 0 the kernel's -errno */
        struct rtnl_link *link;
} LinkReply;

static void on_link_object(struct nl_object *obj, void *arg) {
        LinkReply *reply = arg;

        if (!reply->link) {
                nl_object_get(obj);
                reply->link = (struct rtnl_link *) obj;
        }
}

static int on_link_message(struct nl_msg *msg, void *arg) {
        (void) nl_msg_parse(msg, on_link_object, arg);
        return NL_OK;
}

/* RTM_GETLINK by ifindex or name with IFLA_EXT_MASK = RTEXT_FILTER_VF (as libnl asks), and
 * RTEXT_FILTER_SKIP_STATS: a PF of 128 VFs would answer with the counters of every VF, which a VF's
 * configuration does not need. */
int linux_get_link(HwBackend *hw, int ifindex, const char *name, struct rtnl_link **ret) {
        g_autoptr(NlMsg) msg = NULL;
        g_autoptr(NlCb) socket_cb = NULL, cb = NULL;
        LinkReply reply = { .result = 1 };
        struct nl_sock *sock;
        struct nlattr *mask;
        int r;

        r = linux_socket(hw, &sock);
        if (r < 0)
                return r;
        r = rtnl_link_build_get_request(ifindex > 0 ? ifindex : 0, ifindex > 0 ? NULL : name, &msg);
        if (r < 0)
                return linux_errno_from_nl(r);
        mask = nlmsg_find_attr(nlmsg_hdr(msg), sizeof(struct ifinfomsg), IFLA_EXT_MASK);
        if (mask)
                *(uint32_t *) nla_data(mask) |= RTEXT_FILTER_SKIP_STATS;
        socket_cb = nl_socket_get_cb(sock);
        cb = socket_cb ? nl_cb_clone(socket_cb) : NULL;
        if (!cb)
                return -ENOMEM;
        nl_cb_err(cb, NL_CB_CUSTOM, on_error, &reply.result);
        nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &reply.result);
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_link_message, &reply);
        r = nl_send_auto(sock, msg);
        if (r < 0)
                return linux_errno_from_nl(r);
        while (reply.result > 0) {
                r = nl_recvmsgs(sock, cb);
                if (reply.result <= 0)
                        break;
                if (r < 0) {
                        rtnl_link_put(reply.link);
                        return linux_errno_from_nl(r);
                }
        }
        if (reply.result < 0 || !reply.link) {
                rtnl_link_put(reply.link);
                return reply.result < 0 ? reply.result : -ENODEV;
        }
        *ret = reply.link;
        return 0;
}

/* The PF link, checked to have VF number vf; -ENOTSUP without SR-IOV, -ENODEV past the last VF.
 * (rtnl_link_vf_get() dereferences a missing VF list, so it must not be called without one.) */
static int linux_get_pf_link(HwBackend *hw, const char *pf_netdev, unsigned vf, struct rtnl_link **ret) {
        g_autoptr(RtnlLink) link = NULL;
        uint32_t num_vfs = 0;
        int r;

        r = linux_get_link(hw, 0, pf_netdev, &link);
        if (r < 0)
                return r;
        if (rtnl_link_get_num_vf(link, &num_vfs) < 0 || num_vfs == 0)
                return -ENOTSUP;
        if (vf >= num_vfs)
                return -ENODEV;
        *ret = g_steal_pointer(&link);
        return 0;
}

static int on_ack(struct nl_msg *msg, void *arg) {
        int *result = arg;

        *result = 0;
        return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg) {
        int *result = arg;

        *result = err->error;   /* the kernel's own -errno, which libnl's codes would blur */
        return NL_STOP;
}

/* Sends a request and waits for its acknowledgement; returns the kernel's -errno. */
int linux_transact(HwBackend *hw, struct nl_msg *msg) {
        g_autoptr(NlCb) socket_cb = NULL, cb = NULL;
        struct nl_sock *sock;
        int result = 1, r;

        r = linux_socket(hw, &sock);
        if (r < 0)
                return r;
        socket_cb = nl_socket_get_cb(sock);     /* a new reference */
        cb = socket_cb ? nl_cb_clone(socket_cb) : NULL;
        if (!cb)
                return -ENOMEM;
        nl_cb_err(cb, NL_CB_CUSTOM, on_error, &result);
        nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &result);

        r = nl_send_auto(sock, msg);
        if (r < 0)
                return linux_errno_from_nl(r);
        while (result > 0) {
                r = nl_recvmsgs(sock, cb);
                if (result <= 0)
                        break;
                if (r < 0)
                        return linux_errno_from_nl(r);
        }
        return result;
}

struct rtnl_link *linux_link_changes(struct rtnl_link *orig) {
        struct rtnl_link *changes = rtnl_link_alloc();

        if (changes)
                rtnl_link_set_ifindex(changes, rtnl_link_get_ifindex(orig));
        return changes;
}

/* RTM_SETLINK carrying the changes of one link object (addresses, VF list) to the kernel. */
int linux_change_link(HwBackend *hw, struct rtnl_link *orig, struct rtnl_link *changes) {
        g_autoptr(NlMsg) msg = NULL;
        int r;

        r = rtnl_link_build_change_request(orig, changes, 0, &msg);
        if (r < 0)
                return linux_errno_from_nl(r);
        /* libnl builds RTM_NEWLINK; SETLINK only ever changes an existing link */
        nlmsg_hdr(msg)->nlmsg_type = RTM_SETLINK;
        return linux_transact(hw, msg);
}

typedef int (*VfFill)(struct rtnl_link_vf *vf, const void *value);

/* One VF setting: IFLA_VFINFO_LIST with one IFLA_VF_INFO that holds what fill puts there. */
static int linux_vf_change(HwBackend *hw, const char *pf_netdev, unsigned vf, VfFill fill, const void *value) {
        g_autoptr(RtnlLink) orig = NULL, changes = NULL;
        g_autoptr(RtnlLinkVf) vf_data = NULL;
        int r;

        r = linux_get_pf_link(hw, pf_netdev, vf, &orig);
        if (r < 0)
                return r;
        /* hw.h promises -ENETDOWN on a down PF, but drivers do not refuse: igb and netdevsim take the
         * setting (seen in the kernel testbeds), so a down PF is caught here */
        if (!(rtnl_link_get_flags(orig) & IFF_UP))
                return -ENETDOWN;
        changes = linux_link_changes(orig);
        vf_data = rtnl_link_vf_alloc();
        if (!changes || !vf_data)
                return -ENOMEM;
        rtnl_link_vf_set_index(vf_data, vf);
        r = fill(vf_data, value);
        if (r < 0)
                return r;
        r = rtnl_link_vf_add(changes, vf_data);         /* takes its own reference */
        if (r < 0)
                return linux_errno_from_nl(r);
        return linux_change_link(hw, orig, changes);
}

static int parse_mac(const char *mac, struct nl_addr **ret) {
        int r = nl_addr_parse(mac, AF_LLC, ret);

        return r < 0 ? -EINVAL : 0;
}

static int fill_mac(struct rtnl_link_vf *vf, const void *value) {
        rtnl_link_vf_set_addr(vf, (struct nl_addr *) value);
        return 0;
}

static int linux_vf_set_mac(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *mac) {
        g_autoptr(NlAddr) addr = NULL;
        int r;

        r = parse_mac(mac, &addr);
        if (r < 0)
                return r;
        return linux_vf_change(hw, pf_netdev, vf, fill_mac, addr);
}

typedef struct VlanValue {
        unsigned vlan, qos;
        uint16_t proto;                 /* as libnl takes it: see linux_vf_set_vlan_proto() */
} VlanValue;

static int fill_vlan(struct rtnl_link_vf *vf, const void *value) {
        const VlanValue *v = value;
        nl_vf_vlans_t *vlans = NULL;

        if (rtnl_link_vf_vlan_alloc(&vlans, 1) < 0)
                return -ENOMEM;
        vlans->vlans[0].vf_vlan = v->vlan;
        vlans->vlans[0].vf_vlan_qos = v->qos;
        /* host order; 802.1Q makes libnl send the plain IFLA_VF_VLAN every driver takes, another protocol
         * IFLA_VF_VLAN_LIST */
        vlans->vlans[0].vf_vlan_proto = v->proto;
        rtnl_link_vf_set_vlans(vf, vlans);              /* takes its own reference */
        rtnl_link_vf_vlan_put(vlans);
        return 0;
}

static int linux_vf_set_vlan(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned vlan, unsigned qos) {
        VlanValue v = { .vlan = vlan, .qos = qos, .proto = ETH_P_8021Q };

        return linux_vf_change(hw, pf_netdev, vf, fill_vlan, &v);
}

static int linux_vf_get(HwBackend *hw, const char *pf_netdev, unsigned vf, VfConfig *ret);

/* The kernel takes the protocol only with a VLAN id and QoS: those the VF has now go with it. */
static int linux_vf_set_vlan_proto(HwBackend *hw, const char *pf_netdev, unsigned vf, VfVlanProto proto) {
        VfConfig now = {};
        VlanValue v;
        int r;

        r = linux_vf_get(hw, pf_netdev, vf, &now);
        if (r < 0)
                return r;
        /* libnl (3.7) sends an 802.1Q VLAN as IFLA_VF_VLAN, from host order; any other protocol goes into
         * IFLA_VF_VLAN_LIST as given, unswapped, though it parses the list with ntohs(): so network order
         * here (the netdevsim bed reads it back) */
        v = (VlanValue) { .vlan = now.vlan, .qos = now.qos,
                          .proto = proto == VF_VLAN_PROTO_8021AD ? htons(ETH_P_8021AD) : ETH_P_8021Q };
        return linux_vf_change(hw, pf_netdev, vf, fill_vlan, &v);
}

typedef struct RateValue {
        unsigned min, max;
} RateValue;

static int fill_rate(struct rtnl_link_vf *vf, const void *value) {
        const RateValue *v = value;
        struct nl_vf_rate rate = { .api = RTNL_LINK_VF_RATE_API_NEW, .min_tx_rate = v->min, .max_tx_rate = v->max };

        rtnl_link_vf_set_rate(vf, &rate);       /* IFLA_VF_RATE, both rates */
        return 0;
}

static int linux_vf_set_rate(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned min_tx_rate,
                             unsigned max_tx_rate) {
        RateValue v = { .min = min_tx_rate, .max = max_tx_rate };

        return linux_vf_change(hw, pf_netdev, vf, fill_rate, &v);
}

static int fill_spoofchk(struct rtnl_link_vf *vf, const void *value) {
        rtnl_link_vf_set_spoofchk(vf, *(const bool *) value);
        return 0;
}

static int linux_vf_set_spoofchk(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on) {
        return linux_vf_change(hw, pf_netdev, vf, fill_spoofchk, &on);
}

static int fill_trust(struct rtnl_link_vf *vf, const void *value) {
        rtnl_link_vf_set_trust(vf, *(const bool *) value);
        return 0;
}

static int linux_vf_set_trust(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on) {
        return linux_vf_change(hw, pf_netdev, vf, fill_trust, &on);
}

static uint32_t link_state_to_kernel(VfLinkState state) {
        switch (state) {
        case VF_LINK_STATE_ENABLE:
                return IFLA_VF_LINK_STATE_ENABLE;
        case VF_LINK_STATE_DISABLE:
                return IFLA_VF_LINK_STATE_DISABLE;
        default:
                return IFLA_VF_LINK_STATE_AUTO;
        }
}

static VfLinkState link_state_from_kernel(uint32_t state) {
        switch (state) {
        case IFLA_VF_LINK_STATE_ENABLE:
                return VF_LINK_STATE_ENABLE;
        case IFLA_VF_LINK_STATE_DISABLE:
                return VF_LINK_STATE_DISABLE;
        default:
                return VF_LINK_STATE_AUTO;
        }
}

static int fill_link_state(struct rtnl_link_vf *vf, const void *value) {
        rtnl_link_vf_set_linkstate(vf, link_state_to_kernel(*(const VfLinkState *) value));
        return 0;
}

static int linux_vf_set_link_state(HwBackend *hw, const char *pf_netdev, unsigned vf, VfLinkState state) {
        return linux_vf_change(hw, pf_netdev, vf, fill_link_state, &state);
}

static void read_vf_mac(struct rtnl_link_vf *vf_data, VfConfig *c) {
        struct nl_addr *addr = NULL;    /* owned by vf_data */
        const uint8_t *b;

        g_strlcpy(c->mac, "00:00:00:00:00:00", sizeof(c->mac));
        if (rtnl_link_vf_get_addr(vf_data, &addr) < 0 || nl_addr_get_len(addr) < 6)
                return;
        b = nl_addr_get_binary_addr(addr);
        g_snprintf(c->mac, sizeof(c->mac), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static VfVlanProto vlan_proto_from_kernel(uint16_t proto) {
        switch (proto) {
        case ETH_P_8021Q:
                return VF_VLAN_PROTO_8021Q;
        case ETH_P_8021AD:
                return VF_VLAN_PROTO_8021AD;
        default:
                return _VF_VLAN_PROTO_INVALID;
        }
}

static void read_vf_vlan(struct rtnl_link_vf *vf_data, VfConfig *c) {
        nl_vf_vlans_t *vlans = NULL;

        c->vlan = c->qos = 0;
        /* without IFLA_VF_VLAN_LIST libnl leaves VLAN 0 out: no VLAN, and the kernel's default protocol */
        c->vlan_proto = VF_VLAN_PROTO_8021Q;
        if (rtnl_link_vf_get_vlans(vf_data, &vlans) < 0)
                return;
        if (vlans->size > 0) {
                c->vlan = vlans->vlans[0].vf_vlan;
                c->qos = vlans->vlans[0].vf_vlan_qos;
                c->vlan_proto = vlan_proto_from_kernel(vlans->vlans[0].vf_vlan_proto);
        }
        rtnl_link_vf_vlan_put(vlans);
}

/* IFLA_VF_RATE: libnl hides a rate of 0 (no limit), so a rate it does not give is 0; the old API's one rate
 * is a max */
static void read_vf_rate(struct rtnl_link_vf *vf_data, VfConfig *c) {
        struct nl_vf_rate rate = {};

        c->has_rate = true;
        c->min_tx_rate = c->max_tx_rate = 0;
        if (rtnl_link_vf_get_rate(vf_data, &rate) < 0)
                return;
        if (rate.api == RTNL_LINK_VF_RATE_API_OLD) {
                c->max_tx_rate = rate.rate;
                return;
        }
        c->min_tx_rate = rate.min_tx_rate;
        c->max_tx_rate = rate.max_tx_rate;
}

static int linux_vf_get(HwBackend *hw, const char *pf_netdev, unsigned vf, VfConfig *ret) {
        g_autoptr(RtnlLink) link = NULL;
        g_autoptr(RtnlLinkVf) vf_data = NULL;
        uint32_t v;
        int r;

        r = linux_get_pf_link(hw, pf_netdev, vf, &link);
        if (r < 0)
                return r;
        vf_data = rtnl_link_vf_get(link, vf);
        if (!vf_data)
                return -ENODEV;

        read_vf_mac(vf_data, ret);
        read_vf_vlan(vf_data, ret);
        read_vf_rate(vf_data, ret);
        ret->spoofchk = rtnl_link_vf_get_spoofchk(vf_data, &v) < 0 ? -1 : v != 0;
        ret->trust = rtnl_link_vf_get_trust(vf_data, &v) < 0 ? -1 : v != 0;
        ret->link_state = rtnl_link_vf_get_linkstate(vf_data, &v) < 0 ? VF_LINK_STATE_AUTO
                                                                       : link_state_from_kernel(v);
        return 0;
}

static int linux_netdev_set_mac(HwBackend *hw, const char *netdev, const char *mac) {
        g_autoptr(RtnlLink) orig = NULL, changes = NULL;
        g_autoptr(NlAddr) addr = NULL;
        int r;

        r = parse_mac(mac, &addr);
        if (r < 0)
                return r;
        r = linux_get_link(hw, 0, netdev, &orig);
        if (r < 0)
                return r;
        changes = linux_link_changes(orig);
        if (!changes)
                return -ENOMEM;
        rtnl_link_set_addr(changes, addr);
        return linux_change_link(hw, orig, changes);
}

static int linux_netdev_set_mtu(HwBackend *hw, const char *netdev, unsigned mtu) {
        g_autoptr(RtnlLink) orig = NULL, changes = NULL;
        int r;

        r = linux_get_link(hw, 0, netdev, &orig);
        if (r < 0)
                return r;
        changes = linux_link_changes(orig);
        if (!changes)
                return -ENOMEM;
        rtnl_link_set_mtu(changes, mtu);
        return linux_change_link(hw, orig, changes);
}

static void linux_free(HwBackend *hw) {
        HwLinux *l = hw->data;

        if (!l)
                return;
        if (l->sock)
                nl_socket_free(l->sock);
        if (l->genl_sock)
                nl_socket_free(l->genl_sock);
        if (l->addr_sock)
                nl_socket_free(l->addr_sock);
        g_free(l);
        hw->data = NULL;
}

static const HwBackendOps linux_ops = {
        .name = "linux",
        .free = linux_free,
        .vf_get = linux_vf_get,
        .vf_set_mac = linux_vf_set_mac,
        .vf_set_vlan = linux_vf_set_vlan,
        .vf_set_spoofchk = linux_vf_set_spoofchk,
        .vf_set_trust = linux_vf_set_trust,
        .vf_set_link_state = linux_vf_set_link_state,
        .netdev_set_mac = linux_netdev_set_mac,
        .vf_set_rate = linux_vf_set_rate,
        .vf_set_vlan_proto = linux_vf_set_vlan_proto,
        .netdev_set_mtu = linux_netdev_set_mtu,
        .bind_driver = linux_bind_driver,
        .bind_host_driver = linux_bind_host_driver,
        .reset = linux_reset,
        .netdev_rename = linux_netdev_rename,
        .netdev_set_up = linux_netdev_set_up,
        .virtual_read = linux_virtual_read,
        .virtual_list = linux_virtual_list,
        .macvtap_create = linux_macvtap_create,
        .vlan_create = linux_vlan_create,
        .virtual_delete = linux_virtual_delete,
        .macvtap_open_tap = linux_macvtap_open_tap,
        .watch_new = linux_watch_new,
        .watch_add_vf = linux_watch_add_vf,
        .watch_remove_vf = linux_watch_remove_vf,
        .watch_read = linux_watch_read,
        .eswitch_mode = linux_eswitch_mode,
        .netdev_global_address = linux_netdev_global_address,
};

/**
 * hw_backend_new_linux() - the real system (root NULL or ""), or the sysfs tree under root
 * root, when given, is a directory holding a sys/ tree (tests).
 * Returns: 0, -ENOENT when root has no sys/ directory
 */
int hw_backend_new_linux(const char *root, HwBackend **ret) {
        HwBackend *hw;

        if (root && root[0] != '\0') {
                g_autofree char *sys = g_build_filename(root, "sys", NULL);
                struct stat st;

                if (stat(sys, &st) < 0 || !S_ISDIR(st.st_mode))
                        return -ENOENT;
        }
        hw = hw_backend_new(&linux_ops, root);
        hw->data = g_new0(HwLinux, 1);
        *ret = hw;
        return 0;
}
