/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File helpers: atomic writes and small reads */
#pragma once

#include <stddef.h>

/* Write data to dir/name atomically: temporary file in dir, fsync, rename, fsync of dir. */
int write_file_atomic(const char *dir, const char *name, const char *data, size_t len);

/* Read a whole file of at most max bytes; -EFBIG when larger. */
int read_file_full(const char *path, size_t max, char **ret, size_t *ret_len);

/* Read the first line of a small file, without its trailing newline. */
int read_one_line(const char *path, char **ret);

/* mkdir -p with mode 0755 */
int mkdir_parents(const char *path);

/* unlink that treats ENOENT as success, then fsyncs the directory */
int unlink_durable(const char *dir, const char *name);
