/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AllocateWithOptions: its a{sv} of options read into the engine's AllocateOptions, and its a{sv} results */
#pragma once

#include "bus/bus-context.h"

/* Read the options array at m's read position. Strings are borrowed from m. An unknown key, a known key of
 * the wrong type, a key given twice, or a value out of range: InvalidArgument naming it; a key of a later
 * issue not served yet: Unsupported. Returns 0 or a negative sd-bus error with error set. */
int bus_read_allocate_options(sd_bus_message *m, AllocateOptions *ret, sd_bus_error *error);

/* The results of an allocation: what the port shows that applies, and the tap fd (>= 0) when asked for. */
int bus_append_allocate_results(sd_bus_message *reply, Engine *e, const Port *port, bool existing, int tap_fd);
