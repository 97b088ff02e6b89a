/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network XML parser: libvirt's <network> for forward-to-device modes, read safely into a NetDef */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/names.h"
#include "core/netdef-private.h"
#include "core/netdef.h"
#include "core/xml-parser.h"

#define ROUTED_REASON "netpool does not manage routed networks (IP addresses, DHCP, DNS, NAT); " \
                      "use libvirt's network driver for those"

/* Elements that may appear once */
typedef enum Single {
        SINGLE_NAME,
        SINGLE_UUID,
        SINGLE_TITLE,
        SINGLE_DESCRIPTION,
        SINGLE_METADATA,
        SINGLE_FORWARD,
        SINGLE_BRIDGE,
        SINGLE_VLAN,
        SINGLE_VIRTUALPORT,
        SINGLE_BANDWIDTH,
        SINGLE_PORT,
        SINGLE_DRIVER,
        SINGLE_VIRTIO,
        SINGLE_MTU,
        SINGLE_VF,
        SINGLE_PORT_MACS,
        _SINGLE_MAX,
} Single;

G_STATIC_ASSERT(_SINGLE_MAX <= XML_PARSER_ONCE_MAX);

typedef struct Parser {
        XmlParser x;                    /* seen[] by Single */
        NetDefParseFlags flags;
        NetDef *def;
        NetDefLines *lines;
        bool has_uuid;
} Parser;

/* -EOPNOTSUPP with why ("" or a sentence ending in "; ") and ROUTED_REASON */
static int routed_refused(Parser *p, xmlNode *node, const char *why) {
        return xml_parser_take(&p->x, -EOPNOTSUPP, xml_node_msg(node, "%s" ROUTED_REASON, why));
}

/* connections='N' is live state: read only from our own state files, ignored elsewhere */
static int read_connections(Parser *p, xmlNode *node, unsigned *ret) {
        g_autofree char *v = NULL;
        uint64_t n;

        if (!(p->flags & NETDEF_PARSE_STATE))
                return 0;
        v = xml_prop(node, "connections");
        if (!v)
                return 0;
        if (xml_parse_uint(v, 10, G_MAXUINT, &n) < 0)
                return xml_parser_fail(&p->x, node, "connections '%s' is not a count", v);
        *ret = (unsigned) n;
        return 0;
}

static int parse_name(Parser *p, xmlNode *node) {
        p->lines->name = xml_node_line(node);
        return xml_parser_read_text(&p->x, node, &p->def->name);
}

static int parse_uuid(Parser *p, xmlNode *node) {
        int r;

        p->lines->uuid = xml_node_line(node);
        r = xml_parser_read_uuid(&p->x, node, p->def->uuid);
        if (r == 0)
                p->has_uuid = true;
        return r;
}

static int parse_title(Parser *p, xmlNode *node) {
        p->lines->title = xml_node_line(node);
        return xml_parser_read_text(&p->x, node, &p->def->title);
}

static int parse_description(Parser *p, xmlNode *node) {
        return xml_parser_read_text(&p->x, node, &p->def->description);
}

/* Kept verbatim. A copy of the node carries the namespace declarations its content uses, also
 * those made on <network> or above, so the text stands on its own. */
static int parse_metadata(Parser *p, xmlNode *node) {
        g_autoptr(xmlNode) copy = NULL;
        g_autoptr(xmlBuffer) buf = NULL;
        int r;

        r = xml_parser_check_attrs(&p->x, node, NULL);
        if (r < 0)
                return r;
        copy = xmlDocCopyNode(node, node->doc, 1);
        buf = xmlBufferCreate();
        if (!copy || !buf || xmlNodeDump(buf, node->doc, copy, 0, 0) < 0)
                return xml_parser_take(&p->x, -ENOMEM, xml_node_msg(node, "out of memory"));
        p->def->metadata = g_strdup((const char *) xmlBufferContent(buf));
        return 0;
}

static void add_dev(Parser *p, ForwardDev *d, unsigned line) {
        g_array_append_vals(p->def->devs, d, 1);
        g_array_append_val(p->lines->devs, line);
}

static int parse_pf(Parser *p, xmlNode *node) {
        unsigned line = xml_node_line(node);
        char *dev;
        int r;

        r = xml_parser_read_sole_attr(&p->x, node, "dev", &dev);
        if (r < 0)
                return r;
        g_ptr_array_add(p->def->pfs, dev);
        g_array_append_val(p->lines->pfs, line);
        return 0;
}

static int parse_interface(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "dev", "connections", NULL };
        ForwardDev d = { .type = FORWARD_DEV_NETDEV };
        int r;

        r = xml_parser_check_empty(&p->x, node, attrs);
        if (r == 0)
                r = read_connections(p, node, &d.connections);
        if (r == 0)
                r = xml_parser_read_required(&p->x, node, "dev", &d.netdev);
        if (r < 0)
                return r;
        add_dev(p, &d, xml_node_line(node));
        return 0;
}

static int parse_pci_address(Parser *p, xmlNode *node, ForwardDev *d) {
        static const char *const attrs[] = { "type", "domain", "bus", "slot", "function", "connections", NULL };
        g_autofree char *msg = NULL;
        int r;

        d->type = FORWARD_DEV_PCI;
        r = xml_parser_check_attrs(&p->x, node, attrs);
        if (r == 0 && xml_read_pci_addr(node, /* required= */ false, &d->pci, &msg) < 0)
                r = xml_parser_fail(&p->x, node, "%s", msg);      /* absent fields are 0, as in libvirt */
        return r;
}

static int read_usb_field(Parser *p, xmlNode *node, const char *name, unsigned *ret) {
        g_autofree char *v = NULL;
        uint64_t n;
        int r;

        r = xml_parser_read_required(&p->x, node, name, &v);
        if (r < 0)
                return r;
        if (xml_parse_uint(v, 10, G_MAXUINT, &n) < 0)
                return xml_parser_fail(&p->x, node, "%s '%s' is not a decimal number", name, v);
        *ret = (unsigned) n;
        return 0;
}

static int parse_usb_address(Parser *p, xmlNode *node, ForwardDev *d) {
        static const char *const attrs[] = { "type", "bus", "device", "connections", NULL };
        int r;

        d->type = FORWARD_DEV_USB;
        r = xml_parser_check_attrs(&p->x, node, attrs);
        if (r == 0)
                r = read_usb_field(p, node, "bus", &d->usb_bus);
        if (r == 0)
                r = read_usb_field(p, node, "device", &d->usb_device);
        return r;
}

static int parse_address(Parser *p, xmlNode *node) {
        g_autofree char *type = xml_prop(node, "type");
        ForwardDev d = {};
        int r;

        if (!type)
                return xml_parser_fail(&p->x, node, "attribute 'type' is required ('pci' or 'usb')");
        if (streq(type, "pci"))
                r = parse_pci_address(p, node, &d);
        else if (streq(type, "usb"))
                r = parse_usb_address(p, node, &d);
        else
                return xml_parser_fail(&p->x, node, "type '%s' is neither 'pci' nor 'usb'", type);
        if (r == 0)
                r = xml_parser_check_no_content(&p->x, node);
        if (r == 0)
                r = read_connections(p, node, &d.connections);
        if (r < 0)
                return r;
        add_dev(p, &d, xml_node_line(node));
        return 0;
}

static int parse_driver(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "name", "model", NULL };
        int r;

        p->lines->driver = xml_node_line(node);
        r = xml_parser_check_once(&p->x, node, &p->x.seen[SINGLE_DRIVER]);
        if (r == 0)
                r = xml_parser_check_empty(&p->x, node, attrs);
        if (r < 0)
                return r;
        p->def->driver_name = xml_prop(node, "name");
        p->def->driver_model = xml_prop(node, "model");
        if (!p->def->driver_name && !p->def->driver_model)
                return xml_parser_fail(&p->x, node, "attribute 'name' or 'model' is required");
        if (p->def->driver_model && !network_name_is_valid(p->def->driver_model))
                return xml_parser_fail(&p->x, node, "model '%s' is not a driver name (A-Za-z0-9_.+-)",
                                       p->def->driver_model);
        return 0;
}

static int parse_virtio(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "mode", NULL };
        int r;

        p->lines->virtio = xml_node_line(node);
        r = xml_parser_check_once(&p->x, node, &p->x.seen[SINGLE_VIRTIO]);
        if (r == 0)
                r = xml_parser_check_empty(&p->x, node, attrs);
        if (r < 0)
                return r;
        p->def->hybrid_virtio_mode = xml_prop(node, "mode");
        if (!p->def->hybrid_virtio_mode)
                return xml_parser_fail(&p->x, node, "attribute 'mode' is required (vepa, private or "
                                       "bridge)");
        return 0;
}

static int parse_forward_child(Parser *p, xmlNode *c) {
        const char *n = (const char *) c->name;

        if (streq(n, "driver"))
                return parse_driver(p, c);
        if (streq(n, "virtio"))
                return parse_virtio(p, c);
        if (streq(n, "pf"))
                return parse_pf(p, c);
        if (streq(n, "interface"))
                return parse_interface(p, c);
        if (streq(n, "address"))
                return parse_address(p, c);
        if (streq(n, "nat"))
                return routed_refused(p, c, "");
        return xml_parser_fail(&p->x, c, "unknown element in <forward>");
}

static int parse_forward_mode(Parser *p, xmlNode *node) {
        g_autofree char *mode = xml_prop(node, "mode");

        if (!mode)
                return routed_refused(p, node, "without a mode a network is 'nat'; ");
        if (streq(mode, "nat") || streq(mode, "route") || streq(mode, "open") || streq(mode, "isolated")) {
                g_autofree char *why = g_strdup_printf("mode '%s' needs an IP stack; ", mode);

                return routed_refused(p, node, why);
        }
        p->def->mode = forward_mode_from_string(mode);
        if (p->def->mode < 0)
                return xml_parser_fail(&p->x, node, "mode '%s' is not one of bridge, private, vepa, "
                                       "passthrough, hostdev, pci-passthrough-hybrid", mode);
        return 0;
}

/* <forward dev='X'> names the first member of an <interface> list, or alone makes the pool [X] */
static int fold_forward_dev(Parser *p, xmlNode *node, char *dev) {
        const GArray *devs = p->def->devs;
        ForwardDev d = { .type = FORWARD_DEV_NETDEV };

        if (forward_mode_uses_pci(p->def->mode))
                return xml_parser_fail(&p->x, node, "attribute 'dev' is not allowed in mode '%s', whose pool "
                                       "is made of <pf> or <address> elements",
                                       forward_mode_to_string(p->def->mode));
        if (!netdev_name_is_valid(dev))
                return xml_parser_fail(&p->x, node, "dev '%s' is not a valid netdev name (1–15 bytes, no '/', "
                                       "':' or white space, not '.' or '..')", dev);
        if (devs->len > 0) {
                const ForwardDev *first = &g_array_index(devs, ForwardDev, 0);

                if (first->type != FORWARD_DEV_NETDEV || !streq(first->netdev, dev))
                        return xml_parser_fail(&p->x, node, "dev '%s' must match the first <interface> of "
                                               "the pool", dev);
                return 0;
        }
        if (p->def->pfs->len > 0)
                return xml_parser_fail(&p->x, node, "attribute 'dev' cannot be combined with <pf>; list the "
                                       "pool either way, not both");
        d.netdev = g_strdup(dev);
        add_dev(p, &d, xml_node_line(node));
        return 0;
}

static int parse_forward(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "mode", "dev", "managed", NULL };
        g_autofree char *dev = xml_prop(node, "dev");
        xmlNode *c = NULL;
        int r;

        p->lines->forward = xml_node_line(node);
        r = xml_parser_check_attrs(&p->x, node, attrs);
        if (r == 0)
                r = parse_forward_mode(p, node);
        if (r == 0)
                r = xml_parser_read_tristate(&p->x, node, "managed", &p->def->managed);
        while (r == 0 && (r = xml_parser_next_child(&p->x, node, &c)) > 0)
                r = parse_forward_child(p, c);
        if (r == 0 && dev)
                r = fold_forward_dev(p, node, dev);
        if (r == 0 && (p->flags & NETDEF_PARSE_STATE) && p->def->pfs->len > 0 && p->def->devs->len > 0)
                p->def->pool_expanded = true;
        return r;
}

static int parse_bridge(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "name", "macTableManager", NULL };
        int r;

        p->lines->bridge = xml_node_line(node);
        r = xml_parser_check_empty(&p->x, node, attrs);
        if (r == 0)
                r = xml_parser_read_required(&p->x, node, "name", &p->def->bridge_name);
        if (r == 0)
                p->def->mac_table_manager = xml_prop(node, "macTableManager");
        return r;
}

static int parse_vlan(Parser *p, xmlNode *node) {
        p->lines->vlan = xml_node_line(node);
        return xml_parser_read_vlan(&p->x, node, &p->def->vlan);
}

static int parse_virtualport(Parser *p, xmlNode *node) {
        p->lines->virtualport = xml_node_line(node);
        return xml_parser_read_virtualport(&p->x, node, &p->def->virtualport);
}

static int parse_bandwidth(Parser *p, xmlNode *node) {
        p->lines->bandwidth = xml_node_line(node);
        return xml_parser_read_bandwidth(&p->x, node, &p->def->bandwidth);
}

static int parse_mtu(Parser *p, xmlNode *node) {
        p->lines->mtu = xml_node_line(node);
        return xml_parser_read_mtu(&p->x, node, &p->def->mtu);
}

static int parse_vf(Parser *p, xmlNode *node) {
        p->lines->vf = xml_node_line(node);
        return xml_parser_read_vf_params(&p->x, node, &p->def->vf);
}

/* <netpool:port-macs duplicates='allow|refuse'/>: whether ports of this network may share a MAC with another
 * live port (one of a network that allows it too) */
static int parse_port_macs(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "duplicates", NULL };
        g_autofree char *v = NULL;
        int r;

        r = xml_parser_check_attrs(&p->x, node, attrs);
        if (r < 0)
                return r;
        v = xml_prop(node, "duplicates");
        if (streq_ptr(v, "allow"))
                p->def->duplicate_macs = TRISTATE_YES;
        else if (streq_ptr(v, "refuse"))
                p->def->duplicate_macs = TRISTATE_NO;
        else
                return xml_parser_fail(&p->x, node, "attribute 'duplicates' must be 'allow' or 'refuse'%s%s%s",
                                       v ? " (not '" : "", v ? v : "", v ? "')" : " (it is missing)");
        return 0;
}

/* <netpool:vf> and <mtu> of a portgroup */
static int parse_portgroup_vf_child(Parser *p, xmlNode *c, PortGroup *pg, PortGroupLines *l) {
        unsigned line = xml_node_line(c);

        if (xml_node_is_netpool_element(c)) {
                if (!streq((const char *) c->name, "vf"))
                        return xml_parser_fail(&p->x, c, "unknown element of netpool's namespace in <portgroup>");
                if (pg->vf)
                        return xml_parser_take(&p->x, -EINVAL, g_strdup_printf("line %u: <netpool:vf>: given "
                                               "more than once in this <portgroup>", line));
                l->vf = line;
                return xml_parser_read_vf_params(&p->x, c, &pg->vf);
        }
        if (pg->mtu != 0)
                return xml_parser_fail(&p->x, c, "given more than once in this <portgroup>");
        l->mtu = line;
        return xml_parser_read_mtu(&p->x, c, &pg->mtu);
}

static int parse_portgroup_child(Parser *p, xmlNode *c, PortGroup *pg, PortGroupLines *l) {
        const char *n = (const char *) c->name;
        unsigned line = xml_node_line(c);

        if (xml_node_is_netpool_element(c) || streq(n, "mtu"))
                return parse_portgroup_vf_child(p, c, pg, l);

        if (streq(n, "vlan") && !pg->vlan) {
                l->vlan = line;
                return xml_parser_read_vlan(&p->x, c, &pg->vlan);
        }
        if (streq(n, "virtualport") && !pg->virtualport) {
                l->virtualport = line;
                return xml_parser_read_virtualport(&p->x, c, &pg->virtualport);
        }
        if (streq(n, "bandwidth") && !pg->bandwidth) {
                l->bandwidth = line;
                return xml_parser_read_bandwidth(&p->x, c, &pg->bandwidth);
        }
        if (streq(n, "vlan") || streq(n, "virtualport") || streq(n, "bandwidth"))
                return xml_parser_fail(&p->x, c, "given more than once in this <portgroup>");
        return xml_parser_fail(&p->x, c, "unknown element in <portgroup>");
}

static int parse_portgroup(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "name", "default", "trustGuestRxFilters", NULL };
        g_autoptr(PortGroup) pg = g_new0(PortGroup, 1);
        PortGroupLines l = { .element = xml_node_line(node) };
        Tristate is_default = TRISTATE_ABSENT;
        xmlNode *c = NULL;
        int r;

        r = xml_parser_check_attrs(&p->x, node, attrs);
        if (r == 0)
                r = xml_parser_read_tristate(&p->x, node, "default", &is_default);
        if (r == 0)
                r = xml_parser_read_tristate(&p->x, node, "trustGuestRxFilters",
                                             &pg->trust_guest_rx_filters);
        if (r < 0)
                return r;
        pg->is_default = is_default == TRISTATE_YES;
        r = xml_parser_read_required(&p->x, node, "name", &pg->name);
        while (r == 0 && (r = xml_parser_next_child_or_netpool(&p->x, node, &c)) > 0)
                r = parse_portgroup_child(p, c, pg, &l);
        if (r < 0)
                return r;
        g_ptr_array_add(p->def->portgroups, g_steal_pointer(&pg));
        g_array_append_val(p->lines->portgroups, l);
        return 0;
}

static int parse_port(Parser *p, xmlNode *node) {
        p->lines->port = xml_node_line(node);
        return xml_parser_read_flag_element(&p->x, node, "isolated", &p->def->port_isolated);
}

/* once: Single, or -1 for a repeatable element */
static const XML_ELEMENT_RULE(Parser) network_elements[] = {
        { "name", parse_name, SINGLE_NAME },
        { "uuid", parse_uuid, SINGLE_UUID },
        { "title", parse_title, SINGLE_TITLE },
        { "description", parse_description, SINGLE_DESCRIPTION },
        { "metadata", parse_metadata, SINGLE_METADATA },
        { "forward", parse_forward, SINGLE_FORWARD },
        { "bridge", parse_bridge, SINGLE_BRIDGE },
        { "vlan", parse_vlan, SINGLE_VLAN },
        { "virtualport", parse_virtualport, SINGLE_VIRTUALPORT },
        { "bandwidth", parse_bandwidth, SINGLE_BANDWIDTH },
        { "portgroup", parse_portgroup, -1 },
        { "port", parse_port, SINGLE_PORT },
        { "mtu", parse_mtu, SINGLE_MTU },
        { "netpool:vf", parse_vf, SINGLE_VF },
        { "netpool:port-macs", parse_port_macs, SINGLE_PORT_MACS },
};

static const char *const routed_elements[] = { "ip", "dns", "mac", "domain", "route", NULL };

static int parse_network_child(Parser *p, xmlNode *c) {
        const char *n = (const char *) c->name;

        for (size_t i = 0; i < G_N_ELEMENTS(network_elements); i++) {
                int r = xml_parser_claim(&p->x, c, network_elements[i].name, network_elements[i].once);

                if (r != 0)
                        return r < 0 ? r : network_elements[i].parse(p, c);
        }
        if (xml_node_is_netpool_element(c))
                return xml_parser_fail(&p->x, c, "unknown element of netpool's namespace in <network>");
        for (size_t i = 0; routed_elements[i]; i++)
                if (streq(n, routed_elements[i]))
                        return routed_refused(p, c, "");
        return xml_parser_fail(&p->x, c, "unknown element in <network>");
}

static int parse_network_attrs(Parser *p, xmlNode *root) {
        static const char *const attrs[] = { "trustGuestRxFilters", "connections", NULL };
        g_autofree char *ipv6 = xml_prop(root, "ipv6");
        int r;

        if (ipv6)
                return routed_refused(p, root, "attribute 'ipv6': ");
        r = xml_parser_check_attrs(&p->x, root, attrs);
        if (r == 0)
                r = xml_parser_read_tristate(&p->x, root, "trustGuestRxFilters",
                                             &p->def->trust_guest_rx_filters);
        if (r == 0)
                r = read_connections(p, root, &p->def->connections);
        return r;
}

static int parse_network(Parser *p, xmlNode *root) {
        xmlNode *c = NULL;
        int r;

        if (!xml_node_is_plain_element(root) || !streq((const char *) root->name, "network"))
                return xml_parser_fail(&p->x, root, "the root element must be <network>");
        p->lines->network = xml_node_line(root);
        r = parse_network_attrs(p, root);
        while (r == 0 && (r = xml_parser_next_child_or_netpool(&p->x, root, &c)) > 0)
                r = parse_network_child(p, c);
        if (r < 0)
                return r;
        if (!p->x.seen[SINGLE_FORWARD])
                return routed_refused(p, root, "a network without <forward> is an isolated network; ");
        if (!p->has_uuid) {
                uuid_generate_string(p->def->uuid);
                p->def->uuid_generated = true;
        }
        return netdef_validate_full(p->def, p->lines, p->x.err);
}

/**
 * netdef_parse_xml() - parse and validate a <network> definition
 *
 * At most NETDEF_XML_MAX bytes. No DTD, no entities, no network. A missing uuid is generated.
 * Returns: 0 with *ret set; or -EINVAL (bad XML, a broken rule), -EFBIG (larger than
 * NETDEF_XML_MAX) or -EOPNOTSUPP (a routed-network feature), with err set and *ret untouched.
 */
int netdef_parse_xml(const char *xml, NetDefParseFlags flags, NetDef **ret, NetDefError *err) {
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(NetDef) def = NULL;
        g_autoptr(NetDefLines) lines = NULL;
        Parser p = { .x.err = err, .flags = flags };
        int r;

        r = xml_parser_read_document(&p.x, xml, NETDEF_XML_MAX, "network", &doc);
        if (r < 0)
                return r;
        p.def = def = netdef_new();
        p.lines = lines = netdef_lines_new();
        r = parse_network(&p, xmlDocGetRootElement(doc));
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&def);
        return 0;
}
