#!/usr/bin/env bash
# The long variants of issue 12's fault soak and random kills (the test command runs short ones).
#
#   bash bench/prove_it.sh soak  [CASES] [SEED] [MAX_RUNS]   (defaults: 5000, 20261208, 30)
#   bash bench/prove_it.sh kills [KILLS] [SEED]              (defaults: 50, 20261208)
#
# soak:  tests/integration/fault_soak_test.cc — `casebridge sync --once` over a generated demo
#        org while both emulators inject every fault kind at random with a fixed seed (and the
#        request limit half-way), repeated until a run exits 0, then checked against an
#        uninterrupted run over a fault-free twin. CASEBRIDGE_SOAK_PERMILLE sets the chance of
#        each fault kind per request in thousandths (default 6). Prints one line per run (exit
#        code, faults met) and a summary (faults by kind, runs, exit codes). CI: 200 cases.
# kills: tests/integration/sync_crash_test.cc (SyncCrashRandom.KillsInARow) — per store (SQLite,
#        then a PostgreSQL server the test starts) KILLS runs on one org, each SIGKILLed at a
#        seeded random moment, then one clean run whose remote records, flags, ledger and
#        watermarks must equal an uninterrupted run's. Prints each kill and, per store, a summary
#        (kills by phase, seconds). CI: 5 kills per store.
# BUILD_DIR (default build-test) must hold integration_test and casebridge:
#   cmake --build build-test --target casebridge integration_test
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
test_bin="${BUILD_DIR:-build-test}/tests/integration_test"
[ -x "$test_bin" ] || { echo "build $test_bin first (see the header of this script)" >&2; exit 2; }
case "${1:-}" in
  soak)
    CASEBRIDGE_SOAK_CASES=${2:-5000} CASEBRIDGE_SOAK_SEED=${3:-20261208} \
      CASEBRIDGE_SOAK_MAX_RUNS=${4:-30} "$test_bin" --gtest_filter='FaultSoak.*' |
      grep -E '^(soak run|fault soak|\[  )' ;;
  kills)
    CASEBRIDGE_CRASH_KILLS=${2:-50} CASEBRIDGE_CRASH_SEED=${3:-20261208} \
      "$test_bin" --gtest_filter='*SyncCrashRandom.KillsInARow*' | grep -E '^(kills in a row|\[  )' ;;
  *) echo "usage: bash bench/prove_it.sh soak|kills [...] (see the header)" >&2; exit 2 ;;
esac
