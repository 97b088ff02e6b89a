#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# VF configuration quirks through the bus, on the default sim host: ConnectX-3 port-2 VFs and dual-port VFs
# (per-port settings), Solarflare-like VFs without netdevs (hybrid), drivers that refuse the zero MAC or
# answer EBUSY, a PF that is down, and a restore that fails at Release and is retried.
source "$(dirname "$0")/lib.sh"
np_setup

M=/org/netpool1
ETH0=0000:03:00.0
CX3=0000:05:00.0
SFC0=0000:07:00.0
NP_OWNER_NAME=vm2 NP_OWNER_UUID=b0b0b0b0-0000-4000-8000-0000000000bb       # the owner of np_port_xml
DEFAULT_VF="00:00:00:00:00:00 0 0 1 0 auto"       # what the sim host starts a VF with

uuid_n() {
        printf "7b000000-0000-4000-8000-%012d" "$1"
}

HD_ETH0="<forward mode='hostdev' managed='yes'><driver name='vfio'/><pf dev='eth0'/></forward>"

# ==== ConnectX-3: a port-2 VF is configured and read through ens1d1 ====
# managed='no': the test plays the hypervisor that binds the VF to vfio-pci (netpoold leaves the driver alone)
check "a hostdev network over ens1d1 (port 2) starts" np_define_start cx3-p2 \
        "<forward mode='hostdev' managed='no'><pf dev='ens1d1'/></forward>"
echo 02:aa:bb:cc:dd:04 >"$NP_SIM/vfstate/$CX3/vf4/p2/mac"
echo 9 >"$NP_SIM/vfstate/$CX3/vf4/p2/vlan"
check "Allocate" np_allocate cx3-p2 "$(np_port_xml mac=52:54:00:c3:00:01 uuid="$(uuid_n 1)")"
check "it got VF 4 (the first port-2 VF)" \
        grep -q "<address domain='0x0000' bus='0x05' slot='0x00' function='0x5'/>" <<<"$NP_PORT_XML"
expect_eq "VF 4's port-2 state carries the port's MAC (VLAN 0: the network has none)" \
        "52:54:00:c3:00:01 0 0 1 0 auto" "$(np_vfst $CX3 4 2)"
expect_eq "the record is named after ens1d1" "ens1d1_vf4" "$(np_vf_records)"
check "and holds the original read through ens1d1" bash -c \
        "grep -q \"dev='ens1d1'\" '$NP_DIR/run/vf/ens1d1_vf4' && grep -q 'mac=.02:aa:bb:cc:dd:04' '$NP_DIR/run/vf/ens1d1_vf4' &&
         grep -q 'vlan=.9.' '$NP_DIR/run/vf/ens1d1_vf4'"
np_simhost --assign 0000:05:00.5
check "the guest took the VF: its netdev ens1d1v4 is gone" test ! -e "$NP_SIM/sys/class/net/ens1d1v4"
check "Release" np_release cx3-p2 "$(uuid_n 1)"
expect_eq "VF 4's original MAC and VLAN are back on port 2" "02:aa:bb:cc:dd:04 9 0 1 0 auto" "$(np_vfst $CX3 4 2)"
expect_eq "the record is gone" "" "$(np_vf_records)"
# the hypervisor gives the VF back to the host (until then a rescan may see it bound to vfio-pci with no port
# of ours: taken outside netpool, so unavailable); then it is free again
np_simhost --release 0000:05:00.5
for _ in $(seq 100); do
        [ "$(np_device_state cx3-p2 0000:05:00.5)" = free ] && break
        sleep 0.1
done
expect_eq "VF 4 is free" "free" "$(np_device_state cx3-p2 0000:05:00.5)"
check "Stop" np_stop cx3-p2 1

# ==== a dual-port VF takes per-port settings ====
check "a hostdev network over VF 6 of ens1 (a netdev on each port) starts" np_define_start cx3-dual \
        "<forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x7'/></forward>"
per_port() {    # VAR MAC1 MAC2: <netdev port='1'> and <netdev port='2'> blocks into VAR (each live port its own MACs)
        printf -v "$1" "  <netdev port='1'>
    <mac address='%s'/>
    <vlan>
      <tag id='11'/>
    </vlan>
  </netdev>
  <netdev port='2'>
    <mac address='%s'/>
    <vlan>
      <tag id='12'/>
    </vlan>
  </netdev>
" "$2" "$3"
}
per_port PER_PORT 52:54:00:d1:00:01 52:54:00:d1:00:02
per_port PER_PORT_21 52:54:00:d1:01:01 52:54:00:d1:01:02
per_port PER_PORT_22 52:54:00:d1:02:01 52:54:00:d1:02:02
check "Allocate with <netdev port='1'> and <netdev port='2'>" np_allocate cx3-dual \
        "$(np_port_xml mac=52:54:00:d1:00:00 uuid="$(uuid_n 2)" extra="$PER_PORT")"
expect_eq "the returned XML keeps both per-port blocks before the plug" "$(np_port_xml mac=52:54:00:d1:00:00 uuid="$(uuid_n 2)" \
        extra="$PER_PORT  <plug type='hostdev-pci' managed='yes'>
    <address domain='0x0000' bus='0x05' slot='0x00' function='0x7'/>
  </plug>
  <netpool:plug xmlns:netpool='urn:netpool:xml:1' pf='ens1' vf-index='6' iommu-group='16' vfio-group='$NP_SIM/dev/vfio/16'/>
")" "$NP_PORT_XML"
expect_eq "port 1 of VF 6 has its own MAC and VLAN" "52:54:00:d1:00:01 11 0 1 0 auto" "$(np_vfst $CX3 6 1)"
expect_eq "port 2 of VF 6 has its own MAC and VLAN" "52:54:00:d1:00:02 12 0 1 0 auto" "$(np_vfst $CX3 6 2)"
expect_eq "a record for each port" "ens1_vf6 ens1d1_vf6" "$(np_vf_records)"
check "Release" np_release cx3-dual "$(uuid_n 2)"
expect_eq "port 1 is restored" "$DEFAULT_VF" "$(np_vfst $CX3 6 1)"
expect_eq "port 2 is restored" "$DEFAULT_VF" "$(np_vfst $CX3 6 2)"
expect_eq "both records are gone" "" "$(np_vf_records)"
check "Stop" np_stop cx3-dual 1
check "a hostdev network over VF 0 of ens1 (single port) starts" np_define_start cx3-single \
        "<forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x1'/></forward>"
expect_error "per-port settings on a single-port VF" org.netpool1.Error.InvalidArgument \
        np_send "$(np_net_path cx3-single)" Network.Allocate string:"$(np_port_xml mac=52:54:00:d1:00:10 uuid="$(uuid_n 3)" \
                extra="$PER_PORT")" uint64:0
np_says "the message says the VF has only one port" "VF 0 of 'ens1' has only one port"
expect_eq "nothing was changed" "$DEFAULT_VF" "$(np_vfst $CX3 0 1)"
expect_eq "no record" "" "$(np_vf_records)"
expect_eq "the VF is still available" "1" "$(np_get_prop cx3-single Available)"
check "Stop" np_stop cx3-single 1

# ==== a pool mixing single-port and dual-port VFs: per-port settings pick a VF that can take them ====
check "a hostdev network over all of ens1's VFs starts" np_define_start cx3-mixed \
        "<forward mode='hostdev' managed='yes'><pf dev='ens1'/></forward>"
plug_function() {       # the function='0x…' of the plug in NP_PORT_XML
        printf '%s\n' "$NP_PORT_XML" | sed -n "/<plug/,/<\/plug>/s/.*function='\([^']*\)'.*/\1/p"
}
check "Allocate with per-port settings on the mixed pool" np_allocate cx3-mixed \
        "$(np_port_xml mac=52:54:00:d1:00:20 uuid="$(uuid_n 20)" extra="$PER_PORT")"
expect_eq "it took VF 6, the first dual-port VF, not the single-port VF 0" "0x7" "$(plug_function)"
expect_eq "port 2 of VF 6 has its settings" "52:54:00:d1:00:02 12 0 1 0 auto" "$(np_vfst $CX3 6 2)"
check "a second one" np_allocate cx3-mixed "$(np_port_xml mac=52:54:00:d1:00:21 uuid="$(uuid_n 21)" extra="$PER_PORT_21")"
expect_eq "it took VF 7, the other dual-port VF" "0x0" "$(plug_function)"
expect_eq "… whose address is 05:01.0" "1" "$(printf '%s\n' "$NP_PORT_XML" | grep -c "slot='0x01' function='0x0'")"
expect_error "a third finds no free dual-port VF: PoolExhausted" org.netpool1.Error.PoolExhausted \
        np_send "$(np_net_path cx3-mixed)" Network.Allocate string:"$(np_port_xml mac=52:54:00:d1:00:22 uuid="$(uuid_n 22)" \
                extra="$PER_PORT_22")" uint64:0
np_says "the message says the dual-port VFs are in use" "the dual-port ones are in use"
check "a port without per-port settings still gets a single-port VF" np_allocate cx3-mixed \
        "$(np_port_xml mac=52:54:00:d1:00:23 uuid="$(uuid_n 23)")"
expect_eq "… VF 0" "0x1" "$(plug_function)"
for i in 20 21 23; do
        check "Release port $i" np_release cx3-mixed "$(uuid_n $i)"
done
expect_eq "every VF is restored" "" "$(np_vf_records)"
check "Stop" np_stop cx3-mixed 1

# ==== Solarflare-like: VFs without netdevs, configured through the PF (hybrid) ====
check "a hybrid network over sfc0 starts" np_define_start sfc \
        "<forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='sfc0'/></forward>"
check "Allocate" np_allocate sfc "$(np_port_xml mac=52:54:00:5f:00:01 uuid="$(uuid_n 4)")"
expect_eq "the plug: PF sfc0, vepa, the VF's address" "  <plug type='hybrid' dev='sfc0' mode='vepa' managed='yes'>
    <driver name='vfio'/>
    <address domain='0x0000' bus='0x07' slot='0x02' function='0x0'/>
  </plug>" "$(sed -n '/<plug/,/<\/plug>/p' <<<"$NP_PORT_XML")"
expect_eq "the VF's admin MAC is the port's" "52:54:00:5f:00:01 0 0 1 0 auto" "$(np_vfst $SFC0 0)"
expect_eq "its record" "sfc0_vf0" "$(np_vf_records)"
check "Release" np_release sfc "$(uuid_n 4)"
expect_eq "the VF is back to 00:00:00:00:00:00" "$DEFAULT_VF" "$(np_vfst $SFC0 0)"
expect_eq "the record is gone" "" "$(np_vf_records)"
check "Stop" np_stop sfc 1

# ==== drivers that refuse the zero MAC get a locally administered one, unique per VF ====
check "a hostdev network over eth0 starts" np_define_start hd "$HD_ETH0"
check "Allocate on VF 0" np_allocate hd "$(np_port_xml mac=52:54:00:e0:00:01 uuid="$(uuid_n 5)")"
check "Allocate on VF 1" np_allocate hd "$(np_port_xml mac=52:54:00:e0:00:02 uuid="$(uuid_n 6)")"
np_simhost --fail $ETH0 0 'set_mac_zero EINVAL' --fail $ETH0 1 'set_mac_zero EINVAL'
check "Release of VF 0's port succeeds" np_release hd "$(uuid_n 5)"
check "Release of VF 1's port succeeds" np_release hd "$(uuid_n 6)"
mac0=$(cat "$NP_SIM/vfstate/$ETH0/vf0/p1/mac")
mac1=$(cat "$NP_SIM/vfstate/$ETH0/vf1/p1/mac")
first_octet_bits() {    # "local unicast" when bit 0x02 is set and 0x01 clear
        local o=$((16#${1%%:*}))
        [ $((o & 3)) = 2 ] && echo "local unicast" || echo "first octet ${1%%:*}"
}
expect_eq "VF 0 got a locally administered unicast MAC" "local unicast" "$(first_octet_bits "$mac0")"
expect_eq "VF 1 too" "local unicast" "$(first_octet_bits "$mac1")"
check "the two differ ($mac0, $mac1)" test "$mac0" != "$mac1"
check "neither keeps the guest's MAC" bash -c "[ '$mac0' != 52:54:00:e0:00:01 ] && [ '$mac1' != 52:54:00:e0:00:02 ]"
expect_eq "no record is left" "" "$(np_vf_records)"
expect_eq "VF 0 is free" "free" "$(np_device_state hd 0000:03:02.0)"
expect_eq "VF 1 is free" "free" "$(np_device_state hd 0000:03:02.1)"
expect_eq "all 8 available" "8" "$(np_get_prop hd Available)"
np_simhost --clear-fail $ETH0 0 --clear-fail $ETH0 1
# the host's administrator clears the placeholders
echo 00:00:00:00:00:00 >"$NP_SIM/vfstate/$ETH0/vf0/p1/mac"
echo 00:00:00:00:00:00 >"$NP_SIM/vfstate/$ETH0/vf1/p1/mac"

# ==== EBUSY ("VF still in reset") is retried, within bounds ====
np_simhost --fail $ETH0 0 'set_mac EBUSY 2'
check "Allocate while VF 0 answers EBUSY twice" np_allocate hd "$(np_port_xml mac=52:54:00:e0:00:03 uuid="$(uuid_n 7)")"
check "it got VF 0" grep -q "function='0x0'/>" <<<"$NP_PORT_XML"
expect_eq "VF 0 carries the port's MAC" "52:54:00:e0:00:03 0 0 1 0 auto" "$(np_vfst $ETH0 0)"
check "Release" np_release hd "$(uuid_n 7)"
expect_eq "VF 0 is back to the defaults" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
np_simhost --clear-fail $ETH0 0 --fail $ETH0 0 'set_mac EBUSY'
expect_error "Allocate while VF 0 stays busy is HardwareError" org.netpool1.Error.HardwareError \
        np_send "$(np_net_path hd)" Network.Allocate string:"$(np_port_xml mac=52:54:00:e0:00:04 uuid="$(uuid_n 8)")" uint64:0
np_says "the message says the VF is still in reset" "VF 0 of PF netdev 'eth0': the VF is still in reset"
expect_eq "VF 0 is unchanged" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
expect_eq "no VF record is left" "" "$(np_vf_records)"
check "no port record is left" test ! -e "$NP_DIR/run/ports/$(uuid_n 8).xml"
expect_error "no port was made" org.netpool1.Error.NoSuchPort np_send $M Manager.LookupPort string:"$(uuid_n 8)" uint64:0
expect_eq "VF 0 is free" "free" "$(np_device_state hd 0000:03:02.0)"
expect_eq "Available unchanged" "8" "$(np_get_prop hd Available)"
expect_eq "Connections 0" "0" "$(np_get_prop hd Connections)"
np_simhost --clear-fail $ETH0 0

# ==== a PF that is down ====
np_simhost --link eth0 down
expect_error "Allocate while eth0 is down is HardwareError" org.netpool1.Error.HardwareError \
        np_send "$(np_net_path hd)" Network.Allocate string:"$(np_port_xml mac=52:54:00:e0:00:05 uuid="$(uuid_n 9)")" uint64:0
np_says "the message says the PF is down" "PF netdev 'eth0' is down"
expect_eq "VF 0 is unchanged" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
expect_eq "no VF record" "" "$(np_vf_records)"
expect_eq "Available unchanged" "8" "$(np_get_prop hd Available)"
expect_eq "Connections 0" "0" "$(np_get_prop hd Connections)"
np_simhost --link eth0 up
check "after eth0 is up again Allocate works" np_allocate hd "$(np_port_xml mac=52:54:00:e0:00:05 uuid="$(uuid_n 9)")"
expect_eq "VF 0 carries the port's MAC" "52:54:00:e0:00:05 0 0 1 0 auto" "$(np_vfst $ETH0 0)"

# ==== a restore that fails at Release is kept and retried ====
np_simhost --fail $ETH0 0 'set_mac EINVAL'
check "Release while VF 0 refuses every MAC succeeds" np_release hd "$(uuid_n 9)"
expect_eq "the port is gone" "a(sssssso) 0" "$(busctl --system call org.netpool1 $M org.netpool1.Manager ListPorts t 0)"
check "its port record is gone" test ! -e "$NP_DIR/run/ports/$(uuid_n 9).xml"
expect_eq "GetDevices shows VF 0 restore-failed" "0000:03:02.0 eth0v0 0000:03:02.0 eth0 0 restore-failed 0 -" \
        "$(np_devices hd | sed -n 1p)"
expect_eq "the VF record stays for the retry" "eth0_vf0" "$(np_vf_records)"
expect_eq "VF 0 is not available" "7" "$(np_get_prop hd Available)"
check "an Allocate meanwhile takes VF 1" np_allocate hd "$(np_port_xml mac=52:54:00:e0:00:06 uuid="$(uuid_n 10)")"
check "it got VF 1" grep -q "function='0x1'/>" <<<"$NP_PORT_XML"
check "Release it" np_release hd "$(uuid_n 10)"
np_simhost --clear-fail $ETH0 0
# a Rescan retries the restore at once (and a timer every 10 s)
CRASH="netpoold dies with SIGSEGV when a retried restore frees a restore-failed device (port_plan_vfs with
the NULL PortDef of clear_restored_devices' probe port), at every start after that too"
CRASH=$(echo $CRASH)
# busctl prints nothing on success, its error otherwise
expect_eq "Rescan" "" "$(busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0 2>&1)"
for _ in $(seq 150); do
        [ "$(np_device_state hd 0000:03:02.0 2>/dev/null)" = free ] && break
        sleep 0.1
done
expect_eq "VF 0 is free again" "free" "$(np_device_state hd 0000:03:02.0 2>&1)"
expect_eq "VF 0 is restored" "$DEFAULT_VF" "$(np_vfst $ETH0 0)"
expect_eq "its record is gone" "" "$(np_vf_records)"
expect_eq "all 8 available" "8" "$(np_get_prop hd Available 2>&1)"
expect_eq "Stop" "" "$(np_stop hd 1 2>&1)"
np_done
