/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench: what its parts (environment, clients, libvirt, report) share */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "testlib/harness.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus, sd_bus_flush_close_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_message, sd_bus_message_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sd_bus_error, sd_bus_error_free)

#define BENCH_BUS_NAME "org.netpool1"
#define BENCH_MANAGER_PATH "/org/netpool1"
#define BENCH_MANAGER_IFACE "org.netpool1.Manager"
#define BENCH_NETWORK_IFACE "org.netpool1.Network"
#define BENCH_NETWORK_NAME "bench"

#define BENCH_VFS_PER_PF 128u
#define BENCH_MAX_PFS 256u
#define BENCH_MAX_CLIENTS 64u
#define BENCH_CONCURRENCY_LEVELS 3
#define BENCH_MAX_SAMPLES 400000u

extern const unsigned bench_concurrency[BENCH_CONCURRENCY_LEVELS];     /* 1, 4, 16 */

/* The processes whose CPU time a window of pairs is charged with: the servers by /proc/PID/stat, the clients by
 * their rusage when they end */
typedef enum BenchProc {
        BENCH_PROC_NETPOOLD,
        BENCH_PROC_DBUS_DAEMON,
        BENCH_PROC_LIBVIRTD,
        BENCH_PROC_CLIENTS,
        BENCH_N_PROCS,
} BenchProc;

extern const char *const bench_proc_name[BENCH_N_PROCS];       /* "netpoold", "dbus-daemon", … */

/* How the clients reach netpoold: through the bus, or peer to peer on STATE/private (dbus-api.md) */
typedef enum BenchTransport {
        BENCH_TRANSPORT_BUS,
        BENCH_TRANSPORT_PRIVATE,
        BENCH_N_TRANSPORTS,
} BenchTransport;

extern const char *const bench_transport_name[BENCH_N_TRANSPORTS];   /* "bus", "private" */
extern const char *const bench_transport_title[BENCH_N_TRANSPORTS];  /* "the bus", "the private socket" */

/* ---- the sim host (netpool-bench-host.c); the directory and the bus are the harness's (src/testlib) ---- */

int bench_host_build(const HarnessEnv *e, const char *simhost, unsigned n_vfs, unsigned *ret_n_pfs,
                     char **ret_message);
char *bench_host_network_xml(unsigned n_pfs, bool hostdev);

/* "WHAT: the bus error's message (or r's)" into *ret_message; returns r (-EIO for r ≥ 0) */
int bench_bus_failed(const char *what, const sd_bus_error *error, int r, char **ret_message);
/* The sim host of N VFs built in a new directory named dir_prefix, its private bus started and connected */
int bench_host_up(HarnessEnv *env, const char *dir_prefix, const char *label, unsigned n, unsigned *ret_n_pfs,
                  double *ret_build_s, sd_bus **ret_bus, char **ret_message);
/* Activation by the first Peer.Ping (its time, ms), and netpoold's PID into env */
int bench_activate(sd_bus *bus, HarnessEnv *env, double *ret_ready_ms, char **ret_message);
/* DefineNetwork over every PF (untimed; passthrough, or hostdev managed), then its Start (timed, ms) */
int bench_network_start(sd_bus *bus, unsigned n_pfs, bool hostdev, double *ret_start_ms, char **ret_message);

/* One port allocated with MAC, VLAN, max TX rate and trust: its VF's files in the sim must show them; released */
int bench_check_vf_settings(sd_bus *bus, const HarnessEnv *env, char **ret_message);

/* ---- clients (netpool-bench-client.c): forked processes, each with its own connection ---- */

/* One port of one client: the same identity is used on both sides of the comparison */
typedef struct BenchPort {
        char uuid[37];
        char owner_uuid[37];
        char owner[32];
        char mac[18];
        unsigned vlan;
        unsigned max_tx_rate;                   /* Mbit/s; the port is also trusted */
        void *handle;                           /* what the target needs to release it (libvirt's port) */
} BenchPort;

/* What the clients talk to: netpoold over sd-bus, or libvirt's network driver */
typedef struct BenchTarget {
        const char *name;
        int (*connect)(const struct BenchTarget *t, void **ret_conn, char **ret_message);
        int (*allocate)(void *conn, BenchPort *p, char **ret_message);
        int (*release)(void *conn, BenchPort *p, char **ret_message);
        void (*disconnect)(void *conn);
        const char *address;                    /* netpool: the network's object path; libvirt: the URI */
        const char *network;                    /* libvirt: the network's name */
        const char *socket;                     /* netpool: the private socket's path; NULL: the bus */
} BenchTarget;

extern const BenchTarget bench_netpool_target;

/* The port XML netpoold is given: MAC, VLAN, max TX rate and trust (the VF settings of a lease) */
void bench_netpool_port_xml(const BenchPort *p, char *buf, size_t size);

typedef struct BenchRunSpec {
        unsigned clients;
        unsigned run_id;                        /* part of every UUID and MAC, so that runs never collide */
        uint64_t pairs;                         /* per client; 0: as many as fit in duration */
        double duration;
        bool release;                           /* false: Allocate only (filling the pool) */
        bool record;                            /* keep client 0's round trips */
        pid_t watch[BENCH_N_PROCS];             /* the servers whose CPU the window measures; 0: none */
        /* called once every client is connected, right before they are let go (a profiler attaches there);
         * a failure stops the run */
        int (*before_go)(void *userdata, char **ret_message);
        void *userdata;
} BenchRunSpec;

typedef struct BenchRunResult {
        uint64_t pairs;                         /* completed by all clients */
        uint64_t errors;
        char first_error[256];
        double wall;                            /* from the go to the last client's end */
        double cpu_s[BENCH_N_PROCS];            /* CPU time in the window (the clients': their whole life) */
        bool cpu_known[BENCH_N_PROCS];
        /* client 0's round trips, µs (when spec.record) */
        GArray *alloc_us, *release_us, *pair_us;
} BenchRunResult;

void bench_run_result_clear(BenchRunResult *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(BenchRunResult, bench_run_result_clear)

int bench_run_clients(const BenchTarget *t, const BenchRunSpec *spec, BenchRunResult *ret, char **ret_message);

/* ---- statistics ---- */

typedef struct BenchStats {
        double p50, p99;
        unsigned n;
} BenchStats;

BenchStats bench_stats(GArray *samples);                /* of double; sorts them */

/* CPU µs per pair of each process in a window; negative where the process was not measured */
typedef struct BenchCpuPerPair {
        double us[BENCH_N_PROCS];
} BenchCpuPerPair;

BenchCpuPerPair bench_cpu_per_pair(const BenchRunResult *run);

/* ---- --profile (netpool-bench-profile.c): syscalls per pair, counted by strace -c in a window of its own ---- */

#define BENCH_PROFILE_TOP 10

typedef struct BenchSyscallCount {
        char name[32];
        double per_pair;
        double errors_per_pair;
} BenchSyscallCount;

typedef struct BenchProfile {
        bool ran;
        uint64_t pairs;
        double syscalls_per_pair, errors_per_pair;
        unsigned n_top;
        BenchSyscallCount top[BENCH_PROFILE_TOP];       /* by count, the most first */
} BenchProfile;

bool bench_profile_available(void);
/* A window of one client's pairs (SPEC's count or duration) with strace -c -f attached to PID; its files in DIR */
int bench_profile_window(const BenchTarget *t, const BenchRunSpec *spec, pid_t pid, const char *dir,
                         BenchProfile *ret, char **ret_message);

/* --trace: the pairs whose every syscall is written down */
#define BENCH_TRACE_PAIRS 3
int bench_trace_window(const BenchTarget *t, const BenchRunSpec *spec, pid_t pid, const char *dir, char **ret_path,
                       char **ret_message);

/* ---- --sim-floor (netpool-bench-floor.c): a pair's sim file operations alone ---- */
typedef struct BenchFloorRun {
        uint64_t pairs;
        double syscalls_per_pair, cpu_us_per_pair, pairs_per_s;
} BenchFloorRun;

typedef struct BenchFloor {
        BenchFloorRun atomic;                   /* values written as netpoold writes them */
        BenchFloorRun in_place;                 /* the same written over in place */
} BenchFloor;

int bench_sim_floor(const char *simhost, double seconds, uint64_t pairs, bool keep, BenchFloor *ret,
                    char **ret_message);

/* ---- libvirt (netpool-bench-libvirt.c, or -libvirt-none.c when built without it) ---- */

typedef struct BenchLibvirt {
        char *dir;
        char *uri;
        pid_t pid;
        BenchTarget target;
        bool keep;
} BenchLibvirt;

bool bench_libvirt_available(void);
int bench_libvirt_start(BenchLibvirt *lv, char **ret_message);
void bench_libvirt_clear(BenchLibvirt *lv);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(BenchLibvirt, bench_libvirt_clear)

/* ---- results and report (netpool-bench-report.c) ---- */

/* The pairs of one transport: throughput and CPU per concurrency level, and the profile window */
typedef struct BenchTransportResult {
        bool ran;
        double pairs_per_s[BENCH_CONCURRENCY_LEVELS];
        BenchCpuPerPair cpu[BENCH_CONCURRENCY_LEVELS];
        BenchProfile profile;
} BenchTransportResult;

typedef struct BenchResult {
        unsigned n;
        const char *forward;                    /* the network's forward mode: "passthrough" or "hostdev" */
        BenchStats ping, alloc, release, pair;  /* over the first transport measured */
        BenchTransportResult transport[BENCH_N_TRANSPORTS];
        bool vf_settings_checked;               /* a port's MAC, VLAN, rate and trust found in the sim's files */
        double start_ready_ms;
        double net_start_ms;
        double getxml_p50_ms;
        size_t getxml_bytes;
        uint64_t rss_peak_kib;
        uint64_t rss_now_kib;
        unsigned ports_held;                    /* when the RSS was read */
        double fill_s;
        double host_build_s;
        uint64_t errors;
        char first_error[256];
} BenchResult;

typedef struct BenchLibvirtResult {
        bool ran;
        char why_not[256];
        BenchStats pair;
        BenchTransportResult pairs;             /* pairs_per_s, cpu and profile (of libvirtd) */
        uint64_t errors;
        char first_error[256];
} BenchLibvirtResult;

void bench_report_table(const BenchResult *res, unsigned n_res, const BenchLibvirtResult *lv, bool vs_libvirt);
void bench_report_json(const BenchResult *res, unsigned n_res, const BenchLibvirtResult *lv, bool vs_libvirt);

/* progress lines on stderr (netpool-bench.c) */
void bench_progress(const char *format, ...) G_GNUC_PRINTF(1, 2);

/* ---- --devices (netpool-bench-devices.c): the Device objects of issue 20 ---- */

/* CPU spent per operation, ms */
typedef struct BenchCpu {
        double daemon_ms, bus_ms, client_ms;
} BenchCpu;

typedef struct BenchDevicesResult {
        unsigned n, n_pfs;
        unsigned objects;                       /* Device objects GetManagedObjects lists */
        double host_build_s, start_ready_ms, net_start_ms;
        BenchStats gmo;                         /* GetManagedObjects round trips, ms */
        double gmo_max_ms;
        size_t gmo_bytes;
        BenchCpu gmo_cpu;                       /* per call */
        BenchStats numvfs_removed, numvfs_added;        /* generator's exit to the last signal, ms */
        BenchStats generator;                   /* the generator's run, ms */
        BenchCpu numvfs_cpu;                    /* per change */
        uint64_t rss_started_kib;               /* netpoold's VmHWM after Start, before GetManagedObjects */
        uint64_t rss_peak_kib;                  /* netpoold's VmHWM at the end of the run */
        double daemon_cpu_s, bus_cpu_s;         /* in all, at the end of the run */
} BenchDevicesResult;

int bench_devices_one(unsigned n, unsigned rounds, bool keep, BenchDevicesResult *res, char **ret_message);
void bench_devices_report_table(const BenchDevicesResult *res, unsigned n_res);
void bench_devices_report_json(const BenchDevicesResult *res, unsigned n_res);
