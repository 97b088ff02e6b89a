/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Calls in flight: method calls that wait — for polkit's verdict or for a retry timer — and are then
 * dispatched again from the start, finding here what was decided before */
#pragma once

#include "bus/bus-context.h"

typedef struct BusCall {
        BusContext *c;
        sd_bus_message *m;              /* the call as kept (a copy without stray fds), dispatched again */
        sd_bus_slot *polkit_slot;       /* polkit is deciding */
        uid_t uid;                      /* the caller's, while polkit decides: the cap per uid */
        sd_event_source *timer;         /* waiting to be dispatched again */
        int verdict;                    /* 0 not asked, 1 allowed, < 0 denied (error says why) */
        sd_bus_error error;
        unsigned busy_tries;            /* tries that met a VF still in reset */
        sd_bus_slot *probe_slot;        /* fd probe: a call carrying an fd to the caller (bus-fd-probe.c) */
        sd_bus_slot *barrier_slot;      /* and the call to the bus after it, whose answer ends the wait */
        bool probe_refused;             /* the bus refused the probe: the caller takes no fds */
        bool probe_denied;              /* the bus's policy refused it: nothing is known */
        int takes_fds;                  /* 0 not known, 1 yes, -1 no, -2 cannot be known */
} BusCall;

/* The call record of m, if it has waited before; NULL otherwise. */
BusCall *bus_call_get(BusContext *c, sd_bus_message *m);
/* The call record of m, made when missing; it keeps a copy of m (without stray fds), which the runs after
 * this one have: this run uses the record returned, never a lookup by m. */
BusCall *bus_call_ensure(BusContext *c, sd_bus_message *m);
/* Drop the record of a call (that will not wait after all). */
void bus_call_forget(BusContext *c, BusCall *k);
/* Put m back into the read queue: its handler runs again from the start. */
int bus_call_redispatch(BusCall *k);

/* What the engine may do in this call: wait for a VF in reset (by ENGINE_ERROR_AGAIN) unless the call
 * has waited the most it may. */
EngineCall bus_call_options(BusContext *c, sd_bus_message *m);
/* The engine said ENGINE_ERROR_AGAIN: dispatch m again after err->retry_usec (doubled per busy try), once
 * the bus's queue was served. Returns 1 (the call is handled for now) or a negative errno. */
int bus_call_again_later(BusContext *c, sd_bus_message *m, const EngineError *err);

/* The recorded calls that match says yes to. */
unsigned bus_calls_count(BusContext *c, bool (*match)(const BusCall *k, void *data), void *data);
/* Calls that wait (no idle exit meanwhile). */
unsigned bus_calls_waiting(BusContext *c);
void bus_calls_free(BusContext *c);
