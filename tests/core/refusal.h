/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Refusal checks shared by the parser tests: the error names its line, and what was wrong */
#pragma once

#include "core/netdef.h"

/* err holds a message that starts "line N: " (when line > 0), has err->line == line, and contains needle. */
void assert_refusal_names(const NetDefError *err, unsigned line, const char *needle);
