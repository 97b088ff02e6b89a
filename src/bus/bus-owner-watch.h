/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owner processes of ports (AllocateWithOptions' owner-pidfd): when one exits, its port is released as by
 * Release; across a restart the watch is taken up again from the port record's pid and start time */
#pragma once

#include "bus/bus-context.h"

/* The owner process a pidfd names, for AllocateOptions: its pid and start time, checked alive after both were
 * read (a pid is never taken for another process). InvalidArgument when fd is no pidfd or its process has
 * exited. Returns 0 or a negative sd-bus error with error set. */
int bus_owner_resolve(int pidfd, AllocateOptions *o, sd_bus_error *error);

/* Watch the owner of port through pidfd (duplicated here). */
int bus_owner_watch(BusContext *c, const Port *port, int pidfd);

/* The port is gone: its watch too. */
void bus_owner_unwatch(BusContext *c, const char *port_uuid);

/* At start: every port that has an owner process is watched again, or released now when that process is gone
 * (or its pid is another process's now). */
void bus_owner_watch_all(BusContext *c);

void bus_owner_watch_free(BusContext *c);
