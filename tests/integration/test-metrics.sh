#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netpoolctl metrics against the real daemon on the default sim host: every sample it prints, with exact
# values, read back through prometheus_client's parser (python3-prometheus-client) — per network (active,
# capacity, available, connections, devices by state) and netpoold's counters (allocations, releases,
# failed allocations by error name, VF restores pending, drift repairs, re-applied leases, quarantined devices,
# when counting began) across allocations that succeed and fail, a leased VF changed from outside, a restore
# that fails and its retry, a restore that reads back wrong (quarantine) and the Rescan that frees it, Stop
# with FORCE; the counters kept across a restart and an idle exit (STATE/statistics), started anew after a
# "reboot" (the file gone) and over a damaged file.
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

# lint.py FILE: the exposition FILE against the text format 0.0.4, line by line (prometheus_client's parser
# lets much through), and against the naming rules that promtool check metrics applies; one line per fault.
# promtool itself comes only with Debian's prometheus, the server: 96 MB, and a service that its
# installation starts; so the test checks those rules here, and runs on every machine.
cat >"$NP_DIR/lint.py" <<'EOP'
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(?:\{((?:\s*%s\s*=\s*%s\s*,)*\s*(?:%s\s*=\s*%s)?\s*)\})?[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$"
                    % (NAME, LABEL, VALUE, LABEL, VALUE))
PAIR = re.compile(r"(%s)\s*=\s*(%s)" % (LABEL, VALUE))
HELP = re.compile(r"^# HELP (%s)(?: ((?:[^\\]|\\[\\n])*))?$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
KEYWORD = re.compile(r"^#[ \t]+(HELP|TYPE)\b")
NOT_BASE_UNITS = {"milliseconds": "seconds", "microseconds": "seconds", "nanoseconds": "seconds",
                  "minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
                  "kilobytes": "bytes", "megabytes": "bytes", "gigabytes": "bytes", "bits": "bytes",
                  "percent": "ratio", "fahrenheit": "celsius"}
ABBREVIATIONS = {"ms", "us", "ns", "sec", "secs", "min", "mins", "hr", "hrs", "kb", "mb", "gb", "kib", "mib", "gib",
                 "pct", "perc"}
SUFFIX_FAMILY = {"histogram": ("_bucket", "_count", "_sum"), "summary": ("_count", "_sum")}


def family_of(sample, types):
    """The family a sample belongs to: its own name, or that of the histogram/summary it is a series of."""
    for t, suffixes in SUFFIX_FAMILY.items():
        for suffix in suffixes:
            base = sample[:-len(suffix)] if sample.endswith(suffix) else None
            if base and types.get(base) == t:
                return base
    return sample


def lint(text):
    problems, helps, types, seen, series = [], {}, {}, [], set()
    if text and not text.endswith("\n"):
        problems.append("the last line does not end with a newline")
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d" % n
        if not line.strip():
            continue
        if line.startswith("#"):
            if not KEYWORD.match(line):
                continue        # a comment
            m = HELP.match(line) or TYPE.match(line)
            if not m:
                problems.append("%s: malformed HELP or TYPE: %r" % (where, line))
                continue
            name, is_help = m.group(1), line.startswith("# HELP")
            table = helps if is_help else types
            if name in table:
                problems.append("%s: a second %s for %s" % (where, "HELP" if is_help else "TYPE", name))
            if name in seen:
                problems.append("%s: %s of %s after its samples" % (where, "HELP" if is_help else "TYPE", name))
            table[name] = m.group(2)
            continue
        m = SAMPLE.match(line)
        if not m:
            problems.append("%s: not a sample line: %r" % (where, line))
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        try:
            float(value)
        except ValueError:
            problems.append("%s: %r is not a number" % (where, value))
        family = family_of(name, types)
        if seen and seen[-1] != family and family in seen:
            problems.append("%s: the samples of %s are not together" % (where, family))
        if not seen or seen[-1] != family:
            seen.append(family)
        pairs = PAIR.findall(labels)
        names = [k for k, _ in pairs]
        if len(set(names)) != len(names):
            problems.append("%s: a label twice" % where)
        key = (name, tuple(sorted(pairs)))
        if key in series:
            problems.append("%s: the series %s{%s} twice" % (where, name, labels))
        series.add(key)
        for label in names:
            if label.startswith("__"):
                problems.append("%s: label %s: names beginning with __ are reserved" % (where, label))
            if label in ("le", "quantile") and types.get(family) not in ("histogram", "summary"):
                problems.append("%s: label %s is reserved for histograms and summaries" % (where, label))
            if label != label.lower():
                problems.append("%s: label %s is not snake_case" % (where, label))
    for family in dict.fromkeys(seen):
        kind = types.get(family, "untyped")
        words = family.split("_")
        if family not in helps or not helps[family]:
            problems.append("%s: no HELP" % family)
        if family not in types:
            problems.append("%s: no TYPE" % family)
        if kind == "counter" and not family.endswith("_total"):
            problems.append("%s: a counter's name ends in _total" % family)
        if kind != "counter" and family.endswith("_total"):
            problems.append("%s: only a counter's name ends in _total" % family)
        if ":" in family:
            problems.append("%s: ':' is for recording rules" % family)
        if family != family.lower():
            problems.append("%s: not snake_case" % family)
        for t in ("counter", "gauge", "histogram", "summary", "untyped"):
            if t in words:
                problems.append("%s: the name says its type (%s)" % (family, t))
        for w in words[1:]:     # the first word is the namespace
            if w in NOT_BASE_UNITS:
                problems.append("%s: %s is not a base unit (%s)" % (family, w, NOT_BASE_UNITS[w]))
            if w.lower() in ABBREVIATIONS:
                problems.append("%s: %s is an abbreviated unit" % (family, w))
        if kind not in SUFFIX_FAMILY:
            for suffix in ("_bucket", "_count", "_sum"):
                if family.endswith(suffix):
                    problems.append("%s: %s is reserved for histograms and summaries" % (family, suffix))
    return problems


found = lint(open(sys.argv[1]).read())
print("\n".join(found))
sys.exit(1 if found else 0)
EOP

M=/org/netpool1
SRIOV_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d21
TINY_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d22
IDLE_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d23
ETH0=0000:03:00.0

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
    "netpool_port_drift_repairs": "counter",
    "netpool_port_reapplied": "counter",
    "netpool_device_quarantined": "gauge",
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

# network_lines NETWORK ACTIVE CAPACITY AVAILABLE CONNECTIONS FREE IN-USE UNAVAILABLE LOST RESTORE-FAILED
# QUARANTINED: the samples of one network, its devices by state
network_lines() {
        local net=$1 s
        echo "netpool_network_active{network=$net} $2"
        echo "netpool_network_capacity{network=$net} $3"
        echo "netpool_network_available{network=$net} $4"
        echo "netpool_network_connections{network=$net} $5"
        shift 5
        for s in free in-use unavailable lost restore-failed quarantined; do
                echo "netpool_network_devices{network=$net,state=$s} $1"
                shift
        done
}

# ==== a fresh daemon: the counters at zero, no network ====
START_MIN=$(now_seconds)
ctl metrics
START_MAX=$(now_seconds)
expect_eq "metrics on a fresh daemon: status 0, nothing on stderr" "0|" "$rc|$err"
metrics_are "a fresh daemon: zero counters, no failures, nothing quarantined, no network" "
netpool_port_allocations_total{} 0
netpool_port_releases_total{} 0
netpool_vf_restores_pending{} 0
netpool_port_drift_repairs_total{} 0
netpool_port_reapplied_total{} 0"
check "the output is the Prometheus text format 0.0.4 (no OpenMetrics # EOF)" \
        bash -c '! grep -q "^# EOF" "$1" && grep -q "^# TYPE netpool_port_allocations_total counter$" "$1"' \
        _ "$NP_DIR/metrics.prom"

# ==== three networks: sriov-a over eth0's 8 VFs, tiny over one VF of ens1, idle.net never started ====
# (an inactive network's Capacity counts the devices its definition lists: 1 for tiny and idle.net)
np_fixture sriov-a "$SRIOV_UUID"
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
$(network_lines idle.net 0 1 0 0 0 0 0 0 0 0)"

metrics_are "started networks: their pools, nothing counted" "
netpool_port_allocations_total{} 0
netpool_port_releases_total{} 0
netpool_vf_restores_pending{} 0
netpool_port_drift_repairs_total{} 0
netpool_port_reapplied_total{} 0
$info_lines
$idle_lines
$(network_lines sriov-a 1 8 8 0 8 0 0 0 0 0)
$(network_lines tiny 1 1 1 0 1 0 0 0 0 0)"

# ==== allocations that succeed and fail ====
ctl_allocate() {        # ctl_allocate NETWORK MAC: leaves the port's UUID in $port
        ctl allocate "$1" --owner vm1 --mac "$2"
        port=${out:5:36}
        expect_eq "allocate on $1" "0" "$rc"
}
ctl_allocate sriov-a 52:54:00:00:00:01
P1=$port
ctl_allocate sriov-a 52:54:00:00:00:02
P2=$port
ctl_allocate tiny 52:54:00:00:00:03
T1=$port
PORT_XML=$(np_port_xml owner=vm2 owner_uuid=d54df46f-1ab5-4a22-8618-4560ef5fac2c mac=52:54:00:00:00:09)
expect_error "a second port on tiny: PoolExhausted" org.netpool1.Error.PoolExhausted \
        np_allocate_call tiny "$PORT_XML" 0
expect_error "unknown flags: InvalidArgument" org.netpool1.Error.InvalidArgument \
        np_allocate_call sriov-a "$PORT_XML" 1
expect_error "an inactive network: NetworkInactive" org.netpool1.Error.NetworkInactive \
        np_allocate_call idle.net "$PORT_XML" 0
expect_error "port XML that is not XML: InvalidXML" org.netpool1.Error.InvalidXML \
        np_allocate_call sriov-a "<networkport" 0
expect_error "a second PoolExhausted" org.netpool1.Error.PoolExhausted \
        np_allocate_call tiny "$PORT_XML" 0
# sd-bus answers a call to an object that does not exist before any code of netpoold runs: not counted
expect_error "a network that does not exist: UnknownObject" org.freedesktop.DBus.Error.UnknownObject \
        np_allocate_call nosuch "$PORT_XML" 0
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

# ==== a leased VF changed from outside (ip link set … vf N mac): netpoold puts the port's MAC back ====
port_device() { # port_device FIELD PORT-UUID: FIELD (vf_index, pci_address) of sriov-a's device the port holds
        np_ctl --json devices sriov-a | "$PY" -c '
import json, sys
print([d[sys.argv[1]] for d in json.load(sys.stdin) if d["port_uuid"] == sys.argv[2]][0])' "$1" "$2"
}
P2_VF=$(port_device vf_index "$P2")
P2_MAC_FILE=$NP_SIM/vfstate/$ETH0/vf$P2_VF/p1/mac
echo 02:00:00:dd:00:02 >"$P2_MAC_FILE"
for _ in $(seq 100); do
        [ "$(cat "$P2_MAC_FILE")" = 52:54:00:00:00:02 ] && break
        sleep 0.1
done
expect_eq "the drifted VF $P2_VF carries the port's MAC again" "52:54:00:00:00:02" "$(cat "$P2_MAC_FILE")"

failures="
netpool_port_allocation_failures_total{error=org.netpool1.Error.InvalidArgument} 1
netpool_port_allocation_failures_total{error=org.netpool1.Error.InvalidXML} 1
netpool_port_allocation_failures_total{error=org.netpool1.Error.NetworkInactive} 1
netpool_port_allocation_failures_total{error=org.netpool1.Error.PoolExhausted} 2"
tiny_in_use="
$(network_lines tiny 1 1 0 1 0 1 0 0 0 0)"
metrics_are "3 allocations, 1 release, 1 drift repaired, failures by error name, devices in use" "
netpool_port_allocations_total{} 3
netpool_port_releases_total{} 1
$failures
netpool_vf_restores_pending{} 0
netpool_port_drift_repairs_total{} 1
netpool_port_reapplied_total{} 0
$info_lines
$idle_lines
$(network_lines sriov-a 1 8 7 1 7 1 0 0 0 0)
$tiny_in_use"

# The text format line by line and Prometheus' naming rules, the ones promtool check metrics lints
check "the exposition keeps the text format and Prometheus' naming rules" "$PY" "$NP_DIR/lint.py" "$NP_DIR/metrics.prom"
# ... and the lint finds each fault it looks for
lint_finds() {  # lint_finds FAULT EXPOSITION
        printf '%s\n' "$2" >"$NP_DIR/bad.prom"
        if "$PY" "$NP_DIR/lint.py" "$NP_DIR/bad.prom" >"$NP_DIR/lint.out" && [ ! -s "$NP_DIR/lint.out" ]; then
                not_ok "the lint finds: $1 (it found nothing)"
        elif grep -qF -- "$1" "$NP_DIR/lint.out"; then
                ok "the lint finds: $1"
        else
                not_ok "the lint finds: $1"
                sed 's/^/# /' "$NP_DIR/lint.out"
        fi
}
h='# HELP netpool_x_total X'
lint_finds "a counter's name ends in _total" $'# HELP netpool_x X\n# TYPE netpool_x counter\nnetpool_x 1'
lint_finds "only a counter's name ends in _total" $'# HELP netpool_x_total X\n# TYPE netpool_x_total gauge\nnetpool_x_total 1'
lint_finds "netpool_x_total: no HELP" $'# TYPE netpool_x_total counter\nnetpool_x_total 1'
lint_finds "netpool_x_total: no TYPE" $'# HELP netpool_x_total X\nnetpool_x_total 1'
lint_finds "TYPE of netpool_x_total after its samples" "$h"$'\nnetpool_x_total 1\n# TYPE netpool_x_total counter'
lint_finds "not snake_case" $'# HELP netpool_xCount X\n# TYPE netpool_xCount gauge\nnetpool_xCount 1'
lint_finds "label netName is not snake_case" $'# HELP netpool_x X\n# TYPE netpool_x gauge\nnetpool_x{netName="a"} 1'
lint_finds "milliseconds is not a base unit" $'# HELP netpool_x_milliseconds X\n# TYPE netpool_x_milliseconds gauge\nnetpool_x_milliseconds 1'
lint_finds "ms is an abbreviated unit" $'# HELP netpool_x_ms X\n# TYPE netpool_x_ms gauge\nnetpool_x_ms 1'
lint_finds "the name says its type" $'# HELP netpool_x_gauge X\n# TYPE netpool_x_gauge gauge\nnetpool_x_gauge 1'
lint_finds "_count is reserved" $'# HELP netpool_x_count X\n# TYPE netpool_x_count gauge\nnetpool_x_count 1'
lint_finds "label le is reserved" $'# HELP netpool_x X\n# TYPE netpool_x gauge\nnetpool_x{le="1"} 1'
lint_finds "the series netpool_x_total" "$h"$'\n# TYPE netpool_x_total counter\nnetpool_x_total 1\nnetpool_x_total 2'
lint_finds "are not together" $'# HELP netpool_a A\n# TYPE netpool_a gauge\n# HELP netpool_b B\n# TYPE netpool_b gauge\nnetpool_a{n="1"} 1\nnetpool_b 1\nnetpool_a{n="2"} 1'
lint_finds "not a sample line" $'# HELP netpool_x X\n# TYPE netpool_x gauge\nnetpool_x{n="a\\q"} 1'
lint_finds "is not a number" $'# HELP netpool_x X\n# TYPE netpool_x gauge\nnetpool_x one'

# ==== a restore that fails at Release: the device is restore-failed, one restore pending ====
np_simhost --fail $ETH0 "$P2_VF" 'set_mac EINVAL'
ctl release "$P2"
expect_eq "release of a port whose VF refuses its MAC back succeeds" "0" "$rc"
restore_failed_sriov="
$(network_lines sriov-a 1 8 7 0 7 0 0 0 1 0)"
metrics_are "a failed restore: 2 releases, 1 restore pending, 1 device restore-failed" "
netpool_port_allocations_total{} 3
netpool_port_releases_total{} 2
$failures
netpool_vf_restores_pending{} 1
netpool_port_drift_repairs_total{} 1
netpool_port_reapplied_total{} 0
$info_lines
$idle_lines
$restore_failed_sriov
$tiny_in_use"

# the retry (Rescan runs one at once) puts the VF back
np_simhost --clear-fail $ETH0 "$P2_VF"
# busctl prints nothing on success, its error otherwise
expect_eq "Rescan" "" "$(busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0 2>&1)"
for _ in $(seq 100); do
        [ "$(np_ctl metrics | grep '^netpool_vf_restores_pending ')" = "netpool_vf_restores_pending 0" ] && break
        sleep 0.1
done
free_sriov="
$(network_lines sriov-a 1 8 8 0 8 0 0 0 0 0)"
tiny_inactive="
$(network_lines tiny 0 1 0 0 0 0 0 0 0 0)"

# ==== a restore that reads back wrong (a driver that drops the MAC silently): the device is quarantined ====
for i in $(seq 0 7); do
        orig_mac[i]=$(cat "$NP_SIM/vfstate/$ETH0/vf$i/p1/mac")
done
ctl_allocate sriov-a 52:54:00:00:00:04
P3=$port
P3_VF=$(port_device vf_index "$P3")
P3_DEV=$(port_device pci_address "$P3")
np_simhost --fail $ETH0 "$P3_VF" 'set_mac IGNORE'
ctl release "$P3"
expect_eq "release of a port whose VF ignores its MAC back succeeds" "0" "$rc"
for _ in $(seq 100); do
        [ "$(np_device_state sriov-a "$P3_DEV")" = quarantined ] && break
        sleep 0.1
done
metrics_are "a quarantined device: in its network's devices, and netpool_device_quarantined with the reason" "
netpool_port_allocations_total{} 4
netpool_port_releases_total{} 3
$failures
netpool_vf_restores_pending{} 0
netpool_port_drift_repairs_total{} 1
netpool_port_reapplied_total{} 0
netpool_device_quarantined{device=$P3_DEV,reason=MAC is 52:54:00:00:00:04 after the restore, recorded ${orig_mac[P3_VF]}} 1
$info_lines
$idle_lines
$(network_lines sriov-a 1 8 7 0 7 0 0 0 0 1)
$tiny_in_use"
check "the exposition with a quarantined device keeps the text format and the naming rules" \
        "$PY" "$NP_DIR/lint.py" "$NP_DIR/metrics.prom"
# only Rescan (or a start) tries a quarantined device again: the fault gone, it restores, verifies, frees it
np_simhost --clear-fail $ETH0 "$P3_VF"
expect_eq "Rescan" "" "$(busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0 2>&1)"
for _ in $(seq 100); do
        [ "$(np_device_state sriov-a "$P3_DEV")" = free ] && break
        sleep 0.1
done
expect_eq "after the Rescan VF $P3_VF has its own MAC again" "${orig_mac[P3_VF]}" \
        "$(cat "$NP_SIM/vfstate/$ETH0/vf$P3_VF/p1/mac")"

# ==== Stop with FORCE releases tiny's port: a release too ====
ctl stop --force tiny
expect_eq "stop --force tiny" "0" "$rc"
metrics_are "after the Rescan and Stop FORCE: 4 releases, nothing pending or quarantined, tiny inactive" "
netpool_port_allocations_total{} 4
netpool_port_releases_total{} 4
$failures
netpool_vf_restores_pending{} 0
netpool_port_drift_repairs_total{} 1
netpool_port_reapplied_total{} 0
$info_lines
$idle_lines
$free_sriov
$tiny_inactive"

# ==== a new netpoold goes on counting from where the last one stopped, with the same start ====
counted="
netpool_port_allocations_total{} 4
netpool_port_releases_total{} 4
$failures
netpool_vf_restores_pending{} 0
netpool_port_drift_repairs_total{} 1
netpool_port_reapplied_total{} 0
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
        grep -qx "releases 4" "$NP_DIR/run/statistics" && break
        sleep 0.1
done
check "within a second the counters are in STATE/statistics" grep -qx "releases 4" "$NP_DIR/run/statistics"
pid=$(np_daemon_pid)
kill -9 "$pid"
check "netpoold is killed" np_wait_gone "$pid" 30
metrics_are "after kill -9: the same counters, the same start" "$counted"
# what the timer has not written yet is written at exit: SIGTERM right after a change
expect_error "one more failure, then SIGTERM at once" org.netpool1.Error.NetworkInactive \
        np_allocate_call idle.net "$PORT_XML" 0
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
netpool_port_drift_repairs_total{} 0
netpool_port_reapplied_total{} 0
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
