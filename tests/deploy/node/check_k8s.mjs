// Static checks of deploy/k8s (issue 14, Kubernetes). Usage: node check_k8s.mjs [BINARY]
// Renders every kustomization (kustomize.mjs; also `kubectl kustomize` when kubectl is on PATH,
// and the two must agree), validates every object against the Kubernetes schemas
// (kubernetes-models), and checks what the deployment promises: the CronJob and Job settings,
// probes and the metrics port, resources, a non-root read-only securityContext, that every Secret,
// ConfigMap and $(VAR) a pod uses exists, and that the mappings copy equals mappings/default.
// With BINARY, `casebridge check-config` accepts the Kubernetes casebridge.json.
// Never talks to a cluster. Exits 1 with every problem on stderr.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

import YAML from "yaml";

import { render } from "./kustomize.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const k8s = path.join(root, "deploy/k8s");
const KUSTOMIZATIONS = [
  "base", "overlays/sqlite-single", "overlays/postgres", "overlays/postgres-service", "backfill",
  "secrets-example",
];
const problems = [];
const problem = (where, message) => problems.push(`deploy/k8s/${where}: ${message}`);

// Every property name the Kubernetes schemas know (the compiled validators name each one as
// parentDataProperty). The schemas allow unknown fields; a misspelt optional field would pass
// them, so names are checked against this list too.
function knownFieldNames() {
  const names = new Set();
  for (const pkg of ["kubernetes-models", "@kubernetes-models/apimachinery"]) {
    const dir = path.join(here, "node_modules", pkg, "_schemas");
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith(".js")) continue;
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      for (const m of text.matchAll(/parentDataProperty:"([^"]+)"/g)) names.add(m[1]);
    }
  }
  return names;
}

// Free-form maps whose keys are data, not fields.
const FREE_FORM = new Set(["labels", "annotations", "data", "stringData", "matchLabels", "selector",
  "requests", "limits", "nodeSelector"]);

function unknownFields(value, names, at, out) {
  if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, names, `${at}/${i}`, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!names.has(k)) out.push(`${at}/${k}`);
      if (!FREE_FORM.has(k)) unknownFields(v, names, `${at}/${k}`, out);
    }
  }
}

async function modelFor(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : [null, obj.apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const models = await import(module);
  return models[obj.kind];
}

async function validateSchema(where, obj, names) {
  const Model = await modelFor(obj).catch(() => undefined);
  if (!Model) {
    problem(where, `${obj.apiVersion} ${obj.kind}: no Kubernetes schema for this kind`);
    return;
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    problem(where, `${obj.kind}/${obj.metadata?.name}: ${e.message}`);
  }
  const unknown = [];
  unknownFields(obj, names, "", unknown);
  for (const u of unknown) problem(where, `${obj.kind}/${obj.metadata?.name}: unknown field ${u}`);
}

function podSpec(obj) {
  if (obj.kind === "CronJob") return obj.spec.jobTemplate.spec.template.spec;
  if (obj.kind === "Job" || obj.kind === "Deployment") return obj.spec.template.spec;
  return null;
}

// What every casebridge pod must have: resources, non-root, read-only root filesystem, and
// every Secret/ConfigMap/variable it names defined.
function checkPod(where, obj, pod, defined) {
  const name = `${obj.kind}/${obj.metadata.name}`;
  const say = (m) => problem(where, `${name}: ${m}`);
  if (pod.securityContext?.runAsNonRoot !== true) say("pod securityContext.runAsNonRoot is not true");
  if (!(pod.securityContext?.runAsUser > 0)) say("pod securityContext.runAsUser is not a non-root uid");
  for (const c of pod.containers) {
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true) say(`container ${c.name}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false) say(`container ${c.name}: allowPrivilegeEscalation is not false`);
    if (!sc.capabilities?.drop?.includes("ALL")) say(`container ${c.name}: capabilities are not dropped`);
    for (const r of ["requests", "limits"]) {
      for (const k of ["cpu", "memory"]) {
        if (!c.resources?.[r]?.[k]) say(`container ${c.name}: no resources.${r}.${k}`);
      }
    }
    const env = new Set((c.env ?? []).map((e) => e.name));
    for (const arg of [...(c.args ?? []), ...(c.command ?? [])]) {
      for (const m of String(arg).matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
        if (!env.has(m[1])) say(`container ${c.name}: argument ${arg} names $(${m[1]}), which is not in env`);
      }
    }
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && !defined.secrets.get(ref.name)?.has(ref.key)) {
        say(`env ${e.name}: Secret ${ref.name} key ${ref.key} is not in secrets-example`);
      }
    }
    for (const v of defined.configEnv) {
      if (!env.has(v)) say(`container ${c.name}: casebridge.json reads $${v}, which is not in env`);
    }
    const mounts = new Set((c.volumeMounts ?? []).map((m) => m.name));
    for (const m of mounts) {
      if (!pod.volumes?.some((v) => v.name === m)) say(`volumeMount ${m} has no volume`);
    }
    if (!mounts.has("tmp")) say(`container ${c.name}: no writable /tmp (read-only root filesystem)`);
  }
  for (const v of pod.volumes ?? []) {
    if (v.configMap && !defined.configMaps.has(v.configMap.name)) say(`volume ${v.name}: no ConfigMap ${v.configMap.name}`);
    if (v.persistentVolumeClaim && !defined.claims.has(v.persistentVolumeClaim.claimName)) {
      say(`volume ${v.name}: no PersistentVolumeClaim ${v.persistentVolumeClaim.claimName}`);
    }
  }
}

function args(obj) {
  return podSpec(obj).containers[0].args.join(" ");
}

// What each variant promises (issue 14).
function checkPromises(where, objects) {
  const find = (kind) => objects.filter((o) => o.kind === kind);
  for (const cj of find("CronJob")) {
    if (cj.spec.schedule !== "*/15 * * * *") problem(where, `CronJob ${cj.metadata.name}: schedule is not every 15 minutes`);
    if (cj.spec.concurrencyPolicy !== "Forbid") problem(where, `CronJob ${cj.metadata.name}: concurrencyPolicy is not Forbid`);
    if (!/^sync --once\b/.test(args(cj))) problem(where, `CronJob ${cj.metadata.name}: does not run sync --once`);
  }
  for (const job of find("Job")) {
    if (!(job.spec.parallelism >= 1)) problem(where, `Job ${job.metadata.name}: no parallelism`);
    if (!/^backfill\b.*--apply.*--shared/.test(args(job))) problem(where, `Job ${job.metadata.name}: not a shared backfill --apply (its pods would not split the work)`);
  }
  for (const d of find("Deployment")) {
    const c = podSpec(d).containers[0];
    if (!/^sync --every 15m\b/.test(args(d))) problem(where, `Deployment ${d.metadata.name}: does not run sync --every 15m`);
    if (!/--metrics-listen 0\.0\.0\.0:9464\b/.test(args(d))) problem(where, `Deployment ${d.metadata.name}: no --metrics-listen 0.0.0.0:9464`);
    if (!c.ports?.some((p) => p.name === "metrics" && p.containerPort === 9464)) problem(where, `Deployment ${d.metadata.name}: no port metrics 9464`);
    for (const [probe, p] of [["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
      const get = c[probe]?.httpGet;
      if (get?.path !== p || get?.port !== "metrics") problem(where, `Deployment ${d.metadata.name}: ${probe} is not GET ${p} on port metrics`);
    }
  }
}

function kubectlRender(dir) {
  const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", timeout: 60000 });
  if (r.error?.code === "ENOENT") return null;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`);
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean);
}

function compareWithKubectl(where, ours, dir) {
  let theirs;
  try {
    theirs = kubectlRender(dir);
  } catch (e) {
    problem(where, e.message);
    return false;
  }
  if (theirs === null) return false;
  // Strategic merge keeps no promise about the order of merged list items: compare lists of
  // named items (containers, env, volumes, mounts) as sets.
  const normalise = (v) => {
    if (Array.isArray(v)) {
      const items = v.map(normalise);
      const id = (x) => x?.name ?? x?.mountPath;
      return items.every((x) => typeof id(x) === "string")
        ? items.sort((x, y) => id(x).localeCompare(id(y))) : items;
    }
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
    }
    return v;
  };
  const byKey = (list) => new Map(list.map((o) => [`${o.kind}/${o.metadata.name}`, normalise(o)]));
  const a = byKey(ours);
  const b = byKey(theirs);
  for (const [k, o] of b) {
    if (!a.has(k)) problem(where, `kubectl kustomize renders ${k}, kustomize.mjs does not`);
    else if (!isDeepStrictEqual(a.get(k), o)) problem(where, `${k} renders differently with kubectl kustomize`);
  }
  for (const k of a.keys()) if (!b.has(k)) problem(where, `kustomize.mjs renders ${k}, kubectl kustomize does not`);
  return true;
}

function checkMappingsCopy() {
  const shipped = path.join(root, "mappings/default");
  const copy = path.join(k8s, "base/mappings");
  const list = (d) => fs.readdirSync(d).filter((f) => f.endsWith(".json")).sort();
  if (!isDeepStrictEqual(list(shipped), list(copy))) {
    problem("base/mappings", `files differ from mappings/default; refresh with: cp mappings/default/*.json deploy/k8s/base/mappings/`);
    return;
  }
  for (const f of list(shipped)) {
    if (fs.readFileSync(path.join(shipped, f), "utf8") !== fs.readFileSync(path.join(copy, f), "utf8")) {
      problem(`base/mappings/${f}`, "differs from mappings/default; refresh with: cp mappings/default/*.json deploy/k8s/base/mappings/");
    }
  }
}

// The Kubernetes casebridge.json passes `casebridge check-config` with its environment filled
// in and its mappings directory pointed at the copy.
function checkConfig(binary, configEnv) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "casebridge-k8s-"));
  try {
    const text = fs.readFileSync(path.join(k8s, "base/casebridge.json"), "utf8")
      .replace("/etc/casebridge-mappings", path.join(k8s, "base/mappings"))
      .replace("/var/lib/casebridge/", `${tmp}/`);
    fs.writeFileSync(path.join(tmp, "casebridge.json"), text);
    const env = { ...process.env };
    for (const v of configEnv) env[v] = v.includes("PRIVATE_KEY") ? "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n" : "placeholder";
    const r = spawnSync(binary, ["check-config", "--config", path.join(tmp, "casebridge.json")], { encoding: "utf8", env });
    if (r.status !== 0) problem("base/casebridge.json", `casebridge check-config exit ${r.status}: ${r.stderr}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const binary = process.argv[2];
  const names = knownFieldNames();
  const rendered = new Map();
  for (const dir of KUSTOMIZATIONS) rendered.set(dir, render(path.join(k8s, dir)));
  const secrets = new Map();
  for (const s of rendered.get("secrets-example")) {
    secrets.set(s.metadata.name, new Set(Object.keys({ ...s.data, ...s.stringData })));
  }
  const configText = fs.readFileSync(path.join(k8s, "base/casebridge.json"), "utf8");
  const configEnv = [...configText.matchAll(/"env":\s*"([A-Za-z_0-9]+)"/g)].map((m) => m[1]);
  const overlayObjects = [...rendered.values()].flat();
  const defined = {
    secrets,
    configEnv,
    configMaps: new Set(overlayObjects.filter((o) => o.kind === "ConfigMap").map((o) => o.metadata.name)),
    claims: new Set(overlayObjects.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => o.metadata.name)),
  };
  let compared = 0;
  for (const [dir, objects] of rendered) {
    if (objects.length === 0) problem(dir, "renders no objects");
    for (const obj of objects) {
      await validateSchema(dir, obj, names);
      const pod = podSpec(obj);
      if (pod) checkPod(dir, obj, pod, defined);
    }
    checkPromises(dir, objects);
    if (compareWithKubectl(dir, objects, path.join(k8s, dir))) compared++;
  }
  checkMappingsCopy();
  if (binary) checkConfig(binary, configEnv);
  for (const p of problems) console.error(p);
  const count = overlayObjects.length;
  console.log(`deploy/k8s: ${rendered.size} kustomizations, ${count} objects; ` +
    `${compared ? `compared with kubectl kustomize (${compared})` : "kubectl not on PATH: not compared with kubectl kustomize"}`);
  process.exit(problems.length > 0 ? 1 : 0);
}

await main();
