#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Cockpit page in a real browser: netpoold on a generated sim host behind a private system bus (as
# the integration tests run it, with a short idle exit), cockpit-ws with a local session of
# cockpit-bridge on 127.0.0.1 using that bus and this tree's cockpit/ as the package "netpool", and
# Debian's headless Chromium driven through chromedriver by drive-page.py, which prints the TAP.
# Screenshots go to $NETPOOL_SCREENSHOT_DIR.
#
# Environment (from meson): NETPOOLD, NETPOOLCTL, NETPOOL_SIMHOST, NETPOOL_SOURCE_ROOT,
# NETPOOL_SCREENSHOT_DIR.
source "$NETPOOL_SOURCE_ROOT/tests/integration/lib.sh"

COCKPIT_WS=/usr/lib/cockpit/cockpit-ws
PYTHON=/usr/bin/python3         # Debian's, which python3-selenium installs into

# skip REASON: the whole test is skipped; Debian 12's meson counts exit 77 of a TAP test as a failure
skip() {
        echo "1..0 # SKIP $*"
        exit 0
}
[ -x "$COCKPIT_WS" ] && command -v cockpit-bridge >/dev/null ||
        skip "no cockpit-ws or cockpit-bridge (Debian packages cockpit-ws, cockpit-bridge)"
command -v chromium >/dev/null && command -v chromedriver >/dev/null ||
        skip "no chromium or chromedriver (Debian packages chromium, chromium-driver)"
"$PYTHON" -c 'import selenium' 2>/dev/null || skip "no python3-selenium"
command -v dbus-daemon >/dev/null && command -v busctl >/dev/null || skip "no dbus-daemon or busctl"
# selenium talks to chromedriver at "localhost"
getent hosts localhost >/dev/null || {
        echo "Bail out! the name localhost does not resolve (no /etc/hosts?); selenium reaches chromedriver by it"
        exit 1
}

# a short idle time, so that the page meets a daemon that has exited and is activated again
NP_IDLE=3
np_setup

bail() {
        echo "Bail out! $*"
        for log in dbus.log ws.log; do
                [ -f "$NP_DIR/$log" ] && { echo "# $log:"; sed 's/^/# /' "$NP_DIR/$log"; }
        done
        exit 1
}

define() {      # define NAME PF
        np_call /org/netpool1 Manager DefineNetwork st \
                "<network><name>$1</name><forward mode='hostdev' managed='yes'><pf dev='$2'/></forward></network>" 0 \
                >/dev/null || bail "DefineNetwork $1"
}
define net-a eth0
define net-b ens1
define net-bad nosuch0          # a PF the host does not have: Start fails with DeviceNotFound

# Cockpit finds packages under $XDG_DATA_DIRS/cockpit/; Cockpit's own (base1) stay in /usr/share. A
# copy, not a link: the unprivileged session below must read it, wherever the tree is.
mkdir -p "$NP_DIR/xdg/cockpit" "$NP_DIR/home" "$NP_DIR/home-nobody"
cp -r "$NETPOOL_SOURCE_ROOT/cockpit" "$NP_DIR/xdg/cockpit/netpool"

# Each cockpit-ws, and the browser's driver, runs in a process group of its own (setsid), which the
# teardown ends as a whole: cockpit-bridge starts a private session bus (dbus-daemon --print-address
# --session) and an ssh-agent, which outlive cockpit-ws when only it is killed.
groups=()

# in_group COMMAND...: COMMAND in the background as the leader of a new session and process group. setsid
# does not fork here (the background child of a bash without job control leads no group), so $! is the
# group's id.
in_group() {
        setsid "$@" &
        groups+=($!)
}

# group_members PGID: the pids of the processes in the group
group_members() {
        local stat rest fields
        for stat in /proc/[0-9]*/stat; do
                read -r rest 2>/dev/null <"$stat" || continue
                fields=(${rest##*) })     # after the command name: state, ppid, pgrp, …
                [ "${fields[2]}" = "$1" ] && { stat=${stat#/proc/}; echo "${stat%/stat}"; }
        done
}

# end_groups: SIGTERM to every process of every group, SIGKILL to what is left after 5 s
end_groups() {
        local g left
        [ ${#groups[@]} -gt 0 ] || return 0
        for g in "${groups[@]}"; do
                kill -TERM -- "-$g" 2>/dev/null
        done
        for _ in $(seq 50); do
                left=$(for g in "${groups[@]}"; do group_members "$g"; done)
                [ -z "$left" ] && return 0
                sleep 0.1
        done
        for g in "${groups[@]}"; do
                kill -KILL -- "-$g" 2>/dev/null
        done
}
trap 'end_groups; np_teardown' EXIT

# start_ws LOG [COMMAND PREFIX...]: a cockpit-ws with a local session on a free port, which it puts in
# $ws_port (not a command substitution: the trap must see its group in groups)
start_ws() {
        local log=$1
        shift
        ws_port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        in_group "$@" env XDG_DATA_DIRS="$NP_DIR/xdg:/usr/local/share:/usr/share" \
                "$COCKPIT_WS" --local-session=cockpit-bridge --address 127.0.0.1 --port "$ws_port" >"$log" 2>&1
        for _ in $(seq 100); do
                "$PYTHON" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
                        "$ws_port" 2>/dev/null && return 0
                kill -0 $! 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}
page=cockpit/@localhost/netpool/index.html
start_ws "$NP_DIR/ws.log" env HOME="$NP_DIR/home" || bail "cockpit-ws did not start"
url_root=http://127.0.0.1:$ws_port/$page

# A session of a user whom netpoold must ask polkit about: nobody, on the same bus (there is no polkitd
# on it, so netpoold's answer is its AccessDenied for an unreachable polkit: the page's path is the same
# for any refusal). Needs setpriv; the bus and the package must be reachable for nobody.
url_nobody=
as_nobody=()
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
        as_nobody=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
        chmod 755 "$NP_DIR"
        chown nobody "$NP_DIR/home-nobody"
        start_ws "$NP_DIR/ws-nobody.log" "${as_nobody[@]}" env HOME="$NP_DIR/home-nobody" ||
                bail "cockpit-ws as nobody did not start"
        url_nobody=http://127.0.0.1:$ws_port/$page
fi

mkdir -p "$NETPOOL_SCREENSHOT_DIR"
# chromedriver and chromium in a group of their own too, should drive-page.py end without quitting them
in_group env NP_DIR="$NP_DIR" NP_AS_NOBODY="${as_nobody[*]}" \
        "$PYTHON" "$NETPOOL_SOURCE_ROOT/tests/cockpit/drive-page.py" \
        "$url_root" "$NETPOOL_SCREENSHOT_DIR" ${url_nobody:+"$url_nobody"}
wait $!
rc=$?
if [ $rc -ne 0 ]; then
        for log in ws.log ws-nobody.log; do
                [ -f "$NP_DIR/$log" ] && { echo "# $log:"; sed 's/^/# /' "$NP_DIR/$log"; }
        done
        echo "# bus and daemon:"; tail -n 40 "$NP_DIR/dbus.log" | sed 's/^/# /'
fi
exit $rc
