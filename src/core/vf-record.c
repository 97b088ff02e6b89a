/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VF record: a VF's original configuration, saved before netpool changes it, restored at release */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/vf-record.h"
#include "core/xml-util.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define VF_RECORD_FILE_MAX (64 * 1024)
#define VF_RECORD_SUFFIX "_vf"
#define VF_RECORD_VERSION "1"

/* write_file_atomic() names its temporary files ".#<name>.<pid>" */
#define TEMP_FILE_PREFIX ".#"

VfRecord *vf_record_new(const char *pf_netdev, unsigned vf) {
        VfRecord *r = g_new0(VfRecord, 1);

        r->pf_netdev = g_strdup(pf_netdev);
        r->vf = vf;
        r->port_uuid = g_strdup("");
        g_strlcpy(r->orig.mac, "00:00:00:00:00:00", sizeof(r->orig.mac));
        r->orig.spoofchk = -1;
        r->orig.trust = -1;
        r->orig.link_state = VF_LINK_STATE_AUTO;
        r->orig.vlan_proto = _VF_VLAN_PROTO_INVALID;
        return r;
}

/**
 * vf_record_free() - free a record; takes NULL
 * Returns: NULL
 */
VfRecord *vf_record_free(VfRecord *r) {
        if (!r)
                return NULL;
        g_free(r->pf_netdev);
        g_free(r->port_uuid);
        g_free(r->vf_netdev);
        g_free(r->driver);
        g_free(r->quarantine);
        g_free(r);
        return NULL;
}

/**
 * vf_record_file_name() - the record's file name in STATE/vf
 * Returns: "<pf_netdev>_vf<N>", or NULL when pf_netdev is not a valid netdev name (so no path is
 * ever built from one)
 */
char *vf_record_file_name(const char *pf_netdev, unsigned vf) {
        if (!pf_netdev || !netdev_name_is_valid(pf_netdev))
                return NULL;
        return g_strdup_printf("%s" VF_RECORD_SUFFIX "%u", pf_netdev, vf);
}

/* The reverse of vf_record_file_name(); the last "_vf" counts, as a netdev name may hold one. */
static bool parse_file_name(const char *name, char **ret_pf_netdev, unsigned *ret_vf) {
        const char *sep = g_strrstr(name, VF_RECORD_SUFFIX), *digits;
        g_autofree char *pf_netdev = NULL;
        guint64 vf;

        if (!sep || sep == name)
                return false;
        digits = sep + strlen(VF_RECORD_SUFFIX);
        /* decimal without sign or leading zeros, as vf_record_file_name() writes it */
        if (!g_ascii_isdigit(digits[0]) || (digits[0] == '0' && digits[1] != '\0'))
                return false;
        if (!g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT, &vf, NULL))
                return false;
        pf_netdev = g_strndup(name, (gsize) (sep - name));
        if (!netdev_name_is_valid(pf_netdev))
                return false;
        *ret_pf_netdev = g_steal_pointer(&pf_netdev);
        *ret_vf = (unsigned) vf;
        return true;
}

static char *format_xml(const VfRecord *r) {
        g_autoptr(GString) out = g_string_new("<vfrecord version='" VF_RECORD_VERSION "'>\n");
        char num[16];

        g_string_append(out, "  <pf");
        xml_append_attr(out, "dev", r->pf_netdev);
        g_snprintf(num, sizeof(num), "%u", r->vf);
        xml_append_attr(out, "vf", num);
        g_string_append(out, "/>\n");

        if (r->port_uuid && r->port_uuid[0]) {
                g_string_append(out, "  <port");
                xml_append_attr(out, "uuid", r->port_uuid);
                g_string_append(out, "/>\n");
        }

        g_string_append(out, "  <config");
        xml_append_attr(out, "mac", r->orig.mac);
        g_string_append_printf(out, " vlan='%u' qos='%u'", r->orig.vlan, r->orig.qos);
        /* a setting the driver does not report is left out, and so never restored */
        if (r->orig.spoofchk >= 0)
                g_string_append_printf(out, " spoofchk='%s'", r->orig.spoofchk ? "yes" : "no");
        if (r->orig.trust >= 0)
                g_string_append_printf(out, " trust='%s'", r->orig.trust ? "yes" : "no");
        xml_append_attr(out, "link_state", vf_link_state_to_string(r->orig.link_state));
        if (r->orig.vlan_proto >= 0)
                xml_append_attr(out, "vlan_proto", vf_vlan_proto_to_string(r->orig.vlan_proto));
        if (r->orig.has_rate)
                g_string_append_printf(out, " min_tx_rate='%u' max_tx_rate='%u'", r->orig.min_tx_rate,
                                       r->orig.max_tx_rate);
        g_string_append(out, "/>\n");

        if (r->vf_netdev) {
                g_string_append(out, "  <vfnetdev");
                xml_append_attr(out, "dev", r->vf_netdev);
                if (r->vf_netdev_mac[0])
                        xml_append_attr(out, "mac", r->vf_netdev_mac);
                xml_append_attr(out, "up", r->vf_netdev_up ? "yes" : "no");
                if (r->vf_netdev_mtu > 0)
                        g_string_append_printf(out, " mtu='%u'", r->vf_netdev_mtu);
                g_string_append(out, "/>\n");
        }
        if (r->reset || r->managed) {
                g_string_append(out, "  <function");
                xml_append_attr(out, "managed", r->managed ? "yes" : "no");
                xml_append_attr(out, "driver", r->driver);
                xml_append_attr(out, "reset", r->reset ? "yes" : "no");
                g_string_append(out, "/>\n");
        }
        if (r->quarantine) {
                g_string_append(out, "  <quarantine");
                xml_append_attr(out, "reason", r->quarantine);
                g_string_append(out, "/>\n");
        }
        g_string_append(out, "</vfrecord>\n");
        return g_string_free(g_steal_pointer(&out), FALSE);
}

/* Both parts of a record must be usable before anything is written: a record that cannot be read
 * back would lose the original. */
static int check_record(const VfRecord *r) {
        char mac[18];

        if (!r->pf_netdev || !netdev_name_is_valid(r->pf_netdev))
                return -EINVAL;
        if (r->port_uuid && r->port_uuid[0] && !uuid_is_valid(r->port_uuid))
                return -EINVAL;
        if (mac_normalize(r->orig.mac, mac) < 0 || r->orig.vlan > VLAN_ID_MAX || r->orig.qos > 7)
                return -EINVAL;
        if (r->orig.spoofchk > 1 || r->orig.trust > 1 || !vf_link_state_to_string(r->orig.link_state))
                return -EINVAL;
        if (r->orig.vlan_proto >= _VF_VLAN_PROTO_MAX)
                return -EINVAL;
        if (r->orig.has_rate && r->orig.max_tx_rate > 0 && r->orig.min_tx_rate > r->orig.max_tx_rate)
                return -EINVAL;
        if (r->vf_netdev_mtu > 0 && (r->vf_netdev_mtu < 68 || !r->vf_netdev))
                return -EINVAL;
        if (r->vf_netdev && !netdev_name_is_valid(r->vf_netdev))
                return -EINVAL;
        if (r->vf_netdev_mac[0] && mac_normalize(r->vf_netdev_mac, mac) < 0)
                return -EINVAL;
        if (r->driver && !driver_name_is_valid(r->driver))
                return -EINVAL;
        return 0;
}

/* The record written to dir (over one there, or only where there is none: noreplace). The dir is made when the
 * write finds it missing (the store makes it at start: no mkdir and stat before every write). */
static int save(const char *dir, const VfRecord *r, bool noreplace) {
        int (*write_fn)(const char *, const char *, const char *, size_t) =
                noreplace ? write_file_atomic_new : write_file_atomic;
        g_autofree char *name = NULL, *xml = NULL;
        int k;

        k = check_record(r);
        if (k < 0)
                return k;
        name = vf_record_file_name(r->pf_netdev, r->vf);
        xml = format_xml(r);
        k = write_fn(dir, name, xml, strlen(xml));
        if (k != -ENOENT)
                return k;
        k = mkdir_parents(dir);
        if (k < 0)
                return k;
        return write_fn(dir, name, xml, strlen(xml));
}

/**
 * vf_record_save() - write a record to dir atomically, creating dir when missing
 * Returns: 0, -EINVAL for a record with an invalid field, or the -errno of the write
 */
int vf_record_save(const char *dir, const VfRecord *r) {
        return save(dir, r, /* noreplace= */ false);
}

/**
 * vf_record_save_new() - vf_record_save() where the VF has no record yet
 * Returns: 0, -EEXIST when a record of the VF is there (left as it is, whatever it holds), -EINVAL for a record
 * with an invalid field, or the -errno of the write
 */
int vf_record_save_new(const char *dir, const VfRecord *r) {
        return save(dir, r, /* noreplace= */ true);
}

static const xmlNode *find_child(const xmlNode *parent, const char *name) {
        for (const xmlNode *n = parent->children; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE && streq((const char *) n->name, name))
                        return n;
        return NULL;
}

static int parse_uint_prop(const xmlNode *node, const char *name, uint64_t max, unsigned *ret) {
        g_autofree char *s = xml_prop(node, name);
        uint64_t v;

        if (!s || xml_parse_uint(s, 10, max, &v) < 0)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

/* yes/no, or -1 when the attribute is absent (the driver did not report it) */
static int parse_flag_prop(const xmlNode *node, const char *name, int *ret) {
        g_autofree char *s = xml_prop(node, name);
        bool on;

        if (!s) {
                *ret = -1;
                return 0;
        }
        if (xml_parse_yes_no(s, &on) < 0)
                return -EINVAL;
        *ret = on;
        return 0;
}

static int parse_mac_prop(const xmlNode *node, const char *name, char buf[static 18]) {
        g_autofree char *s = xml_prop(node, name);

        if (!s)
                return -EINVAL;
        return mac_normalize(s, buf);
}

/* Attributes a record of version 1 may lack (written before they were saved): absent = not recorded. */
static int parse_later_config(const xmlNode *node, VfConfig *c) {
        g_autofree char *proto = xml_prop(node, "vlan_proto"), *min = xml_prop(node, "min_tx_rate");
        g_autofree char *max = xml_prop(node, "max_tx_rate");

        c->vlan_proto = _VF_VLAN_PROTO_INVALID;
        if (proto && (c->vlan_proto = vf_vlan_proto_from_string(proto)) < 0)
                return -EINVAL;
        if (!min && !max)
                return 0;
        if (!min || !max || parse_uint_prop(node, "min_tx_rate", G_MAXUINT32, &c->min_tx_rate) < 0 ||
            parse_uint_prop(node, "max_tx_rate", G_MAXUINT32, &c->max_tx_rate) < 0)
                return -EINVAL;
        if (c->max_tx_rate > 0 && c->min_tx_rate > c->max_tx_rate)
                return -EINVAL;
        c->has_rate = true;
        return 0;
}

static int parse_config(const xmlNode *node, VfConfig *c) {
        g_autofree char *link_state = xml_prop(node, "link_state");

        if (parse_mac_prop(node, "mac", c->mac) < 0 ||
            parse_uint_prop(node, "vlan", VLAN_ID_MAX, &c->vlan) < 0 ||
            parse_uint_prop(node, "qos", 7, &c->qos) < 0 ||
            parse_flag_prop(node, "spoofchk", &c->spoofchk) < 0 ||
            parse_flag_prop(node, "trust", &c->trust) < 0 ||
            parse_later_config(node, c) < 0)
                return -EINVAL;
        c->link_state = vf_link_state_from_string(link_state);
        return c->link_state < 0 ? -EINVAL : 0;
}

static int parse_vf_netdev(const xmlNode *node, VfRecord *r) {
        g_autofree char *dev = xml_prop(node, "dev"), *mac = xml_prop(node, "mac"), *up = xml_prop(node, "up");
        g_autofree char *mtu = xml_prop(node, "mtu");

        if (!dev || !netdev_name_is_valid(dev))
                return -EINVAL;
        if (mac && mac_normalize(mac, r->vf_netdev_mac) < 0)
                return -EINVAL;
        if (up && xml_parse_yes_no(up, &r->vf_netdev_up) < 0)
                return -EINVAL;
        if (mtu && (parse_uint_prop(node, "mtu", G_MAXINT32, &r->vf_netdev_mtu) < 0 || r->vf_netdev_mtu < 68))
                return -EINVAL;
        r->vf_netdev = g_steal_pointer(&dev);
        return 0;
}

static int parse_function(const xmlNode *node, VfRecord *r) {
        g_autofree char *driver = xml_prop(node, "driver"), *reset = xml_prop(node, "reset");
        g_autofree char *managed = xml_prop(node, "managed");

        if (driver && !driver_name_is_valid(driver))
                return -EINVAL;
        if (reset && xml_parse_yes_no(reset, &r->reset) < 0)
                return -EINVAL;
        if (managed && xml_parse_yes_no(managed, &r->managed) < 0)
                return -EINVAL;
        r->driver = g_steal_pointer(&driver);
        return 0;
}

static int parse_port(const xmlNode *node, VfRecord *r) {
        g_autofree char *uuid = node ? xml_prop(node, "uuid") : NULL;

        if (!node)
                return 0;       /* the record keeps "" */
        if (!uuid || !uuid_is_valid(uuid))
                return -EINVAL;
        g_free(r->port_uuid);
        r->port_uuid = g_steal_pointer(&uuid);
        return 0;
}

/* The record must be the one the file name promises: a copied or renamed file is damaged. */
static int parse_pf(const xmlNode *node, const char *pf_netdev, unsigned vf) {
        g_autofree char *dev = node ? xml_prop(node, "dev") : NULL;
        unsigned n;

        if (!dev || !streq(dev, pf_netdev))
                return -EINVAL;
        if (parse_uint_prop(node, "vf", G_MAXUINT, &n) < 0 || n != vf)
                return -EINVAL;
        return 0;
}

/* A record of a later format is not guessed at: it reads as damaged, so it is kept, not used. */
static bool version_is_known(const xmlNode *root) {
        g_autofree char *version = xml_prop(root, "version");

        return !version || streq(version, VF_RECORD_VERSION);
}

/**
 * vf_record_parse() - read the record of (pf_netdev, vf) from the len bytes at text
 *
 * The parser behind vf_record_load(); text needs no NUL.
 * Returns: 0 with *ret set, or -EINVAL when the text is not a valid record of that VF (damaged, or
 * another VF's)
 */
int vf_record_parse(const char *text, size_t len, const char *pf_netdev, unsigned vf, VfRecord **ret) {
        g_autoptr(VfRecord) r = vf_record_new(pf_netdev, vf);
        g_autoptr(xmlDoc) doc = NULL;
        g_autofree char *msg = NULL;
        const xmlNode *root, *config, *vf_netdev, *function, *quarantine;

        if (!pf_netdev || !netdev_name_is_valid(pf_netdev))
                return -EINVAL;
        if (xml_read_document(text, len, &doc, &msg) < 0)
                return -EINVAL;
        root = xmlDocGetRootElement(doc);
        if (!streq((const char *) root->name, "vfrecord") || !version_is_known(root))
                return -EINVAL;
        if (parse_pf(find_child(root, "pf"), pf_netdev, vf) < 0)
                return -EINVAL;
        if (parse_port(find_child(root, "port"), r) < 0)
                return -EINVAL;
        config = find_child(root, "config");
        if (!config || parse_config(config, &r->orig) < 0)
                return -EINVAL;
        vf_netdev = find_child(root, "vfnetdev");
        if (vf_netdev && parse_vf_netdev(vf_netdev, r) < 0)
                return -EINVAL;
        function = find_child(root, "function");
        if (function && parse_function(function, r) < 0)
                return -EINVAL;
        quarantine = find_child(root, "quarantine");
        if (quarantine) {
                r->quarantine = xml_prop(quarantine, "reason");
                if (!r->quarantine)
                        return -EINVAL;
        }
        *ret = g_steal_pointer(&r);
        return 0;
}

/**
 * vf_record_load() - read the record of (pf_netdev, vf) from dir
 * Returns: 0 with *ret set; -ENOENT when there is none; -EINVAL when it is damaged (or pf_netdev
 * is not a valid name); another -errno when it cannot be read
 */
int vf_record_load(const char *dir, const char *pf_netdev, unsigned vf, VfRecord **ret) {
        g_autofree char *name = vf_record_file_name(pf_netdev, vf), *path = NULL, *text = NULL;
        size_t len = 0;
        int r;

        if (!name)
                return -EINVAL;
        path = g_build_filename(dir, name, NULL);
        r = read_file_full(path, VF_RECORD_FILE_MAX, &text, &len);
        if (r == -EFBIG)
                return -EINVAL;
        if (r < 0)
                return r;
        return vf_record_parse(text, len, pf_netdev, vf, ret);
}

/**
 * vf_record_remove() - remove the record of (pf_netdev, vf) from dir durably
 * Returns: 0 (also when there was none), -EINVAL for an invalid name, or the -errno of the unlink
 */
int vf_record_remove(const char *dir, const char *pf_netdev, unsigned vf) {
        g_autofree char *name = vf_record_file_name(pf_netdev, vf);
        int r;

        if (!name)
                return -EINVAL;
        r = unlink_atomic(dir, name);
        /* a missing dir holds no record either */
        return r == -ENOENT ? 0 : r;
}

static int compare_names(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The entries of dir but write_file_atomic()'s temporary ones, sorted. */
static int list_file_names(const char *dir, GPtrArray **ret) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    g_str_has_prefix(de->d_name, TEMP_FILE_PREFIX))
                        continue;
                g_ptr_array_add(names, g_strdup(de->d_name));
        }
        closedir(d);
        g_ptr_array_sort(names, compare_names);
        *ret = g_steal_pointer(&names);
        return 0;
}

static void load_one(const char *dir, const char *file, GPtrArray *records, GPtrArray *notes) {
        g_autofree char *pf_netdev = NULL;
        VfRecord *rec = NULL;
        unsigned vf;
        int r;

        if (!parse_file_name(file, &pf_netdev, &vf)) {
                if (notes)
                        g_ptr_array_add(notes, g_strdup_printf("%s/%s: not a VF record name "
                                                               "(<PF netdev>_vf<N>), ignored", dir, file));
                return;
        }
        r = vf_record_load(dir, pf_netdev, vf, &rec);
        if (r < 0) {
                if (notes)
                        g_ptr_array_add(notes, g_strdup_printf("%s/%s: %s", dir, file,
                                                               r == -EINVAL ? "damaged VF record, ignored"
                                                                            : g_strerror(-r)));
                return;
        }
        g_ptr_array_add(records, rec);
}

/**
 * vf_record_load_all() - every record in dir, sorted by file name
 *
 * records takes VfRecord* (the array owns them); records that cannot be read are skipped and
 * described in notes (char*, may be NULL). A dir that does not exist holds no record.
 * Returns: 0, or the -errno of opening dir
 */
int vf_record_load_all(const char *dir, GPtrArray *records, GPtrArray *notes) {
        g_autoptr(GPtrArray) files = NULL;
        int r;

        r = list_file_names(dir, &files);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (guint i = 0; i < files->len; i++)
                load_one(dir, files->pdata[i], records, notes);
        return 0;
}
