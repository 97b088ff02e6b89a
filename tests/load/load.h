/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load test: what its processes (clients, checker, the parent) share, and the helpers each part offers */
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

#define LOAD_BUS_NAME "org.netpool1"
#define LOAD_MANAGER_PATH "/org/netpool1"
#define LOAD_MANAGER_IFACE "org.netpool1.Manager"
#define LOAD_NETWORK_IFACE "org.netpool1.Network"
#define LOAD_POOL_EXHAUSTED "org.netpool1.Error.PoolExhausted"
#define LOAD_NETWORK_NAME "load"

/* every port MAC starts with this (the sim host's own MACs are 52:54:00:…, the originals 02:…) */
#define LOAD_PORT_MAC_PREFIX "52:55:"

#define LOAD_MAX_CLIENTS 255
#define LOAD_MAX_ERRORS 16
#define LOAD_MAX_NOTES 8
#define LOAD_MAX_RSS 8192
#define LOAD_NO_LATENCY UINT32_MAX

/* The violations the run can find; each is counted and the first few are described. */
typedef enum LoadViolation {
        /* checker, within one ListPorts answer or one L1-scan-L2 window */
        LOAD_V_DEVICE_IN_TWO_PORTS,
        LOAD_V_PORT_LISTED_TWICE,
        LOAD_V_PORT_MOVED,
        LOAD_V_PORT_WRONG_MAC,
        LOAD_V_MAC_ON_FOREIGN_VF,
        LOAD_V_MAC_ON_TWO_VFS,
        LOAD_V_UNKNOWN_DEVICE,
        LOAD_V_CHECKER_CALL,
        /* clients, around their own calls */
        LOAD_V_VF_NOT_CONFIGURED,
        LOAD_V_VF_KEPT_MAC,
        LOAD_V_BAD_REPLY,
        /* the end of the run */
        LOAD_V_VF_NOT_RESTORED,
        LOAD_V_PORTS_LEFT,
        LOAD_V_DEVICE_NOT_FREE,
        LOAD_V_DAEMON_RESTARTED,
        LOAD_V_RSS_GROWTH,
        _LOAD_V_MAX,
} LoadViolation;

const char *load_violation_to_string(LoadViolation v);

typedef struct LoadErrorCount {
        char name[96];
        char message[160];
        uint64_t count;
} LoadErrorCount;

/* What one process found: D-Bus errors by name, violations by kind, the first few described */
typedef struct LoadTally {
        LoadErrorCount errors[LOAD_MAX_ERRORS];
        uint64_t errors_unlisted;               /* names past LOAD_MAX_ERRORS */
        uint64_t violations[_LOAD_V_MAX];
        char notes[LOAD_MAX_NOTES][240];
        unsigned n_notes;
} LoadTally;

void load_tally_error(LoadTally *t, const char *name, const char *message);
void load_tally_violation(LoadTally *t, LoadViolation v, const char *format, ...) G_GNUC_PRINTF(3, 4);
uint64_t load_tally_violations(const LoadTally *t);

typedef struct LoadClientResult {
        uint64_t pairs;                         /* Allocate and Release both succeeded */
        uint64_t exhausted;
        LoadTally tally;
} LoadClientResult;

typedef struct LoadRssSample {
        double t;                               /* seconds since the clients started */
        uint64_t cycles;                        /* cycles done by then, all clients */
        uint64_t kib;
} LoadRssSample;

typedef struct LoadCheckResult {
        uint64_t snapshots;                     /* L1-scan-L2 windows checked */
        uint64_t ports_max;                     /* most ports in one ListPorts answer */
        uint64_t vf_held;                       /* VFs seen with the MAC of a port listed on both sides */
        uint64_t vf_transient;                  /* VFs seen with a port MAC mid-allocate or mid-release */
        LoadRssSample rss[LOAD_MAX_RSS];
        unsigned n_rss;
        LoadTally tally;
} LoadCheckResult;

/* Shared by all processes (one MAP_SHARED mapping made before the forks) */
typedef struct LoadShared {
        _Atomic uint64_t cycles_done;
        _Atomic int stop;                       /* the clients are done: the checker ends */
        _Atomic int interrupted;                /* SIGINT or SIGTERM: clients end after their current cycle */
        LoadCheckResult check;
        LoadClientResult clients[LOAD_MAX_CLIENTS];
} LoadShared;

/* A VF's configuration as the sim holds it (vfstate/<PF>/vf<N>/p1/) */
typedef struct LoadVfState {
        char mac[18];
        int vlan, qos, spoofchk, trust;
        char link_state[16];
} LoadVfState;

typedef struct LoadVf {
        char bdf[13];                           /* DDDD:BB:SS.F */
        char *dir;                              /* its vfstate/<PF>/vf<N>/p1 */
        LoadVfState original;
} LoadVf;

/* The host: the VFs of the network, in pool order */
typedef struct LoadHost {
        LoadVf *vfs;
        unsigned n_vfs;
        unsigned n_pfs;
} LoadHost;

void load_host_clear(LoadHost *h);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(LoadHost, load_host_clear)

int load_host_build(LoadHost *h, const char *simhost, const char *sim, unsigned n_pfs, unsigned n_vfs,
                    char **ret_message);
char *load_host_network_xml(const LoadHost *h);
const LoadVf *load_host_find(const LoadHost *h, const char *bdf);
int load_vf_read(const LoadVf *vf, LoadVfState *ret);
int load_vf_read_mac(const LoadVf *vf, char ret_mac[static 18]);
bool load_vf_state_equal(const LoadVfState *a, const LoadVfState *b);
void load_vf_state_format(const LoadVfState *s, char *buf, size_t size);

/* A MAC as text, lower case: one per VF in a scan */
typedef char LoadMac[18];

/* One ListPorts answer */
typedef struct LoadPort {
        char uuid[37];
        char mac[18];
        char device[32];
} LoadPort;

typedef struct LoadPortList {
        LoadPort *ports;
        unsigned n;
} LoadPortList;

void load_port_list_clear(LoadPortList *l);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(LoadPortList, load_port_list_clear)

int load_list_ports(sd_bus *bus, LoadPortList *ret, sd_bus_error *error);
void load_check_window(const LoadHost *h, const LoadPortList *l1, const LoadMac *macs, const LoadPortList *l2,
                       LoadCheckResult *res);
void load_checker_run(const LoadHost *h, LoadShared *shared, pid_t daemon_pid, uint64_t warm_cycles,
                      double interval_s);
uint64_t load_rss_kib(pid_t pid);

/* The clients */
typedef struct LoadClientSpec {
        unsigned id;
        unsigned cycles;
        const char *network_path;
        const LoadHost *host;
        LoadShared *shared;
        uint32_t *alloc_us;                     /* cycles entries, LOAD_NO_LATENCY where none */
        uint32_t *release_us;
} LoadClientSpec;

void load_port_mac(unsigned client, unsigned cycle, char ret[static 18]);
void load_port_uuid(unsigned client, unsigned cycle, char ret[static 37]);
int load_client_run(const LoadClientSpec *spec);

/* The whole run, as the parent sees it */
typedef struct LoadRun {
        const LoadHost *host;
        LoadShared *shared;
        uint32_t *alloc_us, *release_us;        /* clients x cycles, client-major */
        unsigned clients, cycles;
        uint64_t total_cycles;
        pid_t daemon_pid;
        uint64_t rss_start;
        unsigned warmup_percent;
        uint64_t rss_bound_kib;
        unsigned rss_bound_percent;
        bool tap;
        double start, wall;
        unsigned self_test_failures;            /* planted cases the checker judged wrongly */
        char self_test_note[240];
        LoadTally end;                          /* the checks after the run */
} LoadRun;

unsigned load_check_self_test(const LoadHost *h, char *note, size_t size);
int load_report(LoadRun *run);
