#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# debian_mirror (debian-mirror.sh), which gives the igb testbed's debootstrap this machine's Debian mirror,
# on apt configurations as machines have them: a debootstrap root's one-line sources.list, a container's
# deb822 debian.sources, options in brackets, third-party and disabled sources, security and updates only.
source "$(dirname "$0")/debian-mirror.sh"

n=0 failed=0
# mirror_is DESCRIPTION EXPECTED: debian_mirror of $etc prints EXPECTED
mirror_is() {
        local got
        got=$(debian_mirror "$etc" 2>&1)
        n=$((n + 1))
        if [ "$got" = "$2" ]; then
                echo "ok $n - $1"
        else
                failed=$((failed + 1))
                echo "not ok $n - $1"
                echo "#   expected: '$2'"
                echo "#   actual:   '$got'"
        fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/netpool-debian-mirror.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# fresh NAME: an empty apt configuration directory in $etc
fresh() {
        etc=$tmp/$1
        mkdir -p "$etc/sources.list.d"
}

fresh debootstrap
echo "deb http://mirror.example/debian bookworm main" >"$etc/sources.list"
mirror_is "a debootstrap root's sources.list" http://mirror.example/debian

fresh container
cat >"$etc/sources.list.d/debian.sources" <<'EOS'
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
mirror_is "a container's deb822 debian.sources (trailing slash dropped)" http://mirror.example/debian

fresh security-first
cat >"$etc/sources.list.d/a.sources" <<'EOS'
Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
EOS
cat >"$etc/sources.list.d/b.sources" <<'EOS'
Enabled: no
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main

Types: deb-src deb
URIs: https://mirror.example/debian
Suites: trixie
Components: contrib main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 -----END PGP PUBLIC KEY BLOCK-----
EOS
mirror_is "not security, not a disabled stanza; a key in the stanza" https://mirror.example/debian

fresh third-party
echo "deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://apt.example/repo nodistro main" \
        >"$etc/sources.list"
cat >"$etc/sources.list.d/nodesource.sources" <<'EOS'
Types: deb
URIs: https://deb.nodesource.example/node_20.x
Suites: nodistro
Components: main
EOS
echo "deb http://disabled.example/debian bookworm main" >"$etc/sources.list.d/off.list.disabled"
echo "deb [ signed-by=/usr/share/keyrings/d.gpg ] http://mirror.example/debian stable main contrib" \
        >"$etc/sources.list.d/zz.list"
mirror_is "third-party sources and a file apt ignores passed over; options in brackets" \
        http://mirror.example/debian

fresh none
echo "# deb http://mirror.example/debian bookworm main" >"$etc/sources.list"
echo "deb-src http://mirror.example/debian bookworm main" >>"$etc/sources.list"
echo "deb http://mirror.example/debian bookworm contrib" >>"$etc/sources.list"
mirror_is "none: commented out, deb-src only, no main" ""

fresh empty
rm -rf "$etc/sources.list.d"
mirror_is "no sources at all" ""

echo "1..$n"
[ "$failed" -eq 0 ]
