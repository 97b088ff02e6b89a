/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device pool: the devices of an active network, with their state and connection counts */
#include <errno.h>
#include <stdlib.h>

#include <libxml/tree.h>

#include "core/names.h"
#include "core/pool.h"
#include "core/xml-util.h"
#include "shared/macro.h"

static const char *const device_state_table[_DEVICE_STATE_MAX] = {
        [DEVICE_STATE_FREE] = "free",
        [DEVICE_STATE_IN_USE] = "in-use",
        [DEVICE_STATE_UNAVAILABLE] = "unavailable",
        [DEVICE_STATE_LOST] = "lost",
        [DEVICE_STATE_RESTORE_FAILED] = "restore-failed",
        [DEVICE_STATE_QUARANTINED] = "quarantined",
};

const char *device_state_to_string(DeviceState s) {
        if (s < 0 || s >= _DEVICE_STATE_MAX)
                return NULL;
        return device_state_table[s];
}

static DeviceState device_state_from_string(const char *s) {
        for (int i = 0; i < _DEVICE_STATE_MAX; i++)
                if (streq_ptr(s, device_state_table[i]))
                        return i;
        return _DEVICE_STATE_INVALID;
}

PoolDevice *pool_device_new(ForwardDevType type, const char *id) {
        PoolDevice *d = g_malloc0(sizeof(PoolDevice) + strlen(id) + 1);

        d->type = type;
        strcpy(d->id, id);
        d->vf_index = -1;
        d->numa_node = -1;
        d->state = DEVICE_STATE_FREE;
        return d;
}

PoolDevice *pool_device_copy(const PoolDevice *d) {
        PoolDevice *c = pool_device_new(d->type, d->id);

        c->netdev = g_strdup(d->netdev);
        pool_device_set_pci_address(c, d->pci_address);
        c->pf_netdev = d->pf_netdev;
        c->vf_index = d->vf_index;
        c->numa_node = d->numa_node;
        return c;
}

PoolDevice *pool_device_free(PoolDevice *d) {
        if (!d)
                return NULL;
        g_free(d->netdev);
        if (d->pci_address != d->id)
                g_free(d->pci_address);
        g_free(d->port_uuid);
        g_free(d);
        return NULL;
}

void pool_device_set_pci_address(PoolDevice *d, const char *address) {
        if (d->pci_address != d->id)
                g_free(d->pci_address);
        d->pci_address = address && streq(address, d->id) ? d->id : g_strdup(address);
}

static void pool_device_destroy(gpointer p) {
        pool_device_free(p);
}

static gint pool_device_cmp_pick(gconstpointer a, gconstpointer b, gpointer unused) {
        const PoolDevice *x = a, *y = b;

        if (x->connections != y->connections)
                return x->connections < y->connections ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

Pool *pool_new(bool exclusive) {
        Pool *p = g_new0(Pool, 1);

        p->devices = g_ptr_array_new_with_free_func(pool_device_destroy);
        p->by_id = g_hash_table_new(g_str_hash, g_str_equal);
        p->by_key = g_hash_table_new(g_str_hash, g_str_equal);
        p->takeable_by_node = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                    (GDestroyNotify) g_tree_destroy);
        p->exclusive = exclusive;
        return p;
}

Pool *pool_free(Pool *p) {
        if (!p)
                return NULL;
        g_hash_table_unref(p->takeable_by_node);
        g_hash_table_unref(p->by_id);
        g_hash_table_unref(p->by_key);
        g_ptr_array_unref(p->devices);
        g_free(p);
        return NULL;
}

static bool pool_device_can_take_port(const Pool *p, const PoolDevice *d) {
        if (d->held_elsewhere)
                return false;
        if (d->state == DEVICE_STATE_FREE)
                return true;
        return !p->exclusive && d->state == DEVICE_STATE_IN_USE;
}

/* The node's tree, keyed node + 1 (NULL is no key for a direct hash); made on first use. */
static GTree *node_tree(Pool *p, int node, bool create) {
        GTree *t = g_hash_table_lookup(p->takeable_by_node, GINT_TO_POINTER(node + 1));

        if (!t && create) {
                t = g_tree_new_full(pool_device_cmp_pick, NULL, NULL, NULL);
                g_hash_table_insert(p->takeable_by_node, GINT_TO_POINTER(node + 1), t);
        }
        return t;
}

static void takeable_remove(Pool *p, PoolDevice *d) {
        GTree *t = node_tree(p, d->numa_node, false);

        if (t)
                g_tree_remove(t, d);
}

/* Into the pick trees when it can take another port. */
static void takeable_insert(Pool *p, PoolDevice *d) {
        if (!pool_device_can_take_port(p, d))
                return;
        g_tree_insert(node_tree(p, d->numa_node, true), d, d);
}

void pool_device_set_numa_node(Pool *p, PoolDevice *d, int node) {
        if (d->numa_node == node)
                return;
        takeable_remove(p, d);
        d->numa_node = node;
        takeable_insert(p, d);
}

PoolDevice *pool_pick_on_node(const Pool *p, int node, bool (*accept)(const PoolDevice *d, void *data),
                              void *data) {
        GTree *t = g_hash_table_lookup(p->takeable_by_node, GINT_TO_POINTER(node + 1));

        for (GTreeNode *n = t ? g_tree_node_first(t) : NULL; n; n = g_tree_node_next(n)) {
                PoolDevice *d = g_tree_node_key(n);

                if (!accept || accept(d, data))
                        return d;
        }
        return NULL;
}

/* Whether a device's key (pool_device_key()) is its id: a VF of a hostdev pool, listed by PCI address. */
static bool key_is_id(const PoolDevice *d) {
        return streq(pool_device_key(d), d->id);
}

int pool_add(Pool *p, PoolDevice *d) {
        if (g_hash_table_contains(p->by_id, d->id)) {
                pool_device_free(d);
                return -EEXIST;
        }
        d->index = p->next_index++;
        p->connections += d->connections;
        g_ptr_array_add(p->devices, d);
        g_hash_table_insert(p->by_id, d->id, d);
        if (!key_is_id(d))      /* by_id finds the rest: a hash slot less per VF of a large pool */
                g_hash_table_insert(p->by_key, (char *) pool_device_key(d), d);
        p->held_elsewhere += d->held_elsewhere;
        takeable_insert(p, d);
        return 0;
}

/* The node trees' walks in pick order, merged: one cursor per NUMA node (a handful), the least taken next. */
typedef struct PickWalk {
        GTreeNode **at;         /* each tree's next node, NULL when walked */
        guint n;
} PickWalk;

static void pick_walk_init(const Pool *p, PickWalk *w) {
        GHashTableIter it;
        gpointer tree;

        w->n = 0;
        w->at = g_new(GTreeNode *, g_hash_table_size(p->takeable_by_node) + 1);
        g_hash_table_iter_init(&it, p->takeable_by_node);
        while (g_hash_table_iter_next(&it, NULL, &tree))
                w->at[w->n++] = g_tree_node_first(tree);
}

static PoolDevice *pick_walk_next(PickWalk *w) {
        GTreeNode **least = NULL;
        PoolDevice *d;

        for (guint i = 0; i < w->n; i++)
                if (w->at[i] && (!least || pool_device_cmp_pick(g_tree_node_key(w->at[i]),
                                                                g_tree_node_key(*least), NULL) < 0))
                        least = &w->at[i];
        if (!least)
                return NULL;
        d = g_tree_node_key(*least);
        *least = g_tree_node_next(*least);
        return d;
}

PoolDevice *pool_pick(const Pool *p) {
        return pool_pick_where(p, NULL, NULL);
}

/* Every takeable device is in its node's tree only (not also in a tree of all): 32,768 tree nodes less in a
 * pool of as many VFs. */
PoolDevice *pool_pick_where(const Pool *p, bool (*accept)(const PoolDevice *d, void *data), void *data) {
        PickWalk w;
        PoolDevice *d;

        pick_walk_init(p, &w);
        while ((d = pick_walk_next(&w)) && accept && !accept(d, data))
                ;
        g_free(w.at);
        return d;
}

/* Every change of what orders or admits a device goes through here: out of the tree, change, back in. */
static void pool_device_update(Pool *p, PoolDevice *d, int delta, DeviceState state) {
        takeable_remove(p, d);
        p->connections -= d->connections;
        if (delta < 0 && (unsigned) -delta > d->connections)
                d->connections = 0;
        else
                d->connections += delta;
        p->connections += d->connections;
        d->state = state;
        if (d->state == DEVICE_STATE_IN_USE && d->connections == 0)
                d->state = DEVICE_STATE_FREE;
        else if (d->state == DEVICE_STATE_FREE && d->connections > 0)
                d->state = DEVICE_STATE_IN_USE;
        takeable_insert(p, d);
}

void pool_device_connect(Pool *p, PoolDevice *d, int delta) {
        pool_device_update(p, d, delta, d->state);
}

void pool_device_set_state(Pool *p, PoolDevice *d, DeviceState state) {
        pool_device_update(p, d, 0, state);
}

void pool_device_set_held_elsewhere(Pool *p, PoolDevice *d, bool held) {
        if (d->held_elsewhere == held)
                return;
        takeable_remove(p, d);
        d->held_elsewhere = held;
        if (held)
                p->held_elsewhere++;
        else
                p->held_elsewhere--;
        takeable_insert(p, d);
}

DeviceState pool_device_shown_state(const PoolDevice *d) {
        if (d->state == DEVICE_STATE_FREE && (d->connections > 0 || d->held_elsewhere))
                return DEVICE_STATE_IN_USE;
        return d->state;
}

int pool_remove(Pool *p, const char *id) {
        PoolDevice *d = g_hash_table_lookup(p->by_id, id);

        if (!d)
                return -ENOENT;
        takeable_remove(p, d);
        p->connections -= d->connections;
        p->held_elsewhere -= d->held_elsewhere;
        if (!key_is_id(d) && g_hash_table_lookup(p->by_key, pool_device_key(d)) == d)
                g_hash_table_remove(p->by_key, pool_device_key(d));
        g_hash_table_remove(p->by_id, id);
        g_ptr_array_remove(p->devices, d);     /* frees d */
        return 0;
}

PoolDevice *pool_find(const Pool *p, const char *id) {
        return g_hash_table_lookup(p->by_id, id);
}

const char *pool_device_key(const PoolDevice *d) {
        return d->pci_address ?: d->netdev ?: d->id;
}

PoolDevice *pool_find_by_key(const Pool *p, const char *key) {
        PoolDevice *d = g_hash_table_lookup(p->by_key, key);

        if (d)
                return d;
        d = g_hash_table_lookup(p->by_id, key);
        return d && key_is_id(d) ? d : NULL;
}

unsigned pool_capacity(const Pool *p) {
        return p->devices->len;
}

unsigned pool_available(const Pool *p) {
        GHashTableIter it;
        gpointer tree;
        unsigned n = 0;

        g_hash_table_iter_init(&it, p->takeable_by_node);
        while (g_hash_table_iter_next(&it, NULL, &tree))
                n += (unsigned) g_tree_nnodes(tree);
        return n;
}

unsigned pool_held_elsewhere(const Pool *p) {
        return p->held_elsewhere;
}

unsigned pool_connections(const Pool *p) {
        return p->connections;
}

void pool_to_forward_devs(const Pool *p, NetDef *def) {
        g_array_set_size(def->devs, 0);
        for (guint i = 0; i < p->devices->len; i++) {
                const PoolDevice *d = p->devices->pdata[i];
                ForwardDev fd = { .type = d->type, .connections = d->connections };

                if (d->type == FORWARD_DEV_PCI) {
                        if (pci_addr_from_string(d->pci_address, &fd.pci) < 0)
                                continue;
                } else
                        fd.netdev = g_strdup(d->netdev);
                g_array_append_val(def->devs, fd);
        }
        def->pool_expanded = def->pfs->len > 0;
        def->connections = pool_connections(p);
}

void pool_format_xml(const Pool *p, GString *out, unsigned indent) {
        g_string_append_printf(out, "%*s<pool>\n", (int) indent, "");
        for (guint i = 0; i < p->devices->len; i++) {
                const PoolDevice *d = p->devices->pdata[i];

                g_string_append_printf(out, "%*s<device", (int) indent + 2, "");
                xml_append_attr(out, "id", d->id);
                xml_append_attr(out, "type", d->type == FORWARD_DEV_PCI ? "pci" : "netdev");
                xml_append_attr(out, "netdev", d->netdev);
                xml_append_attr(out, "pci", d->pci_address);
                xml_append_attr(out, "pf", d->pf_netdev);
                if (d->vf_index >= 0)
                        g_string_append_printf(out, " vf='%d'", d->vf_index);
                if (d->numa_node >= 0)
                        g_string_append_printf(out, " numa='%d'", d->numa_node);
                /* in-use and free follow from the port records; only the hardware verdicts are kept */
                if (d->state == DEVICE_STATE_UNAVAILABLE || d->state == DEVICE_STATE_LOST ||
                    d->state == DEVICE_STATE_RESTORE_FAILED || d->state == DEVICE_STATE_QUARANTINED)
                        xml_append_attr(out, "state", device_state_to_string(d->state));
                g_string_append(out, "/>\n");
        }
        g_string_append_printf(out, "%*s</pool>\n", (int) indent, "");
}

static char *prop_dup(xmlNode *n, const char *name) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        char *s = v ? g_strdup((const char *) v) : NULL;

        xmlFree(v);
        return s;
}

/* A device's id is what it stands for: its netdev, or its PCI address written the one way (a record whose id
 * says another thing would let two devices stand for one address) */
static bool pool_device_id_matches(const PoolDevice *d, const PciAddr *addr) {
        char bdf[PCI_ADDR_STR_MAX];

        if (d->type == FORWARD_DEV_PCI)
                return streq(pci_addr_to_string(addr, bdf), d->id);
        return streq(d->netdev, d->id);
}

/* A VF index (or a NUMA node): decimal, 0 – 65535 (an SR-IOV capability's range), nothing else */
static int parse_vf_index(const char *s, int *ret) {
        guint64 v;

        if (!g_ascii_string_to_unsigned(s, 10, 0, 0xffff, &v, NULL))
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

static int pool_device_parse_xml(xmlNode *n, PoolDevice **ret, char **ret_msg) {
        g_autofree char *id = prop_dup(n, "id"), *type = prop_dup(n, "type"), *vf = prop_dup(n, "vf");
        g_autofree char *state = prop_dup(n, "state"), *numa = prop_dup(n, "numa");
        g_autofree char *pci = prop_dup(n, "pci"), *pf = prop_dup(n, "pf");
        g_autoptr(PoolDevice) d = NULL;
        PciAddr addr;

        if (!id || !type) {
                *ret_msg = g_strdup_printf("line %d: <device> needs id and type", n->line);
                return -EINVAL;
        }
        d = pool_device_new(streq(type, "pci") ? FORWARD_DEV_PCI : FORWARD_DEV_NETDEV, id);
        d->netdev = prop_dup(n, "netdev");
        pool_device_set_pci_address(d, pci);
        d->pf_netdev = pf ? g_intern_string(pf) : NULL;
        d->vf_index = -1;
        if (state)
                d->state = device_state_from_string(state);
        if (d->state < 0 || (d->netdev && !netdev_name_is_valid(d->netdev)) ||
            (d->pf_netdev && !netdev_name_is_valid(d->pf_netdev)) ||
            (d->pci_address && pci_addr_from_string(d->pci_address, &addr) < 0) ||
            (d->type == FORWARD_DEV_PCI && !d->pci_address) || (d->type == FORWARD_DEV_NETDEV && !d->netdev) ||
            !pool_device_id_matches(d, &addr) || (vf && parse_vf_index(vf, &d->vf_index) < 0) ||
            (numa && parse_vf_index(numa, &d->numa_node) < 0)) {
                *ret_msg = g_strdup_printf("line %d: <device id='%s'>: invalid record", n->line, id);
                return -EINVAL;
        }
        *ret = g_steal_pointer(&d);
        return 0;
}

int pool_parse_xml(xmlNode *node, bool exclusive, Pool **ret, char **ret_msg) {
        g_autoptr(Pool) p = pool_new(exclusive);

        for (xmlNode *n = node->children; n; n = n->next) {
                PoolDevice *d = NULL;
                int r;

                if (n->type != XML_ELEMENT_NODE)
                        continue;
                if (!streq((const char *) n->name, "device")) {
                        *ret_msg = g_strdup_printf("line %d: unexpected <%s> in <pool>", n->line, n->name);
                        return -EINVAL;
                }
                r = pool_device_parse_xml(n, &d, ret_msg);
                if (r < 0)
                        return r;
                r = pool_add(p, d);
                if (r < 0) {
                        *ret_msg = g_strdup_printf("line %d: device listed twice", n->line);
                        return -EINVAL;
                }
        }
        *ret = g_steal_pointer(&p);
        return 0;
}
