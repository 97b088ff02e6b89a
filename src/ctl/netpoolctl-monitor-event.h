/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: the mirror of netpoold's objects that the signals keep, and the lines it prints */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

/* A property the monitor keeps, as text: its D-Bus signature ("s", "b", "u", "i" where -1 is none, "o" and
 * "ao" network paths kept as names, "as"), arrays '\n'-joined. key names it in lines and JSON. */
typedef struct MonitorProperty {
        const char *name;
        const char *key;
        const char *signature;
} MonitorProperty;

typedef struct MonitorObject MonitorObject;
typedef struct Monitor Monitor;

/* A kind of object and what is said when one comes (announce is false for the first snapshot: a starting
 * point, not news), changes (bits by property index; old: the values before) and goes. */
typedef struct MonitorKind {
        const char *interface;
        const char *prefix;
        const char *noun;               /* "network", "port", "device": lines and event names */
        const MonitorProperty *properties;
        size_t n_properties;
        void (*added)(Monitor *m, const MonitorObject *o, bool announce);
        void (*changed)(Monitor *m, const MonitorObject *o, char *const *old, uint64_t changed);
        void (*removed)(Monitor *m, const MonitorObject *o);
} MonitorKind;

struct MonitorObject {
        const MonitorKind *kind;
        char *id;                       /* network name, port UUID, device id */
        char *values[];                 /* by property index; NULL while unknown */
};

struct Monitor {
        sd_event *event;
        sd_bus *bus;
        bool json;
        const char *filter;             /* a network's name or UUID; NULL for all */
        bool synced;                    /* the first GetManagedObjects has answered */
        bool failed;                    /* stdout broke */
        GHashTable *objects;            /* object path -> MonitorObject */
};

extern const MonitorKind monitor_network_kind, monitor_port_kind, monitor_device_kind;
