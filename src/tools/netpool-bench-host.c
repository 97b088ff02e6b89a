/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench's sim host: N VFs on X710-like PFs of 128 VFs, and the passthrough network over them */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "tools/netpool-bench.h"

/* PF k: netdev ethK on bus K; its 128 X710-like VFs (offset 16) stay on that bus */
static char *pf_spec(unsigned k, unsigned vfs) {
        return g_strdup_printf("name=eth%u,bdf=0000:%02x:00.0,model=x710,vfs=%u,total=%u", k, k, vfs, vfs);
}

/**
 * bench_host_build() - the sim host of N_VFS VFs: one PF when N_VFS ≤ 128, else PFs of 128 VFs each
 *
 * Returns: 0, or a negative errno with *ret_message saying what failed.
 */
int bench_host_build(const HarnessEnv *e, const char *simhost, unsigned n_vfs, unsigned *ret_n_pfs,
                     char **ret_message) {
        g_auto(GStrv) pf_specs = NULL;
        unsigned per_pf = MIN(n_vfs, BENCH_VFS_PER_PF), n_pfs;
        int r;

        if (n_vfs == 0 || n_vfs % per_pf != 0 || n_vfs / per_pf > BENCH_MAX_PFS) {
                *ret_message = g_strdup_printf("%u VFs: N must be 1-128, or a multiple of 128 up to %u",
                                               n_vfs, BENCH_VFS_PER_PF * BENCH_MAX_PFS);
                return -EINVAL;
        }
        n_pfs = n_vfs / per_pf;
        pf_specs = g_new0(char *, n_pfs + 1);
        for (unsigned k = 0; k < n_pfs; k++)
                pf_specs[k] = pf_spec(k, per_pf);
        r = harness_simhost_build(simhost, e->sim, pf_specs, ret_message);
        if (r < 0)
                return r;
        *ret_n_pfs = n_pfs;
        return 0;
}

/* A passthrough network over the VFs of every PF (HOSTDEV: a hostdev network, managed: each VF goes to vfio-pci
 * while a port has it): each port takes one VF, whose settings netpoold applies */
char *bench_host_network_xml(unsigned n_pfs, bool hostdev) {
        g_autoptr(GString) s = g_string_new(NULL);

        g_string_append_printf(s, "<network>\n  <name>" BENCH_NETWORK_NAME "</name>\n  <forward mode='%s'>\n",
                               hostdev ? "hostdev' managed='yes" : "passthrough");
        for (unsigned k = 0; k < n_pfs; k++)
                g_string_append_printf(s, "    <pf dev='eth%u'/>\n", k);
        g_string_append(s, "  </forward>\n</network>\n");
        return g_string_free(g_steal_pointer(&s), false);
}

int bench_bus_failed(const char *what, const sd_bus_error *error, int r, char **ret_message) {
        *ret_message = g_strdup_printf("%s: %s", what, sd_bus_error_is_set(error) ? error->message : strerror(-r));
        return r < 0 ? r : -EIO;
}

int bench_host_up(HarnessEnv *env, const char *dir_prefix, const char *label, unsigned n, unsigned *ret_n_pfs,
                  double *ret_build_s, sd_bus **ret_bus, char **ret_message) {
        g_autoptr(sd_bus) bus = NULL;
        double t0;
        int r;

        r = harness_env_make_dir(env, dir_prefix, ret_message);
        if (r < 0)
                return r;
        bench_progress("%sN=%u: building the sim host in %s", label, n, env->dir);
        t0 = harness_now();
        r = bench_host_build(env, harness_path("NETPOOL_SIMHOST", BENCH_SIMHOST), n, ret_n_pfs, ret_message);
        if (r < 0)
                return r;
        *ret_build_s = harness_now() - t0;
        r = harness_env_start_bus(env, harness_path("NETPOOLD", BENCH_NETPOOLD), ret_message);
        if (r < 0)
                return r;
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return bench_bus_failed("cannot connect to the private bus", NULL, r, ret_message);
        (void) sd_bus_set_method_call_timeout(bus, UINT64_C(600) * 1000 * 1000);
        *ret_bus = g_steal_pointer(&bus);
        return 0;
}

int bench_activate(sd_bus *bus, HarnessEnv *env, double *ret_ready_ms, char **ret_message) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        double t0 = harness_now();
        int r;

        r = sd_bus_call_method(bus, BENCH_BUS_NAME, "/", "org.freedesktop.DBus.Peer", "Ping", &error, NULL, NULL);
        if (r < 0)
                return bench_bus_failed("activating netpoold (Peer.Ping)", &error, r, ret_message);
        *ret_ready_ms = (harness_now() - t0) * 1e3;
        r = harness_bus_owner_pid(bus, BENCH_BUS_NAME, &env->daemon_pid);
        if (r < 0)
                return bench_bus_failed("cannot learn netpoold's PID", NULL, r, ret_message);
        return 0;
}

int bench_network_start(sd_bus *bus, unsigned n_pfs, bool hostdev, double *ret_start_ms, char **ret_message) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autofree char *xml = bench_host_network_xml(n_pfs, hostdev);
        double t0;
        int r;

        r = sd_bus_call_method(bus, BENCH_BUS_NAME, BENCH_MANAGER_PATH, BENCH_MANAGER_IFACE, "DefineNetwork",
                               &error, NULL, "st", xml, UINT64_C(0));
        if (r < 0)
                return bench_bus_failed("DefineNetwork", &error, r, ret_message);
        t0 = harness_now();
        r = sd_bus_call_method(bus, BENCH_BUS_NAME, bench_netpool_target.address, BENCH_NETWORK_IFACE, "Start",
                               &error, NULL, "t", UINT64_C(0));
        if (r < 0)
                return bench_bus_failed("Start", &error, r, ret_message);
        *ret_start_ms = (harness_now() - t0) * 1e3;
        return 0;
}

/* The sim's p1/ directory of the VF whose admin MAC is MAC (simhost.md: vfstate/<PF>/vf<N>/p<P>/mac) */
static char *find_vf_by_mac(const char *sim, const char *mac) {
        g_autofree char *vfstate = g_build_filename(sim, "vfstate", NULL);
        g_autofree char *pattern = g_strconcat(mac, "\n", NULL);
        g_autoptr(GDir) pfs = g_dir_open(vfstate, 0, NULL);
        const char *pf, *vf;

        while (pfs && (pf = g_dir_read_name(pfs))) {
                g_autofree char *pf_dir = g_build_filename(vfstate, pf, NULL);
                g_autoptr(GDir) vfs = g_dir_open(pf_dir, 0, NULL);

                while (vfs && (vf = g_dir_read_name(vfs))) {
                        g_autofree char *p1 = g_build_filename(pf_dir, vf, "p1", NULL);
                        g_autofree char *path = g_build_filename(p1, "mac", NULL);
                        g_autofree char *text = NULL;

                        if (g_file_get_contents(path, &text, NULL, NULL) && g_ascii_strcasecmp(text, pattern) == 0)
                                return g_steal_pointer(&p1);
                }
        }
        return NULL;
}

/* DIR/NAME holds WANT (and a newline) */
static int check_file(const char *dir, const char *name, const char *want, char **ret_message) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL)) {
                *ret_message = g_strdup_printf("VF settings: cannot read %s", path);
                return -ENOENT;
        }
        if (!g_str_equal(g_strchomp(text), want)) {
                *ret_message = g_strdup_printf("VF settings: %s holds '%s', the port asked for '%s'", path, text,
                                               want);
                return -EIO;
        }
        return 0;
}

/**
 * bench_check_vf_settings() - one port of the kind the clients allocate, and the sim's files of the VF it got
 * read back: its admin MAC, VLAN, max TX rate and trust must be the port's; then the port is released
 *
 * Returns: 0, or a negative errno with *ret_message saying what is not set.
 */
int bench_check_vf_settings(sd_bus *bus, const HarnessEnv *env, char **ret_message) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autofree char *vf_dir = NULL;
        g_autofree char *vlan = NULL, *rate = NULL;
        BenchPort p = { .vlan = 1234, .max_tx_rate = 321 };
        char xml[768];
        int r;

        g_strlcpy(p.uuid, "bec0ffff-0000-4000-8000-000000000001", sizeof(p.uuid));
        g_strlcpy(p.owner_uuid, "bec0ffff-0000-4000-8000-000000000002", sizeof(p.owner_uuid));
        g_strlcpy(p.owner, "bench-check", sizeof(p.owner));
        g_strlcpy(p.mac, "52:55:ff:00:12:34", sizeof(p.mac));
        bench_netpool_port_xml(&p, xml, sizeof(xml));
        r = sd_bus_call_method(bus, BENCH_BUS_NAME, bench_netpool_target.address, BENCH_NETWORK_IFACE, "Allocate",
                               &error, NULL, "st", xml, UINT64_C(0));
        if (r < 0)
                return bench_bus_failed("VF settings: Allocate", &error, r, ret_message);

        vf_dir = find_vf_by_mac(env->sim, p.mac);
        vlan = g_strdup_printf("%u", p.vlan);
        rate = g_strdup_printf("%u", p.max_tx_rate);
        if (!vf_dir) {
                *ret_message = g_strdup_printf("VF settings: no VF of the sim has the port's MAC %s", p.mac);
                r = -ENOENT;
        } else if ((r = check_file(vf_dir, "vlan", vlan, ret_message)) >= 0 &&
                   (r = check_file(vf_dir, "max_tx_rate", rate, ret_message)) >= 0)
                r = check_file(vf_dir, "trust", "1", ret_message);
        if (r < 0)
                return r;

        r = sd_bus_call_method(bus, BENCH_BUS_NAME, bench_netpool_target.address, BENCH_NETWORK_IFACE, "Release",
                               &error, NULL, "st", p.uuid, UINT64_C(0));
        if (r < 0)
                return bench_bus_failed("VF settings: Release", &error, r, ret_message);
        return 0;
}
