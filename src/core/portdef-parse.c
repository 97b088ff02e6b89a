/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port XML parser: libvirt's <networkport> and netpool's additions, read safely into a PortDef */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/names.h"
#include "core/portdef.h"
#include "core/xml-parser.h"

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
        SINGLE_HOST_PLUG,
        SINGLE_MTU,
        SINGLE_VF,
        _SINGLE_MAX,
} Single;

G_STATIC_ASSERT(_SINGLE_MAX <= XML_PARSER_ONCE_MAX);

typedef struct Parser {
        XmlParser x;                    /* seen[] by Single */
        PortDef *def;
        unsigned netdev_lines[PORT_NETDEV_MAX];        /* where each <netdev port='N'> was */
} Parser;

static int parse_uuid(Parser *p, xmlNode *node) {
        return xml_parser_read_uuid(&p->x, node, p->def->uuid);
}

static int parse_owner_name(Parser *p, xmlNode *node) {
        const char *problem;
        int r;

        r = xml_parser_read_text(&p->x, node, &p->def->owner_name);
        if (r < 0)
                return r;
        problem = port_owner_name_rule_broken(p->def->owner_name);
        if (problem)
                return xml_parser_fail(&p->x, node, "'%s' %s", p->def->owner_name, problem);
        return 0;
}

static int parse_owner_child(Parser *p, xmlNode *c, bool *seen_name, bool *seen_uuid) {
        const char *n = (const char *) c->name;
        int r;

        if (streq(n, "name")) {
                r = xml_parser_check_once(&p->x, c, seen_name);
                return r < 0 ? r : parse_owner_name(p, c);
        }
        if (streq(n, "uuid")) {
                r = xml_parser_check_once(&p->x, c, seen_uuid);
                return r < 0 ? r : xml_parser_read_uuid(&p->x, c, p->def->owner_uuid);
        }
        return xml_parser_fail(&p->x, c, "unknown element in <owner>");
}

/* <owner>: the guest the port belongs to, by name and UUID; both required as in libvirt */
static int parse_owner(Parser *p, xmlNode *node) {
        bool seen_name = false, seen_uuid = false;
        xmlNode *c = NULL;
        int r;

        r = xml_parser_check_attrs(&p->x, node, NULL);
        while (r == 0 && (r = xml_parser_next_child(&p->x, node, &c)) > 0)
                r = parse_owner_child(p, c, &seen_name, &seen_uuid);
        if (r < 0)
                return r;
        if (!seen_name)
                return xml_parser_fail(&p->x, node, "<name> is required (the guest's name)");
        if (!seen_uuid)
                return xml_parser_fail(&p->x, node, "<uuid> is required (the guest's UUID)");
        return 0;
}

static int parse_group(Parser *p, xmlNode *node) {
        int r = xml_parser_read_text(&p->x, node, &p->def->group);

        if (r < 0)
                return r;
        if (!network_name_is_valid(p->def->group))
                return xml_parser_fail(&p->x, node, "'%s' is not a portgroup name (1–64 characters of "
                                       "A-Za-z0-9_.+-, not starting with '.' or '-')", p->def->group);
        return 0;
}

/* <mac address=…/>, of the port or of one <netdev> */
static int parse_mac_into(Parser *p, xmlNode *node, char buf[static 18]) {
        g_autofree char *address = NULL;
        const char *problem;
        int r;

        r = xml_parser_read_sole_attr(&p->x, node, "address", &address);
        if (r < 0)
                return r;
        problem = port_mac_rule_broken(address);
        if (problem)
                return xml_parser_fail(&p->x, node, "address '%s' %s", address, problem);
        return mac_normalize(address, buf);
}

static int parse_mac(Parser *p, xmlNode *node) {
        return parse_mac_into(p, node, p->def->mac);
}

static int parse_vlan(Parser *p, xmlNode *node) {
        return xml_parser_read_vlan(&p->x, node, &p->def->vlan);
}

static int parse_virtualport(Parser *p, xmlNode *node) {
        return xml_parser_read_virtualport(&p->x, node, &p->def->virtualport);
}

/* classID belongs to the port, not to the shared <bandwidth> block: it is read here and taken off
 * the node (our own parse tree), since bandwidth_parse_xml() refuses attributes it does not know */
static int take_class_id(Parser *p, xmlNode *node) {
        g_autofree char *v = xml_prop(node, "classID");
        uint64_t id;

        if (!v)
                return 0;
        if (xml_parse_uint(v, 10, UINT32_MAX, &id) < 0 || id == 0)
                return xml_parser_fail(&p->x, node, "classID '%s' is not a class number (1–4294967295)", v);
        p->def->bandwidth_class_id = (unsigned) id;
        xmlUnsetProp(node, (const xmlChar *) "classID");
        return 0;
}

static int parse_bandwidth(Parser *p, xmlNode *node) {
        const Bandwidth *bw;
        int r;

        r = take_class_id(p, node);
        if (r == 0)
                r = xml_parser_read_bandwidth(&p->x, node, &p->def->bandwidth);
        if (r < 0)
                return r;
        bw = p->def->bandwidth;
        if (p->def->bandwidth_class_id != 0 && !bw->inbound && !bw->outbound)
                return xml_parser_fail(&p->x, node, "classID needs <inbound> or <outbound>");
        return 0;
}

static int parse_port(Parser *p, xmlNode *node) {
        return xml_parser_read_flag_element(&p->x, node, "isolated", &p->def->port_isolated);
}

static int parse_rxfilters(Parser *p, xmlNode *node) {
        return xml_parser_read_flag_element(&p->x, node, "trustGuest", &p->def->trust_guest_rx_filters);
}

static int parse_netdev_child(Parser *p, xmlNode *c, PortNetdev *nd, bool *seen_mac) {
        const char *n = (const char *) c->name;
        int r;

        if (streq(n, "mac")) {
                r = xml_parser_check_once(&p->x, c, seen_mac);
                return r < 0 ? r : parse_mac_into(p, c, nd->mac);
        }
        if (streq(n, "vlan")) {
                if (nd->vlan)
                        return xml_parser_fail(&p->x, c, "given more than once");
                return xml_parser_read_vlan(&p->x, c, &nd->vlan);
        }
        return xml_parser_fail(&p->x, c, "unknown element in <netdev>");
}

static int read_netdev_port(Parser *p, xmlNode *node, unsigned *ret) {
        g_autofree char *v = xml_prop(node, "port");
        uint64_t n;

        if (!v)
                return xml_parser_fail(&p->x, node, "attribute 'port' is required (1 or 2)");
        if (xml_parse_uint(v, 10, PORT_NETDEV_MAX, &n) < 0 || n == 0)
                return xml_parser_fail(&p->x, node, "port '%s' is neither 1 nor 2", v);
        if (p->def->netdevs[n - 1].present)
                return xml_parser_fail(&p->x, node, "port '%s' is given twice", v);
        *ret = (unsigned) n;
        return 0;
}

/* <netdev port='N'>: netpool's per-port settings for a device with two netdevs */
static int parse_netdev(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "port", NULL };
        bool seen_mac = false;
        xmlNode *c = NULL;
        PortNetdev *nd;
        unsigned port = 0;
        int r;

        r = xml_parser_check_attrs(&p->x, node, attrs);
        if (r == 0)
                r = read_netdev_port(p, node, &port);
        if (r < 0)
                return r;
        nd = &p->def->netdevs[port - 1];
        nd->present = true;
        p->netdev_lines[port - 1] = xml_node_line(node);
        while (r == 0 && (r = xml_parser_next_child(&p->x, node, &c)) > 0)
                r = parse_netdev_child(p, c, nd, &seen_mac);
        return r;
}

/* ---- <plug> ---- */

static int read_plug_mode(Parser *p, xmlNode *node) {
        g_autofree char *v = xml_prop(node, "mode");

        if (!v)
                return 0;
        p->def->plug.mode = port_macvtap_mode_from_string(v);
        if (p->def->plug.mode < 0)
                return xml_parser_fail(&p->x, node, "mode '%s' is not one of vepa, private, bridge, "
                                       "passthrough", v);
        return 0;
}

static int read_plug_mac_table_manager(Parser *p, xmlNode *node) {
        g_autofree char *v = xml_prop(node, "macTableManager");

        if (!v)
                return 0;
        p->def->plug.mac_table_manager = port_mac_table_manager_from_string(v);
        if (p->def->plug.mac_table_manager < 0)
                return xml_parser_fail(&p->x, node, "macTableManager '%s' is neither 'kernel' nor 'libvirt'", v);
        return 0;
}

static int parse_plug_driver(Parser *p, xmlNode *node) {
        g_autofree char *name = NULL;
        int r;

        r = xml_parser_read_sole_attr(&p->x, node, "name", &name);
        if (r < 0)
                return r;
        p->def->plug.driver = port_pci_driver_from_string(name);
        if (p->def->plug.driver < 0)
                return xml_parser_fail(&p->x, node, "name '%s' is not one of kvm, vfio, xen", name);
        return 0;
}

static int parse_plug_address(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "type", "domain", "bus", "slot", "function", NULL };
        g_autofree char *type = xml_prop(node, "type"), *msg = NULL;
        PciAddr *a = &p->def->plug.address;
        int r;

        r = xml_parser_check_empty(&p->x, node, attrs);
        if (r < 0)
                return r;
        if (type && !streq(type, "pci"))
                return xml_parser_fail(&p->x, node, "type '%s' is not 'pci'", type);
        /* unlike a network's pool, a plug names one real device: every field is required */
        if (xml_read_pci_addr(node, /* required= */ true, a, &msg) < 0)
                return xml_parser_fail(&p->x, node, "%s", msg);
        return 0;
}

static int parse_plug_child(Parser *p, xmlNode *c, bool seen[static 2]) {
        const char *n = (const char *) c->name;
        bool is_driver = streq(n, "driver");
        int r;

        if (!is_driver && !streq(n, "address"))
                return xml_parser_fail(&p->x, c, "unknown element in <plug>");
        if (!port_plug_type_has(p->def->plug_type, n))
                return xml_parser_fail(&p->x, c, "does not apply to a plug of type '%s'",
                                 port_plug_type_to_string(p->def->plug_type));
        r = xml_parser_check_once(&p->x, c, &seen[is_driver ? 0 : 1]);
        if (r < 0)
                return r;
        return is_driver ? parse_plug_driver(p, c) : parse_plug_address(p, c);
}

static int read_plug_type(Parser *p, xmlNode *node) {
        g_autofree char *type = xml_prop(node, "type");
        PortPlugType t;

        if (!type)
                return xml_parser_fail(&p->x, node, "attribute 'type' is required (direct, hostdev-pci, hybrid, "
                                       "bridge or network)");
        t = port_plug_type_from_string(type);
        /* a port without plug has no <plug>; type='none' would say nothing */
        if (t <= PORT_PLUG_NONE)
                return xml_parser_fail(&p->x, node, "type '%s' is not one of direct, hostdev-pci, hybrid, bridge, "
                                       "network", type);
        p->def->plug_type = t;
        return 0;
}

/* Attributes are checked against the type before any is read, so the message says why */
static int check_plug_attrs(Parser *p, xmlNode *node) {
        static const char *const attrs[] = { "type", "dev", "mode", "bridge", "macTableManager",
                                             "managed", NULL };
        int r = xml_parser_check_attrs(&p->x, node, attrs);

        if (r < 0)
                return r;
        for (const xmlAttr *a = node->properties; a; a = a->next) {
                const char *name = (const char *) a->name;

                if (!streq(name, "type") && !port_plug_type_has(p->def->plug_type, name))
                        return xml_parser_fail(&p->x, node, "attribute '%s' does not apply to a plug of "
                                               "type '%s'", name, port_plug_type_to_string(p->def->plug_type));
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
                r = xml_parser_read_tristate(&p->x, node, "managed", &p->def->plug.managed);
        return r;
}

static int parse_plug(Parser *p, xmlNode *node) {
        bool seen[2] = {};              /* <driver>, <address> */
        g_autofree char *problem = NULL;
        xmlNode *c = NULL;
        int r;

        r = read_plug_type(p, node);
        if (r == 0)
                r = check_plug_attrs(p, node);
        if (r == 0)
                r = read_plug_attrs(p, node);
        while (r == 0 && (r = xml_parser_next_child(&p->x, node, &c)) > 0)
                r = parse_plug_child(p, c, seen);
        if (r < 0)
                return r;
        if (port_plug_type_has(p->def->plug_type, "address") && !seen[1])
                return xml_parser_fail(&p->x, node, "a plug of type '%s' needs an <address>",
                                 port_plug_type_to_string(p->def->plug_type));
        problem = portdef_plug_check(p->def);
        if (problem)
                return xml_parser_fail(&p->x, node, "%s", problem);
        return 0;
}

/* ---- <netpool:plug> ---- */

static int read_host_netdev(Parser *p, xmlNode *node, const char *name, char **ret) {
        g_autofree char *v = xml_prop(node, name);

        if (v && !netdev_name_is_valid(v))
                return xml_parser_fail(&p->x, node, "attribute '%s': '%.64s' is not a valid netdev name", name, v);
        *ret = g_steal_pointer(&v);
        return 0;
}

static int read_host_index(Parser *p, xmlNode *node, const char *name, int *ret) {
        g_autofree char *v = xml_prop(node, name);
        uint64_t n;

        if (!v)
                return 0;
        if (xml_parse_uint(v, 10, G_MAXINT32, &n) < 0)
                return xml_parser_fail(&p->x, node, "attribute '%s': '%.64s' is not a number", name, v);
        *ret = (int) n;
        return 0;
}

/* A node path netpoold showed: absolute, no "..", at most PATH_MAX; shown again, never opened from here. */
static int read_host_path(Parser *p, xmlNode *node, const char *name, char **ret) {
        g_autofree char *v = xml_prop(node, name);

        if (v && (v[0] != '/' || strstr(v, "/../") || g_str_has_suffix(v, "/..") || strlen(v) > 4095))
                return xml_parser_fail(&p->x, node, "attribute '%s': not an absolute path", name);
        *ret = g_steal_pointer(&v);
        return 0;
}

/* What netpoold made on the host for the port, as it returned it: Notify reads it back. */
static int parse_host_plug(Parser *p, xmlNode *node) {
        static const char *const allowed[] = { "pf", "vf-index", "iommu-group", "vfio-group", "vfio-device",
                                               "tap", "vlan-device", NULL };
        PortHostPlug *h = &p->def->host;
        int r;

        r = xml_parser_check_empty(&p->x, node, allowed);
        if (r == 0)
                r = read_host_netdev(p, node, "pf", &h->pf);
        if (r == 0)
                r = read_host_netdev(p, node, "tap", &h->tap);
        if (r == 0)
                r = read_host_netdev(p, node, "vlan-device", &h->vlan_device);
        if (r == 0)
                r = read_host_index(p, node, "vf-index", &h->vf_index);
        if (r == 0)
                r = read_host_index(p, node, "iommu-group", &h->iommu_group);
        if (r == 0)
                r = read_host_path(p, node, "vfio-group", &h->vfio_group);
        if (r == 0)
                r = read_host_path(p, node, "vfio-device", &h->vfio_device);
        return r;
}

static int parse_mtu(Parser *p, xmlNode *node) {
        return xml_parser_read_mtu(&p->x, node, &p->def->mtu);
}

static int parse_vf(Parser *p, xmlNode *node) {
        return xml_parser_read_vf_params(&p->x, node, &p->def->vf);
}

/* ---- <networkport> ---- */

/* once: Single, or -1 for a repeatable element */
static const XML_ELEMENT_RULE(Parser) port_elements[] = {
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
        { "netpool:plug", parse_host_plug, SINGLE_HOST_PLUG },
        { "mtu", parse_mtu, SINGLE_MTU },
        { "netpool:vf", parse_vf, SINGLE_VF },
};

static int parse_port_child(Parser *p, xmlNode *c) {
        for (size_t i = 0; i < G_N_ELEMENTS(port_elements); i++) {
                int r = xml_parser_claim(&p->x, c, port_elements[i].name, port_elements[i].once);

                if (r != 0)
                        return r < 0 ? r : port_elements[i].parse(p, c);
        }
        return xml_parser_fail(&p->x, c, "unknown element in <networkport>");
}

/* Rules across elements: what must be there, and per-port settings against the plug */
static int check_port_whole(Parser *p, xmlNode *root) {
        g_autofree char *problem = NULL;
        unsigned port = 0;

        if (!p->x.seen[SINGLE_OWNER])
                return xml_parser_fail(&p->x, root, "<owner> is required (the guest's name and UUID)");
        if (!p->x.seen[SINGLE_MAC])
                return xml_parser_fail(&p->x, root, "<mac> is required (the guest interface's address)");
        problem = portdef_netdevs_check(p->def, &port);
        if (problem) {
                unsigned line = port > 0 ? p->netdev_lines[port - 1] : 0;
                g_autofree char *where = line > 0 ? g_strdup_printf("line %u: ", line) : g_strdup("");

                return xml_parser_take(&p->x, -EINVAL, g_strdup_printf("%s<netdev>: %s", where, problem));
        }
        return 0;
}

static int parse_networkport(Parser *p, xmlNode *root) {
        xmlNode *c = NULL;
        int r;

        if (!xml_node_is_plain_element(root) || !streq((const char *) root->name, "networkport"))
                return xml_parser_fail(&p->x, root, "the root element must be <networkport>");
        r = xml_parser_check_attrs(&p->x, root, NULL);
        while (r == 0 && (r = xml_parser_next_child_or_netpool(&p->x, root, &c)) > 0)
                r = parse_port_child(p, c);
        if (r < 0)
                return r;
        return check_port_whole(p, root);
}

/**
 * portdef_parse_xml() - parse and validate a <networkport> definition
 *
 * At most PORTDEF_XML_MAX bytes. No DTD, no entities, no network, nothing printed. Errors are
 * reported as for networks, in a NetDefError (line and a message naming the element and the rule).
 * The uuid may be absent (Allocate generates one); a plug may be present or not, which the caller
 * checks through plug_type.
 * Returns: 0 with *ret set; or -EINVAL (bad XML, a broken rule) or -EFBIG (larger than
 * PORTDEF_XML_MAX), with err set and *ret untouched.
 */
int portdef_parse_xml(const char *xml, PortDef **ret, NetDefError *err) {
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(PortDef) def = NULL;
        Parser p = { .x.err = err };
        int r;

        r = xml_parser_read_document(&p.x, xml, PORTDEF_XML_MAX, "port", &doc);
        if (r < 0)
                return r;
        p.def = def = portdef_new();
        r = parse_networkport(&p, xmlDocGetRootElement(doc));
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&def);
        return 0;
}
