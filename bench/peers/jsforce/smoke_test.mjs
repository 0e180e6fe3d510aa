#!/usr/bin/env node
// The jsforce peer does casebridge's job (a few seconds; ctest `bench.jsforce_peer_agrees`):
// against one 200-case sandbox org, as of one instant, the peer (dry run) and `casebridge sync`
// must find the same breached 4-business-hour clocks (case, start, due) and plan the same number of
// actions of each kind. The peer runs first: casebridge's writes would change what it reads.
//
//   node smoke_test.mjs path/to/casebridge
import {spawn, execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const casebridge = process.argv[2];
const SECRET = 'casebridge-sandbox-secret';  // the sandbox's published demo credentials
const CLIENT = 'casebridge-sandbox-client';

if (!casebridge) throw new Error('usage: node smoke_test.mjs path/to/casebridge');
if (!fs.existsSync(path.join(here, 'node_modules', 'jsforce'))) {
  console.error('bench/peers/jsforce/node_modules is missing: run bash deploy/run.sh deps');
  process.exit(1);
}

function startSandbox(cases) {
  const child = spawn(casebridge, ['sandbox', '--port', '0', '--forge-port', '-1',
                                   '--demo-org', String(cases)], {stdio: ['ignore', 'pipe', 'inherit']});
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const m = /Salesforce emulator listening on (\S+)/.exec(text);
      if (m) resolve({child, url: m[1]});
    });
    child.on('exit', (code) => reject(new Error(`the sandbox exited (${code}): ${text}`)));
  });
}

function run(file, args, env = {}) {
  return execFileSync(file, args, {env: {...process.env, ...env}, encoding: 'utf8',
                                   stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000});
}

// "  call_installer          15" lines under "actions:" and "  response_4bh  187 / 37 / 4 / 0".
function casebridgeCounts(summary) {
  const actions = {};
  const lines = summary.split('\n');
  const from = lines.findIndex((l) => l.startsWith('actions:'));
  for (const l of lines.slice(from + 1)) {
    const m = /^ {2}([a-z_]+) +(\d+)$/.exec(l);
    if (!m) break;
    actions[m[1]] = Number(m[2]);
  }
  const r = /^ {2}response_4bh +(\d+) \/ (\d+) \/ (\d+)/m.exec(summary);
  return {actions, response_4bh: r && {met: +r[1], breached: +r[2], pending: +r[3]}};
}

const failures = [];
function expectEqual(what, got, want) {
  const [g, w] = [JSON.stringify(got), JSON.stringify(want)];
  if (g !== w) failures.push(`${what}: jsforce peer ${g}, casebridge ${w}`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-smoke-'));
const {child, url} = await startSandbox(200);
try {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const peer = JSON.parse(run(process.execPath, [
    path.join(here, 'peer.mjs'), '--login-url', url, '--client-id', CLIENT, '--mode', 'dry-run',
    '--now', now, '--flags-out', path.join(work, 'peer.flags')], {PEER_CLIENT_SECRET: SECRET}));

  const config = path.join(work, 'casebridge.json');
  fs.writeFileSync(config, JSON.stringify({
    salesforce: {login_url: url, auth_flow: 'client_credentials', client_id: CLIENT,
                 client_secret: {env: 'PEER_SMOKE_SECRET'}},
    state_store: `sqlite:${path.join(work, 'state.db')}`,
    api_budget_share: 1.0,
  }));
  const env = {PEER_SMOKE_SECRET: SECRET};
  const cb = casebridgeCounts(run(casebridge, ['sync', '--once', '--config', config, '--now', now,
                                               '--lookback', '90d', '--log-format', 'json'], env));
  const report = path.join(work, 'report.json');
  run(casebridge, ['report', '--config', config, '--from', '2000-01-01', '--to', '2100-01-01',
                   '--rule', 'response_4bh', '--status', 'breached', '--format', 'json',
                   '--out', report], env);
  const cbFlags = JSON.parse(fs.readFileSync(report, 'utf8')).flags
    .map((f) => `${f.case_id} ${f.started} ${f.due}`).sort();
  const peerFlags = fs.readFileSync(path.join(work, 'peer.flags'), 'utf8').split('\n').filter(Boolean);

  if (peer.cases !== 200) failures.push(`the peer read ${peer.cases} cases, not 200`);
  if (cbFlags.length === 0) failures.push('casebridge found no breached response_4bh flag');
  expectEqual('breached response_4bh clocks', peerFlags, cbFlags);
  expectEqual('response_4bh met/breached/pending', peer.response_4bh, cb.response_4bh);
  const peerActions = Object.fromEntries(Object.entries(peer.actions).filter(([, n]) => n > 0));
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort());
  expectEqual('actions by kind', sorted(peerActions), sorted(cb.actions));
  console.log(`jsforce peer vs casebridge on 200 cases as of ${now}: ${cbFlags.length} breached ` +
              `response_4bh clocks, ${Object.values(cb.actions).reduce((a, b) => a + b, 0)} actions`);
} finally {
  child.kill('SIGTERM');
  fs.rmSync(work, {recursive: true, force: true});
}
for (const f of failures) console.error(`FAIL ${f}`);
process.exit(failures.length === 0 ? 0 : 1);
