# SPDX-License-Identifier: LGPL-2.1-or-later
# The real polkitd beside netpoold on the private bus, for the tests that need polkit's own answers
# (test-polkit.sh, test-abuse.sh). Source it after lib.sh. In a private mount namespace the project's .policy
# and the test's rules are bind-mounted over polkit's actions and rules directories, so the host's rules play
# no part.
#
#   np_polkitd_reexec "$@"      outside the namespace: skip what cannot run, else exec the test in one
#   np_polkitd_dirs             after np_setup: our actions (and an empty rules dir, $PK_DIR/rules) in place
#   np_polkitd_start / _stop    polkitd owning (or no longer owning) org.freedesktop.PolicyKit1
#   np_polkitd_teardown         polkitd killed, mounts undone, then np_teardown (the test's EXIT trap)

POLKITD=${POLKITD:-/usr/lib/polkit-1/polkitd}
PK_ACTIONS=/usr/share/polkit-1/actions
PK_RULE_DIRS=(/etc/polkit-1/rules.d /usr/share/polkit-1/rules.d)
PK_PID=

# np_polkitd_reexec ARGS...: the checks every such test needs; the test adds its own before calling this
np_polkitd_reexec() {
        [ -n "${NP_POLKIT_IN_NAMESPACE:-}" ] && return 0
        [ "$(id -u)" -eq 0 ] || skip_all "not root: polkitd, bind mounts and changing uids need uid 0"
        command -v unshare >/dev/null || skip_all "no unshare (util-linux)"
        [ -x "$POLKITD" ] || skip_all "no polkitd at $POLKITD (Debian package polkitd)"
        [ -d "$PK_ACTIONS" ] || skip_all "no $PK_ACTIONS to bind-mount over"
        # EINVAL where / is no mount point: a chroot into a plain directory (mount --bind DIR DIR first)
        local refusal
        refusal=$(unshare -m --propagation private true 2>&1) ||
                skip_all "unshare -m --propagation private is refused here (${refusal:-no message});" \
                        "in a chroot, bind-mount its directory onto itself first"
        NP_POLKIT_IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0" "$@"
}

np_polkitd_dirs() {
        PK_DIR=$NP_DIR/polkit
        chmod 0755 "$NP_DIR"    # nobody must reach the bus socket in it
        mkdir -p "$PK_DIR/actions" "$PK_DIR/rules"
        chmod 0755 "$PK_DIR" "$PK_DIR/actions" "$PK_DIR/rules"  # polkitd reads them as user polkitd
        cp "$NETPOOL_SOURCE_ROOT/policy/org.netpool1.policy" "$PK_DIR/actions/"
        chmod 0644 "$PK_DIR/actions/org.netpool1.policy"
        mount --bind "$PK_DIR/actions" "$PK_ACTIONS" || { echo "# cannot bind-mount over $PK_ACTIONS"; exit 1; }
        local d
        for d in "${PK_RULE_DIRS[@]}"; do
                if [ -d "$d" ]; then
                        mount --bind "$PK_DIR/rules" "$d" || { echo "# cannot bind-mount over $d"; exit 1; }
                fi
        done
}

np_polkitd_start() {
        "$POLKITD" >>"$NP_DIR/polkitd.log" 2>&1 &
        PK_PID=$!
        for _ in $(seq 200); do
                np_has_owner org.freedesktop.PolicyKit1 && return 0
                sleep 0.05
        done
        return 1
}

np_polkitd_stop() {
        kill "$PK_PID" 2>/dev/null
        np_wait_gone "$PK_PID" || return 1
        PK_PID=
        for _ in $(seq 200); do
                np_has_owner org.freedesktop.PolicyKit1 || return 0
                sleep 0.05
        done
        return 1
}

np_polkitd_teardown() {
        local d
        [ -n "$PK_PID" ] && kill "$PK_PID" 2>/dev/null
        for d in "$PK_ACTIONS" "${PK_RULE_DIRS[@]}"; do
                umount "$d" 2>/dev/null
        done
        np_teardown
}
