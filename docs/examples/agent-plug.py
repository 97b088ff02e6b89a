#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Allocate a port with AllocateWithOptions and print what netpoold prepared (docs/agents.md).

  agent-plug.py --network NAME [--tap-fd] [--tap-name NAME] [--vfio-uid UID] [--vfio-gid GID]
                [--mac MAC] [--release] [-- COMMAND ARGS...]

A COMMAND (a VMM) runs with the tap fd open, `{tap-fd}` in its arguments replaced by the fd's number; --release
releases the port when it has ended. Needs python3-dbus and org.netpool1.allocate; DBUS_SYSTEM_BUS_ADDRESS is
honoured."""
import argparse
import os
import random
import subprocess
import sys
import uuid

import dbus

NETPOOL = "org.netpool1"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--network", required=True)
    p.add_argument("--tap-fd", action="store_true", help="ask for an open fd of the macvtap's tap device")
    p.add_argument("--tap-name", help="name of the macvtap netpoold creates")
    p.add_argument("--vfio-uid", type=int, help="give the VFIO group node to this uid (managed hostdev)")
    p.add_argument("--vfio-gid", type=int, help="... and this gid")
    p.add_argument("--mac", default="52:54:00:%02x:%02x:%02x" % tuple(random.randrange(256) for _ in range(3)))
    p.add_argument("--release", action="store_true", help="release the port before exiting")
    p.add_argument("command", nargs="*", help="a VMM command line to run with the fd")
    return p.parse_args()


def options_of(args):
    """The a{sv}: each value typed as the API says (u, s, b); a plain int would go as i and be refused."""
    opts = dbus.Dictionary({}, signature="sv")
    if args.tap_fd:
        opts["tap-fd"] = dbus.Boolean(True)
    if args.tap_name:
        opts["tap-name"] = dbus.String(args.tap_name)
    if args.vfio_uid is not None:
        opts["vfio-uid"] = dbus.UInt32(args.vfio_uid)
    if args.vfio_gid is not None:
        opts["vfio-gid"] = dbus.UInt32(args.vfio_gid)
    return opts


def network_of(bus, name):
    """A proxy of the network. python3-dbus binds a proxy to the unique name netpoold has when it is made;
    netpoold exits when idle (and may crash) and the next call activates a new one: a proxy kept across that
    gets ServiceUnknown ("The name :1.7 was not provided by any .service files"), so each use makes its own."""
    manager = dbus.Interface(bus.get_object(NETPOOL, "/org/netpool1"), "org.netpool1.Manager")
    return dbus.Interface(bus.get_object(NETPOOL, manager.LookupNetwork(name, dbus.UInt64(0))),
                          "org.netpool1.Network")


def main():
    args = parse_args()
    # the agent chooses the port's UUID and keeps it before the call (agents.md: when netpoold dies mid-call)
    port_uuid = str(uuid.uuid4())
    request = (f"<networkport><uuid>{port_uuid}</uuid><owner><name>agent-plug</name>"
               f"<uuid>{uuid.uuid4()}</uuid></owner><mac address='{args.mac}'/></networkport>")
    try:
        bus = dbus.SystemBus()
        port, port_xml, results = network_of(bus, args.network).AllocateWithOptions(request, options_of(args), dbus.UInt64(0))
    except dbus.DBusException as e:
        sys.exit(f"allocate on {args.network} failed: {e.get_dbus_name()}: {e.get_dbus_message()}")

    tap_fd = None
    print(f"port {port_uuid} {port}")
    for key in sorted(results):
        value = results[key]
        if isinstance(value, dbus.types.UnixFd):
            tap_fd = value.take()          # ours now: an int, open, to hand to the VMM and close
            value = f"fd {tap_fd}"
        print(f"{key}: {value}")
    print(port_xml)

    if args.command:
        if tap_fd is not None:
            args.command = [a.replace("{tap-fd}", str(tap_fd)) for a in args.command]
        subprocess.run(args.command, pass_fds=[tap_fd] if tap_fd is not None else [], check=False)
    if tap_fd is not None:
        os.close(tap_fd)
    if args.release:
        try:
            # the VMM may have run for longer than netpoold stays when idle: a new proxy (network_of)
            network_of(bus, args.network).Release(port_uuid, dbus.UInt64(0))
        except dbus.DBusException as e:
            sys.exit(f"release of port {port_uuid} failed: {e.get_dbus_name()}: {e.get_dbus_message()}")
        print(f"port {port_uuid} released")


if __name__ == "__main__":
    main()
