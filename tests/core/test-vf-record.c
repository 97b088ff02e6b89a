/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of VF records: file names, atomic save, load with validation, remove, load_all */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/vf-record.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define UUID "c5f2e6a0-1b2c-4d3e-8f90-123456789abc"

typedef struct Fixture {
        char *tmp;
        char *dir;              /* STATE/vf, not created: save must make it */
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data) {
        f->tmp = g_dir_make_tmp("netpool-vfrec-XXXXXX", NULL);
        g_assert_nonnull(f->tmp);
        f->dir = g_build_filename(f->tmp, "state", "vf", NULL);
}

static void fixture_teardown(Fixture *f, gconstpointer data) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->tmp);

        g_assert_cmpint(system(cmd), ==, 0);
        g_free(f->tmp);
        g_free(f->dir);
}

static void write_raw(Fixture *f, const char *name, const char *text) {
        g_assert_cmpint(mkdir_parents(f->dir), ==, 0);
        g_assert_cmpint(write_file_atomic(f->dir, name, text, strlen(text)), ==, 0);
}

static bool exists(Fixture *f, const char *name) {
        g_autofree char *path = g_build_filename(f->dir, name, NULL);

        return g_file_test(path, G_FILE_TEST_EXISTS);
}

static guint count_entries(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        guint n = 0;

        while (d && g_dir_read_name(d))
                n++;
        return n;
}

static VfRecord *full_record(const char *pf, unsigned vf) {
        VfRecord *r = vf_record_new(pf, vf);

        g_free(r->port_uuid);
        r->port_uuid = g_strdup(UUID);
        g_strlcpy(r->orig.mac, "52:54:00:aa:bb:cc", sizeof(r->orig.mac));
        r->orig.vlan = 42;
        r->orig.qos = 3;
        r->orig.spoofchk = 0;
        r->orig.trust = 1;
        r->orig.link_state = VF_LINK_STATE_DISABLE;
        r->orig.vlan_proto = VF_VLAN_PROTO_8021AD;
        r->orig.has_rate = true;
        r->orig.min_tx_rate = 100;
        r->orig.max_tx_rate = 2500;
        r->vf_netdev = g_strdup("ens1d1v4");
        g_strlcpy(r->vf_netdev_mac, "52:54:00:00:00:07", sizeof(r->vf_netdev_mac));
        r->vf_netdev_mtu = 9000;
        return r;
}

static void assert_same_record(const VfRecord *a, const VfRecord *b) {
        g_assert_cmpstr(a->pf_netdev, ==, b->pf_netdev);
        g_assert_cmpuint(a->vf, ==, b->vf);
        g_assert_cmpstr(a->port_uuid, ==, b->port_uuid);
        g_assert_cmpstr(a->orig.mac, ==, b->orig.mac);
        g_assert_cmpuint(a->orig.vlan, ==, b->orig.vlan);
        g_assert_cmpuint(a->orig.qos, ==, b->orig.qos);
        g_assert_cmpint(a->orig.spoofchk, ==, b->orig.spoofchk);
        g_assert_cmpint(a->orig.trust, ==, b->orig.trust);
        g_assert_cmpint(a->orig.link_state, ==, b->orig.link_state);
        g_assert_cmpint(a->orig.vlan_proto, ==, b->orig.vlan_proto);
        g_assert_cmpint(a->orig.has_rate, ==, b->orig.has_rate);
        g_assert_cmpuint(a->orig.min_tx_rate, ==, b->orig.min_tx_rate);
        g_assert_cmpuint(a->orig.max_tx_rate, ==, b->orig.max_tx_rate);
        g_assert_cmpstr(a->vf_netdev, ==, b->vf_netdev);
        g_assert_cmpstr(a->vf_netdev_mac, ==, b->vf_netdev_mac);
        g_assert_cmpuint(a->vf_netdev_mtu, ==, b->vf_netdev_mtu);
}

static void test_file_name(void) {
        g_autofree char *a = vf_record_file_name("ens1d1", 4);
        g_autofree char *b = vf_record_file_name("eth0", 63);

        g_assert_cmpstr(a, ==, "ens1d1_vf4");
        g_assert_cmpstr(b, ==, "eth0_vf63");
        /* no path is ever built from a name the kernel would refuse */
        g_assert_null(vf_record_file_name(NULL, 0));
        g_assert_null(vf_record_file_name("", 0));
        g_assert_null(vf_record_file_name("../etc", 0));
        g_assert_null(vf_record_file_name("..", 0));
        g_assert_null(vf_record_file_name("averyveryverylongname", 0));
}

static void test_new_defaults(void) {
        g_autoptr(VfRecord) r = vf_record_new("eth0", 2);

        g_assert_cmpstr(r->pf_netdev, ==, "eth0");
        g_assert_cmpuint(r->vf, ==, 2);
        g_assert_cmpstr(r->port_uuid, ==, "");
        g_assert_cmpstr(r->orig.mac, ==, "00:00:00:00:00:00");
        g_assert_cmpint(r->orig.spoofchk, ==, -1);
        g_assert_cmpint(r->orig.trust, ==, -1);
        g_assert_null(r->vf_netdev);
        g_assert_cmpstr(r->vf_netdev_mac, ==, "");
        g_assert_null(vf_record_free(NULL));
}

static void test_save_load_roundtrip(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) r = full_record("ens1d1", 4);
        g_autoptr(VfRecord) back = NULL;

        g_assert_false(g_file_test(f->dir, G_FILE_TEST_IS_DIR));
        g_assert_cmpint(vf_record_save(f->dir, r), ==, 0);
        g_assert_true(g_file_test(f->dir, G_FILE_TEST_IS_DIR));
        g_assert_true(exists(f, "ens1d1_vf4"));
        /* the atomic write leaves no temporary file behind */
        g_assert_cmpuint(count_entries(f->dir), ==, 1);

        g_assert_cmpint(vf_record_load(f->dir, "ens1d1", 4, &back), ==, 0);
        assert_same_record(r, back);
}

/* a driver that reports neither spoofchk nor trust, a VF without a netdev, no port */
static void test_save_load_minimal(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) r = vf_record_new("sfc0", 0);
        g_autoptr(VfRecord) back = NULL;

        r->orig.link_state = VF_LINK_STATE_ENABLE;
        g_assert_cmpint(vf_record_save(f->dir, r), ==, 0);
        g_assert_cmpint(vf_record_load(f->dir, "sfc0", 0, &back), ==, 0);
        assert_same_record(r, back);
        g_assert_cmpint(back->orig.spoofchk, ==, -1);
        g_assert_null(back->vf_netdev);
}

static void test_save_overwrites(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) r = full_record("eth0", 1);
        g_autoptr(VfRecord) back = NULL;

        g_assert_cmpint(vf_record_save(f->dir, r), ==, 0);
        r->orig.vlan = 7;
        g_assert_cmpint(vf_record_save(f->dir, r), ==, 0);
        g_assert_cmpint(vf_record_load(f->dir, "eth0", 1, &back), ==, 0);
        g_assert_cmpuint(back->orig.vlan, ==, 7);
        g_assert_cmpuint(count_entries(f->dir), ==, 1);
}

/* A first record is written where there is none (the dir made as for vf_record_save()); where one is there,
 * even a damaged one, it is left as it is and the save says so. No temporary file stays either way. */
static void test_save_new(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) r = full_record("eth0", 2);
        g_autoptr(VfRecord) back = NULL;
        g_autofree char *text = NULL, *path = g_build_filename(f->dir, "eth0_vf2", NULL);

        g_assert_cmpint(vf_record_save_new(f->dir, r), ==, 0);
        r->orig.vlan = 7;
        g_assert_cmpint(vf_record_save_new(f->dir, r), ==, -EEXIST);
        g_assert_cmpint(vf_record_load(f->dir, "eth0", 2, &back), ==, 0);
        g_assert_cmpuint(back->orig.vlan, ==, 42);              /* the first one's */
        write_raw(f, "eth0_vf2", "damaged");
        g_assert_cmpint(vf_record_save_new(f->dir, r), ==, -EEXIST);
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "damaged");
        g_assert_cmpuint(count_entries(f->dir), ==, 1);
}

static void test_save_refuses_invalid(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) r = full_record("eth0", 1);

        g_strlcpy(r->orig.mac, "not-a-mac", sizeof(r->orig.mac));
        g_assert_cmpint(vf_record_save(f->dir, r), ==, -EINVAL);
        g_strlcpy(r->orig.mac, "52:54:00:aa:bb:cc", sizeof(r->orig.mac));
        r->orig.vlan = 4096;
        g_assert_cmpint(vf_record_save(f->dir, r), ==, -EINVAL);
        r->orig.vlan = 1;
        g_free(r->port_uuid);
        r->port_uuid = g_strdup("nope");
        g_assert_cmpint(vf_record_save(f->dir, r), ==, -EINVAL);
        g_free(r->port_uuid);
        r->port_uuid = g_strdup("");
        g_free(r->pf_netdev);
        r->pf_netdev = g_strdup("a/b");
        g_assert_cmpint(vf_record_save(f->dir, r), ==, -EINVAL);
        g_assert_false(g_file_test(f->dir, G_FILE_TEST_EXISTS));
}

static void test_mac_normalized(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) back = NULL;

        write_raw(f, "eth0_vf3",
                  "<vfrecord version='1'><pf dev='eth0' vf='3'/>"
                  "<config mac='52:54:00:AA:BB:CC' vlan='0' qos='0' link_state='auto'/>"
                  "<vfnetdev dev='eth0v3' mac='52:54:00:0A:0B:0C'/></vfrecord>");
        g_assert_cmpint(vf_record_load(f->dir, "eth0", 3, &back), ==, 0);
        g_assert_cmpstr(back->orig.mac, ==, "52:54:00:aa:bb:cc");
        g_assert_cmpstr(back->vf_netdev_mac, ==, "52:54:00:0a:0b:0c");
        g_assert_cmpstr(back->port_uuid, ==, "");
}

/* A record written before VLAN protocol, TX rates and MTU were saved still reads: those are not recorded. */
static void test_old_record_reads(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) back = NULL;

        write_raw(f, "eth0_vf3",
                  "<vfrecord version='1'><pf dev='eth0' vf='3'/>"
                  "<config mac='52:54:00:aa:bb:cc' vlan='7' qos='0' spoofchk='yes' link_state='auto'/>"
                  "<vfnetdev dev='eth0v3' mac='52:54:00:0a:0b:0c' up='yes'/></vfrecord>");
        g_assert_cmpint(vf_record_load(f->dir, "eth0", 3, &back), ==, 0);
        g_assert_cmpuint(back->orig.vlan, ==, 7);
        g_assert_cmpint(back->orig.vlan_proto, ==, _VF_VLAN_PROTO_INVALID);
        g_assert_false(back->orig.has_rate);
        g_assert_cmpuint(back->vf_netdev_mtu, ==, 0);
}

static void test_load_missing(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) back = NULL;

        g_assert_cmpint(vf_record_load(f->dir, "eth0", 1, &back), ==, -ENOENT);
        g_assert_null(back);
        g_assert_cmpint(vf_record_load(f->dir, "bad/name", 1, &back), ==, -EINVAL);
}

static const char *const damaged_records[] = {
        "garbage",
        "",
        "<other/>",
        "<vfrecord version='2'><pf dev='eth0' vf='1'/>"
        "<config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/></vfrecord>",
        "<!DOCTYPE x [<!ENTITY e 'x'>]><vfrecord><pf dev='eth0' vf='1'/>"
        "<config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/></vfrecord>",
        /* the file's name and its content disagree */
        "<vfrecord><pf dev='eth1' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='2'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/></vfrecord>",
        /* each field out of range or missing */
        "<vfrecord><pf dev='eth0' vf='1'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config vlan='0' qos='0' link_state='auto'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='xx' vlan='0' qos='0' link_state='auto'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='4096' qos='0' link_state='auto'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='8' link_state='auto'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='up'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto' "
        "spoofchk='maybe'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><port uuid='x'/>"
        "<config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/>"
        "<vfnetdev dev='a/b'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/>"
        "<vfnetdev dev='eth0v1' mac='zz'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto' "
        "vlan_proto='802.1x'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto' "
        "min_tx_rate='10'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto' "
        "min_tx_rate='300' max_tx_rate='200'/></vfrecord>",
        "<vfrecord><pf dev='eth0' vf='1'/><config mac='00:00:00:00:00:00' vlan='0' qos='0' link_state='auto'/>"
        "<vfnetdev dev='eth0v1' mtu='12'/></vfrecord>",
};

static void test_load_damaged(Fixture *f, gconstpointer data) {
        for (size_t i = 0; i < G_N_ELEMENTS(damaged_records); i++) {
                g_autoptr(VfRecord) back = NULL;

                write_raw(f, "eth0_vf1", damaged_records[i]);
                if (vf_record_load(f->dir, "eth0", 1, &back) != -EINVAL)
                        g_error("record %zu was accepted: %s", i, damaged_records[i]);
                g_assert_null(back);
        }
}

static void test_remove(Fixture *f, gconstpointer data) {
        g_autoptr(VfRecord) r = full_record("eth0", 5);

        /* nothing there, not even the dir: still success */
        g_assert_cmpint(vf_record_remove(f->dir, "eth0", 5), ==, 0);
        g_assert_cmpint(vf_record_save(f->dir, r), ==, 0);
        g_assert_cmpint(vf_record_remove(f->dir, "eth0", 5), ==, 0);
        g_assert_false(exists(f, "eth0_vf5"));
        g_assert_cmpint(vf_record_remove(f->dir, "eth0", 5), ==, 0);
        g_assert_cmpint(vf_record_remove(f->dir, "../x", 5), ==, -EINVAL);
}

static void record_destroy(gpointer r) {
        vf_record_free(r);
}

static void test_load_all(Fixture *f, gconstpointer data) {
        g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func(record_destroy);
        g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(VfRecord) a = full_record("eth0", 10);
        g_autoptr(VfRecord) b = full_record("ens1d1", 4);
        g_autoptr(VfRecord) c = vf_record_new("my_vf1", 2);      /* a PF netdev name holding "_vf" */
        const VfRecord *got;

        g_assert_cmpint(vf_record_save(f->dir, a), ==, 0);
        g_assert_cmpint(vf_record_save(f->dir, b), ==, 0);
        g_assert_cmpint(vf_record_save(f->dir, c), ==, 0);
        write_raw(f, "eth0_vf3", "damaged");
        write_raw(f, "README", "not a record");
        write_raw(f, "eth0_vf01", "leading zero: not a name netpool writes");
        /* a temporary file of an interrupted atomic write is no record and no news */
        write_raw(f, ".#eth0_vf9.ABCDEF", "partial");

        g_assert_cmpint(vf_record_load_all(f->dir, records, notes), ==, 0);
        g_assert_cmpuint(records->len, ==, 3);
        got = records->pdata[0];                /* sorted by file name */
        assert_same_record(got, b);
        got = records->pdata[1];
        assert_same_record(got, a);
        got = records->pdata[2];
        assert_same_record(got, c);

        g_assert_cmpuint(notes->len, ==, 3);
        g_assert_nonnull(strstr(notes->pdata[0], "README"));
        g_assert_nonnull(strstr(notes->pdata[1], "eth0_vf01"));
        g_assert_nonnull(strstr(notes->pdata[2], "eth0_vf3"));
        g_assert_nonnull(strstr(notes->pdata[2], "damaged"));
}

static void test_load_all_no_dir(Fixture *f, gconstpointer data) {
        g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func(record_destroy);

        g_assert_cmpint(vf_record_load_all(f->dir, records, NULL), ==, 0);
        g_assert_cmpuint(records->len, ==, 0);
}

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/core/vf-record/file-name", test_file_name);
        g_test_add_func("/core/vf-record/new-defaults", test_new_defaults);
        ADD("/core/vf-record/save-load-roundtrip", test_save_load_roundtrip);
        ADD("/core/vf-record/save-load-minimal", test_save_load_minimal);
        ADD("/core/vf-record/save-overwrites", test_save_overwrites);
        ADD("/core/vf-record/save-new", test_save_new);
        ADD("/core/vf-record/save-refuses-invalid", test_save_refuses_invalid);
        ADD("/core/vf-record/mac-normalized", test_mac_normalized);
        ADD("/core/vf-record/old-record-reads", test_old_record_reads);
        ADD("/core/vf-record/load-missing", test_load_missing);
        ADD("/core/vf-record/load-damaged", test_load_damaged);
        ADD("/core/vf-record/remove", test_remove);
        ADD("/core/vf-record/load-all", test_load_all);
        ADD("/core/vf-record/load-all-no-dir", test_load_all_no_dir);
        return g_test_run();
}
