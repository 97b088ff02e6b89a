/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim backend: netdev rename and up/down, macvtap and VLAN devices and their tap nodes (simhost.md "Version
 * 1.1": R/sys/devices/virtual/net/<name>/, R/dev/tapN) */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "hw/hw-sim-internal.h"
#include "hw/hw-sysfs.h"
#include "shared/fileio.h"
#include "shared/log.h"
#include "shared/macro.h"

/* A class/net link of a virtual netdev points here (the layout's only place for them) */
#define VIRTUAL_LINK_PREFIX "../../devices/virtual/net/"
#define CLASS_LINK_PREFIX "../../devices/"

static char *class_link(HwBackend *hw, const char *name) {
        return g_build_filename(hw->sysfs_root, SIM_CLASS_NET_DIR, name, NULL);
}

static char *virtual_dir(HwBackend *hw, const char *name) {
        return g_build_filename(hw->sysfs_root, SIM_VIRTUAL_NET_DIR, name, NULL);
}

/* Where R/sys/class/net/<name> points (relative, as written); -ENODEV when there is no such netdev */
static int class_target(HwBackend *hw, const char *name, char **ret) {
        g_autofree char *link = class_link(hw, name);
        char *target = g_file_read_link(link, NULL);

        if (!target)
                return -ENODEV;
        *ret = target;
        return 0;
}

static bool is_virtual(const char *class_target) {
        return g_str_has_prefix(class_target, VIRTUAL_LINK_PREFIX);
}

static char *link_basename(const char *dir, const char *name) {
        g_autofree char *link = g_build_filename(dir, name, NULL), *target = g_file_read_link(link, NULL);

        return target ? g_path_get_basename(target) : NULL;
}

static char *read_attr(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        char *line = NULL;

        if (read_one_line(path, &line) < 0)
                return NULL;
        return g_strstrip(line);
}

/* Whether virtual/net/ holds no more than `n` directories (a virtual netdev is one), told by its link count: 2 and
 * one per subdirectory where the filesystem counts them (tmpfs, ext4, xfs), below 2 where it does not (then false:
 * unknown). Spares the listing when no other virtual netdev is there. */
static bool virtual_dirs_at_most(HwBackend *hw, nlink_t n) {
        g_autofree char *vdir = g_build_filename(hw->sysfs_root, SIM_VIRTUAL_NET_DIR, NULL);
        struct stat st;

        if (stat(vdir, &st) < 0)
                return errno == ENOENT;         /* none made yet */
        return st.st_nlink >= 2 && st.st_nlink - 2 <= n;
}

/* Whether the virtual netdev `name` (an entry of vdir) is one, and over `lower` when that is given: its `lower`
 * link read first, then its class link (no half-made one), only for a netdev over `lower` */
static bool virtual_name_matches(HwBackend *hw, const char *vdir, const char *name, const char *lower) {
        g_autofree char *link = NULL;

        if (!netdev_name_is_valid(name) || name[0] == '.')
                return false;
        if (lower) {
                g_autofree char *dir = g_build_filename(vdir, name, NULL), *base = link_basename(dir, "lower");

                if (!streq_ptr(base, lower))
                        return false;
        }
        link = class_link(hw, name);
        return sim_exists(link);
}

/* Names of the virtual netdevs (valid names with their class link: no half-made one), and of those whose
 * `lower` is `lower` when given. The directory is listed with getdents64() itself: a DIR costs a stat more. */
static GPtrArray *virtual_names(HwBackend *hw, const char *lower) {
        g_autofree char *vdir = g_build_filename(hw->sysfs_root, SIM_VIRTUAL_NET_DIR, NULL);
        _cleanup_(closep) int dfd = open(vdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char buf[4096] __attribute__((aligned(__alignof__(struct dirent64))));
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        ssize_t len;

        while (dfd >= 0 && (len = getdents64(dfd, buf, sizeof(buf))) > 0)
                for (ssize_t off = 0; off < len;) {
                        const struct dirent64 *de = (const struct dirent64 *) (buf + off);

                        off += de->d_reclen;
                        if (virtual_name_matches(hw, vdir, de->d_name, lower))
                                g_ptr_array_add(names, g_strdup(de->d_name));
                }
        return names;
}

/* ---- reading ---- */

static int read_virtual(HwBackend *hw, const char *name, HwVirtualNetdev **ret) {
        g_autoptr(HwVirtualNetdev) v = g_new0(HwVirtualNetdev, 1);
        g_autofree char *dir = virtual_dir(hw, name), *ifindex = NULL, *mac = NULL, *state = NULL;
        g_autofree char *vlan_id = NULL;
        guint64 n;

        if (!sim_is_dir(dir))
                return -ENODEV;
        v->name = g_strdup(name);
        v->mode = read_attr(dir, "mode");
        v->tap = read_attr(dir, "tap");
        vlan_id = v->mode ? NULL : read_attr(dir, "vlan_id");  /* a macvtap has none */
        v->kind = v->mode ? HW_VIRTUAL_MACVTAP : vlan_id ? HW_VIRTUAL_VLAN : HW_VIRTUAL_OTHER;
        if (vlan_id && g_ascii_string_to_unsigned(vlan_id, 10, 1, 4094, &n, NULL))
                v->vlan_id = (unsigned) n;
        v->lower = link_basename(dir, "lower");
        ifindex = read_attr(dir, "ifindex");
        if (ifindex && g_ascii_string_to_unsigned(ifindex, 10, 1, INT_MAX, &n, NULL))
                v->ifindex = (int) n;
        mac = read_attr(dir, "address");
        if (!mac || mac_normalize(mac, v->mac) < 0)
                g_strlcpy(v->mac, "00:00:00:00:00:00", sizeof(v->mac));
        state = read_attr(dir, "operstate");
        v->up = streq_ptr(state, "up");
        *ret = g_steal_pointer(&v);
        return 0;
}

int sim_virtual_read(HwBackend *hw, const char *name, HwVirtualNetdev **ret) {
        g_autoptr(HwVirtualNetdev) v = NULL;
        g_autofree char *target = NULL;
        int r;

        r = class_target(hw, name, &target);
        if (r < 0)
                return r;
        if (!is_virtual(target))
                return -ENOTSUP;
        r = read_virtual(hw, name, &v);
        if (r < 0)
                return r;
        if (v->kind == HW_VIRTUAL_OTHER)
                return -ENOTSUP;
        *ret = g_steal_pointer(&v);
        return 0;
}

static void virtual_free(gpointer p) {
        hw_virtual_netdev_free(p);
}

/* Every virtual netdev, OTHER ones too: their names are taken */
int sim_virtual_list(HwBackend *hw, GPtrArray **ret) {
        g_autoptr(GPtrArray) names = virtual_names(hw, NULL);
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(virtual_free);

        for (guint i = 0; i < names->len; i++) {
                HwVirtualNetdev *v = NULL;

                if (read_virtual(hw, names->pdata[i], &v) >= 0)
                        g_ptr_array_add(list, v);
        }
        *ret = g_steal_pointer(&list);
        return 0;
}

/* ---- deleting: what is stacked on a netdev goes with it ---- */

static int remove_virtual(HwBackend *hw, const char *name, unsigned depth);

/* own: 1 when name is a virtual netdev itself (its directory is one of virtual/net/), else 0 */
static int remove_uppers(HwBackend *hw, const char *name, nlink_t own, unsigned depth) {
        g_autoptr(GPtrArray) uppers = NULL;

        if (depth > 8)
                return -ELOOP;          /* a tree no kernel makes: lower links in a circle */
        if (virtual_dirs_at_most(hw, own))
                return 0;               /* no virtual netdev but itself: none over it */
        uppers = virtual_names(hw, name);
        for (guint i = 0; i < uppers->len; i++) {
                int r = remove_virtual(hw, uppers->pdata[i], depth + 1);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* A virtual netdev's directory: the files the sim makes in it by name, then the directory; anything else found
 * in it (a test's own file) takes the walk of sim_rm_rf() */
static int remove_virtual_dir(const char *dir) {
        static const char *const files[] = { "address", "ifindex", "operstate", "mtu", "lower", "mode", "tap",
                                             "vlan_id" };
        _cleanup_(closep) int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        bool macvtap = false;

        if (dfd < 0)
                return errno == ENOENT ? 0 : sim_rm_rf(dir);
        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
                if (macvtap && streq(files[i], "vlan_id"))
                        continue;               /* a macvtap has none (one that had would stay: rmdir tells) */
                if (unlinkat(dfd, files[i], 0) < 0) {
                        if (errno != ENOENT)
                                return sim_rm_rf(dir);
                } else if (streq(files[i], "mode"))
                        macvtap = true;
        }
        if (rmdir(dir) < 0 && errno != ENOENT)
                return sim_rm_rf(dir);
        return 0;
}

static int remove_virtual(HwBackend *hw, const char *name, unsigned depth) {
        g_autofree char *dir = virtual_dir(hw, name), *link = class_link(hw, name), *tap = NULL;
        int r;

        r = remove_uppers(hw, name, 1, depth);
        if (r < 0)
                return r;
        tap = read_attr(dir, "tap");
        if (tap && g_str_has_prefix(tap, "tap") && netdev_name_is_valid(tap)) {
                g_autofree char *node = g_build_filename(hw->sysfs_root, "dev", tap, NULL);

                if (unlink(node) < 0 && errno != ENOENT)
                        return -errno;
        }
        if (unlink(link) < 0 && errno != ENOENT)
                return -errno;
        return remove_virtual_dir(dir);
}

int sim_remove_uppers(HwBackend *hw, const char *name) {
        return remove_uppers(hw, name, 0, 0);
}

static bool has_file(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        struct stat st;

        return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* What the virtual netdev's directory is, as sim_virtual_read() tells: a macvtap has a `mode`, a VLAN device a
 * `vlan_id` (a stat each, nothing read: the delete reads only the tap's name) */
static HwVirtualKind virtual_dir_kind(const char *dir) {
        if (has_file(dir, "mode"))
                return HW_VIRTUAL_MACVTAP;
        return has_file(dir, "vlan_id") ? HW_VIRTUAL_VLAN : HW_VIRTUAL_OTHER;
}

int sim_virtual_delete(HwBackend *hw, const char *name, bool macvtap_only) {
        g_autofree char *target = NULL, *dir = NULL;
        HwVirtualKind kind;
        int r;

        r = class_target(hw, name, &target);
        if (r < 0)
                return r;
        if (!is_virtual(target))
                return -ENOTSUP;
        dir = virtual_dir(hw, name);
        kind = virtual_dir_kind(dir);
        if (kind == HW_VIRTUAL_OTHER)
                return sim_is_dir(dir) ? -ENOTSUP : -ENODEV;
        if (macvtap_only && kind != HW_VIRTUAL_MACVTAP)
                return -ENOTSUP;
        return remove_virtual(hw, name, 0);
}

/* ---- rename, up/down ---- */

/* target with its last component replaced by name */
static char *retarget(const char *target, const char *name) {
        g_autofree char *dir = g_path_get_dirname(target);

        return g_build_filename(dir, name, NULL);
}

static int relink(const char *link, const char *target) {
        if (unlink(link) < 0 && errno != ENOENT)
                return -errno;
        return symlink(target, link) < 0 ? -errno : 0;
}

int sim_netdev_rename(HwBackend *hw, const char *name, const char *new_name) {
        g_autofree char *target = NULL, *dir = NULL, *new_dir = NULL, *new_link = class_link(hw, new_name);
        g_autofree char *old_link = class_link(hw, name), *new_target = NULL;
        g_autoptr(GPtrArray) uppers = NULL;
        int r;

        r = class_target(hw, name, &target);
        if (r < 0)
                return r;
        if (sim_exists(new_link))
                return -EEXIST;
        r = hw_sysfs_netdev_dir(hw->sysfs_root, name, &dir);
        if (r < 0)
                return r;
        r = sim_write_value(dir, "operstate", "down");  /* the kernel renames only a netdev that is down */
        if (r < 0)
                return r;
        uppers = virtual_names(hw, name);
        new_dir = retarget(dir, new_name);
        if (rename(dir, new_dir) < 0)
                return -errno;
        new_target = retarget(target, new_name);
        if (symlink(new_target, new_link) < 0)
                return -errno;
        if (unlink(old_link) < 0 && errno != ENOENT)
                return -errno;
        /* the uppers' lower links name the netdev by path */
        for (guint i = 0; i < uppers->len; i++) {
                g_autofree char *udir = virtual_dir(hw, uppers->pdata[i]);
                g_autofree char *lower = g_build_filename(udir, "lower", NULL);
                g_autofree char *old = g_file_read_link(lower, NULL), *now = NULL;

                if (!old)
                        continue;
                now = retarget(old, new_name);
                r = relink(lower, now);
                if (r < 0)
                        return r;
        }
        return 0;
}

int sim_netdev_set_up(HwBackend *hw, const char *name, bool up) {
        g_autofree char *dir = NULL;
        int r;

        r = hw_sysfs_netdev_dir(hw->sysfs_root, name, &dir);
        if (r < 0)
                return r;
        return sim_write_value(dir, "operstate", up ? "up" : "down");
}

/* ---- creating ---- */

/* The lower netdev: its directory and where an upper's `lower` link points at it; -ENODEV when missing */
typedef struct SimLower {
        char *dir;
        char *upper_target;             /* from R/sys/devices/virtual/net/<upper>/ */
        char mac[18];
        char *mtu;
} SimLower;

static void sim_lower_clear(SimLower *l) {
        g_clear_pointer(&l->dir, g_free);
        g_clear_pointer(&l->upper_target, g_free);
        g_clear_pointer(&l->mtu, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SimLower, sim_lower_clear);

/* The directory is where the class link points (R/sys/class/net/ + "../../devices/…" is R/sys/devices/…): one
 * readlink, the link read once */
static int open_lower(HwBackend *hw, const char *lower, SimLower *ret) {
        g_autofree char *target = NULL, *mac = NULL;
        const char *rest;
        int r;

        r = class_target(hw, lower, &target);
        if (r < 0)
                return r;
        if (!g_str_has_prefix(target, CLASS_LINK_PREFIX))
                return -EIO;            /* not the layout's link */
        rest = target + strlen(CLASS_LINK_PREFIX);
        ret->dir = g_build_filename(hw->sysfs_root, "sys", "devices", rest, NULL);
        ret->upper_target = g_strconcat("../../../", rest, NULL);
        mac = read_attr(ret->dir, "address");
        if (!mac && !sim_is_dir(ret->dir))
                return -ENODEV;         /* a class link left dangling: no such netdev */
        if (!mac || mac_normalize(mac, ret->mac) < 0)
                return -EIO;
        ret->mtu = read_attr(ret->dir, "mtu");
        return 0;
}

/* The PCI function whose netdev's directory dir is (resolved), read off the layout's path to it,
 * R/sys/devices/pci0000:00/<BDF>/net/<name>: false for a netdev of none (a macvtap, a VLAN device) */
static bool function_of_netdev_dir(const char *dir, PciAddr *ret) {
        g_autofree char *net = g_path_get_dirname(dir), *function_dir = g_path_get_dirname(net);
        g_autofree char *net_name = g_path_get_basename(net), *bdf = g_path_get_basename(function_dir);
        g_autofree char *devices = g_path_get_dirname(function_dir);

        return streq(net_name, "net") && g_str_has_suffix(devices, "/" SIM_DEVICES_DIR) &&
               pci_addr_from_string(bdf, ret) >= 0;
}

/* The vfstate directory (its fail file) of the VF whose netdev's directory is dir; NULL for a PF's, a VLAN
 * device's, … */
static char *netdev_vf_dir(HwBackend *hw, const char *dir) {
        char *vf_dir = NULL;
        PciAddr pci;

        if (!function_of_netdev_dir(dir, &pci))
                return NULL;
        if (sim_function_vf_dir(hw, &pci, &vf_dir, NULL) < 0)
                return NULL;
        return vf_dir;
}

/* The `set_mtu` faults of a VF's netdev are the VF's */
int sim_netdev_set_mtu(HwBackend *hw, const char *name, unsigned mtu) {
        g_autofree char *dir = NULL, *vf_dir = NULL;
        char buf[16];
        int r;

        r = hw_sysfs_netdev_dir(hw->sysfs_root, name, &dir);
        if (r < 0)
                return r;
        vf_dir = netdev_vf_dir(hw, dir);
        r = sim_fail_check(vf_dir, "set_mtu", NULL);
        if (r != 0)
                return MIN(r, 0);
        g_snprintf(buf, sizeof(buf), "%u", mtu);
        return sim_write_value(dir, "mtu", buf);
}

/* A macvtap over lower: only one when it is passthru, and a passthru one only alone (-EBUSY). Of each upper only
 * its `mode` is read (a macvtap has one). */
static int check_passthru(HwBackend *hw, const char *lower, const char *mode) {
        g_autoptr(GPtrArray) uppers = NULL;

        if (virtual_dirs_at_most(hw, 0))
                return 0;               /* no virtual netdev at all */
        uppers = virtual_names(hw, lower);

        for (guint i = 0; i < uppers->len; i++) {
                g_autofree char *dir = virtual_dir(hw, uppers->pdata[i]), *upper_mode = read_attr(dir, "mode");

                if (upper_mode && (streq(mode, "passthru") || streq(upper_mode, "passthru")))
                        return -EBUSY;
        }
        return 0;
}

typedef struct NewVirtual {
        const char *name;
        const SimLower *lower;
        const char *mac;
        const char *mode;               /* macvtap */
        unsigned vlan_id;               /* VLAN device */
} NewVirtual;

/* A file of a netdev directory nobody sees yet: written in place (no temporary file and rename: the directory
 * as a whole appears at once). Mode 0644 less the umask, as the directory's own. */
static int write_new_value(int dfd, const char *name, const char *value) {
        g_autofree char *text = g_strconcat(value, "\n", NULL);
        _cleanup_(closep) int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
        size_t len = strlen(text), done = 0;

        if (fd < 0)
                return -errno;
        while (done < len) {
                ssize_t n = write(fd, text + done, len - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                done += (size_t) n;
        }
        return 0;
}

/* A new directory, empty: the rest of one a killed process was making is removed first (looked for only when
 * mkdir finds it there) */
static int make_fresh_dir(const char *dir) {
        if (mkdir(dir, 0755) >= 0)
                return 0;
        if (errno == EEXIST)
                (void) sim_rm_rf(dir);
        else if (errno != ENOENT)
                return -errno;
        return mkdir_parents(dir);      /* the host's first virtual netdev: virtual/net/ made too */
}

/* dir renamed to final; a final there without its class link is the rest of one a killed process was making, and
 * goes first (looked for only when the rename finds it there) */
static int move_into_place(const char *dir, const char *final, const char *link) {
        int r;

        if (rename(dir, final) >= 0)
                return 0;
        r = -errno;
        if ((r != -ENOTEMPTY && r != -EEXIST) || sim_exists(link))
                return r;
        r = sim_rm_rf(final);
        if (r >= 0 && rename(dir, final) < 0)
                r = -errno;
        return r;
}

/* The kernel makes a netdev at once: the sim writes it under a temporary name beside its place, renames it there,
 * and links it into class/net last — a process killed half-way leaves no netdev (a directory without its class
 * link is none, and the next one of that name replaces it). Returns the ifindex it was given. */
static int write_virtual(HwBackend *hw, const NewVirtual *n) {
        g_autofree char *final = virtual_dir(hw, n->name), *link = class_link(hw, n->name);
        g_autofree char *parent = g_path_get_dirname(final), *tmp_name = g_strconcat(".new.", n->name, NULL);
        g_autofree char *dir = g_build_filename(parent, tmp_name, NULL);
        g_autofree char *class_target = g_strconcat(VIRTUAL_LINK_PREFIX, n->name, NULL);
        int ifindex = sim_new_ifindex(hw), r;
        _cleanup_(closep) int dfd = -1;
        char buf[32];

        r = make_fresh_dir(dir);
        if (r >= 0) {
                dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                r = dfd < 0 ? -errno : 0;
        }
        if (r >= 0)
                r = write_new_value(dfd, "address", n->mac);
        g_snprintf(buf, sizeof(buf), "%d", ifindex);
        if (r >= 0)
                r = write_new_value(dfd, "ifindex", buf);
        if (r >= 0)
                r = write_new_value(dfd, "operstate", "up");
        if (r >= 0)
                r = write_new_value(dfd, "mtu", n->lower->mtu ? n->lower->mtu : "1500");
        if (r >= 0 && symlinkat(n->lower->upper_target, dfd, "lower") < 0)
                r = -errno;
        if (r >= 0 && n->mode) {
                g_autofree char *tap = g_strdup_printf("tap%d", ifindex);
                g_autofree char *dev = g_build_filename(hw->sysfs_root, "dev", NULL);
                g_autofree char *node = g_build_filename(dev, tap, NULL);

                r = write_new_value(dfd, "mode", n->mode);
                if (r >= 0)
                        r = write_new_value(dfd, "tap", tap);
                if (r >= 0 && mkfifo(node, 0600) < 0) {
                        r = -errno;
                        if (r == -ENOENT && mkdir_parents(dev) >= 0)    /* the host's first tap node */
                                r = mkfifo(node, 0600) < 0 ? -errno : 0;
                }
        }
        if (r >= 0 && n->vlan_id) {
                g_snprintf(buf, sizeof(buf), "%u", n->vlan_id);
                r = write_new_value(dfd, "vlan_id", buf);
        }
        if (r >= 0)
                r = move_into_place(dir, final, link);
        if (r >= 0 && symlink(class_target, link) < 0)
                r = -errno;
        if (r < 0) {
                (void) sim_rm_rf(dir);
                (void) remove_virtual(hw, n->name, 0);  /* nothing left behind */
                return r;
        }
        sim_class_link_made(hw, n->name);
        return ifindex;
}

/* The macvtap write_virtual() made, as it wrote it: its directory is nobody else's yet */
static HwVirtualNetdev *made_macvtap(const NewVirtual *n, const char *lower, int ifindex) {
        HwVirtualNetdev *v = g_new0(HwVirtualNetdev, 1);

        v->name = g_strdup(n->name);
        v->kind = HW_VIRTUAL_MACVTAP;
        v->ifindex = ifindex;
        v->lower = g_strdup(lower);
        v->mode = g_strdup(n->mode);
        g_strlcpy(v->mac, n->mac, sizeof(v->mac));
        v->up = true;
        v->tap = g_strdup_printf("tap%d", ifindex);
        return v;
}

int sim_macvtap_create(HwBackend *hw, const char *lower, const char *name, const char *mode, const char *mac,
                       HwVirtualNetdev **ret) {
        g_auto(SimLower) l = {};
        g_autofree char *link = class_link(hw, name), *vf_dir = NULL;
        NewVirtual n;
        int r;

        if (sim_exists(link))
                return -EEXIST;
        r = open_lower(hw, lower, &l);
        if (r < 0)
                return r;
        vf_dir = netdev_vf_dir(hw, l.dir);
        r = sim_fail_check(vf_dir, "macvtap", NULL);
        if (r == SIM_FAULT_IGNORE) {
                (void) sim_virtual_read(hw, name, ret);         /* reported made: what is there, if anything */
                return 0;
        }
        if (r < 0)
                return r;
        r = check_passthru(hw, lower, mode);
        if (r < 0)
                return r;
        n = (NewVirtual) {
                .name = name,
                .lower = &l,
                .mac = streq(mode, "passthru") ? l.mac : mac,   /* passthru takes its lower's */
                .mode = mode,
        };
        r = write_virtual(hw, &n);
        if (r < 0)
                return r;
        *ret = made_macvtap(&n, lower, r);
        return 0;
}

int sim_vlan_create(HwBackend *hw, const char *lower, const char *name, unsigned vlan_id) {
        g_autoptr(GPtrArray) uppers = NULL;
        g_auto(SimLower) l = {};
        g_autofree char *link = class_link(hw, name);
        int r;

        if (sim_exists(link))
                return -EEXIST;
        r = open_lower(hw, lower, &l);
        if (r < 0)
                return r;
        uppers = virtual_names(hw, lower);
        for (guint i = 0; i < uppers->len; i++) {
                g_autoptr(HwVirtualNetdev) v = NULL;

                if (read_virtual(hw, uppers->pdata[i], &v) >= 0 && v->kind == HW_VIRTUAL_VLAN &&
                    v->vlan_id == vlan_id)
                        return -EEXIST;         /* one VLAN device per id and lower, as the kernel has */
        }
        r = write_virtual(hw, &(NewVirtual) { .name = name, .lower = &l, .mac = l.mac, .vlan_id = vlan_id });
        return MIN(r, 0);
}

int sim_macvtap_open_tap(HwBackend *hw, const char *name, int *ret_fd) {
        g_autoptr(HwVirtualNetdev) v = NULL;
        g_autofree char *node = NULL;
        int fd, r;

        r = sim_virtual_read(hw, name, &v);
        if (r < 0)
                return r;
        if (v->kind != HW_VIRTUAL_MACVTAP)
                return -ENOTSUP;
        if (!v->tap || !g_str_has_prefix(v->tap, "tap") || !netdev_name_is_valid(v->tap))
                return -EIO;
        node = g_build_filename(hw->sysfs_root, "dev", v->tap, NULL);
        /* a FIFO opened for reading and writing at once neither blocks nor fails a write */
        fd = open(node, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

/* ---- device attributes: netpool's extensions of the layout (docs/simhost.md) ---- */

int sim_eswitch_mode(HwBackend *hw, const PciAddr *addr, char **ret) {
        char bdf[PCI_ADDR_STR_MAX];
        g_autofree char *path = g_build_filename(hw->sysfs_root, SIM_DEVICES_DIR, pci_addr_to_string(addr, bdf),
                                                 "eswitch_mode", NULL);
        g_autofree char *mode = NULL;
        int r;

        *ret = NULL;
        r = read_one_line(path, &mode);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;               /* a host without the extension: unknown */
        if (r < 0)
                return r;
        g_strstrip(mode);
        if (streq(mode, "legacy") || streq(mode, "switchdev"))
                *ret = g_steal_pointer(&mode);
        else
                log_debug("%s: '%s' is no eswitch mode, taken as unknown", path, mode);
        return 0;
}

/* One line of net/<if>/addresses: "ADDR" or "ADDR/PREFIX", IPv4 or IPv6; whether it counts */
static bool address_line_counts(const char *line) {
        g_autofree char *text = g_strndup(line, strcspn(line, "/ \t"));
        uint8_t bytes[16];
        int family = strchr(text, ':') ? AF_INET6 : AF_INET;

        if (inet_pton(family, text, bytes) != 1)
                return false;
        return hw_address_is_global(family, bytes);
}

int sim_netdev_global_address(HwBackend *hw, const HwNetdev *n) {
        char bdf[PCI_ADDR_STR_MAX];
        g_autofree char *path = NULL, *text = NULL;
        g_auto(GStrv) lines = NULL;
        int r;

        if (!n->has_pci)
                return 0;
        path = g_build_filename(hw->sysfs_root, SIM_DEVICES_DIR, pci_addr_to_string(&n->pci, bdf), "net", n->name,
                                "addresses", NULL);
        r = read_file_full(path, 1 << 20, &text, NULL);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;               /* no file: no addresses */
        if (r < 0)
                return r;
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++)
                if (address_line_counts(g_strstrip(*l)))
                        return 1;
        return 0;
}
