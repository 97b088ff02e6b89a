#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's demo, for a fresh Debian 12 machine: install what is missing to build and run netpool (not
# the test suite's packages), build, then drive netpoold on a simulated SR-IOV host through a private D-Bus
# system bus: one network of each forward mode, from the definitions in docs/examples/.
#
# Usage: scripts/demo.sh [--no-build]
#   --no-build   use the programs already built in build/ (skip install-deps.sh and build.sh)
# NP_KEEP=1 keeps the temporary directory (sim host, bus, netpoold's files) for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

build=yes
case "${1:-}" in
"") ;;
--no-build) build=no ;;
*)
        echo "Usage: scripts/demo.sh [--no-build]" >&2
        exit 2
        ;;
esac

if [ -t 1 ]; then
        bold=$'\e[1m' plain=$'\e[0m'
else
        bold='' plain=''
fi

heading() {
        printf '\n%s== %s%s\n' "$bold" "$*" "$plain"
}

note() {
        printf '%s\n' "$@" | sed 's/^/   /'
}

# run ARGS...: netpoolctl, shown as a person would type it
run() {
        printf '%s$ netpoolctl %s%s\n' "$bold" "$*" "$plain"
        "$NETPOOLCTL" --no-ask-password "$@"
}

if [ "$build" = yes ]; then
        # only what the daemon needs to build and run; the test suite's packages (browser, qemu, clang,
        # valgrind…) come with scripts/test.sh
        heading "Installing what is missing to build and run netpool (scripts/install-deps.sh --daemon)"
        note "On a fresh minimal Debian 12 that is 122 packages, 100 MB to download, 400 MB installed:" \
                "about a minute (52 s measured), and half a minute to build; nothing when installed already."
        started=$SECONDS
        bash scripts/install-deps.sh --daemon
        note "took $((SECONDS - started)) s"
        heading "Building (scripts/build.sh)"
        started=$SECONDS
        bash scripts/build.sh
        note "took $((SECONDS - started)) s"
fi

export NETPOOLD=$PWD/build/src/daemon/netpoold
export NETPOOLCTL=$PWD/build/src/ctl/netpoolctl
export NETPOOL_SIMHOST=$PWD/build/src/tools/netpool-simhost
export NETPOOL_SOURCE_ROOT=$PWD
for program in "$NETPOOLD" "$NETPOOLCTL" "$NETPOOL_SIMHOST"; do
        [ -x "$program" ] || { echo "demo: $program is not built; run without --no-build" >&2; exit 1; }
done

# the private bus, its activation file and the cleanup come from the integration tests' library
source tests/integration/lib.sh

NP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/netpool-demo.XXXXXX")
NP_SIM=$NP_DIR/sim
# set before the trap so that the cleanup can only ever look at the private bus
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$NP_DIR/bus.socket"
cleanup() {
        set +e  # clean up as much as possible, whatever fails
        np_teardown
}
trap cleanup EXIT

heading "A simulated host (netpool-simhost --default) in $NP_SIM"
note "eth0: X710-like, 8 VFs with netdevs eth0v0..eth0v7" \
        "ens1/ens1d1: ConnectX-3-like with two ports; VFs 0-3 on port 1, 4-5 on port 2, 6-7 on both" \
        "sfc0: Solarflare-like, 4 VFs without netdevs"
"$NETPOOL_SIMHOST" "$NP_SIM" --default --quiet

heading "A private system bus that starts netpoold by D-Bus activation"
np_write_service
np_start_bus
note "bus: $DBUS_SYSTEM_BUS_ADDRESS" "activation file:"
sed 's/^/     /' "$NP_DIR/services/org.netpool1.service"
[ -z "$(np_daemon_pid)" ] || { echo "demo: netpoold is already running" >&2; exit 1; }
note "netpoold is not running yet; the first netpoolctl call starts it."
run list
note "netpoold was started by the bus: pid $(np_daemon_pid)"

# show_network FILE HEADING NOTE...: define and start the network in FILE, then show its pool and XML
show_network() {
        local file=$1 title=$2 name
        shift 2
        name=$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$file")
        heading "$title"
        note "$@"
        run define "$file"
        run start "$name"
        run devices "$name"
        note "The live XML: the running definition, each <pf> written out as the VFs it stands for"
        run dumpxml "$name"
        note "The inactive XML: the definition as it was given"
        run dumpxml --inactive "$name"
}

show_network docs/examples/passthrough.xml "passthrough: a VF of eth0 per guest, as a macvtap passthrough device" \
        "The VLAN tag is applied on the VF."
show_network docs/examples/hostdev.xml "hostdev: a VF of ens1 (ConnectX-3 port 1) per guest, by PCI passthrough" \
        "VFs 4-5 sit on port 2 (ens1d1), so the pool has VFs 0-3 and the dual-port VFs 6-7."
show_network docs/examples/pci-passthrough-hybrid.xml \
        "pci-passthrough-hybrid: a VF of sfc0 by PCI passthrough, with a macvtap path over the PF" \
        "sfc0's VFs have no netdevs, so the pool lists them by PCI address."
show_network docs/examples/private.xml "private: macvtap in private mode over the VFs on ens1d1 (port 2)"
show_network docs/examples/vepa.xml "vepa: macvtap in VEPA mode over two listed VF netdevs of eth0"
show_network docs/examples/bridge-macvtap.xml "bridge: macvtap in bridge mode over the VFs of eth0" \
        "eth0's VFs are in passthrough-eth0's pool too: a VF may be in several networks' pools," \
        "and is held through one network at a time."

heading "bridge with a host bridge: the sim host has no bridge, so start fails"
run define docs/examples/bridge-host.xml
status=0
run start host-br0 || status=$?
if [ "$status" -ne 1 ]; then
        echo "demo: starting host-br0 without a bridge br0 exited $status, expected 1" >&2
        exit 1
fi
note "netpoolctl printed netpoold's message (org.netpool1.Error.DeviceNotFound) and exited 1;" \
        "host-br0 stays defined and inactive."

heading "A port: a guest's interface gets a VF of ens1, configured with its MAC and VLAN"
vf_state() {    # the VF's MAC and VLAN as the PF (port 1 of the ConnectX-3-like NIC) reports them
        local d=$NP_SIM/vfstate/0000:05:00.0/vf0/p1
        note "VF 0 of ens1 as its PF sees it: MAC $(cat "$d/mac"), VLAN $(cat "$d/vlan")"
}
vf_state
run allocate hostdev-ens1 --mac 52:54:00:de:00:01 --vlan 42 --owner demo-vm \
        --owner-uuid 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f
vf_state
note "The original state was saved first ($(ls "$NP_DIR/run/vf")), to be restored at release."
run ports
port=$("$NETPOOLCTL" --json ports hostdev-ens1 | sed -n 's/.*"uuid": "\([^"]*\)".*/\1/p' | head -1)
run release "$port"
vf_state

heading "All networks"
run list
run info hostdev-ens1

heading "Done"
note "Everything worked; stopping netpoold and the bus and removing $NP_DIR."
