#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Idle exit: after --exit-idle-sec without a call the daemon gives up its name and exits; the next call
# activates it again and everything is as it was — but for hardware that changed meanwhile, which it sees.
source "$(dirname "$0")/lib.sh"
NP_IDLE=4
np_setup

M=/org/netpool1
check "define and start a network" bash -c "
        busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st \
                \"<network><name>n</name><forward mode='hostdev'><pf dev='eth0'/></forward></network>\" 0 &&
        busctl --system call org.netpool1 /org/netpool1/network/n org.netpool1.Network Start t 0"
check "set autostart" busctl --system set-property org.netpool1 /org/netpool1/network/n org.netpool1.Network Autostart b true
pid=$(np_daemon_pid)
before=$(np_xml n 0)

# calls keep it alive: six calls over about 3 s, each well within the 4 s idle time of the one before
for _ in 1 2 3 4 5 6; do
        sleep 0.5
        busctl --system call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 >/dev/null
done
expect_eq "calls within the idle time keep the same process" "$pid" "$(np_daemon_pid)"
pid=$(np_daemon_pid)

# 4 s idle time; up to 30 s on a loaded machine (CI runs two tests at a time, and a sanitized build)
check "then, left alone, it exits" np_wait_gone "$pid" 30
check "and the name has no owner" bash -c "! busctl --system status org.netpool1 >/dev/null 2>&1"
check "the log says why" grep -q "idle, exiting" "$NP_DIR/dbus.log"

expect_eq "the next call activates it again with the same state" "$before" "$(np_xml n 0)"
new=$(np_daemon_pid)
check "a new process" test -n "$new" -a "$new" != "$pid"
expect_eq "the network is still active" "true" "$(np_get_prop n Active)"
check "autostart did not run again (the network was not restarted)" \
        bash -c "[ \$(grep -c \"network 'n' started\" '$NP_DIR/dbus.log') -eq 1 ]"

# hardware that changed while no daemon ran is seen at the next start: no event comes for what happened
# while nobody listened (the default sim host's eth0 has 8 VFs)
pid=$(np_daemon_pid)
check "left alone again, it exits" np_wait_gone "$pid" 30
np_simhost --set-numvfs 0000:03:00.0 3
expect_eq "after eth0 went from 8 VFs to 3 while no daemon ran, the next start's pool has 3" "3" \
        "$(np_get_prop n Capacity)"

# a call that arrives while the old instance is exiting is still answered
sleep 3.9
out=$(busctl --system call org.netpool1 $M org.netpool1.Manager LookupNetwork st n 0 2>&1)
expect_eq "a call at the edge of the idle time is answered" 'o "/org/netpool1/network/n"' "$out"
np_done
