#!/usr/bin/env bash
# Sets up and runs every test: installs the Debian packages, builds a preset (default
# `release`), runs ctest. Usage: deploy/test.sh [preset]   (presets: dev release asan tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"

./deploy/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
# Tests start real servers on 127.0.0.1; two at a time fits a 2-core machine.
ctest --preset "$preset" -j2 --timeout 600
