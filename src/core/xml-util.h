/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XML helpers of the core parsers and formatters: attributes, numbers, messages, escaping */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/pci-addr.h"
#include "shared/macro.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlNode, xmlFreeNode);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree);

/* The most attributes (namespace declarations included) one element may have, and the most namespace
 * declarations a document may make. libxml2 appends each attribute by walking the element's list and
 * looks a prefix up by scanning the declarations in scope, so without these bounds a 1 MiB document
 * costs it seconds to minutes. */
#define XML_ATTRS_MAX 256
#define XML_NS_DECLS_MAX 256
/* The deepest nesting of elements: libxml2 resolves each prefix by walking up the ancestors */
#define XML_DEPTH_MAX 32

typedef enum XmlScanState {
        XML_SCAN_TEXT,
        XML_SCAN_LT,                    /* after '<' */
        XML_SCAN_BANG,                  /* after "<!": a comment, CDATA or a declaration */
        XML_SCAN_COMMENT,
        XML_SCAN_CDATA,
        XML_SCAN_PI,
        XML_SCAN_DECL,                  /* <!DOCTYPE …>, <!ENTITY …> */
        XML_SCAN_END_TAG,
        XML_SCAN_TAG_NAME,
        XML_SCAN_IN_TAG,                /* between attributes */
        XML_SCAN_ATTR_NAME,
        XML_SCAN_VALUE,                 /* in a quoted attribute value */
} XmlScanState;

/* A look at the raw text, one byte at a time and in any number of pieces, that counts what libxml2 would
 * pay for: attributes per start tag and namespace declarations. Zero-initialize, then set the flag. */
typedef struct XmlScan {
        bool refuse_doctype;            /* refuse <!DOCTYPE> here (xml_read_document() does it itself) */
        XmlScanState state;
        unsigned line;                  /* 0 means 1: lines seen so far */
        unsigned tag_line;
        char tag[64];                   /* name of the start tag being read (truncated) */
        size_t tag_len;
        char attr[7];                   /* first bytes of the attribute name being read */
        size_t attr_len;
        char quote;
        const char *opener;             /* "--" or "[CDATA[" being matched after "<!" */
        unsigned match;                 /* bytes of the opener matched, or of an end sequence */
        unsigned attrs, ns_decls;
        unsigned depth;                 /* open elements */
        bool slash;                     /* the last byte in a tag was '/' */
} XmlScan;

int xml_scan_feed(XmlScan *s, const char *buf, size_t len, char **ret_msg);

/* Read a document safely: no DTD (a DOCTYPE is refused), no entity expansion, no network access,
 * nothing printed (libxml2's messages go to *ret_msg, with the line), at most XML_ATTRS_MAX attributes
 * per element and XML_NS_DECLS_MAX namespace declarations (checked by xml_scan_feed() first).
 * Returns: 0 with *ret set, or -EINVAL / -ENOMEM with *ret_msg set. */
int xml_read_document(const char *xml, size_t len, xmlDoc **ret, char **ret_msg);

/* The element serialized as XML text (no formatting added), g_malloc'd. */
char *xml_node_to_string(xmlDoc *doc, xmlNode *node);

/* Line of a node in its document, 0 when unknown. */
unsigned xml_node_line(const xmlNode *node);
/* The attribute's value as a g_malloc'd string, NULL when absent. */
char *xml_prop(const xmlNode *node, const char *name);
/* The element's text (all text and CDATA below it), g_malloc'd; "" when empty. */
char *xml_text(const xmlNode *node);

/* "line N: <elem>: " + the formatted text. Every message of the core parsers starts this way
 * (without "line N: " when the line is unknown), so xml_msg_line() can read the line back. */
char *xml_node_msg(const xmlNode *node, const char *fmt, ...) _printf_(2, 3);
unsigned xml_msg_line(const char *msg);

/* An element without a namespace, i.e. part of the libvirt dialect. */
bool xml_node_is_plain_element(const xmlNode *node);
/* netpool's own namespace: elements libvirt's parsers skip (<netpool:plug>, <netpool:vf>) */
#define NETPOOL_XML_NS "urn:netpool:xml:1"
/* An element in netpool's namespace. */
bool xml_node_is_netpool_element(const xmlNode *node);

int xml_check_attrs(const xmlNode *node, const char *const *allowed, char **ret_msg);
/* -EINVAL and a message when node has element children or text. */
int xml_check_no_content(const xmlNode *node, char **ret_msg);
/* -EINVAL and a message for a child node that is neither ignorable nor a plain element. */
int xml_check_child_kind(const xmlNode *parent, const xmlNode *child, char **ret_msg);

/* Unsigned integer of at most max. base 0 reads "0x" hex, a leading 0 as octal, else decimal
 * (as libvirt's attribute readers do); base 10 only decimal digits. No sign, no white space.
 * Returns: 0, -EINVAL (not a number) or -ERANGE (above max). */
int xml_parse_uint(const char *s, unsigned base, uint64_t max, uint64_t *ret);

/* The domain, bus, slot and function attributes of an <address type='pci'>, read as libvirt reads them
 * (0x-hex, octal or decimal, each within its range). An absent field is 0, or an error when required.
 * Shared by the network and port parsers. Returns 0, or -EINVAL with *ret_msg naming field, value and rule
 * (without the "line N: <elem>: " prefix, which the caller adds). */
int xml_read_pci_addr(const xmlNode *node, bool required, PciAddr *ret, char **ret_msg);
/* "yes" or "no". Returns: 0 or -EINVAL. */
int xml_parse_yes_no(const char *s, bool *ret);

/* Append s escaped for text or a single-quoted attribute value. */
void xml_append_escaped(GString *out, const char *s);
/* Append " name='value'" with value escaped; nothing when value is NULL. */
void xml_append_attr(GString *out, const char *name, const char *value);
void xml_append_indent(GString *out, unsigned indent);
