#!/usr/bin/env bash
# Time and peak RSS of `casebridge report` over N flags (default 1,000,000) in every format.
#
#   1. Creates a SQLite state store (the schema comes from casebridge itself: it migrates the
#      empty file) and fills its flags table with N generated flags through Python's sqlite3:
#      N/10 cases x 10 flags over the year 2025, ~20% breached, 60 owners + 3 queues, 800
#      installers, names, subjects and evidence like the sync writes.
#   2. Runs `casebridge report --store sqlite:… --from 2025-01-01 --to 2025-12-31` for csv,
#      json, md and html (output to a file under /usr/bin/time -v) and prints wall time, flags/s,
#      peak RSS and output size. md and html keep only the 5,000 worst breached rows in memory;
#      csv and json stream every row.
#   3. With SNAPSHOTS=M (e.g. SNAPSHOTS=200000), also reports straight from M generated
#      snapshot lines (bench/make_snapshots.py), evaluated by the engine (--input).
#
# usage: bench/report_bench.sh [N]
# The binary is $CASEBRIDGE_BIN, else build/connector/cli/casebridge (build it in Release:
# cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build casebridge).
# Generated files are cached in ${CASEBRIDGE_BENCH_DIR:-${TMPDIR:-/tmp}} by N.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
n="${1:-1000000}"
bin="${CASEBRIDGE_BIN:-$root/build/connector/cli/casebridge}"
dir="${CASEBRIDGE_BENCH_DIR:-${TMPDIR:-/tmp}}"
snapshots="${SNAPSHOTS:-0}"

if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N]   (N = number of flags, default 1000000)" >&2
  exit 2
fi
if [[ ! -x "$bin" ]]; then
  echo "$0: no casebridge binary at $bin (set CASEBRIDGE_BIN or build it)" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "$0: /usr/bin/time is needed (Debian package: time)" >&2
  exit 2
fi

db="$dir/casebridge-report-bench-$n.db"
if [[ ! -s "$db" ]]; then
  echo "generating $n flags into $db ..." >&2
  rm -f "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
  : > "$db.tmp"
  # An empty report migrates the empty file to the current schema.
  "$bin" report --store "sqlite:$db.tmp" --from 2025-01-01 --to 2025-01-02 --format csv \
    --out /dev/null >/dev/null
  python3 - "$db.tmp" "$n" <<'PY'
import random, sqlite3, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(6)
rules = [("response_4bh", 4 * 3600), ("tier_update_24h", 86400), ("manager_notified", 3600),
         ("relations_missing", 4 * 3600), ("outreach_note_missing", 4 * 3600),
         ("back_office_handoff", 4 * 3600), ("installer_contact_2d", 2 * 86400),
         ("sales_referral_2d", 2 * 86400), ("followup_5d", 5 * 86400),
         ("am_response_5d", 5 * 86400), ("beam_followup_1w", 7 * 86400)]
events = {"response_4bh": "homeowner_contacted", "tier_update_24h": "homeowner_contacted",
          "manager_notified": "manager_notified", "outreach_note_missing": "outreach_note",
          "back_office_handoff": "reassigned", "installer_contact_2d": "installer_contacted_homeowner",
          "sales_referral_2d": "sales_referral", "followup_5d": "homeowner_contacted",
          "am_response_5d": "am_responded", "beam_followup_1w": "homeowner_contacted",
          "relations_missing": "homeowner_contacted"}
owners = ["user:005B%010d" % i for i in range(60)] + ["queue:back_office", "queue:customer_support", "queue:escalations"]
owner_names = {o: ("Agent %d" % i if o.startswith("user:") else o[6:].replace("_", " ").title())
               for i, o in enumerate(owners)}
installers = ["001I%010d" % i for i in range(800)]
start_2025 = 1735707600  # 2025-01-01T05:00:00Z
def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
con = sqlite3.connect(path)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=OFF")
rows = []
cases = (n + 9) // 10
written = 0
for c in range(cases):
    case_id = "500B%011d" % c
    number = "%08d" % (c + 1)
    source = "salesforce" if c % 5 else "forge"
    created = start_2025 + rng.randrange(364 * 86400)
    owner = rng.choice(owners)
    installer = rng.choice(installers)
    tier = rng.choice([None, None, 1, 2, 3, 4])
    subject = "Installer complaint %d: %s" % (c, rng.choice(["no call back", "PTO delay", "rude crew", "missing panel"]))
    queue = owner[6:] if owner.startswith("queue:") else rng.choice(["back_office", ""])
    for seq in range(min(10, n - written)):
        rule, length = rules[(c + seq) % len(rules)]
        started = created + seq * 3600
        due = started + length
        r = rng.random()
        late = None
        met_at = None
        if r < 0.62:
            status = "met"; met_at = started + rng.randrange(max(1, length))
            evidence = '{"met_by":"event","event":"%s","at":"%s"}' % (events[rule], iso(met_at))
        elif r < 0.82:
            status = "breached"; late = rng.randrange(1, 30000)
            if rng.random() < 0.5:
                met_at = due + late * 60
                evidence = '{"met_by":"event","event":"%s","at":"%s"}' % (events[rule], iso(met_at))
            else:
                evidence = '{"met_by":null,"awaiting":"%s"}' % events[rule]
        else:
            status = "pending"
            evidence = '{"met_by":null,"awaiting":"%s"}' % events[rule]
        rows.append((case_id, seq, number, source, rule, started, due, met_at, status, late,
                     evidence, owner, installer, tier, start_2025, subject, owner_names[owner],
                     "Installer %s" % installer[-4:], queue, ""))
        written += 1
    if len(rows) >= 50000:
        con.executemany("INSERT INTO case_flags (case_id, seq, case_number, source_system, rule_id, started, due, met_at, status, late_minutes, evidence, owner, installer, tier, updated_at, subject, owner_name, installer_name, queue, record_url) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        rows = []
con.executemany("INSERT INTO case_flags (case_id, seq, case_number, source_system, rule_id, started, due, met_at, status, late_minutes, evidence, owner, installer, tier, updated_at, subject, owner_name, installer_name, queue, record_url) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
con.commit()
con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
con.close()
print("wrote", written, "flags", file=sys.stderr)
PY
  mv "$db.tmp" "$db"
  rm -f "$db.tmp-wal" "$db.tmp-shm"
fi

timing="$(mktemp)"
out_dir="$(mktemp -d)"
trap 'rm -rf "$timing" "$out_dir"' EXIT

# run <label> <output file> <casebridge args...>: one timed report.
run() {
  local label="$1" out="$2"
  shift 2
  local status=0
  /usr/bin/time -v -o "$timing" "$bin" "$@" --out "$out" >"$out_dir/note" 2>"$out_dir/err" \
    || status=$?
  if [[ $status -ne 0 && $status -ne 1 ]]; then
    echo "$0: casebridge report ($label) exited with $status:" >&2
    cat "$out_dir/err" >&2
    exit 1
  fi
  local wall rss flags bytes
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$timing")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timing")
  flags=$(sed -n 's/.*: \([0-9]*\) flags.*/\1/p' "$out_dir/note")
  bytes=$(stat -c %s "$out")
  awk -v l="$label" -v t="$wall" -v kb="$rss" -v f="$flags" -v b="$bytes" 'BEGIN {
    n = split(t, p, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + p[i]
    if (s <= 0) s = 0.001
    printf "%-22s %9d flags  %7.2f s  %9.0f flags/s  peak RSS %7.1f MB  output %8.1f MB\n",
           l, f, s, f / s, kb / 1024, b / 1e6 }'
}

echo "binary: $bin"
echo "store:  $db ($(stat -c %s "$db" | awk '{printf "%.0f MB", $1 / 1e6}'))"
for format in csv json md html; do
  run "store $format" "$out_dir/report.$format" report --store "sqlite:$db" \
    --from 2025-01-01 --to 2025-12-31 --format "$format" --now 2026-01-02T00:00:00Z
done

if [[ "$snapshots" =~ ^[1-9][0-9]*$ ]]; then
  input="$dir/casebridge-snapshots-$snapshots.jsonl"
  if [[ ! -s "$input" ]]; then
    echo "generating $snapshots snapshots into $input ..." >&2
    python3 "$here/make_snapshots.py" "$snapshots" "$input.tmp"
    mv "$input.tmp" "$input"
  fi
  for format in csv html; do
    run "snapshots $format" "$out_dir/snap.$format" report --input "$input" \
      --now 2026-06-01T12:00:00Z --from 2020-01-01 --to 2026-12-31 --format "$format"
  done
fi
