/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl port verbs: allocate, notify, release, ports, port-dumpxml */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "core/names.h"
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-hint.h"
#include "ctl/netpoolctl-network.h"
#include "ctl/netpoolctl-output.h"
#include "ctl/netpoolctl-port.h"


/* The daemon refuses port XML over 1 MiB; reading more would only be sent back */
#define PORT_XML_MAX_BYTES (1024U * 1024U)

/* ---- The <networkport> allocate builds ---- */

char *port_request_format_xml(const PortRequest *req) {
        GString *out = g_string_new("<networkport>\n");
        g_autofree char *owner = g_markup_printf_escaped("  <owner>\n"
                                                         "    <name>%s</name>\n"
                                                         "    <uuid>%s</uuid>\n"
                                                         "  </owner>\n"
                                                         "  <mac address='%s'/>\n",
                                                         req->owner_name, req->owner_uuid,
                                                         req->mac);

        g_string_append(out, owner);
        if (req->vlan >= 0)
                g_string_append_printf(out, "  <vlan>\n    <tag id='%d'/>\n  </vlan>\n", req->vlan);
        g_string_append(out, "</networkport>\n");
        return g_string_free(out, FALSE);
}

char *port_random_mac(void) {
        uint32_t bits = g_random_int();

        return g_strdup_printf("52:54:00:%02x:%02x:%02x", (bits >> 16) & 0xffu, (bits >> 8) & 0xffu,
                               bits & 0xffu);
}

/* netpool's namespace of name-based UUIDs for claims (RFC 9562 version 5); never change it: ports allocated
 * with a claim before would no longer match their request */
static const uint8_t claim_uuid_namespace[16] = {
        0x76, 0xd6, 0xa3, 0x47, 0xde, 0xfd, 0x41, 0x7c, 0x98, 0x07, 0xac, 0x78, 0xb9, 0xa1, 0x05, 0x40,
};

/* SHA-1 of the namespace and the name "PURPOSE\nNETWORK\nCLAIM" (a network name has no newline): the MAC and the
 * UUID of one claim share no bits, and the same claim on two networks gets two MACs (a MAC is one port's). */
static void claim_digest(const char *purpose, const char *network, const char *claim, uint8_t digest[static 20]) {
        g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
        gsize len = 20;

        g_checksum_update(sha1, claim_uuid_namespace, sizeof(claim_uuid_namespace));
        g_checksum_update(sha1, (const guchar *) purpose, -1);
        g_checksum_update(sha1, (const guchar *) "\n", 1);
        g_checksum_update(sha1, (const guchar *) network, -1);
        g_checksum_update(sha1, (const guchar *) "\n", 1);
        g_checksum_update(sha1, (const guchar *) claim, -1);
        g_checksum_get_digest(sha1, digest, &len);
}

char *port_claim_mac(const char *network, const char *claim) {
        uint8_t d[20];

        claim_digest("mac", network, claim, d);
        return g_strdup_printf("52:54:00:%02x:%02x:%02x", d[0], d[1], d[2]);
}

char *port_claim_owner_uuid(const char *network, const char *claim) {
        uint8_t d[20];

        claim_digest("owner", network, claim, d);
        d[6] = (d[6] & 0x0fu) | 0x50u;          /* version 5: name-based, SHA-1 */
        d[8] = (d[8] & 0x3fu) | 0x80u;          /* the RFC's variant */
        return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1],
                               d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14],
                               d[15]);
}

bool port_claim_id_is_valid(const char *claim) {
        size_t n = strlen(claim);

        if (n == 0 || n > PORT_CLAIM_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (claim[i] < 0x20 || claim[i] > 0x7e)
                        return false;
        return true;
}

/* ---- What the daemon's Port object says ---- */

void port_summary_clear(PortSummary *summary) {
        g_clear_pointer(&summary->uuid, g_free);
        g_clear_pointer(&summary->mac, g_free);
        g_clear_pointer(&summary->plug_type, g_free);
        g_clear_pointer(&summary->netdev, g_free);
        g_clear_pointer(&summary->pci_address, g_free);
}

void port_summary_set(PortSummary *summary, const char *property, const char *value) {
        char **field = streq(property, "UUID") ? &summary->uuid :
                       streq(property, "MAC") ? &summary->mac :
                       streq(property, "PlugType") ? &summary->plug_type :
                       streq(property, "Device") ? &summary->netdev :
                       streq(property, "PCIAddress") ? &summary->pci_address : NULL;

        if (!field)
                return;
        g_free(*field);
        *field = value && *value ? g_strdup(value) : NULL;
}

const char *port_summary_device(const PortSummary *summary) {
        return summary->pci_address ?: summary->netdev;
}

/* One property's variant, which the reply is positioned at: the strings port_summary_set() takes; the
 * rest is skipped. */
static int read_port_property(sd_bus_message *m, const char *name, void *userdata) {
        const char *contents, *value;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (!streq(contents, "s"))
                return sd_bus_message_skip(m, "v");
        r = sd_bus_message_read(m, "v", "s", &value);
        if (r < 0)
                return r;
        port_summary_set(userdata, name, value);
        return 0;
}

/* The properties of the Port object at path. Prints why on failure and returns -errno. */
static int port_summary_load(sd_bus *bus, const char *path, PortSummary *ret) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(PortSummary) summary = {};
        int r;

        r = ctl_call(bus, path, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply, "s",
                     NETPOOL_PORT_IFACE);
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("read the port at %s", path);

                (void) ctl_report_error(action, &error, r);
                return r;
        }
        r = ctl_read_properties(reply, read_port_property, &summary);
        /* a port without its UUID cannot be named */
        if (r >= 0 && !summary.uuid)
                r = -EBADMSG;
        if (r < 0)
                return ctl_report_bad_reply("GetAll", r);
        *ret = summary;
        summary = (PortSummary) {};
        return 0;
}

/* ---- Shared by the verbs ---- */

/* A port as the verbs address it. */
typedef struct PortRef {
        char *path;
        char *uuid;                     /* the daemon's spelling */
        char *network;                  /* NULL when it could not be read */
} PortRef;

static void port_ref_clear(PortRef *ref) {
        g_clear_pointer(&ref->path, g_free);
        g_clear_pointer(&ref->uuid, g_free);
        g_clear_pointer(&ref->network, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PortRef, port_ref_clear)

/* The name of the network a Port object belongs to, or NULL. */
static char *port_read_network(sd_bus *bus, const char *path) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        const char *network_path;
        char *name = NULL;

        if (sd_bus_get_property(bus, NETPOOL_BUS_NAME, path, NETPOOL_PORT_IFACE, "Network", &error, &reply,
                                "o") < 0 ||
            sd_bus_message_read(reply, "o", &network_path) < 0 ||
            sd_bus_path_decode(network_path, NETPOOL_NETWORK_PREFIX, &name) <= 0)
                return NULL;
        return name;
}

/* LookupPort and the port's network. Prints why on failure and returns -errno. */
static int port_open(Ctl *ctl, const char *uuid, sd_bus **ret_bus, PortRef *ret) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        const char *path;
        sd_bus *bus;
        int r;

        r = ctl_connect(ctl, &bus);
        if (r < 0)
                return r;
        r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, "LookupPort", &error, &reply,
                     "st", uuid, UINT64_C(0));
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("look up port '%s'", uuid);

                (void) ctl_report_network_error(bus, action, NULL, &error, r);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return ctl_report_bad_reply("LookupPort", r);

        ret->path = g_strdup(path);
        /* the path encodes the UUID as the daemon stores it: lower case, with dashes */
        if (sd_bus_path_decode(path, NETPOOL_PORT_PREFIX, &ret->uuid) <= 0)
                ret->uuid = g_strdup(uuid);
        ret->network = port_read_network(bus, path);
        *ret_bus = bus;
        return 0;
}

/* Usage errors allocate finds in its option values, worded as those of the command line parser. */
#define allocate_usage_error(...) \
        verb_usage_error("netpoolctl", verb_find(port_verbs, "allocate"), __VA_ARGS__)

/* ---- allocate and notify ---- */

/* Options that describe the port allocate builds; --port-xml replaces them all. */
static const char *const port_build_options[] = { "mac", "owner", "owner-uuid", "vlan" };

/* The <networkport> from the options, or a usage error's exit status. With --claim, what is not given derives
 * from the claim on network (the name netpoold knows it by; NULL: not known yet, derived later). */
static int port_request_from_args(const VerbArgs *args, const char *network, char **ret_xml) {
        g_autofree char *mac = NULL;
        g_autofree char *owner_uuid = NULL;
        PortRequest req = { .owner_name = verb_args_get(args, "owner"), .vlan = -1 };
        const char *vlan = verb_args_get(args, "vlan");
        const char *claim = verb_args_get(args, "claim");

        if (vlan) {
                unsigned id;

                if (vlan_id_parse(vlan, &id) < 0)
                        return allocate_usage_error("invalid VLAN id '%s': expected 0-%u",
                                                vlan, VLAN_ID_MAX);
                req.vlan = (int) id;
        }
        req.mac = verb_args_get(args, "mac");
        /* the daemon refuses these too, but would name the port XML, which the user did not write */
        if (req.mac && !mac_is_valid(req.mac))
                return allocate_usage_error("--mac %s: not a MAC address (six hex octets: 52:54:00:12:34:56)",
                                            req.mac);
        if (req.mac && mac_is_multicast(req.mac))
                return allocate_usage_error("--mac %s: a multicast address (the lowest bit of the first octet "
                                            "is set); a guest interface needs a unicast MAC such as "
                                            "52:54:00:12:34:56", req.mac);
        if (req.mac && mac_is_zero(req.mac))
                return allocate_usage_error("--mac %s: the all-zero MAC is no address; leave --mac out for a "
                                            "random 52:54:00 one", req.mac);
        req.owner_uuid = verb_args_get(args, "owner-uuid");
        if (req.owner_uuid && !uuid_is_valid(req.owner_uuid))
                return allocate_usage_error("invalid owner UUID '%s'", req.owner_uuid);
        if (!req.owner_name)
                req.owner_name = PORT_OWNER_NAME_DEFAULT;
        /* with a claim, the same command line must make the same request: the daemon gives the claim's port
         * again only when MAC and owner match (random ones never would) */
        if (!req.owner_uuid)
                req.owner_uuid = owner_uuid = claim ? port_claim_owner_uuid(network ?: "", claim) :
                                                      g_uuid_string_random();
        if (!req.mac)
                req.mac = mac = claim ? port_claim_mac(network ?: "", claim) : port_random_mac();

        *ret_xml = port_request_format_xml(&req);
        return CTL_EXIT_SUCCESS;
}

/* The XML allocate sends: from --port-xml FILE or built from the options. */
static int allocate_read_request(const VerbArgs *args, char **ret_xml) {
        const char *file = verb_args_get(args, "port-xml");

        if (!file)
                return port_request_from_args(args, NULL, ret_xml);
        for (size_t i = 0; i < G_N_ELEMENTS(port_build_options); i++)
                if (verb_args_has(args, port_build_options[i]))
                        return allocate_usage_error("--port-xml and --%s conflict: the "
                                                "file describes the whole port",
                                                port_build_options[i]);
        if (read_definition(file, PORT_XML_MAX_BYTES, ret_xml) < 0)
                return CTL_EXIT_FAILURE;
        return CTL_EXIT_SUCCESS;
}

static int print_allocate_results(const Ctl *ctl, sd_bus_message *reply, JsonWriter *writer);

/* "Port UUID <done> on network NAME: DEVICE", or the port as JSON; what it says of the port comes
 * from the Port object at path. */
static int print_port_placed(const Ctl *ctl, sd_bus *bus, const NetworkRef *net, const char *path,
                             const char *xml, sd_bus_message *results, const char *done) {
        g_auto(PortSummary) port = {};
        g_autoptr(JsonWriter) writer = NULL;
        g_autofree char *text = NULL;

        if (port_summary_load(bus, path, &port) < 0)
                return CTL_EXIT_FAILURE;
        if (!ctl->json) {
                int status;

                text = g_strdup_printf("Port %s %s on network %s: %s\n", port.uuid, done, net->name,
                                       port_summary_device(&port) ?: "-");
                status = output_print(text);
                if (status == CTL_EXIT_SUCCESS && results && print_allocate_results(ctl, results, NULL) < 0)
                        return ctl_report_bad_reply("AllocateWithOptions", -EBADMSG);
                return status;
        }
        writer = json_writer_new();
        json_writer_begin_object(writer);
        json_writer_member_string(writer, "uuid", port.uuid);
        json_writer_member_string(writer, "network", net->name);
        json_writer_member_string(writer, "object", path);
        json_writer_member_string(writer, "device", port_summary_device(&port));
        json_writer_member_string(writer, "plug_type", port.plug_type);
        json_writer_member_string(writer, "mac", port.mac);
        json_writer_member_string(writer, "xml", xml);
        if (results) {
                json_writer_key(writer, "results");
                json_writer_begin_object(writer);
                if (print_allocate_results(ctl, results, writer) < 0)
                        return ctl_report_bad_reply("AllocateWithOptions", -EBADMSG);
                json_writer_end_object(writer);
        }
        json_writer_end_object(writer);
        return output_print_json(writer);
}

/* ---- allocate's options for AllocateWithOptions ---- */

/* The options that ask netpoold for more than a port (dbus-api.md 1.1): any of them makes allocate call
 * AllocateWithOptions. tap-fd is not among them: an fd is of no use to a command that exits. */
static const char *const allocate_string_options[] = { "device", "pf", "tap-name", "claim", "numa-policy" };
static const char *const allocate_id_options[] = { "vfio-uid", "vfio-gid" };

static bool allocate_has_options(const VerbArgs *args) {
        for (size_t i = 0; i < G_N_ELEMENTS(allocate_string_options); i++)
                if (verb_args_has(args, allocate_string_options[i]))
                        return true;
        for (size_t i = 0; i < G_N_ELEMENTS(allocate_id_options); i++)
                if (verb_args_has(args, allocate_id_options[i]))
                        return true;
        return verb_args_has(args, "numa-node");
}

/* --numa-node N: a node number as the kernel numbers them (0 and up). */
static int allocate_read_numa_node(const VerbArgs *args, int32_t *ret) {
        const char *v = verb_args_get(args, "numa-node");
        guint64 n;

        if (!g_ascii_string_to_unsigned(v, 10, 0, INT32_MAX, &n, NULL))
                return allocate_usage_error("--numa-node %s: not a NUMA node number (0-%d)", v, INT32_MAX);
        *ret = (int32_t) n;
        return CTL_EXIT_SUCCESS;
}

/* --claim, --numa-node and --numa-policy, as the daemon will judge them. */
static int allocate_check_placement(const VerbArgs *args) {
        const char *claim = verb_args_get(args, "claim");
        const char *policy = verb_args_get(args, "numa-policy");
        int32_t node;

        if (claim && !port_claim_id_is_valid(claim))
                return allocate_usage_error("--claim: must be 1 to %d printable ASCII characters", PORT_CLAIM_MAX);
        if (verb_args_has(args, "numa-node")) {
                int status = allocate_read_numa_node(args, &node);

                if (status != CTL_EXIT_SUCCESS)
                        return status;
        }
        if (policy && !streq(policy, "preferred") && !streq(policy, "required"))
                return allocate_usage_error("--numa-policy %s: expected 'preferred' or 'required'", policy);
        if (policy && !verb_args_has(args, "numa-node"))
                return allocate_usage_error("--numa-policy needs --numa-node: the node it applies to");
        return CTL_EXIT_SUCCESS;
}

/* A uid or gid as a number (names are for the shell: --vfio-uid "$(id -u qemu)"). */
static int allocate_read_id(const VerbArgs *args, const char *name, uint32_t *ret) {
        const char *v = verb_args_get(args, name);
        guint64 n;

        if (!g_ascii_string_to_unsigned(v, 10, 0, UINT32_MAX - 1, &n, NULL))
                return allocate_usage_error("--%s %s: not a numeric %s (0-%u)", name, v,
                                            streq(name, "vfio-uid") ? "uid" : "gid", UINT32_MAX - 1);
        *ret = (uint32_t) n;
        return CTL_EXIT_SUCCESS;
}

/* The options' values that the command line can judge, before the bus is reached. */
static int allocate_check_options(const VerbArgs *args) {
        int status = allocate_check_placement(args);
        uint32_t id;

        if (status != CTL_EXIT_SUCCESS)
                return status;

        for (size_t i = 0; i < G_N_ELEMENTS(allocate_id_options); i++)
                if (verb_args_has(args, allocate_id_options[i])) {
                        status = allocate_read_id(args, allocate_id_options[i], &id);
                        if (status != CTL_EXIT_SUCCESS)
                                return status;
                }
        return CTL_EXIT_SUCCESS;
}

/* The a{sv} of the options given (checked before), appended to m. */
static int allocate_append_options(const VerbArgs *args, sd_bus_message *m) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");

        for (size_t i = 0; r >= 0 && i < G_N_ELEMENTS(allocate_string_options); i++) {
                const char *v = verb_args_get(args, allocate_string_options[i]);

                if (v)
                        r = sd_bus_message_append(m, "{sv}", allocate_string_options[i], "s", v);
        }
        for (size_t i = 0; r >= 0 && i < G_N_ELEMENTS(allocate_id_options); i++) {
                uint32_t id;
                int status;

                if (!verb_args_has(args, allocate_id_options[i]))
                        continue;
                status = allocate_read_id(args, allocate_id_options[i], &id);
                if (status != CTL_EXIT_SUCCESS)
                        return -EINVAL;
                r = sd_bus_message_append(m, "{sv}", allocate_id_options[i], "u", id);
        }
        if (r >= 0 && verb_args_has(args, "numa-node")) {
                int32_t node;

                if (allocate_read_numa_node(args, &node) != CTL_EXIT_SUCCESS)
                        return -EINVAL;
                r = sd_bus_message_append(m, "{sv}", "numa-node", "i", node);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* The results of AllocateWithOptions, one "  KEY: VALUE" line each (after the port's line), or into the JSON
 * object. */
static int print_allocate_results(const Ctl *ctl, sd_bus_message *reply, JsonWriter *writer) {
        const char *key, *contents;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                g_autofree char *line = NULL;
                const char *str;
                int32_t num;
                int flag;

                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0)
                        r = sd_bus_message_peek_type(reply, NULL, &contents);
                if (r >= 0 && streq_ptr(contents, "s") && (r = sd_bus_message_read(reply, "v", "s", &str)) >= 0) {
                        if (writer)
                                json_writer_member_string(writer, key, str);
                        line = g_strdup_printf("  %s: %s\n", key, str);
                } else if (r >= 0 && streq_ptr(contents, "i") &&
                           (r = sd_bus_message_read(reply, "v", "i", &num)) >= 0) {
                        if (writer) {
                                json_writer_key(writer, key);
                                json_writer_int(writer, num);
                        }
                        line = g_strdup_printf("  %s: %" PRIi32 "\n", key, num);
                } else if (r >= 0 && streq_ptr(contents, "b") &&
                           (r = sd_bus_message_read(reply, "v", "b", &flag)) >= 0) {
                        if (writer)
                                json_writer_member_bool(writer, key, flag);
                        line = g_strdup_printf("  %s: %s\n", key, flag ? "yes" : "no");
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r >= 0 && line && !writer && output_print(line) != CTL_EXIT_SUCCESS)
                        r = -EIO;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        return r;
}

/* Whether the results say existing=true (the claim's port given again). The reply is left where it was:
 * after the port's path and XML. */
static bool results_say_existing(sd_bus_message *reply) {
        const char *key;
        int existing = 0, r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *contents = NULL;

                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0)
                        r = sd_bus_message_peek_type(reply, NULL, &contents);
                if (r >= 0 && streq(key, "existing") && streq_ptr(contents, "b"))
                        r = sd_bus_message_read(reply, "v", "b", &existing);
                else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        (void) sd_bus_message_rewind(reply, true);
        (void) sd_bus_message_skip(reply, "os");
        return r >= 0 && existing;
}

static int call_allocate_with_options(sd_bus *bus, const char *path, const VerbArgs *args, const char *xml,
                                      sd_bus_error *error, sd_bus_message **ret_reply) {
        g_autoptr(sd_bus_message) m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, NETPOOL_BUS_NAME, path, NETPOOL_NETWORK_IFACE,
                                           "AllocateWithOptions");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", xml);
        if (r >= 0)
                r = allocate_append_options(args, m);
        if (r >= 0)
                r = sd_bus_message_append(m, "t", UINT64_C(0));
        if (r < 0)
                return r;
        return sd_bus_call(bus, m, 0, error, ret_reply);
}

/* allocate --claim builds the port itself and is missing --mac or --owner-uuid: they derive from the claim. */
static bool allocate_derives_from_claim(const VerbArgs *args) {
        return verb_args_has(args, "claim") && !verb_args_has(args, "port-xml") &&
               (!verb_args_has(args, "mac") || !verb_args_has(args, "owner-uuid"));
}

/* Allocate or Notify with xml on the network named by the first argument. */
static int port_submit(Ctl *ctl, const VerbArgs *args, const char *xml, const char *method,
                       const char *verb, const char *done) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autofree char *derived_xml = NULL;
        g_auto(NetworkRef) net = {};
        const char *path, *port_xml;
        sd_bus *bus;
        int r;

        if (network_open(ctl, verb_args_arg(args, 0), &bus, &net) < 0)
                return CTL_EXIT_FAILURE;
        /* a claim's MAC and owner derive from the network's name, which the argument (name or UUID) may not be */
        if (streq(verb, "allocate") && allocate_derives_from_claim(args)) {
                r = port_request_from_args(args, net.name, &derived_xml);
                if (r != CTL_EXIT_SUCCESS)
                        return r;
                xml = derived_xml;
        }

        if (streq(method, "AllocateWithOptions"))
                r = call_allocate_with_options(bus, net.path, args, xml, &error, &reply);
        else
                r = ctl_call(bus, net.path, NETPOOL_NETWORK_IFACE, method, &error, &reply, "st", xml,
                             UINT64_C(0));

        if (r < 0) {
                g_autofree char *action = g_strdup_printf("%s a port on network '%s'", verb,
                                                          net.name);

                return ctl_report_network_error(bus, action, net.name, &error, r);
        }
        r = sd_bus_message_read(reply, "os", &path, &port_xml);
        if (r < 0) {
                (void) ctl_report_bad_reply(method, r);
                return CTL_EXIT_FAILURE;
        }
        if (streq(method, "AllocateWithOptions") && results_say_existing(reply)) {
                g_autofree char *found = g_strdup_printf("found by claim '%s'",
                                                     verb_args_get(args, "claim") ?: "");

                return print_port_placed(ctl, bus, &net, path, port_xml, reply, found);
        }
        return print_port_placed(ctl, bus, &net, path, port_xml,
                                 streq(method, "AllocateWithOptions") ? reply : NULL, done);
}

static int verb_allocate(Ctl *ctl, const VerbArgs *args) {
        g_autofree char *xml = NULL;
        int status;

        /* the command line and FILE first: neither needs the bus */
        status = allocate_read_request(args, &xml);
        if (status == CTL_EXIT_SUCCESS)
                status = allocate_check_options(args);
        if (status != CTL_EXIT_SUCCESS)
                return status;
        return port_submit(ctl, args, xml, allocate_has_options(args) ? "AllocateWithOptions" : "Allocate",
                           "allocate", "allocated");
}

static int verb_notify(Ctl *ctl, const VerbArgs *args) {
        g_autofree char *xml = NULL;

        if (read_definition(verb_args_arg(args, 1), PORT_XML_MAX_BYTES, &xml) < 0)
                return CTL_EXIT_FAILURE;
        return port_submit(ctl, args, xml, "Notify", "re-register", "re-registered");
}

/* ---- release and port-dumpxml ---- */

static void json_begin_port(JsonWriter *writer, const PortRef *port) {
        json_writer_begin_object(writer);
        json_writer_member_string(writer, "uuid", port->uuid);
        json_writer_member_string(writer, "network", port->network);
        json_writer_member_string(writer, "object", port->path);
}

/* Release and port-dumpxml take a port's UUID; a network's name there is the common slip. */
static int check_port_uuid_arg(const char *verb, const char *arg) {
        if (uuid_is_valid(arg))
                return 0;
        return verb_usage_error("netpoolctl", verb_find(port_verbs, verb), "'%s' is not a port UUID: %s takes "
                                "the UUID of a port ('netpoolctl ports [NETWORK]' lists them; 'netpoolctl stop "
                                "--force NETWORK' releases every port of a network)", arg, verb);
}

static int verb_release(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(JsonWriter) writer = NULL;
        g_autofree char *text = NULL;
        g_auto(PortRef) port = {};
        sd_bus *bus;
        int r;

        if (check_port_uuid_arg("release", verb_args_arg(args, 0)) != 0)
                return CTL_EXIT_USAGE;
        if (port_open(ctl, verb_args_arg(args, 0), &bus, &port) < 0)
                return CTL_EXIT_FAILURE;

        r = ctl_call(bus, port.path, NETPOOL_PORT_IFACE, "Release", &error, NULL, "t", UINT64_C(0));
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("release port '%s'", port.uuid);

                return ctl_report_network_error(bus, action, port.network, &error, r);
        }
        if (!ctl->json) {
                text = g_strdup_printf("Port %s released\n", port.uuid);
                return output_print(text);
        }
        writer = json_writer_new();
        json_begin_port(writer, &port);
        json_writer_member_string(writer, "result", "released");
        json_writer_end_object(writer);
        return output_print_json(writer);
}

static int verb_port_dumpxml(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(JsonWriter) writer = NULL;
        g_autofree char *text = NULL;
        g_auto(PortRef) port = {};
        const char *xml;
        sd_bus *bus;
        int r;

        if (check_port_uuid_arg("port-dumpxml", verb_args_arg(args, 0)) != 0)
                return CTL_EXIT_USAGE;
        if (port_open(ctl, verb_args_arg(args, 0), &bus, &port) < 0)
                return CTL_EXIT_FAILURE;

        r = ctl_call(bus, port.path, NETPOOL_PORT_IFACE, "GetXML", &error, &reply, "t", UINT64_C(0));
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("read the XML of port '%s'", port.uuid);

                return ctl_report_error(action, &error, r);
        }
        r = sd_bus_message_read(reply, "s", &xml);
        if (r < 0) {
                (void) ctl_report_bad_reply("GetXML", r);
                return CTL_EXIT_FAILURE;
        }
        if (!ctl->json) {
                /* as is, but a file or pipe should end in a newline */
                text = g_str_has_suffix(xml, "\n") ? g_strdup(xml) : g_strconcat(xml, "\n", NULL);
                return output_print(text);
        }
        writer = json_writer_new();
        json_begin_port(writer, &port);
        json_writer_member_string(writer, "xml", xml);
        json_writer_end_object(writer);
        return output_print_json(writer);
}

/* ---- ports ---- */

/* One row of Manager.ListPorts' a(sssssso); strings point into the reply. */
typedef struct PortRow {
        const char *uuid;
        const char *network;
        const char *owner_name;
        const char *owner_uuid;
        const char *mac;
        const char *device;
        const char *object;
} PortRow;

/* The rows of network (every row when NULL). */
static int read_port_rows(sd_bus_message *reply, const char *network, GArray *rows) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(sssssso)");
        if (r < 0)
                return r;
        for (;;) {
                PortRow row = {};

                r = sd_bus_message_read(reply, "(sssssso)", &row.uuid, &row.network,
                                        &row.owner_name, &row.owner_uuid, &row.mac, &row.device,
                                        &row.object);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (!network || streq(row.network, network))
                        g_array_append_val(rows, row);
        }
        return sd_bus_message_exit_container(reply);
}

static int compare_port_rows(gconstpointer a, gconstpointer b) {
        const PortRow *x = a, *y = b;
        int c = g_strcmp0(x->network, y->network);

        return c != 0 ? c : g_strcmp0(x->uuid, y->uuid);
}

static int print_port_rows_json(GArray *rows) {
        g_autoptr(JsonWriter) writer = json_writer_new();

        json_writer_begin_array(writer);
        for (unsigned i = 0; i < rows->len; i++) {
                const PortRow *row = &g_array_index(rows, PortRow, i);

                json_writer_begin_object(writer);
                json_writer_member_string(writer, "uuid", row->uuid);
                json_writer_member_string(writer, "network", row->network);
                json_writer_member_string(writer, "owner_name", row->owner_name);
                json_writer_member_string(writer, "owner_uuid", row->owner_uuid);
                json_writer_member_string(writer, "mac", row->mac);
                json_writer_member_string(writer, "device", row->device);
                json_writer_member_string(writer, "object", row->object);
                json_writer_end_object(writer);
        }
        json_writer_end_array(writer);
        return output_print_json(writer);
}

static int print_port_rows_table(GArray *rows) {
        g_autoptr(Table) table = table_new("UUID", "NETWORK", "OWNER", "MAC", "DEVICE", NULL);
        g_autofree char *text = NULL;

        for (unsigned i = 0; i < rows->len; i++) {
                const PortRow *row = &g_array_index(rows, PortRow, i);

                table_add_cell(table, row->uuid);
                table_add_cell(table, row->network);
                table_add_cell(table, row->owner_name);
                table_add_cell(table, row->mac);
                table_add_cell(table, row->device);
        }
        text = table_format(table);
        return output_print(text);
}

static int verb_ports(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(PortRow));
        g_auto(NetworkRef) net = {};
        const char *name = verb_args_arg(args, 0);
        const char *owner_uuid = verb_args_get(args, "owner-uuid");
        const char *method = owner_uuid ? "ListPortsByOwner" : "ListPorts";
        sd_bus *bus;
        int r;

        if (owner_uuid && !uuid_is_valid(owner_uuid))
                return verb_usage_error("netpoolctl", verb_find(port_verbs, "ports"), "invalid owner UUID '%s'",
                                        owner_uuid);
        /* a NAME that names no network is an error, not an empty list */
        if (name ? network_open(ctl, name, &bus, &net) < 0 : ctl_connect(ctl, &bus) < 0)
                return CTL_EXIT_FAILURE;

        /* an owner's ports come from the daemon's index of owners, not from every port */
        if (owner_uuid)
                r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, method, &error, &reply, "st",
                             owner_uuid, UINT64_C(0));
        else
                r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, method, &error, &reply, "t",
                             UINT64_C(0));
        if (r < 0)
                return ctl_report_error("list ports", &error, r);
        r = read_port_rows(reply, net.name, rows);
        if (r < 0) {
                (void) ctl_report_bad_reply(method, r);
                return CTL_EXIT_FAILURE;
        }
        /* the same order whatever the daemon's: by network, then UUID */
        g_array_sort(rows, compare_port_rows);
        return ctl->json ? print_port_rows_json(rows) : print_port_rows_table(rows);
}

const Verb port_verbs[] = {
        {
                .name = "allocate",
                .group = "Ports",
                .synopsis = "[OPTIONS] NETWORK",
                .summary = "Allocate a port on a network: a device for a guest interface",
                .description =
                        "netpoolctl writes the <networkport> from the options: owner \""
                        PORT_OWNER_NAME_DEFAULT "\"\n"
                        "with a random UUID and a random MAC 52:54:00:xx:xx:xx unless given.\n"
                        "--port-xml sends a whole <networkport> instead (no <plug>; \"-\" reads\n"
                        "standard input) and cannot be combined with the other options.\n"
                        "With --claim, the MAC and owner UUID not given are derived from the claim:\n"
                        "the same command again prints the claim's port (\"existing: yes\") instead\n"
                        "of allocating a second one.",
                .options = (const VerbOption[]) {
                        { "mac", "MAC", "the guest interface's MAC address" },
                        { "owner", "NAME", "the guest's name" },
                        { "owner-uuid", "UUID", "the guest's UUID" },
                        { "vlan", "ID",
                          "the VLAN id (0-" G_STRINGIFY(VLAN_ID_MAX) ") the device tags traffic with" },
                        { "port-xml", "FILE", "send the <networkport> in FILE" },
                        { "device", "ID", "take exactly this device (PCI address, or netdev of a netdev pool)" },
                        { "pf", "NETDEV", "take a VF of this PF" },
                        { "tap-name", "NAME", "name the macvtap netpoold makes (macvtap modes)" },
                        { "vfio-uid", "UID", "give the VFIO group node to this uid until release (managed hostdev)" },
                        { "vfio-gid", "GID", "give the VFIO group node to this gid until release (managed hostdev)" },
                        { "claim", "ID", "the request's id: the same claim gets its port again while it exists" },
                        { "numa-node", "N", "a device on this NUMA node" },
                        { "numa-policy", "POLICY", "preferred (default: another node when none is free) or required" },
                        {}
                },
                .min_args = 1,
                .max_args = 1,
                .run = verb_allocate,
        },
        {
                .name = "notify",
                .group = "Ports",
                .synopsis = "NETWORK FILE",
                .summary = "Re-register a port that exists on the host",
                .description =
                        "FILE holds the <networkport> with <plug> that allocate or port-dumpxml\n"
                        "printed; \"-\" reads standard input. Doing it twice changes nothing.",
                .min_args = 2,
                .max_args = 2,
                .run = verb_notify,
        },
        {
                .name = "release",
                .group = "Ports",
                .synopsis = "UUID",
                .summary = "Release a port, restoring its device",
                .min_args = 1,
                .max_args = 1,
                .run = verb_release,
        },
        {
                .name = "ports",
                .group = "Ports",
                .synopsis = "[--owner-uuid=UUID] [NETWORK]",
                .summary = "List the ports of every network, or of one",
                .description =
                        "--owner-uuid lists only the ports of that guest (the <owner><uuid> given at\n"
                        "allocate), as the daemon indexes them.",
                .options = (const VerbOption[]) {
                        { "owner-uuid", "UUID", "only the ports of the guest with this UUID" },
                        {}
                },
                .max_args = 1,
                .run = verb_ports,
        },
        {
                .name = "port-dumpxml",
                .group = "Ports",
                .synopsis = "UUID",
                .summary = "Print a port's XML",
                .min_args = 1,
                .max_args = 1,
                .run = verb_port_dumpxml,
        },
        {}
};
