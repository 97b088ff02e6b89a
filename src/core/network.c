/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network: a definition with its runtime state (active, persistent, autostart, pool) */
#include "core/network.h"

Network *network_new(NetDef *def) {
        Network *n = g_new0(Network, 1);

        n->def = def;
        return n;
}

Network *network_free(Network *n) {
        if (!n)
                return NULL;
        netdef_free(n->def);
        netdef_free(n->new_def);
        pool_free(n->pool);
        g_free(n);
        return NULL;
}

const char *network_name(const Network *n) {
        return n->def->name;
}

const char *network_uuid(const Network *n) {
        return n->def->uuid;
}

/* The persistent definition as given (what INACTIVE shows). */
static const NetDef *network_inactive_def(const Network *n) {
        return n->new_def ?: n->def;
}

bool network_has_pool(const NetDef *def) {
        return !(def->mode == FORWARD_MODE_BRIDGE && def->devs->len == 0 && def->pfs->len == 0);
}

bool network_is_exclusive(const NetDef *def) {
        if (def->mode == FORWARD_MODE_PRIVATE)
                return def->virtualport && def->virtualport->type == VIRTUALPORT_8021QBH;
        return def->mode == FORWARD_MODE_PASSTHROUGH || def->mode == FORWARD_MODE_HOSTDEV ||
               def->mode == FORWARD_MODE_HYBRID;
}

unsigned network_connections(const Network *n) {
        return n->pool ? pool_connections(n->pool) : n->def->connections;
}

unsigned network_capacity(const Network *n) {
        if (n->pool)
                return pool_capacity(n->pool);
        /* inactive: what the definition lists; an implicit pool is unknown until Start */
        return n->active ? 0 : n->def->devs->len;
}

unsigned network_available(const Network *n) {
        return n->pool ? pool_available(n->pool) : 0;
}

char *network_format_xml(const Network *n, bool inactive) {
        g_autoptr(NetDef) live = NULL;

        if (inactive)
                return netdef_format_xml(network_inactive_def(n), NETDEF_FORMAT_INACTIVE);
        if (!n->pool)
                return netdef_format_xml(n->def, 0);
        /* connection counts live in the pool; show them through a copy of the definition */
        live = netdef_copy(n->def);
        pool_to_forward_devs(n->pool, live);
        return netdef_format_xml(live, 0);
}
