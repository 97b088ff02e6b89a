/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sim host descriptions: the NIC model table, parsing and printing of PF specs */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/names.h"
#include "core/pci-addr.h"
#include "tools/simhost-spec.h"

#define DEFAULT_TOTAL_VFS 64u
#define MAX_TOTAL_VFS 256u

typedef struct SimModel {
        const char *name;
        const char *description;
        uint16_t vendor_id, device_id, vf_vendor_id, vf_device_id;
        const char *driver, *vf_driver;
        unsigned ports;
        bool vf_netdevs, phys_port_id;
        unsigned vf_offset;
        unsigned speed;                 /* Mbit/s of the PF netdevs */
} SimModel;

/* The shapes of simhost.md's table of real NICs */
static const SimModel sim_models[] = {
        { "x710", "X710-like", 0x8086, 0x1572, 0x8086, 0x154c, "i40e", "iavf",
          .ports = 1, .vf_netdevs = true, .phys_port_id = false, .vf_offset = 16, .speed = 10000 },
        { "cx3", "ConnectX-3-like", 0x15b3, 0x1003, 0x15b3, 0x1004, "mlx4_core", "mlx4_core",
          .ports = 2, .vf_netdevs = true, .phys_port_id = true, .vf_offset = 1, .speed = 40000 },
        { "sfc", "Solarflare-like", 0x1924, 0x0a03, 0x1924, 0x1a03, "sfc", NULL,
          .ports = 1, .vf_netdevs = false, .phys_port_id = true, .vf_offset = 16, .speed = 10000 },
        { "custom", "custom", 0, 0, 0, 0, NULL, NULL,
          .ports = 1, .vf_netdevs = true, .phys_port_id = false, .vf_offset = 16, .speed = 10000 },
};

static const SimModel *sim_model_find(const char *name) {
        for (size_t i = 0; i < G_N_ELEMENTS(sim_models); i++)
                if (strcmp(sim_models[i].name, name) == 0)
                        return &sim_models[i];
        return NULL;
}

const char *pf_spec_model_description(const PfSpec *s) {
        const SimModel *m = sim_model_find(s->model);

        return m ? m->description : s->model;
}

PfSpec *pf_spec_free(PfSpec *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < SIMHOST_MAX_PORTS; i++) {
                g_free(s->name[i]);
                g_free(s->vf_prefix[i]);
        }
        g_free(s->model);
        g_free(s->driver);
        g_free(s->vf_driver);
        g_free(s->vf_flags);
        g_free(s);
        return NULL;
}

/* The raw key=value pairs of a description, before meaning is given to them. */
typedef struct SpecKeys {
        GHashTable *values;             /* key → value */
} SpecKeys;

static const char *const spec_keys[] = {
        "name", "name2", "bdf", "model", "vfs", "total", "port2", "dual", "nonetdev", "gap",
        "down", "vendor", "device", "vfvendor", "vfdevice", "driver", "vfdriver", "ports",
        "vfnetdevs", "portid", "vfoffset", "vfstride", "vfprefix", "vfprefix2", "iommu", "noiommu", "reset",
        "noreset", "speed", "numa", NULL,
};

static bool key_is_list(const char *key) {
        return g_str_equal(key, "port2") || g_str_equal(key, "dual") || g_str_equal(key, "nonetdev") ||
               g_str_equal(key, "gap") || g_str_equal(key, "noiommu") || g_str_equal(key, "noreset");
}

/* "a=1,b=2,3" into a=1 and b=2,3: a word without '=' continues the list of the key before it. */
static int split_keys(const char *text, GHashTable *values, char **reterr) {
        g_auto(GStrv) words = g_strsplit(text, ",", -1);
        const char *last_key = NULL;

        for (size_t i = 0; words[i]; i++) {
                char *eq = strchr(words[i], '=');
                g_autofree char *key = NULL;

                if (!eq) {
                        if (!last_key || !key_is_list(last_key) || words[i][0] == '\0') {
                                *reterr = g_strdup_printf("'%s' is not key=value", words[i]);
                                return -EINVAL;
                        }
                        char *joined = g_strconcat(g_hash_table_lookup(values, last_key), ",", words[i], NULL);

                        /* insert, not replace: an existing key is kept (last_key points to it), only the
                         * value is swapped */
                        g_hash_table_insert(values, g_strdup(last_key), joined);
                        continue;
                }
                key = g_strndup(words[i], (gsize) (eq - words[i]));
                if (!g_strv_contains(spec_keys, key)) {
                        *reterr = g_strdup_printf("unknown key '%s'", key);
                        return -EINVAL;
                }
                if (g_hash_table_contains(values, key)) {
                        *reterr = g_strdup_printf("key '%s' given twice", key);
                        return -EINVAL;
                }
                last_key = key;         /* stays valid: the table owns it from here */
                g_hash_table_insert(values, g_steal_pointer(&key), g_strdup(eq + 1));
        }
        return 0;
}

static int parse_number(const char *key, const char *s, unsigned base, unsigned max, unsigned *ret,
                        char **reterr) {
        char *end = NULL;
        guint64 v;

        errno = 0;
        v = g_ascii_strtoull(s, &end, base);
        if (!g_ascii_isxdigit(s[0]) || errno != 0 || *end != '\0' || v > max) {
                *reterr = base == 16 ? g_strdup_printf("%s='%s' is not a hex id from 0 to 0x%x", key, s, max)
                                     : g_strdup_printf("%s='%s' is not a number from 0 to %u", key, s, max);
                return -EINVAL;
        }
        *ret = (unsigned) v;
        return 0;
}

static int parse_uint(const char *key, const char *s, unsigned max, unsigned *ret, char **reterr) {
        if (!g_ascii_isdigit(s[0])) {
                *reterr = g_strdup_printf("%s='%s' is not a number from 0 to %u", key, s, max);
                return -EINVAL;
        }
        return parse_number(key, s, 10, max, ret, reterr);
}

/* numa=N (a node, 0–1023) or numa=none (the kernel's -1) */
static int parse_numa(const char *s, int *ret, char **reterr) {
        unsigned node;
        int r;

        if (g_str_equal(s, "none") || g_str_equal(s, "-1")) {
                *ret = -1;
                return 0;
        }
        r = parse_uint("numa", s, SIMHOST_NUMA_NODE_MAX, &node, reterr);
        if (r < 0)
                return r;
        *ret = (int) node;
        return 0;
}

static int parse_bool(const char *key, const char *s, bool *ret, char **reterr) {
        if (g_str_equal(s, "yes") || g_str_equal(s, "1") || g_str_equal(s, "true"))
                *ret = true;
        else if (g_str_equal(s, "no") || g_str_equal(s, "0") || g_str_equal(s, "false"))
                *ret = false;
        else {
                *reterr = g_strdup_printf("%s='%s' is not yes or no", key, s);
                return -EINVAL;
        }
        return 0;
}

/* The flags a VF must not have already to get this one: a gap is nothing else, and a VF is on
 * port 2 or in dual-port mode, not both; nonetdev goes with either port. */
static unsigned vf_flag_conflicts(SimVfFlag flag) {
        switch (flag) {
        case SIM_VF_GAP:
                return SIM_VF_GAP | SIM_VF_PORT2 | SIM_VF_DUAL | SIM_VF_NONETDEV | SIM_VF_NOIOMMU | SIM_VF_NORESET;
        case SIM_VF_PORT2:
        case SIM_VF_DUAL:
                return SIM_VF_GAP | SIM_VF_PORT2 | SIM_VF_DUAL;
        default:
                return SIM_VF_GAP | flag;
        }
}

/* "1,3,5-7" sets flag on those VF indices */
static int parse_list(const char *key, const char *s, PfSpec *spec, SimVfFlag flag, char **reterr) {
        g_auto(GStrv) items = g_strsplit(s, ",", -1);

        for (size_t i = 0; items[i]; i++) {
                unsigned first, last;
                char *dash = strchr(items[i], '-');
                int r;

                if (dash)
                        *dash = '\0';
                r = parse_uint(key, items[i], MAX_TOTAL_VFS - 1, &first, reterr);
                if (r >= 0)
                        r = dash ? parse_uint(key, dash + 1, MAX_TOTAL_VFS - 1, &last, reterr) : 0;
                if (r < 0)
                        return r;
                if (!dash)
                        last = first;
                if (last < first) {
                        *reterr = g_strdup_printf("%s: range %u-%u runs backwards", key, first, last);
                        return -EINVAL;
                }
                if (last >= spec->total_vfs) {
                        *reterr = g_strdup_printf("%s: VF %u is out of range (total=%u)", key,
                                                  MAX(first, last), spec->total_vfs);
                        return -EINVAL;
                }
                for (unsigned v = first; v <= last; v++) {
                        if (spec->vf_flags[v] & vf_flag_conflicts(flag)) {
                                *reterr = g_strdup_printf("%s: VF %u is listed twice, or in lists that exclude "
                                                          "each other", key, v);
                                return -EINVAL;
                        }
                        spec->vf_flags[v] |= (uint8_t) flag;
                }
        }
        return 0;
}

static int parse_id(GHashTable *values, const char *key, uint16_t fallback, uint16_t *ret, char **reterr) {
        const char *s = g_hash_table_lookup(values, key);
        unsigned v;
        int r;

        if (!s) {
                *ret = fallback;
                return 0;
        }
        r = parse_number(key, s, 16, 0xffff, &v, reterr);     /* PCI ids are hex, "0x" or not */
        if (r < 0)
                return r;
        *ret = (uint16_t) v;
        return 0;
}

static char *driver_value(GHashTable *values, const char *key, const char *fallback) {
        const char *s = g_hash_table_lookup(values, key);

        if (!s)
                return g_strdup(fallback);
        return g_str_equal(s, "none") || s[0] == '\0' ? NULL : g_strdup(s);
}

static int parse_model(GHashTable *values, PfSpec *s, const SimModel **ret, char **reterr) {
        const char *model = g_hash_table_lookup(values, "model");
        const SimModel *m;

        if (!model)
                model = g_hash_table_contains(values, "vendor") ? "custom" : NULL;
        if (!model) {
                *reterr = g_strdup("model= (x710, cx3, sfc) or vendor=/device= is required");
                return -EINVAL;
        }
        m = sim_model_find(model);
        if (!m) {
                *reterr = g_strdup_printf("unknown model '%s' (x710, cx3, sfc, custom)", model);
                return -EINVAL;
        }
        if (g_str_equal(model, "custom") &&
            (!g_hash_table_contains(values, "vendor") || !g_hash_table_contains(values, "device") ||
             !g_hash_table_contains(values, "driver"))) {
                *reterr = g_strdup("model=custom needs vendor=, device= and driver=");
                return -EINVAL;
        }
        s->model = g_strdup(model);
        *ret = m;
        return 0;
}

static int parse_ids_and_drivers(GHashTable *values, const SimModel *m, PfSpec *s, char **reterr) {
        int r;

        r = parse_id(values, "vendor", m->vendor_id, &s->vendor_id, reterr);
        if (r >= 0)
                r = parse_id(values, "device", m->device_id, &s->device_id, reterr);
        if (r >= 0)
                r = parse_id(values, "vfvendor", m->vf_vendor_id ? m->vf_vendor_id : s->vendor_id,
                             &s->vf_vendor_id, reterr);
        if (r >= 0)
                r = parse_id(values, "vfdevice", m->vf_device_id ? m->vf_device_id : s->device_id,
                             &s->vf_device_id, reterr);
        if (r < 0)
                return r;
        s->driver = driver_value(values, "driver", m->driver);
        /* a custom VF binds to the PF's driver unless told otherwise, as mlx4's do */
        s->vf_driver = driver_value(values, "vfdriver", g_str_equal(m->name, "custom") ? s->driver : m->vf_driver);
        if ((s->driver && !driver_name_is_valid(s->driver)) || (s->vf_driver && !driver_name_is_valid(s->vf_driver))) {
                *reterr = g_strdup("driver names are letters, digits, '_' and '-'");
                return -EINVAL;
        }
        return 0;
}

static int parse_counts(GHashTable *values, const SimModel *m, PfSpec *s, char **reterr) {
        const char *v;
        int r = 0;

        s->ports = m->ports;
        s->vf_offset = m->vf_offset;
        s->vf_stride = 1;
        if ((v = g_hash_table_lookup(values, "ports")))
                r = parse_uint("ports", v, 2, &s->ports, reterr);
        if (r >= 0 && s->ports == 0) {
                *reterr = g_strdup("ports= is 1 or 2");
                r = -EINVAL;
        }
        if (r >= 0 && (v = g_hash_table_lookup(values, "vfs")))
                r = parse_uint("vfs", v, MAX_TOTAL_VFS, &s->num_vfs, reterr);
        s->total_vfs = MAX(DEFAULT_TOTAL_VFS, s->num_vfs);
        if (r >= 0 && (v = g_hash_table_lookup(values, "total")))
                r = parse_uint("total", v, MAX_TOTAL_VFS, &s->total_vfs, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "vfoffset")))
                r = parse_uint("vfoffset", v, 0xffff, &s->vf_offset, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "vfstride")))
                r = parse_uint("vfstride", v, 0xff, &s->vf_stride, reterr);
        if (r < 0)
                return r;
        if (s->num_vfs > s->total_vfs) {
                *reterr = g_strdup_printf("vfs=%u is more than total=%u", s->num_vfs, s->total_vfs);
                return -EINVAL;
        }
        if (s->vf_offset == 0 || s->vf_stride == 0) {
                *reterr = g_strdup("vfoffset= and vfstride= must be at least 1");
                return -EINVAL;
        }
        return 0;
}

static int parse_flags(GHashTable *values, const SimModel *m, PfSpec *s, char **reterr) {
        const char *v;
        int r = 0;

        s->vf_netdevs = m->vf_netdevs;
        s->phys_port_id = m->phys_port_id;
        s->iommu = true;
        s->reset = true;
        s->speed = m->speed;
        if ((v = g_hash_table_lookup(values, "iommu")))
                r = parse_bool("iommu", v, &s->iommu, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "reset")))
                r = parse_bool("reset", v, &s->reset, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "speed")))
                r = parse_uint("speed", v, 800000, &s->speed, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "numa")))
                r = parse_numa(v, &s->numa_node, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "vfnetdevs")))
                r = parse_bool("vfnetdevs", v, &s->vf_netdevs, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "portid")))
                r = parse_bool("portid", v, &s->phys_port_id, reterr);
        if (r >= 0 && (v = g_hash_table_lookup(values, "down")))
                r = parse_bool("down", v, &s->down, reterr);
        return r;
}

static int parse_vf_lists(GHashTable *values, PfSpec *s, char **reterr) {
        static const struct {
                const char *key;
                SimVfFlag flag;
        } lists[] = {
                { "gap", SIM_VF_GAP },
                { "port2", SIM_VF_PORT2 },
                { "dual", SIM_VF_DUAL },
                { "nonetdev", SIM_VF_NONETDEV },
                { "noiommu", SIM_VF_NOIOMMU },
                { "noreset", SIM_VF_NORESET },
        };

        s->vf_flags = g_new0(uint8_t, s->total_vfs + 1);
        for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
                const char *v = g_hash_table_lookup(values, lists[i].key);
                int r;

                if (!v)
                        continue;
                if ((lists[i].flag & (SIM_VF_PORT2 | SIM_VF_DUAL)) && s->ports != 2) {
                        *reterr = g_strdup_printf("%s= needs a dual-port PF (ports=2)", lists[i].key);
                        return -EINVAL;
                }
                r = parse_list(lists[i].key, v, s, lists[i].flag, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_name(const char *key, const char *name, char **reterr) {
        if (!netdev_name_is_valid(name)) {
                *reterr = g_strdup_printf("%s='%s' is not a valid netdev name (1-15 bytes, no '/', ':' or spaces)",
                                          key, name);
                return -EINVAL;
        }
        return 0;
}

static int parse_names(GHashTable *values, PfSpec *s, char **reterr) {
        const char *name = g_hash_table_lookup(values, "name");
        const char *name2 = g_hash_table_lookup(values, "name2");
        const char *prefix2 = g_hash_table_lookup(values, "vfprefix2");
        int r;

        if (!name) {
                *reterr = g_strdup("name= is required");
                return -EINVAL;
        }
        if (s->ports == 1 && (name2 || prefix2)) {
                *reterr = g_strdup("name2=/vfprefix2= need a dual-port PF (ports=2)");
                return -EINVAL;
        }
        s->name[0] = g_strdup(name);
        if (s->ports == 2)
                s->name[1] = name2 ? g_strdup(name2) : g_strconcat(name, "d1", NULL);
        /* VF names are prefix + "v" + index (up to 255): 11 bytes of prefix keep them within 15 */
        s->vf_prefix[0] = g_strdup(g_hash_table_lookup(values, "vfprefix") ?: name);
        if (s->ports == 2)
                s->vf_prefix[1] = prefix2 ? g_strdup(prefix2) : g_strndup(s->name[1], 11);
        if (!g_hash_table_contains(values, "vfprefix") && strlen(s->vf_prefix[0]) > 11)
                s->vf_prefix[0][11] = '\0';
        for (unsigned p = 0; p < s->ports; p++) {
                r = check_name(p == 0 ? "name" : "name2", s->name[p], reterr);
                if (r < 0)
                        return r;
                if (s->vf_prefix[p][0] == '\0' || strlen(s->vf_prefix[p]) > 11 ||
                    !netdev_name_is_valid(s->vf_prefix[p])) {
                        *reterr = g_strdup_printf("VF name prefix '%s' must be a netdev name of at most 11 bytes "
                                                  "(set vfprefix%s=)", s->vf_prefix[p], p == 0 ? "" : "2");
                        return -EINVAL;
                }
        }
        if (s->ports == 2 && g_str_equal(s->name[0], s->name[1])) {
                *reterr = g_strdup("name and name2 must differ");
                return -EINVAL;
        }
        return 0;
}

static int parse_bdf(GHashTable *values, PfSpec *s, char **reterr) {
        const char *bdf = g_hash_table_lookup(values, "bdf");

        if (!bdf) {
                *reterr = g_strdup("bdf= is required");
                return -EINVAL;
        }
        if (pci_addr_from_string(bdf, &s->addr) < 0) {
                *reterr = g_strdup_printf("bdf='%s' is not a PCI address DDDD:BB:SS.F", bdf);
                return -EINVAL;
        }
        return 0;
}

/**
 * pf_spec_parse() - a --pf description "name=eth0,bdf=0000:03:00.0,model=x710,vfs=8"
 * Returns: 0, or -EINVAL with a message saying what is wrong in *reterr_message
 */
int pf_spec_parse(const char *text, PfSpec **ret, char **reterr_message) {
        g_autoptr(GHashTable) values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autoptr(PfSpec) s = g_new0(PfSpec, 1);
        const SimModel *m = NULL;
        int r;

        r = split_keys(text, values, reterr_message);
        if (r >= 0)
                r = parse_model(values, s, &m, reterr_message);
        if (r >= 0)
                r = parse_bdf(values, s, reterr_message);
        if (r >= 0)
                r = parse_ids_and_drivers(values, m, s, reterr_message);
        if (r >= 0)
                r = parse_counts(values, m, s, reterr_message);
        if (r >= 0)
                r = parse_flags(values, m, s, reterr_message);
        if (r >= 0)
                r = parse_names(values, s, reterr_message);
        if (r >= 0)
                r = parse_vf_lists(values, s, reterr_message);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&s);
        return 0;
}

static void append_list(GString *out, const char *key, const PfSpec *s, SimVfFlag flag) {
        bool first = true;

        for (unsigned i = 0; i < s->total_vfs; i++) {
                if (!(s->vf_flags[i] & flag))
                        continue;
                if (first)
                        g_string_append_printf(out, ",%s=%u", key, i);
                else
                        g_string_append_printf(out, ",%u", i);
                first = false;
        }
}

char *pf_spec_to_string(const PfSpec *s) {
        GString *out = g_string_new(NULL);
        char bdf[PCI_ADDR_STR_MAX];

        g_string_append_printf(out, "name=%s,", s->name[0]);
        if (s->ports == 2)
                g_string_append_printf(out, "name2=%s,vfprefix2=%s,", s->name[1], s->vf_prefix[1]);
        g_string_append_printf(out,
                               "vfprefix=%s,bdf=%s,model=%s,vendor=0x%04x,device=0x%04x,vfvendor=0x%04x,"
                               "vfdevice=0x%04x,driver=%s,vfdriver=%s,ports=%u,vfnetdevs=%s,portid=%s,down=%s,"
                               "vfs=%u,total=%u,vfoffset=%u,vfstride=%u,iommu=%s,reset=%s,speed=%u,numa=%d",
                               s->vf_prefix[0], pci_addr_to_string(&s->addr, bdf), s->model,
                               s->vendor_id, s->device_id, s->vf_vendor_id, s->vf_device_id,
                               s->driver ?: "none", s->vf_driver ?: "none", s->ports,
                               s->vf_netdevs ? "yes" : "no", s->phys_port_id ? "yes" : "no",
                               s->down ? "yes" : "no", s->num_vfs, s->total_vfs, s->vf_offset, s->vf_stride,
                               s->iommu ? "yes" : "no", s->reset ? "yes" : "no", s->speed, s->numa_node);
        append_list(out, "gap", s, SIM_VF_GAP);
        append_list(out, "port2", s, SIM_VF_PORT2);
        append_list(out, "dual", s, SIM_VF_DUAL);
        append_list(out, "nonetdev", s, SIM_VF_NONETDEV);
        append_list(out, "noiommu", s, SIM_VF_NOIOMMU);
        append_list(out, "noreset", s, SIM_VF_NORESET);
        return g_string_free(out, false);
}

int pf_spec_vf_addr(const PfSpec *s, unsigned i, PciAddr *ret) {
        /* routing ID = bus:slot.function as one 16-bit number, as SR-IOV's offset and stride count */
        uint32_t rid = (s->addr.bus << 8) | (s->addr.slot << 3) | s->addr.function;
        uint64_t vf_rid = (uint64_t) rid + s->vf_offset + (uint64_t) i * s->vf_stride;

        if (vf_rid > 0xffff)
                return -ERANGE;
        *ret = (PciAddr) {
                .domain = s->addr.domain,
                .bus = (uint32_t) (vf_rid >> 8),
                .slot = (uint32_t) (vf_rid >> 3) & 0x1f,
                .function = (uint32_t) vf_rid & 7,
        };
        return 0;
}

char *pf_spec_port_id(const PfSpec *s, unsigned port) {
        uint32_t rid = (s->addr.bus << 8) | (s->addr.slot << 3) | s->addr.function;

        return g_strdup_printf("%04x%04x%04x%04x", s->vendor_id, s->addr.domain, rid, port);
}
