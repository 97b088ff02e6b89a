#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""xml-equiv.py A B: exit 0 when two XML files are equivalent as the conformance README defines it:
the same elements in the same order, the same attributes and values (any order or quoting), the same
text once leading and trailing white space is dropped."""
import sys
import xml.etree.ElementTree as ET


def norm(e):
    text = (e.text or "").strip()
    return (e.tag, sorted(e.attrib.items()), text, [norm(c) for c in e])


def main():
    a, b = (ET.parse(p).getroot() for p in sys.argv[1:3])
    if norm(a) != norm(b):
        sys.stderr.write("not equivalent\n")
        return 1
    return 0


sys.exit(main())
