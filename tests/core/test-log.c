/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log sink: each line as stdio wrote it (program, level label, message, newline), short and long, %m
 * included, written whole in one piece. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "shared/log.h"

/* What fn logs to stderr, captured through a file */
static char *capture(void (*fn)(void)) {
        g_autofree char *path = NULL, *text = NULL;
        int fd = g_file_open_tmp("test-log-XXXXXX", &path, NULL), saved = dup(STDERR_FILENO);

        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(saved, >=, 0);
        g_assert_cmpint(dup2(fd, STDERR_FILENO), ==, STDERR_FILENO);
        fn();
        g_assert_cmpint(dup2(saved, STDERR_FILENO), ==, STDERR_FILENO);
        close(saved);
        close(fd);
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_unlink(path);
        return g_steal_pointer(&text);
}

static void log_some(void) {
        g_autofree char *long_text = g_strnfill(3000, 'x');

        log_set_program("prog");
        log_info("network '%s': port %s allocated", "bench", "0001");
        log_warning_errno(-ENOENT, "cannot read %s: %m", "a file");
        log_error("%s|", long_text);
        log_debug("not shown at the default level");
        errno = EBADF;
        log_notice("errno %s", "kept");
}

static void test_lines(void) {
        g_autofree char *got = capture(log_some);
        g_autofree char *long_text = g_strnfill(3000, 'x');
        g_autofree char *want = g_strdup_printf("prog: network 'bench': port 0001 allocated\n"
                                                "prog: warning: cannot read a file: %s\n"
                                                "prog: error: %s|\n"
                                                "prog: errno kept\n", g_strerror(ENOENT), long_text);

        g_assert_cmpstr(got, ==, want);
}

static void test_errno_kept(void) {
        errno = EBADF;
        g_assert_cmpint(log_full_errno(LOG_LEVEL_DEBUG, ENOENT, "x"), ==, -ENOENT);
        g_assert_cmpint(errno, ==, EBADF);
}

int main(int argc, char **argv) {
        g_unsetenv("JOURNAL_STREAM");
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/log/lines", test_lines);
        g_test_add_func("/log/errno-kept", test_errno_kept);
        return g_test_run();
}
