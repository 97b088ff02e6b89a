/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lease: while a port lives, its VF stays as the port says (engine-lease.h) */
#include <errno.h>

#include "engine/engine-lease.h"
#include "engine/engine-port.h"
#include "engine/vf-config.h"
#include "shared/log.h"

void engine_port_set_health(Engine *e, Port *port, PortHealth health) {
        if (port->health == health)
                return;
        port->health = health;
        engine_emit(e, engine_port_network(e, port), port, ENGINE_EVENT_PORT_HEALTH);
}

/* The port's settings on each of its VFs again. The VF records stay as they are: they hold the originals,
 * from before the port's first apply. */
static int port_reapply(Engine *e, Port *port, EngineError *err) {
        for (guint i = 0; i < port->vfs->len; i++) {
                g_autofree char *msg = NULL;
                bool on_record = false;
                VfSettings want;
                VfTarget t;
                int r;

                engine_port_vf_target(port, port->vfs->pdata[i], &t);
                r = engine_port_vf_settings(port, port->vfs->pdata[i], &want, err);
                if (r != 0)
                        return r;
                r = vf_config_apply(e->hw, e->store->vf_dir, &t, &want, port_uuid(port), &msg, &on_record);
                if (r < 0)
                        return engine_fail(err, on_record ? ENGINE_ERROR_IO : ENGINE_ERROR_HARDWARE, "%s", msg);
        }
        return 0;
}

/* What differs first between the port's VFs and its settings: 0 with *ret_diff (NULL when nothing) and
 * *ret_vf naming the VF ("VF 0 of 'eth3'"), or -errno of reading a VF (gone: the rescan tells that one). */
static int port_compare(Engine *e, const Port *port, char **ret_diff, char **ret_vf) {
        for (guint i = 0; i < port->vfs->len; i++) {
                g_auto(EngineError) err = {};
                g_autofree char *msg = NULL;
                VfSettings want;
                VfTarget t;
                int r;

                engine_port_vf_target(port, port->vfs->pdata[i], &t);
                if (engine_port_vf_settings(port, port->vfs->pdata[i], &want, &err) != 0)
                        return -EINVAL;
                r = vf_config_compare(e->hw, &t, &want, ret_diff, &msg);
                if (r < 0) {
                        log_debug("port %s: %s", port_uuid(port), msg);
                        return r;
                }
                if (*ret_diff) {
                        *ret_vf = g_strdup_printf("VF %u of '%s'", t.vf, t.pf_netdev);
                        return 0;
                }
        }
        return 0;
}

void engine_port_repair(Engine *e, Port *port, const char *what) {
        g_auto(EngineError) err = {};
        g_autofree char *diff = NULL, *vf = NULL;

        if (port->phase != PORT_PHASE_ACTIVE || port->vfs->len == 0 || port_compare(e, port, &diff, &vf) < 0)
                return;
        if (!diff) {
                if (port->health == PORT_HEALTH_DRIFTED)
                        engine_port_set_health(e, port, PORT_HEALTH_OK);        /* someone put it back */
                return;
        }
        log_warning("port %s: %s %s: %s; applying the port's settings again", port_uuid(port), vf, what, diff);
        engine_port_set_health(e, port, PORT_HEALTH_DRIFTED);
        if (port_reapply(e, port, &err) != 0) {
                log_warning("port %s: applying its settings again failed: %s; netpool tries again at the next "
                            "change of the VF and at Rescan", port_uuid(port), err.message);
                return;
        }
        log_info("port %s: its settings are back on its VF", port_uuid(port));
        engine_port_set_health(e, port, PORT_HEALTH_OK);
        engine_emit(e, engine_port_network(e, port), port, ENGINE_EVENT_PORT_DRIFT_REPAIRED);
}

void engine_device_vanished(Engine *e, Network *n, PoolDevice *d) {
        g_autoptr(GPtrArray) ports = engine_holders_ports(e, n, d);

        for (guint i = 0; i < ports->len; i++) {
                Port *port = ports->pdata[i];

                if (port->health == PORT_HEALTH_LOST)
                        continue;
                log_warning("port %s: its device %s vanished", port_uuid(port), d->id);
                engine_port_set_health(e, port, PORT_HEALTH_LOST);
        }
}

void engine_device_returned(Engine *e, Network *n, PoolDevice *d) {
        g_autoptr(GPtrArray) ports = engine_holders_ports(e, n, d);

        for (guint i = 0; i < ports->len; i++) {
                Port *port = ports->pdata[i];
                g_auto(EngineError) err = {};

                if (port->health != PORT_HEALTH_LOST)
                        continue;
                /* the watch of a vanished VF ended with it (the sim's directories are new ones): again */
                engine_lease_watch_port(e, port, false);
                engine_lease_watch_port(e, port, true);
                if (port->phase == PORT_PHASE_ACTIVE && port_reapply(e, port, &err) != 0) {
                        log_warning("port %s: its device %s is back, but applying the port's settings failed: "
                                    "%s; netpool tries again at the next change and at Rescan", port_uuid(port),
                                    d->id, err.message);
                        engine_port_set_health(e, port, PORT_HEALTH_DRIFTED);
                        continue;
                }
                log_info("port %s: its device %s is back, with the port's settings", port_uuid(port), d->id);
                engine_port_set_health(e, port, PORT_HEALTH_OK);
                if (port->vfs->len > 0)
                        engine_emit(e, n, port, ENGINE_EVENT_PORT_REAPPLIED);
        }
}

static bool port_touches(const Port *port, GHashTable *names) {
        for (guint i = 0; i < port->vfs->len; i++) {
                const PortVf *v = port->vfs->pdata[i];

                if (g_hash_table_contains(names, v->pf_netdev) ||
                    (v->alt_pf_netdev && g_hash_table_contains(names, v->alt_pf_netdev)) ||
                    (v->vf_netdev && g_hash_table_contains(names, v->vf_netdev)))
                        return true;
        }
        return false;
}

void engine_ports_check(Engine *e, GHashTable *names, bool drifted_only) {
        g_autoptr(GPtrArray) ports = g_ptr_array_new();
        GHashTableIter it;
        gpointer v;

        /* a repair emits events and may log: collect first, the table stays as it is meanwhile */
        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Port *port = v;

                if (port->vfs->len == 0 || port->health == PORT_HEALTH_LOST || port->health == PORT_HEALTH_RESTORING)
                        continue;
                if (drifted_only && port->health != PORT_HEALTH_DRIFTED)
                        continue;
                if (names && !port_touches(port, names))
                        continue;
                g_ptr_array_add(ports, port);
        }
        for (guint i = 0; i < ports->len; i++)
                engine_port_repair(e, ports->pdata[i], "drifted");
}

void engine_lease_watch_port(Engine *e, const Port *port, bool watch) {
        if (!e->link_watch)
                return;
        for (guint i = 0; i < port->vfs->len; i++) {
                const PortVf *v = port->vfs->pdata[i];

                if (!watch)
                        hw_link_watch_remove_vf(e->link_watch, v->pf_netdev, v->vf);
                else if (hw_link_watch_add_vf(e->link_watch, v->pf_netdev, v->vf) < 0)
                        log_debug("port %s: VF %u of '%s' cannot be watched for changes", port_uuid(port), v->vf,
                                  v->pf_netdev);
        }
}

/* ---- the link watch, for the daemon's event loop (engine.h) ---- */

int engine_watch_links(Engine *e, int *ret_fd) {
        GHashTableIter it;
        gpointer v;
        int r;

        if (!e->link_watch) {
                r = hw_link_watch_new(e->hw, &e->link_watch);
                if (r < 0)
                        return r;
                g_hash_table_iter_init(&it, e->ports);
                while (g_hash_table_iter_next(&it, NULL, &v))
                        engine_lease_watch_port(e, v, true);
        }
        *ret_fd = hw_link_watch_fd(e->link_watch);
        return 0;
}

bool engine_links_read(Engine *e) {
        bool overflow = false;
        int r;

        if (!e->link_watch)
                return false;
        if (!e->links_changed)
                e->links_changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        r = hw_link_watch_read(e->link_watch, e->links_changed, &overflow);
        if (r < 0)
                log_debug_errno(r, "reading link changes failed: %m");
        e->links_overflow |= overflow;
        return e->links_overflow || g_hash_table_size(e->links_changed) > 0;
}

void engine_links_check(Engine *e) {
        g_autoptr(GHashTable) names = g_steal_pointer(&e->links_changed);
        bool all = e->links_overflow;

        e->links_overflow = false;
        if (all || (names && g_hash_table_size(names) > 0))
                engine_ports_check(e, all ? NULL : names, false);
}
