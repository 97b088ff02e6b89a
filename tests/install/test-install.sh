#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Concept: meson install of netpool, checked from the outside: where each file lands (for a /usr
# build, with every directory option overridden, and for this build with --destdir, as nobody),
# what the activation file and unit say, systemd-analyze's view of the unit, the man pages, and the
# bash completion, last against the installed netpoold running with CAP_NET_ADMIN only.
#
# Environment (from tests/install/meson.build): NETPOOL_BUILD_ROOT, NETPOOL_SOURCE_ROOT, NETPOOLD,
# NETPOOLCTL, NETPOOL_SIMHOST, and NP_*DIR: the directories this build installs to.
source "$NETPOOL_SOURCE_ROOT/tests/integration/lib.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/netpool-install.XXXXXX")
chmod 755 "$TMP"
NP_DIR=$TMP     # where check() keeps its output until np_setup makes the daemon's directory
trap 'rm -rf "$TMP"' EXIT

skip_one() {
        np_tap_n=$((np_tap_n + 1))
        echo "ok $np_tap_n - $1 # SKIP $2"
}

# expect_lines DESCRIPTION EXPECTED ACTUAL: two newline-separated lists, compared as sorted sets
expect_lines() {
        local diff
        diff=$(diff <(sort -u <<<"$2") <(sort -u <<<"$3"))
        if [ -z "$diff" ]; then
                ok "$1"
        else
                not_ok "$1"
                sed 's/^/# /' <<<"$diff"
        fi
}

# --- 1. Where a /usr build and a build with every directory option set put each file ---

# installed_paths BUILDDIR: every destination `meson install` would write, one per line
installed_paths() {
        python3 -c 'import json, sys
for path in json.load(open(sys.argv[1])).values():
        print(path)' "$1/meson-info/intro-installed.json"
}

# configure NAME MESON-ARGS...: a build directory that is set up, never built
configure() {
        local dir=$TMP/$1
        shift
        meson setup "$@" "$dir" "$NETPOOL_SOURCE_ROOT" >"$TMP/setup.log" 2>&1 ||
                { sed 's/^/# /' "$TMP/setup.log"; return 1; }
}

layout_files() {        # DIRS... as in the expected lists below, in that order
        local sbin=$1 bin=$2 units=$3 services=$4 interfaces=$5 policy=$6 actions=$7 man=$8 completions=$9
        local doc=${10} cockpit=${11} f
        printf '%s\n' "$sbin/netpoold" "$bin/netpoolctl" "$bin/netpool-simhost" \
                "$units/netpoold.service" "$services/org.netpool1.service" \
                "$interfaces/org.netpool1.Manager.xml" "$interfaces/org.netpool1.Network.xml" \
                "$interfaces/org.netpool1.Port.xml" "$interfaces/org.netpool1.Statistics.xml" \
                "$interfaces/org.netpool1.Device.xml" \
                "$policy/org.netpool1.conf" \
                "$actions/org.netpool1.policy" "$man/man8/netpoold.8" "$man/man1/netpoolctl.1" \
                "$man/man5/netpool.network.5" "$man/man5/netpool-dbus.5" "$completions/netpoolctl" \
                "$doc/system-integration.md" "$doc/examples/50-netpool-libvirt-qemu.rules" \
                "$doc/examples/50-netpool-netadmin.rules"
        for f in manifest.json index.html netpool.css app.js model.js networks-view.js detail-view.js \
                        dialogs.js widgets.js dom.js; do
                echo "$cockpit/$f"
        done
}

# unit_settings BUILDDIR: the unit's directory settings
unit_settings() {
        grep -E '^(RuntimeDirectory|RuntimeDirectoryPreserve|StateDirectory|ConfigurationDirectory|ReadWritePaths)=' \
                "$1/units/netpoold.service"
}

if configure usr --prefix=/usr; then
        # Debian's places: where dbus-daemon, polkitd, systemd, man and bash-completion look
        expect_lines "prefix=/usr: every file where the system looks for it" \
                "$(layout_files /usr/sbin /usr/bin /usr/lib/systemd/system /usr/share/dbus-1/system-services \
                        /usr/share/dbus-1/interfaces /usr/share/dbus-1/system.d /usr/share/polkit-1/actions \
                        /usr/share/man /usr/share/bash-completion/completions /usr/share/doc/netpool \
                        /usr/share/cockpit/netpool)" \
                "$(installed_paths "$TMP/usr")"
        expect_lines "prefix=/usr: state in RuntimeDirectory (kept across stops), config dir made writable" \
                "$(printf '%s\n' RuntimeDirectory=netpool RuntimeDirectoryPreserve=yes \
                        ConfigurationDirectory=netpool/networks ReadWritePaths=/etc/netpool/networks)" \
                "$(unit_settings "$TMP/usr")"
        expect_eq "prefix=/usr: the activation file runs /usr/sbin/netpoold" "Exec=/usr/sbin/netpoold" \
                "$(grep '^Exec=' "$TMP/usr/service/org.netpool1.service")"
else
        not_ok "meson setup --prefix=/usr"
fi

if configure custom --prefix=/opt/np -Dsystemd_system_unit_dir=/o/units \
                -Ddbus_system_services_dir=/o/services -Ddbus_interfaces_dir=/o/interfaces \
                -Ddbus_system_policy_dir=/o/policy -Dpolkit_actions_dir=/o/actions -Dmandir=/o/man \
                -Dbash_completion_dir=/o/completions -Dstate_dir=/var/lib/np-state \
                -Dconfig_dir=/srv/np-config; then
        expect_lines "every directory option moves its files" \
                "$(layout_files /opt/np/sbin /opt/np/bin /o/units /o/services /o/interfaces /o/policy \
                        /o/actions /o/man /o/completions /opt/np/share/doc/netpool /opt/np/share/cockpit/netpool)" \
                "$(installed_paths "$TMP/custom")"
        expect_lines "a state dir under /var/lib is a StateDirectory, another config dir a ReadWritePaths" \
                "$(printf '%s\n' StateDirectory=np-state ReadWritePaths=-/srv/np-config)" \
                "$(unit_settings "$TMP/custom")"
else
        not_ok "meson setup with every directory option"
fi

# --- 2. meson install --destdir of this build, without root where we can ---

INSTALL_HOME=$TMP/installer
mkdir -p "$INSTALL_HOME"
build=$NETPOOL_BUILD_ROOT
run_install=()
installer=$(id -un)
if [ "$(id -u)" -ne 0 ]; then
        :
elif ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
        echo "# installing as root: no setpriv or no user nobody here"
elif ! setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- \
                test -r "$NETPOOL_BUILD_ROOT/build.ninja" -a -r "$NETPOOL_SOURCE_ROOT/meson.build"; then
        # the install plan names files of the build and source trees, which must be nobody's to read
        echo "# installing as root: nobody cannot read $NETPOOL_SOURCE_ROOT or $NETPOOL_BUILD_ROOT" \
                "(a tree under a directory closed to others, such as /root)"
else
        # meson install writes its log into the build dir, which is root's: install from a copy
        echo "# installing from a copy of the build dir"
        installer=nobody
        cp -a "$NETPOOL_BUILD_ROOT" "$INSTALL_HOME/build"
        chown -R nobody "$INSTALL_HOME"
        build=$INSTALL_HOME/build
        run_install=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
fi
DESTDIR=$INSTALL_HOME/root
check "meson install --destdir, as $installer" \
        "${run_install[@]}" env HOME="$INSTALL_HOME" meson install -C "$build" --no-rebuild --destdir "$DESTDIR"

expect_lines "every file lands under DESTDIR where this build says, and nothing else" \
        "$(layout_files "$NP_SBINDIR" "$NP_BINDIR" "$NP_UNIT_DIR" "$NP_DBUS_SERVICES_DIR" \
                "$NP_DBUS_INTERFACES_DIR" "$NP_DBUS_POLICY_DIR" "$NP_POLKIT_ACTIONS_DIR" "$NP_MANDIR" \
                "$NP_BASH_COMPLETION_DIR" "$NP_DOC_DIR" "$NP_COCKPIT_DIR")" \
        "$(cd "$DESTDIR" 2>/dev/null && find . -type f -o -type l | sed 's|^\.||')"

D=$DESTDIR
for program in "$NP_SBINDIR/netpoold" "$NP_BINDIR/netpoolctl" "$NP_BINDIR/netpool-simhost"; do
        check "$(basename "$program") is installed executable and runs" "$D$program" --help
done

activation=$D$NP_DBUS_SERVICES_DIR/org.netpool1.service
expect_lines "activation file: name, installed netpoold, root, the unit" \
        "$(printf '%s\n' Name=org.netpool1 "Exec=$NP_SBINDIR/netpoold" User=root SystemdService=netpoold.service)" \
        "$(grep -E '^(Name|Exec|User|SystemdService)=' "$activation")"

unit=$D$NP_UNIT_DIR/netpoold.service
expect_lines "unit: Type=dbus, BusName=org.netpool1, ExecStart the installed netpoold" \
        "$(printf '%s\n' Type=dbus BusName=org.netpool1 "ExecStart=$NP_SBINDIR/netpoold")" \
        "$(grep -E '^(Type|BusName|ExecStart)=' "$unit")"
expect_lines "no @placeholder@ is left in the installed unit and activation file" "" \
        "$(grep -H '@[a-z_]*@' "$unit" "$activation")"

for f in org.netpool1.Manager.xml org.netpool1.Network.xml org.netpool1.Port.xml org.netpool1.Statistics.xml \
         org.netpool1.Device.xml; do
        check "interface $f installed unchanged" cmp "$NETPOOL_SOURCE_ROOT/dbus-interfaces/$f" \
                "$D$NP_DBUS_INTERFACES_DIR/$f"
done
check "bus policy installed unchanged" cmp "$NETPOOL_SOURCE_ROOT/policy/org.netpool1.conf" \
        "$D$NP_DBUS_POLICY_DIR/org.netpool1.conf"
check "polkit actions installed unchanged" cmp "$NETPOOL_SOURCE_ROOT/policy/org.netpool1.policy" \
        "$D$NP_POLKIT_ACTIONS_DIR/org.netpool1.policy"
check "polkit actions declare org.netpool1.manage and org.netpool1.allocate" python3 -c '
import sys, xml.dom.minidom
ids = {a.getAttribute("id") for a in xml.dom.minidom.parse(sys.argv[1]).getElementsByTagName("action")}
assert {"org.netpool1.manage", "org.netpool1.allocate"} <= ids, ids' "$D$NP_POLKIT_ACTIONS_DIR/org.netpool1.policy"
for f in manifest.json index.html netpool.css app.js; do
        check "Cockpit page: $f installed unchanged" cmp "$NETPOOL_SOURCE_ROOT/cockpit/$f" "$D$NP_COCKPIT_DIR/$f"
done
# cockpit-bridge lists the packages it finds under $XDG_DATA_DIRS/cockpit: the installed page must be one
if command -v cockpit-bridge >/dev/null; then
        check "cockpit-bridge finds the installed package 'netpool' (\"Network pools\")" bash -c '
                XDG_DATA_DIRS="$1:/usr/share" cockpit-bridge --packages |
                        grep -E "^netpool +Network pools +$1/cockpit/netpool\$"' _ "$D$NP_DATADIR"
else
        skip_one "cockpit-bridge finds the installed page" "no cockpit-bridge (Debian package cockpit-bridge)"
fi
check "bus policy lets only root own org.netpool1" python3 -c '
import sys, xml.dom.minidom
owners = [p.getAttribute("user") or p.getAttribute("context") for p in
          xml.dom.minidom.parse(sys.argv[1]).getElementsByTagName("policy")
          if any(a.getAttribute("own") == "org.netpool1" for a in p.getElementsByTagName("allow"))]
assert owners == ["root"], owners' "$D$NP_DBUS_POLICY_DIR/org.netpool1.conf"

# --- 3. The unit as systemd sees it ---

if command -v systemd-analyze >/dev/null && mkdir -p "$TMP/verify-probe" &&
        printf '[Service]\nExecStart=/bin/true\n' >"$TMP/verify-probe/probe.service" &&
        systemd-analyze verify --man=no "$TMP/verify-probe/probe.service" >/dev/null 2>&1; then
        # verify checks that ExecStart= exists: aim it at the installed binary in DESTDIR
        mkdir -p "$TMP/verify"
        sed "s|^ExecStart=$NP_SBINDIR/|ExecStart=$D$NP_SBINDIR/|" "$unit" >"$TMP/verify/netpoold.service"
        check "systemd-analyze verify accepts the unit without a warning" bash -c '
                out=$(systemd-analyze verify --man=no "$1" 2>&1) && [ -z "$out" ] || { echo "$out"; exit 1; }' \
                _ "$TMP/verify/netpoold.service"
        verify_broken() {       # a damaged copy must be reported: the check above can fail
                sed '/^\[Service\]/a NoSuchSetting=yes' "$TMP/verify/netpoold.service" \
                        >"$TMP/verify/broken/netpoold.service"
                systemd-analyze verify --man=no "$TMP/verify/broken/netpoold.service" 2>&1 | grep -q NoSuchSetting
        }
        mkdir -p "$TMP/verify/broken"
        check "systemd-analyze verify reports a damaged copy of the unit" verify_broken

        score=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>/dev/null |
                sed -n 's/.*Overall exposure level for netpoold.service: \([0-9.]*\).*/\1/p')
        echo "# systemd-analyze security --offline=yes: $score ($(systemd-analyze --version | head -1))"
        check "exposure score $score is 2.5 or lower" python3 -c 'import sys; sys.exit(not float(sys.argv[1]) <= 2.5)' \
                "${score:-99}"
        version=$(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
        if grep -q "^systemd $version:" "$NETPOOL_SOURCE_ROOT/docs/system-integration.md"; then
                expect_eq "docs/system-integration.md records the score systemd $version gives" \
                        "systemd $version: $score" \
                        "$(grep "^systemd $version:" "$NETPOOL_SOURCE_ROOT/docs/system-integration.md" |
                           sed 's/^\(systemd [0-9]*: [0-9.]*\).*/\1/')"
        else
                skip_one "docs/system-integration.md records the score" "no score recorded for systemd $version"
        fi
else
        skip_one "systemd-analyze verify and security" "systemd-analyze cannot run here"
fi

# --- 4. Man pages ---

for page in man8/netpoold.8 man1/netpoolctl.1 man5/netpool.network.5 man5/netpool-dbus.5; do
        file=$D$NP_MANDIR/$page
        name=$(basename "$page")
        expect_eq "$name: title line names the page and section" ".TH \"${name%.*}\" \"${name##*.}\"" \
                "$(grep -m1 '^\.TH' "$file" | cut -d' ' -f1-3)"
        if command -v groff >/dev/null; then
                check "$name: groff renders it without a warning" bash -c '
                        out=$(groff -man -ww -z "$1" 2>&1) && [ -z "$out" ] || { echo "$out"; exit 1; }' _ "$file"
        else
                skip_one "$name: groff renders it" "no groff"
        fi
done

# man_default PAGE OPTION: the default a man page gives for netpoold's OPTION ("Default: X" in its paragraph)
man_default() {
        python3 - "$1" "$2" <<'PY'
import re, sys
roff = "\n".join(l for l in open(sys.argv[1]) if not l.startswith("."))
text = " ".join(re.sub(r"\\f[BIRP]|\\&", "", roff).replace("\\-", "-").split())
m = re.search(re.escape(sys.argv[2]) + r" DIR .*?Default: (\S+)", text)
print(m.group(1) if m else "(no default found)")
PY
}
# help_default NETPOOLD OPTION: the default that NETPOOLD --help gives for OPTION
help_default() {
        "$1" --help | sed -n "s/^  $2 DIR .*(default \(.*\))\$/\1/p"
}

page=$D$NP_MANDIR/man8/netpoold.8
for option in --config-dir --state-dir; do
        expect_eq "netpoold.8 gives the $option default of this build's netpoold --help" \
                "$(help_default "$D$NP_SBINDIR/netpoold" $option)" "$(man_default "$page" $option)"
done
config_dir=$(help_default "$D$NP_SBINDIR/netpoold" --config-dir)
for name in man8/netpoold.8 man5/netpool.network.5; do
        check "$(basename $name) names the definitions in $config_dir" \
                grep -qF "$config_dir/NAME.\\&xml" "$D$NP_MANDIR/$name"
done
expect_lines "no @placeholder@ is left in the installed man pages" "" \
        "$(grep -H '@[A-Z_]*@' "$D$NP_MANDIR"/man*/*)"
# the other build's options reach its pages too: build the page alone there
if ninja -C "$TMP/custom" docs/netpoold.8 >"$TMP/custom-man.log" 2>&1; then
        expect_eq "-Dconfig_dir and -Dstate_dir are the defaults netpoold.8 gives" "/srv/np-config /var/lib/np-state" \
                "$(man_default "$TMP/custom/docs/netpoold.8" --config-dir) $(man_default "$TMP/custom/docs/netpoold.8" --state-dir)"
else
        not_ok "netpoold.8 of the build with every directory option"
        sed 's/^/# /' "$TMP/custom-man.log"
fi

# --- 5. Bash completion ---

completion=$D$NP_BASH_COMPLETION_DIR/netpoolctl
CTL=$D$NP_BINDIR/netpoolctl
expect_eq "the completion registers _netpoolctl for netpoolctl" "complete -F _netpoolctl netpoolctl" \
        "$(bash -c 'source "$1" && complete -p netpoolctl' _ "$completion")"

# complete WORD...: what the completion offers for the last WORD, the words split as bash splits
# them ("--port-xml=f" is "--port-xml" "=" "f"), sorted, one a line
complete_words() {
        bash -c 'source "$1"; shift
                COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                _netpoolctl
                printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$CTL" "$@" | sort
}

# The completion reads commands and options from netpoolctl's help: compare with what the help
# says, read here another way, and with what this release is known to have
help_commands=$("$CTL" --help | awk '/^[A-Z][a-z]*:$/ { section = $0; next }
        section != "Options:" && /^  [a-z]/ { print $1 }')
offered=$(complete_words "")
expect_lines "commands offered are those of netpoolctl --help" "$help_commands" "$offered"
expect_lines "commands offered include the 0.1 ones" \
        "$(printf '%s\n' list info devices define create undefine start stop dumpxml autostart allocate \
                notify release ports port-dumpxml help)" \
        "$(grep -x -e list -e info -e devices -e define -e create -e undefine -e start -e stop -e dumpxml \
                -e autostart -e allocate -e notify -e release -e ports -e port-dumpxml -e help <<<"$offered")"
for cmd in $help_commands; do
        expect_lines "options offered after '$cmd' are those of 'netpoolctl $cmd --help'" \
                "$("$CTL" "$cmd" --help | awk '/^  --/ { sub(/=.*/, "=", $1); print $1 }
                        /^  -h, / { print $2 }')" \
                "$(complete_words "$cmd" --)"
done
expect_lines "global options before a command" "$(printf '%s\n' --json --no-ask-password --private --help --version)" \
        "$(complete_words --)"
expect_lines "options of stop" "$(printf '%s\n' --force --json --no-ask-password --private --help)" \
        "$(complete_words stop --)"
expect_lines "options of allocate that take a value end in =" \
        "$(printf '%s\n' --owner= --owner-uuid=)" "$(complete_words allocate --o)"
expect_lines "a command prefix" "$(printf '%s\n' start stop)" "$(complete_words st)"
expect_lines "help takes a command" "$(printf '%s\n' define devices dumpxml)" "$(complete_words help d)"

mkdir -p "$TMP/files" && touch "$TMP/files/port-a.xml" "$TMP/files/port-b.xml" "$TMP/files/other"
expect_lines "--port-xml=FILE completes files" "$(printf '%s\n' "$TMP/files/port-a.xml" "$TMP/files/port-b.xml")" \
        "$(complete_words allocate --port-xml = "$TMP/files/port")"
expect_lines "--port-xml FILE completes files" "$(printf '%s\n' "$TMP/files/port-a.xml" "$TMP/files/port-b.xml")" \
        "$(complete_words allocate --port-xml "$TMP/files/port")"
expect_lines "define completes files" "$TMP/files/other" "$(complete_words define "$TMP/files/o")"
expect_lines "nothing is offered for a VLAN id" "" "$(complete_words allocate --vlan "")"
expect_lines "allocate --numa-policy offers its two words" "$(printf '%s\n' preferred required)" \
        "$(complete_words allocate --numa-policy = "")"
expect_lines "an option value is not taken for the network argument" "" \
        "$(complete_words allocate --vlan 42 net "")"

# --- 6. The installed programs together: completion from a live daemon with CAP_NET_ADMIN only ---

# Changes need uid 0 here: anyone else is asked about through polkit, which the private bus lacks
if [ "$(id -u)" -ne 0 ] || ! command -v dbus-daemon >/dev/null || ! command -v busctl >/dev/null; then
        skip_one "completion of names from the installed netpoold" "not root, or no dbus-daemon or busctl"
        np_done
        exit
fi

restricted=()
if command -v setpriv >/dev/null; then
        # what netpoold.service leaves it: root, CAP_NET_ADMIN only, no new privileges (dbus-daemon
        # does not search PATH for the program it activates)
        restricted=("$(command -v setpriv)" --no-new-privs --inh-caps=-all --bounding-set=-all,+net_admin --)
fi
NETPOOLD="${restricted[*]}${restricted:+ }$D$NP_SBINDIR/netpoold"
NETPOOLCTL=$CTL
NETPOOL_SIMHOST=$D$NP_BINDIR/netpool-simhost
np_setup
trap 'np_teardown; rm -rf "$TMP"' EXIT

cat >"$NP_DIR/sriov-a.xml" <<EOX
<network>
  <name>sriov-a</name>
  <forward mode='hostdev' managed='yes'>
    <pf dev='eth0'/>
  </forward>
</network>
EOX
expect_lines "no network: nothing to start" "" "$(complete_words start "")"
check "installed netpoolctl defines a network through the installed netpoold" np_ctl define "$NP_DIR/sriov-a.xml"
if [ ${#restricted[@]} -gt 0 ]; then
        pid=$(np_daemon_pid)
        expect_lines "netpoold runs with CAP_NET_ADMIN only and no new privileges" \
                "$(printf 'CapEff:\t0000000000001000\nNoNewPrivs:\t1')" \
                "$(grep -E '^(CapEff|NoNewPrivs):' "/proc/$pid/status")"
else
        skip_one "netpoold runs with CAP_NET_ADMIN only" "no setpriv"
fi
expect_lines "start offers the inactive network" sriov-a "$(complete_words start "")"
expect_lines "stop offers no inactive network" "" "$(complete_words stop "")"
check "the network starts" np_ctl start sriov-a
expect_lines "stop offers the active network" sriov-a "$(complete_words stop s)"
expect_lines "start offers no active network" "" "$(complete_words start "")"
expect_lines "info offers networks by prefix" sriov-a "$(complete_words --json info sr)"
check "a port is allocated (VF configured through the sim by the restricted daemon)" np_ctl allocate sriov-a
port=$(np_ctl ports | awk 'NR == 2 { print $1 }')
expect_lines "release offers the port's UUID" "$port" "$(complete_words release "")"
expect_lines "notify takes a network, then a file" "$(printf '%s\n' sriov-a "$NP_DIR/sriov-a.xml")" \
        "$(complete_words notify sriov-a "$NP_DIR/sriov-a."; complete_words notify "")"

np_done
