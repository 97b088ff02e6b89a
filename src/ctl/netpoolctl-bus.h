/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl bus access: the connection, method calls and how failures are told to the user */
#pragma once

#include <stdbool.h>

#include <glib.h>
#include <systemd/sd-bus.h>

#include "shared/dbus-api.h"
#include "shared/macro.h"

/* Cleanups for sd-bus types. ctl builds on libsystemd alone, not on the bus layer's headers. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus, sd_bus_flush_close_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_message, sd_bus_message_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(sd_bus_error, sd_bus_error_free)

/* What every verb gets: output mode from the global options and the bus, opened on first use. */
typedef struct Ctl {
        bool json;
        bool allow_interactive;         /* let polkit ask for a password */
        sd_bus *bus;
} Ctl;

/* Close the connection; the Ctl can be reused. */
void ctl_done(Ctl *ctl);

/* Print "netpoolctl: MESSAGE" to stderr. */
void ctl_error(const char *format, ...) _printf_(1, 2);
/* Print "netpoolctl: hint: MESSAGE" to stderr: the next step after a failure. */
void ctl_hint(const char *format, ...) _printf_(1, 2);

/* The system bus, connected on first use. Prints why on failure and returns -errno. */
int ctl_connect(Ctl *ctl, sd_bus **ret);

/* A method call to netpoold; types/... are the input arguments as for sd_bus_message_append(). */
int ctl_call(sd_bus *bus, const char *path, const char *interface, const char *method,
             sd_bus_error *error, sd_bus_message **ret_reply, const char *types, ...);

/* Tell the user why a call failed and return CTL_EXIT_FAILURE. action names what was attempted
 * as a verb phrase ("start network 'x'"). netpool errors print the daemon's message alone;
 * authorization failures print "not authorized to ACTION: MESSAGE". */
int ctl_report_error(const char *action, const sd_bus_error *error, int r);

/* Read an a{sv} of properties (GetAll, PropertiesChanged, GetManagedObjects), handing each name with the
 * message at its variant to read_one, which must read or skip the variant. */
int ctl_read_properties(sd_bus_message *msg, int (*read_one)(sd_bus_message *, const char *, void *),
                        void *into);

/* Tell the user a reply did not have the contract's shape; returns r. */
int ctl_report_bad_reply(const char *method, int r);
