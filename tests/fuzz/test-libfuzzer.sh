#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The libFuzzer build: configures a clang tree with -Dfuzzing=true (as docs/testing.md says) beside this
# build, builds every fuzz-* program and runs each for a few seconds on its corpora, so that the fuzzing
# setup cannot rot between the long runs. Skipped, never passed, without clang's libFuzzer.
set -uo pipefail
: "${NETPOOL_SOURCE_ROOT:?}" "${NETPOOL_BUILD_ROOT:?}"
targets=(netdef portdef port-record vf-record live-record sysfs)
seconds=${NP_FUZZ_SECONDS:-5}

skip_whole() {
        echo "1..0 # SKIP $*"
        exit 0
}
command -v clang >/dev/null || skip_whole "no clang"
probe=$(mktemp -d "${TMPDIR:-/tmp}/netpool-fuzz-probe.XXXXXX")
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$probe/p.c"
clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1 ||
        skip_whole "clang cannot link libFuzzer (libclang-rt-14-dev missing?)"

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; failed=1; }
failed=0

dir=$NETPOOL_BUILD_ROOT/tests/fuzz/libfuzzer-build
if [ ! -f "$dir/build.ninja" ]; then
        CC=clang meson setup "$dir" "$NETPOOL_SOURCE_ROOT" -Dfuzzing=true -Db_sanitize=address,undefined \
                -Db_lundef=false "-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" \
                -Dc_link_args=-fno-sanitize-recover=all >"$probe/setup.log" 2>&1
fi
if ninja -C "$dir" "${targets[@]/#/tests/fuzz/fuzz-}" src/tools/netpool-simhost >"$probe/build.log" 2>&1; then
        ok "the libFuzzer programs build with clang"
else
        not_ok "the libFuzzer programs build with clang"
        sed 's/^/# /' "$probe/setup.log" "$probe/build.log" 2>/dev/null | tail -40
        echo "1..$n"
        exit 1
fi

cd "$NETPOOL_SOURCE_ROOT"
for t in "${targets[@]}"; do
        if NETPOOL_FUZZ_BUILD=$dir bash tests/fuzz/run-fuzz.sh "$t" "$seconds" \
                -artifact_prefix="$probe/$t-" >"$probe/$t.log" 2>&1; then
                ok "fuzz-$t runs ${seconds}s without a finding: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$probe/$t.log")"
        else
                not_ok "fuzz-$t"
                tail -40 "$probe/$t.log" | sed 's/^/# /'
        fi
done
echo "1..$n"
[ "$failed" = 0 ]
