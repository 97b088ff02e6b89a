/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault injection for the crash-safety tests: NETPOOL_CRASH_AT=<step> kills the process at that step */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "shared/crash.h"

void crash_point(const char *step) {
        const char *at = getenv("NETPOOL_CRASH_AT");

        if (at && strcmp(at, step) == 0)
                raise(SIGKILL);
}
