/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network XML formatter: a NetDef written as libvirt writes <network> (order, quotes, indent) */
#include <errno.h>

#include "core/netdef-private.h"
#include "core/netdef.h"
#include "core/xml-util.h"

static const char *yes_no(Tristate t) {
        return t == TRISTATE_YES ? "yes" : "no";
}

static void format_text_element(GString *out, const char *name, const char *text) {
        if (!text)
                return;
        g_string_append_printf(out, "  <%s>", name);
        xml_append_escaped(out, text);
        g_string_append_printf(out, "</%s>\n", name);
}

/* The live view shows connection counts; the inactive view (and a count of 0) does not */
static void format_connections(GString *out, unsigned connections, NetDefFormatFlags flags) {
        if (!(flags & NETDEF_FORMAT_INACTIVE) && connections > 0)
                g_string_append_printf(out, " connections='%u'", connections);
}

/* The inactive view of a pool made from <pf> at Start is the definition as given: <pf> only */
static bool show_devs(const NetDef *def, NetDefFormatFlags flags) {
        return !(def->pool_expanded && (flags & NETDEF_FORMAT_INACTIVE));
}

static void format_dev(GString *out, const ForwardDev *d, NetDefFormatFlags flags) {
        if (d->type < 0 || d->type >= _FORWARD_DEV_TYPE_MAX)
                return;         /* netdef_validate() refuses these */
        g_string_append(out, "    ");
        switch (d->type) {
        case FORWARD_DEV_NETDEV:
                g_string_append(out, "<interface");
                xml_append_attr(out, "dev", d->netdev);
                break;
        case FORWARD_DEV_PCI:
                g_string_append_printf(out, "<address type='pci' domain='0x%04x' bus='0x%02x' "
                                       "slot='0x%02x' function='0x%x'",
                                       d->pci.domain, d->pci.bus, d->pci.slot, d->pci.function);
                break;
        case FORWARD_DEV_USB:
                g_string_append_printf(out, "<address type='usb' bus='%u' device='%u'",
                                       d->usb_bus, d->usb_device);
                break;
        default:
                break;
        }
        format_connections(out, d->connections, flags);
        g_string_append(out, "/>\n");
}

static bool forward_has_children(const NetDef *def, NetDefFormatFlags flags) {
        return def->driver_name || def->driver_model || def->hybrid_virtio_mode || def->pfs->len > 0 ||
               (def->devs->len > 0 && show_devs(def, flags));
}

static void format_forward_open(GString *out, const NetDef *def, NetDefFormatFlags flags) {
        g_string_append(out, "  <forward");
        /* libvirt names the first member of a netdev pool as the forward dev */
        if (show_devs(def, flags) && def->devs->len > 0) {
                const ForwardDev *first = &g_array_index(def->devs, ForwardDev, 0);

                if (first->type == FORWARD_DEV_NETDEV)
                        xml_append_attr(out, "dev", first->netdev);
        }
        xml_append_attr(out, "mode", forward_mode_to_string(def->mode));
        /* libvirt always states managed for hostdev, absent meaning no */
        if (def->mode == FORWARD_MODE_HOSTDEV || def->managed != TRISTATE_ABSENT)
                xml_append_attr(out, "managed", yes_no(def->managed));
}

static void format_forward(GString *out, const NetDef *def, NetDefFormatFlags flags) {
        format_forward_open(out, def, flags);
        if (!forward_has_children(def, flags)) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        if (def->driver_name || def->driver_model) {
                g_string_append(out, "    <driver");
                if (def->driver_name)
                        xml_append_attr(out, "name", def->driver_name);
                if (def->driver_model)
                        xml_append_attr(out, "model", def->driver_model);
                g_string_append(out, "/>\n");
        }
        if (def->hybrid_virtio_mode) {
                g_string_append(out, "    <virtio");
                xml_append_attr(out, "mode", def->hybrid_virtio_mode);
                g_string_append(out, "/>\n");
        }
        for (unsigned i = 0; i < def->pfs->len; i++) {
                g_string_append(out, "    <pf");
                xml_append_attr(out, "dev", g_ptr_array_index(def->pfs, i));
                g_string_append(out, "/>\n");
        }
        for (unsigned i = 0; show_devs(def, flags) && i < def->devs->len; i++)
                format_dev(out, &g_array_index(def->devs, ForwardDev, i), flags);
        g_string_append(out, "  </forward>\n");
}

static void format_bridge(GString *out, const NetDef *def) {
        if (!def->bridge_name && !def->mac_table_manager)
                return;
        g_string_append(out, "  <bridge");
        if (def->bridge_name)
                xml_append_attr(out, "name", def->bridge_name);
        if (def->mac_table_manager)
                xml_append_attr(out, "macTableManager", def->mac_table_manager);
        g_string_append(out, "/>\n");
}

static void format_portgroup(GString *out, const PortGroup *pg) {
        g_string_append(out, "  <portgroup");
        xml_append_attr(out, "name", strempty(pg->name));
        if (pg->is_default)
                g_string_append(out, " default='yes'");
        if (pg->trust_guest_rx_filters != TRISTATE_ABSENT)
                xml_append_attr(out, "trustGuestRxFilters", yes_no(pg->trust_guest_rx_filters));
        if (!pg->vlan && !pg->virtualport && !pg->bandwidth && !pg->vf && pg->mtu == 0) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        vlan_format_xml(pg->vlan, out, 4);
        virtualport_format_xml(pg->virtualport, out, 4);
        bandwidth_format_xml(pg->bandwidth, out, 4);
        vf_params_format_mtu_xml(pg->mtu, out, 4);
        vf_params_format_xml(pg->vf, out, 4);
        g_string_append(out, "  </portgroup>\n");
}

static void format_network_open(GString *out, const NetDef *def, NetDefFormatFlags flags) {
        g_string_append(out, "<network");
        format_connections(out, def->connections, flags);
        if (def->trust_guest_rx_filters != TRISTATE_ABSENT)
                xml_append_attr(out, "trustGuestRxFilters", yes_no(def->trust_guest_rx_filters));
        g_string_append(out, ">\n");
}

/**
 * netdef_format_xml() - write a definition as libvirt writes <network>
 *
 * As libvirt does: its element order, single quotes, two-space indent.
 * NETDEF_FORMAT_INACTIVE gives the definition as it was given: no connection counts, and a pool
 * expanded from <pf> shows only its <pf> elements.
 * Returns: the XML (g_free it), ending in a newline.
 */
char *netdef_format_xml(const NetDef *def, NetDefFormatFlags flags) {
        GString *out = g_string_sized_new(1024);

        format_network_open(out, def, flags);
        format_text_element(out, "name", def->name);
        format_text_element(out, "uuid", def->uuid);
        format_text_element(out, "title", def->title);
        format_text_element(out, "description", def->description);
        if (def->metadata)
                g_string_append_printf(out, "  %s\n", def->metadata);
        format_forward(out, def, flags);
        format_bridge(out, def);
        vf_params_format_mtu_xml(def->mtu, out, 2);     /* libvirt writes it after <bridge> */
        vlan_format_xml(def->vlan, out, 2);
        bandwidth_format_xml(def->bandwidth, out, 2);
        virtualport_format_xml(def->virtualport, out, 2);
        for (unsigned i = 0; i < def->portgroups->len; i++)
                format_portgroup(out, g_ptr_array_index(def->portgroups, i));
        if (def->port_isolated != TRISTATE_ABSENT)
                g_string_append_printf(out, "  <port isolated='%s'/>\n", yes_no(def->port_isolated));
        vf_params_format_xml(def->vf, out, 2);
        if (def->duplicate_macs != TRISTATE_ABSENT)
                g_string_append_printf(out, "  <netpool:port-macs xmlns:netpool='" NETPOOL_XML_NS "' "
                                       "duplicates='%s'/>\n", def->duplicate_macs == TRISTATE_YES ? "allow" :
                                       "refuse");
        g_string_append(out, "</network>\n");
        return g_string_free(out, FALSE);
}
