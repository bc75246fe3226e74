#!/usr/bin/env node
// Offline checks of rendered Kubernetes manifests (multi-document YAML, e.g. `kubectl kustomize`).
//
//   node validate.js schema FILE...            every object against the Kubernetes OpenAPI types
//                                              (kubernetes-models), unknown fields included
//   node validate.js policy FILE...            this project's rules for every pod template
//   node validate.js check-config --bin-dir DIR FILE...
//                                              every container's command, args and env through
//                                              the program's own --check-config
//
// Exit status: 0 when every object passes, 1 when one fails (each failure on its own line,
// naming the file, the object and the field), 2 on bad usage or unreadable input.
"use strict";

const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const yaml = require("js-yaml");

// ---------------------------------------------------------------------------------------------
// Loading

function loadObjects(file) {
  const text = fs.readFileSync(file, "utf8");
  const objects = [];
  yaml.loadAll(text, (doc) => {
    if (doc !== null && doc !== undefined) objects.push(doc);
  });
  return objects;
}

function describe(file, obj) {
  const name = obj && obj.metadata && obj.metadata.name ? obj.metadata.name : "(no name)";
  return `${file}: ${obj && obj.kind ? obj.kind : "(no kind)"}/${name}`;
}

// ---------------------------------------------------------------------------------------------
// Schema: kubernetes-models' validators, plus unknown fields.
//
// kubernetes-models compiles the OpenAPI schemas into ajv validators that check the type of
// every known property but ignore properties the schema does not define. The compiled code
// reads each known property of an object (`data.minReadySeconds`) and enumerates the keys only
// of maps (`for (const k in data)`, labels, resources.limits, ConfigMap data). So the object is
// validated through a Proxy that records which keys the validator read: a key of a non-map
// object that the validator never read is a field the schema does not have.

function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  if (!/^[a-z0-9.]+(\/v[0-9a-z]+)?$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) return null;
  let mod;
  try {
    mod = require(`kubernetes-models/${apiVersion}`);
  } catch (e) {
    return null;
  }
  const ctor = mod[kind];
  return typeof ctor === "function" && ctor.kind === kind && ctor.apiVersion === apiVersion ? ctor : null;
}

function instrument(value, pointer, records) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    return value.map((item, i) => instrument(item, `${pointer}/${i}`, records));
  }
  const record = { pointer, keys: Object.keys(value), read: new Set(), enumerated: false };
  records.push(record);
  const target = {};
  for (const [k, v] of Object.entries(value)) target[k] = instrument(v, `${pointer}/${k}`, records);
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      record.enumerated = true;
      return Reflect.ownKeys(t);
    },
    getOwnPropertyDescriptor(t, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
  });
}

/// Returns a list of problems (strings) for one object.
function schemaProblems(obj) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return ["not a mapping"];
  const ctor = modelFor(obj.apiVersion, obj.kind);
  if (!ctor) return [`unknown apiVersion/kind ${obj.apiVersion}/${obj.kind}`];
  const problems = [];
  const records = [];
  const proxy = instrument(obj, "", records);
  try {
    ctor.prototype.validate.call(proxy);
  } catch (e) {
    problems.push(`schema: ${e.message}`);
  }
  for (const r of records) {
    if (r.enumerated) continue;  // a map: any key is allowed, its values were validated
    for (const key of r.keys) {
      if (!r.read.has(key)) problems.push(`unknown field ${r.pointer}/${key}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Policy: what every pod of this project must have (see README, "Deploying on Kubernetes").

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"]);

function podTemplate(obj) {
  if (WORKLOAD_KINDS.has(obj.kind)) return obj.spec && obj.spec.template;
  if (obj.kind === "Pod") return obj;
  return null;
}

function policyProblems(obj) {
  const template = podTemplate(obj);
  if (!template) return [];
  const problems = [];
  const spec = template.spec || {};
  const pod = spec.securityContext || {};
  if (pod.runAsNonRoot !== true) problems.push("pod securityContext.runAsNonRoot must be true");
  if (pod.runAsUser !== 10001) problems.push("pod securityContext.runAsUser must be 10001");
  if (typeof spec.terminationGracePeriodSeconds !== "number") {
    problems.push("terminationGracePeriodSeconds must be set (the drain period plus slack)");
  }
  const containers = [...(spec.initContainers || []), ...(spec.containers || [])];
  for (const c of containers) {
    const where = `container ${c.name}`;
    const sc = c.securityContext || {};
    const seccomp = (sc.seccompProfile || pod.seccompProfile || {}).type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${where}: seccompProfile must be RuntimeDefault`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem must be true`);
    if (sc.privileged === true) problems.push(`${where}: must not be privileged`);
    const drop = (sc.capabilities && sc.capabilities.drop) || [];
    if (!drop.includes("ALL")) problems.push(`${where}: capabilities.drop must include ALL`);
    if (sc.capabilities && sc.capabilities.add && sc.capabilities.add.length) problems.push(`${where}: adds capabilities`);
    if (sc.runAsUser !== undefined && sc.runAsUser === 0) problems.push(`${where}: runs as root`);
    const res = c.resources || {};
    for (const kind of ["requests", "limits"]) {
      for (const r of ["cpu", "memory"]) {
        if (!res[kind] || res[kind][r] === undefined) problems.push(`${where}: resources.${kind}.${r} missing`);
      }
    }
    if (!(spec.initContainers || []).includes(c)) {
      for (const probe of ["livenessProbe", "readinessProbe"]) {
        if (!c[probe]) problems.push(`${where}: ${probe} missing`);
      }
    }
    if (!Array.isArray(c.command) || c.command.length === 0) problems.push(`${where}: command must name the program`);
    // A bare name (the `crawler` placeholder that kustomize's `images:` did not rewrite) has
    // neither a tag nor a digest.
    if (typeof c.image !== "string" || !/[:@]/.test(c.image.split("/").pop())) {
      problems.push(`${where}: image ${c.image} has no tag or digest (not rewritten by kustomize images:?)`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Config: every container's command/args/env through the real program's --check-config.

/// Programs that must accept --check-config; others are reported as skipped.
const CHECKED_PROGRAMS = new Set(["crawl", "crawl-coordinator", "crawl-worker", "simweb"]);

function containerEnv(container, configMaps) {
  const env = {};
  const problems = [];
  for (const from of container.envFrom || []) {
    const ref = from.configMapRef;
    if (!ref) {
      problems.push("envFrom other than configMapRef is not checked");
      continue;
    }
    const cm = configMaps.get(ref.name);
    if (!cm) {
      if (!ref.optional) problems.push(`envFrom: ConfigMap ${ref.name} is not in the rendered manifests`);
      continue;
    }
    for (const [k, v] of Object.entries(cm.data || {})) env[(from.prefix || "") + k] = String(v);
  }
  for (const e of container.env || []) {
    if (e.value !== undefined) {
      env[e.name] = String(e.value);
    } else if (e.valueFrom && e.valueFrom.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const cm = configMaps.get(ref.name);
      if (cm && cm.data && ref.key in cm.data) env[e.name] = String(cm.data[ref.key]);
      else if (!ref.optional) problems.push(`env ${e.name}: ConfigMap key ${ref.name}/${ref.key} not found`);
    } else {
      env[e.name] = "";  // fieldRef and the like: present, value known only in a cluster
    }
  }
  return { env, problems };
}

/// Runs each container of `obj`; returns { problems, lines } (lines: what was checked).
function checkConfig(obj, configMaps, binDir) {
  const template = podTemplate(obj);
  if (!template) return { problems: [], lines: [] };
  const problems = [];
  const lines = [];
  for (const c of (template.spec && template.spec.containers) || []) {
    const where = `container ${c.name}`;
    if (!Array.isArray(c.command) || c.command.length === 0) {
      problems.push(`${where}: no command`);
      continue;
    }
    const program = path.basename(c.command[0]);
    if (!CHECKED_PROGRAMS.has(program)) {
      lines.push(`${where}: ${program} skipped (it has no --check-config)`);
      continue;
    }
    const exe = path.join(binDir, program);
    if (!fs.existsSync(exe)) {
      problems.push(`${where}: ${exe} not built`);
      continue;
    }
    const { env, problems: envProblems } = containerEnv(c, configMaps);
    problems.push(...envProblems.map((p) => `${where}: ${p}`));
    const args = [...c.command.slice(1), ...(c.args || []), "--check-config"];
    // A clean environment: only what the manifest sets (and PATH), never the caller's CRAWL_*.
    const run = spawnSync(exe, args, { env: { PATH: "/usr/bin:/bin", ...env }, encoding: "utf8", timeout: 20000 });
    if (run.status !== 0) {
      const why = (run.stderr || "").trim().split("\n").filter(Boolean).join(" | ") || `exit ${run.status}`;
      problems.push(`${where}: ${program} ${args.join(" ")} (env ${Object.keys(env).join(",") || "none"}) failed: ${why}`);
    } else {
      lines.push(`${where}: ${program} accepts its args and ${Object.keys(env).length} env settings`);
    }
  }
  return { problems, lines };
}

// ---------------------------------------------------------------------------------------------

function main(argv) {
  const mode = argv[0];
  let files = argv.slice(1);
  let binDir = null;
  if (mode === "check-config") {
    if (files[0] !== "--bin-dir" || files.length < 3) return usage();
    binDir = files[1];
    files = files.slice(2);
  }
  if (!["schema", "policy", "check-config"].includes(mode) || files.length === 0) return usage();

  let failed = 0;
  let passed = 0;
  for (const file of files) {
    let objects;
    try {
      objects = loadObjects(file);
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      return 2;
    }
    const configMaps = new Map(objects.filter((o) => o && o.kind === "ConfigMap").map((o) => [o.metadata.name, o]));
    for (const obj of objects) {
      let problems;
      let lines = [];
      if (mode === "schema") problems = schemaProblems(obj);
      else if (mode === "policy") problems = policyProblems(obj);
      else ({ problems, lines } = checkConfig(obj, configMaps, binDir));
      for (const line of lines) console.log(`${describe(file, obj)}: ${line}`);
      if (problems.length) {
        failed++;
        for (const p of problems) console.error(`FAIL ${describe(file, obj)}: ${p}`);
      } else {
        passed++;
      }
    }
  }
  console.log(`${mode}: ${passed} objects passed, ${failed} failed`);
  return failed ? 1 : 0;
}

function usage() {
  console.error("usage: validate.js schema|policy FILE...  |  validate.js check-config --bin-dir DIR FILE...");
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { schemaProblems, policyProblems };
