/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The private socket (dbus-api.md 1.1, "The private socket"): STATE/private, mode 0600, where root peers get the
 * objects and methods of the bus peer to peer, without the broker, as systemd offers /run/systemd/private */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "bus/bus-context.h"

/* the socket's name in the state dir */
#define BUS_PRIVATE_SOCKET_NAME "private"
/* open private connections at most; one beyond is closed at once (a root agent needs a few) */
#define BUS_PRIVATE_CONNECTIONS_MAX 64u

/* Listen on path, replacing a stale socket there (a crashed netpoold's): mode 0600 from its first instant.
 * Connections are taken on c's event loop; each gets the objects of bus_objects_add(). Returns 0 or -errno. */
int bus_private_listen(BusContext *c, const char *path);

/* Take no more connections and remove the socket; connections already open are served until they close. */
void bus_private_stop_listening(BusContext *c);

/* Whether bus is a private connection; if so *ret_uid is its peer's uid, the kernel's SO_PEERCRED at accept. */
bool bus_private_peer_uid(BusContext *c, sd_bus *bus, uid_t *ret_uid);

/* Open private connections. */
unsigned bus_private_connections(BusContext *c);

/* Close every private connection (flushed) and remove the socket. */
void bus_private_free(BusContext *c);
