/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asynchronous polkit checks for bus methods, re-dispatching the call when polkit has answered.
 * The technique is systemd's (public sd-bus API only): the method call waits in a table while
 * CheckAuthorization runs; the answer is stored and the call is put back into the read queue, so the
 * handler runs again from the start and finds the verdict. */
#include <errno.h>

#include "bus/bus-call.h"
#include "bus/bus-polkit.h"
#include "bus/bus-private.h"
#include "shared/log.h"

#define POLKIT_ALLOW_USER_INTERACTION 1u
/* unique names whose uid is kept at most */
#define SENDER_UIDS_MAX 4096

static void polkit_verdict(BusCall *k, sd_bus_message *reply) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized, challenge, r;

        k->verdict = -EACCES;
        if (e && sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY)) {
                sd_bus_error_setf(&k->error, SD_BUS_ERROR_ACCESS_DENIED,
                                  "polkit gave no answer within %u s (an authentication agent that does not "
                                  "answer?); denied", POLKIT_CHECK_TIMEOUT_SEC);
                return;
        }
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

/* The uid of the sender as the bus vouches. A connection's uid never changes and the bus never reuses a
 * unique name, so the answer is kept per unique name (dropped when the name goes): a call costs no extra
 * round trip to the bus after the first. On a private connection there is no bus and no sender: the kernel's
 * SO_PEERCRED of the peer, read when it connected, says (root, or it would not have been served). */
static int sender_uid(BusContext *c, sd_bus_message *m, uid_t *ret) {
        const char *sender = sd_bus_message_get_sender(m);
        gpointer known;
        uid_t uid;
        int r;

        if (sd_bus_message_get_bus(m) != c->bus)
                return bus_private_peer_uid(c, sd_bus_message_get_bus(m), ret) ? 0 : -ENOTCONN;
        if (sender && c->sender_uids && g_hash_table_lookup_extended(c->sender_uids, sender, NULL, &known)) {
                *ret = GPOINTER_TO_UINT(known);
                return 0;
        }
        r = query_sender_uid(m, &uid);
        if (r < 0)
                return r;
        if (sender && c->sender_uids) {
                if (g_hash_table_size(c->sender_uids) >= SENDER_UIDS_MAX)
                        g_hash_table_remove_all(c->sender_uids);        /* a bound, should signals be lost */
                g_hash_table_insert(c->sender_uids, g_strdup(sender), GUINT_TO_POINTER(uid));
        }
        *ret = uid;
        return 0;
}

static bool waits_for_polkit_as(const BusCall *k, void *data) {
        return k->polkit_slot && k->uid == *(const uid_t *) data;
}

/* Checks that wait for polkit on behalf of uid */
static unsigned checks_waiting_for(BusContext *c, uid_t uid) {
        return bus_calls_count(c, waits_for_polkit_as, &uid);
}

static int refuse_over_cap(uid_t uid, sd_bus_error *error) {
        return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                 "%u calls of uid %u already wait for polkit, the most one user may have; "
                                 "refused without asking (try again once they are answered)",
                                 POLKIT_PENDING_PER_UID_MAX, (unsigned) uid);
}

/* Whether m may go on to its handler: 1 yes; < 0 no, with error set — LimitsExceeded when its uid (not 0)
 * has POLKIT_PENDING_PER_UID_MAX checks waiting already. Reads no argument. A filter calls it for every
 * call of a method that asks polkit; bus_verify_polkit_async() holds to the same bound. */
static int bus_polkit_admit(BusContext *c, sd_bus_message *m, sd_bus_error *error) {
        uid_t uid;
        int r;

        if (bus_call_get(c, m))
                return 1;       /* dispatched again after waiting: admitted the first time */
        r = sender_uid(c, m, &uid);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "the bus cannot say who sent this call (%s); denied", strerror(-r));
        if (uid != 0 && checks_waiting_for(c, uid) >= POLKIT_PENDING_PER_UID_MAX)
                return refuse_over_cap(uid, error);
        return 1;
}

/* The methods that ask polkit, by member name: the gate below needs no argument to know them. A name
 * alone is enough (an interface is optional in a call); another call of the same name is only gated. */
static bool member_asks_polkit(sd_bus_message *m) {
        static const char *const members[] = {
                "DefineNetwork", "CreateNetwork", "Rescan", "Start", "Stop", "Undefine", "Allocate",
                "AllocateWithOptions", "Notify", "Release", "Set",
        };
        const char *member = sd_bus_message_get_member(m);

        if (!member)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(members); i++)
                if (streq(member, members[i]))
                        return true;
        return false;
}

/* Before any handler, before an argument is read: a caller whose uid has the most checks waiting is
 * answered LimitsExceeded at once. */
static int filter_admit(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        BusContext *c = userdata;

        if (!sd_bus_message_is_method_call(m, NULL, NULL) || !member_asks_polkit(m))
                return 0;
        if (bus_polkit_admit(c, m, &error) > 0)
                return 0;
        (void) sd_bus_reply_method_error(m, &error);
        return 1;
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

int bus_polkit_add_filter(BusContext *c, sd_bus *bus) {
        return sd_bus_add_filter(bus, NULL, filter_admit, c);
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
        /* an interactive check waits for a person, but not for ever: an agent that never answers would
         * hold the call (and one of the few checks its uid may have waiting) as long as it liked */
        return sd_bus_call_async(c->bus, &k->polkit_slot, call, on_polkit_reply, k,
                                 POLKIT_CHECK_TIMEOUT_SEC * UINT64_C(1000000));
}

bool bus_polkit_caller_authorized(BusContext *c, sd_bus_message *m) {
        const BusCall *k = bus_call_get(c, m);
        uid_t uid;

        if (k && k->verdict != 0)
                return k->verdict > 0;
        return sender_uid(c, m, &uid) >= 0 && uid == 0;
}

int bus_verify_polkit_async(BusContext *c, sd_bus_message *m, const char *action, const char *network,
                            const char *verb, sd_bus_error *error) {
        BusCall *k = bus_call_get(c, m);
        uid_t uid;
        int r;

        if (k && k->polkit_slot)
                return 0;
        if (k && k->verdict != 0) {
                if (k->verdict < 0)
                        sd_bus_error_copy(error, &k->error);
                return k->verdict;      /* kept while the call lives: a call that waits again is not asked again */
        }
        r = sender_uid(c, m, &uid);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "the bus cannot say who sent this call (%s); denied", strerror(-r));
        if (uid == 0)
                return 1;
        if (checks_waiting_for(c, uid) >= POLKIT_PENDING_PER_UID_MAX)
                return refuse_over_cap(uid, error);     /* the bound, whichever way the call came */
        k = bus_call_ensure(c, m);
        k->uid = uid;
        r = polkit_call(c, k, action, network, verb);
        if (r < 0) {
                bus_call_forget(c, k);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "polkit could not be reached to authorize this (%s); denied",
                                         strerror(-r));
        }
        return 0;
}
