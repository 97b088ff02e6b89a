/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl verbs: the table entry type, per-verb option parsing and help text */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

typedef struct Ctl Ctl;

/* Exit statuses: 0 success, 1 the operation failed, 2 the command line was wrong. */
enum {
        CTL_EXIT_SUCCESS = 0,
        CTL_EXIT_FAILURE = 1,
        CTL_EXIT_USAGE = 2,
};

/* One long option. A NULL metavar makes it a flag; arrays end with an entry whose name is NULL. */
typedef struct VerbOption {
        const char *name;               /* without the leading "--" */
        const char *metavar;            /* "MAC", shown in help; NULL for flags */
        const char *help;
} VerbOption;

typedef struct VerbArgs VerbArgs;

/* Runs a verb and returns its exit status, having printed any error itself. */
typedef int (*VerbFunction)(Ctl *ctl, const VerbArgs *args);

/* Verb tables are arrays that end with an entry whose name is NULL; each file of verbs exports
 * one and netpoolctl.c lists the tables. */
typedef struct Verb {
        const char *name;
        const char *group;              /* heading in the command list: "Networks" */
        const char *synopsis;           /* what follows the verb in usage: "[--force] NAME" */
        const char *summary;            /* one line for the command list */
        const char *description;        /* paragraph for "COMMAND --help"; may be NULL */
        const VerbOption *options;      /* may be NULL */
        unsigned min_args;
        unsigned max_args;
        VerbFunction run;
} Verb;

/* Parsed options and positional arguments of one command line segment. */
struct VerbArgs {
        const VerbOption **options;     /* every option that was accepted, NULL-terminated */
        size_t n_options;
        char **values;                  /* parallel to options: NULL if absent, "" for a given flag */
        char **positional;              /* NULL-terminated */
        size_t n_positional;
};

VerbArgs *verb_args_free(VerbArgs *args);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VerbArgs, verb_args_free)

/* Parse argv[1..argc-1] against options followed by more_options (either may be NULL). "-h" is
 * accepted as "--help" when a "help" option is listed. With stop_at_positional the first
 * non-option ends option parsing (global options before the verb); otherwise options and
 * arguments may mix and "--" ends options. On a usage error returns -EINVAL and a message. */
int verb_args_parse(const VerbOption *options, const VerbOption *more_options,
                    bool stop_at_positional, int argc, char **argv,
                    VerbArgs **ret, char **reterr_message);

/* Whether the option was given; name must be one the args were parsed with. */
bool verb_args_has(const VerbArgs *args, const char *name);
/* The option's value, or NULL when not given. */
const char *verb_args_get(const VerbArgs *args, const char *name);
/* The nth positional argument, or NULL past the end. */
const char *verb_args_arg(const VerbArgs *args, size_t n);

/* Check the positional count against the verb: -EINVAL and a message when it is wrong. */
int verb_check_arg_count(const Verb *verb, const VerbArgs *args, char **reterr_message);

/* The verb whose name is name in a table that ends with an entry whose name is NULL, or NULL. */
const Verb *verb_find(const Verb *verbs, const char *name);

/* "VERB SYNOPSIS", or the name alone for a verb without arguments. */
char *verb_usage_line(const Verb *verb);

/* Print a usage error to stderr: "PROGRAM VERB: MESSAGE", the verb's usage line and a pointer to
 * its --help; with a NULL verb, "PROGRAM: MESSAGE" and a pointer to PROGRAM --help. Returns
 * CTL_EXIT_USAGE. */
int verb_usage_error(const char *program, const Verb *verb, const char *format, ...)
        G_GNUC_PRINTF(3, 4);

/* "Usage: PROGRAM VERB SYNOPSIS", description and both option lists. */
char *verb_format_help(const Verb *verb, const char *program, const VerbOption *more_options);

/* Option lines, aligned: "  --mac=MAC      help". */
void verb_options_append_help(GString *out, const VerbOption *options);
