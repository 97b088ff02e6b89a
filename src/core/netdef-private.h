/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NetDef internals shared by its parser, validator and formatter: source lines and error setting */
#pragma once

#include <glib.h>

#include "core/netdef.h"
#include "shared/macro.h"

static inline const char *strempty(const char *s) {
        return s ? s : "";
}

/* Where the parser found each part, so that rules checked on the NetDef can name the line. */
typedef struct PortGroupLines {
        unsigned element, vlan, virtualport, bandwidth, vf, mtu;
} PortGroupLines;

typedef struct NetDefLines {
        unsigned network, name, uuid, title, forward, driver, virtio;
        unsigned bridge, vlan, virtualport, bandwidth, port, vf, mtu;
        GArray *pfs;                    /* unsigned, parallel to NetDef.pfs */
        GArray *devs;                   /* unsigned, parallel to NetDef.devs */
        GArray *portgroups;             /* PortGroupLines, parallel to NetDef.portgroups */
} NetDefLines;

NetDefLines *netdef_lines_new(void);
NetDefLines *netdef_lines_free(NetDefLines *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetDefLines, netdef_lines_free);

/* Fill err (may be NULL): line, and the message "line N: " + text (no prefix for line 0).
 * Returns error, so callers can "return netdef_error_setf(…)". */
int netdef_error_setf(NetDefError *err, int error, unsigned line, const char *fmt, ...) _printf_(4, 5);
/* Hand a message made by xml_node_msg() to err; the line is read back from it. Returns error. */
int netdef_error_take(NetDefError *err, int error, char *msg);

int netdef_validate_full(const NetDef *def, const NetDefLines *lines, NetDefError *err);
