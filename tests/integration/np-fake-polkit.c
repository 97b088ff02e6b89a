/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* np-fake-polkit: a stand-in polkit authority on the test's private bus, for the authorization tests.
 *
 *   np-fake-polkit [--deny] [--delay MS] [--hold]
 *
 * Owns org.freedesktop.PolicyKit1 and serves org.freedesktop.PolicyKit1.Authority.CheckAuthorization
 * (`(sa{sv})sa{ss}us` -> `(bba{ss})`) on /org/freedesktop/PolicyKit1/Authority. Every query is answered
 * asynchronously, so that many can be held at once: MS milliseconds after it came (default 1500), or, with
 * --hold, when the process gets SIGUSR1 (every query held at that moment; MS is not used then). The answer
 * is authorized=true, or with --deny authorized=false (no challenge). SIGTERM or SIGINT ends it.
 *
 * Prints one line per query as it comes, `query N subject=NAME action=ID network=NET verb=VERB flags=F`,
 * one per answer, `answer N authorized=B`, and `ready` once the name is owned; stdout is flushed at once. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

typedef struct Query {
        struct Query *next;
        unsigned id;
        sd_bus_message *m;
        sd_event_source *timer;
} Query;

static bool arg_deny;
static bool arg_hold;
static uint64_t arg_delay_usec = 1500 * 1000;
static Query *queries;          /* held, not yet answered */
static unsigned n_queries;

static void query_unlink_free(Query *q) {
        Query **p;

        for (p = &queries; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        break;
                }
        sd_event_source_disable_unref(q->timer);
        sd_bus_message_unref(q->m);
        free(q);
}

static void answer(Query *q) {
        int r;

        r = sd_bus_reply_method_return(q->m, "(bba{ss})", !arg_deny, 0, 0);
        printf("answer %u authorized=%s%s\n", q->id, arg_deny ? "false" : "true", r < 0 ? " (reply failed)" : "");
        fflush(stdout);
        query_unlink_free(q);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        answer(userdata);
        return 0;
}

static int on_release(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        while (queries)
                answer(queries);
        return 0;
}

/* a{sv} of the subject: the value of "name" when it is a string */
static int read_subject(sd_bus_message *m, char **ret_kind, char **ret_name) {
        const char *kind, *key, *name = "";
        int r;

        r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &kind);
        if (r < 0)
                return r;
        *ret_kind = strdup(kind);
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (strcmp(key, "name") == 0 && sd_bus_message_verify_type(m, 'v', "s") > 0) {
                        r = sd_bus_message_read(m, "v", "s", &name);
                } else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        *ret_name = strdup(name);
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int method_check_authorization(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        char *kind = NULL, *subject = NULL;
        const char *action, *key, *value, *network = "", *verb = "", *cancel_id;
        uint32_t flags;
        Query *q;
        int r;

        r = read_subject(m, &kind, &subject);
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &action);
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "{ss}");
        while (r >= 0 && (r = sd_bus_message_read(m, "{ss}", &key, &value)) > 0) {
                if (strcmp(key, "network") == 0)
                        network = value;
                else if (strcmp(key, "verb") == 0)
                        verb = value;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "us", &flags, &cancel_id);
        if (r < 0) {
                free(kind);
                free(subject);
                return r;
        }

        q = calloc(1, sizeof *q);
        if (!q) {
                free(kind);
                free(subject);
                return -ENOMEM;
        }
        q->id = ++n_queries;
        q->m = sd_bus_message_ref(m);
        q->next = queries;
        queries = q;
        printf("query %u subject=%s:%s action=%s network=%s verb=%s flags=%u\n", q->id, kind ?: "?",
               subject ?: "?", action, network, verb, (unsigned) flags);
        fflush(stdout);
        free(kind);
        free(subject);

        if (!arg_hold) {
                r = sd_event_add_time_relative(sd_bus_get_event(sd_bus_message_get_bus(m)), &q->timer,
                                               CLOCK_MONOTONIC, arg_delay_usec, 0, on_timer, q);
                if (r < 0) {
                        query_unlink_free(q);
                        return r;
                }
        }
        return 1;       /* answered later */
}

static const sd_bus_vtable authority_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", method_check_authorization,
                      SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static void die(const char *what, int r) {
        fprintf(stderr, "np-fake-polkit: %s: %s\n", what, strerror(-r));
        exit(1);
}

int main(int argc, char **argv) {
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        const char *address;
        sigset_t mask;
        int i, r;

        for (i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--deny") == 0)
                        arg_deny = true;
                else if (strcmp(argv[i], "--hold") == 0)
                        arg_hold = true;
                else if (strcmp(argv[i], "--delay") == 0 && i + 1 < argc) {
                        char *end;

                        errno = 0;
                        arg_delay_usec = strtoull(argv[++i], &end, 10) * 1000;
                        if (errno || *end) {
                                fprintf(stderr, "np-fake-polkit: bad --delay\n");
                                return 2;
                        }
                } else {
                        fprintf(stderr, "usage: np-fake-polkit [--deny] [--delay MS] [--hold]\n");
                        return 2;
                }
        }
        address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        if (!address || !*address) {
                fprintf(stderr, "np-fake-polkit: DBUS_SYSTEM_BUS_ADDRESS is not set\n");
                return 2;
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&event);
        if (r < 0)
                die("sd_event_default", r);
        r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGUSR1, on_release, NULL);
        if (r < 0)
                die("sd_event_add_signal", r);

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                die("connecting to the bus", r);
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                die("sd_bus_attach_event", r);
        r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
                                     "org.freedesktop.PolicyKit1.Authority", authority_vtable, NULL);
        if (r < 0)
                die("sd_bus_add_object_vtable", r);
        r = sd_bus_request_name(bus, "org.freedesktop.PolicyKit1", 0);
        if (r < 0)
                die("owning org.freedesktop.PolicyKit1", r);
        printf("ready\n");
        fflush(stdout);

        r = sd_event_loop(event);
        while (queries)
                query_unlink_free(queries);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        if (r < 0)
                die("sd_event_loop", r);
        return 0;
}
