/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz targets: libFuzzer's entry points and what every target shares */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

/* Inputs larger than this are ignored: the parsers' own limits are tested elsewhere, and the fuzzer
 * should spend its time on structure, not on size. */
#define FUZZ_INPUT_MAX (64 * 1024)

/* Called by libFuzzer (or replay.c) once per input; returns 0. A finding aborts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (what the parsers take; an embedded NUL ends it). */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
        return g_strndup((const char *) data, size);
}

/* A finding of an oracle (not of a sanitizer): say what broke and abort, so the fuzzer keeps the input. */
#define fuzz_check(expr, ...)                                                   \
        do {                                                                    \
                if (!(expr)) {                                                  \
                        fprintf(stderr, "fuzz: check failed: %s: ", #expr);     \
                        fprintf(stderr, __VA_ARGS__);                           \
                        fputc('\n', stderr);                                    \
                        abort();                                                \
                }                                                               \
        } while (0)

/* A private temporary directory for targets that need files, made on first use and removed at exit. */
const char *fuzz_tmpdir(void);

/* Reads the whole file (at most FUZZ_INPUT_MAX * 4 bytes); aborts when it cannot. */
char *fuzz_read_file(const char *path);
