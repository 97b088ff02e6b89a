# SPDX-License-Identifier: LGPL-2.1-or-later
# What the kernel test beds share (run-testbed.sh, run-igb-testbed.sh): TAP on the host side, the tools they
# need, Debian's kernel package and its download, binaries copied into an initramfs with their libraries, the
# choice of KVM, and the guest's TAP read back from its serial console. Sourced; set -uo pipefail is the
# caller's. Anything that cannot be fetched skips the test ("1..0 # SKIP", exit 0); a test bed that was built
# but does not finish fails.

source "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

# The TAP file the guests source beside their test (igb-guest-test.sh)
testbed_tap_file=$(dirname "${BASH_SOURCE[0]}")/../tap.sh

bail() {
        echo "Bail out! $*"
        exit 1
}

log() {
        echo "# $*"
}

# need_commands COMMAND...: skips unless each is installed; and a static busybox, which every initramfs runs
need_commands() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || skip_all "$t is not installed (scripts/install-deps.sh installs it)"
        done
        [ -x /bin/busybox ] || skip_all "busybox-static is not installed (scripts/install-deps.sh installs it)"
        ldd /bin/busybox >/dev/null 2>&1 && skip_all "/bin/busybox is not static (busybox-static is needed)"
}

# The kernel package linux-image-amd64 depends on, e.g. linux-image-6.1.0-57-amd64
kernel_of_metapackage() {
        apt-cache depends linux-image-amd64 2>/dev/null |
                sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1
}

# Sets kpkg (linux-image-6.1.0-57-amd64), kver (its version) and krel (6.1.0-57-amd64); as root, updates apt's
# lists once when they know no kernel
resolve_kernel_package() {
        kpkg=$(kernel_of_metapackage)
        if [ -z "$kpkg" ] && [ "$(id -u)" -eq 0 ]; then
                apt-get update -qq >/dev/null 2>&1
                kpkg=$(kernel_of_metapackage)
        fi
        [ -n "$kpkg" ] || skip_all "apt knows no linux-image-amd64 (no package lists; run apt-get update)"
        kver=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
        [ -n "$kver" ] || skip_all "apt knows no version of $kpkg"
        krel=${kpkg#linux-image-}
}

# fetch_debs DIR PACKAGE=VERSION...: apt-get download into DIR (as root once more after apt-get update);
# packages left there by a run that failed later are taken as they are; skips when the mirror has none
fetch_debs() {
        local dir=$1 p have=0
        shift
        mkdir -p "$dir"
        for p in "$@"; do
                ls "$dir/${p%=*}"_*.deb >/dev/null 2>&1 && have=$((have + 1))
        done
        [ "$have" -eq $# ] && return 0
        (cd "$dir" && apt-get download "$@" >download.log 2>&1) && return 0
        if [ "$(id -u)" -eq 0 ]; then
                apt-get update -qq >/dev/null 2>&1
                (cd "$dir" && apt-get download "$@" >download.log 2>&1) && return 0
        fi
        skip_all "cannot download $* ($(grep -m1 -E '^(E|W):' "$dir/download.log"))"
}

# copy_with_libs ROOT BINARY DEST: BINARY as ROOT/DEST, and the shared libraries it loads at their own paths
copy_with_libs() {
        local root=$1 bin=$2 dest=$3 lib
        mkdir -p "$root/$(dirname "$dest")"
        cp -L "$bin" "$root/$dest"
        for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
                [ -e "$root$lib" ] && continue
                mkdir -p "$root$(dirname "$lib")"
                cp -L "$lib" "$root$lib"
        done
}

# Whether to try KVM at all: /dev/kvm is writable and NETPOOL_TESTBED_ACCEL is not tcg. A /dev/kvm that exists
# but does not work (seen: the guest hangs after "Booting from ROM...") must cost a short boot of its own (the
# probe timeout), not the test's whole timeout: each test bed then falls back to TCG.
kvm_wanted() {
        [ "${NETPOOL_TESTBED_ACCEL:-}" != tcg ] && [ -w /dev/kvm ]
}

# serial_finished LOG: the guest's /init got to its end (it prints NETPOOL-TAP-END STATUS before powering off)
serial_finished() {
        tr -d '\r\033' <"$1" 2>/dev/null | grep -q '^NETPOOL-TAP-END'
}

# report_serial LOG: prints the test's TAP lines from the guest's serial log; fails when the guest did not
# finish or its test failed (qemu_rc: the boot's exit status, for the message)
report_serial() {
        local log=$1 serial end tap
        serial=$(tr -d '\r\033' <"$log")
        end=$(echo "$serial" | sed -n 's/^NETPOOL-TAP-END \([0-9]*\)$/\1/p' | tail -n1)
        if [ -z "$end" ]; then
                echo "$serial" | tail -n 40 | sed 's/^/# /'
                bail "the VM ended without finishing the test (qemu exit ${qemu_rc:-?}, serial log $log)"
        fi
        echo "$serial" | grep '^NETPOOL-ERROR' | sed 's/^NETPOOL-ERROR /Bail out! /'
        # the test's own lines only: kernel messages may come between them, and the firmware's terminal escapes
        # stand before the first line
        tap=$(echo "$serial" | sed -n '/NETPOOL-TAP-BEGIN$/,/^NETPOOL-TAP-END/p' | sed '1d;$d' |
                grep -E '^(ok|not ok|1\.\.[0-9]+|#|Bail out!)')
        echo "$tap"
        echo "$tap" | grep -qE '^1\.\.[0-9]+' || bail "no TAP plan came back from the VM (serial log $log)"
        [ "$end" -eq 0 ]
}
