#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/leftover-processes.py, which scripts/test.sh runs after the suite: it names a process of a run that
# outlived its parent, and only those of that run; it lets one that ends within the grace time go, and
# --kill ends what it names.
#
# Environment (from tests/scripts/meson.build): NETPOOL_SOURCE_ROOT.
source "$NETPOOL_SOURCE_ROOT/tests/integration/lib.sh"

command -v python3 >/dev/null || skip_all "no python3"
command -v setsid >/dev/null || skip_all "no setsid (util-linux)"

NP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/netpool-leftovers.XXXXXX")
LEFTOVERS=$NETPOOL_SOURCE_ROOT/scripts/leftover-processes.py
run=leftover-test-$$-$RANDOM     # this test's own mark, apart from the suite's
started=()
trap 'kill "${started[@]}" 2>/dev/null; rm -rf "$NP_DIR"' EXIT

# orphan MARK SECONDS: a sleep with MARK in its environment whose parent has exited, as a daemon a test
# forgot; its pid in $orphan_pid
orphan() {
        orphan_pid=$(NETPOOL_TEST_RUN=$1 setsid bash -c 'sleep "$1" </dev/null >/dev/null 2>&1 & echo $!' _ "$2")
        started+=("$orphan_pid")
}

# leftovers ARGS...: the checker's output and status in $out and $rc
leftovers() {
        rc=0
        out=$(python3 "$LEFTOVERS" "$@") || rc=$?
}

leftovers --grace 0 "NETPOOL_TEST_RUN=$run"
expect_eq "nothing of the run left: status 0, silent" "0|" "$rc|$out"

orphan "$run" 300
left=$orphan_pid
orphan "$run-other" 300
other=$orphan_pid
orphan "other-$run" 300
leftovers --grace 0.5 "NETPOOL_TEST_RUN=$run"
expect_eq "a process of the run whose parent exited is named, with its user and command: status 1" \
        "1|leftover process $left ($(id -un)): sleep 300" "$rc|$out"

leftovers --grace 0 "NETPOOL_TEST_RUN=$run-other"
expect_eq "another run's mark, which begins with this one's, is that run's alone" \
        "1|leftover process $other ($(id -un)): sleep 300" "$rc|$out"

# the checker's own ancestors carry the mark and are no leftovers: this bash, with it exported
leftovers --grace 0 "NETPOOL_SOURCE_ROOT=$NETPOOL_SOURCE_ROOT"
expect_eq "its ancestors (this test, meson) are not named though they carry the entry" "" \
        "$(grep -E "leftover process ($$|$PPID) " <<<"$out")"

leftovers --kill --grace 0 "NETPOOL_TEST_RUN=$run"
expect_eq "--kill names it too" "1|leftover process $left ($(id -un)): sleep 300" "$rc|$out"
np_wait_gone "$left" 5
check "--kill ends it" bash -c '! kill -0 "$1" 2>/dev/null' _ "$left"
check "--kill ends no process of another run" kill -0 "$other"

kill "$other" 2>/dev/null
orphan "$run" 1
leftovers --grace 10 "NETPOOL_TEST_RUN=$run"
expect_eq "a process that ends within the grace time is no leftover" "0|" "$rc|$out"

np_done
