/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The linux backend: /sys (or a copy of its layout under root), rtnetlink through libnl-route-3 */
#pragma once

#include "hw/hw.h"

int hw_backend_new_linux(const char *root, HwBackend **ret);
