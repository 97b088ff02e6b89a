/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus helpers: object paths, flags, and the engine-error-to-D-Bus-name map */
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

int bus_reply_engine_error(sd_bus_error *error, int r, const char *message) {
        const char *name;

        switch (r) {
        case -EBADMSG:    name = NETPOOL_ERROR_INVALID_XML; break;
        case -EINVAL:     name = NETPOOL_ERROR_INVALID_ARGUMENT; break;
        case -ENOENT:     name = NETPOOL_ERROR_NO_SUCH_NETWORK; break;
        case -EEXIST:     name = NETPOOL_ERROR_NETWORK_EXISTS; break;
        case -ESRCH:      name = NETPOOL_ERROR_NETWORK_INACTIVE; break;
        case -EALREADY:   name = NETPOOL_ERROR_NETWORK_ACTIVE; break;
        case -EBUSY:      name = NETPOOL_ERROR_NETWORK_BUSY; break;
        case -ENODEV:     name = NETPOOL_ERROR_DEVICE_NOT_FOUND; break;
        case -EOPNOTSUPP: name = NETPOOL_ERROR_UNSUPPORTED; break;
        case -EIO:        name = NETPOOL_ERROR_HARDWARE_ERROR; break;
        default:          name = SD_BUS_ERROR_FAILED; break;
        }
        return sd_bus_error_set(error, name, message ?: strerror(-r));
}

int bus_reply_port_error(sd_bus_error *error, int r, const char *message) {
        switch (r) {
        case -ENOENT:   return sd_bus_error_set(error, NETPOOL_ERROR_NO_SUCH_PORT, message);
        case -EEXIST:   return sd_bus_error_set(error, NETPOOL_ERROR_PORT_EXISTS, message);
        case -EBUSY:    return sd_bus_error_set(error, NETPOOL_ERROR_DEVICE_BUSY, message);
        case -ENOSPC:   return sd_bus_error_set(error, NETPOOL_ERROR_POOL_EXHAUSTED, message);
        case -ENETDOWN: return sd_bus_error_set(error, NETPOOL_ERROR_HARDWARE_ERROR, message);
        default:        return bus_reply_engine_error(error, r, message);
        }
}
