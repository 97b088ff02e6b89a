/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test harness's private bus: dbus-daemon on the one test bus configuration, activating the built netpoold */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib/harness.h"

/* How long dbus-daemon may take to answer: 10 s, for a machine whose cores the whole suite shares */
#define BUS_WAIT_ROUNDS 400
#define BUS_WAIT_USEC (25 * 1000)

/* Reads SOURCE_ROOT/service/NAME and puts WITH in place of every PLACEHOLDER */
static char *fill_template(const char *name, const char *placeholder, const char *with, char **ret_message) {
        g_autofree char *path = g_build_filename(harness_source_root(), "service", name, NULL);
        g_autofree char *template = NULL;
        g_autoptr(GError) gerror = NULL;
        g_auto(GStrv) pieces = NULL;

        if (!g_file_get_contents(path, &template, NULL, &gerror)) {
                *ret_message = g_strdup_printf("cannot read the template %s: %s", path, gerror->message);
                return NULL;
        }
        pieces = g_strsplit(template, placeholder, -1);
        return g_strjoinv(with, pieces);
}

static int write_file(const char *path, const char *text, char **ret_message) {
        g_autoptr(GError) gerror = NULL;

        if (!g_file_set_contents(path, text, -1, &gerror)) {
                *ret_message = g_strdup_printf("cannot write %s: %s", path, gerror->message);
                return -EIO;
        }
        return 0;
}

/**
 * harness_write_service() - DIR/services/org.netpool1.service from service/org.netpool1-test.service.in: the
 * bus starts NETPOOLD on the sim host SIM, with DIR/etc and DIR/run as its config and state dirs, never idle
 *
 * Returns: 0, or a negative errno with *ret_message set.
 */
static int harness_write_service(const char *dir, const char *netpoold, const char *sim, char **ret_message) {
        g_autofree char *services = g_build_filename(dir, "services", NULL);
        g_autofree char *path = g_build_filename(services, "org.netpool1.service", NULL);
        g_autofree char *exec = g_strdup_printf("%s --sim %s --config-dir %s/etc --state-dir %s/run "
                                                "--exit-idle-sec 0", netpoold, sim, dir, dir);
        g_autofree char *text = fill_template("org.netpool1-test.service.in", "@EXEC@", exec, ret_message);

        if (!text)
                return -ENOENT;
        if (g_mkdir_with_parents(services, 0755) < 0) {
                int r = -errno;

                *ret_message = g_strdup_printf("cannot make %s: %s", services, strerror(-r));
                return r;
        }
        return write_file(path, text, ret_message);
}

/* The socket file appears at bind(), before dbus-daemon listens: only a call that is answered says it is up */
static bool bus_answers(const char *address) {
        sd_bus *bus = NULL;
        bool up;

        up = sd_bus_new(&bus) >= 0 && sd_bus_set_address(bus, address) >= 0 &&
             sd_bus_set_bus_client(bus, true) >= 0 && sd_bus_start(bus) >= 0 &&
             sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                "GetId", NULL, NULL, NULL) >= 0;
        sd_bus_flush_close_unref(bus);
        return up;
}

static int spawn_bus(HarnessBus *b, const char *config, const char *log) {
        g_autofree char *config_arg = g_strconcat("--config-file=", config, NULL);
        char *argv[] = { "dbus-daemon", config_arg, "--nofork", "--nopidfile", "--nosyslog", NULL };

        return harness_spawn_logged(argv, log, &b->pid);
}

/**
 * harness_bus_start() - DIR/bus.conf from service/test-bus.conf.in, and dbus-daemon on it, logging to DIR/dbus.log
 *
 * Returns once the bus answers: 0 with b->address set, -ENOENT when there is no dbus-daemon (a test skips), or
 * another negative errno; *ret_message says what failed.
 */
int harness_bus_start(HarnessBus *b, const char *dir, char **ret_message) {
        g_autofree char *config = g_build_filename(dir, "bus.conf", NULL);
        g_autofree char *log = g_build_filename(dir, "dbus.log", NULL);
        g_autofree char *dbus_daemon = g_find_program_in_path("dbus-daemon");
        g_autofree char *text = NULL;
        int r;

        if (!dbus_daemon) {
                *ret_message = g_strdup("no dbus-daemon");
                return -ENOENT;
        }
        text = fill_template("test-bus.conf.in", "@DIR@", dir, ret_message);
        if (!text)
                return -ENOENT;
        r = write_file(config, text, ret_message);
        if (r < 0)
                return r;
        r = spawn_bus(b, config, log);
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot start dbus-daemon: %s", strerror(-r));
                return r;
        }
        b->address = g_strdup_printf("unix:path=%s/bus.socket", dir);
        for (int i = 0; i < BUS_WAIT_ROUNDS; i++) {
                if (bus_answers(b->address))
                        return 0;
                if (waitpid(b->pid, NULL, WNOHANG) == b->pid) {
                        b->pid = 0;
                        break;
                }
                g_usleep(BUS_WAIT_USEC);
        }
        *ret_message = g_strdup_printf("dbus-daemon did not start (see %s)", log);
        return -ETIMEDOUT;
}

/* Stops the bus (the daemons it activated lose it and exit); DIR stays */
void harness_bus_stop(HarnessBus *b) {
        harness_stop_process(b->pid);
        b->pid = 0;
        g_clear_pointer(&b->address, g_free);
}

/* The pid of NAME's owner on BUS (netpoold's, once the bus has activated it) */
int harness_bus_owner_pid(sd_bus *bus, const char *name, pid_t *ret) {
        sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint32_t pid;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", &error, &reply, "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "u", &pid);
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        *ret = (pid_t) pid;
        return 0;
}

/* The run's directory (PREFIX.XXXXXX, see harness_make_dir()) and the place of its sim host */
int harness_env_make_dir(HarnessEnv *e, const char *prefix, char **ret_message) {
        int r = harness_make_dir(prefix, &e->dir, ret_message);

        if (r < 0)
                return r;
        e->sim = g_build_filename(e->dir, "sim", NULL);
        return 0;
}

/**
 * harness_env_start_bus() - the activation file of NETPOOLD on the env's sim host, the private bus, and
 * DBUS_SYSTEM_BUS_ADDRESS pointed at it (as tests/integration/lib.sh does): the first call to org.netpool1
 * starts netpoold
 *
 * Returns: 0, or a negative errno with *ret_message set.
 */
int harness_env_start_bus(HarnessEnv *e, const char *netpoold, char **ret_message) {
        int r;

        r = harness_write_service(e->dir, netpoold, e->sim, ret_message);
        if (r >= 0)
                r = harness_bus_start(&e->bus, e->dir, ret_message);
        if (r < 0)
                return r;
        setenv("DBUS_SYSTEM_BUS_ADDRESS", e->bus.address, 1);
        return 0;
}

void harness_env_clear(HarnessEnv *e) {
        harness_stop_process(e->daemon_pid);
        e->daemon_pid = 0;
        harness_bus_stop(&e->bus);
        if (e->dir) {
                if (e->keep)
                        fprintf(stderr, "%s: kept %s\n", program_invocation_short_name, e->dir);
                else
                        harness_remove_tree(e->dir);
        }
        g_clear_pointer(&e->dir, g_free);
        g_clear_pointer(&e->sim, g_free);
}
