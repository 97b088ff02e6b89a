/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asynchronous polkit checks for bus methods, re-dispatching the call when polkit has answered */
#pragma once

#include "bus/bus-context.h"

#define NETPOOL_ACTION_MANAGE   "org.netpool1.manage"
#define NETPOOL_ACTION_ALLOCATE "org.netpool1.allocate"

/* Checks that may wait for polkit at once for one caller uid (every connection of it together); a call
 * beyond is refused at once with LimitsExceeded. Small, and far below dbus-daemon's 128 pending replies
 * per connection, which all of netpoold's checks share: other users are still asked. docs/authorization.md */
#define POLKIT_PENDING_PER_UID_MAX 8u
/* How long a check may take, interactive or not: sd-bus's default timeout, as systemd's daemons use */
#define POLKIT_CHECK_TIMEOUT_SEC 25u

/* Ask polkit whether the sender of m may do action. Nothing a caller can make expensive runs before this:
 * call it before any work that depends on the size of the input. details: the network's name ("" when
 * none) and the verb, so that rules can grant one agent one network. A caller whose connection the bus
 * says is uid 0 is allowed without asking, as is every call on a private connection (root by SO_PEERCRED).
 * Interactive authorization is asked for when the call allows it.
 * Returns: 1 allowed; 0 the query is under way — return 1 from the handler, it is called again with the same
 * message once polkit answered; < 0 denied or failed, with error set (AccessDenied,
 * InteractiveAuthorizationRequired, or AccessDenied saying polkit could not be reached). */
int bus_verify_polkit_async(BusContext *c, sd_bus_message *m, const char *action, const char *network,
                            const char *verb, sd_bus_error *error);


/* Whether the caller of m is known to be allowed: uid 0, or polkit said yes for this call. For counters
 * that must not move for callers nobody authorized. */
bool bus_polkit_caller_authorized(BusContext *c, sd_bus_message *m);

/* The cache of senders' uids and the match on the bus that empties it; bus_polkit_free() drops them. */
int bus_polkit_setup(BusContext *c);
/* The filter that admits calls, on one connection (bus_objects_add()). */
int bus_polkit_add_filter(BusContext *c, sd_bus *bus);
void bus_polkit_free(BusContext *c);
