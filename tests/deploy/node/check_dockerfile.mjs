// Static checks of deploy/Dockerfile (issue 14, container image). Usage:
//   node check_dockerfile.mjs parse              the file parses; no dockerfile-utils errors;
//                                                build on debian:12, run on debian:12-slim as a
//                                                non-root user
//   node check_dockerfile.mjs build-packages     the build stage installs exactly the packages of
//                                                deploy/run.sh
//   node check_dockerfile.mjs runtime-libraries BINARY
//                                                the runtime stage installs the Debian package of
//                                                every library `ldd BINARY` lists (dpkg -S)
// Exits 0 when the check holds, 1 with every problem on stderr otherwise.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { DockerfileParser } from "dockerfile-ast";
import { validate } from "dockerfile-utils";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const dockerfilePath = path.join(root, "deploy/Dockerfile");
const runShPath = path.join(root, "deploy/run.sh");

/// The words of deploy/run.sh's `packages=( ... )` array, comments dropped.
export function runShPackages(text) {
  const m = text.match(/^packages=\(([\s\S]*?)^\)/m);
  if (!m) throw new Error(`${runShPath}: no packages=( ... ) array`);
  return m[1].split("\n").map((l) => l.replace(/#.*/, "")).join(" ").split(/\s+/).filter(Boolean);
}

/// Stages of a Dockerfile: [{name, image, line, runs: [argument words of each RUN]}].
export function stages(text) {
  const out = [];
  for (const ins of DockerfileParser.parse(text).getInstructions()) {
    const keyword = ins.getKeyword();
    if (keyword === "FROM") {
      out.push({
        name: ins.getBuildStage(), image: ins.getImage(), line: ins.getRange().start.line + 1,
        runs: [], instructions: [],
      });
    } else if (out.length > 0) {
      out.at(-1).instructions.push(ins);
      if (keyword === "RUN") out.at(-1).runs.push(ins.getArguments().map((a) => a.getValue()));
    }
  }
  return out;
}

/// Packages named by `apt-get install` commands in a stage's RUN instructions.
export function aptInstalled(stage) {
  const packages = [];
  for (const words of stage.runs) {
    let command = [];
    for (const w of [...words, "&&"]) {
      if (["&&", "||", ";", "|"].includes(w)) {
        const at = command.indexOf("apt-get");
        if (at >= 0 && command[at + 1] === "install") {
          packages.push(...command.slice(at + 2).filter((x) => !x.startsWith("-")));
        }
        command = [];
      } else {
        command.push(w);
      }
    }
  }
  return packages;
}

function difference(a, b) {
  const set = new Set(b);
  return [...new Set(a)].filter((x) => !set.has(x));
}

function checkParse(text, problems) {
  for (const d of validate(text)) {
    if (d.severity === 1) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);
  }
  const all = stages(text);
  if (all.length !== 2) problems.push(`expected 2 stages (build, runtime), found ${all.length}`);
  const build = all.find((s) => s.name === "build");
  if (!build || build.image !== "debian:12") problems.push("no stage `FROM debian:12 AS build`");
  const runtime = all.at(-1);
  if (!runtime || runtime.image !== "debian:12-slim") {
    problems.push("the last (runtime) stage is not FROM debian:12-slim");
    return;
  }
  const users = runtime.instructions.filter((i) => i.getKeyword() === "USER");
  const user = users.at(-1)?.getArguments().map((a) => a.getValue()).join(" ");
  if (!user) problems.push("the runtime stage sets no USER (it would run as root)");
  else if (/^(root|0)(:|$)/.test(user)) problems.push(`the runtime stage runs as ${user}`);
  const dev = aptInstalled(runtime).filter((p) => /-dev$/.test(p));
  if (dev.length > 0) problems.push(`the runtime stage installs -dev packages: ${dev.join(" ")}`);
  const entry = runtime.instructions.find((i) => i.getKeyword() === "ENTRYPOINT");
  if (!entry || !entry.getRawArgumentsContent().includes("/usr/local/bin/casebridge")) {
    problems.push("the runtime stage's ENTRYPOINT is not /usr/local/bin/casebridge");
  }
}

function checkBuildPackages(text, problems) {
  const wanted = runShPackages(fs.readFileSync(runShPath, "utf8"));
  const build = stages(text).find((s) => s.name === "build");
  if (!build) {
    problems.push("no build stage");
    return;
  }
  const have = aptInstalled(build);
  for (const p of difference(wanted, have)) problems.push(`build stage lacks ${p} (deploy/run.sh installs it)`);
  for (const p of difference(have, wanted)) problems.push(`build stage installs ${p}, which deploy/run.sh does not`);
  if (wanted.length === 0) problems.push("deploy/run.sh names no packages");
}

// The spellings of a library's path dpkg may know it by: as ldd printed it, its real path, and
// both with or without the /usr prefix (merged /usr: ld.so may find /lib/... for a file dpkg
// knows as /usr/lib/..., or the other way round).
function spellings(file) {
  const real = fs.realpathSync(file);
  const out = [file, real];
  for (const f of [file, real]) out.push(f.startsWith("/usr/") ? f.slice(4) : `/usr${f}`);
  return [...new Set(out)];
}

// path -> owning Debian package, for every path dpkg knows (one `dpkg -S` for all of them:
// each call reads the whole package database).
function owners(paths) {
  const r = spawnSync("dpkg", ["-S", ...paths], { encoding: "utf8" });
  const map = new Map();
  for (const line of (r.stdout ?? "").split("\n")) {
    const m = line.match(/^([^:\s,]+)(?::[^:\s,]+)?(?:, [^:]+)?: (\/.+)$/);
    if (m) map.set(m[2], m[1]);
  }
  return map;
}

export function lddFiles(binary) {
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  const files = [];
  for (const line of out.split("\n")) {
    const m = line.match(/=>\s+(\/\S+)\s+\(/) ?? line.match(/^\s*(\/\S+)\s+\(/);
    if (m) files.push(m[1]);
    else if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
  }
  return files;
}

function checkRuntimeLibraries(text, binary, problems) {
  if (!binary || !fs.existsSync(binary)) {
    problems.push(`no casebridge binary at ${binary} (give the built binary)`);
    return;
  }
  const runtime = stages(text).at(-1);
  const have = new Set(aptInstalled(runtime));
  const files = lddFiles(binary);
  if (files.length === 0) problems.push(`ldd ${binary} listed no libraries`);
  const known = owners(files.flatMap(spellings));
  for (const file of files) {
    const pkg = spellings(file).map((f) => known.get(f)).find(Boolean);
    if (!pkg) problems.push(`${file} (ldd ${path.basename(binary)}) belongs to no Debian package`);
    else if (!have.has(pkg)) problems.push(`runtime stage lacks ${pkg} (for ${file})`);
  }
}

function main() {
  const [mode, binary] = process.argv.slice(2);
  const text = fs.readFileSync(dockerfilePath, "utf8");
  const problems = [];
  if (mode === "parse") checkParse(text, problems);
  else if (mode === "build-packages") checkBuildPackages(text, problems);
  else if (mode === "runtime-libraries") checkRuntimeLibraries(text, binary, problems);
  else {
    console.error("usage: check_dockerfile.mjs parse | build-packages | runtime-libraries BINARY");
    process.exit(2);
  }
  for (const p of problems) console.error(`${dockerfilePath}: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(`deploy/Dockerfile: ${mode} ok`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
