/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VF configuration: save the original, apply a port's settings, restore — with driver quirks handled */
#pragma once

#include <stdbool.h>

#include "engine/vf-setting.h"
#include "hw/hw.h"

/* Which VF, seen through which PF netdev. */
typedef struct VfTarget {
        const char *pf_netdev;          /* the PF netdev of the VF's port: originals are read through it */
        const char *alt_pf_netdev;      /* the other PF netdev of a dual-port PF (ConnectX-3), else NULL:
                                         * the record may have been written under either name */
        unsigned vf;
        const char *vf_netdev;          /* the VF's own netdev on that port, NULL when it has none now */
        bool hostdev;                   /* handed whole to a guest: reset before it goes back */
        bool managed;                   /* and bound to vfio-pci by netpool: its driver is recorded */
} VfTarget;

int vf_config_apply(HwBackend *hw, const char *vf_dir, const VfTarget *t, const VfSettings *want,
                    const char *port_uuid, char **ret_msg, bool *ret_on_record);

int vf_config_restore(HwBackend *hw, const char *vf_dir, const VfTarget *t, char **ret_msg,
                      bool *ret_on_record);

bool vf_config_has_record(const char *vf_dir, const VfTarget *t);

/* Whether the VF has every setting of want now: *ret_diff NULL, else what differs first (g_free). 0 or -errno
 * of reading the VF (-ENODEV when gone), with *ret_msg. */
int vf_config_compare(HwBackend *hw, const VfTarget *t, const VfSettings *want, char **ret_diff, char **ret_msg);

int vf_config_record_defaults(const char *vf_dir, const VfTarget *t, const char *port_uuid, char **ret_msg);
