/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network XML parser: libvirt's <network> for forward-to-device modes, read safely into a NetDef */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/names.h"
#include "core/netdef-private.h"
#include "core/netdef.h"
#include "core/xml-util.h"

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
        _SINGLE_MAX,
} Single;

typedef struct Parser {
        NetDefParseFlags flags;
        NetDef *def;
        NetDefLines *lines;
        NetDefError *err;
        bool seen[_SINGLE_MAX];
        bool has_uuid;
} Parser;

static int take_msg(Parser *p, int r, char *msg) {
        return netdef_error_take(p->err, r, msg);
}

#define node_fail(p, node, ...) take_msg((p), -EINVAL, xml_node_msg((node), __VA_ARGS__))

static int routed_refused(Parser *p, xmlNode *node) {
        return take_msg(p, -EOPNOTSUPP, xml_node_msg(node, ROUTED_REASON));
}

static int check_attrs(Parser *p, xmlNode *node, const char *const *allowed) {
        char *msg = NULL;
        int r = xml_check_attrs(node, allowed, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

static int check_no_content(Parser *p, xmlNode *node) {
        char *msg = NULL;
        int r = xml_check_no_content(node, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

static int check_once(Parser *p, xmlNode *node, Single s) {
        if (p->seen[s])
                return node_fail(p, node, "given more than once");
        p->seen[s] = true;
        return 0;
}

static int read_tristate(Parser *p, xmlNode *node, const char *name, Tristate *ret) {
        g_autofree char *v = xml_prop(node, name);
        bool b;

        if (!v)
                return 0;
        if (xml_parse_yes_no(v, &b) < 0)
                return node_fail(p, node, "%s '%s' is neither 'yes' nor 'no'", name, v);
        *ret = b ? TRISTATE_YES : TRISTATE_NO;
        return 0;
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
                return node_fail(p, node, "connections '%s' is not a count", v);
        *ret = (unsigned) n;
        return 0;
}

/* Text-only element (name, uuid, title, description) */
static int read_text(Parser *p, xmlNode *node, char **ret) {
        int r = check_attrs(p, node, NULL);

        if (r < 0)
                return r;
        for (xmlNode *c = node->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        return node_fail(p, c, "unknown element in <%s>, which holds text only",
                                         (const char *) node->name);
        *ret = xml_text(node);
        return 0;
}

static int parse_name(Parser *p, xmlNode *node) {
        p->lines->name = xml_node_line(node);
        return read_text(p, node, &p->def->name);
}

static int parse_uuid(Parser *p, xmlNode *node) {
        g_autofree char *text = NULL;
        int r;

        p->lines->uuid = xml_node_line(node);
        r = read_text(p, node, &text);
        if (r < 0)
                return r;
        if (uuid_normalize(text, p->def->uuid) < 0)
                return node_fail(p, node, "'%s' is not a UUID (8-4-4-4-12 or 32 hex digits)", text);
        p->has_uuid = true;
        return 0;
}

static int parse_title(Parser *p, xmlNode *node) {
        p->lines->title = xml_node_line(node);
        return read_text(p, node, &p->def->title);
}

static int parse_description(Parser *p, xmlNode *node) {
        return read_text(p, node, &p->def->description);
}

/* Kept verbatim. A copy of the node carries the namespace declarations its content uses, also
 * those made on <network> or above, so the text stands on its own. */
static int parse_metadata(Parser *p, xmlNode *node) {
        g_autoptr(xmlNode) copy = NULL;
        g_autoptr(xmlBuffer) buf = NULL;
        int r;

        r = check_attrs(p, node, NULL);
        if (r < 0)
                return r;
        copy = xmlDocCopyNode(node, node->doc, 1);
        buf = xmlBufferCreate();
        if (!copy || !buf || xmlNodeDump(buf, node->doc, copy, 0, 0) < 0)
                return take_msg(p, -ENOMEM, xml_node_msg(node, "out of memory"));
        p->def->metadata = g_strdup((const char *) xmlBufferContent(buf));
        return 0;
}

static void add_dev(Parser *p, ForwardDev *d, unsigned line) {
        g_array_append_vals(p->def->devs, d, 1);
        g_array_append_val(p->lines->devs, line);
}

static int parse_pf(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "dev", NULL };
        unsigned line = xml_node_line(node);
        char *dev;
        int r;

        r = check_attrs(p, node, attrs);
        if (r == 0)
                r = check_no_content(p, node);
        if (r < 0)
                return r;
        dev = xml_prop(node, "dev");
        if (!dev)
                return node_fail(p, node, "attribute 'dev' is required");
        g_ptr_array_add(p->def->pfs, dev);
        g_array_append_val(p->lines->pfs, line);
        return 0;
}

static int parse_interface(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "dev", "connections", NULL };
        ForwardDev d = { .type = FORWARD_DEV_NETDEV };
        int r;

        r = check_attrs(p, node, attrs);
        if (r == 0)
                r = check_no_content(p, node);
        if (r == 0)
                r = read_connections(p, node, &d.connections);
        if (r < 0)
                return r;
        d.netdev = xml_prop(node, "dev");
        if (!d.netdev)
                return node_fail(p, node, "attribute 'dev' is required");
        add_dev(p, &d, xml_node_line(node));
        return 0;
}

static int parse_pci_address(Parser *p, xmlNode *node, ForwardDev *d) {
        static const char *const attrs[] = { "type", "domain", "bus", "slot", "function", "connections", NULL };
        g_autofree char *msg = NULL;
        int r;

        d->type = FORWARD_DEV_PCI;
        r = check_attrs(p, node, attrs);
        if (r == 0 && xml_read_pci_addr(node, /* required= */ false, &d->pci, &msg) < 0)
                r = node_fail(p, node, "%s", msg);      /* absent fields are 0, as in libvirt */
        return r;
}

static int read_usb_field(Parser *p, xmlNode *node, const char *name, unsigned *ret) {
        g_autofree char *v = xml_prop(node, name);
        uint64_t n;

        if (!v)
                return node_fail(p, node, "attribute '%s' is required", name);
        if (xml_parse_uint(v, 10, G_MAXUINT, &n) < 0)
                return node_fail(p, node, "%s '%s' is not a decimal number", name, v);
        *ret = (unsigned) n;
        return 0;
}

static int parse_usb_address(Parser *p, xmlNode *node, ForwardDev *d) {
        static const char *const attrs[] = { "type", "bus", "device", "connections", NULL };
        int r;

        d->type = FORWARD_DEV_USB;
        r = check_attrs(p, node, attrs);
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
                return node_fail(p, node, "attribute 'type' is required ('pci' or 'usb')");
        if (streq(type, "pci"))
                r = parse_pci_address(p, node, &d);
        else if (streq(type, "usb"))
                r = parse_usb_address(p, node, &d);
        else
                return node_fail(p, node, "type '%s' is neither 'pci' nor 'usb'", type);
        if (r == 0)
                r = check_no_content(p, node);
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
        r = check_once(p, node, SINGLE_DRIVER);
        if (r == 0)
                r = check_attrs(p, node, attrs);
        if (r == 0)
                r = check_no_content(p, node);
        if (r < 0)
                return r;
        p->def->driver_name = xml_prop(node, "name");
        p->def->driver_model = xml_prop(node, "model");
        if (!p->def->driver_name && !p->def->driver_model)
                return node_fail(p, node, "attribute 'name' or 'model' is required");
        if (p->def->driver_model && !network_name_is_valid(p->def->driver_model))
                return node_fail(p, node, "model '%s' is not a driver name (A-Za-z0-9_.+-)",
                                 p->def->driver_model);
        return 0;
}

static int parse_virtio(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "mode", NULL };
        int r;

        p->lines->virtio = xml_node_line(node);
        r = check_once(p, node, SINGLE_VIRTIO);
        if (r == 0)
                r = check_attrs(p, node, attrs);
        if (r == 0)
                r = check_no_content(p, node);
        if (r < 0)
                return r;
        p->def->hybrid_virtio_mode = xml_prop(node, "mode");
        if (!p->def->hybrid_virtio_mode)
                return node_fail(p, node, "attribute 'mode' is required (vepa, private or bridge)");
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
                return routed_refused(p, c);
        return node_fail(p, c, "unknown element in <forward>");
}

static int parse_forward_mode(Parser *p, xmlNode *node) {
        g_autofree char *mode = xml_prop(node, "mode");

        if (!mode)
                return take_msg(p, -EOPNOTSUPP, xml_node_msg(node, "without a mode a network is 'nat'; "
                                                             ROUTED_REASON));
        if (streq(mode, "nat") || streq(mode, "route") || streq(mode, "open") || streq(mode, "isolated"))
                return take_msg(p, -EOPNOTSUPP, xml_node_msg(node, "mode '%s' needs an IP stack; "
                                                             ROUTED_REASON, mode));
        p->def->mode = forward_mode_from_string(mode);
        if (p->def->mode < 0)
                return node_fail(p, node, "mode '%s' is not one of bridge, private, vepa, passthrough, "
                                 "hostdev, pci-passthrough-hybrid", mode);
        return 0;
}

/* <forward dev='X'> names the first member of an <interface> list, or alone makes the pool [X] */
static int fold_forward_dev(Parser *p, xmlNode *node, char *dev) {
        const GArray *devs = p->def->devs;
        ForwardDev d = { .type = FORWARD_DEV_NETDEV };

        if (forward_mode_uses_pci(p->def->mode))
                return node_fail(p, node, "attribute 'dev' is not allowed in mode '%s', whose pool is made "
                                 "of <pf> or <address> elements", forward_mode_to_string(p->def->mode));
        if (!netdev_name_is_valid(dev))
                return node_fail(p, node, "dev '%s' is not a valid netdev name (1–15 bytes, no '/', ':' "
                                 "or white space, not '.' or '..')", dev);
        if (devs->len > 0) {
                const ForwardDev *first = &g_array_index(devs, ForwardDev, 0);

                if (first->type != FORWARD_DEV_NETDEV || !streq(first->netdev, dev))
                        return node_fail(p, node, "dev '%s' must match the first <interface> of the pool",
                                         dev);
                return 0;
        }
        if (p->def->pfs->len > 0)
                return node_fail(p, node, "attribute 'dev' cannot be combined with <pf>; list the pool "
                                 "either way, not both");
        d.netdev = g_strdup(dev);
        add_dev(p, &d, xml_node_line(node));
        return 0;
}

static int parse_forward(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "mode", "dev", "managed", NULL };
        g_autofree char *dev = xml_prop(node, "dev");
        int r;

        p->lines->forward = xml_node_line(node);
        r = check_attrs(p, node, attrs);
        if (r == 0)
                r = parse_forward_mode(p, node);
        if (r == 0)
                r = read_tristate(p, node, "managed", &p->def->managed);
        for (xmlNode *c = node->children; r == 0 && c; c = c->next) {
                char *msg = NULL;

                r = xml_check_child_kind(node, c, &msg);
                if (r < 0)
                        return take_msg(p, r, msg);
                if (c->type == XML_ELEMENT_NODE)
                        r = parse_forward_child(p, c);
        }
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
        r = check_attrs(p, node, attrs);
        if (r == 0)
                r = check_no_content(p, node);
        if (r < 0)
                return r;
        p->def->bridge_name = xml_prop(node, "name");
        p->def->mac_table_manager = xml_prop(node, "macTableManager");
        if (!p->def->bridge_name)
                return node_fail(p, node, "attribute 'name' is required");
        return 0;
}

static int parse_vlan_into(Parser *p, xmlNode *node, Vlan **ret) {
        char *msg = NULL;
        int r = vlan_parse_xml(node, ret, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

static int parse_virtualport_into(Parser *p, xmlNode *node, VirtualPort **ret) {
        char *msg = NULL;
        int r = virtualport_parse_xml(node, ret, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

static int parse_bandwidth_into(Parser *p, xmlNode *node, Bandwidth **ret) {
        char *msg = NULL;
        int r = bandwidth_parse_xml(node, ret, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

static int parse_vlan(Parser *p, xmlNode *node) {
        p->lines->vlan = xml_node_line(node);
        return parse_vlan_into(p, node, &p->def->vlan);
}

static int parse_virtualport(Parser *p, xmlNode *node) {
        p->lines->virtualport = xml_node_line(node);
        return parse_virtualport_into(p, node, &p->def->virtualport);
}

static int parse_bandwidth(Parser *p, xmlNode *node) {
        p->lines->bandwidth = xml_node_line(node);
        return parse_bandwidth_into(p, node, &p->def->bandwidth);
}

static int parse_portgroup_child(Parser *p, xmlNode *c, PortGroup *pg, PortGroupLines *l) {
        const char *n = (const char *) c->name;
        unsigned line = xml_node_line(c);

        if (streq(n, "vlan") && !pg->vlan) {
                l->vlan = line;
                return parse_vlan_into(p, c, &pg->vlan);
        }
        if (streq(n, "virtualport") && !pg->virtualport) {
                l->virtualport = line;
                return parse_virtualport_into(p, c, &pg->virtualport);
        }
        if (streq(n, "bandwidth") && !pg->bandwidth) {
                l->bandwidth = line;
                return parse_bandwidth_into(p, c, &pg->bandwidth);
        }
        if (streq(n, "vlan") || streq(n, "virtualport") || streq(n, "bandwidth"))
                return node_fail(p, c, "given more than once in this <portgroup>");
        return node_fail(p, c, "unknown element in <portgroup>");
}

static int parse_portgroup(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "name", "default", "trustGuestRxFilters", NULL };
        g_autoptr(PortGroup) pg = g_new0(PortGroup, 1);
        PortGroupLines l = { .element = xml_node_line(node) };
        Tristate is_default = TRISTATE_ABSENT;
        int r;

        r = check_attrs(p, node, attrs);
        if (r == 0)
                r = read_tristate(p, node, "default", &is_default);
        if (r == 0)
                r = read_tristate(p, node, "trustGuestRxFilters", &pg->trust_guest_rx_filters);
        if (r < 0)
                return r;
        pg->is_default = is_default == TRISTATE_YES;
        pg->name = xml_prop(node, "name");
        if (!pg->name)
                return node_fail(p, node, "attribute 'name' is required");
        for (xmlNode *c = node->children; c; c = c->next) {
                char *msg = NULL;

                r = xml_check_child_kind(node, c, &msg);
                if (r < 0)
                        return take_msg(p, r, msg);
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                r = parse_portgroup_child(p, c, pg, &l);
                if (r < 0)
                        return r;
        }
        g_ptr_array_add(p->def->portgroups, g_steal_pointer(&pg));
        g_array_append_val(p->lines->portgroups, l);
        return 0;
}

static int parse_port(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "isolated", NULL };
        int r;

        p->lines->port = xml_node_line(node);
        r = check_attrs(p, node, attrs);
        if (r == 0)
                r = check_no_content(p, node);
        if (r == 0)
                r = read_tristate(p, node, "isolated", &p->def->port_isolated);
        if (r == 0 && p->def->port_isolated == TRISTATE_ABSENT)
                r = node_fail(p, node, "attribute 'isolated' is required");
        return r;
}

typedef int (*ElementParser)(Parser *p, xmlNode *node);

static const struct {
        const char *name;
        ElementParser parse;
        int single;                     /* Single, or -1 for a repeatable element */
} network_elements[] = {
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
};

static const char *const routed_elements[] = { "ip", "dns", "mac", "domain", "route", NULL };

static int parse_network_child(Parser *p, xmlNode *c) {
        const char *n = (const char *) c->name;
        int r;

        for (size_t i = 0; i < G_N_ELEMENTS(network_elements); i++) {
                if (!streq(n, network_elements[i].name))
                        continue;
                if (network_elements[i].single >= 0) {
                        r = check_once(p, c, (Single) network_elements[i].single);
                        if (r < 0)
                                return r;
                }
                return network_elements[i].parse(p, c);
        }
        for (size_t i = 0; routed_elements[i]; i++)
                if (streq(n, routed_elements[i]))
                        return routed_refused(p, c);
        return node_fail(p, c, "unknown element in <network>");
}

static int parse_network_attrs(Parser *p, xmlNode *root) {
        static const char *const attrs[] = { "trustGuestRxFilters", "connections", NULL };
        g_autofree char *ipv6 = xml_prop(root, "ipv6");
        int r;

        if (ipv6)
                return take_msg(p, -EOPNOTSUPP, xml_node_msg(root, "attribute 'ipv6': " ROUTED_REASON));
        r = check_attrs(p, root, attrs);
        if (r == 0)
                r = read_tristate(p, root, "trustGuestRxFilters", &p->def->trust_guest_rx_filters);
        if (r == 0)
                r = read_connections(p, root, &p->def->connections);
        return r;
}

static int parse_network(Parser *p, xmlNode *root) {
        int r;

        if (!xml_node_is_plain_element(root) || !streq((const char *) root->name, "network"))
                return node_fail(p, root, "the root element must be <network>");
        p->lines->network = xml_node_line(root);
        r = parse_network_attrs(p, root);
        for (xmlNode *c = root->children; r == 0 && c; c = c->next) {
                char *msg = NULL;

                r = xml_check_child_kind(root, c, &msg);
                if (r < 0)
                        return take_msg(p, r, msg);
                if (c->type == XML_ELEMENT_NODE)
                        r = parse_network_child(p, c);
        }
        if (r < 0)
                return r;
        if (!p->seen[SINGLE_FORWARD])
                return take_msg(p, -EOPNOTSUPP, xml_node_msg(root, "a network without <forward> is an "
                                                             "isolated network; " ROUTED_REASON));
        if (!p->has_uuid) {
                uuid_generate_string(p->def->uuid);
                p->def->uuid_generated = true;
        }
        return netdef_validate_full(p->def, p->lines, p->err);
}

/**
 * netdef_parse_xml() - parse and validate a <network> definition
 *
 * Returns: 0 with *ret set; or -EINVAL (bad XML, a broken rule), -EFBIG (larger than
 * NETDEF_XML_MAX) or -EOPNOTSUPP (a routed-network feature), with err set and *ret untouched.
 */
int netdef_parse_xml(const char *xml, NetDefParseFlags flags, NetDef **ret, NetDefError *err) {
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(NetDef) def = NULL;
        g_autoptr(NetDefLines) lines = NULL;
        char *msg = NULL;
        size_t len;
        Parser p;
        int r;

        if (!xml)
                return netdef_error_setf(err, -EINVAL, 0, "no network XML given");
        len = strnlen(xml, NETDEF_XML_MAX + 1);
        if (len > NETDEF_XML_MAX)
                return netdef_error_setf(err, -EFBIG, 0, "network XML is larger than 1 MiB");
        r = xml_read_document(xml, len, &doc, &msg);
        if (r < 0)
                return netdef_error_take(err, r, msg);
        def = netdef_new();
        lines = netdef_lines_new();
        p = (Parser) { .flags = flags, .def = def, .lines = lines, .err = err };
        r = parse_network(&p, xmlDocGetRootElement(doc));
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&def);
        return 0;
}
