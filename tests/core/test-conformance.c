/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Conformance with libvirt 9.0.0's own network and port XML test data, as EXPECT.tsv says */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/netdef.h"
#include "core/portdef.h"
#include "xml-equiv.h"

typedef struct Row {
        char *dir;
        char *kind;
        char *file;
        NetDefFormatFlags flags;
        char *expect;
} Row;

static void row_free(void *data) {
        Row *row = data;

        g_free(row->dir);
        g_free(row->kind);
        g_free(row->file);
        g_free(row->expect);
        g_free(row);
}

/* What a refused file's message must name: the reason the README gives for refusing it */
static const struct {
        const char *file;
        const char *needle;
} reject_reasons[] = {
        { "8021Qbh-net.xml", "<vlan>" },
        { "passthrough-pf.xml", "<ip>" },
        { "passthrough-address-crash.xml", "<address" },
        { "hostdev-duplicate.xml", "listed twice" },
        { "passthrough-duplicate.xml", "listed twice" },
};

static char *read_data(const Row *row, const char *sub) {
        g_autofree char *path = g_build_filename(row->dir, sub, row->file, NULL);
        g_autoptr(GError) error = NULL;
        char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, &error))
                g_error("cannot read %s: %s", path, error->message);
        return text;
}

static void expect_equal(const Row *row, const NetDef *def) {
        g_autofree char *out = netdef_format_xml(def, row->flags);
        g_autofree char *want = read_data(row, "network-out");
        g_autofree char *diff = NULL;

        if (!xml_equiv(out, want, &diff)) {
                g_test_message("formatted:\n%s\nexpected (network-out/%s):\n%s", out, row->file, want);
                g_test_fail_printf("%s: not equivalent: %s", row->file, diff);
        }
}

static void expect_stable(const Row *row, const NetDef *def) {
        g_autofree char *out = netdef_format_xml(def, row->flags);
        g_autofree char *again = NULL;
        g_autoptr(NetDef) def2 = NULL;
        g_auto(NetDefError) err = {};
        int r;

        r = netdef_parse_xml(out, 0, &def2, &err);
        if (r < 0) {
                g_test_message("formatted:\n%s", out);
                g_test_fail_printf("%s: own output refused: %s", row->file, err.message);
                return;
        }
        again = netdef_format_xml(def2, row->flags);
        g_assert_cmpstr(again, ==, out);
}

static void expect_reject(const Row *row, int r, const NetDefError *err) {
        g_assert_true(r == -EINVAL || r == -EOPNOTSUPP);
        g_assert_nonnull(err->message);
        g_assert_cmpstr(err->message, !=, "");
        g_test_message("%s refused (%s): %s", row->file, r == -EINVAL ? "EINVAL" : "EOPNOTSUPP", err->message);
        for (size_t i = 0; i < G_N_ELEMENTS(reject_reasons); i++)
                if (g_str_equal(row->file, reject_reasons[i].file))
                        g_assert_nonnull(strstr(err->message, reject_reasons[i].needle));
}

static void test_network_row(const void *data) {
        const Row *row = data;
        g_autofree char *in = read_data(row, "network-in");
        g_autoptr(NetDef) def = NULL;
        g_auto(NetDefError) err = {};
        int r;

        r = netdef_parse_xml(in, 0, &def, &err);
        if (g_str_equal(row->expect, "reject")) {
                g_assert_null(def);
                expect_reject(row, r, &err);
                return;
        }
        if (r < 0) {
                g_test_fail_printf("%s refused: %s", row->file, err.message);
                return;
        }
        if (g_str_equal(row->expect, "equal"))
                expect_equal(row, def);
        else if (g_str_equal(row->expect, "stable"))
                expect_stable(row, def);
        else
                g_test_fail_printf("%s: unknown expectation '%s'", row->file, row->expect);
}

/* A port file is its own reference: parsed and formatted, it must come back equivalent */
static void expect_port_equal(const Row *row, const PortDef *def, const char *in) {
        g_autofree char *out = portdef_format_xml(def);
        g_autofree char *diff = NULL;
        g_auto(NetDefError) err = {};

        if (!xml_equiv(out, in, &diff)) {
                g_test_message("formatted:\n%s\nexpected (port/%s):\n%s", out, row->file, in);
                g_test_fail_printf("%s: not equivalent: %s", row->file, diff);
        }
        /* what the parser took, the validator of hand-built definitions takes too */
        if (portdef_validate(def, &err) < 0)
                g_test_fail_printf("%s: parsed but not valid: %s", row->file, err.message);
}

static void expect_port_stable(const Row *row, const PortDef *def) {
        g_autofree char *out = portdef_format_xml(def);
        g_autofree char *again = NULL;
        g_autoptr(PortDef) def2 = NULL;
        g_auto(NetDefError) err = {};

        if (portdef_parse_xml(out, &def2, &err) < 0) {
                g_test_message("formatted:\n%s", out);
                g_test_fail_printf("%s: own output refused: %s", row->file, err.message);
                return;
        }
        again = portdef_format_xml(def2);
        g_assert_cmpstr(again, ==, out);
}

static void test_port_row(const void *data) {
        const Row *row = data;
        g_autofree char *in = read_data(row, "port");
        g_autoptr(PortDef) def = NULL;
        g_auto(NetDefError) err = {};
        int r;

        r = portdef_parse_xml(in, &def, &err);
        if (g_str_equal(row->expect, "reject")) {
                g_assert_null(def);
                expect_reject(row, r, &err);
                return;
        }
        if (r < 0) {
                g_test_fail_printf("%s refused: %s", row->file, err.message);
                return;
        }
        if (g_str_equal(row->expect, "equal"))
                expect_port_equal(row, def, in);
        else if (g_str_equal(row->expect, "stable"))
                expect_port_stable(row, def);
        else
                g_test_fail_printf("%s: unknown expectation '%s'", row->file, row->expect);
}

static void add_row(const char *dir, char **fields) {
        Row *row = g_new0(Row, 1);
        g_autofree char *path = NULL;

        row->dir = g_strdup(dir);
        row->kind = g_strdup(fields[0]);
        row->file = g_strdup(fields[1]);
        row->flags = (NetDefFormatFlags) strtoul(fields[2], NULL, 10);
        row->expect = g_strdup(fields[3]);
        path = g_strdup_printf("/core/conformance/%s/%s", row->kind, row->file);
        if (g_str_equal(row->kind, "network"))
                g_test_add_data_func_full(path, row, test_network_row, row_free);
        else
                g_test_add_data_func_full(path, row, test_port_row, row_free);
}

static int add_rows(const char *dir) {
        g_autofree char *path = g_build_filename(dir, "EXPECT.tsv", NULL);
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;
        unsigned n = 0;

        if (!g_file_get_contents(path, &text, NULL, &error)) {
                g_printerr("conformance data missing: %s (set NETPOOL_CONFORMANCE_DIR or the meson option "
                           "conformance_dir)\n", error->message);
                return -ENOENT;
        }
        lines = g_strsplit(text, "\n", -1);
        for (size_t i = 0; lines[i]; i++) {
                g_auto(GStrv) fields = NULL;

                if (lines[i][0] == '#' || lines[i][0] == 0)
                        continue;
                fields = g_strsplit(lines[i], "\t", -1);
                if (g_strv_length(fields) != 4) {
                        g_printerr("%s: line %zu: expected 4 tab-separated fields\n", path, i + 1);
                        return -EINVAL;
                }
                add_row(dir, fields);
                n++;
        }
        if (n == 0) {
                g_printerr("%s: no rows\n", path);
                return -EINVAL;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        const char *dir = g_getenv("NETPOOL_CONFORMANCE_DIR");

        g_test_init(&argc, &argv, NULL);
        if (!dir || !*dir) {
                g_printerr("NETPOOL_CONFORMANCE_DIR is not set: it must name the libvirt-9.0.0 "
                           "conformance directory\n");
                return EXIT_FAILURE;
        }
        if (add_rows(dir) < 0)
                return EXIT_FAILURE;
        return g_test_run();
}
