#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite from a fresh clone: install what is missing, build, test; then the same suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer with leak detection (./build-asan).
# Ends with a line "N passed, N failed, N skipped" (test cases of both runs, counted from each test's TAP
# output, plus one failure per sanitizer report of a process no test's output shows: daemons, clients;
# and one per run that left processes behind).
# Below it, one line per reason a test or a case was skipped.
# After each run, no process the tests started may be left: every process of the run carries
# NETPOOL_TEST_RUN=<an id of this run> in its environment, and one still there counts as a failure (and is
# ended).
# NETPOOL_ASAN=0 leaves the second run out.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1

NETPOOL_TEST_RUN=$(cat /proc/sys/kernel/random/uuid) || exit 1
export NETPOOL_TEST_RUN
reports=()

# no_leftovers REPORT: the processes of this run that are still there (named in REPORT, then ended) count
# as one failure
no_leftovers() {
        python3 scripts/leftover-processes.py --kill "NETPOOL_TEST_RUN=$NETPOOL_TEST_RUN" >"$1" && return 0
        echo "=== processes that outlived the tests:"
        cat "$1"
        reports+=("$1")
        rc=1
}

meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?
no_leftovers build/meson-logs/leftover-processes.txt
logs=(build/meson-logs/testlog.json)

# Suites left out of the sanitizer run, and why:
#   kernel    boots a qemu VM (the longest test by far) to run the linux backend against netdevsim; the
#             hw code it runs is run under the sanitizers by the hw suite, on sim hosts
#   install   installs into a DESTDIR and checks files, the unit and the man pages: no code of ours
#             runs there that the other suites do not run
#   valgrind  valgrind cannot run a program built with AddressSanitizer (both own the heap)
#   fuzz-libfuzzer  builds its own clang tree with the sanitizers, whatever build it runs from
#   load      bounds the daemon's RSS growth, which AddressSanitizer's quarantine of freed memory (up to
#             256 MiB) breaks by design; the same daemon code runs sanitized in the integration suite
if [ "${NETPOOL_ASAN:-1}" != 0 ]; then
        werror=false
        [ "${CI:-}" = "true" ] && werror=true
        if [ ! -f build-asan/build.ninja ]; then
                meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=$werror
        else
                meson configure build-asan -Dwerror=$werror >/dev/null
        fi || exit 1
        ninja -C build-asan || exit 1
        # Reports of every sanitized process, the daemons that dbus-daemon starts included, land here
        report_dir=$PWD/build-asan/sanitizer-reports
        rm -rf "$report_dir"
        mkdir -p "$report_dir"
        ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:print_summary=1:log_path=$report_dir/asan:log_exe_name=1" \
        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:print_summary=1:log_path=$report_dir/ubsan:log_exe_name=1" \
                meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
                        --no-suite kernel --no-suite install --no-suite valgrind \
                        --no-suite fuzz-libfuzzer --no-suite load "$@" || rc=1
        no_leftovers build-asan/meson-logs/leftover-processes.txt
        logs+=(build-asan/meson-logs/testlog.json)
        for f in "$report_dir"/*; do
                [ -e "$f" ] || continue
                echo "=== sanitizer report: $f"
                cat "$f"
                reports+=("$f")
        done
fi

python3 scripts/count-tests.py "${logs[@]}" --reports "${reports[@]}" || rc=1
exit $rc
