/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The linux backend: /sys (or a copy of its layout under root), rtnetlink through libnl-route-3 */
#pragma once

#include "hw/hw.h"

int hw_backend_new_linux(const char *root, HwBackend **ret);

/* The eswitch mode of devlink instance BUS/DEV (`devlink dev eswitch show BUS/DEV`): "legacy", "switchdev",
 * *ret NULL when unknown (no such instance, a driver that does not say). hw_function_eswitch_mode() asks
 * this with bus "pci"; a test asks another bus (netdevsim). -EINVAL for a backend that is not linux. */
int hw_linux_devlink_eswitch_mode(HwBackend *hw, const char *bus, const char *dev, char **ret);
