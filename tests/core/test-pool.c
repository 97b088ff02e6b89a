/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of pool expansion (which devices a <pf> stands for) and of pool records */
#include <glib.h>
#include <libxml/parser.h>

#include "core/pool-expand.h"
#include "core/pool.h"

static HwNetdev *netdev(const char *name, int dev_port, const char *port_id) {
        HwNetdev *n = hw_netdev_new();

        n->name = g_strdup(name);
        n->dev_port = dev_port;
        n->phys_port_id = g_strdup(port_id);
        return n;
}

static void function_destroy(gpointer f) {
        hw_function_free(f);
}

static HwFunction *function(const char *addr) {
        HwFunction *f = hw_function_new();

        g_assert_cmpint(pci_addr_from_string(addr, &f->addr), ==, 0);
        f->vf_index = -1;
        return f;
}

static HwFunction *vf(const char *addr, int index) {
        HwFunction *f = function(addr);

        f->is_vf = true;
        f->vf_index = index;
        return f;
}

/* A single-port PF eth0 with n VFs, each with netdev eth0vN unless listed in no_netdev. */
static GPtrArray *single_port_vfs(HwFunction *pf, unsigned n, int no_netdev) {
        GPtrArray *vfs = g_ptr_array_new_with_free_func(function_destroy);

        pf->is_pf = true;
        g_ptr_array_add(pf->netdevs, netdev("eth0", 0, NULL));
        for (unsigned i = 0; i < n; i++) {
                g_autofree char *addr = g_strdup_printf("0000:03:02.%u", i);
                g_autofree char *name = g_strdup_printf("eth0v%u", i);
                HwFunction *f = vf(addr, (int) i);

                if ((int) i != no_netdev)
                        g_ptr_array_add(f->netdevs, netdev(name, 0, NULL));
                g_ptr_array_add(vfs, f);
        }
        return vfs;
}

/* ConnectX-3-like: PF with ens1 (port id "aa") and ens1d1 ("bb"); VF 0 on port 1, VF 1 on port 2, VF 2 on
 * both ports, VF 3 without netdev. */
static GPtrArray *dual_port_vfs(HwFunction *pf) {
        GPtrArray *vfs = g_ptr_array_new_with_free_func(function_destroy);
        HwFunction *f;

        pf->is_pf = true;
        g_ptr_array_add(pf->netdevs, netdev("ens1", 0, "aa"));
        g_ptr_array_add(pf->netdevs, netdev("ens1d1", 1, "bb"));
        f = vf("0000:05:00.1", 0);
        g_ptr_array_add(f->netdevs, netdev("ens1v0", 0, "aa"));
        g_ptr_array_add(vfs, f);
        f = vf("0000:05:00.2", 1);
        g_ptr_array_add(f->netdevs, netdev("ens1d1v1", 0, "bb"));
        g_ptr_array_add(vfs, f);
        f = vf("0000:05:00.3", 2);
        g_ptr_array_add(f->netdevs, netdev("ens1v2", 0, "aa"));
        g_ptr_array_add(f->netdevs, netdev("ens1d1v2", 1, "bb"));
        g_ptr_array_add(vfs, f);
        g_ptr_array_add(vfs, vf("0000:05:00.4", 3));
        return vfs;
}

static char *pool_ids(const Pool *p) {
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < p->devices->len; i++) {
                const PoolDevice *d = p->devices->pdata[i];

                g_string_append_printf(s, "%s%s", i ? " " : "", d->id);
        }
        return g_string_free(s, FALSE);
}

static void test_netdev_mode_takes_vf_netdevs(void) {
        g_autoptr(HwFunction) pf = function("0000:03:00.0");
        g_autoptr(GPtrArray) vfs = single_port_vfs(pf, 4, 2);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Pool) p = pool_new(true);
        g_autofree char *ids = NULL;
        const PoolDevice *d;

        g_assert_cmpint(pool_expand_pf(p, FORWARD_MODE_PASSTHROUGH, pf->netdevs->pdata[0], pf, vfs, notes), ==, 3);
        ids = pool_ids(p);
        g_assert_cmpstr(ids, ==, "eth0v0 eth0v1 eth0v3");
        /* the VF without a netdev is skipped, and a note says why */
        g_assert_cmpuint(notes->len, ==, 1);
        g_assert_nonnull(strstr(notes->pdata[0], "VF 2"));
        g_assert_nonnull(strstr(notes->pdata[0], "no host netdev"));
        d = pool_find(p, "eth0v3");
        g_assert_cmpstr(d->pf_netdev, ==, "eth0");
        g_assert_cmpint(d->vf_index, ==, 3);
        g_assert_cmpstr(d->pci_address, ==, "0000:03:02.3");
        g_assert_cmpint(d->type, ==, FORWARD_DEV_NETDEV);
}

static void test_pci_mode_takes_addresses(void) {
        g_autoptr(HwFunction) pf = function("0000:03:00.0");
        g_autoptr(GPtrArray) vfs = single_port_vfs(pf, 4, 2);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Pool) p = pool_new(true);
        g_autofree char *ids = NULL;

        g_assert_cmpint(pool_expand_pf(p, FORWARD_MODE_HOSTDEV, pf->netdevs->pdata[0], pf, vfs, notes), ==, 4);
        ids = pool_ids(p);
        g_assert_cmpstr(ids, ==, "0000:03:02.0 0000:03:02.1 0000:03:02.2 0000:03:02.3");
        g_assert_cmpuint(notes->len, ==, 0);
        g_assert_null(pool_find(p, "0000:03:02.2")->netdev);
        g_assert_cmpstr(pool_find(p, "0000:03:02.1")->netdev, ==, "eth0v1");
}

static void test_dual_port_port1(void) {
        g_autoptr(HwFunction) pf = function("0000:05:00.0");
        g_autoptr(GPtrArray) vfs = dual_port_vfs(pf);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Pool) p = pool_new(true);
        g_autofree char *ids = NULL;

        g_assert_cmpint(pool_expand_pf(p, FORWARD_MODE_HOSTDEV, pf->netdevs->pdata[0], pf, vfs, notes), ==, 3);
        ids = pool_ids(p);
        /* VF 1 is on port 2; VF 2 is on both; VF 3's port cannot be told and is kept */
        g_assert_cmpstr(ids, ==, "0000:05:00.1 0000:05:00.3 0000:05:00.4");
        g_assert_cmpuint(notes->len, ==, 1);
        g_assert_nonnull(strstr(notes->pdata[0], "VF 3"));
        g_assert_nonnull(strstr(notes->pdata[0], "cannot be told"));
        g_assert_cmpstr(pool_find(p, "0000:05:00.3")->pf_netdev, ==, "ens1");
}

static void test_dual_port_port2_netdevs(void) {
        g_autoptr(HwFunction) pf = function("0000:05:00.0");
        g_autoptr(GPtrArray) vfs = dual_port_vfs(pf);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Pool) p = pool_new(true);
        g_autofree char *ids = NULL;

        g_assert_cmpint(pool_expand_pf(p, FORWARD_MODE_PASSTHROUGH, pf->netdevs->pdata[1], pf, vfs, notes), ==, 2);
        ids = pool_ids(p);
        /* port 2 takes each VF's port-2 netdev, and has no netdev to offer for VF 3 */
        g_assert_cmpstr(ids, ==, "ens1d1v1 ens1d1v2");
        g_assert_cmpstr(pool_find(p, "ens1d1v2")->pf_netdev, ==, "ens1d1");
        g_assert_cmpuint(notes->len, ==, 2);
}

static void test_both_ports_count_a_vf_once(void) {
        g_autoptr(HwFunction) pf = function("0000:05:00.0");
        g_autoptr(GPtrArray) vfs = dual_port_vfs(pf);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Pool) p = pool_new(true);

        g_assert_cmpint(pool_expand_pf(p, FORWARD_MODE_HOSTDEV, pf->netdevs->pdata[0], pf, vfs, notes), ==, 3);
        g_assert_cmpint(pool_expand_pf(p, FORWARD_MODE_HOSTDEV, pf->netdevs->pdata[1], pf, vfs, notes), ==, 1);
        g_assert_cmpuint(pool_capacity(p), ==, 4);
}

static void test_pf_netdev_for_vf(void) {
        g_autoptr(HwFunction) pf = function("0000:05:00.0");
        g_autoptr(GPtrArray) vfs = dual_port_vfs(pf);
        const HwFunction *vf1 = vfs->pdata[1];

        g_assert_cmpstr(pool_pf_netdev_for_vf(pf, vf1->netdevs->pdata[0])->name, ==, "ens1d1");
        g_assert_cmpstr(pool_pf_netdev_for_vf(pf, NULL)->name, ==, "ens1");
}

static void test_counts(void) {
        g_autoptr(Pool) exclusive = pool_new(true), shared = pool_new(false);
        const char *ids[] = { "a", "b", "c" };

        for (unsigned i = 0; i < G_N_ELEMENTS(ids); i++) {
                PoolDevice *d = pool_device_new(FORWARD_DEV_NETDEV, ids[i]);

                d->netdev = g_strdup(ids[i]);
                g_assert_cmpint(pool_add(exclusive, d), ==, 0);
                d = pool_device_new(FORWARD_DEV_NETDEV, ids[i]);
                d->netdev = g_strdup(ids[i]);
                g_assert_cmpint(pool_add(shared, d), ==, 0);
        }
        g_assert_cmpint(pool_add(exclusive, pool_device_new(FORWARD_DEV_NETDEV, "a")), ==, -EEXIST);
        pool_device_connect(exclusive, pool_find(exclusive, "a"), 1);
        pool_device_set_state(exclusive, pool_find(exclusive, "b"), DEVICE_STATE_UNAVAILABLE);
        pool_device_connect(shared, pool_find(shared, "a"), 2);
        g_assert_cmpint(pool_device_shown_state(pool_find(shared, "a")), ==, DEVICE_STATE_IN_USE);
        g_assert_cmpuint(pool_capacity(exclusive), ==, 3);
        g_assert_cmpuint(pool_available(exclusive), ==, 1);   /* in use and unavailable devices take no port */
        g_assert_cmpuint(pool_available(shared), ==, 3);      /* a shared device in use takes more */
        g_assert_cmpuint(pool_connections(shared), ==, 2);
        g_assert_cmpint(pool_remove(shared, "b"), ==, 0);
        g_assert_cmpint(pool_remove(shared, "b"), ==, -ENOENT);
        g_assert_null(pool_find(shared, "b"));
}

static Pool *pool_of(bool exclusive, unsigned n) {
        Pool *p = pool_new(exclusive);

        for (unsigned i = 0; i < n; i++) {
                g_autofree char *id = g_strdup_printf("vf%u", i);
                PoolDevice *d = pool_device_new(FORWARD_DEV_NETDEV, id);

                d->netdev = g_strdup(id);
                g_assert_cmpint(pool_add(p, d), ==, 0);
        }
        return p;
}

static void test_pick_exclusive(void) {
        g_autoptr(Pool) p = pool_of(true, 3);

        g_assert_cmpstr(pool_pick(p)->id, ==, "vf0");
        pool_device_connect(p, pool_pick(p), 1);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf1");
        pool_device_set_state(p, pool_find(p, "vf1"), DEVICE_STATE_UNAVAILABLE);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf2");
        pool_device_connect(p, pool_find(p, "vf2"), 1);
        g_assert_null(pool_pick(p));            /* exhausted */
        g_assert_cmpuint(pool_available(p), ==, 0);
        pool_device_connect(p, pool_find(p, "vf0"), -1);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf0");
        g_assert_cmpint(pool_find(p, "vf0")->state, ==, DEVICE_STATE_FREE);
}

static void test_pick_least_used(void) {
        g_autoptr(Pool) p = pool_of(false, 3);

        for (unsigned i = 0; i < 7; i++)
                pool_device_connect(p, pool_pick(p), 1);
        /* 7 ports over 3 devices: 3, 2, 2 — the lowest index takes the extra one */
        g_assert_cmpuint(pool_find(p, "vf0")->connections, ==, 3);
        g_assert_cmpuint(pool_find(p, "vf1")->connections, ==, 2);
        g_assert_cmpuint(pool_find(p, "vf2")->connections, ==, 2);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf1");
        pool_device_set_state(p, pool_find(p, "vf1"), DEVICE_STATE_RESTORE_FAILED);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf2");
        g_assert_cmpuint(pool_available(p), ==, 2);
        g_assert_cmpint(pool_remove(p, "vf2"), ==, 0);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf0");
}

static bool not_vf0(const PoolDevice *d, void *data) {
        return !g_str_equal(d->id, "vf0");
}

/* Devices on two NUMA nodes, interleaved: a pick anywhere is the least taken, lowest index over both nodes. */
static void test_pick_across_nodes(void) {
        g_autoptr(Pool) p = pool_new(false);

        for (unsigned i = 0; i < 4; i++) {
                g_autofree char *id = g_strdup_printf("vf%u", i);
                PoolDevice *d = pool_device_new(FORWARD_DEV_NETDEV, id);

                d->numa_node = i % 2 ? 0 : 1;
                g_assert_cmpint(pool_add(p, d), ==, 0);
        }
        g_assert_cmpuint(pool_available(p), ==, 4);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf0");
        g_assert_cmpstr(pool_pick_where(p, not_vf0, NULL)->id, ==, "vf1");
        g_assert_cmpstr(pool_pick_on_node(p, 0, NULL, NULL)->id, ==, "vf1");
        pool_device_connect(p, pool_find(p, "vf0"), 1);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf1");
        pool_device_connect(p, pool_find(p, "vf1"), 1);
        pool_device_connect(p, pool_find(p, "vf2"), 1);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf3");
        pool_device_connect(p, pool_find(p, "vf3"), 1);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf0");          /* all at one: the lowest index again */
        pool_device_set_state(p, pool_find(p, "vf0"), DEVICE_STATE_QUARANTINED);
        pool_device_set_numa_node(p, pool_find(p, "vf2"), 0);
        g_assert_cmpstr(pool_pick(p)->id, ==, "vf1");
        g_assert_null(pool_pick_on_node(p, 1, NULL, NULL));     /* vf0 quarantined, vf2 moved to node 0 */
        g_assert_cmpuint(pool_available(p), ==, 3);
}

static void test_record_round_trip(void) {
        g_autoptr(HwFunction) pf = function("0000:05:00.0");
        g_autoptr(GPtrArray) vfs = dual_port_vfs(pf);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(Pool) p = pool_new(true), back = NULL;
        g_autoptr(GString) out = g_string_new(NULL), again = g_string_new(NULL);
        g_autofree char *msg = NULL;
        xmlDoc *doc;

        (void) pool_expand_pf(p, FORWARD_MODE_HOSTDEV, pf->netdevs->pdata[0], pf, vfs, notes);
        pool_device_set_state(p, pool_find(p, "0000:05:00.4"), DEVICE_STATE_LOST);
        pool_format_xml(p, out, 0);
        doc = xmlReadMemory(out->str, (int) out->len, NULL, NULL, XML_PARSE_NONET);
        g_assert_nonnull(doc);
        g_assert_cmpint(pool_parse_xml(xmlDocGetRootElement(doc), true, &back, &msg), ==, 0);
        pool_format_xml(back, again, 0);
        g_assert_cmpstr(out->str, ==, again->str);
        g_assert_cmpint(pool_find(back, "0000:05:00.4")->state, ==, DEVICE_STATE_LOST);
        g_assert_cmpint(pool_find(back, "0000:05:00.3")->vf_index, ==, 2);
        xmlFreeDoc(doc);
}

static void test_record_rejects_bad_names(void) {
        const char *bad = "<pool><device id='x' type='netdev' netdev='../../etc'/></pool>";
        g_autoptr(Pool) p = NULL;
        g_autofree char *msg = NULL;
        xmlDoc *doc = xmlReadMemory(bad, (int) strlen(bad), NULL, NULL, XML_PARSE_NONET);

        g_assert_cmpint(pool_parse_xml(xmlDocGetRootElement(doc), true, &p, &msg), ==, -EINVAL);
        g_assert_null(p);
        g_assert_nonnull(strstr(msg, "invalid record"));
        xmlFreeDoc(doc);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/core/pool/expand/netdev-mode-takes-vf-netdevs", test_netdev_mode_takes_vf_netdevs);
        g_test_add_func("/core/pool/expand/pci-mode-takes-addresses", test_pci_mode_takes_addresses);
        g_test_add_func("/core/pool/expand/dual-port-port1", test_dual_port_port1);
        g_test_add_func("/core/pool/expand/dual-port-port2-netdevs", test_dual_port_port2_netdevs);
        g_test_add_func("/core/pool/expand/both-ports-count-a-vf-once", test_both_ports_count_a_vf_once);
        g_test_add_func("/core/pool/expand/pf-netdev-for-vf", test_pf_netdev_for_vf);
        g_test_add_func("/core/pool/counts", test_counts);
        g_test_add_func("/core/pool/pick/exclusive", test_pick_exclusive);
        g_test_add_func("/core/pool/pick/least-used", test_pick_least_used);
        g_test_add_func("/core/pool/pick/across-nodes", test_pick_across_nodes);
        g_test_add_func("/core/pool/record/round-trip", test_record_round_trip);
        g_test_add_func("/core/pool/record/rejects-bad-names", test_record_rejects_bad_names);
        return g_test_run();
}
