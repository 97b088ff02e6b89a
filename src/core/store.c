/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Store: persistent definitions, autostart marks and live state on disk */
#include <errno.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/names.h"
#include "core/store.h"
#include "core/xml-util.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define STATE_FILE_MAX (64 * 1024 * 1024)

/* A crash in the middle of an atomic write leaves its temporary file (".#NAME.PID"): never read, removed
 * here so that they do not pile up. */
static void remove_stale_temporaries(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *f;

        while (d && (f = g_dir_read_name(d)))
                if (g_str_has_prefix(f, ".#")) {
                        g_autofree char *path = g_build_filename(dir, f, NULL);

                        (void) unlink(path);
                }
}

int store_open(const char *config_dir, const char *state_dir, Store **ret) {
        g_autoptr(Store) s = g_new0(Store, 1);
        int r;

        s->config_dir = g_strdup(config_dir);
        s->state_dir = g_strdup(state_dir);
        s->autostart_dir = g_build_filename(config_dir, "autostart", NULL);
        s->live_dir = g_build_filename(state_dir, "networks", NULL);
        s->ports_dir = g_build_filename(state_dir, "ports", NULL);
        s->vf_dir = g_build_filename(state_dir, "vf", NULL);
        s->vlan_dir = g_build_filename(state_dir, "vlan", NULL);
        const char *const dirs[] = { s->autostart_dir, s->live_dir, s->ports_dir, s->vf_dir, s->vlan_dir };
        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
                r = mkdir_parents(dirs[i]);
                if (r < 0)
                        return r;
                remove_stale_temporaries(dirs[i]);
        }
        /* STATE's own files (statistics, autostarted) and CONFIG's definitions are written there */
        remove_stale_temporaries(state_dir);
        remove_stale_temporaries(config_dir);
        *ret = g_steal_pointer(&s);
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        g_free(s->config_dir);
        g_free(s->state_dir);
        g_free(s->autostart_dir);
        g_free(s->live_dir);
        g_free(s->ports_dir);
        g_free(s->vf_dir);
        g_free(s->vlan_dir);
        g_free(s);
        return NULL;
}

static char *xml_file_name(const char *name) {
        g_assert(network_name_is_valid(name));
        return g_strconcat(name, ".xml", NULL);
}

int store_save_definition(Store *s, const NetDef *def) {
        g_autofree char *xml = netdef_format_xml(def, NETDEF_FORMAT_INACTIVE);
        g_autofree char *file = xml_file_name(def->name);

        return write_file_durable(s->config_dir, file, xml, strlen(xml));
}

int store_remove_definition(Store *s, const char *name) {
        g_autofree char *file = xml_file_name(name);
        int r;

        r = store_set_autostart(s, name, false);
        if (r < 0)
                return r;
        return unlink_durable(s->config_dir, file);
}

int store_set_autostart(Store *s, const char *name, bool on) {
        g_assert(network_name_is_valid(name));
        if (on)
                return write_file_durable(s->autostart_dir, name, "", 0);
        return unlink_durable(s->autostart_dir, name);
}

int store_save_live(Store *s, const Network *n) {
        g_autoptr(GString) out = g_string_new("<networkstatus>\n");
        g_autofree char *live = network_format_xml(n, /* inactive= */ false);
        g_autofree char *file = xml_file_name(network_name(n));

        g_string_append(out, live);
        if (n->pool)
                pool_format_xml(n->pool, out, 2);
        g_string_append(out, "</networkstatus>\n");
        return write_file_atomic(s->live_dir, file, out->str, out->len);
}

int store_remove_live(Store *s, const char *name) {
        g_autofree char *file = xml_file_name(name);

        return unlink_atomic(s->live_dir, file);
}

static int load_definition(const char *path, NetDef **ret, char **ret_msg) {
        g_autofree char *xml = NULL;
        g_auto(NetDefError) err = {};
        int r;

        r = read_file_full(path, NETDEF_XML_MAX, &xml, NULL);
        if (r < 0) {
                *ret_msg = g_strdup_printf("%s: %s", path, g_strerror(-r));
                return r;
        }
        r = netdef_parse_xml(xml, 0, ret, &err);
        if (r < 0)
                *ret_msg = g_strdup_printf("%s: %s", path, err.message ?: g_strerror(-r));
        return r;
}

/* store_save_live() writes the network's devices from its pool, so the two halves of a record are one list
 * written twice: halves that disagree mean damage, and the live view would silently be the pool's half. */
static bool pool_matches_devs(const Pool *pool, const NetDef *def) {
        if (pool->devices->len != def->devs->len)
                return false;
        for (guint i = 0; i < def->devs->len; i++) {
                const PoolDevice *d = pool->devices->pdata[i];
                g_autofree char *id = forward_dev_id(&g_array_index(def->devs, ForwardDev, i));

                if (!streq_ptr(id, d->id))
                        return false;
        }
        return true;
}

/**
 * store_parse_live() - read a live record (<networkstatus>: the live <network> and its <pool>)
 *
 * The parser behind store_load() for STATE/networks/<name>.xml.
 * Returns: 0 with *ret_def and *ret_pool (NULL without a <pool>) set; or -EINVAL, or the error of
 * netdef_parse_xml() on the <network>, with *ret_msg set.
 */
int store_parse_live(const char *text, NetDef **ret_def, Pool **ret_pool, char **ret_msg) {
        g_autofree char *net_xml = NULL, *msg = NULL;
        g_autoptr(xmlDoc) doc = NULL;
        g_autoptr(NetDef) def = NULL;
        g_autoptr(Pool) pool = NULL;
        g_auto(NetDefError) err = {};
        xmlNode *root, *net = NULL, *pool_node = NULL;
        int r;

        r = xml_read_document(text, strlen(text), &doc, &msg);
        root = r >= 0 ? xmlDocGetRootElement(doc) : NULL;
        if (!root || !streq((const char *) root->name, "networkstatus")) {
                *ret_msg = g_strdup("not a <networkstatus> record");
                return -EINVAL;
        }
        for (xmlNode *n = root->children; n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE)
                        continue;
                if (streq((const char *) n->name, "network"))
                        net = n;
                else if (streq((const char *) n->name, "pool"))
                        pool_node = n;
        }
        if (!net) {
                *ret_msg = g_strdup("no <network>");
                return -EINVAL;
        }
        net_xml = xml_node_to_string(doc, net);
        r = netdef_parse_xml(net_xml, NETDEF_PARSE_STATE, &def, &err);
        if (r < 0) {
                *ret_msg = g_strdup(err.message ?: g_strerror(-r));
                return r;
        }
        if (pool_node) {
                r = pool_parse_xml(pool_node, network_is_exclusive(def), &pool, &msg);
                if (r < 0) {
                        *ret_msg = g_steal_pointer(&msg);
                        return r;
                }
                if (!pool_matches_devs(pool, def)) {
                        *ret_msg = g_strdup("<pool> does not hold the devices the live <network> lists");
                        return -EINVAL;
                }
        }
        *ret_def = g_steal_pointer(&def);
        *ret_pool = g_steal_pointer(&pool);
        return 0;
}

static int load_live(const char *path, NetDef **ret_def, Pool **ret_pool, char **ret_msg) {
        g_autofree char *text = NULL, *msg = NULL;
        int r;

        r = read_file_full(path, STATE_FILE_MAX, &text, NULL);
        if (r >= 0)
                r = store_parse_live(text, ret_def, ret_pool, &msg);
        if (r < 0)
                *ret_msg = g_strdup_printf("%s: %s", path, msg ?: g_strerror(-r));
        return r;
}

/* Valid network names of the *.xml files in dir. */
static GPtrArray *list_xml_names(const char *dir) {
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *f;

        while (d && (f = g_dir_read_name(d))) {
                g_autofree char *name = NULL;

                if (!g_str_has_suffix(f, ".xml"))
                        continue;
                name = g_strndup(f, strlen(f) - 4);
                if (network_name_is_valid(name))
                        g_ptr_array_add(names, g_steal_pointer(&name));
        }
        g_ptr_array_sort(names, (GCompareFunc) g_strcmp0);
        return names;
}

static Network *find_by_name(GPtrArray *networks, const char *name) {
        for (guint i = 0; i < networks->len; i++)
                if (streq(network_name(networks->pdata[i]), name))
                        return networks->pdata[i];
        return NULL;
}

static void load_definitions(Store *s, GPtrArray *networks, GPtrArray *notes) {
        g_autoptr(GPtrArray) names = list_xml_names(s->config_dir);

        for (guint i = 0; i < names->len; i++) {
                g_autofree char *path = g_strconcat(s->config_dir, "/", names->pdata[i], ".xml", NULL);
                g_autofree char *mark = g_build_filename(s->autostart_dir, names->pdata[i], NULL);
                g_autofree char *msg = NULL;
                NetDef *def = NULL;
                Network *n;

                if (load_definition(path, &def, &msg) < 0) {
                        g_ptr_array_add(notes, g_steal_pointer(&msg));
                        continue;
                }
                if (!streq(def->name, names->pdata[i])) {
                        g_ptr_array_add(notes, g_strdup_printf("%s: holds network '%s', not '%s'; ignored",
                                                               path, def->name, (char *) names->pdata[i]));
                        netdef_free(def);
                        continue;
                }
                n = network_new(def);
                n->persistent = true;
                n->autostart = access(mark, F_OK) == 0;
                g_ptr_array_add(networks, n);
        }
}

static void load_live_states(Store *s, GPtrArray *networks, GPtrArray *notes) {
        g_autoptr(GPtrArray) names = list_xml_names(s->live_dir);

        for (guint i = 0; i < names->len; i++) {
                g_autofree char *path = g_strconcat(s->live_dir, "/", names->pdata[i], ".xml", NULL);
                g_autofree char *msg = NULL;
                NetDef *live = NULL;
                Pool *pool = NULL;
                Network *n;

                if (load_live(path, &live, &pool, &msg) < 0) {
                        g_ptr_array_add(notes, g_steal_pointer(&msg));
                        continue;
                }
                n = find_by_name(networks, live->name);
                if (n && !streq(network_uuid(n), live->uuid)) {
                        g_ptr_array_add(notes, g_strdup_printf("%s: UUID differs from the definition of '%s'; "
                                                               "ignored", path, live->name));
                        netdef_free(live);
                        pool_free(pool);
                        continue;
                }
                if (!n) {
                        n = network_new(NULL);
                        g_ptr_array_add(networks, n);
                } else
                        n->new_def = g_steal_pointer(&n->def);  /* the persistent one waits for Stop */
                n->def = live;
                n->pool = pool;
                n->active = true;
        }
}

int store_load(Store *s, GPtrArray *networks, GPtrArray *notes) {
        load_definitions(s, networks, notes);
        load_live_states(s, networks, notes);
        return 0;
}

static char *port_file_name(const char *uuid) {
        g_assert(uuid_is_valid(uuid));
        return g_strconcat(uuid, ".xml", NULL);
}

int store_save_port(Store *s, const Port *p) {
        g_autofree char *xml = port_record_format(p);
        g_autofree char *file = port_file_name(port_uuid(p));

        return write_file_atomic(s->ports_dir, file, xml, strlen(xml));
}

int store_remove_port(Store *s, const char *uuid) {
        g_autofree char *file = port_file_name(uuid);

        return unlink_atomic(s->ports_dir, file);
}

int store_load_ports(Store *s, GPtrArray *ports, GPtrArray *notes) {
        g_autoptr(GDir) d = g_dir_open(s->ports_dir, 0, NULL);
        const char *f;

        while (d && (f = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(s->ports_dir, f, NULL);
                g_autofree char *uuid = NULL, *text = NULL, *msg = NULL;
                Port *p = NULL;
                int r;

                if (!g_str_has_suffix(f, ".xml"))
                        continue;
                uuid = g_strndup(f, strlen(f) - 4);
                if (!uuid_is_valid(uuid))
                        continue;
                r = read_file_full(path, STATE_FILE_MAX, &text, NULL);
                if (r >= 0)
                        r = port_record_parse(text, &p, &msg);
                if (r >= 0 && !streq(port_uuid(p), uuid)) {
                        msg = g_strdup("holds another port's UUID");
                        port_free(g_steal_pointer(&p));
                        r = -EINVAL;
                }
                if (r < 0) {
                        g_ptr_array_add(notes, g_strdup_printf("%s: %s", path, msg ?: g_strerror(-r)));
                        continue;
                }
                g_ptr_array_add(ports, p);
        }
        return 0;
}

bool store_autostart_pending(Store *s) {
        g_autofree char *path = g_build_filename(s->state_dir, "autostarted", NULL);

        return access(path, F_OK) < 0;
}

int store_mark_autostarted(Store *s) {
        return write_file_atomic(s->state_dir, "autostarted", "", 0);
}

char *store_file_path(const Store *s, StoreFile kind, const char *name) {
        switch (kind) {
        case STORE_FILE_DEFINITION:
                return g_strconcat(s->config_dir, "/", name, ".xml", NULL);
        case STORE_FILE_AUTOSTART:
                return g_build_filename(s->autostart_dir, name, NULL);
        case STORE_FILE_LIVE:
                return g_strconcat(s->live_dir, "/", name, ".xml", NULL);
        case STORE_FILE_PORT:
                return g_strconcat(s->ports_dir, "/", name, ".xml", NULL);
        case STORE_FILE_VLAN_DEVICE:
                return g_build_filename(s->vlan_dir, name, NULL);
        }
        return g_strdup(name);
}

int store_mark_vlan_device(Store *s, const char *name) {
        if (!netdev_name_is_valid(name))
                return -EINVAL;
        return write_file_atomic(s->vlan_dir, name, "", 0);
}

int store_unmark_vlan_device(Store *s, const char *name) {
        int r;

        if (!netdev_name_is_valid(name))
                return -EINVAL;
        r = unlink_atomic(s->vlan_dir, name);
        return r == -ENOENT ? 0 : r;
}

bool store_vlan_device_marked(Store *s, const char *name) {
        g_autofree char *path = NULL;

        if (!netdev_name_is_valid(name))
                return false;
        path = g_build_filename(s->vlan_dir, name, NULL);
        return access(path, F_OK) == 0;
}

static gint compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *store_list_vlan_devices(Store *s) {
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GDir) d = g_dir_open(s->vlan_dir, 0, NULL);
        const char *f;

        while (d && (f = g_dir_read_name(d)))
                if (netdev_name_is_valid(f) && f[0] != '.')  /* not a temporary ".#…" */
                        g_ptr_array_add(names, g_strdup(f));
        g_ptr_array_sort(names, compare_strings);
        return names;
}
