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

/* A passthrough network over the VFs of every PF: each port takes one VF, whose MAC and VLAN netpoold sets */
char *bench_host_network_xml(unsigned n_pfs) {
        g_autoptr(GString) s = g_string_new(NULL);

        g_string_append(s, "<network>\n  <name>" BENCH_NETWORK_NAME "</name>\n  <forward mode='passthrough'>\n");
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

int bench_network_start(sd_bus *bus, unsigned n_pfs, double *ret_start_ms, char **ret_message) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autofree char *xml = bench_host_network_xml(n_pfs);
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
