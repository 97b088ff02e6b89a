/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging to stderr with syslog-style priority prefixes, which journald understands */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shared/log.h"

static LogLevel max_level = LOG_LEVEL_INFO;

void log_set_max_level(LogLevel level) {
        max_level = level;
}

void log_set_program(const char *name) {
        (void) name; /* kept for symmetry; stderr goes to the journal with the unit's name */
}

int log_full_errno(LogLevel level, int error, const char *fmt, ...) {
        static const int syslog_prio[] = { 3, 4, 5, 6, 7 };
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                va_list ap;

                errno = error;
                fprintf(stderr, "<%d>", syslog_prio[level]);
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
