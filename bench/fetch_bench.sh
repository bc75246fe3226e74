#!/usr/bin/env bash
# The engine against the fetch-only ceiling, in one run, on the bundled test web:
#   crawl --workers 0 (fetch + parse + write every link)  vs  curl --parallel (fetch only),
# then the same crawl at 50 ms server latency (bound: concurrency / latency), and --mode sync
# as the contrast row. Each configuration runs REPEAT times, interleaved; medians are reported.
# Usage: bench/fetch_bench.sh [--pages N] [--hosts H] [--concurrency C] [--repeat R] [--build DIR]
#                             [--results-dir DIR]   (default DIR: <build>/bench-results)
set -euo pipefail
cd "$(dirname "$0")/.."

pages=20000 hosts=100 conc=100 repeat=3 build=build/release results_dir=
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --concurrency) conc=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --results-dir) results_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "fetch_bench: unknown option $1" >&2; exit 2 ;;
  esac
done

bin=$build/bin
[ -x "$bin/crawl" ] && [ -x "$bin/simweb" ] || {
  ./deploy/install-deps.sh
  cmake --preset release >/dev/null && cmake --build --preset release --target crawl simweb
}
work=$(mktemp -d /tmp/fetch-bench.XXXXXX)
. bench/lib.sh

curl_config() {  # curl -K file: one url + output per seed
  sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$1" >"$2"
}

start_simweb fast --gzip on
fast_port=$port
curl_config "$work/fast/seeds.txt" "$work/curl.cfg"
head -n $((conc * 5)) "$work/fast/seeds.txt" >"$work/seeds-sync-latency.txt"

start_simweb slow --gzip on --latency-ms 50
slow_port=$port

# simweb compresses each page once and keeps it (--gzip-cache-mb): one untimed pass over both
# sites, so that no measured run pays for the server's compression.
curl -s --compressed --parallel --parallel-max "$conc" --resolve "*:$fast_port:127.0.0.1" -K "$work/curl.cfg" 2>/dev/null
sed "s/:$fast_port\//:$slow_port\//" "$work/curl.cfg" >"$work/curl-slow.cfg"
curl -s --compressed --parallel --parallel-max "$conc" --resolve "*:$slow_port:127.0.0.1" -K "$work/curl-slow.cfg" 2>/dev/null

: >"$work/rows"
for i in $(seq "$repeat"); do
  echo "round $i/$repeat" >&2
  measure curl-parallel "$pages" curl -s --compressed --parallel --parallel-max "$conc" \
    --resolve "*:$fast_port:127.0.0.1" -K "$work/curl.cfg"
  measure crawl-async "$pages" "$bin/crawl" --workers 0 --progress never --concurrency "$conc" \
    --seeds "$work/fast/seeds.txt" --out "$work/r.txt" --resolve "*:$fast_port:127.0.0.1"
  cmp -s <(sort "$work/r.txt") <(sort "$work/fast/expected-depth0.tsv") || {
    echo "crawl output differs from the manifest" >&2; exit 1; }
  measure crawl-async-50ms "$pages" "$bin/crawl" --workers 0 --progress never --concurrency "$conc" \
    --seeds "$work/slow/seeds.txt" --out "$work/r.txt" --resolve "*:$slow_port:127.0.0.1"
  measure crawl-sync "$pages" "$bin/crawl" --workers 0 --progress never --mode sync \
    --seeds "$work/fast/seeds.txt" --out "$work/r.txt" --resolve "*:$fast_port:127.0.0.1"
  sync_n=$(wc -l <"$work/seeds-sync-latency.txt")
  measure crawl-sync-50ms "$sync_n" "$bin/crawl" --workers 0 --progress never --mode sync \
    --seeds "$(sed "s/:$fast_port\//:$slow_port\//" "$work/seeds-sync-latency.txt" >"$work/s.txt"; echo "$work/s.txt")" \
    --out "$work/r.txt" --resolve "*:$slow_port:127.0.0.1"
done

# Under the build directory unless asked: a run must not dirty the checkout (the committed
# figures in bench/results/ are refreshed with --results-dir bench/results).
results_dir=${results_dir:-$build/bench-results}
mkdir -p "$results_dir"
csv=$results_dir/fetch_bench.csv
write_csv "$csv"
echo
echo "pages=$pages hosts=$hosts concurrency=$conc repeat=$repeat (medians)"
python3 - "$csv" "$conc" <<'PY'
import sys
sys.path.insert(0, "bench")
from bench_csv import Rows
rows = Rows(sys.argv[1])
conc = int(sys.argv[2])
med = rows.median
print(f"{'configuration':<18}{'pages/s':>10}{'cpu s':>9}{'cpu ms/page':>13}{'peak RSS MB':>13}")
for lab in rows.labels():
    n = rows.pages(lab)
    print(f"{lab:<18}{med(lab,'pages_per_s'):>10.0f}{med(lab,'cpu_s'):>9.2f}{1000*med(lab,'cpu_s')/n:>13.3f}{med(lab,'peak_rss_kb')/1024:>13.1f}")
ratios = rows.ratios("crawl-async", "curl-parallel")
print(f"\ncrawl-async / curl-parallel, pair by pair: {', '.join(f'{x:.2f}' for x in ratios)}  (goal >= 0.60)")
bound = conc / 0.050
print(f"crawl-async-50ms / bound {bound:.0f} pages/s: {med('crawl-async-50ms','pages_per_s')/bound:.2f}  (goal >= 0.90)")
print(f"crawl-async / crawl-sync: {med('crawl-async','pages_per_s')/med('crawl-sync','pages_per_s'):.1f}x at 0 ms, "
      f"{med('crawl-async-50ms','pages_per_s')/med('crawl-sync-50ms','pages_per_s'):.1f}x at 50 ms")
PY
echo "rows: $csv"
