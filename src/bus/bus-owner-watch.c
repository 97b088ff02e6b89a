/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owner processes of ports: a pidfd per port in the event loop; readable means the process has exited */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "bus/bus-errors.h"
#include "bus/bus-owner-watch.h"
#include "shared/log.h"
#include "shared/process.h"

typedef struct OwnerWatch {
        BusContext *c;
        char *port_uuid;
        int pidfd;
        sd_event_source *source;
} OwnerWatch;

static void owner_watch_free(gpointer p) {
        OwnerWatch *w = p;

        sd_event_source_disable_unref(w->source);
        if (w->pidfd >= 0)
                close(w->pidfd);
        g_free(w->port_uuid);
        g_free(w);
}

static GHashTable *watches(BusContext *c) {
        if (!c->owner_watches)
                c->owner_watches = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, owner_watch_free);
        return c->owner_watches;
}

static bool pidfd_exited(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) > 0;
}

int bus_owner_resolve(int pidfd, AllocateOptions *o, sd_bus_error *error) {
        uint64_t start;
        pid_t pid;
        int r;

        r = pidfd_get_pid(pidfd, &pid);
        if (r == -ESRCH)
                return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option 'owner-pidfd': the process "
                                        "has exited already");
        if (r < 0)
                return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option 'owner-pidfd': not a pidfd "
                                        "(pidfd_open(2) makes one)");
        r = process_start_time(pid, &start);
        if (r < 0 || pidfd_exited(pidfd))
                return sd_bus_error_set(error, NETPOOL_ERROR_INVALID_ARGUMENT, "option 'owner-pidfd': the process "
                                        "has exited already");
        o->owner_pid = (uint32_t) pid;
        o->owner_start_time = start;
        return 0;
}

/* The owner has exited: its port goes, as by Release. A VF that cannot be restored now is retried as any. */
static int on_owner_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        OwnerWatch *w = userdata;
        BusContext *c = w->c;
        g_autofree char *uuid = g_strdup(w->port_uuid);
        static const EngineCall call_final = { .may_wait = false };
        g_auto(EngineError) err = {};
        Port *port = engine_lookup_port(c->engine, uuid);

        g_hash_table_remove(watches(c), uuid);  /* frees w */
        if (!port)
                return 0;
        log_info("port %s: its owner process %u exited; releasing it", uuid, (unsigned) port->owner_process.pid);
        if (engine_release(c->engine, port, &call_final, &err) != 0)
                log_warning("port %s: release after its owner exited failed: %s", uuid, err.message);
        return 0;
}

static int watch_fd(BusContext *c, const char *uuid, int pidfd) {
        OwnerWatch *w = g_new0(OwnerWatch, 1);
        int r;

        w->c = c;
        w->port_uuid = g_strdup(uuid);
        w->pidfd = pidfd;
        r = sd_event_add_io(c->event, &w->source, pidfd, EPOLLIN, on_owner_exit, w);
        if (r < 0) {
                owner_watch_free(w);
                return r;
        }
        g_hash_table_replace(watches(c), w->port_uuid, w);
        return 0;
}

int bus_owner_watch(BusContext *c, const Port *port, int pidfd) {
        int fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);

        if (fd < 0)
                return -errno;
        return watch_fd(c, port_uuid(port), fd);
}

void bus_owner_unwatch(BusContext *c, const char *port_uuid) {
        if (c->owner_watches)
                g_hash_table_remove(c->owner_watches, port_uuid);
}

/* The port's owner, from its record: a pidfd when it is that process still, else -ESRCH. */
static int reopen_owner(const Port *port) {
        uint64_t start;
        int fd, r;

        fd = pidfd_open_pid((pid_t) port->owner_process.pid);
        if (fd < 0)
                return fd;
        r = process_start_time((pid_t) port->owner_process.pid, &start);
        if (r < 0 || start != port->owner_process.start_time) {
                close(fd);
                return -ESRCH;  /* gone, and the pid is another process's now */
        }
        return fd;
}

void bus_owner_watch_all(BusContext *c) {
        g_autoptr(GPtrArray) ports = engine_list_ports(c->engine, NULL);
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; i < ports->len; i++) {
                const Port *port = ports->pdata[i];
                int fd;

                if (port->owner_process.pid == 0)
                        continue;
                fd = reopen_owner(port);
                if (fd < 0 || watch_fd(c, port_uuid(port), fd) < 0)
                        g_ptr_array_add(gone, g_strdup(port_uuid(port)));
        }
        for (guint i = 0; i < gone->len; i++) {
                static const EngineCall call_final = { .may_wait = false };
                g_auto(EngineError) err = {};
                Port *port = engine_lookup_port(c->engine, gone->pdata[i]);

                log_info("port %s: its owner process %u exited while netpoold was not running; releasing it",
                         (const char *) gone->pdata[i], (unsigned) port->owner_process.pid);
                if (engine_release(c->engine, port, &call_final, &err) != 0)
                        log_warning("port %s: release failed: %s", (const char *) gone->pdata[i], err.message);
        }
}

void bus_owner_watch_free(BusContext *c) {
        g_clear_pointer(&c->owner_watches, g_hash_table_unref);
}
