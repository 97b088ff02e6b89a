/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor's mirror of netpoold's objects: what each kind of object keeps, how a signal updates it,
 * and how a line names a value */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

/* One property as the monitor keeps it: a string in the form lines show. */
typedef struct MonitorProperty {
        const char *bus_name;
        const char *key;                /* in lines and JSON, as `info --json` and `devices --json` name it */
        /* 's' string, 'b' flag ("yes"/"no"), 'u' number, 'i' number where -1 is none, 'o' object path and
         * 'O' array of them (the segment under prefix), 'S' array of strings; arrays kept '\n'-joined */
        char type;
        const char *prefix;             /* 'o', 'O' */
} MonitorProperty;

typedef struct Monitor Monitor;
typedef struct MonitorObject MonitorObject;

/* What the monitor says when an object comes, changes (changed: bits by property index, old: the values
 * before) and goes. added's announce is false for what the first snapshot shows: a starting point, not news. */
typedef struct MonitorKind {
        const char *interface;
        const char *prefix;             /* of the object paths: the id is the segment under it */
        const MonitorProperty *properties;
        size_t n_properties;
        void (*added)(Monitor *m, const MonitorObject *o, bool announce);
        void (*changed)(Monitor *m, const MonitorObject *o, char *const *old, uint64_t changed);
        void (*removed)(Monitor *m, const MonitorObject *o);
} MonitorKind;

struct MonitorObject {
        const MonitorKind *kind;
        char *id;                       /* network name, port UUID, device id */
        char **values;                  /* by property index; NULL while unknown */
};

struct Monitor {
        sd_event *event;
        sd_bus *bus;                    /* the Ctl's */
        bool json;
        const char *filter;             /* NETWORK: a name or UUID; NULL shows every network */
        bool synced;                    /* the first GetManagedObjects has answered */
        bool failed;                    /* stdout broke: print nothing more */
        GHashTable *objects;            /* object path -> MonitorObject */
};

extern const MonitorKind monitor_network_kind, monitor_port_kind, monitor_device_kind;

/* The network kind's properties, by index (the filter and the other kinds read them). */
typedef enum MonitorNetworkProperty {
        NET_PROP_UUID,
        NET_PROP_MODE,
        NET_PROP_ACTIVE,
        NET_PROP_PERSISTENT,
        NET_PROP_AUTOSTART,
        NET_PROP_CONNECTIONS,
        NET_PROP_CAPACITY,
        NET_PROP_AVAILABLE,
        _NET_PROP_MAX,
} MonitorNetworkProperty;

/* The kind that serves interface, or NULL. */
const MonitorKind *monitor_kind_of(const char *interface);

MonitorObject *monitor_object_new(const MonitorKind *kind, const char *path);
void monitor_object_free(MonitorObject *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MonitorObject, monitor_object_free)

/* The a{sv} at msg into o's values; *changed gets the bits of the values that differ, and *old (a new array,
 * n_properties long, to g_strfreev()-like free with monitor_values_free()) what they were. */
int monitor_object_read(MonitorObject *o, sd_bus_message *msg, uint64_t *changed, char ***old);
void monitor_values_free(const MonitorKind *kind, char **values);

/* The network object called name, or NULL. */
const MonitorObject *monitor_network(Monitor *m, const char *name);

/* The value of property p (an index of o's kind) or NULL while unknown. */
static inline const char *monitor_value(const MonitorObject *o, size_t p) {
        return o->values[p];
}

/* A value as a line shows it: "?" unknown, "-" empty or none, arrays comma-separated. */
char *monitor_value_text(const MonitorProperty *p, const char *value);
/* ",\"KEY\":VALUE": strings, true/false, numbers, null, arrays of strings. */
void monitor_field_value(GString *fields, const MonitorProperty *p, const char *value);
/* ",\"KEY\":\"VALUE\"", or null. */
void monitor_field_string(GString *fields, const char *key, const char *value);

/* What changed, for a "changed:" line: "KEY OLD -> NEW, …" appended to text, the new values as members of
 * fields and the old ones in its "previous" object. */
void monitor_describe_changes(const MonitorObject *o, char *const *old, uint64_t changed, GString *text,
                              GString *fields);

/* Print one event about network (NULL: none) when the filter shows it: text after the time, or a JSON object
 * with fields. Stops the loop when stdout fails. */
void monitor_print(Monitor *m, const char *event, const char *network, const GString *fields, const char *text);
