/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test harness's processes, files and clock */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib/harness.h"

const char *harness_path(const char *name, const char *built) {
        const char *v = getenv(name);

        return v && *v ? v : built;
}

const char *harness_source_root(void) {
        return harness_path("NETPOOL_SOURCE_ROOT", HARNESS_SOURCE_ROOT);
}

double harness_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/**
 * harness_spawn_logged() - fork and exec ARGV (from $PATH) with stdout and stderr going to LOG
 *
 * LOG is appended to: a process started again, or a second one, adds its lines to those before. The child
 * gets SIGTERM when we end, so that it goes with us even when an assertion aborts us before the clean-up.
 *
 * Returns: 0 with *ret_pid set, or a negative errno.
 */
int harness_spawn_logged(char *const argv[], const char *log, pid_t *ret_pid) {
        pid_t parent = getpid(), pid;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int fd;

                if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
                        _exit(127);
                fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

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

static bool alive(pid_t pid) {
        return kill(pid, 0) == 0 || errno == EPERM;
}

/* SIGTERM, up to 5 s to go, then SIGKILL; our own children are reaped on the way (netpoold is the bus's) */
void harness_stop_process(pid_t pid) {
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

/**
 * harness_make_dir() - a new directory PREFIX.XXXXXX on /dev/shm when it is there (a tmpfs, as /run is where
 * netpoold keeps its state in production, and the sim's files are written thousands of times a second), else
 * in $TMPDIR
 *
 * Returns: 0 with *ret_dir set, or a negative errno with *ret_message set.
 */
int harness_make_dir(const char *prefix, char **ret_dir, char **ret_message) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir();
        g_autofree char *name = g_strconcat(prefix, ".XXXXXX", NULL);
        g_autofree char *template = g_build_filename(base, name, NULL);

        if (!mkdtemp(template)) {
                int r = -errno;

                *ret_message = g_strdup_printf("cannot make a directory in %s: %s", base, strerror(-r));
                return r;
        }
        *ret_dir = g_steal_pointer(&template);
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) remove(path);
        return 0;
}

void harness_remove_tree(const char *dir) {
        (void) nftw(dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* A "Field:   1234 kB" line of /proc/PID/status: -ESRCH when the process is gone */
int harness_proc_status_kib(pid_t pid, const char *field, uint64_t *ret) {
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

/* The CPU time PID spent so far, user and system, in seconds (/proc/PID/stat, clock ticks) */
int harness_proc_cpu_seconds(pid_t pid, double *ret) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
        g_autofree char *text = NULL;
        g_auto(GStrv) fields = NULL;
        const char *after_comm;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return -ESRCH;
        /* the command name may hold spaces: the fields are counted after its closing parenthesis */
        after_comm = strrchr(text, ')');
        if (!after_comm)
                return -EINVAL;
        fields = g_strsplit(after_comm + 2, " ", 0);
        if (g_strv_length(fields) < 13)
                return -EINVAL;
        /* state is field 3 of stat(5), fields[0] here: utime is field 14, stime 15 */
        *ret = (double) (g_ascii_strtoull(fields[11], NULL, 10) + g_ascii_strtoull(fields[12], NULL, 10)) /
               (double) sysconf(_SC_CLK_TCK);
        return 0;
}

/**
 * harness_simhost_build() - `netpool-simhost SIM --quiet --pf SPEC…`, one --pf per entry of the NULL-terminated
 * PF_SPECS (simhost.md's "name=eth0,bdf=…,model=…,vfs=…")
 *
 * Returns: 0, or a negative errno with *ret_message saying what failed (the generator's own words).
 */
int harness_simhost_build(const char *simhost, const char *sim, char *const pf_specs[], char **ret_message) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autoptr(GError) gerror = NULL;
        g_autofree char *err = NULL;
        int status;

        g_ptr_array_add(argv, (char *) simhost);
        g_ptr_array_add(argv, (char *) sim);
        g_ptr_array_add(argv, (char *) "--quiet");
        for (char *const *spec = pf_specs; *spec; spec++) {
                g_ptr_array_add(argv, (char *) "--pf");
                g_ptr_array_add(argv, *spec);
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
