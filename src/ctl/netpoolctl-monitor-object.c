/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: the mirror of netpoold's objects (netpoolctl-monitor-object.h) */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-monitor-object.h"
#include "ctl/netpoolctl-output.h"

static const char *const variant_signature[128] = {
        ['s'] = "s", ['b'] = "b", ['u'] = "u", ['i'] = "i", ['o'] = "o", ['O'] = "ao", ['S'] = "as",
};

const MonitorKind *monitor_kind_of(const char *interface) {
        static const MonitorKind *const kinds[] = { &monitor_network_kind, &monitor_port_kind, &monitor_device_kind };

        for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
                if (streq(interface, kinds[i]->interface))
                        return kinds[i];
        return NULL;
}

MonitorObject *monitor_object_new(const MonitorKind *kind, const char *path) {
        MonitorObject *o = g_new0(MonitorObject, 1);

        o->kind = kind;
        if (sd_bus_path_decode(path, kind->prefix, &o->id) <= 0)
                o->id = g_strdup(path);
        o->values = g_new0(char *, kind->n_properties);
        return o;
}

void monitor_values_free(const MonitorKind *kind, char **values) {
        if (!values)
                return;
        for (size_t p = 0; p < kind->n_properties; p++)
                g_free(values[p]);
        g_free(values);
}

void monitor_object_free(MonitorObject *o) {
        if (!o)
                return;
        g_free(o->id);
        monitor_values_free(o->kind, o->values);
        g_free(o);
}

/* An object path as a line names it: the segment under prefix, "" for "/" (none). */
static char *path_name(const char *path, const char *prefix) {
        char *name = NULL;

        if (streq(path, "/"))
                return g_strdup("");
        if (sd_bus_path_decode(path, prefix, &name) > 0)
                return name;
        return g_strdup(path);
}

/* The variant at msg, known to have info's signature, in the form the mirror keeps. */
static int read_value(sd_bus_message *msg, const MonitorProperty *info, char **ret) {
        g_autoptr(GPtrArray) items = NULL;
        const char *s;
        uint32_t u;
        int32_t i;
        int b, r;

        r = sd_bus_message_enter_container(msg, 'v', variant_signature[(int) info->type]);
        if (r < 0)
                return r;
        switch (info->type) {
        case 's':
        case 'o':
                r = sd_bus_message_read_basic(msg, info->type, &s);
                if (r >= 0)
                        *ret = info->type == 's' ? g_strdup(s) : path_name(s, info->prefix);
                break;
        case 'b':
                r = sd_bus_message_read_basic(msg, 'b', &b);
                *ret = g_strdup(b ? "yes" : "no");
                break;
        case 'u':
                r = sd_bus_message_read_basic(msg, 'u', &u);
                *ret = g_strdup_printf("%" PRIu32, u);
                break;
        case 'i':
                r = sd_bus_message_read_basic(msg, 'i', &i);
                *ret = g_strdup_printf("%" PRIi32, i);
                break;
        default:        /* the arrays */
                items = g_ptr_array_new_with_free_func(g_free);
                r = sd_bus_message_enter_container(msg, 'a', info->type == 'S' ? "s" : "o");
                while (r >= 0 && (r = sd_bus_message_read_basic(msg, info->type == 'S' ? 's' : 'o', &s)) > 0)
                        g_ptr_array_add(items, info->type == 'S' ? g_strdup(s) : path_name(s, info->prefix));
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
                g_ptr_array_add(items, NULL);
                *ret = g_strjoinv("\n", (char **) items->pdata);
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

typedef struct ReadInto {
        const MonitorKind *kind;
        char **fresh;
} ReadInto;

static int read_property(sd_bus_message *msg, const char *name, void *userdata) {
        ReadInto *into = userdata;
        const char *contents;
        char type;
        int r;

        for (size_t p = 0; p < into->kind->n_properties; p++) {
                const MonitorProperty *info = &into->kind->properties[p];

                if (!streq(name, info->bus_name))
                        continue;
                r = sd_bus_message_peek_type(msg, &type, &contents);
                if (r < 0)
                        return r;
                /* a newer daemon may change a type: not this property as we know it */
                if (!streq(contents, variant_signature[(int) info->type]))
                        break;
                g_clear_pointer(&into->fresh[p], g_free);
                return read_value(msg, info, &into->fresh[p]);
        }
        return sd_bus_message_skip(msg, "v");
}

int monitor_object_read(MonitorObject *o, sd_bus_message *msg, uint64_t *changed, char ***old) {
        ReadInto into = { .kind = o->kind, .fresh = g_new0(char *, o->kind->n_properties) };
        int r;

        *changed = 0;
        r = ctl_read_properties(msg, read_property, &into);
        if (r < 0) {
                monitor_values_free(o->kind, into.fresh);
                return r;
        }
        /* fresh becomes the old values: what the message did not name stays as it was */
        for (size_t p = 0; p < o->kind->n_properties; p++) {
                char *was = o->values[p];

                if (!into.fresh[p] || streq_ptr(was, into.fresh[p]))
                        continue;
                *changed |= UINT64_C(1) << p;
                o->values[p] = into.fresh[p];
                into.fresh[p] = was;
        }
        *old = into.fresh;
        return 0;
}

const MonitorObject *monitor_network(Monitor *m, const char *name) {
        g_autofree char *path = NULL;

        if (!name || sd_bus_path_encode(monitor_network_kind.prefix, name, &path) < 0)
                return NULL;
        return g_hash_table_lookup(m->objects, path);
}

char *monitor_value_text(const MonitorProperty *p, const char *value) {
        if (!value)
                return g_strdup("?");
        if (!*value || (p->type == 'i' && streq(value, "-1")))
                return g_strdup("-");
        if (p->type == 'S' || p->type == 'O')
                return g_strdelimit(g_strdup(value), "\n", ',');
        return g_strdup(value);
}

void monitor_field_string(GString *fields, const char *key, const char *value) {
        g_string_append_c(fields, ',');
        json_append_string(fields, key);
        g_string_append_c(fields, ':');
        if (value)
                json_append_string(fields, value);
        else
                g_string_append(fields, "null");
}

void monitor_field_value(GString *fields, const MonitorProperty *p, const char *value) {
        g_auto(GStrv) items = NULL;

        if (!value || p->type == 's' || p->type == 'o') {
                monitor_field_string(fields, p->key, value);
                return;
        }
        g_string_append_c(fields, ',');
        json_append_string(fields, p->key);
        g_string_append_c(fields, ':');
        switch (p->type) {
        case 'b':
                g_string_append(fields, streq(value, "yes") ? "true" : "false");
                return;
        case 'i':
                g_string_append(fields, streq(value, "-1") ? "null" : value);
                return;
        case 'u':
                g_string_append(fields, value);
                return;
        }
        items = *value ? g_strsplit(value, "\n", -1) : g_new0(char *, 1);
        g_string_append_c(fields, '[');
        for (size_t i = 0; items[i]; i++) {
                if (i > 0)
                        g_string_append_c(fields, ',');
                json_append_string(fields, items[i]);
        }
        g_string_append_c(fields, ']');
}

void monitor_describe_changes(const MonitorObject *o, char *const *old, uint64_t changed, GString *text,
                              GString *fields) {
        g_autoptr(GString) previous = g_string_new(NULL);
        bool first = true;

        for (size_t p = 0; p < o->kind->n_properties; p++) {
                const MonitorProperty *info = &o->kind->properties[p];
                g_autofree char *was = NULL, *now = NULL;

                if (!(changed & (UINT64_C(1) << p)))
                        continue;
                was = monitor_value_text(info, old[p]);
                now = monitor_value_text(info, o->values[p]);
                g_string_append_printf(text, "%s %s %s -> %s", first ? "" : ",", info->key, was, now);
                first = false;
                monitor_field_value(fields, info, o->values[p]);
                monitor_field_value(previous, info, old[p]);
        }
        g_string_append(fields, ",\"previous\":{");
        g_string_append(fields, previous->len > 0 ? previous->str + 1 : "");   /* past its leading comma */
        g_string_append_c(fields, '}');
}
