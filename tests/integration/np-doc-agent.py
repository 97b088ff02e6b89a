#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hypervisor agent written from the docs alone (agents.md, ports.md, dbus.md, port-xml.md, metrics.md), for
test-doc-agent.sh: it allocates one port with AllocateWithOptions as an agent that is not root would, plays
the VMM with what netpoold handed over, checks results, <netpool:plug> and the Port's properties agree, and
releases the port. Exits 1 naming the first thing that is not as the docs say.

A long-lived agent (lease, resume) keeps a lease while its VMM runs: the VMM's pidfd as owner-pidfd, a MAC
another port holds replaced by the next one it was given, the port's record (its XML) in STATEDIR, the port's
Health followed through PropertiesChanged (a device back from `lost` re-attached to the VMM), and after a restart
of the agent each record Notified again. It logs one line per event to stdout and exits 0 once netpoold has
released its ports (the VMM exited).

  np-doc-agent.py hostdev NETWORK UID GID       managed hostdev: vfio-uid/vfio-gid, the VMM opens the group node
  np-doc-agent.py macvtap NETWORK TAPNAME       passthrough/vepa...: tap-fd, the VMM writes a frame to the fd
  np-doc-agent.py hybrid NETWORK VLAN UID GID   hybrid on a VLAN: both paths, the VLAN device under the macvtap
  np-doc-agent.py refusals HOSTDEV MACVTAP      options that do not fit are InvalidArgument, nothing allocated
  np-doc-agent.py lease STATEDIR NETWORK VMM_PID UID GID MAC...
                                                a managed hostdev port for the VMM VMM_PID (running as UID:GID)
                                                with the first MAC no other port holds; then follows it
  np-doc-agent.py resume STATEDIR               the agent restarted: Notify every record, check Health, follow

NP_ROOT: the root the host's /sys and /dev lie under (the sim root; "" on a real host)."""
import fcntl
import json
import os
import re
import stat
import sys
import uuid
import xml.etree.ElementTree as ET

import dbus

NP = "org.netpool1"
NS = "{urn:netpool:xml:1}"
ROOT = os.environ.get("NP_ROOT", "")
if sys.argv[1:2] in (["lease"], ["resume"]):
    # signals need a main loop, set before the connection is made: python3-dbus dispatches them through GLib's
    import dbus.mainloop.glib
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SystemBus()
OWNER = uuid.uuid4()


# A proxy of python3-dbus is bound to the unique name netpoold had when it was made, gone once netpoold exits
# (idle, or a crash): a fresh proxy for each use, which activates netpoold again when needed.
def iface(path, name):
    return dbus.Interface(bus.get_object(NP, path), name)


def props_of(path):
    return iface(path, "org.freedesktop.DBus.Properties")


def manager():
    return iface("/org/netpool1", f"{NP}.Manager")
def fail(what):
    sys.exit(f"doc agent: {what}")


def expect(what, want, got):
    if want != got:
        fail(f"{what}: expected {want!r}, got {got!r}")


def network(name):
    return iface(manager().LookupNetwork(name, dbus.UInt64(0)), f"{NP}.Network")


def allocate(name, opts, mac, vlan=None):
    """AllocateWithOptions of a port whose UUID the agent chose: (uuid, object, XML, results). An answer lost
    to netpoold's death (NoReply) may still have made the port; its results, a tap fd above all, are lost with
    the answer and no call hands them out again: the agent releases that port and allocates it again."""
    port_uuid = str(uuid.uuid4())
    vlan_xml = f"<vlan><tag id='{vlan}'/></vlan>" if vlan else ""
    request = (f"<networkport><uuid>{port_uuid}</uuid><owner><name>doc-vm</name><uuid>{OWNER}</uuid></owner>"
               f"<mac address='{mac}'/>{vlan_xml}</networkport>")
    for _ in range(3):
        try:
            return (port_uuid, *network(name).AllocateWithOptions(request, dbus.Dictionary(opts, signature="sv"),
                                                        dbus.UInt64(0)))
        except dbus.DBusException as e:
            if e.get_dbus_name() != "org.freedesktop.DBus.Error.NoReply":
                raise
        if any(row[0] == port_uuid for row in manager().ListPortsByOwner(str(OWNER), dbus.UInt64(0))):
            print(f"doc agent: answer lost, port {port_uuid} made: released, to be allocated again")
            network(name).Release(port_uuid, dbus.UInt64(0))
    fail(f"no answer to AllocateWithOptions of {port_uuid}")


def plugs(port_xml):
    """The <plug> and <netpool:plug> of a port's XML, as attribute dicts (the plug's <address> under 'address')."""
    doc = ET.fromstring(port_xml)
    plug, np_plug = doc.find("plug"), doc.find(f"{NS}plug")
    if plug is None or np_plug is None:
        fail(f"no <plug> or <netpool:plug> in {port_xml}")
    addr = plug.find("address")
    return dict(plug.attrib, **({"address": dict(addr.attrib)} if addr is not None else {})), dict(np_plug.attrib)


def check_results(results, np_plug, port_obj, keys):
    """results has exactly KEYS (tap-fd and numa-node aside: the device's NUMA node where the host tells one);
    <netpool:plug> and the Port's 1.1 properties say the same."""
    expect("result keys", sorted(keys), sorted(k for k in results if k not in ("tap-fd", "numa-node")))
    if "numa-node" in results:
        expect("numa-node is an int32 of 0 or more", True,
               isinstance(results["numa-node"], dbus.Int32) and results["numa-node"] >= 0)
    names = {"pf": "pf", "vf-index": "vf-index", "iommu-group": "iommu-group", "vfio-group": "vfio-group",
             "tap-name": "tap"}
    for key in keys:
        expect(f"<netpool:plug> {names[key]}", str(results[key]), np_plug.get(names[key]))
    port = props_of(port_obj).GetAll(f"{NP}.Port")
    expect("Port.PF", results.get("pf", ""), port["PF"])
    expect("Port.VFIndex", results.get("vf-index", -1), port["VFIndex"])
    expect("Port.IOMMUGroup", results.get("iommu-group", -1), port["IOMMUGroup"])
    expect("Port.TapName", results.get("tap-name", ""), port["TapName"])
    types = {"pf": dbus.String, "vf-index": dbus.Int32, "iommu-group": dbus.Int32, "vfio-group": dbus.String,
             "tap-name": dbus.String}
    for key in keys:
        expect(f"type of result {key}", types[key], type(results[key]))


def vmm_opens_group(path, uid, gid):
    """The VMM, running as uid/gid, opens the group node read-write (ports.md: mode 0660, given to them)."""
    st = os.stat(path)
    expect(f"owner of {path}", (uid, gid, 0o660), (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)))
    child = os.fork()
    if child == 0:
        try:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.close(os.open(path, os.O_RDWR))
            os._exit(0)
        except OSError as e:
            print(f"doc agent: the VMM as {uid}:{gid} cannot open {path}: {e}", file=sys.stderr)
            os._exit(1)
    _, status = os.waitpid(child, 0)
    expect(f"the VMM as {uid}:{gid} opens {path}", 0, status)


def vmm_writes_frame(results, mac):
    """The tap fd is the macvtap's /dev/tapN (N its ifindex); a queue takes a 10-byte virtio_net_hdr before each
    frame (ports.md); a 60-byte broadcast frame from the port's MAC."""
    fd = results["tap-fd"].take()
    try:
        ifindex = int(open(f"{ROOT}/sys/class/net/{results['tap-name']}/ifindex").read())
        node, st = os.stat(f"{ROOT}/dev/tap{ifindex}"), os.fstat(fd)
        expect("the tap fd is /dev/tapN", (node.st_dev, node.st_ino), (st.st_dev, st.st_ino))
        expect("the tap fd's access mode", os.O_RDWR, fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE)
        frame = b"\xff" * 6 + bytes.fromhex(mac.replace(":", "")) + b"\x88\xb5" + b"doc-agent".ljust(46, b"\0")
        expect("bytes written to the tap fd", 70, os.write(fd, bytes(10) + frame))
    finally:
        os.close(fd)


def release(name, port_uuid):
    network(name).Release(port_uuid, dbus.UInt64(0))
    try:
        manager().LookupPort(port_uuid, dbus.UInt64(0))
        fail(f"port {port_uuid} still there after Release")
    except dbus.DBusException as e:
        expect("LookupPort after Release", f"{NP}.Error.NoSuchPort", e.get_dbus_name())


def run_hostdev(name, uid, gid):
    opts = {"vfio-uid": dbus.UInt32(int(uid)), "vfio-gid": dbus.UInt32(int(gid))}
    port_uuid, obj, xml, results = allocate(name, opts, "52:54:00:d0:c0:01")
    plug, np_plug = plugs(xml)
    expect("plug", ("hostdev-pci", "yes"), (plug["type"], plug.get("managed")))
    check_results(results, np_plug, obj, ["iommu-group", "pf", "vf-index", "vfio-group"])
    expect("vfio-group", f"{ROOT}/dev/vfio/{results['iommu-group']}", results["vfio-group"])
    vmm_opens_group(results["vfio-group"], int(uid), int(gid))
    release(name, port_uuid)


def run_macvtap(name, tap_name):
    mac = "52:54:00:d0:c0:02"
    port_uuid, obj, xml, results = allocate(name, {"tap-fd": dbus.Boolean(True), "tap-name": dbus.String(tap_name)},
                                            mac)
    plug, np_plug = plugs(xml)
    expect("plug type", "direct", plug["type"])
    mode = props_of(manager().LookupNetwork(name, dbus.UInt64(0))).Get(f"{NP}.Network", "ForwardMode")
    expect("plug mode (the network's)", mode, plug["mode"])
    expect("tap-name", tap_name, results["tap-name"])
    expect("type of tap-fd", dbus.types.UnixFd, type(results["tap-fd"]))
    check_results(results, np_plug, obj, ["pf", "tap-name", "vf-index"])
    vmm_writes_frame(results, mac)
    release(name, port_uuid)


def run_hybrid(name, vlan, uid, gid):
    mac = "52:54:00:d0:c0:03"
    opts = {"vfio-uid": dbus.UInt32(int(uid)), "vfio-gid": dbus.UInt32(int(gid)), "tap-fd": dbus.Boolean(True)}
    port_uuid, obj, xml, results = allocate(name, opts, mac, vlan)
    plug, np_plug = plugs(xml)
    expect("plug", ("hybrid", results["pf"], "vepa", "yes"),
           (plug["type"], plug["dev"], plug["mode"], plug.get("managed")))
    expect("the VLAN device under the macvtap", f"{results['pf']}.{vlan}", np_plug.get("vlan-device"))
    check_results(results, np_plug, obj, ["iommu-group", "pf", "tap-name", "vf-index", "vfio-group"])
    expect("the macvtap's lower device", np_plug["vlan-device"],
           os.path.basename(os.readlink(f"{ROOT}/sys/class/net/{results['tap-name']}/lower")))
    vmm_opens_group(results["vfio-group"], int(uid), int(gid))
    vmm_writes_frame(results, mac)
    release(name, port_uuid)


def run_refusals(hostdev, macvtap):
    """Options a mode has no use for, unknown keys, a u sent as i: InvalidArgument, and no port is made."""
    cases = [(hostdev, {"tap-fd": dbus.Boolean(True)}), (macvtap, {"vfio-uid": dbus.UInt32(0)}),
             (hostdev, {"vfio-uid": dbus.Int32(0)}), (hostdev, {"no-such-option": dbus.String("x")}),
             (macvtap, {"tap-name": dbus.String("eth0")}), (macvtap, {"tap-name": dbus.String("no/name")})]
    for name, opts in cases:
        try:
            port_uuid, *_ = allocate(name, opts, "52:54:00:d0:c0:04")
            fail(f"{name} {dict(opts)}: allocated {port_uuid}")
        except dbus.DBusException as e:
            expect(f"{name} {dict(opts)}", f"{NP}.Error.InvalidArgument", e.get_dbus_name())
    expect("ports of the owner after the refusals", [], list(manager().ListPortsByOwner(str(OWNER), dbus.UInt64(0))))


# ---- the long-lived agent: lease, resume ----

# ports.md, "Duplicate MACs": the MAC of another live port is InvalidArgument naming that port and its network
MAC_HELD = re.compile(r"MAC (\S+) is held by port (\S+) of network '([^']*)'")


def log(what):
    print(f"doc agent: {what}", flush=True)


def port_iface(path, name="Port"):
    return iface(path, f"{NP}.{name}")


def port_prop(path, name):
    return props_of(path).Get(f"{NP}.Port", name)


class Records:
    """The agent's own records, one JSON file a port in STATEDIR: network, the port's XML as netpoold last
    returned it, the VMM's pid and the uid/gid it runs as (agents.md: the agent keeps a record of each port)."""

    def __init__(self, state_dir):
        self.dir = state_dir

    def path(self, port_uuid):
        return os.path.join(self.dir, f"{port_uuid}.json")

    def write(self, port_uuid, record):
        tmp = self.path(port_uuid) + ".tmp"
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, self.path(port_uuid))

    def read_all(self):
        return {name[:-5]: json.load(open(os.path.join(self.dir, name)))
                for name in sorted(os.listdir(self.dir)) if name.endswith(".json")}

    def remove(self, port_uuid):
        os.unlink(self.path(port_uuid))


def allocate_with_free_mac(name, macs, opts):
    """The first of MACS that no other port holds: a held one is InvalidArgument naming its holder, which
    ListPorts confirms; the agent goes on with the next. None free: exits naming each holder."""
    held = []
    for mac in macs:
        try:
            return mac, allocate(name, opts, mac)
        except dbus.DBusException as e:
            said = MAC_HELD.search(str(e.get_dbus_message()))
            if e.get_dbus_name() != f"{NP}.Error.InvalidArgument" or not said:
                raise
            rows = [row for row in manager().ListPorts(dbus.UInt64(0)) if row[4].lower() == mac.lower()]
            expect(f"ListPorts: the holder of {mac}", [(said[2], said[3])], [(row[0], row[1]) for row in rows])
            log(f"MAC {mac} is held by port {said[2]} of network '{said[3]}': taking the next MAC")
            held.append(f"{mac} (port {said[2]} of network '{said[3]}')")
    fail(f"no MAC to give the guest on {name}: every one is held by another port: {', '.join(held)}")


def vmm_attach(path, record):
    """Hand the port's device to the VMM: it opens the VFIO group node the Port names now (ports.md)."""
    group = port_prop(path, "IOMMUGroup")
    node = f"{ROOT}/dev/vfio/{group}"
    vmm_opens_group(node, record["uid"], record["gid"])
    return node


class Lease:
    """The agent's ports, followed: Health through PropertiesChanged, the ports' end through InterfacesRemoved."""

    def __init__(self, records):
        from gi.repository import GLib
        self.records, self.loop, self.error = records, GLib.MainLoop(), None
        self.ports = {}     # object path -> {"uuid", "health", "pci", "node"}
        # subscribed before any port is made or notified: a change in between is queued, not lost
        bus.add_signal_receiver(self.on_changed, "PropertiesChanged", "org.freedesktop.DBus.Properties", NP,
                                path_keyword="path")
        bus.add_signal_receiver(self.on_removed, "InterfacesRemoved", "org.freedesktop.DBus.ObjectManager", NP,
                                "/org/netpool1")

    def follow(self, port_uuid, path, node):
        self.ports[str(path)] = {"uuid": port_uuid, "health": str(port_prop(path, "Health")),
                                 "pci": str(port_prop(path, "PCIAddress")), "node": node}
        log(f"following port {port_uuid}: Health {self.ports[str(path)]['health']}")

    def guarded(self, handler, *args, **kwargs):
        """python3-dbus prints and drops what a signal handler raises: the loop ends, the agent fails with it."""
        try:
            handler(*args, **kwargs)
        except (Exception, SystemExit) as e:
            self.error = e
            self.loop.quit()

    def on_changed(self, *args, **kwargs):
        self.guarded(self.changed, *args, **kwargs)

    def on_removed(self, *args):
        self.guarded(self.removed, *args)

    def changed(self, interface, changed, invalidated, path=None):
        port = self.ports.get(str(path))
        if port is None or interface != f"{NP}.Port" or "Health" not in changed:
            return
        before, now = port["health"], str(changed["Health"])
        port["health"] = now
        log(f"port {port['uuid']}: Health {before} -> {now}")
        if before == "lost" and now == "ok":
            self.reattach(path, port)

    def reattach(self, path, port):
        """ports.md, Health: the guest lost the device all the same; the agent re-attaches it."""
        record = self.records.read_all()[port["uuid"]]
        expect(f"port {port['uuid']}: PCI address after lost -> ok", port["pci"], str(port_prop(path, "PCIAddress")))
        node = vmm_attach(path, record)
        # the port's <netpool:plug> names the group as it is now: the record Notify gets after a restart
        record["xml"] = str(port_iface(path).GetXML(dbus.UInt64(0)))
        self.records.write(port["uuid"], record)
        log(f"port {port['uuid']}: re-attached {port['pci']} to the VMM, group node {node}"
            + ("" if node == port["node"] else f" (was {port['node']})"))
        port["node"] = node

    def removed(self, path, interfaces):
        port = self.ports.pop(str(path), None)
        if port is None or f"{NP}.Port" not in interfaces:
            return
        record = self.records.read_all()[port["uuid"]]
        self.records.remove(port["uuid"])
        log(f"port {port['uuid']}: released by netpoold (Health was {port['health']}), VMM {record['vmm-pid']}")
        if not self.ports:
            self.loop.quit()

    def run(self, seconds):
        from gi.repository import GLib
        GLib.timeout_add_seconds(seconds, self.loop.quit)
        self.loop.run()
        if isinstance(self.error, dbus.DBusException):
            raise self.error
        if isinstance(self.error, SystemExit):
            sys.exit(self.error.code)
        if self.error is not None:
            fail(f"{type(self.error).__name__}: {self.error}")
        if self.ports:
            fail(f"ports {sorted(p['uuid'] for p in self.ports.values())} still held after {seconds} s")
        log("no port left")


def run_lease(state_dir, name, vmm_pid, uid, gid, *macs):
    """ports.md: the VMM's pidfd as owner-pidfd, after the VMM was started and before it gets the device."""
    records = Records(state_dir)
    lease = Lease(records)
    pidfd = os.pidfd_open(int(vmm_pid))
    opts = {"vfio-uid": dbus.UInt32(int(uid)), "vfio-gid": dbus.UInt32(int(gid)),
            "owner-pidfd": dbus.types.UnixFd(pidfd)}
    os.close(pidfd)
    mac, (port_uuid, path, xml, results) = allocate_with_free_mac(name, macs, opts)
    expect("Port.OwnerPID (owner-pidfd)", int(vmm_pid), int(port_prop(path, "OwnerPID")))
    record = {"network": name, "xml": str(xml), "vmm-pid": int(vmm_pid), "uid": int(uid), "gid": int(gid)}
    records.write(port_uuid, record)
    log(f"leased port {port_uuid} on {name} with MAC {mac}: {results['pf']} VF {results['vf-index']}, "
        f"{port_prop(path, 'PCIAddress')}, for VMM {vmm_pid}")
    lease.follow(port_uuid, path, vmm_attach(path, record))
    lease.run(int(os.environ.get("NP_AGENT_SECONDS", "120")))


def run_resume(state_dir):
    """agents.md, after netpoold lost its state / ports.md, Notify: the agent gives netpoold each record back;
    a port netpoold has is the same port, with the VF checked against it; then the Health it has."""
    records = Records(state_dir)
    lease = Lease(records)
    for port_uuid, record in records.read_all().items():
        path, xml = network(record["network"]).Notify(record["xml"], dbus.UInt64(0))
        record["xml"] = str(xml)
        records.write(port_uuid, record)
        expect(f"port {port_uuid}: OwnerPID after Notify", record["vmm-pid"], int(port_prop(path, "OwnerPID")))
        health = str(port_prop(path, "Health"))
        log(f"notified port {port_uuid} on {record['network']}: Health {health}")
        lease.follow(port_uuid, path, vmm_attach(path, record) if health == "ok" else "")
    lease.run(int(os.environ.get("NP_AGENT_SECONDS", "120")))


if __name__ == "__main__":
    expect("Manager.APIVersion", "1.1", props_of("/org/netpool1").Get(f"{NP}.Manager", "APIVersion"))
    try:
        {"hostdev": run_hostdev, "macvtap": run_macvtap, "hybrid": run_hybrid,
         "refusals": run_refusals, "lease": run_lease, "resume": run_resume}[sys.argv[1]](*sys.argv[2:])
    except dbus.DBusException as e:
        fail(f"{e.get_dbus_name()}: {e.get_dbus_message()}")
    print(f"doc agent: {' '.join(sys.argv[1:])}: as documented")
