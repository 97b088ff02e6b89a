/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's VFs as Kubernetes ResourceSlices: a small document tree written as YAML or JSON */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "ctl/netpoolctl-dra.h"
#include "ctl/netpoolctl-output.h"
#include "shared/macro.h"

/* ---- Names the API reference constrains ---- */

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, of len bytes */
static bool is_label(const char *s, size_t len) {
        if (len == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

bool dra_is_dns_label(const char *s, size_t max) {
        size_t len = strlen(s);

        return len <= MIN(max, (size_t) DRA_DNS_LABEL_MAX) && is_label(s, len);
}

/* labels separated by dots, within len bytes */
static bool is_subdomain(const char *s, size_t len) {
        const char *end = s + len;

        if (len == 0)
                return false;
        while (s <= end) {
                const char *dot = memchr(s, '.', end - s);
                const char *label_end = dot ? dot : end;

                if (label_end - s > DRA_DNS_LABEL_MAX || !is_label(s, label_end - s))
                        return false;
                s = label_end + 1;
        }
        return true;
}

bool dra_is_dns_subdomain(const char *s, size_t max) {
        size_t len = strlen(s);

        return len <= max && is_subdomain(s, len);
}

bool dra_is_pool_name(const char *s) {
        g_auto(GStrv) parts = NULL;

        if (strlen(s) > DRA_POOL_NAME_MAX)
                return false;
        parts = g_strsplit(s, "/", -1);
        for (size_t i = 0; parts[i]; i++)
                if (!dra_is_dns_subdomain(parts[i], DRA_DNS_SUBDOMAIN_MAX))
                        return false;
        return parts[0] != NULL;
}

static bool is_c_identifier(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > DRA_ATTRIBUTE_ID_MAX || g_ascii_isdigit(s[0]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!g_ascii_isalnum(s[i]) && s[i] != '_')
                        return false;
        return true;
}

bool dra_is_qualified_name(const char *s) {
        const char *slash = strchr(s, '/');

        if (!slash)
                return is_c_identifier(s);
        return slash - s <= DRA_ATTRIBUTE_DOMAIN_MAX && is_subdomain(s, slash - s) &&
               is_c_identifier(slash + 1);
}

char *dra_device_name(const char *pci_address) {
        g_autofree char *name = g_ascii_strdown(pci_address, -1);

        for (char *p = name; *p; p++)
                if (!is_lower_alnum(*p))
                        *p = '-';
        if (!dra_is_dns_label(name, DRA_DNS_LABEL_MAX))
                return NULL;
        return g_steal_pointer(&name);
}

char *dra_node_name_from_hostname(const char *hostname) {
        g_autofree char *name = g_ascii_strdown(hostname, -1);

        if (!dra_is_dns_subdomain(name, DRA_DNS_SUBDOMAIN_MAX))
                return NULL;
        return g_steal_pointer(&name);
}

static bool api_version_has_basic(const char *api_version) {
        return streq(api_version, "v1beta1");
}

static bool api_version_is_known(const char *api_version) {
        return streq(api_version, "v1") || streq(api_version, "v1beta2") || streq(api_version, "v1beta1");
}

int dra_options_check(const DraOptions *o, char **reterr_message) {
        const char *pool = o->pool ? o->pool : o->node_name;

        if (!api_version_is_known(o->api_version)) {
                *reterr_message = g_strdup_printf("unknown API version '%s': expected v1, v1beta2 or v1beta1",
                                                  o->api_version);
                return -EINVAL;
        }
        if (!dra_is_dns_subdomain(o->driver, DRA_DRIVER_NAME_MAX)) {
                *reterr_message = g_strdup_printf("invalid driver name '%s': a DNS subdomain of at most %d "
                                                  "characters, lower case (netpool.io)", o->driver,
                                                  DRA_DRIVER_NAME_MAX);
                return -EINVAL;
        }
        if (!dra_is_dns_subdomain(o->node_name, DRA_DNS_SUBDOMAIN_MAX)) {
                *reterr_message = g_strdup_printf("invalid node name '%s': a DNS subdomain of at most %d "
                                                  "characters, lower case", o->node_name, DRA_DNS_SUBDOMAIN_MAX);
                return -EINVAL;
        }
        if (!dra_is_pool_name(pool)) {
                *reterr_message = g_strdup_printf("invalid pool name '%s': DNS subdomains separated by '/', at "
                                                  "most %d characters", pool, DRA_POOL_NAME_MAX);
                return -EINVAL;
        }
        if (o->generation < 0) {
                *reterr_message = g_strdup_printf("invalid generation %" PRId64 ": 0 or more", o->generation);
                return -EINVAL;
        }
        return 0;
}

bool dra_device_is_published(const DraOptions *o, const CtlDevice *d) {
        if (!ctl_device_is_vf(d) || !*d->pci_address)
                return false;
        /* in use: only by a scheduler's claim, which the scheduler counts as allocated; a port of anyone
         * else's makes the VF as unavailable to the scheduler as a holder outside netpool does */
        if (!streq(d->state, "free") && !(streq(d->state, "in-use") && *d->port_claim))
                return false;
        return !o->network || g_strv_contains((const char *const *) d->networks, o->network);
}

/* ---- The document: a tree of maps, sequences and scalars ---- */

typedef enum DocType {
        DOC_MAP,
        DOC_SEQ,
        DOC_STRING,
        DOC_INT,
} DocType;

typedef struct Doc {
        DocType type;
        char *key;                      /* in a map */
        char *string;
        int64_t number;
        GPtrArray *children;            /* Doc*, of a map or sequence */
} Doc;

static void doc_free(Doc *doc) {
        if (!doc)
                return;
        g_free(doc->key);
        g_free(doc->string);
        if (doc->children)
                g_ptr_array_unref(doc->children);
        g_free(doc);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Doc, doc_free)

static Doc *doc_new(DocType type) {
        Doc *doc = g_new0(Doc, 1);

        doc->type = type;
        if (type == DOC_MAP || type == DOC_SEQ)
                doc->children = g_ptr_array_new_with_free_func((GDestroyNotify) doc_free);
        return doc;
}

static Doc *doc_add(Doc *parent, const char *key, Doc *child) {
        child->key = g_strdup(key);
        g_ptr_array_add(parent->children, child);
        return child;
}

static Doc *doc_add_map(Doc *parent, const char *key) {
        return doc_add(parent, key, doc_new(DOC_MAP));
}

static Doc *doc_add_seq(Doc *parent, const char *key) {
        return doc_add(parent, key, doc_new(DOC_SEQ));
}

static void doc_add_string(Doc *parent, const char *key, const char *value) {
        Doc *doc = doc_new(DOC_STRING);

        doc->string = g_strdup(value);
        doc_add(parent, key, doc);
}

static void doc_add_int(Doc *parent, const char *key, int64_t value) {
        Doc *doc = doc_new(DOC_INT);

        doc->number = value;
        doc_add(parent, key, doc);
}

/* ---- YAML ---- */

/* Words YAML 1.1 (which sigs.k8s.io/yaml reads) takes for booleans and null */
static const char *const yaml_reserved_words[] = {
        "y", "yes", "n", "no", "true", "false", "on", "off", "null",
};

static bool yaml_plain_is_safe(const char *s) {
        if (!g_ascii_isalpha(s[0]))
                return false;   /* numbers, dates, indicators (-, ?, :, &, *, !, |, >, ', ", %, @, `) */
        for (const char *p = s; *p; p++)
                if (!g_ascii_isalnum(*p) && !strchr("._/-", *p))
                        return false;
        for (size_t i = 0; i < G_N_ELEMENTS(yaml_reserved_words); i++)
                if (g_ascii_strcasecmp(s, yaml_reserved_words[i]) == 0)
                        return false;
        return true;
}

char *dra_yaml_scalar(const char *s) {
        g_autofree char *valid = g_utf8_make_valid(s, -1);
        GString *out;

        if (yaml_plain_is_safe(valid))
                return g_strdup(valid);
        out = g_string_new("\"");
        for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (c == '"' || c == '\\')
                        g_string_append_printf(out, "\\%c", (char) c);
                else if (c >= 0x20 && c < 0x7f)
                        g_string_append_c(out, (char) c);
                else if (c <= 0xffff)   /* everything else escaped: printable in any YAML reader */
                        g_string_append_printf(out, "\\u%04" G_GINT32_MODIFIER "x", (gint32) c);
                else
                        g_string_append_printf(out, "\\U%08" G_GINT32_MODIFIER "x", (gint32) c);
        }
        g_string_append_c(out, '"');
        return g_string_free(out, FALSE);
}

static void yaml_indent(GString *out, unsigned indent) {
        for (unsigned i = 0; i < indent; i++)
                g_string_append_c(out, ' ');
}

static void yaml_append_scalar(GString *out, const Doc *doc) {
        g_autofree char *text = NULL;

        if (doc->type == DOC_INT)
                g_string_append_printf(out, "%" PRId64, doc->number);
        else {
                text = dra_yaml_scalar(doc->string);
                g_string_append(out, text);
        }
}

static void yaml_append_map(GString *out, const Doc *map, unsigned indent, bool first_inline);

/* A sequence in the block style kubectl writes: "- " at the indentation of its key. */
static void yaml_append_seq(GString *out, const Doc *seq, unsigned indent) {
        for (unsigned i = 0; i < seq->children->len; i++) {
                const Doc *item = seq->children->pdata[i];

                yaml_indent(out, indent);
                g_string_append(out, "- ");
                if (item->type == DOC_MAP && item->children->len > 0)
                        yaml_append_map(out, item, indent + 2, /* first_inline= */ true);
                else if (item->type == DOC_MAP)
                        g_string_append(out, "{}\n");
                else if (item->type == DOC_SEQ)
                        g_string_append(out, "[]\n");   /* no nested sequences in a slice */
                else {
                        yaml_append_scalar(out, item);
                        g_string_append_c(out, '\n');
                }
        }
}

static void yaml_append_map(GString *out, const Doc *map, unsigned indent, bool first_inline) {
        for (unsigned i = 0; i < map->children->len; i++) {
                const Doc *child = map->children->pdata[i];
                g_autofree char *key = dra_yaml_scalar(child->key);

                if (i > 0 || !first_inline)
                        yaml_indent(out, indent);
                g_string_append_printf(out, "%s:", key);
                if ((child->type == DOC_MAP || child->type == DOC_SEQ) && child->children->len == 0) {
                        g_string_append(out, child->type == DOC_MAP ? " {}\n" : " []\n");
                } else if (child->type == DOC_MAP) {
                        g_string_append_c(out, '\n');
                        yaml_append_map(out, child, indent + 2, false);
                } else if (child->type == DOC_SEQ) {
                        g_string_append_c(out, '\n');
                        yaml_append_seq(out, child, indent);
                } else {
                        g_string_append_c(out, ' ');
                        yaml_append_scalar(out, child);
                        g_string_append_c(out, '\n');
                }
        }
}

/* ---- JSON ---- */

static void json_append_doc(JsonWriter *w, const Doc *doc) {
        switch (doc->type) {
        case DOC_MAP:
                json_writer_begin_object(w);
                for (unsigned i = 0; i < doc->children->len; i++) {
                        const Doc *child = doc->children->pdata[i];

                        json_writer_key(w, child->key);
                        json_append_doc(w, child);
                }
                json_writer_end_object(w);
                break;
        case DOC_SEQ:
                json_writer_begin_array(w);
                for (unsigned i = 0; i < doc->children->len; i++)
                        json_append_doc(w, doc->children->pdata[i]);
                json_writer_end_array(w);
                break;
        case DOC_STRING:
                json_writer_string(w, doc->string);
                break;
        case DOC_INT:
                json_writer_int(w, doc->number);
                break;
        }
}

/* ---- Devices and their attributes ---- */

typedef struct AttributeSet {
        Doc *map;
        const char *device;             /* for messages */
        char *error;
} AttributeSet;

static bool attribute_check(AttributeSet *set, const char *name) {
        if (set->error)
                return false;
        if (!dra_is_qualified_name(name))
                set->error = g_strdup_printf("attribute name '%s' is not a qualified name (domain of at most %d "
                                             "characters, identifier of at most %d)", name,
                                             DRA_ATTRIBUTE_DOMAIN_MAX, DRA_ATTRIBUTE_ID_MAX);
        else if (set->map->children->len >= DRA_DEVICE_MAX_ATTRIBUTES)
                set->error = g_strdup_printf("device %s has more than %d attributes", set->device,
                                             DRA_DEVICE_MAX_ATTRIBUTES);
        return !set->error;
}

/* Empty values are left out: an unknown is no value to select on. */
static void attribute_string(AttributeSet *set, const char *name, const char *value) {
        if (!value || !*value || !attribute_check(set, name))
                return;
        if (g_utf8_strlen(value, -1) > DRA_ATTRIBUTE_STRING_MAX) {
                set->error = g_strdup_printf("attribute %s of device %s is longer than %d characters: '%s'",
                                             name, set->device, DRA_ATTRIBUTE_STRING_MAX, value);
                return;
        }
        doc_add_string(doc_add_map(set->map, name), "string", value);
}

static void attribute_int(AttributeSet *set, const char *name, int64_t value) {
        if (attribute_check(set, name))
                doc_add_int(doc_add_map(set->map, name), "int", value);
}

static const char *pci_id_digits(const char *id) {
        return g_str_has_prefix(id, "0x") ? id + 2 : id;
}

static void add_vf_attributes(AttributeSet *set, const DraOptions *o, const CtlDevice *vf,
                              const CtlDevice *pf) {
        g_autofree char *iommu_group = g_strconcat(o->driver, "/iommuGroup", NULL);
        const char *link_type = *vf->link_type || !pf ? vf->link_type : pf->link_type;
        const char *eswitch_mode = *vf->eswitch_mode || !pf ? vf->eswitch_mode : pf->eswitch_mode;

        attribute_string(set, DRA_SRIOV_DOMAIN "/pciAddress", vf->pci_address);
        attribute_string(set, DRA_SRIOV_DOMAIN "/pfPciAddress", vf->pf_address);
        attribute_string(set, DRA_SRIOV_DOMAIN "/PFName", vf->pf);
        attribute_int(set, DRA_SRIOV_DOMAIN "/vfID", vf->vf_index);
        attribute_string(set, DRA_SRIOV_DOMAIN "/vendor", pci_id_digits(vf->vendor));
        attribute_string(set, DRA_SRIOV_DOMAIN "/deviceID", pci_id_digits(vf->product));
        if (pf)
                attribute_string(set, DRA_SRIOV_DOMAIN "/pfDeviceID", pci_id_digits(pf->product));
        attribute_string(set, DRA_SRIOV_DOMAIN "/EswitchMode", eswitch_mode);
        attribute_string(set, DRA_SRIOV_DOMAIN "/linkType", link_type);
        attribute_string(set, "k8s.cni.cncf.io/deviceID", vf->pci_address);
        /* dra-driver-sriov's compatibility attribute says -1 for no node; the standard one is left out */
        attribute_int(set, "dra.net/numaNode", vf->numa_node < 0 ? -1 : vf->numa_node);
        if (vf->numa_node >= 0)
                attribute_int(set, DRA_STANDARD_DOMAIN "/numaNode", vf->numa_node);
        attribute_string(set, DRA_STANDARD_DOMAIN "/pciBusID", vf->pci_address);
        attribute_string(set, DRA_STANDARD_DOMAIN "/pcieRoot", vf->pcie_root);
        if (vf->iommu_group >= 0)
                attribute_int(set, iommu_group, vf->iommu_group);
}

static int add_device(Doc *devices, const DraOptions *o, GPtrArray *inventory, const CtlDevice *vf,
                      char **reterr_message) {
        g_autofree char *name = dra_device_name(vf->pci_address);
        AttributeSet set = {};
        Doc *device, *holder;

        if (!name) {
                *reterr_message = g_strdup_printf("device %s: its PCI address '%s' makes no DNS label", vf->id,
                                                  vf->pci_address);
                return -EINVAL;
        }
        device = doc_add(devices, NULL, doc_new(DOC_MAP));
        doc_add_string(device, "name", name);
        /* v1beta1 wraps a device's attributes in "basic"; v1beta2 and v1 have them on the device */
        holder = api_version_has_basic(o->api_version) ? doc_add_map(device, "basic") : device;
        set.map = doc_add_map(holder, "attributes");
        set.device = vf->pci_address;
        add_vf_attributes(&set, o, vf, ctl_device_find_pf(inventory, vf));
        if (set.error) {
                *reterr_message = set.error;
                return -EINVAL;
        }
        return 0;
}

static Doc *slice_new(const DraOptions *o, size_t index, size_t count) {
        g_autofree char *api_version = g_strdup_printf(DRA_API_GROUP "/%s", o->api_version);
        g_autofree char *name = g_strdup_printf("%s-%s-%zu", o->node_name, o->driver, index);
        Doc *slice = doc_new(DOC_MAP), *spec, *pool;

        doc_add_string(slice, "apiVersion", api_version);
        doc_add_string(slice, "kind", "ResourceSlice");
        doc_add_string(doc_add_map(slice, "metadata"), "name", name);
        spec = doc_add_map(slice, "spec");
        doc_add_string(spec, "driver", o->driver);
        doc_add_string(spec, "nodeName", o->node_name);
        pool = doc_add_map(spec, "pool");
        doc_add_string(pool, "name", o->pool ? o->pool : o->node_name);
        doc_add_int(pool, "generation", o->generation);
        doc_add_int(pool, "resourceSliceCount", (int64_t) count);
        doc_add_seq(spec, "devices");
        return slice;
}

static Doc *slice_devices(Doc *slice) {
        Doc *spec = slice->children->pdata[3];

        return spec->children->pdata[spec->children->len - 1];
}

/* The slices as a sequence of ResourceSlice maps. */
static int build_slices(const DraOptions *o, GPtrArray *inventory, Doc **ret, char **reterr_message) {
        g_autoptr(GPtrArray) published = g_ptr_array_new();
        g_autoptr(Doc) slices = doc_new(DOC_SEQ);
        size_t count;
        int r;

        for (unsigned i = 0; i < inventory->len; i++)
                if (dra_device_is_published(o, inventory->pdata[i]))
                        g_ptr_array_add(published, inventory->pdata[i]);
        /* an empty pool is still one slice: it tells the scheduler the node has none */
        count = MAX((size_t) 1, (published->len + DRA_SLICE_MAX_DEVICES - 1) / DRA_SLICE_MAX_DEVICES);
        for (size_t s = 0; s < count; s++) {
                Doc *slice = doc_add(slices, NULL, slice_new(o, s, count));
                g_autofree char *name = g_strdup_printf("%s-%s-%zu", o->node_name, o->driver, s);

                if (!dra_is_dns_subdomain(name, DRA_DNS_SUBDOMAIN_MAX)) {
                        *reterr_message = g_strdup_printf("slice name '%s' is longer than %d characters: give a "
                                                          "shorter --node-name or --driver", name,
                                                          DRA_DNS_SUBDOMAIN_MAX);
                        return -EINVAL;
                }
                for (size_t i = s * DRA_SLICE_MAX_DEVICES;
                     i < MIN((size_t) published->len, (s + 1) * DRA_SLICE_MAX_DEVICES); i++) {
                        r = add_device(slice_devices(slice), o, inventory, published->pdata[i], reterr_message);
                        if (r < 0)
                                return r;
                }
        }
        *ret = g_steal_pointer(&slices);
        return 0;
}

int dra_format(const DraOptions *o, GPtrArray *inventory, char **ret, char **reterr_message) {
        g_autoptr(Doc) slices = NULL;
        int r;

        r = dra_options_check(o, reterr_message);
        if (r < 0)
                return r;
        r = build_slices(o, inventory, &slices, reterr_message);
        if (r < 0)
                return r;
        if (o->json) {
                /* kubectl takes a List as well as one object: one shape whatever the count */
                g_autoptr(JsonWriter) w = json_writer_new();

                json_writer_begin_object(w);
                json_writer_member_string(w, "apiVersion", "v1");
                json_writer_member_string(w, "kind", "List");
                json_writer_key(w, "items");
                json_append_doc(w, slices);
                json_writer_end_object(w);
                *ret = json_writer_finish(w);
        } else {
                GString *out = g_string_new(NULL);

                for (unsigned i = 0; i < slices->children->len; i++) {
                        g_string_append(out, "---\n");
                        yaml_append_map(out, slices->children->pdata[i], 0, false);
                }
                *ret = g_string_free(out, FALSE);
        }
        return 0;
}
