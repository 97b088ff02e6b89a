/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim backend: link change notifications. A change of a watched VF's R/vfstate/<PF BDF>/vf<N>/p<P>/ files, or
 * of its netdev's directory, is a link change (simhost.md 1.1), seen through inotify. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <glib.h>

#include "core/names.h"
#include "hw/hw-backend.h"
#include "hw/hw-sim-internal.h"
#include "hw/hw-sysfs.h"
#include "shared/macro.h"

/* a sim PF has one or two ports (simhost.md: p<P>/ is the VF's state through the PF netdev of port P) */
#define SIM_MAX_PORTS 2

/* A write in place (echo > file) closes a written file; the generator's and the backend's atomic writes
 * rename one in; anything created, deleted or renamed away counts too. The directory itself moved away (a
 * netdev a guest takes is kept aside, and comes back the same way) or deleted is a change as well. */
#define SIM_WATCH_MASK (IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | \
                        IN_MOVE_SELF | IN_DELETE_SELF | IN_ONLYDIR)

/* One (PF netdev, VF) watched */
typedef struct SimWatchedVf {
        char *pf_netdev;
        unsigned adds;                  /* watched until as many removes */
        GHashTable *users;              /* wd -> its SimDirUser (owned by SimWatch.dirs) */
} SimWatchedVf;

/* A watched VF's use of one inotify watch: a vfstate port directory (netdev NULL) or its netdev's directory.
 * inotify gives one wd per directory however often it is added, so a directory two VF keys watch (a dual-port
 * VF through both PF netdevs) has two users of one wd. */
typedef struct SimDirUser {
        SimWatchedVf *vf;
        char *netdev;
} SimDirUser;

typedef struct SimWatch {
        GHashTable *vfs;                /* "pf_netdev/vf" -> SimWatchedVf */
        GHashTable *dirs;               /* wd -> GPtrArray of SimDirUser: the watch goes with the last */
} SimWatch;

/* A directory a VF's watch covers */
typedef struct SimWatchDir {
        char *path;
        char *netdev;                   /* the VF's netdev whose directory it is; NULL for vfstate */
} SimWatchDir;

static void sim_watched_vf_free(gpointer p) {
        SimWatchedVf *v = p;

        g_free(v->pf_netdev);
        g_hash_table_unref(v->users);
        g_free(v);
}

static void sim_dir_user_free(gpointer p) {
        SimDirUser *u = p;

        g_free(u->netdev);
        g_free(u);
}

static void sim_watch_dir_free(gpointer p) {
        SimWatchDir *d = p;

        g_free(d->path);
        g_free(d->netdev);
        g_free(d);
}

static void add_dir(GPtrArray *dirs, char *path, const char *netdev) {
        SimWatchDir *d = g_new0(SimWatchDir, 1);

        d->path = path;
        d->netdev = g_strdup(netdev);
        g_ptr_array_add(dirs, d);
}

/* The PCI address of the sim PF netdev pf_netdev from its class link alone (simhost.md: R/sys/class/net/<ifname>
 * -> ../../devices/pci0000:00/<BDF>/net/<ifname>): -ENODEV when there is none, -ENOTSUP when it is no PCI
 * function's. */
static int pf_addr_of(HwBackend *hw, const char *pf_netdev, char bdf[static PCI_ADDR_STR_MAX]) {
        g_autofree char *function_dir = NULL, *base = NULL;
        char target[PATH_MAX];
        const char *net;
        ssize_t len;
        PciAddr pf;

        len = sim_class_link(hw, pf_netdev, target);
        if (len < 0)
                return (int) len;
        net = g_strrstr(target, "/net/");
        if (!net)
                return -ENOTSUP;
        function_dir = g_strndup(target, (gsize) (net - target));
        base = g_path_get_basename(function_dir);
        if (pci_addr_from_string(base, &pf) < 0)
                return -ENOTSUP;        /* a virtual netdev */
        pci_addr_to_string(&pf, bdf);
        return 0;
}

/* The directories of the VF's netdevs: the entries of its net/, reached through its PF's virtfn link (a
 * VF without netdevs, on vfio-pci say, has none) */
static void add_netdev_dirs(GPtrArray *dirs, HwBackend *hw, const char *pf_bdf, unsigned vf) {
        char buf[4096] __attribute__((aligned(__alignof__(struct dirent64))));
        g_autofree char *virtfn = g_strdup_printf("virtfn%u", vf);
        g_autofree char *net = g_build_filename(hw->sysfs_root, "sys/bus/pci/devices", pf_bdf, virtfn, "net", NULL);
        _cleanup_(closep) int fd = open(net, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ssize_t len;

        if (fd < 0)
                return;
        while ((len = getdents64(fd, buf, sizeof(buf))) > 0)
                for (ssize_t off = 0; off < len;) {
                        const struct dirent64 *de = (const struct dirent64 *) (buf + off);

                        off += de->d_reclen;
                        if ((de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) && netdev_name_is_valid(de->d_name))
                                add_dir(dirs, g_build_filename(net, de->d_name, NULL), de->d_name);
                }
}

/* What watching VF vf of pf_netdev covers now: its vfstate port directories (p1/, p2/: those it has) and its
 * netdevs' directories. The paths are named from the PF's class link and the VF index, as rtnetlink addresses
 * a VF; inotify_add_watch() tells which exist (watch_dirs()). */
static int vf_watch_dirs(HwBackend *hw, const char *pf_netdev, unsigned vf, GPtrArray **ret) {
        g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(sim_watch_dir_free);
        char bdf[PCI_ADDR_STR_MAX], vf_name[32];
        int r;

        r = pf_addr_of(hw, pf_netdev, bdf);
        if (r < 0)
                return r;
        g_snprintf(vf_name, sizeof(vf_name), "vf%u", vf);
        for (unsigned port = 1; port <= SIM_MAX_PORTS; port++) {
                g_autofree char *p = g_strdup_printf("p%u", port);

                add_dir(dirs, g_build_filename(hw->sysfs_root, "vfstate", bdf, vf_name, p, NULL), NULL);
        }
        add_netdev_dirs(dirs, hw, bdf, vf);
        *ret = g_steal_pointer(&dirs);
        return 0;
}

static void dir_user_add(SimWatch *s, int wd, SimWatchedVf *v, const char *netdev) {
        GPtrArray *users = g_hash_table_lookup(s->dirs, GINT_TO_POINTER(wd));
        SimDirUser *u = g_new0(SimDirUser, 1);

        if (!users) {
                users = g_ptr_array_new_with_free_func(sim_dir_user_free);
                g_hash_table_insert(s->dirs, GINT_TO_POINTER(wd), users);
        }
        u->vf = v;
        u->netdev = g_strdup(netdev);
        g_ptr_array_add(users, u);
        g_hash_table_insert(v->users, GINT_TO_POINTER(wd), u);
}

/* Adds the watches of dirs the VF does not hold yet; a netdev directory it holds under another name (the
 * netdev was renamed) takes the new one. A directory that is not there is skipped, but a VF with no vfstate
 * port directory at all is gone: -ENODEV, before any netdev's watch is added. */
static int watch_dirs(HwLinkWatch *w, SimWatchedVf *v, GPtrArray *dirs) {
        unsigned vfstate = 0;

        for (guint i = 0; i < dirs->len; i++) {
                const SimWatchDir *d = dirs->pdata[i];
                SimDirUser *u;
                int wd;

                if (d->netdev && vfstate == 0)
                        return -ENODEV;
                wd = inotify_add_watch(w->fd, d->path, SIM_WATCH_MASK);
                if (wd < 0) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;       /* not there (a port the VF is not on), or gone */
                        return -errno;
                }
                vfstate += !d->netdev;
                u = g_hash_table_lookup(v->users, GINT_TO_POINTER(wd));
                if (!u)
                        dir_user_add(w->data, wd, v, d->netdev);
                else if (d->netdev && g_strcmp0(u->netdev, d->netdev) != 0) {
                        g_free(u->netdev);
                        u->netdev = g_strdup(d->netdev);
                }
        }
        return vfstate > 0 ? 0 : -ENODEV;
}

/* Drops the VF's watches (a watch another VF key uses stays) and the VF */
static void vf_forget(HwLinkWatch *w, const char *key, SimWatchedVf *v) {
        SimWatch *s = w->data;
        GHashTableIter i;
        gpointer wd, u;

        g_hash_table_iter_init(&i, v->users);
        while (g_hash_table_iter_next(&i, &wd, &u)) {
                GPtrArray *users = g_hash_table_lookup(s->dirs, wd);

                g_ptr_array_remove(users, u);
                if (users->len > 0)
                        continue;
                g_hash_table_remove(s->dirs, wd);
                /* its IN_IGNORED, and anything queued before, then find no wd: nothing is reported after */
                (void) inotify_rm_watch(w->fd, GPOINTER_TO_INT(wd));
        }
        g_hash_table_remove(s->vfs, key);
}

int sim_watch_new(HwLinkWatch *w) {
        SimWatch *s = g_new0(SimWatch, 1);

        s->vfs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, sim_watched_vf_free);
        s->dirs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
        w->data = s;
        w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        return w->fd < 0 ? -errno : 0;
}

void sim_watch_free(HwLinkWatch *w) {
        SimWatch *s = w->data;

        if (!s)
                return;
        /* the users first: a VF's table points into them */
        g_hash_table_unref(s->dirs);
        g_hash_table_unref(s->vfs);
        g_clear_pointer(&w->data, g_free);
}

/* A VF added again counts once more and also picks up directories that came since it was added (its netdev
 * back from vfio-pci, its state after it vanished and returned). */
int sim_watch_add_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf) {
        SimWatch *s = w->data;
        g_autoptr(GPtrArray) dirs = NULL;
        g_autofree char *key = g_strdup_printf("%s/%u", pf_netdev, vf);
        SimWatchedVf *v;
        bool added = false;
        int r;

        r = vf_watch_dirs(w->hw, pf_netdev, vf, &dirs);
        if (r < 0)
                return r;
        v = g_hash_table_lookup(s->vfs, key);
        if (!v) {
                v = g_new0(SimWatchedVf, 1);
                v->pf_netdev = g_strdup(pf_netdev);
                v->users = g_hash_table_new(g_direct_hash, g_direct_equal);
                g_hash_table_insert(s->vfs, g_strdup(key), v);
                added = true;
        }
        r = watch_dirs(w, v, dirs);
        if (r < 0) {
                if (added)
                        vf_forget(w, key, v);
                return r;
        }
        v->adds++;
        return 0;
}

void sim_watch_remove_vf(HwLinkWatch *w, const char *pf_netdev, unsigned vf) {
        SimWatch *s = w->data;
        g_autofree char *key = g_strdup_printf("%s/%u", pf_netdev, vf);
        SimWatchedVf *v = g_hash_table_lookup(s->vfs, key);

        if (v && --v->adds == 0)
                vf_forget(w, key, v);
}

/* The watch's directory went away (the kernel dropped the watch): each user forgets the wd */
static void dir_gone(SimWatch *s, int wd) {
        GPtrArray *users = g_hash_table_lookup(s->dirs, GINT_TO_POINTER(wd));

        for (guint i = 0; i < users->len; i++) {
                SimDirUser *u = users->pdata[i];

                g_hash_table_remove(u->vf->users, GINT_TO_POINTER(wd));
        }
        g_hash_table_remove(s->dirs, GINT_TO_POINTER(wd));
}

static void handle_event(SimWatch *s, const struct inotify_event *e, GHashTable *changed, bool *ret_overflow) {
        GPtrArray *users;

        if (e->mask & IN_Q_OVERFLOW) {
                *ret_overflow = true;
                return;
        }
        users = g_hash_table_lookup(s->dirs, GINT_TO_POINTER(e->wd));
        if (!users)
                return;                 /* a watch removed: its IN_IGNORED, or what was queued before */
        for (guint i = 0; i < users->len; i++) {
                const SimDirUser *u = users->pdata[i];

                g_hash_table_add(changed, g_strdup(u->vf->pf_netdev));
                if (u->netdev)
                        g_hash_table_add(changed, g_strdup(u->netdev));
        }
        /* still watched yet ignored: the directory went away, which is a change too (reported above) */
        if (e->mask & IN_IGNORED)
                dir_gone(s, e->wd);
}

int sim_watch_read(HwLinkWatch *w, GHashTable *changed, bool *ret_overflow) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        for (;;) {
                ssize_t n = read(w->fd, buf, sizeof(buf));

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                for (ssize_t off = 0; off < n;) {
                        const struct inotify_event *e = (const struct inotify_event *) (buf + off);

                        handle_event(w->data, e, changed, ret_overflow);
                        off += (ssize_t) (sizeof(*e) + e->len);
                }
        }
}
