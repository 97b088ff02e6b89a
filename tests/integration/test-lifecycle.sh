#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Define, start, stop, undefine through busctl, with the errors of each step and the bus signals.
source "$(dirname "$0")/lib.sh"
np_setup

M=/org/netpool1
net_xml() {     # net_xml NAME UUID FORWARD-BODY
        printf "<network>\n  <name>%s</name>\n  <uuid>%s</uuid>\n  %s\n</network>\n" "$1" "$2" "$3"
}
A_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d01
A_XML=$(net_xml sriov-a $A_UUID "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>")
P=$(np_net_path sriov-a)

busctl --system monitor --json=short org.netpool1 >"$NP_DIR/monitor.json" 2>/dev/null &
MON=$!
sleep 0.3

check "DefineNetwork activates the daemon and returns the network's path" \
        bash -c "np_out=\$(busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st \"\$1\" 0) &&
                 [ \"\$np_out\" = \"o \\\"$P\\\"\" ]" _ "$A_XML"
expect_eq "a defined network is inactive" "false" "$(np_get_prop sriov-a Active)"
expect_eq "and persistent" "true" "$(np_get_prop sriov-a Persistent)"
expect_eq "ForwardMode" '"hostdev"' "$(np_get_prop sriov-a ForwardMode)"
expect_eq "UUID" "\"$A_UUID\"" "$(np_get_prop sriov-a UUID)"
check "LookupNetwork by name" busctl --system call org.netpool1 $M org.netpool1.Manager LookupNetwork st sriov-a 0
check "LookupNetwork by upper-case UUID" busctl --system call org.netpool1 $M org.netpool1.Manager LookupNetwork st \
        "${A_UUID^^}" 0
expect_error "LookupNetwork of an unknown name" org.netpool1.Error.NoSuchNetwork \
        np_send $M Manager.LookupNetwork string:nosuch uint64:0
expect_error "unknown flag bits are refused" org.netpool1.Error.InvalidArgument \
        np_send $M Manager.ListNetworks uint64:4
expect_error "GetXML with an unknown flag" org.netpool1.Error.InvalidArgument \
        np_send "$P" Network.GetXML uint64:2

expect_error "a name clash with another UUID is NetworkExists" org.netpool1.Error.NetworkExists \
        np_send $M Manager.DefineNetwork string:"$(net_xml sriov-a 4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0dff \
                "<forward mode='hostdev'><pf dev='eth0'/></forward>")" uint64:0
expect_error "a UUID clash with another name is NetworkExists" org.netpool1.Error.NetworkExists \
        np_send $M Manager.DefineNetwork string:"$(net_xml other $A_UUID \
                "<forward mode='hostdev'><pf dev='eth0'/></forward>")" uint64:0
expect_error "bad XML is InvalidXML" org.netpool1.Error.InvalidXML \
        np_send $M Manager.DefineNetwork string:"<network><name>x</name>" uint64:0
expect_error "a routed network is refused" org.netpool1.Error.InvalidXML \
        np_send $M Manager.DefineNetwork string:"<network><name>r</name><forward mode='nat'/></network>" uint64:0
grep -q "routed" "$NP_DIR/last.out" && ok "the message says netpool does not manage routed networks" ||
        not_ok "the message says netpool does not manage routed networks"
expect_error "Stop of an inactive network is NetworkInactive" org.netpool1.Error.NetworkInactive \
        np_send "$P" Network.Stop uint64:0

check "Start" busctl --system call org.netpool1 "$P" org.netpool1.Network Start t 0
expect_eq "Active after Start" "true" "$(np_get_prop sriov-a Active)"
expect_eq "Capacity is the VF count of eth0" "$(cat "$NP_SIM"/sys/class/net/eth0/device/sriov_numvfs)" \
        "$(np_get_prop sriov-a Capacity)"
expect_eq "all of them available" "$(np_get_prop sriov-a Capacity)" "$(np_get_prop sriov-a Available)"
expect_eq "no connections" "0" "$(np_get_prop sriov-a Connections)"
expect_error "Start of an active network is NetworkActive" org.netpool1.Error.NetworkActive \
        np_send "$P" Network.Start uint64:0
check "ListNetworks shows it active with its capacity" bash -c \
        "busctl --system call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 |
         grep -q '\"sriov-a\" \"$A_UUID\" \"hostdev\" true true false 0 $(np_get_prop sriov-a Capacity) \"$P\"'"
check "GetDevices lists every VF as free with its PF and index" bash -c \
        "busctl --system --json=short call org.netpool1 $P org.netpool1.Network GetDevices t 0 | python3 -c '
import json, sys
rows = json.load(sys.stdin)[\"data\"][0]
assert len(rows) == $(np_get_prop sriov-a Capacity), rows
for i, r in enumerate(rows):
    assert r[3] == \"eth0\" and r[4] == i and r[5] == \"free\" and r[6] == 0 and r[7] == \"\", r
    assert r[0] == r[2], r
'"

# a redefinition while active waits for Stop
A2_XML=$(net_xml sriov-a $A_UUID "<forward mode='hostdev' managed='no'><pf dev='eth0'/></forward>")
check "redefine while active" busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$A2_XML" 0
check "the live view keeps the running definition" bash -c "[[ \"\$(np_xml sriov-a 0)\" == *\"managed='yes'\"* ]]"
check "the inactive view shows the new one" bash -c "[[ \"\$(np_xml sriov-a 1)\" == *\"managed='no'\"* ]]"

check "Stop" busctl --system call org.netpool1 "$P" org.netpool1.Network Stop t 0
expect_eq "inactive after Stop" "false" "$(np_get_prop sriov-a Active)"
check "the new definition took over at Stop" bash -c "[[ \"\$(np_xml sriov-a 0)\" == *\"managed='no'\"* ]]"
expect_error "Stop with an unknown flag" org.netpool1.Error.InvalidArgument np_send "$P" Network.Stop uint64:2

# hardware checks at Start
net_missing=$(net_xml missing-pf 4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d02 \
        "<forward mode='passthrough'><pf dev='nosuch0'/></forward>")
check "a network can be defined before its PF exists" \
        busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$net_missing" 0
expect_error "Start with a missing PF is DeviceNotFound" org.netpool1.Error.DeviceNotFound \
        np_send "$(np_net_path missing-pf)" Network.Start uint64:0
grep -q "nosuch0" "$NP_DIR/last.out" && ok "the message names the missing PF" || not_ok "the message names the missing PF"
expect_eq "and the network stays inactive" "false" "$(np_get_prop missing-pf Active)"
net_usb=$(net_xml usb 4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d03 \
        "<forward mode='hostdev'><address type='usb' bus='1' device='2'/></forward>")
check "a USB hostdev pool can be defined" busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$net_usb" 0
expect_error "but Start refuses it" org.netpool1.Error.Unsupported np_send "$(np_net_path usb)" Network.Start uint64:0
grep -q "plain <hostdev>" "$NP_DIR/last.out" && ok "saying how to assign USB devices" || not_ok "saying how to assign USB devices"
net_pf_not_vf=$(net_xml notvf 4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d04 \
        "<forward mode='hostdev'><address type='pci' domain='0' bus='0x7f' slot='0x1f' function='7'/></forward>")
busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$net_pf_not_vf" 0 >/dev/null
expect_error "a missing PCI address is DeviceNotFound" org.netpool1.Error.DeviceNotFound \
        np_send "$(np_net_path notvf)" Network.Start uint64:0

# Create: transient, started; gone at Stop
C_XML=$(net_xml trans 4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d05 "<forward mode='passthrough'><pf dev='eth0'/></forward>")
check "CreateNetwork" busctl --system call org.netpool1 $M org.netpool1.Manager CreateNetwork st "$C_XML" 0
expect_eq "a created network is active" "true" "$(np_get_prop trans Active)"
expect_eq "and transient" "false" "$(np_get_prop trans Persistent)"
expect_error "a transient network cannot autostart" org.netpool1.Error.InvalidArgument \
        dbus-send --system --print-reply --dest=org.netpool1 "$(np_net_path trans)" \
        org.freedesktop.DBus.Properties.Set string:org.netpool1.Network string:Autostart variant:boolean:true
expect_error "Undefine of a transient network" org.netpool1.Error.InvalidArgument \
        np_send "$(np_net_path trans)" Network.Undefine uint64:0
check "Stop removes a transient network" busctl --system call org.netpool1 "$(np_net_path trans)" org.netpool1.Network Stop t 0
expect_error "it is gone" org.netpool1.Error.NoSuchNetwork np_send $M Manager.LookupNetwork string:trans uint64:0
expect_error "CreateNetwork with a missing PF" org.netpool1.Error.DeviceNotFound np_send $M Manager.CreateNetwork \
        string:"$(net_xml trans2 4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d06 "<forward mode='passthrough'><pf dev='gone0'/></forward>")" uint64:0
expect_error "leaves nothing behind" org.netpool1.Error.NoSuchNetwork np_send $M Manager.LookupNetwork string:trans2 uint64:0

# Autostart property
check "set Autostart" busctl --system set-property org.netpool1 "$P" org.netpool1.Network Autostart b true
expect_eq "Autostart reads back" "true" "$(np_get_prop sriov-a Autostart)"
check "the mark is on disk" test -e "$NP_DIR/etc/autostart/sriov-a"

# Undefine: active -> transient; inactive -> gone
check "Start again" busctl --system call org.netpool1 "$P" org.netpool1.Network Start t 0
check "Undefine an active network" busctl --system call org.netpool1 "$P" org.netpool1.Network Undefine t 0
expect_eq "it is still active" "true" "$(np_get_prop sriov-a Active)"
expect_eq "but transient" "false" "$(np_get_prop sriov-a Persistent)"
check "its definition file is gone" test ! -e "$NP_DIR/etc/sriov-a.xml"
check "and its autostart mark" test ! -e "$NP_DIR/etc/autostart/sriov-a"
check "Stop removes it" busctl --system call org.netpool1 "$P" org.netpool1.Network Stop t 0
expect_error "gone" org.netpool1.Error.NoSuchNetwork np_send $M Manager.LookupNetwork string:sriov-a uint64:0
check "Undefine an inactive network" busctl --system call org.netpool1 "$(np_net_path usb)" org.netpool1.Network Undefine t 0
expect_error "removes it" org.netpool1.Error.NoSuchNetwork np_send $M Manager.LookupNetwork string:usb uint64:0
expect_error "a removed network's object is gone" org.freedesktop.DBus.Error.UnknownObject \
        np_send "$(np_net_path usb)" Network.Start uint64:0

sleep 0.3
kill $MON 2>/dev/null; wait $MON 2>/dev/null
check "InterfacesAdded was signalled" grep -q '"member":"InterfacesAdded"' "$NP_DIR/monitor.json"
check "InterfacesRemoved was signalled" grep -q '"member":"InterfacesRemoved"' "$NP_DIR/monitor.json"
check "PropertiesChanged carried Active" bash -c "grep '\"member\":\"PropertiesChanged\"' '$NP_DIR/monitor.json' | grep -q Active"
check "GetManagedObjects lists the networks" bash -c \
        "busctl --system call org.netpool1 $M org.freedesktop.DBus.ObjectManager GetManagedObjects | grep -q missing_2dpf"

# ==== a definition without <uuid> redefines the network it names (as the docs' examples are written) ====
NOUUID_XML="<network><name>no-uuid</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>"
check "define without <uuid>" np_send $M Manager.DefineNetwork string:"$NOUUID_XML" uint64:0
first_uuid=$(np_get_prop no-uuid UUID)
check "define the same text again" np_send $M Manager.DefineNetwork string:"$NOUUID_XML" uint64:0
expect_eq "the network kept its UUID" "$first_uuid" "$(np_get_prop no-uuid UUID)"
check "define it changed, still without <uuid>" np_send $M Manager.DefineNetwork \
        string:"${NOUUID_XML/eth0/eth1}" uint64:0
expect_eq "the definition was replaced" "1" "$(busctl --system call org.netpool1 "$(np_net_path no-uuid)" \
        org.netpool1.Network GetXML t 1 | grep -c "pf dev=.'eth1.'")"
expect_eq "its file keeps the UUID" "1" "$(grep -c "<uuid>${first_uuid//\"/}</uuid>" "$NP_DIR/etc/no-uuid.xml")"
expect_error "another explicit UUID under that name is still NetworkExists" org.netpool1.Error.NetworkExists \
        np_send $M Manager.DefineNetwork string:"$(net_xml no-uuid 4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0dee \
                "<forward mode='hostdev'><pf dev='eth0'/></forward>")" uint64:0
expect_eq "the message says how to redefine" "1" "$(grep -c "give that UUID (or none) to redefine it" "$NP_DIR/last.out")"
np_done
