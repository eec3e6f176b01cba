#!/usr/bin/env bash
# Installs what is missing, builds, and starts `clientele serve` on its embedded default:
# the embedded event log, data in ./var. Extra arguments go to `clientele serve`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

clientele_install_missing
clientele_build build
cd "$CLIENTELE_ROOT"
exec ./build/tools/clientele serve "$@"
