/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sim backend: a simulated SR-IOV host laid out as ../shared/design/simhost.md says */
#pragma once

#include "hw/hw.h"

int hw_backend_new_sim(const char *dir, HwBackend **ret);
