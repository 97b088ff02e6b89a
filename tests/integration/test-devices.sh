#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Device objects (issue 20, dbus-api.md 1.1 "Device objects"): every SR-IOV PF and VF of the host and every pool
# device is an org.netpool1.Device announced through the ObjectManager; its properties follow ports, claims and
# hot-plug with PropertiesChanged; GetSettings reads the VF's configuration from the hardware.
source "$(dirname "$0")/lib.sh"
np_setup

DEV=/org/netpool1/device
dev_path() {    # dev_path ID
        np_path_encode "$DEV" "$1"
}
dev_prop() {    # dev_prop ID PROPERTY: the value as busctl prints it, type dropped
        busctl --system get-property org.netpool1 "$(dev_path "$1")" org.netpool1.Device "$2" | cut -d' ' -f2-
}
managed_ids() { # every Device object's id, sorted
        busctl --system --json=short call org.netpool1 /org/netpool1 org.freedesktop.DBus.ObjectManager \
                GetManagedObjects | python3 -c '
import json, sys
objs = json.load(sys.stdin)["data"][0]
print("\n".join(sorted(v["org.netpool1.Device"]["Id"]["data"] for v in objs.values() if "org.netpool1.Device" in v)))'
}

np_call /org/netpool1 Manager GetVersion >/dev/null 2>&1 || true
ids=$(managed_ids)
# the demo host: eth0 (X710, 8 VFs), ens1/ens1d1 (ConnectX-3), sfc0 (4 VFs without netdevs)
check "GetManagedObjects lists eth0's PF" grep -qx 0000:03:00.0 <<<"$ids"
check "… and its 8 VFs" test "$(grep -c '^0000:03:02\.' <<<"$ids")" = 8
check "… and sfc0's VFs (no netdev)" grep -qx 0000:07:02.0 <<<"$ids"
expect_eq "a VF's PF" '"eth0"' "$(dev_prop 0000:03:02.1 PF)"
expect_eq "a VF's PFAddress" '"0000:03:00.0"' "$(dev_prop 0000:03:02.1 PFAddress)"
expect_eq "a VF's VFIndex" 1 "$(dev_prop 0000:03:02.1 VFIndex)"
expect_eq "a PF's VFIndex is -1" -1 "$(dev_prop 0000:03:00.0 VFIndex)"
expect_eq "a PF's PF is empty" '""' "$(dev_prop 0000:03:00.0 PF)"
expect_eq "Vendor as 0x8086" '"0x8086"' "$(dev_prop 0000:03:02.1 Vendor)"
expect_eq "a VF's Netdevs" '1 "eth0v1"' "$(dev_prop 0000:03:02.1 Netdevs)"
expect_eq "sfc0's VF has no netdevs" 0 "$(dev_prop 0000:07:02.0 Netdevs)"
expect_eq "a free VF" '"free"' "$(dev_prop 0000:03:02.1 State)"
expect_eq "no port" '"/"' "$(dev_prop 0000:03:02.1 Port)"
expect_eq "no network" 0 "$(dev_prop 0000:03:02.1 Networks)"

# ---- bound to vfio-pci by someone else before a network starts: unavailable at Start, out of Available ----
"$NETPOOL_SIMHOST" "$NP_SIM" --assign 0000:07:02.1 >/dev/null
np_call /org/netpool1 Manager Rescan t 0 >/dev/null
np_call /org/netpool1 Manager CreateNetwork st \
        "<network><name>sfcnet</name><forward mode='hostdev' managed='no'><pf dev='sfc0'/></forward></network>" 0 \
        >/dev/null
SFCNET=$(np_net_path sfcnet)
check "a VF on vfio-pci before Start is unavailable in GetDevices" bash -c "busctl --system call org.netpool1 \
        '$SFCNET' org.netpool1.Network GetDevices t 0 | grep -q '\"0000:07:02.1\" [^)]*\"unavailable\"'"
expect_eq "… and out of Available" "u 3" \
        "$(busctl --system get-property org.netpool1 "$SFCNET" org.netpool1.Network Available)"
expect_eq "… its Device says so" '"unavailable"' "$(dev_prop 0000:07:02.1 State)"
"$NETPOOL_SIMHOST" "$NP_SIM" --release 0000:07:02.1 >/dev/null
np_call /org/netpool1 Manager Rescan t 0 >/dev/null
expect_eq "given back: Available 4 again" "u 4" \
        "$(busctl --system get-property org.netpool1 "$SFCNET" org.netpool1.Network Available)"
np_call "$SFCNET" Network Stop t 0 >/dev/null

# ---- a network's pool and a port: Networks, State, Port follow, with PropertiesChanged ----
np_call /org/netpool1 Manager CreateNetwork st \
        "<network><name>hd</name><forward mode='hostdev' managed='no'><pf dev='eth0'/></forward></network>" 0 \
        >/dev/null
HD=$(np_net_path hd)
expect_eq "the pool's network in Networks" "1 \"$HD\"" "$(dev_prop 0000:03:02.0 Networks)"
dbus-monitor --system "type='signal',interface='org.freedesktop.DBus.Properties',path_namespace='$DEV'" \
        >"$NP_DIR/monitor.out" 2>&1 & MON=$!
sleep 0.3
PORT=$(np_call "$HD" Network Allocate st "$(np_port_xml uuid=20000000-0000-4000-8000-000000000001 \
        mac=52:54:00:20:00:01)" 0 | awk '{print $2}' | tr -d '"')
expect_eq "the VF the port took is in-use" '"in-use"' "$(dev_prop 0000:03:02.0 State)"
expect_eq "… its Port is the port" "\"$PORT\"" "$(dev_prop 0000:03:02.0 Port)"
s=$(busctl --system call org.netpool1 "$(dev_path 0000:03:02.0)" org.netpool1.Device GetSettings t 0)
check "GetSettings reads the port's MAC from the VF" grep -q '"mac" s "52:54:00:20:00:01"' <<<"$s"
np_call "$PORT" Port Release t 0 >/dev/null
expect_eq "released: free again" '"free"' "$(dev_prop 0000:03:02.0 State)"
sleep 0.3
kill $MON 2>/dev/null; wait $MON 2>/dev/null
check "PropertiesChanged of the device announced the state" grep -q '"in-use"' "$NP_DIR/monitor.out"

# ---- taken outside netpool: bound to vfio-pci by someone else → unavailable, Holder says so ----
"$NETPOOL_SIMHOST" "$NP_SIM" --assign 0000:03:02.3 >/dev/null 2>&1 || true
np_call /org/netpool1 Manager Rescan t 0 >/dev/null
expect_eq "bound to vfio-pci by someone else: unavailable" '"unavailable"' "$(dev_prop 0000:03:02.3 State)"
check "… its Holder says vfio-pci" grep -q vfio-pci <<<"$(dev_prop 0000:03:02.3 Holder)"

# ---- hot-plug: VFs removed and back ----
"$NETPOOL_SIMHOST" "$NP_SIM" --set-numvfs 0000:07:00.0 2 >/dev/null
for _ in $(seq 30); do grep -qx 0000:07:02.3 <<<"$(managed_ids)" || break; sleep 0.1; done
check "numvfs 2: sfc0's VF 3 is gone" bash -c "! grep -qx 0000:07:02.3 <<<'$(managed_ids)'"
"$NETPOOL_SIMHOST" "$NP_SIM" --set-numvfs 0000:07:00.0 4 >/dev/null
for _ in $(seq 30); do grep -qx 0000:07:02.3 <<<"$(managed_ids)" && break; sleep 0.1; done
check "numvfs 4: back" grep -qx 0000:07:02.3 <<<"$(managed_ids)"
# ---- what changed while no netpoold ran is announced at its next start (issue 20 point 4) ----
sleep 1.2       # past the inventory record's write (a second after the last change)
check "STATE/inventory lists the devices as this netpoold left them" grep -q '^0000:07:02.3	free' \
        "$NP_DIR/run/inventory"
check "kill -9 netpoold" np_kill9
"$NETPOOL_SIMHOST" "$NP_SIM" --set-numvfs 0000:07:00.0 2 >/dev/null     # VFs 2 and 3 go while none runs
"$NETPOOL_SIMHOST" "$NP_SIM" --assign 0000:03:02.5 >/dev/null           # and a VF is taken outside netpool
dbus-monitor --system "type='signal',sender='org.netpool1',path_namespace='/org/netpool1'" >"$NP_DIR/start.out" 2>&1 &
MON=$!
sleep 0.3
np_call /org/netpool1 Manager GetVersion >/dev/null 2>&1 || busctl --system get-property org.netpool1 \
        /org/netpool1 org.netpool1.Manager APIVersion >/dev/null
for _ in $(seq 30); do grep -q InterfacesRemoved "$NP_DIR/start.out" && break; sleep 0.1; done
sleep 0.3
kill $MON 2>/dev/null; wait $MON 2>/dev/null
removed=$(grep -A1 'member=InterfacesRemoved' "$NP_DIR/start.out")
check "the next start announces VF 3 of sfc0 gone (InterfacesRemoved)" \
        grep -q "object path \"$(dev_path 0000:07:02.3)\"" <<<"$removed"
check "… and VF 2" grep -q "object path \"$(dev_path 0000:07:02.2)\"" <<<"$removed"
changed=$(awk -v p="path=$(dev_path 0000:03:02.5);" '/^signal/ { on = index($0, p) > 0 } on' "$NP_DIR/start.out")
check "… and the VF taken outside netpool changed (PropertiesChanged: unavailable)" grep -q '"unavailable"' <<<"$changed"

np_done
