/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asynchronous polkit checks for bus methods, re-dispatching the call when polkit has answered */
#pragma once

#include "bus/bus-context.h"

#define NETPOOL_ACTION_MANAGE   "org.netpool1.manage"
#define NETPOOL_ACTION_ALLOCATE "org.netpool1.allocate"

/* Ask polkit whether the sender of m may do action. Nothing a caller can make expensive runs before this:
 * call it before any work that depends on the size of the input. details: the network's name ("" when
 * none) and the verb, so that rules can grant one agent one network. A caller whose connection the bus
 * says is uid 0 is allowed without asking.
 * Interactive authorization is asked for when the call allows it.
 * Returns: 1 allowed; 0 the query is under way — return 1 from the handler, it is called again with the same
 * message once polkit answered; < 0 denied or failed, with error set (AccessDenied,
 * InteractiveAuthorizationRequired, or AccessDenied saying polkit could not be reached). */
int bus_verify_polkit_async(BusContext *c, sd_bus_message *m, const char *action, const char *network,
                            const char *verb, sd_bus_error *error);

/* The cache of senders' uids and the match that empties it; bus_polkit_free() drops it. */
int bus_polkit_setup(BusContext *c);
void bus_polkit_free(BusContext *c);
