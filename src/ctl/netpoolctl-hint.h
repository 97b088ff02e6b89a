/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl hints: after a failure, the next step in the user's own commands */
#pragma once

#include <systemd/sd-bus.h>

/* ctl_report_error(), then the next step for the daemon's error on that network (NULL: none named), e.g.
 * "netpoolctl: hint: start it first: netpoolctl start NET". Returns CTL_EXIT_FAILURE. */
int ctl_report_network_error(sd_bus *bus, const char *action, const char *network, const sd_bus_error *error,
                             int r);


/* The edit distance between a and b (bytes), capped at max + 1. */
unsigned ctl_edit_distance(const char *a, const char *b, unsigned max);

/* The name among candidates (NULL-terminated) closest to wanted, if close enough to be a typo, or NULL. */
const char *ctl_closest_name(const char *wanted, const char *const *candidates);
