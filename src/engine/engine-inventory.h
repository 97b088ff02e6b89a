/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's inventory: every SR-IOV PF with its VFs, and every device of an active network's pool, with the
 * attributes a scheduler needs and the state netpool gives it (dbus-api.md 1.1 "Device objects"). Kept current:
 * a rescan reads the hardware again, a port or a verdict touches one device; each difference goes to the
 * device observer (added, removed, the properties changed). */
#pragma once

#include "engine/engine-base.h"

/* Read the hardware and the pools again, announce what changed. */
void engine_inventory_refresh(Engine *e);
/* Read the SR-IOV PFs pfs (a set of PCI address strings) and their VFs again, announce what changed of their
 * devices (and of those only a pool has). */
void engine_inventory_refresh_pfs(Engine *e, GHashTable *pfs);
/* The PFs hot-plug events concern, by the names they carry (functions' PCI addresses, netdev names): true with
 * their addresses added to pfs, false when only a rescan of everything can tell. */
bool engine_inventory_pfs_of(Engine *e, GHashTable *names, GHashTable *pfs);
/* The pools changed (a network started or stopped): memberships and states again, no hardware read. */
void engine_inventory_refresh_pools(Engine *e);
/* The state of the device with that key (pool_device_key()) may have changed: a port, a claim, a verdict. */
void engine_inventory_touch(Engine *e, const char *key);

void engine_inventory_free(Engine *e);

/* Who uses the device with that key outside netpool as the last hardware read told (a netdev moved to another
 * namespace, up with addresses), NULL when nobody: such a device is unavailable in every pool. */
const char *engine_inventory_hw_holder(Engine *e, const char *key);
/* The NUMA node of the device with that key as the last hardware read told, -1 when none or unknown. */
int engine_inventory_numa_node(Engine *e, const char *key);
