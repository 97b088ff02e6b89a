/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MACs of the live ports: a MAC held by one port is not handed to another (issue 19; a guest re-created
 * with its old MAC beside the old one is the device plugin's #685), unless both networks allow it */
#include "engine/engine-macs.h"

/* Every MAC the port puts on a VF: its own, and those of its <netdev port='N'> elements. */
static void port_macs(const PortDef *pd, const char *out[static 1 + PORT_NETDEV_MAX], size_t *ret_n) {
        size_t n = 0;

        if (pd->mac[0])
                out[n++] = pd->mac;
        for (size_t i = 0; i < PORT_NETDEV_MAX; i++)
                if (pd->netdevs[i].present && pd->netdevs[i].mac[0] && !streq(pd->netdevs[i].mac, pd->mac))
                        out[n++] = pd->netdevs[i].mac;
        *ret_n = n;
}

static void macs_change(Engine *e, Port *port, bool add) {
        const char *macs[1 + PORT_NETDEV_MAX];
        size_t n;

        port_macs(port->def, macs, &n);
        for (size_t i = 0; i < n; i++) {
                GPtrArray *holders = g_hash_table_lookup(e->macs, macs[i]);

                if (add) {
                        if (!holders) {
                                holders = g_ptr_array_new();
                                g_hash_table_insert(e->macs, g_strdup(macs[i]), holders);
                        }
                        g_ptr_array_add(holders, port);
                } else if (holders && g_ptr_array_remove_fast(holders, port) && holders->len == 0)
                        g_hash_table_remove(e->macs, macs[i]);
        }
}

void engine_macs_add(Engine *e, Port *port) {
        macs_change(e, port, true);
}

void engine_macs_remove(Engine *e, Port *port) {
        macs_change(e, port, false);
}

static bool network_allows_duplicates(Engine *e, const char *name) {
        Network *n = g_hash_table_lookup(e->networks, name);

        return n && n->def->duplicate_macs == TRISTATE_YES;
}

int engine_macs_check(Engine *e, const Network *n, const PortDef *pd, EngineError *err) {
        const char *macs[1 + PORT_NETDEV_MAX];
        bool allows = n->def->duplicate_macs == TRISTATE_YES;
        size_t count;

        port_macs(pd, macs, &count);
        for (size_t i = 0; i < count; i++) {
                GPtrArray *holders = g_hash_table_lookup(e->macs, macs[i]);

                for (guint k = 0; holders && k < holders->len; k++) {
                        const Port *h = holders->pdata[k];

                        if (streq(port_uuid(h), pd->uuid))
                                continue;       /* the port itself (Notify of a port in the books) */
                        if (allows && network_allows_duplicates(e, h->network))
                                continue;
                        return engine_fail(err, ENGINE_ERROR_INVALID_ARGUMENT, "MAC %s is held by port %s of "
                                           "network '%s'; a MAC is one port's unless both networks say "
                                           "<netpool:port-macs duplicates='allow'/>", macs[i], port_uuid(h),
                                           h->network);
                }
        }
        return 0;
}
