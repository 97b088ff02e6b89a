#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# netpoolctl against the real daemon on the default sim host: every command's text and JSON output, the
# messages and exit statuses of its errors, and what each command changes in the daemon and on disk.
source "$(dirname "$0")/lib.sh"
np_setup

A_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d01
U_UUID=9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
T_UUID=4b6e2f0c-2a57-4d8e-9a51-0a8a0b0c0d05
A_PATH=/org/netpool1/network/sriov_2da

np_fixture sriov-a "$A_UUID"
np_net_xml name=uplink uuid="$U_UUID" mode=vepa pf=ens1 >"$NP_DIR/uplink.xml"
np_net_xml name=trans uuid="$T_UUID" mode=passthrough interface=eth0v3 >"$NP_DIR/trans.xml"
LIST_HEADER="NAME     UUID                                  MODE     STATE     PERSISTENT  AUTOSTART  CONNECTIONS  CAPACITY"

# --- the bus, before any network exists
ctl list
expect_eq "list with no networks prints the header only" \
        "0|NAME  UUID  MODE  STATE  PERSISTENT  AUTOSTART  CONNECTIONS  CAPACITY|" "$(result)"
ctl list --json
json_eq "list --json with no networks is []" '[]'

# --- define
ctl define "$NP_DIR/sriov-a.xml"
expect_eq "define FILE" "0|Network sriov-a defined from $NP_DIR/sriov-a.xml|" "$(result)"
check "the definition is stored" test -f "$NP_DIR/etc/sriov-a.xml"
expect_eq "a defined network is inactive and persistent" "false true" \
        "$(np_get_prop sriov-a Active) $(np_get_prop sriov-a Persistent)"
rc=0
out=$(np_ctl define - <"$NP_DIR/uplink.xml" 2>"$NP_DIR/stderr") || rc=$?
err=$(<"$NP_DIR/stderr")
expect_eq "define - reads standard input" "0|Network uplink defined from standard input|" "$(result)"
expect_eq "the network from standard input has its mode" '"vepa"' "$(np_get_prop uplink ForwardMode)"
ctl define --json "$NP_DIR/uplink.xml"
json_eq "define --json of the same network again" \
        '{"network": "uplink", "object": "/org/netpool1/network/uplink", "result": "defined"}'

# --- list
ctl list
expect_eq "list shows both networks, sorted, inactive" "0|$LIST_HEADER
sriov-a  $A_UUID  hostdev  inactive  yes         no                   0         0
uplink   $U_UUID  vepa     inactive  yes         no                   0         0|" "$(result)"
ctl list --json
json_eq "list --json has every field of both networks" "[
  {\"name\": \"sriov-a\", \"uuid\": \"$A_UUID\", \"mode\": \"hostdev\", \"active\": false, \"persistent\": true,
   \"autostart\": false, \"connections\": 0, \"capacity\": 0, \"object\": \"$A_PATH\"},
  {\"name\": \"uplink\", \"uuid\": \"$U_UUID\", \"mode\": \"vepa\", \"active\": false, \"persistent\": true,
   \"autostart\": false, \"connections\": 0, \"capacity\": 0, \"object\": \"/org/netpool1/network/uplink\"}]"
ctl list --active
expect_eq "list --active leaves inactive networks out" \
        "0|NAME  UUID  MODE  STATE  PERSISTENT  AUTOSTART  CONNECTIONS  CAPACITY|" "$(result)"

# --- info
INFO_INACTIVE="Name:         sriov-a
UUID:         $A_UUID
Mode:         hostdev
Active:       no
Persistent:   yes
Autostart:    no
Connections:  0
Capacity:     0
Available:    0
Object path:  $A_PATH"
ctl info sriov-a
expect_eq "info of an inactive network" "0|$INFO_INACTIVE|" "$(result)"
ctl info "${A_UUID^^}"
expect_eq "info takes an upper-case UUID too" "0|$INFO_INACTIVE|" "$(result)"
ctl devices sriov-a
expect_eq "an inactive network has no devices, and says why" "0|Network sriov-a is inactive: its pool is made when \
it starts ('netpoolctl start sriov-a'); 'netpoolctl dumpxml --inactive sriov-a' shows what it names|" "$(result)"

# --- start
ctl start sriov-a
expect_eq "start" "0|Network sriov-a started|" "$(result)"
expect_eq "the network is active" "true" "$(np_get_prop sriov-a Active)"
ctl info --json sriov-a
json_eq "info --json of the started network: the 8 VFs of eth0, all available" "{
  \"name\": \"sriov-a\", \"uuid\": \"$A_UUID\", \"mode\": \"hostdev\", \"active\": true, \"persistent\": true,
  \"autostart\": false, \"connections\": 0, \"capacity\": 8, \"available\": 8, \"object\": \"$A_PATH\"}"
ctl list --active
expect_eq "list --active shows it with its capacity" "0|NAME     UUID                                  MODE     STATE   PERSISTENT  AUTOSTART  CONNECTIONS  CAPACITY
sriov-a  $A_UUID  hostdev  active  yes         no                   0         8|" "$(result)"
ctl list --inactive
expect_eq "list --inactive shows only the other" "0|NAME    UUID                                  MODE  STATE     PERSISTENT  AUTOSTART  CONNECTIONS  CAPACITY
uplink  $U_UUID  vepa  inactive  yes         no                   0         0|" "$(result)"

# --- devices: the rows come from the sim host's sysfs (virtfnN of eth0 and the VF's netdev); with Device objects
# (API 1.1) each row also has its object's attributes, from the same sysfs: NUMA node, driver, holder ("-": none)
eth0_dev=$NP_SIM/sys/class/net/eth0/device
eth0_bdf=$(basename "$(readlink -f "$eth0_dev")")
vf_count=$(<"$eth0_dev/sriov_numvfs")
expect_eq "the default sim host gives eth0 8 VFs" "8" "$vf_count"
# vf_attrs BDF: "NUMA DRIVER VENDOR PRODUCT IOMMU-GROUP ROOT" of a function as its sysfs files say
vf_attrs() {
        local f=$NP_SIM/sys/bus/pci/devices/$1 root
        root=$(readlink -f "$f")
        root=${root#"$NP_SIM"/sys/devices/}
        echo "$(<"$f/numa_node") $(basename "$(readlink "$f/driver")") $(<"$f/vendor") $(<"$f/device")" \
             "$(basename "$(readlink "$f/iommu_group")") ${root%%/*}"
}
dev_table="ID            NETDEV  PCI           PF    VF  STATE  CONNECTIONS  PORT  NUMA  DRIVER  HOLDER"
dev_json="["
for ((i = 0; i < vf_count; i++)); do
        bdf=$(basename "$(readlink "$eth0_dev/virtfn$i")")
        netdev=$(ls "$NP_SIM/sys/bus/pci/devices/$bdf/net")
        read -r numa driver vendor product group root <<<"$(vf_attrs "$bdf")"
        dev_table+=$'\n'"$bdf  $netdev  $bdf  eth0   $i  free             0  -        $numa  $driver    -"
        dev_json+="{\"id\": \"$bdf\", \"netdev\": \"$netdev\", \"pci_address\": \"$bdf\", \"pf\": \"eth0\","
        dev_json+=" \"vf_index\": $i, \"state\": \"free\", \"connections\": 0, \"port_uuid\": null,"
        dev_json+=" \"pf_address\": \"$eth0_bdf\", \"vendor\": \"$vendor\", \"product\": \"$product\","
        dev_json+=" \"driver\": \"$driver\", \"netdevs\": [\"$netdev\"], \"numa_node\": $numa,"
        dev_json+=" \"pcie_root\": \"$root\", \"iommu_group\": $group, \"link_type\": \"ethernet\","
        dev_json+=" \"eswitch_mode\": \"\", \"holder\": \"\", \"networks\": [\"sriov-a\"],"
        dev_json+=" \"object\": \"$(np_path_encode /org/netpool1/device "$bdf")\"},"
done
dev_json="${dev_json%,}]"
ctl devices sriov-a
expect_eq "devices lists every VF of eth0 with its PF, index, state, NUMA node and driver" "0|$dev_table|" \
        "$(result)"
ctl devices --json sriov-a
json_eq "devices --json has the same rows, with every attribute of their Device objects" "$dev_json"
ctl --json devices sriov-a
json_eq "--json also works before the command" "$dev_json"

# --- dumpxml
LIVE_XML="<network>
  <name>sriov-a</name>
  <uuid>$A_UUID</uuid>
  <forward mode='hostdev' managed='yes'>
    <pf dev='eth0'/>"
for i in $(seq 0 7); do
        LIVE_XML+=$'\n'"    <address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x$i'/>"
done
LIVE_XML+="
  </forward>
</network>"
INACTIVE_XML=$(<"$NP_DIR/sriov-a.xml")
ctl dumpxml sriov-a
expect_eq "dumpxml shows the pool expanded to the VFs' PCI addresses" "0|$LIVE_XML|" "$(result)"
ctl dumpxml --inactive sriov-a
expect_eq "dumpxml --inactive shows only <pf>" "0|$INACTIVE_XML|" "$(result)"
ctl dumpxml --json --inactive sriov-a
json_eq "dumpxml --json --inactive" "$(python3 -c 'import json, sys
print(json.dumps({"network": "sriov-a", "object": sys.argv[1], "inactive": True, "xml": sys.argv[2] + "\n"}))' \
        "$A_PATH" "$INACTIVE_XML")"
ctl dumpxml --json sriov-a
json_eq "dumpxml --json of the live view" "$(python3 -c 'import json, sys
print(json.dumps({"network": "sriov-a", "object": sys.argv[1], "inactive": False, "xml": sys.argv[2] + "\n"}))' \
        "$A_PATH" "$LIVE_XML")"

# --- autostart
ctl autostart sriov-a
expect_eq "autostart" "0|Network sriov-a marked as autostarted|" "$(result)"
expect_eq "sets the Autostart property" "true" "$(np_get_prop sriov-a Autostart)"
check "and writes the mark file" test -e "$NP_DIR/etc/autostart/sriov-a"
ctl info sriov-a
expect_eq "info shows it" "Autostart:    yes" "$(grep '^Autostart:' <<<"$out")"
ctl autostart --disable --json uplink
json_eq "autostart --disable --json" \
        '{"network": "uplink", "object": "/org/netpool1/network/uplink",
          "result": "autostart", "autostart": false}'
expect_eq "the other network is unchanged" "true false" \
        "$(np_get_prop sriov-a Autostart) $(np_get_prop uplink Autostart)"

# autostart takes effect when netpoold starts after a boot; a boot empties the state dir (a tmpfs)
ctl stop sriov-a
expect_eq "stop" "0|Network sriov-a stopped|" "$(result)"
restart_after_boot() {
        local pid
        pid=$(np_daemon_pid)
        kill "$pid" && np_wait_gone "$pid"
        rm -rf "$NP_DIR/run"
}
restart_after_boot
ctl info sriov-a
expect_eq "after a boot the next call activates netpoold, which started the network" "Active:       yes" \
        "$(grep '^Active:' <<<"$out")"
expect_eq "but not the network without autostart" "false" "$(np_get_prop uplink Active)"

ctl autostart --disable sriov-a
expect_eq "autostart --disable" "0|Network sriov-a unmarked as autostarted|" "$(result)"
expect_eq "clears the Autostart property" "false" "$(np_get_prop sriov-a Autostart)"
check "and removes the mark file" test ! -e "$NP_DIR/etc/autostart/sriov-a"
ctl stop sriov-a
restart_after_boot
ctl info sriov-a
expect_eq "an unmarked network stays inactive after a boot" "Active:       no" "$(grep '^Active:' <<<"$out")"

# --- stop and stop --force; the monitor shows which flags each sent
busctl --system monitor --json=short org.netpool1 >"$NP_DIR/monitor.json" 2>/dev/null &
MON=$!
sleep 0.3
ctl start sriov-a
ctl stop sriov-a
expect_eq "stop" "0|Network sriov-a stopped|" "$(result)"
expect_eq "the network is inactive" "false" "$(np_get_prop sriov-a Active)"
ctl devices --json sriov-a
json_eq "and has no devices" '[]'
ctl stop sriov-a
expect_eq "stop of an inactive network: the daemon's message, status 1" \
        "1||netpoolctl: network 'sriov-a' is not active" "$(result)"
ctl start sriov-a
ctl stop --force sriov-a
expect_eq "stop --force" "0|Network sriov-a stopped|" "$(result)"
expect_eq "the network is inactive" "false" "$(np_get_prop sriov-a Active)"
sleep 0.3
kill $MON 2>/dev/null
wait $MON 2>/dev/null
stop_flags=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("type") == "method_call" and m.get("member") == "Stop":
        print(m["payload"]["data"][0], end=" ")' "$NP_DIR/monitor.json")
expect_eq "stop sends flags 0, stop --force FORCE (1)" "0 0 1 " "$stop_flags"

# --- create: transient and started; stop removes it
ctl create "$NP_DIR/trans.xml"
expect_eq "create FILE" "0|Network trans created from $NP_DIR/trans.xml|" "$(result)"
ctl info --json trans
json_eq "a created network is active and transient, with its one interface" "{
  \"name\": \"trans\", \"uuid\": \"$T_UUID\", \"mode\": \"passthrough\", \"active\": true, \"persistent\": false,
  \"autostart\": false, \"connections\": 0, \"capacity\": 1, \"available\": 1,
  \"object\": \"/org/netpool1/network/trans\"}"
check "nothing is stored for it" test ! -e "$NP_DIR/etc/trans.xml"
ctl devices trans
read -r numa driver _ <<<"$(vf_attrs 0000:03:02.3)"
expect_eq "its device is the listed VF netdev, with the attributes of its Device object (by PCI address)" \
        "0|ID      NETDEV  PCI           PF    VF  STATE  CONNECTIONS  PORT  NUMA  DRIVER  HOLDER
eth0v3  eth0v3  0000:03:02.3  eth0   3  free             0  -        $numa  $driver    -|" "$(result)"
ctl devices --json trans
check "devices --json of a netdev pool: the row's object is the VF's, 0000:03:02.3" python3 - "$out" <<'EOP'
import json, sys
rows = json.loads(sys.argv[1])
assert len(rows) == 1 and rows[0]["id"] == "eth0v3", rows
assert rows[0]["object"] == "/org/netpool1/device/_30000_3a03_3a02_2e3", rows
assert rows[0]["netdevs"] == ["eth0v3"] and rows[0]["vf_index"] == 3, rows
EOP
ctl stop --json trans
json_eq "stop --json" '{"network": "trans", "object": "/org/netpool1/network/trans", "result": "stopped"}'
ctl info trans
expect_eq "a stopped transient network is gone" "1||netpoolctl: no network named 'trans'
netpoolctl: hint: 'netpoolctl list' shows every network" "$(result)"

# --- undefine
ctl start uplink
ctl undefine uplink
expect_eq "undefine an active network" "0|Network uplink undefined; it stays active as a transient network until it is stopped ('netpoolctl stop uplink')|" "$(result)"
expect_eq "it keeps running as a transient network" "true false" \
        "$(np_get_prop uplink Active) $(np_get_prop uplink Persistent)"
check "its definition file is gone" test ! -e "$NP_DIR/etc/uplink.xml"
ctl stop uplink
ctl undefine --json sriov-a
json_eq "undefine --json an inactive network" \
        "{\"network\": \"sriov-a\", \"object\": \"$A_PATH\", \"result\": \"undefined\", \"active\": false}"
check "its definition file is gone" test ! -e "$NP_DIR/etc/sriov-a.xml"
ctl list --json
json_eq "no network is left" '[]'

# --- errors from the daemon: its message on stderr, status 1, nothing on stdout
for cmd in info devices start stop undefine dumpxml autostart; do
        ctl $cmd nosuch
        expect_eq "$cmd of an unknown network" "1||netpoolctl: no network named 'nosuch'
netpoolctl: hint: 'netpoolctl list' shows every network" "$(result)"
done
ctl --json info nosuch
expect_eq "with --json the error is text on stderr and stdout stays empty" \
        "1||netpoolctl: no network named 'nosuch'
netpoolctl: hint: 'netpoolctl list' shows every network" "$(result)"

# --- invalid XML: the message names the line; nothing is defined
printf '<network>\n  <name>broken</name>\n  <forward mode="hostdev">\n</network>\n' >"$NP_DIR/broken.xml"
ctl define "$NP_DIR/broken.xml"
expect_eq "malformed XML: status 1, nothing on stdout" "1|" "$rc|$out"
check "the message names line 4 and says the XML is malformed" \
        grep -q "^netpoolctl: invalid network XML: line 4: malformed XML: " "$NP_DIR/stderr"
cat >"$NP_DIR/vlan.xml" <<'EOX'
<network>
  <name>badvlan</name>
  <forward mode='private'>
    <pf dev='eth0'/>
  </forward>
  <vlan><tag id='5'/></vlan>
</network>
EOX
ctl create "$NP_DIR/vlan.xml"
expect_eq "a rule broken: status 1, nothing on stdout" "1|" "$rc|$out"
check "the message names the line and the element" \
        grep -q "^netpoolctl: invalid network XML: line 6: <vlan>: .*'private' network" "$NP_DIR/stderr"
ctl list --json
json_eq "neither network was defined" '[]'
ctl define "$NP_DIR/missing.xml"
expect_eq "an unreadable FILE" \
        "1||netpoolctl: cannot read $NP_DIR/missing.xml: No such file or directory" "$(result)"

# --- usage errors: status 2, and nothing is done
ctl define "$NP_DIR/sriov-a.xml"
expect_usage "no command" "netpoolctl: missing command"
expect_usage "an unknown command" "netpoolctl: unknown command 'bogus'" bogus
expect_usage "an unknown option" "netpoolctl list: unknown option '--bogus'" list --bogus
expect_usage "another command's option" "netpoolctl start: unknown option '--inactive'" start --inactive sriov-a
expect_usage "a missing argument" "netpoolctl start: missing argument" start
expect_usage "an extra argument" "netpoolctl start: unexpected argument 'extra'" start sriov-a extra
expect_usage "a value for a flag" "netpoolctl stop: option '--force' does not take an argument" \
        stop --force=1 sriov-a
expect_usage "help of an unknown command" "netpoolctl: unknown command 'bogus'" help bogus
ctl start sriov-a extra
expect_eq "the usage message has the usage line and the pointer to --help" \
        "Usage: netpoolctl start NAME|Try 'netpoolctl start --help' for more information." \
        "$(sed -n 2p "$NP_DIR/stderr")|$(sed -n 3p "$NP_DIR/stderr")"
expect_eq "a refused command line started nothing" "false" "$(np_get_prop sriov-a Active)"

# --- help: every command's usage line is the one the command list shows
ctl --help
expect_eq "--help exits 0 with nothing on stderr" "0|" "$rc|$err"
main_help=$out
for cmd in list info devices define create undefine start stop dumpxml autostart help; do
        synopsis=$(grep -E "^  $cmd( |$)" <<<"$main_help" | sed -E 's/  +[A-Z].*$//; s/^  //')
        ctl $cmd --help
        expect_eq "$cmd --help" "0|Usage: netpoolctl $synopsis|" "$rc|${out%%$'\n'*}|$err"
        help_out=$out
        ctl help $cmd
        expect_eq "help $cmd prints the same" "0|$help_out" "$rc|$out"
done
ctl --version
expect_eq "--version" "0|netpoolctl $(np_busctl get-property org.netpool1 /org/netpool1 org.netpool1.Manager Version |
        cut -d'"' -f2)|" "$(result)"

# --- the bus or the daemon unreachable
ctl_on_bus() {  # ctl_on_bus ADDRESS ARGS...
        local address=$1
        shift
        DBUS_SYSTEM_BUS_ADDRESS=$address ctl "$@"
}
ctl_on_bus "unix:path=$NP_DIR/no-bus.socket" list
expect_eq "no bus: status 1 and a clear message" \
        "1||netpoolctl: cannot connect to the system bus at unix:path=$NP_DIR/no-bus.socket: No such file or directory
netpoolctl: hint: is dbus running? (systemctl status dbus; DBUS_SYSTEM_BUS_ADDRESS selects another bus)" "$(result)"
ctl_on_bus "unix:path=$NP_DIR/no-bus.socket" start sriov-a
expect_eq "the same for a network command" \
        "1||netpoolctl: cannot connect to the system bus at unix:path=$NP_DIR/no-bus.socket: No such file or directory
netpoolctl: hint: is dbus running? (systemctl status dbus; DBUS_SYSTEM_BUS_ADDRESS selects another bus)" "$(result)"
mkdir "$NP_DIR/bare"
sed -e "s|$NP_DIR/bus.socket|$NP_DIR/bare/bus.socket|" -e "s|$NP_DIR/services|$NP_DIR/bare|" \
        "$NP_DIR/bus.conf" >"$NP_DIR/bare/bus.conf"
dbus-daemon --config-file="$NP_DIR/bare/bus.conf" --nofork --nopidfile --nosyslog >"$NP_DIR/bare/log" 2>&1 &
BARE_BUS=$!
for _ in $(seq 100); do
        [ -S "$NP_DIR/bare/bus.socket" ] && break
        sleep 0.05
done
ctl_on_bus "unix:path=$NP_DIR/bare/bus.socket" list
expect_eq "a bus without netpoold: status 1, nothing on stdout" "1|" "$rc|$out"
unavailable="netpoolctl: netpoold (org.netpool1) is not available on the system bus: "
expect_eq "and the message says netpoold is not available" "$unavailable" "${err:0:${#unavailable}}"
kill $BARE_BUS 2>/dev/null
wait $BARE_BUS 2>/dev/null

np_done
