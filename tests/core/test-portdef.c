/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the port XML core: one case per element and rule, plus format, copy, validate, XML safety */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "refusal.h"
#include "core/portdef.h"

/* A <networkport> with the required owner and mac; body starts on line 7 */
#define OWNER_UUID "d54df46f-1ab5-4a22-8618-4560ef5fac2c"
#define PORT_HEAD "<networkport>\n  <owner>\n    <name>vm1</name>\n    <uuid>" OWNER_UUID "</uuid>\n" \
                  "  </owner>\n  <mac address='52:54:00:7b:35:93'/>\n"
#define PORT(body) PORT_HEAD body "</networkport>\n"
#define PCI_ADDR "    <address domain='0x0000' bus='0x03' slot='0x10' function='0x1'/>\n"

static int sentinel;
#define UNTOUCHED ((PortDef *) &sentinel)

/* Parse must fail with -EINVAL at line, the message naming line and needle, and return nothing */
static void refused_with(const char *xml, int want_r, unsigned line, const char *needle) {
        g_auto(NetDefError) err = {};
        PortDef *def = UNTOUCHED;
        int r;

        r = portdef_parse_xml(xml, &def, &err);
        g_test_message("refused (%d): %s", r, err.message);
        g_assert_cmpint(r, ==, want_r);
        g_assert_true(def == UNTOUCHED);
        assert_refusal_names(&err, line, needle);
}

static void refused(const char *xml, unsigned line, const char *needle) {
        refused_with(xml, -EINVAL, line, needle);
}

static PortDef *accepted(const char *xml) {
        g_auto(NetDefError) err = {};
        PortDef *def = NULL;
        int r;

        r = portdef_parse_xml(xml, &def, &err);
        if (r < 0)
                g_error("refused (%d): %s\n%s", r, err.message, xml);
        g_assert_null(err.message);
        g_assert_nonnull(def);
        /* whatever the parser takes, the validator takes too */
        g_assert_cmpint(portdef_validate(def, &err), ==, 0);
        return def;
}

/* parse, format, compare exactly */
static void assert_formats(const char *xml, const char *want) {
        g_autoptr(PortDef) def = accepted(xml);
        g_autofree char *out = portdef_format_xml(def);

        g_assert_cmpstr(out, ==, want);
}

/* the input is already in libvirt's form: it comes back byte for byte */
static void assert_round_trip(const char *xml) {
        assert_formats(xml, xml);
}

/* ---- elements ---- */

static void test_uuid(void) {
        g_autoptr(PortDef) bare = accepted(PORT(""));
        g_autoptr(PortDef) dense = accepted(PORT("  <uuid>5D744F21BA4A4D6EBDB230A35FF3207D</uuid>\n"));
        g_autofree char *out = portdef_format_xml(bare);

        /* absent: left empty for Allocate, and not written */
        g_assert_cmpstr(bare->uuid, ==, "");
        g_assert_null(strstr(out, "<uuid>5"));
        g_assert_true(g_str_has_prefix(out, "<networkport>\n  <owner>\n"));
        g_assert_cmpstr(dense->uuid, ==, "5d744f21-ba4a-4d6e-bdb2-30a35ff3207d");
        refused(PORT("  <uuid>5d744f21-ba4a-4d6e-bdb2</uuid>\n"), 7, "<uuid>: '5d744f21-ba4a-4d6e-bdb2' is not a UUID");
        refused(PORT("  <uuid><x/></uuid>\n"), 7, "<x>: unknown element in <uuid>, which holds text only");
}

static void test_owner(void) {
        g_autoptr(PortDef) def = accepted(PORT(""));

        g_assert_cmpstr(def->owner_name, ==, "vm1");
        g_assert_cmpstr(def->owner_uuid, ==, OWNER_UUID);
        refused("<networkport>\n  <mac address='52:54:00:7b:35:93'/>\n</networkport>\n", 1,
                "<networkport>: <owner> is required");
        refused("<networkport>\n  <owner>\n    <uuid>" OWNER_UUID "</uuid>\n  </owner>\n"
                "  <mac address='52:54:00:7b:35:93'/>\n</networkport>\n", 2, "<owner>: <name> is required");
        refused("<networkport>\n  <owner>\n    <name>vm1</name>\n  </owner>\n"
                "  <mac address='52:54:00:7b:35:93'/>\n</networkport>\n", 2, "<owner>: <uuid> is required");
        refused("<networkport>\n  <owner>\n    <name>vm1</name>\n    <uuid>nope</uuid>\n  </owner>\n"
                "</networkport>\n", 4, "<uuid>: 'nope' is not a UUID");
        refused("<networkport>\n  <owner>\n    <name></name>\n  </owner>\n</networkport>\n", 3,
                "<name>: '' is empty");
        refused("<networkport>\n  <owner>\n    <name>a&#9;b</name>\n  </owner>\n</networkport>\n", 3,
                "contains a control character");
        refused("<networkport>\n  <owner>\n    <name>a</name>\n    <name>b</name>\n  </owner>\n</networkport>\n",
                4, "<name>: given more than once");
        refused("<networkport>\n  <owner>\n    <id>3</id>\n  </owner>\n</networkport>\n", 3,
                "<id>: unknown element in <owner>");
        refused("<networkport>\n  <owner id='3'/>\n</networkport>\n", 2, "<owner>: unknown attribute 'id'");
}

static void test_group(void) {
        g_autoptr(PortDef) def = accepted(PORT("  <group>web1</group>\n"));

        g_assert_cmpstr(def->group, ==, "web1");
        refused(PORT("  <group>web 1</group>\n"), 7, "<group>: 'web 1' is not a portgroup name");
        refused(PORT("  <group></group>\n"), 7, "is not a portgroup name");
}

static void test_mac(void) {
        g_autoptr(PortDef) def = accepted("<networkport>\n  <owner>\n    <name>vm1</name>\n    <uuid>"
                                          OWNER_UUID "</uuid>\n  </owner>\n  <mac address='2:AB:0:7b:35:F3'/>\n"
                                          "</networkport>\n");

        g_assert_cmpstr(def->mac, ==, "02:ab:00:7b:35:f3");
        refused("<networkport>\n  <owner>\n    <name>vm1</name>\n    <uuid>" OWNER_UUID "</uuid>\n  </owner>\n"
                "</networkport>\n", 1, "<networkport>: <mac> is required");
        refused(PORT("  <mac address='01:00:5e:00:00:01'/>\n"), 7, "<mac>: given more than once");
        refused("<networkport>\n  <mac address='01:00:5e:00:00:01'/>\n</networkport>\n", 2,
                "<mac>: address '01:00:5e:00:00:01' is a multicast address");
        refused("<networkport>\n  <mac address='ff:ff:ff:ff:ff:ff'/>\n</networkport>\n", 2, "multicast");
        refused("<networkport>\n  <mac address='00:00:00:00:00:00'/>\n</networkport>\n", 2, "is all zeros");
        refused("<networkport>\n  <mac address='52:54:00:7b:35'/>\n</networkport>\n", 2, "is not a MAC address");
        refused("<networkport>\n  <mac/>\n</networkport>\n", 2, "<mac>: attribute 'address' is required");
        refused("<networkport>\n  <mac address='52:54:00:7b:35:93' type='x'/>\n</networkport>\n", 2,
                "<mac>: unknown attribute 'type'");
}

static void test_virtualport(void) {
        const char *xml = PORT("  <virtualport type='802.1Qbg'>\n"
                               "    <parameters managerid='11' typeid='1193047' typeidversion='2'/>\n"
                               "  </virtualport>\n");
        g_autoptr(PortDef) def = accepted(xml);

        g_assert_cmpint(def->virtualport->type, ==, VIRTUALPORT_8021QBG);
        g_assert_cmpstr(def->virtualport->typeid, ==, "1193047");
        assert_round_trip(xml);
        refused(PORT("  <virtualport type='openvswitch'>\n    <parameters managerid='1'/>\n  </virtualport>\n"),
                8, "parameter 'managerid' does not apply to virtualport type 'openvswitch'");
}

static void test_bandwidth(void) {
        const char *xml = PORT("  <bandwidth classID='1729'>\n"
                               "    <inbound average='1000' peak='4000' floor='2000' burst='1024'/>\n"
                               "    <outbound average='128' peak='256' burst='32768'/>\n  </bandwidth>\n");
        g_autoptr(PortDef) def = accepted(xml);

        g_assert_cmpuint(def->bandwidth_class_id, ==, 1729);
        g_assert_cmpuint(def->bandwidth->inbound->floor, ==, 2000);
        assert_round_trip(xml);
        assert_round_trip(PORT("  <bandwidth>\n    <outbound average='128'/>\n  </bandwidth>\n"));
        refused(PORT("  <bandwidth classID='0'>\n    <inbound average='1'/>\n  </bandwidth>\n"), 7,
                "<bandwidth>: classID '0' is not a class number");
        refused(PORT("  <bandwidth classID='x'>\n    <inbound average='1'/>\n  </bandwidth>\n"), 7,
                "classID 'x' is not a class number");
        refused(PORT("  <bandwidth classID='4294967296'>\n    <inbound average='1'/>\n  </bandwidth>\n"), 7,
                "is not a class number");
        refused(PORT("  <bandwidth classID='3'/>\n"), 7, "<bandwidth>: classID needs <inbound> or <outbound>");
        refused(PORT("  <bandwidth>\n    <outbound floor='1'/>\n  </bandwidth>\n"), 8,
                "<outbound>: unknown attribute 'floor'");
        refused(PORT("  <bandwidth class='3'/>\n"), 7, "<bandwidth>: unknown attribute 'class'");
}

#define VF_NS "xmlns:netpool='urn:netpool:xml:1'"

/* <mtu> and <netpool:vf>: every attribute, as given, and each value out of range */
static void test_vf_settings(void) {
        const char *xml = PORT("  <mtu size='9000'/>\n"
                               "  <netpool:vf " VF_NS " trust='yes' spoofchk='no' link-state='disable' "
                               "min-tx-rate='10' max-tx-rate='100' vlan-qos='5' vlan-protocol='802.1ad'/>\n");
        g_autoptr(PortDef) def = accepted(xml);
        g_autoptr(PortDef) copy = portdef_copy(def);

        g_assert_cmpuint(def->mtu, ==, 9000);
        g_assert_cmpint(def->vf->trust, ==, TRISTATE_YES);
        g_assert_cmpint(def->vf->spoofchk, ==, TRISTATE_NO);
        g_assert_cmpint(def->vf->link_state, ==, VF_LINK_STATE_DISABLE);
        g_assert_cmpint(def->vf->vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpuint(def->vf->vlan_qos, ==, 5);
        g_assert_cmpuint(def->vf->min_tx_rate, ==, 10);
        g_assert_cmpuint(copy->vf->max_tx_rate, ==, 100);
        g_assert_true(copy->vf != def->vf);
        assert_round_trip(xml);
        /* any prefix for the namespace; written back as netpool: */
        assert_formats(PORT("  <x:vf xmlns:x='urn:netpool:xml:1' max-tx-rate='0'/>\n"),
                       PORT("  <netpool:vf " VF_NS " max-tx-rate='0'/>\n"));
        assert_round_trip(PORT("  <netpool:vf " VF_NS "/>\n"));

        refused(PORT("  <mtu size='67'/>\n"), 7, "<mtu>: size '67' is not an MTU from 68 to 65535");
        refused(PORT("  <mtu size='65536'/>\n"), 7, "is not an MTU");
        refused(PORT("  <mtu/>\n"), 7, "<mtu>: attribute 'size' is required");
        refused(PORT("  <mtu size='1500' bytes='1'/>\n"), 7, "<mtu>: unknown attribute 'bytes'");
        refused(PORT("  <netpool:vf " VF_NS " vlan-qos='8'/>\n"), 7,
                "<netpool:vf>: vlan-qos '8' is not a number from 0 to 7");
        refused(PORT("  <netpool:vf " VF_NS " trust='maybe'/>\n"), 7, "<netpool:vf>: trust 'maybe' is neither");
        refused(PORT("  <netpool:vf " VF_NS " spoofchk='1'/>\n"), 7, "spoofchk '1' is neither");
        refused(PORT("  <netpool:vf " VF_NS " link-state='up'/>\n"), 7, "link-state 'up' is not one of");
        refused(PORT("  <netpool:vf " VF_NS " vlan-protocol='802.1x'/>\n"), 7, "vlan-protocol '802.1x' is neither");
        refused(PORT("  <netpool:vf " VF_NS " max-tx-rate='4294967296'/>\n"), 7, "max-tx-rate '4294967296' is not");
        refused(PORT("  <netpool:vf " VF_NS " min-tx-rate='-1'/>\n"), 7, "min-tx-rate '-1' is not");
        refused(PORT("  <netpool:vf " VF_NS " min-tx-rate='200' max-tx-rate='100'/>\n"), 7,
                "<netpool:vf>: min-tx-rate is above max-tx-rate");
        refused(PORT("  <netpool:vf " VF_NS " mtu='1500'/>\n"), 7, "<netpool:vf>: unknown attribute 'mtu'");
        refused(PORT("  <netpool:vf " VF_NS ">\n    <x/>\n  </netpool:vf>\n"), 7, "<netpool:vf>: holds no content");
        refused(PORT("  <netpool:vf " VF_NS "/>\n  <netpool:vf " VF_NS "/>\n"), 8, "given more than once");
        refused(PORT("  <mtu size='1500'/>\n  <mtu size='1500'/>\n"), 8, "given more than once");
        refused(PORT("  <netpool:vif " VF_NS "/>\n"), 7, "unknown element");
}

static void test_vlan(void) {
        const char *xml = PORT("  <vlan trunk='yes'>\n    <tag id='2'/>\n    <tag id='1729'/>\n  </vlan>\n");
        g_autoptr(PortDef) def = accepted(xml);

        g_assert_cmpuint(def->vlan->tags->len, ==, 2);
        assert_round_trip(xml);
        assert_round_trip(PORT("  <vlan>\n    <tag id='0'/>\n  </vlan>\n"));
        assert_round_trip(PORT("  <vlan>\n    <tag id='4095'/>\n  </vlan>\n"));
        refused(PORT("  <vlan>\n    <tag id='4096'/>\n  </vlan>\n"), 8, "<tag>: id '4096' is not a VLAN id (0–4095)");
}

static void test_port_isolated(void) {
        g_autoptr(PortDef) yes = accepted(PORT("  <port isolated='yes'/>\n"));
        g_autoptr(PortDef) no = accepted(PORT("  <port isolated='no'/>\n"));

        g_assert_cmpint(yes->port_isolated, ==, TRISTATE_YES);
        g_assert_cmpint(no->port_isolated, ==, TRISTATE_NO);
        assert_round_trip(PORT("  <port isolated='no'/>\n"));
        refused(PORT("  <port/>\n"), 7, "<port>: attribute 'isolated' is required");
        refused(PORT("  <port isolated='1'/>\n"), 7, "isolated '1' is neither 'yes' nor 'no'");
}

static void test_rxfilters(void) {
        g_autoptr(PortDef) def = accepted(PORT("  <rxfilters trustGuest='yes'/>\n"));

        g_assert_cmpint(def->trust_guest_rx_filters, ==, TRISTATE_YES);
        assert_round_trip(PORT("  <rxfilters trustGuest='no'/>\n"));
        refused(PORT("  <rxfilters/>\n"), 7, "<rxfilters>: attribute 'trustGuest' is required");
        refused(PORT("  <rxfilters trustGuest='true'/>\n"), 7, "trustGuest 'true' is neither 'yes' nor 'no'");
        refused(PORT("  <rxfilters trustGuest='yes'>\n    <x/>\n  </rxfilters>\n"), 8, "unknown element in <rxfilters>");
}

/* ---- plugs ---- */

static void test_plug_direct(void) {
        const char *xml = PORT("  <plug type='direct' dev='ens3' mode='passthrough'/>\n");
        g_autoptr(PortDef) def = accepted(xml);
        g_autoptr(PortDef) dflt = accepted(PORT("  <plug type='direct' dev='ens3'/>\n"));

        g_assert_cmpint(def->plug_type, ==, PORT_PLUG_DIRECT);
        g_assert_cmpstr(def->plug.dev, ==, "ens3");
        g_assert_cmpint(def->plug.mode, ==, PORT_MACVTAP_PASSTHROUGH);
        assert_round_trip(xml);
        /* an absent mode is vepa, and written as such (libvirt does the same) */
        g_assert_cmpint(dflt->plug.mode, ==, PORT_MACVTAP_VEPA);
        assert_formats(PORT("  <plug type='direct' dev='ens3'/>\n"),
                       PORT("  <plug type='direct' dev='ens3' mode='vepa'/>\n"));
        refused(PORT("  <plug type='direct' mode='vepa'/>\n"), 7,
                "<plug>: a plug of type 'direct' needs attribute 'dev'");
        refused(PORT("  <plug type='direct' dev='a/b'/>\n"), 7, "dev 'a/b' is not a valid netdev name");
        refused(PORT("  <plug type='direct' dev='ens3' mode='bridged'/>\n"), 7,
                "mode 'bridged' is not one of vepa, private, bridge, passthrough");
        refused(PORT("  <plug type='direct' dev='ens3' bridge='br0'/>\n"), 7,
                "attribute 'bridge' does not apply to a plug of type 'direct'");
        refused(PORT("  <plug type='direct' dev='ens3' managed='yes'/>\n"), 7,
                "attribute 'managed' does not apply to a plug of type 'direct'");
        refused(PORT("  <plug type='direct' dev='ens3'>\n" PCI_ADDR "  </plug>\n"), 8,
                "<address>: does not apply to a plug of type 'direct'");
}

static void test_plug_hostdev_pci(void) {
        const char *xml = PORT("  <plug type='hostdev-pci' managed='yes'>\n    <driver name='vfio'/>\n"
                               "    <address domain='0x0001' bus='0x02' slot='0x03' function='0x4'/>\n  </plug>\n");
        g_autoptr(PortDef) def = accepted(xml);

        g_assert_cmpint(def->plug_type, ==, PORT_PLUG_HOSTDEV_PCI);
        g_assert_cmpint(def->plug.managed, ==, TRISTATE_YES);
        g_assert_cmpint(def->plug.driver, ==, PORT_PCI_DRIVER_VFIO);
        g_assert_cmpuint(def->plug.address.domain, ==, 1);
        g_assert_cmpuint(def->plug.address.function, ==, 4);
        assert_round_trip(xml);
        /* neither managed nor driver is required; type='pci' and decimal numbers are read too */
        assert_formats(PORT("  <plug type='hostdev-pci'>\n"
                            "    <address type='pci' domain='0' bus='3' slot='16' function='1'/>\n  </plug>\n"),
                       PORT("  <plug type='hostdev-pci'>\n" PCI_ADDR "  </plug>\n"));
        refused(PORT("  <plug type='hostdev-pci' managed='yes'/>\n"), 7,
                "<plug>: a plug of type 'hostdev-pci' needs an <address>");
        refused(PORT("  <plug type='hostdev-pci'>\n    <address domain='0' bus='3' function='1'/>\n  </plug>\n"), 8,
                "<address>: attribute 'slot' is required");
        refused(PORT("  <plug type='hostdev-pci'>\n    <address domain='0' bus='0' slot='0' function='1'/>\n"
                     "  </plug>\n"), 7, "<plug>: a plug of type 'hostdev-pci' needs the <address> of a device");
        refused(PORT("  <plug type='hostdev-pci'>\n    <address domain='0' bus='3' slot='0x20' function='1'/>\n"
                     "  </plug>\n"), 8, "slot '0x20' is out of range (at most 0x1f)");
        refused(PORT("  <plug type='hostdev-pci'>\n    <address type='usb' domain='0' bus='3' slot='0' "
                     "function='1'/>\n  </plug>\n"), 8, "type 'usb' is not 'pci'");
        refused(PORT("  <plug type='hostdev-pci'>\n    <address domain='0' bus='3' slot='0' function='1' "
                     "multifunction='on'/>\n  </plug>\n"), 8, "unknown attribute 'multifunction'");
        refused(PORT("  <plug type='hostdev-pci'>\n    <driver name='default'/>\n" PCI_ADDR "  </plug>\n"), 8,
                "<driver>: name 'default' is not one of kvm, vfio, xen");
        refused(PORT("  <plug type='hostdev-pci'>\n    <driver/>\n" PCI_ADDR "  </plug>\n"), 8,
                "<driver>: attribute 'name' is required");
        refused(PORT("  <plug type='hostdev-pci'>\n" PCI_ADDR PCI_ADDR "  </plug>\n"), 9,
                "<address>: given more than once");
        refused(PORT("  <plug type='hostdev-pci' dev='eth0'>\n" PCI_ADDR "  </plug>\n"), 7,
                "attribute 'dev' does not apply to a plug of type 'hostdev-pci'");
        refused(PORT("  <plug type='hostdev-pci' managed='maybe'>\n" PCI_ADDR "  </plug>\n"), 7,
                "managed 'maybe' is neither 'yes' nor 'no'");
        refused(PORT("  <plug type='hostdev-pci'>\n    <rom bar='off'/>\n  </plug>\n"), 8,
                "<rom>: unknown element in <plug>");
}

static void test_plug_bridge(void) {
        const char *xml = PORT("  <plug type='bridge' bridge='virbr0' macTableManager='libvirt'/>\n");
        g_autoptr(PortDef) def = accepted(xml);

        g_assert_cmpint(def->plug_type, ==, PORT_PLUG_BRIDGE);
        g_assert_cmpstr(def->plug.bridge, ==, "virbr0");
        g_assert_cmpint(def->plug.mac_table_manager, ==, PORT_MAC_TABLE_MANAGER_LIBVIRT);
        assert_round_trip(xml);
        assert_round_trip(PORT("  <plug type='bridge' bridge='virbr0' macTableManager='kernel'/>\n"));
        assert_round_trip(PORT("  <plug type='bridge' bridge='virbr0'/>\n"));
        refused(PORT("  <plug type='bridge'/>\n"), 7, "a plug of type 'bridge' needs attribute 'bridge'");
        refused(PORT("  <plug type='bridge' bridge='virbr0' macTableManager='switch'/>\n"), 7,
                "macTableManager 'switch' is neither 'kernel' nor 'libvirt'");
        refused(PORT("  <plug type='bridge' bridge='a bridge'/>\n"), 7, "bridge 'a bridge' is not a valid netdev name");
        refused(PORT("  <plug type='bridge' bridge='virbr0' mode='vepa'/>\n"), 7,
                "attribute 'mode' does not apply to a plug of type 'bridge'");
        refused(PORT("  <plug type='bridge' bridge='virbr0'>\n    <driver name='vfio'/>\n  </plug>\n"), 8,
                "<driver>: does not apply to a plug of type 'bridge'");
}

static void test_plug_network(void) {
        const char *xml = PORT("  <plug type='network' bridge='virbr0' macTableManager='kernel'/>\n");
        g_autoptr(PortDef) def = accepted(xml);

        g_assert_cmpint(def->plug_type, ==, PORT_PLUG_NETWORK);
        g_assert_cmpstr(def->plug.bridge, ==, "virbr0");
        assert_round_trip(xml);
        refused(PORT("  <plug type='network' dev='virbr0'/>\n"), 7,
                "attribute 'dev' does not apply to a plug of type 'network'");
        refused(PORT("  <plug type='network' macTableManager='kernel'/>\n"), 7,
                "a plug of type 'network' needs attribute 'bridge'");
}

static void test_plug_hybrid(void) {
        const char *xml = PORT("  <plug type='hybrid' dev='enp3s0f0' mode='private' managed='yes'>\n"
                               "    <driver name='vfio'/>\n" PCI_ADDR "  </plug>\n");
        g_autoptr(PortDef) def = accepted(xml);

        g_assert_cmpint(def->plug_type, ==, PORT_PLUG_HYBRID);
        g_assert_cmpstr(def->plug.dev, ==, "enp3s0f0");
        g_assert_cmpint(def->plug.mode, ==, PORT_MACVTAP_PRIVATE);
        g_assert_cmpint(def->plug.managed, ==, TRISTATE_YES);
        g_assert_cmpint(def->plug.driver, ==, PORT_PCI_DRIVER_VFIO);
        g_assert_cmpuint(def->plug.address.slot, ==, 0x10);
        assert_round_trip(xml);
        assert_formats(PORT("  <plug type='hybrid' dev='enp3s0f0'>\n" PCI_ADDR "  </plug>\n"),
                       PORT("  <plug type='hybrid' dev='enp3s0f0' mode='vepa'>\n" PCI_ADDR "  </plug>\n"));
        refused(PORT("  <plug type='hybrid' dev='enp3s0f0' mode='passthrough'>\n" PCI_ADDR "  </plug>\n"), 7,
                "mode 'passthrough' does not apply to a hybrid plug");
        refused(PORT("  <plug type='hybrid' dev='enp3s0f0'/>\n"), 7, "a plug of type 'hybrid' needs an <address>");
        refused(PORT("  <plug type='hybrid'>\n" PCI_ADDR "  </plug>\n"), 7,
                "a plug of type 'hybrid' needs attribute 'dev'");
        refused(PORT("  <plug type='hybrid' dev='enp3s0f0' bridge='br0'>\n" PCI_ADDR "  </plug>\n"), 7,
                "attribute 'bridge' does not apply to a plug of type 'hybrid'");
}

static void test_plug_type(void) {
        g_autoptr(PortDef) none = accepted(PORT(""));

        g_assert_cmpint(none->plug_type, ==, PORT_PLUG_NONE);
        refused(PORT("  <plug dev='eth0'/>\n"), 7, "<plug>: attribute 'type' is required");
        refused(PORT("  <plug type='none'/>\n"), 7, "type 'none' is not one of direct, hostdev-pci, hybrid");
        refused(PORT("  <plug type='vdpa'/>\n"), 7, "type 'vdpa' is not one of");
        refused(PORT("  <plug type='bridge' bridge='b' color='red'/>\n"), 7, "<plug>: unknown attribute 'color'");
        refused(PORT("  <plug type='bridge' bridge='b'/>\n  <plug type='bridge' bridge='b'/>\n"), 8,
                "<plug>: given more than once");
}

/* ---- netpool's per-port netdevs ---- */

static void test_netdev(void) {
        /* given in any order, written in port order, before the plug */
        const char *in = PORT("  <netdev port='2'>\n    <vlan>\n      <tag id='43'/>\n    </vlan>\n"
                              "    <mac address='52:54:00:AA:00:02'/>\n  </netdev>\n"
                              "  <netdev port='1'>\n    <mac address='52:54:00:aa:00:01'/>\n  </netdev>\n"
                              "  <plug type='hostdev-pci'>\n" PCI_ADDR "  </plug>\n");
        const char *want = PORT("  <netdev port='1'>\n    <mac address='52:54:00:aa:00:01'/>\n  </netdev>\n"
                                "  <netdev port='2'>\n    <mac address='52:54:00:aa:00:02'/>\n"
                                "    <vlan>\n      <tag id='43'/>\n    </vlan>\n  </netdev>\n"
                                "  <plug type='hostdev-pci'>\n" PCI_ADDR "  </plug>\n");
        g_autoptr(PortDef) def = accepted(in);

        g_assert_true(def->netdevs[0].present);
        g_assert_cmpstr(def->netdevs[0].mac, ==, "52:54:00:aa:00:01");
        g_assert_null(def->netdevs[0].vlan);
        g_assert_cmpstr(def->netdevs[1].mac, ==, "52:54:00:aa:00:02");
        g_assert_cmpuint(g_array_index(def->netdevs[1].vlan->tags, VlanTag, 0).id, ==, 43);
        assert_formats(in, want);
        assert_round_trip(want);
        assert_round_trip(PORT("  <netdev port='2'/>\n"));
        assert_round_trip(PORT("  <netdev port='1'>\n    <vlan>\n      <tag id='7'/>\n    </vlan>\n  </netdev>\n"
                               "  <plug type='hybrid' dev='eth0' mode='vepa'>\n" PCI_ADDR "  </plug>\n"));
}

static void test_netdev_rules(void) {
        refused(PORT("  <netdev/>\n"), 7, "<netdev>: attribute 'port' is required (1 or 2)");
        refused(PORT("  <netdev port='0'/>\n"), 7, "port '0' is neither 1 nor 2");
        refused(PORT("  <netdev port='3'/>\n"), 7, "port '3' is neither 1 nor 2");
        refused(PORT("  <netdev port='1'/>\n  <netdev port='1'/>\n"), 8, "port '1' is given twice");
        refused(PORT("  <netdev port='1' mac='52:54:00:aa:00:01'/>\n"), 7, "unknown attribute 'mac'");
        refused(PORT("  <netdev port='1'>\n    <mac address='33:33:00:00:00:01'/>\n  </netdev>\n"), 8,
                "<mac>: address '33:33:00:00:00:01' is a multicast address");
        refused(PORT("  <netdev port='1'>\n    <vlan>\n      <tag id='5000'/>\n    </vlan>\n  </netdev>\n"), 9,
                "id '5000' is not a VLAN id");
        refused(PORT("  <netdev port='1'>\n    <mac address='52:54:00:aa:00:01'/>\n"
                     "    <mac address='52:54:00:aa:00:02'/>\n  </netdev>\n"), 9, "<mac>: given more than once");
        refused(PORT("  <netdev port='1'>\n    <bandwidth/>\n  </netdev>\n"), 8, "unknown element in <netdev>");
        refused(PORT("  <netdev port='1'>\n    <mac address='52:54:00:aa:00:01'/>\n  </netdev>\n"
                     "  <netdev port='2'>\n    <mac address='52:54:00:AA:00:01'/>\n  </netdev>\n"), 10,
                "<netdev>: <mac>: address '52:54:00:aa:00:01' is port 1's too");
        refused(PORT("  <netdev port='2'/>\n  <plug type='direct' dev='eth0'/>\n"), 7,
                "<netdev>: per-port settings apply to hostdev-pci and hybrid plugs, not to a plug of type 'direct'");
        refused(PORT("  <plug type='bridge' bridge='br0'/>\n  <netdev port='1'/>\n"), 8, "type 'bridge'");
}

/* ---- the document ---- */

static void test_once(void) {
        static const char *const singles[] = {
                "  <uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>\n", "  <group>g</group>\n",
                "  <virtualport type='openvswitch'/>\n", "  <bandwidth/>\n",
                "  <vlan>\n    <tag id='1'/>\n  </vlan>\n", "  <port isolated='yes'/>\n",
                "  <rxfilters trustGuest='no'/>\n",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(singles); i++) {
                g_autofree char *xml = g_strconcat(PORT_HEAD, singles[i], singles[i], "</networkport>\n", NULL);
                unsigned second = 7;    /* the second copy starts as many lines below as the first has */

                for (const char *s = singles[i]; *s; s++)
                        second += *s == '\n';
                refused(xml, second, "given more than once");
        }
        refused("<networkport>\n  <owner>\n    <name>a</name>\n    <uuid>" OWNER_UUID "</uuid>\n  </owner>\n"
                "  <owner/>\n</networkport>\n", 6, "<owner>: given more than once");
}

static void test_unknown_input(void) {
        refused(PORT("  <interface dev='eth0'/>\n"), 7, "<interface>: unknown element in <networkport>");
        refused("<networkport connections='1'>\n</networkport>\n", 1, "<networkport>: unknown attribute 'connections'");
        refused(PORT("  <x:meta xmlns:x='http://example.org/x'/>\n"), 7, "unknown element in <networkport> (namespace");
        refused(PORT("  <rxfilters x:a='1' xmlns:x='http://example.org/x' trustGuest='yes'/>\n"), 7,
                "unknown attribute 'x:a'");
        refused(PORT("  stray text\n"), 1, "unexpected text between elements");
        /* comments and white space carry nothing */
        assert_formats(PORT("  <!-- a note -->\n  <port isolated='yes'/>\n"), PORT("  <port isolated='yes'/>\n"));
}

static void test_xml_root(void) {
        refused("<network>\n  <name>x</name>\n</network>\n", 1, "<network>: the root element must be <networkport>");
        refused("<p:networkport xmlns:p='http://example.org/p'/>\n", 1, "the root element must be <networkport>");
}

static void test_xml_too_large(void) {
        g_autoptr(GString) xml = g_string_new(PORT_HEAD);
        g_auto(NetDefError) err = {};
        PortDef *def = UNTOUCHED;

        while (xml->len <= PORTDEF_XML_MAX)
                g_string_append(xml, "  <!-- padding padding padding padding padding padding padding -->\n");
        g_string_append(xml, "</networkport>\n");
        g_assert_cmpint(portdef_parse_xml(xml->str, &def, &err), ==, -EFBIG);
        g_assert_true(def == UNTOUCHED);
        g_assert_cmpstr(err.message, ==, "port XML is larger than 1 MiB");
        g_assert_cmpint(portdef_parse_xml(NULL, &def, &err), ==, -EINVAL);
        g_assert_cmpstr(err.message, ==, "no port XML given");
}

static void test_xml_malformed(void) {
        refused("<networkport>\n  <owner>\n</networkport>\n", 3, "malformed XML: ");
        refused("<networkport>\n  &undeclared;\n</networkport>\n", 2, "malformed XML: Entity 'undeclared' not defined");
        refused("", 1, "malformed XML: Document is empty");
}

static void test_xml_doctype(void) {
        /* no DTD is loaded and no entity expanded: the declaration alone is refused */
        refused("<?xml version='1.0'?>\n<!DOCTYPE networkport [\n  <!ENTITY a 'aaaaaaaaaa'>\n"
                "  <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n]>\n"
                "<networkport>\n  <group>&b;</group>\n</networkport>\n", 2,
                "<!DOCTYPE>: a document type declaration is not accepted");
        refused("<!DOCTYPE networkport SYSTEM '/etc/passwd'>\n<networkport/>\n", 1, "<!DOCTYPE>");
}

static void test_xml_quiet(void) {
        static const char *const bad[] = {
                "<networkport><owner>",
                "<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>",
                "<networkport>&nbsp;</networkport>",
        };

        /* libxml2 must print nothing on its own: everything goes to the NetDefError. The parse runs in a
         * subprocess whose stderr GLib captures. */
        if (g_test_subprocess()) {
                for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                        g_auto(NetDefError) err = {};
                        PortDef *def = NULL;

                        g_assert_cmpint(portdef_parse_xml(bad[i], &def, &err), ==, -EINVAL);
                        g_assert_nonnull(err.message);
                }
                return;
        }
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        g_test_trap_assert_stderr("");
}

/* ---- format, copy, validate ---- */

#define FULL_PORT \
        "<networkport>\n  <uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>\n" \
        "  <owner>\n    <name>a &amp; &lt;b&gt; &apos;c&apos;</name>\n    <uuid>" OWNER_UUID "</uuid>\n  </owner>\n" \
        "  <group>web1</group>\n  <mac address='52:54:00:7b:35:93'/>\n" \
        "  <virtualport type='802.1Qbh'>\n    <parameters profileid='prof'/>\n  </virtualport>\n" \
        "  <bandwidth classID='7'>\n    <inbound average='1000'/>\n  </bandwidth>\n" \
        "  <vlan>\n    <tag id='42' nativeMode='untagged'/>\n  </vlan>\n" \
        "  <port isolated='yes'/>\n  <rxfilters trustGuest='no'/>\n" \
        "  <netdev port='1'>\n    <mac address='52:54:00:aa:00:01'/>\n  </netdev>\n" \
        "  <plug type='hybrid' dev='enp3s0f0' mode='bridge' managed='no'>\n" \
        "    <driver name='kvm'/>\n" PCI_ADDR "  </plug>\n</networkport>\n"

static void test_format_full(void) {
        /* every element, in libvirt's order, with escaping */
        g_autoptr(PortDef) def = accepted(FULL_PORT);

        g_assert_cmpstr(def->owner_name, ==, "a & <b> 'c'");
        assert_round_trip(FULL_PORT);
}

static void test_format_order(void) {
        /* written in libvirt's order whatever the input order */
        const char *shuffled = "<networkport>\n  <plug type='bridge' bridge='br0'/>\n  <rxfilters trustGuest='yes'/>\n"
                               "  <port isolated='no'/>\n  <vlan>\n    <tag id='4'/>\n  </vlan>\n"
                               "  <bandwidth>\n    <outbound average='9'/>\n  </bandwidth>\n"
                               "  <virtualport type='openvswitch'/>\n  <mac address='52:54:00:7b:35:93'/>\n"
                               "  <group>g</group>\n  <owner>\n    <uuid>" OWNER_UUID "</uuid>\n"
                               "    <name>vm1</name>\n  </owner>\n"
                               "  <uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>\n</networkport>\n";
        const char *want = "<networkport>\n  <uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>\n"
                           "  <owner>\n    <name>vm1</name>\n    <uuid>" OWNER_UUID "</uuid>\n  </owner>\n"
                           "  <group>g</group>\n  <mac address='52:54:00:7b:35:93'/>\n"
                           "  <virtualport type='openvswitch'/>\n"
                           "  <bandwidth>\n    <outbound average='9'/>\n  </bandwidth>\n"
                           "  <vlan>\n    <tag id='4'/>\n  </vlan>\n  <port isolated='no'/>\n"
                           "  <rxfilters trustGuest='yes'/>\n  <plug type='bridge' bridge='br0'/>\n</networkport>\n";

        assert_formats(shuffled, want);
}

static void test_copy_deep(void) {
        g_autoptr(PortDef) def = accepted(FULL_PORT);
        g_autoptr(PortDef) copy = portdef_copy(def);
        g_autofree char *a = NULL, *b = NULL;

        g_assert_true(copy != def);
        g_assert_true(copy->owner_name != def->owner_name);
        g_assert_true(copy->vlan != def->vlan);
        g_assert_true(copy->netdevs[0].vlan == NULL);
        g_assert_true(copy->plug.dev != def->plug.dev);
        g_assert_true(copy->bandwidth->inbound != def->bandwidth->inbound);
        /* changing the copy leaves the original alone */
        g_free(copy->plug.dev);
        copy->plug.dev = g_strdup("eth9");
        g_array_index(copy->vlan->tags, VlanTag, 0).id = 9;
        a = portdef_format_xml(def);
        g_assert_cmpstr(a, ==, FULL_PORT);
        b = portdef_format_xml(copy);
        g_assert_nonnull(strstr(b, "dev='eth9'"));
        g_assert_nonnull(strstr(b, "<tag id='9'"));
        g_assert_null(portdef_copy(NULL));
}

static void test_free_half_built(void) {
        PortDef *def = portdef_new();

        def->owner_name = g_strdup("x");
        def->plug.bridge = g_strdup("br0");
        def->netdevs[1].vlan = g_new0(Vlan, 1);        /* no tag array */
        g_assert_null(portdef_free(def));
        g_assert_null(portdef_free(NULL));
}

static PortDef *hand_built(void) {
        PortDef *def = portdef_new();

        def->owner_name = g_strdup("vm1");
        g_strlcpy(def->owner_uuid, OWNER_UUID, sizeof(def->owner_uuid));
        g_strlcpy(def->mac, "52:54:00:7b:35:93", sizeof(def->mac));
        return def;
}

static void assert_invalid(const PortDef *def, const char *needle) {
        g_auto(NetDefError) err = {};

        g_assert_cmpint(portdef_validate(def, &err), ==, -EINVAL);
        g_assert_cmpuint(err.line, ==, 0);
        if (!strstr(err.message, needle))
                g_error("message '%s' does not name '%s'", err.message, needle);
}

static void test_validate_hand_built(void) {
        g_autoptr(PortDef) def = hand_built();
        g_auto(NetDefError) err = {};
        g_autofree char *out = NULL;

        g_assert_cmpint(portdef_validate(def, &err), ==, 0);
        /* Allocate fills in a plug: it checks before it hands the port out */
        def->plug_type = PORT_PLUG_HOSTDEV_PCI;
        assert_invalid(def, "<plug>: a plug of type 'hostdev-pci' needs the <address> of a device");
        def->plug.address = (PciAddr) { 0, 3, 0x10, 1 };
        def->plug.driver = PORT_PCI_DRIVER_VFIO;
        g_assert_cmpint(portdef_validate(def, &err), ==, 0);
        out = portdef_format_xml(def);
        g_assert_cmpstr(out, ==, PORT("  <plug type='hostdev-pci'>\n    <driver name='vfio'/>\n" PCI_ADDR
                                      "  </plug>\n"));
        def->plug.dev = g_strdup("eth0");
        assert_invalid(def, "<plug>: attribute 'dev' does not apply to a plug of type 'hostdev-pci'");
        def->plug_type = PORT_PLUG_DIRECT;
        assert_invalid(def, "<driver> does not apply to a plug of type 'direct'");
        def->plug.driver = PORT_PCI_DRIVER_NONE;
        def->plug.address = (PciAddr) {};
        g_assert_cmpint(portdef_validate(def, &err), ==, 0);
        def->plug_type = _PORT_PLUG_TYPE_MAX;
        assert_invalid(def, "unknown plug type");
        def->plug_type = PORT_PLUG_DIRECT;

        def->netdevs[0].vlan = g_new0(Vlan, 1);
        assert_invalid(def, "<netdev port='1'>: has settings but is not marked present");
        g_clear_pointer(&def->netdevs[0].vlan, vlan_free);
        def->netdevs[1].present = true;
        assert_invalid(def, "<netdev port='2'>: per-port settings apply to hostdev-pci and hybrid plugs");
        def->netdevs[1].present = false;

        def->bandwidth_class_id = 4;
        assert_invalid(def, "<bandwidth>: classID needs <inbound> or <outbound>");
        def->bandwidth_class_id = 0;
        g_strlcpy(def->mac, "01:00:00:00:00:01", sizeof(def->mac));
        assert_invalid(def, "<mac>: address '01:00:00:00:00:01' is a multicast address");
        def->mac[0] = 0;
        assert_invalid(def, "<mac>: address '' is not a MAC address");
        g_strlcpy(def->mac, "52:54:00:7b:35:93", sizeof(def->mac));
        def->owner_uuid[0] = 0;
        assert_invalid(def, "<owner>: <uuid> '' is not a UUID");
        g_strlcpy(def->owner_uuid, OWNER_UUID, sizeof(def->owner_uuid));
        g_clear_pointer(&def->owner_name, g_free);
        assert_invalid(def, "<owner>: <name> '' is empty");
        def->owner_name = g_strdup("vm1");
        g_strlcpy(def->uuid, "x", sizeof(def->uuid));
        assert_invalid(def, "<uuid>: 'x' is not a UUID");
}

static void test_enum_strings(void) {
        for (int t = PORT_PLUG_NONE; t < _PORT_PLUG_TYPE_MAX; t++)
                g_assert_cmpint(port_plug_type_from_string(port_plug_type_to_string(t)), ==, t);
        for (int m = 0; m < _PORT_MACVTAP_MODE_MAX; m++)
                g_assert_cmpint(port_macvtap_mode_from_string(port_macvtap_mode_to_string(m)), ==, m);
        for (int m = PORT_MAC_TABLE_MANAGER_KERNEL; m < _PORT_MAC_TABLE_MANAGER_MAX; m++)
                g_assert_cmpint(port_mac_table_manager_from_string(port_mac_table_manager_to_string(m)), ==, m);
        for (int d = PORT_PCI_DRIVER_KVM; d < _PORT_PCI_DRIVER_MAX; d++)
                g_assert_cmpint(port_pci_driver_from_string(port_pci_driver_to_string(d)), ==, d);
        g_assert_cmpstr(port_plug_type_to_string(PORT_PLUG_HOSTDEV_PCI), ==, "hostdev-pci");
        g_assert_cmpstr(port_plug_type_to_string(PORT_PLUG_HYBRID), ==, "hybrid");
        g_assert_null(port_plug_type_to_string(_PORT_PLUG_TYPE_MAX));
        g_assert_null(port_mac_table_manager_to_string(PORT_MAC_TABLE_MANAGER_DEFAULT));
        g_assert_null(port_pci_driver_to_string(PORT_PCI_DRIVER_NONE));
        g_assert_cmpint(port_pci_driver_from_string("default"), ==, _PORT_PCI_DRIVER_INVALID);
        g_assert_cmpint(port_macvtap_mode_from_string(NULL), ==, _PORT_MACVTAP_MODE_INVALID);
        g_assert_true(port_plug_type_has(PORT_PLUG_HYBRID, "address"));
        g_assert_false(port_plug_type_has(PORT_PLUG_DIRECT, "address"));
        g_assert_false(port_plug_type_has(PORT_PLUG_BRIDGE, "type"));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/core/portdef/uuid", test_uuid);
        g_test_add_func("/core/portdef/owner", test_owner);
        g_test_add_func("/core/portdef/group", test_group);
        g_test_add_func("/core/portdef/mac", test_mac);
        g_test_add_func("/core/portdef/virtualport", test_virtualport);
        g_test_add_func("/core/portdef/bandwidth", test_bandwidth);
        g_test_add_func("/core/portdef/vlan", test_vlan);
        g_test_add_func("/core/portdef/vf-settings", test_vf_settings);
        g_test_add_func("/core/portdef/port-isolated", test_port_isolated);
        g_test_add_func("/core/portdef/rxfilters", test_rxfilters);
        g_test_add_func("/core/portdef/plug/direct", test_plug_direct);
        g_test_add_func("/core/portdef/plug/hostdev-pci", test_plug_hostdev_pci);
        g_test_add_func("/core/portdef/plug/bridge", test_plug_bridge);
        g_test_add_func("/core/portdef/plug/network", test_plug_network);
        g_test_add_func("/core/portdef/plug/hybrid", test_plug_hybrid);
        g_test_add_func("/core/portdef/plug/type", test_plug_type);
        g_test_add_func("/core/portdef/netdev/settings", test_netdev);
        g_test_add_func("/core/portdef/netdev/rules", test_netdev_rules);
        g_test_add_func("/core/portdef/once", test_once);
        g_test_add_func("/core/portdef/unknown-input", test_unknown_input);
        g_test_add_func("/core/portdef/xml/root", test_xml_root);
        g_test_add_func("/core/portdef/xml/too-large", test_xml_too_large);
        g_test_add_func("/core/portdef/xml/malformed", test_xml_malformed);
        g_test_add_func("/core/portdef/xml/doctype", test_xml_doctype);
        g_test_add_func("/core/portdef/xml/quiet", test_xml_quiet);
        g_test_add_func("/core/portdef/format/full", test_format_full);
        g_test_add_func("/core/portdef/format/order", test_format_order);
        g_test_add_func("/core/portdef/copy/deep", test_copy_deep);
        g_test_add_func("/core/portdef/free/half-built", test_free_half_built);
        g_test_add_func("/core/portdef/validate/hand-built", test_validate_hand_built);
        g_test_add_func("/core/portdef/enum-strings", test_enum_strings);
        return g_test_run();
}
