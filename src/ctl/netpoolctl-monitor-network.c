/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: networks defined, started, changed, stopped and removed */
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-object.h"

#define BIT(p) (UINT64_C(1) << (p))

static const MonitorProperty network_properties[_NET_PROP_MAX] = {
        [NET_PROP_UUID]        = { "UUID",        "uuid",        's' },
        [NET_PROP_MODE]        = { "ForwardMode", "mode",        's' },
        [NET_PROP_ACTIVE]      = { "Active",      "active",      'b' },
        [NET_PROP_PERSISTENT]  = { "Persistent",  "persistent",  'b' },
        [NET_PROP_AUTOSTART]   = { "Autostart",   "autostart",   'b' },
        [NET_PROP_CONNECTIONS] = { "Connections", "connections", 'u' },
        [NET_PROP_CAPACITY]    = { "Capacity",    "capacity",    'u' },
        [NET_PROP_AVAILABLE]   = { "Available",   "available",   'u' },
};

static bool network_is_active(const MonitorObject *n) {
        return streq_ptr(monitor_value(n, NET_PROP_ACTIVE), "yes");
}

static void field(GString *fields, const MonitorObject *n, MonitorNetworkProperty p) {
        monitor_field_value(fields, &network_properties[p], monitor_value(n, p));
}

static void report_defined(Monitor *m, const MonitorObject *n) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *mode = monitor_value(n, NET_PROP_MODE);
        g_autofree char *text = g_strdup_printf("network %s defined (%s, %s)", n->id, mode ?: "?",
                                                streq_ptr(monitor_value(n, NET_PROP_PERSISTENT), "yes") ?
                                                        "persistent" : "transient");

        field(fields, n, NET_PROP_UUID);
        field(fields, n, NET_PROP_MODE);
        field(fields, n, NET_PROP_PERSISTENT);
        monitor_print(m, "network-defined", n->id, fields, text);
}

static void report_started(Monitor *m, const MonitorObject *n) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *capacity = monitor_value(n, NET_PROP_CAPACITY);
        const char *available = monitor_value(n, NET_PROP_AVAILABLE);
        g_autofree char *text = g_strdup_printf("network %s started (capacity %s, available %s)", n->id,
                                                capacity ?: "?", available ?: "?");

        field(fields, n, NET_PROP_CAPACITY);
        field(fields, n, NET_PROP_AVAILABLE);
        monitor_print(m, "network-started", n->id, fields, text);
}

static void report_plain(Monitor *m, const MonitorObject *n, const char *event, const char *done) {
        g_autofree char *text = g_strdup_printf("network %s %s", n->id, done);

        monitor_print(m, event, n->id, NULL, text);
}

static void network_added(Monitor *m, const MonitorObject *n, bool announce) {
        if (!announce)
                return;
        report_defined(m, n);
        if (network_is_active(n))
                report_started(m, n);
}

/* Started or stopped, and then whatever else changed besides what starting and stopping change anyway (the
 * pool counts): "network NAME changed: connections 0 -> 1, available 8 -> 7". */
static void network_changed(Monitor *m, const MonitorObject *n, char *const *old, uint64_t changed) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autoptr(GString) text = g_string_new(NULL);

        changed &= ~BIT(NET_PROP_UUID);         /* const: learnt, never news */
        if (changed & BIT(NET_PROP_ACTIVE)) {
                if (network_is_active(n))
                        report_started(m, n);
                else
                        report_plain(m, n, "network-stopped", "stopped");
                changed &= ~(BIT(NET_PROP_ACTIVE) | BIT(NET_PROP_CONNECTIONS) | BIT(NET_PROP_CAPACITY) |
                             BIT(NET_PROP_AVAILABLE));
        }
        if (!changed)
                return;
        g_string_printf(text, "network %s changed:", n->id);
        monitor_describe_changes(n, old, changed, text, fields);
        monitor_print(m, "network-changed", n->id, fields, text->str);
}

/* a transient network goes away when it stops, without a PropertiesChanged */
static void network_removed(Monitor *m, const MonitorObject *n) {
        if (network_is_active(n))
                report_plain(m, n, "network-stopped", "stopped");
        report_plain(m, n, "network-removed", "removed");
}

const MonitorKind monitor_network_kind = {
        .interface = NETPOOL_NETWORK_IFACE,
        .prefix = NETPOOL_NETWORK_PREFIX,
        .properties = network_properties,
        .n_properties = _NET_PROP_MAX,
        .added = network_added,
        .changed = network_changed,
        .removed = network_removed,
};
