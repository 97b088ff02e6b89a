#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netpoolctl monitor against the real daemon on the default sim host: text and --json, all networks
# and one (by name and by UUID), through define, start, create, ports, hot-plug (VFs vanishing and
# appearing, a device unavailable, lost and back, its driver and netdevs, a NUMA node), a port's health,
# a failed restore and the retry, a daemon restart, stop and undefine, devices of no network; exit on
# SIGINT/SIGTERM (0) and when the bus goes away (1). Everything comes from signals (Device objects).
source "$(dirname "$0")/lib.sh"
np_setup

A_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d11
OWNER_UUID=d54df46f-1ab5-4a22-8618-4560ef5fac2c
PF_BDF=$(basename "$(readlink -f "$NP_SIM/sys/class/net/eth0/device")")
SFC_BDF=$(basename "$(readlink -f "$NP_SIM/sys/class/net/sfc0/device")")
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'

np_fixture sriov-a "$A_UUID"
np_fixture uplink

# --- the monitors: every network as text and as JSON; sriov-a by name (text) and by UUID (JSON)
declare -A MON_PID
MONITORS=(all json a uuid)

# start_monitor NAME ARGS...: netpoolctl ARGS in the background, output in NAME.out and NAME.err
start_monitor() {
        local name=$1
        shift
        "$NETPOOLCTL" "$@" >"$NP_DIR/$name.out" 2>"$NP_DIR/$name.err" &
        MON_PID[$name]=$!
}

# bus_call ARGS...: a call to the bus driver
bus_call() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus "$@"
}

# match_rules PID: how many match rules the bus connection of process PID has (dbus-daemon's statistics)
match_rules() {
        local name
        for name in $(bus_call org.freedesktop.DBus ListNames | grep -o '":[0-9.]*"' | tr -d '"'); do
                [ "$(bus_call org.freedesktop.DBus GetConnectionUnixProcessID s "$name" 2>/dev/null |
                     cut -d' ' -f2)" = "$1" ] || continue
                bus_call org.freedesktop.DBus.Debug.Stats GetConnectionStats s "$name" 2>/dev/null |
                        grep -o '"MatchRules" u [0-9]*' | cut -d' ' -f3
                return
        done
        echo 0
}

# wait_subscribed PID: until the monitor's four signal matches are on the bus; its snapshot request
# goes out right after them, ahead of anything this test asks the daemon next
wait_subscribed() {
        if ! bus_call org.freedesktop.DBus.Debug.Stats GetStats >/dev/null 2>&1; then
                sleep 1         # a dbus-daemon built without statistics: give it time
                return 0
        fi
        for _ in $(seq 200); do
                [ "$(match_rules "$1")" -ge 4 ] && return 0
                sleep 0.05
        done
        return 1
}

# What each monitor should print, without the times; JSON events as "EVENT NETWORK KEY=VALUE..."
EXP_ALL=()
EXP_JSON=()
EXP_A=()
EXP_UUID=()

# expect NETWORK TEXT JSON: one event, for every monitor that shows NETWORK
expect() {
        EXP_ALL+=("$2")
        EXP_JSON+=("$3")
        if [ "$1" = sriov-a ]; then
                EXP_A+=("$2")
                EXP_UUID+=("$3")
        fi
}

# await_monitors: wait until every monitor has printed what is expected so far (hot-plug rescans
# come a little later than the change)
await_monitors() {
        local name want
        for name in "${MONITORS[@]}"; do
                case $name in
                all) want=${#EXP_ALL[@]} ;;
                json) want=${#EXP_JSON[@]} ;;
                a) want=${#EXP_A[@]} ;;
                uuid) want=${#EXP_UUID[@]} ;;
                esac
                for _ in $(seq 200); do
                        [ "$(wc -l <"$NP_DIR/$name.out")" -ge "$want" ] && break
                        sleep 0.05
                done
        done
}

np_ctl list >/dev/null          # the daemon up, so the monitors' snapshot is quick

start_monitor all monitor
start_monitor json --json monitor
start_monitor a monitor sriov-a
start_monitor uuid monitor --json "$A_UUID"
for name in "${MONITORS[@]}"; do
        check "monitor ($name) subscribed" wait_subscribed "${MON_PID[$name]}"
done

# --- networks
ctl define "$NP_DIR/sriov-a.xml"
expect sriov-a "network sriov-a defined (hostdev, persistent)" \
        "network-defined sriov-a uuid=\"$A_UUID\" mode=\"hostdev\" persistent=true"
ctl start sriov-a
expect sriov-a "network sriov-a started (capacity 8, available 8)" \
        "network-started sriov-a capacity=8 available=8"
ctl create "$NP_DIR/uplink.xml"
UPLINK_UUID=$(np_get_prop uplink UUID | tr -d '"')
expect uplink "network uplink defined (vepa, transient)" \
        "network-defined uplink uuid=\"$UPLINK_UUID\" mode=\"vepa\" persistent=false"
expect uplink "network uplink started (capacity 1, available 1)" \
        "network-started uplink capacity=1 available=1"

# expect_sfc_driver NETWORK OLD NEW: sfc0's PF bound to NEW (vfio-pci: its netdev gone) after OLD
expect_sfc_driver() {
        local was=sfc0 now=- was_json='["sfc0"]' now_json='[]'
        if [ "$3" != vfio-pci ]; then
                was=- now=sfc0 was_json='[]' now_json='["sfc0"]'
        fi
        expect "$1" "device $SFC_BDF on $1 changed: driver $2 -> $3, netdevs $was -> $now" \
                "device-changed $1 device=\"$SFC_BDF\" driver=\"$3\" netdevs=$now_json previous={\"driver\":\"$2\",\"netdevs\":$was_json}"
}

# --- sfc0 taken by a guest outside netpool, and given back (its Device object: uplink's pool device)
# (a network's PropertiesChanged is sent at the end of the loop turn, coalesced: after the device's signals of
# the same turn, here and below)
np_simhost --assign "$SFC_BDF"
expect uplink "device $SFC_BDF on uplink became unavailable (bound to vfio-pci)" \
        "device-state uplink device=\"$SFC_BDF\" state=\"unavailable\" previous_state=\"free\" holder=\"bound to vfio-pci\""
expect_sfc_driver uplink sfc vfio-pci
expect uplink "network uplink changed: available 1 -> 0" \
        'network-changed uplink available=0 previous={"available":1}'
await_monitors
np_simhost --release "$SFC_BDF"
expect uplink "device $SFC_BDF on uplink is available again" \
        "device-state uplink device=\"$SFC_BDF\" state=\"free\" previous_state=\"unavailable\""
expect_sfc_driver uplink vfio-pci sfc
expect uplink "network uplink changed: available 0 -> 1" \
        'network-changed uplink available=1 previous={"available":0}'
await_monitors

# --- ports (a managed hostdev port moves its VF to vfio-pci: the VF's driver and netdevs change)
ctl devices --json sriov-a
VF_NETDEVS=$out
ctl allocate --json --owner vm1 --owner-uuid "$OWNER_UUID" sriov-a
P1=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["uuid"])' "$out")
D1=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["device"])' "$out")
M1=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["mac"])' "$out")
N1=$(python3 -c 'import json, sys
print([d["netdev"] for d in json.loads(sys.argv[1]) if d["id"] == sys.argv[2]][0])' "$VF_NETDEVS" "$D1")
expect sriov-a "device $D1 on sriov-a changed: driver iavf -> vfio-pci, netdevs $N1 -> -" \
        "device-changed sriov-a device=\"$D1\" driver=\"vfio-pci\" netdevs=[] previous={\"driver\":\"iavf\",\"netdevs\":[\"$N1\"]}"
expect sriov-a "port $P1 allocated on sriov-a ($D1, vm1)" \
        "port-allocated sriov-a port=\"$P1\" device=\"$D1\" owner=\"vm1\" mac=\"$M1\""
expect sriov-a "network sriov-a changed: connections 0 -> 1, available 8 -> 7" \
        'network-changed sriov-a connections=1 available=7 previous={"connections":0,"available":8}'
ctl allocate --json --owner vm2 uplink
P2=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["uuid"])' "$out")
M2=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["mac"])' "$out")
expect uplink "port $P2 allocated on uplink (sfc0, vm2)" \
        "port-allocated uplink port=\"$P2\" device=\"sfc0\" owner=\"vm2\" mac=\"$M2\""
expect uplink "network uplink changed: connections 0 -> 1" \
        'network-changed uplink connections=1 previous={"connections":0}'

# --- sfc0 taken away while a port holds it, and back: the port's Health and the device's State
np_simhost --assign "$SFC_BDF"
expect uplink "port $P2 on uplink changed: health ok -> lost" \
        "port-changed uplink port=\"$P2\" health=\"lost\" previous={\"health\":\"ok\"}"
expect uplink "device $SFC_BDF on uplink was lost" \
        "device-state uplink device=\"$SFC_BDF\" state=\"lost\" previous_state=\"in-use\""
expect_sfc_driver uplink sfc vfio-pci
expect uplink "network uplink changed: available 1 -> 0" \
        'network-changed uplink available=0 previous={"available":1}'
await_monitors
np_simhost --release "$SFC_BDF"
expect uplink "port $P2 on uplink changed: health lost -> ok" \
        "port-changed uplink port=\"$P2\" health=\"ok\" previous={\"health\":\"lost\"}"
expect uplink "device $SFC_BDF on uplink is in use again" \
        "device-state uplink device=\"$SFC_BDF\" state=\"in-use\" previous_state=\"lost\""
expect_sfc_driver uplink vfio-pci sfc
expect uplink "network uplink changed: available 0 -> 1" \
        'network-changed uplink available=1 previous={"available":0}'
await_monitors

# --- eth0 resized: VFs 6 and 7 vanish and come back (the port is on VF 0)
np_simhost --set-numvfs "$PF_BDF" 6
for vf in 0000:03:02.6 0000:03:02.7; do
        expect sriov-a "device $vf on sriov-a vanished" "device-vanished sriov-a device=\"$vf\""
done
expect sriov-a "network sriov-a changed: capacity 8 -> 6, available 7 -> 5" \
        'network-changed sriov-a capacity=6 available=5 previous={"capacity":8,"available":7}'
await_monitors
np_simhost --set-numvfs "$PF_BDF" 8
for vf in 0000:03:02.6 0000:03:02.7; do
        expect sriov-a "device $vf on sriov-a appeared" \
                "device-appeared sriov-a device=\"$vf\" state=\"free\""
done
expect sriov-a "network sriov-a changed: capacity 6 -> 8, available 5 -> 7" \
        'network-changed sriov-a capacity=8 available=7 previous={"capacity":6,"available":5}'
await_monitors

# --- a VF's NUMA node as a rescan reads it
np_simhost --numa-node 0000:03:02.5 1
ctl rescan
expect sriov-a "device 0000:03:02.5 on sriov-a changed: numa_node 0 -> 1" \
        'device-changed sriov-a device="0000:03:02.5" numa_node=1 previous={"numa_node":0}'
await_monitors

# --- netpoold restarts: its state comes back as it was, so nothing to report; the monitors follow it
pid=$(np_daemon_pid)
kill "$pid"
check "netpoold stopped" np_wait_gone "$pid"
ctl autostart sriov-a            # starts it again
expect sriov-a "network sriov-a changed: autostart no -> yes" \
        'network-changed sriov-a autostart=true previous={"autostart":false}'

# --- a forced stop of a transient network: its port goes, then the network
ctl stop --force uplink
expect uplink "port $P2 released on uplink (sfc0, vm2)" \
        "port-released uplink port=\"$P2\" device=\"sfc0\" owner=\"vm2\" mac=\"$M2\""
expect uplink "network uplink changed: connections 1 -> 0" \
        'network-changed uplink connections=0 previous={"connections":1}'
expect uplink "network uplink stopped" "network-stopped uplink"
expect uplink "network uplink removed" "network-removed uplink"
await_monitors

# --- devices of no network: sfc0's VF 3 goes and comes back (only monitors of every network show it)
SFC_VF3=0000:07:02.3
np_simhost --set-numvfs "$SFC_BDF" 3
EXP_ALL+=("device $SFC_VF3 vanished")
EXP_JSON+=("device-vanished None device=\"$SFC_VF3\"")
await_monitors
np_simhost --set-numvfs "$SFC_BDF" 4
EXP_ALL+=("device $SFC_VF3 appeared")
EXP_JSON+=("device-appeared None device=\"$SFC_VF3\" state=\"free\"")
await_monitors

# --- a release whose restore fails leaves the VF restore-failed
vf_index=
for link in "$NP_SIM/sys/bus/pci/devices/$PF_BDF"/virtfn*; do
        [ "$(basename "$(readlink "$link")")" = "$D1" ] && vf_index=${link##*virtfn}
done
np_simhost --fail "$PF_BDF" "$vf_index" "set_mac EINVAL" --fail "$PF_BDF" "$vf_index" "set_mac_zero EINVAL"
ctl release "$P1"
expect sriov-a "device $D1 on sriov-a changed: driver vfio-pci -> iavf, netdevs - -> $N1" \
        "device-changed sriov-a device=\"$D1\" driver=\"iavf\" netdevs=[\"$N1\"] previous={\"driver\":\"vfio-pci\",\"netdevs\":[]}"
expect sriov-a "port $P1 released on sriov-a ($D1, vm1)" \
        "port-released sriov-a port=\"$P1\" device=\"$D1\" owner=\"vm1\" mac=\"$M1\""
expect sriov-a "device $D1 on sriov-a could not be restored" \
        "device-state sriov-a device=\"$D1\" state=\"restore-failed\" previous_state=\"free\""
expect sriov-a "network sriov-a changed: connections 1 -> 0" \
        'network-changed sriov-a connections=0 previous={"connections":1}'
await_monitors
# the retry (a rescan retries at once) puts the original back
np_simhost --clear-fail "$PF_BDF" "$vf_index"
ctl rescan
expect sriov-a "device $D1 on sriov-a was restored" \
        "device-state sriov-a device=\"$D1\" state=\"free\" previous_state=\"restore-failed\""
expect sriov-a "network sriov-a changed: available 7 -> 8" \
        'network-changed sriov-a available=8 previous={"available":7}'
await_monitors

ctl stop sriov-a
expect sriov-a "network sriov-a stopped" "network-stopped sriov-a"
ctl undefine sriov-a
expect sriov-a "network sriov-a removed" "network-removed sriov-a"
await_monitors

# --- SIGINT and SIGTERM end a monitor with status 0 and nothing on stderr
kill -INT "${MON_PID[all]}" "${MON_PID[a]}"
kill -TERM "${MON_PID[json]}" "${MON_PID[uuid]}"
for name in "${MONITORS[@]}"; do
        rc=0
        wait "${MON_PID[$name]}" || rc=$?
        expect_eq "monitor ($name) exits with 0" "0|" "$rc|$(<"$NP_DIR/$name.err")"
done

# text_events NAME: the lines without their times; a line whose time is malformed shows as BAD-TIME
text_events() {
        local stamp text
        while read -r stamp text; do
                [[ $stamp =~ $TIME_RE ]] || text="BAD-TIME $stamp $text"
                printf '%s\n' "$text"
        done <"$NP_DIR/$1.out"
}

# json_events NAME: each object as "EVENT NETWORK KEY=VALUE..." after checking that it is one line
# starting with time, event and network
json_events() {
        python3 - "$NP_DIR/$1.out" "$TIME_RE" <<'EOP'
import json, re, sys
for line in open(sys.argv[1]):
    obj = json.loads(line)
    keys = list(obj)
    assert keys[:3] == ["time", "event", "network"], keys
    assert re.match(sys.argv[2], obj.pop("time")), line
    event, network = obj.pop("event"), obj.pop("network")
    print(" ".join([event, str(network)] +
                   [k + "=" + json.dumps(v, separators=(",", ":")) for k, v in obj.items()]))
EOP
}

# times_ordered NAME: the times never go back
times_ordered() {
        if [ "$1" = all ] || [ "$1" = a ]; then
                cut -d' ' -f1 "$NP_DIR/$1.out" | LC_ALL=C sort -c
        else
                python3 -c 'import json, sys; t = [json.loads(l)["time"] for l in open(sys.argv[1])]
assert t == sorted(t)' "$NP_DIR/$1.out"
        fi
}

expect_eq "monitor: every network's events, in order" \
        "$(printf '%s\n' "${EXP_ALL[@]}")" "$(text_events all)"
expect_eq "monitor --json: the same as JSON Lines" \
        "$(printf '%s\n' "${EXP_JSON[@]}")" "$(json_events json)"
expect_eq "monitor sriov-a: only sriov-a's events" \
        "$(printf '%s\n' "${EXP_A[@]}")" "$(text_events a)"
expect_eq "monitor --json UUID: sriov-a's events" \
        "$(printf '%s\n' "${EXP_UUID[@]}")" "$(json_events uuid)"
for name in "${MONITORS[@]}"; do
        check "monitor ($name): times in order" times_ordered "$name"
done

# --- the bus goes away: a message and status 1
start_monitor bye monitor
check "monitor (bye) subscribed" wait_subscribed "${MON_PID[bye]}"
kill "$NP_BUS_PID"
rc=0
wait "${MON_PID[bye]}" || rc=$?
expect_eq "monitor exits with 1 when the bus goes away, saying why" \
        "1|netpoolctl: lost the connection to the system bus" "$rc|$(<"$NP_DIR/bye.err")"
expect_eq "monitor printed nothing before" "" "$(<"$NP_DIR/bye.out")"

np_done
