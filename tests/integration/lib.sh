# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration test library: a private dbus-daemon whose servicedir activates the built netpoold on a sim
# host, busctl and netpoolctl to drive it, and TAP output. Source it, then call np_setup. At its end it sources
# lib-calls.sh: the calls and fixture networks the tests share (port XML, Allocate, devices, netpoolctl captured).
#
# Environment (from meson): NETPOOLD, NETPOOLCTL, NETPOOL_SIMHOST, NETPOOL_SOURCE_ROOT.

set -u

# ok, not_ok, skip_all, check, expect_error, expect_eq, np_done: the TAP of every shell test
source "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

# NP_VALGRIND=1: every netpoold the bus starts runs under valgrind's memcheck, each process logging to
# $NP_DIR/valgrind.PID.log; after the daemon has exited, np_valgrind_check asserts that no log shows a
# memory error or a definite leak.
np_valgrind_prefix() {
        [ "${NP_VALGRIND:-}" = 1 ] || return 0
        echo -n "$(command -v valgrind) --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99"
        echo -n " --log-file=$NP_DIR/valgrind.%p.log "
}

# np_valgrind_check: one TAP line per daemon that ran under valgrind; a process that did not exit (no
# summary in its log) fails too.
np_valgrind_check() {
        local log n=0
        for log in "$NP_DIR"/valgrind.*.log; do
                [ -e "$log" ] || continue
                n=$((n + 1))
                if grep -q "ERROR SUMMARY: 0 errors" "$log" && ! grep -q "definitely lost: [1-9]" "$log"; then
                        ok "valgrind: ${log##*/}: no memory error, no definite leak"
                        grep -E "definitely lost|indirectly lost|possibly lost|still reachable|All heap" "$log" |
                                sed 's/^/# /'
                else
                        not_ok "valgrind: ${log##*/}: memory errors or definite leaks (or it did not exit)"
                        sed 's/^/# /' "$log"
                fi
        done
        [ "$n" -gt 0 ] || not_ok "valgrind: no log, netpoold never ran under valgrind"
}

# np_write_service [EXTRA netpoold ARGS...]: the activation file of the private bus; NP_ENV="VAR=value …"
# puts variables into the daemon's environment (fault injection)
np_write_service() {
        local exec="${NP_ENV:+/usr/bin/env $NP_ENV }$(np_valgrind_prefix)$NETPOOLD --sim $NP_SIM --config-dir $NP_DIR/etc"
        exec+=" --state-dir $NP_DIR/run --exit-idle-sec ${NP_IDLE:-0}${*:+ $*}"
        mkdir -p "$NP_DIR/services"
        sed "s|@EXEC@|$exec|" "$NETPOOL_SOURCE_ROOT/service/org.netpool1-test.service.in" \
                >"$NP_DIR/services/org.netpool1.service"
}

# np_start_bus: the private bus in $NP_DIR, configured from the one template of every test bus (the C harness,
# src/testlib, reads it too): $NP_DIR/bus.socket, servicedir $NP_DIR/services, log $NP_DIR/dbus.log
np_start_bus() {
        sed "s|@DIR@|$NP_DIR|g" "$NETPOOL_SOURCE_ROOT/service/test-bus.conf.in" >"$NP_DIR/bus.conf" || return 1
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$NP_DIR/bus.socket"
        dbus-daemon --config-file="$NP_DIR/bus.conf" --nofork --nopidfile --nosyslog \
                >>"$NP_DIR/dbus.log" 2>&1 &
        NP_BUS_PID=$!
        # The socket file appears at bind(), before dbus-daemon listens: a client that connects in between
        # is refused (seen on a loaded machine), so wait until the bus answers
        for _ in $(seq 200); do
                busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId \
                        >/dev/null 2>&1 && return 0
                sleep 0.05
        done
        echo "# dbus-daemon did not start"; cat "$NP_DIR/dbus.log"
        return 1
}

# np_setup [netpool-simhost ARGS...]: temp dir, sim host (default demo host without args), bus.
np_setup() {
        command -v dbus-daemon >/dev/null || skip_all "no dbus-daemon"
        command -v busctl >/dev/null || skip_all "no busctl"
        NP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/netpool-test.XXXXXX")
        NP_SIM=$NP_DIR/sim
        # from here on, every bus call of this test (teardown's too) goes to the private bus only
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$NP_DIR/bus.socket"
        trap np_teardown EXIT
        if [ $# -eq 0 ]; then
                "$NETPOOL_SIMHOST" "$NP_SIM" --default >"$NP_DIR/simhost.log" 2>&1
        else
                "$NETPOOL_SIMHOST" "$NP_SIM" "$@" >"$NP_DIR/simhost.log" 2>&1
        fi || { echo "# netpool-simhost failed:"; sed 's/^/# /' "$NP_DIR/simhost.log"; exit 1; }
        np_write_service
        np_start_bus || exit 1
}

np_daemon_pid() {
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.netpool1 2>/dev/null | awk '{print $2}'
}

np_teardown() {
        local pid
        pid=$(np_daemon_pid)
        [ -n "${NP_BUS_PID:-}" ] && kill "$NP_BUS_PID" 2>/dev/null
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
        wait 2>/dev/null
        if [ "${NP_KEEP:-}" = 1 ]; then
                echo "# kept $NP_DIR"
        else
                rm -rf "$NP_DIR"
        fi
}

# Shorthands for the private bus
np_busctl() {
        busctl --system "$@"
}

np_call() {
        local obj=$1 iface=$2
        shift 2
        busctl --system call org.netpool1 "$obj" "org.netpool1.$iface" "$@"
}

# np_path_encode PREFIX SEGMENT: sd_bus_path_encode() in bash (python starts too slowly to call it often):
# letters stay, digits stay unless first, anything else (a leading digit too) is _xx; "" is "_"
np_path_encode() {
        local LC_ALL=C seg=$2 out= c i
        for ((i = 0; i < ${#seg}; i++)); do
                c=${seg:i:1}
                if [[ $c == [A-Za-z] || ($i -gt 0 && $c == [0-9]) ]]; then
                        out+=$c
                else
                        printf -v c '_%02x' "'$c"
                        out+=$c
                fi
        done
        echo "$1/${out:-_}"
}

np_net_path() {
        np_path_encode /org/netpool1/network "$1"
}

# np_send PATH IFACE.METHOD ARGS...: dbus-send, whose errors name the D-Bus error
np_send() {
        local path=$1 method=$2
        shift 2
        dbus-send --system --print-reply --dest=org.netpool1 "$path" "org.netpool1.$method" "$@"
}

np_ctl() {
        "$NETPOOLCTL" --no-ask-password "$@"
}

# np_get_prop NETWORK PROPERTY: the value only
np_get_prop() {
        busctl --system get-property org.netpool1 "$(np_net_path "$1")" org.netpool1.Network "$2" | cut -d' ' -f2-
}

# np_xml NETWORK FLAGS: GetXML as plain text
np_xml() {
        busctl --system --json=short call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network GetXML t "$2" |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0], end="")'
}

# np_wait_gone PID [SECONDS]: wait until a process has exited (up to SECONDS, default 10)
np_wait_gone() {
        for _ in $(seq $((${2:-10} * 20))); do
                kill -0 "$1" 2>/dev/null || return 0
                sleep 0.05
        done
        return 1
}

# for checks that run in a child bash
export -f np_path_encode np_net_path np_get_prop np_xml

# the tests' calls and fixtures (port XML, Allocate, devices, netpoolctl captured…): one file of their own
source "$(dirname "${BASH_SOURCE[0]}")/lib-calls.sh"
