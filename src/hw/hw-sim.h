/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sim backend: a simulated SR-IOV host laid out as ../shared/design/simhost.md says */
#pragma once

#include "hw/hw.h"

/* dir: the sim root R (holds sys/ and vfstate/). -ENOENT when it has no sys/ directory. */
int hw_backend_new_sim(const char *dir, HwBackend **ret);
