#!/usr/bin/env node
// Turns rendered manifests into what `podman kube play --network=host` (podman 4.3) can run
// on one machine, keeping every pod template as rendered otherwise:
// - a StatefulSet becomes a Deployment of one pod plus a PersistentVolumeClaim per
//   volumeClaimTemplate (named <claim>-<statefulset>-0, as Kubernetes names them), which podman
//   turns into named volumes;
// - Services, NetworkPolicies and PodDisruptionBudgets are dropped (podman has no cluster
//   network, DNS or scheduler); since every pod shares the host's network, a Service name
//   followed by a port in a container's args or env (tcp://crawl-coordinator:5555) becomes
//   127.0.0.1 (podman ignores hostAliases on the host network);
// - one replica per Deployment: on the host network a second pod would find its ports taken;
// - container ports are dropped (podman refuses port mappings on the host network) and probes
//   that name a port get its number;
// - restartPolicy Never: a program that finished (the coordinator at the end of the crawl, the
//   workers after its Shutdown) stays exited for the caller to read its status; so the
//   coordinator's --stay-up (there against a StatefulSet's restarts) is dropped;
// - workloads come in the order simweb (test web), coordinator, workers.
// Usage: node to-podman.js RENDERED.yaml > PLAY.yaml
"use strict";

const fs = require("fs");
const yaml = require("js-yaml");

function main(file) {
  const objects = [];
  yaml.loadAll(fs.readFileSync(file, "utf8"), (doc) => doc && objects.push(doc));
  const serviceNames = objects.filter((o) => o.kind === "Service").map((o) => o.metadata.name);
  const escaped = serviceNames.map((n) => n.replace(/[.]/g, "\\."));
  const pattern = new RegExp(`(^|[/=@,\\s])(${escaped.join("|")})(?=:[0-9])`, "g");
  const localize = (text) => (serviceNames.length ? text.replace(pattern, (match, before) => `${before}127.0.0.1`) : text);
  const out = [];
  const workloads = [];
  for (const obj of objects) {
    if (["Service", "NetworkPolicy", "PodDisruptionBudget"].includes(obj.kind)) continue;
    if (obj.kind === "StatefulSet") {
      const name = obj.metadata.name;
      const template = obj.spec.template;
      template.spec.volumes = template.spec.volumes || [];
      for (const claim of obj.spec.volumeClaimTemplates || []) {
        const claimName = `${claim.metadata.name}-${name}-0`;
        out.push({
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: claimName, labels: obj.metadata.labels },
          spec: claim.spec,
        });
        template.spec.volumes.push({ name: claim.metadata.name, persistentVolumeClaim: { claimName } });
      }
      workloads.push({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: obj.metadata,
        spec: { replicas: 1, selector: obj.spec.selector, template },
      });
      continue;
    }
    if (obj.kind === "Deployment") {
      workloads.push(obj);
      continue;
    }
    out.push(obj);
  }
  const rank = (w) => (w.metadata.name.includes("simweb") ? 0 : w.metadata.name.includes("coordinator") ? 1 : 2);
  workloads.sort((a, b) => rank(a) - rank(b));
  for (const w of workloads) {
    const spec = w.spec.template.spec;
    for (const c of spec.containers) {
      const byName = new Map((c.ports || []).filter((p) => p.name).map((p) => [p.name, p.containerPort]));
      for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
        const get = c[probe] && c[probe].httpGet;
        if (get && typeof get.port === "string" && byName.has(get.port)) get.port = byName.get(get.port);
      }
      delete c.ports;
    }
    spec.restartPolicy = "Never";
    w.spec.replicas = 1;
    for (const c of spec.containers) {
      c.args = (c.args || []).filter((a) => a !== "--stay-up").map(localize);
      for (const e of c.env || []) if (typeof e.value === "string") e.value = localize(e.value);
    }
    out.push(w);
  }
  process.stdout.write(out.map((o) => yaml.dump(o, { lineWidth: -1 })).join("---\n"));
}

if (process.argv.length !== 3) {
  console.error("usage: node to-podman.js RENDERED.yaml > PLAY.yaml");
  process.exit(2);
}
main(process.argv[2]);
