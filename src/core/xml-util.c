/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XML helpers of the core parsers and formatters: attributes, numbers, messages, escaping */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parserInternals.h>

#include "core/xml-util.h"

typedef struct ReadState {
        bool doctype;
        unsigned doctype_line;
        char *first_error;
        unsigned error_line;
} ReadState;

/* A DOCTYPE is refused outright: no DTD, no entity declarations, whatever they would do */
static void on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id) {
        xmlParserCtxt *ctxt = ctx;
        ReadState *st = ctxt->_private;

        st->doctype = true;
        st->doctype_line = ctxt->input ? (unsigned) ctxt->input->line : 0;
        xmlStopParser(ctxt);
}

#if LIBXML_VERSION >= 21200
static void on_error(void *ctx, const xmlError *e) {
#else
static void on_error(void *ctx, xmlError *e) {
#endif
        xmlParserCtxt *ctxt = ctx;
        ReadState *st = ctxt->_private;

        /* the first error says what is wrong; later ones follow from it */
        if (e->level < XML_ERR_ERROR || st->first_error)
                return;
        st->first_error = g_strchomp(g_strdup(e->message ? e->message : "unknown error"));
        st->error_line = e->line > 0 ? (unsigned) e->line : 0;
}

static char *line_msg(unsigned line, const char *text) {
        return line > 0 ? g_strdup_printf("line %u: %s", line, text) : g_strdup(text);
}

#define DOCTYPE_REFUSED "<!DOCTYPE>: a document type declaration is not accepted (netpool loads no DTD)"

static bool scan_is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static unsigned scan_line(const XmlScan *s) {
        return s->line + 1;
}

/* One '=' outside quotes in a start tag is one attribute; xmlns and xmlns:p are declarations */
static int scan_count_attr(XmlScan *s, char **ret_msg) {
        bool is_ns = s->attr_len >= 5 && memcmp(s->attr, "xmlns", 5) == 0 &&
                     (s->attr_len == 5 || s->attr[5] == ':');

        s->attr_len = 0;
        if (++s->attrs > XML_ATTRS_MAX) {
                *ret_msg = g_strdup_printf("line %u: <%.*s>: more than %d attributes; netpool reads at most %d "
                                           "per element", s->tag_line, (int) s->tag_len, s->tag, XML_ATTRS_MAX,
                                           XML_ATTRS_MAX);
                return -EINVAL;
        }
        if (is_ns && ++s->ns_decls > XML_NS_DECLS_MAX) {
                *ret_msg = g_strdup_printf("line %u: <%.*s>: more than %d namespace declarations; netpool "
                                           "reads at most %d per document", s->tag_line, (int) s->tag_len,
                                           s->tag, XML_NS_DECLS_MAX, XML_NS_DECLS_MAX);
                return -EINVAL;
        }
        return 0;
}

/* Inside a start tag, after its name */
static int scan_in_tag(XmlScan *s, char c, char **ret_msg) {
        bool slash = s->slash;

        s->slash = c == '/';
        if (c == '>') {
                s->state = XML_SCAN_TEXT;
                if (slash)
                        return 0;       /* <empty/> */
                if (++s->depth > XML_DEPTH_MAX) {
                        *ret_msg = g_strdup_printf("line %u: <%.*s>: elements nested more than %d deep; netpool "
                                                   "reads at most %d levels", s->tag_line, (int) s->tag_len,
                                                   s->tag, XML_DEPTH_MAX, XML_DEPTH_MAX);
                        return -EINVAL;
                }
        } else if (c == '\'' || c == '"') {
                s->quote = c;
                s->state = XML_SCAN_VALUE;
        } else if (c == '=') {
                s->state = XML_SCAN_IN_TAG;
                return scan_count_attr(s, ret_msg);
        } else if (c == '<') {
                s->state = XML_SCAN_LT;         /* malformed; libxml2 refuses it, count the next tag */
                s->tag_line = scan_line(s);
        } else if (scan_is_space(c) || c == '/') {
                s->state = XML_SCAN_IN_TAG;
        } else {
                if (s->state != XML_SCAN_ATTR_NAME)
                        s->attr_len = 0;
                if (s->attr_len < sizeof(s->attr))
                        s->attr[s->attr_len++] = c;
                s->state = XML_SCAN_ATTR_NAME;
        }
        return 0;
}

/* After "<!": "--" opens a comment, "[CDATA[" a CDATA section, anything else is a declaration */
static int scan_bang(XmlScan *s, char c, char **ret_msg) {
        if (s->match == 0)
                s->opener = c == '-' ? "--" : c == '[' ? "[CDATA[" : NULL;
        if (s->opener && c == s->opener[s->match]) {
                if (s->opener[++s->match] == 0) {
                        s->state = s->opener[0] == '-' ? XML_SCAN_COMMENT : XML_SCAN_CDATA;
                        s->match = 0;
                }
                return 0;
        }
        if (s->refuse_doctype) {
                *ret_msg = g_strdup_printf("line %u: " DOCTYPE_REFUSED, s->tag_line);
                return -EINVAL;
        }
        s->state = c == '>' ? XML_SCAN_TEXT : XML_SCAN_DECL;
        return 0;
}

static void scan_lt(XmlScan *s, char c) {
        s->match = 0;
        switch (c) {
        case '!':
                s->state = XML_SCAN_BANG;
                break;
        case '?':
                s->state = XML_SCAN_PI;
                break;
        case '/':
                s->state = XML_SCAN_END_TAG;
                break;
        default:
                s->state = XML_SCAN_TAG_NAME;
                s->tag[0] = c;
                s->tag_len = 1;
                s->attrs = 0;
                s->attr_len = 0;
                s->slash = false;
        }
}

/* An end sequence: "-->" (n = 2 of '-'), "]]>" (n = 2 of ']') or "?>" (n = 1 of '?') */
static void scan_until(XmlScan *s, char c, char mark, unsigned n) {
        if (c == '>' && s->match >= n)
                s->state = XML_SCAN_TEXT;
        else if (c == mark)
                s->match++;
        else
                s->match = 0;
}

static int scan_byte(XmlScan *s, char c, char **ret_msg) {
        switch (s->state) {
        case XML_SCAN_TEXT:
                if (c == '<') {
                        s->state = XML_SCAN_LT;
                        s->tag_line = scan_line(s);
                }
                return 0;
        case XML_SCAN_LT:
                scan_lt(s, c);
                return 0;
        case XML_SCAN_BANG:
                return scan_bang(s, c, ret_msg);
        case XML_SCAN_COMMENT:
                scan_until(s, c, '-', 2);
                return 0;
        case XML_SCAN_CDATA:
                scan_until(s, c, ']', 2);
                return 0;
        case XML_SCAN_PI:
                scan_until(s, c, '?', 1);
                return 0;
        case XML_SCAN_DECL:
                if (c == '>')
                        s->state = XML_SCAN_TEXT;
                return 0;
        case XML_SCAN_END_TAG:
                if (c == '>') {
                        s->state = XML_SCAN_TEXT;
                        s->depth -= s->depth > 0;
                }
                return 0;
        case XML_SCAN_TAG_NAME:
                if (!scan_is_space(c) && c != '/' && c != '>' && c != '<' && c != '=' && c != '\'' && c != '"') {
                        if (s->tag_len < sizeof(s->tag))
                                s->tag[s->tag_len++] = c;
                        return 0;
                }
                return scan_in_tag(s, c, ret_msg);
        case XML_SCAN_IN_TAG:
        case XML_SCAN_ATTR_NAME:
                return scan_in_tag(s, c, ret_msg);
        case XML_SCAN_VALUE:
                if (c == s->quote)
                        s->state = XML_SCAN_IN_TAG;
                return 0;
        }
        return 0;
}

/**
 * xml_scan_feed() - check the next piece of a document against what libxml2 can read in linear time
 *
 * Linear in len, and no state beyond the fixed-size XmlScan. Comments, CDATA sections and
 * processing instructions are skipped as XML defines them, so their text counts for nothing;
 * anything malformed is left for libxml2 to refuse.
 * Returns: 0, or -EINVAL with *ret_msg ("line N: <elem>: …") set when a bound is broken (the line
 * is that of the start tag).
 */
int xml_scan_feed(XmlScan *s, const char *buf, size_t len, char **ret_msg) {
        for (size_t i = 0; i < len; i++) {
                int r;

                if (buf[i] == '\n')
                        s->line++;
                r = scan_byte(s, buf[i], ret_msg);
                if (r < 0)
                        return r;
        }
        return 0;
}

int xml_read_document(const char *xml, size_t len, xmlDoc **ret, char **ret_msg) {
        g_autoptr(xmlParserCtxt) ctxt = NULL;
        g_autoptr(xmlDoc) doc = NULL;
        g_autofree char *first_error = NULL;
        XmlScan scan = {};
        ReadState st = {};
        int r;

        if (len > INT_MAX) {
                *ret_msg = g_strdup("document too large");
                return -EFBIG;
        }
        r = xml_scan_feed(&scan, xml, len, ret_msg);
        if (r < 0)
                return r;
        ctxt = xmlNewParserCtxt();
        if (!ctxt) {
                *ret_msg = g_strdup("out of memory");
                return -ENOMEM;
        }
        /* messages go to st, never to stderr; only this context is touched, no global handler */
        ctxt->_private = &st;
        ctxt->sax->internalSubset = on_internal_subset;
        ctxt->sax->serror = on_error;
        doc = xmlCtxtReadMemory(ctxt, xml, (int) len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        first_error = st.first_error;
        if (st.doctype) {
                *ret_msg = line_msg(st.doctype_line, "<!DOCTYPE>: a document type declaration is not "
                                    "accepted (netpool loads no DTD)");
                return -EINVAL;
        }
        if (!doc || !ctxt->wellFormed || first_error || !xmlDocGetRootElement(doc)) {
                g_autofree char *text = g_strdup_printf("malformed XML: %s",
                                                        first_error ? first_error : "no root element");

                *ret_msg = line_msg(st.error_line, text);
                return -EINVAL;
        }
        *ret = g_steal_pointer(&doc);
        return 0;
}

unsigned xml_node_line(const xmlNode *node) {
        long line = xmlGetLineNo((xmlNode *) node);

        return line > 0 ? (unsigned) line : 0;
}

char *xml_prop(const xmlNode *node, const char *name) {
        xmlChar *v = xmlGetNoNsProp((xmlNode *) node, (const xmlChar *) name);
        char *copy;

        if (!v)
                return NULL;
        copy = g_strdup((const char *) v);
        xmlFree(v);
        return copy;
}

char *xml_text(const xmlNode *node) {
        xmlChar *v = xmlNodeGetContent((xmlNode *) node);
        char *copy = g_strdup(v ? (const char *) v : "");

        xmlFree(v);
        return copy;
}

char *xml_node_msg(const xmlNode *node, const char *fmt, ...) {
        g_autofree char *text = NULL;
        unsigned line = node ? xml_node_line(node) : 0;
        va_list ap;

        va_start(ap, fmt);
        text = g_strdup_vprintf(fmt, ap);
        va_end(ap);

        if (!node)
                return g_steal_pointer(&text);
        if (line == 0)
                return g_strdup_printf("<%s>: %s", (const char *) node->name, text);
        return g_strdup_printf("line %u: <%s>: %s", line, (const char *) node->name, text);
}

unsigned xml_msg_line(const char *msg) {
        unsigned line;

        if (msg && sscanf(msg, "line %u:", &line) == 1)
                return line;
        return 0;
}

/* Comments, processing instructions and white-space text, which carry no meaning here. */
static bool xml_node_is_ignorable(const xmlNode *node) {
        switch (node->type) {
        case XML_COMMENT_NODE:
        case XML_PI_NODE:
                return true;
        case XML_TEXT_NODE:
                return xmlIsBlankNode((xmlNode *) node) != 0;
        default:
                return false;
        }
}

bool xml_node_is_plain_element(const xmlNode *node) {
        return node->type == XML_ELEMENT_NODE && !node->ns;
}

bool xml_node_is_netpool_element(const xmlNode *node) {
        return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
               streq((const char *) node->ns->href, NETPOOL_XML_NS);
}

static bool name_in(const char *name, const char *const *allowed) {
        for (size_t i = 0; allowed && allowed[i]; i++)
                if (streq(name, allowed[i]))
                        return true;
        return false;
}

/**
 * xml_check_attrs() - refuse attributes the dialect does not have
 *
 * allowed is NULL-terminated. Nothing given is silently dropped, so an attribute we do not know is
 * an error, and so is one in a namespace (the dialect has none).
 * Returns: 0 or -EINVAL with *ret_msg set.
 */
int xml_check_attrs(const xmlNode *node, const char *const *allowed, char **ret_msg) {
        for (const xmlAttr *a = node->properties; a; a = a->next) {
                if (a->ns) {
                        *ret_msg = xml_node_msg(node, "unknown attribute '%s:%s'",
                                                (const char *) a->ns->prefix, (const char *) a->name);
                        return -EINVAL;
                }
                if (!name_in((const char *) a->name, allowed)) {
                        *ret_msg = xml_node_msg(node, "unknown attribute '%s'", (const char *) a->name);
                        return -EINVAL;
                }
        }
        return 0;
}

int xml_check_no_content(const xmlNode *node, char **ret_msg) {
        for (const xmlNode *c = node->children; c; c = c->next) {
                if (xml_node_is_ignorable(c))
                        continue;
                if (c->type == XML_ELEMENT_NODE)
                        *ret_msg = xml_node_msg(c, "unknown element in <%s>", (const char *) node->name);
                else
                        *ret_msg = xml_node_msg(node, "unexpected text; this element has no content");
                return -EINVAL;
        }
        return 0;
}

int xml_check_child_kind(const xmlNode *parent, const xmlNode *child, char **ret_msg) {
        if (xml_node_is_ignorable(child) || xml_node_is_plain_element(child))
                return 0;
        if (child->type == XML_ELEMENT_NODE)
                *ret_msg = xml_node_msg(child, "unknown element in <%s> (namespace '%s')",
                                        (const char *) parent->name, (const char *) child->ns->href);
        else
                *ret_msg = xml_node_msg(parent, "unexpected text between elements");
        return -EINVAL;
}

int xml_parse_uint(const char *s, unsigned base, uint64_t max, uint64_t *ret) {
        guint64 v;
        char *end;

        if (!s || !g_ascii_isdigit(s[0]))
                return -EINVAL;
        errno = 0;
        v = g_ascii_strtoull(s, &end, base);
        if (*end)
                return -EINVAL;
        if (errno == ERANGE || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int xml_parse_yes_no(const char *s, bool *ret) {
        if (streq_ptr(s, "yes"))
                *ret = true;
        else if (streq_ptr(s, "no"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

void xml_append_escaped(GString *out, const char *s) {
        for (; *s; s++) {
                switch (*s) {
                case '&':
                        g_string_append(out, "&amp;");
                        break;
                case '<':
                        g_string_append(out, "&lt;");
                        break;
                case '>':
                        g_string_append(out, "&gt;");
                        break;
                case '\'':
                        g_string_append(out, "&apos;");
                        break;
                case '"':
                        g_string_append(out, "&quot;");
                        break;
                default:
                        g_string_append_c(out, *s);
                }
        }
}

void xml_append_attr(GString *out, const char *name, const char *value) {
        if (!value)
                return;
        g_string_append_printf(out, " %s='", name);
        xml_append_escaped(out, value);
        g_string_append_c(out, '\'');
}

void xml_append_indent(GString *out, unsigned indent) {
        for (unsigned i = 0; i < indent; i++)
                g_string_append_c(out, ' ');
}

char *xml_node_to_string(xmlDoc *doc, xmlNode *node) {
        g_autoptr(xmlBuffer) buf = xmlBufferCreate();

        xmlNodeDump(buf, doc, node, 0, 0);
        return g_strdup((const char *) xmlBufferContent(buf));
}

static int read_pci_field(const xmlNode *node, const char *name, bool required, uint64_t max, uint32_t *ret,
                          char **ret_msg) {
        g_autofree char *v = xml_prop(node, name);
        uint64_t n;
        int r;

        if (!v) {
                *ret = 0;
                if (!required)
                        return 0;
                *ret_msg = g_strdup_printf("attribute '%s' is required", name);
                return -EINVAL;
        }
        r = xml_parse_uint(v, 0, max, &n);
        if (r == -ERANGE)
                *ret_msg = g_strdup_printf("%s '%s' is out of range (at most 0x%" PRIx64 ")", name, v, max);
        else if (r < 0)
                *ret_msg = g_strdup_printf("%s '%s' is not a number (0x-hex or decimal)", name, v);
        if (r < 0)
                return -EINVAL;
        *ret = (uint32_t) n;
        return 0;
}

int xml_read_pci_addr(const xmlNode *node, bool required, PciAddr *ret, char **ret_msg) {
        int r;

        r = read_pci_field(node, "domain", required, 0xffff, &ret->domain, ret_msg);
        if (r == 0)
                r = read_pci_field(node, "bus", required, 0xff, &ret->bus, ret_msg);
        if (r == 0)
                r = read_pci_field(node, "slot", required, 0x1f, &ret->slot, ret_msg);
        if (r == 0)
                r = read_pci_field(node, "function", required, 0x7, &ret->function, ret_msg);
        return r;
}
