/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine recovery: after a restart, finish or roll back what a crash interrupted; retry failed VF restores */
#include <errno.h>

#include "core/vf-record.h"
#include "engine/engine-plug.h"
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
        if (engine_plug_disconnect(e, port, &err) != 0)
                log_warning("port %s: %s", port_uuid(port), err.message);
        engine_error_clear(&err);
        r = engine_port_restore_vfs(e, port, port->vfs->len, &call_final, &err);
        (void) store_remove_port(e->store, port_uuid(port));
        if (r != 0 && d)
                engine_restore_failed_mark(e, pool_device_key(d));
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
        engine_plug_sweep(e);
}

/* ---- restores that failed are retried, never dropped ---- */

static char *held_key(const char *pf_netdev, unsigned vf) {
        return g_strdup_printf("%s/%u", pf_netdev, vf);
}

/* The VFs the registered ports hold, under each PF netdev name a record of theirs may have, and the device
 * keys of their devices (a record under another PF netdev of a held VF, a dual-port VF's other port, is
 * the guest's to keep too): built once per retry, so that checking every record stays linear. */
static GHashTable *held_vfs(Engine *e) {
        GHashTable *held = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                const Port *port = v;
                const PoolDevice *d = engine_port_device(e, port);

                if (d)
                        g_hash_table_add(held, g_strdup(pool_device_key(d)));

                for (guint i = 0; i < port->vfs->len; i++) {
                        const PortVf *pv = port->vfs->pdata[i];

                        g_hash_table_add(held, held_key(pv->pf_netdev, pv->vf));
                        if (pv->alt_pf_netdev)
                                g_hash_table_add(held, held_key(pv->alt_pf_netdev, pv->vf));
                }
        }
        return held;
}

static bool take_first(Engine *e, Network *n, PoolDevice *d, void *data) {
        *(PoolDevice **) data = d;
        return false;
}

/* The device with that key in some active network's pool; NULL when none has it. */
static PoolDevice *find_device(Engine *e, const char *key) {
        PoolDevice *d = NULL;

        engine_visit_device(e, key, take_first, &d);
        return d;
}

/* The device key (PCI address) of the VF a record names, through the hardware: the record names the PF
 * netdev and VF index only, and the PF's virtfn link of that index tells (one readlink: a start with records of a
 * PF of 128 VFs read them all). NULL when the VF is gone. */
static char *record_device_key(Engine *e, const VfRecord *rec) {
        char buf[PCI_ADDR_STR_MAX];
        PciAddr addr;

        if (hw_vf_function_addr(e->hw, rec->pf_netdev, rec->vf, &addr) < 0)
                return NULL;
        return g_strdup(pci_addr_to_string(&addr, buf));
}

typedef enum RecordHolder {
        RECORD_FREE,                    /* no port holds its VF: restore it */
        RECORD_OF_PORT,                 /* the record of a port's own VF target: restored at its Release */
        RECORD_OF_HELD_VF,              /* another record of a held VF (a dual-port VF's other port): still
                                         * pending, restored once the port lets the VF go */
} RecordHolder;

/* Who holds the VF of a record; *ret_dev gets the VF's device key when it was looked up and found. */
static RecordHolder record_holder(Engine *e, const VfRecord *rec, GHashTable *held, char **ret_dev) {
        g_autofree char *key = held_key(rec->pf_netdev, rec->vf);

        if (g_hash_table_contains(held, key))
                return RECORD_OF_PORT;
        *ret_dev = record_device_key(e, rec);
        return *ret_dev && g_hash_table_contains(held, *ret_dev) ? RECORD_OF_HELD_VF : RECORD_FREE;
}

/* After a retry pass: the devices whose records failed again are restore-failed in every pool (those of an
 * earlier life, or marked by a network that has stopped, included), those that read back wrong (or were not
 * tried: quarantine waits for Rescan) quarantined; those whose records are all gone are free again, in every
 * pool at once. */
static void sync_verdicts(Engine *e, GHashTable *failing, GHashTable *quarantining) {
        g_autoptr(GPtrArray) cleared = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) released = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer key, reason;

        g_hash_table_iter_init(&it, failing);
        while (g_hash_table_iter_next(&it, &key, NULL))
                if (!engine_restore_failed_has(e, key))
                        engine_restore_failed_mark(e, key);
        g_hash_table_iter_init(&it, quarantining);
        while (g_hash_table_iter_next(&it, &key, &reason))
                if (!streq_ptr(engine_quarantine_reason(e, key), reason))
                        engine_quarantine_mark(e, key, reason);
        g_hash_table_iter_init(&it, e->restore_failed);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
                PoolDevice *d;

                if (g_hash_table_contains(failing, key))
                        continue;
                d = find_device(e, key);
                if (!d || !engine_device_has_record(e, d))       /* a damaged record keeps the mark */
                        g_ptr_array_add(cleared, g_strdup(key));
        }
        g_hash_table_iter_init(&it, e->quarantined);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
                PoolDevice *d;

                if (g_hash_table_contains(quarantining, key))
                        continue;
                d = find_device(e, key);
                if (!d || !engine_device_has_record(e, d))
                        g_ptr_array_add(released, g_strdup(key));
        }
        for (guint i = 0; i < cleared->len; i++)
                engine_restore_failed_clear(e, cleared->pdata[i]);
        for (guint i = 0; i < released->len; i++) {
                log_info("device %s: no longer quarantined", (const char *) released->pdata[i]);
                engine_quarantine_clear(e, released->pdata[i]);
        }
}

static void vf_record_destroy(gpointer r) {
        vf_record_free(r);
}

/* One record no port holds: restore it (a quarantined one only when quarantine is retried). Its device's
 * verdict goes to failing or quarantining. Returns whether it is still pending (a periodic retry is due). */
static bool retry_record(Engine *e, const VfRecord *rec, char *dev, GHashTable *failing,
                         GHashTable *quarantining) {
        VfTarget t = { .pf_netdev = rec->pf_netdev, .vf = rec->vf, .vf_netdev = rec->vf_netdev };
        g_autofree char *msg = NULL;
        int r;

        if (rec->quarantine && !e->retry_quarantined) {
                if (dev)
                        g_hash_table_replace(quarantining, dev, g_strdup(rec->quarantine));
                else
                        g_free(dev);
                return false;
        }
        r = vf_config_restore(e->hw, e->store->vf_dir, &t, &msg, NULL);
        if (r == -EUCLEAN) {
                log_warning("VF %u of '%s' quarantined: %s (Rescan tries again)", rec->vf, rec->pf_netdev, msg);
                if (dev)
                        g_hash_table_replace(quarantining, dev, g_steal_pointer(&msg));
                return false;
        }
        if (r < 0) {
                log_warning("VF %u of '%s': restore failed again: %s", rec->vf, rec->pf_netdev, msg);
                if (dev)
                        g_hash_table_add(failing, dev);
                return true;
        }
        log_info("VF %u of '%s': original configuration restored", rec->vf, rec->pf_netdev);
        g_free(dev);
        return false;
}

unsigned engine_retry_restores(Engine *e) {
        g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func(vf_record_destroy);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) held = NULL;
        g_autoptr(GHashTable) failing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) quarantining = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
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
                char *dev = NULL;
                RecordHolder holder = record_holder(e, rec, held, &dev);

                if (holder == RECORD_OF_HELD_VF)
                        pending++;
                if (holder != RECORD_FREE) {
                        g_free(dev);
                        continue;
                }
                if (retry_record(e, rec, dev, failing, quarantining))
                        pending++;
        }
        e->retry_quarantined = false;
        sync_verdicts(e, failing, quarantining);
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
 * back yet, which the next retry tries again. Damaged records are not counted (they are never retried), nor
 * quarantined ones (they wait for Rescan: engine_quarantined()).
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
                g_autofree char *dev = NULL;

                if (!rec->quarantine && record_holder(e, rec, held, &dev) != RECORD_OF_PORT)
                        waiting++;
        }
        return waiting;
}

GHashTable *engine_quarantined(Engine *e) {
        return e->quarantined;
}
