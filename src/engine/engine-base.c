/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine base: errors, events, live records, claims and holders shared by every engine file */
#include <errno.h>
#include <stdarg.h>

#include "engine/engine-base.h"
#include "engine/engine-inventory.h"
#include "shared/log.h"

void engine_error_clear(EngineError *e) {
        g_clear_pointer(&e->message, g_free);
        e->code = ENGINE_OK;
        e->retry_usec = 0;
        e->busy = false;
}

static int fail_va(EngineError *err, EngineErrorCode code, const char *fmt, va_list ap) _printf_(3, 0);
static int fail_va(EngineError *err, EngineErrorCode code, const char *fmt, va_list ap) {
        g_assert(code > ENGINE_OK && code < _ENGINE_ERROR_MAX);
        g_free(err->message);
        err->message = g_strdup_vprintf(fmt, ap);
        err->code = code;
        return code;
}

int engine_fail(EngineError *err, EngineErrorCode code, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = fail_va(err, code, fmt, ap);
        va_end(ap);
        return r;
}

int engine_fail_file(Engine *e, EngineError *err, int r, const char *verb, const char *what, StoreFile kind,
                     const char *name) {
        g_autofree char *path = store_file_path(e->store, kind, name);

        return engine_fail(err, ENGINE_ERROR_IO, "cannot %s %s (%s): %s", verb, path, what, g_strerror(-r));
}

int engine_again(EngineError *err, uint64_t usec, bool busy, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = fail_va(err, ENGINE_ERROR_AGAIN, fmt, ap);
        va_end(ap);
        err->retry_usec = usec;
        err->busy = busy;
        return r;
}

void engine_emit(Engine *e, Network *n, Port *port, EngineEvent ev) {
        if (e->observer)
                e->observer(e, n, port, ev, e->observer_data);
}

void engine_save_live(Engine *e, Network *n) {
        int r = store_save_live(e->store, n);

        if (r < 0)
                log_warning_errno(r, "network '%s': cannot write its live state: %m", network_name(n));
}

Network *engine_port_network(Engine *e, const Port *port) {
        Network *n = g_hash_table_lookup(e->networks, port->network);

        return n && n->active ? n : NULL;
}

PoolDevice *engine_port_device(Engine *e, const Port *port) {
        Network *n = engine_port_network(e, port);

        return n && n->pool ? pool_find(n->pool, port->device) : NULL;
}

/* ---- claims: a device is held through one network at a time ---- */

const char *engine_claim_holder(Engine *e, const PoolDevice *d) {
        return g_hash_table_lookup(e->claims, pool_device_key(d));
}

bool engine_claim_blocks(Engine *e, const PoolDevice *d, const char *network) {
        const char *holder = engine_claim_holder(e, d);

        return holder && !streq(holder, network);
}

void engine_visit_device(Engine *e, const char *key, EngineDeviceVisit visit, void *data) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->networks);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Network *m = v;
                PoolDevice *o = m->active && m->pool ? pool_find_by_key(m->pool, key) : NULL;

                if (o && !visit(e, m, o, data))
                        return;
        }
}

static bool claim_set(Engine *e, Network *m, PoolDevice *o, void *data) {
        const char *holder = data;
        bool held = holder && !streq(holder, network_name(m));

        if (o->held_elsewhere != held) {
                pool_device_set_held_elsewhere(m->pool, o, held);
                engine_emit(e, m, NULL, ENGINE_EVENT_NETWORK_CHANGED);
        }
        return true;
}

/* Every active network that has the device in its pool learns whether a port of another network holds it
 * (holder NULL: none does), so that its Available and GetDevices tell what it can really hand out. */
static void claim_propagate(Engine *e, const char *key, const char *holder) {
        engine_visit_device(e, key, claim_set, (void *) holder);
}

void engine_claim_update(Engine *e, const PoolDevice *d, const char *network) {
        const char *key = pool_device_key(d);
        const char *was = g_hash_table_lookup(e->claims, key);

        if (d->connections > 0) {
                if (streq_ptr(was, network))
                        return;
                g_hash_table_replace(e->claims, g_strdup(key), g_strdup(network));
                claim_propagate(e, key, network);
        } else if (streq_ptr(was, network)) {
                g_hash_table_remove(e->claims, key);
                claim_propagate(e, key, NULL);
        }
        engine_inventory_touch(e, key);
}

/* ---- restore-failed and quarantined: a VF whose original is not back is handed out by no network ---- */

/* Returns: whether d's state changed. A device a port holds, or that vanished under one, keeps its state: the
 * mark applies when it is free again. */
static bool device_set_verdict(Pool *pool, PoolDevice *d, DeviceState verdict, bool on) {
        if (on) {
                if (d->connections > 0 || d->state == DEVICE_STATE_LOST || d->state == verdict)
                        return false;
                pool_device_set_state(pool, d, verdict);
                return true;
        }
        if (d->state != verdict)
                return false;
        /* free; a pick or the next rescan marks it unavailable if the host took it meanwhile */
        pool_device_set_state(pool, d, DEVICE_STATE_FREE);
        return true;
}

typedef struct VerdictChange {
        DeviceState verdict;
        bool on;
} VerdictChange;

static bool verdict_set(Engine *e, Network *m, PoolDevice *o, void *data) {
        const VerdictChange *c = data;

        if (device_set_verdict(m->pool, o, c->verdict, c->on)) {
                engine_save_live(e, m);
                engine_emit(e, m, NULL, ENGINE_EVENT_NETWORK_CHANGED);
        }
        return true;
}

static void verdict_propagate(Engine *e, const char *key, DeviceState verdict, bool on) {
        VerdictChange c = { .verdict = verdict, .on = on };

        engine_visit_device(e, key, verdict_set, &c);
        engine_inventory_touch(e, key);
}

void engine_restore_failed_mark(Engine *e, const char *key) {
        e->restores_pending = true;
        g_hash_table_remove(e->quarantined, key);       /* the state set below replaces it */
        g_hash_table_add(e->restore_failed, g_strdup(key));
        verdict_propagate(e, key, DEVICE_STATE_RESTORE_FAILED, true);
}

void engine_restore_failed_clear(Engine *e, const char *key) {
        if (!g_hash_table_remove(e->restore_failed, key))
                return;
        verdict_propagate(e, key, DEVICE_STATE_RESTORE_FAILED, false);
}

bool engine_restore_failed_has(Engine *e, const char *key) {
        return g_hash_table_contains(e->restore_failed, key);
}

void engine_quarantine_mark(Engine *e, const char *key, const char *reason) {
        const char *known = g_hash_table_lookup(e->quarantined, key);

        g_hash_table_remove(e->restore_failed, key);
        if (reason || !known)
                g_hash_table_replace(e->quarantined, g_strdup(key),
                                     g_strdup(reason ?: "quarantined by an earlier run; Rescan tries it again"));
        verdict_propagate(e, key, DEVICE_STATE_QUARANTINED, true);
}

void engine_quarantine_clear(Engine *e, const char *key) {
        if (!g_hash_table_remove(e->quarantined, key))
                return;
        verdict_propagate(e, key, DEVICE_STATE_QUARANTINED, false);
}

const char *engine_quarantine_reason(Engine *e, const char *key) {
        return g_hash_table_lookup(e->quarantined, key);
}

void engine_pool_apply_host_state(Engine *e, Pool *pool, const char *network) {
        for (guint i = 0; i < pool->devices->len; i++)
                engine_pool_device_apply_host_state(e, pool, pool->devices->pdata[i], network);
}

void engine_pool_device_apply_host_state(Engine *e, Pool *pool, PoolDevice *d, const char *network) {
        pool_device_set_held_elsewhere(pool, d, engine_claim_blocks(e, d, network));
        pool_device_set_numa_node(pool, d, engine_inventory_numa_node(e, pool_device_key(d)));
        if (d->connections == 0 && d->state == DEVICE_STATE_FREE &&
            engine_inventory_hw_holder(e, pool_device_key(d)))
                pool_device_set_state(pool, d, DEVICE_STATE_UNAVAILABLE);       /* used outside netpool */
        if (engine_restore_failed_has(e, pool_device_key(d)))
                (void) device_set_verdict(pool, d, DEVICE_STATE_RESTORE_FAILED, true);
        else if (engine_quarantine_reason(e, pool_device_key(d)))
                (void) device_set_verdict(pool, d, DEVICE_STATE_QUARANTINED, true);
}

/* ---- holders: which ports hold a device, so that it always names one that does ---- */

static char *holders_key(const Network *n, const PoolDevice *d) {
        return g_strconcat(network_name(n), "/", d->id, NULL);
}

void engine_holders_add(Engine *e, const Network *n, PoolDevice *d, const char *port_uuid) {
        g_autofree char *key = holders_key(n, d);
        GHashTable *set = g_hash_table_lookup(e->holders, key);

        if (!set) {
                set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
                g_hash_table_replace(e->holders, g_steal_pointer(&key), set);
        }
        g_hash_table_add(set, g_strdup(port_uuid));
        g_free(d->port_uuid);
        d->port_uuid = g_strdup(port_uuid);
}

void engine_holders_remove(Engine *e, const Network *n, PoolDevice *d, const char *port_uuid) {
        g_autofree char *key = holders_key(n, d);
        GHashTable *set = g_hash_table_lookup(e->holders, key);
        GHashTableIter it;
        gpointer other;

        if (set)
                g_hash_table_remove(set, port_uuid);
        if (!set || g_hash_table_size(set) == 0) {
                g_hash_table_remove(e->holders, key);
                g_clear_pointer(&d->port_uuid, g_free);
                return;
        }
        if (d->port_uuid && !streq(d->port_uuid, port_uuid))
                return;         /* it names another holder already */
        g_hash_table_iter_init(&it, set);
        if (g_hash_table_iter_next(&it, &other, NULL)) {
                g_free(d->port_uuid);
                d->port_uuid = g_strdup(other);
        }
}

GPtrArray *engine_holders_ports(Engine *e, const Network *n, const PoolDevice *d) {
        g_autofree char *key = holders_key(n, d);
        GHashTable *set = g_hash_table_lookup(e->holders, key);
        GPtrArray *ports = g_ptr_array_new();
        GHashTableIter it;
        gpointer uuid;

        if (!set)
                return ports;
        g_hash_table_iter_init(&it, set);
        while (g_hash_table_iter_next(&it, &uuid, NULL)) {
                Port *port = g_hash_table_lookup(e->ports, uuid);

                if (port)
                        g_ptr_array_add(ports, port);
        }
        return ports;
}
