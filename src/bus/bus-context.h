/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus context: what every bus object needs (the connection, the engine, idle tracking) */
#pragma once

#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus/bus-statistics.h"
#include "engine/engine.h"
#include "shared/dbus-api.h"
#include "shared/macro.h"

typedef struct BusPrivate BusPrivate;

typedef struct BusContext {
        sd_event *event;
        sd_bus *bus;                    /* the system bus: every signal goes here alone */
        BusPrivate *private_socket;     /* STATE/private and its connections (bus-private.c) */
        Engine *engine;
        uint64_t exit_idle_usec;        /* 0 = never */
        sd_event_source *idle_timer;
        GHashTable *calls;              /* sd_bus_message* -> BusCall*: calls that wait (bus-call.c) */
        sd_event_source *call_sweep;    /* drops the records of calls that no longer wait */
        sd_event_source *heap_trim;     /* gives the heap's free pages back after many device events
                                         * (bus-device.c) */
        unsigned device_events;         /* device events since the last trim */
        GHashTable *sender_uids;        /* unique name -> uid the bus vouched for (bus-polkit.c) */
        GHashTable *shown_networks;     /* name -> what its properties last said (bus-network.c) */
        GHashTable *changed_networks;   /* names whose PropertiesChanged is due at the end of this loop turn */
        sd_event_source *changed_flush; /* sends those (bus-network.c) */
        BusStatistics statistics;       /* counters for monitoring (bus-statistics.c) */
        GHashTable *owner_watches;      /* port uuid -> the watch of its owner process (bus-owner-watch.c) */
        bool exiting;
        void (*devices_changed)(struct BusContext *c);  /* a Device changed: the daemon keeps STATE/inventory */
        void *devices_changed_data;
} BusContext;

/* Tear down what the context holds: its event sources, waiting calls, polkit state, the connection (flushed),
 * the engine and the event loop. The other layers' sources on the loop go first. */
void bus_context_clear(BusContext *c);

/* The object path of a network. */
char *bus_network_path(const char *name);

/* The object path of a port. */
char *bus_port_path(const char *uuid);

/* The segment of path under prefix, decoded, only when encoding it gives path again: each object has one
 * path. Returns 1 with *ret set (g_free it), 0 for any other path, or a negative errno. */
int bus_path_decode_exact(const char *path, const char *prefix, char **ret);

/* The BusContext given when the vtable of the current message was registered. */
BusContext *bus_context_from_current(sd_bus *bus);

/* Refuse unknown flag bits with InvalidArgument. Returns 0 or a negative sd-bus error. */
int bus_check_flags(uint64_t flags, uint64_t known, sd_bus_error *error);
/* Read a method's only argument, its flags, and check them. */
int bus_read_flags(sd_bus_message *m, uint64_t known, uint64_t *ret, sd_bus_error *error);

/* Reply to m with an array of the given element signature: append() writes one element per item. */
typedef int (*BusAppendItem)(sd_bus_message *reply, const void *item, void *userdata);
int bus_reply_array(sd_bus_message *m, const char *element, GPtrArray *items, BusAppendItem append,
                    void *userdata);

/* Turn what an engine call returned (its code, or a negative errno for a fault) into the reply's error:
 * the code's name from the one table in bus-errors.c, with the engine's message. */
int bus_reply_engine_error(sd_bus_error *error, int r, const EngineError *err);

/* Every object, vtable, enumerator and filter of netpoold on one connection: the system bus, and each private
 * connection alike (one table, served on both). Returns 0 or a negative errno. */
int bus_objects_add(BusContext *c, sd_bus *bus);

/* The objects of each kind on one connection (bus_objects_add() calls them); each returns 0 or a negative errno. */
int bus_manager_add(BusContext *c, sd_bus *bus);
int bus_network_add(BusContext *c, sd_bus *bus);
int bus_port_add(BusContext *c, sd_bus *bus);
int bus_device_add(BusContext *c, sd_bus *bus);
/* The counters must have been set up with bus_statistics_init() (and perhaps loaded) before. */
int bus_statistics_add(BusContext *c, sd_bus *bus);

/* Once, before the objects are served: what each network's properties say now (to signal only changes). */
void bus_network_remember_all(BusContext *c);
/* Once: follow the engine's device events with signals on the bus. */
void bus_device_observe(BusContext *c);
/* The object path of a host device. */
char *bus_device_path(const char *id);

/* Emit the signals that follow an engine event. */
void bus_emit_engine_event(BusContext *c, Network *n, Port *port, EngineEvent event);
/* Send the networks' PropertiesChanged still due (bus_emit_engine_event() coalesces them per loop turn). */
void bus_network_flush_changed(BusContext *c);

/* Reply rows shared by Manager.ListPorts and the Port object */
int bus_append_port_row(sd_bus_message *reply, const void *port, void *engine);

/* Idle exit: arm the timer (bus_idle_add_filter() restarts it at every method call of a connection). */
int bus_idle_setup(BusContext *c);
int bus_idle_add_filter(BusContext *c, sd_bus *bus);
