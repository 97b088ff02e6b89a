/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-load: concurrent Allocate/Release clients on a 256-VF hostdev network, a checker beside them */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "load.h"

static int arg_clients = 32;
static int arg_cycles = 10000;
static int arg_vfs = 256;
static int arg_pfs = 2;
static int arg_interval_ms = 200;
static int arg_warmup_percent = 10;
static int arg_rss_bound_kib = 2048;
static int arg_rss_bound_percent = 10;
static gboolean arg_tap = false;
static gboolean arg_keep = false;

static const GOptionEntry option_entries[] = {
        { "clients", 'c', 0, G_OPTION_ARG_INT, &arg_clients, "client processes (default 32)", "N" },
        { "cycles", 'n', 0, G_OPTION_ARG_INT, &arg_cycles, "Allocate/Release cycles per client (default 10000)",
          "N" },
        { "vfs", 0, 0, G_OPTION_ARG_INT, &arg_vfs, "VFs in the pool (default 256)", "N" },
        { "pfs", 0, 0, G_OPTION_ARG_INT, &arg_pfs, "PFs the VFs are split over (default 2)", "N" },
        { "interval-ms", 0, 0, G_OPTION_ARG_INT, &arg_interval_ms, "checker period (default 200)", "MS" },
        { "warmup-percent", 0, 0, G_OPTION_ARG_INT, &arg_warmup_percent,
          "share of the cycles before RSS must stay flat (default 10)", "P" },
        { "rss-bound-kib", 0, 0, G_OPTION_ARG_INT, &arg_rss_bound_kib,
          "RSS growth allowed after warm-up, KiB (default 2048) ...", "KIB" },
        { "rss-bound-percent", 0, 0, G_OPTION_ARG_INT, &arg_rss_bound_percent,
          "... or this share of the first post-warm-up sample, whichever is larger (default 10)", "P" },
        { "tap", 0, 0, G_OPTION_ARG_NONE, &arg_tap, "TAP output (the meson test)", NULL },
        { "keep", 0, 0, G_OPTION_ARG_NONE, &arg_keep, "keep the run's directory (bus log, sim host, state)",
          NULL },
        {}
};

/* where a signal tells every process (they share the mapping and inherit the handler) to wind down */
static LoadShared *interrupt_target;

static void on_interrupt(int sig) {
        if (interrupt_target)
                atomic_store(&interrupt_target->interrupted, 1);
}

/* Ctrl-C or a SIGTERM ends the run cleanly: each client finishes the cycle it is in (releasing its port), the
 * report says the run was cut short, and the bus, the daemon and the directory are cleaned up. */
static void catch_interrupts(LoadShared *shared) {
        struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = SA_RESTART };

        interrupt_target = shared;
        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGTERM, &sa, NULL);
}

static void *map_shared(size_t size) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

        return p == MAP_FAILED ? NULL : p;
}

static int create_network(sd_bus *bus, const LoadHost *h, char **ret_path, char **ret_message) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autofree char *xml = load_host_network_xml(h);
        const char *path;
        int r;

        r = sd_bus_call_method(bus, LOAD_BUS_NAME, LOAD_MANAGER_PATH, LOAD_MANAGER_IFACE, "CreateNetwork", &error,
                               &reply, "st", xml, UINT64_C(0));
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0) {
                *ret_message = g_strdup_printf("CreateNetwork: %s", error.message ?: strerror(-r));
                return r;
        }
        *ret_path = g_strdup(path);
        return 0;
}

static pid_t fork_child(void) {
        pid_t pid = fork();

        if (pid < 0)
                fprintf(stderr, "netpool-load: fork: %s\n", strerror(errno));
        return pid;
}

static bool wait_clean_exit(pid_t pid) {
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return false;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The clients and the checker, each a process; returns when all clients are done and the checker has
 * finished its last window. */
static int run_load(LoadRun *run, const char *network_path) {
        g_autofree pid_t *clients = g_new0(pid_t, arg_clients);
        pid_t checker;

        checker = fork_child();
        if (checker < 0)
                return -errno;
        if (checker == 0) {
                load_checker_run(run->host, run->shared, run->daemon_pid,
                                 run->total_cycles * run->warmup_percent / 100, arg_interval_ms / 1000.0);
                _exit(0);
        }
        run->start = harness_now();
        for (int c = 0; c < arg_clients; c++) {
                clients[c] = fork_child();
                if (clients[c] == 0) {
                        LoadClientSpec spec = {
                                .id = (unsigned) c,
                                .cycles = (unsigned) arg_cycles,
                                .network_path = network_path,
                                .host = run->host,
                                .shared = run->shared,
                                .alloc_us = run->alloc_us + (size_t) c * arg_cycles,
                                .release_us = run->release_us + (size_t) c * arg_cycles,
                        };

                        _exit(load_client_run(&spec) < 0 ? 1 : 0);
                }
                if (clients[c] < 0) {
                        /* the others still run to the end; this client's cycles count as not done */
                        load_tally_error(&run->shared->clients[c].tally, "local.fork", strerror(errno));
                }
        }
        for (int c = 0; c < arg_clients; c++)
                if (clients[c] > 0 && !wait_clean_exit(clients[c]))
                        load_tally_error(&run->shared->clients[c].tally, "local.client-died",
                                         "the client process died or could not reach the bus");
        run->wall = harness_now() - run->start;
        atomic_store(&run->shared->stop, 1);
        if (!wait_clean_exit(checker))
                load_tally_violation(&run->end, LOAD_V_CHECKER_CALL, "the checker process died");
        return 0;
}

/* What must hold once the clients are done: no port left, every device free, every VF as it was, the
 * same netpoold as at the start. */
static void check_end(LoadRun *run, sd_bus *bus, const char *network_path) {
        LoadTally *t = &run->end;
        g_auto(LoadPortList) ports = {};
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        const char *id, *netdev, *pci, *pf, *state, *port;
        int32_t index;
        uint32_t connections;
        pid_t pid = 0;
        int r;

        if (harness_bus_owner_pid(bus, LOAD_BUS_NAME, &pid) < 0 || pid != run->daemon_pid)
                load_tally_violation(t, LOAD_V_DAEMON_RESTARTED, "netpoold was pid %d at the start, is %d now",
                                     (int) run->daemon_pid, (int) pid);
        r = load_list_ports(bus, &ports, &error);
        if (r < 0)
                load_tally_violation(t, LOAD_V_PORTS_LEFT, "ListPorts failed: %s", error.message ?: strerror(-r));
        else if (ports.n > 0)
                load_tally_violation(t, LOAD_V_PORTS_LEFT, "%u ports still listed, the first %s on %s", ports.n,
                                     ports.ports[0].uuid, ports.ports[0].device);

        sd_bus_error_free(&error);
        r = sd_bus_call_method(bus, LOAD_BUS_NAME, network_path, LOAD_NETWORK_IFACE, "GetDevices", &error,
                               &reply, "t", UINT64_C(0));
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(ssssisus)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ssssisus)", &id, &netdev, &pci, &pf, &index, &state,
                                                   &connections, &port)) > 0)
                if (!g_str_equal(state, "free") || connections != 0 || *port)
                        load_tally_violation(t, LOAD_V_DEVICE_NOT_FREE, "device %s is %s, %u connections, port '%s'",
                                             id, state, connections, port);
        if (r < 0)
                load_tally_violation(t, LOAD_V_DEVICE_NOT_FREE, "GetDevices failed: %s",
                                     error.message ?: strerror(-r));

        for (unsigned i = 0; i < run->host->n_vfs; i++) {
                const LoadVf *vf = &run->host->vfs[i];
                LoadVfState now;
                char a[160], b[160];

                r = load_vf_read(vf, &now);
                if (r < 0) {
                        load_tally_violation(t, LOAD_V_VF_NOT_RESTORED, "VF %s: cannot read its state: %s",
                                             vf->bdf, strerror(-r));
                        continue;
                }
                if (load_vf_state_equal(&now, &vf->original))
                        continue;
                load_vf_state_format(&vf->original, a, sizeof(a));
                load_vf_state_format(&now, b, sizeof(b));
                load_tally_violation(t, LOAD_V_VF_NOT_RESTORED, "VF %s was %s, is %s", vf->bdf, a, b);
        }

        /* the last RSS sample, after the load */
        if (run->shared->check.n_rss < LOAD_MAX_RSS)
                run->shared->check.rss[run->shared->check.n_rss++] = (LoadRssSample) {
                        .t = harness_now() - run->start,
                        .cycles = atomic_load(&run->shared->cycles_done),
                        .kib = load_rss_kib(run->daemon_pid),
                };
}

static int skip(const char *reason) {
        if (arg_tap) {
                printf("1..0 # SKIP %s\n", reason);
                return 0;
        }
        fprintf(stderr, "netpool-load: skipped: %s\n", reason);
        return 77;
}

static int fail_setup(const char *message) {
        if (arg_tap)
                printf("not ok 1 - setup: %s\n1..1\n", message);
        fprintf(stderr, "netpool-load: %s\n", message);
        return 1;
}

static int parse_options(int argc, char **argv) {
        g_autoptr(GOptionContext) context = g_option_context_new("- load test of netpoold's ports");
        g_autoptr(GError) gerror = NULL;

        g_option_context_add_main_entries(context, option_entries, NULL);
        g_option_context_set_description(context,
                "Makes a sim host with --vfs VFs, a private bus that activates the built netpoold, a hostdev\n"
                "network over the PFs, then runs --clients processes of --cycles Allocate/Release pairs each\n"
                "while a checker reads ListPorts and the sim's vfstate. Exits 1 on any violation, 77 when it\n"
                "cannot run here (not root, no dbus-daemon).");
        if (!g_option_context_parse(context, &argc, &argv, &gerror)) {
                fprintf(stderr, "netpool-load: %s\n", gerror->message);
                return -EINVAL;
        }
        if (arg_clients < 1 || arg_clients > LOAD_MAX_CLIENTS || arg_cycles < 1 || arg_cycles >= (1 << 24) ||
            arg_interval_ms < 10 || arg_warmup_percent < 0 || arg_warmup_percent > 90) {
                fprintf(stderr, "netpool-load: --clients 1-%d, --cycles 1-%d, --interval-ms >= 10, "
                        "--warmup-percent 0-90\n", LOAD_MAX_CLIENTS, (1 << 24) - 1);
                return -EINVAL;
        }
        return 0;
}

int main(int argc, char **argv) {
        const char *netpoold = harness_path("NETPOOLD", LOAD_NETPOOLD);
        const char *simhost = harness_path("NETPOOL_SIMHOST", LOAD_SIMHOST);
        g_auto(HarnessEnv) env = {};
        g_auto(LoadHost) host = {};
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *message = NULL, *network_path = NULL, *dbus_daemon = NULL;
        size_t latencies;
        LoadRun run = {};
        int r;

        if (parse_options(argc, argv) < 0)
                return 2;
        if (geteuid() != 0)
                return skip("needs root (uid 0 is authorized without polkit; the private bus has none)");
        dbus_daemon = g_find_program_in_path("dbus-daemon");
        if (!dbus_daemon)
                return skip("no dbus-daemon");

        env.keep = arg_keep;
        r = harness_env_make_dir(&env, "netpool-load", &message);
        if (r >= 0)
                r = load_host_build(&host, simhost, env.sim, (unsigned) arg_pfs, (unsigned) arg_vfs, &message);
        if (r >= 0)
                r = harness_env_start_bus(&env, netpoold, &message);
        if (r >= 0 && (r = sd_bus_open_system(&bus)) < 0)
                message = g_strdup_printf("cannot connect to the private bus: %s", strerror(-r));
        if (r >= 0)
                r = create_network(bus, &host, &network_path, &message);
        if (r >= 0 && (r = harness_bus_owner_pid(bus, LOAD_BUS_NAME, &env.daemon_pid)) < 0)
                message = g_strdup_printf("cannot get netpoold's pid: %s", strerror(-r));
        if (r < 0)
                return fail_setup(message);

        /* the originals, as the sim holds them with the network started: that is what must come back */
        for (unsigned i = 0; i < host.n_vfs; i++)
                if (load_vf_read(&host.vfs[i], &host.vfs[i].original) < 0)
                        return fail_setup("cannot read the VFs' original state");

        run = (LoadRun) {
                .host = &host,
                .clients = (unsigned) arg_clients,
                .cycles = (unsigned) arg_cycles,
                .total_cycles = (uint64_t) arg_clients * arg_cycles,
                .daemon_pid = env.daemon_pid,
                .rss_start = load_rss_kib(env.daemon_pid),
                .warmup_percent = (unsigned) arg_warmup_percent,
                .rss_bound_kib = (uint64_t) arg_rss_bound_kib,
                .rss_bound_percent = (unsigned) arg_rss_bound_percent,
                .tap = arg_tap,
        };
        latencies = run.total_cycles * sizeof(uint32_t);
        run.shared = map_shared(sizeof(LoadShared));
        run.alloc_us = map_shared(latencies);
        run.release_us = map_shared(latencies);
        if (!run.shared || !run.alloc_us || !run.release_us)
                return fail_setup("cannot map the shared memory");
        memset(run.alloc_us, 0xff, latencies);         /* LOAD_NO_LATENCY until a call answers */
        memset(run.release_us, 0xff, latencies);

        catch_interrupts(run.shared);
        /* the checker's judgement on planted windows first: a checker that sees nothing proves nothing */
        run.self_test_failures = load_check_self_test(&host, run.self_test_note,
                                                      sizeof(run.self_test_note));
        r = run_load(&run, network_path);
        if (r < 0)
                return fail_setup("cannot start the client processes");
        check_end(&run, bus, network_path);
        r = load_report(&run);

        munmap(run.shared, sizeof(LoadShared));
        munmap(run.alloc_us, latencies);
        munmap(run.release_us, latencies);
        return r;
}
