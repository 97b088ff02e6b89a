#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Authorization edge cases, with the helpers np-test-caller (a caller that picks its uids) and
# np-fake-polkit (a stand-in polkit authority that answers when told):
# 1. the root shortcut goes by the uid the bus vouches for (the connection's), not by an effective uid read
#    from /proc when the call is handled: a caller that connected as 65534 and then became euid 0 is
#    refused like any uid 65534 caller (with libsystemd 252, SD_BUS_CREDS_EUID|SD_BUS_CREDS_AUGMENT also took
#    the euid from the bus's UnixUserID and not from /proc, so this guards the rule rather than a regression);
# 2. a call that waits for polkit while its object vanishes (network undefined, port released by root) is
#    answered when polkit answers, the daemon goes on serving, and — under valgrind — nothing is read after
#    it was freed, nothing leaks at exit, and the heap in use while it runs does not grow with such calls
#    (the waiting call's record is freed then, not kept until exit);
# 3. an unauthorized DefineNetwork of a 1 MiB definition is refused by polkit after only its <name> was
#    read (AccessDenied, not the InvalidXML the full parser gives for a fault further on).
source "$(dirname "$0")/lib.sh"

# a TAP test that cannot run prints this and exits 0 (meson 1.0 counts a non-zero exit as an error)
skip_whole() {
        echo "1..0 # SKIP $*"
        exit 0
}
[ "$(id -u)" -eq 0 ] || skip_whole "not root: the callers change their uids"
command -v dbus-daemon >/dev/null || skip_whole "no dbus-daemon"
command -v busctl >/dev/null || skip_whole "no busctl"
command -v python3 >/dev/null || skip_whole "no python3"
[ -x "${NP_TEST_CALLER:-}" ] || skip_whole "no np-test-caller (NP_TEST_CALLER)"
[ -x "${NP_FAKE_POLKIT:-}" ] || skip_whole "no np-fake-polkit (NP_FAKE_POLKIT)"

NOBODY=65534
M=/org/netpool1
SIM_ARGS=(--default --pf 'name=eth9,bdf=0000:09:00.0,model=x710,vfs=64')
OWNER=b0b0b0b0-0000-4000-8000-0000000000aa
NP_OWNER_NAME=vm1 NP_OWNER_UUID=$OWNER     # the owner of np_port_xml
BATCH=${NP_AUTH_BATCH:-50}
# the batch callers: every uid but 0 the system knows (the bus takes only those), each with at most
# POLKIT_PENDING_PER_UID_MAX (8) calls held; fewer users mean a smaller batch
BATCH_UIDS=($(getent passwd | awk -F: '$3 != 0 { print $3 }' | sort -un))
[ $((2 * BATCH)) -le $((8 * ${#BATCH_UIDS[@]})) ] || BATCH=$((4 * ${#BATCH_UIDS[@]}))
FP_PID=
FP_LOG=

auth_teardown() {
        fake_polkit_stop
        np_teardown
}

# ---- helpers ----

# caller OUT ARGS...: np-test-caller ARGS, its output in OUT; leaves its status in $rc
caller() {
        local out=$1
        shift
        rc=0
        "$NP_TEST_CALLER" "$@" >"$out" 2>&1 || rc=$?
}

# show FILE: a file's lines as TAP comments
show() {
        sed 's/^/# /' "$1"
}

# expect_grep DESCRIPTION REGEX FILE: FILE has a line matching REGEX
expect_grep() {
        if grep -Eq -- "$2" "$3"; then
                ok "$1"
        else
                not_ok "$1 (no line matches /$2/)"
                show "$3"
        fi
}

# expect_no_grep DESCRIPTION REGEX FILE: no line of FILE matches REGEX
expect_no_grep() {
        if grep -Eq -- "$2" "$3"; then
                not_ok "$1 (a line matches /$2/)"
                show "$3"
        else
                ok "$1"
        fi
}

# fake_polkit_start ARGS...: np-fake-polkit ARGS, logging to $FP_LOG, until it owns the polkit name
fake_polkit_start() {
        FP_LOG=$NP_DIR/fake-polkit.$((${FP_N:-0} + 1)).log
        FP_N=$((${FP_N:-0} + 1))
        "$NP_FAKE_POLKIT" "$@" >"$FP_LOG" 2>&1 &
        FP_PID=$!
        for _ in $(seq 200); do
                np_has_owner org.freedesktop.PolicyKit1 && return 0
                sleep 0.05
        done
        cat "$FP_LOG"
        return 1
}

fake_polkit_stop() {
        [ -n "$FP_PID" ] || return 0
        kill "$FP_PID" 2>/dev/null
        np_wait_gone "$FP_PID"
        wait "$FP_PID" 2>/dev/null
        FP_PID=
        for _ in $(seq 200); do
                np_has_owner org.freedesktop.PolicyKit1 || return 0
                sleep 0.05
        done
        return 1
}

fp_count() {    # fp_count WORD: lines of the fake polkit's log that start with WORD
        grep -c "^$1 " "$FP_LOG"
}

# fp_wait WORD N: until the fake polkit has logged N lines starting with WORD (up to 60 s)
fp_wait() {
        for _ in $(seq 1200); do
                [ "$(fp_count "$1")" -ge "$2" ] && return 0
                sleep 0.05
        done
        echo "# the fake polkit logged $(fp_count "$1") '$1' lines, not $2:"
        show "$FP_LOG"
        return 1
}

daemon_serves() {       # a root call is answered
        busctl --system call org.netpool1 $M org.freedesktop.DBus.Peer Ping &&
                busctl --system call org.netpool1 $M org.netpool1.Manager ListNetworks t 0 >/dev/null
}

# expect_answered DESCRIPTION FILE STATUS: a caller whose object vanished got an error, and not because its
# own timeout ran out
expect_answered() {
        local desc=$1 file=$2 status=$3
        if [ "$status" -ne 0 ] && grep -q "^error org\." "$file" &&
                ! grep -Eq "^error org\.freedesktop\.DBus\.Error\.(NoReply|Timeout|TimedOut)" "$file"; then
                ok "$desc: $(grep '^error ' "$file" | cut -d: -f1)"
        else
                not_ok "$desc (status $status)"
        fi
        show "$file"
}

# ---- 1: the root shortcut goes by the bus's uid of the connection ----

part_root_shortcut() {
        local p out=$NP_DIR/caller.out
        check "no polkit authority on the private bus" bash -c '! busctl --system call org.freedesktop.DBus \
                /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s org.freedesktop.PolicyKit1 | grep -q true'
        check "root defines racy (hostdev on eth0)" np_call $M Manager DefineNetwork st \
                "<network><name>racy</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>" 0
        p=$(np_net_path racy)
        check "root starts racy" np_call "$p" Network Start t 0

        caller "$out" --racy-root $NOBODY "$p" org.netpool1.Network Stop 0
        expect_grep "racy caller: the bus says its connection is uid $NOBODY" \
                "^# caller: .*UnixUserID=$NOBODY," "$out"
        expect_grep "racy caller: its euid is 0 in /proc when it calls" "proc-euid=0$" "$out"
        expect_eq "racy caller: Stop fails (status 1)" 1 "$rc"
        expect_grep "racy caller: refused with AccessDenied, polkit could not be reached" \
                "^error org\.freedesktop\.DBus\.Error\.AccessDenied: polkit could not be reached" "$out"
        show "$out"
        expect_eq "racy is still active" true "$(np_get_prop racy Active)"

        caller "$out" --uid $NOBODY "$p" org.netpool1.Network Stop 0
        expect_grep "uid $NOBODY caller: the bus says uid $NOBODY, /proc says euid $NOBODY" \
                "^# caller: .*UnixUserID=$NOBODY, .*proc-euid=$NOBODY$" "$out"
        expect_eq "uid $NOBODY caller: Stop fails (status 1)" 1 "$rc"
        expect_grep "uid $NOBODY caller: refused with AccessDenied, polkit could not be reached" \
                "^error org\.freedesktop\.DBus\.Error\.AccessDenied: polkit could not be reached" "$out"
        show "$out"
        expect_eq "racy is still active" true "$(np_get_prop racy Active)"

        caller "$out" "$p" org.netpool1.Network Stop 0
        expect_grep "root caller: the bus says uid 0" "^# caller: .*UnixUserID=0," "$out"
        expect_eq "root caller: Stop succeeds" "0|ok" "$rc|$(tail -n1 "$out")"
        show "$out"
        expect_eq "racy is inactive now" false "$(np_get_prop racy Active)"
}

# ---- 3: an unauthorized 1 MiB DefineNetwork costs only its <name> ----

# big_xml NAME [dup]: passthrough over 40000 interfaces, ~1 MiB; with dup, the first interface once more
# just before </forward>: a fault far behind <name> that only the full parser sees
big_xml() {
        python3 - "$@" <<'EOF'
import sys
name, dup = sys.argv[1], len(sys.argv) > 2
lines = ["<network>", "<name>%s</name>" % name, "<forward mode='passthrough'>"]
lines += ["<interface dev='v%05d'/>" % i for i in range(40000)]
if dup:
        lines.append("<interface dev='v00000'/>")
lines += ["</forward>", "</network>"]
sys.stdout.write("\n".join(lines) + "\n")
EOF
}

part_big_define() {
        local good=$NP_DIR/big.xml bad=$NP_DIR/big-dup.xml out=$NP_DIR/big.out ping=$NP_DIR/ping.out
        local cpid queries t0 t1 pending size
        big_xml big >"$good"
        big_xml big dup >"$bad"
        size=$(stat -c %s "$bad")
        echo "# definitions: $(stat -c %s "$good") bytes, with the duplicate $size bytes;" \
                "$(grep -c '<interface ' "$good") interfaces"
        check "the definition with the duplicate is within the 1 MiB bound and above 1,000,000 bytes" \
                test "$size" -le 1048576 -a "$size" -gt 1000000

        check "a fake polkit that says no after 1 s owns org.freedesktop.PolicyKit1" \
                fake_polkit_start --deny --delay 1000
        "$NP_TEST_CALLER" --uid $NOBODY --string-file "$bad" $M org.netpool1.Manager DefineNetwork 0 \
                >"$out" 2>&1 &
        cpid=$!
        check "the definition's network name reaches polkit (network=big verb=define)" fp_wait query 1
        caller "$ping" $M org.netpool1.Manager ListNetworks 0
        pending=no
        kill -0 $cpid 2>/dev/null && pending=yes
        expect_eq "meanwhile root's ListNetworks is answered" "0|ok" "$rc|$(tail -n1 "$ping")"
        echo "# (the unauthorized DefineNetwork was still waiting for polkit then: $pending)"
        rc=0
        wait $cpid || rc=$?
        expect_eq "uid $NOBODY's DefineNetwork of the 1 MiB definition fails" 1 "$rc"
        expect_grep "refused by polkit: AccessDenied, not authorized by polkit" \
                "^error org\.freedesktop\.DBus\.Error\.AccessDenied: not authorized by polkit" "$out"
        expect_no_grep "not InvalidXML: the document was not parsed past <name> before polkit said no" \
                "InvalidXML" "$out"
        expect_grep "polkit was asked about network big, verb define" \
                "^query 1 subject=system-bus-name:.* action=org\.netpool1\.manage network=big verb=define " "$FP_LOG"
        show "$FP_LOG"

        queries=$(fp_count query)
        caller "$out" --string-file "$bad" $M org.netpool1.Manager DefineNetwork 0
        expect_grep "root's DefineNetwork of the same document is InvalidXML (the full parser refuses it)" \
                "^error org\.netpool1\.Error\.InvalidXML: " "$out"
        show "$out"
        t0=$(date +%s%N)
        caller "$out" --string-file "$good" $M org.netpool1.Manager DefineNetwork 0
        t1=$(date +%s%N)
        expect_eq "root's DefineNetwork of the valid 1 MiB document succeeds" "0|ok" "$rc|$(tail -n1 "$out")"
        show "$out"
        echo "# root's DefineNetwork of the 1 MiB definition took $(((t1 - t0) / 1000000)) ms"
        expect_eq "root was not checked by polkit" "$queries" "$(fp_count query)"
        check "network big is defined" np_call $M Manager LookupNetwork st big 0
        check "the fake polkit is stopped" fake_polkit_stop
}

# ---- 2: a query whose object vanishes while polkit decides ----

part_vanishing() {
        local out=$NP_DIR/vanish.out cpid q
        check "a fake polkit that holds every query until SIGUSR1 owns org.freedesktop.PolicyKit1" \
                fake_polkit_start --hold
        check "root defines kept, gone (hostdev on eth0) and starts pp (hostdev on eth9)" bash -c "
                busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st \
                        \"<network><name>kept</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>\" 0 &&
                busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st \
                        \"<network><name>gone</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>\" 0 &&
                busctl --system call org.netpool1 $M org.netpool1.Manager DefineNetwork st \
                        \"<network><name>pp</name><forward mode='hostdev' managed='yes'><pf dev='eth9'/></forward></network>\" 0 &&
                busctl --system call org.netpool1 $(np_net_path pp) org.netpool1.Network Start t 0"
        d0=$(np_daemon_pid)      # global: batch_round compares with it
        echo "# netpoold is pid $d0"

        # control: the fake polkit's yes is obeyed when the object stays
        q=$(fp_count query)
        "$NP_TEST_CALLER" --uid $NOBODY --timeout 30 "$(np_net_path kept)" org.netpool1.Network Start 0 \
                >"$out" 2>&1 &
        cpid=$!
        check "control: polkit holds uid $NOBODY's Start of kept" fp_wait query $((q + 1))
        kill -USR1 "$FP_PID"
        rc=0
        wait $cpid || rc=$?
        expect_eq "control: once polkit says yes, uid $NOBODY's Start of kept succeeds" "0|ok" \
                "$rc|$(tail -n1 "$out")"
        show "$out"
        expect_eq "control: kept is active" true "$(np_get_prop kept Active)"

        # (a) the network is undefined while polkit decides on its Start
        q=$(fp_count query)
        "$NP_TEST_CALLER" --uid $NOBODY --timeout 30 "$(np_net_path gone)" org.netpool1.Network Start 0 \
                >"$out" 2>&1 &
        cpid=$!
        check "(a) polkit holds uid $NOBODY's Start of gone" fp_wait query $((q + 1))
        expect_grep "(a) the query is about network gone, verb start" \
                "^query $((q + 1)) .*action=org\.netpool1\.manage network=gone verb=start " "$FP_LOG"
        check "(a) root undefines gone meanwhile" np_call "$(np_net_path gone)" Network Undefine t 0
        expect_error "(a) gone is no more" org.netpool1.Error.NoSuchNetwork \
                np_send $M Manager.LookupNetwork string:gone uint64:0
        check "(a) the caller is still waiting" kill -0 $cpid
        kill -USR1 "$FP_PID"
        rc=0
        wait $cpid || rc=$?
        expect_answered "(a) when polkit says yes, the caller gets an error" "$out" "$rc"
        check "(a) the daemon still serves calls" daemon_serves
        expect_eq "(a) it is the same daemon process (it did not crash)" "$d0" "$(np_daemon_pid)"

        # (b) the port is released by root while polkit decides on uid 65534's Port.Release
        local u=c0c0c0c0-0000-4000-8000-000000000001
        check "(b) root allocates port $u on pp" np_call "$(np_net_path pp)" Network Allocate st \
                "$(np_port_xml uuid=$u mac=52:54:00:c0:00:01)" 0
        q=$(fp_count query)
        "$NP_TEST_CALLER" --uid $NOBODY --timeout 30 "$(np_port_path $u)" org.netpool1.Port Release 0 \
                >"$out" 2>&1 &
        cpid=$!
        check "(b) polkit holds uid $NOBODY's Port.Release" fp_wait query $((q + 1))
        expect_grep "(b) the query is about network pp, verb release" \
                "^query $((q + 1)) .*action=org\.netpool1\.allocate network=pp verb=release " "$FP_LOG"
        check "(b) root releases the port through Network.Release meanwhile" \
                np_call "$(np_net_path pp)" Network Release st $u 0
        expect_error "(b) the port is no more" org.netpool1.Error.NoSuchPort \
                np_send $M Manager.LookupPort string:$u uint64:0
        check "(b) the caller is still waiting" kill -0 $cpid
        kill -USR1 "$FP_PID"
        rc=0
        wait $cpid || rc=$?
        expect_answered "(b) when polkit says yes, the caller gets an error" "$out" "$rc"
        check "(b) the daemon still serves calls" daemon_serves
        expect_eq "(b) it is the same daemon process" "$d0" "$(np_daemon_pid)"
        expect_eq "(b) pp has no connections" 0 "$(np_get_prop pp Connections)"

        # control: uid 65534's Port.Release of a port that stays, once polkit says yes
        u=c0c0c0c0-0000-4000-8000-000000000002
        check "control: root allocates port $u on pp" np_call "$(np_net_path pp)" Network Allocate st \
                "$(np_port_xml uuid=$u mac=52:54:00:c0:00:02)" 0
        q=$(fp_count query)
        "$NP_TEST_CALLER" --uid $NOBODY --timeout 30 "$(np_port_path $u)" org.netpool1.Port Release 0 \
                >"$out" 2>&1 &
        cpid=$!
        check "control: polkit holds the Port.Release" fp_wait query $((q + 1))
        kill -USR1 "$FP_PID"
        rc=0
        wait $cpid || rc=$?
        expect_eq "control: uid $NOBODY's Port.Release succeeds once polkit says yes" "0|ok" \
                "$rc|$(tail -n1 "$out")"
        show "$out"
        expect_eq "control: pp has no connections" 0 "$(np_get_prop pp Connections)"

        batch_round "(c)"
}

# batch_round LABEL: BATCH networks undefined and BATCH ports released by root while the fake polkit holds
# the Start and Port.Release of each; every caller is answered, the daemon goes on (same process). Each call
# comes from one of BATCH_UIDS in turn: netpoold lets one uid have only 8 checks waiting (test-abuse.sh),
# and this is about many held calls whose objects vanish, not about one user
batch_round() {
        local i u q n st cpids uuids
        for ((i = 0; i < BATCH; i++)); do
                np_call $M Manager DefineNetwork st \
                        "<network><name>batch-$i</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward></network>" 0 \
                        >/dev/null 2>&1 || break
        done
        expect_eq "$1 root defines $BATCH networks" "$BATCH" "$i"
        uuids=()
        for ((i = 0; i < BATCH; i++)); do
                u=$(printf 'd0d0d0d0-0000-4000-8000-%012x' $i)
                np_call "$(np_net_path pp)" Network Allocate st "$(np_port_xml uuid=$u mac="$(printf '52:54:00:d0:00:%02x' $i)")" 0 \
                        >/dev/null 2>&1 || break
                uuids+=("$u")
        done
        expect_eq "$1 root allocates $BATCH ports on pp" "$BATCH" "${#uuids[@]}"
        q=$(fp_count query)
        cpids=()
        for ((i = 0; i < BATCH; i++)); do
                "$NP_TEST_CALLER" --uid "${BATCH_UIDS[i % ${#BATCH_UIDS[@]}]}" --timeout 60 "$(np_net_path batch-$i)" org.netpool1.Network Start 0 \
                        >"$NP_DIR/batch-net-$i.out" 2>&1 &
                cpids+=($!)
        done
        for i in "${!uuids[@]}"; do
                "$NP_TEST_CALLER" --uid "${BATCH_UIDS[(BATCH + i) % ${#BATCH_UIDS[@]}]}" --timeout 60 "$(np_port_path "${uuids[i]}")" org.netpool1.Port Release 0 \
                        >"$NP_DIR/batch-port-$i.out" 2>&1 &
                cpids+=($!)
        done
        check "$1 polkit holds all $((BATCH + ${#uuids[@]})) calls" fp_wait query $((q + BATCH + ${#uuids[@]}))
        n=0
        for ((i = 0; i < BATCH; i++)); do
                np_call "$(np_net_path batch-$i)" Network Undefine t 0 >/dev/null 2>&1 && n=$((n + 1))
        done
        for u in "${uuids[@]}"; do
                np_call "$(np_net_path pp)" Network Release st "$u" 0 >/dev/null 2>&1 && n=$((n + 1))
        done
        expect_eq "$1 root undefines the networks and releases the ports meanwhile" \
                $((BATCH + ${#uuids[@]})) "$n"
        kill -USR1 "$FP_PID"
        n=0
        for i in "${!cpids[@]}"; do
                st=0
                wait "${cpids[i]}" || st=$?
                [ "$st" -ne 0 ] && n=$((n + 1))
        done
        expect_eq "$1 every caller got an error back" "${#cpids[@]}" "$n"
        st=$(cat "$NP_DIR"/batch-*.out | grep -c "^error org\.freedesktop\.DBus\.Error\.\(NoReply\|Timeout\|TimedOut\)")
        expect_eq "$1 none of them by its own timeout" 0 "$st"
        echo "# $1 the answers, by error name (one of them: $(grep -h '^error ' "$NP_DIR"/batch-net-0.out))"
        cat "$NP_DIR"/batch-*.out | grep -v '^#' | cut -d: -f1 | sort | uniq -c | sed 's/^/# /'
        check "$1 the daemon still serves calls" daemon_serves
        expect_eq "$1 it is the same daemon process" "$d0" "$(np_daemon_pid)"
        expect_eq "$1 pp has no connections" 0 "$(np_get_prop pp Connections)"
        expect_eq "$1 the fake polkit answered every query" "$(fp_count query)" "$(fp_count answer)"
}

# vg_blocks PID: the heap blocks in use now in a process under valgrind (leak_check summary through vgdb: the
# blocks lost, possibly lost and still reachable added up)
vg_blocks() {
        vgdb --pid="$1" leak_check summary >"$NP_DIR/vgdb.out" 2>&1
        sed 's/^/# vgdb: /' "$NP_DIR/vgdb.out" >&2
        sed -nE 's/.*(lost|reachable): [0-9,]+( \([^)]*\))? bytes in ([0-9,]+).*/\3/p' "$NP_DIR/vgdb.out" | tr -d , |
                awk '{ n += $1 } END { if (NR) print n }'
}

# ---- the first run: the daemon as it is ----

np_setup "${SIM_ARGS[@]}"
trap auth_teardown EXIT
chmod 0755 "$NP_DIR"    # uid 65534 must reach the bus socket in it
part_root_shortcut
part_big_define
part_vanishing
check "the fake polkit is stopped" fake_polkit_stop

# ---- the second run: part 2 with the daemon under valgrind ----

if ! command -v valgrind >/dev/null; then
        echo "# valgrind is not installed: the vanishing objects are not checked under valgrind"
elif ldd "$NETPOOLD" 2>/dev/null | grep -q libasan; then
        echo "# netpoold is built with AddressSanitizer: not run under valgrind (the sanitizer run checks it)"
else
        np_teardown
        NP_VALGRIND=1
        NP_IDLE=10
        np_setup "${SIM_ARGS[@]}"
        trap auth_teardown EXIT
        chmod 0755 "$NP_DIR"
        echo "# again, netpoold under valgrind"
        part_vanishing
        # the records of calls whose object vanished are freed while the daemon runs, not only at its exit:
        # the heap blocks in use (valgrind's leak_check through vgdb) do not grow with more such calls
        if command -v vgdb >/dev/null; then
                b1=$(vg_blocks "$d0")
                batch_round "(c, again)"
                batch_round "(c, a third time)"
                b2=$(vg_blocks "$d0")
                echo "# heap blocks in use: $b1 before, $b2 after two more rounds ($((4 * BATCH)) calls whose object vanished)"
                check "the heap does not grow with the calls whose object vanished (fewer than $BATCH more blocks)" \
                        test -n "$b1" -a -n "$b2" -a "$((b2 - ${b1:-0}))" -lt "$BATCH"
        else
                echo "# no vgdb: the heap in use while the daemon runs is not measured"
        fi
        check "the fake polkit is stopped" fake_polkit_stop
        pid=$(np_daemon_pid)
        gone=false
        for _ in $(seq 900); do
                if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
                        gone=true
                        break
                fi
                sleep 0.1
        done
        expect_eq "the daemon under valgrind exits on idle (within 90 s)" true "$gone"
        np_valgrind_check
fi

np_done
