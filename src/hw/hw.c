/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware layer: the public entry points, validating arguments and dispatching to sysfs or a backend */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "core/names.h"
#include "hw/hw-backend.h"
#include "hw/hw-sysfs.h"
#include "shared/macro.h"

HwBackend *hw_backend_new(const HwBackendOps *ops, const char *sysfs_root) {
        HwBackend *hw = g_new0(HwBackend, 1);

        hw->ops = ops;
        hw->sysfs_root = g_strdup(sysfs_root ? sysfs_root : "");
        hw->pci_names = hw_pci_names_new();
        hw->vf_indexes = g_hash_table_new(g_direct_hash, g_direct_equal);
        return hw;
}

/**
 * hw_backend_free() - free a backend and its state; takes NULL
 * Returns: NULL
 */
HwBackend *hw_backend_free(HwBackend *hw) {
        if (!hw)
                return NULL;
        if (hw->ops && hw->ops->free)
                hw->ops->free(hw);
        hw_pci_names_free(hw->pci_names);
        g_hash_table_unref(hw->vf_indexes);
        g_free(hw->sysfs_root);
        g_free(hw);
        return NULL;
}

const char *hw_backend_name(const HwBackend *hw) {
        return hw ? hw->ops->name : NULL;
}

/* A PCI address as a hash key: 16 + 8 + 5 + 3 bits */
static gpointer pci_addr_key(const PciAddr *a) {
        return GUINT_TO_POINTER((a->domain << 16) | (a->bus << 8) | (a->slot << 3) | a->function);
}

typedef int (*SysfsReadFunction)(const char *root, const PciAddr *addr, int vf_index_hint, HwFunction **ret);

/* A VF's index is found by reading the PF's virtfnN links: the one it had last time is handed to the reader
 * as a hint to check first, and the one read is kept for next time. */
static int read_with_vf_index_hint(HwBackend *hw, const PciAddr *addr, SysfsReadFunction read, HwFunction **ret) {
        HwFunction *f = NULL;
        gpointer hint;
        int r;

        if (!addr || !pci_addr_is_valid(addr))
                return -EINVAL;
        hint = g_hash_table_lookup(hw->vf_indexes, pci_addr_key(addr));
        r = read(hw->sysfs_root, addr, hint ? GPOINTER_TO_INT(hint) - 1 : -1, &f);
        if (r < 0)
                return r;
        if (f->is_vf && f->vf_index >= 0)
                g_hash_table_insert(hw->vf_indexes, pci_addr_key(addr), GINT_TO_POINTER(f->vf_index + 1));
        *ret = f;
        return 0;
}

/**
 * hw_lookup_function() - read a PCI function by address, with its netdevs and names
 * Returns: 0, -EINVAL for an invalid address, -ENODEV when it does not exist
 */
int hw_lookup_function(HwBackend *hw, const PciAddr *addr, HwFunction **ret) {
        int r = read_with_vf_index_hint(hw, addr, hw_sysfs_read_function, ret);

        if (r >= 0)
                hw_pci_names_fill(hw->pci_names, *ret);
        return r;
}

/**
 * hw_lookup_topology() - a PCI function's place: PF or VF (physfn, vf_index, is_pf), and its
 * netdevs' names, dev_port, phys_port_id and pci; nothing else is read (ids, names, driver,
 * ifindex, MAC and operstate are left unset). What configuring a VF through its PF needs, at a
 * third of a lookup's reads.
 * Returns: 0, -EINVAL for an invalid address, -ENODEV when it does not exist
 */
int hw_lookup_topology(HwBackend *hw, const PciAddr *addr, HwFunction **ret) {
        return read_with_vf_index_hint(hw, addr, hw_sysfs_read_topology, ret);
}

int hw_function_vf_place(HwBackend *hw, const PciAddr *addr, PciAddr *ret_pf, int *ret_index) {
        gpointer hint;
        int r;

        if (!addr || !pci_addr_is_valid(addr))
                return -EINVAL;
        hint = g_hash_table_lookup(hw->vf_indexes, pci_addr_key(addr));
        r = hw_sysfs_vf_place(hw->sysfs_root, addr, hint ? GPOINTER_TO_INT(hint) - 1 : -1, ret_pf, ret_index);
        if (r > 0 && *ret_index >= 0)
                g_hash_table_insert(hw->vf_indexes, pci_addr_key(addr), GINT_TO_POINTER(*ret_index + 1));
        return r;
}

/**
 * hw_function_driver() - the name of a PCI function's driver (*ret NULL when unbound), and no more:
 * cheaper than a lookup
 * Returns: 0, -EINVAL for an invalid address, -ENODEV when it does not exist
 */
int hw_function_driver(HwBackend *hw, const PciAddr *addr, char **ret) {
        return hw_sysfs_function_driver(hw->sysfs_root, addr, ret);
}

/**
 * hw_lookup_netdev() - read a netdev by name and, when asked, its PCI function
 * *ret_function (ret_function may be NULL) is NULL for a netdev without one, such as a bridge.
 * Returns: 0, -EINVAL for an invalid name, -ENODEV when it does not exist
 */
int hw_lookup_netdev(HwBackend *hw, const char *name, HwNetdev **ret_netdev, HwFunction **ret_function) {
        g_autoptr(HwNetdev) n = NULL;
        g_autoptr(HwFunction) f = NULL;
        int r;

        r = hw_sysfs_read_netdev(hw->sysfs_root, name, &n);
        if (r < 0)
                return r;
        if (ret_function && n->has_pci) {
                r = hw_lookup_function(hw, &n->pci, &f);
                if (r < 0)
                        return r;
        }
        if (ret_function)
                *ret_function = g_steal_pointer(&f);
        if (ret_netdev)
                *ret_netdev = g_steal_pointer(&n);
        return 0;
}

int hw_read_netdev(HwBackend *hw, const char *name, unsigned attrs, HwNetdev **ret) {
        return hw_sysfs_read_netdev_attrs(hw->sysfs_root, name, attrs, ret);
}

/* The PCI function of netdev name, no attribute read: 1 with *ret, 0 for a netdev without one (a bridge), -EINVAL
 * for an invalid name, -ENODEV when it does not exist */
int hw_netdev_pci_address(HwBackend *hw, const char *name, PciAddr *ret) {
        return hw_sysfs_netdev_pci(hw->sysfs_root, name, ret);
}

/**
 * hw_list_vfs() - the VFs of a PF, ordered by VF index, gaps skipped
 * Every index from 0 to sriov_numvfs-1 that has a virtfn link; a gap is skipped, it does not end
 * the list.
 * Returns: 0, -ENOTSUP when pf is not an SR-IOV PF, -ENODEV when it is gone
 */
int hw_list_vfs(HwBackend *hw, const HwFunction *pf, GPtrArray **ret) {
        g_autoptr(GPtrArray) vfs = NULL;
        int r;

        if (!pf)
                return -EINVAL;
        r = hw_sysfs_list_vfs(hw->sysfs_root, &pf->addr, /* topology= */ false, &vfs);
        if (r < 0)
                return r;
        for (guint i = 0; i < vfs->len; i++)
                hw_pci_names_fill(hw->pci_names, vfs->pdata[i]);
        *ret = g_steal_pointer(&vfs);
        return 0;
}

/**
 * hw_list_vf_inventory() - the VFs of a PF with what the host's inventory shows of each (hw.h)
 */
int hw_list_vf_inventory(HwBackend *hw, const HwFunction *pf, GPtrArray **ret) {
        if (!pf)
                return -EINVAL;
        return hw_sysfs_list_vf_inventory(hw->sysfs_root, &pf->addr, ret);
}

/**
 * hw_list_vf_topology() - the VFs of a PF with what places them in a pool, and no more
 * As hw_list_vfs(), each VF with only its address, PF, index and netdevs (name, dev_port,
 * phys_port_id): the start of a network of 32,768 VFs reads a third as much. Of a PF with one netdev
 * the VFs' netdev names alone (dev_port where a VF has two): a seventh.
 * Returns: 0, -ENOTSUP when pf is not an SR-IOV PF, -ENODEV when it is gone
 */
int hw_list_vf_topology(HwBackend *hw, const HwFunction *pf, GPtrArray **ret) {
        if (!pf)
                return -EINVAL;
        /* a PF of one netdev has one port: no VF's port to tell by phys_port_id (pool-expand.c) */
        if (pf->netdevs->len <= 1)
                return hw_sysfs_list_vf_names(hw->sysfs_root, &pf->addr, ret);
        return hw_sysfs_list_vfs(hw->sysfs_root, &pf->addr, /* topology= */ true, ret);
}

/**
 * hw_function_eswitch_mode() - a PF's eswitch mode, NULL when unknown (hw.h)
 */
int hw_function_eswitch_mode(HwBackend *hw, const PciAddr *pf, char **ret) {
        char *mode = NULL;
        int r;

        if (!pf || !pci_addr_is_valid(pf))
                return -EINVAL;
        if (hw->ops->eswitch_mode) {
                r = hw->ops->eswitch_mode(hw, pf, &mode);
                if (r < 0)
                        return r;
        }
        *ret = mode;
        return 0;
}

bool hw_address_is_global(int family, const void *addr) {
        const uint8_t *b = addr;

        if (family == AF_INET)
                /* 0/8 this host, 127/8 loopback, 169.254/16 link-local, 224/4 multicast and up */
                return b[0] != 0 && b[0] != 127 && !(b[0] == 169 && b[1] == 254) && b[0] < 224;
        if (family == AF_INET6) {
                static const uint8_t zero[15] = {};

                if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
                        return false;                           /* :: and ::1 */
                if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
                        return false;                           /* fe80::/10 */
                return b[0] != 0xff;                            /* multicast */
        }
        return false;
}

/* PCI base class 0x02: network controller (Ethernet, InfiniBand, …) */
#define PCI_BASE_CLASS_NETWORK 0x02

/* Bound to a network driver, with no netdev to be seen: its netdevs are in another network namespace. A
 * function of another kind (NVMe, GPU) has none anyway: only network functions are judged. */
static int holder_by_namespace(HwBackend *hw, const HwFunction *f, bool had_netdev, char **ret) {
        uint32_t class_code;
        int r;

        if (!f->driver || f->netdevs->len > 0 || streq(f->driver, "vfio-pci") || streq(f->driver, "pci-stub"))
                return 0;
        /* variant drivers of vfio-pci (mlx5_vfio_pci, hisi_acc_vfio_pci, …) make no netdev; netpool never binds
         * them, so whoever did holds the function */
        if (strstr(f->driver, "vfio_pci") || strstr(f->driver, "vfio-pci")) {
                *ret = g_strdup_printf("bound to %s", f->driver);
                return 1;
        }
        if (!had_netdev)
                return 0;
        r = hw_sysfs_function_class(hw->sysfs_root, &f->addr, &class_code);
        if (r == -ENOENT || r == -EIO || r == -ENODEV)
                return 0;               /* no class to tell, or gone since it was read */
        if (r < 0)
                return r;
        if (class_code >> 16 != PCI_BASE_CLASS_NETWORK)
                return 0;
        *ret = g_strdup("netdev in another network namespace");
        return 1;
}

/**
 * hw_function_holder() - who uses a function outside netpool (hw.h)
 */
int hw_function_holder(HwBackend *hw, const HwFunction *f, bool had_netdev, char **ret) {
        char *holder = NULL;
        int r;

        if (!f || !pci_addr_is_valid(&f->addr) || !f->netdevs)
                return -EINVAL;
        r = holder_by_namespace(hw, f, had_netdev, &holder);
        if (r < 0)
                return r;
        for (guint i = 0; !holder && hw->ops->netdev_global_address && i < f->netdevs->len; i++) {
                const HwNetdev *n = f->netdevs->pdata[i];

                if (!n->admin_up)
                        continue;
                r = hw->ops->netdev_global_address(hw, n);
                if (r == -ENODEV)
                        continue;       /* gone since f was read */
                if (r < 0)
                        return r;
                if (r > 0)
                        holder = g_strdup_printf("netdev %s is up with addresses", n->name);
        }
        *ret = holder;
        return 0;
}

static int check_netdev_name(const char *name) {
        return name && netdev_name_is_valid(name) ? 0 : -EINVAL;
}

int hw_vf_function_addr(HwBackend *hw, const char *pf_netdev, unsigned vf, PciAddr *ret) {
        PciAddr pf;
        int r;

        r = check_netdev_name(pf_netdev);
        if (r < 0)
                return r;
        r = hw_sysfs_netdev_pci(hw->sysfs_root, pf_netdev, &pf);   /* its PCI function, nothing else read */
        if (r < 0)
                return r;
        if (r == 0)
                return -ENOTSUP;
        return hw_sysfs_vf_addr(hw->sysfs_root, &pf, vf, ret);
}

/**
 * hw_vf_batch_begin() - open a batch for the VF operations of one step on VF vf of pf_netdev (hw.h)
 */
HwVfBatch *hw_vf_batch_begin(HwBackend *hw, const char *pf_netdev, unsigned vf) {
        HwVfBatch *b = g_new0(HwVfBatch, 1);

        b->hw = hw;
        if (!hw || hw->vf_batch || !hw->ops->vf_batch_begin || check_netdev_name(pf_netdev) < 0)
                return b;       /* one that changes nothing */
        b->pf_netdev = g_strdup(pf_netdev);
        b->vf = vf;
        hw->ops->vf_batch_begin(b);
        hw->vf_batch = b;
        return b;
}

HwVfBatch *hw_vf_batch_end(HwVfBatch *b) {
        if (!b)
                return NULL;
        if (b->pf_netdev) {
                b->hw->ops->vf_batch_end(b);
                b->hw->vf_batch = NULL;
        }
        g_free(b->pf_netdev);
        g_free(b);
        return NULL;
}

void *hw_vf_batch_data(HwBackend *hw, const char *pf_netdev, unsigned vf) {
        const HwVfBatch *b = hw->vf_batch;

        return b && b->vf == vf && streq(b->pf_netdev, pf_netdev) ? b->data : NULL;
}

int hw_vf_get(HwBackend *hw, const char *pf_netdev, unsigned vf, VfConfig *ret) {
        VfConfig c = { .spoofchk = -1, .trust = -1, .link_state = VF_LINK_STATE_AUTO,
                       .vlan_proto = _VF_VLAN_PROTO_INVALID };
        int r;

        r = check_netdev_name(pf_netdev);
        if (r < 0)
                return r;
        r = hw->ops->vf_get(hw, pf_netdev, vf, &c);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

int hw_vf_set_mac(HwBackend *hw, const char *pf_netdev, unsigned vf, const char *mac) {
        char normalized[18];

        if (check_netdev_name(pf_netdev) < 0 || !mac || mac_normalize(mac, normalized) < 0)
                return -EINVAL;
        return hw->ops->vf_set_mac(hw, pf_netdev, vf, normalized);
}

int hw_vf_set_vlan(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned vlan, unsigned qos) {
        /* the limits rtnetlink itself enforces (12-bit VLAN id, 3-bit priority) */
        if (check_netdev_name(pf_netdev) < 0 || vlan > VLAN_ID_MAX || qos > 7)
                return -EINVAL;
        return hw->ops->vf_set_vlan(hw, pf_netdev, vf, vlan, qos);
}

int hw_vf_set_spoofchk(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on) {
        if (check_netdev_name(pf_netdev) < 0)
                return -EINVAL;
        return hw->ops->vf_set_spoofchk(hw, pf_netdev, vf, on);
}

int hw_vf_set_trust(HwBackend *hw, const char *pf_netdev, unsigned vf, bool on) {
        if (check_netdev_name(pf_netdev) < 0)
                return -EINVAL;
        return hw->ops->vf_set_trust(hw, pf_netdev, vf, on);
}

int hw_vf_set_link_state(HwBackend *hw, const char *pf_netdev, unsigned vf, VfLinkState state) {
        if (check_netdev_name(pf_netdev) < 0 || !vf_link_state_to_string(state))
                return -EINVAL;
        return hw->ops->vf_set_link_state(hw, pf_netdev, vf, state);
}

int hw_netdev_set_mac(HwBackend *hw, const char *netdev, const char *mac) {
        char normalized[18];

        if (check_netdev_name(netdev) < 0 || !mac || mac_normalize(mac, normalized) < 0)
                return -EINVAL;
        return hw->ops->netdev_set_mac(hw, netdev, normalized);
}

int hw_vf_set_rate(HwBackend *hw, const char *pf_netdev, unsigned vf, unsigned min_tx_rate, unsigned max_tx_rate) {
        if (check_netdev_name(pf_netdev) < 0 || (max_tx_rate > 0 && min_tx_rate > max_tx_rate))
                return -EINVAL;
        if (!hw->ops->vf_set_rate)
                return -EOPNOTSUPP;
        return hw->ops->vf_set_rate(hw, pf_netdev, vf, min_tx_rate, max_tx_rate);
}

int hw_vf_set_vlan_proto(HwBackend *hw, const char *pf_netdev, unsigned vf, VfVlanProto proto) {
        if (check_netdev_name(pf_netdev) < 0 || !vf_vlan_proto_to_string(proto))
                return -EINVAL;
        if (!hw->ops->vf_set_vlan_proto)
                return -EOPNOTSUPP;
        return hw->ops->vf_set_vlan_proto(hw, pf_netdev, vf, proto);
}

/* 68: the least an IPv4 host must take (RFC 791), the kernel's ETH_MIN_MTU */
#define NETDEV_MTU_MIN 68

int hw_netdev_set_mtu(HwBackend *hw, const char *netdev, unsigned mtu) {
        if (check_netdev_name(netdev) < 0 || mtu < NETDEV_MTU_MIN || mtu > INT32_MAX)
                return -EINVAL;
        if (!hw->ops->netdev_set_mtu)
                return -EOPNOTSUPP;
        return hw->ops->netdev_set_mtu(hw, netdev, mtu);
}
