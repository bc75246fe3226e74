#!/usr/bin/env bash
# A broad HTTPS crawl on the real web's shape (issue 15), in one run:
#   2,000 hosts x 10 pages (simweb), behind nginx with a CA made for this run (TLS 1.3, ECDSA
#   P-256, 100 host names per certificate); even hosts speak HTTP/2, odd hosts HTTP/1.1 only;
#   50 ms server latency; every name resolved through a real DNS server (dnsmasq), not --resolve.
# Compares, interleaved, REPEAT times each:
#   crawl --workers 0    fetch + parse + write every link, one process
#   crawl --workers 0 --system-resolver   names through libcurl's getaddrinfo threads instead
#                        of the crawl's own resolver (c-ares, cached for the TTL)
#   crawl --workers 2    the same with a coordinator and two worker processes (C/2 each)
#   curl --parallel      fetch only (curl -Z --parallel-max C -K list), the same URLs and CA, in
#                        the crawl's seed order (page i on host i mod H: round robin over hosts)
#   curl, by host        the same with the list sorted by host (a host's pages one after another)
# and prints min/median/max of pages/s, client CPU ms per page (TLS included), TCP connections
# and full TLS handshakes the server saw, DNS queries dnsmasq answered, the crawl's event-loop lag
# (the largest p99 and max any of its loops reported), and crawl/curl ratios.
#
# Needs root: it re-runs itself under `unshare --net --mount --fork`, where `lo` is a private
# loopback, dnsmasq listens on 127.0.0.1:53 and a resolv.conf naming it is bind-mounted over
# /etc/resolv.conf. The machine's own network and resolv.conf are not touched, and nothing leaves
# the namespace. Inside: nginx on 127.0.0.1:PORT (h2) and 127.0.0.3:PORT (HTTP/1.1), simweb on
# 127.0.0.2:PORT (so the links simweb writes name the port the front listens on); dnsmasq maps
# hN.sim to 127.0.0.1 or 127.0.0.3; a veth pair (both ends inside) gives the namespace the
# non-loopback address getaddrinfo's AI_ADDRCONFIG needs. The kernel here has no netem: the
# latency is simweb's timer.  Not in CI (minutes, root, timing).
#
# Install: deploy/install-deps.sh (nginx, openssl, curl, time), then
#          apt-get install -y dnsmasq-base iproute2 util-linux   (dnsmasq-base: only for this)
# Build:   cmake --preset release && cmake --build --preset release --target crawl crawl-worker simweb
# Usage:   sudo bench/https-web.sh [--hosts H] [--pages-per-host P] [--latency-ms MS]
#                [--concurrency C] [--per-host N] [--repeat R] [--build DIR] [--keep]
#                [--results-dir DIR]   (default: <build>/bench-results)
#                [--wget2]   (adds wget2 --max-threads C -O /dev/null over the same list; off by
#                default: wget2 1.99 took about a second per page on this shape, one
#                connection per page; not diagnosed)
# Rows go to <results-dir>/https_web.csv (--results-dir bench/results refreshes the committed
# ones). About 10 minutes with the defaults on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

hosts=2000 per_host_pages=10 latency=50 conc=200 per_host=2 repeat=3 build=build/release keep=0 results_dir=
port=8443 names_per_cert=100 wget2=0
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts=$2; shift 2 ;;
    --pages-per-host) per_host_pages=$2; shift 2 ;;
    --latency-ms) latency=$2; shift 2 ;;
    --concurrency) conc=$2; shift 2 ;;
    --per-host) per_host=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --results-dir) results_dir=$2; shift 2 ;;
    --wget2) wget2=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { print }' "$0"; exit 0 ;;
    *) echo "https-web: unknown option $1" >&2; exit 2 ;;
  esac
done
pages=$((hosts * per_host_pages))
bin=$(realpath -m "$build/bin")

if [ "${HTTPS_WEB_IN_NS:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "https-web: needs root (network and mount namespaces)" >&2; exit 2; }
  for tool in dnsmasq nginx openssl curl unshare ip /usr/bin/time python3; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
      echo "https-web: $tool not found (see the Install line in $0)" >&2; exit 2; }
  done
  for b in crawl crawl-worker simweb; do
    [ -x "$bin/$b" ] || { echo "https-web: $bin/$b missing (see the Build line in $0)" >&2; exit 2; }
  done
  exec unshare --net --mount --fork env HTTPS_WEB_IN_NS=1 PATH="$PATH:/usr/sbin:/sbin" "$0" "${args[@]}"
fi

# ---- inside the private network + mount namespace ----
ip link set lo up
# A non-loopback address, as real machines have: getaddrinfo's AI_ADDRCONFIG returns no IPv4
# address at all on a machine whose only IPv4 addresses are loopback ones. (A veth pair with
# both ends here: nothing is routed anywhere; the kernel here has no dummy interfaces.)
ip link add sim-a type veth peer name sim-b
ip addr add 10.253.0.1/30 dev sim-a
ip link set sim-a up
ip link set sim-b up
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/https-web.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
die() { echo "https-web: $*" >&2; exit 1; }
wait_for() {  # wait_for SECONDS CMD...: until CMD succeeds
  local n=$(($1 * 10)); shift
  for _ in $(seq "$n"); do "$@" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# DNS: dnsmasq answers hN.sim from a hosts file (even: the h2 front, odd: the HTTP/1.1 front),
# TTL 300 s, nothing forwarded; every query is logged so that it can be counted.
awk -v n="$hosts" 'BEGIN { for (i = 0; i < n; i++) printf "127.0.0.%d h%d.sim\n", (i % 2 ? 3 : 1), i }' \
  >"$work/sim.hosts"
dnsmasq --keep-in-foreground --conf-file=/dev/null --user=root --pid-file= \
  --listen-address=127.0.0.1 --bind-interfaces --port=53 --no-resolv --no-hosts \
  --addn-hosts="$work/sim.hosts" --local-ttl=300 --local=/sim/ \
  --log-queries --log-facility="$work/dns.log" 2>"$work/dnsmasq.err" &
pids+=($!)
echo "nameserver 127.0.0.1" >"$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf
wait_for 10 getent hosts h1.sim >/dev/null || die "dnsmasq does not answer: $(cat "$work/dnsmasq.err")"
[ "$(getent ahostsv4 h1.sim | awk 'NR==1{print $1}')" = 127.0.0.3 ] || die "h1.sim does not resolve to 127.0.0.3"
getent hosts nothere.sim >/dev/null && die "nothere.sim resolves (should be NXDOMAIN)"

# simweb on 127.0.0.2:PORT, so its absolute links name the port the fronts listen on.
mkdir -p "$work/site"
"$bin/simweb" --bind 127.0.0.2 --port "$port" --threads 2 --pages "$pages" --hosts "$hosts" \
  --latency-ms "$latency" --gzip on --out-dir "$work/site" --max-seconds 7200 \
  >"$work/site/out" 2>"$work/site/err" &
pids+=($!)
wait_for 60 grep -q listening "$work/site/out" || die "simweb did not start: $(cat "$work/site/err")"

# Certificates: one CA; a server certificate per group of names_per_cert hosts (curl, like
# browsers, refuses a wildcard directly under a top-level name such as *.sim).
tls=$work/tls
mkdir -p "$tls"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 2 \
  -subj "/CN=https-web bench CA" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
groups=$(((hosts + names_per_cert - 1) / names_per_cert))
for g in $(seq 0 $((groups - 1))); do
  first=$((g * names_per_cert)) last=$(((g + 1) * names_per_cert - 1))
  [ "$last" -lt "$hosts" ] || last=$((hosts - 1))
  names=$(seq -f "h%g.sim" "$first" "$last")
  { printf 'subjectAltName='; echo "$names" | sed 's/^/DNS:/' | paste -sd,
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n'
  } >"$tls/g$g.ext"
  openssl req "${ec[@]}" -keyout "$tls/g$g.key" -out "$tls/g$g.csr" -subj "/CN=h$first.sim" 2>/dev/null
  openssl x509 -req -in "$tls/g$g.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -out "$tls/g$g.pem" -days 2 -extfile "$tls/g$g.ext" 2>/dev/null
  echo "$names" | paste -sd' ' >"$tls/g$g.names"
done

# nginx: two workers; the h2 front on 127.0.0.1, the HTTP/1.1 front on 127.0.0.3 (ALPN is per
# listening socket), one server block per certificate on each; stub_status on 127.0.0.9:80.
ng=$work/nginx
mkdir -p "$ng/tmp"
{
  cat <<EOF
user root;
worker_processes 2;
worker_rlimit_nofile $(ulimit -Hn);
daemon off;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 8192; }
http {
  log_format conn '\$connection \$server_protocol \$ssl_session_reused \$status';
  access_log $ng/access.log conn;
  client_body_temp_path $ng/tmp;
  proxy_temp_path $ng/tmp;
  fastcgi_temp_path $ng/tmp;
  server_names_hash_max_size 8192;
  server_names_hash_bucket_size 64;
  keepalive_requests 100000;
  keepalive_timeout 120s;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache shared:SSL:20m;
  upstream simweb { server 127.0.0.2:$port; keepalive 512; }
  server { listen 127.0.0.9:80; access_log off; location / { stub_status; } }
EOF
  for g in $(seq 0 $((groups - 1))); do
    for front in "127.0.0.1:$port ssl http2" "127.0.0.3:$port ssl"; do
      cat <<EOF
  server {
    listen $front$([ "$g" = 0 ] && echo " default_server");
    server_name $(cat "$tls/g$g.names");
    ssl_certificate $tls/g$g.pem;
    ssl_certificate_key $tls/g$g.key;
    location / {
      proxy_pass http://simweb;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
EOF
    done
  done
  echo "}"
} >"$ng/nginx.conf"
nginx -p "$ng" -c "$ng/nginx.conf" -e "$ng/error.log" 2>"$ng/stderr" &
pids+=($!)
accepts() { curl -s --noproxy '*' http://127.0.0.9/ | awk 'NR==3 {print $1}'; }
wait_for 30 accepts >/dev/null || die "nginx did not start: $(cat "$ng/stderr" "$ng/error.log" 2>/dev/null)"
curl -s --cacert "$tls/ca.pem" -o /dev/null -w '%{http_version}' "https://h0.sim:$port/" | grep -qx 2 ||
  die "h0.sim is not served over HTTP/2"
curl -s --cacert "$tls/ca.pem" -o /dev/null -w '%{http_version}' "https://h1.sim:$port/" | grep -qx 1.1 ||
  die "h1.sim is not served over HTTP/1.1"

sed 's/^http:/https:/' "$work/site/seeds.txt" >"$work/seeds.txt"
sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$work/seeds.txt" >"$work/curl.cfg"
LC_ALL=C sort -t/ -k3,3 -s "$work/seeds.txt" | sed 's/.*/url = "&"\noutput = "\/dev\/null"/' >"$work/curl-by-host.cfg"
# One untimed pass fills simweb's gzip cache (see bench/fetch_bench.sh).
curl -s --compressed --parallel --parallel-max "$conc" --cacert "$tls/ca.pem" -K "$work/curl.cfg" 2>/dev/null ||
  die "the warm-up curl pass failed"

# CPU seconds of nginx's processes and simweb so far (the server side, for the record).
clk=$(getconf CLK_TCK)
server_cpu() {
  local master p
  master=$(cat "$ng/nginx.pid")
  for p in "$master" $(cat /proc/"$master"/task/*/children) "${pids[1]}"; do
    cat "/proc/$p/stat" 2>/dev/null || true
  done | sed 's/.*) //' | awk -v c="$clk" '{ s += $12 + $13 } END { printf "%.2f", s / c }'
}
lag_of() {  # "P99 MAX" in ms: the worst of the "loop lag p50 A ms, p99 B ms, max C ms" lines
  awk '/loop lag +p50/ { for (i = 1; i <= NF; i++) { if ($i == "p99") p = $(i + 1); if ($i == "max") m = $(i + 1) }
                        if (p + 0 > P) P = p + 0; if (m + 0 > M) M = m + 0; n++ }
       END { if (n) print P, M; else print -1, -1 }' "$1"
}
log_complete() { [ "$(grep -c ' 200$' "$ng/access.log")" -ge "$pages" ]; }

# measure LABEL CMD...: one timed run; appends a row to $work/rows:
# label wall_s cpu_s peak_rss_kb pages ok tcp_conns full_handshakes h2_conns dns_queries server_cpu_s
# lag_p99_ms lag_max_ms (from crawl's summary on stderr; the worst of its loops; -1 for curl)
udp_drops() {  # UDP datagrams this namespace dropped for a full receive buffer (DNS answers)
  awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1; next }
       $1 == "Udp:" { print $c }' /proc/net/snmp
}

measure() {
  local label=$1; shift
  local acc0 dns0 srv0 acc1 dns1 srv1 udp0
  : >"$ng/access.log"
  udp0=$(udp_drops)
  acc0=$(accepts) dns0=$(grep -c 'query\[' "$work/dns.log" || true) srv0=$(server_cpu)
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
    echo "$label failed:" >&2; tail -5 "$work/stderr" >&2; exit 1; }
  # nginx logs a request just after its last byte: give the log a moment to catch up.
  wait_for 10 log_complete || true
  acc1=$(accepts) dns1=$(grep -c 'query\[' "$work/dns.log" || true) srv1=$(server_cpu)
  read -r wall user sys rss <"$work/time"
  awk -v label="$label" -v wall="$wall" -v cpu="$(awk "BEGIN{print $user + $sys}")" -v rss="$rss" \
      -v pages="$pages" -v conns=$((acc1 - acc0 - 1)) -v dns=$((dns1 - dns0)) \
      -v srv="$(awk "BEGIN{print $srv1 - $srv0}")" -v lag="$(lag_of "$work/stderr")" '
    $4 == 200 { ok++ }
    !seen[$1]++ { if ($3 != "r") full++; if ($2 == "HTTP/2.0") h2++ }
    END { print label, wall, cpu, rss, pages, ok + 0, conns, full + 0, h2 + 0, dns, srv, lag }' \
    "$ng/access.log" >>"$work/rows"
  tail -1 "$work/rows" | awk -v udp=$(($(udp_drops) - udp0)) \
    '{ printf "  %-31s %6.2f s  %4d/%d ok  %d conns  %d dns  %d UDP dropped\n", $1, $2, $6, $5, $7, $10, udp }' >&2
}

check_links() {  # the crawl wrote exactly simweb's depth-0 links (scheme aside: seeds are https)
  cmp -s <(sed 's/https:/http:/g' "$work/r.txt" | LC_ALL=C sort -u) "$work/site/expected-depth0.tsv" ||
    die "crawl output differs from the manifest ($1)"
}

crawl_common=(--progress never --per-host "$per_host" --seeds "$work/seeds.txt" --out "$work/r.txt"
  --cacert "$tls/ca.pem" --allow-private --retries 0)
: >"$work/rows"
for i in $(seq "$repeat"); do
  echo "round $i/$repeat" >&2
  measure curl-parallel curl -s --compressed --parallel --parallel-max "$conc" \
    --cacert "$tls/ca.pem" -K "$work/curl.cfg"
  measure curl-by-host curl -s --compressed --parallel --parallel-max "$conc" \
    --cacert "$tls/ca.pem" -K "$work/curl-by-host.cfg"
  if [ "$wget2" = 1 ]; then
    measure wget2 wget2 -q --no-config --max-threads "$conc" --compression gzip \
      --ca-certificate "$tls/ca.pem" -i "$work/seeds.txt" -O /dev/null
  fi
  measure crawl-workers-0 "$bin/crawl" --workers 0 --concurrency "$conc" "${crawl_common[@]}"
  check_links "workers 0"
  measure crawl-workers-0-system-resolver "$bin/crawl" --workers 0 --system-resolver \
    --concurrency "$conc" "${crawl_common[@]}"
  check_links "workers 0, --system-resolver"
  measure crawl-workers-2 "$bin/crawl" --workers 2 --concurrency $((conc / 2)) "${crawl_common[@]}"
  check_links "workers 2"
done

results_dir=${results_dir:-$build/bench-results}
mkdir -p "$results_dir"
csv=$results_dir/https_web.csv
{
  echo "label,run,wall_s,cpu_s,peak_rss_kb,pages,pages_ok,pages_per_s,tcp_connections,full_tls_handshakes,h2_connections,dns_queries,server_cpu_s,loop_lag_p99_ms,loop_lag_max_ms"
  awk '{ run[$1]++; printf "%s,%d,%s,%s,%s,%s,%s,%.1f,%s,%s,%s,%s,%s,%s,%s\n",
         $1, run[$1], $2, $3, $4, $5, $6, $5 / $2, $7, $8, $9, $10, $11, $12, $13 }' "$work/rows"
} >"$csv"

echo
echo "https-web: hosts=$hosts pages=$pages (half h2, half HTTP/1.1) latency=${latency}ms" \
  "concurrency=$conc per-host=$per_host repeat=$repeat cores=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$csv" "$conc" "$latency" "$hosts" "$per_host" <<'PY'
import csv, statistics, sys
path, conc, latency, hosts, per_host = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
by = {}
for r in csv.DictReader(open(path)):
    by.setdefault(r["label"], []).append(r)

def col(label, key, scale=1.0):
    return [float(r[key]) * scale for r in by[label]]

def mmm(xs, fmt):
    xs = sorted(xs)
    return "/".join(fmt.format(x) for x in (xs[0], statistics.median(xs), xs[-1]))

bound = conc / (latency / 1000) if latency else float("inf")
print(f"bound = concurrency / latency = {bound:.0f} pages/s; connection goal <= hosts x per-host = {hosts * per_host}")
print("min/median/max over the runs:")
head = f"{'configuration':<32}{'pages/s':>17}{'of bound':>10}{'CPU ms/page':>18}{'TCP conns':>18}{'full TLS':>18}{'DNS queries':>18}{'peak RSS MB':>13}{'server CPU ms/page':>20}{'lag p99 ms':>16}{'lag max ms':>16}"
print(head)
for lab, rows in by.items():
    pages = float(rows[0]["pages"])
    pps = col(lab, "pages_per_s")
    print(f"{lab:<32}{mmm(pps, '{:.0f}'):>17}{statistics.median(pps) / bound:>10.2f}"
          f"{mmm(col(lab, 'cpu_s', 1000 / pages), '{:.2f}'):>18}"
          f"{mmm(col(lab, 'tcp_connections'), '{:.0f}'):>18}"
          f"{mmm(col(lab, 'full_tls_handshakes'), '{:.0f}'):>18}"
          f"{mmm(col(lab, 'dns_queries'), '{:.0f}'):>18}"
          f"{statistics.median(col(lab, 'peak_rss_kb', 1 / 1024)):>13.1f}"
          f"{mmm(col(lab, 'server_cpu_s', 1000 / pages), '{:.2f}'):>20}"
          + (f"{mmm(col(lab, 'loop_lag_p99_ms'), '{:.0f}'):>16}{mmm(col(lab, 'loop_lag_max_ms'), '{:.0f}'):>16}"
             if float(rows[0]["loop_lag_max_ms"]) >= 0 else ""))
    bad = [int(r["pages"]) - int(r["pages_ok"]) for r in rows]
    if any(bad):
        print(f"  {lab}: pages not answered 200 in a run: {bad}")
print()
for lab in by:
    for ref in ("curl-parallel", "curl-by-host"):
        if not lab.startswith("crawl"):
            continue
        rate = [float(a["pages_per_s"]) / float(b["pages_per_s"]) for a, b in zip(by[lab], by[ref])]
        cpu = [float(a["cpu_s"]) / float(b["cpu_s"]) for a, b in zip(by[lab], by[ref])]
        print(f"{lab} / {ref}, round by round: pages/s {', '.join(f'{x:.2f}' for x in rate)}"
              f" (median {statistics.median(rate):.2f}); CPU s {', '.join(f'{x:.2f}' for x in cpu)}"
              f" (median {statistics.median(cpu):.2f})")
PY
echo "rows: $csv"
