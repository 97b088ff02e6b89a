/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer internals: the ops table each backend fills */
#pragma once

#include "hw/hw.h"

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
        void *data;                     /* backend's own state */
};
