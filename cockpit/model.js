// SPDX-License-Identifier: LGPL-2.1-or-later
// The model: what netpoold says about its networks, ports and devices, kept up to date from its signals.
//
// Everything comes from the public D-Bus API (org.netpool1, docs/dbus.md): one GetManagedObjects of the
// ObjectManager at /org/netpool1 to begin with, then InterfacesAdded, InterfacesRemoved and
// PropertiesChanged. Nothing is polled. The first call activates netpoold if it is not running; after an
// idle exit the bus routes the next call to a new instance, whose signals reach us through the same
// match (the bus matches a well-known sender against its owner of the moment).

/* global cockpit */

export const BUS_NAME = "org.netpool1";
export const MANAGER_PATH = "/org/netpool1";
export const MANAGER_IFACE = "org.netpool1.Manager";
export const NETWORK_IFACE = "org.netpool1.Network";
export const PORT_IFACE = "org.netpool1.Port";
export const DEVICE_IFACE = "org.netpool1.Device";
const OBJECT_MANAGER_IFACE = "org.freedesktop.DBus.ObjectManager";
const PROPERTIES_IFACE = "org.freedesktop.DBus.Properties";

export const STOP_FORCE = 1;
export const GET_XML_INACTIVE = 1;

// cockpit's dbus-json3 gives a{sv} as { name: { t: SIGNATURE, v: VALUE } }
function unwrap(props) {
    const out = {};
    for (const name in props)
        out[name] = props[name].v;
    return out;
}

// the last segment of an object path, sd_bus_path_encode() undone ("_2d" is "-"): a port's UUID
function pathSegment(path) {
    return path.slice(path.lastIndexOf("/") + 1)
            .replace(/_([0-9a-f]{2})/g, (m, hex) => String.fromCharCode(parseInt(hex, 16)));
}

export class NetpoolModel {
    constructor() {
        this.client = cockpit.dbus(BUS_NAME, { bus: "system", superuser: "try" });
        this.networks = new Map(); // object path -> properties of org.netpool1.Network
        this.ports = new Map(); // object path -> properties of org.netpool1.Port
        this.devices = new Map(); // object path -> properties of org.netpool1.Device
        this.loaded = false;
        this.loadError = null;
        this.listeners = [];
        this.owner = null;
        this.subscriptions = [
            this.client.subscribe({ path: MANAGER_PATH, interface: OBJECT_MANAGER_IFACE },
                                  (path, iface, signal, args) => this.onObjectManagerSignal(signal, args)),
            this.client.subscribe({ path_namespace: MANAGER_PATH, interface: PROPERTIES_IFACE,
                                    member: "PropertiesChanged" },
                                  (path, iface, signal, args) => this.onPropertiesChanged(path, args)),
        ];
        // A new owner of org.netpool1 is a new netpoold (activated after an idle exit, or restarted):
        // read its objects once, as at start, in case something changed while none ran.
        this.client.addEventListener("owner", (event, owner) => {
            const previous = this.owner;
            this.owner = owner;
            if (owner && previous !== owner && this.loaded)
                this.load();
        });
        this.client.addEventListener("close", (event, options) => {
            this.loadError = cockpit.message(options);
            this.changed({ kind: "closed" });
        });
    }

    // onChange(change): called after every change; change.kind is "loaded", "network", "port", "device"
    // or "closed"
    addListener(callback) {
        this.listeners.push(callback);
    }

    changed(change) {
        for (const callback of this.listeners)
            callback(change);
    }

    // a call as a native promise: cockpit's own promises do not turn a throw in a handler into a
    // rejection, and the page's handlers do throw
    call(path, iface, method, args, signature) {
        return Promise.resolve(this.client.call(path, iface, method, args, signature ? { type: signature } : {}));
    }

    load() {
        return this.call(MANAGER_PATH, OBJECT_MANAGER_IFACE, "GetManagedObjects", [])
                .then(([objects]) => {
                    for (const table of this.tables())
                        table.clear();
                    for (const path in objects)
                        this.addInterfaces(path, objects[path]);
                    this.loaded = true;
                    this.loadError = null;
                    this.changed({ kind: "loaded" });
                })
                .catch(ex => {
                    this.loadError = ex.message;
                    this.changed({ kind: "loaded" });
                });
    }

    tables() {
        return [this.networks, this.ports, this.devices];
    }

    tableOf(iface) {
        return { [NETWORK_IFACE]: this.networks, [PORT_IFACE]: this.ports, [DEVICE_IFACE]: this.devices }[iface];
    }

    addInterfaces(path, interfaces) {
        for (const iface of [NETWORK_IFACE, PORT_IFACE, DEVICE_IFACE])
            if (interfaces[iface])
                this.tableOf(iface).set(path, unwrap(interfaces[iface]));
    }

    onObjectManagerSignal(signal, args) {
        const [path, payload] = args;
        if (signal === "InterfacesAdded") {
            this.addInterfaces(path, payload);
        } else if (signal === "InterfacesRemoved") {
            for (const iface of payload)
                if (this.tableOf(iface))
                    this.tableOf(iface).delete(path);
        } else {
            return;
        }
        this.changed({ kind: this.kindOf(path), path });
    }

    onPropertiesChanged(path, args) {
        const [iface, changedProps] = args;
        const table = this.tableOf(iface);
        if (!table)
            return;
        // a network we have not seen yet (its InterfacesAdded raced our GetManagedObjects) comes
        // with its next InterfacesAdded or the next load; a partial record would show holes
        const known = table.get(path);
        if (!known)
            return;
        Object.assign(known, unwrap(changedProps));
        this.changed({ kind: this.kindOf(path), path });
    }

    kindOf(path) {
        return path.startsWith(MANAGER_PATH + "/port/") ? "port"
            : path.startsWith(MANAGER_PATH + "/device/") ? "device" : "network";
    }

    // networks sorted by name
    networkList() {
        return [...this.networks.entries()]
                .map(([path, props]) => ({ path, ...props }))
                .sort((a, b) => a.Name.localeCompare(b.Name));
    }

    networkByName(name) {
        return this.networkList().find(n => n.Name === name) || null;
    }

    // the ports whose Network property is this network's object path
    portsOf(networkPath) {
        return [...this.ports.entries()]
                .filter(([, props]) => props.Network === networkPath)
                .map(([path, props]) => ({ path, ...props }))
                .sort((a, b) => a.MAC.localeCompare(b.MAC));
    }

    // the Device objects in this network's pool, as rows of the devices table, sorted by PCI address
    devicesOf(networkPath) {
        return [...this.devices.values()]
                .filter(d => (d.Networks || []).includes(networkPath))
                .map(d => {
                    const held = d.Port && d.Port !== "/";
                    return {
                        id: d.Id,
                        netdev: (d.Netdevs || []).join(", "),
                        pciAddress: d.PCIAddress,
                        pf: d.PF,
                        vfIndex: d.VFIndex,
                        state: d.State,
                        port: held ? pathSegment(d.Port) : "",
                        connections: held ? 1 : 0,
                        numaNode: d.NUMANode,
                        driver: d.Driver,
                        holder: d.Holder,
                    };
                })
                .sort((a, b) => a.id.localeCompare(b.id));
    }

    // --- calls: each returns a promise; a rejection carries the daemon's error (name, message) ---

    networkCall(path, method, signature, args) {
        return this.call(path, NETWORK_IFACE, method, args, signature);
    }

    start(path) {
        return this.networkCall(path, "Start", "t", [0]);
    }

    stop(path, force) {
        return this.networkCall(path, "Stop", "t", [force ? STOP_FORCE : 0]);
    }

    undefine(path) {
        return this.networkCall(path, "Undefine", "t", [0]);
    }

    setAutostart(path, enabled) {
        return this.call(path, PROPERTIES_IFACE, "Set",
                         [NETWORK_IFACE, "Autostart", cockpit.variant("b", enabled)], "ssv");
    }

    define(xml) {
        return this.call(MANAGER_PATH, MANAGER_IFACE, "DefineNetwork", [xml, 0], "st")
                .then(([path]) => path);
    }

    getXML(path, inactive) {
        return this.networkCall(path, "GetXML", "t", [inactive ? GET_XML_INACTIVE : 0])
                .then(([xml]) => xml);
    }
}

// D-Bus error names that mean "this caller may not do that" (polkit said no, or would need a password)
export function isRefusal(ex) {
    return ex && (ex.name === "org.freedesktop.DBus.Error.AccessDenied" ||
                  ex.name === "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired");
}
