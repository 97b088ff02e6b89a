#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An owner's ports without a pass over every port: Manager.ListPortsByOwner and `netpoolctl ports --owner-uuid`,
# across networks, through Release, Stop with FORCE, Notify, kill -9 and re-activation; bad input. Also what
# an agent relies on besides: Network.Release of another network's port is NoSuchPort and changes nothing.
source "$(dirname "$0")/lib.sh"
np_setup

M=/org/netpool1
A=aaaaaaaa-0000-4000-8000-00000000000a
B=bbbbbbbb-0000-4000-8000-00000000000b
NOBODY=cccccccc-0000-4000-8000-00000000000c
HD=$(np_net_path hd)
PT=$(np_net_path pt)

p_uuid() {      # p_uuid N: the UUID of test port N
        printf "9e000000-0000-4000-8000-%012d" "$1"
}
# port_n NET PORT_N OWNER_UUID: Allocate test port N for that owner (named vm-XXXX after its UUID)
port_n() {
        np_allocate "$1" "$(np_port_xml uuid="$(p_uuid "$2")" owner="vm-${3:0:4}" owner_uuid="$3" mac="52:54:00:9e:00:0$2")"
}
# by_owner UUID: the port UUIDs of ListPortsByOwner, blank-separated, in the reply's order
by_owner() {
        busctl --system --json=short call org.netpool1 $M org.netpool1.Manager ListPortsByOwner st "$1" 0 |
                python3 -c 'import json, sys; print(" ".join(r[0] for r in json.load(sys.stdin)["data"][0]))'
}
# rows_of_list_ports OWNER: ListPorts' rows of that owner, as JSON (what ListPortsByOwner must answer)
rows_of_list_ports() {
        busctl --system --json=short call org.netpool1 $M org.netpool1.Manager ListPorts t 0 |
                python3 -c 'import json, sys; print(json.dumps([r for r in json.load(sys.stdin)["data"][0] if r[3] == sys.argv[1]]))' "$1"
}
rows_by_owner() {
        busctl --system --json=short call org.netpool1 $M org.netpool1.Manager ListPortsByOwner st "$1" 0 |
                python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["data"][0]))'
}

np_call $M Manager DefineNetwork st \
        "<network><name>hd</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>" 0 >/dev/null
np_call $M Manager DefineNetwork st \
        "<network><name>pt</name><forward mode='passthrough'><pf dev='ens1'/></forward></network>" 0 >/dev/null
check "hostdev network hd starts" np_call "$HD" Network Start t 0
check "passthrough network pt starts" np_call "$PT" Network Start t 0

# ==== bad input and no ports ====
expect_eq "no ports: an empty list" "" "$(by_owner $A)"
expect_error "an owner that is no UUID is InvalidArgument" org.netpool1.Error.InvalidArgument \
        np_send $M Manager.ListPortsByOwner string:vm1 uint64:0
grep -q "'vm1' is not an owner UUID" "$NP_DIR/last.out" && ok "the message names it" || not_ok "the message names it"
expect_error "unknown flag bits are InvalidArgument" org.netpool1.Error.InvalidArgument \
        np_send $M Manager.ListPortsByOwner string:$A uint64:4

# ==== ports of two owners on two networks ====
check "A: port 3 on hd" port_n hd 3 $A
check "B: port 2 on hd" port_n hd 2 $B
check "A: port 1 on pt" port_n pt 1 $A
check "A: port 4 on pt" port_n pt 4 $A
expect_eq "A's ports, sorted by UUID" "$(p_uuid 1) $(p_uuid 3) $(p_uuid 4)" "$(by_owner $A)"
expect_eq "B's port" "$(p_uuid 2)" "$(by_owner $B)"
expect_eq "an owner without ports: empty" "" "$(by_owner $NOBODY)"
expect_eq "A's rows are ListPorts' rows of A" "$(rows_of_list_ports $A)" "$(rows_by_owner $A)"
expect_eq "the owner UUID in upper case" "$(by_owner $A)" "$(by_owner "${A^^}")"
expect_eq "the owner UUID without dashes" "$(by_owner $A)" "$(by_owner "${A//-/}")"

# ==== Network.Release of another network's port ====
expect_error "hd's Release of pt's port 1 is NoSuchPort" org.netpool1.Error.NoSuchPort \
        np_send "$HD" Network.Release string:"$(p_uuid 1)" uint64:0
grep -q "network 'hd' has no port '$(p_uuid 1)'" "$NP_DIR/last.out" && ok "the message names network and port" ||
        not_ok "the message names network and port"
expect_eq "port 1 is still there" "$(p_uuid 1) $(p_uuid 3) $(p_uuid 4)" "$(by_owner $A)"

# ==== the index follows Release, Stop FORCE, kill -9, Notify ====
check "Release port 3" np_call "$HD" Network Release st "$(p_uuid 3)" 0
expect_eq "A after Release" "$(p_uuid 1) $(p_uuid 4)" "$(by_owner $A)"
pid=$(np_daemon_pid)
kill -9 "$pid" && np_wait_gone "$pid"
expect_eq "A after kill -9 and re-activation" "$(p_uuid 1) $(p_uuid 4)" "$(by_owner $A)"
expect_eq "B after kill -9 and re-activation" "$(p_uuid 2)" "$(by_owner $B)"
P4_XML=$(busctl --system --json=short call org.netpool1 "$(np_path_encode /org/netpool1/port "$(p_uuid 4)")" \
        org.netpool1.Port GetXML t 0 | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0], end="")')
check "Stop pt with FORCE" np_call "$PT" Network Stop t 1
expect_eq "A after Stop FORCE of pt" "" "$(by_owner $A)"
check "Start pt again" np_call "$PT" Network Start t 0
check "Notify port 4 back" np_call "$PT" Network Notify st "$P4_XML" 0
expect_eq "A after Notify" "$(p_uuid 4)" "$(by_owner $A)"
check "Notify again (idempotent)" np_call "$PT" Network Notify st "$P4_XML" 0
expect_eq "A after a second Notify: listed once" "$(p_uuid 4)" "$(by_owner $A)"

# ==== netpoolctl ports --owner-uuid ====
out=$(np_ctl ports --owner-uuid "$B" 2>&1)
expect_eq "netpoolctl ports --owner-uuid B" \
        "UUID                                  NETWORK  OWNER    MAC                DEVICE
$(p_uuid 2)  hd       vm-bbbb  52:54:00:9e:00:02  0000:03:02.1" "$out"
out=$(np_ctl --json ports --owner-uuid "$A" pt 2>&1)
check "--json with NETWORK" python3 -c '
import json, sys
rows = json.loads(sys.argv[1])
assert [(r["uuid"], r["network"], r["owner_uuid"]) for r in rows] == [(sys.argv[2], "pt", sys.argv[3])], rows' \
        "$out" "$(p_uuid 4)" "$A"
expect_eq "--owner-uuid B on pt: no rows" "[]" "$(np_ctl --json ports --owner-uuid "$B" pt 2>&1)"
rc=0
out=$(np_ctl ports --owner-uuid vm1 2>&1) || rc=$?
expect_eq "--owner-uuid that is no UUID: usage error" "2|netpoolctl ports: invalid owner UUID 'vm1'" \
        "$rc|${out%%$'\n'*}"

np_done
