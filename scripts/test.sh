#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite from a fresh clone: install what is missing, build, test.
# Ends with a line "N passed, N failed, N skipped" (test cases, counted from each test's TAP output).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1
meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?
python3 scripts/count-tests.py build/meson-logs/testlog.json || rc=1
exit $rc
