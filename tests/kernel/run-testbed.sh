#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Kernel testbed: Debian's kernel under qemu with netdevsim built out of tree, running the linux backend's VF test.
#
# usage: run-testbed.sh TEST-BINARY CACHE-DIR
# Prints the test's TAP lines as read from the VM's serial console. Anything that cannot be fetched or
# built makes it print "1..0 # SKIP <reason>" and exit 0 (meson 1.0 counts a TAP test's 77 as a failure);
# a testbed that was built but does not run fails.
set -uo pipefail

test_bin=$1
cache=$2
boot_timeout=${NETPOOL_TESTBED_TIMEOUT:-300}
kvm_probe_timeout=${NETPOOL_TESTBED_KVM_TIMEOUT:-20}

skip() {
        echo "1..0 # SKIP $*"
        exit 0
}

bail() {
        echo "Bail out! $*"
        exit 1
}

log() {
        echo "# $*"
}

need_tools() {
        local t
        for t in qemu-system-x86_64 cpio gzip xz tar dpkg-deb apt-get apt-cache make gcc-12 ldd ip; do
                command -v "$t" >/dev/null || skip "$t is not installed (scripts/install-deps.sh installs it)"
        done
        [ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps.sh installs it)"
        ldd /bin/busybox >/dev/null 2>&1 && skip "/bin/busybox is not static (busybox-static is needed)"
        [ -x "$test_bin" ] || skip "no test binary $test_bin"
}

# The kernel package linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64, and its version.
resolve_kernel() {
        kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
        if [ -z "$kpkg" ] && [ "$(id -u)" -eq 0 ]; then
                apt-get update -qq >/dev/null 2>&1
                kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1)
        fi
        [ -n "$kpkg" ] || skip "apt knows no linux-image-amd64 (no package lists; run apt-get update)"
        kver=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
        [ -n "$kver" ] || skip "apt knows no version of $kpkg"
        krel=${kpkg#linux-image-}               # 6.1.0-56-amd64
        kabi=${krel%-amd64}                     # 6.1.0-56
        kseries=$(echo "$kabi" | cut -d. -f1-2) # 6.1
}

download() {
        local dir=$1
        local pkgs=("$kpkg=$kver" "linux-headers-$krel=$kver" "linux-headers-$kabi-common=$kver"
                    "linux-kbuild-$kseries=$kver" "linux-source-$kseries=$kver")
        local p have=0
        mkdir -p "$dir"
        for p in "${pkgs[@]}"; do
                ls "$dir/${p%=*}"_*.deb >/dev/null 2>&1 && have=$((have + 1))
        done
        [ "$have" -eq ${#pkgs[@]} ] && return 0         # left by a run that failed later
        if ! (cd "$dir" && apt-get download "${pkgs[@]}" >download.log 2>&1); then
                if [ "$(id -u)" -eq 0 ]; then
                        apt-get update -qq >/dev/null 2>&1
                        (cd "$dir" && apt-get download "${pkgs[@]}" >download.log 2>&1) && return 0
                fi
                skip "cannot download the kernel packages ($(grep -m1 -E '^(E|W):' "$dir/download.log"))"
        fi
}

# netdevsim.ko from linux-source, built against the matching headers; vmlinuz and psample.ko from the image.
build_testbed() {
        local out=$1 work=$cache/work
        local hdr=$work/root/usr/src/linux-headers-$krel nsim=$work/netdevsim

        rm -rf "$work"
        mkdir -p "$work/root" "$nsim"
        download "$cache/debs"
        log "unpacking $kpkg $kver"
        dpkg-deb --fsys-tarfile "$cache"/debs/"$kpkg"_*.deb |
                tar -x -C "$work/root" --wildcards "./boot/vmlinuz-$krel" "./lib/modules/$krel/kernel/net/psample/psample.ko*" ||
                skip "cannot unpack $kpkg"
        local d
        for d in "linux-headers-$krel" "linux-headers-$kabi-common" "linux-kbuild-$kseries"; do
                dpkg-deb -x "$cache"/debs/"$d"_*.deb "$work/root" || skip "cannot unpack $d"
        done
        dpkg-deb --fsys-tarfile "$cache"/debs/linux-source-"$kseries"_*.deb |
                tar -xO "./usr/src/linux-source-$kseries.tar.xz" |
                tar -xJ -C "$work" --wildcards "linux-source-$kseries/drivers/net/netdevsim/*" ||
                skip "cannot unpack netdevsim from linux-source-$kseries"
        cp "$work/linux-source-$kseries/drivers/net/netdevsim/"* "$nsim/"

        # The flavour's Makefile includes the common one by its installed path; point it at ours.
        [ -f "$hdr/Makefile" ] || skip "linux-headers-$krel has no Makefile"
        echo "include $work/root/usr/src/linux-headers-$kabi-common/Makefile" >"$hdr/Makefile"
        log "building netdevsim.ko"
        if ! make -C "$hdr" M="$nsim" CONFIG_NETDEVSIM=m -j"$(nproc)" modules >"$work/build.log" 2>&1; then
                sed 's/^/# /' "$work/build.log" | tail -n 20
                skip "netdevsim does not build against linux-headers-$krel"
        fi

        local psample
        psample=$(find "$work/root/lib/modules" -name 'psample.ko*' | head -n1)
        case "$psample" in
        *.xz) xz -dc "$psample" >"$work/psample.ko" ;;
        *.zst) skip "psample.ko is zstd-compressed; busybox insmod cannot load it" ;;
        "") skip "$kpkg has no psample.ko" ;;
        *) cp "$psample" "$work/psample.ko" ;;
        esac
        rm -rf "$out.tmp"
        if ! { mkdir -p "$out.tmp" && cp "$work/root/boot/vmlinuz-$krel" "$out.tmp/vmlinuz" &&
               cp "$work/psample.ko" "$nsim/netdevsim.ko" "$out.tmp/" && mv "$out.tmp" "$out"; }; then
                bail "cannot fill $out"
        fi
        # the products are the cache; the packages and the unpacked trees are not needed again
        rm -rf "$work" "$cache/debs"
}

copy_with_libs() {
        local root=$1 bin=$2 dest=$3 lib
        cp -L "$bin" "$root/$dest"
        for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
                [ -e "$root$lib" ] && continue
                mkdir -p "$root$(dirname "$lib")"
                cp -L "$lib" "$root$lib"
        done
}

write_init() {
        cat >"$1/init" <<'EOF'
#!/bin/sh
# VM side: load netdevsim, make a PF with 4 VFs and one without, run the test, power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
echo 1 >/proc/sys/kernel/printk
finish() {
        echo "NETPOOL-TAP-END $1"
        poweroff -f
}
insmod /lib/psample.ko || { echo "NETPOOL-ERROR insmod psample.ko failed"; finish 1; }
insmod /lib/netdevsim.ko || { echo "NETPOOL-ERROR insmod netdevsim.ko failed"; finish 1; }
echo "10 1" >/sys/bus/netdevsim/new_device
echo "11 1" >/sys/bus/netdevsim/new_device
echo 4 >/sys/bus/netdevsim/devices/netdevsim10/sriov_numvfs
for i in 1 2 3 4 5 6 7 8 9 10; do
        pf=$(ls /sys/bus/netdevsim/devices/netdevsim10/net 2>/dev/null)
        novf=$(ls /sys/bus/netdevsim/devices/netdevsim11/net 2>/dev/null)
        [ -n "$pf" ] && [ -n "$novf" ] && break
        sleep 1
done
[ -n "$pf" ] && [ -n "$novf" ] || { echo "NETPOOL-ERROR netdevsim made no netdev"; finish 1; }
ip link set dev "$pf" up
ip link set dev "$novf" up
echo "NETPOOL-TAP-BEGIN"
/bin/test-hw-linux-kernel --tap "$pf" "$novf"
finish $?
EOF
        chmod +x "$1/init"
}

build_initramfs() {
        local kdir=$1 root=$cache/initramfs a
        rm -rf "$root"
        mkdir -p "$root"/{bin,lib,proc,sys,tmp,dev}
        cp /bin/busybox "$root/bin/busybox"
        for a in sh mount insmod echo ls sleep poweroff cat; do
                ln -s busybox "$root/bin/$a"
        done
        copy_with_libs "$root" "$(command -v ip)" bin/ip          # iproute2's: busybox's prints no VFs
        copy_with_libs "$root" "$test_bin" bin/test-hw-linux-kernel
        cp "$kdir/psample.ko" "$kdir/netdevsim.ko" "$root/lib/"
        write_init "$root"
        (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$cache/initrd.gz" || bail "cannot write the initramfs"
}

# boot KDIR ACCEL SECONDS
boot() {
        local kdir=$1 accel=$2 limit=$3
        timeout "$limit" qemu-system-x86_64 -accel "$accel" -m 512 -smp 1 -nographic -no-reboot \
                -kernel "$kdir/vmlinuz" -initrd "$cache/initrd.gz" \
                -append "console=ttyS0 quiet panic=-1 rdinit=/init" </dev/null >"$cache/serial.log" 2>&1
        qemu_rc=$?
}

main() {
        need_tools
        mkdir -p "$cache" || skip "cannot create $cache"
        resolve_kernel
        local kdir=$cache/$krel-$kver
        if [ ! -f "$kdir/netdevsim.ko" ]; then
                rm -rf "$cache"/linux-* "$cache"/[0-9]*      # products of another kernel
                build_testbed "$kdir"
        fi
        build_initramfs "$kdir"
        local serial end
        rm -f "$cache/serial.log"
        # KVM only where a boot under it finishes: a /dev/kvm that exists but does not work (seen: the guest
        # hangs after "Booting from ROM...") must cost a short wait, not the whole timeout
        if [ -w /dev/kvm ] && [ "${NETPOOL_TESTBED_ACCEL:-}" != tcg ]; then
                log "booting $kpkg $kver under qemu with KVM (at most ${kvm_probe_timeout}s)"
                boot "$kdir" kvm "$kvm_probe_timeout"
                grep -q '^NETPOOL-TAP-END' <(tr -d '\r\033' <"$cache/serial.log") ||
                        log "KVM did not finish the boot (qemu exit $qemu_rc); booting again with TCG"
        fi
        if ! grep -q '^NETPOOL-TAP-END' <(tr -d '\r\033' <"$cache/serial.log" 2>/dev/null); then
                log "booting $kpkg $kver under qemu with TCG"
                boot "$kdir" tcg "$boot_timeout"
        fi

        serial=$(tr -d '\r\033' <"$cache/serial.log")
        end=$(echo "$serial" | sed -n 's/^NETPOOL-TAP-END \([0-9]*\)$/\1/p' | tail -n1)
        if [ -z "$end" ]; then
                echo "$serial" | tail -n 30 | sed 's/^/# /'
                bail "the VM ended without finishing the test (qemu exit $qemu_rc, serial log $cache/serial.log)"
        fi
        echo "$serial" | grep '^NETPOOL-ERROR' | sed 's/^NETPOOL-ERROR /Bail out! /'
        # the test's own lines only: kernel messages may come between them, and the firmware's
        # terminal escapes stand before the first line
        tap=$(echo "$serial" | sed -n '/NETPOOL-TAP-BEGIN$/,/^NETPOOL-TAP-END/p' | sed '1d;$d' |
                grep -E '^(ok|not ok|1\.\.[0-9]+|#|Bail out!)')
        echo "$tap"
        echo "$tap" | grep -qE '^1\.\.[0-9]+' || bail "no TAP plan came back from the VM (serial log $cache/serial.log)"
        [ "$end" -eq 0 ] || exit 1
        exit 0
}

main
