/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of netpoolctl's per-verb option parsing and help text */
#include <errno.h>

#include <glib.h>

#include "ctl/netpoolctl-verb.h"

static const VerbOption test_options[] = {
        { "force", NULL, "a flag" },
        { "mac", "MAC", "a value" },
        {}
};

static const VerbOption test_globals[] = {
        { "json", NULL, "JSON output" },
        { "help", NULL, "show this help" },
        {}
};

static int test_run(Ctl *ctl, const VerbArgs *args) {
        return 0;
}

static const Verb test_verbs[] = {
        {
                .name = "stop",
                .synopsis = "[--force] [--mac=MAC] NAME [NAME]",
                .summary = "Stop things",
                .description = "A longer text.",
                .options = test_options,
                .min_args = 1,
                .max_args = 2,
                .run = test_run,
        },
        {
                .name = "list",
                .summary = "List things",
                .run = test_run,
        },
        {}
};

/* Parse a NULL-terminated argument list; returns the result of verb_args_parse(). */
static int parse(bool stop_at_positional, VerbArgs **ret, char **ret_message, ...) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        const char *arg;
        va_list ap;

        va_start(ap, ret_message);
        while ((arg = va_arg(ap, const char *)))
                g_ptr_array_add(argv, (char *) arg);
        va_end(ap);
        g_ptr_array_add(argv, NULL);
        return verb_args_parse(test_options, test_globals, stop_at_positional, (int) argv->len - 1,
                               (char **) argv->pdata, ret, ret_message);
}

static void test_mixed_order(void) {
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;

        g_assert_cmpint(parse(false, &args, &message, "stop", "a", "--force", "--mac", "m1", "b",
                              "--json", NULL), ==, 0);
        g_assert_null(message);
        g_assert_cmpuint(args->n_positional, ==, 2);
        g_assert_cmpstr(verb_args_arg(args, 0), ==, "a");
        g_assert_cmpstr(verb_args_arg(args, 1), ==, "b");
        g_assert_null(verb_args_arg(args, 2));
        g_assert_true(verb_args_has(args, "force"));
        g_assert_cmpstr(verb_args_get(args, "force"), ==, "");
        g_assert_cmpstr(verb_args_get(args, "mac"), ==, "m1");
        g_assert_true(verb_args_has(args, "json"));
        g_assert_false(verb_args_has(args, "help"));
}

static void test_values(void) {
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;

        /* --opt=value, and the last of a repeated option wins */
        g_assert_cmpint(parse(false, &args, &message, "stop", "--mac=m1", "--mac", "m2", "x",
                              NULL), ==, 0);
        g_assert_cmpstr(verb_args_get(args, "mac"), ==, "m2");
        g_assert_false(verb_args_has(args, "force"));
        g_assert_cmpuint(args->n_positional, ==, 1);
}

static void test_double_dash_and_stdin(void) {
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;

        g_assert_cmpint(parse(false, &args, &message, "stop", "-", "--", "--force", NULL), ==, 0);
        g_assert_false(verb_args_has(args, "force"));
        g_assert_cmpuint(args->n_positional, ==, 2);
        g_assert_cmpstr(verb_args_arg(args, 0), ==, "-");
        g_assert_cmpstr(verb_args_arg(args, 1), ==, "--force");
}

static void test_short_help(void) {
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;

        g_assert_cmpint(parse(false, &args, &message, "stop", "-h", NULL), ==, 0);
        g_assert_true(verb_args_has(args, "help"));
        g_assert_cmpuint(args->n_positional, ==, 0);
}

static void test_stop_at_positional(void) {
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;

        g_assert_cmpint(parse(true, &args, &message, "netpoolctl", "--json", "list", "--force",
                              "x", NULL), ==, 0);
        g_assert_true(verb_args_has(args, "json"));
        /* what follows the command is left for the command */
        g_assert_false(verb_args_has(args, "force"));
        g_assert_cmpuint(args->n_positional, ==, 3);
        g_assert_cmpstr(verb_args_arg(args, 0), ==, "list");
        g_assert_cmpstr(verb_args_arg(args, 1), ==, "--force");
        g_assert_cmpstr(verb_args_arg(args, 2), ==, "x");
}

static void assert_usage_error(const char *expected, ...) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;
        const char *arg;
        va_list ap;

        va_start(ap, expected);
        while ((arg = va_arg(ap, const char *)))
                g_ptr_array_add(argv, (char *) arg);
        va_end(ap);
        g_ptr_array_add(argv, NULL);
        g_assert_cmpint(verb_args_parse(test_options, test_globals, false, (int) argv->len - 1,
                                        (char **) argv->pdata, &args, &message), ==, -EINVAL);
        g_assert_null(args);
        g_assert_cmpstr(message, ==, expected);
}

static void test_usage_errors(void) {
        assert_usage_error("unknown option '--frob'", "stop", "x", "--frob", NULL);
        assert_usage_error("unknown option '--frob=1'", "stop", "--frob=1", NULL);
        assert_usage_error("unknown option '-x'", "stop", "-x", NULL);
        assert_usage_error("option '--mac' requires an argument", "stop", "x", "--mac", NULL);
        assert_usage_error("option '--force' does not take an argument", "stop", "--force=yes",
                           NULL);
        /* a parse after a failed one starts afresh */
        assert_usage_error("unknown option '--other'", "stop", "--other", NULL);
}

static void test_arg_count(void) {
        const Verb *verb = verb_find(test_verbs, "stop");
        g_autoptr(VerbArgs) none = NULL, two = NULL, three = NULL;
        g_autofree char *message = NULL;

        g_assert_nonnull(verb);
        g_assert_cmpint(parse(false, &none, &message, "stop", NULL), ==, 0);
        g_assert_cmpint(verb_check_arg_count(verb, none, &message), ==, -EINVAL);
        g_assert_cmpstr(message, ==, "missing argument");
        g_clear_pointer(&message, g_free);

        g_assert_cmpint(parse(false, &two, &message, "stop", "a", "b", NULL), ==, 0);
        g_assert_cmpint(verb_check_arg_count(verb, two, &message), ==, 0);
        g_assert_null(message);

        g_assert_cmpint(parse(false, &three, &message, "stop", "a", "b", "c", NULL), ==, 0);
        g_assert_cmpint(verb_check_arg_count(verb, three, &message), ==, -EINVAL);
        g_assert_cmpstr(message, ==, "unexpected argument 'c'");
}

static void test_find(void) {
        g_assert_true(verb_find(test_verbs, "list") == &test_verbs[1]);
        g_assert_null(verb_find(test_verbs, "lis"));
        g_assert_null(verb_find(test_verbs, ""));
}

static void test_help_text(void) {
        g_autofree char *stop = verb_format_help(&test_verbs[0], "prog", test_globals);
        g_autofree char *list = verb_format_help(&test_verbs[1], "prog", NULL);

        g_assert_cmpstr(stop, ==,
                        "Usage: prog stop [--force] [--mac=MAC] NAME [NAME]\n"
                        "\n"
                        "Stop things\n"
                        "\n"
                        "A longer text.\n"
                        "\n"
                        "Options:\n"
                        "  --force    a flag\n"
                        "  --mac=MAC  a value\n"
                        "\n"
                        "Global options:\n"
                        "  --json      JSON output\n"
                        "  -h, --help  show this help\n");
        g_assert_cmpstr(list, ==, "Usage: prog list\n\nList things\n");
}

static void test_undeclared_option(void) {
        g_autoptr(VerbArgs) args = NULL;
        g_autofree char *message = NULL;

        g_assert_cmpint(parse(false, &args, &message, "stop", NULL), ==, 0);
        /* a verb asking for an option it did not declare is a bug, reported loudly */
        g_test_expect_message(NULL, G_LOG_LEVEL_CRITICAL, "*i >= 0*");
        g_assert_false(verb_args_has(args, "vlan"));
        g_test_assert_expected_messages();
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ctl/verb/mixed-order", test_mixed_order);
        g_test_add_func("/ctl/verb/values", test_values);
        g_test_add_func("/ctl/verb/double-dash-and-stdin", test_double_dash_and_stdin);
        g_test_add_func("/ctl/verb/short-help", test_short_help);
        g_test_add_func("/ctl/verb/stop-at-positional", test_stop_at_positional);
        g_test_add_func("/ctl/verb/usage-errors", test_usage_errors);
        g_test_add_func("/ctl/verb/arg-count", test_arg_count);
        g_test_add_func("/ctl/verb/find", test_find);
        g_test_add_func("/ctl/verb/help-text", test_help_text);
        g_test_add_func("/ctl/verb/undeclared-option", test_undeclared_option);
        return g_test_run();
}
