// Test helpers for the engine: the seed policy (shipped defaults of mappings/default, built in
// code so the engine tests do not depend on the loader), a ready Engine on it, a fluent snapshot
// builder and lookups into an Evaluation.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "mappings/catalogue.h"
#include "mappings/policy.h"

namespace casebridge::engine::testing_util {

using mappings::ActionId;
using mappings::RuleId;

/// The seed policy: America/New_York Mon-Fri 09:00-18:00, no holidays, back-office queue key
/// `back_office`, primary reason "Installer Complaints", and the seed rule durations.
inline mappings::Policy MakeSeedPolicy() {
  using mappings::DurationKind;
  using mappings::RuleDuration;
  using std::chrono::hours;
  mappings::Policy p;
  p.calendar.time_zone = "America/New_York";
  p.calendar.open_days = {true, true, true, true, true, false, false};
  p.calendar.opens = std::chrono::minutes{9 * 60};
  p.calendar.closes = std::chrono::minutes{18 * 60};
  p.reasons.installer_complaint = "Installer Complaints";
  p.reasons.secondary_reasons = {"Unresponsive Installer", "PTO Delay", "Installer Conduct"};
  p.queues.developer_names = {{"back_office", "Back_Office"},
                              {"customer_support", "Customer_Support"}};
  p.queues.back_office = "back_office";
  p.quick_replies = {"Unresponsive Install", "Unresponsive Beam HO", "Install-Complnt Done"};
  p.people.escalation_contact = {"Cassandra Mercado", "", ""};
  p.people.managers = {{"Tom O'Hearen", "", ""}, {"Alex", "", ""}};
  p.people.beam_risk_email = "risk@greentechrenewables.com";
  auto set = [&p](RuleId id, std::chrono::seconds length, DurationKind kind) {
    p.durations.at(static_cast<std::size_t>(id)) = RuleDuration{length, kind};
  };
  set(RuleId::kResponse4bh, hours(4), DurationKind::kBusiness);
  set(RuleId::kTierUpdate24h, hours(24), DurationKind::kCalendar);
  set(RuleId::kManagerNotified, hours(1), DurationKind::kCalendar);
  set(RuleId::kRelationsMissing, hours(4), DurationKind::kBusiness);
  set(RuleId::kOutreachNoteMissing, hours(4), DurationKind::kBusiness);
  set(RuleId::kBackOfficeHandoff, hours(4), DurationKind::kBusiness);
  set(RuleId::kInstallerContact2d, hours(48), DurationKind::kCalendar);
  set(RuleId::kSalesReferral2d, hours(48), DurationKind::kCalendar);
  set(RuleId::kFollowup5d, hours(5 * 24), DurationKind::kCalendar);
  set(RuleId::kAmResponse5d, hours(5 * 24), DurationKind::kCalendar);
  set(RuleId::kBeamFollowup1w, hours(7 * 24), DurationKind::kCalendar);
  set(RuleId::kCaseNotRequired, std::chrono::seconds(0), DurationKind::kCalendar);
  return p;
}

/// Parses an ISO-8601 instant; aborts the test program on a typo in a literal.
inline Instant T(std::string_view text) {
  auto t = ParseInstant(text);
  if (!t) {
    std::fprintf(stderr, "bad instant literal in test: %.*s\n", static_cast<int>(text.size()),
                 text.data());
    std::abort();
  }
  return *t;
}

inline BusinessCalendar MakeCalendarOrDie(mappings::CalendarPolicy const& policy) {
  auto calendar = BusinessCalendar::Create(policy);
  if (!calendar.ok()) {
    std::fprintf(stderr, "BusinessCalendar::Create failed: %s\n",
                 calendar.status().ToString().c_str());
    std::abort();
  }
  return std::move(calendar).value();
}

/// The seed policy, its calendar and an Engine on them. Not copyable (the engine holds
/// references to the other two members).
struct SeedEngine {
  SeedEngine() = default;
  SeedEngine(SeedEngine const&) = delete;
  SeedEngine& operator=(SeedEngine const&) = delete;

  mappings::Policy policy = MakeSeedPolicy();
  BusinessCalendar calendar = MakeCalendarOrDie(policy.calendar);
  Engine engine{policy, calendar};

  [[nodiscard]] Evaluation Evaluate(Snapshot const& s, std::string_view now) const {
    return engine.Evaluate(s, T(now));
  }
};

/// One SeedEngine shared by a test program (an Engine is immutable, so sharing is safe).
inline SeedEngine const& Seed() {
  static SeedEngine const* const engine = new SeedEngine();
  return *engine;
}

/// Evaluates `s` with the seed engine at `now`.
inline Evaluation Eval(Snapshot const& s, std::string_view now) { return Seed().Evaluate(s, now); }

/// Fluent snapshot builder. Defaults: Salesforce case, open, no reason, no tier, owner
/// `queue:customer_support`, no relations.
class CaseBuilder {
 public:
  explicit CaseBuilder(std::string_view created_at, std::string id = "500S000000000001") {
    s_.id = std::move(id);
    s_.source = "salesforce";
    s_.number = "00010001";
    s_.created_at = T(created_at);
    s_.owner = "queue:customer_support";
  }

  /// An installer complaint whose relations are filled in.
  CaseBuilder& InstallerComplaint() {
    s_.primary_reason = "Installer Complaints";
    s_.secondary_reason = "Unresponsive Installer";
    s_.installer_id = "001S000000000001";
    s_.homeowner_id = "003S000000000001";
    return *this;
  }
  CaseBuilder& Reason(std::string primary) {
    s_.primary_reason = std::move(primary);
    return *this;
  }
  CaseBuilder& Relations(std::string installer_id, std::string homeowner_id) {
    s_.installer_id = std::move(installer_id);
    s_.homeowner_id = std::move(homeowner_id);
    return *this;
  }
  CaseBuilder& Tier(int tier) {
    s_.tier = tier;
    return *this;
  }
  CaseBuilder& Financing(engine::Financing f) {
    s_.financing = f;
    return *this;
  }
  CaseBuilder& PreM3() {
    s_.pre_m3_pto = true;
    return *this;
  }
  CaseBuilder& Owner(std::string owner) {
    s_.owner = std::move(owner);
    return *this;
  }
  CaseBuilder& Closed(std::string_view at) {
    s_.closed_at = T(at);
    return *this;
  }
  CaseBuilder& On(EventType type, std::string_view at) {
    Event e;
    e.type = type;
    e.at = T(at);
    s_.events.push_back(std::move(e));
    return *this;
  }
  CaseBuilder& Reassigned(std::string_view at, std::string to = "queue:back_office") {
    On(EventType::kReassigned, at);
    s_.events.back().to = std::move(to);
    return *this;
  }
  CaseBuilder& Called(std::string_view at, CallOutcome outcome = CallOutcome::kReached) {
    On(EventType::kInstallerCalled, at);
    s_.events.back().outcome = outcome;
    return *this;
  }
  CaseBuilder& TaskCreated(std::string_view at, ActionId action, std::string key) {
    On(EventType::kTaskCreated, at);
    s_.events.back().action = std::string(mappings::ActionName(action));
    s_.events.back().key = std::move(key);
    return *this;
  }
  /// The agent steps of seed 001 done at `at`: outreach note and handoff to back office.
  CaseBuilder& AgentStepsDone(std::string_view at) {
    On(EventType::kOutreachNote, at);
    return Reassigned(at);
  }

  [[nodiscard]] Snapshot Build() const { return s_; }
  operator Snapshot() const { return s_; }  // NOLINT(google-explicit-constructor)

 private:
  Snapshot s_;
};

/// The flags of one rule, in output order.
inline std::vector<Flag> FlagsOf(Evaluation const& e, RuleId rule) {
  std::vector<Flag> out;
  for (Flag const& f : e.flags) {
    if (f.rule == rule) out.push_back(f);
  }
  return out;
}

/// The only flag of `rule`, or nullopt when there is not exactly one.
inline std::optional<Flag> OnlyFlag(Evaluation const& e, RuleId rule) {
  auto flags = FlagsOf(e, rule);
  if (flags.size() != 1) return std::nullopt;
  return flags.front();
}

inline std::vector<PlannedAction> ActionsOf(Evaluation const& e, ActionId action) {
  std::vector<PlannedAction> out;
  for (PlannedAction const& a : e.actions) {
    if (a.action == action) out.push_back(a);
  }
  return out;
}

/// "rule:status" for every flag, e.g. "response_4bh:met" — compact expectations.
inline std::vector<std::string> Summary(Evaluation const& e) {
  std::vector<std::string> out;
  for (Flag const& f : e.flags) {
    out.push_back(std::string(mappings::RuleName(f.rule)) + ":" +
                  std::string(FlagStatusName(f.status)));
  }
  return out;
}

/// One flag in one line: "<rule> <started> due <due|null> met_at <met_at|null> <status>", then
/// " late <n>" when breached, " event <i>" when an event met it, " by_close" when closing did.
inline std::string Describe(Flag const& f) {
  auto instant = [](std::optional<Instant> t) { return t ? FormatInstant(*t) : "null"; };
  std::string out = std::string(mappings::RuleName(f.rule)) + " " + FormatInstant(f.started) +
                    " due " + instant(f.due) + " met_at " + instant(f.met_at) + " " +
                    std::string(FlagStatusName(f.status));
  if (f.status == FlagStatus::kBreached) out += " late " + std::to_string(f.late_minutes);
  if (f.met_by_event >= 0) out += " event " + std::to_string(f.met_by_event);
  if (f.met_by_close) out += " by_close";
  return out;
}

/// Describe() of every flag of `rule`, in output order.
inline std::vector<std::string> Describe(Evaluation const& e, RuleId rule) {
  std::vector<std::string> out;
  for (Flag const& f : e.flags) {
    if (f.rule == rule) out.push_back(Describe(f));
  }
  return out;
}

/// One action in one line: "<key> <kind> due <due|null> rule <rule>".
inline std::string Describe(PlannedAction const& a) {
  return a.key + " " + std::string(mappings::ActionKindName(a.kind)) + " due " +
         (a.due ? FormatInstant(*a.due) : std::string("null")) + " rule " +
         std::string(mappings::RuleName(a.rule));
}

inline std::vector<std::string> DescribeActions(Evaluation const& e) {
  std::vector<std::string> out;
  for (PlannedAction const& a : e.actions) out.push_back(Describe(a));
  return out;
}

/// Every planned action's key, in output order.
inline std::vector<std::string> Keys(Evaluation const& e) {
  std::vector<std::string> out;
  for (PlannedAction const& a : e.actions) out.push_back(a.key);
  return out;
}

}  // namespace casebridge::engine::testing_util
