/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl output: aligned text tables and a small streaming JSON writer */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ctl/netpoolctl-output.h"
#include "ctl/netpoolctl-verb.h"
#include "shared/text.h"

#define TABLE_COLUMN_GAP "  "
#define JSON_INDENT "  "

size_t utf8_display_width(const char *s) {
        const char *end = s + strlen(s);
        size_t width = 0;

        while (s < end) {
                gunichar c = g_utf8_get_char_validated(s, end - s);

                if (c == (gunichar) -1 || c == (gunichar) -2) {
                        width++;
                        s++;
                        continue;
                }
                if (g_unichar_iswide(c))
                        width += 2;
                else if (!g_unichar_iszerowidth(c))
                        width++;
                s = g_utf8_next_char(s);
        }
        return width;
}

struct Table {
        size_t n_columns;
        char **headers;
        bool *right_aligned;
        bool show_header;
        GPtrArray *cells;               /* row-major, owned strings */
};

/* Names come from the daemon and, through it, from whoever defined the network or allocated the port:
 * never let them move the cursor, recolour the terminal or turn text around (bidi controls), nor hide
 * characters (zero-width ones). Any such character is shown escaped, \u{XXXX}; a byte that is not UTF-8
 * as \x{XX}. */
char *text_sanitize(const char *text) {
        return text_escape_unshown(text);
}

Table *table_new(const char *header, ...) {
        g_autoptr(GPtrArray) headers = g_ptr_array_new();
        Table *table;
        va_list ap;

        va_start(ap, header);
        for (const char *h = header; h; h = va_arg(ap, const char *))
                g_ptr_array_add(headers, text_sanitize(h));
        va_end(ap);
        g_return_val_if_fail(headers->len > 0, NULL);
        g_ptr_array_add(headers, NULL);

        table = g_new0(Table, 1);
        table->n_columns = headers->len - 1;
        table->headers = (char **) g_ptr_array_free(g_steal_pointer(&headers), FALSE);
        table->right_aligned = g_new0(bool, table->n_columns);
        table->show_header = true;
        table->cells = g_ptr_array_new_with_free_func(g_free);
        return table;
}

Table *table_free(Table *table) {
        if (!table)
                return NULL;
        g_strfreev(table->headers);
        g_free(table->right_aligned);
        g_ptr_array_unref(table->cells);
        g_free(table);
        return NULL;
}

size_t table_get_rows(const Table *table) {
        return (table->cells->len + table->n_columns - 1) / table->n_columns;
}

void table_set_show_header(Table *table, bool show) {
        table->show_header = show;
}

void table_set_right_aligned(Table *table, size_t column, bool right) {
        g_return_if_fail(column < table->n_columns);
        table->right_aligned[column] = right;
}

void table_add_cell(Table *table, const char *text) {
        g_ptr_array_add(table->cells, text_sanitize(text && *text ? text : "-"));
}

void table_add_cellf(Table *table, const char *format, ...) {
        g_autofree char *text = NULL;
        va_list ap;

        va_start(ap, format);
        text = g_strdup_vprintf(format, ap);
        va_end(ap);
        table_add_cell(table, text);
}

/* A missing cell of an unfinished last row shows like an empty one. */
static const char *table_cell(const Table *table, size_t row, size_t column) {
        size_t i = row * table->n_columns + column;

        return i < table->cells->len ? table->cells->pdata[i] : "-";
}

static void table_measure(const Table *table, size_t *widths) {
        for (size_t c = 0; c < table->n_columns; c++)
                widths[c] = table->show_header ? utf8_display_width(table->headers[c]) : 0;
        for (size_t r = 0; r < table_get_rows(table); r++)
                for (size_t c = 0; c < table->n_columns; c++)
                        widths[c] = MAX(widths[c], utf8_display_width(table_cell(table, r, c)));
}

static void append_spaces(GString *out, size_t n) {
        while (n-- > 0)
                g_string_append_c(out, ' ');
}

static void table_append_line(const Table *table, const size_t *widths, char *const *cells,
                              GString *out) {
        for (size_t c = 0; c < table->n_columns; c++) {
                size_t pad = widths[c] - utf8_display_width(cells[c]);
                bool last = c + 1 == table->n_columns;

                if (c > 0)
                        g_string_append(out, TABLE_COLUMN_GAP);
                if (table->right_aligned[c])
                        append_spaces(out, pad);
                g_string_append(out, cells[c]);
                /* no trailing blanks after the last column */
                if (!table->right_aligned[c] && !last)
                        append_spaces(out, pad);
        }
        g_string_append_c(out, '\n');
}

char *table_format(const Table *table) {
        g_autofree size_t *widths = g_new0(size_t, table->n_columns);
        g_autofree char **row = g_new0(char *, table->n_columns);
        GString *out = g_string_new(NULL);

        table_measure(table, widths);
        if (table->show_header)
                table_append_line(table, widths, table->headers, out);
        for (size_t r = 0; r < table_get_rows(table); r++) {
                for (size_t c = 0; c < table->n_columns; c++)
                        row[c] = (char *) table_cell(table, r, c);
                table_append_line(table, widths, row, out);
        }
        return g_string_free(out, FALSE);
}

typedef struct JsonLevel {
        bool object;
        size_t members;
} JsonLevel;

struct JsonWriter {
        GString *out;
        GArray *levels;                 /* JsonLevel, innermost last */
        bool after_key;
        bool done;
};

JsonWriter *json_writer_new(void) {
        JsonWriter *writer = g_new0(JsonWriter, 1);

        writer->out = g_string_new(NULL);
        writer->levels = g_array_new(FALSE, FALSE, sizeof(JsonLevel));
        return writer;
}

JsonWriter *json_writer_free(JsonWriter *writer) {
        if (!writer)
                return NULL;
        g_string_free(writer->out, TRUE);
        g_array_unref(writer->levels);
        g_free(writer);
        return NULL;
}

void json_append_string(GString *out, const char *s) {
        /* JSON text must be UTF-8: broken sequences become U+FFFD, the rest passes as is */
        g_autofree char *valid = g_utf8_make_valid(s, -1);

        g_string_append_c(out, '"');
        for (const unsigned char *p = (const unsigned char *) valid; *p; p++) {
                switch (*p) {
                case '"':
                        g_string_append(out, "\\\"");
                        break;
                case '\\':
                        g_string_append(out, "\\\\");
                        break;
                case '\b':
                        g_string_append(out, "\\b");
                        break;
                case '\f':
                        g_string_append(out, "\\f");
                        break;
                case '\n':
                        g_string_append(out, "\\n");
                        break;
                case '\r':
                        g_string_append(out, "\\r");
                        break;
                case '\t':
                        g_string_append(out, "\\t");
                        break;
                default:
                        /* DEL is legal in JSON, but escaping it keeps terminals safe */
                        if (*p < 0x20 || *p == 0x7f)
                                g_string_append_printf(out, "\\u%04x", *p);
                        else
                                g_string_append_c(out, (char) *p);
                }
        }
        g_string_append_c(out, '"');
}

static JsonLevel *json_writer_top(JsonWriter *writer) {
        if (writer->levels->len == 0)
                return NULL;
        return &g_array_index(writer->levels, JsonLevel, writer->levels->len - 1);
}

static void json_writer_newline(JsonWriter *writer) {
        g_string_append_c(writer->out, '\n');
        for (unsigned i = 0; i < writer->levels->len; i++)
                g_string_append(writer->out, JSON_INDENT);
}

/* Separator and indentation before a value; false when no value may go here. */
static bool json_writer_begin_value(JsonWriter *writer) {
        JsonLevel *top = json_writer_top(writer);

        if (writer->done)
                return false;
        if (!top)
                return true;
        if (top->object) {
                if (!writer->after_key)
                        return false;
                writer->after_key = false;
                return true;
        }
        if (top->members++ > 0)
                g_string_append_c(writer->out, ',');
        json_writer_newline(writer);
        return true;
}

static void json_writer_end_value(JsonWriter *writer) {
        if (writer->levels->len == 0)
                writer->done = true;
}

static void json_writer_open(JsonWriter *writer, bool object) {
        JsonLevel level = { .object = object };

        g_return_if_fail(json_writer_begin_value(writer));
        g_string_append_c(writer->out, object ? '{' : '[');
        g_array_append_val(writer->levels, level);
}

static void json_writer_close(JsonWriter *writer, bool object) {
        JsonLevel *top = json_writer_top(writer);
        size_t members;

        g_return_if_fail(top && top->object == object && !writer->after_key);
        members = top->members;
        g_array_set_size(writer->levels, writer->levels->len - 1);
        if (members > 0)
                json_writer_newline(writer);
        g_string_append_c(writer->out, object ? '}' : ']');
        json_writer_end_value(writer);
}

void json_writer_begin_object(JsonWriter *writer) {
        json_writer_open(writer, true);
}

void json_writer_end_object(JsonWriter *writer) {
        json_writer_close(writer, true);
}

void json_writer_begin_array(JsonWriter *writer) {
        json_writer_open(writer, false);
}

void json_writer_end_array(JsonWriter *writer) {
        json_writer_close(writer, false);
}

void json_writer_key(JsonWriter *writer, const char *key) {
        JsonLevel *top = json_writer_top(writer);

        g_return_if_fail(top && top->object && !writer->after_key);
        if (top->members++ > 0)
                g_string_append_c(writer->out, ',');
        json_writer_newline(writer);
        json_append_string(writer->out, key);
        g_string_append(writer->out, ": ");
        writer->after_key = true;
}

static void json_writer_literal(JsonWriter *writer, const char *text) {
        g_return_if_fail(json_writer_begin_value(writer));
        g_string_append(writer->out, text);
        json_writer_end_value(writer);
}

void json_writer_string(JsonWriter *writer, const char *value) {
        if (!value) {
                json_writer_null(writer);
                return;
        }
        g_return_if_fail(json_writer_begin_value(writer));
        json_append_string(writer->out, value);
        json_writer_end_value(writer);
}

void json_writer_bool(JsonWriter *writer, bool value) {
        json_writer_literal(writer, value ? "true" : "false");
}

static void json_writer_uint(JsonWriter *writer, uint64_t value) {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT, (guint64) value);
        json_writer_literal(writer, buf);
}

void json_writer_int(JsonWriter *writer, int64_t value) {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, (gint64) value);
        json_writer_literal(writer, buf);
}

void json_writer_null(JsonWriter *writer) {
        json_writer_literal(writer, "null");
}

void json_writer_member_string(JsonWriter *writer, const char *key, const char *value) {
        json_writer_key(writer, key);
        json_writer_string(writer, value);
}

void json_writer_member_bool(JsonWriter *writer, const char *key, bool value) {
        json_writer_key(writer, key);
        json_writer_bool(writer, value);
}

void json_writer_member_uint(JsonWriter *writer, const char *key, uint64_t value) {
        json_writer_key(writer, key);
        json_writer_uint(writer, value);
}

char *json_writer_finish(JsonWriter *writer) {
        if (!writer->done)
                return NULL;
        return g_strconcat(writer->out->str, "\n", NULL);
}

int output_print(const char *text) {
        if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
                fprintf(stderr, "netpoolctl: cannot write to standard output: %s\n",
                        g_strerror(errno > 0 ? errno : EIO));
                return CTL_EXIT_FAILURE;
        }
        return CTL_EXIT_SUCCESS;
}

int output_print_json(JsonWriter *writer) {
        g_autofree char *text = json_writer_finish(writer);

        /* an unfinished document is a bug in the verb, never something to print */
        g_return_val_if_fail(text, CTL_EXIT_FAILURE);
        return output_print(text);
}
