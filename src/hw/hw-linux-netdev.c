/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linux backend, the plug's netdev side over rtnetlink (libnl-route-3): rename, up/down, macvtap and VLAN
 * devices. Always the real kernel: a sysfs root (tests) changes only the /sys and /dev paths. */
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <string.h>

#include <glib.h>
#include <netlink/cache.h>
#include <netlink/route/link/macvtap.h>
#include <netlink/route/link/vlan.h>

#include "hw/hw-autoptr.h"
#include "hw/hw-linux-private.h"
#include "shared/log.h"
#include "shared/macro.h"

typedef struct nl_cache NlCache;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NlCache, nl_cache_free);

static int link_by_name(HwBackend *hw, const char *name, struct rtnl_link **ret) {
        return linux_get_link(hw, 0, name, ret);
}

/* Up or down through the link's flags; the only change in the request. */
static int set_up(HwBackend *hw, struct rtnl_link *orig, bool up) {
        g_autoptr(RtnlLink) changes = linux_link_changes(orig);

        if (!changes)
                return -ENOMEM;
        if (up)
                rtnl_link_set_flags(changes, IFF_UP);
        else
                rtnl_link_unset_flags(changes, IFF_UP);
        return linux_change_link(hw, orig, changes);
}

int linux_netdev_set_up(HwBackend *hw, const char *name, bool up) {
        g_autoptr(RtnlLink) link = NULL;
        int r;

        r = link_by_name(hw, name, &link);
        if (r < 0)
                return r;
        if (!!(rtnl_link_get_flags(link) & IFF_UP) == up)
                return 0;
        return set_up(hw, link, up);
}

int linux_netdev_rename(HwBackend *hw, const char *name, const char *new_name) {
        g_autoptr(RtnlLink) link = NULL, changes = NULL;
        int r;

        r = link_by_name(hw, name, &link);
        if (r < 0)
                return r;
        /* the kernel renames only a down netdev (-EBUSY otherwise) */
        if (rtnl_link_get_flags(link) & IFF_UP) {
                r = set_up(hw, link, false);
                if (r < 0)
                        return r;
        }
        changes = linux_link_changes(link);
        if (!changes)
                return -ENOMEM;
        rtnl_link_set_name(changes, new_name);
        return linux_change_link(hw, link, changes);
}

static HwVirtualKind kind_of(struct rtnl_link *link) {
        const char *type = rtnl_link_get_type(link);

        if (streq_ptr(type, "macvtap"))
                return HW_VIRTUAL_MACVTAP;
        if (streq_ptr(type, "vlan"))
                return HW_VIRTUAL_VLAN;
        return HW_VIRTUAL_OTHER;
}

static void format_mac(struct rtnl_link *link, char mac[static 18]) {
        struct nl_addr *addr = rtnl_link_get_addr(link);        /* owned by link */
        const uint8_t *b;

        g_strlcpy(mac, "00:00:00:00:00:00", 18);
        if (!addr || nl_addr_get_len(addr) < 6)
                return;
        b = nl_addr_get_binary_addr(addr);
        g_snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* The lower link's name from IFLA_LINK: from the dump's cache when there is one, else asked. */
static char *lower_name(HwBackend *hw, struct rtnl_link *link, struct nl_cache *cache) {
        int lower = rtnl_link_get_link(link);
        g_autoptr(RtnlLink) l = NULL;
        char buf[IFNAMSIZ];

        if (lower <= 0)
                return NULL;
        if (cache)
                return rtnl_link_i2name(cache, lower, buf, sizeof(buf)) ? g_strdup(buf) : NULL;
        if (linux_get_link(hw, lower, NULL, &l) < 0)
                return NULL;
        return g_strdup(rtnl_link_get_name(l));
}

static HwVirtualNetdev *virtual_from_link(HwBackend *hw, struct rtnl_link *link, struct nl_cache *cache) {
        g_autoptr(HwVirtualNetdev) v = g_new0(HwVirtualNetdev, 1);
        char mode[32];

        v->name = g_strdup(rtnl_link_get_name(link));
        v->kind = kind_of(link);
        v->ifindex = rtnl_link_get_ifindex(link);
        v->lower = lower_name(hw, link, cache);
        v->up = rtnl_link_get_flags(link) & IFF_UP;
        format_mac(link, v->mac);
        if (v->kind == HW_VIRTUAL_MACVTAP) {
                v->mode = g_strdup(rtnl_link_macvtap_mode2str((int) rtnl_link_macvtap_get_mode(link), mode,
                                                              sizeof(mode)));
                v->tap = g_strdup_printf("tap%d", v->ifindex);
        } else if (v->kind == HW_VIRTUAL_VLAN) {
                int id = rtnl_link_vlan_get_id(link);

                v->vlan_id = id > 0 ? (unsigned) id : 0;
        }
        return g_steal_pointer(&v);
}

/* The link of a macvtap or VLAN device called name: -ENODEV when none, -ENOTSUP for any other kind. */
static int virtual_link_by_name(HwBackend *hw, const char *name, RtnlLink **ret) {
        g_autoptr(RtnlLink) link = NULL;
        int r;

        r = link_by_name(hw, name, &link);
        if (r < 0)
                return r;
        if (kind_of(link) == HW_VIRTUAL_OTHER)
                return -ENOTSUP;
        *ret = g_steal_pointer(&link);
        return 0;
}

int linux_virtual_read(HwBackend *hw, const char *name, HwVirtualNetdev **ret) {
        g_autoptr(RtnlLink) link = NULL;
        int r;

        r = virtual_link_by_name(hw, name, &link);
        if (r < 0)
                return r;
        *ret = virtual_from_link(hw, link, NULL);
        return 0;
}

static void virtual_free_void(gpointer p) {
        hw_virtual_netdev_free(p);
}

/* Every netdev: macvtaps and VLAN devices described, the others as kind OTHER (their names are taken). */
int linux_virtual_list(HwBackend *hw, GPtrArray **ret) {
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(virtual_free_void);
        g_autoptr(NlCache) cache = NULL;
        struct nl_sock *sock;
        struct nl_object *obj;
        int r;

        r = linux_socket(hw, &sock);
        if (r < 0)
                return r;
        r = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
        if (r < 0)
                return linux_errno_from_nl(r);
        for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj))
                g_ptr_array_add(list, virtual_from_link(hw, (struct rtnl_link *) obj, cache));
        *ret = g_steal_pointer(&list);
        return 0;
}

/* RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL: an existing name is -EEXIST, never a change to it. */
static int add_link(HwBackend *hw, struct rtnl_link *link) {
        g_autoptr(NlMsg) msg = NULL;
        int r;

        r = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
        if (r < 0)
                return linux_errno_from_nl(r);
        return linux_transact(hw, msg);
}

static int delete_link(HwBackend *hw, struct rtnl_link *link) {
        g_autoptr(NlMsg) msg = NULL;
        int r;

        r = rtnl_link_build_delete_request(link, &msg);
        if (r < 0)
                return linux_errno_from_nl(r);
        return linux_transact(hw, msg);
}

/* The new device set up; when that fails it is deleted again, so that a failed create leaves nothing. The device
 * as the kernel made it (read back before it was set up) in *ret_made when asked. */
static int add_and_set_up(HwBackend *hw, struct rtnl_link *link, const char *name, RtnlLink **ret_made) {
        g_autoptr(RtnlLink) made = NULL;
        int r;

        r = add_link(hw, link);
        if (r < 0)
                return log_debug_errno(r, "creating %s: %m", name);
        r = link_by_name(hw, name, &made);
        if (r >= 0)
                r = set_up(hw, made, true);
        if (r < 0) {
                log_debug_errno(r, "setting %s up: %m; deleting it again", name);
                if (made)
                        (void) delete_link(hw, made);
                else {
                        g_autoptr(RtnlLink) by_name = rtnl_link_alloc();

                        if (by_name) {
                                rtnl_link_set_name(by_name, name);
                                (void) delete_link(hw, by_name);
                        }
                }
                return r;
        }
        if (ret_made)
                *ret_made = g_steal_pointer(&made);
        return 0;
}

/* The lower device's ifindex: -ENODEV when it does not exist */
static int lower_ifindex(HwBackend *hw, const char *lower, int *ret) {
        g_autoptr(RtnlLink) link = NULL;
        int r;

        r = link_by_name(hw, lower, &link);
        if (r < 0)
                return r;
        *ret = rtnl_link_get_ifindex(link);
        return 0;
}

static int parse_link_addr(const char *mac, struct nl_addr **ret) {
        return nl_addr_parse(mac, AF_LLC, ret) < 0 ? -EINVAL : 0;
}

int linux_macvtap_create(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac,
                         HwVirtualNetdev **ret) {
        g_autoptr(RtnlLink) link = NULL, made = NULL;
        g_autoptr(NlAddr) addr = NULL;
        int lower_index, mode_value, r;

        r = lower_ifindex(hw, lower, &lower_index);
        if (r < 0)
                return r;
        r = parse_link_addr(mac, &addr);
        if (r < 0)
                return r;
        mode_value = rtnl_link_macvtap_str2mode(mode);
        if (mode_value < 0)
                return -EINVAL;
        link = rtnl_link_macvtap_alloc();
        if (!link)
                return -ENOMEM;
        rtnl_link_set_name(link, name);
        rtnl_link_set_link(link, lower_index);
        r = rtnl_link_macvtap_set_mode(link, (uint32_t) mode_value);
        if (r < 0)
                return linux_errno_from_nl(r);
        /* in passthru mode the kernel gives the macvtap its lower's MAC whatever is asked (the caller sets the
         * lower's first) */
        rtnl_link_set_addr(link, addr);
        r = add_and_set_up(hw, link, name, &made);
        if (r < 0)
                return r;
        /* what the kernel made, as read back: its kind, mode, lower and MAC are the caller's to judge */
        *ret = virtual_from_link(hw, made, NULL);
        (*ret)->up = true;              /* set up since it was read */
        return 0;
}

int linux_vlan_create(HwBackend *hw, const char *lower, const char *name, unsigned vlan_id) {
        g_autoptr(RtnlLink) link = NULL;
        int lower_index, r;

        r = lower_ifindex(hw, lower, &lower_index);
        if (r < 0)
                return r;
        link = rtnl_link_vlan_alloc();
        if (!link)
                return -ENOMEM;
        rtnl_link_set_name(link, name);
        rtnl_link_set_link(link, lower_index);
        r = rtnl_link_vlan_set_id(link, (uint16_t) vlan_id);
        if (r < 0)
                return linux_errno_from_nl(r);
        return add_and_set_up(hw, link, name, NULL);
}

int linux_virtual_delete(HwBackend *hw, const char *name, bool macvtap_only) {
        g_autoptr(RtnlLink) link = NULL;
        int r;

        r = virtual_link_by_name(hw, name, &link);
        if (r < 0)
                return r;
        if (macvtap_only && kind_of(link) != HW_VIRTUAL_MACVTAP)
                return -ENOTSUP;
        return delete_link(hw, link);
}

int linux_macvtap_open_tap(HwBackend *hw, const char *name, int *ret_fd) {
        g_autoptr(RtnlLink) link = NULL;
        int r;

        r = link_by_name(hw, name, &link);
        if (r < 0)
                return r;
        if (kind_of(link) != HW_VIRTUAL_MACVTAP)
                return -ENOTSUP;
        return linux_macvtap_open_tap_ifindex(hw, rtnl_link_get_ifindex(link), ret_fd);
}
