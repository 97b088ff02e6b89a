/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claim ids (engine-claim-id.h) */
#include "core/pci-addr.h"
#include "engine/engine-claim-id.h"

static char *claim_key(const char *network, const char *claim) {
        return g_strconcat(network, "\n", claim, NULL);         /* a network name has no newline */
}

void engine_claim_id_add(Engine *e, Port *port) {
        if (port->claim)
                g_hash_table_replace(e->claim_ports, claim_key(port->network, port->claim), port);
}

void engine_claim_id_remove(Engine *e, Port *port) {
        g_autofree char *key = port->claim ? claim_key(port->network, port->claim) : NULL;

        if (key && g_hash_table_lookup(e->claim_ports, key) == port)
                g_hash_table_remove(e->claim_ports, key);
}

Port *engine_lookup_claim(Engine *e, const Network *n, const char *claim) {
        g_autofree char *key = claim ? claim_key(network_name(n), claim) : NULL;

        return key ? g_hash_table_lookup(e->claim_ports, key) : NULL;
}

/* The option 'device' names held's device (any case of a PCI address). */
static bool same_device(const Port *held, const char *device) {
        char bdf[PCI_ADDR_STR_MAX];
        PciAddr addr;

        if (pci_addr_from_string(device, &addr) >= 0)
                device = pci_addr_to_string(&addr, bdf);
        return streq(held->device, device);
}

int engine_claim_id_check(Engine *e, const Port *held, const PortDef *pd, const AllocateOptions *o,
                          EngineError *err) {
        const char *differs = NULL;

        if (pd->uuid[0] && !streq(pd->uuid, port_uuid(held)))
                differs = "its port UUID";
        else if (!streq(pd->mac, held->def->mac))
                differs = "its MAC";
        else if (!streq(pd->owner_uuid, held->def->owner_uuid))
                differs = "its owner";
        else if (o->device && !same_device(held, o->device))
                differs = "option 'device'";
        else if (o->pf && !streq_ptr(o->pf, held->def->host.pf))
                differs = "option 'pf'";
        if (!differs)
                return 0;
        return engine_fail(err, ENGINE_ERROR_PORT_EXISTS, "claim '%s' on network '%s' holds port %s (MAC %s, device "
                           "'%s'); this request differs in %s", held->claim, held->network, port_uuid(held),
                           held->def->mac, held->device, differs);
}
