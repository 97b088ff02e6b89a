/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging to stderr: priority prefixes for the journal, the program's name for people */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

int log_full_errno(LogLevel level, int error, const char *fmt, ...) {
        static const int syslog_prio[] = { 3, 4, 5, 6, 7 };
        static const char *const label[] = { "error: ", "warning: ", "", "", "debug: " };
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                va_list ap;

                if (to_journal < 0)
                        to_journal = stderr_is_journal();
                errno = error;
                if (to_journal)
                        fprintf(stderr, "<%d>", syslog_prio[level]);
                else
                        fprintf(stderr, "%s: %s", program ?: "netpool", label[level]);
                va_start(ap, fmt);
                vfprintf(stderr, fmt, ap);
                va_end(ap);
                fputc('\n', stderr);
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
