/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim backend: VF configuration kept in R/vfstate/, as ../shared/design/simhost.md lays it out */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "core/names.h"
#include "hw/hw-backend.h"
#include "hw/hw-sim.h"
#include "hw/hw-sim-internal.h"
#include "hw/hw-sysfs.h"
#include "shared/fileio.h"
#include "shared/log.h"
#include "shared/macro.h"

/* One VF as addressed through one PF netdev. */
typedef struct SimVf {
        char *vf_dir;                   /* R/vfstate/<PF BDF>/vf<N> */
        char *pf_dir;                   /* the addressed PF netdev's directory */
        unsigned port;                  /* P: the addressed PF netdev's dev_port + 1 */
        unsigned vf_port;               /* Q from the `port` file; 0 when the VF is not single-port */
} SimVf;

static void sim_vf_clear(SimVf *v) {
        g_clear_pointer(&v->vf_dir, g_free);
        g_clear_pointer(&v->pf_dir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SimVf, sim_vf_clear);

/* What the ops of one VF batch (hw.h) keep of the VF: each read by the first op that needs it. The `fail` file is
 * kept only as absent: where there is one, each op reads it afresh, so a COUNT goes down once per op and the fault
 * checks of other files' ops (set_mtu, bind, reset) on the same file stay in step with these. */
typedef struct SimVfBatch {
        bool resolved;                  /* vf holds the VF */
        SimVf vf;
        bool pf_down_read;              /* pf_down holds the PF netdev's operstate */
        bool pf_down;
        bool no_fail_file;              /* the VF had no `fail` file at the batch's first look */
        GHashTable *known;              /* path -> what the file holds: read by a get, written by a set of the batch */
} SimVfBatch;

static void sim_vf_batch_begin(HwVfBatch *b) {
        SimVfBatch *sb = g_new0(SimVfBatch, 1);

        sb->known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        b->data = sb;
}

static void sim_vf_batch_end(HwVfBatch *b) {
        SimVfBatch *sb = b->data;

        if (!sb)
                return;
        sim_vf_clear(&sb->vf);
        g_hash_table_unref(sb->known);
        g_clear_pointer(&b->data, g_free);
}

/* What dir/name is known to hold in batch sb (NULL: not known, or no batch) */
static const char *batch_known(const SimVfBatch *sb, const char *dir, const char *name) {
        g_autofree char *path = NULL;

        if (!sb)
                return NULL;
        path = g_build_filename(dir, name, NULL);
        return g_hash_table_lookup(sb->known, path);
}

/* That dir/name holds value (NULL: not known any more) */
static void batch_learn(SimVfBatch *sb, const char *dir, const char *name, const char *value) {
        char *path;

        if (!sb)
                return;
        path = g_build_filename(dir, name, NULL);
        if (value)
                g_hash_table_replace(sb->known, path, g_strdup(value));
        else {
                g_hash_table_remove(sb->known, path);
                g_free(path);
        }
}

static void batch_learn_unsigned(SimVfBatch *sb, const char *dir, const char *name, unsigned value) {
        char buf[16];

        g_snprintf(buf, sizeof(buf), "%u", value);
        batch_learn(sb, dir, name, buf);
}

/* What a VF operation needs of the PF netdev it addresses, kept while R/sys/class/net/<name> leads to the
 * same place: a VF operation then costs one readlink of sysfs, as an rtnetlink request costs one round
 * trip, rather than a read of every attribute of the PF netdev. */
typedef struct SimPfNetdev {
        char *link_target;              /* what R/sys/class/net/<name> pointed at when this was read */
        char *dir;                      /* the netdev's directory */
        PciAddr pci;
        unsigned dev_port;
} SimPfNetdev;

static void sim_pf_netdev_free(gpointer p) {
        SimPfNetdev *n = p;

        g_free(n->link_target);
        g_free(n->dir);
        g_free(n);
}

SimState *sim_state(HwBackend *hw) {
        SimState *st = hw->data;

        if (!st) {
                st = g_new0(SimState, 1);
                st->pf_netdevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, sim_pf_netdev_free);
                st->class_net_watch = -1;
                hw->data = st;
        }
        return st;
}

static GHashTable *sim_pf_netdevs(HwBackend *hw) {
        return sim_state(hw)->pf_netdevs;
}

static void sim_free(HwBackend *hw) {
        SimState *st = hw->data;

        if (st) {
                g_hash_table_unref(st->pf_netdevs);
                if (st->class_net_watch >= 0)
                        (void) close(st->class_net_watch);
        }
        g_clear_pointer(&hw->data, g_free);
}

/* The PF netdev called name, as a VF operation addresses it: -ENODEV when there is none, -ENOTSUP when
 * it is no SR-IOV PF's. */
ssize_t sim_class_link(HwBackend *hw, const char *name, char *target) {
        g_autofree char *link = g_build_filename(hw->sysfs_root, "sys/class/net", name, NULL);
        ssize_t len = readlink(link, target, PATH_MAX - 1);

        if (len < 0)
                return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
        target[len] = '\0';
        return len;
}

static int sim_pf_netdev(HwBackend *hw, const char *name, const SimPfNetdev **ret) {
        g_autoptr(HwNetdev) nd = NULL;
        SimPfNetdev *n;
        char target[PATH_MAX];
        ssize_t len;
        int r;

        len = sim_class_link(hw, name, target);
        if (len < 0)
                return (int) len;
        n = g_hash_table_lookup(sim_pf_netdevs(hw), name);
        if (n && streq(n->link_target, target)) {
                *ret = n;
                return 0;
        }
        r = hw_sysfs_read_netdev_attrs(hw->sysfs_root, name, HW_NETDEV_DEV_PORT | HW_NETDEV_PCI, &nd);
        if (r < 0)
                return r;
        if (!nd->has_pci)
                return -ENOTSUP;
        r = hw_sysfs_function_is_pf(hw->sysfs_root, &nd->pci);
        if (r < 0)
                return r;
        if (r == 0)
                return -ENOTSUP;
        n = g_new0(SimPfNetdev, 1);
        n->link_target = g_strdup(target);
        n->pci = nd->pci;
        n->dev_port = (unsigned) nd->dev_port;
        r = hw_sysfs_netdev_dir(hw->sysfs_root, name, &n->dir);
        if (r < 0) {
                sim_pf_netdev_free(n);
                return r;
        }
        g_hash_table_replace(sim_pf_netdevs(hw), g_strdup(name), n);
        *ret = n;
        return 0;
}

bool sim_is_dir(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool sim_exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

/* The contents of the directory open as dir, then nothing else: each entry unlinked by the type its directory
 * entry gives (no stat of each, as nftw() makes); depth bounds a tree no sim makes */
static int rm_contents(int dir, unsigned depth) {
        char buf[4096] __attribute__((aligned(__alignof__(struct dirent64))));
        ssize_t len;

        if (depth > 16)
                return -ELOOP;
        while ((len = getdents64(dir, buf, sizeof(buf))) > 0)
                for (ssize_t off = 0; off < len;) {
                        const struct dirent64 *de = (const struct dirent64 *) (buf + off);
                        int r = 0;

                        off += de->d_reclen;
                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        if (de->d_type != DT_DIR && unlinkat(dir, de->d_name, 0) >= 0)
                                continue;
                        if (de->d_type == DT_DIR || errno == EISDIR) {
                                _cleanup_(closep) int sub = openat(dir, de->d_name,
                                                                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                                r = sub < 0 ? -errno : rm_contents(sub, depth + 1);
                                if (r >= 0 && unlinkat(dir, de->d_name, AT_REMOVEDIR) < 0)
                                        r = -errno;
                        } else
                                r = -errno;
                        if (r < 0 && r != -ENOENT)
                                return r;
                }
        return len < 0 ? -errno : 0;
}

int sim_rm_rf(const char *path) {
        _cleanup_(closep) int dir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r;

        if (dir < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno != ENOTDIR && errno != ELOOP)
                        return -errno;
                return unlink(path) < 0 && errno != ENOENT ? -errno : 0;      /* a file or a link */
        }
        r = rm_contents(dir, 0);
        if (r < 0)
                return r;
        return rmdir(path) < 0 && errno != ENOENT ? -errno : 0;
}

/* A decimal attribute of at most max; -EIO when malformed or above it (no driver reports such a value). */
static int read_unsigned(const char *dir, const char *name, unsigned max, unsigned *ret) {
        g_autofree char *path = g_build_filename(dir, name, NULL), *s = NULL;
        char *end = NULL;
        guint64 v;
        int r;

        r = read_one_line(path, &s);
        if (r < 0)
                return r;
        g_strstrip(s);
        if (!g_ascii_isdigit(s[0]))
                return -EIO;
        v = g_ascii_strtoull(s, &end, 10);
        if (*end != '\0' || v > max)
                return -EIO;
        *ret = (unsigned) v;
        return 0;
}

static int read_pf_down(const char *pf_dir, bool *ret) {
        g_autofree char *path = g_build_filename(pf_dir, "operstate", NULL), *state = NULL;
        int r;

        r = read_one_line(path, &state);
        if (r == -ENOENT) {
                *ret = false;
                return 0;
        }
        if (r < 0)
                return r;
        *ret = strcmp(g_strstrip(state), "down") == 0;
        return 0;
}

/* Resolves (PF netdev, VF index) to the VF's vfstate directory and the ports involved. */
static int sim_vf_open(HwBackend *hw, const char *pf_netdev, unsigned vf, SimVf *ret) {
        const SimPfNetdev *pf = NULL;
        g_auto(SimVf) v = {};
        char bdf[PCI_ADDR_STR_MAX], vf_name[32];
        int r;

        r = sim_pf_netdev(hw, pf_netdev, &pf);
        if (r < 0)
                return r;
        g_snprintf(vf_name, sizeof(vf_name), "vf%u", vf);
        /* not checked here: a VF without its directory has no p<P>/ files either, and its get or set finds
         * none (-ENODEV); a set on a down PF checks it first, -ENODEV going before -ENETDOWN */
        v.vf_dir = g_build_filename(hw->sysfs_root, "vfstate", pci_addr_to_string(&pf->pci, bdf),
                                    vf_name, NULL);
        v.port = pf->dev_port + 1;
        v.pf_dir = g_strdup(pf->dir);

        r = read_unsigned(v.vf_dir, "port", G_MAXUINT, &v.vf_port);
        if (r == -ENOENT)
                v.vf_port = 0;
        else if (r < 0)
                return r;
        *ret = v;
        v = (SimVf) {};
        return 0;
}

/* The VF an op addresses: the batch's (sb, when one is open for it: resolved by its first op), else resolved
 * into *tmp. For a set (pf_down not NULL) also whether the PF netdev is down: a get is not refused on a down PF,
 * it does not read that. */
static int sim_vf_find(HwBackend *hw, const char *pf_netdev, unsigned vf, SimVfBatch *sb, SimVf *tmp,
                       const SimVf **ret, bool *pf_down) {
        SimVf *v = sb ? &sb->vf : tmp;
        int r;

        if (!sb || !sb->resolved) {
                r = sim_vf_open(hw, pf_netdev, vf, v);
                if (r < 0)
                        return r;
                if (sb)
                        sb->resolved = true;
        }
        if (pf_down && sb && sb->pf_down_read)
                *pf_down = sb->pf_down;
        else if (pf_down) {
                r = read_pf_down(v->pf_dir, pf_down);
                if (r < 0)
                        return r;
                if (sb) {
                        sb->pf_down = *pf_down;
                        sb->pf_down_read = true;
                }
        }
        *ret = v;
        return 0;
}

/* The p<N> directory of the VF's settings: pQ for a single-port VF whatever netdev it came through (a set writes
 * it, a get through port Q reads it), else pP. */
static char *sim_vf_set_dir(const SimVf *v) {
        g_autofree char *name = g_strdup_printf("p%u", v->vf_port ? v->vf_port : v->port);

        return g_build_filename(v->vf_dir, name, NULL);
}

static const struct {
        const char *name;
        int error;
} sim_errnos[] = {
        { "EINVAL", EINVAL },
        { "EBUSY", EBUSY },
        { "EPERM", EPERM },
        { "EOPNOTSUPP", EOPNOTSUPP },
        { "ENODEV", ENODEV },
        { "IGNORE", 0 },                /* the driver drops the request silently */
};

/* The errno of a fault line's ERRNO; 0 for IGNORE, -1 for a name that is none */
static int errno_from_name(const char *name) {
        for (size_t i = 0; i < G_N_ELEMENTS(sim_errnos); i++)
                if (strcmp(sim_errnos[i].name, name) == 0)
                        return sim_errnos[i].error;
        return -1;
}

typedef struct FailLine {
        char *op;
        char *error_name;
        int error;
        long count;                     /* -1: fails every time */
} FailLine;

static void fail_line_clear(FailLine *l) {
        g_clear_pointer(&l->op, g_free);
        g_clear_pointer(&l->error_name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(FailLine, fail_line_clear);

/* A `fail` line: "OP ERRNO [COUNT]". Returns false for lines that are not one (kept as they are). */
static bool parse_fail_line(const char *line, FailLine *ret) {
        g_auto(GStrv) words = g_strsplit_set(line, " \t", -1);
        const char *w[3] = {};
        size_t n = 0;
        char *end = NULL;
        long count = -1;

        for (size_t i = 0; words[i]; i++) {
                if (words[i][0] == '\0')
                        continue;
                if (n == 3)
                        return false;
                w[n++] = words[i];
        }
        if (n < 2 || errno_from_name(w[1]) < 0)
                return false;
        if (n == 3) {
                if (!g_ascii_isdigit(w[2][0]))
                        return false;
                count = strtol(w[2], &end, 10);
                if (*end != '\0' || count <= 0)
                        return false;
        }
        ret->op = g_strdup(w[0]);
        ret->error_name = g_strdup(w[1]);
        ret->error = errno_from_name(w[1]);
        ret->count = count;
        return true;
}

static bool fail_line_matches(const FailLine *l, const char *op, const char *alt_op) {
        return strcmp(l->op, op) == 0 || (alt_op && strcmp(l->op, alt_op) == 0);
}

/* The fault a line gives: -ERRNO, or SIM_FAULT_IGNORE */
static int fault_result(int error) {
        return error ? -error : SIM_FAULT_IGNORE;
}

/* Consumes one matching fault: -ERRNO when a line of op (or alt_op) is there, SIM_FAULT_IGNORE for an IGNORE
 * line, else 0. The first matching line counts. A counted line loses one count and goes away at zero; the
 * file is then rewritten atomically (left empty when nothing remains). *ret_absent (may be NULL): there is no
 * `fail` file. */
static int fail_check(const char *vf_dir, const char *op, const char *alt_op, bool *ret_absent) {
        g_autofree char *path = NULL, *text = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GString) out = NULL;
        bool matched = false;
        int error = 0, r;

        if (ret_absent)
                *ret_absent = false;
        if (!vf_dir)
                return 0;
        path = g_build_filename(vf_dir, "fail", NULL);
        r = read_file_full(path, 64 * 1024, &text, NULL);
        if (r == -ENOENT && ret_absent)
                *ret_absent = true;
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;

        lines = g_strsplit(text, "\n", -1);
        out = g_string_new(NULL);
        for (size_t i = 0; lines[i]; i++) {
                g_auto(FailLine) l = {};

                if (lines[i][0] == '\0' && !lines[i + 1])
                        break;          /* the empty rest after the last newline */
                if (matched || !parse_fail_line(lines[i], &l) || !fail_line_matches(&l, op, alt_op)) {
                        g_string_append_printf(out, "%s\n", lines[i]);
                        continue;
                }
                matched = true;
                error = l.error;
                if (l.count < 0)
                        return fault_result(error);    /* every time: nothing to rewrite */
                if (l.count > 1)
                        g_string_append_printf(out, "%s %s %ld\n", l.op, l.error_name, l.count - 1);
        }
        if (!matched)
                return 0;
        r = write_file_atomic(vf_dir, "fail", out->str, out->len);
        if (r < 0)
                return r;
        return fault_result(error);
}

int sim_fail_check(const char *vf_dir, const char *op, const char *alt_op) {
        return fail_check(vf_dir, op, alt_op, NULL);
}

/* The same for a VF op, in batch sb (may be NULL): not read again once the batch found no file */
static int sim_vf_fail_check(SimVfBatch *sb, const char *vf_dir, const char *op, const char *alt_op) {
        if (!sb)
                return fail_check(vf_dir, op, alt_op, NULL);
        if (sb->no_fail_file)
                return 0;
        return fail_check(vf_dir, op, alt_op, &sb->no_fail_file);
}

int sim_write_value(const char *dir, const char *name, const char *value) {
        g_autofree char *text = g_strconcat(value, "\n", NULL);
        int r = write_file_atomic(dir, name, text, strlen(text));

        /* no such directory: the VF (or its port's state) is gone */
        return r == -ENOENT || r == -ENOTDIR ? -ENODEV : r;
}

/* The same, left alone when it holds value already: for the second value of a set that writes two (QoS beside a
 * VLAN, the minimum beside the maximum rate) and a VLAN protocol, which a set mostly leaves as it is. A read of
 * the file costs a fraction of a new file renamed over it; in a batch (sb not NULL) what an op of it read or
 * wrote there costs nothing. */
static int sim_write_value_if_changed(SimVfBatch *sb, const char *dir, const char *name, const char *value) {
        g_autofree char *path = NULL, *now = NULL;
        const char *known = batch_known(sb, dir, name);
        int r;

        if (known && streq(known, value))
                return 0;
        if (!known) {
                path = g_build_filename(dir, name, NULL);
                if (read_one_line(path, &now) >= 0 && streq(g_strstrip(now), value)) {
                        batch_learn(sb, dir, name, value);
                        return 0;
                }
        }
        r = sim_write_value(dir, name, value);
        batch_learn(sb, dir, name, r >= 0 ? value : NULL);
        return r;
}

/* Common start of every set: resolve, refuse on a down PF netdev, then the injected faults. Returns
 * SIM_FAULT_IGNORE (and no dir) when the set is to report success and change nothing. *ret_batch: the batch
 * open for the VF, or NULL. */
static int sim_vf_begin_set(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *op,
                            const char *alt_op, char **ret_dir, SimVfBatch **ret_batch) {
        SimVfBatch *sb = hw_vf_batch_data(hw, pf_netdev, vf);
        g_auto(SimVf) tmp = {};
        const SimVf *v;
        bool pf_down;
        int r;

        r = sim_vf_find(hw, pf_netdev, vf, sb, &tmp, &v, &pf_down);
        if (r < 0)
                return r;
        if (pf_down)
                return sim_is_dir(v->vf_dir) ? -ENETDOWN : -ENODEV;
        r = sim_vf_fail_check(sb, v->vf_dir, op, alt_op);
        if (r != 0)
                return r;
        *ret_dir = sim_vf_set_dir(v);
        if (ret_batch)
                *ret_batch = sb;
        return 0;
}

static int sim_vf_set_mac(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *mac) {
        g_autofree char *dir = NULL;
        bool zero = strcmp(mac, "00:00:00:00:00:00") == 0;
        int r;

        r = sim_vf_begin_set(hw, pf_netdev, vf, "set_mac", zero ? "set_mac_zero" : NULL, &dir, NULL);
        if (r != 0)
                return MIN(r, 0);
        return sim_write_value(dir, "mac", mac);
}

static int sim_vf_set_vlan(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned vlan, unsigned qos) {
        g_autofree char *dir = NULL;
        SimVfBatch *sb = NULL;
        char buf[16];
        int r;

        r = sim_vf_begin_set(hw, pf_netdev, vf, "set_vlan", NULL, &dir, &sb);
        if (r != 0)
                return MIN(r, 0);
        g_snprintf(buf, sizeof(buf), "%u", vlan);
        r = sim_write_value(dir, "vlan", buf);
        if (r < 0)
                return r;
        g_snprintf(buf, sizeof(buf), "%u", qos);
        return sim_write_value_if_changed(sb, dir, "qos", buf);
}

/* name is the file and, after "set_", the fault OP */
static int sim_vf_set_flag(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *name, bool on) {
        g_autofree char *dir = NULL, *op = g_strconcat("set_", name, NULL);
        int r;

        r = sim_vf_begin_set(hw, pf_netdev, vf, op, NULL, &dir, NULL);
        if (r != 0)
                return MIN(r, 0);
        return sim_write_value(dir, name, on ? "1" : "0");
}

static int sim_vf_set_spoofchk(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on) {
        return sim_vf_set_flag(hw, pf_netdev, vf, "spoofchk", on);
}

static int sim_vf_set_trust(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on) {
        return sim_vf_set_flag(hw, pf_netdev, vf, "trust", on);
}

static int sim_vf_set_link_state(HwBackend *hw, const char *pf_netdev, unsigned vf, VfLinkState state) {
        g_autofree char *dir = NULL;
        int r;

        r = sim_vf_begin_set(hw, pf_netdev, vf, "set_link_state", NULL, &dir, NULL);
        if (r != 0)
                return MIN(r, 0);
        return sim_write_value(dir, "link_state", vf_link_state_to_string(state));
}

static int sim_vf_set_rate(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned min_tx_rate,
                           unsigned max_tx_rate) {
        g_autofree char *dir = NULL;
        SimVfBatch *sb = NULL;
        char buf[16];
        int r;

        r = sim_vf_begin_set(hw, pf_netdev, vf, "set_rate", NULL, &dir, &sb);
        if (r != 0)
                return MIN(r, 0);
        g_snprintf(buf, sizeof(buf), "%u", min_tx_rate);
        r = sim_write_value_if_changed(sb, dir, "min_tx_rate", buf);
        if (r < 0)
                return r;
        g_snprintf(buf, sizeof(buf), "%u", max_tx_rate);
        return sim_write_value(dir, "max_tx_rate", buf);
}

static int sim_vf_set_vlan_proto(HwBackend *hw, const char *pf_netdev, unsigned vf, VfVlanProto proto) {
        g_autofree char *dir = NULL;
        SimVfBatch *sb = NULL;
        int r;

        r = sim_vf_begin_set(hw, pf_netdev, vf, "set_vlan_proto", NULL, &dir, &sb);
        if (r != 0)
                return MIN(r, 0);
        return sim_write_value_if_changed(sb, dir, "vlan_proto", vf_vlan_proto_to_string(proto));
}

/* spoofchk, trust: "0"/"1"; -1 when the file is absent (as a driver that does not report it) */
static int read_flag(const char *dir, const char *name, int *ret) {
        unsigned v;
        int r;

        r = read_unsigned(dir, name, G_MAXUINT, &v);
        if (r == -ENOENT) {
                *ret = -1;
                return 0;
        }
        if (r < 0)
                return r;
        *ret = v != 0;
        return 0;
}

/* min_tx_rate and max_tx_rate (simhost 1.1); a host without them does not report rates. What a set may leave
 * alone when it holds the value already (the min, the VLAN protocol, QoS) is kept in batch sb (may be NULL). */
static int read_vf_rates(const char *dir, SimVfBatch *sb, VfConfig *c) {
        int r;

        r = read_unsigned(dir, "min_tx_rate", G_MAXUINT32, &c->min_tx_rate);
        if (r == -ENOENT)
                c->min_tx_rate = 0;
        else if (r < 0)
                return r;
        else
                batch_learn_unsigned(sb, dir, "min_tx_rate", c->min_tx_rate);
        r = read_unsigned(dir, "max_tx_rate", G_MAXUINT32, &c->max_tx_rate);
        if (r == -ENOENT) {
                c->max_tx_rate = 0;
                c->has_rate = c->min_tx_rate > 0;
                return 0;
        }
        if (r < 0)
                return r;
        c->has_rate = true;
        return 0;
}

/* vlan_proto (simhost 1.1): _VF_VLAN_PROTO_INVALID when absent, as a driver that does not report it */
static int read_vf_vlan_proto(const char *dir, SimVfBatch *sb, VfConfig *c) {
        g_autofree char *path = g_build_filename(dir, "vlan_proto", NULL), *proto = NULL;
        int r;

        r = read_one_line(path, &proto);
        if (r == -ENOENT) {
                c->vlan_proto = _VF_VLAN_PROTO_INVALID;
                return 0;
        }
        if (r < 0)
                return r;
        c->vlan_proto = vf_vlan_proto_from_string(g_strstrip(proto));
        if (c->vlan_proto < 0)
                return -EIO;
        batch_learn(sb, dir, "vlan_proto", proto);
        return 0;
}

/* VF-wide settings, the same through either port */
static int read_vf_flags(const char *dir, SimVfBatch *sb, VfConfig *c) {
        g_autofree char *path = g_build_filename(dir, "link_state", NULL), *state = NULL;
        int r;

        r = read_vf_rates(dir, sb, c);
        if (r < 0)
                return r;
        r = read_vf_vlan_proto(dir, sb, c);
        if (r < 0)
                return r;

        r = read_flag(dir, "spoofchk", &c->spoofchk);
        if (r < 0)
                return r;
        r = read_flag(dir, "trust", &c->trust);
        if (r < 0)
                return r;
        r = read_one_line(path, &state);
        if (r == -ENOENT) {
                c->link_state = VF_LINK_STATE_AUTO;
                return 0;
        }
        if (r < 0)
                return r;
        c->link_state = vf_link_state_from_string(g_strstrip(state));
        return c->link_state < 0 ? -EIO : 0;
}

static int read_vf_port_config(const char *dir, SimVfBatch *sb, VfConfig *c) {
        g_autofree char *path = g_build_filename(dir, "mac", NULL), *mac = NULL;
        int r;

        r = read_one_line(path, &mac);
        if (r < 0)
                return r;
        if (mac_normalize(g_strstrip(mac), c->mac) < 0)
                return -EIO;
        /* the ranges rtnetlink reports (and hw_vf_set_vlan() takes): a VF's original must be restorable */
        r = read_unsigned(dir, "vlan", VLAN_ID_MAX, &c->vlan);
        if (r < 0)
                return r;
        r = read_unsigned(dir, "qos", 7, &c->qos);
        if (r < 0)
                return r;
        batch_learn_unsigned(sb, dir, "qos", c->qos);
        return read_vf_flags(dir, sb, c);
}

static int sim_vf_get(HwBackend *hw, const char *pf_netdev, unsigned vf, VfConfig *ret) {
        SimVfBatch *sb = hw_vf_batch_data(hw, pf_netdev, vf);
        g_auto(SimVf) tmp = {};
        g_autofree char *dir = NULL;
        const SimVf *v;
        VfConfig c = {};
        int r;

        r = sim_vf_find(hw, pf_netdev, vf, sb, &tmp, &v, /* pf_down= */ NULL);
        if (r < 0)
                return r;
        r = sim_vf_fail_check(sb, v->vf_dir, "get", NULL);
        if (r < 0)
                return r;       /* IGNORE: a get has nothing to leave undone */

        dir = sim_vf_set_dir(v);        /* pQ of a single-port VF, else pP */
        if (v->vf_port != 0 && v->vf_port != v->port) {
                if (!sim_is_dir(dir))
                        return -ENODEV;
                /* ConnectX-3: the other port's PF reports the MAC/VLAN of a VF it does not own as
                 * zeros; spoofchk, trust and link_state are VF-wide, so they come from pQ */
                g_strlcpy(c.mac, "00:00:00:00:00:00", sizeof(c.mac));
                r = read_vf_flags(dir, sb, &c);
        } else
                r = read_vf_port_config(dir, sb, &c);  /* no p<P>/: its `mac` missing, -ENODEV */
        if (r < 0)
                return r == -ENOENT || r == -ENOTDIR ? -ENODEV : r;
        *ret = c;
        return 0;
}

static int sim_netdev_set_mac(HwBackend *hw, const char *netdev, const char *mac) {
        g_autofree char *dir = NULL;
        int r;

        r = hw_sysfs_netdev_dir(hw->sysfs_root, netdev, &dir);
        if (r < 0)
                return r;
        return sim_write_value(dir, "address", mac);
}

static const HwBackendOps sim_ops = {
        .name = "sim",
        .free = sim_free,
        .vf_get = sim_vf_get,
        .vf_set_mac = sim_vf_set_mac,
        .vf_set_vlan = sim_vf_set_vlan,
        .vf_set_spoofchk = sim_vf_set_spoofchk,
        .vf_set_trust = sim_vf_set_trust,
        .vf_set_link_state = sim_vf_set_link_state,
        .netdev_set_mac = sim_netdev_set_mac,
        .vf_set_rate = sim_vf_set_rate,
        .vf_set_vlan_proto = sim_vf_set_vlan_proto,
        .netdev_set_mtu = sim_netdev_set_mtu,
        .bind_driver = sim_bind_driver,
        .bind_host_driver = sim_bind_host_driver,
        .reset = sim_reset,
        .needs_reset = sim_needs_reset,
        .netdev_rename = sim_netdev_rename,
        .netdev_set_up = sim_netdev_set_up,
        .virtual_read = sim_virtual_read,
        .virtual_list = sim_virtual_list,
        .macvtap_create = sim_macvtap_create,
        .vlan_create = sim_vlan_create,
        .virtual_delete = sim_virtual_delete,
        .macvtap_open_tap = sim_macvtap_open_tap,
        .watch_new = sim_watch_new,
        .watch_free = sim_watch_free,
        .watch_add_vf = sim_watch_add_vf,
        .watch_remove_vf = sim_watch_remove_vf,
        .watch_read = sim_watch_read,
        .eswitch_mode = sim_eswitch_mode,
        .netdev_global_address = sim_netdev_global_address,
        .vf_batch_begin = sim_vf_batch_begin,
        .vf_batch_end = sim_vf_batch_end,
};

/**
 * hw_backend_new_sim() - a backend reading and writing the sim host at dir
 * dir is the sim root R (holds sys/ and vfstate/).
 * Returns: 0, -EINVAL without dir (NULL or ""), -ENOENT when dir has no sys/ directory
 */
int hw_backend_new_sim(const char *dir, HwBackend **ret) {
        g_autofree char *sys = NULL;

        if (!dir || dir[0] == '\0')
                return -EINVAL;
        sys = g_build_filename(dir, "sys", NULL);
        if (!sim_is_dir(sys))
                return -ENOENT;
        *ret = hw_backend_new(&sim_ops, dir);
        return 0;
}
