#!/usr/bin/env bash
# The sync against a generated org: API calls by kind versus the minimum, wall time, peak RSS.
#
#   bash bench/sync_org_bench.sh [CASES] [BUILD_DIR]     (defaults: 100000, build-release)
#
# Starts `casebridge sandbox --demo-org CASES` (Salesforce and Forge emulators seeded with the
# demo org generator, in their own process), then runs `casebridge sync --once` against them
# twice with a fresh SQLite state file, under /usr/bin/time, and prints the sandbox's own CPU
# seconds and memory after seeding and after each run (the emulator must not be what this
# measures). The Salesforce minimum is
#   ceil(cases / 2000) query pages (one Case query with child subqueries)
#   + ceil(Salesforce actions / 200) collection writes + 1 token request.
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

run() {
  local cpu_before
  cpu_before=$(sandbox_cpu)
  /usr/bin/time -v "$bin" sync --once --config "$work/casebridge.json" --lookback 90d \
    --log-format json >"$work/run.out" 2>"$work/run.err" || { cat "$work/run.out" "$work/run.err" | tail -20; exit 1; }
  cat "$work/run.out"
  grep -E "Elapsed \(wall clock\)|Maximum resident set size|User time|System time" "$work/run.err" |
    sed 's/^\s*/  client /'
  echo "  sandbox CPU during the run: $(python3 -c "print(round($(sandbox_cpu) - $cpu_before, 1))") s;" \
    "sandbox $(sandbox_mem)"
}

echo
echo "== first sync =="
run
all_actions=$(sed -n 's/^actions: \([0-9]*\) newly planned.*/\1/p' "$work/run.out")
forge_actions=$(sed -n 's/^  forge_[a-z_]* *\([0-9]*\)$/\1/p' "$work/run.out" | awk '{s += $1} END {print s + 0}')
actions=$((all_actions - forge_actions))
read_cases=$(sed -n 's/^cases: *\([0-9]*\) read.*/\1/p' "$work/run.out")
min_query=$(( (cases + 1999) / 2000 ))
min_write=$(( (actions + 199) / 200 ))
echo "  minimum: $min_query query pages + $min_write writes + 1 auth = $((min_query + min_write + 1)) calls" \
  "(cases $cases, records read $read_cases, Salesforce actions $actions)"
echo "  Forge: $forge_actions creates (one per Forge action; Forge has no batch create)"
echo
echo "== second sync (nothing changed) =="
run
