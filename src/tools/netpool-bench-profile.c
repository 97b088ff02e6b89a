/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench --profile: the syscalls a server makes per pair, counted by strace -c in a window of their own
 * (strace slows the server several times: the timed windows never run under it) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "tools/netpool-bench.h"

typedef struct Tracer {
        pid_t traced;
        pid_t strace;
        const char *out;
        const char *log;
        bool every_call;                /* each call with its fds' paths (strace -y), not the count per syscall */
} Tracer;

bool bench_profile_available(void) {
        g_autofree char *strace = g_find_program_in_path("strace");

        return strace != NULL;
}

static void tracer_stop(Tracer *t) {
        if (t->strace <= 0)
                return;
        /* strace detaches on SIGINT and writes its summary */
        (void) kill(t->strace, SIGINT);
        while (waitpid(t->strace, NULL, 0) < 0 && errno == EINTR)
                ;
        t->strace = 0;
}

/* The clients are connected: attach strace, and let them go once the kernel says it is tracing */
static int tracer_attach(void *userdata, char **ret_message) {
        Tracer *t = userdata;
        g_autofree char *pid = g_strdup_printf("%d", (int) t->traced);
        char *count_argv[] = { "strace", "-c", "-f", "-q", "-S", "calls", "-o", (char *) t->out, "-p", pid, NULL };
        char *every_argv[] = { "strace", "-f", "-q", "-y", "-o", (char *) t->out, "-p", pid, NULL };
        int r;

        r = harness_spawn_logged(t->every_call ? every_argv : count_argv, t->log, &t->strace);
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot run strace: %s", strerror(-r));
                return r;
        }
        for (int i = 0; i < 1000; i++) {
                uint64_t tracer = 0;

                if (waitpid(t->strace, NULL, WNOHANG) == t->strace) {
                        t->strace = 0;
                        *ret_message = g_strdup_printf("strace could not attach to PID %s (see %s)", pid, t->log);
                        return -ECHILD;
                }
                if (harness_proc_status_kib(t->traced, "TracerPid", &tracer) >= 0 && tracer == (uint64_t) t->strace)
                        return 0;
                g_usleep(10 * 1000);
        }
        tracer_stop(t);
        *ret_message = g_strdup_printf("strace did not attach to PID %s within 10 s (see %s)", pid, t->log);
        return -ETIMEDOUT;
}

static int compare_per_pair(const void *a, const void *b) {
        const BenchSyscallCount *x = a, *y = b;

        return x->per_pair < y->per_pair ? 1 : x->per_pair > y->per_pair ? -1 : strcmp(x->name, y->name);
}

/* One row of strace -c's table: "% time  seconds  usecs/call  calls  [errors]  syscall"; the errors column
 * is empty where there were none */
static bool parse_row(const char *line, char name[32], uint64_t *ret_calls, uint64_t *ret_errors) {
        g_auto(GStrv) f = g_strsplit_set(line, " \t", -1);
        const char *v[6];
        unsigned n = 0;

        for (char **i = f; *i && n < G_N_ELEMENTS(v); i++)
                if (**i)
                        v[n++] = *i;
        if ((n != 5 && n != 6) || !g_ascii_isdigit(v[0][0]) || !g_ascii_isdigit(v[3][0]))
                return false;
        *ret_calls = g_ascii_strtoull(v[3], NULL, 10);
        *ret_errors = n == 6 ? g_ascii_strtoull(v[4], NULL, 10) : 0;
        g_strlcpy(name, v[n - 1], 32);
        return true;
}

/* strace -c's summary in OUT, per one of PAIRS pairs */
static int parse_summary(const char *out, uint64_t pairs, BenchProfile *ret, char **ret_message) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GArray) rows = g_array_new(false, false, sizeof(BenchSyscallCount));
        bool total = false;

        if (!g_file_get_contents(out, &text, NULL, NULL)) {
                *ret_message = g_strdup_printf("strace wrote no summary to %s", out);
                return -ENOENT;
        }
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                BenchSyscallCount c = {};
                uint64_t calls, errors;

                if (!parse_row(*l, c.name, &calls, &errors))
                        continue;
                c.per_pair = (double) calls / (double) pairs;
                c.errors_per_pair = (double) errors / (double) pairs;
                if (g_str_equal(c.name, "total")) {
                        ret->syscalls_per_pair = c.per_pair;
                        ret->errors_per_pair = c.errors_per_pair;
                        total = true;
                } else
                        g_array_append_val(rows, c);
        }
        if (!total) {
                *ret_message = g_strdup_printf("no total line in strace's summary %s", out);
                return -EINVAL;
        }
        g_array_sort(rows, compare_per_pair);
        ret->n_top = MIN(rows->len, BENCH_PROFILE_TOP);
        for (unsigned i = 0; i < ret->n_top; i++)
                ret->top[i] = g_array_index(rows, BenchSyscallCount, i);
        return 0;
}

/* SPEC's clients against T with tracer attached once they are connected and detached after they end */
static int run_traced(const BenchTarget *t, BenchRunSpec spec, Tracer *tracer, BenchRunResult *run,
                      char **ret_message) {
        int r;

        (void) unlink(tracer->out);
        spec.before_go = tracer_attach;
        spec.userdata = tracer;
        r = bench_run_clients(t, &spec, run, ret_message);
        tracer_stop(tracer);
        return r;
}

/**
 * bench_profile_window() - SPEC's clients doing pairs against T while strace -c -f counts PID's syscalls,
 * attached after the clients connected and detached after they ended
 *
 * Returns: 0 with *ret filled, or a negative errno with *ret_message set.
 */
int bench_profile_window(const BenchTarget *t, const BenchRunSpec *spec, pid_t pid, const char *dir,
                         BenchProfile *ret, char **ret_message) {
        g_autofree char *out = g_strdup_printf("%s/strace-%d.txt", dir, (int) pid);
        g_autofree char *log = g_strdup_printf("%s/strace-%d.log", dir, (int) pid);
        g_auto(BenchRunResult) run = {};
        Tracer tracer = { .traced = pid, .out = out, .log = log };
        int r;

        *ret = (BenchProfile) {};
        r = run_traced(t, *spec, &tracer, &run, ret_message);
        if (r < 0)
                return r;
        if (run.errors > 0 || run.pairs == 0) {
                *ret_message = g_strdup_printf("the profile window: %" G_GUINT64_FORMAT " pairs, %" G_GUINT64_FORMAT
                                               " errors%s%s", run.pairs, run.errors, run.errors ? ", the first: " : "",
                                               run.errors ? run.first_error : "");
                return -EIO;
        }
        r = parse_summary(out, run.pairs, ret, ret_message);
        if (r < 0)
                return r;
        ret->pairs = run.pairs;
        ret->ran = true;
        return 0;
}

/**
 * bench_trace_window() - a few of SPEC's pairs against T with every syscall of PID written down (strace -f -y),
 * to see what a pair does where --profile's counts say how much
 *
 * Returns: 0 with *ret_path the trace's file, or a negative errno with *ret_message set.
 */
int bench_trace_window(const BenchTarget *t, const BenchRunSpec *spec, pid_t pid, const char *dir, char **ret_path,
                       char **ret_message) {
        g_autofree char *out = g_strdup_printf("%s/trace-%d.txt", dir, (int) pid);
        g_autofree char *log = g_strdup_printf("%s/trace-%d.log", dir, (int) pid);
        g_auto(BenchRunResult) run = {};
        Tracer tracer = { .traced = pid, .out = out, .log = log, .every_call = true };
        BenchRunSpec traced = *spec;
        int r;

        traced.clients = 1;
        traced.pairs = BENCH_TRACE_PAIRS;
        r = run_traced(t, traced, &tracer, &run, ret_message);
        if (r < 0)
                return r;
        if (run.errors > 0) {
                *ret_message = g_strdup_printf("the trace window: %s", run.first_error);
                return -EIO;
        }
        *ret_path = g_steal_pointer(&out);
        return 0;
}
