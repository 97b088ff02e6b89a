/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* netpoolctl port verbs: the verb table, and the port XML netpoolctl writes and reads */
#pragma once

#include <stdbool.h>

#include <glib.h>

#include "ctl/netpoolctl-verb.h"

/* allocate, notify, release, ports, port-dumpxml; ends with an entry whose name is NULL. */
extern const Verb port_verbs[];

/* The owner name allocate puts in a port when --owner is not given. */
#define PORT_OWNER_NAME_DEFAULT "netpoolctl"

/* What allocate asks for when it builds the <networkport> itself. */
typedef struct PortRequest {
        const char *owner_name;
        const char *owner_uuid;
        const char *mac;
        int vlan;                       /* -1: no <vlan> */
} PortRequest;

/* A <networkport> without uuid and plug, for Network.Allocate; text is escaped. */
char *port_request_format_xml(const PortRequest *req);

/* "52:54:00:xx:xx:xx" with three random octets: libvirt's prefix, locally administered unicast. */
char *port_random_mac(void);

/* A claim id as the daemon takes it (dbus-api.md 1.1): 1 to PORT_CLAIM_MAX printable ASCII characters. */
#define PORT_CLAIM_MAX 255
bool port_claim_id_is_valid(const char *claim);

/* What allocate --claim sends when --mac or --owner-uuid is not given: derived from the network's name and the
 * claim, so that the same command line is the same request ("52:54:00:xx:xx:xx"; the version 5 UUID of the name
 * "owner\nNETWORK\nCLAIM" in netpool's namespace 76d6a347-defd-417c-9807-ac78b9a10540). */
char *port_claim_mac(const char *network, const char *claim);
char *port_claim_owner_uuid(const char *network, const char *claim);

/* What the verbs print about a port, read from its Port object's properties (dbus-api.md). */
typedef struct PortSummary {
        char *uuid;
        char *mac;
        char *plug_type;                /* NULL when the port has no plug */
        char *netdev;                   /* Device: the macvtap lower device, the bridge, or the VF's netdev */
        char *pci_address;              /* PCIAddress: DDDD:BB:SS.F of a hostdev-pci or hybrid plug */
} PortSummary;

void port_summary_clear(PortSummary *summary);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PortSummary, port_summary_clear)

/* Take the value of one of the Port's string properties (UUID, MAC, PlugType, Device, PCIAddress; others
 * are ignored) into summary; "" (the property's "none") is NULL there. */
void port_summary_set(PortSummary *summary, const char *property, const char *value);

/* The device the port is plugged into, as Manager.ListPorts names it: a PCI plug's address, else the
 * netdev; NULL when there is neither. */
const char *port_summary_device(const PortSummary *summary);
