# SPDX-License-Identifier: LGPL-2.1-or-later
# debian_mirror [APT-ETC-DIR]: the Debian mirror this machine's apt uses, for debootstrap: the URI of the first
# enabled "deb" source (sources.list, then sources.list.d/*.list and *.sources in name order, the deb822
# format included) with a Debian release among its suites (bookworm, trixie, stable…; not bookworm-updates
# or bookworm-security, which are other archives) and main among its components. Prints nothing when there
# is none. APT-ETC-DIR is /etc/apt unless given (the tests give fixtures).
# Sourced by run-igb-testbed.sh; NETPOOL_TESTBED_MIRROR overrides what it finds.

debian_mirror() {
        local etc=${1:-/etc/apt} f
        local files=()
        [ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
        for f in "$etc"/sources.list.d/*; do
                case "$f" in
                *.list | *.sources) [ -f "$f" ] && files+=("$f") ;;
                esac
        done
        [ ${#files[@]} -gt 0 ] || return 0
        awk '
        BEGIN {
                split("buster bullseye bookworm trixie forky duke sid " \
                      "oldoldstable oldstable stable testing unstable", names, " ")
                for (i in names) release[names[i]] = 1
        }
        # candidate TYPES URIS SUITES COMPONENTS (space-separated lists): print the first URI and stop
        function candidate(types, uris, suites, components,    t, u, s, c, nt, nu, ns, nc, i, debian, main) {
                nt = split(types, t, " "); nu = split(uris, u, " ")
                ns = split(suites, s, " "); nc = split(components, c, " ")
                debian = 0; main = 0
                for (i = 1; i <= ns; i++) if (s[i] in release) debian = 1
                for (i = 1; i <= nc; i++) if (c[i] == "main") main = 1
                for (i = 1; i <= nt; i++) {
                        if (t[i] == "deb" && debian && main && nu > 0 && u[1] ~ /^(https?|file|ftp):/) {
                                sub(/\/+$/, "", u[1])
                                print u[1]
                                found = 1
                                exit
                        }
                }
        }
        # the stanza of a .sources file read so far, tried at its end
        function stanza_end() {
                if (fields > 0 && tolower(enabled) != "no")
                        candidate(f["types"], f["uris"], f["suites"], f["components"])
                delete f; fields = 0; enabled = ""
        }
        FNR == 1 { if (deb822) stanza_end(); deb822 = FILENAME ~ /\.sources$/ }
        deb822 {
                if ($0 ~ /^#/) next                      # a comment line, which ends no stanza
                if ($0 ~ /^[ \t]*$/) { stanza_end(); next }
                if ($0 ~ /^[ \t]/) next                  # a continued field (Signed-By keys)
                key = tolower($0); sub(/:.*/, "", key)
                value = $0; sub(/^[^:]*:[ \t]*/, "", value)
                f[key] = value; fields++
                if (key == "enabled") enabled = value
                next
        }
        # one-line format: TYPE [OPTIONS] URI SUITE COMPONENT...
        { sub(/#.*/, "") }
        NF >= 3 {
                type = $1; i = 2
                if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                comps = ""
                for (j = i + 2; j <= NF; j++) comps = comps " " $j
                candidate(type, $i, $(i + 1), comps)
        }
        END { if (!found && deb822) stanza_end() }
        ' "${files[@]}"
}
