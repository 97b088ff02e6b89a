/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the network XML core: one case per rule, plus format, copy, state and XML safety */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "core/netdef.h"
#include "refusal.h"
#include "xml-equiv.h"

/* A <network> named t whose body starts on line 3 */
#define NET(body) "<network>\n  <name>t</name>\n" body "</network>\n"
#define NET_UUID "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a8c</uuid>\n"

static int sentinel;
#define UNTOUCHED ((NetDef *) &sentinel)

/* Parse must fail with r at line, the message naming line and needle, and return nothing */
static void assert_refused_full(const char *xml, NetDefParseFlags flags, int want_r, unsigned line,
                                const char *needle) {
        g_auto(NetDefError) err = {};
        NetDef *def = UNTOUCHED;
        int r;

        r = netdef_parse_xml(xml, flags, &def, &err);
        g_test_message("refused (%d): %s", r, err.message);
        g_assert_cmpint(r, ==, want_r);
        g_assert_true(def == UNTOUCHED);
        assert_refusal_names(&err, line, needle);
}

static void refused(const char *xml, unsigned line, const char *needle) {
        assert_refused_full(xml, 0, -EINVAL, line, needle);
}

static NetDef *accepted(const char *xml, NetDefParseFlags flags) {
        g_auto(NetDefError) err = {};
        NetDef *def = NULL;
        int r;

        r = netdef_parse_xml(xml, flags, &def, &err);
        if (r < 0)
                g_error("refused (%d): %s\n%s", r, err.message, xml);
        g_assert_null(err.message);
        g_assert_nonnull(def);
        return def;
}

static void assert_accepted(const char *xml) {
        g_autoptr(NetDef) def = accepted(xml, 0);
}

/* parse, format with flags, compare exactly */
static void assert_formats(const char *xml, NetDefParseFlags pflags, NetDefFormatFlags fflags, const char *want) {
        g_autoptr(NetDef) def = accepted(xml, pflags);
        g_autofree char *out = netdef_format_xml(def, fflags);

        g_assert_cmpstr(out, ==, want);
}

/* ---- pools ---- */

static void test_pool_several_pfs(void) {
        g_autoptr(NetDef) def = accepted(NET(NET_UUID "  <forward mode='passthrough'>\n"
                                             "    <pf dev='eth0'/>\n    <pf dev='eth1'/>\n"
                                             "  </forward>\n"), 0);

        g_assert_cmpuint(def->pfs->len, ==, 2);
        g_assert_cmpstr(g_ptr_array_index(def->pfs, 1), ==, "eth1");
        g_assert_cmpuint(def->devs->len, ==, 0);
        g_assert_false(def->pool_expanded);
}

static void test_pool_pf_list_exclusive(void) {
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n"
                    "    <interface dev='eth1'/>\n  </forward>\n"), 4, "<pf>: a pool is given either by <pf>");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n"
                    "    <address type='pci' bus='3' slot='0' function='1'/>\n  </forward>\n"), 4, "not both");
}

static void test_pool_duplicate_netdev(void) {
        refused(NET("  <forward mode='vepa'>\n    <interface dev='eth1'/>\n    <interface dev='eth2'/>\n"
                    "    <interface dev='eth1'/>\n  </forward>\n"), 6, "eth1 is listed twice");
}

static void test_pool_duplicate_pci(void) {
        /* the same address in another notation is the same device */
        refused(NET("  <forward mode='hostdev'>\n"
                    "    <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x1'/>\n"
                    "    <address type='pci' bus='3' slot='0' function='1'/>\n  </forward>\n"),
                5, "0000:03:00.1 is listed twice");
}

static void test_pool_duplicate_usb(void) {
        refused(NET("  <forward mode='hostdev'>\n    <address type='usb' bus='1' device='4'/>\n"
                    "    <address type='usb' bus='1' device='4'/>\n  </forward>\n"), 5, "usb:1:4 is listed twice");
}

static void test_pool_duplicate_pf(void) {
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n    <pf dev='eth0'/>\n  </forward>\n"),
                5, "<pf>: dev 'eth0' is given twice");
}

static void test_pool_pci_only_hostdev(void) {
        static const char *const modes[] = { "passthrough", "private", "vepa", "bridge" };

        for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
                g_autofree char *xml = g_strdup_printf(NET("  <forward mode='%s'>\n"
                                "    <address type='pci' bus='3' slot='0' function='1'/>\n  </forward>\n"),
                                modes[i]);

                refused(xml, 4, "PCI addresses make only hostdev and pci-passthrough-hybrid pools");
        }
        assert_accepted(NET("  <forward mode='hostdev'>\n    <address type='pci' bus='3' slot='0' function='1'/>\n"
                            "  </forward>\n"));
        assert_accepted(NET("  <forward mode='pci-passthrough-hybrid'>\n"
                            "    <address type='pci' bus='3' slot='0' function='1'/>\n  </forward>\n"));
}

static void test_pool_hostdev_no_interface(void) {
        refused(NET("  <forward mode='hostdev'>\n    <interface dev='eth1'/>\n  </forward>\n"), 4,
                "a hostdev pool is made of PCI or USB addresses or <pf>");
}

static void test_pool_hybrid_pf_or_pci(void) {
        refused(NET("  <forward mode='pci-passthrough-hybrid'>\n    <interface dev='eth1'/>\n  </forward>\n"), 4,
                "pci-passthrough-hybrid pool is made of <pf> or PCI addresses");
        refused(NET("  <forward mode='pci-passthrough-hybrid'>\n    <address type='usb' bus='1' device='2'/>\n"
                    "  </forward>\n"), 4, "USB addresses are only allowed in hostdev pools");
        assert_accepted(NET("  <forward mode='pci-passthrough-hybrid'>\n    <pf dev='eth0'/>\n  </forward>\n"));
}

static void test_pool_usb_only_hostdev(void) {
        refused(NET("  <forward mode='passthrough'>\n    <address type='usb' bus='1' device='2'/>\n"
                    "  </forward>\n"), 4, "USB addresses are only allowed in hostdev pools");
        assert_formats(NET(NET_UUID "  <forward mode='hostdev'>\n    <address type='usb' bus='001' device='12'/>\n"
                           "  </forward>\n"), 0, 0,
                       NET(NET_UUID "  <forward mode='hostdev' managed='no'>\n"
                           "    <address type='usb' bus='1' device='12'/>\n  </forward>\n"));
        refused(NET("  <forward mode='hostdev'>\n    <address type='usb' bus='1' device='128'/>\n"
                    "  </forward>\n"), 4, "device 1–127");
        refused(NET("  <forward mode='hostdev'>\n    <address type='usb' bus='0x1' device='2'/>\n"
                    "  </forward>\n"), 4, "bus '0x1' is not a decimal number");
        refused(NET("  <forward mode='hostdev'>\n    <address type='usb' bus='1'/>\n"
                    "  </forward>\n"), 4, "attribute 'device' is required");
}

static void test_pool_needed(void) {
        refused(NET("  <forward mode='passthrough'/>\n"), 3, "mode 'passthrough' needs a device pool");
        refused(NET("  <forward mode='hostdev'/>\n"), 3, "mode 'hostdev' needs a device pool");
        assert_accepted(NET("  <forward mode='bridge'/>\n"));          /* neither bridge nor pool */
}

static void test_pool_pci_ranges(void) {
        refused(NET("  <forward mode='hostdev'>\n    <address type='pci' bus='0x100' slot='0' function='0'/>\n"
                    "  </forward>\n"), 4, "bus '0x100' is out of range");
        refused(NET("  <forward mode='hostdev'>\n    <address type='pci' bus='1' slot='32' function='0'/>\n"
                    "  </forward>\n"), 4, "slot '32' is out of range");
        refused(NET("  <forward mode='hostdev'>\n    <address type='pci' bus='1' slot='0' function='8'/>\n"
                    "  </forward>\n"), 4, "function '8' is out of range");
        refused(NET("  <forward mode='hostdev'>\n    <address type='pci' domain='0x10000' bus='1'/>\n"
                    "  </forward>\n"), 4, "domain '0x10000' is out of range");
        refused(NET("  <forward mode='hostdev'>\n    <address type='pci' bus='x1'/>\n  </forward>\n"), 4,
                "bus 'x1' is not a number");
        refused(NET("  <forward mode='hostdev'>\n    <address type='pci' function='1'/>\n  </forward>\n"), 4,
                "is the host bridge");
        refused(NET("  <forward mode='hostdev'>\n    <address type='isa' iobase='1'/>\n  </forward>\n"), 4,
                "type 'isa' is neither 'pci' nor 'usb'");
        /* decimal, 0x-hex and (as libvirt) octal */
        assert_formats(NET(NET_UUID "  <forward mode='hostdev' managed='yes'>\n"
                           "    <address type='pci' domain='0' bus='17' slot='0x1f' function='07'/>\n"
                           "  </forward>\n"), 0, 0,
                       NET(NET_UUID "  <forward mode='hostdev' managed='yes'>\n"
                           "    <address type='pci' domain='0x0000' bus='0x11' slot='0x1f' function='0x7'/>\n"
                           "  </forward>\n"));
}

/* ---- <forward dev> ---- */

static void test_forward_dev_alone(void) {
        g_autoptr(NetDef) def = accepted(NET(NET_UUID "  <forward mode='private' dev='eth7'/>\n"), 0);
        g_autofree char *out = netdef_format_xml(def, 0);

        g_assert_cmpuint(def->devs->len, ==, 1);
        g_assert_cmpint(g_array_index(def->devs, ForwardDev, 0).type, ==, FORWARD_DEV_NETDEV);
        g_assert_cmpstr(g_array_index(def->devs, ForwardDev, 0).netdev, ==, "eth7");
        g_assert_cmpstr(out, ==, NET(NET_UUID "  <forward dev='eth7' mode='private'>\n"
                                     "    <interface dev='eth7'/>\n  </forward>\n"));
}

static void test_forward_dev_matches_first(void) {
        refused(NET("  <forward mode='vepa' dev='eth2'>\n    <interface dev='eth1'/>\n"
                    "    <interface dev='eth2'/>\n  </forward>\n"), 3, "dev 'eth2' must match the first <interface>");
        assert_accepted(NET("  <forward mode='vepa' dev='eth1'>\n    <interface dev='eth1'/>\n"
                            "    <interface dev='eth2'/>\n  </forward>\n"));
        refused(NET("  <forward mode='vepa' dev='a/b'/>\n"), 3, "dev 'a/b' is not a valid netdev name");
}

static void test_forward_dev_not_hostdev(void) {
        refused(NET("  <forward mode='hostdev' dev='eth1'>\n    <pf dev='eth0'/>\n  </forward>\n"), 3,
                "attribute 'dev' is not allowed in mode 'hostdev'");
        refused(NET("  <forward mode='pci-passthrough-hybrid' dev='eth1'>\n    <pf dev='eth0'/>\n"
                    "  </forward>\n"), 3, "attribute 'dev' is not allowed in mode 'pci-passthrough-hybrid'");
}

static void test_forward_dev_not_with_pf(void) {
        refused(NET("  <forward mode='passthrough' dev='eth1'>\n    <pf dev='eth0'/>\n  </forward>\n"), 3,
                "attribute 'dev' cannot be combined with <pf>");
}

/* ---- forward options ---- */

static void test_managed_only_hostdev(void) {
        refused(NET("  <forward mode='passthrough' managed='yes'>\n    <pf dev='eth0'/>\n  </forward>\n"), 3,
                "attribute 'managed' applies only to hostdev and pci-passthrough-hybrid");
        refused(NET("  <forward mode='hostdev' managed='maybe'>\n    <pf dev='eth0'/>\n  </forward>\n"), 3,
                "managed 'maybe' is neither 'yes' nor 'no'");
        assert_formats(NET(NET_UUID "  <forward mode='pci-passthrough-hybrid' managed='no'>\n"
                           "    <pf dev='eth0'/>\n  </forward>\n"), 0, 0,
                       NET(NET_UUID "  <forward mode='pci-passthrough-hybrid' managed='no'>\n"
                           "    <pf dev='eth0'/>\n  </forward>\n"));
}

static void test_driver_only_hostdev(void) {
        refused(NET("  <forward mode='passthrough'>\n    <driver name='vfio'/>\n    <pf dev='eth0'/>\n"
                    "  </forward>\n"), 4, "<driver>: only hostdev and pci-passthrough-hybrid networks");
        refused(NET("  <forward mode='hostdev'>\n    <driver name='qemu'/>\n    <pf dev='eth0'/>\n"
                    "  </forward>\n"), 4, "name 'qemu' is not one of default, kvm, vfio, xen");
        refused(NET("  <forward mode='hostdev'>\n    <driver/>\n    <pf dev='eth0'/>\n  </forward>\n"), 4,
                "attribute 'name' or 'model' is required");
        refused(NET("  <forward mode='hostdev'>\n    <driver name='vfio'/>\n    <driver name='vfio'/>\n"
                    "    <pf dev='eth0'/>\n  </forward>\n"), 5, "given more than once");
        assert_formats(NET(NET_UUID "  <forward mode='hostdev' managed='yes'>\n"
                           "    <driver name='vfio' model='mlx5_vfio_pci'/>\n    <pf dev='eth0'/>\n"
                           "  </forward>\n"), 0, 0,
                       NET(NET_UUID "  <forward mode='hostdev' managed='yes'>\n"
                           "    <driver name='vfio' model='mlx5_vfio_pci'/>\n    <pf dev='eth0'/>\n"
                           "  </forward>\n"));
}

static void test_hybrid_virtio(void) {
        g_autoptr(NetDef) def = NULL;

        def = accepted(NET("  <forward mode='pci-passthrough-hybrid'>\n    <pf dev='eth0'/>\n  </forward>\n"), 0);
        g_assert_null(def->hybrid_virtio_mode);         /* vepa */
        g_clear_pointer(&def, netdef_free);
        def = accepted(NET("  <forward mode='pci-passthrough-hybrid'>\n    <virtio mode='private'/>\n"
                           "    <pf dev='eth0'/>\n  </forward>\n"), 0);
        g_assert_cmpstr(def->hybrid_virtio_mode, ==, "private");
        refused(NET("  <forward mode='passthrough'>\n    <virtio mode='vepa'/>\n    <pf dev='eth0'/>\n"
                    "  </forward>\n"), 4, "<virtio>: only a pci-passthrough-hybrid network");
        refused(NET("  <forward mode='pci-passthrough-hybrid'>\n    <virtio mode='passthrough'/>\n"
                    "    <pf dev='eth0'/>\n  </forward>\n"), 4, "mode 'passthrough' is not one of vepa");
        refused(NET("  <forward mode='pci-passthrough-hybrid'>\n    <virtio/>\n"
                    "    <pf dev='eth0'/>\n  </forward>\n"), 4, "attribute 'mode' is required");
        assert_formats(NET(NET_UUID "  <forward mode='pci-passthrough-hybrid'>\n    <virtio mode='bridge'/>\n"
                           "    <pf dev='eth0'/>\n    <pf dev='eth1'/>\n  </forward>\n"), 0, 0,
                       NET(NET_UUID "  <forward mode='pci-passthrough-hybrid'>\n    <virtio mode='bridge'/>\n"
                           "    <pf dev='eth0'/>\n    <pf dev='eth1'/>\n  </forward>\n"));
}

/* ---- VLAN ---- */

static void test_vlan_where_applicable(void) {
        static const char *const refusing[] = { "private", "vepa", "bridge" };

        for (size_t i = 0; i < G_N_ELEMENTS(refusing); i++) {
                g_autofree char *xml = g_strdup_printf(NET("  <forward mode='%s'>\n    <pf dev='eth0'/>\n"
                                "  </forward>\n  <vlan>\n    <tag id='42'/>\n  </vlan>\n"), refusing[i]);

                refused(xml, 6, "a VLAN can only be applied by hostdev");
        }
        assert_accepted(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                            "  <vlan>\n    <tag id='42'/>\n  </vlan>\n"));
        assert_accepted(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                            "  <vlan>\n    <tag id='42'/>\n  </vlan>\n"));
        assert_accepted(NET("  <forward mode='pci-passthrough-hybrid'>\n    <pf dev='eth0'/>\n  </forward>\n"
                            "  <vlan>\n    <tag id='42'/>\n  </vlan>\n"));
        /* bridge: only with an openvswitch virtualport, the portgroup's own or the network's */
        assert_accepted(NET("  <forward mode='bridge'/>\n  <bridge name='br0'/>\n"
                            "  <vlan>\n    <tag id='42'/>\n  </vlan>\n  <virtualport type='openvswitch'/>\n"));
        refused(NET("  <forward mode='bridge'/>\n  <bridge name='br0'/>\n"
                    "  <vlan>\n    <tag id='42'/>\n  </vlan>\n"), 5, "openvswitch virtualport");
        assert_accepted(NET("  <forward mode='bridge'/>\n  <bridge name='br0'/>\n  <portgroup name='a'>\n"
                            "    <vlan>\n      <tag id='42'/>\n    </vlan>\n"
                            "    <virtualport type='openvswitch'/>\n  </portgroup>\n"));
        refused(NET("  <forward mode='bridge'/>\n  <bridge name='br0'/>\n  <portgroup name='a'>\n"
                    "    <vlan>\n      <tag id='42'/>\n    </vlan>\n  </portgroup>\n"),
                6, "<vlan> of portgroup 'a'");
        refused(NET("  <forward mode='private'>\n    <pf dev='eth0'/>\n  </forward>\n  <portgroup name='a'>\n"
                    "    <vlan>\n      <tag id='42'/>\n    </vlan>\n  </portgroup>\n"),
                7, "not by this 'private' network");
}

static void test_vlan_id_range(void) {
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan>\n    <tag id='4096'/>\n  </vlan>\n"), 7, "id '4096' is not a VLAN id");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan>\n    <tag id='-1'/>\n  </vlan>\n"), 7, "id '-1' is not a VLAN id");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan>\n    <tag/>\n  </vlan>\n"), 7, "attribute 'id' is required");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan>\n  </vlan>\n"), 6, "at least one <tag> is required");
        assert_accepted(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                            "  <vlan>\n    <tag id='4095'/>\n  </vlan>\n"));
        assert_accepted(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                            "  <vlan>\n    <tag id='0'/>\n  </vlan>\n"));
}

static void test_vlan_native_mode(void) {
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan trunk='yes'>\n    <tag id='1' nativeMode='sometimes'/>\n    <tag id='2'/>\n"
                    "  </vlan>\n"), 7, "nativeMode 'sometimes' is neither 'tagged' nor 'untagged'");
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan trunk='yes'>\n    <tag id='1' nativeMode='tagged'/>\n"
                    "    <tag id='2' nativeMode='untagged'/>\n  </vlan>\n"), 6, "only one <tag> may have nativeMode");
        assert_formats(NET(NET_UUID "  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                           "  <vlan trunk='yes'>\n    <tag id='1'/>\n    <tag id='2' nativeMode='untagged'/>\n"
                           "  </vlan>\n"), 0, 0,
                       NET(NET_UUID "  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                           "  <vlan trunk='yes'>\n    <tag id='1'/>\n    <tag id='2' nativeMode='untagged'/>\n"
                           "  </vlan>\n"));
}

static void test_vlan_trunk(void) {
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan trunk='no'>\n    <tag id='1'/>\n    <tag id='2'/>\n  </vlan>\n"), 6,
                "more than one tag needs trunk='yes'");
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan trunk='no'>\n    <tag id='1' nativeMode='tagged'/>\n  </vlan>\n"), 6,
                "trunk='no' contradicts a native VLAN");
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <vlan trunk='on'>\n    <tag id='1'/>\n  </vlan>\n"), 6, "trunk 'on' is neither");
        /* several tags without the attribute are a trunk, written as libvirt writes it */
        assert_formats(NET(NET_UUID "  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                           "  <vlan>\n    <tag id='1'/>\n    <tag id='2'/>\n  </vlan>\n"), 0, 0,
                       NET(NET_UUID "  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n"
                           "  <vlan trunk='yes'>\n    <tag id='1'/>\n    <tag id='2'/>\n  </vlan>\n"));
}

/* ---- virtualport ---- */

static void refused_vp(const char *forward, const char *type, const char *needle) {
        g_autofree char *xml = g_strdup_printf(NET("%s  <virtualport type='%s'/>\n"), forward, type);
        unsigned line = 3;

        for (const char *p = forward; *p; p++)
                line += *p == '\n';
        refused(xml, line, needle);
}

static void accepted_vp(const char *forward, const char *type) {
        g_autofree char *xml = g_strdup_printf(NET("%s  <virtualport type='%s'/>\n"), forward, type);

        assert_accepted(xml);
}

static void test_virtualport_types_by_mode(void) {
        static const char *const pool_modes[] = { "private", "vepa", "bridge", "passthrough" };
        const char *host_bridge = "  <forward mode='bridge'/>\n  <bridge name='br0'/>\n";
        const char *no_bridge = "  <forward mode='bridge'/>\n";

        for (size_t i = 0; i < G_N_ELEMENTS(pool_modes); i++) {
                g_autofree char *fw = g_strdup_printf("  <forward mode='%s'>\n    <interface dev='eth1'/>\n"
                                                      "  </forward>\n", pool_modes[i]);

                accepted_vp(fw, "802.1Qbg");
                accepted_vp(fw, "802.1Qbh");
                refused_vp(fw, "openvswitch", "type 'openvswitch' cannot be used by");
                refused_vp(fw, "midonet", "type 'midonet' cannot be used by");
        }
        accepted_vp(host_bridge, "openvswitch");
        accepted_vp(host_bridge, "midonet");
        accepted_vp(no_bridge, "openvswitch");
        accepted_vp(no_bridge, "midonet");
        refused_vp(host_bridge, "802.1Qbg", "cannot be used by a 'bridge' network without a device pool");
        refused_vp(no_bridge, "802.1Qbh", "cannot be used by a 'bridge' network without a device pool");
        accepted_vp("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n", "802.1Qbh");
        accepted_vp("  <forward mode='pci-passthrough-hybrid'>\n    <pf dev='eth0'/>\n  </forward>\n", "802.1Qbh");
        refused_vp("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n", "802.1Qbg",
                   "type '802.1Qbg' cannot be used by a 'hostdev' network");
        refused_vp("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n", "openvswitch",
                   "type 'openvswitch' cannot be used by a 'hostdev' network");
        refused_vp("  <forward mode='pci-passthrough-hybrid'>\n    <pf dev='eth0'/>\n  </forward>\n", "802.1Qbg",
                   "cannot be used by a 'pci-passthrough-hybrid' network");
        refused_vp(no_bridge, "vmware", "type 'vmware' is not one of");
        /* the portgroup's effective type counts too */
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n  <portgroup name='p'>\n"
                    "    <virtualport type='802.1Qbg'/>\n  </portgroup>\n"), 7, "<virtualport> of portgroup 'p'");
}

static const char *const qbg_fw = "  <forward mode='vepa'>\n    <interface dev='eth1'/>\n  </forward>\n";

static void refused_params(const char *forward, const char *type, const char *params, const char *needle) {
        g_autofree char *xml = g_strdup_printf(NET("%s  <virtualport%s>\n    <parameters %s/>\n"
                                                   "  </virtualport>\n"), forward, type, params);
        unsigned line = 4;

        for (const char *p = forward; *p; p++)
                line += *p == '\n';
        refused(xml, line, needle);
}

static void test_virtualport_params_by_type(void) {
        const char *ovs_fw = "  <forward mode='bridge'/>\n";

        refused_params(qbg_fw, " type='802.1Qbg'", "profileid='x'",
                       "parameter 'profileid' does not apply to virtualport type '802.1Qbg'");
        refused_params(qbg_fw, " type='802.1Qbh'", "managerid='1'", "parameter 'managerid' does not apply");
        refused_params(ovs_fw, " type='midonet'", "profileid='x'", "parameter 'profileid' does not apply");
        refused_params(ovs_fw, " type='openvswitch'", "typeid='1'", "parameter 'typeid' does not apply");
        refused_params(qbg_fw, " type='802.1Qbg'", "managerid='256'", "managerid '256' is not a number from 0 to 255");
        refused_params(qbg_fw, " type='802.1Qbg'", "typeid='0x1000000'", "typeid '0x1000000' is not a number");
        refused_params(qbg_fw, " type='802.1Qbg'", "typeidversion='256'", "typeidversion '256'");
        refused_params(qbg_fw, " type='802.1Qbg'", "instanceid='nope'", "instanceid 'nope' is not a UUID");
        refused_params(ovs_fw, " type='openvswitch'", "interfaceid='nope'", "interfaceid 'nope' is not a UUID");
        refused_params(qbg_fw, " type='802.1Qbh'", "profileid='0123456789012345678901234567890123456789'",
                       "must have 1 to 39 characters");
        refused_params(qbg_fw, " type='802.1Qbh'", "profileid=''", "must have 1 to 39 characters");
        refused_params(qbg_fw, " type='802.1Qbh'", "flavour='x'", "unknown attribute 'flavour'");
        /* untyped: any parameter, checked by value; here on a vepa network whose types are Qbg/Qbh */
        refused_params(qbg_fw, "", "managerid='300'", "managerid '300'");
        assert_accepted(NET("  <forward mode='vepa'>\n    <interface dev='eth1'/>\n  </forward>\n"
                            "  <virtualport>\n    <parameters managerid='1' profileid='p' "
                            "interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>\n  </virtualport>\n"));
        assert_accepted(NET("  <forward mode='bridge'/>\n  <virtualport type='midonet'>\n"
                            "    <parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>\n"
                            "  </virtualport>\n"));
        assert_accepted(NET("  <forward mode='bridge'/>\n  <virtualport type='openvswitch'>\n"
                            "    <parameters profileid='p' interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>\n"
                            "  </virtualport>\n"));
}

static void test_virtualport_kept_as_given(void) {
        const char *xml = NET(NET_UUID "  <forward dev='eth1' mode='vepa'>\n    <interface dev='eth1'/>\n"
                              "  </forward>\n  <virtualport type='802.1Qbg'>\n"
                              "    <parameters managerid='11' typeid='0x123' typeidversion='2' "
                              "instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>\n  </virtualport>\n");

        assert_formats(xml, 0, 0, xml);
}

static void test_virtualport_portgroup_conflict(void) {
        refused(NET("  <forward mode='vepa'>\n    <interface dev='eth1'/>\n  </forward>\n"
                    "  <virtualport type='802.1Qbg'/>\n  <portgroup name='p'>\n"
                    "    <virtualport type='802.1Qbh'/>\n  </portgroup>\n"), 8,
                "type '802.1Qbh' conflicts with the network's type '802.1Qbg'");
        /* an untyped portgroup virtualport inherits the type, and its parameters must fit it */
        refused(NET("  <forward mode='bridge'/>\n  <virtualport type='openvswitch'/>\n  <portgroup name='p'>\n"
                    "    <virtualport>\n      <parameters managerid='1'/>\n    </virtualport>\n  </portgroup>\n"), 6,
                "parameter 'managerid' does not apply to type 'openvswitch'");
}

/* ---- bridge ---- */

static void test_bridge_only_bridge_mode(void) {
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n  </forward>\n  <bridge name='br0'/>\n"),
                6, "only a network with forward mode 'bridge' attaches to a host bridge");
}

static void test_bridge_not_with_pool(void) {
        refused(NET("  <forward mode='bridge'>\n    <interface dev='eth1'/>\n  </forward>\n"
                    "  <bridge name='br0'/>\n"), 6, "either a host bridge or a device pool");
        refused(NET("  <forward mode='bridge' dev='eth1'/>\n  <bridge name='br0'/>\n"), 4,
                "either a host bridge or a device pool");
}

static void test_bridge_mac_table_manager(void) {
        refused(NET("  <forward mode='bridge'/>\n  <bridge name='br0' macTableManager='switch'/>\n"), 4,
                "macTableManager 'switch' is neither 'kernel' nor 'libvirt'");
        assert_accepted(NET("  <forward mode='bridge'/>\n  <bridge name='br0' macTableManager='kernel'/>\n"));
        refused(NET("  <forward mode='bridge'/>\n  <bridge macTableManager='kernel'/>\n"), 4,
                "attribute 'name' is required");
        refused(NET("  <forward mode='bridge'/>\n  <bridge name='br0' stp='on'/>\n"), 4, "unknown attribute 'stp'");
}

static void test_bridge_name_rule(void) {
        refused(NET("  <forward mode='bridge'/>\n  <bridge name='bridge-name-too-long'/>\n"), 4,
                "name 'bridge-name-too-long' is not a valid netdev name");
        refused(NET("  <forward mode='bridge'/>\n  <bridge name='br:0'/>\n"), 4, "is not a valid netdev name");
}

/* ---- portgroups ---- */

static void test_portgroup_one_default(void) {
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a' default='yes'/>\n"
                    "  <portgroup name='b' default='yes'/>\n"), 5, "'a' and 'b' are both default");
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a' default='1'/>\n"), 4,
                "default '1' is neither 'yes' nor 'no'");
}

static void test_portgroup_unique_names(void) {
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a'/>\n  <portgroup name='a'/>\n"), 5,
                "name 'a' is used twice");
}

static void test_portgroup_first_conflict(void) {
        /* a portgroup that repeats a name and is a second default: the earlier conflict is named */
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a' default='yes'/>\n  <portgroup name='b'/>\n"
                    "  <portgroup name='b' default='yes'/>\n"), 6, "'a' and 'b' are both default");
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a'/>\n  <portgroup name='b' default='yes'/>\n"
                    "  <portgroup name='a' default='yes'/>\n"), 6, "name 'a' is used twice");
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a' default='yes'/>\n"
                    "  <portgroup name='a' default='yes'/>\n"), 5, "name 'a' is used twice");
}

static void test_xml_bounds(void) {
        g_autoptr(GString) attrs = g_string_new("<network>\n  <name>t</name>\n  <forward mode='bridge'/>\n"
                                                "  <metadata>\n    <m");
        g_autoptr(GString) deep = g_string_new("<network>\n  <name>t</name>\n  <forward mode='bridge'/>\n"
                                               "  <metadata>\n");

        /* what libxml2 cannot read in linear time is refused before it reads anything */
        for (unsigned i = 0; i < 257; i++)
                g_string_append_printf(attrs, " a%u=''", i);
        g_string_append(attrs, "/>\n  </metadata>\n</network>\n");
        refused(attrs->str, 5, "<m>: more than 256 attributes");
        for (unsigned i = 0; i < 40; i++)
                g_string_append(deep, "<m xmlns='urn:x'>");
        for (unsigned i = 0; i < 40; i++)
                g_string_append(deep, "</m>");
        g_string_append(deep, "\n  </metadata>\n</network>\n");
        refused(deep->str, 5, "<m>: elements nested more than 32 deep");
}

static void test_portgroup_name_rule(void) {
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name=''/>\n"), 4, "name '' is not valid");
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a b'/>\n"), 4, "name 'a b' is not valid");
        refused(NET("  <forward mode='bridge'/>\n  <portgroup/>\n"), 4, "attribute 'name' is required");
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a'>\n    <vlan><tag id='1'/></vlan>\n"
                    "    <vlan><tag id='1'/></vlan>\n  </portgroup>\n"), 6, "given more than once in this <portgroup>");
}

static void test_portgroup_lookup(void) {
        g_autoptr(NetDef) def = accepted(NET("  <forward mode='bridge'/>\n  <portgroup name='a'/>\n"
                                             "  <portgroup name='b' default='yes'/>\n"), 0);

        g_assert_cmpstr(netdef_default_portgroup(def)->name, ==, "b");
        g_assert_cmpstr(netdef_find_portgroup(def, "a")->name, ==, "a");
        g_assert_true(netdef_find_portgroup(def, NULL) == netdef_default_portgroup(def));
        g_assert_null(netdef_find_portgroup(def, "c"));
}

/* ---- routed networks and unknown input ---- */

static void test_routed_modes(void) {
        static const char *const modes[] = { "nat", "route", "open", "isolated" };

        for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
                g_autofree char *xml = g_strdup_printf(NET("  <forward mode='%s'/>\n"), modes[i]);
                g_autofree char *needle = g_strdup_printf("mode '%s' needs an IP stack; netpool does not "
                                                          "manage routed networks", modes[i]);

                assert_refused_full(xml, 0, -EOPNOTSUPP, 3, needle);
        }
        assert_refused_full(NET("  <forward/>\n"), 0, -EOPNOTSUPP, 3, "without a mode a network is 'nat'");
        assert_refused_full(NET("  <bridge name='br0'/>\n"), 0, -EOPNOTSUPP, 1,
                            "a network without <forward> is an isolated network");
        refused(NET("  <forward mode='macvtap'/>\n"), 3, "mode 'macvtap' is not one of");
}

static void test_routed_elements(void) {
        static const char *const elements[] = { "ip", "dns", "mac", "domain", "route" };

        for (size_t i = 0; i < G_N_ELEMENTS(elements); i++) {
                g_autofree char *xml = g_strdup_printf(NET("  <forward mode='bridge'/>\n  <%s/>\n"), elements[i]);
                g_autofree char *needle = g_strdup_printf("line 4: <%s>: netpool does not manage routed networks "
                                                          "(IP addresses, DHCP, DNS, NAT); use libvirt's network "
                                                          "driver for those", elements[i]);

                assert_refused_full(xml, 0, -EOPNOTSUPP, 4, needle);
        }
        assert_refused_full(NET("  <forward mode='bridge'>\n    <nat/>\n  </forward>\n"), 0, -EOPNOTSUPP, 4,
                            "<nat>: netpool does not manage routed networks");
}

static void test_unknown_input(void) {
        refused(NET("  <forward mode='bridge'/>\n  <speed value='9000'/>\n"), 4, "<speed>: unknown element in <network>");
        refused(NET("  <forward mode='bridge' extra='1'/>\n"), 3, "<forward>: unknown attribute 'extra'");
        refused("<network colour='red'>\n  <name>t</name>\n  <forward mode='bridge'/>\n</network>\n", 1,
                "<network>: unknown attribute 'colour'");
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'>\n      <x/>\n    </pf>\n  </forward>\n"), 5,
                "<x>: unknown element in <pf>");
        refused(NET("  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n    <vf dev='eth1'/>\n  </forward>\n"), 5,
                "<vf>: unknown element in <forward>");
        refused(NET("  <forward mode='bridge'/>\n  stray text\n"), 1, "unexpected text");
        refused("<network xmlns:x='urn:x'>\n  <name>t</name>\n  <forward mode='bridge'/>\n  <x:thing/>\n</network>\n",
                4, "unknown element in <network> (namespace 'urn:x')");
        refused(NET("  <forward mode='bridge'/>\n  <bandwidth>\n    <outbound average='1' floor='2'/>\n"
                    "  </bandwidth>\n"), 5, "unknown attribute 'floor'");
        refused(NET("  <forward mode='bridge'/>\n  <port isolated='yes' flood='no'/>\n"), 4, "unknown attribute 'flood'");
        refused(NET("  <forward mode='bridge'/>\n  <forward mode='bridge'/>\n"), 4, "<forward>: given more than once");
        refused(NET("  <name>u</name>\n  <forward mode='bridge'/>\n"), 3, "<name>: given more than once");
}

static void test_connections(void) {
        const char *live = "<network connections='3'>\n  <name>t</name>\n" NET_UUID
                           "  <forward dev='eth1' mode='passthrough'>\n"
                           "    <interface dev='eth1' connections='1'/>\n    <interface dev='eth2'/>\n"
                           "  </forward>\n</network>\n";
        g_autoptr(NetDef) def = accepted(live, 0);
        g_autoptr(NetDef) state = accepted(live, NETDEF_PARSE_STATE);
        g_autofree char *out = NULL;

        /* ignored as input of a definition, read from a state file */
        g_assert_cmpuint(def->connections, ==, 0);
        g_assert_cmpuint(g_array_index(def->devs, ForwardDev, 0).connections, ==, 0);
        g_assert_cmpuint(state->connections, ==, 3);
        g_assert_cmpuint(g_array_index(state->devs, ForwardDev, 0).connections, ==, 1);
        out = netdef_format_xml(state, 0);
        g_assert_cmpstr(out, ==, live);
        g_clear_pointer(&out, g_free);
        out = netdef_format_xml(state, NETDEF_FORMAT_INACTIVE);
        g_assert_null(strstr(out, "connections"));
        assert_refused_full("<network connections='x'>\n  <name>t</name>\n  <forward mode='bridge'/>\n</network>\n",
                            NETDEF_PARSE_STATE, -EINVAL, 1, "connections 'x' is not a count");
}

/* ---- identity ---- */

static void test_name_rule(void) {
        refused("<network>\n  <name>.hidden</name>\n  <forward mode='bridge'/>\n</network>\n", 2,
                "<name>: '.hidden' is not a valid network name");
        refused("<network>\n  <name>a/b</name>\n  <forward mode='bridge'/>\n</network>\n", 2,
                "is not a valid network name");
        refused("<network>\n  <forward mode='bridge'/>\n</network>\n", 1, "element <name> is required");
        refused("<network>\n  <name><b>x</b></name>\n  <forward mode='bridge'/>\n</network>\n", 2,
                "<b>: unknown element in <name>");
}

static void test_uuid_rule(void) {
        g_autoptr(NetDef) a = accepted(NET("  <uuid>81FF0D90C91E674264DA4A736EDB9A8C</uuid>\n"
                                           "  <forward mode='bridge'/>\n"), 0);
        g_autoptr(NetDef) b = accepted(NET("  <forward mode='bridge'/>\n"), 0);
        g_autoptr(NetDef) c = accepted(NET("  <forward mode='bridge'/>\n"), 0);

        g_assert_cmpstr(a->uuid, ==, "81ff0d90-c91e-6742-64da-4a736edb9a8c");
        g_assert_cmpuint(strlen(b->uuid), ==, 36);
        g_assert_cmpint(b->uuid[14], ==, '4');          /* generated: version 4 */
        g_assert_cmpstr(b->uuid, !=, c->uuid);
        refused(NET("  <uuid>81ff0d90-c91e-6742-64da</uuid>\n  <forward mode='bridge'/>\n"), 3,
                "'81ff0d90-c91e-6742-64da' is not a UUID");
}

static void test_yes_no_attributes(void) {
        refused("<network trustGuestRxFilters='true'>\n  <name>t</name>\n  <forward mode='bridge'/>\n</network>\n", 1,
                "trustGuestRxFilters 'true' is neither 'yes' nor 'no'");
        refused(NET("  <forward mode='bridge'/>\n  <port isolated='on'/>\n"), 4, "isolated 'on' is neither");
        refused(NET("  <forward mode='bridge'/>\n  <port/>\n"), 4, "attribute 'isolated' is required");
        refused(NET("  <forward mode='bridge'/>\n  <portgroup name='a' trustGuestRxFilters='1'/>\n"), 4,
                "trustGuestRxFilters '1' is neither");
}

static void test_title_one_line(void) {
        refused(NET("  <title>two\nlines</title>\n  <forward mode='bridge'/>\n"), 3, "a title is one line");
}

static void test_bandwidth(void) {
        const char *xml = NET(NET_UUID "  <forward mode='bridge'/>\n  <bridge name='br0'/>\n"
                              "  <bandwidth>\n    <inbound average='1000' peak='5000' floor='200' burst='1024'/>\n"
                              "    <outbound average='128' peak='256' burst='256'/>\n  </bandwidth>\n"
                              "  <portgroup name='p'>\n    <bandwidth>\n      <inbound floor='10'/>\n"
                              "    </bandwidth>\n  </portgroup>\n");

        assert_formats(xml, 0, 0, xml);
        refused(NET("  <forward mode='bridge'/>\n  <bandwidth>\n    <outbound peak='1'/>\n  </bandwidth>\n"), 5,
                "<outbound> needs attribute 'average'");
        refused(NET("  <forward mode='bridge'/>\n  <bandwidth>\n    <inbound floor='1' peak='2'/>\n  </bandwidth>\n"),
                5, "'peak' and 'burst' need 'average'");
        refused(NET("  <forward mode='bridge'/>\n  <bandwidth>\n    <inbound average='-1'/>\n  </bandwidth>\n"), 5,
                "average '-1' is not a non-negative decimal number");
        refused(NET("  <forward mode='bridge'/>\n  <bandwidth>\n    <inbound average='1'/>\n"
                    "    <inbound average='2'/>\n  </bandwidth>\n"), 6, "given more than once");
}

#define VF_NS "xmlns:netpool='urn:netpool:xml:1'"

/* <mtu> and <netpool:vf> in the network and its portgroups: both views show them as given */
static void test_vf_settings(void) {
        const char *xml = NET(NET_UUID "  <forward mode='hostdev' managed='no'>\n    <pf dev='eth0'/>\n"
                              "  </forward>\n  <mtu size='9000'/>\n"
                              "  <portgroup name='fast'>\n    <mtu size='1500'/>\n"
                              "    <netpool:vf " VF_NS " trust='no' max-tx-rate='1000'/>\n  </portgroup>\n"
                              "  <portgroup name='plain'/>\n"
                              "  <netpool:vf " VF_NS " trust='yes' spoofchk='yes' link-state='auto' "
                              "min-tx-rate='100' vlan-qos='3' vlan-protocol='802.1Q'/>\n");
        g_autoptr(NetDef) def = accepted(xml, 0);
        g_autoptr(NetDef) copy = netdef_copy(def);
        const PortGroup *pg = netdef_find_portgroup(copy, "fast");

        g_assert_cmpuint(def->mtu, ==, 9000);
        g_assert_cmpuint(def->vf->min_tx_rate, ==, 100);
        g_assert_cmpuint(pg->mtu, ==, 1500);
        g_assert_cmpint(pg->vf->trust, ==, TRISTATE_NO);
        g_assert_true(copy->vf != def->vf);
        assert_formats(xml, 0, 0, xml);
        assert_formats(xml, 0, NETDEF_FORMAT_INACTIVE, xml);

        /* in the forward modes that hand out a VF; refused where guests share one through macvtap */
        refused(NET("  <forward mode='vepa'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <netpool:vf " VF_NS " trust='yes'/>\n"), 6,
                "<netpool:vf>: a 'vepa' network shares its devices between guests through macvtap");
        refused(NET("  <forward mode='private'>\n    <pf dev='eth0'/>\n  </forward>\n  <portgroup name='p'>\n"
                    "    <netpool:vf " VF_NS " trust='yes'/>\n  </portgroup>\n"), 7,
                "<netpool:vf> of portgroup 'p': a 'private' network shares");
        /* min above max, also across the levels a portgroup inherits from */
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <netpool:vf " VF_NS " min-tx-rate='20' max-tx-rate='10'/>\n"), 6,
                "<netpool:vf>: min-tx-rate is above max-tx-rate");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n  <portgroup name='p'>\n"
                    "    <netpool:vf " VF_NS " max-tx-rate='10'/>\n  </portgroup>\n"
                    "  <netpool:vf " VF_NS " min-tx-rate='20'/>\n"), 7,
                "<netpool:vf> of portgroup 'p', with what it takes from the network's: min-tx-rate is above");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <netpool:vf " VF_NS " vlan-qos='9'/>\n"), 6, "vlan-qos '9' is not a number from 0 to 7");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n  <mtu size='10'/>\n"), 6,
                "<mtu>: size '10' is not an MTU");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n  <portgroup name='p'>\n"
                    "    <mtu size='1500'/>\n    <mtu size='1500'/>\n  </portgroup>\n"), 8,
                "given more than once in this <portgroup>");
        refused(NET("  <forward mode='hostdev'>\n    <pf dev='eth0'/>\n  </forward>\n"
                    "  <netpool:other " VF_NS "/>\n"), 6, "unknown element of netpool's namespace in <network>");
}

/* ---- XML safety ---- */

static void test_xml_too_large(void) {
        g_autoptr(GString) xml = g_string_new("<network>\n  <name>t</name>\n  <forward mode='bridge'/>\n");
        g_auto(NetDefError) err = {};
        NetDef *def = UNTOUCHED;

        while (xml->len <= NETDEF_XML_MAX)
                g_string_append(xml, "  <!-- padding padding padding padding padding padding padding -->\n");
        g_string_append(xml, "</network>\n");
        g_assert_cmpint(netdef_parse_xml(xml->str, 0, &def, &err), ==, -EFBIG);
        g_assert_true(def == UNTOUCHED);
        g_assert_cmpstr(err.message, ==, "network XML is larger than 1 MiB");
}

static void test_xml_malformed(void) {
        refused("<network>\n  <name>t</name>\n  <forward mode='bridge'>\n</network>\n", 4, "malformed XML: ");
        refused("<network>\n  <name>t</name>\n  <forward mode='bridge'/>\n  &undeclared;\n</network>\n", 4,
                "malformed XML: Entity 'undeclared' not defined");
        refused("", 1, "malformed XML: Document is empty");
}

static void test_xml_doctype(void) {
        /* nothing of a DTD is loaded or expanded: the declaration alone is refused */
        refused("<?xml version='1.0'?>\n<!DOCTYPE network [\n  <!ENTITY a 'aaaaaaaaaa'>\n"
                "  <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n]>\n"
                "<network>\n  <name>&b;</name>\n  <forward mode='bridge'/>\n</network>\n", 2,
                "<!DOCTYPE>: a document type declaration is not accepted");
        refused("<!DOCTYPE network SYSTEM 'http://example.invalid/network.dtd'>\n"
                "<network>\n  <name>t</name>\n  <forward mode='bridge'/>\n</network>\n", 1, "<!DOCTYPE>");
        refused("<!DOCTYPE network SYSTEM '/etc/passwd'>\n<network>\n  <name>t</name>\n"
                "  <forward mode='bridge'/>\n</network>\n", 1, "<!DOCTYPE>");
}

static void test_xml_quiet(void) {
        static const char *const bad[] = {
                "<network><name>t</name><forward mode='bridge'>",
                "<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>",
                "<a><b></a>",
                "<network>&nbsp;</network>",
        };

        /* libxml2 must print nothing on its own: everything goes to the NetDefError. The parse runs in a
         * subprocess whose stderr GLib captures. */
        if (g_test_subprocess()) {
                for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                        g_auto(NetDefError) err = {};
                        NetDef *def = NULL;

                        g_assert_cmpint(netdef_parse_xml(bad[i], 0, &def, &err), ==, -EINVAL);
                        g_assert_nonnull(err.message);
                }
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        g_test_trap_assert_stderr("");
}

static void test_xml_root(void) {
        refused("<domain>\n  <name>t</name>\n</domain>\n", 1, "<domain>: the root element must be <network>");
        refused("<network xmlns='urn:other'>\n  <name>t</name>\n</network>\n", 1, "the root element must be <network>");
}

/* ---- state, format, copy ---- */

#define STATE_XML \
        "<network connections='1'>\n  <name>t</name>\n" NET_UUID \
        "  <forward dev='eth0v0' mode='passthrough'>\n    <pf dev='eth0'/>\n    <pf dev='eth1'/>\n" \
        "    <interface dev='eth0v0' connections='1'/>\n    <interface dev='eth1v0'/>\n  </forward>\n</network>\n"

static void test_state_expanded_pool(void) {
        g_autoptr(NetDef) def = accepted(STATE_XML, NETDEF_PARSE_STATE);
        g_autofree char *inactive = NULL;

        g_assert_true(def->pool_expanded);
        g_assert_cmpuint(def->pfs->len, ==, 2);
        g_assert_cmpuint(def->devs->len, ==, 2);
        assert_formats(STATE_XML, NETDEF_PARSE_STATE, 0, STATE_XML);
        inactive = netdef_format_xml(def, NETDEF_FORMAT_INACTIVE);
        g_assert_cmpstr(inactive, ==, NET(NET_UUID "  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n"
                                          "    <pf dev='eth1'/>\n  </forward>\n"));
        /* the same text as a definition: <pf> and a list exclude each other */
        refused(STATE_XML, 5, "a pool is given either by <pf>");
}

static void test_format_full(void) {
        const char *xml =
                "<network trustGuestRxFilters='yes'>\n"
                "  <name>full</name>\n"
                NET_UUID
                "  <title>A &amp; B</title>\n"
                "  <description>it&apos;s &lt;all&gt; here</description>\n"
                "  <forward mode='passthrough'>\n"
                "    <pf dev='eth0'/>\n"
                "  </forward>\n"
                "  <vlan>\n"
                "    <tag id='42'/>\n"
                "  </vlan>\n"
                "  <bandwidth>\n"
                "    <inbound average='10'/>\n"
                "  </bandwidth>\n"
                "  <virtualport type='802.1Qbh'>\n"
                "    <parameters profileid='prof'/>\n"
                "  </virtualport>\n"
                "  <portgroup name='eng' default='yes' trustGuestRxFilters='no'>\n"
                "    <vlan trunk='no'>\n"
                "      <tag id='7'/>\n"
                "    </vlan>\n"
                "    <virtualport>\n"
                "      <parameters profileid='eng'/>\n"
                "    </virtualport>\n"
                "    <bandwidth>\n"
                "      <outbound average='5'/>\n"
                "    </bandwidth>\n"
                "  </portgroup>\n"
                "  <portgroup name='empty'/>\n"
                "  <port isolated='yes'/>\n"
                "</network>\n";
        g_autoptr(NetDef) def = accepted(xml, 0);

        g_assert_cmpstr(def->title, ==, "A & B");
        g_assert_cmpstr(def->description, ==, "it's <all> here");
        assert_formats(xml, 0, 0, xml);
        /* libvirt's element order, whatever the input order */
        assert_formats(NET(NET_UUID "  <port isolated='no'/>\n  <bridge name='br0'/>\n  <forward mode='bridge'/>\n"),
                       0, 0, NET(NET_UUID "  <forward mode='bridge'/>\n  <bridge name='br0'/>\n"
                                 "  <port isolated='no'/>\n"));
}

static void test_metadata_namespaces(void) {
        const char *xml = "<network xmlns:app='http://app.example/' xmlns:o='http://other.example/'>\n"
                          "  <name>t</name>\n" NET_UUID "  <forward mode='bridge'/>\n"
                          "  <metadata>\n    <app:cfg o:flag='1'>on</app:cfg>\n"
                          "    <own:x xmlns:own='http://own.example/'/>\n  </metadata>\n</network>\n";
        g_autoptr(NetDef) def = accepted(xml, 0);
        g_autofree char *out = netdef_format_xml(def, 0);
        g_autoptr(NetDef) again = accepted(out, 0);
        g_autofree char *out2 = netdef_format_xml(again, 0);
        g_autofree char *diff = NULL;
        const char *want = "<network>\n  <name>t</name>\n" NET_UUID
                           "  <metadata xmlns:app='http://app.example/' xmlns:o='http://other.example/'>\n"
                           "    <app:cfg o:flag='1'>on</app:cfg>\n"
                           "    <own:x xmlns:own='http://own.example/'/>\n  </metadata>\n"
                           "  <forward mode='bridge'/>\n</network>\n";

        /* the serialized copy declares what it uses; it stands alone and survives a round trip */
        g_assert_nonnull(strstr(def->metadata, "xmlns:app=\"http://app.example/\""));
        g_assert_nonnull(strstr(def->metadata, "xmlns:o=\"http://other.example/\""));
        if (!xml_equiv(out, want, &diff))
                g_error("%s\n%s", diff, out);
        g_assert_cmpstr(out2, ==, out);
}

static void test_copy_deep(void) {
        g_autoptr(NetDef) def = accepted(STATE_XML, NETDEF_PARSE_STATE);
        g_autoptr(NetDef) full = accepted("<network>\n  <name>c</name>\n  <title>T</title>\n"
                                          "  <description>D</description>\n  <metadata><x xmlns='urn:x'/></metadata>\n"
                                          "  <forward mode='hostdev' managed='yes'>\n    <driver name='vfio'/>\n"
                                          "    <address type='pci' bus='3' slot='0' function='1'/>\n"
                                          "  </forward>\n  <vlan><tag id='5'/></vlan>\n"
                                          "  <bandwidth><inbound average='1'/></bandwidth>\n"
                                          "  <virtualport type='802.1Qbh'><parameters profileid='x'/></virtualport>\n"
                                          "  <portgroup name='p' default='yes'><vlan><tag id='6'/></vlan>"
                                          "<virtualport><parameters profileid='y'/></virtualport>"
                                          "<bandwidth><outbound average='2'/></bandwidth></portgroup>\n"
                                          "  <port isolated='yes'/>\n</network>\n", 0);
        NetDef *defs[] = { def, full };

        for (size_t i = 0; i < G_N_ELEMENTS(defs); i++) {
                g_autofree char *before = netdef_format_xml(defs[i], 0);
                g_autoptr(NetDef) copy = netdef_copy(defs[i]);
                g_autofree char *copied = netdef_format_xml(copy, 0);
                g_autofree char *after = NULL;

                g_assert_cmpstr(copied, ==, before);
                g_assert_true(copy->pool_expanded == defs[i]->pool_expanded);
                g_assert_cmpuint(copy->connections, ==, defs[i]->connections);
                /* nothing shared: changing the original leaves the copy as it was */
                g_assert_true(copy->devs != defs[i]->devs && copy->pfs != defs[i]->pfs);
                g_clear_pointer(&defs[i]->name, g_free);
                defs[i]->name = g_strdup("changed");
                g_array_set_size(defs[i]->devs, 0);
                g_ptr_array_set_size(defs[i]->portgroups, 0);
                g_clear_pointer(&defs[i]->vlan, vlan_free);
                g_clear_pointer(&defs[i]->metadata, g_free);
                after = netdef_format_xml(copy, 0);
                g_assert_cmpstr(after, ==, before);
        }
}

static void test_free_half_built(void) {
        NetDef *def = netdef_new();
        PortGroup *pg = g_new0(PortGroup, 1);
        NetDef *bare = g_new0(NetDef, 1);
        ForwardDev d = { .type = FORWARD_DEV_NETDEV, .netdev = g_strdup("eth0") };

        def->name = g_strdup("x");
        g_array_append_val(def->devs, d);
        pg->name = g_strdup("p");
        g_ptr_array_add(def->portgroups, pg);
        g_assert_null(netdef_free(def));
        g_assert_null(netdef_free(bare));       /* containers not even allocated */
        g_assert_null(netdef_free(NULL));
        g_assert_null(portgroup_free(NULL));
        forward_dev_clear(NULL);
}

static void test_validate_hand_built(void) {
        g_autoptr(NetDef) def = netdef_new();
        g_auto(NetDefError) err = {};
        ForwardDev pci = { .type = FORWARD_DEV_PCI, .pci = { 0, 3, 0, 1 } };

        def->name = g_strdup("hand");
        uuid_generate_string(def->uuid);
        def->mode = FORWARD_MODE_HOSTDEV;
        g_array_append_val(def->devs, pci);
        g_assert_cmpint(netdef_validate(def, &err), ==, 0);
        g_assert_null(err.message);

        g_array_append_val(def->devs, pci);
        g_assert_cmpint(netdef_validate(def, &err), ==, -EINVAL);
        g_assert_cmpuint(err.line, ==, 0);
        g_assert_cmpstr(err.message, ==, "<address type='pci'>: device 0000:03:00.1 is listed twice in the pool");
        g_array_set_size(def->devs, 1);

        def->vlan = g_new0(Vlan, 1);
        def->vlan->tags = g_array_new(FALSE, TRUE, sizeof(VlanTag));
        g_array_append_val(def->vlan->tags, ((VlanTag) { .id = 5000 }));
        g_assert_cmpint(netdef_validate(def, &err), ==, -EINVAL);
        g_assert_cmpstr(err.message, ==, "<vlan>: a VLAN id is 0–4095");
        g_clear_pointer(&def->vlan, vlan_free);

        def->mode = FORWARD_MODE_PASSTHROUGH;
        g_assert_cmpint(netdef_validate(def, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.message, "PCI addresses make only hostdev"));

        def->mode = FORWARD_MODE_HOSTDEV;
        def->uuid[0] = 0;
        g_assert_cmpint(netdef_validate(def, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.message, "<uuid>"));
}

static void test_forward_dev_id(void) {
        ForwardDev n = { .type = FORWARD_DEV_NETDEV, .netdev = (char *) "eth3" };
        ForwardDev p = { .type = FORWARD_DEV_PCI, .pci = { 1, 0x3b, 0x1f, 7 } };
        ForwardDev u = { .type = FORWARD_DEV_USB, .usb_bus = 2, .usb_device = 17 };
        g_autofree char *a = forward_dev_id(&n), *b = forward_dev_id(&p), *c = forward_dev_id(&u);

        g_assert_cmpstr(a, ==, "eth3");
        g_assert_cmpstr(b, ==, "0001:3b:1f.7");
        g_assert_cmpstr(c, ==, "usb:2:17");
}

static void test_mode_strings(void) {
        for (int m = 0; m < _FORWARD_MODE_MAX; m++)
                g_assert_cmpint(forward_mode_from_string(forward_mode_to_string(m)), ==, m);
        g_assert_cmpstr(forward_mode_to_string(FORWARD_MODE_HYBRID), ==, "pci-passthrough-hybrid");
        g_assert_cmpint(forward_mode_from_string("nat"), ==, _FORWARD_MODE_INVALID);
        g_assert_null(forward_mode_to_string(_FORWARD_MODE_MAX));
        g_assert_true(forward_mode_uses_pci(FORWARD_MODE_HOSTDEV));
        g_assert_false(forward_mode_uses_pci(FORWARD_MODE_PASSTHROUGH));
        g_assert_true(forward_mode_is_macvtap(FORWARD_MODE_VEPA));
        g_assert_false(forward_mode_is_macvtap(FORWARD_MODE_HOSTDEV));
        for (int t = VIRTUALPORT_8021QBG; t < _VIRTUALPORT_TYPE_MAX; t++)
                g_assert_cmpint(virtualport_type_from_string(virtualport_type_to_string(t)), ==, t);
        g_assert_cmpint(virtualport_type_from_string(""), ==, _VIRTUALPORT_TYPE_INVALID);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/core/netdef/pool/several-pfs", test_pool_several_pfs);
        g_test_add_func("/core/netdef/pool/pf-list-exclusive", test_pool_pf_list_exclusive);
        g_test_add_func("/core/netdef/pool/duplicate-netdev", test_pool_duplicate_netdev);
        g_test_add_func("/core/netdef/portgroup/first-conflict", test_portgroup_first_conflict);
        g_test_add_func("/core/netdef/xml/bounds", test_xml_bounds);
        g_test_add_func("/core/netdef/pool/duplicate-pci", test_pool_duplicate_pci);
        g_test_add_func("/core/netdef/pool/duplicate-usb", test_pool_duplicate_usb);
        g_test_add_func("/core/netdef/pool/duplicate-pf", test_pool_duplicate_pf);
        g_test_add_func("/core/netdef/pool/pci-only-hostdev", test_pool_pci_only_hostdev);
        g_test_add_func("/core/netdef/pool/hostdev-no-interface", test_pool_hostdev_no_interface);
        g_test_add_func("/core/netdef/pool/hybrid-pf-or-pci", test_pool_hybrid_pf_or_pci);
        g_test_add_func("/core/netdef/pool/usb-only-hostdev", test_pool_usb_only_hostdev);
        g_test_add_func("/core/netdef/pool/needed", test_pool_needed);
        g_test_add_func("/core/netdef/pool/pci-ranges", test_pool_pci_ranges);
        g_test_add_func("/core/netdef/forward-dev/alone", test_forward_dev_alone);
        g_test_add_func("/core/netdef/forward-dev/matches-first", test_forward_dev_matches_first);
        g_test_add_func("/core/netdef/forward-dev/not-hostdev", test_forward_dev_not_hostdev);
        g_test_add_func("/core/netdef/forward-dev/not-with-pf", test_forward_dev_not_with_pf);
        g_test_add_func("/core/netdef/managed/only-hostdev", test_managed_only_hostdev);
        g_test_add_func("/core/netdef/driver/only-hostdev", test_driver_only_hostdev);
        g_test_add_func("/core/netdef/hybrid/virtio", test_hybrid_virtio);
        g_test_add_func("/core/netdef/vlan/where-applicable", test_vlan_where_applicable);
        g_test_add_func("/core/netdef/vlan/id-range", test_vlan_id_range);
        g_test_add_func("/core/netdef/vlan/native-mode", test_vlan_native_mode);
        g_test_add_func("/core/netdef/vlan/trunk", test_vlan_trunk);
        g_test_add_func("/core/netdef/virtualport/types-by-mode", test_virtualport_types_by_mode);
        g_test_add_func("/core/netdef/virtualport/params-by-type", test_virtualport_params_by_type);
        g_test_add_func("/core/netdef/virtualport/kept-as-given", test_virtualport_kept_as_given);
        g_test_add_func("/core/netdef/virtualport/portgroup-conflict", test_virtualport_portgroup_conflict);
        g_test_add_func("/core/netdef/bridge/only-bridge-mode", test_bridge_only_bridge_mode);
        g_test_add_func("/core/netdef/bridge/not-with-pool", test_bridge_not_with_pool);
        g_test_add_func("/core/netdef/bridge/mac-table-manager", test_bridge_mac_table_manager);
        g_test_add_func("/core/netdef/bridge/name-rule", test_bridge_name_rule);
        g_test_add_func("/core/netdef/portgroup/one-default", test_portgroup_one_default);
        g_test_add_func("/core/netdef/portgroup/unique-names", test_portgroup_unique_names);
        g_test_add_func("/core/netdef/portgroup/name-rule", test_portgroup_name_rule);
        g_test_add_func("/core/netdef/portgroup/lookup", test_portgroup_lookup);
        g_test_add_func("/core/netdef/routed/modes", test_routed_modes);
        g_test_add_func("/core/netdef/routed/elements", test_routed_elements);
        g_test_add_func("/core/netdef/unknown-input", test_unknown_input);
        g_test_add_func("/core/netdef/connections", test_connections);
        g_test_add_func("/core/netdef/name-rule", test_name_rule);
        g_test_add_func("/core/netdef/uuid-rule", test_uuid_rule);
        g_test_add_func("/core/netdef/yes-no-attributes", test_yes_no_attributes);
        g_test_add_func("/core/netdef/title-one-line", test_title_one_line);
        g_test_add_func("/core/netdef/bandwidth", test_bandwidth);
        g_test_add_func("/core/netdef/vf-settings", test_vf_settings);
        g_test_add_func("/core/netdef/xml/too-large", test_xml_too_large);
        g_test_add_func("/core/netdef/xml/malformed", test_xml_malformed);
        g_test_add_func("/core/netdef/xml/doctype", test_xml_doctype);
        g_test_add_func("/core/netdef/xml/quiet", test_xml_quiet);
        g_test_add_func("/core/netdef/xml/root", test_xml_root);
        g_test_add_func("/core/netdef/state/expanded-pool", test_state_expanded_pool);
        g_test_add_func("/core/netdef/format/full", test_format_full);
        g_test_add_func("/core/netdef/metadata/namespaces", test_metadata_namespaces);
        g_test_add_func("/core/netdef/copy/deep", test_copy_deep);
        g_test_add_func("/core/netdef/free/half-built", test_free_half_built);
        g_test_add_func("/core/netdef/validate/hand-built", test_validate_hand_built);
        g_test_add_func("/core/netdef/forward-dev-id", test_forward_dev_id);
        g_test_add_func("/core/netdef/mode-strings", test_mode_strings);
        return g_test_run();
}
