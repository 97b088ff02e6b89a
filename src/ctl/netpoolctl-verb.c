/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl verbs: the table entry type, per-verb option parsing and help text */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ctl/netpoolctl-verb.h"
#include "shared/macro.h"

/* getopt_long values of long options: above every char, so they never clash with short ones */
#define OPTION_VALUE_BASE 0x100

VerbArgs *verb_args_free(VerbArgs *args) {
        if (!args)
                return NULL;
        /* values has holes (options not given), so no g_strfreev() */
        for (size_t i = 0; i < args->n_options; i++)
                g_free(args->values[i]);
        g_free(args->values);
        g_free(args->options);
        g_strfreev(args->positional);
        g_free(args);
        return NULL;
}

static size_t options_count(const VerbOption *options) {
        size_t n = 0;

        while (options && options[n].name)
                n++;
        return n;
}

static VerbArgs *verb_args_new(const VerbOption *options, const VerbOption *more_options) {
        size_t n_first = options_count(options);
        size_t n_all = n_first + options_count(more_options);
        VerbArgs *args = g_new0(VerbArgs, 1);

        args->options = g_new0(const VerbOption *, n_all + 1);
        args->n_options = n_all;
        args->values = g_new0(char *, n_all);
        for (size_t i = 0; i < n_all; i++)
                args->options[i] = i < n_first ? &options[i] : &more_options[i - n_first];
        return args;
}

static ssize_t verb_args_find(const VerbArgs *args, const char *name) {
        for (size_t i = 0; i < args->n_options; i++)
                if (streq(args->options[i]->name, name))
                        return (ssize_t) i;
        return -1;
}

static struct option *getopt_table_new(const VerbArgs *args) {
        size_t n = args->n_options;
        struct option *table = g_new0(struct option, n + 1);

        for (size_t i = 0; i < n; i++)
                table[i] = (struct option) {
                        .name = args->options[i]->name,
                        .has_arg = args->options[i]->metavar ? required_argument : no_argument,
                        .val = (int) (OPTION_VALUE_BASE + i),
                };
        return table;
}

/* Words for what getopt_long() rejected, from where it left optind and optopt. */
static char *describe_bad_option(const VerbArgs *args, int c, char **argv) {
        const char *arg = argv[optind - 1];

        if (c == ':')
                return g_strdup_printf("option '%s' requires an argument", arg);
        if (optopt >= OPTION_VALUE_BASE)
                return g_strdup_printf("option '--%s' does not take an argument",
                                       args->options[optopt - OPTION_VALUE_BASE]->name);
        if (optopt > 0)
                return g_strdup_printf("unknown option '-%c'", optopt);
        return g_strdup_printf("unknown option '%s'", arg);
}

int verb_args_parse(const VerbOption *options, const VerbOption *more_options,
                    bool stop_at_positional, int argc, char **argv,
                    VerbArgs **ret, char **reterr_message) {
        g_autoptr(VerbArgs) args = verb_args_new(options, more_options);
        g_autofree struct option *table = getopt_table_new(args);
        g_autoptr(GPtrArray) positional = g_ptr_array_new_with_free_func(g_free);
        ssize_t help = verb_args_find(args, "help");
        /* '+' stops at the first argument, '-' returns arguments in place as value 1;
         * ':' reports a missing option argument as ':' rather than '?' */
        const char *optstring = stop_at_positional ? (help >= 0 ? "+:h" : "+:")
                                                   : (help >= 0 ? "-:h" : "-:");
        int c;

        optind = 0;     /* glibc: 0 also resets its state between parses */
        opterr = 0;     /* our own messages, with the verb in them */
        while ((c = getopt_long(argc, argv, optstring, table, NULL)) >= 0) {
                size_t i;

                if (c == 1) {
                        g_ptr_array_add(positional, g_strdup(optarg));
                        continue;
                }
                if (c == ':' || c == '?') {
                        *reterr_message = describe_bad_option(args, c, argv);
                        return -EINVAL;
                }
                i = c == 'h' ? (size_t) help : (size_t) (c - OPTION_VALUE_BASE);
                /* a repeated option keeps its last value, as with most tools */
                g_free(args->values[i]);
                args->values[i] = g_strdup(optarg ? optarg : "");
        }
        for (; optind < argc; optind++)
                g_ptr_array_add(positional, g_strdup(argv[optind]));

        args->n_positional = positional->len;
        g_ptr_array_add(positional, NULL);
        args->positional = (char **) g_ptr_array_free(g_steal_pointer(&positional), FALSE);
        *ret = g_steal_pointer(&args);
        return 0;
}

bool verb_args_has(const VerbArgs *args, const char *name) {
        return verb_args_get(args, name) != NULL;
}

const char *verb_args_get(const VerbArgs *args, const char *name) {
        ssize_t i = verb_args_find(args, name);

        /* asking for an option the verb does not declare is a bug in the verb table */
        g_return_val_if_fail(i >= 0, NULL);
        return args->values[i];
}

const char *verb_args_arg(const VerbArgs *args, size_t n) {
        return n < args->n_positional ? args->positional[n] : NULL;
}

int verb_check_arg_count(const Verb *verb, const VerbArgs *args, char **reterr_message) {
        if (args->n_positional < verb->min_args) {
                *reterr_message = g_strdup(verb->min_args - args->n_positional > 1 ?
                                           "missing arguments" : "missing argument");
                return -EINVAL;
        }
        if (args->n_positional > verb->max_args) {
                *reterr_message = g_strdup_printf("unexpected argument '%s'",
                                                  args->positional[verb->max_args]);
                return -EINVAL;
        }
        return 0;
}

const Verb *verb_find(const Verb *verbs, const char *name) {
        for (size_t i = 0; verbs[i].name; i++)
                if (streq(verbs[i].name, name))
                        return &verbs[i];
        return NULL;
}

char *verb_usage_line(const Verb *verb) {
        return verb->synopsis ? g_strdup_printf("%s %s", verb->name, verb->synopsis) :
                                g_strdup(verb->name);
}

int verb_usage_error(const char *program, const Verb *verb, const char *format, ...) {
        g_autofree char *message = NULL;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        if (!verb) {
                fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", program, message,
                        program);
        } else {
                g_autofree char *usage = verb_usage_line(verb);

                fprintf(stderr, "%s %s: %s\nUsage: %s %s\n"
                        "Try '%s %s --help' for more information.\n",
                        program, verb->name, message, program, usage, program, verb->name);
        }
        return CTL_EXIT_USAGE;
}

static char *option_label(const VerbOption *option) {
        const char *short_alias = streq(option->name, "help") ? "-h, " : "";

        if (option->metavar)
                return g_strdup_printf("  %s--%s=%s", short_alias, option->name, option->metavar);
        return g_strdup_printf("  %s--%s", short_alias, option->name);
}

void verb_options_append_help(GString *out, const VerbOption *options) {
        size_t width = 0;

        for (size_t i = 0; i < options_count(options); i++) {
                g_autofree char *label = option_label(&options[i]);

                width = MAX(width, strlen(label));
        }
        for (size_t i = 0; i < options_count(options); i++) {
                g_autofree char *label = option_label(&options[i]);

                g_string_append_printf(out, "%-*s  %s\n", (int) width, label, options[i].help);
        }
}

char *verb_format_help(const Verb *verb, const char *program, const VerbOption *more_options) {
        GString *out = g_string_new(NULL);

        g_string_append_printf(out, "Usage: %s %s%s%s\n\n%s\n", program, verb->name,
                               verb->synopsis ? " " : "", verb->synopsis ? verb->synopsis : "",
                               verb->summary);
        if (verb->description)
                g_string_append_printf(out, "\n%s\n", verb->description);
        if (options_count(verb->options) > 0) {
                g_string_append(out, "\nOptions:\n");
                verb_options_append_help(out, verb->options);
        }
        if (options_count(more_options) > 0) {
                g_string_append(out, "\nGlobal options:\n");
                verb_options_append_help(out, more_options);
        }
        return g_string_free(out, FALSE);
}
