/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer internals: the ops table each backend fills */
#pragma once

#include "hw/hw-link-watch.h"
#include "hw/hw-pci-names.h"
#include "hw/hw.h"
#include "hw/hw-plug.h"

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
        /* these three left NULL make their call -EOPNOTSUPP */
        int (*vf_set_rate)(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned min_tx_rate,
                           unsigned max_tx_rate);
        int (*vf_set_vlan_proto)(HwBackend *hw, const char *pf_netdev, unsigned vf, VfVlanProto proto);
        int (*netdev_set_mtu)(HwBackend *hw, const char *netdev, unsigned mtu);

        /* the plug (hw-plug.h); an op left NULL makes its call -EOPNOTSUPP. driver is a valid driver name,
         * name/lower valid netdev names, mode one of the four macvtap modes, vlan_id 1..4094. */
        int (*bind_driver)(HwBackend *hw, const PciAddr *addr, const char *driver);
        int (*bind_host_driver)(HwBackend *hw, const PciAddr *addr, const char *driver, unsigned wait_netdevs);
        int (*reset)(HwBackend *hw, const PciAddr *addr);
        int (*needs_reset)(HwBackend *hw, const PciAddr *addr, bool *ret);
        int (*netdev_rename)(HwBackend *hw, const char *name, const char *new_name);
        int (*netdev_set_up)(HwBackend *hw, const char *name, bool up);
        int (*virtual_read)(HwBackend *hw, const char *name, HwVirtualNetdev **ret);
        int (*virtual_list)(HwBackend *hw, GPtrArray **ret);
        /* *ret: the macvtap made (NULL when there is none after a success), as hw_macvtap_create() says */
        int (*macvtap_create)(HwBackend *hw, const char *lower, const char *name, const char *mode,
                              const char *mac, HwVirtualNetdev **ret);
        int (*vlan_create)(HwBackend *hw, const char *lower, const char *name, unsigned vlan_id);
        /* macvtap_only: a VLAN device is -ENOTSUP too (hw_macvtap_delete()) */
        int (*virtual_delete)(HwBackend *hw, const char *name, bool macvtap_only);
        int (*macvtap_open_tap)(HwBackend *hw, const char *name, int *ret_fd);

        /* link changes (hw-link-watch.h); an op left NULL makes its call -EOPNOTSUPP. watch_new sets w->fd
         * (and w->data, which watch_free frees; watch_free is called for a watch whose watch_new failed too,
         * with what it had set). pf_netdev is a valid netdev name. */
        int (*watch_new)(HwLinkWatch *w);
        void (*watch_free)(HwLinkWatch *w);
        int (*watch_add_vf)(HwLinkWatch *w, const char *pf_netdev, unsigned vf);
        void (*watch_remove_vf)(HwLinkWatch *w, const char *pf_netdev, unsigned vf);
        int (*watch_read)(HwLinkWatch *w, GHashTable *changed, bool *ret_overflow);

        /* device attributes (hw.h); an op left NULL: unknown / none. eswitch_mode sets *ret to "legacy",
         * "switchdev" or NULL (unknown); netdev_global_address is 1 when netdev n has an address that counts
         * (hw_address_is_global()), else 0 */
        int (*eswitch_mode)(HwBackend *hw, const PciAddr *addr, char **ret);
        int (*netdev_global_address)(HwBackend *hw, const HwNetdev *n);

        /* a VF batch (hw.h); left NULL, a batch does nothing. vf_batch_begin sets b->data (no I/O: what the batch
         * keeps is read by its first operation), vf_batch_end frees it. */
        void (*vf_batch_begin)(HwVfBatch *b);
        void (*vf_batch_end)(HwVfBatch *b);
} HwBackendOps;

struct HwBackend {
        const HwBackendOps *ops;
        char *sysfs_root;               /* "" for the real /sys, else a directory holding sys/ */
        HwPciNames *pci_names;          /* one libpci context per backend */
        GHashTable *vf_indexes;         /* PCI address key -> VF index + 1, as last read (a hint, checked) */
        HwVfBatch *vf_batch;            /* the VF batch open on it, or NULL (not owned: its caller's) */
        void *data;                     /* backend's own state, freed by ops->free */
};

/* A VF batch (hw.h): the VF it is for, and the backend's own state */
struct HwVfBatch {
        HwBackend *hw;
        char *pf_netdev;                /* NULL for a batch that changes nothing */
        unsigned vf;
        void *data;                     /* set by ops->vf_batch_begin, freed by ops->vf_batch_end */
};

/* The data of the batch open on hw when it is for VF vf of pf_netdev, else NULL: what a backend's VF op keeps
 * across the ops of one batch */
void *hw_vf_batch_data(HwBackend *hw, const char *pf_netdev, unsigned vf);

/* A link watch (hw-link-watch.h): the common part, and the backend's own */
struct HwLinkWatch {
        HwBackend *hw;                  /* not owned: the watch must not outlive it */
        int fd;                         /* -1 until the backend opens it; closed by hw_link_watch_free() */
        void *data;                     /* the backend's own state, freed by ops->watch_free */
};

/* Whether an address (AF_INET or AF_INET6, network order) tells that someone uses its netdev: not a
 * link-local one (fe80::/10, 169.254.0.0/16) nor loopback, unspecified or multicast. */
bool hw_address_is_global(int family, const void *addr);

/* Allocates the common part; the backend sets data afterwards. */
HwBackend *hw_backend_new(const HwBackendOps *ops, const char *sysfs_root);
