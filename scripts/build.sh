#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configure (once) and build netpool in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
werror=false
[ "${CI:-}" = "true" ] && werror=true
if [ ! -f build/build.ninja ]; then
        meson setup build -Dwerror=$werror
else
        meson configure build -Dwerror=$werror >/dev/null
fi
ninja -C build
