/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network name peek: the <name> of a <network> document, read by streaming and no further */
#include <errno.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "core/names.h"
#include "core/netdef-private.h"
#include "core/netdef.h"
#include "core/xml-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlTextReader, xmlFreeTextReader);

/* The reader pulls the document through read_piece() in pieces of at least this size, and ending where
 * a tag (or comment, CDATA, PI) ends, so that libxml2 never parses beyond the element we stop at */
#define PEEK_PIECE 64

typedef struct Peek {
        const char *xml;
        size_t len, pos;                /* len: what may be read, at most NETDEF_NAME_WITHIN */
        size_t doc_len;                 /* the document's length (to its NUL or end) */
        size_t last_lt;                 /* offset of the last '<' handed to libxml2 */
        XmlScan scan;
        char *scan_msg;                 /* the bound xml_scan_feed() found broken */
        char *first_error;              /* libxml2's first error, and its line */
        unsigned error_line;
        NetDefError *err;
} Peek;

static void peek_clear(Peek *p) {
        g_free(p->scan_msg);
        g_free(p->first_error);
}

/* The next piece of the document, checked by xml_scan_feed() before libxml2 sees it; a NUL ends it.
 * A piece ends after the '>' that ends a tag. libxml2 scans back to the last '<' each time a piece
 * brings a '>', so pieces grow with the distance to that '<', and a '>' inside markup is handed on as
 * a space: a long tag or comment costs linear time too. */
static int read_piece(void *userdata, char *buf, int len) {
        Peek *p = userdata;
        size_t limit = MIN((size_t) MAX(len, 0), p->len - p->pos), n;

        limit = MIN(limit, MAX((size_t) PEEK_PIECE, p->pos - p->last_lt));
        if (p->scan_msg)
                return -1;
        if (limit == 0 && p->pos < p->doc_len && len > 0) {
                p->scan_msg = g_strdup_printf("<name> must come within the first %u KiB of a network "
                                              "definition", NETDEF_NAME_WITHIN / 1024);
                return -1;
        }
        for (n = 0; n < limit; n++) {
                const char *c = p->xml + p->pos + n;
                XmlScanState before = p->scan.state;

                if (*c == 0) {
                        p->len = p->doc_len = p->pos + n;
                        break;
                }
                if (xml_scan_feed(&p->scan, c, 1, &p->scan_msg) < 0)
                        return -1;
                if (*c == '<')
                        p->last_lt = p->pos + n;
                buf[n] = *c;
                if (before != XML_SCAN_TEXT && p->scan.state == XML_SCAN_TEXT) {
                        n++;
                        break;
                }
                /* a '>' that ends nothing (in a value, comment, PI or CDATA) would have libxml2 scan the
                 * whole construct again; a space means the same to what is read here */
                if (*c == '>' && before != XML_SCAN_TEXT)
                        buf[n] = ' ';
        }
        p->pos += n;
        return (int) n;
}

#if LIBXML_VERSION >= 21200
static void on_error(void *userdata, const xmlError *e) {
#else
static void on_error(void *userdata, xmlError *e) {
#endif
        Peek *p = userdata;

        /* the first error says what is wrong; later ones follow from it */
        if (e->level < XML_ERR_ERROR || p->first_error)
                return;
        p->first_error = g_strchomp(g_strdup(e->message ? e->message : "unknown error"));
        p->error_line = e->line > 0 ? (unsigned) e->line : 0;
}

static int peek_fail(Peek *p, char *msg) {
        return netdef_error_take(p->err, -EBADMSG, msg);
}

/* The reader stopped on an error: the bound broken, else libxml2's message, as xml_read_document() words it */
static int reader_failed(Peek *p) {
        g_autofree char *text = NULL;

        if (p->scan_msg)
                return peek_fail(p, g_steal_pointer(&p->scan_msg));
        text = g_strdup_printf("malformed XML: %s", p->first_error ? p->first_error : "no root element");
        if (p->error_line > 0)
                return peek_fail(p, g_strdup_printf("line %u: %s", p->error_line, text));
        return peek_fail(p, g_steal_pointer(&text));
}

/* Read on, r = xmlTextReaderRead(): 1 a node, 0 the end, -1 an error */
static int next_node(Peek *p, xmlTextReader *reader) {
        int r = xmlTextReaderRead(reader);

        if (r < 0 || p->scan_msg)
                return reader_failed(p);
        return r;
}

static bool is_plain_element(xmlTextReader *reader, const char *name) {
        return xmlTextReaderNodeType(reader) == XML_READER_TYPE_ELEMENT &&
               !xmlTextReaderConstNamespaceUri(reader) &&
               streq((const char *) xmlTextReaderConstLocalName(reader), name);
}

/* "line N: <elem>: " + text, for a node the reader may since have freed */
static int peek_fail_at(Peek *p, unsigned line, const char *elem, const char *text) {
        if (line == 0)
                return peek_fail(p, g_strdup_printf("<%s>: %s", elem, text));
        return peek_fail(p, g_strdup_printf("line %u: <%s>: %s", line, elem, text));
}

/* The text of <name> as the parser takes it (all text and CDATA in it), the reader on its start tag */
static int read_name_text(Peek *p, xmlTextReader *reader, char **ret) {
        g_autoptr(GString) text = g_string_new(NULL);
        unsigned line = xml_node_line(xmlTextReaderCurrentNode(reader));
        g_autofree char *problem = NULL;
        char *msg = NULL;
        int r;

        if (xml_check_attrs(xmlTextReaderCurrentNode(reader), NULL, &msg) < 0)
                return peek_fail(p, msg);
        if (!xmlTextReaderIsEmptyElement(reader))
                for (;;) {
                        r = next_node(p, reader);
                        if (r < 0)
                                return r;
                        if (r == 0 || xmlTextReaderDepth(reader) <= 1)
                                break;  /* the end tag of <name> */
                        switch (xmlTextReaderNodeType(reader)) {
                        case XML_READER_TYPE_TEXT:
                        case XML_READER_TYPE_CDATA:
                        case XML_READER_TYPE_WHITESPACE:
                        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
                                g_string_append(text, (const char *) xmlTextReaderConstValue(reader));
                                break;
                        case XML_READER_TYPE_ELEMENT:
                                return peek_fail(p, xml_node_msg(xmlTextReaderCurrentNode(reader),
                                                                 "unknown element in <name>, which holds text "
                                                                 "only"));
                        default:
                                break;  /* comments and processing instructions */
                        }
                }
        if (!network_name_is_valid(text->str)) {
                problem = g_strdup_printf("'%s' is not a valid network name (1–64 characters of "
                                          "A-Za-z0-9_.+-, not starting with '.' or '-')", text->str);
                return peek_fail_at(p, line, "name", problem);
        }
        *ret = g_string_free(g_steal_pointer(&text), FALSE);
        return 0;
}

/* The first child <name> of the root <network>; elements before it are read through, not kept */
static int find_name(Peek *p, xmlTextReader *reader, char **ret) {
        unsigned root_line;
        int r;

        do
                r = next_node(p, reader);
        while (r > 0 && xmlTextReaderNodeType(reader) != XML_READER_TYPE_ELEMENT);
        if (r < 0)
                return r;
        if (r == 0)
                return reader_failed(p);        /* no root element */
        if (!is_plain_element(reader, "network"))
                return peek_fail(p, xml_node_msg(xmlTextReaderCurrentNode(reader),
                                                 "the root element must be <network>"));
        root_line = xml_node_line(xmlTextReaderCurrentNode(reader));
        if (!xmlTextReaderIsEmptyElement(reader))
                for (;;) {
                        r = next_node(p, reader);
                        if (r < 0)
                                return r;
                        if (r == 0 || xmlTextReaderDepth(reader) == 0)
                                break;  /* </network> */
                        if (xmlTextReaderDepth(reader) == 1 && is_plain_element(reader, "name"))
                                return read_name_text(p, reader, ret);
                }
        return peek_fail_at(p, root_line, "network", "element <name> is required");
}

/**
 * netdef_peek_name() - the name of a <network> document, reading no further than its <name>
 *
 * For the authorization of DefineNetwork and CreateNetwork: what the polkit details need, at a cost
 * bounded by the bytes before </name> (plus at most a few dozen), whatever follows; </name> must come
 * within the first NETDEF_NAME_WITHIN bytes, else the document is refused (-EBADMSG) having read no more. The document is
 * streamed with the full parser's safety (no DTD: a DOCTYPE is refused; no entities; no network) and
 * the bounds of xml_scan_feed(). The name is checked as netdef_parse_xml() checks it; the rest of the
 * document is not looked at, so a later netdef_parse_xml() may still refuse it. xml is len bytes and
 * ends at a NUL within them, as netdef_parse_xml() reads it.
 *
 * Returns: 0 with *ret_name set (g_free it); -EFBIG when len is above NETDEF_XML_MAX; -EBADMSG when the
 * root is not <network>, there is no valid <name> child, or the XML before it is malformed; -ENOMEM.
 * On failure *reterr_error (may be NULL) gets the message and line, as from netdef_parse_xml(), and
 * *ret_name is untouched.
 */
int netdef_peek_name(const char *xml, size_t len, char **ret_name, NetDefError *reterr_error) {
        g_autoptr(xmlTextReader) reader = NULL;
        Peek p = { .xml = xml, .err = reterr_error, .scan.refuse_doctype = true };
        char *name = NULL;
        int r;

        if (!xml)
                return netdef_error_setf(reterr_error, -EBADMSG, 0, "no network XML given");
        if (len > NETDEF_XML_MAX)
                return netdef_error_setf(reterr_error, -EFBIG, 0, "network XML is larger than 1 MiB");
        p.len = MIN(len, (size_t) NETDEF_NAME_WITHIN);
        p.doc_len = len;
        reader = xmlReaderForIO(read_piece, /* ioclose= */ NULL, &p, /* URL= */ NULL, /* encoding= */ NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!reader)
                return netdef_error_setf(reterr_error, -ENOMEM, 0, "out of memory");
        xmlTextReaderSetStructuredErrorHandler(reader, on_error, &p);
        r = find_name(&p, reader, &name);
        peek_clear(&p);
        if (r < 0)
                return r;
        *ret_name = name;
        return 0;
}
