#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# igb testbed: netpoold end to end on a real kernel with a real SR-IOV PCI device. Debian 12's kernel boots
# under Debian 13's qemu (a debootstrap chroot: Debian 12's qemu 7.2 has no igb) with an emulated Intel 82576
# (igb, 7 VFs possible) behind an intel-iommu; the initramfs holds netpoold, netpoolctl, dbus-daemon with
# Debian's system bus configuration and the project's activation file and bus policy, udevd, and
# igb-guest-test.sh, whose TAP lines come back over the serial console.
#
# usage: run-igb-testbed.sh CACHE-DIR GUEST-TEST IGB-DISCOVER NETPOOLD NETPOOLCTL SERVICE-FILE POLICY-FILE HW-TEST
#        PLUG-CLIENT
# (HW-TEST: test-hw-linux-kernel, whose igb cases the guest runs first: the plug through the hw layer;
# PLUG-CLIENT: igb-plug-client, the agent of igb-guest-plug.sh, which GUEST-TEST sources from its directory)
# Anything that cannot be fetched makes it print "1..0 # SKIP <reason>" and exit 0 (meson 1.0 counts a TAP
# test's 77 as a failure); a testbed that was built but does not finish fails.
#
# Environment: NETPOOL_TESTBED_TIMEOUT (the test boot, default 900 s), NETPOOL_TESTBED_KVM_TIMEOUT (the KVM
# probe boot, default 15 s), NETPOOL_TESTBED_ACCEL=tcg (no KVM probe), NETPOOL_TESTBED_MIRROR (debootstrap's
# Debian mirror; by default the one this machine's apt sources name, see debian-mirror.sh).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/testbed-lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/debian-mirror.sh"

cache=$1 guest_test=$2 igb_discover=$3 netpoold=$4 netpoolctl=$5 service_file=$6 policy_file=$7 hw_test=${8:-}
plug_client=${9:-}
boot_timeout=${NETPOOL_TESTBED_TIMEOUT:-900}
kvm_probe_timeout=${NETPOOL_TESTBED_KVM_TIMEOUT:-15}
suite=trixie
mirror=${NETPOOL_TESTBED_MIRROR:-$(debian_mirror)}
qemu_root=$cache/qemu-$suite
# insmod at boot, in this order: igb needs dca and i2c-algo-bit
boot_modules=(dca i2c-algo-bit igb igbvf)
# kept at their paths under /lib/modules/<release>/kernel for the guest's busybox depmod and modprobe: vfio-pci
# with the rest of the vfio stack (hw_function_bind_driver loads it through modprobe, as on a host where it is
# not loaded yet), macvtap and 8021q with what they need (the kernel's request_module() loads them)
tree_modules=(irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci macvlan tap macvtap llc stp garp mrp
              8021q)
launch_helper=/usr/lib/dbus-1.0/dbus-daemon-launch-helper
system_conf=/usr/share/dbus-1/system.conf

need_tools() {
        local f
        [ "$(id -u)" -eq 0 ] || skip_all "debootstrap and chroot need root"
        need_commands debootstrap chroot cpio gzip dpkg-deb apt-get apt-cache ldd ip bash dbus-daemon dbus-send \
                busctl timeout
        for f in "$launch_helper" "$system_conf" /usr/share/misc/pci.ids; do
                [ -e "$f" ] || skip_all "no $f (scripts/install-deps.sh installs dbus and pci.ids)"
        done
        for f in "$guest_test" "$igb_discover" "$netpoold" "$netpoolctl" "$service_file" "$policy_file" "$hw_test" \
                 "$plug_client" "$(dirname "$guest_test")/igb-guest-plug.sh" "$(dirname "$guest_test")/igb-guest-vf.sh"; do
                [ -e "$f" ] || bail "no $f: the build is incomplete"
        done
}

# The kernel package (testbed-lib.sh), and the version of udev to take.
resolve_kernel() {
        resolve_kernel_package
        # udevd must match the host's libsystemd-shared, which it links to
        uver=$(dpkg-query -W -f='${Version}' libsystemd-shared 2>/dev/null)
        [ -n "$uver" ] || skip_all "libsystemd-shared is not installed (systemd is)"
}

# vmlinuz, the modules the test loads, and systemd-udevd (udevadm) of the host's systemd, into $1
build_guest_files() {
        local out=$1 work=$cache/work m f rel
        rm -rf "$work" "$out.tmp"
        mkdir -p "$work/root" "$out.tmp/modules" "$out.tmp/kernel"
        fetch_debs "$cache/debs" "$kpkg=$kver" "udev=$uver"
        log "unpacking $kpkg $kver and udev $uver"
        dpkg-deb -x "$cache"/debs/"$kpkg"_*.deb "$work/root" || skip_all "cannot unpack $kpkg"
        dpkg-deb -x "$cache"/debs/udev_*.deb "$work/root" || skip_all "cannot unpack udev"
        cp "$work/root/boot/vmlinuz-$krel" "$out.tmp/vmlinuz" || skip_all "$kpkg has no vmlinuz"
        for m in "${boot_modules[@]}" "${tree_modules[@]}"; do
                f=$(find "$work/root/lib/modules/$krel" -name "$m.ko*" | head -n1)
                rel=modules/$m.ko
                if [[ " ${tree_modules[*]} " == *" $m "* ]]; then
                        rel=${f#"$work/root/lib/modules/$krel/"}
                        rel=${rel%.xz}
                        mkdir -p "$out.tmp/$(dirname "$rel")"
                fi
                case "$f" in
                "") skip_all "$kpkg has no $m.ko" ;;
                *.xz) xz -dc "$f" >"$out.tmp/$rel" ;;
                *.zst) skip_all "$f is zstd-compressed; busybox insmod cannot load it" ;;
                *) cp "$f" "$out.tmp/$rel" ;;
                esac
        done
        echo "${boot_modules[*]} ${tree_modules[*]}" >"$out.tmp/module-list"
        cp "$work/root/bin/udevadm" "$out.tmp/udevadm" || skip_all "udev $uver has no udevadm"
        mv "$out.tmp" "$out" || bail "cannot fill $out"
        # the products are the cache; the packages and the unpacked tree are not needed again
        rm -rf "$work" "$cache/debs"
}

# Debian 13's qemu in a chroot of its own, made by debootstrap from the machine's Debian mirror
build_qemu_root() {
        local s=$SECONDS
        rm -rf "$qemu_root.tmp"
        [ -n "$mirror" ] || skip_all "no Debian mirror among apt's sources (/etc/apt/sources.list," \
                "sources.list.d/*.list, *.sources) for debootstrap; set NETPOOL_TESTBED_MIRROR"
        log "debootstrap $suite with qemu-system-x86 from $mirror (about a minute, once)"
        if ! debootstrap --variant=minbase --include=qemu-system-x86 "$suite" "$qemu_root.tmp" "$mirror" \
                >"$cache/debootstrap.log" 2>&1; then
                tail -n 5 "$cache/debootstrap.log" | sed 's/^/# /'
                rm -rf "$qemu_root.tmp"
                skip_all "cannot debootstrap Debian $suite with qemu-system-x86 from $mirror" \
                     "($(grep -m1 -E '^E:' "$cache/debootstrap.log" || echo "see $cache/debootstrap.log"))"
        fi
        chroot "$qemu_root.tmp" qemu-system-x86_64 -device help 2>/dev/null | grep -q '^name "igb"' ||
                skip_all "the qemu of Debian $suite emulates no igb"
        mv "$qemu_root.tmp" "$qemu_root" || bail "cannot fill $qemu_root"
        log "debootstrap took $((SECONDS - s)) s"
}

# The path the activation file starts netpoold from: the test uses the file as built, so netpoold goes there
service_exec() {
        sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$service_file" | head -n1
}

write_init() {
        cat >"$1/init" <<'EOF'
#!/bin/sh
# VM side: the system's mounts, the igb modules, modules.dep for the rest, udevd, the system bus; then the test,
# then off.
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
# modules.dep for /sbin/modprobe (busybox's), which the hw layer and the kernel's request_module() run
depmod || { echo "NETPOOL-ERROR depmod failed"; finish 1; }
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
        copy_with_libs "$root" "$hw_test" usr/bin/test-hw-linux-kernel
        copy_with_libs "$root" "$plug_client" usr/bin/igb-plug-client
        ln -s /bin/busybox "$root/sbin/modprobe"
        mkdir -p "$root/lib/modules/$krel"
        cp -r "$kdir/kernel" "$root/lib/modules/$krel/kernel"
        cp "$guest_test" "$root/test/igb-guest-test.sh"
        cp "$(dirname "$guest_test")/igb-guest-plug.sh" "$root/test/igb-guest-plug.sh"
        cp "$(dirname "$guest_test")/igb-guest-vf.sh" "$root/test/igb-guest-vf.sh"
        cp "$testbed_tap_file" "$root/test/tap.sh"
        # the system bus as Debian configures it, with the project's policy and activation file
        mkdir -p "$root/usr/share/dbus-1/system.d" "$root/usr/share/dbus-1/system-services" "$root/usr/share/misc"
        cp "$system_conf" "$root/usr/share/dbus-1/system.conf"
        cp "$policy_file" "$root/usr/share/dbus-1/system.d/org.netpool1.conf"
        cp "$service_file" "$root/usr/share/dbus-1/system-services/org.netpool1.service"
        cp -L /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"
        printf 'root:x:0:0:root:/root:/bin/sh\nmessagebus:x:100:101::/nonexistent:/bin/false\n' >"$root/etc/passwd"
        printf 'root:x:0:\nmessagebus:x:101:\n' >"$root/etc/group"
        cp "$kdir"/modules/*.ko "$root/lib/modules/"
        echo "${boot_modules[@]}" >"$root/lib/netpool-modules"
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
        if ! kvm_wanted; then
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

main() {
        local start=$SECONDS kdir accel
        need_tools
        mkdir -p "$cache" || bail "cannot create $cache"
        resolve_kernel
        kdir=$cache/guest-$krel-$kver-udev-$uver
        if [ ! -f "$kdir/udevadm" ] ||
           [ "$(cat "$kdir/module-list" 2>/dev/null)" != "${boot_modules[*]} ${tree_modules[*]}" ]; then
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
        if [ "$accel" = kvm ] && ! serial_finished "$cache/serial.log"; then
                log "the KVM boot did not finish (qemu exit $qemu_rc); booting again with TCG"
                boot tcg "$boot_timeout" initrd.gz "$cache/serial.log" \
                        -device intel-iommu,intremap=off -device pcie-root-port,id=rp0,slot=1,chassis=1 \
                        -netdev hubport,id=n0,hubid=0 -device igb,bus=rp0,netdev=n0,mac=52:54:00:aa:bb:01
        fi
        log "the testbed took $((SECONDS - start)) s"
        report_serial "$cache/serial.log"
}

main
