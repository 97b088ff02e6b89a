/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers: temporary sim hosts made by running the generator, the way black-box tests would */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "hw/hw-sim.h"
#include "shared/fileio.h"
#include "hw-test-util.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return flag == FTW_DP ? rmdir(path) : unlink(path);
}

TestDir *test_dir_new(void) {
        TestDir *d = g_new0(TestDir, 1);

        d->path = g_dir_make_tmp("netpool-hw-XXXXXX", NULL);
        g_assert_nonnull(d->path);
        return d;
}

TestDir *test_dir_free(TestDir *d) {
        if (!d)
                return NULL;
        if (d->path)
                (void) nftw(d->path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
        g_free(d->path);
        g_free(d);
        return NULL;
}

int test_simhost_run(const char *const *args, char **ret_out, char **ret_err) {
        const char *simhost = g_getenv("NETPOOL_SIMHOST");
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        int status = -1;

        if (!simhost)
                g_error("NETPOOL_SIMHOST is not set: run the hw tests through meson test");
        g_ptr_array_add(argv, (gpointer) simhost);
        for (size_t i = 0; args[i]; i++)
                g_ptr_array_add(argv, (gpointer) args[i]);
        g_ptr_array_add(argv, NULL);
        if (!g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
                g_error("cannot run %s: %s", simhost, error->message);
        if (ret_out)
                *ret_out = g_steal_pointer(&out);
        if (ret_err)
                *ret_err = g_steal_pointer(&err);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static GPtrArray *collect_args(const char *first, va_list ap) {
        GPtrArray *args = g_ptr_array_new();

        for (const char *a = first; a; a = va_arg(ap, const char *))
                g_ptr_array_add(args, (gpointer) a);
        g_ptr_array_add(args, NULL);
        return args;
}

static void run_checked(GPtrArray *args) {
        g_autofree char *out = NULL, *err = NULL;
        int status = test_simhost_run((const char *const *) args->pdata, &out, &err);

        if (status != 0)
                g_error("netpool-simhost failed (%d): %s", status, err);
}

void test_simhost(const char *first, ...) {
        g_autoptr(GPtrArray) args = NULL;
        va_list ap;

        va_start(ap, first);
        args = collect_args(first, ap);
        va_end(ap);
        run_checked(args);
}

/* netpool-simhost DIR [--quiet] ARGS…: must succeed. */
static void sim_run_in(const char *dir, bool quiet, const char *first, va_list ap) {
        g_autoptr(GPtrArray) args = g_ptr_array_new();

        g_ptr_array_add(args, (gpointer) dir);
        if (quiet)
                g_ptr_array_add(args, (gpointer) "--quiet");
        for (const char *a = first; a; a = va_arg(ap, const char *))
                g_ptr_array_add(args, (gpointer) a);
        g_ptr_array_add(args, NULL);
        run_checked(args);
}

void test_sim_change(const TestDir *d, const char *first, ...) {
        va_list ap;

        va_start(ap, first);
        sim_run_in(d->path, /* quiet= */ false, first, ap);
        va_end(ap);
}

TestDir *test_sim_host(const char *first, ...) {
        TestDir *d = test_dir_new();
        va_list ap;

        va_start(ap, first);
        sim_run_in(d->path, /* quiet= */ true, first, ap);
        va_end(ap);
        return d;
}

HwBackend *test_sim_backend(const TestDir *d) {
        HwBackend *hw = NULL;

        g_assert_cmpint(hw_backend_new_sim(d->path, &hw), ==, 0);
        g_assert_nonnull(hw);
        return hw;
}

char *test_read_line(const char *dir, const char *rel) {
        g_autofree char *path = g_build_filename(dir, rel, NULL);
        char *line = NULL;

        if (read_one_line(path, &line) < 0)
                return NULL;
        return line;
}

PciAddr test_addr(const char *s) {
        PciAddr a;

        g_assert_cmpint(pci_addr_from_string(s, &a), ==, 0);
        return a;
}

gboolean test_have_pci_ids(void) {
        return g_file_test("/usr/share/misc/pci.ids", G_FILE_TEST_EXISTS);
}
