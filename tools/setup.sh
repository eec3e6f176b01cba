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
  libssl-dev  # OpenSSL 3: the RS256/ES256 signatures of OpenID Connect ID tokens (api/)
  libjemalloc-dev  # the allocator of the executable (not of the sanitizer build)
  kcat  # Kafka's command-line client: the interop test, and the ceiling in bench log-append
)

# Swagger UI, which `clientele serve` serves on /docs: this exact version of the npm package
# swagger-ui-dist, installed by clientele_build into BUILD_DIR/swagger-ui, so that its files are
# in BUILD_DIR/swagger-ui/node_modules/swagger-ui-dist (CMakeLists.txt: CLIENTELE_DOCS_DIR, the
# default of `serve --docs-dir`). npm itself comes from Debian when there is none.
CLIENTELE_SWAGGER_UI_VERSION=5.35.0

# Installs the missing packages with apt-get, as root or through sudo; does nothing when all
# are present.
clientele_install_missing() {
  local missing=() package
  for package in "${CLIENTELE_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  # Any npm will do (a machine may have one from elsewhere); Debian's when there is none.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
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

# Installs swagger-ui-dist $CLIENTELE_SWAGGER_UI_VERSION with npm into $1/swagger-ui (an
# absolute build directory); does nothing when that version is there already. The package's
# install scripts are not run: it needs none, and that of its one dependency (@scarf/scarf) only
# sends usage analytics.
clientele_install_swagger_ui() {
  local prefix="$1/swagger-ui"
  local dist="$prefix/node_modules/swagger-ui-dist" file
  local installed=true
  grep -Eqs "\"version\": *\"$CLIENTELE_SWAGGER_UI_VERSION\"" "$dist/package.json" || installed=false
  for file in swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js; do
    [ -s "$dist/$file" ] || installed=false
  done
  [ "$installed" = true ] && return 0

  if ! command -v npm >/dev/null 2>&1; then
    echo "clientele: npm is missing (clientele_install_missing installs it)" >&2
    return 1
  fi
  echo "clientele: installing swagger-ui-dist@$CLIENTELE_SWAGGER_UI_VERSION into $prefix" >&2
  mkdir -p "$prefix"
  SCARF_ANALYTICS=false npm install --no-audit --no-fund --ignore-scripts --prefix "$prefix" \
    "swagger-ui-dist@$CLIENTELE_SWAGGER_UI_VERSION"
}

# Configures and builds in $1 (relative to the repository), with extra CMake arguments after it,
# after installing swagger-ui-dist there.
clientele_build() {
  local dir="$CLIENTELE_ROOT/$1"
  shift
  clientele_install_swagger_ui "$dir" || return 1
  cmake -S "$CLIENTELE_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  cmake --build "$dir" -j2
}
