/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench: netpoold's round trips, throughput, start, GetXML and memory on sim hosts of N VFs */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "tools/netpool-bench.h"

#define FILL_CLIENTS 8u

static char *arg_n = NULL;
static double arg_duration = 8.0;
static int arg_pairs = 0;
static gboolean arg_vs_libvirt = false;
static gboolean arg_json_only = false;
static gboolean arg_keep = false;
static gboolean arg_version = false;
static gboolean arg_devices = false;
static int arg_rounds = 5;
static char *arg_transport = NULL;
static gboolean arg_profile = false;
static gboolean arg_trace = false;
static gboolean arg_sim_floor = false;
static gboolean arg_no_rss = false;
static char *arg_forward = NULL;
static bool transports[BENCH_N_TRANSPORTS];

static const GOptionEntry option_entries[] = {
        { "n", 'n', 0, G_OPTION_ARG_STRING, &arg_n, "VF counts to measure (default 64,4096,32768)", "LIST" },
        { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &arg_duration,
          "seconds per measurement: pings, and pairs at each concurrency (default 8)", "SEC" },
        { "pairs", 'p', 0, G_OPTION_ARG_INT, &arg_pairs,
          "a fixed count per measurement instead: pings, and pairs per client (overrides --duration)", "N" },
        { "vs-libvirt", 0, 0, G_OPTION_ARG_NONE, &arg_vs_libvirt,
          "also measure libvirt's network driver (a private libvirtd) in the same run", NULL },
        { "transport", 't', 0, G_OPTION_ARG_STRING, &arg_transport,
          "how the clients reach netpoold: bus, private (its peer-to-peer socket STATE/private), or both "
          "(default bus)", "LIST" },
        { "profile", 0, 0, G_OPTION_ARG_NONE, &arg_profile,
          "also count the syscalls per pair of netpoold (and libvirtd) with strace -c, one client, in a window "
          "of its own", NULL },
        { "trace", 0, 0, G_OPTION_ARG_NONE, &arg_trace,
          "with --profile: also write down every syscall netpoold makes in 3 pairs (strace -f -y, the file named "
          "on stderr) and keep the run's directory", NULL },
        { "sim-floor", 0, 0, G_OPTION_ARG_NONE, &arg_sim_floor,
          "also time the sim files a passthrough pair must touch, done by a bare loop with no daemon (the floor "
          "under netpoold's CPU per pair on the sim)", NULL },
        { "forward", 0, 0, G_OPTION_ARG_STRING, &arg_forward,
          "the bench network's forward mode: passthrough (default) or hostdev (managed)", "MODE" },
        { "no-rss", 0, 0, G_OPTION_ARG_NONE, &arg_no_rss,
          "skip the peak RSS with N/2 ports held (their allocation takes long on large hosts)", NULL },
        { "json-only", 0, 0, G_OPTION_ARG_NONE, &arg_json_only, "print only the JSON lines", NULL },
        { "keep", 0, 0, G_OPTION_ARG_NONE, &arg_keep, "keep each run's directory (bus log, sim host, state)",
          NULL },
        { "devices", 0, 0, G_OPTION_ARG_NONE, &arg_devices,
          "measure the Device objects instead: GetManagedObjects, numvfs changes of a PF of 128 VFs followed by "
          "InterfacesAdded/Removed, peak RSS (default N: 4096,32768)", NULL },
        { "rounds", 0, 0, G_OPTION_ARG_INT, &arg_rounds,
          "--devices: numvfs rounds, each 128 to 0 and back (default 5)", "N" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &arg_version, "print the version and whether libvirt is built in",
          NULL },
        {}
};

static unsigned next_run_id = 1;

void bench_progress(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        fputs("netpool-bench: ", stderr);
        vfprintf(stderr, format, ap);
        fputc('\n', stderr);
        va_end(ap);
}

static void note_errors(BenchResult *res, const BenchRunResult *run, const char *what) {
        if (run->errors > 0 && res->errors == 0) {
                g_autofree char *text = g_strdup_printf("%s: %s", what, run->first_error);

                g_strlcpy(res->first_error, text, sizeof(res->first_error));
        }
        res->errors += run->errors;
}

static bool forward_hostdev(void) {
        return arg_forward && g_str_equal(arg_forward, "hostdev");
}

/* DefineNetwork (untimed), then Start over all N VFs (timed), then GetXML of the live network */
static int measure_network(sd_bus *bus, unsigned n_pfs, BenchResult *res, char **ret_message) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GArray) getxml = g_array_new(false, false, sizeof(double));
        unsigned calls = res->n >= 32768 ? 5 : res->n >= 4096 ? 9 : 21;
        double t0;
        int r;

        r = bench_network_start(bus, n_pfs, forward_hostdev(), &res->net_start_ms, ret_message);
        if (r < 0)
                return r;

        for (unsigned i = 0; i < calls; i++) {
                const char *text;
                double ms;

                reply = sd_bus_message_unref(reply);
                t0 = harness_now();
                r = sd_bus_call_method(bus, BENCH_BUS_NAME, bench_netpool_target.address, BENCH_NETWORK_IFACE,
                                       "GetXML", &error, &reply, "t", UINT64_C(0));
                ms = (harness_now() - t0) * 1e3;
                if (r >= 0)
                        r = sd_bus_message_read(reply, "s", &text);
                if (r < 0)
                        return bench_bus_failed("GetXML", &error, r, ret_message);
                res->getxml_bytes = strlen(text);
                g_array_append_val(getxml, ms);
        }
        res->getxml_p50_ms = bench_stats(getxml).p50;
        return 0;
}

/* The floor: Peer.Ping round trips, answered by sd-bus inside netpoold without touching netpool's code */
static int measure_ping(sd_bus *bus, BenchResult *res, char **ret_message) {
        g_autoptr(GArray) us = g_array_new(false, false, sizeof(double));
        double end = harness_now() + arg_duration;

        for (unsigned i = 0; arg_pairs > 0 ? i < (unsigned) MAX(arg_pairs, 10) : harness_now() < end; i++) {
                g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
                double t0 = harness_now(), d;
                int r;

                r = sd_bus_call_method(bus, BENCH_BUS_NAME, "/", "org.freedesktop.DBus.Peer", "Ping", &error, NULL,
                                       NULL);
                if (r < 0)
                        return bench_bus_failed("Peer.Ping", &error, r, ret_message);
                d = (harness_now() - t0) * 1e6;
                g_array_append_val(us, d);
        }
        res->ping = bench_stats(us);
        return 0;
}

/* Concurrency level K's run of pairs, for netpoold and libvirt alike: the round trips of the one client kept */
static BenchRunSpec pairs_spec(unsigned k) {
        return (BenchRunSpec) {
                .clients = bench_concurrency[k],
                .run_id = next_run_id++,
                .pairs = (uint64_t) MAX(arg_pairs, 0),
                .duration = arg_duration,
                .release = true,
                .record = k == 0,
        };
}

/* The servers a window of netpool pairs is charged with */
static void watch_netpool(BenchRunSpec *spec, const HarnessEnv *env) {
        spec->watch[BENCH_PROC_NETPOOLD] = env->daemon_pid;
        spec->watch[BENCH_PROC_DBUS_DAEMON] = env->bus.pid;
}

static double pairs_per_s(const BenchRunResult *run) {
        return run->wall > 0 ? (double) run->pairs / run->wall : 0;
}

/* The target of a transport; the private socket is netpoold's STATE/private, the harness's DIR/run */
static BenchTarget netpool_target(BenchTransport tr, const HarnessEnv *env, char **socket) {
        BenchTarget t = bench_netpool_target;

        if (tr == BENCH_TRANSPORT_PRIVATE) {
                *socket = g_build_filename(env->dir, "run", "private", NULL);
                t.socket = *socket;
        }
        return t;
}

/* One connection before the clients fork: a transport that cannot connect is one clear error, not one per
 * client */
static int check_connect(const BenchTarget *t, char **ret_message) {
        void *conn = NULL;
        int r;

        r = t->connect(t, &conn, ret_message);
        if (r < 0)
                return r;
        t->disconnect(conn);
        return 0;
}

/* Allocate+Release pairs over one transport with 1, 4 and 16 clients; RECORD: the round trips of the one client */
static int measure_transport(const HarnessEnv *env, const BenchTarget *target, BenchTransport tr, bool record,
                             BenchResult *res, char **ret_message) {
        BenchTransportResult *out = &res->transport[tr];
        int r;

        bench_progress("N=%u: pairs over %s with 1, 4, 16 clients", res->n, bench_transport_title[tr]);
        r = check_connect(target, ret_message);
        if (r < 0)
                return r;
        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++) {
                g_auto(BenchRunResult) run = {};
                BenchRunSpec spec = pairs_spec(k);

                spec.record = record && k == 0;
                watch_netpool(&spec, env);
                r = bench_run_clients(target, &spec, &run, ret_message);
                if (r < 0)
                        return r;
                note_errors(res, &run, bench_transport_name[tr]);
                out->pairs_per_s[k] = pairs_per_s(&run);
                out->cpu[k] = bench_cpu_per_pair(&run);
                if (spec.record) {
                        res->alloc = bench_stats(run.alloc_us);
                        res->release = bench_stats(run.release_us);
                        res->pair = bench_stats(run.pair_us);
                }
        }
        out->ran = true;
        return 0;
}

/* Each transport asked for, the first with its round trips recorded; with --profile, after each, a window of
 * one client with netpoold under strace */
static int measure_pairs(const HarnessEnv *env, BenchResult *res, char **ret_message) {
        bool first = true;

        for (unsigned tr = 0; tr < BENCH_N_TRANSPORTS; tr++) {
                g_autofree char *socket = NULL;
                BenchTarget target = netpool_target(tr, env, &socket);
                BenchRunSpec spec = pairs_spec(0);
                int r;

                if (!transports[tr])
                        continue;
                r = measure_transport(env, &target, tr, first, res, ret_message);
                if (r < 0)
                        return r;
                first = false;
                if (!arg_profile)
                        continue;
                bench_progress("N=%u: profile over %s: one client, netpoold under strace -c", res->n,
                               bench_transport_title[tr]);
                spec.record = false;
                r = bench_profile_window(&target, &spec, env->daemon_pid, env->dir, &res->transport[tr].profile,
                                         ret_message);
                if (r < 0)
                        return r;
                if (arg_trace) {
                        g_autofree char *path = NULL;

                        r = bench_trace_window(&target, &spec, env->daemon_pid, env->dir, &path, ret_message);
                        if (r < 0)
                                return r;
                        bench_progress("N=%u: every syscall of %u pairs over %s: %s", res->n, BENCH_TRACE_PAIRS,
                                       bench_transport_title[tr], path);
                }
        }
        return 0;
}

/* N/2 ports allocated by several clients at once, then netpoold's peak RSS (VmHWM) */
static int measure_memory(const HarnessEnv *env, BenchResult *res, char **ret_message) {
        unsigned half = MAX(res->n / 2, 1u);
        unsigned clients = MIN(FILL_CLIENTS, half);
        g_auto(BenchRunResult) run = {};
        BenchRunSpec spec = {
                .clients = clients,
                .run_id = next_run_id++,
                .pairs = half / clients,
                .release = false,
        };
        int r;

        r = bench_run_clients(&bench_netpool_target, &spec, &run, ret_message);
        if (r < 0)
                return r;
        note_errors(res, &run, "filling the pool");
        res->fill_s = run.wall;
        res->ports_held = (unsigned) run.pairs;
        r = harness_proc_status_kib(env->daemon_pid, "VmHWM", &res->rss_peak_kib);
        if (r >= 0)
                r = harness_proc_status_kib(env->daemon_pid, "VmRSS", &res->rss_now_kib);
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot read /proc/%d/status: %s", (int) env->daemon_pid,
                                               strerror(-r));
                return r;
        }
        return 0;
}

static int bench_one(unsigned n, BenchResult *res, char **ret_message) {
        g_auto(HarnessEnv) env = { .keep = arg_keep };
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *prefix = g_strdup_printf("netpool-bench-n%u", n);
        unsigned n_pfs = 0;
        int r;

        *res = (BenchResult) { .n = n, .forward = forward_hostdev() ? "hostdev" : "passthrough" };
        r = bench_host_up(&env, prefix, "", n, &n_pfs, &res->host_build_s, &bus, ret_message);
        if (r < 0)
                return r;

        bench_progress("N=%u: activation, Start, GetXML", n);
        r = bench_activate(bus, &env, &res->start_ready_ms, ret_message);
        if (r >= 0)
                r = measure_network(bus, n_pfs, res, ret_message);
        if (r >= 0) {
                r = bench_check_vf_settings(bus, &env, ret_message);
                res->vf_settings_checked = r >= 0;
        }
        if (r >= 0) {
                bench_progress("N=%u: Peer.Ping", n);
                r = measure_ping(bus, res, ret_message);
        }
        if (r >= 0)
                r = measure_pairs(&env, res, ret_message);
        if (r >= 0 && !arg_no_rss) {
                bench_progress("N=%u: allocating %u ports for the peak RSS", n, MAX(n / 2, 1u));
                r = measure_memory(&env, res, ret_message);
        }
        bench_progress("N=%u: done, cleaning up", n);
        return r;
}

static void measure_libvirt(BenchLibvirtResult *res) {
        g_auto(BenchLibvirt) lv = { .keep = arg_keep };
        g_autofree char *message = NULL;
        int r;

        if (!bench_libvirt_available()) {
                g_strlcpy(res->why_not, "netpool-bench was built without libvirt (libvirt-dev missing when meson "
                          "was set up)", sizeof(res->why_not));
                return;
        }
        bench_progress("libvirt: starting a private libvirtd with only the network driver");
        r = bench_libvirt_start(&lv, &message);
        if (r < 0) {
                snprintf(res->why_not, sizeof(res->why_not), "%s", message ?: strerror(-r));
                return;
        }
        bench_progress("libvirt: port create+delete pairs with 1, 4, 16 clients");
        for (unsigned k = 0; k < BENCH_CONCURRENCY_LEVELS; k++) {
                g_auto(BenchRunResult) run = {};
                BenchRunSpec spec = pairs_spec(k);

                spec.watch[BENCH_PROC_LIBVIRTD] = lv.pid;
                g_clear_pointer(&message, g_free);
                r = bench_run_clients(&lv.target, &spec, &run, &message);
                if (r < 0) {
                        snprintf(res->why_not, sizeof(res->why_not), "%s", message ?: strerror(-r));
                        return;
                }
                if (run.errors > 0 && res->errors == 0)
                        g_strlcpy(res->first_error, run.first_error, sizeof(res->first_error));
                res->errors += run.errors;
                res->pairs.pairs_per_s[k] = pairs_per_s(&run);
                res->pairs.cpu[k] = bench_cpu_per_pair(&run);
                if (k == 0)
                        res->pair = bench_stats(run.pair_us);
        }
        res->pairs.ran = true;
        if (arg_profile) {
                BenchRunSpec spec = pairs_spec(0);

                bench_progress("libvirt: profile, one client, libvirtd under strace -c");
                spec.record = false;
                g_clear_pointer(&message, g_free);
                r = bench_profile_window(&lv.target, &spec, lv.pid, lv.dir, &res->pairs.profile, &message);
                if (r < 0) {
                        snprintf(res->why_not, sizeof(res->why_not), "profile: %s", message ?: strerror(-r));
                        return;
                }
        }
        res->ran = true;
}

/* "bus,private" into transports[] */
static int parse_transports(const char *text, char **ret_message) {
        g_auto(GStrv) items = g_strsplit(text, ",", -1);

        for (char **i = items; *i; i++) {
                unsigned tr = 0;

                while (tr < BENCH_N_TRANSPORTS && !g_str_equal(g_strstrip(*i), bench_transport_name[tr]))
                        tr++;
                if (tr == BENCH_N_TRANSPORTS) {
                        *ret_message = g_strdup_printf("--transport: '%s' is neither bus nor private", *i);
                        return -EINVAL;
                }
                transports[tr] = true;
        }
        return 0;
}

static int parse_n_list(const char *text, GArray *ret, char **ret_message) {
        g_auto(GStrv) items = g_strsplit(text, ",", -1);

        for (char **i = items; *i; i++) {
                guint64 v;

                if (!g_ascii_string_to_unsigned(g_strstrip(*i), 10, 1, BENCH_VFS_PER_PF * BENCH_MAX_PFS, &v,
                                                NULL) || (v > BENCH_VFS_PER_PF && v % BENCH_VFS_PER_PF != 0)) {
                        *ret_message = g_strdup_printf("--n: '%s' is not 1-128 or a multiple of 128 up to %u", *i,
                                                       BENCH_VFS_PER_PF * BENCH_MAX_PFS);
                        return -EINVAL;
                }
                unsigned n = (unsigned) v;
                g_array_append_val(ret, n);
        }
        return 0;
}

static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig) {
        /* the bus, netpoold and libvirtd share our process group and get the same signal; the calls in flight
         * fail, and the normal cleanup stops what is left and removes the directories */
        interrupted = 1;
}

/* --devices: one host per N, the Device objects measured on each */
static int run_devices(GArray *ns) {
        g_autofree BenchDevicesResult *results = g_new0(BenchDevicesResult, ns->len);
        unsigned done = 0;

        for (unsigned i = 0; i < ns->len; i++) {
                g_autofree char *message = NULL;
                unsigned n = g_array_index(ns, unsigned, i);

                if (bench_devices_one(n, (unsigned) arg_rounds, arg_keep, &results[done], &message) < 0) {
                        fprintf(stderr, "netpool-bench: devices N=%u: %s\n", n, message ?: "failed");
                        return 1;
                }
                done++;
                if (interrupted) {
                        fprintf(stderr, "netpool-bench: interrupted\n");
                        return 1;
                }
        }
        if (!arg_json_only)
                bench_devices_report_table(results, done);
        bench_devices_report_json(results, done);
        return 0;
}

/* --sim-floor: the sim's own file work per pair, as a table line and a JSON line of its own */
static int run_sim_floor(void) {
        g_autofree char *message = NULL;
        BenchFloor f = {};

        bench_progress("the sim floor: a pair's file operations in a bare loop");
        if (bench_sim_floor(harness_path("NETPOOL_SIMHOST", BENCH_SIMHOST), arg_duration, (uint64_t) arg_pairs,
                            arg_keep, &f, &message) < 0) {
                fprintf(stderr, "netpool-bench: the sim floor: %s\n", message);
                return -1;
        }
        for (int in_place = 0; in_place <= 1; in_place++) {
                const BenchFloorRun *r = in_place ? &f.in_place : &f.atomic;
                const char *how = in_place ? "in_place" : "atomic";

                if (!arg_json_only)
                        printf("sim floor, values written %-9s %.0f syscalls, %.1f µs CPU per pair, %.0f pairs/s "
                               "(%" G_GUINT64_FORMAT " pairs; the files of a passthrough pair, no daemon)\n",
                               in_place ? "in place:" : "atomic:", r->syscalls_per_pair, r->cpu_us_per_pair,
                               r->pairs_per_s, r->pairs);
                printf("{\"sim_floor\": {\"writes\": \"%s\", \"pairs\": %" G_GUINT64_FORMAT ", "
                       "\"syscalls_per_pair\": %.1f, \"cpu_us_per_pair\": %.1f, \"pairs_per_s\": %.1f}}\n", how,
                       r->pairs, r->syscalls_per_pair, r->cpu_us_per_pair, r->pairs_per_s);
        }
        return 0;
}

int main(int argc, char **argv) {
        g_autoptr(GOptionContext) context = g_option_context_new("- benchmark netpoold (and libvirt's network driver)");
        g_autoptr(GError) gerror = NULL;
        g_autoptr(GArray) ns = g_array_new(false, false, sizeof(unsigned));
        g_autofree char *message = NULL, *dbus_daemon = NULL;
        g_autofree BenchResult *results = NULL;
        BenchLibvirtResult lv = {};
        struct sigaction sa = { .sa_handler = on_signal };
        unsigned done = 0;
        uint64_t errors = 0;

        g_option_context_add_main_entries(context, option_entries, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &gerror)) {
                fprintf(stderr, "netpool-bench: %s\n", gerror->message);
                return 2;
        }
        if (arg_version) {
                printf("netpool-bench %s (libvirt: %s)\n", NETPOOL_VERSION, bench_libvirt_available() ? "yes" : "no");
                return 0;
        }
        if (parse_n_list(arg_n ?: arg_devices ? "4096,32768" : "64,4096,32768", ns, &message) < 0 ||
            parse_transports(arg_transport ?: "bus", &message) < 0 ||
            arg_duration <= 0 || arg_pairs < 0 || arg_rounds < 1) {
                fprintf(stderr, "netpool-bench: %s\n",
                        message ?: "--duration, --pairs and --rounds must be positive");
                return 2;
        }
        if (arg_forward && !g_str_equal(arg_forward, "passthrough") && !g_str_equal(arg_forward, "hostdev")) {
                fprintf(stderr, "netpool-bench: --forward: '%s' is neither passthrough nor hostdev\n", arg_forward);
                return 2;
        }
        if (arg_devices && arg_vs_libvirt) {
                fprintf(stderr, "netpool-bench: --devices measures netpoold alone (no --vs-libvirt)\n");
                return 2;
        }
        if (arg_trace && !arg_profile) {
                fprintf(stderr, "netpool-bench: --trace goes with --profile\n");
                return 2;
        }
        arg_keep = arg_keep || arg_trace;
        if (arg_profile && !bench_profile_available()) {
                fprintf(stderr, "netpool-bench: --profile needs strace (apt-get install strace)\n");
                return 77;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "netpool-bench: must run as root (uid 0 needs no polkit; libvirtd runs as root)\n");
                return 77;
        }
        dbus_daemon = g_find_program_in_path("dbus-daemon");
        if (!dbus_daemon) {
                fprintf(stderr, "netpool-bench: no dbus-daemon\n");
                return 77;
        }
        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);

        if (arg_devices)
                return run_devices(ns);
        results = g_new0(BenchResult, ns->len);
        for (unsigned i = 0; i < ns->len; i++) {
                g_clear_pointer(&message, g_free);
                if (bench_one(g_array_index(ns, unsigned, i), &results[done], &message) < 0) {
                        fprintf(stderr, "netpool-bench: N=%u: %s\n", g_array_index(ns, unsigned, i), message);
                        return 1;
                }
                errors += results[done].errors;
                done++;
                if (interrupted) {
                        fprintf(stderr, "netpool-bench: interrupted\n");
                        return 1;
                }
        }
        if (arg_sim_floor && run_sim_floor() < 0)
                return 1;
        if (arg_vs_libvirt)
                measure_libvirt(&lv);

        if (!arg_json_only)
                bench_report_table(results, done, &lv, arg_vs_libvirt);
        bench_report_json(results, done, &lv, arg_vs_libvirt);
        if (arg_vs_libvirt && !lv.ran)
                fprintf(stderr, "netpool-bench: libvirt was not measured: %s\n", lv.why_not);
        return errors > 0 || (arg_vs_libvirt && !lv.ran) ? 1 : 0;
}
