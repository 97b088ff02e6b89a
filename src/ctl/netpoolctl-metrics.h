/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl metrics: netpoold's state and counters in the Prometheus text format */
#pragma once

#include <stdint.h>

#include <glib.h>

#include "ctl/netpoolctl-verb.h"

/* metrics; ends with an entry whose name is NULL. */
extern const Verb metrics_verbs[];

/* ---- netpoolctl-metrics-text.c: the Prometheus text exposition format, version 0.0.4 ---- */

typedef enum MetricType {
        METRIC_GAUGE,
        METRIC_COUNTER,
} MetricType;

/* "# HELP NAME HELP" and "# TYPE NAME TYPE": opens a family, whose samples must follow. */
void metrics_append_family(GString *out, const char *name, MetricType type, const char *help);

/* One sample: NAME{L1="V1",...} VALUE. labels holds name, value, name, value, ..., NULL (or is NULL
 * for none); values are escaped here. */
void metrics_append_sample(GString *out, const char *name, const char *const *labels, uint64_t value);
/* A time given in µs since the epoch, written in seconds with its fraction. */
void metrics_append_sample_seconds(GString *out, const char *name, const char *const *labels,
                                   uint64_t usec);

