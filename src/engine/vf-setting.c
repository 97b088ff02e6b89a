/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of VF settings: what each is, how hw sets it, and its quirks */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/names.h"
#include "engine/vf-setting.h"
#include "shared/log.h"
#include "shared/macro.h"

/**
 * vf_config_placeholder_mac() - the MAC set where a driver refuses 00:00:00:00:00:00, into buf[18]
 * Locally administered unicast (0x02 set, 0x01 clear in the first octet); octets 0–3 come from a
 * 64-bit FNV-1a hash of the PF netdev name, octets 4–5 are the VF index, so two VFs of one PF never
 * share it and VFs of different PFs do so only when 30 bits of their PFs' hashes agree.
 */
void vf_config_placeholder_mac(const char *pf_netdev, unsigned vf, char buf[static 18]) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (const char *p = pf_netdev ? pf_netdev : ""; *p; p++) {
                h ^= (uint8_t) *p;
                h *= UINT64_C(0x100000001b3);
        }
        /* indices past 16 bits cannot go into octets 4–5; they at least change the hash */
        for (unsigned high = vf >> 16; high; high >>= 8) {
                h ^= high & 0xff;
                h *= UINT64_C(0x100000001b3);
        }
        g_snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
                   (unsigned) (((h >> 56) & 0xfc) | 0x02),
                   (unsigned) ((h >> 48) & 0xff), (unsigned) ((h >> 40) & 0xff), (unsigned) ((h >> 32) & 0xff),
                   (vf >> 8) & 0xff, vf & 0xff);
}

static bool has(const VfSettings *s, VfSettingId id) {
        return s->set & VF_SETTING_BIT(id);
}

static int check_none(const VfSettings *s) {
        return 0;
}

/* ---- admin MAC ---- */

/* Where the driver refuses the all-zero MAC (igb, ixgbe, bnx2x do), the VF's placeholder goes instead, so
 * the guest's MAC does not stay behind. */
static int set_mac(VfOp *op, const VfSettings *s) {
        char placeholder[18];
        int r;

        op->placeholder = false;
        r = hw_vf_set_mac(op->hw, op->pf_netdev, op->vf, s->mac);
        if (r < 0 && mac_is_zero(s->mac) && (r == -EINVAL || r == -EPERM || r == -EOPNOTSUPP)) {
                vf_config_placeholder_mac(op->pf_netdev, op->vf, placeholder);
                log_debug("VF %u of '%s' refuses the zero MAC (%s), setting %s instead",
                          op->vf, op->pf_netdev, g_strerror(-r), placeholder);
                r = hw_vf_set_mac(op->hw, op->pf_netdev, op->vf, placeholder);
                op->placeholder = r >= 0;
        }
        return r;
}

static int check_mac(const VfSettings *s) {
        char mac[18];

        return mac_normalize(s->mac, mac);
}

static void get_mac(VfSettings *s, const VfReading *r) {
        g_strlcpy(s->mac, r->config.mac, sizeof(s->mac));
        s->set |= VF_SETTING_BIT(VF_SETTING_MAC);
}

static bool same_mac(const VfSettings *a, const VfSettings *b) {
        return streq(a->mac, b->mac);
}

static char *describe_mac(const VfSettings *s) {
        return g_strdup_printf("MAC %s", s->mac);
}

/* ---- VLAN and QoS ---- */

static int set_vlan(VfOp *op, const VfSettings *s) {
        return hw_vf_set_vlan(op->hw, op->pf_netdev, op->vf, s->vlan, s->qos);
}

/* the limits rtnetlink itself enforces (12-bit VLAN id, 3-bit priority) */
static int check_vlan(const VfSettings *s) {
        return s->vlan > VLAN_ID_MAX || s->qos > 7 ? -EINVAL : 0;
}

static void get_vlan(VfSettings *s, const VfReading *r) {
        s->vlan = r->config.vlan;
        s->qos = r->config.qos;
        s->set |= VF_SETTING_BIT(VF_SETTING_VLAN);
}

static bool same_vlan(const VfSettings *a, const VfSettings *b) {
        return a->vlan == b->vlan && a->qos == b->qos;
}

static char *describe_vlan(const VfSettings *s) {
        return s->qos ? g_strdup_printf("VLAN %u (QoS %u)", s->vlan, s->qos) : g_strdup_printf("VLAN %u", s->vlan);
}

/* ---- VLAN protocol ---- */

static int set_vlan_proto(VfOp *op, const VfSettings *s) {
        return hw_vf_set_vlan_proto(op->hw, op->pf_netdev, op->vf, s->vlan_proto);
}

static int check_vlan_proto(const VfSettings *s) {
        return vf_vlan_proto_to_string(s->vlan_proto) ? 0 : -EINVAL;
}

static void get_vlan_proto(VfSettings *s, const VfReading *r) {
        if (r->config.vlan_proto < 0)
                return;
        s->vlan_proto = r->config.vlan_proto;
        s->set |= VF_SETTING_BIT(VF_SETTING_VLAN_PROTO);
}

static bool same_vlan_proto(const VfSettings *a, const VfSettings *b) {
        return a->vlan_proto == b->vlan_proto;
}

static char *describe_vlan_proto(const VfSettings *s) {
        return g_strdup_printf("VLAN protocol %s", vf_vlan_proto_to_string(s->vlan_proto) ?: "(invalid)");
}

/* ---- spoofchk, trust ---- */

static int set_spoofchk(VfOp *op, const VfSettings *s) {
        return hw_vf_set_spoofchk(op->hw, op->pf_netdev, op->vf, s->spoofchk);
}

static void get_spoofchk(VfSettings *s, const VfReading *r) {
        if (r->config.spoofchk < 0)
                return;         /* not reported: not recorded, never restored */
        s->spoofchk = r->config.spoofchk > 0;
        s->set |= VF_SETTING_BIT(VF_SETTING_SPOOFCHK);
}

static bool same_spoofchk(const VfSettings *a, const VfSettings *b) {
        return a->spoofchk == b->spoofchk;
}

static char *describe_spoofchk(const VfSettings *s) {
        return g_strdup_printf("spoofchk %s", s->spoofchk ? "on" : "off");
}

static int set_trust(VfOp *op, const VfSettings *s) {
        return hw_vf_set_trust(op->hw, op->pf_netdev, op->vf, s->trust);
}

static void get_trust(VfSettings *s, const VfReading *r) {
        if (r->config.trust < 0)
                return;
        s->trust = r->config.trust > 0;
        s->set |= VF_SETTING_BIT(VF_SETTING_TRUST);
}

static bool same_trust(const VfSettings *a, const VfSettings *b) {
        return a->trust == b->trust;
}

static char *describe_trust(const VfSettings *s) {
        return g_strdup_printf("trust %s", s->trust ? "on" : "off");
}

/* ---- link state ---- */

static int set_link_state(VfOp *op, const VfSettings *s) {
        return hw_vf_set_link_state(op->hw, op->pf_netdev, op->vf, s->link_state);
}

static int check_link_state(const VfSettings *s) {
        return vf_link_state_to_string(s->link_state) ? 0 : -EINVAL;
}

static void get_link_state(VfSettings *s, const VfReading *r) {
        s->link_state = r->config.link_state;
        s->set |= VF_SETTING_BIT(VF_SETTING_LINK_STATE);
}

static bool same_link_state(const VfSettings *a, const VfSettings *b) {
        return a->link_state == b->link_state;
}

static char *describe_link_state(const VfSettings *s) {
        return g_strdup_printf("link state %s", vf_link_state_to_string(s->link_state));
}

/* ---- min and max TX rate ---- */

static int set_tx_rate(VfOp *op, const VfSettings *s) {
        return hw_vf_set_rate(op->hw, op->pf_netdev, op->vf, s->min_tx_rate, s->max_tx_rate);
}

/* a max of 0 is no limit; below the min it is a contradiction */
static int check_tx_rate(const VfSettings *s) {
        return s->max_tx_rate > 0 && s->min_tx_rate > s->max_tx_rate ? -EINVAL : 0;
}

static void get_tx_rate(VfSettings *s, const VfReading *r) {
        if (!r->config.has_rate)
                return;
        s->min_tx_rate = r->config.min_tx_rate;
        s->max_tx_rate = r->config.max_tx_rate;
        s->set |= VF_SETTING_BIT(VF_SETTING_TX_RATE);
}

static bool same_tx_rate(const VfSettings *a, const VfSettings *b) {
        return a->min_tx_rate == b->min_tx_rate && a->max_tx_rate == b->max_tx_rate;
}

static char *describe_tx_rate(const VfSettings *s) {
        return g_strdup_printf("TX rate min %u max %u Mbit/s", s->min_tx_rate, s->max_tx_rate);
}

/* ---- the VF netdev's MTU ---- */

static int reassert_admin_mac(VfOp *op, const VfSettings *s);

/* igbvf resets the VF for a new MTU, and the reset hands the PF the VF netdev's MAC, which igb takes as a
 * trusted VF's admin MAC (seen in the igb kernel testbed): the admin MAC is set once more, as after the netdev's
 * MAC */
static int set_mtu(VfOp *op, const VfSettings *s) {
        int r = hw_netdev_set_mtu(op->hw, op->netdev, s->mtu);

        return r < 0 ? r : reassert_admin_mac(op, s);
}

/* 68: the kernel's ETH_MIN_MTU; the upper limit is the driver's */
static int check_mtu(const VfSettings *s) {
        return s->mtu < 68 ? -EINVAL : 0;
}

static void get_mtu(VfSettings *s, const VfReading *r) {
        if (!r->has_netdev || r->netdev_mtu == 0)
                return;
        s->mtu = r->netdev_mtu;
        s->set |= VF_SETTING_BIT(VF_SETTING_MTU);
}

static bool same_mtu(const VfSettings *a, const VfSettings *b) {
        return a->mtu == b->mtu;
}

static char *describe_mtu(const VfSettings *s) {
        return g_strdup_printf("MTU %u", s->mtu);
}

/* ---- the VF netdev's own MAC ---- */

/* igb takes the MAC a trusted VF gives its own netdev (or sends again at a reset) as the VF's admin MAC too
 * (seen on an emulated 82576 under Debian's 6.1 kernel), which undoes the admin MAC set before it: set that once
 * more.
 * The PF's set reaches the VF netdev only when the VF resets, so the netdev keeps its own MAC. */
static int reassert_admin_mac(VfOp *op, const VfSettings *s) {
        char admin_mac[18];
        VfConfig now;

        if (!has(s, VF_SETTING_MAC))
                return 0;
        if (op->placeholder)
                vf_config_placeholder_mac(op->pf_netdev, op->vf, admin_mac);
        else
                g_strlcpy(admin_mac, s->mac, sizeof(admin_mac));
        if (hw_vf_get(op->hw, op->pf_netdev, op->vf, &now) < 0 || streq(now.mac, admin_mac))
                return 0;       /* kept, or unknown: the setting itself is done either way */
        log_debug("VF %u of '%s': setting its netdev's MAC or MTU made %s its admin MAC; setting %s again",
                  op->vf, op->pf_netdev, now.mac, admin_mac);
        return hw_vf_set_mac(op->hw, op->pf_netdev, op->vf, admin_mac);
}

/* With the placeholder admin MAC in place a driver may pin the VF netdev to it: then a refusal is no failure,
 * the VF carries the placeholder rather than the guest's MAC. */
static int set_netdev_mac(VfOp *op, const VfSettings *s) {
        int r;

        r = hw_netdev_set_mac(op->hw, op->netdev, s->netdev_mac);
        if (r < 0 && op->placeholder) {
                log_debug("netdev '%s' of VF %u keeps its MAC (%s), ignoring", op->netdev, op->vf, g_strerror(-r));
                return 0;
        }
        if (r < 0)
                return r;
        return reassert_admin_mac(op, s);
}

static int check_netdev_mac(const VfSettings *s) {
        char mac[18];

        return mac_normalize(s->netdev_mac, mac);
}

static void get_netdev_mac(VfSettings *s, const VfReading *r) {
        if (!r->has_netdev || !r->netdev_mac[0])
                return;
        g_strlcpy(s->netdev_mac, r->netdev_mac, sizeof(s->netdev_mac));
        s->set |= VF_SETTING_BIT(VF_SETTING_NETDEV_MAC);
}

static bool same_netdev_mac(const VfSettings *a, const VfSettings *b) {
        return streq(a->netdev_mac, b->netdev_mac);
}

static char *describe_netdev_mac(const VfSettings *s) {
        return g_strdup_printf("netdev MAC %s", s->netdev_mac);
}

/* Apply sets in this order; a failure undoes, last first. Restore goes by restore_rank: the VLAN first (the
reverse of apply), then its protocol (on linux a VLAN set makes it 802.1Q, so it is set always), then the admin
MAC, the flags and rates, the VF netdev's MTU; the VF netdev's MAC last, which a VF driver accepts only once the
admin MAC no longer pins it. */
static const VfSettingRow rows[_VF_SETTING_MAX] = {
        [VF_SETTING_MAC] = {
                .id = VF_SETTING_MAC, .name = "MAC", .attr = "mac", .restore_rank = 2, .restore_always = true,
                .crash_apply = "vf-mac-set", .crash_restore = "vf-restored-mac",
                .check = check_mac, .set = set_mac, .get = get_mac, .same = same_mac, .describe = describe_mac,
        },
        [VF_SETTING_VLAN] = {
                .id = VF_SETTING_VLAN, .name = "VLAN", .attr = "vlan qos", .restore_rank = 0,
                .restore_always = true,
                .check = check_vlan, .set = set_vlan, .get = get_vlan, .same = same_vlan,
                .describe = describe_vlan,
        },
        [VF_SETTING_VLAN_PROTO] = {
                .id = VF_SETTING_VLAN_PROTO, .name = "VLAN protocol", .attr = "vlan_proto", .restore_rank = 1,
                .restore_always = true, .may_lack = true,
                .check = check_vlan_proto, .set = set_vlan_proto, .get = get_vlan_proto,
                .same = same_vlan_proto, .describe = describe_vlan_proto,
        },
        [VF_SETTING_SPOOFCHK] = {
                .id = VF_SETTING_SPOOFCHK, .name = "spoofchk", .attr = "spoofchk", .restore_rank = 3,
                .may_lack = true,
                .check = check_none, .set = set_spoofchk, .get = get_spoofchk, .same = same_spoofchk,
                .describe = describe_spoofchk,
        },
        [VF_SETTING_TRUST] = {
                .id = VF_SETTING_TRUST, .name = "trust", .attr = "trust", .restore_rank = 4, .may_lack = true,
                .check = check_none, .set = set_trust, .get = get_trust, .same = same_trust,
                .describe = describe_trust,
        },
        [VF_SETTING_LINK_STATE] = {
                .id = VF_SETTING_LINK_STATE, .name = "link state", .attr = "link_state", .restore_rank = 5,
                .may_lack = true,
                .check = check_link_state, .set = set_link_state, .get = get_link_state,
                .same = same_link_state, .describe = describe_link_state,
        },
        [VF_SETTING_TX_RATE] = {
                .id = VF_SETTING_TX_RATE, .name = "TX rate", .attr = "min_tx_rate max_tx_rate",
                .restore_rank = 6, .may_lack = true,
                .check = check_tx_rate, .set = set_tx_rate, .get = get_tx_rate, .same = same_tx_rate,
                .describe = describe_tx_rate,
        },
        [VF_SETTING_MTU] = {
                .id = VF_SETTING_MTU, .name = "MTU", .attr = "vfnetdev mtu", .restore_rank = 7,
                .on_netdev = true, .may_lack = true,
                .check = check_mtu, .set = set_mtu, .get = get_mtu, .same = same_mtu, .describe = describe_mtu,
        },
        [VF_SETTING_NETDEV_MAC] = {
                .id = VF_SETTING_NETDEV_MAC, .name = "VF netdev's MAC", .attr = "vfnetdev mac",
                .restore_rank = 9, .on_netdev = true,
                .check = check_netdev_mac, .set = set_netdev_mac, .get = get_netdev_mac,
                .same = same_netdev_mac, .describe = describe_netdev_mac,
        },
};

const VfSettingRow *vf_setting_row(VfSettingId id) {
        g_assert(id >= 0 && id < _VF_SETTING_MAX && rows[id].set);
        return &rows[id];
}

static int compare_rank(gconstpointer a, gconstpointer b) {
        const VfSettingRow *x = &rows[*(const VfSettingId *) a], *y = &rows[*(const VfSettingId *) b];

        return x->restore_rank != y->restore_rank ? (x->restore_rank < y->restore_rank ? -1 : 1)
                                                  : (x->id < y->id ? -1 : x->id > y->id);
}

const VfSettingId *vf_setting_restore_order(void) {
        static VfSettingId order[_VF_SETTING_MAX];
        static gsize done = 0;

        if (g_once_init_enter(&done)) {
                for (int i = 0; i < _VF_SETTING_MAX; i++)
                        order[i] = (VfSettingId) i;
                qsort(order, _VF_SETTING_MAX, sizeof(order[0]), compare_rank);
                g_once_init_leave(&done, 1);
        }
        return order;
}

void vf_settings_from_reading(VfSettings *s, const VfReading *r) {
        for (int i = 0; i < _VF_SETTING_MAX; i++)
                rows[i].get(s, r);
}

int vf_settings_check(const VfSettings *s, VfSettingId *ret_bad) {
        for (int i = 0; i < _VF_SETTING_MAX; i++)
                if (has(s, (VfSettingId) i) && rows[i].check(s) < 0) {
                        if (ret_bad)
                                *ret_bad = (VfSettingId) i;
                        return -EINVAL;
                }
        return 0;
}

/* An invalid MAC is kept as "" (with its bit), which vf_settings_check() refuses. */
void vf_settings_set_mac(VfSettings *s, const char *mac) {
        if (!mac || mac_normalize(mac, s->mac) < 0)
                s->mac[0] = '\0';
        s->set |= VF_SETTING_BIT(VF_SETTING_MAC);
}

void vf_settings_set_vlan(VfSettings *s, unsigned vlan, unsigned qos) {
        s->vlan = vlan;
        s->qos = qos;
        s->set |= VF_SETTING_BIT(VF_SETTING_VLAN);
}

char *vf_setting_value(const VfSettingRow *row, const VfSettings *s) {
        g_autofree char *full = row->describe(s);
        size_t n = strlen(row->name);

        if (strncmp(full, row->name, n) == 0 && full[n] == ' ')
                return g_strdup(full + n + 1);
        return g_steal_pointer(&full);
}
