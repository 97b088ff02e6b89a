/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpool-bench libvirt side when libvirt's development files were missing at configure time: none */
#include <errno.h>

#include <glib.h>

#include "tools/netpool-bench.h"

bool bench_libvirt_available(void) {
        return false;
}

int bench_libvirt_start(BenchLibvirt *lv, char **ret_message) {
        *ret_message = g_strdup("netpool-bench was built without libvirt");
        return -EOPNOTSUPP;
}

void bench_libvirt_clear(BenchLibvirt *lv) {
}
