#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An agent written from the docs alone (np-doc-agent.py: agents.md, ports.md, dbus.md, port-xml.md) against the
# real netpoold on a private bus, on the default sim host with the networks of docs/examples/: a managed
# hostdev port handed to an unprivileged VMM (vfio-uid/vfio-gid), passthrough and vepa ports whose tap fd the
# VMM writes a frame to, a hybrid port on a VLAN; then docs/examples/agent-plug.py run as agents.md says; then a
# lease the agent keeps while its VMM runs: its MAC held by another port, drift, a VF lost and back, the agent
# restarted (Notify), the VMM's exit (owner-pidfd).
source "$(dirname "$0")/lib.sh"
for py in python3 /usr/bin/python3; do
        "$py" -c 'import dbus, dbus.mainloop.glib, gi.repository.GLib' 2>/dev/null && PY=$(command -v "$py") && break
done
[ -n "${PY:-}" ] || skip_all "no python3 with python3-dbus and python3-gi (import dbus, gi)"
np_setup
AGENT=$NETPOOL_SOURCE_ROOT/tests/integration/np-doc-agent.py
EXAMPLES=$NETPOOL_SOURCE_ROOT/docs/examples
# the VMM runs as nobody: it must reach the group node under the test's (private) directory
VMM_UID=65534 VMM_GID=65534
chmod 0711 "$NP_DIR"
export NP_ROOT=$NP_SIM

for net in hostdev passthrough vepa pci-passthrough-hybrid; do
        check "define and start docs/examples/$net.xml" \
                sh -c "'$NETPOOLCTL' define '$EXAMPLES/$net.xml' && '$NETPOOLCTL' start \"\$(sed -n 's|.*<name>\(.*\)</name>.*|\1|p' '$EXAMPLES/$net.xml')\""
done

check "hostdev managed='yes': vfio-uid/vfio-gid, the VMM as $VMM_UID:$VMM_GID opens the group node" \
        "$PY" "$AGENT" hostdev hostdev-ens1 "$VMM_UID" "$VMM_GID"
check "passthrough: tap-fd and tap-name, the VMM writes a frame with its virtio_net_hdr" \
        "$PY" "$AGENT" macvtap passthrough-eth0 vm-pt0
check "vepa: tap-fd and tap-name, the VMM writes a frame with its virtio_net_hdr" \
        "$PY" "$AGENT" macvtap vepa-eth0 vm-vepa0
check "hybrid on VLAN 42: VFIO group and macvtap over sfc0.42" \
        "$PY" "$AGENT" hybrid hybrid-sfc0 42 "$VMM_UID" "$VMM_GID"
check "options that do not fit the mode, unknown or of the wrong type: InvalidArgument, no port" \
        "$PY" "$AGENT" refusals hostdev-ens1 passthrough-eth0

# the answer of AllocateWithOptions lost (netpoold killed after the port was made, ports.md's allocate-done):
# the port exists but its tap fd went with the answer; the agent releases it and allocates again
cat >"$NP_DIR/netpoold-crash-once" <<EOS
#!/bin/sh
rm "$NP_DIR/crash-once" 2>/dev/null && export NETPOOL_CRASH_AT=allocate-done
exec "$NETPOOLD" "\$@"
EOS
chmod +x "$NP_DIR/netpoold-crash-once"
pid=$(np_daemon_pid); kill "$pid" && np_wait_gone "$pid"
touch "$NP_DIR/crash-once"
NETPOOLD=$NP_DIR/netpoold-crash-once np_write_service
check "passthrough, the answer lost: the agent releases the port it finds and allocates again for the fd" \
        "$PY" "$AGENT" macvtap passthrough-eth0 vm-pt1
lost=$(cat "$NP_DIR/last.out")
check "netpoold was killed after the port was made" test ! -e "$NP_DIR/crash-once"
check "the agent found the port made by the call whose answer was lost" grep -q "answer lost, port .* made" <<<"$lost"

check "the hybrid's VLAN device went with its last port" test ! -e "$NP_SIM/sys/class/net/sfc0.42"

# agents.md: "agent-plug.py --network vf-direct --tap-fd prints the port, its results and its XML; -- COMMAND…
# runs a VMM with the fd ({tap-fd} in its arguments is the fd's number) and --release releases the port"
vmm='import os, sys; fd = int(sys.argv[1]); print("vmm wrote", os.write(fd, bytes(10) + b"\xff" * 6 + bytes(54)))'
check "docs/examples/agent-plug.py --tap-fd --release -- VMM {tap-fd}" \
        "$PY" "$EXAMPLES/agent-plug.py" --network passthrough-eth0 --tap-fd --release -- "$PY" -c "$vmm" '{tap-fd}'
sed 's/^/#   /' "$NP_DIR/last.out"
out=$(cat "$NP_DIR/last.out")
expect_eq "agent-plug.py printed the results: pf, tap-fd, tap-name, vf-index" \
        "$(printf 'pf: eth0\ntap-fd: fd N\ntap-name: macvtapN\nvf-index: N')" \
        "$(grep -E '^(pf|tap-fd|tap-name|vf-index): ' <<<"$out" | sed -E 's/(fd |macvtap|: )[0-9]+$/\1N/')"
check "agent-plug.py: the VMM got the fd and wrote to it" grep -qx "vmm wrote 70" <<<"$out"
check "agent-plug.py: <netpool:plug> in the port's XML" grep -q "<netpool:plug .* tap='macvtap[0-9]*'" <<<"$out"
check "agent-plug.py: released" grep -q "^port .* released" <<<"$out"

# ---- a lease kept while the VMM runs (ports.md: Health, Duplicate MACs, When the agent, the VMM or netpoold
# dies, Notify): the agent (np-doc-agent.py lease) runs beside its VMM, a `sleep` as nobody would run it, on
# agents.md's vf-hostdev network; the test plays the host (netpool-simhost) and the admin around it
LEASE=$NP_DIR/agent-state LEASE_LOG=$NP_DIR/agent.log
mkdir "$LEASE"
check "define and start vf-hostdev (agents.md)" sh -c "'$NETPOOLCTL' define - <<'EOF' && '$NETPOOLCTL' start vf-hostdev
<network>
  <name>vf-hostdev</name>
  <forward mode='hostdev' managed='yes'>
    <driver name='vfio'/>
    <pf dev='eth0'/>
  </forward>
</network>
EOF"
# wait_log PATTERN [SECONDS]: the agent logged a line matching PATTERN (grep -E), from line LOG_FROM on
LOG_FROM=1
wait_log() {
        for _ in $(seq $((${2:-10} * 20))); do
                tail -n "+$LOG_FROM" "$LEASE_LOG" | grep -qE -- "$1" && return 0
                sleep 0.05
        done
        echo "the agent did not log /$1/; its log:"; cat "$LEASE_LOG"
        return 1
}
# vf_mac: the MAC the sim's VF of the agent's port has now (vfstate of PF 0000:03:00.0, eth0)
vf_mac() {
        cat "$NP_SIM/vfstate/0000:03:00.0/vf$LEASE_VF/p1/mac"
}
lease_prop() {
        busctl --system get-property org.netpool1 "$(np_port_path "$LEASE_PORT")" org.netpool1.Port "$1" | cut -d' ' -f2-
}
# another guest's port on another network holds the MAC the agent tries first
held_mac=52:54:00:d0:c1:01 lease_mac=52:54:00:d0:c1:02
check "a port of another guest holds $held_mac (on passthrough-eth0)" np_call "$(np_net_path passthrough-eth0)" \
        Network Allocate st "<networkport><owner><name>other-vm</name><uuid>0c9a4b1e-7d2f-4e61-9b3a-5f0e8d7c6b5a</uuid></owner><mac address='$held_mac'/></networkport>" 0
held_port=$(np_call /org/netpool1 Manager ListPorts t 0 | grep -o '"[0-9a-f-]\{36\}" "passthrough-eth0"' | cut -d'"' -f2)

sleep 600 & VMM_PID=$!
start_agent() {
        "$PY" "$AGENT" "$@" >>"$LEASE_LOG" 2>&1 & AGENT_PID=$!
}
trap 'kill $VMM_PID ${AGENT_PID:-} 2>/dev/null; np_teardown' EXIT
mkdir "$NP_DIR/agent-none"
"$PY" "$AGENT" lease "$NP_DIR/agent-none" vf-hostdev "$VMM_PID" "$VMM_UID" "$VMM_GID" "$held_mac" \
        >"$NP_DIR/agent-none.log" 2>&1
expect_eq "only a held MAC to give: the agent fails" 1 "$?"
check "only a held MAC to give: the agent says which port holds it" grep -qx "doc agent: no MAC to give the guest on \
vf-hostdev: every one is held by another port: $held_mac (port $held_port of network 'passthrough-eth0')" \
        "$NP_DIR/agent-none.log"
expect_eq "only a held MAC to give: no port made" 1 "$(np_call /org/netpool1 Manager ListPorts t 0 | cut -d' ' -f2)"
start_agent lease "$LEASE" vf-hostdev "$VMM_PID" "$VMM_UID" "$VMM_GID" "$held_mac" "$lease_mac"
check "the agent leased a port for VMM $VMM_PID" wait_log "leased port .* for VMM $VMM_PID$"
LEASE_PORT=$(sed -n 's/^doc agent: leased port \([0-9a-f-]*\) .*/\1/p' "$LEASE_LOG")
LEASE_VF=$(lease_prop VFIndex)
check "$held_mac held: the agent named the holder and took its next MAC" \
        grep -qx "doc agent: MAC $held_mac is held by port $held_port of network 'passthrough-eth0': taking the next MAC" "$LEASE_LOG"
expect_eq "the port's MAC is the second one" "\"$lease_mac\"" "$(lease_prop MAC)"
expect_eq "the port's OwnerPID is the VMM's" "$VMM_PID" "$(lease_prop OwnerPID)"
check "the agent keeps the port's record" test -s "$LEASE/$LEASE_PORT.json"

# drift: the VF's MAC changed behind netpool (the sim's vfstate, as `ip link set eth0 vf N mac …`)
echo 02:00:00:00:00:99 >"$NP_SIM/vfstate/0000:03:00.0/vf$LEASE_VF/p1/mac"
check "drift: the agent saw Health ok -> drifted" wait_log "port $LEASE_PORT: Health ok -> drifted"
check "drift: the agent saw Health drifted -> ok" wait_log "port $LEASE_PORT: Health drifted -> ok"
expect_eq "drift: the VF has the port's MAC again" "$lease_mac" "$(vf_mac)"

# the VF vanishes (sriov_numvfs 0) and comes back: netpoold gives it the port's settings and vfio-pci again, the
# agent re-attaches it to the VMM (which opens the group node as $VMM_UID:$VMM_GID)
check "lost: sriov_numvfs of eth0 to 0" "$NETPOOL_SIMHOST" -q "$NP_SIM" --set-numvfs 0000:03:00.0 0
check "lost: the agent saw Health ok -> lost" wait_log "port $LEASE_PORT: Health ok -> lost"
check "lost: sriov_numvfs of eth0 back to 8" "$NETPOOL_SIMHOST" -q "$NP_SIM" --set-numvfs 0000:03:00.0 8
check "back: the agent saw Health lost -> ok" wait_log "port $LEASE_PORT: Health lost -> ok"
check "back: the agent re-attached the device to the VMM" wait_log "port $LEASE_PORT: re-attached 0000:03:02.$LEASE_VF to the VMM"
sed -n 's/^doc agent: \(.*re-attached.*\)/# \1/p' "$LEASE_LOG"
expect_eq "back: the VF has the port's MAC" "$lease_mac" "$(vf_mac)"
expect_eq "back: the VF is on vfio-pci" vfio-pci \
        "$(basename "$(readlink "$NP_SIM/sys/bus/pci/devices/0000:03:02.$LEASE_VF/driver")")"

# the agent dies and starts again: it Notifies the port from its record, reads Health, follows it again
kill -9 "$AGENT_PID" && wait "$AGENT_PID" 2>/dev/null
start_agent resume "$LEASE"
check "after its restart the agent notified its port: Health ok" wait_log "notified port $LEASE_PORT on vf-hostdev: Health ok"
expect_eq "Notify kept the port's OwnerPID" "$VMM_PID" "$(lease_prop OwnerPID)"
LOG_FROM=$(grep -n "notified port $LEASE_PORT" "$LEASE_LOG" | cut -d: -f1)
echo 02:00:00:00:00:98 >"$NP_SIM/vfstate/0000:03:00.0/vf$LEASE_VF/p1/mac"
check "the restarted agent follows Health: ok -> drifted" wait_log "port $LEASE_PORT: Health ok -> drifted"
check "the restarted agent follows Health: drifted -> ok" wait_log "port $LEASE_PORT: Health drifted -> ok"
expect_eq "the VF has the port's MAC again" "$lease_mac" "$(vf_mac)"

# the VMM exits: netpoold releases the port (owner-pidfd); the agent sees it go and ends
kill "$VMM_PID" && wait "$VMM_PID" 2>/dev/null
check "the VMM exited: the agent saw its port released" wait_log "port $LEASE_PORT: released by netpoold"
check "the agent ended with no port left" wait "$AGENT_PID"
expect_error "the port is gone" org.netpool1.Error.NoSuchPort \
        np_send /org/netpool1 Manager.LookupPort string:"$LEASE_PORT" uint64:0
expect_eq "its VF is free again, with its original MAC" "free 00:00:00:00:00:00" \
        "$(busctl --system --json=short call org.netpool1 "$(np_net_path vf-hostdev)" org.netpool1.Network GetDevices t 0 |
           "$PY" -c 'import json, sys; print(*(d[5] for d in json.load(sys.stdin)["data"][0] if d[0] == sys.argv[1]))' \
                "0000:03:02.$LEASE_VF") $(vf_mac)"
check "the agent's record went with the port" test ! -e "$LEASE/$LEASE_PORT.json"
sed 's/^/#   /' "$LEASE_LOG"
check "the other guest's port is released" np_call "$(np_net_path passthrough-eth0)" Network Release st "$held_port" 0

# a VMM that runs for longer than netpoold's idle time (30 s by default, 1 s here): netpoold does not exit while a
# port exists (dbus-api.md 1.1, "Lifetime"), so the same netpoold answers the release
pid=$(np_daemon_pid); kill "$pid" && np_wait_gone "$pid"
NP_IDLE=1 np_write_service
vmm='sleep 2.5; busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s org.netpool1'
check "agent-plug.py --release after a VMM that ran longer than netpoold's idle time" \
        "$PY" "$EXAMPLES/agent-plug.py" --network passthrough-eth0 --tap-fd --release -- sh -c "$vmm"
out=$(cat "$NP_DIR/last.out")
check "agent-plug.py: netpoold was still there when the VMM ended (a port held)" grep -qx "b true" <<<"$out"
check "agent-plug.py: released" grep -q "^port .* released" <<<"$out"
expect_eq "no port left on any network" "" "$(np_call /org/netpool1 Manager ListPorts t 0 | sed 's/^a(sssssso) 0$//')"

np_done
