/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the port XML netpoolctl writes for allocate, the checks of its option values (core's, which
 * netpoolctl links) and what it makes of a Port object's properties */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "core/names.h"
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
                g_assert_true(mac_is_valid(mac));
                /* lower case, as the daemon writes MACs back */
                for (const char *p = mac + 9; *p; p++)
                        g_assert_true(*p == ':' || (g_ascii_isxdigit(*p) && !g_ascii_isupper(*p)));
                g_hash_table_add(seen, mac);
        }
        /* 24 random bits: 64 draws that repeat more than a few times would mean no randomness */
        g_assert_cmpuint(g_hash_table_size(seen), >, 60);
}

/* allocate --claim without --mac/--owner-uuid: one claim on one network, one MAC and owner, whoever runs it;
 * another claim, or the same on another network, others */
static void test_claim_derived(void) {
        g_autofree char *mac = port_claim_mac("net-a", "job-7");
        g_autofree char *mac_again = port_claim_mac("net-a", "job-7");
        g_autofree char *mac_other = port_claim_mac("net-a", "job-8");
        g_autofree char *mac_other_net = port_claim_mac("net-b", "job-7");
        g_autofree char *owner = port_claim_owner_uuid("net-a", "job-7");
        g_autofree char *owner_again = port_claim_owner_uuid("net-a", "job-7");
        g_autofree char *owner_other = port_claim_owner_uuid("net-a", "job-8");
        g_autofree char *owner_other_net = port_claim_owner_uuid("net-b", "job-7");

        g_assert_cmpstr(mac, ==, mac_again);
        g_assert_cmpstr(mac, !=, mac_other);
        g_assert_cmpstr(mac, !=, mac_other_net);
        g_assert_true(g_str_has_prefix(mac, "52:54:00:"));
        g_assert_true(mac_is_valid(mac) && !mac_is_multicast(mac) && !mac_is_zero(mac));
        g_assert_cmpstr(owner, ==, owner_again);
        g_assert_cmpstr(owner, !=, owner_other);
        g_assert_cmpstr(owner, !=, owner_other_net);
        g_assert_true(uuid_is_valid(owner));
        g_assert_cmpint(owner[14], ==, '5');                                    /* version 5 */
        g_assert_nonnull(strchr("89ab", owner[19]));                            /* RFC variant */
        /* fixed forever: a port allocated with the claim must match a retry by a later netpoolctl */
        g_assert_cmpstr(mac, ==, "52:54:00:d8:aa:d7");
        /* Python's uuid.uuid5(UUID("76d6a347-defd-417c-9807-ac78b9a10540"), "owner\nnet-a\njob-7") */
        g_assert_cmpstr(owner, ==, "deb9a61d-95a8-5a4e-9206-fdc436c3c8fa");
}

static void test_claim_valid(void) {
        char longest[256];

        memset(longest, 'c', 255);
        longest[255] = '\0';
        g_assert_true(port_claim_id_is_valid("6f1c2e8a-4b0d-4a43-9d61-3c2f5e7a9b10/vf"));
        g_assert_true(port_claim_id_is_valid("a b~"));
        g_assert_true(port_claim_id_is_valid(longest));
        g_assert_false(port_claim_id_is_valid(""));
        g_assert_false(port_claim_id_is_valid("a\tb"));
        g_assert_false(port_claim_id_is_valid("\x7f"));
        g_assert_false(port_claim_id_is_valid("caf\xc3\xa9"));
        longest[254] = 'c';
        g_assert_true(port_claim_id_is_valid(longest));
}

static void test_mac_wellformed(void) {
        g_assert_true(mac_is_valid("52:54:00:12:34:56"));
        g_assert_true(mac_is_valid("2:4:0:a:B:c"));
        g_assert_false(mac_is_valid(""));
        g_assert_false(mac_is_valid("52:54:00:12:34"));
        g_assert_false(mac_is_valid("52:54:00:12:34:56:78"));
        g_assert_false(mac_is_valid("52:54:00:12:34:567"));
        g_assert_false(mac_is_valid("52-54-00-12-34-56"));
        g_assert_false(mac_is_valid("52:54:00:12::56"));
        g_assert_false(mac_is_valid("52:54:00:12:34:5g"));
        g_assert_false(mac_is_valid("52:54:00:12:34:56 "));
}

static void test_mac_unicast(void) {
        g_assert_true(mac_is_multicast("01:00:5e:00:00:01"));
        g_assert_true(mac_is_multicast("ff:ff:ff:ff:ff:ff"));
        g_assert_true(mac_is_multicast("3:0:0:0:0:0"));
        g_assert_false(mac_is_multicast("52:54:00:12:34:56"));
        g_assert_false(mac_is_multicast("2:0:0:0:0:1"));
        g_assert_true(mac_is_zero("00:00:00:00:00:00"));
        g_assert_true(mac_is_zero("0:0:0:0:0:0"));
        g_assert_false(mac_is_zero("00:00:00:00:00:01"));
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
        g_assert_true(uuid_is_valid("d54df46f-1ab5-4a22-8618-4560ef5fac2c"));
        g_assert_true(uuid_is_valid("D54DF46F-1AB5-4A22-8618-4560EF5FAC2C"));
        g_assert_true(uuid_is_valid("d54df46f1ab54a2286184560ef5fac2c"));
        g_assert_false(uuid_is_valid(""));
        g_assert_false(uuid_is_valid("vm1"));
        g_assert_false(uuid_is_valid("d54df46f1ab54a2286184560ef5fac2"));
        g_assert_false(uuid_is_valid("d54df46f-1ab5-4a22-8618-4560ef5fac2"));
        g_assert_false(uuid_is_valid("x54df46f-1ab5-4a22-8618-4560ef5fac2c"));
}

static void test_vlan(void) {
        unsigned id = 12345;

        g_assert_cmpint(vlan_id_parse("0", &id), ==, 0);
        g_assert_cmpuint(id, ==, 0);
        g_assert_cmpint(vlan_id_parse("4095", &id), ==, 0);
        g_assert_cmpuint(id, ==, 4095);
        g_assert_cmpint(vlan_id_parse("042", &id), ==, 0);
        g_assert_cmpuint(id, ==, 42);
        id = 7;
        g_assert_cmpint(vlan_id_parse("4096", &id), ==, -EINVAL);
        g_assert_cmpint(vlan_id_parse("", &id), ==, -EINVAL);
        g_assert_cmpint(vlan_id_parse("-1", &id), ==, -EINVAL);
        g_assert_cmpint(vlan_id_parse("+5", &id), ==, -EINVAL);
        g_assert_cmpint(vlan_id_parse(" 5", &id), ==, -EINVAL);
        g_assert_cmpint(vlan_id_parse("0x10", &id), ==, -EINVAL);
        g_assert_cmpint(vlan_id_parse("99999999999999999999", &id), ==, -EINVAL);
        /* failures leave the output alone */
        g_assert_cmpuint(id, ==, 7);
}

/* properties: name, value pairs as GetAll lists them, ending with NULL */
static void assert_summary(const char *const *properties, const char *uuid, const char *mac, const char *type,
                           const char *device) {
        g_auto(PortSummary) s = {};

        for (size_t i = 0; properties[i]; i += 2)
                port_summary_set(&s, properties[i], properties[i + 1]);
        g_assert_cmpstr(s.uuid, ==, uuid);
        g_assert_cmpstr(s.mac, ==, mac);
        g_assert_cmpstr(s.plug_type, ==, type);
        g_assert_cmpstr(port_summary_device(&s), ==, device);
}

#define PORT_UUID "5d744f21-ba4a-4d6e-bdb2-30a35ff3207d"
#define PORT_MAC "52:54:00:7b:35:93"
#define PORT_HEAD                                                                               \
        "UUID", PORT_UUID,                                                                      \
        "Network", "/org/netpool1/network/sriov",                                               \
        "OwnerName", "memtest",                                                                 \
        "OwnerUUID", "d54df46f-1ab5-4a22-8618-4560ef5fac2c",                                    \
        "MAC", PORT_MAC

static void test_summary_hostdev(void) {
        const char *const props[] = { PORT_HEAD, "PlugType", "hostdev-pci", "Device", "",
                                      "PCIAddress", "0001:02:1f.7", NULL };

        assert_summary(props, PORT_UUID, PORT_MAC, "hostdev-pci", "0001:02:1f.7");
}

static void test_summary_hybrid(void) {
        /* the VF's address, not its netdev: ListPorts names a PCI plug by its address */
        const char *const props[] = { PORT_HEAD, "PlugType", "hybrid", "Device", "enp3s0f0v1",
                                      "PCIAddress", "0000:10:0f.1", NULL };

        assert_summary(props, PORT_UUID, PORT_MAC, "hybrid", "0000:10:0f.1");
}

static void test_summary_direct_and_bridge(void) {
        const char *const direct[] = { PORT_HEAD, "PlugType", "direct", "Device", "ens3", "PCIAddress", "",
                                       NULL };
        const char *const bridge[] = { PORT_HEAD, "PlugType", "bridge", "Device", "virbr0", "PCIAddress", "",
                                       NULL };
        const char *const network[] = { "PCIAddress", "", "Device", "virbr1", "PlugType", "network", PORT_HEAD,
                                        NULL };

        assert_summary(direct, PORT_UUID, PORT_MAC, "direct", "ens3");
        assert_summary(bridge, PORT_UUID, PORT_MAC, "bridge", "virbr0");
        /* in any order */
        assert_summary(network, PORT_UUID, PORT_MAC, "network", "virbr1");
}

static void test_summary_owner_is_not_the_port(void) {
        /* the owner's UUID and name, and properties of a newer daemon, are not the port's */
        const char *const props[] = { "OwnerUUID", "d54df46f-1ab5-4a22-8618-4560ef5fac2c", "UUID", PORT_UUID,
                                      "OwnerName", "x", "MAC", PORT_MAC, "NetdevMACs", "52:54:00:aa:00:01",
                                      "PlugType", "", "Device", "", "PCIAddress", "", NULL };

        assert_summary(props, PORT_UUID, PORT_MAC, NULL, NULL);
}

static void test_summary_empty(void) {
        /* "" is a property's none: nothing to print, and a later value replaces an earlier one */
        const char *const props[] = { PORT_HEAD, "UUID", "", "MAC", "", "PlugType", "", "Device", "",
                                      "PCIAddress", "", NULL };
        const char *const none[] = { NULL };

        assert_summary(props, NULL, NULL, NULL, NULL);
        assert_summary(none, NULL, NULL, NULL, NULL);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ctl/port/request-xml", test_request_xml);
        g_test_add_func("/ctl/port/request-xml-escaped", test_request_xml_escaped_no_vlan);
        g_test_add_func("/ctl/port/random-mac", test_random_mac);
        g_test_add_func("/ctl/port/claim-derived", test_claim_derived);
        g_test_add_func("/ctl/port/claim-valid", test_claim_valid);
        g_test_add_func("/ctl/port/mac-wellformed", test_mac_wellformed);
        g_test_add_func("/ctl/port/mac-unicast", test_mac_unicast);
        g_test_add_func("/ctl/hint/closest-name", test_closest_name);
        g_test_add_func("/ctl/port/uuid-wellformed", test_uuid_wellformed);
        g_test_add_func("/ctl/port/vlan", test_vlan);
        g_test_add_func("/ctl/port/summary-hostdev", test_summary_hostdev);
        g_test_add_func("/ctl/port/summary-hybrid", test_summary_hybrid);
        g_test_add_func("/ctl/port/summary-direct-bridge", test_summary_direct_and_bridge);
        g_test_add_func("/ctl/port/summary-owner", test_summary_owner_is_not_the_port);
        g_test_add_func("/ctl/port/summary-empty", test_summary_empty);
        return g_test_run();
}
