#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what building and testing netpool needs on Debian 12, if anything is missing. Installing needs
# root: as root it runs apt-get itself, as another user through sudo (an error when there is none).
# Usage: install-deps.sh [MORE-PACKAGES...]   (scripts/bench.sh adds libvirt's)
set -euo pipefail

packages=(
        meson ninja-build gcc pkg-config python3
        libsystemd-dev libglib2.0-dev libxml2-dev libnl-3-dev libnl-route-3-dev libpci-dev pci.ids
        dbus-daemon dbus-bin libdbus-1-dev systemd scdoc polkitd
        qemu-system-x86 busybox-static cpio xz-utils iproute2 make gcc-12 libc-bin
        groff-base                      # the install test renders the man pages with groff
        valgrind                        # the daemon of test-valgrind.sh
        debootstrap dbus                # tests/kernel igb testbed: Debian 13's qemu; the bus's launch helper
        python3-prometheus-client       # its parser reads netpoolctl metrics (test-metrics.sh)
        python3-dbus                    # the chaos test's client (tests/chaos/chaos.py)
        clang libclang-rt-14-dev        # libFuzzer and clang's sanitizer runtimes (tests/fuzz, -Dfuzzing=true)
        cockpit-ws cockpit-bridge chromium chromium-driver python3-selenium  # the Cockpit page in a real browser (tests/cockpit)
        "$@"
)

missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
# apt-get needs root: run it directly as root (a minimal Debian has no sudo), through sudo otherwise
as_root=()
if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
                echo "install-deps.sh: installing these packages needs root, and there is no sudo here:" >&2
                echo "  ${missing[*]}" >&2
                echo "run 'bash scripts/install-deps.sh' as root, or install them with apt-get as root" >&2
                exit 1
        fi
        as_root=(sudo)
fi
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
