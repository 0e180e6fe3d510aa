#!/usr/bin/env python3
"""Generates N realistic case snapshots (SPEC section 2) as JSON Lines, deterministically.

usage: make_snapshots.py N OUT [--seed S]      (OUT may be - for stdout)

The mix follows what the support team sees: installer complaints at every step of the
procedure (agent steps, back office, installer called, referred to Sales, resolved), Beam /
Concert financed complaints, pre-M3 PTO complaints, tiered general cases (1-4) and closed
cases, about 10 events each, timestamps in and out of business hours with the offset styles
adapters produce (Z, -05:00, Salesforce's .000+0000), plus a few unknown fields and event
types that the reader must ignore. Same N and seed -> byte-identical output.
"""

import argparse
import random
import sys
from datetime import datetime, timedelta, timezone

BASE = datetime(2025, 1, 6, 14, 0, tzinfo=timezone.utc)  # a Monday, 09:00 EST
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
SECONDARY = ["Unresponsive Installer", "PTO Delay", "Installer Conduct", "Missing Equipment"]
OTHER_REASONS = ["Billing Question", "Monitoring Offline", "Production Concern", "Roof Leak"]


def sf_id(rng, prefix):
    return prefix + "Dn0000" + "".join(rng.choice(ALNUM) for _ in range(5))


def fmt(rng, t):
    """One of the ISO-8601 styles the adapters emit, all with an offset."""
    style = rng.random()
    if style < 0.70:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.85:
        return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    local = t - timedelta(hours=5)
    return local.strftime("%Y-%m-%dT%H:%M:%S-05:00")


def ev(rng, kind, t, extra=""):
    return '{"type":"%s","at":"%s"%s}' % (kind, fmt(rng, t), extra)


def step(rng, t, lo_min, hi_min):
    return t + timedelta(minutes=rng.randint(lo_min, hi_min))


def installer_complaint_events(rng, case_id, created, beam):
    """Events of an installer complaint, cut at a random point of the procedure."""
    events = [ev(rng, "customer_message", created)]
    t = step(rng, created, 5, 300)
    events.append(ev(rng, "homeowner_contacted", t))
    t = step(rng, t, 1, 30)
    events.append(ev(rng, "installer_emailed", t))
    t = step(rng, t, 1, 20)
    events.append(ev(rng, "outreach_note", t))
    depth = rng.randint(0, 6)
    if depth == 0:
        return events, t
    t = step(rng, t, 1, 240)
    events.append(ev(rng, "reassigned", t, ',"to":"queue:back_office"'))
    t = step(rng, t, 5, 120)
    events.append(ev(rng, "reassigned", t, ',"to":"user:005Dn00000Bk%03d"' % rng.randint(0, 40)))
    if beam:
        for n in range(1, depth + 1):
            t = step(rng, t, 6 * 1440, 8 * 1440)
            events.append(ev(rng, "homeowner_contacted", t))
            events.append(
                ev(rng, "task_created", t,
                   ',"action":"beam_followup","key":"%s:beam_followup:%d"' % (case_id, n)))
            if rng.random() < 0.5:
                t = step(rng, t, 60, 2 * 1440)
                events.append(ev(rng, "homeowner_requested_followup", t))
        return events, t
    events.append(
        ev(rng, "task_created", t,
           ',"action":"call_installer","key":"%s:call_installer:1"' % case_id))
    if depth == 1:
        t = step(rng, t, 1440, 3 * 1440)
        events.append(ev(rng, "installer_contacted_homeowner", t))
        return events, t
    t = step(rng, t, 2 * 1440, 3 * 1440)
    outcome = rng.choice(["reached", "voicemail"])
    events.append(ev(rng, "installer_called", t, ',"outcome":"%s"' % outcome))
    if depth == 2:
        return events, t
    t = step(rng, t, 2 * 1440, 3 * 1440)
    events.append(ev(rng, "sales_referral", t))
    for _ in range(depth - 3):
        t = step(rng, t, 3 * 1440, 7 * 1440)
        events.append(ev(rng, "homeowner_contacted", t))
    if rng.random() < 0.6:
        events.append(ev(rng, "am_responded", step(rng, t, 60, 6 * 1440)))
    return events, t


def tier_events(rng, case_id, created, tier):
    events = [ev(rng, "customer_message", created)]
    t = created
    for _ in range(rng.randint(4, 12)):
        t = step(rng, t, 10, 2 * 1440)
        kind = rng.choice(["customer_message", "homeowner_contacted", "homeowner_contacted"])
        events.append(ev(rng, kind, t))
    if tier == 4 and rng.random() < 0.7:
        events.append(ev(rng, "manager_notified", step(rng, created, 5, 180)))
    if tier in (1, 2) and rng.random() < 0.3:
        events.append(
            ev(rng, "task_created", t,
               ',"action":"tier_followup","key":"%s:tier_followup:1"' % case_id))
    return events, t


def snapshot(rng, i):
    case_id = sf_id(rng, "500")
    created = BASE + timedelta(minutes=rng.randint(0, 500 * 24 * 60))
    kind = rng.random()
    primary, secondary, tier, financing, pre_m3 = None, None, None, None, False
    if kind < 0.55:
        primary = "Installer Complaints"
        secondary = rng.choice(SECONDARY)
        beam = rng.random() < 0.2
        financing = rng.choice(["beam", "concert"]) if beam else None
        pre_m3 = rng.random() < 0.08
        events, last = installer_complaint_events(rng, case_id, created, beam)
    else:
        primary = rng.choice(OTHER_REASONS)
        tier = rng.choice([None, 1, 2, 2, 3, 4])
        events, last = tier_events(rng, case_id, created, tier)
    if rng.random() < 0.15:
        events.append(ev(rng, "sms_delivered", step(rng, last, 1, 60)))  # unknown type: ignored
    if rng.random() < 0.1:
        rng.shuffle(events)  # any order is allowed: the engine sorts by `at`
    closed = None
    if rng.random() < 0.25:
        closed = fmt(rng, step(rng, last, 30, 3 * 1440))
    if rng.random() < 0.4:
        owner = "queue:back_office"
    else:
        owner = "user:005Dn00000Bk%03d" % rng.randint(0, 40)

    def s(v):
        return "null" if v is None else '"%s"' % v

    return (
        '{"id":"%s","source":"%s","number":"%08d","created_at":"%s","closed_at":%s,'
        '"primary_reason":%s,"secondary_reason":%s,"tier":%s,"owner":"%s","financing":%s,'
        '"pre_m3_pto":%s,"homeowner_id":"%s","installer_id":%s,%s"events":[%s]}'
        % (
            case_id,
            "salesforce" if rng.random() < 0.85 else "forge",
            10000 + i,
            fmt(rng, created),
            s(closed),
            s(primary),
            s(secondary),
            "null" if tier is None else tier,
            owner,
            s(financing),
            "true" if pre_m3 else "false",
            sf_id(rng, "003"),
            s(sf_id(rng, "001") if rng.random() < 0.9 else None),
            '"x_region":"northeast",' if rng.random() < 0.3 else "",
            ",".join(events),
        ))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of snapshot lines")
    parser.add_argument("out", help="output file, or - for stdout")
    parser.add_argument("--seed", type=int, default=20260309)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    try:
        batch = []
        for i in range(args.n):
            batch.append(snapshot(rng, i))
            if len(batch) == 10000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
