#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# AllocateWithOptions' owner-pidfd (issue 19, point 6): the port is released when its owner process exits, also
# when netpoold was not running then (pid and start time in the port record); a bad pidfd is refused; netpoold
# does not exit for idleness while ports exist.
source "$(dirname "$0")/lib.sh"
np_setup
np_need_python_dbus
CLIENT="$NP_PY $(dirname "$0")/np-owner-client.py"

np_call /org/netpool1 Manager CreateNetwork st \
        "<network><name>hd</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>" 0 \
        >/dev/null
HD=$(np_net_path hd)

port_xml() {    # port_xml N
        np_port_xml uuid=$(printf '0a000000-0000-4000-8000-%012d' "$1") mac=$(printf '52:54:00:0a:00:%02x' "$1")
}
ports_count() {
        busctl --system call org.netpool1 "$HD" org.netpool1.Network ListPorts t 0 | awk '{print $2}'
}
wait_ports() {  # wait_ports N: within 5 s
        for _ in $(seq 50); do
                [ "$(ports_count)" = "$1" ] && return 0
                sleep 0.1
        done
        return 1
}

# ---- the owner exits: the port goes, its VF back on its driver ----
sleep 1000 & OWNER=$!
$CLIENT "$HD" "$(port_xml 1)" $OWNER >"$NP_DIR/c1.out"
check "AllocateWithOptions with the pidfd of a sleep" grep -q '^port=' "$NP_DIR/c1.out"
P1=$(sed -n 's/^port=//p' "$NP_DIR/c1.out")
expect_eq "the Port's OwnerPID is the sleep's pid" "u $OWNER" \
        "$(busctl --system get-property org.netpool1 "$P1" org.netpool1.Port OwnerPID)"
check "the port record keeps the pid and its start time" grep -q "<ownerprocess pid='$OWNER' start='[0-9]*'/>" \
        "$NP_DIR/run/ports/$(printf '0a000000-0000-4000-8000-%012d' 1).xml"
kill $OWNER; wait $OWNER 2>/dev/null
check "its exit releases the port" wait_ports 0
expect_eq "the VF is back on iavf" "iavf" "$(basename "$(readlink "$NP_SIM/sys/bus/pci/devices/0000:03:02.0/driver")")"

# ---- across a kill -9 of netpoold: the owner alive is watched again; gone meanwhile, released at start ----
sleep 1000 & OWNER=$!
$CLIENT "$HD" "$(port_xml 2)" $OWNER >"$NP_DIR/c2.out"
sleep 1000 & OWNER3=$!
$CLIENT "$HD" "$(port_xml 3)" $OWNER3 >"$NP_DIR/c3.out"
check "two ports with owners" wait_ports 2
check "kill -9 netpoold" np_kill9
kill $OWNER3; wait $OWNER3 2>/dev/null
check "the next call starts it again: the port whose owner exited meanwhile is gone" wait_ports 1
kill $OWNER; wait $OWNER 2>/dev/null
check "the other owner, watched again after the restart, exits: its port goes" wait_ports 0

# ---- refused, nothing allocated ----
$CLIENT "$HD" "$(port_xml 4)" notpidfd >"$NP_DIR/c4.out"
expect_eq "an fd that is no pidfd: InvalidArgument" "error=org.netpool1.Error.InvalidArgument" "$(head -1 "$NP_DIR/c4.out")"
$CLIENT "$HD" "$(port_xml 5)" exited >"$NP_DIR/c5.out"
expect_eq "the pidfd of a process that has exited: InvalidArgument" "error=org.netpool1.Error.InvalidArgument" \
        "$(head -1 "$NP_DIR/c5.out")"
expect_eq "no port" "0" "$(ports_count)"

np_done
