/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Corpus replay: feeds every file of the given corpus dirs (or files) to a fuzz target, one TAP line each */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz.h"

/* Targets that need set-up before the first input define it (libFuzzer calls it too). */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned tap_n;

static int compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void replay_file(const char *path) {
        g_autofree char *data = NULL;
        g_autoptr(GError) error = NULL;
        gsize len = 0;

        if (!g_file_get_contents(path, &data, &len, &error)) {
                printf("not ok %u - %s: %s\n", ++tap_n, path, error->message);
                return;
        }
        /* stdout goes first: a crash in the target then names the file it was at */
        printf("# %s (%zu bytes)\n", path, (size_t) len);
        fflush(stdout);
        (void) LLVMFuzzerTestOneInput((const uint8_t *) data, len);
        printf("ok %u - %s\n", ++tap_n, path);
}

static void replay_dir(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        while (d && (name = g_dir_read_name(d)))
                if (name[0] != '.')
                        g_ptr_array_add(names, g_build_filename(dir, name, NULL));
        g_ptr_array_sort(names, compare_strings);
        for (guint i = 0; i < names->len; i++)
                if (g_file_test(names->pdata[i], G_FILE_TEST_IS_REGULAR))
                        replay_file(names->pdata[i]);
}

int main(int argc, char **argv) {
        if (LLVMFuzzerInitialize)
                (void) LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++) {
                if (g_file_test(argv[i], G_FILE_TEST_IS_DIR))
                        replay_dir(argv[i]);
                else if (g_file_test(argv[i], G_FILE_TEST_EXISTS))
                        replay_file(argv[i]);
                else    /* the conformance data beside the tree may be missing */
                        printf("ok %u - %s # SKIP not found\n", ++tap_n, argv[i]);
        }
        printf("1..%u\n", tap_n);
        return 0;
}
