/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the port XML netpoolctl writes for allocate and reads back from the daemon */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "ctl/netpoolctl-hint.h"
#include "ctl/netpoolctl-port.h"

static void test_request_xml(void) {
        PortRequest req = {
                .owner_name = "vm1",
                .owner_uuid = "d54df46f-1ab5-4a22-8618-4560ef5fac2c",
                .mac = "52:54:00:12:34:56",
                .vlan = 42,
        };
        g_autofree char *xml = port_request_format_xml(&req);

        g_assert_cmpstr(xml, ==,
                        "<networkport>\n"
                        "  <owner>\n"
                        "    <name>vm1</name>\n"
                        "    <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid>\n"
                        "  </owner>\n"
                        "  <mac address='52:54:00:12:34:56'/>\n"
                        "  <vlan>\n"
                        "    <tag id='42'/>\n"
                        "  </vlan>\n"
                        "</networkport>\n");
}

static void test_request_xml_escaped_no_vlan(void) {
        PortRequest req = {
                .owner_name = "a<b>&'c\"",
                .owner_uuid = "d54df46f-1ab5-4a22-8618-4560ef5fac2c",
                .mac = "52:54:00:12:34:56",
                .vlan = -1,
        };
        g_autofree char *xml = port_request_format_xml(&req);

        g_assert_nonnull(strstr(xml, "<name>a&lt;b&gt;&amp;&apos;c&quot;</name>"));
        g_assert_null(strstr(xml, "<vlan>"));
        g_assert_null(strstr(xml, "<uuid>\n"));
}

static void test_random_mac(void) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        for (unsigned i = 0; i < 64; i++) {
                char *mac = port_random_mac();

                g_assert_true(g_str_has_prefix(mac, "52:54:00:"));
                g_assert_cmpuint(strlen(mac), ==, 17);
                g_assert_true(port_mac_is_wellformed(mac));
                /* lower case, as the daemon writes MACs back */
                for (const char *p = mac + 9; *p; p++)
                        g_assert_true(*p == ':' || (g_ascii_isxdigit(*p) && !g_ascii_isupper(*p)));
                g_hash_table_add(seen, mac);
        }
        /* 24 random bits: 64 draws that repeat more than a few times would mean no randomness */
        g_assert_cmpuint(g_hash_table_size(seen), >, 60);
}

static void test_mac_wellformed(void) {
        g_assert_true(port_mac_is_wellformed("52:54:00:12:34:56"));
        g_assert_true(port_mac_is_wellformed("2:4:0:a:B:c"));
        g_assert_false(port_mac_is_wellformed(""));
        g_assert_false(port_mac_is_wellformed("52:54:00:12:34"));
        g_assert_false(port_mac_is_wellformed("52:54:00:12:34:56:78"));
        g_assert_false(port_mac_is_wellformed("52:54:00:12:34:567"));
        g_assert_false(port_mac_is_wellformed("52-54-00-12-34-56"));
        g_assert_false(port_mac_is_wellformed("52:54:00:12::56"));
        g_assert_false(port_mac_is_wellformed("52:54:00:12:34:5g"));
        g_assert_false(port_mac_is_wellformed("52:54:00:12:34:56 "));
}

static void test_mac_unicast(void) {
        g_assert_true(port_mac_is_multicast("01:00:5e:00:00:01"));
        g_assert_true(port_mac_is_multicast("ff:ff:ff:ff:ff:ff"));
        g_assert_true(port_mac_is_multicast("3:0:0:0:0:0"));
        g_assert_false(port_mac_is_multicast("52:54:00:12:34:56"));
        g_assert_false(port_mac_is_multicast("2:0:0:0:0:1"));
        g_assert_true(port_mac_is_zero("00:00:00:00:00:00"));
        g_assert_true(port_mac_is_zero("0:0:0:0:0:0"));
        g_assert_false(port_mac_is_zero("00:00:00:00:00:01"));
}

static void test_closest_name(void) {
        const char *const names[] = { "hostdev-ens1", "passthrough-eth0", "bridge", NULL };

        g_assert_cmpuint(ctl_edit_distance("kitten", "sitting", 5), ==, 3);
        g_assert_cmpuint(ctl_edit_distance("abc", "abc", 1), ==, 0);
        g_assert_cmpuint(ctl_edit_distance("a", "abcdef", 2), ==, 3);     /* capped at max + 1 */
        g_assert_cmpstr(ctl_closest_name("hostdev-esn1", names), ==, "hostdev-ens1");
        g_assert_cmpstr(ctl_closest_name("brigde", names), ==, "bridge");
        g_assert_null(ctl_closest_name("zzz", names));
        g_assert_null(ctl_closest_name("x", NULL));
}

static void test_uuid_wellformed(void) {
        g_assert_true(port_uuid_is_wellformed("d54df46f-1ab5-4a22-8618-4560ef5fac2c"));
        g_assert_true(port_uuid_is_wellformed("D54DF46F-1AB5-4A22-8618-4560EF5FAC2C"));
        g_assert_true(port_uuid_is_wellformed("d54df46f1ab54a2286184560ef5fac2c"));
        g_assert_false(port_uuid_is_wellformed(""));
        g_assert_false(port_uuid_is_wellformed("vm1"));
        g_assert_false(port_uuid_is_wellformed("d54df46f1ab54a2286184560ef5fac2"));
        g_assert_false(port_uuid_is_wellformed("d54df46f-1ab5-4a22-8618-4560ef5fac2"));
        g_assert_false(port_uuid_is_wellformed("x54df46f-1ab5-4a22-8618-4560ef5fac2c"));
}

static void test_vlan(void) {
        unsigned id = 12345;

        g_assert_cmpint(port_parse_vlan("0", &id), ==, 0);
        g_assert_cmpuint(id, ==, 0);
        g_assert_cmpint(port_parse_vlan("4095", &id), ==, 0);
        g_assert_cmpuint(id, ==, 4095);
        g_assert_cmpint(port_parse_vlan("042", &id), ==, 0);
        g_assert_cmpuint(id, ==, 42);
        id = 7;
        g_assert_cmpint(port_parse_vlan("4096", &id), ==, -EINVAL);
        g_assert_cmpint(port_parse_vlan("", &id), ==, -EINVAL);
        g_assert_cmpint(port_parse_vlan("-1", &id), ==, -EINVAL);
        g_assert_cmpint(port_parse_vlan("+5", &id), ==, -EINVAL);
        g_assert_cmpint(port_parse_vlan(" 5", &id), ==, -EINVAL);
        g_assert_cmpint(port_parse_vlan("0x10", &id), ==, -EINVAL);
        g_assert_cmpint(port_parse_vlan("99999999999999999999", &id), ==, -EINVAL);
        /* failures leave the output alone */
        g_assert_cmpuint(id, ==, 7);
}

static void assert_summary(const char *xml, const char *uuid, const char *mac, const char *type,
                           const char *device) {
        g_auto(PortSummary) s = {};

        g_assert_cmpint(port_summary_parse(xml, &s), ==, 0);
        g_assert_cmpstr(s.uuid, ==, uuid);
        g_assert_cmpstr(s.mac, ==, mac);
        g_assert_cmpstr(s.plug_type, ==, type);
        g_assert_cmpstr(s.device, ==, device);
}

#define PORT_HEAD                                                                               \
        "<networkport>\n"                                                                       \
        "  <uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>\n"                                 \
        "  <owner>\n"                                                                           \
        "    <name>memtest</name>\n"                                                            \
        "    <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid>\n"                               \
        "  </owner>\n"                                                                          \
        "  <mac address='52:54:00:7b:35:93'/>\n"
#define PORT_UUID "5d744f21-ba4a-4d6e-bdb2-30a35ff3207d"
#define PORT_MAC "52:54:00:7b:35:93"

static void test_summary_hostdev(void) {
        assert_summary(PORT_HEAD
                       "  <plug type='hostdev-pci' managed='yes'>\n"
                       "    <driver name='vfio'/>\n"
                       "    <address domain='0x0001' bus='0x02' slot='0x1f' function='0x7'/>\n"
                       "  </plug>\n"
                       "</networkport>\n",
                       PORT_UUID, PORT_MAC, "hostdev-pci", "0001:02:1f.7");
}

static void test_summary_hybrid_numbers(void) {
        /* decimal and octal fields, as the daemon's reader takes them too */
        assert_summary(PORT_HEAD
                       "  <plug type='hybrid' dev='enp3s0f0' mode='vepa'>\n"
                       "    <address domain='0' bus='16' slot='017' function='1'/>\n"
                       "  </plug>\n"
                       "</networkport>\n",
                       PORT_UUID, PORT_MAC, "hybrid", "0000:10:0f.1");
}

static void test_summary_direct_and_bridge(void) {
        assert_summary(PORT_HEAD "  <plug type='direct' dev='ens3' mode='vepa'/>\n</networkport>",
                       PORT_UUID, PORT_MAC, "direct", "ens3");
        assert_summary(PORT_HEAD "  <plug type='bridge' bridge='virbr0'/>\n</networkport>",
                       PORT_UUID, PORT_MAC, "bridge", "virbr0");
        assert_summary(PORT_HEAD "  <plug type='network' bridge='virbr1'/>\n</networkport>",
                       PORT_UUID, PORT_MAC, "network", "virbr1");
}

static void test_summary_ignores_nested(void) {
        /* the owner's uuid and the per-netdev MACs are not the port's */
        assert_summary("<networkport>\n"
                       "  <owner><name>x</name>"
                       "<uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>\n"
                       "  <uuid> " PORT_UUID " </uuid>\n"
                       "  <mac address='" PORT_MAC "'/>\n"
                       "  <netdev port='1'><mac address='52:54:00:aa:00:01'/></netdev>\n"
                       "</networkport>",
                       PORT_UUID, PORT_MAC, NULL, NULL);
}

static void test_summary_bad(void) {
        g_auto(PortSummary) s = {};

        g_assert_cmpint(port_summary_parse("", &s), ==, -EBADMSG);
        g_assert_cmpint(port_summary_parse("<network><uuid>" PORT_UUID "</uuid></network>", &s), ==,
                        -EBADMSG);
        g_assert_cmpint(port_summary_parse(PORT_HEAD, &s), ==, -EBADMSG);
        /* a port without its own uuid cannot be named */
        g_assert_cmpint(port_summary_parse("<networkport><mac address='" PORT_MAC "'/>"
                                           "</networkport>", &s), ==, -EBADMSG);
        g_assert_null(s.uuid);
        g_assert_null(s.mac);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ctl/port/request-xml", test_request_xml);
        g_test_add_func("/ctl/port/request-xml-escaped", test_request_xml_escaped_no_vlan);
        g_test_add_func("/ctl/port/random-mac", test_random_mac);
        g_test_add_func("/ctl/port/mac-wellformed", test_mac_wellformed);
        g_test_add_func("/ctl/port/mac-unicast", test_mac_unicast);
        g_test_add_func("/ctl/hint/closest-name", test_closest_name);
        g_test_add_func("/ctl/port/uuid-wellformed", test_uuid_wellformed);
        g_test_add_func("/ctl/port/vlan", test_vlan);
        g_test_add_func("/ctl/port/summary-hostdev", test_summary_hostdev);
        g_test_add_func("/ctl/port/summary-hybrid", test_summary_hybrid_numbers);
        g_test_add_func("/ctl/port/summary-direct-bridge", test_summary_direct_and_bridge);
        g_test_add_func("/ctl/port/summary-nested", test_summary_ignores_nested);
        g_test_add_func("/ctl/port/summary-bad", test_summary_bad);
        return g_test_run();
}
