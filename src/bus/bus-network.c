/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network objects: /org/netpool1/network/<name>, org.netpool1.Network */
#include <errno.h>

#include "bus/bus-allocate-options.h"
#include "bus/bus-call.h"
#include "bus/bus-context.h"
#include "bus/bus-errors.h"
#include "bus/bus-fd-probe.h"
#include "bus/bus-owner-watch.h"
#include "bus/bus-polkit.h"
#include "core/portdef.h"
#include "shared/log.h"

/* a UUID's text, 36 characters; any longer string names no port */
#define PORT_UUID_TEXT_MAX      36

static int property_get_name(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", network_name(userdata));
}

static int property_get_uuid(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", network_uuid(userdata));
}

static int property_get_forward_mode(sd_bus *bus, const char *path, const char *interface,
                                     const char *property, sd_bus_message *reply, void *userdata,
                                     sd_bus_error *error) {
        NetworkInfo i;

        engine_network_info(bus_context_from_current(bus)->engine, userdata, &i);
        return sd_bus_message_append(reply, "s", i.mode);
}

static int property_get_flag(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        NetworkInfo i;
        int v;

        engine_network_info(bus_context_from_current(bus)->engine, userdata, &i);
        if (streq(property, "Active"))
                v = i.active;
        else if (streq(property, "Persistent"))
                v = i.persistent;
        else
                v = i.autostart;
        return sd_bus_message_append(reply, "b", v);
}

static int property_get_count(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        NetworkInfo i;
        unsigned v;

        engine_network_info(bus_context_from_current(bus)->engine, userdata, &i);
        if (streq(property, "Connections"))
                v = i.connections;
        else if (streq(property, "Capacity"))
                v = i.capacity;
        else
                v = i.available;
        return sd_bus_message_append(reply, "u", v);
}

static int property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *value, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(bus);
        g_auto(EngineError) err = {};
        int b, r;

        r = sd_bus_message_read(value, "b", &b);
        if (r < 0)
                return r;
        r = engine_set_autostart(c->engine, userdata, b, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        return 0;
}

/* Start, Stop and Undefine: read flags, check them, ask polkit, call the engine, reply */
static int method_simple(sd_bus_message *m, Network *n, uint64_t known_flags, const char *verb,
                         sd_bus_error *error,
                         int (*call)(Engine *e, Network *n, uint64_t flags, const EngineCall *opts,
                                     EngineError *err)) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        g_auto(EngineError) err = {};
        EngineCall opts;
        uint64_t flags;
        int r;

        r = bus_read_flags(m, known_flags, &flags, error);
        if (r < 0)
                return r;
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_MANAGE, network_name(n), verb, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 0: polkit answers later, and this runs again */
        opts = bus_call_options(c, m);
        r = call(c->engine, n, flags, &opts, &err);
        if (r == ENGINE_ERROR_AGAIN)
                return bus_call_again_later(c, m, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static int call_start(Engine *e, Network *n, uint64_t flags, const EngineCall *opts, EngineError *err) {
        return engine_start(e, n, err);
}

static int call_stop(Engine *e, Network *n, uint64_t flags, const EngineCall *opts, EngineError *err) {
        return engine_stop(e, n, flags & NETPOOL_STOP_FLAG_FORCE, opts, err);
}

static int call_undefine(Engine *e, Network *n, uint64_t flags, const EngineCall *opts, EngineError *err) {
        return engine_undefine(e, n, err);
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_simple(m, userdata, 0, "start", error, call_start);
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_simple(m, userdata, NETPOOL_STOP_FLAG_FORCE, "stop", error, call_stop);
}

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_simple(m, userdata, 0, "undefine", error, call_undefine);
}

static int method_get_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        g_autofree char *xml = NULL;
        uint64_t flags;
        int r;

        r = bus_read_flags(m, NETPOOL_GETXML_FLAG_INACTIVE, &flags, error);
        if (r < 0)
                return r;
        xml = engine_network_xml(bus_context_from_current(sd_bus_message_get_bus(m))->engine, userdata,
                                 flags & NETPOOL_GETXML_FLAG_INACTIVE);
        return sd_bus_reply_method_return(m, "s", xml);
}

static int append_port_path(sd_bus_message *reply, const void *port, void *userdata) {
        g_autofree char *path = bus_port_path(port_uuid(port));

        return sd_bus_message_append(reply, "o", path);
}

static int method_list_ports(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        g_autoptr(GPtrArray) ports = NULL;
        int r;

        r = bus_read_flags(m, 0, NULL, error);
        if (r < 0)
                return r;
        ports = engine_list_ports(c->engine, userdata);
        return bus_reply_array(m, "o", ports, append_port_path, NULL);
}

/* The arguments of Allocate, Notify (o NULL) and AllocateWithOptions: the port XML, the options, the flags, all
 * checked before polkit is asked (a call held meanwhile stays small). */
static int read_port_call(sd_bus_message *m, AllocateOptions *o, const char **ret_xml, sd_bus_error *error) {
        uint64_t flags;
        int r;

        r = sd_bus_message_read(m, "s", ret_xml);
        if (r >= 0 && o)
                r = bus_read_allocate_options(m, o, error);
        if (r >= 0)
                r = sd_bus_message_read(m, "t", &flags);
        if (r >= 0)
                r = bus_check_flags(flags, 0, error);
        if (r < 0)
                return r;
        if (strnlen(*ret_xml, PORTDEF_XML_MAX + 1) > PORTDEF_XML_MAX)
                return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_XML,
                                        "invalid port XML: port XML is larger than 1 MiB");
        return 0;
}

/* Allocate and Notify: read, check flags, one engine call, reply with the port's path and XML */
static int method_allocate_or_notify(sd_bus_message *m, Network *n, bool notify, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        g_auto(EngineError) err = {};
        g_autofree char *path = NULL, *out = NULL;
        const char *xml;
        EngineCall opts;
        Port *port;
        int r;

        r = read_port_call(m, NULL, &xml, error);
        if (r < 0)
                return r;
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_ALLOCATE, network_name(n), notify ? "notify" : "allocate",
                                    error);
        if (r <= 0)
                return r < 0 ? r : 1;
        opts = bus_call_options(c, m);
        r = notify ? engine_notify(c->engine, n, xml, &port, &err) :
                     engine_allocate(c->engine, n, xml, &opts, &port, &err);
        if (r == ENGINE_ERROR_AGAIN)
                return bus_call_again_later(c, m, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        if (!notify)
                bus_statistics_count_allocation(&c->statistics);
        path = bus_port_path(port_uuid(port));
        out = engine_port_xml(c->engine, port);
        return sd_bus_reply_method_return(m, "os", path, out);
}

static int method_allocate(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        int r;

        r = method_allocate_or_notify(m, userdata, /* notify= */ false, error);
        /* answered with an error now (> 0 may also be a call that waits and runs again); counted only for
         * a caller allowed to allocate, so that anyone's refused or malformed calls do not move it */
        if (r < 0 && bus_polkit_caller_authorized(c, m))
                bus_statistics_count_allocation_failure(&c->statistics, error, r);
        return r;
}

/* AllocateWithOptions: Allocate, and what the options ask for (dbus-api.md 1.1). The options are read again at
 * every run of a call that waited (polkit, the fd probe, a VF in reset): they are borrowed from m. */
static int allocate_with_options(sd_bus_message *m, Network *n, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        g_auto(EngineError) err = {};
        g_autofree char *path = NULL, *out = NULL;
        _cleanup_(closep) int tap_fd = -1;
        AllocateOptions o;
        const char *xml;
        EngineCall opts;
        Port *port, *held;
        int r;

        r = read_port_call(m, &o, &xml, error);
        if (r < 0)
                return r;
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_ALLOCATE, network_name(n), "allocate", error);
        if (r <= 0)
                return r < 0 ? r : 1;
        if (o.tap_fd) {
                r = bus_caller_takes_fds(c, m, "tap-fd", error);
                if (r <= 0)
                        return r < 0 ? r : 1;
        }
        if (o.has_owner_pidfd) {
                r = bus_owner_resolve(o.owner_pidfd, &o, error);
                if (r < 0)
                        return r;
        }
        opts = bus_call_options(c, m);
        held = o.claim ? engine_lookup_claim(c->engine, n, o.claim) : NULL;
        r = engine_allocate_with(c->engine, n, xml, &o, &opts, &port, &tap_fd, &err);
        if (r == ENGINE_ERROR_AGAIN)
                return bus_call_again_later(c, m, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        if (port == held) {     /* the claim's port again: nothing new to count or watch */
                o.has_owner_pidfd = false;
        } else
                bus_statistics_count_allocation(&c->statistics);
        if (o.has_owner_pidfd) {
                r = bus_owner_watch(c, port, o.owner_pidfd);
                if (r < 0)      /* the port is there: its owner is watched again at the next start */
                        log_warning_errno(r, "port %s: cannot watch its owner process: %m", port_uuid(port));
        }
        path = bus_port_path(port_uuid(port));
        out = engine_port_xml(c->engine, port);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "os", path, out);
        if (r >= 0)
                r = bus_append_allocate_results(reply, c->engine, port, port == held, tap_fd);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_allocate_with_options(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        int r;

        r = allocate_with_options(m, userdata, error);
        if (r < 0 && bus_polkit_caller_authorized(c, m))
                bus_statistics_count_allocation_failure(&c->statistics, error, r);
        return r;
}

static int method_notify(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_allocate_or_notify(m, userdata, /* notify= */ true, error);
}

static int method_release(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        g_auto(EngineError) err = {};
        const Network *n = userdata;
        const char *uuid;
        EngineCall opts;
        uint64_t flags;
        Port *port;
        int r;

        r = sd_bus_message_read(m, "st", &uuid, &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, error);
        if (r < 0)
                return r;
        if (strnlen(uuid, PORT_UUID_TEXT_MAX + 1) > PORT_UUID_TEXT_MAX)     /* no port has it; before polkit */
                return sd_bus_error_setf(error, NETPOOL_ERROR_NO_SUCH_PORT,
                                         "network '%s' has no port: the UUID given is longer than any UUID",
                                         network_name(n));
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_ALLOCATE, network_name(n), "release", error);
        if (r <= 0)
                return r < 0 ? r : 1;
        port = engine_lookup_port_of(c->engine, n, uuid);
        if (!port)
                return sd_bus_error_setf(error, NETPOOL_ERROR_NO_SUCH_PORT, "network '%s' has no port '%s'",
                                         network_name(n), uuid);
        opts = bus_call_options(c, m);
        r = engine_release(c->engine, port, &opts, &err);
        if (r == ENGINE_ERROR_AGAIN)
                return bus_call_again_later(c, m, &err);
        if (r != 0)
                return bus_reply_engine_error(error, r, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static int append_device_row(sd_bus_message *reply, const void *item, void *userdata) {
        const DeviceInfo *d = item;

        return sd_bus_message_append(reply, "(ssssisus)", d->id, d->netdev, d->pci_address, d->pf_netdev,
                                     (int32_t) d->vf_index, d->state, d->connections, d->port_uuid);
}

static int method_get_devices(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = bus_context_from_current(sd_bus_message_get_bus(m));
        g_autoptr(GPtrArray) devices = NULL;
        int r;

        r = bus_read_flags(m, 0, NULL, error);
        if (r < 0)
                return r;
        devices = engine_network_devices(c->engine, userdata);
        return bus_reply_array(m, "(ssssisus)", devices, append_device_row, NULL);
}

static const sd_bus_vtable network_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("UUID", "s", property_get_uuid, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ForwardMode", "s", property_get_forward_mode, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Active", "b", property_get_flag, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Persistent", "b", property_get_flag, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_WRITABLE_PROPERTY("Autostart", "b", property_get_flag, property_set_autostart, 0,
                                 SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("Connections", "u", property_get_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Capacity", "u", property_get_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Available", "u", property_get_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Start", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT,
                                method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Stop", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT,
                                method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT,
                                method_undefine, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetXML", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("s", xml),
                                method_get_xml, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Allocate", SD_BUS_ARGS("s", port_xml, "t", flags),
                                SD_BUS_RESULT("o", port, "s", port_xml),
                                method_allocate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AllocateWithOptions", SD_BUS_ARGS("s", port_xml, "a{sv}", options, "t", flags),
                                SD_BUS_RESULT("o", port, "s", port_xml, "a{sv}", results),
                                method_allocate_with_options, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Notify", SD_BUS_ARGS("s", port_xml, "t", flags),
                                SD_BUS_RESULT("o", port, "s", port_xml),
                                method_notify, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Release", SD_BUS_ARGS("s", port_uuid, "t", flags), SD_BUS_NO_RESULT,
                                method_release, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListPorts", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("ao", ports),
                                method_list_ports, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetDevices", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("a(ssssisus)", devices),
                                method_get_devices, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static int network_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                               void **found, sd_bus_error *error) {
        BusContext *c = userdata;
        g_autofree char *name = NULL;
        Network *n;
        int r;

        r = bus_path_decode_exact(path, NETPOOL_NETWORK_PREFIX, &name);
        if (r <= 0)
                return 0;
        n = engine_lookup_by_name(c->engine, name);
        if (!n)
                return 0;
        *found = n;
        return 1;
}

static int network_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                   sd_bus_error *error) {
        BusContext *c = userdata;
        g_autoptr(GPtrArray) list = engine_list_networks(c->engine);
        char **v = calloc(list->len + 1, sizeof(char *));     /* sd-bus frees it with free() */

        if (!v)
                return -ENOMEM;
        for (guint i = 0; i < list->len; i++) {
                if (sd_bus_path_encode(NETPOOL_NETWORK_PREFIX, network_name(list->pdata[i]), &v[i]) < 0) {
                        for (guint j = 0; j < i; j++)
                                free(v[j]);
                        free(v);
                        return -ENOMEM;
                }
        }
        *nodes = v;
        return 1;
}

/* What a network's properties last said on the bus, so that PropertiesChanged names only those that
 * changed since (an Allocate changes Connections and Available, nothing else). */
typedef struct ShownNetwork {
        NetworkInfo info;
        char *mode;                     /* own copy: the definition may be replaced */
} ShownNetwork;

static void shown_network_free(gpointer p) {
        ShownNetwork *s = p;

        g_free(s->mode);
        g_free(s);
}

static void remember_shown(BusContext *c, const Network *n, const NetworkInfo *i) {
        ShownNetwork *s = g_new0(ShownNetwork, 1);

        if (!c->shown_networks)
                c->shown_networks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, shown_network_free);
        s->info = *i;
        s->mode = g_strdup(i->mode);
        s->info.mode = s->mode;
        s->info.name = s->info.uuid = NULL;     /* const properties: never compared */
        g_hash_table_replace(c->shown_networks, g_strdup(network_name(n)), s);
}

static void emit_network_changed(BusContext *c, Network *n, const char *path) {
        const ShownNetwork *was = c->shown_networks ? g_hash_table_lookup(c->shown_networks, network_name(n)) :
                                  NULL;
        const char *changed[8];
        size_t k = 0;
        NetworkInfo i;

        engine_network_info(c->engine, n, &i);
        if (!was || !streq(was->info.mode, i.mode))
                changed[k++] = "ForwardMode";
        if (!was || was->info.active != i.active)
                changed[k++] = "Active";
        if (!was || was->info.persistent != i.persistent)
                changed[k++] = "Persistent";
        if (!was || was->info.autostart != i.autostart)
                changed[k++] = "Autostart";
        if (!was || was->info.connections != i.connections)
                changed[k++] = "Connections";
        if (!was || was->info.capacity != i.capacity)
                changed[k++] = "Capacity";
        if (!was || was->info.available != i.available)
                changed[k++] = "Available";
        changed[k] = NULL;
        remember_shown(c, n, &i);
        if (k > 0)
                (void) sd_bus_emit_properties_changed_strv(c->bus, path, NETPOOL_NETWORK_IFACE, (char **) changed);
}

void bus_network_flush_changed(BusContext *c) {
        g_autoptr(GHashTable) names = g_steal_pointer(&c->changed_networks);
        GHashTableIter it;
        gpointer name;

        if (!names || !c->bus)
                return;
        g_hash_table_iter_init(&it, names);
        while (g_hash_table_iter_next(&it, &name, NULL)) {
                Network *n = engine_lookup_by_name(c->engine, name);
                g_autofree char *path = n ? bus_network_path(name) : NULL;

                if (path)
                        emit_network_changed(c, n, path);
        }
}

static int on_changed_flush(sd_event_source *s, void *userdata) {
        bus_network_flush_changed(userdata);
        return 0;
}

/* A network's PropertiesChanged waits for the end of the loop turn: the calls and events served in it announce
 * Connections and Available once, with the final values (dbus-api.md, "Signals under load"). Sent at once when
 * the wait cannot be arranged. */
static void network_changed_later(BusContext *c, Network *n, const char *path) {
        int r = 0;

        if (!c->changed_flush)
                r = sd_event_add_defer(c->event, &c->changed_flush, on_changed_flush, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->changed_flush, SD_EVENT_ONESHOT);
        if (r < 0) {
                emit_network_changed(c, n, path);
                return;
        }
        if (!c->changed_networks)
                c->changed_networks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_add(c->changed_networks, g_strdup(network_name(n)));
}

/* A network about to go sends what was due for it first, in the order the clients saw before: its last
 * PropertiesChanged (Active false, say), then InterfacesRemoved. */
static void network_changed_now(BusContext *c, Network *n, const char *path) {
        if (c->changed_networks && g_hash_table_remove(c->changed_networks, network_name(n)))
                emit_network_changed(c, n, path);
}

void bus_emit_engine_event(BusContext *c, Network *n, Port *port, EngineEvent event) {
        g_autofree char *path = NULL;
        NetworkInfo i;

        bus_statistics_count_event(&c->statistics, event);
        if (!c->bus)
                return;
        path = port ? bus_port_path(port_uuid(port)) : bus_network_path(network_name(n));
        if (!path)
                return;
        switch (event) {
        case ENGINE_EVENT_NETWORK_ADDED:
                engine_network_info(c->engine, n, &i);
                remember_shown(c, n, &i);
                _fallthrough_;
        case ENGINE_EVENT_PORT_ADDED:
                (void) sd_bus_emit_object_added(c->bus, path);
                break;
        case ENGINE_EVENT_NETWORK_REMOVED:
                if (!port)
                        network_changed_now(c, n, path);
                if (c->shown_networks)
                        g_hash_table_remove(c->shown_networks, network_name(n));
                _fallthrough_;
        case ENGINE_EVENT_PORT_REMOVED:
                if (port)       /* not for a network's removal, which comes this way too */
                        bus_owner_unwatch(c, port_uuid(port));
                (void) sd_bus_emit_object_removed(c->bus, path);
                break;
        case ENGINE_EVENT_NETWORK_CHANGED:
                network_changed_later(c, n, path);
                break;
        case ENGINE_EVENT_PORT_HEALTH:
                (void) sd_bus_emit_properties_changed(c->bus, path, NETPOOL_PORT_IFACE, "Health", NULL);
                break;
        case ENGINE_EVENT_PORT_DRIFT_REPAIRED:
        case ENGINE_EVENT_PORT_REAPPLIED:
                break;          /* counted above; the Health change is its own event */
        }
}

/* Properties.Set of Autostart needs org.netpool1.manage. sd-bus answers a property Set itself once the
 * setter returns, so the check runs here, before the call reaches the vtable: held back while polkit
 * thinks, refused here, or let through. */
static int filter_autostart_set(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        BusContext *c = userdata;
        g_autofree char *name = NULL;
        const char *iface, *prop, *value_type = NULL;
        int r;

        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Set") ||
            bus_path_decode_exact(sd_bus_message_get_path(m), NETPOOL_NETWORK_PREFIX, &name) <= 0)
                return 0;
        r = sd_bus_message_read(m, "ss", &iface, &prop);
        if (r >= 0)
                r = sd_bus_message_peek_type(m, NULL, &value_type);
        (void) sd_bus_message_rewind(m, true);
        if (r < 0 || !streq(iface, NETPOOL_NETWORK_IFACE) || !streq(prop, "Autostart"))
                return 0;
        if (!streq_ptr(value_type, "b")) {   /* before polkit: a held call carries a boolean, nothing larger */
                (void) sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                                  "Autostart is a boolean ('b'), not '%.16s'", value_type ?: "?");
                return 1;
        }
        r = bus_verify_polkit_async(c, m, NETPOOL_ACTION_MANAGE, name, "autostart", &error);
        if (r > 0)
                return 0;
        if (r < 0)
                (void) sd_bus_reply_method_error(m, &error);
        return 1;       /* consumed: answered here, or dispatched again when polkit answers */
}

void bus_network_remember_all(BusContext *c) {
        g_autoptr(GPtrArray) list = engine_list_networks(c->engine);

        for (guint i = 0; i < list->len; i++) {
                NetworkInfo info;

                engine_network_info(c->engine, list->pdata[i], &info);
                remember_shown(c, list->pdata[i], &info);
        }
}

int bus_network_add(BusContext *c, sd_bus *bus) {
        int r;

        r = sd_bus_add_filter(bus, NULL, filter_autostart_set, c);
        if (r < 0)
                return r;
        r = sd_bus_add_fallback_vtable(bus, NULL, NETPOOL_NETWORK_PREFIX, NETPOOL_NETWORK_IFACE,
                                       network_vtable, network_object_find, c);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, NETPOOL_NETWORK_PREFIX, network_node_enumerator, c);
}
