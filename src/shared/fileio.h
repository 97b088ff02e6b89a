/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File helpers: atomic writes and small reads */
#pragma once

#include <stddef.h>

/* Durability is decided per directory (docs/architecture.md): */
/* Write data to dir/name atomically: a temporary file in dir, renamed over the name. A crash of the process
 * leaves the old or the new content, never a mix; for the state dir, a tmpfs that a power loss empties. */
int write_file_atomic(const char *dir, const char *name, const char *data, size_t len);
/* The same where dir/name does not exist yet: -EEXIST when it does (nothing written, the file left as it is).
 * The write tells, no look before it. */
int write_file_atomic_new(const char *dir, const char *name, const char *data, size_t len);
/* The same, surviving a power loss too: the file and the directory are fsynced. For the config dir. */
int write_file_durable(const char *dir, const char *name, const char *data, size_t len);

/* Read what fd gives up to its end, at most max bytes; -EFBIG when more. *ret ends in a NUL; ret_len
 * may be NULL. */
int read_fd_full(int fd, size_t max, char **ret, size_t *ret_len);
/* Read a whole file of at most max bytes; -EFBIG when larger. */
int read_file_full(const char *path, size_t max, char **ret, size_t *ret_len);

/* Read the first line of a small file, without its trailing newline. */
int read_one_line(const char *path, char **ret);

/* mkdir -p with mode 0755 */
int mkdir_parents(const char *path);

/* unlink that treats ENOENT as success */
int unlink_atomic(const char *dir, const char *name);
/* the same, then fsyncs the directory */
int unlink_durable(const char *dir, const char *name);
