// SPDX-License-Identifier: LGPL-2.1-or-later
// Network pools, the page: wires the model (model.js) to the views and turns clicks into calls.
// The selected network is the page's location (#/NAME), as Cockpit's pages keep theirs.

/* global cockpit */

import { replaceChildren } from "./dom.js";
import { NetpoolModel, isRefusal } from "./model.js";
import { renderNetworks } from "./networks-view.js";
import { renderDetail } from "./detail-view.js";
import { confirmStop, confirmUndefine, defineDialog, errorText } from "./dialogs.js";
import { alert, button } from "./widgets.js";

const model = new NetpoolModel();
const alerts = []; // { title, text }: failed actions, newest first, until closed
const refusals = new Map(); // network name ("" for the manager) -> polkit's answer to the last change
const busy = new Set(); // network names with a call in flight
let details = null; // XML (and, from a netpoold without Device objects, devices) of the selected network
let detailsGeneration = 0;
let detailsScheduled = false;

function selectedName() {
    return cockpit.location.path[0] || null;
}

// --- actions ---

// act(name, what, call): runs a change; a failure becomes an alert with the daemon's message, and a
// refusal by polkit also turns off the buttons of that network, saying why
function act(name, what, call) {
    busy.add(name);
    render();
    return Promise.resolve().then(call)
            .catch(ex => {
                if (isRefusal(ex))
                    refusals.set(name, ex.message);
                alerts.unshift({ title: `${what} of '${name}' failed`, text: errorText(ex) });
            })
            .finally(() => {
                busy.delete(name);
                render();
            });
}

const actions = {
    select(name) {
        cockpit.location.go([name]);
    },
    start(net) {
        return act(net.Name, "Start", () => model.start(net.path));
    },
    stop(net) {
        const ports = model.portsOf(net.path);
        if (ports.length > 0 || net.Connections > 0)
            confirmStop(net, ports, force => stopAndRecord(net, force));
        else
            return act(net.Name, "Stop", () => model.stop(net.path, false));
    },
    undefine(net) {
        confirmUndefine(net, () => recordRefusal(net.Name, model.undefine(net.path)));
    },
    setAutostart(net, on) {
        return act(net.Name, on ? "Enabling autostart" : "Disabling autostart",
                   () => model.setAutostart(net.path, on));
    },
    define() {
        defineDialog(xml => recordRefusal("", model.define(xml)),
                     path => {
                         const net = model.networks.get(path);
                         if (net)
                             actions.select(net.Name);
                     });
    },
    refusal(name) {
        return refusals.get(name) || null;
    },
    busy(name) {
        return busy.has(name);
    },
};

// a dialog shows the error itself; a refusal still turns off the buttons it concerns
function recordRefusal(name, promise) {
    return promise.catch(ex => {
        if (isRefusal(ex)) {
            refusals.set(name, ex.message);
            render();
        }
        throw ex;
    });
}

function stopAndRecord(net, force) {
    return recordRefusal(net.Name, model.stop(net.path, force));
}

// --- rendering ---

function renderAlerts() {
    const nodes = alerts.map((a, i) => alert("danger", a.title, a.text, () => {
        alerts.splice(i, 1);
        renderAlerts();
    }));
    if (model.loadError)
        nodes.unshift(alert("danger", "Cannot read netpoold's networks", model.loadError));
    if (refusals.size > 0)
        nodes.push(alert("warning", "Some changes are not permitted",
                         ["netpoold asked polkit, which refused: the buttons concerned are off and say why. ",
                          "An administrator turns on administrative access in Cockpit, or grants the polkit ",
                          "action org.netpool1.manage by a rule (docs/authorization.md). ",
                          button("Try again", { variant: "link", id: "np-retry", onClick: () => {
                              refusals.clear();
                              render();
                          } })]));
    replaceChildren(document.getElementById("np-alerts"), nodes);
}

function render() {
    renderAlerts();
    const name = selectedName();
    replaceChildren(document.getElementById("np-networks"), renderNetworks(model, name, actions));
    const net = name ? model.networkByName(name) : null;
    const devices = net ? model.devicesOf(net.path) : null;
    const detailNode = net ? renderDetail(net, model.portsOf(net.path), devices, details) : null;
    replaceChildren(document.getElementById("np-detail"), detailNode);
}

// Devices are Device objects, which the model keeps from their signals. The XML has no signals of its own:
// it is fetched again when the selected network or one of the ports changes (each change comes with a
// signal), never on a timer.
function scheduleDetails() {
    if (detailsScheduled)
        return;
    detailsScheduled = true;
    window.setTimeout(() => {
        detailsScheduled = false;
        fetchDetails();
    }, 0);
}

function fetchDetails() {
    const net = selectedName() ? model.networkByName(selectedName()) : null;
    const generation = ++detailsGeneration;
    if (!net) {
        details = null;
        render();
        return;
    }
    Promise.all([model.getXML(net.path, false), model.getXML(net.path, true)])
            .then(([liveXML, inactiveXML]) => ({ liveXML, inactiveXML }))
            .catch(ex => ({ liveXML: "", inactiveXML: "", error: errorText(ex) }))
            .then(result => {
                if (generation !== detailsGeneration)
                    return; // a newer fetch is on its way
                details = result;
                render();
            });
}

// a device's change re-renders from the model, and fetches nothing
function onModelChange(change) {
    render();
    const net = selectedName() ? model.networkByName(selectedName()) : null;
    if (change.kind === "loaded" || change.kind === "port" || (net && change.path === net.path))
        scheduleDetails();
}

// Turning Cockpit's administrative access on or off changes who the page's calls come from (root, or
// the user, whom netpoold asks polkit about): start again, as Cockpit's own pages do.
function followSuperuser() {
    const superuser = cockpit.dbus(null, { bus: "internal" }).proxy("cockpit.Superuser", "/superuser");
    let seen = null;
    superuser.addEventListener("changed", () => {
        const current = superuser.Current;
        if (current === undefined || current === "init")
            return;
        if (seen !== null && current !== seen)
            window.location.reload();
        seen = current;
    });
}

followSuperuser();
model.addListener(onModelChange);
cockpit.addEventListener("locationchanged", () => {
    details = null;
    render();
    scheduleDetails();
});
render();
model.load();
