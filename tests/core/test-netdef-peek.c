/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of netdef_peek_name(): the name as the parser reads it, refusals, and reading no further */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "core/netdef.h"
#include "refusal.h"

/* A <network> named t whose body starts on line 3 */
#define NET(body) "<network>\n  <name>t</name>\n" body "</network>\n"

static int sentinel;
#define UNTOUCHED ((char *) &sentinel)

static char *peeked(const char *xml) {
        g_auto(NetDefError) err = {};
        char *name = NULL;
        int r;

        r = netdef_peek_name(xml, strlen(xml), &name, &err);
        if (r < 0)
                g_error("refused (%d): %s\n%s", r, err.message, xml);
        g_assert_null(err.message);
        return name;
}

static void peek_refused(const char *xml, int want_r, unsigned line, const char *needle) {
        g_auto(NetDefError) err = {};
        char *name = UNTOUCHED;
        int r;

        r = netdef_peek_name(xml, strlen(xml), &name, &err);
        g_test_message("refused (%d): %s", r, err.message);
        g_assert_cmpint(r, ==, want_r);
        g_assert_true(name == UNTOUCHED);
        assert_refusal_names(&err, line, needle);
}

/* The peeked name is the one the parser reads */
static void assert_same_name(const char *xml, const char *want) {
        g_auto(NetDefError) err = {};
        g_autoptr(NetDef) def = NULL;
        g_autofree char *name = peeked(xml);

        g_assert_cmpstr(name, ==, want);
        g_assert_cmpint(netdef_parse_xml(xml, 0, &def, &err), ==, 0);
        g_assert_cmpstr(def->name, ==, want);
}

static void test_name(void) {
        assert_same_name(NET("  <forward mode='bridge'/>\n"), "t");
        assert_same_name("<?xml version='1.0'?>\n<!-- a comment -->\n<network trustGuestRxFilters='no'>\n"
                         "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a8c</uuid>\n  <forward mode='bridge'/>\n"
                         "  <name>after-forward</name>\n</network>\n", "after-forward");
        /* text and CDATA, with comments between them, and character references */
        assert_same_name("<network><name>ne<!-- x --><![CDATA[t1]]>&#46;&#x2d;x</name>"
                         "<forward mode='bridge'/></network>", "net1.-x");
}

static void test_root(void) {
        peek_refused("<domain>\n  <name>t</name>\n</domain>\n", -EBADMSG, 1,
                     "<domain>: the root element must be <network>");
        peek_refused("<network xmlns='urn:other'>\n  <name>t</name>\n</network>\n", -EBADMSG, 1,
                     "<network>: the root element must be <network>");
        peek_refused("<!-- nothing -->\n", -EBADMSG, 2, "malformed XML: ");
        peek_refused("", -EBADMSG, 1, "malformed XML: ");
}

static void test_missing_name(void) {
        peek_refused("<network>\n  <forward mode='bridge'/>\n</network>\n", -EBADMSG, 1,
                     "<network>: element <name> is required");
        peek_refused("\n<network/>\n", -EBADMSG, 2, "<network>: element <name> is required");
        /* only a child of <network> names it */
        peek_refused("<network>\n  <portgroup name='a'>\n    <name>t</name>\n  </portgroup>\n</network>\n",
                     -EBADMSG, 1, "element <name> is required");
        peek_refused("<network xmlns:o='urn:o'>\n  <o:name>t</o:name>\n</network>\n", -EBADMSG, 1,
                     "element <name> is required");
}

/* Refused with the parser's own message and line */
static void assert_refused_as_parser(const char *xml, unsigned line, const char *needle) {
        g_auto(NetDefError) err = {};
        NetDef *def = NULL;

        peek_refused(xml, -EBADMSG, line, needle);
        g_assert_cmpint(netdef_parse_xml(xml, 0, &def, &err), ==, -EINVAL);
        assert_refusal_names(&err, line, needle);
        {
                g_auto(NetDefError) peek_err = {};
                char *name = NULL;

                g_assert_cmpint(netdef_peek_name(xml, strlen(xml), &name, &peek_err), ==, -EBADMSG);
                g_assert_cmpstr(peek_err.message, ==, err.message);
        }
}

static void test_invalid_name(void) {
        assert_refused_as_parser("<network>\n  <name>a/b</name>\n  <forward mode='bridge'/>\n</network>\n", 2,
                                 "<name>: 'a/b' is not a valid network name");
        assert_refused_as_parser("<network>\n  <name/>\n  <forward mode='bridge'/>\n</network>\n", 2,
                                 "<name>: '' is not a valid network name");
        assert_refused_as_parser("<network>\n  <name>\n    t\n  </name>\n  <forward mode='bridge'/>\n"
                                 "</network>\n", 2, "is not a valid network name");
        assert_refused_as_parser("<network>\n  <name>-t</name>\n  <forward mode='bridge'/>\n</network>\n", 2,
                                 "'-t' is not a valid network name");
        assert_refused_as_parser("<network>\n  <name>t<b/></name>\n  <forward mode='bridge'/>\n</network>\n",
                                 2, "<b>: unknown element in <name>, which holds text only");
        assert_refused_as_parser("<network>\n  <name x='1'>t</name>\n  <forward mode='bridge'/>\n</network>\n",
                                 2, "<name>: unknown attribute 'x'");
        assert_refused_as_parser("<network>\n  <forward mode='bridge'/>\n</network>\n", 1,
                                 "<network>: element <name> is required");
}

static void test_doctype(void) {
        peek_refused("<?xml version='1.0'?>\n<!DOCTYPE network [\n  <!ENTITY a 'aaaaaaaaaa'>\n"
                     "  <!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>\n]>\n"
                     "<network>\n  <name>&b;</name>\n  <forward mode='bridge'/>\n</network>\n", -EBADMSG, 2,
                     "<!DOCTYPE>: a document type declaration is not accepted");
        peek_refused("<!DOCTYPE network SYSTEM '/etc/passwd'>\n<network>\n  <name>t</name>\n</network>\n",
                     -EBADMSG, 1, "<!DOCTYPE>");
        peek_refused("<network>\n  <name>&undeclared;</name>\n</network>\n", -EBADMSG, 2,
                     "malformed XML: Entity 'undeclared' not defined");
}

static void test_stops_at_name(void) {
        g_autoptr(GString) xml = g_string_new("<network>\n  <name>early</name>");
        g_auto(NetDefError) err = {};
        g_autofree char *name = NULL;
        NetDef *def = NULL;

        /* what follows </name> is not XML at all, and is never read */
        g_string_append(xml, "<<<&&&]]>\x01\x02 <!DOCTYPE x> <a b='1' b='2'>");
        for (unsigned i = 0; i < 100000; i++)
                g_string_append(xml, " z='' ");
        name = peeked(xml->str);
        g_assert_cmpstr(name, ==, "early");
        g_assert_cmpint(netdef_parse_xml(xml->str, 0, &def, &err), ==, -EINVAL);
        g_assert_null(def);
}

static void test_name_within_bound(void) {
        g_autoptr(GString) xml = g_string_new("<network>\n");
        g_autofree char *name = NULL;

        /* <name> after NETDEF_NAME_WITHIN bytes of other elements: refused from the first bytes alone */
        while (xml->len < NETDEF_NAME_WITHIN)
                g_string_append(xml, "  <mtu size='1500'/>\n");
        g_string_append(xml, "  <name>late</name>\n</network>\n");
        peek_refused(xml->str, -EBADMSG, 0, "<name> must come within the first 8 KiB of a network definition");
        /* just within it, it is read */
        g_string_assign(xml, "<network>\n");
        while (xml->len < NETDEF_NAME_WITHIN - 64)
                g_string_append(xml, "  <mtu size='1500'/>\n");
        g_string_append(xml, "<name>in</name></network>\n");
        name = peeked(xml->str);
        g_assert_cmpstr(name, ==, "in");
}

static void test_too_large(void) {
        g_auto(NetDefError) err = {};
        char *name = UNTOUCHED;

        g_assert_cmpint(netdef_peek_name(NET(""), NETDEF_XML_MAX + 1, &name, &err), ==, -EFBIG);
        g_assert_true(name == UNTOUCHED);
        g_assert_cmpstr(err.message, ==, "network XML is larger than 1 MiB");
}

static void test_nul_ends(void) {
        static const char xml[] = "<network><name>t</name>\0<garbage";
        g_auto(NetDefError) err = {};
        char *name = UNTOUCHED;

        /* as netdef_parse_xml() reads it: a NUL ends the document, before or after the name */
        g_assert_cmpint(netdef_peek_name(xml, sizeof(xml), &name, &err), ==, 0);
        g_assert_cmpstr(name, ==, "t");
        g_free(name);
        name = UNTOUCHED;
        g_assert_cmpint(netdef_peek_name("<network>\0<name>t</name>", 24, &name, &err), ==, -EBADMSG);
        g_assert_true(name == UNTOUCHED);
}

static void test_bounded_attributes(void) {
        g_autoptr(GString) xml = g_string_new("<network");

        /* libxml2 would take minutes over these: refused before it reads them */
        for (unsigned i = 0; i < 100000; i++)
                g_string_append_printf(xml, " a%u=''", i);
        g_string_append(xml, ">\n  <name>t</name>\n</network>\n");
        peek_refused(xml->str, -EBADMSG, 1, "<network>: more than 256 attributes");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/core/netdef-peek/name", test_name);
        g_test_add_func("/core/netdef-peek/root", test_root);
        g_test_add_func("/core/netdef-peek/missing-name", test_missing_name);
        g_test_add_func("/core/netdef-peek/invalid-name", test_invalid_name);
        g_test_add_func("/core/netdef-peek/doctype", test_doctype);
        g_test_add_func("/core/netdef-peek/stops-at-name", test_stops_at_name);
        g_test_add_func("/core/netdef-peek/name-within-bound", test_name_within_bound);
        g_test_add_func("/core/netdef-peek/too-large", test_too_large);
        g_test_add_func("/core/netdef-peek/nul-ends", test_nul_ends);
        g_test_add_func("/core/netdef-peek/bounded-attributes", test_bounded_attributes);
        return g_test_run();
}
