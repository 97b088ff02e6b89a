/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asynchronous polkit checks for bus methods, re-dispatching the call when polkit has answered.
 * The technique is systemd's (public sd-bus API only): the method call waits in a table while
 * CheckAuthorization runs; the answer is stored and the call is put back into the read queue, so the
 * handler runs again from the start and finds the verdict. */
#include <errno.h>

#include "bus/bus-polkit.h"
#include "shared/log.h"

#define POLKIT_ALLOW_USER_INTERACTION 1u

typedef struct PolkitQuery {
        BusContext *c;
        sd_bus_message *request;
        sd_bus_slot *slot;
        bool done;
        int verdict;                    /* 1 allowed, < 0 denied */
        sd_bus_error error;
} PolkitQuery;

static PolkitQuery *polkit_query_free(PolkitQuery *q) {
        if (!q)
                return NULL;
        sd_bus_slot_unref(q->slot);
        sd_bus_message_unref(q->request);
        sd_bus_error_free(&q->error);
        g_free(q);
        return NULL;
}

static void polkit_query_destroy(gpointer q) {
        polkit_query_free(q);
}

static GHashTable *queries(BusContext *c) {
        if (!c->polkit_queries)
                c->polkit_queries = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                          polkit_query_destroy);
        return c->polkit_queries;
}

void bus_polkit_queries_free(BusContext *c) {
        g_clear_pointer(&c->polkit_queries, g_hash_table_unref);
}

static void polkit_query_verdict(PolkitQuery *q, sd_bus_message *reply) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized, challenge, r;

        if (e) {
                q->verdict = -EACCES;
                sd_bus_error_setf(&q->error, SD_BUS_ERROR_ACCESS_DENIED,
                                  "polkit could not be reached to authorize this (%s); denied", e->message);
                return;
        }
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                q->verdict = -EACCES;
                sd_bus_error_set(&q->error, SD_BUS_ERROR_ACCESS_DENIED, "polkit gave no usable answer; denied");
                return;
        }
        if (authorized) {
                q->verdict = 1;
                return;
        }
        q->verdict = -EACCES;
        if (challenge && !sd_bus_message_get_allow_interactive_authorization(q->request))
                sd_bus_error_set(&q->error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                 "interactive authorization is required for this");
        else
                sd_bus_error_set(&q->error, SD_BUS_ERROR_ACCESS_DENIED, "not authorized by polkit");
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitQuery *q = userdata;
        BusContext *c = q->c;
        int r;

        polkit_query_verdict(q, reply);
        q->done = true;
        q->slot = sd_bus_slot_unref(q->slot);
        c->pending--;
        /* run the method again: this time the verdict is there */
        r = sd_bus_message_rewind(q->request, true);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(c->bus, q->request);
        if (r < 0) {
                log_warning_errno(r, "cannot re-dispatch a method call after polkit answered: %m");
                (void) sd_bus_reply_method_errorf(q->request, SD_BUS_ERROR_FAILED, "internal error after polkit");
                g_hash_table_remove(queries(c), q->request);
        }
        return 0;
}

static int sender_is_root(sd_bus_message *m) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        int r;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return r;
        return uid == 0;
}

static int polkit_call(BusContext *c, PolkitQuery *q, const char *action, const char *network, const char *verb) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        bool interactive = sd_bus_message_get_allow_interactive_authorization(q->request);
        int r;

        r = sd_bus_message_new_method_call(c->bus, &call, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "(sa{sv})s", "system-bus-name", 1, "name", "s",
                                  sd_bus_message_get_sender(q->request), action);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "a{ss}us", 2, "network", network ?: "", "verb", verb,
                                  interactive ? POLKIT_ALLOW_USER_INTERACTION : 0u, "");
        if (r < 0)
                return r;
        /* an interactive check waits for a person: no timeout of ours cuts it short */
        return sd_bus_call_async(c->bus, &q->slot, call, on_polkit_reply, q, interactive ? UINT64_MAX - 1 : 0);
}

int bus_verify_polkit_async(BusContext *c, sd_bus_message *m, const char *action, const char *network,
                            const char *verb, sd_bus_error *error) {
        PolkitQuery *q = g_hash_table_lookup(queries(c), m);
        int r;

        if (q) {
                if (!q->done)
                        return 0;
                r = q->verdict;
                if (r < 0)
                        sd_bus_error_copy(error, &q->error);
                g_hash_table_remove(queries(c), m);
                return r;
        }
        r = sender_is_root(m);
        if (r > 0)
                return 1;
        q = g_new0(PolkitQuery, 1);
        q->c = c;
        q->request = sd_bus_message_ref(m);
        r = polkit_call(c, q, action, network, verb);
        if (r < 0) {
                polkit_query_free(q);
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "polkit could not be reached to authorize this (%s); denied",
                                         strerror(-r));
        }
        g_hash_table_insert(queries(c), m, q);
        c->pending++;
        return 0;
}
