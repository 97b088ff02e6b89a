#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The full netpool-bench run, `ninja -C BUILD bench` (or `meson compile -C BUILD bench`): installs libvirt-daemon
# and libvirt-dev if missing (through scripts/install-deps.sh), rebuilds netpool-bench with its libvirt
# client when the build was set up before libvirt-dev was there, then runs it with --vs-libvirt.
# Usage: bench.sh BUILD-DIR PATH-TO-netpool-bench [netpool-bench OPTIONS...]
set -euo pipefail

build=$1
bench=$2
shift 2

bash "$(dirname "$0")/install-deps.sh" libvirt-daemon libvirt-dev

if ! "$bench" --version | grep -q "libvirt: yes"; then
        echo "netpool-bench was built without libvirt: setting $build up again and rebuilding it"
        meson setup --reconfigure "$build" >/dev/null
        ninja -C "$build" "$(realpath --relative-to="$build" "$bench")"
fi

exec "$bench" --vs-libvirt "$@"
