#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The full netpool-bench run, `ninja -C BUILD bench` (or `meson compile -C BUILD bench`): installs libvirt-daemon
# and libvirt-dev if missing (apt-get, as scripts/install-deps.sh does), rebuilds netpool-bench with its libvirt
# client when the build was set up before libvirt-dev was there, then runs it with --vs-libvirt.
# Usage: bench.sh BUILD-DIR PATH-TO-netpool-bench [netpool-bench OPTIONS...]
set -euo pipefail

build=$1
bench=$2
shift 2

missing=()
for p in libvirt-daemon libvirt-dev; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        if [ "$(id -u)" -ne 0 ]; then
                SUDO=sudo
        else
                SUDO=
        fi
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! "$bench" --version | grep -q "libvirt: yes"; then
        echo "netpool-bench was built without libvirt: setting $build up again and rebuilding it"
        meson setup --reconfigure "$build" >/dev/null
        ninja -C "$build" "$(realpath --relative-to="$build" "$bench")"
fi

exec "$bench" --vs-libvirt "$@"
