/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MACs of the live ports, any network: one port's each, unless both networks allow duplicates */
#pragma once

#include "engine/engine-base.h"

/* Kept with the books: a port counted adds its MACs, a port let go removes them. */
void engine_macs_add(Engine *e, Port *port);
void engine_macs_remove(Engine *e, Port *port);

/* 0 when no other live port holds a MAC of pd (or both networks say <netpool:port-macs duplicates='allow'/>),
 * else ENGINE_ERROR_INVALID_ARGUMENT naming the port that holds it and its network. */
int engine_macs_check(Engine *e, const Network *n, const PortDef *pd, EngineError *err);
