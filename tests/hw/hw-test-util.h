/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers: sim hosts built by the real netpool-simhost in temporary directories */
#pragma once

#include <glib.h>

#include "hw/hw.h"

/* A temporary directory, removed with everything in it when freed. */
typedef struct TestDir {
        char *path;
} TestDir;

TestDir *test_dir_new(void);
TestDir *test_dir_free(TestDir *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestDir, test_dir_free);

/* Runs netpool-simhost (path from $NETPOOL_SIMHOST) with the NULL-terminated args; returns its
 * exit status, with its output in *ret_out and *ret_err when those are given. */
int test_simhost_run(const char *const *args, char **ret_out, char **ret_err);

/* test_simhost_run() that must succeed; args as varargs, NULL-terminated. */
void test_simhost(const char *first, ...) G_GNUC_NULL_TERMINATED;

/* A new temporary dir with a sim host built from the NULL-terminated generator args after DIR. */
TestDir *test_sim_host(const char *first, ...) G_GNUC_NULL_TERMINATED;

/* A change to the sim host in d (netpool-simhost d ARGS…, NULL-terminated), as a hypervisor, a hot-plug or a
 * driver fault would make it; asserts success. */
void test_sim_change(const TestDir *d, const char *first, ...) G_GNUC_NULL_TERMINATED;

/* The sim backend on a test dir; asserts success. */
HwBackend *test_sim_backend(const TestDir *d);

/* Contents of DIR/rel, first line, without the newline; NULL when missing. */
char *test_read_line(const char *dir, const char *rel);

/* The PCI address s, asserted valid. */
PciAddr test_addr(const char *s);

/* Whether pci.ids is there for name lookups (names are only checked then). */
gboolean test_have_pci_ids(void);
