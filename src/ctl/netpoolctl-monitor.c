/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: netpoold's signals as one timestamped line per event */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor.h"
#include "ctl/netpoolctl-output.h"

#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

/* sd_bus_match_signal_async() takes no path_namespace or arg0: these two are match strings */
#define PROPERTIES_CHANGED_MATCH                                                \
        "type='signal',sender='" NETPOOL_BUS_NAME "',"                              \
        "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'," \
        "path_namespace='" NETPOOL_NETWORK_PREFIX "',arg0='" NETPOOL_NETWORK_IFACE "'"
#define NAME_OWNER_CHANGED_MATCH                                                \
        "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus'," \
        "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" NETPOOL_BUS_NAME "'"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_event, sd_event_unref)

/* ---- What the monitor remembers: the last known state of each object ---- */

/* The org.netpool1.Network properties that change, in the order a line lists them. */
typedef enum NetworkProperty {
        NET_PROP_MODE,
        NET_PROP_ACTIVE,
        NET_PROP_PERSISTENT,
        NET_PROP_AUTOSTART,
        NET_PROP_CONNECTIONS,
        NET_PROP_CAPACITY,
        NET_PROP_AVAILABLE,
        _NET_PROP_MAX,
} NetworkProperty;

typedef struct PropertyInfo {
        const char *bus_name;
        const char *key;                /* in lines and JSON, as `info --json` names it */
        char type;                      /* 's', 'b' or 'u' */
} PropertyInfo;

static const PropertyInfo network_properties[_NET_PROP_MAX] = {
        [NET_PROP_MODE]        = { "ForwardMode", "mode",        's' },
        [NET_PROP_ACTIVE]      = { "Active",      "active",      'b' },
        [NET_PROP_PERSISTENT]  = { "Persistent",  "persistent",  'b' },
        [NET_PROP_AUTOSTART]   = { "Autostart",   "autostart",   'b' },
        [NET_PROP_CONNECTIONS] = { "Connections", "connections", 'u' },
        [NET_PROP_CAPACITY]    = { "Capacity",    "capacity",    'u' },
        [NET_PROP_AVAILABLE]   = { "Available",   "available",   'u' },
};

/* One device of a pool as GetDevices last listed it. */
typedef struct DeviceEntry {
        char *id;
        char *state;
} DeviceEntry;

typedef struct NetworkState {
        char *name;
        char *uuid;
        char *values[_NET_PROP_MAX];    /* as lines show them: "yes", "8"; NULL while unknown */
        GPtrArray *devices;             /* DeviceEntry by id; NULL while inactive or not read yet */
} NetworkState;

typedef struct PortState {
        char *uuid;
        char *network;                  /* name; NULL when unknown */
        char *owner;
        char *mac;
        char *netdev;
        char *pci_address;
} PortState;

typedef struct Monitor {
        sd_event *event;
        sd_bus *bus;                    /* the Ctl's */
        bool json;
        const char *filter;             /* NETWORK: a name or UUID; NULL shows every network */
        bool synced;                    /* the first GetManagedObjects has answered */
        bool failed;                    /* stdout broke: print nothing more */
        GHashTable *networks;           /* object path -> NetworkState */
        GHashTable *ports;              /* object path -> PortState */
} Monitor;

static void device_entry_free(DeviceEntry *entry) {
        if (!entry)
                return;
        g_free(entry->id);
        g_free(entry->state);
        g_free(entry);
}

static int device_entry_compare(gconstpointer a, gconstpointer b) {
        const DeviceEntry *x = *(DeviceEntry *const *) a, *y = *(DeviceEntry *const *) b;

        return strcmp(x->id, y->id);
}

static void network_state_free(NetworkState *n) {
        if (!n)
                return;
        g_free(n->name);
        g_free(n->uuid);
        for (size_t p = 0; p < _NET_PROP_MAX; p++)
                g_free(n->values[p]);
        g_clear_pointer(&n->devices, g_ptr_array_unref);
        g_free(n);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetworkState, network_state_free)

static void port_state_free(PortState *p) {
        if (!p)
                return;
        g_free(p->uuid);
        g_free(p->network);
        g_free(p->owner);
        g_free(p->mac);
        g_free(p->netdev);
        g_free(p->pci_address);
        g_free(p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PortState, port_state_free)

static void monitor_clear(Monitor *m) {
        if (m->bus)
                (void) sd_bus_detach_event(m->bus);
        g_clear_pointer(&m->event, sd_event_unref);
        g_clear_pointer(&m->networks, g_hash_table_unref);
        g_clear_pointer(&m->ports, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Monitor, monitor_clear)

static bool network_is_active(const NetworkState *n) {
        return streq_ptr(n->values[NET_PROP_ACTIVE], "yes");
}

/* The filter matches a network's name, or its UUID in any case. */
static bool monitor_shows(Monitor *m, const char *network) {
        g_autofree char *path = NULL;
        NetworkState *n;

        if (!m->filter)
                return true;
        if (!network || sd_bus_path_encode(NETPOOL_NETWORK_PREFIX, network, &path) < 0)
                return false;
        n = g_hash_table_lookup(m->networks, path);
        return streq(network, m->filter) ||
               (n && n->uuid && g_ascii_strcasecmp(n->uuid, m->filter) == 0);
}

/* ---- Printing: a line of text or a JSON object per event ---- */

static char *timestamp_now(void) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *seconds = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");

        return g_strdup_printf("%s.%03dZ", seconds, g_date_time_get_microsecond(now) / 1000);
}

/* JSON members after "time", "event" and "network", each with its leading comma. */
static void field_key(GString *fields, const char *key) {
        g_string_append_c(fields, ',');
        json_append_string(fields, key);
        g_string_append_c(fields, ':');
}

static void field_string(GString *fields, const char *key, const char *value) {
        field_key(fields, key);
        if (value)
                json_append_string(fields, value);
        else
                g_string_append(fields, "null");
}

/* A property as JSON: a string, true or false, or a number, the way `info --json` has it */
static void field_property(GString *fields, NetworkProperty p, const char *value) {
        const PropertyInfo *info = &network_properties[p];

        if (!value || info->type == 's') {
                field_string(fields, info->key, value);
                return;
        }
        field_key(fields, info->key);
        if (info->type == 'b')
                g_string_append(fields, streq(value, "yes") ? "true" : "false");
        else
                g_string_append(fields, value);
}

/* Print one event about network (NULL when unknown): text after the time, or a JSON object with
 * fields. Stops the loop when stdout fails. */
static void monitor_print(Monitor *m, const char *event, const char *network, const GString *fields,
                          const char *text) {
        g_autofree char *stamp = NULL;
        g_autofree char *line = NULL;

        if (m->failed || !monitor_shows(m, network))
                return;
        stamp = timestamp_now();
        if (m->json) {
                GString *json = g_string_new("{\"time\":");

                json_append_string(json, stamp);
                field_string(json, "event", event);
                field_string(json, "network", network);
                g_string_append_printf(json, "%s}\n", fields ? fields->str : "");
                line = g_string_free(json, FALSE);
        } else {
                g_autofree char *safe = text_sanitize(text);

                line = g_strdup_printf("%s %s\n", stamp, safe);
        }
        /* output_print() flushes: scripts read the lines as they come */
        if (output_print(line) != CTL_EXIT_SUCCESS) {
                m->failed = true;
                (void) sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
}

static void report_network_defined(Monitor *m, const NetworkState *n) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *mode = n->values[NET_PROP_MODE];
        const char *persistent = n->values[NET_PROP_PERSISTENT];
        g_autofree char *text = g_strdup_printf("network %s defined (%s, %s)", n->name, mode ?: "?",
                                                streq_ptr(persistent, "yes") ? "persistent" :
                                                                               "transient");

        field_string(fields, "uuid", n->uuid);
        field_property(fields, NET_PROP_MODE, mode);
        field_property(fields, NET_PROP_PERSISTENT, persistent);
        monitor_print(m, "network-defined", n->name, fields, text);
}

static void report_network_started(Monitor *m, const NetworkState *n) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *capacity = n->values[NET_PROP_CAPACITY];
        const char *available = n->values[NET_PROP_AVAILABLE];
        g_autofree char *text = g_strdup_printf("network %s started (capacity %s, available %s)",
                                                n->name, capacity ?: "?", available ?: "?");

        field_property(fields, NET_PROP_CAPACITY, capacity);
        field_property(fields, NET_PROP_AVAILABLE, available);
        monitor_print(m, "network-started", n->name, fields, text);
}

static void report_network_plain(Monitor *m, const NetworkState *n, const char *event,
                                 const char *done) {
        g_autofree char *text = g_strdup_printf("network %s %s", n->name, done);

        monitor_print(m, event, n->name, NULL, text);
}

/* "network NAME changed: connections 0 -> 1, available 8 -> 7"; JSON has the new values as
 * members and the old ones in "previous". */
static void report_network_changed(Monitor *m, const NetworkState *n, char *const *old,
                                   const bool *changed) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autoptr(GString) previous = g_string_new(NULL);
        g_autoptr(GString) text = g_string_new(NULL);
        bool first = true;

        g_string_printf(text, "network %s changed:", n->name);
        for (NetworkProperty p = 0; p < _NET_PROP_MAX; p++) {
                if (!changed[p])
                        continue;
                g_string_append_printf(text, "%s %s %s -> %s", first ? "" : ",",
                                       network_properties[p].key, old[p] ?: "?", n->values[p]);
                first = false;
                field_property(fields, p, n->values[p]);
                field_property(previous, p, old[p]);
        }
        g_string_append(fields, ",\"previous\":{");
        g_string_append(fields, previous->str + 1);     /* past its leading comma */
        g_string_append_c(fields, '}');
        monitor_print(m, "network-changed", n->name, fields, text->str);
}

/* What an update says: started or stopped, and then whatever else changed besides what starting
 * and stopping change anyway (the pool counts). changed[] is consumed. */
static void report_network_update(Monitor *m, const NetworkState *n, char *const *old,
                                  bool *changed) {
        bool any = false;

        if (changed[NET_PROP_ACTIVE]) {
                if (network_is_active(n))
                        report_network_started(m, n);
                else
                        report_network_plain(m, n, "network-stopped", "stopped");
                changed[NET_PROP_ACTIVE] = changed[NET_PROP_CONNECTIONS] = false;
                changed[NET_PROP_CAPACITY] = changed[NET_PROP_AVAILABLE] = false;
        }
        for (NetworkProperty p = 0; p < _NET_PROP_MAX; p++)
                any = any || changed[p];
        if (any)
                report_network_changed(m, n, old, changed);
}

/* Taking a device and giving it back: the port lines say that */
static bool device_state_is_routine(const char *state) {
        return streq(state, "free") || streq(state, "in-use");
}

/* What a line says happened to a device that was in state was (NULL: not in the pool) and is
 * now in state now (NULL: gone). */
static char *device_change_words(const char *was, const char *now) {
        if (!now)
                return g_strdup("vanished");
        if (!was)
                return streq(now, "free") ? g_strdup("appeared") :
                                            g_strdup_printf("appeared (%s)", now);
        if (streq(now, "unavailable"))
                return g_strdup("became unavailable");
        if (streq(now, "lost"))
                return g_strdup("was lost");
        if (streq(now, "restore-failed"))
                return g_strdup("could not be restored");
        if (streq(now, "free") && streq(was, "restore-failed"))
                return g_strdup("was restored");
        if (streq(now, "free"))
                return g_strdup("is available again");
        if (streq(now, "in-use"))
                return g_strdup("is in use again");
        return g_strdup_printf("changed from %s to %s", was, now);
}

static void report_device(Monitor *m, const NetworkState *n, const char *id, const char *was,
                          const char *now) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autofree char *words = device_change_words(was, now);
        g_autofree char *text = g_strdup_printf("device %s on %s %s", id, n->name, words);

        field_string(fields, "device", id);
        if (now)
                field_string(fields, "state", now);
        if (was && now)
                field_string(fields, "previous_state", was);
        monitor_print(m, !now ? "device-vanished" : !was ? "device-appeared" : "device-state",
                      n->name, fields, text);
}

/* Walk both lists (sorted by id) side by side: devices gone, new, or whose state changed in a way
 * that needs someone's attention. */
static void report_device_changes(Monitor *m, const NetworkState *n, const GPtrArray *old,
                                  const GPtrArray *fresh) {
        guint i = 0, k = 0;

        while (i < old->len || k < fresh->len) {
                const DeviceEntry *was = i < old->len ? old->pdata[i] : NULL;
                const DeviceEntry *now = k < fresh->len ? fresh->pdata[k] : NULL;
                int order = !was ? 1 : !now ? -1 : strcmp(was->id, now->id);

                if (order < 0)
                        report_device(m, n, was->id, was->state, NULL);
                else if (order > 0)
                        report_device(m, n, now->id, NULL, now->state);
                else if (!streq(was->state, now->state) && !(device_state_is_routine(was->state) &&
                                                             device_state_is_routine(now->state)))
                        report_device(m, n, now->id, was->state, now->state);
                i += order <= 0;
                k += order >= 0;
        }
}

/* As `ports` names it: the PCI address of a VF, else the netdev or bridge; NULL for none. */
static const char *port_device(const PortState *p) {
        if (p->pci_address && *p->pci_address)
                return p->pci_address;
        return p->netdev && *p->netdev ? p->netdev : NULL;
}

/* "port UUID allocated on NETWORK (DEVICE, OWNER)" */
static void report_port(Monitor *m, const PortState *p, const char *event, const char *done) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autofree char *text = NULL;

        field_string(fields, "port", p->uuid);
        field_string(fields, "device", port_device(p));
        field_string(fields, "owner", p->owner);
        field_string(fields, "mac", p->mac);
        text = g_strdup_printf("port %s %s%s%s (%s, %s)", p->uuid, done, p->network ? " on " : "",
                               p->network ?: "", port_device(p) ?: "-", p->owner ?: "-");
        monitor_print(m, event, p->network, fields, text);
}

/* ---- Reading the daemon's messages ---- */

/* A string or object path variant into *field; a variant of another type is skipped. */
static int read_variant_string(sd_bus_message *msg, char type, char **field) {
        const char *contents, *s;
        char t;
        int r;

        r = sd_bus_message_peek_type(msg, &t, &contents);
        if (r < 0)
                return r;
        if (contents[0] != type || contents[1] != '\0')
                return sd_bus_message_skip(msg, "v");
        r = sd_bus_message_read(msg, "v", contents, &s);
        if (r < 0)
                return r;
        g_free(*field);
        *field = g_strdup(s);
        return 0;
}

/* A property's variant into *value in the form lines show: "yes" or "no", a decimal number. */
static int read_property_value(sd_bus_message *msg, const PropertyInfo *info, char **value) {
        const char *contents;
        uint32_t number;
        char t;
        int b, r;

        if (info->type == 's')
                return read_variant_string(msg, 's', value);
        r = sd_bus_message_peek_type(msg, &t, &contents);
        if (r < 0)
                return r;
        /* a newer daemon may change a type: not this property as we know it */
        if (contents[0] != info->type || contents[1] != '\0')
                return sd_bus_message_skip(msg, "v");
        r = info->type == 'b' ? sd_bus_message_read(msg, "v", "b", &b) :
                                sd_bus_message_read(msg, "v", "u", &number);
        if (r < 0)
                return r;
        g_free(*value);
        *value = info->type == 'b' ? g_strdup(b ? "yes" : "no") : g_strdup_printf("%u", number);
        return 0;
}

static int read_network_property(sd_bus_message *msg, const char *name, void *userdata) {
        NetworkState *into = userdata;

        if (streq(name, "Name"))
                return read_variant_string(msg, 's', &into->name);
        if (streq(name, "UUID"))
                return read_variant_string(msg, 's', &into->uuid);
        for (NetworkProperty p = 0; p < _NET_PROP_MAX; p++)
                if (streq(name, network_properties[p].bus_name))
                        return read_property_value(msg, &network_properties[p], &into->values[p]);
        return sd_bus_message_skip(msg, "v");
}

static int read_port_property(sd_bus_message *msg, const char *name, void *userdata) {
        g_autofree char *network_path = NULL;
        PortState *into = userdata;
        int r;

        if (streq(name, "UUID"))
                return read_variant_string(msg, 's', &into->uuid);
        if (streq(name, "OwnerName"))
                return read_variant_string(msg, 's', &into->owner);
        if (streq(name, "MAC"))
                return read_variant_string(msg, 's', &into->mac);
        if (streq(name, "Device"))
                return read_variant_string(msg, 's', &into->netdev);
        if (streq(name, "PCIAddress"))
                return read_variant_string(msg, 's', &into->pci_address);
        if (!streq(name, "Network"))
                return sd_bus_message_skip(msg, "v");
        r = read_variant_string(msg, 'o', &network_path);
        if (r < 0 || !network_path)
                return r;
        g_clear_pointer(&into->network, g_free);
        (void) sd_bus_path_decode(network_path, NETPOOL_NETWORK_PREFIX, &into->network);
        return 0;
}

/* GetDevices of the network at path, as id and state, sorted by id. */
static int read_devices(Monitor *m, const char *path, GPtrArray **ret) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GPtrArray) list = NULL;
        const char *id, *state;
        int r;

        r = ctl_call(m->bus, path, NETPOOL_NETWORK_IFACE, "GetDevices", &error, &reply, "t",
                     UINT64_C(0));
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(ssssisus)");
        if (r < 0)
                return r;
        list = g_ptr_array_new_with_free_func((GDestroyNotify) device_entry_free);
        while ((r = sd_bus_message_read(reply, "(ssssisus)", &id, NULL, NULL, NULL, NULL, &state,
                                        NULL, NULL)) > 0) {
                DeviceEntry *entry = g_new(DeviceEntry, 1);

                *entry = (DeviceEntry) { .id = g_strdup(id), .state = g_strdup(state) };
                g_ptr_array_add(list, entry);
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        g_ptr_array_sort(list, device_entry_compare);
        *ret = g_steal_pointer(&list);
        return 0;
}

/* ---- Keeping the state and telling what changed ---- */

/* Read the pool again; with announce, say how it differs from the last reading. */
static void network_read_devices(Monitor *m, const char *path, NetworkState *n, bool announce) {
        const char *capacity = n->values[NET_PROP_CAPACITY];
        g_autoptr(GPtrArray) fresh = NULL;

        /* the network may be gone already, or the daemon on its way out: the next signal says */
        if (read_devices(m, path, &fresh) < 0)
                return;
        /* The answer is the pool as it is now, which can be past the signal in hand (a forced stop
         * releases ports and then stops): one that disagrees with it waits for the next signal. */
        if (capacity && g_ascii_strtoull(capacity, NULL, 10) != fresh->len)
                return;
        if (announce && n->devices)
                report_device_changes(m, n, n->devices, fresh);
        g_clear_pointer(&n->devices, g_ptr_array_unref);
        n->devices = g_steal_pointer(&fresh);
}

/* Take the known values of update into n, reporting the changes with announce. update is left
 * with the old values. */
static void network_update(Monitor *m, const char *path, NetworkState *n, NetworkState *update,
                           bool announce) {
        bool changed[_NET_PROP_MAX] = {};
        bool was_active = network_is_active(n);

        for (NetworkProperty p = 0; p < _NET_PROP_MAX; p++) {
                char *was = n->values[p];

                if (!update->values[p] || streq_ptr(was, update->values[p]))
                        continue;
                changed[p] = true;
                n->values[p] = update->values[p];
                update->values[p] = was;
        }
        if (update->uuid && !n->uuid)
                n->uuid = g_steal_pointer(&update->uuid);
        if (announce)
                report_network_update(m, n, update->values, changed);

        if (!network_is_active(n))
                g_clear_pointer(&n->devices, g_ptr_array_unref);
        else
                /* a pool that was not up before is a baseline, not news */
                network_read_devices(m, path, n, announce && was_active);
}

/* A network in an InterfacesAdded or a snapshot: new, or (a snapshot after a restart) known. */
static void network_added(Monitor *m, const char *path, NetworkState **update, bool announce) {
        NetworkState *n = g_hash_table_lookup(m->networks, path);

        if (n) {
                network_update(m, path, n, *update, announce);
                return;
        }
        n = g_steal_pointer(update);
        if (!n->name && sd_bus_path_decode(path, NETPOOL_NETWORK_PREFIX, &n->name) <= 0)
                n->name = g_strdup(path);
        g_hash_table_replace(m->networks, g_strdup(path), n);
        if (announce) {
                report_network_defined(m, n);
                if (network_is_active(n))
                        report_network_started(m, n);
        }
        if (network_is_active(n))
                network_read_devices(m, path, n, /* announce= */ false);
}

static void network_removed(Monitor *m, const char *path) {
        NetworkState *n = g_hash_table_lookup(m->networks, path);
        g_autoptr(NetworkState) unknown = NULL;

        if (!n) {
                n = unknown = g_new0(NetworkState, 1);
                if (sd_bus_path_decode(path, NETPOOL_NETWORK_PREFIX, &unknown->name) <= 0)
                        return;
        }
        /* a transient network goes away when it stops, without a PropertiesChanged */
        if (network_is_active(n))
                report_network_plain(m, n, "network-stopped", "stopped");
        report_network_plain(m, n, "network-removed", "removed");
        g_hash_table_remove(m->networks, path);
}

static void port_added(Monitor *m, const char *path, PortState **port, bool announce) {
        PortState *p;

        /* a port's properties never change: one already known is old news */
        if (g_hash_table_contains(m->ports, path))
                return;
        p = g_steal_pointer(port);
        if (!p->uuid && sd_bus_path_decode(path, NETPOOL_PORT_PREFIX, &p->uuid) <= 0)
                p->uuid = g_strdup(path);
        g_hash_table_replace(m->ports, g_strdup(path), p);
        if (announce)
                report_port(m, p, "port-allocated", "allocated");
}

static void port_removed(Monitor *m, const char *path) {
        PortState *p = g_hash_table_lookup(m->ports, path);
        g_autoptr(PortState) unknown = NULL;

        if (!p) {
                p = unknown = g_new0(PortState, 1);
                if (sd_bus_path_decode(path, NETPOOL_PORT_PREFIX, &unknown->uuid) <= 0)
                        return;
        }
        report_port(m, p, "port-released", "released");
        g_hash_table_remove(m->ports, path);
}

/* The a{sa{sv}} of one object, as InterfacesAdded and GetManagedObjects carry it. */
static int read_interfaces(Monitor *m, sd_bus_message *msg, const char *path, bool announce) {
        const char *interface;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sa{sv}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sa{sv}")) > 0) {
                r = sd_bus_message_read(msg, "s", &interface);
                if (r < 0)
                        return r;
                if (streq(interface, NETPOOL_NETWORK_IFACE)) {
                        g_autoptr(NetworkState) update = g_new0(NetworkState, 1);

                        r = ctl_read_properties(msg, read_network_property, update);
                        if (r >= 0)
                                network_added(m, path, &update, announce);
                } else if (streq(interface, NETPOOL_PORT_IFACE)) {
                        g_autoptr(PortState) port = g_new0(PortState, 1);

                        r = ctl_read_properties(msg, read_port_property, port);
                        if (r >= 0)
                                port_added(m, path, &port, announce);
                } else {
                        r = sd_bus_message_skip(msg, "a{sv}");
                }
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

/* ---- Signal and reply handlers ---- */

static int report_bad_signal(sd_bus_message *msg, int r) {
        ctl_error("ignoring a malformed %s signal from netpoold: %s",
                  sd_bus_message_get_member(msg), strerror(-r));
        return 0;
}

static int on_interfaces_added(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *path;
        int r;

        /* before the first snapshot: already in it */
        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "o", &path);
        if (r >= 0)
                r = read_interfaces(m, msg, path, /* announce= */ true);
        return r < 0 ? report_bad_signal(msg, r) : 0;
}

static int on_interfaces_removed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        bool port = false, network = false;
        const char *path, *interface;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "o", &path);
        if (r >= 0)
                r = sd_bus_message_enter_container(msg, 'a', "s");
        while (r >= 0 && (r = sd_bus_message_read(msg, "s", &interface)) > 0) {
                port = port || streq(interface, NETPOOL_PORT_IFACE);
                network = network || streq(interface, NETPOOL_NETWORK_IFACE);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return report_bad_signal(msg, r);
        if (port)
                port_removed(m, path);
        if (network)
                network_removed(m, path);
        return 0;
}

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        g_autoptr(NetworkState) update = g_new0(NetworkState, 1);
        const char *path = sd_bus_message_get_path(msg);
        const char *interface;
        NetworkState *n;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "s", &interface);
        if (r >= 0)
                r = ctl_read_properties(msg, read_network_property, update);
        if (r < 0)
                return report_bad_signal(msg, r);
        if (!streq(interface, NETPOOL_NETWORK_IFACE))
                return 0;
        n = g_hash_table_lookup(m->networks, path);
        if (n)
                network_update(m, path, n, update, /* announce= */ true);
        else
                /* missed its InterfacesAdded: learn it quietly, report from now on */
                network_added(m, path, &update, /* announce= */ false);
        return 0;
}

/* Objects the snapshot no longer has went away while the daemon was not there to say so. */
static void remove_unseen(Monitor *m, GHashTable *table, GHashTable *seen,
                          void (*removed)(Monitor *, const char *)) {
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter iter;
        const char *path;

        g_hash_table_iter_init(&iter, table);
        while (g_hash_table_iter_next(&iter, (gpointer *) &path, NULL))
                if (!g_hash_table_contains(seen, path))
                        g_ptr_array_add(gone, g_strdup(path));
        for (guint i = 0; i < gone->len; i++)
                removed(m, gone->pdata[i]);
}

static int read_managed_objects(Monitor *m, sd_bus_message *reply, bool announce) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        const char *path;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
                r = sd_bus_message_read(reply, "o", &path);
                if (r < 0)
                        return r;
                g_hash_table_add(seen, g_strdup(path));
                r = read_interfaces(m, reply, path, announce);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        if (announce) {
                /* ports first: they belong to networks */
                remove_unseen(m, m->ports, seen, port_removed);
                remove_unseen(m, m->networks, seen, network_removed);
        }
        return sd_bus_message_exit_container(reply);
}

/* The first answer is the baseline; later ones (the daemon restarted) are compared with it. */
static int on_managed_objects(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        int r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                if (m->synced)
                        return 0;       /* gone again; its next start brings another snapshot */
                (void) ctl_report_error("read netpoold's networks and ports",
                                        sd_bus_message_get_error(reply), -EIO);
                return sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
        r = read_managed_objects(m, reply, /* announce= */ m->synced);
        if (r < 0) {
                (void) ctl_report_bad_reply("GetManagedObjects", r);
                return m->synced ? 0 : sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
        m->synced = true;
        return 0;
}

static int request_managed_objects(Monitor *m) {
        return sd_bus_call_method_async(m->bus, NULL, NETPOOL_BUS_NAME, NETPOOL_MANAGER_PATH,
                                        OBJECT_MANAGER_INTERFACE, "GetManagedObjects",
                                        on_managed_objects, m, NULL);
}

/* A new netpoold has loaded its state from disk: find out what differs from what we knew. */
static int on_name_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return report_bad_signal(msg, r);
        /* asking a daemon that has just left would only start it again */
        if (!*new_owner)
                return 0;
        r = request_managed_objects(m);
        if (r < 0)
                ctl_error("cannot ask the new netpoold for its state: %s", strerror(-r));
        return 0;
}

static int on_match_installed(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const sd_bus_error *error = sd_bus_message_get_error(reply);

        if (!error)
                return 0;
        ctl_error("cannot subscribe to netpoold's signals: %s", error->message ?: error->name);
        return sd_event_exit(m->event, CTL_EXIT_FAILURE);
}

/* sd-bus makes a lost connection a local Disconnected signal, which only filters and matches see */
static int on_message(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;

        if (!sd_bus_message_is_signal(msg, "org.freedesktop.DBus.Local", "Disconnected"))
                return 0;
        ctl_error("lost the connection to the system bus");
        return sd_event_exit(m->event, CTL_EXIT_FAILURE);
}

/* ---- The verb ---- */

static int monitor_subscribe(Monitor *m) {
        int r;

        r = sd_bus_add_filter(m->bus, NULL, on_message, m);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(m->bus, NULL, NETPOOL_BUS_NAME, NETPOOL_MANAGER_PATH,
                                      OBJECT_MANAGER_INTERFACE, "InterfacesAdded",
                                      on_interfaces_added, on_match_installed, m);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(m->bus, NULL, NETPOOL_BUS_NAME, NETPOOL_MANAGER_PATH,
                                      OBJECT_MANAGER_INTERFACE, "InterfacesRemoved",
                                      on_interfaces_removed, on_match_installed, m);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(m->bus, NULL, PROPERTIES_CHANGED_MATCH, on_properties_changed,
                                   on_match_installed, m);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(m->bus, NULL, NAME_OWNER_CHANGED_MATCH, on_name_owner_changed,
                                   on_match_installed, m);
        if (r < 0)
                return r;
        /* queued after the matches, so every signal after this snapshot reaches us */
        return request_managed_objects(m);
}

static int monitor_setup(Monitor *m) {
        static const int stop_signals[] = { SIGINT, SIGTERM };
        sigset_t mask;
        int r;

        r = sd_event_new(&m->event);
        if (r < 0)
                return r;
        sigemptyset(&mask);
        for (size_t i = 0; i < G_N_ELEMENTS(stop_signals); i++) {
                /* sd-event takes them through a signalfd, so their default action must not run;
                 * without a handler the loop ends with status 0 */
                sigaddset(&mask, stop_signals[i]);
                if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                        return -errno;
                r = sd_event_add_signal(m->event, NULL, stop_signals[i], NULL, NULL);
                if (r < 0)
                        return r;
        }
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        return monitor_subscribe(m);
}

static int verb_monitor(Ctl *ctl, const VerbArgs *args) {
        g_auto(Monitor) m = {
                .json = ctl->json,
                .filter = verb_args_arg(args, 0),
                .networks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) network_state_free),
                .ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) port_state_free),
        };
        int r;

        if (ctl_connect(ctl, &m.bus) < 0)
                return CTL_EXIT_FAILURE;
        r = monitor_setup(&m);
        if (r < 0) {
                ctl_error("cannot set up monitoring: %s", strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        /* for people only: a script reading the lines wants events and nothing else */
        if (!m.json && isatty(STDOUT_FILENO) &&
            output_print("Monitoring netpool events (Ctrl-C to stop)\n") != CTL_EXIT_SUCCESS)
                return CTL_EXIT_FAILURE;

        r = sd_event_loop(m.event);
        if (r < 0) {
                ctl_error("monitoring failed: %s", strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        return r;
}

const Verb monitor_verbs[] = {
        {
                .name = "monitor",
                .group = "Events",
                .synopsis = "[NETWORK]",
                .summary = "Print netpool events as they happen",
                .description =
                        "One line per event, with the time (UTC): networks defined, started,\n"
                        "stopped, changed and removed; ports allocated and released; devices\n"
                        "appearing, vanishing or changing state. NETWORK (a name or UUID) shows\n"
                        "only that network's events; it need not exist yet. --json prints one\n"
                        "JSON object per line. Runs until interrupted.",
                .max_args = 1,
                .run = verb_monitor,
        },
        {}
};
