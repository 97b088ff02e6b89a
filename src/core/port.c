/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port: an allocation of a pool device to a guest, and its record on disk */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "core/names.h"
#include "core/port.h"
#include "core/xml-util.h"
#include "shared/macro.h"

static const char *const port_phase_table[_PORT_PHASE_MAX] = {
        [PORT_PHASE_CONFIGURING] = "configuring",
        [PORT_PHASE_ACTIVE] = "active",
        [PORT_PHASE_RELEASING] = "releasing",
};

static const char *port_phase_to_string(PortPhase p) {
        return p >= 0 && p < _PORT_PHASE_MAX ? port_phase_table[p] : NULL;
}

static PortPhase port_phase_from_string(const char *s) {
        for (int i = 0; i < _PORT_PHASE_MAX; i++)
                if (streq_ptr(s, port_phase_table[i]))
                        return i;
        return _PORT_PHASE_INVALID;
}

static void port_vf_free(gpointer p) {
        PortVf *v = p;

        g_free(v->pf_netdev);
        g_free(v->alt_pf_netdev);
        g_free(v->vf_netdev);
        g_free(v);
}

Port *port_new(PortDef *def, const char *network, const char *device) {
        Port *p = g_new0(Port, 1);

        p->def = def;
        p->network = g_strdup(network);
        p->device = g_strdup(device);
        p->vfs = g_ptr_array_new_with_free_func(port_vf_free);
        return p;
}

Port *port_free(Port *p) {
        if (!p)
                return NULL;
        portdef_free(p->def);
        g_free(p->network);
        g_free(p->device);
        g_free(p->claim);
        g_ptr_array_unref(p->vfs);
        g_free(p);
        return NULL;
}

const char *port_health_to_string(PortHealth h) {
        static const char *const table[_PORT_HEALTH_MAX] = {
                [PORT_HEALTH_OK] = "ok",
                [PORT_HEALTH_LOST] = "lost",
                [PORT_HEALTH_DRIFTED] = "drifted",
                [PORT_HEALTH_RESTORING] = "restoring",
        };

        return h < _PORT_HEALTH_MAX ? table[h] : NULL;
}

bool port_claim_is_valid(const char *claim) {
        size_t n = claim ? strlen(claim) : 0;

        if (n == 0 || n > 255)
                return false;
        for (size_t i = 0; i < n; i++)
                if (claim[i] < 0x20 || claim[i] > 0x7e)
                        return false;
        return true;
}

const char *port_uuid(const Port *p) {
        return p->def->uuid;
}

PortVf *port_add_vf(Port *p, const char *pf_netdev, const char *alt_pf_netdev, unsigned vf, const char *vf_netdev) {
        PortVf *v = g_new0(PortVf, 1);

        v->pf_netdev = g_strdup(pf_netdev);
        v->alt_pf_netdev = g_strdup(alt_pf_netdev);
        v->vf = vf;
        v->vf_netdev = g_strdup(vf_netdev);
        g_ptr_array_add(p->vfs, v);
        return v;
}

char *port_record_format(const Port *p) {
        g_autoptr(GString) out = g_string_new("<portstatus");
        g_autofree char *xml = portdef_format_xml(p->def);

        xml_append_attr(out, "network", p->network);
        xml_append_attr(out, "device", p->device);
        xml_append_attr(out, "phase", port_phase_to_string(p->phase));
        g_string_append(out, ">\n");
        for (guint i = 0; i < p->vfs->len; i++) {
                const PortVf *v = p->vfs->pdata[i];

                g_string_append(out, "  <vf");
                xml_append_attr(out, "pf", v->pf_netdev);
                xml_append_attr(out, "altpf", v->alt_pf_netdev);
                g_string_append_printf(out, " index='%u'", v->vf);
                xml_append_attr(out, "netdev", v->vf_netdev);
                if (v->netdev_port > 0)
                        g_string_append_printf(out, " port='%u'", v->netdev_port);
                g_string_append(out, "/>\n");
        }
        if (p->owner_process.pid > 0)
                g_string_append_printf(out, "  <ownerprocess pid='%" PRIu32 "' start='%" PRIu64 "'/>\n",
                                       p->owner_process.pid, p->owner_process.start_time);
        if (p->claim) {
                g_string_append(out, "  <claim");
                xml_append_attr(out, "id", p->claim);
                g_string_append(out, "/>\n");
        }
        if (p->lower.saved) {
                g_string_append(out, "  <lower");
                xml_append_attr(out, "mac", p->lower.mac);
                xml_append_attr(out, "up", p->lower.up ? "yes" : "no");
                g_string_append(out, "/>\n");
        }
        if (p->vfio_owner.asked) {
                const PortNodeOwner *o = &p->vfio_owner;

                g_string_append_printf(out, "  <vfioowner uid='%" PRIu32 "' gid='%" PRIu32 "'", o->uid, o->gid);
                if (o->saved)
                        g_string_append_printf(out, " origuid='%" PRIu32 "' origgid='%" PRIu32 "' origmode='%04o'",
                                               o->orig_uid, o->orig_gid, (unsigned) o->orig_mode);
                g_string_append(out, "/>\n");
        }
        g_string_append(out, xml);
        g_string_append(out, "</portstatus>\n");
        return g_string_free(g_steal_pointer(&out), FALSE);
}

static char *prop(xmlNode *n, const char *name) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        char *s = v ? g_strdup((const char *) v) : NULL;

        xmlFree(v);
        return s;
}

static bool optional_netdev_ok(const char *s) {
        return !s || netdev_name_is_valid(s);
}

static int parse_vf(Port *p, xmlNode *n, char **ret_msg) {
        g_autofree char *pf = prop(n, "pf"), *alt = prop(n, "altpf"), *index = prop(n, "index");
        g_autofree char *netdev = prop(n, "netdev"), *port = prop(n, "port");
        char *end = NULL;
        unsigned long vf = index ? strtoul(index, &end, 10) : 0;

        if (!pf || !netdev_name_is_valid(pf) || !optional_netdev_ok(alt) || !optional_netdev_ok(netdev) ||
            !index || !end || *end || vf > 65535 || (port && !streq(port, "1") && !streq(port, "2"))) {
                *ret_msg = g_strdup_printf("line %d: invalid <vf> record", n->line);
                return -EINVAL;
        }
        port_add_vf(p, pf, alt, (unsigned) vf, netdev)->netdev_port = port ? (unsigned) (port[0] - '0') : 0;
        return 0;
}

static bool read_u32(xmlNode *n, const char *name, unsigned base, uint32_t *ret) {
        g_autofree char *v = prop(n, name);
        uint64_t x;

        if (!v || xml_parse_uint(v, base, G_MAXUINT32, &x) < 0)
                return false;
        *ret = (uint32_t) x;
        return true;
}

static int parse_vfio_owner(Port *p, xmlNode *n, char **ret_msg) {
        PortNodeOwner *o = &p->vfio_owner;
        g_autofree char *orig = prop(n, "origuid");

        o->asked = true;
        if (!read_u32(n, "uid", 10, &o->uid) || !read_u32(n, "gid", 10, &o->gid))
                goto bad;
        if (orig) {
                o->saved = true;
                if (!read_u32(n, "origuid", 10, &o->orig_uid) || !read_u32(n, "origgid", 10, &o->orig_gid) ||
                    !read_u32(n, "origmode", 8, &o->orig_mode) || o->orig_mode > 07777)
                        goto bad;
        }
        return 0;
bad:
        *ret_msg = g_strdup_printf("line %d: invalid <vfioowner> record", n->line);
        return -EINVAL;
}

static int parse_claim(Port *p, xmlNode *n, char **ret_msg) {
        g_autofree char *id = prop(n, "id");

        if (!port_claim_is_valid(id) || p->claim) {
                *ret_msg = g_strdup_printf("line %d: invalid <claim> record", n->line);
                return -EINVAL;
        }
        p->claim = g_steal_pointer(&id);
        return 0;
}

static int parse_owner_process(Port *p, xmlNode *n, char **ret_msg) {
        g_autofree char *start = prop(n, "start");
        uint64_t t;

        if (!read_u32(n, "pid", 10, &p->owner_process.pid) || p->owner_process.pid == 0 || !start ||
            xml_parse_uint(start, 10, UINT64_MAX, &t) < 0) {
                *ret_msg = g_strdup_printf("line %d: invalid <ownerprocess> record", n->line);
                return -EINVAL;
        }
        p->owner_process.start_time = t;
        return 0;
}

static int parse_lower(Port *p, xmlNode *n, char **ret_msg) {
        g_autofree char *mac = prop(n, "mac"), *up = prop(n, "up");

        if (!mac || mac_normalize(mac, p->lower.mac) < 0 || !up || xml_parse_yes_no(up, &p->lower.up) < 0) {
                *ret_msg = g_strdup_printf("line %d: invalid <lower> record", n->line);
                return -EINVAL;
        }
        p->lower.saved = true;
        return 0;
}

int port_record_parse(const char *text, Port **ret, char **ret_msg) {
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(Port) p = NULL;
        g_autofree char *network = NULL, *device = NULL, *phase = NULL, *msg = NULL;
        g_auto(NetDefError) err = {};
        xmlNode *root;
        int r;

        r = xml_read_document(text, strlen(text), &doc, &msg);
        if (r < 0) {
                *ret_msg = g_steal_pointer(&msg);
                return r;
        }
        root = xmlDocGetRootElement(doc);
        if (!streq((const char *) root->name, "portstatus")) {
                *ret_msg = g_strdup("not a <portstatus> record");
                return -EINVAL;
        }
        network = prop(root, "network");
        device = prop(root, "device");
        phase = prop(root, "phase");
        if (!network || !network_name_is_valid(network) || !device || port_phase_from_string(phase) < 0) {
                *ret_msg = g_strdup("<portstatus>: network, device or phase missing or invalid");
                return -EINVAL;
        }
        p = port_new(NULL, network, device);
        p->phase = port_phase_from_string(phase);
        for (xmlNode *n = root->children; n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE)
                        continue;
                if (streq((const char *) n->name, "vf")) {
                        r = parse_vf(p, n, ret_msg);
                        if (r < 0)
                                return r;
                } else if (streq((const char *) n->name, "claim")) {
                        r = parse_claim(p, n, ret_msg);
                        if (r < 0)
                                return r;
                } else if (streq((const char *) n->name, "ownerprocess")) {
                        r = parse_owner_process(p, n, ret_msg);
                        if (r < 0)
                                return r;
                } else if (streq((const char *) n->name, "lower")) {
                        r = parse_lower(p, n, ret_msg);
                        if (r < 0)
                                return r;
                } else if (streq((const char *) n->name, "vfioowner")) {
                        r = parse_vfio_owner(p, n, ret_msg);
                        if (r < 0)
                                return r;
                } else if (streq((const char *) n->name, "networkport") && !p->def) {
                        g_autofree char *xml = xml_node_to_string(doc, n);

                        r = portdef_parse_xml(xml, &p->def, &err);
                        if (r < 0) {
                                *ret_msg = g_strdup(err.message);
                                return r;
                        }
                }
        }
        if (!p->def || !uuid_is_valid(p->def->uuid)) {
                *ret_msg = g_strdup("<portstatus>: no <networkport> with a UUID");
                return -EINVAL;
        }
        *ret = g_steal_pointer(&p);
        return 0;
}
