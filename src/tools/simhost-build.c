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
        static const char *const dirs[] = { DEVICES_DIR, BUS_DEVICES_DIR, DRIVERS_DIR, CLASS_NET_DIR, VFSTATE_DIR };

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

/* The function directory with its ids, its R/sys/bus/pci/devices link and its driver. */
static int build_function(SimHost *h, const PciAddr *addr, uint16_t vendor, uint16_t device, const char *driver,
                          char **reterr) {
        g_autofree char *dir = sim_function_dir(h->root, addr), *bdf = bdf_string(addr);
        g_autofree char *bus_dir = g_build_filename(h->root, BUS_DEVICES_DIR, NULL);
        g_autofree char *bus_target = g_strconcat("../../../devices/pci0000:00/", bdf, NULL);
        char id[8];
        int r;

        r = make_dir(dir);
        if (r == -EEXIST)
                return sim_refuse(reterr, -EEXIST, "PCI address %s is taken already (by another PF or VF)", bdf);
        if (r < 0)
                return sim_fail(reterr, r, "cannot create %s", dir);
        g_snprintf(id, sizeof(id), "0x%04x", vendor);
        r = sim_write_attr(dir, "vendor", id);
        g_snprintf(id, sizeof(id), "0x%04x", device);
        if (r >= 0)
                r = sim_write_attr(dir, "device", id);
        if (r >= 0)
                r = sim_write_attr(dir, "class", "0x020000");
        if (r >= 0)
                r = sim_write_attr(dir, "numa_node", "0");
        if (r >= 0)
                r = make_symlink(bus_target, bus_dir, bdf);
        if (r >= 0)
                r = sim_bind_driver(h->root, addr, driver);
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
                r = write_attr_u(dir, "ifindex", h->next_ifindex);
        if (r >= 0)
                r = write_attr_u(dir, "dev_port", shape->dev_port);
        if (r >= 0 && shape->phys_port_id)
                r = sim_write_attr(dir, "phys_port_id", shape->phys_port_id);
        if (r >= 0)
                r = sim_write_attr(dir, "operstate", shape->up ? "up" : "down");
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
        return r;
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
        if (r < 0)
                return sim_fail(reterr, r, "cannot write %s", dir);
        return 0;
}

/* The VF's netdevs: one on its port, or one per port in dual-port mode; names prefix + "v" + index. */
static int build_vf_netdevs(SimHost *h, const PfSpec *s, unsigned i, const PciAddr *addr, char **reterr) {
        uint8_t flags = s->vf_flags[i];
        unsigned first = flags & SIM_VF_PORT2 ? 1 : 0;
        unsigned last = flags & SIM_VF_DUAL ? 1 : first;

        if (!s->vf_netdevs || (flags & SIM_VF_NONETDEV))
                return 0;
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
        r = build_function(h, &addr, s->vf_vendor_id, s->vf_device_id, s->vf_driver, reterr);
        if (r < 0)
                return r;

        virtfn = g_strdup_printf("virtfn%u", i);
        vf_target = g_strconcat("../", vf_bdf, NULL);
        pf_target = g_strconcat("../", pf_bdf, NULL);
        r = make_symlink(vf_target, pf_dir, virtfn);
        if (r >= 0)
                r = make_symlink(pf_target, vf_dir, "physfn");
        if (r < 0)
                return sim_fail(reterr, r, "cannot link VF %s to PF %s", vf_bdf, pf_bdf);
        r = build_vf_netdevs(h, s, i, &addr, reterr);
        if (r < 0)
                return r;
        return build_vfstate(h, s, i, reterr);
}

/* Unlinks the class/net entries of every netdev in a function's net/ directory. */
static int unlink_function_netdevs(const char *root, const char *function_dir) {
        g_autofree char *net_dir = g_build_filename(function_dir, "net", NULL);
        g_autoptr(GDir) d = g_dir_open(net_dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                int r = sim_unlink_netdev(root, name);

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

        r = unlink_function_netdevs(root, dir);
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

        r = build_function(h, &s->addr, s->vendor_id, s->device_id, s->driver, reterr);
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
