#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon under valgrind's memcheck: define, start, allocate, release, stop and undefine networks, then
# let it exit on idle; its valgrind log must show no memory error and no definite leak.
# (NP_VALGRIND=1 and np_valgrind_check in lib.sh make any integration test do the same.)
source "$(dirname "$0")/lib.sh"

# a TAP test that skips whole prints this and exits 0 (meson 1.0 counts a non-zero exit as an error)
skip_whole() {
        echo "1..0 # SKIP $*"
        exit 0
}
command -v valgrind >/dev/null || skip_whole "no valgrind"
# AddressSanitizer and valgrind both own the heap: a sanitized build is checked by its own run
if ldd "$NETPOOLD" 2>/dev/null | grep -q libasan; then
        skip_whole "netpoold is built with AddressSanitizer"
fi

NP_VALGRIND=1
NP_IDLE=4
np_setup

M=/org/netpool1
HD="<network><name>hd</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>"
PT="<network><name>pt</name><forward mode='passthrough'><pf dev='eth0'/></forward><vlan><tag id='7'/></vlan></network>"
check "define a hostdev network" np_call $M Manager DefineNetwork st "$HD" 0
check "define a passthrough network" np_call $M Manager DefineNetwork st "$PT" 0
check "start both" bash -c "busctl --system call org.netpool1 /org/netpool1/network/hd org.netpool1.Network Start t 0 &&
        busctl --system call org.netpool1 /org/netpool1/network/pt org.netpool1.Network Start t 0"
check "list networks and devices" bash -c "'$NETPOOLCTL' list && '$NETPOOLCTL' devices hd"

uuids=()
for net in hd pt; do
        out=$(np_ctl --json allocate $net --mac 52:54:00:12:34:5${#uuids[@]} --vlan 42 --owner vm1 \
                --owner-uuid 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f 2>&1)
        uuid=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["uuid"])' 2>/dev/null)
        if [ -n "$uuid" ]; then
                ok "allocate a port on $net"
                uuids+=("$uuid")
        else
                not_ok "allocate a port on $net"
                echo "$out" | sed 's/^/# /'
        fi
done
check "the ports and their XML" bash -c "'$NETPOOLCTL' ports && '$NETPOOLCTL' port-dumpxml ${uuids[0]:-none}"
for uuid in "${uuids[@]}"; do
        check "release $uuid" np_ctl release "$uuid"
done
check "an invalid definition is refused" bash -c "! busctl --system call org.netpool1 $M org.netpool1.Manager \
        DefineNetwork st '<network><name>x</name><forward mode=\"hostdev\"><pf dev=\"a/b\"/></forward></network>' 0"
check "stop and undefine" bash -c "'$NETPOOLCTL' --no-ask-password stop hd && '$NETPOOLCTL' --no-ask-password stop pt &&
        '$NETPOOLCTL' --no-ask-password undefine hd"

# idle exit: the name is released, the event loop ends, everything is freed
pid=$(np_daemon_pid)
gone=false
for _ in $(seq 600); do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
                gone=true
                break
        fi
        sleep 0.1
done
expect_eq "the daemon exits on idle (within 60 s under valgrind)" true "$gone"
np_valgrind_check
np_done
