#!/usr/bin/env bash
# The sync against a generated org: API calls by kind versus the minimum, wall time, peak RSS.
#
#   bash bench/sync_org_bench.sh [CASES] [BUILD_DIR]     (defaults: 100000, build-release)
#
# Starts `casebridge sandbox --demo-org CASES` (Salesforce and Forge emulators seeded with the
# demo org generator, in their own process), then runs `casebridge sync --once` against them
# twice with a fresh SQLite state file, under /usr/bin/time, and prints the sandbox's own CPU
# seconds and memory after seeding and after each run (the emulator must not be what this
# measures). After each run it prints the
# Salesforce calls by kind (from the run's record in the state store) next to the minimum of
# bench/CALL_BUDGET.md, and their ratio:
#   token:      1 request
#   query:      ceil(cases / 2000) pages on the first sync (one Case query with child
#               subqueries), ceil(cases read / 2000), at least 1, on the next
#   collection: ceil(Tasks / 200) + ceil(reassigned Cases / 200) + ceil(feed posts / 200)
#               calls for the records this run wrote (the ledger's written rows by kind)
# The related-record queries of issue 16 (at least one per relationship of signals.json
# `related`) are shown apart: the ratio is given without and with them.
# Forge has no batch create: its minimum is one create per Forge action, plus one login and
# the list pages (100 records each) of tickets, interactions and service tickets.
# Build first: cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-release casebridge
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cases=${1:-100000}
build=${2:-build-release}
bin="$build/connector/cli/casebridge"
[ -x "$bin" ] || { echo "build $bin first (see the header of this script)" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill "$sandbox_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "generating and seeding a demo org of $cases cases ..."
start=$(date +%s.%N)
"$bin" sandbox --port 0 --forge-port 0 --demo-org "$cases" >"$work/sandbox.out" 2>&1 &
sandbox_pid=$!
base=""
for _ in $(seq 1 1200); do
  base=$(sed -n 's/^Salesforce emulator listening on //p' "$work/sandbox.out" | head -n1)
  [ -n "$base" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.out"; exit 1; }
  sleep 0.5
done
[ -n "$base" ] || { echo "the sandbox did not start" >&2; exit 1; }
forge=""
for _ in $(seq 1 600); do
  forge=$(sed -n 's/^Forge emulator listening on //p' "$work/sandbox.out" | head -n1)
  [ -n "$forge" ] && break
  sleep 0.5
done
[ -n "$forge" ] || { echo "the sandbox Forge did not start" >&2; exit 1; }
# The sandbox's own CPU seconds (user + system) and resident memory, to tell its share of a
# run from the client's.
sandbox_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$sandbox_pid/stat"
}
sandbox_mem() {
  awk '/^VmRSS/ {r = int($2 / 1024)} /^VmHWM/ {h = int($2 / 1024)}
       END {printf "RSS %d MB (peak %d MB)", r, h}' "/proc/$sandbox_pid/status"
}
printf "sandbox ready at %s after %s s (sandbox CPU %s s; %s)\n" "$base" \
  "$(python3 -c "print(round($(date +%s.%N) - $start, 1))")" "$(sandbox_cpu)" "$(sandbox_mem)"

export CASEBRIDGE_BENCH_SECRET=casebridge-sandbox-secret
export CASEBRIDGE_BENCH_FORGE_PASSWORD=forge-sandbox-password
cat >"$work/casebridge.json" <<EOF
{
  "salesforce": {"login_url": "$base", "auth_flow": "client_credentials",
                 "client_id": "casebridge-sandbox-client",
                 "client_secret": {"env": "CASEBRIDGE_BENCH_SECRET"}},
  "forge": {"base_url": "$forge", "email": "integration@forge.sandbox",
            "password": {"env": "CASEBRIDGE_BENCH_FORGE_PASSWORD"}},
  "state_store": "sqlite:$work/state.db",
  "api_budget_share": 1.0
}
EOF

# The ledger's written Salesforce rows by kind, and the last run's counters (JSON).
ledger_counts() {
  [ -f "$work/state.db" ] || { echo '{}'; return; }
  python3 - "$work/state.db" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
kinds = dict(db.execute("SELECT kind, COUNT(*) FROM action_ledger WHERE target_system = "
                        "'salesforce' AND state = 'written' GROUP BY kind").fetchall())
print(json.dumps(kinds))
PY
}

# Prints the calls of the run just finished by kind next to the minimum. $1: "first" | "next";
# $2: the ledger counts before the run.
calls_vs_minimum() {
  python3 - "$work/state.db" "$1" "$2" "$(ledger_counts)" "$cases" <<'PY'
import json, math, sqlite3, sys
db_path, which, before, after, cases = sys.argv[1:6]
db = sqlite3.connect(db_path)
counters = json.loads(db.execute(
    "SELECT counters FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1").fetchone()[0])
before, after = json.loads(before), json.loads(after)
written = {k: after.get(k, 0) - before.get(k, 0) for k in ("task", "reassign", "feed_post")}
calls = counters.get("api_calls", {})
read = counters.get("cases_read", 0)
pages = math.ceil(int(cases) / 2000) if which == "first" else max(1, math.ceil(read / 2000))
minimum = {"auth": 1, "query": pages,
           "write": sum(math.ceil(n / 200) for n in written.values())}
related_kinds = 4  # the shipped signals.json `related`: EmailMessages, Tasks, Feeds, Histories
related = max(related_kinds, math.ceil(counters.get("related_records", 0) / 2000))
print("  Salesforce calls by kind   measured  minimum  ratio")
for kind, label in (("auth", "token requests"), ("query", "query pages"),
                    ("write", "collection calls"), ("bulk", "bulk"), ("other", "other")):
    m, n = calls.get(kind, 0), minimum.get(kind, 0)
    ratio = f"{m / n:5.2f}" if n else ("    -" if m == 0 else "  inf")
    print(f"    {label:<22}{m:>10}{n:>9}  {ratio}")
total, floor = calls.get("total", 0), sum(minimum.values())
print(f"    {'total':<22}{total:>10}{floor:>9}  {total / floor:5.2f}")
print(f"  with the related-record queries (issue 16, at least {related} here):"
      f" {total} / {floor + related} = {total / (floor + related):.3f}")
print(f"  (written: {written['task']} Tasks, {written['reassign']} reassigned Cases,"
      f" {written['feed_post']} feed posts; cases read {read}, of the org {cases};"
      f" related records read {counters.get('related_records', 0)})")
PY
}

run() {
  local before cpu_before
  before=$(ledger_counts)
  cpu_before=$(sandbox_cpu)
  /usr/bin/time -v "$bin" sync --once --config "$work/casebridge.json" --lookback 90d \
    --log-format json >"$work/run.out" 2>"$work/run.err" || { cat "$work/run.out" "$work/run.err" | tail -20; exit 1; }
  cat "$work/run.out"
  grep -E "Elapsed \(wall clock\)|Maximum resident set size|User time|System time" "$work/run.err" |
    sed 's/^\s*/  client /'
  echo "  sandbox CPU during the run: $(python3 -c "print(round($(sandbox_cpu) - $cpu_before, 1))") s;" \
    "sandbox $(sandbox_mem)"
  calls_vs_minimum "$1" "$before"
}

echo
echo "== first sync =="
run first
all_actions=$(sed -n 's/^actions: \([0-9]*\) newly planned.*/\1/p' "$work/run.out")
forge_actions=$(sed -n 's/^  forge_[a-z_]* *\([0-9]*\)$/\1/p' "$work/run.out" | awk '{s += $1} END {print s + 0}')
echo "  Forge: $forge_actions creates (one per Forge action; Forge has no batch create);" \
  "$((all_actions - forge_actions)) Salesforce actions planned"
echo
echo "== second sync (nothing changed) =="
run next
