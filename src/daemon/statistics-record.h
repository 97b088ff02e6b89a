/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statistics record: STATE/statistics, netpoold's counters kept across idle exits and restarts until the
 * state dir is emptied (a reboot: it is a tmpfs) */
#pragma once

#include "bus/bus-statistics.h"

#define STATISTICS_RECORD_NAME "statistics"



/* Load STATE/statistics into s: 0, -ENOENT when there is none, -EBADMSG (message set) when damaged, or
 * another -errno from reading it (message set). */
int statistics_record_load(const char *state_dir, BusStatistics *s, char **reterr_message);

/* Write STATE/statistics atomically. Returns 0 or -errno. */
int statistics_record_save(const char *state_dir, const BusStatistics *s);
