/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the hardware layer reports: PCI functions, their netdevs, and VF configuration.
 * Plain data, filled by src/hw/, read by the core's pool logic. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/pci-addr.h"

/* A netdev's link type, from its `type` (ARPHRD_*): the two the contract knows */
typedef enum HwLinkType {
        HW_LINK_TYPE_ETHERNET,          /* ARPHRD_ETHER (1), and anything but InfiniBand or no file */
        HW_LINK_TYPE_INFINIBAND,        /* ARPHRD_INFINIBAND (32) */
        _HW_LINK_TYPE_MAX,
} HwLinkType;

/* "ethernet", "infiniband" */
const char *hw_link_type_to_string(HwLinkType t);

typedef struct HwNetdev {
        char *name;
        int ifindex;
        int dev_port;                   /* 0-based port of its function; 0 when the file is absent */
        char *phys_port_id;             /* NULL where the driver has none */
        char *mac;                      /* "52:54:00:00:00:01" */
        bool up;                        /* operstate "up" */
        bool admin_up;                  /* set up (IFF_UP in flags), whether it has a carrier or not */
        unsigned mtu;                   /* 0 when not reported */
        unsigned speed;                 /* link speed, Mbit/s; 0 when not reported (no link, no file) */
        HwLinkType link_type;           /* from `type` */
        PciAddr pci;                    /* its PCI function */
        bool has_pci;                   /* false for a netdev with no PCI function (a bridge, …) */
} HwNetdev;

typedef struct HwFunction {
        PciAddr addr;
        uint16_t vendor_id, device_id;
        char *vendor_name;              /* from pci.ids through libpci; NULL when unknown */
        char *device_name;
        char *driver;                   /* NULL when unbound */
        GPtrArray *netdevs;             /* HwNetdev*, ordered by dev_port; 0, 1 or 2 entries; never NULL */
        int numa_node;                  /* -1 when the kernel says none (or has no numa_node file) */
        char *pcie_root;                /* the PCI root bus it sits under, "pci0000:00"; NULL when unknown */
        int iommu_group;                /* -1 when none */

        /* PF side */
        bool is_pf;                     /* has sriov_totalvfs */
        unsigned total_vfs, num_vfs;

        /* VF side */
        bool is_vf;                     /* has physfn */
        PciAddr physfn;
        int vf_index;                   /* -1 when not a VF */
} HwFunction;

HwNetdev *hw_netdev_new(void);
HwNetdev *hw_netdev_free(HwNetdev *n);
HwFunction *hw_function_free(HwFunction *f);
HwFunction *hw_function_new(void);
/* A deep copy: names, driver and every netdev. */
HwFunction *hw_function_copy(const HwFunction *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwNetdev, hw_netdev_free);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HwFunction, hw_function_free);

/* The netdev of f whose phys_port_id is id, or NULL. */
const HwNetdev *hw_function_netdev_by_port_id(const HwFunction *f, const char *id);
/* The netdev of f whose dev_port is port, or NULL. */
const HwNetdev *hw_function_netdev_by_dev_port(const HwFunction *f, int port);

typedef enum VfLinkState {
        VF_LINK_STATE_AUTO,
        VF_LINK_STATE_ENABLE,
        VF_LINK_STATE_DISABLE,
        _VF_LINK_STATE_MAX,
        _VF_LINK_STATE_INVALID = -EINVAL,
} VfLinkState;

const char *vf_link_state_to_string(VfLinkState s);
VfLinkState vf_link_state_from_string(const char *s);

/* The VLAN protocol of a VF's port VLAN (IFLA_VF_VLAN_LIST). */
typedef enum VfVlanProto {
        VF_VLAN_PROTO_8021Q,
        VF_VLAN_PROTO_8021AD,
        _VF_VLAN_PROTO_MAX,
        _VF_VLAN_PROTO_INVALID = -EINVAL,       /* also: not reported */
} VfVlanProto;

/* "802.1Q", "802.1ad" */
const char *vf_vlan_proto_to_string(VfVlanProto p);
VfVlanProto vf_vlan_proto_from_string(const char *s);

/* A VF's configuration as the PF reports it (IFLA_VFINFO_LIST). */
typedef struct VfConfig {
        char mac[18];                   /* admin MAC, lower case */
        unsigned vlan;                  /* 0 = none */
        unsigned qos;
        int spoofchk;                   /* 0, 1, or -1 when the driver does not report it */
        int trust;                      /* 0, 1, or -1 */
        VfLinkState link_state;
        VfVlanProto vlan_proto;         /* _VF_VLAN_PROTO_INVALID when the driver does not report it */
        bool has_rate;                  /* min/max TX rate reported (IFLA_VF_RATE) */
        unsigned min_tx_rate, max_tx_rate;      /* Mbit/s, 0 = no limit */
} VfConfig;
