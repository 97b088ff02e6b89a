/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl monitor: netpoold's signals as one timestamped line per event */
#pragma once

#include "ctl/netpoolctl-verb.h"

/* monitor; ends with an entry whose name is NULL. */
extern const Verb monitor_verbs[];
