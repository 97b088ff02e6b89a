/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the sim backend's link watch (hw-link-watch.h): changes made to a sim host the generator built, as
 * someone else (a test, `ip link set`, a driver) would make them, reach the watch's fd */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw/hw-link-watch.h"
#include "hw/hw.h"
#include "hw-test-util.h"

#define X710 "name=eth0,bdf=0000:03:00.0,model=x710,vfs=4"
#define X710_2 "name=eth1,bdf=0000:04:00.0,model=x710,vfs=4"
#define CX3 "name=ens1,name2=ens1d1,bdf=0000:05:00.0,model=cx3,vfs=8,port2=4-5,dual=6-7"

/* Changes are queued while the write is made (inotify is synchronous), so the fd is readable at once; the
 * 2 s stand for "within a second" with a margin. */
#define WAIT_MS 2000

typedef struct Fixture {
        TestDir *dir;
        HwBackend *hw;
        HwLinkWatch *watch;
} Fixture;

static void fixture_set_up(Fixture *f, const char *pf1, const char *pf2) {
        f->dir = test_sim_host("--pf", pf1, pf2 ? "--pf" : NULL, pf2, NULL);
        f->hw = test_sim_backend(f->dir);
        g_assert_cmpint(hw_link_watch_new(f->hw, &f->watch), ==, 0);
        g_assert_cmpint(hw_link_watch_fd(f->watch), >=, 0);
}

static void fixture_tear_down(Fixture *f) {
        g_clear_pointer(&f->watch, hw_link_watch_free);
        g_clear_pointer(&f->hw, hw_backend_free);
        g_clear_pointer(&f->dir, test_dir_free);
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* What one read brings after waiting at most timeout_ms for the fd: the changed names sorted, joined by
 * spaces ("" for none) */
static char *read_changes(HwLinkWatch *w, int timeout_ms, bool *ret_overflow) {
        g_autoptr(GHashTable) changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        struct pollfd p = { .fd = hw_link_watch_fd(w), .events = POLLIN };
        g_autofree const char **names = NULL;
        bool overflow = true;

        g_assert_cmpint(poll(&p, 1, timeout_ms), >=, 0);
        g_assert_cmpint(hw_link_watch_read(w, changed, &overflow), ==, 0);
        if (ret_overflow)
                *ret_overflow = overflow;
        else
                g_assert_false(overflow);
        names = (const char **) g_hash_table_get_keys_as_array(changed, NULL);
        qsort(names, g_hash_table_size(changed), sizeof(char *), compare_names);
        return g_strjoinv(" ", (char **) names);
}

static void assert_changes(HwLinkWatch *w, const char *expected) {
        g_autofree char *got = read_changes(w, WAIT_MS, NULL);

        g_assert_cmpstr(got, ==, expected);
}

/* Nothing: what a change would have queued is there once its write returned */
static void assert_no_changes(HwLinkWatch *w) {
        g_autofree char *got = read_changes(w, 0, NULL);

        g_assert_cmpstr(got, ==, "");
}

static char *sim_path(const Fixture *f, const char *rel) {
        return g_build_filename(f->dir->path, rel, NULL);
}

/* As `echo value > file`: truncated and written in place */
static void write_in_place(const Fixture *f, const char *rel, const char *value) {
        g_autofree char *path = sim_path(f, rel);
        FILE *file = fopen(path, "w");

        g_assert_nonnull(file);
        g_assert_cmpint(fprintf(file, "%s\n", value), >, 0);
        g_assert_cmpint(fclose(file), ==, 0);
}

/* Written aside (in a directory no watch covers) and renamed over the file */
static void write_renamed(const Fixture *f, const char *rel, const char *value) {
        g_autofree char *path = sim_path(f, rel);
        g_autofree char *aside = g_build_filename(f->dir->path, "vfstate", "new-value", NULL);
        g_autofree char *text = g_strconcat(value, "\n", NULL);

        g_assert_true(g_file_set_contents(aside, text, -1, NULL));
        g_assert_cmpint(rename(aside, path), ==, 0);
}

#define VF1_MAC "vfstate/0000:03:00.0/vf1/p1/mac"
#define VF2_MAC "vfstate/0000:03:00.0/vf2/p1/mac"
#define ETH1_VF1_MAC "vfstate/0000:04:00.0/vf1/p1/mac"
#define VF1_ADDRESS "sys/devices/pci0000:00/0000:03:02.1/net/eth0v1/address"

static void test_vfstate_write(Fixture *f, gconstpointer data) {
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 1), ==, 0);
        assert_no_changes(f->watch);

        write_in_place(f, VF1_MAC, "52:54:00:12:34:56");
        assert_changes(f->watch, "eth0");
        write_renamed(f, VF1_MAC, "52:54:00:12:34:57");
        assert_changes(f->watch, "eth0");
        write_in_place(f, "vfstate/0000:03:00.0/vf1/p1/vlan", "7");
        assert_changes(f->watch, "eth0");
        /* the backend's own set is a change too: the engine reads and finds nothing drifted */
        g_assert_cmpint(hw_vf_set_trust(f->hw, "eth0", 1, true), ==, 0);
        assert_changes(f->watch, "eth0");
        assert_no_changes(f->watch);
}

static void test_unwatched_vf(Fixture *f, gconstpointer data) {
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 1), ==, 0);

        write_in_place(f, VF2_MAC, "52:54:00:12:34:56");
        write_renamed(f, ETH1_VF1_MAC, "52:54:00:12:34:57");
        write_in_place(f, "sys/devices/pci0000:00/0000:03:02.2/net/eth0v2/address", "52:54:00:12:34:58");
        assert_no_changes(f->watch);
}

static void test_netdev_address(Fixture *f, gconstpointer data) {
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 1), ==, 0);

        write_in_place(f, VF1_ADDRESS, "52:54:00:12:34:56");
        assert_changes(f->watch, "eth0 eth0v1");
        g_assert_cmpint(hw_netdev_set_mac(f->hw, "eth0v1", "52:54:00:12:34:57"), ==, 0);
        assert_changes(f->watch, "eth0 eth0v1");
}

/* Counted: watched until as many removes as adds; then nothing, not even what was queued before */
static void test_remove(Fixture *f, gconstpointer data) {
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 1), ==, 0);
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 1), ==, 0);
        hw_link_watch_remove_vf(f->watch, "eth0", 1);
        write_in_place(f, VF1_MAC, "52:54:00:12:34:56");
        assert_changes(f->watch, "eth0");

        write_in_place(f, VF1_ADDRESS, "52:54:00:12:34:57");
        hw_link_watch_remove_vf(f->watch, "eth0", 1);
        assert_no_changes(f->watch);
        write_in_place(f, VF1_MAC, "52:54:00:12:34:58");
        write_in_place(f, VF1_ADDRESS, "52:54:00:12:34:59");
        assert_no_changes(f->watch);

        /* one remove too many, and of what was never added: nothing happens */
        hw_link_watch_remove_vf(f->watch, "eth0", 1);
        hw_link_watch_remove_vf(f->watch, "eth0", 2);
        hw_link_watch_remove_vf(f->watch, "nosuch", 0);

        /* and a VF added again is watched again */
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 1), ==, 0);
        write_renamed(f, VF1_MAC, "52:54:00:12:34:5a");
        assert_changes(f->watch, "eth0");
}

/* A dual-port VF watched through both PF netdevs: one directory, two watchers; a change names both, and
 * forgetting one leaves the other */
static void test_shared_directory(Fixture *f, gconstpointer data) {
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "ens1", 6), ==, 0);
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "ens1d1", 6), ==, 0);

        write_in_place(f, "vfstate/0000:05:00.0/vf6/p2/mac", "52:54:00:12:34:56");
        assert_changes(f->watch, "ens1 ens1d1");
        write_in_place(f, "sys/devices/pci0000:00/0000:05:00.7/net/ens1d1v6/address", "52:54:00:12:34:57");
        assert_changes(f->watch, "ens1 ens1d1 ens1d1v6");

        hw_link_watch_remove_vf(f->watch, "ens1", 6);
        write_in_place(f, "vfstate/0000:05:00.0/vf6/p1/mac", "52:54:00:12:34:58");
        assert_changes(f->watch, "ens1d1");
        hw_link_watch_remove_vf(f->watch, "ens1d1", 6);
        write_in_place(f, "vfstate/0000:05:00.0/vf6/p1/mac", "52:54:00:12:34:59");
        assert_no_changes(f->watch);
}

/* A single-port VF on port 2 has only p2; the other VFs of the PF are not watched */
static void test_single_port_vf(Fixture *f, gconstpointer data) {
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "ens1d1", 4), ==, 0);
        write_in_place(f, "vfstate/0000:05:00.0/vf5/p2/mac", "52:54:00:12:34:56");
        assert_no_changes(f->watch);
        g_assert_cmpint(hw_vf_set_mac(f->hw, "ens1d1", 4, "52:54:00:12:34:57"), ==, 0);
        assert_changes(f->watch, "ens1d1");
}

/* The VF goes (its netdev to a guest, then the VF itself): each is a change; back again, it is watched once
 * it is added again */
static void test_vanish_and_return(Fixture *f, gconstpointer data) {
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 3), ==, 0);

        test_sim_change(f->dir, "--assign", "0000:03:02.3", NULL);
        assert_changes(f->watch, "eth0 eth0v3");
        /* the VF goes, and the netdev the guest took (kept aside) with it */
        test_sim_change(f->dir, "--set-numvfs", "0000:03:00.0", "3", NULL);
        assert_changes(f->watch, "eth0 eth0v3");
        assert_no_changes(f->watch);

        test_sim_change(f->dir, "--set-numvfs", "0000:03:00.0", "4", NULL);
        assert_no_changes(f->watch);    /* its directories are new: not watched until it is added again */
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 3), ==, 0);
        write_in_place(f, "vfstate/0000:03:00.0/vf3/p1/mac", "52:54:00:12:34:56");
        assert_changes(f->watch, "eth0");
        write_in_place(f, "sys/devices/pci0000:00/0000:03:02.3/net/eth0v3/address", "52:54:00:12:34:57");
        assert_changes(f->watch, "eth0 eth0v3");

        /* two adds stand: two removes end it */
        hw_link_watch_remove_vf(f->watch, "eth0", 3);
        write_in_place(f, "vfstate/0000:03:00.0/vf3/p1/mac", "52:54:00:12:34:58");
        assert_changes(f->watch, "eth0");
        hw_link_watch_remove_vf(f->watch, "eth0", 3);
        write_in_place(f, "vfstate/0000:03:00.0/vf3/p1/mac", "52:54:00:12:34:59");
        assert_no_changes(f->watch);
}

static int open_for_writing(const Fixture *f, const char *rel) {
        g_autofree char *path = sim_path(f, rel);
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        return fd;
}

/* More changes than inotify queues: the caller is told to look at everything */
static void test_overflow(Fixture *f, gconstpointer data) {
        g_autofree char *max_text = NULL, *got = NULL;
        guint64 max = 0;
        bool overflow = false;
        int fds[2];

        g_assert_true(g_file_get_contents("/proc/sys/fs/inotify/max_queued_events", &max_text, NULL, NULL));
        g_assert_true(g_ascii_string_to_unsigned(g_strstrip(max_text), 10, 1, G_MAXINT, &max, NULL));
        if (max > 1000000) {
                g_test_skip("max_queued_events is too large to fill here");
                return;
        }
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 1), ==, 0);
        /* each write queues an IN_MODIFY; one like the last one queued would be merged into it: two files */
        fds[0] = open_for_writing(f, VF1_MAC);
        fds[1] = open_for_writing(f, "vfstate/0000:03:00.0/vf1/p1/vlan");
        for (guint64 i = 0; i <= max; i++)
                g_assert_cmpint(pwrite(fds[i % 2], "1\n", 2, 0), ==, 2);
        close(fds[0]);
        close(fds[1]);
        got = read_changes(f->watch, WAIT_MS, &overflow);
        g_assert_true(overflow);
        g_assert_cmpstr(got, ==, "eth0");
        /* and it goes on */
        write_in_place(f, VF1_MAC, "52:54:00:12:34:56");
        assert_changes(f->watch, "eth0");
        assert_no_changes(f->watch);
}

static void test_refusals(Fixture *f, gconstpointer data) {
        g_autoptr(GHashTable) changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        HwLinkWatch *none = NULL;
        bool overflow;

        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0", 4), ==, -ENODEV);
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "nosuch", 0), ==, -ENODEV);
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "eth0v1", 0), ==, -ENODEV);
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, "../eth0", 0), ==, -EINVAL);
        g_assert_cmpint(hw_link_watch_add_vf(f->watch, NULL, 0), ==, -EINVAL);
        g_assert_cmpint(hw_link_watch_add_vf(NULL, "eth0", 0), ==, -EINVAL);
        g_assert_cmpint(hw_link_watch_read(f->watch, NULL, &overflow), ==, -EINVAL);
        g_assert_cmpint(hw_link_watch_read(f->watch, changed, NULL), ==, -EINVAL);
        g_assert_cmpint(hw_link_watch_new(NULL, &none), ==, -EINVAL);
        g_assert_cmpint(hw_link_watch_new(f->hw, NULL), ==, -EINVAL);
        g_assert_null(none);
        g_assert_cmpint(hw_link_watch_fd(NULL), ==, -1);
        g_assert_null(hw_link_watch_free(NULL));
        /* a refused add watches nothing */
        write_in_place(f, VF1_MAC, "52:54:00:12:34:56");
        assert_no_changes(f->watch);
}

/* Non-blocking and close-on-exec, as the header promises */
static void test_fd_flags(Fixture *f, gconstpointer data) {
        int fd = hw_link_watch_fd(f->watch);

        g_assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
        g_assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        assert_no_changes(f->watch);
}

static void set_up_x710(Fixture *f, gconstpointer data) {
        fixture_set_up(f, X710, X710_2);
}

static void set_up_cx3(Fixture *f, gconstpointer data) {
        fixture_set_up(f, CX3, NULL);
}

static void tear_down(Fixture *f, gconstpointer data) {
        fixture_tear_down(f);
}

#define ADD(path, set_up, fn) g_test_add("/hw/link-watch/" path, Fixture, NULL, set_up, fn, tear_down)

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        ADD("vfstate-write", set_up_x710, test_vfstate_write);
        ADD("unwatched-vf", set_up_x710, test_unwatched_vf);
        ADD("netdev-address", set_up_x710, test_netdev_address);
        ADD("remove", set_up_x710, test_remove);
        ADD("shared-directory", set_up_cx3, test_shared_directory);
        ADD("single-port-vf", set_up_cx3, test_single_port_vf);
        ADD("vanish-and-return", set_up_x710, test_vanish_and_return);
        ADD("overflow", set_up_x710, test_overflow);
        ADD("refusals", set_up_x710, test_refusals);
        ADD("fd-flags", set_up_x710, test_fd_flags);
        return g_test_run();
}
