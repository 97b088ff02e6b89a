/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl output: aligned text tables and a small streaming JSON writer */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

/* Columns a UTF-8 string takes on a terminal: wide (East Asian) characters count 2, combining
 * marks 0. Bytes that are not valid UTF-8 count 1 each. */
size_t utf8_display_width(const char *s);

typedef struct Table Table;

/* A table with one column per header; the list ends with NULL. */
Table *table_new(const char *header, ...) G_GNUC_NULL_TERMINATED;
Table *table_free(Table *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Table, table_free)

size_t table_get_rows(const Table *table);

/* Headers are shown by default; key/value listings hide them. */
void table_set_show_header(Table *table, bool show);
/* Right-align a column (numbers). */
void table_set_right_aligned(Table *table, size_t column, bool right);

/* Cells fill rows left to right. NULL or "" shows as "-". */
void table_add_cell(Table *table, const char *text);
void table_add_cellf(Table *table, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* The whole table as text, one line per row, every line ending in '\n'. */
char *table_format(const Table *table);

typedef struct JsonWriter JsonWriter;

JsonWriter *json_writer_new(void);
JsonWriter *json_writer_free(JsonWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(JsonWriter, json_writer_free)

void json_writer_begin_object(JsonWriter *writer);
void json_writer_end_object(JsonWriter *writer);
void json_writer_begin_array(JsonWriter *writer);
void json_writer_end_array(JsonWriter *writer);
/* Inside an object, every value is preceded by its key. */
void json_writer_key(JsonWriter *writer, const char *key);
/* NULL writes null. */
void json_writer_string(JsonWriter *writer, const char *value);
void json_writer_bool(JsonWriter *writer, bool value);
void json_writer_int(JsonWriter *writer, int64_t value);
void json_writer_null(JsonWriter *writer);

/* key + value in one call, for flat objects */
void json_writer_member_string(JsonWriter *writer, const char *key, const char *value);
void json_writer_member_bool(JsonWriter *writer, const char *key, bool value);
void json_writer_member_uint(JsonWriter *writer, const char *key, uint64_t value);

/* The finished document followed by '\n'; NULL while containers are still open. */
char *json_writer_finish(JsonWriter *writer);

/* Append s as a quoted JSON string literal to out. */
void json_append_string(GString *out, const char *s);

/* Write text to stdout. Returns an exit status: CTL_EXIT_FAILURE, with a message on stderr, when
 * stdout failed (EPIPE, ENOSPC). */
int output_print(const char *text);
/* The finished document of writer, as output_print(). */
int output_print_json(JsonWriter *writer);

/* text made valid UTF-8 with control characters replaced by '?': safe to print on a terminal. */
char *text_sanitize(const char *text);
