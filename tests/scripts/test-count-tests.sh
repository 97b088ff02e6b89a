#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Concept: the closing line of scripts/test.sh counts a skip as a skip. This meson (Debian 12 has 1.0.1)
# runs a tiny project whose tests pass, fail and skip the ways netpool's tests do, the whole-test skip
# through lib.sh's own skip_all, and scripts/count-tests.py reads its testlog.json.
#
# Environment (from tests/scripts/meson.build): NETPOOL_SOURCE_ROOT.
source "$NETPOOL_SOURCE_ROOT/tests/integration/lib.sh"

command -v meson >/dev/null || skip_all "no meson"
command -v python3 >/dev/null || skip_all "no python3"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/netpool-count-tests.XXXXXX")
NP_DIR=$TMP     # where check() keeps its output
trap 'rm -rf "$TMP"' EXIT
fixture=$TMP/fixture
mkdir -p "$fixture"

# tap_test NAME BODY: a TAP test script of the fixture
tap_test() {
        printf '#!/bin/bash\n%s\n' "$2" >"$fixture/$1.sh"
}
tap_test whole-skip "source '$NETPOOL_SOURCE_ROOT/tests/integration/lib.sh'
skip_all 'no frobnicator here'"
tap_test some-skipped 'printf "ok 1 - works\nok 2 - needs a widget # SKIP no widget\n1..2\n"'
tap_test one-failed 'printf "ok 1 - works\nnot ok 2 - broken\n1..2\n"; exit 1'
tap_test crashed 'printf "ok 1 - before the crash\n"; kill -SEGV $$'
printf '#!/bin/bash\nexit 77\n' >"$fixture/exit-77.sh"
cat >"$fixture/meson.build" <<'EOM'
project('count-tests-fixture', meson_version : '>= 0.63')
bash = find_program('bash')
foreach t : ['whole-skip', 'some-skipped', 'one-failed', 'crashed']
        test(t, bash, args : [files(t + '.sh')], protocol : 'tap')
endforeach
test('exit-77', bash, args : [files('exit-77.sh')])
EOM

check "meson setup of the fixture" meson setup "$TMP/build" "$fixture"
meson test -C "$TMP/build" >"$TMP/meson-test.log" 2>&1
log=$TMP/build/meson-logs/testlog.json

# result NAME: meson's verdict on one test of the fixture
result() {
        python3 -c 'import json, sys
for line in open(sys.argv[1]):
        t = json.loads(line)
        if t["name"].endswith(sys.argv[2]):
                print(t["result"], t["returncode"])' "$log" "$1"
}
expect_eq "meson $(meson --version) takes skip_all's whole-test skip for a skip, exit 0" "SKIP 0" \
        "$(result whole-skip)"
expect_eq "meson takes exit 77 of a test without TAP for a skip" "SKIP 77" "$(result exit-77)"

python3 "$NETPOOL_SOURCE_ROOT/scripts/count-tests.py" "$log" >"$TMP/count.out"
rc=$?
expect_eq "a failed case makes count-tests.py exit 1" 1 "$rc"
# one-failed: its failed case, once (meson says ERROR as it exits 1); crashed: its case and the crash
expect_eq "closing line: each skip counted as a skip, each failure once, a crash as one more" \
        "3 passed, 2 failed, 3 skipped" "$(head -n1 "$TMP/count.out")"
expect_eq "below it, each skip with its test and its reason" \
        "$(printf '%s\n' "  skipped: whole-skip: no frobnicator here" "  skipped: some-skipped: no widget" \
                "  skipped: exit-77: no reason given" | sort)" \
        "$(tail -n +2 "$TMP/count.out" | sort)"

touch "$TMP/asan.1234"
python3 "$NETPOOL_SOURCE_ROOT/scripts/count-tests.py" "$log" "$log" --reports "$TMP/asan.1234" >"$TMP/count2.out"
expect_eq "two logs add up, a sanitizer report is one more failure" "6 passed, 5 failed, 6 skipped" \
        "$(head -n1 "$TMP/count2.out")"
expect_eq "the same skip of two runs is one line with its count" "  skipped: whole-skip: no frobnicator here (2 cases)" \
        "$(grep whole-skip "$TMP/count2.out")"

np_done
