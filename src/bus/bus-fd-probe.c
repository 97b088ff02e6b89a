/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether a caller takes fds. A bus says only by refusing to pass one: dbus-daemon answers a call carrying an
 * fd to a connection that did not negotiate fds with NotSupported, at once, and answers our calls in order.
 * So a probe (Peer.Ping to the caller, with an fd) followed by a call to the bus (GetId) tells: if the probe
 * was refused, its error came before GetId's answer. The caller's own answer to the Ping is not waited for
 * (a client blocked on our reply may not dispatch it). On a peer connection its negotiation says. */
#include <errno.h>
#include <fcntl.h>

#include "bus/bus-call.h"
#include "bus/bus-errors.h"
#include "bus/bus-fd-probe.h"
#include "shared/log.h"

#define PROBE_TIMEOUT_USEC (5 * 1000000ULL)

static int on_probe_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusCall *k = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e && streq_ptr(sd_bus_message_get_sender(reply), "org.freedesktop.DBus")) {
                if (sd_bus_error_has_name(e, SD_BUS_ERROR_NOT_SUPPORTED))
                        k->probe_refused = true;
                else if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED))
                        k->probe_denied = true;         /* its policy: the fd was never looked at */
        }
        k->probe_slot = sd_bus_slot_unref(k->probe_slot);
        return 0;
}

static int on_barrier_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusCall *k = userdata;

        k->takes_fds = k->probe_refused ? -1 : k->probe_denied ? -2 : 1;
        k->barrier_slot = sd_bus_slot_unref(k->barrier_slot);
        k->probe_slot = sd_bus_slot_unref(k->probe_slot);
        (void) bus_call_redispatch(k);
        return 0;
}

static int send_probe(BusContext *c, BusCall *k, const char *caller) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *probe = NULL;
        _cleanup_(closep) int fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        int r;

        if (fd < 0)
                return -errno;
        r = sd_bus_message_new_method_call(c->bus, &probe, caller, "/", "org.freedesktop.DBus.Peer", "Ping");
        if (r >= 0)
                r = sd_bus_message_append(probe, "h", fd);
        if (r >= 0)
                r = sd_bus_call_async(c->bus, &k->probe_slot, probe, on_probe_reply, k, PROBE_TIMEOUT_USEC);
        if (r >= 0)
                r = sd_bus_call_method_async(c->bus, &k->barrier_slot, "org.freedesktop.DBus",
                                             "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                                             on_barrier_reply, k, NULL);
        return r;
}

static int refuse(const char *option, int why, sd_bus_error *error) {
        if (why == -2)
                return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED, "option '%s': netpoold cannot find out "
                                         "whether this connection takes file descriptors: the bus's policy refuses "
                                         "its probe (a Peer.Ping to the caller, which policy/org.netpool1.conf "
                                         "allows); nothing was allocated", option);
        return sd_bus_error_setf(error, NETPOOL_ERROR_INVALID_ARGUMENT,
                                 "option '%s': this connection does not take file descriptors (the client did "
                                 "not negotiate unix fd passing); nothing was allocated", option);
}

int bus_caller_takes_fds(BusContext *c, sd_bus_message *m, const char *option, sd_bus_error *error) {
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *caller = sd_bus_message_get_sender(m);
        BusCall *k;
        int r;

        if (!caller)    /* a peer connection: what it negotiated */
                return sd_bus_can_send(bus, SD_BUS_TYPE_UNIX_FD) > 0 ? 1 : refuse(option, -1, error);
        k = bus_call_get(c, m);
        if (k && k->takes_fds != 0)
                return k->takes_fds > 0 ? 1 : refuse(option, k->takes_fds, error);
        if (k && k->barrier_slot)
                return 0;
        k = bus_call_ensure(c, m);
        r = send_probe(c, k, caller);
        if (r < 0) {
                k->probe_slot = sd_bus_slot_unref(k->probe_slot);
                k->barrier_slot = sd_bus_slot_unref(k->barrier_slot);
                log_warning_errno(r, "cannot find out whether %s takes fds: %m", caller);
                return sd_bus_error_set_errnof(error, r, "cannot pass a file descriptor to the caller: %m");
        }
        return 0;
}
