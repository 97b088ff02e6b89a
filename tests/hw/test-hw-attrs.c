/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the device attributes (NUMA node, PCI root, IOMMU group, link type, eswitch mode) and of
 * hw_function_holder() on sim hosts the generator builds, with and without netpool's extensions */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw/hw-linux.h"
#include "hw/hw-sim.h"
#include "hw/hw.h"
#include "hw/hw-plug.h"
#include "hw-test-util.h"

#define X710 "name=eth0,bdf=0000:03:00.0,model=x710,vfs=4"
#define PF_BDF "0000:03:00.0"
#define DEVICES "sys/devices/pci0000:00/"

static HwFunction *lookup(HwBackend *hw, const char *bdf) {
        PciAddr addr = test_addr(bdf);
        HwFunction *f = NULL;

        g_assert_cmpint(hw_lookup_function(hw, &addr, &f), ==, 0);
        return f;
}

static GPtrArray *list_vfs(HwBackend *hw) {
        g_autoptr(HwFunction) pf = lookup(hw, PF_BDF);
        GPtrArray *vfs = NULL;

        g_assert_cmpint(hw_list_vfs(hw, pf, &vfs), ==, 0);
        return vfs;
}

static void write_file(const TestDir *d, const char *rel, const char *text) {
        g_autofree char *path = g_build_filename(d->path, rel, NULL);

        g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void remove_file(const TestDir *d, const char *rel) {
        g_autofree char *path = g_build_filename(d->path, rel, NULL);

        g_assert_cmpint(unlink(path), ==, 0);
}

/* A shell command, which must succeed (the changes no generator option makes: what the kernel would do) */
static void sh(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void sh(const char *fmt, ...) {
        g_autofree char *cmd = NULL;
        va_list ap;

        va_start(ap, fmt);
        cmd = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_assert_cmpint(system(cmd), ==, 0);
}

static char *eswitch_mode(HwBackend *hw, const char *bdf) {
        PciAddr addr = test_addr(bdf);
        char *mode = (char *) "unset";

        g_assert_cmpint(hw_function_eswitch_mode(hw, &addr, &mode), ==, 0);
        return mode;
}

static char *holder(HwBackend *hw, const char *bdf) {
        g_autoptr(HwFunction) f = lookup(hw, bdf);
        char *h = (char *) "unset";

        g_assert_cmpint(hw_function_holder(hw, f, /* had_netdev= */ true, &h), ==, 0);
        return h;
}

/* What the generator writes: numa_node 0, every function in the root pci0000:00 and a group of its own,
 * ethernet netdevs, no eswitch mode */
static void test_generated(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = lookup(hw, PF_BDF);
        g_autoptr(GPtrArray) vfs = list_vfs(hw);
        g_autoptr(GHashTable) groups = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_autofree char *mode = eswitch_mode(hw, PF_BDF);

        g_assert_cmpint(pf->numa_node, ==, 0);
        g_assert_cmpstr(pf->pcie_root, ==, "pci0000:00");
        g_assert_cmpint(pf->iommu_group, >=, 0);
        g_hash_table_add(groups, GINT_TO_POINTER(pf->iommu_group));
        g_assert_cmpint(((HwNetdev *) pf->netdevs->pdata[0])->link_type, ==, HW_LINK_TYPE_ETHERNET);
        g_assert_null(mode);
        g_assert_cmpuint(vfs->len, ==, 4);
        for (guint i = 0; i < vfs->len; i++) {
                const HwFunction *vf = vfs->pdata[i];
                g_autoptr(HwFunction) one = NULL;
                char bdf[PCI_ADDR_STR_MAX];
                int group;

                g_assert_cmpint(vf->numa_node, ==, 0);
                g_assert_cmpstr(vf->pcie_root, ==, "pci0000:00");
                g_assert_false(g_hash_table_contains(groups, GINT_TO_POINTER(vf->iommu_group)));
                g_hash_table_add(groups, GINT_TO_POINTER(vf->iommu_group));
                g_assert_cmpint(hw_function_iommu_group(hw, &vf->addr, &group), ==, 0);
                g_assert_cmpint(vf->iommu_group, ==, group);
                g_assert_cmpint(((HwNetdev *) vf->netdevs->pdata[0])->link_type, ==, HW_LINK_TYPE_ETHERNET);
                /* a lookup of one VF reads the same */
                one = lookup(hw, pci_addr_to_string(&vf->addr, bdf));
                g_assert_cmpint(one->numa_node, ==, vf->numa_node);
                g_assert_cmpstr(one->pcie_root, ==, vf->pcie_root);
                g_assert_cmpint(one->iommu_group, ==, vf->iommu_group);
        }
        g_assert_cmpstr(hw_link_type_to_string(HW_LINK_TYPE_ETHERNET), ==, "ethernet");
        g_assert_cmpstr(hw_link_type_to_string(HW_LINK_TYPE_INFINIBAND), ==, "infiniband");
}

/* A sim host without the files: numa_node -1, no IOMMU group -1, ethernet, eswitch mode unknown */
static void test_defaults_when_absent(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710 ",iommu=no", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = NULL, vf = NULL;
        g_autoptr(HwNetdev) n = NULL;
        g_autofree char *mode = NULL;

        remove_file(d, DEVICES PF_BDF "/numa_node");
        write_file(d, DEVICES "0000:03:02.0/numa_node", "-1\n");
        write_file(d, DEVICES "0000:03:02.1/numa_node", "lots\n");     /* malformed: none */
        pf = lookup(hw, PF_BDF);
        g_assert_cmpint(pf->numa_node, ==, -1);
        g_assert_cmpint(pf->iommu_group, ==, -1);
        vf = lookup(hw, "0000:03:02.0");
        g_assert_cmpint(vf->numa_node, ==, -1);
        g_clear_pointer(&vf, hw_function_free);
        vf = lookup(hw, "0000:03:02.1");
        g_assert_cmpint(vf->numa_node, ==, -1);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", &n, NULL), ==, 0);
        g_assert_cmpint(n->link_type, ==, HW_LINK_TYPE_ETHERNET);
        mode = eswitch_mode(hw, PF_BDF);
        g_assert_null(mode);
}

/* numa=N for a PF and its VFs (kept through a resize), --numa-node for one function */
static void test_numa_node(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710 ",numa=1", "--numa-node", "0000:03:02.2", "3",
                                             "--numa-node", "0000:03:02.3", "none", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = lookup(hw, PF_BDF), added = NULL;
        g_autoptr(GPtrArray) vfs = list_vfs(hw);
        const int expect[] = { 1, 1, 3, -1 };

        g_assert_cmpint(pf->numa_node, ==, 1);
        g_assert_cmpuint(vfs->len, ==, 4);
        for (guint i = 0; i < vfs->len; i++)
                g_assert_cmpint(((HwFunction *) vfs->pdata[i])->numa_node, ==, expect[i]);
        test_sim_change(d, "--quiet", "--set-numvfs", PF_BDF, "5", NULL);
        added = lookup(hw, "0000:03:02.4");
        g_assert_cmpint(added->numa_node, ==, 1);
}

static void test_eswitch_mode(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--eswitch-mode", PF_BDF, "switchdev", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *switchdev = eswitch_mode(hw, PF_BDF), *legacy = NULL, *none = NULL, *bad = NULL;
        PciAddr invalid = { .domain = 0x10000 };
        char *unused = NULL;

        g_assert_cmpstr(switchdev, ==, "switchdev");
        test_sim_change(d, "--quiet", "--eswitch-mode", PF_BDF, "legacy", NULL);
        legacy = eswitch_mode(hw, PF_BDF);
        g_assert_cmpstr(legacy, ==, "legacy");
        test_sim_change(d, "--quiet", "--eswitch-mode", PF_BDF, "none", NULL);
        none = eswitch_mode(hw, PF_BDF);
        g_assert_null(none);
        write_file(d, DEVICES PF_BDF "/eswitch_mode", "offload\n");     /* no mode the contract knows */
        bad = eswitch_mode(hw, PF_BDF);
        g_assert_null(bad);
        g_assert_cmpint(hw_function_eswitch_mode(hw, &invalid, &unused), ==, -EINVAL);
        g_assert_cmpint(hw_function_eswitch_mode(hw, NULL, &unused), ==, -EINVAL);
}

static void test_link_type(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--link-type", "eth0", "infiniband", "--link-type",
                                             "eth0v1", "infiniband", "--link-type", "eth0v2", "ethernet", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) pf = lookup(hw, PF_BDF);
        g_autoptr(GPtrArray) vfs = list_vfs(hw);
        g_autoptr(HwNetdev) n = NULL;
        const HwLinkType expect[] = { HW_LINK_TYPE_ETHERNET, HW_LINK_TYPE_INFINIBAND, HW_LINK_TYPE_ETHERNET,
                                      HW_LINK_TYPE_ETHERNET };

        g_assert_cmpint(((HwNetdev *) pf->netdevs->pdata[0])->link_type, ==, HW_LINK_TYPE_INFINIBAND);
        for (guint i = 0; i < vfs->len; i++) {
                const HwFunction *vf = vfs->pdata[i];

                g_assert_cmpint(((HwNetdev *) vf->netdevs->pdata[0])->link_type, ==, expect[i]);
        }
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", &n, NULL), ==, 0);
        g_assert_cmpint(n->link_type, ==, HW_LINK_TYPE_INFINIBAND);
        /* any other ARPHRD type is no type the contract knows: ethernet */
        write_file(d, DEVICES "0000:03:02.1/net/eth0v1/type", "772\n");
        g_clear_pointer(&n, hw_netdev_free);
        g_assert_cmpint(hw_lookup_netdev(hw, "eth0v1", &n, NULL), ==, 0);
        g_assert_cmpint(n->link_type, ==, HW_LINK_TYPE_ETHERNET);
}

/* The copy keeps the new fields */
static void test_copy(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710 ",numa=2", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autoptr(HwFunction) f = lookup(hw, "0000:03:02.1"), copy = hw_function_copy(f);

        g_assert_cmpint(copy->numa_node, ==, 2);
        g_assert_cmpstr(copy->pcie_root, ==, "pci0000:00");
        g_assert_true(copy->pcie_root != f->pcie_root);
        g_assert_cmpint(copy->iommu_group, ==, f->iommu_group);
}

/* A netdev up with an address that counts is held; down, or with only link-local ones, is not */
static void test_holder_addresses(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--addresses", "eth0v0", "192.0.2.10/24,fe80::1/64",
                                             "--addresses", "eth0v1", "fe80::2/64,169.254.3.4/16,127.0.0.2",
                                             "--addresses", "eth0v2", "2001:db8::5/64",
                                             "--addresses", "eth0v3", "2001:db8::6", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *h0 = holder(hw, "0000:03:02.0"), *h1 = holder(hw, "0000:03:02.1");
        g_autofree char *h2 = holder(hw, "0000:03:02.2"), *h3 = NULL, *cleared = NULL, *pf = NULL;
        g_autofree char *assigned = NULL, *released = NULL;

        g_assert_cmpstr(h0, ==, "netdev eth0v0 is up with addresses");
        g_assert_null(h1);
        g_assert_cmpstr(h2, ==, "netdev eth0v2 is up with addresses");
        /* down: addresses or not, nobody uses it */
        test_sim_change(d, "--quiet", "--link", "eth0v3", "down", NULL);
        h3 = holder(hw, "0000:03:02.3");
        g_assert_null(h3);
        /* addresses removed */
        test_sim_change(d, "--quiet", "--addresses", "eth0v0", "", NULL);
        cleared = holder(hw, "0000:03:02.0");
        g_assert_null(cleared);
        /* a guest takes the VF and gives it back: its netdev is registered anew, without addresses */
        test_sim_change(d, "--quiet", "--addresses", "eth0v2", "192.0.2.2", "--assign", "0000:03:02.2", NULL);
        assigned = holder(hw, "0000:03:02.2");
        g_assert_null(assigned);                /* vfio-pci: not judged here */
        test_sim_change(d, "--quiet", "--release", "0000:03:02.2", NULL);
        released = holder(hw, "0000:03:02.2");
        g_assert_null(released);
        /* a PF is judged too */
        test_sim_change(d, "--quiet", "--addresses", "eth0", "198.51.100.1/24", NULL);
        pf = holder(hw, PF_BDF);
        g_assert_cmpstr(pf, ==, "netdev eth0 is up with addresses");
}

/* A network function bound to its driver with no netdev to be seen: moved to another network namespace
 * (net/ empty, or gone); vfio-pci, pci-stub, unbound and non-network functions are not judged so */
static void test_holder_namespace(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, "--pf", "name=sfc0,bdf=0000:07:00.0,model=sfc,vfs=2",
                                             "--assign", "0000:03:02.2", NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        g_autofree char *before = holder(hw, "0000:03:02.0"), *empty_net = NULL, *no_net = NULL;
        g_autofree char *vfio = holder(hw, "0000:03:02.2"), *unbound = holder(hw, "0000:07:02.0");
        g_autofree char *stub = NULL, *variant = NULL, *nvme = NULL;
        g_autofree char *drivers = g_build_filename(d->path, "sys/bus/pci/drivers", NULL);

        g_assert_null(before);
        g_assert_null(vfio);
        g_assert_null(unbound);

        /* the kernel hides a netdev of another namespace in net/ and in class/net */
        sh("rm -r '%s/" DEVICES "0000:03:02.0/net/eth0v0' '%s/sys/class/net/eth0v0'", d->path, d->path);
        empty_net = holder(hw, "0000:03:02.0");
        g_assert_cmpstr(empty_net, ==, "netdev in another network namespace");
        sh("rm -r '%s/" DEVICES "0000:03:02.1/net' '%s/sys/class/net/eth0v1'", d->path, d->path);
        no_net = holder(hw, "0000:03:02.1");
        g_assert_cmpstr(no_net, ==, "netdev in another network namespace");
        {
                /* never seen with a netdev: it may make none (mlx4_core without mlx4_en) */
                g_autoptr(HwFunction) f = lookup(hw, "0000:03:02.1");
                char *h = (char *) "unset";

                g_assert_cmpint(hw_function_holder(hw, f, /* had_netdev= */ false, &h), ==, 0);
                g_assert_null(h);
        }

        /* pci-stub holds no netdevs; a vfio-pci variant driver does not either, and netpool never binds one */
        sh("mkdir -p '%s/pci-stub' '%s/mlx5_vfio_pci' '%s/nvme'", drivers, drivers, drivers);
        sh("ln -sfn ../../../bus/pci/drivers/pci-stub '%s/" DEVICES "0000:03:02.1/driver'", d->path);
        sh("ln -sfn ../../../bus/pci/drivers/mlx5_vfio_pci '%s/" DEVICES "0000:03:02.0/driver'", d->path);
        stub = holder(hw, "0000:03:02.1");
        g_assert_null(stub);
        variant = holder(hw, "0000:03:02.0");
        g_assert_cmpstr(variant, ==, "bound to mlx5_vfio_pci");

        /* not a network function (an NVMe VF, class 0x010802): no netdev is expected of it */
        write_file(d, DEVICES "0000:03:02.1/class", "0x010802\n");
        sh("ln -sfn ../../../bus/pci/drivers/nvme '%s/" DEVICES "0000:03:02.1/driver'", d->path);
        nvme = holder(hw, "0000:03:02.1");
        g_assert_null(nvme);
}

static void test_holder_invalid(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        g_autoptr(HwBackend) hw = test_sim_backend(d);
        char *h = NULL;

        g_assert_cmpint(hw_function_holder(hw, NULL, true, &h), ==, -EINVAL);
}

/* The generator refuses what the extensions cannot hold, and changes nothing */
static void test_generator_refusals(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", X710, NULL);
        const char *const bad[][4] = {
                { "--eswitch-mode", "0000:03:02.0", "legacy" },         /* a VF */
                { "--eswitch-mode", PF_BDF, "offload" },
                { "--link-type", "eth0", "token-ring" },
                { "--link-type", "nosuch", "ethernet" },
                { "--addresses", "eth0", "10.0.0.300" },
                { "--addresses", "eth0", "10.0.0.1/33" },
                { "--numa-node", PF_BDF, "x" },
                { "--numa-node", "0000:99:00.0", "1" },
        };
        g_autofree char *mode_file = g_build_filename(d->path, DEVICES PF_BDF "/eswitch_mode", NULL);
        g_autofree char *type_file = g_build_filename(d->path, DEVICES PF_BDF "/net/eth0/type", NULL);
        g_autofree char *addresses_file = g_build_filename(d->path, DEVICES PF_BDF "/net/eth0/addresses", NULL);
        g_autofree char *numa = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                const char *args[] = { d->path, bad[i][0], bad[i][1], bad[i][2], NULL };
                g_autofree char *err = NULL;

                g_assert_cmpint(test_simhost_run(args, NULL, &err), ==, 1);
                g_assert_true(strstr(err, "netpool-simhost: ") != NULL);
        }
        numa = test_read_line(d->path, DEVICES PF_BDF "/numa_node");
        g_assert_false(g_file_test(mode_file, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(type_file, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(addresses_file, G_FILE_TEST_EXISTS));
        g_assert_cmpstr(numa, ==, "0");
}

/* The linux backend reads the PCI root off the real path of any sysfs tree: a function behind bridges, and
 * one under a bus that is no PCI root (Hyper-V's VMBus) */
static void test_pcie_root_paths(void) {
        g_autoptr(TestDir) d = test_dir_new();
        g_autoptr(HwBackend) hw = NULL;
        g_autoptr(HwFunction) deep = NULL, vmbus = NULL;
        const char *const script =
                "set -e; cd '%s'; mkdir -p sys/bus/pci/devices "
                "sys/devices/pci0000:40/0000:40:01.1/0000:41:00.0 "
                "sys/devices/LNXSYSTM:00/VMBUS:00/abcd/pci7870:00/7870:00:00.0; "
                "for f in sys/devices/pci0000:40/0000:40:01.1/0000:41:00.0 "
                "sys/devices/LNXSYSTM:00/VMBUS:00/abcd/pci7870:00/7870:00:00.0; do "
                "echo 0x15b3 > $f/vendor; echo 0x101e > $f/device; echo 1 > $f/numa_node; done; "
                "ln -s ../../../devices/pci0000:40/0000:40:01.1/0000:41:00.0 sys/bus/pci/devices/0000:41:00.0; "
                "ln -s ../../../devices/LNXSYSTM:00/VMBUS:00/abcd/pci7870:00/7870:00:00.0 "
                "sys/bus/pci/devices/7870:00:00.0";

        sh(script, d->path);
        g_assert_cmpint(hw_backend_new_linux(d->path, &hw), ==, 0);
        deep = lookup(hw, "0000:41:00.0");
        g_assert_cmpstr(deep->pcie_root, ==, "pci0000:40");
        g_assert_cmpint(deep->numa_node, ==, 1);
        vmbus = lookup(hw, "7870:00:00.0");
        g_assert_cmpstr(vmbus->pcie_root, ==, "pci7870:00");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hw/attrs/generated", test_generated);
        g_test_add_func("/hw/attrs/defaults-when-absent", test_defaults_when_absent);
        g_test_add_func("/hw/attrs/numa-node", test_numa_node);
        g_test_add_func("/hw/attrs/eswitch-mode", test_eswitch_mode);
        g_test_add_func("/hw/attrs/link-type", test_link_type);
        g_test_add_func("/hw/attrs/copy", test_copy);
        g_test_add_func("/hw/attrs/holder-addresses", test_holder_addresses);
        g_test_add_func("/hw/attrs/holder-namespace", test_holder_namespace);
        g_test_add_func("/hw/attrs/holder-invalid", test_holder_invalid);
        g_test_add_func("/hw/attrs/generator-refusals", test_generator_refusals);
        g_test_add_func("/hw/attrs/pcie-root-paths", test_pcie_root_paths);
        return g_test_run();
}
