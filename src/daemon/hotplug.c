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
/* sd-event's default accuracy (accuracy 0) is 250 ms: the rescan would come up to 250 ms after the settle time */
#define SETTLE_ACCURACY_USEC (1 * 1000)

/* more names than this in one settle: a rescan of everything is as cheap */
#define MAX_CHANGED_NAMES 4096

struct Hotplug {
        BusContext *bus;
        sd_device_monitor *monitor;
        int inotify_fd;
        sd_event_source *inotify_source;
        sd_event_source *settle_timer;
        GHashTable *changed;            /* the names the events carried (PCI addresses, netdevs) since the last
                                         * rescan; NULL when one could not be told: everything is read again */
};

static int on_settled(sd_event_source *s, uint64_t usec, void *userdata) {
        Hotplug *h = userdata;
        g_autoptr(GHashTable) changed = g_steal_pointer(&h->changed);
        g_auto(EngineError) err = {};

        h->changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        log_debug("devices changed (%u named), rescanning", changed ? g_hash_table_size(changed) : 0);
        /* only the PFs the events concern: a numvfs change of one PF reads its VFs, not the host's */
        if (engine_rescan_changed(h->bus->engine, changed, &err) != 0)
                log_warning("rescan after a device change failed: %s", err.message);
        engine_set_devices_settling(h->bus->engine, false);
        return 0;
}

/* An event named name (NULL: it named nothing usable, everything is read again) */
static void note_name(Hotplug *h, const char *name) {
        if (!h->changed)
                return;
        if (!name || !name[0] || g_hash_table_size(h->changed) >= MAX_CHANGED_NAMES)
                g_clear_pointer(&h->changed, g_hash_table_unref);
        else
                g_hash_table_add(h->changed, g_strdup(name));
}

static void hotplug_changed(Hotplug *h) {
        uint64_t now;

        if (sd_event_now(h->bus->event, CLOCK_MONOTONIC, &now) < 0)
                return;
        engine_set_devices_settling(h->bus->engine, true);
        (void) sd_event_source_set_time(h->settle_timer, now + SETTLE_USEC);
        (void) sd_event_source_set_enabled(h->settle_timer, SD_EVENT_ONESHOT);
}

/* A pci event names the function (its sysname is the PCI address), a net event the netdev */
static int on_uevent(sd_device_monitor *m, sd_device *device, void *userdata) {
        const char *sysname = NULL;

        (void) sd_device_get_sysname(device, &sysname);
        note_name(userdata, sysname);
        hotplug_changed(userdata);
        return 0;
}

/* The sim's events name the entry of sys/bus/pci/devices (a PCI address) or sys/class/net (a netdev) */
static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;

        while ((n = read(fd, buf, sizeof(buf))) > 0) {
                const struct inotify_event *ev;

                for (char *p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
                        ev = (const struct inotify_event *) p;
                        note_name(userdata, ev->mask & IN_Q_OVERFLOW || ev->len == 0 ? NULL : ev->name);
                }
        }
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
        h->changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        r = sd_event_add_time(c->event, &h->settle_timer, CLOCK_MONOTONIC, UINT64_MAX, SETTLE_ACCURACY_USEC,
                              on_settled, h);
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
        if (h->changed)
                g_hash_table_unref(h->changed);
        g_free(h);
        return NULL;
}
