/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hardware info: constructors, copies and lookups of what src/hw/ reports */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "core/hwinfo.h"

HwNetdev *hw_netdev_new(void) {
        HwNetdev *n = g_new0(HwNetdev, 1);

        n->ifindex = -1;
        return n;
}

HwNetdev *hw_netdev_free(HwNetdev *n) {
        if (!n)
                return NULL;
        g_free(n->name);
        g_free(n->phys_port_id);
        g_free(n->mac);
        g_free(n);
        return NULL;
}

static HwNetdev *hw_netdev_copy(const HwNetdev *n) {
        HwNetdev *copy;

        if (!n)
                return NULL;
        copy = g_memdup2(n, sizeof(*n));
        copy->name = g_strdup(n->name);
        copy->phys_port_id = g_strdup(n->phys_port_id);
        copy->mac = g_strdup(n->mac);
        return copy;
}

static void hw_netdev_free_void(gpointer p) {
        hw_netdev_free(p);
}

HwFunction *hw_function_new(void) {
        HwFunction *f = g_new0(HwFunction, 1);

        f->netdevs = g_ptr_array_new_with_free_func(hw_netdev_free_void);
        f->vf_index = -1;
        f->numa_node = -1;
        f->iommu_group = -1;
        return f;
}

HwFunction *hw_function_free(HwFunction *f) {
        if (!f)
                return NULL;
        g_free(f->vendor_name);
        g_free(f->device_name);
        g_free(f->driver);
        g_free(f->pcie_root);
        if (f->netdevs)
                g_ptr_array_unref(f->netdevs);
        g_free(f);
        return NULL;
}

HwFunction *hw_function_copy(const HwFunction *f) {
        HwFunction *copy;

        if (!f)
                return NULL;
        copy = g_memdup2(f, sizeof(*f));
        copy->vendor_name = g_strdup(f->vendor_name);
        copy->device_name = g_strdup(f->device_name);
        copy->driver = g_strdup(f->driver);
        copy->pcie_root = g_strdup(f->pcie_root);
        copy->netdevs = g_ptr_array_new_with_free_func(hw_netdev_free_void);
        for (guint i = 0; f->netdevs && i < f->netdevs->len; i++)
                g_ptr_array_add(copy->netdevs, hw_netdev_copy(f->netdevs->pdata[i]));
        return copy;
}

const HwNetdev *hw_function_netdev_by_port_id(const HwFunction *f, const char *id) {
        if (!f || !id || !f->netdevs)
                return NULL;
        for (guint i = 0; i < f->netdevs->len; i++) {
                const HwNetdev *n = f->netdevs->pdata[i];

                if (n->phys_port_id && g_ascii_strcasecmp(n->phys_port_id, id) == 0)
                        return n;
        }
        return NULL;
}

const HwNetdev *hw_function_netdev_by_dev_port(const HwFunction *f, int port) {
        if (!f || !f->netdevs)
                return NULL;
        for (guint i = 0; i < f->netdevs->len; i++) {
                const HwNetdev *n = f->netdevs->pdata[i];

                if (n->dev_port == port)
                        return n;
        }
        return NULL;
}

const char *hw_link_type_to_string(HwLinkType t) {
        switch (t) {
        case HW_LINK_TYPE_ETHERNET:
                return "ethernet";
        case HW_LINK_TYPE_INFINIBAND:
                return "infiniband";
        default:
                return NULL;
        }
}

static const char *const vf_link_state_table[_VF_LINK_STATE_MAX] = {
        [VF_LINK_STATE_AUTO] = "auto",
        [VF_LINK_STATE_ENABLE] = "enable",
        [VF_LINK_STATE_DISABLE] = "disable",
};

const char *vf_link_state_to_string(VfLinkState s) {
        if (s < 0 || s >= _VF_LINK_STATE_MAX)
                return NULL;
        return vf_link_state_table[s];
}

VfLinkState vf_link_state_from_string(const char *s) {
        if (!s)
                return _VF_LINK_STATE_INVALID;
        for (int i = 0; i < _VF_LINK_STATE_MAX; i++)
                if (strcmp(vf_link_state_table[i], s) == 0)
                        return (VfLinkState) i;
        return _VF_LINK_STATE_INVALID;
}

static const char *const vf_vlan_proto_table[_VF_VLAN_PROTO_MAX] = {
        [VF_VLAN_PROTO_8021Q] = "802.1Q",
        [VF_VLAN_PROTO_8021AD] = "802.1ad",
};

const char *vf_vlan_proto_to_string(VfVlanProto p) {
        if (p < 0 || p >= _VF_VLAN_PROTO_MAX)
                return NULL;
        return vf_vlan_proto_table[p];
}

VfVlanProto vf_vlan_proto_from_string(const char *s) {
        if (!s)
                return _VF_VLAN_PROTO_INVALID;
        for (int i = 0; i < _VF_VLAN_PROTO_MAX; i++)
                if (strcmp(vf_vlan_proto_table[i], s) == 0)
                        return (VfVlanProto) i;
        return _VF_VLAN_PROTO_INVALID;
}
