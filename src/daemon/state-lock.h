/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state dir's lock: one netpoold per state dir, and a clear word when another one holds it */
#pragma once

#include <stdint.h>

/* Lock STATE/lock. An instance activated while an idle one is still exiting waits up to wait_usec for it
 * to go; a netpoold that keeps running is named (pid) and this one does not start. Returns the locked fd
 * (close it to unlock) or -errno, logged. */
int state_lock_take(const char *state_dir, uint64_t wait_usec);
