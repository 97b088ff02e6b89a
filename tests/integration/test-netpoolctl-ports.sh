#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netpoolctl's port commands against the real daemon on the default sim host: allocate (options, defaults,
# --port-xml), ports, devices, port-dumpxml, release, notify, their JSON, what they do to the VFs, and errors.
source "$(dirname "$0")/lib.sh"
np_setup

A_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d11
OWNER_UUID=d54df46f-1ab5-4a22-8618-4560ef5fac2c
P3_UUID=5d744f21-ba4a-4d6e-bdb2-30a35ff3207d
P4_UUID=6e855032-cb5b-4e7f-8ec3-41b46aa43180
NOSUCH_UUID=00000000-1111-2222-3333-444444444444

# json_str JSON KEY: one string member of the last ctl's JSON object
json_str() {
        python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$out" "$1"
}

# ports with owners of at most 5 characters
PORTS_HEADER="UUID                                  NETWORK  OWNER  MAC                DEVICE"

# The default sim host's eth0 and its 8 VFs: BDF by index, and index by BDF
eth0_dev=$NP_SIM/sys/class/net/eth0/device
PF_BDF=$(basename "$(readlink -f "$eth0_dev")")
expect_eq "eth0 of the default sim host is 0000:03:00.0" "0000:03:00.0" "$PF_BDF"
declare -A VF_INDEX
VF_BDF=()
for ((i = 0; i < 8; i++)); do
        VF_BDF[i]=$(basename "$(readlink "$eth0_dev/virtfn$i")")
        VF_INDEX[${VF_BDF[i]}]=$i
done

# vf_state BDF FILE: the VF's MAC or VLAN as the PF sees it
vf_state() {
        local i=${VF_INDEX[$1]:-none}
        cat "$NP_SIM/vfstate/$PF_BDF/vf$i/p1/$2" 2>/dev/null || echo "no VF $1"
}

# devices_table BDF=UUID[/iavf]...: the expected `devices sriov-a`, the given VFs held by those ports. sriov-a is
# managed: a VF that Allocate gave is bound to vfio-pci and has no host netdev ("-"); one that Notify took as the
# host has it (/iavf) keeps its driver and netdev; a free one is on iavf with its netdev. NUMA is the sim's
# numa_node of each VF; HOLDER "-": nobody outside netpool.
devices_table() {
        local -A held=() host=()
        local arg bdf numa
        local table="ID            NETDEV  PCI           PF    VF  STATE   CONNECTIONS  PORT"
        table+="                                  NUMA  DRIVER    HOLDER"
        for arg; do
                held[${arg%%=*}]=${arg#*=}
                if [[ $arg == */iavf ]]; then
                        held[${arg%%=*}]=${held[${arg%%=*}]%/iavf}
                        host[${arg%%=*}]=1
                fi
        done
        for ((i = 0; i < 8; i++)); do
                bdf=${VF_BDF[i]}
                numa=$(<"$NP_SIM/sys/bus/pci/devices/$bdf/numa_node")
                if [ -n "${held[$bdf]:-}" ] && [ -n "${host[$bdf]:-}" ]; then
                        table+=$'\n'"$bdf  eth0v$i  $bdf  eth0   $i  in-use            1  ${held[$bdf]}     $numa  iavf      -"
                elif [ -n "${held[$bdf]:-}" ]; then
                        table+=$'\n'"$bdf  -       $bdf  eth0   $i  in-use            1  ${held[$bdf]}     $numa  vfio-pci  -"
                else
                        table+=$'\n'"$bdf  eth0v$i  $bdf  eth0   $i  free              0  -                                        $numa  iavf      -"
                fi
        done
        printf '%s' "$table"
}

np_fixture sriov-a "$A_UUID"
np_fixture uplink
ctl define "$NP_DIR/sriov-a.xml"
ctl start sriov-a

expect_eq "sriov-a is up" "0|Network sriov-a started|" "$(result)"
ctl create "$NP_DIR/uplink.xml"
expect_eq "uplink is up" "0|Network uplink created from $NP_DIR/uplink.xml|" "$(result)"

# --- allocate's options for AllocateWithOptions (API 1.1): results after the port's line, or under "results"
np_net_xml name=taps mode=vepa interface=sfc0 >"$NP_DIR/taps.xml"
ctl create "$NP_DIR/taps.xml"
ctl allocate --tap-name vmtap0 taps
expect_eq "allocate --tap-name on a vepa network: the port, then its results (sfc0's NUMA node, the macvtap's name)" \
        "0|numa-node: $(<"$NP_SIM/sys/class/net/sfc0/device/numa_node")
tap-name: vmtap0" "$rc|$(sed -n '2,$p' <<<"$out" | sed 's/^ *//')"
check "the macvtap vmtap0 exists, in vepa mode over sfc0" \
        test "$(cat "$NP_SIM/sys/devices/virtual/net/vmtap0/mode" 2>/dev/null)" = vepa
TAP_PORT=$(sed -n '1s/^Port \([^ ]*\) .*/\1/p' <<<"$out")
ctl release "$TAP_PORT"
check "its release deleted it" test ! -e "$NP_SIM/sys/devices/virtual/net/vmtap0"
ctl --json allocate --device "${VF_BDF[5]}" sriov-a
check "allocate --json --device: that VF, and the results with the IOMMU group as a number" python3 - "$out" \
        "${VF_BDF[5]}" <<'EOP'
import json, sys
o = json.loads(sys.argv[1])
assert o["device"] == sys.argv[2], o
r = o["results"]
assert r["pf"] == "eth0" and r["vf-index"] == 5 and isinstance(r["iommu-group"], int), r
assert r["vfio-group"].endswith("/dev/vfio/%d" % r["iommu-group"]), r
EOP
ctl release "$(json_str uuid)"
expect_usage "a uid that is no number" "netpoolctl allocate: --vfio-uid qemu: not a numeric uid (0-4294967294)" \
        allocate --vfio-uid qemu sriov-a
ctl allocate --tap-name vmtap0 sriov-a
expect_eq "an option that does not fit the network's mode: the daemon's InvalidArgument" "1" "$rc"
check "which names the option" grep -q "tap-name" <<<"$err"
sed 's/^/# /' <<<"$err"
ctl stop taps

# --- allocate --claim, --numa-node, --numa-policy: the same command line with a claim is one port
ctl allocate --claim job-7 sriov-a
re='^Port ([0-9a-f-]{36}) allocated on network sriov-a: (.*)$'
if [[ $(head -1 <<<"$out") =~ $re ]]; then
        CLAIM_PORT=${BASH_REMATCH[1]} CLAIM_DEV=${BASH_REMATCH[2]}
else
        CLAIM_PORT=none CLAIM_DEV=none
fi
check "allocate --claim: a port, its results say it is new" grep -qx "  existing: no" <<<"$out"
ctl allocate --claim job-7 sriov-a
expect_eq "the same command again: the claim's port, found by its claim, existing" \
        "0|Port $CLAIM_PORT found by claim 'job-7' on network sriov-a: $CLAIM_DEV|yes" \
        "$rc|$(head -1 <<<"$out")|$(sed -n 's/^  existing: //p' <<<"$out")"
ctl --json allocate --claim job-7 sriov-a
check "--json: results.existing is true, the port the same" python3 - "$out" "$CLAIM_PORT" <<'EOP'
import json, sys
o = json.loads(sys.argv[1])
assert o["uuid"] == sys.argv[2] and o["results"]["existing"] is True, o
EOP
ctl ports sriov-a
expect_eq "one port for the claim, however often asked" "1" "$(grep -c "^$CLAIM_PORT" <<<"$out")"
ctl allocate --claim job-7 --mac 52:54:00:0c:1a:17 sriov-a
expect_eq "the claim with another MAC: the daemon's PortExists, naming the claim and what differs" "1|" \
        "$rc|$out"
check "the message names the claim and the MAC" grep -q "claim 'job-7'.*MAC" <<<"$err"
ctl release "$CLAIM_PORT"
ctl allocate --numa-node "$(<"$NP_SIM/sys/bus/pci/devices/${VF_BDF[0]}/numa_node")" --numa-policy required sriov-a
check "allocate --numa-node N --numa-policy required: a port on node N, the results say so" \
        grep -qx "  numa-node: $(<"$NP_SIM/sys/bus/pci/devices/${VF_BDF[0]}/numa_node")" <<<"$out"
ctl release "$(sed -n '1s/^Port \([^ ]*\) .*/\1/p' <<<"$out")"
ctl allocate --numa-node 7 --numa-policy required sriov-a
expect_eq "no VF on node 7 and required: the daemon's PoolExhausted naming the node" "1" "$rc"
check "which names the node" grep -q "NUMA node 7" <<<"$err"
expect_usage "a NUMA node that is no number" \
        "netpoolctl allocate: --numa-node -1: not a NUMA node number (0-2147483647)" \
        allocate --numa-node=-1 sriov-a
expect_usage "a NUMA policy of neither kind" \
        "netpoolctl allocate: --numa-policy strict: expected 'preferred' or 'required'" \
        allocate --numa-node 0 --numa-policy strict sriov-a
expect_usage "a NUMA policy without a node" \
        "netpoolctl allocate: --numa-policy needs --numa-node: the node it applies to" \
        allocate --numa-policy required sriov-a
expect_usage "an empty claim" "netpoolctl allocate: --claim: must be 1 to 255 printable ASCII characters" \
        allocate --claim= sriov-a
expect_usage "a claim with a tab" "netpoolctl allocate: --claim: must be 1 to 255 printable ASCII characters" \
        allocate --claim "$(printf 'a\tb')" sriov-a
expect_usage "a claim of 256 characters" "netpoolctl allocate: --claim: must be 1 to 255 printable ASCII characters" \
        allocate --claim "$(printf '%0256d' 0)" sriov-a
ctl ports sriov-a
expect_eq "none of it left a port" "0|UUID  NETWORK  OWNER  MAC  DEVICE|" "$(result)"


# --- no ports yet
ctl ports
expect_eq "ports with no ports prints the header only" "0|UUID  NETWORK  OWNER  MAC  DEVICE|" "$(result)"
ctl ports --json
json_eq "ports --json with no ports is []" '[]'

# --- allocate with every option: the VF gets the MAC and the VLAN
ctl allocate sriov-a --mac 52:54:00:12:34:56 --owner vm1 --owner-uuid "$OWNER_UUID" --vlan 42
re='^Port ([0-9a-f-]{36}) allocated on network sriov-a: (.*)$'
if [[ $out =~ $re ]]; then
        P1=${BASH_REMATCH[1]} DEV1=${BASH_REMATCH[2]}
else
        P1=none DEV1=none
fi
expect_eq "allocate prints the port's UUID, its network and its device" \
        "0|Port $P1 allocated on network sriov-a: $DEV1|" "$(result)"
check "the device is a VF of eth0" test -n "${VF_INDEX[$DEV1]:-}"
expect_eq "the VF has the port's MAC" "52:54:00:12:34:56" "$(vf_state "$DEV1" mac)"
expect_eq "and its VLAN" "42" "$(vf_state "$DEV1" vlan)"
# sriov-a is managed: netpoold bound the VF to vfio-pci, so the port names its IOMMU group (the sim's) and node
DEV1_GROUP=$(basename "$(readlink "$NP_SIM/sys/bus/pci/devices/$DEV1/iommu_group")")
P1_XML=$(np_port_xml uuid="$P1" owner=vm1 owner_uuid="$OWNER_UUID" mac=52:54:00:12:34:56 vlan=42 plug_pci="$DEV1" \
        np_plug="pf='eth0' vf-index='${VF_INDEX[$DEV1]:-none}' iommu-group='$DEV1_GROUP' vfio-group='$NP_SIM/dev/vfio/$DEV1_GROUP'")

# --- ports, devices, port-dumpxml
ctl ports
expect_eq "ports shows the port" "0|$PORTS_HEADER
$P1  sriov-a  vm1    52:54:00:12:34:56  $DEV1|" "$(result)"
ctl ports sriov-a
expect_eq "ports NETWORK shows it too" "0|$PORTS_HEADER
$P1  sriov-a  vm1    52:54:00:12:34:56  $DEV1|" "$(result)"
ctl ports uplink
expect_eq "but not ports of another network" "0|UUID  NETWORK  OWNER  MAC  DEVICE|" "$(result)"
ctl ports --json "$A_UUID"
json_eq "ports --json, the network given by UUID" "[{\"uuid\": \"$P1\", \"network\": \"sriov-a\",
        \"owner_name\": \"vm1\", \"owner_uuid\": \"$OWNER_UUID\", \"mac\": \"52:54:00:12:34:56\",
        \"device\": \"$DEV1\", \"object\": \"$(np_port_path "$P1")\"}]"
ctl devices sriov-a
expect_eq "devices shows the port on its VF" "0|$(devices_table "$DEV1=$P1")|" "$(result)"
ctl port-dumpxml "$P1"
expect_eq "port-dumpxml prints the port with its plug" "0|$P1_XML|" "$(result)"
ctl port-dumpxml "${P1^^}"
expect_eq "port-dumpxml takes an upper-case UUID" "0|$P1_XML|" "$(result)"
ctl --json port-dumpxml "$P1"
json_eq "port-dumpxml --json" "$(python3 -c 'import json, sys
print(json.dumps({"uuid": sys.argv[1], "network": "sriov-a", "object": sys.argv[2], "xml": sys.argv[3] + "\n"}))' \
        "$P1" "$(np_port_path "$P1")" "$P1_XML")"
printf '%s\n' "$P1_XML" >"$NP_DIR/p1.xml"

# --- allocate with the defaults, --json: owner netpoolctl, a random owner UUID and MAC 52:54:00:xx:xx:xx
ctl --json allocate sriov-a
check "allocate --json: the keys, the port's own values, and the defaults" python3 - "$out" "$rc" "$err" \
        "$(np_port_path X)" <<'EOP'
import json, re, sys
text, rc, err, path_prefix = sys.argv[1:]
assert rc == "0" and err == "", (rc, err)
got = json.loads(text)
assert sorted(got) == ["device", "mac", "network", "object", "plug_type", "uuid", "xml"], sorted(got)
assert got["network"] == "sriov-a" and got["plug_type"] == "hostdev-pci", got
assert re.fullmatch(r"52:54:00(:[0-9a-f]{2}){3}", got["mac"]), got["mac"]
assert re.fullmatch(r"0000:03:02\.[0-7]", got["device"]), got["device"]
assert got["object"].startswith(path_prefix[:-2]), got["object"]
x = got["xml"]
assert "<uuid>%s</uuid>" % got["uuid"] in x and "<mac address='%s'/>" % got["mac"] in x, x
assert "<name>netpoolctl</name>" in x and "<vlan>" not in x, x
owner = re.search(r"<owner>\s*<name>[^<]*</name>\s*<uuid>([^<]*)</uuid>", x).group(1)
assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", owner), owner
d = got["device"]
dev = "<address domain='0x%s' bus='0x%s' slot='0x%s' function='0x%s'/>" % (d[:4], d[5:7], d[8:10], d[11])
assert dev in x, x
EOP
P2=$(json_str uuid) DEV2=$(json_str device) MAC2=$(json_str mac)
expect_eq "the object is the port's path" "$(np_port_path "$P2")" "$(json_str object)"
check "a second VF" test "$DEV2" != "$DEV1"
expect_eq "the VF has the random MAC" "$MAC2" "$(vf_state "$DEV2" mac)"
expect_eq "and no VLAN" "0" "$(vf_state "$DEV2" vlan)"
ctl ports sriov-a
expect_eq "ports shows owner netpoolctl and the MAC" "$P2  sriov-a  netpoolctl  $MAC2  $DEV2" \
        "$(grep "^$P2" <<<"$out")"
owner2=$(np_busctl get-property org.netpool1 "$(np_port_path "$P2")" org.netpool1.Port OwnerUUID | cut -d'"' -f2)
ctl --json allocate sriov-a
P2b=$(json_str uuid) DEV2b=$(json_str device)
owner2b=$(np_busctl get-property org.netpool1 "$(np_port_path "$P2b")" org.netpool1.Port OwnerUUID | cut -d'"' -f2)
check "two default allocations get different MACs and owner UUIDs" \
        test "$(json_str mac)" != "$MAC2" -a "$owner2b" != "$owner2" -a -n "$owner2"

# --- allocate --port-xml FILE and --port-xml - (standard input)
cat >"$NP_DIR/p3.xml" <<EOX
<networkport>
  <uuid>$P3_UUID</uuid>
  <owner>
    <name>vm3</name>
    <uuid>$OWNER_UUID</uuid>
  </owner>
  <mac address='52:54:00:00:03:03'/>
</networkport>
EOX
sed -e "s/$P3_UUID/$P4_UUID/; s/vm3/vm4/; s/03:03/04:04/" "$NP_DIR/p3.xml" >"$NP_DIR/p4.xml"
ctl allocate sriov-a --port-xml "$NP_DIR/p3.xml"
DEV3=${out##*: }
expect_eq "allocate --port-xml FILE keeps the file's UUID" "0|Port $P3_UUID allocated on network sriov-a: $DEV3|" \
        "$(result)"
expect_eq "and its MAC reaches the VF" "52:54:00:00:03:03" "$(vf_state "$DEV3" mac)"
ctl allocate --port-xml - sriov-a <"$NP_DIR/p4.xml"
DEV4=${out##*: }
expect_eq "allocate --port-xml - reads standard input" "0|Port $P4_UUID allocated on network sriov-a: $DEV4|" \
        "$(result)"
ctl allocate sriov-a --port-xml "$NP_DIR/p3.xml"
expect_eq "the same port UUID twice" "1||netpoolctl: port $P3_UUID exists already" "$(result)"
ctl allocate sriov-a --port-xml "$NP_DIR/p1.xml"
expect_eq "a port with a plug is for notify" "1||netpoolctl: Allocate takes a <networkport> without <plug>; use \
Notify to re-register a port that has one" "$(result)"

# --- a direct plug: the device is the netdev
ctl allocate uplink --owner vm5 --mac 52:54:00:00:05:05
expect_eq "allocate on a vepa network names the netdev" "0|Port ${out:5:36} allocated on network uplink: sfc0|" \
        "$(result)"
P5=${out:5:36}
ctl ports uplink
expect_eq "ports shows the netdev as its device" "0|$PORTS_HEADER
$P5  uplink   vm5    52:54:00:00:05:05  sfc0|" "$(result)"
ctl ports --json
check "ports --json lists all six ports, by network then UUID" python3 - "$out" "$P5" <<'EOP'
import json, sys
rows, p5 = json.loads(sys.argv[1]), sys.argv[2]
keys = [(r["network"], r["uuid"]) for r in rows]
assert len(rows) == 6 and keys == sorted(keys) and keys[-1] == ("uplink", p5), keys
EOP

# --- release: the VF's MAC and VLAN go back to what they were
ctl release "$P1"
expect_eq "release" "0|Port $P1 released|" "$(result)"
expect_eq "the VF's MAC is restored" "00:00:00:00:00:00" "$(vf_state "$DEV1" mac)"
expect_eq "and its VLAN" "0" "$(vf_state "$DEV1" vlan)"
ctl ports sriov-a
check "ports no longer shows it" test -z "$(grep "^$P1" <<<"$out")"
ctl devices --json sriov-a
check "devices shows its VF free again" python3 - "$out" "$DEV1" <<'EOP'
import json, sys
row = [d for d in json.loads(sys.argv[1]) if d["id"] == sys.argv[2]][0]
assert row["state"] == "free" and row["port_uuid"] is None and row["connections"] == 0, row
EOP
ctl release "$P1"
expect_eq "release of a released port" "1||netpoolctl: no port with UUID '$P1'
netpoolctl: hint: 'netpoolctl ports' lists every port with its UUID" "$(result)"
ctl release "$NOSUCH_UUID"
expect_eq "release of an unknown UUID" "1||netpoolctl: no port with UUID '$NOSUCH_UUID'
netpoolctl: hint: 'netpoolctl ports' lists every port with its UUID" "$(result)"
ctl port-dumpxml "$NOSUCH_UUID"
expect_eq "port-dumpxml of an unknown UUID" "1||netpoolctl: no port with UUID '$NOSUCH_UUID'
netpoolctl: hint: 'netpoolctl ports' lists every port with its UUID" "$(result)"
ctl --json release "${P3_UUID^^}"
json_eq "release --json, an upper-case UUID" "{\"uuid\": \"$P3_UUID\", \"network\": \"sriov-a\",
        \"object\": \"$(np_port_path "$P3_UUID")\", \"result\": \"released\"}"
expect_eq "its VF is restored" "00:00:00:00:00:00" "$(vf_state "$DEV3" mac)"
ctl release "$P5"
expect_eq "release of a direct port" "0|Port $P5 released|" "$(result)"

# --- notify: the saved XML re-registers the released port on its VF
ctl notify sriov-a "$NP_DIR/p1.xml"
expect_eq "notify re-registers the saved port" "0|Port $P1 re-registered on network sriov-a: $DEV1|" "$(result)"
ctl devices sriov-a
expect_eq "devices shows it on its VF again, next to the other ports" \
        "0|$(devices_table "$DEV1=$P1/iavf" "$DEV2=$P2" "$DEV2b=$P2b" "$DEV4=$P4_UUID")|" "$(result)"
ctl port-dumpxml "$P1"
expect_eq "port-dumpxml shows the same port" "0|$P1_XML|" "$(result)"
ctl --json notify sriov-a - <"$NP_DIR/p1.xml"
json_eq "notify --json - of the same port again changes nothing" "$(python3 -c 'import json, sys
print(json.dumps({"uuid": sys.argv[1], "network": "sriov-a", "object": sys.argv[2], "device": sys.argv[3],
                  "plug_type": "hostdev-pci", "mac": "52:54:00:12:34:56", "xml": sys.argv[4] + "\n"}))' \
        "$P1" "$(np_port_path "$P1")" "$DEV1" "$P1_XML")"
sed "s/$P1/$NOSUCH_UUID/" "$NP_DIR/p1.xml" >"$NP_DIR/other-on-p1.xml"
ctl notify sriov-a "$NP_DIR/other-on-p1.xml"
expect_eq "notify of another port on a held VF" "1||netpoolctl: device '$DEV1' is held by port $P1" "$(result)"
ctl notify sriov-a "$NP_DIR/p3.xml"
expect_eq "notify of a port without plug" \
        "1||netpoolctl: Notify takes a <networkport> with the <plug> Allocate returned" "$(result)"
ctl notify sriov-a "$NP_DIR/missing.xml"
expect_eq "notify of an unreadable FILE" \
        "1||netpoolctl: cannot read $NP_DIR/missing.xml: No such file or directory" "$(result)"

# --- exhaustion: with every port released, 8 allocations take the 8 VFs and the 9th fails
ctl ports --json
for uuid in $(python3 -c 'import json, sys; print(" ".join(r["uuid"] for r in json.loads(sys.argv[1])))' "$out"); do
        ctl release "$uuid"
done
ctl ports --json
json_eq "every port is released" '[]'
devs=()
for n in $(seq 8); do
        ctl allocate sriov-a --owner "vm$n"
        [ "$rc" = 0 ] && devs+=("${out##*: }")
done
expect_eq "8 allocations take the 8 VFs" "${VF_BDF[*]}" "$(printf '%s\n' "${devs[@]}" | sort | xargs)"
ctl allocate sriov-a --owner vm9
expect_eq "the 9th fails: the pool is exhausted" \
        "1||netpoolctl: network 'sriov-a' has no free device: 8 of 8 in use
netpoolctl: hint: 'netpoolctl devices sriov-a' shows each device's state and the port that holds it" "$(result)"
ctl ports sriov-a
expect_eq "and made no port" "9" "$(wc -l <<<"$out")"

# --- unknown networks
ctl ports nosuch
expect_eq "ports of an unknown network" "1||netpoolctl: no network named 'nosuch'
netpoolctl: hint: 'netpoolctl list' shows every network" "$(result)"
ctl allocate nosuch
expect_eq "allocate on an unknown network" "1||netpoolctl: no network named 'nosuch'
netpoolctl: hint: 'netpoolctl list' shows every network" "$(result)"
ctl notify nosuch "$NP_DIR/p1.xml"
expect_eq "notify on an unknown network" "1||netpoolctl: no network named 'nosuch'
netpoolctl: hint: 'netpoolctl list' shows every network" "$(result)"

# --- usage errors: status 2, the problem on stderr, and nothing allocated
ctl ports --json
ports_before=$out
for opt in "--mac=52:54:00:00:00:09" "--owner=vm" "--owner-uuid=$OWNER_UUID" "--vlan=5"; do
        name=${opt%%=*}
        expect_usage "allocate --port-xml with $name" \
                "netpoolctl allocate: --port-xml and $name conflict: the file describes the whole port" \
                allocate --port-xml "$NP_DIR/p3.xml" "$opt" sriov-a
done
expect_usage "a VLAN id out of range" "netpoolctl allocate: invalid VLAN id '4096': expected 0-4095" \
        allocate --vlan 4096 sriov-a
expect_usage "a VLAN id that is no number" "netpoolctl allocate: invalid VLAN id '0x10': expected 0-4095" \
        allocate --vlan 0x10 sriov-a
expect_usage "a malformed MAC" "netpoolctl allocate: --mac 52:54:00:00:00: not a MAC address (six hex octets: 52:54:00:12:34:56)" \
        allocate --mac 52:54:00:00:00 sriov-a
expect_usage "a malformed owner UUID" "netpoolctl allocate: invalid owner UUID 'vm1'" \
        allocate --owner-uuid vm1 sriov-a
expect_usage "allocate without NETWORK" "netpoolctl allocate: missing argument" allocate --owner vm1
expect_usage "a missing option value" "netpoolctl allocate: option '--mac' requires an argument" \
        allocate sriov-a --mac
expect_usage "notify without FILE" "netpoolctl notify: missing argument" notify sriov-a
expect_usage "release without UUID" "netpoolctl release: missing argument" release
expect_usage "release of two ports" "netpoolctl release: unexpected argument '$P2'" release "$P1" "$P2"
expect_usage "ports of two networks" "netpoolctl ports: unexpected argument 'uplink'" ports sriov-a uplink
expect_usage "port-dumpxml without UUID" "netpoolctl port-dumpxml: missing argument" port-dumpxml
expect_usage "an option of another command" "netpoolctl release: unknown option '--force'" release --force "$P1"
ctl allocate --vlan 4096 sriov-a
expect_eq "the usage message has the usage line and the pointer to --help" \
        "Usage: netpoolctl allocate [OPTIONS] NETWORK|Try 'netpoolctl allocate --help' for more information." \
        "$(sed -n 2p "$NP_DIR/stderr")|$(sed -n 3p "$NP_DIR/stderr")"
ctl ports --json
expect_eq "refused command lines allocated and released nothing" "$ports_before" "$out"

# --- help: each command's usage line is the one the command list shows
ctl --help
main_help=$out
for cmd in allocate notify release ports port-dumpxml; do
        synopsis=$(grep -E "^  $cmd( |$)" <<<"$main_help" | sed -E 's/  +[A-Z].*$//; s/^  //')
        ctl $cmd --help
        expect_eq "$cmd --help" "0|Usage: netpoolctl $synopsis|" "$rc|${out%%$'\n'*}|$err"
done
ctl allocate --help
for opt in mac owner owner-uuid vlan port-xml device pf tap-name vfio-uid vfio-gid claim numa-node numa-policy; do
        check "allocate --help describes --$opt" grep -q -- "^  --$opt=" <<<"$out"
done

np_done
