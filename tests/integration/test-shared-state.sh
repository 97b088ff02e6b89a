#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Device state that must hold across networks and restarts, on the default sim host: per-port settings only
# where a port's record can be read back, restore-failed host-wide (not per pool), one home for each port's
# original of a dual-port VF, claims on VFs that come back, and PoolExhausted saying why.
source "$(dirname "$0")/lib.sh"
np_setup

M=/org/netpool1
ETH0=0000:03:00.0
CX3=0000:05:00.0
DEFAULT_VF="00:00:00:00:00:00 0 0 1 0 auto"       # what the sim host starts a VF with

uuid_n() {
        printf "7c000000-0000-4000-8000-%012d" "$1"
}
# wait_state NET ID STATE: up to 10 s (hot-plug events settle for 300 ms before a rescan)
wait_state() {
        for _ in $(seq 100); do
                [ "$(np_device_state "$1" "$2")" = "$3" ] && return 0
                sleep 0.1
        done
        return 1
}
plug_function() {       # the function='0x…' of the plug in NP_PORT_XML
        printf '%s\n' "$NP_PORT_XML" | sed -n "/<plug/,/<\/plug>/s/.*function='\([^']*\)'.*/\1/p"
}
lookup_port() {
        busctl --system call org.netpool1 $M org.netpool1.Manager LookupPort st "$1" 0 >/dev/null
}
# notify NET UUID MAC FUNCTION-ADDRESS-ATTRS: Notify of a hostdev port on the VF at that address
notify() {
        np_send "$(np_net_path "$1")" Network.Notify string:"$(np_port_xml mac="$3" uuid="$2" \
                extra="  <plug type='hostdev-pci' managed='yes'>
    <address domain='0x0000' $4/>
  </plug>
")" uint64:0
}
PER_PORT="  <netdev port='1'>
    <mac address='52:54:00:d1:00:01'/>
  </netdev>
  <netdev port='2'>
    <mac address='52:54:00:d1:00:02'/>
  </netdev>
"

# ==== per-port settings only where the plug can carry them, so that a restart reads the port back ====
check "a passthrough network over ens1 (dual-port VFs 6 and 7 among its devices) starts" np_define_start pt-ens1 \
        "<forward mode='passthrough'><pf dev='ens1'/></forward>"
expect_error "Allocate with <netdev port=…> on passthrough is Unsupported" org.netpool1.Error.Unsupported \
        np_send "$(np_net_path pt-ens1)" Network.Allocate \
        string:"$(np_port_xml mac=52:54:00:15:00:01 uuid="$(uuid_n 1)" extra="$PER_PORT")" uint64:0
np_says "the message says where they apply" "apply only to hostdev and pci-passthrough-hybrid networks"
expect_eq "no port record was written" "" "$(ls "$NP_DIR/run/ports")"
expect_eq "no VF record was written" "" "$(np_vf_records)"
check "Allocate without them" np_allocate pt-ens1 "$(np_port_xml mac=52:54:00:15:00:02 uuid="$(uuid_n 2)")"
check "a hostdev network over the dual-port VF 6 starts" np_define_start hd-dual \
        "<forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x7'/></forward>"
check "Allocate with <netdev port=…> there" np_allocate hd-dual "$(np_port_xml mac=52:54:00:15:00:03 uuid="$(uuid_n 3)" extra="$PER_PORT")"
check "kill -9" np_kill9
check "after the restart the passthrough port is there" lookup_port "$(uuid_n 2)"
check "and the one with per-port settings" lookup_port "$(uuid_n 3)"
expect_eq "port 2 of VF 6 kept its port's MAC (not reset under the guest)" "52:54:00:d1:00:02 0 0 1 0 auto" \
        "$(np_vfst $CX3 6 2)"
check "no damaged port record was left" bash -c "! grep -q 'damaged port record' '$NP_DIR/dbus.log'"
check "Release both" bash -c "$(declare -f np_release np_net_path np_path_encode); np_release pt-ens1 $(uuid_n 2) &&
        np_release hd-dual $(uuid_n 3)"
expect_eq "both ports of VF 6 are restored" "$DEFAULT_VF|$DEFAULT_VF" "$(np_vfst $CX3 6 1)|$(np_vfst $CX3 6 2)"
check "Stop both" bash -c "$(declare -f np_stop np_net_path np_path_encode); np_stop pt-ens1 1 && np_stop hd-dual 1"

# ==== a failed restore holds in every network that has the VF, across Stop/Start and restarts ====
check "a hostdev network over eth0's VFs starts" np_define_start hd-all \
        "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>"
check "a hostdev network over VF 0 of eth0 alone starts" np_define_start hd-vf0 \
        "<forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x0'/></forward>"
check "Allocate on hd-vf0" np_allocate hd-vf0 "$(np_port_xml mac=52:54:00:15:00:10 uuid="$(uuid_n 10)")"
np_simhost --fail $ETH0 0 'set_mac EINVAL'
check "Release while VF 0 refuses every MAC succeeds" np_release hd-vf0 "$(uuid_n 10)"
expect_eq "hd-vf0 shows VF 0 restore-failed" "restore-failed" "$(np_device_state hd-vf0 0000:03:02.0)"
expect_eq "so does hd-all" "restore-failed" "$(np_device_state hd-all 0000:03:02.0)"
expect_eq "hd-all counts 7 available" "7" "$(np_get_prop hd-all Available)"
check "Allocate on hd-all" np_allocate hd-all "$(np_port_xml mac=52:54:00:15:00:11 uuid="$(uuid_n 11)")"
expect_eq "it got VF 1, not VF 0 with the previous guest's MAC" "0x1" "$(plug_function)"
check "Release it" np_release hd-all "$(uuid_n 11)"
check "Stop hd-vf0" np_stop hd-vf0 1
check "Start hd-vf0" np_start hd-vf0
expect_eq "after Stop and Start hd-vf0 still shows VF 0 restore-failed" "restore-failed" \
        "$(np_device_state hd-vf0 0000:03:02.0)"
expect_eq "Available 0" "0" "$(np_get_prop hd-vf0 Available)"
expect_error "Allocate on hd-vf0 is PoolExhausted" org.netpool1.Error.PoolExhausted \
        np_send "$(np_net_path hd-vf0)" Network.Allocate string:"$(np_port_xml mac=52:54:00:15:00:12 uuid="$(uuid_n 12)")" uint64:0
np_says "the message says why: restore-failed" "0 of 1 in use; 1 restore-failed"
check "kill -9" np_kill9
expect_eq "after a restart hd-all shows VF 0 restore-failed" "restore-failed" "$(np_device_state hd-all 0000:03:02.0)"
expect_eq "and hd-vf0" "restore-failed" "$(np_device_state hd-vf0 0000:03:02.0)"
check "Stop hd-vf0 (the network that marked it)" np_stop hd-vf0 1
check "kill -9 again" np_kill9
expect_eq "after a restart with the marking network stopped hd-all still shows VF 0 restore-failed" \
        "restore-failed" "$(np_device_state hd-all 0000:03:02.0)"
expect_eq "hd-all counts 7 available" "7" "$(np_get_prop hd-all Available)"
check "Start hd-vf0" np_start hd-vf0
expect_eq "hd-vf0 shows VF 0 restore-failed" "restore-failed" "$(np_device_state hd-vf0 0000:03:02.0)"
# a guest has the VF after all: registered through hd-all, released there once the driver works again
check "Notify of VF 0 through hd-all" notify hd-all "$(uuid_n 13)" 52:54:00:15:00:13 "bus='0x03' slot='0x02' function='0x0'"
expect_eq "hd-vf0 shows VF 0 in use" "in-use" "$(np_device_state hd-vf0 0000:03:02.0)"
np_simhost --clear-fail $ETH0 0
check "Release through hd-all" np_release hd-all "$(uuid_n 13)"
expect_eq "VF 0 is restored" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
expect_eq "no VF record is left" "" "$(np_vf_records)"
expect_eq "hd-vf0 shows VF 0 free at once" "free" "$(np_device_state hd-vf0 0000:03:02.0)"
expect_eq "hd-vf0 counts 1 available" "1" "$(np_get_prop hd-vf0 Available)"
check "Allocate on hd-vf0 works again" np_allocate hd-vf0 "$(np_port_xml mac=52:54:00:15:00:14 uuid="$(uuid_n 14)")"
check "Release it" np_release hd-vf0 "$(uuid_n 14)"
check "Stop hd-vf0" np_stop hd-vf0 1

# ==== a dual-port VF: each port's original has exactly one home ====
echo 02:00:00:00:06:02 >"$NP_SIM/vfstate/$CX3/vf6/p2/mac"
echo 62 >"$NP_SIM/vfstate/$CX3/vf6/p2/vlan"
check "a hostdev network over ens1 (port 1) starts" np_define_start hd-p1 \
        "<forward mode='hostdev' managed='yes'><pf dev='ens1'/></forward>"
check "a hostdev network over ens1d1 (port 2) starts" np_define_start hd-p2 \
        "<forward mode='hostdev' managed='yes'><pf dev='ens1d1'/></forward>"
for i in 20 21 22; do
        check "Allocate on hd-p2 ($i)" np_allocate hd-p2 "$(np_port_xml mac=52:54:00:15:00:$i uuid="$(uuid_n $i)")"
done
expect_eq "the third got VF 6 (dual-port)" "0x7" "$(plug_function)"
expect_eq "port 2 of VF 6 has that port's MAC" "52:54:00:15:00:22 0 0 1 0 auto" "$(np_vfst $CX3 6 2)"
np_simhost --fail $CX3 6 'set_mac EINVAL'
check "Release of VF 6's port while the driver refuses" np_release hd-p2 "$(uuid_n 22)"
vf6_records() {         # the records of VF 6 (ports 20 and 21 hold VFs 4 and 5 meanwhile)
        np_vf_records | tr ' ' '\n' | grep '_vf6$' | tr '\n' ' ' | sed 's/ $//'
}
expect_eq "port 2's record stays" "ens1d1_vf6" "$(vf6_records)"
expect_eq "hd-p1 shows VF 6 restore-failed" "restore-failed" "$(np_device_state hd-p1 0000:05:00.7)"
check "Notify of VF 6 through hd-p1 (a guest has it)" notify hd-p1 "$(uuid_n 23)" 52:54:00:15:00:23 \
        "bus='0x05' slot='0x00' function='0x7'"
expect_eq "port 1 got a record of its own" "ens1_vf6 ens1d1_vf6" "$(vf6_records)"
echo 52:54:00:15:00:23 >"$NP_SIM/vfstate/$CX3/vf6/p1/mac"     # the guest's MAC on port 1
np_simhost --clear-fail $CX3 6
port2_held=$(np_vfst $CX3 6 2)
expect_eq "Rescan" "" "$(busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0 2>&1)"
expect_eq "while the guest holds VF 6, a retry does not reset port 2 under it" "$port2_held" "$(np_vfst $CX3 6 2)"
check "Release through hd-p1" np_release hd-p1 "$(uuid_n 23)"
expect_eq "port 1 has the driver's defaults (Notify had no original of it)" "$DEFAULT_VF" "$(np_vfst $CX3 6 1)"
expect_eq "port 2's record is still there" "ens1d1_vf6" "$(vf6_records)"
expect_eq "VF 6 stays out until it is restored" "restore-failed" "$(np_device_state hd-p1 0000:05:00.7)"
expect_eq "Rescan" "" "$(busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0 2>&1)"
expect_eq "port 2 of VF 6 has its own original back" "02:00:00:00:06:02 62 0 1 0 auto" "$(np_vfst $CX3 6 2)"
expect_eq "no record of VF 6 is left" "" "$(vf6_records)"
expect_eq "VF 6 is free in hd-p1" "free" "$(np_device_state hd-p1 0000:05:00.7)"
expect_eq "and in hd-p2" "free" "$(np_device_state hd-p2 0000:05:00.7)"
for i in 20 21; do
        check "Release port $i" np_release hd-p2 "$(uuid_n $i)"
done
check "Stop both" bash -c "$(declare -f np_stop np_net_path np_path_encode); np_stop hd-p1 1 && np_stop hd-p2 1"

# ==== a VF that comes back is held through the other network at once ====
# The test plays the hypervisor that takes the VF and gives it back: the hostdev network is managed='no', so that
# netpoold leaves the VF's driver alone (with managed='yes' it would have bound the VF to vfio-pci itself)
check "Stop hd-all (managed)" np_stop hd-all 1
check "a hostdev network over eth0's VFs with managed='no' starts" np_define_start hd-eth0 \
        "<forward mode='hostdev' managed='no'><pf dev='eth0'/></forward>"
check "a passthrough network over eth0 starts (sharing eth0's VFs with hd-eth0)" np_define_start pt-eth0 \
        "<forward mode='passthrough'><pf dev='eth0'/></forward>"
check "Allocate on hd-eth0" np_allocate hd-eth0 "$(np_port_xml mac=52:54:00:15:00:30 uuid="$(uuid_n 30)")"
expect_eq "it got VF 0" "0x0" "$(plug_function)"
expect_eq "pt-eth0 shows eth0v0 in use" "in-use" "$(np_device_state pt-eth0 eth0v0)"
np_simhost --assign 0000:03:02.0         # the guest takes it: its netdev leaves the host
check "eth0v0 leaves pt-eth0" bash -c "for _ in \$(seq 100); do
        [ \"\$(busctl --system get-property org.netpool1 $(np_net_path pt-eth0) org.netpool1.Network Capacity)\" = 'u 7' ] && exit 0
        sleep 0.1; done; exit 1"
np_simhost --release 0000:03:02.0        # and gives it back
check "eth0v0 comes back to pt-eth0 in use (held through hd-eth0)" wait_state pt-eth0 eth0v0 in-use
expect_eq "pt-eth0 counts 7 available" "7" "$(np_get_prop pt-eth0 Available)"
check "Allocate on pt-eth0 gets another VF" np_allocate pt-eth0 "$(np_port_xml mac=52:54:00:15:00:31 uuid="$(uuid_n 31)")"
check "… not eth0v0" bash -c "! grep -q \"dev='eth0v0'\" <<<'$NP_PORT_XML'"
check "Release both" bash -c "$(declare -f np_release np_net_path np_path_encode); np_release pt-eth0 $(uuid_n 31) &&
        np_release hd-eth0 $(uuid_n 30)"
check "Stop both" bash -c "$(declare -f np_stop np_net_path np_path_encode); np_stop pt-eth0 1 && np_stop hd-eth0 1"

# ==== PoolExhausted says why: a device taken outside netpool ====
check "a hostdev network over VF 3 of eth0 starts" np_define_start hd-vf3 \
        "<forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x3'/></forward>"
np_simhost --assign 0000:03:02.3         # bound to vfio-pci by someone else
expect_error "Allocate is PoolExhausted" org.netpool1.Error.PoolExhausted \
        np_send "$(np_net_path hd-vf3)" Network.Allocate string:"$(np_port_xml mac=52:54:00:15:00:40 uuid="$(uuid_n 40)")" uint64:0
np_says "the message says the device is unavailable" "0 of 1 in use; 1 unavailable"
np_simhost --release 0000:03:02.3
check "Stop" np_stop hd-vf3 1
np_done
