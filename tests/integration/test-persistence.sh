#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# kill -9 and restart: active networks come back active with the same pool, inactive ones stay defined,
# transient ones survive; autostart runs on the first start after boot only; files are where the docs say.
source "$(dirname "$0")/lib.sh"
np_setup

M=/org/netpool1
define() {
        busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st "$1" 0 >/dev/null
}
# devices_reply NET: GetDevices as busctl prints it (the test compares its signature and count too)
devices_reply() {
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network GetDevices t 0
}

check "define a hostdev network" define "<network><name>act</name><forward mode='hostdev'><pf dev='ens1'/></forward></network>"
check "start it" np_start act
check "define a passthrough network left inactive" define \
        "<network><name>idle</name><forward mode='passthrough'><pf dev='eth0'/></forward></network>"
check "create a transient network" busctl --system call org.netpool1 $M org.netpool1.Manager CreateNetwork st \
        "<network><name>tr</name><forward mode='vepa'><interface dev='eth0v3'/></forward></network>" 0
check "define an autostart network" define \
        "<network><name>auto</name><forward mode='private'><pf dev='eth0'/></forward></network>"
check "mark it autostart" busctl --system set-property org.netpool1 "$(np_net_path auto)" org.netpool1.Network Autostart b true
before_devices=$(devices_reply act)
before_live=$(np_xml act 0)
before_inactive=$(np_xml idle 1)
uuid_act=$(np_get_prop act UUID)

check "the definition is on disk" test -s "$NP_DIR/etc/act.xml"
check "the live state is on disk" test -s "$NP_DIR/run/networks/act.xml"
check "a transient network has no definition file" test ! -e "$NP_DIR/etc/tr.xml"
check "no temporary files are left" bash -c "! ls -A '$NP_DIR/etc' '$NP_DIR/run/networks' | grep -q '^\.#'"

check "kill -9 the daemon" np_kill9
expect_eq "after restart (activation), the active network is active" "true" "$(np_get_prop act Active)"
expect_eq "with the same UUID" "$uuid_act" "$(np_get_prop act UUID)"
expect_eq "and the same pool" "$before_devices" "$(devices_reply act)"
expect_eq "and the same live XML" "$before_live" "$(np_xml act 0)"
expect_eq "the inactive network is still defined and inactive" "false" "$(np_get_prop idle Active)"
expect_eq "with its definition" "$before_inactive" "$(np_xml idle 1)"
expect_eq "the transient network is still active" "true" "$(np_get_prop tr Active)"
expect_eq "and still transient" "false" "$(np_get_prop tr Persistent)"
expect_eq "autostart did not start the network on a re-activation" "false" "$(np_get_prop auto Active)"
expect_eq "its autostart mark survived" "true" "$(np_get_prop auto Autostart)"

# hardware that changed while no daemon ran is seen at the next start, without waiting for an event (no
# event comes for what happened while nobody listened): a PF resized meanwhile shrinks the pool
check "kill -9 again" np_kill9
np_simhost --set-numvfs 0000:05:00.0 2
expect_eq "the pool follows the PF resized while the daemon was down" \
        "a(ssssisus) 2 $(echo "$before_devices" | cut -d' ' -f3-18)" "$(devices_reply act)"
np_simhost --set-numvfs 0000:05:00.0 8

# a Stop is not undone by a crash
check "stop the active network" busctl --system call org.netpool1 "$(np_net_path act)" org.netpool1.Network Stop t 0
check "its live state is gone" test ! -e "$NP_DIR/run/networks/act.xml"
check "kill -9" np_kill9
expect_eq "it stays inactive" "false" "$(np_get_prop act Active)"

# a reboot empties the state dir: autostart networks start, nothing else does
check "restart it" np_start act
np_kill9
rm -rf "$NP_DIR/run"
expect_eq "after a 'reboot', the autostart network is active" "true" "$(np_get_prop auto Active)"
expect_eq "a network that was merely active is not" "false" "$(np_get_prop act Active)"
expect_error "a transient network is gone after a reboot" org.netpool1.Error.NoSuchNetwork \
        np_send $M Manager.LookupNetwork string:tr uint64:0
check "the autostart record is written" test -e "$NP_DIR/run/autostarted"
check "stop the autostarted network" busctl --system call org.netpool1 "$(np_net_path auto)" org.netpool1.Network Stop t 0
np_kill9
expect_eq "a later restart does not autostart it again" "false" "$(np_get_prop auto Active)"

# damaged files are reported and skipped, never fatal
echo "<network><name>broken" >"$NP_DIR/etc/broken.xml"
echo "<network><name>other</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>" >"$NP_DIR/etc/wrongname.xml"
np_kill9
check "the daemon starts with a damaged definition on disk" \
        busctl --system call org.netpool1 $M org.netpool1.Manager ListNetworks t 0
check "and says which file it ignored" grep -q "broken.xml" "$NP_DIR/dbus.log"
expect_error "a file whose name does not match its network is not loaded" org.netpool1.Error.NoSuchNetwork \
        np_send $M Manager.LookupNetwork string:other uint64:0
np_done
