// SPDX-License-Identifier: LGPL-2.1-or-later
// The networks table: every network of the host with its counts, and what can be done to it.

import { h } from "./dom.js";
import { button, card, label, switchControl, table } from "./widgets.js";

const COLUMNS = ["Name", "Mode", "State", "Autostart", "Connections", "Capacity", "Available", "Actions"];

// actions: { select(name), start(net), stop(net), undefine(net), setAutostart(net, on), define(),
//            refusal(name) -> message or null, busy(name) -> bool }
export function renderNetworks(model, selected, actions) {
    let body;
    if (!model.loaded && !model.loadError)
        body = h("p.np-loading", {}, "Loading networks\u2026");
    else
        body = table("Networks", COLUMNS, model.networkList().map(net => networkRow(net, selected, actions)),
                     { id: "np-networks-table", empty: "No network is defined. Define one from its XML." });
    const refused = actions.refusal("");
    const defineButton = button("Define network", {
        variant: "primary",
        id: "np-define",
        disabled: !!refused,
        reason: refused && "Not permitted: " + refused,
        onClick: () => actions.define(),
    });
    return card("Networks", defineButton, body);
}

function networkRow(net, selected, actions) {
    const refused = actions.refusal(net.Name);
    const reason = refused ? "Not permitted: " + refused : null;
    const busy = actions.busy(net.Name);
    const nameLink = button(net.Name, {
        variant: "link",
        title: "Show devices, ports and XML of " + net.Name,
        dataset: { action: "select" },
        onClick: () => actions.select(net.Name),
    });
    const stateButton = net.Active
        ? button("Stop", { dataset: { action: "stop" }, disabled: busy || !!refused, reason, onClick: () => actions.stop(net) })
        : button("Start", { dataset: { action: "start" }, disabled: busy || !!refused, reason, onClick: () => actions.start(net) });
    const undefineButton = net.Persistent
        ? button("Undefine", {
            variant: "danger",
            dataset: { action: "undefine" },
            disabled: busy || !!refused,
            reason,
            onClick: () => actions.undefine(net),
        })
        : null;
    const autostart = switchControl("np-autostart-" + net.Name, net.Autostart, "Autostart " + net.Name, {
        disabled: busy || !!refused || !net.Persistent,
        reason: !net.Persistent ? "A transient network cannot autostart" : reason,
        onChange: on => actions.setAutostart(net, on),
    });
    return {
        attrs: { "data-network": net.Name, class: net.Name === selected ? "pf-m-selected" : undefined },
        cells: [
            nameLink,
            net.ForwardMode,
            h("span", {}, label(net.Active ? "active" : "inactive"), net.Persistent ? null : " transient"),
            autostart,
            String(net.Connections),
            String(net.Capacity),
            String(net.Available),
            h("div.np-actions", {}, stateButton, undefineButton,
              refused ? h("div.np-refused", { "data-refused": net.Name }, reason) : null),
        ],
    };
}
