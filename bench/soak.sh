#!/usr/bin/env bash
# Soak: crawl the bundled test web, with every simweb fault among the seeds, for a set time while
# SIGKILLing a random worker and the coordinator on a schedule; then check that
#   - nothing crashed (every exit is 0, or the SIGKILL we sent),
#   - every fetched URL has exactly one result in results.jsonl, the site's pages gave exactly
#     the manifest's links (expected-full.tsv), and every in-scope link found was fetched too,
#     after any number of kills and resumes,
#   - the processes' RSS is flat: the last crawl's peak against the first's (the same work), and
#     for any process that lived 3 minutes, its last minute's peak against its second's.
# Crawls are repeated, each in a fresh state dir, until the time is up; every one is checked.
# Usage: bench/soak.sh [--minutes M] [--workers N] [--pages P] [--kill-worker-every S]
#                      [--kill-coordinator-every S] [--build DIR]       (S = 0: no such kills)
# Exit: 0 every check passed, 1 a check failed (the reason is printed), 2 bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
# bash reports every SIGKILLed background job ("line N: PID Killed ..."): those are ours.
exec 2> >(grep --line-buffered -v 'Killed  *"\$bin/crawl-' >&2)

minutes=5 workers=2 pages=20000 hosts=40 kill_worker=7 kill_coordinator=19 build=build/release
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --kill-worker-every) kill_worker=$2; shift 2 ;;
    --kill-coordinator-every) kill_coordinator=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "soak: unknown option $1" >&2; exit 2 ;;
  esac
done

bin=$build/bin
[ -x "$bin/crawl-coordinator" ] && [ -x "$bin/crawl-worker" ] && [ -x "$bin/simweb" ] || {
  ./deploy/install-deps.sh
  cmake --preset release >/dev/null && cmake --build --preset release --target crawl-coordinator crawl-worker simweb
}
work=$(mktemp -d /tmp/soak.XXXXXX)
. bench/lib.sh
report=bench/results/soak
mkdir -p "$report"

start_simweb web --latency-ms 20 --jitter-ms 15
web_port=$port
# Every fault simweb has, on every host, next to the site's roots.
cp "$work/web/seeds-roots.txt" "$work/seeds.txt"
for h in $(seq 0 $((hosts - 1))); do
  for f in status/503 flaky/k$h/2/503 retry-after/1 reset slow/4000 stall redirect/4 loop \
           to-scheme/ftp type/image/png big/9000000 bomb/50000000; do
    echo "http://h$h.sim:$web_port/fault/$f" >>"$work/seeds.txt"
  done
done
endpoint="tcp://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

deadline=$(( $(date +%s) + minutes * 60 ))
: >"$work/events"
echo "t,crawl,role,pid,rss_kb" >"$report/rss.csv"
echo 0 >"$work/crawl_no"
t0=$(date +%s)
crashes=0 kills_w=0 kills_c=0 crawls=0

# Samples RSS of every crawl process once a second (until killed).
( while true; do
    for pid in $(cat "$work/pids" 2>/dev/null); do
      role=${pid%%:*}; p=${pid#*:}
      rss=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
      [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )),$(cat "$work/crawl_no"),$role,$p,$rss" >>"$report/rss.csv"
    done
    sleep 1
  done ) &
pids+=($!)

check_exit() {  # ROLE STATUS: 0 and our own SIGKILL (137) are fine; anything else is a crash
  case $2 in
    0|137) ;;
    *) echo "soak: $1 exited with status $2" | tee -a "$work/events" >&2; crashes=$((crashes + 1)) ;;
  esac
}

run_crawl() {  # one crawl, killed and resumed until it completes; returns 0 when it did
  local state=$work/state results=$work/results.jsonl
  rm -rf "$state" "$results"
  local -a wpid=()
  local coordinator status next_kw next_kc now
  start_coordinator() {
    "$bin/crawl-coordinator" --listen "$endpoint" --seeds "$work/seeds.txt" --depth 100 \
      --format jsonl --out "$results" --state-dir "$state" --resume=auto --workers "$workers" \
      --resolve "*:$web_port:127.0.0.1" --timeout-ms 4000 --retries 1 --retry-base-ms 100 \
      --retry-after-max-ms 2000 --progress never --liveness-ms 3000 >/dev/null 2>>"$work/coordinator.log" &
    coordinator=$!
  }
  start_worker() {
    "$bin/crawl-worker" --connect "$endpoint" --worker-id "w$1" --concurrency 16 \
      --liveness-ms 1500 --heartbeat-ms 250 >/dev/null 2>>"$work/worker$1.log" &
    wpid[$1]=$!
  }
  write_pids() {
    { echo "coordinator:$coordinator"; for i in "${!wpid[@]}"; do echo "worker:${wpid[$i]}"; done; } >"$work/pids"
  }
  start_coordinator
  for i in $(seq 0 $((workers - 1))); do start_worker "$i"; done
  write_pids
  next_kw=$(( $(date +%s) + kill_worker )); next_kc=$(( $(date +%s) + kill_coordinator ))
  while true; do
    if ! kill -0 "$coordinator" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$coordinator/stat" 2>/dev/null)" = Z ]; then
      status=0; wait "$coordinator" 2>/dev/null || status=$?
      check_exit coordinator "$status"
      if [ "$status" -eq 0 ]; then break; fi
      start_coordinator; write_pids
    fi
    for i in "${!wpid[@]}"; do
      if ! kill -0 "${wpid[$i]}" 2>/dev/null || [ "$(awk '{print $3}' "/proc/${wpid[$i]}/stat" 2>/dev/null)" = Z ]; then
        status=0; wait "${wpid[$i]}" 2>/dev/null || status=$?
        check_exit "worker w$i" "$status"
        start_worker "$i"; write_pids
      fi
    done
    now=$(date +%s)
    # After the soak's time the last crawl finishes without kills.
    if [ "$kill_worker" -gt 0 ] && [ "$now" -ge "$next_kw" ] && [ "$now" -lt "$deadline" ]; then
      i=$(( RANDOM % workers )); kill -9 "${wpid[$i]}" 2>/dev/null && kills_w=$((kills_w + 1))
      echo "$((now - t0)) s: SIGKILL worker w$i" >>"$work/events"; next_kw=$((now + kill_worker))
    fi
    if [ "$kill_coordinator" -gt 0 ] && [ "$now" -ge "$next_kc" ] && [ "$now" -lt "$deadline" ]; then
      kill -9 "$coordinator" 2>/dev/null && kills_c=$((kills_c + 1))
      echo "$((now - t0)) s: SIGKILL coordinator" >>"$work/events"; next_kc=$((now + kill_coordinator))
    fi
    if [ "$now" -ge $((deadline + 600)) ]; then echo "soak: a crawl did not finish 10 minutes after the soak's end" >&2; return 1; fi
    sleep 0.2
  done
  # Workers registered with the last coordinator were told to shut down and exit 0 by
  # themselves; one still reconnecting after a kill never heard it: SIGTERM after 10 s.
  for _ in $(seq 50); do
    local running=0
    for i in "${!wpid[@]}"; do kill -0 "${wpid[$i]}" 2>/dev/null && [ "$(awk '{print $3}' "/proc/${wpid[$i]}/stat" 2>/dev/null)" != Z ] && running=1; done
    [ "$running" -eq 0 ] && break
    sleep 0.2
  done
  for i in "${!wpid[@]}"; do kill -TERM "${wpid[$i]}" 2>/dev/null || true; done
  for i in "${!wpid[@]}"; do
    status=0; wait "${wpid[$i]}" 2>/dev/null || status=$?
    [ "$status" -eq 143 ] && status=0  # our SIGTERM
    check_exit "worker w$i" "$status"
  done
  : >"$work/pids"
  python3 - "$results" "$work/web/expected-full.tsv" "$work/seeds.txt" <<'PY' || return 1
import collections, json, sys
results, expected_path, seeds_path = sys.argv[1:]
records = [json.loads(line) for line in open(results)]
counts = collections.Counter(r["url"] for r in records)
dup = [u for u, n in counts.items() if n > 1]
if dup:
    sys.exit(f"soak: {len(dup)} URLs have more than one result, e.g. {dup[0]}")
expected = set(open(expected_path).read().splitlines())
site_sources = {line.split("\t", 1)[0] for line in expected}
got = {f'{r["url"]}\t{l}' for r in records if r["url"] in site_sources for l in r.get("links", [])}
if got != expected:
    missing, extra = expected - got, got - expected
    sys.exit(f"soak: site links differ: {len(missing)} missing (e.g. {next(iter(missing), '-')}), "
             f"{len(extra)} extra (e.g. {next(iter(extra), '-')})")
seeds = [s for s in open(seeds_path).read().split() if s]
unanswered = [s for s in seeds if s not in counts]
if unanswered:
    sys.exit(f"soak: {len(unanswered)} seeds have no result, e.g. {unanswered[0]}")
# Every in-scope link (same host; --depth 100 is never reached) was fetched in turn: a page
# without links of its own is not covered by the manifest check above.
host = lambda url: url.split("/", 3)[2]
unfetched = {l for r in records for l in r.get("links", []) if host(l) == host(r["url"]) and l not in counts}
if unfetched:
    sys.exit(f"soak: {len(unfetched)} in-scope links were never fetched, e.g. {next(iter(unfetched))}")
errors = collections.Counter(r.get("error") or "ok" for r in records)
print(f"  {len(records)} results, each URL once; {len(expected)} site links as the manifest; outcomes {dict(errors)}")
PY
}

while [ "$(date +%s)" -lt "$deadline" ]; do
  crawls=$((crawls + 1))
  echo "$crawls" >"$work/crawl_no"
  echo "crawl $crawls ($(( $(date +%s) - t0 )) s into the soak)"
  run_crawl || { cp "$work"/*.log "$work/events" "$report/" 2>/dev/null; echo "soak: FAIL in crawl $crawls (logs in $report)"; exit 1; }
done

cp "$work/events" "$report/events.txt"
echo
echo "soak: $minutes min, $crawls crawls completed and checked, $kills_w workers and $kills_c coordinators SIGKILLed, $crashes crashes"
python3 - "$report/rss.csv" <<'PY'
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
# A process that lived 3 minutes or more: its peak RSS in its last minute against its peak in
# its second (the first is warm-up). With kills on a schedule no process lives that long: run
# with --kill-worker-every 0 --kill-coordinator-every 0 for this verdict.
lives = collections.defaultdict(list)
for r in rows:
    lives[(r["role"], r["pid"])].append((int(r["t"]), int(r["rss_kb"]) / 1024))
for (role, pid), samples in sorted(lives.items()):
    start, end = samples[0][0], samples[-1][0]
    if end - start < 180:
        continue
    warm = max(v for t, v in samples if 60 <= t - start < 120)
    last = max(v for t, v in samples if t >= end - 60)
    print(f"{role} {pid}: lived {end - start} s, peak RSS {warm:.1f} MB in its 2nd minute, {last:.1f} MB in its last")
    if last > 1.25 * warm + 10:
        sys.exit(f"soak: FAIL: {role} {pid} grew from {warm:.1f} MB to {last:.1f} MB")
crawls = sorted({int(r["crawl"]) for r in rows})
def peak(role, crawl):
    v = [int(r["rss_kb"]) for r in rows if r["role"] == role and int(r["crawl"]) == crawl]
    return max(v) / 1024 if v else 0.0
for role in ("worker", "coordinator"):
    print(f"{role:<12} peak RSS by crawl: " + ", ".join(f"{peak(role, c):.1f} MB" for c in crawls))
if len(crawls) < 2:
    print("one crawl: no second one to compare its peak RSS with (run longer)")
else:
    for role in ("worker", "coordinator"):
        first, last = peak(role, crawls[0]), peak(role, crawls[-1])
        if last > 1.25 * first + 10:
            sys.exit(f"soak: FAIL: {role} peak RSS grew from {first:.1f} MB (crawl 1) to {last:.1f} MB")
PY
[ "$crashes" -eq 0 ] || { echo "soak: FAIL: $crashes unexpected exits"; exit 1; }
echo "soak: PASS (rss samples: $report/rss.csv, kills: $report/events.txt)"
