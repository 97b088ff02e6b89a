/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target helpers: a private temporary directory, removed at exit */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "shared/fileio.h"

static char *tmpdir;

/* rm -rf without following symlinks */
static void remove_tree(const char *path) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return;
        if (S_ISDIR(st.st_mode)) {
                g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
                const char *name;

                while (d && (name = g_dir_read_name(d))) {
                        g_autofree char *child = g_build_filename(path, name, NULL);

                        remove_tree(child);
                }
                (void) rmdir(path);
        } else
                (void) unlink(path);
}

static void remove_tmpdir(void) {
        if (tmpdir)
                remove_tree(tmpdir);
        g_clear_pointer(&tmpdir, g_free);
}

const char *fuzz_tmpdir(void) {
        if (!tmpdir) {
                tmpdir = g_dir_make_tmp("netpool-fuzz-XXXXXX", NULL);
                fuzz_check(tmpdir, "cannot make a temporary directory: %s", g_strerror(errno));
                atexit(remove_tmpdir);
        }
        return tmpdir;
}

char *fuzz_read_file(const char *path) {
        char *text = NULL;
        int r;

        r = read_file_full(path, FUZZ_INPUT_MAX * 4, &text, NULL);
        fuzz_check(r >= 0, "%s: %s", path, g_strerror(-r));
        return text;
}
