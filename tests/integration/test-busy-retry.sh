#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The EBUSY retry keeps its documented schedule, measured with a clock: a VF that answers EBUSY N times makes
# Allocate wait 10, 20, 40 and 80 ms between its 5 tries (ports.md, vf-state.md) — not sd-event's default
# 250 ms timer accuracy, which stretched four retries to about a second.
#
# Bounds: an Allocate cannot answer before the sum of the waits (lower bound, on every run); the quickest of
# three runs, less the quickest Allocate without a fault, stays within the sum plus a margin (upper bound).
# The margin (250 ms) is wide for a loaded 2-core machine, yet 250 ms steps need at least 760 ms for four
# waits (the first wait ends at the next 250 ms boundary, each later one a whole step on).
source "$(dirname "$0")/lib.sh"
np_setup

ETH0=0000:03:00.0
OWNER=b0b0b0b0-0000-4000-8000-0000000000cc
NET=$(np_net_path busy)
MARGIN_MS=250
RUNS=3

np_call /org/netpool1 Manager DefineNetwork st \
        "<network><name>busy</name><forward mode='hostdev' managed='yes'><driver name='vfio'/><pf dev='eth0'/></forward></network>" \
        0 >/dev/null
check "a hostdev network over eth0 starts" np_call "$NET" Network Start t 0

seq_n=0
next_port() {    # a new port: its UUID in PORT_UUID, its XML in PORT_XML
        seq_n=$((seq_n + 1))
        PORT_UUID=$(printf "7c000000-0000-4000-8000-%012d" "$seq_n")
        PORT_XML=$(np_port_xml uuid="$PORT_UUID" owner=vm owner_uuid="$OWNER" mac=52:54:00:cc:00:01)
}
now_us() {
        local t=${EPOCHREALTIME/./}
        echo $((10#$t))
}
# timed_allocate: Allocate on the VF picked first (VF 0), its time in ms in ELAPSED_MS and its status in
# ALLOC_RC; the port, if made, is released again
timed_allocate() {
        local t0 t1
        next_port
        t0=$(now_us)
        np_send "$NET" Network.Allocate string:"$PORT_XML" uint64:0 >"$NP_DIR/alloc.out" 2>&1
        ALLOC_RC=$?
        t1=$(now_us)
        ELAPSED_MS=$(((t1 - t0) / 1000))
        [ "$ALLOC_RC" -ne 0 ] || np_call "$NET" Network Release st "$PORT_UUID" 0 >/dev/null
}
# min_of A B …
min_of() {
        printf '%s\n' "$@" | sort -n | head -1
}

# the cost of an Allocate without a fault (busctl's start, the call, dbus-send's print)
base=()
for _ in 1 2 3 4 5; do
        timed_allocate
        base+=("$ELAPSED_MS")
done
BASE_MS=$(min_of "${base[@]}")
echo "# Allocate without a fault: ${base[*]} ms (quickest $BASE_MS)"

# busy_case N EXPECTED_WAIT_MS FAULT: Allocate while VF 0 answers EBUSY to FAULT ('set_mac EBUSY 2', …)
busy_case() {
        local n=$1 wait_ms=$2 fault=$3 runs=() early=0 bad_rc=0 i quickest
        for ((i = 0; i < RUNS; i++)); do
                np_simhost --clear-fail $ETH0 0 --fail $ETH0 0 "$fault"
                timed_allocate
                runs+=("$ELAPSED_MS")
                [ "$ELAPSED_MS" -ge "$wait_ms" ] || early=1
                if [ "$n" = always ]; then
                        grep -q org.netpool1.Error.HardwareError "$NP_DIR/alloc.out" || bad_rc=1
                else
                        [ "$ALLOC_RC" -eq 0 ] || bad_rc=1
                fi
        done
        np_simhost --clear-fail $ETH0 0
        quickest=$(min_of "${runs[@]}")
        echo "# EBUSY $n: ${runs[*]} ms; expected waits $wait_ms ms"
        if [ "$n" = always ]; then
                expect_eq "EBUSY every time: HardwareError after 5 tries" 0 "$bad_rc"
        else
                expect_eq "EBUSY $n time(s): Allocate succeeds" 0 "$bad_rc"
        fi
        expect_eq "EBUSY $n: no answer before the ${wait_ms} ms of waits" 0 "$early"
        if [ $((quickest - BASE_MS)) -le $((wait_ms + MARGIN_MS)) ]; then
                ok "EBUSY $n: answered within ${wait_ms} ms + ${MARGIN_MS} ms ($((quickest - BASE_MS)) ms over a plain Allocate)"
        else
                not_ok "EBUSY $n: answered within ${wait_ms} ms + ${MARGIN_MS} ms"
                echo "#   took $((quickest - BASE_MS)) ms over a plain Allocate"
        fi
}

busy_case 1 10 'set_mac EBUSY 1'
busy_case 2 30 'set_mac EBUSY 2'
busy_case 3 70 'set_mac EBUSY 3'
busy_case 4 150 'set_mac EBUSY 4'
busy_case always 150 'set_mac EBUSY'

np_done
