/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of netpoolctl's network verbs, run as a program against a stand-in for netpoold */
/*
 * The stand-in serves the dbus-api.md contract (names, signatures, error names) from a fixed
 * table on a private dbus-daemon, and records every call it gets. The tests check what
 * netpoolctl sends (method, flags, XML) and what it makes of the answers (tables, JSON, error
 * messages, exit statuses). The real daemon is exercised by the integration tests. Without
 * dbus-daemon the bus tests are skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <systemd/sd-bus.h>

#include "bus/bus-errors.h"
#include "core/netdef.h"
#include "ctl/netpoolctl-device.h"
#include "ctl/netpoolctl-network.h"
#include "testlib/harness.h"

#define UUID_ALPHA "11111111-2222-3333-4444-555555555555"
#define UUID_BETA  "66666666-7777-8888-9999-aaaaaaaaaaaa"
#define PATH_ALPHA NETPOOL_NETWORK_PREFIX "/alpha"
#define PATH_BETA  NETPOOL_NETWORK_PREFIX "/beta"

typedef struct TestDaemon TestDaemon;

/* An org.netpool1.Device object (API 1.1): the host's PF and the two VFs that GetDevices of alpha lists */
typedef struct TestDevice {
        const char *id;
        const char *pci_address;
        const char *pf;
        const char *pf_address;
        int32_t vf_index;
        const char *vendor;
        const char *product;
        const char *driver;
        const char *netdev;             /* "" for none */
        int32_t numa_node;
        const char *pcie_root;
        int32_t iommu_group;
        const char *link_type;
        const char *eswitch_mode;
        const char *state;
        const char *holder;
        const char *port;
        const char *network;            /* "" for none */
} TestDevice;

typedef struct TestNetwork {
        TestDaemon *daemon;
        const char *name;
        const char *uuid;
        const char *mode;
        int active;
        int persistent;
        int autostart;
        uint32_t connections;
        uint32_t capacity;
        uint32_t available;
        bool deny;                      /* manage calls fail as polkit would refuse them */
} TestNetwork;

struct TestDaemon {
        char *dir;
        HarnessBus dbus;                /* the private dbus-daemon (src/testlib) */
        sd_bus *bus;
        GThread *thread;
        gint stop;
        GMutex lock;                    /* calls and last_xml: written by the bus thread */
        GPtrArray *calls;
        char *last_xml;
        TestNetwork networks[3];        /* deliberately not sorted by name */
        TestDevice devices[3];          /* VFs before their PF: netpoolctl sorts */
        gint devices_enabled;           /* 0: a daemon before API 1.1, without Device objects */
        const char *claim_id;           /* ClaimId of the port on 0000:03:10.0 */
};

static TestDaemon test_daemon;
static const char *netpoolctl_path;

static void record_call(TestDaemon *d, const char *xml, const char *format, ...) G_GNUC_PRINTF(3, 4);

static void record_call(TestDaemon *d, const char *xml, const char *format, ...) {
        va_list ap;

        g_mutex_lock(&d->lock);
        va_start(ap, format);
        g_ptr_array_add(d->calls, g_strdup_vprintf(format, ap));
        va_end(ap);
        if (xml) {
                g_free(d->last_xml);
                d->last_xml = g_strdup(xml);
        }
        g_mutex_unlock(&d->lock);
}

static TestNetwork *find_network(TestDaemon *d, const char *key) {
        for (size_t i = 0; i < G_N_ELEMENTS(d->networks); i++)
                if (g_str_equal(d->networks[i].name, key) || g_str_equal(d->networks[i].uuid, key))
                        return &d->networks[i];
        return NULL;
}

static char *network_path(const TestNetwork *n) {
        char *path = NULL;

        g_assert_cmpint(sd_bus_path_encode(NETPOOL_NETWORK_PREFIX, n->name, &path), >=, 0);
        return path;
}

static int deny(sd_bus_error *error) {
        return sd_bus_error_set(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                "Interactive authentication required.");
}

static int method_lookup_network(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        g_autofree char *path = NULL;
        const char *key;
        uint64_t flags;
        TestNetwork *n;
        int r;

        r = sd_bus_message_read(m, "st", &key, &flags);
        if (r < 0)
                return r;
        n = find_network(userdata, key);
        if (!n)
                return sd_bus_error_setf(error, NETPOOL_ERROR_NO_SUCH_NETWORK,
                                         "no network named '%s'", key);
        path = network_path(n);
        return sd_bus_reply_method_return(m, "o", path);
}

static int method_list_networks(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus_message *reply = NULL;
        TestDaemon *d = userdata;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sssbbbuuo)");
        for (size_t i = 0; r >= 0 && i < G_N_ELEMENTS(d->networks); i++) {
                const TestNetwork *n = &d->networks[i];
                g_autofree char *path = network_path(n);

                r = sd_bus_message_append(reply, "(sssbbbuuo)", n->name, n->uuid, n->mode,
                                          n->active, n->persistent, n->autostart,
                                          n->connections, n->capacity, path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* DefineNetwork and CreateNetwork: the reply names a network chosen by the XML's content. */
static int method_submit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        TestDaemon *d = userdata;
        const char *xml;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(m, "st", &xml, &flags);
        if (r < 0)
                return r;
        record_call(d, xml, "%s %" PRIu64, sd_bus_message_get_member(m), flags);
        if (strstr(xml, "<name>locked</name>"))
                return deny(error);
        if (strstr(xml, "<bad/>"))
                return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_XML,
                                        "network XML, line 1: unknown element <bad>");
        return sd_bus_reply_method_return(m, "o", g_str_equal(sd_bus_message_get_member(m),
                                                              "DefineNetwork") ? PATH_BETA : PATH_ALPHA);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("LookupNetwork", "st", "o", method_lookup_network, 0),
        SD_BUS_METHOD("ListNetworks", "t", "a(sssbbbuuo)", method_list_networks, 0),
        SD_BUS_METHOD("DefineNetwork", "st", "o", method_submit, 0),
        SD_BUS_METHOD("CreateNetwork", "st", "o", method_submit, 0),
        SD_BUS_VTABLE_END,
};

/* Start, Stop and Undefine */
static int method_act(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        TestNetwork *n = userdata;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(m, "t", &flags);
        if (r < 0)
                return r;
        record_call(n->daemon, NULL, "%s %s %" PRIu64, sd_bus_message_get_member(m), n->name,
                    flags);
        if (n->deny)
                return deny(error);
        if (g_str_equal(sd_bus_message_get_member(m), "Stop") && n->connections > 0 &&
            !(flags & NETPOOL_STOP_FLAG_FORCE))
                return sd_bus_error_setf(error, NETPOOL_ERROR_NETWORK_BUSY,
                                         "network '%s' has %" PRIu32 " ports; stop it with FORCE",
                                         n->name, n->connections);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_get_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        TestNetwork *n = userdata;
        g_autofree char *xml = NULL;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(m, "t", &flags);
        if (r < 0)
                return r;
        record_call(n->daemon, NULL, "GetXML %s %" PRIu64, n->name, flags);
        /* the live view has no final newline, the inactive one has: both must print well */
        if (flags & NETPOOL_GETXML_FLAG_INACTIVE)
                xml = g_strdup_printf("<network>\n  <name>%s</name>\n</network>\n", n->name);
        else
                xml = g_strdup_printf("<network connections='%" PRIu32 "'>\n  <name>%s</name>\n"
                                      "</network>", n->connections, n->name);
        return sd_bus_reply_method_return(m, "s", xml);
}

static int method_get_devices(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint64_t flags;
        int r;

        r = sd_bus_message_read(m, "t", &flags);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "a(ssssisus)", 3,
                "0000:03:10.0", "enp3s0f0v0", "0000:03:10.0", "enp3s0f0", 0, "in-use", 1,
                        "0d4f3c1e-5b7a-4c2e-9f10-aa55aa55aa55",
                "0000:03:10.2", "", "0000:03:10.2", "enp3s0f0", 12, "free", 0, "",
                "eth9", "eth9", "", "", -1, "unavailable", 0, "");
}

static int property_get_autostart(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *reply, void *userdata,
                                  sd_bus_error *error) {
        const TestNetwork *n = userdata;

        return sd_bus_message_append(reply, "b", n->autostart);
}

static int property_set_autostart(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *value, void *userdata,
                                  sd_bus_error *error) {
        TestNetwork *n = userdata;
        int b, r;

        r = sd_bus_message_read(value, "b", &b);
        if (r < 0)
                return r;
        record_call(n->daemon, NULL, "SetAutostart %s %d", n->name, b);
        if (n->deny)
                return deny(error);
        n->autostart = b;
        return 0;
}

static const sd_bus_vtable network_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", NULL, offsetof(TestNetwork, name), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("UUID", "s", NULL, offsetof(TestNetwork, uuid), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ForwardMode", "s", NULL, offsetof(TestNetwork, mode), 0),
        SD_BUS_PROPERTY("Active", "b", NULL, offsetof(TestNetwork, active), 0),
        SD_BUS_PROPERTY("Persistent", "b", NULL, offsetof(TestNetwork, persistent), 0),
        /* offset 0: sd-bus hands accessors userdata + offset, and the setter needs the network */
        SD_BUS_WRITABLE_PROPERTY("Autostart", "b", property_get_autostart, property_set_autostart,
                                 0, 0),
        SD_BUS_PROPERTY("Connections", "u", NULL, offsetof(TestNetwork, connections), 0),
        SD_BUS_PROPERTY("Capacity", "u", NULL, offsetof(TestNetwork, capacity), 0),
        SD_BUS_PROPERTY("Available", "u", NULL, offsetof(TestNetwork, available), 0),
        SD_BUS_METHOD("Start", "t", "", method_act, 0),
        SD_BUS_METHOD("Stop", "t", "", method_act, 0),
        SD_BUS_METHOD("Undefine", "t", "", method_act, 0),
        SD_BUS_METHOD("GetXML", "t", "s", method_get_xml, 0),
        SD_BUS_METHOD("GetDevices", "t", "a(ssssisus)", method_get_devices, 0),
        SD_BUS_VTABLE_END,
};

static int network_object_find(sd_bus *bus, const char *path, const char *interface,
                               void *userdata, void **found, sd_bus_error *error) {
        g_autofree char *name = NULL;
        TestNetwork *n;

        if (sd_bus_path_decode(path, NETPOOL_NETWORK_PREFIX, &name) <= 0)
                return 0;
        n = find_network(userdata, name);
        if (!n)
                return 0;
        *found = n;
        return 1;
}

static TestDevice *find_device(TestDaemon *d, const char *path) {
        g_autofree char *id = NULL;

        if (!g_atomic_int_get(&d->devices_enabled) || sd_bus_path_decode(path, NETPOOL_DEVICE_PREFIX, &id) <= 0)
                return NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(d->devices); i++)
                if (g_str_equal(d->devices[i].id, id))
                        return &d->devices[i];
        return NULL;
}

static int device_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                              void **found, sd_bus_error *error) {
        TestDevice *device = find_device(userdata, path);

        if (!device)
                return 0;
        *found = device;
        return 1;
}

static int device_node_enumerator(sd_bus *bus, const char *prefix, void *userdata, char ***ret_nodes,
                                  sd_bus_error *error) {
        TestDaemon *d = userdata;
        g_autoptr(GPtrArray) nodes = g_ptr_array_new();

        for (size_t i = 0; g_atomic_int_get(&d->devices_enabled) && i < G_N_ELEMENTS(d->devices); i++) {
                char *path = NULL;

                if (sd_bus_path_encode(NETPOOL_DEVICE_PREFIX, d->devices[i].id, &path) < 0)
                        return -ENOMEM;
                g_ptr_array_add(nodes, path);
        }
        g_ptr_array_add(nodes, NULL);
        /* sd-bus frees the array and its strings with free(), which g_malloc'd memory allows (glib >= 2.46) */
        *ret_nodes = (char **) g_ptr_array_free(g_steal_pointer(&nodes), FALSE);
        return 0;
}

/* Netdevs and Networks: one string, or none for "" */
static int property_get_one_or_none(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const char *value = *(const char **) userdata;
        bool object = g_str_equal(property, "Networks");
        int r;

        r = sd_bus_message_open_container(reply, 'a', object ? "o" : "s");
        if (r >= 0 && *value)
                r = sd_bus_message_append_basic(reply, object ? 'o' : 's', value);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static const sd_bus_vtable device_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", NULL, offsetof(TestDevice, id), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PCIAddress", "s", NULL, offsetof(TestDevice, pci_address), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PF", "s", NULL, offsetof(TestDevice, pf), 0),
        SD_BUS_PROPERTY("PFAddress", "s", NULL, offsetof(TestDevice, pf_address), 0),
        SD_BUS_PROPERTY("VFIndex", "i", NULL, offsetof(TestDevice, vf_index), 0),
        SD_BUS_PROPERTY("Vendor", "s", NULL, offsetof(TestDevice, vendor), 0),
        SD_BUS_PROPERTY("Product", "s", NULL, offsetof(TestDevice, product), 0),
        SD_BUS_PROPERTY("Driver", "s", NULL, offsetof(TestDevice, driver), 0),
        SD_BUS_PROPERTY("Netdevs", "as", property_get_one_or_none, offsetof(TestDevice, netdev), 0),
        SD_BUS_PROPERTY("NUMANode", "i", NULL, offsetof(TestDevice, numa_node), 0),
        SD_BUS_PROPERTY("PCIeRoot", "s", NULL, offsetof(TestDevice, pcie_root), 0),
        SD_BUS_PROPERTY("IOMMUGroup", "i", NULL, offsetof(TestDevice, iommu_group), 0),
        SD_BUS_PROPERTY("LinkType", "s", NULL, offsetof(TestDevice, link_type), 0),
        SD_BUS_PROPERTY("EswitchMode", "s", NULL, offsetof(TestDevice, eswitch_mode), 0),
        SD_BUS_PROPERTY("State", "s", NULL, offsetof(TestDevice, state), 0),
        SD_BUS_PROPERTY("Holder", "s", NULL, offsetof(TestDevice, holder), 0),
        SD_BUS_PROPERTY("Port", "o", NULL, offsetof(TestDevice, port), 0),
        SD_BUS_PROPERTY("Networks", "ao", property_get_one_or_none, offsetof(TestDevice, network), 0),
        /* a property of a newer daemon: netpoolctl skips what it does not know */
        SD_BUS_PROPERTY("FutureThing", "t", NULL, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END,
};

/* The port on 0000:03:10.0, with the one property inventory reads of it */
static const sd_bus_vtable port_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("ClaimId", "s", NULL, offsetof(TestDaemon, claim_id), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END,
};

static void test_daemon_init_devices(TestDaemon *d) {
        TestDevice vf = {
                .pf = "enp3s0f0", .pf_address = "0000:03:00.0", .vendor = "0x8086", .product = "0x154c",
                .driver = "iavf", .netdev = "", .numa_node = 1, .pcie_root = "pci0000:00", .iommu_group = 40,
                .link_type = "ethernet", .eswitch_mode = "", .state = "free", .holder = "", .port = "/",
                .network = PATH_ALPHA,
        };

        d->devices[0] = vf;
        d->devices[0].id = d->devices[0].pci_address = "0000:03:10.2";
        d->devices[0].vf_index = 12;
        d->devices[0].driver = "vfio-pci";
        d->devices[0].iommu_group = 41;
        d->devices[1] = vf;
        d->devices[1].id = d->devices[1].pci_address = "0000:03:10.0";
        d->devices[1].vf_index = 0;
        d->devices[1].netdev = "enp3s0f0v0";
        d->devices[1].state = "in-use";
        d->devices[1].port = NETPOOL_PORT_PREFIX "/_30d4f3c1e_2d5b7a_2d4c2e_2d9f10_2daa55aa55aa55";
        d->devices[2] = (TestDevice) {
                .id = "0000:03:00.0", .pci_address = "0000:03:00.0", .pf = "", .pf_address = "", .vf_index = -1,
                .vendor = "0x8086", .product = "0x1572", .driver = "i40e", .netdev = "enp3s0f0", .numa_node = 1,
                .pcie_root = "pci0000:00", .iommu_group = 20, .link_type = "ethernet", .eswitch_mode = "legacy",
                .state = "free", .holder = "", .port = "/", .network = "",
        };
        d->claim_id = "";
        g_atomic_int_set(&d->devices_enabled, 1);
}

static gpointer daemon_thread(gpointer userdata) {
        TestDaemon *d = userdata;

        while (!g_atomic_int_get(&d->stop)) {
                int r = sd_bus_process(d->bus, NULL);

                if (r < 0)
                        break;
                if (r == 0)
                        (void) sd_bus_wait(d->bus, 100 * 1000);
        }
        return NULL;
}

static void test_daemon_init_networks(TestDaemon *d) {
        d->networks[0] = (TestNetwork) {
                .daemon = d, .name = "locked", .uuid = "99999999-0000-0000-0000-000000000000",
                .mode = "hostdev", .persistent = true, .deny = true,
        };
        d->networks[1] = (TestNetwork) {
                .daemon = d, .name = "beta", .uuid = UUID_BETA, .mode = "passthrough",
                .persistent = true,
        };
        d->networks[2] = (TestNetwork) {
                .daemon = d, .name = "alpha", .uuid = UUID_ALPHA,
                .mode = "pci-passthrough-hybrid", .active = true, .persistent = true,
                .autostart = true, .connections = 2, .capacity = 8, .available = 6,
        };
}

/* The private bus of the test harness (src/testlib); false without dbus-daemon */
static bool start_dbus_daemon(TestDaemon *d) {
        g_autofree char *message = NULL;
        int r = harness_bus_start(&d->dbus, d->dir, &message);

        if (r < 0 && r != -ENOENT)
                g_printerr("# %s\n", message);
        return r >= 0;
}

/* Connect once the daemon listens; it needs a moment after being spawned. */
static bool connect_test_bus(TestDaemon *d) {
        for (unsigned attempt = 0; attempt < 100; attempt++) {
                sd_bus *bus = NULL;

                if (sd_bus_new(&bus) >= 0 && sd_bus_set_address(bus, d->dbus.address) >= 0 &&
                    sd_bus_set_bus_client(bus, true) >= 0 && sd_bus_start(bus) >= 0 &&
                    sd_bus_request_name(bus, NETPOOL_BUS_NAME, 0) >= 0) {
                        d->bus = bus;
                        return true;
                }
                sd_bus_flush_close_unref(bus);
                g_usleep(50 * 1000);
        }
        return false;
}

static bool test_daemon_start(TestDaemon *d) {
        d->dir = g_dir_make_tmp("test-netpoolctl-XXXXXX", NULL);
        d->calls = g_ptr_array_new_with_free_func(g_free);
        g_mutex_init(&d->lock);
        test_daemon_init_networks(d);
        test_daemon_init_devices(d);
        if (!d->dir || !start_dbus_daemon(d) || !connect_test_bus(d))
                return false;
        g_assert_cmpint(sd_bus_add_object_vtable(d->bus, NULL, NETPOOL_MANAGER_PATH,
                                                 NETPOOL_MANAGER_IFACE, manager_vtable, d), >=, 0);
        g_assert_cmpint(sd_bus_add_fallback_vtable(d->bus, NULL, NETPOOL_NETWORK_PREFIX,
                                                   NETPOOL_NETWORK_IFACE, network_vtable,
                                                   network_object_find, d), >=, 0);
        g_assert_cmpint(sd_bus_add_object_manager(d->bus, NULL, NETPOOL_MANAGER_PATH), >=, 0);
        g_assert_cmpint(sd_bus_add_fallback_vtable(d->bus, NULL, NETPOOL_DEVICE_PREFIX, NETPOOL_DEVICE_IFACE,
                                                   device_vtable, device_object_find, d), >=, 0);
        g_assert_cmpint(sd_bus_add_node_enumerator(d->bus, NULL, NETPOOL_DEVICE_PREFIX, device_node_enumerator,
                                                   d), >=, 0);
        g_assert_cmpint(sd_bus_add_object_vtable(d->bus, NULL, d->devices[1].port, NETPOOL_PORT_IFACE, port_vtable,
                                                 d), >=, 0);
        d->thread = g_thread_new("test-daemon", daemon_thread, d);
        return true;
}

/* Removes DIR and the files in it: the bus's, and whatever the tests wrote there (it has no subdirectories) */
static void remove_test_dir(const char *dir) {
        g_autoptr(GDir) entries = g_dir_open(dir, 0, NULL);
        const char *name;

        while (entries && (name = g_dir_read_name(entries))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                if (g_unlink(path) < 0)
                        g_printerr("# cannot remove %s: %s\n", path, g_strerror(errno));
        }
        if (g_rmdir(dir) < 0)
                g_printerr("# cannot remove %s: %s\n", dir, g_strerror(errno));
}

/* Safe to call again: the last test case stops the daemon to check that nothing is left behind */
static void test_daemon_stop(TestDaemon *d) {
        if (d->thread) {
                g_atomic_int_set(&d->stop, 1);
                g_thread_join(g_steal_pointer(&d->thread));
        }
        g_clear_pointer(&d->bus, sd_bus_flush_close_unref);
        harness_bus_stop(&d->dbus);
        if (d->dir)
                remove_test_dir(d->dir);
        g_clear_pointer(&d->dir, g_free);
        g_clear_pointer(&d->last_xml, g_free);
        g_clear_pointer(&d->calls, g_ptr_array_unref);
}

/* The calls recorded since the last time, joined by "; ". */
static char *take_calls(void) {
        g_autofree char **strv = NULL;
        char *joined;

        g_mutex_lock(&test_daemon.lock);
        g_ptr_array_add(test_daemon.calls, NULL);
        strv = (char **) g_ptr_array_free(test_daemon.calls, FALSE);
        test_daemon.calls = g_ptr_array_new_with_free_func(g_free);
        g_mutex_unlock(&test_daemon.lock);
        joined = g_strjoinv("; ", strv);
        g_strfreev(g_steal_pointer(&strv));
        return joined;
}

static char *take_last_xml(void) {
        char *xml;

        g_mutex_lock(&test_daemon.lock);
        xml = g_steal_pointer(&test_daemon.last_xml);
        g_mutex_unlock(&test_daemon.lock);
        return xml;
}

typedef struct CtlRun {
        int status;
        char *out;
        char *err;
} CtlRun;

static void ctl_run_clear(CtlRun *run) {
        g_clear_pointer(&run->out, g_free);
        g_clear_pointer(&run->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CtlRun, ctl_run_clear)

/* Run netpoolctl with the arguments (NULL-terminated) on the test bus; stdin from stdin_file
 * when it is not NULL. */
static void ctl_runv(CtlRun *run, const char *address, const char *stdin_file, va_list ap) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_auto(GStrv) envp = g_environ_setenv(g_get_environ(), "DBUS_SYSTEM_BUS_ADDRESS",
                                              address, TRUE);
        g_autoptr(GError) error = NULL;
        int wait_status = 0;
        const char *arg;

        if (stdin_file) {
                /* sh puts the file on stdin, then becomes netpoolctl with the rest */
                g_ptr_array_add(argv, (char *) "/bin/sh");
                g_ptr_array_add(argv, (char *) "-c");
                g_ptr_array_add(argv, (char *) "f=$1; shift; exec \"$@\" < \"$f\"");
                g_ptr_array_add(argv, (char *) "sh");
                g_ptr_array_add(argv, (char *) stdin_file);
        }
        g_ptr_array_add(argv, (char *) netpoolctl_path);
        while ((arg = va_arg(ap, const char *)))
                g_ptr_array_add(argv, (char *) arg);
        g_ptr_array_add(argv, NULL);

        g_assert_true(g_spawn_sync(NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                                   &run->out, &run->err, &wait_status, &error));
        g_assert_no_error(error);
        g_assert_true(WIFEXITED(wait_status));
        run->status = WEXITSTATUS(wait_status);
}

static void ctl_run(CtlRun *run, ...) {
        va_list ap;

        va_start(ap, run);
        /* usage tests run without the stand-in too: they must not reach any bus */
        ctl_runv(run, test_daemon.dbus.address ? test_daemon.dbus.address : "unix:path=/nonexistent", NULL,
                 ap);
        va_end(ap);
}

/* Same as ctl_run(), on the bus at address. */
static void ctl_run_at(CtlRun *run, const char *address, ...) {
        va_list ap;

        va_start(ap, address);
        ctl_runv(run, address, NULL, ap);
        va_end(ap);
}

static void ctl_run_stdin(CtlRun *run, const char *stdin_file, ...) {
        va_list ap;

        va_start(ap, stdin_file);
        ctl_runv(run, test_daemon.dbus.address, stdin_file, ap);
        va_end(ap);
}

static bool skip_without_bus(void) {
        if (test_daemon.thread)
                return false;
        g_test_skip("no dbus-daemon to run the stand-in daemon on");
        return true;
}

static void assert_success(const CtlRun *run, const char *expected_out) {
        g_assert_cmpstr(run->err, ==, "");
        g_assert_cmpstr(run->out, ==, expected_out);
        g_assert_cmpint(run->status, ==, 0);
}

static void assert_failure(const CtlRun *run, int status, const char *expected_err) {
        g_assert_cmpstr(run->out, ==, "");
        g_assert_cmpstr(run->err, ==, expected_err);
        g_assert_cmpint(run->status, ==, status);
}

static void test_peek_name(void) {
        struct {
                const char *xml;
                const char *name;
        } cases[] = {
                { "<network><name>a</name></network>", "a" },
                { "<?xml version='1.0'?>\n<!-- c -->\n<network>\n  <name>sp</name>\n"
                  "</network>\n", "sp" },
                /* the name as the daemon reads it: blanks are part of it, and no network name has them */
                { "<network><name> sp </name></network>", NULL },
                /* a <name> deeper down is not the network's */
                { "<network><forward><name>x</name></forward><name>y</name></network>", "y" },
                /* only the name matters: what comes after it may be unfinished */
                { "<network><name>z</name><forward mode=", "z" },
                { "<network><uuid>u</uuid></network>", NULL },
                { "<network><name></name></network>", NULL },
                { "<network><name>cut", NULL },
                { "<networkport><name>p</name></networkport>", NULL },
                { "not xml", NULL },
                { "", NULL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *name = network_xml_peek_name(cases[i].xml);

                g_assert_cmpstr(name, ==, cases[i].name);
        }
}

static void test_list_table(void) {
        g_auto(CtlRun) run = {};

        if (skip_without_bus())
                return;
        ctl_run(&run, "list", NULL);
        /* sorted by name, numbers right-aligned, no trailing blanks */
        assert_success(&run,
                "NAME    UUID                                  MODE                    STATE     "
                "PERSISTENT  AUTOSTART  CONNECTIONS  CAPACITY\n"
                "alpha   11111111-2222-3333-4444-555555555555  pci-passthrough-hybrid  active    "
                "yes         yes                  2         8\n"
                "beta    66666666-7777-8888-9999-aaaaaaaaaaaa  passthrough             inactive  "
                "yes         no                   0         0\n"
                "locked  99999999-0000-0000-0000-000000000000  hostdev                 inactive  "
                "yes         no                   0         0\n");
}

static void test_list_filters(void) {
        g_auto(CtlRun) active = {}, inactive = {}, both = {};
        g_auto(GStrv) lines = NULL;

        if (skip_without_bus())
                return;
        ctl_run(&active, "list", "--active", NULL);
        g_assert_cmpint(active.status, ==, 0);
        g_assert_nonnull(strstr(active.out, "\nalpha "));
        g_assert_null(strstr(active.out, "\nbeta "));

        ctl_run(&inactive, "list", "--inactive", NULL);
        g_assert_cmpint(inactive.status, ==, 0);
        g_assert_null(strstr(inactive.out, "\nalpha "));
        g_assert_nonnull(strstr(inactive.out, "\nbeta "));
        g_assert_nonnull(strstr(inactive.out, "\nlocked "));

        ctl_run(&both, "list", "--active", "--inactive", NULL);
        /* header, three networks and the empty string after the last newline */
        lines = g_strsplit(both.out, "\n", -1);
        g_assert_cmpuint(g_strv_length(lines), ==, 5);
}

static void test_list_json(void) {
        g_auto(CtlRun) run = {};

        if (skip_without_bus())
                return;
        /* --json counts after the command too */
        ctl_run(&run, "list", "--active", "--json", NULL);
        assert_success(&run,
                       "[\n"
                       "  {\n"
                       "    \"name\": \"alpha\",\n"
                       "    \"uuid\": \"" UUID_ALPHA "\",\n"
                       "    \"mode\": \"pci-passthrough-hybrid\",\n"
                       "    \"active\": true,\n"
                       "    \"persistent\": true,\n"
                       "    \"autostart\": true,\n"
                       "    \"connections\": 2,\n"
                       "    \"capacity\": 8,\n"
                       "    \"object\": \"" PATH_ALPHA "\"\n"
                       "  }\n"
                       "]\n");
}

static void test_info(void) {
        g_auto(CtlRun) run = {}, json = {};

        if (skip_without_bus())
                return;
        /* by UUID: the output names the network */
        ctl_run(&run, "info", UUID_ALPHA, NULL);
        assert_success(&run,
                       "Name:         alpha\n"
                       "UUID:         " UUID_ALPHA "\n"
                       "Mode:         pci-passthrough-hybrid\n"
                       "Active:       yes\n"
                       "Persistent:   yes\n"
                       "Autostart:    yes\n"
                       "Connections:  2\n"
                       "Capacity:     8\n"
                       "Available:    6\n"
                       "Object path:  " PATH_ALPHA "\n");

        ctl_run(&json, "--json", "info", "beta", NULL);
        assert_success(&json,
                       "{\n"
                       "  \"name\": \"beta\",\n"
                       "  \"uuid\": \"" UUID_BETA "\",\n"
                       "  \"mode\": \"passthrough\",\n"
                       "  \"active\": false,\n"
                       "  \"persistent\": true,\n"
                       "  \"autostart\": false,\n"
                       "  \"connections\": 0,\n"
                       "  \"capacity\": 0,\n"
                       "  \"available\": 0,\n"
                       "  \"object\": \"" PATH_BETA "\"\n"
                       "}\n");
}

static void test_no_such_network(void) {
        g_auto(CtlRun) run = {};

        if (skip_without_bus())
                return;
        ctl_run(&run, "start", "gamma", NULL);
        /* a netpool error is the daemon's message alone */
        assert_failure(&run, 1, "netpoolctl: no network named 'gamma'\n"
                                "netpoolctl: hint: 'netpoolctl list' shows every network\n");
}

/* A daemon before API 1.1 has no Device objects: GetDevices alone, the table as it always was */
static void test_devices(void) {
        g_auto(CtlRun) run = {}, json = {};

        if (skip_without_bus())
                return;
        g_atomic_int_set(&test_daemon.devices_enabled, 0);
        ctl_run(&run, "devices", "alpha", NULL);
        assert_success(&run,
                "ID            NETDEV      PCI           PF        VF  STATE        CONNECTIONS  PORT\n"
                "0000:03:10.0  enp3s0f0v0  0000:03:10.0  enp3s0f0   0  in-use                 1  "
                "0d4f3c1e-5b7a-4c2e-9f10-aa55aa55aa55\n"
                "0000:03:10.2  -           0000:03:10.2  enp3s0f0  12  free                   0  -\n"
                "eth9          eth9        -             -          -  unavailable            0  -\n");

        ctl_run(&json, "devices", "--json", "alpha", NULL);
        g_assert_cmpint(json.status, ==, 0);
        g_assert_nonnull(strstr(json.out,
                                "  {\n"
                                "    \"id\": \"0000:03:10.2\",\n"
                                "    \"netdev\": \"\",\n"
                                "    \"pci_address\": \"0000:03:10.2\",\n"
                                "    \"pf\": \"enp3s0f0\",\n"
                                "    \"vf_index\": 12,\n"
                                "    \"state\": \"free\",\n"
                                "    \"connections\": 0,\n"
                                "    \"port_uuid\": null\n"
                                "  },\n"));
        g_assert_nonnull(strstr(json.out, "\"vf_index\": null,\n"));
        g_assert_nonnull(strstr(json.out,
                                "\"port_uuid\": \"0d4f3c1e-5b7a-4c2e-9f10-aa55aa55aa55\"\n"));
        g_assert_true(g_str_has_prefix(json.out, "[\n") && g_str_has_suffix(json.out, "]\n"));
        g_assert_null(strstr(json.out, "numa_node"));
        g_atomic_int_set(&test_daemon.devices_enabled, 1);
}

/* With Device objects each row gains what its object says; a device without one shows "-" */
static void test_devices_with_objects(void) {
        g_auto(CtlRun) run = {}, json = {};

        if (skip_without_bus())
                return;
        ctl_run(&run, "devices", "alpha", NULL);
        assert_success(&run,
                "ID            NETDEV      PCI           PF        VF  STATE        CONNECTIONS  PORT"
                "                                  NUMA  DRIVER    HOLDER\n"
                "0000:03:10.0  enp3s0f0v0  0000:03:10.0  enp3s0f0   0  in-use                 1  "
                "0d4f3c1e-5b7a-4c2e-9f10-aa55aa55aa55     1  iavf      -\n"
                "0000:03:10.2  -           0000:03:10.2  enp3s0f0  12  free                   0  -"
                "                                        1  vfio-pci  -\n"
                "eth9          eth9        -             -          -  unavailable            0  -"
                "                                        -  -         -\n");

        ctl_run(&json, "devices", "--json", "alpha", NULL);
        g_assert_cmpint(json.status, ==, 0);
        g_assert_nonnull(strstr(json.out,
                                "    \"port_uuid\": null,\n"
                                "    \"pf_address\": \"0000:03:00.0\",\n"
                                "    \"vendor\": \"0x8086\",\n"
                                "    \"product\": \"0x154c\",\n"
                                "    \"driver\": \"vfio-pci\",\n"
                                "    \"netdevs\": [],\n"
                                "    \"numa_node\": 1,\n"
                                "    \"pcie_root\": \"pci0000:00\",\n"
                                "    \"iommu_group\": 41,\n"
                                "    \"link_type\": \"ethernet\",\n"
                                "    \"eswitch_mode\": \"\",\n"
                                "    \"holder\": \"\",\n"
                                "    \"networks\": [\n"
                                "      \"alpha\"\n"
                                "    ],\n"
                                "    \"object\": \"/org/netpool1/device/_30000_3a03_3a10_2e2\"\n"
                                "  },\n"));
        /* eth9 has no Device object: the keys of GetDevices only */
        g_assert_nonnull(strstr(json.out, "\"id\": \"eth9\",\n    \"netdev\": \"eth9\",\n"));
        g_assert_nonnull(strstr(json.out, "\"port_uuid\": null\n  }\n]\n"));
}

static void test_inventory(void) {
        g_auto(CtlRun) run = {}, json = {};

        if (skip_without_bus())
                return;
        ctl_run(&run, "inventory", NULL);
        assert_success(&run,
                "DEVICE          NETDEV      VF  ID         DRIVER    NUMA  PCIE-ROOT   IOMMU  LINK      ESWITCH  "
                "STATE   PORT                                  NETWORKS  HOLDER\n"
                "0000:03:00.0    enp3s0f0     -  8086:1572  i40e         1  pci0000:00     20  ethernet  legacy   "
                "free    -                                     -         -\n"
                "  0000:03:10.0  enp3s0f0v0   0  8086:154c  iavf         1  pci0000:00     40  ethernet  -        "
                "in-use  0d4f3c1e-5b7a-4c2e-9f10-aa55aa55aa55  alpha     -\n"
                "  0000:03:10.2  -           12  8086:154c  vfio-pci     1  pci0000:00     41  ethernet  -        "
                "free    -                                     alpha     -\n");

        ctl_run(&json, "--json", "inventory", NULL);
        g_assert_cmpint(json.status, ==, 0);
        g_assert_true(g_str_has_prefix(json.out, "[\n  {\n    \"id\": \"0000:03:00.0\",\n"));
        g_assert_nonnull(strstr(json.out, "\"port_uuid\": \"0d4f3c1e-5b7a-4c2e-9f10-aa55aa55aa55\",\n"));
        g_assert_nonnull(strstr(json.out, "\"eswitch_mode\": \"legacy\",\n"));
}

static void test_inventory_dra(void) {
        g_auto(CtlRun) claimless = {}, yaml = {}, json = {}, other = {}, missing = {};

        if (skip_without_bus())
                return;
        /* the in-use VF's port has no claim: not the scheduler's, not published */
        ctl_run(&claimless, "inventory", "--format=dra", "--node-name=node-1", NULL);
        g_assert_cmpint(claimless.status, ==, 0);
        g_assert_null(strstr(claimless.out, "0000-03-10-0"));
        g_assert_nonnull(strstr(claimless.out, "  - name: \"0000-03-10-2\"\n"));

        test_daemon.claim_id = "6f1c2e8a-4b0d-4a43-9d61-3c2f5e7a9b10";
        ctl_run(&yaml, "inventory", "--format=dra", "--node-name=node-1", NULL);
        test_daemon.claim_id = "";
        g_assert_cmpstr(yaml.err, ==, "");
        g_assert_cmpint(yaml.status, ==, 0);
        g_assert_true(g_str_has_prefix(yaml.out, "---\napiVersion: resource.k8s.io/v1\nkind: ResourceSlice\n"));
        /* both VFs (the one held for a claim too), by VF index; the PF is not a device of the slice */
        g_assert_nonnull(strstr(yaml.out, "  - name: \"0000-03-10-0\"\n"));
        g_assert_nonnull(strstr(yaml.out, "  - name: \"0000-03-10-2\"\n"));
        g_assert_null(strstr(yaml.out, "0000-03-00-0"));
        g_assert_true(strstr(yaml.out, "0000-03-10-0") < strstr(yaml.out, "0000-03-10-2"));
        g_assert_nonnull(strstr(yaml.out, "      sriovnetwork.k8snetworkplumbingwg.io/pfDeviceID:\n"
                                          "        string: \"1572\"\n"
                                          "      sriovnetwork.k8snetworkplumbingwg.io/EswitchMode:\n"
                                          "        string: legacy\n"));

        ctl_run(&json, "inventory", "--format=dra", "--node-name=node-1", "--output=json", "--driver=vf.example.com",
                NULL);
        g_assert_cmpint(json.status, ==, 0);
        g_assert_nonnull(strstr(json.out, "\"kind\": \"List\""));
        g_assert_nonnull(strstr(json.out, "\"driver\": \"vf.example.com\""));
        g_assert_nonnull(strstr(json.out, "\"vf.example.com/iommuGroup\": {\n"));

        /* beta's pool has none of them: one slice without devices */
        ctl_run(&other, "inventory", "--format=dra", "--node-name=node-1", "--network=beta", NULL);
        g_assert_cmpint(other.status, ==, 0);
        g_assert_nonnull(strstr(other.out, "  devices: []\n"));

        ctl_run(&missing, "inventory", "--format=dra", "--node-name=node-1", "--network=gamma", NULL);
        assert_failure(&missing, 1, "netpoolctl: no network named 'gamma'\n"
                                    "netpoolctl: hint: 'netpoolctl list' shows every network\n");
}

static void test_inventory_usage(void) {
        struct {
                const char *args[4];
                const char *message;
        } cases[] = {
                { { "--pool=p" }, "netpoolctl inventory: --pool goes with --format=dra\n" },
                { { "--format=csv" }, "netpoolctl inventory: invalid format 'csv': expected list or dra\n" },
                { { "--format=dra", "--output=xml" },
                  "netpoolctl inventory: invalid output 'xml': expected yaml or json\n" },
                { { "--format=dra", "--json", "--output=yaml" },
                  "netpoolctl inventory: --json and --output=yaml conflict\n" },
                { { "--format=dra", "--node-name=Node_1" },
                  "netpoolctl inventory: invalid node name 'Node_1': a DNS subdomain of at most 253 characters, "
                  "lower case\n" },
                { { "--format=dra", "--node-name=n", "--generation=-1" },
                  "netpoolctl inventory: invalid generation '-1': a number, 0 or more\n" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_auto(CtlRun) run = {};
                g_autofree char *expected = g_strconcat(cases[i].message,
                                                        "Usage: netpoolctl inventory [--format=list|dra] [OPTIONS]\n"
                                                        "Try 'netpoolctl inventory --help' for more information.\n",
                                                        NULL);

                ctl_run(&run, "inventory", cases[i].args[0], cases[i].args[1], cases[i].args[2], NULL);
                assert_failure(&run, 2, expected);
        }
}

static void test_start_stop(void) {
        g_auto(CtlRun) start = {}, busy = {}, force = {}, undefine = {};
        g_autofree char *calls = NULL;

        if (skip_without_bus())
                return;
        g_free(take_calls());
        ctl_run(&start, "start", UUID_BETA, NULL);
        assert_success(&start, "Network beta started\n");

        ctl_run(&busy, "stop", "alpha", NULL);
        assert_failure(&busy, 1, "netpoolctl: network 'alpha' has 2 ports; stop it with FORCE\n"
                                 "netpoolctl: hint: 'netpoolctl stop --force alpha' releases its ports first, "
                                 "restoring each device; 'netpoolctl ports alpha' lists them\n");

        ctl_run(&force, "stop", "alpha", "--force", NULL);
        assert_success(&force, "Network alpha stopped\n");

        ctl_run(&undefine, "--json", "undefine", "beta", NULL);
        assert_success(&undefine,
                       "{\n"
                       "  \"network\": \"beta\",\n"
                       "  \"object\": \"" PATH_BETA "\",\n"
                       "  \"result\": \"undefined\",\n  \"active\": false\n"
                       "}\n");

        calls = take_calls();
        g_assert_cmpstr(calls, ==, "Start beta 0; Stop alpha 0; Stop alpha 1; Undefine beta 0");
}

static void test_not_authorized(void) {
        g_auto(CtlRun) start = {}, autostart = {};

        if (skip_without_bus())
                return;
        ctl_run(&start, "--no-ask-password", "start", "locked", NULL);
        assert_failure(&start, 1, "netpoolctl: not authorized to start network 'locked': "
                                  "Interactive authentication required.\n");

        ctl_run(&autostart, "autostart", "locked", NULL);
        assert_failure(&autostart, 1, "netpoolctl: not authorized to enable autostart of network "
                                      "'locked': Interactive authentication required.\n");
}

static void test_autostart(void) {
        g_auto(CtlRun) enable = {}, disable = {}, info = {};
        g_autofree char *calls = NULL;

        if (skip_without_bus())
                return;
        g_free(take_calls());
        ctl_run(&enable, "autostart", "beta", NULL);
        assert_success(&enable, "Network beta marked as autostarted\n");
        ctl_run(&info, "info", "beta", NULL);
        g_assert_nonnull(strstr(info.out, "\nAutostart:    yes\n"));

        ctl_run(&disable, "--json", "autostart", "--disable", "beta", NULL);
        assert_success(&disable,
                       "{\n"
                       "  \"network\": \"beta\",\n"
                       "  \"object\": \"" PATH_BETA "\",\n"
                       "  \"result\": \"autostart\",\n"
                       "  \"autostart\": false\n"
                       "}\n");
        calls = take_calls();
        g_assert_cmpstr(calls, ==, "SetAutostart beta 1; SetAutostart beta 0");
}

static void test_dumpxml(void) {
        g_auto(CtlRun) live = {}, inactive = {}, json = {};
        g_autofree char *calls = NULL;

        if (skip_without_bus())
                return;
        g_free(take_calls());
        /* a missing final newline is added, nothing else changes */
        ctl_run(&live, "dumpxml", "alpha", NULL);
        assert_success(&live, "<network connections='2'>\n  <name>alpha</name>\n</network>\n");
        ctl_run(&inactive, "dumpxml", "--inactive", "alpha", NULL);
        assert_success(&inactive, "<network>\n  <name>alpha</name>\n</network>\n");
        ctl_run(&json, "dumpxml", "alpha", "--json", NULL);
        assert_success(&json,
                       "{\n"
                       "  \"network\": \"alpha\",\n"
                       "  \"object\": \"" PATH_ALPHA "\",\n"
                       "  \"inactive\": false,\n"
                       "  \"xml\": \"<network connections='2'>\\n  <name>alpha</name>\\n"
                       "</network>\"\n"
                       "}\n");
        calls = take_calls();
        g_assert_cmpstr(calls, ==, "GetXML alpha 0; GetXML alpha 1; GetXML alpha 0");
}

static char *write_temp(const char *contents) {
        g_autofree char *path = g_build_filename(test_daemon.dir, "net.xml", NULL);

        g_assert_true(g_file_set_contents(path, contents, -1, NULL));
        return g_steal_pointer(&path);
}

static void test_define(void) {
        const char *xml = "<network>\n  <name>beta</name>\n  <forward mode='passthrough'/>\n"
                          "</network>\n";
        g_autofree char *file = write_temp(xml);
        g_autofree char *expected = g_strdup_printf("Network beta defined from %s\n", file);
        g_auto(CtlRun) define = {}, from_stdin = {}, create = {};
        g_autofree char *sent = NULL, *calls = NULL;

        if (skip_without_bus())
                return;
        g_free(take_calls());
        ctl_run(&define, "define", file, NULL);
        assert_success(&define, expected);
        /* the file goes to the daemon byte for byte */
        sent = take_last_xml();
        g_assert_cmpstr(sent, ==, xml);

        ctl_run_stdin(&from_stdin, file, "define", "-", NULL);
        assert_success(&from_stdin, "Network beta defined from standard input\n");
        g_free(sent);
        sent = take_last_xml();
        g_assert_cmpstr(sent, ==, xml);

        ctl_run(&create, "--json", "create", file, NULL);
        assert_success(&create,
                       "{\n"
                       "  \"network\": \"alpha\",\n"
                       "  \"object\": \"" PATH_ALPHA "\",\n"
                       "  \"result\": \"created\"\n"
                       "}\n");
        calls = take_calls();
        g_assert_cmpstr(calls, ==, "DefineNetwork 0; DefineNetwork 0; CreateNetwork 0");
}

static void test_define_errors(void) {
        g_autofree char *locked = write_temp("<network><name>locked</name></network>");
        g_auto(CtlRun) denied = {}, invalid = {}, missing = {};
        g_autofree char *bad = NULL;

        if (skip_without_bus())
                return;
        ctl_run(&denied, "define", locked, NULL);
        /* the name comes from the file, as the daemon refused before naming anything */
        assert_failure(&denied, 1, "netpoolctl: not authorized to define network 'locked': "
                                   "Interactive authentication required.\n");

        bad = write_temp("<network><bad/></network>");
        ctl_run(&invalid, "define", bad, NULL);
        assert_failure(&invalid, 1, "netpoolctl: network XML, line 1: unknown element <bad>\n");

        ctl_run(&missing, "create", "/nonexistent/net.xml", NULL);
        assert_failure(&missing, 1,
                       "netpoolctl: cannot read /nonexistent/net.xml: No such file or directory\n");
}

static void test_usage(void) {
        g_auto(CtlRun) no_arg = {}, bad_option = {}, help = {}, help_verb = {}, unknown = {};

        /* none of these reaches the bus */
        ctl_run(&no_arg, "stop", NULL);
        assert_failure(&no_arg, 2, "netpoolctl stop: missing argument\n"
                                   "Usage: netpoolctl stop [--force] NAME\n"
                                   "Try 'netpoolctl stop --help' for more information.\n");
        ctl_run(&bad_option, "--json", "dumpxml", "--force", "x", NULL);
        g_assert_cmpint(bad_option.status, ==, 2);
        g_assert_true(g_str_has_prefix(bad_option.err,
                                       "netpoolctl dumpxml: unknown option '--force'\n"));
        ctl_run(&unknown, "frobnicate", NULL);
        assert_failure(&unknown, 2, "netpoolctl: unknown command 'frobnicate'\n"
                                    "Try 'netpoolctl --help' for more information.\n");

        ctl_run(&help, "start", "--help", NULL);
        g_assert_cmpint(help.status, ==, 0);
        g_assert_true(g_str_has_prefix(help.out, "Usage: netpoolctl start NAME\n"));
        ctl_run(&help_verb, "help", "start", NULL);
        assert_success(&help_verb, help.out);
}

static void test_bus_unreachable(void) {
        g_autofree char *address = g_strdup_printf("unix:path=%s/netpoolctl-test-none",
                                                   g_get_tmp_dir());
        g_auto(CtlRun) run = {};

        g_autofree char *expected = g_strdup_printf("netpoolctl: cannot connect to the system bus at %s: No such "
                                                    "file or directory\nnetpoolctl: hint: is dbus running? "
                                                    "(systemctl status dbus; DBUS_SYSTEM_BUS_ADDRESS selects "
                                                    "another bus)\n", address);

        ctl_run_at(&run, address, "list", NULL);
        assert_failure(&run, 1, expected);
}

/* The stand-in daemon's directory goes with it, the files the tests wrote there included */
static void test_leaves_nothing(void) {
        g_autofree char *dir = g_strdup(test_daemon.dir);

        if (skip_without_bus())
                return;
        g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
        test_daemon_stop(&test_daemon);
        g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv) {
        int status;

        g_test_init(&argc, &argv, NULL);
        netpoolctl_path = g_getenv("NETPOOLCTL");
        g_test_add_func("/ctl/network/peek-name", test_peek_name);
        if (netpoolctl_path) {
                if (!test_daemon_start(&test_daemon))
                        g_test_message("stand-in daemon not started; bus tests will be skipped");
                g_test_add_func("/ctl/network/usage", test_usage);
                g_test_add_func("/ctl/network/bus-unreachable", test_bus_unreachable);
                g_test_add_func("/ctl/network/list/table", test_list_table);
                g_test_add_func("/ctl/network/list/filters", test_list_filters);
                g_test_add_func("/ctl/network/list/json", test_list_json);
                g_test_add_func("/ctl/network/info", test_info);
                g_test_add_func("/ctl/network/no-such-network", test_no_such_network);
                g_test_add_func("/ctl/network/devices", test_devices);
                g_test_add_func("/ctl/network/devices-with-objects", test_devices_with_objects);
                g_test_add_func("/ctl/network/inventory", test_inventory);
                g_test_add_func("/ctl/network/inventory-dra", test_inventory_dra);
                g_test_add_func("/ctl/network/inventory-usage", test_inventory_usage);
                g_test_add_func("/ctl/network/start-stop", test_start_stop);
                g_test_add_func("/ctl/network/not-authorized", test_not_authorized);
                g_test_add_func("/ctl/network/autostart", test_autostart);
                g_test_add_func("/ctl/network/dumpxml", test_dumpxml);
                g_test_add_func("/ctl/network/define", test_define);
                g_test_add_func("/ctl/network/define-errors", test_define_errors);
                /* it stops the stand-in daemon, so it must run last: GTest runs a suite's own cases
                 * before its child suites (list/ above), and child suites in the order they were added */
                g_test_add_func("/ctl/network/teardown/leaves-nothing", test_leaves_nothing);
        }
        status = g_test_run();
        test_daemon_stop(&test_daemon);
        return status;
}
