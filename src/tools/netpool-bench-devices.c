/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench --devices: the Device objects of issue 20 on sim hosts of N VFs — GetManagedObjects, a PF's
 * numvfs change followed by InterfacesAdded/Removed, and netpoold's peak RSS — with the CPU each process spent */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "tools/netpool-bench.h"

#define DEVICE_PATH_PREFIX "/org/netpool1/device/"
#define OBJECT_MANAGER_IFACE "org.freedesktop.DBus.ObjectManager"
#define SIGNAL_WAIT_S 60.0      /* a change whose signals do not arrive by then is an error, not a figure */

/* The PF that is resized: the first, eth0 on bus 0 (netpool-bench-host.c) */
#define RESIZED_PF "0000:00:00.0"

/* The signals of one numvfs change: how many Device objects came or went, and when the last did */
typedef struct SignalCount {
        const char *member;                     /* InterfacesAdded or InterfacesRemoved */
        unsigned seen, want;
        double last;
} SignalCount;

/* ---- the size of a reply on the wire (sd-bus tells no message's size): its body marshalled again ---- */

static size_t align_to(size_t at, size_t a) {
        return (at + a - 1) / a * a;
}

static size_t basic_alignment(char type) {
        switch (type) {
        case 'y': case 'g': case 'v':
                return 1;
        case 'n': case 'q':
                return 2;
        case 'x': case 't': case 'd': case 'r': case 'e': case '(': case '{':
                return 8;
        default:
                return 4;       /* b i u h s o a */
        }
}

static int marshalled_size(sd_bus_message *m, size_t *at);

/* One value of type TYPE (CONTENTS for a container) at *at, *at advanced past it */
static int marshalled_value(sd_bus_message *m, char type, const char *contents, size_t *at) {
        union { uint8_t y; uint16_t q; uint32_t u; uint64_t t; double d; const char *s; int h; } v;
        int r;

        *at = align_to(*at, basic_alignment(type));
        if (type == 'a' || type == 'v' || type == 'r' || type == 'e') {
                size_t body;

                r = sd_bus_message_enter_container(m, type, contents);
                if (r < 0)
                        return r;
                if (type == 'a') {
                        *at += 4;
                        *at = align_to(*at, basic_alignment(contents[0]));
                } else if (type == 'v')
                        *at += 1 + strlen(contents) + 1;
                body = *at;
                r = marshalled_size(m, &body);
                if (r < 0)
                        return r;
                *at = body;
                return sd_bus_message_exit_container(m);
        }
        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;
        if (type == 's' || type == 'o')
                *at += 4 + strlen(v.s) + 1;
        else if (type == 'g')
                *at += 1 + strlen(v.s) + 1;
        else
                *at += basic_alignment(type);   /* a fixed-size basic type is as long as it is aligned */
        return 0;
}

/* The values from where m stands to the end of its container */
static int marshalled_size(sd_bus_message *m, size_t *at) {
        for (;;) {
                const char *contents;
                char type;
                int r;

                r = sd_bus_message_peek_type(m, &type, &contents);
                if (r <= 0)
                        return r;
                r = marshalled_value(m, type, contents, at);
                if (r < 0)
                        return r;
        }
}

/* The reply's body size as D-Bus marshals it (the header, a few hundred bytes, left out) */
static int reply_size(sd_bus_message *m, size_t *ret) {
        size_t at = 0;
        int r;

        r = marshalled_size(m, &at);
        if (r >= 0)
                r = sd_bus_message_rewind(m, true);
        *ret = at;
        return r;
}

static double client_cpu_seconds(void) {
        struct rusage ru;

        if (getrusage(RUSAGE_SELF, &ru) < 0)
                return 0;
        return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds so far of netpoold, dbus-daemon and this process */
typedef struct CpuMark {
        double daemon, bus, client;
} CpuMark;

static CpuMark cpu_mark(const HarnessEnv *env) {
        CpuMark m = { .client = client_cpu_seconds() };

        (void) harness_proc_cpu_seconds(env->daemon_pid, &m.daemon);
        (void) harness_proc_cpu_seconds(env->bus.pid, &m.bus);
        return m;
}

/* The CPU spent since A, per one of COUNT operations, in ms */
static BenchCpu cpu_since(const HarnessEnv *env, CpuMark a, unsigned count) {
        CpuMark b = cpu_mark(env);
        double k = count > 0 ? 1e3 / count : 0;

        return (BenchCpu) { (b.daemon - a.daemon) * k, (b.bus - a.bus) * k, (b.client - a.client) * k };
}

/* The Device objects in a GetManagedObjects reply (read untimed, once) */
static int count_devices(sd_bus_message *reply, unsigned *ret) {
        unsigned n = 0;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
        while (r > 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
                const char *path;

                r = sd_bus_message_read(reply, "o", &path);
                if (r < 0)
                        return r;
                n += g_str_has_prefix(path, DEVICE_PATH_PREFIX);
                r = sd_bus_message_skip(reply, "a{sa{sv}}");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return r;
        *ret = n;
        return sd_bus_message_exit_container(reply);
}

/* GetManagedObjects of /org/netpool1, CALLS times: round trip p50 and max, the reply's size, the CPU per call */
static int measure_managed_objects(sd_bus *bus, const HarnessEnv *env, BenchDevicesResult *res,
                                   char **ret_message) {
        g_autoptr(GArray) ms = g_array_new(false, false, sizeof(double));
        unsigned calls = res->n >= 32768 ? 5 : res->n >= 4096 ? 11 : 21;
        CpuMark mark = cpu_mark(env);

        for (unsigned i = 0; i < calls; i++) {
                g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
                g_autoptr(sd_bus_message) reply = NULL;
                double t0 = harness_now(), d;
                int r;

                r = sd_bus_call_method(bus, BENCH_BUS_NAME, BENCH_MANAGER_PATH, OBJECT_MANAGER_IFACE,
                                       "GetManagedObjects", &error, &reply, NULL);
                d = (harness_now() - t0) * 1e3;
                if (r < 0)
                        return bench_bus_failed("GetManagedObjects", &error, r, ret_message);
                g_array_append_val(ms, d);
                res->gmo_max_ms = MAX(res->gmo_max_ms, d);
                if (i > 0)
                        continue;
                r = reply_size(reply, &res->gmo_bytes);
                if (r >= 0)
                        r = count_devices(reply, &res->objects);
                if (r < 0) {
                        *ret_message = g_strdup_printf("cannot read the GetManagedObjects reply: %s", strerror(-r));
                        return r;
                }
                mark.client = client_cpu_seconds();     /* reading the reply is not the call's */
        }
        res->gmo_cpu = cpu_since(env, mark, calls);
        res->gmo = bench_stats(ms);
        return 0;
}

static int on_interfaces_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        SignalCount *c = userdata;
        const char *path;

        if (!sd_bus_message_is_signal(m, OBJECT_MANAGER_IFACE, c->member) || sd_bus_message_read(m, "o", &path) < 0)
                return 0;
        if (g_str_has_prefix(path, DEVICE_PATH_PREFIX) && ++c->seen == c->want)
                c->last = harness_now();
        return 0;
}

static int run_generator(const HarnessEnv *env, unsigned vfs, char **ret_message) {
        g_autofree char *count = g_strdup_printf("%u", vfs);
        const char *simhost = harness_path("NETPOOL_SIMHOST", BENCH_SIMHOST);
        char *argv[] = { (char *) simhost, env->sim, "--quiet", "--set-numvfs", (char *) RESIZED_PF, count, NULL };
        g_autoptr(GError) gerror = NULL;
        g_autofree char *err = NULL;
        int status;

        if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &gerror)) {
                *ret_message = g_strdup_printf("cannot run %s: %s", simhost, gerror->message);
                return -ENOENT;
        }
        if (!g_spawn_check_wait_status(status, NULL)) {
                *ret_message = g_strdup_printf("netpool-simhost --set-numvfs: %s", g_strstrip(err));
                return -EIO;
        }
        return 0;
}

/**
 * one_change() - the resized PF to VFS VFs by the generator; the time from its exit (sriov_numvfs written, as
 * the kernel's write returns once the VFs exist or are gone) until the WANT-th InterfacesAdded/Removed of a
 * Device object arrives on WATCH
 */
static int one_change(sd_bus *watch, const HarnessEnv *env, unsigned vfs, SignalCount *count, double *ret_ms,
                      double *ret_generator_ms, char **ret_message) {
        double t0 = harness_now(), t_exit, deadline;
        int r;

        r = run_generator(env, vfs, ret_message);
        if (r < 0)
                return r;
        t_exit = harness_now();
        deadline = t_exit + SIGNAL_WAIT_S;
        while (count->seen < count->want) {
                r = sd_bus_process(watch, NULL);
                if (r < 0) {
                        *ret_message = g_strdup_printf("reading the signals: %s", strerror(-r));
                        return r;
                }
                if (r > 0)
                        continue;
                if (harness_now() >= deadline) {
                        *ret_message = g_strdup_printf("numvfs %u: %u of %u %s signals in %.0f s", vfs, count->seen,
                                                       count->want, count->member, SIGNAL_WAIT_S);
                        return -ETIMEDOUT;
                }
                (void) sd_bus_wait(watch, 100 * 1000);
        }
        *ret_ms = (count->last - t_exit) * 1e3;
        *ret_generator_ms = (t_exit - t0) * 1e3;
        return 0;
}

/* ROUNDS times: the PF of 128 VFs to none (128 objects removed), and back (128 added) */
static int measure_numvfs(const HarnessEnv *env, unsigned rounds, BenchDevicesResult *res, char **ret_message) {
        g_autoptr(sd_bus) watch = NULL;
        g_autoptr(GArray) removed = g_array_new(false, false, sizeof(double));
        g_autoptr(GArray) added = g_array_new(false, false, sizeof(double));
        g_autoptr(GArray) generator = g_array_new(false, false, sizeof(double));
        SignalCount rm = { .member = "InterfacesRemoved" }, add = { .member = "InterfacesAdded" };
        unsigned per_pf = MIN(res->n, BENCH_VFS_PER_PF);
        CpuMark mark;
        int r;

        r = sd_bus_open_system(&watch);
        if (r < 0)
                return bench_bus_failed("connecting the signal watcher", NULL, r, ret_message);
        r = sd_bus_match_signal(watch, NULL, BENCH_BUS_NAME, BENCH_MANAGER_PATH, OBJECT_MANAGER_IFACE,
                                "InterfacesRemoved", on_interfaces_signal, &rm);
        if (r >= 0)
                r = sd_bus_match_signal(watch, NULL, BENCH_BUS_NAME, BENCH_MANAGER_PATH, OBJECT_MANAGER_IFACE,
                                        "InterfacesAdded", on_interfaces_signal, &add);
        if (r < 0)
                return bench_bus_failed("subscribing to InterfacesAdded/Removed", NULL, r, ret_message);

        mark = cpu_mark(env);
        for (unsigned i = 0; i < rounds; i++) {
                double ms, gen_ms;

                rm.seen = 0;
                rm.want = per_pf;
                r = one_change(watch, env, 0, &rm, &ms, &gen_ms, ret_message);
                if (r < 0)
                        return r;
                g_array_append_val(removed, ms);
                g_array_append_val(generator, gen_ms);
                add.seen = 0;
                add.want = per_pf;
                r = one_change(watch, env, per_pf, &add, &ms, &gen_ms, ret_message);
                if (r < 0)
                        return r;
                g_array_append_val(added, ms);
                g_array_append_val(generator, gen_ms);
        }
        /* the generator's own CPU is its process's, not counted in any of these */
        res->numvfs_cpu = cpu_since(env, mark, 2 * rounds);
        res->numvfs_removed = bench_stats(removed);
        res->numvfs_added = bench_stats(added);
        res->generator = bench_stats(generator);
        return 0;
}

/**
 * bench_devices_one() - one host of N VFs: GetManagedObjects, ROUNDS numvfs changes of a PF of 128 VFs, then
 * netpoold's peak RSS (VmHWM) over all of it
 *
 * Returns: 0 with *res filled, or a negative errno with *ret_message.
 */
int bench_devices_one(unsigned n, unsigned rounds, bool keep, BenchDevicesResult *res, char **ret_message) {
        g_auto(HarnessEnv) env = { .keep = keep };
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *prefix = g_strdup_printf("netpool-bench-devices-n%u", n);
        unsigned expected;
        int r;

        *res = (BenchDevicesResult) { .n = n };
        r = bench_host_up(&env, prefix, "devices ", n, &res->n_pfs, &res->host_build_s, &bus, ret_message);
        if (r < 0)
                return r;

        bench_progress("devices N=%u: activation, Start, GetManagedObjects", n);
        r = bench_activate(bus, &env, &res->start_ready_ms, ret_message);
        if (r >= 0)
                r = bench_network_start(bus, res->n_pfs, false, &res->net_start_ms, ret_message);
        if (r >= 0 && harness_proc_status_kib(env.daemon_pid, "VmHWM", &res->rss_started_kib) < 0)
                res->rss_started_kib = 0;
        if (r >= 0)
                r = measure_managed_objects(bus, &env, res, ret_message);
        expected = n + res->n_pfs;
        if (r >= 0 && res->objects != expected) {
                *ret_message = g_strdup_printf("GetManagedObjects lists %u Device objects, the host has %u PFs "
                                               "and VFs", res->objects, expected);
                r = -EIO;
        }
        if (r >= 0) {
                bench_progress("devices N=%u: %u numvfs changes of %s (128 VFs to 0 and back)", n, 2 * rounds,
                               RESIZED_PF);
                r = measure_numvfs(&env, rounds, res, ret_message);
        }
        if (r >= 0)
                r = harness_proc_status_kib(env.daemon_pid, "VmHWM", &res->rss_peak_kib);
        if (r >= 0)
                r = harness_proc_cpu_seconds(env.daemon_pid, &res->daemon_cpu_s);
        if (r >= 0)
                r = harness_proc_cpu_seconds(env.bus.pid, &res->bus_cpu_s);
        if (r < 0 && !*ret_message)
                *ret_message = g_strdup_printf("cannot read netpoold's or dbus-daemon's /proc: %s", strerror(-r));
        bench_progress("devices N=%u: done, cleaning up", n);
        return r;
}

/* ---- report ---- */

void bench_devices_report_table(const BenchDevicesResult *res, unsigned n_res) {
        printf("\nnetpool-bench --devices: netpoold %s, Device objects on sim hosts (PFs of 128 VFs, a network over "
               "all), %ld CPUs\n\n", NETPOOL_VERSION, sysconf(_SC_NPROCESSORS_ONLN));
        for (unsigned i = 0; i < n_res; i++) {
                const BenchDevicesResult *r = &res[i];

                printf("N=%u (%u PFs, %u Device objects; host built in %.1f s; ready %.1f ms, Start %.1f ms)\n",
                       r->n, r->n_pfs, r->objects, r->host_build_s, r->start_ready_ms, r->net_start_ms);
                printf("  GetManagedObjects p50 / max (ms):              %.1f / %.1f (%zu KiB, %u calls)\n",
                       r->gmo.p50, r->gmo_max_ms, r->gmo_bytes / 1024, r->gmo.n);
                printf("    CPU per call (ms): netpoold %.1f, dbus-daemon %.1f, client %.1f\n", r->gmo_cpu.daemon_ms,
                       r->gmo_cpu.bus_ms, r->gmo_cpu.client_ms);
                printf("  numvfs 128 -> 0, last InterfacesRemoved p50 / max (ms): %.1f / %.1f\n",
                       r->numvfs_removed.p50, r->numvfs_removed.p99);
                printf("  numvfs 0 -> 128, last InterfacesAdded p50 / max (ms):   %.1f / %.1f\n", r->numvfs_added.p50,
                       r->numvfs_added.p99);
                printf("    CPU per change (ms): netpoold %.1f, dbus-daemon %.1f; the generator ran %.1f ms p50\n",
                       r->numvfs_cpu.daemon_ms, r->numvfs_cpu.bus_ms, r->generator.p50);
                printf("  netpoold peak RSS, VmHWM (KiB): %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " after Start); "
                       "CPU in all (s): netpoold %.2f, dbus-daemon %.2f\n\n", r->rss_peak_kib, r->rss_started_kib,
                       r->daemon_cpu_s, r->bus_cpu_s);
        }
}

void bench_devices_report_json(const BenchDevicesResult *res, unsigned n_res) {
        for (unsigned i = 0; i < n_res; i++) {
                const BenchDevicesResult *r = &res[i];

                printf("{\"mode\":\"devices\",\"n\":%u,\"pfs\":%u,\"device_objects\":%u,\"start_ready_ms\":%.2f,"
                       "\"net_start_ms\":%.2f,\"gmo_p50_ms\":%.2f,\"gmo_max_ms\":%.2f,\"gmo_bytes\":%zu,"
                       "\"gmo_cpu_ms\":{\"netpoold\":%.2f,\"dbus_daemon\":%.2f,\"client\":%.2f},"
                       "\"numvfs_removed_p50_ms\":%.2f,\"numvfs_removed_max_ms\":%.2f,"
                       "\"numvfs_added_p50_ms\":%.2f,\"numvfs_added_max_ms\":%.2f,\"numvfs_changes\":%u,"
                       "\"numvfs_cpu_ms\":{\"netpoold\":%.2f,\"dbus_daemon\":%.2f},\"generator_p50_ms\":%.2f,"
                       "\"rss_started_kib\":%" G_GUINT64_FORMAT ",\"rss_peak_kib\":%" G_GUINT64_FORMAT ","
                       "\"netpoold_cpu_s\":%.2f,\"dbus_daemon_cpu_s\":%.2f,\"errors\":0}\n",
                       r->n, r->n_pfs, r->objects, r->start_ready_ms, r->net_start_ms, r->gmo.p50, r->gmo_max_ms,
                       r->gmo_bytes, r->gmo_cpu.daemon_ms, r->gmo_cpu.bus_ms, r->gmo_cpu.client_ms,
                       r->numvfs_removed.p50, r->numvfs_removed.p99, r->numvfs_added.p50, r->numvfs_added.p99,
                       r->numvfs_removed.n + r->numvfs_added.n, r->numvfs_cpu.daemon_ms, r->numvfs_cpu.bus_ms,
                       r->generator.p50, r->rss_started_kib, r->rss_peak_kib, r->daemon_cpu_s, r->bus_cpu_s);
        }
        fflush(stdout);
}
