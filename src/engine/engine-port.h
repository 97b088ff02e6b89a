/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine ports, the parts the recovery and the network lifecycle use */
#pragma once

#include "engine/engine-base.h"

struct VfTarget;
struct VfSettings;

/* How the VF v of port is addressed by vf-config (hostdev/hybrid: reset at release; managed: driver recorded). */
void engine_port_vf_target(const Port *port, const PortVf *v, struct VfTarget *t);
/* What the port sets on its VF v: MAC, VLAN and QoS, and the settings of the definition (port <- portgroup <-
 * network). Returns 0, or ENGINE_ERROR_INVALID_ARGUMENT. */
int engine_port_vf_settings(const Port *port, const PortVf *v, struct VfSettings *ret, EngineError *err);

/* Still there, and not taken outside netpool (a VF bound to vfio-pci that no port of ours holds)? */
bool engine_device_usable(Engine *e, const PoolDevice *d);
/* Whether a VF record of the device is on disk under any netdev of its PF: an original not back yet (a
 * dual-port VF has one record per port). */
bool engine_device_has_record(Engine *e, const PoolDevice *d);
/* Write the port's record in phase (the port keeps its phase when the write fails). */
int engine_port_save(Engine *e, Port *port, PortPhase phase, EngineError *err);
/* Count the port on its device (d may be NULL) and keep it in the books. Takes port. */
void engine_port_register(Engine *e, Network *n, Port *port, PoolDevice *d);
/* Restore the first n VFs of a port (those no other port shares); every one is tried. Returns 0, or
 * ENGINE_ERROR_HARDWARE (or ENGINE_ERROR_AGAIN when call allows waiting and a VF is in reset). */
int engine_port_restore_vfs(Engine *e, const Port *port, guint n, const EngineCall *call, EngineError *err);
/* Release up to max ports of n (Stop with FORCE), setting *ret_left to how many are left. Returns 0, or the
 * code of the release that failed (as engine_release(): ENGINE_ERROR_AGAIN for a VF in reset). */
int engine_release_network_ports(Engine *e, Network *n, guint max, const EngineCall *call, guint *ret_left,
                                 EngineError *err);
