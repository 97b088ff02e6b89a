/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statistics object: /org/netpool1, org.netpool1.Statistics — counters for monitoring, readable by anyone */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/bus-context.h"
#include "bus/bus-statistics.h"

void bus_statistics_init(BusStatistics *s) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        *s = (BusStatistics) {
                .counting_since = (uint64_t) ts.tv_sec * UINT64_C(1000000) + (uint64_t) ts.tv_nsec / 1000,
                .allocation_failures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
        };
}

void bus_statistics_clear(BusStatistics *s) {
        g_clear_pointer(&s->allocation_failures, g_hash_table_unref);
}

static void changed(BusStatistics *s) {
        if (s->changed)
                s->changed(s, s->changed_data);
}

static uint64_t *failure_slot(BusStatistics *s, const char *error_name) {
        uint64_t *count = g_hash_table_lookup(s->allocation_failures, error_name);

        if (!count) {
                count = g_new0(uint64_t, 1);
                g_hash_table_insert(s->allocation_failures, g_strdup(error_name), count);
        }
        return count;
}

void bus_statistics_set_failures(BusStatistics *s, const char *error_name, uint64_t count) {
        *failure_slot(s, error_name) = count;
}

static int compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

const char **bus_statistics_failure_names(const BusStatistics *s, guint *ret_n) {
        const char **names = (const char **) g_hash_table_get_keys_as_array(s->allocation_failures, ret_n);

        qsort(names, *ret_n, sizeof(char *), compare_strings);
        return names;
}

uint64_t bus_statistics_failures(const BusStatistics *s, const char *error_name) {
        const uint64_t *count = g_hash_table_lookup(s->allocation_failures, error_name);

        return count ? *count : 0;
}

void bus_statistics_count_allocation(BusStatistics *s) {
        s->allocations++;
        changed(s);
}

void bus_statistics_count_allocation_failure(BusStatistics *s, const sd_bus_error *error, int r) {
        _cleanup_(sd_bus_error_free) sd_bus_error from_errno = SD_BUS_ERROR_NULL;
        const char *name = error ? error->name : NULL;

        if (!name) {
                /* a fault without an error set: sd-bus answers with the errno's name, so count that */
                (void) sd_bus_error_set_errno(&from_errno, r);
                name = from_errno.name ?: SD_BUS_ERROR_FAILED;
        }
        (*failure_slot(s, name))++;
        changed(s);
}

void bus_statistics_count_event(BusStatistics *s, EngineEvent event) {
        switch (event) {
        case ENGINE_EVENT_PORT_REMOVED:
                s->releases++;
                break;
        case ENGINE_EVENT_PORT_DRIFT_REPAIRED:
                s->drift_repairs++;
                break;
        case ENGINE_EVENT_PORT_REAPPLIED:
                s->leases_reapplied++;
                break;
        default:
                return;
        }
        changed(s);
}

static BusStatistics *statistics_of(void *userdata) {
        return &((BusContext *) userdata)->statistics;
}

static int property_get_counting_since(sd_bus *bus, const char *path, const char *interface,
                                       const char *property, sd_bus_message *reply, void *userdata,
                                       sd_bus_error *error) {
        return sd_bus_message_append(reply, "t", statistics_of(userdata)->counting_since);
}

static int property_get_counter(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const BusStatistics *s = statistics_of(userdata);

        uint64_t v = streq(property, "Allocations") ? s->allocations :
                     streq(property, "Releases") ? s->releases :
                     streq(property, "DriftRepairs") ? s->drift_repairs : s->leases_reapplied;

        return sd_bus_message_append(reply, "t", v);
}

static int property_get_allocation_failures(sd_bus *bus, const char *path, const char *interface,
                                            const char *property, sd_bus_message *reply, void *userdata,
                                            sd_bus_error *error) {
        const BusStatistics *s = statistics_of(userdata);
        g_autofree const char **names = NULL;
        guint n;
        int r;

        names = bus_statistics_failure_names(s, &n);
        r = sd_bus_message_open_container(reply, 'a', "{st}");
        if (r < 0)
                return r;
        for (guint i = 0; i < n; i++) {
                r = sd_bus_message_append(reply, "{st}", names[i], bus_statistics_failures(s, names[i]));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_restores_pending(sd_bus *bus, const char *path, const char *interface,
                                         const char *property, sd_bus_message *reply, void *userdata,
                                         sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", engine_restores_waiting(((BusContext *) userdata)->engine));
}

static int property_get_quarantined(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        GHashTable *q = engine_quarantined(((BusContext *) userdata)->engine);
        g_autofree const char **keys = NULL;
        guint n;
        int r;

        keys = (const char **) g_hash_table_get_keys_as_array(q, &n);
        qsort(keys, n, sizeof(char *), compare_strings);
        r = sd_bus_message_open_container(reply, 'a', "{ss}");
        if (r < 0)
                return r;
        for (guint i = 0; i < n; i++) {
                r = sd_bus_message_append(reply, "{ss}", keys[i], (const char *) g_hash_table_lookup(q, keys[i]));
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* No change signals: counters move with every call, and a monitor reads them when it scrapes. */
static const sd_bus_vtable statistics_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("CountingSince", "t", property_get_counting_since, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Allocations", "t", property_get_counter, 0, 0),
        SD_BUS_PROPERTY("Releases", "t", property_get_counter, 0, 0),
        SD_BUS_PROPERTY("DriftRepairs", "t", property_get_counter, 0, 0),
        SD_BUS_PROPERTY("LeasesReapplied", "t", property_get_counter, 0, 0),
        SD_BUS_PROPERTY("AllocationFailures", "a{st}", property_get_allocation_failures, 0, 0),
        SD_BUS_PROPERTY("RestoresPending", "u", property_get_restores_pending, 0, 0),
        SD_BUS_PROPERTY("Quarantined", "a{ss}", property_get_quarantined, 0, 0),
        SD_BUS_VTABLE_END,
};

int bus_statistics_add(BusContext *c, sd_bus *bus) {
        return sd_bus_add_object_vtable(bus, NULL, NETPOOL_MANAGER_PATH, NETPOOL_STATISTICS_IFACE,
                                        statistics_vtable, c);
}
