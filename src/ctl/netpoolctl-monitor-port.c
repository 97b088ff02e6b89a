/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: ports allocated, released, lost and drifted */
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-object.h"

typedef enum PortProperty {
        PORT_PROP_NETWORK,
        PORT_PROP_OWNER,
        PORT_PROP_MAC,
        PORT_PROP_NETDEV,
        PORT_PROP_PCI_ADDRESS,
        PORT_PROP_HEALTH,
        _PORT_PROP_MAX,
} PortProperty;

static const MonitorProperty port_properties[_PORT_PROP_MAX] = {
        [PORT_PROP_NETWORK]     = { "Network",    "network",     'o', NETPOOL_NETWORK_PREFIX },
        [PORT_PROP_OWNER]       = { "OwnerName",  "owner",       's' },
        [PORT_PROP_MAC]         = { "MAC",        "mac",         's' },
        [PORT_PROP_NETDEV]      = { "Device",     "netdev",      's' },
        [PORT_PROP_PCI_ADDRESS] = { "PCIAddress", "pci_address", 's' },
        [PORT_PROP_HEALTH]      = { "Health",     "health",      's' },
};

/* As `ports` names it: the PCI address of a VF, else the netdev or bridge; NULL for none. */
static const char *port_device(const MonitorObject *p) {
        const char *pci = monitor_value(p, PORT_PROP_PCI_ADDRESS);
        const char *netdev = monitor_value(p, PORT_PROP_NETDEV);

        if (pci && *pci)
                return pci;
        return netdev && *netdev ? netdev : NULL;
}

static const char *port_network(const MonitorObject *p) {
        const char *network = monitor_value(p, PORT_PROP_NETWORK);

        return network && *network ? network : NULL;
}

/* "port UUID allocated on NETWORK (DEVICE, OWNER)" */
static void report_port(Monitor *m, const MonitorObject *p, const char *event, const char *done) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *network = port_network(p), *owner = monitor_value(p, PORT_PROP_OWNER);
        g_autofree char *text = g_strdup_printf("port %s %s%s%s (%s, %s)", p->id, done, network ? " on " : "",
                                                network ?: "", port_device(p) ?: "-", owner ?: "-");

        monitor_field_string(fields, "port", p->id);
        monitor_field_string(fields, "device", port_device(p));
        monitor_field_string(fields, "owner", owner);
        monitor_field_string(fields, "mac", monitor_value(p, PORT_PROP_MAC));
        monitor_print(m, event, network, fields, text);
}

static void port_added(Monitor *m, const MonitorObject *p, bool announce) {
        if (announce)
                report_port(m, p, "port-allocated", "allocated");
}

/* A health that needs someone's attention; `restoring` is a release under way, which the released line says. */
static bool health_is_news(const char *health) {
        return health && !streq(health, "ok") && !streq(health, "restoring");
}

/* "port UUID on NETWORK changed: health ok -> lost", and the way back to ok */
static void port_changed(Monitor *m, const MonitorObject *p, char *const *old, uint64_t changed) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autoptr(GString) text = g_string_new(NULL);
        const char *network = port_network(p);

        if (!(changed & (UINT64_C(1) << PORT_PROP_HEALTH)) ||
            !(health_is_news(old[PORT_PROP_HEALTH]) || health_is_news(monitor_value(p, PORT_PROP_HEALTH))))
                return;
        g_string_printf(text, "port %s%s%s changed:", p->id, network ? " on " : "", network ?: "");
        monitor_field_string(fields, "port", p->id);
        monitor_describe_changes(p, old, UINT64_C(1) << PORT_PROP_HEALTH, text, fields);
        monitor_print(m, "port-changed", network, fields, text->str);
}

static void port_removed(Monitor *m, const MonitorObject *p) {
        report_port(m, p, "port-released", "released");
}

const MonitorKind monitor_port_kind = {
        .interface = NETPOOL_PORT_IFACE,
        .prefix = NETPOOL_PORT_PREFIX,
        .properties = port_properties,
        .n_properties = _PORT_PROP_MAX,
        .added = port_added,
        .changed = port_changed,
        .removed = port_removed,
};
