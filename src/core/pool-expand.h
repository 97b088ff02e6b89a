/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pool expansion: which devices a <pf> or an explicit list stands for, from what the hardware reported */
#pragma once

#include <glib.h>

#include "core/hwinfo.h"
#include "core/netdef.h"
#include "core/pool.h"

/* The PF netdev a VF is configured through: on a dual-port PF the one whose phys_port_id the VF's
 * netdev carries, else the PF's first netdev. NULL when the PF has no netdev. */
const HwNetdev *pool_pf_netdev_for_vf(const HwFunction *pf, const HwNetdev *vf_netdev);

/* Add the VFs of one PF to the pool, as <pf dev='pf_netdev->name'/> means them: on a dual-port PF only the
 * VFs of pf_netdev's port (a VF with a netdev on each port belongs to both, a VF whose port cannot be told
 * is kept). Netdev modes take each VF's netdev on that port and skip VFs without one; PCI modes
 * (hostdev, hybrid) take the VF's address. Every skipped or doubtful VF adds a sentence to notes.
 * A VF already in the pool is not added again.
 * Returns: the number of devices added. */
int pool_expand_pf(Pool *p, ForwardMode mode, const HwNetdev *pf_netdev, const HwFunction *pf,
                   GPtrArray *vfs, GPtrArray *notes);

/* A pool member for a netdev named in the definition. pf may be NULL (not a VF); fn may be NULL
 * (no PCI function). */
PoolDevice *pool_device_for_netdev(const HwNetdev *nd, const HwFunction *fn, const HwFunction *pf);

/* A pool member for a PCI function named in the definition (hostdev, hybrid). pf may be NULL. */
PoolDevice *pool_device_for_function(const HwFunction *fn, const HwFunction *pf);
