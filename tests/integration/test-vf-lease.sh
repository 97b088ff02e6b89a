#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A lease that holds (issue 19, points 4, 5, 7; a black box: dbus-api.md 1.1, simhost.md 1.1 and the issue's
# decisions): every VF setting of a hostdev and a passthrough network reaches the VF and is undone at Release,
# file for file, and each one the driver refuses is HardwareError that changes nothing; a restore that reads back
# wrong, a failed reset or a VF still dirty quarantines the device until a Rescan (also across kill -9); a leased
# VF changed from outside is repaired (drift), one that vanished and came back gets its settings again; Notify
# repairs what changed; a MAC held by another port is refused unless both networks allow duplicates; a port whose
# owner process exits gives its VF back as it was, also across a kill -9.
source "$(dirname "$0")/lib.sh"

np_need_python_dbus
PLUG_CLIENT="$(dirname "$0")/np-plug-client.py"
OWNER_CLIENT="$(dirname "$0")/np-owner-client.py"

# The host: X710-like PFs, one per part (VF N of PF 0000:BB:00.0 is 0000:BB:02.N)
#   eth0 0000:03:00.0  2 VFs   hd:  hostdev managed='yes', every setting; reset faults, a dirty VF
#   eth1 0000:04:00.0  2 VFs   pt:  passthrough, every setting and the MTU; owner exit
#   eth2 0000:06:00.0  1 VF    one: hostdev managed='yes', one device: quarantine
#   eth3 0000:08:00.0  4 VFs   dr:  hostdev managed='no': drift, vanishing and return, Notify
#   eth4 0000:0a:00.0  4 VFs   dupa, alla (duplicate MACs refused / allowed)
#   eth5 0000:0c:00.0  4 VFs   dupb, allb
np_setup --pf 'name=eth0,bdf=0000:03:00.0,model=x710,vfs=2' \
        --pf 'name=eth1,bdf=0000:04:00.0,model=x710,vfs=2' \
        --pf 'name=eth2,bdf=0000:06:00.0,model=x710,vfs=1' \
        --pf 'name=eth3,bdf=0000:08:00.0,model=x710,vfs=4' \
        --pf 'name=eth4,bdf=0000:0a:00.0,model=x710,vfs=4' \
        --pf 'name=eth5,bdf=0000:0c:00.0,model=x710,vfs=4'
R=$NP_SIM
M=/org/netpool1
PF0=0000:03:00.0 PF1=0000:04:00.0 PF2=0000:06:00.0 PF3=0000:08:00.0 PF4=0000:0a:00.0 PF5=0000:0c:00.0
NS="xmlns:netpool='urn:netpool:xml:1'"
NP_OWNER_NAME=vm-lease NP_OWNER_UUID=19191919-0000-4000-8000-000000000019
LOG=$NP_DIR/dbus.log    # netpoold's stderr: the bus it was activated by hands it on

# ---- reading the sim host ----

vfdir() {       # vfdir PFBDF N: the VF's vfstate directory
        echo "$R/vfstate/$1/vf$2"
}
vf_bdf() {      # vf_bdf PFBDF N
        basename "$(readlink "$R/sys/bus/pci/devices/$1/virtfn$2")"
}
vf_file() {     # vf_file PFBDF N FILE: a file of the VF's p1/
        cat "$(vfdir "$1" "$2")/p1/$3" 2>/dev/null || echo "(no $3)"
}
vf_set() {      # vf_set PFBDF N FILE VALUE: as an administrator would (ip link set PF vf N …): in place
        printf '%s\n' "$4" >"$(vfdir "$1" "$2")/p1/$3"
}
# vf_fields PFBDF N: "mac vlan qos vlan_proto spoofchk trust link_state min_tx_rate max_tx_rate" of p1/
vf_fields() {
        local d f out=
        d=$(vfdir "$1" "$2")/p1
        for f in mac vlan qos vlan_proto spoofchk trust link_state min_tx_rate max_tx_rate; do
                out+="$(cat "$d/$f" 2>/dev/null || echo "(no $f)") "
        done
        echo "${out% }"
}
# snap PFBDF N: every file of the VF's vfstate (but the test's own fault lines), its driver, its netdevs'
# address, MTU and operstate, whether it is dirty: what a Release or a rollback must leave as it found it
snap() {
        local d bdf f nd
        d=$(vfdir "$1" "$2")
        bdf=$(vf_bdf "$1" "$2")
        (cd "$d" && find . -type f ! -name fail | LC_ALL=C sort | while read -r f; do echo "$f=$(cat "$f")"; done)
        echo "driver=$(basename "$(readlink "$R/sys/bus/pci/devices/$bdf/driver")" 2>/dev/null)"
        for nd in "$R/sys/bus/pci/devices/$bdf"/net/*; do
                [ -e "$nd" ] || continue
                echo "netdev=${nd##*/} address=$(cat "$nd/address") mtu=$(cat "$nd/mtu") operstate=$(cat "$nd/operstate")"
        done
}
virtuals() {    # the virtual netdevs of the host (macvtaps), on one line
        echo $(ls "$R/sys/devices/virtual/net")
}

# ---- the daemon's view ----

bus_value() {   # the value of busctl's "TYPE VALUE" on stdin, quotes taken off a string
        sed -e 's/^[a-z]* //' -e 's/^"\(.*\)"$/\1/'
}
dev_state() {   # dev_state NETWORK PCI-ADDRESS: the state GetDevices gives that device
        np_devices "$1" | awk -v a="$2" '$3 == a { print $6 }'
}
conns() {       # conns NETWORK
        np_get_prop "$1" Connections
}
net_ports() {   # net_ports NETWORK: how many ports it has
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network ListPorts t 0 | awk '{print $2}'
}
# health UUID: the port's Health, or what went wrong reading it
health() {
        busctl --system get-property org.netpool1 "$(np_port_path "$1")" org.netpool1.Port Health 2>&1 | bus_value
}
# stat NAME: a t property of org.netpool1.Statistics, or "none: MESSAGE"
stat() {
        local v
        v=$(busctl --system get-property org.netpool1 $M org.netpool1.Statistics "$1" 2>&1) || { echo "none: $v"; return; }
        bus_value <<<"$v"
}
# plus STAT-BEFORE N: the value N more, or what was wrong with the value before
plus() {
        [[ $1 =~ ^[0-9]+$ ]] && echo $(($1 + $2)) || echo "(Statistics had no such counter: $1) + $2"
}
# quarantined: Statistics.Quarantined as "KEY<TAB>REASON" lines, or "none: MESSAGE"
quarantined() {
        local v
        v=$(busctl --system --json=short get-property org.netpool1 $M org.netpool1.Statistics Quarantined 2>&1) ||
                { echo "none: $v"; return; }
        "$NP_PY" -c 'import json, sys
for k, r in sorted(json.loads(sys.argv[1])["data"].items()):
    print(f"{k}\t{r}")' "$v"
}
quarantine_reason() {   # quarantine_reason KEY: the reason Statistics.Quarantined gives for KEY ("" when absent)
        quarantined | awk -F'\t' -v k="$1" '$1 == k { print $2 }'
}
rescan() {
        busctl --system call org.netpool1 $M org.netpool1.Manager Rescan t 0 >/dev/null
}

# ---- waiting: short polls, never a long fixed sleep ----

# wait_eq DESCRIPTION EXPECTED SECONDS COMMAND...: a check that COMMAND prints EXPECTED within SECONDS
wait_eq() {
        local desc=$1 want=$2 secs=$3 got i
        shift 3
        for ((i = 0; i <= secs * 20; i++)); do
                got=$("$@")
                [ "$got" = "$want" ] && break
                sleep 0.05
        done
        expect_eq "$desc (within $secs s)" "$want" "$got"
}
wait_until() {  # wait_until SECONDS COMMAND...: poll, true when COMMAND succeeded in time
        local secs=$1 i
        shift
        for ((i = 0; i <= secs * 20; i++)); do
                "$@" && return 0
                sleep 0.05
        done
        return 1
}

# ---- ports ----

n_port=0
# new_port [np_port_xml ARGS]: the next port, UUID and MAC in $U and $MAC, its XML in $NP_DIR/in.xml
new_port() {
        n_port=$((n_port + 1))
        U=$(printf '19000000-0000-4000-8000-%012d' "$n_port")
        MAC=$(printf '52:54:00:19:%02x:%02x' $((n_port / 256)) $((n_port % 256)))
        np_port_xml uuid="$U" mac="$MAC" "$@" >"$NP_DIR/in.xml"
}
res() {         # res KEY: KEY=VALUE of the last awo, the value
        sed -n "s|^$1=||p" "$NP_DIR/awo.out" | head -1
}
# awo NETWORK [KEY:TYPE:VALUE...]: AllocateWithOptions of $NP_DIR/in.xml (np-plug-client.py); the answer in
# $NP_DIR/awo.out, the port XML in $NP_DIR/out.xml; on failure the answer is printed (for check)
awo() {
        local net=$1
        shift
        rm -f "$NP_DIR/out.xml"
        if ! "$NP_PY" "$PLUG_CLIENT" "$(np_net_path "$net")" "$NP_DIR/in.xml" "$NP_DIR/out.xml" "$@" \
                        >"$NP_DIR/awo.out" 2>&1; then
                cat "$NP_DIR/awo.out"
                return 1
        fi
}
# refused DESCRIPTION ERROR-NAME NETWORK [OPTIONS...]: the allocation fails with ERROR-NAME; its message lands in
# last.out (for says); a port made anyway is released, so that the next check starts clean
refused() {
        local desc=$1 name=$2
        shift 2
        awo "$@" >/dev/null
        grep '^message=' "$NP_DIR/awo.out" >"$NP_DIR/last.out"
        [ -z "$(res port)" ] || np_release "$1" "$U"
        expect_eq "$desc" "error=$name" "$(grep '^error=' "$NP_DIR/awo.out" || echo "succeeded: $(res port)")"
        sed 's/^/# /' "$NP_DIR/last.out"
}
# says DESCRIPTION ERE: the message of the last refused/expect_error matches ERE (case-insensitive)
says() {
        if grep -Eqi -- "$2" "$NP_DIR/last.out"; then
                ok "$1"
        else
                not_ok "$1"
                echo "#   wanted a message matching: $2"
                sed 's/^/#   message: /' "$NP_DIR/last.out"
        fi
}
# log_says DESCRIPTION ERE: netpoold's log has a line matching ERE
log_says() {
        if grep -Eq -- "$2" "$LOG"; then
                ok "$1"
        else
                not_ok "$1"
                echo "#   wanted a log line matching: $2"
                grep -E 'netpoold|drift|quarantin|reappl|re-appl' "$LOG" | tail -5 | sed 's/^/#   log: /'
        fi
}
notify() {      # notify NETWORK XML-FILE: Network.Notify through dbus-send (errors by name)
        np_send "$(np_net_path "$1")" Network.Notify string:"$(cat "$2")" uint64:0
}

# every VF of eth0 and eth1 starts with an original of its own in every field, different from what the ports
# set, so that a restore to defaults (or none) shows
for pf in $PF0 $PF1; do
        for n in 0 1; do
                d=$(vfdir $pf $n)/p1
                printf '02:00:00:%s:00:%02x\n' "${pf:5:2}" $n >"$d/mac"
                echo 11 >"$d/vlan"; echo 1 >"$d/qos"; echo 802.1Q >"$d/vlan_proto"; echo 1 >"$d/spoofchk"
                echo 0 >"$d/trust"; echo disable >"$d/link_state"; echo 1 >"$d/min_tx_rate"; echo 50 >"$d/max_tx_rate"
        done
done
for n in 0 1; do
        echo 1450 >"$R/sys/class/net/eth1v$n/mtu"
done
printf '02:00:00:06:00:00\n' >"$(vfdir $PF2 0)/p1/mac"

VFSET="<vlan>
    <tag id='42'/>
  </vlan>
  <netpool:vf $NS trust='yes' spoofchk='no' link-state='enable' min-tx-rate='10' max-tx-rate='200' vlan-qos='5' vlan-protocol='802.1ad'/>"
# the fields of a VF carrying VFSET for port MAC $1 (as vf_fields prints them)
vfset_fields() {
        echo "$1 42 5 802.1ad 0 1 enable 10 200"
}
check "network hd: hostdev managed='yes' over eth0, VLAN 42 and every <netpool:vf> setting" \
        np_define_start hd "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>" "$VFSET"
check "network pt: passthrough over eth1, the same and <mtu size='1400'/>" \
        np_define_start pt "<forward mode='passthrough'><pf dev='eth1'/></forward>" "$VFSET<mtu size='1400'/>"

# what a refusal's message must name for each fault OP (an ERE, case-insensitive)
declare -A SETTING=([set_mac]="MAC" [set_vlan]="VLAN" [set_vlan_proto]="VLAN protocol|802\.1ad"
        [set_spoofchk]="spoofchk|spoof" [set_trust]="trust" [set_link_state]="link.state"
        [set_rate]="TX rate|tx.rate" [set_mtu]="MTU")

# ==== 1. every VF field applied at Allocate, each file back at Release; each refusal changes nothing ====
for net in hd pt; do
        # a passthrough pool's devices are netdevs: the option 'device' names one
        if [ $net = hd ]; then pf=$PF0 pfname=eth0 dev=$(vf_bdf $PF0 0); else pf=$PF1 pfname=eth1 dev=eth1v0; fi
        vf=$(vf_bdf $pf 0)
        before=$(snap $pf 0)
        new_port
        check "$net: Allocate on VF 0 ($dev)" awo $net device:s:$dev
        expect_eq "$net: VF 0 has the port's MAC, VLAN 42, QoS 5, 802.1ad, spoofchk off, trust on, link enable, TX rate 10-200" \
                "$(vfset_fields "$MAC")" "$(vf_fields $pf 0)"
        if [ $net = pt ]; then
                expect_eq "pt: the VF's netdev eth1v0 has MTU 1400" 1400 "$(cat "$R/sys/class/net/eth1v0/mtu")"
        fi
        check "$net: Release" np_release $net "$U"
        expect_eq "$net: after Release every file of VF 0 holds what it held before (vfstate, driver, netdev)" \
                "$before" "$(snap $pf 0)"
        expect_eq "$net: VF 0 is free" free "$(dev_state $net "$vf")"

        ops="set_mac set_vlan set_vlan_proto set_spoofchk set_trust set_link_state set_rate"
        [ $net = pt ] && ops+=" set_mtu"
        virt_before=$(virtuals)
        for op in $ops; do
                np_simhost --fail $pf 0 "$op EPERM"
                new_port
                refused "$net, '$op EPERM': Allocate is HardwareError" org.netpool1.Error.HardwareError $net device:s:$dev
                says "$net, '$op EPERM': the message names VF 0" "VF 0([^0-9]|$)"
                says "$net, '$op EPERM': the message names PF '$pfname'" "'$pfname'"
                says "$net, '$op EPERM': the message names the setting (${SETTING[$op]})" "${SETTING[$op]}"
                expect_eq "$net, '$op EPERM': every file of VF 0 as before, no port, no macvtap left, VF 0 free" \
                        "$before|0|$virt_before|free" \
                        "$(snap $pf 0)|$(net_ports $net)|$(virtuals)|$(dev_state $net "$vf")"
                np_simhost --clear-fail $pf 0
        done
done
expect_eq "no VF record is left after the refusals" "" "$(np_vf_records)"

# ==== 2. quarantine: a restore that reads back wrong, a failed reset, a VF still dirty ====
Q=$(vf_bdf $PF2 0)
check "network one: hostdev managed='yes' over eth2, one VF" \
        np_define_start one "<forward mode='hostdev' managed='yes'><pf dev='eth2'/></forward>"
orig_mac=$(vf_file $PF2 0 mac)
new_port vlan=7
check "one: Allocate" awo one
QMAC=$MAC
np_simhost --fail $PF2 0 "set_mac IGNORE"
check "one, fault 'set_mac IGNORE' (the restore reports success, changes nothing): Release succeeds" np_release one "$U"
expect_eq "the VF still carries the port's MAC (the fault dropped the restore)" "$QMAC" "$(vf_file $PF2 0 mac)"
wait_eq "GetDevices shows the VF quarantined" quarantined 2 dev_state one $Q
expect_eq "the network's Available is 0" 0 "$(np_get_prop one Available)"
reason=$(quarantine_reason $Q)
check "Statistics.Quarantined has $Q with a reason naming the MAC (got '$reason'; all: $(quarantined | tr '\t\n' ': '))" \
        grep -q "MAC" <<<"$reason"
log_says "the log says VF 0 of 'eth2' is quarantined, with the MAC read and the one recorded" \
        "VF 0 of 'eth2' quarantined: MAC is $QMAC after the restore, recorded $orig_mac"
check "its VF record stays on disk" test -n "$(np_vf_records)"
np_ctl metrics >"$NP_DIR/metrics.out" 2>&1
check "netpoolctl metrics: netpool_network_devices{network=\"one\",state=\"quarantined\"} 1" \
        grep -qx 'netpool_network_devices{network="one",state="quarantined"} 1' "$NP_DIR/metrics.out"
check "netpoolctl metrics: netpool_device_quarantined{device=\"$Q\",reason=\"…MAC…\"} 1" \
        grep -Eqx "netpool_device_quarantined\{device=\"$Q\",reason=\"[^\"]*MAC[^\"]*\"\} 1" "$NP_DIR/metrics.out"
new_port
awo one device:s:$Q >/dev/null
grep '^message=' "$NP_DIR/awo.out" >"$NP_DIR/last.out"
[ -z "$(res port)" ] || np_release one "$U"
expect_eq "an Allocate with device=$Q is refused" "refused" "$([ -n "$(res error)" ] && echo refused || echo "succeeded: $(res port)")"
says "its message says the device is quarantined" "quarantin"
new_port
expect_error "an Allocate on the one-device pool is PoolExhausted" org.netpool1.Error.PoolExhausted \
        np_allocate_call one "$(cat "$NP_DIR/in.xml")"
expect_eq "no port was made, the VF still carries the port's MAC" "0|$QMAC" "$(net_ports one)|$(vf_file $PF2 0 mac)"
np_release one "$U" 2>/dev/null         # made anyway: gone, so that what follows starts clean
check "kill -9 netpoold" np_kill9
expect_eq "after the restart (the fault still there) the VF is still quarantined" quarantined "$(dev_state one $Q)"
np_simhost --clear-fail $PF2 0
expect_eq "the fault gone, no Rescan yet: still quarantined (no periodic retry)" quarantined "$(dev_state one $Q)"
check "Rescan" rescan
wait_eq "after the Rescan the VF is free" free 2 dev_state one $Q
expect_eq "and carries its original MAC, VLAN 0, no record, not in Statistics.Quarantined" \
        "$orig_mac 0||" "$(vf_file $PF2 0 mac) $(vf_file $PF2 0 vlan)|$(np_vf_records)|$(quarantine_reason $Q)"

# a failed reset at the release of a hostdev VF (managed, eth0)
R1=$(vf_bdf $PF0 1)
before=$(snap $PF0 1)
new_port
check "hd: Allocate on VF 1" awo hd device:s:$R1
np_simhost --fail $PF0 1 "reset EPERM"
check "hd, fault 'reset EPERM': Release succeeds" np_release hd "$U"
wait_eq "hd, fault 'reset EPERM': VF 1 is quarantined" quarantined 2 dev_state hd $R1
reason=$(quarantine_reason $R1)
check "Statistics.Quarantined has $R1 with a reason naming the reset (got '$reason')" grep -qi "reset" <<<"$reason"
new_port
awo hd device:s:$R1 >/dev/null
[ -z "$(res port)" ] || np_release hd "$U"
expect_eq "hd: an Allocate with device=$R1 is refused" "refused" \
        "$([ -n "$(res error)" ] && echo refused || echo "succeeded: $(res port)")"
np_simhost --clear-fail $PF0 1
check "Rescan" rescan
wait_eq "the fault gone, after the Rescan VF 1 is free" free 2 dev_state hd $R1
expect_eq "and every file of VF 1 as before the Allocate" "$before" "$(snap $PF0 1)"

# a VF the guest left dirty, whose reset does nothing (IGNORE): still dirty after it, quarantined
new_port
check "hd: Allocate on VF 1 again" awo hd device:s:$R1
np_simhost --dirty $PF0 1 --fail $PF0 1 "reset IGNORE"
check "hd, dirty VF, fault 'reset IGNORE': Release succeeds" np_release hd "$U"
wait_eq "hd, dirty VF, fault 'reset IGNORE': VF 1 is quarantined (still dirty after the reset)" quarantined 2 \
        dev_state hd $R1
check "Statistics.Quarantined has $R1" test -n "$(quarantine_reason $R1)"
np_simhost --clear-fail $PF0 1
check "Rescan" rescan
wait_eq "the fault gone, after the Rescan VF 1 is free" free 2 dev_state hd $R1
expect_eq "the reset cleared it: not dirty, every file as before" "$before" "$(snap $PF0 1)"
# the same without the fault: the reset at Release clears it, the VF is free at once
new_port
check "hd: Allocate on VF 1 once more" awo hd device:s:$R1
np_simhost --dirty $PF0 1
check "hd, dirty VF: Release" np_release hd "$U"
wait_eq "hd, dirty VF, no fault: VF 1 is free" free 2 dev_state hd $R1
expect_eq "hd, dirty VF, no fault: the reset cleared it, every file as before" "$before" "$(snap $PF0 1)"
expect_eq "nothing is quarantined any more" "" "$(quarantined)"

# ==== 3. drift: a leased VF changed from outside is put back ====
check "network dr: hostdev managed='no' over eth3, trust='yes'" \
        np_define_start dr "<forward mode='hostdev' managed='no'><pf dev='eth3'/></forward>" \
        "<netpool:vf $NS trust='yes'/>"
D0=$(vf_bdf $PF3 0)
new_port vlan=42
check "dr: Allocate on VF 0 with MAC and VLAN 42" awo dr device:s:$D0
DU=$U DMAC=$MAC
expect_eq "dr: VF 0 carries them, trust on" "$DMAC 42 1" "$(vf_file $PF3 0 mac) $(vf_file $PF3 0 vlan) $(vf_file $PF3 0 trust)"
expect_eq "dr: the port's Health is ok" ok "$(health $DU)"
drift0=$(stat DriftRepairs)
vf_set $PF3 2 mac 02:00:00:ee:00:02     # an unleased VF: none of netpoold's business
vf_set $PF3 0 mac 02:00:00:dd:00:00     # the leased one
wait_eq "drift: an administrator's MAC on VF 0 is replaced by the port's" "$DMAC" 2 vf_file $PF3 0 mac
wait_eq "drift: Health ok again" ok 1 health $DU
expect_eq "drift: Statistics.DriftRepairs went up by 1 (the unleased VF's change not counted)" \
        "$(plus "$drift0" 1)" "$(stat DriftRepairs)"
expect_eq "drift: the unleased VF 2 kept what the administrator set, and is free" "02:00:00:ee:00:02 free" \
        "$(vf_file $PF3 2 mac) $(dev_state dr "$(vf_bdf $PF3 2)")"
log_says "drift: the log says the port's VF drifted, with both MACs" \
        "port $DU: VF 0 of 'eth3' drifted: MAC is 02:00:00:dd:00:00, the port's is $DMAC"
vf_set $PF3 0 vlan 0
wait_eq "drift: VLAN 0 set on VF 0 from outside: 42 again" 42 2 vf_file $PF3 0 vlan
vf_set $PF3 0 trust 0
wait_eq "drift: trust off set from outside: on again (a <netpool:vf> setting)" 1 2 vf_file $PF3 0 trust
wait_eq "drift: Health ok" ok 1 health $DU
expect_eq "drift: DriftRepairs up by 3 in all" "$(plus "$drift0" 3)" "$(stat DriftRepairs)"
# a repair the driver refuses: Health stays drifted until a later change or a Rescan succeeds
dbus-monitor --system "type='signal',path='$(np_port_path $DU)',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'" \
        >"$NP_DIR/health.log" 2>&1 &
MON=$!
sleep 0.3       # dbus-monitor has no "ready" to wait for
np_simhost --fail $PF3 0 "set_mac EPERM"
vf_set $PF3 0 mac 02:00:00:dd:00:01
wait_eq "drift with 'set_mac EPERM': Health drifted" drifted 2 health $DU
expect_eq "drift with 'set_mac EPERM': the VF keeps the administrator's MAC, Health still drifted" \
        "02:00:00:dd:00:01 drifted" "$(vf_file $PF3 0 mac) $(health $DU)"
np_simhost --clear-fail $PF3 0
check "Rescan" rescan
wait_eq "the fault gone, after the Rescan: the port's MAC again" "$DMAC" 2 vf_file $PF3 0 mac
wait_eq "and Health ok" ok 1 health $DU
kill $MON 2>/dev/null
wait $MON 2>/dev/null
expect_eq "the port's PropertiesChanged said Health drifted, then ok" "drifted ok" \
        "$(echo $(awk '/string "Health"/ { getline; if (match($0, /string "[a-z]*"/)) print substr($0, RSTART + 8, RLENGTH - 9) }' \
                "$NP_DIR/health.log"))"

# ==== 4. a port's VF vanishes (the PF resized) and comes back ====
D3=$(vf_bdf $PF3 3)
new_port vlan=43
check "dr: Allocate on VF 3 with VLAN 43" awo dr device:s:$D3
LU=$U LMAC=$MAC
reapplied0=$(stat LeasesReapplied)
np_simhost --set-numvfs $PF3 3
wait_eq "VF 3 gone (sriov_numvfs 3): the port's Health is lost" lost 2 health $LU
expect_eq "GetDevices shows VF 3 lost" lost "$(dev_state dr $D3)"
check "its vfstate went with it" test ! -e "$(vfdir $PF3 3)"
np_simhost --set-numvfs $PF3 4          # VF 3 made anew: zero MAC, VLAN 0, trust off
wait_eq "VF 3 back: Health ok" ok 2 health $LU
expect_eq "VF 3 has the port's MAC, VLAN 43 and trust on again" "$LMAC 43 1" \
        "$(vf_file $PF3 3 mac) $(vf_file $PF3 3 vlan) $(vf_file $PF3 3 trust)"
expect_eq "GetDevices shows VF 3 in use" in-use "$(dev_state dr $D3)"
expect_eq "Statistics.LeasesReapplied went up by 1" "$(plus "$reapplied0" 1)" "$(stat LeasesReapplied)"
check "Release the port of VF 3" np_release dr "$LU"

# ==== 6. a MAC held by another live port ====
HD4="<forward mode='hostdev' managed='no'><pf dev='eth4'/></forward>"
HD5="<forward mode='hostdev' managed='no'><pf dev='eth5'/></forward>"
ALLOW="<netpool:port-macs $NS duplicates='allow'/>"
check "network dupa: hostdev over eth4, duplicates refused (the default)" np_define_start dupa "$HD4"
check "network dupb: hostdev over eth5, duplicates refused (the default)" np_define_start dupb "$HD5"
check "network alla: hostdev over eth4 with $ALLOW" np_define_start alla "$HD4" "$ALLOW"
check "network allb: hostdev over eth5 with $ALLOW" np_define_start allb "$HD5" "$ALLOW"
check "alla's inactive view shows <netpool:port-macs> as given" grep -qF "$ALLOW" <(np_xml alla 1)
check "alla's live view shows it" grep -qF "$ALLOW" <(np_xml alla 0)
# dup_state NETWORK: its ports, its devices' states, the MACs of eth4's and eth5's VFs, the VF records
dup_state() {
        echo "ports=$(net_ports "$1") devices=$(echo $(np_devices "$1" | awk '{print $6}'))"
        echo "macs=$(for pf in $PF4 $PF5; do for n in 0 1 2 3; do echo -n "$(vf_file $pf $n mac) "; done; done)"
        echo "records=$(np_vf_records)"
}
# no_change DESCRIPTION NETWORK STATE-BEFORE: the refused call left nothing, its port UUID ($U) has no object
no_change() {
        expect_eq "$1: nothing changed (ports and device states of $2, VF MACs, VF records as before)" \
                "$3" "$(dup_state "$2")"
        expect_error "$1: no port object for its UUID" org.netpool1.Error.NoSuchPort \
                np_send $M Manager.LookupPort string:"$U" uint64:0
}
new_port
check "dupa: a port with MAC X" awo dupa
XU=$U XMAC=$MAC
U=19000000-0000-4000-8000-0000000001a1
np_port_xml uuid=$U mac=$XMAC >"$NP_DIR/in.xml"
S=$(dup_state dupb)
refused "dupb: the same MAC X is InvalidArgument" org.netpool1.Error.InvalidArgument dupb
says "the message names the port that holds X ($XU)" "$XU"
says "and its network 'dupa'" "dupa"
no_change "dupb, MAC X refused" dupb "$S"
U=19000000-0000-4000-8000-0000000001a2
np_port_xml uuid=$U mac=$XMAC >"$NP_DIR/in.xml"
S=$(dup_state dupa)
refused "dupa: the same MAC X on the same network is InvalidArgument" org.netpool1.Error.InvalidArgument dupa
says "the message names the port that holds X ($XU)" "$XU"
no_change "dupa, MAC X refused" dupa "$S"
U=19000000-0000-4000-8000-0000000001a3
np_port_xml uuid=$U mac=$XMAC >"$NP_DIR/in.xml"
S=$(dup_state alla)
refused "alla (allows duplicates): MAC X, held on dupa (refuses), is InvalidArgument" \
        org.netpool1.Error.InvalidArgument alla
says "the message names the port that holds X ($XU)" "$XU"
no_change "alla, MAC X refused" alla "$S"
# Notify of a port with MAC X: the XML of a real port of dupb (allocated and released), its UUID and MAC changed
new_port
check "dupb: a port with another MAC, for its XML" awo dupb
sed -e "s/$MAC/$XMAC/" -e "s/$U/19000000-0000-4000-8000-0000000001a4/" "$NP_DIR/out.xml" >"$NP_DIR/notify.xml"
check "and its Release" np_release dupb "$U"
U=19000000-0000-4000-8000-0000000001a4
S=$(dup_state dupb)
expect_error "dupb: Notify of a port with MAC X is InvalidArgument" org.netpool1.Error.InvalidArgument \
        notify dupb "$NP_DIR/notify.xml"
says "the message names the port that holds X ($XU)" "$XU"
no_change "dupb, Notify of MAC X refused" dupb "$S"
np_release dupb "$U" 2>/dev/null        # taken anyway: gone, so that what follows starts clean
check "Release the port with MAC X" np_release dupa "$XU"
# both networks allow: the same MAC twice, across them and on one
new_port
check "alla: a port with MAC Y" awo alla
YU=$U YMAC=$MAC
np_port_xml uuid=19000000-0000-4000-8000-0000000001b1 mac=$YMAC >"$NP_DIR/in.xml"
check "allb (both allow): MAC Y again is allowed" awo allb
np_port_xml uuid=19000000-0000-4000-8000-0000000001b2 mac=$YMAC >"$NP_DIR/in.xml"
check "alla (both allow, the same network): MAC Y a third time is allowed" awo alla
U=19000000-0000-4000-8000-0000000001b3
np_port_xml uuid=$U mac=$YMAC >"$NP_DIR/in.xml"
S=$(dup_state dupb)
refused "dupb (refuses): MAC Y, held on alla and allb (both allow), is InvalidArgument" \
        org.netpool1.Error.InvalidArgument dupb
says "the message names a port that holds Y" "$YU|19000000-0000-4000-8000-0000000001b[12]"
no_change "dupb, MAC Y refused" dupb "$S"
for u in $YU 19000000-0000-4000-8000-0000000001b2; do np_release alla $u; done
np_release allb 19000000-0000-4000-8000-0000000001b1

# ==== 7. the owner process exits: the VF goes back as it was (test-owner-process.sh checks the port goes) ====
P7=$(vf_bdf $PF1 1)
owner_alloc() { # owner_alloc PID: a port on pt's VF 1 owned by PID (np-owner-client.py pins no device: VF 0 busy)
        "$NP_PY" "$OWNER_CLIENT" "$(np_net_path pt)" "$(cat "$NP_DIR/in.xml")" "$1"
}
new_port
check "pt: VF 0 taken by a port without owner" awo pt device:s:eth1v0
HOLD_U=$U
before=$(snap $PF1 1) virt_before=$(virtuals)
sleep 1000 &
OWNER=$!
new_port
check "pt: a port owned by a sleep takes VF 1" owner_alloc $OWNER
expect_eq "pt: VF 1 carries every setting" "$(vfset_fields "$MAC")" "$(vf_fields $PF1 1)"
kill $OWNER
wait $OWNER 2>/dev/null
wait_eq "the owner exits: the port goes" 1 5 net_ports pt
wait_eq "and VF 1 is free" free 2 dev_state pt $P7
expect_eq "every file of VF 1 as before (settings, netdev MTU and MAC), no macvtap left" \
        "$before|$virt_before" "$(snap $PF1 1)|$(virtuals)"
sleep 1000 &
OWNER=$!
new_port
check "pt: again a port owned by a sleep on VF 1" owner_alloc $OWNER
check "kill -9 netpoold" np_kill9
kill $OWNER
wait $OWNER 2>/dev/null
wait_eq "the owner exited while netpoold was down: the port is gone after the restart" 1 5 net_ports pt
wait_eq "and VF 1 is free" free 2 dev_state pt $P7
expect_eq "every file of VF 1 as before" "$before" "$(snap $PF1 1)"
check "Release the port of VF 0" np_release pt "$HOLD_U"

# ==== 5. Notify puts back what changed while netpoold did not watch ====
new_port vlan=44
check "dr: Allocate on VF 1 with VLAN 44" awo dr device:s:$(vf_bdf $PF3 1)
cp "$NP_DIR/out.xml" "$NP_DIR/n1.xml"
NU=$U NMAC=$MAC
check "kill -9 netpoold" np_kill9
vf_set $PF3 1 mac 02:00:00:dd:01:01
vf_set $PF3 1 vlan 0
check "Notify of the port's XML" notify dr "$NP_DIR/n1.xml"
wait_eq "VF 1 has the port's MAC and VLAN 44 again" "$NMAC 44" 2 \
        bash -c "echo \$(cat '$(vfdir $PF3 1)/p1/mac' '$(vfdir $PF3 1)/p1/vlan')"
# the port unknown to netpoold (its state dir wiped): Notify re-registers it and repairs the VF
check "kill -9 netpoold" np_kill9
rm -rf "$NP_DIR/run"
vf_set $PF3 1 mac 02:00:00:dd:01:02
vf_set $PF3 1 vlan 0
vf_set $PF3 1 trust 0
check "Start dr again (the wipe made it inactive)" np_start dr
check "Notify of the port's XML re-registers it" notify dr "$NP_DIR/n1.xml"
expect_eq "VF 1 has the port's MAC, VLAN 44 and trust on again" "$NMAC 44 1" \
        "$(vf_file $PF3 1 mac) $(vf_file $PF3 1 vlan) $(vf_file $PF3 1 trust)"
expect_eq "the port's Health is ok" ok "$(health $NU)"

np_done
