/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drift watch: the ports' VFs changed outside netpoold (link changes) are compared with their ports a moment
 * later and repaired (issue 19: a lease does not silently break) */
#pragma once

#include "bus/bus-context.h"

typedef struct DriftWatch DriftWatch;

/* Polls the engine's link watch (rtnetlink's link group; the sim: inotify on the ports' VFs). A burst of
 * changes is checked once, DRIFT_SETTLE_USEC after its first: well within the second the contract allows. */
int drift_watch_new(BusContext *c, DriftWatch **ret);
DriftWatch *drift_watch_free(DriftWatch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DriftWatch, drift_watch_free);
