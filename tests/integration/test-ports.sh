#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Ports through the bus: Allocate, Notify and Release in every forward mode on the default sim host
# (X710-like eth0, ConnectX-3-like ens1/ens1d1, Solarflare-like sfc0); what a port inherits; Port objects
# and signals; the VF configuration and its restore; devices shared by two networks or taken outside
# netpool; Stop with ports; kill -9 and a wiped state dir.
source "$(dirname "$0")/lib.sh"
np_setup

M=/org/netpool1
ETH0=0000:03:00.0
SFC0=0000:07:00.0
OWNER=b0b0b0b0-0000-4000-8000-0000000000aa
NP_OWNER_NAME=vm1 NP_OWNER_UUID=$OWNER     # the owner of np_port_xml
ZERO=00:00:00:00:00:00
DEFAULT_VF="$ZERO 0 0 1 0 auto"   # what the sim host starts a VF with

# ---- helpers ----

net_xml() {     # net_xml NAME FORWARD [EXTRA-CHILDREN] [NETWORK-ATTRIBUTES]
        printf "<network%s>\n  <name>%s</name>\n  %s\n  %s\n</network>\n" "${4:+ $4}" "$1" "$2" "${3:-}"
}
define_start() {        # define_start NAME FORWARD [EXTRA] [ATTRS]: a persistent network, started
        busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$(net_xml "$@")" 0 >/dev/null &&
                busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network Start t 0 >/dev/null
}
stop_net() {    # stop_net NAME [FLAGS]
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network Stop t "${2:-0}" >/dev/null
}
# the port XML netpool writes: uuid, owner, group, mac, then the lines given (two spaces in)
port_out() {    # port_out UUID [GROUP=NAME] MAC LINES...
        local uuid=$1 group=
        shift
        if [[ $1 == GROUP=* ]]; then
                group="  <group>${1#GROUP=}</group>
"
                shift
        fi
        printf "<networkport>\n  <uuid>%s</uuid>\n  <owner>\n    <name>vm1</name>\n    <uuid>%s</uuid>\n  </owner>\n%s  <mac address='%s'/>\n" \
                "$uuid" "$OWNER" "$group" "$1"
        shift
        for l in "$@"; do
                sed 's/^/  /' <<<"$l"
        done
        printf "</networkport>"
}
hostdev_plug() {        # hostdev_plug BUS SLOT FUNCTION: the plug lines of a hostdev-pci port (vfio, managed)
        echo "<plug type='hostdev-pci' managed='yes'>"
        echo "  <driver name='vfio'/>"
        echo "  <address domain='0x0000' bus='$1' slot='$2' function='$3'/>"
        echo "</plug>"
}
# np_plug ATTRS: the <netpool:plug> line after <plug> (issue 18): pf, vf-index, and where netpoold bound the VF to
# vfio-pci (managed hostdev/hybrid) its IOMMU group and group node, where it made a macvtap the tap's name
np_plug() {
        echo "<netpool:plug xmlns:netpool='urn:netpool:xml:1' $*/>"
}
# the default sim host gives each function a group of its own, in order: eth0 0, its VF N N+1, …, sfc0's VF 0 19
macvtap_of() {  # macvtap_of NAME: "LOWER MODE MAC" of a macvtap on the sim host, or "none"
        local d=$NP_SIM/sys/class/net/$1
        [ -e "$d/lower" ] || { echo none; return; }
        echo "$(basename "$(readlink "$d/lower")") $(cat "$d/mode") $(cat "$d/address")"
}
vfio_group() {  # vfio_group G: the attributes of IOMMU group G, its node under the sim root
        echo "iommu-group='$1' vfio-group='$NP_SIM/dev/vfio/$1'"
}
# bus helpers in bash and awk only: they run hundreds of times, and a python3 start costs more than the call
bus_value() {   # the value of busctl's "TYPE VALUE" output on stdin, quotes taken off a string
        sed -e 's/^[a-z]* //' -e 's/^"\(.*\)"$/\1/'
}
net_prop() {    # net_prop NETWORK PROPERTY
        busctl --system get-property org.netpool1 "$(np_net_path "$1")" org.netpool1.Network "$2" | bus_value
}
port_prop() {   # port_prop PATH PROPERTY
        busctl --system get-property org.netpool1 "$1" org.netpool1.Port "$2" | bus_value
}
reply_string() {        # the string of a dbus-send reply on stdin (printed as is: XML with newlines)
        sed -n '/^   string "/,$p' | sed -e '1s/^   string "//' -e '$d'
}
# port_call METHOD NET XML: Allocate or Notify; the port's path and XML land in P_PATH and P_XML
port_call() {
        P_PATH= P_XML=
        if ! dbus-send --system --print-reply --dest=org.netpool1 "$(np_net_path "$2")" "org.netpool1.Network.$1" \
                        string:"$3" uint64:0 >"$NP_DIR/port_call.out" 2>&1; then
                sed 's/^/# /' "$NP_DIR/port_call.out"
                return 1
        fi
        P_PATH=$(sed -n 's/^   object path "\(.*\)"$/\1/p' "$NP_DIR/port_call.out")
        P_XML=$(reply_string <"$NP_DIR/port_call.out")
}
port_get_xml() {        # port_get_xml PATH
        dbus-send --system --print-reply --dest=org.netpool1 "$1" org.netpool1.Port.GetXML uint64:0 | reply_string
}
port_uuid_of() {        # the <uuid> of port XML on stdin
        sed -n 's|^  <uuid>\(.*\)</uuid>$|\1|p' | head -1
}
list_ports() {  # Manager.ListPorts rows
        busctl --system call org.netpool1 $M org.netpool1.Manager ListPorts t 0 | np_bus_rows 7
}
net_ports() {   # Network.ListPorts paths, blank-separated
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network ListPorts t 0 |
                cut -d' ' -f3- | tr -d '"'
}
device_row() {  # device_row NET ID
        np_devices "$1" | awk -v id="$2" '$1 == id'
}
vfst_set() {    # vfst_set PFBDF VF P MAC VLAN SPOOFCHK TRUST: an original the hypervisor host had set
        local d=$NP_SIM/vfstate/$1/vf$2/p$3
        echo "$4" >"$d/mac"; echo "$5" >"$d/vlan"; echo "$6" >"$d/spoofchk"; echo "$7" >"$d/trust"
}
uuid_n() {      # uuid_n N: a fixed port UUID
        printf "7a000000-0000-4000-8000-%012d" "$1"
}

busctl --system monitor --json=short org.netpool1 >"$NP_DIR/monitor.json" 2>/dev/null &
MON=$!
sleep 0.3

# ==== hostdev: the plug, what a port inherits, the Port object, the VF configuration ====
HD_FWD="<forward mode='hostdev' managed='yes'><driver name='vfio'/><pf dev='eth0'/></forward>"
HD_EXTRA="<vlan><tag id='10'/></vlan>
  <portgroup name='eng' trustGuestRxFilters='yes'><vlan><tag id='20'/></vlan></portgroup>"
check "a hostdev network over pf eth0 (VLAN 10, portgroup eng with VLAN 20) starts" \
        define_start hd "$HD_FWD" "$HD_EXTRA" "trustGuestRxFilters='no'"
HD=$(np_net_path hd)
# a non-default original, as an administrator may have left it
vfst_set $ETH0 0 1 02:11:22:33:44:55 7 0 1

U1=$(uuid_n 1)
check "Allocate a port with a UUID" port_call Allocate hd "$(np_port_xml mac=52:54:00:a0:00:01 uuid="$U1")"
expect_eq "the returned path is the port's object" "$(np_port_path "$U1")" "$P_PATH"
expect_eq "the returned XML: the network's VLAN and trust, a hostdev-pci plug with VF 0's address" \
        "$(port_out "$U1" 52:54:00:a0:00:01 "<vlan>" "  <tag id='10'/>" "</vlan>" "<rxfilters trustGuest='no'/>" \
                "$(hostdev_plug 0x03 0x02 0x0)" "$(np_plug "pf='eth0' vf-index='0' $(vfio_group 1)")")" "$P_XML"
U1_XML=$P_XML
U1_PATH=$P_PATH
expect_eq "VF 0 carries the port's MAC and VLAN (flags untouched)" "52:54:00:a0:00:01 10 0 0 1 auto" "$(np_vfst $ETH0 0)"
check "VF 0's record exists while the port holds it" test -s "$NP_DIR/run/vf/eth0_vf0"
check "the port's record exists" test -s "$NP_DIR/run/ports/$U1.xml"
expect_eq "Connections 1" "1" "$(net_prop hd Connections)"
expect_eq "Available 7" "7" "$(net_prop hd Available)"
expect_eq "Capacity 8" "8" "$(net_prop hd Capacity)"
# managed: on vfio-pci, it has no host netdev while the port holds it
expect_eq "GetDevices: VF 0 in use by the port" "0000:03:02.0 - 0000:03:02.0 eth0 0 in-use 1 $U1" \
        "$(device_row hd 0000:03:02.0)"
expect_eq "Port.UUID" "$U1" "$(port_prop "$U1_PATH" UUID)"
expect_eq "Port.Network" "$HD" "$(port_prop "$U1_PATH" Network)"
expect_eq "Port.OwnerName" "vm1" "$(port_prop "$U1_PATH" OwnerName)"
expect_eq "Port.OwnerUUID" "$OWNER" "$(port_prop "$U1_PATH" OwnerUUID)"
expect_eq "Port.MAC" "52:54:00:a0:00:01" "$(port_prop "$U1_PATH" MAC)"
expect_eq "Port.PlugType" "hostdev-pci" "$(port_prop "$U1_PATH" PlugType)"
# the VF's host netdev, as GetDevices shows it
expect_eq "Port.Device" "eth0v0" "$(port_prop "$U1_PATH" Device)"
expect_eq "Port.PCIAddress" "0000:03:02.0" "$(port_prop "$U1_PATH" PCIAddress)"
expect_eq "Port.GetXML is the XML Allocate returned" "$U1_XML" \
        "$(port_get_xml "$U1_PATH")"
expect_eq "Manager.ListPorts row: uuid, network, owner, mac, PCI address, path" \
        "$U1 hd vm1 $OWNER 52:54:00:a0:00:01 0000:03:02.0 $U1_PATH" "$(list_ports)"
expect_eq "Manager.LookupPort" "o \"$U1_PATH\"" \
        "$(busctl --system call org.netpool1 $M org.netpool1.Manager LookupPort st "$U1" 0)"
expect_eq "Manager.LookupPort by upper-case UUID" "o \"$U1_PATH\"" \
        "$(busctl --system call org.netpool1 $M org.netpool1.Manager LookupPort st "${U1^^}" 0)"
expect_error "LookupPort of an unknown port" org.netpool1.Error.NoSuchPort \
        np_send $M Manager.LookupPort string:"$(uuid_n 99)" uint64:0
expect_eq "Network.ListPorts" "$U1_PATH" "$(net_ports hd)"

# inheritance: no group -> the network's; group eng -> its VLAN and trust; the port's own win
check "Allocate without a UUID, in portgroup eng" port_call Allocate hd \
        "$(np_port_xml mac=52:54:00:a0:00:02 extra="  <group>eng</group>
")"
U2=$(port_uuid_of <<<"$P_XML")
U2_PATH=$P_PATH
check "a UUID was generated" bash -c "[[ '$U2' =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]"
expect_eq "eng's VLAN and trust, the next VF (the lowest free index)" \
        "$(port_out "$U2" GROUP=eng 52:54:00:a0:00:02 "<vlan>" "  <tag id='20'/>" "</vlan>" \
                "<rxfilters trustGuest='yes'/>" "$(hostdev_plug 0x03 0x02 0x1)" \
                "$(np_plug "pf='eth0' vf-index='1' $(vfio_group 2)")")" "$P_XML"
expect_eq "and its path is that UUID's" "$(np_port_path "$U2")" "$U2_PATH"
expect_eq "VF 1 carries VLAN 20" "52:54:00:a0:00:02 20 0 1 0 auto" "$(np_vfst $ETH0 1)"
U3=$(uuid_n 3)
check "Allocate in portgroup eng with the port's own VLAN and trust" port_call Allocate hd \
        "$(np_port_xml mac=52:54:00:a0:00:03 uuid="$U3" extra="  <group>eng</group>
  <vlan><tag id='42'/></vlan>
  <rxfilters trustGuest='no'/>
")"
expect_eq "the port's own VLAN and trust win" \
        "$(port_out "$U3" GROUP=eng 52:54:00:a0:00:03 "<vlan>" "  <tag id='42'/>" "</vlan>" \
                "<rxfilters trustGuest='no'/>" "$(hostdev_plug 0x03 0x02 0x2)" \
                "$(np_plug "pf='eth0' vf-index='2' $(vfio_group 3)")")" "$P_XML"
expect_eq "VF 2 carries VLAN 42" "52:54:00:a0:00:03 42 0 1 0 auto" "$(np_vfst $ETH0 2)"

# errors; none of them takes a device
expect_error "Allocate of a port that has a <plug>" org.netpool1.Error.InvalidArgument \
        np_send "$HD" Network.Allocate string:"$(np_port_xml mac=52:54:00:a0:00:09 \
                extra="  <plug type='direct' dev='eth0v5' mode='vepa'/>
")" uint64:0
expect_error "Allocate with a UUID in use" org.netpool1.Error.PortExists \
        np_send "$HD" Network.Allocate string:"$(np_port_xml mac=52:54:00:a0:00:09 uuid="$U1")" uint64:0
expect_error "a VLAN trunk on a VF" org.netpool1.Error.InvalidArgument \
        np_send "$HD" Network.Allocate string:"$(np_port_xml mac=52:54:00:a0:00:09 \
                extra="  <vlan trunk='yes'><tag id='2'/><tag id='3'/></vlan>
")" uint64:0
expect_error "a portgroup the network does not have" org.netpool1.Error.InvalidArgument \
        np_send "$HD" Network.Allocate string:"$(np_port_xml mac=52:54:00:a0:00:09 extra="  <group>nosuch</group>
")" uint64:0
expect_error "Allocate with unknown flags" org.netpool1.Error.InvalidArgument \
        np_send "$HD" Network.Allocate string:"$(np_port_xml mac=52:54:00:a0:00:09)" uint64:8
expect_eq "after the refusals: still 3 connections" "3" "$(net_prop hd Connections)"
expect_eq "and 5 available" "5" "$(net_prop hd Available)"
check "no VF record was left by them" bash -c "[ \"\$(ls '$NP_DIR/run/vf' | tr '\n' ' ')\" = 'eth0_vf0 eth0_vf1 eth0_vf2 ' ]"

# Release restores the original, the non-default one included
check "Network.Release" np_release hd "$U1"
expect_eq "VF 0 has its original MAC, VLAN, spoofchk and trust back" "02:11:22:33:44:55 7 0 0 1 auto" "$(np_vfst $ETH0 0)"
check "its VF record is gone" test ! -e "$NP_DIR/run/vf/eth0_vf0"
check "the port's record is gone" test ! -e "$NP_DIR/run/ports/$U1.xml"
expect_eq "Connections 2" "2" "$(net_prop hd Connections)"
expect_eq "Available 6" "6" "$(net_prop hd Available)"
expect_eq "VF 0 is free" "0000:03:02.0 eth0v0 0000:03:02.0 eth0 0 free 0 -" "$(device_row hd 0000:03:02.0)"
expect_error "the port's object is gone" org.netpool1.Error.NoSuchPort \
        np_send $M Manager.LookupPort string:"$U1" uint64:0
expect_error "a second Release is NoSuchPort" org.netpool1.Error.NoSuchPort \
        np_send "$HD" Network.Release string:"$U1" uint64:0
check "Port.Release" busctl --system call org.netpool1 "$U2_PATH" org.netpool1.Port Release t 0
expect_eq "VF 1 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 1)"
expect_eq "Network.ListPorts has the last port" "$(np_port_path "$U3")" "$(net_ports hd)"

# exhaustion
for i in 4 5 6 7 8 9 10; do
        port_call Allocate hd "$(np_port_xml mac="52:54:00:a0:00:1$((i - 4))" uuid="$(uuid_n $i)")" >/dev/null ||
                not_ok "Allocate port $i"
done
expect_eq "8 connections" "8" "$(net_prop hd Connections)"
expect_eq "none available" "0" "$(net_prop hd Available)"
expect_error "one more is PoolExhausted" org.netpool1.Error.PoolExhausted \
        np_send "$HD" Network.Allocate string:"$(np_port_xml mac=52:54:00:a0:00:20)" uint64:0
expect_eq "saying how many are in use" \
        "Error org.netpool1.Error.PoolExhausted: network 'hd' has no free device: 8 of 8 in use" "$(cat "$NP_DIR/last.out")"

# Stop with ports
expect_error "Stop with ports is NetworkBusy" org.netpool1.Error.NetworkBusy np_send "$HD" Network.Stop uint64:0
expect_eq "the network stays active" "true" "$(net_prop hd Active)"
check "Stop FORCE" stop_net hd 1
expect_eq "the network is inactive" "false" "$(net_prop hd Active)"
expect_eq "no port is left" "" "$(list_ports)"
check "no port record is left" bash -c "[ -z \"\$(ls '$NP_DIR/run/ports')\" ]"
check "no VF record is left" bash -c "[ -z \"\$(ls '$NP_DIR/run/vf')\" ]"
expect_eq "VF 0 kept its original" "02:11:22:33:44:55 7 0 0 1 auto" "$(np_vfst $ETH0 0)"
for i in 1 2 3 4 5 6 7; do
        expect_eq "VF $i is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 $i)"
done
vfst_set $ETH0 0 1 $ZERO 0 1 0

expect_error "Allocate on an inactive network is NetworkInactive" org.netpool1.Error.NetworkInactive \
        np_send "$HD" Network.Allocate string:"$(np_port_xml mac=52:54:00:a0:00:21)" uint64:0

# a default portgroup comes before the network's settings
check "a hostdev network with a default portgroup starts" define_start hd-dflt "$HD_FWD" \
        "<vlan><tag id='10'/></vlan>
  <portgroup name='dflt' default='yes' trustGuestRxFilters='yes'><vlan><tag id='30'/></vlan></portgroup>"
check "Allocate without a group" port_call Allocate hd-dflt "$(np_port_xml mac=52:54:00:a0:00:30 uuid="$(uuid_n 30)")"
expect_eq "the default portgroup's VLAN and trust" \
        "$(port_out "$(uuid_n 30)" 52:54:00:a0:00:30 "<vlan>" "  <tag id='30'/>" "</vlan>" \
                "<rxfilters trustGuest='yes'/>" "$(hostdev_plug 0x03 0x02 0x0)" \
                "$(np_plug "pf='eth0' vf-index='0' $(vfio_group 1)")")" "$P_XML"
expect_eq "VF 0 carries VLAN 30" "52:54:00:a0:00:30 30 0 1 0 auto" "$(np_vfst $ETH0 0)"
check "Stop FORCE" stop_net hd-dflt 1
expect_eq "VF 0 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"

# ==== passthrough ====
check "a passthrough network over pf eth0 (VLAN 15) starts" define_start pt \
        "<forward mode='passthrough'><pf dev='eth0'/></forward>" "<vlan><tag id='15'/></vlan>"
check "Allocate" port_call Allocate pt "$(np_port_xml mac=52:54:00:b0:00:01 uuid="$(uuid_n 40)")"
expect_eq "a direct plug on VF 0's netdev in passthrough mode" \
        "$(port_out "$(uuid_n 40)" 52:54:00:b0:00:01 "<vlan>" "  <tag id='15'/>" "</vlan>" \
                "<plug type='direct' dev='eth0v0' mode='passthrough'/>" \
                "$(np_plug "pf='eth0' vf-index='0' tap='macvtap0'")")" "$P_XML"
expect_eq "VF 0 carries the port's MAC and VLAN" "52:54:00:b0:00:01 15 0 1 0 auto" "$(np_vfst $ETH0 0)"
expect_eq "macvtap0 is a passthru macvtap over eth0v0 with the port's MAC" "eth0v0 passthru 52:54:00:b0:00:01" \
        "$(macvtap_of macvtap0)"
expect_eq "Port.PlugType" "direct" "$(port_prop "$P_PATH" PlugType)"
expect_eq "Port.Device" "eth0v0" "$(port_prop "$P_PATH" Device)"
expect_eq "Port.PCIAddress is empty" "" "$(port_prop "$P_PATH" PCIAddress)"
expect_eq "ListPorts names the netdev" "$(uuid_n 40) pt vm1 $OWNER 52:54:00:b0:00:01 eth0v0 $P_PATH" "$(list_ports)"
# PropertiesChanged names only what changed, once per call: Connections and Available
dbus-monitor --system "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',arg0='org.netpool1.Network'" \
        >"$NP_DIR/props.log" 2>&1 &
monitor_pid=$!
sleep 0.5
port_call Allocate pt "$(np_port_xml mac=52:54:00:b0:00:02)"
check "the next Allocate takes VF 1 (a passthrough device has one port)" \
        grep -q "<plug type='direct' dev='eth0v1' mode='passthrough'/>" <<<"$P_XML"
sleep 0.5
kill $monitor_pid 2>/dev/null; wait $monitor_pid 2>/dev/null
expect_eq "one PropertiesChanged for the Allocate" "1" "$(grep -c 'member=PropertiesChanged' "$NP_DIR/props.log")"
expect_eq "it names Connections and Available only" "Available Connections" \
        "$(sed -n 's/^ *string "\(Active\|Available\|Autostart\|Capacity\|Connections\|ForwardMode\|Persistent\)"$/\1/p' \
                "$NP_DIR/props.log" | sort | tr '\n' ' ' | sed 's/ $//')"
# a call that changes a network many times (Stop FORCE: each port released, then Active) announces it once, with
# the final values: PropertiesChanged is coalesced per loop turn (dbus-api.md, "Signals under load")
dbus-monitor --system "type='signal',path='$(np_net_path pt)',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'" \
        >"$NP_DIR/props-stop.log" 2>&1 &
monitor_pid=$!
sleep 0.5
check "Stop FORCE" stop_net pt 1
sleep 0.5
kill $monitor_pid 2>/dev/null; wait $monitor_pid 2>/dev/null
expect_eq "one PropertiesChanged for Stop FORCE of a network with two ports" "1" \
        "$(grep -c 'member=PropertiesChanged' "$NP_DIR/props-stop.log")"
expect_eq "… with the final values: inactive, no connections" "false 0" \
        "$(grep -A1 -E 'string "(Active|Connections)"' "$NP_DIR/props-stop.log" |
           sed -n 's/.*variant *\(boolean\|uint32\) \(.*\)$/\2/p' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "Stop deleted both macvtaps" "none none" "$(macvtap_of macvtap0) $(macvtap_of macvtap1)"
expect_eq "VF 0 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
expect_eq "VF 1 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 1)"

# ==== private, vepa, bridge (macvtap) ====
for mode in private vepa bridge; do
        check "a $mode network over pf eth0 starts" define_start mv-$mode "<forward mode='$mode'><pf dev='eth0'/></forward>"
        check "$mode: Allocate" port_call Allocate mv-$mode "$(np_port_xml mac=52:54:00:c0:00:01 uuid="$(uuid_n 50)")"
        expect_eq "$mode: a direct plug on VF 0's netdev in mode $mode" \
                "$(port_out "$(uuid_n 50)" 52:54:00:c0:00:01 "<plug type='direct' dev='eth0v0' mode='$mode'/>" \
                        "$(np_plug "pf='eth0' vf-index='0' tap='macvtap0'")")" "$P_XML"
        check "$mode: Release" np_release mv-$mode "$(uuid_n 50)"
        check "$mode: Stop" stop_net mv-$mode
done
# the least-used device, the lowest index on a tie
check "a vepa network over a list of two VF netdevs starts" define_start mv-list \
        "<forward mode='vepa'><interface dev='eth0v1'/><interface dev='eth0v2'/></forward>"
for i in 1 2 3; do
        port_call Allocate mv-list "$(np_port_xml mac=52:54:00:c0:01:0$i uuid="$(uuid_n 6$i)")" >/dev/null ||
                not_ok "Allocate port $i on mv-list"
        devs[$i]=$(sed -n "s|.*<plug type='direct' dev='\([^']*\)'.*|\1|p" <<<"$P_XML")
done
expect_eq "the ports went to eth0v1, eth0v2, eth0v1" "eth0v1 eth0v2 eth0v1" "${devs[*]}"
expect_eq "eth0v1 has 2 connections" "eth0v1 eth0v1 0000:03:02.1 eth0 1 in-use 2" \
        "$(device_row mv-list eth0v1 | cut -d' ' -f1-7)"
expect_eq "eth0v2 has 1" "eth0v2 eth0v2 0000:03:02.2 eth0 2 in-use 1 $(uuid_n 62)" "$(device_row mv-list eth0v2)"
expect_eq "Connections 3" "3" "$(net_prop mv-list Connections)"
expect_eq "a macvtap device takes more ports: Available 2" "2" "$(net_prop mv-list Available)"
# macvtap modes do not reconfigure the lower device (as libvirt): the guest's MAC lives on the macvtap
# device; the VF keeps the host's configuration, before, while shared, and after
vf_and_record() {        # vf_and_record N: eth0's VF N as the sim holds it, and whether it has a record
        echo "$(np_vfst $ETH0 "$1") $(test -e "$NP_DIR/run/vf/eth0_vf$1" && echo record || echo no-record)"
}
expect_eq "a VF shared by two macvtap ports keeps the host's configuration, and has no record" \
        "$DEFAULT_VF no-record" "$(vf_and_record 1)"
expect_eq "so does a VF under one macvtap port" "$DEFAULT_VF no-record" "$(vf_and_record 2)"
expect_error "a port <vlan> on a macvtap network is Unsupported" org.netpool1.Error.Unsupported \
        np_send "$(np_net_path mv-list)" Network.Allocate \
        string:"<networkport><uuid>$(uuid_n 64)</uuid><owner><name>vm1</name><uuid>$OWNER</uuid></owner><mac address='52:54:00:c0:01:09'/><vlan><tag id='7'/></vlan></networkport>" uint64:0
expect_eq "the refused port changed nothing: Connections 3" "3" "$(net_prop mv-list Connections)"
check "release the later of the two ports on eth0v1" np_release mv-list "$(uuid_n 63)"
expect_eq "eth0v1 has 1 connection left" "1" "$(device_row mv-list eth0v1 | cut -d' ' -f7)"
expect_eq "GetDevices names the port that still holds eth0v1" "$(uuid_n 61)" \
        "$(device_row mv-list eth0v1 | cut -d' ' -f8)"
check "release the last port on eth0v1" np_release mv-list "$(uuid_n 61)"
expect_eq "the VF is as the host had it" "$DEFAULT_VF no-record" "$(vf_and_record 1)"
check "Stop FORCE" stop_net mv-list 1
expect_eq "VF 1 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 1)"
expect_eq "VF 2 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 2)"
# a host bridge (mode bridge without a pool) needs a real bridge netdev, which the sim host cannot have:
# Start refuses it there (test-xml-views.sh checks that), so its 'bridge' plug is not tested here

# ==== pci-passthrough-hybrid ====
check "a hybrid network over sfc0 starts" define_start hy \
        "<forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='sfc0'/></forward>"
check "Allocate" port_call Allocate hy "$(np_port_xml mac=52:54:00:d0:00:01 uuid="$(uuid_n 70)")"
expect_eq "a hybrid plug: PF sfc0, vepa, VF 0's address" \
        "$(port_out "$(uuid_n 70)" 52:54:00:d0:00:01 "<plug type='hybrid' dev='sfc0' mode='vepa' managed='yes'>" \
                "  <driver name='vfio'/>" "  <address domain='0x0000' bus='0x07' slot='0x02' function='0x0'/>" \
                "</plug>" "$(np_plug "pf='sfc0' vf-index='0' $(vfio_group 19) tap='macvtap0'")")" "$P_XML"
expect_eq "Port.PlugType" "hybrid" "$(port_prop "$P_PATH" PlugType)"
expect_eq "Port.PCIAddress" "0000:07:02.0" "$(port_prop "$P_PATH" PCIAddress)"
expect_eq "Port.Device: the VF has no host netdev" "" "$(port_prop "$P_PATH" Device)"
expect_eq "the virtio path: macvtap0 over sfc0 in vepa mode with the port's MAC" "sfc0 vepa 52:54:00:d0:00:01" \
        "$(macvtap_of macvtap0)"
check "the VF is on vfio-pci, its group node exists" bash -c "[ \"\$(readlink '$NP_SIM/sys/bus/pci/devices/0000:07:02.0/driver')\" \
        = ../../../bus/pci/drivers/vfio-pci ] && [ -p '$NP_SIM/dev/vfio/19' ]"
expect_eq "ListPorts names the PCI address" "$(uuid_n 70) hy vm1 $OWNER 52:54:00:d0:00:01 0000:07:02.0 $P_PATH" \
        "$(list_ports)"
check "Stop FORCE" stop_net hy 1
expect_eq "Stop deleted the macvtap" "none" "$(macvtap_of macvtap0)"
check "a hybrid network with <virtio mode='bridge'/> starts" define_start hy-br \
        "<forward mode='pci-passthrough-hybrid' managed='no'><virtio mode='bridge'/><pf dev='sfc0'/></forward>"
check "Allocate" port_call Allocate hy-br "$(np_port_xml mac=52:54:00:d0:00:02 uuid="$(uuid_n 71)")"
expect_eq "the plug's mode is bridge" \
        "$(port_out "$(uuid_n 71)" 52:54:00:d0:00:02 "<plug type='hybrid' dev='sfc0' mode='bridge' managed='no'>" \
                "  <driver name='vfio'/>" "  <address domain='0x0000' bus='0x07' slot='0x02' function='0x0'/>" \
                "</plug>" "$(np_plug "pf='sfc0' vf-index='0' tap='macvtap0'")")" "$P_XML"
check "Stop FORCE" stop_net hy-br 1
expect_eq "sfc0's VF 0 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $SFC0 0)"

# ==== a device in the pools of two networks is held through one of them ====
check "hostdev network A over pf eth0 starts" define_start share-a "$HD_FWD"
check "hostdev network B over pf eth0 starts" define_start share-b "$HD_FWD"
for i in 0 1 2 3 4 5 6 7; do
        port_call Allocate share-a "$(np_port_xml mac="52:54:00:e0:00:1$i" uuid="$(uuid_n 8$i)")" >/dev/null ||
                not_ok "Allocate port $i on share-a"
done
expect_eq "A has 8 connections" "8" "$(net_prop share-a Connections)"
expect_error "B is exhausted" org.netpool1.Error.PoolExhausted \
        np_send "$(np_net_path share-b)" Network.Allocate string:"$(np_port_xml mac=52:54:00:e0:00:20)" uint64:0
b_msg=$(cat "$NP_DIR/last.out")
expect_eq "the message does not say B's devices are unused" "yes" \
        "$(grep -q -e "8 of 8 in use" -e "share-a" <<<"$b_msg" && echo yes || echo "no: $b_msg")"
expect_eq "B has no connection" "0" "$(net_prop share-b Connections)"
expect_eq "B's VFs show no port of B" "0" "$(np_devices share-b | awk '$7 != 0' | wc -l)"
expect_eq "B's Available is 0: every VF is held through A" "0" "$(net_prop share-b Available)"
expect_eq "B shows every VF in-use" "8" "$(np_devices share-b | awk '$6 == "in-use"' | wc -l)"
check "B stops and starts again while A holds its VFs" bash -c "busctl --system call org.netpool1 \
        '$(np_net_path share-b)' org.netpool1.Network Stop t 0 && busctl --system call org.netpool1 \
        '$(np_net_path share-b)' org.netpool1.Network Start t 0"
expect_eq "B's Available is still 0 after its Start" "0" "$(net_prop share-b Available)"
# A's port has VF 3 on vfio-pci (managed): it had no host netdev when B's pool was made at this Start
expect_eq "B's row of VF 3 names A's port that holds it" "0000:03:02.3 - 0000:03:02.3 eth0 3 in-use 0 $(uuid_n 83)" \
        "$(np_devices share-b | awk '$1 == "0000:03:02.3"')"
check "release A's port on VF 3" np_release share-a "$(uuid_n 83)"
expect_eq "B's Available is 1 again" "1" "$(net_prop share-b Available)"
expect_eq "B shows VF 3 free" "free" "$(np_devices share-b | awk '$1 == "0000:03:02.3" { print $6 }')"
port_call Allocate share-b "$(np_port_xml mac=52:54:00:e0:00:21 uuid="$(uuid_n 90)")"
check "B gets VF 3" grep -q "<address domain='0x0000' bus='0x03' slot='0x02' function='0x3'/>" <<<"$P_XML"
expect_eq "VF 3 carries B's port's MAC" "52:54:00:e0:00:21 0 0 1 0 auto" "$(np_vfst $ETH0 3)"
expect_eq "A's Available is 0 with VF 3 held through B" "0" "$(net_prop share-a Available)"
expect_error "now A is exhausted" org.netpool1.Error.PoolExhausted \
        np_send "$(np_net_path share-a)" Network.Allocate string:"$(np_port_xml mac=52:54:00:e0:00:22)" uint64:0
expect_error "Notify on A of VF 3 (B's) is DeviceBusy" org.netpool1.Error.DeviceBusy \
        np_send "$(np_net_path share-a)" Network.Notify string:"$(np_port_xml mac=52:54:00:e0:00:23 uuid="$(uuid_n 91)" \
                extra="$(hostdev_plug 0x03 0x02 0x3 | sed 's/^/  /')
")" uint64:0
check "Stop FORCE A" stop_net share-a 1
check "Stop FORCE B" stop_net share-b 1
for i in 0 1 2 3 4 5 6 7; do
        [ "$(np_vfst $ETH0 $i)" = "$DEFAULT_VF" ] || not_ok "VF $i of eth0 is back to the defaults ($(np_vfst $ETH0 $i))"
done
check "no VF record is left" bash -c "[ -z \"\$(ls '$NP_DIR/run/vf')\" ]"

# ==== devices taken outside netpool ====
check "a hostdev network over pf eth0 starts" define_start outside "$HD_FWD"
np_simhost --assign 0000:03:02.0
# past the hot-plug rescan this change sets off (its row loses the netdev); a fixed sleep was too short under load
for _ in $(seq 100); do
        [ "$(device_row outside 0000:03:02.0 | cut -d' ' -f2)" = "-" ] && break
        sleep 0.1
done
check "Allocate while VF 0 is bound to vfio-pci by someone else" port_call Allocate outside \
        "$(np_port_xml mac=52:54:00:f0:00:01 uuid="$(uuid_n 100)")"
check "the port got VF 1" grep -q "function='0x1'" <<<"$P_XML"
# the row shows the netdev it has now: none, on vfio-pci (issue 20: GetDevices tells the truth)
expect_eq "VF 0 is shown unavailable" "0000:03:02.0 - 0000:03:02.0 eth0 0 unavailable 0 -" \
        "$(device_row outside 0000:03:02.0)"
expect_eq "VF 0 was not touched" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
expect_eq "Available 6" "6" "$(net_prop outside Available)"
check "Rescan" busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0
expect_eq "after a Rescan VF 0 (still bound to vfio-pci) is still unavailable" "unavailable" \
        "$(device_row outside 0000:03:02.0 | cut -d' ' -f6)"
expect_eq "and Available still 6" "6" "$(net_prop outside Available)"
check "Stop FORCE" stop_net outside 1
np_simhost --release 0000:03:02.0
check "a passthrough network over eth0v0 and eth0v1 starts" define_start outside-pt \
        "<forward mode='passthrough'><interface dev='eth0v0'/><interface dev='eth0v1'/></forward>"
np_simhost --assign 0000:03:02.0
check "Allocate while eth0v0 has vanished" port_call Allocate outside-pt "$(np_port_xml mac=52:54:00:f0:00:02 uuid="$(uuid_n 101)")"
check "the port got eth0v1" grep -q "dev='eth0v1' mode='passthrough'" <<<"$P_XML"
expect_eq "eth0v0 is shown unavailable" "unavailable" "$(device_row outside-pt eth0v0 | cut -d' ' -f6)"
expect_eq "Available 0" "0" "$(net_prop outside-pt Available)"
check "Stop FORCE" stop_net outside-pt 1
np_simhost --release 0000:03:02.0

# ==== Notify ====
check "a hostdev network over pf eth0 starts" define_start nt "$HD_FWD"
NT=$(np_net_path nt)
check "Allocate" port_call Allocate nt "$(np_port_xml mac=52:54:00:aa:00:01 uuid="$(uuid_n 110)")"
NT_PATH=$P_PATH
NT_XML=$P_XML
check "Notify of the XML Allocate returned" port_call Notify nt "$NT_XML"
expect_eq "is the same port" "$NT_PATH" "$P_PATH"
expect_eq "with the same XML" "$NT_XML" "$P_XML"
expect_eq "counted once" "1" "$(net_prop nt Connections)"
expect_eq "listed once" "1" "$(list_ports | wc -l)"
expect_eq "VF 0 still carries the port's MAC" "52:54:00:aa:00:01 0 0 1 0 auto" "$(np_vfst $ETH0 0)"
expect_error "Notify of the same device with another UUID is DeviceBusy" org.netpool1.Error.DeviceBusy \
        np_send "$NT" Network.Notify string:"${NT_XML/$(uuid_n 110)/$(uuid_n 111)}" uint64:0
expect_error "Notify of a device outside the pool is DeviceNotFound" org.netpool1.Error.DeviceNotFound \
        np_send "$NT" Network.Notify string:"$(sed "s/bus='0x03' slot='0x02' function='0x0'/bus='0x05' slot='0x00' function='0x1'/;s/$(uuid_n 110)/$(uuid_n 112)/" <<<"$NT_XML")" uint64:0
expect_error "Notify without a plug is InvalidArgument" org.netpool1.Error.InvalidArgument \
        np_send "$NT" Network.Notify string:"$(np_port_xml mac=52:54:00:aa:00:03 uuid="$(uuid_n 113)")" uint64:0
expect_eq "still one connection" "1" "$(net_prop nt Connections)"
check "Release" np_release nt "$(uuid_n 110)"
expect_eq "VF 0 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"

# ==== kill -9: the port records alone make the counts ====
for i in 1 2 3; do
        port_call Allocate nt "$(np_port_xml mac="52:54:00:ab:00:0$i" uuid="$(uuid_n 12$i)")" >/dev/null || not_ok "Allocate $i on nt"
done
before_ports=$(list_ports)
before_devices=$(np_devices nt)
check "kill -9 the daemon" np_kill9
expect_eq "after re-activation: Connections 3" "3" "$(net_prop nt Connections)"
expect_eq "Available 5" "5" "$(net_prop nt Available)"
expect_eq "the same ports" "$before_ports" "$(list_ports)"
expect_eq "the same devices, nothing counted twice" "$before_devices" "$(np_devices nt)"
expect_eq "the VFs kept the ports' MACs" "52:54:00:ab:00:02 0 0 1 0 auto" "$(np_vfst $ETH0 1)"
check "a port object answers" bash -c "[ \"\$(busctl --system get-property org.netpool1 $(np_port_path "$(uuid_n 122)") \
        org.netpool1.Port MAC)\" = 's \"52:54:00:ab:00:02\"' ]"
check "kill -9 again" np_kill9
expect_eq "still Connections 3" "3" "$(net_prop nt Connections)"
# the count is the port records': one taken away while the daemon is down is one connection less
check "kill -9 once more" np_kill9
check "remove one port record meanwhile" rm "$NP_DIR/run/ports/$(uuid_n 123).xml"
expect_eq "Connections 2" "2" "$(net_prop nt Connections)"
expect_eq "two ports listed" "$(grep -v "$(uuid_n 123)" <<<"$before_ports")" "$(list_ports)"
check "Stop FORCE" stop_net nt 1
for i in 0 1 2; do
        expect_eq "VF $i is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 $i)"
done

# ==== Notify after the state dir was wiped ====
check "Start the network again" busctl --system call org.netpool1 "$NT" org.netpool1.Network Start t 0
check "Allocate" port_call Allocate nt "$(np_port_xml mac=52:54:00:ac:00:01 uuid="$(uuid_n 130)" extra="  <vlan><tag id='77'/></vlan>
")"
W_XML=$P_XML
W_PATH=$P_PATH
expect_eq "VF 0 carries MAC and VLAN" "52:54:00:ac:00:01 77 0 1 0 auto" "$(np_vfst $ETH0 0)"
check "kill -9" np_kill9
rm -rf "$NP_DIR/run"
expect_eq "after the wipe the network is inactive" "false" "$(net_prop nt Active)"
expect_eq "and has no port" "" "$(list_ports)"
check "Start it" busctl --system call org.netpool1 "$NT" org.netpool1.Network Start t 0
check "Notify the saved port XML" port_call Notify nt "$W_XML"
expect_eq "the port is back at its path" "$W_PATH" "$P_PATH"
expect_eq "with its XML" "$W_XML" "$P_XML"
expect_eq "Connections 1" "1" "$(net_prop nt Connections)"
# the daemon killed with the port left VF 0 on vfio-pci (managed), and the wipe took the record that gives it back:
# at this Start it had no host netdev for the pool to record
expect_eq "VF 0 is in use by it" "0000:03:02.0 - 0000:03:02.0 eth0 0 in-use 1 $(uuid_n 130)" \
        "$(device_row nt 0000:03:02.0)"
check "Release" np_release nt "$(uuid_n 130)"
expect_eq "the VF is left clean: MAC 00:…, VLAN 0" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
expect_eq "and back on its host driver, with its netdev" "iavf eth0v0" \
        "$(basename "$(readlink "$NP_SIM/sys/bus/pci/devices/0000:03:02.0/driver")") $(ls "$NP_SIM/sys/bus/pci/devices/0000:03:02.0/net")"
check "no VF record is left" bash -c "[ -z \"\$(ls '$NP_DIR/run/vf' 2>/dev/null)\" ]"
expect_eq "the device is free" "free" "$(device_row nt 0000:03:02.0 | cut -d' ' -f6)"
check "Stop" stop_net nt

# ==== signals ====
sleep 0.3
kill $MON 2>/dev/null
wait $MON 2>/dev/null
signals() {     # signals MEMBER: "path first-arg" of each such signal seen
        python3 -c 'import json,sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") == "signal" and m.get("member") == sys.argv[2]:
        d = m.get("payload", {}).get("data", [])
        print(m.get("path"), d[0] if d else "")' "$NP_DIR/monitor.json" "$1"
}
check "InterfacesAdded for port $U1 with org.netpool1.Port" bash -c \
        "grep '\"member\":\"InterfacesAdded\"' '$NP_DIR/monitor.json' | grep '$U1_PATH' | grep -q org.netpool1.Port"
check "InterfacesRemoved for it" bash -c \
        "grep '\"member\":\"InterfacesRemoved\"' '$NP_DIR/monitor.json' | grep -q '$U1_PATH'"
check "InterfacesRemoved for the ports Stop FORCE released" bash -c \
        "grep '\"member\":\"InterfacesRemoved\"' '$NP_DIR/monitor.json' | grep -q '$(np_port_path "$(uuid_n 10)")'"
check "PropertiesChanged of network hd carried Connections and Available" bash -c \
        "grep '\"member\":\"PropertiesChanged\"' '$NP_DIR/monitor.json' | grep '\"path\":\"$HD\"' |
         grep Connections | grep -q Available"
# hd saw its Start, 10 Allocates, 2 Releases and a Stop FORCE (its 8 releases and the stop in one loop turn: one
# PropertiesChanged, coalesced)
n_changed=$(signals PropertiesChanged | grep -c "^$HD ")
check "PropertiesChanged of hd was sent for each call that changed it ($n_changed)" test "$n_changed" -ge 14
np_done
