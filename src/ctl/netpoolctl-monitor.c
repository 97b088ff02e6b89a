/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: netpoold's signals as one timestamped line per event. One GetManagedObjects gives the
 * starting point; from then on the signals alone (InterfacesAdded/Removed, PropertiesChanged of networks, ports
 * and devices) keep the mirror (netpoolctl-monitor-object.h) and tell what happened. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-object.h"
#include "ctl/netpoolctl-monitor.h"
#include "ctl/netpoolctl-output.h"

#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

/* sd_bus_match_signal_async() takes no path_namespace: these two are match strings */
#define PROPERTIES_CHANGED_MATCH                                                \
        "type='signal',sender='" NETPOOL_BUS_NAME "',"                              \
        "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'," \
        "path_namespace='" NETPOOL_MANAGER_PATH "'"
#define NAME_OWNER_CHANGED_MATCH                                                \
        "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus'," \
        "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" NETPOOL_BUS_NAME "'"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_event, sd_event_unref)

static void monitor_clear(Monitor *m) {
        if (m->bus)
                (void) sd_bus_detach_event(m->bus);
        g_clear_pointer(&m->event, sd_event_unref);
        g_clear_pointer(&m->objects, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Monitor, monitor_clear)

/* ---- Keeping the mirror ---- */

/* The properties at msg for the object at path: a new object is announced (with announce), a known one (a
 * snapshot after a restart, a PropertiesChanged) tells what changed. */
static int object_update(Monitor *m, const MonitorKind *kind, const char *path, sd_bus_message *msg,
                         bool announce) {
        MonitorObject *o = g_hash_table_lookup(m->objects, path);
        g_autoptr(MonitorObject) fresh = NULL;
        uint64_t changed;
        char **old = NULL;
        int r;

        if (o && o->kind != kind)
                return sd_bus_message_skip(msg, "a{sv}");
        if (!o)
                o = fresh = monitor_object_new(kind, path);
        r = monitor_object_read(o, msg, &changed, &old);
        if (r < 0)
                return r;
        if (fresh) {
                g_hash_table_replace(m->objects, g_strdup(path), g_steal_pointer(&fresh));
                kind->added(m, o, announce);
        } else if (changed && announce)
                kind->changed(m, o, old, changed);
        monitor_values_free(kind, old);
        return 0;
}

/* The object at path is gone: told from what the mirror knew of it, or from its path alone. */
static void object_removed(Monitor *m, const MonitorKind *kind, const char *path) {
        MonitorObject *o = g_hash_table_lookup(m->objects, path);
        g_autoptr(MonitorObject) unknown = NULL;

        if (!o || o->kind != kind) {
                if (!g_str_has_prefix(path, kind->prefix))
                        return;
                o = unknown = monitor_object_new(kind, path);
        }
        kind->removed(m, o);
        if (!unknown)
                g_hash_table_remove(m->objects, path);
}

/* What the a{sa{sv}} of one object is read with. */
typedef struct ObjectReader {
        Monitor *m;
        const char *path;
        bool announce;
        GHashTable *seen;       /* the paths of a snapshot, or NULL */
} ObjectReader;

static int read_interface(sd_bus_message *msg, const char *interface, void *userdata) {
        ObjectReader *reader = userdata;
        const MonitorKind *kind = monitor_kind_of(interface);

        if (!kind)
                return sd_bus_message_skip(msg, "a{sv}");
        return object_update(reader->m, kind, reader->path, msg, reader->announce);
}

/* The a{sa{sv}} of one object, as InterfacesAdded and GetManagedObjects carry it. */
static int read_interfaces(sd_bus_message *msg, const char *path, void *userdata) {
        ObjectReader *reader = userdata;

        reader->path = path;
        if (reader->seen)
                g_hash_table_add(reader->seen, g_strdup(path));
        return ctl_read_dict(msg, "sa{sv}", read_interface, reader);
}

/* ---- Signal and reply handlers ---- */

static int report_bad_signal(sd_bus_message *msg, int r) {
        ctl_error("ignoring a malformed %s signal from netpoold: %s",
                  sd_bus_message_get_member(msg), strerror(-r));
        return 0;
}

static int on_interfaces_added(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *path;
        int r;

        /* before the first snapshot: already in it */
        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "o", &path);
        if (r >= 0)
                r = read_interfaces(msg, path, &(ObjectReader) { .m = m, .announce = true });
        return r < 0 ? report_bad_signal(msg, r) : 0;
}

static int on_interfaces_removed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        g_autoptr(GPtrArray) kinds = g_ptr_array_new();
        const char *path, *interface;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "o", &path);
        if (r >= 0)
                r = sd_bus_message_enter_container(msg, 'a', "s");
        while (r >= 0 && (r = sd_bus_message_read(msg, "s", &interface)) > 0)
                if (monitor_kind_of(interface))
                        g_ptr_array_add(kinds, (gpointer) monitor_kind_of(interface));
        if (r >= 0)
                r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return report_bad_signal(msg, r);
        for (guint i = 0; i < kinds->len; i++)
                object_removed(m, kinds->pdata[i], path);
        return 0;
}

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *path = sd_bus_message_get_path(msg);
        const MonitorKind *kind;
        const char *interface;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "s", &interface);
        if (r < 0)
                return report_bad_signal(msg, r);
        kind = monitor_kind_of(interface);
        if (!kind || !g_str_has_prefix(path, kind->prefix))
                return 0;
        /* one whose InterfacesAdded was missed is learnt quietly and reported from now on */
        r = object_update(m, kind, path, msg, g_hash_table_contains(m->objects, path));
        return r < 0 ? report_bad_signal(msg, r) : 0;
}

/* Objects the snapshot no longer has went away while the daemon was not there to say so: ports first (they
 * belong to networks), networks last. */
static void remove_unseen(Monitor *m, GHashTable *seen) {
        static const MonitorKind *const order[] = { &monitor_port_kind, &monitor_device_kind,
                                                    &monitor_network_kind };
        GHashTableIter iter;
        const char *path;
        MonitorObject *o;

        for (size_t k = 0; k < G_N_ELEMENTS(order); k++) {
                g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);

                g_hash_table_iter_init(&iter, m->objects);
                while (g_hash_table_iter_next(&iter, (gpointer *) &path, (gpointer *) &o))
                        if (o->kind == order[k] && !g_hash_table_contains(seen, path))
                                g_ptr_array_add(gone, g_strdup(path));
                for (guint i = 0; i < gone->len; i++)
                        object_removed(m, order[k], gone->pdata[i]);
        }
}

static int read_managed_objects(Monitor *m, sd_bus_message *reply, bool announce) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        ObjectReader reader = { .m = m, .announce = announce, .seen = seen };
        int r;

        r = ctl_read_dict(reply, "oa{sa{sv}}", read_interfaces, &reader);
        if (r < 0)
                return r;
        if (announce)
                remove_unseen(m, seen);
        return 0;
}

/* The first answer is the baseline; later ones (the daemon restarted) are compared with it. */
static int on_managed_objects(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        int r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                if (m->synced)
                        return 0;       /* gone again; its next start brings another snapshot */
                (void) ctl_report_error("read netpoold's objects",
                                        sd_bus_message_get_error(reply), -EIO);
                return sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
        r = read_managed_objects(m, reply, /* announce= */ m->synced);
        if (r < 0) {
                (void) ctl_report_bad_reply("GetManagedObjects", r);
                return m->synced ? 0 : sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
        m->synced = true;
        return 0;
}

static int request_managed_objects(Monitor *m) {
        return sd_bus_call_method_async(m->bus, NULL, NETPOOL_BUS_NAME, NETPOOL_MANAGER_PATH,
                                        OBJECT_MANAGER_INTERFACE, "GetManagedObjects",
                                        on_managed_objects, m, NULL);
}

/* A new netpoold has loaded its state from disk: find out what differs from what we knew. */
static int on_name_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return report_bad_signal(msg, r);
        /* asking a daemon that has just left would only start it again */
        if (!*new_owner)
                return 0;
        r = request_managed_objects(m);
        if (r < 0)
                ctl_error("cannot ask the new netpoold for its state: %s", strerror(-r));
        return 0;
}

static int on_match_installed(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const sd_bus_error *error = sd_bus_message_get_error(reply);

        if (!error)
                return 0;
        ctl_error("cannot subscribe to netpoold's signals: %s", error->message ?: error->name);
        return sd_event_exit(m->event, CTL_EXIT_FAILURE);
}

/* sd-bus makes a lost connection a local Disconnected signal, which only filters and matches see */
static int on_message(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;

        if (!sd_bus_message_is_signal(msg, "org.freedesktop.DBus.Local", "Disconnected"))
                return 0;
        ctl_error("lost the connection to the system bus");
        return sd_event_exit(m->event, CTL_EXIT_FAILURE);
}

/* ---- The verb ---- */

static int monitor_subscribe(Monitor *m) {
        int r;

        r = sd_bus_add_filter(m->bus, NULL, on_message, m);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(m->bus, NULL, NETPOOL_BUS_NAME, NETPOOL_MANAGER_PATH,
                                      OBJECT_MANAGER_INTERFACE, "InterfacesAdded",
                                      on_interfaces_added, on_match_installed, m);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(m->bus, NULL, NETPOOL_BUS_NAME, NETPOOL_MANAGER_PATH,
                                      OBJECT_MANAGER_INTERFACE, "InterfacesRemoved",
                                      on_interfaces_removed, on_match_installed, m);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(m->bus, NULL, PROPERTIES_CHANGED_MATCH, on_properties_changed,
                                   on_match_installed, m);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(m->bus, NULL, NAME_OWNER_CHANGED_MATCH, on_name_owner_changed,
                                   on_match_installed, m);
        if (r < 0)
                return r;
        /* queued after the matches, so every signal after this snapshot reaches us */
        return request_managed_objects(m);
}

static int monitor_setup(Monitor *m) {
        static const int stop_signals[] = { SIGINT, SIGTERM };
        sigset_t mask;
        int r;

        r = sd_event_new(&m->event);
        if (r < 0)
                return r;
        sigemptyset(&mask);
        for (size_t i = 0; i < G_N_ELEMENTS(stop_signals); i++) {
                /* sd-event takes them through a signalfd, so their default action must not run;
                 * without a handler the loop ends with status 0 */
                sigaddset(&mask, stop_signals[i]);
                if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                        return -errno;
                r = sd_event_add_signal(m->event, NULL, stop_signals[i], NULL, NULL);
                if (r < 0)
                        return r;
        }
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        return monitor_subscribe(m);
}

static int verb_monitor(Ctl *ctl, const VerbArgs *args) {
        g_auto(Monitor) m = {
                .json = ctl->json,
                .filter = verb_args_arg(args, 0),
                .objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) monitor_object_free),
        };
        int r;

        if (ctl_connect(ctl, &m.bus) < 0)
                return CTL_EXIT_FAILURE;
        r = monitor_setup(&m);
        if (r < 0) {
                ctl_error("cannot set up monitoring: %s", strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        /* for people only: a script reading the lines wants events and nothing else */
        if (!m.json && isatty(STDOUT_FILENO) &&
            output_print("Monitoring netpool events (Ctrl-C to stop)\n") != CTL_EXIT_SUCCESS)
                return CTL_EXIT_FAILURE;

        r = sd_event_loop(m.event);
        if (r < 0) {
                ctl_error("monitoring failed: %s", strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        return r;
}

const Verb monitor_verbs[] = {
        {
                .name = "monitor",
                .group = "Events",
                .synopsis = "[NETWORK]",
                .summary = "Print netpool events as they happen",
                .description =
                        "One line per event, with the time (UTC): networks defined, started,\n"
                        "stopped, changed and removed; ports allocated, released, lost and\n"
                        "drifted; devices appearing, vanishing, changing state (with who holds\n"
                        "them) or attributes (driver, netdevs, NUMA node...). NETWORK (a name or\n"
                        "UUID) shows only that network's events; it need not exist yet. --json\n"
                        "prints one JSON object per line. Runs until interrupted.",
                .max_args = 1,
                .run = verb_monitor,
        },
        {}
};
