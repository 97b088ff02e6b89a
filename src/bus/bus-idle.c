/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Idle exit: after a quiet spell, give up the bus name, serve what was already queued, and exit */
#include <errno.h>

#include "bus/bus-call.h"
#include "bus/bus-context.h"
#include "bus/bus-private.h"
#include "shared/log.h"

/* after releasing the name, how long the queue must stay quiet before we exit */
#define DRAIN_USEC (100 * 1000)

static int idle_arm(BusContext *c, uint64_t usec) {
        uint64_t now;
        int r;

        r = sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        r = sd_event_source_set_time(c->idle_timer, now + usec);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(c->idle_timer, SD_EVENT_ONESHOT);
}

static int on_idle_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        BusContext *c = userdata;
        int r;

        /* ports: netpoold watches hot-plug and their owner processes for them (dbus-api.md 1.1, "Lifetime") */
        if (bus_calls_waiting(c) > 0 || engine_restores_pending(c->engine) || engine_has_ports(c->engine))
                return idle_arm(c, c->exit_idle_usec);
        if (c->exiting) {
                log_info("idle, exiting");
                return sd_event_exit(c->event, 0);
        }
        /* from here on new calls activate a new instance, which waits on the state lock until we are gone */
        r = sd_bus_release_name(c->bus, NETPOOL_BUS_NAME);
        if (r < 0)
                log_warning_errno(r, "cannot release %s: %m; exiting anyway", NETPOOL_BUS_NAME);
        /* and no new private connection: a root agent finds no socket and activates the next one through the
         * bus; the open ones are served until we exit (an idle one does not keep us: as with the bus, only
         * calls in flight and ports do) */
        bus_private_stop_listening(c);
        c->exiting = true;
        return idle_arm(c, DRAIN_USEC);
}

/* A method call came: the idle time starts anew. */
static void bus_idle_activity(BusContext *c) {
        if (!c->idle_timer)
                return;
        (void) idle_arm(c, c->exiting ? DRAIN_USEC : c->exit_idle_usec);
}

static int on_incoming(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusContext *c = userdata;

        if (sd_bus_message_is_method_call(m, NULL, NULL))
                bus_idle_activity(c);
        return 0;       /* let the message through */
}

int bus_idle_setup(BusContext *c) {
        if (c->exit_idle_usec == 0)
                return 0;
        return sd_event_add_time_relative(c->event, &c->idle_timer, CLOCK_MONOTONIC, c->exit_idle_usec,
                                          /* accuracy= */ 0, on_idle_timer, c);
}

int bus_idle_add_filter(BusContext *c, sd_bus *bus) {
        if (c->exit_idle_usec == 0)
                return 0;
        return sd_bus_add_filter(bus, NULL, on_incoming, c);
}
