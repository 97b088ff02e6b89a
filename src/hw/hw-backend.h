/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer internals: the ops table each backend fills */
#pragma once

#include "hw/hw-pci-names.h"
#include "hw/hw.h"

/* Arguments reach the ops already validated by hw.c: pf_netdev/netdev are valid netdev names,
 * mac is normalized lower case, vlan <= VLAN_ID_MAX, qos <= 7, state a valid VfLinkState. */
typedef struct HwBackendOps {
        const char *name;
        void (*free)(HwBackend *hw);
        int (*vf_get)(HwBackend *hw, const char *pf_netdev, unsigned vf, VfConfig *ret);
        int (*vf_set_mac)(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *mac);
        int (*vf_set_vlan)(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned vlan, unsigned qos);
        int (*vf_set_spoofchk)(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on);
        int (*vf_set_trust)(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on);
        int (*vf_set_link_state)(HwBackend *hw, const char *pf_netdev, unsigned vf, VfLinkState state);
        int (*netdev_set_mac)(HwBackend *hw, const char *netdev, const char *mac);
} HwBackendOps;

struct HwBackend {
        const HwBackendOps *ops;
        char *sysfs_root;               /* "" for the real /sys, else a directory holding sys/ */
        HwPciNames *pci_names;          /* one libpci context per backend */
        GHashTable *vf_indexes;         /* PCI address key -> VF index + 1, as last read (a hint, checked) */
        void *data;                     /* backend's own state, freed by ops->free */
};

/* Allocates the common part; the backend sets data afterwards. */
HwBackend *hw_backend_new(const HwBackendOps *ops, const char *sysfs_root);
