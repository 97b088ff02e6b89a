/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine base: errors, events, live records, claims and holders shared by every engine file */
#include <errno.h>
#include <stdarg.h>

#include "engine/engine-base.h"
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
}

/* ---- restore-failed: a VF whose original is not back is handed out by no network ---- */

/* Returns: whether d's state changed. A device a port holds, or that vanished under one, keeps its state: the
 * mark applies when it is free again. */
static bool device_set_restore_failed(Pool *pool, PoolDevice *d, bool failed) {
        if (failed) {
                if (d->connections > 0 || d->state == DEVICE_STATE_LOST || d->state == DEVICE_STATE_RESTORE_FAILED)
                        return false;
                pool_device_set_state(pool, d, DEVICE_STATE_RESTORE_FAILED);
                return true;
        }
        if (d->state != DEVICE_STATE_RESTORE_FAILED)
                return false;
        /* free; a pick or the next rescan marks it unavailable if the host took it meanwhile */
        pool_device_set_state(pool, d, DEVICE_STATE_FREE);
        return true;
}

static bool restore_failed_set(Engine *e, Network *m, PoolDevice *o, void *data) {
        if (device_set_restore_failed(m->pool, o, data != NULL)) {
                engine_save_live(e, m);
                engine_emit(e, m, NULL, ENGINE_EVENT_NETWORK_CHANGED);
        }
        return true;
}

static void restore_failed_propagate(Engine *e, const char *key, bool failed) {
        engine_visit_device(e, key, restore_failed_set, failed ? e : NULL);
}

void engine_restore_failed_mark(Engine *e, const char *key) {
        e->restores_pending = true;
        g_hash_table_add(e->restore_failed, g_strdup(key));
        restore_failed_propagate(e, key, true);
}

void engine_restore_failed_clear(Engine *e, const char *key) {
        if (!g_hash_table_remove(e->restore_failed, key))
                return;
        restore_failed_propagate(e, key, false);
}

bool engine_restore_failed_has(Engine *e, const char *key) {
        return g_hash_table_contains(e->restore_failed, key);
}

void engine_pool_apply_host_state(Engine *e, Pool *pool, const char *network) {
        for (guint i = 0; i < pool->devices->len; i++) {
                PoolDevice *d = pool->devices->pdata[i];

                pool_device_set_held_elsewhere(pool, d, engine_claim_blocks(e, d, network));
                if (engine_restore_failed_has(e, pool_device_key(d)))
                        (void) device_set_restore_failed(pool, d, true);
        }
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
