/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statistics record: netpoold's counters in STATE/statistics, so that an idle exit does not reset them */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "daemon/statistics-record.h"
#include "shared/fileio.h"
#include "shared/macro.h"

/* a handful of counters and error names: anything larger is not ours */
#define STATISTICS_RECORD_MAX_BYTES (64U * 1024U)
/* the D-Bus specification's limit on names */
#define ERROR_NAME_MAX 255U

/* The record's text: one "KEY VALUE" line per counter. */
static char *statistics_record_format(const BusStatistics *s) {
        GString *out = g_string_new("# netpoold's counters (docs/metrics.md)\n");
        g_autofree const char **names = NULL;
        guint n;

        g_string_append_printf(out, "counting-since %" PRIu64 "\n", s->counting_since);
        g_string_append_printf(out, "allocations %" PRIu64 "\n", s->allocations);
        g_string_append_printf(out, "releases %" PRIu64 "\n", s->releases);
        g_string_append_printf(out, "drift-repairs %" PRIu64 "\n", s->drift_repairs);
        g_string_append_printf(out, "leases-reapplied %" PRIu64 "\n", s->leases_reapplied);
        names = bus_statistics_failure_names(s, &n);
        for (guint i = 0; i < n; i++)
                g_string_append_printf(out, "allocation-failures %s %" PRIu64 "\n", names[i],
                                       bus_statistics_failures(s, names[i]));
        return g_string_free(out, FALSE);
}

static bool parse_count(const char *text, uint64_t *ret) {
        guint64 v;

        if (!g_ascii_string_to_unsigned(text, 10, 0, UINT64_MAX, &v, NULL))
                return false;
        *ret = v;
        return true;
}

/* Error names are D-Bus names: dotted elements of [A-Za-z0-9_], as sd-bus gave them to us. */
static bool error_name_ok(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > ERROR_NAME_MAX || !strchr(s, '.') || s[0] == '.' || s[n - 1] == '.')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(s[i]) && s[i] != '_' && s[i] != '.')
                        return false;
        return !strstr(s, "..");
}

static const char *const known_keys[] = { "counting-since", "allocations", "releases", "drift-repairs",
                                          "leases-reapplied", "allocation-failures", NULL };

/* One "KEY VALUE..." line; false when it is malformed. */
static bool parse_line(char **words, BusStatistics *s, bool *seen_since) {
        guint n = g_strv_length(words);
        uint64_t count;

        if (streq(words[0], "counting-since") && n == 2 && parse_count(words[1], &s->counting_since))
                return (*seen_since = true);
        if (streq(words[0], "allocations") && n == 2)
                return parse_count(words[1], &s->allocations);
        if (streq(words[0], "releases") && n == 2)
                return parse_count(words[1], &s->releases);
        if (streq(words[0], "drift-repairs") && n == 2)
                return parse_count(words[1], &s->drift_repairs);
        if (streq(words[0], "leases-reapplied") && n == 2)
                return parse_count(words[1], &s->leases_reapplied);
        if (streq(words[0], "allocation-failures") && n == 3 && error_name_ok(words[1]) &&
            parse_count(words[2], &count)) {
                bus_statistics_set_failures(s, words[1], count);
                return true;
        }
        /* a key of a newer netpoold is left to it; a known key that did not parse is damage */
        return !g_strv_contains(known_keys, words[0]);
}

/* Read text into s (set up with bus_statistics_init()), all or nothing. Lines with unknown keys are
 * skipped (a newer netpoold wrote them). Returns 0, or -EBADMSG with what is wrong and on which line. */
static int statistics_record_parse(const char *text, BusStatistics *s, char **reterr_message) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        BusStatistics parsed;
        bool seen_since = false;

        bus_statistics_init(&parsed);
        for (guint i = 0; lines[i]; i++) {
                g_auto(GStrv) words = NULL;

                if (lines[i][0] == '\0' || lines[i][0] == '#')
                        continue;
                words = g_strsplit(lines[i], " ", -1);
                if (!parse_line(words, &parsed, &seen_since)) {
                        bus_statistics_clear(&parsed);
                        *reterr_message = g_strdup_printf("line %u: malformed: '%s'", i + 1, lines[i]);
                        return -EBADMSG;
                }
        }
        if (!seen_since) {
                bus_statistics_clear(&parsed);
                *reterr_message = g_strdup("no counting-since line");
                return -EBADMSG;
        }
        parsed.changed = s->changed;
        parsed.changed_data = s->changed_data;
        bus_statistics_clear(s);
        *s = parsed;
        return 0;
}

int statistics_record_load(const char *state_dir, BusStatistics *s, char **reterr_message) {
        g_autofree char *path = g_build_filename(state_dir, STATISTICS_RECORD_NAME, NULL);
        g_autofree char *text = NULL;
        size_t len;
        int r;

        r = read_file_full(path, STATISTICS_RECORD_MAX_BYTES, &text, &len);
        if (r == -ENOENT)
                return r;
        if (r < 0) {
                *reterr_message = g_strdup(strerror(-r));
                return r;
        }
        if (strlen(text) != len) {
                *reterr_message = g_strdup("it holds a NUL byte");
                return -EBADMSG;
        }
        return statistics_record_parse(text, s, reterr_message);
}

int statistics_record_save(const char *state_dir, const BusStatistics *s) {
        g_autofree char *text = statistics_record_format(s);

        return write_file_atomic(state_dir, STATISTICS_RECORD_NAME, text, strlen(text));
}
