/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the store: definitions, autostart marks and live state on disk */
#include <errno.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "core/store.h"
#include "shared/fileio.h"
#include "shared/macro.h"

typedef struct Fixture {
        char *dir;
        char *config;
        char *state;
        Store *store;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data) {
        f->dir = g_dir_make_tmp("netpool-store-XXXXXX", NULL);
        f->config = g_build_filename(f->dir, "etc", NULL);
        f->state = g_build_filename(f->dir, "run", NULL);
        g_assert_cmpint(store_open(f->config, f->state, &f->store), ==, 0);
}

static void fixture_teardown(Fixture *f, gconstpointer data) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

        store_free(f->store);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(f->dir);
        g_free(f->config);
        g_free(f->state);
}

static NetDef *parse(const char *xml) {
        g_auto(NetDefError) err = {};
        NetDef *def = NULL;

        g_assert_cmpint(netdef_parse_xml(xml, 0, &def, &err), ==, 0);
        return def;
}

static void network_destroy(gpointer n) {
        network_free(n);
}

static GPtrArray *load(Fixture *f, GPtrArray *notes) {
        GPtrArray *nets = g_ptr_array_new_with_free_func(network_destroy);

        g_assert_cmpint(store_load(f->store, nets, notes), ==, 0);
        return nets;
}

static void test_directories_created(Fixture *f, gconstpointer data) {
        g_autofree char *autostart = g_build_filename(f->config, "autostart", NULL);
        g_autofree char *live = g_build_filename(f->state, "networks", NULL);

        g_assert_true(g_file_test(autostart, G_FILE_TEST_IS_DIR));
        g_assert_true(g_file_test(live, G_FILE_TEST_IS_DIR));
}

static void test_definition_round_trip(Fixture *f, gconstpointer data) {
        g_autoptr(NetDef) def = parse("<network><name>a</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>");
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) nets = NULL;
        g_autofree char *want = netdef_format_xml(def, NETDEF_FORMAT_INACTIVE), *got = NULL;
        Network *n;

        g_assert_cmpint(store_save_definition(f->store, def), ==, 0);
        g_assert_cmpint(store_set_autostart(f->store, "a", true), ==, 0);
        nets = load(f, notes);
        g_assert_cmpuint(nets->len, ==, 1);
        n = nets->pdata[0];
        got = network_format_xml(n, true);
        g_assert_cmpstr(got, ==, want);
        g_assert_true(n->persistent);
        g_assert_true(n->autostart);
        g_assert_false(n->active);
        g_assert_cmpuint(notes->len, ==, 0);
}

static void test_remove_definition(Fixture *f, gconstpointer data) {
        g_autoptr(NetDef) def = parse("<network><name>a</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>");
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) nets = NULL;
        g_autofree char *mark = g_build_filename(f->config, "autostart", "a", NULL);

        g_assert_cmpint(store_save_definition(f->store, def), ==, 0);
        g_assert_cmpint(store_set_autostart(f->store, "a", true), ==, 0);
        g_assert_cmpint(store_remove_definition(f->store, "a"), ==, 0);
        g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));
        nets = load(f, notes);
        g_assert_cmpuint(nets->len, ==, 0);
        /* removing what is not there is fine */
        g_assert_cmpint(store_remove_definition(f->store, "a"), ==, 0);
}

static void test_live_state_round_trip(Fixture *f, gconstpointer data) {
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) nets = NULL;
        g_autoptr(Network) n = network_new(parse(
                "<network><name>t</name><forward mode='passthrough'><pf dev='eth0'/></forward></network>"));
        PoolDevice *d = pool_device_new(FORWARD_DEV_NETDEV, "eth0v0");
        const Network *back;
        g_autofree char *live = NULL, *live_back = NULL;

        d->netdev = g_strdup("eth0v0");
        d->pf_netdev = g_intern_string("eth0");
        d->pci_address = g_strdup("0000:03:02.0");
        d->vf_index = 0;
        n->pool = pool_new(true);
        g_assert_cmpint(pool_add(n->pool, d), ==, 0);
        pool_to_forward_devs(n->pool, n->def);
        n->active = true;
        live = network_format_xml(n, false);
        g_assert_cmpint(store_save_live(f->store, n), ==, 0);

        nets = load(f, notes);
        g_assert_cmpuint(nets->len, ==, 1);
        back = nets->pdata[0];
        g_assert_true(back->active);
        g_assert_false(back->persistent);       /* no definition file: transient */
        g_assert_nonnull(back->pool);
        g_assert_cmpstr(pool_find(back->pool, "eth0v0")->pf_netdev, ==, "eth0");
        live_back = network_format_xml(back, false);
        g_assert_cmpstr(live_back, ==, live);
        g_assert_cmpint(store_remove_live(f->store, "t"), ==, 0);
}

static void test_persistent_active_keeps_both(Fixture *f, gconstpointer data) {
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) nets = NULL;
        g_autoptr(NetDef) persistent = parse("<network><name>p</name><uuid>11111111-2222-4333-8444-555555555555</uuid>"
                                             "<forward mode='hostdev' managed='no'><pf dev='eth0'/></forward></network>");
        g_autoptr(Network) n = network_new(parse("<network><name>p</name><uuid>11111111-2222-4333-8444-555555555555</uuid>"
                                                 "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>"));
        const Network *back;
        g_autofree char *inactive = NULL, *live = NULL;

        n->active = true;
        g_assert_cmpint(store_save_definition(f->store, persistent), ==, 0);
        g_assert_cmpint(store_save_live(f->store, n), ==, 0);
        nets = load(f, notes);
        g_assert_cmpuint(nets->len, ==, 1);
        back = nets->pdata[0];
        g_assert_true(back->active && back->persistent);
        inactive = network_format_xml(back, true);
        live = network_format_xml(back, false);
        g_assert_nonnull(strstr(inactive, "managed='no'"));
        g_assert_nonnull(strstr(live, "managed='yes'"));
}

static void test_damaged_files_are_notes(Fixture *f, gconstpointer data) {
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) nets = NULL;
        g_autofree char *live_dir = g_build_filename(f->state, "networks", NULL);

        g_assert_cmpint(write_file_atomic(f->config, "bad.xml", "<network>", 9), ==, 0);
        g_assert_cmpint(write_file_atomic(f->config, "x.xml", "<network><name>y</name><forward mode='hostdev'>"
                                          "<pf dev='e'/></forward></network>", 79), ==, 0);
        g_assert_cmpint(write_file_atomic(live_dir, "z.xml", "<nope/>", 7), ==, 0);
        g_assert_cmpint(write_file_atomic(f->config, ".hidden.xml", "junk", 4), ==, 0);
        nets = load(f, notes);
        g_assert_cmpuint(nets->len, ==, 0);
        g_assert_cmpuint(notes->len, ==, 3);    /* .hidden.xml is no valid network name: never read */
}

static void test_autostart_once_per_boot(Fixture *f, gconstpointer data) {
        g_assert_true(store_autostart_pending(f->store));
        g_assert_cmpint(store_mark_autostarted(f->store), ==, 0);
        g_assert_false(store_autostart_pending(f->store));
}

static void test_atomic_write_leaves_no_temporary(Fixture *f, gconstpointer data) {
        g_autoptr(NetDef) def = parse("<network><name>a</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>");
        g_autoptr(GDir) d = NULL;
        const char *name;

        for (int i = 0; i < 3; i++)
                g_assert_cmpint(store_save_definition(f->store, def), ==, 0);
        d = g_dir_open(f->config, 0, NULL);
        while ((name = g_dir_read_name(d)))
                g_assert_true(streq(name, "a.xml") || streq(name, "autostart"));
}

static void test_stale_temporaries_removed(Fixture *f, gconstpointer data) {
        g_autofree char *stale = g_build_filename(f->config, ".#a.xml.AbC123", NULL);
        g_autofree char *ports = g_build_filename(f->state, "ports", ".#u.xml.XyZ789", NULL);
        /* the state dir's own files (statistics, autostarted) are written atomically too */
        g_autofree char *root = g_build_filename(f->state, ".#statistics.4242", NULL);
        g_autofree char *autostart = g_build_filename(f->config, "autostart", ".#net-a.4242", NULL);
        g_autofree char *vf = g_build_filename(f->state, "vf", ".#eth0_vf1.xml.4242", NULL);
        g_autofree char *live = g_build_filename(f->state, "networks", ".#net-a.xml.4242", NULL);
        const char *const all[] = { stale, ports, root, autostart, vf, live };
        Store *again = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
                g_assert_true(g_file_set_contents(all[i], "<half", -1, NULL));
        g_assert_cmpint(store_open(f->config, f->state, &again), ==, 0);
        for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
                if (g_file_test(all[i], G_FILE_TEST_EXISTS))
                        g_error("%s survived the sweep", all[i]);
        store_free(again);
}

/* A written file is 0644 whatever the umask: write_file_atomic() chmods only when the umask takes bits of 0644
 * (read once per process, so each umask is tried in a process of its own) */
static void test_mode_whatever_umask(void) {
        if (g_test_subprocess()) {
                g_autofree char *dir = g_dir_make_tmp("np-mode.XXXXXX", NULL);
                g_autofree char *path = g_build_filename(dir, "f", NULL);
                GStatBuf st;

                umask(g_str_equal(g_getenv("NP_TEST_UMASK"), "077") ? 077 : 022);
                g_assert_cmpint(write_file_atomic(dir, "f", "x\n", 2), ==, 0);
                g_assert_cmpint(g_stat(path, &st), ==, 0);
                g_assert_cmpint(st.st_mode & 07777, ==, 0644);
                (void) g_unlink(path);
                (void) g_rmdir(dir);
                return;
        }
        g_setenv("NP_TEST_UMASK", "077", TRUE);
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        g_setenv("NP_TEST_UMASK", "022", TRUE);
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
}

/* read_one_line() reads once: the first line, "" for an empty file, -EFBIG past 4096 bytes */
static void test_read_one_line(Fixture *f, gconstpointer data) {
        g_autofree char *two = g_build_filename(f->state, "two", NULL), *empty = g_build_filename(f->state, "empty", NULL);
        g_autofree char *big = g_build_filename(f->state, "big", NULL), *line = NULL, *none = NULL;
        g_autofree char *big_text = g_strnfill(4097, 'a');

        g_assert_true(g_file_set_contents(two, "first\nsecond\n", -1, NULL));
        g_assert_true(g_file_set_contents(empty, "", -1, NULL));
        g_assert_true(g_file_set_contents(big, big_text, -1, NULL));
        g_assert_cmpint(read_one_line(two, &line), ==, 0);
        g_assert_cmpstr(line, ==, "first");
        g_assert_cmpint(read_one_line(empty, &none), ==, 0);
        g_assert_cmpstr(none, ==, "");
        g_assert_cmpint(read_one_line(big, &line), ==, -EFBIG);
}

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        ADD("/core/store/directories-created", test_directories_created);
        ADD("/core/store/definition-round-trip", test_definition_round_trip);
        ADD("/core/store/remove-definition", test_remove_definition);
        ADD("/core/store/live-state-round-trip", test_live_state_round_trip);
        ADD("/core/store/persistent-active-keeps-both", test_persistent_active_keeps_both);
        ADD("/core/store/damaged-files-are-notes", test_damaged_files_are_notes);
        ADD("/core/store/autostart-once-per-boot", test_autostart_once_per_boot);
        ADD("/core/store/atomic-write-leaves-no-temporary", test_atomic_write_leaves_no_temporary);
        ADD("/core/store/stale-temporaries-removed", test_stale_temporaries_removed);
        g_test_add_func("/core/store/file-mode-whatever-umask", test_mode_whatever_umask);
        ADD("/core/store/read-one-line", test_read_one_line);
        return g_test_run();
}
