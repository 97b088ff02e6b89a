#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print one interface of a D-Bus introspection document (stdin) as a dbus-interfaces/ file."""
import sys
import xml.etree.ElementTree as ET

HEADER = ('<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n'
          ' "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n')


def main():
    name = sys.argv[1]
    root = ET.fromstring(sys.stdin.read())
    for iface in root.findall("interface"):
        if iface.get("name") == name:
            for e in iface.iter():
                if e.text is not None and not e.text.strip():
                    e.text = None
                e.tail = None
            node = ET.Element("node")
            node.append(iface)
            ET.indent(node, space="  ")
            sys.stdout.write(HEADER + ET.tostring(node, encoding="unicode") + "\n")
            return 0
    sys.stderr.write(f"interface {name} not found\n")
    return 1


sys.exit(main())
