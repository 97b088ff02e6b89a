#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerate dbus-interfaces/*.xml from the live introspection of a freshly built netpoold.
set -euo pipefail
cd "$(dirname "$0")/.."
ninja -C build
export NETPOOLD=$PWD/build/src/daemon/netpoold NETPOOLCTL=$PWD/build/src/ctl/netpoolctl
export NETPOOL_SIMHOST=$PWD/build/src/tools/netpool-simhost NETPOOL_SOURCE_ROOT=$PWD
bash tests/integration/test-introspection.sh --update "$PWD/dbus-interfaces"
