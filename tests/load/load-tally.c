/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load test tally: errors by name and violations by kind, kept in shared memory by the process that saw them */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "load.h"

static const char *const violation_names[_LOAD_V_MAX] = {
        [LOAD_V_DEVICE_IN_TWO_PORTS] = "device-in-two-ports",
        [LOAD_V_PORT_LISTED_TWICE]   = "port-listed-twice",
        [LOAD_V_PORT_MOVED]          = "port-moved",
        [LOAD_V_PORT_WRONG_MAC]      = "port-wrong-mac",
        [LOAD_V_MAC_ON_FOREIGN_VF]   = "mac-on-foreign-vf",
        [LOAD_V_MAC_ON_TWO_VFS]      = "mac-on-two-vfs",
        [LOAD_V_UNKNOWN_DEVICE]      = "unknown-device",
        [LOAD_V_CHECKER_CALL]        = "checker-call-failed",
        [LOAD_V_VF_NOT_CONFIGURED]   = "vf-not-configured",
        [LOAD_V_VF_KEPT_MAC]         = "vf-kept-mac",
        [LOAD_V_BAD_REPLY]           = "bad-reply",
        [LOAD_V_VF_NOT_RESTORED]     = "vf-not-restored",
        [LOAD_V_PORTS_LEFT]          = "ports-left",
        [LOAD_V_DEVICE_NOT_FREE]     = "device-not-free",
        [LOAD_V_DAEMON_RESTARTED]    = "daemon-restarted",
        [LOAD_V_RSS_GROWTH]          = "rss-growth",
};

const char *load_violation_to_string(LoadViolation v) {
        return v >= 0 && v < _LOAD_V_MAX ? violation_names[v] : NULL;
}

void load_tally_error(LoadTally *t, const char *name, const char *message) {
        for (unsigned i = 0; i < LOAD_MAX_ERRORS; i++) {
                LoadErrorCount *e = &t->errors[i];

                if (e->count == 0) {
                        g_strlcpy(e->name, name, sizeof(e->name));
                        g_strlcpy(e->message, message ?: "", sizeof(e->message));
                }
                if (g_str_equal(e->name, name)) {
                        e->count++;
                        return;
                }
        }
        t->errors_unlisted++;
}

void load_tally_violation(LoadTally *t, LoadViolation v, const char *format, ...) {
        va_list ap;

        t->violations[v]++;
        if (t->n_notes >= LOAD_MAX_NOTES)
                return;
        va_start(ap, format);
        vsnprintf(t->notes[t->n_notes++], sizeof(t->notes[0]), format, ap);
        va_end(ap);
}

uint64_t load_tally_violations(const LoadTally *t) {
        uint64_t n = 0;

        for (unsigned v = 0; v < _LOAD_V_MAX; v++)
                n += t->violations[v];
        return n;
}
