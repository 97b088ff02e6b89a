/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XML Parser: what the <network> and <networkport> parsers stand on (error, checks, readers) */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "core/netdef.h"
#include "core/virt-params.h"
#include "core/xml-util.h"
#include "shared/macro.h"

/* How many elements that may appear once a parser can track in XmlParser.seen */
#define XML_PARSER_ONCE_MAX 16

/* The state every parser shares; each embeds one as its member x. Zero-initialize, then set err.
 * Every message the helpers below make is made by xml_node_msg(), so it names line and element. */
typedef struct XmlParser {
        NetDefError *err;               /* where the error goes; may be NULL */
        bool seen[XML_PARSER_ONCE_MAX]; /* elements that may appear once, by the parser's own index */
} XmlParser;

/* Read a document of at most max bytes with xml_read_document(). what names it in the messages
 * ("no network XML given", "network XML is larger than 1 MiB").
 * Returns: 0 with *ret set, or -EINVAL (none given, bad XML), -EFBIG (too large) or -ENOMEM, with the
 * error set. */
int xml_parser_read_document(XmlParser *x, const char *xml, size_t max, const char *what, xmlDoc **ret);

/* Hand msg, made by xml_node_msg() or NULL, to the error with the line it names when r < 0 (else free
 * it). Returns r. */
int xml_parser_take(XmlParser *x, int r, char *msg);
/* -EINVAL with the error "line N: <elem>: " + the formatted text. */
int xml_parser_fail(XmlParser *x, const xmlNode *node, const char *fmt, ...) _printf_(3, 4);

/* The checks return 0, or -EINVAL with the error set. */
/* Every attribute of node is in allowed (NULL-terminated; NULL: none is). */
int xml_parser_check_attrs(XmlParser *x, const xmlNode *node, const char *const *allowed);
/* node holds no element and no text. */
int xml_parser_check_no_content(XmlParser *x, const xmlNode *node);
/* Both: an element such as <port isolated='yes'/>. */
int xml_parser_check_empty(XmlParser *x, const xmlNode *node, const char *const *allowed);
/* An element that may appear once: "given more than once" when *seen, which it sets. */
int xml_parser_check_once(XmlParser *x, const xmlNode *node, bool *seen);
/* The type of a row in a parser's table of the elements a parent may hold: the element's name, the
 * function of the parser (of type ParserType) that reads it, and once, its index into XmlParser.seen when
 * it may appear once (else -1). xml_parser_claim() matches a row. */
#define XML_ELEMENT_RULE(ParserType)                                    \
        struct {                                                        \
                const char *name;                                       \
                int (*parse)(ParserType *parser, xmlNode *node);        \
                int once;                                               \
        }

/* Whether c is the element called name: 1 when it is, 0 when not; when it is and once >= 0 (an index
 * into x->seen), -EINVAL if it was seen before. For the tables of the elements a parent may hold. */
int xml_parser_claim(XmlParser *x, const xmlNode *c, const char *name, int once);

/* The next element child of parent after *c (the first when *c is NULL), having checked that each node
 * on the way is either ignorable or a plain element (xml_check_child_kind()).
 * Returns: 1 with *c set, 0 after the last (*c NULL again), or -EINVAL with the error set. Typical use:
 *   while (r == 0 && (r = xml_parser_next_child(x, node, &c)) > 0)
 *           r = parse_child(p, c); */
int xml_parser_next_child(XmlParser *x, const xmlNode *parent, xmlNode **c);
/* As xml_parser_next_child(), and elements of netpool's namespace (NETPOOL_XML_NS) pass too: for the
 * parents that may hold them, whose element tables name them "netpool:NAME". */
int xml_parser_next_child_or_netpool(XmlParser *x, const xmlNode *parent, xmlNode **c);

/* The readers return 0, or -EINVAL with the error set. */
/* The attribute, g_malloc'd; "attribute 'NAME' is required" when absent. */
int xml_parser_read_required(XmlParser *x, const xmlNode *node, const char *name, char **ret);
/* A 'yes'/'no' attribute. Absent means unset: *ret stays as it is. */
int xml_parser_read_tristate(XmlParser *x, const xmlNode *node, const char *name, Tristate *ret);
/* The same for an attribute that must be given: "attribute 'NAME' is required" when absent. */
int xml_parser_read_tristate_required(XmlParser *x, const xmlNode *node, const char *name, Tristate *ret);
/* An empty element with one attribute, which is required (<pf dev='eth0'/>): its value, g_malloc'd. */
int xml_parser_read_sole_attr(XmlParser *x, const xmlNode *node, const char *name, char **ret);
/* An empty element with one yes/no attribute, which is required (<port isolated='yes'/>). */
int xml_parser_read_flag_element(XmlParser *x, const xmlNode *node, const char *name, Tristate *ret);
/* A text-only element (<name>, <uuid>, …): no attributes, no child elements. */
int xml_parser_read_text(XmlParser *x, const xmlNode *node, char **ret);
/* A text-only element holding a UUID, normalized into buf. */
int xml_parser_read_uuid(XmlParser *x, const xmlNode *node, char buf[static 37]);
/* The blocks of virt-params.h: <vlan>, <virtualport>, <bandwidth>. */
int xml_parser_read_vlan(XmlParser *x, xmlNode *node, Vlan **ret);
int xml_parser_read_virtualport(XmlParser *x, xmlNode *node, VirtualPort **ret);
int xml_parser_read_bandwidth(XmlParser *x, xmlNode *node, Bandwidth **ret);
/* <netpool:vf> and <mtu size=> (vf-params.h) */
int xml_parser_read_vf_params(XmlParser *x, xmlNode *node, VfParams **ret);
int xml_parser_read_mtu(XmlParser *x, xmlNode *node, unsigned *ret);
