/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load test report: the table, one JSON line, TAP results, and the verdict */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "load.h"

typedef struct Percentiles {
        uint64_t n;
        double p50, p99, max;                   /* ms */
} Percentiles;

typedef struct RssSummary {
        uint64_t first, last, min, max;         /* KiB, samples after warm-up (the last one after the run) */
        int64_t growth;
        uint64_t bound;
        unsigned n;
} RssSummary;

typedef struct Summary {
        uint64_t pairs, exhausted, errors_other;
        GHashTable *errors;                     /* name -> LoadErrorCount (merged) */
        uint64_t violations[_LOAD_V_MAX];
        Percentiles alloc, release;
        RssSummary rss;
} Summary;

static void summary_clear(Summary *s) {
        g_clear_pointer(&s->errors, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Summary, summary_clear)

static void line(const LoadRun *run, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void line(const LoadRun *run, const char *format, ...) {
        va_list ap;

        if (run->tap)
                fputs("# ", stdout);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        fputc('\n', stdout);
}

static int compare_u32(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

        return x < y ? -1 : x > y;
}

/* nearest-rank percentiles of the round trips that were answered */
static Percentiles percentiles(const uint32_t *us, uint64_t n) {
        g_autofree uint32_t *v = g_new(uint32_t, MAX(n, 1));
        Percentiles p = {};

        for (uint64_t i = 0; i < n; i++)
                if (us[i] != LOAD_NO_LATENCY)
                        v[p.n++] = us[i];
        if (p.n == 0)
                return p;
        qsort(v, p.n, sizeof(uint32_t), compare_u32);
        p.p50 = v[(p.n * 50 + 99) / 100 - 1] / 1000.0;
        p.p99 = v[(p.n * 99 + 99) / 100 - 1] / 1000.0;
        p.max = v[p.n - 1] / 1000.0;
        return p;
}

static void merge_tally(Summary *s, const LoadTally *t) {
        for (unsigned i = 0; i < LOAD_MAX_ERRORS && t->errors[i].count > 0; i++) {
                LoadErrorCount *e = g_hash_table_lookup(s->errors, t->errors[i].name);

                if (!e) {
                        e = g_new0(LoadErrorCount, 1);
                        *e = t->errors[i];
                        e->count = 0;
                        g_hash_table_insert(s->errors, e->name, e);
                }
                e->count += t->errors[i].count;
                if (!g_str_equal(e->name, LOAD_POOL_EXHAUSTED))
                        s->errors_other += t->errors[i].count;
        }
        s->errors_other += t->errors_unlisted;
        for (unsigned v = 0; v < _LOAD_V_MAX; v++)
                s->violations[v] += t->violations[v];
}

static bool after_warmup(const LoadRun *run, const LoadRssSample *r) {
        return r->cycles * 100 >= run->total_cycles * run->warmup_percent;
}

/* RSS from the first sample after warm-up to the last (taken after the run) must grow less than the bound */
static void summarize_rss(LoadRun *run, Summary *s) {
        const LoadCheckResult *c = &run->shared->check;
        RssSummary *r = &s->rss;

        for (unsigned i = 0; i < c->n_rss; i++) {
                uint64_t kib = c->rss[i].kib;

                if (!after_warmup(run, &c->rss[i]) || kib == 0)
                        continue;
                if (r->n++ == 0)
                        r->first = r->min = r->max = kib;
                r->min = MIN(r->min, kib);
                r->max = MAX(r->max, kib);
                r->last = kib;
        }
        r->growth = (int64_t) r->last - (int64_t) r->first;
        r->bound = MAX(run->rss_bound_kib, r->first * run->rss_bound_percent / 100);
        if (r->n >= 2 && r->growth > (int64_t) r->bound)
                load_tally_violation(&run->end, LOAD_V_RSS_GROWTH,
                                     "RSS grew %" G_GINT64_FORMAT " KiB after warm-up (%" G_GUINT64_FORMAT
                                     " -> %" G_GUINT64_FORMAT "), bound %" G_GUINT64_FORMAT " KiB",
                                     r->growth, r->first, r->last, r->bound);
}

static void summarize(LoadRun *run, Summary *s) {
        s->errors = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
        for (unsigned c = 0; c < run->clients; c++) {
                const LoadClientResult *cr = &run->shared->clients[c];

                s->pairs += cr->pairs;
                s->exhausted += cr->exhausted;
                merge_tally(s, &cr->tally);
        }
        s->alloc = percentiles(run->alloc_us, run->total_cycles);
        s->release = percentiles(run->release_us, run->total_cycles);
        summarize_rss(run, s);
        merge_tally(s, &run->shared->check.tally);
        merge_tally(s, &run->end);
}

static void json_string(GString *out, const char *s) {
        g_string_append_c(out, '"');
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        g_string_append_printf(out, "\\%c", *s);
                else if ((unsigned char) *s < 0x20)
                        g_string_append_printf(out, "\\u%04x", (unsigned) *s);
                else
                        g_string_append_c(out, *s);
        }
        g_string_append_c(out, '"');
}

static void json_percentiles(GString *out, const char *name, const Percentiles *p) {
        g_string_append_printf(out, "\"%s\":{\"n\":%" G_GUINT64_FORMAT ",\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},",
                               name, p->n, p->p50, p->p99, p->max);
}

static char *json_line(const LoadRun *run, const Summary *s) {
        g_autoptr(GString) out = g_string_new("{");
        const LoadCheckResult *c = &run->shared->check;
        GHashTableIter iter;
        LoadErrorCount *e;
        bool first = true;

        g_string_append_printf(out, "\"clients\":%u,\"cycles\":%u,\"vfs\":%u,\"pfs\":%u,\"pairs\":%" G_GUINT64_FORMAT
                               ",\"exhausted\":%" G_GUINT64_FORMAT ",\"interrupted\":%s,\"wall_s\":%.1f,\"pairs_per_s\":%.1f,",
                               run->clients, run->cycles, run->host->n_vfs, run->host->n_pfs, s->pairs,
                               s->exhausted, atomic_load(&run->shared->interrupted) ? "true" : "false", run->wall,
                               run->wall > 0 ? s->pairs / run->wall : 0.0);
        json_percentiles(out, "allocate_ms", &s->alloc);
        json_percentiles(out, "release_ms", &s->release);
        g_string_append(out, "\"errors\":{");
        g_hash_table_iter_init(&iter, s->errors);
        while (g_hash_table_iter_next(&iter, NULL, (void **) &e)) {
                g_string_append_printf(out, "%s", first ? "" : ",");
                json_string(out, e->name);
                g_string_append_printf(out, ":%" G_GUINT64_FORMAT, e->count);
                first = false;
        }
        g_string_append_printf(out, "},\"windows\":%" G_GUINT64_FORMAT ",\"ports_max\":%" G_GUINT64_FORMAT
                               ",\"vf_held\":%" G_GUINT64_FORMAT ",\"vf_transient\":%" G_GUINT64_FORMAT ",",
                               c->snapshots, c->ports_max, c->vf_held, c->vf_transient);
        g_string_append_printf(out, "\"rss_kib\":{\"start\":%" G_GUINT64_FORMAT ",\"warm_first\":%" G_GUINT64_FORMAT
                               ",\"last\":%" G_GUINT64_FORMAT ",\"min\":%" G_GUINT64_FORMAT ",\"max\":%"
                               G_GUINT64_FORMAT ",\"growth\":%" G_GINT64_FORMAT ",\"bound\":%" G_GUINT64_FORMAT
                               ",\"samples\":[", run->rss_start, s->rss.first, s->rss.last, s->rss.min, s->rss.max,
                               s->rss.growth, s->rss.bound);
        for (unsigned i = 0; i < c->n_rss; i++)
                g_string_append_printf(out, "%s[%.1f,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]",
                                       i ? "," : "", c->rss[i].t, c->rss[i].cycles, c->rss[i].kib);
        g_string_append(out, "]},\"violations\":{");
        first = true;
        for (unsigned v = 0; v < _LOAD_V_MAX; v++) {
                if (s->violations[v] == 0)
                        continue;
                g_string_append_printf(out, "%s\"%s\":%" G_GUINT64_FORMAT, first ? "" : ",",
                                       load_violation_to_string(v), s->violations[v]);
                first = false;
        }
        g_string_append(out, "}}");
        return g_string_free(g_steal_pointer(&out), false);
}

/* the sample closest to each tenth of the run, so the table shows the curve */
static void print_rss_curve(const LoadRun *run) {
        const LoadCheckResult *c = &run->shared->check;
        g_autoptr(GString) curve = g_string_new(NULL);

        for (unsigned tenth = 0; tenth <= 10 && c->n_rss > 0; tenth++) {
                uint64_t at = run->total_cycles * tenth / 10;
                unsigned best = 0;

                for (unsigned i = 1; i < c->n_rss; i++)
                        if (llabs((long long) c->rss[i].cycles - (long long) at) <
                            llabs((long long) c->rss[best].cycles - (long long) at))
                                best = i;
                g_string_append_printf(curve, " %u%%:%" G_GUINT64_FORMAT, tenth * 10, c->rss[best].kib);
        }
        line(run, "  RSS KiB by progress%s", curve->str);
}

static void print_table(const LoadRun *run, const Summary *s) {
        const LoadCheckResult *c = &run->shared->check;
        GHashTableIter iter;
        LoadErrorCount *e;
        bool any = false;

        line(run, "netpool-load: %u clients x %u cycles, %u VFs on %u PFs, hostdev network, netpoold pid %d",
             run->clients, run->cycles, run->host->n_vfs, run->host->n_pfs, (int) run->daemon_pid);
        line(run, "  pairs               %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " cycles (PoolExhausted %"
             G_GUINT64_FORMAT ")", s->pairs, run->total_cycles, s->exhausted);
        if (atomic_load(&run->shared->interrupted))
                line(run, "  INTERRUPTED         after %" G_GUINT64_FORMAT " cycles",
                     atomic_load(&run->shared->cycles_done));
        line(run, "  wall time           %.1f s", run->wall);
        line(run, "  pairs/s             %.1f", run->wall > 0 ? s->pairs / run->wall : 0.0);
        line(run, "  Allocate            p50 %.2f ms  p99 %.2f ms  max %.2f ms", s->alloc.p50, s->alloc.p99,
             s->alloc.max);
        line(run, "  Release             p50 %.2f ms  p99 %.2f ms  max %.2f ms", s->release.p50, s->release.p99,
             s->release.max);
        g_hash_table_iter_init(&iter, s->errors);
        while (g_hash_table_iter_next(&iter, NULL, (void **) &e)) {
                line(run, "  error               %s: %" G_GUINT64_FORMAT " (first: %s)", e->name, e->count,
                     e->message);
                any = true;
        }
        if (!any)
                line(run, "  errors              none");
        line(run, "  checker             %" G_GUINT64_FORMAT " windows, up to %" G_GUINT64_FORMAT
             " ports per ListPorts, %" G_GUINT64_FORMAT " VF sightings held by a port listed before and after, %"
             G_GUINT64_FORMAT " mid-allocate/release", c->snapshots, c->ports_max, c->vf_held, c->vf_transient);
        line(run, "  RSS KiB             start %" G_GUINT64_FORMAT "; after %u%% warm-up: first %" G_GUINT64_FORMAT
             " last %" G_GUINT64_FORMAT " min %" G_GUINT64_FORMAT " max %" G_GUINT64_FORMAT " growth %+"
             G_GINT64_FORMAT " (bound %" G_GUINT64_FORMAT "), %u of %u samples", run->rss_start,
             run->warmup_percent, s->rss.first, s->rss.last, s->rss.min, s->rss.max, s->rss.growth,
             s->rss.bound, s->rss.n, c->n_rss);
        print_rss_curve(run);
        any = false;
        for (unsigned v = 0; v < _LOAD_V_MAX; v++)
                if (s->violations[v] > 0) {
                        line(run, "  violation           %s: %" G_GUINT64_FORMAT, load_violation_to_string(v),
                             s->violations[v]);
                        any = true;
                }
        if (!any)
                line(run, "  violations          none");
}

static void print_notes(const LoadRun *run) {
        const LoadTally *tallies[LOAD_MAX_CLIENTS + 2];
        unsigned n = 0, printed = 0;

        tallies[n++] = &run->shared->check.tally;
        tallies[n++] = &run->end;
        for (unsigned c = 0; c < run->clients; c++)
                tallies[n++] = &run->shared->clients[c].tally;
        for (unsigned i = 0; i < n && printed < 20; i++)
                for (unsigned j = 0; j < tallies[i]->n_notes && printed < 20; j++, printed++)
                        line(run, "  ! %s", tallies[i]->notes[j]);
}

static unsigned tap_result(unsigned *n, bool ok, const char *format, ...) G_GNUC_PRINTF(3, 4);
static unsigned tap_result(unsigned *n, bool ok, const char *format, ...) {
        va_list ap;

        printf("%s %u - ", ok ? "ok" : "not ok", ++*n);
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        fputc('\n', stdout);
        return ok ? 0 : 1;
}

static uint64_t sum(const Summary *s, const LoadViolation *kinds, size_t n) {
        uint64_t total = 0;

        for (size_t i = 0; i < n; i++)
                total += s->violations[kinds[i]];
        return total;
}

static unsigned print_tap(const LoadRun *run, const Summary *s) {
        static const LoadViolation checker[] = {
                LOAD_V_DEVICE_IN_TWO_PORTS, LOAD_V_PORT_LISTED_TWICE, LOAD_V_PORT_MOVED, LOAD_V_PORT_WRONG_MAC,
                LOAD_V_MAC_ON_FOREIGN_VF, LOAD_V_MAC_ON_TWO_VFS, LOAD_V_UNKNOWN_DEVICE, LOAD_V_CHECKER_CALL,
        };
        static const LoadViolation clients[] = { LOAD_V_VF_NOT_CONFIGURED, LOAD_V_VF_KEPT_MAC, LOAD_V_BAD_REPLY };
        static const LoadViolation restored[] = { LOAD_V_VF_NOT_RESTORED };
        static const LoadViolation freed[] = { LOAD_V_PORTS_LEFT, LOAD_V_DEVICE_NOT_FREE };
        static const LoadViolation daemon[] = { LOAD_V_DAEMON_RESTARTED };
        const LoadCheckResult *c = &run->shared->check;
        unsigned n = 0, failed = 0;

        failed += tap_result(&n, run->self_test_failures == 0,
                             "checker self-test: planted double bookings found, legal interleavings pass%s%s",
                             run->self_test_failures ? ": " : "", run->self_test_note);
        failed += tap_result(&n, s->errors_other == 0 && s->pairs + s->exhausted == run->total_cycles,
                             "%" G_GUINT64_FORMAT " pairs: no error but PoolExhausted (%" G_GUINT64_FORMAT ")",
                             s->pairs, s->exhausted);
        failed += tap_result(&n, sum(s, checker, G_N_ELEMENTS(checker)) == 0 && c->snapshots > 0,
                             "checker, %" G_GUINT64_FORMAT " windows: no device in two ports, no port MAC on "
                             "a foreign VF, no MAC on two VFs", c->snapshots);
        failed += tap_result(&n, sum(s, clients, G_N_ELEMENTS(clients)) == 0,
                             "clients: every VF had the port's MAC and VLAN after Allocate, lost the MAC at "
                             "Release");
        failed += tap_result(&n, sum(s, restored, 1) == 0, "every VF back to its original state");
        failed += tap_result(&n, sum(s, freed, G_N_ELEMENTS(freed)) == 0, "ListPorts empty, every device free");
        failed += tap_result(&n, sum(s, daemon, 1) == 0, "one netpoold (pid %d) served the whole run",
                             (int) run->daemon_pid);
        failed += tap_result(&n, s->violations[LOAD_V_RSS_GROWTH] == 0,
                             "RSS after warm-up: %+" G_GINT64_FORMAT " KiB over %u samples (bound %" G_GUINT64_FORMAT
                             ")", s->rss.growth, s->rss.n, s->rss.bound);
        printf("1..%u\n", n);
        return failed;
}

/**
 * load_report() - summarize the run, print the table and the JSON line (and TAP results with --tap)
 *
 * Returns: the exit status: 0 when everything held, 1 otherwise.
 */
int load_report(LoadRun *run) {
        g_auto(Summary) s = {};
        g_autofree char *json = NULL;
        uint64_t violations = 0;
        unsigned failed = 0;

        summarize(run, &s);
        print_table(run, &s);
        print_notes(run);
        json = json_line(run, &s);
        line(run, "%s", json);
        if (run->tap)
                failed = print_tap(run, &s);
        for (unsigned v = 0; v < _LOAD_V_MAX; v++)
                violations += s.violations[v];
        fflush(stdout);
        return failed == 0 && violations == 0 && s.errors_other == 0 && run->self_test_failures == 0 &&
               s.pairs + s.exhausted == run->total_cycles ? 0 : 1;
}
