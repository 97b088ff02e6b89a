/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench's sim host: N VFs on X710-like PFs of 128 VFs, and the passthrough network over them */
#include <errno.h>

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
