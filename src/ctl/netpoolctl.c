/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl: command-line client of netpoold; global options and verb dispatch */
#include <errno.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "bus/bus-errors.h"
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-device.h"
#include "ctl/netpoolctl-metrics.h"
#include "ctl/netpoolctl-monitor.h"
#include "ctl/netpoolctl-network.h"
#include "ctl/netpoolctl-output.h"
#include "ctl/netpoolctl-port.h"
#include "ctl/netpoolctl-verb.h"

#define PROGRAM "netpoolctl"

static bool arg_json = false;
static bool arg_ask_password = true;
static bool arg_private = false;

/* Before the command */
static const VerbOption global_options[] = {
        { "json", NULL, "print JSON instead of text (monitor: one object per line)" },
        { "no-ask-password", NULL, "never ask for a password to authorize an action" },
        { "private", NULL, "talk to netpoold over its private socket, not the bus (root only; no monitor)" },
        { "help", NULL, "show this help" },
        { "version", NULL, "show the version" },
        {}
};

/* After the command, next to its own options */
static const VerbOption command_global_options[] = {
        { "json", NULL, "print JSON instead of text (monitor: one object per line)" },
        { "no-ask-password", NULL, "never ask for a password to authorize an action" },
        { "private", NULL, "talk to netpoold over its private socket, not the bus (root only; no monitor)" },
        { "help", NULL, "show this help" },
        {}
};

static int verb_help(Ctl *ctl, const VerbArgs *args);

static const Verb main_verbs[] = {
        {
                .name = "help",
                .group = "Other",
                .synopsis = "[COMMAND]",
                .summary = "Show the list of commands, or one command's usage",
                .max_args = 1,
                .run = verb_help,
        },
        {}
};

/* Every verb table, in the order of the command list. New verbs are a file with its table
 * (netpoolctl-port.c: port_verbs) and a row here. */
static const Verb *const verb_tables[] = {
        network_verbs,
        device_verbs,
        port_verbs,
        monitor_verbs,
        metrics_verbs,
        main_verbs,
};

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < G_N_ELEMENTS(verb_tables); i++) {
                const Verb *verb = verb_find(verb_tables[i], name);

                if (verb)
                        return verb;
        }
        return NULL;
}

static char *format_main_help(void) {
        GString *out = g_string_new(NULL);
        const char *group = NULL;
        size_t width = 0;

        for (size_t t = 0; t < G_N_ELEMENTS(verb_tables); t++)
                for (const Verb *verb = verb_tables[t]; verb->name; verb++) {
                        g_autofree char *usage = verb_usage_line(verb);

                        width = MAX(width, strlen(usage));
                }

        g_string_append(out, "Usage: " PROGRAM " [OPTIONS] COMMAND [ARGS...]\n\n"
                             "Manage netpool networks: pools of host devices (SR-IOV VFs, NICs)\n"
                             "that netpoold hands to virtual machines.\n");
        for (size_t t = 0; t < G_N_ELEMENTS(verb_tables); t++)
                for (const Verb *verb = verb_tables[t]; verb->name; verb++) {
                        g_autofree char *usage = verb_usage_line(verb);

                        if (!streq_ptr(group, verb->group)) {
                                group = verb->group;
                                g_string_append_printf(out, "\n%s:\n", group ? group : "Commands");
                        }
                        g_string_append_printf(out, "  %-*s  %s\n", (int) width, usage,
                                               verb->summary);
                }
        g_string_append(out, "\nOptions:\n");
        verb_options_append_help(out, global_options);
        g_string_append(out, "\nSee '" PROGRAM " COMMAND --help' for a command's options.\n");
        return g_string_free(out, FALSE);
}

static int print_verb_help(const Verb *verb) {
        g_autofree char *text = verb_format_help(verb, PROGRAM, command_global_options);

        return output_print(text);
}

static int verb_help(Ctl *ctl, const VerbArgs *args) {
        const char *name = verb_args_arg(args, 0);
        g_autofree char *text = NULL;
        const Verb *verb;

        if (!name) {
                text = format_main_help();
                return output_print(text);
        }
        verb = find_verb(name);
        if (!verb)
                return verb_usage_error(PROGRAM, NULL, "unknown command '%s'", name);
        return print_verb_help(verb);
}

/* --json, --no-ask-password and --private count wherever they appear. */
static void apply_global_options(const VerbArgs *args) {
        if (verb_args_has(args, "json"))
                arg_json = true;
        if (verb_args_has(args, "no-ask-password"))
                arg_ask_password = false;
        if (verb_args_has(args, "private"))
                arg_private = true;
}

/* The monitor's verbs follow signals, which netpoold sends on the bus alone. */
static bool verb_needs_signals(const Verb *verb) {
        for (const Verb *v = monitor_verbs; v->name; v++)
                if (v == verb)
                        return true;
        return false;
}

/* Parse the command's own segment of the command line and run it. */
static int dispatch(int argc, char **argv) {
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;
        const Verb *verb;
        Ctl ctl = {};
        int status;

        verb = find_verb(argv[0]);
        if (!verb)
                return verb_usage_error(PROGRAM, NULL, "unknown command '%s'", argv[0]);
        if (verb_args_parse(verb->options, command_global_options, /* stop_at_positional= */ false,
                            argc, argv, &args, &message) < 0)
                return verb_usage_error(PROGRAM, verb, "%s", message);
        if (verb_args_has(args, "help"))
                return print_verb_help(verb);
        if (verb_check_arg_count(verb, args, &message) < 0)
                return verb_usage_error(PROGRAM, verb, "%s", message);
        apply_global_options(args);
        if (arg_private && verb_needs_signals(verb))
                return verb_usage_error(PROGRAM, verb, "--private: '%s' follows netpoold's signals, which it sends on "
                                        "the system bus only, never on the private socket; run it without --private",
                                        verb->name);

        ctl.json = arg_json;
        ctl.use_private = arg_private;
        /* polkit may only ask for a password when someone is there to type it */
        ctl.allow_interactive = arg_ask_password && isatty(STDIN_FILENO);
        status = verb->run(&ctl, args);
        ctl_done(&ctl);
        return status;
}

int main(int argc, char **argv) {
        g_autoptr(VerbArgs) globals = NULL;
        g_autofree char *message = NULL;
        g_autofree char *text = NULL;
        int r;

        (void) setlocale(LC_ALL, "");

        if (verb_args_parse(global_options, NULL, /* stop_at_positional= */ true, argc, argv,
                            &globals, &message) < 0)
                return verb_usage_error(PROGRAM, NULL, "%s", message);
        if (verb_args_has(globals, "help")) {
                text = format_main_help();
                return output_print(text);
        }
        if (verb_args_has(globals, "version"))
                return output_print(PROGRAM " " NETPOOL_VERSION "\n");
        if (globals->n_positional == 0)
                return verb_usage_error(PROGRAM, NULL, "missing command");
        apply_global_options(globals);

        /* so that sd_bus_error_get_errno() knows org.netpool1.Error.* */
        r = netpool_error_map_register();
        if (r < 0) {
                ctl_error("cannot register the netpool error names: %s", g_strerror(-r));
                return CTL_EXIT_FAILURE;
        }
        return dispatch((int) globals->n_positional, globals->positional);
}
