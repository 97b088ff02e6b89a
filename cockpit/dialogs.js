// SPDX-License-Identifier: LGPL-2.1-or-later
// The dialogs: confirm a forced Stop (naming the ports it releases), confirm Undefine, define a
// network from pasted XML. Each one stays open until its call answers, and shows the daemon's own
// error message in place when it fails.

import { h, replaceChildren, shown } from "./dom.js";
import { alert, button, modal } from "./widgets.js";

const root = () => document.getElementById("np-modal-root");

function close() {
    replaceChildren(root());
}

// Escape closes the dialog, as PatternFly's modals do, but not while its call runs: the answer, an
// error perhaps, is shown in the dialog
document.addEventListener("keydown", event => {
    if (event.key === "Escape" && root().firstChild && !root().dataset.busy)
        close();
});

// run the call of a dialog: buttons off while it runs, the error in the dialog if it fails
function runInDialog(errorArea, buttons, call, describeError) {
    buttons.forEach(b => { b.disabled = true });
    replaceChildren(errorArea);
    root().dataset.busy = "yes";
    return Promise.resolve().then(call)
            .then(close)
            .catch(ex => {
                buttons.forEach(b => { b.disabled = false });
                replaceChildren(errorArea, alert("danger", describeError, errorText(ex)));
            })
            .finally(() => { delete root().dataset.busy });
}

export function errorText(ex) {
    return ex.name ? `${ex.message} (${ex.name})` : String(ex.message || ex);
}

function portItem(p) {
    const owner = p.OwnerName ? `${shown(p.OwnerName)} (${p.OwnerUUID})` : p.OwnerUUID;
    return h("li", { "data-port": p.UUID }, `${p.MAC} of ${owner} on ${p.Device || p.PCIAddress || "?"}`);
}

// confirmStop(net, ports, stop): stop(force) returns a promise
export function confirmStop(net, ports, stop) {
    const errorArea = h("div.np-dialog-error");
    const confirm = button(`Stop and release ${ports.length} port${ports.length === 1 ? "" : "s"}`, {
        variant: "danger", id: "np-stop-confirm",
    });
    const cancel = button("Cancel", { variant: "link", id: "np-stop-cancel", onClick: close });
    confirm.addEventListener("click", () =>
        runInDialog(errorArea, [confirm, cancel], () => stop(true), `Stop of '${net.Name}' failed`));
    replaceChildren(root(), modal(`Stop network ${net.Name}?`, [
        h("p", {}, `'${net.Name}' has ports. Stopping it releases each of them and restores its ` +
          "device's original configuration; the virtual machines that hold them lose these devices:"),
        h("ul.np-port-list", { id: "np-stop-ports" }, ports.map(portItem)),
        errorArea,
    ], [confirm, cancel], { id: "np-stop-dialog", variant: "warning" }));
}

export function confirmUndefine(net, undefine) {
    const errorArea = h("div.np-dialog-error");
    const confirm = button("Undefine", { variant: "danger", id: "np-undefine-confirm" });
    const cancel = button("Cancel", { variant: "link", id: "np-undefine-cancel", onClick: close });
    confirm.addEventListener("click", () =>
        runInDialog(errorArea, [confirm, cancel], undefine, `Undefine of '${net.Name}' failed`));
    const effect = net.Active
        ? `'${net.Name}' is active: it stays so as a transient network, and is gone once stopped.`
        : `The definition of '${net.Name}' is removed.`;
    replaceChildren(root(), modal(`Undefine network ${net.Name}?`, [h("p", {}, effect), errorArea],
                                  [confirm, cancel], { id: "np-undefine-dialog", variant: "warning" }));
}

// defineDialog(define): define(xml) returns a promise of the new network's object path
export function defineDialog(define, onDefined) {
    const errorArea = h("div.np-dialog-error");
    const text = h("textarea.pf-c-form-control.np-xml-input", {
        id: "np-define-xml",
        rows: 16,
        spellcheck: "false",
        "aria-label": "Network XML",
        placeholder: "<network>\n  <name>sriov-a</name>\n  <forward mode='hostdev' managed='yes'>\n" +
                     "    <pf dev='eth0'/>\n  </forward>\n</network>",
    });
    const submit = button("Define", { variant: "primary", id: "np-define-submit" });
    const cancel = button("Cancel", { variant: "link", id: "np-define-cancel", onClick: close });
    submit.addEventListener("click", () =>
        runInDialog(errorArea, [submit, cancel], () => define(text.value).then(onDefined),
                    "The daemon refused the definition"));
    replaceChildren(root(), modal("Define a network", [
        h("p", {}, "Paste a network definition in libvirt's XML dialect (see netpool.network(5)). " +
          "It is stored as a persistent, inactive network; the hardware is checked when it starts."),
        h("div.pf-c-form__group", {}, text),
        errorArea,
    ], [submit, cancel], { id: "np-define-dialog", size: "md" }));
    text.focus();
}
