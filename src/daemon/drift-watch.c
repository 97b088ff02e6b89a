/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drift watch: link changes of the ports' VFs, checked a moment later (drift-watch.h) */
#include <errno.h>

#include "daemon/drift-watch.h"
#include "shared/log.h"

/* a set writes several attributes in a row, and our own sets come back as changes too: gather them first */
#define DRIFT_SETTLE_USEC (150 * 1000)

struct DriftWatch {
        BusContext *bus;
        sd_event_source *io;
        sd_event_source *settle_timer;
};

static int on_settled(sd_event_source *s, uint64_t usec, void *userdata) {
        DriftWatch *w = userdata;

        engine_links_check(w->bus->engine);
        return 0;
}

static int on_links(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        DriftWatch *w = userdata;
        int enabled = SD_EVENT_OFF;

        if (!engine_links_read(w->bus->engine))
                return 0;
        (void) sd_event_source_get_enabled(w->settle_timer, &enabled);
        if (enabled != SD_EVENT_OFF)
                return 0;       /* a check is due already: it sees these too */
        (void) sd_event_source_set_time_relative(w->settle_timer, DRIFT_SETTLE_USEC);
        return sd_event_source_set_enabled(w->settle_timer, SD_EVENT_ONESHOT);
}

int drift_watch_new(BusContext *c, DriftWatch **ret) {
        g_autoptr(DriftWatch) w = g_new0(DriftWatch, 1);
        int fd, r;

        w->bus = c;
        r = engine_watch_links(c->engine, &fd);
        if (r < 0)
                return r;
        r = sd_event_add_io(c->event, &w->io, fd, EPOLLIN, on_links, w);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(c->event, &w->settle_timer, CLOCK_MONOTONIC, DRIFT_SETTLE_USEC, 0,
                                       on_settled, w);
        if (r < 0)
                return r;
        (void) sd_event_source_set_enabled(w->settle_timer, SD_EVENT_OFF);
        *ret = g_steal_pointer(&w);
        return 0;
}

DriftWatch *drift_watch_free(DriftWatch *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->settle_timer);
        sd_event_source_disable_unref(w->io);
        g_free(w);
        return NULL;
}
