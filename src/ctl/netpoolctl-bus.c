/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl bus access: the connection, method calls and how failures are told to the user */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-verb.h"

void ctl_done(Ctl *ctl) {
        g_clear_pointer(&ctl->bus, sd_bus_flush_close_unref);
}

static void print_line(const char *prefix, const char *format, va_list ap) {
        fputs(prefix, stderr);
        vfprintf(stderr, format, ap);
        fputc('\n', stderr);
}

void ctl_error(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        print_line("netpoolctl: ", format, ap);
        va_end(ap);
}

void ctl_hint(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        print_line("netpoolctl: hint: ", format, ap);
        va_end(ap);
}

/* The address sd_bus_open_system() tries, for messages. */
static const char *system_bus_address(void) {
        const char *e = getenv("DBUS_SYSTEM_BUS_ADDRESS");

        return e && *e ? e : "unix:path=/run/dbus/system_bus_socket";
}

/* the private socket this run talks to, NULL for the bus: for the messages of failures that come later */
static char *private_socket_used;

char *ctl_private_socket_path(void) {
        const char *state = getenv("NETPOOL_STATE_DIR");

        return g_build_filename(state && *state ? state : NETPOOL_STATE_DIR, "private", NULL);
}

static void report_no_private_socket(int r) {
        ctl_error("cannot connect to netpoold's private socket %s: %s", private_socket_used, strerror(-r));
        if (r == -EACCES || r == -EPERM || r == -ECONNRESET || r == -EPIPE)
                ctl_hint("only root may use the private socket; run without --private to use the system bus");
        else
                ctl_hint("the socket exists while netpoold runs: without --private a command starts it through the "
                         "bus (NETPOOL_STATE_DIR selects another state dir)");
}

static void report_no_bus(int r) {
        if (private_socket_used) {
                report_no_private_socket(r);
                return;
        }
        ctl_error("cannot connect to the system bus at %s: %s", system_bus_address(), strerror(-r));
        ctl_hint("is dbus running? (systemctl status dbus; DBUS_SYSTEM_BUS_ADDRESS selects another bus)");
}

/* path as a D-Bus address value: bytes beyond the optionally-escaped set as %XX */
static char *address_escape(const char *path) {
        GString *out = g_string_new(NULL);

        for (const unsigned char *p = (const unsigned char *) path; *p; p++)
                if (g_ascii_isalnum(*p) || strchr("-_/.\\*", *p))
                        g_string_append_c(out, (char) *p);
                else
                        g_string_append_printf(out, "%%%02x", *p);
        return g_string_free(out, FALSE);
}

/* Peer to peer: no Hello, no broker; the socket's mode and netpoold's SO_PEERCRED check let root alone in. */
static int open_private(sd_bus **ret) {
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *address = NULL;
        g_autofree char *escaped = NULL;
        int r;

        g_free(private_socket_used);
        private_socket_used = ctl_private_socket_path();
        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        escaped = address_escape(private_socket_used);
        address = g_strconcat("unix:path=", escaped, NULL);
        r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&bus);
        return 0;
}

static int open_bus(Ctl *ctl, sd_bus **ret) {
        return ctl->use_private ? open_private(ret) : sd_bus_open_system(ret);
}

int ctl_connect(Ctl *ctl, sd_bus **ret) {
        g_autoptr(sd_bus) bus = NULL;
        int r;

        if (!ctl->bus) {
                r = open_bus(ctl, &bus);
                if (r < 0) {
                        report_no_bus(r);
                        return r;
                }
                r = sd_bus_set_allow_interactive_authorization(bus, ctl->allow_interactive);
                if (r < 0) {
                        ctl_error("cannot set up the bus connection: %s", strerror(-r));
                        return r;
                }
                ctl->bus = g_steal_pointer(&bus);
        }
        *ret = ctl->bus;
        return 0;
}

int ctl_call(sd_bus *bus, const char *path, const char *interface, const char *method,
             sd_bus_error *error, sd_bus_message **ret_reply, const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = sd_bus_call_methodv(bus, NETPOOL_BUS_NAME, path, interface, method, error, ret_reply,
                                types, ap);
        va_end(ap);
        return r;
}

static const char *error_text(const sd_bus_error *error) {
        return error->message && *error->message ? error->message : error->name;
}

static bool error_has_prefix(const sd_bus_error *error, const char *prefix) {
        return g_str_has_prefix(error->name, prefix);
}

int ctl_report_error(const char *action, const sd_bus_error *error, int r) {
        if (!sd_bus_error_is_set(error) && (r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET ||
                                            r == -ENOTCONN))
                report_no_bus(r);
        else if (!sd_bus_error_is_set(error))
                ctl_error("failed to %s: %s", action, strerror(r < 0 ? -r : EIO));
        else if (error_has_prefix(error, "org.freedesktop.DBus.Error.Spawn.") ||
                 error_has_prefix(error, "org.freedesktop.systemd1.")) {
                /* activation: the bus started netpoold and it did not come up */
                ctl_error("failed to %s: netpoold could not be started (%s)", action, error_text(error));
                ctl_hint("its log says why: journalctl -b -u netpoold.service (without systemd, netpoold "
                         "writes to the stderr of the dbus-daemon that started it)");
        } else if (sd_bus_error_has_names(error, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT))
                ctl_error("failed to %s: netpoold did not answer in time (%s)", action, error_text(error));
        else if (sd_bus_error_has_names(error, SD_BUS_ERROR_ACCESS_DENIED,
                                        SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED))
                ctl_error("not authorized to %s: %s", action, error_text(error));
        else if (g_str_has_prefix(error->name, NETPOOL_ERROR_PREFIX))
                /* the daemon's messages already name the object and the reason */
                ctl_error("%s", error_text(error));
        else if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN,
                                        SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                ctl_error("netpoold (%s) is not available on the system bus: %s", NETPOOL_BUS_NAME,
                          error_text(error));
        else
                ctl_error("failed to %s: %s", action, error_text(error));
        return CTL_EXIT_FAILURE;
}

int ctl_read_dict(sd_bus_message *msg, const char *entry_type,
                  int (*read_value)(sd_bus_message *, const char *, void *), void *into) {
        g_autofree char *array_type = g_strdup_printf("{%s}", entry_type);
        const char key_type[] = { entry_type[0], '\0' };
        const char *key;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', array_type);
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', entry_type)) > 0) {
                r = sd_bus_message_read(msg, key_type, &key);
                if (r < 0)
                        return r;
                r = read_value(msg, key, into);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

int ctl_read_properties(sd_bus_message *msg,
                           int (*read_one)(sd_bus_message *, const char *, void *), void *into) {
        return ctl_read_dict(msg, "sv", read_one, into);
}

int ctl_enter_variant_array(sd_bus_message *msg, const char *array_type) {
        int r;

        r = sd_bus_message_enter_container(msg, 'v', array_type);
        if (r < 0)
                return r;
        return sd_bus_message_enter_container(msg, 'a', array_type + 1);
}

int ctl_exit_variant_array(sd_bus_message *msg) {
        int r;

        r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

/* The variant's array of strings or object paths, which the message is positioned at. */
static int read_string_array_variant(sd_bus_message *msg, const char *type, char ***field) {
        g_auto(GStrv) strv = NULL;
        int r;

        r = sd_bus_message_enter_container(msg, 'v', type);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(msg, &strv);
        if (r < 0)
                return r;
        g_strfreev(*field);
        /* an empty array reads as NULL: the field stays a list */
        *field = strv ? g_steal_pointer(&strv) : g_new0(char *, 1);
        return sd_bus_message_exit_container(msg);
}

int ctl_read_property_slot(sd_bus_message *msg, const char *name, const CtlPropertySlot *slots, size_t n_slots,
                           void *into) {
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(msg, &type, &contents);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_slots; i++) {
                const CtlPropertySlot *slot = &slots[i];
                void *field = (char *) into + slot->offset;
                const char *s;

                if (!streq(slot->name, name) || !streq(slot->type, contents))
                        continue;
                if (slot->type[0] == 'a')
                        return read_string_array_variant(msg, slot->type, field);
                if (!streq(slot->type, "s") && !streq(slot->type, "o"))
                        return sd_bus_message_read(msg, "v", slot->type, field);
                r = sd_bus_message_read(msg, "v", slot->type, &s);
                if (r < 0)
                        return r;
                g_free(*(char **) field);
                *(char **) field = g_strdup(s);
                return 0;
        }
        return sd_bus_message_skip(msg, "v");
}

int ctl_report_bad_reply(const char *method, int r) {
        ctl_error("unexpected reply to %s from netpoold: %s", method, strerror(-r));
        return r;
}
