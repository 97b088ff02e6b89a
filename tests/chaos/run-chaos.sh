#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs chaos.py with a python3 that has python3-dbus (a python3 of its own in PATH, pyenv's say, may lack it);
# without one the test is skipped, with the reason.
here=$(dirname "$0")
for py in python3 /usr/bin/python3; do
        if command -v "$py" >/dev/null && "$py" -c 'import dbus' 2>/dev/null; then
                exec "$py" "$here/chaos.py" "$@"
        fi
done
echo "1..0 # SKIP no python3 with python3-dbus (import dbus)"
exit 0
