/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of VF configuration: save, apply, rollback, restore and driver quirks on generated sim hosts */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/vf-record.h"
#include "engine/vf-config.h"
#include "hw/hw-backend.h"
#include "hw/hw.h"
#include "hw-test-util.h"

#define X710 "name=eth0,bdf=0000:03:00.0,model=x710,vfs=4"
#define X710_BDF "0000:03:00.0"
#define CX3 "name=ens1,name2=ens1d1,bdf=0000:05:00.0,model=cx3,vfs=8,port2=4-5,dual=6-7"
#define CX3_VF4_BDF "0000:05:00.5"
#define SFC "name=sfc0,bdf=0000:07:00.0,model=sfc,vfs=4"

#define UUID "8d1f4e36-5a0b-4c7e-9f21-0a1b2c3d4e5f"
#define PORT_MAC "52:54:00:12:34:56"
#define ZERO_MAC "00:00:00:00:00:00"

/* A sim host, its backend, and a state dir of its own (so the generator's tree stays pure). */
typedef struct Host {
        TestDir *sim;
        TestDir *state;
        HwBackend *hw;
        char *vf_dir;           /* STATE/vf, left for the code under test to create */
} Host;

static Host *host_new(const char *spec) {
        Host *h = g_new0(Host, 1);

        h->sim = test_sim_host("--pf", spec, NULL);
        h->state = test_dir_new();
        h->hw = test_sim_backend(h->sim);
        h->vf_dir = g_build_filename(h->state->path, "vf", NULL);
        return h;
}

static void host_free(Host *h) {
        hw_backend_free(h->hw);
        test_dir_free(h->sim);
        test_dir_free(h->state);
        g_free(h->vf_dir);
        g_free(h);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Host, host_free);

static void fail(Host *h, const char *pf_bdf, unsigned vf, const char *line) {
        char idx[16];

        g_snprintf(idx, sizeof(idx), "%u", vf);
        test_sim_change(h->sim, "--fail", pf_bdf, idx, line, NULL);
}

static void clear_fail(Host *h, const char *pf_bdf, unsigned vf) {
        char idx[16];

        g_snprintf(idx, sizeof(idx), "%u", vf);
        test_sim_change(h->sim, "--clear-fail", pf_bdf, idx, NULL);
}

static VfConfig vf_get(Host *h, const char *pf, unsigned vf) {
        VfConfig c = {};

        g_assert_cmpint(hw_vf_get(h->hw, pf, vf, &c), ==, 0);
        return c;
}

static void assert_same_config(const VfConfig *a, const VfConfig *b) {
        g_assert_cmpstr(a->mac, ==, b->mac);
        g_assert_cmpuint(a->vlan, ==, b->vlan);
        g_assert_cmpuint(a->qos, ==, b->qos);
        g_assert_cmpint(a->spoofchk, ==, b->spoofchk);
        g_assert_cmpint(a->trust, ==, b->trust);
        g_assert_cmpint(a->link_state, ==, b->link_state);
}

static char *netdev_mac(Host *h, const char *name) {
        g_autoptr(HwNetdev) n = NULL;

        g_assert_cmpint(hw_lookup_netdev(h->hw, name, &n, NULL), ==, 0);
        return g_strdup(n->mac);
}

static bool record_file_exists(Host *h, const char *name) {
        g_autofree char *path = g_build_filename(h->vf_dir, name, NULL);

        return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* A VF that is not in its driver's default state, so that a restore has something to put back. */
static void set_original(Host *h, const char *pf, unsigned vf, const char *mac) {
        g_assert_cmpint(hw_vf_set_mac(h->hw, pf, vf, mac), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(h->hw, pf, vf, 7, 2), ==, 0);
        g_assert_cmpint(hw_vf_set_spoofchk(h->hw, pf, vf, false), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(h->hw, pf, vf, true), ==, 0);
        g_assert_cmpint(hw_vf_set_link_state(h->hw, pf, vf, VF_LINK_STATE_DISABLE), ==, 0);
}

/* What a port asks of its VF: its MAC and VLAN. */
static VfSettings port_settings(const char *mac, unsigned vlan) {
        VfSettings s = {};

        vf_settings_set_mac(&s, mac);
        vf_settings_set_vlan(&s, vlan, 0);
        return s;
}

static int apply(Host *h, const VfTarget *t, const char *mac, unsigned vlan, char **ret_msg) {
        VfSettings want = port_settings(mac, vlan);

        return vf_config_apply(h->hw, h->vf_dir, t, &want, UUID, ret_msg, NULL);
}

static void test_apply_saves_then_sets(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        g_autoptr(VfRecord) rec = NULL;
        g_autofree char *vf_netdev_mac = netdev_mac(h, "eth0v1");
        g_autofree char *msg = NULL;
        VfConfig before, now;

        set_original(h, "eth0", 1, "52:54:00:aa:bb:01");
        before = vf_get(h, "eth0", 1);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));

        g_assert_cmpint(apply(h, &t, "52:54:00:12:34:56", 42, &msg), ==, 0);
        g_assert_null(msg);

        now = vf_get(h, "eth0", 1);
        g_assert_cmpstr(now.mac, ==, PORT_MAC);
        g_assert_cmpuint(now.vlan, ==, 42);
        g_assert_cmpuint(now.qos, ==, 0);
        /* apply touches only MAC and VLAN */
        g_assert_cmpint(now.spoofchk, ==, before.spoofchk);
        g_assert_cmpint(now.trust, ==, before.trust);
        g_assert_cmpint(now.link_state, ==, before.link_state);

        g_assert_true(vf_config_has_record(h->vf_dir, &t));
        g_assert_true(record_file_exists(h, "eth0_vf1"));
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 1, &rec), ==, 0);
        assert_same_config(&rec->orig, &before);
        g_assert_cmpstr(rec->port_uuid, ==, UUID);
        g_assert_cmpstr(rec->vf_netdev, ==, "eth0v1");
        g_assert_cmpstr(rec->vf_netdev_mac, ==, vf_netdev_mac);
}

static void test_restore_puts_back(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        g_autofree char *orig_netdev_mac = netdev_mac(h, "eth0v2"), *now_netdev_mac = NULL;
        g_autofree char *msg = NULL;
        VfConfig before, now;

        set_original(h, "eth0", 2, "52:54:00:aa:bb:02");
        before = vf_get(h, "eth0", 2);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 100, NULL), ==, 0);
        /* what the VF driver does with a new admin MAC: its netdev takes it */
        g_assert_cmpint(hw_netdev_set_mac(h->hw, "eth0v2", PORT_MAC), ==, 0);
        /* and what a guest might have done meanwhile */
        g_assert_cmpint(hw_vf_set_spoofchk(h->hw, "eth0", 2, true), ==, 0);
        g_assert_cmpint(hw_vf_set_link_state(h->hw, "eth0", 2, VF_LINK_STATE_ENABLE), ==, 0);

        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg, NULL), ==, 0);
        g_assert_null(msg);
        now = vf_get(h, "eth0", 2);
        assert_same_config(&now, &before);
        now_netdev_mac = netdev_mac(h, "eth0v2");
        g_assert_cmpstr(now_netdev_mac, ==, orig_netdev_mac);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));

        /* nothing left to restore */
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg, NULL), ==, -ENOENT);
        g_assert_nonnull(strstr(msg, "no VF record"));
}

static void test_second_apply_keeps_record(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 0, .vf_netdev = "eth0v0" };
        g_autoptr(VfRecord) rec = NULL;
        VfConfig before, now;

        before = vf_get(h, "eth0", 0);
        g_assert_cmpint(apply(h, &t, "52:54:00:00:aa:01", 10, NULL), ==, 0);
        g_assert_cmpint(apply(h, &t, "52:54:00:00:aa:02", 20, NULL), ==, 0);

        now = vf_get(h, "eth0", 0);
        g_assert_cmpstr(now.mac, ==, "52:54:00:00:aa:02");
        g_assert_cmpuint(now.vlan, ==, 20);
        /* the record still holds the state before the first apply, not the first port's */
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 0, &rec), ==, 0);
        assert_same_config(&rec->orig, &before);

        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 0);
        assert_same_config(&now, &before);
}

/* ConnectX-3, VF 4 single-port on port 2 (ens1d1v4): only ens1d1 reports its MAC and VLAN. */
static void test_cx3_port2(void) {
        g_autoptr(Host) h = host_new(CX3);
        /* the caller names port 1 first: the phys_port_id of the VF netdev picks port 2 */
        VfTarget t = { .pf_netdev = "ens1", .alt_pf_netdev = "ens1d1", .vf = 4, .vf_netdev = "ens1d1v4" };
        VfTarget released = { .pf_netdev = "ens1", .alt_pf_netdev = "ens1d1", .vf = 4 };
        g_autoptr(VfRecord) rec = NULL;
        g_autofree char *msg = NULL;
        VfConfig through_port1, before, now;

        set_original(h, "ens1", 4, "52:54:00:cc:00:04");       /* a set through either lands on port 2 */
        through_port1 = vf_get(h, "ens1", 4);
        g_assert_cmpstr(through_port1.mac, ==, ZERO_MAC);       /* what a port-1 read would save */
        g_assert_cmpuint(through_port1.vlan, ==, 0);
        before = vf_get(h, "ens1d1", 4);
        g_assert_cmpstr(before.mac, ==, "52:54:00:cc:00:04");

        g_assert_cmpint(apply(h, &t, PORT_MAC, 42, &msg), ==, 0);
        g_assert_true(record_file_exists(h, "ens1d1_vf4"));
        g_assert_false(record_file_exists(h, "ens1_vf4"));
        g_assert_cmpint(vf_record_load(h->vf_dir, "ens1d1", 4, &rec), ==, 0);
        assert_same_config(&rec->orig, &before);
        now = vf_get(h, "ens1d1", 4);
        g_assert_cmpstr(now.mac, ==, PORT_MAC);
        g_assert_cmpuint(now.vlan, ==, 42);

        /* a guest takes the VF: no netdev any more, so nothing says which port it is on */
        test_sim_change(h->sim, "--assign", CX3_VF4_BDF, NULL);
        g_assert_cmpint(hw_lookup_netdev(h->hw, "ens1d1v4", NULL, NULL), ==, -ENODEV);
        g_assert_true(vf_config_has_record(h->vf_dir, &released));
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &released, &msg, NULL), ==, 0);
        now = vf_get(h, "ens1d1", 4);
        assert_same_config(&now, &before);
        g_assert_false(record_file_exists(h, "ens1d1_vf4"));
        g_assert_false(vf_config_has_record(h->vf_dir, &released));
}

/* The same VF named the other way round: port 2's PF netdev first. */
static void test_cx3_port2_named_directly(void) {
        g_autoptr(Host) h = host_new(CX3);
        VfTarget t = { .pf_netdev = "ens1d1", .alt_pf_netdev = "ens1", .vf = 5, .vf_netdev = "ens1d1v5" };
        VfTarget other_way = { .pf_netdev = "ens1", .alt_pf_netdev = "ens1d1", .vf = 5 };
        VfConfig before, now;

        set_original(h, "ens1d1", 5, "52:54:00:cc:00:05");
        before = vf_get(h, "ens1d1", 5);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 0, NULL), ==, 0);
        g_assert_true(record_file_exists(h, "ens1d1_vf5"));
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &other_way, NULL, NULL), ==, 0);
        now = vf_get(h, "ens1d1", 5);
        assert_same_config(&now, &before);
}

static void assert_placeholder_shape(const char *mac) {
        unsigned first = (unsigned) g_ascii_strtoull(mac, NULL, 16);

        g_assert_cmpuint(strlen(mac), ==, 17);
        g_assert_cmpstr(mac, !=, ZERO_MAC);
        g_assert_cmpuint(first & 0x02, ==, 0x02);      /* locally administered */
        g_assert_cmpuint(first & 0x01, ==, 0);         /* unicast */
}

static void test_placeholder_mac(void) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        char a[18], b[18];

        vf_config_placeholder_mac("eth0", 3, a);
        vf_config_placeholder_mac("eth0", 3, b);
        g_assert_cmpstr(a, ==, b);                      /* stable */
        vf_config_placeholder_mac("eth1", 3, b);
        g_assert_cmpstr(a, !=, b);                      /* depends on the PF */
        for (const char *const *pf = (const char *const[]) { "eth0", "ens1", "ens1d1", "sfc0", NULL }; *pf; pf++)
                for (unsigned vf = 0; vf < 256; vf++) {
                        char mac[18];

                        vf_config_placeholder_mac(*pf, vf, mac);
                        assert_placeholder_shape(mac);
                        g_assert_true(g_hash_table_add(seen, g_strdup(mac)));  /* never shared */
                }
}

/* igb/ixgbe/bnx2x refuse 00:00:00:00:00:00: each VF gets its own placeholder instead */
static void test_zero_mac_quirk(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t1 = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        VfTarget t2 = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        char expect1[18], expect2[18];
        VfConfig now1, now2;

        fail(h, X710_BDF, 1, "set_mac_zero EINVAL");
        fail(h, X710_BDF, 2, "set_mac_zero EINVAL");
        g_assert_cmpint(apply(h, &t1, "52:54:00:00:bb:01", 0, NULL), ==, 0);
        g_assert_cmpint(apply(h, &t2, "52:54:00:00:bb:02", 0, NULL), ==, 0);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t1, NULL, NULL), ==, 0);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t2, NULL, NULL), ==, 0);

        vf_config_placeholder_mac("eth0", 1, expect1);
        vf_config_placeholder_mac("eth0", 2, expect2);
        now1 = vf_get(h, "eth0", 1);
        now2 = vf_get(h, "eth0", 2);
        g_assert_cmpstr(now1.mac, ==, expect1);
        g_assert_cmpstr(now2.mac, ==, expect2);
        g_assert_cmpstr(now1.mac, !=, now2.mac);
        assert_placeholder_shape(now1.mac);
        g_assert_false(vf_config_has_record(h->vf_dir, &t1));
        g_assert_false(vf_config_has_record(h->vf_dir, &t2));
}

/* A VF in reset: apply tries once, undoes, and says EBUSY at once; the caller (the daemon's timer) tries
 * again later, and a later try goes through. */
static void test_ebusy_one_try(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 3, .vf_netdev = "eth0v3" };
        g_autofree char *fail_left = NULL, *msg = NULL;
        VfConfig before, now;

        set_original(h, "eth0", 3, "52:54:00:aa:bb:03");
        before = vf_get(h, "eth0", 3);
        fail(h, X710_BDF, 3, "set_mac EBUSY 2");
        g_assert_cmpint(apply(h, &t, PORT_MAC, 5, &msg), ==, -EBUSY);
        g_assert_nonnull(strstr(msg, "VF 3"));
        g_assert_nonnull(strstr(msg, "'eth0'"));
        g_assert_nonnull(strstr(msg, "reset"));
        /* one try was made, not several: one fault is left */
        fail_left = test_read_line(h->sim->path, "vfstate/" X710_BDF "/vf3/fail");
        g_assert_nonnull(fail_left);
        g_assert_nonnull(strstr(fail_left, "EBUSY 1"));
        now = vf_get(h, "eth0", 3);
        assert_same_config(&now, &before);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));

        g_assert_cmpint(apply(h, &t, PORT_MAC, 5, NULL), ==, -EBUSY);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 5, NULL), ==, 0);
        now = vf_get(h, "eth0", 3);
        g_assert_cmpstr(now.mac, ==, PORT_MAC);
        g_assert_cmpuint(now.vlan, ==, 5);
}

/* A restore that meets a VF in reset keeps the record for the next try. */
static void test_ebusy_restore_kept(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 3, .vf_netdev = "eth0v3" };
        VfConfig before, now;
        bool on_record = true;

        set_original(h, "eth0", 3, "52:54:00:aa:bb:03");
        before = vf_get(h, "eth0", 3);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 5, NULL), ==, 0);
        fail(h, X710_BDF, 3, "set_vlan EBUSY 1");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, &on_record), ==, -EBUSY);
        g_assert_false(on_record);
        g_assert_true(vf_config_has_record(h->vf_dir, &t));
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, &on_record), ==, 0);
        now = vf_get(h, "eth0", 3);
        assert_same_config(&now, &before);
}

static void test_pf_down(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        g_autofree char *msg = NULL;
        VfConfig before, now;

        before = vf_get(h, "eth0", 1);
        test_sim_change(h->sim, "--link", "eth0", "down", NULL);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 9, &msg), ==, -ENETDOWN);
        g_assert_cmpstr(msg, ==, "PF netdev 'eth0' is down; cannot configure VF 1");
        now = vf_get(h, "eth0", 1);
        assert_same_config(&now, &before);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));
}

static void test_vlan_failure_rolls_back_mac(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        g_autofree char *msg = NULL;
        VfConfig before, now;

        set_original(h, "eth0", 2, "52:54:00:aa:bb:02");
        before = vf_get(h, "eth0", 2);
        fail(h, X710_BDF, 2, "set_vlan EINVAL");
        g_assert_cmpint(apply(h, &t, PORT_MAC, 42, &msg), ==, -EINVAL);
        g_assert_nonnull(strstr(msg, "VLAN 42"));
        now = vf_get(h, "eth0", 2);
        assert_same_config(&now, &before);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));
}

/* A record from an earlier apply is not this apply's to remove; the VF goes back to how this apply
 * found it, not to the record's original. */
static void test_rollback_keeps_earlier_record(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        g_autoptr(VfRecord) rec = NULL;
        VfConfig orig, after_first, now;

        orig = vf_get(h, "eth0", 1);
        g_assert_cmpint(apply(h, &t, "52:54:00:00:cc:01", 10, NULL), ==, 0);
        after_first = vf_get(h, "eth0", 1);
        fail(h, X710_BDF, 1, "set_vlan EPERM 1");
        g_assert_cmpint(apply(h, &t, "52:54:00:00:cc:02", 20, NULL), ==, -EPERM);
        now = vf_get(h, "eth0", 1);
        assert_same_config(&now, &after_first);
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 1, &rec), ==, 0);
        assert_same_config(&rec->orig, &orig);
}

/* When even the undo fails, the record made by this apply stays: it is the way back. */
static void test_failed_rollback_keeps_record(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 0, .vf_netdev = "eth0v0" };
        g_autofree char *msg = NULL;
        VfConfig orig, now;

        orig = vf_get(h, "eth0", 0);
        g_assert_cmpstr(orig.mac, ==, ZERO_MAC);
        fail(h, X710_BDF, 0, "set_vlan EINVAL");
        fail(h, X710_BDF, 0, "set_mac_zero ENODEV");   /* not the zero-MAC quirk: no placeholder */
        g_assert_cmpint(apply(h, &t, PORT_MAC, 3, &msg), ==, -EINVAL);
        g_assert_nonnull(strstr(msg, "undoing the MAC failed"));
        g_assert_nonnull(strstr(msg, "eth0_vf0"));
        g_assert_true(vf_config_has_record(h->vf_dir, &t));

        clear_fail(h, X710_BDF, 0);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 0);
        assert_same_config(&now, &orig);
}

static void test_restore_failure_keeps_record(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        g_autofree char *msg = NULL, *msg2 = NULL;
        VfConfig orig, now;

        orig = vf_get(h, "eth0", 2);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 8, NULL), ==, 0);

        fail(h, X710_BDF, 2, "set_vlan EPERM");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg, NULL), ==, -EPERM);
        g_assert_nonnull(strstr(msg, "VF 2"));
        g_assert_nonnull(strstr(msg, "eth0_vf2"));
        g_assert_true(record_file_exists(h, "eth0_vf2"));

        /* a down PF: the same, with the reason */
        clear_fail(h, X710_BDF, 2);
        test_sim_change(h->sim, "--link", "eth0", "down", NULL);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg2, NULL), ==, -ENETDOWN);
        g_assert_nonnull(strstr(msg2, "PF netdev 'eth0' is down"));
        g_assert_true(record_file_exists(h, "eth0_vf2"));

        /* the retry, once the fault is gone, completes */
        test_sim_change(h->sim, "--link", "eth0", "up", NULL);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 2);
        assert_same_config(&now, &orig);
        g_assert_false(record_file_exists(h, "eth0_vf2"));
}

static void test_restore_no_record(void) {
        g_autoptr(Host) h = host_new(CX3);
        VfTarget t = { .pf_netdev = "ens1", .alt_pf_netdev = "ens1d1", .vf = 1 };
        g_autofree char *msg = NULL;

        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg, NULL), ==, -ENOENT);
        g_assert_nonnull(strstr(msg, "VF 1"));
}

static void test_damaged_record(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        g_autofree char *msg = NULL, *msg2 = NULL, *path = g_build_filename(h->vf_dir, "eth0_vf1", NULL);
        VfConfig before, now;

        g_assert_cmpint(g_mkdir_with_parents(h->vf_dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(path, "<vfrecord>broken", -1, NULL));
        before = vf_get(h, "eth0", 1);
        /* it may be the only copy of the original: neither overwritten nor dropped */
        g_assert_cmpint(apply(h, &t, PORT_MAC, 1, &msg), ==, -EINVAL);
        g_assert_nonnull(strstr(msg, "damaged"));
        now = vf_get(h, "eth0", 1);
        assert_same_config(&now, &before);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg2, NULL), ==, -EINVAL);
        g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void test_invalid_arguments(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        VfTarget bad = { .pf_netdev = "../x", .vf = 1 };
        VfSettings want = port_settings(PORT_MAC, 1);
        g_autofree char *msg = NULL;

        g_assert_cmpint(apply(h, &t, "52:54:00:zz:00:00", 1, &msg), ==, -EINVAL);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 4096, NULL), ==, -EINVAL);
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &want, "not-a-uuid", NULL, NULL), ==, -EINVAL);
        g_assert_cmpint(apply(h, &bad, PORT_MAC, 1, NULL), ==, -EINVAL);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &bad, NULL, NULL), ==, -EINVAL);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));
        g_assert_false(g_file_test(h->vf_dir, G_FILE_TEST_EXISTS));
}

/* Solarflare: VFs have no host netdev, so the record has none and the restore sets none. */
static void test_vf_without_netdev(void) {
        g_autoptr(Host) h = host_new(SFC);
        VfTarget t = { .pf_netdev = "sfc0", .vf = 2 };
        g_autoptr(VfRecord) rec = NULL;
        VfConfig before, now;

        before = vf_get(h, "sfc0", 2);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 11, NULL), ==, 0);
        g_assert_cmpint(vf_record_load(h->vf_dir, "sfc0", 2, &rec), ==, 0);
        g_assert_null(rec->vf_netdev);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "sfc0", 2);
        assert_same_config(&now, &before);
}

/* igb's way with a trusted VF (seen in the igb kernel testbed): the MAC the VF gives its own netdev becomes
 * its admin MAC too. A backend that does that over the sim host it borrows (data). */
static int trusting_netdev_set_mac(HwBackend *hw, const char *netdev, const char *mac) {
        HwBackend *sim = hw->data;
        g_autoptr(HwNetdev) n = NULL;
        g_autoptr(HwFunction) vf = NULL, pf = NULL;
        const HwNetdev *pf_netdev;
        VfConfig c;
        int r;

        r = hw_netdev_set_mac(sim, netdev, mac);
        if (r < 0 || hw_lookup_netdev(sim, netdev, &n, &vf) < 0 || !vf || !vf->is_vf)
                return r;
        g_assert_cmpint(hw_lookup_function(sim, &vf->physfn, &pf), ==, 0);
        pf_netdev = g_ptr_array_index(pf->netdevs, 0);
        g_assert_cmpint(hw_vf_get(sim, pf_netdev->name, vf->vf_index, &c), ==, 0);
        return c.trust == 1 ? hw_vf_set_mac(sim, pf_netdev->name, vf->vf_index, mac) : 0;
}

/* igbvf resets the VF for a new MTU, and the reset sends the VF netdev's MAC to the PF: igb takes it as the admin
 * MAC of a trusted VF (seen in the igb kernel testbed: the port's MAC was gone after an <mtu>) */
static int trusting_netdev_set_mtu(HwBackend *hw, const char *netdev, unsigned mtu) {
        HwBackend *sim = hw->data;
        g_autoptr(HwNetdev) n = NULL;
        g_autoptr(HwFunction) vf = NULL;
        int r;

        r = hw_netdev_set_mtu(sim, netdev, mtu);
        if (r < 0 || hw_lookup_netdev(sim, netdev, &n, &vf) < 0 || !vf || !vf->is_vf)
                return r;
        return trusting_netdev_set_mac(hw, netdev, n->mac);
}

static int trusting_vf_get(HwBackend *hw, const char *pf, unsigned vf, VfConfig *ret) {
        return hw_vf_get(hw->data, pf, vf, ret);
}

static int trusting_vf_set_mac(HwBackend *hw, const char *pf, unsigned vf, const char *mac) {
        return hw_vf_set_mac(hw->data, pf, vf, mac);
}

static int trusting_vf_set_vlan(HwBackend *hw, const char *pf, unsigned vf, unsigned vlan, unsigned qos) {
        return hw_vf_set_vlan(hw->data, pf, vf, vlan, qos);
}

static int trusting_vf_set_spoofchk(HwBackend *hw, const char *pf, unsigned vf, bool on) {
        return hw_vf_set_spoofchk(hw->data, pf, vf, on);
}

static int trusting_vf_set_trust(HwBackend *hw, const char *pf, unsigned vf, bool on) {
        return hw_vf_set_trust(hw->data, pf, vf, on);
}

static int trusting_vf_set_link_state(HwBackend *hw, const char *pf, unsigned vf, VfLinkState state) {
        return hw_vf_set_link_state(hw->data, pf, vf, state);
}

static const HwBackendOps trusting_ops = {
        .name = "sim-igb",
        .vf_get = trusting_vf_get,
        .vf_set_mac = trusting_vf_set_mac,
        .vf_set_vlan = trusting_vf_set_vlan,
        .vf_set_spoofchk = trusting_vf_set_spoofchk,
        .vf_set_trust = trusting_vf_set_trust,
        .vf_set_link_state = trusting_vf_set_link_state,
        .netdev_set_mac = trusting_netdev_set_mac,
        .netdev_set_mtu = trusting_netdev_set_mtu,
};

/* Restoring a trusted VF's netdev MAC on igb replaced the admin MAC restored before it: the restore sets
 * the admin MAC once more, and the netdev keeps its own. */
static void test_trusted_vf_netdev_mac_kept_apart(void) {
        g_autoptr(Host) h = host_new(X710);
        g_autoptr(HwBackend) igb = hw_backend_new(&trusting_ops, h->hw->sysfs_root);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        g_autofree char *orig_netdev_mac = netdev_mac(h, "eth0v2"), *now_netdev_mac = NULL;
        g_autofree char *msg = NULL;
        VfSettings want = port_settings(PORT_MAC, 100);
        VfConfig before, now;

        igb->data = h->hw;
        set_original(h, "eth0", 2, "52:54:00:aa:bb:02");       /* trust on */
        before = vf_get(h, "eth0", 2);
        g_assert_cmpstr(before.mac, !=, orig_netdev_mac);
        g_assert_cmpint(vf_config_apply(igb, h->vf_dir, &t, &want, UUID, NULL, NULL), ==, 0);
        g_assert_cmpint(hw_netdev_set_mac(h->hw, "eth0v2", PORT_MAC), ==, 0);

        g_assert_cmpint(vf_config_restore(igb, h->vf_dir, &t, &msg, NULL), ==, 0);
        g_assert_null(msg);
        now = vf_get(h, "eth0", 2);
        assert_same_config(&now, &before);
        now_netdev_mac = netdev_mac(h, "eth0v2");
        g_assert_cmpstr(now_netdev_mac, ==, orig_netdev_mac);
}

static void test_record_defaults(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 3, .vf_netdev = "eth0v3" };
        g_autoptr(VfRecord) rec = NULL, again = NULL;
        VfConfig now;

        /* a VF the guest still has, its record lost with the state dir */
        set_original(h, "eth0", 3, "52:54:00:99:00:03");
        g_assert_cmpint(vf_config_record_defaults(h->vf_dir, &t, UUID, NULL), ==, 0);
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 3, &rec), ==, 0);
        g_assert_cmpstr(rec->orig.mac, ==, ZERO_MAC);
        g_assert_cmpuint(rec->orig.vlan, ==, 0);
        g_assert_cmpuint(rec->orig.qos, ==, 0);
        g_assert_cmpint(rec->orig.spoofchk, ==, 1);
        g_assert_cmpint(rec->orig.trust, ==, 0);
        g_assert_cmpint(rec->orig.link_state, ==, VF_LINK_STATE_AUTO);
        g_assert_cmpstr(rec->port_uuid, ==, UUID);
        /* no change to the VF */
        now = vf_get(h, "eth0", 3);
        g_assert_cmpstr(now.mac, ==, "52:54:00:99:00:03");

        /* an existing record is the true original: kept */
        rec->orig.vlan = 77;
        g_assert_cmpint(vf_record_save(h->vf_dir, rec), ==, 0);
        g_assert_cmpint(vf_config_record_defaults(h->vf_dir, &t, UUID, NULL), ==, 0);
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 3, &again), ==, 0);
        g_assert_cmpuint(again->orig.vlan, ==, 77);
        g_assert_cmpint(vf_record_remove(h->vf_dir, "eth0", 3), ==, 0);

        /* the release then leaves the VF clean rather than with the guest's MAC */
        g_assert_cmpint(vf_config_record_defaults(h->vf_dir, &t, UUID, NULL), ==, 0);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 3);
        g_assert_cmpstr(now.mac, ==, ZERO_MAC);
        g_assert_cmpuint(now.vlan, ==, 0);
        g_assert_cmpint(now.spoofchk, ==, 1);
        g_assert_cmpint(now.trust, ==, 0);
        g_assert_cmpint(now.link_state, ==, VF_LINK_STATE_AUTO);
}

/* ---- the table walk ---- */

/* Every setting a VF takes through its PF, away from the driver's defaults. */
static VfSettings full_settings(void) {
        VfSettings s = port_settings(PORT_MAC, 42);

        s.spoofchk = false;
        s.trust = true;
        s.link_state = VF_LINK_STATE_DISABLE;
        s.vlan_proto = VF_VLAN_PROTO_8021AD;
        s.min_tx_rate = 10;
        s.max_tx_rate = 500;
        s.mtu = 1400;
        s.set |= VF_SETTING_BIT(VF_SETTING_SPOOFCHK) | VF_SETTING_BIT(VF_SETTING_TRUST) |
                 VF_SETTING_BIT(VF_SETTING_LINK_STATE) | VF_SETTING_BIT(VF_SETTING_VLAN_PROTO) |
                 VF_SETTING_BIT(VF_SETTING_TX_RATE) | VF_SETTING_BIT(VF_SETTING_MTU);
        return s;
}

/* A backend that notes the order of the sets it passes on to the sim host it borrows (data). */
static GString *calls;

static int noting_vf_set_mac(HwBackend *hw, const char *pf, unsigned vf, const char *mac) {
        g_string_append(calls, "mac ");
        return hw_vf_set_mac(hw->data, pf, vf, mac);
}

static int noting_vf_set_vlan(HwBackend *hw, const char *pf, unsigned vf, unsigned vlan, unsigned qos) {
        g_string_append(calls, "vlan ");
        return hw_vf_set_vlan(hw->data, pf, vf, vlan, qos);
}

static int noting_vf_set_spoofchk(HwBackend *hw, const char *pf, unsigned vf, bool on) {
        g_string_append(calls, "spoofchk ");
        return hw_vf_set_spoofchk(hw->data, pf, vf, on);
}

static int noting_vf_set_trust(HwBackend *hw, const char *pf, unsigned vf, bool on) {
        g_string_append(calls, "trust ");
        return hw_vf_set_trust(hw->data, pf, vf, on);
}

static int noting_vf_set_link_state(HwBackend *hw, const char *pf, unsigned vf, VfLinkState state) {
        g_string_append(calls, "link_state ");
        return hw_vf_set_link_state(hw->data, pf, vf, state);
}

static int noting_vf_set_rate(HwBackend *hw, const char *pf, unsigned vf, unsigned min, unsigned max) {
        g_string_append(calls, "rate ");
        return hw_vf_set_rate(hw->data, pf, vf, min, max);
}

static int noting_vf_set_vlan_proto(HwBackend *hw, const char *pf, unsigned vf, VfVlanProto proto) {
        g_string_append(calls, "vlan_proto ");
        return hw_vf_set_vlan_proto(hw->data, pf, vf, proto);
}

static int noting_netdev_set_mtu(HwBackend *hw, const char *netdev, unsigned mtu) {
        g_string_append(calls, "mtu ");
        return hw_netdev_set_mtu(hw->data, netdev, mtu);
}

static int noting_netdev_set_mac(HwBackend *hw, const char *netdev, const char *mac) {
        g_string_append(calls, "netdev_mac ");
        return hw_netdev_set_mac(hw->data, netdev, mac);
}

static const HwBackendOps noting_ops = {
        .name = "sim-noting",
        .vf_get = trusting_vf_get,
        .vf_set_mac = noting_vf_set_mac,
        .vf_set_vlan = noting_vf_set_vlan,
        .vf_set_spoofchk = noting_vf_set_spoofchk,
        .vf_set_trust = noting_vf_set_trust,
        .vf_set_link_state = noting_vf_set_link_state,
        .netdev_set_mac = noting_netdev_set_mac,
        .vf_set_rate = noting_vf_set_rate,
        .vf_set_vlan_proto = noting_vf_set_vlan_proto,
        .netdev_set_mtu = noting_netdev_set_mtu,
};

static HwBackend *noting_backend(Host *h) {
        HwBackend *hw = hw_backend_new(&noting_ops, h->hw->sysfs_root);

        hw->data = h->hw;
        if (!calls)
                calls = g_string_new(NULL);
        g_string_truncate(calls, 0);
        return hw;
}

/* Apply sets in the table's order; restore goes by its restore order (VLAN before the admin MAC, the VF
 * netdev's MAC last) and sets only what differs from the record, but the MAC and VLAN always. */
static void test_walk_order(void) {
        g_autoptr(Host) h = host_new(X710);
        g_autoptr(HwBackend) hw = noting_backend(h);
        VfTarget t = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        VfSettings want = full_settings();
        VfConfig before, now;

        before = vf_get(h, "eth0", 1);
        g_assert_cmpint(vf_config_apply(hw, h->vf_dir, &t, &want, UUID, NULL, NULL), ==, 0);
        g_assert_cmpstr(calls->str, ==, "mac vlan vlan_proto spoofchk trust link_state rate mtu ");
        now = vf_get(h, "eth0", 1);
        g_assert_cmpstr(now.mac, ==, PORT_MAC);
        g_assert_cmpuint(now.vlan, ==, 42);
        g_assert_cmpint(now.spoofchk, ==, 0);
        g_assert_cmpint(now.trust, ==, 1);
        g_assert_cmpint(now.link_state, ==, VF_LINK_STATE_DISABLE);

        g_assert_cmpint(hw_netdev_set_mac(h->hw, "eth0v1", PORT_MAC), ==, 0);
        g_string_truncate(calls, 0);
        g_assert_cmpint(vf_config_restore(hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        g_assert_cmpstr(calls->str, ==, "vlan vlan_proto mac spoofchk trust link_state rate mtu netdev_mac ");
        now = vf_get(h, "eth0", 1);
        assert_same_config(&now, &before);

        /* a second round-trip with only the MAC changed: the flags read as recorded and are left alone */
        g_assert_cmpint(apply(h, &t, PORT_MAC, 0, NULL), ==, 0);
        g_string_truncate(calls, 0);
        g_assert_cmpint(vf_config_restore(hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        g_assert_cmpstr(calls->str, ==, "vlan vlan_proto mac ");
}

/* A failure mid-way undoes what was set, last first, to what the VF had: nothing stays, no record. */
static void test_walk_undo_midway(void) {
        g_autoptr(Host) h = host_new(X710);
        g_autoptr(HwBackend) hw = noting_backend(h);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        VfSettings want = full_settings();
        g_autofree char *msg = NULL;
        VfConfig before, now;

        set_original(h, "eth0", 2, "52:54:00:aa:bb:02");
        g_assert_cmpint(hw_vf_set_trust(h->hw, "eth0", 2, false), ==, 0);
        g_assert_cmpint(hw_vf_set_spoofchk(h->hw, "eth0", 2, true), ==, 0);
        before = vf_get(h, "eth0", 2);
        fail(h, X710_BDF, 2, "set_link_state EPERM 1");
        g_assert_cmpint(vf_config_apply(hw, h->vf_dir, &t, &want, UUID, &msg, NULL), ==, -EPERM);
        g_assert_nonnull(strstr(msg, "link state disable"));
        g_assert_cmpstr(calls->str, ==, "mac vlan vlan_proto spoofchk trust link_state trust spoofchk vlan_proto vlan "
                                        "mac ");
        now = vf_get(h, "eth0", 2);
        assert_same_config(&now, &before);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));
}

/* A driver that lacks a setting says EOPNOTSUPP: the restore leaves it and puts back the rest. */
static void test_walk_restore_skips_unsupported(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 3, .vf_netdev = "eth0v3" };
        VfSettings want = full_settings();
        VfConfig before, now;

        before = vf_get(h, "eth0", 3);
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &want, UUID, NULL, NULL), ==, 0);
        fail(h, X710_BDF, 3, "set_trust EOPNOTSUPP");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 3);
        g_assert_cmpint(now.trust, ==, 1);              /* left as it was */
        now.trust = before.trust;
        assert_same_config(&now, &before);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));

        /* the admin MAC has no such excuse */
        clear_fail(h, X710_BDF, 3);
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &want, UUID, NULL, NULL), ==, 0);
        fail(h, X710_BDF, 3, "set_vlan EOPNOTSUPP");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, -EOPNOTSUPP);
        g_assert_true(vf_config_has_record(h->vf_dir, &t));
}

/* ---- the settings added with the table: VLAN protocol, TX rates, the VF netdev's MTU ---- */

static unsigned netdev_mtu(Host *h, const char *name) {
        g_autoptr(HwNetdev) n = NULL;

        g_assert_cmpint(hw_lookup_netdev(h->hw, name, &n, NULL), ==, 0);
        return n->mtu;
}

/* Not the driver's defaults: 802.1ad on VLAN 7, rates, a jumbo MTU */
static void set_original_more(Host *h, const char *pf, unsigned vf, const char *vf_netdev) {
        set_original(h, pf, vf, "52:54:00:aa:bb:0f");
        g_assert_cmpint(hw_vf_set_vlan_proto(h->hw, pf, vf, VF_VLAN_PROTO_8021AD), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(h->hw, pf, vf, 100, 2000), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(h->hw, vf_netdev, 9000), ==, 0);
}

static void assert_more_as(Host *h, const char *pf, unsigned vf, const char *vf_netdev, const VfConfig *want,
                           unsigned mtu) {
        VfConfig now = vf_get(h, pf, vf);

        assert_same_config(&now, want);
        g_assert_cmpint(now.vlan_proto, ==, want->vlan_proto);
        g_assert_cmpuint(now.min_tx_rate, ==, want->min_tx_rate);
        g_assert_cmpuint(now.max_tx_rate, ==, want->max_tx_rate);
        g_assert_cmpuint(netdev_mtu(h, vf_netdev), ==, mtu);
}

/* Each new field is in the record before anything changes, and back after a restore: changed by the guest or
 * a driver while the port had the VF (the port asks only for its MAC and VLAN), and changed by an apply. */
static void test_more_fields_saved_and_restored(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        VfSettings want = full_settings();
        g_autoptr(VfRecord) rec = NULL;
        VfConfig before, now;

        set_original_more(h, "eth0", 1, "eth0v1");
        before = vf_get(h, "eth0", 1);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 42, NULL), ==, 0);
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 1, &rec), ==, 0);
        g_assert_cmpint(rec->orig.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_true(rec->orig.has_rate);
        g_assert_cmpuint(rec->orig.min_tx_rate, ==, 100);
        g_assert_cmpuint(rec->orig.max_tx_rate, ==, 2000);
        g_assert_cmpuint(rec->vf_netdev_mtu, ==, 9000);

        g_assert_cmpint(hw_vf_set_vlan_proto(h->hw, "eth0", 1, VF_VLAN_PROTO_8021Q), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(h->hw, "eth0", 1, 0, 0), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(h->hw, "eth0v1", 1500), ==, 0);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        assert_more_as(h, "eth0", 1, "eth0v1", &before, 9000);

        /* set by an apply (what the XML will give), put back the same way */
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &want, UUID, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 1);
        g_assert_cmpint(now.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpuint(now.min_tx_rate, ==, 10);
        g_assert_cmpuint(now.max_tx_rate, ==, 500);
        g_assert_cmpuint(netdev_mtu(h, "eth0v1"), ==, 1400);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        assert_more_as(h, "eth0", 1, "eth0v1", &before, 9000);
}

/* The faults of the new sets: a refusal mid-way undoes; a refusal at restore keeps the record and names the
 * setting; EOPNOTSUPP there is the driver lacking it; an out-of-range value changes nothing. */
static void test_more_fields_faults(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        VfSettings want = full_settings(), bad = full_settings();
        g_autofree char *msg = NULL, *msg2 = NULL, *msg3 = NULL;
        VfConfig before, now;

        set_original_more(h, "eth0", 2, "eth0v2");
        before = vf_get(h, "eth0", 2);

        fail(h, X710_BDF, 2, "set_rate EPERM 1");
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &want, UUID, &msg, NULL), ==, -EPERM);
        g_assert_nonnull(strstr(msg, "TX rate min 10 max 500"));
        assert_more_as(h, "eth0", 2, "eth0v2", &before, 9000);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));

        bad.min_tx_rate = 600;
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &bad, UUID, &msg2, NULL), ==, -EINVAL);
        g_assert_nonnull(strstr(msg2, "invalid TX rate"));
        bad = full_settings();
        bad.mtu = 40;
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &bad, UUID, NULL, NULL), ==, -EINVAL);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));

        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t, &want, UUID, NULL, NULL), ==, 0);
        fail(h, X710_BDF, 2, "set_rate EOPNOTSUPP");
        fail(h, X710_BDF, 2, "set_mtu EPERM 1");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg3, NULL), ==, -EPERM);
        g_assert_nonnull(strstr(msg3, "MTU 9000"));
        g_assert_nonnull(strstr(msg3, "eth0_vf2"));
        g_assert_true(vf_config_has_record(h->vf_dir, &t));
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 2);
        g_assert_cmpuint(now.max_tx_rate, ==, 500);     /* the driver lacks it: left */
        now.min_tx_rate = before.min_tx_rate;
        now.max_tx_rate = before.max_tx_rate;
        assert_same_config(&now, &before);
        g_assert_cmpint(now.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpuint(netdev_mtu(h, "eth0v2"), ==, 9000);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));
}

/* A driver that drops a set silently (IGNORE): the restore cannot tell, and reports success; reading the VF
 * back after a restore is the verification's job. A setting the VF does not report is not recorded, and a
 * record written before these fields were saved restores what it has, leaving the rest. */
static void test_more_fields_unreported_and_old_records(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 3, .vf_netdev = "eth0v3" };
        g_autofree char *rate = g_build_filename(h->sim->path, "vfstate", X710_BDF, "vf3/p1/max_tx_rate", NULL);
        g_autofree char *min = g_build_filename(h->sim->path, "vfstate", X710_BDF, "vf3/p1/min_tx_rate", NULL);
        g_autofree char *proto = g_build_filename(h->sim->path, "vfstate", X710_BDF, "vf3/p1/vlan_proto", NULL);
        g_autofree char *path = g_build_filename(h->vf_dir, "eth0_vf3", NULL), *text = NULL;
        g_autoptr(VfRecord) rec = NULL;
        VfConfig now;

        g_assert_cmpint(unlink(rate), ==, 0);
        g_assert_cmpint(unlink(min), ==, 0);
        g_assert_cmpint(unlink(proto), ==, 0);
        g_assert_cmpint(apply(h, &t, PORT_MAC, 5, NULL), ==, 0);
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 3, &rec), ==, 0);
        g_assert_false(rec->orig.has_rate);
        g_assert_cmpint(rec->orig.vlan_proto, ==, _VF_VLAN_PROTO_INVALID);
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_assert_null(strstr(text, "tx_rate"));
        g_assert_null(strstr(text, "vlan_proto"));
        g_assert_cmpint(hw_vf_set_rate(h->hw, "eth0", 3, 0, 700), ==, 0);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 3);
        g_assert_cmpuint(now.max_tx_rate, ==, 700);     /* not recorded: not restored */
        g_assert_cmpstr(now.mac, ==, ZERO_MAC);

        set_original_more(h, "eth0", 3, "eth0v3");
        g_assert_cmpint(apply(h, &t, PORT_MAC, 5, NULL), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(h->hw, "eth0v3", 1500), ==, 0);
        fail(h, X710_BDF, 3, "set_mtu IGNORE");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, NULL, NULL), ==, -EUCLEAN);
        g_assert_cmpuint(netdev_mtu(h, "eth0v3"), ==, 1500);
}

/* An <mtu> on a trusted igb VF: the VF reset for the MTU made its netdev's MAC the admin MAC, at apply (the port's
 * MAC was lost) and at restore (the original's). The MTU set is followed by the admin MAC once more. */
static void test_trusted_vf_mtu_keeps_admin_mac(void) {
        g_autoptr(Host) h = host_new(X710);
        g_autoptr(HwBackend) igb = hw_backend_new(&trusting_ops, h->hw->sysfs_root);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        g_autofree char *orig_netdev_mac = netdev_mac(h, "eth0v2"), *now_netdev_mac = NULL;
        g_autofree char *msg = NULL;
        VfSettings want = port_settings(PORT_MAC, 100);
        unsigned orig_mtu = netdev_mtu(h, "eth0v2");
        VfConfig before, now;

        igb->data = h->hw;
        set_original(h, "eth0", 2, "52:54:00:aa:bb:02");       /* trust on */
        before = vf_get(h, "eth0", 2);
        g_assert_cmpstr(before.mac, !=, orig_netdev_mac);
        want.mtu = 1400;
        want.set |= VF_SETTING_BIT(VF_SETTING_MTU);
        g_assert_cmpint(vf_config_apply(igb, h->vf_dir, &t, &want, UUID, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 2);
        g_assert_cmpstr(now.mac, ==, PORT_MAC);
        g_assert_cmpuint(netdev_mtu(h, "eth0v2"), ==, 1400);

        g_assert_cmpint(vf_config_restore(igb, h->vf_dir, &t, &msg, NULL), ==, 0);
        g_assert_null(msg);
        now = vf_get(h, "eth0", 2);
        assert_same_config(&now, &before);
        g_assert_cmpuint(netdev_mtu(h, "eth0v2"), ==, orig_mtu);
        now_netdev_mac = netdev_mac(h, "eth0v2");
        g_assert_cmpstr(now_netdev_mac, ==, orig_netdev_mac);
}

/* The restore reports success but the VF reads back otherwise (a driver dropped the set): quarantined — the
 * record stays, marked with the setting and both values, and a later restore that reads back right removes
 * it. */
static void test_restore_verified(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        g_autoptr(VfRecord) rec = NULL;
        g_autofree char *msg = NULL;
        VfConfig now;

        g_assert_cmpint(apply(h, &t, PORT_MAC, 7, NULL), ==, 0);
        fail(h, X710_BDF, 2, "set_mac IGNORE");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg, NULL), ==, -EUCLEAN);
        g_assert_nonnull(strstr(msg, "MAC is " PORT_MAC " after the restore, recorded " ZERO_MAC));
        g_assert_cmpint(vf_record_load(h->vf_dir, "eth0", 2, &rec), ==, 0);
        g_assert_nonnull(rec->quarantine);
        g_assert_nonnull(strstr(rec->quarantine, "MAC is " PORT_MAC));

        clear_fail(h, X710_BDF, 2);
        g_clear_pointer(&msg, g_free);
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t, &msg, NULL), ==, 0);
        now = vf_get(h, "eth0", 2);
        g_assert_cmpstr(now.mac, ==, ZERO_MAC);
        g_assert_cmpuint(now.vlan, ==, 0);
        g_assert_false(vf_config_has_record(h->vf_dir, &t));
}

/* Each step (an apply, its undo, a restore) is one hw batch: counted faults still go one per operation in it, and
 * a fault injected between two steps reaches the second */
static void test_faults_per_step(void) {
        g_autoptr(Host) h = host_new(X710);
        VfTarget t1 = { .pf_netdev = "eth0", .vf = 1, .vf_netdev = "eth0v1" };
        VfTarget t2 = { .pf_netdev = "eth0", .vf = 2, .vf_netdev = "eth0v2" };
        VfSettings want = full_settings();
        g_autofree char *msg = NULL, *fault = NULL;
        VfConfig before, now;

        set_original(h, "eth0", 1, "52:54:00:aa:bb:01");
        before = vf_get(h, "eth0", 1);
        fail(h, X710_BDF, 1, "set_vlan_proto IGNORE 1");
        fail(h, X710_BDF, 1, "set_link_state EPERM 1");
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t1, &want, UUID, &msg, NULL), ==, -EPERM);
        g_assert_nonnull(strstr(msg, "link state disable"));
        fault = test_read_line(h->sim->path, "vfstate/" X710_BDF "/vf1/fail");
        g_assert_cmpstr(fault, ==, "");         /* both lines used up, by two sets of one apply */
        now = vf_get(h, "eth0", 1);
        assert_same_config(&now, &before);      /* undone */
        g_assert_false(vf_config_has_record(h->vf_dir, &t1));
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t1, &want, UUID, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 1);
        g_assert_cmpint(now.vlan_proto, ==, VF_VLAN_PROTO_8021AD);

        /* VF 2 has no fail file while it is applied: one written before its restore is read by the restore */
        set_original(h, "eth0", 2, "52:54:00:aa:bb:02");
        g_assert_cmpint(hw_vf_set_trust(h->hw, "eth0", 2, false), ==, 0);
        before = vf_get(h, "eth0", 2);
        g_assert_cmpint(vf_config_apply(h->hw, h->vf_dir, &t2, &want, UUID, NULL, NULL), ==, 0);
        fail(h, X710_BDF, 2, "set_trust EBUSY 2");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t2, NULL, NULL), ==, -EBUSY);
        g_clear_pointer(&fault, g_free);
        fault = test_read_line(h->sim->path, "vfstate/" X710_BDF "/vf2/fail");
        g_assert_cmpstr(fault, ==, "set_trust EBUSY 1");
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t2, NULL, NULL), ==, -EBUSY);
        g_assert_true(vf_config_has_record(h->vf_dir, &t2));
        g_assert_cmpint(vf_config_restore(h->hw, h->vf_dir, &t2, NULL, NULL), ==, 0);
        now = vf_get(h, "eth0", 2);
        assert_same_config(&now, &before);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/engine/vf-config/apply-saves-then-sets", test_apply_saves_then_sets);
        g_test_add_func("/engine/vf-config/restore-puts-back", test_restore_puts_back);
        g_test_add_func("/engine/vf-config/restore-verified", test_restore_verified);
        g_test_add_func("/engine/vf-config/second-apply-keeps-record", test_second_apply_keeps_record);
        g_test_add_func("/engine/vf-config/cx3-port2", test_cx3_port2);
        g_test_add_func("/engine/vf-config/cx3-port2-named-directly", test_cx3_port2_named_directly);
        g_test_add_func("/engine/vf-config/placeholder-mac", test_placeholder_mac);
        g_test_add_func("/engine/vf-config/zero-mac-quirk", test_zero_mac_quirk);
        g_test_add_func("/engine/vf-config/ebusy-one-try", test_ebusy_one_try);
        g_test_add_func("/engine/vf-config/ebusy-restore-kept", test_ebusy_restore_kept);
        g_test_add_func("/engine/vf-config/pf-down", test_pf_down);
        g_test_add_func("/engine/vf-config/vlan-failure-rolls-back-mac", test_vlan_failure_rolls_back_mac);
        g_test_add_func("/engine/vf-config/rollback-keeps-earlier-record", test_rollback_keeps_earlier_record);
        g_test_add_func("/engine/vf-config/failed-rollback-keeps-record", test_failed_rollback_keeps_record);
        g_test_add_func("/engine/vf-config/restore-failure-keeps-record", test_restore_failure_keeps_record);
        g_test_add_func("/engine/vf-config/restore-no-record", test_restore_no_record);
        g_test_add_func("/engine/vf-config/damaged-record", test_damaged_record);
        g_test_add_func("/engine/vf-config/invalid-arguments", test_invalid_arguments);
        g_test_add_func("/engine/vf-config/vf-without-netdev", test_vf_without_netdev);
        g_test_add_func("/engine/vf-config/trusted-vf-netdev-mac-kept-apart", test_trusted_vf_netdev_mac_kept_apart);
        g_test_add_func("/engine/vf-config/trusted-vf-mtu-keeps-admin-mac", test_trusted_vf_mtu_keeps_admin_mac);
        g_test_add_func("/engine/vf-config/record-defaults", test_record_defaults);
        g_test_add_func("/engine/vf-config/walk-order", test_walk_order);
        g_test_add_func("/engine/vf-config/walk-undo-midway", test_walk_undo_midway);
        g_test_add_func("/engine/vf-config/faults-per-step", test_faults_per_step);
        g_test_add_func("/engine/vf-config/walk-restore-skips-unsupported", test_walk_restore_skips_unsupported);
        g_test_add_func("/engine/vf-config/more-fields-saved-and-restored", test_more_fields_saved_and_restored);
        g_test_add_func("/engine/vf-config/more-fields-faults", test_more_fields_faults);
        g_test_add_func("/engine/vf-config/more-fields-unreported-and-old-records",
                        test_more_fields_unreported_and_old_records);
        return g_test_run();
}
