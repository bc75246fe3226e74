# Shared by the bench/*.sh scripts (sourced, not run). Needs $bin, $work, $pages, $hosts set.
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# start_simweb NAME ARGS... : starts simweb with its manifest in $work/NAME, sets $port
start_simweb() {
  local name=$1; shift
  mkdir -p "$work/$name"
  "$bin/simweb" --port 0 --threads 2 --pages "$pages" --hosts "$hosts" --out-dir "$work/$name" \
    --max-seconds 3600 "$@" >"$work/$name/out" 2>"$work/$name/err" &
  pids+=($!)
  for _ in $(seq 300); do grep -q listening "$work/$name/out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/^listening [0-9.]*:\([0-9]*\)$/\1/p' "$work/$name/out")
  [ -n "$port" ] || { echo "simweb did not start" >&2; cat "$work/$name/err" >&2; exit 1; }
}

# measure LABEL PAGES CMD... : runs CMD under /usr/bin/time and appends
# "label wall_s cpu_s peak_rss_kb pages" to $work/rows. CPU includes reaped child processes;
# peak RSS is the largest single process of the tree (what wait4 reports).
measure() {
  local label=$1 n=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
    echo "$label failed:" >&2; tail -5 "$work/stderr" >&2; exit 1; }
  read -r wall user sys rss <"$work/time"
  echo "$label $wall $(awk "BEGIN{print $user + $sys}") $rss $n" >>"$work/rows"
}

# write_csv FILE : the rows as CSV with pages/s
write_csv() {
  mkdir -p "$(dirname "$1")"
  echo "label,run,wall_s,cpu_s,peak_rss_kb,pages,pages_per_s" >"$1"
  awk '{ run[$1]++; printf "%s,%d,%s,%s,%s,%s,%.1f\n", $1, run[$1], $2, $3, $4, $5, $5/$2 }' "$work/rows" >>"$1"
}
