// Engine throughput: Engine::Evaluate() on in-memory snapshots (~10 events each, a varied mix of
// case kinds: tiers 1-4, installer complaints at every step, Beam/Concert, pre-M3, closed, some
// with unsorted events), reusing one Evaluation, on the shipped default policy.
// Target: >= 1,000,000 cases/s on one core, no allocation in steady state.
//
// The program counts global operator new calls; each benchmark reports `allocs_per_case`
// measured over its timed loop (0 expected once the Evaluation has grown).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "mappings/loader.h"
#include "mappings/policy.h"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

// Counting global allocation functions (this program only). GCC cannot see that these
// replacements pair malloc with free, hence the pragma.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

using casebridge::Instant;
using casebridge::engine::CallOutcome;
using casebridge::engine::Event;
using casebridge::engine::EventType;
using casebridge::engine::Financing;
using casebridge::engine::Snapshot;
using std::chrono::hours;
using std::chrono::minutes;

struct World {
  casebridge::mappings::Policy policy;
  casebridge::engine::BusinessCalendar calendar;
  casebridge::engine::Engine engine;

  explicit World(casebridge::mappings::Policy p)
      : policy(std::move(p)), calendar(MakeCalendar(policy)), engine(policy, calendar) {}

  static casebridge::engine::BusinessCalendar MakeCalendar(
      casebridge::mappings::Policy const& policy) {
    auto c = casebridge::engine::BusinessCalendar::Create(policy.calendar);
    if (!c.ok()) {
      std::cerr << "calendar: " << c.status() << "\n";
      std::abort();
    }
    return std::move(c).value();
  }
};

World const& TheWorld() {
  static World const* const world = [] {
    auto policy = casebridge::mappings::LoadPolicyOrError("");  // the shipped defaults
    if (!policy.ok()) {
      std::cerr << "policy: " << policy.status() << "\n";
      std::abort();
    }
    return new World(std::move(policy).value());
  }();
  return *world;
}

// Builds a deterministic mix of cases around ten events each.
class CaseFactory {
 public:
  explicit CaseFactory(std::string back_office, std::string installer_complaint)
      : back_office_("queue:" + std::move(back_office)),
        installer_complaint_(std::move(installer_complaint)) {}

  Snapshot Make(int n) {
    Snapshot s;
    char id[32];
    std::snprintf(id, sizeof id, "500S%012d", n);
    s.id = id;
    s.source = "salesforce";
    s.number = std::to_string(10000000 + n);
    s.created_at = Base() + minutes{Pick(0, 60 * 24 * 60)};
    s.owner = "queue:customer_support";
    t_ = s.created_at;
    switch (n % 10) {
      case 0:
        Tier(s, 1);
        break;
      case 1:
        Tier(s, 2);
        break;
      case 2:
        Tier(s, 3);
        break;
      case 3:
        Tier(s, 4);
        break;
      case 4:
        Complaint(s, /*steps=*/1);
        break;  // agent steps
      case 5:
        Complaint(s, 2);
        break;  // back office, installer called
      case 6:
        Complaint(s, 3);
        break;  // referral and follow-ups
      case 7:
        Beam(s);
        break;
      case 8:
        PreM3(s);
        break;
      default:
        Complaint(s, 4);
        break;  // installer reached the homeowner, closed
    }
    if (Pick(0, 3) == 0) {  // a quarter arrive unsorted
      std::shuffle(s.events.begin(), s.events.end(), rng_);
    }
    return s;
  }

 private:
  static Instant Base() { return *casebridge::ParseInstant("2026-01-05T14:00:00Z"); }
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  Event& Add(Snapshot& s, EventType type, int min_gap_minutes, int max_gap_minutes) {
    t_ += minutes{Pick(min_gap_minutes, max_gap_minutes)};
    Event e;
    e.type = type;
    e.at = t_;
    s.events.push_back(std::move(e));
    return s.events.back();
  }

  void Chatter(Snapshot& s, int count) {
    for (int i = 0; i < count; ++i) {
      Add(s, i % 2 == 0 ? EventType::kCustomerMessage : EventType::kHomeownerContacted, 30, 900);
    }
  }

  void Tier(Snapshot& s, int tier) {
    s.primary_reason = "Billing";
    s.tier = tier;
    Add(s, EventType::kHomeownerContacted, 10, 400);
    if (tier == 4) Add(s, EventType::kManagerNotified, 5, 120);
    Chatter(s, 8);
    if (Pick(0, 1) == 0) s.closed_at = t_ + hours{2};
  }

  void AgentSteps(Snapshot& s) {
    s.primary_reason = installer_complaint_;
    s.installer_id = "001S000000000001";
    s.homeowner_id = Pick(0, 9) == 0 ? "" : "003S000000000001";
    Add(s, EventType::kHomeownerContacted, 10, 300);
    Add(s, EventType::kInstallerEmailed, 1, 30);
    Add(s, EventType::kOutreachNote, 1, 30);
  }

  void HandOff(Snapshot& s) {
    Add(s, EventType::kReassigned, 1, 60).to = back_office_;
    Add(s, EventType::kReassigned, 10, 120).to = "user:005S000000000001";
    s.owner = "user:005S000000000001";
  }

  void Complaint(Snapshot& s, int steps) {
    AgentSteps(s);
    if (steps == 1) {
      Chatter(s, 7);
      return;
    }
    HandOff(s);
    Add(s, EventType::kInstallerCalled, 2000, 3500).outcome =
        Pick(0, 1) == 0 ? CallOutcome::kReached : CallOutcome::kVoicemail;
    if (steps == 2) {
      Chatter(s, 4);
      return;
    }
    if (steps == 3) {
      Add(s, EventType::kSalesReferral, 2000, 3500);
      Add(s, EventType::kHomeownerContacted, 3000, 8000);
      if (Pick(0, 1) == 0) Add(s, EventType::kAmResponded, 1000, 8000);
      Add(s, EventType::kHomeownerContacted, 3000, 8000);
      return;
    }
    Add(s, EventType::kInstallerContactedHomeowner, 100, 2000);
    Add(s, EventType::kHomeownerSatisfied, 60, 600);
    Add(s, EventType::kHomeownerContacted, 10, 60);
    Add(s, EventType::kCustomerMessage, 10, 60);
    s.closed_at = t_ + minutes{30};
  }

  void Beam(Snapshot& s) {
    s.financing = Pick(0, 1) == 0 ? Financing::kBeam : Financing::kConcert;
    AgentSteps(s);
    HandOff(s);
    Add(s, EventType::kCustomerMessage, 600, 3000);
    Add(s, EventType::kHomeownerContacted, 5000, 11000);
    Add(s, EventType::kHomeownerRequestedFollowup, 60, 3000);
    Add(s, EventType::kHomeownerContacted, 5000, 11000);
    if (Pick(0, 2) == 0) Add(s, EventType::kHomeownerUnresponsive, 5000, 11000);
  }

  void PreM3(Snapshot& s) {
    s.primary_reason = installer_complaint_;
    s.pre_m3_pto = true;
    s.tier = Pick(0, 1);
    Add(s, EventType::kInstallerEmailed, 10, 300);
    Chatter(s, 9);
  }

  std::mt19937 rng_{20260320};
  Instant t_{};
  std::string back_office_;
  std::string installer_complaint_;
};

struct Corpus {
  std::vector<Snapshot> cases;
  std::vector<Instant> nows;
};

Corpus const& TheCorpus() {
  static Corpus const* const corpus = [] {
    auto* c = new Corpus;
    auto const& w = TheWorld();
    CaseFactory factory(w.policy.queues.back_office, w.policy.reasons.installer_complaint);
    for (int i = 0; i < 4096; ++i) {
      c->cases.push_back(factory.Make(i + 1));
      Instant const last =
          c->cases.back().events.empty()
              ? c->cases.back().created_at
              : std::max_element(c->cases.back().events.begin(), c->cases.back().events.end(),
                                 [](Event const& a, Event const& b) { return a.at < b.at; })
                    ->at;
      c->nows.push_back(last + hours{i % 240});
    }
    return c;
  }();
  return *corpus;
}

// Arg = how many distinct cases are cycled through (a power of two): 64 stay cache-hot, as a
// snapshot just parsed by the reader would be; 4096 (~5 MB of events) mostly come from memory.
void BM_EvaluateMix(benchmark::State& state) {
  auto const& engine = TheWorld().engine;
  auto const& corpus = TheCorpus();
  std::size_t const mask =
      std::min<std::size_t>(static_cast<std::size_t>(state.range(0)), corpus.cases.size()) - 1;
  casebridge::engine::Evaluation out;
  std::uint64_t flags = 0;
  std::uint64_t actions = 0;
  for (std::size_t i = 0; i <= mask; ++i) engine.Evaluate(corpus.cases[i], corpus.nows[i], out);
  std::uint64_t const allocations_before = g_allocations.load();
  std::size_t i = 0;
  for (auto _ : state) {
    engine.Evaluate(corpus.cases[i], corpus.nows[i], out);
    flags += out.flags.size();
    actions += out.actions.size();
    benchmark::DoNotOptimize(out.flags.data());
    benchmark::DoNotOptimize(out.actions.data());
    i = (i + 1) & mask;
  }
  std::uint64_t const allocations = g_allocations.load() - allocations_before;
  auto const iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  std::size_t events = 0;
  for (std::size_t k = 0; k <= mask; ++k) events += corpus.cases[k].events.size();
  state.counters["events_per_case"] = static_cast<double>(events) / static_cast<double>(mask + 1);
  state.counters["flags_per_case"] = static_cast<double>(flags) / iterations;
  state.counters["actions_per_case"] = static_cast<double>(actions) / iterations;
  state.counters["allocs_per_case"] = static_cast<double>(allocations) / iterations;
}
BENCHMARK(BM_EvaluateMix)->Arg(64)->Arg(4096);

// The allocating convenience overload, for comparison.
void BM_EvaluateFresh(benchmark::State& state) {
  auto const& engine = TheWorld().engine;
  auto const& corpus = TheCorpus();
  std::size_t const mask = corpus.cases.size() - 1;
  std::uint64_t const allocations_before = g_allocations.load();
  std::size_t i = 0;
  for (auto _ : state) {
    auto out = engine.Evaluate(corpus.cases[i], corpus.nows[i]);
    benchmark::DoNotOptimize(out.flags.data());
    i = (i + 1) & mask;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["allocs_per_case"] =
      static_cast<double>(g_allocations.load() - allocations_before) /
      static_cast<double>(state.iterations());
}
BENCHMARK(BM_EvaluateFresh);

}  // namespace

BENCHMARK_MAIN();
