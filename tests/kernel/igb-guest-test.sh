#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the igb testbed VM (run-igb-testbed.sh) as root, after /init has loaded igb and igbvf (vfio-pci
# and macvtap are left to modprobe) and started udevd and the system bus: first the hw layer's plug alone
# (test-hw-linux-kernel's igb cases), then netpoold with the linux backend on the real /sys of an emulated
# Intel 82576, activated through the project's activation file, driven with netpoolctl; every result is
# compared with what the kernel shows (/sys, ip link). TAP on stdout.
set -u

IP=/usr/sbin/ip         # iproute2's: busybox's ip prints no VF lines
NETPOOLD=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' /usr/share/dbus-1/system-services/org.netpool1.service)

# ok, not_ok, check, expect_eq, np_done: the TAP of every shell test, copied here by run-igb-testbed.sh
source "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# wait_for SECONDS COMMAND...: until COMMAND succeeds, polled every 0.2 s
wait_for() {
        local limit=$(($1 * 5)) i
        shift
        for ((i = 0; i < limit; i++)); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.2
        done
        return 1
}

# ---- The PF and its VFs as /sys shows them ----

pf_of_igb() {
        local d
        for d in /sys/class/net/*; do
                if [ "$(cat "$d/device/vendor" 2>/dev/null):$(cat "$d/device/device" 2>/dev/null)" = 0x8086:0x10c9 ]
                then
                        basename "$d"
                        return
                fi
        done
}

vf_dir() {
        echo "$PFDEV/virtfn$1"
}

vf_pci() {
        basename "$(readlink -f "$(vf_dir "$1")")"
}

vf_driver() {
        local drv
        drv=$(readlink "$(vf_dir "$1")/driver") && basename "$drv"
}

vf_netdev() {
        ls "$(vf_dir "$1")/net" 2>/dev/null | head -n1
}

# every VF up to N has a netdev from igbvf
vfs_ready() {
        local i
        for ((i = 0; i < $1; i++)); do
                [ "$(vf_driver "$i")" = igbvf ] && [ -n "$(vf_netdev "$i")" ] || return 1
        done
}

carrier_up() {
        [ "$(cat "/sys/class/net/$PF/carrier" 2>/dev/null)" = 1 ]
}

# VF N's VLAN as the PF reports it, 0 for none
vf_vlan() {
        $IP link show dev "$PF" | grep -E "^ +vf $1 " | grep -oE ', vlan [0-9]+' | grep -oE '[0-9]+$' || echo 0
}

# VF N as the PF reports it: "mac=… vlan=… spoofchk=… trust=…"
vf_config() {
        local s
        s=$($IP link show dev "$PF" | grep -E "^ +vf $1 ")
        printf 'mac=%s vlan=%s spoofchk=%s trust=%s\n' \
                "$(echo "$s" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)" "$(vf_vlan "$1")" \
                "$(echo "$s" | grep -oE 'spoof checking (on|off)' | cut -d' ' -f3)" \
                "$(echo "$s" | grep -oE 'trust (on|off)' | cut -d' ' -f2)"
}

# The original configuration of every VF, made distinct from the driver's defaults (spoofchk on, trust off,
# no VLAN) so that a restore that forgets one shows
declare -a ORIG
set_originals() {
        local i mac
        for ((i = 0; i < $1; i++)); do
                mac=$(printf '02:00:00:00:%02x:%02x' "$2" "$i")
                # right after sriov_numvfs the PF may still be in reset: retry
                wait_for 10 $IP link set dev "$PF" vf "$i" mac "$mac" vlan $((100 + i)) spoofchk off trust on ||
                        echo "# cannot set VF $i's original configuration"
                ORIG[i]="mac=$mac vlan=$((100 + i)) spoofchk=off trust=on"
        done
}

# the VF index whose PCI address or netdev is DEVICE
vf_index_of() {
        local i
        for ((i = 0; i < $(cat "$PFDEV/sriov_numvfs"); i++)); do
                if [ "$(vf_pci "$i")" = "$1" ] || [ "$(vf_netdev "$i")" = "$1" ]; then
                        echo "$i"
                        return
                fi
        done
}

set_numvfs() {
        echo "$1" >"$PFDEV/sriov_numvfs"
}

# rebind PCI-ADDRESS DRIVER: what a hypervisor does on a managed='no' network (DRIVER "" gives the VF back to igbvf)
rebind() {
        local d=/sys/bus/pci/devices/$1
        echo "$2" >"$d/driver_override"
        [ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
        echo "$1" >/sys/bus/pci/drivers_probe
}

# ---- Discovery: /sys by ls, readlink and cat, and pci.ids by awk ----

pci_names() {
        awk -v v="${1#0x}" -v d="${2#0x}" '
                /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { inv = substr($0, 1, 4) == v; if (inv) vn = substr($0, 7); next }
                /^C / { inv = 0 }
                inv && /^\t[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { if (substr($0, 2, 4) == d) dn = substr($0, 8) }
                END { printf "%s|%s\n", vn == "" ? "-" : vn, dn == "" ? "-" : dn }' /usr/share/misc/pci.ids
}

sys_discovery() {
        local pci i d names=() drv net
        pci=$(basename "$(readlink -f "$PFDEV")")
        echo "pf $PF $pci $(sed 's/^0x//' "$PFDEV/vendor") $(sed 's/^0x//' "$PFDEV/device")" \
                "$(basename "$(readlink "$PFDEV/driver")") $(cat "$PFDEV/sriov_totalvfs") $(cat "$PFDEV/sriov_numvfs")"
        echo "name $pci $(pci_names "$(cat "$PFDEV/vendor")" "$(cat "$PFDEV/device")")"
        for ((i = 0; i < $(cat "$PFDEV/sriov_numvfs"); i++)); do
                d=$(vf_dir "$i")
                [ -e "$d" ] || continue
                drv=$(vf_driver "$i")
                net=$(vf_netdev "$i")
                echo "vf $i $(vf_pci "$i") $(sed 's/^0x//' "$d/vendor") $(sed 's/^0x//' "$d/device") ${drv:--}" \
                        "${net:--} $(basename "$(readlink -f "$d/physfn")")"
                names+=("name $(vf_pci "$i") $(pci_names "$(cat "$d/vendor")" "$(cat "$d/device")")")
        done
        printf '%s\n' "${names[@]}"
}

check_discovery() {
        sys_discovery >/tmp/sys.txt
        igb-discover "$PF" >/tmp/hw.txt 2>&1
        if diff /tmp/sys.txt /tmp/hw.txt >/tmp/discovery.diff; then
                ok "$1"
                sed 's/^/#   /' /tmp/hw.txt
        else
                not_ok "$1"
                sed 's/^/# /' /tmp/discovery.diff
        fi
}

# ---- netpoold over the system bus ----

# GetDevices of NETWORK, one line per device: ID NETDEV PCI PF VF STATE CONNECTIONS PORT ("-" for "")
devices() {
        busctl --system call org.netpool1 "/org/netpool1/network/$1" org.netpool1.Network GetDevices t 0 |
                sed 's/""/-/g; s/"//g' |
                awk '{ for (i = 3; i + 7 <= NF; i += 8)
                               print $i, $(i+1), $(i+2), $(i+3), $(i+4), $(i+5), $(i+6), $(i+7) }'
}

# The devices a pool over PF's first N VFs holds, in the columns COLUMNS (awk fields of devices()) from /sys
# - "pci": PCI PF VF; "netdev": NETDEV PCI PF VF
expected_pool() {
        local i
        for ((i = 0; i < $1; i++)); do
                if [ "$2" = netdev ]; then
                        echo "$(vf_netdev "$i") $(vf_pci "$i") $PF $i"
                else
                        echo "$(vf_pci "$i") $PF $i"
                fi
        done
}

pool_columns() {
        if [ "$2" = netdev ]; then
                devices "$1" | awk '{ print $2, $3, $4, $5 }'
        else
                devices "$1" | awk '{ print $3, $4, $5 }'
        fi
}

device_state() {
        devices "$1" | awk -v pci="$2" '$3 == pci { print $6 }'
}

# allocate NETWORK MAC VLAN: sets PORT and PORT_VF (the VF's index), or fails
allocate() {
        local out
        PORT= PORT_VF=
        out=$(netpoolctl allocate --mac="$2" --vlan="$3" "$1" 2>&1) || { echo "$out"; return 1; }
        echo "$out"
        PORT=$(echo "$out" | awk '{ print $2 }')
        PORT_VF=$(vf_index_of "${out##*: }")
        [ -n "$PORT" ] && [ -n "$PORT_VF" ]
}

daemon_pid() {
        pidof netpoold
}

stop_daemon() {
        local pid
        pid=$(daemon_pid) || return 0
        kill "$pid"
        wait_for 10 sh -c "! kill -0 $pid"
}

name_has_owner() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s \
                org.netpool1 | grep -q true
}

port_xml() {
        printf "<networkport><owner><name>vm</name><uuid>%s</uuid></owner><mac address='%s'/></networkport>" \
                "c7a5fdbd-cdaf-9455-926a-d65c16db1809" "$1"
}

all_vfs_original() {
        local i
        for ((i = 0; i < $1; i++)); do
                [ "$(vf_config "$i")" = "${ORIG[i]}" ] || { echo "VF $i: $(vf_config "$i"), not ${ORIG[i]}"; return 1; }
        done
}

# ---- Device objects (dbus-api.md 1.1): the kernel's functions as netpoold shows them ----

# dev_path PCI: the object path, as sd_bus_path_encode() makes it
dev_path() {
        local LC_ALL=C seg=$1 out= c i
        for ((i = 0; i < ${#seg}; i++)); do
                c=${seg:i:1}
                if [[ $c == [A-Za-z] || ($i -gt 0 && $c == [0-9]) ]]; then
                        out+=$c
                else
                        printf -v c '_%02x' "'$c"
                        out+=$c
                fi
        done
        echo "/org/netpool1/device/$out"
}

# dev_prop PCI PROPERTY: the value as busctl prints it, type dropped; fails when there is no such object
dev_prop() {
        local v
        v=$(busctl --system get-property org.netpool1 "$(dev_path "$1")" org.netpool1.Device "$2" 2>/dev/null) &&
                echo "${v#* }"
}

# sysfs_attrs PCI: "NUMA IOMMU-GROUP DRIVER" as /sys has them, in the Device properties' words
sysfs_attrs() {
        local d=/sys/bus/pci/devices/$1 g drv
        g=$(readlink "$d/iommu_group") && g=$(basename "$g") || g=-1
        drv=$(readlink "$d/driver") && drv=$(basename "$drv") || drv=
        echo "$(cat "$d/numa_node" 2>/dev/null || echo -1) $g \"$drv\""
}

device_attrs() {
        echo "$(dev_prop "$1" NUMANode) $(dev_prop "$1" IOMMUGroup) $(dev_prop "$1" Driver)"
}

# objects_of N PCI...: exactly the first N of the PCI addresses have a Device object
objects_of() {
        local n=$1 i=0 p
        shift
        for p in "$@"; do
                if ((i < n)); then dev_prop "$p" Id >/dev/null || return 1
                else ! dev_prop "$p" Id >/dev/null || return 1
                fi
                i=$((i + 1))
        done
}

# ---- The scenario ----

PF=$(pf_of_igb)
if [ -z "$PF" ]; then
        echo "Bail out! no netdev of an 82576 (8086:10c9) in /sys/class/net"
        exit 1
fi
PFDEV=/sys/class/net/$PF/device
$IP link set dev "$PF" up
wait_for 30 carrier_up || echo "# $PF has no carrier after 30 s"
set_numvfs 4
wait_for 30 vfs_ready 4 || echo "# the 4 VFs did not all get an igbvf netdev"
set_originals 4 1
echo "# PF $PF at $(basename "$(readlink -f "$PFDEV")"), 4 VFs of $(cat "$PFDEV/sriov_totalvfs")"

# Discovery, before netpoold runs (the backend alone) and through it
check_discovery "discovery: PF, its PCI function, virtfnN, each VF's address, driver, netdev and pci.ids names"

# The plug through the hw layer alone (test-hw-linux-kernel's igb cases): VF 3 to vfio-pci (loaded by the hw
# layer's modprobe), its group node opened, reset, back to igbvf and its netdev's name; macvtaps in passthru and
# vepa over VF netdevs with their taps written to; a VLAN device over the PF with a bridge macvtap over it
expect_eq "vfio-pci is not loaded before the hw layer binds a VF to it" "absent" \
        "$([ -d /sys/bus/pci/drivers/vfio-pci ] && echo present || echo absent)"
run_glib_tap "hw plug:" test-hw-linux-kernel --tap igb "$PF"
expect_eq "the hw layer loaded vfio-pci (modprobe -b vfio-pci)" "present" \
        "$([ -d /sys/bus/pci/drivers/vfio-pci ] && echo present || echo absent)"
[ -d /sys/bus/pci/drivers/vfio-pci ] || modprobe vfio-pci       # the scenario below needs it either way
wait_for 10 vfs_ready 4 || echo "# the 4 VFs did not all have an igbvf netdev after the hw plug tests"
expect_eq "after the hw plug tests: no macvtap or VLAN device is left" "" \
        "$($IP -d link show | grep -E '^ +(macvtap|vlan) ')"
check_discovery "discovery after the hw plug tests: every VF back on igbvf with its netdev"
# Not a check: igb takes the MAC a trusted VF's netdev has when it first comes up as the VF's admin MAC, and a
# VF probed while the PF was still in reset has a random one; the macvtap cases set VF netdevs up (seen: VF 1)
all_vfs_original 4 | sed 's/^/# igb: a trusted VF netdev set up gave the PF its own MAC: /'
set_originals 4 1

cat >/tmp/hostdevnet.xml <<EOF
<network>
  <name>hostdevnet</name>
  <forward mode='hostdev' managed='no'>
    <pf dev='$PF'/>
  </forward>
</network>
EOF
cat >/tmp/passnet.xml <<EOF
<network>
  <name>passnet</name>
  <forward mode='passthrough'>
    <pf dev='$PF'/>
  </forward>
</network>
EOF
check "define a hostdev network over <pf dev='$PF'/> (netpoold activated by the system bus)" \
        netpoolctl define /tmp/hostdevnet.xml
check "start it" netpoolctl start hostdevnet
check "create a passthrough network over the same PF" netpoolctl create /tmp/passnet.xml
expect_eq "hostdev pool: the PCI addresses of the 4 VFs, as virtfnN show them" \
        "$(expected_pool 4 pci)" "$(pool_columns hostdevnet pci)"
expect_eq "passthrough pool: the netdevs of the 4 VFs, as their net/ directories show them" \
        "$(expected_pool 4 netdev)" "$(pool_columns passnet netdev)"
xml=$(netpoolctl dumpxml hostdevnet)
missing=
for ((i = 0; i < 4; i++)); do
        IFS=':.' read -r dom bus slot fn <<<"$(vf_pci "$i")"
        echo "$xml" | grep -q "<address type='pci' domain='0x$dom' bus='0x$bus' slot='0x$slot' function='0x$fn'/>" ||
                missing+=" $(vf_pci "$i")"
done
expect_eq "the live XML of the hostdev network lists the 4 VFs' addresses" "" "$missing"
xml=$(netpoolctl dumpxml passnet)
missing=
for ((i = 0; i < 4; i++)); do
        echo "$xml" | grep -q "<interface dev='$(vf_netdev "$i")'/>" || missing+=" $(vf_netdev "$i")"
done
expect_eq "the live XML of the passthrough network lists the 4 VFs' netdevs" "" "$missing"

# Allocate: MAC and VLAN through the PF; the VF goes to vfio-pci and back as a hypervisor's managed hostdev does
# it on a network with managed='no' (netpoold binds nothing there); Release
check "allocate on the hostdev network" allocate hostdevnet 52:54:00:aa:00:01 42
if [ -z "$PORT" ]; then
        echo "Bail out! no port to go on with"
        exit 1
fi
k=$PORT_VF
kpci=$(vf_pci "$k")
expect_eq "ip link show $PF: VF $k has the port's MAC and VLAN 42" \
        "mac=52:54:00:aa:00:01 vlan=42" "$(vf_config "$k" | cut -d' ' -f1-2)"
expect_eq "GetDevices: VF $k in use by the port" "in-use $PORT" \
        "$(devices hostdevnet | awk -v p="$kpci" '$3 == p { print $6, $8 }')"
rebind "$kpci" vfio-pci
check "VF $k is bound to vfio-pci and has /dev/vfio/<its IOMMU group>" \
        sh -c "[ \"\$(basename \"\$(readlink /sys/bus/pci/devices/$kpci/driver)\")\" = vfio-pci ] &&
               [ -e /dev/vfio/\$(basename \"\$(readlink /sys/bus/pci/devices/$kpci/iommu_group)\") ]"
sleep 1         # the hot-plug events of the rebind settle and rescan
check_discovery "discovery with VF $k on vfio-pci: no netdev, driver vfio-pci, as /sys shows"
expect_eq "VF $k stays in use while vfio-pci holds it" "in-use" "$(device_state hostdevnet "$kpci")"
rebind "$kpci" ""
wait_for 10 vfs_ready 4
expect_eq "VF $k is back on igbvf with a netdev" "igbvf yes" \
        "$(vf_driver "$k") $([ -n "$(vf_netdev "$k")" ] && echo yes)"
check "release the port" netpoolctl release "$PORT"
expect_eq "Release restored VF $k's MAC, VLAN, spoofchk and trust" "${ORIG[k]}" "$(vf_config "$k")"
expect_eq "VF $k is free again" "free" "$(device_state hostdevnet "$kpci")"

# Release while vfio-pci still holds the VF: no netdev at restore time
check "allocate again" allocate hostdevnet 52:54:00:aa:00:02 43
k=$PORT_VF
kpci=$(vf_pci "$k")
rebind "$kpci" vfio-pci
wait_for 5 sh -c "[ ! -e $PFDEV/virtfn$k/net ]"
check "release while VF $k has no netdev (on vfio-pci)" netpoolctl release "$PORT"
expect_eq "Release restored VF $k without its netdev" "${ORIG[k]}" "$(vf_config "$k")"
rebind "$kpci" ""
wait_for 10 vfs_ready 4

# The passthrough network sets the VF through the PF too
check "allocate on the passthrough network" allocate passnet 52:54:00:aa:00:03 44
k=$PORT_VF
expect_eq "ip link show $PF: VF $k has the passthrough port's MAC and VLAN 44" \
        "mac=52:54:00:aa:00:03 vlan=44" "$(vf_config "$k" | cut -d' ' -f1-2)"
check "release it" netpoolctl release "$PORT"
expect_eq "Release restored VF $k" "${ORIG[k]}" "$(vf_config "$k")"

# Device objects: the PF and each real VF with the NUMA node, IOMMU group and driver of /sys
pfpci=$(basename "$(readlink -f "$PFDEV")")
expect_eq "Device $pfpci (the PF): NUMA node, IOMMU group and driver as /sys has them" "$(sysfs_attrs "$pfpci")" \
        "$(device_attrs "$pfpci")"
for ((i = 0; i < 4; i++)); do
        p=$(vf_pci "$i")
        expect_eq "Device $p (VF $i): NUMA node, IOMMU group and driver as /sys has them" "$(sysfs_attrs "$p")" \
                "$(device_attrs "$p")"
        expect_eq "Device $p: PFAddress and VFIndex" "\"$pfpci\" $i" \
                "$(dev_prop "$p" PFAddress) $(dev_prop "$p" VFIndex)"
done

# Hot-plug: sriov_numvfs changes under the running daemon; the pool follows the kernel's events, no Rescan
check "allocate a port to hold a VF across the change" allocate hostdevnet 52:54:00:aa:00:04 45
held=$PORT
k=$PORT_VF
kpci=$(vf_pci "$k")
vfpcis=()
for ((i = 0; i < 4; i++)); do
        [ "$i" = "$k" ] || vfpcis+=("$(vf_pci "$i")")
done
# one daemon throughout: a netpoold started anew would rescan at start, events or not
daemon=$(daemon_pid)
set_numvfs 0
check "sriov_numvfs 0: the free VFs' Device objects are gone within 5 s" wait_for 5 objects_of 0 "${vfpcis[@]}"
expect_eq "sriov_numvfs 0: the held VF's Device object stays, lost" '"lost"' "$(dev_prop "$kpci" State)"
pool_is_lost() {
        [ "$(devices hostdevnet | awk '{ print $3, $6 }')" = "$kpci lost" ] && [ -z "$(devices passnet)" ]
}
check "sriov_numvfs 0: the held VF is lost, the free ones leave both pools (no Rescan)" wait_for 20 pool_is_lost
devices hostdevnet | sed 's/^/#   /'
set_numvfs 5
pool_has_5() {
        [ "$(devices hostdevnet | wc -l)" = 5 ] && [ "$(devices passnet | wc -l)" = 5 ]
}
# polling the pools (and nothing else) while the VFs come also keeps netpoold from its idle exit
newpcis=()
for ((i = 0; i < 5; i++)); do
        newpcis+=("$(vf_pci "$i")")
done
check "sriov_numvfs 5: the 5 VFs' Device objects are there within 5 s" wait_for 5 objects_of 5 "${newpcis[@]}"
check "sriov_numvfs 5: both pools hold the 5 new VFs" wait_for 30 pool_has_5
wait_for 10 vfs_ready 5 || echo "# the 5 VFs did not all get an igbvf netdev"
vf_drivers_match() {
        local p
        for p in "${newpcis[@]}"; do
                [ "$(device_attrs "$p")" = "$(sysfs_attrs "$p")" ] || return 1
        done
}
check "sriov_numvfs 5: each new VF's Device has the NUMA node, IOMMU group and driver of /sys" \
        wait_for 5 vf_drivers_match
for p in "${newpcis[@]}"; do
        echo "#   $p: Device $(device_attrs "$p"), /sys $(sysfs_attrs "$p")"
done
expect_eq "the hostdev pool is the 5 VFs of /sys" "$(expected_pool 5 pci)" "$(pool_columns hostdevnet pci)"
expect_eq "the passthrough pool is their 5 netdevs" "$(expected_pool 5 netdev)" "$(pool_columns passnet netdev)"
expect_eq "the VF that came back at $kpci is in use by its port again" "in-use $held" \
        "$(devices hostdevnet | awk -v p="$kpci" '$3 == p { print $6, $8 }')"
expect_eq "the netpoold that saw both changes is the one that ran before them" "$daemon" "$(daemon_pid)"
check "release the port of the VF that came back" netpoolctl release "$held"
set_originals 5 3

# kill -9 between the VF being configured and the port record being complete, then re-activation: the VF
# is either restored or held by its port, never both or neither
crash_case() {
        local point=$1 mac=$2 want=$3 pid port_line vf i
        stop_daemon
        NETPOOL_CRASH_AT=$point "$NETPOOLD" >/tmp/crash-$point.log 2>&1 &
        pid=$!
        wait_for 10 name_has_owner || echo "# the netpoold with NETPOOL_CRASH_AT=$point did not take the name"
        netpoolctl allocate --mac="$mac" --vlan=46 hostdevnet >/tmp/last.out 2>&1
        wait_for 10 sh -c "! kill -0 $pid"
        wait $pid 2>/dev/null
        expect_eq "$point: netpoold died of SIGKILL" 137 "$?"
        # the next call activates netpoold again through the activation file; it recovers first
        port_line=$(netpoolctl ports hostdevnet 2>&1 | grep -i "$mac")
        vf=
        for ((i = 0; i < 5; i++)); do
                [ "$(vf_config "$i" | cut -d' ' -f1)" = "mac=$mac" ] && vf=$i
        done
        if [ -n "$port_line" ] && [ -n "$vf" ]; then
                outcome=held
        elif [ -z "$port_line" ] && [ -z "$vf" ] && all_vfs_original 5 >/tmp/orig.out; then
                outcome=restored
        else
                outcome="port '${port_line}', VF with the MAC '${vf}' ($(cat /tmp/orig.out 2>/dev/null))"
        fi
        expect_eq "$point: after re-activation the VF is $want" "$want" "$outcome"
        if [ "$outcome" = held ]; then
                expect_eq "$point: the port holds VF $vf" "in-use" "$(device_state hostdevnet "$(vf_pci "$vf")")"
                check "$point: release the recovered port" \
                        netpoolctl release "$(echo "$port_line" | awk '{ print $1 }')"
                expect_eq "$point: and VF $vf is restored" "${ORIG[vf]}" "$(vf_config "$vf")"
        fi
}
crash_case vf-mac-set 52:54:00:bb:00:01 restored
crash_case allocate-configured 52:54:00:bb:00:02 restored
crash_case allocate-done 52:54:00:bb:00:03 held

# The PF down: HardwareError saying so, and nothing changes
before=$($IP link show dev "$PF" | grep -E '^ +vf '; netpoolctl ports 2>&1)
$IP link set dev "$PF" down
dbus-send --system --print-reply --dest=org.netpool1 /org/netpool1/network/hostdevnet \
        org.netpool1.Network.Allocate string:"$(port_xml 52:54:00:dd:00:01)" uint64:0 >/tmp/down.out 2>&1
expect_eq "PF down: Allocate fails with HardwareError" "org.netpool1.Error.HardwareError" \
        "$(grep -oE 'org\.netpool1\.Error\.[A-Za-z]+' /tmp/down.out)"
check "the error says the PF is down" grep -q "'$PF' is down" /tmp/down.out
sed 's/^/#   /' /tmp/down.out
after=$($IP link show dev "$PF" | grep -E '^ +vf '; netpoolctl ports 2>&1)
expect_eq "PF down: no VF and no port changed" "$before" "$after"
expect_eq "PF down: every device is still free" "free free free free free" \
        "$(devices hostdevnet | awk '{ print $6 }' | tr '\n' ' ' | sed 's/ $//')"
$IP link set dev "$PF" up
wait_for 30 carrier_up

check "stop both networks" sh -c "netpoolctl stop hostdevnet && netpoolctl stop passnet"

# netpoold does the plug itself (issue 18): vfio-pci, macvtaps, the hybrid's VLAN device, kill -9 at each step
source "$(dirname "${BASH_SOURCE[0]}")/igb-guest-plug.sh"

# the VF settings netpool sets (issue 19 point 7): each read back and put back; igb's refusals; an owner process
source "$(dirname "${BASH_SOURCE[0]}")/igb-guest-vf.sh"

if [ "$np_tap_failed" -gt 0 ]; then
        echo "# netpoold and dbus-daemon said:"
        sed 's/^/# /' /tmp/dbus.log /tmp/crash-*.log 2>/dev/null | tail -n 150
        echo "# the kernel said:"
        dmesg | tail -n 60 | sed 's/^/# /'
fi
np_done
