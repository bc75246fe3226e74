#!/usr/bin/env bash
# The coordinator's ceiling (issue 12): pages/s one crawl-coordinator sustains when its workers
# answer at once. `crawl-worker --synthetic-web` fetches nothing and answers each task with 50
# links into a deterministic web (default 10^8 pages over 10^6 hosts), so what is measured is
# the coordinator: ZeroMQ and protobuf, the frontier (seen-set, host queues, the store on disk
# past --frontier-memory), the results writer (50 lines a page, to /dev/null). /metrics is
# sampled every second: the rate is printed against the URLs known, then summed up per decade.
# The coordinator runs on CPU 0 and the workers on the others (taskset), unless --no-pin.
# Usage: bench/coordinator_bench.sh [--pages N] [--workers W] [--web PAGES:HOSTS[:LINKS]]
#                                   [--no-pin] [--build DIR] [--coordinator BIN]
set -euo pipefail
cd "$(dirname "$0")/.."

pages=600000 workers=2 web=100000000:1000000 pin=1 build=build/release
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --web) web=$2; shift 2 ;;
    --no-pin) pin=0; shift ;;
    --build) build=$2; shift 2 ;;
    --coordinator) coordinator_bin=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "coordinator_bench: unknown option $1" >&2; exit 2 ;;
  esac
done

bin=$build/bin
coordinator_bin=${coordinator_bin:-$bin/crawl-coordinator}
[ -x "$bin/crawl-coordinator" ] && [ -x "$bin/crawl-worker" ] || {
  ./deploy/install-deps.sh
  cmake --preset release >/dev/null && cmake --build --preset release --target crawl-coordinator crawl-worker
}
work=$(mktemp -d /tmp/coordinator-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

cores=$(nproc)
on_coordinator=() on_workers=()
if [ "$pin" = 1 ] && [ "$cores" -ge 2 ] && command -v taskset >/dev/null; then
  on_coordinator=(taskset -c 0) on_workers=(taskset -c "1-$((cores - 1))")
fi
hosts=${web#*:}; hosts=${hosts%%:*}
for i in $(seq 0 99); do echo "http://h$((i % hosts)).syn/p$i"; done >"$work/seeds.txt"

# Free ports: ask the kernel for two.
read -r zport mport < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
TMPDIR=$work "${on_coordinator[@]}" "$coordinator_bin" --listen "tcp://127.0.0.1:$zport" \
  --seeds "$work/seeds.txt" --scope any --depth 1000 --out /dev/null --min-workers "$workers" \
  --metrics-listen "127.0.0.1:$mport" --progress never >"$work/coordinator.log" 2>&1 &
coordinator=$!
pids+=("$coordinator")
for w in $(seq "$workers"); do
  "${on_workers[@]}" "$bin/crawl-worker" --connect "tcp://127.0.0.1:$zport" --synthetic-web "$web" \
    --worker-id "synthetic-$w" >"$work/worker-$w.log" 2>&1 &
  pids+=($!)
done

metric() {  # metric NAME: its value in the last sample
  awk -v n="$1" '$1 == n { printf "%.0f", $2 }' "$work/sample"
}
echo "# web $web, $workers synthetic workers, coordinator pinned: $([ ${#on_coordinator[@]} -gt 0 ] && echo yes || echo no)"
echo "seconds known_urls queued_on_disk pages pages_per_s"
start=$(date +%s.%N) last_t=$start last_pages=0
while kill -0 "$coordinator" 2>/dev/null; do
  sleep 1
  curl -sf --max-time 5 "http://127.0.0.1:$mport/metrics" | sed 's/{outcome="ok"}/_ok/' >"$work/sample" || continue
  now=$(date +%s.%N)
  done_pages=$(metric crawler_pages_total_ok)
  known=$(metric crawler_frontier_known)
  in_ram=$(metric crawler_frontier_queued_in_memory)
  queued=$(metric crawler_frontier_queued)
  [ -n "$done_pages" ] || continue
  awk -v t="$now" -v s="$start" -v lt="$last_t" -v p="$done_pages" -v lp="$last_pages" -v k="$known" \
    -v d="$((queued - in_ram))" 'BEGIN { printf "%.1f %d %d %d %.0f\n", t - s, k, d, p, (p - lp) / (t - lt) }' |
    tee -a "$work/rows"
  last_t=$now last_pages=$done_pages
  if [ "$done_pages" -ge "$pages" ]; then kill -TERM "$coordinator"; break; fi
done
wait "$coordinator" || true
echo
echo "# pages/s by URLs known (mean of the 1 s samples whose start fell in the range)"
awk 'NR > 1 && $2 > 0 { d = int(log($2) / log(10)); sum[d] += $5; n[d]++ }
     END { for (d in n) printf "known 10^%d..10^%d: %.0f pages/s (%d samples)\n", d, d + 1, sum[d] / n[d], n[d] }' \
  "$work/rows" | sort
grep -E "^(pages|wall|rate|cpu|peak rss|frontier|loop lag)" "$work/coordinator.log" || tail -5 "$work/coordinator.log"
