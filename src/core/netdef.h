/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network definition: the in-memory form of libvirt's <network> for forward-to-device networks */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/pci-addr.h"
#include "core/vf-params.h"
#include "core/virt-params.h"

typedef enum ForwardMode {
        FORWARD_MODE_BRIDGE,
        FORWARD_MODE_PRIVATE,
        FORWARD_MODE_VEPA,
        FORWARD_MODE_PASSTHROUGH,
        FORWARD_MODE_HOSTDEV,
        FORWARD_MODE_HYBRID,            /* pci-passthrough-hybrid */
        _FORWARD_MODE_MAX,
        _FORWARD_MODE_INVALID = -EINVAL,
} ForwardMode;

const char *forward_mode_to_string(ForwardMode m);
ForwardMode forward_mode_from_string(const char *s);
/* macvtap modes: private, vepa, bridge. A bridge network is macvtap only over a device pool
 * (see netdef_uses_macvtap()); without one it attaches to a host bridge. */
bool forward_mode_is_macvtap(ForwardMode m);
/* modes whose pool members are PCI addresses (hostdev, hybrid) */
bool forward_mode_uses_pci(ForwardMode m);

typedef enum ForwardDevType {
        FORWARD_DEV_NETDEV,             /* <interface dev=> */
        FORWARD_DEV_PCI,                /* <address type='pci'> */
        FORWARD_DEV_USB,                /* <address type='usb'> */
        _FORWARD_DEV_TYPE_MAX,
        _FORWARD_DEV_TYPE_INVALID = -EINVAL,
} ForwardDevType;

/* One member of a device pool: listed by the user, or expanded from a <pf> at Start. */
typedef struct ForwardDev {
        ForwardDevType type;
        char *netdev;                   /* FORWARD_DEV_NETDEV */
        PciAddr pci;                    /* FORWARD_DEV_PCI */
        unsigned usb_bus, usb_device;   /* FORWARD_DEV_USB */
        unsigned connections;           /* live view only */
} ForwardDev;

typedef struct PortGroup {
        char *name;
        bool is_default;
        Tristate trust_guest_rx_filters;
        Vlan *vlan;                     /* NULL when absent */
        VirtualPort *virtualport;       /* NULL when absent */
        Bandwidth *bandwidth;           /* NULL when absent */
        VfParams *vf;                   /* <netpool:vf>, NULL when absent */
        unsigned mtu;                   /* <mtu size=>, 0 when absent */
} PortGroup;

typedef struct NetDef {
        char *name;
        char uuid[37];                  /* canonical lower-case text form */
        bool uuid_generated;            /* the XML had no <uuid>: the parser made this one up */
        char *title;                    /* NULL when absent */
        char *description;              /* NULL when absent */
        char *metadata;                 /* the <metadata> element serialized verbatim, NULL when absent */
        Tristate trust_guest_rx_filters;

        ForwardMode mode;
        Tristate managed;               /* <forward managed=>; for hostdev absent means no, as in
                                         * libvirt (the formatter then writes managed='no') */
        char *driver_name;              /* <driver name=> */
        char *driver_model;             /* <driver model=> */
        char *hybrid_virtio_mode;       /* <virtio mode=> of a hybrid network (private, vepa, bridge); NULL = vepa */
        GPtrArray *pfs;                 /* char*, <pf dev=> names in order; never NULL */
        GArray *devs;                   /* ForwardDev; the explicit list, or the expanded pool when
                                         * pool_expanded is set; never NULL */
        bool pool_expanded;             /* devs were made from pfs at Start (live definitions only) */

        char *bridge_name;              /* <bridge name=> of a host-bridge network */
        char *mac_table_manager;        /* <bridge macTableManager=> ("kernel" or "libvirt") */

        Vlan *vlan;
        VirtualPort *virtualport;
        Bandwidth *bandwidth;
        VfParams *vf;                   /* <netpool:vf>, NULL when absent */
        unsigned mtu;                   /* <mtu size=>, 0 when absent */
        Tristate duplicate_macs;        /* <netpool:port-macs duplicates=>: YES 'allow', NO 'refuse', ABSENT
                                         * (refuse) */
        GPtrArray *portgroups;          /* PortGroup*; never NULL */
        Tristate port_isolated;         /* <port isolated=> */

        unsigned connections;           /* live view only */
} NetDef;

NetDef *netdef_new(void);
NetDef *netdef_free(NetDef *def);
NetDef *netdef_copy(const NetDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetDef, netdef_free);

void forward_dev_clear(ForwardDev *d);
PortGroup *portgroup_free(PortGroup *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PortGroup, portgroup_free);

/* The default portgroup, or NULL. */
const PortGroup *netdef_default_portgroup(const NetDef *def);
/* The portgroup called name; name NULL gives the default portgroup (as a port without
 * portgroup gets). NULL when there is none. */
const PortGroup *netdef_find_portgroup(const NetDef *def, const char *name);

/* The definition has a device pool (<pf> elements, or listed/expanded members). */
bool netdef_has_pool(const NetDef *def);
/* Ports of this network are macvtap devices: private, vepa, or bridge over a device pool. */
bool netdef_uses_macvtap(const NetDef *def);

/* Text id of a pool member: the netdev name, "DDDD:BB:SS.F", or "usb:BUS:DEV" (decimal). */
char *forward_dev_id(const ForwardDev *d);

/* Error detail of parse and validate: which element, where, what rule.  */
typedef struct NetDefError {
        unsigned line;                  /* 0 when not tied to a line */
        char *message;                  /* full human-readable message, incl. element and line */
} NetDefError;

void netdef_error_clear(NetDefError *e);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NetDefError, netdef_error_clear);

typedef enum NetDefParseFlags {
        NETDEF_PARSE_STATE = 1 << 0,    /* a live definition from the state dir: <pf> and an expanded
                                         * pool may both be present, connections='N' is read */
} NetDefParseFlags;

/* The largest document netdef_parse_xml() reads. */
#define NETDEF_XML_MAX (1024 * 1024)
int netdef_parse_xml(const char *xml, NetDefParseFlags flags, NetDef **ret, NetDefError *err);

/* netdef_peek_name() refuses a document whose </name> does not end within this many bytes. */
#define NETDEF_NAME_WITHIN (8 * 1024)
int netdef_peek_name(const char *xml, size_t len, char **ret_name, NetDefError *reterr_error);

typedef enum NetDefFormatFlags {
        NETDEF_FORMAT_INACTIVE = 1 << 0, /* the definition as given: an implicit pool shows only <pf>,
                                          * no connections */
} NetDefFormatFlags;

char *netdef_format_xml(const NetDef *def, NetDefFormatFlags flags);

int netdef_validate(const NetDef *def, NetDefError *err);
