/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host writer: creates and removes PCI functions, netdevs and VF state under R */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "shared/fileio.h"
#include "tools/simhost-build.h"

/* Parts of the layout (simhost.md); every symlink below is relative, as the kernel makes them. */
#define DEVICES_DIR "sys/devices/pci0000:00"
#define BUS_DEVICES_DIR "sys/bus/pci/devices"
#define DRIVERS_DIR "sys/bus/pci/drivers"
#define CLASS_NET_DIR "sys/class/net"
#define VFSTATE_DIR "vfstate"
#define IOMMU_GROUPS_DIR "sys/kernel/iommu_groups"
#define VIRTUAL_NET_DIR "sys/devices/virtual/net"
#define VFIO_DIR "dev/vfio"
#define VFIO_DRIVER "vfio-pci"
#define DEFAULT_MTU "1500"

int sim_fail(char **reterr, int r, const char *fmt, ...) {
        g_autofree char *what = NULL;
        va_list ap;

        va_start(ap, fmt);
        what = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_free(*reterr);
        *reterr = g_strdup_printf("%s: %s", what, g_strerror(-r));
        return r;
}

int sim_refuse(char **reterr, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        g_free(*reterr);
        *reterr = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return r;
}

static char *bdf_string(const PciAddr *addr) {
        char buf[PCI_ADDR_STR_MAX];

        return g_strdup(pci_addr_to_string(addr, buf));
}

char *sim_function_dir(const char *root, const PciAddr *addr) {
        g_autofree char *bdf = bdf_string(addr);

        return g_build_filename(root, DEVICES_DIR, bdf, NULL);
}

char *sim_class_net_link(const char *root, const char *ifname) {
        return g_build_filename(root, CLASS_NET_DIR, ifname, NULL);
}

char *sim_vfstate_dir(const char *root, const PciAddr *pf, int vf) {
        g_autofree char *bdf = bdf_string(pf), *name = NULL;

        if (vf < 0)
                return g_build_filename(root, VFSTATE_DIR, bdf, NULL);
        name = g_strdup_printf("vf%d", vf);
        return g_build_filename(root, VFSTATE_DIR, bdf, name, NULL);
}

char *sim_held_dir(const char *root, const PciAddr *addr) {
        g_autofree char *record = sim_host_record_dir(root), *bdf = bdf_string(addr);

        return g_build_filename(record, "held", bdf, NULL);
}

int sim_write_attr(const char *dir, const char *name, const char *value) {
        g_autofree char *text = g_strconcat(value, "\n", NULL);

        return write_file_atomic(dir, name, text, strlen(text));
}

static int write_attr_u(const char *dir, const char *name, unsigned value) {
        char buf[32];

        g_snprintf(buf, sizeof(buf), "%u", value);
        return sim_write_attr(dir, name, buf);
}

static int make_dir(const char *path) {
        if (mkdir(path, 0755) < 0)
                return -errno;
        return 0;
}

static int make_symlink(const char *target, const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (symlink(target, path) < 0)
                return -errno;
        return 0;
}

static bool path_exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        if (flag == FTW_DP)
                return rmdir(path) < 0 ? -1 : 0;
        return unlink(path) < 0 ? -1 : 0;
}

int sim_rm_rf(const char *path) {
        if (!path_exists(path))
                return 0;
        if (nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS) < 0)
                return errno ? -errno : -EIO;
        return 0;
}

int sim_build_skeleton(const SimHost *h, char **reterr) {
        static const char *const dirs[] = {
                DEVICES_DIR, BUS_DEVICES_DIR, DRIVERS_DIR, DRIVERS_DIR "/" VFIO_DRIVER, CLASS_NET_DIR, VFSTATE_DIR,
                IOMMU_GROUPS_DIR, VIRTUAL_NET_DIR, VFIO_DIR,
        };

        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
                g_autofree char *path = g_build_filename(h->root, dirs[i], NULL);
                int r = mkdir_parents(path);

                if (r < 0)
                        return sim_fail(reterr, r, "cannot create %s", path);
        }
        return 0;
}

int sim_bind_driver(const char *root, const PciAddr *addr, const char *driver) {
        g_autofree char *dir = sim_function_dir(root, addr), *link = g_build_filename(dir, "driver", NULL);
        g_autofree char *driver_dir = NULL, *target = NULL;
        int r;

        if (unlink(link) < 0 && errno != ENOENT)
                return -errno;
        if (!driver)
                return 0;
        driver_dir = g_build_filename(root, DRIVERS_DIR, driver, NULL);
        r = mkdir_parents(driver_dir);
        if (r < 0)
                return r;
        target = g_strconcat("../../../bus/pci/drivers/", driver, NULL);
        return make_symlink(target, dir, "driver");
}

/* ---- counters: ifindexes and IOMMU group numbers stay unique even next to what others (netpoold's
 * macvtaps and VLAN devices, a test's own groups) made in the tree since the record was written ---- */

static unsigned max_plus_one(unsigned counter, guint64 seen) {
        return seen >= counter && seen < G_MAXUINT ? (unsigned) seen + 1 : counter;
}

static void raise_counters(SimHost *h) {
        g_autofree char *class_net = g_build_filename(h->root, CLASS_NET_DIR, NULL);
        g_autofree char *groups = g_build_filename(h->root, IOMMU_GROUPS_DIR, NULL);
        g_autoptr(GDir) nets = NULL, gdir = NULL;
        const char *name;

        if (h->ifindex_checked)
                return;
        h->ifindex_checked = true;
        nets = g_dir_open(class_net, 0, NULL);
        while (nets && (name = g_dir_read_name(nets))) {
                g_autofree char *path = g_build_filename(class_net, name, "ifindex", NULL), *line = NULL;
                guint64 v;

                if (read_one_line(path, &line) >= 0 && g_ascii_string_to_unsigned(g_strstrip(line), 10, 0,
                                                                                  G_MAXUINT, &v, NULL))
                        h->next_ifindex = max_plus_one(h->next_ifindex, v);
        }
        gdir = g_dir_open(groups, 0, NULL);
        while (gdir && (name = g_dir_read_name(gdir))) {
                guint64 v;

                if (g_ascii_string_to_unsigned(name, 10, 0, G_MAXUINT, &v, NULL))
                        h->next_group = max_plus_one(h->next_group, v);
        }
}

unsigned sim_alloc_ifindex(SimHost *h) {
        raise_counters(h);
        return h->next_ifindex++;
}

unsigned sim_new_group(SimHost *h) {
        raise_counters(h);
        return h->next_group++;
}

/* ---- IOMMU groups and their VFIO nodes ---- */

static char *group_dir(const char *root, unsigned group) {
        g_autofree char *name = g_strdup_printf("%u", group);

        return g_build_filename(root, IOMMU_GROUPS_DIR, name, NULL);
}

static char *vfio_node(const char *root, unsigned group) {
        g_autofree char *name = g_strdup_printf("%u", group);

        return g_build_filename(root, VFIO_DIR, name, NULL);
}

int sim_function_group(const char *root, const PciAddr *addr, unsigned *ret) {
        g_autofree char *dir = sim_function_dir(root, addr), *link = g_build_filename(dir, "iommu_group", NULL);
        g_autofree char *target = g_file_read_link(link, NULL), *base = NULL;
        guint64 v;

        if (!target)
                return -ENOENT;
        base = g_path_get_basename(target);
        if (!g_ascii_string_to_unsigned(base, 10, 0, G_MAXUINT, &v, NULL))
                return -EIO;
        *ret = (unsigned) v;
        return 0;
}

/* R/dev/vfio/<G> exists exactly while a function of group G is bound to vfio-pci, as the kernel's node */
int sim_vfio_sync(const char *root, unsigned group) {
        g_autofree char *gdir = group_dir(root, group), *devices = g_build_filename(gdir, "devices", NULL);
        g_autofree char *node = vfio_node(root, group), *vfio_dir = g_build_filename(root, VFIO_DIR, NULL);
        g_autoptr(GDir) d = g_dir_open(devices, 0, NULL);
        const char *name;
        bool on_vfio = false;
        int r;

        while (d && !on_vfio && (name = g_dir_read_name(d))) {
                g_autofree char *link = g_build_filename(devices, name, "driver", NULL);
                g_autofree char *target = g_file_read_link(link, NULL), *base = NULL;

                base = target ? g_path_get_basename(target) : NULL;
                on_vfio = g_strcmp0(base, VFIO_DRIVER) == 0;
        }
        if (!on_vfio)
                return unlink(node) < 0 && errno != ENOENT ? -errno : 0;
        if (path_exists(node))
                return 0;
        r = mkdir_parents(vfio_dir);
        if (r < 0)
                return r;
        return mkfifo(node, 0600) < 0 ? -errno : 0;
}

/* The function leaves its group; a group left empty goes, with its node */
int sim_group_leave(const char *root, const PciAddr *addr) {
        g_autofree char *dir = sim_function_dir(root, addr), *bdf = bdf_string(addr);
        g_autofree char *link = g_build_filename(dir, "iommu_group", NULL), *gdir = NULL, *devices = NULL;
        g_autofree char *member = NULL;
        unsigned group;
        int r;

        r = sim_function_group(root, addr, &group);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        gdir = group_dir(root, group);
        devices = g_build_filename(gdir, "devices", NULL);
        member = g_build_filename(devices, bdf, NULL);
        if (unlink(member) < 0 && errno != ENOENT)
                return -errno;
        if (unlink(link) < 0 && errno != ENOENT)
                return -errno;
        if (rmdir(devices) >= 0)
                (void) rmdir(gdir);
        return sim_vfio_sync(root, group);
}

/* The function joins group (leaving the one it is in) */
int sim_group_join(const char *root, const PciAddr *addr, unsigned group) {
        g_autofree char *dir = sim_function_dir(root, addr), *bdf = bdf_string(addr);
        g_autofree char *gdir = group_dir(root, group), *devices = g_build_filename(gdir, "devices", NULL);
        g_autofree char *member_target = g_strconcat("../../../../devices/pci0000:00/", bdf, NULL);
        g_autofree char *group_target = g_strdup_printf("../../../kernel/iommu_groups/%u", group);
        int r;

        r = sim_group_leave(root, addr);
        if (r >= 0)
                r = mkdir_parents(devices);
        if (r >= 0)
                r = make_symlink(member_target, devices, bdf);
        if (r >= 0)
                r = make_symlink(group_target, dir, "iommu_group");
        if (r >= 0)
                r = sim_vfio_sync(root, group);
        return r;
}

/* ---- virtual netdevs over a netdev that goes: the kernel deletes them with it ---- */

static int remove_virtual(const char *root, const char *name, unsigned depth);

static int remove_uppers(const char *root, const char *ifname, unsigned depth) {
        g_autofree char *vdir = g_build_filename(root, VIRTUAL_NET_DIR, NULL);
        g_autoptr(GDir) d = g_dir_open(vdir, 0, NULL);
        g_autoptr(GPtrArray) uppers = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        if (depth > 8)
                return -ELOOP;
        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *link = g_build_filename(vdir, name, "lower", NULL);
                g_autofree char *target = g_file_read_link(link, NULL), *base = NULL;

                base = target ? g_path_get_basename(target) : NULL;
                if (g_strcmp0(base, ifname) == 0 && netdev_name_is_valid(name))
                        g_ptr_array_add(uppers, g_strdup(name));
        }
        for (guint i = 0; i < uppers->len; i++) {
                int r = remove_virtual(root, uppers->pdata[i], depth + 1);

                if (r < 0)
                        return r;
        }
        return 0;
}

static int remove_virtual(const char *root, const char *name, unsigned depth) {
        g_autofree char *dir = g_build_filename(root, VIRTUAL_NET_DIR, name, NULL);
        g_autofree char *tap_file = g_build_filename(dir, "tap", NULL), *tap = NULL;
        int r;

        r = remove_uppers(root, name, depth);
        if (r < 0)
                return r;
        if (read_one_line(tap_file, &tap) >= 0 && g_str_has_prefix(tap, "tap") && netdev_name_is_valid(tap)) {
                g_autofree char *node = g_build_filename(root, "dev", tap, NULL);

                (void) unlink(node);
        }
        r = sim_unlink_netdev(root, name);
        if (r >= 0)
                r = sim_rm_rf(dir);
        return r;
}

int sim_remove_uppers(const char *root, const char *ifname) {
        return remove_uppers(root, ifname, 0);
}

/* The function's R/sys/bus/pci/devices link: made last, once the function is whole, as the kernel announces a
 * device once it is set up — a reader woken by the link (netpoold's hot-plug) finds all of it. */
static int link_on_bus(SimHost *h, const PciAddr *addr, char **reterr) {
        g_autofree char *bdf = bdf_string(addr);
        g_autofree char *bus_dir = g_build_filename(h->root, BUS_DEVICES_DIR, NULL);
        g_autofree char *bus_target = g_strconcat("../../../devices/pci0000:00/", bdf, NULL);
        int r = make_symlink(bus_target, bus_dir, bdf);

        if (r < 0)
                return sim_fail(reterr, r, "cannot link PCI function %s on the bus", bdf);
        return 0;
}

/* The function directory with its ids, its driver, driver_override, reset and IOMMU group (a new one of its
 * own); link_on_bus() makes it seen. */
static int build_function(SimHost *h, const PciAddr *addr, const FunctionShape *shape, char **reterr) {
        g_autofree char *dir = sim_function_dir(h->root, addr), *bdf = bdf_string(addr);
        char id[8];
        int r;

        r = make_dir(dir);
        if (r == -EEXIST)
                return sim_refuse(reterr, -EEXIST, "PCI address %s is taken already (by another function)", bdf);
        if (r < 0)
                return sim_fail(reterr, r, "cannot create %s", dir);
        g_snprintf(id, sizeof(id), "0x%04x", shape->vendor);
        r = sim_write_attr(dir, "vendor", id);
        g_snprintf(id, sizeof(id), "0x%04x", shape->device);
        if (r >= 0)
                r = sim_write_attr(dir, "device", id);
        if (r >= 0)
                r = sim_write_attr(dir, "class", shape->class_code ? shape->class_code : "0x020000");
        g_snprintf(id, sizeof(id), "%d", shape->numa_node);
        if (r >= 0)
                r = sim_write_attr(dir, "numa_node", id);
        if (r >= 0)
                r = sim_write_attr(dir, "driver_override", "");
        if (r >= 0 && shape->reset)
                r = write_file_atomic(dir, "reset", "", 0);
        if (r >= 0)
                r = sim_bind_driver(h->root, addr, shape->driver);
        if (r >= 0 && shape->iommu)
                r = sim_group_join(h->root, addr, sim_new_group(h));
        if (r < 0)
                return sim_fail(reterr, r, "cannot write PCI function %s", bdf);
        return 0;
}

int sim_link_netdev(const char *root, const PciAddr *addr, const char *ifname, char **reterr) {
        g_autofree char *bdf = bdf_string(addr), *link = sim_class_net_link(root, ifname);
        g_autofree char *class_dir = g_build_filename(root, CLASS_NET_DIR, NULL);
        g_autofree char *target = g_strconcat("../../devices/pci0000:00/", bdf, "/net/", ifname, NULL);
        int r;

        if (path_exists(link))
                return sim_refuse(reterr, -EEXIST, "netdev name %s is used twice", ifname);
        r = make_symlink(target, class_dir, ifname);
        if (r < 0)
                return sim_fail(reterr, r, "cannot link netdev %s", ifname);
        return 0;
}

int sim_unlink_netdev(const char *root, const char *ifname) {
        g_autofree char *link = sim_class_net_link(root, ifname);

        if (unlink(link) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

typedef struct NetdevShape {
        const char *name;
        unsigned dev_port;
        const char *phys_port_id;       /* NULL: no file */
        bool up;
        unsigned speed;                 /* Mbit/s; 0: no file (VF netdevs) */
} NetdevShape;

static int build_netdev(SimHost *h, const PciAddr *addr, const NetdevShape *shape, char **reterr) {
        g_autofree char *fdir = sim_function_dir(h->root, addr), *bdf = bdf_string(addr);
        g_autofree char *net_dir = g_build_filename(fdir, "net", NULL);
        g_autofree char *dir = g_build_filename(net_dir, shape->name, NULL);
        g_autofree char *device_target = g_strconcat("../../../", bdf, NULL), *class_link = NULL;
        char mac[18];
        int r;

        if (!netdev_name_is_valid(shape->name))
                return sim_refuse(reterr, -EINVAL, "'%s' is not a valid netdev name", shape->name);
        class_link = sim_class_net_link(h->root, shape->name);
        if (path_exists(class_link))    /* checked before anything is written */
                return sim_refuse(reterr, -EEXIST, "netdev name %s is used twice", shape->name);
        if (h->next_mac > 0xffffff)
                return sim_refuse(reterr, -ENOSPC, "out of MAC addresses");
        g_snprintf(mac, sizeof(mac), "52:54:00:%02x:%02x:%02x", (h->next_mac >> 16) & 0xff,
                   (h->next_mac >> 8) & 0xff, h->next_mac & 0xff);

        r = mkdir_parents(dir);
        if (r >= 0)
                r = sim_write_attr(dir, "address", mac);
        if (r >= 0)
                r = write_attr_u(dir, "ifindex", (raise_counters(h), h->next_ifindex));
        if (r >= 0)
                r = write_attr_u(dir, "dev_port", shape->dev_port);
        if (r >= 0 && shape->phys_port_id)
                r = sim_write_attr(dir, "phys_port_id", shape->phys_port_id);
        if (r >= 0)
                r = sim_write_attr(dir, "operstate", shape->up ? "up" : "down");
        if (r >= 0)
                r = sim_write_attr(dir, "mtu", DEFAULT_MTU);
        if (r >= 0 && shape->speed > 0)
                r = write_attr_u(dir, "speed", shape->speed);
        if (r >= 0)
                r = make_symlink(device_target, dir, "device");
        if (r < 0)
                return sim_fail(reterr, r, "cannot write netdev %s", shape->name);
        h->next_mac++;
        h->next_ifindex++;
        return sim_link_netdev(h->root, addr, shape->name, reterr);
}

/* R/vfstate/<PF>/vf<N>/p<P>/ with the initial configuration of a VF */
static int build_vfstate_port(const char *vf_dir, unsigned port) {
        g_autofree char *name = g_strdup_printf("p%u", port), *dir = g_build_filename(vf_dir, name, NULL);
        int r;

        r = mkdir_parents(dir);
        if (r >= 0)
                r = sim_write_attr(dir, "mac", "00:00:00:00:00:00");
        if (r >= 0)
                r = sim_write_attr(dir, "vlan", "0");
        if (r >= 0)
                r = sim_write_attr(dir, "qos", "0");
        if (r >= 0)
                r = sim_write_attr(dir, "spoofchk", "1");
        if (r >= 0)
                r = sim_write_attr(dir, "trust", "0");
        if (r >= 0)
                r = sim_write_attr(dir, "link_state", "auto");
        if (r >= 0)
                r = sim_write_attr(dir, "min_tx_rate", "0");
        if (r >= 0)
                r = sim_write_attr(dir, "max_tx_rate", "0");
        if (r >= 0)
                r = sim_write_attr(dir, "vlan_proto", "802.1Q");
        return r;
}

/* The PF ports (0-based) that VF i has netdevs on: first..last, none when first > last. */
static void vf_netdev_ports(const PfSpec *s, unsigned i, unsigned *first, unsigned *last) {
        uint8_t flags = s->vf_flags[i];

        *first = flags & SIM_VF_PORT2 ? 1 : 0;
        *last = flags & SIM_VF_DUAL ? 1 : *first;
        if (!s->vf_netdevs || (flags & SIM_VF_NONETDEV))
                *first = *last + 1;
}

/* vfstate's `netdevs`: "IFNAME DEV_PORT" per netdev the VF driver makes when it binds (empty: none) */
static char *vf_netdevs_text(const PfSpec *s, unsigned i) {
        GString *out = g_string_new(NULL);
        unsigned first, last;

        vf_netdev_ports(s, i, &first, &last);
        for (unsigned p = first; p <= last; p++)
                g_string_append_printf(out, "%sv%u %u\n", s->vf_prefix[p], i, p - first);
        return g_string_free(out, false);
}

static int build_vfstate(SimHost *h, const PfSpec *s, unsigned i, char **reterr) {
        g_autofree char *dir = sim_vfstate_dir(h->root, &s->addr, (int) i);
        uint8_t flags = s->vf_flags[i];
        int r;

        if (s->ports == 1)
                r = build_vfstate_port(dir, 1);
        else if (flags & SIM_VF_DUAL) {
                r = build_vfstate_port(dir, 1);
                if (r >= 0)
                        r = build_vfstate_port(dir, 2);
        } else {
                unsigned q = flags & SIM_VF_PORT2 ? 2 : 1;

                r = build_vfstate_port(dir, q);
                if (r >= 0)
                        r = write_attr_u(dir, "port", q);
        }
        if (r >= 0) {
                g_autofree char *netdevs = vf_netdevs_text(s, i);

                r = write_file_atomic(dir, "netdevs", netdevs, strlen(netdevs));
        }
        if (r < 0)
                return sim_fail(reterr, r, "cannot write %s", dir);
        return 0;
}

/* The VF's netdevs: one on its port, or one per port in dual-port mode; names prefix + "v" + index. */
static int build_vf_netdevs(SimHost *h, const PfSpec *s, unsigned i, const PciAddr *addr, char **reterr) {
        unsigned first, last;

        vf_netdev_ports(s, i, &first, &last);
        for (unsigned p = first; p <= last; p++) {
                g_autofree char *name = g_strdup_printf("%sv%u", s->vf_prefix[p], i);
                g_autofree char *port_id = s->phys_port_id ? pf_spec_port_id(s, p + 1) : NULL;
                NetdevShape shape = {
                        .name = name,
                        .dev_port = p - first,  /* the VF's own port numbering starts at 0 */
                        .phys_port_id = port_id,
                        .up = true,
                };
                int r = build_netdev(h, addr, &shape, reterr);

                if (r < 0)
                        return r;
        }
        return 0;
}

/**
 * sim_build_vf() - VF i of PF s: function, physfn/virtfn links, netdevs and vfstate
 * Returns: 0 (also for a gap, which builds nothing), or -errno with *reterr set
 */
int sim_build_vf(SimHost *h, const PfSpec *s, unsigned i, char **reterr) {
        g_autofree char *pf_dir = sim_function_dir(h->root, &s->addr), *pf_bdf = bdf_string(&s->addr);
        g_autofree char *vf_bdf = NULL, *vf_dir = NULL, *virtfn = NULL, *vf_target = NULL, *pf_target = NULL;
        PciAddr addr;
        int r;

        if (i >= s->total_vfs)
                return sim_refuse(reterr, -EINVAL, "VF %u of %s is past sriov_totalvfs (%u)", i, pf_bdf, s->total_vfs);
        if (s->vf_flags[i] & SIM_VF_GAP)
                return 0;
        if (pf_spec_vf_addr(s, i, &addr) < 0)
                return sim_refuse(reterr, -EINVAL, "VF %u of %s falls past bus 0xff: lower vfoffset=/vfstride=", i,
                                pf_bdf);
        vf_bdf = bdf_string(&addr);
        vf_dir = sim_function_dir(h->root, &addr);
        if (path_exists(vf_dir))
                return sim_refuse(reterr, -EEXIST, "VF %u of %s would be at %s, which is taken: "
                                "choose another vfoffset= or bdf=", i, pf_bdf, vf_bdf);
        r = build_function(h, &addr, &(FunctionShape) {
                                .vendor = s->vf_vendor_id,
                                .device = s->vf_device_id,
                                .driver = s->vf_driver,
                                .iommu = s->iommu && !(s->vf_flags[i] & SIM_VF_NOIOMMU),
                                .reset = s->reset && !(s->vf_flags[i] & SIM_VF_NORESET),
                                .numa_node = s->numa_node,
                           }, reterr);
        if (r < 0)
                return r;

        virtfn = g_strdup_printf("virtfn%u", i);
        vf_target = g_strconcat("../", vf_bdf, NULL);
        pf_target = g_strconcat("../", pf_bdf, NULL);
        /* physfn before virtfn: a reader that finds the PF's link finds a VF that knows its PF */
        r = make_symlink(pf_target, vf_dir, "physfn");
        if (r >= 0)
                r = make_symlink(vf_target, pf_dir, virtfn);
        if (r < 0)
                return sim_fail(reterr, r, "cannot link VF %s to PF %s", vf_bdf, pf_bdf);
        r = build_vfstate(h, s, i, reterr);
        if (r >= 0)
                r = build_vf_netdevs(h, s, i, &addr, reterr);
        if (r < 0)
                return r;
        return link_on_bus(h, &addr, reterr);
}

/* Unlinks the class/net entries of every netdev in a function's net/ directory, and deletes the macvtap and
 * VLAN devices over them. */
int sim_unlink_function_netdevs(const char *root, const char *function_dir) {
        g_autofree char *net_dir = g_build_filename(function_dir, "net", NULL);
        g_autoptr(GDir) d = g_dir_open(net_dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                int r = sim_remove_uppers(root, name);

                if (r >= 0)
                        r = sim_unlink_netdev(root, name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int remove_function(const char *root, const PciAddr *addr) {
        g_autofree char *dir = sim_function_dir(root, addr), *bdf = bdf_string(addr);
        g_autofree char *bus_link = g_build_filename(root, BUS_DEVICES_DIR, bdf, NULL);
        g_autofree char *held = sim_held_dir(root, addr);
        int r;

        r = sim_unlink_function_netdevs(root, dir);
        if (r >= 0)
                r = sim_group_leave(root, addr);
        if (r >= 0)
                r = sim_rm_rf(dir);
        if (r >= 0 && unlink(bus_link) < 0 && errno != ENOENT)
                r = -errno;
        if (r >= 0)
                r = sim_rm_rf(held);
        return r;
}

/**
 * sim_remove_vf() - undoes sim_build_vf(), with any held netdevs of the VF: what a PF resize does
 * to the VFs it drops
 * Returns: 0 or -errno with *reterr set
 */
int sim_remove_vf(SimHost *h, const PfSpec *s, unsigned i, char **reterr) {
        g_autofree char *pf_dir = sim_function_dir(h->root, &s->addr), *virtfn = g_strdup_printf("virtfn%u", i);
        g_autofree char *virtfn_path = g_build_filename(pf_dir, virtfn, NULL);
        g_autofree char *state = sim_vfstate_dir(h->root, &s->addr, (int) i);
        PciAddr addr;
        int r = 0;

        if (pf_spec_vf_addr(s, i, &addr) >= 0 && !(s->vf_flags[i] & SIM_VF_GAP))
                r = remove_function(h->root, &addr);
        if (r >= 0 && unlink(virtfn_path) < 0 && errno != ENOENT)
                r = -errno;
        if (r >= 0)
                r = sim_rm_rf(state);
        if (r < 0)
                return sim_fail(reterr, r, "cannot remove VF %u", i);
        return 0;
}

static int build_pf_netdevs(SimHost *h, const PfSpec *s, char **reterr) {
        for (unsigned p = 0; p < s->ports; p++) {
                g_autofree char *port_id = s->phys_port_id ? pf_spec_port_id(s, p + 1) : NULL;
                NetdevShape shape = {
                        .name = s->name[p],
                        .dev_port = p,
                        .phys_port_id = port_id,
                        .up = !s->down,
                        .speed = s->speed,
                };
                int r = build_netdev(h, &s->addr, &shape, reterr);

                if (r < 0)
                        return r;
        }
        return 0;
}

/**
 * sim_build_pf() - a PF with its netdevs, sriov files and its first num_vfs VFs; spec then belongs
 * to h (added to h->pfs)
 * Returns: 0 or -errno with *reterr set
 */
int sim_build_pf(SimHost *h, PfSpec *spec, char **reterr) {
        g_autoptr(PfSpec) s = spec;
        g_autofree char *dir = sim_function_dir(h->root, &s->addr), *state = NULL;
        PfSpec *added;
        int r;

        r = build_function(h, &s->addr, &(FunctionShape) {
                                .vendor = s->vendor_id,
                                .device = s->device_id,
                                .driver = s->driver,
                                .iommu = s->iommu,
                                .reset = s->reset,
                                .numa_node = s->numa_node,
                           }, reterr);
        if (r < 0)
                return r;
        r = write_attr_u(dir, "sriov_totalvfs", s->total_vfs);
        if (r >= 0)
                r = write_attr_u(dir, "sriov_numvfs", s->num_vfs);
        state = sim_vfstate_dir(h->root, &s->addr, -1);
        if (r >= 0)
                r = mkdir_parents(state);
        if (r < 0)
                return sim_fail(reterr, r, "cannot write %s", dir);
        r = build_pf_netdevs(h, s, reterr);
        if (r >= 0)
                r = link_on_bus(h, &s->addr, reterr);
        if (r < 0)
                return r;

        added = g_steal_pointer(&s);
        g_ptr_array_add(h->pfs, added);
        for (unsigned i = 0; i < added->num_vfs; i++) {
                r = sim_build_vf(h, added, i, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

/**
 * sim_remove_pf() - a PF unplugged: all its VFs, netdevs, function, vfstate and record entry go
 * Returns: 0, -ENODEV when the host has no such PF, or -errno with *reterr set
 */
int sim_remove_pf(SimHost *h, const PciAddr *addr, char **reterr) {
        g_autofree char *bdf = bdf_string(addr), *state = sim_vfstate_dir(h->root, addr, -1);
        PfSpec *s = sim_host_find_pf(h, addr);
        int r;

        if (!s)
                return sim_refuse(reterr, -ENODEV, "%s is not a PF of this host", bdf);
        for (unsigned i = s->num_vfs; i > 0; i--) {
                r = sim_remove_vf(h, s, i - 1, reterr);
                if (r < 0)
                        return r;
        }
        r = remove_function(h->root, addr);
        if (r >= 0)
                r = sim_rm_rf(state);
        if (r < 0)
                return sim_fail(reterr, r, "cannot remove PF %s", bdf);
        g_ptr_array_remove(h->pfs, s);
        return 0;
}

/**
 * sim_build_plain_function() - a PCI function outside SR-IOV (an on-board NIC, say), with at most one netdev
 * Returns: 0 or -errno with *reterr set
 */
int sim_build_plain_function(SimHost *h, const PciAddr *addr, const FunctionShape *shape, const char *ifname,
                             char **reterr) {
        int r;

        r = build_function(h, addr, shape, reterr);
        if (r >= 0 && ifname)
                r = build_netdev(h, addr, &(NetdevShape) { .name = ifname, .up = true, .speed = 1000 }, reterr);
        if (r < 0)
                return r;
        return link_on_bus(h, addr, reterr);
}
