/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus statistics: netpoold's counters for monitoring, read through org.netpool1.Statistics */
#pragma once

#include <stdint.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "engine/engine.h"

typedef struct BusStatistics BusStatistics;

/* Called after every change, so that the daemon can keep the counters beyond its own life. Called on the
 * Allocate and Release paths: it should be cheap (the daemon only arms a timer). */
typedef void (*BusStatisticsChanged)(const BusStatistics *s, void *userdata);

/* Counters since counting_since: they are kept across idle exits by the daemon (docs/metrics.md). */
struct BusStatistics {
        uint64_t counting_since;        /* CLOCK_REALTIME µs when counting began */
        uint64_t allocations;           /* Allocate calls that made a port */
        uint64_t releases;              /* ports released: Release, or Stop with FORCE */
        uint64_t drift_repairs;         /* ports whose VF drifted and got the port's settings again */
        uint64_t leases_reapplied;      /* ports whose VF came back and got the port's settings again */
        GHashTable *allocation_failures;        /* D-Bus error name -> uint64_t*: Allocate calls answered so */
        BusStatisticsChanged changed;
        void *changed_data;
};

/* Zero counters, counting from now. */
void bus_statistics_init(BusStatistics *s);
void bus_statistics_clear(BusStatistics *s);

/* Set the count of failures of one error name (loading saved counters). */
void bus_statistics_set_failures(BusStatistics *s, const char *error_name, uint64_t count);
/* Error names sorted, for output that does not change order between reads (free the array only). */
const char **bus_statistics_failure_names(const BusStatistics *s, guint *ret_n);
uint64_t bus_statistics_failures(const BusStatistics *s, const char *error_name);

void bus_statistics_count_allocation(BusStatistics *s);
/* An Allocate handler returned r < 0: its error's name, or the name sd-bus gives errno r. */
void bus_statistics_count_allocation_failure(BusStatistics *s, const sd_bus_error *error, int r);
/* Releases, drift repairs and re-applies are counted from the engine's events. */
void bus_statistics_count_event(BusStatistics *s, EngineEvent event);
