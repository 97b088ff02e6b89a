/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port definition: the in-memory form of libvirt's <networkport>, with netpool's hybrid plug and per-port netdevs */
#pragma once

#include <stdbool.h>

#include <glib.h>

#include "core/netdef.h"
#include "core/pci-addr.h"
#include "core/virt-params.h"

/* How the port is plugged into the host; NONE until Allocate picks a device. */
typedef enum PortPlugType {
        PORT_PLUG_NONE = 0,             /* no <plug> */
        PORT_PLUG_NETWORK,              /* libvirt's 'network': a bridge the network driver made */
        PORT_PLUG_BRIDGE,               /* a host bridge */
        PORT_PLUG_DIRECT,               /* a macvtap over a netdev */
        PORT_PLUG_HOSTDEV_PCI,          /* a PCI device (VF) handed to the guest */
        PORT_PLUG_HYBRID,               /* netpool's own: a VF plus a macvtap path over its PF */
        _PORT_PLUG_TYPE_MAX,
        _PORT_PLUG_TYPE_INVALID = -EINVAL,
} PortPlugType;

/* NONE <-> "none" (never written: a port without plug has no <plug>) */
const char *port_plug_type_to_string(PortPlugType t);
PortPlugType port_plug_type_from_string(const char *s);

/* macvtap modes, in libvirt's order: the first is what an absent mode means */
typedef enum PortMacvtapMode {
        PORT_MACVTAP_VEPA = 0,
        PORT_MACVTAP_PRIVATE,
        PORT_MACVTAP_BRIDGE,
        PORT_MACVTAP_PASSTHROUGH,       /* direct only; a hybrid port's PF is shared, never passed through */
        _PORT_MACVTAP_MODE_MAX,
        _PORT_MACVTAP_MODE_INVALID = -EINVAL,
} PortMacvtapMode;

const char *port_macvtap_mode_to_string(PortMacvtapMode m);
PortMacvtapMode port_macvtap_mode_from_string(const char *s);

typedef enum PortMacTableManager {
        PORT_MAC_TABLE_MANAGER_DEFAULT = 0,     /* no macTableManager attribute */
        PORT_MAC_TABLE_MANAGER_KERNEL,
        PORT_MAC_TABLE_MANAGER_LIBVIRT,
        _PORT_MAC_TABLE_MANAGER_MAX,
        _PORT_MAC_TABLE_MANAGER_INVALID = -EINVAL,
} PortMacTableManager;

/* DEFAULT <-> NULL; from_string takes only "kernel" and "libvirt" */
const char *port_mac_table_manager_to_string(PortMacTableManager m);
PortMacTableManager port_mac_table_manager_from_string(const char *s);

/* The host driver of a handed-over PCI device: <driver name=> in the plug */
typedef enum PortPciDriver {
        PORT_PCI_DRIVER_NONE = 0,       /* no <driver> */
        PORT_PCI_DRIVER_KVM,
        PORT_PCI_DRIVER_VFIO,
        PORT_PCI_DRIVER_XEN,
        _PORT_PCI_DRIVER_MAX,
        _PORT_PCI_DRIVER_INVALID = -EINVAL,
} PortPciDriver;

/* NONE <-> NULL; from_string takes only "kvm", "vfio" and "xen" */
const char *port_pci_driver_to_string(PortPciDriver d);
PortPciDriver port_pci_driver_from_string(const char *s);

/* The <plug> attributes and children; which ones a type uses is in the comments. */
typedef struct PortPlug {
        char *dev;                      /* DIRECT: the macvtap's link device; HYBRID: the PF */
        PortMacvtapMode mode;           /* DIRECT; HYBRID (vepa, private or bridge) */
        char *bridge;                   /* BRIDGE, NETWORK */
        PortMacTableManager mac_table_manager;  /* BRIDGE, NETWORK */
        Tristate managed;               /* HOSTDEV_PCI, HYBRID */
        PortPciDriver driver;           /* HOSTDEV_PCI, HYBRID */
        PciAddr address;                /* HOSTDEV_PCI, HYBRID (required there) */
} PortPlug;

/* <netdev port='N'>: settings of one netdev of a device that carries two (dual-port VFs) */
#define PORT_NETDEV_MAX 2

typedef struct PortNetdev {
        bool present;                   /* the element was given */
        char mac[18];                   /* normalized; "" when absent */
        Vlan *vlan;                     /* NULL when absent */
} PortNetdev;

/* <netpool:plug>: what netpoold made on the host for the port, for the agent to use (pf, vf-index,
 * iommu-group, vfio-group, vfio-device, tap, vlan-device attributes, each where it applies) */
typedef struct PortHostPlug {
        char *pf;                       /* the VF's PF netdev; NULL when none */
        int vf_index;                   /* -1 when none */
        int iommu_group;                /* -1 when none */
        char *vfio_group;               /* "/dev/vfio/7" */
        char *vfio_device;              /* "/dev/vfio/devices/vfio0" */
        char *tap;                      /* the macvtap netpoold made */
        char *vlan_device;              /* hybrid: the VLAN device under that macvtap */
} PortHostPlug;

typedef struct PortDef {
        char uuid[37];                  /* lower-case 8-4-4-4-12; "" when absent (Allocate makes one) */
        char *owner_name;               /* <owner><name>: the guest's name */
        char owner_uuid[37];            /* <owner><uuid>: the guest's UUID, lower case */
        char *group;                    /* <group>: portgroup name, NULL when absent */
        char mac[18];                   /* <mac address=>, normalized lower case */
        VirtualPort *virtualport;       /* NULL when absent */
        Bandwidth *bandwidth;           /* NULL when absent */
        unsigned bandwidth_class_id;    /* <bandwidth classID=>, 0 when absent */
        Vlan *vlan;                     /* NULL when absent */
        Tristate port_isolated;         /* <port isolated=> */
        Tristate trust_guest_rx_filters;        /* <rxfilters trustGuest=> */
        unsigned mtu;                   /* <mtu size=>, 0 when absent */
        VfParams *vf;                   /* <netpool:vf>, NULL when absent */
        PortNetdev netdevs[PORT_NETDEV_MAX];    /* [i] is <netdev port='i+1'> */
        PortPlugType plug_type;         /* Allocate takes NONE, Notify needs another: the caller checks */
        PortPlug plug;
        PortHostPlug host;              /* formatted when anything in it is set */
} PortDef;

PortDef *portdef_new(void);
/* Empty the host plug (vf_index and iommu_group -1). */
void port_host_plug_clear(PortHostPlug *h);
/* Takes NULL and half-built definitions; returns NULL. */
PortDef *portdef_free(PortDef *def);
PortDef *portdef_copy(const PortDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PortDef, portdef_free);

/* The largest document portdef_parse_xml() reads. */
#define PORTDEF_XML_MAX (1024 * 1024)
int portdef_parse_xml(const char *xml, PortDef **ret, NetDefError *err);

char *portdef_format_xml(const PortDef *def);

int portdef_validate(const PortDef *def, NetDefError *err);

/* The rule a part breaks, or NULL when it keeps them. */
/* A MAC in any spelling mac_normalize() reads: valid, unicast, not all zeros. */
const char *port_mac_rule_broken(const char *mac);
/* The guest's name: not empty, no control characters. */
const char *port_owner_name_rule_broken(const char *name);
/* An owner name taken from a caller now (Allocate, Notify): besides the rule above, at most
 * PORT_OWNER_NAME_MAX bytes, and every character one that shows as itself (text_char_is_shown(): no
 * bidi control, zero-width or other format character, nothing unprintable). A port record written before
 * is read with the rule above only, so that no port is lost. Returns NULL, or what is wrong (g_free it);
 * the name itself is not repeated in it. */
#define PORT_OWNER_NAME_MAX 255
char *port_owner_name_new_rule_broken(const char *name);
/* Whether a plug of type t has the attribute or child element name: dev and mode (direct, hybrid),
 * bridge and macTableManager (bridge, network), managed, driver and address (hostdev-pci, hybrid). */
bool port_plug_type_has(PortPlugType t, const char *name);

char *portdef_plug_check(const PortDef *def);
/* Whether a port with a plug of type t may carry <netdev port='N'> settings: hostdev-pci and hybrid, the
 * plugs of a VF handed whole to a guest. The one rule for Allocate and for reading a port record back. */
bool port_plug_takes_netdev_settings(PortPlugType t);
/* Whether def has <netdev port='N'> settings. */
bool portdef_has_netdev_settings(const PortDef *def);

char *portdef_netdevs_check(const PortDef *def, unsigned *ret_port);
