#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live migration with hybrid ports across two sim hosts, each with its own bus and daemon (docs/ports.md):
# Allocate on the destination; Release on the source only after success; on failure the source port is
# untouched and the destination's is released.
source "$(dirname "$0")/lib.sh"
np_setup                                # host A: NP_DIR, NP_SIM, its bus in DBUS_SYSTEM_BUS_ADDRESS
A_DIR=$NP_DIR A_SIM=$NP_SIM A_BUS=$DBUS_SYSTEM_BUS_ADDRESS A_BUS_PID=$NP_BUS_PID

# host B: a second sim host, bus and daemon
B_DIR=$(mktemp -d "${TMPDIR:-/tmp}/netpool-test-b.XXXXXX")
"$NETPOOL_SIMHOST" "$B_DIR/sim" --default -q >/dev/null || exit 1
NP_DIR=$B_DIR NP_SIM=$B_DIR/sim
np_write_service
np_start_bus || exit 1
B_BUS=$DBUS_SYSTEM_BUS_ADDRESS B_BUS_PID=$NP_BUS_PID
NP_DIR=$A_DIR NP_SIM=$A_SIM NP_BUS_PID=$A_BUS_PID DBUS_SYSTEM_BUS_ADDRESS=$A_BUS
teardown_both() {
        DBUS_SYSTEM_BUS_ADDRESS=$B_BUS
        local pid
        pid=$(np_daemon_pid)
        kill "$B_BUS_PID" 2>/dev/null
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
        [ "${NP_KEEP:-}" = 1 ] || rm -rf "$B_DIR"
        DBUS_SYSTEM_BUS_ADDRESS=$A_BUS
        np_teardown
}
trap teardown_both EXIT

on() {          # on A|B COMMAND...: run against that host's bus
        local host=$1
        shift
        if [ "$host" = A ]; then DBUS_SYSTEM_BUS_ADDRESS=$A_BUS "$@"; else DBUS_SYSTEM_BUS_ADDRESS=$B_BUS "$@"; fi
}
vf_mac() {      # vf_mac A|B N
        local sim=$A_SIM
        [ "$1" = B ] && sim=$B_DIR/sim
        cat "$sim/vfstate/0000:07:00.0/vf$2/p1/mac"
}

NET="<network><name>mig</name><uuid>5a5a5a5a-0000-4000-8000-000000000001</uuid><forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='sfc0'/></forward></network>"
for h in A B; do
        check "host $h: the hybrid network is running" on $h busctl --system call org.netpool1 /org/netpool1 \
                org.netpool1.Manager CreateNetwork st "$NET" 0
done
NP_OWNER_NAME=guest NP_OWNER_UUID=33333333-2222-4333-8444-555555555555     # the owner of np_port_xml

U1=44444444-0000-4000-8000-000000000001
M1=52:54:00:12:34:01
check "the guest's port on the source" on A np_allocate mig "$(np_port_xml uuid=$U1 mac=$M1)"
expect_eq "source VF carries the guest's MAC" "$M1" "$(vf_mac A 0)"

# a successful migration: allocate on the destination, then release on the source
check "migration: allocate the same port on the destination" on B np_allocate mig "$(np_port_xml uuid=$U1 mac=$M1)"
expect_eq "destination VF carries the guest's MAC" "$M1" "$(vf_mac B 0)"
expect_eq "meanwhile the source port is untouched" "$M1" "$(vf_mac A 0)"
check "after success, release on the source" on A np_release mig $U1
expect_eq "the source VF is restored (00:00:00:00:00:00 on a Solarflare-like VF)" "00:00:00:00:00:00" "$(vf_mac A 0)"
expect_eq "the destination keeps the port" "1" "$(on B np_get_prop mig Connections)"
expect_eq "and the source has none" "0" "$(on A np_get_prop mig Connections)"

# a failed migration: the destination's port is released, the source's untouched
U2=44444444-0000-4000-8000-000000000002
M2=52:54:00:12:34:02
check "a second guest on the destination (now its source)" on B np_allocate mig "$(np_port_xml uuid=$U2 mac=$M2)"
check "migration to host A: allocate there" on A np_allocate mig "$(np_port_xml uuid=$U2 mac=$M2)"
expect_eq "host A's VF got the MAC" "$M2" "$(vf_mac A 0)"
check "the migration fails: release on the destination (host A)" on A np_release mig $U2
expect_eq "host A's VF is restored" "00:00:00:00:00:00" "$(vf_mac A 0)"
expect_eq "the source (host B) port is untouched" "$M2" "$(vf_mac B 1)"
expect_eq "and still registered there" "2" "$(on B np_get_prop mig Connections)"
check "the source port's plug still names its PF and VF" bash -c \
        "DBUS_SYSTEM_BUS_ADDRESS=$B_BUS busctl --system call org.netpool1 /org/netpool1 org.netpool1.Manager ListPorts t 0 |
         grep -q '$U2'"
np_done
