#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The layers of src/ depend one way (docs/architecture.md): every #include "LAYER/…" of a file under src/ must
# name a layer its own may use. meson's include path reaches every header from every layer, so this is the
# check that a wrong include fails. TAP: one case per layer.
set -u
cd "${NETPOOL_SOURCE_ROOT:?}/src" || exit 1

# layer: the layers (or single headers, LAYER/FILE.h) it may include besides its own
declare -A allowed=(
        [shared]=""
        [core]="shared"
        [hw]="core shared"
        [engine]="hw core shared"
        [bus]="engine core shared"
        [daemon]="bus engine hw core shared"
        # netpoolctl: the pure part of core (libcore-pure) and the error map, nothing of the daemon's state
        [ctl]="shared bus/bus-errors.h core/names.h core/pci-addr.h core/xml-util.h core/netdef.h"
        [tools]="core shared testlib hw"
        [testlib]="shared"
)

n=0
failed=0
for layer in shared core hw engine bus daemon ctl tools testlib; do
        n=$((n + 1))
        bad=()
        while IFS=: read -r file _ inc; do
                target=$(sed -n 's/.*#include "\([^"]*\)".*/\1/p' <<<"$inc")
                dep=${target%%/*}
                [ "$dep" = "$layer" ] && continue
                ok=no
                for a in ${allowed[$layer]}; do
                        [ "$a" = "$dep" ] || [ "$a" = "$target" ] && ok=yes
                done
                [ $ok = yes ] || bad+=("$file includes $target")
        done < <(grep -Hn '#include "[a-z-]*/' "$layer"/*.[ch] 2>/dev/null)
        if [ ${#bad[@]} -eq 0 ]; then
                echo "ok $n - src/$layer includes only what its layer may use (${allowed[$layer]:-nothing else})"
        else
                failed=$((failed + 1))
                echo "not ok $n - src/$layer reaches past its layer"
                printf '#   %s\n' "${bad[@]}"
        fi
done
echo "1..$n"
[ $failed -eq 0 ]
