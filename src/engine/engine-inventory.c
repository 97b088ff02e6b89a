/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's inventory (engine-inventory.h) */
#include <errno.h>
#include <string.h>

#include "engine/engine-inventory.h"
#include "engine/engine-port.h"
#include "hw/hw-inventory.h"
#include "hw/hw-plug.h"
#include "shared/log.h"

/* One device. Strings that repeat across devices (PF names, drivers, states) are interned. */
/* 32,768 VFs make as many devices, and a rescan of everything builds the inventory anew: a device is few blocks.
 * Its id lives in its own block; its netdevs are one block (netdevs_pack()); a text field with no text, and an
 * empty list, point to the shared empty_text / empty_strv (text_free() and netdevs_free() leave those). */
typedef struct InvDevice {
        const char *pci_address;                /* id, or "" */
        const char *pf, *pf_address;
        int vf_index;
        char vendor[7], product[7];
        const char *driver;
        char **netdevs;                         /* NULL-terminated, owned */
        int numa_node, iommu_group;
        const char *pcie_root, *link_type, *eswitch_mode;
        const char *state;
        char *holder;                           /* "" when none */
        char *hw_holder;                        /* who uses it outside netpool as the hardware read tells (a
                                                 * netdev moved away, up with addresses): "" when nobody */
        char *port_uuid;                        /* "" when none */
        const char **networks;                  /* NULL-terminated array of interned names, itself interned
                                                 * (networks_intern()): not owned */
        bool on_hardware;                       /* seen by the last hardware read */
        bool is_pf;                             /* an SR-IOV PF (a rescan of it reads its VFs too) */
        char id[];
} InvDevice;

static char empty_text[] = "";
static char *empty_strv[] = { NULL };

/* An owned copy of s, or the shared empty_text for none */
static char *text_new(const char *s) {
        return s && s[0] ? g_strdup(s) : empty_text;
}

static void text_free(char *s) {
        if (s != empty_text)
                g_free(s);
}

static void text_set(char **field, const char *s) {
        char *was = *field;

        *field = text_new(s);
        text_free(was);
}

/* names (NULL-terminated) in one block, the pointers followed by the strings; the shared empty_strv for none */
static char **netdevs_pack(const char *const *names) {
        size_t n = 0, bytes = 0;
        char **v, *at;

        for (; names[n]; n++)
                bytes += strlen(names[n]) + 1;
        if (n == 0)
                return empty_strv;
        v = g_malloc(sizeof(char *) * (n + 1) + bytes);
        at = (char *) (v + n + 1);
        for (size_t i = 0; i < n; i++) {
                v[i] = at;
                at = stpcpy(at, names[i]) + 1;
        }
        v[n] = NULL;
        return v;
}

static void netdevs_free(char **v) {
        if (v != empty_strv)
                g_free(v);
}

/* A list of network names (NULL-terminated), interned: the devices of a network share one array (32,768 VFs
 * would otherwise have as many blocks). Kept for the daemon's life, as g_intern_string() keeps the names: there
 * are as many lists as combinations of networks seen, a handful. */
static const char **networks_intern(const char *const *names) {
        static GHashTable *lists;               /* names joined by '\n' (no network name has one) -> the list */
        g_autofree char *key = NULL;
        const char **v;
        size_t n;

        if (!names[0])
                return (const char **) empty_strv;
        if (!lists)
                lists = g_hash_table_new(g_str_hash, g_str_equal);
        key = g_strjoinv("\n", (char **) names);
        v = g_hash_table_lookup(lists, key);
        if (v)
                return v;
        n = g_strv_length((char **) names);
        v = g_new(const char *, n + 1);
        for (size_t i = 0; i < n; i++)
                v[i] = g_intern_string(names[i]);
        v[n] = NULL;
        g_hash_table_insert(lists, g_steal_pointer(&key), v);
        return v;
}

static InvDevice *inv_device_new(const char *id) {
        InvDevice *d = g_malloc0(sizeof(InvDevice) + strlen(id) + 1);
        const char *empty = g_intern_static_string("");

        strcpy(d->id, id);
        d->pci_address = d->pf = d->pf_address = d->driver = empty;
        d->pcie_root = d->eswitch_mode = empty;
        d->link_type = g_intern_static_string("ethernet");
        d->state = g_intern_static_string("free");
        d->vf_index = d->numa_node = d->iommu_group = -1;
        d->holder = d->hw_holder = d->port_uuid = empty_text;
        d->netdevs = empty_strv;
        d->networks = (const char **) empty_strv;
        return d;
}

static void inv_device_free(gpointer p) {
        InvDevice *d = p;

        netdevs_free(d->netdevs);
        text_free(d->holder);
        text_free(d->hw_holder);
        text_free(d->port_uuid);
        g_free(d);
}

static bool strv_equal(const char *const *a, const char *const *b) {
        size_t i = 0;

        for (; a[i] && b[i]; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return !a[i] && !b[i];
}

/* Which properties differ between a and b (same id). */
static uint32_t inv_device_diff(const InvDevice *a, const InvDevice *b) {
        uint32_t m = 0;

        m |= streq(a->pf, b->pf) ? 0 : HOST_DEVICE_PF;
        m |= streq(a->pf_address, b->pf_address) ? 0 : HOST_DEVICE_PF_ADDRESS;
        m |= a->vf_index == b->vf_index ? 0 : HOST_DEVICE_VF_INDEX;
        m |= streq(a->vendor, b->vendor) ? 0 : HOST_DEVICE_VENDOR;
        m |= streq(a->product, b->product) ? 0 : HOST_DEVICE_PRODUCT;
        m |= streq(a->driver, b->driver) ? 0 : HOST_DEVICE_DRIVER;
        m |= strv_equal((const char *const *) a->netdevs, (const char *const *) b->netdevs) ? 0 : HOST_DEVICE_NETDEVS;
        m |= a->numa_node == b->numa_node ? 0 : HOST_DEVICE_NUMA_NODE;
        m |= streq(a->pcie_root, b->pcie_root) ? 0 : HOST_DEVICE_PCIE_ROOT;
        m |= a->iommu_group == b->iommu_group ? 0 : HOST_DEVICE_IOMMU_GROUP;
        m |= streq(a->link_type, b->link_type) ? 0 : HOST_DEVICE_LINK_TYPE;
        m |= streq(a->eswitch_mode, b->eswitch_mode) ? 0 : HOST_DEVICE_ESWITCH_MODE;
        m |= streq(a->state, b->state) ? 0 : HOST_DEVICE_STATE;
        m |= streq(a->holder, b->holder) ? 0 : HOST_DEVICE_HOLDER;
        m |= streq(a->port_uuid, b->port_uuid) ? 0 : HOST_DEVICE_PORT;
        m |= strv_equal(a->networks, b->networks) ? 0 : HOST_DEVICE_NETWORKS;
        return m;
}

static void emit(Engine *e, const char *id, EngineDeviceEvent ev, uint32_t changed) {
        if (e->device_observer)
                e->device_observer(e, id, ev, changed, e->device_observer_data);
}

/* ---- what the hardware says ---- */

/* f's netdev names, packed (netdevs_pack()) */
static char **netdev_names(const HwFunction *f) {
        g_autofree const char **names = g_new0(const char *, f->netdevs->len + 1);

        for (guint i = 0; i < f->netdevs->len; i++)
                names[i] = ((const HwNetdev *) f->netdevs->pdata[i])->name;
        return netdevs_pack(names);
}

/* The link type of a function: its netdev's, else its PF's (a VF without a netdev), else ethernet. */
static const char *link_type_of(const HwFunction *f, const HwFunction *pf) {
        const HwFunction *from = f->netdevs->len > 0 ? f : pf && pf->netdevs->len > 0 ? pf : NULL;

        return from ? hw_link_type_to_string(((const HwNetdev *) from->netdevs->pdata[0])->link_type) : "ethernet";
}

/* Who uses f outside netpool, as the hardware tells: a missing netdev counts only when the last read saw one
 * under the same driver (was). */
static char *hardware_holder(Engine *e, const HwFunction *f, const InvDevice *was) {
        bool had_netdev = was && was->netdevs[0] && streq(was->driver, f->driver ?: "");
        char *holder = NULL;

        if (hw_function_holder(e->hw, f, had_netdev, &holder) < 0)
                return empty_text;
        return holder ?: empty_text;
}

static void fill_from_function(Engine *e, InvDevice *d, const HwFunction *f, const HwFunction *pf) {
        const InvDevice *was = e->inventory ? g_hash_table_lookup(e->inventory, d->id) : NULL;
        char bdf[PCI_ADDR_STR_MAX];

        d->pci_address = d->id;
        g_snprintf(d->vendor, sizeof(d->vendor), "0x%04x", f->vendor_id);
        g_snprintf(d->product, sizeof(d->product), "0x%04x", f->device_id);
        d->driver = g_intern_string(f->driver ?: "");
        netdevs_free(d->netdevs);
        d->netdevs = netdev_names(f);
        if (pf) {
                d->pf = g_intern_string(pf->netdevs->len > 0 ? ((const HwNetdev *) pf->netdevs->pdata[0])->name : "");
                d->pf_address = g_intern_string(pci_addr_to_string(&pf->addr, bdf));
                d->vf_index = f->vf_index;
        }
        d->numa_node = f->numa_node;
        d->iommu_group = f->iommu_group;
        d->pcie_root = g_intern_string(f->pcie_root ?: "");
        d->link_type = g_intern_string(link_type_of(f, pf));
        if (f->is_pf) {
                g_autofree char *mode = NULL;

                if (hw_function_eswitch_mode(e->hw, &f->addr, &mode) >= 0 && mode)
                        d->eswitch_mode = g_intern_string(mode);
        }
        text_free(d->hw_holder);
        d->hw_holder = hardware_holder(e, f, was);
        d->on_hardware = true;
        d->is_pf = f->is_pf;
}

static void add_function(Engine *e, GHashTable *fresh, const HwFunction *f, const HwFunction *pf) {
        char bdf[PCI_ADDR_STR_MAX];
        InvDevice *d = inv_device_new(pci_addr_to_string(&f->addr, bdf));

        fill_from_function(e, d, f, pf);
        g_hash_table_replace(fresh, d->id, d);
}

/* An SR-IOV PF and its VFs; nothing when it is gone or no PF any more. */
static void read_pf(Engine *e, GHashTable *fresh, const PciAddr *addr) {
        g_autoptr(HwFunction) pf = NULL;
        g_autoptr(GPtrArray) vfs = NULL;

        if (hw_lookup_function(e->hw, addr, &pf) < 0 || !pf->is_pf)
                return;
        add_function(e, fresh, pf, NULL);
        if (hw_list_vf_inventory(e->hw, pf, &vfs) < 0)
                return;
        for (guint k = 0; k < vfs->len; k++)
                add_function(e, fresh, vfs->pdata[k], pf);
}

/* Every SR-IOV PF of the host and its VFs. */
static void read_hardware(Engine *e, GHashTable *fresh) {
        g_autoptr(GArray) pfs = NULL;

        if (hw_list_sriov_pfs(e->hw, &pfs) < 0)
                return;
        for (guint i = 0; i < pfs->len; i++)
                read_pf(e, fresh, &g_array_index(pfs, PciAddr, i));
}

/* ---- what the pools say ---- */

/* A pool device the hardware read did not list (not an SR-IOV function, or gone): as its pool knows it. */
static InvDevice *device_of_pool(Engine *e, const PoolDevice *pd) {
        InvDevice *d = inv_device_new(pool_device_key(pd));
        g_autoptr(HwNetdev) nd = NULL;
        g_autoptr(HwFunction) f = NULL;
        PciAddr addr;

        if (pd->pci_address && pci_addr_from_string(pd->pci_address, &addr) >= 0 &&
            hw_lookup_function(e->hw, &addr, &f) >= 0)
                fill_from_function(e, d, f, NULL);
        else if (!pd->pci_address && pd->netdev && hw_lookup_netdev(e->hw, pd->netdev, &nd, &f) >= 0) {
                const char *one[] = { pd->netdev, NULL };

                d->on_hardware = true;
                netdevs_free(d->netdevs);
                d->netdevs = netdevs_pack(one);
        }
        if (pd->pci_address)
                d->pci_address = d->id;
        if (pd->pf_netdev && !d->pf[0])
                d->pf = g_intern_string(pd->pf_netdev);
        if (pd->vf_index >= 0)
                d->vf_index = pd->vf_index;
        return d;
}

static void add_network(InvDevice *d, const char *name) {
        size_t n = g_strv_length((char **) d->networks);
        g_autofree const char **names = g_new(const char *, n + 2);

        memcpy(names, d->networks, sizeof(char *) * n);
        names[n] = name;
        names[n + 1] = NULL;
        d->networks = networks_intern(names);
}

static gint network_name_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(network_name(*(Network *const *) a), network_name(*(Network *const *) b));
}

/* Every device of every active pool joins fresh (made from its pool where the hardware did not list it), and
 * learns its networks. */
static void read_pools(Engine *e, GHashTable *fresh) {
        g_autoptr(GPtrArray) nets = engine_list_networks(e);

        g_ptr_array_sort(nets, network_name_cmp);
        for (guint i = 0; i < nets->len; i++) {
                Network *n = nets->pdata[i];

                for (guint k = 0; n->active && n->pool && k < n->pool->devices->len; k++) {
                        const PoolDevice *pd = n->pool->devices->pdata[k];
                        InvDevice *d = g_hash_table_lookup(fresh, pool_device_key(pd));

                        if (!d) {
                                d = device_of_pool(e, pd);
                                g_hash_table_replace(fresh, d->id, d);
                        }
                        add_network(d, network_name(n));
                }
        }
}

/* ---- the state netpool gives it ---- */

typedef struct StateScan {
        const char *port_uuid;
        bool lost, unavailable, held;
} StateScan;

static bool scan_pool_device(Engine *e, Network *n, PoolDevice *pd, void *data) {
        StateScan *s = data;

        if (pd->connections > 0 && !s->port_uuid)
                s->port_uuid = pd->port_uuid;
        s->held |= pd->connections > 0;
        s->lost |= pd->state == DEVICE_STATE_LOST;
        s->unavailable |= pd->state == DEVICE_STATE_UNAVAILABLE;
        return true;
}

static void compute_state(Engine *e, InvDevice *d) {
        StateScan s = {};
        const char *state = "free";
        g_autofree char *holder = NULL;

        engine_visit_device(e, d->id, scan_pool_device, &s);
        if (!s.held && streq(d->driver, "vfio-pci"))
                holder = g_strdup("bound to vfio-pci");
        else if (!s.held && d->hw_holder[0])
                holder = g_strdup(d->hw_holder);
        if (s.lost)
                state = "lost";
        else if (s.held)
                state = "in-use";
        else if (engine_quarantine_reason(e, d->id))
                state = "quarantined";
        else if (engine_restore_failed_has(e, d->id))
                state = "restore-failed";
        else if (holder || s.unavailable)
                state = "unavailable";
        d->state = g_intern_string(state);
        text_set(&d->holder, holder);
        text_set(&d->port_uuid, s.port_uuid);
}

/* ---- keeping it, announcing the differences ---- */

static void ensure_table(Engine *e) {
        if (!e->inventory)
                e->inventory = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, inv_device_free);
}

static gint key_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The keys of t sorted: announcements go in id order, whatever the hash table's order (watchers and tests see
 * the same sequence every time). The keys are borrowed. */
static GPtrArray *sorted_keys(GHashTable *t) {
        GPtrArray *keys = g_ptr_array_sized_new(g_hash_table_size(t));
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, t);
        while (g_hash_table_iter_next(&it, &key, NULL))
                g_ptr_array_add(keys, key);
        g_ptr_array_sort(keys, key_cmp);
        return keys;
}

/* Replace the inventory with fresh, announcing additions, changes and removals. */
static void commit(Engine *e, GHashTable *fresh) {
        g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) keys = NULL;
        GHashTableIter it;
        gpointer key;
        GHashTable *old;

        ensure_table(e);
        old = e->inventory;
        g_hash_table_iter_init(&it, old);
        while (g_hash_table_iter_next(&it, &key, NULL))
                if (!g_hash_table_contains(fresh, key))
                        g_ptr_array_add(removed, g_strdup(key));
        g_ptr_array_sort(removed, key_cmp);
        /* a removal is announced while the device can still be read (sd-bus lists its interfaces) */
        for (guint i = 0; i < removed->len; i++)
                emit(e, removed->pdata[i], ENGINE_DEVICE_REMOVED, 0);
        e->inventory = fresh;
        g_clear_pointer(&e->inventory_ids, g_ptr_array_unref);
        keys = sorted_keys(fresh);
        for (guint i = 0; i < keys->len; i++) {
                const InvDevice *was = g_hash_table_lookup(old, keys->pdata[i]);
                uint32_t changed;

                if (!was) {
                        emit(e, keys->pdata[i], ENGINE_DEVICE_ADDED, 0);
                        continue;
                }
                changed = inv_device_diff(was, g_hash_table_lookup(fresh, keys->pdata[i]));
                if (changed)
                        emit(e, keys->pdata[i], ENGINE_DEVICE_CHANGED, changed);
        }
        g_hash_table_unref(old);
}

static GHashTable *new_table(void) {
        return g_hash_table_new_full(g_str_hash, g_str_equal, NULL, inv_device_free);
}

/* A device the hardware read no longer lists stays while a pool has it (lost, say); one only a pool had goes
 * with the pool. */
static void finish(Engine *e, GHashTable *fresh) {
        GHashTableIter it;
        gpointer value;

        read_pools(e, fresh);
        g_hash_table_iter_init(&it, fresh);
        while (g_hash_table_iter_next(&it, NULL, &value))
                compute_state(e, value);
        commit(e, fresh);
}

void engine_inventory_refresh(Engine *e) {
        GHashTable *fresh = new_table();

        read_hardware(e, fresh);
        finish(e, fresh);
}

/* ---- the pools changed: each device's pool part made again where it is ---- */

static bool pool_has(const Network *n, const char *key) {
        return n->active && n->pool && pool_find_by_key(n->pool, key);
}

/* The names of the active networks (nets, in name order) whose pool has the device with that key, as an
 * interned list (networks_intern()). */
static const char **networks_of(GPtrArray *nets, const char *key) {
        g_autofree const char **names = g_new(const char *, nets->len + 1);
        size_t k = 0;

        for (guint i = 0; i < nets->len; i++)
                if (pool_has(nets->pdata[i], key))
                        names[k++] = network_name(nets->pdata[i]);
        names[k] = NULL;
        return networks_intern(names);
}

/* d's networks, state, holder and port made again from the pools; returns the properties that changed. */
static uint32_t refresh_pool_part(Engine *e, GPtrArray *nets, InvDevice *d) {
        const char **was_networks = d->networks;
        const char *was_state = d->state;
        char *was_holder = d->holder, *was_port = d->port_uuid;
        uint32_t changed = 0;

        d->networks = networks_of(nets, d->id);
        d->holder = d->port_uuid = empty_text;
        compute_state(e, d);
        changed |= strv_equal(was_networks, d->networks) ? 0 : HOST_DEVICE_NETWORKS;
        changed |= streq(was_state, d->state) ? 0 : HOST_DEVICE_STATE;
        changed |= streq(was_holder, d->holder) ? 0 : HOST_DEVICE_HOLDER;
        changed |= streq(was_port, d->port_uuid) ? 0 : HOST_DEVICE_PORT;
        text_free(was_holder);
        text_free(was_port);
        return changed;
}

/* The devices only pools have (none that the hardware read listed), made anew from the pools as read_pools()
 * does, with their state */
static GHashTable *pool_only_devices(Engine *e, GPtrArray *nets) {
        GHashTable *extra = new_table();
        GHashTableIter it;
        gpointer value;

        for (guint i = 0; i < nets->len; i++) {
                Network *n = nets->pdata[i];

                for (guint k = 0; n->active && n->pool && k < n->pool->devices->len; k++) {
                        const PoolDevice *pd = n->pool->devices->pdata[k];
                        const InvDevice *listed = g_hash_table_lookup(e->inventory, pool_device_key(pd));
                        InvDevice *d;

                        if (listed && listed->on_hardware)
                                continue;
                        d = g_hash_table_lookup(extra, pool_device_key(pd));
                        if (!d) {
                                d = device_of_pool(e, pd);
                                g_hash_table_replace(extra, d->id, d);
                        }
                        add_network(d, network_name(n));
                }
        }
        g_hash_table_iter_init(&it, extra);
        while (g_hash_table_iter_next(&it, NULL, &value))
                compute_state(e, value);
        return extra;
}

/* The devices only a pool had that no pool has now go, announced while they can still be read. */
static void remove_pool_only(Engine *e, GHashTable *extra) {
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer key, value;

        g_hash_table_iter_init(&it, e->inventory);
        while (g_hash_table_iter_next(&it, &key, &value))
                if (!((const InvDevice *) value)->on_hardware && !g_hash_table_contains(extra, key))
                        g_ptr_array_add(gone, g_strdup(key));
        if (gone->len == 0)
                return;
        g_ptr_array_sort(gone, key_cmp);
        for (guint i = 0; i < gone->len; i++)
                emit(e, gone->pdata[i], ENGINE_DEVICE_REMOVED, 0);
        g_clear_pointer(&e->inventory_ids, g_ptr_array_unref);
        for (guint i = 0; i < gone->len; i++)
                g_hash_table_remove(e->inventory, gone->pdata[i]);
}

/* extra's devices replace those the inventory has with their ids (extra is emptied): events, by id, says what
 * each is to announce (ENGINE_DEVICE_ADDED, or ENGINE_DEVICE_CHANGED with the changes; nothing when none) */
static void merge_pool_only(Engine *e, GHashTable *extra, GHashTable *events) {
        GHashTableIter it;
        gpointer value;

        if (g_hash_table_size(extra) > 0)
                g_clear_pointer(&e->inventory_ids, g_ptr_array_unref);
        g_hash_table_iter_init(&it, extra);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                InvDevice *d = value;
                const InvDevice *was = g_hash_table_lookup(e->inventory, d->id);
                uint32_t changed = was ? inv_device_diff(was, d) : 0;

                g_hash_table_iter_steal(&it);
                g_hash_table_replace(e->inventory, d->id, d);           /* frees was */
                if (!was || changed)
                        g_hash_table_insert(events, d->id, GUINT_TO_POINTER(was ? changed : 0));
        }
}

/* In place: a copy of the whole inventory per Start or Stop would, once the old one is freed, leave a hole in
 * the heap (6 MiB at 32,768 VFs) that a large reply then grows into (glibc's realloc extends a block into the
 * free space after it whatever the mmap threshold). Events go out in id order, as commit()'s. */
void engine_inventory_refresh_pools(Engine *e) {
        g_autoptr(GPtrArray) nets = engine_list_networks(e);
        g_autoptr(GHashTable) events = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) extra = NULL;
        g_autoptr(GPtrArray) ids = NULL;

        ensure_table(e);
        g_ptr_array_sort(nets, network_name_cmp);
        extra = pool_only_devices(e, nets);
        remove_pool_only(e, extra);
        merge_pool_only(e, extra, events);
        ids = engine_host_device_ids(e);
        for (guint i = 0; i < ids->len; i++) {
                InvDevice *d = g_hash_table_lookup(e->inventory, ids->pdata[i]);
                gpointer event;
                uint32_t changed;

                if (g_hash_table_lookup_extended(events, d->id, NULL, &event)) {
                        changed = GPOINTER_TO_UINT(event);
                        emit(e, d->id, changed ? ENGINE_DEVICE_CHANGED : ENGINE_DEVICE_ADDED, changed);
                } else if (d->on_hardware && (changed = refresh_pool_part(e, nets, d)))
                        emit(e, d->id, ENGINE_DEVICE_CHANGED, changed);
        }
}

/* The binding of d as the hardware has it now: a port taking or letting go of a device rebinds its driver, and
 * the state computed next must not judge the old binding (a VF just given back, still seen on vfio-pci, would
 * show as held outside netpool until the next rescan). Returns the properties that changed. */
static uint32_t reread_binding(Engine *e, InvDevice *d) {
        g_autoptr(HwFunction) f = NULL;
        g_autofree char *now = NULL;
        char **netdevs;
        const char *driver;
        uint32_t changed = 0;
        PciAddr addr;

        if (!d->on_hardware || !d->pci_address[0] || pci_addr_from_string(d->pci_address, &addr) < 0 ||
            hw_function_driver(e->hw, &addr, &now) < 0)
                return 0;
        /* on the Allocate and Release paths: one readlink, and the whole function only when a bind changed it */
        if (streq(now ?: "", d->driver) || hw_lookup_function(e->hw, &addr, &f) < 0)
                return 0;
        driver = g_intern_string(f->driver ?: "");
        netdevs = netdev_names(f);
        changed |= streq(driver, d->driver) ? 0 : HOST_DEVICE_DRIVER;
        changed |= strv_equal((const char *const *) netdevs, (const char *const *) d->netdevs) ? 0 :
                   HOST_DEVICE_NETDEVS;
        text_free(d->hw_holder);
        d->hw_holder = hardware_holder(e, f, d);        /* judged against what d had before */
        d->driver = driver;
        netdevs_free(d->netdevs);
        d->netdevs = netdevs;
        return changed;
}

void engine_inventory_touch(Engine *e, const char *key) {
        InvDevice *d = e->inventory ? g_hash_table_lookup(e->inventory, key) : NULL;
        g_autofree char *was_holder = NULL, *was_port = NULL;
        const char *was_state;
        uint32_t changed = 0;

        if (!d)
                return;
        changed |= reread_binding(e, d);
        was_state = d->state;
        was_holder = g_strdup(d->holder);
        was_port = g_strdup(d->port_uuid);
        compute_state(e, d);
        changed |= streq(was_state, d->state) ? 0 : HOST_DEVICE_STATE;
        changed |= streq(was_holder, d->holder) ? 0 : HOST_DEVICE_HOLDER;
        changed |= streq(was_port, d->port_uuid) ? 0 : HOST_DEVICE_PORT;
        if (changed)
                emit(e, d->id, ENGINE_DEVICE_CHANGED, changed);
}

/* ---- a rescan of some PFs: only their devices are read and compared ---- */

/* The devices a rescan of the PFs pfs (PCI address strings) reads again: theirs, and every one only a pool has
 * (lost, say), whose PF the inventory may not know */
static GPtrArray *scope_ids(Engine *e, GHashTable *pfs) {
        GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, e->inventory);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                const InvDevice *d = value;

                if (!d->on_hardware || g_hash_table_contains(pfs, d->id) ||
                    (d->pf_address[0] && g_hash_table_contains(pfs, d->pf_address)))
                        g_ptr_array_add(ids, g_strdup(d->id));
        }
        return ids;
}

/* The pools' part for the devices in fresh and those of was_ids: their networks, and a device a pool still has
 * that the hardware no longer lists, as its pool knows it (read_pools() for a part of the host) */
static void read_pools_of(Engine *e, GHashTable *fresh, GPtrArray *was_ids) {
        g_autoptr(GPtrArray) nets = engine_list_networks(e);
        g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, fresh);
        while (g_hash_table_iter_next(&it, &key, NULL))
                g_ptr_array_add(keys, g_strdup(key));
        for (guint i = 0; i < was_ids->len; i++)
                if (!g_hash_table_contains(fresh, was_ids->pdata[i]))
                        g_ptr_array_add(keys, g_strdup(was_ids->pdata[i]));
        g_ptr_array_sort(nets, network_name_cmp);
        for (guint i = 0; i < nets->len; i++) {
                Network *n = nets->pdata[i];

                for (guint k = 0; n->active && n->pool && k < keys->len; k++) {
                        const PoolDevice *pd = pool_find_by_key(n->pool, keys->pdata[k]);
                        InvDevice *d;

                        if (!pd)
                                continue;
                        d = g_hash_table_lookup(fresh, keys->pdata[k]);
                        if (!d) {
                                d = device_of_pool(e, pd);
                                g_hash_table_replace(fresh, d->id, d);
                        }
                        add_network(d, network_name(n));
                }
        }
}

/* The devices of was_ids are replaced by fresh's (which is emptied), announcing what came, changed and went. */
static void commit_part(Engine *e, GHashTable *fresh, GPtrArray *was_ids) {
        g_autoptr(GPtrArray) keys = sorted_keys(fresh);

        /* the sorted ids borrow the devices' own: every device replaced takes its id with it */
        if (was_ids->len > 0 || g_hash_table_size(fresh) > 0)
                g_clear_pointer(&e->inventory_ids, g_ptr_array_unref);
        g_ptr_array_sort(was_ids, key_cmp);
        /* a removal is announced while the device can still be read (sd-bus lists its interfaces) */
        for (guint i = 0; i < was_ids->len; i++)
                if (!g_hash_table_contains(fresh, was_ids->pdata[i])) {
                        emit(e, was_ids->pdata[i], ENGINE_DEVICE_REMOVED, 0);
                        g_hash_table_remove(e->inventory, was_ids->pdata[i]);
                }
        for (guint i = 0; i < keys->len; i++) {
                InvDevice *d = g_hash_table_lookup(fresh, keys->pdata[i]);
                const InvDevice *was = g_hash_table_lookup(e->inventory, d->id);
                uint32_t changed = was ? inv_device_diff(was, d) : 0;
                bool added = !was;

                g_hash_table_steal(fresh, d->id);
                g_hash_table_replace(e->inventory, d->id, d);           /* frees was */
                if (added)
                        emit(e, d->id, ENGINE_DEVICE_ADDED, 0);
                else if (changed)
                        emit(e, d->id, ENGINE_DEVICE_CHANGED, changed);
        }
}

void engine_inventory_refresh_pfs(Engine *e, GHashTable *pfs) {
        g_autoptr(GHashTable) fresh = new_table();
        g_autoptr(GPtrArray) was_ids = NULL;
        GHashTableIter it;
        gpointer key, value;

        ensure_table(e);
        was_ids = scope_ids(e, pfs);
        g_hash_table_iter_init(&it, pfs);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
                PciAddr addr;

                if (pci_addr_from_string(key, &addr) >= 0)
                        read_pf(e, fresh, &addr);
        }
        read_pools_of(e, fresh, was_ids);
        g_hash_table_iter_init(&it, fresh);
        while (g_hash_table_iter_next(&it, NULL, &value))
                compute_state(e, value);
        commit_part(e, fresh, was_ids);
}

/* ---- which PF a hot-plug event concerns ---- */

/* What the names of one batch of events resolve to */
typedef struct PfLookup {
        Engine *e;
        GHashTable *netdevs;                    /* netdev name -> InvDevice (borrowed), made when first needed */
        GHashTable *functions;                  /* PCI address -> its PF's, or "" when gone, read from the
                                                 * hardware once */
} PfLookup;

static bool any_listed_pool(Engine *e);

/* The PF of a function as the hardware shows it now: 1 with *ret_pf, 0 when the function is gone, or is no
 * SR-IOV function while no pool lists devices; -1 when such a function may be a listed pool's (only a rescan of
 * everything tells). */
static int pf_of_function(PfLookup *l, const PciAddr *addr, char **ret_pf) {
        g_autoptr(HwFunction) f = NULL;
        char bdf[PCI_ADDR_STR_MAX];
        const char *known = g_hash_table_lookup(l->functions, pci_addr_to_string(addr, bdf));

        if (!known) {
                if (hw_lookup_topology(l->e->hw, addr, &f) < 0)
                        known = "";
                else if (!f->is_vf && !f->is_pf && any_listed_pool(l->e))
                        return -1;
                else if (!f->is_vf && !f->is_pf)
                        known = "";
                else
                        known = pci_addr_to_string(f->is_vf ? &f->physfn : &f->addr, bdf);
                g_hash_table_replace(l->functions, g_strdup(pci_addr_to_string(addr, bdf)), g_strdup(known));
                known = g_hash_table_lookup(l->functions, bdf);
        }
        if (!known[0])
                return 0;
        *ret_pf = g_strdup(known);
        return 1;
}

/* The PF of a device of the inventory: -1 for one that is neither a PF nor a VF of a known PF. */
static int pf_of_device(const InvDevice *d, char **ret_pf) {
        if (d->pf_address[0] || d->is_pf) {
                *ret_pf = g_strdup(d->pf_address[0] ? d->pf_address : d->id);
                return 1;
        }
        return -1;
}

/* Whether an active network lists its devices (by netdev or address) rather than taking a PF's VFs: one that
 * missed at Start may come with any netdev. */
static bool any_listed_pool(Engine *e) {
        g_autoptr(GPtrArray) nets = engine_list_networks(e);

        for (guint i = 0; i < nets->len; i++) {
                const Network *n = nets->pdata[i];

                if (n->active && n->pool && n->def->devs->len > 0 && !n->def->pool_expanded)
                        return true;
        }
        return false;
}

static GHashTable *netdev_index(Engine *e) {
        GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, e->inventory);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                const InvDevice *d = value;

                for (size_t i = 0; d->netdevs[i]; i++)
                        g_hash_table_insert(index, d->netdevs[i], value);
        }
        return index;
}

/* The PF a changed netdev belongs to (as pf_of_function()); a netdev of no PCI function, or gone, that the
 * inventory does not know changes nothing in it unless a listed pool may want it. */
static int pf_of_netdev(PfLookup *l, const char *name, char **ret_pf) {
        const InvDevice *d;
        PciAddr addr;
        int r;

        if (!l->netdevs)
                l->netdevs = netdev_index(l->e);
        d = g_hash_table_lookup(l->netdevs, name);
        if (d)
                return pf_of_device(d, ret_pf);
        r = hw_netdev_pci_address(l->e->hw, name, &addr);
        if (r < 0)
                return 0;
        if (r > 0)
                return pf_of_function(l, &addr, ret_pf);
        return any_listed_pool(l->e) ? -1 : 0;
}

/**
 * engine_inventory_pfs_of() - the SR-IOV PFs that hot-plug events concern, by the names the events carry (PCI
 * addresses of functions, netdev names)
 *
 * Returns: true with the PFs' PCI addresses added to pfs (none when the events change nothing of netpool's),
 * false when a rescan of everything is needed (a function that is no SR-IOV function, a netdev of one).
 */
bool engine_inventory_pfs_of(Engine *e, GHashTable *names, GHashTable *pfs) {
        PfLookup l = { .e = e, .functions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free) };
        bool known = true;
        GHashTableIter it;
        gpointer key;

        ensure_table(e);
        g_hash_table_iter_init(&it, names);
        while (known && g_hash_table_iter_next(&it, &key, NULL)) {
                g_autofree char *pf = NULL;
                const InvDevice *d = g_hash_table_lookup(e->inventory, key);
                PciAddr addr;
                int r;

                if (d)
                        r = pf_of_device(d, &pf);
                else if (pci_addr_from_string(key, &addr) >= 0)
                        r = pf_of_function(&l, &addr, &pf);
                else
                        r = pf_of_netdev(&l, key, &pf);
                known = r >= 0;
                if (!known)
                        log_debug("device %s changed, no SR-IOV function netpool knows: rescanning everything",
                                  (const char *) key);
                if (r > 0)
                        g_hash_table_add(pfs, g_steal_pointer(&pf));
        }
        g_clear_pointer(&l.netdevs, g_hash_table_unref);
        g_hash_table_unref(l.functions);
        return known;
}

void engine_inventory_free(Engine *e) {
        g_clear_pointer(&e->inventory_ids, g_ptr_array_unref);
        g_clear_pointer(&e->inventory, g_hash_table_unref);
}

/* ---- engine.h ---- */

void engine_set_device_observer(Engine *e, EngineDeviceObserver observer, void *userdata) {
        e->device_observer = observer;
        e->device_observer_data = userdata;
}

int engine_host_device(Engine *e, const char *id, HostDeviceInfo *ret) {
        const InvDevice *d = e->inventory ? g_hash_table_lookup(e->inventory, id) : NULL;

        if (!d)
                return -ENOENT;
        *ret = (HostDeviceInfo) {
                .id = d->id, .pci_address = d->pci_address, .pf = d->pf, .pf_address = d->pf_address,
                .vf_index = d->vf_index, .vendor = d->vendor, .product = d->product, .driver = d->driver,
                .netdevs = (const char *const *) d->netdevs, .numa_node = d->numa_node,
                .iommu_group = d->iommu_group, .pcie_root = d->pcie_root, .link_type = d->link_type,
                .eswitch_mode = d->eswitch_mode, .state = d->state, .holder = d->holder,
                .port_uuid = d->port_uuid, .networks = d->networks,
        };
        return 0;
}

static gint id_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *engine_host_device_ids(Engine *e) {
        GHashTableIter it;
        gpointer key;

        ensure_table(e);
        if (!e->inventory_ids) {
                e->inventory_ids = g_ptr_array_sized_new(g_hash_table_size(e->inventory));
                g_hash_table_iter_init(&it, e->inventory);
                while (g_hash_table_iter_next(&it, &key, NULL))
                        g_ptr_array_add(e->inventory_ids, key);
                g_ptr_array_sort(e->inventory_ids, id_cmp);
        }
        return g_ptr_array_ref(e->inventory_ids);
}

int engine_device_settings(Engine *e, const char *id, DeviceSettings *ret) {
        const InvDevice *d = e->inventory ? g_hash_table_lookup(e->inventory, id) : NULL;
        g_autoptr(HwNetdev) nd = NULL;
        int r;

        if (!d)
                return -ENOENT;
        *ret = (DeviceSettings) {};
        if (d->vf_index >= 0 && d->pf[0]) {
                r = hw_vf_get(e->hw, d->pf, (unsigned) d->vf_index, &ret->vf);
                if (r < 0)
                        return r;
                ret->has_vf = true;
        }
        if (d->netdevs[0] && hw_lookup_netdev(e->hw, d->netdevs[0], &nd, NULL) >= 0)
                ret->mtu = nd->mtu;
        return 0;
}

/* ---- across restarts ---- */

char *engine_inventory_record(Engine *e) {
        g_autoptr(GPtrArray) ids = engine_host_device_ids(e);
        GString *out = g_string_new("# netpoold's devices at its last change: what the next start compares\n");

        for (guint i = 0; i < ids->len; i++) {
                const InvDevice *d = g_hash_table_lookup(e->inventory, ids->pdata[i]);
                g_autofree char *netdevs = g_strjoinv(",", d->netdevs);

                g_string_append_printf(out, "%s\t%s\t%s\t%s\t%s\t%s\n", d->id, d->state, d->driver, d->port_uuid,
                                       netdevs, d->holder);
        }
        return g_string_free(out, FALSE);
}

/* One line of a record as an InvDevice with the fields the record keeps; NULL when it does not parse. */
static InvDevice *parse_record_line(const char *line) {
        g_auto(GStrv) f = g_strsplit(line, "\t", 7);
        g_auto(GStrv) netdevs = NULL;
        InvDevice *d;

        if (g_strv_length(f) != 6 || !f[0][0] || strchr(f[0], '\n'))
                return NULL;
        d = inv_device_new(f[0]);
        d->state = g_intern_string(f[1]);
        d->driver = g_intern_string(f[2]);
        text_set(&d->port_uuid, f[3]);
        netdevs = f[4][0] ? g_strsplit(f[4], ",", -1) : NULL;
        if (netdevs)
                d->netdevs = netdevs_pack((const char *const *) netdevs);
        text_set(&d->holder, f[5]);
        return d;
}

static uint32_t record_diff(const InvDevice *was, const InvDevice *now) {
        uint32_t m = 0;

        m |= streq(was->state, now->state) ? 0 : HOST_DEVICE_STATE;
        m |= streq(was->driver, now->driver) ? 0 : HOST_DEVICE_DRIVER;
        m |= streq(was->port_uuid, now->port_uuid) ? 0 : HOST_DEVICE_PORT;
        m |= strv_equal((const char *const *) was->netdevs, (const char *const *) now->netdevs) ? 0 :
             HOST_DEVICE_NETDEVS;
        m |= streq(was->holder, now->holder) ? 0 : HOST_DEVICE_HOLDER;
        return m;
}

void engine_inventory_announce_since(Engine *e, const char *record) {
        g_autoptr(GHashTable) was = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, inv_device_free);
        g_auto(GStrv) lines = g_strsplit(record, "\n", -1);
        GHashTableIter it;
        gpointer key, value;

        for (size_t i = 0; lines[i]; i++) {
                InvDevice *d = lines[i][0] == '#' ? NULL : parse_record_line(lines[i]);

                if (d)
                        g_hash_table_replace(was, d->id, d);
        }
        ensure_table(e);
        g_hash_table_iter_init(&it, e->inventory);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                const InvDevice *old = g_hash_table_lookup(was, key);
                uint32_t changed;

                if (!old) {
                        emit(e, key, ENGINE_DEVICE_ADDED, 0);
                        continue;
                }
                changed = record_diff(old, value);
                if (changed)
                        emit(e, key, ENGINE_DEVICE_CHANGED, changed);
        }
        g_hash_table_iter_init(&it, was);
        while (g_hash_table_iter_next(&it, &key, NULL))
                if (!g_hash_table_contains(e->inventory, key))
                        emit(e, key, ENGINE_DEVICE_GONE, 0);
        g_hash_table_iter_init(&it, e->ports);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                Port *port = value;

                if (port->health != PORT_HEALTH_OK)
                        engine_emit(e, engine_port_network(e, port), port, ENGINE_EVENT_PORT_HEALTH);
        }
}

const char *engine_inventory_hw_holder(Engine *e, const char *key) {
        const InvDevice *d = e->inventory ? g_hash_table_lookup(e->inventory, key) : NULL;

        return d && d->hw_holder[0] ? d->hw_holder : NULL;
}

int engine_inventory_numa_node(Engine *e, const char *key) {
        const InvDevice *d = e->inventory ? g_hash_table_lookup(e->inventory, key) : NULL;

        return d ? d->numa_node : -1;
}
