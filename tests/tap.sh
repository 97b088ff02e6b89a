# SPDX-License-Identifier: LGPL-2.1-or-later
# TAP for the shell tests: ok/not_ok and the checks built on them, then np_done for the plan. Sourced by
# tests/integration/lib.sh and by the kernel testbeds, which copy it into their guests beside the test
# (tests/kernel/igb-guest-test.sh): plain bash, nothing it needs but sed.

np_tap_n=0
np_tap_failed=0

ok() {
        np_tap_n=$((np_tap_n + 1))
        echo "ok $np_tap_n - $*"
}

not_ok() {
        np_tap_n=$((np_tap_n + 1))
        np_tap_failed=$((np_tap_failed + 1))
        echo "not ok $np_tap_n - $*"
}

# skip_all REASON...: this whole test cannot run here. Exit 0 after the empty plan: meson 1.0.1 (Debian 12)
# counts any non-zero exit of a TAP test as an error, 77 included, and reads the plan's SKIP as the result.
skip_all() {
        echo "1..0 # SKIP $*"
        exit 0
}

# check and expect_error keep the command's output in last.out of the test's directory ($NP_DIR; the kernel
# testbed's guest has none: $TMPDIR or /tmp), where the test may read it again.

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds; its output is shown when it does not.
check() {
        local desc=$1 np_last=${NP_DIR:-${TMPDIR:-/tmp}}/last.out
        shift
        if "$@" >"$np_last" 2>&1; then
                ok "$desc"
        else
                not_ok "$desc"
                sed 's/^/# /' "$np_last"
        fi
}

# expect_error DESCRIPTION ERROR_NAME COMMAND...: passes when COMMAND fails and prints ERROR_NAME
# (use np_send: busctl prints only the message, dbus-send prints the error name too).
expect_error() {
        local desc=$1 name=$2 np_last=${NP_DIR:-${TMPDIR:-/tmp}}/last.out
        shift 2
        if "$@" >"$np_last" 2>&1; then
                not_ok "$desc (succeeded, expected $name)"
        elif grep -q -- "$name" "$np_last"; then
                ok "$desc"
        else
                not_ok "$desc (expected $name)"
        fi
        sed 's/^/# /' "$np_last"
}

# expect_eq DESCRIPTION EXPECTED ACTUAL: every line of a value that differs is shown as a TAP comment
expect_eq() {
        if [ "$2" = "$3" ]; then
                ok "$1"
        else
                not_ok "$1"
                echo "$2" | sed 's/^/#   expected: /'
                echo "$3" | sed 's/^/#   actual:   /'
        fi
}

# np_done: the plan; fails when a case did
np_done() {
        echo "1..$np_tap_n"
        [ "$np_tap_failed" -eq 0 ]
}

# run_glib_tap PREFIX COMMAND...: a GLib test's TAP lines (--tap) as checks of this test, renumbered; its
# other output as comments, and a test that aborted (a failed assertion) as one more failed check
run_glib_tap() {
        local prefix=$1 line status
        shift
        "$@" >/tmp/glib.out 2>&1
        status=$?
        while IFS= read -r line; do
                case "$line" in
                "ok "*) ok "$prefix ${line#ok * }" ;;
                "not ok "*) not_ok "$prefix ${line#not ok * }" ;;
                "1.."*) ;;
                "#"*) echo "$line" ;;
                *) echo "# $line" ;;
                esac
        done </tmp/glib.out
        [ "$status" -eq 0 ] || not_ok "$prefix exited with status $status"
}
