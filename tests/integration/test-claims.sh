#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 20 over the bus (dbus-api.md 1.1, AllocateWithOptions): the option claim (the same claim gives its port
# again with existing=true, no second device; a request that differs is PortExists; the claim survives kill -9 in
# the port record; Release frees it), numa-node and numa-policy on a sim host with two NUMA nodes (preferred
# falls back, required is PoolExhausted; results numa-node), their invalid values (InvalidArgument), and an
# Allocate during a numvfs change that waits for the VFs to come back (docs/dbus.md: bounded, 5 s).
source "$(dirname "$0")/lib.sh"

np_need_python_dbus

# The demo host, eth0's VFs 4-7 moved to NUMA node 1 (0-3 and the PF stay on 0) before netpoold first reads it
np_setup
PF=0000:03:00.0
for i in 4 5 6 7; do
        np_simhost --numa-node "0000:03:02.$i" 1
done
node_of() {     # node_of BDF: the sim's numa_node of a function
        cat "$NP_SIM/sys/bus/pci/devices/$1/numa_node"
}
expect_eq "the sim host: VF 0 on node 0, VF 4 on node 1" "0 1" "$(node_of 0000:03:02.0) $(node_of 0000:03:02.4)"

# port_xml MAC: a port with MAC (owner vm-test) in $NP_DIR/in.xml, for np_awo
port_xml() {
        np_port_xml mac="$1" >"$NP_DIR/in.xml"
}
# allocate DESCRIPTION NETWORK MAC [OPTIONS...]: a check that the allocation succeeds (np_awo_allocate)
allocate() {
        port_xml "$3"
        np_awo_allocate "$1" "$2" "${@:4}"
}
# refused DESCRIPTION ERROR-NAME NETWORK MAC [OPTIONS...]: AllocateWithOptions fails with
# org.netpool1.Error.ERROR-NAME (np_awo_refused)
refused() {
        port_xml "$4"
        np_awo_refused "$1" "org.netpool1.Error.$2" "$3" "${@:5}"
}
in_use() {      # in_use NETWORK: how many of its devices are in use
        np_devices "$1" | awk '$6 == "in-use"' | wc -l
}
port_uuid() {   # port_uuid PORT-PATH
        busctl --system get-property org.netpool1 "$1" org.netpool1.Port UUID | cut -d'"' -f2
}
port_prop() {   # port_prop PORT-PATH PROPERTY: as busctl prints it, type dropped
        busctl --system get-property org.netpool1 "$1" org.netpool1.Port "$2" | cut -d' ' -f2-
}
device_of() {   # device_of PORT-PATH: the PCI address of its VF
        port_prop "$1" PCIAddress | tr -d '"'
}

np_define_start hd "<forward mode='hostdev' managed='no'><pf dev='eth0'/></forward>"
np_define_start hd2 "<forward mode='hostdev' managed='no'><pf dev='ens1'/></forward>"

# ---- claims ----
allocate "a claim: a port" hd 52:54:00:c1:00:01 claim:s:job-1
P1=$PORT
expect_eq "… new: existing=false" false "$(np_awo_res result.existing)"
D1=$(device_of "$P1")
expect_eq "… Port.ClaimId says the claim" '"job-1"' "$(port_prop "$P1" ClaimId)"
allocate "the same claim and request again" hd 52:54:00:c1:00:01 claim:s:job-1
expect_eq "… the same port, existing=true" "$P1 true" "$PORT $(np_awo_res result.existing)"
expect_eq "… no second device taken: one in use, Connections 1" "1 1" "$(in_use hd) $(np_get_prop hd Connections)"
check "… its results as at first: the VF's index on eth0" \
        test "$(np_awo_res result.pf)" = eth0 -a -n "$(np_awo_res result.vf-index)"
refused "the same claim with another MAC: PortExists" PortExists hd 52:54:00:c1:00:02 claim:s:job-1
np_says "… naming the claim and what differs" "claim 'job-1'"
np_says "… the MAC" "MAC"
refused "the same claim naming another device: PortExists" PortExists hd 52:54:00:c1:00:01 claim:s:job-1 \
        device:s:0000:03:02.7
expect_eq "… still one device in use" 1 "$(in_use hd)"
allocate "the same claim on another network: a port of its own (a claim is per network)" hd2 52:54:00:c1:00:09 \
        claim:s:job-1
expect_eq "… a new one" "false" "$(np_awo_res result.existing)"
P_OTHER=$PORT
check "… not the first" test "$P_OTHER" != "$P1"
np_release hd2 "$(port_uuid "$P_OTHER")"
allocate "without a claim: a port" hd 52:54:00:c1:00:03
expect_eq "… whose results have no 'existing' (it applies to a claim only)" "" "$(np_awo_res result.existing)"
np_release hd "$(port_uuid "$PORT")"

# the claim is in the port record: netpoold killed, the retry gives the port again
check "the claim is in the port's record" grep -q "job-1" "$NP_DIR/run/ports/$(port_uuid "$P1").xml"
check "kill -9 netpoold" np_kill9
allocate "after the restart, the same claim and request" hd 52:54:00:c1:00:01 claim:s:job-1
expect_eq "… the same port, existing=true, on the same VF" "$P1 true $D1" \
        "$PORT $(np_awo_res result.existing) $(device_of "$PORT")"
expect_eq "… one device in use" 1 "$(in_use hd)"
expect_eq "… ClaimId read back from the record" '"job-1"' "$(port_prop "$P1" ClaimId)"

# Release frees the claim
np_release hd "$(port_uuid "$P1")"
allocate "released, the claim is free: a new port" hd 52:54:00:c1:00:02 claim:s:job-1
expect_eq "… existing=false, another port" "false yes" \
        "$(np_awo_res result.existing) $([ "$PORT" != "$P1" ] && echo yes)"
np_release hd "$(port_uuid "$PORT")"

# claims that are no claims
refused "an empty claim: InvalidArgument" InvalidArgument hd 52:54:00:c1:00:04 claim:s:
refused "a claim of 256 characters: InvalidArgument" InvalidArgument hd 52:54:00:c1:00:04 \
        "claim:s:$(printf '%0256d' 0)"
refused "a claim with a newline: InvalidArgument" InvalidArgument hd 52:54:00:c1:00:04 $'claim:s:a\nb'
refused "a claim with a byte above 0x7e: InvalidArgument" InvalidArgument hd 52:54:00:c1:00:04 "claim:s:café"
refused "a claim of type u: InvalidArgument" InvalidArgument hd 52:54:00:c1:00:04 claim:u:7
allocate "a claim of 255 printable characters, blanks and colons too" hd 52:54:00:c1:00:05 \
        "claim:s:$(printf 'a: ~%.0s' $(seq 63))abc"
np_release hd "$(port_uuid "$PORT")"
expect_eq "none of it left a port" 0 "$(in_use hd)"

# ---- NUMA ----
allocate "numa-node 1, preferred by default: a VF on node 1" hd 52:54:00:0a:00:01 numa-node:i:1
expect_eq "… results numa-node 1, and so is its VF" "1 1" \
        "$(np_awo_res result.numa-node) $(node_of "$(device_of "$PORT")")"
N1=("$(port_uuid "$PORT")")
for k in 2 3 4; do
        port_xml "52:54:00:0a:00:0$k"
        np_awo hd numa-node:i:1 numa-policy:s:required
        N1+=("$(port_uuid "$PORT")")
        echo "# node 1, required: $(np_awo_res result.numa-node) $(np_awo_res error)"
done
expect_eq "… required: the other three of node 1, each with results numa-node 1" 1 "$(np_awo_res result.numa-node)"
expect_eq "node 1 is full: the four VFs on it in use" "4" "$(np_devices hd | awk '$6 == "in-use" { print $1 }' |
        while read -r bdf; do node_of "$bdf"; done | grep -c '^1$')"
refused "numa-node 1 required, none free there: PoolExhausted" PoolExhausted hd 52:54:00:0a:00:05 numa-node:i:1 \
        numa-policy:s:required
np_says "… naming the node" "NUMA node 1"
allocate "numa-node 1 preferred, none free there: a VF on another node" hd 52:54:00:0a:00:06 numa-node:i:1 \
        numa-policy:s:preferred
expect_eq "… results numa-node 0" 0 "$(np_awo_res result.numa-node)"
N1+=("$(port_uuid "$PORT")")
allocate "numa-node 0 required: a VF on node 0" hd 52:54:00:0a:00:07 numa-node:i:0 numa-policy:s:required
expect_eq "… results numa-node 0" 0 "$(np_awo_res result.numa-node)"
N1+=("$(port_uuid "$PORT")")
refused "a node the host has not (9), required: PoolExhausted" PoolExhausted hd 52:54:00:0a:00:08 numa-node:i:9 \
        numa-policy:s:required
allocate "a node the host has not (9), preferred: any VF" hd 52:54:00:0a:00:09 numa-node:i:9
N1+=("$(port_uuid "$PORT")")
allocate "without numa-node: results numa-node all the same (the VF's)" hd 52:54:00:0a:00:0a
expect_eq "… the VF's node" "$(node_of "$(device_of "$PORT")")" "$(np_awo_res result.numa-node)"
N1+=("$(port_uuid "$PORT")")
for u in "${N1[@]}"; do
        np_release hd "$u"
done
expect_eq "all released" 0 "$(in_use hd)"

refused "numa-node -1: InvalidArgument" InvalidArgument hd 52:54:00:0a:00:0b numa-node:i:-1
refused "numa-node of type u: InvalidArgument" InvalidArgument hd 52:54:00:0a:00:0b numa-node:u:1
refused "numa-node of type s: InvalidArgument" InvalidArgument hd 52:54:00:0a:00:0b numa-node:s:1
refused "numa-policy neither preferred nor required: InvalidArgument" InvalidArgument hd 52:54:00:0a:00:0b \
        numa-node:i:0 numa-policy:s:strict
np_says "… naming the value" "strict"
refused "numa-policy without numa-node: InvalidArgument" InvalidArgument hd 52:54:00:0a:00:0b \
        numa-policy:s:required
expect_eq "none of it left a port" 0 "$(in_use hd)"

# ---- an Allocate during a numvfs change waits for the VFs ----
# eth0's VFs go (numvfs 0); the call starts; the VFs come back shortly after it started
np_simhost --set-numvfs "$PF" 0
( sleep 0.3; np_simhost --set-numvfs "$PF" 8 ) &
RESIZER=$!
t0=$(date +%s%N)
allocate "Allocate while eth0's VFs are re-created: it waits and gets one" hd 52:54:00:5e:00:01
t1=$(date +%s%N)
wait "$RESIZER"
echo "# answered after $(((t1 - t0) / 1000000)) ms"
check "… a VF of eth0" test "$(np_awo_res result.pf)" = eth0
[ -z "$PORT" ] || np_release hd "$(port_uuid "$PORT")"
# the VFs do not come back: the wait is bounded (5 s after the change), then PoolExhausted as before
np_simhost --set-numvfs "$PF" 0
t0=$(date +%s%N)
refused "eth0's VFs gone for good: PoolExhausted" PoolExhausted hd 52:54:00:5e:00:02
t1=$(date +%s%N)
echo "# answered after $(((t1 - t0) / 1000000)) ms"
check "… within the bound (5 s, and a wide margin)" test $(((t1 - t0) / 1000000)) -lt 15000
np_simhost --set-numvfs "$PF" 8

np_done
