#!/usr/bin/env bash
# Sets up and runs every test: installs the Debian packages, builds a preset (default
# `release`), runs ctest. Usage: deploy/test.sh [preset]   (presets: dev release asan tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"

./deploy/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
# The sanitizer presets bring their suppression files (tests/sanitizers/) through the ctest
# preset's environment. gcc 12's TSan cannot map its shadow memory when the kernel randomises
# mmap with more than 28 bits (vm.mmap_rnd_bits): run it without ASLR there, where allowed.
run=()
if [ "$preset" = tsan ] && [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ] &&
    setarch "$(uname -m)" -R true 2>/dev/null; then
  run=(setarch "$(uname -m)" -R)
fi
# Tests start real servers on 127.0.0.1; two at a time fits a 2-core machine.
"${run[@]}" ctest --preset "$preset" -j2 --timeout 600
