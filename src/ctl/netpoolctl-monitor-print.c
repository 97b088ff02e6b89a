/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: one timestamped line, or one JSON object, per event */
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-object.h"
#include "ctl/netpoolctl-output.h"
#include "ctl/netpoolctl-verb.h"

/* The filter matches a network's name, or its UUID in any case. */
static bool monitor_shows(Monitor *m, const char *network) {
        const MonitorObject *n;
        const char *uuid;

        if (!m->filter)
                return true;
        if (!network)
                return false;
        n = monitor_network(m, network);
        uuid = n ? monitor_value(n, NET_PROP_UUID) : NULL;
        return streq(network, m->filter) || (uuid && g_ascii_strcasecmp(uuid, m->filter) == 0);
}

static char *timestamp_now(void) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *seconds = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");

        return g_strdup_printf("%s.%03dZ", seconds, g_date_time_get_microsecond(now) / 1000);
}

void monitor_print(Monitor *m, const char *event, const char *network, const GString *fields, const char *text) {
        g_autofree char *stamp = NULL;
        g_autofree char *line = NULL;

        if (m->failed || !monitor_shows(m, network))
                return;
        stamp = timestamp_now();
        if (m->json) {
                GString *json = g_string_new("{\"time\":");

                json_append_string(json, stamp);
                monitor_field_string(json, "event", event);
                monitor_field_string(json, "network", network);
                g_string_append_printf(json, "%s}\n", fields ? fields->str : "");
                line = g_string_free(json, FALSE);
        } else {
                g_autofree char *safe = text_sanitize(text);

                line = g_strdup_printf("%s %s\n", stamp, safe);
        }
        /* output_print() flushes: scripts read the lines as they come */
        if (output_print(line) != CTL_EXIT_SUCCESS) {
                m->failed = true;
                (void) sd_event_exit(m->event, CTL_EXIT_FAILURE);
        }
}
