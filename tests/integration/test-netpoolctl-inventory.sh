#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netpoolctl inventory, devices and inventory --format=dra against the real daemon's Device objects (API 1.1)
# on the default sim host: eth0 with 8 VFs. A daemon without Device objects skips it all.
source "$(dirname "$0")/lib.sh"
np_setup

A_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d21
CHECKER=$NETPOOL_SOURCE_ROOT/tests/ctl/check-resourceslice.py

np_fixture sriov-a "$A_UUID"
ctl define "$NP_DIR/sriov-a.xml"
ctl start sriov-a
started=$(result)
# nothing printed before: a skip is a plan of none
np_busctl call org.netpool1 /org/netpool1 org.freedesktop.DBus.ObjectManager GetManagedObjects \
        >"$NP_DIR/objects" 2>&1
grep -q '"org.netpool1.Device"' "$NP_DIR/objects" ||
        skip_all "this netpoold has no org.netpool1.Device objects (dbus-api.md 1.1, Device objects)"
expect_eq "sriov-a starts" "0|Network sriov-a started|" "$started"

eth0_dev=$NP_SIM/sys/class/net/eth0/device
PF_BDF=$(basename "$(readlink -f "$eth0_dev")")
VFS=()
for ((i = 0; i < $(<"$eth0_dev/sriov_numvfs"); i++)); do
        VFS+=("$(basename "$(readlink "$eth0_dev/virtfn$i")")")
done

# --- inventory: eth0's line, then its VFs indented under it in VF order
ctl inventory
expect_eq "inventory succeeds, nothing on stderr" "0|" "$rc|$err"
expect_eq "inventory's header" \
        "DEVICE NETDEV VF ID DRIVER NUMA PCIE-ROOT IOMMU LINK ESWITCH STATE PORT NETWORKS HOLDER" \
        "$(head -1 <<<"$out" | tr -s ' ')"
rows=$(grep -A"${#VFS[@]}" "^$PF_BDF " <<<"$out")
expect_eq "eth0's VFs follow it, indented, by VF index" "$PF_BDF ${VFS[*]}" \
        "$(awk '{ print $1 }' <<<"$rows" | tr '\n' ' ' | sed 's/ $//')"
check "each VF of eth0 is in sriov-a's pool" test "$(grep -c '^  .* sriov-a ' <<<"$rows")" -eq "${#VFS[@]}"

ctl inventory --json
check "inventory --json: every VF of eth0 with its PF's address and its index" python3 - "$out" "$PF_BDF" \
        "${VFS[@]}" <<'EOP'
import json, sys
devices = json.loads(sys.argv[1])
pf, vfs = sys.argv[2], sys.argv[3:]
by_id = {d["id"]: d for d in devices}
assert by_id[pf]["vf_index"] is None and by_id[pf]["pf_address"] == "", by_id[pf]
for index, vf in enumerate(vfs):
    d = by_id[vf]
    assert (d["pf_address"], d["pf"], d["vf_index"], d["state"]) == (pf, "eth0", index, "free"), d
    assert d["networks"] == ["sriov-a"] and d["port_uuid"] is None, d
    assert d["object"].startswith("/org/netpool1/device/"), d
    for key in ("vendor", "product", "driver", "netdevs", "numa_node", "pcie_root", "iommu_group", "link_type",
                "eswitch_mode", "holder"):
        assert key in d, (key, d)
EOP

# --- devices: the rows of GetDevices with what their Device objects add
ctl devices sriov-a
expect_eq "devices gains NUMA, DRIVER and HOLDER" \
        "ID NETDEV PCI PF VF STATE CONNECTIONS PORT NUMA DRIVER HOLDER" "$(head -1 <<<"$out" | tr -s ' ')"
ctl devices --json sriov-a
check "devices --json: the Device properties of each row" python3 - "$out" <<'EOP'
import json, sys
rows = json.loads(sys.argv[1])
assert rows and all("numa_node" in r and "driver" in r and "holder" in r and r["networks"] == ["sriov-a"]
                    for r in rows), rows
EOP

# --- the slices: one device per VF, valid for the API server
ctl inventory --format=dra --node-name=node-1 --output=json --network=sriov-a
expect_eq "inventory --format=dra succeeds" "0|" "$rc|$err"
printf '%s\n' "$out" >"$NP_DIR/slices.json"
check "the JSON slices pass the ResourceSlice checks" python3 "$CHECKER" --check "$NP_DIR/slices.json"
check "one device per VF of eth0, named after its PCI address" python3 - "$out" "${VFS[@]}" <<'EOP'
import json, sys
slices = json.loads(sys.argv[1])["items"]
names = [d["name"] for s in slices for d in s["spec"]["devices"]]
want = [vf.replace(":", "-").replace(".", "-") for vf in sys.argv[2:]]
assert sorted(names) == sorted(want), (names, want)
EOP
ctl inventory --format=dra --node-name=node-1
printf '%s\n' "$out" >"$NP_DIR/slices.yaml"
if python3 -c 'import yaml' 2>/dev/null; then
        check "the YAML slices pass the ResourceSlice checks" python3 "$CHECKER" --check "$NP_DIR/slices.yaml"
else
        ok "the YAML slices pass the ResourceSlice checks # SKIP no python3-yaml"
fi

# a VF held by a port without a claim is no longer the scheduler's: left out; the others stay
ctl allocate --device="${VFS[0]}" sriov-a
expect_eq "a port on eth0's first VF" "0" "$rc"
ctl inventory --format=dra --node-name=node-1 --output=json --network=sriov-a
check "the VF of a port without a claim is not published" bash -c '! grep -q "$1" <<<"$2"' _ \
        "\"name\": \"${VFS[0]//[:.]/-}\"" "$out"
check "the next VF is" grep -q "\"name\": \"${VFS[1]//[:.]/-}\"" <<<"$out"

np_done
