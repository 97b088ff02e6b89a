/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus context: its teardown, by the layer that knows its fields */
#include "bus/bus-call.h"
#include "bus/bus-context.h"
#include "bus/bus-owner-watch.h"
#include "bus/bus-polkit.h"
#include "bus/bus-private.h"

int bus_objects_add(BusContext *c, sd_bus *bus) {
        int r;

        /* filters in this order: the polkit cap, Autostart's check (bus_network_add), then idle activity */
        r = bus_polkit_add_filter(c, bus);
        if (r >= 0)
                r = bus_manager_add(c, bus);
        if (r >= 0)
                r = bus_network_add(c, bus);
        if (r >= 0)
                r = bus_port_add(c, bus);
        if (r >= 0)
                r = bus_device_add(c, bus);
        if (r >= 0)
                r = bus_statistics_add(c, bus);
        if (r >= 0)
                r = bus_idle_add_filter(c, bus);
        return r;
}

void bus_context_clear(BusContext *c) {
        c->idle_timer = sd_event_source_disable_unref(c->idle_timer);
        bus_calls_free(c);
        bus_private_free(c);    /* before the state lock goes (context_clear): the next instance binds anew */
        c->heap_trim = sd_event_source_disable_unref(c->heap_trim);
        bus_owner_watch_free(c);
        bus_polkit_free(c);
        bus_network_flush_changed(c);   /* what the clients were due before the connection goes */
        c->changed_flush = sd_event_source_disable_unref(c->changed_flush);
        g_clear_pointer(&c->changed_networks, g_hash_table_unref);
        g_clear_pointer(&c->shown_networks, g_hash_table_unref);
        bus_statistics_clear(&c->statistics);
        c->bus = sd_bus_flush_close_unref(c->bus);
        c->engine = engine_free(c->engine);
        c->event = sd_event_unref(c->event);
}
