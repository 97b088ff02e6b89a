/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An agent's AllocateWithOptions for the igb guest test (tests/kernel/igb-guest-plug.sh): busctl and dbus-send
 * cannot keep the tap fd a reply carries, this client does, and writes one frame to it.
 *
 * usage: igb-plug-client NETWORK MAC [vlan=ID] [tap-fd] [tap-name=NAME] [vfio-uid=N] [vfio-gid=N] [owner-pid=PID]
 *                        [no-fds] [timeout=SECONDS]
 * (vlan= goes into the <networkport>; owner-pid: the option owner-pidfd, a pidfd of that process; no-fds: the
 * connection does not negotiate fd passing; timeout: of the call, 60 s by default; the others are the call's
 * options)
 * Output, one fact a line:
 *   port OBJECT-PATH
 *   result KEY VALUE          (every entry of results; the fd's number for tap-fd)
 *   tap-dev MAJOR:MINOR       (tap-fd: the character device the received fd is open on)
 *   tap-write N               (tap-fd: bytes written, a virtio_net_hdr and a 60-byte frame) or tap-write-error ERRNO
 * Exit 0 when the call succeeded (and the write, with tap-fd), 1 otherwise (the D-Bus error on stderr). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#define CALL_TIMEOUT_USEC (60ULL * 1000 * 1000)

/* The system bus as sd_bus_open_system() finds it, but without fd passing when negotiate_fds is false */
static int open_bus(bool negotiate_fds, sd_bus **ret) {
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        sd_bus *bus = NULL;
        int r;

        if (negotiate_fds)
                return sd_bus_open_system(ret);
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

static int append_options(sd_bus_message *m, int argc, char **argv) {
        int r = sd_bus_message_open_container(m, 'a', "{sv}");

        for (int i = 3; r >= 0 && i < argc; i++) {
                const char *arg = argv[i], *eq = strchr(arg, '=');

                if (strncmp(arg, "vlan=", 5) == 0 || strncmp(arg, "timeout=", 8) == 0 || strcmp(arg, "no-fds") == 0)
                        continue;
                if (strcmp(arg, "tap-fd") == 0)
                        r = sd_bus_message_append(m, "{sv}", "tap-fd", "b", 1);
                else if (eq && strncmp(arg, "tap-name=", 9) == 0)
                        r = sd_bus_message_append(m, "{sv}", "tap-name", "s", eq + 1);
                else if (eq && (strncmp(arg, "vfio-uid=", 9) == 0 || strncmp(arg, "vfio-gid=", 9) == 0)) {
                        char key[9];

                        memcpy(key, arg, 8);
                        key[8] = '\0';
                        r = sd_bus_message_append(m, "{sv}", key, "u", (uint32_t) strtoul(eq + 1, NULL, 10));
                } else if (eq && strncmp(arg, "owner-pid=", 10) == 0) {
                        /* the message keeps a duplicate of the pidfd (sd-bus dups what it appends) */
                        int pidfd = (int) syscall(SYS_pidfd_open, (pid_t) strtol(eq + 1, NULL, 10), 0);

                        if (pidfd < 0) {
                                fprintf(stderr, "igb-plug-client: pidfd_open(%s): %s\n", eq + 1, strerror(errno));
                                return -errno;
                        }
                        r = sd_bus_message_append(m, "{sv}", "owner-pidfd", "h", pidfd);
                        close(pidfd);
                } else {
                        fprintf(stderr, "igb-plug-client: unknown option '%s'\n", arg);
                        return -EINVAL;
                }
        }
        return r < 0 ? r : sd_bus_message_close_container(m);
}

/* One frame through the tap: a macvtap queue expects a 10-byte virtio_net_hdr first (all zero: no offloads) */
static bool write_frame(int fd) {
        uint8_t buf[10 + 60] = { 0 };
        ssize_t n;

        memset(buf + 10, 0xff, 6);              /* broadcast */
        buf[16] = 0x02;                          /* a locally administered source */
        buf[22] = 0x88;                          /* EtherType 0x88b5: local experimental */
        buf[23] = 0xb5;
        n = write(fd, buf, sizeof(buf));
        if (n < 0) {
                printf("tap-write-error %d\n", errno);
                return false;
        }
        printf("tap-write %zd\n", n);
        return n == (ssize_t) sizeof(buf);
}

/* results a{sv}: printed; the tap fd's device and a frame written through it */
static int read_results(sd_bus_message *reply, bool *ret_wrote) {
        const char *key;
        int r;

        *ret_wrote = false;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *type, *s;
                int32_t i;
                int fd, b;
                struct stat st;

                if ((r = sd_bus_message_read(reply, "s", &key)) < 0 ||
                    (r = sd_bus_message_peek_type(reply, NULL, &type)) < 0)
                        break;
                if (strcmp(type, "s") == 0 && (r = sd_bus_message_read(reply, "v", "s", &s)) >= 0)
                        printf("result %s %s\n", key, s);
                else if (strcmp(type, "i") == 0 && (r = sd_bus_message_read(reply, "v", "i", &i)) >= 0)
                        printf("result %s %d\n", key, i);
                else if (strcmp(type, "b") == 0 && (r = sd_bus_message_read(reply, "v", "b", &b)) >= 0)
                        printf("result %s %s\n", key, b ? "true" : "false");
                else if (strcmp(type, "h") == 0 && (r = sd_bus_message_read(reply, "v", "h", &fd)) >= 0) {
                        printf("result %s %d\n", key, fd);
                        if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
                                printf("tap-dev %u:%u\n", major(st.st_rdev), minor(st.st_rdev));
                        *ret_wrote = write_frame(fd);
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        return r < 0 ? r : sd_bus_message_exit_container(reply);
}

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        sd_bus_message *call = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        char path[256], xml[512], vlan[64] = "";
        const char *port, *port_xml;
        bool want_fd = false, wrote = false, negotiate_fds = true;
        uint64_t timeout_usec = CALL_TIMEOUT_USEC;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: igb-plug-client NETWORK MAC [vlan=ID] [tap-fd] [tap-name=NAME] "
                        "[vfio-uid=N] [vfio-gid=N] [owner-pid=PID] [no-fds] [timeout=SECONDS]\n");
                return 2;
        }
        for (int i = 3; i < argc; i++) {
                want_fd |= strcmp(argv[i], "tap-fd") == 0;
                negotiate_fds &= strcmp(argv[i], "no-fds") != 0;
                if (strncmp(argv[i], "timeout=", 8) == 0)
                        timeout_usec = strtoull(argv[i] + 8, NULL, 10) * 1000 * 1000;
                if (strncmp(argv[i], "vlan=", 5) == 0)
                        snprintf(vlan, sizeof(vlan), "<vlan><tag id='%u'/></vlan>",
                                 (unsigned) strtoul(argv[i] + 5, NULL, 10));
        }
        snprintf(path, sizeof(path), "/org/netpool1/network/%s", argv[1]);
        snprintf(xml, sizeof(xml), "<networkport><owner><name>vm</name><uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809"
                 "</uuid></owner><mac address='%s'/>%s</networkport>", argv[2], vlan);
        r = open_bus(negotiate_fds, &bus);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &call, "org.netpool1", path, "org.netpool1.Network",
                                                   "AllocateWithOptions");
        if (r >= 0)
                r = sd_bus_message_append(call, "s", xml);
        if (r >= 0)
                r = append_options(call, argc, argv);
        if (r >= 0)
                r = sd_bus_message_append(call, "t", (uint64_t) 0);
        if (r >= 0)
                r = sd_bus_call(bus, call, timeout_usec, &error, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "os", &port, &port_xml);
        if (r >= 0) {
                printf("port %s\n", port);
                r = read_results(reply, &wrote);
        }
        if (r < 0)
                fprintf(stderr, "igb-plug-client: %s: %s\n", error.name ? error.name : "error",
                        error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(call);
        sd_bus_flush_close_unref(bus);
        return r < 0 || (want_fd && !wrote) ? 1 : 0;
}
