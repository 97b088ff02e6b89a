/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-private-socket.sh's root agent on netpoold's private socket, peer to peer as docs/dbus.md tells one to be:
 *
 *   np-private-agent hold SOCKET NETWORK ROUNDS
 *       connects (activating netpoold through the system bus when there is no socket to connect to), allocates a
 *       port on NETWORK, sets its Autostart, and holds the connection until netpoold goes; then connects again and finds its port,
 *       ROUNDS connections in all. Each connection counts the signals that came on it (none should).
 *   np-private-agent idle SOCKET
 *       connects, calls once, and holds the idle connection until netpoold goes.
 *   np-private-agent crowd SOCKET N
 *       opens connections, each answering a call, until one is refused or N are served; then closes one and
 *       opens one more.
 *
 * One line per event on stdout, flushed; exits 1 naming what went wrong. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#define NP "org.netpool1"
#define NP_PATH "/org/netpool1"
#define RECONNECT_TRIES 600     /* 50 ms apart: 30 s */
#define CROWD_MAX 256

static unsigned signals_seen;

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

static void fail(const char *what, int r, const sd_bus_error *error) {
        say("FAIL %s: %s", what, error && error->message ? error->message : strerror(r < 0 ? -r : r));
        exit(1);
}

/* Every signal but sd-bus's own Disconnected, which no peer sends. */
static int count_signals(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *iface = sd_bus_message_get_interface(m);
        uint8_t type = 0;

        if (sd_bus_message_get_type(m, &type) >= 0 && type == SD_BUS_MESSAGE_SIGNAL &&
            !(iface && strcmp(iface, "org.freedesktop.DBus.Local") == 0))
                signals_seen++;
        return 0;
}

static int connect_private(const char *socket_path, sd_bus **ret) {
        sd_bus *bus = NULL;
        char address[512];
        int r;

        snprintf(address, sizeof(address), "unix:path=%s", socket_path);
        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_add_filter(bus, NULL, count_signals, NULL);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

/* No socket (netpoold is not running, or a crashed one left it): any call to netpoold on the bus starts it. */
static void activate_through_bus(void) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *system = NULL;
        int r;

        r = sd_bus_open_system(&system);
        if (r < 0)
                fail("connect to the system bus", r, NULL);
        r = sd_bus_call_method(system, NP, NP_PATH, "org.freedesktop.DBus.Peer", "Ping", &error, NULL, "");
        if (r < 0)
                fail("activate netpoold through the bus", r, &error);
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(system);
}

/* Connect, activating netpoold when the socket is missing or refuses (the next start replaces a stale one). */
static sd_bus *reconnect(const char *socket_path) {
        bool activated = false;
        sd_bus *bus = NULL;
        int r = 0;

        for (int i = 0; i < RECONNECT_TRIES; i++) {
                r = connect_private(socket_path, &bus);
                if (r >= 0) {
                        say("connected%s", activated ? " after activating netpoold through the bus" : "");
                        return bus;
                }
                if (!activated && (r == -ENOENT || r == -ECONNREFUSED)) {
                        activate_through_bus();
                        activated = true;
                        continue;
                }
                usleep(50 * 1000);
        }
        fail("connect to the private socket", r, NULL);
        return NULL;
}

static void wait_for_disconnect(sd_bus *bus) {
        for (;;) {
                int r = sd_bus_process(bus, NULL);

                if (r < 0 || !sd_bus_is_open(bus))
                        break;
                if (r > 0)
                        continue;
                if (sd_bus_wait(bus, UINT64_MAX) < 0)
                        break;
        }
        say("disconnected; signals seen: %u", signals_seen);
}

/* A call that failed because the connection went (not netpoold's answer): the agent connects again. */
static bool connection_lost(sd_bus *bus, int r) {
        return !sd_bus_is_open(bus) || r == -ENOTCONN || r == -ECONNRESET || r == -EPIPE;
}

/* The port's uuid, or NULL when the connection went before the answer. */
static char *allocate(sd_bus *bus, const char *network) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path, *xml, *start, *end;
        char net_path[256], *uuid;
        int r;

        snprintf(net_path, sizeof(net_path), NP_PATH "/network/%s", network);
        r = sd_bus_call_method(bus, NP, net_path, NP ".Network", "Allocate", &error, &reply, "st",
                               "<networkport><owner><name>vm-private</name>"
                               "<uuid>7e3c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f</uuid></owner>"
                               "<mac address='52:54:00:7e:00:01'/></networkport>",
                               UINT64_C(0));
        if (r < 0 && connection_lost(bus, r)) {
                sd_bus_error_free(&error);
                return NULL;
        }
        if (r < 0)
                fail("Allocate", r, &error);
        r = sd_bus_message_read(reply, "os", &path, &xml);
        if (r < 0)
                fail("read Allocate's reply", r, NULL);
        start = strstr(xml, "<uuid>");
        end = start ? strstr(start, "</uuid>") : NULL;
        if (!end)
                fail("find the port's uuid", EBADMSG, NULL);
        uuid = strndup(start + 6, (size_t) (end - start - 6));
        sd_bus_message_unref(reply);
        return uuid;
}

/* false when the connection went before the answer */
static bool lookup_port(sd_bus *bus, const char *uuid) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, NP, NP_PATH, NP ".Manager", "LookupPort", &error, NULL, "st", uuid,
                               UINT64_C(0));
        if (r < 0 && connection_lost(bus, r)) {
                sd_bus_error_free(&error);
                return false;
        }
        if (r < 0)
                fail("LookupPort", r, &error);
        say("port %s still there", uuid);
        return true;
}

/* A property set on this connection, whose change signal must go to the bus alone. */
static void set_autostart(sd_bus *bus, const char *network) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        char net_path[256];
        int r;

        snprintf(net_path, sizeof(net_path), NP_PATH "/network/%s", network);
        r = sd_bus_set_property(bus, NP, net_path, NP ".Network", "Autostart", &error, "b", 1);
        if (r < 0)
                fail("set Autostart", r, &error);
        say("set Autostart");
}

/* The first call on a new connection: the port made, or found again. false when the connection went first (a
 * netpoold that was going when we connected): the agent connects again, and says so. */
static bool first_call(sd_bus *bus, const char *network, char **uuid) {
        if (*uuid)
                return lookup_port(bus, *uuid);
        *uuid = allocate(bus, network);
        if (!*uuid)
                return false;
        set_autostart(bus, network);
        say("allocated %s", *uuid);
        return true;
}

static int hold(const char *socket_path, const char *network, int rounds) {
        char *uuid = NULL;

        for (int round = 1; round <= rounds; round++) {
                sd_bus *bus = reconnect(socket_path);

                signals_seen = 0;
                while (!first_call(bus, network, &uuid)) {
                        say("the connection closed before its first answer; connecting again");
                        sd_bus_flush_close_unref(bus);
                        bus = reconnect(socket_path);
                }
                if (round < rounds)
                        wait_for_disconnect(bus);
                sd_bus_flush_close_unref(bus);
        }
        free(uuid);
        return 0;
}

static int list_networks(sd_bus *bus) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, NP, NP_PATH, NP ".Manager", "ListNetworks", &error, NULL, "t", UINT64_C(0));
        sd_bus_error_free(&error);
        return r;
}

static int idle(const char *socket_path) {
        sd_bus *bus = NULL;
        int r;

        r = connect_private(socket_path, &bus);
        if (r < 0)
                fail("connect to the private socket", r, NULL);
        r = list_networks(bus);
        if (r < 0)
                fail("ListNetworks", r, NULL);
        say("connected and called; idle now");
        wait_for_disconnect(bus);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* A connection that answers a call: the daemon took it (a refused one is closed before it authenticates). */
static sd_bus *served_connection(const char *socket_path) {
        sd_bus *bus = NULL;

        if (connect_private(socket_path, &bus) < 0)
                return NULL;
        if (list_networks(bus) < 0)
                return sd_bus_flush_close_unref(bus);
        return bus;
}

static int crowd(const char *socket_path, int most) {
        sd_bus *buses[CROWD_MAX] = {};
        int n = 0;

        if (most > CROWD_MAX)
                most = CROWD_MAX;
        while (n < most && (buses[n] = served_connection(socket_path)))
                n++;
        say("served %d connections%s", n, n < most ? "; the next one was refused" : "");
        if (n == 0)
                return 1;
        n--;
        buses[n] = sd_bus_flush_close_unref(buses[n]);
        for (int i = 0; i < 100 && !(buses[n] = served_connection(socket_path)); i++)
                usleep(50 * 1000);     /* the daemon drops a closed connection when it sees it go */
        say(buses[n] ? "after closing one, another was served" : "after closing one, none was served");
        for (int i = 0; i <= n; i++)
                sd_bus_flush_close_unref(buses[i]);
        return 0;
}

int main(int argc, char *argv[]) {
        if (argc == 5 && strcmp(argv[1], "hold") == 0)
                return hold(argv[2], argv[3], atoi(argv[4]));
        if (argc == 3 && strcmp(argv[1], "idle") == 0)
                return idle(argv[2]);
        if (argc == 4 && strcmp(argv[1], "crowd") == 0)
                return crowd(argv[2], atoi(argv[3]));
        fprintf(stderr, "usage: np-private-agent hold SOCKET NETWORK ROUNDS | idle SOCKET | crowd SOCKET N\n");
        return 2;
}
