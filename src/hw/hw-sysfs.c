/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sysfs discovery: reads netdevs, PCI functions and SR-IOV links under a root directory */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "core/pci-addr.h"
#include "hw/hw-sysfs.h"
#include "shared/fileio.h"
#include "shared/log.h"

/* ARPHRD_INFINIBAND of <linux/if_arp.h>, which <net/if_arp.h> would clash with */
#define ARPHRD_INFINIBAND_TYPE 32

/* root + "/sys/" + rel; root "" gives the real "/sys/…" */
static char *sysfs_path(const char *root, const char *rel) {
        return g_strconcat(root ? root : "", "/sys/", rel, NULL);
}

static char *function_link_path(const char *root, const PciAddr *addr) {
        char bdf[PCI_ADDR_STR_MAX];
        g_autofree char *rel = g_strconcat("bus/pci/devices/", pci_addr_to_string(addr, bdf), NULL);

        return sysfs_path(root, rel);
}

/* path with "." and ".." taken lexically, made absolute: one pass over a copy */
static char *normalize_path(const char *path) {
        g_autofree char *cwd = g_path_is_absolute(path) ? NULL : g_get_current_dir();
        g_autofree char *in = cwd ? g_build_filename(cwd, path, NULL) : g_strdup(path);
        size_t n = strlen(in), out = 0;
        char *buf = g_malloc(n + 2);

        for (size_t i = 0; i < n;) {
                size_t start, len;

                while (i < n && in[i] == '/')
                        i++;
                start = i;
                while (i < n && in[i] != '/')
                        i++;
                len = i - start;
                if (len == 0 || (len == 1 && in[start] == '.'))
                        continue;
                if (len == 2 && in[start] == '.' && in[start + 1] == '.') {
                        while (out > 0 && buf[out - 1] != '/')
                                out--;
                        if (out > 0)
                                out--;          /* the '/' before the component dropped */
                        continue;
                }
                buf[out++] = '/';
                memcpy(buf + out, in + start, len);
                out += len;
        }
        if (out == 0)
                buf[out++] = '/';
        buf[out] = '\0';
        return buf;
}

/* Where a sysfs link leads, -ENODEV when nowhere. Its target is joined to the link's directory with ".."
 * taken lexically — sysfs links are relative, and the directories they climb out of are no links — and
 * followed again while it is a link: a readlink or two, where realpath() reads one per path component. */
static int resolve_device(const char *path, char **ret) {
        g_autofree char *cur = normalize_path(path);

        for (unsigned hops = 0; hops < 16; hops++) {
                g_autofree char *dir = NULL, *joined = NULL;
                char target[PATH_MAX];
                ssize_t n = readlink(cur, target, sizeof(target) - 1);

                if (n < 0 && errno == EINVAL) {         /* no link: the device itself */
                        *ret = g_steal_pointer(&cur);
                        return 0;
                }
                if (n < 0)
                        return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
                target[n] = '\0';
                dir = g_path_get_dirname(cur);
                joined = target[0] == '/' ? g_strdup(target) : g_build_filename(dir, target, NULL);
                g_free(cur);
                cur = normalize_path(joined);
        }
        return -ELOOP;
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* The directory of a device, opened to read its attributes relative to it: one path lookup per
 * attribute instead of one per component of a long path. */
static int open_dir(const char *path) {
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
        return fd;
}

/* The first line of an attribute (sysfs attributes are one page at most). */
static int read_attr(int dfd, const char *name, char **ret) {
        _cleanup_(closep) int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        char buf[4097];
        ssize_t n;

        if (fd < 0)
                return -errno;
        do
                n = read(fd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        *ret = g_strdup(buf);
        return 0;
}

/* An unsigned attribute in the given base ("0x" allowed for base 16); -EIO when malformed. */
static int read_attr_u64(int dir, const char *name, unsigned base, uint64_t max, uint64_t *ret) {
        g_autofree char *s = NULL;
        char *end = NULL;
        guint64 v;
        int r;

        r = read_attr(dir, name, &s);
        if (r < 0)
                return r;
        g_strstrip(s);
        if (!g_ascii_isxdigit(s[0]))
                return -EIO;
        errno = 0;
        v = g_ascii_strtoull(s, &end, base);
        if (errno != 0 || !end || *end != '\0' || v > max)
                return -EIO;
        *ret = v;
        return 0;
}

static bool attr_exists(int dfd, const char *name) {
        return faccessat(dfd, name, F_OK, 0) == 0;
}

/* What a symlink holds, as written. */
static int read_link_target(int dfd, const char *name, char **ret) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

        if (n < 0)
                return -errno;
        target[n] = '\0';
        *ret = g_strdup(target);
        return 0;
}

/* The last path component a symlink points at: "driver" -> "…/drivers/iavf" gives "iavf". */
static int read_link_basename(int dfd, const char *name, char **ret) {
        g_autofree char *target = NULL;
        int r;

        r = read_link_target(dfd, name, &target);
        if (r < 0)
                return r;
        *ret = g_path_get_basename(target);
        return 0;
}

/* The PCI function a link ("physfn", "virtfnN") names, by the BDF it points at; *ret_target (may be NULL)
 * is the link's text. */
static int read_link_pci_addr_target(int dfd, const char *name, PciAddr *ret, char **ret_target) {
        g_autofree char *target = NULL, *base = NULL;
        int r;

        r = read_link_target(dfd, name, &target);
        if (r < 0)
                return r;
        base = g_path_get_basename(target);
        if (pci_addr_from_string(base, ret) < 0)
                return -EIO;
        if (ret_target)
                *ret_target = g_steal_pointer(&target);
        return 0;
}

static int read_link_pci_addr(int dfd, const char *name, PciAddr *ret) {
        return read_link_pci_addr_target(dfd, name, ret, NULL);
}

/* "pci0000:00" and the like: a PCI root bus's directory ("pci" DOMAIN ":" BUS, hex) */
static bool is_pci_root_name(const char *s, size_t len) {
        size_t colon = 0;

        if (len < 6 || strncmp(s, "pci", 3) != 0)
                return false;
        for (size_t i = 3; i < len; i++) {
                if (s[i] == ':' && colon == 0 && i > 3)
                        colon = i;
                else if (!g_ascii_isxdigit(s[i]))
                        return false;
        }
        return colon > 0 && colon + 1 < len;
}

/* R/sys/devices, absolute and normalized: what pcie_root_of() takes */
static char *devices_dir_of(const char *root) {
        g_autofree char *devices = sysfs_path(root, "devices");

        return normalize_path(devices);
}

/* The PCI root a device directory (a real path, normalized) sits under: the first component below
 * R/sys/devices that names a PCI root bus — the first one of all on most machines; below a bus that is
 * no PCI root (Hyper-V's VMBus) the first PCI root on the way. NULL when the path has none. */
static char *pcie_root_of(const char *devices_dir, const char *device_path) {
        size_t plen = strlen(devices_dir);
        const char *p;

        if (strncmp(device_path, devices_dir, plen) != 0 || device_path[plen] != '/')
                return NULL;
        for (p = device_path + plen; *p == '/';) {
                size_t len;

                p++;
                len = strcspn(p, "/");
                if (is_pci_root_name(p, len))
                        return g_strndup(p, len);
                p += len;
        }
        return NULL;
}

/* 1 and the address when the netdev's "device" is a PCI function known under bus/pci/devices;
 * 0 for netdevs without one (bridges, veth) or with a non-PCI parent (virtio, usb). The netdev's directory is
 * open as netdev_dir: the address is what its device link names, and that link and the function's bus link must
 * lead to one directory. */
static int netdev_pci_function(const char *root, int netdev_dir, PciAddr *ret) {
        g_autofree char *target = NULL, *base = NULL, *bus_link = NULL;
        struct stat device_st, bus_st;
        PciAddr addr;
        int r;

        r = read_link_target(netdev_dir, "device", &target);
        if (r == -ENOENT || r == -EINVAL)
                return 0;       /* no device link (a virtual netdev), or no link */
        if (r < 0)
                return r;
        base = g_path_get_basename(target);
        if (pci_addr_from_string(base, &addr) < 0)
                return 0;
        if (fstatat(netdev_dir, "device", &device_st, 0) < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;        /* dangling */
        bus_link = function_link_path(root, &addr);
        if (stat(bus_link, &bus_st) < 0 || device_st.st_dev != bus_st.st_dev || device_st.st_ino != bus_st.st_ino)
                return 0;
        *ret = addr;
        return 1;
}

/* R/sys/class/net/<name> opened (the kernel follows the link), or -EINVAL / -ENODEV */
static int open_netdev_dir(const char *root, const char *name) {
        g_autofree char *rel = NULL, *link = NULL;

        if (!name || !netdev_name_is_valid(name))
                return -EINVAL;
        rel = g_strconcat("class/net/", name, NULL);
        link = sysfs_path(root, rel);
        return open_dir(link);
}

/* A netdev's link type from its `type` file at path (relative to dir); no file (a sim host without netpool's
 * extension): ethernet */
static HwLinkType read_link_type(int dir, const char *path) {
        uint64_t v;

        return read_attr_u64(dir, path, 10, UINT32_MAX, &v) >= 0 && v == ARPHRD_INFINIBAND_TYPE
                       ? HW_LINK_TYPE_INFINIBAND : HW_LINK_TYPE_ETHERNET;
}

/* The attributes of one netdev directory that attrs names (HwNetdevAttr bits); the PCI side is left to the
 * caller. With HW_NETDEV_IFINDEX a directory without one is no netdev (-ENODEV). */
static int read_netdev_attrs(int dir, const char *name, unsigned attrs, HwNetdev **ret) {
        g_autoptr(HwNetdev) n = hw_netdev_new();
        g_autofree char *operstate = NULL, *mac = NULL;
        uint64_t v;
        int r;

        n->name = g_strdup(name);
        if (attrs & HW_NETDEV_IFINDEX) {
                r = read_attr_u64(dir, "ifindex", 10, INT_MAX, &v);
                if (r < 0)
                        return r == -ENOENT ? -ENODEV : r;
                n->ifindex = (int) v;
        }
        if (attrs & HW_NETDEV_DEV_PORT) {
                r = read_attr_u64(dir, "dev_port", 10, INT_MAX, &v);
                if (r == -ENOENT)
                        v = 0;
                else if (r < 0)
                        return r;
                n->dev_port = (int) v;
                /* drivers without one make the read fail (EOPNOTSUPP) or have no file */
                if (read_attr(dir, "phys_port_id", &n->phys_port_id) < 0 || n->phys_port_id[0] == '\0')
                        g_clear_pointer(&n->phys_port_id, g_free);
        }
        if ((attrs & HW_NETDEV_MAC) && read_attr(dir, "address", &mac) >= 0)
                n->mac = g_ascii_strdown(mac, -1);
        if (attrs & HW_NETDEV_UP) {
                if (read_attr(dir, "operstate", &operstate) >= 0)
                        n->up = strcmp(operstate, "up") == 0;
                /* set up by someone (IFF_UP), carrier or not; a sim host has no flags file: its operstate says */
                n->admin_up = read_attr_u64(dir, "flags", 16, UINT32_MAX, &v) >= 0 ? (v & 0x1) != 0 : n->up;
        }
        if (attrs & HW_NETDEV_MTU)
                n->mtu = read_attr_u64(dir, "mtu", 10, UINT32_MAX, &v) >= 0 ? (unsigned) v : 0;
        /* without a link the kernel reports -1 or fails the read: unknown */
        if (attrs & HW_NETDEV_SPEED)
                n->speed = read_attr_u64(dir, "speed", 10, UINT32_MAX, &v) >= 0 ? (unsigned) v : 0;
        if (attrs & HW_NETDEV_TYPE)
                n->link_type = read_link_type(dir, "type");

        *ret = g_steal_pointer(&n);
        return 0;
}

/* How much of a function a read takes */
typedef enum FunctionRead {
        FUNCTION_READ_FULL,             /* everything HwFunction holds, every netdev attribute */
        FUNCTION_READ_TOPOLOGY,         /* its place: netdev names, dev_port, phys_port_id */
        FUNCTION_READ_INVENTORY,        /* what a Device object shows (hw_sysfs_list_vf_inventory()) */
        FUNCTION_READ_NAMES,            /* netdev names (dev_port where two are to be ordered): the place of a VF of
                                         * a PF with one netdev */
} FunctionRead;

/* What a topology read takes of a netdev: what places it */
#define TOPOLOGY_ATTRS HW_NETDEV_DEV_PORT

static unsigned netdev_attrs_of(FunctionRead how) {
        switch (how) {
        case FUNCTION_READ_TOPOLOGY: return TOPOLOGY_ATTRS;
        case FUNCTION_READ_NAMES:    return 0;
        default:                     return HW_NETDEV_ALL;      /* full; an inventory read: read_inventory_netdev() */
        }
}

int hw_sysfs_netdev_dir(const char *root, const char *name, char **ret) {
        g_autofree char *rel = NULL, *link = NULL;

        if (!name || !netdev_name_is_valid(name))
                return -EINVAL;
        rel = g_strconcat("class/net/", name, NULL);
        link = sysfs_path(root, rel);
        return resolve_device(link, ret);
}

int hw_sysfs_read_netdev_attrs(const char *root, const char *name, unsigned attrs, HwNetdev **ret) {
        g_autoptr(HwNetdev) n = NULL;
        _cleanup_(closep) int dfd = open_netdev_dir(root, name);
        int r;

        if (dfd < 0)
                return dfd;
        r = read_netdev_attrs(dfd, name, attrs, &n);
        if (r < 0)
                return r;
        if (attrs & HW_NETDEV_PCI) {
                r = netdev_pci_function(root, dfd, &n->pci);
                if (r < 0)
                        return r;
                n->has_pci = r > 0;
        }
        *ret = g_steal_pointer(&n);
        return 0;
}

int hw_sysfs_read_netdev(const char *root, const char *name, HwNetdev **ret) {
        return hw_sysfs_read_netdev_attrs(root, name, HW_NETDEV_ALL, ret);
}

/* The PCI function of a netdev without reading the netdev: 1 with *ret, 0 for a netdev without one */
int hw_sysfs_netdev_pci(const char *root, const char *name, PciAddr *ret) {
        _cleanup_(closep) int dfd = open_netdev_dir(root, name);

        if (dfd < 0)
                return dfd;
        return netdev_pci_function(root, dfd, ret);
}

static gint compare_netdevs(gconstpointer a, gconstpointer b) {
        const HwNetdev *x = *(HwNetdev *const *) a, *y = *(HwNetdev *const *) b;

        if (x->dev_port != y->dev_port)
                return x->dev_port < y->dev_port ? -1 : 1;
        return strcmp(x->name, y->name);
}

/* What an inventory read takes of the netdev called name under a function's net/ (net_fd), each file read through
 * net_fd (no directory of its own opened): whether it is set up (flags; a sim host has none: operstate) and its
 * link type. -ENODEV when it has neither flags nor operstate (no netdev: gone while we looked). */
static int read_inventory_netdev(int net_fd, const char *name, HwNetdev **ret) {
        g_autoptr(HwNetdev) n = hw_netdev_new();
        g_autofree char *flags = g_strconcat(name, "/flags", NULL), *type = g_strconcat(name, "/type", NULL);
        g_autofree char *operstate_path = g_strconcat(name, "/operstate", NULL), *operstate = NULL;
        uint64_t v;

        n->name = g_strdup(name);
        /* as read_netdev_attrs() takes it: flags, else operstate */
        if (read_attr_u64(net_fd, flags, 16, UINT32_MAX, &v) >= 0)
                n->admin_up = (v & 0x1) != 0;
        else if (read_attr(net_fd, operstate_path, &operstate) >= 0)
                n->admin_up = strcmp(operstate, "up") == 0;
        else
                return -ENODEV;
        n->link_type = read_link_type(net_fd, type);
        *ret = g_steal_pointer(&n);
        return 0;
}

/* One entry of a function's net/ (its type as getdents64() gives it): the netdev called name, added to f unless it
 * is none (vanished meanwhile) */
static int add_function_netdev(int net_fd, const char *name, unsigned char type, FunctionRead how, HwFunction *f) {
        _cleanup_(closep) int dfd = -1;
        HwNetdev *n = NULL;
        int r;

        if (!netdev_name_is_valid(name))
                return 0;
        if (how == FUNCTION_READ_NAMES && type == DT_DIR) {
                n = hw_netdev_new();                    /* its name is all that is asked: the entry says it */
                n->name = g_strdup(name);
        } else if (how == FUNCTION_READ_INVENTORY) {
                r = read_inventory_netdev(net_fd, name, &n);
                if (r == -ENODEV)
                        return 0;
                if (r < 0)
                        return r;
        } else {
                dfd = openat(net_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return 0;       /* vanished while we looked */
                r = read_netdev_attrs(dfd, name, netdev_attrs_of(how), &n);
                if (r == -ENODEV)
                        return 0;
                if (r < 0)
                        return r;
        }
        n->pci = f->addr;
        n->has_pci = true;
        g_ptr_array_add(f->netdevs, n);
        return 0;
}

/* The dev_port of each of f's netdevs (an inventory or names read leaves it unread): their order */
static void read_dev_ports(int net_fd, HwFunction *f) {
        for (guint i = 0; i < f->netdevs->len; i++) {
                HwNetdev *n = f->netdevs->pdata[i];
                g_autofree char *rel = g_strconcat(n->name, "/dev_port", NULL);
                uint64_t v;

                n->dev_port = read_attr_u64(net_fd, rel, 10, INT_MAX, &v) >= 0 ? (int) v : 0;
        }
}

/* The netdevs of f from its net/ directory at net_path (relative to dir): -ENOENT when there is none. net/ is listed
 * with getdents64() itself: a DIR would cost a stat and two fcntl calls per function */
static int read_netdevs_at(int dir, const char *net_path, FunctionRead how, HwFunction *f) {
        _cleanup_(closep) int net_fd = openat(dir, net_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char buf[4096] __attribute__((aligned(__alignof__(struct dirent64))));
        ssize_t len;

        if (net_fd < 0)
                return -ENOENT;
        while ((len = getdents64(net_fd, buf, sizeof(buf))) > 0)
                for (ssize_t off = 0; off < len;) {
                        const struct dirent64 *de = (const struct dirent64 *) (buf + off);
                        int r = add_function_netdev(net_fd, de->d_name, de->d_type, how, f);

                        if (r < 0)
                                return r;
                        off += de->d_reclen;
                }
        if ((how == FUNCTION_READ_INVENTORY || how == FUNCTION_READ_NAMES) && f->netdevs->len > 1)
                read_dev_ports(net_fd, f);
        g_ptr_array_sort(f->netdevs, compare_netdevs);
        return 0;
}

static int read_function_netdevs(int function_dir, FunctionRead how, HwFunction *f) {
        int r = read_netdevs_at(function_dir, "net", how, f);

        return r == -ENOENT ? 0 : r;    /* no net/: a function without netdevs (assigned, or not a NIC) */
}

/* The N whose virtfnN link of the PF names this VF; -1 when none does. */
static int find_vf_index(const char *root, const PciAddr *pf, const PciAddr *vf) {
        g_autofree char *pf_link = function_link_path(root, pf), *pf_dir = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (resolve_device(pf_link, &pf_dir) < 0)
                return -1;
        d = opendir(pf_dir);
        if (!d)
                return -1;
        while ((de = readdir(d))) {
                unsigned index;
                PciAddr addr;
                int consumed = 0;

                if (sscanf(de->d_name, "virtfn%u%n", &index, &consumed) != 1 || de->d_name[consumed] != '\0')
                        continue;
                if (read_link_pci_addr(dirfd(d), de->d_name, &addr) >= 0 && pci_addr_equal(&addr, vf))
                        return (int) MIN(index, (unsigned) INT_MAX);
        }
        return -1;
}

static int read_ids(int dir, HwFunction *f) {
        uint64_t v;
        int r;

        r = read_attr_u64(dir, "vendor", 16, 0xffff, &v);
        if (r < 0)
                return r;
        f->vendor_id = (uint16_t) v;
        r = read_attr_u64(dir, "device", 16, 0xffff, &v);
        if (r < 0)
                return r;
        f->device_id = (uint16_t) v;
        return 0;
}

/* sriov_totalvfs and sriov_numvfs mirror 16-bit registers of the SR-IOV capability: a larger value is
 * malformed, and must not make hw_sysfs_list_vfs() look for billions of virtfnN links */
#define SRIOV_VFS_MAX 0xffff

/* Whether the virtfn<index> link of the PF names this VF, the VF's directory open as vf_dir: one readlink through
 * its physfn link, where find_vf_index() reads them all. */
static bool vf_index_matches(int vf_dir, int index, const PciAddr *vf) {
        char name[48];
        PciAddr addr;

        if (index < 0)
                return false;
        g_snprintf(name, sizeof(name), "physfn/virtfn%d", index);
        return read_link_pci_addr(vf_dir, name, &addr) >= 0 && pci_addr_equal(&addr, vf);
}

/* vf_index_hint: the VF's index when known (-1 when not); hint_checked: whether it was read from the
 * PF's virtfn link just now, else it is checked against that link before it is used */
static int read_sriov(const char *root, int dir, HwFunction *f, int vf_index_hint, bool hint_checked) {
        uint64_t v;
        int r;

        if (attr_exists(dir, "sriov_totalvfs")) {
                f->is_pf = true;
                r = read_attr_u64(dir, "sriov_totalvfs", 10, SRIOV_VFS_MAX, &v);
                if (r < 0)
                        return r;
                f->total_vfs = (unsigned) v;
                r = read_attr_u64(dir, "sriov_numvfs", 10, SRIOV_VFS_MAX, &v);
                if (r < 0 && r != -ENOENT)
                        return r;
                f->num_vfs = r < 0 ? 0 : (unsigned) v;
        }

        r = read_link_pci_addr(dir, "physfn", &f->physfn);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        f->is_vf = true;
        if (vf_index_hint >= 0 && (hint_checked || vf_index_matches(dir, vf_index_hint, &f->addr)))
                f->vf_index = vf_index_hint;
        else
                f->vf_index = find_vf_index(root, &f->physfn, &f->addr);
        return 0;
}

/* The VF that the PF's link (virtfnN) leads to, the PF's directory open as pf_dir, as far as its place in the
 * topology goes: VF vf_index of pf, with its netdevs' names, ports and port ids (how: FUNCTION_READ_TOPOLOGY or
 * FUNCTION_READ_NAMES; no ids, driver, ifindex, MAC or operstate). Its net/ is opened through the link, without
 * opening the VF's own directory (one call, and one close, less per VF). -ENODEV when the link dangles. */
static int read_vf_topology_through(int pf_dir, const char *link, const PciAddr *addr, const PciAddr *pf,
                                    int vf_index, FunctionRead how, HwFunction **ret) {
        g_autoptr(HwFunction) f = hw_function_new();
        g_autofree char *net_path = g_strconcat(link, "/net", NULL);
        int r;

        f->addr = *addr;
        f->is_vf = true;
        f->physfn = *pf;
        f->vf_index = vf_index;
        r = read_netdevs_at(pf_dir, net_path, how, f);
        if (r == -ENOENT && faccessat(pf_dir, link, F_OK, 0) < 0)
                return -ENODEV;         /* no VF there, rather than a VF without net/ */
        if (r < 0 && r != -ENOENT)
                return r;
        *ret = g_steal_pointer(&f);
        return 0;
}

/* numa_node: "-1" from the kernel, no file, or a value that is no node number: -1 */
static int read_numa_node(int dir) {
        g_autofree char *s = NULL;
        gint64 v;

        if (read_attr(dir, "numa_node", &s) < 0 ||
            !g_ascii_string_to_signed(g_strstrip(s), 10, -1, INT_MAX, &v, NULL))
                return -1;
        return (int) v;
}

/* the group number the iommu_group link names; -1 without one (no IOMMU) or when it names no number */
static int read_iommu_group(int dir) {
        g_autofree char *group = NULL;
        guint64 g;

        if (read_link_basename(dir, "iommu_group", &group) < 0 ||
            !g_ascii_string_to_unsigned(group, 10, 0, INT_MAX, &g, NULL))
                return -1;
        return (int) g;
}

/* The function's own attributes, its directory open as dir: ids, NUMA node, IOMMU group, driver; pcie_root: what
 * pcie_root_of() read off its real path (NULL: unknown) */
static int read_function_attrs(int dir, const char *pcie_root, HwFunction *f) {
        int r;

        r = read_ids(dir, f);
        if (r < 0)
                return r == -ENOENT ? -ENODEV : r;
        f->numa_node = read_numa_node(dir);
        f->iommu_group = read_iommu_group(dir);
        f->pcie_root = g_strdup(pcie_root);

        r = read_link_basename(dir, "driver", &f->driver);
        if (r < 0 && r != -ENOENT)
                return r;
        return 0;
}

static int read_function_at(const char *root, int dir, const char *pcie_root, const PciAddr *addr,
                            int vf_index_hint, bool hint_checked, HwFunction **ret) {
        g_autoptr(HwFunction) f = NULL;
        int r;

        f = hw_function_new();
        f->addr = *addr;
        r = read_function_attrs(dir, pcie_root, f);
        if (r < 0)
                return r;
        r = read_sriov(root, dir, f, vf_index_hint, hint_checked);
        if (r < 0)
                return r;
        r = read_function_netdevs(dir, FUNCTION_READ_FULL, f);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&f);
        return 0;
}

/* VF vf_index of pf, its directory open as dir, as a Device object shows it: read_function_attrs() and its netdevs'
 * names, link types and whether they are set up. Its place comes from the PF's virtfn link it was opened through:
 * no physfn or sriov_* read (a VF is no PF). */
static int read_vf_inventory_at(int dir, const char *pcie_root, const PciAddr *addr, const PciAddr *pf,
                                int vf_index, HwFunction **ret) {
        g_autoptr(HwFunction) f = hw_function_new();
        int r;

        f->addr = *addr;
        f->is_vf = true;
        f->physfn = *pf;
        f->vf_index = vf_index;
        r = read_function_attrs(dir, pcie_root, f);
        if (r >= 0)
                r = read_function_netdevs(dir, FUNCTION_READ_INVENTORY, f);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&f);
        return 0;
}

/* The directory of PCI function addr under root, open (an fd), or -EINVAL / -ENODEV; *ret_path (may be NULL)
 * is its real path. */
static int open_function_dir_path(const char *root, const PciAddr *addr, char **ret_path) {
        g_autofree char *link = NULL, *path = NULL;
        int r, fd;

        if (!addr || !pci_addr_is_valid(addr))
                return -EINVAL;
        link = function_link_path(root, addr);
        r = resolve_device(link, &path);
        if (r < 0)
                return r;
        fd = open_dir(path);
        if (fd >= 0 && ret_path)
                *ret_path = g_steal_pointer(&path);
        return fd;
}

/* The same without its path: the bus/pci/devices link opened, the kernel following it (sysfs links are relative,
 * and climb out of directories that are no links: where resolve_device() leads), one call for three */
static int open_function_dir(const char *root, const PciAddr *addr) {
        g_autofree char *link = NULL;

        if (!addr || !pci_addr_is_valid(addr))
                return -EINVAL;
        link = function_link_path(root, addr);
        return open_dir(link);
}

int hw_sysfs_read_topology(const char *root, const PciAddr *addr, int vf_index_hint, HwFunction **ret) {
        g_autoptr(HwFunction) f = NULL;
        _cleanup_(closep) int dir = open_function_dir(root, addr);
        int r;

        if (dir < 0)
                return dir;
        f = hw_function_new();
        f->addr = *addr;
        r = read_sriov(root, dir, f, vf_index_hint, /* hint_checked= */ false);
        if (r >= 0)
                r = read_function_netdevs(dir, FUNCTION_READ_TOPOLOGY, f);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&f);
        return 0;
}

int hw_sysfs_vf_place(const char *root, const PciAddr *addr, int vf_index_hint, PciAddr *ret_pf, int *ret_index) {
        _cleanup_(closep) int dir = open_function_dir(root, addr);
        int r;

        if (dir < 0)
                return dir;
        r = read_link_pci_addr(dir, "physfn", ret_pf);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (vf_index_hint >= 0 && vf_index_matches(dir, vf_index_hint, addr))
                *ret_index = vf_index_hint;
        else
                *ret_index = find_vf_index(root, ret_pf, addr);
        return 1;
}

int hw_sysfs_read_function(const char *root, const PciAddr *addr, int vf_index_hint, HwFunction **ret) {
        g_autofree char *path = NULL, *devices = NULL, *pcie_root = NULL;
        _cleanup_(closep) int dir = open_function_dir_path(root, addr, &path);

        if (dir < 0)
                return dir;
        devices = devices_dir_of(root);
        pcie_root = pcie_root_of(devices, path);
        return read_function_at(root, dir, pcie_root, addr, vf_index_hint, /* hint_checked= */ false, ret);
}

int hw_sysfs_function_class(const char *root, const PciAddr *addr, uint32_t *ret) {
        _cleanup_(closep) int dir = open_function_dir(root, addr);
        uint64_t v;
        int r;

        if (dir < 0)
                return dir;
        r = read_attr_u64(dir, "class", 16, 0xffffff, &v);
        if (r < 0)
                return r;
        *ret = (uint32_t) v;
        return 0;
}

int hw_sysfs_function_is_pf(const char *root, const PciAddr *addr) {
        g_autofree char *link = NULL, *path = NULL, *attr = NULL;
        int r;

        if (!addr || !pci_addr_is_valid(addr))
                return -EINVAL;
        link = function_link_path(root, addr);
        r = resolve_device(link, &path);
        if (r < 0)
                return r;
        attr = g_build_filename(path, "sriov_totalvfs", NULL);
        return access(attr, F_OK) == 0;
}

int hw_sysfs_function_driver(const char *root, const PciAddr *addr, char **ret) {
        g_autofree char *driver = NULL;
        _cleanup_(closep) int dir = open_function_dir(root, addr);
        int r;

        if (dir < 0)
                return dir;
        r = read_link_basename(dir, "driver", &driver);
        if (r < 0 && r != -ENOENT)
                return r;
        *ret = g_steal_pointer(&driver);
        return 0;
}

static void hw_function_free_void(gpointer p) {
        hw_function_free(p);
}

/* VF index of pf, read in full or for the inventory (how) through its virtfn link (whose text is target), open as
 * vf_dir; path is the PF's real path, devices what devices_dir_of() gives */
static int read_listed_vf(const char *root, const char *devices, const char *path, int vf_dir, const char *target,
                          const PciAddr *addr, const PciAddr *pf, int index, FunctionRead how, HwFunction **ret) {
        g_autofree char *joined = NULL, *vf_path = NULL, *pcie_root = NULL;

        /* where the link leads, from its text: the VF's PCI root without a path walk */
        joined = target[0] == '/' ? g_strdup(target) : g_build_filename(path, target, NULL);
        vf_path = normalize_path(joined);
        pcie_root = pcie_root_of(devices, vf_path);
        if (how == FUNCTION_READ_INVENTORY)
                return read_vf_inventory_at(vf_dir, pcie_root, addr, pf, index, ret);
        return read_function_at(root, vf_dir, pcie_root, addr, index, /* hint_checked= */ true, ret);
}

static int list_vfs(const char *root, const PciAddr *pf, FunctionRead how, GPtrArray **ret) {
        g_autofree char *link = NULL, *path = NULL, *devices = devices_dir_of(root);
        g_autoptr(GPtrArray) vfs = NULL;
        _cleanup_(closep) int dir = -1;
        uint64_t num_vfs;
        int r;

        if (!pf || !pci_addr_is_valid(pf))
                return -EINVAL;
        link = function_link_path(root, pf);
        r = resolve_device(link, &path);
        if (r < 0)
                return r;
        dir = open_dir(path);
        if (dir < 0)
                return dir;
        if (!attr_exists(dir, "sriov_totalvfs"))
                return -ENOTSUP;
        r = read_attr_u64(dir, "sriov_numvfs", 10, SRIOV_VFS_MAX, &num_vfs);
        if (r == -ENOENT)
                num_vfs = 0;
        else if (r < 0)
                return r;

        vfs = g_ptr_array_new_with_free_func(hw_function_free_void);
        for (uint64_t i = 0; i < num_vfs; i++) {
                _cleanup_(closep) int vf_dir = -1;
                g_autofree char *target = NULL;
                HwFunction *vf = NULL;
                char name[32];
                PciAddr addr;

                g_snprintf(name, sizeof(name), "virtfn%" G_GUINT64_FORMAT, i);
                r = read_link_pci_addr_target(dir, name, &addr, &target);
                if (r == -ENOENT)
                        continue;       /* a gap: the next index may still exist */
                if (r < 0)
                        return r;
                /* the link itself leads to the VF's directory: no path to walk from the root */
                if (how == FUNCTION_READ_TOPOLOGY || how == FUNCTION_READ_NAMES)
                        r = read_vf_topology_through(dir, name, &addr, pf, (int) i, how, &vf);
                else {
                        vf_dir = openat(dir, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        r = vf_dir < 0 ? -ENODEV : read_listed_vf(root, devices, path, vf_dir, target, &addr, pf,
                                                                 (int) i, how, &vf);
                }
                if (r == -ENODEV) {
                        log_debug("%s: VF %" G_GUINT64_FORMAT " link dangles, skipping", name, i);
                        continue;
                }
                if (r < 0)
                        return r;
                g_ptr_array_add(vfs, vf);
        }
        *ret = g_steal_pointer(&vfs);
        return 0;
}

int hw_sysfs_list_vfs(const char *root, const PciAddr *pf, bool topology, GPtrArray **ret) {
        return list_vfs(root, pf, topology ? FUNCTION_READ_TOPOLOGY : FUNCTION_READ_FULL, ret);
}

int hw_sysfs_list_vf_names(const char *root, const PciAddr *pf, GPtrArray **ret) {
        return list_vfs(root, pf, FUNCTION_READ_NAMES, ret);
}

int hw_sysfs_list_vf_inventory(const char *root, const PciAddr *pf, GPtrArray **ret) {
        return list_vfs(root, pf, FUNCTION_READ_INVENTORY, ret);
}

/* ---- IOMMU and VFIO ---- */

int hw_sysfs_iommu_group(const char *root, const PciAddr *addr, int *ret) {
        g_autofree char *group = NULL;
        _cleanup_(closep) int dir = open_function_dir(root, addr);
        guint64 g;
        int r;

        if (dir < 0)
                return dir;
        r = read_link_basename(dir, "iommu_group", &group);
        if (r < 0)
                return r;               /* -ENOENT: no IOMMU */
        if (!g_ascii_string_to_unsigned(group, 10, 0, INT_MAX, &g, NULL))
                return -EIO;
        *ret = (int) g;
        return 0;
}

static gint pci_addr_cmp(gconstpointer a, gconstpointer b) {
        char x[PCI_ADDR_STR_MAX], y[PCI_ADDR_STR_MAX];

        return strcmp(pci_addr_to_string(a, x), pci_addr_to_string(b, y));
}

int hw_sysfs_iommu_group_devices(const char *root, int group, GArray **ret) {
        g_autofree char *rel = g_strdup_printf("kernel/iommu_groups/%d/devices", group);
        g_autofree char *path = sysfs_path(root, rel);
        g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(PciAddr));
        _cleanup_(closedirp) DIR *d = opendir(path);
        struct dirent *de;

        if (!d)
                return errno == ENOTDIR ? -ENOENT : -errno;
        while ((errno = 0, de = readdir(d))) {
                PciAddr a;

                if (pci_addr_from_string(de->d_name, &a) >= 0)
                        g_array_append_val(list, a);
        }
        if (errno != 0)
                return -errno;
        g_array_sort(list, pci_addr_cmp);
        *ret = g_steal_pointer(&list);
        return 0;
}

int hw_sysfs_vfio_dev_name(const char *root, const PciAddr *addr, char **ret) {
        _cleanup_(closep) int dir = open_function_dir(root, addr);
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int fd;

        if (dir < 0)
                return dir;
        fd = openat(dir, "vfio-dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOTDIR ? -ENOENT : -errno;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d)))
                if (g_str_has_prefix(de->d_name, "vfio") && netdev_name_is_valid(de->d_name)) {
                        *ret = g_strdup(de->d_name);
                        return 0;
                }
        return -ENOENT;
}

int hw_sysfs_vf_addr(const char *root, const PciAddr *pf, unsigned index, PciAddr *ret) {
        _cleanup_(closep) int dir = open_function_dir(root, pf);
        char name[32];
        int r;

        if (dir < 0)
                return dir;
        g_snprintf(name, sizeof(name), "virtfn%u", index);
        r = read_link_pci_addr(dir, name, ret);
        return r == -ENOENT ? -ENODEV : r;
}
