/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network definition errors: the message and line the parser, validator and name peek report */
#include <stdarg.h>

#include "core/netdef-private.h"
#include "core/netdef.h"
#include "core/xml-util.h"

void netdef_error_clear(NetDefError *e) {
        if (!e)
                return;
        g_clear_pointer(&e->message, g_free);
        e->line = 0;
}

int netdef_error_setf(NetDefError *err, int error, unsigned line, const char *fmt, ...) {
        g_autofree char *text = NULL;
        va_list ap;

        if (!err)
                return error;
        va_start(ap, fmt);
        text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        netdef_error_clear(err);
        err->line = line;
        err->message = line > 0 ? g_strdup_printf("line %u: %s", line, text) : g_steal_pointer(&text);
        return error;
}

int netdef_error_take(NetDefError *err, int error, char *msg) {
        if (!err) {
                g_free(msg);
                return error;
        }
        netdef_error_clear(err);
        err->line = xml_msg_line(msg);
        err->message = msg;
        return error;
}
