/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XML Parser: what the <network> and <networkport> parsers stand on (error, checks, readers) */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "core/names.h"
#include "core/netdef-private.h"
#include "core/xml-parser.h"

int xml_parser_read_document(XmlParser *x, const char *xml, size_t max, const char *what, xmlDoc **ret) {
        char *msg = NULL;
        size_t len;
        int r;

        if (!xml)
                return netdef_error_setf(x->err, -EINVAL, 0, "no %s XML given", what);
        len = strnlen(xml, max + 1);
        if (len > max)
                return netdef_error_setf(x->err, -EFBIG, 0, "%s XML is larger than %zu MiB", what,
                                         max / (1024 * 1024));
        r = xml_read_document(xml, len, ret, &msg);
        return xml_parser_take(x, r, msg);
}

int xml_parser_take(XmlParser *x, int r, char *msg) {
        if (r >= 0) {
                g_free(msg);
                return r;
        }
        return netdef_error_take(x->err, r, msg);
}

int xml_parser_fail(XmlParser *x, const xmlNode *node, const char *fmt, ...) {
        g_autofree char *text = NULL;
        va_list ap;

        va_start(ap, fmt);
        text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return xml_parser_take(x, -EINVAL, xml_node_msg(node, "%s", text));
}

int xml_parser_check_attrs(XmlParser *x, const xmlNode *node, const char *const *allowed) {
        char *msg = NULL;
        int r = xml_check_attrs(node, allowed, &msg);

        return xml_parser_take(x, r, msg);
}

int xml_parser_check_no_content(XmlParser *x, const xmlNode *node) {
        char *msg = NULL;
        int r = xml_check_no_content(node, &msg);

        return xml_parser_take(x, r, msg);
}

int xml_parser_check_empty(XmlParser *x, const xmlNode *node, const char *const *allowed) {
        int r = xml_parser_check_attrs(x, node, allowed);

        return r < 0 ? r : xml_parser_check_no_content(x, node);
}

int xml_parser_check_once(XmlParser *x, const xmlNode *node, bool *seen) {
        if (*seen)
                return xml_parser_fail(x, node, "given more than once");
        *seen = true;
        return 0;
}

/* "netpool:NAME" names an element of netpool's namespace, any other name a plain (libvirt) one. */
static bool element_is(const xmlNode *c, const char *name) {
        if (g_str_has_prefix(name, "netpool:"))
                return xml_node_is_netpool_element(c) && streq((const char *) c->name, name + strlen("netpool:"));
        return xml_node_is_plain_element(c) && streq((const char *) c->name, name);
}

int xml_parser_claim(XmlParser *x, const xmlNode *c, const char *name, int once) {
        int r;

        if (!element_is(c, name))
                return 0;
        if (once >= 0) {
                g_assert(once < XML_PARSER_ONCE_MAX);
                r = xml_parser_check_once(x, c, &x->seen[once]);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int next_child(XmlParser *x, const xmlNode *parent, bool netpool_ok, xmlNode **c) {
        for (xmlNode *n = *c ? (*c)->next : parent->children; n; n = n->next) {
                char *msg = NULL;
                int r = netpool_ok && xml_node_is_netpool_element(n) ? 0 : xml_check_child_kind(parent, n, &msg);

                if (r < 0)
                        return xml_parser_take(x, r, msg);
                if (n->type == XML_ELEMENT_NODE) {
                        *c = n;
                        return 1;
                }
        }
        *c = NULL;
        return 0;
}

int xml_parser_next_child(XmlParser *x, const xmlNode *parent, xmlNode **c) {
        return next_child(x, parent, /* netpool_ok= */ false, c);
}

int xml_parser_next_child_or_netpool(XmlParser *x, const xmlNode *parent, xmlNode **c) {
        return next_child(x, parent, /* netpool_ok= */ true, c);
}

int xml_parser_read_required(XmlParser *x, const xmlNode *node, const char *name, char **ret) {
        char *v = xml_prop(node, name);

        if (!v)
                return xml_parser_fail(x, node, "attribute '%s' is required", name);
        *ret = v;
        return 0;
}

int xml_parser_read_tristate(XmlParser *x, const xmlNode *node, const char *name, Tristate *ret) {
        g_autofree char *v = xml_prop(node, name);
        bool b;

        if (!v)
                return 0;
        if (xml_parse_yes_no(v, &b) < 0)
                return xml_parser_fail(x, node, "%s '%s' is neither 'yes' nor 'no'", name, v);
        *ret = b ? TRISTATE_YES : TRISTATE_NO;
        return 0;
}

int xml_parser_read_tristate_required(XmlParser *x, const xmlNode *node, const char *name, Tristate *ret) {
        Tristate t = TRISTATE_ABSENT;
        int r = xml_parser_read_tristate(x, node, name, &t);

        if (r < 0)
                return r;
        if (t == TRISTATE_ABSENT)
                return xml_parser_fail(x, node, "attribute '%s' is required", name);
        *ret = t;
        return 0;
}

int xml_parser_read_sole_attr(XmlParser *x, const xmlNode *node, const char *name, char **ret) {
        const char *const allowed[] = { name, NULL };
        int r = xml_parser_check_empty(x, node, allowed);

        return r < 0 ? r : xml_parser_read_required(x, node, name, ret);
}

int xml_parser_read_flag_element(XmlParser *x, const xmlNode *node, const char *name, Tristate *ret) {
        const char *const allowed[] = { name, NULL };
        int r = xml_parser_check_empty(x, node, allowed);

        return r < 0 ? r : xml_parser_read_tristate_required(x, node, name, ret);
}

int xml_parser_read_text(XmlParser *x, const xmlNode *node, char **ret) {
        int r = xml_parser_check_attrs(x, node, NULL);

        if (r < 0)
                return r;
        for (const xmlNode *c = node->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        return xml_parser_fail(x, c, "unknown element in <%s>, which holds text only",
                                               (const char *) node->name);
        *ret = xml_text(node);
        return 0;
}

int xml_parser_read_uuid(XmlParser *x, const xmlNode *node, char buf[static 37]) {
        g_autofree char *text = NULL;
        int r;

        r = xml_parser_read_text(x, node, &text);
        if (r < 0)
                return r;
        if (uuid_normalize(text, buf) < 0)
                return xml_parser_fail(x, node, "'%s' is not a UUID (8-4-4-4-12 or 32 hex digits)", text);
        return 0;
}

int xml_parser_read_vlan(XmlParser *x, xmlNode *node, Vlan **ret) {
        char *msg = NULL;
        int r = vlan_parse_xml(node, ret, &msg);

        return xml_parser_take(x, r, msg);
}

int xml_parser_read_virtualport(XmlParser *x, xmlNode *node, VirtualPort **ret) {
        char *msg = NULL;
        int r = virtualport_parse_xml(node, ret, &msg);

        return xml_parser_take(x, r, msg);
}

int xml_parser_read_bandwidth(XmlParser *x, xmlNode *node, Bandwidth **ret) {
        char *msg = NULL;
        int r = bandwidth_parse_xml(node, ret, &msg);

        return xml_parser_take(x, r, msg);
}

int xml_parser_read_vf_params(XmlParser *x, xmlNode *node, VfParams **ret) {
        char *msg = NULL;
        int r = vf_params_parse_xml(node, ret, &msg);

        return xml_parser_take(x, r, msg);
}

int xml_parser_read_mtu(XmlParser *x, xmlNode *node, unsigned *ret) {
        char *msg = NULL;
        int r = vf_params_parse_mtu_xml(node, ret, &msg);

        return xml_parser_take(x, r, msg);
}
