/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine base: the Engine's state and the helpers every engine file uses (errors, events, records, claims).
 * The engine files depend one way: engine-base <- engine-port <- engine-recover <- engine. */
#pragma once

#include "core/store.h"
#include "engine/engine.h"
#include "hw/hw-link-watch.h"
#include "shared/macro.h"

struct Engine {
        HwBackend *hw;
        Store *store;
        GHashTable *networks;           /* name (own copy: definitions get replaced) -> Network* (owned) */
        GHashTable *ports;              /* uuid -> Port* (owned) */
        GHashTable *owners;             /* owner uuid -> GPtrArray of its Port* (borrowed): an agent finds its
                                         * ports without a pass over all of them */
        GHashTable *claims;             /* VF PCI address or netdev -> name of the network whose ports hold
                                         * it: a device is held through one network at a time */
        GHashTable *holders;            /* "network/device id" -> GHashTable set of the UUIDs of the ports
                                         * that hold that device (several in private/vepa/bridge) */
        GHashTable *restore_failed;     /* device keys (pool_device_key()) of VFs whose original configuration
                                         * is not back yet: host-wide, so that no network hands one out */
        GHashTable *quarantined;        /* device key -> why: VFs restored that read back otherwise (or whose
                                         * reset failed); host-wide as restore_failed, retried only by Rescan
                                         * and at start */
        GHashTable *claim_ports;        /* "network\nclaim" -> the Port* holding it (borrowed) */
        GHashTable *macs;               /* MAC of a live port -> GPtrArray of its Port* (borrowed) */
        HwLinkWatch *link_watch;        /* link changes of the ports' VFs (NULL until the daemon asks) */
        GHashTable *links_changed;      /* netdev names changed since the last check (set) */
        bool links_overflow;            /* notifications were lost: check every port */
        bool devices_settling;          /* hot-plug events wait for their rescan */
        int64_t settling_since;         /* g_get_monotonic_time() of the first of them */
        int64_t vfs_gone_at;            /* when a rescan last saw VFs leave a <pf> pool (a numvfs change, a PF
                                         * reset): they may be on their way back */
        bool retry_quarantined;         /* the next retry pass tries the quarantined records too */
        bool restores_logged;           /* damaged VF records were reported once */
        bool restores_pending;          /* a VF restore failed (or records of an earlier life wait): retry */
        EngineObserver observer;
        void *observer_data;
        GHashTable *inventory;          /* host device id -> InvDevice (engine-inventory.c) */
        GPtrArray *inventory_ids;       /* the ids sorted (borrowed from inventory); NULL when to be made */
        EngineDeviceObserver device_observer;
        void *device_observer_data;
};

/* Set err's code and message; returns code. */
int engine_fail(EngineError *err, EngineErrorCode code, const char *fmt, ...) _printf_(3, 4);
/* A file of ours could not be written or removed (errno r): ENGINE_ERROR_IO naming the file, what it holds
 * and the cause ("cannot write /run/netpool/ports/….xml (the record of port …): No space left on device"). */
int engine_fail_file(Engine *e, EngineError *err, int r, const char *verb, const char *what, StoreFile kind,
                     const char *name);
/* Not finished: ENGINE_ERROR_AGAIN, to be called again after usec; busy: waiting for the hardware. */
int engine_again(EngineError *err, uint64_t usec, bool busy, const char *fmt, ...) _printf_(4, 5);

void engine_emit(Engine *e, Network *n, Port *port, EngineEvent ev);
/* Write the live record of an active network, logging a failure. */
void engine_save_live(Engine *e, Network *n);

/* The port's network when it is active, else NULL. */
Network *engine_port_network(Engine *e, const Port *port);
/* The pool device a port holds, or NULL. */
PoolDevice *engine_port_device(Engine *e, const Port *port);

/* Calls visit for the device with that key (pool_device_key()) in every active network's pool, until visit
 * returns false. */
typedef bool (*EngineDeviceVisit)(Engine *e, Network *n, PoolDevice *d, void *data);
void engine_visit_device(Engine *e, const char *key, EngineDeviceVisit visit, void *data);

/* Claims: whether a device is held through another network than network. */
bool engine_claim_blocks(Engine *e, const PoolDevice *d, const char *network);
const char *engine_claim_holder(Engine *e, const PoolDevice *d);
/* The claim lasts while the device has connections in network; the other active networks whose pools hold
 * the device see it held elsewhere meanwhile (not available, shown in-use). */
void engine_claim_update(Engine *e, const PoolDevice *d, const char *network);
/* A pool built, loaded or rescanned for network: mark what must hold across networks — the devices ports of
 * other networks hold, and the restore-failed ones. */
void engine_pool_apply_host_state(Engine *e, Pool *pool, const char *network);
/* The same for one device of the pool (a rescan of some PFs). */
void engine_pool_device_apply_host_state(Engine *e, Pool *pool, PoolDevice *d, const char *network);

/* Restore-failed is a fact about a device, not about one pool: marking or clearing it (by device key)
 * changes every active pool that has the device, whose live records are written and changes announced. */
void engine_restore_failed_mark(Engine *e, const char *key);
void engine_restore_failed_clear(Engine *e, const char *key);
bool engine_restore_failed_has(Engine *e, const char *key);

/* Quarantine is such a fact too (a device is restore-failed or quarantined, not both): reason says why (NULL
 * keeps the one known, for a mark made again once the device's last port is gone). */
void engine_quarantine_mark(Engine *e, const char *key, const char *reason);
void engine_quarantine_clear(Engine *e, const char *key);
/* Why the device is quarantined, NULL when it is not. */
const char *engine_quarantine_reason(Engine *e, const char *key);

/* The ports holding a device: added when a port is counted on it, removed when it leaves; the device
 * shows one that still holds it. */
void engine_holders_add(Engine *e, const Network *n, PoolDevice *d, const char *port_uuid);
void engine_holders_remove(Engine *e, const Network *n, PoolDevice *d, const char *port_uuid);
/* The ports of network n that hold d (borrowed Port*), in no particular order. */
GPtrArray *engine_holders_ports(Engine *e, const Network *n, const PoolDevice *d);
