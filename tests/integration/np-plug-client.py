# SPDX-License-Identifier: LGPL-2.1-or-later
# test-plug.sh's agent: Network.AllocateWithOptions over python3-dbus (which negotiates unix fd passing), as
# docs/dbus.md describes it.
#
#   np-plug-client.py NETWORK-PATH PORT-XML-FILE OUT-XML-FILE [KEY:TYPE:VALUE ...]
#
# Each option is sent with the D-Bus type given (s, b, u, i, h; a wrong type on purpose is the point of some
# checks; an h option sends an fd of /dev/null). Prints one line each, for the shell:
#   port=OBJECT   result.KEY=VALUE (sorted; an fd result as "fd", then tap-fd.target= and tap-fd.written=)
# and writes the returned port XML to OUT-XML-FILE; on an error prints error=NAME and message=TEXT, exit 1.
# With a tap-fd result it writes 64 bytes to the fd (a frame, as a VMM would) and says how many went.
import os
import sys

import dbus

TYPES = {
    "s": dbus.String,
    "b": lambda v: dbus.Boolean(v == "true"),
    "u": lambda v: dbus.UInt32(int(v)),
    "i": lambda v: dbus.Int32(int(v)),
    "h": lambda v: dbus.types.UnixFd(os.open("/dev/null", os.O_RDONLY)),
}


def options(args):
    opts = {}
    for a in args:
        key, typ, value = a.split(":", 2)
        opts[key] = TYPES[typ](value)
    return dbus.Dictionary(opts, signature="sv")


def main():
    net_path, xml_file, out_file = sys.argv[1:4]
    bus = dbus.SystemBus()
    net = dbus.Interface(bus.get_object("org.netpool1", net_path), "org.netpool1.Network")
    with open(xml_file) as f:
        xml = f.read()
    try:
        port, port_xml, results = net.AllocateWithOptions(xml, options(sys.argv[4:]), dbus.UInt64(0),
                                                          timeout=60)
    except dbus.exceptions.DBusException as e:
        print(f"error={e.get_dbus_name()}")
        print("message=" + (e.get_dbus_message() or "").replace("\n", " "))
        return 1
    with open(out_file, "w") as f:
        f.write(port_xml)
    print(f"port={port}")
    for key in sorted(results):
        value = results[key]
        if isinstance(value, dbus.types.UnixFd):
            fd = value.take()
            print(f"result.{key}=fd")
            print(f"{key}.target={os.readlink(f'/proc/self/fd/{fd}')}")
            try:
                print(f"{key}.written={os.write(fd, bytes(64))}")
            except OSError as err:
                print(f"{key}.written=error {err.strerror}")
            os.close(fd)
        elif isinstance(value, dbus.Boolean):
            print(f"result.{key}={'true' if value else 'false'}")
        else:
            print(f"result.{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
