#!/usr/bin/env bash
# Scale-out of the distributed crawl (issue 4), in one run, on the bundled test web:
#  1. 200 hosts, 50 ms server latency: `crawl --workers N` for N = 1, 2, 4 at a fixed per-worker
#     concurrency C, next to the bound N*C/latency;
#  2. latency 0: `crawl --workers 2` against `crawl --workers 0` (the same pages).
# Each configuration runs REPEAT times, interleaved; medians are reported. Every run's output is
# checked against simweb's manifest.
# Usage: bench/scale_bench.sh [--pages N] [--concurrency C] [--workers "1 2 4"] [--repeat R] [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

pages=20000 hosts=200 conc=50 workers="1 2 4" repeat=3 build=build/release
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages=$2; shift 2 ;;
    --concurrency) conc=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "scale_bench: unknown option $1" >&2; exit 2 ;;
  esac
done

bin=$build/bin
[ -x "$bin/crawl" ] && [ -x "$bin/crawl-worker" ] && [ -x "$bin/simweb" ] || {
  ./deploy/install-deps.sh
  cmake --preset release >/dev/null && cmake --build --preset release --target crawl crawl-worker simweb
}
work=$(mktemp -d /tmp/scale-bench.XXXXXX)
. bench/lib.sh

start_simweb slow --latency-ms 50
slow_port=$port
start_simweb fast
fast_port=$port

# One untimed pass over both sites fills simweb's gzip cache (see bench/fetch_bench.sh).
for site in slow fast; do
  p=$([ $site = slow ] && echo "$slow_port" || echo "$fast_port")
  sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$work/$site/seeds.txt" >"$work/$site/curl.cfg"
  curl -s --compressed --parallel --parallel-max 200 --resolve "*:$p:127.0.0.1" -K "$work/$site/curl.cfg" 2>/dev/null
done

check() {  # the run's lines must be the manifest's
  cmp -s <(sort "$work/r.txt") <(sort "$1/expected-depth0.tsv") || {
    echo "crawl output differs from the manifest ($2)" >&2; exit 1; }
}
: >"$work/rows"
for i in $(seq "$repeat"); do
  echo "round $i/$repeat" >&2
  for n in $workers; do
    measure "workers-$n-50ms" "$pages" "$bin/crawl" --workers "$n" --progress never --concurrency "$conc" \
      --seeds "$work/slow/seeds.txt" --out "$work/r.txt" --resolve "*:$slow_port:127.0.0.1"
    check "$work/slow" "workers $n"
  done
  for n in 0 2; do
    measure "workers-$n-0ms" "$pages" "$bin/crawl" --workers "$n" --progress never --concurrency 100 \
      --seeds "$work/fast/seeds.txt" --out "$work/r.txt" --resolve "*:$fast_port:127.0.0.1"
    check "$work/fast" "workers $n at 0 ms"
  done
done

csv=bench/results/scale_bench.csv
write_csv "$csv"
echo
echo "pages=$pages hosts=$hosts concurrency per worker=$conc repeat=$repeat cores=$(nproc) (medians)"
python3 - "$csv" "$conc" <<'PY'
import sys
sys.path.insert(0, "bench")
from bench_csv import Rows
rows = Rows(sys.argv[1])
conc = int(sys.argv[2])
med = rows.median
print(f"{'configuration':<16}{'pages/s':>9}{'bound':>8}{'of bound':>10}{'cpu s':>8}{'cpu ms/page':>13}{'peak RSS MB':>13}")
for lab in rows.labels():
    n = rows.pages(lab)
    bound = ""
    frac = ""
    if lab.endswith("-50ms"):
        w = int(lab.split("-")[1])
        b = w * conc / 0.050
        bound, frac = f"{b:.0f}", f"{med(lab, 'pages_per_s') / b:.2f}"
    print(f"{lab:<16}{med(lab,'pages_per_s'):>9.0f}{bound:>8}{frac:>10}{med(lab,'cpu_s'):>8.2f}"
          f"{1000*med(lab,'cpu_s')/n:>13.3f}{med(lab,'peak_rss_kb')/1024:>13.1f}")
ratios = rows.ratios("workers-2-0ms", "workers-0-0ms")
print(f"\nlatency 0: workers 2 / workers 0, pair by pair: {', '.join(f'{x:.2f}' for x in ratios)}  (goal >= 1)")
PY
echo "rows: $csv"
