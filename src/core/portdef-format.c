/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port XML formatter: a PortDef written as libvirt writes <networkport> (order, quotes, indent) */
#include <errno.h>
#include <string.h>

#include "core/portdef.h"
#include "core/xml-util.h"

static const char *yes_no(Tristate t) {
        return t == TRISTATE_YES ? "yes" : "no";
}

static void format_text(GString *out, unsigned indent, const char *name, const char *text) {
        xml_append_indent(out, indent);
        g_string_append_printf(out, "<%s>", name);
        xml_append_escaped(out, text);
        g_string_append_printf(out, "</%s>\n", name);
}

static void format_owner(GString *out, const PortDef *def) {
        if (!def->owner_name && !def->owner_uuid[0])
                return;
        g_string_append(out, "  <owner>\n");
        if (def->owner_name)
                format_text(out, 4, "name", def->owner_name);
        if (def->owner_uuid[0])
                format_text(out, 4, "uuid", def->owner_uuid);
        g_string_append(out, "  </owner>\n");
}

static void format_mac(GString *out, unsigned indent, const char *mac) {
        if (!mac[0])
                return;
        xml_append_indent(out, indent);
        g_string_append(out, "<mac");
        xml_append_attr(out, "address", mac);
        g_string_append(out, "/>\n");
}

/* The shared block writes <bandwidth> without the port's classID, which goes right after the name */
static void format_bandwidth(GString *out, const PortDef *def) {
        g_autoptr(GString) block = g_string_new(NULL);
        const unsigned indent = 2;

        bandwidth_format_xml(def->bandwidth, block, indent);
        if (block->len == 0)
                return;
        if (def->bandwidth_class_id != 0) {
                g_autofree char *attr = g_strdup_printf(" classID='%u'", def->bandwidth_class_id);

                g_string_insert(block, indent + strlen("<bandwidth"), attr);
        }
        g_string_append_len(out, block->str, (gssize) block->len);
}

static void format_tristate_element(GString *out, const char *name, const char *attr, Tristate t) {
        if (t == TRISTATE_ABSENT)
                return;
        g_string_append_printf(out, "  <%s %s='%s'/>\n", name, attr, yes_no(t));
}

static void format_netdev(GString *out, unsigned port, const PortNetdev *nd) {
        if (!nd->present)
                return;
        g_string_append_printf(out, "  <netdev port='%u'", port);
        if (!nd->mac[0] && !nd->vlan) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        format_mac(out, 4, nd->mac);
        vlan_format_xml(nd->vlan, out, 4);
        g_string_append(out, "  </netdev>\n");
}

/* <driver> and <address> of a PCI plug; the address without type='pci', as libvirt writes it here */
static void format_plug_pci_children(GString *out, const PortPlug *pl) {
        const PciAddr *a = &pl->address;

        g_string_append(out, ">\n");
        if (port_pci_driver_to_string(pl->driver)) {
                g_string_append(out, "    <driver");
                xml_append_attr(out, "name", port_pci_driver_to_string(pl->driver));
                g_string_append(out, "/>\n");
        }
        g_string_append_printf(out, "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n",
                               a->domain, a->bus, a->slot, a->function);
        g_string_append(out, "  </plug>\n");
}

static void append_attr_if(GString *out, const char *name, const char *value) {
        if (value)
                xml_append_attr(out, name, value);
}

static void format_plug_attrs(GString *out, const PortDef *def) {
        const PortPlug *pl = &def->plug;

        switch (def->plug_type) {
        case PORT_PLUG_NETWORK:
        case PORT_PLUG_BRIDGE:
                append_attr_if(out, "bridge", pl->bridge);
                append_attr_if(out, "macTableManager", port_mac_table_manager_to_string(pl->mac_table_manager));
                break;
        case PORT_PLUG_DIRECT:
        case PORT_PLUG_HYBRID:
                /* the mode is always written: absent reads as vepa */
                append_attr_if(out, "dev", pl->dev);
                append_attr_if(out, "mode", port_macvtap_mode_to_string(pl->mode));
                break;
        default:
                break;
        }
        if (def->plug_type == PORT_PLUG_HOSTDEV_PCI || def->plug_type == PORT_PLUG_HYBRID)
                if (pl->managed != TRISTATE_ABSENT)
                        xml_append_attr(out, "managed", yes_no(pl->managed));
}

static void format_plug(GString *out, const PortDef *def) {
        const char *type = port_plug_type_to_string(def->plug_type);

        if (def->plug_type == PORT_PLUG_NONE || !type)
                return;
        g_string_append(out, "  <plug");
        xml_append_attr(out, "type", type);
        format_plug_attrs(out, def);
        if (def->plug_type == PORT_PLUG_HOSTDEV_PCI || def->plug_type == PORT_PLUG_HYBRID)
                format_plug_pci_children(out, &def->plug);
        else
                g_string_append(out, "/>\n");
}

static bool host_plug_is_set(const PortHostPlug *h) {
        return h->pf || h->vf_index >= 0 || h->iommu_group >= 0 || h->vfio_group || h->vfio_device || h->tap ||
               h->vlan_device;
}

static void format_host_plug(GString *out, const PortHostPlug *h) {
        if (!host_plug_is_set(h))
                return;
        g_string_append(out, "  <netpool:plug xmlns:netpool='" NETPOOL_XML_NS "'");
        xml_append_attr(out, "pf", h->pf);
        if (h->vf_index >= 0)
                g_string_append_printf(out, " vf-index='%d'", h->vf_index);
        if (h->iommu_group >= 0)
                g_string_append_printf(out, " iommu-group='%d'", h->iommu_group);
        xml_append_attr(out, "vfio-group", h->vfio_group);
        xml_append_attr(out, "vfio-device", h->vfio_device);
        xml_append_attr(out, "tap", h->tap);
        xml_append_attr(out, "vlan-device", h->vlan_device);
        g_string_append(out, "/>\n");
}

/**
 * portdef_format_xml() - write a port definition as libvirt does
 *
 * libvirt's order: uuid, owner, group, mac, virtualport, bandwidth, vlan, port, rxfilters, plug;
 * netpool's <mtu> and <netpool:vf> after rxfilters;
 * attributes in its order, single quotes, two-space indent.
 * netpool's <netdev port='N'> elements, in port order, come before the plug, its <netpool:plug> after it.
 * Returns: the XML, g_malloc'd.
 */
char *portdef_format_xml(const PortDef *def) {
        GString *out = g_string_new("<networkport>\n");

        if (def->uuid[0])
                format_text(out, 2, "uuid", def->uuid);
        format_owner(out, def);
        if (def->group)
                format_text(out, 2, "group", def->group);
        format_mac(out, 2, def->mac);
        virtualport_format_xml(def->virtualport, out, 2);
        format_bandwidth(out, def);
        vlan_format_xml(def->vlan, out, 2);
        format_tristate_element(out, "port", "isolated", def->port_isolated);
        format_tristate_element(out, "rxfilters", "trustGuest", def->trust_guest_rx_filters);
        vf_params_format_mtu_xml(def->mtu, out, 2);
        vf_params_format_xml(def->vf, out, 2);
        for (unsigned i = 0; i < PORT_NETDEV_MAX; i++)
                format_netdev(out, i + 1, &def->netdevs[i]);
        format_plug(out, def);
        format_host_plug(out, &def->host);
        g_string_append(out, "</networkport>\n");
        return g_string_free(out, FALSE);
}
