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
