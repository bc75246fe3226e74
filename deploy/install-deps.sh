#!/usr/bin/env bash
# Installs every Debian package this project needs to build, test and run.
# Idempotent: packages already present are not reinstalled, and nothing is printed for them.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libcurl4-openssl-dev libc-ares-dev libboost-dev
  libzmq3-dev cppzmq-dev protobuf-compiler libprotobuf-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libmodest-dev libgumbo-dev libicu-dev zlib1g-dev
  librocksdb-dev libpsl-dev libxxhash-dev libcli11-dev
  procps time python3
  # The tests' HTTPS and HTTP/2 front to simweb, with a CA made per run (tests/support/tls_front.*).
  nginx openssl
  # The benchmarks only: the fetch-only ceilings (curl, wget2) and crawl-bench's plots.
  curl wget2 gnuplot-nox
  # The fuzz preset (deploy/fuzz.sh): clang 14 with libFuzzer and the sanitizer runtimes, and
  # llvm-symbolizer (in llvm-14) so sanitizer reports name functions and lines.
  clang libclang-rt-14-dev llvm-14
)

# node is the WHATWG URL oracle of url_test's differential test (and runs the manifest checks):
# Debian's, unless the machine brings its own (e.g. NodeSource's, which must not be replaced).
command -v node >/dev/null || packages+=(nodejs)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# nginx is started by the tests themselves: keep its package from starting a system nginx on
# port 80 (policy-rc.d says "no" to every service start during this install, then goes).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
