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

/* What a cell may need besides its result: N=64's result, libvirt's, and the transport and level of its row */
typedef struct CellCtx {
        const BenchResult *n64;
        const BenchLibvirtResult *lv;
        unsigned tr, k;
} CellCtx;

typedef void (*CellFunc)(const BenchResult *r, const CellCtx *c, Cell out);

static void row_at(const char *label, const BenchResult *res, unsigned n_res, CellFunc cell,
                   const BenchLibvirtResult *lv, unsigned tr, unsigned k) {
        CellCtx ctx = { .n64 = find_n64(res, n_res), .lv = lv, .tr = tr, .k = k };

        printf("%-44s", label);
        for (unsigned i = 0; i < n_res; i++) {
                Cell c = "";

                cell(&res[i], &ctx, c);
                printf(" %20s", c);
        }
        putchar('\n');
}

static void row(const char *label, const BenchResult *res, unsigned n_res, CellFunc cell,
                const BenchLibvirtResult *lv) {
        row_at(label, res, n_res, cell, lv, 0, 0);
}

#define CELL(name, ...) \
        static void name(const BenchResult *r, const CellCtx *c, Cell out) { \
                snprintf(out, sizeof(Cell), __VA_ARGS__); \
        }

CELL(cell_ping, "%.0f / %.0f", r->ping.p50, r->ping.p99)
CELL(cell_alloc, "%.0f / %.0f", r->alloc.p50, r->alloc.p99)
CELL(cell_release, "%.0f / %.0f", r->release.p50, r->release.p99)
CELL(cell_pair, "%.0f / %.0f", r->pair.p50, r->pair.p99)
CELL(cell_pair_2ping, "%.2f", ratio(r->pair.p50, 2 * r->ping.p50))

static void cell_pair_n64(const BenchResult *r, const CellCtx *c, Cell out) {
        if (c->n64)
                snprintf(out, sizeof(Cell), "%.3f", ratio(r->pair.p50, c->n64->pair.p50));
        else
                g_strlcpy(out, "-", sizeof(Cell));
}

CELL(cell_pps, "%.0f", r->transport[c->tr].pairs_per_s[c->k])
CELL(cell_ratio, "%.2f", ratio(r->transport[c->tr].pairs_per_s[c->k], c->lv->pairs.pairs_per_s[c->k]))
static void cell_cpu_ratio(const BenchResult *r, const CellCtx *c, Cell out) {
        double netpoold = r->transport[c->tr].cpu[c->k].us[BENCH_PROC_NETPOOLD];
        double libvirtd = c->lv->pairs.cpu[c->k].us[BENCH_PROC_LIBVIRTD];

        if (netpoold >= 0 && libvirtd > 0)
                snprintf(out, sizeof(Cell), "%.2f", netpoold / libvirtd);
        else
                g_strlcpy(out, "-", sizeof(Cell));
}

/* "-" for a process not measured */
static void append_us(Cell out, double us, const char *sep) {
        size_t len = strlen(out);

        if (us >= 0)
                snprintf(out + len, sizeof(Cell) - len, "%.0f%s", us, sep);
        else
                snprintf(out + len, sizeof(Cell) - len, "-%s", sep);
}

static void cell_cpu(const BenchResult *r, const CellCtx *c, Cell out) {
        const BenchCpuPerPair *cpu = &r->transport[c->tr].cpu[c->k];

        out[0] = '\0';
        append_us(out, cpu->us[BENCH_PROC_NETPOOLD], " / ");
        append_us(out, cpu->us[BENCH_PROC_DBUS_DAEMON], " / ");
        append_us(out, cpu->us[BENCH_PROC_CLIENTS], "");
}

static void cell_profile(const BenchResult *r, const CellCtx *c, Cell out) {
        const BenchProfile *p = &r->transport[c->tr].profile;

        if (p->ran)
                snprintf(out, sizeof(Cell), "%.1f (%.1f)", p->syscalls_per_pair, p->errors_per_pair);
        else
                g_strlcpy(out, "-", sizeof(Cell));
}

CELL(cell_ready, "%.1f", r->start_ready_ms)
CELL(cell_start, "%.1f", r->net_start_ms)
CELL(cell_getxml, "%.2f (%zu KiB)", r->getxml_p50_ms, r->getxml_bytes / 1024)
CELL(cell_rss, "%" G_GUINT64_FORMAT, r->rss_peak_kib)
CELL(cell_rss_now, "%" G_GUINT64_FORMAT " (%u ports)", r->rss_now_kib, r->ports_held)
CELL(cell_fill, "%.1f", r->fill_s)
CELL(cell_build, "%.1f", r->host_build_s)
CELL(cell_samples, "%u / %u", r->ping.n, r->pair.n)
CELL(cell_vf_checked, "%s", r->vf_settings_checked ? "yes" : "no")
CELL(cell_errors, "%" G_GUINT64_FORMAT, r->errors)

/* Per transport measured: pairs/s, CPU per pair and the ratios to libvirt at each level, the profile */
static void transport_rows(const BenchResult *res, unsigned n_res, const BenchLibvirtResult *lv, bool with_lv,
                           unsigned tr) {
        const char *name = bench_transport_name[tr];

        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++) {
                g_autofree char *pps = g_strdup_printf("%s: pairs/s, %u client%s", name, bench_concurrency[k],
                                                       k ? "s" : "");
                g_autofree char *cpu = g_strdup_printf("%s: CPU us/pair netpoold/bus/clients, %u", name,
                                                       bench_concurrency[k]);

                row_at(pps, res, n_res, cell_pps, lv, tr, k);
                row_at(cpu, res, n_res, cell_cpu, lv, tr, k);
        }
        for (unsigned k = 0; with_lv && k < BENCH_CONCURRENCY_LEVELS; k++) {
                g_autofree char *label = g_strdup_printf("%s: netpool / libvirt pairs/s, %u client%s", name,
                                                         bench_concurrency[k], k ? "s" : "");

                row_at(label, res, n_res, cell_ratio, lv, tr, k);
        }
        for (unsigned k = 0; with_lv && k < BENCH_CONCURRENCY_LEVELS; k++) {
                g_autofree char *label = g_strdup_printf("%s: netpoold / libvirtd CPU per pair, %u", name,
                                                         bench_concurrency[k]);

                row_at(label, res, n_res, cell_cpu_ratio, lv, tr, k);
        }
        if (res[0].transport[tr].profile.ran) {
                g_autofree char *label = g_strdup_printf("%s: netpoold syscalls/pair (failing)", name);

                row_at(label, res, n_res, cell_profile, lv, tr, 0);
        }
}

static void print_top(const char *who, const BenchProfile *p) {
        printf("%s: %.1f syscalls per pair (%.1f failing) over %" G_GUINT64_FORMAT " pairs:", who,
               p->syscalls_per_pair, p->errors_per_pair, p->pairs);
        for (unsigned i = 0; i < p->n_top; i++)
                printf("%s %s %.1f", i ? "," : "", p->top[i].name, p->top[i].per_pair);
        putchar('\n');
}

static void libvirt_lines(const BenchLibvirtResult *lv) {
        printf("\nlibvirt 9.0 network driver (private libvirtd, network driver only; passthrough network of "
               "64 <interface dev>, no hardware touched):\n");
        printf("  create+delete pair p50 / p99 (us), 1 client: %.0f / %.0f\n", lv->pair.p50, lv->pair.p99);
        printf("  pairs/s: 1 client %.0f, 4 clients %.0f, 16 clients %.0f; errors %" G_GUINT64_FORMAT "%s%s\n",
               lv->pairs.pairs_per_s[0], lv->pairs.pairs_per_s[1], lv->pairs.pairs_per_s[2], lv->errors,
               lv->errors ? ", first: " : "", lv->errors ? lv->first_error : "");
        printf("  CPU us per pair, libvirtd / clients:");
        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++)
                printf("%s %u client%s %.0f / %.0f", k ? "," : "", bench_concurrency[k], k ? "s" : "",
                       lv->pairs.cpu[k].us[BENCH_PROC_LIBVIRTD], lv->pairs.cpu[k].us[BENCH_PROC_CLIENTS]);
        putchar('\n');
        if (lv->pairs.profile.ran)
                print_top("  libvirtd", &lv->pairs.profile);
}

void bench_report_table(const BenchResult *res, unsigned n_res, const BenchLibvirtResult *lv, bool vs_libvirt) {
        bool with_lv = vs_libvirt && lv->ran;

        printf("\nnetpool-bench: netpoold %s on sim hosts (%s over <pf>, X710-like PFs of up to 128 VFs; "
               "ports with MAC, VLAN, max TX rate, trust), %ld CPUs, state and sim on tmpfs\n\n", NETPOOL_VERSION,
               n_res > 0 ? res[0].forward : "", sysconf(_SC_NPROCESSORS_ONLN));
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
        for (unsigned tr = 0; n_res > 0 && tr < BENCH_N_TRANSPORTS; tr++)
                if (res[0].transport[tr].ran)
                        transport_rows(res, n_res, lv, with_lv, tr);
        row("daemon start to ready (ms)", res, n_res, cell_ready, lv);
        row("Start of the network over N VFs (ms)", res, n_res, cell_start, lv);
        row("GetXML live p50 (ms)", res, n_res, cell_getxml, lv);
        row("peak RSS, VmHWM (KiB), N/2 ports held", res, n_res, cell_rss, lv);
        row("RSS now, VmRSS (KiB)", res, n_res, cell_rss_now, lv);
        row("allocating N/2 ports, 8 clients (s)", res, n_res, cell_fill, lv);
        row("building the sim host (s)", res, n_res, cell_build, lv);
        row("samples: pings / pairs of 1 client", res, n_res, cell_samples, lv);
        row("a port's MAC, VLAN, rate, trust on its VF", res, n_res, cell_vf_checked, lv);
        row("errors", res, n_res, cell_errors, lv);

        for (unsigned i = 0; i < n_res; i++)
                for (unsigned tr = 0; tr < BENCH_N_TRANSPORTS; tr++)
                        if (res[i].transport[tr].profile.ran) {
                                g_autofree char *who = g_strdup_printf("N=%u, netpoold over %s", res[i].n,
                                                                       bench_transport_title[tr]);

                                if (i == 0 && tr == 0)
                                        putchar('\n');
                                print_top(who, &res[i].transport[tr].profile);
                        }
        if (with_lv)
                libvirt_lines(lv);
        else if (vs_libvirt)
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

/* {"1":{"netpoold":…,"dbus-daemon":…,"libvirtd":…,"clients":…},"4":…}: µs per pair, null where not measured */
static void json_cpu_per_clients(GString *s, const char *key, const BenchCpuPerPair cpu[BENCH_CONCURRENCY_LEVELS]) {
        g_string_append_printf(s, ",\"%s\":{", key);
        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++) {
                g_string_append_printf(s, "%s\"%u\":{", k ? "," : "", bench_concurrency[k]);
                for (unsigned p = 0; p < BENCH_N_PROCS; p++) {
                        g_string_append_printf(s, "%s\"%s\":", p ? "," : "", bench_proc_name[p]);
                        if (cpu[k].us[p] >= 0)
                                g_string_append_printf(s, "%.1f", cpu[k].us[p]);
                        else
                                g_string_append(s, "null");
                }
                g_string_append_c(s, '}');
        }
        g_string_append_c(s, '}');
}

/* netpoold's CPU per pair over libvirtd's, per level; null where either is unknown */
static void json_cpu_ratio(GString *s, const char *key, const BenchCpuPerPair a[BENCH_CONCURRENCY_LEVELS],
                           const BenchCpuPerPair b[BENCH_CONCURRENCY_LEVELS]) {
        double x[BENCH_CONCURRENCY_LEVELS], y[BENCH_CONCURRENCY_LEVELS];

        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++) {
                x[k] = a[k].us[BENCH_PROC_NETPOOLD];
                y[k] = x[k] >= 0 ? b[k].us[BENCH_PROC_LIBVIRTD] : -1;
        }
        json_ratio_per_clients(s, key, x, y);
}

/* {"pairs", "syscalls_per_pair", "errors_per_pair", "top": [{"syscall", "per_pair", "errors_per_pair"}…]} */
static void json_profile(GString *s, const char *key, const BenchProfile *p) {
        g_string_append_printf(s, ",\"%s\":", key);
        if (!p->ran) {
                g_string_append(s, "null");
                return;
        }
        g_string_append_printf(s, "{\"pairs\":%" G_GUINT64_FORMAT ",\"syscalls_per_pair\":%.1f,"
                               "\"errors_per_pair\":%.1f,\"top\":[", p->pairs, p->syscalls_per_pair,
                               p->errors_per_pair);
        for (unsigned i = 0; i < p->n_top; i++)
                g_string_append_printf(s, "%s{\"syscall\":\"%s\",\"per_pair\":%.2f,\"errors_per_pair\":%.2f}",
                                       i ? "," : "", p->top[i].name, p->top[i].per_pair, p->top[i].errors_per_pair);
        g_string_append(s, "]}");
}

/* A transport's figures: the bus's at the top level (the names of before), the private socket's in an object */
static void json_transport(GString *s, const BenchTransportResult *t, const BenchLibvirtResult *lv, bool with_lv) {
        if (!t->ran) {
                g_string_append(s, ",\"pairs_per_s\":null,\"cpu_us_per_pair\":null,\"ratio_vs_libvirt\":null,"
                                "\"netpoold_cpu_vs_libvirtd\":null,\"profile\":null");
                return;
        }
        json_per_clients(s, "pairs_per_s", t->pairs_per_s);
        json_cpu_per_clients(s, "cpu_us_per_pair", t->cpu);
        if (with_lv) {
                json_ratio_per_clients(s, "ratio_vs_libvirt", t->pairs_per_s, lv->pairs.pairs_per_s);
                json_cpu_ratio(s, "netpoold_cpu_vs_libvirtd", t->cpu, lv->pairs.cpu);
        } else
                g_string_append(s, ",\"ratio_vs_libvirt\":null,\"netpoold_cpu_vs_libvirtd\":null");
        json_profile(s, "profile", &t->profile);
}

void bench_report_json(const BenchResult *res, unsigned n_res, const BenchLibvirtResult *lv, bool vs_libvirt) {
        const BenchResult *n64 = find_n64(res, n_res);
        bool with_lv = vs_libvirt && lv->ran;

        for (unsigned i = 0; i < n_res; i++) {
                const BenchResult *r = &res[i];
                g_autoptr(GString) s = g_string_new(NULL);

                g_string_append_printf(s, "{\"n\":%u,\"forward\":\"%s\"", r->n, r->forward);
                json_number(s, "ping_p50_us", r->ping.p50, r->ping.n > 0, 1);
                json_number(s, "ping_p99_us", r->ping.p99, r->ping.n > 0, 1);
                json_number(s, "alloc_p50_us", r->alloc.p50, r->alloc.n > 0, 1);
                json_number(s, "alloc_p99_us", r->alloc.p99, r->alloc.n > 0, 1);
                json_number(s, "release_p50_us", r->release.p50, r->release.n > 0, 1);
                json_number(s, "release_p99_us", r->release.p99, r->release.n > 0, 1);
                json_number(s, "pair_p50_us", r->pair.p50, r->pair.n > 0, 1);
                json_number(s, "pair_p99_us", r->pair.p99, r->pair.n > 0, 1);
                json_transport(s, &r->transport[BENCH_TRANSPORT_BUS], lv, with_lv);
                g_string_append(s, ",\"private\":");
                if (r->transport[BENCH_TRANSPORT_PRIVATE].ran) {
                        g_autoptr(GString) sub = g_string_new(NULL);

                        json_transport(sub, &r->transport[BENCH_TRANSPORT_PRIVATE], lv, with_lv);
                        g_string_append_printf(s, "{%s}", sub->str + 1);        /* without the leading comma */
                } else
                        g_string_append(s, "null");
                json_number(s, "start_ready_ms", r->start_ready_ms, true, 2);
                json_number(s, "net_start_ms", r->net_start_ms, true, 2);
                json_number(s, "getxml_p50_ms", r->getxml_p50_ms, true, 3);
                json_number(s, "rss_peak_kib", (double) r->rss_peak_kib, r->rss_peak_kib > 0, 0);      /* --no-rss */
                g_string_append_printf(s, ",\"ports_held\":%u", r->ports_held);
                g_string_append_printf(s, ",\"vf_settings_checked\":%s", r->vf_settings_checked ? "true" : "false");
                if (with_lv) {
                        json_per_clients(s, "libvirt_pairs_per_s", lv->pairs.pairs_per_s);
                        json_cpu_per_clients(s, "libvirt_cpu_us_per_pair", lv->pairs.cpu);
                        json_profile(s, "libvirt_profile", &lv->pairs.profile);
                } else
                        g_string_append(s, ",\"libvirt_pairs_per_s\":null,\"libvirt_cpu_us_per_pair\":null,"
                                        "\"libvirt_profile\":null");
                json_number(s, "pair_over_2ping", ratio(r->pair.p50, 2 * r->ping.p50),
                            r->pair.n > 0 && r->ping.p50 > 0, 3);
                json_number(s, "pair_vs_n64", n64 ? ratio(r->pair.p50, n64->pair.p50) : 0,
                            n64 && n64->pair.p50 > 0, 3);
                g_string_append_printf(s, ",\"errors\":%" G_GUINT64_FORMAT "}", r->errors);
                puts(s->str);
        }
        fflush(stdout);
}
