/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine: the networks of this host and what can be done to them, with no D-Bus in sight.
 * Combines the core (definitions, pools, store) with the hardware layer. */
#pragma once

#include <stdbool.h>

#include <glib.h>

#include "core/network.h"
#include "core/port.h"
#include "core/store.h"
#include "hw/hw.h"

typedef enum EngineEvent {
        ENGINE_EVENT_NETWORK_ADDED,
        ENGINE_EVENT_NETWORK_REMOVED,   /* sent before the Network is freed */
        ENGINE_EVENT_NETWORK_CHANGED,   /* active, persistent, autostart, mode or pool counts changed */
        ENGINE_EVENT_PORT_ADDED,        /* port is set */
        ENGINE_EVENT_PORT_REMOVED,      /* port is set; sent before the Port is freed */
} EngineEvent;

typedef struct Engine Engine;
/* n is the network concerned (for port events: the port's network, NULL if it is gone); port is NULL for
 * network events. */
typedef void (*EngineObserver)(Engine *e, Network *n, Port *port, EngineEvent event, void *userdata);

/* Errors of engine_* (negative errno; each has one org.netpool1.Error name, see bus-errors.c):
 *   -EBADMSG InvalidXML   -EINVAL InvalidArgument   -ENOENT NoSuchNetwork   -EEXIST NetworkExists
 *   -ESRCH NetworkInactive   -EALREADY NetworkActive   -EBUSY NetworkBusy   -ENODEV DeviceNotFound
 *   -EOPNOTSUPP Unsupported   -EIO HardwareError (and other errnos of failed file writes)
 * Port operations use their own meanings of some: -ENOENT NoSuchPort, -EEXIST PortExists, -EBUSY DeviceBusy,
 *   -ENOSPC PoolExhausted, -ENETDOWN HardwareError (a PF is down).
 * The message says what and why in words a person can act on. */
typedef struct EngineError {
        char *message;
} EngineError;

void engine_error_clear(EngineError *e);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(EngineError, engine_error_clear);

struct Engine {
        HwBackend *hw;
        Store *store;
        GHashTable *networks;           /* name (own copy: definitions get replaced) -> Network* (owned) */
        GHashTable *ports;              /* uuid -> Port* (owned) */
        GHashTable *claims;             /* VF PCI address or netdev -> name of the network whose ports hold
                                         * it: a device is held through one network at a time */
        bool restores_logged;           /* damaged VF records were reported once */
        bool restores_pending;          /* a VF restore failed (or records of an earlier life wait): retry */
        EngineObserver observer;
        void *observer_data;
};

/* Takes hw. Loads every definition and live state from the store (problems are logged, not fatal). */
int engine_new(HwBackend *hw, const char *config_dir, const char *state_dir, Engine **ret, EngineError *err);
Engine *engine_free(Engine *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Engine, engine_free);

void engine_set_observer(Engine *e, EngineObserver observer, void *userdata);

/* Starts the autostart networks, once per boot (see store_autostart_pending()). */
void engine_autostart(Engine *e);

/* Networks sorted by name (borrowed). */
GPtrArray *engine_list_networks(Engine *e);
Network *engine_lookup(Engine *e, const char *name_or_uuid);

int engine_define(Engine *e, const char *xml, Network **ret, EngineError *err);
int engine_create(Engine *e, const char *xml, Network **ret, EngineError *err);
int engine_start(Engine *e, Network *n, EngineError *err);
/* A transient network is gone afterwards: n is freed. */
int engine_stop(Engine *e, Network *n, bool force, EngineError *err);
/* An inactive network is gone afterwards: n is freed. */
int engine_undefine(Engine *e, Network *n, EngineError *err);
int engine_set_autostart(Engine *e, Network *n, bool autostart, EngineError *err);
/* Re-read the hardware of every active network. */
int engine_rescan(Engine *e, EngineError *err);

/* Ports (engine-port.c). Allocate takes a <networkport> without <plug>; Notify one with. */
int engine_allocate(Engine *e, Network *n, const char *xml, Port **ret, EngineError *err);
int engine_notify(Engine *e, Network *n, const char *xml, Port **ret, EngineError *err);
/* The port is freed. A restore that fails leaves the device restore-failed, retried later; the
 * release itself succeeds. */
int engine_release(Engine *e, Port *port, EngineError *err);
Port *engine_lookup_port(Engine *e, const char *uuid);
/* Ports of n (or all when n is NULL), sorted by UUID (borrowed). */
GPtrArray *engine_list_ports(Engine *e, const Network *n);
/* Release every port of n (Stop with FORCE). */
int engine_release_network_ports(Engine *e, Network *n, EngineError *err);
/* After a restart: finish or roll back what a crash interrupted, count the ports that hold devices. */
void engine_recover_ports(Engine *e);
/* Retry failed VF restores, when one failed since the last pass; returns how many are still pending. */
unsigned engine_retry_restores(Engine *e);
