/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench report: a table with one column per N, and one JSON line per N */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "tools/netpool-bench.h"

/* The result for N=64, which the targets compare larger pools with */
static const BenchResult *find_n64(const BenchResult *res, unsigned n_res) {
        for (unsigned i = 0; i < n_res; i++)
                if (res[i].n == 64)
                        return &res[i];
        return NULL;
}

static double ratio(double a, double b) {
        return b > 0 ? a / b : 0;
}

typedef char Cell[40];

static void row(const char *label, const BenchResult *res, unsigned n_res,
                void (*cell)(const BenchResult *r, const BenchResult *n64, const BenchLibvirtResult *lv, Cell out),
                const BenchLibvirtResult *lv) {
        const BenchResult *n64 = find_n64(res, n_res);

        printf("%-44s", label);
        for (unsigned i = 0; i < n_res; i++) {
                Cell c = "";

                cell(&res[i], n64, lv, c);
                printf(" %20s", c);
        }
        putchar('\n');
}

#define CELL(name, ...) \
        static void name(const BenchResult *r, const BenchResult *n64, const BenchLibvirtResult *lv, Cell out) { \
                snprintf(out, sizeof(Cell), __VA_ARGS__); \
        }

CELL(cell_ping, "%.0f / %.0f", r->ping.p50, r->ping.p99)
CELL(cell_alloc, "%.0f / %.0f", r->alloc.p50, r->alloc.p99)
CELL(cell_release, "%.0f / %.0f", r->release.p50, r->release.p99)
CELL(cell_pair, "%.0f / %.0f", r->pair.p50, r->pair.p99)
CELL(cell_pair_2ping, "%.2f", ratio(r->pair.p50, 2 * r->ping.p50))

static void cell_pair_n64(const BenchResult *r, const BenchResult *n64, const BenchLibvirtResult *lv, Cell out) {
        if (n64)
                snprintf(out, sizeof(Cell), "%.3f", ratio(r->pair.p50, n64->pair.p50));
        else
                g_strlcpy(out, "-", sizeof(Cell));
}

CELL(cell_pps1, "%.0f", r->pairs_per_s[0])
CELL(cell_pps4, "%.0f", r->pairs_per_s[1])
CELL(cell_pps16, "%.0f", r->pairs_per_s[2])
CELL(cell_ratio1, "%.2f", ratio(r->pairs_per_s[0], lv->pairs_per_s[0]))
CELL(cell_ratio4, "%.2f", ratio(r->pairs_per_s[1], lv->pairs_per_s[1]))
CELL(cell_ratio16, "%.2f", ratio(r->pairs_per_s[2], lv->pairs_per_s[2]))
CELL(cell_ready, "%.1f", r->start_ready_ms)
CELL(cell_start, "%.1f", r->net_start_ms)
CELL(cell_getxml, "%.2f (%zu KiB)", r->getxml_p50_ms, r->getxml_bytes / 1024)
CELL(cell_rss, "%" G_GUINT64_FORMAT, r->rss_peak_kib)
CELL(cell_rss_now, "%" G_GUINT64_FORMAT " (%u ports)", r->rss_now_kib, r->ports_held)
CELL(cell_fill, "%.1f", r->fill_s)
CELL(cell_build, "%.1f", r->host_build_s)
CELL(cell_samples, "%u / %u", r->ping.n, r->pair.n)
CELL(cell_errors, "%" G_GUINT64_FORMAT, r->errors)

void bench_report_table(const BenchResult *res, unsigned n_res, const BenchLibvirtResult *lv, bool vs_libvirt) {
        bool with_lv = vs_libvirt && lv->ran;

        printf("\nnetpool-bench: netpoold %s on sim hosts (passthrough over <pf>, X710-like PFs of up to 128 VFs), "
               "%ld CPUs, state and sim on tmpfs\n\n", NETPOOL_VERSION, sysconf(_SC_NPROCESSORS_ONLN));
        printf("%-44s", "");
        for (unsigned i = 0; i < n_res; i++) {
                g_autofree char *h = g_strdup_printf("N=%u", res[i].n);

                printf(" %20s", h);
        }
        putchar('\n');
        row("Peer.Ping p50 / p99 (us)", res, n_res, cell_ping, lv);
        row("Allocate p50 / p99 (us), 1 client", res, n_res, cell_alloc, lv);
        row("Release p50 / p99 (us), 1 client", res, n_res, cell_release, lv);
        row("pair p50 / p99 (us), 1 client", res, n_res, cell_pair, lv);
        row("pair p50 / (2 x Ping p50)", res, n_res, cell_pair_2ping, lv);
        row("pair p50 / pair p50 at N=64", res, n_res, cell_pair_n64, lv);
        row("pairs/s, 1 client", res, n_res, cell_pps1, lv);
        row("pairs/s, 4 clients", res, n_res, cell_pps4, lv);
        row("pairs/s, 16 clients", res, n_res, cell_pps16, lv);
        if (with_lv) {
                row("netpool / libvirt pairs/s, 1 client", res, n_res, cell_ratio1, lv);
                row("netpool / libvirt pairs/s, 4 clients", res, n_res, cell_ratio4, lv);
                row("netpool / libvirt pairs/s, 16 clients", res, n_res, cell_ratio16, lv);
        }
        row("daemon start to ready (ms)", res, n_res, cell_ready, lv);
        row("Start of the network over N VFs (ms)", res, n_res, cell_start, lv);
        row("GetXML live p50 (ms)", res, n_res, cell_getxml, lv);
        row("peak RSS, VmHWM (KiB), N/2 ports held", res, n_res, cell_rss, lv);
        row("RSS now, VmRSS (KiB)", res, n_res, cell_rss_now, lv);
        row("allocating N/2 ports, 8 clients (s)", res, n_res, cell_fill, lv);
        row("building the sim host (s)", res, n_res, cell_build, lv);
        row("samples: pings / pairs of 1 client", res, n_res, cell_samples, lv);
        row("errors", res, n_res, cell_errors, lv);

        if (with_lv) {
                printf("\nlibvirt 9.0 network driver (private libvirtd, network driver only; passthrough network of "
                       "64 <interface dev>, no hardware touched):\n");
                printf("  create+delete pair p50 / p99 (us), 1 client: %.0f / %.0f\n", lv->pair.p50, lv->pair.p99);
                printf("  pairs/s: 1 client %.0f, 4 clients %.0f, 16 clients %.0f; errors %" G_GUINT64_FORMAT "%s%s\n",
                       lv->pairs_per_s[0], lv->pairs_per_s[1], lv->pairs_per_s[2], lv->errors,
                       lv->errors ? ", first: " : "", lv->errors ? lv->first_error : "");
        } else if (vs_libvirt)
                printf("\nlibvirt not measured: %s\n", lv->why_not);
        for (unsigned i = 0; i < n_res; i++)
                if (res[i].errors > 0)
                        printf("N=%u: %" G_GUINT64_FORMAT " errors, the first: %s\n", res[i].n, res[i].errors,
                               res[i].first_error);
        putchar('\n');
}

/* A number, or null where there is none (JSON has no NaN) */
static void json_number(GString *s, const char *key, double v, bool valid, int decimals) {
        g_string_append_printf(s, ",\"%s\":", key);
        if (valid)
                g_string_append_printf(s, "%.*f", decimals, v);
        else
                g_string_append(s, "null");
}

static void json_per_clients(GString *s, const char *key, const double v[BENCH_CONCURRENCY_LEVELS]) {
        g_string_append_printf(s, ",\"%s\":{", key);
        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++)
                g_string_append_printf(s, "%s\"%u\":%.1f", k ? "," : "", bench_concurrency[k], v[k]);
        g_string_append_c(s, '}');
}

static void json_ratio_per_clients(GString *s, const char *key, const double a[BENCH_CONCURRENCY_LEVELS],
                                   const double b[BENCH_CONCURRENCY_LEVELS]) {
        g_string_append_printf(s, ",\"%s\":{", key);
        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++) {
                g_string_append_printf(s, "%s\"%u\":", k ? "," : "", bench_concurrency[k]);
                if (b[k] > 0)
                        g_string_append_printf(s, "%.3f", a[k] / b[k]);
                else
                        g_string_append(s, "null");
        }
        g_string_append_c(s, '}');
}

void bench_report_json(const BenchResult *res, unsigned n_res, const BenchLibvirtResult *lv, bool vs_libvirt) {
        const BenchResult *n64 = find_n64(res, n_res);

        for (unsigned i = 0; i < n_res; i++) {
                const BenchResult *r = &res[i];
                g_autoptr(GString) s = g_string_new(NULL);

                g_string_append_printf(s, "{\"n\":%u", r->n);
                json_number(s, "ping_p50_us", r->ping.p50, r->ping.n > 0, 1);
                json_number(s, "ping_p99_us", r->ping.p99, r->ping.n > 0, 1);
                json_number(s, "alloc_p50_us", r->alloc.p50, r->alloc.n > 0, 1);
                json_number(s, "alloc_p99_us", r->alloc.p99, r->alloc.n > 0, 1);
                json_number(s, "release_p50_us", r->release.p50, r->release.n > 0, 1);
                json_number(s, "release_p99_us", r->release.p99, r->release.n > 0, 1);
                json_number(s, "pair_p50_us", r->pair.p50, r->pair.n > 0, 1);
                json_number(s, "pair_p99_us", r->pair.p99, r->pair.n > 0, 1);
                json_per_clients(s, "pairs_per_s", r->pairs_per_s);
                json_number(s, "start_ready_ms", r->start_ready_ms, true, 2);
                json_number(s, "net_start_ms", r->net_start_ms, true, 2);
                json_number(s, "getxml_p50_ms", r->getxml_p50_ms, true, 3);
                g_string_append_printf(s, ",\"rss_peak_kib\":%" G_GUINT64_FORMAT, r->rss_peak_kib);
                g_string_append_printf(s, ",\"ports_held\":%u", r->ports_held);
                if (vs_libvirt && lv->ran) {
                        json_per_clients(s, "libvirt_pairs_per_s", lv->pairs_per_s);
                        json_ratio_per_clients(s, "ratio_vs_libvirt", r->pairs_per_s, lv->pairs_per_s);
                } else
                        g_string_append(s, ",\"libvirt_pairs_per_s\":null,\"ratio_vs_libvirt\":null");
                json_number(s, "pair_over_2ping", ratio(r->pair.p50, 2 * r->ping.p50),
                            r->pair.n > 0 && r->ping.p50 > 0, 3);
                json_number(s, "pair_vs_n64", n64 ? ratio(r->pair.p50, n64->pair.p50) : 0,
                            n64 && n64->pair.p50 > 0, 3);
                g_string_append_printf(s, ",\"errors\":%" G_GUINT64_FORMAT "}", r->errors);
                puts(s->str);
        }
        fflush(stdout);
}
