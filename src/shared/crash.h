/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fault injection for the crash-safety tests: NETPOOL_CRASH_AT=<step> kills the process at that step */
#pragma once

/* If the environment variable NETPOOL_CRASH_AT names step, the process kills itself with SIGKILL here,
 * as a power cut or kill -9 would. Steps are listed in docs/ports.md. */
void crash_point(const char *step);
