/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network definition: life cycle, deep copy, mode names, portgroup lookup, pool member ids */
#include "core/netdef-private.h"
#include "core/netdef.h"

static const char *const forward_mode_names[_FORWARD_MODE_MAX] = {
        [FORWARD_MODE_BRIDGE] = "bridge",
        [FORWARD_MODE_PRIVATE] = "private",
        [FORWARD_MODE_VEPA] = "vepa",
        [FORWARD_MODE_PASSTHROUGH] = "passthrough",
        [FORWARD_MODE_HOSTDEV] = "hostdev",
        [FORWARD_MODE_HYBRID] = "pci-passthrough-hybrid",
};

const char *forward_mode_to_string(ForwardMode m) {
        if (m < 0 || m >= _FORWARD_MODE_MAX)
                return NULL;
        return forward_mode_names[m];
}

ForwardMode forward_mode_from_string(const char *s) {
        if (!s)
                return _FORWARD_MODE_INVALID;
        for (int m = 0; m < _FORWARD_MODE_MAX; m++)
                if (streq(s, forward_mode_names[m]))
                        return (ForwardMode) m;
        return _FORWARD_MODE_INVALID;
}

bool forward_mode_is_macvtap(ForwardMode m) {
        return m == FORWARD_MODE_PRIVATE || m == FORWARD_MODE_VEPA || m == FORWARD_MODE_BRIDGE;
}

bool forward_mode_uses_pci(ForwardMode m) {
        return m == FORWARD_MODE_HOSTDEV || m == FORWARD_MODE_HYBRID;
}

void forward_dev_clear(ForwardDev *d) {
        if (!d)
                return;
        g_clear_pointer(&d->netdev, g_free);
}

PortGroup *portgroup_free(PortGroup *pg) {
        if (!pg)
                return NULL;
        g_free(pg->name);
        vlan_free(pg->vlan);
        virtualport_free(pg->virtualport);
        bandwidth_free(pg->bandwidth);
        vf_params_free(pg->vf);
        g_free(pg);
        return NULL;
}

static PortGroup *portgroup_copy(const PortGroup *pg) {
        PortGroup *c = g_new0(PortGroup, 1);

        c->name = g_strdup(pg->name);
        c->is_default = pg->is_default;
        c->trust_guest_rx_filters = pg->trust_guest_rx_filters;
        c->vlan = vlan_copy(pg->vlan);
        c->virtualport = virtualport_copy(pg->virtualport);
        c->bandwidth = bandwidth_copy(pg->bandwidth);
        c->vf = vf_params_copy(pg->vf);
        c->mtu = pg->mtu;
        return c;
}

static void portgroup_free_void(void *p) {
        portgroup_free(p);
}

/**
 * netdef_new() - an empty definition with its containers allocated
 */
NetDef *netdef_new(void) {
        NetDef *def = g_new0(NetDef, 1);

        def->pfs = g_ptr_array_new_with_free_func(g_free);
        def->devs = g_array_new(FALSE, TRUE, sizeof(ForwardDev));
        g_array_set_clear_func(def->devs, (GDestroyNotify) forward_dev_clear);
        def->portgroups = g_ptr_array_new_with_free_func(portgroup_free_void);
        return def;
}

/**
 * netdef_free() - free a definition, also one only partly built
 *
 * Returns: NULL
 */
NetDef *netdef_free(NetDef *def) {
        if (!def)
                return NULL;
        g_free(def->name);
        g_free(def->title);
        g_free(def->description);
        g_free(def->metadata);
        g_free(def->driver_name);
        g_free(def->driver_model);
        g_free(def->hybrid_virtio_mode);
        if (def->pfs)
                g_ptr_array_unref(def->pfs);
        if (def->devs)
                g_array_unref(def->devs);
        g_free(def->bridge_name);
        g_free(def->mac_table_manager);
        vlan_free(def->vlan);
        virtualport_free(def->virtualport);
        bandwidth_free(def->bandwidth);
        vf_params_free(def->vf);
        if (def->portgroups)
                g_ptr_array_unref(def->portgroups);
        g_free(def);
        return NULL;
}

static void netdef_copy_pool(NetDef *c, const NetDef *def) {
        for (unsigned i = 0; def->pfs && i < def->pfs->len; i++)
                g_ptr_array_add(c->pfs, g_strdup(g_ptr_array_index(def->pfs, i)));
        for (unsigned i = 0; def->devs && i < def->devs->len; i++) {
                ForwardDev d = g_array_index(def->devs, ForwardDev, i);

                d.netdev = g_strdup(d.netdev);
                g_array_append_val(c->devs, d);
        }
        c->pool_expanded = def->pool_expanded;
}

/**
 * netdef_copy() - a deep copy: no part is shared with def
 */
NetDef *netdef_copy(const NetDef *def) {
        NetDef *c;

        if (!def)
                return NULL;
        c = netdef_new();
        c->name = g_strdup(def->name);
        memcpy(c->uuid, def->uuid, sizeof(c->uuid));
        c->uuid_generated = def->uuid_generated;
        c->title = g_strdup(def->title);
        c->description = g_strdup(def->description);
        c->metadata = g_strdup(def->metadata);
        c->trust_guest_rx_filters = def->trust_guest_rx_filters;
        c->mode = def->mode;
        c->managed = def->managed;
        c->driver_name = g_strdup(def->driver_name);
        c->driver_model = g_strdup(def->driver_model);
        c->hybrid_virtio_mode = g_strdup(def->hybrid_virtio_mode);
        netdef_copy_pool(c, def);
        c->bridge_name = g_strdup(def->bridge_name);
        c->mac_table_manager = g_strdup(def->mac_table_manager);
        c->vlan = vlan_copy(def->vlan);
        c->virtualport = virtualport_copy(def->virtualport);
        c->bandwidth = bandwidth_copy(def->bandwidth);
        c->vf = vf_params_copy(def->vf);
        c->mtu = def->mtu;
        c->duplicate_macs = def->duplicate_macs;
        for (unsigned i = 0; def->portgroups && i < def->portgroups->len; i++)
                g_ptr_array_add(c->portgroups, portgroup_copy(g_ptr_array_index(def->portgroups, i)));
        c->port_isolated = def->port_isolated;
        c->connections = def->connections;
        return c;
}

const PortGroup *netdef_default_portgroup(const NetDef *def) {
        for (unsigned i = 0; i < def->portgroups->len; i++) {
                const PortGroup *pg = g_ptr_array_index(def->portgroups, i);

                if (pg->is_default)
                        return pg;
        }
        return NULL;
}

const PortGroup *netdef_find_portgroup(const NetDef *def, const char *name) {
        if (!name)
                return netdef_default_portgroup(def);
        for (unsigned i = 0; i < def->portgroups->len; i++) {
                const PortGroup *pg = g_ptr_array_index(def->portgroups, i);

                if (streq_ptr(pg->name, name))
                        return pg;
        }
        return NULL;
}

bool netdef_has_pool(const NetDef *def) {
        return def->pfs->len > 0 || def->devs->len > 0;
}

bool netdef_uses_macvtap(const NetDef *def) {
        if (def->mode == FORWARD_MODE_BRIDGE)
                return netdef_has_pool(def);
        return forward_mode_is_macvtap(def->mode);
}

char *forward_dev_id(const ForwardDev *d) {
        char buf[PCI_ADDR_STR_MAX];

        switch (d->type) {
        case FORWARD_DEV_NETDEV:
                return g_strdup(d->netdev);
        case FORWARD_DEV_PCI:
                return g_strdup(pci_addr_to_string(&d->pci, buf));
        case FORWARD_DEV_USB:
                return g_strdup_printf("usb:%u:%u", d->usb_bus, d->usb_device);
        default:
                return NULL;
        }
}

NetDefLines *netdef_lines_new(void) {
        NetDefLines *l = g_new0(NetDefLines, 1);

        l->pfs = g_array_new(FALSE, TRUE, sizeof(unsigned));
        l->devs = g_array_new(FALSE, TRUE, sizeof(unsigned));
        l->portgroups = g_array_new(FALSE, TRUE, sizeof(PortGroupLines));
        return l;
}

NetDefLines *netdef_lines_free(NetDefLines *l) {
        if (!l)
                return NULL;
        if (l->pfs)
                g_array_unref(l->pfs);
        if (l->devs)
                g_array_unref(l->devs);
        if (l->portgroups)
                g_array_unref(l->portgroups);
        g_free(l);
        return NULL;
}
