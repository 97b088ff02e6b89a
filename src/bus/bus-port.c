/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port objects: /org/netpool1/port/<uuid>, org.netpool1.Port */
#include <errno.h>

#include "bus/bus-call.h"
#include "bus/bus-context.h"
#include "bus/bus-errors.h"
#include "bus/bus-polkit.h"

int bus_append_port_row(sd_bus_message *reply, const void *item, void *engine) {
        g_autofree char *path = bus_port_path(port_uuid(item));
        PortInfo i;

        engine_port_info(engine, item, &i);
        return sd_bus_message_append(reply, "(sssssso)", i.uuid, i.network, i.owner_name, i.owner_uuid, i.mac,
                                     i.device, path);
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        PortInfo i;
        const char *v;

        engine_port_info(bus_context_from_current(bus)->engine, userdata, &i);
        if (streq(property, "UUID"))
                v = i.uuid;
        else if (streq(property, "OwnerName"))
                v = i.owner_name;
        else if (streq(property, "OwnerUUID"))
                v = i.owner_uuid;
        else if (streq(property, "MAC"))
                v = i.mac;
        else if (streq(property, "PlugType"))
                v = i.plug_type;
        else if (streq(property, "Device"))
                v = i.netdev;
        else if (streq(property, "PF"))
                v = i.pf;
        else if (streq(property, "TapName"))
                v = i.tap_name;
        else if (streq(property, "ClaimId"))
                v = i.claim;
        else
                v = i.pci_address;
        return sd_bus_message_append(reply, "s", v ?: "");
}

static int property_get_index(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        PortInfo i;

        engine_port_info(bus_context_from_current(bus)->engine, userdata, &i);
        return sd_bus_message_append(reply, "i", streq(property, "VFIndex") ? i.vf_index : i.iommu_group);
}

static int property_get_owner_pid(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        PortInfo i;

        engine_port_info(bus_context_from_current(bus)->engine, userdata, &i);
        return sd_bus_message_append(reply, "u", i.owner_pid);
}

static int property_get_health(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        PortInfo i;

        engine_port_info(bus_context_from_current(bus)->engine, userdata, &i);
        return sd_bus_message_append(reply, "s", i.health);
}

static int property_get_network(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        g_autofree char *net = NULL;
        PortInfo i;

        engine_port_info(bus_context_from_current(bus)->engine, userdata, &i);
        net = bus_network_path(i.network);

        return sd_bus_message_append(reply, "o", net);
}

static int method_get_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        g_autofree char *xml = NULL;
        uint64_t flags;
        int r;

        r = bus_read_flags(m, 0, &flags, error);
        if (r < 0)
                return r;
        xml = engine_port_xml(bus_context_from_current(sd_bus_message_get_bus(m))->engine, userdata);
        return sd_bus_reply_method_return(m, "s", xml);
}

static int method_release(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        g_auto(EngineError) err = {};
        EngineCall opts;
        PortInfo i;
        uint64_t flags;
        int r;

        r = bus_read_flags(m, 0, &flags, error);
        if (r < 0)
                return r;
        engine_port_info(c->engine, userdata, &i);
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_ALLOCATE, i.network, "release", error);
        if (r <= 0)
                return r < 0 ? r : 1;
        opts = bus_call_options(c, m);
        r = engine_release(c->engine, userdata, &opts, &err);
        if (r == ENGINE_ERROR_AGAIN)
                return bus_call_again_later(c, m, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable port_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("UUID", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Network", "o", property_get_network, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("OwnerName", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("OwnerUUID", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("MAC", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PlugType", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Device", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PCIAddress", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PF", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("VFIndex", "i", property_get_index, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("IOMMUGroup", "i", property_get_index, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("TapName", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("OwnerPID", "u", property_get_owner_pid, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ClaimId", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Health", "s", property_get_health, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("GetXML", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("s", port_xml),
                                method_get_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Release", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT,
                                method_release, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static int port_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                            void **found, sd_bus_error *error) {
        BusContext *c = userdata;
        g_autofree char *uuid = NULL;
        Port *port;

        if (bus_path_decode_exact(path, NETPOOL_PORT_PREFIX, &uuid) <= 0)
                return 0;
        port = engine_lookup_port(c->engine, uuid);
        if (!port || !streq(port_uuid(port), uuid))     /* the path of its UUID as written, not another spelling */
                return 0;
        *found = port;
        return 1;
}

static int port_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                sd_bus_error *error) {
        BusContext *c = userdata;
        g_autoptr(GPtrArray) list = engine_list_ports(c->engine, NULL);
        char **v = calloc(list->len + 1, sizeof(char *));      /* sd-bus frees it with free() */

        if (!v)
                return -ENOMEM;
        for (guint i = 0; i < list->len; i++)
                if (sd_bus_path_encode(NETPOOL_PORT_PREFIX, port_uuid(list->pdata[i]), &v[i]) < 0) {
                        for (guint j = 0; j < i; j++)
                                free(v[j]);
                        free(v);
                        return -ENOMEM;
                }
        *nodes = v;
        return 1;
}

int bus_port_add(BusContext *c, sd_bus *bus) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, NETPOOL_PORT_PREFIX, NETPOOL_PORT_IFACE, port_vtable,
                                       port_object_find, c);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, NETPOOL_PORT_PREFIX, port_node_enumerator, c);
}
