/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine: the networks of this host and what can be done to them, with no D-Bus in sight */
#include <errno.h>
#include <stdarg.h>

#include "core/names.h"
#include "core/pool-expand.h"
#include "engine/engine-plug.h"
#include "engine/engine-inventory.h"
#include "engine/engine-lease.h"
#include "engine/engine-port.h"
#include "engine/engine-recover.h"
#include "shared/log.h"
#include "shared/macro.h"

#define fail engine_fail
#define notify(e, n, ev) engine_emit(e, n, NULL, ev)

/* Stop with FORCE releases this many ports, then lets other callers in before it goes on */
#define STOP_SLICE_PORTS 16

static void log_notes(GPtrArray *notes, const char *prefix) {
        for (guint i = 0; i < notes->len; i++)
                log_notice("%s%s", prefix, (const char *) notes->pdata[i]);
}

static void network_destroy(gpointer n) {
        network_free(n);
}

static void port_destroy(gpointer p) {
        port_free(p);
}

/* The restore-failed and quarantined marks the live records kept apply to every pool that has the device
 * (the retry at start tells why a device is quarantined). */
static void engine_load_restore_failed(Engine *e) {
        g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) quarantined = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->networks);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Network *n = v;

                for (guint i = 0; n->active && n->pool && i < n->pool->devices->len; i++) {
                        const PoolDevice *d = n->pool->devices->pdata[i];

                        if (d->state == DEVICE_STATE_RESTORE_FAILED)
                                g_ptr_array_add(keys, g_strdup(pool_device_key(d)));
                        else if (d->state == DEVICE_STATE_QUARANTINED)
                                g_ptr_array_add(quarantined, g_strdup(pool_device_key(d)));
                }
        }
        for (guint i = 0; i < keys->len; i++)
                engine_restore_failed_mark(e, keys->pdata[i]);
        for (guint i = 0; i < quarantined->len; i++)
                engine_quarantine_mark(e, quarantined->pdata[i], NULL);
}

int engine_new(HwBackend *hw, const char *config_dir, const char *state_dir, Engine **ret, EngineError *err) {
        g_autoptr(GPtrArray) networks = g_ptr_array_new();
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Engine) e = g_new0(Engine, 1);
        int r;

        e->hw = hw;
        e->networks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, network_destroy);
        e->ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, port_destroy);
        e->owners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
        e->claims = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        e->holders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
        e->restore_failed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        e->quarantined = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        e->claim_ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        e->macs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
        r = store_open(config_dir, state_dir, &e->store);
        if (r < 0)
                return fail(err, ENGINE_ERROR_IO, "cannot use config dir '%s' and state dir '%s': %s", config_dir,
                            state_dir, g_strerror(-r));
        (void) store_load(e->store, networks, notes);
        log_notes(notes, "ignoring ");
        for (guint i = 0; i < networks->len; i++) {
                Network *n = networks->pdata[i];

                g_hash_table_replace(e->networks, g_strdup(network_name(n)), n);
        }
        engine_load_restore_failed(e);
        engine_recover_ports(e);
        /* the hardware may have changed while no daemon ran (after an idle exit, say): look now rather
         * than wait for an event that came while nobody listened */
        (void) engine_rescan_and_retry(e, err);        /* the inventory is read there too */
        *ret = g_steal_pointer(&e);
        return 0;
}

Engine *engine_free(Engine *e) {
        if (!e)
                return NULL;
        if (e->owners)
                g_hash_table_unref(e->owners);  /* borrowed ports: before they go */
        if (e->macs)
                g_hash_table_unref(e->macs);
        if (e->claim_ports)
                g_hash_table_unref(e->claim_ports);
        if (e->ports)
                g_hash_table_unref(e->ports);
        if (e->claims)
                g_hash_table_unref(e->claims);
        if (e->holders)
                g_hash_table_unref(e->holders);
        if (e->restore_failed)
                g_hash_table_unref(e->restore_failed);
        if (e->quarantined)
                g_hash_table_unref(e->quarantined);
        if (e->links_changed)
                g_hash_table_unref(e->links_changed);
        hw_link_watch_free(e->link_watch);
        engine_inventory_free(e);
        if (e->networks)
                g_hash_table_unref(e->networks);
        store_free(e->store);
        hw_backend_free(e->hw);
        g_free(e);
        return NULL;
}

void engine_set_observer(Engine *e, EngineObserver observer, void *userdata) {
        e->observer = observer;
        e->observer_data = userdata;
}

static gint network_cmp_name(gconstpointer a, gconstpointer b) {
        return g_strcmp0(network_name(*(Network **) a), network_name(*(Network **) b));
}

GPtrArray *engine_list_networks(Engine *e) {
        GPtrArray *list = g_ptr_array_new();
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->networks);
        while (g_hash_table_iter_next(&it, NULL, &v))
                g_ptr_array_add(list, v);

        g_ptr_array_sort(list, network_cmp_name);
        return list;
}

Network *engine_lookup(Engine *e, const char *name_or_uuid) {
        char uuid[37];
        GHashTableIter it;
        gpointer v;

        v = g_hash_table_lookup(e->networks, name_or_uuid);
        if (v || uuid_normalize(name_or_uuid, uuid) < 0)
                return v;
        g_hash_table_iter_init(&it, e->networks);
        while (g_hash_table_iter_next(&it, NULL, &v))
                if (streq(network_uuid(v), uuid))
                        return v;
        return NULL;
}

Network *engine_lookup_by_name(Engine *e, const char *name) {
        return g_hash_table_lookup(e->networks, name);
}

void engine_network_info(Engine *e, const Network *n, NetworkInfo *ret) {
        *ret = (NetworkInfo) {
                .name = network_name(n),
                .uuid = network_uuid(n),
                .mode = forward_mode_to_string(n->def->mode),
                .active = n->active,
                .persistent = n->persistent,
                .autostart = n->autostart,
                .connections = network_connections(n),
                .capacity = network_capacity(n),
                .available = network_available(n),
        };
}

char *engine_network_xml(Engine *e, const Network *n, bool inactive) {
        return network_format_xml(n, inactive);
}

/* The port a device is held by: one of this network's, or of the network that holds it elsewhere. */
static const char *device_holding_port(Engine *e, const PoolDevice *d) {
        if (d->connections > 0 && d->port_uuid)
                return d->port_uuid;
        if (d->held_elsewhere) {
                Network *holder = g_hash_table_lookup(e->networks, engine_claim_holder(e, d) ?: "");
                PoolDevice *o = holder && holder->pool ? pool_find_by_key(holder->pool, pool_device_key(d)) : NULL;

                if (o && o->port_uuid)
                        return o->port_uuid;
        }
        return "";
}

GPtrArray *engine_network_devices(Engine *e, const Network *n) {
        GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; n->pool && i < n->pool->devices->len; i++) {
                const PoolDevice *d = n->pool->devices->pdata[i];
                DeviceInfo *info = g_new(DeviceInfo, 1);

                *info = (DeviceInfo) {
                        .id = d->id,
                        .netdev = d->netdev ?: "",
                        .pci_address = d->pci_address ?: "",
                        .pf_netdev = d->pf_netdev ?: "",
                        .vf_index = d->vf_index,
                        .state = device_state_to_string(pool_device_shown_state(d)),
                        .connections = d->connections,
                        .port_uuid = device_holding_port(e, d),
                };
                g_ptr_array_add(list, info);
        }
        return list;
}

static Network *lookup_uuid(Engine *e, const char *uuid) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, e->networks);
        while (g_hash_table_iter_next(&it, NULL, &v))
                if (streq(network_uuid(v), uuid))
                        return v;
        return NULL;
}

static int parse_definition(const char *xml, NetDef **ret, EngineError *err) {
        g_auto(NetDefError) perr = {};
        int r;

        r = netdef_parse_xml(xml, 0, ret, &perr);
        if (r < 0)
                return fail(err, ENGINE_ERROR_INVALID_XML, "invalid network XML: %s",
                            perr.message ?: g_strerror(-r));
        return 0;
}

/* A definition may replace a network of the same name and UUID, and one without <uuid> takes the UUID of the
 * network it names (redefining from the same file works); any other clash is NetworkExists. */
static int check_clash(Engine *e, NetDef *def, Network **ret_same, EngineError *err) {
        Network *by_name = g_hash_table_lookup(e->networks, def->name);
        Network *by_uuid;

        if (by_name && def->uuid_generated) {
                g_strlcpy(def->uuid, network_uuid(by_name), sizeof(def->uuid));
                def->uuid_generated = false;
        }
        by_uuid = lookup_uuid(e, def->uuid);
        if (by_name && !streq(network_uuid(by_name), def->uuid))
                return fail(err, ENGINE_ERROR_NETWORK_EXISTS, "network '%s' already exists with UUID %s; give that "
                            "UUID (or none) to redefine it, or choose another name", def->name,
                            network_uuid(by_name));
        if (by_uuid && by_uuid != by_name)
                return fail(err, ENGINE_ERROR_NETWORK_EXISTS, "UUID %s is already used by network '%s'", def->uuid,
                            network_name(by_uuid));
        *ret_same = by_name;
        return 0;
}

static int file_failed(Engine *e, EngineError *err, int r, const char *verb, const char *what, StoreFile kind,
                       const char *name) {
        g_autofree char *full = g_strdup_printf("%s of network '%s'", what, name);

        return engine_fail_file(e, err, r, verb, full, kind, name);
}

int engine_define(Engine *e, const char *xml, Network **ret, EngineError *err) {
        g_autoptr(NetDef) def = NULL;
        Network *n;
        int r;

        r = parse_definition(xml, &def, err);
        if (r != 0)
                return r;
        r = check_clash(e, def, &n, err);
        if (r != 0)
                return r;
        r = store_save_definition(e->store, def);
        if (r < 0)
                return file_failed(e, err, r, "write", "the definition", STORE_FILE_DEFINITION, def->name);
        if (!n) {
                n = network_new(g_steal_pointer(&def));
                n->persistent = true;
                g_hash_table_replace(e->networks, g_strdup(network_name(n)), n);
                log_info("network '%s' defined", network_name(n));
                notify(e, n, ENGINE_EVENT_NETWORK_ADDED);
        } else {
                NetDef **slot = n->active ? &n->new_def : &n->def;

                netdef_free(*slot);
                *slot = g_steal_pointer(&def);
                n->persistent = true;
                log_info("network '%s' redefined%s", network_name(n),
                         n->active ? " (takes effect when it is stopped)" : "");
                notify(e, n, ENGINE_EVENT_NETWORK_CHANGED);
        }
        *ret = n;
        return 0;
}

static int hw_fail(EngineError *err, int r, const char *name, const char *what) {
        if (r == -ENODEV)
                return fail(err, ENGINE_ERROR_DEVICE_NOT_FOUND, "network '%s': %s not found", name, what);
        return fail(err, ENGINE_ERROR_HARDWARE, "network '%s': cannot read %s: %s", name, what, g_strerror(-r));
}

static int pool_add_listed_netdev(Engine *e, const NetDef *def, Pool *pool, const char *name, EngineError *err) {
        g_autoptr(HwNetdev) nd = NULL;
        g_autoptr(HwFunction) fn = NULL, pf = NULL;
        g_autofree char *what = g_strdup_printf("interface '%s'", name);
        int r;

        r = hw_lookup_netdev(e->hw, name, &nd, &fn);
        if (r < 0)
                return hw_fail(err, r, def->name, what);
        if (fn && fn->is_vf) {
                r = hw_lookup_function(e->hw, &fn->physfn, &pf);
                if (r < 0)
                        return hw_fail(err, r, def->name, "the PF of an interface");
        }
        /* the parser refuses duplicates; a renamed netdev may still repeat (-EEXIST, ignored) */
        (void) pool_add(pool, pool_device_for_netdev(nd, fn, pf));
        return 0;
}

static int pool_add_listed_function(Engine *e, const NetDef *def, Pool *pool, const PciAddr *addr,
                                    EngineError *err) {
        g_autoptr(HwFunction) fn = NULL, pf = NULL;
        char buf[PCI_ADDR_STR_MAX];
        g_autofree char *what = g_strdup_printf("PCI device %s", pci_addr_to_string(addr, buf));
        int r;

        r = hw_lookup_function(e->hw, addr, &fn);
        if (r < 0)
                return hw_fail(err, r, def->name, what);
        if (!fn->is_vf)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "network '%s': %s is not an SR-IOV virtual "
                            "function; a %s pool "
                            "holds only VFs", def->name, what, forward_mode_to_string(def->mode));
        r = hw_lookup_function(e->hw, &fn->physfn, &pf);
        if (r < 0)
                return hw_fail(err, r, def->name, "the PF of a listed VF");
        (void) pool_add(pool, pool_device_for_function(fn, pf));  /* a repeat is -EEXIST, ignored */
        return 0;
}

static int pool_add_listed_one(Engine *e, const NetDef *def, Pool *pool, const ForwardDev *d, EngineError *err) {
        switch (d->type) {
        case FORWARD_DEV_USB:
                return fail(err, ENGINE_ERROR_UNSUPPORTED, "network '%s': USB network devices cannot be assigned "
                            "through a "
                            "hostdev network; assign them with a plain <hostdev>", def->name);
        case FORWARD_DEV_PCI:
                return pool_add_listed_function(e, def, pool, &d->pci, err);
        default:
                return pool_add_listed_netdev(e, def, pool, d->netdev, err);
        }
}

static int pool_add_listed(Engine *e, const NetDef *def, Pool *pool, EngineError *err) {
        for (guint i = 0; i < def->devs->len; i++) {
                int r = pool_add_listed_one(e, def, pool, &g_array_index(def->devs, ForwardDev, i), err);

                if (r != 0)
                        return r;
        }
        return 0;
}

/* Why a PF gave no device to the pool, for the message of a Start that finds nothing usable. */
static char *pf_empty_reason(const char *pf_name, GPtrArray *vfs, GPtrArray *notes) {
        g_autoptr(GString) why = g_string_new(NULL);

        if (vfs->len == 0)
                return g_strdup_printf("PF '%s' has no VFs (sriov_numvfs is 0, or its VFs are gone)", pf_name);
        g_string_printf(why, "PF '%s' has %u VFs, none usable", pf_name, vfs->len);
        for (guint i = 0; i < notes->len; i++)
                g_string_append_printf(why, "%s%s", i == 0 ? ": " : "; ", (const char *) notes->pdata[i]);
        if (notes->len == 0)
                g_string_append(why, ": they all belong to the PF's other port");
        return g_string_free(g_steal_pointer(&why), FALSE);
}

/* Add the VFs of one <pf>; when it gives none, why goes to empty_reasons (may be NULL). */
static int pool_add_pf(Engine *e, const NetDef *def, Pool *pool, const char *pf_name, GPtrArray *empty_reasons,
                       EngineError *err) {
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) vfs = NULL;
        g_autoptr(HwNetdev) nd = NULL;
        g_autoptr(HwFunction) pf = NULL;
        g_autofree char *what = g_strdup_printf("PF netdev '%s'", pf_name);
        g_autofree char *prefix = g_strdup_printf("network '%s': ", def->name);
        int r;

        r = hw_lookup_netdev(e->hw, pf_name, &nd, &pf);
        if (r < 0)
                return hw_fail(err, r, def->name, what);
        if (!pf || !pf->is_pf)
                return fail(err, ENGINE_ERROR_UNSUPPORTED, "network '%s': netdev '%s' is not an SR-IOV physical "
                            "function", def->name, pf_name);
        r = hw_list_vf_topology(e->hw, pf, &vfs);
        if (r < 0)
                return hw_fail(err, r, def->name, what);
        r = pool_expand_pf(pool, def->mode, nd, pf, vfs, notes);
        if (r < 0)
                return fail(err, ENGINE_ERROR_HARDWARE, "network '%s': cannot expand the VFs of %s: %s", def->name,
                            what, g_strerror(-r));
        log_notes(notes, prefix);
        if (r == 0) {
                log_notice("network '%s': PF '%s' gives no device to the pool", def->name, pf_name);
                if (empty_reasons)
                        g_ptr_array_add(empty_reasons, pf_empty_reason(pf_name, vfs, notes));
        }
        return 0;
}

static int check_bridge(Engine *e, const NetDef *def, EngineError *err) {
        g_autoptr(HwNetdev) nd = NULL;
        g_autofree char *what = NULL;
        int r;

        if (!def->bridge_name)
                return 0;
        what = g_strdup_printf("bridge '%s'", def->bridge_name);
        r = hw_lookup_netdev(e->hw, def->bridge_name, &nd, NULL);
        return r < 0 ? hw_fail(err, r, def->name, what) : 0;
}

/* At Start: a device taken outside netpool already (bound to vfio-pci by someone else, say) is unavailable from
 * the first moment, as a rescan would find it. Only PCI devices are asked: a netdev device was made from the netdev
 * build_pool() read just now, which is all engine_device_usable() checks of one (a VF on vfio-pci has none, and
 * gives a netdev pool no device). */
static void mark_taken_outside(Engine *e, Pool *pool) {
        for (guint i = 0; i < pool->devices->len; i++) {
                PoolDevice *d = pool->devices->pdata[i];

                if (d->type != FORWARD_DEV_PCI)
                        continue;
                if (d->connections == 0 && d->state == DEVICE_STATE_FREE && !engine_device_usable(e, d))
                        pool_device_set_state(pool, d, DEVICE_STATE_UNAVAILABLE);
        }
}

/* The pool a definition stands for on this hardware now; NULL for a mode without one. A pool of no
 * device at all is refused (libvirt: "No usable Vf's present on SRIOV PF"), saying why of each PF. */
static int build_pool(Engine *e, const NetDef *def, Pool **ret, EngineError *err) {
        g_autoptr(GPtrArray) empty = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Pool) pool = NULL;
        int r;

        *ret = NULL;
        if (!network_has_pool(def))
                return check_bridge(e, def, err);
        pool = pool_new(network_is_exclusive(def));
        r = pool_add_listed(e, def, pool, err);
        if (r != 0)
                return r;
        for (guint i = 0; i < def->pfs->len; i++) {
                r = pool_add_pf(e, def, pool, def->pfs->pdata[i], empty, err);
                if (r != 0)
                        return r;
        }
        if (pool_capacity(pool) == 0 && def->pfs->len > 0) {
                g_ptr_array_add(empty, NULL);
                g_autofree char *why = g_strjoinv("; ", (char **) empty->pdata);

                return fail(err, ENGINE_ERROR_DEVICE_NOT_FOUND, "network '%s': no usable VF to make a pool of: %s",
                            def->name, why);
        }
        *ret = g_steal_pointer(&pool);
        return 0;
}

static int start_network(Engine *e, Network *n, EngineError *err) {
        g_autoptr(Pool) pool = NULL;
        g_autoptr(NetDef) live = NULL;
        int r;

        if (n->active)
                return fail(err, ENGINE_ERROR_NETWORK_ACTIVE, "network '%s' is already active", network_name(n));
        r = build_pool(e, n->def, &pool, err);
        if (r != 0)
                return r;
        live = netdef_copy(n->def);
        if (pool)
                pool_to_forward_devs(pool, live);
        /* the live record goes to disk first: a crash right after leaves the network active */
        n->new_def = n->persistent ? g_steal_pointer(&n->def) : netdef_free(n->def);
        n->def = g_steal_pointer(&live);
        if (pool) {
                engine_pool_apply_host_state(e, pool, network_name(n));
                engine_plug_mark_vfio_unusable(e, n->def, pool);
                mark_taken_outside(e, pool);
        }
        n->pool = g_steal_pointer(&pool);
        n->active = true;
        r = store_save_live(e->store, n);
        if (r < 0) {
                n->active = false;
                live = g_steal_pointer(&n->def);
                n->def = n->persistent ? g_steal_pointer(&n->new_def) : g_steal_pointer(&live);
                g_clear_pointer(&n->pool, pool_free);
                return file_failed(e, err, r, "write", "the live state", STORE_FILE_LIVE, network_name(n));
        }
        log_info("network '%s' started (%u devices)", network_name(n), network_capacity(n));
        engine_inventory_refresh_pools(e);      /* its devices are in a pool now */
        return 0;
}

int engine_start(Engine *e, Network *n, EngineError *err) {
        int r = start_network(e, n, err);

        if (r != 0)
                return r;
        notify(e, n, ENGINE_EVENT_NETWORK_CHANGED);
        return 0;
}

static void remove_network(Engine *e, Network *n) {
        notify(e, n, ENGINE_EVENT_NETWORK_REMOVED);
        g_hash_table_remove(e->networks, network_name(n));      /* frees n */
}

int engine_create(Engine *e, const char *xml, Network **ret, EngineError *err) {
        g_autoptr(NetDef) def = NULL;
        Network *n, *same;
        int r;

        r = parse_definition(xml, &def, err);
        if (r != 0)
                return r;
        r = check_clash(e, def, &same, err);
        if (r != 0)
                return r;
        if (same)
                return fail(err, ENGINE_ERROR_NETWORK_EXISTS, "network '%s' already exists", def->name);
        n = network_new(g_steal_pointer(&def));
        g_hash_table_replace(e->networks, g_strdup(network_name(n)), n);
        r = start_network(e, n, err);
        if (r != 0) {
                g_hash_table_remove(e->networks, network_name(n));
                return r;
        }
        notify(e, n, ENGINE_EVENT_NETWORK_ADDED);
        *ret = n;
        return 0;
}

/* Stop with FORCE: release the ports a slice at a time; ENGINE_ERROR_AGAIN while some are left. */
static int stop_release_ports(Engine *e, Network *n, const EngineCall *call, EngineError *err) {
        guint left = 0;
        int r;

        r = engine_release_network_ports(e, n, STOP_SLICE_PORTS, call, &left, err);
        if (r != 0)
                return r;
        if (left > 0)
                return engine_again(err, 0, /* busy= */ false, "network '%s': %u ports left to release", network_name(n),
                                    left);
        return 0;
}

int engine_stop(Engine *e, Network *n, bool force, const EngineCall *call, EngineError *err) {
        int r;

        if (!n->active)
                return fail(err, ENGINE_ERROR_NETWORK_INACTIVE, "network '%s' is not active", network_name(n));
        if (network_connections(n) > 0 && !force)
                return fail(err, ENGINE_ERROR_NETWORK_BUSY, "network '%s' has %u connection%s; release its ports "
                            "or stop it with FORCE", network_name(n), network_connections(n),
                            network_connections(n) == 1 ? "" : "s");
        r = stop_release_ports(e, n, call, err);
        if (r != 0)
                return r;
        r = store_remove_live(e->store, network_name(n));
        if (r < 0)
                return file_failed(e, err, r, "remove", "the live state", STORE_FILE_LIVE, network_name(n));
        log_info("network '%s' stopped", network_name(n));
        if (!n->persistent) {
                remove_network(e, n);
                engine_inventory_refresh_pools(e);
                return 0;
        }
        netdef_free(n->def);
        n->def = g_steal_pointer(&n->new_def);
        g_clear_pointer(&n->pool, pool_free);
        n->active = false;
        engine_inventory_refresh_pools(e);
        notify(e, n, ENGINE_EVENT_NETWORK_CHANGED);
        return 0;
}

int engine_undefine(Engine *e, Network *n, EngineError *err) {
        int r;

        if (!n->persistent)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "network '%s' is transient; stop it to remove it",
                            network_name(n));
        r = store_remove_definition(e->store, network_name(n));
        if (r < 0)
                return file_failed(e, err, r, "remove", "the definition", STORE_FILE_DEFINITION,
                                   network_name(n));
        log_info("network '%s' undefined", network_name(n));
        if (!n->active) {
                remove_network(e, n);
                return 0;
        }
        n->persistent = false;
        n->autostart = false;
        g_clear_pointer(&n->new_def, netdef_free);
        notify(e, n, ENGINE_EVENT_NETWORK_CHANGED);
        return 0;
}

int engine_set_autostart(Engine *e, Network *n, bool autostart, EngineError *err) {
        int r;

        if (!n->persistent)
                return fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "network '%s' is transient; only persistent "
                            "networks autostart", network_name(n));
        if (n->autostart == autostart)
                return 0;
        r = store_set_autostart(e->store, network_name(n), autostart);
        if (r < 0)
                return file_failed(e, err, r, autostart ? "write" : "remove", "the autostart mark",
                                   STORE_FILE_AUTOSTART, network_name(n));
        n->autostart = autostart;
        notify(e, n, ENGINE_EVENT_NETWORK_CHANGED);
        return 0;
}

void engine_autostart(Engine *e) {
        g_autoptr(GPtrArray) list = NULL;
        int r;

        if (!store_autostart_pending(e->store))
                return;
        list = engine_list_networks(e);
        for (guint i = 0; i < list->len; i++) {
                Network *n = list->pdata[i];
                g_auto(EngineError) err = {};

                if (!n->autostart || n->active)
                        continue;
                r = engine_start(e, n, &err);
                if (r != 0)
                        log_warning("autostart of network '%s' failed: %s", network_name(n), err.message);
        }
        r = store_mark_autostarted(e->store);
        if (r < 0)
                log_warning_errno(r, "cannot record that autostart ran: %m");
}

/* The state a device present on the hardware should have (in a managed hostdev network, VFIO must be able to
 * take a free one). */
static DeviceState present_state(Engine *e, const NetDef *def, const Pool *pool, const PoolDevice *d) {
        g_autofree char *vfio_problem = NULL;

        if (d->state == DEVICE_STATE_RESTORE_FAILED || d->state == DEVICE_STATE_QUARANTINED)
                return d->state;                /* the retries decide those */
        if (!engine_device_usable(e, d))
                return d->connections > 0 ? d->state : DEVICE_STATE_UNAVAILABLE;
        if (d->connections > 0)
                return DEVICE_STATE_IN_USE;
        vfio_problem = engine_plug_vfio_problem(e, def, pool, d);
        return vfio_problem ? DEVICE_STATE_UNAVAILABLE : DEVICE_STATE_FREE;
}

/* A device of n whose state went from was to now: its ports learn whether it vanished or came back. */
static void lease_follow(Engine *e, Network *n, PoolDevice *d, DeviceState was, DeviceState now) {
        if (now == DEVICE_STATE_LOST && was != DEVICE_STATE_LOST)
                engine_device_vanished(e, n, d);
        else if (was == DEVICE_STATE_LOST && now != DEVICE_STATE_LOST)
                engine_device_returned(e, n, d);
}

/* The part of the host a rescan reads again: some PFs (by PCI address, and the names of their netdevs, which a
 * pool's VFs are configured through); NULL in place of a scope is the whole host. */
typedef struct RescanScope {
        GHashTable *pf_addrs;
        GHashTable *pf_netdevs;
} RescanScope;

static bool in_scope(const RescanScope *scope, const PoolDevice *d) {
        return !scope || (d->pf_netdev && g_hash_table_contains(scope->pf_netdevs, d->pf_netdev)) ||
               g_hash_table_contains(scope->pf_addrs, pool_device_key(d));
}

/* Fold what the hardware shows now (fresh) into the pool of a running network, for the devices in scope.
 * Returns > 0 if changed. */
static int pool_merge(Engine *e, Network *n, Pool *fresh, const RescanScope *scope) {
        Pool *pool = n->pool;
        const NetDef *def = n->def;
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
        bool changed = false;

        for (guint i = 0; i < pool->devices->len; i++) {
                PoolDevice *d = pool->devices->pdata[i];
                DeviceState want;

                if (!in_scope(scope, d))
                        continue;
                const PoolDevice *f = pool_find(fresh, d->id);

                if (f && (f->netdev || d->type == FORWARD_DEV_PCI) && !streq_ptr(d->netdev, f->netdev)) {
                        /* a VF's netdev that came back after Start (from a guest, from vfio-pci), or went (a PCI
                         * device's netdev is only what it has now) */
                        g_free(d->netdev);
                        d->netdev = g_strdup(f->netdev);
                        changed = true;
                }

                if (f)
                        want = present_state(e, def, pool, d);
                else if (d->connections > 0)
                        want = DEVICE_STATE_LOST;
                else if (def->pfs->len > 0) {
                        g_ptr_array_add(gone, g_strdup(d->id));        /* vanished VF of a <pf> pool */
                        continue;
                } else
                        want = DEVICE_STATE_UNAVAILABLE;
                if (want != d->state) {
                        DeviceState was = d->state;

                        pool_device_set_state(pool, d, want);
                        lease_follow(e, n, d, was, want);
                        changed = true;
                }
        }
        for (guint i = 0; i < gone->len; i++)
                (void) pool_remove(pool, gone->pdata[i]);
        if (gone->len > 0)
                e->vfs_gone_at = g_get_monotonic_time();
        for (guint i = 0; i < fresh->devices->len; i++) {
                const PoolDevice *f = fresh->devices->pdata[i];
                PoolDevice *d;

                if (pool_find(pool, f->id))
                        continue;
                d = pool_device_copy(f);
                d->state = present_state(e, def, pool, d);
                (void) pool_add(pool, d);
                changed = true;
        }
        /* after the additions: a VF that came back may be held through another network, or restore-failed */
        for (guint i = 0; i < pool->devices->len; i++)
                if (in_scope(scope, pool->devices->pdata[i]))
                        engine_pool_device_apply_host_state(e, pool, pool->devices->pdata[i], def->name);
        return changed || gone->len > 0;
}

/* Like build_pool, but a missing listed device or PF only leaves a gap. */
static Pool *scan_pool(Engine *e, const NetDef *def) {
        Pool *pool = pool_new(network_is_exclusive(def));

        for (guint i = 0; i < def->devs->len && !def->pool_expanded; i++) {
                g_auto(EngineError) err = {};

                (void) pool_add_listed_one(e, def, pool, &g_array_index(def->devs, ForwardDev, i), &err);
        }
        for (guint i = 0; i < def->pfs->len; i++) {
                g_auto(EngineError) err = {};

                if (pool_add_pf(e, def, pool, def->pfs->pdata[i], NULL, &err) != 0)
                        log_notice("%s", err.message);
        }
        return pool;
}

/* The pool of a network that takes the VFs of PFs, for the PFs in scope only */
static Pool *scan_pool_pfs(Engine *e, const NetDef *def, const RescanScope *scope) {
        Pool *pool = pool_new(network_is_exclusive(def));

        for (guint i = 0; i < def->pfs->len; i++) {
                g_auto(EngineError) err = {};

                if (!g_hash_table_contains(scope->pf_netdevs, def->pfs->pdata[i]))
                        continue;
                if (pool_add_pf(e, def, pool, def->pfs->pdata[i], NULL, &err) != 0)
                        log_notice("%s", err.message);
        }
        return pool;
}

/* A network whose definition lists its devices: any of them may have come or gone, its pool is read whole. */
static bool network_lists_devices(const Network *n) {
        return n->def->devs->len > 0 && !n->def->pool_expanded;
}

/* Whether the PFs of scope give n devices, or did */
static bool network_touches(const Network *n, const RescanScope *scope) {
        if (!scope || network_lists_devices(n))
                return true;
        for (guint i = 0; i < n->def->pfs->len; i++)
                if (g_hash_table_contains(scope->pf_netdevs, n->def->pfs->pdata[i]))
                        return true;
        for (guint i = 0; i < n->pool->devices->len; i++)
                if (in_scope(scope, n->pool->devices->pdata[i]))
                        return true;
        return false;
}

/* The pools of the active networks, read again where scope says (everywhere when NULL). The networks whose pool
 * changed go to ret_changed: their live records are written after the changes are announced (a record of 32,768
 * devices is a MiB of XML; it is no write-ahead record — a start rescans the pools anyway). */
static void rescan_pools(Engine *e, const RescanScope *scope, GPtrArray *ret_changed) {
        g_autoptr(GPtrArray) list = engine_list_networks(e);

        for (guint i = 0; i < list->len; i++) {
                Network *n = list->pdata[i];
                g_autoptr(Pool) fresh = NULL;
                bool whole;

                if (!n->active || !n->pool || !network_touches(n, scope))
                        continue;
                whole = !scope || network_lists_devices(n);
                fresh = whole ? scan_pool(e, n->def) : scan_pool_pfs(e, n->def, scope);
                if (pool_merge(e, n, fresh, whole ? NULL : scope) <= 0)
                        continue;
                pool_to_forward_devs(n->pool, n->def);
                g_ptr_array_add(ret_changed, g_strdup(network_name(n)));
                log_info("network '%s': pool rescanned, %u devices", network_name(n), network_capacity(n));
                notify(e, n, ENGINE_EVENT_NETWORK_CHANGED);
        }
}

/* What the inventory read of the hardware beyond the pools' own scan (NUMA nodes, who uses a device outside
 * netpool) applies to every active pool; after a rescan of some PFs (scope), to their devices. (The inventory's
 * states of those were made after the pools' scan: a verdict or a holder set here is one they show already.) */
static void pools_follow_inventory(Engine *e, const RescanScope *scope) {
        g_autoptr(GPtrArray) list = engine_list_networks(e);

        for (guint i = 0; i < list->len; i++) {
                Network *n = list->pdata[i];
                unsigned was = n->active && n->pool ? pool_available(n->pool) : 0;
                bool whole;

                if (!n->active || !n->pool)
                        continue;
                whole = !scope || network_lists_devices(n);
                for (guint k = 0; k < n->pool->devices->len; k++) {
                        PoolDevice *d = n->pool->devices->pdata[k];

                        if (!whole && !in_scope(scope, d))
                                continue;
                        engine_pool_device_apply_host_state(e, n->pool, d, network_name(n));
                }
                if (pool_available(n->pool) != was) {
                        engine_save_live(e, n);
                        notify(e, n, ENGINE_EVENT_NETWORK_CHANGED);
                }
        }
        if (!scope)
                engine_inventory_refresh_pools(e);
}

static void rescan(Engine *e, const RescanScope *scope) {
        g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);

        rescan_pools(e, scope, changed);
        if (scope)
                engine_inventory_refresh_pfs(e, scope->pf_addrs);
        else
                engine_inventory_refresh(e);
        for (guint i = 0; i < changed->len; i++) {
                Network *n = g_hash_table_lookup(e->networks, changed->pdata[i]);

                if (n && n->active)
                        engine_save_live(e, n);
        }
        e->restores_pending = true;     /* a rescan looks at every record */
        (void) engine_retry_restores(e);
        engine_ports_check(e, NULL, /* drifted_only= */ true);
        pools_follow_inventory(e, scope);
}

int engine_rescan(Engine *e, EngineError *err) {
        rescan(e, NULL);
        return 0;
}

/* The names of the netdevs of the PF at addr: as the inventory knew them (a pool's VFs still name those) and as
 * they are now */
static void add_pf_netdevs(Engine *e, const char *addr, GHashTable *netdevs) {
        g_autoptr(HwFunction) pf = NULL;
        HostDeviceInfo info;
        PciAddr a;

        if (engine_host_device(e, addr, &info) >= 0)
                for (size_t i = 0; info.netdevs[i]; i++)
                        g_hash_table_add(netdevs, g_strdup(info.netdevs[i]));
        if (pci_addr_from_string(addr, &a) < 0 || hw_lookup_topology(e->hw, &a, &pf) < 0)
                return;
        for (guint i = 0; i < pf->netdevs->len; i++)
                g_hash_table_add(netdevs, g_strdup(((const HwNetdev *) pf->netdevs->pdata[i])->name));
}

int engine_rescan_changed(Engine *e, GHashTable *names, EngineError *err) {
        g_autoptr(GHashTable) pfs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) netdevs = NULL;
        GHashTableIter it;
        gpointer key;
        RescanScope scope;

        if (!names || !engine_inventory_pfs_of(e, names, pfs))
                return engine_rescan(e, err);
        if (g_hash_table_size(pfs) == 0) {
                log_debug("devices changed that are no SR-IOV functions of netpool's: nothing to rescan");
                return 0;
        }
        netdevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_iter_init(&it, pfs);
        while (g_hash_table_iter_next(&it, &key, NULL))
                add_pf_netdevs(e, key, netdevs);
        scope = (RescanScope) { .pf_addrs = pfs, .pf_netdevs = netdevs };
        rescan(e, &scope);
        return 0;
}

void engine_set_devices_settling(Engine *e, bool settling) {
        if (settling && !e->devices_settling)
                e->settling_since = g_get_monotonic_time();
        e->devices_settling = settling;
}

int engine_rescan_and_retry(Engine *e, EngineError *err) {
        int r;

        e->retry_quarantined = true;
        r = engine_rescan(e, err);
        if (r == 0)
                engine_ports_check(e, NULL, /* drifted_only= */ false);
        return r;
}
