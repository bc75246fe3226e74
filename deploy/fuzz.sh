#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan+UBSan) and runs each one for SECONDS
# (default 60) from its seed corpus, tests/fuzz/corpus/<target>/. Fails when any target crashes,
# leaks, times out on an input or breaks one of its properties; the input is kept in
# build/fuzz/artifacts/<target>/ (turn it into a regression test). New corpus entries go to
# build/fuzz/corpus/<target>/, never into the repository's seed corpus.
# Usage: deploy/fuzz.sh [SECONDS] [TARGET...]      (targets: all of tests/fuzz by default)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true

./deploy/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for d in tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi

# FUZZ_SEED: libFuzzer's -seed. CI sets one, so that its runs try the same inputs each time and
# a red run can be repeated; unset, every run starts from a new random seed.
seed_args=()
[ -n "${FUZZ_SEED:-}" ] && seed_args=(-seed="$FUZZ_SEED")

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:suppressions=$PWD/tests/sanitizers/asan.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
summary=()
for t in "${targets[@]}"; do
  bin="build/fuzz/bin/$t"
  work="build/fuzz/corpus/$t"
  artifacts="build/fuzz/artifacts/$t"
  log="build/fuzz/logs/$t.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  echo "fuzz: $t for ${seconds}s${FUZZ_SEED:+, seed $FUZZ_SEED}" >&2
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the sanitizers' overhead included.
  if "$bin" "${seed_args[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    # The reason, the property's own message (the line after it) and the input in base64.
    grep -A1 -E "ERROR|fuzz property broken|SUMMARY|Test unit written|^Base64:" "$log" | head -24 >&2 || true
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  summary+=("$(printf '%-22s %-7s %12s runs %8s exec/s' "$t" "$status" "${runs:-?}" "${rate:-?}")")
done

printf '%s\n' "${summary[@]}" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in build/fuzz/artifacts/, logs in build/fuzz/logs/)" >&2
  exit 1
fi
