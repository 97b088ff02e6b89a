/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus statistics: what this netpoold counted since it started, read through org.netpool1.Statistics */
#pragma once

#include <stdint.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "engine/engine.h"

/* Counters of one daemon instance: they start at zero, and an idle exit ends them (docs/metrics.md). */
typedef struct BusStatistics {
        uint64_t start_usec;            /* CLOCK_REALTIME when counting began */
        uint64_t allocations;           /* Allocate calls that made a port */
        uint64_t releases;              /* ports released: Release, or Stop with FORCE */
        GHashTable *allocation_failures;        /* D-Bus error name -> uint64_t*: Allocate calls answered so */
} BusStatistics;

/* Start counting now. */
void bus_statistics_init(BusStatistics *s);
void bus_statistics_clear(BusStatistics *s);

void bus_statistics_count_allocation(BusStatistics *s);
/* An Allocate handler returned r < 0: its error's name, or the name sd-bus gives errno r. */
void bus_statistics_count_allocation_failure(BusStatistics *s, const sd_bus_error *error, int r);
/* Releases are counted from the engine's events, which every way of releasing a port sends. */
void bus_statistics_count_event(BusStatistics *s, EngineEvent event);
