/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network: a definition with its runtime state (active, persistent, autostart, pool) */
#pragma once

#include <stdbool.h>

#include "core/netdef.h"
#include "core/pool.h"

typedef struct Network {
        NetDef *def;                    /* in force: the live definition when active, else the persistent one */
        NetDef *new_def;                /* while active: the persistent definition (as given, possibly
                                         * redefined since Start), which takes over at Stop; NULL when
                                         * inactive or transient */
        bool active;
        bool persistent;
        bool autostart;
        Pool *pool;                     /* when active and the mode has a pool */
} Network;

Network *network_new(NetDef *def);      /* takes def */
Network *network_free(Network *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Network, network_free);

const char *network_name(const Network *n);
const char *network_uuid(const Network *n);


/* Whether the mode takes a device pool at all (a host bridge does not). */
bool network_has_pool(const NetDef *def);
/* Whether each device takes at most one port (passthrough, hostdev, hybrid). */
bool network_is_exclusive(const NetDef *def);

unsigned network_connections(const Network *n);
unsigned network_capacity(const Network *n);
unsigned network_available(const Network *n);

/* XML views. Live (inactive=false): the definition in force with the pool and connection counts; inactive:
 * the persistent definition as given. */
char *network_format_xml(const Network *n, bool inactive);
