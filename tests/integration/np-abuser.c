/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np-abuser: an unprivileged caller that tries to tie netpoold up before polkit answers, for test-abuse.sh.
 *
 *   np-abuser --uid N [--agent] [--count C] [--fds K] [--interactive] [--string-file FILE] [--hold SEC]
 *             PATH INTERFACE METHOD [STRING] FLAGS
 *
 * Becomes uid N (and gid N, no groups), then:
 *   --agent        registers a polkit authentication agent for its own process that never answers
 *                  BeginAuthentication: an interactive check of one of its calls waits as long as netpoold lets it
 *   --count C      sends C calls at once (default 1) on one connection, without waiting for replies
 *   --fds K        attaches K open fds (of /dev/null) to each call, which its signature ("st" or "t") does not
 *                  take: the message is written by hand on the socket, as sd-bus would not send it
 *   --interactive  sets ALLOW_INTERACTIVE_AUTHORIZATION on each call
 *   --hold SEC     waits up to SEC seconds (default 60) for the replies, keeping the connection (and the calls)
 *
 * Prints `sent C` once the calls are written, `agent asked N` as polkit turns to the agent, and at the end one
 * line per outcome, `replies NAME COUNT` (NAME `ok` for a method return), then `unanswered COUNT`, after
 * `disconnected by the bus` when dbus-daemon closed the connection (it may, for fds sent to a peer that
 * takes none). Exits 0,
 * or 2 on a setup failure. The calls go on a raw connection (EXTERNAL auth, unix fds negotiated), the agent
 * on an sd-bus connection of the same process. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define FLAG_ALLOW_INTERACTIVE 0x4
#define MAX_FDS 16
#define MAX_OUTCOMES 32

static struct {
        char *name;
        unsigned count;
} outcomes[MAX_OUTCOMES];
static unsigned n_outcomes, n_replies, n_calls, n_agent_asked;
static uint32_t first_serial;

static void die(const char *what, int r) {
        fprintf(stderr, "np-abuser: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(2);
}

/* ---- writing a message by hand ---- */

typedef struct Buf {
        uint8_t *p;
        size_t len, cap;
} Buf;

static void put(Buf *b, const void *data, size_t n) {
        if (b->len + n > b->cap) {
                b->cap = (b->len + n) * 2;
                b->p = realloc(b->p, b->cap);
                if (!b->p)
                        die("realloc", ENOMEM);
        }
        memcpy(b->p + b->len, data, n);
        b->len += n;
}

static void pad(Buf *b, size_t align) {
        static const uint8_t zeros[8];

        if (b->len % align)
                put(b, zeros, align - b->len % align);
}

static void put_u32(Buf *b, uint32_t v) {
        pad(b, 4);
        put(b, &v, 4);
}

static void put_string(Buf *b, const char *s) {
        put_u32(b, (uint32_t) strlen(s));
        put(b, s, strlen(s) + 1);
}

static void put_field(Buf *b, uint8_t code, char type, const char *s, uint32_t u) {
        uint8_t sig[3] = { 1, (uint8_t) type, 0 };

        pad(b, 8);
        put(b, &code, 1);
        put(b, sig, 3);
        if (type == 'u')
                put_u32(b, u);
        else if (type == 'g') {
                uint8_t n = (uint8_t) strlen(s);

                put(b, &n, 1);
                put(b, s, strlen(s) + 1);
        } else
                put_string(b, s);
}

/* A method call to org.netpool1 (or dest), body "st", "t" or none; n_fds announced in the header */
static Buf build_call(uint32_t serial, uint8_t flags, const char *dest, const char *path, const char *iface,
                      const char *member, const char *string, bool has_flags, uint64_t call_flags,
                      unsigned n_fds) {
        Buf body = {}, m = {};
        uint32_t fields_len;
        uint8_t fixed[4] = { 'l', 1, flags, 1 };
        const char *sig = string ? (has_flags ? "st" : "s") : (has_flags ? "t" : "");

        if (string)
                put_string(&body, string);
        if (has_flags) {
                pad(&body, 8);
                put(&body, &call_flags, 8);
        }
        put(&m, fixed, 4);
        put_u32(&m, (uint32_t) body.len);
        put_u32(&m, serial);
        put_u32(&m, 0);         /* the fields' length, set below */
        put_field(&m, 1, 'o', path, 0);
        put_field(&m, 2, 's', iface, 0);
        put_field(&m, 3, 's', member, 0);
        put_field(&m, 6, 's', dest, 0);
        if (*sig)
                put_field(&m, 8, 'g', sig, 0);
        if (n_fds > 0)
                put_field(&m, 9, 'u', NULL, n_fds);
        fields_len = (uint32_t) (m.len - 16);
        memcpy(m.p + 12, &fields_len, 4);
        pad(&m, 8);
        if (body.len)
                put(&m, body.p, body.len);
        free(body.p);
        return m;
}

/* Returns false when the bus has closed the connection. */
static bool send_all(int fd, const Buf *m, const int *fds, unsigned n_fds) {
        size_t done = 0;

        while (done < m->len) {
                struct iovec iov = { .iov_base = m->p + done, .iov_len = m->len - done };
                union {
                        struct cmsghdr h;
                        uint8_t buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
                } control = {};
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
                ssize_t n;

                if (done == 0 && n_fds > 0) {   /* the fds go with the first byte */
                        mh.msg_control = control.buf;
                        mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                        control.h.cmsg_level = SOL_SOCKET;
                        control.h.cmsg_type = SCM_RIGHTS;
                        control.h.cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                        memcpy(CMSG_DATA(&control.h), fds, sizeof(int) * n_fds);
                }
                n = sendmsg(fd, &mh, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EPIPE || errno == ECONNRESET)
                                return false;   /* the bus closed the connection */
                        die("sendmsg", errno);
                }
                done += (size_t) n;
        }
        return true;
}

static void auth_line(int fd, const char *line, const char *want) {
        char buf[512];
        size_t len = 0;

        if (write(fd, line, strlen(line)) != (ssize_t) strlen(line))
                die("writing the auth line", errno);
        while (len < sizeof buf - 1) {
                ssize_t n = read(fd, buf + len, 1);

                if (n <= 0)
                        die("reading the auth reply", n < 0 ? errno : EPIPE);
                len++;
                if (len >= 2 && buf[len - 2] == '\r' && buf[len - 1] == '\n')
                        break;
        }
        buf[len] = 0;
        if (strncmp(buf, want, strlen(want)) != 0) {
                fprintf(stderr, "np-abuser: the bus said '%s' to '%s'\n", buf, line);
                exit(2);
        }
}

static int raw_connect(void) {
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char auth[64], hex[32] = "";
        int fd;

        if (!address || strncmp(address, "unix:path=", 10) != 0 || strlen(address + 10) >= sizeof sa.sun_path) {
                fprintf(stderr, "np-abuser: DBUS_SYSTEM_BUS_ADDRESS must be unix:path=...\n");
                exit(2);
        }
        strcpy(sa.sun_path, address + 10);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                die("connecting to the bus", errno);
        snprintf(auth, sizeof auth, "%u", (unsigned) getuid());
        for (size_t i = 0; auth[i]; i++)
                snprintf(hex + 2 * i, 3, "%02x", (unsigned) (unsigned char) auth[i] & 0xffu);
        if (write(fd, "", 1) != 1)
                die("writing the nul byte", errno);
        snprintf(auth, sizeof auth, "AUTH EXTERNAL %s\r\n", hex);
        auth_line(fd, auth, "OK ");
        auth_line(fd, "NEGOTIATE_UNIX_FD\r\n", "AGREE_UNIX_FD");
        if (write(fd, "BEGIN\r\n", 7) != 7)
                die("BEGIN", errno);
        return fd;
}

/* ---- reading the replies ---- */

static Buf inbox;

static void count_outcome(const char *name) {
        for (unsigned i = 0; i < n_outcomes; i++)
                if (strcmp(outcomes[i].name, name) == 0) {
                        outcomes[i].count++;
                        return;
                }
        if (n_outcomes < MAX_OUTCOMES) {
                outcomes[n_outcomes].name = strdup(name);
                outcomes[n_outcomes++].count = 1;
        }
}

static size_t align8(size_t n) {
        return (n + 7) & ~(size_t) 7;
}

/* One message at the start of inbox, if complete: counts it when it answers one of our calls */
static bool take_message(void) {
        uint32_t body_len, fields_len, reply_serial = 0;
        const uint8_t *p = inbox.p;
        char error_name[256] = "";
        size_t total, at;

        if (inbox.len < 16)
                return false;
        memcpy(&body_len, p + 4, 4);
        memcpy(&fields_len, p + 12, 4);
        total = align8(16 + fields_len) + body_len;
        if (inbox.len < total)
                return false;
        for (at = 16; at < 16 + fields_len;) {
                uint8_t code = p[at], siglen = p[at + 1];
                char type = (char) p[at + 2];

                at += 2 + siglen + 1;
                if (type == 'u') {
                        at = (at + 3) & ~(size_t) 3;
                        if (code == 5)
                                memcpy(&reply_serial, p + at, 4);
                        at += 4;
                } else if (type == 'g') {
                        at += 1 + p[at] + 1;
                } else {
                        uint32_t len;

                        at = (at + 3) & ~(size_t) 3;
                        memcpy(&len, p + at, 4);
                        if (code == 4)
                                snprintf(error_name, sizeof error_name, "%.*s", (int) len, p + at + 4);
                        at += 4 + len + 1;
                }
                at = align8(at);
        }
        if ((p[1] == 2 || p[1] == 3) && reply_serial >= first_serial && reply_serial < first_serial + n_calls) {
                count_outcome(p[1] == 2 ? "ok" : error_name);
                n_replies++;
        }
        memmove(inbox.p, inbox.p + total, inbox.len - total);
        inbox.len -= total;
        return true;
}

static bool bus_closed;

static void report(void) {
        if (bus_closed)
                printf("disconnected by the bus\n");
        for (unsigned i = 0; i < n_outcomes; i++)
                printf("replies %s %u\n", outcomes[i].name, outcomes[i].count);
        printf("unanswered %u\n", n_calls - n_replies);
        fflush(stdout);
}

static int on_raw(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        uint8_t buf[65536];
        ssize_t n = read(fd, buf, sizeof buf);

        if (n <= 0) {
                bus_closed = true;
                report();
                return sd_event_exit(sd_event_source_get_event(s), 0);
        }
        put(&inbox, buf, (size_t) n);
        while (take_message())
                ;
        if (n_replies == n_calls) {
                report();
                return sd_event_exit(sd_event_source_get_event(s), 0);
        }
        return 0;
}

static int on_hold_over(sd_event_source *s, uint64_t usec, void *userdata) {
        report();
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* ---- the agent that never answers ---- */

static int method_begin(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        printf("agent asked %u\n", ++n_agent_asked);
        fflush(stdout);
        sd_bus_message_ref(m);  /* kept unanswered for as long as the process lives */
        return 1;
}

static int method_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable agent_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("BeginAuthentication", "sssa{ss}sa(sa{sv})", "", method_begin, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("CancelAuthentication", "s", "", method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static uint64_t own_start_time(void) {
        char buf[4096], *p;
        unsigned long long start = 0;
        FILE *f = fopen("/proc/self/stat", "re");
        size_t n;

        if (!f)
                die("/proc/self/stat", errno);
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        p = strrchr(buf, ')');
        /* after the command: state is field 3, starttime field 22 */
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                         &start) != 1)
                die("parsing /proc/self/stat", EINVAL);
        return start;
}

static void register_agent(sd_bus *bus) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, "/org/netpool/TestAgent", "org.freedesktop.PolicyKit1.AuthenticationAgent",
                                     agent_vtable, NULL);
        if (r < 0)
                die("agent object", r);
        r = sd_bus_call_method(bus, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
                               "org.freedesktop.PolicyKit1.Authority", "RegisterAuthenticationAgent", &error, NULL,
                               "(sa{sv})ss", "unix-process", 3, "pid", "u", (uint32_t) getpid(), "start-time", "t",
                               own_start_time(), "uid", "i", (int32_t) getuid(), "C", "/org/netpool/TestAgent");
        if (r < 0) {
                fprintf(stderr, "np-abuser: RegisterAuthenticationAgent: %s\n", error.message ?: strerror(-r));
                exit(2);
        }
        printf("agent registered\n");
        fflush(stdout);
}

int main(int argc, char **argv) {
        const char *string = NULL, *string_file = NULL;
        char *file_content = NULL;
        unsigned count = 1, n_fds = 0, hold_sec = 60;
        bool agent = false, interactive = false, has_flags;
        long uid = -1;
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        int fds[MAX_FDS], raw, i, r, npos;
        char **pos;

        for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
                if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc)
                        uid = strtol(argv[++i], NULL, 10);
                else if (strcmp(argv[i], "--agent") == 0)
                        agent = true;
                else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
                        count = (unsigned) strtoul(argv[++i], NULL, 10);
                else if (strcmp(argv[i], "--fds") == 0 && i + 1 < argc)
                        n_fds = (unsigned) strtoul(argv[++i], NULL, 10);
                else if (strcmp(argv[i], "--interactive") == 0)
                        interactive = true;
                else if (strcmp(argv[i], "--string-file") == 0 && i + 1 < argc)
                        string_file = argv[++i];
                else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc)
                        hold_sec = (unsigned) strtoul(argv[++i], NULL, 10);
                else
                        break;
        }
        pos = argv + i;
        npos = argc - i;
        if (uid <= 0 || n_fds > MAX_FDS || count == 0 || npos < 3 || npos > 5 || (npos == 5 && string_file)) {
                fprintf(stderr, "usage: np-abuser --uid N [--agent] [--count C] [--fds K] [--interactive] "
                                "[--string-file FILE] [--hold SEC] PATH INTERFACE METHOD [STRING] FLAGS\n");
                return 2;
        }
        if (string_file) {     /* read before giving up root */
                FILE *f = fopen(string_file, "re");
                long len;

                if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
                        die(string_file, errno);
                file_content = calloc(1, (size_t) len + 1);
                if (!file_content || fread(file_content, 1, (size_t) len, f) != (size_t) len)
                        die(string_file, EIO);
                fclose(f);
                string = file_content;
        } else if (npos == 5)
                string = pos[3];
        has_flags = npos >= 4;

        if (setgroups(0, NULL) < 0 || setresgid((gid_t) uid, (gid_t) uid, (gid_t) uid) < 0 ||
            setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid) < 0)
                die("becoming the uid", errno);
        (void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

        r = sd_event_default(&event);
        if (r < 0)
                die("sd_event_default", r);
        if (agent) {
                r = sd_bus_open_system(&bus);
                if (r < 0)
                        die("sd_bus_open_system", r);
                register_agent(bus);
                r = sd_bus_attach_event(bus, event, 0);
                if (r < 0)
                        die("sd_bus_attach_event", r);
        }

        for (unsigned k = 0; k < n_fds; k++) {
                fds[k] = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (fds[k] < 0)
                        die("/dev/null", errno);
        }
        raw = raw_connect();
        {
                Buf hello = build_call(1, 0, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "Hello", NULL, false, 0, 0);

                send_all(raw, &hello, NULL, 0);
                free(hello.p);
        }
        first_serial = 2;
        n_calls = count;
        for (unsigned k = 0; k < count; k++) {
                Buf m = build_call(first_serial + k, interactive ? FLAG_ALLOW_INTERACTIVE : 0, "org.netpool1",
                                   pos[0], pos[1], pos[2], string, has_flags,
                                   has_flags ? strtoull(pos[npos - 1], NULL, 0) : 0, n_fds);

                bool sent = send_all(raw, &m, fds, n_fds);

                free(m.p);
                if (!sent) {
                        /* dbus-daemon may close the connection of a caller that sends fds to a peer that
                         * takes none: what it does is its own defence; the calls never reached netpoold */
                        printf("sent %u\n", k);
                        n_calls = k;
                        bus_closed = true;
                        report();
                        return 0;
                }
        }
        printf("sent %u\n", count);
        fflush(stdout);

        r = sd_event_add_io(event, NULL, raw, EPOLLIN, on_raw, NULL);
        if (r >= 0)
                r = sd_event_add_time_relative(event, NULL, CLOCK_MONOTONIC, hold_sec * UINT64_C(1000000), 0,
                                               on_hold_over, NULL);
        if (r < 0)
                die("event sources", r);
        r = sd_event_loop(event);
        if (r < 0)
                die("sd_event_loop", r);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        free(file_content);
        free(inbox.p);
        return 0;
}
