#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a person meets first: netpoolctl's usage errors and hints (the next step in their own commands), the
# messages when the bus or the daemon is not there, a second netpoold, and how netpoold writes its log.
source "$(dirname "$0")/lib.sh"
np_setup

NET=hostdev-ens1
OWNER=0c0c0c0c-0000-4000-8000-0000000000cc
np_net_xml name=$NET mode=hostdev managed=yes pf=eth0 >"$NP_DIR/net.xml"

says() {        # says DESCRIPTION TEXT: the stderr of the last ctl holds TEXT
        if grep -qF -- "$2" <<<"$err"; then ok "$1"; else not_ok "$1 (no '$2' in: $err)"; fi
}

# ==== activation fails: say that netpoold did not start and where its log is ====
np_write_service --sim "$NP_DIR/no-such-sim"
sleep 0.5       # dbus-daemon reloads its service dir on inotify
ctl list
expect_eq "a daemon that cannot start: exit 1" "1" "$rc"
says "… says netpoold could not be started" "netpoold could not be started"
says "… and where its log is" "journalctl -b -u netpoold.service"
np_write_service
sleep 0.5

# ==== no bus ====
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$NP_DIR/no-bus.socket" ctl list
expect_eq "no bus: exit 1" "1" "$rc"
says "… names the address tried" "cannot connect to the system bus at unix:path=$NP_DIR/no-bus.socket"
says "… asks whether dbus runs" "is dbus running?"

# ==== usage errors name the option ====
check "define" np_ctl define "$NP_DIR/net.xml"
ctl allocate --mac 01:00:5e:00:00:01 $NET
expect_eq "a multicast --mac is a usage error (exit 2)" "2" "$rc"
says "… naming the option" "--mac 01:00:5e:00:00:01: a multicast address"
says "… not port XML the user never wrote" "allocate"
ctl allocate --mac 00:00:00:00:00:00 $NET
expect_eq "an all-zero --mac is a usage error" "2" "$rc"
ctl release $NET
expect_eq "release of a network name is a usage error" "2" "$rc"
says "… saying release takes a port UUID" "'$NET' is not a port UUID: release takes the UUID of a port"
says "… and how to list them" "netpoolctl ports [NETWORK]"

# ==== hints: the next step ====
ctl allocate --mac 52:54:00:00:00:01 $NET
expect_eq "allocate on an inactive network fails" "1" "$rc"
says "… and says how to start it" "hint: start it first: netpoolctl start $NET"
ctl devices $NET
expect_eq "devices of an inactive network succeeds" "0" "$rc"
check "… and says it has no pool until it starts" grep -q "is inactive: its pool is made when it starts" <<<"$out"
ctl info hostdev-esn1
expect_eq "a misspelt network: exit 1" "1" "$rc"
says "… suggests the closest name" "did you mean '$NET'?"
ctl info zzz
says "… or the list" "'netpoolctl list' shows every network"
check "start" np_ctl start $NET
ctl allocate --mac 52:54:00:00:00:02 --owner vm1 --owner-uuid $OWNER $NET
expect_eq "allocate" "0" "$rc"
ctl stop $NET
expect_eq "stop with a port: exit 1" "1" "$rc"
says "… names the command that releases them" "netpoolctl stop --force $NET"
says "… and the one that lists them" "netpoolctl ports $NET"
check "stop --force" np_ctl stop --force $NET
ctl release 7c000000-0000-4000-8000-000000000001
says "an unknown port UUID points at the port list" "'netpoolctl ports' lists every port"

# ==== a PF without VFs ====
check "start again" np_ctl start $NET
np_simhost --set-numvfs 0000:03:00.0 0
check "rescan" np_ctl rescan
ctl allocate --mac 52:54:00:00:00:03 $NET
says "an empty pool says the PF has no VFs" "PF 'eth0' has no VFs now"
check "stop" np_ctl stop $NET

# ==== undefine of an active network ====
np_simhost --set-numvfs 0000:03:00.0 8
check "start" np_ctl start $NET
ctl undefine $NET
expect_eq "undefine of an active network" "0" "$rc"
check "… says it stays active as a transient network" grep -q "stays active as a transient network" <<<"$out"
check "stop" np_ctl stop $NET

# ==== a second netpoold ====
pid=$(np_daemon_pid)
check "the daemon runs" test -n "$pid"
"$NETPOOLD" --sim "$NP_SIM" --config-dir "$NP_DIR/etc2" --state-dir "$NP_DIR/run2" --exit-idle-sec 0 \
        2>"$NP_DIR/second.log" &
second=$!
np_wait_gone $second 10
check "a second netpoold with its own state dir exits" np_wait_gone $second 1
sed 's/^/# /' "$NP_DIR/second.log"
check "… saying another process owns the name, with its pid" \
        grep -q "cannot own org.netpool1: another process owns it on this bus (pid $pid" "$NP_DIR/second.log"
check "its log lines name the program (stderr is no journal)" grep -q "^netpoold: error: cannot own" "$NP_DIR/second.log"
check "… with no syslog priority prefix" bash -c "! grep -q '^<[0-9]>' '$NP_DIR/second.log'"
"$NETPOOLD" --sim "$NP_SIM" --config-dir "$NP_DIR/etc" --state-dir "$NP_DIR/run" --exit-idle-sec 0 \
        2>"$NP_DIR/third.log" &
third=$!
check "a second netpoold on the same state dir gives up after waiting (10 s)" np_wait_gone $third 15
sed 's/^/# /' "$NP_DIR/third.log"
check "… naming the pid of the one that holds it" \
        grep -q "another netpoold (pid $pid) is running on state dir '$NP_DIR/run'" "$NP_DIR/third.log"
check "the first one still answers" np_ctl list

# ==== the journal gets priorities ====
touch "$NP_DIR/journal.log"
jstream=$(stat -c '%d:%i' "$NP_DIR/journal.log")
JOURNAL_STREAM=$jstream "$NETPOOLD" --sim "$NP_DIR/no-such-sim" --state-dir "$NP_DIR/run3" 2>>"$NP_DIR/journal.log"
check "with stderr the journal's stream (JOURNAL_STREAM), lines carry <N> priorities" \
        grep -q "^<3>cannot open sim host" "$NP_DIR/journal.log"
np_done
