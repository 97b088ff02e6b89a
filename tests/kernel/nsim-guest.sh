#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the netdevsim testbed VM (run-testbed.sh, when it is given netpoold) as root: first
# test-hw-linux-kernel's cases (its TAP lines renumbered into this test's), then netpoold with the linux backend
# on a private bus makes macvtaps over netdevsim's netdevs (passthrough over the netdev without VFs, vepa over
# the PF) and passes their tap fds (igb-plug-client keeps and writes to them); Release removes them. Every result
# is read from the kernel (ip -d link, /sys). TAP on stdout.
# usage: nsim-guest.sh PF-NETDEV NOVF-NETDEV
set -u

PF=$1 NOVF=$2
IP=/bin/ip              # iproute2's
BUS_DIR=/run/np

source "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# NAME's MAC and up/down state, as /sys shows them
netdev_state() {
        echo "$(cat "/sys/class/net/$1/address") $(( $(cat "/sys/class/net/$1/flags") & 1 ))"
}

leftovers() {
        $IP -d link show | grep -E '^ +macvtap ' -B2 | grep -oE '^[0-9]+: [^:]+' || true
}

# "LOWER MODE mac MAC" of macvtap NAME from ip -d link
macvtap_summary() {
        local out
        out=$($IP -d link show dev "$1" 2>&1) || { echo absent; return; }
        echo "$(echo "$out" | sed -n '1s/^[0-9]*: [^@]*@\([^:]*\):.*/\1/p')" \
             "$(echo "$out" | grep -oE 'macvtap mode [a-z]+' | cut -d' ' -f3)" \
             "mac $(echo "$out" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)"
}

result() {
        awk -v k="$1" '$1 == k || ($1 == "result" && $2 == k) { print $NF }' /tmp/plug.out
}

plug() {
        igb-plug-client "$@" >/tmp/plug.out 2>&1
}

unplug() {
        busctl --system call org.netpool1 "$(awk '$1 == "port" { print $2 }' /tmp/plug.out)" org.netpool1.Port \
                Release t 0
}

start_bus() {
        mkdir -p "$BUS_DIR/services" "$BUS_DIR/etc" "$BUS_DIR/state"
        sed "s|@DIR@|$BUS_DIR|g" /test/test-bus.conf.in >"$BUS_DIR/bus.conf"
        export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS_DIR/bus.socket
        dbus-daemon --config-file="$BUS_DIR/bus.conf" --nofork --nopidfile --nosyslog >/tmp/dbus.log 2>&1 &
        for _ in $(seq 100); do
                busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId \
                        >/dev/null 2>&1 && break
                sleep 0.1
        done
        netpoold --config-dir "$BUS_DIR/etc" --state-dir "$BUS_DIR/state" --exit-idle-sec 0 >/tmp/netpoold.log 2>&1 &
        for _ in $(seq 100); do
                netpoolctl list >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}

run_glib_tap "hw:" /bin/test-hw-linux-kernel --tap "$PF" "$NOVF"

check "netpoold on a private bus answers" start_bus
cat >/tmp/ptnet.xml <<EOF
<network><name>ptnet</name><forward mode='passthrough'><interface dev='$NOVF'/></forward></network>
EOF
cat >/tmp/vepanet.xml <<EOF
<network><name>vepanet</name><forward mode='vepa'><interface dev='$PF'/></forward></network>
EOF
check "create a passthrough network over $NOVF" netpoolctl create /tmp/ptnet.xml
check "create a vepa network over $PF" netpoolctl create /tmp/vepanet.xml

before=$(netdev_state "$NOVF")
check "passthrough: AllocateWithOptions (tap-name nsmvt0, tap-fd)" plug ptnet 52:54:00:dd:00:01 tap-name=nsmvt0 tap-fd
sed 's/^/#   /' /tmp/plug.out
expect_eq "passthrough: ip -d link: nsmvt0 is a passthru macvtap over $NOVF with the port's MAC" \
        "$NOVF passthru mac 52:54:00:dd:00:01" "$(macvtap_summary nsmvt0)"
expect_eq "passthrough: the fd received is nsmvt0's tap and takes a frame" \
        "$(cat /sys/class/net/nsmvt0/macvtap/tap*/dev 2>/dev/null) 70" "$(result tap-dev) $(result tap-write)"
check "passthrough: Release" unplug
expect_eq "passthrough: nsmvt0 is gone" "" "$(leftovers)"
# the port's MAC went onto the lower (a passthru macvtap takes its lower's); a netdev that is no VF has no VF
# record: the port record's <lower> puts MAC and state back
expect_eq "passthrough: $NOVF has its MAC and state again" "$before" "$(netdev_state "$NOVF")"

before=$(netdev_state "$PF")
check "vepa: AllocateWithOptions (tap-fd), twice on the shared lower" \
        sh -c "igb-plug-client vepanet 52:54:00:dd:00:02 tap-fd >/tmp/plug1.out 2>&1 &&
               igb-plug-client vepanet 52:54:00:dd:00:03 tap-fd >/tmp/plug.out 2>&1"
sed 's/^/#   /' /tmp/plug1.out /tmp/plug.out
tap1=$(awk '$2 == "tap-name" { print $3 }' /tmp/plug1.out)
tap2=$(result tap-name)
expect_eq "vepa: ip -d link: two vepa macvtaps over $PF with the ports' MACs" \
        "$PF vepa mac 52:54:00:dd:00:02|$PF vepa mac 52:54:00:dd:00:03" \
        "$(macvtap_summary "$tap1")|$(macvtap_summary "$tap2")"
expect_eq "vepa: each fd takes a frame" "70 70" \
        "$(awk '$1 == "tap-write" { print $2 }' /tmp/plug1.out) $(result tap-write)"
check "vepa: Release the second" unplug
cp /tmp/plug1.out /tmp/plug.out
check "vepa: Release the first" unplug
expect_eq "vepa: both macvtaps are gone" "" "$(leftovers)"
expect_eq "vepa: $PF untouched" "$before" "$(netdev_state "$PF")"

# ---- netpoold's VF apply and restore (nsim-vf-config) on a netdevsim VF: every setting, read back by ip ----

# VF N of the PF as `ip -d link show` has it (ip names the protocol only when not 802.1Q, a rate only when not 0)
vf_fields() {
        local s
        s=$($IP -d link show dev "$PF" | grep -E "^ +vf $1 ")
        printf 'mac=%s vlan=%s qos=%s proto=%s spoofchk=%s trust=%s link-state=%s max-tx=%s min-tx=%s\n' \
                "$(echo "$s" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)" \
                "$(echo "$s" | grep -oE ', vlan [0-9]+' | grep -oE '[0-9]+$' || echo 0)" \
                "$(echo "$s" | grep -oE ', qos [0-9]+' | grep -oE '[0-9]+$' || echo 0)" \
                "$(echo "$s" | grep -oE 'vlan protocol [0-9A-Za-z.]+' | cut -d' ' -f3 | grep . || echo 802.1Q)" \
                "$(echo "$s" | grep -oE 'spoof checking (on|off)' | cut -d' ' -f3)" \
                "$(echo "$s" | grep -oE 'trust (on|off)' | cut -d' ' -f2)" \
                "$(echo "$s" | grep -oE 'link-state [a-z]+' | cut -d' ' -f2)" \
                "$(echo "$s" | grep -oE 'max_tx_rate [0-9]+' | cut -d' ' -f2 | grep . || echo 0)" \
                "$(echo "$s" | grep -oE 'min_tx_rate [0-9]+' | cut -d' ' -f2 | grep . || echo 0)"
}

all_vfs() {
        local i
        for i in 0 1 2 3; do
                echo "vf $i: $(vf_fields "$i")"
        done
}

if command -v nsim-vf-config >/dev/null; then
        VFSTATE=/tmp/vfstate
        mkdir -p "$VFSTATE"
        # an original unlike the driver's defaults in every field, so that a restore that forgets one shows
        check "VF 1's original: every field away from netdevsim's defaults" \
                $IP link set dev "$PF" vf 1 mac 02:00:00:00:0a:01 vlan 100 qos 1 spoofchk off trust on state disable \
                        min_tx_rate 30 max_tx_rate 300
        before=$(all_vfs)
        sed 's/^/#   before: /' <<<"$before"
        check "vf-config: apply MAC, VLAN 77, QoS 3, 802.1ad, spoofchk on, trust off, link enable, TX 10-200" \
                nsim-vf-config apply "$VFSTATE" "$PF" 1 mac=52:54:00:dd:01:01 vlan=77 qos=3 proto=802.1ad \
                        spoofchk=on trust=off link-state=enable min-tx=10 max-tx=200
        expect_eq "vf-config: ip -d link shows every setting on VF 1" \
                "mac=52:54:00:dd:01:01 vlan=77 qos=3 proto=802.1ad spoofchk=on trust=off link-state=enable max-tx=200 min-tx=10" \
                "$(vf_fields 1)"
        expect_eq "vf-config: the other VFs are untouched" "$(grep -v '^vf 1: ' <<<"$before")" \
                "$(all_vfs | grep -v '^vf 1: ')"
        check "vf-config: the original is recorded ($VFSTATE/${PF}_vf1)" \
                grep -q "mac='02:00:00:00:0a:01' vlan='100' qos='1'" "$VFSTATE/${PF}_vf1"
        sed 's/^/#   /' "$VFSTATE/${PF}_vf1"
        check "vf-config: restore" nsim-vf-config restore "$VFSTATE" "$PF" 1
        expect_eq "vf-config: every field of every VF as before" "$before" "$(all_vfs)"
        expect_eq "vf-config: the record is gone" "" "$(ls "$VFSTATE")"
fi

if [ "$np_tap_failed" -gt 0 ]; then
        echo "# netpoold and dbus-daemon said:"
        sed 's/^/# /' /tmp/netpoold.log /tmp/dbus.log | tail -n 60
        echo "# the kernel said:"
        dmesg | tail -n 30 | sed 's/^/# /'
fi
np_done
