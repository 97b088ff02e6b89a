# SPDX-License-Identifier: LGPL-2.1-or-later
# The integration tests' calls and fixtures, one of each: port and network XML, Allocate/Release, devices,
# the sim host, and netpoolctl with its output captured. Sourced by lib.sh (which keeps the harness: TAP, the
# private bus, the daemon); a test sources lib.sh only.
#
# bash and awk only: these run hundreds of times per test, and a python3 start costs more than a bus call.
# Helpers that build XML take keyword arguments (key=value, any order); an unknown key is an error.

# np_kwargs FUNCTION KEYS -- ARGS...: sets each key=value of ARGS as the caller's local KEY (the caller
# declares them local first); a key not in KEYS fails
np_kwargs() {
        local _np_fn=$1 _np_keys=$2 _np_kv
        shift 3
        for _np_kv; do
                if [[ $_np_kv != *=* || " $_np_keys " != *" ${_np_kv%%=*} "* ]]; then
                        echo "$_np_fn: unknown argument '$_np_kv' (takes: $_np_keys)" >&2
                        return 1
                fi
                printf -v "${_np_kv%%=*}" '%s' "${_np_kv#*=}"
        done
}

# ---- object paths (np_net_path is in lib.sh) and bus names ----

# np_port_path UUID
np_port_path() {
        np_path_encode /org/netpool1/port "$1"
}

# np_has_owner NAME: is NAME owned on the private bus?
np_has_owner() {
        [ "$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                NameHasOwner s "$1" 2>/dev/null)" = "b true" ]
}

# ---- network XML and the fixture networks ----

# np_net_xml name=N [uuid=U] mode=M [managed=yes] [pf=DEV] [interface=DEV] [extra=CHILDREN]: a <network> laid out
# as netpoolctl's examples are (one element a line); extra= goes after </forward>, as given
np_net_xml() {
        local name= uuid= mode= managed= pf= interface= extra=
        np_kwargs np_net_xml "name uuid mode managed pf interface extra" -- "$@" || return 1
        printf '<network>\n  <name>%s</name>\n' "$name"
        [ -z "$uuid" ] || printf '  <uuid>%s</uuid>\n' "$uuid"
        printf "  <forward mode='%s'%s>\n" "$mode" "${managed:+ managed='$managed'}"
        [ -z "$pf" ] || printf "    <pf dev='%s'/>\n" "$pf"
        [ -z "$interface" ] || printf "    <interface dev='%s'/>\n" "$interface"
        printf '  </forward>\n%s</network>\n' "$extra"
}

# np_fixture NAME [UUID]: writes $NP_DIR/NAME.xml, one of the networks the netpoolctl tests share:
#   sriov-a  hostdev (managed) over the 8 VFs of eth0, with UUID if given
#   uplink   vepa over sfc0's one interface, with UUID if given
np_fixture() {
        case $1 in
        sriov-a) np_net_xml name=sriov-a uuid="${2:-}" mode=hostdev managed=yes pf=eth0 ;;
        uplink) np_net_xml name=uplink uuid="${2:-}" mode=vepa interface=sfc0 ;;
        *) echo "np_fixture: no fixture '$1'" >&2; return 1 ;;
        esac >"$NP_DIR/$1.xml"
}

# np_define NAME FORWARD-ELEMENT [EXTRA-CHILDREN]: a persistent network, on one line
np_define() {
        busctl --system call org.netpool1 /org/netpool1 org.netpool1.Manager DefineNetwork st \
                "<network><name>$1</name>$2${3:-}</network>" 0 >/dev/null
}
np_start() {
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network Start t 0 >/dev/null
}
# np_define_start NAME FORWARD-ELEMENT [EXTRA-CHILDREN]
np_define_start() {
        np_define "$@" && np_start "$1"
}
# np_stop NAME [FLAGS]: FLAGS 1 is FORCE
np_stop() {
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network Stop t "${2:-0}" >/dev/null
}

# ---- ports ----

# np_port_xml [mac=M] [uuid=U] [owner=NAME] [owner_uuid=U] [vlan=TAG] [extra=CHILDREN] [plug_pci=BDF] [np_plug=ATTRS]:
# a <networkport> laid out as the daemon writes one. Without uuid= it has none (the daemon picks one); the owner
# defaults to $NP_OWNER_NAME / $NP_OWNER_UUID (a test sets them once), else vm-test and
# b0b0b0b0-0000-4000-8000-0000000000cc. extra= goes after the <vlan>, as given; plug_pci= is the hostdev-pci
# plug (managed, no driver) of the VF at BDF; np_plug= the attributes of the <netpool:plug> after it.
np_port_xml() {
        local mac= uuid= owner=${NP_OWNER_NAME:-vm-test} owner_uuid=${NP_OWNER_UUID:-b0b0b0b0-0000-4000-8000-0000000000cc}
        local vlan= extra= plug_pci= np_plug=
        np_kwargs np_port_xml "mac uuid owner owner_uuid vlan extra plug_pci np_plug" -- "$@" || return 1
        printf '<networkport>\n'
        [ -z "$uuid" ] || printf '  <uuid>%s</uuid>\n' "$uuid"
        printf '  <owner>\n    <name>%s</name>\n    <uuid>%s</uuid>\n  </owner>\n' "$owner" "$owner_uuid"
        [ -z "$mac" ] || printf "  <mac address='%s'/>\n" "$mac"
        [ -z "$vlan" ] || printf "  <vlan>\n    <tag id='%s'/>\n  </vlan>\n" "$vlan"
        printf '%s' "$extra"
        if [ -n "$plug_pci" ]; then
                printf "  <plug type='hostdev-pci' managed='yes'>\n"
                printf "    <address domain='0x%s' bus='0x%s' slot='0x%s' function='0x%s'/>\n" \
                        "${plug_pci:0:4}" "${plug_pci:5:2}" "${plug_pci:8:2}" "${plug_pci:11:1}"
                printf '  </plug>\n'
        fi
        [ -z "$np_plug" ] || printf "  <netpool:plug xmlns:netpool='urn:netpool:xml:1' %s/>\n" "$np_plug"
        printf '</networkport>\n'
}

# np_allocate_call NET XML [FLAGS]: the bare Allocate through dbus-send (whose errors name the D-Bus error),
# for expect_error
np_allocate_call() {
        np_send "$(np_net_path "$1")" Network.Allocate string:"$2" uint64:"${3:-0}"
}
# np_allocate NET XML: Allocate; the port XML the daemon answers lands in NP_PORT_XML, a failure's message
# in the log
np_allocate() {
        NP_PORT_XML=
        np_allocate_call "$1" "$2" >"$NP_DIR/alloc.out" 2>&1 || {
                sed 's/^/# /' "$NP_DIR/alloc.out"
                return 1
        }
        NP_PORT_XML=$(sed -n '/^   string "/,$p' "$NP_DIR/alloc.out" | sed -e '1s/^   string "//' -e '$d')
}
# np_release NET UUID
np_release() {
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network Release st "$2" 0 >/dev/null
}

# ---- devices, VFs, records ----

# np_bus_rows N: busctl prints an array of structs as 'a(...) COUNT "s" "s" 1 ...'; the rows are every N
# words after the count (none of these strings holds a blank), "" shown as -
np_bus_rows() {
        awk -v n="$1" '{ for (i = 3; i <= NF; i++) { v = $i; gsub(/"/, "", v); if (v == "") v = "-";
                         printf "%s%s", v, ((i - 2) % n == 0 ? "\n" : " ") } }'
}
# np_devices NET: GetDevices, a line a device: "id netdev pci pf vf state connections port"
np_devices() {
        busctl --system call org.netpool1 "$(np_net_path "$1")" org.netpool1.Network GetDevices t 0 | np_bus_rows 8
}
# np_device_state NET ID
np_device_state() {
        np_devices "$1" | awk -v id="$2" '$1 == id { print $6 }'
}
# np_vfst PFBDF VF [P]: "mac vlan qos spoofchk trust link_state" as the sim holds them
np_vfst() {
        local d=$NP_SIM/vfstate/$1/vf$2/p${3:-1}
        echo $(cat "$d/mac" "$d/vlan" "$d/qos" "$d/spoofchk" "$d/trust" "$d/link_state")
}
# np_vf_records: the VF records on disk, blank-separated
np_vf_records() {
        ls "$NP_DIR/run/vf" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}
# np_simhost CHANGE...: change the sim host (hot-plug, faults); the daemon notices by itself
np_simhost() {
        "$NETPOOL_SIMHOST" "$NP_SIM" -q "$@" >/dev/null
}
# np_kill9: kill -9 the running netpoold and wait until it is gone (the next call activates a new one)
np_kill9() {
        local pid
        pid=$(np_daemon_pid)
        [ -n "$pid" ] || return 1
        kill -9 "$pid" && np_wait_gone "$pid"
}

# np_says DESCRIPTION TEXT: the output of the last check/expect_error holds TEXT
np_says() {
        if grep -qF -- "$2" "$NP_DIR/last.out"; then
                ok "$1"
        else
                not_ok "$1"
                echo "#   wanted: $2"
                sed 's/^/#   message: /' "$NP_DIR/last.out"
        fi
}

# ---- agents in python3-dbus ----

# np_need_python_dbus: NP_PY is a python3 that has python3-dbus (it may be only in the system's python3: a pyenv
# one in PATH lacks it), or the test is skipped
np_need_python_dbus() {
        local py
        NP_PY=
        for py in python3 /usr/bin/python3; do
                if "$py" -c 'import dbus' 2>/dev/null; then
                        NP_PY=$py
                        return 0
                fi
        done
        skip_all "no python3 with python3-dbus (import dbus)"
}

# ---- AllocateWithOptions through np-plug-client.py (python3-dbus: np_need_python_dbus first) ----

# np_awo NETWORK [KEY:TYPE:VALUE...]: AllocateWithOptions of the port XML in $NP_DIR/in.xml; the answer in
# $NP_DIR/awo.out (port=, result.KEY=, error=, message=), the port XML in $NP_DIR/out.xml; PORT is the object
# path, "" on an error
np_awo() {
        local net=$1
        shift
        rm -f "$NP_DIR/out.xml"
        "$NP_PY" "$(dirname "${BASH_SOURCE[0]}")/np-plug-client.py" "$(np_net_path "$net")" "$NP_DIR/in.xml" \
                "$NP_DIR/out.xml" "$@" >"$NP_DIR/awo.out" 2>&1
        local rc=$?
        PORT=$(np_awo_res port)
        return $rc
}
# np_awo_res KEY: the value of a line KEY=VALUE of the last np_awo ("" when absent)
np_awo_res() {
        sed -n "s|^$1=||p" "$NP_DIR/awo.out" | head -1
}
# np_awo_allocate DESCRIPTION NETWORK [OPTIONS...]: a check that the allocation succeeds
np_awo_allocate() {
        local desc=$1
        shift
        if np_awo "$@"; then
                ok "$desc"
        else
                not_ok "$desc"
                sed 's/^/# /' "$NP_DIR/awo.out"
        fi
}
# np_awo_refused DESCRIPTION ERROR-NAME NETWORK [OPTIONS...]: the allocation fails with that D-Bus error; its
# message in last.out for np_says
np_awo_refused() {
        local desc=$1 name=$2
        shift 2
        np_awo "$@"
        cp "$NP_DIR/awo.out" "$NP_DIR/last.out"
        expect_eq "$desc" "error=$name" "$(grep '^error=' "$NP_DIR/awo.out" || head -3 "$NP_DIR/awo.out")"
        sed -n 's/^message=/# message: /p' "$NP_DIR/awo.out"
}

# ---- netpoolctl, its output captured ----

# ctl ARGS...: runs netpoolctl (stdin as the caller's); leaves its stdout, stderr and exit status in $out, $err
# and $rc
ctl() {
        rc=0
        out=$(np_ctl "$@" 2>"$NP_DIR/stderr") || rc=$?
        err=$(<"$NP_DIR/stderr")
}
# result: "STATUS|STDOUT|STDERR" of the last ctl, so one comparison covers all three
result() {
        printf '%s|%s|%s' "$rc" "$out" "$err"
}
# json_eq DESCRIPTION EXPECTED-JSON: the last ctl succeeded, wrote nothing on stderr, and its stdout parses to
# the same JSON value as EXPECTED-JSON
json_eq() {
        check "$1" python3 - "$2" "$out" "$rc" "$err" <<'EOP'
import json, sys
want, text, rc, err = sys.argv[1:]
assert rc == "0" and err == "", (rc, err)
got = json.loads(text)
assert got == json.loads(want), "got:\n" + json.dumps(got, indent=2)
EOP
}
# expect_usage DESCRIPTION FIRST-LINE-OF-STDERR ARGS...: a usage error: status 2, nothing on stdout
expect_usage() {
        local desc=$1 first=$2
        shift 2
        ctl "$@"
        expect_eq "$desc" "2||$first" "$rc||${err%%$'\n'*}"
}

