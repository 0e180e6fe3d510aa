// Business-calendar throughput: Due() and Elapsed() on the default calendar (America/New_York,
// Monday-Friday 09:00-18:00, US federal holidays of 2026), starts spread over 2026.
// Target: Due() >= 2,000,000 calls/s on one core.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <vector>

#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "mappings/policy.h"

namespace {

using casebridge::Instant;
using casebridge::engine::BusinessCalendar;
using std::chrono::hours;
using std::chrono::seconds;

casebridge::mappings::CalendarPolicy DefaultPolicy() {
  casebridge::mappings::CalendarPolicy p;
  p.time_zone = "America/New_York";
  p.open_days = {true, true, true, true, true, false, false};
  p.opens = hours{9};
  p.closes = hours{18};
  for (auto const* d :
       {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
        "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"}) {
    p.holidays.push_back(*casebridge::ParseDate(d));
  }
  return p;
}

BusinessCalendar const& Calendar() {
  static BusinessCalendar const cal = [] {
    auto c = BusinessCalendar::Create(DefaultPolicy());
    if (!c.ok()) {
      std::cerr << c.status() << "\n";
      std::abort();
    }
    return *c;
  }();
  return cal;
}

// 4096 starts uniform over 2026 (to the second), so lookups are not all cache-hot.
std::vector<Instant> const& Starts() {
  static std::vector<Instant> const starts = [] {
    std::mt19937_64 rng(42);
    std::int64_t const from =
        casebridge::ParseInstant("2026-01-01T00:00:00Z")->time_since_epoch().count();
    std::uniform_int_distribution<std::int64_t> dist(from, from + 365LL * 86400 - 1);
    std::vector<Instant> v(4096);
    for (auto& t : v) t = Instant{seconds{dist(rng)}};
    return v;
  }();
  return starts;
}

void BM_Due(benchmark::State& state) {
  auto const& cal = Calendar();
  auto const& starts = Starts();
  seconds const h = hours{state.range(0)};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.Due(starts[i], h));
    i = (i + 1) & (starts.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Due)->Arg(1)->Arg(4)->Arg(24)->Arg(48);

// The four hour values mixed, as the engine sees them.
void BM_DueMixed(benchmark::State& state) {
  auto const& cal = Calendar();
  auto const& starts = Starts();
  std::array<seconds, 4> const hs{hours{1}, hours{4}, hours{24}, hours{48}};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.Due(starts[i], hs[i & 3]));
    i = (i + 1) & (starts.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DueMixed);

// A large H (one business year) exercises the galloping search.
void BM_DueOneBusinessYear(benchmark::State& state) {
  auto const& cal = Calendar();
  auto const& starts = Starts();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.Due(starts[i], hours{9 * 250}));
    i = (i + 1) & (starts.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DueOneBusinessYear);

void BM_Elapsed(benchmark::State& state) {
  auto const& cal = Calendar();
  auto const& starts = Starts();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.Elapsed(starts[i], starts[(i + 1) & (starts.size() - 1)]));
    i = (i + 1) & (starts.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Elapsed);

// Outside the precomputed years (2150): computed day by day through the zone rules.
void BM_DueOutsideTable(benchmark::State& state) {
  auto const& cal = Calendar();
  auto const& starts = Starts();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.Due(starts[i] + hours{24 * 365 * 124}, hours{4}));
    i = (i + 1) & (starts.size() - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DueOutsideTable);

void BM_Create(benchmark::State& state) {
  auto const policy = DefaultPolicy();
  for (auto _ : state) {
    auto c = BusinessCalendar::Create(policy);
    benchmark::DoNotOptimize(c.ok());
  }
}
BENCHMARK(BM_Create)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
