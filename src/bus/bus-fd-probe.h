/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether the caller of a method can receive a file descriptor in its reply */
#pragma once

#include "bus/bus-context.h"

/* 1 when m's caller takes fds; 0 when not known yet (m waits, and is dispatched again once it is known);
 * < 0 when it does not, with error set (InvalidArgument naming the option that wanted one). */
int bus_caller_takes_fds(BusContext *c, sd_bus_message *m, const char *option, sd_bus_error *error);
