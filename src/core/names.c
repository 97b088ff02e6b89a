/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names: which network names, netdev names, UUIDs, MAC addresses and VLAN ids netpool accepts */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "core/names.h"
#include "shared/macro.h"

#define NETWORK_NAME_MAX 64
#define NETDEV_NAME_MAX 15              /* IFNAMSIZ - 1 */

static bool network_name_char_ok(char c) {
        return g_ascii_isalnum(c) || strchr("_.+-", c);
}

/**
 * network_name_is_valid() - whether s may name a network
 *
 * 1–64 characters of A-Za-z0-9_.+-, not starting with '.' or '-'. The name becomes a file name in
 * the config and state directories and a D-Bus path segment, so it is kept to a small portable
 * character set and may not look like an option or a hidden file.
 */
bool network_name_is_valid(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > NETWORK_NAME_MAX)
                return false;
        if (s[0] == '.' || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!network_name_char_ok(s[i]))
                        return false;
        return true;
}

/**
 * netdev_name_is_valid() - whether the kernel would accept s as an interface name
 *
 * As the kernel allows: 1–15 bytes, no '/', ':' or white space, not "." or "..".
 */
bool netdev_name_is_valid(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > NETDEV_NAME_MAX)
                return false;
        if (streq(s, ".") || streq(s, ".."))
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];

                /* the kernel's isspace() also covers the Latin-1 no-break space */
                if (c == '/' || c == ':' || isspace(c) || c == 0xa0)
                        return false;
        }
        return true;
}

/* The 32 hex digits of s into out, lower case; dashes only where the 8-4-4-4-12 form has them */
static bool uuid_collect_hex(const char *s, char out[static 33]) {
        static const size_t dash_at[] = { 8, 13, 18, 23 };
        size_t len = strlen(s), k = 0;

        if (len == 32) {
                for (size_t i = 0; i < 32; i++) {
                        if (!g_ascii_isxdigit(s[i]))
                                return false;
                        out[k++] = g_ascii_tolower(s[i]);
                }
                out[k] = 0;
                return true;
        }
        if (len != 36)
                return false;
        for (size_t i = 0, d = 0; i < 36; i++) {
                if (d < G_N_ELEMENTS(dash_at) && i == dash_at[d]) {
                        if (s[i] != '-')
                                return false;
                        d++;
                        continue;
                }
                if (!g_ascii_isxdigit(s[i]))
                        return false;
                out[k++] = g_ascii_tolower(s[i]);
        }
        out[k] = 0;
        return true;
}

bool uuid_is_valid(const char *s) {
        char hex[33];

        return s && uuid_collect_hex(s, hex);
}

/**
 * uuid_normalize() - canonical lower-case 8-4-4-4-12 form of a valid UUID, into buf[37]
 *
 * Returns: 0, or -EINVAL when s is not a UUID (buf is then left alone).
 */
int uuid_normalize(const char *s, char buf[static 37]) {
        char hex[33];

        if (!s || !uuid_collect_hex(s, hex))
                return -EINVAL;
        snprintf(buf, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
        return 0;
}

void uuid_generate_string(char buf[static 37]) {
        g_autofree char *u = g_uuid_string_random();   /* version 4, lower case */

        g_strlcpy(buf, u, 37);
}

/**
 * mac_normalize() - canonical lower-case "xx:xx:xx:xx:xx:xx" of a MAC address, into buf[18]
 *
 * Accepts one or two hex digits per octet, as libvirt does.
 * Returns: 0, or -EINVAL (buf is then left alone).
 */
int mac_normalize(const char *s, char buf[static 18]) {
        unsigned octet[6];
        const char *p = s;

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < 6; i++) {
                size_t digits = 0;
                unsigned v = 0;

                while (g_ascii_isxdigit(*p) && digits < 3) {
                        v = v * 16 + (unsigned) g_ascii_xdigit_value(*p);
                        p++;
                        digits++;
                }
                if (digits == 0 || digits > 2)
                        return -EINVAL;
                octet[i] = v;
                if (i < 5 && *p++ != ':')
                        return -EINVAL;
        }
        if (*p)
                return -EINVAL;
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
                 octet[0], octet[1], octet[2], octet[3], octet[4], octet[5]);
        return 0;
}

bool mac_is_valid(const char *s) {
        char buf[18];

        return mac_normalize(s, buf) == 0;
}

bool mac_is_zero(const char *s) {
        char buf[18];

        return mac_normalize(s, buf) == 0 && streq(buf, "00:00:00:00:00:00");
}

bool mac_is_multicast(const char *s) {
        char buf[18];

        /* the I/G bit: the low bit of the first octet marks a group (multicast) address */
        return mac_normalize(s, buf) == 0 && (g_ascii_xdigit_value(buf[1]) & 1);
}

int vlan_id_parse(const char *s, unsigned *ret) {
        guint64 value;

        /* decimal digits only: g_ascii_string_to_unsigned() would take a sign or blanks */
        if (!s || !g_ascii_isdigit(s[0]) || strspn(s, "0123456789") != strlen(s))
                return -EINVAL;
        if (!g_ascii_string_to_unsigned(s, 10, 0, VLAN_ID_MAX, &value, NULL))
                return -EINVAL;
        *ret = (unsigned) value;
        return 0;
}

bool driver_name_is_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(s[i]) && s[i] != '_' && s[i] != '-')
                        return false;
        return true;
}
