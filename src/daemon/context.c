/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's context: everything netpoold holds, in one place */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include "bus/bus-errors.h"
#include "bus/bus-owner-watch.h"
#include "bus/bus-polkit.h"
#include "bus/bus-private.h"
#include "daemon/context.h"
#include "daemon/state-lock.h"
#include "daemon/statistics-record.h"
#include "hw/hw-linux.h"
#include "hw/hw-sim.h"
#include "shared/fileio.h"
#include "shared/log.h"

static int open_hardware(const ContextOptions *o, HwBackend **ret) {
        int r;

        if (o->sim_dir) {
                r = hw_backend_new_sim(o->sim_dir, ret);
                if (r < 0)
                        return log_error_errno(r, "cannot open sim host '%s': %m", o->sim_dir);
                log_info("hardware: sim host %s", o->sim_dir);
                return 0;
        }
        r = hw_backend_new_linux(o->sysfs_root, ret);
        if (r < 0)
                return log_error_errno(r, "cannot open the linux hardware backend: %m");
        return 0;
}

/* how long a change of the counters may wait to be written: they change on the Allocate and Release paths,
 * which should not pay for a file each; a crash loses at most this much counting */
#define STATISTICS_SAVE_USEC (1000 * 1000)

static void save_statistics(Context *c) {
        int r;

        c->statistics_dirty = false;
        r = statistics_record_save(c->state_dir, &c->bus.statistics);
        if (r < 0)
                log_warning_errno(r, "cannot write %s/%s: %m; the next netpoold goes on from its last saved "
                                  "counts", c->state_dir, STATISTICS_RECORD_NAME);
}

static int on_statistics_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        save_statistics(userdata);
        return 0;
}

static void on_statistics_changed(const BusStatistics *s, void *userdata) {
        Context *c = userdata;
        int r;

        if (c->statistics_dirty)
                return;         /* the timer is already armed */
        c->statistics_dirty = true;
        r = sd_event_source_set_time_relative(c->statistics_timer, STATISTICS_SAVE_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->statistics_timer, SD_EVENT_ONESHOT);
        if (r < 0)
                save_statistics(c);
}

/* The counters go on from where the previous instance left them: an idle exit is no reset for a monitor.
 * STATE is a tmpfs, so after a reboot counting starts anew. */
static int load_statistics(Context *c) {
        BusStatistics *s = &c->bus.statistics;
        g_autofree char *message = NULL;
        int r;

        bus_statistics_init(s);
        r = statistics_record_load(c->state_dir, s, &message);
        if (r < 0 && r != -ENOENT)
                log_warning("ignoring %s/%s (%s): counting from zero", c->state_dir, STATISTICS_RECORD_NAME,
                            message);
        if (r < 0)
                save_statistics(c);     /* so that the next instance keeps this start */
        r = sd_event_add_time_relative(c->bus.event, &c->statistics_timer, CLOCK_MONOTONIC,
                                       STATISTICS_SAVE_USEC, /* accuracy= */ 0, on_statistics_timer, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->statistics_timer, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "cannot set up the timer that saves the counters: %m");
        s->changed = on_statistics_changed;
        s->changed_data = c;
        return 0;
}

static void on_engine_event(Engine *e, Network *n, Port *port, EngineEvent event, void *userdata) {
        bus_emit_engine_event(userdata, n, port, event);
}

/* Who has the name we wanted, in words: the usual cause is a netpoold with another state dir. */
static int log_name_owner(sd_bus *bus) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *unique = "?";
        pid_t pid = 0;

        if (sd_bus_get_name_creds(bus, NETPOOL_BUS_NAME, SD_BUS_CREDS_PID | SD_BUS_CREDS_UNIQUE_NAME, &creds) >= 0) {
                (void) sd_bus_creds_get_pid(creds, &pid);
                (void) sd_bus_creds_get_unique_name(creds, &unique);
        }
        return log_error_errno(EEXIST, "cannot own %s: another process owns it on this bus (pid %d, %s); "
                               "stop it first", NETPOOL_BUS_NAME, (int) pid, unique);
}

/* The system bus as sd_bus_open_system() opens it, with unix fds negotiated: AllocateWithOptions hands an open
 * tap to its caller. No method takes an fd; one that carries fds its arguments do not use is answered at once
 * or, when it must wait (for polkit), waits as a copy without them (bus-call.c): a caller cannot make netpoold
 * hold fds. */
static int open_system_bus(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *address = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS");
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address ?: "unix:path=/run/dbus/system_bus_socket");
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_set_trusted(bus, false);     /* per-method access checks, as on any system bus */
        if (r >= 0)
                r = sd_bus_negotiate_creds(bus, true, SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID |
                                                      SD_BUS_CREDS_EFFECTIVE_CAPS);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, true);
        if (r >= 0)
                r = sd_bus_set_description(bus, "system");
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&bus);
        return 0;
}

static int connect_bus(Context *c) {
        BusContext *b = &c->bus;
        int r;

        r = open_system_bus(&b->bus);
        if (r < 0)
                return log_error_errno(r, "cannot connect to the system bus: %m");
        (void) sd_bus_set_exit_on_disconnect(b->bus, true);
        r = sd_bus_attach_event(b->bus, b->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "cannot attach the bus to the event loop: %m");
        r = bus_polkit_setup(b);
        if (r < 0)
                return log_error_errno(r, "cannot watch the bus's names: %m");
        r = bus_idle_setup(b);
        if (r < 0)
                return log_error_errno(r, "cannot set up idle exit: %m");
        bus_network_remember_all(b);
        r = bus_objects_add(b, b->bus);
        if (r < 0)
                return log_error_errno(r, "cannot register bus objects: %m");
        bus_device_observe(b);
        engine_set_observer(b->engine, on_engine_event, b);
        bus_owner_watch_all(b);         /* the ports' owner processes, or their release when they are gone */
        r = sd_bus_request_name(b->bus, NETPOOL_BUS_NAME, 0);
        if (r == -EEXIST)
                return log_name_owner(b->bus);
        if (r < 0)
                return log_error_errno(r, "cannot own %s: %m", NETPOOL_BUS_NAME);
        return 0;
}

/* STATE/private for root agents (bus-private.c). Before the name is ours: an agent that activated netpoold
 * through the bus finds the socket once its call is answered. Without it netpoold still serves the bus. */
static void listen_private(Context *c) {
        g_autofree char *path = g_build_filename(c->state_dir, BUS_PRIVATE_SOCKET_NAME, NULL);
        int r;

        r = bus_private_listen(&c->bus, path);
        if (r < 0)
                log_warning_errno(r, "cannot listen on the private socket %s: %m; serving the system bus only",
                                  path);
}

/* how long a new instance waits for an idle one that is still exiting (it releases the name first) */
#define STATE_LOCK_WAIT_USEC (10 * 1000 * 1000)

/* how often a failed VF restore is tried again */
#define RESTORE_RETRY_USEC (10 * 1000 * 1000)

static int on_restore_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;

        (void) engine_retry_restores(c->bus.engine);
        (void) sd_event_source_set_time_relative(s, RESTORE_RETRY_USEC);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        log_info("signal %u, exiting", si->ssi_signo);
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

int context_start(Context *c, const ContextOptions *o) {
        g_auto(EngineError) err = {};
        HwBackend *hw = NULL;
        sigset_t mask;
        int r;

        (void) netpool_error_map_register();
        r = open_hardware(o, &hw);
        if (r < 0)
                return r;
        r = state_lock_take(o->state_dir, STATE_LOCK_WAIT_USEC);
        if (r < 0) {
                hw_backend_free(hw);
                return r;
        }
        c->lock_fd = r;
        r = engine_new(hw, o->config_dir, o->state_dir, &c->bus.engine, &err);
        if (r != 0)
                return log_error_errno(r > 0 ? -EIO : r, "%s", err.message);
        engine_autostart(c->bus.engine);
        c->state_dir = g_strdup(o->state_dir);

        r = sd_event_default(&c->bus.event);
        if (r < 0)
                return log_error_errno(r, "cannot create the event loop: %m");
        r = load_statistics(c);
        if (r < 0)
                return r;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        (void) sd_event_add_signal(c->bus.event, NULL, SIGTERM, on_signal, NULL);
        (void) sd_event_add_signal(c->bus.event, NULL, SIGINT, on_signal, NULL);
        c->bus.exit_idle_usec = o->exit_idle_usec;
        listen_private(c);
        r = connect_bus(c);
        if (r < 0)
                return r;
        /* the name is ours now: watchers matching on it get what changed while no netpoold ran */
        r = inventory_record_start(&c->bus, c->state_dir, &c->inventory_record);
        if (r < 0)
                log_warning_errno(r, "cannot keep STATE/%s: %m", INVENTORY_RECORD_NAME);
        r = sd_event_add_time_relative(c->bus.event, &c->restore_timer, CLOCK_MONOTONIC, RESTORE_RETRY_USEC,
                                       0, on_restore_timer, c);
        if (r < 0)
                return log_error_errno(r, "cannot set up the restore retry timer: %m");
        r = hotplug_new(&c->bus, o->sim_dir, &c->hotplug);
        if (r < 0)
                log_warning_errno(r, "cannot watch for device changes, pools change only on Rescan: %m");
        r = drift_watch_new(&c->bus, &c->drift_watch);
        if (r < 0)
                log_warning_errno(r, "cannot watch the ports' VFs for changes, drift is repaired only at Notify and "
                                  "Rescan: %m");
        return 0;
}

int context_run(Context *c) {
        int r = sd_event_loop(c->bus.event);

        /* an idle exit or SIGTERM: what the timer has not written yet, for the next instance */
        if (c->statistics_dirty)
                save_statistics(c);

        if (c->bus.bus)
                (void) sd_bus_flush(c->bus.bus);
        return r;
}

void context_clear(Context *c) {
        c->hotplug = hotplug_free(c->hotplug);
        c->drift_watch = drift_watch_free(c->drift_watch);
        c->inventory_record = inventory_record_free(c->inventory_record);
        c->restore_timer = sd_event_source_disable_unref(c->restore_timer);
        c->statistics_timer = sd_event_source_disable_unref(c->statistics_timer);
        g_clear_pointer(&c->state_dir, g_free);
        bus_context_clear(&c->bus);
        if (c->lock_fd >= 0)
                close(c->lock_fd);
        c->lock_fd = -1;
}
