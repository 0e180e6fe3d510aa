#!/usr/bin/env bash
# End-to-end throughput of `casebridge evaluate`: generates N snapshot lines (default
# 1,000,000) with bench/make_snapshots.py, evaluates them with output to /dev/null under
# /usr/bin/time -v, and prints lines/s and peak RSS. Targets: >= 100,000 lines/s, < 64 MB.
#
# usage: bench/evaluate_throughput.sh [N]
# The binary is $CASEBRIDGE_BIN, else build/connector/cli/casebridge (build it first, in
# Release: cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build casebridge).
# The generated file is cached in ${CASEBRIDGE_BENCH_DIR:-${TMPDIR:-/tmp}} by N.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
n="${1:-1000000}"
bin="${CASEBRIDGE_BIN:-$root/build/connector/cli/casebridge}"
dir="${CASEBRIDGE_BENCH_DIR:-${TMPDIR:-/tmp}}"
now="2026-06-01T12:00:00Z"

if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [N]   (N = number of snapshot lines, default 1000000)" >&2
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

input="$dir/casebridge-snapshots-$n.jsonl"
if [[ ! -s "$input" ]]; then
  echo "generating $n snapshots into $input ..." >&2
  python3 "$here/make_snapshots.py" "$n" "$input.tmp"
  mv "$input.tmp" "$input"
fi
bytes=$(stat -c %s "$input")

timing="$(mktemp)"
trap 'rm -f "$timing"' EXIT
status=0
/usr/bin/time -v -o "$timing" "$bin" evaluate --input "$input" --now "$now" >/dev/null \
  || status=$?
if [[ $status -ne 0 ]]; then
  echo "$0: casebridge evaluate exited with $status" >&2
  exit 1
fi

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:04.12"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$timing")
seconds=$(awk -v t="$wall" 'BEGIN {
  n = split(t, p, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + p[i]; print s }')
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timing")
user=$(awk -F': ' '/User time/ {print $2}' "$timing")
sys=$(awk -F': ' '/System time/ {print $2}' "$timing")

awk -v n="$n" -v s="$seconds" -v kb="$rss_kb" -v bytes="$bytes" -v u="$user" -v sy="$sys" \
  -v bin="$bin" 'BEGIN {
  if (s <= 0) s = 0.001
  printf "binary:      %s\n", bin
  printf "lines:       %d (%.0f MB of JSON Lines)\n", n, bytes / 1e6
  printf "wall time:   %.2f s (user %.2f s, sys %.2f s)\n", s, u, sy
  printf "throughput:  %.0f lines/s (%.0f MB/s)   target >= 100000 lines/s\n", n / s, bytes / 1e6 / s
  cpu = u + sy
  if (cpu <= 0) cpu = 0.001
  # On a busy machine the wall clock includes waiting for a CPU; this is the figure per core.
  printf "per CPU-s:   %.0f lines/s (user+sys)\n", n / cpu
  printf "peak RSS:    %.1f MB   target < 64 MB\n", kb / 1024
}'
