#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live and inactive XML, and the pools behind them, on a sim host with each of the three NIC kinds:
# X710-like (eth0), ConnectX-3-like dual port (ens1/ens1d1), Solarflare-like without VF netdevs (sfc0);
# plus a dual-port PF with a VF whose port cannot be told (ens2) and a PF with a gap in its VFs (eth5).
source "$(dirname "$0")/lib.sh"
np_setup
"$NETPOOL_SIMHOST" "$NP_SIM" -q --add-pf 'name=ens2,bdf=0000:06:00.0,model=cx3,vfs=4,port2=1,nonetdev=3' \
        --add-pf 'name=eth5,bdf=0000:08:00.0,model=x710,vfs=4,gap=1' >/dev/null || exit 1

M=/org/netpool1
n=0
start_net() {   # start_net NAME MODE FORWARD-CHILDREN
        n=$((n + 1))
        local xml
        xml=$(printf "<network>\n  <name>%s</name>\n  <uuid>0f0e0d0c-0000-4000-8000-%012d</uuid>\n  <forward mode='%s'>%s</forward>\n</network>\n" \
                "$1" "$n" "$2" "$3")
        busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$xml" 0 >/dev/null &&
                busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network Start t 0 >/dev/null
}
device_rows() {         # device_rows NAME: np_devices without connections and port: "id netdev pci pf vf state"
        np_devices "$1" | cut -d" " -f1-6
}
ids() {
        device_rows "$1" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//'
}

# X710: passthrough over eth0's VF netdevs
check "passthrough over pf eth0 starts" start_net pt-eth0 passthrough "<pf dev='eth0'/>"
expect_eq "live view: the pool written out, forward dev = first VF" "<network>
  <name>pt-eth0</name>
  <uuid>0f0e0d0c-0000-4000-8000-000000000001</uuid>
  <forward dev='eth0v0' mode='passthrough'>
    <pf dev='eth0'/>
    <interface dev='eth0v0'/>
    <interface dev='eth0v1'/>
    <interface dev='eth0v2'/>
    <interface dev='eth0v3'/>
    <interface dev='eth0v4'/>
    <interface dev='eth0v5'/>
    <interface dev='eth0v6'/>
    <interface dev='eth0v7'/>
  </forward>
</network>" "$(np_xml pt-eth0 0)"
expect_eq "inactive view: only the <pf>" "<network>
  <name>pt-eth0</name>
  <uuid>0f0e0d0c-0000-4000-8000-000000000001</uuid>
  <forward mode='passthrough'>
    <pf dev='eth0'/>
  </forward>
</network>" "$(np_xml pt-eth0 1)"
expect_eq "GetDevices: netdev, PCI address, PF, VF index, state" \
        "eth0v2 eth0v2 0000:03:02.2 eth0 2 free" "$(device_rows pt-eth0 | sed -n 3p)"

# X710: hostdev over the VFs' PCI addresses
check "hostdev over pf eth0 starts" start_net hd-eth0 hostdev "<driver name='vfio'/><pf dev='eth0'/>"
expect_eq "live view lists the VFs' addresses" "<network>
  <name>hd-eth0</name>
  <uuid>0f0e0d0c-0000-4000-8000-000000000002</uuid>
  <forward mode='hostdev' managed='no'>
    <driver name='vfio'/>
    <pf dev='eth0'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x0'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x1'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x2'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x3'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x4'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x5'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x6'/>
    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x7'/>
  </forward>
</network>" "$(np_xml hd-eth0 0)"
expect_eq "inactive view of hostdev" "<network>
  <name>hd-eth0</name>
  <uuid>0f0e0d0c-0000-4000-8000-000000000002</uuid>
  <forward mode='hostdev' managed='no'>
    <driver name='vfio'/>
    <pf dev='eth0'/>
  </forward>
</network>" "$(np_xml hd-eth0 1)"

# ConnectX-3 dual port: <pf dev='X'/> means the VFs of X's port; dual-port-mode VFs belong to both
check "hostdev over ens1 (port 1) starts" start_net hd-ens1 hostdev "<pf dev='ens1'/>"
expect_eq "port 1 has VFs 0-3 and the dual-port VFs 6-7" \
        "0000:05:00.1 0000:05:00.2 0000:05:00.3 0000:05:00.4 0000:05:00.7 0000:05:01.0" "$(ids hd-ens1)"
check "hostdev over ens1d1 (port 2) starts" start_net hd-ens1d1 hostdev "<pf dev='ens1d1'/>"
expect_eq "port 2 has VFs 4-5 and the dual-port VFs 6-7" \
        "0000:05:00.5 0000:05:00.6 0000:05:00.7 0000:05:01.0" "$(ids hd-ens1d1)"
expect_eq "a port-2 VF is configured through ens1d1" "0000:05:00.5 ens1d1v4 0000:05:00.5 ens1d1 4 free" \
        "$(device_rows hd-ens1d1 | sed -n 1p)"
check "passthrough over ens1 starts" start_net pt-ens1 passthrough "<pf dev='ens1'/>"
expect_eq "it takes each VF's port-1 netdev" "ens1v0 ens1v1 ens1v2 ens1v3 ens1v6 ens1v7" "$(ids pt-ens1)"
check "passthrough over ens1d1 starts" start_net pt-ens1d1 passthrough "<pf dev='ens1d1'/>"
expect_eq "and port 2's netdevs there" "ens1d1v4 ens1d1v5 ens1d1v6 ens1d1v7" "$(ids pt-ens1d1)"
check "hostdev over both ports starts" start_net hd-both hostdev "<pf dev='ens1'/><pf dev='ens1d1'/>"
expect_eq "a VF with a netdev on each port is one device" "8" "$(np_get_prop hd-both Capacity)"
expect_eq "both <pf> in the inactive view" "2" "$(np_xml hd-both 1 | grep -c '<pf ')"

# a dual-port VF whose port cannot be told (no netdev) is kept, and the log says so
check "hostdev over ens2 starts" start_net hd-ens2 hostdev "<pf dev='ens2'/>"
expect_eq "VF 1 is on port 2; VF 3 (no netdev) is kept" "0000:06:00.1 0000:06:00.3 0000:06:00.4" "$(ids hd-ens2)"
check "the log says VF 3's port cannot be told" grep -q "VF 3 .*cannot be told" "$NP_DIR/dbus.log"

# Solarflare: VFs without host netdevs
check "hostdev over sfc0 starts" start_net hd-sfc0 hostdev "<pf dev='sfc0'/>"
expect_eq "its 4 VFs, no netdevs" "0000:07:02.0 - 0000:07:02.0 sfc0 0 free" "$(device_rows hd-sfc0 | sed -n 1p)"
expect_eq "capacity 4" "4" "$(np_get_prop hd-sfc0 Capacity)"
check "pci-passthrough-hybrid over sfc0 starts" start_net hy-sfc0 pci-passthrough-hybrid "<pf dev='sfc0'/>"
expect_eq "hybrid pools are VF addresses" "0000:07:02.0 0000:07:02.1 0000:07:02.2 0000:07:02.3" "$(ids hy-sfc0)"
# a pool of no usable device is refused (libvirt: "No usable Vf's present on SRIOV PF"), saying why
if start_net pt-sfc0 passthrough "<pf dev='sfc0'/>" >"$NP_DIR/refused.out" 2>&1; then
        not_ok "passthrough over sfc0 (VFs without netdevs) is refused"
else
        ok "passthrough over sfc0 (VFs without netdevs) is refused"
fi
check "the error names the PF and why each VF was skipped" \
        grep -q "PF 'sfc0' has 4 VFs, none usable: .*VF 0 (0000:07:02.0) has no host netdev.*VF 3 " "$NP_DIR/refused.out"
expect_eq "the network stays inactive" "false" "$(np_get_prop pt-sfc0 Active)"

# macvtap modes over a device pool
for mode in private vepa bridge; do
        check "$mode over pf eth0 starts" start_net mv-$mode $mode "<pf dev='eth0'/>"
        expect_eq "$mode: the 8 VF netdevs" "8" "$(np_get_prop mv-$mode Capacity)"
        check "$mode: live forward dev names the first" bash -c "np_xml mv-$mode 0 | grep -q \"<forward dev='eth0v0' mode='$mode'>\""
done
check "an explicit interface list starts" start_net list vepa "<interface dev='eth0v1'/><interface dev='ens1v2'/>"
expect_eq "explicit devices know their PF and VF index" "ens1v2 ens1v2 0000:05:00.3 ens1 2 free" \
        "$(device_rows list | sed -n 2p)"
expect_eq "explicit list: live and inactive views agree" "$(np_xml list 1)" "$(np_xml list 0)"

# a gap in virtfnN is not the end of the VFs
check "hostdev over eth5 (virtfn1 missing) starts" start_net hd-eth5 hostdev "<pf dev='eth5'/>"
expect_eq "VF indices 0, 2, 3" "0 2 3" "$(device_rows hd-eth5 | cut -d' ' -f5 | tr '\n' ' ' | sed 's/ $//')"

# hardware checks
expect_error "a listed address that is a PF, not a VF" org.netpool1.Error.InvalidArgument \
        np_send $M Manager.CreateNetwork string:"<network><name>pfaddr</name><forward mode='hostdev'><address type='pci' domain='0' bus='3' slot='0' function='0'/></forward></network>" uint64:0
expect_error "a listed interface that is missing" org.netpool1.Error.DeviceNotFound \
        np_send $M Manager.CreateNetwork string:"<network><name>miss</name><forward mode='passthrough'><interface dev='eth0v99'/></forward></network>" uint64:0
expect_error "a host bridge that is missing" org.netpool1.Error.DeviceNotFound \
        np_send $M Manager.CreateNetwork string:"<network><name>hb</name><forward mode='bridge'/><bridge name='br0'/></network>" uint64:0
grep -q "br0" "$NP_DIR/last.out" && ok "the error names the bridge" || not_ok "the error names the bridge"
expect_error "a <pf> that is no SR-IOV PF" org.netpool1.Error.Unsupported \
        np_send $M Manager.CreateNetwork string:"<network><name>nopf</name><forward mode='passthrough'><pf dev='eth0v1'/></forward></network>" uint64:0

# pools are not frozen: a hot-plug (here: the sim's directories changing) rescans by itself
np_simhost --set-numvfs 0000:03:00.0 12
for _ in $(seq 50); do
        [ "$(np_get_prop pt-eth0 Capacity)" = 12 ] && break
        sleep 0.1
done
expect_eq "after a hot-plug the pool grew with the PF, without a Rescan call" "12" "$(np_get_prop pt-eth0 Capacity)"
check "Rescan" busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0
check "the live view shows the new VFs" bash -c "np_xml pt-eth0 0 | grep -q \"<interface dev='eth0v11'/>\""
np_simhost --set-numvfs 0000:03:00.0 4
check "Rescan again" busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0
expect_eq "vanished free VFs leave the pool" "4" "$(np_get_prop hd-eth0 Capacity)"
expect_eq "a listed VF that is still there stays free" "eth0v1 eth0v1 0000:03:02.1 eth0 1 free" \
        "$(device_rows list | sed -n 1p)"
np_simhost --set-numvfs 0000:03:00.0 0
check "Rescan with eth0's VFs gone" busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0
expect_eq "the listed VF netdev is now unavailable" "eth0v1 eth0v1 0000:03:02.1 eth0 1 unavailable" \
        "$(device_rows list | sed -n 1p)"
expect_eq "and not available" "1" "$(np_get_prop list Available)"
np_done
