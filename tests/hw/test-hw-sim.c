/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the sim backend: discovery and VF operations on hosts the generator builds */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "hw/hw-sim.h"
#include "hw/hw.h"
#include "hw/hw-inventory.h"
#include "hw/hw-plug.h"
#include "hw-test-util.h"

#define X710 "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8"
#define CX3 "name=ens1,name2=ens1d1,bdf=0000:05:00.0,model=cx3,vfs=8,port2=4-5,dual=6-7"
#define SFC "name=sfc0,bdf=0000:07:00.0,model=sfc,vfs=4"

static GPtrArray *list_vfs_of(HwBackend *hw, const char *pf_netdev) {
        g_autoptr(HwFunction) pf = NULL;
        GPtrArray *vfs = NULL;

        g_assert_cmpint(hw_lookup_netdev(hw, pf_netdev, NULL, &pf), ==, 0);
        g_assert_nonnull(pf);
        g_assert_cmpint(hw_list_vfs(hw, pf, &vfs), ==, 0);
        return vfs;
}

static const HwNetdev *netdev_at(const HwFunction *f, guint i) {
        g_assert_cmpuint(f->netdevs->len, >, i);
        return f->netdevs->pdata[i];
}

static void test_x710(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL;
        g_autoptr(HwFunction) pf = NULL;
        g_autoptr(GPtrArray) vfs = NULL;
        g_autoptr(GHashTable) ifindexes = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_autoptr(GHashTable) macs = g_hash_table_new(g_str_hash, g_str_equal);
        char bdf[PCI_ADDR_STR_MAX];

        g_assert_cmpstr(hw_backend_name(hw), ==, "sim");
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0", &n, &pf), ==, 0);
        g_assert_cmpstr(n->name, ==, "eth0");
        g_assert_true(n->has_pci);
        g_assert_true(n->up);
        g_assert_cmpint(n->dev_port, ==, 0);
        g_assert_null(n->phys_port_id);
        g_assert_cmpstr(pci_addr_to_string(&n->pci, bdf), ==, "0000:03:00.0");

        g_assert_cmphex(pf->vendor_id, ==, 0x8086);
        g_assert_cmphex(pf->device_id, ==, 0x1572);
        g_assert_cmpstr(pf->driver, ==, "i40e");
        g_assert_true(pf->is_pf);
        g_assert_false(pf->is_vf);
        g_assert_cmpint(pf->vf_index, ==, -1);
        g_assert_cmpuint(pf->total_vfs, ==, 64);
        g_assert_cmpuint(pf->num_vfs, ==, 8);
        g_assert_cmpuint(pf->netdevs->len, ==, 1);
        g_assert_cmpstr(netdev_at(pf, 0)->name, ==, "eth0");
        if (test_have_pci_ids()) {
                g_assert_cmpstr(pf->vendor_name, ==, "Intel Corporation");
                g_assert_true(g_str_has_prefix(pf->device_name, "Ethernet Controller X710"));
        }

        vfs = list_vfs_of(hw, "eth0");
        g_assert_cmpuint(vfs->len, ==, 8);
        g_hash_table_add(ifindexes, GINT_TO_POINTER(n->ifindex));
        g_hash_table_add(macs, n->mac);
        for (guint i = 0; i < vfs->len; i++) {
                const HwFunction *vf = vfs->pdata[i];
                const HwNetdev *vn = netdev_at(vf, 0);
                g_autofree char *name = g_strdup_printf("eth0v%u", i);
                g_autofree char *expect_bdf = g_strdup_printf("0000:03:02.%u", i);

                g_assert_true(vf->is_vf);
                g_assert_false(vf->is_pf);
                g_assert_cmpint(vf->vf_index, ==, (int) i);
                g_assert_true(pci_addr_equal(&vf->physfn, &pf->addr));
                g_assert_cmpstr(pci_addr_to_string(&vf->addr, bdf), ==, expect_bdf);
                g_assert_cmpstr(vf->driver, ==, "iavf");
                g_assert_cmphex(vf->device_id, ==, 0x154c);
                g_assert_cmpuint(vf->netdevs->len, ==, 1);
                g_assert_cmpstr(vn->name, ==, name);
                g_assert_true(vn->has_pci && pci_addr_equal(&vn->pci, &vf->addr));
                if (test_have_pci_ids())
                        g_assert_nonnull(vf->device_name);
                /* unique in the host, as the kernel's are */
                g_assert_false(g_hash_table_contains(ifindexes, GINT_TO_POINTER(vn->ifindex)));
                g_assert_false(g_hash_table_contains(macs, vn->mac));
                g_hash_table_add(ifindexes, GINT_TO_POINTER(vn->ifindex));
                g_hash_table_add(macs, vn->mac);
        }
}

static void test_gap(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710 ",gap=2,5", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(GPtrArray) vfs = list_vfs_of(hw, "eth0");
        g_autoptr(HwFunction) vf3 = NULL;
        const int expect[] = { 0, 1, 3, 4, 6, 7 };

        /* a missing virtfn2 is not the end of the list */
        g_assert_cmpuint(vfs->len, ==, G_N_ELEMENTS(expect));
        for (guint i = 0; i < vfs->len; i++)
                g_assert_cmpint(((HwFunction *) vfs->pdata[i])->vf_index, ==, expect[i]);

        /* a VF looked up on its own finds its index through the PF's virtfn links */
        PciAddr a = test_addr("0000:03:02.3");
        g_assert_cmpint(hw_lookup_function(hw, &a, &vf3), ==, 0);
        g_assert_cmpint(vf3->vf_index, ==, 3);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 2, &(VfConfig) {}), ==, -ENODEV);
}

static void test_numvfs_below_total(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=eth0,bdf=0000:03:00.0,model=x710,vfs=3,total=16", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = NULL;
        g_autoptr(GPtrArray) vfs = NULL;

        g_assert_cmpint(hw_lookup_netdev(hw, "eth0", NULL, &pf), ==, 0);
        g_assert_cmpuint(pf->total_vfs, ==, 16);
        g_assert_cmpuint(pf->num_vfs, ==, 3);
        vfs = list_vfs_of(hw, "eth0");
        g_assert_cmpuint(vfs->len, ==, 3);
}

static void test_cx3_netdevs(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = NULL, pf2 = NULL;
        g_autoptr(GPtrArray) vfs = NULL;
        const HwNetdev *p1, *p2;

        g_assert_cmpint(hw_lookup_netdev(hw, "ens1", NULL, &pf), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "ens1d1", NULL, &pf2), ==, 0);
        g_assert_true(pci_addr_equal(&pf->addr, &pf2->addr));     /* one function, two netdevs */
        g_assert_cmpstr(pf->driver, ==, "mlx4_core");
        g_assert_cmpuint(pf->netdevs->len, ==, 2);
        p1 = netdev_at(pf, 0);
        p2 = netdev_at(pf, 1);
        g_assert_cmpstr(p1->name, ==, "ens1");
        g_assert_cmpstr(p2->name, ==, "ens1d1");
        g_assert_cmpint(p1->dev_port, ==, 0);
        g_assert_cmpint(p2->dev_port, ==, 1);
        g_assert_nonnull(p1->phys_port_id);
        g_assert_nonnull(p2->phys_port_id);
        g_assert_cmpstr(p1->phys_port_id, !=, p2->phys_port_id);
        g_assert_true(hw_function_netdev_by_port_id(pf, p2->phys_port_id) == p2);
        if (test_have_pci_ids())
                g_assert_nonnull(strstr(pf->device_name, "ConnectX-3"));

        vfs = list_vfs_of(hw, "ens1");
        g_assert_cmpuint(vfs->len, ==, 8);
        for (guint i = 0; i < 4; i++) {         /* port 1 */
                const HwFunction *vf = vfs->pdata[i];

                g_assert_cmpuint(vf->netdevs->len, ==, 1);
                g_assert_cmpstr(netdev_at(vf, 0)->phys_port_id, ==, p1->phys_port_id);
                g_assert_cmpint(netdev_at(vf, 0)->dev_port, ==, 0);
        }
        for (guint i = 4; i < 6; i++) {         /* port 2 */
                const HwFunction *vf = vfs->pdata[i];

                g_assert_cmpuint(vf->netdevs->len, ==, 1);
                g_assert_cmpstr(netdev_at(vf, 0)->phys_port_id, ==, p2->phys_port_id);
                g_assert_true(g_str_has_prefix(netdev_at(vf, 0)->name, "ens1d1v"));
        }
        for (guint i = 6; i < 8; i++) {         /* dual-port mode */
                const HwFunction *vf = vfs->pdata[i];

                g_assert_cmpuint(vf->netdevs->len, ==, 2);
                g_assert_cmpint(netdev_at(vf, 0)->dev_port, ==, 0);
                g_assert_cmpint(netdev_at(vf, 1)->dev_port, ==, 1);
                g_assert_cmpstr(netdev_at(vf, 0)->phys_port_id, ==, p1->phys_port_id);
                g_assert_cmpstr(netdev_at(vf, 1)->phys_port_id, ==, p2->phys_port_id);
        }
}

static void assert_mac(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *mac) {
        VfConfig c = {};

        g_assert_cmpint(hw_vf_get(hw, pf_netdev, vf, &c), ==, 0);
        g_assert_cmpstr(c.mac, ==, mac);
}

static void test_cx3_single_port_vf(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *p2_mac = NULL, *p2_vlan = NULL, *p1_dir = NULL;
        VfConfig c = {};

        /* VF 4 is on port 2: a set through port 1's netdev still lands in p2/ */
        g_assert_cmpint(hw_vf_set_mac(hw, "ens1", 4, "52:54:00:AA:BB:01"), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(hw, "ens1", 4, 42, 3), ==, 0);
        p2_mac = test_read_line(d->path, "vfstate/0000:05:00.0/vf4/p2/mac");
        p2_vlan = test_read_line(d->path, "vfstate/0000:05:00.0/vf4/p2/vlan");
        g_assert_cmpstr(p2_mac, ==, "52:54:00:aa:bb:01");
        g_assert_cmpstr(p2_vlan, ==, "42");
        p1_dir = g_build_filename(d->path, "vfstate/0000:05:00.0/vf4/p1", NULL);
        g_assert_false(g_file_test(p1_dir, G_FILE_TEST_EXISTS));

        /* a get through its own port sees it, through the other port zeros */
        g_assert_cmpint(hw_vf_get(hw, "ens1d1", 4, &c), ==, 0);
        g_assert_cmpstr(c.mac, ==, "52:54:00:aa:bb:01");
        g_assert_cmpuint(c.vlan, ==, 42);
        g_assert_cmpuint(c.qos, ==, 3);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, "ens1d1", 4, false), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "ens1", 4, &c), ==, 0);
        g_assert_cmpstr(c.mac, ==, "00:00:00:00:00:00");
        g_assert_cmpuint(c.vlan, ==, 0);
        g_assert_cmpuint(c.qos, ==, 0);
        g_assert_cmpint(c.spoofchk, ==, 0);     /* VF-wide: read from p2/ (documented) */

        /* VF 1 is on port 1: the mirror image */
        g_assert_cmpint(hw_vf_set_mac(hw, "ens1d1", 1, "52:54:00:aa:bb:02"), ==, 0);
        assert_mac(hw, "ens1", 1, "52:54:00:aa:bb:02");
        assert_mac(hw, "ens1d1", 1, "00:00:00:00:00:00");
}

static void test_cx3_dual_port_vf(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *p1 = NULL, *p2 = NULL;

        g_assert_cmpint(hw_vf_set_mac(hw, "ens1", 6, "52:54:00:00:06:01"), ==, 0);
        g_assert_cmpint(hw_vf_set_mac(hw, "ens1d1", 6, "52:54:00:00:06:02"), ==, 0);
        assert_mac(hw, "ens1", 6, "52:54:00:00:06:01");
        assert_mac(hw, "ens1d1", 6, "52:54:00:00:06:02");
        p1 = test_read_line(d->path, "vfstate/0000:05:00.0/vf6/p1/mac");
        p2 = test_read_line(d->path, "vfstate/0000:05:00.0/vf6/p2/mac");
        g_assert_cmpstr(p1, ==, "52:54:00:00:06:01");
        g_assert_cmpstr(p2, ==, "52:54:00:00:06:02");
}

static void test_sfc_vf_without_netdev(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", SFC, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(GPtrArray) vfs = list_vfs_of(hw, "sfc0");

        g_assert_cmpuint(vfs->len, ==, 4);
        for (guint i = 0; i < vfs->len; i++) {
                const HwFunction *vf = vfs->pdata[i];

                g_assert_cmpuint(vf->netdevs->len, ==, 0);
                g_assert_null(vf->driver);
                g_assert_cmphex(vf->vendor_id, ==, 0x1924);
                g_assert_cmphex(vf->device_id, ==, 0x1a03);
        }
        /* configured only through the PF */
        g_assert_cmpint(hw_vf_set_mac(hw, "sfc0", 3, "52:54:00:00:00:33"), ==, 0);
        assert_mac(hw, "sfc0", 3, "52:54:00:00:00:33");
}

static void test_vf_ops_roundtrip(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *link_state = NULL;
        VfConfig c = {};

        /* the generator's initial values */
        g_assert_cmpint(hw_vf_get(hw, "eth0", 5, &c), ==, 0);
        g_assert_cmpstr(c.mac, ==, "00:00:00:00:00:00");
        g_assert_cmpuint(c.vlan, ==, 0);
        g_assert_cmpint(c.spoofchk, ==, 1);
        g_assert_cmpint(c.trust, ==, 0);
        g_assert_cmpint(c.link_state, ==, VF_LINK_STATE_AUTO);

        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 5, 4095, 7), ==, 0);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, "eth0", 5, false), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 5, true), ==, 0);
        g_assert_cmpint(hw_vf_set_link_state(hw, "eth0", 5, VF_LINK_STATE_DISABLE), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 5, &c), ==, 0);
        g_assert_cmpuint(c.vlan, ==, 4095);
        g_assert_cmpuint(c.qos, ==, 7);
        g_assert_cmpint(c.spoofchk, ==, 0);
        g_assert_cmpint(c.trust, ==, 1);
        g_assert_cmpint(c.link_state, ==, VF_LINK_STATE_DISABLE);
        link_state = test_read_line(d->path, "vfstate/0000:03:00.0/vf5/p1/link_state");
        g_assert_cmpstr(link_state, ==, "disable");

        /* other VFs are untouched */
        g_assert_cmpint(hw_vf_get(hw, "eth0", 4, &c), ==, 0);
        g_assert_cmpuint(c.vlan, ==, 0);
}

static ino_t inode_of(const TestDir *d, const char *rel) {
        g_autofree char *path = g_build_filename(d->path, rel, NULL);
        struct stat st;

        g_assert_cmpint(stat(path, &st), ==, 0);
        return st.st_ino;
}

/* A set that leaves QoS, the minimum TX rate or the VLAN protocol as they are does not rewrite their files (a new
 * file renamed over the old would be a new inode); one that changes them does */
static void test_unchanged_values_kept(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        const char *qos = "vfstate/0000:03:00.0/vf5/p1/qos", *min = "vfstate/0000:03:00.0/vf5/p1/min_tx_rate";
        const char *proto = "vfstate/0000:03:00.0/vf5/p1/vlan_proto", *vlan = "vfstate/0000:03:00.0/vf5/p1/vlan";
        ino_t qos_ino = inode_of(d, qos), min_ino = inode_of(d, min), proto_ino = inode_of(d, proto);
        ino_t vlan_ino = inode_of(d, vlan);
        VfConfig c = {};

        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 5, 42, 0), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 5, 0, 200), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 5, VF_VLAN_PROTO_8021Q), ==, 0);
        g_assert_true(inode_of(d, qos) == qos_ino);
        g_assert_true(inode_of(d, min) == min_ino);
        g_assert_true(inode_of(d, proto) == proto_ino);
        g_assert_true(inode_of(d, vlan) != vlan_ino);   /* the VLAN changed: written */

        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 5, 42, 3), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 5, 100, 200), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 5, VF_VLAN_PROTO_8021AD), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 5, &c), ==, 0);
        g_assert_cmpuint(c.vlan, ==, 42);
        g_assert_cmpuint(c.qos, ==, 3);
        g_assert_cmpuint(c.min_tx_rate, ==, 100);
        g_assert_cmpuint(c.max_tx_rate, ==, 200);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
}

/* hw_read_netdev() reads what it is asked for and leaves the rest unset; with nothing asked it checks the name */
static void test_read_netdev_attrs(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) full = NULL, some = NULL, pci = NULL, none = NULL, all = NULL;

        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", &full, NULL), ==, 0);
        g_assert_cmpint(hw_read_netdev(hw, "eth0v1", HW_NETDEV_MAC | HW_NETDEV_UP, &some), ==, 0);
        g_assert_cmpstr(some->name, ==, "eth0v1");
        g_assert_cmpstr(some->mac, ==, full->mac);
        g_assert_true(some->admin_up == full->admin_up && some->up == full->up);
        g_assert_cmpuint(some->mtu, ==, 0);
        g_assert_cmpint(some->ifindex, ==, -1);        /* as hw_netdev_new() leaves it */
        g_assert_false(some->has_pci);

        g_assert_cmpint(hw_read_netdev(hw, "eth0v1", HW_NETDEV_MTU | HW_NETDEV_PCI | HW_NETDEV_IFINDEX, &pci), ==, 0);
        g_assert_null(pci->mac);
        g_assert_cmpuint(pci->mtu, ==, full->mtu);
        g_assert_cmpint(pci->ifindex, ==, full->ifindex);
        g_assert_true(pci->has_pci && pci_addr_equal(&pci->pci, &full->pci));

        g_assert_cmpint(hw_read_netdev(hw, "eth0v1", HW_NETDEV_ALL, &all), ==, 0);
        g_assert_cmpstr(all->mac, ==, full->mac);
        g_assert_cmpint(all->ifindex, ==, full->ifindex);
        g_assert_cmpint(all->dev_port, ==, full->dev_port);
        g_assert_cmpuint(all->speed, ==, full->speed);
        g_assert_true(all->has_pci);

        g_assert_cmpint(hw_read_netdev(hw, "eth0", 0, &none), ==, 0);
        g_assert_cmpint(hw_read_netdev(hw, "nosuch0", 0, &none), ==, -ENODEV);
        g_assert_cmpint(hw_read_netdev(hw, "bad/name", HW_NETDEV_MAC, &none), ==, -EINVAL);
}

/* hw_function_vf_place(): a VF's PF and index, 0 for a PF, -ENODEV for no function */
static void test_vf_place(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        PciAddr vf, pf, expect_pf, none;
        int index = -1;

        g_assert_cmpint(pci_addr_from_string("0000:03:02.5", &vf), ==, 0);
        g_assert_cmpint(pci_addr_from_string("0000:03:00.0", &expect_pf), ==, 0);
        g_assert_cmpint(pci_addr_from_string("0000:09:00.0", &none), ==, 0);
        for (int round = 0; round < 2; round++) {       /* the second with the index kept as a hint */
                g_assert_cmpint(hw_function_vf_place(hw, &vf, &pf, &index), ==, 1);
                g_assert_true(pci_addr_equal(&pf, &expect_pf));
                g_assert_cmpint(index, ==, 5);
        }
        g_assert_cmpint(hw_function_vf_place(hw, &expect_pf, &pf, &index), ==, 0);
        g_assert_cmpint(hw_function_vf_place(hw, &none, &pf, &index), ==, -ENODEV);
}

static void test_netdev_set_mac(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL;

        g_assert_cmpint(hw_netdev_set_mac(hw, "eth0v1", "52:54:00:12:34:56"), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", &n, NULL), ==, 0);
        g_assert_cmpstr(n->mac, ==, "52:54:00:12:34:56");
        g_assert_cmpint(hw_netdev_set_mac(hw, "nosuch0", "52:54:00:12:34:56"), ==, -ENODEV);
}

static void test_fail_with_count(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "3", "set_mac EBUSY 2",
                                             "--fail", "0000:03:00.0", "3", "get EPERM", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *fail = NULL, *mac = NULL;

        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 3, "52:54:00:00:00:03"), ==, -EBUSY);
        fail = test_read_line(d->path, "vfstate/0000:03:00.0/vf3/fail");
        g_assert_cmpstr(fail, ==, "set_mac EBUSY 1");
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 3, "52:54:00:00:00:03"), ==, -EBUSY);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 3, "52:54:00:00:00:03"), ==, 0);
        mac = test_read_line(d->path, "vfstate/0000:03:00.0/vf3/p1/mac");
        g_assert_cmpstr(mac, ==, "52:54:00:00:00:03");

        /* the counted line is gone, the other one stays */
        g_clear_pointer(&fail, g_free);
        fail = test_read_line(d->path, "vfstate/0000:03:00.0/vf3/fail");
        g_assert_cmpstr(fail, ==, "get EPERM");
        /* faults are per VF */
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 2, "52:54:00:00:00:02"), ==, 0);
}

static void test_fail_without_count(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "1", "get EPERM",
                                             "--fail", "0000:03:00.0", "1", "set_vlan EOPNOTSUPP", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        VfConfig c = {};

        for (int i = 0; i < 3; i++) {
                g_assert_cmpint(hw_vf_get(hw, "eth0", 1, &c), ==, -EPERM);
                g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 1, 10, 0), ==, -EOPNOTSUPP);
        }
        /* other operations are not affected */
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 1, "52:54:00:00:00:01"), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 1, true), ==, 0);
}

static void test_set_mac_zero(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "0", "set_mac_zero EINVAL", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);

        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 0, "52:54:00:00:00:10"), ==, 0);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 0, "00:00:00:00:00:00"), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 0, "0:0:0:0:0:0"), ==, -EINVAL);
        assert_mac(hw, "eth0", 0, "52:54:00:00:00:10");
}

static void test_enetdown(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, "--link", "ens1d1", "down", NULL);
        g_autoptr(TestDir) d2 = test_sim_host("--pf", X710 ",down=yes", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwBackend) hw2 = test_sim_backend(d2);
        VfConfig c = {};

        g_assert_cmpint(hw_vf_set_mac(hw, "ens1d1", 4, "52:54:00:00:00:04"), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_vlan(hw, "ens1d1", 6, 5, 0), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, "ens1d1", 6, false), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_link_state(hw, "ens1d1", 6, VF_LINK_STATE_ENABLE), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_get(hw, "ens1d1", 4, &c), ==, 0);         /* reading still works */
        g_assert_cmpint(hw_vf_set_mac(hw, "ens1", 4, "52:54:00:00:00:04"), ==, 0);     /* port 1 is up */

        g_assert_cmpint(hw_vf_set_trust(hw2, "eth0", 0, true), ==, -ENETDOWN);
        /* no such VF goes before a down PF (simhost.md's order of checks); a get of it finds none */
        g_assert_cmpint(hw_vf_set_trust(hw2, "eth0", 99, true), ==, -ENODEV);
        g_assert_cmpint(hw_vf_get(hw2, "eth0", 99, &c), ==, -ENODEV);
        test_simhost(d2->path, "--quiet", "--link", "eth0", "up", NULL);
        g_assert_cmpint(hw_vf_set_trust(hw2, "eth0", 99, true), ==, -ENODEV);
        g_assert_cmpint(hw_vf_set_trust(hw2, "eth0", 0, true), ==, 0);
}

static void test_enodev(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--pf", SFC, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL;
        g_autoptr(HwFunction) f = NULL, vf = NULL;
        GPtrArray *vfs = NULL;
        VfConfig c = {};
        PciAddr missing = test_addr("0000:09:00.0"), vf_addr = test_addr("0000:03:02.0");

        g_assert_cmpint(hw_lookup_netdev(hw, "nosuch0", &n, NULL), ==, -ENODEV);
        g_assert_null(n);
        g_assert_cmpint(hw_lookup_function(hw, &missing, &f), ==, -ENODEV);
        g_assert_null(f);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 8, &c), ==, -ENODEV);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 1000, &c), ==, -ENODEV);
        g_assert_cmpint(hw_vf_set_mac(hw, "nosuch0", 0, "52:54:00:00:00:01"), ==, -ENODEV);
        g_assert_cmpint(hw_vf_set_mac(hw, "sfc0", 4, "52:54:00:00:00:01"), ==, -ENODEV);

        /* a VF's netdev is no PF: no VFs behind it */
        g_assert_cmpint(hw_vf_get(hw, "eth0v0", 0, &c), ==, -ENOTSUP);
        g_assert_cmpint(hw_lookup_function(hw, &vf_addr, &vf), ==, 0);
        g_assert_cmpint(hw_list_vfs(hw, vf, &vfs), ==, -ENOTSUP);
        g_assert_null(vfs);
}

static void test_invalid_names(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        const char *bad[] = { "", "../../etc", "a/b", "eth:0", "has space", "0123456789abcdef", ".", ".." };
        PciAddr out_of_range = { .domain = 0, .bus = 0x100, .slot = 0, .function = 0 };
        g_autoptr(HwFunction) f = NULL;
        VfConfig c = {};

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                HwNetdev *n = NULL;

                g_assert_cmpint(hw_lookup_netdev(hw, bad[i], &n, NULL), ==, -EINVAL);
                g_assert_null(n);
                g_assert_cmpint(hw_vf_get(hw, bad[i], 0, &c), ==, -EINVAL);
                g_assert_cmpint(hw_vf_set_mac(hw, bad[i], 0, "52:54:00:00:00:01"), ==, -EINVAL);
                g_assert_cmpint(hw_netdev_set_mac(hw, bad[i], "52:54:00:00:00:01"), ==, -EINVAL);
        }
        g_assert_cmpint(hw_lookup_netdev(hw, NULL, NULL, NULL), ==, -EINVAL);
        g_assert_cmpint(hw_lookup_function(hw, &out_of_range, &f), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 0, "52:54:00:00:00"), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 0, "not a mac"), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 0, 4096, 0), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 0, 1, 8), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_link_state(hw, "eth0", 0, _VF_LINK_STATE_MAX), ==, -EINVAL);
        g_assert_cmpint(hw_netdev_set_mac(hw, "eth0", "zz:54:00:00:00:01"), ==, -EINVAL);
}

static void test_new_sim(void) {
        g_autoptr(TestDir) empty = test_dir_new();
        HwBackend *hw = NULL;

        g_assert_cmpint(hw_backend_new_sim(empty->path, &hw), ==, -ENOENT);
        g_assert_null(hw);
        g_assert_cmpint(hw_backend_new_sim("", &hw), ==, -EINVAL);
        g_assert_null(hw_backend_free(NULL));
}

static void test_assign_release(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) vf = NULL, back = NULL;
        g_autoptr(HwNetdev) n = NULL;
        PciAddr addr = test_addr("0000:05:00.7");      /* VF 6: dual-port, two netdevs */

        test_simhost(d->path, "--quiet", "--assign", "0000:05:00.7", NULL);
        g_assert_cmpint(hw_lookup_function(hw, &addr, &vf), ==, 0);
        g_assert_cmpstr(vf->driver, ==, "vfio-pci");
        g_assert_cmpuint(vf->netdevs->len, ==, 0);
        g_assert_cmpint(vf->vf_index, ==, 6);
        g_assert_cmpint(hw_lookup_netdev(hw, "ens1v6", &n, NULL), ==, -ENODEV);
        /* still configurable through the PF while assigned */
        g_assert_cmpint(hw_vf_set_mac(hw, "ens1", 6, "52:54:00:00:06:06"), ==, 0);

        test_simhost(d->path, "--quiet", "--release", "0000:05:00.7", NULL);
        g_assert_cmpint(hw_lookup_function(hw, &addr, &back), ==, 0);
        g_assert_cmpstr(back->driver, ==, "mlx4_core");
        g_assert_cmpuint(back->netdevs->len, ==, 2);
        g_assert_cmpint(hw_lookup_netdev(hw, "ens1d1v6", &n, NULL), ==, 0);
        g_assert_true(pci_addr_equal(&n->pci, &addr));
}

/* hw_list_vf_topology() gives, of every VF, what hw_list_vfs() gives of its place: address, PF, index, and
 * each netdev's name, dev_port and phys_port_id (a dual-port PF with single- and dual-port VFs, and a gap) */
static void test_vf_topology(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3 ",gap=2", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = NULL;
        g_autoptr(GPtrArray) full = NULL, topo = NULL;

        g_assert_cmpint(hw_lookup_netdev(hw, "ens1", NULL, &pf), ==, 0);
        g_assert_cmpint(hw_list_vfs(hw, pf, &full), ==, 0);
        g_assert_cmpint(hw_list_vf_topology(hw, pf, &topo), ==, 0);
        g_assert_cmpuint(topo->len, ==, full->len);
        g_assert_cmpuint(topo->len, ==, 7);     /* 8 VFs less the gap */
        for (guint i = 0; i < topo->len; i++) {
                const HwFunction *a = full->pdata[i], *b = topo->pdata[i];

                g_assert_true(pci_addr_equal(&a->addr, &b->addr));
                g_assert_true(pci_addr_equal(&a->physfn, &b->physfn));
                g_assert_true(b->is_vf);
                g_assert_cmpint(a->vf_index, ==, b->vf_index);
                g_assert_cmpuint(a->netdevs->len, ==, b->netdevs->len);
                for (guint k = 0; k < a->netdevs->len; k++) {
                        const HwNetdev *x = netdev_at(a, k), *y = netdev_at(b, k);

                        g_assert_cmpstr(x->name, ==, y->name);
                        g_assert_cmpint(x->dev_port, ==, y->dev_port);
                        g_assert_cmpstr(x->phys_port_id, ==, y->phys_port_id);
                        g_assert_true(pci_addr_equal(&x->pci, &y->pci));
                }
        }
}

static gint strcmp_p(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* hw_list_sriov_pfs() lists every function with sriov_totalvfs, in address order, and nothing else: the VFs it
 * passes over without asking (those a PF before them names) included a PF's, one of no VFs, and one plugged after */
static void test_sriov_pfs(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--pf", CX3, "--pf", SFC, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *bus = g_build_filename(d->path, "sys", "bus", "pci", "devices", NULL);
        g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GArray) pfs = NULL;
        g_autoptr(GDir) dir = NULL;
        const char *name;

        test_simhost(d->path, "--quiet", "--set-numvfs", "0000:05:00.0", "0", "--add-pf",
                     "name=eth9,bdf=0000:01:00.0,model=x710,vfs=2", NULL);
        dir = g_dir_open(bus, 0, NULL);
        g_assert_nonnull(dir);
        while ((name = g_dir_read_name(dir))) {
                g_autofree char *total = g_build_filename(bus, name, "sriov_totalvfs", NULL);

                if (g_file_test(total, G_FILE_TEST_EXISTS))
                        g_ptr_array_add(want, g_strdup(name));
        }
        g_ptr_array_sort(want, strcmp_p);
        g_assert_cmpint(hw_list_sriov_pfs(hw, &pfs), ==, 0);
        g_assert_cmpuint(pfs->len, ==, 4);
        g_assert_cmpuint(pfs->len, ==, want->len);
        for (guint i = 0; i < pfs->len; i++) {
                char bdf[PCI_ADDR_STR_MAX];

                g_assert_cmpstr(pci_addr_to_string(&g_array_index(pfs, PciAddr, i), bdf), ==, want->pdata[i]);
        }
}

/* Of a PF with one netdev, hw_list_vf_topology() gives every VF's place and netdev names as hw_list_vfs() does (a
 * gap, a VF on vfio-pci without netdevs, one without a netdev of its own make): all pool_expand_pf() uses there */
static void test_vf_topology_one_port(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710 ",gap=3", "--pf", SFC, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);

        test_simhost(d->path, "--quiet", "--assign", "0000:03:02.1", NULL);
        for (const char *const *pf_name = (const char *const[]) { "eth0", "sfc0", NULL }; *pf_name; pf_name++) {
                g_autoptr(HwFunction) pf = NULL;
                g_autoptr(GPtrArray) full = NULL, topo = NULL;

                g_assert_cmpint(hw_lookup_netdev(hw, *pf_name, NULL, &pf), ==, 0);
                g_assert_cmpuint(pf->netdevs->len, ==, 1);
                g_assert_cmpint(hw_list_vfs(hw, pf, &full), ==, 0);
                g_assert_cmpint(hw_list_vf_topology(hw, pf, &topo), ==, 0);
                g_assert_cmpuint(topo->len, ==, full->len);
                g_assert_cmpuint(topo->len, >, 0);
                for (guint i = 0; i < topo->len; i++) {
                        const HwFunction *a = full->pdata[i], *b = topo->pdata[i];

                        g_assert_true(pci_addr_equal(&a->addr, &b->addr));
                        g_assert_true(pci_addr_equal(&a->physfn, &b->physfn));
                        g_assert_cmpint(a->vf_index, ==, b->vf_index);
                        g_assert_cmpuint(a->netdevs->len, ==, b->netdevs->len);
                        for (guint k = 0; k < a->netdevs->len; k++) {
                                g_assert_cmpstr(netdev_at(a, k)->name, ==, netdev_at(b, k)->name);
                                g_assert_true(netdev_at(b, k)->has_pci);
                                g_assert_true(pci_addr_equal(&netdev_at(a, k)->pci, &netdev_at(b, k)->pci));
                        }
                }
        }
}

/* The functions of a and b agree on everything an inventory read promises (hw_list_vf_inventory()) */
static void assert_inventory_fields(const HwFunction *a, const HwFunction *b) {
        g_assert_true(pci_addr_equal(&a->addr, &b->addr));
        g_assert_true(pci_addr_equal(&a->physfn, &b->physfn));
        g_assert_true(b->is_vf);
        g_assert_false(b->is_pf);
        g_assert_cmpint(a->vf_index, ==, b->vf_index);
        g_assert_cmpuint(a->vendor_id, ==, b->vendor_id);
        g_assert_cmpuint(a->device_id, ==, b->device_id);
        g_assert_cmpstr(a->driver, ==, b->driver);
        g_assert_cmpint(a->numa_node, ==, b->numa_node);
        g_assert_cmpint(a->iommu_group, ==, b->iommu_group);
        g_assert_cmpstr(a->pcie_root, ==, b->pcie_root);
        g_assert_cmpuint(a->netdevs->len, ==, b->netdevs->len);
        for (guint k = 0; k < a->netdevs->len; k++) {
                const HwNetdev *x = netdev_at(a, k), *y = netdev_at(b, k);

                g_assert_cmpstr(x->name, ==, y->name);          /* in dev_port order: the first is Netdevs[0] */
                g_assert_cmpint(x->link_type, ==, y->link_type);
                g_assert_cmpint(x->admin_up, ==, y->admin_up);
                g_assert_true(y->has_pci);
                g_assert_true(pci_addr_equal(&x->pci, &y->pci));
        }
}

/* hw_list_vf_inventory() gives, of every VF, what hw_list_vfs() gives of what a Device object shows and a holder
 * is judged by: a dual-port PF with single- and dual-port VFs (two netdevs in dev_port order), a gap, a netdev set
 * down, a VF on vfio-pci (no netdevs) */
static void test_vf_inventory(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3 ",gap=2", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = NULL;
        g_autoptr(GPtrArray) full = NULL, inv = NULL;
        bool dual_seen = false;

        test_simhost(d->path, "--quiet", "--link", "ens1v1", "down", "--assign", "0000:05:00.4", NULL);
        g_assert_cmpint(hw_lookup_netdev(hw, "ens1", NULL, &pf), ==, 0);
        g_assert_cmpint(hw_list_vfs(hw, pf, &full), ==, 0);
        g_assert_cmpint(hw_list_vf_inventory(hw, pf, &inv), ==, 0);
        g_assert_cmpuint(inv->len, ==, full->len);
        g_assert_cmpuint(inv->len, ==, 7);      /* 8 VFs less the gap */
        for (guint i = 0; i < inv->len; i++) {
                const HwFunction *a = full->pdata[i];

                assert_inventory_fields(a, inv->pdata[i]);
                dual_seen |= a->netdevs->len == 2;
        }
        g_assert_true(dual_seen);
}

/* hw_lookup_topology() agrees with hw_lookup_function() on the place of a PF and of every VF */
static void test_lookup_topology(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = NULL;
        g_autoptr(GPtrArray) vfs = NULL;

        g_assert_cmpint(hw_lookup_netdev(hw, "ens1", NULL, &pf), ==, 0);
        g_assert_cmpint(hw_list_vfs(hw, pf, &vfs), ==, 0);
        g_ptr_array_add(vfs, g_steal_pointer(&pf));
        for (guint i = 0; i < vfs->len; i++) {
                const HwFunction *a = vfs->pdata[i];
                g_autoptr(HwFunction) b = NULL;

                g_assert_cmpint(hw_lookup_topology(hw, &a->addr, &b), ==, 0);
                g_assert_cmpint(a->is_pf, ==, b->is_pf);
                g_assert_cmpint(a->is_vf, ==, b->is_vf);
                g_assert_cmpint(a->vf_index, ==, b->vf_index);
                g_assert_true(!a->is_vf || pci_addr_equal(&a->physfn, &b->physfn));
                g_assert_cmpuint(a->netdevs->len, ==, b->netdevs->len);
                for (guint k = 0; k < a->netdevs->len; k++) {
                        g_assert_cmpstr(netdev_at(a, k)->name, ==, netdev_at(b, k)->name);
                        g_assert_cmpint(netdev_at(a, k)->dev_port, ==, netdev_at(b, k)->dev_port);
                        g_assert_cmpstr(netdev_at(a, k)->phys_port_id, ==, netdev_at(b, k)->phys_port_id);
                }
        }
}

/* hw_function_driver() reads the driver link and no more: it follows assign and release, and says ENODEV
 * for a function that is not there */
static void test_function_driver(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *before = NULL, *assigned = NULL, *after = NULL, *none = NULL;
        PciAddr addr = test_addr("0000:05:00.7"), missing = test_addr("0000:05:1f.7");

        g_assert_cmpint(hw_function_driver(hw, &addr, &before), ==, 0);
        g_assert_cmpstr(before, ==, "mlx4_core");
        test_simhost(d->path, "--quiet", "--assign", "0000:05:00.7", NULL);
        g_assert_cmpint(hw_function_driver(hw, &addr, &assigned), ==, 0);
        g_assert_cmpstr(assigned, ==, "vfio-pci");
        test_simhost(d->path, "--quiet", "--release", "0000:05:00.7", NULL);
        g_assert_cmpint(hw_function_driver(hw, &addr, &after), ==, 0);
        g_assert_cmpstr(after, ==, "mlx4_core");
        g_assert_cmpint(hw_function_driver(hw, &missing, &none), ==, -ENODEV);
        g_assert_null(none);
}

static void test_resize(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(GPtrArray) shrunk = NULL, grown = NULL;
        g_autoptr(HwFunction) gone = NULL;
        g_autoptr(HwNetdev) n = NULL;
        PciAddr vf5 = test_addr("0000:03:02.5");

        test_simhost(d->path, "--quiet", "--set-numvfs", "0000:03:00.0", "2", NULL);
        shrunk = list_vfs_of(hw, "eth0");
        g_assert_cmpuint(shrunk->len, ==, 2);
        g_assert_cmpint(hw_lookup_function(hw, &vf5, &gone), ==, -ENODEV);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v5", &n, NULL), ==, -ENODEV);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 5, &(VfConfig) {}), ==, -ENODEV);

        test_simhost(d->path, "--quiet", "--set-numvfs", "0000:03:00.0", "10", NULL);
        grown = list_vfs_of(hw, "eth0");
        g_assert_cmpuint(grown->len, ==, 10);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v9", &n, NULL), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 9, &(VfConfig) {}), ==, 0);
}

static void test_hwinfo(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = NULL, copy = NULL;

        g_assert_cmpint(hw_lookup_netdev(hw, "ens1", NULL, &pf), ==, 0);
        copy = hw_function_copy(pf);
        g_assert_true(copy->netdevs != pf->netdevs);
        g_assert_cmpuint(copy->netdevs->len, ==, 2);
        g_assert_true(netdev_at(copy, 1) != netdev_at(pf, 1));
        g_assert_cmpstr(netdev_at(copy, 1)->phys_port_id, ==, netdev_at(pf, 1)->phys_port_id);
        g_assert_cmpstr(copy->driver, ==, pf->driver);
        g_assert_true(hw_function_netdev_by_dev_port(copy, 1) == netdev_at(copy, 1));
        g_assert_null(hw_function_netdev_by_port_id(copy, "nosuchid"));

        g_assert_cmpstr(vf_link_state_to_string(VF_LINK_STATE_ENABLE), ==, "enable");
        g_assert_cmpint(vf_link_state_from_string("disable"), ==, VF_LINK_STATE_DISABLE);
        g_assert_cmpint(vf_link_state_from_string("auto"), ==, VF_LINK_STATE_AUTO);
        g_assert_cmpint(vf_link_state_from_string("up"), ==, -EINVAL);
        g_assert_null(vf_link_state_to_string(_VF_LINK_STATE_MAX));
}


/* ---- the plug (simhost.md 1.1) ---- */

static gboolean path_exists(const TestDir *d, const char *rel) {
        g_autofree char *path = g_build_filename(d->path, rel, NULL);
        struct stat st;

        return lstat(path, &st) == 0;
}

static gboolean path_is_fifo(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

static char *driver_of(HwBackend *hw, const char *bdf) {
        PciAddr a = test_addr(bdf);
        char *driver = NULL;

        g_assert_cmpint(hw_function_driver(hw, &a, &driver), ==, 0);
        return driver;
}

static int max_ifindex(const TestDir *d) {
        g_autofree char *class_net = g_build_filename(d->path, "sys/class/net", NULL);
        g_autoptr(GDir) dir = g_dir_open(class_net, 0, NULL);
        const char *name;
        int highest = 0;

        while ((name = g_dir_read_name(dir))) {
                g_autofree char *rel = g_strdup_printf("sys/class/net/%s/ifindex", name);
                g_autofree char *v = test_read_line(d->path, rel);

                highest = MAX(highest, atoi(v));
        }
        return highest;
}

/* vfio-pci and back: netdevs, class links, uppers, driver_override, the group's node, the admin MAC */
static void test_bind_vfio_and_back(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL;
        g_autofree char *driver = NULL, *node = NULL, *override = NULL, *back = NULL, *mac = NULL;
        g_autofree char *state = NULL;
        PciAddr vf1 = test_addr("0000:03:02.1");
        HwNodeOwner owner;
        int group, before;

        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 1, "52:54:00:aa:bb:01"), ==, 0);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0v1", "macvtap0", "passthru", "52:54:00:aa:bb:01", NULL), ==, 0);
        g_assert_cmpint(hw_function_iommu_group(hw, &vf1, &group), ==, 0);
        node = hw_vfio_group_path(hw, group);
        g_assert_false(path_is_fifo(node));

        g_assert_cmpint(hw_function_bind_driver(hw, &vf1, "vfio-pci"), ==, 0);
        driver = driver_of(hw, "0000:03:02.1");
        g_assert_cmpstr(driver, ==, "vfio-pci");
        override = test_read_line(d->path, "sys/devices/pci0000:00/0000:03:02.1/driver_override");
        g_assert_cmpstr(override, ==, "vfio-pci");
        g_assert_false(path_exists(d, "sys/devices/pci0000:00/0000:03:02.1/net"));
        g_assert_false(path_exists(d, "sys/class/net/eth0v1"));
        g_assert_false(path_exists(d, "sys/class/net/macvtap0"));       /* went with its lower */
        g_assert_true(path_is_fifo(node));
        g_assert_cmpint(hw_node_get_owner(hw, node, &owner), ==, 0);
        g_assert_cmpint(hw_function_bind_driver(hw, &vf1, "vfio-pci"), ==, 0);  /* already: nothing to do */

        before = max_ifindex(d);
        g_assert_cmpint(hw_function_bind_host_driver(hw, &vf1, NULL, 1), ==, 0);
        back = driver_of(hw, "0000:03:02.1");
        g_assert_cmpstr(back, ==, "iavf");                      /* the other VFs' driver */
        g_clear_pointer(&override, g_free);
        override = test_read_line(d->path, "sys/devices/pci0000:00/0000:03:02.1/driver_override");
        g_assert_cmpstr(override, ==, "");
        g_assert_false(path_exists(d, node + strlen(d->path) + 1));
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", &n, NULL), ==, 0);
        g_assert_cmpstr(n->mac, ==, "52:54:00:aa:bb:01");       /* the admin MAC */
        g_assert_false(n->up);
        g_assert_cmpint(n->ifindex, >, before);        /* new, and not even macvtap0's of before */
        g_assert_true(n->has_pci && pci_addr_equal(&n->pci, &vf1));
        state = test_read_line(d->path, "sys/class/net/eth0v1/mtu");
        g_assert_cmpstr(state, ==, "1500");

        /* on its host driver already: nothing undone */
        g_assert_cmpint(hw_function_bind_host_driver(hw, &vf1, "iavf", 1), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", NULL, NULL), ==, 0);
}

/* All-zero admin MAC: a fresh one; dual-port VF: both netdevs with their ports' phys_port_id; a taken name */
static void test_bind_back_netdevs(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--pf", CX3, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL, p1 = NULL, p2 = NULL, a = NULL, b = NULL, renamed = NULL;
        PciAddr x0 = test_addr("0000:03:02.0"), dual = test_addr("0000:05:00.7"), single = test_addr("0000:05:00.5");
        g_autoptr(HwFunction) f = NULL;
        unsigned first;

        g_assert_cmpint(hw_function_bind_driver(hw, &x0, "vfio-pci"), ==, 0);
        g_assert_cmpint(hw_function_bind_host_driver(hw, &x0, "iavf", 1), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v0", &n, NULL), ==, 0);
        g_assert_cmpstr(n->mac, !=, "00:00:00:00:00:00");
        g_assert_true(sscanf(n->mac, "%x:", &first) == 1 && (first & 0x03) == 0x02);  /* local, unicast */

        g_assert_cmpint(hw_lookup_netdev(hw, "ens1", &p1, NULL), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "ens1d1", &p2, NULL), ==, 0);
        g_assert_cmpint(hw_function_bind_driver(hw, &dual, "vfio-pci"), ==, 0);
        g_assert_cmpint(hw_function_bind_host_driver(hw, &dual, NULL, 2), ==, 0);
        g_assert_cmpint(hw_lookup_function(hw, &dual, &f), ==, 0);
        g_assert_cmpstr(f->driver, ==, "mlx4_core");
        g_assert_cmpuint(f->netdevs->len, ==, 2);
        g_assert_cmpint(hw_lookup_netdev(hw, "ens1v6", &a, NULL), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "ens1d1v6", &b, NULL), ==, 0);
        g_assert_cmpint(a->dev_port, ==, 0);
        g_assert_cmpint(b->dev_port, ==, 1);
        g_assert_cmpstr(a->phys_port_id, ==, p1->phys_port_id);
        g_assert_cmpstr(b->phys_port_id, ==, p2->phys_port_id);
        g_assert_cmpint(a->ifindex, !=, b->ifindex);

        /* a single-port VF on port 2; its driver's name taken meanwhile: the kernel's ethN */
        g_assert_cmpint(hw_function_bind_driver(hw, &single, "vfio-pci"), ==, 0);
        g_assert_cmpint(hw_netdev_rename(hw, "ens1v0", "ens1d1v4"), ==, 0);
        g_assert_cmpint(hw_function_bind_host_driver(hw, &single, NULL, 1), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0", NULL, NULL), ==, 0);      /* the PF: eth0 is taken too */
        g_assert_cmpint(hw_lookup_netdev(hw, "eth1", &renamed, NULL), ==, 0);
        g_assert_true(pci_addr_equal(&renamed->pci, &single));
        g_assert_cmpstr(renamed->phys_port_id, ==, p2->phys_port_id);
}

/* vfio-pci refuses a function without IOMMU group, as its probe does, and the function goes back to its host
 * driver with no override left (as the linux backend reverts); a missing driver is -ENOENT */
static void test_bind_refusals(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710 ",noiommu=2", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *driver = NULL, *override = NULL;
        PciAddr vf2 = test_addr("0000:03:02.2"), vf3 = test_addr("0000:03:02.3"), missing = test_addr("0000:03:1f.0");
        int group;

        g_assert_cmpint(hw_function_iommu_group(hw, &vf2, &group), ==, -ENOENT);
        g_assert_cmpint(hw_function_bind_driver(hw, &vf2, "vfio-pci"), ==, -EINVAL);
        driver = driver_of(hw, "0000:03:02.2");
        g_assert_cmpstr(driver, ==, "iavf");    /* reverted: back on its host driver */
        override = test_read_line(d->path, "sys/bus/pci/devices/0000:03:02.2/driver_override");
        g_assert_cmpstr(override, ==, "");
        g_assert_cmpint(hw_function_bind_host_driver(hw, &vf2, NULL, 1), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v2", NULL, NULL), ==, 0);
        g_assert_cmpint(hw_function_bind_driver(hw, &vf3, "nosuchdrv"), ==, -ENOENT);
        g_assert_cmpint(hw_function_bind_driver(hw, &missing, "vfio-pci"), ==, -ENODEV);
        g_assert_cmpint(hw_function_bind_driver(hw, &vf3, "../x"), ==, -EINVAL);
        g_assert_cmpint(hw_function_bind_host_driver(hw, &vf3, "vfio-pci", 0), ==, -EINVAL);
}

/* Two functions in one group: its node stays while either is on vfio-pci */
static void test_shared_group_node(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--iommu-group", "0000:03:02.4,0000:03:02.5", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(GArray) members = NULL;
        g_autofree char *node = NULL;
        PciAddr a = test_addr("0000:03:02.4"), b = test_addr("0000:03:02.5");
        int ga, gb;

        g_assert_cmpint(hw_function_iommu_group(hw, &a, &ga), ==, 0);
        g_assert_cmpint(hw_function_iommu_group(hw, &b, &gb), ==, 0);
        g_assert_cmpint(ga, ==, gb);
        g_assert_cmpint(hw_iommu_group_devices(hw, ga, &members), ==, 0);
        g_assert_cmpuint(members->len, ==, 2);
        node = hw_vfio_group_path(hw, ga);
        g_assert_cmpint(hw_function_bind_driver(hw, &a, "vfio-pci"), ==, 0);
        g_assert_cmpint(hw_function_bind_driver(hw, &b, "vfio-pci"), ==, 0);
        g_assert_cmpint(hw_function_bind_host_driver(hw, &a, NULL, 1), ==, 0);
        g_assert_true(path_is_fifo(node));
        g_assert_cmpint(hw_function_bind_host_driver(hw, &b, NULL, 1), ==, 0);
        g_assert_false(path_is_fifo(node));
}

/* Faults: bind, unbind with COUNT; IGNORE reports success and changes nothing, which the read-back after the
 * probe finds (-EIO); every failed bind reverts to the host driver */
static void test_bind_faults(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "1", "unbind EPERM 1",
                                             "--fail", "0000:03:00.0", "1", "bind EBUSY 1",
                                             "--fail", "0000:03:00.0", "2", "unbind IGNORE",
                                             "--fail", "0000:03:00.0", "3", "bind IGNORE 1", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        PciAddr vf1 = test_addr("0000:03:02.1"), vf2 = test_addr("0000:03:02.2"), vf3 = test_addr("0000:03:02.3");
        g_autofree char *d1 = NULL, *d2 = NULL, *d3 = NULL, *d4 = NULL, *d5 = NULL, *fail = NULL;

        g_assert_cmpint(hw_function_bind_driver(hw, &vf1, "vfio-pci"), ==, -EPERM);
        d1 = driver_of(hw, "0000:03:02.1");
        g_assert_cmpstr(d1, ==, "iavf");
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", NULL, NULL), ==, 0);
        g_assert_cmpint(hw_function_bind_driver(hw, &vf1, "vfio-pci"), ==, -EBUSY);
        d2 = driver_of(hw, "0000:03:02.1");
        g_assert_cmpstr(d2, ==, "iavf");        /* the bind step failed: reverted to its host driver */
        g_assert_cmpint(hw_function_bind_driver(hw, &vf1, "vfio-pci"), ==, 0);
        d3 = driver_of(hw, "0000:03:02.1");
        g_assert_cmpstr(d3, ==, "vfio-pci");
        fail = test_read_line(d->path, "vfstate/0000:03:00.0/vf1/fail");
        g_assert_cmpstr(fail, ==, "");          /* both counted lines used up */

        g_assert_cmpint(hw_function_bind_driver(hw, &vf2, "vfio-pci"), ==, -EIO);
        d4 = driver_of(hw, "0000:03:02.2");
        g_assert_cmpstr(d4, ==, "iavf");        /* IGNORE: still where it was; the driver did not take it */
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v2", NULL, NULL), ==, 0);

        g_assert_cmpint(hw_function_bind_driver(hw, &vf3, "vfio-pci"), ==, -EIO);
        d5 = driver_of(hw, "0000:03:02.3");
        g_assert_cmpstr(d5, ==, "iavf");        /* the bind dropped: reverted to its host driver */
        g_assert_cmpint(hw_function_bind_driver(hw, &vf3, "vfio-pci"), ==, 0);  /* the count is used up */
        g_clear_pointer(&d5, g_free);
        d5 = driver_of(hw, "0000:03:02.3");
        g_assert_cmpstr(d5, ==, "vfio-pci");
}

/* reset: the dirty mark goes; no reset file is -ENOTSUP; faults */
static void test_reset(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710 ",noreset=2", "--dirty", "0000:03:00.0", "1",
                                             "--dirty", "0000:03:00.0", "3", "--fail", "0000:03:00.0", "3", "reset IGNORE 1",
                                             "--fail", "0000:03:00.0", "4", "reset EINVAL", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        PciAddr vf1 = test_addr("0000:03:02.1"), vf2 = test_addr("0000:03:02.2"), vf3 = test_addr("0000:03:02.3");
        PciAddr vf4 = test_addr("0000:03:02.4"), pf = test_addr("0000:03:00.0");

        g_assert_true(path_exists(d, "vfstate/0000:03:00.0/vf1/dirty"));
        g_assert_cmpint(hw_function_reset(hw, &vf1), ==, 0);
        g_assert_false(path_exists(d, "vfstate/0000:03:00.0/vf1/dirty"));
        g_assert_cmpint(hw_function_reset(hw, &vf2), ==, -ENOTSUP);
        g_assert_cmpint(hw_function_reset(hw, &vf3), ==, 0);
        g_assert_true(path_exists(d, "vfstate/0000:03:00.0/vf3/dirty"));        /* IGNORE */
        g_assert_cmpint(hw_function_reset(hw, &vf3), ==, 0);
        g_assert_false(path_exists(d, "vfstate/0000:03:00.0/vf3/dirty"));
        g_assert_cmpint(hw_function_reset(hw, &vf4), ==, -EINVAL);
        g_assert_cmpint(hw_function_reset(hw, &pf), ==, 0);
}

/* rename and up/down; a macvtap's lower link follows a renamed lower */
static void test_rename_and_up(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL, m = NULL;
        g_autoptr(HwVirtualNetdev) v = NULL, v2 = NULL;

        g_assert_cmpint(hw_macvtap_create(hw, "eth0v1", "macvtap0", "vepa", "52:54:00:00:10:01", NULL), ==, 0);
        g_assert_cmpint(hw_netdev_rename(hw, "eth0v1", "eth0v0"), ==, -EEXIST);
        g_assert_cmpint(hw_netdev_rename(hw, "nosuch0", "other0"), ==, -ENODEV);
        g_assert_cmpint(hw_netdev_rename(hw, "eth0v1", "guest7"), ==, 0);
        g_assert_false(path_exists(d, "sys/class/net/eth0v1"));
        g_assert_cmpint(hw_lookup_netdev(hw, "guest7", &n, NULL), ==, 0);
        g_assert_false(n->up);
        g_assert_true(pci_addr_equal(&n->pci, &(PciAddr) { .bus = 3, .slot = 2, .function = 1 }));
        g_assert_cmpint(hw_virtual_netdev_read(hw, "macvtap0", &v), ==, 0);
        g_assert_cmpstr(v->lower, ==, "guest7");
        g_assert_cmpint(hw_netdev_set_up(hw, "guest7", true), ==, 0);
        g_assert_cmpint(hw_lookup_netdev(hw, "guest7", &m, NULL), ==, 0);
        g_assert_true(m->up);
        g_assert_cmpint(hw_netdev_set_up(hw, "nosuch0", true), ==, -ENODEV);
        g_assert_cmpint(hw_netdev_rename(hw, "macvtap0", "macvtap5"), ==, 0);
        g_assert_cmpint(hw_virtual_netdev_read(hw, "macvtap5", &v2), ==, 0);
        g_assert_false(v2->up);
        g_assert_cmpint(hw_virtual_netdev_delete(hw, "macvtap5"), ==, 0);
}

/* macvtap: what it writes, the refusals, passthru's rules, faults of the lower VF, the tap node */
/* An ifindex is new in the host however the host grew since the last one: a macvtap after the generator added
 * a PF, after a netdev made by hand with a high ifindex, and after one renamed in (sim_new_ifindex() reads
 * only what its watch reports once it has read the whole of sys/class/net) */
static void test_ifindex_after_host_changes(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *hand = g_build_filename(d->path, "sys/devices/virtual/net/hand0", NULL);
        g_autofree char *hand_link = g_build_filename(d->path, "sys/class/net/hand0", NULL);
        g_autofree char *moved = g_build_filename(d->path, "sys/class/net/hand1", NULL);
        g_autofree char *hand_ifindex = g_build_filename(hand, "ifindex", NULL);
        const char *names[] = { "macvtap0", "macvtap1", "macvtap2", "macvtap3" };
        int seen[G_N_ELEMENTS(names)];

        g_assert_cmpint(hw_macvtap_create(hw, "eth0", names[0], "bridge", "52:54:00:00:21:01", NULL), ==, 0);
        test_sim_change(d, "--add-pf", "name=eth9,bdf=0000:09:00.0,model=x710,vfs=4", NULL);
        seen[1] = max_ifindex(d);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", names[1], "bridge", "52:54:00:00:21:02", NULL), ==, 0);

        g_assert_cmpint(g_mkdir_with_parents(hand, 0755), ==, 0);
        g_assert_true(g_file_set_contents(hand_ifindex, "90000\n", -1, NULL));
        g_assert_cmpint(symlink("../../devices/virtual/net/hand0", hand_link), ==, 0);
        seen[2] = max_ifindex(d);
        g_assert_cmpint(seen[2], ==, 90000);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", names[2], "bridge", "52:54:00:00:21:03", NULL), ==, 0);

        g_assert_true(g_file_set_contents(hand_ifindex, "95000\n", -1, NULL));
        g_assert_cmpint(rename(hand_link, moved), ==, 0);      /* a rename into class/net is an entry added */
        seen[3] = max_ifindex(d);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", names[3], "bridge", "52:54:00:00:21:04", NULL), ==, 0);

        for (guint i = 1; i < G_N_ELEMENTS(names); i++) {
                g_autoptr(HwVirtualNetdev) v = NULL;

                g_assert_cmpint(hw_virtual_netdev_read(hw, names[i], &v), ==, 0);
                g_assert_cmpint(v->ifindex, ==, seen[i] + 1);
        }
}

/* What a create returned is what a read finds: the engine checks the macvtap from it alone */
static void assert_made_as_read(HwBackend *hw, const HwVirtualNetdev *made) {
        g_autoptr(HwVirtualNetdev) v = NULL;

        g_assert_nonnull(made);
        g_assert_cmpint(hw_virtual_netdev_read(hw, made->name, &v), ==, 0);
        g_assert_cmpint(made->kind, ==, v->kind);
        g_assert_cmpint(made->ifindex, ==, v->ifindex);
        g_assert_cmpstr(made->lower, ==, v->lower);
        g_assert_cmpstr(made->mode, ==, v->mode);
        g_assert_cmpstr(made->mac, ==, v->mac);
        g_assert_cmpstr(made->tap, ==, v->tap);
        g_assert_true(made->up == v->up);
}

/* The backend does not read the ifindex of a class/net entry it made itself, but the same name made anew by
 * someone else (deleted and made again by hand, with a high ifindex) is read */
static void test_ifindex_own_name_made_again(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *dir = g_build_filename(d->path, "sys/devices/virtual/net/macvtap0", NULL);
        g_autofree char *link = g_build_filename(d->path, "sys/class/net/macvtap0", NULL);
        g_autofree char *ifindex = g_build_filename(dir, "ifindex", NULL);
        g_autoptr(HwVirtualNetdev) made = NULL, v = NULL;

        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap0", "bridge", "52:54:00:00:22:01", &made), ==, 0);
        g_assert_cmpint(hw_virtual_netdev_delete(hw, "macvtap0"), ==, 0);
        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(ifindex, "97000\n", -1, NULL));
        g_assert_cmpint(symlink("../../devices/virtual/net/macvtap0", link), ==, 0);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap1", "bridge", "52:54:00:00:22:02", NULL), ==, 0);
        g_assert_cmpint(hw_virtual_netdev_read(hw, "macvtap1", &v), ==, 0);
        g_assert_cmpint(v->ifindex, ==, 97001);
}

/* What a process killed while making a macvtap left (its temporary directory, its directory without a class link)
 * is replaced by the next macvtap of that name, which has only its own files */
static void test_macvtap_after_killed_create(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *tmp = g_build_filename(d->path, "sys/devices/virtual/net/.new.macvtap0", NULL);
        g_autofree char *left = g_build_filename(d->path, "sys/devices/virtual/net/macvtap1", NULL);
        g_autofree char *tmp_file = g_build_filename(tmp, "stale", NULL), *left_file = NULL;
        g_autoptr(HwVirtualNetdev) made0 = NULL, made1 = NULL;

        g_assert_cmpint(g_mkdir_with_parents(tmp, 0755), ==, 0);
        g_assert_true(g_file_set_contents(tmp_file, "x\n", -1, NULL));
        g_assert_cmpint(g_mkdir_with_parents(left, 0755), ==, 0);
        left_file = g_build_filename(left, "stale", NULL);
        g_assert_true(g_file_set_contents(left_file, "x\n", -1, NULL));
        g_assert_cmpint(hw_virtual_netdev_read(hw, "macvtap1", &(HwVirtualNetdev *) { NULL }), ==, -ENODEV);

        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap0", "bridge", "52:54:00:00:23:01", &made0), ==, 0);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap1", "bridge", "52:54:00:00:23:02", &made1), ==, 0);
        assert_made_as_read(hw, made0);
        assert_made_as_read(hw, made1);
        g_assert_false(path_exists(d, "sys/devices/virtual/net/.new.macvtap0"));
        g_assert_false(path_exists(d, "sys/devices/virtual/net/macvtap0/stale"));
        g_assert_false(path_exists(d, "sys/devices/virtual/net/macvtap1/stale"));
}

static void test_macvtap(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "2", "macvtap EBUSY 1",
                                             "--fail", "0000:03:00.0", "3", "macvtap IGNORE", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwVirtualNetdev) v = NULL, pt = NULL, other = NULL, made = NULL, made_pt = NULL, ignored = NULL;
        g_autoptr(HwNetdev) lower = NULL;
        g_autoptr(GPtrArray) list = NULL;
        g_autofree char *tap_node = NULL, *lower_link = NULL, *class_link = NULL, *expect_tap = NULL, *extra = NULL;
        g_autofree char *lower_path = g_build_filename(d->path, "sys/devices/virtual/net/macvtap0/lower", NULL);
        g_autofree char *class_path = g_build_filename(d->path, "sys/class/net/macvtap0", NULL);
        int fd = -1, before = max_ifindex(d);

        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap0", "bridge", "52:54:00:00:20:01", &made), ==, 0);
        assert_made_as_read(hw, made);
        g_assert_cmpint(hw_virtual_netdev_read(hw, "macvtap0", &v), ==, 0);
        g_assert_cmpint(v->kind, ==, HW_VIRTUAL_MACVTAP);
        g_assert_cmpstr(v->lower, ==, "eth0");
        g_assert_cmpstr(v->mode, ==, "bridge");
        g_assert_cmpstr(v->mac, ==, "52:54:00:00:20:01");
        g_assert_true(v->up);
        g_assert_cmpint(v->ifindex, ==, before + 1);
        expect_tap = g_strdup_printf("tap%d", v->ifindex);
        g_assert_cmpstr(v->tap, ==, expect_tap);
        tap_node = g_strdup_printf("%s/dev/%s", d->path, v->tap);
        g_assert_true(path_is_fifo(tap_node));
        lower_link = g_file_read_link(lower_path, NULL);
        g_assert_cmpstr(lower_link, ==, "../../../pci0000:00/0000:03:00.0/net/eth0");
        class_link = g_file_read_link(class_path, NULL);
        g_assert_cmpstr(class_link, ==, "../../devices/virtual/net/macvtap0");

        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap0", "bridge", "52:54:00:00:20:02", NULL), ==, -EEXIST);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "eth0v1", "bridge", "52:54:00:00:20:02", NULL), ==, -EEXIST);
        g_assert_cmpint(hw_macvtap_create(hw, "nosuch0", "macvtap1", "bridge", "52:54:00:00:20:02", NULL), ==, -ENODEV);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap1", "passthru", "52:54:00:00:20:02", NULL), ==, -EBUSY);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0", "macvtap1", "sideways", "52:54:00:00:20:02", NULL), ==, -EINVAL);
        g_assert_false(path_exists(d, "sys/devices/virtual/net/macvtap1"));

        /* passthru: alone on its lower, with its lower's MAC */
        g_assert_cmpint(hw_macvtap_create(hw, "eth0v0", "macvtap1", "passthru", "52:54:00:00:20:03", &made_pt), ==, 0);
        assert_made_as_read(hw, made_pt);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v0", &lower, NULL), ==, 0);
        g_assert_cmpint(hw_virtual_netdev_read(hw, "macvtap1", &pt), ==, 0);
        g_assert_cmpstr(pt->mac, ==, lower->mac);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0v0", "macvtap2", "private", "52:54:00:00:20:04", NULL), ==, -EBUSY);

        /* faults from the fail file of the lower's VF */
        g_assert_cmpint(hw_macvtap_create(hw, "eth0v2", "macvtap2", "passthru", "52:54:00:00:20:05", NULL), ==, -EBUSY);
        g_assert_false(path_exists(d, "sys/class/net/macvtap2"));
        g_assert_cmpint(hw_macvtap_create(hw, "eth0v2", "macvtap2", "passthru", "52:54:00:00:20:05", NULL), ==, 0);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0v3", "macvtap3", "passthru", "52:54:00:00:20:06", &ignored), ==, 0);
        g_assert_false(path_exists(d, "sys/class/net/macvtap3"));       /* IGNORE */
        g_assert_null(ignored);                                         /* reported made, and none there */

        g_assert_cmpint(hw_virtual_netdev_list(hw, &list), ==, 0);
        g_assert_cmpuint(list->len, ==, 3);
        g_assert_cmpstr(((HwVirtualNetdev *) list->pdata[0])->name, ==, "macvtap0");
        g_assert_cmpint(hw_virtual_netdev_read(hw, "eth0", &other), ==, -ENOTSUP);
        g_assert_cmpint(hw_virtual_netdev_read(hw, "nosuch0", &other), ==, -ENODEV);

        /* the tap: a write goes through */
        g_assert_cmpint(hw_macvtap_open_tap(hw, "macvtap0", &fd), ==, 0);
        g_assert_cmpint(write(fd, "x", 1), ==, 1);
        close(fd);
        g_assert_cmpint(hw_macvtap_open_tap(hw, "nosuch0", &fd), ==, -ENODEV);

        /* a file of someone else's in its directory goes with it too */
        extra = g_build_filename(d->path, "sys/devices/virtual/net/macvtap0/note", NULL);
        g_assert_true(g_file_set_contents(extra, "mine\n", -1, NULL));
        g_assert_cmpint(hw_virtual_netdev_delete(hw, "macvtap0"), ==, 0);
        g_assert_false(path_exists(d, "sys/class/net/macvtap0"));
        g_assert_false(path_exists(d, "sys/devices/virtual/net/macvtap0"));
        g_assert_false(path_is_fifo(tap_node));
        g_assert_cmpint(hw_virtual_netdev_delete(hw, "macvtap0"), ==, -ENODEV);
        g_assert_cmpint(hw_virtual_netdev_delete(hw, "eth0v1"), ==, -ENOTSUP);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", NULL, NULL), ==, 0);
}

/* VLAN devices (hybrid's virtio path), a macvtap over one, and what goes with what */
static void test_vlan(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwVirtualNetdev) v = NULL, m = NULL;
        g_autoptr(HwNetdev) pf = NULL;

        g_assert_cmpint(hw_lookup_netdev(hw, "eth0", &pf, NULL), ==, 0);
        g_assert_cmpint(hw_vlan_create(hw, "eth0", "eth0.42", 42), ==, 0);
        g_assert_cmpint(hw_virtual_netdev_read(hw, "eth0.42", &v), ==, 0);
        g_assert_cmpint(v->kind, ==, HW_VIRTUAL_VLAN);
        g_assert_cmpuint(v->vlan_id, ==, 42);
        g_assert_cmpstr(v->lower, ==, "eth0");
        g_assert_cmpstr(v->mac, ==, pf->mac);
        g_assert_true(v->up);
        g_assert_null(v->tap);
        g_assert_cmpint(hw_vlan_create(hw, "eth0", "eth0.42", 42), ==, -EEXIST);
        g_assert_cmpint(hw_vlan_create(hw, "eth0", "vlan42", 42), ==, -EEXIST);  /* one per id and lower */
        g_assert_cmpint(hw_vlan_create(hw, "nosuch0", "x.42", 42), ==, -ENODEV);
        g_assert_cmpint(hw_vlan_create(hw, "eth0", "eth0.0", 0), ==, -EINVAL);

        g_assert_cmpint(hw_macvtap_create(hw, "eth0.42", "macvtap0", "vepa", "52:54:00:00:30:01", NULL), ==, 0);
        g_assert_cmpint(hw_virtual_netdev_read(hw, "macvtap0", &m), ==, 0);
        g_assert_cmpstr(m->lower, ==, "eth0.42");
        /* a macvtap's delete leaves anything else alone */
        g_assert_cmpint(hw_macvtap_delete(hw, "eth0.42"), ==, -ENOTSUP);
        g_assert_cmpint(hw_macvtap_delete(hw, "eth0"), ==, -ENOTSUP);
        g_assert_cmpint(hw_macvtap_delete(hw, "nosuch0"), ==, -ENODEV);
        g_assert_true(path_exists(d, "sys/class/net/eth0.42"));
        g_assert_true(path_exists(d, "sys/devices/virtual/net/eth0.42/vlan_id"));
        g_assert_true(path_exists(d, "sys/class/net/macvtap0"));
        g_assert_cmpint(hw_virtual_netdev_delete(hw, "eth0.42"), ==, 0);
        g_assert_false(path_exists(d, "sys/class/net/macvtap0"));       /* went with its lower */

        /* the hypervisor's changes: a PF that goes takes its VLAN device and the macvtap on it along */
        g_assert_cmpint(hw_vlan_create(hw, "eth0", "eth0.7", 7), ==, 0);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0.7", "macvtap1", "vepa", "52:54:00:00:30:02", NULL), ==, 0);
        g_assert_cmpint(hw_macvtap_create(hw, "eth0v5", "macvtap2", "passthru", "52:54:00:00:30:03", NULL), ==, 0);
        test_simhost(d->path, "--quiet", "--set-numvfs", "0000:03:00.0", "4", NULL);
        g_assert_false(path_exists(d, "sys/class/net/macvtap2"));
        g_assert_true(path_exists(d, "sys/class/net/macvtap1"));
        test_simhost(d->path, "--quiet", "--remove-pf", "0000:03:00.0", NULL);
        g_assert_false(path_exists(d, "sys/class/net/eth0.7"));
        g_assert_false(path_exists(d, "sys/class/net/macvtap1"));
}

/* The VF ops' new fault OPs, and IGNORE */
static void test_vf_op_faults(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "1", "set_trust EPERM",
                                             "--fail", "0000:03:00.0", "1", "set_spoofchk IGNORE",
                                             "--fail", "0000:03:00.0", "1", "set_link_state EBUSY 1",
                                             "--fail", "0000:03:00.0", "1", "set_mac IGNORE 1",
                                             "--fail", "0000:03:00.0", "1", "get IGNORE", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        VfConfig c = {};

        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 1, true), ==, -EPERM);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, "eth0", 1, false), ==, 0);
        g_assert_cmpint(hw_vf_set_link_state(hw, "eth0", 1, VF_LINK_STATE_DISABLE), ==, -EBUSY);
        g_assert_cmpint(hw_vf_set_link_state(hw, "eth0", 1, VF_LINK_STATE_DISABLE), ==, 0);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 1, "52:54:00:00:40:01"), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 1, &c), ==, 0);
        g_assert_cmpstr(c.mac, ==, "00:00:00:00:00:00");        /* IGNORE: nothing changed */
        g_assert_cmpint(c.spoofchk, ==, 1);
        g_assert_cmpint(c.trust, ==, 0);
        g_assert_cmpint(c.link_state, ==, VF_LINK_STATE_DISABLE);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 1, "52:54:00:00:40:01"), ==, 0);     /* count used up */
        assert_mac(hw, "eth0", 1, "52:54:00:00:40:01");
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 2, true), ==, 0);   /* per VF */
}

static void remove_file(TestDir *d, const char *rel) {
        g_autofree char *path = g_build_filename(d->path, rel, NULL);

        g_assert_cmpint(unlink(path), ==, 0);
}

/* Rates, VLAN protocol and a netdev's MTU: the generator's values, a set read back, the files (simhost 1.1) */
static void test_rate_proto_mtu_roundtrip(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL, n2 = NULL;
        g_autofree char *max = NULL, *proto = NULL, *mtu = NULL;
        VfConfig c = {};

        g_assert_cmpint(hw_vf_get(hw, "eth0", 2, &c), ==, 0);
        g_assert_true(c.has_rate);
        g_assert_cmpuint(c.min_tx_rate, ==, 0);
        g_assert_cmpuint(c.max_tx_rate, ==, 0);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021Q);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v2", &n, NULL), ==, 0);
        g_assert_cmpuint(n->mtu, ==, 1500);

        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 2, 100, 2500), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 2, 42, 3), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 2, VF_VLAN_PROTO_8021AD), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(hw, "eth0v2", 9000), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 2, &c), ==, 0);
        g_assert_cmpuint(c.min_tx_rate, ==, 100);
        g_assert_cmpuint(c.max_tx_rate, ==, 2500);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpuint(c.vlan, ==, 42);              /* kept by the protocol's set */
        g_assert_cmpuint(c.qos, ==, 3);
        max = test_read_line(d->path, "vfstate/0000:03:00.0/vf2/p1/max_tx_rate");
        g_assert_cmpstr(max, ==, "2500");
        proto = test_read_line(d->path, "vfstate/0000:03:00.0/vf2/p1/vlan_proto");
        g_assert_cmpstr(proto, ==, "802.1ad");
        mtu = test_read_line(d->path, "sys/class/net/eth0v2/mtu");
        g_assert_cmpstr(mtu, ==, "9000");
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v2", &n2, NULL), ==, 0);
        g_assert_cmpuint(n2->mtu, ==, 9000);

        /* limits, checked before anything is looked up */
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 2, 300, 200), ==, -EINVAL);
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 2, 300, 0), ==, 0);         /* a min alone */
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 2, _VF_VLAN_PROTO_MAX), ==, -EINVAL);
        g_assert_cmpint(hw_netdev_set_mtu(hw, "eth0v2", 67), ==, -EINVAL);
        g_assert_cmpint(hw_netdev_set_mtu(hw, "nosuch0", 1500), ==, -ENODEV);
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 9, 0, 0), ==, -ENODEV);

        /* a host without the 1.1 files reports neither: not known, rather than 0 */
        remove_file(d, "vfstate/0000:03:00.0/vf1/p1/min_tx_rate");
        remove_file(d, "vfstate/0000:03:00.0/vf1/p1/max_tx_rate");
        remove_file(d, "vfstate/0000:03:00.0/vf1/p1/vlan_proto");
        g_assert_cmpint(hw_vf_get(hw, "eth0", 1, &c), ==, 0);
        g_assert_false(c.has_rate);
        g_assert_cmpint(c.vlan_proto, ==, _VF_VLAN_PROTO_INVALID);
}

/* set_rate, set_vlan_proto, set_mtu faults, IGNORE included; a down PF refuses the VF sets */
static void test_rate_proto_mtu_faults(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "1", "set_rate EOPNOTSUPP",
                                             "--fail", "0000:03:00.0", "1", "set_vlan_proto EPERM 1",
                                             "--fail", "0000:03:00.0", "1", "set_mtu IGNORE",
                                             "--fail", "0000:03:00.0", "2", "set_mtu EINVAL 1", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwNetdev) n = NULL;
        VfConfig c = {};

        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 1, 0, 1000), ==, -EOPNOTSUPP);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 1, VF_VLAN_PROTO_8021AD), ==, -EPERM);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 1, VF_VLAN_PROTO_8021AD), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(hw, "eth0v1", 9000), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 1, &c), ==, 0);
        g_assert_cmpuint(c.max_tx_rate, ==, 0);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", &n, NULL), ==, 0);
        g_assert_cmpuint(n->mtu, ==, 1500);     /* IGNORE: nothing changed */
        g_assert_cmpint(hw_netdev_set_mtu(hw, "eth0v2", 9000), ==, -EINVAL);
        g_assert_cmpint(hw_netdev_set_mtu(hw, "eth0v2", 9000), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(hw, "eth0", 9000), ==, 0);   /* a PF's netdev: no VF faults */

        test_sim_change(d, "--link", "eth0", "down", NULL);
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 3, 0, 1000), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 3, VF_VLAN_PROTO_8021AD), ==, -ENETDOWN);
}

/* A VF batch: a fault with COUNT still goes down once per op inside it, IGNORE still changes nothing, and a fault
 * file written during the batch (the VF had one at its start) is read by the next op */
static void test_batch_fail_count(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "1", "set_trust EBUSY 2",
                                             "--fail", "0000:03:00.0", "1", "set_mac IGNORE 1", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwVfBatch) batch = hw_vf_batch_begin(hw, "eth0", 1);
        g_autofree char *fail = NULL, *trust = NULL, *mac = NULL;
        VfConfig c = {};

        g_assert_cmpint(hw_vf_get(hw, "eth0", 1, &c), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 1, true), ==, -EBUSY);
        fail = test_read_line(d->path, "vfstate/0000:03:00.0/vf1/fail");
        g_assert_cmpstr(fail, ==, "set_trust EBUSY 1");
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 1, true), ==, -EBUSY);
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 1, true), ==, 0);
        trust = test_read_line(d->path, "vfstate/0000:03:00.0/vf1/p1/trust");
        g_assert_cmpstr(trust, ==, "1");

        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 1, "52:54:00:00:01:01"), ==, 0);     /* IGNORE, once */
        mac = test_read_line(d->path, "vfstate/0000:03:00.0/vf1/p1/mac");
        g_assert_cmpstr(mac, ==, c.mac);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 1, "52:54:00:00:01:01"), ==, 0);
        g_clear_pointer(&mac, g_free);
        mac = test_read_line(d->path, "vfstate/0000:03:00.0/vf1/p1/mac");
        g_assert_cmpstr(mac, ==, "52:54:00:00:01:01");
        g_clear_pointer(&fail, g_free);
        fail = test_read_line(d->path, "vfstate/0000:03:00.0/vf1/fail");
        g_assert_cmpstr(fail, ==, "");          /* both counted lines used up, by four ops of one batch */

        test_sim_change(d, "--fail", "0000:03:00.0", "1", "set_vlan EPERM 1", NULL);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 1, 10, 0), ==, -EPERM);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 1, 10, 0), ==, 0);
}

/* What one batch found is not the next one's: a fault injected between two, a PF netdev gone down, a file changed
 * by someone else, all reach the next batch */
static void test_batch_next_looks_afresh(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *qos_path = g_build_filename(d->path, "vfstate/0000:03:00.0/vf2/p1/qos", NULL);
        g_autofree char *qos = NULL;
        HwVfBatch *batch;
        VfConfig c = {};

        batch = hw_vf_batch_begin(hw, "eth0", 2);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 2, &c), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 2, 10, 0), ==, 0);
        g_assert_null(hw_vf_batch_end(batch));

        test_sim_change(d, "--fail", "0000:03:00.0", "2", "set_vlan EPERM 1", NULL);
        g_assert_true(g_file_set_contents(qos_path, "5\n", -1, NULL));
        batch = hw_vf_batch_begin(hw, "eth0", 2);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 2, 0, 0), ==, -EPERM);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 2, 0, 0), ==, 0);
        qos = test_read_line(d->path, "vfstate/0000:03:00.0/vf2/p1/qos");
        g_assert_cmpstr(qos, ==, "0");          /* the 5 written meanwhile was read, not taken as the 0 known */
        g_assert_null(hw_vf_batch_end(batch));

        test_sim_change(d, "--link", "eth0", "down", NULL);
        batch = hw_vf_batch_begin(hw, "eth0", 2);
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 2, true), ==, -ENETDOWN);
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 99, true), ==, -ENODEV);    /* not the batch's VF */
        g_assert_cmpint(hw_vf_get(hw, "eth0", 2, &c), ==, 0);                   /* a get on a down PF works */
        g_assert_null(hw_vf_batch_end(batch));
}

/* In a batch, a set that writes a value only where it changed takes what the batch read or wrote, and writes
 * what changed; ops on another VF, and a second batch begun inside one, go on as without */
static void test_batch_values(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--fail", "0000:03:00.0", "4", "set_mac EINVAL", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwVfBatch) batch = hw_vf_batch_begin(hw, "eth0", 3);
        g_autoptr(HwVfBatch) inner = hw_vf_batch_begin(hw, "eth0", 4);
        g_autofree char *qos = NULL, *min = NULL, *proto = NULL;
        VfConfig c = {};

        g_assert_cmpint(hw_vf_get(hw, "eth0", 3, &c), ==, 0);
        g_assert_cmpuint(c.qos, ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 3, 10, 3), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 3, 100, 1000), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 3, VF_VLAN_PROTO_8021AD), ==, 0);
        g_assert_cmpint(hw_vf_get(hw, "eth0", 3, &c), ==, 0);
        g_assert_cmpuint(c.vlan, ==, 10);
        g_assert_cmpuint(c.qos, ==, 3);
        g_assert_cmpuint(c.min_tx_rate, ==, 100);
        g_assert_cmpint(c.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpint(hw_vf_set_vlan(hw, "eth0", 3, 0, 0), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(hw, "eth0", 3, 0, 0), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan_proto(hw, "eth0", 3, VF_VLAN_PROTO_8021Q), ==, 0);
        qos = test_read_line(d->path, "vfstate/0000:03:00.0/vf3/p1/qos");
        min = test_read_line(d->path, "vfstate/0000:03:00.0/vf3/p1/min_tx_rate");
        proto = test_read_line(d->path, "vfstate/0000:03:00.0/vf3/p1/vlan_proto");
        g_assert_cmpstr(qos, ==, "0");
        g_assert_cmpstr(min, ==, "0");
        g_assert_cmpstr(proto, ==, "802.1Q");

        /* VF 4 is not the batch's (the inner batch changes nothing): its fault file is read every time */
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 4, "52:54:00:00:04:04"), ==, -EINVAL);
        test_sim_change(d, "--clear-fail", "0000:03:00.0", "4", NULL);
        g_assert_cmpint(hw_vf_set_mac(hw, "eth0", 4, "52:54:00:00:04:04"), ==, 0);
        g_assert_null(hw_vf_batch_end(g_steal_pointer(&inner)));
        g_assert_cmpint(hw_vf_set_trust(hw, "eth0", 3, true), ==, 0);  /* the outer one goes on */
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hw/sim/x710", test_x710);
        g_test_add_func("/hw/sim/gap", test_gap);
        g_test_add_func("/hw/sim/numvfs-below-total", test_numvfs_below_total);
        g_test_add_func("/hw/sim/cx3-netdevs", test_cx3_netdevs);
        g_test_add_func("/hw/sim/cx3-single-port-vf", test_cx3_single_port_vf);
        g_test_add_func("/hw/sim/cx3-dual-port-vf", test_cx3_dual_port_vf);
        g_test_add_func("/hw/sim/sfc-vf-without-netdev", test_sfc_vf_without_netdev);
        g_test_add_func("/hw/sim/vf-ops-roundtrip", test_vf_ops_roundtrip);
        g_test_add_func("/hw/sim/rate-proto-mtu-roundtrip", test_rate_proto_mtu_roundtrip);
        g_test_add_func("/hw/sim/rate-proto-mtu-faults", test_rate_proto_mtu_faults);
        g_test_add_func("/hw/sim/netdev-set-mac", test_netdev_set_mac);
        g_test_add_func("/hw/sim/unchanged-values-kept", test_unchanged_values_kept);
        g_test_add_func("/hw/sim/read-netdev-attrs", test_read_netdev_attrs);
        g_test_add_func("/hw/sim/vf-place", test_vf_place);
        g_test_add_func("/hw/sim/fail-with-count", test_fail_with_count);
        g_test_add_func("/hw/sim/fail-without-count", test_fail_without_count);
        g_test_add_func("/hw/sim/batch/fail-count", test_batch_fail_count);
        g_test_add_func("/hw/sim/batch/next-looks-afresh", test_batch_next_looks_afresh);
        g_test_add_func("/hw/sim/batch/values", test_batch_values);
        g_test_add_func("/hw/sim/set-mac-zero", test_set_mac_zero);
        g_test_add_func("/hw/sim/enetdown", test_enetdown);
        g_test_add_func("/hw/sim/enodev", test_enodev);
        g_test_add_func("/hw/sim/invalid-names", test_invalid_names);
        g_test_add_func("/hw/sim/new", test_new_sim);
        g_test_add_func("/hw/sim/assign-release", test_assign_release);
        g_test_add_func("/hw/sim/function-driver", test_function_driver);
        g_test_add_func("/hw/sim/vf-topology", test_vf_topology);
        g_test_add_func("/hw/sim/sriov-pfs", test_sriov_pfs);
        g_test_add_func("/hw/sim/vf-topology-one-port", test_vf_topology_one_port);
        g_test_add_func("/hw/sim/vf-inventory", test_vf_inventory);
        g_test_add_func("/hw/sim/lookup-topology", test_lookup_topology);
        g_test_add_func("/hw/sim/resize", test_resize);
        g_test_add_func("/hw/sim/hwinfo", test_hwinfo);
        g_test_add_func("/hw/sim/bind-vfio-and-back", test_bind_vfio_and_back);
        g_test_add_func("/hw/sim/bind-back-netdevs", test_bind_back_netdevs);
        g_test_add_func("/hw/sim/bind-refusals", test_bind_refusals);
        g_test_add_func("/hw/sim/shared-group-node", test_shared_group_node);
        g_test_add_func("/hw/sim/bind-faults", test_bind_faults);
        g_test_add_func("/hw/sim/reset", test_reset);
        g_test_add_func("/hw/sim/rename-and-up", test_rename_and_up);
        g_test_add_func("/hw/sim/macvtap", test_macvtap);
        g_test_add_func("/hw/sim/ifindex-after-host-changes", test_ifindex_after_host_changes);
        g_test_add_func("/hw/sim/ifindex-own-name-made-again", test_ifindex_own_name_made_again);
        g_test_add_func("/hw/sim/macvtap-after-killed-create", test_macvtap_after_killed_create);
        g_test_add_func("/hw/sim/vlan", test_vlan);
        g_test_add_func("/hw/sim/vf-op-faults", test_vf_op_faults);
        return g_test_run();
}
