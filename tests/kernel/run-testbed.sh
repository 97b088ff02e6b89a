#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Kernel testbed: Debian's kernel under qemu with netdevsim built out of tree, running the linux backend's VF test.
#
# usage: run-testbed.sh TEST-BINARY CACHE-DIR [NETPOOLD NETPOOLCTL PLUG-CLIENT [NSIM-VF-CONFIG]]
# Prints the test's TAP lines as read from the VM's serial console. Anything that cannot be fetched or
# built makes it print "1..0 # SKIP <reason>" and exit 0 (meson 1.0 counts a TAP test's 77 as a failure);
# a testbed that was built but does not run fails.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/testbed-lib.sh"

test_bin=$1
cache=$2
# optional: netpoold end to end on netdevsim's netdevs (nsim-guest.sh with igb-plug-client on a private bus)
netpoold=${3:-} netpoolctl=${4:-} plug_client=${5:-}
# optional: netpoold's VF apply and restore on a netdevsim VF (nsim-guest.sh)
vf_config=${6:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
boot_timeout=${NETPOOL_TESTBED_TIMEOUT:-300}
# the plug's modules (macvtap, VLAN devices) with what they need, as paths under the image's kernel/ (globs);
# the guest's busybox depmod and modprobe load them when the kernel asks (rtnl-link-macvtap, rtnl-link-vlan)
plug_modules=("drivers/net/macvlan.ko*" "drivers/net/macvtap.ko*" "drivers/net/tap.ko*" "net/8021q/*" "net/802/*"
              "net/llc/*")
kvm_probe_timeout=${NETPOOL_TESTBED_KVM_TIMEOUT:-20}

need_tools() {
        need_commands qemu-system-x86_64 cpio gzip xz tar dpkg-deb apt-get apt-cache make gcc-12 ldd ip
        [ -x "$test_bin" ] || skip_all "no test binary $test_bin"
}

# The kernel package (testbed-lib.sh) and the names of its headers, kbuild and source packages
resolve_kernel() {
        resolve_kernel_package
        kabi=${krel%-amd64}                     # 6.1.0-56
        kseries=$(echo "$kabi" | cut -d. -f1-2) # 6.1
}

# netdevsim.ko from linux-source, built against the matching headers; vmlinuz and psample.ko from the image.
build_testbed() {
        local out=$1 work=$cache/work
        local hdr=$work/root/usr/src/linux-headers-$krel nsim=$work/netdevsim

        rm -rf "$work"
        mkdir -p "$work/root" "$nsim"
        fetch_debs "$cache/debs" "$kpkg=$kver" "linux-headers-$krel=$kver" "linux-headers-$kabi-common=$kver" \
                "linux-kbuild-$kseries=$kver" "linux-source-$kseries=$kver"
        log "unpacking $kpkg $kver"
        dpkg-deb --fsys-tarfile "$cache"/debs/"$kpkg"_*.deb |
                tar -x -C "$work/root" --wildcards "./boot/vmlinuz-$krel" "./lib/modules/$krel/kernel/net/psample/psample.ko*" \
                        "${plug_modules[@]/#/./lib/modules/$krel/kernel/}" ||
                skip_all "cannot unpack $kpkg"
        local d
        for d in "linux-headers-$krel" "linux-headers-$kabi-common" "linux-kbuild-$kseries"; do
                dpkg-deb -x "$cache"/debs/"$d"_*.deb "$work/root" || skip_all "cannot unpack $d"
        done
        dpkg-deb --fsys-tarfile "$cache"/debs/linux-source-"$kseries"_*.deb |
                tar -xO "./usr/src/linux-source-$kseries.tar.xz" |
                tar -xJ -C "$work" --wildcards "linux-source-$kseries/drivers/net/netdevsim/*" ||
                skip_all "cannot unpack netdevsim from linux-source-$kseries"
        cp "$work/linux-source-$kseries/drivers/net/netdevsim/"* "$nsim/"

        # The flavour's Makefile includes the common one by its installed path; point it at ours.
        [ -f "$hdr/Makefile" ] || skip_all "linux-headers-$krel has no Makefile"
        echo "include $work/root/usr/src/linux-headers-$kabi-common/Makefile" >"$hdr/Makefile"
        log "building netdevsim.ko"
        if ! make -C "$hdr" M="$nsim" CONFIG_NETDEVSIM=m -j"$(nproc)" modules >"$work/build.log" 2>&1; then
                sed 's/^/# /' "$work/build.log" | tail -n 20
                skip_all "netdevsim does not build against linux-headers-$krel"
        fi

        local psample
        psample=$(find "$work/root/lib/modules" -name 'psample.ko*' | head -n1)
        case "$psample" in
        *.xz) xz -dc "$psample" >"$work/psample.ko" ;;
        *.zst) skip_all "psample.ko is zstd-compressed; busybox insmod cannot load it" ;;
        "") skip_all "$kpkg has no psample.ko" ;;
        *) cp "$psample" "$work/psample.ko" ;;
        esac
        rm -rf "$out.tmp"
        if ! { mkdir -p "$out.tmp" && cp "$work/root/boot/vmlinuz-$krel" "$out.tmp/vmlinuz" &&
               cp "$work/psample.ko" "$nsim/netdevsim.ko" "$out.tmp/" &&
               cp -r "$work/root/lib/modules/$krel/kernel" "$out.tmp/kernel" && rm -rf "$out.tmp/kernel/net/psample" &&
               mv "$out.tmp" "$out"; }; then
                bail "cannot fill $out"
        fi
        # the products are the cache; the packages and the unpacked trees are not needed again
        rm -rf "$work" "$cache/debs"
}

write_init() {
        cat >"$1/init" <<'EOF'
#!/bin/sh
# VM side: load netdevsim, make a PF with 4 VFs and one without, run the test, power off.
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t devtmpfs devtmpfs /dev
echo 1 >/proc/sys/kernel/printk
finish() {
        echo "NETPOOL-TAP-END $1"
        poweroff -f
}
# the kernel's request_module() runs /sbin/modprobe (busybox's) for macvtap and 8021q
depmod || { echo "NETPOOL-ERROR depmod failed"; finish 1; }
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
if [ -e /test/nsim-guest.sh ]; then
        mount -t tmpfs tmpfs /run
        bash /test/nsim-guest.sh "$pf" "$novf"
else
        /bin/test-hw-linux-kernel --tap "$pf" "$novf"
fi
finish $?
EOF
        chmod +x "$1/init"
}

# netpoold, netpoolctl, igb-plug-client, nsim-vf-config, dbus-daemon and busctl, bash, the guest script with tap.sh and the
# private test bus's configuration
add_netpoold() {
        local root=$1 f
        for f in "$netpoold" "$netpoolctl" "$plug_client"; do
                [ -x "$f" ] || bail "no $f: the build is incomplete"
        done
        need_commands bash dbus-daemon busctl
        mkdir -p "$root/usr/bin" "$root/test" "$root/run" "$root/etc"
        copy_with_libs "$root" "$(command -v bash)" usr/bin/bash
        copy_with_libs "$root" "$(command -v dbus-daemon)" usr/bin/dbus-daemon
        copy_with_libs "$root" "$(command -v busctl)" usr/bin/busctl
        copy_with_libs "$root" "$netpoold" usr/bin/netpoold
        copy_with_libs "$root" "$netpoolctl" usr/bin/netpoolctl
        copy_with_libs "$root" "$plug_client" usr/bin/igb-plug-client
        [ -n "$vf_config" ] && copy_with_libs "$root" "$vf_config" usr/bin/nsim-vf-config
        for f in $(/bin/busybox --list); do     # the guest script's tools: busybox's, but for bash and ip
                [ -e "$root/bin/$f" ] || ln -s busybox "$root/bin/$f"
        done
        cp "$here/nsim-guest.sh" "$root/test/nsim-guest.sh"
        cp "$testbed_tap_file" "$root/test/tap.sh"
        cp "$here/../../service/test-bus.conf.in" "$root/test/test-bus.conf.in"
        printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
        printf 'root:x:0:\n' >"$root/etc/group"
}

build_initramfs() {
        local kdir=$1 root=$cache/initramfs a
        rm -rf "$root"
        mkdir -p "$root"/{bin,sbin,lib/modules,proc,sys,tmp,dev}
        cp /bin/busybox "$root/bin/busybox"
        for a in sh mount insmod echo ls sleep poweroff cat depmod modprobe; do
                ln -s busybox "$root/bin/$a"
        done
        ln -s /bin/busybox "$root/sbin/modprobe"
        mkdir -p "$root/lib/modules/$krel"
        cp -r "$kdir/kernel" "$root/lib/modules/$krel/kernel"
        copy_with_libs "$root" "$(command -v ip)" bin/ip          # iproute2's: busybox's prints no VFs
        # iproute2's devlink: the eswitch mode test compares with it and switches netdevsim's (skipped without it)
        if command -v devlink >/dev/null; then copy_with_libs "$root" "$(command -v devlink)" bin/devlink; fi
        copy_with_libs "$root" "$test_bin" bin/test-hw-linux-kernel
        cp "$kdir/psample.ko" "$kdir/netdevsim.ko" "$root/lib/"
        [ -n "$netpoold" ] && add_netpoold "$root"
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
        mkdir -p "$cache" || skip_all "cannot create $cache"
        resolve_kernel
        local kdir=$cache/$krel-$kver
        if [ ! -f "$kdir/netdevsim.ko" ] || [ ! -d "$kdir/kernel" ]; then
                rm -rf "$cache"/linux-* "$cache"/[0-9]*      # products of another kernel
                build_testbed "$kdir"
        fi
        build_initramfs "$kdir"
        rm -f "$cache/serial.log"
        if kvm_wanted; then
                log "booting $kpkg $kver under qemu with KVM (at most ${kvm_probe_timeout}s)"
                boot "$kdir" kvm "$kvm_probe_timeout"
                serial_finished "$cache/serial.log" ||
                        log "KVM did not finish the boot (qemu exit $qemu_rc); booting again with TCG"
        fi
        if ! serial_finished "$cache/serial.log"; then
                log "booting $kpkg $kver under qemu with TCG"
                boot "$kdir" tcg "$boot_timeout"
        fi
        report_serial "$cache/serial.log"
}

main
