/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np-nofd-caller: an AllocateWithOptions caller whose connection does not take file descriptors, for
 * test-plug.sh. A client library that negotiates no unix fd passing (sd_bus_negotiate_fds(bus, 0) here) asks
 * for "tap-fd": netpoold must not leave a port behind.
 *
 *   np-nofd-caller NETWORK-PATH PORT-XML TIMEOUT-SEC
 *
 * Connects to $DBUS_SYSTEM_BUS_ADDRESS, calls AllocateWithOptions(PORT-XML, {"tap-fd": true}, 0) and prints
 * `ok PORT-OBJECT` or `error NAME: MESSAGE`. Exits 0 when it got an answer (either), 2 on a setup failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

static int connect_without_fds(sd_bus **ret) {
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address ? address : "unix:path=/run/dbus/system_bus_socket");
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, 0);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int main(int argc, char **argv) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *call = NULL, *reply = NULL;
        sd_bus *bus = NULL;
        const char *port;
        int r;

        if (argc != 4) {
                fprintf(stderr, "usage: np-nofd-caller NETWORK-PATH PORT-XML TIMEOUT-SEC\n");
                return 2;
        }
        r = connect_without_fds(&bus);
        if (r < 0) {
                fprintf(stderr, "np-nofd-caller: cannot connect: %s\n", strerror(-r));
                return 2;
        }
        if (sd_bus_can_send(bus, SD_BUS_TYPE_UNIX_FD) > 0) {
                fprintf(stderr, "np-nofd-caller: the connection takes fds after all\n");
                return 2;
        }
        r = sd_bus_message_new_method_call(bus, &call, "org.netpool1", argv[1], "org.netpool1.Network",
                                           "AllocateWithOptions");
        if (r >= 0)
                r = sd_bus_message_append(call, "sa{sv}t", argv[2], 1, "tap-fd", "b", 1, (uint64_t) 0);
        if (r < 0) {
                fprintf(stderr, "np-nofd-caller: cannot build the call: %s\n", strerror(-r));
                return 2;
        }
        r = sd_bus_call(bus, call, strtoull(argv[3], NULL, 10) * 1000000ULL, &error, &reply);
        if (r < 0)
                printf("error %s: %s\n", error.name ? error.name : "(none)", error.message ? error.message : strerror(-r));
        else if (sd_bus_message_read(reply, "o", &port) >= 0)
                printf("ok %s\n", port);
        else
                printf("ok (unreadable reply)\n");
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(call);
        sd_bus_flush_close_unref(bus);
        return 0;
}
