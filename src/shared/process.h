/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes by pidfd: which pid a pidfd names, and a process's start time, which tells it from a later one
 * with the same pid */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* The pid of the process pidfd refers to (from /proc/self/fdinfo: "Pid:"). -EBADF when fd is no pidfd,
 * -ESRCH when that process has exited already. */
int pidfd_get_pid(int pidfd, pid_t *ret);

/* A pidfd for pid (pidfd_open(2)); -errno. */
int pidfd_open_pid(pid_t pid);

/* The process's start time in clock ticks since boot (field 22 of /proc/PID/stat); -ESRCH when there is no such
 * process. */
int process_start_time(pid_t pid, uint64_t *ret);
