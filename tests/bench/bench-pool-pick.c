/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: picking a device costs the same in a pool of 64 VFs and of 32768 (O(log n), never a scan) */
#include <stdio.h>

#include <glib.h>

#include "core/pool.h"

static Pool *pool_of(bool exclusive, unsigned n) {
        Pool *p = pool_new(exclusive);

        for (unsigned i = 0; i < n; i++) {
                g_autofree char *id = g_strdup_printf("0000:%02x:%02x.%u", (i >> 8) & 0xff, (i >> 3) & 0x1f, i & 7);
                PoolDevice *d = pool_device_new(FORWARD_DEV_PCI, id);

                d->pci_address = g_strdup(id);
                d->vf_index = (int) i;
                g_assert(pool_add(p, d) == 0);
        }
        return p;
}

/* ns per allocate+release cycle with the pool half full, so that a scan would have to walk half of it */
static double ns_per_cycle(bool exclusive, unsigned n, unsigned cycles) {
        g_autoptr(Pool) p = pool_of(exclusive, n);
        gint64 start;

        for (unsigned i = 0; i < n / 2; i++)
                pool_device_connect(p, pool_pick(p), 1);
        start = g_get_monotonic_time();
        for (unsigned i = 0; i < cycles; i++) {
                PoolDevice *d = pool_pick(p);

                pool_device_connect(p, d, 1);
                pool_device_connect(p, d, -1);
        }
        return (double) (g_get_monotonic_time() - start) * 1000.0 / cycles;
}

int main(void) {
        const unsigned cycles = 200000;
        double small, large;

        for (int exclusive = 1; exclusive >= 0; exclusive--) {
                small = ns_per_cycle(exclusive, 64, cycles);
                large = ns_per_cycle(exclusive, 32768, cycles);
                printf("%s pool: %.0f ns per pick+connect+release with 64 devices, %.0f ns with 32768 (ratio %.2f)\n",
                       exclusive ? "exclusive" : "shared", small, large, large / small);
        }
        return 0;
}
