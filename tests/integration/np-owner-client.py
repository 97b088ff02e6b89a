# SPDX-License-Identifier: LGPL-2.1-or-later
# test-owner-process.sh's agent: AllocateWithOptions with owner-pidfd (dbus-api.md 1.1) over python3-dbus.
#
#   np-owner-client.py NETWORK-PATH PORT-XML PID|notpidfd|exited
#
# PID: a pidfd of that process (pidfd_open); notpidfd: an fd of /dev/null; exited: a pidfd of a child that has
# exited. Prints port=OBJECT, or error=NAME and message=TEXT (exit 1).
import os
import subprocess
import sys

import dbus


def owner_fd(what):
    if what == "notpidfd":
        return os.open("/dev/null", os.O_RDONLY)
    if what == "exited":
        child = subprocess.Popen(["true"])
        fd = os.pidfd_open(child.pid)
        child.wait()
        return fd
    return os.pidfd_open(int(what))


def main():
    net_path, xml, what = sys.argv[1:4]
    bus = dbus.SystemBus()
    net = dbus.Interface(bus.get_object("org.netpool1", net_path), "org.netpool1.Network")
    opts = dbus.Dictionary({"owner-pidfd": dbus.types.UnixFd(owner_fd(what))}, signature="sv")
    try:
        port, _, _ = net.AllocateWithOptions(xml, opts, dbus.UInt64(0))
    except dbus.exceptions.DBusException as e:
        print(f"error={e.get_dbus_name()}")
        print(f"message={e.get_dbus_message()}")
        return 1
    print(f"port={port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
