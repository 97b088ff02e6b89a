/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim backend: driver binding and function reset, as the kernel does them (simhost.md "Version 1.1") */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "hw/hw.h"
#include "hw/hw-sim-internal.h"
#include "hw/hw-sysfs.h"
#include "shared/fileio.h"
#include "shared/macro.h"

int sim_function_dir(HwBackend *hw, const PciAddr *addr, char **ret) {
        char bdf[PCI_ADDR_STR_MAX];
        g_autofree char *dir = g_build_filename(hw->sysfs_root, SIM_DEVICES_DIR, pci_addr_to_string(addr, bdf), NULL);

        if (!sim_is_dir(dir))
                return -ENODEV;
        *ret = g_steal_pointer(&dir);
        return 0;
}

char *sim_vf_dir_of(HwBackend *hw, const HwFunction *f) {
        char bdf[PCI_ADDR_STR_MAX], vf_name[32];

        if (!f->is_vf || f->vf_index < 0)
                return NULL;
        g_snprintf(vf_name, sizeof(vf_name), "vf%d", f->vf_index);
        return g_build_filename(hw->sysfs_root, "vfstate", pci_addr_to_string(&f->physfn, bdf), vf_name, NULL);
}

/* The VF's place with the VF index hint (hw.c): its physfn link and one virtfn link read, not its netdevs */
int sim_function_vf_dir(HwBackend *hw, const PciAddr *addr, char **ret_vf_dir, PciAddr *ret_pf) {
        char bdf[PCI_ADDR_STR_MAX], vf_name[32];
        PciAddr pf;
        int index = -1, r;

        *ret_vf_dir = NULL;
        r = hw_function_vf_place(hw, addr, &pf, &index);
        if (r <= 0 || index < 0)
                return r < 0 ? r : 0;
        g_snprintf(vf_name, sizeof(vf_name), "vf%d", index);
        *ret_vf_dir = g_build_filename(hw->sysfs_root, "vfstate", pci_addr_to_string(&pf, bdf), vf_name, NULL);
        if (ret_pf)
                *ret_pf = pf;
        return 0;
}

/* ---- ifindexes, unique in the host ----
 * sys/class/net is read whole once; from then on an inotify watch on it names the entries added since (by
 * this backend, the generator or a test), and only their ifindexes are read, when a new one is needed: a
 * macvtap costs the same at 64 VFs as at 32,768. A lost event (queue overflow), the directory gone or no
 * watch at all: the whole directory is read again, as before. An ifindex changed in place under a class/net
 * entry that stays is not noticed: the kernel never changes a live netdev's, and the generator writes a
 * netdev's before netpoold runs again. */

/* IN_DELETE only keeps two IN_CREATE events of one name apart: inotify merges an event into the same one queued
 * last, and an entry made again would otherwise look like the one made before */
#define CLASS_NET_EVENTS (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)

static void note_ifindex(const char *class_net, const char *name, int *highest) {
        g_autofree char *path = g_build_filename(class_net, name, "ifindex", NULL), *line = NULL;
        guint64 v;

        if (read_one_line(path, &line) >= 0 &&
            g_ascii_string_to_unsigned(g_strstrip(line), 10, 0, INT_MAX - 1, &v, NULL))
                *highest = MAX(*highest, (int) v);
}

static void close_class_net_watch(SimState *st) {
        if (st->class_net_watch >= 0)
                (void) close(st->class_net_watch);
        st->class_net_watch = -1;
        st->own_class_link[0] = '\0';
}

void sim_class_link_made(HwBackend *hw, const char *name) {
        SimState *st = sim_state(hw);

        if (st->class_net_watch >= 0)
                g_strlcpy(st->own_class_link, name, sizeof(st->own_class_link));
}

/* The first event of the entry this backend made last is its own making: that netdev has an ifindex handed out
 * here (≤ last_ifindex), not to be read again. A later event of the same name (the entry made anew by someone
 * else) is read as any other. */
static bool is_own_class_link(SimState *st, const struct inotify_event *ev) {
        if (!(ev->mask & IN_CREATE) || !st->own_class_link[0] || !streq(ev->name, st->own_class_link))
                return false;
        st->own_class_link[0] = '\0';
        return true;
}

/* The ifindexes of the entries the watch reported: false when it cannot tell what was added. A read that left
 * room for a longest event more found the queue empty: no read more to learn that. */
static bool read_added_ifindexes(const char *class_net, SimState *st, int *highest) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        if (st->class_net_watch < 0)
                return false;
        for (;;) {
                ssize_t n = read(st->class_net_watch, buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN;         /* drained */
                if (n == 0)
                        return false;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;

                        if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
                                return false;
                        if (ev->len > 0 && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && !is_own_class_link(st, ev))
                                note_ifindex(class_net, ev->name, highest);
                        p += sizeof(*ev) + ev->len;
                }
                if ((size_t) n + sizeof(struct inotify_event) + NAME_MAX + 1 <= sizeof(buf))
                        return true;
        }
}

static void read_all_ifindexes(const char *class_net, SimState *st, int *highest) {
        g_autoptr(GDir) d = NULL;
        const char *name;

        close_class_net_watch(st);
        /* watched before the read: an entry added during it is read again next time, never missed */
        st->class_net_watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (st->class_net_watch >= 0 && inotify_add_watch(st->class_net_watch, class_net, CLASS_NET_EVENTS) < 0)
                close_class_net_watch(st);
        d = g_dir_open(class_net, 0, NULL);
        while (d && (name = g_dir_read_name(d)))
                note_ifindex(class_net, name, highest);
}

int sim_new_ifindex(HwBackend *hw) {
        g_autofree char *class_net = g_build_filename(hw->sysfs_root, SIM_CLASS_NET_DIR, NULL);
        SimState *st = sim_state(hw);
        int highest = st->last_ifindex;

        if (!read_added_ifindexes(class_net, st, &highest))
                read_all_ifindexes(class_net, st, &highest);
        st->last_ifindex = highest + 1;
        return st->last_ifindex;
}

/* ---- unbind: the driver's netdevs go, with what is stacked on them ---- */

int sim_remove_pci_netdev(HwBackend *hw, const char *function_dir, const char *name) {
        g_autofree char *dir = g_build_filename(function_dir, "net", name, NULL);
        g_autofree char *link = g_build_filename(hw->sysfs_root, SIM_CLASS_NET_DIR, name, NULL);
        int r;

        r = sim_remove_uppers(hw, name);
        if (r < 0)
                return r;
        if (unlink(link) < 0 && errno != ENOENT)
                return -errno;
        return sim_rm_rf(dir);
}

static bool is_vfio_or_stub(const char *driver) {
        return streq_ptr(driver, SIM_VFIO_DRIVER) || streq_ptr(driver, SIM_STUB_DRIVER);
}

/* R/dev/vfio/<G> exists while a function of group G is on vfio-pci */
static int sync_vfio_node(HwBackend *hw, const PciAddr *addr) {
        g_autoptr(GArray) members = NULL;
        g_autofree char *node = NULL, *vfio_dir = NULL;
        bool on_vfio = false;
        int group, r;

        r = hw_sysfs_iommu_group(hw->sysfs_root, addr, &group);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = hw_sysfs_iommu_group_devices(hw->sysfs_root, group, &members);
        if (r < 0 && r != -ENOENT)
                return r;
        for (guint i = 0; members && i < members->len && !on_vfio; i++) {
                g_autofree char *driver = NULL;

                if (hw_sysfs_function_driver(hw->sysfs_root, &g_array_index(members, PciAddr, i), &driver) >= 0)
                        on_vfio = streq_ptr(driver, SIM_VFIO_DRIVER);
        }
        vfio_dir = g_build_filename(hw->sysfs_root, "dev", "vfio", NULL);
        node = g_strdup_printf("%s/%d", vfio_dir, group);
        if (!on_vfio)
                return unlink(node) < 0 && errno != ENOENT ? -errno : 0;
        if (sim_exists(node))
                return 0;
        r = mkdir_parents(vfio_dir);
        if (r < 0)
                return r;
        return mkfifo(node, 0600) < 0 ? -errno : 0;
}

static int unbind(HwBackend *hw, const PciAddr *addr, const char *function_dir) {
        g_autofree char *net = g_build_filename(function_dir, "net", NULL);
        g_autofree char *link = g_build_filename(function_dir, "driver", NULL);
        g_autoptr(GDir) d = g_dir_open(net, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        int r;

        while (d && (name = g_dir_read_name(d)))
                if (netdev_name_is_valid(name))
                        g_ptr_array_add(names, g_strdup(name));
        for (guint i = 0; i < names->len; i++) {
                r = sim_remove_pci_netdev(hw, function_dir, names->pdata[i]);
                if (r < 0)
                        return r;
        }
        (void) rmdir(net);
        if (unlink(link) < 0 && errno != ENOENT)
                return -errno;
        return sync_vfio_node(hw, addr);
}

/* ---- probe: the driver binds and makes what it makes ---- */

static void fresh_mac(char ret[18]) {
        guint32 a = g_random_int(), b = g_random_int();

        /* locally administered unicast, as eth_random_addr() */
        g_snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", ((a >> 24) & 0xfe) | 0x02, (a >> 16) & 0xff,
                   (a >> 8) & 0xff, a & 0xff, (b >> 8) & 0xff, b & 0xff);
}

/* The VF's admin MAC as its PF sets it for port P (fresh when all zeros or unreadable) */
static void admin_mac(const char *vf_dir, unsigned port, char ret[18]) {
        g_autofree char *p = g_strdup_printf("p%u", port);
        g_autofree char *path = g_build_filename(vf_dir, p, "mac", NULL), *mac = NULL;

        if (read_one_line(path, &mac) >= 0 && mac_normalize(g_strstrip(mac), ret) >= 0 &&
            !streq(ret, "00:00:00:00:00:00"))
                return;
        fresh_mac(ret);
}

/* The PF netdev's phys_port_id of PF port P (1-based); NULL when it has none */
static char *pf_port_id(HwBackend *hw, const PciAddr *pf, unsigned port) {
        g_autoptr(HwFunction) f = NULL;

        if (hw_sysfs_read_topology(hw->sysfs_root, pf, -1, &f) < 0)
                return NULL;
        for (guint i = 0; i < f->netdevs->len; i++) {
                const HwNetdev *n = f->netdevs->pdata[i];

                if (n->dev_port == (int) port - 1)
                        return g_strdup(n->phys_port_id);
        }
        return NULL;
}

/* The name the netdev gets: the driver's, or "ethN" when that one is taken (as the kernel's fallback) */
static char *free_name(HwBackend *hw, const char *wanted) {
        for (unsigned n = 0;; n++) {
                g_autofree char *name = n == 0 ? g_strdup(wanted) : g_strdup_printf("eth%u", n - 1);
                g_autofree char *link = g_build_filename(hw->sysfs_root, SIM_CLASS_NET_DIR, name, NULL);

                if (!sim_exists(link))
                        return g_steal_pointer(&name);
        }
}

typedef struct NewNetdev {
        const char *name;
        unsigned dev_port;
        const char *mac;
        const char *phys_port_id;
} NewNetdev;

/* function_dir/net/<name>, net/ made first when it is not there (the function's first netdev): two mkdir calls, where
 * mkdir_parents() checks every component from the root */
static int make_netdev_dir(const char *function_dir, const char *dir) {
        g_autofree char *net = g_build_filename(function_dir, "net", NULL);

        if (mkdir(net, 0755) < 0 && errno != EEXIST)
                return -errno;
        return mkdir(dir, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int make_netdev(HwBackend *hw, const PciAddr *addr, const char *function_dir, const NewNetdev *n) {
        g_autofree char *dir = g_build_filename(function_dir, "net", n->name, NULL);
        g_autofree char *class_dir = g_build_filename(hw->sysfs_root, SIM_CLASS_NET_DIR, NULL);
        g_autofree char *link = g_build_filename(class_dir, n->name, NULL), *target = NULL, *device = NULL;
        char bdf[PCI_ADDR_STR_MAX], buf[32];
        int r;

        pci_addr_to_string(addr, bdf);
        r = make_netdev_dir(function_dir, dir);
        if (r >= 0)
                r = sim_write_value(dir, "address", n->mac);
        g_snprintf(buf, sizeof(buf), "%d", sim_new_ifindex(hw));
        if (r >= 0)
                r = sim_write_value(dir, "ifindex", buf);
        g_snprintf(buf, sizeof(buf), "%u", n->dev_port);
        if (r >= 0)
                r = sim_write_value(dir, "dev_port", buf);
        if (r >= 0 && n->phys_port_id)
                r = sim_write_value(dir, "phys_port_id", n->phys_port_id);
        if (r >= 0)
                r = sim_write_value(dir, "operstate", "down");  /* a new netdev is down until set up */
        if (r >= 0)
                r = sim_write_value(dir, "mtu", "1500");
        device = g_strconcat("../../../", bdf, NULL);
        target = g_strconcat("../../devices/pci0000:00/", bdf, "/net/", n->name, NULL);
        if (r >= 0) {
                g_autofree char *device_link = g_build_filename(dir, "device", NULL);

                if (symlink(device, device_link) < 0 || symlink(target, link) < 0)
                        r = -errno;
                else
                        sim_class_link_made(hw, n->name);
        }
        return r;
}

/* The VF driver's netdevs, as R/vfstate/<PF>/vf<N>/netdevs lists them ("IFNAME DEV_PORT" a line) */
static int make_vf_netdevs(HwBackend *hw, const PciAddr *addr, const char *function_dir, const char *vf_dir,
                           const PciAddr *pf) {
        g_autofree char *list = g_build_filename(vf_dir, "netdevs", NULL), *text = NULL;
        g_autofree char *port_path = g_build_filename(vf_dir, "port", NULL), *port_text = NULL;
        g_auto(GStrv) lines = NULL;
        guint64 single_port = 0;
        int r;

        r = read_file_full(list, 64 * 1024, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (read_one_line(port_path, &port_text) >= 0)
                (void) g_ascii_string_to_unsigned(g_strstrip(port_text), 10, 1, 2, &single_port, NULL);
        lines = g_strsplit(text, "\n", -1);
        for (size_t i = 0; lines[i]; i++) {
                g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " \t", 2);
                g_autofree char *name = NULL, *port_id = NULL;
                guint64 dev_port;
                unsigned port;
                char mac[18];

                if (!words[0] || !words[0][0])
                        continue;
                if (!netdev_name_is_valid(words[0]) || !words[1] ||
                    !g_ascii_string_to_unsigned(g_strstrip(words[1]), 10, 0, 1, &dev_port, NULL))
                        return -EIO;    /* the generator writes no such line */
                port = single_port ? (unsigned) single_port : (unsigned) dev_port + 1;
                admin_mac(vf_dir, port, mac);
                port_id = pf_port_id(hw, pf, port);
                name = free_name(hw, words[0]);
                r = make_netdev(hw, addr, function_dir, &(NewNetdev) {
                                .name = name, .dev_port = (unsigned) dev_port, .mac = mac, .phys_port_id = port_id });
                if (r < 0)
                        return r;
        }
        return 0;
}

static int probe(HwBackend *hw, const PciAddr *addr, const char *function_dir, const char *driver,
                 const char *vf_dir, const PciAddr *pf) {
        g_autofree char *driver_dir = g_build_filename(hw->sysfs_root, SIM_DRIVERS_DIR, driver, NULL);
        g_autofree char *link = g_build_filename(function_dir, "driver", NULL);
        g_autofree char *target = g_strconcat("../../../bus/pci/drivers/", driver, NULL);
        bool vfio = streq(driver, SIM_VFIO_DRIVER);
        int group, r;

        if (!sim_is_dir(driver_dir)) {
                if (!vfio)
                        return -ENOENT;
                r = mkdir_parents(driver_dir);          /* modprobe vfio-pci */
                if (r < 0)
                        return r;
        }
        if (vfio && hw_sysfs_iommu_group(hw->sysfs_root, addr, &group) < 0)
                return -EINVAL;                         /* vfio-pci's probe refuses a device without group */
        if (symlink(target, link) < 0)
                return -errno;
        if (vfio)
                return sync_vfio_node(hw, addr);
        if (vf_dir && !streq(driver, SIM_STUB_DRIVER))
                return make_vf_netdevs(hw, addr, function_dir, vf_dir, pf);
        return 0;
}

static unsigned count_netdevs(const char *function_dir) {
        g_autofree char *net = g_build_filename(function_dir, "net", NULL);
        g_autoptr(GDir) d = g_dir_open(net, 0, NULL);
        unsigned n = 0;

        while (d && g_dir_read_name(d))
                n++;
        return n;
}

static int bind_steps(HwBackend *hw, const PciAddr *addr, const char *driver) {
        g_autofree char *dir = NULL, *vf_dir = NULL, *current = NULL;
        PciAddr pf = {};
        int r;

        r = sim_function_dir(hw, addr, &dir);
        if (r >= 0)
                r = hw_sysfs_function_driver(hw->sysfs_root, addr, &current);
        if (r >= 0)
                r = sim_function_vf_dir(hw, addr, &vf_dir, &pf);
        if (r < 0)
                return r;
        if (streq_ptr(current, driver))
                return 0;
        r = sim_write_value(dir, "driver_override", driver);
        if (r < 0)
                return r;
        if (current) {
                r = sim_fail_check(vf_dir, "unbind", NULL);
                if (r != 0)
                        return MIN(r, 0);       /* IGNORE: still bound, and the probe leaves a bound device be */
                r = unbind(hw, addr, dir);
                if (r < 0)
                        return r;
        }
        r = sim_fail_check(vf_dir, "bind", NULL);
        if (r != 0)
                return MIN(r, 0);               /* IGNORE: left unbound */
        return probe(hw, addr, dir, driver, vf_dir, &pf);
}

/* As the linux backend (and libvirt): a bind that failed, or that the driver did not take (-EIO), leaves no
 * driver_override behind, and the function goes back to a host driver when it was left without one. */
int sim_bind_driver(HwBackend *hw, const PciAddr *addr, const char *driver) {
        g_autofree char *now = NULL;
        int r = bind_steps(hw, addr, driver);

        if (r >= 0 && hw_sysfs_function_driver(hw->sysfs_root, addr, &now) >= 0 && streq_ptr(now, driver))
                return 0;
        if (r >= 0)
                r = -EIO;
        g_clear_pointer(&now, g_free);
        if (hw_sysfs_function_driver(hw->sysfs_root, addr, &now) >= 0 && now)
                (void) sim_bind_host_driver(hw, addr, now, 0);  /* on a host driver: the override cleared */
        else
                (void) sim_bind_host_driver(hw, addr, NULL, 0);
        return r;
}

/* The driver the other VFs of the same PF have (not vfio-pci or pci-stub): the kernel's choice for this one */
static int sibling_driver(HwBackend *hw, const PciAddr *addr, const PciAddr *pf, char **ret) {
        g_autoptr(GPtrArray) vfs = NULL;
        int r;

        *ret = NULL;
        r = hw_sysfs_list_vfs(hw->sysfs_root, pf, /* topology= */ true, &vfs);
        if (r < 0)
                return r;
        for (guint i = 0; i < vfs->len; i++) {
                const HwFunction *vf = vfs->pdata[i];
                g_autofree char *driver = NULL;

                if (pci_addr_equal(&vf->addr, addr))
                        continue;
                if (hw_sysfs_function_driver(hw->sysfs_root, &vf->addr, &driver) >= 0 && driver &&
                    !is_vfio_or_stub(driver)) {
                        *ret = g_steal_pointer(&driver);
                        return 0;
                }
        }
        return 0;
}

int sim_bind_host_driver(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs) {
        g_autofree char *dir = NULL, *vf_dir = NULL, *current = NULL, *target = g_strdup(driver);
        PciAddr pf = {};
        int r;

        r = sim_function_dir(hw, addr, &dir);
        if (r >= 0)
                r = hw_sysfs_function_driver(hw->sysfs_root, addr, &current);
        if (r >= 0)
                r = sim_function_vf_dir(hw, addr, &vf_dir, &pf);
        if (r >= 0 && !target && vf_dir)
                r = sibling_driver(hw, addr, &pf, &target);
        if (r >= 0)
                r = sim_write_value(dir, "driver_override", "");
        if (r < 0)
                return r;
        /* on its host driver already (a release finished before): nothing to undo */
        if (current && !is_vfio_or_stub(current) && (!target || streq(current, target)))
                return count_netdevs(dir) < wait_netdevs ? -ETIMEDOUT : 0;
        if (current) {
                r = sim_fail_check(vf_dir, "unbind", NULL);
                if (r != 0)
                        return MIN(r, 0);
                r = unbind(hw, addr, dir);
                if (r < 0)
                        return r;
        }
        if (!target)
                return wait_netdevs > 0 ? -ETIMEDOUT : 0;       /* no driver claims it: left unbound */
        r = sim_fail_check(vf_dir, "bind", NULL);
        if (r != 0)
                return MIN(r, 0);
        r = probe(hw, addr, dir, target, vf_dir, &pf);
        if (r < 0)
                return r;
        return count_netdevs(dir) < wait_netdevs ? -ETIMEDOUT : 0;
}

/* A function's directory and, for a VF, its vfstate directory (NULL for another function). */
static int function_dirs(HwBackend *hw, const PciAddr *addr, char **ret_dir, char **ret_vf_dir) {
        int r = sim_function_dir(hw, addr, ret_dir);

        return r < 0 ? r : sim_function_vf_dir(hw, addr, ret_vf_dir, NULL);
}

int sim_reset(HwBackend *hw, const PciAddr *addr) {
        g_autofree char *dir = NULL, *vf_dir = NULL, *reset = NULL;
        int r;

        r = function_dirs(hw, addr, &dir, &vf_dir);
        if (r < 0)
                return r;
        reset = g_build_filename(dir, "reset", NULL);
        if (!sim_exists(reset))
                return -ENOTSUP;
        r = sim_fail_check(vf_dir, "reset", NULL);
        if (r != 0)
                return MIN(r, 0);
        r = sim_write_value(dir, "reset", "1");
        if (r < 0 || !vf_dir)
                return r;
        return unlink_atomic(vf_dir, "dirty");
}

int sim_needs_reset(HwBackend *hw, const PciAddr *addr, bool *ret) {
        g_autofree char *dir = NULL, *vf_dir = NULL, *dirty = NULL;
        int r;

        r = function_dirs(hw, addr, &dir, &vf_dir);
        if (r < 0)
                return r;
        if (!vf_dir)
                return -EOPNOTSUPP;     /* not a VF: the sim keeps no such state for it */
        dirty = g_build_filename(vf_dir, "dirty", NULL);
        *ret = sim_exists(dirty);
        return 0;
}
