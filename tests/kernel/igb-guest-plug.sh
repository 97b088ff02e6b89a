# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by igb-guest-test.sh at its end (its helpers, PF, PFDEV, IP, ORIG and NETPOOLD are set; 5 VFs with
# their original configuration, no network active): netpoold does the privileged half of the plug (issue 18)
# on the real kernel. The managed hostdev network binds a real igbvf VF to vfio-pci and gives it back; the
# passthrough and vepa networks make macvtaps over VF netdevs and pass their tap fds over the bus
# (igb-plug-client keeps and writes to them); the hybrid network with a port VLAN puts its macvtap over a VLAN
# device over the PF. Then kill -9 at each step of the plug, and re-activation. Every result is read from the
# kernel (/sys, /dev, iproute2's ip -d link).

NVFS=5

# ---- the kernel's side ----

# VF N's netdev as /sys shows it: "NAME MAC up|down", or "-" while it has none
vf_netdev_state() {
        local n
        n=$(vf_netdev "$1")
        [ -n "$n" ] || { echo -; return; }
        echo "$n $(cat "/sys/class/net/$n/address") $(( $(cat "/sys/class/net/$n/flags") & 1 ? 1 : 0 ))" |
                sed 's/ 1$/ up/; s/ 0$/ down/'
}

# Everything Release (or the recovery) must give back, one line per VF: driver, driver_override, the netdev's
# name, MAC and state, the VF's configuration through the PF
vf_snapshot() {
        local i
        for ((i = 0; i < NVFS; i++)); do
                echo "vf $i: $(vf_driver "$i") override=$(cat "$(vf_dir "$i")/driver_override")" \
                     "netdev=$(vf_netdev_state "$i") $(vf_config "$i")"
        done
}

# what netpool may leave behind: macvtaps and VLAN devices
plug_leftovers() {
        $IP -d link show | grep -E '^ +(macvtap|vlan) ' -B2 | grep -oE '^[0-9]+: [^:]+' || true
}

# the first line of ip -d link for NAME, reduced: "LOWER mode MODE mac MAC" (macvtap) or "LOWER vlan ID" (VLAN)
link_summary() {
        local out lower
        out=$($IP -d link show dev "$1" 2>&1) || { echo "absent"; return; }
        lower=$(echo "$out" | sed -n '1s/^[0-9]*: [^@]*@\([^:]*\):.*/\1/p')
        if echo "$out" | grep -qE '^ +macvtap '; then
                echo "$lower $(echo "$out" | grep -oE 'macvtap mode [a-z]+' | cut -d' ' -f3)" \
                     "mac $(echo "$out" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)"
        else
                echo "$lower $(echo "$out" | grep -oE 'vlan protocol 802.1Q id [0-9]+')"
        fi
}

# ---- an agent's calls ----

# plug NETWORK MAC [vlan=ID] [OPTIONS...]: AllocateWithOptions through igb-plug-client (which keeps the tap fd
# and writes a frame to it); its lines in /tmp/plug.out; sets P_PORT, P_VF
plug() {
        local rc
        igb-plug-client "$@" >/tmp/plug.out 2>&1
        rc=$?
        P_PORT=$(awk '$1 == "port" { print $2 }' /tmp/plug.out)
        P_VF=$(result vf-index)
        return $rc
}

result() {
        awk -v k="$1" '$1 == "result" && $2 == k { print $3 }' /tmp/plug.out
}

unplug() {
        busctl --system call org.netpool1 "$1" org.netpool1.Port Release t 0
}

port_property() {
        busctl --system get-property org.netpool1 "$P_PORT" org.netpool1.Port "$1" 2>&1
}

# the device number of NAME's /dev/tapN, as /sys says
tap_dev() {
        cat /sys/class/net/"$1"/macvtap/tap*/dev 2>/dev/null
}

write_network() {
        cat >"/tmp/$1.xml"
        check "create network $1" netpoolctl create "/tmp/$1.xml"
}


# ---- the networks ----

set_originals "$NVFS" 5
wait_for 10 vfs_ready "$NVFS" || echo "# the $NVFS VFs do not all have an igbvf netdev"
write_network vfionet <<EOF
<network><name>vfionet</name>
  <forward mode='hostdev' managed='yes'><pf dev='$PF'/></forward>
</network>
EOF
write_network ptnet <<EOF
<network><name>ptnet</name>
  <forward mode='passthrough'><pf dev='$PF'/></forward>
</network>
EOF
VEPA_LOWERS="$(vf_netdev 3) $(vf_netdev 4)"
write_network vepanet <<EOF
<network><name>vepanet</name>
  <forward mode='vepa'><interface dev='$(vf_netdev 3)'/><interface dev='$(vf_netdev 4)'/></forward>
</network>
EOF
write_network hybnet <<EOF
<network><name>hybnet</name>
  <forward mode='pci-passthrough-hybrid' managed='yes'><pf dev='$PF'/></forward>
</network>
EOF

# ---- hostdev, managed='yes': the VF on vfio-pci, its group node handed over ----

before=$(vf_snapshot)
check "vfionet: AllocateWithOptions (vfio-uid 1000, vfio-gid 1001, VLAN 42)" \
        plug vfionet 52:54:00:cc:00:01 vlan=42 vfio-uid=1000 vfio-gid=1001
sed 's/^/#   /' /tmp/plug.out
k=${P_VF:-0}
kpci=$(vf_pci "$k")
group=$(basename "$(readlink "/sys/bus/pci/devices/$kpci/iommu_group")")
expect_eq "vfionet: VF $k's driver link reads vfio-pci" "vfio-pci" "$(vf_driver "$k")"
expect_eq "vfionet: results iommu-group, vfio-group and pf are VF $k's (iommu_group link)" \
        "$group /dev/vfio/$group $PF" "$(result iommu-group) $(result vfio-group) $(result pf)"
expect_eq "vfionet: the Port's IOMMUGroup and VFIndex" "i $group i $k" \
        "$(port_property IOMMUGroup) $(port_property VFIndex)"
expect_eq "vfionet: /dev/vfio/$group is uid 1000, gid 1001, mode 660" "1000:1001 660" \
        "$(stat -c '%u:%g %a' "/dev/vfio/$group" 2>&1)"
check "vfionet: /dev/vfio/$group opens read-write" sh -c "exec 3<>/dev/vfio/$group"
expect_eq "vfionet: VF $k has no netdev while vfio-pci holds it" "-" "$(vf_netdev_state "$k")"
expect_eq "vfionet: ip link show $PF: VF $k has the port's MAC and VLAN 42" "mac=52:54:00:cc:00:01 vlan=42" \
        "$(vf_config "$k" | cut -d' ' -f1-2)"
check "vfionet: Release" unplug "$P_PORT"
wait_for 10 vfs_ready "$NVFS"
expect_eq "vfionet: after Release VF $k is back on igbvf, its netdev's name, MAC and state, MAC/VLAN/spoofchk/trust" \
        "$before" "$(vf_snapshot)"
expect_eq "vfionet: the group node is gone with vfio-pci's hold" "absent" \
        "$([ -e "/dev/vfio/$group" ] && stat -c '%u:%g %a' "/dev/vfio/$group" || echo absent)"

# ---- passthrough: a passthru macvtap over the VF netdev, its fd over the bus ----

before=$(vf_snapshot)
check "ptnet: AllocateWithOptions (tap-name mvtp0, tap-fd)" plug ptnet 52:54:00:cc:00:02 tap-name=mvtp0 tap-fd
sed 's/^/#   /' /tmp/plug.out
k=${P_VF:-0}
lower=$(vf_netdev "$k")
expect_eq "ptnet: ip -d link: mvtp0 is a passthru macvtap over VF $k's netdev with the port's MAC" \
        "$lower passthru mac 52:54:00:cc:00:02" "$(link_summary mvtp0)"
expect_eq "ptnet: results tap-name, and the fd received is /dev/tapN of mvtp0" "mvtp0 $(tap_dev mvtp0)" \
        "$(result tap-name) $(awk '$1 == "tap-dev" { print $2 }' /tmp/plug.out)"
expect_eq "ptnet: a frame written to the fd (virtio_net_hdr + 60 bytes) is taken" "70" \
        "$(awk '$1 == "tap-write" { print $2 }' /tmp/plug.out)"
# The agent hands the tap to QEMU as it is: the VF netdev under a passthru macvtap is the port's alone, and a
# macvtap over a down lower is LOWERLAYERDOWN and drops every frame (tx_packets stays)
echo "# ptnet: lower $lower: $(vf_netdev_state "$k"), operstate $(cat "/sys/class/net/$lower/operstate");" \
        "mvtp0: operstate $(cat /sys/class/net/mvtp0/operstate), tx_packets" \
        "$(cat /sys/class/net/mvtp0/statistics/tx_packets 2>/dev/null)"
# netpool sets the lower up (IFF_UP); its carrier is the emulated NIC's to bring, seconds later under TCG
expect_eq "ptnet: the VF netdev under mvtp0 is set up" "1" \
        "$(( $(cat "/sys/class/net/$lower/flags" 2>/dev/null || echo 0) & 1 ))"
expect_eq "ptnet: the Port's TapName" 's "mvtp0"' "$(port_property TapName)"
check "ptnet: Release" unplug "$P_PORT"
expect_eq "ptnet: no macvtap left" "" "$(plug_leftovers)"
expect_eq "ptnet: VF $k's netdev has its name, MAC and state again, the VF its configuration" \
        "$before" "$(vf_snapshot)"

# ---- vepa over VF netdevs: the macvtap netpool names, the shared lower untouched ----

before=$(vf_snapshot)
check "vepanet: AllocateWithOptions (tap-fd)" plug vepanet 52:54:00:cc:00:03 tap-fd
sed 's/^/#   /' /tmp/plug.out
tap=$(result tap-name)
summary=$(link_summary "$tap")
lower=${summary%% *}
expect_eq "vepanet: ip -d link: $tap is a vepa macvtap over a netdev of the network with the port's MAC" \
        "yes vepa mac 52:54:00:cc:00:03" \
        "$([[ " $VEPA_LOWERS " == *" $lower "* ]] && echo yes || echo "no ($lower)") ${summary#* }"
check "vepanet: the name is netpool's macvtapN" sh -c "echo '$tap' | grep -qE '^macvtap[0-9]+$'"
expect_eq "vepanet: the fd received is $tap's /dev/tapN and takes a frame" "$(tap_dev "$tap") 70" \
        "$(awk '$1 == "tap-dev" { d = $2 } $1 == "tap-write" { w = $2 } END { print d, w }' /tmp/plug.out)"
echo "# vepanet: lower $lower operstate $(cat "/sys/class/net/$lower/operstate"); $tap operstate" \
        "$(cat "/sys/class/net/$tap/operstate"), tx_packets $(cat "/sys/class/net/$tap/statistics/tx_packets")"
check "vepanet: Release" unplug "$P_PORT"
expect_eq "vepanet: no macvtap left" "" "$(plug_leftovers)"
expect_eq "vepanet: the lower netdevs and every VF as before" "$before" "$(vf_snapshot)"

# ---- tap-fd asked over a connection that does not take fds: an error or no answer, and nothing left ----

before=$(vf_snapshot)
SECONDS=0
if plug ptnet 52:54:00:cc:00:05 tap-fd no-fds timeout=30; then
        not_ok "ptnet: tap-fd over a connection without fd passing fails"
else
        ok "ptnet: tap-fd over a connection without fd passing fails"
fi
echo "# after ${SECONDS} s: $(grep -v '^port ' /tmp/plug.out | head -n 3 | tr '\n' ' ')"
wait_for 10 sh -c "[ \"\$(netpoolctl --json ports ptnet)\" = '[]' ]"
# Debian's system.conf refuses method calls to other peers; netpool's policy lets root ping a caller, with the
# fd the bus refuses a caller that takes none (the probe): InvalidArgument, and nothing allocated
expect_eq "ptnet: no port is left of it" "[]" "$(netpoolctl --json ports ptnet 2>&1)"
expect_eq "ptnet: no macvtap is left of it" "" "$(plug_leftovers)"
expect_eq "ptnet: every VF as before" "$before" "$(vf_snapshot)"
# what is left goes, so that the cases below start clean
for port in $(netpoolctl --json ports ptnet 2>/dev/null | sed -n 's/.*"object": "\(.*\)".*/\1/p'); do
        echo "# releasing the port left: $port"
        unplug "$port" >/dev/null
done

# ---- hybrid with a port VLAN: the VF on vfio-pci, a macvtap over <PF>.<vid> ----

before=$(vf_snapshot)
check "hybnet: AllocateWithOptions (VLAN 50, tap-fd)" plug hybnet 52:54:00:cc:00:04 vlan=50 tap-fd
sed 's/^/#   /' /tmp/plug.out
k=${P_VF:-0}
tap=$(result tap-name)
expect_eq "hybnet: ip -d link: $PF.50 is VLAN 50 over $PF" "$PF vlan protocol 802.1Q id 50" \
        "$(link_summary "$PF.50")"
expect_eq "hybnet: ip -d link: $tap is a vepa macvtap over $PF.50 with the port's MAC" \
        "$PF.50 vepa mac 52:54:00:cc:00:04" "$(link_summary "$tap")"
expect_eq "hybnet: the fd takes a frame" "70" "$(awk '$1 == "tap-write" { print $2 }' /tmp/plug.out)"
expect_eq "hybnet: VF $k is on vfio-pci with the port's MAC and VLAN 50" "vfio-pci mac=52:54:00:cc:00:04 vlan=50" \
        "$(vf_driver "$k") $(vf_config "$k" | cut -d' ' -f1-2)"
check "hybnet: Release" unplug "$P_PORT"
wait_for 10 vfs_ready "$NVFS"
expect_eq "hybnet: the macvtap and the VLAN device are gone" "" "$(plug_leftovers)"
expect_eq "hybnet: VF $k back on igbvf as it was" "$before" "$(vf_snapshot)"

# ---- kill -9 at each step of the plug, then re-activation ----

# plug_crash STEP NETWORK ARGS...: netpoold started by hand dies at STEP inside the call; the next call
# activates it again and it recovers: no port, no VF on vfio-pci, no macvtap or VLAN device, every VF as before
plug_crash() {
        local step=$1 pid
        shift
        before=$(vf_snapshot)
        stop_daemon
        NETPOOL_CRASH_AT=$step "$NETPOOLD" >"/tmp/crash-$step.log" 2>&1 &
        pid=$!
        wait_for 10 name_has_owner || echo "# the netpoold with NETPOOL_CRASH_AT=$step did not take the name"
        if [ "$step" = release-unplugged ]; then
                check "$step: allocate on $1" plug "$@"
                unplug "$P_PORT" >/dev/null 2>&1
        else
                plug "$@" >/dev/null 2>&1
        fi
        wait_for 10 sh -c "! kill -0 $pid"
        wait "$pid" 2>/dev/null
        expect_eq "$step ($1): netpoold died of SIGKILL" 137 "$?"
        expect_eq "$step ($1): after re-activation no port is left" "[]" "$(netpoolctl --json ports "$1" 2>&1)"
        wait_for 15 vfs_ready "$NVFS"
        expect_eq "$step ($1): no macvtap or VLAN device is left" "" "$(plug_leftovers)"
        expect_eq "$step ($1): every VF on igbvf with its netdev and configuration as before" \
                "$before" "$(vf_snapshot)"
}
plug_crash allocate-bound vfionet 52:54:00:cc:01:01 vlan=43 vfio-uid=1000
plug_crash allocate-bound hybnet 52:54:00:cc:01:02 vlan=51
plug_crash allocate-vlan hybnet 52:54:00:cc:01:03 vlan=52
plug_crash allocate-macvtap ptnet 52:54:00:cc:01:04 tap-name=mvtc0
plug_crash allocate-macvtap hybnet 52:54:00:cc:01:05 vlan=53
plug_crash release-unplugged vfionet 52:54:00:cc:01:06 vlan=44 vfio-uid=1000
plug_crash release-unplugged ptnet 52:54:00:cc:01:07
plug_crash release-unplugged hybnet 52:54:00:cc:01:08 vlan=54

check "stop the plug's networks" sh -c "netpoolctl stop vfionet && netpoolctl stop ptnet && netpoolctl stop vepanet &&
                                        netpoolctl stop hybnet"
