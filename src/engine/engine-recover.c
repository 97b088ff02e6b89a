/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine recovery: after a restart, finish or roll back what a crash interrupted; retry failed VF restores */
#include <errno.h>

#include "core/vf-record.h"
#include "engine/engine-port.h"
#include "engine/engine-recover.h"
#include "engine/vf-config.h"
#include "shared/log.h"

static const EngineCall call_final = { .may_wait = false };

static void recover_port(Engine *e, Port *port) {
        Network *n = engine_port_network(e, port);
        PoolDevice *d = engine_port_device(e, port);
        g_auto(EngineError) err = {};
        int r;

        if (port->phase == PORT_PHASE_ACTIVE && n) {
                if (n->pool && !d)
                        log_warning("port %s: its device '%s' is no longer in network '%s'", port_uuid(port),
                                    port->device, port->network);
                engine_port_register(e, n, port, d);
                return;
        }
        /* an Allocate that never answered, a Release that never finished, or a network gone: undo */
        log_notice("port %s: %s, restoring its device", port_uuid(port),
                   port->phase == PORT_PHASE_ACTIVE ? "its network is not active" :
                   port->phase == PORT_PHASE_CONFIGURING ? "allocation was interrupted" : "release was interrupted");
        r = engine_port_restore_vfs(e, port, port->vfs->len, &call_final, &err);
        (void) store_remove_port(e->store, port_uuid(port));
        if (r != 0 && d)
                pool_device_set_state(n->pool, d, DEVICE_STATE_RESTORE_FAILED);
        port_free(port);
}

void engine_recover_ports(Engine *e) {
        g_autoptr(GPtrArray) ports = g_ptr_array_new();
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);

        (void) store_load_ports(e->store, ports, notes);
        for (guint i = 0; i < notes->len; i++)
                log_warning("ignoring damaged port record %s", (const char *) notes->pdata[i]);
        /* the ports that hold devices first: undoing an interrupted one must not reset a VF they share */
        e->restores_pending = true;     /* records left by an earlier life are looked at once */
        for (guint pass = 0; pass < 2; pass++)
                for (guint i = 0; i < ports->len; i++) {
                        Port *port = ports->pdata[i];
                        bool holds = port->phase == PORT_PHASE_ACTIVE && engine_port_network(e, port);

                        if (holds == (pass == 0))
                                recover_port(e, port);
                }
        (void) engine_retry_restores(e);
}

/* ---- restores that failed are retried, never dropped ---- */

static char *held_key(const char *pf_netdev, unsigned vf) {
        return g_strdup_printf("%s/%u", pf_netdev, vf);
}

/* The VFs the registered ports hold, under each PF netdev name a record of theirs may have: built once per
 * retry, so that checking every record stays linear. */
static GHashTable *held_vfs(Engine *e) {
        GHashTable *held = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                const Port *port = v;

                for (guint i = 0; i < port->vfs->len; i++) {
                        const PortVf *pv = port->vfs->pdata[i];

                        g_hash_table_add(held, held_key(pv->pf_netdev, pv->vf));
                        if (pv->alt_pf_netdev)
                                g_hash_table_add(held, held_key(pv->alt_pf_netdev, pv->vf));
                }
        }
        return held;
}

/* A restore-failed device whose records are all gone is free again. */
static void clear_restored_devices(Engine *e) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->networks);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Network *n = v;
                bool changed = false;

                for (guint i = 0; n->pool && i < n->pool->devices->len; i++) {
                        PoolDevice *d = n->pool->devices->pdata[i];
                        g_autoptr(Port) probe = port_new(portdef_new(), network_name(n), d->id);
                        g_auto(EngineError) err = {};
                        bool pending = false;

                        if (d->state != DEVICE_STATE_RESTORE_FAILED)
                                continue;
                        if (engine_port_plan_vfs(e, d, probe, &err) != 0)
                                continue;
                        for (guint k = 0; k < probe->vfs->len; k++) {
                                VfTarget t;

                                engine_port_vf_target(probe->vfs->pdata[k], &t);
                                pending = pending || vf_config_has_record(e->store->vf_dir, &t);
                        }
                        if (!pending) {
                                pool_device_set_state(n->pool, d, DEVICE_STATE_FREE);
                                changed = true;
                        }
                }
                if (changed) {
                        engine_save_live(e, n);
                        engine_emit(e, n, NULL, ENGINE_EVENT_NETWORK_CHANGED);
                }
        }
}

static void vf_record_destroy(gpointer r) {
        vf_record_free(r);
}

unsigned engine_retry_restores(Engine *e) {
        g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func(vf_record_destroy);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) held = NULL;
        unsigned pending = 0;

        if (!e->restores_pending)
                return 0;       /* nothing failed since the last pass: no need to read every record */
        held = held_vfs(e);

        (void) vf_record_load_all(e->store->vf_dir, records, notes);
        for (guint i = 0; i < notes->len; i++)
                log_full_errno(e->restores_logged ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING, 0,
                               "VF record %s; left alone: remove it by hand to give up that VF's original "
                               "configuration", (const char *) notes->pdata[i]);
        e->restores_logged = true;      /* damaged records are told once, not every retry */
        for (guint i = 0; i < records->len; i++) {
                const VfRecord *rec = records->pdata[i];
                VfTarget t = { .pf_netdev = rec->pf_netdev, .vf = rec->vf, .vf_netdev = rec->vf_netdev };
                g_autofree char *msg = NULL, *key = held_key(rec->pf_netdev, rec->vf);

                if (g_hash_table_contains(held, key))
                        continue;
                if (vf_config_restore(e->hw, e->store->vf_dir, &t, &msg, NULL) < 0) {
                        log_warning("VF %u of '%s': restore failed again: %s", rec->vf, rec->pf_netdev, msg);
                        pending++;
                } else
                        log_info("VF %u of '%s': original configuration restored", rec->vf, rec->pf_netdev);
        }
        clear_restored_devices(e);
        e->restores_pending = pending > 0;
        return pending;
}

bool engine_restores_pending(Engine *e) {
        return e->restores_pending;
}

/**
 * engine_restores_waiting() - how many VF restores wait for a retry
 *
 * The VF records on disk that no port holds: each is a VF whose original configuration could not be put
 * back yet, which the next retry tries again. Damaged records are not counted (they are never retried).
 * Reads the records only while a restore is known to be pending, as the retry does.
 *
 * Returns: the number of VFs waiting for their restore.
 */
unsigned engine_restores_waiting(Engine *e) {
        g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func(vf_record_destroy);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) held = NULL;
        unsigned waiting = 0;

        if (!e->restores_pending)
                return 0;
        held = held_vfs(e);
        (void) vf_record_load_all(e->store->vf_dir, records, notes);
        for (guint i = 0; i < records->len; i++) {
                const VfRecord *rec = records->pdata[i];
                g_autofree char *key = held_key(rec->pf_netdev, rec->vf);

                if (!g_hash_table_contains(held, key))
                        waiting++;
        }
        return waiting;
}
