/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The private socket: a listening unix socket in the state dir; each root peer that connects gets its own sd-bus
 * server connection carrying the same vtables as the bus connection. Signals go to the bus connection only (every
 * emission names c->bus): a watcher uses the bus. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-id128.h>

#include "bus/bus-private.h"
#include "shared/log.h"

/* refusals are logged once, then at most once in this long, with how many went unlogged */
#define REFUSAL_LOG_INTERVAL_USEC (10 * 1000000ULL)
/* out of fds or memory at accept: wait this long before taking connections again, not spin on the socket */
#define ACCEPT_PAUSE_USEC (1000000ULL)

typedef struct PrivateConnection {
        sd_bus *bus;
        struct ucred peer;              /* SO_PEERCRED at accept */
        sd_event_source *settle;        /* until the first look past authentication (on_settle) */
} PrivateConnection;

struct BusPrivate {
        char *path;
        int listen_fd;
        dev_t dev;                      /* the socket node we bound: removed only while it is still ours */
        ino_t ino;
        sd_event_source *listener;
        sd_event_source *exit_source;   /* at the loop's exit, before sd-bus closes the connections */
        sd_event_source *pause_timer;   /* takes connections again after a pause */
        GHashTable *connections;        /* sd_bus* -> PrivateConnection* */
        unsigned hellos;                /* unique names given out (reply_hello) */
        uint64_t refusal_log_next;      /* CLOCK_MONOTONIC usec: the next refusal that is logged */
        unsigned refusals_unlogged;
};

static void private_connection_free(gpointer p) {
        PrivateConnection *pc = p;

        sd_event_source_disable_unref(pc->settle);
        sd_bus_flush_close_unref(pc->bus);
        g_free(pc);
}

static BusPrivate *private_new(void) {
        BusPrivate *p = g_new0(BusPrivate, 1);

        p->listen_fd = -1;
        p->connections = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, private_connection_free);
        return p;
}

static void log_refusal(BusContext *c, const char *why, const struct ucred *peer) {
        BusPrivate *p = c->private_socket;
        uint64_t now = 0;

        (void) sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (now < p->refusal_log_next) {
                p->refusals_unlogged++;
                return;
        }
        if (p->refusals_unlogged > 0)
                log_info("private socket %s: %u more connections refused, not logged", p->path,
                         p->refusals_unlogged);
        log_info("private socket %s: refused a connection (pid %d, uid %u): %s", p->path, (int) peer->pid,
                 (unsigned) peer->uid, why);
        p->refusals_unlogged = 0;
        p->refusal_log_next = now + REFUSAL_LOG_INTERVAL_USEC;
}

/* A client that takes the socket for a bus (busctl --address, dbus-send --address) says Hello first and
 * waits for its unique name: it gets one, of this connection alone. Peer-to-peer clients never ask. */
static int reply_hello(BusContext *c, sd_bus_message *m) {
        g_autofree char *name = g_strdup_printf(":1.%u", ++c->private_socket->hellos);

        (void) sd_bus_reply_method_return(m, "s", name);
        return 1;
}

/* Filter of a private connection: Hello, and when the connection ends, its object goes (sd-bus holds a reference
 * while it dispatches). */
static int on_private_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusContext *c = userdata;

        if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus", "Hello") &&
            streq_ptr(sd_bus_message_get_path(m), "/org/freedesktop/DBus"))
                return reply_hello(c, m);
        if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected")) {
                log_debug("private socket: a connection closed");
                g_hash_table_remove(c->private_socket->connections, sd_bus_message_get_bus(m));
                return 1;
        }
        return 0;
}

/* sd-bus ends a server's authentication at BEGIN without looking at what follows it in the same read, and then
 * waits for the socket to become readable again: a client that sends its first call right after BEGIN (libdbus:
 * dbus-python, dbus-send) would wait for an answer until it sent something else. After each turn of the loop,
 * until the connection runs, look; then once more at what is buffered, and never again. */
static int on_settle(sd_event_source *s, void *userdata) {
        PrivateConnection *pc = userdata;
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;

        if (sd_bus_is_ready(pc->bus) == 0)
                return 0;
        bus = sd_bus_ref(pc->bus);
        pc->settle = sd_event_source_disable_unref(pc->settle);
        /* pc may go here (a Disconnected): only bus, our own reference, is used */
        while (sd_bus_process(bus, NULL) > 0)
                ;
        return 0;
}

/* An sd-bus server connection on fd (taken), authenticated by the kernel: the peer's uid was checked already. */
static int serve(BusContext *c, int fd, const struct ucred *peer) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        PrivateConnection *pc;
        sd_id128_t id;
        int r;

        r = sd_bus_new(&bus);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = sd_bus_set_fd(bus, fd, fd);
        if (r < 0) {
                close(fd);
                return r;
        }
        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_set_server(bus, true, id);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, true);    /* AllocateWithOptions' tap-fd, owner-pidfd */
        if (r >= 0)
                r = sd_bus_set_description(bus, "private");
        if (r >= 0)
                r = sd_bus_add_filter(bus, NULL, on_private_message, c);
        if (r >= 0)
                r = bus_objects_add(c, bus);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_attach_event(bus, c->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        pc = g_new0(PrivateConnection, 1);
        pc->peer = *peer;
        pc->bus = g_steal_pointer(&bus);
        g_hash_table_replace(c->private_socket->connections, pc->bus, pc);
        r = sd_event_add_post(c->event, &pc->settle, on_settle, pc);
        if (r < 0)
                log_warning_errno(r, "private socket: a first call right after authentication may wait: %m");
        log_debug("private socket: serving pid %d", (int) peer->pid);
        return 0;
}

static int on_pause_over(sd_event_source *s, uint64_t usec, void *userdata) {
        BusContext *c = userdata;

        c->private_socket->pause_timer = sd_event_source_disable_unref(c->private_socket->pause_timer);
        if (c->private_socket->listener)
                (void) sd_event_source_set_enabled(c->private_socket->listener, SD_EVENT_ON);
        return 0;
}

/* accept4() failed for want of resources: the connection waits in the backlog; try again in a while. */
static void pause_accepting(BusContext *c, int error) {
        BusPrivate *p = c->private_socket;

        log_warning_errno(error, "private socket %s: cannot take a connection: %m; trying again in 1 s", p->path);
        if (p->pause_timer || sd_event_source_set_enabled(p->listener, SD_EVENT_OFF) < 0)
                return;
        if (sd_event_add_time_relative(c->event, &p->pause_timer, CLOCK_MONOTONIC, ACCEPT_PAUSE_USEC, 0,
                                       on_pause_over, c) < 0)
                (void) sd_event_source_set_enabled(p->listener, SD_EVENT_ON);
}

/* Why the peer on fd may not be served, or NULL: root only (the socket's mode says so already, and a socket
 * chmod-ed open still serves nobody else), and not beyond the cap. */
static const char *refusal(BusContext *c, int fd, struct ucred *peer) {
        socklen_t len = sizeof(*peer);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, peer, &len) < 0 || len != sizeof(*peer))
                return "the kernel does not say who the peer is (SO_PEERCRED)";
        if (peer->uid != 0)
                return "only root may use the private socket; others use the system bus";
        if (g_hash_table_size(c->private_socket->connections) >= BUS_PRIVATE_CONNECTIONS_MAX)
                return "too many private connections are open (" G_STRINGIFY(BUS_PRIVATE_CONNECTIONS_MAX) ")";
        return NULL;
}

static int on_connection(sd_event_source *s, int listen_fd, uint32_t revents, void *userdata) {
        BusContext *c = userdata;
        struct ucred peer = {};
        const char *why;
        int fd, r;

        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                        pause_accepting(c, errno);
                return 0;       /* EAGAIN, ECONNABORTED, EINTR: nothing to take */
        }
        why = refusal(c, fd, &peer);
        if (why) {
                log_refusal(c, why, &peer);
                close(fd);
                return 0;
        }
        r = serve(c, fd, &peer);
        if (r < 0)
                log_warning_errno(r, "private socket %s: cannot serve pid %d: %m", c->private_socket->path,
                                  (int) peer.pid);
        return 0;
}

static int bind_socket(BusPrivate *p) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len = strlen(p->path);
        struct stat st;
        mode_t umask_before;
        int r;

        if (len >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, p->path, len + 1);
        p->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (p->listen_fd < 0)
                return -errno;
        /* a crashed netpoold left it; the state lock says no netpoold runs on this dir but us */
        if (unlink(p->path) < 0 && errno != ENOENT)
                return -errno;
        /* 0600 as it comes into being: no instant in which another user could connect (netpoold is
         * single-threaded, so the process-wide umask changes for this call alone) */
        umask_before = umask(0177);
        r = bind(p->listen_fd, (struct sockaddr *) &sa, offsetof(struct sockaddr_un, sun_path) + len + 1);
        (void) umask(umask_before);
        if (r < 0)
                return -errno;
        if (stat(p->path, &st) < 0)
                return -errno;
        p->dev = st.st_dev;
        p->ino = st.st_ino;
        if (listen(p->listen_fd, SOMAXCONN) < 0)
                return -errno;
        return 0;
}

/* The loop is exiting: sd-bus closes each connection in an exit source of its own (flushed). The socket goes before
 * that, so that an agent that sees its connection close finds no socket to connect to (and activates the next
 * netpoold through the bus), never a listening one that will not answer. */
static int on_loop_exit(sd_event_source *s, void *userdata) {
        bus_private_stop_listening(userdata);
        return 0;
}

int bus_private_listen(BusContext *c, const char *path) {
        BusPrivate *p;
        int r;

        if (!c->private_socket)
                c->private_socket = private_new();
        p = c->private_socket;
        g_free(p->path);
        p->path = g_strdup(path);
        r = bind_socket(p);
        if (r >= 0)
                r = sd_event_add_io(c->event, &p->listener, p->listen_fd, EPOLLIN, on_connection, c);
        if (r >= 0 && !p->exit_source)
                r = sd_event_add_exit(c->event, &p->exit_source, on_loop_exit, c);
        if (r >= 0)
                r = sd_event_source_set_priority(p->exit_source, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0) {
                bus_private_stop_listening(c);
                return r;
        }
        return 0;
}

void bus_private_stop_listening(BusContext *c) {
        BusPrivate *p = c->private_socket;
        struct stat st;

        if (!p)
                return;
        p->listener = sd_event_source_disable_unref(p->listener);
        p->pause_timer = sd_event_source_disable_unref(p->pause_timer);
        if (p->listen_fd < 0)
                return;
        close(p->listen_fd);
        p->listen_fd = -1;
        if (p->ino && stat(p->path, &st) >= 0 && st.st_dev == p->dev && st.st_ino == p->ino &&
            unlink(p->path) < 0)
                log_warning_errno(errno, "cannot remove %s: %m", p->path);
        p->ino = 0;
}

bool bus_private_peer_uid(BusContext *c, sd_bus *bus, uid_t *ret_uid) {
        const PrivateConnection *pc;

        if (!c->private_socket || !(pc = g_hash_table_lookup(c->private_socket->connections, bus)))
                return false;
        *ret_uid = pc->peer.uid;
        return true;
}

unsigned bus_private_connections(BusContext *c) {
        return c->private_socket ? g_hash_table_size(c->private_socket->connections) : 0;
}

void bus_private_free(BusContext *c) {
        BusPrivate *p = c->private_socket;

        if (!p)
                return;
        bus_private_stop_listening(c);
        p->exit_source = sd_event_source_disable_unref(p->exit_source);
        g_hash_table_unref(p->connections);
        g_free(p->path);
        g_free(p);
        c->private_socket = NULL;
}
