#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Authorization with the real polkitd: netpoold runs as root on the private bus, polkitd beside it, and the
# clients run as nobody. In a private mount namespace the project's .policy and the test's rules are
# bind-mounted over polkit's actions and rules directories, so the host's rules play no part.
# Without a rule nobody is denied every change and nothing changes; a rule for one network (and one verb)
# grants exactly that; read-only calls always work; uid 0 needs no polkit; polkitd gone means denied.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/lib-polkitd.sh"

# ---- outside the namespace: can this run at all? Then run again inside `unshare -m`. ----

if [ -z "${NP_POLKIT_IN_NAMESPACE:-}" ]; then
        command -v setpriv >/dev/null || skip_all "no setpriv (util-linux)"
        getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
                skip_all "no user nobody or group nogroup"
        np_polkitd_reexec "$@"
fi

np_setup
M=/org/netpool1
OWNER=b0b0b0b0-0000-4000-8000-0000000000aa
NP_OWNER_NAME=vm1 NP_OWNER_UUID=$OWNER     # the owner of np_port_xml
ETH0=0000:03:00.0
DENIED='org\.freedesktop\.DBus\.Error\.(AccessDenied|InteractiveAuthorizationRequired)'

trap np_polkitd_teardown EXIT

# ---- helpers ----

as_nobody() {
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

net_xml() {     # net_xml NAME FORWARD-ELEMENT
        printf "<network>\n  <name>%s</name>\n  %s\n</network>\n" "$1" "$2"
}

root_call() {   # root_call PATH IFACE METHOD SIG ARGS...
        local path=$1 iface=$2
        shift 2
        busctl --system call org.netpool1 "$path" "org.netpool1.$iface" "$@"
}

# nobody_send PATH IFACE.METHOD ARGS...: dbus-send as nobody; it asks for no interaction and prints the
# error name on failure
nobody_send() {
        as_nobody dbus-send --system --print-reply --dest=org.netpool1 "$1" "org.netpool1.$2" "${@:3}"
}

nobody_set_autostart() {        # nobody_set_autostart NETWORK true|false
        as_nobody dbus-send --system --print-reply --dest=org.netpool1 "$(np_net_path "$1")" \
                org.freedesktop.DBus.Properties.Set string:org.netpool1.Network string:Autostart \
                variant:boolean:"$2"
}

# expect_denied DESCRIPTION COMMAND...: COMMAND fails with AccessDenied or InteractiveAuthorizationRequired
expect_denied() {
        local desc=$1
        shift
        if "$@" >"$NP_DIR/last.out" 2>&1; then
                not_ok "$desc (succeeded, expected a denial)"
        elif grep -Eq "$DENIED" "$NP_DIR/last.out"; then
                ok "$desc"
        else
                not_ok "$desc (expected AccessDenied or InteractiveAuthorizationRequired)"
        fi
        sed 's/^/# /' "$NP_DIR/last.out"
}

# bus_view: everything a client can read, through read-only calls only
bus_view() {
        local n p
        busctl --system call org.netpool1 $M org.netpool1.Manager ListNetworks t 0
        busctl --system call org.netpool1 $M org.netpool1.Manager ListPorts t 0
        for n in net-a net-b net-c; do
                p=$(np_net_path "$n")
                busctl --system call org.netpool1 "$p" org.netpool1.Network GetDevices t 0
                busctl --system call org.netpool1 "$p" org.netpool1.Network GetXML t 0
                busctl --system call org.netpool1 "$p" org.netpool1.Network GetXML t 1
                busctl --system call org.netpool1 "$p" org.netpool1.Network ListPorts t 0
                busctl --system get-property org.netpool1 "$p" org.netpool1.Network \
                        Active Autostart Connections Available
        done
}
export -f bus_view
export M

# host_state: the view as root plus what the daemon wrote and the VFs' configuration. Not run/statistics,
# which holds the counters of authorized callers' calls (refused callers are not counted: test-abuse.sh), nor
# run/inventory, the devices as last seen for the next start's announcement, written a second after the
# authorized calls before (the Device objects in bus_view show the devices)
host_state() {
        bus_view
        (cd "$NP_SIM/vfstate" && grep -r . | sort)
        (cd "$NP_DIR" && find etc run -type f ! -path run/statistics ! -path run/inventory | sort | xargs -r md5sum)
}

# port_vf_mac PF-BDF PORT-UUID: the MAC of the VF that holds the port, as the sim's PF sees it
port_vf_mac() {
        local pf_bdf=$1 uuid=$2 bdf i
        bdf=$(busctl --system get-property org.netpool1 "$(np_port_path "$uuid")" org.netpool1.Port PCIAddress |
                cut -d'"' -f2)
        for i in "$NP_SIM"/sys/bus/pci/devices/"$pf_bdf"/virtfn*; do
                if [ "$(basename "$(readlink "$i")")" = "$bdf" ]; then
                        cat "$NP_SIM/vfstate/$pf_bdf/vf${i##*virtfn}/p1/mac"
                        return
                fi
        done
        echo "no VF of $pf_bdf holds $uuid"
}

# root_port_xml UUID: the port's XML as the daemon has it
root_port_xml() {
        busctl --system --json=short call org.netpool1 "$(np_port_path "$1")" org.netpool1.Port GetXML t 0 |
                python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0], end="")'
}

# expect_prefix DESCRIPTION PREFIX TEXT: TEXT starts with PREFIX
expect_prefix() {
        expect_eq "$1" "$2" "${3:0:${#2}}"
}

# nctl ARGS...: netpoolctl as nobody, no terminal; leaves $rc, $out, $err
nctl() {
        rc=0
        out=$(as_nobody "$NETPOOLCTL" "$@" </dev/null 2>"$NP_DIR/stderr") || rc=$?
        err=$(<"$NP_DIR/stderr")
}

# ---- polkit in the namespace: our actions, our (empty) rules ----

np_polkitd_dirs
check "in the namespace polkit sees only netpool's actions" \
        test "$(ls "$PK_ACTIONS")" = org.netpool1.policy
check "polkitd owns org.freedesktop.PolicyKit1 on the private bus" np_polkitd_start
check "nobody reaches the private bus" \
        as_nobody busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId
if ! as_nobody test -x "$NETPOOLCTL"; then
        cp "$NETPOOLCTL" "$NP_DIR/netpoolctl"       # the build dir is out of nobody's reach
        NETPOOLCTL=$NP_DIR/netpoolctl
fi

# ---- root sets up: uid 0 needs no polkit ----

check "root defines net-a (X710 VFs)" root_call $M Manager DefineNetwork st \
        "$(net_xml net-a "<forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>")" 0
check "root defines net-b (Solarflare VFs)" root_call $M Manager DefineNetwork st \
        "$(net_xml net-b "<forward mode='hostdev' managed='yes'><pf dev='sfc0'/></forward>")" 0
check "root defines net-c (VEPA on ens1)" root_call $M Manager DefineNetwork st \
        "$(net_xml net-c "<forward mode='vepa'><interface dev='ens1'/></forward>")" 0
check "root starts net-b" root_call "$(np_net_path net-b)" Network Start t 0

# ---- nobody without rules: every change is denied and changes nothing ----

host_state >"$NP_DIR/state.0"
expect_denied "nobody: DefineNetwork" nobody_send $M Manager.DefineNetwork \
        string:"$(net_xml net-d "<forward mode='vepa'><interface dev='ens1'/></forward>")" uint64:0
expect_denied "nobody: CreateNetwork" nobody_send $M Manager.CreateNetwork \
        string:"$(net_xml net-d "<forward mode='vepa'><interface dev='ens1'/></forward>")" uint64:0
expect_denied "nobody: Start of net-a" nobody_send "$(np_net_path net-a)" Network.Start uint64:0
expect_denied "nobody: Undefine of net-a" nobody_send "$(np_net_path net-a)" Network.Undefine uint64:0
host_state >"$NP_DIR/state.1"
check "nothing changed: no net-d, net-a still defined and inactive" \
        diff -u "$NP_DIR/state.0" "$NP_DIR/state.1"

check "root starts net-a" root_call "$(np_net_path net-a)" Network Start t 0
P0=11111111-0000-4000-8000-000000000000
check "root allocates a port on net-b" root_call "$(np_net_path net-b)" Network Allocate st \
        "$(np_port_xml uuid=$P0 mac=52:54:00:b0:00:01)" 0
host_state >"$NP_DIR/state.2"
expect_denied "nobody: Allocate on net-a" nobody_send "$(np_net_path net-a)" Network.Allocate \
        string:"$(np_port_xml uuid=22222222-0000-4000-8000-000000000000 mac=52:54:00:a0:00:01)" uint64:0
expect_denied "nobody: Notify on net-b of the port root allocated" nobody_send "$(np_net_path net-b)" \
        Network.Notify string:"$(root_port_xml $P0)" uint64:0
expect_denied "nobody: Network.Release of root's port" nobody_send "$(np_net_path net-b)" Network.Release \
        string:$P0 uint64:0
expect_denied "nobody: Port.Release of root's port" \
        as_nobody dbus-send --system --print-reply --dest=org.netpool1 "$(np_port_path $P0)" \
        org.netpool1.Port.Release uint64:0
expect_denied "nobody: Stop of net-b" nobody_send "$(np_net_path net-b)" Network.Stop uint64:1
expect_denied "nobody: setting Autostart of net-a" nobody_set_autostart net-a true
expect_denied "nobody: Rescan" nobody_send $M Manager.Rescan uint64:0
expect_error "a call that allows no interaction is told interaction is required" \
        org.freedesktop.DBus.Error.InteractiveAuthorizationRequired \
        nobody_send "$(np_net_path net-a)" Network.Stop uint64:0
expect_error "an interactive call with no authentication agent is AccessDenied" \
        org.freedesktop.DBus.Error.AccessDenied \
        as_nobody gdbus call --system --interactive --dest org.netpool1 --object-path "$(np_net_path net-a)" \
        --method org.netpool1.Network.Stop 0
host_state >"$NP_DIR/state.3"
check "nothing changed: networks, ports, devices, autostart, VFs, config and state files" \
        diff -u "$NP_DIR/state.2" "$NP_DIR/state.3"

# read-only methods need nothing
bus_view >"$NP_DIR/view.root"
check "nobody: every read-only call works and sees what root sees" \
        bash -c 'setpriv --reuid=nobody --regid=nogroup --clear-groups -- bash -c bus_view >"$1" &&
                 diff -u "$2" "$1"' _ "$NP_DIR/view.nobody" "$NP_DIR/view.root"
check "nobody: LookupNetwork" as_nobody busctl --system call org.netpool1 $M org.netpool1.Manager \
        LookupNetwork st net-a 0
check "nobody: LookupPort" as_nobody busctl --system call org.netpool1 $M org.netpool1.Manager \
        LookupPort st $P0 0
expect_eq "nobody: Port.GetXML is what root sees" \
        "$(busctl --system call org.netpool1 "$(np_port_path $P0)" org.netpool1.Port GetXML t 0)" \
        "$(as_nobody busctl --system call org.netpool1 "$(np_port_path $P0)" org.netpool1.Port GetXML t 0)"

# netpoolctl tells a person, not a D-Bus error name
nctl --no-ask-password start net-c
expect_eq "netpoolctl --no-ask-password start as nobody: status 1, nothing on stdout" "1|" "$rc|$out"
expect_prefix "it prints what it was not authorized to do" \
        "netpoolctl: not authorized to start network 'net-c': " "$err"
check "and no raw D-Bus error name" bash -c '! grep -q "org\.freedesktop\|Error\." <<<"$1"' _ "$err"
expect_eq "net-c is still inactive" false "$(np_get_prop net-c Active)"
nctl start net-c
expect_eq "without a terminal netpoolctl asks for no password either" \
        "1|netpoolctl: not authorized to start network 'net-c': interactive authorization is required for this" \
        "$rc|$err"
out=$(script -qec "setpriv --reuid=nobody --regid=nogroup --clear-groups -- $NETPOOLCTL start net-c" \
        /dev/null </dev/null 2>&1 | tr -d '\r')
expect_eq "on a terminal netpoolctl allows interaction, so polkit (with no agent here) just says no" \
        "netpoolctl: not authorized to start network 'net-c': not authorized by polkit" "$out"
expect_eq "net-c is still inactive" false "$(np_get_prop net-c Active)"

# ---- a rule: nobody may allocate on net-a only, and set Autostart of net-b only ----

cat >"$PK_DIR/rules/50-netpool-test.rules" <<'EOR'
// netpool test: nobody allocates on net-a, and may only switch autostart of net-b
polkit.addRule(function(action, subject) {
        if (subject.user != "nobody")
                return polkit.Result.NOT_HANDLED;
        if (action.id == "org.netpool1.allocate" && action.lookup("network") == "net-a")
                return polkit.Result.YES;
        if (action.id == "org.netpool1.manage" && action.lookup("network") == "net-b" &&
            action.lookup("verb") == "autostart")
                return polkit.Result.YES;
        return polkit.Result.NOT_HANDLED;
});
EOR
chmod 0644 "$PK_DIR/rules/50-netpool-test.rules"
check "polkitd stopped, to read the rule" np_polkitd_stop
check "polkitd started again" np_polkitd_start

PA=33333333-0000-4000-8000-00000000000a
check "nobody: Allocate on net-a" nobody_send "$(np_net_path net-a)" Network.Allocate \
        string:"$(np_port_xml uuid=$PA mac=52:54:00:a0:00:0a)" uint64:0
expect_eq "the port is there, on net-a" "o \"$(np_net_path net-a)\"" \
        "$(busctl --system get-property org.netpool1 "$(np_port_path $PA)" org.netpool1.Port Network)"
expect_eq "its VF carries the port's MAC" 52:54:00:a0:00:0a "$(port_vf_mac $ETH0 $PA)"
check "nobody: Port.Release of it" as_nobody busctl --system call org.netpool1 "$(np_port_path $PA)" \
        org.netpool1.Port Release t 0
expect_eq "net-a has no connections again" 0 "$(np_get_prop net-a Connections)"
PA2=33333333-0000-4000-8000-00000000000b
check "nobody: Allocate on net-a again" nobody_send "$(np_net_path net-a)" Network.Allocate \
        string:"$(np_port_xml uuid=$PA2 mac=52:54:00:a0:00:0b)" uint64:0
check "nobody: Network.Release of it" nobody_send "$(np_net_path net-a)" Network.Release string:$PA2 uint64:0
expect_eq "net-a has no connections again" 0 "$(np_get_prop net-a Connections)"

host_state >"$NP_DIR/state.4"
expect_denied "nobody: Allocate on net-b is still denied" nobody_send "$(np_net_path net-b)" Network.Allocate \
        string:"$(np_port_xml uuid=44444444-0000-4000-8000-000000000000 mac=52:54:00:b0:00:02)" uint64:0
expect_denied "nobody: Release of root's port on net-b is still denied" nobody_send "$(np_net_path net-b)" \
        Network.Release string:$P0 uint64:0
expect_denied "nobody: Start of net-c (manage) is still denied" nobody_send "$(np_net_path net-c)" \
        Network.Start uint64:0
expect_denied "nobody: Stop of net-b, same network as the autostart grant, other verb" \
        nobody_send "$(np_net_path net-b)" Network.Stop uint64:1
expect_denied "nobody: setting Autostart of net-a is still denied" nobody_set_autostart net-a true
host_state >"$NP_DIR/state.5"
check "the denials changed nothing" diff -u "$NP_DIR/state.4" "$NP_DIR/state.5"
check "nobody: setting Autostart of net-b (the rule's verb and network)" nobody_set_autostart net-b true
expect_eq "net-b autostarts now" true "$(np_get_prop net-b Autostart)"

nctl --no-ask-password allocate net-a --mac 52:54:00:a0:00:0c
expect_eq "netpoolctl allocate on net-a as nobody works" "0|" "$rc|$err"
check "it prints the port" \
        bash -c '[[ $1 =~ ^Port\ [0-9a-f-]{36}\ allocated\ on\ network\ net-a:\ 0000:03: ]]' _ "$out"
nctl --no-ask-password allocate net-b --mac 52:54:00:b0:00:0c
expect_eq "netpoolctl allocate on net-b as nobody: status 1, nothing on stdout" "1|" "$rc|$out"
expect_prefix "it prints not authorized" "netpoolctl: not authorized to " "$err"

# the shipped example for libvirt-qemu, pointed at nobody and net-b, grants what it says
EXAMPLE=$PK_DIR/rules/60-example.rules
sed -e 's/"libvirt-qemu"/"nobody"/' -e 's/\["sriov-a", "sriov-b"\]/["net-b"]/' \
        "$NETPOOL_SOURCE_ROOT/policy/examples/50-netpool-libvirt-qemu.rules" >"$EXAMPLE"
chmod 0644 "$EXAMPLE"
check "the example rule names nobody and net-b now" bash -c \
        'grep -qF "subject.user == \"nobody\"" "$1" && grep -qF "= [\"net-b\"];" "$1"' _ "$EXAMPLE"
check "polkitd stopped, to read the example" np_polkitd_stop
check "polkitd started again" np_polkitd_start
PB=77777777-0000-4000-8000-00000000000b
check "nobody: Allocate on net-b under the example rule" nobody_send "$(np_net_path net-b)" Network.Allocate \
        string:"$(np_port_xml uuid=$PB mac=52:54:00:b0:00:0b)" uint64:0
check "nobody: Release on net-b under the example rule" nobody_send "$(np_net_path net-b)" Network.Release \
        string:$PB uint64:0
expect_denied "nobody: Start of net-c under the example rule" nobody_send "$(np_net_path net-c)" \
        Network.Start uint64:0

# ---- polkitd gone: nobody is denied with a reason; root goes on ----

check "polkitd stopped" np_polkitd_stop
host_state >"$NP_DIR/state.6"
expect_denied "nobody: Allocate on net-a without polkit" nobody_send "$(np_net_path net-a)" Network.Allocate \
        string:"$(np_port_xml uuid=55555555-0000-4000-8000-000000000000 mac=52:54:00:a0:00:0d)" uint64:0
cp "$NP_DIR/last.out" "$NP_DIR/denied.out"
check "the message says polkit could not be reached" \
        grep -q "polkit could not be reached" "$NP_DIR/denied.out"
nctl --no-ask-password start net-c
expect_eq "netpoolctl as nobody: status 1" 1 "$rc"
expect_prefix "it is not authorized, because polkit could not be reached" \
        "netpoolctl: not authorized to start network 'net-c': polkit could not be reached" "$err"
host_state >"$NP_DIR/state.7"
check "and nothing changed" diff -u "$NP_DIR/state.6" "$NP_DIR/state.7"
check "root starts net-c without polkit" root_call "$(np_net_path net-c)" Network Start t 0
PR=66666666-0000-4000-8000-000000000000
check "root allocates on net-b without polkit" root_call "$(np_net_path net-b)" Network Allocate st \
        "$(np_port_xml uuid=$PR mac=52:54:00:b0:00:0e)" 0
check "root releases it" root_call "$(np_net_path net-b)" Network Release st $PR 0
check "root sets Autostart of net-a" busctl --system set-property org.netpool1 "$(np_net_path net-a)" \
        org.netpool1.Network Autostart b true
expect_eq "net-a autostarts now" true "$(np_get_prop net-a Autostart)"
check "root rescans" root_call $M Manager Rescan t 0

np_done
