/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state dir's lock: one netpoold per state dir, and a clear word when another one holds it */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "daemon/state-lock.h"
#include "shared/fileio.h"
#include "shared/log.h"

#define STATE_LOCK_POLL_USEC (20 * 1000)

/* The pid holding a flock on the file open as fd, from /proc/locks; 0 when not found. */
static long lock_holder_pid(int fd) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        struct stat st;

        if (fstat(fd, &st) < 0 || !g_file_get_contents("/proc/locks", &text, NULL, NULL))
                return 0;
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                unsigned maj, min;
                unsigned long long ino;
                char kind[16];
                long pid;

                /* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" */
                if (sscanf(*l, "%*s %15s %*s %*s %ld %x:%x:%llu", kind, &pid, &maj, &min, &ino) == 5 &&
                    g_str_equal(kind, "FLOCK") && ino == (unsigned long long) st.st_ino &&
                    makedev(maj, min) == st.st_dev && pid != (long) getpid())
                        return pid;
        }
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int state_lock_take(const char *state_dir, uint64_t wait_usec) {
        g_autofree char *path = g_build_filename(state_dir, "lock", NULL);
        _cleanup_(closep) int fd = -1;
        uint64_t deadline = now_usec() + wait_usec;
        long holder = 0;
        int r;

        r = mkdir_parents(state_dir);
        if (r < 0)
                return log_error_errno(r, "cannot create state dir '%s': %m", state_dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return log_error_errno(errno, "cannot open '%s': %m", path);
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EINTR)
                        continue;
                if (errno != EWOULDBLOCK)
                        return log_error_errno(errno, "cannot lock '%s': %m", path);
                if (!holder) {
                        holder = lock_holder_pid(fd);
                        log_info("state dir '%s' is held by another netpoold (pid %ld); waiting for it to exit",
                                 state_dir, holder);
                }
                if (now_usec() >= deadline)
                        return log_error_errno(EBUSY, "another netpoold (pid %ld) is running on state dir '%s' "
                                               "(and owns org.netpool1 if it is on this bus); not starting a "
                                               "second one: stop it first, or give this one its own "
                                               "--state-dir", holder, state_dir);
                (void) usleep(STATE_LOCK_POLL_USEC);
        }
        r = fd;
        fd = -1;
        return r;
}
