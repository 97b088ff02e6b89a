#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The network rows of ../shared/conformance/libvirt-9.0.0/EXPECT.tsv through the bus:
# DefineNetwork(network-in/FILE), then GetXML(flags) compared as EXPECT.tsv says.
source "$(dirname "$0")/lib.sh"
dir=${NETPOOL_CONFORMANCE_DIR:-}
if [ ! -f "$dir/EXPECT.tsv" ]; then
        echo "not ok 1 - conformance data not found at '$dir' (../shared/conformance/libvirt-9.0.0)"
        echo "1..1"
        exit 1
fi
np_setup
here=$(dirname "$0")
M=/org/netpool1

while IFS=$'\t' read -r kind file flags expect; do
        [ "$kind" = network ] || continue
        in=$dir/network-in/$file
        if ! out=$(np_send $M Manager.DefineNetwork string:"$(cat "$in")" uint64:0 2>&1); then
                if [ "$expect" = reject ] && grep -Eq "org.netpool1.Error.(InvalidXML|InvalidArgument)" <<<"$out"; then
                        ok "$file: rejected"
                        echo "#   $out"
                else
                        not_ok "$file: DefineNetwork failed"
                        echo "#   $out"
                fi
                continue
        fi
        path=$(sed -n 's/.*object path "\(.*\)"/\1/p' <<<"$out")
        name=$(busctl --system get-property org.netpool1 "$path" org.netpool1.Network Name | cut -d'"' -f2)
        busctl --system --json=short call org.netpool1 "$path" org.netpool1.Network GetXML t "$flags" |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0], end="")' >"$NP_DIR/$file"
        case $expect in
        equal)
                check "$file: GetXML($flags) is equivalent to network-out/$file" \
                        python3 "$here/xml-equiv.py" "$dir/network-out/$file" "$NP_DIR/$file" ;;
        stable)
                busctl --system call org.netpool1 "$path" org.netpool1.Network Undefine t 0 >/dev/null
                np_send $M Manager.DefineNetwork string:"$(cat "$NP_DIR/$file")" uint64:0 >/dev/null
                busctl --system --json=short call org.netpool1 "$path" org.netpool1.Network GetXML t "$flags" |
                        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0], end="")' >"$NP_DIR/$file.2"
                check "$file: its own output defined again gives the same output" cmp "$NP_DIR/$file" "$NP_DIR/$file.2" ;;
        reject)
                not_ok "$file: accepted, expected a rejection" ;;
        esac
        busctl --system call org.netpool1 "$path" org.netpool1.Network Undefine t 0 >/dev/null ||
                echo "# could not undefine $name"
done <"$dir/EXPECT.tsv"
np_done
