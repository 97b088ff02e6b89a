#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what building and testing netpool needs on Debian 12, if anything is missing.
# Usage: install-deps.sh [MORE-PACKAGES...]   (scripts/bench.sh adds libvirt's)
set -euo pipefail

packages=(
        meson ninja-build gcc pkg-config python3
        libsystemd-dev libglib2.0-dev libxml2-dev libnl-3-dev libnl-route-3-dev libpci-dev pci.ids
        dbus-daemon dbus-bin libdbus-1-dev systemd scdoc polkitd
        qemu-system-x86 busybox-static cpio xz-utils iproute2 make gcc-12 libc-bin
        valgrind                        # the daemon of test-valgrind.sh
        python3-prometheus-client       # its parser reads netpoolctl metrics (test-metrics.sh)
        clang libclang-rt-14-dev        # libFuzzer and clang's sanitizer runtimes (tests/fuzz, -Dfuzzing=true)
        "$@"
)

missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
else
        SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
