/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine internals shared by engine.c and engine-port.c */
#pragma once

#include "engine/engine.h"
#include "shared/macro.h"

/* Set err's message; returns r. */
int engine_fail(EngineError *err, int r, const char *fmt, ...) _printf_(3, 4);
void engine_emit(Engine *e, Network *n, Port *port, EngineEvent ev);
/* Write the live record of an active network, logging a failure. */
void engine_save_live(Engine *e, Network *n);

/* Still there, and not taken outside netpool (a VF bound to vfio-pci that no port of ours holds)? */
bool engine_device_usable(Engine *e, const PoolDevice *d);

/* Ports (engine-port.c), shared with the recovery (engine-recover.c) */
struct VfTarget;
/* The port's network when it is active, else NULL. */
Network *engine_port_network(Engine *e, const Port *port);
/* Count the port on its device (d may be NULL) and keep it in the books. Takes port. */
void engine_port_register(Engine *e, Network *n, Port *port, PoolDevice *d);
/* The VFs a port on device d configures, added to port->vfs. */
int engine_port_plan_vfs(Engine *e, const PoolDevice *d, Port *port, EngineError *err);
/* Restore the first n VFs of a port (those no other port shares); every one is tried. */
int engine_port_restore_vfs(Engine *e, const Port *port, guint n, EngineError *err);
void engine_port_vf_target(const PortVf *v, struct VfTarget *t);
