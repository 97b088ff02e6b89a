/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the VF record loader (STATE/vf/<PF netdev>_vf<N>), as the record of eth0's VF 3 */
#include <string.h>

#include "core/vf-record.h"
#include "fuzz.h"
#include "shared/macro.h"

#define PF_NETDEV "eth0"
#define VF_INDEX 3

static bool same_record(const VfRecord *a, const VfRecord *b) {
        return streq(a->pf_netdev, b->pf_netdev) && a->vf == b->vf && streq(a->port_uuid, b->port_uuid) &&
               streq(a->orig.mac, b->orig.mac) && a->orig.vlan == b->orig.vlan && a->orig.qos == b->orig.qos &&
               a->orig.spoofchk == b->orig.spoofchk && a->orig.trust == b->orig.trust &&
               a->orig.link_state == b->orig.link_state && streq_ptr(a->vf_netdev, b->vf_netdev) &&
               streq(a->vf_netdev_mac, b->vf_netdev_mac);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        g_autoptr(VfRecord) rec = NULL, again = NULL;
        g_autofree char *dir = NULL;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        /* the loader takes bytes and a length: no NUL added, so a read past the end shows */
        if (vf_record_parse((const char *) data, size, PF_NETDEV, VF_INDEX, &rec) < 0)
                return 0;

        /* the original of a VF must survive: what loads saves, and loads back the same */
        dir = g_build_filename(fuzz_tmpdir(), "vf", NULL);
        r = vf_record_save(dir, rec);
        fuzz_check(r == 0, "loaded record cannot be saved: %s", g_strerror(-r));
        r = vf_record_load(dir, PF_NETDEV, VF_INDEX, &again);
        fuzz_check(r == 0, "saved record cannot be loaded: %s", g_strerror(-r));
        fuzz_check(same_record(rec, again), "record changed on a save and load");
        return 0;
}
