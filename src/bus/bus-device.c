/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device objects: /org/netpool1/device/<id>, org.netpool1.Device — the host's inventory (dbus-api.md 1.1). No
 * object is allocated per device: one fallback vtable finds the engine's record by path, and the properties are
 * read from it when asked. */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>

#include "bus/bus-context.h"
#include "bus/bus-errors.h"

static const char *device_string(const HostDeviceInfo *i, const char *property) {
        return streq(property, "Id") ? i->id : streq(property, "PCIAddress") ? i->pci_address :
               streq(property, "PF") ? i->pf : streq(property, "PFAddress") ? i->pf_address :
               streq(property, "Vendor") ? i->vendor : streq(property, "Product") ? i->product :
               streq(property, "Driver") ? i->driver : streq(property, "PCIeRoot") ? i->pcie_root :
               streq(property, "LinkType") ? i->link_type : streq(property, "EswitchMode") ? i->eswitch_mode :
               streq(property, "State") ? i->state : i->holder;
}

static int append_networks(sd_bus_message *reply, const HostDeviceInfo *i) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "o");
        if (r < 0)
                return r;
        for (size_t k = 0; i->networks[k]; k++) {
                g_autofree char *net = bus_network_path(i->networks[k]);

                r = sd_bus_message_append(reply, "o", net);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* Every property: the engine's record of the device looked up once, then the one value asked for. */
static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        g_autofree char *port = NULL;
        HostDeviceInfo i;
        int r;

        r = engine_host_device(bus_context_from_current(bus)->engine, userdata, &i);
        if (r < 0)
                return r;
        if (streq(property, "VFIndex") || streq(property, "NUMANode") || streq(property, "IOMMUGroup"))
                return sd_bus_message_append(reply, "i", streq(property, "VFIndex") ? i.vf_index :
                                                         streq(property, "NUMANode") ? i.numa_node : i.iommu_group);
        if (streq(property, "Netdevs"))
                return sd_bus_message_append_strv(reply, (char **) i.netdevs);
        if (streq(property, "Networks"))
                return append_networks(reply, &i);
        if (streq(property, "Port")) {
                port = i.port_uuid[0] ? bus_port_path(i.port_uuid) : g_strdup("/");
                return sd_bus_message_append(reply, "o", port ?: "/");
        }
        return sd_bus_message_append(reply, "s", device_string(&i, property));
}

static int append_setting(sd_bus_message *reply, const char *key, const char *type, ...) {
        va_list ap;
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', type);
        if (r >= 0) {
                va_start(ap, type);
                r = sd_bus_message_appendv(reply, type, ap);
                va_end(ap);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

/* GetSettings: the VF's configuration now, read from the hardware; what the driver does not report is left out. */
static int method_get_settings(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        DeviceSettings s;
        uint64_t flags;
        int r;

        r = bus_read_flags(m, 0, &flags, error);
        if (r < 0)
                return r;
        r = engine_device_settings(c->engine, userdata, &s);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "cannot read the settings of device %s: %s",
                                               (const char *) userdata, g_strerror(-r));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0 && s.has_vf) {
                const VfConfig *v = &s.vf;

                r = append_setting(reply, "mac", "s", v->mac);
                if (r >= 0)
                        r = append_setting(reply, "vlan", "u", v->vlan);
                if (r >= 0)
                        r = append_setting(reply, "qos", "u", v->qos);
                if (r >= 0 && vf_vlan_proto_to_string(v->vlan_proto))
                        r = append_setting(reply, "vlan-protocol", "s", vf_vlan_proto_to_string(v->vlan_proto));
                if (r >= 0 && v->spoofchk >= 0)
                        r = append_setting(reply, "spoofchk", "b", v->spoofchk);
                if (r >= 0 && v->trust >= 0)
                        r = append_setting(reply, "trust", "b", v->trust);
                if (r >= 0 && vf_link_state_to_string(v->link_state))
                        r = append_setting(reply, "link-state", "s", vf_link_state_to_string(v->link_state));
                if (r >= 0 && v->has_rate)
                        r = append_setting(reply, "min-tx-rate", "u", v->min_tx_rate);
                if (r >= 0 && v->has_rate)
                        r = append_setting(reply, "max-tx-rate", "u", v->max_tx_rate);
        }
        if (r >= 0 && s.mtu > 0)
                r = append_setting(reply, "mtu", "u", s.mtu);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable device_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PCIAddress", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PF", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PFAddress", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("VFIndex", "i", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Vendor", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Product", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Driver", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Netdevs", "as", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NUMANode", "i", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PCIeRoot", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("IOMMUGroup", "i", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LinkType", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("EswitchMode", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Holder", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Port", "o", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Networks", "ao", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("GetSettings", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("a{sv}", settings),
                                method_get_settings, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static int device_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                              void **found, sd_bus_error *error) {
        BusContext *c = userdata;
        g_autofree char *id = NULL;
        HostDeviceInfo i;

        if (bus_path_decode_exact(path, NETPOOL_DEVICE_PREFIX, &id) <= 0)
                return 0;
        if (engine_host_device(c->engine, id, &i) < 0)
                return 0;
        *found = (void *) i.id;         /* the engine's own copy: valid while the call runs */
        return 1;
}

static int device_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                  sd_bus_error *error) {
        BusContext *c = userdata;
        g_autoptr(GPtrArray) ids = engine_host_device_ids(c->engine);
        char **v = calloc(ids->len + 1, sizeof(char *));       /* sd-bus frees it with free() */

        if (!v)
                return -ENOMEM;
        for (guint i = 0; i < ids->len; i++)
                if (sd_bus_path_encode(NETPOOL_DEVICE_PREFIX, ids->pdata[i], &v[i]) < 0) {
                        for (guint j = 0; j < i; j++)
                                free(v[j]);
                        free(v);
                        return -ENOMEM;
                }
        *nodes = v;
        return 1;
}

static const struct {
        uint32_t bit;
        const char *name;
} property_bits[] = {
        { HOST_DEVICE_PF, "PF" }, { HOST_DEVICE_PF_ADDRESS, "PFAddress" }, { HOST_DEVICE_VF_INDEX, "VFIndex" },
        { HOST_DEVICE_VENDOR, "Vendor" }, { HOST_DEVICE_PRODUCT, "Product" }, { HOST_DEVICE_DRIVER, "Driver" },
        { HOST_DEVICE_NETDEVS, "Netdevs" }, { HOST_DEVICE_NUMA_NODE, "NUMANode" },
        { HOST_DEVICE_PCIE_ROOT, "PCIeRoot" }, { HOST_DEVICE_IOMMU_GROUP, "IOMMUGroup" },
        { HOST_DEVICE_LINK_TYPE, "LinkType" }, { HOST_DEVICE_ESWITCH_MODE, "EswitchMode" },
        { HOST_DEVICE_STATE, "State" }, { HOST_DEVICE_HOLDER, "Holder" }, { HOST_DEVICE_PORT, "Port" },
        { HOST_DEVICE_NETWORKS, "Networks" },
};

/* A Start or rescan of 32,768 VFs announces as many Device objects at once. While dbus-daemon catches up, sd-bus
 * queues the signals, ~1.5 KiB each (20 MiB measured at 32,768). Past this many queued, the daemon waits for the
 * bus to take them: the same signals in the same order, in bounded memory. */
#define DEVICE_SIGNALS_QUEUED_MAX 256
/* After this many device events, once the loop is idle: the blocks of a whole inventory (and the signals) freed
 * among the live ones leave pages glibc keeps unless asked (~7 MiB at 32,768 VFs) */
#define HEAP_TRIM_AFTER_EVENTS 1024

static void bound_signal_queue(sd_bus *bus) {
        uint64_t queued;

        if (sd_bus_get_n_queued_write(bus, &queued) >= 0 && queued >= DEVICE_SIGNALS_QUEUED_MAX)
                (void) sd_bus_flush(bus);
}

static int on_heap_trim(sd_event_source *s, void *userdata) {
        BusContext *c = userdata;

        c->device_events = 0;
        (void) malloc_trim(0);
        return 0;
}

static void schedule_heap_trim(BusContext *c) {
        if (++c->device_events < HEAP_TRIM_AFTER_EVENTS || !c->event)
                return;
        if (!c->heap_trim) {
                if (sd_event_add_defer(c->event, &c->heap_trim, on_heap_trim, c) < 0)
                        return;
                (void) sd_event_source_set_priority(c->heap_trim, SD_EVENT_PRIORITY_IDLE);
        }
        (void) sd_event_source_set_enabled(c->heap_trim, SD_EVENT_ONESHOT);
}

static void announce(BusContext *c, const char *path, EngineDeviceEvent event, uint32_t changed) {
        const char *names[G_N_ELEMENTS(property_bits) + 1];
        size_t k = 0;

        switch (event) {
        case ENGINE_DEVICE_ADDED:
                (void) sd_bus_emit_object_added(c->bus, path);
                return;
        case ENGINE_DEVICE_REMOVED:
                /* the object is gone from the engine: InterfacesRemoved is built from the vtable alone */
                (void) sd_bus_emit_object_removed(c->bus, path);
                return;
        case ENGINE_DEVICE_GONE:
                (void) sd_bus_emit_interfaces_removed(c->bus, path, NETPOOL_DEVICE_IFACE, NULL);
                return;
        case ENGINE_DEVICE_CHANGED:
                break;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(property_bits); i++)
                if (changed & property_bits[i].bit)
                        names[k++] = property_bits[i].name;
        names[k] = NULL;
        if (k > 0)
                (void) sd_bus_emit_properties_changed_strv(c->bus, path, NETPOOL_DEVICE_IFACE, (char **) names);
}

static void on_device_event(Engine *e, const char *id, EngineDeviceEvent event, uint32_t changed, void *userdata) {
        BusContext *c = userdata;
        g_autofree char *path = NULL;

        if (c->devices_changed)
                c->devices_changed(c);
        schedule_heap_trim(c);
        if (!c->bus || !(path = bus_device_path(id)))
                return;
        announce(c, path, event, changed);
        bound_signal_queue(c->bus);
}

int bus_device_add(BusContext *c, sd_bus *bus) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, NETPOOL_DEVICE_PREFIX, NETPOOL_DEVICE_IFACE, device_vtable,
                                       device_object_find, c);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, NETPOOL_DEVICE_PREFIX, device_node_enumerator, c);
}

void bus_device_observe(BusContext *c) {
        engine_set_device_observer(c->engine, on_device_event, c);
}
