/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XML equivalence for tests: same elements in order, same attributes, same trimmed text */
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "xml-equiv.h"

static xmlDoc *read_doc(const char *xml) {
        return xmlReadMemory(xml, (int) strlen(xml), NULL, NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static bool is_significant(const xmlNode *n) {
        if (n->type == XML_ELEMENT_NODE)
                return true;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
                return !xmlIsBlankNode((xmlNode *) n);
        return false;
}

static const xmlNode *next_significant(const xmlNode *n) {
        while (n && !is_significant(n))
                n = n->next;
        return n;
}

static const char *ns_href(const xmlNs *ns) {
        return ns && ns->href ? (const char *) ns->href : "";
}

static char *trimmed_text(const xmlNode *n) {
        return g_strstrip(g_strdup((const char *) n->content));
}

static char *where(const xmlNode *n) {
        return g_strdup_printf("<%s> at line %ld", n->name ? (const char *) n->name : "?",
                               xmlGetLineNo((xmlNode *) n));
}

static unsigned count_attrs(const xmlNode *n) {
        unsigned k = 0;

        for (const xmlAttr *a = n->properties; a; a = a->next)
                k++;
        return k;
}

static bool attrs_equal(const xmlNode *a, const xmlNode *b, char **ret_diff) {
        if (count_attrs(a) != count_attrs(b)) {
                g_autofree char *w = where(a);

                *ret_diff = g_strdup_printf("%s: %u attributes against %u", w, count_attrs(a), count_attrs(b));
                return false;
        }
        for (const xmlAttr *x = a->properties; x; x = x->next) {
                const xmlChar *href = x->ns ? x->ns->href : NULL;
                xmlChar *va = xmlGetNsProp((xmlNode *) a, x->name, href);
                xmlChar *vb = xmlGetNsProp((xmlNode *) b, x->name, href);
                bool same = vb && xmlStrEqual(va, vb);

                if (!same) {
                        g_autofree char *w = where(a);

                        *ret_diff = g_strdup_printf("%s: attribute %s='%s' against '%s'", w, x->name,
                                                    va ? (char *) va : "", vb ? (char *) vb : "(absent)");
                }
                xmlFree(va);
                xmlFree(vb);
                if (!same)
                        return false;
        }
        return true;
}

static bool nodes_equal(const xmlNode *a, const xmlNode *b, char **ret_diff);

static bool children_equal(const xmlNode *a, const xmlNode *b, char **ret_diff) {
        const xmlNode *x = next_significant(a->children), *y = next_significant(b->children);

        for (; x && y; x = next_significant(x->next), y = next_significant(y->next))
                if (!nodes_equal(x, y, ret_diff))
                        return false;
        if (x || y) {
                g_autofree char *w = where(a);

                *ret_diff = g_strdup_printf("%s: %s has more content (%s)", w, x ? "the first" : "the second",
                                            (const char *) (x ? x : y)->name);
                return false;
        }
        return true;
}

static bool nodes_equal(const xmlNode *a, const xmlNode *b, char **ret_diff) {
        bool a_elem = a->type == XML_ELEMENT_NODE, b_elem = b->type == XML_ELEMENT_NODE;

        if (a_elem != b_elem) {
                g_autofree char *w = where(a_elem ? a : b);

                *ret_diff = g_strdup_printf("%s: element against text", w);
                return false;
        }
        if (!a_elem) {
                g_autofree char *ta = trimmed_text(a), *tb = trimmed_text(b);

                if (!g_str_equal(ta, tb)) {
                        *ret_diff = g_strdup_printf("text '%s' against '%s' (in <%s>)", ta, tb,
                                                    (const char *) a->parent->name);
                        return false;
                }
                return true;
        }
        if (!xmlStrEqual(a->name, b->name) || !g_str_equal(ns_href(a->ns), ns_href(b->ns))) {
                g_autofree char *wa = where(a), *wb = where(b);

                *ret_diff = g_strdup_printf("element %s against %s", wa, wb);
                return false;
        }
        return attrs_equal(a, b, ret_diff) && children_equal(a, b, ret_diff);
}

bool xml_equiv(const char *a, const char *b, char **ret_diff) {
        xmlDoc *da = read_doc(a), *db = read_doc(b);
        char *diff = NULL;
        bool same;

        if (!da || !db)
                diff = g_strdup_printf("%s is not well-formed XML", !da ? "the first" : "the second");
        same = !diff && nodes_equal(xmlDocGetRootElement(da), xmlDocGetRootElement(db), &diff);
        xmlFreeDoc(da);
        xmlFreeDoc(db);
        if (ret_diff)
                *ret_diff = diff;
        else
                g_free(diff);
        return same;
}
