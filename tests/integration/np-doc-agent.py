#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hypervisor agent written from the docs alone (agents.md, ports.md, dbus.md, port-xml.md), for
test-doc-agent.sh: it allocates one port with AllocateWithOptions as an agent that is not root would, plays
the VMM with what netpoold handed over, checks results, <netpool:plug> and the Port's properties agree, and
releases the port. Exits 1 naming the first thing that is not as the docs say.

  np-doc-agent.py hostdev NETWORK UID GID       managed hostdev: vfio-uid/vfio-gid, the VMM opens the group node
  np-doc-agent.py macvtap NETWORK TAPNAME       passthrough/vepa...: tap-fd, the VMM writes a frame to the fd
  np-doc-agent.py hybrid NETWORK VLAN UID GID   hybrid on a VLAN: both paths, the VLAN device under the macvtap
  np-doc-agent.py refusals HOSTDEV MACVTAP      options that do not fit are InvalidArgument, nothing allocated

NP_ROOT: the root the host's /sys and /dev lie under (the sim root; "" on a real host)."""
import fcntl
import os
import stat
import sys
import uuid
import xml.etree.ElementTree as ET

import dbus

NP = "org.netpool1"
NS = "{urn:netpool:xml:1}"
ROOT = os.environ.get("NP_ROOT", "")
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


if __name__ == "__main__":
    expect("Manager.APIVersion", "1.1", props_of("/org/netpool1").Get(f"{NP}.Manager", "APIVersion"))
    try:
        {"hostdev": run_hostdev, "macvtap": run_macvtap, "hybrid": run_hybrid,
         "refusals": run_refusals}[sys.argv[1]](*sys.argv[2:])
    except dbus.DBusException as e:
        fail(f"{e.get_dbus_name()}: {e.get_dbus_message()}")
    print(f"doc agent: {' '.join(sys.argv[1:])}: as documented")
