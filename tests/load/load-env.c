/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load test environment: a temporary directory on tmpfs, a private bus that activates the built netpoold */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "load.h"

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) remove(path);
        return 0;
}

static bool process_alive(pid_t pid) {
        return kill(pid, 0) == 0 || errno == EPERM;
}

static void stop_process(pid_t pid) {
        (void) kill(pid, SIGTERM);
        for (int i = 0; i < 100 && process_alive(pid); i++) {
                /* our child (the bus) is reaped here; the daemon is the bus's child */
                (void) waitpid(pid, NULL, WNOHANG);
                g_usleep(50 * 1000);
        }
        if (process_alive(pid)) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
        }
}

void load_env_clear(LoadEnv *e) {
        if (e->daemon_pid > 0)
                stop_process(e->daemon_pid);
        if (e->bus_pid > 0)
                stop_process(e->bus_pid);
        e->daemon_pid = e->bus_pid = 0;
        if (e->dir) {
                if (e->keep)
                        fprintf(stderr, "netpool-load: kept %s\n", e->dir);
                else
                        (void) nftw(e->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        }
        g_clear_pointer(&e->dir, g_free);
        g_clear_pointer(&e->sim, g_free);
}

/**
 * load_env_make_dir() - the run's directory, on /dev/shm when it is there (tmpfs: the sim's files are
 * written thousands of times a second), else in $TMPDIR
 *
 * Returns: 0, or a negative errno with *ret_message set.
 */
int load_env_make_dir(LoadEnv *e, char **ret_message) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir();
        g_autofree char *template = g_build_filename(base, "netpool-load.XXXXXX", NULL);

        if (!mkdtemp(template)) {
                int r = -errno;

                *ret_message = g_strdup_printf("cannot make a directory in %s: %s", base, strerror(-r));
                return r;
        }
        e->dir = g_steal_pointer(&template);
        e->sim = g_build_filename(e->dir, "sim", NULL);
        return 0;
}

static int write_service(LoadEnv *e, const char *netpoold, const char *source_root, char **ret_message) {
        g_autofree char *template_path = g_build_filename(source_root, "service",
                                                          "org.netpool1-test.service.in", NULL);
        g_autofree char *services = g_build_filename(e->dir, "services", NULL);
        g_autofree char *path = g_build_filename(services, "org.netpool1.service", NULL);
        g_autofree char *template = NULL, *exec = NULL, *text = NULL;
        g_autoptr(GError) gerror = NULL;
        g_auto(GStrv) parts = NULL;

        if (!g_file_get_contents(template_path, &template, NULL, &gerror)) {
                *ret_message = g_strdup_printf("cannot read the activation file template: %s", gerror->message);
                return -ENOENT;
        }
        exec = g_strdup_printf("%s --sim %s --config-dir %s/etc --state-dir %s/run --exit-idle-sec 0",
                               netpoold, e->sim, e->dir, e->dir);
        parts = g_strsplit(template, "@EXEC@", -1);
        text = g_strjoinv(exec, parts);
        if (g_mkdir_with_parents(services, 0755) < 0 || !g_file_set_contents(path, text, -1, &gerror)) {
                *ret_message = g_strdup_printf("cannot write %s", path);
                return -EIO;
        }
        return 0;
}

static int write_bus_config(LoadEnv *e, const char *socket, char **ret_message) {
        g_autofree char *path = g_build_filename(e->dir, "bus.conf", NULL);
        g_autofree char *text = g_strdup_printf(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig>\n"
                "  <type>system</type>\n"
                "  <listen>unix:path=%s</listen>\n"
                "  <auth>EXTERNAL</auth>\n"
                "  <servicedir>%s/services</servicedir>\n"
                "  <policy context=\"default\">\n"
                "    <allow user=\"*\"/>\n"
                "    <allow own=\"*\"/>\n"
                "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                "    <allow receive_sender=\"*\"/>\n"
                "    <allow eavesdrop=\"true\"/>\n"
                "  </policy>\n"
                "</busconfig>\n", socket, e->dir);

        if (!g_file_set_contents(path, text, -1, NULL)) {
                *ret_message = g_strdup_printf("cannot write %s", path);
                return -EIO;
        }
        return 0;
}

/**
 * load_env_start_bus() - write the activation file and bus configuration, start dbus-daemon on it and point
 * DBUS_SYSTEM_BUS_ADDRESS at it (as tests/integration/lib.sh does)
 *
 * Returns: 0, or a negative errno with *ret_message set.
 */
int load_env_start_bus(LoadEnv *e, const char *netpoold, const char *source_root, char **ret_message) {
        g_autofree char *socket = g_build_filename(e->dir, "bus.socket", NULL);
        g_autofree char *config = g_build_filename(e->dir, "bus.conf", NULL);
        g_autofree char *log = g_build_filename(e->dir, "dbus.log", NULL);
        g_autofree char *config_arg = g_strconcat("--config-file=", config, NULL);
        g_autofree char *address = g_strconcat("unix:path=", socket, NULL);
        pid_t pid;
        int r;

        r = write_service(e, netpoold, source_root, ret_message);
        if (r < 0)
                return r;
        r = write_bus_config(e, socket, ret_message);
        if (r < 0)
                return r;

        pid = fork();
        if (pid < 0) {
                r = -errno;
                *ret_message = g_strdup_printf("fork: %s", strerror(-r));
                return r;
        }
        if (pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

                if (fd >= 0) {
                        (void) dup2(fd, STDOUT_FILENO);
                        (void) dup2(fd, STDERR_FILENO);
                }
                execlp("dbus-daemon", "dbus-daemon", config_arg, "--nofork", "--nopidfile", "--nosyslog",
                       (char *) NULL);
                _exit(127);
        }
        e->bus_pid = pid;
        for (int i = 0; i < 200; i++) {
                if (access(socket, F_OK) == 0) {
                        setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1);
                        return 0;
                }
                if (waitpid(pid, NULL, WNOHANG) == pid) {
                        e->bus_pid = 0;
                        break;
                }
                g_usleep(25 * 1000);
        }
        *ret_message = g_strdup_printf("dbus-daemon did not start (see %s)", log);
        return -ETIMEDOUT;
}

int load_daemon_pid(sd_bus *bus, pid_t *ret) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        uint32_t pid;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", &error, &reply, "s", LOAD_BUS_NAME);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "u", &pid);
        if (r < 0)
                return r;
        *ret = (pid_t) pid;
        return 0;
}

double load_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}
