#!/usr/bin/env bash
# Backfill wall time and API calls per worker for 1, 2 and 4 workers sharing one
# `backfill --apply --shared` through PostgreSQL, on the same generated org.
#
#   bash bench/backfill_workers.sh [CASES] [BUILD_DIR] [WORKER_COUNTS]
#        (defaults: 20000, build-release, "1 2 4")
#
# For each worker count: a fresh `casebridge sandbox --demo-org CASES` (so every run writes the
# same actions), a fresh PostgreSQL database on a throwaway local server (initdb in a temporary
# directory, run as the `postgres` user when started as root), then N identical
# `casebridge backfill --apply --shared` processes started together. Prints the wall time of the
# whole backfill (first start to last exit), each worker's items and Salesforce API calls, the
# actions written, and the machine's load average (other processes compete for the cores).
# Build first: cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-release casebridge
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cases=${1:-20000}
build=${2:-build-release}
counts=${3:-"1 2 4"}
bin="$(pwd)/$build/connector/cli/casebridge"
[ -x "$bin" ] || { echo "build $bin first (see the header of this script)" >&2; exit 2; }
pgbin=${CASEBRIDGE_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)}
work=$(mktemp -d)
chmod 755 "$work"
sandbox_pid=""
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir "$work/pg" && [ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work/pg -c fsync=off" start >/dev/null

start_sandbox() {
  "$bin" sandbox --port 0 --forge-port 0 --demo-org "$cases" >"$work/sandbox.out" 2>&1 &
  sandbox_pid=$!
  for _ in $(seq 1 600); do
    grep -q "Press Ctrl-C" "$work/sandbox.out" && return 0
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.out"; exit 1; }
    sleep 0.5
  done
  echo "the sandbox did not start" >&2; exit 1
}

export CASEBRIDGE_BENCH_SECRET=casebridge-sandbox-secret
export CASEBRIDGE_BENCH_FORGE_PASSWORD=forge-sandbox-password
for n in $counts; do
  start_sandbox
  base=$(sed -n 's/^Salesforce emulator listening on //p' "$work/sandbox.out" | head -n1)
  # The org's creation dates, one chunk a day (the generated history is about 6 weeks long).
  read -r from to < <(curl -sf "$base/__sandbox/state/Case" | python3 -c '
import datetime, json, sys
days = sorted(r["CreatedDate"][:10] for r in json.load(sys.stdin))
last = datetime.date.fromisoformat(days[-1]) + datetime.timedelta(days=1)
print(days[0], last.isoformat())')
  forge=$(sed -n 's/^Forge emulator listening on //p' "$work/sandbox.out" | head -n1)
  db="bench_$n"
  as_pg "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $db" >/dev/null
  cat >"$work/casebridge.json" <<JSON
{
  "salesforce": {"login_url": "$base", "auth_flow": "client_credentials",
                 "client_id": "casebridge-sandbox-client",
                 "client_secret": {"env": "CASEBRIDGE_BENCH_SECRET"}},
  "forge": {"base_url": "$forge", "email": "integration@forge.sandbox",
            "password": {"env": "CASEBRIDGE_BENCH_FORGE_PASSWORD"}},
  "state_store": "postgresql://postgres@127.0.0.1:$port/$db",
  "api_budget_share": 1.0
}
JSON
  echo "== $n worker(s), $cases cases created $from .. $to, load average $(cut -d' ' -f1-3 /proc/loadavg) =="
  t0=$(date +%s.%N)
  pids=()
  for i in $(seq 1 "$n"); do
    "$bin" backfill --apply --shared --from "$from" --to "$to" --chunk 1d --lease 30s \
      --worker "bench-$i" --config "$work/casebridge.json" --log-format json \
      >"$work/w$i.out" 2>"$work/w$i.err" &
    pids+=($!)
  done
  for i in $(seq 1 "$n"); do
    wait "${pids[$((i - 1))]}" || { echo "worker $i failed:"; tail -5 "$work/w$i.out" "$work/w$i.err"; exit 1; }
  done
  t1=$(date +%s.%N)
  printf "  wall time %.1f s\n" "$(python3 -c "print($t1 - $t0)")"
  for i in $(seq 1 "$n"); do
    items=$(sed -n 's/^shared backfill: .* \([0-9]*\) item(s) done by this worker.*/\1/p' "$work/w$i.out")
    calls=$(sed -n 's/^api: *\([0-9]*\) calls.*/\1/p' "$work/w$i.out" | head -n1)
    written=$(sed -n 's/^actions: .* \([0-9]*\) written.*/\1/p' "$work/w$i.out" | head -n1)
    echo "  worker $i: items ${items:-?}, salesforce calls ${calls:-?}, actions written ${written:-?}"
  done
  kill "$sandbox_pid" 2>/dev/null; wait "$sandbox_pid" 2>/dev/null || true; sandbox_pid=""
done
