/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host record: the PFs a host was built from and its counters, kept in R/.simhost/host.ini */
#include <errno.h>

#include <glib.h>

#include "shared/fileio.h"
#include "tools/simhost-spec.h"

static void pf_spec_free_void(gpointer p) {
        pf_spec_free(p);
}

SimHost *sim_host_new(const char *root) {
        SimHost *h = g_new0(SimHost, 1);

        h->root = g_strdup(root);
        h->pfs = g_ptr_array_new_with_free_func(pf_spec_free_void);
        h->next_ifindex = 2;            /* 1 is lo's on every Linux host */
        h->next_mac = 1;
        return h;
}

SimHost *sim_host_free(SimHost *h) {
        if (!h)
                return NULL;
        g_free(h->root);
        g_ptr_array_unref(h->pfs);
        g_free(h);
        return NULL;
}

PfSpec *sim_host_find_pf(SimHost *h, const PciAddr *addr) {
        for (guint i = 0; i < h->pfs->len; i++) {
                PfSpec *s = h->pfs->pdata[i];

                if (pci_addr_equal(&s->addr, addr))
                        return s;
        }
        return NULL;
}

char *sim_host_record_dir(const char *root) {
        return g_build_filename(root, ".simhost", NULL);
}

int sim_host_save(const SimHost *h) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autofree char *dir = sim_host_record_dir(h->root), *data = NULL;
        gsize len = 0;
        int r;

        g_key_file_set_uint64(kf, "host", "next-ifindex", h->next_ifindex);
        g_key_file_set_uint64(kf, "host", "next-mac", h->next_mac);
        g_key_file_set_uint64(kf, "host", "next-group", h->next_group);
        for (guint i = 0; i < h->pfs->len; i++) {
                const PfSpec *s = h->pfs->pdata[i];
                g_autofree char *spec = pf_spec_to_string(s);
                char bdf[PCI_ADDR_STR_MAX];

                g_key_file_set_string(kf, pci_addr_to_string(&s->addr, bdf), "spec", spec);
        }
        data = g_key_file_to_data(kf, &len, NULL);
        r = mkdir_parents(dir);
        if (r < 0)
                return r;
        return write_file_atomic(dir, "host.ini", data, len);
}

static int load_pf(GKeyFile *kf, const char *group, SimHost *h, char **reterr) {
        g_autofree char *spec = g_key_file_get_string(kf, group, "spec", NULL);
        PfSpec *s = NULL;
        int r;

        if (!spec) {
                *reterr = g_strdup_printf("host record: [%s] has no spec", group);
                return -EINVAL;
        }
        r = pf_spec_parse(spec, &s, reterr);
        if (r < 0)
                return r;
        g_ptr_array_add(h->pfs, s);
        return 0;
}

/**
 * sim_host_load() - the record a previous run left in R/.simhost/host.ini
 * Returns: 0, -ENOENT when root holds no sim host, -EINVAL for a damaged record
 */
int sim_host_load(const char *root, SimHost **ret, char **reterr_message) {
        g_autofree char *dir = sim_host_record_dir(root);
        g_autofree char *path = g_build_filename(dir, "host.ini", NULL);
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(SimHost) h = sim_host_new(root);
        g_auto(GStrv) groups = NULL;
        g_autoptr(GError) error = NULL;

        if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error)) {
                bool missing = g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

                *reterr_message = missing ? g_strdup_printf("%s is not a sim host (no %s)", root, path)
                                          : g_strdup_printf("%s: %s", path, error->message);
                return missing ? -ENOENT : -EINVAL;
        }
        h->next_ifindex = (unsigned) g_key_file_get_uint64(kf, "host", "next-ifindex", NULL);
        h->next_mac = (unsigned) g_key_file_get_uint64(kf, "host", "next-mac", NULL);
        h->next_group = (unsigned) g_key_file_get_uint64(kf, "host", "next-group", NULL);     /* 0 when absent */
        groups = g_key_file_get_groups(kf, NULL);
        for (size_t i = 0; groups[i]; i++) {
                int r;

                if (g_str_equal(groups[i], "host"))
                        continue;
                r = load_pf(kf, groups[i], h, reterr_message);
                if (r < 0)
                        return r;
        }
        if (h->next_ifindex < 2 || h->next_mac < 1) {
                *reterr_message = g_strdup_printf("%s: damaged [host] counters", path);
                return -EINVAL;
        }
        *ret = g_steal_pointer(&h);
        return 0;
}
