/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl network verbs: define, create, undefine, start, stop, autostart, dumpxml */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "bus/bus-errors.h"
#include "core/netdef.h"
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-hint.h"
#include "ctl/netpoolctl-network.h"
#include "ctl/netpoolctl-output.h"
#include "shared/fileio.h"

/* Definitions are a few KiB; the cap only stops a wrong file (a disk image) being sent */
#define DEFINITION_MAX_BYTES (8U * 1024U * 1024U)

void network_ref_clear(NetworkRef *ref) {
        g_clear_pointer(&ref->path, g_free);
        g_clear_pointer(&ref->name, g_free);
}

/* The network's own name for messages: the user may have given a UUID. */
static char *network_read_name(sd_bus *bus, const char *path, const char *fallback) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        char *name = NULL;

        if (sd_bus_get_property_string(bus, NETPOOL_BUS_NAME, path, NETPOOL_NETWORK_IFACE, "Name",
                                       &error, &name) >= 0)
                return name;
        /* the object can vanish between calls; its path still encodes the name */
        if (sd_bus_path_decode(path, NETPOOL_NETWORK_PREFIX, &name) > 0)
                return name;
        return g_strdup(fallback);
}

/* LookupNetwork, then the Name property. Prints why on failure and returns -errno. */
static int network_resolve(sd_bus *bus, const char *name_or_uuid, NetworkRef *ret) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        const char *path;
        int r;

        r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, "LookupNetwork", &error, &reply,
                     "st", name_or_uuid, UINT64_C(0));
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("look up network '%s'", name_or_uuid);

                (void) ctl_report_network_error(bus, action, name_or_uuid, &error, r);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return ctl_report_bad_reply("LookupNetwork", r);

        ret->path = g_strdup(path);
        ret->name = network_read_name(bus, path, name_or_uuid);
        return 0;
}

/* Connect and resolve the NAME argument in one step, as every per-network verb starts. */
int network_open(Ctl *ctl, const char *name_or_uuid, sd_bus **ret_bus, NetworkRef *ret) {
        int r;

        r = ctl_connect(ctl, ret_bus);
        if (r < 0)
                return r;
        return network_resolve(*ret_bus, name_or_uuid, ret);
}

static void json_begin_result(JsonWriter *writer, const NetworkRef *net, const char *result) {
        json_writer_begin_object(writer);
        json_writer_member_string(writer, "network", net->name);
        json_writer_member_string(writer, "object", net->path);
        json_writer_member_string(writer, "result", result);
}

/* "Network NAME <done>" on a terminal, {"network", "object", "result"} with --json. */
static int print_result(const Ctl *ctl, const NetworkRef *net, const char *result,
                        const char *done) {
        g_autoptr(JsonWriter) writer = NULL;
        g_autofree char *text = NULL;

        if (!ctl->json) {
                text = g_strdup_printf("Network %s %s\n", net->name, done);
                return output_print(text);
        }
        writer = json_writer_new();
        json_begin_result(writer, net, result);
        json_writer_end_object(writer);
        return output_print_json(writer);
}

static const char *file_label(const char *file) {
        return streq(file, "-") ? "standard input" : file;
}

/**
 * read_definition() - the XML document in FILE ("-": standard input) as a string the bus can
 * carry: at most max_bytes of UTF-8 text without NUL bytes.
 *
 * Returns: 0, or -errno after printing why the file cannot be sent.
 */
int read_definition(const char *file, size_t max_bytes, char **ret) {
        g_autofree char *xml = NULL;
        size_t len = 0;
        int r;

        if (streq(file, "-"))
                r = read_fd_full(STDIN_FILENO, max_bytes, &xml, &len);
        else
                r = read_file_full(file, max_bytes, &xml, &len);
        if (r < 0) {
                ctl_error("cannot read %s: %s", file_label(file), g_strerror(-r));
                return r;
        }
        /* D-Bus strings are UTF-8 without NUL; say so here rather than fail inside sd-bus */
        if (strlen(xml) != len || !g_utf8_validate(xml, -1, NULL)) {
                ctl_error("cannot read %s: not UTF-8 text", file_label(file));
                return -EBADMSG;
        }
        *ret = g_steal_pointer(&xml);
        return 0;
}

char *network_xml_peek_name(const char *xml) {
        char *name = NULL;

        if (netdef_peek_name(xml, strlen(xml), &name, /* reterr_error= */ NULL) < 0)
                return NULL;
        return name;
}

/* DefineNetwork or CreateNetwork with the XML from FILE. */
static int network_submit(Ctl *ctl, const char *file, const char *method, const char *verb,
                          const char *result) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(NetworkRef) net = {};
        g_autofree char *xml = NULL;
        g_autofree char *text = NULL;
        sd_bus *bus;
        const char *path;
        int r;

        /* read first: a missing file is reported without needing the bus */
        if (read_definition(file, DEFINITION_MAX_BYTES, &xml) < 0 || ctl_connect(ctl, &bus) < 0)
                return CTL_EXIT_FAILURE;

        r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, method, &error, &reply, "st",
                     xml, UINT64_C(0));
        if (r < 0) {
                g_autofree char *name = network_xml_peek_name(xml);
                g_autofree char *action = name ?
                        g_strdup_printf("%s network '%s'", verb, name) :
                        g_strdup_printf("%s a network from %s", verb, file_label(file));

                return ctl_report_error(action, &error, r);
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0) {
                (void) ctl_report_bad_reply(method, r);
                return CTL_EXIT_FAILURE;
        }

        net.path = g_strdup(path);
        net.name = network_read_name(bus, path, path);
        text = g_strdup_printf("%s from %s", result, file_label(file));
        return print_result(ctl, &net, result, text);
}

static int verb_define(Ctl *ctl, const VerbArgs *args) {
        return network_submit(ctl, verb_args_arg(args, 0), "DefineNetwork", "define", "defined");
}

static int verb_create(Ctl *ctl, const VerbArgs *args) {
        return network_submit(ctl, verb_args_arg(args, 0), "CreateNetwork", "create", "created");
}

/* Start, Stop or Undefine on the network named by the first argument. */
static int network_act(Ctl *ctl, const VerbArgs *args, const char *method, uint64_t flags,
                       const char *verb, const char *result) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_auto(NetworkRef) net = {};
        sd_bus *bus;
        int r;

        if (network_open(ctl, verb_args_arg(args, 0), &bus, &net) < 0)
                return CTL_EXIT_FAILURE;

        r = ctl_call(bus, net.path, NETPOOL_NETWORK_IFACE, method, &error, NULL, "t", flags);
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("%s network '%s'", verb, net.name);

                /* stopping what is stopped needs no next step */
                if (sd_bus_error_has_name(&error, NETPOOL_ERROR_NETWORK_INACTIVE))
                        return ctl_report_error(action, &error, r);
                return ctl_report_network_error(bus, action, net.name, &error, r);
        }
        return print_result(ctl, &net, result, result);
}

static int verb_start(Ctl *ctl, const VerbArgs *args) {
        return network_act(ctl, args, "Start", 0, "start", "started");
}

static int verb_stop(Ctl *ctl, const VerbArgs *args) {
        uint64_t flags = verb_args_has(args, "force") ? NETPOOL_STOP_FLAG_FORCE : 0;

        return network_act(ctl, args, "Stop", flags, "stop", "stopped");
}

static int verb_undefine(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(JsonWriter) writer = NULL;
        g_auto(NetworkRef) net = {};
        int active = 0;
        sd_bus *bus;
        int r;

        if (network_open(ctl, verb_args_arg(args, 0), &bus, &net) < 0)
                return CTL_EXIT_FAILURE;
        r = ctl_call(bus, net.path, NETPOOL_NETWORK_IFACE, "Undefine", &error, NULL, "t", UINT64_C(0));
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("undefine network '%s'", net.name);

                return ctl_report_network_error(bus, action, net.name, &error, r);
        }
        /* an active network lives on, transient, until it stops: say so, or users think it gone */
        sd_bus_error_free(&error);
        if (sd_bus_get_property_trivial(bus, NETPOOL_BUS_NAME, net.path, NETPOOL_NETWORK_IFACE, "Active",
                                        &error, 'b', &active) < 0)
                active = 0;
        if (!ctl->json) {
                g_autofree char *text = active ?
                        g_strdup_printf("Network %s undefined; it stays active as a transient network until "
                                        "it is stopped ('netpoolctl stop %s')\n", net.name, net.name) :
                        g_strdup_printf("Network %s undefined\n", net.name);

                return output_print(text);
        }
        writer = json_writer_new();
        json_begin_result(writer, &net, "undefined");
        json_writer_member_bool(writer, "active", active);
        json_writer_end_object(writer);
        return output_print_json(writer);
}

static int verb_rescan(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(JsonWriter) writer = NULL;
        sd_bus *bus;
        int r;

        if (ctl_connect(ctl, &bus) < 0)
                return CTL_EXIT_FAILURE;
        r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, "Rescan", &error, NULL, "t", UINT64_C(0));
        if (r < 0)
                return ctl_report_error("rescan the hardware", &error, r);
        if (!ctl->json)
                return output_print("Rescanned the hardware of every active network\n");
        writer = json_writer_new();
        json_writer_begin_object(writer);
        json_writer_member_string(writer, "result", "rescanned");
        json_writer_end_object(writer);
        return output_print_json(writer);
}

static int verb_autostart(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(JsonWriter) writer = NULL;
        g_auto(NetworkRef) net = {};
        bool enable = !verb_args_has(args, "disable");
        sd_bus *bus;
        int r;

        if (network_open(ctl, verb_args_arg(args, 0), &bus, &net) < 0)
                return CTL_EXIT_FAILURE;

        r = sd_bus_set_property(bus, NETPOOL_BUS_NAME, net.path, NETPOOL_NETWORK_IFACE, "Autostart",
                                &error, "b", (int) enable);
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("%s autostart of network '%s'",
                                                          enable ? "enable" : "disable", net.name);

                return ctl_report_network_error(bus, action, net.name, &error, r);
        }
        if (!ctl->json)
                return print_result(ctl, &net, NULL, enable ? "marked as autostarted" :
                                                             "unmarked as autostarted");
        writer = json_writer_new();
        json_begin_result(writer, &net, "autostart");
        json_writer_member_bool(writer, "autostart", enable);
        json_writer_end_object(writer);
        return output_print_json(writer);
}

static int verb_dumpxml(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(JsonWriter) writer = NULL;
        g_auto(NetworkRef) net = {};
        bool inactive = verb_args_has(args, "inactive");
        g_autofree char *text = NULL;
        const char *xml;
        sd_bus *bus;
        int r;

        if (network_open(ctl, verb_args_arg(args, 0), &bus, &net) < 0)
                return CTL_EXIT_FAILURE;

        r = ctl_call(bus, net.path, NETPOOL_NETWORK_IFACE, "GetXML", &error, &reply, "t",
                     inactive ? NETPOOL_GETXML_FLAG_INACTIVE : 0);
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("read the XML of network '%s'", net.name);

                return ctl_report_network_error(bus, action, net.name, &error, r);
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
        json_writer_begin_object(writer);
        json_writer_member_string(writer, "network", net.name);
        json_writer_member_string(writer, "object", net.path);
        json_writer_member_bool(writer, "inactive", inactive);
        json_writer_member_string(writer, "xml", xml);
        json_writer_end_object(writer);
        return output_print_json(writer);
}

const Verb network_verbs[] = {
        {
                .name = "list",
                .group = "Networks",
                .synopsis = "[--all | --active | --inactive]",
                .summary = "List networks with their state and pool use",
                .options = (const VerbOption[]) {
                        { "all", NULL, "show active and inactive networks (the default)" },
                        { "active", NULL, "show active networks" },
                        { "inactive", NULL, "show inactive networks" },
                        {}
                },
                .run = verb_list,
        },
        {
                .name = "info",
                .group = "Networks",
                .synopsis = "NAME",
                .summary = "Show the state of a network",
                .description = "NAME is a network's name or UUID.",
                .min_args = 1,
                .max_args = 1,
                .run = verb_info,
        },
        {
                .name = "devices",
                .group = "Networks",
                .synopsis = "NAME",
                .summary = "List the devices in a network's pool",
                .description = "An active network lists its live pool (an implicit <pf> pool expanded\n"
                               "into VFs) with each device's state and the port holding it. An inactive\n"
                               "network has no pool until it starts: it lists none ('dumpxml --inactive'\n"
                               "shows what its definition names).",
                .min_args = 1,
                .max_args = 1,
                .run = verb_devices,
        },
        {
                .name = "define",
                .group = "Networks",
                .synopsis = "FILE",
                .summary = "Define a persistent network from an XML file",
                .description = "FILE holds a <network> definition; \"-\" reads standard input.\n"
                               "Redefining an existing network replaces its persistent definition.",
                .min_args = 1,
                .max_args = 1,
                .run = verb_define,
        },
        {
                .name = "create",
                .group = "Networks",
                .synopsis = "FILE",
                .summary = "Create and start a transient network from an XML file",
                .description = "FILE holds a <network> definition; \"-\" reads standard input.",
                .min_args = 1,
                .max_args = 1,
                .run = verb_create,
        },
        {
                .name = "undefine",
                .group = "Networks",
                .synopsis = "NAME",
                .summary = "Remove a network's persistent definition",
                .description = "An active network stays up as a transient network until stopped.",
                .min_args = 1,
                .max_args = 1,
                .run = verb_undefine,
        },
        {
                .name = "rescan",
                .group = "Networks",
                .synopsis = NULL,
                .summary = "Re-read the hardware of every active network",
                .description = "Pools follow hot-plug events by themselves; rescan after a change the\n"
                               "daemon cannot see (a sim host edited by hand, a driver rebound).",
                .min_args = 0,
                .max_args = 0,
                .run = verb_rescan,
        },
        {
                .name = "start",
                .group = "Networks",
                .synopsis = "NAME",
                .summary = "Start an inactive network",
                .min_args = 1,
                .max_args = 1,
                .run = verb_start,
        },
        {
                .name = "stop",
                .group = "Networks",
                .synopsis = "[--force] NAME",
                .summary = "Stop an active network",
                .description = "A network with ports is busy and will not stop unless --force is "
                               "given.",
                .options = (const VerbOption[]) {
                        { "force", NULL, "release every port first, restoring its device" },
                        {}
                },
                .min_args = 1,
                .max_args = 1,
                .run = verb_stop,
        },
        {
                .name = "dumpxml",
                .group = "Networks",
                .synopsis = "[--inactive] NAME",
                .summary = "Print a network's XML definition",
                .description = "Without --inactive, an active network shows its live view: the pool\n"
                               "expanded and the connection counts filled in. With --inactive, the\n"
                               "persistent definition as the daemon stores it: what was given, normalised\n"
                               "(a generated <uuid> filled in, defaults written out, comments and layout\n"
                               "dropped). Live XML is a view, not a definition: define refuses it.",
                .options = (const VerbOption[]) {
                        { "inactive", NULL, "print the persistent definition (normalised)" },
                        {}
                },
                .min_args = 1,
                .max_args = 1,
                .run = verb_dumpxml,
        },
        {
                .name = "autostart",
                .group = "Networks",
                .synopsis = "[--disable] NAME",
                .summary = "Start a network when netpoold starts",
                .options = (const VerbOption[]) {
                        { "disable", NULL, "do not start it automatically any more" },
                        {}
                },
                .min_args = 1,
                .max_args = 1,
                .run = verb_autostart,
        },
        {}
};
