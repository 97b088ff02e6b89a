/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np-test-caller: one method call on org.netpool1 as a chosen user, for the authorization tests.
 *
 *   np-test-caller [OPTIONS] PATH INTERFACE METHOD [[STRING] FLAGS]
 *
 *   --uid N             before connecting, become uid N and gid N fully (real, effective, saved; no
 *                       supplementary groups): an ordinary unprivileged caller
 *   --racy-root N       before connecting, setresuid(0, N, 0): the bus authenticates the connection as N
 *                       (SO_PEERCRED takes the effective uid at connect); after connecting, seteuid(0), so
 *                       that /proc/PID/status shows euid 0 while the connection's uid stays N
 *   --allow-interactive set ALLOW_INTERACTIVE_AUTHORIZATION on the call
 *   --string-file FILE  the string argument is FILE's content (one argv string is limited to 128 KiB)
 *   --timeout SEC       the call's timeout (default 60)
 *   --print-string      on success, print a string or object path the reply starts with (after `ok`)
 *
 * Arguments: none (3 positional words), `t FLAGS` (4), or `s STRING, t FLAGS` (5, or 4 with --string-file).
 * Prints `# caller: …` (the unique name, the UnixUserID the bus gives it, the euid now in /proc), then `ok`
 * or `error NAME: MESSAGE`; exits 0 on success, 1 on a D-Bus error, 2 on a usage or setup failure. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

static void usage(void) {
        fprintf(stderr, "usage: np-test-caller [--uid N | --racy-root N] [--allow-interactive] [--string-file FILE]\n"
                        "                      [--timeout SEC] [--print-string] PATH INTERFACE METHOD [[STRING] FLAGS]\n");
        exit(2);
}

static unsigned long parse_ulong(const char *s, unsigned long max) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v > max) {
                fprintf(stderr, "np-test-caller: not a number (or too large): '%s'\n", s);
                exit(2);
        }
        return v;
}

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0;
        long len;

        if (!f)
                goto fail;
        if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
                goto fail;
        size = (size_t) len;
        buf = malloc(size + 1);
        if (!buf || fread(buf, 1, size, f) != size)
                goto fail;
        buf[size] = 0;
        if (strlen(buf) != size) {
                fprintf(stderr, "np-test-caller: %s contains a NUL byte\n", path);
                exit(2);
        }
        fclose(f);
        return buf;
fail:
        fprintf(stderr, "np-test-caller: cannot read %s: %m\n", path);
        exit(2);
}

/* the effective uid the kernel shows for this process in /proc (what an "augmented" credential reads) */
static long proc_euid(void) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        long ruid, euid = -1;

        if (!f)
                return -1;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "Uid: %ld %ld", &ruid, &euid) == 2)
                        break;
        fclose(f);
        return euid;
}

static void die_errno(const char *what, int r) {
        fprintf(stderr, "np-test-caller: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(2);
}

int main(int argc, char **argv) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *call = NULL, *reply = NULL;
        sd_bus *bus = NULL;
        const char *address, *unique, *string_file = NULL, *string = NULL;
        char *file_content = NULL;
        bool allow_interactive = false, print_string = false, have_flags = false;
        long uid = -1, racy = -1;
        uint64_t flags = 0, timeout_usec = 60ULL * 1000000ULL;
        uint32_t bus_uid = UINT32_MAX;
        int i, r, npos;
        char **pos;

        for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
                if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc)
                        uid = (long) parse_ulong(argv[++i], 0xfffffffeUL);
                else if (strcmp(argv[i], "--racy-root") == 0 && i + 1 < argc)
                        racy = (long) parse_ulong(argv[++i], 0xfffffffeUL);
                else if (strcmp(argv[i], "--allow-interactive") == 0)
                        allow_interactive = true;
                else if (strcmp(argv[i], "--string-file") == 0 && i + 1 < argc)
                        string_file = argv[++i];
                else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
                        timeout_usec = parse_ulong(argv[++i], 3600) * 1000000ULL;
                else if (strcmp(argv[i], "--print-string") == 0)
                        print_string = true;
                else
                        usage();
        }
        pos = argv + i;
        npos = argc - i;
        if (npos < 3 || npos > 5 || (uid >= 0 && racy >= 0))
                usage();
        if (npos == 5 || (npos == 4 && string_file)) {
                if (npos == 5 && string_file)
                        usage();
                string = npos == 5 ? pos[3] : NULL;
        }
        if (npos >= 4) {
                flags = strtoull(pos[npos - 1], NULL, 0);
                have_flags = true;
        }
        if (string_file)
                string = file_content = read_file(string_file);     /* before giving up root */

        address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        if (!address || !*address) {
                fprintf(stderr, "np-test-caller: DBUS_SYSTEM_BUS_ADDRESS is not set\n");
                return 2;
        }

        if (uid >= 0) {
                if (setgroups(0, NULL) < 0)
                        die_errno("setgroups", errno);
                if (setresgid((gid_t) uid, (gid_t) uid, (gid_t) uid) < 0)
                        die_errno("setresgid", errno);
                if (setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid) < 0)
                        die_errno("setresuid", errno);
        } else if (racy >= 0) {
                if (setresuid(0, (uid_t) racy, 0) < 0)
                        die_errno("setresuid(0, N, 0)", errno);
        }
        /* changing ids made the process non-dumpable; LeakSanitizer (the sanitizer run) needs to ptrace it */
        (void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

        r = sd_bus_new(&bus);
        if (r < 0)
                die_errno("sd_bus_new", r);
        r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                die_errno("connecting to the bus", r);

        /* the bus's word on who this connection is: what the daemon must go by */
        r = sd_bus_get_unique_name(bus, &unique);
        if (r < 0)
                die_errno("sd_bus_get_unique_name", r);
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixUser", &error, &reply, "s", unique);
        if (r >= 0)
                r = sd_bus_message_read(reply, "u", &bus_uid);
        if (r < 0) {
                fprintf(stderr, "np-test-caller: GetConnectionUnixUser: %s\n",
                        error.message ?: strerror(-r));
                return 2;
        }
        reply = sd_bus_message_unref(reply);
        sd_bus_error_free(&error);

        if (racy >= 0) {
                if (seteuid(0) < 0)
                        die_errno("seteuid(0)", errno);
                (void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        }

        printf("# caller: unique name %s, UnixUserID=%" PRIu32 ", uid=%u euid=%u, proc-euid=%ld\n", unique, bus_uid,
               (unsigned) getuid(), (unsigned) geteuid(), proc_euid());
        fflush(stdout);

        r = sd_bus_message_new_method_call(bus, &call, "org.netpool1", pos[0], pos[1], pos[2]);
        if (r < 0)
                die_errno("sd_bus_message_new_method_call", r);
        if (string) {
                r = sd_bus_message_append(call, "s", string);
                if (r < 0)
                        die_errno("appending the string", r);
        }
        if (have_flags) {
                r = sd_bus_message_append(call, "t", flags);
                if (r < 0)
                        die_errno("appending the flags", r);
        }
        r = sd_bus_message_set_allow_interactive_authorization(call, allow_interactive);
        if (r < 0)
                die_errno("sd_bus_message_set_allow_interactive_authorization", r);

        r = sd_bus_call(bus, call, timeout_usec, &error, &reply);
        if (r < 0) {
                printf("error %s: %s\n", error.name ?: "(none)", error.message ?: strerror(-r));
                r = 1;
        } else {
                const char *s = NULL;
                char type = 0;

                printf("ok");
                if (print_string && sd_bus_message_peek_type(reply, &type, NULL) > 0 &&
                    (type == 's' || type == 'o') && sd_bus_message_read_basic(reply, type, &s) > 0)
                        printf(" %s", s);
                printf("\n");
                r = 0;
        }
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(call);
        sd_bus_flush_close_unref(bus);
        free(file_content);
        return r;
}
