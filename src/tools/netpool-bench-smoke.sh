#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netpool-bench smoke test (TAP): N=64 only, a few pairs, no libvirt; the tool runs, prints its table, and its
# JSON line parses with every figure in place. Usage: netpool-bench-smoke.sh PATH-TO-netpool-bench
set -u

bench=$1
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip_all "netpool-bench runs netpoold as root (uid 0 needs no polkit)"
command -v dbus-daemon >/dev/null || skip_all "no dbus-daemon"
command -v python3 >/dev/null || skip_all "no python3 to parse the JSON"

dir=$(mktemp -d "${TMPDIR:-/tmp}/netpool-bench-smoke.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$bench" --n 64 --pairs 20 >"$dir/out" 2>"$dir/err"
rc=$?
[ $rc -eq 77 ] && skip_all "netpool-bench cannot run here: $(tail -1 "$dir/err")"
if [ $rc -eq 0 ]; then
        ok "netpool-bench --n 64 --pairs 20 exits 0"
else
        not_ok "netpool-bench --n 64 --pairs 20 exits 0 (exit $rc)"
        sed 's/^/# /' "$dir/err"
fi
if grep -q "pairs/s, 16 clients" "$dir/out" && grep -q "N=64" "$dir/out"; then
        ok "it prints the table"
else
        not_ok "it prints the table"
        sed 's/^/# /' "$dir/out"
fi

# every figure the issue names, numbers where they must be, the libvirt ones null without --vs-libvirt
check_json() {
        python3 - "$1" <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
assert len(lines) == 1, f"{len(lines)} JSON lines, expected 1"
d = json.loads(lines[0])
assert d["n"] == 64, d["n"]
for k in ("ping_p50_us", "alloc_p50_us", "release_p50_us", "pair_p50_us", "start_ready_ms", "net_start_ms",
          "getxml_p50_ms", "rss_peak_kib", "pair_over_2ping", "pair_vs_n64"):
        assert isinstance(d[k], (int, float)) and d[k] > 0, f"{k} = {d[k]!r}"
assert sorted(d["pairs_per_s"]) == ["1", "16", "4"], d["pairs_per_s"]
assert all(v > 0 for v in d["pairs_per_s"].values()), d["pairs_per_s"]
assert d["libvirt_pairs_per_s"] is None and d["ratio_vs_libvirt"] is None
assert d["ports_held"] == 32, d["ports_held"]
assert d["errors"] == 0, d["errors"]
# CPU per pair of every process of every window (10 ms ticks: a short window may count 0); libvirtd not in these
cpu = d["cpu_us_per_pair"]
assert sorted(cpu) == ["1", "16", "4"], cpu
for level in cpu.values():
        assert sorted(level) == ["clients", "dbus-daemon", "libvirtd", "netpoold"], level
        assert level["libvirtd"] is None, level
        for k in ("netpoold", "dbus-daemon", "clients"):
                assert isinstance(level[k], (int, float)) and level[k] >= 0, level
assert any(level["netpoold"] > 0 for level in cpu.values()), cpu
assert d["vf_settings_checked"] is True, d["vf_settings_checked"]
assert d["profile"] is None and d["private"] is None and d["netpoold_cpu_vs_libvirtd"] is None
PY
}
if out=$(check_json "$dir/out" 2>&1); then
        ok "its JSON line parses and holds every figure"
else
        not_ok "its JSON line parses and holds every figure"
        echo "$out" | sed 's/^/# /'
        grep '^{' "$dir/out" | sed 's/^/# /'
fi

"$bench" --n 64 --pairs 5 --json-only >"$dir/json" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l <"$dir/json")" -eq 1 ] && check_json "$dir/json" >/dev/null 2>&1; then
        ok "--json-only prints one JSON line and nothing else"
else
        not_ok "--json-only prints one JSON line and nothing else (exit $rc)"
        sed 's/^/# /' "$dir/json" "$dir/err"
fi

# --profile: strace -c counts netpoold's syscalls over a window of its own, per pair, the most frequent first
if command -v strace >/dev/null; then
        "$bench" --n 64 --pairs 20 --profile --trace --json-only >"$dir/prof" 2>"$dir/err"
        rc=$?
        # --trace: every syscall of 3 pairs, in a file of the kept run directory named on stderr
        trace=$(sed -n 's/^netpool-bench: N=64: every syscall of 3 pairs over the bus: //p' "$dir/err")
        kept=$(sed -n 's/^netpool-bench: kept //p' "$dir/err")
        if [ -n "$trace" ] && [ -s "$trace" ] && grep -q 'openat(' "$trace" && grep -q 'sendmsg(' "$trace" &&
           [ "$(grep -c 'recvmsg(' "$trace")" -ge 6 ]; then
                ok "--trace: every syscall of netpoold in 3 pairs, written down"
        else
                not_ok "--trace: every syscall of netpoold in 3 pairs (file '$trace')"
                sed 's/^/# /' "$dir/err"
        fi
        case "$kept" in /dev/shm/netpool-bench-*|/tmp/netpool-bench-*|*/netpool-bench-n64.*) rm -rf "$kept" ;; esac
        if [ $rc -eq 0 ] && python3 - "$dir/prof" <<'PY' 2>"$dir/why"
import json, sys
d = json.loads(open(sys.argv[1]).readline())
p = d["profile"]
assert p["pairs"] == 20, p
assert p["syscalls_per_pair"] > 10 and 0 <= p["errors_per_pair"] <= p["syscalls_per_pair"], p
top = p["top"]
assert 3 <= len(top) <= 10, top
assert all(isinstance(t["syscall"], str) and t["per_pair"] > 0 for t in top), top
assert [t["per_pair"] for t in top] == sorted((t["per_pair"] for t in top), reverse=True), top
assert sum(t["per_pair"] for t in top) <= p["syscalls_per_pair"] + 0.01, p
assert any(t["syscall"] in ("openat", "read", "sendmsg", "recvmsg") for t in top), top
PY
        then
                ok "--profile: syscalls per pair of netpoold, and the most frequent ones"
        else
                not_ok "--profile: syscalls per pair of netpoold (exit $rc)"
                sed 's/^/# /' "$dir/prof" "$dir/err" "$dir/why"
        fi
else
        ok "# SKIP --profile: no strace"
fi

# --sim-floor: the sim files of a pair in a bare loop, written atomically and in place; its host is removed
"$bench" --n 64 --pairs 5 --sim-floor --json-only >"$dir/floor" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{\"sim_floor")]
assert [l["sim_floor"]["writes"] for l in lines] == ["atomic", "in_place"], lines
a, i = lines[0]["sim_floor"], lines[1]["sim_floor"]
assert a["pairs"] == 5 and i["pairs"] == 5, lines
assert 100 < i["syscalls_per_pair"] < a["syscalls_per_pair"] < 200, lines
assert a["cpu_us_per_pair"] > 0 and i["cpu_us_per_pair"] > 0, lines
' "$dir/floor" 2>"$dir/why" && ! ls -d /dev/shm/netpool-bench-floor* >/dev/null 2>&1; then
        ok "--sim-floor: a pair's sim files timed alone, atomic and in place"
else
        not_ok "--sim-floor (exit $rc)"
        sed 's/^/# /' "$dir/floor" "$dir/err" "$dir/why"
fi

# --transport private: figures of its own where netpoold serves STATE/private; else one clear error naming it
"$bench" --n 64 --pairs 5 --transport private --json-only >"$dir/priv" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
assert d["pairs_per_s"] is None and d["cpu_us_per_pair"] is None
assert all(v > 0 for v in d["private"]["pairs_per_s"].values()), d["private"]
assert all(v["dbus-daemon"] is not None for v in d["private"]["cpu_us_per_pair"].values()), d["private"]
' "$dir/priv" 2>"$dir/why"; then
        ok "--transport private: pairs over netpoold's private socket"
elif [ $rc -eq 1 ] && grep -q "cannot connect to netpoold's private socket .*/run/private" "$dir/err"; then
        ok "--transport private: a clear error where netpoold has no private socket"
else
        not_ok "--transport private (exit $rc)"
        sed 's/^/# /' "$dir/priv" "$dir/err" "$dir/why"
fi

"$bench" --n 64 --transport bus,peer >"$dir/out" 2>"$dir/err"
if [ $? -eq 2 ] && grep -q "'peer' is neither bus nor private" "$dir/err"; then
        ok "--transport with an unknown transport is refused as a usage error"
else
        not_ok "--transport with an unknown transport is refused as a usage error"
        sed 's/^/# /' "$dir/err"
fi

# --devices: 2 PFs of 128 VFs, one numvfs round; every figure there, the Device objects counted (no timing asserts)
"$bench" --devices --n 256 --rounds 1 --json-only >"$dir/dev" 2>"$dir/err"
rc=$?
if [ $rc -eq 0 ] && python3 - "$dir/dev" <<'PY' 2>"$dir/why"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, f"{len(lines)} lines, expected one JSON line"
d = json.loads(lines[0])
assert d["mode"] == "devices" and d["n"] == 256 and d["pfs"] == 2, d
assert d["device_objects"] == 258, d["device_objects"]
for k in ("gmo_p50_ms", "gmo_max_ms", "gmo_bytes", "numvfs_removed_p50_ms", "numvfs_added_p50_ms",
          "generator_p50_ms", "rss_started_kib", "rss_peak_kib"):
        assert isinstance(d[k], (int, float)) and d[k] > 0, f"{k} = {d[k]!r}"
assert d["numvfs_changes"] == 2, d["numvfs_changes"]
assert sorted(d["gmo_cpu_ms"]) == ["client", "dbus_daemon", "netpoold"], d["gmo_cpu_ms"]
assert sorted(d["numvfs_cpu_ms"]) == ["dbus_daemon", "netpoold"], d["numvfs_cpu_ms"]
assert d["errors"] == 0
PY
then
        ok "--devices --n 256: one JSON line with GetManagedObjects, numvfs and RSS figures, 258 Device objects"
else
        not_ok "--devices --n 256: one JSON line with GetManagedObjects, numvfs and RSS figures (exit $rc)"
        sed 's/^/# /' "$dir/dev" "$dir/err" "$dir/why"
fi

"$bench" --n 200 >"$dir/out" 2>"$dir/err"
if [ $? -eq 2 ] && grep -q "multiple of 128" "$dir/err"; then
        ok "--n 200 (not a multiple of 128) is refused as a usage error"
else
        not_ok "--n 200 (not a multiple of 128) is refused as a usage error"
        sed 's/^/# /' "$dir/err"
fi

echo "1..$n"
[ $failed -eq 0 ]
