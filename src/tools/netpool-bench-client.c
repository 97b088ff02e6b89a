/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench clients: forked processes, each with its own connection, doing Allocate+Release pairs */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "tools/netpool-bench.h"

const unsigned bench_concurrency[BENCH_CONCURRENCY_LEVELS] = { 1, 4, 16 };
const char *const bench_proc_name[BENCH_N_PROCS] = { "netpoold", "dbus-daemon", "libvirtd", "clients" };
const char *const bench_transport_name[BENCH_N_TRANSPORTS] = { "bus", "private" };
const char *const bench_transport_title[BENCH_N_TRANSPORTS] = { "the bus", "the private socket" };

/* stop a client that does nothing but fail (the daemon is gone, say) */
#define MAX_ERRORS_IN_A_ROW 100

typedef struct ClientSlot {
        uint64_t pairs;
        uint64_t errors;
        char first_error[256];
        int connected;                          /* 1 connected, -1 could not */
} ClientSlot;

/* One MAP_SHARED mapping, made before the forks */
typedef struct Shared {
        _Atomic unsigned ready;
        _Atomic int go;
        _Atomic int stop;                       /* the run was called off before the go */
        double deadline;
        ClientSlot slot[BENCH_MAX_CLIENTS];
        unsigned n_samples;
        uint32_t alloc_us[BENCH_MAX_SAMPLES];
        uint32_t release_us[BENCH_MAX_SAMPLES];
        uint32_t pair_us[BENCH_MAX_SAMPLES];
} Shared;

void bench_run_result_clear(BenchRunResult *r) {
        g_clear_pointer(&r->alloc_us, g_array_unref);
        g_clear_pointer(&r->release_us, g_array_unref);
        g_clear_pointer(&r->pair_us, g_array_unref);
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

/* Nearest-rank percentiles */
BenchStats bench_stats(GArray *samples) {
        BenchStats s = { .n = samples ? samples->len : 0 };

        if (s.n == 0)
                return s;
        g_array_sort(samples, compare_double);
        s.p50 = g_array_index(samples, double, (s.n - 1) / 2);
        s.p99 = g_array_index(samples, double, MIN(s.n - 1, (unsigned) (0.99 * s.n)));
        return s;
}

/* The identity of cycle I of client C in run R: unique across the whole program run */
static void port_make(BenchPort *p, unsigned run, unsigned client, uint64_t i) {
        *p = (BenchPort) {
                .vlan = 1 + (unsigned) ((client * 131 + i) % 4094),
                .max_tx_rate = 100 + (unsigned) ((client * 37 + i) % 900),    /* below the sim PFs' link speed */
        };
        snprintf(p->uuid, sizeof(p->uuid), "bec0%04x-%04x-4000-8000-%012" PRIx64, run & 0xffff, client & 0xffff,
                 i & UINT64_C(0xffffffffffff));
        snprintf(p->owner_uuid, sizeof(p->owner_uuid), "bec00000-%04x-4000-8000-0000000000%02x", run & 0xffff,
                 client & 0xff);
        snprintf(p->owner, sizeof(p->owner), "bench-r%u-c%u", run, client);
        snprintf(p->mac, sizeof(p->mac), "52:55:%02x:%02x:%02x:%02x", run & 0xff, client & 0xff,
                 (unsigned) (i >> 8) & 0xff, (unsigned) i & 0xff);
}

static uint32_t usec_since(double t0, double t1) {
        double us = (t1 - t0) * 1e6;

        return us >= (double) UINT32_MAX ? UINT32_MAX : (uint32_t) us;
}

static void note_error(ClientSlot *slot, const char *what, const char *message) {
        if (slot->errors++ == 0)
                snprintf(slot->first_error, sizeof(slot->first_error), "%s: %s", what, message ?: "?");
}

static int client_main(const BenchTarget *t, const BenchRunSpec *spec, Shared *sh, unsigned id) {
        ClientSlot *slot = &sh->slot[id];
        unsigned in_a_row = 0;
        void *conn = NULL;
        int r;

        {
                g_autofree char *message = NULL;

                r = t->connect(t, &conn, &message);
                if (r < 0) {
                        note_error(slot, "connect", message);
                        slot->connected = -1;
                        atomic_fetch_add(&sh->ready, 1);
                        return r;
                }
        }
        slot->connected = 1;
        atomic_fetch_add(&sh->ready, 1);
        while (!atomic_load(&sh->go))
                g_usleep(200);

        for (uint64_t i = 0; in_a_row < MAX_ERRORS_IN_A_ROW; i++) {
                g_autofree char *message = NULL;
                BenchPort port;
                double t0, t1, t2;

                if (atomic_load(&sh->stop) || (spec->pairs ? i >= spec->pairs : harness_now() >= sh->deadline))
                        break;
                port_make(&port, spec->run_id, id, i);
                t0 = harness_now();
                r = t->allocate(conn, &port, &message);
                t1 = harness_now();
                if (r < 0) {
                        note_error(slot, "allocate", message);
                        in_a_row++;
                        continue;
                }
                if (spec->release) {
                        r = t->release(conn, &port, &message);
                        if (r < 0) {
                                note_error(slot, "release", message);
                                in_a_row++;
                                continue;
                        }
                }
                t2 = harness_now();
                in_a_row = 0;
                slot->pairs++;
                if (spec->record && id == 0 && sh->n_samples < BENCH_MAX_SAMPLES) {
                        sh->alloc_us[sh->n_samples] = usec_since(t0, t1);
                        sh->release_us[sh->n_samples] = usec_since(t1, t2);
                        sh->pair_us[sh->n_samples] = usec_since(t0, t2);
                        sh->n_samples++;
                }
        }
        t->disconnect(conn);
        return 0;
}

static GArray *samples_to_array(const uint32_t *v, unsigned n) {
        GArray *a = g_array_sized_new(false, false, sizeof(double), n);

        for (unsigned i = 0; i < n; i++) {
                double d = v[i];

                g_array_append_val(a, d);
        }
        return a;
}

static void collect(const BenchRunSpec *spec, const Shared *sh, BenchRunResult *ret) {
        for (unsigned c = 0; c < spec->clients; c++) {
                const ClientSlot *slot = &sh->slot[c];

                ret->pairs += slot->pairs;
                if (slot->errors > 0 && ret->errors == 0)
                        g_strlcpy(ret->first_error, slot->first_error, sizeof(ret->first_error));
                ret->errors += slot->errors;
        }
        if (spec->record) {
                ret->alloc_us = samples_to_array(sh->alloc_us, sh->n_samples);
                ret->release_us = samples_to_array(sh->release_us, sh->n_samples);
                ret->pair_us = samples_to_array(sh->pair_us, sh->n_samples);
        }
}

static double rusage_seconds(const struct rusage *ru) {
        return (double) (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
               (double) (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

/* The CPU seconds so far of each watched server; cpu_known[] says which could be read */
static void cpu_mark(const BenchRunSpec *spec, double cpu_s[BENCH_N_PROCS], bool cpu_known[BENCH_N_PROCS]) {
        for (unsigned i = 0; i < BENCH_N_PROCS; i++)
                cpu_known[i] = spec->watch[i] > 0 && harness_proc_cpu_seconds(spec->watch[i], &cpu_s[i]) >= 0;
}

static void cpu_window(const BenchRunSpec *spec, const double before[BENCH_N_PROCS],
                       const bool known_before[BENCH_N_PROCS], BenchRunResult *ret) {
        double after[BENCH_N_PROCS] = {};
        bool known_after[BENCH_N_PROCS] = {};

        cpu_mark(spec, after, known_after);
        for (unsigned i = 0; i < BENCH_N_PROCS; i++) {
                if (i == BENCH_PROC_CLIENTS)
                        continue;
                ret->cpu_known[i] = known_before[i] && known_after[i];
                ret->cpu_s[i] = ret->cpu_known[i] ? after[i] - before[i] : 0;
        }
}

/* µs per completed pair; negative where unknown or no pair completed */
BenchCpuPerPair bench_cpu_per_pair(const BenchRunResult *run) {
        BenchCpuPerPair c;

        for (unsigned i = 0; i < BENCH_N_PROCS; i++)
                c.us[i] = run->cpu_known[i] && run->pairs > 0 ? run->cpu_s[i] * 1e6 / (double) run->pairs : -1;
        return c;
}

static void wait_clients(const BenchRunSpec *spec, const pid_t *pids, Shared *sh, BenchRunResult *ret) {
        bool any = false;

        for (unsigned c = 0; c < spec->clients; c++) {
                struct rusage ru;
                int status;

                if (pids[c] <= 0)
                        continue;
                while (wait4(pids[c], &status, 0, &ru) < 0 && errno == EINTR)
                        ;
                ret->cpu_s[BENCH_PROC_CLIENTS] += rusage_seconds(&ru);
                any = true;
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        note_error(&sh->slot[c], "client", "the client process failed or died");
        }
        ret->cpu_known[BENCH_PROC_CLIENTS] = any;
}

/**
 * bench_run_clients() - SPEC->clients processes, each connected to T before any starts, then all let go at once;
 * each does SPEC->pairs pairs (or as many as fit in SPEC->duration), one after the other. The CPU time of the
 * servers in SPEC->watch is read right before the go and after the last client's end, the clients' own (their
 * whole life, connecting included) from their rusage.
 *
 * Returns: 0 with *ret filled (errors of the calls are counted there), or a negative errno when the
 * clients could not be run at all.
 */
int bench_run_clients(const BenchTarget *t, const BenchRunSpec *spec, BenchRunResult *ret, char **ret_message) {
        g_autofree pid_t *pids = NULL;
        Shared *sh;
        double start, cpu_before[BENCH_N_PROCS] = {};
        bool cpu_known_before[BENCH_N_PROCS] = {};
        unsigned started = 0;
        int r = 0;

        if (spec->clients == 0 || spec->clients > BENCH_MAX_CLIENTS) {
                *ret_message = g_strdup_printf("%u clients: 1 to %u", spec->clients, BENCH_MAX_CLIENTS);
                return -EINVAL;
        }
        sh = mmap(NULL, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (sh == MAP_FAILED) {
                *ret_message = g_strdup_printf("mmap: %s", strerror(errno));
                return -ENOMEM;
        }
        pids = g_new0(pid_t, spec->clients);
        fflush(NULL);
        for (unsigned c = 0; c < spec->clients; c++) {
                pids[c] = fork();
                if (pids[c] == 0)
                        _exit(client_main(t, spec, sh, c) < 0 ? 1 : 0);
                if (pids[c] < 0) {
                        note_error(&sh->slot[c], "fork", strerror(errno));
                        atomic_fetch_add(&sh->ready, 1);
                } else
                        started++;
        }
        /* everyone connected (or failed to): the measurement starts now, for all at once */
        for (int i = 0; i < 60000 && atomic_load(&sh->ready) < spec->clients; i++)
                g_usleep(1000);
        if (spec->before_go)
                r = spec->before_go(spec->userdata, ret_message);
        if (r < 0)
                atomic_store(&sh->stop, 1);
        cpu_mark(spec, cpu_before, cpu_known_before);
        start = harness_now();
        sh->deadline = start + spec->duration;
        atomic_store(&sh->go, 1);
        wait_clients(spec, pids, sh, ret);
        ret->wall = harness_now() - start;
        cpu_window(spec, cpu_before, cpu_known_before, ret);
        collect(spec, sh, ret);
        (void) munmap(sh, sizeof(Shared));
        if (r < 0)
                return r;
        if (started == 0) {
                *ret_message = g_strdup(ret->first_error);
                return -ECHILD;
        }
        return 0;
}

/* ---- netpoold over sd-bus: through the bus, or peer to peer on its private socket ---- */

static int netpool_connect_private(const char *socket, sd_bus **ret_bus, char **ret_message) {
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *address = g_strdup_printf("unix:path=%s", socket);
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot connect to netpoold's private socket %s: %s%s", socket,
                                               strerror(-r), r == -ENOENT ? " (a netpoold without the private "
                                               "socket of dbus-api.md?)" : "");
                return r;
        }
        *ret_bus = g_steal_pointer(&bus);
        return 0;
}

static int netpool_connect(const BenchTarget *t, void **ret_conn, char **ret_message) {
        sd_bus *bus = NULL;
        int r;

        if (t->socket) {
                r = netpool_connect_private(t->socket, &bus, ret_message);
                if (r < 0)
                        return r;
        } else {
                r = sd_bus_open_system(&bus);
                if (r < 0) {
                        *ret_message = g_strdup_printf("cannot connect to the bus: %s", strerror(-r));
                        return r;
                }
        }
        /* a Start or GetXML of 32768 VFs takes long; the bench measures, it does not time out */
        (void) sd_bus_set_method_call_timeout(bus, UINT64_C(600) * 1000 * 1000);
        *ret_conn = bus;
        return 0;
}

/* A peer-to-peer connection has no bus to route by name: no destination there */
static const char *destination(sd_bus *bus) {
        return sd_bus_is_bus_client(bus) > 0 ? BENCH_BUS_NAME : NULL;
}

static int call_failed(const sd_bus_error *error, int r, char **ret_message) {
        *ret_message = sd_bus_error_is_set(error) ? g_strdup_printf("%s: %s", error->name, error->message)
                                                  : g_strdup(strerror(-r));
        return r;
}

void bench_netpool_port_xml(const BenchPort *p, char *buf, size_t size) {
        snprintf(buf, size,
                 "<networkport>\n  <uuid>%s</uuid>\n  <owner>\n    <name>%s</name>\n    <uuid>%s</uuid>\n"
                 "  </owner>\n  <mac address='%s'/>\n  <vlan><tag id='%u'/></vlan>\n"
                 "  <netpool:vf xmlns:netpool='urn:netpool:xml:1' trust='yes' max-tx-rate='%u'/>\n"
                 "</networkport>\n", p->uuid, p->owner, p->owner_uuid, p->mac, p->vlan, p->max_tx_rate);
}

static int netpool_allocate(void *conn, BenchPort *p, char **ret_message) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        char xml[768];
        int r;

        bench_netpool_port_xml(p, xml, sizeof(xml));
        r = sd_bus_call_method(conn, destination(conn), bench_netpool_target.address, BENCH_NETWORK_IFACE,
                               "Allocate", &error, &reply, "st", xml, UINT64_C(0));
        return r < 0 ? call_failed(&error, r, ret_message) : 0;
}

static int netpool_release(void *conn, BenchPort *p, char **ret_message) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(conn, destination(conn), bench_netpool_target.address, BENCH_NETWORK_IFACE,
                               "Release", &error, NULL, "st", p->uuid, UINT64_C(0));
        return r < 0 ? call_failed(&error, r, ret_message) : 0;
}

static void netpool_disconnect(void *conn) {
        sd_bus_flush_close_unref(conn);
}

/* The network's path is fixed: BENCH_NETWORK_NAME needs no escaping */
const BenchTarget bench_netpool_target = {
        .name = "netpool",
        .connect = netpool_connect,
        .allocate = netpool_allocate,
        .release = netpool_release,
        .disconnect = netpool_disconnect,
        .address = "/org/netpool1/network/" BENCH_NETWORK_NAME,
};
