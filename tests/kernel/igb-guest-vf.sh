# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by igb-guest-test.sh after igb-guest-plug.sh (its helpers, PF, PFDEV, IP, NETPOOLD and NVFS are set;
# the VFs have their original configuration, no network is active): the VF settings netpool sets (issue 19,
# point 7) on the real igb driver. A network that gives every setting igb takes (the port's MAC and VLAN,
# <netpool:vf> QoS, protocol 802.1Q, spoofchk, trust, <bandwidth> as max TX rate, <mtu> on the VF netdev) and
# a port's own <netpool:vf> max-tx-rate: each field read back from `ip -d link`, everything as before after
# Release. The settings igb refuses (link state, a min TX rate, 802.1ad): HardwareError naming VF, PF and
# setting, nothing changed. A port whose owner process (owner-pidfd) is killed goes within seconds. Drift: a
# MAC set on a leased VF behind netpoold's back is put right within 2 s (issue 19 point 5).

# ---- the kernel's side ----

# VF N's settings as `ip -d link show PF` has them, and the MTU of its netdev (- while it has none)
vf_fields() {
        local s n mtu=-
        s=$($IP -d link show dev "$PF" | grep -E "^ +vf $1 ")
        n=$(vf_netdev "$1")
        [ -n "$n" ] && mtu=$(cat "/sys/class/net/$n/mtu")
        # ip names the VLAN protocol only when it is not 802.1Q, and a rate only when it is not 0
        printf 'mac=%s vlan=%s qos=%s proto=%s spoofchk=%s trust=%s link-state=%s max-tx=%s min-tx=%s mtu=%s\n' \
                "$(echo "$s" | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)" \
                "$(echo "$s" | grep -oE ', vlan [0-9]+' | grep -oE '[0-9]+$' || echo 0)" \
                "$(echo "$s" | grep -oE ', qos [0-9]+' | grep -oE '[0-9]+$' || echo 0)" \
                "$(echo "$s" | grep -oE 'vlan protocol [0-9A-Za-z.]+' | cut -d' ' -f3 | grep . || echo 802.1Q)" \
                "$(echo "$s" | grep -oE 'spoof checking (on|off)' | cut -d' ' -f3)" \
                "$(echo "$s" | grep -oE 'trust (on|off)' | cut -d' ' -f2)" \
                "$(echo "$s" | grep -oE 'link-state [a-z]+' | cut -d' ' -f2)" \
                "$(echo "$s" | grep -oE 'max_tx_rate [0-9]+' | cut -d' ' -f2 | grep . || echo 0)" \
                "$(echo "$s" | grep -oE 'min_tx_rate [0-9]+' | cut -d' ' -f2 | grep . || echo 0)" \
                "$mtu"
}

# every VF's line of vf_fields, "vf N: …", with the MAC of its netdev (which Release puts back too)
all_vf_fields() {
        local i n
        for ((i = 0; i < NVFS; i++)); do
                n=$(vf_netdev "$i")
                echo "vf $i: $(vf_fields "$i") netdev-mac=$([ -n "$n" ] && cat "/sys/class/net/$n/address")"
        done
}

# all_vf_fields without VF N's line
other_vf_fields() {
        all_vf_fields | grep -v "^vf $1: "
}

# ---- netpoold's side ----

# the Port object of NETWORK's one port (ListPorts)
port_object() {
        busctl --system call org.netpool1 "/org/netpool1/network/$1" org.netpool1.Network ListPorts t 0 |
                awk '$2 == 1 { gsub(/"/, "", $3); print $3 }'
}

ports_of() {
        netpoolctl --json ports "$1" 2>&1
}

# allocate_refused NETWORK MAC VLAN: an Allocate over dbus-send (which prints the error's name), into
# /tmp/refused.out
allocate_refused() {
        dbus-send --system --print-reply --dest=org.netpool1 "/org/netpool1/network/$1" \
                org.netpool1.Network.Allocate \
                string:"<networkport><owner><name>vm</name><uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid></owner><mac address='$2'/><vlan><tag id='$3'/></vlan></networkport>" \
                uint64:0 >/tmp/refused.out 2>&1
}

vf_network() {
        cat >"/tmp/$1.xml" <<EOF
<network><name>$1</name>
  <forward mode='hostdev' managed='no'><pf dev='$PF'/></forward>
  $2
</network>
EOF
        check "create network $1: $2" netpoolctl create "/tmp/$1.xml"
}

# ---- one netpoold for this part, its log kept (a daemon activated by the bus logs to dbus-daemon's stderr) ----

stop_daemon
"$NETPOOLD" --exit-idle-sec 0 >/tmp/vf-netpoold.log 2>&1 &
VF_DAEMON=$!
wait_for 10 name_has_owner || echo "# the netpoold started by hand did not take the name"
set_originals "$NVFS" 6
wait_for 10 vfs_ready "$NVFS" || echo "# the $NVFS VFs do not all have an igbvf netdev"

# ---- every setting igb takes, read back; Release puts every field back ----

NS="xmlns:netpool='urn:netpool:xml:1'"
vf_network vfnet "<mtu size='1400'/><bandwidth><outbound average='12500'/></bandwidth>
  <netpool:vf $NS trust='no' spoofchk='yes' vlan-qos='3' vlan-protocol='802.1Q'/>"
before=$(all_vf_fields)
sed 's/^/#   before: /' <<<"$before"
check "vfnet: allocate (MAC 52:54:00:ee:00:01, VLAN 77)" allocate vfnet 52:54:00:ee:00:01 77
k=${PORT_VF:-0}
# <bandwidth> outbound average 12500 kB/s is 100 Mbit/s; igb has no link state: it stays auto
expect_eq "vfnet: ip -d link: VF $k has MAC, VLAN 77, QoS 3, 802.1Q, spoofchk on, trust off, max TX 100, MTU 1400" \
        "mac=52:54:00:ee:00:01 vlan=77 qos=3 proto=802.1Q spoofchk=on trust=off link-state=auto max-tx=100 min-tx=0 mtu=1400" \
        "$(vf_fields "$k")"
expect_eq "vfnet: the other VFs are untouched" "$(grep -v "^vf $k: " <<<"$before")" "$(other_vf_fields "$k")"
check "vfnet: release" netpoolctl release "$PORT"
expect_eq "vfnet: after Release every field of every VF is as before" "$before" "$(all_vf_fields)"

# a port's own <netpool:vf> before the network's, and its max-tx-rate before <bandwidth>
cat >/tmp/vfport.xml <<EOF
<networkport><owner><name>vm</name><uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid></owner>
  <mac address='52:54:00:ee:00:02'/><vlan><tag id='78'/></vlan>
  <netpool:vf $NS max-tx-rate='200' trust='yes'/>
</networkport>
EOF
out=$(netpoolctl allocate --port-xml=/tmp/vfport.xml vfnet 2>&1)
echo "# $out"
PORT=$(echo "$out" | awk '{ print $2 }')
k=$(vf_index_of "${out##*: }")
expect_eq "vfnet: a port's <netpool:vf max-tx-rate='200' trust='yes'>: ip -d link shows max TX 200, trust on" \
        "mac=52:54:00:ee:00:02 vlan=78 qos=3 proto=802.1Q spoofchk=on trust=on link-state=auto max-tx=200 min-tx=0 mtu=1400" \
        "$(vf_fields "${k:-0}")"
check "vfnet: release it" netpoolctl release "$PORT"
expect_eq "vfnet: every field of every VF as before again" "$before" "$(all_vf_fields)"

# ---- what igb refuses: HardwareError naming VF, PF and setting; the settings set before it undone ----

# refused NETWORK SETTING-WORDS <netpool:vf> ATTRIBUTES
refused() {
        local net=$1 words=$2
        vf_network "$net" "<netpool:vf $NS trust='no' spoofchk='yes' vlan-qos='2' $3/>"
        allocate_refused "$net" 52:54:00:ee:01:01 79
        sed 's/^/#   /' /tmp/refused.out
        expect_eq "$net: Allocate fails with HardwareError" "org.netpool1.Error.HardwareError" \
                "$(grep -oE 'org\.netpool1\.Error\.[A-Za-z]+' /tmp/refused.out | head -n1)"
        check "$net: the error names the VF, PF '$PF' and the $words" \
                grep -qE "$words.* VF [0-9]+ of PF netdev '$PF'" /tmp/refused.out
        expect_eq "$net: no port" "[]" "$(ports_of "$net")"
        expect_eq "$net: every field of every VF as before (MAC, VLAN, QoS, spoofchk, trust undone)" \
                "$before" "$(all_vf_fields)"
        expect_eq "$net: every device free" "free free free free free" \
                "$(devices "$net" | awk '{ print $6 }' | tr '\n' ' ' | sed 's/ $//')"
        netpoolctl stop "$net" >/dev/null
}
refused lsnet "link state" "link-state='enable'"
refused minnet "TX rate" "min-tx-rate='10' max-tx-rate='200'"
refused adnet "VLAN protocol" "vlan-protocol='802.1ad'"

# ---- a real owner process: killed, its port goes ----

sleep 1000 &
OWNER=$!
check "owner: AllocateWithOptions with the pidfd of a sleep (owner-pid $OWNER)" \
        plug vfnet 52:54:00:ee:02:01 vlan=80 owner-pid=$OWNER
sed 's/^/#   /' /tmp/plug.out
k=${P_VF:-0}
expect_eq "owner: the Port's OwnerPID is the sleep's" "u $OWNER" "$(port_property OwnerPID)"
expect_eq "owner: VF $k has the port's MAC and VLAN 80" "mac=52:54:00:ee:02:01 vlan=80" \
        "$(vf_fields "$k" | cut -d' ' -f1-2)"
kill "$OWNER"
wait "$OWNER" 2>/dev/null
SECONDS=0
check "owner: the sleep killed, the port is released within 5 s" \
        wait_for 5 sh -c "[ \"\$(netpoolctl --json ports vfnet)\" = '[]' ]"
echo "# released after about ${SECONDS} s"
expect_eq "owner: ListPorts is empty" "" \
        "$(busctl --system call org.netpool1 /org/netpool1/network/vfnet org.netpool1.Network ListPorts t 0 |
           grep -v '^ao 0$')"
expect_eq "owner: every field of every VF as before" "$before" "$(all_vf_fields)"

# ---- drift: a MAC set on the leased VF behind netpoold's back is put right ----

check "drift: allocate (MAC 52:54:00:ee:03:01, VLAN 81)" allocate vfnet 52:54:00:ee:03:01 81
k=${PORT_VF:-0}
P_PORT=$(port_object vfnet)
expect_eq "drift: the Port's Health is ok" 's "ok"' "$(port_property Health)"
$IP link set dev "$PF" vf "$k" mac 02:00:00:00:00:99
drift_repaired() {
        [ "$(vf_fields "$k" | cut -d' ' -f1)" = "mac=52:54:00:ee:03:01" ]
}
check "drift: ip link set $PF vf $k mac 02:00:00:00:00:99: within 2 s the port's MAC is back" \
        wait_for 2 drift_repaired
expect_eq "drift: every field as the network and the port say" \
        "mac=52:54:00:ee:03:01 vlan=81 qos=3 proto=802.1Q spoofchk=on trust=off link-state=auto max-tx=100 min-tx=0 mtu=1400" \
        "$(vf_fields "$k")"
expect_eq "drift: the Port's Health is ok again" 's "ok"' "$(port_property Health)"
check "drift: netpoold's log says the VF drifted" grep -q "VF $k of '$PF' drifted" /tmp/vf-netpoold.log
grep drifted /tmp/vf-netpoold.log | sed 's/^/#   /'
check "drift: release" netpoolctl release "$PORT"
expect_eq "drift: every field of every VF as before" "$before" "$(all_vf_fields)"

netpoolctl stop vfnet >/dev/null
if [ "$np_tap_failed" -gt 0 ]; then
        echo "# the netpoold of the VF settings said:"
        tail -n 40 /tmp/vf-netpoold.log | sed 's/^/# /'
fi
stop_daemon
