/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of netpoolctl's tables and JSON writer */
#include <glib.h>

#include "ctl/netpoolctl-output.h"

static void test_width(void) {
        g_assert_cmpuint(utf8_display_width(""), ==, 0);
        g_assert_cmpuint(utf8_display_width("abc"), ==, 3);
        /* two bytes, one column */
        g_assert_cmpuint(utf8_display_width("\xc3\xbc"), ==, 1);
        /* CJK: two columns each */
        g_assert_cmpuint(utf8_display_width("\xe6\x97\xa5\xe6\x9c\xac"), ==, 4);
        /* e + combining acute accent */
        g_assert_cmpuint(utf8_display_width("e\xcc\x81"), ==, 1);
        /* a stray byte counts one */
        g_assert_cmpuint(utf8_display_width("a\xff"), ==, 2);
}

static char *format_and_free(Table *table) {
        g_autoptr(Table) owned = table;

        return table_format(owned);
}

static void test_table_align(void) {
        Table *table = table_new("NAME", "N", NULL);
        g_autofree char *text = NULL;

        table_set_right_aligned(table, 1, true);
        table_add_cell(table, "a");
        table_add_cellf(table, "%u", 1u);
        table_add_cell(table, "longer");
        table_add_cellf(table, "%u", 100u);
        g_assert_cmpuint(table_get_rows(table), ==, 2);
        text = format_and_free(table);
        g_assert_cmpstr(text, ==,
                        "NAME      N\n"
                        "a         1\n"
                        "longer  100\n");
}

static void test_table_no_trailing_blanks(void) {
        Table *table = table_new("A", "B", NULL);
        g_autofree char *text = NULL;

        table_add_cell(table, "x");
        table_add_cell(table, "short");
        table_add_cell(table, "y");
        table_add_cell(table, "much longer");
        text = format_and_free(table);
        g_assert_cmpstr(text, ==,
                        "A  B\n"
                        "x  short\n"
                        "y  much longer\n");
}

static void test_table_utf8(void) {
        Table *table = table_new("K", "V", NULL);
        g_autofree char *text = NULL;

        table_set_show_header(table, false);
        table_add_cell(table, "\xe6\x97\xa5\xe6\x9c\xac");     /* 4 columns, 6 bytes */
        table_add_cell(table, "x");
        table_add_cell(table, "ab");
        table_add_cell(table, "y");
        table_add_cell(table, "\xc3\xbc");                     /* 1 column, 2 bytes */
        table_add_cell(table, "z");
        text = format_and_free(table);
        g_assert_cmpstr(text, ==,
                        "\xe6\x97\xa5\xe6\x9c\xac  x\n"
                        "ab    y\n"
                        "\xc3\xbc     z\n");
}

static void test_table_empty_cells(void) {
        Table *table = table_new("A", "B", "C", NULL);
        g_autofree char *text = NULL;

        table_add_cell(table, "");
        table_add_cell(table, NULL);
        table_add_cell(table, "c");
        /* an unfinished row shows its missing cells like empty ones */
        table_add_cell(table, "d");
        text = format_and_free(table);
        g_assert_cmpstr(text, ==,
                        "A  B  C\n"
                        "-  -  c\n"
                        "d  -  -\n");
}

static void test_table_header_only(void) {
        g_autofree char *text = format_and_free(table_new("NAME", "UUID", NULL));

        g_assert_cmpstr(text, ==, "NAME  UUID\n");
}

static void test_table_control_characters(void) {
        Table *table = table_new("NAME", NULL);
        g_autofree char *text = NULL;

        /* an escape sequence and a newline must not reach the terminal, nor a bidi override or a
         * zero-width space; each is shown escaped, bad UTF-8 as its byte */
        table_add_cell(table, "a\x1b[31mb\nc\xff");
        table_add_cell(table, "vm\xe2\x80\xae" "exe.\xe2\x80\x8b" "x");
        text = format_and_free(table);
        g_assert_cmpstr(text, ==, "NAME\na\\u{001B}[31mb\\u{000A}c\\x{FF}\nvm\\u{202E}exe.\\u{200B}x\n");
}

static char *escape(const char *s) {
        GString *out = g_string_new(NULL);

        json_append_string(out, s);
        return g_string_free(out, FALSE);
}

static void test_json_escape(void) {
        struct {
                const char *in;
                const char *out;
        } cases[] = {
                { "", "\"\"" },
                { "plain", "\"plain\"" },
                { "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
                { "\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"" },
                { "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
                /* non-ASCII passes through as UTF-8 */
                { "caf\xc3\xa9 \xe6\x97\xa5", "\"caf\xc3\xa9 \xe6\x97\xa5\"" },
                /* invalid UTF-8 becomes U+FFFD, so the document stays valid */
                { "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *got = escape(cases[i].in);

                g_assert_cmpstr(got, ==, cases[i].out);
        }
}

static void test_json_document(void) {
        g_autoptr(JsonWriter) writer = json_writer_new();
        g_autofree char *text = NULL;

        json_writer_begin_array(writer);
        json_writer_begin_object(writer);
        json_writer_member_string(writer, "name", "a\"b");
        json_writer_member_bool(writer, "active", true);
        json_writer_member_uint(writer, "capacity", UINT64_C(18446744073709551615));
        json_writer_key(writer, "vf_index");
        json_writer_null(writer);
        json_writer_member_string(writer, "port_uuid", NULL);
        json_writer_key(writer, "list");
        json_writer_begin_array(writer);
        json_writer_int(writer, -1);
        json_writer_bool(writer, false);
        json_writer_end_array(writer);
        json_writer_key(writer, "empty");
        json_writer_begin_object(writer);
        json_writer_end_object(writer);
        json_writer_end_object(writer);
        json_writer_begin_array(writer);
        json_writer_end_array(writer);
        /* not finished while the outer array is open */
        g_assert_null(json_writer_finish(writer));
        json_writer_end_array(writer);

        text = json_writer_finish(writer);
        g_assert_cmpstr(text, ==,
                        "[\n"
                        "  {\n"
                        "    \"name\": \"a\\\"b\",\n"
                        "    \"active\": true,\n"
                        "    \"capacity\": 18446744073709551615,\n"
                        "    \"vf_index\": null,\n"
                        "    \"port_uuid\": null,\n"
                        "    \"list\": [\n"
                        "      -1,\n"
                        "      false\n"
                        "    ],\n"
                        "    \"empty\": {}\n"
                        "  },\n"
                        "  []\n"
                        "]\n");
}

static void test_json_empty_array(void) {
        g_autoptr(JsonWriter) writer = json_writer_new();
        g_autofree char *text = NULL;

        json_writer_begin_array(writer);
        json_writer_end_array(writer);
        text = json_writer_finish(writer);
        g_assert_cmpstr(text, ==, "[]\n");
}

static void test_json_misuse(void) {
        g_autoptr(JsonWriter) writer = json_writer_new();
        g_autofree char *text = NULL;

        json_writer_begin_object(writer);
        /* a value without its key is refused and leaves the document as it was */
        g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*json_writer_begin_value*");
        json_writer_string(writer, "orphan");
        g_test_assert_expected_messages();
        json_writer_end_object(writer);
        /* a second top-level value is refused too */
        g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*json_writer_begin_value*");
        json_writer_null(writer);
        g_test_assert_expected_messages();

        text = json_writer_finish(writer);
        g_assert_cmpstr(text, ==, "{}\n");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ctl/output/width", test_width);
        g_test_add_func("/ctl/output/table/align", test_table_align);
        g_test_add_func("/ctl/output/table/no-trailing-blanks", test_table_no_trailing_blanks);
        g_test_add_func("/ctl/output/table/utf8", test_table_utf8);
        g_test_add_func("/ctl/output/table/empty-cells", test_table_empty_cells);
        g_test_add_func("/ctl/output/table/header-only", test_table_header_only);
        g_test_add_func("/ctl/output/table/control-characters", test_table_control_characters);
        g_test_add_func("/ctl/output/json/escape", test_json_escape);
        g_test_add_func("/ctl/output/json/document", test_json_document);
        g_test_add_func("/ctl/output/json/empty-array", test_json_empty_array);
        g_test_add_func("/ctl/output/json/misuse", test_json_misuse);
        return g_test_run();
}
