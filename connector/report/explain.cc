#include "connector/report/explain.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "connector/adapters/flag_rows.h"
#include "connector/engine/engine.h"
#include "connector/report/explain_internal.h"

namespace casebridge::report {
namespace {

using engine::EventType;
using mappings::RuleId;

// Whether an event of `type` starts a clock of `rule` (SPEC 1.4; the case's creation aside).
bool StartsClock(RuleId rule, EventType type) {
  switch (rule) {
    case RuleId::kResponse4bh:
      return type == EventType::kCustomerMessage;
    case RuleId::kSalesReferral2d:
      return type == EventType::kInstallerCalled;
    case RuleId::kFollowup5d:
      return type == EventType::kSalesReferral || type == EventType::kHomeownerContacted;
    case RuleId::kAmResponse5d:
      return type == EventType::kSalesReferral;
    case RuleId::kBeamFollowup1w:
      return type == EventType::kReassigned || type == EventType::kHomeownerRequestedFollowup;
    default:
      return false;
  }
}

// The event that started the flag's clock: the first of the rule's start types at `started`
// (not later than now); -1 when the clock started at the case's creation.
int StartedBy(engine::Snapshot const& s, engine::Flag const& f, Instant now) {
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    engine::Event const& e = s.events[i];
    if (e.at != f.started || e.at > now) continue;
    if (StartsClock(f.rule, e.type)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

namespace explain_internal {

std::string_view AwaitedText(RuleId rule) {
  std::string_view const awaited = adapters::AwaitedEvidence(mappings::RuleName(rule));
  return awaited.empty() ? std::string_view("nothing (information only)") : awaited;
}

std::vector<std::size_t> TimelineOrder(engine::Snapshot const& s) {
  std::vector<std::size_t> order(s.events.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&s](std::size_t a, std::size_t b) { return s.events[a].at < s.events[b].at; });
  return order;
}

}  // namespace explain_internal

Explanation Explain(engine::Snapshot snapshot, mappings::Policy const& policy,
                    engine::BusinessCalendar const& calendar, Instant now) {
  Explanation out;
  engine::Engine const engine(policy, calendar);
  engine::Evaluation const evaluation = engine.Evaluate(snapshot, now);
  out.now = now;
  out.time_zone = policy.calendar.time_zone;
  out.system = snapshot.source;
  out.stage = evaluation.stage;
  for (auto const& f : evaluation.flags) {
    ExplainedRule r;
    r.flag = f;
    r.duration = policy.Duration(f.rule);
    if (f.due && r.duration.kind == mappings::DurationKind::kBusiness) {
      r.arithmetic = calendar.ExplainDue(f.started, r.duration.length);
    } else if (f.due) {
      r.arithmetic.due = *f.due;
    }
    r.started_by_event = StartedBy(snapshot, f, now);
    out.rules.push_back(std::move(r));
  }
  for (auto const& a : evaluation.actions) out.actions.push_back(ExplainedAction{a, std::nullopt});
  out.snapshot = std::move(snapshot);
  return out;
}

void AttachLedger(Explanation& explanation, std::vector<store::LedgerEntry> rows) {
  std::unordered_map<std::string, store::LedgerEntry> by_key;
  for (auto& r : rows) {
    std::string key = r.action.key;
    by_key.emplace(std::move(key), std::move(r));
  }
  for (auto& a : explanation.actions) {
    auto it = by_key.find(a.action.key);
    if (it != by_key.end()) a.ledger = std::move(it->second);
  }
  explanation.ledger_read = true;
}

std::optional<ExplainFormat> ParseExplainFormat(std::string_view name) {
  if (name == "text") return ExplainFormat::kText;
  if (name == "json") return ExplainFormat::kJson;
  if (name == "html") return ExplainFormat::kHtml;
  return std::nullopt;
}

}  // namespace casebridge::report
