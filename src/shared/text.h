/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text a person reads: which characters show as themselves, and an escaped form of any other */
#pragma once

#include <stdbool.h>

#include <glib.h>

/* Whether c shows as itself: printable (not a control, unassigned or surrogate code point), not a format
 * character (Unicode Cf: the bidi embeddings, overrides, isolates and marks, zero-width characters, the
 * BOM, the soft hyphen) and not a line or paragraph separator. */
bool text_char_is_shown(gunichar c);

/* s with every character that does not show as itself written as \u{XXXX}, and every byte that is not
 * UTF-8 as \x{XX}; a backslash stays itself. Never NULL for a non-NULL s (g_free it). */
char *text_escape_unshown(const char *s);
