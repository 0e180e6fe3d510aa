// The plan of the whole demo org: which scenario each case and Forge-only ticket plays, and
// their timelines.
#include "connector/sandbox/demo_org_parts.h"

namespace casebridge::sandbox::demo_org_internal {

int EffectiveHistoryDays(DemoOrgOptions const& options) {
  return std::max(options.history_days, kMinimumHistoryDays);
}

void PlanForgeTicket(std::uint64_t seed, Instant now, Instant window_start, ForgeTicketPlan& t) {
  Rng rng(seed);
  Instant const lo = window_start + hours(1);
  Instant const hi = now - hours(1);
  seconds const total = BusinessBetween(lo, hi);
  t.created = total > seconds(0)
                  ? AddBusiness(lo, seconds(rng.Below(static_cast<std::uint64_t>(total.count()))))
                  : PrevBusiness(hi);
  t.agent = kAgents.at(rng.Below(kAgents.size()));
  t.installer = static_cast<std::uint8_t>(rng.Below(kInstallers.size()));
  t.subject = static_cast<std::uint8_t>(rng.Below(2));
  auto add = [&](Instant at, std::uint8_t kind, std::uint8_t direction, std::uint8_t party,
                 std::uint8_t outcome = 0, std::uint8_t tag = 0, std::uint8_t actor = 0) {
    if (at >= now - minutes(1)) return false;
    t.interactions.push_back(
        {at, kind, direction, party, outcome, tag, actor == 0 ? t.agent : actor});
    return true;
  };
  auto plus = [&](Instant from, std::int64_t lo_min, std::int64_t hi_min) {
    return AddBusiness(from, minutes(rng.Between(lo_min, hi_min))) + seconds(rng.Below(60));
  };
  add(t.created, 0, 0, 0);
  Instant last = t.created;
  switch (t.scenario) {
    case ForgeScenario::kTier1:
    case ForgeScenario::kTier2:
    case ForgeScenario::kNoTier:
    case ForgeScenario::kTier3:
    case ForgeScenario::kTier4: {
      t.tier = t.scenario == ForgeScenario::kNoTier ? 0 : static_cast<int>(t.scenario) + 1;
      t.reason = t.tier == 4   ? kReasonEscalation
                 : t.tier == 3 ? kReasonHardware
                               : static_cast<std::uint8_t>(rng.Below(3));
      if (rng.Percent(80)) {
        Instant const reply = rng.Percent(80) ? plus(t.created, 10, 230) : t.created + hours(30);
        if (add(reply, 1, 1, 0)) last = reply;
      }
      if (t.tier == 4 && rng.Percent(60)) {
        add(t.created + minutes(rng.Between(8, 50)), 3, 2, 3, 0, 2 + 7);
      }
      if (t.tier == 3) t.service_ticket = rng.Percent(50);
      break;
    }
    case ForgeScenario::kInstallerComplaint: {
      t.reason = static_cast<std::uint8_t>(rng.Below(kSecondaryReasons.size()));
      add(t.created + minutes(rng.Between(5, 20)), 1, 1, 0);
      add(t.created + minutes(rng.Between(21, 40)), 1, 1, 1);
      add(t.created + minutes(rng.Between(41, 60)), 3, 2, 4, 0, 1);
      if (rng.Percent(50)) {
        Instant const call = plus(t.created + days(2), 0, 180);
        add(call, 2, 1, 1, static_cast<std::uint8_t>(1 + rng.Below(2)), 0,
            kBackOffice.at(rng.Below(2)));
        if (rng.Percent(50)) add(plus(call, 60, 600), 3, 2, 4, 0, 2 + 1);
      }
      break;
    }
  }
  for (auto const& i : t.interactions) last = std::max(last, i.at);
  if (rng.Percent(25) && last + days(1) < now - minutes(1)) t.closed = last + days(1);
  t.task = rng.Percent(30);
}

Plan BuildPlan(DemoOrgOptions const& options) {
  Plan plan;
  int const count = std::max(options.cases, 0);
  Instant const now = options.now;
  Instant const window_start = now - days(EffectiveHistoryDays(options));
  // A deck holds every scenario `weight` times; each run through it is shuffled anew, so every
  // scenario appears once per ~100 cases and the mix stays even at any size.
  std::vector<Scenario> deck;
  for (auto const& s : kScenarios) {
    for (int i = 0; i < s.weight; ++i) deck.push_back(s.scenario);
  }
  Rng deck_rng(StreamSeed(options.seed, 1, 0));
  std::array<std::uint32_t, kScenarios.size()> occurrences{};
  plan.cases.resize(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    std::size_t const pos = static_cast<std::size_t>(i) % deck.size();
    if (pos == 0) {
      for (std::size_t k = deck.size(); k > 1; --k) {
        std::swap(deck[k - 1], deck[deck_rng.Below(k)]);
      }
    }
    PlannedCase& pc = plan.cases[static_cast<std::size_t>(i)];
    pc.scenario = deck[pos];
    pc.occurrence = occurrences.at(static_cast<std::size_t>(pc.scenario))++;
    CaseBuilder(StreamSeed(options.seed, 2, static_cast<std::uint64_t>(i)), now, window_start, pc)
        .Build();
  }
  // Record sequences, in document order.
  std::uint32_t emails = 0;
  std::uint32_t tasks = 0;
  std::uint32_t feeds = 0;
  int histories = 0;
  for (auto& pc : plan.cases) {
    ++histories;  // "created"
    for (auto& a : pc.acts) {
      switch (a.kind) {
        case Act::kIncomingEmail:
        case Act::kEmailHomeowner:
        case Act::kEmailInstaller:
        case Act::kEmailPartner:
          a.seq = ++emails;
          break;
        case Act::kCallHomeowner:
        case Act::kStep:
        case Act::kCasebridgeTask:
          a.seq = ++tasks;
          break;
        case Act::kOutreachNote:
        case Act::kCaseNote:
        case Act::kCasebridgePost:
          a.seq = ++feeds;
          break;
        case Act::kOwnerChange:
          histories += 2;
          break;
        case Act::kClose:
          histories += 1;
          break;
      }
    }
  }
  plan.emails = static_cast<int>(emails);
  plan.tasks = static_cast<int>(tasks);
  plan.feeds = static_cast<int>(feeds);
  plan.histories = histories;

  int const forge_only = count > 0 ? count / 10 + static_cast<int>(kForgeScenarioNames.size()) : 0;
  Rng forge_deck_rng(StreamSeed(options.seed, 3, 0));
  std::vector<ForgeScenario> forge_deck;
  for (std::size_t s = 0; s < kForgeScenarioNames.size(); ++s) {
    forge_deck.push_back(static_cast<ForgeScenario>(s));
  }
  plan.forge_tickets.resize(static_cast<std::size_t>(forge_only));
  for (int i = 0; i < forge_only; ++i) {
    std::size_t const pos = static_cast<std::size_t>(i) % forge_deck.size();
    if (pos == 0) {
      for (std::size_t k = forge_deck.size(); k > 1; --k) {
        std::swap(forge_deck[k - 1], forge_deck[forge_deck_rng.Below(k)]);
      }
    }
    ForgeTicketPlan& t = plan.forge_tickets[static_cast<std::size_t>(i)];
    t.scenario = forge_deck[pos];
    PlanForgeTicket(StreamSeed(options.seed, 4, static_cast<std::uint64_t>(i)), now, window_start,
                    t);
  }
  return plan;
}

}  // namespace casebridge::sandbox::demo_org_internal
