/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: parsing, validating, formatting and copying a network definition is linear in its size */
#include <stdio.h>

#include <glib.h>

#include "core/netdef.h"

static void interface_element(GString *xml, unsigned i) {
        g_string_append_printf(xml, "<interface dev='v%05u'/>", i);
}

static void pf_element(GString *xml, unsigned i) {
        g_string_append_printf(xml, "<pf dev='p%05u'/>", i);
}

/* all distinct, none the host bridge (bus 0, slot 0) */
static void address_element(GString *xml, unsigned i) {
        g_string_append_printf(xml, "<address type='pci' bus='%u' slot='%u' function='%u'/>",
                               1 + i / 256, (i / 8) % 32, i % 8);
}

static void portgroup_element(GString *xml, unsigned i) {
        g_string_append_printf(xml, "<portgroup name='g%05u'/>", i);
}

/* A document with n repeated elements; n is as many as fit into 1 MiB, at most 40,000 */
typedef struct Kind {
        const char *label;
        unsigned n;
        const char *forward;            /* the <forward> start tag, or the whole <forward/> */
        void (*element)(GString *xml, unsigned i);
        bool in_forward;                /* the elements go into <forward>, else after it */
} Kind;

static const Kind kinds[] = {
        { "passthrough <interface dev>", 40000, "<forward mode='passthrough'>", interface_element, true },
        { "passthrough <pf dev>", 40000, "<forward mode='passthrough'>", pf_element, true },
        { "hostdev <address type='pci'>", 16000, "<forward mode='hostdev'>", address_element, true },
        { "bridge <portgroup>", 40000, "<forward mode='bridge'/><bridge name='br0'/>", portgroup_element,
          false },
};

static char *make_xml(const Kind *k, unsigned n) {
        GString *xml = g_string_new("<network><name>bench</name>");

        g_string_append(xml, k->forward);
        for (unsigned i = 0; i < n; i++)
                k->element(xml, i);
        if (k->in_forward)
                g_string_append(xml, "</forward>");
        g_string_append(xml, "</network>\n");
        return g_string_free(xml, FALSE);
}

typedef struct Times {
        double parse, validate, format, copy;   /* ms */
        size_t bytes;
} Times;

static double ms_since(gint64 start) {
        return (double) (g_get_monotonic_time() - start) / 1000.0;
}

static Times measure(const Kind *k, unsigned n) {
        g_autofree char *xml = make_xml(k, n);
        g_auto(NetDefError) err = {};
        g_autoptr(NetDef) def = NULL, copy = NULL;
        g_autofree char *out = NULL;
        Times t = { .bytes = strlen(xml) };
        gint64 start;
        int r;

        g_assert_cmpuint(t.bytes, <=, NETDEF_XML_MAX);
        start = g_get_monotonic_time();
        r = netdef_parse_xml(xml, 0, &def, &err);
        t.parse = ms_since(start);
        if (r < 0)
                g_error("%s: %s", k->label, err.message);
        start = g_get_monotonic_time();
        g_assert_cmpint(netdef_validate(def, &err), ==, 0);
        t.validate = ms_since(start);
        start = g_get_monotonic_time();
        out = netdef_format_xml(def, 0);
        t.format = ms_since(start);
        start = g_get_monotonic_time();
        copy = netdef_copy(def);
        t.copy = ms_since(start);
        return t;
}

static double total(const Times *t) {
        return t->parse + t->format + t->copy;
}

int main(void) {
        for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
                const Kind *k = &kinds[i];
                Times small = measure(k, k->n / 4), large = measure(k, k->n);

                printf("%s: %u elements (%zu bytes): parse+validate %.1f ms (validate alone %.1f ms), "
                       "format %.1f ms, copy %.1f ms; %u elements: %.1f ms in all; 4x the elements take "
                       "%.1fx the time\n", k->label, k->n, large.bytes, large.parse, large.validate,
                       large.format, large.copy, k->n / 4, total(&small), total(&large) / total(&small));
        }
        return 0;
}
