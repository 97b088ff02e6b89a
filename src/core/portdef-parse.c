/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port XML parser: libvirt's <networkport> and netpool's additions, read safely into a PortDef */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/names.h"
#include "core/portdef.h"
#include "core/xml-util.h"

/* Elements of <networkport> that may appear once */
typedef enum Single {
        SINGLE_UUID,
        SINGLE_OWNER,
        SINGLE_GROUP,
        SINGLE_MAC,
        SINGLE_VIRTUALPORT,
        SINGLE_BANDWIDTH,
        SINGLE_VLAN,
        SINGLE_PORT,
        SINGLE_RXFILTERS,
        SINGLE_PLUG,
        _SINGLE_MAX,
} Single;

typedef struct Parser {
        PortDef *def;
        NetDefError *err;
        bool seen[_SINGLE_MAX];
        unsigned netdev_lines[PORT_NETDEV_MAX];        /* where each <netdev port='N'> was */
} Parser;

/* Hand a message made by xml_node_msg() to err, with the line it names. Returns r. */
static int take_msg(Parser *p, int r, char *msg) {
        if (!p->err) {
                g_free(msg);
                return r;
        }
        netdef_error_clear(p->err);
        p->err->line = xml_msg_line(msg);
        p->err->message = msg;
        return r;
}

#define node_fail(p, node, ...) take_msg((p), -EINVAL, xml_node_msg((node), __VA_ARGS__))

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

/* An element with no attributes and no content, e.g. <rxfilters trustGuest='yes'/> */
static int check_empty_element(Parser *p, xmlNode *node, const char *const *allowed) {
        int r = check_attrs(p, node, allowed);

        return r < 0 ? r : check_no_content(p, node);
}

static int check_child_kind(Parser *p, xmlNode *parent, xmlNode *child) {
        char *msg = NULL;
        int r = xml_check_child_kind(parent, child, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

static int check_once(Parser *p, xmlNode *node, bool *seen) {
        if (*seen)
                return node_fail(p, node, "given more than once");
        *seen = true;
        return 0;
}

static int read_tristate(Parser *p, xmlNode *node, const char *name, Tristate *ret) {
        g_autofree char *v = xml_prop(node, name);
        bool b;

        if (!v)
                return node_fail(p, node, "attribute '%s' is required", name);
        if (xml_parse_yes_no(v, &b) < 0)
                return node_fail(p, node, "%s '%s' is neither 'yes' nor 'no'", name, v);
        *ret = b ? TRISTATE_YES : TRISTATE_NO;
        return 0;
}

/* Text-only element: <uuid>, <name>, <group> */
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

static int read_uuid(Parser *p, xmlNode *node, char buf[static 37]) {
        g_autofree char *text = NULL;
        int r;

        r = read_text(p, node, &text);
        if (r < 0)
                return r;
        if (uuid_normalize(text, buf) < 0)
                return node_fail(p, node, "'%s' is not a UUID (8-4-4-4-12 or 32 hex digits)", text);
        return 0;
}

static int parse_uuid(Parser *p, xmlNode *node) {
        return read_uuid(p, node, p->def->uuid);
}

static int parse_owner_name(Parser *p, xmlNode *node) {
        const char *problem;
        int r;

        r = read_text(p, node, &p->def->owner_name);
        if (r < 0)
                return r;
        problem = port_owner_name_rule_broken(p->def->owner_name);
        if (problem)
                return node_fail(p, node, "'%s' %s", p->def->owner_name, problem);
        return 0;
}

static int parse_owner_child(Parser *p, xmlNode *c, bool *seen_name, bool *seen_uuid) {
        const char *n = (const char *) c->name;
        int r;

        if (streq(n, "name")) {
                r = check_once(p, c, seen_name);
                return r < 0 ? r : parse_owner_name(p, c);
        }
        if (streq(n, "uuid")) {
                r = check_once(p, c, seen_uuid);
                return r < 0 ? r : read_uuid(p, c, p->def->owner_uuid);
        }
        return node_fail(p, c, "unknown element in <owner>");
}

/* <owner>: the guest the port belongs to, by name and UUID; both required as in libvirt */
static int parse_owner(Parser *p, xmlNode *node) {
        bool seen_name = false, seen_uuid = false;
        int r;

        r = check_attrs(p, node, NULL);
        for (xmlNode *c = node->children; r == 0 && c; c = c->next) {
                r = check_child_kind(p, node, c);
                if (r == 0 && c->type == XML_ELEMENT_NODE)
                        r = parse_owner_child(p, c, &seen_name, &seen_uuid);
        }
        if (r < 0)
                return r;
        if (!seen_name)
                return node_fail(p, node, "<name> is required (the guest's name)");
        if (!seen_uuid)
                return node_fail(p, node, "<uuid> is required (the guest's UUID)");
        return 0;
}

static int parse_group(Parser *p, xmlNode *node) {
        int r = read_text(p, node, &p->def->group);

        if (r < 0)
                return r;
        if (!network_name_is_valid(p->def->group))
                return node_fail(p, node, "'%s' is not a portgroup name (1–64 characters of "
                                 "A-Za-z0-9_.+-, not starting with '.' or '-')", p->def->group);
        return 0;
}

/* <mac address=…/>, of the port or of one <netdev> */
static int parse_mac_into(Parser *p, xmlNode *node, char buf[static 18]) {
        static const char *const attrs[] = { "address", NULL };
        g_autofree char *address = NULL;
        const char *problem;
        int r;

        r = check_empty_element(p, node, attrs);
        if (r < 0)
                return r;
        address = xml_prop(node, "address");
        if (!address)
                return node_fail(p, node, "attribute 'address' is required");
        problem = port_mac_rule_broken(address);
        if (problem)
                return node_fail(p, node, "address '%s' %s", address, problem);
        return mac_normalize(address, buf);
}

static int parse_mac(Parser *p, xmlNode *node) {
        return parse_mac_into(p, node, p->def->mac);
}

static int parse_vlan_into(Parser *p, xmlNode *node, Vlan **ret) {
        char *msg = NULL;
        int r = vlan_parse_xml(node, ret, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

static int parse_vlan(Parser *p, xmlNode *node) {
        return parse_vlan_into(p, node, &p->def->vlan);
}

static int parse_virtualport(Parser *p, xmlNode *node) {
        char *msg = NULL;
        int r = virtualport_parse_xml(node, &p->def->virtualport, &msg);

        return r < 0 ? take_msg(p, r, msg) : 0;
}

/* classID belongs to the port, not to the shared <bandwidth> block: it is read here and taken off
 * the node (our own parse tree), since bandwidth_parse_xml() refuses attributes it does not know */
static int take_class_id(Parser *p, xmlNode *node) {
        g_autofree char *v = xml_prop(node, "classID");
        uint64_t id;

        if (!v)
                return 0;
        if (xml_parse_uint(v, 10, UINT32_MAX, &id) < 0 || id == 0)
                return node_fail(p, node, "classID '%s' is not a class number (1–4294967295)", v);
        p->def->bandwidth_class_id = (unsigned) id;
        xmlUnsetProp(node, (const xmlChar *) "classID");
        return 0;
}

static int parse_bandwidth(Parser *p, xmlNode *node) {
        const Bandwidth *bw;
        char *msg = NULL;
        int r;

        r = take_class_id(p, node);
        if (r < 0)
                return r;
        r = bandwidth_parse_xml(node, &p->def->bandwidth, &msg);
        if (r < 0)
                return take_msg(p, r, msg);
        bw = p->def->bandwidth;
        if (p->def->bandwidth_class_id != 0 && !bw->inbound && !bw->outbound)
                return node_fail(p, node, "classID needs <inbound> or <outbound>");
        return 0;
}

/* <port isolated=…/> and <rxfilters trustGuest=…/>: one required yes/no attribute */
static int parse_flag_element(Parser *p, xmlNode *node, const char *attr, Tristate *ret) {
        const char *const attrs[] = { attr, NULL };
        int r = check_empty_element(p, node, attrs);

        return r < 0 ? r : read_tristate(p, node, attr, ret);
}

static int parse_port(Parser *p, xmlNode *node) {
        return parse_flag_element(p, node, "isolated", &p->def->port_isolated);
}

static int parse_rxfilters(Parser *p, xmlNode *node) {
        return parse_flag_element(p, node, "trustGuest", &p->def->trust_guest_rx_filters);
}

static int parse_netdev_child(Parser *p, xmlNode *c, PortNetdev *nd, bool *seen_mac) {
        const char *n = (const char *) c->name;
        int r;

        if (streq(n, "mac")) {
                r = check_once(p, c, seen_mac);
                return r < 0 ? r : parse_mac_into(p, c, nd->mac);
        }
        if (streq(n, "vlan")) {
                if (nd->vlan)
                        return node_fail(p, c, "given more than once");
                return parse_vlan_into(p, c, &nd->vlan);
        }
        return node_fail(p, c, "unknown element in <netdev>");
}

static int read_netdev_port(Parser *p, xmlNode *node, unsigned *ret) {
        g_autofree char *v = xml_prop(node, "port");
        uint64_t n;

        if (!v)
                return node_fail(p, node, "attribute 'port' is required (1 or 2)");
        if (xml_parse_uint(v, 10, PORT_NETDEV_MAX, &n) < 0 || n == 0)
                return node_fail(p, node, "port '%s' is neither 1 nor 2", v);
        if (p->def->netdevs[n - 1].present)
                return node_fail(p, node, "port '%s' is given twice", v);
        *ret = (unsigned) n;
        return 0;
}

/* <netdev port='N'>: netpool's per-port settings for a device with two netdevs */
static int parse_netdev(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "port", NULL };
        bool seen_mac = false;
        PortNetdev *nd;
        unsigned port;
        int r;

        r = check_attrs(p, node, attrs);
        if (r == 0)
                r = read_netdev_port(p, node, &port);
        if (r < 0)
                return r;
        nd = &p->def->netdevs[port - 1];
        nd->present = true;
        p->netdev_lines[port - 1] = xml_node_line(node);
        for (xmlNode *c = node->children; r == 0 && c; c = c->next) {
                r = check_child_kind(p, node, c);
                if (r == 0 && c->type == XML_ELEMENT_NODE)
                        r = parse_netdev_child(p, c, nd, &seen_mac);
        }
        return r;
}

/* ---- <plug> ---- */

static int read_plug_mode(Parser *p, xmlNode *node) {
        g_autofree char *v = xml_prop(node, "mode");

        if (!v)
                return 0;
        p->def->plug.mode = port_macvtap_mode_from_string(v);
        if (p->def->plug.mode < 0)
                return node_fail(p, node, "mode '%s' is not one of vepa, private, bridge, passthrough", v);
        return 0;
}

static int read_plug_mac_table_manager(Parser *p, xmlNode *node) {
        g_autofree char *v = xml_prop(node, "macTableManager");

        if (!v)
                return 0;
        p->def->plug.mac_table_manager = port_mac_table_manager_from_string(v);
        if (p->def->plug.mac_table_manager < 0)
                return node_fail(p, node, "macTableManager '%s' is neither 'kernel' nor 'libvirt'", v);
        return 0;
}

static int read_plug_managed(Parser *p, xmlNode *node) {
        g_autofree char *v = xml_prop(node, "managed");

        return v ? read_tristate(p, node, "managed", &p->def->plug.managed) : 0;
}

static int parse_plug_driver(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "name", NULL };
        g_autofree char *name = NULL;
        int r;

        r = check_empty_element(p, node, attrs);
        if (r < 0)
                return r;
        name = xml_prop(node, "name");
        if (!name)
                return node_fail(p, node, "attribute 'name' is required");
        p->def->plug.driver = port_pci_driver_from_string(name);
        if (p->def->plug.driver < 0)
                return node_fail(p, node, "name '%s' is not one of kvm, vfio, xen", name);
        return 0;
}

static int parse_plug_address(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "type", "domain", "bus", "slot", "function", NULL };
        g_autofree char *type = xml_prop(node, "type"), *msg = NULL;
        PciAddr *a = &p->def->plug.address;
        int r;

        r = check_empty_element(p, node, attrs);
        if (r < 0)
                return r;
        if (type && !streq(type, "pci"))
                return node_fail(p, node, "type '%s' is not 'pci'", type);
        /* unlike a network's pool, a plug names one real device: every field is required */
        if (xml_read_pci_addr(node, /* required= */ true, a, &msg) < 0)
                return node_fail(p, node, "%s", msg);
        return 0;
}

static int parse_plug_child(Parser *p, xmlNode *c, bool seen[static 2]) {
        const char *n = (const char *) c->name;
        bool is_driver = streq(n, "driver");
        int r;

        if (!is_driver && !streq(n, "address"))
                return node_fail(p, c, "unknown element in <plug>");
        if (!port_plug_type_has(p->def->plug_type, n))
                return node_fail(p, c, "does not apply to a plug of type '%s'",
                                 port_plug_type_to_string(p->def->plug_type));
        r = check_once(p, c, &seen[is_driver ? 0 : 1]);
        if (r < 0)
                return r;
        return is_driver ? parse_plug_driver(p, c) : parse_plug_address(p, c);
}

static int read_plug_type(Parser *p, xmlNode *node) {
        g_autofree char *type = xml_prop(node, "type");
        PortPlugType t;

        if (!type)
                return node_fail(p, node, "attribute 'type' is required (direct, hostdev-pci, hybrid, "
                                 "bridge or network)");
        t = port_plug_type_from_string(type);
        /* a port without plug has no <plug>; type='none' would say nothing */
        if (t <= PORT_PLUG_NONE)
                return node_fail(p, node, "type '%s' is not one of direct, hostdev-pci, hybrid, bridge, "
                                 "network", type);
        p->def->plug_type = t;
        return 0;
}

/* Attributes are checked against the type before any is read, so the message says why */
static int check_plug_attrs(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "type", "dev", "mode", "bridge", "macTableManager",
                                             "managed", NULL };
        int r = check_attrs(p, node, attrs);

        if (r < 0)
                return r;
        for (const xmlAttr *a = node->properties; a; a = a->next) {
                const char *name = (const char *) a->name;

                if (!streq(name, "type") && !port_plug_type_has(p->def->plug_type, name))
                        return node_fail(p, node, "attribute '%s' does not apply to a plug of type '%s'",
                                         name, port_plug_type_to_string(p->def->plug_type));
        }
        return 0;
}

/* dev and bridge are only kept here: portdef_plug_check() judges the names */
static int read_plug_attrs(Parser *p, xmlNode *node) {
        int r;

        p->def->plug.dev = xml_prop(node, "dev");
        p->def->plug.bridge = xml_prop(node, "bridge");
        r = read_plug_mode(p, node);
        if (r == 0)
                r = read_plug_mac_table_manager(p, node);
        if (r == 0)
                r = read_plug_managed(p, node);
        return r;
}

static int parse_plug(Parser *p, xmlNode *node) {
        bool seen[2] = {};              /* <driver>, <address> */
        g_autofree char *problem = NULL;
        int r;

        r = read_plug_type(p, node);
        if (r == 0)
                r = check_plug_attrs(p, node);
        if (r == 0)
                r = read_plug_attrs(p, node);
        for (xmlNode *c = node->children; r == 0 && c; c = c->next) {
                r = check_child_kind(p, node, c);
                if (r == 0 && c->type == XML_ELEMENT_NODE)
                        r = parse_plug_child(p, c, seen);
        }
        if (r < 0)
                return r;
        if (port_plug_type_has(p->def->plug_type, "address") && !seen[1])
                return node_fail(p, node, "a plug of type '%s' needs an <address>",
                                 port_plug_type_to_string(p->def->plug_type));
        problem = portdef_plug_check(p->def);
        if (problem)
                return node_fail(p, node, "%s", problem);
        return 0;
}

/* ---- <networkport> ---- */

typedef int (*ElementParser)(Parser *p, xmlNode *node);

static const struct {
        const char *name;
        ElementParser parse;
        int single;                     /* Single, or -1 for a repeatable element */
} port_elements[] = {
        { "uuid", parse_uuid, SINGLE_UUID },
        { "owner", parse_owner, SINGLE_OWNER },
        { "group", parse_group, SINGLE_GROUP },
        { "mac", parse_mac, SINGLE_MAC },
        { "virtualport", parse_virtualport, SINGLE_VIRTUALPORT },
        { "bandwidth", parse_bandwidth, SINGLE_BANDWIDTH },
        { "vlan", parse_vlan, SINGLE_VLAN },
        { "port", parse_port, SINGLE_PORT },
        { "rxfilters", parse_rxfilters, SINGLE_RXFILTERS },
        { "netdev", parse_netdev, -1 },
        { "plug", parse_plug, SINGLE_PLUG },
};

static int parse_port_child(Parser *p, xmlNode *c) {
        const char *n = (const char *) c->name;

        for (size_t i = 0; i < G_N_ELEMENTS(port_elements); i++) {
                int single = port_elements[i].single;
                int r;

                if (!streq(n, port_elements[i].name))
                        continue;
                if (single >= 0) {
                        r = check_once(p, c, &p->seen[single]);
                        if (r < 0)
                                return r;
                }
                return port_elements[i].parse(p, c);
        }
        return node_fail(p, c, "unknown element in <networkport>");
}

/* Rules across elements: what must be there, and per-port settings against the plug */
static int check_port_whole(Parser *p, xmlNode *root) {
        g_autofree char *problem = NULL;
        unsigned port = 0;

        if (!p->seen[SINGLE_OWNER])
                return node_fail(p, root, "<owner> is required (the guest's name and UUID)");
        if (!p->seen[SINGLE_MAC])
                return node_fail(p, root, "<mac> is required (the guest interface's address)");
        problem = portdef_netdevs_check(p->def, &port);
        if (problem) {
                unsigned line = port > 0 ? p->netdev_lines[port - 1] : 0;

                return take_msg(p, -EINVAL, line > 0 ? g_strdup_printf("line %u: <netdev>: %s", line, problem)
                                                     : g_strdup_printf("<netdev>: %s", problem));
        }
        return 0;
}

static int parse_networkport(Parser *p, xmlNode *root) {
        int r;

        if (!xml_node_is_plain_element(root) || !streq((const char *) root->name, "networkport"))
                return node_fail(p, root, "the root element must be <networkport>");
        r = check_attrs(p, root, NULL);
        for (xmlNode *c = root->children; r == 0 && c; c = c->next) {
                r = check_child_kind(p, root, c);
                if (r == 0 && c->type == XML_ELEMENT_NODE)
                        r = parse_port_child(p, c);
        }
        if (r < 0)
                return r;
        return check_port_whole(p, root);
}

static int error_set(NetDefError *err, int r, const char *text) {
        if (err) {
                netdef_error_clear(err);
                err->message = g_strdup(text);
        }
        return r;
}

/**
 * portdef_parse_xml() - parse and validate a <networkport> definition
 *
 * The uuid may be absent (Allocate generates one); a plug may be present or not, which the
 * caller checks through plug_type.
 * Returns: 0 with *ret set; or -EINVAL (bad XML, a broken rule) or -EFBIG (larger than
 * PORTDEF_XML_MAX), with err set and *ret untouched.
 */
int portdef_parse_xml(const char *xml, PortDef **ret, NetDefError *err) {
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(PortDef) def = NULL;
        char *msg = NULL;
        size_t len;
        Parser p;
        int r;

        if (!xml)
                return error_set(err, -EINVAL, "no port XML given");
        len = strnlen(xml, PORTDEF_XML_MAX + 1);
        if (len > PORTDEF_XML_MAX)
                return error_set(err, -EFBIG, "port XML is larger than 1 MiB");
        def = portdef_new();
        p = (Parser) { .def = def, .err = err };
        r = xml_read_document(xml, len, &doc, &msg);
        if (r < 0)
                return take_msg(&p, r, msg);
        r = parse_networkport(&p, xmlDocGetRootElement(doc));
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&def);
        return 0;
}
