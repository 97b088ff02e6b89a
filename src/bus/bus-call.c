/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Calls in flight: method calls that wait for polkit or for a retry timer, and are dispatched again.
 * A record lives while its call waits, and until the call, put back into the read queue, has run again:
 * a sweep at idle priority (after the bus served its queue) drops every record that no longer waits —
 * among them those whose object vanished meanwhile, which sd-bus answered itself (UnknownObject). */
#include <errno.h>

#include "bus/bus-call.h"
#include "shared/log.h"

/* a VF in reset is tried this many times, 10, 20, 40, 80 ms apart (150 ms in all) */
#define BUSY_TRIES 5
#define RETRY_ACCURACY_USEC 1000      /* 1 ms: the retry steps are 10 to 80 ms */

static BusCall *bus_call_free(BusCall *k) {
        if (!k)
                return NULL;
        sd_bus_slot_unref(k->polkit_slot);
        sd_bus_slot_unref(k->probe_slot);
        sd_bus_slot_unref(k->barrier_slot);
        sd_event_source_disable_unref(k->timer);
        sd_bus_message_unref(k->m);
        sd_bus_error_free(&k->error);
        g_free(k);
        return NULL;
}

static void bus_call_destroy(gpointer k) {
        bus_call_free(k);
}

static GHashTable *calls(BusContext *c) {
        if (!c->calls)
                c->calls = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, bus_call_destroy);
        return c->calls;
}

BusCall *bus_call_get(BusContext *c, sd_bus_message *m) {
        return c->calls ? g_hash_table_lookup(c->calls, m) : NULL;
}

/* A copy of the method call m that a waiting call keeps in its stead: the same sender, cookie, object and
 * arguments (an fd among them is duplicated), and none of the fds the header announced beyond them. netpoold
 * negotiates fds (it passes taps), and sd-bus keeps every fd a message came with while the message lives: a
 * call held for polkit must not hold fds a caller attached to it for that. */
static int copy_without_stray_fds(sd_bus *bus, sd_bus_message *m, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *copy = NULL;
        uint64_t cookie;
        int r;

        r = sd_bus_message_get_cookie(m, &cookie);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &copy, sd_bus_message_get_destination(m),
                                                   sd_bus_message_get_path(m), sd_bus_message_get_interface(m),
                                                   sd_bus_message_get_member(m));
        if (r >= 0 && sd_bus_message_get_sender(m))
                r = sd_bus_message_set_sender(copy, sd_bus_message_get_sender(m));
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(
                        copy, sd_bus_message_get_allow_interactive_authorization(m));
        if (r >= 0)
                r = sd_bus_message_set_expect_reply(copy, sd_bus_message_get_expect_reply(m));
        if (r >= 0)
                r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = sd_bus_message_copy(copy, m, true);
        if (r >= 0)
                r = sd_bus_message_seal(copy, cookie, 0);
        if (r >= 0)
                r = sd_bus_message_rewind(copy, true);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&copy);
        return 0;
}

BusCall *bus_call_ensure(BusContext *c, sd_bus_message *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *kept = NULL;
        BusCall *k = bus_call_get(c, m);
        int r;

        if (k)
                return k;
        r = copy_without_stray_fds(sd_bus_message_get_bus(m), m, &kept);
        if (r < 0) {
                log_debug_errno(r, "cannot copy a waiting method call, keeping it as it came: %m");
                kept = sd_bus_message_ref(m);
        }
        k = g_new0(BusCall, 1);
        k->c = c;
        /* keyed by the copy: the runs to come have it, and the record holds it (the message of this run is freed
         * after it, and its address may come again with another caller's call) */
        k->m = g_steal_pointer(&kept);
        g_hash_table_insert(calls(c), k->m, k);
        return k;
}

void bus_call_forget(BusContext *c, BusCall *k) {
        g_hash_table_remove(calls(c), k->m);
}

static bool bus_call_waits(const BusCall *k) {
        return k->polkit_slot || k->timer || k->barrier_slot;
}

static int on_sweep(sd_event_source *s, void *userdata) {
        BusContext *c = userdata;
        GHashTableIter it;
        gpointer v;

        if (!c->calls)
                return 0;
        g_hash_table_iter_init(&it, c->calls);
        while (g_hash_table_iter_next(&it, NULL, &v))
                if (!bus_call_waits(v))
                        g_hash_table_iter_remove(&it);
        return 0;
}

static int schedule_sweep(BusContext *c) {
        int r;

        if (!c->call_sweep) {
                r = sd_event_add_defer(c->event, &c->call_sweep, on_sweep, c);
                if (r < 0)
                        return r;
                r = sd_event_source_set_priority(c->call_sweep, SD_EVENT_PRIORITY_IDLE);
                if (r < 0)
                        return r;
        }
        return sd_event_source_set_enabled(c->call_sweep, SD_EVENT_ONESHOT);
}

int bus_call_redispatch(BusCall *k) {
        int r;

        r = sd_bus_message_rewind(k->m, true);
        /* on the connection it came by: the bus or a private one */
        if (r >= 0)
                r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(k->m), k->m);
        if (r >= 0)
                r = schedule_sweep(k->c);
        if (r < 0) {
                log_warning_errno(r, "cannot dispatch a waiting method call again: %m");
                (void) sd_bus_reply_method_errorf(k->m, SD_BUS_ERROR_FAILED, "internal error: %s", strerror(-r));
                g_hash_table_remove(calls(k->c), k->m);
        }
        return r;
}

EngineCall bus_call_options(BusContext *c, sd_bus_message *m) {
        const BusCall *k = bus_call_get(c, m);

        return (EngineCall) { .may_wait = !k || k->busy_tries < BUSY_TRIES - 1 };
}

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        BusCall *k = userdata;

        k->timer = sd_event_source_disable_unref(k->timer);
        (void) bus_call_redispatch(k);
        return 0;
}

int bus_call_again_later(BusContext *c, sd_bus_message *m, const EngineError *err) {
        BusCall *k = bus_call_ensure(c, m);
        uint64_t usec = err->retry_usec;
        int r;

        if (err->busy) {
                k->busy_tries++;
                usec <<= k->busy_tries - 1;
        }
        k->timer = sd_event_source_disable_unref(k->timer);
        /* accuracy 0 would be sd-event's default of 250 ms, which turns the 10/20/40/80 ms steps into
         * 250 ms ones: ask for 1 ms */
        r = sd_event_add_time_relative(c->event, &k->timer, CLOCK_MONOTONIC, usec, RETRY_ACCURACY_USEC,
                                       on_retry_timer, k);
        /* below the bus: the calls already queued are served before this one goes on */
        if (r >= 0)
                r = sd_event_source_set_priority(k->timer, SD_EVENT_PRIORITY_NORMAL + 1);
        if (r < 0) {
                bus_call_forget(c, k);
                return r;
        }
        return 1;
}

unsigned bus_calls_count(BusContext *c, bool (*match)(const BusCall *k, void *data), void *data) {
        GHashTableIter it;
        gpointer v;
        unsigned n = 0;

        if (!c->calls)
                return 0;
        g_hash_table_iter_init(&it, c->calls);
        while (g_hash_table_iter_next(&it, NULL, &v))
                n += match(v, data);
        return n;
}

static bool call_waits(const BusCall *k, void *data) {
        return bus_call_waits(k);
}

unsigned bus_calls_waiting(BusContext *c) {
        return bus_calls_count(c, call_waits, NULL);
}

void bus_calls_free(BusContext *c) {
        g_clear_pointer(&c->calls, g_hash_table_unref);
        c->call_sweep = sd_event_source_disable_unref(c->call_sweep);
}
