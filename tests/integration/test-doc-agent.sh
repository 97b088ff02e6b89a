#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An agent written from the docs alone (np-doc-agent.py: agents.md, ports.md, dbus.md, port-xml.md) against the
# real netpoold on a private bus, on the default sim host with the networks of docs/examples/: a managed
# hostdev port handed to an unprivileged VMM (vfio-uid/vfio-gid), passthrough and vepa ports whose tap fd the
# VMM writes a frame to, a hybrid port on a VLAN; then docs/examples/agent-plug.py run as agents.md says.
source "$(dirname "$0")/lib.sh"
for py in python3 /usr/bin/python3; do
        "$py" -c 'import dbus' 2>/dev/null && PY=$(command -v "$py") && break
done
[ -n "${PY:-}" ] || skip_all "no python3 with python3-dbus (import dbus)"
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
