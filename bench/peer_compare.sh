#!/usr/bin/env bash
# casebridge against the jsforce peer (bench/peers/jsforce) on the same generated org (issue 13).
#
#   bash bench/peer_compare.sh [N...]     (default: 10000; bench/README.md runs 10000 100000)
#
# Environment: PEER_BUILD (default build-release: configured and built here when the binary is
# missing), PEER_ROUNDS (read rounds, default 2), PEER_SKIP_WRITES=1, PEER_SKIP_NAIVE=1 (the peer
# that makes one call per written record), PEER_RESULTS=FILE (also append the tables there).
# The peer's pinned npm packages are installed by `bash deploy/run.sh deps` when missing.
#
# Salesforce only, as the peer is: the sandbox runs without its Forge emulator and casebridge's
# config names no Forge. Every figure is the client process's alone (/usr/bin/time -v: wall, user +
# sys CPU, peak RSS); the emulator runs in its own process and its request counters
# (/__sandbox/counters, reset before each run) give the calls, the token request included.
#
# For each N:
# 1. Reads: one sandbox `--demo-org N`; PEER_ROUNDS times, alternately, `casebridge sync --once
#    --dry-run` (a fresh state file each time) and the peer in dry-run mode. Neither writes, so they
#    read the same org. The median of the rounds is reported.
# 2. Writes: each writer changes the org (Tasks, reassignments, feed posts the next run would find
#    done), so each gets a fresh sandbox of the same org (the generator is seeded: same N, same
#    org, as of its start): `casebridge sync --once`, the peer upserting 200 Tasks per collection
#    call, and the naive peer (one create per record).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
build=${PEER_BUILD:-build-release}
rounds=${PEER_ROUNDS:-2}
bin="$build/connector/cli/casebridge"
peer=bench/peers/jsforce/peer.mjs
if [ ! -x "$bin" ]; then
  echo "building $bin (Release) ..."
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target casebridge >/dev/null
fi
[ -d bench/peers/jsforce/node_modules/jsforce ] || bash deploy/run.sh deps
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }
work=$(mktemp -d)
sandbox_pid=""
stop_sandbox() {
  [ -n "$sandbox_pid" ] || return 0
  kill "$sandbox_pid" 2>/dev/null || true
  wait "$sandbox_pid" 2>/dev/null || true
  sandbox_pid=""
}
trap 'stop_sandbox; rm -rf "$work"' EXIT

export PEER_CLIENT_SECRET=casebridge-sandbox-secret CASEBRIDGE_BENCH_SECRET=casebridge-sandbox-secret
client_id=casebridge-sandbox-client
base=""

start_sandbox() {
  local start
  start=$(date +%s.%N)
  "$bin" sandbox --port 0 --forge-port -1 --demo-org "$cases" >"$work/sandbox.out" 2>&1 &
  sandbox_pid=$!
  base=""
  for _ in $(seq 1 2400); do
    base=$(sed -n 's/^Salesforce emulator listening on //p' "$work/sandbox.out" | head -n1)
    [ -n "$base" ] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.out"; exit 1; }
    sleep 0.5
  done
  [ -n "$base" ] || { echo "the sandbox did not start" >&2; exit 1; }
  awk -v n="$cases" -v url="$base" -v a="$start" -v b="$(date +%s.%N)" \
    'BEGIN { printf "sandbox of %s cases ready at %s after %.1f s\n", n, url, b - a }'
}

casebridge_config() {  # <state file>
  cat >"$work/casebridge.json" <<EOF
{"salesforce": {"login_url": "$base", "auth_flow": "client_credentials",
                "client_id": "$client_id", "client_secret": {"env": "CASEBRIDGE_BENCH_SECRET"}},
 "state_store": "sqlite:$1", "api_budget_share": 1.0}
EOF
}

# measure <label> <command...>: one run of a client against the running sandbox; appends
# "label wall cpu rss_kb calls written" to results.tsv (calls as counted by the sandbox).
measure() {
  local label=$1
  shift
  curl -sf -X DELETE "$base/__sandbox/counters" >/dev/null
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
    echo "$label failed:" >&2
    tail -n 20 "$work/out.txt" "$work/err.txt" >&2
    exit 1
  }
  end=$(date +%s.%N)
  curl -sf "$base/__sandbox/counters" >"$work/counters.json"
  python3 - "$label" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$work" >>"$work/results.tsv" <<'EOF'
import json, re, sys
label, wall, work = sys.argv[1], float(sys.argv[2]), sys.argv[3]
timing = open(f"{work}/time.txt").read()
field = lambda name: float(re.search(rf"{name}: ([0-9.]+)", timing).group(1))
cpu = field(r"User time \(seconds\)") + field(r"System time \(seconds\)")
rss = int(field(r"Maximum resident set size \(kbytes\)"))
calls = json.load(open(f"{work}/counters.json"))["requests"]
out = open(f"{work}/out.txt").read()
if out.startswith("{"):
    written = json.loads(out)["written"]
else:
    m = re.search(r"^actions: .*?(\d+) written", out, re.M)
    written = int(m.group(1)) if m else 0
kinds = ",".join(f"{k}={v}" for k, v in sorted(calls.items()) if k != "any")
print(f"{label}\t{wall:.2f}\t{cpu:.2f}\t{rss}\t{calls.get('any', 0)}\t{kinds}\t{written}")
EOF
  tail -n 1 "$work/results.tsv" | awk -F'\t' \
    '{printf "  %-26s wall %6.2f s  CPU %6.2f s  RSS %5.0f MB  calls %5d (%s)  written %d\n", $1, $2, $3, $4 / 1024, $5, $6, $7}'
}

# compare_org: every run at N = $cases, then the table.
compare_org() {
  : >"$work/results.tsv"
  echo "== N = $cases: reads, casebridge sync --dry-run and the peer's dry run alternately, one org =="
  start_sandbox
  for round in $(seq 1 "$rounds"); do
    casebridge_config "$work/state-dry-$round.db"
    measure "casebridge dry-run" "$bin" sync --once --dry-run --config "$work/casebridge.json" \
      --lookback 90d --log-format json
    measure "jsforce dry-run" node "$peer" --login-url "$base" --client-id "$client_id" \
      --mode dry-run --lookback-days 90
  done
  stop_sandbox
  [ "${PEER_SKIP_WRITES:-0}" != "1" ] && write_runs
  print_table
}

# The writers, each on a fresh sandbox of the same org.
write_runs() {
  echo "== N = $cases: writes, each writer on a fresh sandbox of the same org =="
  start_sandbox
  casebridge_config "$work/state-write.db"
  measure "casebridge sync" "$bin" sync --once --config "$work/casebridge.json" --lookback 90d \
    --log-format json
  stop_sandbox
  start_sandbox
  measure "jsforce batch" node "$peer" --login-url "$base" --client-id "$client_id" \
    --mode batch --lookback-days 90
  stop_sandbox
  [ "${PEER_SKIP_NAIVE:-0}" = "1" ] && return 0
  start_sandbox
  measure "jsforce naive" node "$peer" --login-url "$base" --client-id "$client_id" \
    --mode naive --lookback-days 90
  stop_sandbox
}

print_table() {
  echo
  python3 - "$work/results.tsv" "$cases" <<'EOF' | tee -a "${PEER_RESULTS:-/dev/null}"
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
cases = int(sys.argv[2])
runs = {}
for label, wall, cpu, rss, calls, kinds, written in rows:
    runs.setdefault(label, []).append((float(wall), float(cpu), int(rss) / 1024, int(calls), int(written)))
med = {label: [statistics.median_low(col) for col in zip(*v)] for label, v in runs.items()}
print(f"N = {cases:,} cases; median of {len(runs['casebridge dry-run'])} read rounds\n")
print("| run | wall s | client CPU s | CPU µs/case | peak RSS MB | API calls | minimum | records written |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for label, (wall, cpu, rss, calls, written) in med.items():
    # CALL_BUDGET.md: 1 token + one query page per 2000 cases + one collection call per 200 records
    minimum = 1 + -(-cases // 2000) + -(-written // 200)
    print(f"| {label} | {wall:.2f} | {cpu:.2f} | {cpu / cases * 1e6:.0f} | {rss:.0f} | {calls} "
          f"| {minimum} | {written} |")
pairs = [("casebridge dry-run", "jsforce dry-run"), ("casebridge sync", "jsforce batch"),
         ("casebridge sync", "jsforce naive")]
print("\n| ratio casebridge / peer | wall | client CPU | peak RSS | API calls |")
print("|---|---:|---:|---:|---:|")
for a, b in pairs:
    if a in med and b in med:
        r = [x / y if y else float("nan") for x, y in zip(med[a][:4], med[b][:4])]
        print(f"| {a} / {b} | {r[0]:.2f} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} |")
EOF
}

machine="$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -n1)), \
$(free -g | awk '/^Mem:/ {print $2}') GB, $(. /etc/os-release && echo "$PRETTY_NAME"), \
node $(node --version), casebridge $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $machine" | tee -a "${PEER_RESULTS:-/dev/null}"
for cases in "${sizes[@]}"; do
  compare_org
done
