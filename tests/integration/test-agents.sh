#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# docs/agents.md runs as written: every ```sh block of the page, in order, in one shell (what a block defines,
# the next one uses), on the default sim host with netpoold on a private bus. A ```text block is the exact
# output of the ```sh block before it, but for the sim root: the paths netpoold names on the sim host (a VFIO
# group node) lie under it, and the page shows them as on a real host, so the output is compared without it. A line `<!-- test: COMMAND -->` (not shown by a Markdown viewer) runs
# COMMAND here before the next block: it crashes netpoold at a step of the next call (np_crash_once) or
# wipes its state (np_lose_state), so that the page's retry and recovery paths run too. A block that fails
# (its last command's status, or output that differs) fails its TAP line, naming the page's line.
source "$(dirname "$0")/lib.sh"
PAGE=$NETPOOL_SOURCE_ROOT/docs/agents.md
command -v jq >/dev/null || skip_all "no jq (the page's agent reads busctl's JSON with it)"
command -v dbus-send >/dev/null || skip_all "no dbus-send"
command -v gdbus >/dev/null || skip_all "no gdbus"
np_setup

# the page calls netpoolctl by name
mkdir -p "$NP_DIR/bin" "$NP_DIR/agent"
ln -s "$NETPOOLCTL" "$NP_DIR/bin/netpoolctl"
export PATH=$NP_DIR/bin:$PATH

np_stop_daemon() {
        local pid
        pid=$(np_daemon_pid)
        [ -z "$pid" ] || { kill "$pid" && np_wait_gone "$pid"; }
}

# np_crash_once STEP: the next netpoold started dies with SIGKILL at STEP (NETPOOL_CRASH_AT, ports.md), the
# ones after it do not
np_crash_once() {
        np_stop_daemon
        touch "$NP_DIR/crash-once"
        cat >"$NP_DIR/bin/netpoold-crash-once" <<EOS
#!/bin/sh
if rm "$NP_DIR/crash-once" 2>/dev/null; then
        NETPOOL_CRASH_AT=$1 exec "$NETPOOLD" "\$@"
fi
exec "$NETPOOLD" "\$@"
EOS
        chmod +x "$NP_DIR/bin/netpoold-crash-once"
        NETPOOLD=$NP_DIR/bin/netpoold-crash-once np_write_service
}

# np_lose_state: netpoold stops and its state dir is wiped (a reboot of netpoold's tmpfs while guests keep
# their devices); the VFs keep their configuration
np_lose_state() {
        np_stop_daemon
        rm -rf "$NP_DIR/run"
}

# ---- read the page: blocks as files, with their line, their expected output and the directives before them
blocks=0
kind=
while IFS= read -r line; do
        lineno=$((${lineno:-0} + 1))
        if [ -n "$kind" ]; then
                if [ "$line" = '```' ]; then
                        kind=
                else
                        printf '%s\n' "$line" >>"$target"
                fi
                continue
        fi
        case $line in
        '```sh')
                blocks=$((blocks + 1))
                block_line[blocks]=$lineno
                target=$NP_DIR/block.$blocks.sh
                : >"$target"
                kind=sh ;;
        '```text')
                [ "$blocks" -gt 0 ] || { echo "# $PAGE:$lineno: output before any block"; exit 1; }
                target=$NP_DIR/block.$blocks.out
                : >"$target"
                kind=text ;;
        '<!-- test: '*' -->')
                cmd=${line#'<!-- test: '}
                printf '%s\n' "${cmd%' -->'}" >>"$NP_DIR/block.$((blocks + 1)).pre" ;;
        esac
done <"$PAGE"
[ -z "$kind" ] || { echo "# $PAGE: a block is not closed"; exit 1; }
[ "$blocks" -ge 10 ] || { echo "# $PAGE: only $blocks sh blocks found"; exit 1; }

# without_sim_root < OUTPUT: the output with every occurrence of the sim root's path taken out
# ("$NP_SIM/dev/vfio/1" reads "/dev/vfio/1"), compared as text, not as a pattern
without_sim_root() {
        awk -v root="$NP_SIM" '{
                out = ""
                while ((i = index($0, root)) > 0) {
                        out = out substr($0, 1, i - 1)
                        $0 = substr($0, i + length(root))
                }
                print out $0
        }'
}

# ---- run them in order, in the agent's working directory
cd "$NP_DIR/agent"
for ((b = 1; b <= blocks; b++)); do
        f=$NP_DIR/block.$b
        what="agents.md line ${block_line[b]}: $(grep -m1 -v '^#' "$f.sh" | sed 's/^ *//')"
        if [ -e "$f.pre" ]; then
                sed 's/^/# test: /' "$f.pre"
                source "$f.pre"
        fi
        set +u
        source "$f.sh" >"$f.got" 2>"$f.err"
        rc=$?
        set -u
        if [ "$rc" -ne 0 ]; then
                not_ok "$what (status $rc)"
                sed 's/^/#   /' "$f.got" "$f.err"
        elif [ -e "$f.out" ] && ! without_sim_root <"$f.got" | diff -u "$f.out" - >"$f.diff"; then
                not_ok "$what (output differs)"
                sed 's/^/#   /' "$f.diff" "$f.err"
        else
                ok "$what"
        fi
        if grep -q np_crash_once "$f.pre" 2>/dev/null; then
                # the crash happened: a netpoold started with NETPOOL_CRASH_AT, which only a call reaching
                # the step ends
                check "agents.md line ${block_line[b]}: netpoold was killed in the middle of it" \
                        test ! -e "$NP_DIR/crash-once"
        fi
done

np_done
