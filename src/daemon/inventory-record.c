/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inventory record (inventory-record.h) */
#include <errno.h>
#include <string.h>

#include "daemon/inventory-record.h"
#include "shared/fileio.h"
#include "shared/log.h"

/* a line per device of a host of 32,768 VFs stays well below this */
#define INVENTORY_RECORD_MAX_BYTES (16U * 1024U * 1024U)
/* device changes come in bursts (a numvfs change): one write for the burst */
#define INVENTORY_SAVE_USEC (1000 * 1000)

struct InventoryRecord {
        BusContext *bus;
        char *state_dir;
        sd_event_source *timer;
        bool dirty;
};

static void save(InventoryRecord *r) {
        g_autofree char *text = engine_inventory_record(r->bus->engine);
        int k;

        r->dirty = false;
        k = write_file_atomic(r->state_dir, INVENTORY_RECORD_NAME, text, strlen(text));
        if (k < 0)
                log_warning_errno(k, "cannot write %s/%s: %m; the next start announces changes since the last "
                                  "record", r->state_dir, INVENTORY_RECORD_NAME);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        save(userdata);
        return 0;
}

static InventoryRecord *record_of(BusContext *c) {
        return c->devices_changed_data;
}

static void on_devices_changed(BusContext *c) {
        InventoryRecord *r = record_of(c);

        if (r->dirty)
                return;         /* the timer is armed */
        r->dirty = true;
        if (sd_event_source_set_time_relative(r->timer, INVENTORY_SAVE_USEC) < 0 ||
            sd_event_source_set_enabled(r->timer, SD_EVENT_ONESHOT) < 0)
                save(r);
}

int inventory_record_start(BusContext *c, const char *state_dir, InventoryRecord **ret) {
        g_autoptr(InventoryRecord) r = g_new0(InventoryRecord, 1);
        g_autofree char *path = g_build_filename(state_dir, INVENTORY_RECORD_NAME, NULL), *text = NULL;
        int k;

        r->bus = c;
        r->state_dir = g_strdup(state_dir);
        k = sd_event_add_time_relative(c->event, &r->timer, CLOCK_MONOTONIC, INVENTORY_SAVE_USEC, 0, on_timer, r);
        if (k < 0)
                return k;
        (void) sd_event_source_set_enabled(r->timer, SD_EVENT_OFF);
        k = read_file_full(path, INVENTORY_RECORD_MAX_BYTES, &text, NULL);
        if (k >= 0)
                engine_inventory_announce_since(c->engine, text);
        else if (k != -ENOENT)
                log_warning_errno(k, "cannot read %s: %m; no changes announced for the time before this start", path);
        save(r);
        c->devices_changed = on_devices_changed;
        c->devices_changed_data = r;
        *ret = g_steal_pointer(&r);
        return 0;
}

InventoryRecord *inventory_record_free(InventoryRecord *r) {
        if (!r)
                return NULL;
        if (r->dirty)
                save(r);
        if (r->bus->devices_changed_data == r) {
                r->bus->devices_changed = NULL;
                r->bus->devices_changed_data = NULL;
        }
        sd_event_source_disable_unref(r->timer);
        g_free(r->state_dir);
        g_free(r);
        return NULL;
}
