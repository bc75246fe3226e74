#!/usr/bin/env bash
# Sets up and runs the demo: builds the crawler, starts the bundled test web (simweb) on
# 127.0.0.1, crawls it, and prints the summary. Results land in demo/results.txt.
# Usage: deploy/demo.sh [extra crawl flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target crawl simweb
bin=build/release/bin

mkdir -p demo
"$bin/simweb" --port 0 --pages 5000 --hosts 20 --latency-ms 20 --jitter-ms 10 --out-dir demo \
  --max-seconds 600 >demo/simweb.out 2>demo/simweb.err &
simweb_pid=$!
trap 'kill $simweb_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q listening demo/simweb.out 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's/^listening [0-9.]*:\([0-9]*\)$/\1/p' demo/simweb.out)
[ -n "$port" ] || { echo "simweb did not start:" >&2; cat demo/simweb.err >&2; exit 1; }

echo "simweb: 5000 pages on 20 hosts at 127.0.0.1:$port (20±10 ms per response)"
echo "crawl:  every host from its root page, following links (robots.txt obeyed)"
"$bin/crawl" --seeds demo/seeds-roots.txt --depth 100 --out demo/results.txt \
  --resolve "*:$port:127.0.0.1" --concurrency 100 "$@"

expected=$(sort demo/expected-full.tsv | md5sum)
actual=$(sort demo/results.txt | md5sum)
lines=$(wc -l <demo/results.txt)
if [ "$expected" = "$actual" ]; then
  echo "demo/results.txt: $lines lines, identical to the $(wc -l <demo/expected-full.tsv) lines simweb says a correct crawl finds"
else
  echo "demo/results.txt: $lines lines, NOT equal to demo/expected-full.tsv" >&2
  exit 1
fi
