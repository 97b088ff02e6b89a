/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Manager object: /org/netpool1, org.netpool1.Manager and the ObjectManager */
#include <errno.h>

#include "bus/bus-context.h"
#include "bus/bus-errors.h"
#include "bus/bus-polkit.h"
#include "core/netdef.h"

static int reply_network_path(sd_bus_message *m, const Network *n) {
        g_autofree char *path = bus_network_path(network_name(n));

        if (!path)
                return -ENOMEM;
        return sd_bus_reply_method_return(m, "o", path);
}

/* The name a definition gives, for polkit's 'network' detail: read with a reader that stops at <name>,
 * which must come within the first NETDEF_NAME_WITHIN bytes, so that a caller polkit refuses costs no more
 * than that; larger than 1 MiB is refused here too. The whole document is parsed once authorized. */
static int definition_name(const char *xml, char **ret, sd_bus_error *error) {
        g_auto(NetDefError) err = {};
        int r;

        /* the bus has checked the string once; this reads no more of it than the limit */
        r = netdef_peek_name(xml, strnlen(xml, NETDEF_XML_MAX + 1), ret, &err);
        if (r < 0)
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_XML, "invalid network XML: %s",
                                         err.message ?: strerror(-r));
        return 0;
}

static int method_define_or_create(sd_bus_message *m, BusContext *c, bool create, sd_bus_error *error) {
        g_auto(EngineError) err = {};
        g_autofree char *name = NULL;
        const char *xml;
        uint64_t flags;
        Network *n;
        int r;

        r = sd_bus_message_read(m, "st", &xml, &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, error);
        if (r < 0)
                return r;
        r = definition_name(xml, &name, error);
        if (r < 0)
                return r;
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_MANAGE, name, create ? "create" : "define", error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 0: polkit answers later, and this runs again */
        r = create ? engine_create(c->engine, xml, &n, &err) : engine_define(c->engine, xml, &n, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        return reply_network_path(m, n);
}

static int method_define_network(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_define_or_create(m, userdata, /* create= */ false, error);
}

static int method_create_network(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_define_or_create(m, userdata, /* create= */ true, error);
}

static int method_lookup_network(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = userdata;
        const char *key;
        uint64_t flags;
        Network *n;
        int r;

        r = sd_bus_message_read(m, "st", &key, &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, error);
        if (r < 0)
                return r;
        n = engine_lookup(c->engine, key);
        if (!n)
                return sd_bus_error_setf(error, NETPOOL_ERROR_NO_SUCH_NETWORK, "no network named '%.256s'", key);
        return reply_network_path(m, n);
}

static int append_network_row(sd_bus_message *reply, const void *item, void *engine) {
        g_autofree char *path = bus_network_path(network_name(item));
        NetworkInfo i;

        engine_network_info(engine, item, &i);
        return sd_bus_message_append(reply, "(sssbbbuuo)", i.name, i.uuid, i.mode, i.active, i.persistent,
                                     i.autostart, i.connections, i.capacity, path);
}

static int method_list_networks(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = userdata;
        g_autoptr(GPtrArray) list = NULL;
        int r;

        r = bus_read_flags(m, 0, NULL, error);
        if (r < 0)
                return r;
        list = engine_list_networks(c->engine);
        return bus_reply_array(m, "(sssbbbuuo)", list, append_network_row, c->engine);
}

static int method_lookup_port(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = userdata;
        g_autofree char *path = NULL;
        const char *uuid;
        uint64_t flags;
        Port *port;
        int r;

        r = sd_bus_message_read(m, "st", &uuid, &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, error);
        if (r < 0)
                return r;
        port = engine_lookup_port(c->engine, uuid);
        if (!port)
                return sd_bus_error_setf(error, NETPOOL_ERROR_NO_SUCH_PORT, "no port with UUID '%.64s'", uuid);
        path = bus_port_path(port_uuid(port));
        return sd_bus_reply_method_return(m, "o", path);
}

static int method_list_ports(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = userdata;
        g_autoptr(GPtrArray) ports = NULL;
        int r;

        r = bus_read_flags(m, 0, NULL, error);
        if (r < 0)
                return r;
        ports = engine_list_ports(c->engine, NULL);
        return bus_reply_array(m, "(sssssso)", ports, bus_append_port_row, c->engine);
}

static int method_list_ports_by_owner(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = userdata;
        g_auto(EngineError) err = {};
        g_autoptr(GPtrArray) ports = NULL;
        const char *owner_uuid;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(m, "st", &owner_uuid, &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, error);
        if (r < 0)
                return r;
        r = engine_list_owner_ports(c->engine, owner_uuid, &ports, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        return bus_reply_array(m, "(sssssso)", ports, bus_append_port_row, c->engine);
}

static int method_rescan(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = userdata;
        g_auto(EngineError) err = {};
        uint64_t flags;
        int r;

        r = bus_read_flags(m, 0, &flags, error);
        if (r < 0)
                return r;
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_MANAGE, "", "rescan", error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = engine_rescan_and_retry(c->engine, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", NETPOOL_VERSION);
}

static int property_get_api_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", NETPOOL_API_VERSION);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("APIVersion", "s", property_get_api_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_ARGS("DefineNetwork",
                                SD_BUS_ARGS("s", xml, "t", flags),
                                SD_BUS_RESULT("o", network),
                                method_define_network, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CreateNetwork",
                                SD_BUS_ARGS("s", xml, "t", flags),
                                SD_BUS_RESULT("o", network),
                                method_create_network, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("LookupNetwork",
                                SD_BUS_ARGS("s", name_or_uuid, "t", flags),
                                SD_BUS_RESULT("o", network),
                                method_lookup_network, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListNetworks",
                                SD_BUS_ARGS("t", flags),
                                SD_BUS_RESULT("a(sssbbbuuo)", networks),
                                method_list_networks, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("LookupPort",
                                SD_BUS_ARGS("s", port_uuid, "t", flags),
                                SD_BUS_RESULT("o", port),
                                method_lookup_port, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListPorts",
                                SD_BUS_ARGS("t", flags),
                                SD_BUS_RESULT("a(sssssso)", ports),
                                method_list_ports, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListPortsByOwner",
                                SD_BUS_ARGS("s", owner_uuid, "t", flags),
                                SD_BUS_RESULT("a(sssssso)", ports),
                                method_list_ports_by_owner, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Rescan",
                                SD_BUS_ARGS("t", flags),
                                SD_BUS_NO_RESULT,
                                method_rescan, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int bus_manager_add(BusContext *c, sd_bus *bus) {
        int r;

        r = sd_bus_add_object_manager(bus, NULL, NETPOOL_MANAGER_PATH);
        if (r < 0)
                return r;
        return sd_bus_add_object_vtable(bus, NULL, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, manager_vtable, c);
}
