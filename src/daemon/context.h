/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's context: everything netpoold holds, in one place */
#pragma once

#include "bus/bus-context.h"
#include "daemon/drift-watch.h"
#include "daemon/hotplug.h"
#include "daemon/inventory-record.h"

typedef struct ContextOptions {
        const char *sim_dir;            /* NULL: the linux backend */
        const char *sysfs_root;         /* linux backend only: NULL for the real /sys */
        const char *config_dir;
        const char *state_dir;
        uint64_t exit_idle_usec;
} ContextOptions;

typedef struct Context {
        BusContext bus;
        int lock_fd;                    /* flock on STATE/lock: one netpoold per state dir */
        Hotplug *hotplug;
        DriftWatch *drift_watch;
        InventoryRecord *inventory_record;      /* STATE/inventory, announced from at start */
        sd_event_source *restore_timer; /* retries VF restores that failed */
        char *state_dir;                /* where the counters are kept (statistics-record.c) */
        sd_event_source *statistics_timer;      /* writes changed counters, at most once a second */
        bool statistics_dirty;          /* changed since last written */
} Context;

#define CONTEXT_INIT { .lock_fd = -1 }

void context_clear(Context *c);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Context, context_clear);

/* Hardware, state (waiting for a previous instance to let go of it), engine, bus objects, name. */
int context_start(Context *c, const ContextOptions *o);
int context_run(Context *c);
