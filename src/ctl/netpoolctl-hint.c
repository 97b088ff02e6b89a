/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl hints: after a failure, the next step in the user's own commands */
#include <string.h>

#include <glib.h>

#include "bus/bus-errors.h"
#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-hint.h"
#include "ctl/netpoolctl-verb.h"

unsigned ctl_edit_distance(const char *a, const char *b, unsigned max) {
        size_t la = strlen(a), lb = strlen(b);
        g_autofree unsigned *row = NULL;

        if ((la > lb ? la - lb : lb - la) > max)
                return max + 1;
        row = g_new(unsigned, lb + 1);
        for (size_t j = 0; j <= lb; j++)
                row[j] = (unsigned) j;
        for (size_t i = 1; i <= la; i++) {
                unsigned diag = row[0], best;

                row[0] = (unsigned) i;
                best = row[0];
                for (size_t j = 1; j <= lb; j++) {
                        unsigned up = row[j];
                        unsigned cost = diag + (a[i - 1] != b[j - 1]);

                        row[j] = MIN(cost, MIN(up, row[j - 1]) + 1);
                        diag = up;
                        best = MIN(best, row[j]);
                }
                if (best > max)
                        return max + 1;
        }
        return MIN(row[lb], max + 1);
}

const char *ctl_closest_name(const char *wanted, const char *const *candidates) {
        /* a typo: a third of the name, at least one edit, at most three */
        unsigned max = CLAMP((unsigned) strlen(wanted) / 3, 1u, 3u);
        const char *best = NULL;
        unsigned best_distance = max + 1;

        for (const char *const *c = candidates; c && *c; c++) {
                unsigned d = ctl_edit_distance(wanted, *c, max);

                if (d < best_distance) {
                        best = *c;
                        best_distance = d;
                }
        }
        return best;
}

/* The names of every network, from ListNetworks; NULL when the daemon cannot be asked. */
static GStrv list_network_names(sd_bus *bus) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(sd_bus_message) reply = NULL;
        const char *name;

        if (!bus || ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, "ListNetworks", NULL, &reply, "t",
                             UINT64_C(0)) < 0 ||
            sd_bus_message_enter_container(reply, 'a', "(sssbbbuuo)") < 0)
                return NULL;
        while (sd_bus_message_read(reply, "(sssbbbuuo)", &name, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                   NULL) > 0)
                g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_add(names, NULL);
        return (GStrv) g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

static void hint_unknown_network(sd_bus *bus, const char *network) {
        g_auto(GStrv) names = list_network_names(bus);
        const char *close = network ? ctl_closest_name(network, (const char *const *) names) : NULL;

        if (close)
                ctl_hint("did you mean '%s'? 'netpoolctl list' shows every network", close);
        else
                ctl_hint("'netpoolctl list' shows every network");
}

/* What to run next after the daemon answered error to a call on the network named network (may be NULL
 * when the call named none); bus is used to suggest a close name for an unknown one. */
static void ctl_hint_for_error(sd_bus *bus, const sd_bus_error *error, const char *network) {
        const char *net = network ?: "NETWORK";

        if (!sd_bus_error_is_set(error))
                return;
        if (sd_bus_error_has_name(error, NETPOOL_ERROR_NO_SUCH_NETWORK))
                hint_unknown_network(bus, network);
        else if (sd_bus_error_has_name(error, NETPOOL_ERROR_NETWORK_INACTIVE))
                ctl_hint("start it first: netpoolctl start %s", net);
        else if (sd_bus_error_has_name(error, NETPOOL_ERROR_NETWORK_BUSY))
                ctl_hint("'netpoolctl stop --force %s' releases its ports first, restoring each device; "
                         "'netpoolctl ports %s' lists them", net, net);
        else if (sd_bus_error_has_name(error, NETPOOL_ERROR_POOL_EXHAUSTED))
                ctl_hint("'netpoolctl devices %s' shows each device's state and the port that holds it", net);
        else if (sd_bus_error_has_name(error, NETPOOL_ERROR_DEVICE_NOT_FOUND))
                ctl_hint("compare the devices 'netpoolctl dumpxml --inactive %s' names with 'ip link' and "
                         "/sys/class/net; after fixing the hardware, 'netpoolctl rescan'", net);
        else if (sd_bus_error_has_name(error, NETPOOL_ERROR_NO_SUCH_PORT))
                ctl_hint("'netpoolctl ports' lists every port with its UUID");
}

int ctl_report_network_error(sd_bus *bus, const char *action, const char *network, const sd_bus_error *error,
                             int r) {
        (void) ctl_report_error(action, error, r);
        ctl_hint_for_error(bus, error, network);
        return CTL_EXIT_FAILURE;
}
