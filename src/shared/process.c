/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes by pidfd */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>

#include "shared/fileio.h"
#include "shared/process.h"

int pidfd_get_pid(int pidfd, pid_t *ret) {
        g_autofree char *path = g_strdup_printf("/proc/self/fdinfo/%d", pidfd), *text = NULL;
        const char *line;
        long pid;

        if (pidfd < 0)
                return -EBADF;
        if (!g_file_get_contents(path, &text, NULL, NULL))
                return -EBADF;
        line = strstr(text, "\nPid:");
        if (!line || sscanf(line + strlen("\nPid:"), "%ld", &pid) != 1)
                return -EBADF;  /* an fd, but of something else than a process */
        if (pid <= 0)
                return -ESRCH;  /* -1: the process has exited (0: in another pid namespace) */
        *ret = (pid_t) pid;
        return 0;
}

int pidfd_open_pid(pid_t pid) {
        long fd = syscall(SYS_pidfd_open, pid, 0);

        return fd < 0 ? -errno : (int) fd;
}

int process_start_time(pid_t pid, uint64_t *ret) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid), *text = NULL, *value = NULL;
        const char *p;
        guint64 t;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return -ESRCH;
        /* after the command name in parentheses (which may hold anything): field 3 on, starttime is field 22 */
        p = strrchr(text, ')');
        if (!p)
                return -EIO;
        p++;
        for (int field = 3; field < 22; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EIO;
        }
        value = g_strndup(p + 1, strcspn(p + 1, " \n"));
        if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT64, &t, NULL))
                return -EIO;
        *ret = t;
        return 0;
}
