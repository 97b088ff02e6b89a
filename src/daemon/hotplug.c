/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hot-plug: rescan the pools of active networks when devices come or go */
#include <errno.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <systemd/sd-device.h>

#include "daemon/hotplug.h"
#include "shared/log.h"

/* a VF resize is many events in a row: wait for them to settle, then rescan once — soon enough that the Device
 * objects follow a numvfs change within 100 ms (issue 20) */
#define SETTLE_USEC (40 * 1000)

struct Hotplug {
        BusContext *bus;
        sd_device_monitor *monitor;
        int inotify_fd;
        sd_event_source *inotify_source;
        sd_event_source *settle_timer;
};

static int on_settled(sd_event_source *s, uint64_t usec, void *userdata) {
        Hotplug *h = userdata;
        g_auto(EngineError) err = {};

        log_debug("devices changed, rescanning");
        if (engine_rescan(h->bus->engine, &err) != 0)
                log_warning("rescan after a device change failed: %s", err.message);
        engine_set_devices_settling(h->bus->engine, false);
        return 0;
}

static void hotplug_changed(Hotplug *h) {
        uint64_t now;

        if (sd_event_now(h->bus->event, CLOCK_MONOTONIC, &now) < 0)
                return;
        engine_set_devices_settling(h->bus->engine, true);
        (void) sd_event_source_set_time(h->settle_timer, now + SETTLE_USEC);
        (void) sd_event_source_set_enabled(h->settle_timer, SD_EVENT_ONESHOT);
}

static int on_uevent(sd_device_monitor *m, sd_device *device, void *userdata) {
        hotplug_changed(userdata);
        return 0;
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        while (read(fd, buf, sizeof(buf)) > 0)
                ;       /* what changed does not matter: the rescan reads everything */
        hotplug_changed(userdata);
        return 0;
}

static int watch_udev(Hotplug *h) {
        int r;

        r = sd_device_monitor_new(&h->monitor);
        if (r < 0)
                return r;
        (void) sd_device_monitor_filter_add_match_subsystem_devtype(h->monitor, "net", NULL);
        (void) sd_device_monitor_filter_add_match_subsystem_devtype(h->monitor, "pci", NULL);
        r = sd_device_monitor_attach_event(h->monitor, h->bus->event);
        if (r < 0)
                return r;
        return sd_device_monitor_start(h->monitor, on_uevent, h);
}

static int watch_sim(Hotplug *h, const char *sim_dir) {
        static const char *const dirs[] = { "sys/class/net", "sys/bus/pci/devices" };

        h->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (h->inotify_fd < 0)
                return -errno;
        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
                g_autofree char *path = g_build_filename(sim_dir, dirs[i], NULL);

                if (inotify_add_watch(h->inotify_fd, path, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO) < 0)
                        log_debug_errno(errno, "cannot watch %s: %m", path);
        }
        return sd_event_add_io(h->bus->event, &h->inotify_source, h->inotify_fd, EPOLLIN, on_inotify, h);
}

int hotplug_new(BusContext *c, const char *sim_dir, Hotplug **ret) {
        g_autoptr(Hotplug) h = g_new0(Hotplug, 1);
        int r;

        h->bus = c;
        h->inotify_fd = -1;
        r = sd_event_add_time(c->event, &h->settle_timer, CLOCK_MONOTONIC, UINT64_MAX, 0, on_settled, h);
        if (r < 0)
                return r;
        r = sim_dir ? watch_sim(h, sim_dir) : watch_udev(h);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&h);
        return 0;
}

Hotplug *hotplug_free(Hotplug *h) {
        if (!h)
                return NULL;
        sd_event_source_disable_unref(h->settle_timer);
        sd_event_source_disable_unref(h->inotify_source);
        sd_device_monitor_unref(h->monitor);
        if (h->inotify_fd >= 0)
                close(h->inotify_fd);
        g_free(h);
        return NULL;
}
