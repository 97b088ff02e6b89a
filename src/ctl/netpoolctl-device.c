/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl's view of the host inventory: org.netpool1.Device objects, read and listed */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-device.h"
#include "ctl/netpoolctl-dra.h"
#include "ctl/netpoolctl-network.h"
#include "ctl/netpoolctl-output.h"

#define OBJECT_MANAGER_IFACE "org.freedesktop.DBus.ObjectManager"

CtlDevice *ctl_device_new(void) {
        CtlDevice *d = g_new0(CtlDevice, 1);
        char **strings[] = { &d->object, &d->id, &d->pci_address, &d->pf, &d->pf_address, &d->vendor,
                             &d->product, &d->driver, &d->pcie_root, &d->link_type, &d->eswitch_mode,
                             &d->state, &d->holder, &d->port_claim };

        for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
                *strings[i] = g_strdup("");
        d->port = g_strdup("/");
        d->netdevs = g_new0(char *, 1);
        d->networks = g_new0(char *, 1);
        d->vf_index = d->numa_node = d->iommu_group = -1;
        return d;
}

void ctl_device_free(CtlDevice *d) {
        if (!d)
                return;
        g_free(d->object);
        g_free(d->id);
        g_free(d->pci_address);
        g_free(d->pf);
        g_free(d->pf_address);
        g_free(d->vendor);
        g_free(d->product);
        g_free(d->driver);
        g_strfreev(d->netdevs);
        g_free(d->pcie_root);
        g_free(d->link_type);
        g_free(d->eswitch_mode);
        g_free(d->state);
        g_free(d->holder);
        g_free(d->port);
        g_strfreev(d->networks);
        g_free(d->port_claim);
        g_free(d);
}

static char *name_from_path(const char *prefix, const char *path) {
        char *name = NULL;

        if (!path || sd_bus_path_decode(path, prefix, &name) <= 0)
                return NULL;
        return name;
}

char *ctl_port_uuid_from_path(const char *path) {
        return name_from_path(NETPOOL_PORT_PREFIX, path);
}

char *ctl_network_name_from_path(const char *path) {
        return name_from_path(NETPOOL_NETWORK_PREFIX, path);
}

/* Where each property of org.netpool1.Device lands in CtlDevice. */
static const CtlPropertySlot device_slots[] = {
        { "Id",          "s",  offsetof(CtlDevice, id) },
        { "PCIAddress",  "s",  offsetof(CtlDevice, pci_address) },
        { "PF",          "s",  offsetof(CtlDevice, pf) },
        { "PFAddress",   "s",  offsetof(CtlDevice, pf_address) },
        { "VFIndex",     "i",  offsetof(CtlDevice, vf_index) },
        { "Vendor",      "s",  offsetof(CtlDevice, vendor) },
        { "Product",     "s",  offsetof(CtlDevice, product) },
        { "Driver",      "s",  offsetof(CtlDevice, driver) },
        { "Netdevs",     "as", offsetof(CtlDevice, netdevs) },
        { "NUMANode",    "i",  offsetof(CtlDevice, numa_node) },
        { "PCIeRoot",    "s",  offsetof(CtlDevice, pcie_root) },
        { "IOMMUGroup",  "i",  offsetof(CtlDevice, iommu_group) },
        { "LinkType",    "s",  offsetof(CtlDevice, link_type) },
        { "EswitchMode", "s",  offsetof(CtlDevice, eswitch_mode) },
        { "State",       "s",  offsetof(CtlDevice, state) },
        { "Holder",      "s",  offsetof(CtlDevice, holder) },
        { "Port",        "o",  offsetof(CtlDevice, port) },
        { "Networks",    "ao", offsetof(CtlDevice, networks) },
};

static int read_device_property(sd_bus_message *m, const char *name, void *userdata) {
        return ctl_read_property_slot(m, name, device_slots, G_N_ELEMENTS(device_slots), userdata);
}

int ctl_device_read_properties(sd_bus_message *m, CtlDevice *device) {
        return ctl_read_properties(m, read_device_property, device);
}

/* The ClaimId of an org.netpool1.Port's a{sv} */
static int read_port_claim(sd_bus_message *m, const char *name, void *userdata) {
        char **claim = userdata;
        const char *s;
        int r;

        if (!streq(name, "ClaimId"))
                return sd_bus_message_skip(m, "v");
        r = sd_bus_message_read(m, "v", "s", &s);
        if (r < 0)
                return r;
        g_free(*claim);
        *claim = g_strdup(s);
        return 0;
}

/* What GetManagedObjects' reply is read into: the object at hand, the devices, the ports' claims. */
typedef struct InventoryReader {
        const char *path;
        GPtrArray *devices;
        GHashTable *claims;
} InventoryReader;

/* One interface's a{sv} of the object at hand: a Device into devices, a Port's claim into claims. */
static int read_object_interface(sd_bus_message *m, const char *interface, void *userdata) {
        InventoryReader *reader = userdata;
        int r;

        if (streq(interface, NETPOOL_DEVICE_IFACE)) {
                g_autoptr(CtlDevice) d = ctl_device_new();

                g_free(d->object);
                d->object = g_strdup(reader->path);
                r = ctl_device_read_properties(m, d);
                if (r >= 0)
                        g_ptr_array_add(reader->devices, g_steal_pointer(&d));
                return r;
        }
        if (streq(interface, NETPOOL_PORT_IFACE)) {
                char *claim = NULL;

                r = ctl_read_properties(m, read_port_claim, &claim);
                if (claim)
                        g_hash_table_replace(reader->claims, g_strdup(reader->path), claim);
                return r;
        }
        return sd_bus_message_skip(m, "a{sv}");
}

/* The a{sa{sv}} of one object. */
static int read_object(sd_bus_message *m, const char *path, void *userdata) {
        InventoryReader *reader = userdata;

        reader->path = path;
        return ctl_read_dict(m, "sa{sv}", read_object_interface, reader);
}

int ctl_device_inventory_read(sd_bus_message *reply, GPtrArray *devices) {
        g_autoptr(GHashTable) claims = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        InventoryReader reader = { .devices = devices, .claims = claims };
        unsigned first = devices->len;
        int r;

        r = ctl_read_dict(reply, "oa{sa{sv}}", read_object, &reader);
        if (r < 0)
                return r;
        /* ports and devices come in any order: the claims are known at the end */
        for (unsigned i = first; i < devices->len; i++) {
                CtlDevice *d = devices->pdata[i];
                const char *claim = g_hash_table_lookup(claims, d->port);

                if (claim) {
                        g_free(d->port_claim);
                        d->port_claim = g_strdup(claim);
                }
        }
        return 0;
}

/* The one place that asks the bus for the inventory: everything else works on CtlDevice. */
int ctl_device_inventory_fetch(sd_bus *bus, GPtrArray *devices, sd_bus_error *error) {
        g_autoptr(sd_bus_message) reply = NULL;
        int r;

        r = ctl_call(bus, NETPOOL_MANAGER_PATH, OBJECT_MANAGER_IFACE, "GetManagedObjects", error,
                     &reply, NULL);
        if (r < 0)
                return r;
        return ctl_device_inventory_read(reply, devices);
}

/* The PCI address a device sorts under: its PF's for a VF, its own otherwise. */
static const char *device_group_key(const CtlDevice *d) {
        if (ctl_device_is_vf(d) && *d->pf_address)
                return d->pf_address;
        return *d->pci_address ? d->pci_address : d->id;
}

static int compare_devices(gconstpointer a, gconstpointer b) {
        const CtlDevice *x = *(CtlDevice *const *) a, *y = *(CtlDevice *const *) b;
        bool x_pci = *x->pci_address, y_pci = *y->pci_address;
        int c;

        /* netdevs without a PCI function (a netdev pool's NICs) after every PCI device */
        if (x_pci != y_pci)
                return x_pci ? -1 : 1;
        c = strcmp(device_group_key(x), device_group_key(y));
        if (c != 0)
                return c;
        /* the PF (-1) first, then its VFs by index */
        if (x->vf_index != y->vf_index)
                return x->vf_index < y->vf_index ? -1 : 1;
        return strcmp(x->id, y->id);
}

void ctl_device_inventory_sort(GPtrArray *devices) {
        g_ptr_array_sort(devices, compare_devices);
}

const CtlDevice *ctl_device_find_by_id(GPtrArray *devices, const char *id) {
        for (unsigned i = 0; i < devices->len; i++) {
                const CtlDevice *d = devices->pdata[i];

                if (streq(d->id, id))
                        return d;
        }
        return NULL;
}

const CtlDevice *ctl_device_find_pf(GPtrArray *devices, const CtlDevice *vf) {
        if (!ctl_device_is_vf(vf) || !*vf->pf_address)
                return NULL;
        for (unsigned i = 0; i < devices->len; i++) {
                const CtlDevice *d = devices->pdata[i];

                if (!ctl_device_is_vf(d) && streq(d->pci_address, vf->pf_address))
                        return d;
        }
        return NULL;
}

/* "0x8086" as lspci shows it: "8086". */
static const char *pci_id_digits(const char *id) {
        return g_str_has_prefix(id, "0x") ? id + 2 : id;
}

static char *join_network_names(char **paths) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

        for (size_t i = 0; paths[i]; i++) {
                char *name = ctl_network_name_from_path(paths[i]);

                g_ptr_array_add(names, name ? name : g_strdup(paths[i]));
        }
        g_ptr_array_add(names, NULL);
        return g_strjoinv(",", (char **) names->pdata);
}

static void add_number_cell(Table *table, int32_t n) {
        if (n < 0)
                table_add_cell(table, NULL);
        else
                table_add_cellf(table, "%" PRId32, n);
}

static void add_device_row(Table *table, const CtlDevice *d, bool under_pf) {
        g_autofree char *netdevs = g_strjoinv(",", d->netdevs);
        g_autofree char *networks = join_network_names(d->networks);
        g_autofree char *port = ctl_port_uuid_from_path(d->port);

        /* a VF under its PF's line: indented, as lspci -t nests functions */
        if (under_pf)
                table_add_cellf(table, "  %s", d->pci_address);
        else
                table_add_cell(table, *d->pci_address ? d->pci_address : d->id);
        table_add_cell(table, netdevs);
        add_number_cell(table, d->vf_index);
        if (*d->vendor || *d->product)
                table_add_cellf(table, "%s:%s", pci_id_digits(d->vendor), pci_id_digits(d->product));
        else
                table_add_cell(table, NULL);
        table_add_cell(table, d->driver);
        add_number_cell(table, d->numa_node);
        table_add_cell(table, d->pcie_root);
        add_number_cell(table, d->iommu_group);
        table_add_cell(table, d->link_type);
        table_add_cell(table, d->eswitch_mode);
        table_add_cell(table, d->state);
        table_add_cell(table, port);
        table_add_cell(table, networks);
        table_add_cell(table, d->holder);
}

char *ctl_device_inventory_format_text(GPtrArray *devices) {
        g_autoptr(Table) table = table_new("DEVICE", "NETDEV", "VF", "ID", "DRIVER", "NUMA", "PCIE-ROOT",
                                           "IOMMU", "LINK", "ESWITCH", "STATE", "PORT", "NETWORKS",
                                           "HOLDER", NULL);

        table_set_right_aligned(table, 2, true);
        table_set_right_aligned(table, 5, true);
        table_set_right_aligned(table, 7, true);
        for (unsigned i = 0; i < devices->len; i++) {
                const CtlDevice *d = devices->pdata[i];

                add_device_row(table, d, ctl_device_find_pf(devices, d) != NULL);
        }
        return table_format(table);
}

static void json_member_number_or_null(JsonWriter *w, const char *key, int32_t n) {
        json_writer_key(w, key);
        if (n < 0)
                json_writer_null(w);
        else
                json_writer_int(w, n);
}

static void json_member_strv(JsonWriter *w, const char *key, char **strv, char *(*decode)(const char *)) {
        json_writer_key(w, key);
        json_writer_begin_array(w);
        for (size_t i = 0; strv[i]; i++) {
                g_autofree char *decoded = decode ? decode(strv[i]) : NULL;

                json_writer_string(w, decoded ? decoded : strv[i]);
        }
        json_writer_end_array(w);
}

void ctl_device_json_members(JsonWriter *w, const CtlDevice *d) {
        json_writer_member_string(w, "pf_address", d->pf_address);
        json_writer_member_string(w, "vendor", d->vendor);
        json_writer_member_string(w, "product", d->product);
        json_writer_member_string(w, "driver", d->driver);
        json_member_strv(w, "netdevs", d->netdevs, NULL);
        json_member_number_or_null(w, "numa_node", d->numa_node);
        json_writer_member_string(w, "pcie_root", d->pcie_root);
        json_member_number_or_null(w, "iommu_group", d->iommu_group);
        json_writer_member_string(w, "link_type", d->link_type);
        json_writer_member_string(w, "eswitch_mode", d->eswitch_mode);
        json_writer_member_string(w, "holder", d->holder);
        json_member_strv(w, "networks", d->networks, ctl_network_name_from_path);
        json_writer_member_string(w, "object", d->object);
}

char *ctl_device_inventory_format_json(GPtrArray *devices) {
        g_autoptr(JsonWriter) w = json_writer_new();

        json_writer_begin_array(w);
        for (unsigned i = 0; i < devices->len; i++) {
                const CtlDevice *d = devices->pdata[i];
                g_autofree char *port = ctl_port_uuid_from_path(d->port);

                json_writer_begin_object(w);
                json_writer_member_string(w, "id", d->id);
                json_writer_member_string(w, "pci_address", d->pci_address);
                json_writer_member_string(w, "pf", d->pf);
                json_member_number_or_null(w, "vf_index", d->vf_index);
                json_writer_member_string(w, "state", d->state);
                json_writer_member_string(w, "port_uuid", port);
                ctl_device_json_members(w, d);
                json_writer_end_object(w);
        }
        json_writer_end_array(w);
        return json_writer_finish(w);
}

/* ---- The inventory verb ---- */

static int inventory_usage_error(const char *format, ...) G_GNUC_PRINTF(1, 2);

static int inventory_usage_error(const char *format, ...) {
        g_autofree char *message = NULL;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        return verb_usage_error("netpoolctl", verb_find(device_verbs, "inventory"), "%s", message);
}

static const char *const dra_only_options[] = {
        "output", "node-name", "driver", "pool", "api-version", "generation", "network",
};

/* The DRA options from the command line; a usage error (status) when one is wrong. */
static int dra_options_from_args(Ctl *ctl, const VerbArgs *args, DraOptions *o, char **ret_node_name) {
        const char *output = verb_args_get(args, "output");
        const char *generation = verb_args_get(args, "generation");
        g_autofree char *message = NULL;
        char host[256] = "";

        if (output && !streq(output, "yaml") && !streq(output, "json"))
                return inventory_usage_error("invalid output '%s': expected yaml or json", output);
        if (output && ctl->json && streq(output, "yaml"))
                return inventory_usage_error("--json and --output=yaml conflict");
        o->json = output ? streq(output, "json") : ctl->json;
        o->driver = verb_args_get(args, "driver") ?: DRA_DRIVER_DEFAULT;
        o->api_version = verb_args_get(args, "api-version") ?: DRA_API_VERSION_DEFAULT;
        o->pool = verb_args_get(args, "pool");
        o->generation = 1;
        if (generation) {
                guint64 n;

                if (!g_ascii_string_to_unsigned(generation, 10, 0, G_MAXINT64, &n, NULL))
                        return inventory_usage_error("invalid generation '%s': a number, 0 or more", generation);
                o->generation = (int64_t) n;
        }
        if (verb_args_has(args, "node-name"))
                *ret_node_name = g_strdup(verb_args_get(args, "node-name"));
        else {
                /* kubelet's default node name: the host name in lower case */
                if (gethostname(host, sizeof(host) - 1) < 0 ||
                    !(*ret_node_name = dra_node_name_from_hostname(host)))
                        return inventory_usage_error("the host name '%s' is no Kubernetes node name: give "
                                                     "--node-name", host);
        }
        o->node_name = *ret_node_name;
        if (dra_options_check(o, &message) < 0)
                return inventory_usage_error("%s", message);
        return CTL_EXIT_SUCCESS;
}

static int print_dra(Ctl *ctl, const VerbArgs *args, sd_bus *bus, GPtrArray *devices) {
        g_autofree char *node_name = NULL, *text = NULL, *message = NULL;
        g_auto(NetworkRef) net = {};
        DraOptions o = {};
        int status;

        status = dra_options_from_args(ctl, args, &o, &node_name);
        if (status != CTL_EXIT_SUCCESS)
                return status;
        if (verb_args_has(args, "network")) {
                if (network_open(ctl, verb_args_get(args, "network"), &bus, &net) < 0)
                        return CTL_EXIT_FAILURE;
                o.network = net.path;
        }
        if (dra_format(&o, devices, &text, &message) < 0) {
                ctl_error("cannot describe the devices as a ResourceSlice: %s", message);
                return CTL_EXIT_FAILURE;
        }
        return output_print(text);
}

static int verb_inventory(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func((GDestroyNotify) ctl_device_free);
        const char *format = verb_args_get(args, "format") ?: "list";
        g_autofree char *text = NULL;
        sd_bus *bus;
        int r;

        if (!streq(format, "list") && !streq(format, "dra"))
                return inventory_usage_error("invalid format '%s': expected list or dra", format);
        if (streq(format, "list"))
                for (size_t i = 0; i < G_N_ELEMENTS(dra_only_options); i++)
                        if (verb_args_has(args, dra_only_options[i]))
                                return inventory_usage_error("--%s goes with --format=dra",
                                                             dra_only_options[i]);
        if (ctl_connect(ctl, &bus) < 0)
                return CTL_EXIT_FAILURE;
        r = ctl_device_inventory_fetch(bus, devices, &error);
        if (r < 0 && sd_bus_error_is_set(&error))
                return ctl_report_error("read the device inventory", &error, r);
        if (r < 0) {
                (void) ctl_report_bad_reply("GetManagedObjects", r);
                return CTL_EXIT_FAILURE;
        }
        ctl_device_inventory_sort(devices);
        if (streq(format, "dra"))
                return print_dra(ctl, args, bus, devices);
        text = ctl->json ? ctl_device_inventory_format_json(devices) : ctl_device_inventory_format_text(devices);
        return output_print(text);
}

const Verb device_verbs[] = {
        {
                .name = "inventory",
                .group = "Devices",
                .synopsis = "[--format=list|dra] [OPTIONS]",
                .summary = "List the host's devices, or its VFs as Kubernetes ResourceSlices",
                .description =
                        "Every org.netpool1.Device object: each PF with its VFs under it, their\n"
                        "attributes, state, holder, port and networks. --format=dra prints the VFs\n"
                        "that are free or held for a claim as resource.k8s.io ResourceSlices (YAML,\n"
                        "or a JSON List), " G_STRINGIFY(DRA_SLICE_MAX_DEVICES) " devices a slice, for a DRA kubelet plugin "
                        "or kubectl.",
                .options = (const VerbOption[]) {
                        { "format", "FORMAT", "list (the default) or dra" },
                        { "output", "FORMAT", "dra: yaml (the default) or json" },
                        { "node-name", "NAME", "dra: spec.nodeName (default: the host name in lower case)" },
                        { "driver", "NAME", "dra: spec.driver (default: " DRA_DRIVER_DEFAULT ")" },
                        { "pool", "NAME", "dra: spec.pool.name (default: the node name)" },
                        { "generation", "N", "dra: spec.pool.generation (default: 1)" },
                        { "api-version", "VERSION", "dra: v1 (the default), v1beta2 or v1beta1" },
                        { "network", "NAME", "dra: only the VFs of this network's pool" },
                        {}
                },
                .max_args = 0,
                .run = verb_inventory,
        },
        {}
};
