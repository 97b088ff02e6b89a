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

/* Whether text has the shape the daemon reads: six groups of one or two hex digits, ':' between.
 * netpoolctl also refuses multicast and all-zero ones itself, naming --mac (the daemon would name the
 * port XML, which the user did not write). */
bool port_mac_is_wellformed(const char *text);
/* On a well-formed MAC: the group bit (lowest bit of the first octet) is set. */
bool port_mac_is_multicast(const char *text);
/* On a well-formed MAC: every octet is zero. */
bool port_mac_is_zero(const char *text);

/* 8-4-4-4-12 hex digits or 32 hex digits, the forms port XML takes. */
bool port_uuid_is_wellformed(const char *text);

/* A VLAN id: decimal 0-4095. -EINVAL otherwise. */
int port_parse_vlan(const char *text, unsigned *ret);

/* What the verbs print about a port, read from the <networkport> the daemon returns. */
typedef struct PortSummary {
        char *uuid;
        char *mac;
        char *plug_type;                /* NULL when there is no <plug> */
        char *device;                   /* direct: the netdev; bridge, network: the bridge;
                                         * hostdev-pci, hybrid: the PCI address DDDD:BB:SS.F */
} PortSummary;

void port_summary_clear(PortSummary *summary);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PortSummary, port_summary_clear)

/* Reads xml, which must be a <networkport> document. -EBADMSG when it is not. */
int port_summary_parse(const char *xml, PortSummary *ret);
