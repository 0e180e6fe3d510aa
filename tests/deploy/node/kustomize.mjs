// A small kustomize renderer for deploy/k8s: enough of kustomize to render what the manifests use,
// and a loud error for anything else (so a manifest never silently renders differently here than
// with `kubectl kustomize`). Supported kustomization keys:
//   apiVersion, kind, resources (YAML files and directories with a kustomization.yaml),
//   configMapGenerator (name + files, with generatorOptions.disableNameSuffixHash: true),
//   generatorOptions (disableNameSuffixHash: true only; labels), patches (path: a strategic merge
//   patch naming its target by apiVersion/kind/metadata.name; list merge keys below).
// File paths must stay inside the kustomization's directory, as kustomize's load restrictor wants.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const SUPPORTED = new Set([
  "apiVersion", "kind", "resources", "configMapGenerator", "generatorOptions", "patches",
]);

// Strategic merge: lists of these fields merge element-wise on the given key (as the Kubernetes
// types declare with patchMergeKey); every other list is replaced.
const MERGE_KEYS = {
  containers: "name", initContainers: "name", volumes: "name", env: "name",
  volumeMounts: "mountPath", ports: "containerPort", imagePullSecrets: "name",
};

class RenderError extends Error {}

function fail(file, message) {
  throw new RenderError(`${file}: ${message}`);
}

function inside(dir, rel, file) {
  const full = path.resolve(dir, rel);
  const back = path.relative(dir, full);
  if (back.startsWith("..") || path.isAbsolute(back)) {
    fail(file, `${rel} is not in or below ${dir} (kustomize's load restrictor refuses it)`);
  }
  return full;
}

function readYamlDocs(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  const out = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) fail(file, `YAML: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function key(obj) {
  return `${obj.apiVersion}/${obj.kind}/${obj.metadata?.name}`;
}

function merge(target, patch, field) {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const mk = MERGE_KEYS[field];
    if (!mk || !Array.isArray(target)) return structuredClone(patch);
    const out = target.map((x) => structuredClone(x));
    for (const item of patch) {
      const at = out.findIndex((x) => x?.[mk] === item?.[mk]);
      if (item?.$patch === "delete") {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) {
        out[at] = merge(out[at], item, "");
      } else {
        out.push(structuredClone(item));
      }
    }
    return out;
  }
  if (typeof patch === "object") {
    const out = typeof target === "object" && target !== null && !Array.isArray(target)
      ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
      const merged = merge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  return patch;
}

function generateConfigMaps(dir, file, k) {
  const opts = k.generatorOptions ?? {};
  for (const o of Object.keys(opts)) {
    if (o !== "disableNameSuffixHash" && o !== "labels") fail(file, `generatorOptions.${o} is not supported`);
  }
  const out = [];
  for (const gen of k.configMapGenerator ?? []) {
    for (const g of Object.keys(gen)) {
      if (g !== "name" && g !== "files") fail(file, `configMapGenerator.${g} is not supported`);
    }
    if (opts.disableNameSuffixHash !== true) {
      fail(file, "configMapGenerator needs generatorOptions.disableNameSuffixHash: true here " +
        "(the renderer does not rewrite hashed names)");
    }
    const data = {};
    for (const entry of gen.files ?? []) {
      const [name, rel] = entry.includes("=") ? entry.split("=", 2) : [path.basename(entry), entry];
      data[name] = fs.readFileSync(inside(dir, rel, file), "utf8");
    }
    const metadata = { name: gen.name };
    if (opts.labels) metadata.labels = { ...opts.labels };
    out.push({ apiVersion: "v1", kind: "ConfigMap", metadata, data });
  }
  return out;
}

/// Renders the kustomization in `dir`: a list of objects in kustomize's order (resources, then
/// generated objects), patches applied.
export function render(dir) {
  dir = path.resolve(dir);
  const file = path.join(dir, "kustomization.yaml");
  if (!fs.existsSync(file)) fail(dir, "no kustomization.yaml");
  const [k] = readYamlDocs(file);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) fail(file, `${key} is not supported by this renderer`);
  }
  let objects = [];
  for (const res of k.resources ?? []) {
    const full = path.resolve(dir, res);
    if (fs.statSync(full).isDirectory()) {
      objects.push(...render(full));
    } else {
      objects.push(...readYamlDocs(inside(dir, res, file)));
    }
  }
  objects.push(...generateConfigMaps(dir, file, k));
  const seen = new Set();
  for (const o of objects) {
    if (seen.has(key(o))) fail(file, `${key(o)} is defined twice`);
    seen.add(key(o));
  }
  for (const p of k.patches ?? []) {
    for (const pk of Object.keys(p)) {
      if (pk !== "path") fail(file, `patches.${pk} is not supported (only path:)`);
    }
    const pfile = inside(dir, p.path, file);
    for (const patch of readYamlDocs(pfile)) {
      const at = objects.findIndex((o) => key(o) === key(patch));
      if (at < 0) fail(pfile, `patch target ${key(patch)} is not among the resources`);
      objects[at] = merge(objects[at], patch, "");
    }
  }
  return objects;
}

export { RenderError };
