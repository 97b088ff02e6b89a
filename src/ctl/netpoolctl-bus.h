/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl bus access: the connection, method calls and how failures are told to the user */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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
        bool use_private;               /* --private: netpoold's private socket, not the bus */
        sd_bus *bus;
} Ctl;

/* Close the connection; the Ctl can be reused. */
void ctl_done(Ctl *ctl);

/* Print "netpoolctl: MESSAGE" to stderr. */
void ctl_error(const char *format, ...) _printf_(1, 2);
/* Print "netpoolctl: hint: MESSAGE" to stderr: the next step after a failure. */
void ctl_hint(const char *format, ...) _printf_(1, 2);

/* The system bus, or with use_private netpoold's private socket, connected on first use. Prints why on failure
 * and returns -errno. */
int ctl_connect(Ctl *ctl, sd_bus **ret);

/* Where netpoold's private socket is: STATE/private, STATE from $NETPOOL_STATE_DIR when set (tests, a netpoold
 * run with --state-dir), else the built-in state dir. g_free() it. */
char *ctl_private_socket_path(void);

/* A method call to netpoold; types/... are the input arguments as for sd_bus_message_append(). */
int ctl_call(sd_bus *bus, const char *path, const char *interface, const char *method,
             sd_bus_error *error, sd_bus_message **ret_reply, const char *types, ...);

/* Tell the user why a call failed and return CTL_EXIT_FAILURE. action names what was attempted
 * as a verb phrase ("start network 'x'"). netpool errors print the daemon's message alone;
 * authorization failures print "not authorized to ACTION: MESSAGE". */
int ctl_report_error(const char *action, const sd_bus_error *error, int r);

/* Read a dictionary a{KV} whose entry signature (KV) is entry_type, its key a string or an object path,
 * handing each key with the message at its value to read_value, which must read or skip the value. */
int ctl_read_dict(sd_bus_message *msg, const char *entry_type,
                  int (*read_value)(sd_bus_message *, const char *, void *), void *into);

/* Read an a{sv} of properties (GetAll, PropertiesChanged, GetManagedObjects), handing each name with the
 * message at its variant to read_one, which must read or skip the variant. */
int ctl_read_properties(sd_bus_message *msg, int (*read_one)(sd_bus_message *, const char *, void *),
                        void *into);

/* Enter (exit) a variant holding an array of array_type ("a{st}"), leaving the message inside the array. */
int ctl_enter_variant_array(sd_bus_message *msg, const char *array_type);
int ctl_exit_variant_array(sd_bus_message *msg);

/* Where one property of an interface lands in a struct: "s" and "o" as a g_strdup()ed char *, "as" and "ao"
 * as a GStrv (never NULL), any other basic type as itself. */
typedef struct CtlPropertySlot {
        const char *name;
        const char *type;
        size_t offset;
} CtlPropertySlot;

/* The variant of property name, which msg is positioned at, into its slot of into; a name or type no slot has
 * is skipped, so that a newer daemon with more properties still works. */
int ctl_read_property_slot(sd_bus_message *msg, const char *name, const CtlPropertySlot *slots, size_t n_slots,
                           void *into);

/* Tell the user a reply did not have the contract's shape; returns r. */
int ctl_report_bad_reply(const char *method, int r);
