/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prometheus text exposition format 0.0.4 (what node_exporter's textfile collector reads): families
 * with HELP and TYPE lines, samples with escaped labels */
#include <inttypes.h>

#include "ctl/netpoolctl-metrics.h"

static const char *metric_type_to_string(MetricType type) {
        return type == METRIC_COUNTER ? "counter" : "gauge";
}

/* HELP text may hold anything but a raw newline; a backslash must be doubled. */
static void append_help_text(GString *out, const char *help) {
        for (const char *p = help; *p; p++)
                if (*p == '\\')
                        g_string_append(out, "\\\\");
                else if (*p == '\n')
                        g_string_append(out, "\\n");
                else
                        g_string_append_c(out, *p);
}

void metrics_append_family(GString *out, const char *name, MetricType type, const char *help) {
        g_string_append_printf(out, "# HELP %s ", name);
        append_help_text(out, help);
        g_string_append_printf(out, "\n# TYPE %s %s\n", name, metric_type_to_string(type));
}

/* value escaped for a label value between double quotes: \\, \" and \n. */
static void metrics_append_label_value(GString *out, const char *value) {
        for (const char *p = value; *p; p++)
                if (*p == '\\')
                        g_string_append(out, "\\\\");
                else if (*p == '"')
                        g_string_append(out, "\\\"");
                else if (*p == '\n')
                        g_string_append(out, "\\n");
                else
                        g_string_append_c(out, *p);
}

static void append_name_and_labels(GString *out, const char *name, const char *const *labels) {
        g_string_append(out, name);
        if (!labels || !labels[0])
                return;
        g_string_append_c(out, '{');
        for (const char *const *l = labels; l[0] && l[1]; l += 2) {
                if (l != labels)
                        g_string_append_c(out, ',');
                g_string_append_printf(out, "%s=\"", l[0]);
                metrics_append_label_value(out, l[1]);
                g_string_append_c(out, '"');
        }
        g_string_append_c(out, '}');
}

void metrics_append_sample(GString *out, const char *name, const char *const *labels, uint64_t value) {
        append_name_and_labels(out, name, labels);
        g_string_append_printf(out, " %" PRIu64 "\n", value);
}

void metrics_append_sample_seconds(GString *out, const char *name, const char *const *labels,
                                   uint64_t usec) {
        append_name_and_labels(out, name, labels);
        g_string_append_printf(out, " %" PRIu64 ".%06" PRIu64 "\n", usec / 1000000, usec % 1000000);
}
