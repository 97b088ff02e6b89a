/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device pool: the devices of an active network, with their state and connection counts */
#pragma once

#include <stdbool.h>

#include <glib.h>

#include "core/netdef.h"

typedef enum DeviceState {
        DEVICE_STATE_FREE,
        DEVICE_STATE_IN_USE,
        DEVICE_STATE_UNAVAILABLE,       /* missing or taken outside netpool */
        DEVICE_STATE_LOST,              /* vanished while a port held it */
        DEVICE_STATE_RESTORE_FAILED,    /* its original configuration could not be restored yet */
        DEVICE_STATE_QUARANTINED,       /* restored, but it reads back otherwise (or its reset failed) */
        _DEVICE_STATE_MAX,
        _DEVICE_STATE_INVALID = -EINVAL,
} DeviceState;

const char *device_state_to_string(DeviceState s);

/* A pool of 32,768 VFs has as many devices: a device is few blocks. Its id lives in its own block, its PCI address
 * is the id when they are the same (pool_device_set_pci_address()), its PF's name is interned. */
typedef struct PoolDevice {
        ForwardDevType type;            /* FORWARD_DEV_NETDEV or FORWARD_DEV_PCI (USB never reaches a pool) */
        char *netdev;                   /* the netdev handed out, or the VF's netdev if known; NULL if none */
        char *pci_address;              /* NULL if not a PCI function; may be id itself: set it with
                                         * pool_device_set_pci_address() */
        const char *pf_netdev;          /* the PF netdev the VF is configured through, interned
                                         * (g_intern_string()); NULL if not a VF */
        int vf_index;                   /* -1 if not a VF */
        int numa_node;                  /* -1 when the kernel says none; set before pool_add(), then through
                                         * pool_device_set_numa_node() */
        DeviceState state;              /* FREE or IN_USE follow the connections; the others are verdicts */
        unsigned connections;
        char *port_uuid;                /* the (last) port that took it; NULL when none */
        bool held_elsewhere;            /* a port of another network holds it (the same VF in two pools) */
        unsigned index;                 /* position in the pool when added: the tie-breaker of a pick */
        char id[];                      /* netdev name, or PCI address "DDDD:BB:SS.F" */
} PoolDevice;

typedef struct Pool {
        GPtrArray *devices;             /* PoolDevice*, in pool order */
        GHashTable *by_id;              /* id -> PoolDevice* (borrowed) */
        GHashTable *by_key;             /* pool_device_key() -> PoolDevice* (borrowed), for the devices whose key
                                         * is not their id (by_id has the others) */
        GHashTable *takeable_by_node;   /* NUMA node -> GTree of the PoolDevice* on it that can take another
                                         * port, ordered by (connections, index): a pick on a node is O(log n),
                                         * a pick anywhere the least of the nodes' (a handful), never a scan */
        unsigned next_index;
        unsigned connections;           /* sum over the devices, kept as they change */
        unsigned held_elsewhere;        /* devices whose held_elsewhere is set */
        bool exclusive;                 /* one port per device (passthrough, hostdev, hybrid) */
} Pool;

PoolDevice *pool_device_new(ForwardDevType type, const char *id);
/* d's PCI address (NULL for none), sharing d's id when they are the same. */
void pool_device_set_pci_address(PoolDevice *d, const char *address);
PoolDevice *pool_device_free(PoolDevice *d);
/* A new, unconnected device with the same identity (id, netdevs, PCI address, PF, VF index). */
PoolDevice *pool_device_copy(const PoolDevice *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PoolDevice, pool_device_free);

Pool *pool_new(bool exclusive);
Pool *pool_free(Pool *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Pool, pool_free);

/* Takes ownership of d. -EEXIST (and d freed) when the id is already in the pool. */
int pool_add(Pool *p, PoolDevice *d);
/* Removes and frees the device with that id; -ENOENT when absent. */
int pool_remove(Pool *p, const char *id);
PoolDevice *pool_find(const Pool *p, const char *id);
/* What a device is on the host whatever a definition calls it: its PCI address, else its netdev. Two pools
 * that hold the same VF (one by netdev, one by address) agree on it. */
const char *pool_device_key(const PoolDevice *d);
PoolDevice *pool_find_by_key(const Pool *p, const char *key);

/* The least-used device that can take another port, lowest index on a tie; NULL when none. */
PoolDevice *pool_pick(const Pool *p);
/* Like pool_pick(), the first in pick order that accept() takes; NULL when none does. */
PoolDevice *pool_pick_where(const Pool *p, bool (*accept)(const PoolDevice *d, void *data), void *data);
/* The same among the devices on NUMA node `node` (accept may be NULL). */
PoolDevice *pool_pick_on_node(const Pool *p, int node, bool (*accept)(const PoolDevice *d, void *data),
                              void *data);
void pool_device_set_numa_node(Pool *p, PoolDevice *d, int node);
/* Change a device's connections (by delta) or state; keeps the pick order right. */
void pool_device_connect(Pool *p, PoolDevice *d, int delta);
void pool_device_set_state(Pool *p, PoolDevice *d, DeviceState state);
/* A port of another network took the device (held) or let it go: it cannot take a port here meanwhile. */
void pool_device_set_held_elsewhere(Pool *p, PoolDevice *d, bool held);
/* The state GetDevices shows: IN_USE for a FREE device with connections or held through another
 * network. */
DeviceState pool_device_shown_state(const PoolDevice *d);

unsigned pool_capacity(const Pool *p);
/* Devices that can take another port now. */
unsigned pool_available(const Pool *p);
unsigned pool_held_elsewhere(const Pool *p);
unsigned pool_connections(const Pool *p);

/* The pool as a live <forward> device list: devs of def replaced by the pool's devices (type and
 * connections), pool_expanded set when def has <pf>. */
void pool_to_forward_devs(const Pool *p, NetDef *def);

/* Pool state record: one <device/> line per device, for the state dir. */
void pool_format_xml(const Pool *p, GString *out, unsigned indent);
/* Parse the <pool> element written by pool_format_xml. Returns 0 or -EINVAL. */
int pool_parse_xml(xmlNode *node, bool exclusive, Pool **ret, char **ret_msg);
