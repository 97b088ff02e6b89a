/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl network verbs: the verb table and what its files share */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

#include "ctl/netpoolctl-bus.h"
#include "ctl/netpoolctl-verb.h"

/* The network verbs, ending with an entry whose name is NULL. */
extern const Verb network_verbs[];

/* A network as the verbs address it: its object and its own name, for messages. */
typedef struct NetworkRef {
        char *path;
        char *name;
} NetworkRef;

void network_ref_clear(NetworkRef *ref);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NetworkRef, network_ref_clear)

/* ctl_connect() + network_resolve(), how every per-network verb begins. */
int network_open(Ctl *ctl, const char *name_or_uuid, sd_bus **ret_bus, NetworkRef *ret);

int read_definition(const char *file, size_t max_bytes, char **ret);

/* The <name> of a <network> document, for messages before the daemon has named it: read by
 * netdef_peek_name(), as the daemon reads it; NULL where the daemon would not find a valid name. */
char *network_xml_peek_name(const char *xml);

/* One network as ListNetworks and Properties.GetAll describe it. */
typedef struct CtlNetworkRow {
        char *name;
        char *uuid;
        char *mode;
        char *object;
        int active;
        int persistent;
        int autostart;
        uint32_t connections;
        uint32_t capacity;
        uint32_t available;             /* GetAll only */
} CtlNetworkRow;

void ctl_network_row_free(CtlNetworkRow *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlNetworkRow, ctl_network_row_free)

/* Reads the a(sssbbbuuo) of ListNetworks into networks (CtlNetworkRow*, which it frees). */
int network_list_read(sd_bus_message *reply, GPtrArray *networks);

/* One entry of GetDevices' a(ssssisus). */
typedef struct CtlDeviceRow {
        const char *id;
        const char *netdev;
        const char *pci_address;
        const char *pf;
        int32_t vf_index;               /* -1: not a VF */
        const char *state;
        uint32_t connections;
        const char *port_uuid;          /* "": no port */
} CtlDeviceRow;

/* Reads the a(ssssisus) of GetDevices into devices (of CtlDeviceRow). Strings point into the reply,
 * which must outlive the array. */
int device_list_read(sd_bus_message *reply, GArray *devices);

/* netpoolctl-network-list.c: the read-only listings */
int verb_list(Ctl *ctl, const VerbArgs *args);
int verb_info(Ctl *ctl, const VerbArgs *args);
int verb_devices(Ctl *ctl, const VerbArgs *args);
