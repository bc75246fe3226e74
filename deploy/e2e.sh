#!/usr/bin/env bash
# End to end in containers, no cluster: builds the image (deploy/Containerfile) with podman on
# an offline Debian base, runs the demo overlay's pods with `podman kube play --network=host`
# (simweb, the coordinator, a worker), waits for the crawl to finish, checks the results file
# against simweb's expected links, checks /metrics, /healthz and /readyz, and tears down.
#
# Usage: deploy/e2e.sh [--keep] [--timeout SECONDS] [--context DIR]
#   --keep          leave the pods and volumes for inspection (podman pod ps; podman logs ...)
#   --timeout S     how long the crawl may take (default 900)
#   --context DIR   build the image from DIR instead of this checkout
# Exit status: 0 passed; 1 failed; 77 podman cannot run containers here (skipped).
# Podman on these machines needs: a containers.conf with `default_ulimits = []`
# (deploy/podman/containers.conf), --runtime runc, --cgroup-manager=cgroupfs, host networking.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
context=$repo
keep=0
timeout=900
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=1 ;;
    --timeout) timeout=$2; shift ;;
    --context) context=$(cd "$2" && pwd); shift ;;
    *) echo "usage: $0 [--keep] [--timeout SECONDS] [--context DIR]" >&2; exit 2 ;;
  esac
  shift
done

export CONTAINERS_CONF=$repo/deploy/podman/containers.conf
pm() { podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
base_image=localhost/crawler-base:bookworm
image=localhost/crawler:dev
t0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t0 )) s"; }
log() { echo "e2e [$(elapsed)]: $*"; }

# podman, its runtime and pause binary, and debootstrap for the base: Debian packages.
need=()
for tool in podman runc catatonit debootstrap; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "e2e: needs ${need[*]} (apt-get install ${need[*]}): skipped"
    exit 77
  fi
  log "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
pm info >/dev/null 2>&1 || { echo "e2e: podman does not work here: skipped"; exit 77; }
for port in 5555 8080 9090 9091; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    echo "e2e: port $port is in use on this machine; the demo's pods need it (host network)" >&2
    exit 1
  fi
done

# 1. The base image, made offline from Debian's archive once, then kept in podman's storage.
if ! pm image exists "$base_image"; then
  rootfs=$(mktemp -d /tmp/deploy-e2e-rootfs.XXXXXX)
  log "debootstrap --variant=minbase bookworm (once; cached as $base_image)"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 ||
    { tail -20 "$rootfs.log" >&2; exit 1; }
  tar -C "$rootfs" -c . | pm import - "$base_image" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
fi
if ! pm run --rm --network=host --pull=never "$base_image" true >/tmp/deploy-e2e-run.log 2>&1; then
  cat /tmp/deploy-e2e-run.log
  echo "e2e: podman cannot run containers here: skipped"
  exit 77
fi

# 2. The image.
log "podman build -f deploy/Containerfile (context $context)"
pm build --network=host --pull=never --build-arg BASE_IMAGE="$base_image" \
  -f "$context/deploy/Containerfile" -t "$image" "$context" >/tmp/deploy-e2e-build.log 2>&1 ||
  { tail -40 /tmp/deploy-e2e-build.log >&2; echo "e2e: image build failed (log: /tmp/deploy-e2e-build.log)" >&2; exit 1; }
log "image $image: $(pm image inspect "$image" --format '{{.Size}}' | awk '{printf "%.1f MB", $1/1e6}')"

# 3. The demo overlay, as podman can play it.
work=$(mktemp -d /tmp/deploy-e2e.XXXXXX)
validate=$repo/deploy/k8s/validate
[ -d "$validate/node_modules" ] || (cd "$validate" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
kubectl kustomize "$repo/deploy/k8s/overlays/demo" >"$work/demo.yaml"
node "$validate/to-podman.js" "$work/demo.yaml" >"$work/play.yaml"

teardown() {
  pm kube down "$work/play.yaml" >/dev/null 2>&1 || true
  # The coordinator's state claim, and the volumes podman makes for ConfigMap mounts.
  pm volume ls --format '{{.Name}}' | grep -E '^(state-crawl-coordinator-0|crawl-seeds-.*)$' |
    while read -r volume; do pm volume rm -f "$volume" >/dev/null 2>&1 || true; done || true  # none: grep fails
}
teardown  # a previous run's pods and journal
finish() {
  local status=$?
  if [ "$keep" -eq 1 ]; then
    echo "e2e: kept the pods (podman pod ps) and $work"
  else
    teardown
    rm -rf "$work"
  fi
  exit "$status"
}
trap finish EXIT

log "podman kube play --network=host (demo overlay)"
pm kube play --network=host "$work/play.yaml" >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; exit 1; }

container() {  # the container of a workload, by its name in the manifests
  pm ps -a --format '{{.Names}}' | grep -- "^$1-pod" | grep -v infra | head -1
}
coordinator=$(container crawl-coordinator)
worker=$(container crawl-worker)
simweb=$(container crawl-simweb)
[ -n "$coordinator" ] && [ -n "$worker" ] && [ -n "$simweb" ] ||
  { pm ps -a >&2; echo "e2e: pods missing" >&2; exit 1; }

# 4. Probes and metrics while the crawl runs (every pod is on the host's network).
ok=0
for _ in $(seq 100); do
  if curl -fsS -m 2 http://127.0.0.1:9090/readyz >/dev/null 2>&1; then ok=1; break; fi
  [ "$(pm inspect "$coordinator" --format '{{.State.Status}}')" = exited ] && break
  sleep 0.2
done
if [ "$ok" -eq 1 ]; then
  curl -fsS -m 2 http://127.0.0.1:9090/healthz >/dev/null && log "coordinator /healthz and /readyz: 200"
  curl -fsS -m 2 http://127.0.0.1:9090/metrics >"$work/metrics.txt" && log "coordinator /metrics: $(grep -c '^# TYPE' "$work/metrics.txt") metric families"
  curl -fsS -m 2 http://127.0.0.1:9091/healthz >/dev/null && log "worker /healthz: 200"
else
  log "coordinator /readyz not seen (the crawl may have finished first)"
fi

# 5. Wait for the coordinator to finish the crawl.
deadline=$(( $(date +%s) + timeout ))
while [ "$(pm inspect "$coordinator" --format '{{.State.Status}}')" != exited ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    pm logs --tail 20 "$coordinator" >&2 || true
    echo "e2e: the crawl did not finish within $timeout s" >&2
    exit 1
  fi
  sleep 1
done
code=$(pm inspect "$coordinator" --format '{{.State.ExitCode}}')
pm logs "$coordinator" >"$work/coordinator.log" 2>&1 || true
log "coordinator exited with $code"
sed -n '/^pages/,$p' "$work/coordinator.log" | head -20
[ "$code" = 0 ] || { tail -30 "$work/coordinator.log" >&2; exit 1; }

# 6. The results against what simweb says a correct crawl finds.
state=$(pm volume inspect state-crawl-coordinator-0 --format '{{.Mountpoint}}')
pm cp "$simweb:/data/expected-full.tsv" "$work/expected-full.tsv"
sort "$state/results.txt" >"$work/actual.sorted"
sort "$work/expected-full.tsv" >"$work/expected.sorted"
if cmp -s "$work/actual.sorted" "$work/expected.sorted"; then
  log "PASS: results.txt has $(wc -l <"$work/actual.sorted") lines, identical to simweb's expected-full.tsv"
else
  diff "$work/expected.sorted" "$work/actual.sorted" | head -10 >&2
  echo "e2e: FAIL: results.txt ($(wc -l <"$work/actual.sorted") lines) differs from expected-full.tsv ($(wc -l <"$work/expected.sorted") lines)" >&2
  exit 1
fi
log "done"
