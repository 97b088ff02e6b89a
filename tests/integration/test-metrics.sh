#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netpoolctl metrics against the real daemon on the default sim host: every sample it prints, with exact
# values, read back through prometheus_client's parser (python3-prometheus-client) — per network (active,
# capacity, available, connections, devices by state) and netpoold's counters (allocations, releases,
# failed allocations by error name, VF restores pending, when counting began) across allocations that succeed
# and fail, a restore that fails and its retry, Stop with FORCE; the counters kept across a restart and an
# idle exit (STATE/statistics), started anew after a "reboot" (the file gone) and over a damaged file.
source "$(dirname "$0")/lib.sh"

# the parser is Debian's python3-prometheus-client, installed for the system python3, which may not be the
# first python3 on PATH (pyenv)
PY=
for p in python3 /usr/bin/python3; do
        if command -v "$p" >/dev/null && "$p" -c 'import prometheus_client.parser' 2>/dev/null; then
                PY=$p
                break
        fi
done
if [ -z "$PY" ]; then
        # a whole-test skip that Debian 12's meson (1.0.1) counts as a skip: exit 0, not 77
        echo "1..0 # SKIP no python3 with prometheus_client (Debian: python3-prometheus-client)"
        exit 0
fi

np_setup

M=/org/netpool1
SRIOV_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d21
TINY_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d22
IDLE_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d23
ETH0=0000:03:00.0

# ctl ARGS...: runs netpoolctl; leaves its stdout, stderr and exit status in $out, $err and $rc
ctl() {
        rc=0
        out=$(np_ctl "$@" 2>"$NP_DIR/stderr") || rc=$?
        err=$(<"$NP_DIR/stderr")
}

simhost() {
        "$NETPOOL_SIMHOST" "$NP_SIM" -q "$@" >/dev/null
}

now_seconds() {
        date +%s.%N
}

# metrics_are DESCRIPTION EXPECTED: `netpoolctl metrics` succeeds, writes nothing on stderr, parses with
# prometheus_client, has HELP and the right TYPE for every family, and its samples are exactly EXPECTED:
# lines "NAME{LABEL=VALUE,...} VALUE" (labels sorted by name), in any order. The start time is checked
# against the bounds in START_MIN and START_MAX, and left out of EXPECTED.
metrics_are() {
        ctl metrics
        printf '%s\n' "$out" >"$NP_DIR/metrics.prom"
        check "$1" "$PY" - "$NP_DIR/metrics.prom" "$2" "$rc" "$err" "$START_MIN" "$START_MAX" <<'EOP'
import sys
from prometheus_client.parser import text_string_to_metric_families

path, want, rc, err, start_min, start_max = sys.argv[1:]
text = open(path).read()
assert rc == "0" and err == "", (rc, err)
types = {
    "netpool_counters_start_time_seconds": "gauge",
    "netpool_port_allocations": "counter",
    "netpool_port_releases": "counter",
    "netpool_port_allocation_failures": "counter",
    "netpool_vf_restores_pending": "gauge",
    "netpool_network_info": "gauge",
    "netpool_network_active": "gauge",
    "netpool_network_capacity": "gauge",
    "netpool_network_available": "gauge",
    "netpool_network_connections": "gauge",
    "netpool_network_devices": "gauge",
}
got = set()
families = {}
start = None
for family in text_string_to_metric_families(text):
    assert family.name not in families, "family %s twice" % family.name
    families[family.name] = family.type
    assert family.documentation, "family %s has no HELP" % family.name
    for s in family.samples:
        if s.name == "netpool_counters_start_time_seconds":
            start = s.value
            continue
        labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
        assert s.value == int(s.value), s
        got.add("%s{%s} %d" % (s.name, labels, s.value))
assert families == types, "families: %s" % families
assert start is not None and float(start_min) <= start <= float(start_max), \
    "start time %s not in [%s, %s]" % (start, start_min, start_max)
want = set(l for l in want.splitlines() if l)
assert got == want, "missing:\n  %s\nunexpected:\n  %s" % ("\n  ".join(sorted(want - got)),
                                                          "\n  ".join(sorted(got - want)))
EOP
}

# zero_devices NETWORK: the five device states at 0, for inactive networks
zero_devices() {
        local s
        for s in free in-use unavailable lost restore-failed; do
                echo "netpool_network_devices{network=$1,state=$s} 0"
        done
}

# ==== a fresh daemon: the counters at zero, no network ====
START_MIN=$(now_seconds)
ctl metrics
START_MAX=$(now_seconds)
expect_eq "metrics on a fresh daemon: status 0, nothing on stderr" "0|" "$rc|$err"
metrics_are "a fresh daemon: zero counters, no failures, no network" "
netpool_port_allocations_total{} 0
netpool_port_releases_total{} 0
netpool_vf_restores_pending{} 0"
check "the output is the Prometheus text format 0.0.4 (no OpenMetrics # EOF)" \
        bash -c '! grep -q "^# EOF" "$1" && grep -q "^# TYPE netpool_port_allocations_total counter$" "$1"' \
        _ "$NP_DIR/metrics.prom"

# ==== three networks: sriov-a over eth0's 8 VFs, tiny over one VF of ens1, idle.net never started ====
# (an inactive network's Capacity counts the devices its definition lists: 1 for tiny and idle.net)
cat >"$NP_DIR/sriov-a.xml" <<EOX
<network>
  <name>sriov-a</name>
  <uuid>$SRIOV_UUID</uuid>
  <forward mode='hostdev' managed='yes'>
    <pf dev='eth0'/>
  </forward>
</network>
EOX
cat >"$NP_DIR/tiny.xml" <<EOX
<network>
  <name>tiny</name>
  <uuid>$TINY_UUID</uuid>
  <forward mode='hostdev' managed='yes'>
    <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x1'/>
  </forward>
</network>
EOX
cat >"$NP_DIR/idle.xml" <<EOX
<network>
  <name>idle.net</name>
  <uuid>$IDLE_UUID</uuid>
  <forward mode='passthrough'>
    <interface dev='sfc0'/>
  </forward>
</network>
EOX
for f in sriov-a tiny idle; do
        ctl define "$NP_DIR/$f.xml"
        expect_eq "define $f" "0" "$rc"
done
for n in sriov-a tiny; do
        ctl start $n
        expect_eq "start $n" "0" "$rc"
done

info_lines="
netpool_network_info{mode=hostdev,network=sriov-a,uuid=$SRIOV_UUID} 1
netpool_network_info{mode=hostdev,network=tiny,uuid=$TINY_UUID} 1
netpool_network_info{mode=passthrough,network=idle.net,uuid=$IDLE_UUID} 1"
idle_lines="
netpool_network_active{network=idle.net} 0
netpool_network_capacity{network=idle.net} 1
netpool_network_available{network=idle.net} 0
netpool_network_connections{network=idle.net} 0
$(zero_devices idle.net)"

metrics_are "started networks: their pools, nothing counted" "
netpool_port_allocations_total{} 0
netpool_port_releases_total{} 0
netpool_vf_restores_pending{} 0
$info_lines
$idle_lines
netpool_network_active{network=sriov-a} 1
netpool_network_capacity{network=sriov-a} 8
netpool_network_available{network=sriov-a} 8
netpool_network_connections{network=sriov-a} 0
netpool_network_devices{network=sriov-a,state=free} 8
netpool_network_devices{network=sriov-a,state=in-use} 0
netpool_network_devices{network=sriov-a,state=unavailable} 0
netpool_network_devices{network=sriov-a,state=lost} 0
netpool_network_devices{network=sriov-a,state=restore-failed} 0
netpool_network_active{network=tiny} 1
netpool_network_capacity{network=tiny} 1
netpool_network_available{network=tiny} 1
netpool_network_connections{network=tiny} 0
netpool_network_devices{network=tiny,state=free} 1
netpool_network_devices{network=tiny,state=in-use} 0
netpool_network_devices{network=tiny,state=unavailable} 0
netpool_network_devices{network=tiny,state=lost} 0
netpool_network_devices{network=tiny,state=restore-failed} 0"

# ==== allocations that succeed and fail ====
allocate() {    # allocate NETWORK MAC: leaves the port's UUID in $port
        ctl allocate "$1" --owner vm1 --mac "$2"
        port=${out:5:36}
        expect_eq "allocate on $1" "0" "$rc"
}
allocate sriov-a 52:54:00:00:00:01
P1=$port
allocate sriov-a 52:54:00:00:00:02
P2=$port
allocate tiny 52:54:00:00:00:03
T1=$port
OWNER="<owner><name>vm2</name><uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>"
PORT_XML="<networkport>$OWNER<mac address='52:54:00:00:00:09'/></networkport>"
alloc_send() {  # alloc_send NETWORK XML FLAGS
        np_send "$(np_net_path "$1")" Network.Allocate string:"$2" uint64:"$3"
}
expect_error "a second port on tiny: PoolExhausted" org.netpool1.Error.PoolExhausted \
        alloc_send tiny "$PORT_XML" 0
expect_error "unknown flags: InvalidArgument" org.netpool1.Error.InvalidArgument \
        alloc_send sriov-a "$PORT_XML" 1
expect_error "an inactive network: NetworkInactive" org.netpool1.Error.NetworkInactive \
        alloc_send idle.net "$PORT_XML" 0
expect_error "port XML that is not XML: InvalidXML" org.netpool1.Error.InvalidXML \
        alloc_send sriov-a "<networkport" 0
expect_error "a second PoolExhausted" org.netpool1.Error.PoolExhausted \
        alloc_send tiny "$PORT_XML" 0
# sd-bus answers a call to an object that does not exist before any code of netpoold runs: not counted
expect_error "a network that does not exist: UnknownObject" org.freedesktop.DBus.Error.UnknownObject \
        alloc_send nosuch "$PORT_XML" 0
# a caller polkit does not authorize (uid 65534; no polkit on this bus: netpoold denies) is not counted,
# nor its malformed calls: anyone could make the counters mean nothing (issue 16)
if [ "$(id -u)" = 0 ] && [ -x "${NP_TEST_CALLER:-}" ]; then
        chmod 0755 "$NP_DIR"    # uid 65534 must reach the bus socket in it
        expect_error "an unauthorized caller: AccessDenied" org.freedesktop.DBus.Error.AccessDenied \
                "$NP_TEST_CALLER" --uid 65534 "$(np_net_path sriov-a)" org.netpool1.Network Allocate "$PORT_XML" 0
        expect_error "an unauthorized caller's unknown flags: InvalidArgument" org.netpool1.Error.InvalidArgument \
                "$NP_TEST_CALLER" --uid 65534 "$(np_net_path sriov-a)" org.netpool1.Network Allocate "$PORT_XML" 1
else
        ok "an unauthorized caller: AccessDenied # SKIP needs root and np-test-caller to call as uid 65534"
fi
ctl release "$P1"
expect_eq "release the first port" "0" "$rc"

failures="
netpool_port_allocation_failures_total{error=org.netpool1.Error.InvalidArgument} 1
netpool_port_allocation_failures_total{error=org.netpool1.Error.InvalidXML} 1
netpool_port_allocation_failures_total{error=org.netpool1.Error.NetworkInactive} 1
netpool_port_allocation_failures_total{error=org.netpool1.Error.PoolExhausted} 2"
tiny_in_use="
netpool_network_active{network=tiny} 1
netpool_network_capacity{network=tiny} 1
netpool_network_available{network=tiny} 0
netpool_network_connections{network=tiny} 1
netpool_network_devices{network=tiny,state=free} 0
netpool_network_devices{network=tiny,state=in-use} 1
netpool_network_devices{network=tiny,state=unavailable} 0
netpool_network_devices{network=tiny,state=lost} 0
netpool_network_devices{network=tiny,state=restore-failed} 0"
metrics_are "3 allocations, 1 release, failures by error name, devices in use" "
netpool_port_allocations_total{} 3
netpool_port_releases_total{} 1
$failures
netpool_vf_restores_pending{} 0
$info_lines
$idle_lines
netpool_network_active{network=sriov-a} 1
netpool_network_capacity{network=sriov-a} 8
netpool_network_available{network=sriov-a} 7
netpool_network_connections{network=sriov-a} 1
netpool_network_devices{network=sriov-a,state=free} 7
netpool_network_devices{network=sriov-a,state=in-use} 1
netpool_network_devices{network=sriov-a,state=unavailable} 0
netpool_network_devices{network=sriov-a,state=lost} 0
netpool_network_devices{network=sriov-a,state=restore-failed} 0
$tiny_in_use"

# Prometheus' own linter (naming conventions, HELP, TYPE), where Debian's prometheus package is installed;
# it is not installed for the tests (a server and its web assets), so this is skipped in CI
if command -v promtool >/dev/null; then
        check "promtool check metrics finds nothing to say" promtool check metrics <"$NP_DIR/metrics.prom"
else
        ok "promtool check metrics # SKIP no promtool (Debian: prometheus)"
fi

# ==== a restore that fails at Release: the device is restore-failed, one restore pending ====
P2_VF=$(np_ctl --json devices sriov-a | "$PY" -c '
import json, sys
print([d["vf_index"] for d in json.load(sys.stdin) if d["port_uuid"] == sys.argv[1]][0])' "$P2")
simhost --fail $ETH0 "$P2_VF" 'set_mac EINVAL'
ctl release "$P2"
expect_eq "release of a port whose VF refuses its MAC back succeeds" "0" "$rc"
restore_failed_sriov="
netpool_network_active{network=sriov-a} 1
netpool_network_capacity{network=sriov-a} 8
netpool_network_available{network=sriov-a} 7
netpool_network_connections{network=sriov-a} 0
netpool_network_devices{network=sriov-a,state=free} 7
netpool_network_devices{network=sriov-a,state=in-use} 0
netpool_network_devices{network=sriov-a,state=unavailable} 0
netpool_network_devices{network=sriov-a,state=lost} 0
netpool_network_devices{network=sriov-a,state=restore-failed} 1"
metrics_are "a failed restore: 2 releases, 1 restore pending, 1 device restore-failed" "
netpool_port_allocations_total{} 3
netpool_port_releases_total{} 2
$failures
netpool_vf_restores_pending{} 1
$info_lines
$idle_lines
$restore_failed_sriov
$tiny_in_use"

# the retry (Rescan runs one at once) puts the VF back
simhost --clear-fail $ETH0 "$P2_VF"
# busctl prints nothing on success, its error otherwise
expect_eq "Rescan" "" "$(busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0 2>&1)"
for _ in $(seq 100); do
        [ "$(np_ctl metrics | grep '^netpool_vf_restores_pending ')" = "netpool_vf_restores_pending 0" ] && break
        sleep 0.1
done
free_sriov="
netpool_network_active{network=sriov-a} 1
netpool_network_capacity{network=sriov-a} 8
netpool_network_available{network=sriov-a} 8
netpool_network_connections{network=sriov-a} 0
netpool_network_devices{network=sriov-a,state=free} 8
netpool_network_devices{network=sriov-a,state=in-use} 0
netpool_network_devices{network=sriov-a,state=unavailable} 0
netpool_network_devices{network=sriov-a,state=lost} 0
netpool_network_devices{network=sriov-a,state=restore-failed} 0"
tiny_inactive="
netpool_network_active{network=tiny} 0
netpool_network_capacity{network=tiny} 1
netpool_network_available{network=tiny} 0
netpool_network_connections{network=tiny} 0
$(zero_devices tiny)"

# ==== Stop with FORCE releases tiny's port: a release too ====
ctl stop --force tiny
expect_eq "stop --force tiny" "0" "$rc"
metrics_are "after the retry and Stop FORCE: 3 releases, nothing pending, tiny inactive" "
netpool_port_allocations_total{} 3
netpool_port_releases_total{} 3
$failures
netpool_vf_restores_pending{} 0
$info_lines
$idle_lines
$free_sriov
$tiny_inactive"

# ==== a new netpoold goes on counting from where the last one stopped, with the same start ====
counted="
netpool_port_allocations_total{} 3
netpool_port_releases_total{} 3
$failures
netpool_vf_restores_pending{} 0
$info_lines
$idle_lines
$free_sriov
$tiny_inactive"
# stop_daemon: SIGTERM, and wait until it has gone
stop_daemon() {
        local pid
        pid=$(np_daemon_pid)
        kill "$pid"
        check "netpoold exits on SIGTERM" np_wait_gone "$pid" 30
}
START_MIN=$(sed -n 's/^netpool_counters_start_time_seconds //p' "$NP_DIR/metrics.prom")
START_MAX=$START_MIN
# written at most a second after a change: a crash loses no more than that
for _ in $(seq 50); do
        grep -qx "releases 3" "$NP_DIR/run/statistics" && break
        sleep 0.1
done
check "within a second the counters are in STATE/statistics" grep -qx "releases 3" "$NP_DIR/run/statistics"
pid=$(np_daemon_pid)
kill -9 "$pid"
check "netpoold is killed" np_wait_gone "$pid" 30
metrics_are "after kill -9: the same counters, the same start" "$counted"
# what the timer has not written yet is written at exit: SIGTERM right after a change
expect_error "one more failure, then SIGTERM at once" org.netpool1.Error.NetworkInactive \
        alloc_send idle.net "$PORT_XML" 0
stop_daemon
counted=${counted/NetworkInactive\} 1/NetworkInactive\} 2}
metrics_are "a restarted daemon: the last failure too, the same start" "$counted"

# the same across an idle exit: the next netpoold the bus starts exits after 1 s without calls
NP_IDLE=1 np_write_service
stop_daemon
ctl metrics
pid=$(np_daemon_pid)
check "left alone, netpoold exits" np_wait_gone "$pid" 30
metrics_are "after an idle exit: the same counters, the same start" "$counted"
pid=$(np_daemon_pid)
check "left alone, netpoold exits again" np_wait_gone "$pid" 30
np_write_service

# ==== a "reboot" (STATE/statistics gone): counting starts anew, from the new netpoold's start ====
zero="
netpool_port_allocations_total{} 0
netpool_port_releases_total{} 0
netpool_vf_restores_pending{} 0
$info_lines
$idle_lines
$free_sriov
$tiny_inactive"
rm "$NP_DIR/run/statistics"
START_MIN=$(now_seconds)
ctl metrics     # starts a netpoold
START_MAX=$(now_seconds)
metrics_are "without STATE/statistics: counters from zero, counting since this start" "$zero"

# ==== a damaged STATE/statistics is set aside, with a warning naming it ====
stop_daemon
printf 'counting-since 1\nallocations many\n' >"$NP_DIR/run/statistics"
START_MIN=$(now_seconds)
ctl metrics
START_MAX=$(now_seconds)
metrics_are "over a damaged STATE/statistics: counters from zero" "$zero"
check "the log says which file and line it ignored" \
        grep -q "ignoring $NP_DIR/run/statistics (line 2: malformed: 'allocations many'): counting from zero" \
        "$NP_DIR/dbus.log"
# a key some newer netpoold wrote is left alone
stop_daemon
printf 'counting-since 1500000000000000\nallocations 7\nfuture-key 1 2 3\n' >"$NP_DIR/run/statistics"
START_MIN=1500000000
START_MAX=1500000000
metrics_are "unknown keys are skipped, the rest loaded" "${zero/allocations_total\{\} 0/allocations_total\{\} 7}"

# ==== networks that come and go while metrics reads them: left out, never a failure ====
# named to be read last, after the other networks' reads: the widest window for it to vanish in
flap_xml="<network><name>zz-flap</name><forward mode='passthrough'><interface dev='sfc0'/></forward></network>"
(
        for _ in $(seq 1000); do
                busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$flap_xml" 0
                busctl --system call org.netpool1 "$(np_net_path zz-flap)" org.netpool1.Network Undefine t 0
        done >/dev/null 2>&1
) &
flapper=$!
failed=0
runs=0
while kill -0 $flapper 2>/dev/null && [ $runs -lt 150 ]; do
        np_ctl metrics >"$NP_DIR/flap.prom" 2>"$NP_DIR/flap.err" || { failed=$((failed + 1)); sed "s/^/# /" "$NP_DIR/flap.err"; }
        runs=$((runs + 1))
done
kill $flapper 2>/dev/null
wait $flapper 2>/dev/null
expect_eq "metrics while a network is defined and undefined over and over: $runs runs, none failed" "0" "$failed"

# ==== usage ====
ctl --json metrics
expect_eq "--json does not apply: a usage error, saying why" \
        "2||netpoolctl metrics: --json does not apply: metrics prints the Prometheus text format" \
        "$rc|$out|${err%%$'\n'*}"
ctl metrics extra
expect_eq "metrics takes no argument: status 2" "2|" "$rc|$out"
np_done
