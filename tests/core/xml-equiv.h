/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XML equivalence for tests: same elements in order, same attributes, same trimmed text */
#pragma once

#include <stdbool.h>

/* Whether a and b are equivalent: the same elements (name and namespace) in the same order, the
 * same attributes with the same values in any order and quote style, the same text once leading
 * and trailing white space is dropped; white-space-only text and comments do not count.
 * On false, *ret_diff (when not NULL) gets a g_malloc'd description of the first difference. */
bool xml_equiv(const char *a, const char *b, char **ret_diff);
