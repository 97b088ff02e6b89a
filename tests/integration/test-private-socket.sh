#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The private socket (dbus-api.md 1.1, issue 21): STATE/private, mode 0600 root, serves the bus's objects and
# methods to root peers without the broker; no one else gets in (the socket's mode, and SO_PEERCRED should the mode
# be opened); no signals on it; an agent holding it across a restart of netpoold finds its port again on the new
# socket; the socket is gone once netpoold has stopped (SIGTERM, idle exit).
source "$(dirname "$0")/lib.sh"
getent passwd nobody >/dev/null || skip_all "no user nobody"
NP_IDLE=4       # idle exit, for its check at the end; the agent's port keeps netpoold up until then
np_setup
agents=()
trap 'kill "${agents[@]}" 2>/dev/null; np_teardown' EXIT     # an agent left waiting when a check failed

SOCK=$NP_DIR/run/private
ADDR="unix:path=$SOCK"
M=/org/netpool1
export NETPOOL_STATE_DIR=$NP_DIR/run    # netpoolctl --private finds the socket there

pbusctl() {
        busctl --address="$ADDR" "$@"
}
socket_mode() {
        stat -c '%a %U %F' "$SOCK"
}
# the port's uuid comes first in its XML, then its owner's
port_uuid_of() {
        grep -o '<uuid>[0-9a-f-]*</uuid>' | head -1 | sed 's/<[/]*uuid>//g'
}

check "define and start a hostdev network over eth0's 8 VFs (on the bus)" \
        np_define_start n "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>"
# a port on the bus keeps this netpoold up (no idle exit) until the idle exit's checks at the end
check "a port allocated on the bus" np_allocate n "$(np_port_xml mac=52:54:00:9a:00:ff)"
keeper=$(port_uuid_of <<<"$NP_PORT_XML")
pid=$(np_daemon_pid)
expect_eq "STATE/private is a socket, mode 0600, owned by root" "600 root socket" "$(socket_mode)"

# ---- a root peer is served: the same objects and methods, without the broker ----
expect_eq "busctl --address: Manager.ListNetworks" "1" \
        "$(pbusctl --json=short call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 |
                python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"][0]))')"
out=$(pbusctl call org.netpool1 "$(np_net_path n)" org.netpool1.Network Allocate st \
        "$(np_port_xml mac=52:54:00:9a:00:01)" 0 2>&1)
uuid=$(port_uuid_of <<<"$out")
check "busctl --address: Network.Allocate gives a port" test -n "$uuid"
expect_eq "the port is seen on the bus too, and Connections says so" "u 2" \
        "$(busctl --system get-property org.netpool1 "$(np_net_path n)" org.netpool1.Network Connections)"
check "busctl --address: GetDevices lists the port's VF as in-use" \
        bash -c "busctl --address='$ADDR' call org.netpool1 '$(np_net_path n)' org.netpool1.Network GetDevices t 0 |
                grep -q '\"in-use\" 1 \"$uuid\"'"
check "busctl --address: properties (Properties.Get) and the ObjectManager" bash -c "
        busctl --address='$ADDR' get-property org.netpool1 '$(np_port_path "$uuid")' org.netpool1.Port MAC |
                grep -q 52:54:00:9a:00:01 &&
        busctl --address='$ADDR' call org.netpool1 $M org.freedesktop.DBus.ObjectManager GetManagedObjects |
                grep -q '$(np_port_path "$uuid")'"
check "busctl --address: a writable property (Autostart) is set without polkit" \
        busctl --address="$ADDR" set-property org.netpool1 "$(np_net_path n)" org.netpool1.Network Autostart b true
check "busctl --address: Port.Release" \
        busctl --address="$ADDR" call org.netpool1 "$(np_port_path "$uuid")" org.netpool1.Port Release t 0
expect_eq "released: Connections 1 on the bus (the port made there)" "u 1" \
        "$(busctl --system get-property org.netpool1 "$(np_net_path n)" org.netpool1.Network Connections)"

# libdbus (dbus-python, dbus-send) sends its first call right after BEGIN, in one read with it: answered at once
NP_PY=$(for py in python3 /usr/bin/python3; do "$py" -c 'import dbus' 2>/dev/null && echo "$py" && break; done)
if [ -n "$NP_PY" ]; then
        expect_eq "a libdbus client's first call, sent with BEGIN, is answered (dbus-python, 5 s at most)" "1" \
                "$(timeout 5 "$NP_PY" -c "
import dbus
c = dbus.connection.Connection('$ADDR')
print(len(c.call_blocking('org.netpool1', '$M', 'org.netpool1.Manager', 'ListNetworks', 't', (0,), timeout=4)))
" 2>&1)"
else
        echo "# no python3 with python3-dbus: the libdbus client check is skipped"
fi
check "netpoolctl --private list" bash -c "'$NETPOOLCTL' --private list | grep -q '^n '"
check "netpoolctl --private allocate" bash -c "
        '$NETPOOLCTL' --private allocate n --owner=vm-ctl --owner-uuid=0a0a0a0a-0000-4000-8000-00000000000c \
                --mac=52:54:00:9a:00:02 >'$NP_DIR/ctl-alloc.out'"
ctl_uuid=$(grep -o -m1 '[0-9a-f]\{8\}-[0-9a-f-]\{27\}' "$NP_DIR/ctl-alloc.out")
check "netpoolctl --private ports and devices show it" bash -c "
        '$NETPOOLCTL' --private ports n | grep -q '$ctl_uuid' &&
        '$NETPOOLCTL' --private devices n | grep -q '$ctl_uuid'"
check "netpoolctl --private release" "$NETPOOLCTL" --private release "$ctl_uuid"
expect_error "netpoolctl --private monitor is refused: it needs signals, which come on the bus only" \
        "follows netpoold's signals" "$NETPOOLCTL" --private monitor
check "netpoolctl --private with no socket there says where it looked" bash -c "
        ! NETPOOL_STATE_DIR='$NP_DIR/nowhere' '$NETPOOLCTL' --private list 2>'$NP_DIR/ctl-err.out' &&
        grep -q \"private socket $NP_DIR/nowhere/private\" '$NP_DIR/ctl-err.out'"
expect_eq "all of it in the one process that owns the bus name" "$pid" "$(np_daemon_pid)"

# ---- nobody else gets in ----
chmod 0755 "$NP_DIR" "$NP_DIR/run"     # nobody can reach the socket's directory: its own mode is what refuses
check "as nobody, connecting to the 0600 socket fails (permission denied)" bash -c "
        ! setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups busctl --address='$ADDR' \
                call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 2>'$NP_DIR/nobody.out' &&
        grep -qi 'permission denied' '$NP_DIR/nobody.out'"
chmod 0666 "$SOCK"
check "with the socket chmod-ed 0666, nobody still gets no answer: netpoold refuses it by SO_PEERCRED" bash -c "
        ! setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups busctl --address='$ADDR' \
                call org.netpool1 $M org.netpool1.Manager ListNetworks t 0"
check "and says so in its log" grep -q "refused a connection (pid [0-9]*, uid $(id -u nobody)): only root" \
        "$NP_DIR/dbus.log"
check "nobody's Allocate through the opened socket allocates nothing either" bash -c "
        ! setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups busctl --address='$ADDR' \
                call org.netpool1 '$(np_net_path n)' org.netpool1.Network Allocate st \"\$(cat)\" 0" \
        <<<"$(np_port_xml mac=52:54:00:9a:00:03)"
expect_eq "no port came of it" "u 1" \
        "$(busctl --system get-property org.netpool1 "$(np_net_path n)" org.netpool1.Network Connections)"
chmod 0600 "$SOCK"
check "root is still served after the refusals" pbusctl call org.netpool1 $M org.netpool1.Manager ListNetworks t 0
expect_eq "by the same netpoold" "$pid" "$(np_daemon_pid)"

# ---- at most 64 connections ----
"$NP_PRIVATE_AGENT" crowd "$SOCK" 100 >"$NP_DIR/crowd.out" 2>&1
expect_eq "64 private connections are served, the 65th refused; one closed makes room for another" \
        "$(printf '%s\n' "served 64 connections; the next one was refused" "after closing one, another was served")" \
        "$(cat "$NP_DIR/crowd.out")"
expect_eq "the same netpoold still" "$pid" "$(np_daemon_pid)"

# ---- an agent holds the socket while netpoold restarts ----
# three connections: the first allocates; netpoold is stopped (SIGTERM), then killed (SIGKILL, leaving a stale
# socket behind); each time the agent sees the disconnect, finds no socket (or a dead one), activates netpoold
# through the bus, connects to the new socket and finds its port
"$NP_PRIVATE_AGENT" hold "$SOCK" n 3 >"$NP_DIR/agent.out" 2>&1 &
agent=$!
agents+=("$agent")
for _ in $(seq 200); do grep -q "^allocated" "$NP_DIR/agent.out" && break; sleep 0.05; done
check "the agent allocated a port over the private socket" grep -q "^allocated" "$NP_DIR/agent.out"
agent_uuid=$(sed -n 's/^allocated //p' "$NP_DIR/agent.out")
# signals while the agent is connected: a port made and released on the bus, a property set
np_allocate n "$(np_port_xml mac=52:54:00:9a:00:04)" &&
        np_release n "$(port_uuid_of <<<"$NP_PORT_XML")"
busctl --system set-property org.netpool1 "$(np_net_path n)" org.netpool1.Network Autostart b false
sleep 0.3
pid=$(np_daemon_pid)
kill -TERM "$pid"
check "netpoold stopped (SIGTERM)" np_wait_gone "$pid" 20
for _ in $(seq 400); do [ "$(grep -c "still there" "$NP_DIR/agent.out")" -ge 1 ] && break; sleep 0.05; done
check "the agent saw the disconnect, and no signal came on its private connection" \
        grep -qx "disconnected; signals seen: 0" "$NP_DIR/agent.out"
check "it activated netpoold through the bus and connected to the new socket" \
        grep -qx "connected after activating netpoold through the bus" "$NP_DIR/agent.out"
check "its port is still there" grep -qx "port $agent_uuid still there" "$NP_DIR/agent.out"
check "the socket was gone before the agent's connection closed: it never connected to a going netpoold" \
        bash -c "! grep -q 'closed before its first answer' '$NP_DIR/agent.out'"
new=$(np_daemon_pid)
check "a new netpoold" test -n "$new" -a "$new" != "$pid"

pid=$new
kill -KILL "$pid"
check "netpoold killed (SIGKILL)" np_wait_gone "$pid" 20
if wait "$agent"; then ok "the agent exited 0"; else not_ok "the agent exited non-zero"; fi
sed 's/^/# agent: /' "$NP_DIR/agent.out"
expect_eq "after the crash too: disconnect, activation, the port still there" \
        "2 2 2" "$(grep -c "^disconnected; signals seen: 0$" "$NP_DIR/agent.out") \
$(grep -c "^connected after activating" "$NP_DIR/agent.out") $(grep -c "^port $agent_uuid still there$" "$NP_DIR/agent.out")"
expect_eq "the new netpoold replaced the stale socket: mode 0600 root, and it answers" "600 root socket" \
        "$(socket_mode)"
check "and it answers" pbusctl call org.netpool1 $M org.netpool1.Manager LookupPort st "$agent_uuid" 0

# ---- a crash leaves a stale socket, which refuses; the next start replaces it ----
pid=$(np_daemon_pid)
kill -KILL "$pid"
check "netpoold killed (SIGKILL) with no agent around" np_wait_gone "$pid" 20
check "the socket is left behind, and refuses connections" bash -c "
        test -S '$SOCK' && ! busctl --address='$ADDR' call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 \
                2>'$NP_DIR/stale.out' && grep -qi 'connection refused' '$NP_DIR/stale.out'"
check "a call on the bus activates netpoold, which replaced it" bash -c "
        busctl --system call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 >/dev/null &&
        busctl --address='$ADDR' call org.netpool1 $M org.netpool1.Manager LookupPort st '$agent_uuid' 0"

# ---- idle exit: an idle private connection does not hold netpoold; the socket goes with it ----
check "the agent's port released over the private socket, the one made on the bus too" bash -c "
        busctl --address='$ADDR' call org.netpool1 '$(np_port_path "$agent_uuid")' org.netpool1.Port Release t 0 &&
        busctl --address='$ADDR' call org.netpool1 '$(np_port_path "$keeper")' org.netpool1.Port Release t 0"
pid=$(np_daemon_pid)
idle_exits=$(grep -c "idle, exiting" "$NP_DIR/dbus.log")
"$NP_PRIVATE_AGENT" idle "$SOCK" >"$NP_DIR/idle.out" 2>&1 &
idler=$!
agents+=("$idler")
check "no port left: netpoold exits for idleness though a private connection is open" np_wait_gone "$pid" 30
expect_eq "the log says why" "$((idle_exits + 1))" "$(grep -c "idle, exiting" "$NP_DIR/dbus.log")"
if wait "$idler"; then ok "the idle connection was closed"; else not_ok "the idle agent exited non-zero"; fi
expect_eq "it saw the disconnect" "$(printf '%s\n' "connected and called; idle now" \
        "disconnected; signals seen: 0")" "$(cat "$NP_DIR/idle.out")"
check "the socket is gone after the idle exit" test ! -e "$SOCK"

check "the next call on the bus activates netpoold, and the socket is back" bash -c "
        busctl --system call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 >/dev/null && test -S '$SOCK'"
pid=$(np_daemon_pid)
kill -TERM "$pid"
check "SIGTERM: netpoold exits" np_wait_gone "$pid" 20
check "the socket is gone after SIGTERM" test ! -e "$SOCK"
np_done
