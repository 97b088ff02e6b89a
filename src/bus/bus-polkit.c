/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asynchronous polkit checks for bus methods, re-dispatching the call when polkit has answered.
 * The technique is systemd's (public sd-bus API only): the method call waits in a table while
 * CheckAuthorization runs; the answer is stored and the call is put back into the read queue, so the
 * handler runs again from the start and finds the verdict. */
#include <errno.h>

#include "bus/bus-call.h"
#include "bus/bus-polkit.h"
#include "shared/log.h"

#define POLKIT_ALLOW_USER_INTERACTION 1u
/* unique names whose uid is kept at most */
#define SENDER_UIDS_MAX 4096

static void polkit_verdict(BusCall *k, sd_bus_message *reply) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized, challenge, r;

        k->verdict = -EACCES;
        if (e) {
                sd_bus_error_setf(&k->error, SD_BUS_ERROR_ACCESS_DENIED,
                                  "polkit could not be reached to authorize this (%s); denied", e->message);
                return;
        }
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                sd_bus_error_set(&k->error, SD_BUS_ERROR_ACCESS_DENIED, "polkit gave no usable answer; denied");
                return;
        }
        if (authorized) {
                k->verdict = 1;
                return;
        }
        if (challenge && !sd_bus_message_get_allow_interactive_authorization(k->m))
                sd_bus_error_set(&k->error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                 "interactive authorization is required for this");
        else
                sd_bus_error_set(&k->error, SD_BUS_ERROR_ACCESS_DENIED, "not authorized by polkit");
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusCall *k = userdata;

        polkit_verdict(k, reply);
        k->polkit_slot = sd_bus_slot_unref(k->polkit_slot);
        /* run the method again: this time the verdict is there (or its object is gone, and sd-bus says so) */
        (void) bus_call_redispatch(k);
        return 0;
}

/* The uid the bus vouches for: that of the connection, which the bus took from the socket (SO_PEERCRED:
 * the effective uid at connect) and hands out as UnixUserID. Never an effective uid read from /proc/PID
 * (sd-bus's "augmented" credentials): a caller could exec a setuid program that keeps its connection
 * between sending the call and our reading of /proc. systemd's polkit helper refuses augmented
 * credentials for the same reason. */
static int query_sender_uid(sd_bus_message *m, uid_t *ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        int r;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        if (sd_bus_creds_get_augmented_mask(creds) & SD_BUS_CREDS_EUID)
                return -EPERM;
        return sd_bus_creds_get_euid(creds, ret);
}

/* Whether the sender is uid 0 as the bus vouches. A connection's uid never changes and the bus never
 * reuses a unique name, so the answer is kept per unique name (dropped when the name goes): a call costs
 * no extra round trip to the bus after the first. */
static int sender_is_root(BusContext *c, sd_bus_message *m) {
        const char *sender = sd_bus_message_get_sender(m);
        gpointer known;
        uid_t uid;
        int r;

        if (sender && c->sender_uids && g_hash_table_lookup_extended(c->sender_uids, sender, NULL, &known))
                return GPOINTER_TO_UINT(known) == 0;
        r = query_sender_uid(m, &uid);
        if (r < 0)
                return r;
        if (sender && c->sender_uids) {
                if (g_hash_table_size(c->sender_uids) >= SENDER_UIDS_MAX)
                        g_hash_table_remove_all(c->sender_uids);        /* a bound, should signals be lost */
                g_hash_table_insert(c->sender_uids, g_strdup(sender), GUINT_TO_POINTER(uid));
        }
        return uid == 0;
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusContext *c = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] == ':' && new_owner[0] == '\0')
                g_hash_table_remove(c->sender_uids, name);
        return 0;
}

int bus_polkit_setup(BusContext *c) {
        c->sender_uids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        return sd_bus_match_signal_async(c->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "NameOwnerChanged", on_name_owner_changed,
                                         NULL, c);
}

void bus_polkit_free(BusContext *c) {
        g_clear_pointer(&c->sender_uids, g_hash_table_unref);
}

static int polkit_call(BusContext *c, BusCall *k, const char *action, const char *network, const char *verb) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        bool interactive = sd_bus_message_get_allow_interactive_authorization(k->m);
        int r;

        r = sd_bus_message_new_method_call(c->bus, &call, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "(sa{sv})s", "system-bus-name", 1, "name", "s",
                                  sd_bus_message_get_sender(k->m), action);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "a{ss}us", 2, "network", network ?: "", "verb", verb,
                                  interactive ? POLKIT_ALLOW_USER_INTERACTION : 0u, "");
        if (r < 0)
                return r;
        /* an interactive check waits for a person: no timeout of ours cuts it short */
        return sd_bus_call_async(c->bus, &k->polkit_slot, call, on_polkit_reply, k,
                                 interactive ? UINT64_MAX - 1 : 0);
}

int bus_verify_polkit_async(BusContext *c, sd_bus_message *m, const char *action, const char *network,
                            const char *verb, sd_bus_error *error) {
        BusCall *k = bus_call_get(c, m);
        int r;

        if (k && k->polkit_slot)
                return 0;
        if (k && k->verdict != 0) {
                if (k->verdict < 0)
                        sd_bus_error_copy(error, &k->error);
                return k->verdict;      /* kept while the call lives: a call that waits again is not asked again */
        }
        r = sender_is_root(c, m);
        if (r > 0)
                return 1;
        k = bus_call_ensure(c, m);
        r = polkit_call(c, k, action, network, verb);
        if (r < 0) {
                g_hash_table_remove(c->calls, m);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "polkit could not be reached to authorize this (%s); denied",
                                         strerror(-r));
        }
        return 0;
}
