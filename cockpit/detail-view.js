// SPDX-License-Identifier: LGPL-2.1-or-later
// One network in detail: its devices (Device objects), its ports, and its live and inactive XML.

import { h, shown } from "./dom.js";
import { card, codeBlock, label, table } from "./widgets.js";

const DEVICE_COLUMNS = ["PF", "VF index", "PCI address", "Netdev", "NUMA node", "Driver", "State", "Holder",
    "Port"];
const PORT_COLUMNS = ["Owner", "MAC", "Device", "Port UUID"];

// devices: the pool's rows (model.devicesOf); details: { liveXML, inactiveXML, error } as fetched for this
// network, or null while loading
export function renderDetail(net, ports, devices, details) {
    if (!net)
        return null;
    return card("Network " + net.Name, null,
                h("div.np-detail", { id: "np-detail-body", "data-network": net.Name },
                  summary(net),
                  h("h3.pf-c-title.pf-m-md", {}, "Devices"),
                  devicesPart(net, devices),
                  h("h3.pf-c-title.pf-m-md", {}, "Ports"),
                  table("Ports of " + net.Name, PORT_COLUMNS, ports.map(portRow),
                        { id: "np-ports", empty: "No port is allocated on this network." }),
                  details && details.error ? h("p.np-error", {}, "Cannot read the XML: " + details.error) : null,
                  h("div.np-xml", {},
                    h("div", {}, h("h3.pf-c-title.pf-m-md", {}, "Live XML"),
                      codeBlock("np-xml-live", details ? details.liveXML : "\u2026")),
                    h("div", {}, h("h3.pf-c-title.pf-m-md", {}, "Inactive XML"),
                      codeBlock("np-xml-inactive", details ? details.inactiveXML : "\u2026")))));
}

function summary(net) {
    const item = (term, value) => [h("dt", {}, term), h("dd", {}, value)];
    return h("dl.pf-c-description-list.pf-m-horizontal.np-summary", {},
             item("UUID", net.UUID),
             item("Mode", net.ForwardMode),
             item("State", label(net.Active ? "active" : "inactive")),
             item("Persistent", net.Persistent ? "yes" : "no (transient)"),
             item("Devices", `${net.Available} of ${net.Capacity} available, ` +
                  `${net.Connections} connection${net.Connections === 1 ? "" : "s"}`));
}

function devicesPart(net, devices) {
    if (!net.Active)
        return h("p.np-empty", {}, "An inactive network has no pool; its devices are listed once it is started.");
    return table("Devices of " + net.Name, DEVICE_COLUMNS, devices.map(deviceRow),
                 { id: "np-devices", empty: "The pool has no device." });
}

function deviceRow(d) {
    return {
        attrs: { "data-device": d.id },
        cells: [
            d.pf || "\u2014",
            d.vfIndex >= 0 ? String(d.vfIndex) : "\u2014",
            d.pciAddress || "\u2014",
            d.netdev || "\u2014",
            d.numaNode === undefined || d.numaNode < 0 ? "\u2014" : String(d.numaNode),
            d.driver || "\u2014",
            label(d.state),
            d.holder || "\u2014",
            d.port || (d.connections > 0 ? `${d.connections} connection${d.connections === 1 ? "" : "s"}` : "\u2014"),
        ],
    };
}

function portRow(p) {
    return {
        attrs: { "data-port": p.UUID },
        cells: [
            p.OwnerName ? `${shown(p.OwnerName)} (${p.OwnerUUID})` : p.OwnerUUID,
            p.MAC,
            p.Device || p.PCIAddress || "\u2014",
            p.UUID,
        ],
    };
}
