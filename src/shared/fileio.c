/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File helpers: atomic writes and small reads */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "shared/fileio.h"
#include "shared/macro.h"

#define ONE_LINE_MAX 4096

static int fsync_dir(const char *dir) {
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

static int write_all(int fd, const char *data, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, data, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += n;
                len -= (size_t) n;
        }
        return 0;
}

/* getpid() once per process: a child made by fork() (g_spawn's, which execs) asks again */
static pid_t cached_pid;

static void forget_pid(void) {
        cached_pid = 0;
}

static pid_t own_pid(void) {
        static bool registered;

        if (!registered) {
                (void) pthread_atfork(NULL, NULL, forget_pid);
                registered = true;
        }
        if (cached_pid == 0)
                cached_pid = getpid();
        return cached_pid;
}

/* Whether a file created 0644 may come out narrower: the umask (read once from /proc/self/status; netpool changes
 * it only around the private socket's bind(), where no file is written) takes bits of 0644. When it cannot be
 * read, assume it does. */
static bool umask_narrows_0644(void) {
        static int narrows = -1;

        if (narrows < 0) {
                g_autofree char *status = NULL;
                const char *line;
                unsigned mask;

                narrows = 1;
                if (read_file_full("/proc/self/status", 64 * 1024, &status, NULL) >= 0 &&
                    (line = strstr(status, "\nUmask:")) && sscanf(line + strlen("\nUmask:"), "%o", &mask) == 1)
                        narrows = (mask & 0644) != 0;
        }
        return narrows;
}

/* The temporary file of this process for dir/name: ".#<name>.<pid>" (what mkostemp() gives, without its
 * random tries). No other live process uses that name; one left with it is a dead process's, and goes.
 * Temporaries a crash leaves behind are removed at start (store.c, vf-record.c). */
static int open_temporary(const char *dir, const char *name, char **ret) {
        g_autofree char *tmp = g_strdup_printf("%s/.#%s.%ld", dir, name, (long) own_pid());

        for (unsigned tries = 0; tries < 2; tries++) {
                int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);

                if (fd >= 0) {
                        *ret = g_steal_pointer(&tmp);
                        return fd;
                }
                if (errno != EEXIST || unlink(tmp) < 0)
                        return -errno;
        }
        return -EEXIST;
}

/* The temporary file in as path: over what is there, or (noreplace) only where nothing is (-EEXIST). A file system
 * without RENAME_NOREPLACE is asked first (the daemon is the only writer of its state dir). */
static int commit_temporary(const char *tmp, const char *path, bool noreplace) {
        if (!noreplace)
                return rename(tmp, path) < 0 ? -errno : 0;
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        if (access(path, F_OK) >= 0)
                return -EEXIST;
        return rename(tmp, path) < 0 ? -errno : 0;
}

static int write_file(const char *dir, const char *name, const char *data, size_t len, bool durable,
                      bool noreplace) {
        g_autofree char *tmp = NULL;
        g_autofree char *path = g_build_filename(dir, name, NULL);
        _cleanup_(closep) int fd = -1;
        int r;

        fd = open_temporary(dir, name, &tmp);
        if (fd < 0)
                return fd;
        r = write_all(fd, data, len);
        /* the mode is 0644 whatever the umask says (created 0644: only a umask that takes bits needs the chmod) */
        if (r >= 0 && umask_narrows_0644() && fchmod(fd, 0644) < 0)
                r = -errno;
        if (r >= 0 && durable && fsync(fd) < 0)
                r = -errno;
        if (r >= 0)
                r = commit_temporary(tmp, path, noreplace);
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        return durable ? fsync_dir(dir) : 0;
}

int write_file_atomic(const char *dir, const char *name, const char *data, size_t len) {
        return write_file(dir, name, data, len, /* durable= */ false, /* noreplace= */ false);
}

int write_file_atomic_new(const char *dir, const char *name, const char *data, size_t len) {
        return write_file(dir, name, data, len, /* durable= */ false, /* noreplace= */ true);
}

int write_file_durable(const char *dir, const char *name, const char *data, size_t len) {
        return write_file(dir, name, data, len, /* durable= */ true, /* noreplace= */ false);
}

int read_fd_full(int fd, size_t max, char **ret, size_t *ret_len) {
        size_t len = 0, size = 4096;
        g_autofree char *buf = g_malloc(size + 1);

        for (;;) {
                ssize_t n;

                if (len == size) {
                        if (size > max)
                                return -EFBIG;
                        size *= 2;
                        buf = g_realloc(buf, size + 1);
                }
                n = read(fd, buf + len, size - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        if (len > max)
                return -EFBIG;
        buf[len] = 0;
        if (ret_len)
                *ret_len = len;
        *ret = g_steal_pointer(&buf);
        return 0;
}

int read_file_full(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return read_fd_full(fd, max, ret, ret_len);
}

/* One read: a file of one line (a sysfs attribute, a sim value) comes whole from sysfs, procfs and tmpfs, and a
 * short read of a regular file is its end, so the read that would return 0 is not made. */
int read_one_line(const char *path, char **ret) {
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        g_autofree char *buf = NULL;
        ssize_t n;

        if (fd < 0)
                return -errno;
        buf = g_malloc(ONE_LINE_MAX + 2);
        do
                n = read(fd, buf, ONE_LINE_MAX + 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if (n > ONE_LINE_MAX)
                return -EFBIG;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        *ret = g_steal_pointer(&buf);
        return 0;
}

int mkdir_parents(const char *path) {
        if (g_mkdir_with_parents(path, 0755) < 0)
                return -errno;
        return 0;
}

int unlink_atomic(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int unlink_durable(const char *dir, const char *name) {
        int r = unlink_atomic(dir, name);

        return r < 0 ? r : fsync_dir(dir);
}
