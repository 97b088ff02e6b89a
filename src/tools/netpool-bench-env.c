/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench environment: a directory on tmpfs, a sim host of N VFs, a private bus that activates netpoold */
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

#include "tools/netpool-bench.h"

double bench_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) remove(path);
        return 0;
}

void bench_remove_tree(const char *dir) {
        (void) nftw(dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static bool alive(pid_t pid) {
        return kill(pid, 0) == 0 || errno == EPERM;
}

/* SIGTERM, up to 5 s to go, then SIGKILL; our own children are reaped on the way */
void bench_stop_process(pid_t pid) {
        if (pid <= 0)
                return;
        (void) kill(pid, SIGTERM);
        for (int i = 0; i < 100; i++) {
                if (waitpid(pid, NULL, WNOHANG) == pid || !alive(pid))
                        return;
                g_usleep(50 * 1000);
        }
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

void bench_env_clear(BenchEnv *e) {
        bench_stop_process(e->daemon_pid);
        bench_stop_process(e->bus_pid);
        e->daemon_pid = e->bus_pid = 0;
        if (e->dir) {
                if (e->keep)
                        fprintf(stderr, "netpool-bench: kept %s\n", e->dir);
                else
                        bench_remove_tree(e->dir);
        }
        g_clear_pointer(&e->dir, g_free);
        g_clear_pointer(&e->sim, g_free);
}

/**
 * bench_env_make_dir() - the run's directory on /dev/shm (a tmpfs, as /run is where netpoold keeps its state
 * in production), else in $TMPDIR
 *
 * Returns: 0, or a negative errno with *ret_message set.
 */
int bench_env_make_dir(BenchEnv *e, const char *prefix, char **ret_message) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir();
        g_autofree char *name = g_strconcat(prefix, ".XXXXXX", NULL);
        g_autofree char *template = g_build_filename(base, name, NULL);

        if (!mkdtemp(template)) {
                int r = -errno;

                *ret_message = g_strdup_printf("cannot make a directory in %s: %s", base, strerror(-r));
                return r;
        }
        e->dir = g_steal_pointer(&template);
        e->sim = g_build_filename(e->dir, "sim", NULL);
        return 0;
}

/* PF k: netdev ethK on bus K; its 128 X710-like VFs (offset 16) stay on that bus */
static char *pf_spec(unsigned k, unsigned vfs) {
        return g_strdup_printf("name=eth%u,bdf=0000:%02x:00.0,model=x710,vfs=%u,total=%u", k, k, vfs, vfs);
}

/**
 * bench_host_build() - the sim host of N_VFS VFs: one PF when N_VFS ≤ 128, else PFs of 128 VFs each
 *
 * Returns: 0, or a negative errno with *ret_message saying what failed.
 */
int bench_host_build(BenchEnv *e, const char *simhost, unsigned n_vfs, char **ret_message) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GError) gerror = NULL;
        g_autofree char *err = NULL;
        unsigned per_pf = MIN(n_vfs, BENCH_VFS_PER_PF);
        int status;

        if (n_vfs == 0 || n_vfs % per_pf != 0 || n_vfs / per_pf > BENCH_MAX_PFS) {
                *ret_message = g_strdup_printf("%u VFs: N must be 1-128, or a multiple of 128 up to %u",
                                               n_vfs, BENCH_VFS_PER_PF * BENCH_MAX_PFS);
                return -EINVAL;
        }
        e->n_pfs = n_vfs / per_pf;
        g_ptr_array_add(argv, g_strdup(simhost));
        g_ptr_array_add(argv, g_strdup(e->sim));
        g_ptr_array_add(argv, g_strdup("--quiet"));
        for (unsigned k = 0; k < e->n_pfs; k++) {
                g_ptr_array_add(argv, g_strdup("--pf"));
                g_ptr_array_add(argv, pf_spec(k, per_pf));
        }
        g_ptr_array_add(argv, NULL);
        if (!g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                          &status, &gerror)) {
                *ret_message = g_strdup_printf("cannot run %s: %s", simhost, gerror->message);
                return -ENOENT;
        }
        if (!g_spawn_check_wait_status(status, NULL)) {
                *ret_message = g_strdup_printf("netpool-simhost failed: %s", g_strstrip(err));
                return -EIO;
        }
        return 0;
}

/* A passthrough network over the VFs of every PF: each port takes one VF, whose MAC and VLAN netpoold sets */
char *bench_host_network_xml(const BenchEnv *e) {
        g_autoptr(GString) s = g_string_new(NULL);

        g_string_append(s, "<network>\n  <name>" BENCH_NETWORK_NAME "</name>\n  <forward mode='passthrough'>\n");
        for (unsigned k = 0; k < e->n_pfs; k++)
                g_string_append_printf(s, "    <pf dev='eth%u'/>\n", k);
        g_string_append(s, "  </forward>\n</network>\n");
        return g_string_free(g_steal_pointer(&s), false);
}

/* The activation file: the test variant of org.netpool1.service with the built netpoold on our sim host */
static int write_service(BenchEnv *e, const char *netpoold, const char *source_root, char **ret_message) {
        g_autofree char *in = g_build_filename(source_root, "service", "org.netpool1-test.service.in", NULL);
        g_autofree char *dir = g_build_filename(e->dir, "services", NULL);
        g_autofree char *out = g_build_filename(dir, "org.netpool1.service", NULL);
        g_autofree char *template = NULL, *exec = NULL, *text = NULL;
        g_auto(GStrv) pieces = NULL;

        if (!g_file_get_contents(in, &template, NULL, NULL)) {
                *ret_message = g_strdup_printf("cannot read %s", in);
                return -ENOENT;
        }
        exec = g_strdup_printf("%s --sim %s --config-dir %s/etc --state-dir %s/run --exit-idle-sec 0",
                               netpoold, e->sim, e->dir, e->dir);
        pieces = g_strsplit(template, "@EXEC@", -1);
        text = g_strjoinv(exec, pieces);
        if (g_mkdir_with_parents(dir, 0755) < 0 || !g_file_set_contents(out, text, -1, NULL)) {
                *ret_message = g_strdup_printf("cannot write %s", out);
                return -EIO;
        }
        return 0;
}

/* A system-type bus that lets root do anything, listening in our directory, activating from it */
static int write_bus_config(BenchEnv *e, const char *socket, char **ret_message) {
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
                "    <allow send_destination=\"*\"/>\n"
                "    <allow receive_sender=\"*\"/>\n"
                "  </policy>\n"
                "</busconfig>\n", socket, e->dir);

        if (!g_file_set_contents(path, text, -1, NULL)) {
                *ret_message = g_strdup_printf("cannot write %s", path);
                return -EIO;
        }
        return 0;
}

/**
 * bench_spawn_logged() - fork and exec ARGV with stdout and stderr going to LOG
 *
 * Returns: 0 with *ret_pid set, or a negative errno.
 */
int bench_spawn_logged(char *const argv[], const char *log, pid_t *ret_pid) {
        pid_t pid = fork();

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

                if (fd >= 0) {
                        (void) dup2(fd, STDOUT_FILENO);
                        (void) dup2(fd, STDERR_FILENO);
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        *ret_pid = pid;
        return 0;
}

/**
 * bench_env_start_bus() - write the activation file and the bus configuration, start dbus-daemon and point
 * DBUS_SYSTEM_BUS_ADDRESS at it; netpoold is started by the bus at the first call to org.netpool1
 *
 * Returns: 0, or a negative errno with *ret_message set.
 */
int bench_env_start_bus(BenchEnv *e, const char *netpoold, const char *source_root, char **ret_message) {
        g_autofree char *socket = g_build_filename(e->dir, "bus.socket", NULL);
        g_autofree char *config = g_build_filename(e->dir, "bus.conf", NULL);
        g_autofree char *log = g_build_filename(e->dir, "dbus.log", NULL);
        g_autofree char *config_arg = g_strconcat("--config-file=", config, NULL);
        g_autofree char *address = g_strconcat("unix:path=", socket, NULL);
        char *argv[] = { "dbus-daemon", config_arg, "--nofork", "--nopidfile", "--nosyslog", NULL };
        int r;

        r = write_service(e, netpoold, source_root, ret_message);
        if (r >= 0)
                r = write_bus_config(e, socket, ret_message);
        if (r < 0)
                return r;
        r = bench_spawn_logged(argv, log, &e->bus_pid);
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot start dbus-daemon: %s", strerror(-r));
                return r;
        }
        for (int i = 0; i < 400; i++) {
                if (access(socket, F_OK) == 0) {
                        setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1);
                        return 0;
                }
                if (waitpid(e->bus_pid, NULL, WNOHANG) == e->bus_pid) {
                        e->bus_pid = 0;
                        break;
                }
                g_usleep(25 * 1000);
        }
        *ret_message = g_strdup_printf("dbus-daemon did not start (see %s)", log);
        return -ETIMEDOUT;
}

int bench_daemon_pid(sd_bus *bus, pid_t *ret) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        uint32_t pid;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", &error, &reply, "s", BENCH_BUS_NAME);
        if (r >= 0)
                r = sd_bus_message_read(reply, "u", &pid);
        if (r < 0)
                return r;
        *ret = (pid_t) pid;
        return 0;
}

/* A "Field:   1234 kB" line of /proc/PID/status */
int bench_proc_status_kib(pid_t pid, const char *field, uint64_t *ret) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *text = NULL;
        g_autofree char *key = g_strconcat(field, ":", NULL);
        const char *line;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return -ESRCH;
        for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (g_str_has_prefix(line, key)) {
                        *ret = g_ascii_strtoull(line + strlen(key), NULL, 10);
                        return 0;
                }
        return -ENOENT;
}
