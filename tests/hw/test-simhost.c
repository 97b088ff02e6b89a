/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of netpool-simhost: the layout it writes (read directly, not through hw/), and bad input */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "hw-test-util.h"

static char *link_target(const char *dir, const char *rel) {
        g_autofree char *path = g_build_filename(dir, rel, NULL);

        return g_file_read_link(path, NULL);
}

static gboolean exists(const char *dir, const char *rel) {
        g_autofree char *path = g_build_filename(dir, rel, NULL);
        struct stat st;

        return lstat(path, &st) == 0;
}

static void assert_line(const char *dir, const char *rel, const char *expect) {
        g_autofree char *line = test_read_line(dir, rel);

        if (g_strcmp0(line, expect) != 0)
                g_error("%s: '%s', expected '%s'", rel, line ? line : "(missing)", expect ? expect : "(missing)");
}

static void assert_link(const char *dir, const char *rel, const char *expect) {
        g_autofree char *target = link_target(dir, rel);

        if (g_strcmp0(target, expect) != 0)
                g_error("%s -> '%s', expected '%s'", rel, target ? target : "(none)", expect);
}

/* Every symlink relative and resolving inside R */
static void assert_links_relative(const char *root, const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);

                if (g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
                        g_autofree char *target = g_file_read_link(path, NULL);
                        g_autofree char *resolved = realpath(path, NULL);

                        g_assert_nonnull(target);
                        g_assert_false(g_path_is_absolute(target));
                        if (!resolved)
                                g_error("%s dangles", path);
                } else if (g_file_test(path, G_FILE_TEST_IS_DIR))
                        assert_links_relative(root, path);
        }
}

static void test_layout_default(void) {
        g_autoptr(TestDir) d = test_dir_new();
        const char *args[] = { d->path, "--default", NULL };
        g_autofree char *out = NULL, *err = NULL, *sys = NULL;
        const char *R = d->path;

        g_assert_cmpint(test_simhost_run(args, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "3 PFs, 20 VFs"));
        g_assert_nonnull(strstr(out, "ens1/ens1d1"));

        /* X710-like PF */
        assert_line(R, "sys/devices/pci0000:00/0000:03:00.0/vendor", "0x8086");
        assert_line(R, "sys/devices/pci0000:00/0000:03:00.0/device", "0x1572");
        assert_line(R, "sys/devices/pci0000:00/0000:03:00.0/class", "0x020000");
        assert_line(R, "sys/devices/pci0000:00/0000:03:00.0/sriov_totalvfs", "64");
        assert_line(R, "sys/devices/pci0000:00/0000:03:00.0/sriov_numvfs", "8");
        assert_link(R, "sys/devices/pci0000:00/0000:03:00.0/driver", "../../../bus/pci/drivers/i40e");
        assert_link(R, "sys/devices/pci0000:00/0000:03:00.0/virtfn7", "../0000:03:02.7");
        assert_link(R, "sys/devices/pci0000:00/0000:03:02.7/physfn", "../0000:03:00.0");
        assert_link(R, "sys/devices/pci0000:00/0000:03:02.7/driver", "../../../bus/pci/drivers/iavf");
        assert_link(R, "sys/bus/pci/devices/0000:03:02.7", "../../../devices/pci0000:00/0000:03:02.7");
        assert_link(R, "sys/class/net/eth0", "../../devices/pci0000:00/0000:03:00.0/net/eth0");
        assert_link(R, "sys/devices/pci0000:00/0000:03:00.0/net/eth0/device", "../../../0000:03:00.0");
        assert_line(R, "sys/devices/pci0000:00/0000:03:00.0/net/eth0/operstate", "up");
        assert_line(R, "sys/devices/pci0000:00/0000:03:00.0/net/eth0/dev_port", "0");
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:03:00.0/net/eth0/phys_port_id"));
        g_assert_true(exists(R, "sys/class/net/eth0v7"));
        g_assert_true(exists(R, "vfstate/0000:03:00.0/vf7/p1"));
        g_assert_false(exists(R, "vfstate/0000:03:00.0/vf7/port"));

        /* initial VF state */
        assert_line(R, "vfstate/0000:03:00.0/vf0/p1/mac", "00:00:00:00:00:00");
        assert_line(R, "vfstate/0000:03:00.0/vf0/p1/vlan", "0");
        assert_line(R, "vfstate/0000:03:00.0/vf0/p1/qos", "0");
        assert_line(R, "vfstate/0000:03:00.0/vf0/p1/spoofchk", "1");
        assert_line(R, "vfstate/0000:03:00.0/vf0/p1/trust", "0");
        assert_line(R, "vfstate/0000:03:00.0/vf0/p1/link_state", "auto");

        /* ConnectX-3-like: one function, two netdevs; VFs 0-3 port 1, 4-5 port 2, 6-7 dual */
        assert_line(R, "sys/devices/pci0000:00/0000:05:00.0/net/ens1/dev_port", "0");
        assert_line(R, "sys/devices/pci0000:00/0000:05:00.0/net/ens1d1/dev_port", "1");
        g_assert_true(exists(R, "sys/devices/pci0000:00/0000:05:00.0/net/ens1/phys_port_id"));
        assert_line(R, "vfstate/0000:05:00.0/vf0/port", "1");
        assert_line(R, "vfstate/0000:05:00.0/vf4/port", "2");
        g_assert_true(exists(R, "vfstate/0000:05:00.0/vf4/p2"));
        g_assert_false(exists(R, "vfstate/0000:05:00.0/vf4/p1"));
        g_assert_false(exists(R, "vfstate/0000:05:00.0/vf6/port"));
        g_assert_true(exists(R, "vfstate/0000:05:00.0/vf6/p1"));
        g_assert_true(exists(R, "vfstate/0000:05:00.0/vf6/p2"));
        g_assert_true(exists(R, "sys/class/net/ens1v6"));
        g_assert_true(exists(R, "sys/class/net/ens1d1v6"));

        /* Solarflare-like: VFs without netdev or driver */
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:07:02.0/net"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:07:02.0/driver"));
        assert_line(R, "sys/devices/pci0000:00/0000:07:02.0/device", "0x1a03");

        /* driver directories for every driver named */
        g_assert_true(exists(R, "sys/bus/pci/drivers/i40e"));
        g_assert_true(exists(R, "sys/bus/pci/drivers/iavf"));
        g_assert_true(exists(R, "sys/bus/pci/drivers/mlx4_core"));
        g_assert_true(exists(R, "sys/bus/pci/drivers/sfc"));

        sys = g_build_filename(R, "sys", NULL);
        assert_links_relative(R, sys);
}

static void test_unique_ids(void) {
        g_autoptr(TestDir) d = test_sim_host("--default", NULL);
        g_autofree char *class_net = g_build_filename(d->path, "sys/class/net", NULL);
        g_autoptr(GHashTable) ifindexes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) macs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) port_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GDir) dir = g_dir_open(class_net, 0, NULL);
        const char *name;
        unsigned count = 0;

        while ((name = g_dir_read_name(dir))) {
                g_autofree char *ifindex_rel = g_strdup_printf("sys/class/net/%s/ifindex", name);
                g_autofree char *mac_rel = g_strdup_printf("sys/class/net/%s/address", name);
                char *ifindex = test_read_line(d->path, ifindex_rel), *mac = test_read_line(d->path, mac_rel);

                g_assert_cmpuint(strlen(name), <=, 15);
                g_assert_false(g_hash_table_contains(ifindexes, ifindex));
                g_assert_false(g_hash_table_contains(macs, mac));
                g_hash_table_add(ifindexes, ifindex);
                g_hash_table_add(macs, mac);
                count++;
        }
        /* eth0 + 8, ens1 + ens1d1 + 6 + 2*2, sfc0 */
        g_assert_cmpuint(count, ==, 1 + 8 + 2 + 6 + 4 + 1);
        for (int port = 0; port < 2; port++) {
                char *id = test_read_line(d->path, port ? "sys/class/net/ens1d1/phys_port_id"
                                                        : "sys/class/net/ens1/phys_port_id");

                g_assert_nonnull(id);
                g_assert_false(g_hash_table_contains(port_ids, id));
                g_hash_table_add(port_ids, id);
        }
}

static void expect_failure(const char *const *args, const char *dir_must_stay_empty) {
        g_autofree char *out = NULL, *err = NULL;
        int status = test_simhost_run(args, &out, &err);

        if (status == 0)
                g_error("netpool-simhost %s %s %s: succeeded, expected a failure", args[0], args[1] ? args[1] : "",
                        args[1] && args[2] ? args[2] : "");
        g_assert_true(g_str_has_prefix(err, "netpool-simhost: "));
        g_test_message("%s", err);
        if (dir_must_stay_empty) {
                g_autoptr(GDir) d = g_dir_open(dir_must_stay_empty, 0, NULL);

                g_assert_nonnull(d);
                g_assert_null(g_dir_read_name(d));      /* nothing half-built left behind */
        }
}

static void test_bad_descriptions(void) {
        const char *bad[] = {
                "bdf=0000:03:00.0,model=x710",                          /* no name */
                "name=eth0,model=x710",                                 /* no bdf */
                "name=eth0,bdf=0000:03:00,model=x710",                  /* bad bdf */
                "name=eth0,bdf=0000:100:00.0,model=x710",               /* bus out of range */
                "name=eth0,bdf=0000:03:00.0",                           /* no model */
                "name=eth0,bdf=0000:03:00.0,model=e1000",               /* unknown model */
                "name=eth0,bdf=0000:03:00.0,model=x710,colour=red",     /* unknown key */
                "name=eth0,name=eth1,bdf=0000:03:00.0,model=x710",      /* key twice */
                "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8,total=4",  /* vfs > total */
                "name=eth0,bdf=0000:03:00.0,model=x710,vfs=eight",      /* not a number */
                "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8,port2=1",  /* port2 on a single-port PF */
                "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8,gap=64",   /* gap past total */
                "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8,gap=5-2",  /* backwards range */
                "name=ens1,bdf=0000:05:00.0,model=cx3,vfs=8,port2=4,dual=4",    /* two roles */
                "name=ens1,bdf=0000:05:00.0,model=cx3,vfs=8,gap=4,nonetdev=4",  /* a gap is nothing else */
                "name=this-is-too-long0,bdf=0000:03:00.0,model=x710",   /* netdev name > 15 bytes */
                "name=eth/0,bdf=0000:03:00.0,model=x710",               /* '/' in a name */
                "name=eth0,bdf=0000:03:00.0,model=custom,vendor=8086",  /* custom without device/driver */
                "name=eth0,bdf=0000:03:00.0,vendor=0x18086,device=1,driver=x",  /* id past 16 bits */
                "name=eth0,bdf=0000:03:00.0,model=x710,driver=../evil", /* driver name */
                "name=eth0,bdf=0000:03:00.0,model=x710,down=maybe",     /* not a boolean */
                "name=eth0,bdf=0000:ff:1f.7,model=x710,vfs=2",          /* VFs past bus 0xff */
                "name=eth0,bdf=0000:03:00.0,model=x710,1,2",            /* stray words */
                "",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(TestDir) d = test_dir_new();
                const char *args[] = { d->path, "--pf", bad[i], NULL };

                expect_failure(args, d->path);
        }
}

static void test_bad_combinations(void) {
        struct {
                const char *a, *b;
        } bad[] = {
                /* the same PCI address twice */
                { "name=eth0,bdf=0000:03:00.0,model=x710", "name=eth1,bdf=0000:03:00.0,model=x710" },
                /* the same netdev name twice */
                { "name=eth0,bdf=0000:03:00.0,model=x710", "name=eth0,bdf=0000:04:00.0,model=x710" },
                /* a PF where another PF's VFs are */
                { "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8", "name=eth1,bdf=0000:03:02.1,model=x710" },
                /* VF netdev names that clash: eth1's VFs would be eth0v0… */
                { "name=eth0,bdf=0000:03:00.0,model=x710,vfs=2", "name=eth1,bdf=0000:04:00.0,model=x710,vfs=2,vfprefix=eth0" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(TestDir) d = test_dir_new();
                const char *args[] = { d->path, "--pf", bad[i].a, "--pf", bad[i].b, NULL };

                expect_failure(args, d->path);
        }
}

static void test_bad_usage(void) {
        g_autoptr(TestDir) d = test_sim_host("--default", NULL);
        g_autoptr(TestDir) empty = test_dir_new();
        const char *const bad[][6] = {
                { NULL },                                               /* no DIR */
                { d->path, NULL },                                      /* nothing to do */
                { d->path, "--frobnicate", NULL },
                { d->path, "--pf", NULL },                              /* missing argument */
                { d->path, "--assign", "0000:99:00.0", NULL },          /* no such function */
                { d->path, "--assign", "not-a-bdf", NULL },
                { d->path, "--release", "0000:03:02.0", NULL },         /* not assigned */
                { d->path, "--set-numvfs", "0000:03:00.0", "65", NULL },        /* past total */
                { d->path, "--set-numvfs", "0000:03:02.0", "1", NULL },         /* not a PF */
                { d->path, "--link", "eth0", "sideways", NULL },
                { d->path, "--link", "nosuch0", "up", NULL },
                { d->path, "--fail", "0000:03:00.0", "1", "set_colour EBUSY", NULL },
                { d->path, "--fail", "0000:03:00.0", "1", "set_mac EWHATEVER", NULL },
                { d->path, "--fail", "0000:03:00.0", "1", "set_mac EBUSY 0", NULL },
                { d->path, "--fail", "0000:03:00.0", "99", "set_mac EBUSY", NULL },
                { d->path, "--default", NULL },                         /* not empty, no --force */
                { empty->path, "--assign", "0000:03:02.0", NULL },      /* not a sim host */
                { empty->path, "--force", "--assign", "0000:03:02.0", NULL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                expect_failure(bad[i], NULL);
        /* a change that failed leaves the host as it was */
        g_assert_true(g_file_test(d->path, G_FILE_TEST_IS_DIR));
        assert_line(d->path, "sys/devices/pci0000:00/0000:03:00.0/sriov_numvfs", "8");
}

static void test_force(void) {
        g_autoptr(TestDir) d = test_sim_host("--default", NULL);
        g_autoptr(TestDir) foreign = test_dir_new();
        g_autofree char *file = g_build_filename(foreign->path, "precious", NULL);
        const char *rebuild[] = { d->path, "--force", "--quiet", "--pf", "name=eth5,bdf=0000:08:00.0,model=x710,vfs=1", NULL };
        const char *wipe_foreign[] = { foreign->path, "--force", "--default", NULL };

        g_assert_cmpint(test_simhost_run(rebuild, NULL, NULL), ==, 0);
        g_assert_false(exists(d->path, "sys/class/net/eth0"));
        g_assert_true(exists(d->path, "sys/class/net/eth5"));

        /* --force replaces a sim host, never other files */
        g_assert_true(g_file_set_contents(file, "keep me", -1, NULL));
        expect_failure(wipe_foreign, NULL);
        g_assert_true(g_file_test(file, G_FILE_TEST_EXISTS));
}

static void test_changes(void) {
        g_autoptr(TestDir) d = test_sim_host("--default", NULL);
        const char *R = d->path;

        test_simhost(R, "--quiet", "--assign", "0000:03:02.1", NULL);
        assert_link(R, "sys/devices/pci0000:00/0000:03:02.1/driver", "../../../bus/pci/drivers/vfio-pci");
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:03:02.1/net"));
        g_assert_false(exists(R, "sys/class/net/eth0v1"));
        g_assert_true(exists(R, "sys/bus/pci/drivers/vfio-pci"));
        expect_failure((const char *[]) { R, "--assign", "0000:03:02.1", NULL }, NULL);  /* twice */
        test_simhost(R, "--quiet", "--release", "0000:03:02.1", NULL);
        assert_link(R, "sys/devices/pci0000:00/0000:03:02.1/driver", "../../../bus/pci/drivers/iavf");
        assert_link(R, "sys/class/net/eth0v1", "../../devices/pci0000:00/0000:03:02.1/net/eth0v1");

        test_simhost(R, "--quiet", "--set-numvfs", "0000:07:00.0", "1", NULL);
        assert_line(R, "sys/devices/pci0000:00/0000:07:00.0/sriov_numvfs", "1");
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:07:00.0/virtfn1"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:07:02.1"));
        g_assert_false(exists(R, "sys/bus/pci/devices/0000:07:02.1"));
        g_assert_false(exists(R, "vfstate/0000:07:00.0/vf1"));

        test_simhost(R, "--quiet", "--link", "eth0", "down", NULL);
        assert_line(R, "sys/class/net/eth0/operstate", "down");

        test_simhost(R, "--quiet", "--fail", "0000:03:00.0", "2", "set_vlan  EPERM 3", "--fail", "0000:03:00.0", "2",
                     "get ENODEV", NULL);
        {
                g_autofree char *path = g_build_filename(R, "vfstate/0000:03:00.0/vf2/fail", NULL), *text = NULL;

                g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
                g_assert_cmpstr(text, ==, "set_vlan EPERM 3\nget ENODEV\n");
        }
        test_simhost(R, "--quiet", "--clear-fail", "0000:03:00.0", "2", NULL);
        g_assert_false(exists(R, "vfstate/0000:03:00.0/vf2/fail"));

        test_simhost(R, "--quiet", "--add-pf", "name=eth7,bdf=0000:0b:00.0,model=x710,vfs=2", NULL);
        g_assert_true(exists(R, "sys/class/net/eth7v1"));
        test_simhost(R, "--quiet", "--remove-pf", "0000:0b:00.0", NULL);
        g_assert_false(exists(R, "sys/class/net/eth7"));
        g_assert_false(exists(R, "sys/class/net/eth7v1"));
        g_assert_false(exists(R, "sys/bus/pci/devices/0000:0b:02.0"));
        g_assert_false(exists(R, "vfstate/0000:0b:00.0"));
}

/* A list of three words or more (simhost.md's nonetdev=1,3,5), and changing such a host afterwards: the
 * host record keeps lists in that form and is parsed again by every change. */
static void test_long_lists(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=ens1,name2=ens1d1,bdf=0000:05:00.0,model=cx3,vfs=8,"
                                             "nonetdev=1,3,5,port2=2,4,6", NULL);
        const char *R = d->path;

        for (unsigned vf = 1; vf <= 5; vf += 2) {
                g_autofree char *net = g_strdup_printf("sys/devices/pci0000:00/0000:05:00.%u/net", vf + 1);

                g_assert_false(exists(R, net));
        }
        g_assert_true(exists(R, "sys/class/net/ens1d1v2"));
        g_assert_true(exists(R, "sys/class/net/ens1d1v6"));
        test_simhost(R, "--quiet", "--link", "ens1", "down", NULL);     /* reads the host record back */
        assert_line(R, "sys/class/net/ens1/operstate", "down");
        test_simhost(R, "--quiet", "--set-numvfs", "0000:05:00.0", "7", NULL);
        g_assert_true(exists(R, "sys/class/net/ens1d1v6"));
}


static unsigned group_of(const char *R, const char *bdf) {
        g_autofree char *rel = g_strdup_printf("sys/devices/pci0000:00/%s/iommu_group", bdf);
        g_autofree char *target = link_target(R, rel), *base = NULL;
        guint64 g;

        if (!target)
                g_error("%s has no iommu_group", bdf);
        g_assert_true(g_str_has_prefix(target, "../../../kernel/iommu_groups/"));
        base = g_path_get_basename(target);
        g_assert_true(g_ascii_string_to_unsigned(base, 10, 0, G_MAXUINT, &g, NULL));
        return (unsigned) g;
}

static void assert_in_group(const char *R, const char *bdf, unsigned group) {
        g_autofree char *rel = g_strdup_printf("sys/kernel/iommu_groups/%u/devices/%s", group, bdf);
        g_autofree char *expect = g_strdup_printf("../../../../devices/pci0000:00/%s", bdf);

        g_assert_cmpuint(group_of(R, bdf), ==, group);
        assert_link(R, rel, expect);
}

static void assert_file_text(const char *R, const char *rel, const char *expect) {
        g_autofree char *path = g_build_filename(R, rel, NULL), *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                g_error("%s is missing", rel);
        g_assert_cmpstr(text, ==, expect);
}

static gboolean is_fifo(const char *dir, const char *rel) {
        g_autofree char *path = g_build_filename(dir, rel, NULL);
        struct stat st;

        return lstat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* simhost.md 1.1: IOMMU groups (each function its own, numbers unique), driver_override, reset, mtu, speed,
 * vfstate's netdevs and rate/proto files, the vfio-pci driver and R/dev/vfio */
static void test_layout_v11(void) {
        g_autoptr(TestDir) d = test_sim_host("--default", NULL);
        g_autoptr(GHashTable) groups = g_hash_table_new(g_direct_hash, g_direct_equal);
        const char *R = d->path;
        const char *functions[] = { "0000:03:00.0", "0000:03:02.0", "0000:03:02.7", "0000:05:00.0", "0000:05:00.1",
                                    "0000:05:01.0", "0000:07:00.0", "0000:07:02.3" };

        for (size_t i = 0; i < G_N_ELEMENTS(functions); i++) {
                g_autofree char *dir = g_strdup_printf("sys/devices/pci0000:00/%s", functions[i]);
                g_autofree char *override = g_strdup_printf("%s/driver_override", dir);
                g_autofree char *reset = g_strdup_printf("%s/reset", dir);
                unsigned g = group_of(R, functions[i]);

                assert_in_group(R, functions[i], g);
                g_assert_false(g_hash_table_contains(groups, GUINT_TO_POINTER(g)));
                g_hash_table_add(groups, GUINT_TO_POINTER(g));
                assert_line(R, override, "");
                g_assert_true(exists(R, reset));
        }
        assert_line(R, "sys/class/net/eth0/mtu", "1500");
        assert_line(R, "sys/class/net/eth0/speed", "10000");
        assert_line(R, "sys/class/net/ens1d1/speed", "40000");
        assert_line(R, "sys/class/net/eth0v3/mtu", "1500");
        g_assert_false(exists(R, "sys/class/net/eth0v3/speed"));       /* speed: PF netdevs */

        assert_file_text(R, "vfstate/0000:03:00.0/vf3/netdevs", "eth0v3 0\n");
        assert_file_text(R, "vfstate/0000:05:00.0/vf4/netdevs", "ens1d1v4 0\n");
        assert_file_text(R, "vfstate/0000:05:00.0/vf6/netdevs", "ens1v6 0\nens1d1v6 1\n");
        assert_file_text(R, "vfstate/0000:07:00.0/vf0/netdevs", "");
        assert_line(R, "vfstate/0000:03:00.0/vf3/p1/min_tx_rate", "0");
        assert_line(R, "vfstate/0000:03:00.0/vf3/p1/max_tx_rate", "0");
        assert_line(R, "vfstate/0000:03:00.0/vf3/p1/vlan_proto", "802.1Q");
        assert_line(R, "vfstate/0000:05:00.0/vf6/p2/vlan_proto", "802.1Q");
        g_assert_false(exists(R, "vfstate/0000:03:00.0/vf3/dirty"));

        g_assert_true(g_file_test(R, G_FILE_TEST_IS_DIR));
        g_assert_true(exists(R, "sys/bus/pci/drivers/vfio-pci"));
        g_assert_true(exists(R, "dev/vfio"));
        g_assert_true(exists(R, "sys/devices/virtual/net"));
        g_assert_false(exists(R, "dev/vfio/0"));        /* nothing is on vfio-pci */
}

/* iommu=, noiommu=, reset=, noreset=, speed= */
static void test_iommu_reset_keys(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=eth0,bdf=0000:03:00.0,model=x710,vfs=4,noiommu=1,noreset=2,3,"
                                             "speed=25000",
                                             "--pf", "name=eth1,bdf=0000:04:00.0,model=x710,vfs=2,iommu=no,reset=no",
                                             NULL);
        const char *R = d->path;

        g_assert_true(exists(R, "sys/devices/pci0000:00/0000:03:02.0/iommu_group"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:03:02.1/iommu_group"));
        g_assert_true(exists(R, "sys/devices/pci0000:00/0000:03:02.1/reset"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:03:02.2/reset"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:03:02.3/reset"));
        g_assert_true(exists(R, "sys/devices/pci0000:00/0000:03:02.3/iommu_group"));
        assert_line(R, "sys/class/net/eth0/speed", "25000");
        for (unsigned i = 0; i < 2; i++) {
                g_autofree char *group = g_strdup_printf("sys/devices/pci0000:00/0000:04:02.%u/iommu_group", i);
                g_autofree char *reset = g_strdup_printf("sys/devices/pci0000:00/0000:04:02.%u/reset", i);

                g_assert_false(exists(R, group));
                g_assert_false(exists(R, reset));
        }
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:04:00.0/iommu_group"));
        /* the record keeps them: a resize builds the new VF alike */
        test_simhost(R, "--quiet", "--set-numvfs", "0000:04:00.0", "3", NULL);
        g_assert_true(exists(R, "sys/devices/pci0000:00/0000:04:02.2"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:04:02.2/iommu_group"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:04:02.2/reset"));
        /* a VF without IOMMU group cannot go to vfio-pci */
        expect_failure((const char *[]) { R, "--assign", "0000:03:02.1", NULL }, NULL);
}

/* Group numbers are unique in the host and kept across changes; a group left empty goes */
static void test_groups_across_changes(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=eth0,bdf=0000:03:00.0,model=x710,vfs=4", NULL);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
        const char *R = d->path;
        unsigned vf0 = group_of(R, "0000:03:02.0"), vf3 = group_of(R, "0000:03:02.3");
        g_autofree char *vf3_dir = g_strdup_printf("sys/kernel/iommu_groups/%u", vf3);

        test_simhost(R, "--quiet", "--set-numvfs", "0000:03:00.0", "2", NULL);
        g_assert_false(exists(R, vf3_dir));
        test_simhost(R, "--quiet", "--set-numvfs", "0000:03:00.0", "4", "--add-pf",
                     "name=eth1,bdf=0000:04:00.0,model=x710,vfs=2", NULL);
        g_assert_cmpuint(group_of(R, "0000:03:02.0"), ==, vf0);
        {
                const char *all[] = { "0000:03:00.0", "0000:03:02.0", "0000:03:02.1", "0000:03:02.2", "0000:03:02.3",
                                      "0000:04:00.0", "0000:04:02.0", "0000:04:02.1" };

                for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
                        unsigned g = group_of(R, all[i]);

                        assert_in_group(R, all[i], g);
                        g_assert_false(g_hash_table_contains(seen, GUINT_TO_POINTER(g)));
                        g_hash_table_add(seen, GUINT_TO_POINTER(g));
                }
        }
        /* a group a test made by hand is not handed out again */
        {
                g_autofree char *mine = g_build_filename(R, "sys/kernel/iommu_groups/500/devices", NULL);

                g_assert_cmpint(g_mkdir_with_parents(mine, 0755), ==, 0);
                test_simhost(R, "--quiet", "--add-pf", "name=eth2,bdf=0000:06:00.0,model=x710", NULL);
                g_assert_cmpuint(group_of(R, "0000:06:00.0"), ==, 501);
        }
}

/* --iommu-group, --add-function (the "not viable" case), --assign/--release and R/dev/vfio/<G> */
static void test_shared_group_and_vfio_node(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=eth0,bdf=0000:03:00.0,model=x710,vfs=4", NULL);
        const char *R = d->path;
        unsigned g;
        g_autofree char *node = NULL, *old_group = NULL;

        old_group = g_strdup_printf("sys/kernel/iommu_groups/%u", group_of(R, "0000:03:02.3"));
        test_simhost(R, "--quiet", "--iommu-group", "0000:03:02.2,0000:03:02.3", NULL);
        g = group_of(R, "0000:03:02.2");
        assert_in_group(R, "0000:03:02.3", g);
        g_assert_false(exists(R, old_group));   /* left empty: gone */

        test_simhost(R, "--quiet", "--add-function", "bdf=0000:09:00.0,name=eno1,group=0000:03:02.2", NULL);
        assert_in_group(R, "0000:09:00.0", g);
        assert_link(R, "sys/devices/pci0000:00/0000:09:00.0/driver", "../../../bus/pci/drivers/e1000e");
        assert_line(R, "sys/devices/pci0000:00/0000:09:00.0/vendor", "0x8086");
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:09:00.0/sriov_totalvfs"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:09:00.0/physfn"));
        assert_link(R, "sys/class/net/eno1", "../../devices/pci0000:00/0000:09:00.0/net/eno1");
        test_simhost(R, "--quiet", "--add-function", "bdf=0000:0a:00.0,driver=none,vendor=10ec,device=8168,"
                     "class=0x020000,iommu=no,reset=no", NULL);
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:0a:00.0/driver"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:0a:00.0/iommu_group"));
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:0a:00.0/reset"));

        node = g_strdup_printf("dev/vfio/%u", g);
        test_simhost(R, "--quiet", "--assign", "0000:03:02.2", "--assign", "0000:03:02.3", NULL);
        g_assert_true(is_fifo(R, node));
        test_simhost(R, "--quiet", "--release", "0000:03:02.2", NULL);
        g_assert_true(is_fifo(R, node));        /* 03:02.3 is still on vfio-pci */
        test_simhost(R, "--quiet", "--release", "0000:03:02.3", NULL);
        g_assert_false(exists(R, node));

        const char *const bad[][5] = {
                { R, "--iommu-group", "0000:03:02.2", NULL },                   /* one function */
                { R, "--iommu-group", "0000:03:02.2,0000:99:00.0", NULL },      /* no such function */
                { R, "--add-function", "driver=e1000e", NULL },                 /* no bdf */
                { R, "--add-function", "bdf=0000:09:00.0", NULL },              /* taken */
                { R, "--add-function", "bdf=0000:0b:00.0,colour=red", NULL },
                { R, "--add-function", "bdf=0000:0b:00.0,driver=../x", NULL },
                { R, "--add-function", "bdf=0000:0b:00.0,name=a/b", NULL },
                { R, "--add-function", "bdf=0000:0b:00.0,group=0000:99:00.0", NULL },
                { R, "--dirty", "0000:03:00.0", "9", NULL },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                expect_failure(bad[i], NULL);
        g_assert_false(exists(R, "sys/devices/pci0000:00/0000:0b:00.0"));
}

/* --dirty, and --fail with every OP of simhost.md 1.1 and IGNORE */
static void test_dirty_and_faults(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=eth0,bdf=0000:03:00.0,model=x710,vfs=2", NULL);
        const char *ops[] = { "set_trust", "set_spoofchk", "set_link_state", "set_rate", "set_vlan_proto", "set_mtu",
                              "bind", "unbind", "reset", "macvtap" };
        g_autoptr(GString) expect = g_string_new(NULL);
        const char *R = d->path;

        test_simhost(R, "--quiet", "--dirty", "0000:03:00.0", "1", NULL);
        assert_line(R, "vfstate/0000:03:00.0/vf1/dirty", "1");
        for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
                g_autofree char *line = g_strdup_printf("%s %s", ops[i], i % 2 ? "IGNORE" : "EBUSY 2");

                test_simhost(R, "--quiet", "--fail", "0000:03:00.0", "0", line, NULL);
                g_string_append_printf(expect, "%s\n", line);
        }
        assert_file_text(R, "vfstate/0000:03:00.0/vf0/fail", expect->str);
}

/* A macvtap or VLAN device (written here as a test may) goes with the netdev under it: PF removed, VF assigned */
static void write_upper(const char *R, const char *name, const char *lower_target, const char *tap) {
        g_autofree char *dir = g_build_filename(R, "sys/devices/virtual/net", name, NULL);
        g_autofree char *lower = g_build_filename(dir, "lower", NULL), *class_net = g_build_filename(R,
                                                                                                   "sys/class/net", name, NULL);
        g_autofree char *class_target = g_strconcat("../../devices/virtual/net/", name, NULL);

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_cmpint(symlink(lower_target, lower), ==, 0);
        g_assert_cmpint(symlink(class_target, class_net), ==, 0);
        if (tap) {
                g_autofree char *tap_file = g_build_filename(dir, "tap", NULL), *node = g_build_filename(R, "dev", tap, NULL);

                g_assert_true(g_file_set_contents(tap_file, tap, -1, NULL));
                g_assert_cmpint(mkfifo(node, 0600), ==, 0);
        }
}

static void test_uppers_go_with_lower(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=eth0,bdf=0000:03:00.0,model=x710,vfs=2",
                                             "--pf", "name=eth1,bdf=0000:04:00.0,model=x710,vfs=2", NULL);
        const char *R = d->path;

        write_upper(R, "eth0.42", "../../../pci0000:00/0000:03:00.0/net/eth0", NULL);
        write_upper(R, "macvtap0", "../eth0.42", "tap100");
        write_upper(R, "macvtap1", "../../../pci0000:00/0000:04:02.1/net/eth1v1", "tap101");
        write_upper(R, "macvtap2", "../../../pci0000:00/0000:04:00.0/net/eth1", "tap102");

        test_simhost(R, "--quiet", "--remove-pf", "0000:03:00.0", NULL);
        g_assert_false(exists(R, "sys/devices/virtual/net/eth0.42"));
        g_assert_false(exists(R, "sys/class/net/eth0.42"));
        g_assert_false(exists(R, "sys/devices/virtual/net/macvtap0"));
        g_assert_false(exists(R, "sys/class/net/macvtap0"));
        g_assert_false(exists(R, "dev/tap100"));
        g_assert_true(exists(R, "sys/devices/virtual/net/macvtap1"));

        test_simhost(R, "--quiet", "--set-numvfs", "0000:04:00.0", "1", NULL);
        g_assert_false(exists(R, "sys/devices/virtual/net/macvtap1"));
        g_assert_false(exists(R, "dev/tap101"));
        g_assert_true(exists(R, "sys/devices/virtual/net/macvtap2"));
        write_upper(R, "macvtap3", "../../../pci0000:00/0000:04:02.0/net/eth1v0", "tap103");
        test_simhost(R, "--quiet", "--assign", "0000:04:02.0", NULL);
        g_assert_false(exists(R, "sys/class/net/macvtap3"));
        g_assert_true(exists(R, "sys/class/net/macvtap2"));
}

/* A released function's netdevs come back with a fresh ifindex: one taken meanwhile is not handed out twice */
static void test_release_fresh_ifindex(void) {
        g_autoptr(TestDir) d = test_sim_host("--pf", "name=eth0,bdf=0000:03:00.0,model=x710,vfs=2", NULL);
        g_autofree char *before = NULL, *after = NULL, *other = NULL;
        const char *R = d->path;

        before = test_read_line(R, "sys/class/net/eth0v1/ifindex");
        test_simhost(R, "--quiet", "--assign", "0000:03:02.1", NULL);
        write_upper(R, "macvtap9", "../../../pci0000:00/0000:03:00.0/net/eth0", NULL);
        {
                g_autofree char *path = g_build_filename(R, "sys/devices/virtual/net/macvtap9/ifindex", NULL);

                g_assert_true(g_file_set_contents(path, "77\n", -1, NULL));
        }
        test_simhost(R, "--quiet", "--release", "0000:03:02.1", NULL);
        after = test_read_line(R, "sys/class/net/eth0v1/ifindex");
        g_assert_cmpstr(after, !=, before);
        g_assert_cmpint(atoi(after), >, 77);
        test_simhost(R, "--quiet", "--add-pf", "name=eth1,bdf=0000:04:00.0,model=x710", NULL);
        other = test_read_line(R, "sys/class/net/eth1/ifindex");
        g_assert_cmpint(atoi(other), >, atoi(after));
}

static void test_help(void) {
        const char *args[] = { "--help", NULL };
        g_autofree char *out = NULL;

        g_assert_cmpint(test_simhost_run(args, &out, NULL), ==, 0);
        g_assert_nonnull(strstr(out, "--set-numvfs"));
        g_assert_nonnull(strstr(out, "nonetdev=LIST"));
        g_assert_nonnull(strstr(out, "--add-function"));
        g_assert_nonnull(strstr(out, "--iommu-group"));
        g_assert_nonnull(strstr(out, "--dirty"));
        g_assert_nonnull(strstr(out, "noiommu=LIST"));
        g_assert_nonnull(strstr(out, "IGNORE"));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hw/simhost/layout-default", test_layout_default);
        g_test_add_func("/hw/simhost/unique-ids", test_unique_ids);
        g_test_add_func("/hw/simhost/bad-descriptions", test_bad_descriptions);
        g_test_add_func("/hw/simhost/bad-combinations", test_bad_combinations);
        g_test_add_func("/hw/simhost/bad-usage", test_bad_usage);
        g_test_add_func("/hw/simhost/force", test_force);
        g_test_add_func("/hw/simhost/changes", test_changes);
        g_test_add_func("/hw/simhost/long-lists", test_long_lists);
        g_test_add_func("/hw/simhost/layout-v11", test_layout_v11);
        g_test_add_func("/hw/simhost/iommu-reset-keys", test_iommu_reset_keys);
        g_test_add_func("/hw/simhost/groups-across-changes", test_groups_across_changes);
        g_test_add_func("/hw/simhost/shared-group-and-vfio-node", test_shared_group_and_vfio_node);
        g_test_add_func("/hw/simhost/dirty-and-faults", test_dirty_and_faults);
        g_test_add_func("/hw/simhost/uppers-go-with-lower", test_uppers_go_with_lower);
        g_test_add_func("/hw/simhost/release-fresh-ifindex", test_release_fresh_ifindex);
        g_test_add_func("/hw/simhost/help", test_help);
        return g_test_run();
}
