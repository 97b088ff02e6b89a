#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dbus-interfaces/*.xml equal the live introspection (Manager, Network, Port, Statistics and Device); every method
# shows its argument names.
# With --update DIR: write the files into DIR instead (scripts/update-dbus-interfaces.sh).
source "$(dirname "$0")/lib.sh"
update_dir=
[ "${1:-}" = "--update" ] && update_dir=$2
np_setup
here=$(dirname "$0")
src=$NETPOOL_SOURCE_ROOT/dbus-interfaces

busctl --system call org.netpool1 /org/netpool1 org.netpool1.Manager CreateNetwork st \
        "<network><name>n1</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>" 0 >/dev/null
busctl --system call org.netpool1 /org/netpool1/network/n1 org.netpool1.Network Allocate st \
        "<networkport><uuid>0badc0de-0000-4000-8000-000000000001</uuid><owner><name>vm</name><uuid>0badc0de-0000-4000-8000-000000000002</uuid></owner><mac address='52:54:00:00:00:01'/></networkport>" 0 >/dev/null

introspect() {  # introspect PATH INTERFACE
        busctl --system call org.netpool1 "$1" org.freedesktop.DBus.Introspectable Introspect --json=short |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0])' |
                python3 "$here/introspect-extract.py" "$2"
}

port_path=/org/netpool1/port/_30badc0de_2d0000_2d4000_2d8000_2d000000000001
# the default sim host's first VF of eth0, 0000:03:02.0, by sd_bus_path_encode()
device_path=/org/netpool1/device/_30000_3a03_3a02_2e0
for pair in "/org/netpool1 org.netpool1.Manager" "/org/netpool1/network/n1 org.netpool1.Network" \
            "$port_path org.netpool1.Port" "/org/netpool1 org.netpool1.Statistics" \
            "$device_path org.netpool1.Device"; do
        set -- $pair
        introspect "$1" "$2" >"$NP_DIR/$2.xml"
        if [ -n "$update_dir" ]; then
                cp "$NP_DIR/$2.xml" "$update_dir/$2.xml"
                echo "# wrote $update_dir/$2.xml"
                continue
        fi
        check "dbus-interfaces/$2.xml equals the live introspection" diff -u "$src/$2.xml" "$NP_DIR/$2.xml"
        check "every method of $2 names its arguments" python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for m in root.iter("method"):
    for a in m.iter("arg"):
        assert a.get("name"), (m.get("name"), a.attrib)
' "$NP_DIR/$2.xml"
done
check "busctl introspect shows the Manager's methods with argument names" bash -c \
        "busctl --system introspect org.netpool1 /org/netpool1 org.netpool1.Manager | grep -q 'DefineNetwork'"
# the device objects are children of /org/netpool1/device: busctl tree and introspection walk to them
check "/org/netpool1/device lists the device nodes, the PF's among them" bash -c \
        "busctl --system call org.netpool1 /org/netpool1/device org.freedesktop.DBus.Introspectable Introspect |
         grep -q '_30000_3a03_3a00_2e0'"
check "a device path that is no device is UnknownObject" bash -c \
        "! busctl --system get-property org.netpool1 /org/netpool1/device/_30000_3a99_3a00_2e0 \
           org.netpool1.Device Id 2>/dev/null"
np_done
