/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inventory record: STATE/inventory, the host's devices as the last netpoold left them, so that the next start
 * announces what changed while none ran (issue 20 point 4: a watcher that reconnects sees it) */
#pragma once

#include "bus/bus-context.h"

#define INVENTORY_RECORD_NAME "inventory"

typedef struct InventoryRecord InventoryRecord;

/* Announce the differences since the record of the earlier run, write the record of now, and keep it written
 * (a second after a change at most, and at exit). */
int inventory_record_start(BusContext *c, const char *state_dir, InventoryRecord **ret);
/* Write it now if it changed since last written, and stop. */
InventoryRecord *inventory_record_free(InventoryRecord *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(InventoryRecord, inventory_record_free);
