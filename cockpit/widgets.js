// SPDX-License-Identifier: LGPL-2.1-or-later
// PatternFly 4 components as Cockpit's own pages show them (class names of @patternfly/patternfly 4),
// built as plain DOM: buttons, labels, switches, alerts, cards, tables, code blocks and modals.

import { h } from "./dom.js";

// button(text, { variant: "primary" | "secondary" | "danger" | "link", onClick, disabled, reason, id })
// A disabled button says why in its title (the page also writes the reason beside it).
export function button(text, options) {
    const o = options || {};
    return h("button.pf-c-button.pf-m-" + (o.variant || "secondary") + (o.small ? ".pf-m-small" : ""), {
        type: "button",
        id: o.id,
        disabled: !!o.disabled,
        title: o.disabled ? o.reason : o.title,
        "aria-label": o.ariaLabel,
        dataset: o.dataset,
        onClick: o.onClick,
    }, text);
}

const LABEL_COLORS = {
    active: "green",
    inactive: "grey",
    free: "green",
    "in-use": "blue",
    unavailable: "orange",
    lost: "red",
    "restore-failed": "red",
};

export function label(text, color) {
    return h("span.pf-c-label.pf-m-" + (color || LABEL_COLORS[text] || "grey"), {},
             h("span.pf-c-label__content", {}, text));
}

// switchControl(id, checked, labelText, { onChange, disabled, reason })
export function switchControl(id, checked, labelText, options) {
    const o = options || {};
    const input = h("input.pf-c-switch__input", {
        type: "checkbox",
        id,
        checked: !!checked,
        disabled: !!o.disabled,
        "aria-label": labelText,
        onChange: event => o.onChange && o.onChange(event.target.checked),
    });
    input.checked = !!checked;
    return h("label.pf-c-switch", { for: id, title: o.disabled ? o.reason : undefined },
             input,
             h("span.pf-c-switch__toggle"),
             h("span.pf-c-switch__label", { "aria-hidden": "true" }, checked ? "On" : "Off"));
}

// alert(variant, title, body, onClose): variant "danger", "warning", "info" or "success"
export function alert(variant, title, body, onClose) {
    return h("div.pf-c-alert.pf-m-inline.pf-m-" + variant, { role: "alert" },
             h("div.pf-c-alert__icon", { "aria-hidden": "true" }, variant === "danger" ? "!" : "i"),
             h("p.pf-c-alert__title", {}, title),
             onClose
                 ? h("div.pf-c-alert__action", {},
                     button("\u00d7", { variant: "plain", ariaLabel: "Close", onClick: onClose }))
                 : null,
             body ? h("div.pf-c-alert__description", {}, body) : null);
}

export function card(title, actions, ...body) {
    return h("article.pf-c-card", {},
             h("div.pf-c-card__header", {},
               h("h2.pf-c-card__title.pf-c-title.pf-m-lg", {}, title),
               actions ? h("div.pf-c-card__actions", {}, actions) : null),
             h("div.pf-c-card__body", {}, ...body));
}

// table(caption, columns, rows, { id, empty }): rows are arrays of cells (text or nodes), or
// { cells, attrs } to put attributes (data-*) on the row
export function table(caption, columns, rows, options) {
    const o = options || {};
    const body = rows.length
        ? rows.map(row => {
            const cells = Array.isArray(row) ? row : row.cells;
            return h("tr", Array.isArray(row) ? {} : row.attrs,
                     cells.map((cell, i) => h("td", { "data-label": columns[i] }, cell)));
        })
        : [h("tr", {}, h("td.np-empty", { colspan: columns.length }, o.empty || "None"))];
    return h("table.pf-c-table.pf-m-compact.pf-m-grid-md", { role: "grid", id: o.id, "aria-label": caption },
             h("thead", {}, h("tr", {}, columns.map(c => h("th", { scope: "col" }, c)))),
             h("tbody", {}, body));
}

export function codeBlock(id, text) {
    return h("div.pf-c-code-block", {},
             h("div.pf-c-code-block__content", {},
               h("pre.pf-c-code-block__pre", {}, h("code.pf-c-code-block__code", { id }, text))));
}

// modal(title, body, footerButtons, { id, variant }): a modal box over a backdrop; returns the
// backdrop node, which the caller adds to the page and removes to close
export function modal(title, body, footer, options) {
    const o = options || {};
    return h("div.pf-c-backdrop", {},
             h("div.pf-l-bullseye", {},
               h("div.pf-c-modal-box.pf-m-" + (o.size || "sm") + (o.variant ? ".pf-m-" + o.variant : ""), {
                   role: "dialog", "aria-modal": "true", id: o.id, "aria-labelledby": (o.id || "np-modal") + "-title",
               },
                 h("header.pf-c-modal-box__header", {},
                   h("h1.pf-c-modal-box__title", { id: (o.id || "np-modal") + "-title" }, title)),
                 h("div.pf-c-modal-box__body", {}, body),
                 h("footer.pf-c-modal-box__footer", {}, footer))));
}
