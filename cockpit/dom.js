// SPDX-License-Identifier: LGPL-2.1-or-later
// Building DOM nodes: h("tag.class1.class2", { attributes, onClick }, children...). Every text goes in
// as a text node, so names, messages and XML from the daemon are shown, never parsed as HTML.

export function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split(".");
    const node = document.createElement(tag || "div");
    if (classes.length)
        node.className = classes.join(" ");
    for (const [key, value] of Object.entries(attrs || {})) {
        if (value === undefined || value === null || value === false)
            continue;
        if (key.startsWith("on"))
            node.addEventListener(key.substring(2).toLowerCase(), value);
        else if (key === "dataset")
            Object.assign(node.dataset, value);
        else
            node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
}

function append(node, children) {
    for (const child of children) {
        if (child === null || child === undefined || child === false)
            continue;
        if (Array.isArray(child))
            append(node, child);
        else if (child instanceof Node)
            node.appendChild(child);
        else
            node.appendChild(document.createTextNode(String(child)));
    }
}

// replace the children of a node
export function replaceChildren(node, ...children) {
    while (node.firstChild)
        node.removeChild(node.firstChild);
    append(node, children);
}

// A name as a person may read it: a character that does not show as itself — a control, a bidi
// embedding, override, isolate or mark, a zero-width or other format character, a line or paragraph
// separator, an unassigned or surrogate code point — is written \u{XXXX}, as netpoolctl writes it, so a
// name cannot turn the text around it or hide what it is. netpoold refuses such owner names; a port
// recorded before it did may still have one.
const UNSHOWN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cn}\p{Cs}]/gu;

export function shown(text) {
    return String(text).replace(UNSHOWN,
        c => `\\u{${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}}`);
}
