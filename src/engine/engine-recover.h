/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine recovery: what a crash interrupted, and VF restores that failed */
#pragma once

#include "engine/engine-base.h"

/* After a restart: finish or roll back what a crash interrupted, count the ports that hold devices. */
void engine_recover_ports(Engine *e);
