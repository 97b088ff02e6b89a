/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of netpoolctl's Prometheus text format writer: families, samples, escaping, seconds */
#include <stdint.h>

#include <glib.h>

#include "ctl/netpoolctl-metrics.h"

static void test_family(void) {
        g_autoptr(GString) out = g_string_new(NULL);

        metrics_append_family(out, "netpool_port_allocations_total", METRIC_COUNTER, "Ports allocated");
        metrics_append_family(out, "netpool_network_active", METRIC_GAUGE, "Whether active");
        g_assert_cmpstr(out->str, ==,
                        "# HELP netpool_port_allocations_total Ports allocated\n"
                        "# TYPE netpool_port_allocations_total counter\n"
                        "# HELP netpool_network_active Whether active\n"
                        "# TYPE netpool_network_active gauge\n");
}

static void test_help_escape(void) {
        g_autoptr(GString) out = g_string_new(NULL);

        /* a backslash is doubled and a newline written as \n; a double quote stays as it is in HELP */
        metrics_append_family(out, "m", METRIC_GAUGE, "a\\b\nc \"d\"");
        g_assert_cmpstr(out->str, ==, "# HELP m a\\\\b\\nc \"d\"\n# TYPE m gauge\n");
}

static void test_samples(void) {
        g_autoptr(GString) out = g_string_new(NULL);
        const char *one[] = { "network", "sriov-a", NULL };
        const char *two[] = { "network", "n.1+x", "state", "in-use", NULL };

        metrics_append_sample(out, "netpool_port_releases_total", NULL, 0);
        metrics_append_sample(out, "netpool_network_capacity", one, 8);
        metrics_append_sample(out, "netpool_network_devices", two, UINT64_MAX);
        g_assert_cmpstr(out->str, ==,
                        "netpool_port_releases_total 0\n"
                        "netpool_network_capacity{network=\"sriov-a\"} 8\n"
                        "netpool_network_devices{network=\"n.1+x\",state=\"in-use\"} 18446744073709551615\n");
}

static void test_label_escape(void) {
        g_autoptr(GString) out = g_string_new(NULL);
        const char *labels[] = { "error", "a\"b\\c\nd", NULL };

        metrics_append_sample(out, "m", labels, 1);
        g_assert_cmpstr(out->str, ==, "m{error=\"a\\\"b\\\\c\\nd\"} 1\n");
}

static void test_seconds(void) {
        g_autoptr(GString) out = g_string_new(NULL);

        metrics_append_sample_seconds(out, "netpool_daemon_start_time_seconds", NULL,
                                      UINT64_C(1764873600000042));
        metrics_append_sample_seconds(out, "t", NULL, 999999);
        g_assert_cmpstr(out->str, ==,
                        "netpool_daemon_start_time_seconds 1764873600.000042\n"
                        "t 0.999999\n");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ctl/metrics/family", test_family);
        g_test_add_func("/ctl/metrics/help-escape", test_help_escape);
        g_test_add_func("/ctl/metrics/samples", test_samples);
        g_test_add_func("/ctl/metrics/label-escape", test_label_escape);
        g_test_add_func("/ctl/metrics/seconds", test_seconds);
        return g_test_run();
}
