/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel test of the linux backend's plug (hw-plug.h) on a real kernel: macvtap and VLAN devices over
 * netdevsim's or igb's netdevs, and on igb's VFs the binding to vfio-pci and back, reset and rename. Every
 * result is read back from the kernel itself: /sys, /dev and iproute2's `ip -d link` by its full path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <glib.h>

#include "core/pci-addr.h"
#include "hw/hw-linux.h"
#include "hw/hw-plug.h"
#include "kernel-plug-test.h"

/* iproute2's ip by its full path: busybox's applet prints no details (and a busybox shell runs its own) */
static const char *ip_path(void) {
        static const char *const paths[] = { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" };

        for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
                char target[256];
                ssize_t n = readlink(paths[i], target, sizeof(target) - 1);

                if (n > 0 && g_str_has_suffix((target[n] = '\0', target), "busybox"))
                        continue;
                if (access(paths[i], X_OK) == 0)
                        return paths[i];
        }
        g_error("no iproute2 ip in /usr/sbin, /sbin, /usr/bin or /bin");
}

/* `ip -d link show dev NAME`; NULL when ip fails (no such device) */
static char *ip_details(const char *name) {
        const char *argv[] = { ip_path(), "-d", "link", "show", "dev", name, NULL };
        g_autofree char *out = NULL;
        g_autoptr(GError) error = NULL;
        int status = 0;

        if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                          &error))
                g_error("running ip: %s", error->message);
        return g_spawn_check_wait_status(status, NULL) ? g_steal_pointer(&out) : NULL;
}

static void assert_contains(const char *haystack, const char *needle) {
        if (!strstr(haystack, needle))
                g_error("'%s' not in:\n%s", needle, haystack);
}

static bool netdev_exists(const char *name) {
        g_autofree char *path = g_strconcat("/sys/class/net/", name, NULL);

        return access(path, F_OK) == 0;
}

static bool netdev_is_up(const char *name) {
        g_autofree char *path = g_strconcat("/sys/class/net/", name, "/flags", NULL);
        g_autofree char *flags = NULL;

        g_assert_true(g_file_get_contents(path, &flags, NULL, NULL));
        return strtoul(flags, NULL, 16) & 1;    /* IFF_UP */
}

static char *netdev_mac(const char *name) {
        g_autofree char *path = g_strconcat("/sys/class/net/", name, "/address", NULL);
        char *mac = NULL;

        g_assert_true(g_file_get_contents(path, &mac, NULL, NULL));
        return g_strstrip(mac);
}

static int netdev_ifindex(const char *name) {
        g_autofree char *path = g_strconcat("/sys/class/net/", name, "/ifindex", NULL);
        g_autofree char *s = NULL;

        g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
        return atoi(s);
}

/* A macvtap as the kernel shows it: hw's read, `ip -d link`, /sys and its tap node all agree */
static void assert_macvtap(HwBackend *hw, const char *name, const char *lower, const char *mode, const char *mac) {
        g_autoptr(HwVirtualNetdev) v = NULL;
        g_autofree char *ip = ip_details(name), *at_lower = g_strconcat("@", lower, ":", NULL);
        g_autofree char *ip_mode = g_strconcat("macvtap mode ", mode, " ", NULL);
        g_autofree char *tap = g_strdup_printf("tap%d", netdev_ifindex(name));
        g_autofree char *sys_mac = netdev_mac(name);

        g_assert_nonnull(ip);
        g_test_message("ip -d link show dev %s:\n%s", name, ip);
        assert_contains(ip, at_lower);
        assert_contains(ip, ip_mode);
        g_assert_cmpstr(sys_mac, ==, mac);
        g_assert_true(netdev_is_up(name));

        g_assert_cmpint(hw_virtual_netdev_read(hw, name, &v), ==, 0);
        g_assert_cmpint(v->kind, ==, HW_VIRTUAL_MACVTAP);
        g_assert_cmpstr(v->name, ==, name);
        g_assert_cmpint(v->ifindex, ==, netdev_ifindex(name));
        g_assert_cmpstr(v->lower, ==, lower);
        g_assert_cmpstr(v->mode, ==, mode);
        g_assert_cmpstr(v->mac, ==, mac);
        g_assert_true(v->up);
        g_assert_cmpstr(v->tap, ==, tap);
        g_assert_cmpuint(v->vlan_id, ==, 0);
}

/* One Ethernet frame through the tap: macvtap's queue starts with a 10-byte virtio_net_hdr (IFF_VNET_HDR is
 * its default), all zero = no offloads */
static void write_frame(int fd, const char *src_mac) {
        uint8_t buf[10 + 60] = { 0 };
        uint8_t *frame = buf + 10;
        unsigned m[6];

        g_assert_cmpint(sscanf(src_mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]), ==, 6);
        memset(frame, 0xff, 6);                 /* broadcast */
        for (int i = 0; i < 6; i++)
                frame[6 + i] = (uint8_t) m[i];
        frame[12] = 0x88;                       /* EtherType 0x88b5: local experimental */
        frame[13] = 0xb5;
        g_assert_cmpint(write(fd, buf, sizeof(buf)), ==, (ssize_t) sizeof(buf));
}

static unsigned long tx_packets(const char *name) {
        g_autofree char *path = g_strconcat("/sys/class/net/", name, "/statistics/tx_packets", NULL);
        g_autofree char *s = NULL;

        g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
        return strtoul(s, NULL, 10);
}

/* The macvtap's tap opened through hw (the node devtmpfs or udev made), a frame written, the node's number
 * that of the macvtap's macvtap/tapN/dev */
static void check_tap(HwBackend *hw, const char *name) {
        g_autofree char *tap = g_strdup_printf("tap%d", netdev_ifindex(name));
        g_autofree char *devfile = g_strconcat("/sys/class/net/", name, "/macvtap/", tap, "/dev", NULL);
        g_autofree char *dev = NULL, *node = g_strconcat("/dev/", tap, NULL);
        g_autofree char *want = NULL;
        unsigned long before;
        struct stat st;
        int fd = -1;

        g_assert_cmpint(hw_macvtap_open_tap(hw, name, &fd), ==, 0);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(fcntl(fd, F_GETFD), ==, FD_CLOEXEC);
        g_assert_cmpint(fcntl(fd, F_GETFL) & O_ACCMODE, ==, O_RDWR);
        g_assert_true(g_file_get_contents(devfile, &dev, NULL, NULL));
        g_assert_cmpint(fstat(fd, &st), ==, 0);
        g_assert_true(S_ISCHR(st.st_mode));
        want = g_strdup_printf("%u:%u", major(st.st_rdev), minor(st.st_rdev));
        g_assert_cmpstr(g_strstrip(dev), ==, want);
        g_test_message("%s: %s (%s) opened", name, node, want);
        before = tx_packets(name);
        write_frame(fd, netdev_mac(name));
        g_test_message("%s: tx_packets %lu -> %lu", name, before, tx_packets(name));
        g_assert_cmpuint(tx_packets(name), >, before);  /* the frame went out through the macvtap */
        close(fd);
}

static void delete_and_check(HwBackend *hw, const char *name) {
        g_autofree char *node = g_strdup_printf("/dev/tap%d", netdev_ifindex(name));

        g_assert_cmpint(hw_virtual_netdev_delete(hw, name), ==, 0);
        g_assert_false(netdev_exists(name));
        g_assert_null(ip_details(name));
        g_assert_cmpint(hw_virtual_netdev_delete(hw, name), ==, -ENODEV);
        g_assert_cmpint(hw_virtual_netdev_read(hw, name, &(HwVirtualNetdev *) { NULL }), ==, -ENODEV);
        (void) node;
}

static bool has_carrier(const char *name) {
        g_autofree char *path = g_strconcat("/sys/class/net/", name, "/carrier", NULL);
        g_autofree char *s = NULL;

        return g_file_get_contents(path, &s, NULL, NULL) && s[0] == '1';
}

/* The lower up with a carrier: a macvtap over a down lower is LOWERLAYERDOWN and drops what its tap is given
 * (the write still succeeds) */
static void lower_up(HwBackend *hw, const char *lower) {
        gint64 start = g_get_monotonic_time();

        g_assert_cmpint(hw_netdev_set_up(hw, lower, true), ==, 0);
        /* igbvf's watchdog finds the link every 2 s, slowly under TCG */
        for (int i = 0; i < 1000 && !has_carrier(lower); i++)
                g_usleep(20000);
        g_test_message("%s: carrier %d after %.1f s", lower, has_carrier(lower),
                       (double) (g_get_monotonic_time() - start) / G_USEC_PER_SEC);
        g_assert_true(has_carrier(lower));
}

/* Create, read back, open and write the tap, delete: one macvtap over lower in mode */
void plug_check_macvtap(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac) {
        g_autofree char *want_mac = NULL;
        g_autoptr(HwVirtualNetdev) made = NULL;
        bool was_up = netdev_is_up(lower);

        g_assert_false(netdev_exists(name));
        lower_up(hw, lower);
        g_assert_cmpint(hw_macvtap_create(hw, lower, name, mode, mac, &made), ==, 0);
        /* passthru: the kernel gives the macvtap its lower's MAC, whatever was asked */
        want_mac = g_str_equal(mode, "passthru") ? netdev_mac(lower) : g_ascii_strdown(mac, -1);
        assert_macvtap(hw, name, lower, mode, want_mac);
        /* the create returns the macvtap the kernel made: what a read finds */
        g_assert_nonnull(made);
        g_assert_cmpint(made->kind, ==, HW_VIRTUAL_MACVTAP);
        g_assert_cmpstr(made->name, ==, name);
        g_assert_cmpstr(made->lower, ==, lower);
        g_assert_cmpstr(made->mode, ==, mode);
        g_assert_cmpstr(made->mac, ==, want_mac);
        g_assert_true(made->up);
        check_tap(hw, name);
        /* the name is taken now: -EEXIST and the device stays as it was */
        g_assert_cmpint(hw_macvtap_create(hw, lower, name, "vepa", "52:54:00:00:00:99", NULL), ==, -EEXIST);
        assert_macvtap(hw, name, lower, mode, want_mac);
        delete_and_check(hw, name);
        g_assert_cmpint(hw_netdev_set_up(hw, lower, was_up), ==, 0);
}

/* What must fail, and leave nothing behind */
void plug_check_refusals(HwBackend *hw, const char *lower, const char *not_virtual) {
        g_assert_cmpint(hw_macvtap_create(hw, "nosuch0", "npfail0", "vepa", "52:54:00:00:00:98", NULL), ==, -ENODEV);
        g_assert_false(netdev_exists("npfail0"));
        g_assert_cmpint(hw_vlan_create(hw, "nosuch0", "npfail0", 5), ==, -ENODEV);
        g_assert_false(netdev_exists("npfail0"));
        /* an existing netdev that is no macvtap: created over nothing, deleted never */
        g_assert_cmpint(hw_macvtap_create(hw, lower, not_virtual, "vepa", "52:54:00:00:00:97", NULL), ==, -EEXIST);
        g_assert_cmpint(hw_virtual_netdev_delete(hw, not_virtual), ==, -ENOTSUP);
        g_assert_cmpint(hw_virtual_netdev_read(hw, not_virtual, &(HwVirtualNetdev *) { NULL }), ==, -ENOTSUP);
        g_assert_cmpint(hw_macvtap_open_tap(hw, not_virtual, &(int) { -1 }), ==, -ENOTSUP);
        g_assert_true(netdev_exists(not_virtual));
        /* a multicast MAC: the kernel refuses the macvtap (-EADDRNOTAVAIL), nothing stays */
        g_assert_cmpint(hw_macvtap_create(hw, lower, "npfail0", "bridge", "01:00:5e:00:00:01", NULL), <, 0);
        g_assert_false(netdev_exists("npfail0"));
        /* a second passthru macvtap over the same lower: the kernel's -EINVAL, the first one unchanged */
        g_assert_cmpint(hw_macvtap_create(hw, lower, "nppass0", "passthru", "52:54:00:00:00:96", NULL), ==, 0);
        g_assert_cmpint(hw_macvtap_create(hw, lower, "nppass1", "passthru", "52:54:00:00:00:95", NULL), ==, -EINVAL);
        g_assert_false(netdev_exists("nppass1"));
        g_assert_cmpint(hw_virtual_netdev_delete(hw, "nppass0"), ==, 0);
}

static const HwVirtualNetdev *find_virtual(GPtrArray *list, const char *name) {
        for (unsigned i = 0; i < list->len; i++) {
                const HwVirtualNetdev *v = g_ptr_array_index(list, i);

                if (g_str_equal(v->name, name))
                        return v;
        }
        return NULL;
}

/* A VLAN device over pf and a bridge-mode macvtap over it (the hybrid's virtio path), listed, deleted */
void plug_check_vlan_bridge(HwBackend *hw, const char *pf, unsigned vlan_id) {
        g_autofree char *vname = g_strdup_printf("npv%u", vlan_id);
        g_autofree char *ip_id = g_strdup_printf("vlan protocol 802.1Q id %u ", vlan_id);
        g_autofree char *ip = NULL;
        g_autoptr(HwVirtualNetdev) v = NULL;
        g_autoptr(GPtrArray) list = NULL;
        const HwVirtualNetdev *lv, *lm, *lp;

        g_assert_cmpint(hw_vlan_create(hw, pf, vname, vlan_id), ==, 0);
        ip = ip_details(vname);
        g_assert_nonnull(ip);
        g_test_message("ip -d link show dev %s:\n%s", vname, ip);
        assert_contains(ip, ip_id);
        g_assert_true(netdev_is_up(vname));
        g_assert_cmpint(hw_virtual_netdev_read(hw, vname, &v), ==, 0);
        g_assert_cmpint(v->kind, ==, HW_VIRTUAL_VLAN);
        g_assert_cmpstr(v->lower, ==, pf);
        g_assert_cmpuint(v->vlan_id, ==, vlan_id);
        g_assert_null(v->mode);
        g_assert_null(v->tap);
        g_assert_true(v->up);
        g_assert_cmpint(hw_vlan_create(hw, pf, vname, vlan_id), ==, -EEXIST);
        /* the same id twice over one lower: the kernel's -EEXIST too */
        g_assert_cmpint(hw_vlan_create(hw, pf, "npvdup", vlan_id), ==, -EEXIST);
        g_assert_false(netdev_exists("npvdup"));

        lower_up(hw, pf);
        g_assert_cmpint(hw_macvtap_create(hw, vname, "npbr0", "bridge", "52:54:00:bb:00:01", NULL), ==, 0);
        assert_macvtap(hw, "npbr0", vname, "bridge", "52:54:00:bb:00:01");
        check_tap(hw, "npbr0");

        g_assert_cmpint(hw_virtual_netdev_list(hw, &list), ==, 0);
        lv = find_virtual(list, vname);
        lm = find_virtual(list, "npbr0");
        lp = find_virtual(list, pf);
        g_assert_nonnull(lv);
        g_assert_nonnull(lm);
        g_assert_cmpint(lv->kind, ==, HW_VIRTUAL_VLAN);
        g_assert_cmpuint(lv->vlan_id, ==, vlan_id);
        g_assert_cmpstr(lv->lower, ==, pf);
        g_assert_cmpint(lm->kind, ==, HW_VIRTUAL_MACVTAP);
        g_assert_cmpstr(lm->lower, ==, vname);
        g_assert_cmpstr(lm->mode, ==, "bridge");
        g_assert_nonnull(lp);           /* other netdevs are listed too, as kind OTHER: their names are taken */
        g_assert_cmpint(lp->kind, ==, HW_VIRTUAL_OTHER);
        for (unsigned i = 1; i < list->len; i++)
                g_assert_cmpint(strcmp(((HwVirtualNetdev *) g_ptr_array_index(list, i - 1))->name,
                                       ((HwVirtualNetdev *) g_ptr_array_index(list, i))->name), <, 0);

        /* a macvtap's delete leaves a VLAN device alone */
        g_assert_cmpint(hw_macvtap_delete(hw, vname), ==, -ENOTSUP);
        g_assert_true(netdev_exists(vname));
        g_assert_cmpint(hw_macvtap_delete(hw, "npbr0"), ==, 0);
        g_assert_false(netdev_exists("npbr0"));
        g_assert_cmpint(hw_macvtap_delete(hw, "npbr0"), ==, -ENODEV);
        delete_and_check(hw, vname);
}

/* Rename and up/down of a netdev, read back from /sys; left with its old name and state */
void plug_check_rename(HwBackend *hw, const char *name, const char *taken) {
        const char *tmp = "nprenamed0";
        bool was_up = netdev_is_up(name);
        int ifindex = netdev_ifindex(name);

        g_assert_cmpint(hw_netdev_set_up(hw, name, true), ==, 0);
        g_assert_true(netdev_is_up(name));
        /* up: set down first, and left down */
        g_assert_cmpint(hw_netdev_rename(hw, name, tmp), ==, 0);
        g_assert_false(netdev_exists(name));
        g_assert_true(netdev_exists(tmp));
        g_assert_cmpint(netdev_ifindex(tmp), ==, ifindex);
        g_assert_false(netdev_is_up(tmp));
        g_assert_cmpint(hw_netdev_rename(hw, tmp, taken), ==, -EEXIST);
        g_assert_true(netdev_exists(tmp));
        g_assert_cmpint(hw_netdev_rename(hw, "nosuch0", "nosuch1"), ==, -ENODEV);
        g_assert_cmpint(hw_netdev_rename(hw, tmp, name), ==, 0);
        g_assert_cmpint(netdev_ifindex(name), ==, ifindex);
        g_assert_cmpint(hw_netdev_set_up(hw, name, was_up), ==, 0);
        g_assert_cmpint(netdev_is_up(name), ==, was_up);
        g_assert_cmpint(hw_netdev_set_up(hw, "nosuch0", true), ==, -ENODEV);
}

/* ---- PCI: an igb VF to vfio-pci and back ---- */

static char *function_sysfs(const PciAddr *addr, const char *attr) {
        char bdf[PCI_ADDR_STR_MAX];

        return g_strconcat("/sys/bus/pci/devices/", pci_addr_to_string(addr, bdf), "/", attr, NULL);
}

static char *link_basename(const PciAddr *addr, const char *link) {
        g_autofree char *path = function_sysfs(addr, link);
        g_autofree char *target = g_file_read_link(path, NULL);

        return target ? g_path_get_basename(target) : NULL;
}

static char *first_netdev(const PciAddr *addr) {
        g_autofree char *path = function_sysfs(addr, "net");
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name = dir ? g_dir_read_name(dir) : NULL;

        return g_strdup(name);
}

static char *driver_override(const PciAddr *addr) {
        g_autofree char *path = function_sysfs(addr, "driver_override");
        char *s = NULL;

        g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
        return g_strstrip(s);
}

static void assert_driver(const PciAddr *addr, const char *want) {
        g_autofree char *driver = link_basename(addr, "driver");

        g_assert_cmpstr(driver, ==, want);
}

static void assert_override(const PciAddr *addr, const char *want) {
        g_autofree char *over = driver_override(addr);

        g_assert_cmpstr(over, ==, want);
}

static void assert_first_netdev(const PciAddr *addr, const char *want) {
        g_autofree char *netdev = first_netdev(addr);

        g_assert_cmpstr(netdev, ==, want);
}

/* VF index of pf's device, from its virtfnN link */
void plug_vf_addr(const char *pf, unsigned index, PciAddr *ret) {
        g_autofree char *link = g_strdup_printf("/sys/class/net/%s/device/virtfn%u", pf, index);
        g_autofree char *target = g_file_read_link(link, NULL);
        g_autofree char *bdf = NULL;

        g_assert_nonnull(target);
        bdf = g_path_get_basename(target);
        g_assert_cmpint(pci_addr_from_string(bdf, ret), ==, 0);
}

/* The whole managed-hostdev round trip of one VF through hw: vfio-pci (node opened), reset, igbvf again with
 * a netdev, renamed back to the name it had */
void plug_check_vfio_round_trip(HwBackend *hw, const PciAddr *vf) {
        g_autofree char *host_driver = link_basename(vf, "driver");
        g_autofree char *netdev = first_netdev(vf), *group_name = link_basename(vf, "iommu_group");
        g_autofree char *node = NULL, *drv = NULL, *over = NULL, *back = NULL, *reset = NULL, *vfio_dev = NULL;
        g_autofree char *dev_dir = function_sysfs(vf, "vfio-dev");
        int group = -1, fd, r;

        g_assert_cmpstr(host_driver, ==, "igbvf");
        g_assert_nonnull(netdev);
        g_assert_nonnull(group_name);           /* intel-iommu: every VF has a group */
        g_assert_cmpint(hw_function_iommu_group(hw, vf, &group), ==, 0);
        g_assert_cmpint(group, ==, atoi(group_name));
        node = hw_vfio_group_path(hw, group);
        g_assert_true(g_str_has_prefix(node, "/dev/vfio/") && g_str_equal(node + strlen("/dev/vfio/"), group_name));

        /* the first bind loads vfio-pci through modprobe when it is not there yet */
        g_test_message("vfio-pci %s before the bind", access("/sys/bus/pci/drivers/vfio-pci", F_OK) == 0
                                                          ? "was loaded" : "was not loaded");
        g_assert_cmpint(hw_function_bind_driver(hw, vf, "vfio-pci"), ==, 0);
        drv = link_basename(vf, "driver");
        g_assert_cmpstr(drv, ==, "vfio-pci");
        over = driver_override(vf);
        g_assert_cmpstr(over, ==, "vfio-pci");  /* left set: a re-probe cannot give it back behind our back */
        assert_first_netdev(vf, NULL);
        g_assert_false(netdev_exists(netdev));
        fd = open(node, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                g_error("opening %s: %s", node, g_strerror(errno));
        close(fd);
        g_assert_cmpint(hw_function_bind_driver(hw, vf, "vfio-pci"), ==, 0);        /* already: nothing done */
        r = hw_function_vfio_device(hw, vf, &vfio_dev);
        if (access(dev_dir, F_OK) == 0) {
                g_assert_cmpint(r, ==, 0);
                g_assert_true(g_str_has_prefix(vfio_dev, "/dev/vfio/devices/vfio"));
        } else {
                g_assert_cmpint(r, ==, -ENOENT);    /* kernels before 6.2 have no VFIO cdev */
        }

        reset = function_sysfs(vf, "reset");
        r = hw_function_reset(hw, vf);
        g_test_message("reset of the VF on vfio-pci: %s (reset file %s)", r < 0 ? g_strerror(-r) : "done",
                       access(reset, F_OK) == 0 ? "present" : "absent");
        g_assert_cmpint(r, ==, access(reset, F_OK) == 0 ? 0 : -ENOTSUP);
        assert_driver(vf, "vfio-pci");

        g_assert_cmpint(hw_function_bind_host_driver(hw, vf, "igbvf", 1), ==, 0);
        assert_driver(vf, "igbvf");
        assert_override(vf, "(null)");
        back = first_netdev(vf);
        g_assert_nonnull(back);
        g_test_message("VF netdev %s before vfio-pci, %s after", netdev, back);
        if (!g_str_equal(back, netdev))
                g_assert_cmpint(hw_netdev_rename(hw, back, netdev), ==, 0);
        g_assert_true(netdev_exists(netdev));
        assert_first_netdev(vf, netdev);
        g_assert_cmpint(access(node, F_OK), <, 0);      /* vfio-pci let go of the group */

        /* no such driver: -ENOENT before anything is written; igbvf keeps it */
        g_assert_cmpint(hw_function_bind_driver(hw, vf, "nosuchdrv"), ==, -ENOENT);
        assert_driver(vf, "igbvf");
        assert_override(vf, "(null)");
}

/* Given back with the kernel's own choice (driver NULL): the probe finds igbvf */
void plug_check_host_driver_default(HwBackend *hw, const PciAddr *vf) {
        g_autofree char *netdev = first_netdev(vf), *back = NULL;

        g_assert_cmpint(hw_function_bind_driver(hw, vf, "vfio-pci"), ==, 0);
        g_assert_cmpint(hw_function_bind_host_driver(hw, vf, NULL, 1), ==, 0);
        assert_driver(vf, "igbvf");
        back = first_netdev(vf);
        g_assert_nonnull(back);
        if (!g_str_equal(back, netdev))
                g_assert_cmpint(hw_netdev_rename(hw, back, netdev), ==, 0);
}

/* The netdev of pf's VF index (igbvf's) */
char *plug_vf_netdev(const char *pf, unsigned index) {
        PciAddr vf;
        char *netdev;

        plug_vf_addr(pf, index, &vf);
        netdev = first_netdev(&vf);
        g_assert_nonnull(netdev);
        return netdev;
}
