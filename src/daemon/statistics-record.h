/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statistics record: STATE/statistics, netpoold's counters kept across idle exits and restarts until the
 * state dir is emptied (a reboot: it is a tmpfs) */
#pragma once

#include "bus/bus-statistics.h"

#define STATISTICS_RECORD_NAME "statistics"

/* The record's text: one "KEY VALUE" line per counter. */
char *statistics_record_format(const BusStatistics *s);

/* Read text into s (set up with bus_statistics_init()), all or nothing. Lines with unknown keys are
 * skipped (a newer netpoold wrote them). Returns 0, or -EBADMSG with what is wrong and on which line. */
int statistics_record_parse(const char *text, BusStatistics *s, char **reterr_message);

/* Load STATE/statistics into s: 0, -ENOENT when there is none, -EBADMSG (message set) when damaged, or
 * another -errno from reading it (message set). */
int statistics_record_load(const char *state_dir, BusStatistics *s, char **reterr_message);

/* Write STATE/statistics atomically. Returns 0 or -errno. */
int statistics_record_save(const char *state_dir, const BusStatistics *s);
