/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claim ids: an external claim (a Kubernetes ResourceClaim's UID, a Nova instance's port binding) makes
 * AllocateWithOptions idempotent — the same claim on the same network while its port exists gives that port again.
 * (Not the device claims of engine-base.h, which say through which network a device is held.) */
#pragma once

#include "engine/engine-base.h"

/* Kept with the books: a port counted with a claim id adds it, a port let go removes it. */
void engine_claim_id_add(Engine *e, Port *port);
void engine_claim_id_remove(Engine *e, Port *port);

/* Whether a request (its port XML parsed, its options) is the one held's port was made for: its UUID when
 * given, MAC, owner, and options device and pf. 0, or ENGINE_ERROR_PORT_EXISTS saying what differs. */
int engine_claim_id_check(Engine *e, const Port *held, const PortDef *pd, const AllocateOptions *o,
                          EngineError *err);
