/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine in-process, without D-Bus: networks and ports on sim hosts built by the real netpool-simhost,
 * with config and state dirs of their own. Allocate/Notify/Release in every mode, claims across networks
 * that share a PF, Stop with FORCE, the EBUSY retry contract, restore-failed and its retries, recovery from
 * every crash point, and rescans with VFs that go and come back; the VF settings of the XML (<netpool:vf>, <mtu>,
 * <bandwidth>) in every mode that configures VFs. docs/testing.md says how to add a case. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "engine/engine.h"
#include "hw/hw-backend.h"
#include "hw/hw-plug.h"
#include "hw/hw.h"
#include "shared/log.h"
#include "hw-test-util.h"

/* The default demo host (docs/simhost.md): X710-like eth0 with VFs 0-7 at 0000:03:02.0-7 (netdevs
 * eth0v0-7), ConnectX-3-like ens1/ens1d1, Solarflare-like sfc0 with VFs 0-3 at 0000:07:02.0-3 (no
 * netdevs). */
#define ETH0 "0000:03:00.0"
#define ETH0_VF0 "0000:03:02.0"
#define ETH0_VF1 "0000:03:02.1"
#define SFC0_VF0 "0000:07:02.0"

#define OWNER "b0b0b0b0-0000-4000-8000-0000000000aa"
#define ZERO_MAC "00:00:00:00:00:00"
#define ORIGINAL_MAC "02:00:00:00:00:10"
#define ORIGINAL_VLAN 7u

#define HOSTDEV_ETH0 "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>"
/* the hypervisor binds the VF itself: netpool leaves its driver alone */
#define HOSTDEV_ETH0_UNMANAGED "<forward mode='hostdev' managed='no'><pf dev='eth0'/></forward>"
#define HOSTDEV_ETH0_VF0 "<forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' " \
                         "bus='0x03' slot='0x02' function='0x0'/></forward>"
#define PASSTHROUGH_ETH0 "<forward mode='passthrough'><pf dev='eth0'/></forward>"
#define HYBRID_SFC0 "<forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='sfc0'/></forward>"

/* What the engine asks for a VF in reset: the bus layer doubles it per try (10, 20, 40, 80 ms) */
#define BUSY_RETRY_USEC (10 * 1000)
/* Stop with FORCE releases this many ports per slice */
#define STOP_SLICE_PORTS 16

static const EngineCall call_may_wait = { .may_wait = true };
static const EngineCall call_final = { .may_wait = false };

/* ---- the fixture: a sim host, an engine on it, and the engine's own dirs ---- */

typedef struct Fixture {
        TestDir *sim;           /* the sim host, built by netpool-simhost --default */
        TestDir *dirs;          /* config/ and state/ of the engine */
        char *config_dir, *state_dir;
        HwBackend *probe;       /* the test's own view of the host, to read and set VFs */
        Engine *engine;
} Fixture;

static void engine_open(Fixture *f) {
        g_auto(EngineError) err = {};

        g_assert_cmpint(engine_new(test_sim_backend(f->sim), f->config_dir, f->state_dir, &f->engine, &err), ==, 0);
        g_assert_nonnull(f->engine);
}

static void fixture_setup(Fixture *f, gconstpointer data) {
        f->sim = test_sim_host("--default", NULL);
        f->dirs = test_dir_new();
        f->config_dir = g_build_filename(f->dirs->path, "config", NULL);
        f->state_dir = g_build_filename(f->dirs->path, "state", NULL);
        f->probe = test_sim_backend(f->sim);
        engine_open(f);
}

static void fixture_teardown(Fixture *f, gconstpointer data) {
        engine_free(f->engine);
        hw_backend_free(f->probe);
        g_free(f->config_dir);
        g_free(f->state_dir);
        test_dir_free(f->dirs);
        test_dir_free(f->sim);
}

/* What a restart of netpoold amounts to: the engine's memory is gone, its dirs and the host stay. */
static void restart(Fixture *f) {
        g_clear_pointer(&f->engine, engine_free);
        engine_open(f);
}

static void fail_vf(Fixture *f, unsigned vf, const char *line) {
        g_autofree char *idx = g_strdup_printf("%u", vf);

        test_sim_change(f->sim, "--fail", ETH0, idx, line, NULL);
}

static void clear_fail_vf(Fixture *f, unsigned vf) {
        g_autofree char *idx = g_strdup_printf("%u", vf);

        test_sim_change(f->sim, "--clear-fail", ETH0, idx, NULL);
}

static void rescan(Fixture *f) {
        g_auto(EngineError) err = {};

        g_assert_cmpint(engine_rescan(f->engine, &err), ==, 0);
}

/* ---- the VFs as the host has them ---- */

static VfConfig vf_config(Fixture *f, const char *pf_netdev, unsigned vf) {
        VfConfig c = {};

        g_assert_cmpint(hw_vf_get(f->probe, pf_netdev, vf, &c), ==, 0);
        return c;
}

/* An original configuration of eth0's VF that is not the driver's default, so that a restore shows. */
static VfConfig set_original(Fixture *f, unsigned vf) {
        g_assert_cmpint(hw_vf_set_mac(f->probe, "eth0", vf, ORIGINAL_MAC), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(f->probe, "eth0", vf, ORIGINAL_VLAN, 0), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(f->probe, "eth0", vf, true), ==, 0);
        return vf_config(f, "eth0", vf);
}

static void assert_vf_is(Fixture *f, const char *pf_netdev, unsigned vf, const VfConfig *want) {
        VfConfig now = vf_config(f, pf_netdev, vf);

        g_assert_cmpstr(now.mac, ==, want->mac);
        g_assert_cmpuint(now.vlan, ==, want->vlan);
        g_assert_cmpuint(now.qos, ==, want->qos);
        g_assert_cmpint(now.spoofchk, ==, want->spoofchk);
        g_assert_cmpint(now.trust, ==, want->trust);
        g_assert_cmpint(now.link_state, ==, want->link_state);
}

static void assert_vf_has_port_settings(Fixture *f, const char *pf_netdev, unsigned vf, const char *mac,
                                        unsigned vlan) {
        VfConfig now = vf_config(f, pf_netdev, vf);

        g_assert_cmpstr(now.mac, ==, mac);
        g_assert_cmpuint(now.vlan, ==, vlan);
}

/* Files the engine keeps in STATE/ports (port records) or STATE/vf (VF originals). */
static unsigned state_files(Fixture *f, const char *subdir) {
        g_autofree char *path = g_build_filename(f->state_dir, subdir, NULL);
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        unsigned count = 0;

        while (dir && g_dir_read_name(dir))
                count++;
        return count;
}

static bool state_file_exists(Fixture *f, const char *subdir, const char *name) {
        g_autofree char *path = g_build_filename(f->state_dir, subdir, name, NULL);

        return g_file_test(path, G_FILE_TEST_EXISTS);
}

static bool config_file_exists(Fixture *f, const char *name) {
        g_autofree char *path = g_build_filename(f->config_dir, name, NULL);

        return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* A reboot, or a wiped state dir: the engine starts over with the definitions only. The old state dir
 * goes aside (removed with the fixture). */
static void lose_state(Fixture *f) {
        g_autofree char *aside = g_build_filename(f->dirs->path, "lost-state", NULL);

        g_clear_pointer(&f->engine, engine_free);
        g_assert_cmpint(g_rename(f->state_dir, aside), ==, 0);
        engine_open(f);
}

/* ---- networks ---- */

static Network *net(Fixture *f, const char *name) {
        Network *n = engine_lookup_by_name(f->engine, name);

        g_assert_nonnull(n);
        return n;
}

static char *network_xml(const char *name, const char *forward) {
        return g_strdup_printf("<network>\n  <name>%s</name>\n  %s\n</network>\n", name, forward);
}

static void define(Fixture *f, const char *name, const char *forward) {
        g_autofree char *xml = network_xml(name, forward);
        g_auto(EngineError) err = {};
        Network *n = NULL;

        g_assert_cmpint(engine_define(f->engine, xml, &n, &err), ==, 0);
        g_assert_nonnull(n);
}

static void start(Fixture *f, const char *name) {
        g_auto(EngineError) err = {};

        if (engine_start(f->engine, net(f, name), &err) != 0)
                g_error("Start of '%s' failed: %s", name, err.message);
}

static void define_start(Fixture *f, const char *name, const char *forward) {
        define(f, name, forward);
        start(f, name);
}

static NetworkInfo network_info(Fixture *f, const char *name) {
        NetworkInfo info;

        engine_network_info(f->engine, net(f, name), &info);
        return info;
}

static unsigned available(Fixture *f, const char *name) {
        return network_info(f, name).available;
}

static unsigned capacity(Fixture *f, const char *name) {
        return network_info(f, name).capacity;
}

/* The device of a network's pool as GetDevices shows it: state and the port that holds it ("" when none);
 * NULL when the pool has no such device. */
static char *device_field(Fixture *f, const char *network, const char *id, bool want_port) {
        g_autoptr(GPtrArray) devices = engine_network_devices(f->engine, net(f, network));

        for (guint i = 0; i < devices->len; i++) {
                const DeviceInfo *d = devices->pdata[i];

                if (g_str_equal(d->id, id))
                        return g_strdup(want_port ? d->port_uuid : d->state);
        }
        return NULL;
}

static char *device_state(Fixture *f, const char *network, const char *id) {
        return device_field(f, network, id, false);
}

static char *device_port(Fixture *f, const char *network, const char *id) {
        return device_field(f, network, id, true);
}

#define assert_device_state(f, network, id, want) do {                          \
                g_autofree char *_state = device_state((f), (network), (id));  \
                g_assert_cmpstr(_state, ==, (want));                             \
        } while (0)

/* ---- ports: port N has a UUID and a MAC of its own ---- */

static char *port_uuid_n(unsigned n) {
        return g_strdup_printf("7e000000-0000-4000-8000-%012u", n);
}

static char *port_mac_n(unsigned n) {
        return g_strdup_printf("52:54:00:00:%02x:%02x", (n >> 8) & 0xff, n & 0xff);
}

/* Port N's <networkport> for Allocate, with extra children (a <vlan>, say) */
static char *port_xml(unsigned n, const char *extra) {
        g_autofree char *uuid = port_uuid_n(n), *mac = port_mac_n(n);

        return g_strdup_printf("<networkport>\n  <uuid>%s</uuid>\n  <owner>\n    <name>vm1</name>\n"
                               "    <uuid>" OWNER "</uuid>\n  </owner>\n  <mac address='%s'/>\n%s</networkport>\n",
                               uuid, mac, extra ?: "");
}

static int try_allocate(Fixture *f, const char *network, unsigned n, const char *extra, const EngineCall *call,
                        EngineError *err) {
        g_autofree char *xml = port_xml(n, extra);
        Port *port = NULL;

        return engine_allocate(f->engine, net(f, network), xml, call, &port, err);
}

static Port *allocate_with(Fixture *f, const char *network, unsigned n, const char *extra) {
        g_autofree char *xml = port_xml(n, extra);
        g_auto(EngineError) err = {};
        Port *port = NULL;

        if (engine_allocate(f->engine, net(f, network), xml, &call_final, &port, &err) != 0)
                g_error("Allocate of port %u on '%s' failed: %s", n, network, err.message);
        g_assert_nonnull(port);
        return port;
}

static Port *allocate(Fixture *f, const char *network, unsigned n) {
        return allocate_with(f, network, n, NULL);
}

static Port *lookup_port(Fixture *f, unsigned n) {
        g_autofree char *uuid = port_uuid_n(n);

        return engine_lookup_port(f->engine, uuid);
}

static int try_release(Fixture *f, unsigned n, const EngineCall *call, EngineError *err) {
        Port *port = lookup_port(f, n);

        g_assert_nonnull(port);
        return engine_release(f->engine, port, call, err);
}

static void release(Fixture *f, unsigned n) {
        g_auto(EngineError) err = {};

        if (try_release(f, n, &call_final, &err) != 0)
                g_error("Release of port %u failed: %s", n, err.message);
        g_assert_null(lookup_port(f, n));
}

/* The device a port holds, as ListPorts shows it: a PCI address, or a netdev (own copy). */
static char *port_device(Fixture *f, unsigned n) {
        Port *port = lookup_port(f, n);
        PortInfo info;

        g_assert_nonnull(port);
        engine_port_info(f->engine, port, &info);
        return g_strdup(info.device);
}

static bool port_record_exists(Fixture *f, unsigned n) {
        g_autofree char *uuid = port_uuid_n(n);
        g_autofree char *name = g_strconcat(uuid, ".xml", NULL);

        return state_file_exists(f, "ports", name);
}

#define assert_port_device(f, n, want) do {                     \
                g_autofree char *_dev = port_device((f), (n)); \
                g_assert_cmpstr(_dev, ==, (want));               \
        } while (0)

static void assert_port_xml_has(Fixture *f, unsigned n, const char *text) {
        g_autofree char *xml = engine_port_xml(f->engine, lookup_port(f, n));

        if (!strstr(xml, text))
                g_error("port %u's XML lacks \"%s\":\n%s", n, text, xml);
}

/* Nothing of an Allocate left behind: no port, no record, the device free, the VF as it was. */
static void assert_nothing_left(Fixture *f, const char *network, unsigned n, const char *device,
                                const VfConfig *original, unsigned vf) {
        g_assert_null(lookup_port(f, n));
        g_assert_cmpuint(state_files(f, "ports"), ==, 0);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
        assert_device_state(f, network, device, "free");
        assert_vf_is(f, "eth0", vf, original);
}

/* ==== networks: Define, Start, Stop, Undefine ==== */

static void test_network_lifecycle(Fixture *f, gconstpointer data) {
        g_autofree char *xml = network_xml("tr", HOSTDEV_ETH0);
        g_auto(EngineError) err = {};
        Network *n = NULL;

        define(f, "hd", HOSTDEV_ETH0);
        g_assert_true(config_file_exists(f, "hd.xml"));
        g_assert_false(network_info(f, "hd").active);
        g_assert_true(network_info(f, "hd").persistent);
        g_assert_cmpint(try_allocate(f, "hd", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_NETWORK_INACTIVE);

        start(f, "hd");
        g_assert_true(network_info(f, "hd").active);
        g_assert_cmpuint(capacity(f, "hd"), ==, 8);
        g_assert_cmpuint(available(f, "hd"), ==, 8);
        g_assert_true(state_file_exists(f, "networks", "hd.xml"));
        g_assert_cmpint(engine_start(f->engine, net(f, "hd"), &err), ==, ENGINE_ERROR_NETWORK_ACTIVE);

        /* a restart finds it active with its pool */
        restart(f);
        g_assert_true(network_info(f, "hd").active);
        g_assert_cmpuint(capacity(f, "hd"), ==, 8);

        allocate(f, "hd", 1);
        g_assert_cmpint(engine_stop(f->engine, net(f, "hd"), false, &call_final, &err), ==, ENGINE_ERROR_NETWORK_BUSY);
        g_assert_true(network_info(f, "hd").active);
        release(f, 1);
        g_assert_cmpint(engine_stop(f->engine, net(f, "hd"), false, &call_final, &err), ==, 0);
        g_assert_false(network_info(f, "hd").active);
        g_assert_false(state_file_exists(f, "networks", "hd.xml"));
        g_assert_cmpint(engine_stop(f->engine, net(f, "hd"), false, &call_final, &err), ==,
                        ENGINE_ERROR_NETWORK_INACTIVE);

        /* undefined while active: transient until it stops, then gone */
        start(f, "hd");
        g_assert_cmpint(engine_undefine(f->engine, net(f, "hd"), &err), ==, 0);
        g_assert_false(config_file_exists(f, "hd.xml"));
        g_assert_false(network_info(f, "hd").persistent);
        g_assert_true(network_info(f, "hd").active);
        g_assert_cmpint(engine_stop(f->engine, net(f, "hd"), false, &call_final, &err), ==, 0);
        g_assert_null(engine_lookup_by_name(f->engine, "hd"));

        /* a transient network lives from Create to Stop */
        g_assert_cmpint(engine_create(f->engine, xml, &n, &err), ==, 0);
        g_assert_true(network_info(f, "tr").active);
        g_assert_false(network_info(f, "tr").persistent);
        g_assert_cmpint(engine_stop(f->engine, net(f, "tr"), false, &call_final, &err), ==, 0);
        g_assert_null(engine_lookup_by_name(f->engine, "tr"));

        /* an inactive network is gone at Undefine, also after a restart */
        define(f, "hd2", HOSTDEV_ETH0);
        restart(f);
        g_assert_cmpint(engine_undefine(f->engine, net(f, "hd2"), &err), ==, 0);
        g_assert_null(engine_lookup_by_name(f->engine, "hd2"));
        restart(f);
        g_assert_null(engine_lookup_by_name(f->engine, "hd2"));
}


/* ---- the plug: drivers, macvtaps and VLAN devices as the host has them ---- */

static void assert_driver(Fixture *f, const char *bdf, const char *want) {
        g_autofree char *driver = NULL;
        PciAddr addr;

        g_assert_cmpint(pci_addr_from_string(bdf, &addr), ==, 0);
        g_assert_cmpint(hw_function_driver(f->probe, &addr, &driver), ==, 0);
        g_assert_cmpstr(driver, ==, want);
}

static void assert_netdev_exists(Fixture *f, const char *name, bool want) {
        g_autoptr(HwNetdev) nd = NULL;

        g_assert_cmpint(hw_lookup_netdev(f->probe, name, &nd, NULL) == 0, ==, want);
}

/* The macvtap or VLAN device called name, or NULL. */
static HwVirtualNetdev *virtual_netdev(Fixture *f, const char *name) {
        HwVirtualNetdev *v = NULL;

        return hw_virtual_netdev_read(f->probe, name, &v) == 0 ? v : NULL;
}

static bool virtual_netdev_exists(Fixture *f, const char *name) {
        g_autoptr(HwVirtualNetdev) v = virtual_netdev(f, name);

        return v != NULL;
}

static PortInfo port_info(Fixture *f, unsigned n) {
        PortInfo i;

        engine_port_info(f->engine, lookup_port(f, n), &i);
        return i;
}

static bool sim_file_exists(Fixture *f, const char *rel) {
        g_autofree char *path = g_build_filename(f->sim->path, rel, NULL);

        return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* ==== Allocate, Notify, Release in each mode ==== */

static void test_hostdev_port(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);

        define_start(f, "hd", HOSTDEV_ETH0);
        allocate_with(f, "hd", 1, "  <vlan><tag id='42'/></vlan>\n");
        assert_port_device(f, 1, ETH0_VF0);
        assert_port_xml_has(f, 1, "<plug type='hostdev-pci' managed='yes'>");
        assert_port_xml_has(f, 1, "bus='0x03' slot='0x02' function='0x0'");
        assert_vf_has_port_settings(f, "eth0", 0, "52:54:00:00:00:01", 42);
        g_assert_cmpuint(vf_config(f, "eth0", 0).trust, ==, original.trust);        /* MAC and VLAN only */
        assert_device_state(f, "hd", ETH0_VF0, "in-use");
        g_assert_cmpuint(available(f, "hd"), ==, 7);
        g_assert_cmpuint(network_info(f, "hd").connections, ==, 1);
        g_assert_true(port_record_exists(f, 1));
        g_assert_true(state_file_exists(f, "vf", "eth0_vf0"));

        /* one device, one port: the next takes VF 1 */
        allocate(f, "hd", 2);
        assert_port_device(f, 2, ETH0_VF1);

        release(f, 1);
        assert_vf_is(f, "eth0", 0, &original);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        g_assert_false(state_file_exists(f, "vf", "eth0_vf0"));
        g_assert_false(port_record_exists(f, 1));
        release(f, 2);
        g_assert_cmpuint(available(f, "hd"), ==, 8);
        g_assert_cmpuint(state_files(f, "ports") + state_files(f, "vf"), ==, 0);
}

static void test_hostdev_notify(Fixture *f, gconstpointer data) {
        g_autofree char *xml = NULL, *other = NULL;
        g_auto(EngineError) err = {};
        Port *port = NULL, *again = NULL;
        VfConfig defaults;

        define_start(f, "hd", HOSTDEV_ETH0);
        defaults = vf_config(f, "eth0", 0);
        allocate(f, "hd", 1);
        xml = engine_port_xml(f->engine, lookup_port(f, 1));
        /* the state dir is lost: a new engine knows nothing of port 1, whose guest still has VF 0 */
        lose_state(f);
        g_assert_false(network_info(f, "hd").active);
        start(f, "hd");

        g_assert_cmpint(engine_notify(f->engine, net(f, "hd"), xml, &port, &err), ==, 0);
        g_assert_true(port == lookup_port(f, 1));
        assert_port_device(f, 1, ETH0_VF0);
        assert_device_state(f, "hd", ETH0_VF0, "in-use");
        assert_vf_has_port_settings(f, "eth0", 0, "52:54:00:00:00:01", 0);  /* Notify changes no hardware */
        g_assert_true(state_file_exists(f, "vf", "eth0_vf0"));              /* the driver's defaults, recorded */

        /* the same port again is the same port; another one on its device is refused */
        g_assert_cmpint(engine_notify(f->engine, net(f, "hd"), xml, &again, &err), ==, 0);
        g_assert_true(again == port);
        other = g_strdup(xml);
        memcpy(strstr(other, "7e000000"), "7f", 2);     /* another port's UUID */
        g_assert_cmpint(engine_notify(f->engine, net(f, "hd"), other, &again, &err), ==, ENGINE_ERROR_DEVICE_BUSY);

        release(f, 1);
        assert_vf_is(f, "eth0", 0, &defaults);          /* clean, not the guest's MAC */
        assert_device_state(f, "hd", ETH0_VF0, "free");
}

static void test_hybrid_port(Fixture *f, gconstpointer data) {
        VfConfig original = vf_config(f, "sfc0", 0);

        define_start(f, "hy", HYBRID_SFC0);
        g_assert_cmpuint(capacity(f, "hy"), ==, 4);
        allocate_with(f, "hy", 1, "  <vlan><tag id='9'/></vlan>\n");
        assert_port_device(f, 1, SFC0_VF0);
        assert_port_xml_has(f, 1, "<plug type='hybrid' dev='sfc0' mode='vepa' managed='yes'>");
        /* a VF without a netdev is configured through its PF */
        assert_vf_has_port_settings(f, "sfc0", 0, "52:54:00:00:00:01", 9);
        assert_device_state(f, "hy", SFC0_VF0, "in-use");
        g_assert_true(state_file_exists(f, "vf", "sfc0_vf0"));

        release(f, 1);
        assert_vf_is(f, "sfc0", 0, &original);
        assert_device_state(f, "hy", SFC0_VF0, "free");
        g_assert_cmpuint(state_files(f, "ports") + state_files(f, "vf"), ==, 0);
}

static void test_passthrough_port(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);
        PortInfo info;

        define_start(f, "pt", PASSTHROUGH_ETH0);
        allocate(f, "pt", 1);
        engine_port_info(f->engine, lookup_port(f, 1), &info);
        g_assert_cmpstr(info.plug_type, ==, "direct");
        g_assert_cmpstr(info.netdev, ==, "eth0v0");
        assert_port_xml_has(f, 1, "<plug type='direct' dev='eth0v0' mode='passthrough'/>");
        assert_vf_has_port_settings(f, "eth0", 0, "52:54:00:00:00:01", 0);
        assert_device_state(f, "pt", "eth0v0", "in-use");

        /* exclusive: the second port takes the next VF */
        allocate(f, "pt", 2);
        assert_port_device(f, 2, "eth0v1");

        release(f, 1);
        release(f, 2);
        assert_vf_is(f, "eth0", 0, &original);
        g_assert_cmpuint(available(f, "pt"), ==, 8);
        g_assert_cmpuint(state_files(f, "ports") + state_files(f, "vf"), ==, 0);
}

/* Every field of the VF is saved before the port's settings and back after Release: the VLAN protocol, the TX
 * rates and the VF netdev's MTU, set away from the defaults by hand, then changed while the port has the VF (a
 * guest, a driver), come back as they were. */
static void test_more_fields_restored(Fixture *f, gconstpointer data) {
        VfConfig original, now;
        g_autoptr(HwNetdev) nd = NULL;

        g_assert_cmpint(hw_vf_set_vlan_proto(f->probe, "eth0", 0, VF_VLAN_PROTO_8021AD), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(f->probe, "eth0", 0, 100, 2000), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(f->probe, "eth0v0", 9000), ==, 0);
        original = set_original(f, 0);

        define_start(f, "pt", PASSTHROUGH_ETH0);
        allocate(f, "pt", 1);
        g_assert_true(state_file_exists(f, "vf", "eth0_vf0"));
        g_assert_cmpint(hw_vf_set_vlan_proto(f->probe, "eth0", 0, VF_VLAN_PROTO_8021Q), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(f->probe, "eth0", 0, 0, 0), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(f->probe, "eth0v0", 1500), ==, 0);
        release(f, 1);

        now = vf_config(f, "eth0", 0);
        assert_vf_is(f, "eth0", 0, &original);
        g_assert_cmpint(now.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpuint(now.min_tx_rate, ==, 100);
        g_assert_cmpuint(now.max_tx_rate, ==, 2000);
        g_assert_cmpint(hw_lookup_netdev(f->probe, "eth0v0", &nd, NULL), ==, 0);
        g_assert_cmpuint(nd->mtu, ==, 9000);
        g_assert_false(state_file_exists(f, "vf", "eth0_vf0"));
}

/* ---- VF settings from the XML: <netpool:vf>, <mtu>, <bandwidth> (issue 19 point 3) ---- */

#define VF_NS "xmlns:netpool='urn:netpool:xml:1'"
#define VF_ALL "<netpool:vf " VF_NS " trust='no' spoofchk='no' link-state='disable' min-tx-rate='10' " \
               "max-tx-rate='1000' vlan-qos='3' vlan-protocol='802.1ad'/><mtu size='1400'/>"

/* eth0's VF 0 set to something other than what VF_ALL gives, so that both the apply and the restore show */
static VfConfig set_vf_params_original(Fixture *f) {
        g_assert_cmpint(hw_vf_set_spoofchk(f->probe, "eth0", 0, true), ==, 0);
        g_assert_cmpint(hw_vf_set_link_state(f->probe, "eth0", 0, VF_LINK_STATE_ENABLE), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(f->probe, "eth0", 0, 0, 5000), ==, 0);
        g_assert_cmpint(hw_netdev_set_mtu(f->probe, "eth0v0", 1500), ==, 0);
        return set_original(f, 0);      /* trust on, VLAN 7, its MAC */
}

static unsigned vf_netdev_mtu(Fixture *f, const char *netdev) {
        g_autoptr(HwNetdev) nd = NULL;

        g_assert_cmpint(hw_lookup_netdev(f->probe, netdev, &nd, NULL), ==, 0);
        return nd->mtu;
}

static void assert_vf_original(Fixture *f, const VfConfig *original) {
        VfConfig now = vf_config(f, "eth0", 0);

        assert_vf_is(f, "eth0", 0, original);
        g_assert_cmpint(now.vlan_proto, ==, original->vlan_proto);
        g_assert_cmpuint(now.min_tx_rate, ==, original->min_tx_rate);
        g_assert_cmpuint(now.max_tx_rate, ==, original->max_tx_rate);
        g_assert_cmpuint(vf_netdev_mtu(f, "eth0v0"), ==, 1500);
}

/* data: the level that gives VF_ALL and the VLAN: "network", "portgroup" or "port" */
static void test_vf_params_levels(Fixture *f, gconstpointer data) {
        const char *level = data;
        const char *given = VF_ALL "<vlan><tag id='42'/></vlan>";
        g_autofree char *forward = g_strdup_printf(
                "<forward mode='passthrough'><pf dev='eth0'/></forward>%s<portgroup name='g' default='yes'>%s"
                "</portgroup>", streq(level, "network") ? given : "", streq(level, "portgroup") ? given : "");
        g_autofree char *extra = g_strdup_printf("  %s\n", streq(level, "port") ? given : "");
        VfConfig original = set_vf_params_original(f), now;

        define_start(f, "pt", forward);
        allocate_with(f, "pt", 1, extra);
        now = vf_config(f, "eth0", 0);
        g_assert_cmpint(now.trust, ==, 0);
        g_assert_cmpint(now.spoofchk, ==, 0);
        g_assert_cmpint(now.link_state, ==, VF_LINK_STATE_DISABLE);
        g_assert_cmpuint(now.vlan, ==, 42);
        g_assert_cmpuint(now.qos, ==, 3);
        g_assert_cmpint(now.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpuint(now.min_tx_rate, ==, 10);
        g_assert_cmpuint(now.max_tx_rate, ==, 1000);
        g_assert_cmpuint(vf_netdev_mtu(f, "eth0v0"), ==, 1400);
        /* the port's XML shows what it took */
        assert_port_xml_has(f, 1, "<mtu size='1400'/>");
        assert_port_xml_has(f, 1, "<netpool:vf " VF_NS " trust='no' spoofchk='no' link-state='disable' "
                            "min-tx-rate='10' max-tx-rate='1000' vlan-qos='3' vlan-protocol='802.1ad'/>");
        release(f, 1);
        assert_vf_original(f, &original);
}

/* Each attribute from the nearest level that gives it; the max TX rate from <bandwidth> where none gives one */
static void test_vf_params_inherit(Fixture *f, gconstpointer data) {
        VfConfig original = set_vf_params_original(f), now;

        define_start(f, "pt", "<forward mode='passthrough'><pf dev='eth0'/></forward>"
                     "<bandwidth><outbound average='12500' peak='25000'/></bandwidth>"
                     "<netpool:vf " VF_NS " trust='no' spoofchk='yes' min-tx-rate='20'/><mtu size='1300'/>"
                     "<portgroup name='g'><netpool:vf " VF_NS " spoofchk='no' link-state='auto'/></portgroup>"
                     "<portgroup name='h'><netpool:vf " VF_NS " max-tx-rate='700'/></portgroup>");
        allocate_with(f, "pt", 1, "  <group>g</group>\n  <netpool:vf " VF_NS " link-state='enable'/>\n");
        now = vf_config(f, "eth0", 0);
        g_assert_cmpint(now.trust, ==, 0);                      /* the network's */
        g_assert_cmpint(now.spoofchk, ==, 0);                   /* the portgroup's */
        g_assert_cmpint(now.link_state, ==, VF_LINK_STATE_ENABLE);      /* the port's */
        g_assert_cmpuint(now.min_tx_rate, ==, 20);
        g_assert_cmpuint(now.max_tx_rate, ==, 200);             /* peak 25000 KB/s = 200 Mbit/s */
        g_assert_cmpuint(now.vlan, ==, 0);
        g_assert_cmpuint(vf_netdev_mtu(f, "eth0v0"), ==, 1300);
        release(f, 1);
        assert_vf_original(f, &original);

        /* a max-tx-rate at any level wins over <bandwidth>; average alone, rounded up */
        allocate_with(f, "pt", 2, "  <group>h</group>\n");
        g_assert_cmpuint(vf_config(f, "eth0", 0).max_tx_rate, ==, 700);
        release(f, 2);
        allocate_with(f, "pt", 3, "  <bandwidth><outbound average='12501'/></bandwidth>\n");
        g_assert_cmpuint(vf_config(f, "eth0", 0).max_tx_rate, ==, 101);
        release(f, 3);
        assert_vf_original(f, &original);
}

/* What cannot be applied is refused before the VF changes, naming the element */
static void test_vf_params_refused(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};
        VfConfig original = set_vf_params_original(f);

        define_start(f, "pt", "<forward mode='passthrough'><pf dev='eth0'/></forward>"
                     "<netpool:vf " VF_NS " vlan-qos='2' min-tx-rate='300'/>");
        /* QoS without a VLAN anywhere in the chain */
        g_assert_cmpint(try_allocate(f, "pt", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(err.message, "<netpool:vf>: vlan-qos 2 needs a VLAN"));
        engine_error_clear(&err);
        /* min above the max the port's <bandwidth> gives */
        g_assert_cmpint(try_allocate(f, "pt", 1, "  <vlan><tag id='5'/></vlan>\n  <bandwidth><outbound "
                                     "average='12500'/></bandwidth>\n", &call_final, &err), ==,
                        ENGINE_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(err.message, "<netpool:vf>: min-tx-rate 300 is above the max TX rate 100 Mbit/s "
                                "(<bandwidth> outbound)"));
        engine_error_clear(&err);
        g_assert_cmpint(try_allocate(f, "pt", 1, "  <vlan><tag id='5'/></vlan>\n  <netpool:vf " VF_NS
                                     " max-tx-rate='200'/>\n", &call_final, &err), ==, ENGINE_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(err.message, "(max-tx-rate)"));
        engine_error_clear(&err);
        g_assert_null(lookup_port(f, 1));
        g_assert_cmpuint(state_files(f, "ports"), ==, 0);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
        assert_vf_original(f, &original);

        /* the driver's refusal: HardwareError naming VF, PF and setting; all undone */
        fail_vf(f, 0, "set_rate EINVAL");
        g_assert_cmpint(try_allocate(f, "pt", 1, "  <vlan><tag id='5'/></vlan>\n", &call_final, &err), ==,
                        ENGINE_ERROR_HARDWARE);
        g_test_message("%s", err.message);
        g_assert_nonnull(strstr(err.message, "TX rate min 300 max 0 Mbit/s on VF 0 of PF netdev 'eth0'"));
        g_assert_nonnull(strstr(err.message, "eth0"));
        g_assert_null(lookup_port(f, 1));
        assert_vf_original(f, &original);
        clear_fail_vf(f, 0);

        /* a VF shared through macvtap is not reconfigured */
        engine_error_clear(&err);
        define_start(f, "mv", "<forward mode='vepa'><pf dev='eth0'/></forward>");
        g_assert_cmpint(try_allocate(f, "mv", 2, "  <netpool:vf " VF_NS " trust='yes'/>\n", &call_final, &err), ==,
                        ENGINE_ERROR_UNSUPPORTED);
        g_assert_nonnull(strstr(err.message, "a port <netpool:vf> cannot be applied there"));
}

/* A rate above the PF's link speed (the sim's eth0: 10000 Mbit/s) or an MTU above the PF's (1500): refused
 * before the VF changes, naming the element */
static void test_vf_params_above_pf(Fixture *f, gconstpointer data) {
        static const struct {
                const char *extra, *needle;
        } cases[] = {
                { "<netpool:vf " VF_NS " max-tx-rate='10001'/>",
                  "<netpool:vf> max-tx-rate: a TX rate of 10001 Mbit/s is above the link speed of PF 'eth0' "
                  "(10000 Mbit/s)" },
                { "<netpool:vf " VF_NS " min-tx-rate='20000'/>", "<netpool:vf> min-tx-rate: a TX rate of 20000" },
                { "<bandwidth><outbound average='1250001'/></bandwidth>",
                  "<bandwidth> outbound: a TX rate of 10001 Mbit/s is above" },
                { "<mtu size='1501'/>", "<mtu>: size 1501 is above the MTU of PF 'eth0' (1500)" },
        };
        VfConfig original = set_vf_params_original(f);

        define_start(f, "pt", "<forward mode='passthrough'><pf dev='eth0'/></forward>");
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *extra = g_strdup_printf("  %s\n", cases[i].extra);
                g_auto(EngineError) err = {};

                g_assert_cmpint(try_allocate(f, "pt", 1, extra, &call_final, &err), ==, ENGINE_ERROR_INVALID_ARGUMENT);
                g_test_message("%s", err.message);
                g_assert_nonnull(strstr(err.message, cases[i].needle));
                g_assert_null(lookup_port(f, 1));
                g_assert_cmpuint(state_files(f, "vf"), ==, 0);
        }
        assert_vf_original(f, &original);
        /* at the limits it is applied */
        allocate_with(f, "pt", 1, "  <netpool:vf " VF_NS " max-tx-rate='10000'/>\n  <mtu size='1500'/>\n");
        g_assert_cmpuint(vf_config(f, "eth0", 0).max_tx_rate, ==, 10000);
        release(f, 1);
        assert_vf_original(f, &original);
}

/* private, vepa, bridge: the VFs are macvtap lower devices that guests share; the engine never
 * reconfigures them */
static void test_shared_lower_ports(Fixture *f, gconstpointer data) {
        const char *mode = data;
        g_autofree char *forward = g_strdup_printf("<forward mode='%s'><pf dev='eth0'/></forward>", mode);
        g_autofree char *plug = g_strdup_printf("<plug type='direct' dev='eth0v0' mode='%s'/>", mode);
        g_autofree char *notify_xml = NULL;
        g_auto(EngineError) err = {};
        VfConfig original = set_original(f, 0);
        Port *port = NULL;

        define_start(f, "mv", forward);
        g_assert_cmpuint(capacity(f, "mv"), ==, 8);
        for (unsigned i = 1; i <= 9; i++)
                allocate(f, "mv", i);
        /* least used first: one port per VF, then the ninth shares VF 0 with the first */
        assert_port_device(f, 1, "eth0v0");
        assert_port_device(f, 8, "eth0v7");
        assert_port_device(f, 9, "eth0v0");
        assert_port_xml_has(f, 9, plug);
        g_assert_cmpuint(network_info(f, "mv").connections, ==, 9);
        assert_device_state(f, "mv", "eth0v0", "in-use");
        assert_vf_is(f, "eth0", 0, &original);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
        g_assert_cmpuint(state_files(f, "ports"), ==, 9);

        /* a VLAN would have to be written to the shared VF */
        g_assert_cmpint(try_allocate(f, "mv", 20, "  <vlan><tag id='5'/></vlan>\n", &call_final, &err), ==,
                        ENGINE_ERROR_UNSUPPORTED);
        g_assert_null(lookup_port(f, 20));

        /* Notify of port 1 on the same device again is the same port */
        notify_xml = engine_port_xml(f->engine, lookup_port(f, 1));
        g_assert_cmpint(engine_notify(f->engine, net(f, "mv"), notify_xml, &port, &err), ==, 0);
        g_assert_true(port == lookup_port(f, 1));

        release(f, 1);
        assert_device_state(f, "mv", "eth0v0", "in-use");       /* port 9 is still on it */
        {
                g_autofree char *holder = device_port(f, "mv", "eth0v0"), *uuid9 = port_uuid_n(9);

                g_assert_cmpstr(holder, ==, uuid9);
        }
        for (unsigned i = 2; i <= 9; i++)
                release(f, i);
        assert_device_state(f, "mv", "eth0v0", "free");
        assert_vf_is(f, "eth0", 0, &original);
        g_assert_cmpuint(network_info(f, "mv").connections, ==, 0);
        g_assert_cmpuint(state_files(f, "ports") + state_files(f, "vf"), ==, 0);
}

/* ==== two networks sharing a PF: a device is held through one of them at a time ==== */

static void test_claims_across_networks(Fixture *f, gconstpointer data) {
        g_autofree char *uuid1 = port_uuid_n(1), *holder = NULL;
        g_autofree char *notify_xml = NULL;
        g_auto(EngineError) err = {};
        Port *port = NULL;

        define_start(f, "hd", HOSTDEV_ETH0);
        define_start(f, "pt", PASSTHROUGH_ETH0);
        allocate(f, "hd", 1);
        assert_port_device(f, 1, ETH0_VF0);

        /* pt sees VF 0 (eth0v0 there) held by hd's port */
        assert_device_state(f, "pt", "eth0v0", "in-use");
        holder = device_port(f, "pt", "eth0v0");
        g_assert_cmpstr(holder, ==, uuid1);
        g_assert_cmpuint(available(f, "pt"), ==, 7);
        allocate(f, "pt", 2);
        assert_port_device(f, 2, "eth0v1");
        assert_device_state(f, "hd", ETH0_VF1, "in-use");
        g_assert_cmpuint(available(f, "hd"), ==, 6);

        /* Notify cannot take a device held through the other network */
        notify_xml = port_xml(3, "  <plug type='direct' dev='eth0v0' mode='passthrough'/>\n");
        g_assert_cmpint(engine_notify(f->engine, net(f, "pt"), notify_xml, &port, &err), ==,
                        ENGINE_ERROR_DEVICE_BUSY);
        g_assert_null(lookup_port(f, 3));

        /* a network started meanwhile sees the claim at once */
        define_start(f, "hd-vf0", HOSTDEV_ETH0_VF0);
        assert_device_state(f, "hd-vf0", ETH0_VF0, "in-use");
        g_assert_cmpuint(available(f, "hd-vf0"), ==, 0);
        g_assert_cmpint(try_allocate(f, "hd-vf0", 4, NULL, &call_final, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);
        g_assert_nonnull(strstr(err.message, "through other networks"));

        release(f, 1);
        assert_device_state(f, "pt", "eth0v0", "free");
        assert_device_state(f, "hd-vf0", ETH0_VF0, "free");
        g_assert_cmpuint(available(f, "pt"), ==, 7);            /* its own port keeps eth0v1 */
        g_assert_cmpuint(available(f, "hd-vf0"), ==, 1);
        allocate(f, "hd-vf0", 4);
        assert_device_state(f, "pt", "eth0v0", "in-use");
        release(f, 4);
        release(f, 2);
        assert_device_state(f, "hd", ETH0_VF1, "free");
        g_assert_cmpuint(available(f, "hd"), ==, 8);
        g_assert_cmpuint(available(f, "pt"), ==, 8);
}

/* ==== Stop with FORCE: ports released a slice at a time ==== */

static void test_stop_force_slices(Fixture *f, gconstpointer data) {
        const unsigned ports = 2 * STOP_SLICE_PORTS + 8;
        g_auto(EngineError) err = {};
        unsigned left = ports;

        test_sim_change(f->sim, "--add-pf", "name=eth1,bdf=0000:10:00.0,model=x710,vfs=40,total=40", NULL);
        define_start(f, "big", "<forward mode='hostdev' managed='yes'><pf dev='eth1'/></forward>");
        for (unsigned i = 1; i <= ports; i++)
                allocate(f, "big", i);
        g_assert_cmpuint(state_files(f, "vf"), ==, ports);

        g_assert_cmpint(engine_stop(f->engine, net(f, "big"), false, &call_final, &err), ==,
                        ENGINE_ERROR_NETWORK_BUSY);
        g_assert_cmpuint(network_info(f, "big").connections, ==, ports);
        engine_error_clear(&err);

        while (left > STOP_SLICE_PORTS) {
                g_assert_cmpint(engine_stop(f->engine, net(f, "big"), true, &call_may_wait, &err), ==,
                                ENGINE_ERROR_AGAIN);
                g_assert_cmpuint(err.retry_usec, ==, 0);        /* at once, after other callers */
                g_assert_false(err.busy);
                left -= STOP_SLICE_PORTS;
                g_assert_cmpuint(network_info(f, "big").connections, ==, left);
                g_assert_true(network_info(f, "big").active);
                engine_error_clear(&err);
        }
        g_assert_cmpint(engine_stop(f->engine, net(f, "big"), true, &call_may_wait, &err), ==, 0);
        g_assert_false(network_info(f, "big").active);
        for (unsigned i = 1; i <= ports; i++)
                g_assert_null(lookup_port(f, i));
        g_assert_cmpuint(state_files(f, "ports") + state_files(f, "vf"), ==, 0);
        for (unsigned vf = 0; vf < ports; vf++)
                g_assert_cmpstr(vf_config(f, "eth1", vf).mac, ==, ZERO_MAC);
}

/* ==== a VF in reset (EBUSY): ENGINE_ERROR_AGAIN with the wait, nothing half-done; the engine never sleeps ==== */

static void test_allocate_busy_retry(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);

        define_start(f, "hd", HOSTDEV_ETH0);
        fail_vf(f, 0, "set_mac EBUSY 4");
        for (unsigned try = 1; try <= 4; try++) {
                g_auto(EngineError) err = {};

                g_assert_cmpint(try_allocate(f, "hd", 1, NULL, &call_may_wait, &err), ==, ENGINE_ERROR_AGAIN);
                g_assert_cmpuint(err.retry_usec, ==, BUSY_RETRY_USEC);
                g_assert_true(err.busy);
                g_assert_nonnull(strstr(err.message, "still in reset"));
                assert_nothing_left(f, "hd", 1, ETH0_VF0, &original, 0);
                g_assert_cmpuint(available(f, "hd"), ==, 8);
        }
        allocate(f, "hd", 1);
        assert_port_device(f, 1, ETH0_VF0);
        assert_vf_has_port_settings(f, "eth0", 0, "52:54:00:00:00:01", 0);
}

static void test_allocate_busy_final(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);
        g_auto(EngineError) err = {};

        define_start(f, "hd", HOSTDEV_ETH0);
        fail_vf(f, 0, "set_mac EBUSY 1");
        /* the last try may not wait: a VF in reset is then a hardware error, and still nothing is left */
        g_assert_cmpint(try_allocate(f, "hd", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_HARDWARE);
        g_assert_nonnull(strstr(err.message, "still in reset"));
        assert_nothing_left(f, "hd", 1, ETH0_VF0, &original, 0);
}

static void test_release_busy_retry(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);

        define_start(f, "hd", HOSTDEV_ETH0);
        allocate(f, "hd", 1);
        fail_vf(f, 0, "set_mac EBUSY 2");
        for (unsigned try = 1; try <= 2; try++) {
                g_auto(EngineError) err = {};

                g_assert_cmpint(try_release(f, 1, &call_may_wait, &err), ==, ENGINE_ERROR_AGAIN);
                g_assert_cmpuint(err.retry_usec, ==, BUSY_RETRY_USEC);
                g_assert_true(err.busy);
                /* the port stays, releasing, with its VF record for the next call */
                g_assert_nonnull(lookup_port(f, 1));
                g_assert_cmpuint(state_files(f, "ports"), ==, 1);
                g_assert_true(state_file_exists(f, "vf", "eth0_vf0"));
                assert_device_state(f, "hd", ETH0_VF0, "in-use");
        }
        release(f, 1);
        assert_vf_is(f, "eth0", 0, &original);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        g_assert_cmpuint(state_files(f, "ports") + state_files(f, "vf"), ==, 0);
}

static void test_release_busy_final(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);

        define_start(f, "hd", HOSTDEV_ETH0);
        allocate(f, "hd", 1);
        fail_vf(f, 0, "set_mac EBUSY 1");
        /* the guest is gone: a Release that may not wait goes through, the device waits for a retry */
        release(f, 1);
        assert_device_state(f, "hd", ETH0_VF0, "restore-failed");
        g_assert_cmpuint(available(f, "hd"), ==, 7);
        g_assert_true(engine_restores_pending(f->engine));
        g_assert_cmpuint(engine_retry_restores(f->engine), ==, 0);     /* the VF is out of reset */
        assert_vf_is(f, "eth0", 0, &original);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        g_assert_false(engine_restores_pending(f->engine));
}

/* ==== restore-failed: a failed undo, retried until it works ==== */

static void test_failed_undo_retried(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};
        VfConfig defaults = vf_config(f, "eth0", 0);

        define_start(f, "hd", HOSTDEV_ETH0);
        /* the VLAN is refused, then putting the zero MAC back fails too */
        fail_vf(f, 0, "set_vlan EINVAL");
        fail_vf(f, 0, "set_mac_zero ENODEV");
        g_assert_cmpint(try_allocate(f, "hd", 1, "  <vlan><tag id='42'/></vlan>\n", &call_may_wait, &err), ==,
                        ENGINE_ERROR_HARDWARE);
        g_assert_nonnull(strstr(err.message, "VLAN 42"));
        g_assert_null(lookup_port(f, 1));
        g_assert_cmpuint(state_files(f, "ports"), ==, 0);
        g_assert_true(state_file_exists(f, "vf", "eth0_vf0"));         /* kept for the retry */
        assert_device_state(f, "hd", ETH0_VF0, "restore-failed");
        g_assert_cmpuint(available(f, "hd"), ==, 7);
        g_assert_true(engine_restores_pending(f->engine));
        g_assert_cmpuint(engine_restores_waiting(f->engine), ==, 1);

        /* no port gets it meanwhile */
        allocate(f, "hd", 2);
        assert_port_device(f, 2, ETH0_VF1);
        release(f, 2);

        /* a retry while the driver still refuses changes nothing */
        g_assert_cmpuint(engine_retry_restores(f->engine), ==, 1);
        assert_device_state(f, "hd", ETH0_VF0, "restore-failed");

        clear_fail_vf(f, 0);
        g_assert_cmpuint(engine_retry_restores(f->engine), ==, 0);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        assert_vf_is(f, "eth0", 0, &defaults);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
        g_assert_cmpuint(available(f, "hd"), ==, 8);
        g_assert_false(engine_restores_pending(f->engine));
        g_assert_cmpuint(engine_restores_waiting(f->engine), ==, 0);
}

/* A VF whose restore failed in one network is out in every network that has it, whatever that network
 * does meanwhile, and after a restart. */
static void test_restore_failed_host_wide(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};
        VfConfig defaults = vf_config(f, "eth0", 0);

        define_start(f, "hd-all", HOSTDEV_ETH0);
        define_start(f, "hd-vf0", HOSTDEV_ETH0_VF0);
        allocate(f, "hd-vf0", 1);
        fail_vf(f, 0, "set_mac EINVAL");
        release(f, 1);
        assert_device_state(f, "hd-vf0", ETH0_VF0, "restore-failed");
        assert_device_state(f, "hd-all", ETH0_VF0, "restore-failed");
        g_assert_cmpuint(available(f, "hd-all"), ==, 7);
        allocate(f, "hd-all", 2);
        assert_port_device(f, 2, ETH0_VF1);             /* not VF 0 with the previous guest's MAC */
        release(f, 2);

        /* the marking network stops and starts */
        g_assert_cmpint(engine_stop(f->engine, net(f, "hd-vf0"), false, &call_final, &err), ==, 0);
        assert_device_state(f, "hd-all", ETH0_VF0, "restore-failed");
        start(f, "hd-vf0");
        assert_device_state(f, "hd-vf0", ETH0_VF0, "restore-failed");
        g_assert_cmpuint(available(f, "hd-vf0"), ==, 0);
        g_assert_cmpint(try_allocate(f, "hd-vf0", 3, NULL, &call_final, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);
        g_assert_nonnull(strstr(err.message, "1 restore-failed"));

        /* a restart */
        restart(f);
        assert_device_state(f, "hd-all", ETH0_VF0, "restore-failed");
        assert_device_state(f, "hd-vf0", ETH0_VF0, "restore-failed");

        /* a restart while the marking network is stopped */
        g_assert_cmpint(engine_stop(f->engine, net(f, "hd-vf0"), false, &call_final, &err), ==, 0);
        restart(f);
        assert_device_state(f, "hd-all", ETH0_VF0, "restore-failed");
        g_assert_cmpuint(available(f, "hd-all"), ==, 7);
        start(f, "hd-vf0");
        assert_device_state(f, "hd-vf0", ETH0_VF0, "restore-failed");

        /* the retry that works frees it everywhere at once */
        clear_fail_vf(f, 0);
        g_assert_cmpuint(engine_retry_restores(f->engine), ==, 0);
        assert_device_state(f, "hd-all", ETH0_VF0, "free");
        assert_device_state(f, "hd-vf0", ETH0_VF0, "free");
        assert_vf_is(f, "eth0", 0, &defaults);
        allocate(f, "hd-vf0", 4);
        release(f, 4);
}

/* A damaged VF record is never retried (its original is unknown): the mark stays, host-wide, across a
 * restart in which the marking network is stopped, until someone removes the record. */
static void test_damaged_record_keeps_mark(Fixture *f, gconstpointer data) {
        g_autofree char *record = g_build_filename(f->state_dir, "vf", "eth0_vf0", NULL);
        g_auto(EngineError) err = {};

        define_start(f, "hd-all", HOSTDEV_ETH0);
        define_start(f, "hd-vf0", HOSTDEV_ETH0_VF0);
        allocate(f, "hd-vf0", 1);
        fail_vf(f, 0, "set_mac EINVAL");
        release(f, 1);
        assert_device_state(f, "hd-all", ETH0_VF0, "restore-failed");
        g_assert_true(g_file_set_contents(record, "not a VF record\n", -1, NULL));
        clear_fail_vf(f, 0);

        g_assert_cmpint(engine_stop(f->engine, net(f, "hd-vf0"), false, &call_final, &err), ==, 0);
        restart(f);
        start(f, "hd-vf0");
        assert_device_state(f, "hd-vf0", ETH0_VF0, "restore-failed");
        assert_device_state(f, "hd-all", ETH0_VF0, "restore-failed");
        (void) engine_retry_restores(f->engine);
        assert_device_state(f, "hd-vf0", ETH0_VF0, "restore-failed");
        g_assert_true(g_file_test(record, G_FILE_TEST_EXISTS));        /* left alone */

        /* given up by hand: the next retry frees it everywhere */
        g_assert_cmpint(g_unlink(record), ==, 0);
        rescan(f);
        assert_device_state(f, "hd-vf0", ETH0_VF0, "free");
        assert_device_state(f, "hd-all", ETH0_VF0, "free");
}

/* ==== recovery from each crash point: the child dies there, the parent restarts on the same dirs ==== */

typedef enum CrashOp {
        CRASH_IN_ALLOCATE,
        CRASH_IN_RELEASE,
} CrashOp;

typedef enum CrashOutcome {
        OUTCOME_ROLLED_BACK,            /* no port, the VF as it was */
        OUTCOME_KEPT,                   /* the port holds the VF with its settings */
        OUTCOME_RELEASED,               /* no port, the VF restored */
} CrashOutcome;

typedef struct CrashCase {
        const char *step;               /* NETPOOL_CRASH_AT (docs/ports.md) */
        CrashOp op;
        CrashOutcome outcome;
} CrashCase;

static const CrashCase crash_cases[] = {
        { "allocate-recorded",   CRASH_IN_ALLOCATE, OUTCOME_ROLLED_BACK },
        { "vf-saved",            CRASH_IN_ALLOCATE, OUTCOME_ROLLED_BACK },
        { "vf-mac-set",          CRASH_IN_ALLOCATE, OUTCOME_ROLLED_BACK },
        { "allocate-configured", CRASH_IN_ALLOCATE, OUTCOME_ROLLED_BACK },
        { "allocate-bound",      CRASH_IN_ALLOCATE, OUTCOME_ROLLED_BACK },
        { "allocate-done",       CRASH_IN_ALLOCATE, OUTCOME_KEPT },
        { "release-recorded",    CRASH_IN_RELEASE,  OUTCOME_RELEASED },
        { "release-unplugged",   CRASH_IN_RELEASE,  OUTCOME_RELEASED },
        { "vf-restored-mac",     CRASH_IN_RELEASE,  OUTCOME_RELEASED },
        { "release-restored",    CRASH_IN_RELEASE,  OUTCOME_RELEASED },
        { "release-done",        CRASH_IN_RELEASE,  OUTCOME_RELEASED },
};

/* In a child process: run the operation with NETPOOL_CRASH_AT=step, which must kill it there (as the
 * daemon dies). The parent's engine is then what the dead process had before the call: dropped. */
static void crash_during(Fixture *f, const CrashCase *c) {
        int status = 0;
        pid_t pid;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                g_auto(EngineError) err = {};

                g_setenv("NETPOOL_CRASH_AT", c->step, TRUE);
                if (c->op == CRASH_IN_ALLOCATE)
                        (void) try_allocate(f, "hd", 1, "  <vlan><tag id='42'/></vlan>\n", &call_final, &err);
                else
                        (void) try_release(f, 1, &call_final, &err);
                _exit(0);       /* not reached when the crash point is there */
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
                g_error("the child was not killed at crash point '%s'", c->step);
        restart(f);
}

static void test_crash_recovery(Fixture *f, gconstpointer data) {
        const CrashCase *c = data;
        VfConfig original = set_original(f, 0);

        define_start(f, "hd", HOSTDEV_ETH0);
        if (c->op == CRASH_IN_RELEASE)
                allocate_with(f, "hd", 1, "  <vlan><tag id='42'/></vlan>\n");
        crash_during(f, c);

        switch (c->outcome) {
        case OUTCOME_KEPT:
                g_assert_nonnull(lookup_port(f, 1));
                assert_port_device(f, 1, ETH0_VF0);
                assert_driver(f, ETH0_VF0, "vfio-pci");
                assert_vf_has_port_settings(f, "eth0", 0, "52:54:00:00:00:01", 42);
                assert_device_state(f, "hd", ETH0_VF0, "in-use");
                g_assert_cmpuint(state_files(f, "ports"), ==, 1);
                g_assert_true(state_file_exists(f, "vf", "eth0_vf0"));
                release(f, 1);
                break;
        case OUTCOME_ROLLED_BACK:
        case OUTCOME_RELEASED:
                assert_nothing_left(f, "hd", 1, ETH0_VF0, &original, 0);
                assert_driver(f, ETH0_VF0, "iavf");     /* back on its driver, its netdev on the host */
                assert_netdev_exists(f, "eth0v0", true);
                break;
        }
        assert_vf_is(f, "eth0", 0, &original);
        g_assert_false(engine_restores_pending(f->engine));
        g_assert_cmpuint(available(f, "hd"), ==, 8);
        /* and the device is handed out again */
        allocate(f, "hd", 2);
        assert_port_device(f, 2, ETH0_VF0);
}

/* A crash mid-Release whose VF record is then found damaged: the port goes, the device stays out. */
static void test_crash_recovery_damaged_record(Fixture *f, gconstpointer data) {
        static const CrashCase in_release = { "release-recorded", CRASH_IN_RELEASE, OUTCOME_RELEASED };
        g_autofree char *record = g_build_filename(f->state_dir, "vf", "eth0_vf0", NULL);

        define_start(f, "hd", HOSTDEV_ETH0);
        allocate(f, "hd", 1);
        g_assert_true(g_file_set_contents(record, "not a VF record\n", -1, NULL));
        crash_during(f, &in_release);
        g_assert_null(lookup_port(f, 1));
        g_assert_cmpuint(state_files(f, "ports"), ==, 0);
        assert_device_state(f, "hd", ETH0_VF0, "restore-failed");
        g_assert_true(g_file_test(record, G_FILE_TEST_EXISTS));
        allocate(f, "hd", 2);
        assert_port_device(f, 2, ETH0_VF1);
}

/* ==== rescans: VFs that go and come back ==== */

static void test_rescan_lost_and_returning(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};

        define_start(f, "hd", HOSTDEV_ETH0);
        allocate(f, "hd", 1);
        test_sim_change(f->sim, "--set-numvfs", ETH0, "0", NULL);
        rescan(f);
        /* the held VF is lost, the free ones leave the pool */
        assert_device_state(f, "hd", ETH0_VF0, "lost");
        g_assert_cmpuint(capacity(f, "hd"), ==, 1);
        g_assert_cmpuint(available(f, "hd"), ==, 0);
        g_assert_nonnull(lookup_port(f, 1));
        g_assert_cmpint(try_allocate(f, "hd", 2, NULL, &call_final, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);

        test_sim_change(f->sim, "--set-numvfs", ETH0, "8", NULL);
        rescan(f);
        assert_device_state(f, "hd", ETH0_VF0, "in-use");       /* back, still the port's */
        assert_device_state(f, "hd", ETH0_VF1, "free");
        g_assert_cmpuint(capacity(f, "hd"), ==, 8);
        g_assert_cmpuint(available(f, "hd"), ==, 7);
        allocate(f, "hd", 2);
        assert_port_device(f, 2, ETH0_VF1);
        release(f, 1);
        release(f, 2);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        g_assert_cmpuint(available(f, "hd"), ==, 8);
}

/* Released while its VF is gone: the original cannot go back yet; once the VF is back, the rescan's retry
 * restores it and the device is free. */
static void test_rescan_released_while_lost(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);

        define_start(f, "hd", HOSTDEV_ETH0);
        allocate(f, "hd", 1);
        test_sim_change(f->sim, "--set-numvfs", ETH0, "0", NULL);
        rescan(f);
        assert_device_state(f, "hd", ETH0_VF0, "lost");
        release(f, 1);
        g_assert_true(state_file_exists(f, "vf", "eth0_vf0"));         /* kept: nothing restored it */
        g_assert_true(engine_restores_pending(f->engine));

        test_sim_change(f->sim, "--set-numvfs", ETH0, "8", NULL);
        rescan(f);
        assert_vf_is(f, "eth0", 0, &original);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        g_assert_false(state_file_exists(f, "vf", "eth0_vf0"));
        g_assert_cmpuint(available(f, "hd"), ==, 8);
}

static void test_rescan_taken_outside(Fixture *f, gconstpointer data) {
        define_start(f, "hd", HOSTDEV_ETH0);
        /* taken by someone else (bound to vfio-pci): the pick passes it over and marks it */
        test_sim_change(f->sim, "--assign", ETH0_VF0, NULL);
        allocate(f, "hd", 1);
        assert_port_device(f, 1, ETH0_VF1);
        assert_device_state(f, "hd", ETH0_VF0, "unavailable");
        test_sim_change(f->sim, "--assign", "0000:03:02.2", NULL);
        rescan(f);
        assert_device_state(f, "hd", "0000:03:02.2", "unavailable");
        g_assert_cmpuint(available(f, "hd"), ==, 5);

        test_sim_change(f->sim, "--release", ETH0_VF0, "--release", "0000:03:02.2", NULL);
        rescan(f);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        assert_device_state(f, "hd", "0000:03:02.2", "free");
        g_assert_cmpuint(available(f, "hd"), ==, 7);
        release(f, 1);
}

/* Netdev names swapped since the last rescan (eth0v0 renamed away, eth0v1 renamed to eth0v0): the pick's presence
 * check finds by their PCI functions that neither device's netdev is its own, passes both over, and the port goes
 * to the next VF; VFs 0 and 1 are left as they were. */
static void test_pick_netdev_renamed(Fixture *f, gconstpointer data) {
        VfConfig vf0 = vf_config(f, "eth0", 0), vf1 = vf_config(f, "eth0", 1);
        g_autofree char *mac = port_mac_n(1);

        define_start(f, "pt", PASSTHROUGH_ETH0);
        g_assert_cmpint(hw_netdev_rename(f->probe, "eth0v0", "away0"), ==, 0);
        g_assert_cmpint(hw_netdev_rename(f->probe, "eth0v1", "eth0v0"), ==, 0);
        allocate(f, "pt", 1);
        assert_port_device(f, 1, "eth0v2");
        assert_device_state(f, "pt", "eth0v0", "unavailable");
        assert_device_state(f, "pt", "eth0v1", "unavailable");
        assert_vf_is(f, "eth0", 0, &vf0);
        assert_vf_is(f, "eth0", 1, &vf1);
        assert_vf_has_port_settings(f, "eth0", 2, mac, 0);
        release(f, 1);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
}

/* The VFs gone since the last rescan (their hot-plug events not handled yet): the pick finds none there, marks
 * each unavailable and hands out nothing; nothing is recorded or left configured. */
static void test_pick_vfs_gone(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};

        define_start(f, "pt", PASSTHROUGH_ETH0);
        test_sim_change(f->sim, "--set-numvfs", ETH0, "0", NULL);
        g_assert_cmpint(try_allocate(f, "pt", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);
        g_assert_nonnull(strstr(err.message, "unavailable"));
        assert_device_state(f, "pt", "eth0v0", "unavailable");
        g_assert_null(lookup_port(f, 1));
        g_assert_cmpuint(state_files(f, "ports"), ==, 0);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
}

/* A VF's netdev renamed since the last rescan: the Allocate records the name it has (not the one the inventory
 * last read), and the Release gives the netdev back under it. */
static void test_pick_vf_netdev_renamed(Fixture *f, gconstpointer data) {
        PciAddr addr;

        define_start(f, "hd", HOSTDEV_ETH0);
        g_assert_cmpint(hw_netdev_rename(f->probe, "eth0v0", "lan0"), ==, 0);
        allocate(f, "hd", 1);
        assert_port_device(f, 1, ETH0_VF0);
        release(f, 1);
        g_assert_cmpint(hw_netdev_pci_address(f->probe, "lan0", &addr), ==, 1);
        g_assert_cmpint(hw_netdev_pci_address(f->probe, "eth0v0", &addr), ==, -ENODEV);
}

/* A VF that leaves a netdev pool and comes back is held through the other network at once. */
static void test_rescan_returning_held_elsewhere(Fixture *f, gconstpointer data) {
        define_start(f, "hd", HOSTDEV_ETH0_UNMANAGED);
        define_start(f, "pt", PASSTHROUGH_ETH0);
        allocate(f, "hd", 1);
        assert_port_device(f, 1, ETH0_VF0);
        test_sim_change(f->sim, "--assign", ETH0_VF0, NULL);    /* the guest takes it: its netdev leaves the host */
        rescan(f);
        g_assert_cmpuint(capacity(f, "pt"), ==, 7);
        g_assert_null(device_state(f, "pt", "eth0v0"));
        assert_device_state(f, "hd", ETH0_VF0, "in-use");

        test_sim_change(f->sim, "--release", ETH0_VF0, NULL);
        rescan(f);
        g_assert_cmpuint(capacity(f, "pt"), ==, 8);
        assert_device_state(f, "pt", "eth0v0", "in-use");
        g_assert_cmpuint(available(f, "pt"), ==, 7);
        allocate(f, "pt", 2);
        assert_port_device(f, 2, "eth0v1");
        release(f, 1);
        assert_device_state(f, "pt", "eth0v0", "free");
        release(f, 2);
}


/* ==== the plug (issue 18): netpoold does the privileged half ==== */

/* managed='yes': the VF goes to vfio-pci before the answer, and comes back with its netdev, reset. */
static void test_hostdev_managed_binding(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);
        g_autofree char *node = NULL;
        PortInfo i;

        test_sim_change(f->sim, "--dirty", ETH0, "0", NULL);
        define_start(f, "hd", HOSTDEV_ETH0);
        allocate(f, "hd", 1);
        assert_driver(f, ETH0_VF0, "vfio-pci");
        assert_netdev_exists(f, "eth0v0", false);
        i = port_info(f, 1);
        g_assert_cmpstr(i.pf, ==, "eth0");
        g_assert_cmpint(i.vf_index, ==, 0);
        g_assert_cmpint(i.iommu_group, >=, 0);
        node = g_strdup_printf("%s/dev/vfio/%d", f->sim->path, i.iommu_group);
        g_assert_cmpstr(i.vfio_group, ==, node);
        g_assert_true(g_file_test(node, G_FILE_TEST_EXISTS));
        assert_port_xml_has(f, 1, "<netpool:plug xmlns:netpool='urn:netpool:xml:1' pf='eth0' vf-index='0' "
                                  "iommu-group=");

        release(f, 1);
        assert_driver(f, ETH0_VF0, "iavf");
        assert_netdev_exists(f, "eth0v0", true);
        g_assert_false(g_file_test(node, G_FILE_TEST_EXISTS));
        g_assert_false(sim_file_exists(f, "vfstate/" ETH0 "/vf0/dirty"));      /* reset on its way back */
        assert_vf_is(f, "eth0", 0, &original);
}

/* managed='no': the driver is the hypervisor's business; the release still resets the VF. */
static void test_hostdev_unmanaged_reset(Fixture *f, gconstpointer data) {
        define_start(f, "hd", HOSTDEV_ETH0_UNMANAGED);
        allocate(f, "hd", 1);
        assert_driver(f, ETH0_VF0, "iavf");
        g_assert_cmpint(port_info(f, 1).iommu_group, ==, -1);
        test_sim_change(f->sim, "--dirty", ETH0, "0", NULL);
        release(f, 1);
        g_assert_false(sim_file_exists(f, "vfstate/" ETH0 "/vf0/dirty"));
}

/* A bind the driver refuses, or drops: nothing is left half-done. */
static void test_hostdev_bind_refused(Fixture *f, gconstpointer data) {
        VfConfig original = set_original(f, 0);
        g_auto(EngineError) err = {};

        define_start(f, "hd", HOSTDEV_ETH0_VF0);
        fail_vf(f, 0, "bind EBUSY 1");
        g_assert_cmpint(try_allocate(f, "hd", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_HARDWARE);
        g_assert_nonnull(strstr(err.message, "vfio-pci"));
        assert_nothing_left(f, "hd", 1, ETH0_VF0, &original, 0);
        assert_driver(f, ETH0_VF0, "iavf");

        engine_error_clear(&err);
        fail_vf(f, 0, "bind IGNORE 1");
        g_assert_cmpint(try_allocate(f, "hd", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_HARDWARE);
        g_assert_nonnull(strstr(err.message, "did not take it"));
        assert_nothing_left(f, "hd", 1, ETH0_VF0, &original, 0);
        assert_driver(f, ETH0_VF0, "iavf");
        allocate(f, "hd", 2);
        assert_driver(f, ETH0_VF0, "vfio-pci");
}

/* No IOMMU: a managed network's VFs are unavailable, and the failed pick says why. */
static void test_hostdev_no_iommu(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};

        test_sim_change(f->sim, "--add-pf", "name=eth9,bdf=0000:09:00.0,model=x710,vfs=2,iommu=no", NULL);
        define_start(f, "hd9", "<forward mode='hostdev' managed='yes'><pf dev='eth9'/></forward>");
        g_assert_cmpuint(available(f, "hd9"), ==, 0);
        g_assert_cmpint(try_allocate(f, "hd9", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);
        g_assert_nonnull(strstr(err.message, "no IOMMU group"));
        /* the hypervisor's own binding is another matter */
        define_start(f, "hd9u", "<forward mode='hostdev' managed='no'><pf dev='eth9'/></forward>");
        allocate(f, "hd9u", 2);
}

/* passthrough: a passthru macvtap over the VF's netdev, with the port's MAC; gone at Release. */
static void test_passthrough_macvtap(Fixture *f, gconstpointer data) {
        g_autoptr(HwVirtualNetdev) v = NULL;
        PortInfo i;

        define_start(f, "pt", PASSTHROUGH_ETH0);
        allocate(f, "pt", 1);
        i = port_info(f, 1);
        g_assert_cmpstr(i.tap_name, ==, "macvtap0");
        v = virtual_netdev(f, "macvtap0");
        g_assert_nonnull(v);
        g_assert_cmpint(v->kind, ==, HW_VIRTUAL_MACVTAP);
        g_assert_cmpstr(v->mode, ==, "passthru");
        g_assert_cmpstr(v->lower, ==, "eth0v0");
        g_assert_cmpstr(v->mac, ==, "52:54:00:00:00:01");
        assert_port_xml_has(f, 1, "tap='macvtap0'");
        allocate(f, "pt", 2);
        g_assert_cmpstr(port_info(f, 2).tap_name, ==, "macvtap1");
        release(f, 1);
        g_assert_false(virtual_netdev_exists(f, "macvtap0"));
        release(f, 2);
        g_assert_false(virtual_netdev_exists(f, "macvtap1"));
}

/* A macvtap the kernel refuses: the VF is put back, no port. And a crash right after the macvtap: the restart
 * removes it with the rest. */
static void test_macvtap_refused_and_crash(Fixture *f, gconstpointer data) {
        static const CrashCase at_macvtap = { "allocate-macvtap", CRASH_IN_ALLOCATE, OUTCOME_ROLLED_BACK };
        VfConfig original = set_original(f, 0);
        g_auto(EngineError) err = {};

        define_start(f, "hd", PASSTHROUGH_ETH0);        /* crash_during allocates on "hd" */
        fail_vf(f, 0, "macvtap EPERM 1");
        g_assert_cmpint(try_allocate(f, "hd", 1, NULL, &call_final, &err), ==, ENGINE_ERROR_HARDWARE);
        g_assert_false(virtual_netdev_exists(f, "macvtap0"));
        assert_vf_is(f, "eth0", 0, &original);
        g_assert_null(lookup_port(f, 1));

        crash_during(f, &at_macvtap);
        g_assert_null(lookup_port(f, 1));
        g_assert_false(virtual_netdev_exists(f, "macvtap0"));
        assert_vf_is(f, "eth0", 0, &original);
        g_assert_cmpuint(state_files(f, "ports"), ==, 0);
}

/* hybrid on a VLAN: the virtio path's macvtap over a VLAN device on the PF, shared by the ports on that VLAN
 * and deleted after the last; one the administrator made is used and left. */
static void test_hybrid_vlan_device(Fixture *f, gconstpointer data) {
        g_autoptr(HwVirtualNetdev) tap = NULL, vlan = NULL;

        define_start(f, "hy", HYBRID_SFC0);
        allocate_with(f, "hy", 1, "  <vlan><tag id='42'/></vlan>\n");
        allocate_with(f, "hy", 2, "  <vlan><tag id='42'/></vlan>\n");
        vlan = virtual_netdev(f, "sfc0.42");
        g_assert_nonnull(vlan);
        g_assert_cmpint(vlan->kind, ==, HW_VIRTUAL_VLAN);
        g_assert_cmpuint(vlan->vlan_id, ==, 42);
        tap = virtual_netdev(f, port_info(f, 1).tap_name);
        g_assert_nonnull(tap);
        g_assert_cmpstr(tap->lower, ==, "sfc0.42");
        g_assert_cmpstr(tap->mode, ==, "vepa");
        assert_port_xml_has(f, 1, "vlan-device='sfc0.42'");
        release(f, 1);
        g_assert_true(virtual_netdev_exists(f, "sfc0.42"));
        release(f, 2);
        g_assert_false(virtual_netdev_exists(f, "sfc0.42"));
        g_assert_cmpuint(state_files(f, "vlan"), ==, 0);

        g_assert_cmpint(hw_vlan_create(f->probe, "sfc0", "sfc0.43", 43), ==, 0);
        allocate_with(f, "hy", 3, "  <vlan><tag id='43'/></vlan>\n");
        release(f, 3);
        g_assert_true(virtual_netdev_exists(f, "sfc0.43"));    /* the administrator's */
}

/* Options: tap-name, and the ones that do not fit the mode. */
static void test_allocate_options(Fixture *f, gconstpointer data) {
        AllocateOptions named = { .tap_name = "vm1-net0" }, vfio = { .has_vfio_uid = true, .vfio_uid = 107 };
        AllocateOptions taken = { .tap_name = "eth0v3" }, dev = { .device = "0000:03:02.5" };
        g_autofree char *xml1 = port_xml(1, NULL), *xml2 = port_xml(2, NULL), *xml3 = port_xml(3, NULL);
        g_auto(EngineError) err = {};
        Port *port = NULL;
        int fd = -1;

        define_start(f, "pt", PASSTHROUGH_ETH0);
        define_start(f, "hd", HOSTDEV_ETH0);
        g_assert_cmpint(engine_allocate_with(f->engine, net(f, "pt"), xml1, &named, &call_final, &port, &fd, &err), ==,
                        0);
        g_assert_cmpint(fd, ==, -1);
        g_assert_cmpstr(port_info(f, 1).tap_name, ==, "vm1-net0");
        g_assert_cmpint(engine_allocate_with(f->engine, net(f, "pt"), xml2, &taken, &call_final, &port, &fd, &err), ==,
                        ENGINE_ERROR_INVALID_ARGUMENT);
        engine_error_clear(&err);
        g_assert_cmpint(engine_allocate_with(f->engine, net(f, "pt"), xml2, &vfio, &call_final, &port, &fd, &err), ==,
                        ENGINE_ERROR_INVALID_ARGUMENT);
        engine_error_clear(&err);
        g_assert_cmpint(engine_allocate_with(f->engine, net(f, "hd"), xml2, &named, &call_final, &port, &fd, &err), ==,
                        ENGINE_ERROR_INVALID_ARGUMENT);
        engine_error_clear(&err);
        g_assert_cmpint(engine_allocate_with(f->engine, net(f, "hd"), xml3, &dev, &call_final, &port, &fd, &err), ==, 0);
        assert_port_device(f, 3, "0000:03:02.5");
        g_assert_cmpint(engine_allocate_with(f->engine, net(f, "hd"), xml2, &dev, &call_final, &port, &fd, &err), ==,
                        ENGINE_ERROR_DEVICE_BUSY);
        g_assert_null(lookup_port(f, 2));
}

/* ==== VF settings in every mode that configures VFs: hostdev, passthrough, hybrid (issue 19 point 7) ==== */

/* A network mode with its pool: VF 0 of its PF is the one a fresh network hands out first. */
typedef struct VfMode {
        const char *name;
        const char *forward;
        const char *pf, *pf_bdf;        /* the PF netdev and its PCI address (for the sim's fault lines) */
        const char *vf_bdf;
        const char *device;             /* the device id the pool shows */
        const char *vf_netdev;          /* the VF's own netdev on the host; NULL: it has none (sfc0) */
        bool to_vfio;                   /* managed: the VF is on vfio-pci, without a host netdev, while held */
        /* the plug's part of the table walk (test_mode_vf_walk): after the apply, before the restore at
         * Release, and before the restore retried after a failed one */
        const char *take, *give_back, *give_back_again;
} VfMode;

#define SFC0 "0000:07:00.0"

static const VfMode vf_modes[] = {
        /* managed: to vfio-pci after the apply; at Release reset, back to its driver, then the restore (a retry
         * finds it on its driver, reset already) */
        { "hostdev-managed", HOSTDEV_ETH0, "eth0", ETH0, ETH0_VF0, ETH0_VF0, "eth0v0", true,
          "bind:vfio-pci ", "reset bind:iavf ", "" },
        /* unmanaged: the driver is the hypervisor's; every restore resets the function first */
        { "hostdev-unmanaged", HOSTDEV_ETH0_UNMANAGED, "eth0", ETH0, ETH0_VF0, ETH0_VF0, "eth0v0", false,
          "", "reset ", "reset " },
        /* the passthru macvtap gives the VF netdev the port's MAC, and its removal the netdev's own back */
        { "passthrough", PASSTHROUGH_ETH0, "eth0", ETH0, ETH0_VF0, "eth0v0", "eth0v0", false,
          "netdev_mac ", "netdev_mac ", "" },
        { "hybrid-managed", "<forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='eth0'/></forward>",
          "eth0", ETH0, ETH0_VF0, ETH0_VF0, "eth0v0", true, "bind:vfio-pci ", "reset bind:iavf ", "" },
        { "hybrid-unmanaged", "<forward mode='pci-passthrough-hybrid' managed='no'><pf dev='eth0'/></forward>",
          "eth0", ETH0, ETH0_VF0, ETH0_VF0, "eth0v0", false, "", "reset ", "reset " },
        /* sfc0's VFs have no driver on the host: back to the kernel's choice (none) */
        { "hybrid-no-netdev", HYBRID_SFC0, "sfc0", SFC0, SFC0_VF0, SFC0_VF0, NULL, true,
          "bind:vfio-pci ", "reset bind:(kernel's) ", "" },
};

/* The VF's netdev MTU before any port: neither the sim's default (1500, also what a rebind gives) nor what a
 * port asks for, so that a restore shows */
#define ORIGINAL_MTU 1450u

/* What a VF looked like before the port, beyond its VfConfig */
typedef struct ModeOriginal {
        VfConfig config;
        char *driver;
        char *netdev_mac;               /* its netdev's own MAC (NULL: no netdev) */
} ModeOriginal;

static void mode_original_clear(ModeOriginal *o) {
        g_clear_pointer(&o->driver, g_free);
        g_clear_pointer(&o->netdev_mac, g_free);
}

static char *netdev_mac(Fixture *f, const char *name) {
        g_autoptr(HwNetdev) nd = NULL;

        g_assert_cmpint(hw_lookup_netdev(f->probe, name, &nd, NULL), ==, 0);
        return g_strdup(nd->mac);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ModeOriginal, mode_original_clear);

static char *function_driver(Fixture *f, const char *bdf) {
        g_autofree char *driver = NULL;
        PciAddr addr;

        g_assert_cmpint(pci_addr_from_string(bdf, &addr), ==, 0);
        g_assert_cmpint(hw_function_driver(f->probe, &addr, &driver), ==, 0);
        return g_steal_pointer(&driver);
}

/* VF 0 of the mode's PF set away from the driver's defaults and from what VF_ALL gives, in every field */
static void set_mode_original(Fixture *f, const VfMode *m, ModeOriginal *ret) {
        g_assert_cmpint(hw_vf_set_mac(f->probe, m->pf, 0, ORIGINAL_MAC), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(f->probe, m->pf, 0, ORIGINAL_VLAN, 1), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan_proto(f->probe, m->pf, 0, VF_VLAN_PROTO_8021Q), ==, 0);
        g_assert_cmpint(hw_vf_set_spoofchk(f->probe, m->pf, 0, true), ==, 0);
        g_assert_cmpint(hw_vf_set_trust(f->probe, m->pf, 0, true), ==, 0);
        g_assert_cmpint(hw_vf_set_link_state(f->probe, m->pf, 0, VF_LINK_STATE_ENABLE), ==, 0);
        g_assert_cmpint(hw_vf_set_rate(f->probe, m->pf, 0, 5, 5000), ==, 0);
        if (m->vf_netdev)
                g_assert_cmpint(hw_netdev_set_mtu(f->probe, m->vf_netdev, ORIGINAL_MTU), ==, 0);
        ret->config = vf_config(f, m->pf, 0);
        ret->driver = function_driver(f, m->vf_bdf);
        g_assert_cmpstr(ret->driver, !=, "vfio-pci");
        ret->netdev_mac = m->vf_netdev ? netdev_mac(f, m->vf_netdev) : NULL;
}

/* Every field of the VF as before the port: the PF's view, its netdev's MTU, its driver */
static void assert_mode_original(Fixture *f, const VfMode *m, const ModeOriginal *o) {
        VfConfig now = vf_config(f, m->pf, 0);
        g_autofree char *driver = function_driver(f, m->vf_bdf);

        assert_vf_is(f, m->pf, 0, &o->config);
        g_assert_cmpint(now.vlan_proto, ==, o->config.vlan_proto);
        g_assert_cmpuint(now.min_tx_rate, ==, o->config.min_tx_rate);
        g_assert_cmpuint(now.max_tx_rate, ==, o->config.max_tx_rate);
        g_assert_cmpstr(driver, ==, o->driver);
        if (m->vf_netdev) {
                g_autofree char *mac = netdev_mac(f, m->vf_netdev);

                g_assert_cmpuint(vf_netdev_mtu(f, m->vf_netdev), ==, ORIGINAL_MTU);
                g_assert_cmpstr(mac, ==, o->netdev_mac);
        }
}

/* After a refused Allocate: no port, no record, the device free, the VF untouched, no virtio path */
static void assert_mode_nothing_left(Fixture *f, const VfMode *m, unsigned n, const ModeOriginal *o) {
        g_assert_null(lookup_port(f, n));
        g_assert_cmpuint(state_files(f, "ports"), ==, 0);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
        assert_device_state(f, "vm", m->device, "free");
        assert_mode_original(f, m, o);
        g_assert_false(virtual_netdev_exists(f, "macvtap0"));
}

/* text with each '@' replaced by the mode's PF netdev */
static char *with_pf(const char *text, const VfMode *m) {
        g_auto(GStrv) parts = g_strsplit(text, "@", -1);

        return g_strjoinv(m->pf, parts);
}

static void fail_mode_vf(Fixture *f, const VfMode *m, const char *line) {
        test_sim_change(f->sim, "--fail", m->pf_bdf, "0", line, NULL);
}

static void clear_fail_mode_vf(Fixture *f, const VfMode *m) {
        test_sim_change(f->sim, "--clear-fail", m->pf_bdf, "0", NULL);
}

/* The VF netdev's MTU while a port holds the VF: where the VF keeps its host netdev, the port's <mtu>; a VF on
 * vfio-pci has no host netdev (and keeps its own MTU); a VF without one has nothing to set. */
static void assert_mode_mtu_held(Fixture *f, const VfMode *m, unsigned want) {
        if (!m->vf_netdev)
                return;
        if (m->to_vfio) {
                assert_netdev_exists(f, m->vf_netdev, false);
                assert_driver(f, m->vf_bdf, "vfio-pci");
                return;
        }
        g_assert_cmpuint(vf_netdev_mtu(f, m->vf_netdev), ==, want);
}

typedef struct VfLevelCase {
        const VfMode *mode;
        const char *level;              /* "network", "portgroup" or "port": the one that gives everything */
} VfLevelCase;

/* Every setting, given at one level of the chain, reaches the VF; all of it is back after Release. */
static void test_mode_vf_levels(Fixture *f, gconstpointer data) {
        const VfLevelCase *c = data;
        const VfMode *m = c->mode;
        const char *given = VF_ALL "<vlan><tag id='42'/></vlan>";
        g_autofree char *forward = g_strdup_printf("%s%s<portgroup name='g' default='yes'>%s</portgroup>",
                                                   m->forward, streq(c->level, "network") ? given : "",
                                                   streq(c->level, "portgroup") ? given : "");
        g_autofree char *extra = g_strdup_printf("  %s\n", streq(c->level, "port") ? given : "");
        g_autofree char *record = g_strdup_printf("%s_vf0", m->pf);
        g_auto(ModeOriginal) original = {};
        VfConfig now;

        set_mode_original(f, m, &original);
        define_start(f, "vm", forward);
        allocate_with(f, "vm", 1, extra);
        assert_port_device(f, 1, m->device);
        now = vf_config(f, m->pf, 0);
        g_assert_cmpstr(now.mac, ==, "52:54:00:00:00:01");
        g_assert_cmpuint(now.vlan, ==, 42);
        g_assert_cmpuint(now.qos, ==, 3);
        g_assert_cmpint(now.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpint(now.trust, ==, 0);
        g_assert_cmpint(now.spoofchk, ==, 0);
        g_assert_cmpint(now.link_state, ==, VF_LINK_STATE_DISABLE);
        g_assert_cmpuint(now.min_tx_rate, ==, 10);
        g_assert_cmpuint(now.max_tx_rate, ==, 1000);
        assert_mode_mtu_held(f, m, 1400);
        assert_port_xml_has(f, 1, "<mtu size='1400'/>");
        assert_port_xml_has(f, 1, "<netpool:vf " VF_NS " trust='no' spoofchk='no' link-state='disable' "
                            "min-tx-rate='10' max-tx-rate='1000' vlan-qos='3' vlan-protocol='802.1ad'/>");
        g_assert_true(state_file_exists(f, "vf", record));

        release(f, 1);
        assert_mode_original(f, m, &original);
        assert_device_state(f, "vm", m->device, "free");
        g_assert_cmpuint(state_files(f, "ports") + state_files(f, "vf"), ==, 0);
}

/* Each attribute from the nearest level that gives it; <mtu> and <bandwidth> whole; the max TX rate from
 * max-tx-rate where any level gives one (0 too: no limit), else from <bandwidth>; a rate given by half sets
 * the other half to 0. */
static void test_mode_vf_inherit(Fixture *f, gconstpointer data) {
        const VfMode *m = data;
        g_autofree char *forward = g_strdup_printf(
                "%s<vlan><tag id='42'/></vlan>"
                "<bandwidth><outbound average='12500' peak='25000'/></bandwidth><mtu size='1300'/>"
                "<netpool:vf " VF_NS " trust='no' spoofchk='yes' min-tx-rate='20' vlan-protocol='802.1ad'/>"
                "<portgroup name='g'><netpool:vf " VF_NS " spoofchk='no' link-state='auto' vlan-qos='5'/>"
                "</portgroup>"
                "<portgroup name='h'><mtu size='1200'/><netpool:vf " VF_NS " max-tx-rate='700' trust='yes'/>"
                "</portgroup>", m->forward);
        g_auto(ModeOriginal) original = {};
        VfConfig now;

        set_mode_original(f, m, &original);
        define_start(f, "vm", forward);
        allocate_with(f, "vm", 1, "  <group>g</group>\n  <netpool:vf " VF_NS " link-state='disable'/>\n");
        now = vf_config(f, m->pf, 0);
        g_assert_cmpint(now.trust, ==, 0);                              /* the network's */
        g_assert_cmpint(now.spoofchk, ==, 0);                           /* the portgroup's over the network's */
        g_assert_cmpint(now.link_state, ==, VF_LINK_STATE_DISABLE);     /* the port's over the portgroup's */
        g_assert_cmpuint(now.vlan, ==, 42);                             /* the network's VLAN ... */
        g_assert_cmpuint(now.qos, ==, 5);                               /* ... with the portgroup's QoS */
        g_assert_cmpint(now.vlan_proto, ==, VF_VLAN_PROTO_8021AD);
        g_assert_cmpuint(now.min_tx_rate, ==, 20);
        g_assert_cmpuint(now.max_tx_rate, ==, 200);                     /* peak 25000 KB/s */
        assert_mode_mtu_held(f, m, 1300);
        release(f, 1);
        assert_mode_original(f, m, &original);

        /* portgroup h: its max-tx-rate over the network's <bandwidth>, its <mtu> over the network's */
        allocate_with(f, "vm", 2, "  <group>h</group>\n");
        now = vf_config(f, m->pf, 0);
        g_assert_cmpint(now.trust, ==, 1);
        g_assert_cmpint(now.spoofchk, ==, 1);                           /* the network's: h gives none */
        g_assert_cmpint(now.link_state, ==, original.config.link_state);        /* nobody gives it: as it was */
        g_assert_cmpuint(now.qos, ==, 0);
        g_assert_cmpuint(now.min_tx_rate, ==, 20);
        g_assert_cmpuint(now.max_tx_rate, ==, 700);
        assert_mode_mtu_held(f, m, 1200);
        release(f, 2);
        assert_mode_original(f, m, &original);

        /* the port's <bandwidth> replaces the network's whole (average alone, rounded up), its <mtu> too */
        allocate_with(f, "vm", 3, "  <bandwidth><outbound average='12501'/></bandwidth>\n  <mtu size='1000'/>\n");
        g_assert_cmpuint(vf_config(f, m->pf, 0).max_tx_rate, ==, 101);
        assert_mode_mtu_held(f, m, 1000);
        release(f, 3);
        /* a max-tx-rate of 0 is given: no limit, whatever <bandwidth> says */
        allocate_with(f, "vm", 4, "  <netpool:vf " VF_NS " max-tx-rate='0'/>\n");
        now = vf_config(f, m->pf, 0);
        g_assert_cmpuint(now.min_tx_rate, ==, 20);
        g_assert_cmpuint(now.max_tx_rate, ==, 0);
        release(f, 4);
        assert_mode_original(f, m, &original);
}

/* The same without <netpool:vf> at any level: <bandwidth> alone gives the max TX rate, and the min (given by
 * nobody) goes to 0 with it; the settings nobody gives stay as the VF has them. */
static void test_mode_vf_bandwidth_alone(Fixture *f, gconstpointer data) {
        const VfMode *m = data;
        g_autofree char *forward = g_strdup_printf("%s<bandwidth><outbound average='2500'/></bandwidth>",
                                                   m->forward);
        g_auto(ModeOriginal) original = {};
        VfConfig now;

        set_mode_original(f, m, &original);
        define_start(f, "vm", forward);
        allocate(f, "vm", 1);
        now = vf_config(f, m->pf, 0);
        g_assert_cmpuint(now.min_tx_rate, ==, 0);
        g_assert_cmpuint(now.max_tx_rate, ==, 20);                      /* 2500 KB/s = 20 Mbit/s */
        g_assert_cmpint(now.trust, ==, original.config.trust);
        g_assert_cmpint(now.spoofchk, ==, original.config.spoofchk);
        g_assert_cmpint(now.link_state, ==, original.config.link_state);
        g_assert_cmpint(now.vlan_proto, ==, original.config.vlan_proto);
        g_assert_cmpuint(now.vlan, ==, 0);                              /* the port's VLAN: none */
        g_assert_cmpuint(now.qos, ==, 0);
        assert_mode_mtu_held(f, m, ORIGINAL_MTU);                       /* no <mtu>: as it was */
        release(f, 1);
        assert_mode_original(f, m, &original);
}

/* What cannot be applied is refused before anything changes (no record, no bind, no virtio path), with
 * InvalidArgument naming the element */
static void test_mode_vf_refused(Fixture *f, gconstpointer data) {
        const VfMode *m = data;
        static const struct {
                const char *extra, *needle;
        } cases[] = {
                /* QoS without a VLAN in the port, its portgroup or the network */
                { "<netpool:vf " VF_NS " vlan-qos='2'/>", "<netpool:vf>: vlan-qos 2 needs a VLAN, and neither "
                  "the port, its portgroup nor the network gives one" },
                { "<group>q</group>", "<netpool:vf>: vlan-qos 4 needs a VLAN" },
                /* min above max: the network's min with the port's max, or with the port's <bandwidth> */
                { "<netpool:vf " VF_NS " max-tx-rate='200'/>",
                  "<netpool:vf>: min-tx-rate 300 is above the max TX rate 200 Mbit/s (max-tx-rate)" },
                { "<bandwidth><outbound average='12500'/></bandwidth>",
                  "<netpool:vf>: min-tx-rate 300 is above the max TX rate 100 Mbit/s (<bandwidth> outbound)" },
                /* above the PF's link speed (10000 Mbit/s) or MTU (1500) */
                { "<netpool:vf " VF_NS " max-tx-rate='10001'/>",
                  "<netpool:vf> max-tx-rate: a TX rate of 10001 Mbit/s is above the link speed of PF '@' "
                  "(10000 Mbit/s)" },
                { "<netpool:vf " VF_NS " min-tx-rate='10001' max-tx-rate='0'/>",
                  "<netpool:vf> min-tx-rate: a TX rate of 10001 Mbit/s is above the link speed of PF '@'" },
                { "<bandwidth><outbound average='1250001'/></bandwidth><netpool:vf " VF_NS " min-tx-rate='0'/>",
                  "<bandwidth> outbound: a TX rate of 10001 Mbit/s is above the link speed of PF '@'" },
                { "<mtu size='1501'/>", "<mtu>: size 1501 is above the MTU of PF '@' (1500)" },
        };
        g_autofree char *forward = g_strdup_printf("%s<netpool:vf " VF_NS " min-tx-rate='300'/>"
                                                   "<portgroup name='q'><netpool:vf " VF_NS " vlan-qos='4'/>"
                                                   "</portgroup>", m->forward);
        g_auto(ModeOriginal) original = {};

        set_mode_original(f, m, &original);
        define_start(f, "vm", forward);
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *extra = g_strdup_printf("  %s\n", cases[i].extra);
                g_autofree char *needle = with_pf(cases[i].needle, m);
                g_auto(EngineError) err = {};

                g_assert_cmpint(try_allocate(f, "vm", 1, extra, &call_final, &err), ==, ENGINE_ERROR_INVALID_ARGUMENT);
                if (!strstr(err.message, needle))
                        g_error("case %zu: \"%s\" lacks \"%s\"", i, err.message, needle);
                assert_mode_nothing_left(f, m, 1, &original);
        }
        /* at the limits it is applied */
        allocate_with(f, "vm", 1, "  <vlan><tag id='3'/></vlan>\n  <netpool:vf " VF_NS " max-tx-rate='10000'/>\n"
                      "  <mtu size='1500'/>\n");
        g_assert_cmpuint(vf_config(f, m->pf, 0).max_tx_rate, ==, 10000);
        assert_mode_mtu_held(f, m, 1500);
        release(f, 1);
        assert_mode_original(f, m, &original);
}

/* A driver that refuses one setting: HardwareError naming the setting, the VF and the PF; everything the
 * Allocate set is undone, nothing recorded, the VF on its own driver. */
static void test_mode_vf_driver_refusal(Fixture *f, gconstpointer data) {
        const VfMode *m = data;
        static const struct {
                const char *op, *needle;
        } cases[] = {
                { "set_mac", "cannot set MAC 52:54:00:00:00:01 on VF 0 of PF netdev '@'" },
                { "set_vlan", "cannot set VLAN 42 (QoS 3) on VF 0 of PF netdev '@'" },
                { "set_vlan_proto", "cannot set VLAN protocol 802.1ad on VF 0 of PF netdev '@'" },
                { "set_spoofchk", "cannot set spoofchk off on VF 0 of PF netdev '@'" },
                { "set_trust", "cannot set trust off on VF 0 of PF netdev '@'" },
                { "set_link_state", "cannot set link state disable on VF 0 of PF netdev '@'" },
                { "set_rate", "cannot set TX rate min 10 max 1000 Mbit/s on VF 0 of PF netdev '@'" },
                { "set_mtu", "cannot set MTU 1400 on netdev 'eth0v0' of VF 0 of PF netdev '@'" },
        };
        const char *all = "  <vlan><tag id='42'/></vlan>\n  " VF_ALL "\n";
        g_auto(ModeOriginal) original = {};

        set_mode_original(f, m, &original);
        define_start(f, "vm", m->forward);
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *line = g_strdup_printf("%s EPERM", cases[i].op);
                g_autofree char *needle = with_pf(cases[i].needle, m);
                g_auto(EngineError) err = {};

                fail_mode_vf(f, m, line);
                if ((!m->vf_netdev || m->to_vfio) && streq(cases[i].op, "set_mtu")) {
                        /* no netdev, or one vfio-pci takes away: no MTU to set, the rest is applied */
                        allocate_with(f, "vm", 1, all);
                        g_assert_cmpint(vf_config(f, m->pf, 0).link_state, ==, VF_LINK_STATE_DISABLE);
                        clear_fail_mode_vf(f, m);       /* the netdev back from vfio-pci gets its MTU again */
                        release(f, 1);
                        assert_mode_original(f, m, &original);
                        continue;
                }
                g_assert_cmpint(try_allocate(f, "vm", 1, all, &call_final, &err), ==, ENGINE_ERROR_HARDWARE);
                if (!strstr(err.message, needle) || !strstr(err.message, g_strerror(EPERM)))
                        g_error("%s: \"%s\" lacks \"%s\"", cases[i].op, err.message, needle);
                assert_mode_nothing_left(f, m, 1, &original);
                clear_fail_mode_vf(f, m);
        }
        /* and with the faults gone it goes through */
        allocate_with(f, "vm", 1, all);
        release(f, 1);
        assert_mode_original(f, m, &original);
}

/* ---- the table walk through Allocate and Release: the engine's backend notes the sets it passes on ---- */

static GString *walk;
static const HwBackendOps *walk_sim_ops;
static HwBackendOps walk_ops;

static int walk_vf_set_mac(HwBackend *hw, const char *pf, unsigned vf, const char *mac) {
        g_string_append(walk, "mac ");
        return walk_sim_ops->vf_set_mac(hw, pf, vf, mac);
}

static int walk_vf_set_vlan(HwBackend *hw, const char *pf, unsigned vf, unsigned vlan, unsigned qos) {
        g_string_append(walk, "vlan ");
        return walk_sim_ops->vf_set_vlan(hw, pf, vf, vlan, qos);
}

static int walk_vf_set_vlan_proto(HwBackend *hw, const char *pf, unsigned vf, VfVlanProto proto) {
        g_string_append(walk, "vlan_proto ");
        return walk_sim_ops->vf_set_vlan_proto(hw, pf, vf, proto);
}

static int walk_vf_set_spoofchk(HwBackend *hw, const char *pf, unsigned vf, bool on) {
        g_string_append(walk, "spoofchk ");
        return walk_sim_ops->vf_set_spoofchk(hw, pf, vf, on);
}

static int walk_vf_set_trust(HwBackend *hw, const char *pf, unsigned vf, bool on) {
        g_string_append(walk, "trust ");
        return walk_sim_ops->vf_set_trust(hw, pf, vf, on);
}

static int walk_vf_set_link_state(HwBackend *hw, const char *pf, unsigned vf, VfLinkState state) {
        g_string_append(walk, "link_state ");
        return walk_sim_ops->vf_set_link_state(hw, pf, vf, state);
}

static int walk_vf_set_rate(HwBackend *hw, const char *pf, unsigned vf, unsigned min, unsigned max) {
        g_string_append(walk, "rate ");
        return walk_sim_ops->vf_set_rate(hw, pf, vf, min, max);
}

static int walk_netdev_set_mtu(HwBackend *hw, const char *netdev, unsigned mtu) {
        g_string_append(walk, "mtu ");
        return walk_sim_ops->netdev_set_mtu(hw, netdev, mtu);
}

static int walk_netdev_set_mac(HwBackend *hw, const char *netdev, const char *mac) {
        g_string_append(walk, "netdev_mac ");
        return walk_sim_ops->netdev_set_mac(hw, netdev, mac);
}

static int walk_bind_driver(HwBackend *hw, const PciAddr *addr, const char *driver) {
        g_string_append_printf(walk, "bind:%s ", driver);
        return walk_sim_ops->bind_driver(hw, addr, driver);
}

static int walk_bind_host_driver(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs) {
        g_string_append_printf(walk, "bind:%s ", driver ?: "(kernel's)");
        return walk_sim_ops->bind_host_driver(hw, addr, driver, wait_netdevs);
}

static int walk_reset(HwBackend *hw, const PciAddr *addr) {
        g_string_append(walk, "reset ");
        return walk_sim_ops->reset(hw, addr);
}

/* The engine restarted on a sim backend whose VF sets, binds and resets are noted in `walk` */
static void engine_open_noting(Fixture *f) {
        g_auto(EngineError) err = {};
        HwBackend *hw = test_sim_backend(f->sim);

        walk_sim_ops = hw->ops;
        walk_ops = *hw->ops;
        walk_ops.vf_set_mac = walk_vf_set_mac;
        walk_ops.vf_set_vlan = walk_vf_set_vlan;
        walk_ops.vf_set_vlan_proto = walk_vf_set_vlan_proto;
        walk_ops.vf_set_spoofchk = walk_vf_set_spoofchk;
        walk_ops.vf_set_trust = walk_vf_set_trust;
        walk_ops.vf_set_link_state = walk_vf_set_link_state;
        walk_ops.vf_set_rate = walk_vf_set_rate;
        walk_ops.netdev_set_mtu = walk_netdev_set_mtu;
        walk_ops.netdev_set_mac = walk_netdev_set_mac;
        walk_ops.bind_driver = walk_bind_driver;
        walk_ops.bind_host_driver = walk_bind_host_driver;
        walk_ops.reset = walk_reset;
        hw->ops = &walk_ops;
        if (!walk)
                walk = g_string_new(NULL);
        g_string_truncate(walk, 0);
        g_clear_pointer(&f->engine, engine_free);
        g_assert_cmpint(engine_new(hw, f->config_dir, f->state_dir, &f->engine, &err), ==, 0);
}

#define WALK_FLAGS "spoofchk trust link_state rate "

static void assert_walk(const char *what, const char *want) {
        if (!g_str_equal(walk->str, want))
                g_error("%s: the sets were\n  \"%s\"\nnot\n  \"%s\"", what, walk->str, want);
        g_string_truncate(walk, 0);
}

/* The table walk through Allocate and Release, in each mode: apply in the table's order (MTU where the VF has
 * a netdev) before the plug; at Release the plug gives the VF back, then the restore goes by the restore
 * order (VLAN first, the VF netdev's MAC last, where it differs). A failure at the last step of the apply
 * undoes all of it, last first; a restore that fails mid-way (the TX rate) leaves the device restore-failed,
 * and the retry sets the VLAN, protocol and MAC (always) and only what is still not as recorded.
 * The managed modes leave the MTU alone: the bind to vfio-pci takes the VF's host netdev away, the guest's
 * driver sets its own (docs/network-xml.md); the restore still puts the recorded one back. */
static void test_mode_vf_walk(Fixture *f, gconstpointer data) {
        const VfMode *m = data;
        const char *all = "  <vlan><tag id='42'/></vlan>\n  " VF_ALL "\n";
        const char *mtu = m->vf_netdev ? "mtu " : "";
        const char *mtu_applied = m->vf_netdev && !m->to_vfio ? "mtu " : "";
        /* a VF back from vfio-pci has a netdev made anew, with the port's admin MAC */
        const char *netdev_mac_back = m->vf_netdev && m->to_vfio ? "netdev_mac " : "";
        g_autofree char *apply = g_strconcat("mac vlan vlan_proto " WALK_FLAGS, mtu_applied, m->take, NULL);
        g_autofree char *restore = g_strconcat(m->give_back, "vlan vlan_proto mac " WALK_FLAGS, mtu,
                                               netdev_mac_back, NULL);
        g_autofree char *undo = g_strconcat("mac vlan vlan_proto " WALK_FLAGS, mtu,
                                            "rate link_state trust spoofchk vlan_proto vlan mac ", NULL);
        g_autofree char *failed = g_strconcat(m->give_back, "vlan vlan_proto mac " WALK_FLAGS, NULL);
        g_autofree char *retry = g_strconcat(m->give_back_again, "vlan vlan_proto mac rate ", mtu, netdev_mac_back,
                                             NULL);
        g_auto(ModeOriginal) original = {};
        g_auto(EngineError) err = {};

        set_mode_original(f, m, &original);
        engine_open_noting(f);
        define_start(f, "vm", m->forward);
        g_string_truncate(walk, 0);
        allocate_with(f, "vm", 1, all);
        assert_walk("apply", apply);
        release(f, 1);
        assert_walk("restore", restore);
        assert_mode_original(f, m, &original);

        if (m->vf_netdev && !m->to_vfio) {
                fail_mode_vf(f, m, "set_mtu EPERM 1");
                g_assert_cmpint(try_allocate(f, "vm", 2, all, &call_final, &err), ==, ENGINE_ERROR_HARDWARE);
                assert_walk("undo", undo);
                assert_mode_nothing_left(f, m, 2, &original);
        }

        allocate_with(f, "vm", 3, all);
        fail_mode_vf(f, m, "set_rate EPERM 1");
        g_string_truncate(walk, 0);
        release(f, 3);
        assert_walk("failed restore", failed);
        assert_device_state(f, "vm", m->device, "restore-failed");
        g_assert_cmpuint(vf_config(f, m->pf, 0).max_tx_rate, ==, 1000);         /* as the port left it */
        rescan(f);
        assert_walk("retried restore", retry);
        assert_device_state(f, "vm", m->device, "free");
        assert_mode_original(f, m, &original);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
}


/* ---- the lease (issue 19 points 4, 5) ---- */

static void rescan_and_retry(Fixture *f) {
        g_auto(EngineError) err = {};

        g_assert_cmpint(engine_rescan_and_retry(f->engine, &err), ==, 0);
}

static const char *health(Fixture *f, unsigned n) {
        return port_info(f, n).health;
}

/* A driver that drops the restore of the MAC: the device is quarantined with the setting and both values, not
 * handed out, not retried by the periodic pass, kept across a restart, and freed by Rescan once it reads right. */
static void test_lease_quarantine(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};
        g_autofree char *mac1 = port_mac_n(1);
        GHashTable *q;
        const char *why;

        set_original(f, 0);
        define_start(f, "hd", HOSTDEV_ETH0_VF0);
        allocate(f, "hd", 1);
        fail_vf(f, 0, "set_mac IGNORE");
        release(f, 1);
        assert_device_state(f, "hd", ETH0_VF0, "quarantined");
        g_assert_cmpuint(available(f, "hd"), ==, 0);
        q = engine_quarantined(f->engine);
        why = g_hash_table_lookup(q, ETH0_VF0);
        g_assert_nonnull(why);
        g_assert_nonnull(strstr(why, "MAC is "));
        g_assert_nonnull(strstr(why, mac1));
        g_assert_nonnull(strstr(why, "recorded " ORIGINAL_MAC));
        g_assert_cmpint(try_allocate(f, "hd", 2, NULL, &call_final, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);
        g_assert_nonnull(strstr(err.message, "quarantined"));
        g_assert_cmpuint(engine_restores_waiting(f->engine), ==, 0);   /* not a pending restore */

        clear_fail_vf(f, 0);
        (void) engine_retry_restores(f->engine);                        /* the periodic pass leaves it */
        assert_device_state(f, "hd", ETH0_VF0, "quarantined");
        restart(f);
        assert_device_state(f, "hd", ETH0_VF0, "free");                  /* the start retried it, right now */
        g_assert_cmpstr(vf_config(f, "eth0", 0).mac, ==, ORIGINAL_MAC);
        g_assert_cmpuint(state_files(f, "vf"), ==, 0);
}

/* Quarantined at a restart while still wrong; Rescan (not the periodic pass) frees it once it reads right. */
static void test_lease_quarantine_rescan(Fixture *f, gconstpointer data) {
        set_original(f, 0);
        define_start(f, "hd", HOSTDEV_ETH0_VF0);
        allocate(f, "hd", 1);
        fail_vf(f, 0, "set_mac IGNORE");
        release(f, 1);
        restart(f);
        assert_device_state(f, "hd", ETH0_VF0, "quarantined");
        g_assert_nonnull(g_hash_table_lookup(engine_quarantined(f->engine), ETH0_VF0));
        clear_fail_vf(f, 0);
        rescan(f);                                                      /* a hot-plug rescan: not a retry */
        assert_device_state(f, "hd", ETH0_VF0, "quarantined");
        rescan_and_retry(f);
        assert_device_state(f, "hd", ETH0_VF0, "free");
        g_assert_null(g_hash_table_lookup(engine_quarantined(f->engine), ETH0_VF0));
        g_assert_cmpstr(vf_config(f, "eth0", 0).mac, ==, ORIGINAL_MAC);
}

/* A hostdev VF whose reset fails at Release: quarantined (a driver refusal elsewhere is restore-failed). */
static void test_lease_reset_failed(Fixture *f, gconstpointer data) {
        const char *why;

        define_start(f, "hd", HOSTDEV_ETH0_VF0);
        allocate(f, "hd", 1);
        fail_vf(f, 0, "reset EPERM 1");
        release(f, 1);
        assert_device_state(f, "hd", ETH0_VF0, "quarantined");
        why = g_hash_table_lookup(engine_quarantined(f->engine), ETH0_VF0);
        g_assert_nonnull(why);
        g_assert_nonnull(strstr(why, "reset"));
        rescan_and_retry(f);
        assert_device_state(f, "hd", ETH0_VF0, "free");
}

/* Drift: the VF changed behind the port's back is set to the port's settings again by a check (Rescan here; the
 * link watch in the daemon), and Health is ok after; the original stays the record's. */
static void test_lease_drift_repaired(Fixture *f, gconstpointer data) {
        g_autofree char *mac1 = port_mac_n(1);

        set_original(f, 0);
        define_start(f, "hd", HOSTDEV_ETH0_UNMANAGED);
        allocate_with(f, "hd", 1, "  <vlan><tag id='42'/></vlan>\n");
        g_assert_cmpstr(health(f, 1), ==, "ok");
        g_assert_cmpint(hw_vf_set_mac(f->probe, "eth0", 0, "02:00:00:00:00:99"), ==, 0);
        g_assert_cmpint(hw_vf_set_vlan(f->probe, "eth0", 0, 0, 0), ==, 0);
        rescan_and_retry(f);
        g_assert_cmpstr(vf_config(f, "eth0", 0).mac, ==, mac1);
        g_assert_cmpuint(vf_config(f, "eth0", 0).vlan, ==, 42);
        g_assert_cmpstr(health(f, 1), ==, "ok");

        /* a driver that refuses the repair: drifted, until a later check gets through */
        g_assert_cmpint(hw_vf_set_mac(f->probe, "eth0", 0, "02:00:00:00:00:98"), ==, 0);
        fail_vf(f, 0, "set_mac EPERM");
        rescan_and_retry(f);
        g_assert_cmpstr(health(f, 1), ==, "drifted");
        clear_fail_vf(f, 0);
        rescan(f);                                                      /* a drifted port is checked again */
        g_assert_cmpstr(health(f, 1), ==, "ok");
        g_assert_cmpstr(vf_config(f, "eth0", 0).mac, ==, mac1);
        release(f, 1);
        g_assert_cmpstr(vf_config(f, "eth0", 0).mac, ==, ORIGINAL_MAC);
        g_assert_cmpuint(vf_config(f, "eth0", 0).vlan, ==, ORIGINAL_VLAN);
}

/* A VF that vanishes under its port and comes back: Health lost, then the port's settings again and ok; a managed
 * one is on vfio-pci again. */
static void test_lease_vf_returns(Fixture *f, gconstpointer data) {
        g_autofree char *mac1 = port_mac_n(1);

        define_start(f, "hd", HOSTDEV_ETH0);
        allocate_with(f, "hd", 1, "  <vlan><tag id='43'/></vlan>\n");
        assert_driver(f, ETH0_VF0, "vfio-pci");
        test_sim_change(f->sim, "--set-numvfs", ETH0, "0", NULL);
        rescan(f);
        g_assert_cmpstr(health(f, 1), ==, "lost");
        restart(f);                                                     /* a restart meanwhile: still lost */
        g_assert_cmpstr(health(f, 1), ==, "lost");
        test_sim_change(f->sim, "--set-numvfs", ETH0, "8", NULL);
        g_assert_cmpstr(vf_config(f, "eth0", 0).mac, !=, mac1);
        rescan(f);
        g_assert_cmpstr(health(f, 1), ==, "ok");
        g_assert_cmpstr(vf_config(f, "eth0", 0).mac, ==, mac1);
        g_assert_cmpuint(vf_config(f, "eth0", 0).vlan, ==, 43);
        assert_driver(f, ETH0_VF0, "vfio-pci");
        release(f, 1);
        assert_device_state(f, "hd", ETH0_VF0, "free");
}

static void define_start_xml(Fixture *f, const char *name, const char *body) {
        g_autofree char *xml = g_strdup_printf("<network><name>%s</name>%s</network>", name, body);
        g_auto(EngineError) err = {};
        Network *n = NULL;

        g_assert_cmpint(engine_define(f->engine, xml, &n, &err), ==, 0);
        start(f, name);
}

#define ALLOW_DUPLICATES "<netpool:port-macs xmlns:netpool='urn:netpool:xml:1' duplicates='allow'/>"

/* A MAC is one live port's, across networks, unless both networks allow duplicates; a refusal changes nothing. */
static void test_lease_duplicate_mac(Fixture *f, gconstpointer data) {
        g_autofree char *uuid1 = port_uuid_n(1);
        g_autofree char *xml = NULL;
        g_auto(EngineError) err = {};
        Port *port = NULL;

        define_start_xml(f, "a", "<forward mode='hostdev' managed='no'><pf dev='eth0'/></forward>" ALLOW_DUPLICATES);
        define_start_xml(f, "b", "<forward mode='hostdev' managed='no'><pf dev='sfc0'/></forward>");
        define_start_xml(f, "c", "<forward mode='passthrough'><pf dev='eth0'/></forward>" ALLOW_DUPLICATES);
        allocate(f, "a", 1);
        /* port 101 with port 1's MAC: n & 0xff is the same */
        xml = g_strdup_printf("<networkport><uuid>7e000000-0000-4000-8000-000000000301</uuid><owner><name>x</name>"
                              "<uuid>" OWNER "</uuid></owner><mac address='52:54:00:00:00:01'/></networkport>");
        g_assert_cmpint(engine_allocate(f->engine, net(f, "b"), xml, &call_final, &port, &err), ==,
                        ENGINE_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(err.message, uuid1));
        g_assert_nonnull(strstr(err.message, "'a'"));
        g_assert_cmpuint(available(f, "b"), ==, 4);
        engine_error_clear(&err);
        g_assert_cmpint(engine_allocate(f->engine, net(f, "a"), xml, &call_final, &port, &err), ==, 0);
        engine_error_clear(&err);
        g_assert_cmpint(engine_allocate(f->engine, net(f, "b"), xml, &call_final, &port, &err), ==,
                        ENGINE_ERROR_PORT_EXISTS);
}


/* ---- claim ids (issue 20): the same claim on the same network gives the same port while it exists ---- */

static int allocate_claim(Fixture *f, const char *network, unsigned n, const char *claim, const char *device,
                          Port **ret, EngineError *err) {
        g_autofree char *xml = port_xml(n, NULL);
        AllocateOptions o = { .claim = claim, .device = device };
        int fd = -1;

        return engine_allocate_with(f->engine, net(f, network), xml, &o, &call_final, ret, &fd, err);
}

static void test_claim_idempotent(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};
        Port *first = NULL, *again = NULL;

        define_start(f, "hd", HOSTDEV_ETH0_UNMANAGED);
        g_assert_cmpint(allocate_claim(f, "hd", 1, "k8s-claim-1", NULL, &first, &err), ==, 0);
        g_assert_cmpstr(port_info(f, 1).claim, ==, "k8s-claim-1");
        g_assert_cmpint(allocate_claim(f, "hd", 1, "k8s-claim-1", NULL, &again, &err), ==, 0);
        g_assert_true(first == again);
        g_assert_cmpuint(available(f, "hd"), ==, 7);                   /* one device, not two */
        /* another MAC under the same claim: not the request it was made for */
        g_assert_cmpint(allocate_claim(f, "hd", 2, "k8s-claim-1", NULL, &again, &err), ==, ENGINE_ERROR_PORT_EXISTS);
        g_assert_nonnull(strstr(err.message, "its port UUID"));
        engine_error_clear(&err);
        /* across a restart: the claim is in the port record */
        restart(f);
        g_assert_cmpint(allocate_claim(f, "hd", 1, "k8s-claim-1", NULL, &again, &err), ==, 0);
        g_assert_true(again == lookup_port(f, 1));
        g_assert_cmpuint(available(f, "hd"), ==, 7);
        /* a device option that is not the port's */
        g_assert_cmpint(allocate_claim(f, "hd", 1, "k8s-claim-1", "0000:03:02.5", &again, &err), ==,
                        ENGINE_ERROR_PORT_EXISTS);
        g_assert_nonnull(strstr(err.message, "option 'device'"));
        release(f, 1);
        g_assert_null(engine_lookup_claim(f->engine, net(f, "hd"), "k8s-claim-1"));
        g_assert_cmpint(allocate_claim(f, "hd", 3, "k8s-claim-1", NULL, &again, &err), ==, 0);
        g_assert_true(again == lookup_port(f, 3));
}


/* numa-node and numa-policy: a device on the node asked first; 'required' takes nothing else */
static int allocate_numa(Fixture *f, unsigned n, int node, bool required, Port **ret, EngineError *err) {
        g_autofree char *xml = port_xml(n, NULL);
        AllocateOptions o = { .has_numa_node = true, .numa_node = node, .numa_required = required };
        int fd = -1;

        return engine_allocate_with(f->engine, net(f, "hd"), xml, &o, &call_final, ret, &fd, err);
}

static void test_numa_pick(Fixture *f, gconstpointer data) {
        g_auto(EngineError) err = {};
        Port *port = NULL;

        for (unsigned i = 4; i < 8; i++) {
                g_autofree char *bdf = g_strdup_printf("0000:03:02.%u", i);

                test_sim_change(f->sim, "--numa-node", bdf, "1", NULL);
        }
        rescan(f);
        define_start(f, "hd", HOSTDEV_ETH0_UNMANAGED);
        g_assert_cmpint(allocate_numa(f, 1, 1, true, &port, &err), ==, 0);
        assert_port_device(f, 1, "0000:03:02.4");
        g_assert_cmpint(port_info(f, 1).numa_node, ==, 1);
        g_assert_cmpint(allocate_numa(f, 2, 0, false, &port, &err), ==, 0);
        assert_port_device(f, 2, ETH0_VF0);
        /* node 2 has nothing: preferred takes another node, required is PoolExhausted */
        g_assert_cmpint(allocate_numa(f, 3, 2, false, &port, &err), ==, 0);
        g_assert_cmpint(allocate_numa(f, 4, 2, true, &port, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);
        g_assert_nonnull(strstr(err.message, "NUMA node 2"));
        engine_error_clear(&err);
        /* node 1 full: required fails, preferred falls back */
        for (unsigned n = 5; n < 8; n++)
                g_assert_cmpint(allocate_numa(f, n, 1, true, &port, &err), ==, 0);
        g_assert_cmpint(allocate_numa(f, 8, 1, true, &port, &err), ==, ENGINE_ERROR_POOL_EXHAUSTED);
        engine_error_clear(&err);
        g_assert_cmpint(allocate_numa(f, 9, 1, false, &port, &err), ==, 0);
        g_assert_cmpint(port_info(f, 9).numa_node, ==, 0);
}

/* ---- hot-plug: a rescan of only the PFs the events name decides what a rescan of everything would ---- */

/* Every Device of the inventory with every property, and every device of the networks' pools as GetDevices
 * shows them: what a rescan decides */
static char *host_snapshot(Fixture *f, const char *const *networks) {
        g_autoptr(GPtrArray) ids = engine_host_device_ids(f->engine);
        GString *s = g_string_new(NULL);

        for (guint k = 0; k < ids->len; k++) {
                g_autofree char *netdevs = NULL, *nets = NULL;
                HostDeviceInfo i;

                g_assert_cmpint(engine_host_device(f->engine, ids->pdata[k], &i), ==, 0);
                netdevs = g_strjoinv(",", (char **) i.netdevs);
                nets = g_strjoinv(",", (char **) i.networks);
                g_string_append_printf(s, "%s %s %s %s %d %s %s %s [%s] %d %d %s %s %s %s '%s' %s [%s]\n", i.id,
                                       i.pci_address, i.pf, i.pf_address, i.vf_index, i.vendor, i.product, i.driver,
                                       netdevs, i.numa_node, i.iommu_group, i.pcie_root, i.link_type,
                                       i.eswitch_mode, i.state, i.holder, i.port_uuid, nets);
        }
        for (size_t k = 0; networks[k]; k++) {
                g_autoptr(GPtrArray) devices = engine_network_devices(f->engine, net(f, networks[k]));

                g_string_append_printf(s, "%s: %u of %u\n", networks[k], available(f, networks[k]),
                                       capacity(f, networks[k]));
                for (guint i = 0; i < devices->len; i++) {
                        const DeviceInfo *d = devices->pdata[i];

                        g_string_append_printf(s, "  %s %s %s %u %s\n", d->id, d->netdev ?: "-", d->state,
                                               d->connections, d->port_uuid);
                }
        }
        return g_string_free(s, FALSE);
}

static void note_device_event(Engine *e, const char *id, EngineDeviceEvent event, uint32_t changed,
                              void *userdata) {
        g_ptr_array_add(userdata, g_strdup(id));
}

/* The names the sim's events carry when eth0's VFs come or go: their addresses and netdevs */
static GHashTable *eth0_vf_names(void) {
        GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        for (unsigned i = 0; i < 8; i++) {
                g_hash_table_add(names, g_strdup_printf("0000:03:02.%u", i));
                g_hash_table_add(names, g_strdup_printf("eth0v%u", i));
        }
        return names;
}

/* After a rescan of some PFs, a rescan of everything finds nothing to change or announce */
static void assert_full_rescan_agrees(Fixture *f, GPtrArray *events, const char *const *networks) {
        g_autofree char *part = host_snapshot(f, networks), *whole = NULL;

        g_ptr_array_set_size(events, 0);
        rescan(f);
        whole = host_snapshot(f, networks);
        g_assert_cmpstr(part, ==, whole);
        g_assert_cmpuint(events->len, ==, 0);
}

static void rescan_changed(Fixture *f, GHashTable *names) {
        g_auto(EngineError) err = {};

        g_assert_cmpint(engine_rescan_changed(f->engine, names, &err), ==, 0);
}

static void test_rescan_named_pfs(Fixture *f, gconstpointer data) {
        static const char *const networks[] = { "pt", "hy", NULL };
        g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) names = eth0_vf_names();
        g_autoptr(GHashTable) plain = g_hash_table_new(g_str_hash, g_str_equal);
        HostDeviceInfo info;

        define_start(f, "pt", PASSTHROUGH_ETH0);
        define_start(f, "hy", HYBRID_SFC0);
        allocate(f, "pt", 1);
        assert_port_device(f, 1, "eth0v0");
        engine_set_device_observer(f->engine, note_device_event, events);

        /* eth0 to no VFs: its VF 0 is lost under port 1, the others go; only eth0's devices are announced */
        test_sim_change(f->sim, "--set-numvfs", ETH0, "0", NULL);
        rescan_changed(f, names);
        g_assert_cmpuint(events->len, >=, 8);
        for (guint i = 0; i < events->len; i++)
                g_assert_true(g_str_has_prefix(events->pdata[i], "0000:03:"));
        assert_device_state(f, "pt", "eth0v0", "lost");
        g_assert_cmpint(engine_host_device(f->engine, ETH0_VF1, &info), ==, -ENOENT);
        g_assert_cmpint(engine_host_device(f->engine, ETH0_VF0, &info), ==, 0);
        g_assert_cmpstr(info.state, ==, "lost");
        g_assert_cmpuint(capacity(f, "pt"), ==, 1);
        assert_full_rescan_agrees(f, events, networks);

        /* and back: the VFs return, VF 0 to its port */
        test_sim_change(f->sim, "--set-numvfs", ETH0, "8", NULL);
        rescan_changed(f, names);
        assert_device_state(f, "pt", "eth0v0", "in-use");
        assert_device_state(f, "pt", "eth0v1", "free");
        g_assert_cmpuint(capacity(f, "pt"), ==, 8);
        assert_full_rescan_agrees(f, events, networks);
        /* named again with nothing changed: the devices are read again, none announced */
        rescan_changed(f, names);
        g_assert_cmpuint(events->len, ==, 0);
        assert_full_rescan_agrees(f, events, networks);

        /* a netdev nobody knows, gone: nothing is read, sfc0's change waits for an event of its own */
        test_sim_change(f->sim, "--set-numvfs", "0000:07:00.0", "2", NULL);
        g_hash_table_add(plain, (char *) "nosuch0");
        g_ptr_array_set_size(events, 0);
        rescan_changed(f, plain);
        g_assert_cmpuint(events->len, ==, 0);
        g_assert_cmpuint(capacity(f, "hy"), ==, 4);

        /* a function that is no SR-IOV function: nothing while no pool lists its devices (no pool can want it) */
        test_sim_change(f->sim, "--add-function", "bdf=0000:09:00.0", NULL);
        g_hash_table_remove_all(plain);
        g_hash_table_add(plain, (char *) "0000:09:00.0");
        rescan_changed(f, plain);
        g_assert_cmpuint(events->len, ==, 0);
        g_assert_cmpuint(capacity(f, "hy"), ==, 4);
        /* with one that does, only a rescan of everything can tell, and it sees sfc0's change too */
        define_start(f, "one", HOSTDEV_ETH0_VF0);
        rescan_changed(f, plain);
        g_assert_cmpuint(capacity(f, "hy"), ==, 2);
        g_assert_cmpint(engine_host_device(f->engine, "0000:07:02.3", &info), ==, -ENOENT);
        assert_full_rescan_agrees(f, events, networks);

        /* a PF plugged in: named by its address, it and its VFs come */
        test_sim_change(f->sim, "--add-pf", "name=eth9,bdf=0000:0a:00.0,model=x710,vfs=4", NULL);
        g_hash_table_remove_all(plain);
        g_hash_table_add(plain, (char *) "0000:0a:00.0");
        rescan_changed(f, plain);
        g_assert_cmpint(engine_host_device(f->engine, "0000:0a:00.0", &info), ==, 0);
        g_assert_cmpint(engine_host_device(f->engine, "0000:0a:02.3", &info), ==, 0);
        g_assert_cmpstr(info.pf, ==, "eth9");
        assert_full_rescan_agrees(f, events, networks);
}

#define add_test(path, fn, data) g_test_add(path, Fixture, data, fixture_setup, fn, fixture_teardown)
#define add_mode_test(what, fn, m) do {                                                         \
                g_autofree char *_path = g_strdup_printf("/engine/vf-params/%s/%s", (m)->name, (what)); \
                add_test(_path, fn, m);                                                         \
        } while (0)

int main(int argc, char **argv) {
        /* the sim hosts and state dirs on tmpfs unless TMPDIR says otherwise: netpool-simhost and the
         * engine fsync what they write, which on a loaded disk costs ~0.5 s per host */
        if (!g_getenv("TMPDIR") && access("/dev/shm", W_OK) == 0)
                g_setenv("TMPDIR", "/dev/shm", TRUE);
        g_test_init(&argc, &argv, NULL);
        log_set_max_level(g_test_verbose() ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);

        add_test("/engine/network/lifecycle", test_network_lifecycle, NULL);
        add_test("/engine/inventory/rescan-named-pfs", test_rescan_named_pfs, NULL);
        add_test("/engine/port/hostdev", test_hostdev_port, NULL);
        add_test("/engine/port/hostdev-notify", test_hostdev_notify, NULL);
        add_test("/engine/port/hybrid", test_hybrid_port, NULL);
        add_test("/engine/port/passthrough", test_passthrough_port, NULL);
        add_test("/engine/port/more-fields-restored", test_more_fields_restored, NULL);
        add_test("/engine/port/vf-params/network", test_vf_params_levels, "network");
        add_test("/engine/port/vf-params/portgroup", test_vf_params_levels, "portgroup");
        add_test("/engine/port/vf-params/port", test_vf_params_levels, "port");
        add_test("/engine/port/vf-params/inherit", test_vf_params_inherit, NULL);
        add_test("/engine/port/vf-params/refused", test_vf_params_refused, NULL);
        add_test("/engine/port/vf-params/above-pf", test_vf_params_above_pf, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(vf_modes); i++) {
                static const char *const levels[] = { "network", "portgroup", "port" };
                static VfLevelCase level_cases[G_N_ELEMENTS(vf_modes)][G_N_ELEMENTS(levels)];
                const VfMode *m = &vf_modes[i];

                for (size_t l = 0; l < G_N_ELEMENTS(levels); l++) {
                        g_autofree char *path = g_strdup_printf("/engine/vf-params/%s/%s", m->name, levels[l]);

                        level_cases[i][l] = (VfLevelCase) { .mode = m, .level = levels[l] };
                        add_test(path, test_mode_vf_levels, &level_cases[i][l]);
                }
                add_mode_test("inherit", test_mode_vf_inherit, m);
                add_mode_test("bandwidth-alone", test_mode_vf_bandwidth_alone, m);
                add_mode_test("refused", test_mode_vf_refused, m);
                add_mode_test("driver-refusal", test_mode_vf_driver_refusal, m);
                add_mode_test("walk", test_mode_vf_walk, m);
        }
        add_test("/engine/port/private", test_shared_lower_ports, "private");
        add_test("/engine/port/vepa", test_shared_lower_ports, "vepa");
        add_test("/engine/port/bridge", test_shared_lower_ports, "bridge");
        add_test("/engine/claims/shared-pf", test_claims_across_networks, NULL);
        add_test("/engine/plug/hostdev-managed", test_hostdev_managed_binding, NULL);
        add_test("/engine/plug/hostdev-unmanaged-reset", test_hostdev_unmanaged_reset, NULL);
        add_test("/engine/plug/bind-refused", test_hostdev_bind_refused, NULL);
        add_test("/engine/plug/no-iommu", test_hostdev_no_iommu, NULL);
        add_test("/engine/plug/passthrough-macvtap", test_passthrough_macvtap, NULL);
        add_test("/engine/plug/macvtap-refused-and-crash", test_macvtap_refused_and_crash, NULL);
        add_test("/engine/plug/hybrid-vlan-device", test_hybrid_vlan_device, NULL);
        add_test("/engine/plug/options", test_allocate_options, NULL);
        add_test("/engine/stop/force-slices", test_stop_force_slices, NULL);
        add_test("/engine/busy/allocate-retry", test_allocate_busy_retry, NULL);
        add_test("/engine/busy/allocate-final", test_allocate_busy_final, NULL);
        add_test("/engine/busy/release-retry", test_release_busy_retry, NULL);
        add_test("/engine/busy/release-final", test_release_busy_final, NULL);
        add_test("/engine/restore-failed/undo-retried", test_failed_undo_retried, NULL);
        add_test("/engine/restore-failed/host-wide", test_restore_failed_host_wide, NULL);
        add_test("/engine/restore-failed/damaged-record-keeps-mark", test_damaged_record_keeps_mark, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(crash_cases); i++) {
                g_autofree char *path = g_strdup_printf("/engine/recover/%s", crash_cases[i].step);

                add_test(path, test_crash_recovery, &crash_cases[i]);
        }
        add_test("/engine/recover/damaged-record", test_crash_recovery_damaged_record, NULL);
        add_test("/engine/rescan/lost-and-returning", test_rescan_lost_and_returning, NULL);
        add_test("/engine/lease/quarantine", test_lease_quarantine, NULL);
        add_test("/engine/claim/idempotent", test_claim_idempotent, NULL);
        add_test("/engine/numa/pick", test_numa_pick, NULL);
        add_test("/engine/lease/quarantine-rescan", test_lease_quarantine_rescan, NULL);
        add_test("/engine/lease/reset-failed", test_lease_reset_failed, NULL);
        add_test("/engine/lease/drift-repaired", test_lease_drift_repaired, NULL);
        add_test("/engine/lease/vf-returns", test_lease_vf_returns, NULL);
        add_test("/engine/lease/duplicate-mac", test_lease_duplicate_mac, NULL);
        add_test("/engine/rescan/released-while-lost", test_rescan_released_while_lost, NULL);
        add_test("/engine/rescan/taken-outside", test_rescan_taken_outside, NULL);
        add_test("/engine/rescan/returning-held-elsewhere", test_rescan_returning_held_elsewhere, NULL);
        add_test("/engine/pick/netdev-renamed", test_pick_netdev_renamed, NULL);
        add_test("/engine/pick/vfs-gone", test_pick_vfs_gone, NULL);
        add_test("/engine/pick/vf-netdev-renamed", test_pick_vf_netdev_renamed, NULL);
        return g_test_run();
}
