/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl network listings: list, info and devices, as tables or JSON */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-device.h"
#include "ctl/netpoolctl-hint.h"
#include "ctl/netpoolctl-network.h"
#include "ctl/netpoolctl-output.h"

static const char *yes_no(bool b) {
        return b ? "yes" : "no";
}

void ctl_network_row_free(CtlNetworkRow *info) {
        if (!info)
                return;
        g_free(info->name);
        g_free(info->uuid);
        g_free(info->mode);
        g_free(info->object);
        g_free(info);
}

int network_list_read(sd_bus_message *reply, GPtrArray *networks) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(sssbbbuuo)");
        if (r < 0)
                return r;
        for (;;) {
                g_autoptr(CtlNetworkRow) info = g_new0(CtlNetworkRow, 1);
                const char *name, *uuid, *mode, *object;

                r = sd_bus_message_read(reply, "(sssbbbuuo)", &name, &uuid, &mode, &info->active,
                                        &info->persistent, &info->autostart, &info->connections,
                                        &info->capacity, &object);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                info->name = g_strdup(name);
                info->uuid = g_strdup(uuid);
                info->mode = g_strdup(mode);
                info->object = g_strdup(object);
                g_ptr_array_add(networks, g_steal_pointer(&info));
        }
        return sd_bus_message_exit_container(reply);
}

static int compare_network_names(gconstpointer a, gconstpointer b) {
        const CtlNetworkRow *x = *(CtlNetworkRow *const *) a, *y = *(CtlNetworkRow *const *) b;

        return g_strcmp0(x->name, y->name);
}

/* --active and --inactive add up; neither (or --all) shows every network. */
static bool network_is_listed(const CtlNetworkRow *info, const VerbArgs *args) {
        bool active = verb_args_has(args, "active"), inactive = verb_args_has(args, "inactive");

        if (verb_args_has(args, "all") || (!active && !inactive))
                return true;
        return info->active ? active : inactive;
}

static int print_network_list_json(GPtrArray *networks) {
        g_autoptr(JsonWriter) writer = json_writer_new();

        json_writer_begin_array(writer);
        for (unsigned i = 0; i < networks->len; i++) {
                const CtlNetworkRow *info = networks->pdata[i];

                json_writer_begin_object(writer);
                json_writer_member_string(writer, "name", info->name);
                json_writer_member_string(writer, "uuid", info->uuid);
                json_writer_member_string(writer, "mode", info->mode);
                json_writer_member_bool(writer, "active", info->active);
                json_writer_member_bool(writer, "persistent", info->persistent);
                json_writer_member_bool(writer, "autostart", info->autostart);
                json_writer_member_uint(writer, "connections", info->connections);
                json_writer_member_uint(writer, "capacity", info->capacity);
                json_writer_member_string(writer, "object", info->object);
                json_writer_end_object(writer);
        }
        json_writer_end_array(writer);
        return output_print_json(writer);
}

static int print_network_list_table(GPtrArray *networks) {
        g_autoptr(Table) table = table_new("NAME", "UUID", "MODE", "STATE", "PERSISTENT",
                                           "AUTOSTART", "CONNECTIONS", "CAPACITY", NULL);
        g_autofree char *text = NULL;

        table_set_right_aligned(table, 6, true);
        table_set_right_aligned(table, 7, true);
        for (unsigned i = 0; i < networks->len; i++) {
                const CtlNetworkRow *info = networks->pdata[i];

                table_add_cell(table, info->name);
                table_add_cell(table, info->uuid);
                table_add_cell(table, info->mode);
                table_add_cell(table, info->active ? "active" : "inactive");
                table_add_cell(table, yes_no(info->persistent));
                table_add_cell(table, yes_no(info->autostart));
                table_add_cellf(table, "%" PRIu32, info->connections);
                table_add_cellf(table, "%" PRIu32, info->capacity);
        }
        text = table_format(table);
        return output_print(text);
}

int verb_list(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify) ctl_network_row_free);
        g_autoptr(GPtrArray) listed = g_ptr_array_new();
        sd_bus *bus;
        int r;

        if (ctl_connect(ctl, &bus) < 0)
                return CTL_EXIT_FAILURE;
        r = ctl_call(bus, NETPOOL_MANAGER_PATH, NETPOOL_MANAGER_IFACE, "ListNetworks", &error, &reply,
                     "t", UINT64_C(0));
        if (r < 0)
                return ctl_report_error("list networks", &error, r);
        r = network_list_read(reply, all);
        if (r < 0) {
                (void) ctl_report_bad_reply("ListNetworks", r);
                return CTL_EXIT_FAILURE;
        }

        for (unsigned i = 0; i < all->len; i++)
                if (network_is_listed(all->pdata[i], args))
                        g_ptr_array_add(listed, all->pdata[i]);
        /* by name whatever order the daemon sends: people scan for names, scripts diff runs */
        g_ptr_array_sort(listed, compare_network_names);
        return ctl->json ? print_network_list_json(listed) : print_network_list_table(listed);
}

/* Where each property of org.netpool1.Network lands in CtlNetworkRow. */
static const CtlPropertySlot network_property_slots[] = {
        { "Name",        "s", offsetof(CtlNetworkRow, name) },
        { "UUID",        "s", offsetof(CtlNetworkRow, uuid) },
        { "ForwardMode", "s", offsetof(CtlNetworkRow, mode) },
        { "Active",      "b", offsetof(CtlNetworkRow, active) },
        { "Persistent",  "b", offsetof(CtlNetworkRow, persistent) },
        { "Autostart",   "b", offsetof(CtlNetworkRow, autostart) },
        { "Connections", "u", offsetof(CtlNetworkRow, connections) },
        { "Capacity",    "u", offsetof(CtlNetworkRow, capacity) },
        { "Available",   "u", offsetof(CtlNetworkRow, available) },
};

static int read_network_property(sd_bus_message *m, const char *name, void *userdata) {
        return ctl_read_property_slot(m, name, network_property_slots, G_N_ELEMENTS(network_property_slots),
                                      userdata);
}

static int print_network_info_json(const CtlNetworkRow *info) {
        g_autoptr(JsonWriter) writer = json_writer_new();

        json_writer_begin_object(writer);
        json_writer_member_string(writer, "name", info->name);
        json_writer_member_string(writer, "uuid", info->uuid);
        json_writer_member_string(writer, "mode", info->mode);
        json_writer_member_bool(writer, "active", info->active);
        json_writer_member_bool(writer, "persistent", info->persistent);
        json_writer_member_bool(writer, "autostart", info->autostart);
        json_writer_member_uint(writer, "connections", info->connections);
        json_writer_member_uint(writer, "capacity", info->capacity);
        json_writer_member_uint(writer, "available", info->available);
        json_writer_member_string(writer, "object", info->object);
        json_writer_end_object(writer);
        return output_print_json(writer);
}

static int print_network_info_text(const CtlNetworkRow *info) {
        g_autoptr(Table) table = table_new("KEY", "VALUE", NULL);
        g_autofree char *text = NULL;

        table_set_show_header(table, false);
        table_add_cell(table, "Name:");
        table_add_cell(table, info->name);
        table_add_cell(table, "UUID:");
        table_add_cell(table, info->uuid);
        table_add_cell(table, "Mode:");
        table_add_cell(table, info->mode);
        table_add_cell(table, "Active:");
        table_add_cell(table, yes_no(info->active));
        table_add_cell(table, "Persistent:");
        table_add_cell(table, yes_no(info->persistent));
        table_add_cell(table, "Autostart:");
        table_add_cell(table, yes_no(info->autostart));
        table_add_cell(table, "Connections:");
        table_add_cellf(table, "%" PRIu32, info->connections);
        table_add_cell(table, "Capacity:");
        table_add_cellf(table, "%" PRIu32, info->capacity);
        table_add_cell(table, "Available:");
        table_add_cellf(table, "%" PRIu32, info->available);
        table_add_cell(table, "Object path:");
        table_add_cell(table, info->object);
        text = table_format(table);
        return output_print(text);
}

int verb_info(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(CtlNetworkRow) info = g_new0(CtlNetworkRow, 1);
        g_auto(NetworkRef) net = {};
        sd_bus *bus;
        int r;

        if (network_open(ctl, verb_args_arg(args, 0), &bus, &net) < 0)
                return CTL_EXIT_FAILURE;

        r = ctl_call(bus, net.path, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply,
                     "s", NETPOOL_NETWORK_IFACE);
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("read the state of network '%s'",
                                                          net.name);

                return ctl_report_network_error(bus, action, net.name, &error, r);
        }
        r = ctl_read_properties(reply, read_network_property, info);
        if (r < 0) {
                (void) ctl_report_bad_reply("GetAll", r);
                return CTL_EXIT_FAILURE;
        }
        info->object = g_strdup(net.path);
        return ctl->json ? print_network_info_json(info) : print_network_info_text(info);
}

static bool network_is_active(sd_bus *bus, const char *path) {
        int active = 0;

        if (sd_bus_get_property_trivial(bus, NETPOOL_BUS_NAME, path, NETPOOL_NETWORK_IFACE, "Active", NULL, 'b',
                                        &active) < 0)
                return true;    /* unknown: show the table as it came */
        return active;
}

int device_list_read(sd_bus_message *reply, GArray *devices) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(ssssisus)");
        if (r < 0)
                return r;
        for (;;) {
                CtlDeviceRow d = {};

                r = sd_bus_message_read(reply, "(ssssisus)", &d.id, &d.netdev, &d.pci_address,
                                        &d.pf, &d.vf_index, &d.state, &d.connections,
                                        &d.port_uuid);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                g_array_append_val(devices, d);
        }
        return sd_bus_message_exit_container(reply);
}

/* The Device objects by Id (API 1.1), for the rows of GetDevices; NULL from a daemon without them. Borrowed
 * from the inventory. */
static GHashTable *device_index_new(GPtrArray *inventory) {
        GHashTable *index;

        if (!inventory)
                return NULL;
        index = g_hash_table_new(g_str_hash, g_str_equal);
        for (unsigned i = 0; i < inventory->len; i++) {
                const CtlDevice *d = inventory->pdata[i];

                g_hash_table_insert(index, d->id, (gpointer) d);
        }
        return index;
}

/* The Device object of a row. A Device's Id is its PCI address where it has one, while a row's id is what
 * the pool lists: a passthrough pool's VF by its netdev (eth0v3), whose object is 0000:03:02.3. */
static const CtlDevice *row_device(GHashTable *index, const CtlDeviceRow *d) {
        if (!index)
                return NULL;
        return g_hash_table_lookup(index, *d->pci_address ? d->pci_address : d->id);
}

static int print_device_list_json(GArray *devices, GPtrArray *inventory) {
        g_autoptr(JsonWriter) writer = json_writer_new();
        g_autoptr(GHashTable) index = device_index_new(inventory);

        json_writer_begin_array(writer);
        for (unsigned i = 0; i < devices->len; i++) {
                const CtlDeviceRow *d = &g_array_index(devices, CtlDeviceRow, i);
                const CtlDevice *object = row_device(index, d);

                json_writer_begin_object(writer);
                json_writer_member_string(writer, "id", d->id);
                json_writer_member_string(writer, "netdev", d->netdev);
                json_writer_member_string(writer, "pci_address", d->pci_address);
                json_writer_member_string(writer, "pf", d->pf);
                json_writer_key(writer, "vf_index");
                if (d->vf_index < 0)
                        json_writer_null(writer);
                else
                        json_writer_int(writer, d->vf_index);
                json_writer_member_string(writer, "state", d->state);
                json_writer_member_uint(writer, "connections", d->connections);
                json_writer_member_string(writer, "port_uuid", *d->port_uuid ? d->port_uuid : NULL);
                /* the rest only where the daemon has a Device object for it */
                if (object)
                        ctl_device_json_members(writer, object);
                json_writer_end_object(writer);
        }
        json_writer_end_array(writer);
        return output_print_json(writer);
}

static void add_number_cell(Table *table, int32_t n) {
        if (n < 0)
                table_add_cell(table, NULL);
        else
                table_add_cellf(table, "%" PRId32, n);
}

/* With Device objects (API 1.1) the table gains NUMA, DRIVER and HOLDER; without, it is as before. */
static int print_device_list_table(GArray *devices, GPtrArray *inventory) {
        g_autoptr(Table) table = inventory ?
                table_new("ID", "NETDEV", "PCI", "PF", "VF", "STATE", "CONNECTIONS", "PORT", "NUMA",
                          "DRIVER", "HOLDER", NULL) :
                table_new("ID", "NETDEV", "PCI", "PF", "VF", "STATE", "CONNECTIONS", "PORT", NULL);
        g_autoptr(GHashTable) index = device_index_new(inventory);
        g_autofree char *text = NULL;

        table_set_right_aligned(table, 4, true);
        table_set_right_aligned(table, 6, true);
        if (inventory)
                table_set_right_aligned(table, 8, true);
        for (unsigned i = 0; i < devices->len; i++) {
                const CtlDeviceRow *d = &g_array_index(devices, CtlDeviceRow, i);
                const CtlDevice *object = row_device(index, d);

                table_add_cell(table, d->id);
                table_add_cell(table, d->netdev);
                table_add_cell(table, d->pci_address);
                table_add_cell(table, d->pf);
                add_number_cell(table, d->vf_index);
                table_add_cell(table, d->state);
                table_add_cellf(table, "%" PRIu32, d->connections);
                table_add_cell(table, d->port_uuid);
                if (!inventory)
                        continue;
                add_number_cell(table, object ? object->numa_node : -1);
                table_add_cell(table, object ? object->driver : NULL);
                table_add_cell(table, object ? object->holder : NULL);
        }
        text = table_format(table);
        return output_print(text);
}

/* The Device objects, or NULL from a daemon without them (before API 1.1) or when reading them fails:
 * GetDevices alone still makes the listing. */
static GPtrArray *device_inventory_or_null(sd_bus *bus) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(GPtrArray) inventory = g_ptr_array_new_with_free_func((GDestroyNotify) ctl_device_free);

        if (ctl_device_inventory_fetch(bus, inventory, &error) < 0 || inventory->len == 0)
                return NULL;
        return g_steal_pointer(&inventory);
}

int verb_devices(Ctl *ctl, const VerbArgs *args) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GArray) devices = g_array_new(FALSE, FALSE, sizeof(CtlDeviceRow));
        g_autoptr(GPtrArray) inventory = NULL;
        g_auto(NetworkRef) net = {};
        sd_bus *bus;
        int r;

        if (network_open(ctl, verb_args_arg(args, 0), &bus, &net) < 0)
                return CTL_EXIT_FAILURE;

        r = ctl_call(bus, net.path, NETPOOL_NETWORK_IFACE, "GetDevices", &error, &reply, "t",
                     UINT64_C(0));
        if (r < 0) {
                g_autofree char *action = g_strdup_printf("list the devices of network '%s'",
                                                          net.name);

                return ctl_report_network_error(bus, action, net.name, &error, r);
        }
        r = device_list_read(reply, devices);
        if (r < 0) {
                (void) ctl_report_bad_reply("GetDevices", r);
                return CTL_EXIT_FAILURE;
        }
        if (!ctl->json && devices->len == 0 && !network_is_active(bus, net.path)) {
                g_autofree char *text = g_strdup_printf("Network %s is inactive: its pool is made when it starts "
                                                        "('netpoolctl start %s'); 'netpoolctl dumpxml --inactive "
                                                        "%s' shows what it names\n", net.name, net.name,
                                                        net.name);

                return output_print(text);
        }
        inventory = device_inventory_or_null(bus);
        return ctl->json ? print_device_list_json(devices, inventory) :
                           print_device_list_table(devices, inventory);
}
