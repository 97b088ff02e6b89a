/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: what a line says when a network, port or device comes, changes or goes */
#include <string.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-event.h"
#include "ctl/netpoolctl-output.h"
#include "ctl/netpoolctl-verb.h"

#define BIT(p) (UINT64_C(1) << (p))

enum { NET_UUID, NET_MODE, NET_ACTIVE, NET_PERSISTENT, NET_AUTOSTART, NET_CONNECTIONS, NET_CAPACITY, NET_AVAILABLE };
static const MonitorProperty network_properties[] = {
        { "UUID", "uuid", "s" },                { "ForwardMode", "mode", "s" },
        { "Active", "active", "b" },            { "Persistent", "persistent", "b" },
        { "Autostart", "autostart", "b" },      { "Connections", "connections", "u" },
        { "Capacity", "capacity", "u" },        { "Available", "available", "u" },
};

enum { PORT_NETWORK, PORT_OWNER, PORT_MAC, PORT_NETDEV, PORT_PCI_ADDRESS, PORT_HEALTH };
static const MonitorProperty port_properties[] = {
        { "Network", "network", "o" },          { "OwnerName", "owner", "s" },
        { "MAC", "mac", "s" },                  { "Device", "netdev", "s" },
        { "PCIAddress", "pci_address", "s" },   { "Health", "health", "s" },
};

/* Port is left to the port lines, PF (the PF's netdev) to the PF's own netdevs line. */
enum { DEV_STATE, DEV_NETWORKS, DEV_HOLDER };
static const MonitorProperty device_properties[] = {
        { "State", "state", "s" },              { "Networks", "networks", "ao" },
        { "Holder", "holder", "s" },            { "Driver", "driver", "s" },
        { "Netdevs", "netdevs", "as" },         { "NUMANode", "numa_node", "i" },
        { "PCIeRoot", "pcie_root", "s" },       { "IOMMUGroup", "iommu_group", "i" },
        { "LinkType", "link_type", "s" },       { "EswitchMode", "eswitch_mode", "s" },
        { "PFAddress", "pf_address", "s" },     { "VFIndex", "vf_index", "i" },
        { "Vendor", "vendor", "s" },            { "Product", "product", "s" },
};

/* ---- Values and the line ---- */

/* A number whose -1 says none */
static bool value_is_no_number(const char *signature, const char *value) {
        return streq(signature, "i") && streq(value, "-1");
}

/* As a line shows it: "?" unknown, "-" empty or none, arrays comma-separated. */
static char *value_text(const MonitorProperty *p, const char *value) {
        if (!value)
                return g_strdup("?");
        if (!*value || value_is_no_number(p->signature, value))
                return g_strdup("-");
        return g_strdelimit(g_strdup(value), "\n", ',');
}

/* ",\"KEY\":VALUE" with the JSON type of the property's signature; null while unknown */
static void field(GString *fields, const char *key, const char *signature, const char *value) {
        g_auto(GStrv) items = NULL;

        g_string_append_c(fields, ',');
        json_append_string(fields, key);
        g_string_append_c(fields, ':');
        if (!value || value_is_no_number(signature, value))
                g_string_append(fields, "null");
        else if (strchr("so", signature[0]))
                json_append_string(fields, value);
        else if (streq(signature, "b"))
                g_string_append(fields, streq(value, "yes") ? "true" : "false");
        else if (signature[0] != 'a')
                g_string_append(fields, value);
        else {
                items = g_strsplit(value, "\n", -1);
                g_string_append_c(fields, '[');
                for (size_t i = 0; *value && items[i]; i++) {
                        if (i > 0)
                                g_string_append_c(fields, ',');
                        json_append_string(fields, items[i]);
                }
                g_string_append_c(fields, ']');
        }
}

static void field_string(GString *fields, const char *key, const char *value) {
        field(fields, key, "s", value);
}

static void field_of(GString *fields, const MonitorObject *o, size_t p) {
        field(fields, o->kind->properties[p].key, o->kind->properties[p].signature, o->values[p]);
}

static const char *value_or_null(const MonitorObject *o, size_t p) {
        return o->values[p] && *o->values[p] ? o->values[p] : NULL;
}

/* The filter matches a network's name, or its UUID in any case. */
static bool monitor_shows(Monitor *m, const char *network) {
        g_autofree char *path = NULL;
        const MonitorObject *n;

        if (!m->filter || streq_ptr(network, m->filter))
                return true;
        if (!network || sd_bus_path_encode(NETPOOL_NETWORK_PREFIX, network, &path) < 0)
                return false;
        n = g_hash_table_lookup(m->objects, path);
        return n && n->values[NET_UUID] && g_ascii_strcasecmp(n->values[NET_UUID], m->filter) == 0;
}

/* One event about network (NULL: none): the time and text, or a JSON object with fields. */
static void monitor_print(Monitor *m, const char *event, const char *network, const GString *fields,
                          const char *text) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *seconds = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S"), *safe = NULL;
        g_autoptr(GString) line = g_string_new(NULL);

        if (m->failed || !monitor_shows(m, network))
                return;
        g_string_printf(line, "%s%s.%03dZ%s", m->json ? "{\"time\":\"" : "", seconds,
                        g_date_time_get_microsecond(now) / 1000, m->json ? "\"" : " ");
        if (m->json) {
                field_string(line, "event", event);
                field_string(line, "network", network);
                g_string_append_printf(line, "%s}\n", fields ? fields->str : "");
        } else {
                safe = text_sanitize(text);
                g_string_append_printf(line, "%s\n", safe);
        }
        /* output_print() flushes: scripts read the lines as they come */
        if (output_print(line->str) != CTL_EXIT_SUCCESS) {
                m->failed = true;
                (void) sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
}

/* "NOUN ID[ on NETWORK] changed: KEY OLD -> NEW, …", the new values as fields and the old ones under
 * "previous"; a network's own line needs no id field (its network field is the id). */
static void report_changes(Monitor *m, const MonitorObject *o, const char *network, char *const *old,
                           uint64_t changed) {
        g_autoptr(GString) text = g_string_new(NULL), fields = g_string_new(NULL), previous = g_string_new(NULL);
        const MonitorKind *kind = o->kind;
        g_autofree char *event = g_strconcat(kind->noun, "-changed", NULL);
        const char *on = kind != &monitor_network_kind ? network : NULL;      /* a network's line is its own */
        bool first = true;

        g_string_printf(text, "%s %s%s%s changed:", kind->noun, o->id, on ? " on " : "", on ?: "");
        if (kind != &monitor_network_kind)
                field_string(fields, kind->noun, o->id);
        for (size_t p = 0; p < kind->n_properties; p++) {
                g_autofree char *was = NULL, *now = NULL;

                if (!(changed & BIT(p)))
                        continue;
                was = value_text(&kind->properties[p], old[p]);
                now = value_text(&kind->properties[p], o->values[p]);
                g_string_append_printf(text, "%s %s %s -> %s", first ? "" : ",", kind->properties[p].key, was, now);
                first = false;
                field_of(fields, o, p);
                field(previous, kind->properties[p].key, kind->properties[p].signature, old[p]);
        }
        g_string_append_printf(fields, ",\"previous\":{%s}", previous->len ? previous->str + 1 : "");
        monitor_print(m, event, network, fields, text->str);
}

/* ---- Networks: defined, started, changed, stopped, removed ---- */

static void network_started(Monitor *m, const MonitorObject *n) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autofree char *text = g_strdup_printf("network %s started (capacity %s, available %s)", n->id,
                                                n->values[NET_CAPACITY] ?: "?", n->values[NET_AVAILABLE] ?: "?");

        field_of(fields, n, NET_CAPACITY);
        field_of(fields, n, NET_AVAILABLE);
        monitor_print(m, "network-started", n->id, fields, text);
}

static void network_plain(Monitor *m, const MonitorObject *n, const char *what) {
        g_autofree char *event = g_strconcat("network-", what, NULL);
        g_autofree char *text = g_strdup_printf("network %s %s", n->id, what);

        monitor_print(m, event, n->id, NULL, text);
}

static bool network_is_active(const MonitorObject *n) {
        return streq_ptr(n->values[NET_ACTIVE], "yes");
}

static void network_added(Monitor *m, const MonitorObject *n, bool announce) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autofree char *text = NULL;

        if (!announce)
                return;
        text = g_strdup_printf("network %s defined (%s, %s)", n->id, n->values[NET_MODE] ?: "?",
                               streq_ptr(n->values[NET_PERSISTENT], "yes") ? "persistent" : "transient");
        field_of(fields, n, NET_UUID);
        field_of(fields, n, NET_MODE);
        field_of(fields, n, NET_PERSISTENT);
        monitor_print(m, "network-defined", n->id, fields, text);
        if (network_is_active(n))
                network_started(m, n);
}

/* Started or stopped (which changes the pool counts anyway), then whatever else changed. UUID is const. */
static void network_changed(Monitor *m, const MonitorObject *n, char *const *old, uint64_t changed) {
        changed &= ~BIT(NET_UUID);
        if (changed & BIT(NET_ACTIVE)) {
                if (network_is_active(n))
                        network_started(m, n);
                else
                        network_plain(m, n, "stopped");
                changed &= ~(BIT(NET_ACTIVE) | BIT(NET_CONNECTIONS) | BIT(NET_CAPACITY) | BIT(NET_AVAILABLE));
        }
        if (changed)
                report_changes(m, n, n->id, old, changed);
}

/* a transient network goes away when it stops, without a PropertiesChanged */
static void network_removed(Monitor *m, const MonitorObject *n) {
        if (network_is_active(n))
                network_plain(m, n, "stopped");
        network_plain(m, n, "removed");
}

/* ---- Ports: allocated, released, health ---- */

/* "port UUID allocated on NETWORK (DEVICE, OWNER)": the device as `ports` names it, a VF's PCI address first */
static void port_report(Monitor *m, const MonitorObject *p, const char *done) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *network = value_or_null(p, PORT_NETWORK), *owner = p->values[PORT_OWNER];
        const char *device = value_or_null(p, PORT_PCI_ADDRESS) ?: value_or_null(p, PORT_NETDEV);
        g_autofree char *event = g_strconcat("port-", done, NULL);
        g_autofree char *text = g_strdup_printf("port %s %s%s%s (%s, %s)", p->id, done, network ? " on " : "",
                                                network ?: "", device ?: "-", owner ?: "-");

        field_string(fields, "port", p->id);
        field_string(fields, "device", device);
        field_string(fields, "owner", owner);
        field_of(fields, p, PORT_MAC);
        monitor_print(m, event, network, fields, text);
}

static void port_added(Monitor *m, const MonitorObject *p, bool announce) {
        if (announce)
                port_report(m, p, "allocated");
}

/* A health that needs attention; `restoring` is a release under way, which the released line says. */
static bool health_is_news(const char *health) {
        return health && !streq(health, "ok") && !streq(health, "restoring");
}

static void port_changed(Monitor *m, const MonitorObject *p, char *const *old, uint64_t changed) {
        if ((changed & BIT(PORT_HEALTH)) &&
            (health_is_news(old[PORT_HEALTH]) || health_is_news(p->values[PORT_HEALTH])))
                report_changes(m, p, value_or_null(p, PORT_NETWORK), old, BIT(PORT_HEALTH));
}

static void port_removed(Monitor *m, const MonitorObject *p) {
        port_report(m, p, "released");
}

/* ---- Devices: appeared, vanished, state, attributes ---- */

/* "device ID[ on NETWORK] WORDS", with the device, its state (unless gone), the state before (was) and the
 * holder; or, without words, what changed. Once per network whose pool has the device, or once. */
static void device_report(Monitor *m, const MonitorObject *d, const char *event, const char *words,
                          const char *was, char *const *old, uint64_t changed) {
        g_auto(GStrv) networks = g_strsplit(d->values[DEV_NETWORKS] ?: "", "\n", -1);
        bool gone = streq(event, "device-vanished");

        for (size_t i = 0; i < MAX(g_strv_length(networks), 1u); i++) {
                g_autoptr(GString) fields = g_string_new(NULL);
                g_autofree char *text = NULL;

                if (!words) {
                        report_changes(m, d, networks[i], old, changed);
                        continue;
                }
                text = g_strdup_printf("device %s%s%s %s", d->id, networks[i] ? " on " : "", networks[i] ?: "", words);
                field_string(fields, "device", d->id);
                if (!gone)
                        field_string(fields, "state", d->values[DEV_STATE] ?: "free");
                if (was)
                        field_string(fields, "previous_state", was);
                if (!gone && value_or_null(d, DEV_HOLDER))
                        field_string(fields, "holder", d->values[DEV_HOLDER]);
                monitor_print(m, event, networks[i], fields, text);
        }
}

static void device_added(Monitor *m, const MonitorObject *d, bool announce) {
        const char *state = d->values[DEV_STATE] ?: "free";
        g_autofree char *words = streq(state, "free") ? g_strdup("appeared") : g_strdup_printf("appeared (%s)", state);

        if (announce)
                device_report(m, d, "device-appeared", words, NULL, NULL, 0);
}

/* What the state line says, naming the holder */
static char *device_state_words(const MonitorObject *d, const char *was) {
        static const char *const said[][2] = {
                { "unavailable", "became unavailable" }, { "lost", "was lost" },
                { "restore-failed", "could not be restored" }, { "quarantined", "was quarantined" },
                { "in-use", "is in use again" },
        };
        const char *now = d->values[DEV_STATE], *holder = value_or_null(d, DEV_HOLDER), *words = NULL;
        g_autofree char *other = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(said); i++)
                if (streq(now, said[i][0]))
                        words = said[i][1];
        if (streq(now, "free"))
                words = streq(was, "restore-failed") || streq(was, "quarantined") ? "was restored" : "is available again";
        if (!words)
                words = other = g_strdup_printf("changed from %s to %s", was, now);
        return holder ? g_strdup_printf("%s (%s)", words, holder) : g_strdup(words);
}

/* Taking a device and giving it back: the port lines say that */
static bool state_is_routine(const char *state) {
        return streq_ptr(state, "free") || streq_ptr(state, "in-use");
}

/* A state that needs attention gets its line, the attributes that changed another. Networks is left to the
 * network lines: a pool that starts is a starting point, not news. */
static void device_changed(Monitor *m, const MonitorObject *d, char *const *old, uint64_t changed) {
        const char *was = old[DEV_STATE];
        uint64_t attributes = changed & ~(BIT(DEV_STATE) | BIT(DEV_NETWORKS));

        if ((changed & BIT(DEV_STATE)) && was && !(state_is_routine(was) && state_is_routine(d->values[DEV_STATE]))) {
                g_autofree char *words = device_state_words(d, was);

                device_report(m, d, "device-state", words, was, NULL, 0);
                attributes &= ~BIT(DEV_HOLDER);
        }
        if (attributes)
                device_report(m, d, "device-changed", NULL, NULL, old, attributes);
}

static void device_removed(Monitor *m, const MonitorObject *d) {
        device_report(m, d, "device-vanished", "vanished", NULL, NULL, 0);
}

const MonitorKind monitor_network_kind = {
        NETPOOL_NETWORK_IFACE, NETPOOL_NETWORK_PREFIX, "network", network_properties,
        G_N_ELEMENTS(network_properties), network_added, network_changed, network_removed,
};
const MonitorKind monitor_port_kind = {
        NETPOOL_PORT_IFACE, NETPOOL_PORT_PREFIX, "port", port_properties,
        G_N_ELEMENTS(port_properties), port_added, port_changed, port_removed,
};
const MonitorKind monitor_device_kind = {
        NETPOOL_DEVICE_IFACE, NETPOOL_DEVICE_PREFIX, "device", device_properties,
        G_N_ELEMENTS(device_properties), device_added, device_changed, device_removed,
};
