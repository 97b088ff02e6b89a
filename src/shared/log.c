/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging to stderr: priority prefixes for the journal, the program's name for people */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "shared/log.h"

/* The one sink's settings: logging is process-wide by nature, as in systemd's log.c. */
static LogLevel max_level = LOG_LEVEL_INFO;
static const char *program;
static int to_journal = -1;     /* -1: not decided yet */

void log_set_max_level(LogLevel level) {
        max_level = level;
}

void log_set_program(const char *name) {
        program = name;
}

/* stderr is the journal's stream when JOURNAL_STREAM names it (systemd sets it for a unit's stdio): then
 * "<N>" priority prefixes, which journald turns into priorities; elsewhere (a terminal, a file, the stderr
 * of a dbus-daemon that activated us) the program's name, as people read it. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

/* All of buf to stderr: a short write goes on, an interrupted one again; a failure drops the rest (a log line
 * has nowhere else to go). */
static void write_stderr(const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = write(STDERR_FILENO, buf, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                buf += n;
                len -= (size_t) n;
        }
}

/* A line of prefix, the message and '\n' in one write(2): one syscall a line, and lines of processes that
 * share the stream do not interleave. Formatted as stdio would have it (errno is error for %m). */
static void log_line(const char *prefix, int error, const char *fmt, va_list ap) {
        char stack[1024], *buf = stack;
        g_autofree char *heap = NULL;
        size_t plen = strlen(prefix);
        va_list aq;
        int n;

        va_copy(aq, ap);
        errno = error;
        n = plen < sizeof(stack) ? vsnprintf(stack + plen, sizeof(stack) - plen, fmt, aq) :
                                   vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0)
                return;
        if (plen + (size_t) n + 1 > sizeof(stack)) {
                buf = heap = g_malloc(plen + (size_t) n + 2);
                errno = error;
                (void) vsnprintf(buf + plen, (size_t) n + 1, fmt, ap);
        }
        memcpy(buf, prefix, plen);
        buf[plen + (size_t) n] = '\n';
        write_stderr(buf, plen + (size_t) n + 1);
}

int log_full_errno(LogLevel level, int error, const char *fmt, ...) {
        static const int syslog_prio[] = { 3, 4, 5, 6, 7 };
        static const char *const label[] = { "error: ", "warning: ", "", "", "debug: " };
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                g_autofree char *prefix = NULL;
                va_list ap;

                if (to_journal < 0)
                        to_journal = stderr_is_journal();
                if (to_journal)
                        prefix = g_strdup_printf("<%d>", syslog_prio[level]);
                else
                        prefix = g_strconcat(program ?: "netpool", ": ", label[level], NULL);
                va_start(ap, fmt);
                log_line(prefix, error, fmt, ap);
                va_end(ap);
        }
        errno = saved;
        return -error;
}

void closep(int *fd) {
        if (fd && *fd >= 0) {
                close(*fd);
                *fd = -1;
        }
}
