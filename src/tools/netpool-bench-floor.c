/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench --sim-floor: what the sim's own files cost per pair, with no daemon around them.
 *
 * A passthrough Allocate+Release of a port with MAC, VLAN, max TX rate and trust has to do these file operations
 * on a host laid out as simhost.md says, whoever does them: read what the write-ahead record must keep, honour
 * `fail` and a down PF, write the record, set four values, take the VF netdev's MAC, make the macvtap, write the
 * port record; then remove the macvtap, give the MAC back, set the four values back, read them again (a driver
 * may ignore a set), remove both records. Every sim file is written atomically (a temporary file renamed over
 * it), as an external reader may read it at any time. This loop does exactly that and nothing else — no bus, no
 * parsing, no formatting beyond one printf per value — so its CPU per pair is a floor under netpoold's on the sim,
 * to set beside libvirtd's whole pair. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "tools/netpool-bench.h"

typedef struct Floor {
        char *vf_state;                 /* R/vfstate/<PF>/vf0 */
        char *vf_port;                  /* …/vf0/p1 */
        char *vf_netdev;                /* R/sys/devices/…/<VF>/net/<name> */
        char *pf_netdev;                /* R/sys/devices/…/<PF>/net/<name> */
        char *virtual_net;              /* R/sys/devices/virtual/net */
        char *class_net;                /* R/sys/class/net */
        char *dev;                      /* R/dev */
        char *records;                  /* a state dir's ports/ and vf/ stand-in */
        uint64_t calls;
        bool in_place;                  /* sim values written over in place (a reader may see a torn value) */
        bool failed;
} Floor;

static void floor_clear(Floor *f) {
        g_free(f->vf_state);
        g_free(f->vf_port);
        g_free(f->vf_netdev);
        g_free(f->pf_netdev);
        g_free(f->virtual_net);
        g_free(f->class_net);
        g_free(f->dev);
        g_free(f->records);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Floor, floor_clear)

/* One syscall counted; a failure where none is expected marks the run failed (its figures would be wrong) */
static int counted(Floor *f, int r, bool may_fail) {
        f->calls++;
        if (r < 0 && !may_fail)
                f->failed = true;
        return r;
}

static void read_value(Floor *f, const char *dir, const char *name) {
        char path[PATH_MAX], buf[64];
        int fd;

        g_snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = counted(f, open(path, O_RDONLY | O_CLOEXEC), false);
        if (fd < 0)
                return;
        (void) counted(f, (int) read(fd, buf, sizeof(buf)), false);
        (void) counted(f, close(fd), false);
}

/* absent, as `fail` and a single-port PF's `port` mostly are */
static void probe_absent(Floor *f, const char *dir, const char *name) {
        char path[PATH_MAX];
        int fd;

        g_snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = counted(f, open(path, O_RDONLY | O_CLOEXEC), true);
        if (fd >= 0)
                (void) close(fd);
}

/* a temporary file renamed over the value: open, write, rename, close; or with in_place open, write, close */
static void write_atomic(Floor *f, const char *dir, const char *name, const char *value) {
        char path[PATH_MAX], tmp[PATH_MAX];
        int fd;

        g_snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (f->in_place) {
                fd = counted(f, open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), false);
                if (fd < 0)
                        return;
                (void) counted(f, (int) write(fd, value, strlen(value)), false);
                (void) counted(f, close(fd), false);
                return;
        }
        g_snprintf(tmp, sizeof(tmp), "%s/.#%s.floor", dir, name);
        fd = counted(f, open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), false);
        if (fd < 0)
                return;
        (void) counted(f, (int) write(fd, value, strlen(value)), false);
        (void) counted(f, rename(tmp, path), false);
        (void) counted(f, close(fd), false);
}

static void write_new(Floor *f, int dir, const char *name, const char *value) {
        int fd = counted(f, openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), false);

        if (fd < 0)
                return;
        (void) counted(f, (int) write(fd, value, strlen(value)), false);
        (void) counted(f, close(fd), false);
}

static void set_vf_values(Floor *f, const char *mac, const char *vlan, const char *rate, const char *trust) {
        probe_absent(f, f->vf_state, "fail");
        read_value(f, f->pf_netdev, "operstate");
        write_atomic(f, f->vf_port, "mac", mac);
        write_atomic(f, f->vf_port, "vlan", vlan);
        write_atomic(f, f->vf_port, "max_tx_rate", rate);
        write_atomic(f, f->vf_port, "trust", trust);
}

static void macvtap_make(Floor *f) {
        g_autofree char *hidden = g_strdup_printf("%s/.new.macvtap0", f->virtual_net);
        g_autofree char *dir = g_strdup_printf("%s/macvtap0", f->virtual_net);
        g_autofree char *class = g_strdup_printf("%s/macvtap0", f->class_net);
        g_autofree char *tap = g_strdup_printf("%s/tap4000", f->dev);
        g_autofree char *lower = g_strdup_printf("%s", f->vf_netdev);
        int fd;

        (void) counted(f, mkdir(hidden, 0755), false);
        fd = counted(f, open(hidden, O_PATH | O_DIRECTORY | O_CLOEXEC), false);
        if (fd < 0)
                return;
        write_new(f, fd, "address", "52:55:02:00:00:00\n");
        write_new(f, fd, "ifindex", "4000\n");
        write_new(f, fd, "operstate", "up\n");
        write_new(f, fd, "mtu", "1500\n");
        write_new(f, fd, "mode", "passthru\n");
        write_new(f, fd, "tap", "tap4000\n");
        (void) counted(f, symlinkat(lower, fd, "lower"), false);
        (void) counted(f, mknod(tap, S_IFIFO | 0600, 0), false);
        (void) counted(f, rename(hidden, dir), false);
        (void) counted(f, symlink("../../devices/virtual/net/macvtap0", class), false);
        (void) counted(f, close(fd), false);
}

static void macvtap_remove(Floor *f) {
        static const char *const files[] = { "address", "ifindex", "operstate", "mtu", "lower", "mode", "tap" };
        g_autofree char *dir = g_strdup_printf("%s/macvtap0", f->virtual_net);
        g_autofree char *class = g_strdup_printf("%s/macvtap0", f->class_net);
        g_autofree char *tap = g_strdup_printf("%s/tap4000", f->dev);
        int fd;

        read_value(f, dir, "mode");             /* that it is ours: a passthru macvtap over our VF */
        (void) counted(f, unlink(tap), false);
        (void) counted(f, unlink(class), false);
        fd = counted(f, open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), false);
        if (fd < 0)
                return;
        for (size_t i = 0; i < G_N_ELEMENTS(files); i++)
                (void) counted(f, unlinkat(fd, files[i], 0), false);
        (void) counted(f, rmdir(dir), false);
        (void) counted(f, close(fd), false);
}

static void remove_record(Floor *f, const char *name) {
        char path[PATH_MAX];

        g_snprintf(path, sizeof(path), "%s/%s", f->records, name);
        (void) counted(f, unlink(path), false);
}

static void one_pair(Floor *f) {
        /* what the record keeps: the values the port changes, and those a VLAN set resets */
        static const char *const saved[] = { "mac", "vlan", "qos", "vlan_proto", "min_tx_rate", "max_tx_rate",
                                             "trust" };
        /* what the check after the restore reads back: the values set */
        static const char *const verified[] = { "mac", "vlan", "max_tx_rate", "trust" };

        /* Allocate */
        for (size_t i = 0; i < G_N_ELEMENTS(saved); i++)
                read_value(f, f->vf_port, saved[i]);
        read_value(f, f->vf_netdev, "address");
        write_atomic(f, f->records, "vf-record", "<vfrecord/>\n");
        set_vf_values(f, "52:55:02:00:00:00\n", "100\n", "200\n", "1\n");
        write_atomic(f, f->vf_netdev, "address", "52:55:02:00:00:00\n");
        macvtap_make(f);
        write_atomic(f, f->records, "port-record", "<portstatus/>\n");

        /* Release */
        macvtap_remove(f);
        write_atomic(f, f->vf_netdev, "address", "52:54:00:00:00:02\n");
        set_vf_values(f, "00:00:00:00:00:00\n", "0\n", "0\n", "0\n");
        for (size_t i = 0; i < G_N_ELEMENTS(verified); i++)
                read_value(f, f->vf_port, verified[i]);
        read_value(f, f->vf_netdev, "address");
        remove_record(f, "vf-record");
        remove_record(f, "port-record");
}

static double cpu_seconds(void) {
        struct rusage ru;

        (void) getrusage(RUSAGE_SELF, &ru);
        return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec / 1e6;
}

static int floor_paths(Floor *f, const HarnessEnv *env, char **ret_message) {
        g_autofree char *virtfn = g_strdup_printf("%s/sys/bus/pci/devices/0000:00:00.0/virtfn0", env->sim);
        g_autofree char *vf_dir = realpath(virtfn, NULL);
        g_autofree char *pf_dir = NULL;

        if (!vf_dir) {
                *ret_message = g_strdup_printf("the sim host has no VF 0 of PF 0000:00:00.0 (%s)", virtfn);
                return -ENOENT;
        }
        pf_dir = g_strdup_printf("%s/sys/devices/pci0000:00/0000:00:00.0", env->sim);
        f->vf_state = g_strdup_printf("%s/vfstate/0000:00:00.0/vf0", env->sim);
        f->vf_port = g_strdup_printf("%s/p1", f->vf_state);
        f->vf_netdev = g_strdup_printf("%s/net/eth0v0", vf_dir);
        f->pf_netdev = g_strdup_printf("%s/net/eth0", pf_dir);
        f->virtual_net = g_strdup_printf("%s/sys/devices/virtual/net", env->sim);
        f->class_net = g_strdup_printf("%s/sys/class/net", env->sim);
        f->dev = g_strdup_printf("%s/dev", env->sim);
        f->records = g_strdup_printf("%s/records", env->dir);
        if (g_mkdir_with_parents(f->virtual_net, 0755) < 0 || g_mkdir_with_parents(f->dev, 0755) < 0 ||
            g_mkdir_with_parents(f->records, 0755) < 0) {
                *ret_message = g_strdup_printf("cannot make the floor's directories in %s: %s", env->dir,
                                               g_strerror(errno));
                return -errno;
        }
        if (access(f->vf_netdev, F_OK) < 0) {
                *ret_message = g_strdup_printf("the sim host's VF 0 has no netdev eth0v0 (%s)", f->vf_netdev);
                return -ENOENT;
        }
        return 0;
}

/**
 * bench_sim_floor() - the file operations of SECONDS' worth of pairs (or PAIRS) on a fresh 64-VF sim host, with
 * the sim's values written atomically (as netpoold writes them), then written over in place (the least any
 * writer could do)
 *
 * Returns: 0 with *ret filled, or a negative errno with *ret_message set.
 */
int bench_sim_floor(const char *simhost, double seconds, uint64_t pairs, bool keep, BenchFloor *ret,
                    char **ret_message) {
        g_auto(HarnessEnv) env = { .keep = keep };
        g_auto(Floor) f = {};
        unsigned n_pfs = 0;
        int r;

        r = harness_env_make_dir(&env, "netpool-bench-floor", ret_message);
        if (r < 0)
                return r;
        r = bench_host_build(&env, simhost, 64, &n_pfs, ret_message);
        if (r < 0)
                return r;
        r = floor_paths(&f, &env, ret_message);
        if (r < 0)
                return r;
        *ret = (BenchFloor) {};
        for (int in_place = 0; in_place <= 1; in_place++) {
                BenchFloorRun *run = in_place ? &ret->in_place : &ret->atomic;
                double t0, c0, wall;
                uint64_t done = 0;

                f.in_place = in_place;
                one_pair(&f);                   /* warm the dentry cache, as a daemon's would be */
                f.calls = 0;
                t0 = harness_now();
                c0 = cpu_seconds();
                do {
                        one_pair(&f);
                        done++;
                        wall = harness_now() - t0;
                } while (!f.failed && (pairs ? done < pairs : wall < seconds));
                if (f.failed) {
                        *ret_message = g_strdup_printf("a file operation of the floor failed in %s: %s", env.dir,
                                                       g_strerror(errno));
                        return -EIO;
                }
                *run = (BenchFloorRun) {
                        .pairs = done,
                        .syscalls_per_pair = (double) f.calls / (double) done,
                        .cpu_us_per_pair = (cpu_seconds() - c0) * 1e6 / (double) done,
                        .pairs_per_s = (double) done / wall,
                };
        }
        return 0;
}
