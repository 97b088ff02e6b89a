/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl metrics: reads netpoold's networks, their devices and its counters over the public API and
 * prints them in the Prometheus text format, for node_exporter's textfile collector (docs/metrics.md) */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-metrics.h"
#include "ctl/netpoolctl-network.h"
#include "ctl/netpoolctl-output.h"

/* Every network shows these, zeros included, so that a series does not vanish when a state empties. */
static const char *const device_states[] = { "free", "in-use", "unavailable", "lost", "restore-failed",
                                             "quarantined" };

/* ---- What is read ---- */

typedef struct FailureCount {
        char *error;
        uint64_t count;
} FailureCount;

static void failure_count_free(gpointer p) {
        FailureCount *f = p;

        g_free(f->error);
        g_free(f);
}

/* org.netpool1.Statistics */
typedef struct DaemonCounters {
        uint64_t counting_since;        /* µs since the epoch */
        uint64_t allocations;
        uint64_t releases;
        uint64_t drift_repairs, leases_reapplied;
        uint32_t restores_pending;
        GPtrArray *failures;            /* FailureCount*, by error name as the daemon sends them */
        GPtrArray *quarantined;         /* device, reason, device, reason, … (g_free), sorted by device */
} DaemonCounters;

typedef struct StateCount {
        char *state;
        uint32_t count;
} StateCount;

static void state_count_free(gpointer p) {
        StateCount *s = p;

        g_free(s->state);
        g_free(s);
}

/* One network: its ListNetworks row, Available, and its devices counted by state. */
typedef struct NetworkMetrics {
        CtlNetworkRow *info;
        GPtrArray *states;              /* StateCount*: device_states in order, then any other */
} NetworkMetrics;

static void network_metrics_free(gpointer p) {
        NetworkMetrics *n = p;

        ctl_network_row_free(n->info);
        g_ptr_array_unref(n->states);
        g_free(n);
}

static NetworkMetrics *network_metrics_new(CtlNetworkRow *info) {
        NetworkMetrics *n = g_new0(NetworkMetrics, 1);

        n->info = info;
        n->states = g_ptr_array_new_with_free_func(state_count_free);
        for (size_t i = 0; i < G_N_ELEMENTS(device_states); i++) {
                StateCount *s = g_new0(StateCount, 1);

                s->state = g_strdup(device_states[i]);
                g_ptr_array_add(n->states, s);
        }
        return n;
}

static void network_metrics_count_state(NetworkMetrics *n, const char *state) {
        StateCount *s;

        for (guint i = 0; i < n->states->len; i++) {
                s = n->states->pdata[i];
                if (streq(s->state, state)) {
                        s->count++;
                        return;
                }
        }
        /* a state this netpoolctl does not know yet: shown all the same */
        s = g_new0(StateCount, 1);
        s->state = g_strdup(state);
        s->count = 1;
        g_ptr_array_add(n->states, s);
}

/* ---- Reading it over the bus ---- */

static int read_failures(sd_bus_message *m, GPtrArray *failures) {
        const char *name;
        uint64_t count;
        int r;

        r = ctl_enter_variant_array(m, "a{st}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{st}", &name, &count)) > 0) {
                FailureCount *f = g_new0(FailureCount, 1);

                f->error = g_strdup(name);
                f->count = count;
                g_ptr_array_add(failures, f);
        }
        if (r < 0)
                return r;
        return ctl_exit_variant_array(m);
}

static int read_quarantined(sd_bus_message *m, GPtrArray *quarantined) {
        const char *device, *reason;
        int r;

        r = ctl_enter_variant_array(m, "a{ss}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "{ss}", &device, &reason)) > 0) {
                g_ptr_array_add(quarantined, g_strdup(device));
                g_ptr_array_add(quarantined, g_strdup(reason));
        }
        if (r < 0)
                return r;
        return ctl_exit_variant_array(m);
}

/* One property of GetAll's a{sv}, the reply positioned at its variant; unknown ones are skipped, so a
 * newer daemon still works. */
static int read_counter_property(sd_bus_message *m, const char *name, void *userdata) {
        DaemonCounters *d = userdata;

        if (streq(name, "CountingSince"))
                return sd_bus_message_read(m, "v", "t", &d->counting_since);
        if (streq(name, "Allocations"))
                return sd_bus_message_read(m, "v", "t", &d->allocations);
        if (streq(name, "Releases"))
                return sd_bus_message_read(m, "v", "t", &d->releases);
        if (streq(name, "RestoresPending"))
                return sd_bus_message_read(m, "v", "u", &d->restores_pending);
        if (streq(name, "DriftRepairs"))
                return sd_bus_message_read(m, "v", "t", &d->drift_repairs);
        if (streq(name, "LeasesReapplied"))
                return sd_bus_message_read(m, "v", "t", &d->leases_reapplied);
        if (streq(name, "Quarantined"))
                return read_quarantined(m, d->quarantined);
        if (streq(name, "AllocationFailures"))
                return read_failures(m, d->failures);
        return sd_bus_message_skip(m, "v");
}

/* Prints why on failure. */
static int get_counters(sd_bus *bus, DaemonCounters *d) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        int r;

        r = ctl_call(bus, NETPOOL_MANAGER_PATH, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply,
                     "s", NETPOOL_STATISTICS_IFACE);
        if (r < 0) {
                (void) ctl_report_error("read netpoold's statistics", &error, r);
                return r;
        }
        r = ctl_read_properties(reply, read_counter_property, d);
        if (r < 0)
                return ctl_report_bad_reply("GetAll of " NETPOOL_STATISTICS_IFACE, r);
        return 0;
}

/* Prints why on failure. */
static int get_network_list(sd_bus *bus, GPtrArray *networks) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        int r;

        r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, "ListNetworks", &error, &reply, "t",
                     UINT64_C(0));
        if (r < 0) {
                (void) ctl_report_error("list networks", &error, r);
                return r;
        }
        r = network_list_read(reply, networks);
        if (r < 0)
                return ctl_report_bad_reply("ListNetworks", r);
        return 0;
}

/* A network undefined since ListNetworks answered: its object is gone. */
static bool network_vanished(const sd_bus_error *error) {
        return sd_bus_error_has_name(error, SD_BUS_ERROR_UNKNOWN_OBJECT);
}

/* Available and the devices by state. Returns 0, -ENOENT when the network has vanished meanwhile, or
 * another -errno having printed why. */
static int get_network_details(sd_bus *bus, NetworkMetrics *n) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GArray) devices = g_array_new(FALSE, FALSE, sizeof(CtlDeviceRow));
        g_autofree char *action = g_strdup_printf("read the devices of network '%s'", n->info->name);
        int r;

        r = sd_bus_get_property_trivial(bus, NETPOOL_BUS_NAME, n->info->object, NETPOOL_NETWORK_IFACE,
                                        "Available", &error, 'u', &n->info->available);
        if (r >= 0)
                r = ctl_call(bus, n->info->object, NETPOOL_NETWORK_IFACE, "GetDevices", &error, &reply,
                             "t", UINT64_C(0));
        if (r < 0 && network_vanished(&error))
                return -ENOENT;
        if (r < 0) {
                (void) ctl_report_error(action, &error, r);
                return r;
        }
        r = device_list_read(reply, devices);
        if (r < 0)
                return ctl_report_bad_reply("GetDevices", r);
        for (guint i = 0; i < devices->len; i++)
                network_metrics_count_state(n, g_array_index(devices, CtlDeviceRow, i).state);
        return 0;
}

static int compare_network_names(gconstpointer a, gconstpointer b) {
        const NetworkMetrics *x = *(NetworkMetrics *const *) a, *y = *(NetworkMetrics *const *) b;

        return g_strcmp0(x->info->name, y->info->name);
}

/* Every network netpoold knows, with its details, by name. Prints why on failure. */
static int get_networks(sd_bus *bus, GPtrArray *networks) {
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify) ctl_network_row_free);
        int r;

        r = get_network_list(bus, list);
        if (r < 0)
                return r;
        for (guint i = 0; i < list->len; i++) {
                NetworkMetrics *n = network_metrics_new(g_steal_pointer(&list->pdata[i]));

                r = get_network_details(bus, n);
                if (r < 0) {
                        network_metrics_free(n);
                        if (r == -ENOENT)
                                continue;       /* undefined meanwhile: it is no longer there to show */
                        return r;
                }
                g_ptr_array_add(networks, n);
        }
        g_ptr_array_sort(networks, compare_network_names);
        return 0;
}

/* ---- Writing it ---- */

static void append_daemon_metrics(GString *out, const DaemonCounters *d) {
        metrics_append_family(out, "netpool_counters_start_time_seconds", METRIC_GAUGE,
                              "When netpoold began the counters below, in seconds since the epoch: its "
                              "first start since boot (idle exits and restarts go on counting)");
        metrics_append_sample_seconds(out, "netpool_counters_start_time_seconds", NULL, d->counting_since);
        metrics_append_family(out, "netpool_port_allocations_total", METRIC_COUNTER,
                              "Ports allocated (successful Allocate calls) since counting began");
        metrics_append_sample(out, "netpool_port_allocations_total", NULL, d->allocations);
        metrics_append_family(out, "netpool_port_releases_total", METRIC_COUNTER,
                              "Ports released (Release, or Stop with FORCE) since counting began");
        metrics_append_sample(out, "netpool_port_releases_total", NULL, d->releases);
        metrics_append_family(out, "netpool_port_allocation_failures_total", METRIC_COUNTER,
                              "Allocate calls answered with an error since counting began, by D-Bus "
                              "error name");
        for (guint i = 0; i < d->failures->len; i++) {
                const FailureCount *f = d->failures->pdata[i];
                const char *labels[] = { "error", f->error, NULL };

                metrics_append_sample(out, "netpool_port_allocation_failures_total", labels, f->count);
        }
        metrics_append_family(out, "netpool_vf_restores_pending", METRIC_GAUGE,
                              "VFs whose original configuration could not be restored yet, waiting for a "
                              "retry");
        metrics_append_sample(out, "netpool_vf_restores_pending", NULL, d->restores_pending);
        metrics_append_family(out, "netpool_port_drift_repairs_total", METRIC_COUNTER,
                              "Ports whose VF was changed outside netpool and got the port's settings again");
        metrics_append_sample(out, "netpool_port_drift_repairs_total", NULL, d->drift_repairs);
        metrics_append_family(out, "netpool_port_reapplied_total", METRIC_COUNTER,
                              "Ports whose VF vanished and came back and got the port's settings again");
        metrics_append_sample(out, "netpool_port_reapplied_total", NULL, d->leases_reapplied);
        metrics_append_family(out, "netpool_device_quarantined", METRIC_GAUGE,
                              "A device restored that read back otherwise (or whose reset failed), not handed "
                              "out until Rescan finds it right; always 1");
        for (guint i = 0; i + 1 < d->quarantined->len; i += 2) {
                const char *labels[] = { "device", d->quarantined->pdata[i], "reason", d->quarantined->pdata[i + 1],
                                         NULL };

                metrics_append_sample(out, "netpool_device_quarantined", labels, 1);
        }
}

/* One per-network gauge: the field at offset of each network's CtlNetworkRow. */
static void append_network_gauge(GString *out, GPtrArray *networks, const char *name, const char *help,
                                 size_t offset) {
        metrics_append_family(out, name, METRIC_GAUGE, help);
        for (guint i = 0; i < networks->len; i++) {
                const CtlNetworkRow *info = ((NetworkMetrics *) networks->pdata[i])->info;
                const char *labels[] = { "network", info->name, NULL };

                metrics_append_sample(out, name, labels, *(const uint32_t *) ((const char *) info + offset));
        }
}

static void append_network_metrics(GString *out, GPtrArray *networks) {
        metrics_append_family(out, "netpool_network_info", METRIC_GAUGE,
                              "A network netpoold knows, with its UUID and forward mode; always 1");
        for (guint i = 0; i < networks->len; i++) {
                const CtlNetworkRow *info = ((NetworkMetrics *) networks->pdata[i])->info;
                const char *labels[] = { "network", info->name, "uuid", info->uuid, "mode", info->mode,
                                         NULL };

                metrics_append_sample(out, "netpool_network_info", labels, 1);
        }
        metrics_append_family(out, "netpool_network_active", METRIC_GAUGE,
                              "Whether the network is active (1) or not (0)");
        for (guint i = 0; i < networks->len; i++) {
                const CtlNetworkRow *info = ((NetworkMetrics *) networks->pdata[i])->info;
                const char *labels[] = { "network", info->name, NULL };

                metrics_append_sample(out, "netpool_network_active", labels, info->active ? 1 : 0);
        }
        append_network_gauge(out, networks, "netpool_network_capacity",
                             "Devices in the network's pool (its Capacity property)",
                             offsetof(CtlNetworkRow, capacity));
        append_network_gauge(out, networks, "netpool_network_available",
                             "Devices of the network that can take another port now",
                             offsetof(CtlNetworkRow, available));
        append_network_gauge(out, networks, "netpool_network_connections",
                             "Connections of the network's ports", offsetof(CtlNetworkRow, connections));
        metrics_append_family(out, "netpool_network_devices", METRIC_GAUGE,
                              "Devices of the network's pool in each state (GetDevices)");
        for (guint i = 0; i < networks->len; i++) {
                const NetworkMetrics *n = networks->pdata[i];

                for (guint k = 0; k < n->states->len; k++) {
                        const StateCount *s = n->states->pdata[k];
                        const char *labels[] = { "network", n->info->name, "state", s->state, NULL };

                        metrics_append_sample(out, "netpool_network_devices", labels, s->count);
                }
        }
}

static int verb_metrics(Ctl *ctl, const VerbArgs *args) {
        g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(failure_count_free);
        g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func(network_metrics_free);
        g_autoptr(GString) out = g_string_new(NULL);
        g_autoptr(GPtrArray) quarantined = g_ptr_array_new_with_free_func(g_free);
        DaemonCounters counters = { .failures = failures, .quarantined = quarantined };
        sd_bus *bus;

        if (ctl->json)
                return verb_usage_error("netpoolctl", &metrics_verbs[0],
                                        "--json does not apply: metrics prints the Prometheus text format");
        if (ctl_connect(ctl, &bus) < 0)
                return CTL_EXIT_FAILURE;
        /* the counters first: that call starts netpoold when it is not running */
        if (get_counters(bus, &counters) < 0 || get_networks(bus, networks) < 0)
                return CTL_EXIT_FAILURE;
        append_daemon_metrics(out, &counters);
        append_network_metrics(out, networks);
        return output_print(out->str);
}

const Verb metrics_verbs[] = {
        {
                .name = "metrics",
                .group = "Monitoring",
                .summary = "Print metrics in the Prometheus text format",
                .description =
                        "Per network: whether it is active, its capacity, available devices,\n"
                        "connections and devices by state. netpoold's counters since its first\n"
                        "start after boot: ports allocated and released, failed allocations by\n"
                        "D-Bus error name, drifts repaired and leases applied again; VF restores\n"
                        "waiting for a retry and the quarantined devices with why. The Prometheus\n"
                        "text format 0.0.4, for node_exporter's textfile collector (see\n"
                        "netpoolctl(1)). Nothing is printed unless every read succeeded.",
                .run = verb_metrics,
        },
        {}
};
