/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VF configuration: save the original, apply a port's MAC and VLAN, restore — with driver quirks handled */
#pragma once

#include <stdbool.h>

#include "hw/hw.h"

/* Which VF, seen through which PF netdev. */
typedef struct VfTarget {
        const char *pf_netdev;          /* the PF netdev of the VF's port: originals are read through it */
        const char *alt_pf_netdev;      /* the other PF netdev of a dual-port PF (ConnectX-3), else NULL:
                                         * the record may have been written under either name */
        unsigned vf;
        const char *vf_netdev;          /* the VF's own netdev on that port, NULL when it has none now */
} VfTarget;

/* Before the first change, save the VF's original state to a record in vf_dir (atomically; an existing
 * record is kept, it holds the true original). Then set the admin MAC through the PF and the VLAN (0 =
 * none). Any failure undoes every change made here (and removes a record made here): the VF is as it was.
 * Nothing here waits: EBUSY ("VF still in reset") is returned, after the undo, for the caller to try
 * again later.
 * Returns: 0, or -ENETDOWN (the PF netdev is down), -ENODEV (gone), -EBUSY, or the driver's error; *ret_msg
 * says what failed, naming PF, VF and setting. *ret_on_record (may be NULL) is true when what failed is the
 * VF's record file (ours: a full or read-only state dir, a damaged record), not the hardware. */
int vf_config_apply(HwBackend *hw, const char *vf_dir, const VfTarget *t, const char *mac, unsigned vlan,
                    const char *port_uuid, char **ret_msg, bool *ret_on_record);

/* Restore the VF from its record (found under pf_netdev or alt_pf_netdev) and remove the record only once
 * the restore succeeded. Where the driver refuses the all-zero MAC, a locally administered MAC unique to
 * this VF (derived from the PF and the VF index) is set instead. EBUSY is returned, not waited for.
 * The VF's own netdev MAC is restored when the VF still has that netdev.
 * Returns: 0; -ENOENT when there is no record (nothing to restore); or the error of the restore, with
 * the record kept for a later retry.
 * *ret_on_record (may be NULL): the failure is the record file's (damaged, or cannot be removed). */
int vf_config_restore(HwBackend *hw, const char *vf_dir, const VfTarget *t, char **ret_msg,
                      bool *ret_on_record);

/* Whether a record exists for the VF under either PF netdev name. */
bool vf_config_has_record(const char *vf_dir, const VfTarget *t);

/* For a VF re-registered by Notify whose record was lost (state dir wiped): write a record of the
 * driver's defaults (zero MAC, VLAN 0, QoS 0, spoofchk on, trust off, link auto), so that a release
 * leaves the VF clean rather than keeping the guest's MAC. No change to the VF. */
int vf_config_record_defaults(const char *vf_dir, const VfTarget *t, const char *port_uuid, char **ret_msg);

/* The locally administered MAC netpool sets where a driver refuses 00:00:00:00:00:00: unique per
 * (PF, VF index). buf is 18 bytes. */
void vf_config_placeholder_mac(const char *pf_netdev, unsigned vf, char buf[static 18]);
