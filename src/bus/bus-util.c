/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus helpers: object paths, flags, and the one table from engine error codes to D-Bus names */
#include <errno.h>
#include <inttypes.h>

#include "bus/bus-context.h"
#include "bus/bus-errors.h"

char *bus_network_path(const char *name) {
        char *path = NULL;

        if (sd_bus_path_encode(NETPOOL_NETWORK_PREFIX, name, &path) < 0)
                return NULL;
        return path;
}

char *bus_port_path(const char *uuid) {
        char *path = NULL;

        if (sd_bus_path_encode(NETPOOL_PORT_PREFIX, uuid, &path) < 0)
                return NULL;
        return path;
}

char *bus_device_path(const char *id) {
        char *path = NULL;

        if (sd_bus_path_encode(NETPOOL_DEVICE_PREFIX, id, &path) < 0)
                return NULL;
        return path;
}

int bus_path_decode_exact(const char *path, const char *prefix, char **ret) {
        g_autofree char *segment = NULL, *again = NULL;
        int r;

        r = sd_bus_path_decode(path, prefix, &segment);
        if (r <= 0)
                return r;
        /* sd-bus also decodes upper-case escapes, and an escaped NUL cuts the segment short: each would
         * be another path to the same object, which a bus policy on send_path would not see */
        r = sd_bus_path_encode(prefix, segment, &again);
        if (r < 0)
                return r;
        if (!streq(again, path))
                return 0;
        *ret = g_steal_pointer(&segment);
        return 1;
}

BusContext *bus_context_from_current(sd_bus *bus) {
        /* fallback vtables hand the handler the object their find callback returned; the context we
         * registered them with is still the slot's userdata */
        return sd_bus_slot_get_userdata(sd_bus_get_current_slot(bus));
}

int bus_check_flags(uint64_t flags, uint64_t known, sd_bus_error *error) {
        if (flags & ~known)
                return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT,
                                         "unknown flags 0x%" PRIx64 " (known: 0x%" PRIx64 ")", flags & ~known,
                                         known);
        return 0;
}

int bus_read_flags(sd_bus_message *m, uint64_t known, uint64_t *ret, sd_bus_error *error) {
        uint64_t flags;
        int r;

        r = sd_bus_message_read(m, "t", &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, known, error);
        if (r < 0)
                return r;
        if (ret)
                *ret = flags;
        return 0;
}

int bus_reply_array(sd_bus_message *m, const char *element, GPtrArray *items, BusAppendItem append,
                    void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', element);
        if (r < 0)
                return r;
        for (guint i = 0; items && i < items->len; i++) {
                r = append(reply, items->pdata[i], userdata);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The engine's outcomes and the contract's names: the one place where they meet. */
static const char *const engine_error_names[_ENGINE_ERROR_MAX] = {
        [ENGINE_ERROR_INVALID_XML]      = NETPOOL_ERROR_INVALID_XML,
        [ENGINE_ERROR_INVALID_ARGUMENT] = NETPOOL_ERROR_INVALID_ARGUMENT,
        [ENGINE_ERROR_NO_SUCH_NETWORK]  = NETPOOL_ERROR_NO_SUCH_NETWORK,
        [ENGINE_ERROR_NO_SUCH_PORT]     = NETPOOL_ERROR_NO_SUCH_PORT,
        [ENGINE_ERROR_NETWORK_EXISTS]   = NETPOOL_ERROR_NETWORK_EXISTS,
        [ENGINE_ERROR_PORT_EXISTS]      = NETPOOL_ERROR_PORT_EXISTS,
        [ENGINE_ERROR_NETWORK_INACTIVE] = NETPOOL_ERROR_NETWORK_INACTIVE,
        [ENGINE_ERROR_NETWORK_ACTIVE]   = NETPOOL_ERROR_NETWORK_ACTIVE,
        [ENGINE_ERROR_NETWORK_BUSY]     = NETPOOL_ERROR_NETWORK_BUSY,
        [ENGINE_ERROR_POOL_EXHAUSTED]   = NETPOOL_ERROR_POOL_EXHAUSTED,
        [ENGINE_ERROR_DEVICE_BUSY]      = NETPOOL_ERROR_DEVICE_BUSY,
        [ENGINE_ERROR_DEVICE_NOT_FOUND] = NETPOOL_ERROR_DEVICE_NOT_FOUND,
        [ENGINE_ERROR_UNSUPPORTED]      = NETPOOL_ERROR_UNSUPPORTED,
        [ENGINE_ERROR_HARDWARE]         = NETPOOL_ERROR_HARDWARE_ERROR,
        [ENGINE_ERROR_IO]               = SD_BUS_ERROR_IO_ERROR,
};

static const char *bus_error_name_of_engine_code(int code) {
        if (code <= ENGINE_OK || code >= _ENGINE_ERROR_MAX)
                return NULL;
        return engine_error_names[code];
}

int bus_reply_engine_error(sd_bus_error *error, int r, const EngineError *err) {
        const char *name = r > 0 ? bus_error_name_of_engine_code(r) : NULL;

        if (!name)
                return r < 0 ? r : -EPROTO;     /* a fault: sd-bus answers with the errno's name */
        return sd_bus_error_set(error, name, err && err->message ? err->message : name);
}
