/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine plug: the host's half of a port that needs root — the VF on vfio-pci with its group node handed to a
 * uid, the macvtap over the picked netdev, the VLAN device under a hybrid's macvtap (issue 18) */
#pragma once

#include "engine/engine-base.h"

/* Whether ports of the network get a macvtap netpoold makes (passthrough, private, vepa, bridge over a
 * device, and the hybrid's virtio path). */
bool engine_plug_makes_macvtap(const Network *n);
/* Whether netpoold binds the network's VFs to vfio-pci (hostdev or hybrid with managed='yes'). */
bool engine_plug_binds_vfio(const NetDef *def);

/* Why a VF of a managed hostdev/hybrid network (def, pool) cannot go to VFIO (g_free), or NULL when it can. */
char *engine_plug_vfio_problem(Engine *e, const NetDef *def, const Pool *pool, const PoolDevice *d);
/* In a managed hostdev/hybrid network, the free devices VFIO cannot take are made unavailable (no IOMMU group,
 * a group that is not viable). */
void engine_plug_mark_vfio_unusable(Engine *e, const NetDef *def, Pool *pool);

/* The options against the network, before a device is picked: those that do not fit its mode, a tap-name that
 * is no netdev name or is taken. */
int engine_plug_check_options(Engine *e, const Network *n, const AllocateOptions *o, EngineError *err);

/* Before the port's first record: check the options against the network and choose names (the macvtap's,
 * the VLAN device's), filling port->def->host and port->vfio_owner — the record then says what comes. */
int engine_plug_plan(Engine *e, Network *n, const PoolDevice *d, Port *port, const AllocateOptions *o,
                     EngineError *err);

/* Whether engine_plug_connect() writes the port's first record itself, before its first change that the VF records
 * do not undo: a passthrough port's, whose macvtap takes the lower device — the lower's MAC and state, read after
 * the VF settings (what the release puts back), go into that record. Up to it the VF records alone undo all. */
bool engine_plug_records_port(const Network *n, const Port *port);

/* After the VF settings: bind the VF to vfio-pci, hand its node to the asked uid/gid, make the VLAN device and
 * the macvtap, and open the tap when asked (*ret_tap_fd, else -1). On a failure what this did is undone (the
 * VF's own driver comes back with its settings, through its VF record, in the caller's undo). */
int engine_plug_connect(Engine *e, Network *n, Port *port, const AllocateOptions *o, int *ret_tap_fd,
                        EngineError *err);

/* An fd of the port's macvtap's tap (*ret_fd, the caller's). */
int engine_plug_open_tap(Engine *e, Port *port, int *ret_fd, EngineError *err);

/* A VF that vanished under its port and came back (on its host driver again): with managed binding, to vfio-pci
 * once more and its group node to the uid/gid asked; the owners recorded at the Allocate stay the ones Release
 * puts back. A macvtap went with its lower: the agent allocates anew for that. Returns 0 or ENGINE_ERROR_*. */
int engine_plug_rebind(Engine *e, Network *n, Port *port, EngineError *err);

/* Undo connect's steps that the VF record does not cover: the macvtap, the VLAN device when no other port
 * uses it and netpool made it, the node's owner. Idempotent (release, rollback and recovery share it); every
 * step is tried. Returns 0 or ENGINE_ERROR_HARDWARE / ENGINE_ERROR_IO with the first failure. */
int engine_plug_disconnect(Engine *e, const Port *port, EngineError *err);

/* At start, after recovery: VLAN devices netpool made that no port uses any more are deleted. */
void engine_plug_sweep(Engine *e);

/* Notify: what the port's <netpool:plug> claims is checked against the host, then kept (the tap and VLAN
 * device are deleted at its Release) and the rest read from the hardware again. */
int engine_plug_adopt(Engine *e, Network *n, const PoolDevice *d, Port *port, EngineError *err);
