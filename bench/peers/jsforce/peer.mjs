#!/usr/bin/env node
// The jsforce peer of casebridge (issue 13 item 6): a best-practice script doing the job casebridge's
// Salesforce side does, against the same org, so bench/peer_compare.sh can compare the two.
//
//   node peer.mjs --login-url URL --client-id ID [--mode batch|naive|dry-run] [--lookback-days 90]
//                 [--now ISO] [--mappings DIR] [--flags-out FILE]
//   client secret: $PEER_CLIENT_SECRET (OAuth 2.0 client credentials, as casebridge's config)
//
// What it does, in one run:
//   1. one token request (client_credentials), the queue directory (one query);
//   2. reads the cases modified in the lookback window with casebridge's SOQL (the same fields and
//      child subqueries, ORDER BY SystemModstamp, Id; autoFetch through every 2000-record page);
//   3. evaluates each case: the 4-business-hour response rule (SPEC 1.4 `response_4bh`) with luxon
//      and the business calendar of mappings/default/calendar.json, and the follow-up actions of
//      the procedure (the same rules and keys as casebridge's engine);
//   4. writes them: `batch` upserts the Tasks by casebridge's key field through the sObject
//      Collections API, 200 per call, and sends the reassignments and feed posts 200 per call too;
//      `naive` makes one call per record (what a first script does); `dry-run` writes nothing.
// It prints one JSON object on stdout: cases read, 4-business-hour flags, actions, records written.
// `--flags-out` writes the breached response_4bh clocks, one "<case id> <started> <due>" line each,
// for the smoke test that compares them with casebridge's report.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import jsforce from 'jsforce';
import {DateTime} from 'luxon';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const BATCH = 200;  // records per sObject Collections call (the API's maximum)
const KEY_FIELD = 'Casebridge_Key__c';

function parseArgs(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const args = {
    mode: 'batch',
    lookbackDays: 90,
    now: Date.now(),
    mappings: path.resolve(here, '../../../mappings/default'),
    flagsOut: '',
    apiVersion: '62.0',
  };
  for (let i = 2; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${name}: missing value`);
    switch (name) {
      case '--login-url': args.loginUrl = value; break;
      case '--client-id': args.clientId = value; break;
      case '--mode': args.mode = value; break;
      case '--lookback-days': args.lookbackDays = Number(value); break;
      case '--now': args.now = Date.parse(value); break;
      case '--mappings': args.mappings = value; break;
      case '--flags-out': args.flagsOut = value; break;
      default: throw new Error(`unknown option ${name}`);
    }
  }
  if (!args.loginUrl || !args.clientId) throw new Error('--login-url and --client-id are required');
  if (!['batch', 'naive', 'dry-run'].includes(args.mode)) throw new Error(`--mode ${args.mode}?`);
  if (Number.isNaN(args.now)) throw new Error('--now: not an ISO-8601 instant');
  args.clientSecret = process.env.PEER_CLIENT_SECRET;
  if (!args.clientSecret) throw new Error('set PEER_CLIENT_SECRET');
  return args;
}

// casebridge's mappings are JSON with whole-line // comments.
function readMapping(dir, file) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  return JSON.parse(text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n'));
}

// The business calendar of SPEC 1.1 on luxon: local opening hours on open days, minus holidays.
class BusinessCalendar {
  constructor(config) {
    const days = {mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7};
    this.zone = config.time_zone;
    this.openDays = new Set(config.open_days.map((d) => days[d.slice(0, 3).toLowerCase()]));
    this.holidays = new Set(config.holidays || []);
    [this.openHour, this.openMinute] = config.opens.split(':').map(Number);
    [this.closeHour, this.closeMinute] = config.closes.split(':').map(Number);
  }

  // due(start, ms of business time): the earliest t >= start with that much business time in
  // [start, t); a start outside business time begins counting at the next opening.
  add(startMs, ms) {
    let remaining = ms;
    let day = DateTime.fromMillis(startMs, {zone: this.zone}).startOf('day');
    for (let guard = 0; guard < 3700; ++guard) {
      if (this.openDays.has(day.weekday) && !this.holidays.has(day.toISODate())) {
        const open = day.set({hour: this.openHour, minute: this.openMinute}).toMillis();
        const close = this.closeHour === 24
          ? day.plus({days: 1}).toMillis()
          : day.set({hour: this.closeHour, minute: this.closeMinute}).toMillis();
        const from = Math.max(startMs, open);
        if (from < close) {
          if (remaining <= close - from) return from + remaining;
          remaining -= close - from;
        }
      }
      day = day.plus({days: 1});
    }
    throw new Error('the business calendar has no open day within ten years');
  }
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const sameId = (a, b) => !!a && !!b && a.slice(0, 15) === b.slice(0, 15);
const containsNoCase = (value, needle) =>
  !!needle && typeof value === 'string' && value.toLowerCase().includes(needle);
const firstTime = (record, fields) => {
  for (const f of fields) if (record[f]) return Date.parse(record[f]);
  return NaN;
};
const childRecords = (c, relationship) => (c[relationship] ? c[relationship].records : []);

// Escalation_Step__c values (signals.json) -> event types.
const STEPS = {
  'Installer Called': 'installer_called',
  'Installer Contacted Homeowner': 'installer_contacted_homeowner',
  'Homeowner Satisfied': 'homeowner_satisfied',
  'Sales Referral': 'sales_referral',
  'AM Responded': 'am_responded',
  'Homeowner Requested Follow-up': 'homeowner_requested_followup',
  'Homeowner Unresponsive': 'homeowner_unresponsive',
  'Manager Notified': 'manager_notified',
};

// The events of one Case record with its child records (the signals of mappings/default).
function caseEvents(c, backOfficeQueueId) {
  const events = [];
  const created = Date.parse(c.CreatedDate);
  const homeownerEmail = (c.Contact && c.Contact.Email || '').toLowerCase();
  const add = (type, at, extra) => { if (!Number.isNaN(at)) events.push({type, at, ...extra}); };
  for (const e of childRecords(c, 'EmailMessages')) {
    const at = firstTime(e, ['MessageDate', 'CreatedDate']);
    if (e.Incoming === true && at > created) add('customer_message', at);
    if (e.Incoming === false && containsNoCase(e.ToAddress, homeownerEmail)) {
      add('homeowner_contacted', at);
    }
  }
  for (const t of childRecords(c, 'Tasks')) {
    const at = firstTime(t, ['CompletedDateTime', 'CreatedDate']);
    if (t.TaskSubtype === 'Call' && t.Status === 'Completed' && !t.Escalation_Step__c &&
        sameId(t.WhoId, c.ContactId)) {
      add('homeowner_contacted', at);
    }
    if (STEPS[t.Escalation_Step__c]) add(STEPS[t.Escalation_Step__c], at);
    if (t[KEY_FIELD]) add('task_created', Date.parse(t.CreatedDate), {key: t[KEY_FIELD]});
  }
  for (const f of childRecords(c, 'Feeds')) {
    const at = Date.parse(f.CreatedDate);
    if (containsNoCase(f.Body, 'outreach note')) add('outreach_note', at);
    if (containsNoCase(f.Body, ':notify_manager:')) add('manager_notified', at);
    const marker = /\[casebridge:([^\]]+)\]/.exec(f.Body || '');
    if (marker) add('task_created', at, {key: marker[1]});
  }
  for (const h of childRecords(c, 'Histories')) {
    if (h.Field === 'Owner' && h.DataType === 'EntityId' && h.NewValue) {
      add('reassigned', Date.parse(h.CreatedDate), {backOffice: sameId(h.NewValue, backOfficeQueueId)});
    }
  }
  return events;
}

// Questions about a case's events (sorted by time): is there one of a type; the first one of some
// types at or after an instant (strictly after when `strict`).
function lookups(events) {
  return {
    events,
    has: (type) => events.some((e) => e.type === type),
    first: (types, from, strict = false) =>
      events.find((e) => types.includes(e.type) && (strict ? e.at > from : e.at >= from)),
  };
}

// One case as of `now`: the response_4bh clocks and the actions the procedure calls for (SPEC 1.4,
// ported rule by rule from casebridge's engine so both plan the same keys).
function evaluate(c, now, policy) {
  const {calendar, backOfficeQueueId} = policy;
  const created = Date.parse(c.CreatedDate);
  const closedAt = c.ClosedDate ? Date.parse(c.ClosedDate) : NaN;
  const closed = closedAt <= now;
  const events = caseEvents(c, backOfficeQueueId)
    .map((e, i) => ({...e, i}))
    .filter((e) => e.at <= now && !(closed && e.at > closedAt))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  const {first} = lookups(events);
  const dues = new Map();
  const businessDue = (start) => {
    if (!dues.has(start)) dues.set(start, calendar.add(start, 4 * HOUR));
    return dues.get(start);
  };
  const flag = (started, due, met) => {
    const f = {started, due, metAt: met ? met.at : null};
    if (met) f.status = met.at <= due ? 'met' : 'breached';
    else if (closed) f.status = due >= closedAt ? 'met' : 'breached';
    else f.status = now <= due ? 'pending' : 'breached';
    return f;
  };
  const contacted = ['homeowner_contacted'];

  const response = [flag(created, businessDue(created), first(contacted, created))];
  for (const e of events) {
    if (e.type === 'customer_message' && e.at > created) {
      response.push(flag(e.at, businessDue(e.at), first(contacted, e.at)));
    }
  }
  const actions = [];
  if (!closed) planActions(c, {...lookups(events), flag, created, backOfficeQueueId}, actions);
  const createdKeys = new Set(events.filter((e) => e.type === 'task_created').map((e) => e.key));
  return {response, actions: actions.filter((a) => !createdKeys.has(a.key))};
}

function planActions(c, ctx, actions) {
  const {events, has, first, flag, created, backOfficeQueueId} = ctx;
  const tier = c.Escalation_Tier__c == null ? 0 : Number(c.Escalation_Tier__c);
  const complaint = c.Reason === 'Installer Complaints';
  const procedure = complaint && c.Pre_M3_PTO__c !== true;
  const beam = c.Financing_Partner__c === 'Beam' || c.Financing_Partner__c === 'Concert';
  const handoff = events.find((e) => e.type === 'reassigned' && e.backOffice);
  const referral = first(['sales_referral'], -Infinity);
  const plan = (action, n, due, form) => actions.push({key: `${c.Id}:${action}:${n}`, action, due, form});

  if (procedure && !handoff && c.Installer__c && c.ContactId && has('outreach_note') &&
      !sameId(c.OwnerId, backOfficeQueueId)) {
    plan('reassign_back_office', 1, null, 'reassign');
  }
  if (procedure && !beam && handoff && !has('installer_contacted_homeowner') &&
      !has('installer_called') && !has('sales_referral')) {
    plan('call_installer', 1, created + 2 * DAY, 'task');
  }
  if (procedure && !beam) {
    let n = 0;
    for (const e of events) {
      if (e.type !== 'installer_called') continue;
      ++n;
      if (!first(['installer_contacted_homeowner', 'sales_referral'], e.at)) {
        plan('sales_referral_reminder', n, e.at + 2 * DAY, 'task');
      }
    }
  }
  if (procedure && referral) {
    // The rolling 5-day chain: each link is met by the next contact strictly after its start.
    let start = referral.at;
    let links = 1;
    for (let met; (met = first(['homeowner_contacted'], start, true)); ++links) start = met.at;
    plan('homeowner_followup', links, start + 5 * DAY, 'task');
  }
  if (procedure && beam && handoff && !has('homeowner_unresponsive')) {
    const starts = [handoff.at, ...events
      .filter((e) => e.type === 'homeowner_requested_followup' && e.at >= handoff.at)
      .map((e) => e.at)];
    starts.forEach((start, i) => {
      if (!first(['homeowner_contacted'], start)) plan('beam_followup', i + 1, start + 7 * DAY, 'task');
    });
  }
  if ((tier === 1 || tier === 2) && !first(['homeowner_contacted'], created)) {
    plan('tier_followup', 1, created + DAY, 'task');
  }
  if (referral && !(complaint && c.Pre_M3_PTO__c === true) && !first(['am_responded'], referral.at) &&
      flag(referral.at, referral.at + 5 * DAY, null).status === 'breached') {
    plan('escalate_am_silence', 1, referral.at + 5 * DAY, 'post');
  }
  if (tier === 4 && !first(['manager_notified'], created)) {
    plan('notify_manager', 1, created + HOUR, 'post');
  }
}

const TITLES = {
  call_installer: (c) => `Call installer ${c.Installer__r?.Name ?? ''} at escalation number ` +
    `${c.Installer__r?.Escalation_Phone__c ?? '(not on file)'} - case ${c.CaseNumber}`,
  sales_referral_reminder: (c) =>
    `Refer case ${c.CaseNumber} to Sales: installer still has not contacted the homeowner`,
  homeowner_followup: (c) => `Follow up with the homeowner - case ${c.CaseNumber}`,
  beam_followup: (c) => `Beam/Concert follow-up - case ${c.CaseNumber}`,
  tier_followup: (c) => `Tier ${c.Escalation_Tier__c} update to the customer - case ${c.CaseNumber}`,
  escalate_am_silence: (c) => '@Cassandra Mercado the installer\'s account manager has not ' +
    `responded within 5 days to the Sales referral on case ${c.CaseNumber}. Please escalate.`,
  notify_manager: (c) => `@Tom O'Hearen @Alex tier 4 escalation on case ${c.CaseNumber}. ` +
    'Manager notification required immediately.',
};
const DESCRIPTIONS = {
  call_installer: () => 'Installer complaint procedure, back office: the installer has not contacted ' +
    'the homeowner 2 days after the complaint. Call the installer\'s escalation number and ask them ' +
    'to reach the homeowner.',
  sales_referral_reminder: (c, policy) =>
    policy.referralComment.replace('{complaint}', c.Secondary_Reason__c || c.Subject || ''),
  homeowner_followup: () => 'Installer complaint after Sales referral: contact the homeowner at ' +
    'least every 5 days until the case is closed.',
  beam_followup: () => 'Send the quick reply "Unresponsive Beam HO" to the homeowner one week after ' +
    'the hand-off or the requested follow-up.',
  tier_followup: () => 'Customer Escalation Guide: update the customer within 24 hours.',
};
const ABOUT_HOMEOWNER = new Set(['homeowner_followup', 'beam_followup', 'tier_followup']);

// The record one action writes (the fields casebridge writes for it).
function actionRecord(c, a, policy) {
  const {calendar, backOfficeQueueId} = policy;
  if (a.form === 'reassign') return {Id: c.Id, OwnerId: backOfficeQueueId};
  if (a.form === 'post') {
    return {ParentId: c.Id, Type: 'TextPost', Body: `${TITLES[a.action](c)} [casebridge:${a.key}]`};
  }
  const task = {
    Subject: TITLES[a.action](c),
    Description: DESCRIPTIONS[a.action](c, policy),
    Status: 'Not Started',
    Priority: 'Normal',
    ActivityDate: DateTime.fromMillis(a.due, {zone: calendar.zone}).toISODate(),
    WhatId: c.Id,
    [KEY_FIELD]: a.key,
  };
  if (ABOUT_HOMEOWNER.has(a.action) && c.ContactId) task.WhoId = c.ContactId;
  if (c.OwnerId && c.OwnerId.startsWith('005')) task.OwnerId = c.OwnerId;
  return task;
}

// The steps that follow a hand-off this run plans (e.g. call_installer), planned now from the case
// as it will stand once the reassignment is written, as casebridge does (no second read).
function afterHandoff(c, planned, now, policy) {
  if (!planned.some((a) => a.form === 'reassign')) return [];
  const history = {Field: 'Owner', DataType: 'EntityId', NewValue: policy.backOfficeQueueId,
                   CreatedDate: iso(now)};
  const records = [...childRecords(c, 'Histories'), history];
  const after = {...c, OwnerId: policy.backOfficeQueueId,
                 Histories: {totalSize: records.length, done: true, records}};
  const keys = new Set(planned.map((a) => a.key));
  return evaluate(after, now, policy).actions.filter((a) => !keys.has(a.key));
}

async function readAndEvaluate(conn, args, policy, out) {
  const since = iso(args.now - args.lookbackDays * DAY);
  const soql = 'SELECT Id, CaseNumber, CreatedDate, ClosedDate, Reason, Secondary_Reason__c, ' +
    'OwnerId, Owner.Name, Subject, Installer__r.Name, Contact.Email, ' +
    'Installer__r.Escalation_Email__c, SystemModstamp, Installer__c, ContactId, ' +
    'Financing_Partner__c, Pre_M3_PTO__c, Escalation_Tier__c, Installer__r.Escalation_Phone__c, ' +
    '(SELECT Id, Incoming, MessageDate, CreatedDate, ToAddress, FromAddress, Subject FROM EmailMessages), ' +
    '(SELECT Id, Subject, Status, TaskSubtype, WhoId, CreatedDate, CompletedDateTime, CallDisposition, ' +
    `Escalation_Step__c, ${KEY_FIELD} FROM Tasks), ` +
    '(SELECT Id, Body, CreatedDate, Type FROM Feeds), ' +
    '(SELECT Id, Field, DataType, NewValue, CreatedDate FROM Histories) ' +
    `FROM Case WHERE (SystemModstamp >= ${since}) ORDER BY SystemModstamp, Id`;
  await new Promise((resolve, reject) => {
    conn.query(soql)
      .on('record', (c) => {
        ++out.cases;
        const result = evaluate(c, args.now, policy);
        result.actions.push(...afterHandoff(c, result.actions, args.now, policy));
        for (const f of result.response) {
          ++out.response_4bh[f.status];
          if (f.status === 'breached') out.breached.push(`${c.Id} ${iso(f.started)} ${iso(f.due)}`);
        }
        for (const a of result.actions) {
          ++out.actions[a.action];
          out.writes[a.form].push(actionRecord(c, a, policy));
        }
      })
      .on('error', reject)
      .on('end', resolve)
      .run({autoFetch: true, maxFetch: Number.MAX_SAFE_INTEGER});
  });
}

function tally(out, results) {
  for (const r of [].concat(results)) {
    if (r.success) {
      ++out.written;
    } else {
      ++out.failed;
      if (out.errors.length < 5) out.errors.push(r.errors);
    }
  }
}

// Batch: the sObject Collections API, BATCH records per call (Tasks upserted by the key field).
async function writeBatched(conn, writes, out) {
  for (let i = 0; i < writes.task.length; i += BATCH) {
    tally(out, await conn.sobject('Task').upsert(writes.task.slice(i, i + BATCH), KEY_FIELD,
                                                 {allOrNone: false}));
  }
  for (let i = 0; i < writes.reassign.length; i += BATCH) {
    tally(out, await conn.sobject('Case').update(writes.reassign.slice(i, i + BATCH), {allOrNone: false}));
  }
  for (let i = 0; i < writes.post.length; i += BATCH) {
    tally(out, await conn.sobject('FeedItem').create(writes.post.slice(i, i + BATCH), {allOrNone: false}));
  }
}

// Naive: one call per record, one after the other.
async function writeOneByOne(conn, writes, out) {
  const one = async (call) => {
    try {
      tally(out, await call());
    } catch (err) {
      tally(out, {success: false, errors: [String(err.errorCode || err.message)]});
    }
  };
  for (const t of writes.task) await one(() => conn.sobject('Task').create(t));
  for (const r of writes.reassign) await one(() => conn.sobject('Case').update(r));
  for (const p of writes.post) await one(() => conn.sobject('FeedItem').create(p));
}

async function main() {
  const args = parseArgs(process.argv);
  const calendar = new BusinessCalendar(readMapping(args.mappings, 'calendar.json'));
  const queues = readMapping(args.mappings, 'queues.json');
  const template = readMapping(args.mappings, 'templates.json').referral_comment;
  const referralComment = [].concat(template).join('\n');
  const conn = new jsforce.Connection({
    oauth2: {loginUrl: args.loginUrl, clientId: args.clientId, clientSecret: args.clientSecret},
    version: args.apiVersion,
  });
  await conn.authorize({grant_type: 'client_credentials'});

  const names = Object.values(queues.queues).map((n) => `'${n}'`).join(',');
  const groups = await conn.query(
    `SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue' AND DeveloperName IN (${names})`);
  const backOffice = groups.records.find((g) => g.DeveloperName === queues.queues[queues.back_office]);
  if (!backOffice) throw new Error('the back-office queue is not in the org (queues.json)');

  const out = {
    peer: 'jsforce', mode: args.mode, now: iso(args.now), cases: 0,
    response_4bh: {met: 0, breached: 0, pending: 0},
    actions: Object.fromEntries(Object.keys(TITLES).concat('reassign_back_office').map((k) => [k, 0])),
    written: 0, failed: 0, errors: [],
    writes: {task: [], reassign: [], post: []}, breached: [],
  };
  const policy = {calendar, backOfficeQueueId: backOffice.Id, referralComment};
  await readAndEvaluate(conn, args, policy, out);
  if (args.mode === 'batch') await writeBatched(conn, out.writes, out);
  if (args.mode === 'naive') await writeOneByOne(conn, out.writes, out);

  if (args.flagsOut) fs.writeFileSync(args.flagsOut, out.breached.sort().join('\n') + '\n');
  const {writes, breached, ...summary} = out;
  summary.planned = {task: writes.task.length, reassign: writes.reassign.length, post: writes.post.length};
  // Written synchronously, then exit: jsforce's keep-alive sockets would hold the process open for
  // seconds after the work is done, and the harness measures the work.
  fs.writeSync(1, JSON.stringify(summary) + '\n');
}

main().then(() => process.exit(0)).catch((err) => {
  console.error(`jsforce peer: ${err.errorCode ? err.errorCode + ': ' : ''}${err.message}`);
  process.exit(1);
});
