/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lease: while a port lives, its VF stays as the port says — the port's Health, a drift noticed and
 * repaired, the settings applied again when the VF comes back (issue 19, dbus-api.md 1.1 "Health"). */
#pragma once

#include "engine/engine-base.h"

/* Set the port's health, announcing a change. */
void engine_port_set_health(Engine *e, Port *port, PortHealth health);

/* Compare the port's VFs with its settings and apply them again where they differ (Notify, a drift): Health
 * drifted while it differs, ok once repaired. `what` words the log: "port …: VF 0 of 'eth3' <what>: MAC is …, the port's is …" ("drifted"). */
void engine_port_repair(Engine *e, Port *port, const char *what);

/* The device d of network n vanished under its ports (Health lost), or came back (the ports' settings applied
 * again: Health ok, or drifted when the driver refuses). */
void engine_device_vanished(Engine *e, Network *n, PoolDevice *d);
void engine_device_returned(Engine *e, Network *n, PoolDevice *d);

/* Check the ports whose VFs' PF netdev or own netdev is in names (NULL: every port; drifted_only: only those
 * whose Health is drifted) and repair what drifted. */
void engine_ports_check(Engine *e, GHashTable *names, bool drifted_only);

/* The link watch learns of a port's VFs when it is counted and forgets them when it goes. */
void engine_lease_watch_port(Engine *e, const Port *port, bool watch);
