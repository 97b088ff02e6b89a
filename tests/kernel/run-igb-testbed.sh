#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# igb testbed: netpoold end to end on a real kernel with a real SR-IOV PCI device. Debian 12's kernel boots
# under Debian 13's qemu (a debootstrap chroot: Debian 12's qemu 7.2 has no igb) with an emulated Intel 82576
# (igb, 7 VFs possible) behind an intel-iommu; the initramfs holds netpoold, netpoolctl, dbus-daemon with
# Debian's system bus configuration and the project's activation file and bus policy, udevd, and
# igb-guest-test.sh, whose TAP lines come back over the serial console.
#
# usage: run-igb-testbed.sh CACHE-DIR GUEST-TEST IGB-DISCOVER NETPOOLD NETPOOLCTL SERVICE-FILE POLICY-FILE
# Anything that cannot be fetched makes it print "1..0 # SKIP <reason>" and exit 0 (meson 1.0 counts a TAP
# test's 77 as a failure); a testbed that was built but does not finish fails.
#
# Environment: NETPOOL_TESTBED_TIMEOUT (the test boot, default 900 s), NETPOOL_TESTBED_KVM_TIMEOUT (the KVM
# probe boot, default 15 s), NETPOOL_TESTBED_ACCEL=tcg (no KVM probe), NETPOOL_TESTBED_MIRROR (debootstrap's
# Debian mirror; by default the one this machine's apt sources name, see debian-mirror.sh).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/debian-mirror.sh"

cache=$1 guest_test=$2 igb_discover=$3 netpoold=$4 netpoolctl=$5 service_file=$6 policy_file=$7
boot_timeout=${NETPOOL_TESTBED_TIMEOUT:-900}
kvm_probe_timeout=${NETPOOL_TESTBED_KVM_TIMEOUT:-15}
suite=trixie
mirror=${NETPOOL_TESTBED_MIRROR:-$(debian_mirror)}
qemu_root=$cache/qemu-$suite
# in this order: igb needs dca and i2c-algo-bit; vfio-pci needs the rest of the vfio stack
modules=(dca i2c-algo-bit igb igbvf irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci)
launch_helper=/usr/lib/dbus-1.0/dbus-daemon-launch-helper
system_conf=/usr/share/dbus-1/system.conf

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
        local t f
        [ "$(id -u)" -eq 0 ] || skip "debootstrap and chroot need root"
        for t in debootstrap chroot cpio gzip dpkg-deb apt-get apt-cache ldd ip bash dbus-daemon dbus-send busctl \
                 timeout; do
                command -v "$t" >/dev/null || skip "$t is not installed (scripts/install-deps.sh installs it)"
        done
        [ -x /bin/busybox ] || skip "busybox-static is not installed (scripts/install-deps.sh installs it)"
        ldd /bin/busybox >/dev/null 2>&1 && skip "/bin/busybox is not static (busybox-static is needed)"
        for f in "$launch_helper" "$system_conf" /usr/share/misc/pci.ids; do
                [ -e "$f" ] || skip "no $f (scripts/install-deps.sh installs dbus and pci.ids)"
        done
        for f in "$guest_test" "$igb_discover" "$netpoold" "$netpoolctl" "$service_file" "$policy_file"; do
                [ -e "$f" ] || bail "no $f: the build is incomplete"
        done
}

# apt-get download PACKAGES... into DIR, once more after apt-get update; skips when the mirror has none
fetch_debs() {
        local dir=$1
        shift
        mkdir -p "$dir"
        (cd "$dir" && apt-get download "$@" >download.log 2>&1) && return 0
        apt-get update -qq >/dev/null 2>&1
        (cd "$dir" && apt-get download "$@" >download.log 2>&1) && return 0
        skip "cannot download $* ($(grep -m1 -E '^(E|W):' "$dir/download.log"))"
}

# The kernel package linux-image-amd64 depends on, e.g. linux-image-6.1.0-57-amd64
kernel_of_metapackage() {
        apt-cache depends linux-image-amd64 2>/dev/null |
                sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1
}

# That kernel package, its version, and the version of udev to take.
resolve_kernel() {
        kpkg=$(kernel_of_metapackage)
        if [ -z "$kpkg" ]; then
                apt-get update -qq >/dev/null 2>&1
                kpkg=$(kernel_of_metapackage)
        fi
        [ -n "$kpkg" ] || skip "apt knows no linux-image-amd64 (no package lists; run apt-get update)"
        kver=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
        [ -n "$kver" ] || skip "apt knows no version of $kpkg"
        krel=${kpkg#linux-image-}
        # udevd must match the host's libsystemd-shared, which it links to
        uver=$(dpkg-query -W -f='${Version}' libsystemd-shared 2>/dev/null)
        [ -n "$uver" ] || skip "libsystemd-shared is not installed (systemd is)"
}

# vmlinuz, the modules the test loads, and systemd-udevd (udevadm) of the host's systemd, into $1
build_guest_files() {
        local out=$1 work=$cache/work m f
        rm -rf "$work" "$out.tmp"
        mkdir -p "$work/root" "$out.tmp/modules"
        fetch_debs "$cache/debs" "$kpkg=$kver" "udev=$uver"
        log "unpacking $kpkg $kver and udev $uver"
        dpkg-deb -x "$cache"/debs/"$kpkg"_*.deb "$work/root" || skip "cannot unpack $kpkg"
        dpkg-deb -x "$cache"/debs/udev_*.deb "$work/root" || skip "cannot unpack udev"
        cp "$work/root/boot/vmlinuz-$krel" "$out.tmp/vmlinuz" || skip "$kpkg has no vmlinuz"
        for m in "${modules[@]}"; do
                f=$(find "$work/root/lib/modules/$krel" -name "$m.ko*" | head -n1)
                case "$f" in
                "") skip "$kpkg has no $m.ko" ;;
                *.xz) xz -dc "$f" >"$out.tmp/modules/$m.ko" ;;
                *.zst) skip "$f is zstd-compressed; busybox insmod cannot load it" ;;
                *) cp "$f" "$out.tmp/modules/$m.ko" ;;
                esac
        done
        cp "$work/root/bin/udevadm" "$out.tmp/udevadm" || skip "udev $uver has no udevadm"
        mv "$out.tmp" "$out" || bail "cannot fill $out"
        # the products are the cache; the packages and the unpacked tree are not needed again
        rm -rf "$work" "$cache/debs"
}

# Debian 13's qemu in a chroot of its own, made by debootstrap from the machine's Debian mirror
build_qemu_root() {
        local s=$SECONDS
        rm -rf "$qemu_root.tmp"
        [ -n "$mirror" ] || skip "no Debian mirror among apt's sources (/etc/apt/sources.list," \
                "sources.list.d/*.list, *.sources) for debootstrap; set NETPOOL_TESTBED_MIRROR"
        log "debootstrap $suite with qemu-system-x86 from $mirror (about a minute, once)"
        if ! debootstrap --variant=minbase --include=qemu-system-x86 "$suite" "$qemu_root.tmp" "$mirror" \
                >"$cache/debootstrap.log" 2>&1; then
                tail -n 5 "$cache/debootstrap.log" | sed 's/^/# /'
                rm -rf "$qemu_root.tmp"
                skip "cannot debootstrap Debian $suite with qemu-system-x86 from $mirror" \
                     "($(grep -m1 -E '^E:' "$cache/debootstrap.log" || echo "see $cache/debootstrap.log"))"
        fi
        chroot "$qemu_root.tmp" qemu-system-x86_64 -device help 2>/dev/null | grep -q '^name "igb"' ||
                skip "the qemu of Debian $suite emulates no igb"
        mv "$qemu_root.tmp" "$qemu_root" || bail "cannot fill $qemu_root"
        log "debootstrap took $((SECONDS - s)) s"
}

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

# The path the activation file starts netpoold from: the test uses the file as built, so netpoold goes there
service_exec() {
        sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$service_file" | head -n1
}

write_init() {
        cat >"$1/init" <<'EOF'
#!/bin/sh
# VM side: the system's mounts, the igb and vfio modules, udevd, the system bus; then the test, then off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
echo 1 >/proc/sys/kernel/printk
finish() {
        echo "NETPOOL-TAP-END $1"
        poweroff -f
}
for m in $(cat /lib/netpool-modules); do
        insmod "/lib/modules/$m.ko" || { echo "NETPOOL-ERROR insmod $m.ko failed"; finish 1; }
done
mkdir -p /run/dbus /run/udev
# netpoold's hot-plug listens to udev's events, as on a host: udevd (no rules) passes the kernel's on
/lib/systemd/systemd-udevd --daemon || { echo "NETPOOL-ERROR systemd-udevd did not start"; finish 1; }
dbus-daemon --system --nofork --nopidfile >/tmp/dbus.log 2>&1 &
for i in $(seq 50); do
        [ -S /run/dbus/system_bus_socket ] && break
        sleep 0.1
done
[ -S /run/dbus/system_bus_socket ] || { echo "NETPOOL-ERROR dbus-daemon did not start"; cat /tmp/dbus.log; finish 1; }
echo "NETPOOL-TAP-BEGIN"
bash /test/igb-guest-test.sh
finish $?
EOF
        chmod +x "$1/init"
}

build_initramfs() {
        local kdir=$1 root=$cache/initramfs exec a
        rm -rf "$root"
        mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/modules,lib/systemd,proc,sys,dev,run,tmp,test,etc}
        cp /bin/busybox "$root/bin/busybox"
        for a in $(/bin/busybox --list); do
                [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
        done
        rm -f "$root/bin/ip" "$root/bin/sh"
        ln -s busybox "$root/bin/sh"
        copy_with_libs "$root" "$(command -v bash)" usr/bin/bash
        copy_with_libs "$root" "$(command -v ip)" usr/sbin/ip         # busybox's prints no VFs
        copy_with_libs "$root" "$(command -v dbus-daemon)" usr/bin/dbus-daemon
        copy_with_libs "$root" "$(command -v dbus-send)" usr/bin/dbus-send
        copy_with_libs "$root" "$(command -v busctl)" usr/bin/busctl
        copy_with_libs "$root" "$launch_helper" "${launch_helper#/}"
        chmod 4755 "$root$launch_helper"        # setuid root, as installed (the guest has no messagebus group)
        copy_with_libs "$root" "$kdir/udevadm" lib/systemd/systemd-udevd      # udevadm is udevd by this name
        exec=$(service_exec)
        [ -n "$exec" ] || bail "no Exec= in $service_file"
        copy_with_libs "$root" "$netpoold" "${exec#/}"
        copy_with_libs "$root" "$netpoolctl" usr/bin/netpoolctl
        copy_with_libs "$root" "$igb_discover" usr/bin/igb-discover
        cp "$guest_test" "$root/test/igb-guest-test.sh"
        # the system bus as Debian configures it, with the project's policy and activation file
        mkdir -p "$root/usr/share/dbus-1/system.d" "$root/usr/share/dbus-1/system-services" "$root/usr/share/misc"
        cp "$system_conf" "$root/usr/share/dbus-1/system.conf"
        cp "$policy_file" "$root/usr/share/dbus-1/system.d/org.netpool1.conf"
        cp "$service_file" "$root/usr/share/dbus-1/system-services/org.netpool1.service"
        cp -L /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"
        printf 'root:x:0:0:root:/root:/bin/sh\nmessagebus:x:100:101::/nonexistent:/bin/false\n' >"$root/etc/passwd"
        printf 'root:x:0:\nmessagebus:x:101:\n' >"$root/etc/group"
        cp "$kdir"/modules/*.ko "$root/lib/modules/"
        echo "${modules[@]}" >"$root/lib/netpool-modules"
        write_init "$root"
        (cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$qemu_root/netpool/initrd.gz" ||
                bail "cannot write the initramfs"
}

# A busybox that says it ran and powers off: proves that KVM boots here at all
build_probe_initramfs() {
        local root=$cache/probe
        rm -rf "$root"
        mkdir -p "$root/bin"
        cp /bin/busybox "$root/bin/busybox"
        ln -s busybox "$root/bin/sh"
        printf '#!/bin/sh\necho NETPOOL-PROBE-OK\n/bin/busybox poweroff -f\n' >"$root/init"
        chmod +x "$root/init"
        (cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$qemu_root/netpool/probe.gz" ||
                bail "cannot write the probe initramfs"
}

# boot ACCEL SECONDS INITRD LOG [QEMU ARGS...]: qemu of the chroot; the kernel and initramfs are in its /netpool
boot() {
        local accel=$1 limit=$2 initrd=$3 out=$4
        shift 4
        timeout -k 5 "$limit" chroot "$qemu_root" qemu-system-x86_64 -accel "$accel" -M q35 -m 1024 -smp 1 \
                -cpu max -nodefaults -nographic -no-reboot -serial stdio "$@" \
                -kernel /netpool/vmlinuz -initrd "/netpool/$initrd" \
                -append "console=ttyS0 quiet panic=-1 rdinit=/init intel_iommu=on iommu=pt" </dev/null >"$out" 2>&1
        qemu_rc=$?
}

# kvm or tcg: KVM only where a short boot under it finishes; a /dev/kvm that exists but does not work (seen:
# the guest hangs after "Booting from ROM...") must cost a few seconds, not the test's whole timeout
choose_accel() {
        if [ "${NETPOOL_TESTBED_ACCEL:-}" = tcg ] || [ ! -w /dev/kvm ]; then
                echo tcg
                return
        fi
        [ -e "$qemu_root/dev/kvm" ] || mknod "$qemu_root/dev/kvm" c 10 232
        build_probe_initramfs
        boot kvm "$kvm_probe_timeout" probe.gz "$cache/probe.log"
        if tr -d '\r' <"$cache/probe.log" | grep -q '^NETPOOL-PROBE-OK'; then
                echo kvm
        else
                log "KVM did not boot a probe within ${kvm_probe_timeout}s (qemu exit $qemu_rc): using TCG" >&2
                echo tcg
        fi
}

# Prints the test's TAP lines from the serial log; fails when the guest did not finish or its test failed
report() {
        local serial end tap
        serial=$(tr -d '\r\033' <"$cache/serial.log")
        end=$(echo "$serial" | sed -n 's/^NETPOOL-TAP-END \([0-9]*\)$/\1/p' | tail -n1)
        if [ -z "$end" ]; then
                echo "$serial" | tail -n 40 | sed 's/^/# /'
                bail "the VM ended without finishing the test (qemu exit $qemu_rc, serial log $cache/serial.log)"
        fi
        echo "$serial" | grep '^NETPOOL-ERROR' | sed 's/^NETPOOL-ERROR /Bail out! /'
        # the test's own lines only: kernel messages may come between them
        tap=$(echo "$serial" | sed -n '/NETPOOL-TAP-BEGIN$/,/^NETPOOL-TAP-END/p' | sed '1d;$d' |
                grep -E '^(ok|not ok|1\.\.[0-9]+|#|Bail out!)')
        echo "$tap"
        echo "$tap" | grep -qE '^1\.\.[0-9]+' || bail "no TAP plan came back from the VM (serial log $cache/serial.log)"
        [ "$end" -eq 0 ]
}

main() {
        local start=$SECONDS kdir accel
        need_tools
        mkdir -p "$cache" || bail "cannot create $cache"
        resolve_kernel
        kdir=$cache/guest-$krel-$kver-udev-$uver
        if [ ! -f "$kdir/udevadm" ]; then
                rm -rf "$cache"/guest-*              # products of another kernel or udev
                build_guest_files "$kdir"
        fi
        [ -x "$qemu_root/usr/bin/qemu-system-x86_64" ] || build_qemu_root
        mkdir -p "$qemu_root/netpool"
        cp "$kdir/vmlinuz" "$qemu_root/netpool/vmlinuz" || bail "cannot copy the kernel into $qemu_root"
        build_initramfs "$kdir"
        accel=$(choose_accel)
        log "booting $kpkg $kver with an emulated igb under qemu $accel ($((SECONDS - start)) s of setup)"
        boot "$accel" "$boot_timeout" initrd.gz "$cache/serial.log" \
                -device intel-iommu,intremap=off -device pcie-root-port,id=rp0,slot=1,chassis=1 \
                -netdev hubport,id=n0,hubid=0 -device igb,bus=rp0,netdev=n0,mac=52:54:00:aa:bb:01
        if [ "$accel" = kvm ] && ! tr -d '\r' <"$cache/serial.log" | grep -q '^NETPOOL-TAP-END'; then
                log "the KVM boot did not finish (qemu exit $qemu_rc); booting again with TCG"
                boot tcg "$boot_timeout" initrd.gz "$cache/serial.log" \
                        -device intel-iommu,intremap=off -device pcie-root-port,id=rp0,slot=1,chassis=1 \
                        -netdev hubport,id=n0,hubid=0 -device igb,bus=rp0,netdev=n0,mac=52:54:00:aa:bb:01
        fi
        log "the testbed took $((SECONDS - start)) s"
        report
}

main
