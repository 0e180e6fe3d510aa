#!/usr/bin/env bash
# The sandbox emulator's own cost: seeding time and memory of a generated demo org.
#
#   bash bench/sandbox_seed_bench.sh [CASES] [BUILD_DIR]     (defaults: 100000, build-release)
#
# Starts `casebridge sandbox --demo-org CASES` and prints the wall time until both emulators
# listen (generation + seeding of Salesforce and Forge), the sandbox's CPU seconds (user +
# system: the figure to compare on a busy machine), its resident memory then (VmRSS) and its
# peak (VmHWM), and stops it. A sandbox that passes MAX_RSS_MB (default 9000) while seeding is
# stopped (the machine is shared). With PERF=1 it also records the seeding with
# `perf record -g` and prints the top functions (needs perf and kernel.perf_event_paranoid <= 2).
# Build first: cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-release casebridge
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cases=${1:-100000}
build=${2:-build-release}
bin="$build/connector/cli/casebridge"
[ -x "$bin" ] || { echo "build $bin first (see the header of this script)" >&2; exit 2; }
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

start=$(date +%s.%N)
if [ "${PERF:-0}" = 1 ]; then
  perf record -g -o "$work/perf.data" -- "$bin" sandbox --port 0 --forge-port 0 \
    --demo-org "$cases" >"$work/sandbox.out" 2>&1 &
else
  "$bin" sandbox --port 0 --forge-port 0 --demo-org "$cases" >"$work/sandbox.out" 2>&1 &
fi
pid=$!
limit_mb=${MAX_RSS_MB:-9000}
until grep -q '^Forge emulator listening on ' "$work/sandbox.out" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/sandbox.out"; exit 1; }
  seeding_pid=$(pgrep -P "$pid" -f 'casebridge sandbox' || echo "$pid")
  now_mb=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$seeding_pid/status" 2>/dev/null || echo 0)
  if [ "${now_mb:-0}" -gt "$limit_mb" ]; then
    kill -9 "$seeding_pid"
    echo "cases $cases: stopped: the sandbox passed $limit_mb MB while seeding (MAX_RSS_MB)" >&2
    exit 1
  fi
  sleep 0.2
done
elapsed=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
sandbox_pid=$(pgrep -P "$pid" -f 'casebridge sandbox' || echo "$pid")
rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$sandbox_pid/status")
hwm=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$sandbox_pid/status")
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$sandbox_pid/stat")
echo "cases $cases: seeded in $elapsed s (sandbox CPU $cpu s); sandbox RSS $rss MB (peak $hwm MB)"
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
pid=""
if [ "${PERF:-0}" = 1 ]; then
  perf report -i "$work/perf.data" --no-children --percent-limit 1.5 --stdio 2>/dev/null |
    grep -E '^ +[0-9.]+%' | head -20
fi
