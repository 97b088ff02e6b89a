/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: netpoold's signals as one timestamped line per event. One GetManagedObjects gives the
 * starting point; from then on the signals alone (InterfacesAdded/Removed, PropertiesChanged of networks, ports
 * and devices) keep the mirror and say what happened (netpoolctl-monitor-event.c). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-event.h"
#include "ctl/netpoolctl-monitor.h"
#include "ctl/netpoolctl-output.h"

#define SIGNAL_MATCH(sender, path, interface, member, more) \
        "type='signal',sender='" sender "',path" path ",interface='" interface "',member='" member "'" more
#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_event, sd_event_unref)

static void monitor_clear(Monitor *m) {
        if (m->bus)
                (void) sd_bus_detach_event(m->bus);
        g_clear_pointer(&m->event, sd_event_unref);
        g_clear_pointer(&m->objects, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Monitor, monitor_clear)

/* ---- The mirror ---- */

static const MonitorKind *kind_of(const char *interface) {
        static const MonitorKind *const kinds[] = { &monitor_network_kind, &monitor_port_kind, &monitor_device_kind };

        for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
                if (streq(interface, kinds[i]->interface))
                        return kinds[i];
        return NULL;
}

/* An object path as a line names it: the segment under prefix, "" for "/" (none). */
static char *path_name(const char *path, const char *prefix) {
        char *name = NULL;

        if (streq(path, "/"))
                return g_strdup("");
        return sd_bus_path_decode(path, prefix, &name) > 0 ? name : g_strdup(path);
}

static void object_free(MonitorObject *o) {
        if (!o)
                return;
        g_free(o->id);
        for (size_t p = 0; p < o->kind->n_properties; p++)
                g_free(o->values[p]);
        g_free(o);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MonitorObject, object_free)

static MonitorObject *object_new(const MonitorKind *kind, const char *path) {
        MonitorObject *o = g_malloc0(sizeof(MonitorObject) + kind->n_properties * sizeof(char *));

        o->kind = kind;
        o->id = path_name(path, kind->prefix);
        return o;
}

/* The variant at msg, of property p's signature, as text: a basic value, or an array's items '\n'-joined;
 * object paths are network paths, kept as names. */
static int read_value(sd_bus_message *msg, const MonitorProperty *p, char **ret) {
        g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
        bool array = p->signature[0] == 'a';
        char type = p->signature[array];
        union { const char *s; uint32_t u; int32_t i; int b; } v;
        int r;

        r = sd_bus_message_enter_container(msg, 'v', p->signature);
        if (r >= 0 && array)
                r = sd_bus_message_enter_container(msg, 'a', p->signature + 1);
        while (r >= 0 && (array || items->len == 0) && (r = sd_bus_message_read_basic(msg, type, &v)) > 0)
                g_ptr_array_add(items, type == 'b' ? g_strdup(v.b ? "yes" : "no") :
                                       type == 'u' ? g_strdup_printf("%" PRIu32, v.u) :
                                       type == 'i' ? g_strdup_printf("%" PRIi32, v.i) :
                                       type == 'o' ? path_name(v.s, NETPOOL_NETWORK_PREFIX) : g_strdup(v.s));
        if (r >= 0 && array)
                r = sd_bus_message_exit_container(msg);
        if (r >= 0)
                r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;
        g_ptr_array_add(items, NULL);
        *ret = g_strjoinv("\n", (char **) items->pdata);
        return 0;
}

/* One property into fresh (by index of the object's kind); what the monitor does not keep, or whose type a
 * newer daemon changed, is skipped. */
static int read_property(sd_bus_message *msg, const char *name, void *userdata) {
        MonitorObject *fresh = userdata;
        const char *contents;
        int r;

        for (size_t p = 0; p < fresh->kind->n_properties; p++) {
                const MonitorProperty *info = &fresh->kind->properties[p];

                if (!streq(name, info->name))
                        continue;
                r = sd_bus_message_peek_type(msg, NULL, &contents);
                if (r < 0 || !streq(contents, info->signature))
                        break;
                g_clear_pointer(&fresh->values[p], g_free);
                return read_value(msg, info, &fresh->values[p]);
        }
        return sd_bus_message_skip(msg, "v");
}

/* The a{sv} at msg for the object at path: a new object is announced (with announce), a known one (a snapshot
 * after a restart, a PropertiesChanged) tells what changed; what the message does not name stays. */
static int object_update(Monitor *m, const MonitorKind *kind, const char *path, sd_bus_message *msg,
                         bool announce) {
        MonitorObject *o = g_hash_table_lookup(m->objects, path);
        g_autoptr(MonitorObject) fresh = object_new(kind, path);
        uint64_t changed = 0;
        int r;

        if (o && o->kind != kind)
                return sd_bus_message_skip(msg, "a{sv}");
        r = ctl_read_properties(msg, read_property, fresh);
        if (r < 0)
                return r;
        if (!o) {
                o = g_steal_pointer(&fresh);
                g_hash_table_replace(m->objects, g_strdup(path), o);
                o->kind->added(m, o, announce);
                return 0;
        }
        /* fresh keeps the old values of what changed */
        for (size_t p = 0; p < kind->n_properties; p++) {
                char *was = o->values[p];

                if (!fresh->values[p] || streq_ptr(was, fresh->values[p]))
                        continue;
                changed |= UINT64_C(1) << p;
                o->values[p] = fresh->values[p];
                fresh->values[p] = was;
        }
        if (changed && announce)
                kind->changed(m, o, fresh->values, changed);
        return 0;
}

/* The object at path is gone: told from what the mirror knew of it, or from its path alone. */
static void object_removed(Monitor *m, const MonitorKind *kind, const char *path) {
        MonitorObject *o = g_hash_table_lookup(m->objects, path);
        g_autoptr(MonitorObject) unknown = NULL;

        if (!o || o->kind != kind) {
                if (!g_str_has_prefix(path, kind->prefix))
                        return;
                o = unknown = object_new(kind, path);
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
        const MonitorKind *kind = kind_of(interface);

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

/* ---- Signals and replies ---- */

static int report_bad_signal(sd_bus_message *msg, int r) {
        ctl_error("ignoring a malformed %s signal from netpoold: %s", sd_bus_message_get_member(msg), strerror(-r));
        return 0;
}

static int on_interfaces_added(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *path;
        int r;

        if (!m->synced)         /* before the first snapshot: already in it */
                return 0;
        r = sd_bus_message_read(msg, "o", &path);
        if (r >= 0)
                r = read_interfaces(msg, path, &(ObjectReader) { .m = m, .announce = true });
        return r < 0 ? report_bad_signal(msg, r) : 0;
}

static int on_interfaces_removed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *path, *interface;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "o", &path);
        if (r >= 0)
                r = sd_bus_message_enter_container(msg, 'a', "s");
        while (r >= 0 && (r = sd_bus_message_read(msg, "s", &interface)) > 0)
                if (kind_of(interface))
                        object_removed(m, kind_of(interface), path);
        return r < 0 ? report_bad_signal(msg, r) : 0;
}

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *path = sd_bus_message_get_path(msg), *interface;
        const MonitorKind *kind;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "s", &interface);
        if (r < 0)
                return report_bad_signal(msg, r);
        kind = kind_of(interface);
        if (!kind || !g_str_has_prefix(path, kind->prefix))
                return 0;
        /* one whose InterfacesAdded was missed is learnt quietly and reported from now on */
        r = object_update(m, kind, path, msg, g_hash_table_contains(m->objects, path));
        return r < 0 ? report_bad_signal(msg, r) : 0;
}

/* What a later snapshot no longer has went away while no daemon was there to say so: ports first (they belong
 * to networks), networks last. */
static void remove_unseen(Monitor *m, GHashTable *seen) {
        const MonitorKind *const order[] = { &monitor_port_kind, &monitor_device_kind, &monitor_network_kind };

        for (size_t k = 0; k < G_N_ELEMENTS(order); k++) {
                g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
                GHashTableIter iter;
                const char *path;
                MonitorObject *o;

                g_hash_table_iter_init(&iter, m->objects);
                while (g_hash_table_iter_next(&iter, (gpointer *) &path, (gpointer *) &o))
                        if (o->kind == order[k] && !g_hash_table_contains(seen, path))
                                g_ptr_array_add(gone, g_strdup(path));
                for (guint i = 0; i < gone->len; i++)
                        object_removed(m, order[k], gone->pdata[i]);
        }
}

/* The first answer is the baseline; later ones (the daemon restarted) are compared with it. */
static int on_managed_objects(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        int r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                if (m->synced)
                        return 0;       /* gone again; its next start brings another snapshot */
                (void) ctl_report_error("read netpoold's objects", sd_bus_message_get_error(reply), -EIO);
                return sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
        r = ctl_read_dict(reply, "oa{sa{sv}}", read_interfaces,
                          &(ObjectReader) { .m = m, .announce = m->synced, .seen = seen });
        if (r < 0) {
                (void) ctl_report_bad_reply("GetManagedObjects", r);
                return m->synced ? 0 : sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
        if (m->synced)
                remove_unseen(m, seen);
        m->synced = true;
        return 0;
}

static int request_managed_objects(Monitor *m) {
        return sd_bus_call_method_async(m->bus, NULL, NETPOOL_BUS_NAME, NETPOOL_MANAGER_PATH,
                                        OBJECT_MANAGER_INTERFACE, "GetManagedObjects", on_managed_objects, m, NULL);
}

/* A new netpoold has loaded its state from disk: find out what differs from what we knew. Asking a daemon that
 * has just left would only start it again. */
static int on_name_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Monitor *m = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        if (!m->synced)
                return 0;
        r = sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return report_bad_signal(msg, r);
        if (*new_owner && (r = request_managed_objects(m)) < 0)
                ctl_error("cannot ask the new netpoold for its state: %s", strerror(-r));
        return 0;
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

static int monitor_setup(Monitor *m) {
        static const struct {
                const char *match;
                sd_bus_message_handler_t handler;
        } matches[] = {
                { SIGNAL_MATCH(NETPOOL_BUS_NAME, "='" NETPOOL_MANAGER_PATH "'", OBJECT_MANAGER_INTERFACE,
                               "InterfacesAdded", ""), on_interfaces_added },
                { SIGNAL_MATCH(NETPOOL_BUS_NAME, "='" NETPOOL_MANAGER_PATH "'", OBJECT_MANAGER_INTERFACE,
                               "InterfacesRemoved", ""), on_interfaces_removed },
                { SIGNAL_MATCH(NETPOOL_BUS_NAME, "_namespace='" NETPOOL_MANAGER_PATH "'",
                               "org.freedesktop.DBus.Properties", "PropertiesChanged", ""), on_properties_changed },
                { SIGNAL_MATCH("org.freedesktop.DBus", "='/org/freedesktop/DBus'", "org.freedesktop.DBus",
                               "NameOwnerChanged", ",arg0='" NETPOOL_BUS_NAME "'"), on_name_owner_changed },
        };
        sigset_t mask;
        int r;

        r = sd_event_new(&m->event);
        /* sd-event takes SIGINT and SIGTERM through a signalfd; with no handler the loop ends with status 0 */
        if (r >= 0 && (sigemptyset(&mask) < 0 || sigaddset(&mask, SIGINT) < 0 || sigaddset(&mask, SIGTERM) < 0 ||
                       sigprocmask(SIG_BLOCK, &mask, NULL) < 0))
                r = -errno;
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_add_filter(m->bus, NULL, on_message, m);
        /* installed before the snapshot is asked for, so every signal after it reaches us */
        for (size_t i = 0; r >= 0 && i < G_N_ELEMENTS(matches); i++)
                r = sd_bus_add_match(m->bus, NULL, matches[i].match, matches[i].handler, m);
        return r < 0 ? r : request_managed_objects(m);
}

static int verb_monitor(Ctl *ctl, const VerbArgs *args) {
        g_auto(Monitor) m = {
                .json = ctl->json,
                .filter = verb_args_arg(args, 0),
                .objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) object_free),
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
