#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest; exits non-zero
# on any failure.
#   tools/test.sh             the suite on the normal build (build/)
#   tools/test.sh --sanitize  then again on an AddressSanitizer + UBSan build (build-sanitize/)
# With CI=true the sanitizer pass runs too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

sanitize=false
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=true ;;
    *) echo "usage: tools/test.sh [--sanitize]" >&2; exit 2 ;;
  esac
done
[ "${CI:-}" = "true" ] && sanitize=true

clientele_install_missing
cd "$CLIENTELE_ROOT"

clientele_build build
ctest --test-dir build --output-on-failure -j2 --timeout 600

if [ "$sanitize" = true ]; then
  clientele_build build-sanitize -DCLIENTELE_SANITIZE=ON
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-sanitize --output-on-failure -j2 --timeout 900
fi
