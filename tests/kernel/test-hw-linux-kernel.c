/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel test of the linux backend: VF configuration over real rtnetlink to a netdevsim PF, checked against ip(8);
 * the plug (hw-plug.h) over netdevsim's netdevs, and on an igb PF and its VFs (kernel-plug-test.c) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hw/hw-link-watch.h"
#include "hw/hw-linux.h"
#include "hw/hw.h"
#include "kernel-plug-test.h"

/* Run inside the testbed VMs:
 *   test-hw-linux-kernel [--tap] PF [NOVF]   (run-testbed.sh) PF is a netdevsim netdev with NUM_VFS VFs, NOVF
 *                                            (optional) a netdevsim netdev without VFs
 *   test-hw-linux-kernel [--tap] igb PF      (igb-guest-test.sh) PF is an igb PF with at least 4 VFs on igbvf */
#define NUM_VFS 4

typedef struct Testbed {
        const char *pf;
        const char *novf;
        bool igb;
} Testbed;

/* One "vf N" line of `ip link show`, as iproute2 prints it */
typedef struct IpVf {
        char mac[18];
        unsigned vlan, qos;
        char vlan_proto[16];            /* "" unless ip printed one (it does for anything but 802.1Q) */
        int spoofchk, trust;            /* -1 when ip printed none */
        char link_state[16];
} IpVf;

static char *ip_link_show(const char *netdev) {
        const char *argv[] = { "ip", "link", "show", "dev", netdev, NULL };
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        int status = 0;

        if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error))
                g_error("running ip: %s", error->message);
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("ip link show dev %s failed: %s", netdev, err);
        return g_steal_pointer(&out);
}

static void ip_run(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5) {
        const char *argv[] = { "ip", a1, a2, a3, a4, a5, NULL };
        g_autofree char *err = NULL;
        g_autoptr(GError) error = NULL;
        int status = 0;

        if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                          NULL, &err, &status, &error))
                g_error("running ip: %s", error->message);
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("ip %s %s %s %s %s failed: %s", a1, a2, a3, a4, a5, err);
}

/* One comma-separated field after the MAC: "vlan 42", "spoof checking off", "link-state auto", … */
static void parse_vf_field(const char *field, IpVf *v) {
        const char *s = field;

        while (*s == ' ')
                s++;
        if (g_str_has_prefix(s, "vlan protocol "))
                g_strlcpy(v->vlan_proto, s + strlen("vlan protocol "), sizeof(v->vlan_proto));
        else if (g_str_has_prefix(s, "vlan "))
                v->vlan = (unsigned) strtoul(s + strlen("vlan "), NULL, 10);
        else if (g_str_has_prefix(s, "qos "))
                v->qos = (unsigned) strtoul(s + strlen("qos "), NULL, 10);
        else if (g_str_has_prefix(s, "spoof checking "))
                v->spoofchk = g_str_has_prefix(s + strlen("spoof checking "), "on");
        else if (g_str_has_prefix(s, "trust "))
                v->trust = g_str_has_prefix(s + strlen("trust "), "on");
        else if (g_str_has_prefix(s, "link-state "))
                g_strlcpy(v->link_state, s + strlen("link-state "), sizeof(v->link_state));
}

/* "vf 2     link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff, vlan 42, spoof checking off, …" */
static bool parse_vf_line(const char *line, unsigned vf, IpVf *ret) {
        g_auto(GStrv) fields = NULL;
        g_auto(GStrv) words = NULL;
        IpVf v = { .spoofchk = -1, .trust = -1 };
        unsigned index;
        const char *mac;

        if (sscanf(line, " vf %u ", &index) != 1 || index != vf)
                return false;
        fields = g_strsplit(line, ",", -1);
        mac = strstr(fields[0], "link/ether ");
        g_assert_nonnull(mac);
        words = g_strsplit(mac + strlen("link/ether "), " ", 2);
        g_strlcpy(v.mac, words[0], sizeof(v.mac));
        for (size_t i = 1; fields[i]; i++)
                parse_vf_field(fields[i], &v);
        *ret = v;
        return true;
}

/* What `ip link show` says about VF vf of pf; fails the test when ip shows no such VF. */
static void ip_vf(const char *pf, unsigned vf, IpVf *ret) {
        g_autofree char *out = ip_link_show(pf);
        g_auto(GStrv) lines = g_strsplit(out, "\n", -1);

        for (size_t i = 0; lines[i]; i++)
                if (parse_vf_line(lines[i], vf, ret))
                        return;
        g_error("ip link show dev %s has no line for vf %u (busybox's ip prints none):\n%s", pf, vf, out);
}

/* The netdev's own MAC from `ip link show` */
static char *ip_netdev_mac(const char *netdev) {
        g_autofree char *out = ip_link_show(netdev);
        const char *p = strstr(out, "link/ether ");

        g_assert_nonnull(p);
        return g_strndup(p + strlen("link/ether "), 17);
}

static const char *link_state_name(VfLinkState s) {
        return vf_link_state_to_string(s);
}

/* hw_vf_get() and ip(8) agree on every field of VF vf */
static void assert_vf_agrees(HwBackend *hw, const char *pf, unsigned vf, VfConfig *ret) {
        VfConfig c = {};
        IpVf ip = {};

        g_assert_cmpint(hw_vf_get(hw, pf, vf, &c), ==, 0);
        ip_vf(pf, vf, &ip);
        g_test_message("vf %u: hw %s vlan %u qos %u spoofchk %d trust %d %s; ip %s vlan %u qos %u spoofchk %d "
                       "trust %d %s%s%s", vf, c.mac, c.vlan, c.qos, c.spoofchk, c.trust,
                       link_state_name(c.link_state), ip.mac, ip.vlan, ip.qos, ip.spoofchk, ip.trust,
                       ip.link_state, ip.vlan_proto[0] ? " proto " : "", ip.vlan_proto);
        g_assert_cmpstr(c.mac, ==, ip.mac);
        g_assert_cmpuint(c.vlan, ==, ip.vlan);
        g_assert_cmpuint(c.qos, ==, ip.qos);
        g_assert_cmpint(c.spoofchk, ==, ip.spoofchk);
        g_assert_cmpint(c.trust, ==, ip.trust);
        g_assert_cmpstr(link_state_name(c.link_state), ==, ip.link_state);
        if (ret)
                *ret = c;
}

static HwBackend *backend_new(void) {
        HwBackend *hw = NULL;

        g_assert_cmpint(hw_backend_new_linux(NULL, &hw), ==, 0);
        g_assert_cmpstr(hw_backend_name(hw), ==, "linux");
        return hw;
}

static bool skip_without_pf(const Testbed *tb) {
        if (tb->pf)
                return false;
        g_test_skip("no PF netdev given (this test runs inside run-testbed.sh's VM)");
        return true;
}

/* A fresh netdevsim VF: zero MAC, no VLAN, spoof checking and trust off, link-state auto */
static void test_get_fresh(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        for (unsigned vf = 0; vf < NUM_VFS; vf++) {
                VfConfig c;

                assert_vf_agrees(hw, tb->pf, vf, &c);
                if (vf == 3) {  /* left alone by every other test, so still as created */
                        g_assert_cmpstr(c.mac, ==, "00:00:00:00:00:00");
                        g_assert_cmpuint(c.vlan, ==, 0);
                        g_assert_cmpint(c.spoofchk, ==, 0);
                        g_assert_cmpint(c.trust, ==, 0);
                        g_assert_cmpint(c.link_state, ==, VF_LINK_STATE_AUTO);
                }
        }
}

static void test_set_mac(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        VfConfig c, other;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        assert_vf_agrees(hw, tb->pf, 0, &other);
        /* upper case in, lower case out: hw normalizes, the kernel stores bytes */
        g_assert_cmpint(hw_vf_set_mac(hw, tb->pf, 1, "52:54:00:AA:BB:01"), ==, 0);
        assert_vf_agrees(hw, tb->pf, 1, &c);
        g_assert_cmpstr(c.mac, ==, "52:54:00:aa:bb:01");
        g_assert_cmpint(hw_vf_set_mac(hw, tb->pf, 1, "02:00:00:00:00:02"), ==, 0);
        assert_vf_agrees(hw, tb->pf, 1, &c);
        g_assert_cmpstr(c.mac, ==, "02:00:00:00:00:02");

        /* only the VF addressed changes */
        assert_vf_agrees(hw, tb->pf, 0, &c);
        g_assert_cmpstr(c.mac, ==, other.mac);

        /* netdevsim refuses a multicast MAC with -EINVAL; it must come back as that errno */
        g_assert_cmpint(hw_vf_set_mac(hw, tb->pf, 1, "01:00:5e:00:00:01"), ==, -EINVAL);
        assert_vf_agrees(hw, tb->pf, 1, &c);
        g_assert_cmpstr(c.mac, ==, "02:00:00:00:00:02");

        /* the zero MAC clears it, as libvirt does on release */
        g_assert_cmpint(hw_vf_set_mac(hw, tb->pf, 1, "00:00:00:00:00:00"), ==, 0);
        assert_vf_agrees(hw, tb->pf, 1, &c);
        g_assert_cmpstr(c.mac, ==, "00:00:00:00:00:00");
}

static void test_set_vlan(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        VfConfig c;
        IpVf ip;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 42, 0), ==, 0);
        assert_vf_agrees(hw, tb->pf, 2, &c);
        g_assert_cmpuint(c.vlan, ==, 42);
        g_assert_cmpuint(c.qos, ==, 0);
        ip_vf(tb->pf, 2, &ip);
        g_assert_cmpstr(ip.vlan_proto, ==, "");         /* plain 802.1Q, as ip prints nothing for it */

        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 4095, 7), ==, 0);
        assert_vf_agrees(hw, tb->pf, 2, &c);
        g_assert_cmpuint(c.vlan, ==, 4095);
        g_assert_cmpuint(c.qos, ==, 7);

        /* out of range: refused before the kernel, nothing changes */
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 4096, 0), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 10, 8), ==, -EINVAL);
        assert_vf_agrees(hw, tb->pf, 2, &c);
        g_assert_cmpuint(c.vlan, ==, 4095);

        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 0, 0), ==, 0);
        assert_vf_agrees(hw, tb->pf, 2, &c);
        g_assert_cmpuint(c.vlan, ==, 0);
        g_assert_cmpuint(c.qos, ==, 0);
}

static void test_set_spoofchk_trust(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        VfConfig c;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        g_assert_cmpint(hw_vf_set_spoofchk(hw, tb->pf, 0, true), ==, 0);
        assert_vf_agrees(hw, tb->pf, 0, &c);
        g_assert_cmpint(c.spoofchk, ==, 1);
        g_assert_cmpint(c.trust, ==, 0);

        g_assert_cmpint(hw_vf_set_trust(hw, tb->pf, 0, true), ==, 0);
        assert_vf_agrees(hw, tb->pf, 0, &c);
        g_assert_cmpint(c.spoofchk, ==, 1);
        g_assert_cmpint(c.trust, ==, 1);

        g_assert_cmpint(hw_vf_set_spoofchk(hw, tb->pf, 0, false), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(hw, tb->pf, 0, false), ==, 0);
        assert_vf_agrees(hw, tb->pf, 0, &c);
        g_assert_cmpint(c.spoofchk, ==, 0);
        g_assert_cmpint(c.trust, ==, 0);
}

static void test_set_link_state(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        const VfLinkState states[] = { VF_LINK_STATE_ENABLE, VF_LINK_STATE_DISABLE, VF_LINK_STATE_AUTO };

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
                VfConfig c;

                g_assert_cmpint(hw_vf_set_link_state(hw, tb->pf, 1, states[i]), ==, 0);
                assert_vf_agrees(hw, tb->pf, 1, &c);
                g_assert_cmpint(c.link_state, ==, states[i]);
        }
}

/* TX rates (IFLA_VF_RATE), the VLAN protocol (IFLA_VF_VLAN_LIST) and a netdev's MTU, read back through a
 * fresh backend; each put back afterwards */
static void test_rate_proto_mtu(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL, again = NULL;
        g_autoptr(HwNetdev) n = NULL, n2 = NULL;
        VfConfig c = {};

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        g_assert_cmpint(hw_vf_get(hw, tb->pf, 3, &c), ==, 0);
        g_assert_true(c.has_rate);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021Q);

        g_assert_cmpint(hw_vf_set_rate(hw, tb->pf, 3, 10, 100), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 3, 7, 1), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, tb->pf, 3, VF_VLAN_PROTO_8021AD), ==, 0);
        again = backend_new();
        g_assert_cmpint(hw_vf_get(again, tb->pf, 3, &c), ==, 0);
        g_assert_cmpuint(c.min_tx_rate, ==, 10);
        g_assert_cmpuint(c.max_tx_rate, ==, 100);
        g_assert_cmpuint(c.vlan, ==, 7);
        g_assert_cmpuint(c.qos, ==, 1);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021AD);

        /* a VLAN set alone is 802.1Q again, as `ip link set … vf N vlan V` */
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 3, 0, 0), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(hw, tb->pf, 3, 0, 0), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, tb->pf, 3, &c), ==, 0);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021Q);
        g_assert_cmpuint(c.min_tx_rate, ==, 0);
        g_assert_cmpuint(c.max_tx_rate, ==, 0);

        g_assert_cmpint(hw_lookup_netdev(hw, tb->pf, &n, NULL), ==, 0);
        g_assert_cmpuint(n->mtu, >, 0);
        g_assert_cmpint(hw_netdev_set_mtu(hw, tb->pf, 1400), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, tb->pf, &n2, NULL), ==, 0);
        g_assert_cmpuint(n2->mtu, ==, 1400);
        g_assert_cmpint(hw_netdev_set_mtu(hw, tb->pf, n->mtu), ==, 0);
}

/* Every setting of one VF at once, then read back through a second backend (a fresh socket) */
static void test_combined(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL, again = NULL;
        VfConfig c;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        g_assert_cmpint(hw_vf_set_mac(hw, tb->pf, 2, "52:54:00:12:34:56"), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 100, 5), ==, 0);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, tb->pf, 2, true), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(hw, tb->pf, 2, true), ==, 0);
        g_assert_cmpint(hw_vf_set_link_state(hw, tb->pf, 2, VF_LINK_STATE_DISABLE), ==, 0);

        again = backend_new();
        assert_vf_agrees(again, tb->pf, 2, &c);
        g_assert_cmpstr(c.mac, ==, "52:54:00:12:34:56");
        g_assert_cmpuint(c.vlan, ==, 100);
        g_assert_cmpuint(c.qos, ==, 5);
        g_assert_cmpint(c.spoofchk, ==, 1);
        g_assert_cmpint(c.trust, ==, 1);
        g_assert_cmpint(c.link_state, ==, VF_LINK_STATE_DISABLE);
}

static void test_netdev_set_mac(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        g_autofree char *before = NULL, *set = NULL, *restored = NULL;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        before = ip_netdev_mac(tb->pf);
        /* netdevsim allows a live address change, so this works with the PF up */
        g_assert_cmpint(hw_netdev_set_mac(hw, tb->pf, "52:54:00:0A:0B:0C"), ==, 0);
        set = ip_netdev_mac(tb->pf);
        g_assert_cmpstr(set, ==, "52:54:00:0a:0b:0c");
        /* eth_mac_addr() refuses a multicast address */
        g_assert_cmpint(hw_netdev_set_mac(hw, tb->pf, "01:00:5e:00:00:01"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(hw_netdev_set_mac(hw, tb->pf, before), ==, 0);
        restored = ip_netdev_mac(tb->pf);
        g_assert_cmpstr(restored, ==, before);
        g_assert_cmpint(hw_netdev_set_mac(hw, "nosuch0", "52:54:00:0a:0b:0c"), ==, -ENODEV);
}

/* A VF index the PF does not have: an error from every call, no crash, no change to the real VFs */
static void test_vf_out_of_range(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        const unsigned bad[] = { NUM_VFS, NUM_VFS + 1, 1000, G_MAXINT32 };

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                VfConfig c = {};

                g_assert_cmpint(hw_vf_get(hw, tb->pf, bad[i], &c), ==, -ENODEV);
                g_assert_cmpint(hw_vf_set_mac(hw, tb->pf, bad[i], "52:54:00:00:00:09"), ==, -ENODEV);
                g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, bad[i], 9, 0), ==, -ENODEV);
                g_assert_cmpint(hw_vf_set_spoofchk(hw, tb->pf, bad[i], true), ==, -ENODEV);
                g_assert_cmpint(hw_vf_set_trust(hw, tb->pf, bad[i], true), ==, -ENODEV);
                g_assert_cmpint(hw_vf_set_link_state(hw, tb->pf, bad[i], VF_LINK_STATE_ENABLE), ==, -ENODEV);
        }
        for (unsigned vf = 0; vf < NUM_VFS; vf++)
                assert_vf_agrees(hw, tb->pf, vf, NULL);
        g_assert_cmpint(hw_vf_get(hw, "nosuch0", 0, &(VfConfig) {}), ==, -ENODEV);
}

/* A netdev with a parent device but no VFs (IFLA_NUM_VF = 0) is no SR-IOV PF */
static void test_no_vfs(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;

        if (!tb->novf) {
                g_test_skip("no netdev without VFs given");
                return;
        }
        hw = backend_new();
        g_assert_cmpint(hw_vf_get(hw, tb->novf, 0, &(VfConfig) {}), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_mac(hw, tb->novf, 0, "52:54:00:00:00:09"), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->novf, 0, 9, 0), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, tb->novf, 0, true), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_trust(hw, tb->novf, 0, true), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_link_state(hw, tb->novf, 0, VF_LINK_STATE_ENABLE), ==, -ENOTSUP);
}

/* hw.h promises -ENETDOWN for VF sets on a down PF. netdevsim's ndo_set_vf_* never look at the link (nor do
 * igb's), so the backend checks the PF itself: every set is refused and the VF keeps what it had. */
static void test_pf_down(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        VfConfig before, after;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        assert_vf_agrees(hw, tb->pf, 3, &before);
        ip_run("link", "set", "dev", tb->pf, "down");
        g_assert_cmpint(hw_vf_set_mac(hw, tb->pf, 3, "52:54:00:00:00:33"), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 3, 7, 0), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, tb->pf, 3, !before.spoofchk), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_trust(hw, tb->pf, 3, !before.trust), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_link_state(hw, tb->pf, 3, VF_LINK_STATE_DISABLE), ==, -ENETDOWN);
        /* reads still work on a down PF */
        assert_vf_agrees(hw, tb->pf, 3, &after);
        ip_run("link", "set", "dev", tb->pf, "up");
        g_assert_cmpstr(after.mac, ==, before.mac);
        g_assert_cmpuint(after.vlan, ==, before.vlan);
        g_assert_cmpint(after.spoofchk, ==, before.spoofchk);
        g_assert_cmpint(after.trust, ==, before.trust);
        g_assert_cmpint(after.link_state, ==, before.link_state);
}

/* ---- link changes (hw-link-watch.h) ---- */

/* Reads the watch until `name` is among the changed links, for at most 2 s; whether it came */
static bool link_watch_saw(HwLinkWatch *w, const char *name) {
        gint64 deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

        for (;;) {
                g_autoptr(GHashTable) changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
                struct pollfd p = { .fd = hw_link_watch_fd(w), .events = POLLIN };
                gint64 left = deadline - g_get_monotonic_time();
                bool overflow = false;

                if (left <= 0)
                        return false;
                g_assert_cmpint(poll(&p, 1, (int) (left / 1000) + 1), >=, 0);
                g_assert_cmpint(hw_link_watch_read(w, changed, &overflow), ==, 0);
                g_assert_false(overflow);
                if (g_hash_table_contains(changed, name))
                        return true;
        }
}

/* Drains what came before */
static void link_watch_drain(HwLinkWatch *w) {
        g_autoptr(GHashTable) changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        bool overflow;

        g_assert_cmpint(hw_link_watch_read(w, changed, &overflow), ==, 0);
}

/* A VF's MAC set by someone else (`ip link set PF vf N mac`) and by the backend: RTM_NEWLINK of the PF */
static void test_link_watch(gconstpointer data) {
        const Testbed *tb = data;
        const char *ip_vf_mac[] = { "ip", "link", "set", "dev", tb->pf, "vf", "2", "mac", "52:54:00:77:00:02", NULL };
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(HwLinkWatch) w = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *err = NULL;
        int status = 0;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        g_assert_cmpint(hw_link_watch_new(hw, &w), ==, 0);
        g_assert_true(fcntl(hw_link_watch_fd(w), F_GETFL) & O_NONBLOCK);
        g_assert_true(fcntl(hw_link_watch_fd(w), F_GETFD) & FD_CLOEXEC);
        /* nothing per VF on linux */
        g_assert_cmpint(hw_link_watch_add_vf(w, tb->pf, 2), ==, 0);
        link_watch_drain(w);

        if (!g_spawn_sync(NULL, (char **) ip_vf_mac, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                          NULL, NULL, &err, &status, &error))
                g_error("running ip: %s", error->message);
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("ip link set dev %s vf 2 mac failed: %s", tb->pf, err);
        g_assert_true(link_watch_saw(w, tb->pf));

        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 12, 0), ==, 0);
        g_assert_true(link_watch_saw(w, tb->pf));
        g_assert_cmpint(hw_vf_set_vlan(hw, tb->pf, 2, 0, 0), ==, 0);
        hw_link_watch_remove_vf(w, tb->pf, 2);

        /* another link's change names that link */
        if (tb->novf) {
                g_autoptr(HwNetdev) n = NULL;

                g_assert_cmpint(hw_lookup_netdev(hw, tb->novf, &n, NULL), ==, 0);
                link_watch_drain(w);
                g_assert_cmpint(hw_netdev_set_mtu(hw, tb->novf, n->mtu == 1400 ? 1300 : 1400), ==, 0);
                g_assert_true(link_watch_saw(w, tb->novf));
                g_assert_cmpint(hw_netdev_set_mtu(hw, tb->novf, n->mtu), ==, 0);
        }
}

/* ---- the plug over netdevsim's netdevs ---- */

static void test_macvtap_modes(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        plug_check_macvtap(hw, tb->pf, "npmvt0", "private", "52:54:00:AA:00:01");
        plug_check_macvtap(hw, tb->pf, "npmvt1", "vepa", "52:54:00:aa:00:02");
        plug_check_macvtap(hw, tb->pf, "npmvt2", "bridge", "52:54:00:aa:00:03");
        if (tb->novf)
                plug_check_macvtap(hw, tb->novf, "npmvt3", "passthru", "52:54:00:aa:00:04");
}

static void test_plug_refusals(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        plug_check_refusals(hw, tb->novf ? tb->novf : tb->pf, tb->pf);
}

static void test_vlan_bridge(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        plug_check_vlan_bridge(hw, tb->pf, 42);
}

static void test_rename(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;

        if (!tb->novf) {
                g_test_skip("no netdev without VFs given");
                return;
        }
        hw = backend_new();
        plug_check_rename(hw, tb->novf, tb->pf);
}

/* An ip(8) command line with more words than ip_run() takes, which must succeed. Split here and run without a
 * shell: busybox's sh would run its own ip applet, which knows neither nodad nor netns. */
static void ip_sh(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void ip_sh(const char *fmt, ...) {
        g_autofree char *cmd = NULL, *err = NULL;
        g_auto(GStrv) argv = NULL;
        va_list ap;
        int status = 0;

        va_start(ap, fmt);
        cmd = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                   NULL, &err, &status, NULL));
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("%s failed: %s", cmd, err);
}

/* ---- device attributes (hw.h): eswitch mode through devlink, what sysfs says of real PCI functions, the holder ---- */

/* "legacy" or "switchdev" from `devlink dev eswitch show BUS/DEV`; NULL without iproute2's devlink */
static char *devlink_tool_mode(const char *handle) {
        const char *argv[] = { "devlink", "dev", "eswitch", "show", handle, NULL };
        g_autofree char *out = NULL, *err = NULL;
        const char *p;
        int status = 0;

        if (!g_find_program_in_path("devlink"))
                return NULL;
        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                                   NULL));
        g_assert_true(g_spawn_check_wait_status(status, NULL));
        p = strstr(out, "mode ");
        g_assert_nonnull(p);
        return g_strndup(p + strlen("mode "), strcspn(p + strlen("mode "), " \n"));
}

static void devlink_tool_set(const char *handle, const char *mode) {
        const char *argv[] = { "devlink", "dev", "eswitch", "set", handle, "mode", mode, NULL };
        int status = 0;

        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                                   NULL));
        g_assert_true(g_spawn_check_wait_status(status, NULL));
}

static char *eswitch_mode_of(HwBackend *hw, const char *dev) {
        char *mode = (char *) "unset";

        g_assert_cmpint(hw_linux_devlink_eswitch_mode(hw, "netdevsim", dev, &mode), ==, 0);
        return mode;
}

/* netdevsim's devlink instance answers DEVLINK_CMD_ESWITCH_GET as devlink(8) shows it; an instance that does
 * not exist and a PCI function without one are unknown */
static void test_eswitch_mode(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        g_autofree char *pf_mode = NULL, *tool = NULL, *none = NULL, *pci = NULL;
        PciAddr host_bridge;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        pf_mode = eswitch_mode_of(hw, "netdevsim10");
        g_assert_cmpstr(pf_mode, ==, "legacy");
        tool = devlink_tool_mode("netdevsim/netdevsim10");
        if (tool)
                g_assert_cmpstr(pf_mode, ==, tool);
        none = eswitch_mode_of(hw, "netdevsim99");
        g_assert_null(none);
        g_assert_cmpint(pci_addr_from_string("0000:00:00.0", &host_bridge), ==, 0);
        g_assert_cmpint(hw_function_eswitch_mode(hw, &host_bridge, &pci), ==, 0);
        g_assert_null(pci);

        if (!tool) {
                g_test_message("no devlink(8) here: the mode is not switched");
                return;
        }
        /* the device without VFs: switchdev makes no representors there */
        devlink_tool_set("netdevsim/netdevsim11", "switchdev");
        g_free(pf_mode);
        pf_mode = eswitch_mode_of(hw, "netdevsim11");
        g_assert_cmpstr(pf_mode, ==, "switchdev");
        devlink_tool_set("netdevsim/netdevsim11", "legacy");
        g_free(pf_mode);
        pf_mode = eswitch_mode_of(hw, "netdevsim11");
        g_assert_cmpstr(pf_mode, ==, "legacy");
}

/* qemu's PCI functions: no NUMA (the kernel says -1), under pci0000:00, no IOMMU (no iommu_group link);
 * netdevsim's netdevs are ethernet (type 1) */
static void test_pci_attrs(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(GDir) dir = NULL;
        g_autoptr(HwNetdev) n = NULL;
        g_autofree char *type_path = NULL, *type = NULL;
        const char *name;
        unsigned seen = 0;

        if (skip_without_pf(tb))
                return;
        hw = backend_new();
        dir = g_dir_open("/sys/bus/pci/devices", 0, NULL);
        g_assert_nonnull(dir);
        while ((name = g_dir_read_name(dir))) {
                g_autofree char *numa_path = g_build_filename("/sys/bus/pci/devices", name, "numa_node", NULL);
                g_autofree char *group_path = g_build_filename("/sys/bus/pci/devices", name, "iommu_group", NULL);
                g_autofree char *numa = NULL;
                g_autoptr(HwFunction) f = NULL;
                PciAddr addr;

                g_assert_cmpint(pci_addr_from_string(name, &addr), ==, 0);
                g_assert_cmpint(hw_lookup_function(hw, &addr, &f), ==, 0);
                g_assert_true(g_file_get_contents(numa_path, &numa, NULL, NULL));
                g_test_message("%s: numa_node %s", name, g_strstrip(numa));
                g_assert_cmpstr(numa, ==, "-1");
                g_assert_cmpint(f->numa_node, ==, -1);
                g_assert_cmpstr(f->pcie_root, ==, "pci0000:00");
                g_assert_false(g_file_test(group_path, G_FILE_TEST_EXISTS));
                g_assert_cmpint(f->iommu_group, ==, -1);
                seen++;
        }
        g_assert_cmpuint(seen, >, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, tb->pf, &n, NULL), ==, 0);
        type_path = g_strdup_printf("/sys/class/net/%s/type", tb->pf);
        g_assert_true(g_file_get_contents(type_path, &type, NULL, NULL));
        g_assert_cmpstr(g_strstrip(type), ==, "1");
        g_assert_cmpint(n->link_type, ==, HW_LINK_TYPE_ETHERNET);
}

#define HOLDER_ROOT "/tmp/np-holder"
#define HOLDER_BDF "0000:00:1f.7"
#define NSIM_NOVF_DEV "/sys/bus/netdevsim/devices/netdevsim11"

/* netdevsim's netdevs hang off no PCI function; this one is given a PCI function in a sysfs tree of its own
 * whose net/ is netdevsim11's real one: what the kernel shows there (a netdev moved to another namespace
 * is not) and the netdev's real addresses are what the holder is judged by */
static HwBackend *holder_backend(void) {
        const char *const script =
                "set -e; rm -rf " HOLDER_ROOT "; d=" HOLDER_ROOT "/sys/devices/pci0000:00/" HOLDER_BDF "; "
                "mkdir -p $d " HOLDER_ROOT "/sys/bus/pci/devices; echo 0x8086 >$d/vendor; echo 0x10ed >$d/device; "
                "echo 0x020000 >$d/class; ln -s " NSIM_NOVF_DEV "/net $d/net; "
                "ln -s /sys/bus/netdevsim/drivers/netdevsim $d/driver; "
                "ln -s ../../../devices/pci0000:00/" HOLDER_BDF " " HOLDER_ROOT "/sys/bus/pci/devices/" HOLDER_BDF;
        const char *argv[] = { "sh", "-c", script, NULL };
        HwBackend *hw = NULL;
        int status = 0;

        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                                   NULL));
        g_assert_true(g_spawn_check_wait_status(status, NULL));
        g_assert_cmpint(hw_backend_new_linux(HOLDER_ROOT, &hw), ==, 0);
        return hw;
}

static char *holder_now(HwBackend *hw, guint expect_netdevs) {
        g_autoptr(HwFunction) f = NULL;
        PciAddr addr;
        char *holder = (char *) "unset";

        g_assert_cmpint(pci_addr_from_string(HOLDER_BDF, &addr), ==, 0);
        g_assert_cmpint(hw_lookup_function(hw, &addr, &f), ==, 0);
        g_assert_cmpuint(f->netdevs->len, ==, expect_netdevs);
        g_assert_cmpint(hw_function_holder(hw, f, /* had_netdev= */ true, &holder), ==, 0);
        g_test_message("holder: %s", holder ? holder : "(none)");
        return holder;
}

static void assert_holder(HwBackend *hw, guint expect_netdevs, const char *expect) {
        g_autofree char *holder = holder_now(hw, expect_netdevs);

        g_assert_cmpstr(holder, ==, expect);
}

static void test_holder(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(GDir) net = NULL;
        g_autofree char *netdev = NULL, *held = NULL;

        if (!tb->novf) {
                g_test_skip("no netdev without VFs given");
                return;
        }
        net = g_dir_open(NSIM_NOVF_DEV "/net", 0, NULL);
        g_assert_nonnull(net);
        netdev = g_strdup(g_dir_read_name(net));
        g_assert_nonnull(netdev);
        held = g_strdup_printf("netdev %s is up with addresses", netdev);
        hw = holder_backend();

        ip_run("link", "set", "dev", netdev, "up");
        assert_holder(hw, 1, NULL);                     /* fe80:: of its own: link-local does not count */
        ip_run("addr", "add", "192.0.2.11/24", "dev", netdev);
        assert_holder(hw, 1, held);
        ip_run("addr", "del", "192.0.2.11/24", "dev", netdev);
        ip_sh("ip addr add 10.11.0.1/24 scope link dev %s", netdev);
        assert_holder(hw, 1, NULL);                     /* a link-scope address does not count */
        ip_sh("ip -6 addr add 2001:db8::11/64 dev %s nodad", netdev);
        assert_holder(hw, 1, held);
        ip_run("link", "set", "dev", netdev, "down");
        assert_holder(hw, 1, NULL);                     /* down: nobody's, addresses or not */

        /* moved to another network namespace: gone from net/ while the driver stays */
        g_assert_cmpint(g_mkdir_with_parents("/run/netns", 0755), ==, 0);
        ip_sh("ip netns add npholder");
        ip_sh("ip link set dev %s netns npholder", netdev);
        assert_holder(hw, 0, "netdev in another network namespace");
        ip_sh("ip -n npholder link set dev %s netns 1", netdev);
        ip_sh("ip netns del npholder");
        ip_sh("ip addr flush dev %s", netdev);
        ip_run("link", "set", "dev", netdev, "up");
        assert_holder(hw, 1, NULL);
}

/* ---- the plug on igb: VF 3 goes to vfio-pci and back, VF 2 is renamed, VF 1 and 2 carry macvtaps ---- */

static void test_igb_vfio(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = backend_new();
        PciAddr vf;

        plug_vf_addr(tb->pf, 3, &vf);
        plug_check_vfio_round_trip(hw, &vf);
}

static void test_igb_host_driver_default(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = backend_new();
        PciAddr vf;

        plug_vf_addr(tb->pf, 3, &vf);
        plug_check_host_driver_default(hw, &vf);
}

static void test_igb_rename(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = backend_new();
        g_autofree char *netdev = plug_vf_netdev(tb->pf, 2);

        plug_check_rename(hw, netdev, tb->pf);
}

static void test_igb_macvtap(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = backend_new();
        g_autofree char *vf2 = plug_vf_netdev(tb->pf, 2), *vf1 = plug_vf_netdev(tb->pf, 1);

        plug_check_macvtap(hw, vf2, "npmvt0", "passthru", "52:54:00:aa:01:02");
        plug_check_macvtap(hw, vf1, "npmvt1", "vepa", "52:54:00:aa:01:01");
}

static void test_igb_refusals(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = backend_new();
        g_autofree char *vf0 = plug_vf_netdev(tb->pf, 0);

        plug_check_refusals(hw, vf0, tb->pf);
}

static void test_igb_vlan_bridge(gconstpointer data) {
        const Testbed *tb = data;
        g_autoptr(HwBackend) hw = backend_new();

        plug_check_vlan_bridge(hw, tb->pf, 42);
}

static void add_igb_tests(const Testbed *tb) {
        g_test_add_data_func("/kernel/igb/vfio-round-trip", tb, test_igb_vfio);
        g_test_add_data_func("/kernel/igb/host-driver-default", tb, test_igb_host_driver_default);
        g_test_add_data_func("/kernel/igb/rename", tb, test_igb_rename);
        g_test_add_data_func("/kernel/igb/macvtap-passthru-vepa", tb, test_igb_macvtap);
        g_test_add_data_func("/kernel/igb/refusals", tb, test_igb_refusals);
        g_test_add_data_func("/kernel/igb/vlan-bridge", tb, test_igb_vlan_bridge);
}

int main(int argc, char **argv) {
        Testbed tb = {};

        g_test_init(&argc, &argv, NULL);
        /* g_test_init() leaves the arguments it does not know */
        if (argc > 2 && g_str_equal(argv[1], "igb")) {
                tb.igb = true;
                tb.pf = argv[2];
                add_igb_tests(&tb);
                return g_test_run();
        }
        if (argc > 1)
                tb.pf = argv[1];
        if (argc > 2)
                tb.novf = argv[2];

        g_test_add_data_func("/kernel/hw-linux/get-fresh", &tb, test_get_fresh);
        g_test_add_data_func("/kernel/hw-linux/set-mac", &tb, test_set_mac);
        g_test_add_data_func("/kernel/hw-linux/set-vlan", &tb, test_set_vlan);
        g_test_add_data_func("/kernel/hw-linux/set-spoofchk-trust", &tb, test_set_spoofchk_trust);
        g_test_add_data_func("/kernel/hw-linux/set-link-state", &tb, test_set_link_state);
        g_test_add_data_func("/kernel/hw-linux/combined", &tb, test_combined);
        g_test_add_data_func("/kernel/hw-linux/rate-proto-mtu", &tb, test_rate_proto_mtu);
        g_test_add_data_func("/kernel/hw-linux/netdev-set-mac", &tb, test_netdev_set_mac);
        g_test_add_data_func("/kernel/hw-linux/vf-out-of-range", &tb, test_vf_out_of_range);
        g_test_add_data_func("/kernel/hw-linux/no-vfs", &tb, test_no_vfs);
        g_test_add_data_func("/kernel/hw-linux/pf-down", &tb, test_pf_down);
        g_test_add_data_func("/kernel/hw-linux/macvtap-modes", &tb, test_macvtap_modes);
        g_test_add_data_func("/kernel/hw-linux/plug-refusals", &tb, test_plug_refusals);
        g_test_add_data_func("/kernel/hw-linux/vlan-bridge", &tb, test_vlan_bridge);
        g_test_add_data_func("/kernel/hw-linux/rename", &tb, test_rename);
        g_test_add_data_func("/kernel/hw-linux/link-watch", &tb, test_link_watch);
        g_test_add_data_func("/kernel/hw-linux/eswitch-mode", &tb, test_eswitch_mode);
        g_test_add_data_func("/kernel/hw-linux/pci-attrs", &tb, test_pci_attrs);
        g_test_add_data_func("/kernel/hw-linux/holder", &tb, test_holder);
        return g_test_run();
}
