#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 18, the privileged half of the plug, on the sim backend (a black box: dbus-api.md 1.1, simhost.md 1.1,
# docs/ports.md "What the agent does with a port", docs/dbus.md): managed hostdev binds the VF to vfio-pci and
# Release gives it back (driver, netdev name, MAC, state, settings, reset); device states of VFs VFIO cannot take;
# the macvtap of passthrough/private/vepa/bridge and hybrid's virtio path (with its VLAN device); tap fds over
# the bus; the options' errors; faults of bind/unbind/reset/macvtap rolled back; kill -9 at every step; Notify
# of a port's macvtap.
source "$(dirname "$0")/lib.sh"

np_need_python_dbus

# The host: the demo host (eth0: hostdev managed), and a PF for each case
#   eth1 0000:10:00.0  4 VFs 0000:10:02.0-3     hostdev managed='no' (with sfc0)
#   eth2 0000:11:00.0  2 VFs, no IOMMU
#   eth3 0000:12:00.0  3 VFs: VF 0 shares its group with eno1 (e1000e), VF 1 joins eno2's (e1000e) by
#                      --iommu-group, VF 2 shares its group with an unbound function (viable)
#   eth4 0000:16:00.0  4 VFs                     passthrough
#   eth5 0000:17:00.0  4 VFs                     vepa, private, bridge over eth5v0, eth5v1, eth5v2
#   eth6 0000:18:00.0  4 VFs                     pci-passthrough-hybrid, managed='yes' (VFs 2 and 3 share a group)
#   eth7 0000:19:00.0  2 VFs without reset       hostdev managed='yes'; hybrid without managed
np_setup --default \
        --pf 'name=eth1,bdf=0000:10:00.0,model=x710,vfs=4' \
        --pf 'name=eth2,bdf=0000:11:00.0,model=x710,vfs=2,iommu=no' \
        --pf 'name=eth3,bdf=0000:12:00.0,model=x710,vfs=3' \
        --pf 'name=eth4,bdf=0000:16:00.0,model=x710,vfs=4' \
        --pf 'name=eth5,bdf=0000:17:00.0,model=x710,vfs=4' \
        --pf 'name=eth6,bdf=0000:18:00.0,model=x710,vfs=4' \
        --pf 'name=eth7,bdf=0000:19:00.0,model=x710,vfs=2,reset=no' \
        --add-function 'bdf=0000:13:00.0,name=eno1,group=0000:12:02.0' \
        --add-function 'bdf=0000:14:00.0,name=eno2' \
        --iommu-group 0000:12:02.1,0000:14:00.0 \
        --add-function 'bdf=0000:15:00.0,driver=none,group=0000:12:02.2' \
        --iommu-group 0000:03:02.6,0000:03:02.7 \
        --iommu-group 0000:18:02.2,0000:18:02.3
R=$NP_SIM
NP_OWNER_NAME=vm-plug NP_OWNER_UUID=18181818-0000-4000-8000-000000000018
M=/org/netpool1

# every VF starts with an admin MAC of its own and VLAN 0, so that a wrong restore shows
for pfdir in "$R"/vfstate/*/; do
        for vfdir in "$pfdir"vf*/; do
                n=${vfdir%/}
                n=${n##*vf}
                bus=$(basename "$pfdir" | cut -d: -f2)
                [ -d "$vfdir/p1" ] && printf '02:00:00:%s:00:%02x\n' "$bus" "$n" >"$vfdir/p1/mac"
        done
done

# ---- reading the sim host ----

fn() {          # fn BDF: the function's directory
        echo "$R/sys/bus/pci/devices/$1"
}
drv() {         # drv BDF: its driver, "none" when unbound
        local l
        l=$(readlink "$(fn "$1")/driver") && basename "$l" || echo none
}
grp() {         # grp BDF: its IOMMU group
        basename "$(readlink "$(fn "$1")/iommu_group")"
}
vf_bdf() {      # vf_bdf PFBDF N
        basename "$(readlink "$(fn "$1")/virtfn$2")"
}
vnet() {        # vnet NAME FILE: a file of a virtual netdev
        cat "$R/sys/devices/virtual/net/$1/$2" 2>/dev/null
}
vlower() {      # vlower NAME: the netdev a virtual netdev sits on
        local l
        l=$(readlink "$R/sys/devices/virtual/net/$1/lower") && basename "$l"
}
virtuals() {    # the virtual netdevs of the host, on one line
        echo $(ls "$R/sys/devices/virtual/net")
}
# snap PFBDF N: everything of a VF that a release or a rollback must give back, on a few lines
snap() {
        local bdf d nd
        bdf=$(vf_bdf "$1" "$2")
        d=$(fn "$bdf")
        echo "driver=$(drv "$bdf") override=$(cat "$d/driver_override")"
        for nd in "$d"/net/*; do
                [ -e "$nd" ] || continue
                echo "netdev=${nd##*/} address=$(cat "$nd/address") operstate=$(cat "$nd/operstate")" \
                        "class=$([ -e "$R/sys/class/net/${nd##*/}" ] && echo yes || echo no)"
        done
        echo "vf=$(np_vfst "$1" "$2")"
        [ -e "$R/vfstate/$1/vf$2/dirty" ] && echo dirty
        return 0
}
prop() {        # prop PORT-OBJECT PROPERTY: the value only
        busctl --system get-property org.netpool1 "$1" org.netpool1.Port "$2" | cut -d' ' -f2-
}
# plug_attrs XML-FILE: the attributes of <netpool:plug>, "k=v" sorted on one line ("none" without one)
plug_attrs() {
        "$NP_PY" - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
plug = ET.parse(sys.argv[1]).getroot().find("{urn:netpool:xml:1}plug")
print("none" if plug is None else " ".join(f"{k}={v}" for k, v in sorted(plug.attrib.items())))
PY
}
conns() {       # conns NETWORK: its Connections
        np_get_prop "$1" Connections
}
dev_state() {   # dev_state NETWORK PCI-ADDRESS: the state GetDevices gives the device at that address
        np_devices "$1" | awk -v a="$2" '$3 == a { print $6 }'
}
records() {     # port records and VF records on disk, on one line
        echo $(cd "$NP_DIR/run" && ls ports vf 2>/dev/null | grep -v ':$')
}

# ---- ports ----

n_port=0
# new_port [vlan=TAG] [extra=…]: the next port (UUID and MAC in $U, $MAC) in $NP_DIR/in.xml
new_port() {
        n_port=$((n_port + 1))
        U=$(printf '18000000-0000-4000-8000-%012d' "$n_port")
        MAC=$(printf '52:54:00:18:%02x:%02x' $((n_port / 256)) $((n_port % 256)))
        np_port_xml uuid="$U" mac="$MAC" "$@" >"$NP_DIR/in.xml"
}
results() {     # the result keys of the last np_awo, on one line
        echo $(sed -n 's|^result\.\([^=]*\)=.*|\1|p' "$NP_DIR/awo.out")
}
# refused DESCRIPTION ERROR-NAME NETWORK [OPTIONS...]: np_awo_refused; a port made all the same is released
# again, so that the checks after it still tell
refused() {
        np_awo_refused "$@"
        [ -z "$PORT" ] || np_release "$3" "$U"
}
release() {     # release NETWORK UUID: a check
        check "$1: port $2 released" np_release "$1" "$2"
}

np_define_start hd "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>"
np_define_start hdn "<forward mode='hostdev' managed='no'><pf dev='eth1'/><pf dev='sfc0'/></forward>"

# ==== hostdev, managed='yes' ====
PF0=0000:03:00.0
VF=0000:03:02.0
G=$(grp $VF)
before=$(snap $PF0 0)
echo "$before" | sed 's/^/# VF 0 before: /'
nodes_before=$(ls "$R/dev/vfio")
np_simhost --dirty $PF0 0       # what a guest left in the VF before: only a reset clears it
new_port vlan=42
np_awo_allocate "hostdev managed: AllocateWithOptions" hd device:s:$VF
expect_eq "hostdev managed: results" \
        "iommu-group=$G numa-node=0 pf=eth0 vf-index=0 vfio-group=$R/dev/vfio/$G" \
        "$(echo $(sed -n 's/^result\.//p' "$NP_DIR/awo.out" | grep -v '^vfio-device=' | sort))"
expect_eq "hostdev managed: the VF is on vfio-pci" vfio-pci "$(drv $VF)"
expect_eq "hostdev managed: its driver_override says vfio-pci" vfio-pci "$(cat "$(fn $VF)/driver_override")"
check "hostdev managed: the group node $R/dev/vfio/$G exists" test -e "$R/dev/vfio/$G"
expect_eq "hostdev managed: its host netdev is gone while bound" "" "$(ls "$(fn $VF)/net" 2>/dev/null)"
expect_eq "hostdev managed: MAC and VLAN set through the PF" "$MAC 42" "$(np_vfst $PF0 0 | cut -d' ' -f1-2)"
expect_eq "hostdev managed: Port PF, VFIndex, IOMMUGroup, TapName" \
        "\"eth0\"|0|$G|\"\"" "$(prop "$PORT" PF)|$(prop "$PORT" VFIndex)|$(prop "$PORT" IOMMUGroup)|$(prop "$PORT" TapName)"
expect_eq "hostdev managed: <netpool:plug> in the port XML" \
        "iommu-group=$G pf=eth0 vf-index=0 vfio-group=$R/dev/vfio/$G" \
        "$(plug_attrs "$NP_DIR/out.xml" | sed 's/ vfio-device=[^ ]*//')"
check "hostdev managed: the plug says managed='yes'" grep -q "managed='yes'" "$NP_DIR/out.xml"
busctl --system call org.netpool1 "$PORT" org.netpool1.Port GetXML t 0 >"$NP_DIR/getxml.out"
check "hostdev managed: Port.GetXML holds <netpool:plug> too" grep -qF "iommu-group=\\'$G\\'" "$NP_DIR/getxml.out"
expect_eq "hostdev managed: GetDevices says in-use" in-use "$(np_device_state hd $VF)"
release hd "$U"
expect_eq "hostdev managed: Release gives the VF back: driver, netdev with its name, MAC and state, settings;" \
        "$before" "$(snap $PF0 0)"
expect_eq "hostdev managed: the group node went with the binding" "$nodes_before" "$(ls "$R/dev/vfio")"
expect_eq "hostdev managed: no record left" "" "$(records)"
expect_eq "hostdev managed: the device is free" free "$(np_device_state hd $VF)"

# the netdev its driver makes comes back under another name (as a kernel names it before udev): netpoold
# gives it the name it had
VF1=0000:03:02.1
before=$(snap $PF0 1)
new_port
np_awo_allocate "hostdev managed: VF 1 allocated" hd device:s:$VF1
echo "enp3s2f1 0" >"$R/vfstate/$PF0/vf1/netdevs"
release hd "$U"
expect_eq "hostdev managed: the netdev is renamed back to its name, MAC and state as before" \
        "$before" "$(snap $PF0 1)"
echo "eth0v1 0" >"$R/vfstate/$PF0/vf1/netdevs"

# the default pick binds too, and Allocate (no options) does all of it as well
new_port
check "hostdev managed: plain Allocate binds too" np_allocate hd "$(cat "$NP_DIR/in.xml")"
expect_eq "hostdev managed: plain Allocate's VF is on vfio-pci" vfio-pci "$(drv $VF)"
release hd "$U"
expect_eq "hostdev managed: ... and back on iavf" iavf "$(drv $VF)"

# vfio-uid / vfio-gid: the group node is the uid's and gid's (0660) until Release, then as it was. VF 6 and VF 7
# share a group, so the node outlives the release of one of them.
if [ "$(id -u)" = 0 ]; then
        VF6=0000:03:02.6 VF7=0000:03:02.7
        G67=$(grp $VF6)
        new_port
        U6=$U
        np_awo_allocate "vfio owner: VF 6 bound, without a uid" hd device:s:$VF6
        node_before=$(stat -c '%u %g %a' "$R/dev/vfio/$G67")
        new_port
        np_awo_allocate "vfio owner: VF 7 (same group) with vfio-uid 4242 and vfio-gid 4343" hd device:s:$VF7 \
                vfio-uid:u:4242 vfio-gid:u:4343
        expect_eq "vfio owner: the node is 4242:4343, mode 660" "4242 4343 660" "$(stat -c '%u %g %a' "$R/dev/vfio/$G67")"
        release hd "$U"
        expect_eq "vfio owner: Release puts owner and mode back" "$node_before" \
                "$(stat -c '%u %g %a' "$R/dev/vfio/$G67")"
        release hd "$U6"
        new_port
        np_awo_allocate "vfio owner: vfio-gid alone" hd device:s:$VF vfio-gid:u:4343
        expect_eq "vfio owner: only the gid changes" "0 4343 660" "$(stat -c '%u %g %a' "$R/dev/vfio/$G")"
        release hd "$U"
else
        ok "vfio owner: skipped, not root # SKIP"
fi

# ==== hostdev, managed='no': the driver is left alone; the release still resets ====
PF1=0000:10:00.0
VFN=0000:10:02.0
before=$(snap $PF1 0)
np_simhost --dirty $PF1 0
new_port vlan=7
np_awo_allocate "hostdev unmanaged: AllocateWithOptions" hdn device:s:$VFN
expect_eq "hostdev unmanaged: results pf, vf-index and the NUMA node only" "numa-node=0 pf=eth1 vf-index=0" \
        "$(echo $(sed -n 's/^result\.//p' "$NP_DIR/awo.out" | sort))"
expect_eq "hostdev unmanaged: the driver is left as it is, netdev there" "iavf eth1v0" \
        "$(drv $VFN) $(ls "$(fn $VFN)/net")"
expect_eq "hostdev unmanaged: IOMMUGroup -1, VFIndex 0" "-1 0" "$(prop "$PORT" IOMMUGroup) $(prop "$PORT" VFIndex)"
expect_eq "hostdev unmanaged: <netpool:plug> without VFIO" "pf=eth1 vf-index=0" "$(plug_attrs "$NP_DIR/out.xml")"
release hdn "$U"
expect_eq "hostdev unmanaged: Release resets (dirty gone) and restores, driver untouched" "$before" "$(snap $PF1 0)"
# a VF without a netdev (sfc0's): pf names the PF
new_port
np_awo_allocate "hostdev unmanaged: option pf=sfc0" hdn pf:s:sfc0
expect_eq "hostdev unmanaged: the VF is sfc0's" "sfc0" "$(np_awo_res result.pf)"
release hdn "$U"

# ==== device states: VFs VFIO cannot take ====
np_define_start noiommu "<forward mode='hostdev' managed='yes'><pf dev='eth2'/></forward>"
expect_eq "no IOMMU: both VFs are unavailable in a managed hostdev network" "unavailable unavailable" \
        "$(echo $(np_devices noiommu | awk '{ print $6 }'))"
new_port
refused "no IOMMU: Allocate is PoolExhausted" org.netpool1.Error.PoolExhausted noiommu
np_says "no IOMMU: ... saying why" "no IOMMU group"
np_define_start viable "<forward mode='hostdev' managed='yes'><pf dev='eth3'/></forward>"
expect_eq "not viable: VF 0 (group with eno1 on e1000e), VF 1 (--iommu-group with eno2) unavailable, VF 2 free" \
        "0000:12:02.0 unavailable|0000:12:02.1 unavailable|0000:12:02.2 free" \
        "$(np_devices viable | awk '{ printf "%s%s %s", sep, $3, $6; sep = "|" }')"
new_port
np_awo_allocate "not viable: the viable VF is handed out" viable
expect_eq "not viable: it is VF 2, on vfio-pci" "2 vfio-pci" "$(np_awo_res result.vf-index) $(drv 0000:12:02.2)"
U_viable=$U
new_port
refused "not viable: the next Allocate is PoolExhausted" org.netpool1.Error.PoolExhausted viable
np_says "not viable: ... saying the group is not viable" "is not viable"
np_says "not viable: ... naming the function that shares it" "0000:13:00.0"
release viable "$U_viable"
np_define_start unmanaged "<forward mode='hostdev' managed='no'><pf dev='eth2'/><pf dev='eth3'/></forward>"
expect_eq "managed='no': the same VFs are free" "free free free free free" \
        "$(echo $(np_devices unmanaged | awk '{ print $6 }'))"
new_port
np_awo_allocate "managed='no': a VF without IOMMU group is handed out" unmanaged device:s:0000:11:02.0
expect_eq "managed='no': left on its driver" iavf "$(drv 0000:11:02.0)"
release unmanaged "$U"
new_port
np_awo_allocate "managed='no': a VF of a non-viable group is handed out" unmanaged device:s:0000:12:02.0
release unmanaged "$U"
for net in noiommu viable unmanaged; do np_stop $net; done

# ==== passthrough: a passthru macvtap over the VF's netdev ====
np_define_start pt "<forward mode='passthrough'><pf dev='eth4'/></forward>"
PF4=0000:16:00.0
virt_before=$(virtuals)
before=$(snap $PF4 0)
new_port
np_awo_allocate "passthrough: AllocateWithOptions (device: the netdev)" pt device:s:eth4v0
TAP=$(np_awo_res result.tap-name)
expect_eq "passthrough: results pf, vf-index, tap-name macvtap0" "numa-node=0 pf=eth4 tap-name=macvtap0 vf-index=0" \
        "$(echo $(sed -n 's/^result\.//p' "$NP_DIR/awo.out" | sort))"
expect_eq "passthrough: the macvtap: mode passthru, over eth4v0, the port's MAC, up" \
        "passthru eth4v0 $MAC up" "$(vnet macvtap0 mode) $(vlower macvtap0) $(vnet macvtap0 address) $(vnet macvtap0 operstate)"
check "passthrough: its class link and its tap device node exist" \
        test -e "$R/sys/class/net/macvtap0" -a -e "$R/dev/$(vnet macvtap0 tap)"
expect_eq "passthrough: the tap device is tapN, N the macvtap's ifindex" "tap$(vnet macvtap0 ifindex)" \
        "$(vnet macvtap0 tap)"
expect_eq "passthrough: the VF's netdev has the port's MAC; the VF too" "$MAC $MAC" \
        "$(cat "$R/sys/class/net/eth4v0/address") $(np_vfst $PF4 0 | cut -d' ' -f1)"
expect_eq "passthrough: Port TapName, PF, VFIndex" '"macvtap0" "eth4" 0' \
        "$(prop "$PORT" TapName) $(prop "$PORT" PF) $(prop "$PORT" VFIndex)"
expect_eq "passthrough: <netpool:plug tap=…>" "pf=eth4 tap=macvtap0 vf-index=0" "$(plug_attrs "$NP_DIR/out.xml")"
U_pt0=$U
before1=$(snap $PF4 1)
new_port
np_awo_allocate "passthrough: tap-name and tap-fd" pt tap-name:s:vm1-net0 tap-fd:b:true
expect_eq "passthrough: the name asked for" "vm1-net0 eth4v1 passthru" \
        "$(np_awo_res result.tap-name) $(vlower vm1-net0) $(vnet vm1-net0 mode)"
expect_eq "passthrough: the fd is the macvtap's tap device, and takes a write" \
        "fd $R/dev/$(vnet vm1-net0 tap) 64" \
        "$(np_awo_res result.tap-fd) $(np_awo_res tap-fd.target) $(np_awo_res tap-fd.written)"
U_pt1=$U
new_port
check "passthrough: plain Allocate makes the macvtap too" np_allocate pt "$(cat "$NP_DIR/in.xml")"
expect_eq "passthrough: the first free name, macvtap1, read back from TapName" '"macvtap1" passthru' \
        "$(prop "$(np_port_path "$U")" TapName) $(vnet macvtap1 mode)"
U_pt2=$U
before3=$(snap $PF4 3)
new_port
refused "passthrough: a tap-name that is taken is refused before anything changes" org.netpool1.Error.InvalidArgument pt \
        tap-name:s:macvtap0
np_says "passthrough: ... naming it" "macvtap0"
new_port
refused "passthrough: a tap-name that is a PCI netdev's is refused" org.netpool1.Error.InvalidArgument pt \
        tap-name:s:eth5v3
refused "passthrough: a tap-name that is no netdev name is InvalidArgument" org.netpool1.Error.InvalidArgument pt \
        tap-name:s:a/b
expect_eq "passthrough: the refusals left VF 3 as it was, no port" "$before3|3" "$(snap $PF4 3)|$(conns pt)"
release pt "$U_pt0"
expect_eq "passthrough: Release deleted macvtap0 (directory, class link, tap node)" "no no" \
        "$([ -e "$R/sys/devices/virtual/net/macvtap0" ] && echo yes || echo no) $([ -e "$R/sys/class/net/macvtap0" ] && echo yes || echo no)"
expect_eq "passthrough: the VF and its netdev's MAC are as before" "$before" "$(snap $PF4 0)"
release pt "$U_pt1"
release pt "$U_pt2"
expect_eq "passthrough: every macvtap and tap node is gone" "$virt_before|" \
        "$(virtuals)|$(ls "$R/dev" | grep '^tap')"
expect_eq "passthrough: VF 1 as before" "$before1" "$(snap $PF4 1)"

# ==== private, vepa, bridge: a macvtap over the shared device, which stays untouched ====
PF5=0000:17:00.0
np_define_start vepa1 "<forward mode='vepa'><interface dev='eth5v0'/></forward>"
np_define_start priv1 "<forward mode='private'><interface dev='eth5v1'/></forward>"
np_define_start br1 "<forward mode='bridge'><interface dev='eth5v2'/></forward>"
np_define_start vepasfc "<forward mode='vepa'><interface dev='sfc0'/></forward>"
for spec in vepa1:vepa:eth5v0:0 priv1:private:eth5v1:1 br1:bridge:eth5v2:2; do
        IFS=: read -r net mode lower vfn <<<"$spec"
        before=$(snap $PF5 "$vfn")
        new_port
        np_awo_allocate "$mode: port 1" "$net"
        tap1=$(np_awo_res result.tap-name) mac1=$MAC u1=$U
        expect_eq "$mode: results pf, vf-index (the device is a VF), tap-name" "eth5 $vfn" \
                "$(np_awo_res result.pf) $(np_awo_res result.vf-index)"
        new_port
        np_awo_allocate "$mode: port 2 on the same device, with tap-fd" "$net" tap-fd:b:true
        tap2=$(np_awo_res result.tap-name)
        expect_eq "$mode: two macvtaps in mode $mode over $lower, each with its port's MAC" \
                "$mode $lower $mac1|$mode $lower $MAC" \
                "$(vnet "$tap1" mode) $(vlower "$tap1") $(vnet "$tap1" address)|$(vnet "$tap2" mode) $(vlower "$tap2") $(vnet "$tap2" address)"
        expect_eq "$mode: the fd takes a write" 64 "$(np_awo_res tap-fd.written)"
        expect_eq "$mode: the shared device is untouched" "$before" "$(snap $PF5 "$vfn")"
        release "$net" "$u1"
        release "$net" "$U"
        expect_eq "$mode: both macvtaps deleted" "$virt_before" "$(virtuals)"
done
new_port
np_awo_allocate "vepa over a PF netdev (sfc0)" vepasfc
expect_eq "vepa over sfc0: the NUMA node and tap-name only in the results; PF \"\", VFIndex -1" \
        "numa-node tap-name|\"\" -1|sfc0" \
        "$(results)|$(prop "$PORT" PF) $(prop "$PORT" VFIndex)|$(vlower "$(np_awo_res result.tap-name)")"
release vepasfc "$U"
for net in vepa1 priv1 br1 vepasfc; do np_stop $net; done

# ==== pci-passthrough-hybrid: the VF on vfio-pci, and the virtio path: a macvtap over the PF ====
PF6=0000:18:00.0
np_define_start hy "<forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='eth6'/></forward>"
before=$(snap $PF6 0)
new_port
np_awo_allocate "hybrid: AllocateWithOptions" hy tap-fd:b:true
T=$(np_awo_res result.tap-name)
expect_eq "hybrid: results" "iommu-group numa-node pf tap-fd tap-name vf-index vfio-group" \
        "$(results | tr ' ' '\n' | grep -v '^vfio-device$' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "hybrid: the VF is on vfio-pci" "vfio-pci 0" "$(drv 0000:18:02.0) $(np_awo_res result.vf-index)"
expect_eq "hybrid: the macvtap is over the PF netdev, vepa, with the port's MAC" "eth6 vepa $MAC" \
        "$(vlower "$T") $(vnet "$T" mode) $(vnet "$T" address)"
expect_eq "hybrid: the tap fd takes a write" 64 "$(np_awo_res tap-fd.written)"
check "hybrid: <netpool:plug> names the tap and the group, no VLAN device" \
        grep -qx "iommu-group=$(grp 0000:18:02.0) pf=eth6 tap=$T vf-index=0 vfio-group=$R/dev/vfio/$(grp 0000:18:02.0)" \
        <(plug_attrs "$NP_DIR/out.xml" | sed 's/ vfio-device=[^ ]*//')
release hy "$U"
expect_eq "hybrid: Release deleted the macvtap and gave the VF back" "$virt_before|$before" "$(virtuals)|$(snap $PF6 0)"

# with a port VLAN: a VLAN device eth6.42 under the macvtap, shared by the ports on that VLAN, deleted after
# the last of them
new_port vlan=42
np_awo_allocate "hybrid VLAN: port A on VLAN 42" hy
ua=$U ta=$(np_awo_res result.tap-name)
expect_eq "hybrid VLAN: the VF's VLAN is 42" 42 "$(np_vfst $PF6 0 | cut -d' ' -f2)"
expect_eq "hybrid VLAN: a VLAN device eth6.42 (VLAN 42 over eth6, up) under the macvtap" \
        "eth6.42|42 eth6 up" "$(vlower "$ta")|$(vnet eth6.42 vlan_id) $(vlower eth6.42) $(vnet eth6.42 operstate)"
expect_eq "hybrid VLAN: <netpool:plug vlan-device='eth6.42'>" "eth6.42" \
        "$(plug_attrs "$NP_DIR/out.xml" | tr ' ' '\n' | sed -n 's/^vlan-device=//p')"
new_port vlan=42
np_awo_allocate "hybrid VLAN: port B on VLAN 42" hy
ub=$U tb=$(np_awo_res result.tap-name)
expect_eq "hybrid VLAN: B's macvtap is over the same eth6.42" eth6.42 "$(vlower "$tb")"
release hy "$ua"
expect_eq "hybrid VLAN: after A's release eth6.42 stays for B, A's macvtap is gone" "42 no" \
        "$(vnet eth6.42 vlan_id) $([ -e "$R/sys/class/net/$ta" ] && echo yes || echo no)"
release hy "$ub"
expect_eq "hybrid VLAN: after the last release eth6.42 is gone" "$virt_before" "$(virtuals)"
# a VLAN device the host made itself is used and left
vd=$R/sys/devices/virtual/net/eth6.7
mkdir -p "$vd"
cat "$R/sys/class/net/eth6/address" >"$vd/address"
echo 9000 >"$vd/ifindex"
echo up >"$vd/operstate"
echo 1500 >"$vd/mtu"
echo 7 >"$vd/vlan_id"
ln -s ../../../pci0000:00/$PF6/net/eth6 "$vd/lower"
ln -s ../../devices/virtual/net/eth6.7 "$R/sys/class/net/eth6.7"
new_port vlan=7
np_awo_allocate "hybrid admin VLAN: a port on VLAN 7 while the host has eth6.7" hy
expect_eq "hybrid admin VLAN: its macvtap sits on the host's eth6.7" eth6.7 "$(vlower "$(np_awo_res result.tap-name)")"
release hy "$U"
check "hybrid admin VLAN: eth6.7 is left after the release" test -e "$vd/vlan_id" -a -e "$R/sys/class/net/eth6.7"
rm -rf "$vd" "$R/sys/class/net/eth6.7"         # the host removes its own
np_define_start hyb "<forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='eth6'/><virtio mode='bridge'/></forward>"
new_port
np_awo_allocate "hybrid <virtio mode='bridge'>: allocated" hyb tap-name:s:hyb-tap
expect_eq "hybrid <virtio mode='bridge'>: a bridge macvtap named as asked" "bridge eth6" \
        "$(vnet hyb-tap mode) $(vlower hyb-tap)"
release hyb "$U"
np_stop hyb

# hybrid without managed='yes': the VF stays on its driver, the virtio path is made all the same
PF7=0000:19:00.0
np_define_start hyn "<forward mode='pci-passthrough-hybrid'><pf dev='eth7'/></forward>"
before=$(snap $PF7 0)
new_port
np_awo_allocate "hybrid unmanaged: allocated" hyn device:s:0000:19:02.0
hyn_tap=$(np_awo_res result.tap-name)
expect_eq "hybrid unmanaged: the VF stays on iavf; a vepa macvtap over eth7; no VFIO results" \
        "iavf vepa eth7|numa-node pf tap-name vf-index" \
        "$(drv 0000:19:02.0) $(vnet "$hyn_tap" mode) $(vlower "$hyn_tap")|$(results)"
release hyn "$U"
expect_eq "hybrid unmanaged: released, all as before" "$before|$virt_before" "$(snap $PF7 0)|$(virtuals)"
new_port
refused "hybrid unmanaged: vfio-uid is InvalidArgument" org.netpool1.Error.InvalidArgument hyn vfio-uid:u:1000
np_stop hyn
# hybrid with managed='yes' over VFs without IOMMU group: unavailable there too
np_define_start hynoiommu "<forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='eth2'/></forward>"
expect_eq "hybrid managed, no IOMMU: the VFs are unavailable" "unavailable unavailable" \
        "$(echo $(np_devices hynoiommu | awk '{ print $6 }'))"
np_stop hynoiommu
# a VF without a reset file is not reset, and that is no failure
np_define_start hdnoreset "<forward mode='hostdev' managed='yes'><pf dev='eth7'/></forward>"
before=$(snap $PF7 1)
new_port
np_awo_allocate "no reset file: allocated" hdnoreset device:s:0000:19:02.1
release hdnoreset "$U"
expect_eq "no reset file: released, given back, free" "$before|free" \
        "$(snap $PF7 1)|$(dev_state hdnoreset 0000:19:02.1)"
np_stop hdnoreset

# Stop with FORCE releases every port, plug and all
new_port vlan=42
np_awo_allocate "stop force: a hybrid port on VLAN 42" hy
new_port
np_awo_allocate "stop force: a second hybrid port" hy tap-name:s:hy-second
check "stop force: Stop FORCE" np_stop hy 1
expect_eq "stop force: no macvtap, no VLAN device, no record, VFs back on iavf" "$virt_before||iavf iavf" \
        "$(virtuals)|$(records)|$(drv 0000:18:02.0) $(drv 0000:18:02.1)"
np_start hy

# ==== options that do not fit, unknown, of the wrong type; device and pf ====
for spec in "hd|frobnicate:s:x|InvalidArgument|frobnicate" \
        "hd|tap-fd:s:true|InvalidArgument|tap-fd" \
        "hd|vfio-uid:i:1000|InvalidArgument|vfio-uid" \
        "hd|device:u:3|InvalidArgument|device" \
        "hd|tap-name:s:x0|InvalidArgument|hostdev" \
        "hd|tap-fd:b:true|InvalidArgument|hostdev" \
        "hdn|vfio-uid:u:1000|InvalidArgument|managed" \
        "pt|vfio-gid:u:1000|InvalidArgument|passthrough" \
        "hd|numa-node:i:-1|InvalidArgument|numa-node" \
        "hd|claim:s:clé|InvalidArgument|claim" \
        "hd|numa-policy:s:required|InvalidArgument|numa-policy" \
        "hd|owner-pidfd:h:0|InvalidArgument|pidfd"; do
        IFS='|' read -r net opt err word <<<"$spec"
        new_port
        refused "option $opt on $net: $err" "org.netpool1.Error.$err" "$net" "$opt"
        np_says "option $opt on $net: the message names '$word'" "$word"
done
new_port
check "option tap-name given twice: refused (busctl)" \
        bash -c '! busctl --system call org.netpool1 "$1" org.netpool1.Network AllocateWithOptions "sa{sv}t" "$2" \
                2 tap-name s one tap-name s two 0' - "$(np_net_path pt)" "$(cat "$NP_DIR/in.xml")"
np_says "option tap-name given twice: the message says so" "twice"
expect_eq "options refused: no port anywhere, nothing bound, no macvtap" "0 0 0|iavf|$virt_before|" \
        "$(conns hd) $(conns hdn) $(conns pt)|$(drv $VF)|$(virtuals)|$(records)"
new_port
refused "device: not in the pool is DeviceNotFound" org.netpool1.Error.DeviceNotFound hd device:s:0000:05:00.1
new_port
np_awo_allocate "device: VF 3" hd device:s:0000:03:02.3
u3=$U
new_port
refused "device: held is DeviceBusy" org.netpool1.Error.DeviceBusy hd device:s:0000:03:02.3
release hd "$u3"
sfc_ports=
for i in 1 2 3 4; do
        new_port
        np_awo hdn pf:s:sfc0 && [ "$(np_awo_res result.pf)" = sfc0 ] && sfc_ports+=" $U"
done
expect_eq "pf: four ports on sfc0's four VFs" 4 "$(echo $sfc_ports | wc -w)"
new_port
refused "pf: sfc0 has no free VF left: PoolExhausted (eth1's are free)" org.netpool1.Error.PoolExhausted hdn pf:s:sfc0
for u in $sfc_ports; do np_release hdn "$u"; done
expect_eq "pf: released" 0 "$(conns hdn)"

# ==== faults: each leaves nothing half-done ====
# nothing_left DESCRIPTION PFBDF N BEFORE NETWORK: the VF as before, no port, no record (but those in
# $rec_before), no virtual netdev but those in $virt_before
rec_before=
nothing_left() {
        expect_eq "$1: the VF as it was (driver, netdev, MAC, settings), no port, no record, no macvtap" \
                "$4|0|$rec_before|$virt_before|free" \
                "$(snap "$2" "$3")|$(conns "$5")|$(records)|$(virtuals)|$(dev_state "$5" "$(vf_bdf "$2" "$3")")"
}
VF2=0000:03:02.2
before=$(snap $PF0 2)
for fault in "bind EBUSY 1" "bind IGNORE 1" "unbind EPERM 1" "unbind IGNORE 1"; do
        np_simhost --fail $PF0 2 "$fault"
        new_port vlan=5
        refused "fault '$fault': HardwareError" org.netpool1.Error.HardwareError hd device:s:$VF2
        np_says "fault '$fault': the message names the VF" "$VF2"
        nothing_left "fault '$fault'" $PF0 2 "$before" hd
        expect_eq "fault '$fault': the fault line was used" "" "$(cat "$R/vfstate/$PF0/vf2/fail" 2>/dev/null)"
done
new_port vlan=5
np_awo_allocate "faults used up: VF 2 binds" hd device:s:$VF2
expect_eq "faults used up: on vfio-pci" vfio-pci "$(drv $VF2)"
# a reset that fails at Release: the release goes through, the VF is not handed out until a retry resets it
np_simhost --dirty $PF0 2 --fail $PF0 2 "reset EPERM 1"
check "fault 'reset EPERM 1': Release goes through" np_release hd "$U"
st=$(np_device_state hd $VF2)
expect_eq "fault 'reset EPERM 1': the VF is quarantined (dbus-api.md: a failed reset)" quarantined "$st"
new_port
np_awo hd device:s:$VF2
expect_eq "fault 'reset EPERM 1': it is not handed out" "" "$(np_awo_res port)"
np_ctl rescan >/dev/null 2>&1
for _ in $(seq 50); do [ "$(np_device_state hd $VF2)" = free ] && break; sleep 0.1; done
expect_eq "fault 'reset EPERM 1': after a Rescan it is reset (dirty gone), given back and free" "$before|free" \
        "$(snap $PF0 2)|$(np_device_state hd $VF2)"

# the macvtap refused, or reported made and not there: rolled back, the VF's netdev MAC too
before=$(snap $PF4 1)
for fault in "macvtap EPERM 1|tap-fd:b:true" "macvtap IGNORE 1|tap-name:s:macvtap0"; do
        opt=${fault#*|} fault=${fault%|*}
        np_simhost --fail $PF4 1 "$fault"
        new_port
        refused "fault '$fault': HardwareError" org.netpool1.Error.HardwareError pt device:s:eth4v1 "$opt"
        np_says "fault '$fault': the message names the macvtap" "macvtap0"
        nothing_left "fault '$fault'" $PF4 1 "$before" pt
done
# hybrid: the bind refused: no macvtap made either
before=$(snap $PF6 0)
np_simhost --fail $PF6 0 "bind EPERM 1"
new_port vlan=42
refused "hybrid, fault 'bind EPERM 1': HardwareError" org.netpool1.Error.HardwareError hy device:s:0000:18:02.0
nothing_left "hybrid, fault 'bind EPERM 1'" $PF6 0 "$before" hy
# hybrid: the VLAN device's name is taken by a netdev that is no VLAN device (a vepa port's macvtap)
np_define_start vepa1 "<forward mode='vepa'><interface dev='eth5v0'/></forward>"
new_port
np_awo_allocate "hybrid, VLAN name taken: a vepa macvtap called eth6.43" vepa1 tap-name:s:eth6.43
uv=$U
virt_before=$(virtuals) rec_before=$(records)
new_port vlan=43
refused "hybrid, VLAN name taken: HardwareError" org.netpool1.Error.HardwareError hy device:s:0000:18:02.0
np_says "hybrid, VLAN name taken: the message names it" "eth6.43"
nothing_left "hybrid, VLAN name taken" $PF6 0 "$before" hy
expect_eq "hybrid, VLAN name taken: the vepa port's macvtap is untouched" "vepa eth5v0" \
        "$(vnet eth6.43 mode) $(vlower eth6.43)"
release vepa1 "$uv"
virt_before=$(virtuals) rec_before=
np_stop vepa1

# ==== tap-fd asked over a connection that takes no fds ====
before=$(snap $PF4 0)
new_port
out=$(timeout 60 "$NP_NOFD_CALLER" "$(np_net_path pt)" "$(cat "$NP_DIR/in.xml")" 30 2>&1)
echo "# $out"
expect_eq "no fds: InvalidArgument" "error org.netpool1.Error.InvalidArgument" "${out%%:*}"
nothing_left "no fds" $PF4 0 "$before" pt
expect_error "no fds: no port" org.netpool1.Error.NoSuchPort np_send $M Manager.LookupPort string:"$U" uint64:0

# ==== Notify with <netpool:plug tap=…> ====
new_port
np_awo_allocate "notify: a passthrough port" pt device:s:eth4v0
cp "$NP_DIR/out.xml" "$NP_DIR/notify.xml"
T=$(np_awo_res result.tap-name) un=$U
# the state dir lost the port (its record and the VF's): netpoold knows nothing of it, the macvtap is still there
np_kill9
rm -f "$NP_DIR/run/ports/$un.xml" "$NP_DIR/run/vf/eth4_vf0"
expect_eq "notify: after the state is lost the port is unknown, its macvtap still there" "0 passthru" \
        "$(conns pt) $(vnet "$T" mode)"
sed -e "s|<mac address='[^']*'/>|<mac address='52:54:00:ee:ee:ee'/>|" "$NP_DIR/notify.xml" >"$NP_DIR/notify-mac.xml"
expect_error "notify: the port's macvtap claimed by a port of another MAC is refused" org.netpool1.Error.InvalidArgument \
        np_send "$(np_net_path pt)" Network.Notify string:"$(cat "$NP_DIR/notify-mac.xml")" uint64:0
expect_eq "notify: and nothing registered" 0 "$(conns pt)"
check "notify: Notify with the XML Allocate returned is accepted" \
        busctl --system call org.netpool1 "$(np_net_path pt)" org.netpool1.Network Notify st "$(cat "$NP_DIR/notify.xml")" 0
expect_eq "notify: the port has its macvtap again (TapName)" "\"$T\"" "$(prop "$(np_port_path "$un")" TapName)"
check "notify: a second Notify of the same port gives it back (idempotent)" \
        busctl --system call org.netpool1 "$(np_net_path pt)" org.netpool1.Network Notify st "$(cat "$NP_DIR/notify.xml")" 0
expect_eq "notify: still one port" 1 "$(conns pt)"
release pt "$un"
check "notify: its Release deleted the macvtap" test ! -e "$R/sys/devices/virtual/net/$T"
# a tap that is no macvtap over the port's device is refused
new_port
np_awo_allocate "notify: a hybrid port, whose macvtap is over eth6" hy
uh=$U th=$(np_awo_res result.tap-name)
n_port=$((n_port + 1))
ux=$(printf '18000000-0000-4000-8000-%012d' "$n_port")
for tap in eth5v3 "$th"; do
        sed -e "s|$un|$ux|" -e "s|tap='$T'|tap='$tap'|" "$NP_DIR/notify.xml" >"$NP_DIR/notify2.xml"
        expect_error "notify: tap='$tap' (no macvtap over eth4v0) is refused" org.netpool1.Error \
                np_send "$(np_net_path pt)" Network.Notify string:"$(cat "$NP_DIR/notify2.xml")" uint64:0
        expect_eq "notify: tap='$tap': no port, $th untouched" "0|eth6" "$(conns pt)|$(vlower "$th")"
done
release hy "$uh"
expect_eq "notify: nothing left" "$virt_before|" "$(virtuals)|$(records)"

# ==== kill -9 at every step of Allocate and Release ====
# restart_with [VAR=value]: the next call activates a daemon with that environment. A killed daemon has let go
# of the bus once its name is gone (waiting for the process to be reaped costs a second a time).
restart_with() {
        local pid
        pid=$(np_daemon_pid)
        if [ -n "$pid" ]; then
                kill -9 "$pid"
                for _ in $(seq 200); do
                        np_has_owner org.netpool1 || break
                        sleep 0.02
                done
        fi
        NP_ENV=${1:-} np_write_service
}
# crash_state NET KIND PFBDF VF: after a restart, the port $U is either all there (active, the VF bound or its
# macvtap made, MAC set) or all gone (the VF as in $before, no macvtap or VLAN device, no record); which one is
# left in $got
crash_state() {
        local net=$1 kind=$2 pf=$3 vf=$4 bdf tap
        bdf=$(vf_bdf "$pf" "$vf")
        if ! busctl --system call org.netpool1 $M org.netpool1.Manager LookupPort st "$U" 0 >/dev/null 2>&1; then
                got=gone
                expect_eq "$step on $net: gone: the VF as before, no macvtap/VLAN device, no record, free" \
                        "$before|$virt_before||free" \
                        "$(snap "$pf" "$vf")|$(virtuals)|$(records)|$(dev_state "$net" "$bdf")"
                return
        fi
        got=active
        tap=$(prop "$(np_port_path "$U")" TapName | tr -d '"')
        case $kind in
        hostdev) expect_eq "$step on $net: active: on vfio-pci, group node there, MAC set, in-use" \
                        "vfio-pci yes $MAC in-use" \
                        "$(drv "$bdf") $([ -e "$R/dev/vfio/$(grp "$bdf")" ] && echo yes) $(np_vfst "$pf" "$vf" | cut -d' ' -f1) $(dev_state "$net" "$bdf")" ;;
        passthrough) expect_eq "$step on $net: active: its passthru macvtap over the VF netdev, MAC set, in-use" \
                        "passthru eth4v0 $MAC $MAC in-use" \
                        "$(vnet "$tap" mode) $(vlower "$tap") $(vnet "$tap" address) $(np_vfst "$pf" "$vf" | cut -d' ' -f1) $(dev_state "$net" "$bdf")" ;;
        hybrid) expect_eq "$step on $net: active: on vfio-pci, its macvtap over eth6.42 (VLAN 42), MAC set, in-use" \
                        "vfio-pci vepa eth6.42 42 $MAC in-use" \
                        "$(drv "$bdf") $(vnet "$tap" mode) $(vlower "$tap") $(vnet eth6.42 vlan_id) $(np_vfst "$pf" "$vf" | cut -d' ' -f1) $(dev_state "$net" "$bdf")" ;;
        esac
}
for spec in "hd hostdev $PF0 0 device:s:0000:03:02.0" "pt passthrough $PF4 0 device:s:eth4v0" \
        "hy hybrid $PF6 0 device:s:0000:18:02.0"; do
        read -r net kind pf vf opt <<<"$spec"
        restart_with
        before=$(snap "$pf" "$vf")
        vlan=
        [ $kind = hybrid ] && vlan=42
        steps="allocate-recorded vf-saved vf-mac-set allocate-configured allocate-done"
        [ $kind != passthrough ] && steps+=" allocate-bound"
        [ $kind != hostdev ] && steps+=" allocate-macvtap"
        # passthrough: its first record comes with the lower taken (MAC and state before): up to it the VF record
        # alone undoes all; after it, the lower's MAC and state come back from the port record
        [ $kind = passthrough ] && steps+=" allocate-lower"
        [ $kind = hybrid ] && steps+=" allocate-vlan"
        for step in $steps; do
                new_port ${vlan:+vlan=$vlan}
                restart_with NETPOOL_CRASH_AT=$step
                np_awo "$net" "$opt"
                expect_eq "$step on $net: netpoold died in the call" "error=org.freedesktop.DBus.Error.NoReply" \
                        "$(grep '^error=' "$NP_DIR/awo.out" || head -1 "$NP_DIR/awo.out")"
                restart_with
                want=gone
                [ $step = allocate-done ] && want=active
                crash_state "$net" $kind "$pf" "$vf"
                expect_eq "$step on $net: after the restart the port is $want" $want "$got"
                if [ $want = active ]; then
                        release "$net" "$U"
                        expect_eq "$step on $net: released, all as before" "$before|$virt_before|" \
                                "$(snap "$pf" "$vf")|$(virtuals)|$(records)"
                fi
        done
        for step in release-recorded release-unplugged vf-restored-mac release-restored release-done; do
                new_port ${vlan:+vlan=$vlan}
                restart_with
                np_awo "$net" "$opt" || sed 's/^/# /' "$NP_DIR/awo.out"
                restart_with NETPOOL_CRASH_AT=$step
                if np_release "$net" "$U" 2>/dev/null; then
                        not_ok "$step on $net: netpoold died in Release"
                else
                        ok "$step on $net: netpoold died in Release"
                fi
                restart_with
                crash_state "$net" $kind "$pf" "$vf"
                expect_eq "$step on $net: after the restart the release is finished" gone "$got"
        done
done

# the group node given to a uid survives a crash: rolled back to its owner before, or kept and put back at Release
# (VF 2 and VF 3 of eth6 share a group: VF 2's port keeps the node while VF 3's comes and goes)
if [ "$(id -u)" = 0 ]; then
        restart_with
        new_port
        np_awo_allocate "vfio owner, crash: VF 2 of eth6 bound" hy device:s:0000:18:02.2
        u2=$U
        node=$R/dev/vfio/$(grp 0000:18:02.2)
        node_before=$(stat -c '%u %g %a' "$node")
        for step in allocate-macvtap allocate-done; do
                new_port
                restart_with NETPOOL_CRASH_AT=$step
                np_awo hy device:s:0000:18:02.3 vfio-uid:u:4242 vfio-gid:u:4343
                expect_eq "vfio owner, crash at $step: netpoold died in the call" \
                        "error=org.freedesktop.DBus.Error.NoReply" "$(grep '^error=' "$NP_DIR/awo.out")"
                restart_with
                if [ $step = allocate-done ]; then
                        expect_eq "vfio owner, crash at $step: the port is there, the node still 4242's" \
                                "4242 4343 660" "$(np_get_prop hy Connections >/dev/null; stat -c '%u %g %a' "$node")"
                        release hy "$U"
                fi
                expect_eq "vfio owner, crash at $step: the node's owner and mode are back" "$node_before|1" \
                        "$(np_get_prop hy Connections >/dev/null; stat -c '%u %g %a' "$node")|$(conns hy)"
        done
        release hy "$u2"
fi

# the port record lost while the VF was bound (and the hybrid's macvtap and VLAN device made): at start the VF
# whose record names its driver is given back, the VLAN device netpool made is deleted
for spec in "hd $PF0 0 device:s:0000:03:02.0" "hy $PF6 0 device:s:0000:18:02.0"; do
        read -r net pf vf opt <<<"$spec"
        restart_with
        before=$(snap "$pf" "$vf")
        new_port vlan=42
        np_awo_allocate "lost port record on $net: allocated" "$net" "$opt"
        restart_with
        rm -f "$NP_DIR/run/ports/$U.xml"
        expect_eq "lost port record on $net: at the next start the VF is given back, no VLAN device, no record" \
                "$before|$virt_before|" "$(np_get_prop "$net" Connections >/dev/null; snap "$pf" "$vf")|$(virtuals)|$(records)"
done

# the VF vanishes under a passthrough port: its macvtap goes with it, and the Release goes through
restart_with
new_port
np_awo_allocate "VF gone: a passthrough port on VF 3 of eth4" pt device:s:eth4v3
T=$(np_awo_res result.tap-name)
np_simhost --set-numvfs $PF4 3
for _ in $(seq 50); do [ "$(np_devices pt | awk '$2 == "eth4v3" { print $6 }')" = lost ] && break; sleep 0.1; done
check "VF gone: its Release goes through" np_release pt "$U"
expect_eq "VF gone: no macvtap, no port" "$virt_before|0" "$(virtuals)|$(conns pt)"

np_done
