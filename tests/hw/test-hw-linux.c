/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the linux backend: its sysfs discovery against a sim tree, and rtnetlink on lo */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
        g_assert_cmpint(a->link_type, ==, b->link_type);
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
        g_assert_cmpint(a->numa_node, ==, b->numa_node);
        g_assert_cmpstr(a->pcie_root, ==, b->pcie_root);
        g_assert_cmpint(a->iommu_group, ==, b->iommu_group);
        g_assert_cmpuint(a->netdevs->len, ==, b->netdevs->len);
        for (guint i = 0; i < a->netdevs->len; i++)
                assert_netdevs_equal(a->netdevs->pdata[i], b->netdevs->pdata[i]);
}

/* Both backends read the same tree with the same code path in hw-sysfs.c; this checks that the
 * linux backend really reads the root it is given, and reads all of it. */
static void test_sysfs_agrees_with_sim(void) {
        g_autoptr(TestDir) d = test_sim_host("--default", "--pf",
                                             "name=eth9,bdf=0000:0a:00.0,model=x710,vfs=4,gap=1,numa=1,iommu=no",
                                             "--assign", "0000:03:02.3", "--link-type", "eth9v2", "infiniband",
                                             "--numa-node", "0000:0a:02.3", "none", NULL);
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

/* The real PCI functions of this machine: NUMA node, PCI root and IOMMU group as sysfs has them, read here
 * another way (realpath, the whole file) */
static void test_real_functions(void) {
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(GDir) dir = g_dir_open("/sys/bus/pci/devices", 0, NULL);
        const char *name;
        unsigned seen = 0;

        if (!dir) {
                g_test_skip("no PCI functions here");
                return;
        }
        g_assert_cmpint(hw_backend_new_linux("", &hw), ==, 0);
        while ((name = g_dir_read_name(dir))) {
                g_autofree char *link = g_build_filename("/sys/bus/pci/devices", name, NULL);
                g_autofree char *real = realpath(link, NULL), *numa_path = g_build_filename(link, "numa_node", NULL);
                g_autofree char *group_path = g_build_filename(link, "iommu_group", NULL), *numa = NULL;
                g_autofree char *group_link = g_file_read_link(group_path, NULL), *mode = NULL;
                g_auto(GStrv) parts = NULL;
                g_autoptr(HwFunction) f = NULL;
                PciAddr addr;
                int r;

                if (pci_addr_from_string(name, &addr) < 0 || !real)
                        continue;
                g_assert_cmpint(hw_lookup_function(hw, &addr, &f), ==, 0);
                /* realpath gives /sys/devices/<root>/…; on every machine seen so far the root is the first */
                parts = g_strsplit(real, "/", -1);
                g_assert_cmpstr(parts[1], ==, "sys");
                g_assert_cmpstr(parts[2], ==, "devices");
                if (g_str_has_prefix(parts[3], "pci"))
                        g_assert_cmpstr(f->pcie_root, ==, parts[3]);
                if (g_file_get_contents(numa_path, &numa, NULL, NULL))
                        g_assert_cmpint(f->numa_node, ==, atoi(numa));
                else
                        g_assert_cmpint(f->numa_node, ==, -1);
                if (group_link) {
                        g_autofree char *base = g_path_get_basename(group_link);

                        g_assert_cmpint(f->iommu_group, ==, atoi(base));
                } else
                        g_assert_cmpint(f->iommu_group, ==, -1);
                /* no devlink instance for most functions: unknown; without CAP_NET_ADMIN the kernel refuses */
                r = hw_function_eswitch_mode(hw, &addr, &mode);
                g_assert_true(r == 0 || r == -EPERM);
                if (mode)
                        g_assert_true(g_str_equal(mode, "legacy") || g_str_equal(mode, "switchdev"));
                g_test_message("%s: root %s, numa %d, group %d, eswitch %s (%d)", name, f->pcie_root, f->numa_node,
                               f->iommu_group, mode ? mode : "unknown", r);
                seen++;
        }
        if (seen == 0)
                g_test_skip("no PCI functions here");
}

/* hw_function_holder()'s address dump over real rtnetlink, in a network namespace of its own (a child
 * process): lo up with 127.0.0.1 and ::1 only is nobody's; a global address, IPv4 or IPv6, makes it held;
 * a scope-link one does not */
static void holder_of_lo(HwBackend *hw, const char *expect) {
        g_autoptr(HwFunction) f = hw_function_new();
        g_autoptr(HwNetdev) lo = hw_netdev_new();
        g_autofree char *holder = NULL;

        f->addr = test_addr("0000:00:00.0");    /* its netdev is all that is asked about */
        f->driver = g_strdup("e1000e");
        lo->name = g_strdup("lo");
        lo->ifindex = (int) if_nametoindex("lo");
        lo->admin_up = true;
        g_ptr_array_add(f->netdevs, g_steal_pointer(&lo));
        g_assert_cmpint(hw_function_holder(hw, f, /* had_netdev= */ true, &holder), ==, 0);
        g_assert_cmpstr(holder, ==, expect);
}

static void ip(const char *args) {
        g_autofree char *cmd = g_strdup_printf("ip %s", args);

        g_assert_cmpint(system(cmd), ==, 0);
}

/* exit status of the child when it cannot have a network namespace of its own */
#define NO_NETNS_STATUS 77

static void test_holder_addresses(void) {
        g_autofree char *ip_path = g_find_program_in_path("ip");
        int status = 0;
        pid_t pid;

        if (!ip_path) {
                g_test_skip("no ip (iproute2) here");
                return;
        }
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                g_autoptr(HwBackend) hw = NULL;

                if (unshare(CLONE_NEWNET) < 0)
                        _exit(NO_NETNS_STATUS);
                g_assert_cmpint(hw_backend_new_linux("", &hw), ==, 0);
                ip("link set lo up");
                holder_of_lo(hw, NULL);
                ip("addr add 192.0.2.77/24 dev lo");
                holder_of_lo(hw, "netdev lo is up with addresses");
                ip("addr del 192.0.2.77/24 dev lo");
                ip("addr add 10.9.9.9/24 scope link dev lo");
                holder_of_lo(hw, NULL);
                ip("-6 addr add 2001:db8::7/64 dev lo");
                holder_of_lo(hw, "netdev lo is up with addresses");
                _exit(0);
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == NO_NETNS_STATUS) {
                g_test_skip("no network namespace of our own here (not root?)");
                return;
        }
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hw/linux/sysfs-agrees-with-sim", test_sysfs_agrees_with_sim);
        g_test_add_func("/hw/linux/new", test_new_linux);
        g_test_add_func("/hw/linux/lo", test_lo);
        g_test_add_func("/hw/linux/link-watch", test_link_watch);
        g_test_add_func("/hw/linux/real-functions", test_real_functions);
        g_test_add_func("/hw/linux/holder-addresses", test_holder_addresses);
        return g_test_run();
}
