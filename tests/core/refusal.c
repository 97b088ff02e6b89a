/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Refusal checks shared by the parser tests: the error names its line, and what was wrong */
#include <string.h>

#include <glib.h>

#include "refusal.h"

void assert_refusal_names(const NetDefError *err, unsigned line, const char *needle) {
        g_assert_nonnull(err->message);
        g_assert_cmpuint(err->line, ==, line);
        if (line > 0) {
                g_autofree char *prefix = g_strdup_printf("line %u: ", line);

                g_assert_true(g_str_has_prefix(err->message, prefix));
        }
        if (!strstr(err->message, needle))
                g_error("message '%s' does not name '%s'", err->message, needle);
}
