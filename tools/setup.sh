#!/usr/bin/env bash
# Shared by run.sh and test.sh (sourced, not run): installs the Debian packages clientele
# needs when any is missing, then configures and builds with CMake.

CLIENTELE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Everything the build and the test suite use, from Debian 12's archive.
CLIENTELE_PACKAGES=(
  build-essential cmake pkg-config
  librocksdb-dev librdkafka-dev libsodium-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev
  libpistache-dev  # the REST server (api/)
  libcurl4-openssl-dev  # the HTTP client of the end-to-end tests
  libjemalloc-dev  # the allocator of the executable (not of the sanitizer build)
  kcat  # Kafka's command-line client: the interop test, and the ceiling in bench log-append
)

# Installs the missing packages with apt-get, as root or through sudo; does nothing when all
# are present.
clientele_install_missing() {
  local missing=() package
  for package in "${CLIENTELE_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "clientele: missing packages (${missing[*]}); run as root or install sudo" >&2
      return 1
    fi
    sudo=(sudo)
  fi
  echo "clientele: installing ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures and builds in $1 (relative to the repository), with extra CMake arguments after it.
clientele_build() {
  local dir="$CLIENTELE_ROOT/$1"
  shift
  cmake -S "$CLIENTELE_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  cmake --build "$dir" -j2
}
