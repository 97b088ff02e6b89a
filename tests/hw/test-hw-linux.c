/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the linux backend: its sysfs discovery against a sim tree, and rtnetlink on lo */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>

#include <glib.h>

#include "hw/hw-link-watch.h"
#include "hw/hw-linux.h"
#include "hw/hw-sim.h"
#include "hw/hw.h"
#include "hw-test-util.h"

static void assert_netdevs_equal(const HwNetdev *a, const HwNetdev *b) {
        g_assert_cmpstr(a->name, ==, b->name);
        g_assert_cmpint(a->ifindex, ==, b->ifindex);
        g_assert_cmpint(a->dev_port, ==, b->dev_port);
        g_assert_cmpstr(a->phys_port_id, ==, b->phys_port_id);
        g_assert_cmpstr(a->mac, ==, b->mac);
        g_assert_cmpint(a->up, ==, b->up);
        g_assert_cmpint(a->has_pci, ==, b->has_pci);
        g_assert_true(pci_addr_equal(&a->pci, &b->pci));
}

static void assert_functions_equal(const HwFunction *a, const HwFunction *b) {
        g_assert_true(pci_addr_equal(&a->addr, &b->addr));
        g_assert_cmphex(a->vendor_id, ==, b->vendor_id);
        g_assert_cmphex(a->device_id, ==, b->device_id);
        g_assert_cmpstr(a->vendor_name, ==, b->vendor_name);
        g_assert_cmpstr(a->device_name, ==, b->device_name);
        g_assert_cmpstr(a->driver, ==, b->driver);
        g_assert_cmpint(a->is_pf, ==, b->is_pf);
        g_assert_cmpuint(a->total_vfs, ==, b->total_vfs);
        g_assert_cmpuint(a->num_vfs, ==, b->num_vfs);
        g_assert_cmpint(a->is_vf, ==, b->is_vf);
        g_assert_true(pci_addr_equal(&a->physfn, &b->physfn));
        g_assert_cmpint(a->vf_index, ==, b->vf_index);
        g_assert_cmpuint(a->netdevs->len, ==, b->netdevs->len);
        for (guint i = 0; i < a->netdevs->len; i++)
                assert_netdevs_equal(a->netdevs->pdata[i], b->netdevs->pdata[i]);
}

/* Both backends read the same tree with the same code path in hw-sysfs.c; this checks that the
 * linux backend really reads the root it is given, and reads all of it. */
static void test_sysfs_agrees_with_sim(void) {
        g_autoptr(TestDir) d = test_sim_host("--default", "--pf", "name=eth9,bdf=0000:0a:00.0,model=x710,vfs=4,gap=1",
                                             "--assign", "0000:03:02.3", NULL);
        g_autoptr(HwBackend) sim = test_sim_backend(d);
        g_autoptr(HwBackend) linux_hw = NULL;
        const char *pf_netdevs[] = { "eth0", "ens1", "ens1d1", "sfc0", "eth9" };
        unsigned vfs_seen = 0;

        g_assert_cmpint(hw_backend_new_linux(d->path, &linux_hw), ==, 0);
        g_assert_cmpstr(hw_backend_name(linux_hw), ==, "linux");
        for (size_t i = 0; i < G_N_ELEMENTS(pf_netdevs); i++) {
                g_autoptr(HwNetdev) sn = NULL, ln = NULL;
                g_autoptr(HwFunction) sf = NULL, lf = NULL;
                g_autoptr(GPtrArray) svfs = NULL, lvfs = NULL;

                g_assert_cmpint(hw_lookup_netdev(sim, pf_netdevs[i], &sn, &sf), ==, 0);
                g_assert_cmpint(hw_lookup_netdev(linux_hw, pf_netdevs[i], &ln, &lf), ==, 0);
                assert_netdevs_equal(sn, ln);
                assert_functions_equal(sf, lf);
                g_assert_cmpint(hw_list_vfs(sim, sf, &svfs), ==, 0);
                g_assert_cmpint(hw_list_vfs(linux_hw, lf, &lvfs), ==, 0);
                g_assert_cmpuint(svfs->len, ==, lvfs->len);
                for (guint v = 0; v < svfs->len; v++) {
                        const HwFunction *svf = svfs->pdata[v];

                        assert_functions_equal(svf, lvfs->pdata[v]);
                        for (guint k = 0; k < svf->netdevs->len; k++) {
                                const HwNetdev *vn = svf->netdevs->pdata[k];
                                g_autoptr(HwNetdev) by_name = NULL;

                                g_assert_cmpint(hw_lookup_netdev(linux_hw, vn->name, &by_name, NULL), ==, 0);
                                assert_netdevs_equal(vn, by_name);
                        }
                        vfs_seen++;
                }
        }
        g_assert_cmpuint(vfs_seen, ==, 8 + 8 + 8 + 4 + 3);     /* ens1 and ens1d1 share their VFs */
}

static void test_new_linux(void) {
        g_autoptr(TestDir) empty = test_dir_new();
        HwBackend *hw = NULL;

        g_assert_cmpint(hw_backend_new_linux(empty->path, &hw), ==, -ENOENT);
        g_assert_null(hw);
        g_assert_cmpint(hw_backend_new_linux(NULL, &hw), ==, 0);
        g_assert_nonnull(hw);
        hw_backend_free(hw);
}

/* The real system: lo has no PCI function and no VFs. rtnetlink finds it (-ENOTSUP, where a missing
 * link is -ENODEV) and every VF operation fails cleanly. */
static void test_lo(void) {
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(HwNetdev) n = NULL;
        g_autoptr(HwFunction) f = NULL;
        g_autofree char *before = NULL, *after = NULL;
        VfConfig c = {};
        int r;

        g_assert_cmpint(hw_backend_new_linux("", &hw), ==, 0);
        if (!g_file_test("/sys/class/net/lo", G_FILE_TEST_EXISTS)) {
                g_test_skip("no /sys/class/net/lo here");
                return;
        }
        g_assert_cmpint(hw_lookup_netdev(hw, "lo", &n, &f), ==, 0);
        g_assert_cmpstr(n->name, ==, "lo");
        g_assert_cmpint(n->ifindex, ==, (int) if_nametoindex("lo"));
        g_assert_false(n->has_pci);
        g_assert_null(f);

        g_assert_cmpint(hw_vf_get(hw, "lo", 0, &c), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_mac(hw, "lo", 0, "52:54:00:00:00:01"), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_vlan(hw, "lo", 0, 10, 0), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_spoofchk(hw, "lo", 0, true), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_trust(hw, "lo", 0, true), ==, -ENOTSUP);
        g_assert_cmpint(hw_vf_set_link_state(hw, "lo", 0, VF_LINK_STATE_AUTO), ==, -ENOTSUP);

        /* lo's MAC set to the address it has: a real RTM_SETLINK round trip that changes nothing.
         * The kernel's answer depends on it and on privileges; it must come back as an errno. */
        before = test_read_line("/", "sys/class/net/lo/address");
        g_assert_nonnull(before);
        r = hw_netdev_set_mac(hw, "lo", before);
        g_test_message("set lo's MAC to %s: %d", before, r);
        g_assert_true(r == 0 || r == -EPERM || r == -EACCES || r == -EADDRNOTAVAIL || r == -EOPNOTSUPP);
        after = test_read_line("/", "sys/class/net/lo/address");
        g_assert_cmpstr(after, ==, before);

        g_assert_cmpint(hw_vf_get(hw, "nosuch0", 0, &c), ==, -ENODEV);
        g_assert_cmpint(hw_vf_set_mac(hw, "nosuch0", 0, "52:54:00:00:00:01"), ==, -ENODEV);
        g_assert_cmpint(hw_netdev_set_mac(hw, "nosuch0", "52:54:00:00:00:01"), ==, -ENODEV);
        g_assert_cmpint(hw_vf_get(hw, "bad/name", 0, &c), ==, -EINVAL);
}

/* The link watch's socket on the host (the kernel test bed makes the changes): non-blocking, close-on-exec, a read
 * of nothing is no error, and a VF needs nothing (-EINVAL only for a name that cannot be one) */
static void test_link_watch(void) {
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(HwLinkWatch) w = NULL;
        g_autoptr(GHashTable) changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        bool overflow = true;
        int fd;

        g_assert_cmpint(hw_backend_new_linux("", &hw), ==, 0);
        g_assert_cmpint(hw_link_watch_new(hw, &w), ==, 0);
        fd = hw_link_watch_fd(w);
        g_assert_cmpint(fd, >=, 0);
        g_assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
        g_assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        g_assert_cmpint(hw_link_watch_add_vf(w, "lo", 0), ==, 0);
        g_assert_cmpint(hw_link_watch_add_vf(w, "bad/name", 0), ==, -EINVAL);
        hw_link_watch_remove_vf(w, "lo", 0);
        g_assert_cmpint(hw_link_watch_read(w, changed, &overflow), ==, 0);
        g_assert_false(overflow);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hw/linux/sysfs-agrees-with-sim", test_sysfs_agrees_with_sim);
        g_test_add_func("/hw/linux/new", test_new_linux);
        g_test_add_func("/hw/linux/lo", test_lo);
        g_test_add_func("/hw/linux/link-watch", test_link_watch);
        return g_test_run();
}
