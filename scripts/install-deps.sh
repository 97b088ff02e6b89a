#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what netpool needs on Debian 12, if anything is missing. Installing needs root: as root it runs
# apt-get itself, as another user through sudo (an error when there is none).
#
# Usage: install-deps.sh [--daemon] [MORE-PACKAGES...]
#   (default)  building and running the daemon, and everything the test suite needs (scripts/test.sh)
#   --daemon   building and running the daemon only: compiler, meson, the libraries, dbus, polkit
#              (scripts/demo.sh). On a fresh minimal Debian 12: 122 packages, 100 MB to download, 400 MB
#              installed; the default set is 359 packages, 388 MB, 1.6 GB (README.md)
#   MORE-PACKAGES  installed as well (scripts/bench.sh adds libvirt's)
# --list prints the packages it would make sure of, one a line, and installs nothing.
set -euo pipefail

# Building the daemon, netpoolctl and netpool-simhost, and running them on the system or a private bus
daemon_packages=(
        meson ninja-build gcc pkg-config
        libsystemd-dev libglib2.0-dev libxml2-dev libnl-3-dev libnl-route-3-dev libpci-dev
        libdbus-1-dev                   # where the bus reads activation files and policies (pkg-config)
        scdoc                           # the man pages
        pci.ids                         # libpci's names of the devices
        dbus dbus-daemon dbus-bin       # the system bus, its launch helper; dbus-send
        systemd                         # busctl; the unit
        polkitd                         # every change is authorized through polkit
)

# The test suite on top of that (scripts/test.sh)
test_packages=(
        python3 libc-bin
        qemu-system-x86 busybox-static cpio xz-utils iproute2 make gcc-12  # tests/kernel: VMs, netdevsim
        debootstrap                     # tests/kernel igb testbed: Debian 13's qemu
        groff-base                      # the install test renders the man pages with groff
        valgrind                        # the daemon of test-valgrind.sh
        python3-prometheus-client       # its parser reads netpoolctl metrics (test-metrics.sh)
        jq libglib2.0-bin               # docs/agents.md's agent: busctl's JSON, gdbus (test-agents.sh)
        python3-dbus                    # the chaos test's client (tests/chaos/chaos.py)
        python3-yaml                    # the ResourceSlice checker reads the YAML (tests/ctl/check-resourceslice.py)
        clang libclang-rt-14-dev        # libFuzzer and clang's sanitizer runtimes (tests/fuzz, -Dfuzzing=true)
        cockpit-ws cockpit-bridge chromium chromium-driver python3-selenium  # the Cockpit page in a real browser (tests/cockpit)
)

packages=("${daemon_packages[@]}")
list=no
while [ $# -gt 0 ]; do
        case "$1" in
        --daemon) test_packages=() ;;
        --list) list=yes ;;
        -*)
                echo "Usage: install-deps.sh [--daemon] [--list] [MORE-PACKAGES...]" >&2
                exit 2
                ;;
        *) packages+=("$1") ;;
        esac
        shift
done
packages+=("${test_packages[@]}")

if [ "$list" = yes ]; then
        printf '%s\n' "${packages[@]}"
        exit 0
fi

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
