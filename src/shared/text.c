/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text a person reads: which characters show as themselves, and an escaped form of any other */
#include <string.h>

#include "shared/text.h"

bool text_char_is_shown(gunichar c) {
        switch (g_unichar_type(c)) {
        case G_UNICODE_CONTROL:
        case G_UNICODE_FORMAT:
        case G_UNICODE_UNASSIGNED:
        case G_UNICODE_SURROGATE:
        case G_UNICODE_LINE_SEPARATOR:
        case G_UNICODE_PARAGRAPH_SEPARATOR:
                return false;
        default:
                return true;
        }
}

char *text_escape_unshown(const char *s) {
        GString *out = g_string_sized_new(strlen(s));
        const char *end = s + strlen(s);

        while (s < end) {
                gunichar c = g_utf8_get_char_validated(s, end - s);

                if (c == (gunichar) -1 || c == (gunichar) -2) {
                        g_string_append_printf(out, "\\x{%02X}", (unsigned char) *s);
                        s++;
                        continue;
                }
                if (text_char_is_shown(c))
                        g_string_append_len(out, s, g_utf8_next_char(s) - s);
                else
                        g_string_append_printf(out, "\\u{%04X}", (unsigned) c);
                s = g_utf8_next_char(s);
        }
        return g_string_free(out, FALSE);
}
