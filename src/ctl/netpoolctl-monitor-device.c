/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: devices appearing, vanishing, changing state and attributes (org.netpool1.Device) */
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-object.h"

#define BIT(p) (UINT64_C(1) << (p))

typedef enum DeviceProperty {
        DEV_PROP_STATE,
        DEV_PROP_NETWORKS,
        DEV_PROP_HOLDER,
        DEV_PROP_DRIVER,
        DEV_PROP_NETDEVS,
        DEV_PROP_NUMA_NODE,
        DEV_PROP_PCIE_ROOT,
        DEV_PROP_IOMMU_GROUP,
        DEV_PROP_LINK_TYPE,
        DEV_PROP_ESWITCH_MODE,
        DEV_PROP_PF_ADDRESS,
        DEV_PROP_VF_INDEX,
        DEV_PROP_VENDOR,
        DEV_PROP_PRODUCT,
        _DEV_PROP_MAX,
} DeviceProperty;

/* Port is not kept: the port lines say who takes and gives back a device. Nor is PF (the PF's netdev): when it
 * changes, the PF's own netdevs line says it once, not once per VF. */
static const MonitorProperty device_properties[_DEV_PROP_MAX] = {
        [DEV_PROP_STATE]        = { "State",       "state",        's' },
        [DEV_PROP_NETWORKS]     = { "Networks",    "networks",     'O', NETPOOL_NETWORK_PREFIX },
        [DEV_PROP_HOLDER]       = { "Holder",      "holder",       's' },
        [DEV_PROP_DRIVER]       = { "Driver",      "driver",       's' },
        [DEV_PROP_NETDEVS]      = { "Netdevs",     "netdevs",      'S' },
        [DEV_PROP_NUMA_NODE]    = { "NUMANode",    "numa_node",    'i' },
        [DEV_PROP_PCIE_ROOT]    = { "PCIeRoot",    "pcie_root",    's' },
        [DEV_PROP_IOMMU_GROUP]  = { "IOMMUGroup",  "iommu_group",  'i' },
        [DEV_PROP_LINK_TYPE]    = { "LinkType",    "link_type",    's' },
        [DEV_PROP_ESWITCH_MODE] = { "EswitchMode", "eswitch_mode", 's' },
        [DEV_PROP_PF_ADDRESS]   = { "PFAddress",   "pf_address",   's' },
        [DEV_PROP_VF_INDEX]     = { "VFIndex",     "vf_index",     'i' },
        [DEV_PROP_VENDOR]       = { "Vendor",      "vendor",       's' },
        [DEV_PROP_PRODUCT]      = { "Product",     "product",      's' },
};

/* A device event is told once per active network whose pool has the device, or once without a network. */
typedef void (*DeviceReport)(Monitor *m, const MonitorObject *d, const char *network, const void *data);

static void for_each_network(Monitor *m, const MonitorObject *d, DeviceReport report, const void *data) {
        const char *networks = monitor_value(d, DEV_PROP_NETWORKS);
        g_auto(GStrv) names = NULL;

        if (!networks || !*networks) {
                report(m, d, NULL, data);
                return;
        }
        names = g_strsplit(networks, "\n", -1);
        for (size_t i = 0; names[i]; i++)
                report(m, d, names[i], data);
}

/* "device ID on NETWORK WORDS", or "device ID WORDS" */
static char *device_text(const MonitorObject *d, const char *network, const char *words) {
        return g_strdup_printf("device %s%s%s %s", d->id, network ? " on " : "", network ?: "", words);
}

/* Taking a device and giving it back: the port lines say that */
static bool state_is_routine(const char *state) {
        return streq_ptr(state, "free") || streq_ptr(state, "in-use");
}

/* What a line says happened to a device that was in state was and is now in state now. */
static char *state_change_words(const char *was, const char *now) {
        if (streq(now, "unavailable"))
                return g_strdup("became unavailable");
        if (streq(now, "lost"))
                return g_strdup("was lost");
        if (streq(now, "restore-failed"))
                return g_strdup("could not be restored");
        if (streq(now, "quarantined"))
                return g_strdup("was quarantined");
        if (streq(now, "free") && (streq(was, "restore-failed") || streq(was, "quarantined")))
                return g_strdup("was restored");
        if (streq(now, "free"))
                return g_strdup("is available again");
        if (streq(now, "in-use"))
                return g_strdup("is in use again");
        return g_strdup_printf("changed from %s to %s", was, now);
}

static void field_holder(GString *fields, const MonitorObject *d) {
        const char *holder = monitor_value(d, DEV_PROP_HOLDER);

        if (holder && *holder)
                monitor_field_string(fields, "holder", holder);
}

static void report_appeared(Monitor *m, const MonitorObject *d, const char *network, const void *data) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *state = monitor_value(d, DEV_PROP_STATE) ?: "free";
        g_autofree char *words = streq(state, "free") ? g_strdup("appeared") :
                                                        g_strdup_printf("appeared (%s)", state);
        g_autofree char *text = device_text(d, network, words);

        monitor_field_string(fields, "device", d->id);
        monitor_field_string(fields, "state", state);
        field_holder(fields, d);
        monitor_print(m, "device-appeared", network, fields, text);
}

static void report_vanished(Monitor *m, const MonitorObject *d, const char *network, const void *data) {
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autofree char *text = device_text(d, network, "vanished");

        monitor_field_string(fields, "device", d->id);
        monitor_print(m, "device-vanished", network, fields, text);
}

/* "device ID on NETWORK became unavailable (bound to vfio-pci)"; data: the state before */
static void report_state(Monitor *m, const MonitorObject *d, const char *network, const void *data) {
        g_autoptr(GString) fields = g_string_new(NULL);
        const char *was = data, *now = monitor_value(d, DEV_PROP_STATE), *holder = monitor_value(d, DEV_PROP_HOLDER);
        g_autofree char *words = state_change_words(was, now);
        g_autofree char *with_holder = holder && *holder ? g_strdup_printf("%s (%s)", words, holder) : NULL;
        g_autofree char *text = device_text(d, network, with_holder ?: words);

        monitor_field_string(fields, "device", d->id);
        monitor_field_string(fields, "state", now);
        monitor_field_string(fields, "previous_state", was);
        field_holder(fields, d);
        monitor_print(m, "device-state", network, fields, text);
}

typedef struct Changes {
        char *const *old;
        uint64_t changed;
} Changes;

/* "device ID on NETWORK changed: driver iavf -> vfio-pci, netdevs eth0v0 -> -" */
static void report_changed(Monitor *m, const MonitorObject *d, const char *network, const void *data) {
        const Changes *c = data;
        g_autoptr(GString) fields = g_string_new(NULL);
        g_autoptr(GString) text = g_string_new(NULL);

        g_string_printf(text, "device %s%s%s changed:", d->id, network ? " on " : "", network ?: "");
        monitor_field_string(fields, "device", d->id);
        monitor_describe_changes(d, c->old, c->changed, text, fields);
        monitor_print(m, "device-changed", network, fields, text->str);
}

static void device_added(Monitor *m, const MonitorObject *d, bool announce) {
        if (announce)
                for_each_network(m, d, report_appeared, NULL);
}

/* A state that needs someone's attention gets its line (with the holder); the attributes that changed get one
 * more. Networks is left to the network lines: a pool that starts is a starting point, not news. */
static void device_changed(Monitor *m, const MonitorObject *d, char *const *old, uint64_t changed) {
        const char *was = old[DEV_PROP_STATE], *now = monitor_value(d, DEV_PROP_STATE);
        Changes c = { .old = old, .changed = changed & ~(BIT(DEV_PROP_STATE) | BIT(DEV_PROP_NETWORKS)) };

        if ((changed & BIT(DEV_PROP_STATE)) && was && !(state_is_routine(was) && state_is_routine(now))) {
                for_each_network(m, d, report_state, was);
                c.changed &= ~BIT(DEV_PROP_HOLDER);     /* the state line names it */
        }
        if (c.changed)
                for_each_network(m, d, report_changed, &c);
}

static void device_removed(Monitor *m, const MonitorObject *d) {
        for_each_network(m, d, report_vanished, NULL);
}

const MonitorKind monitor_device_kind = {
        .interface = NETPOOL_DEVICE_IFACE,
        .prefix = NETPOOL_DEVICE_PREFIX,
        .properties = device_properties,
        .n_properties = _DEV_PROP_MAX,
        .added = device_added,
        .changed = device_changed,
        .removed = device_removed,
};
