#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run one libFuzzer target of build-fuzz (meson setup as docs/testing.md says) on its corpora, niced.
# Usage: tests/fuzz/run-fuzz.sh TARGET [SECONDS [libFuzzer options...]]
# New inputs go to build-fuzz/corpus/TARGET; a finding to build-fuzz/artifacts/TARGET-*.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=$1
seconds=${2:-600}
shift $(( $# < 2 ? $# : 2 ))
build=${NETPOOL_FUZZ_BUILD:-build-fuzz}
conformance=${NETPOOL_CONFORMANCE_DIR:-../shared/conformance/libvirt-9.0.0}
seeds=(tests/fuzz/corpus/"$target")
case $target in
netdef) seeds+=("$conformance/network-in" "$conformance/network-out" docs/examples) ;;
portdef) seeds+=("$conformance/port") ;;
esac
mkdir -p "$build/corpus/$target" "$build/artifacts"
# the sim host and the records go to a tmpfs when there is one: the writes fsync
[ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
case $build in /*) ;; *) build=$PWD/$build ;; esac
export NETPOOL_SIMHOST="$build/src/tools/netpool-simhost"
exec nice -n 19 "$build/tests/fuzz/fuzz-$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" "$@" \
        "$build/corpus/$target" "${seeds[@]}"
