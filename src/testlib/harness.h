/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test harness: the real netpoold on a private bus, for the programs that test and measure it (netpool-load,
 * netpool-bench) and the tests' stand-in daemons. Never linked into netpoold or netpoolctl. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>
#include <systemd/sd-bus.h>

/* ---- processes, files, time (harness-proc.c) ---- */

/* $NAME when it is set and not empty, else BUILT (the path meson built the program at) */
const char *harness_path(const char *name, const char *built);

/* The source tree, for the templates in service/: $NETPOOL_SOURCE_ROOT, else the tree this was built from */
const char *harness_source_root(void);

/* CLOCK_MONOTONIC in seconds */
double harness_now(void);

int harness_spawn_logged(char *const argv[], const char *log, pid_t *ret_pid);
void harness_stop_process(pid_t pid);

int harness_make_dir(const char *prefix, char **ret_dir, char **ret_message);
void harness_remove_tree(const char *dir);

int harness_proc_status_kib(pid_t pid, const char *field, uint64_t *ret);
int harness_proc_cpu_seconds(pid_t pid, double *ret);

int harness_simhost_build(const char *simhost, const char *sim, char *const pf_specs[], char **ret_message);

/* ---- the private bus (harness-bus.c) ---- */

/* A private dbus-daemon in DIR, configured from service/test-bus.conf.in: DIR/bus.conf, DIR/bus.socket,
 * DIR/services (its servicedir) and DIR/dbus.log (what it and the daemons it activates print) */
typedef struct HarnessBus {
        char *address;                          /* unix:path=DIR/bus.socket */
        pid_t pid;
} HarnessBus;

int harness_bus_start(HarnessBus *b, const char *dir, char **ret_message);
void harness_bus_stop(HarnessBus *b);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HarnessBus, harness_bus_stop)

int harness_bus_owner_pid(sd_bus *bus, const char *name, pid_t *ret);

/* A run's directory, its sim host's place, the private bus, and netpoold once the bus has activated it */
typedef struct HarnessEnv {
        char *dir;                              /* on /dev/shm (a tmpfs, as /run is in production), else $TMPDIR */
        char *sim;                              /* DIR/sim, for harness_simhost_build() */
        HarnessBus bus;
        pid_t daemon_pid;                       /* set by the caller (harness_bus_owner_pid()): stopped first */
        bool keep;                              /* leave DIR, and say so on stderr */
} HarnessEnv;

int harness_env_make_dir(HarnessEnv *e, const char *prefix, char **ret_message);
int harness_env_start_bus(HarnessEnv *e, const char *netpoold, char **ret_message);
void harness_env_clear(HarnessEnv *e);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HarnessEnv, harness_env_clear)
