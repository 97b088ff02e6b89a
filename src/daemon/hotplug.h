/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hot-plug: rescan the pools of active networks when devices come or go */
#pragma once

#include "bus/bus-context.h"

typedef struct Hotplug Hotplug;

/* linux: udev events of the net and pci subsystems; sim (sim_dir set): inotify on the sim's
 * sys/class/net and sys/bus/pci/devices. Events are gathered for a moment, then one Rescan runs. */
int hotplug_new(BusContext *c, const char *sim_dir, Hotplug **ret);
Hotplug *hotplug_free(Hotplug *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Hotplug, hotplug_free);
