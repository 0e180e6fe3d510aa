#include "connector/adapters/flag_rows.h"

#include "connector/engine/business_calendar.h"
#include "connector/engine/evaluation_json.h"
#include "mappings/catalogue.h"

namespace casebridge::adapters {
namespace {

using mappings::RuleId;

constexpr std::string_view kQueuePrefix = "queue:";
// Evidence members of an unmet clock (AppendEvidenceJson). JSON string values escape their
// quotes, so neither text can occur inside a record value.
constexpr std::string_view kClockRunning = R"("clock":"running")";
constexpr std::string_view kClockStopped = R"("clock":"stopped")";

std::optional<Instant> Writable(std::optional<Instant> t) {
  if (t && (*t < engine::BusinessCalendar::kEarliest || *t > engine::BusinessCalendar::kLatest)) {
    return std::nullopt;  // e.g. kNever: a clock that never runs out has no due instant
  }
  return t;
}

}  // namespace

void CaseFacts::Clear() {
  subject.clear();
  owner_name.clear();
  installer_name.clear();
  queue.clear();
  record_url.clear();
}

std::string_view QueueOf(engine::Snapshot const& snapshot, std::string_view facts_queue) {
  if (!facts_queue.empty()) return facts_queue;
  std::string_view const owner = snapshot.owner;
  if (owner.starts_with(kQueuePrefix)) return owner.substr(kQueuePrefix.size());
  std::string_view last;
  Instant last_at = Instant::min();
  for (auto const& e : snapshot.events) {
    if (e.type != engine::EventType::kReassigned) continue;
    std::string_view const to = e.to;
    if (to.starts_with(kQueuePrefix) && e.at >= last_at) {
      last = to.substr(kQueuePrefix.size());
      last_at = e.at;
    }
  }
  return last;
}

std::string_view AwaitedEvidence(std::string_view rule_id) {
  auto const rule = mappings::ParseRuleId(rule_id);
  if (!rule) return "";
  switch (*rule) {
    case RuleId::kResponse4bh:
    case RuleId::kTierUpdate24h:
    case RuleId::kFollowup5d:
    case RuleId::kBeamFollowup1w:
      return "homeowner_contacted";
    case RuleId::kManagerNotified:
      return "manager_notified";
    case RuleId::kRelationsMissing:
      return "installer_id and homeowner_id on the case";
    case RuleId::kOutreachNoteMissing:
      return "outreach_note";
    case RuleId::kBackOfficeHandoff:
      return "reassigned to the back-office queue";
    case RuleId::kInstallerContact2d:
      return "installer_contacted_homeowner";
    case RuleId::kSalesReferral2d:
      return "installer_contacted_homeowner or sales_referral";
    case RuleId::kAmResponse5d:
      return "am_responded";
    case RuleId::kCaseNotRequired:
      return "";
  }
  return "";
}

void AppendEvidenceJson(std::string& out, engine::Snapshot const& snapshot,
                        engine::Flag const& flag) {
  using engine::AppendJsonString;
  if (flag.status == engine::FlagStatus::kInfo) {
    out += R"({"met_by":null,"note":"pre-M3 PTO complaint: no case required"})";
    return;
  }
  if (flag.met_by_event >= 0 &&
      static_cast<std::size_t>(flag.met_by_event) < snapshot.events.size()) {
    engine::Event const& e = snapshot.events[static_cast<std::size_t>(flag.met_by_event)];
    out += R"({"met_by":"event","event":)";
    AppendJsonString(out, engine::EventTypeName(e.type));
    out += R"(,"at":")";
    AppendInstant(out, e.at);
    out.push_back('"');
    if (e.type == engine::EventType::kReassigned && !e.to.empty()) {
      out += R"(,"to":)";
      AppendJsonString(out, e.to);
    }
    out.push_back('}');
    return;
  }
  if (flag.met_by_close && flag.met_at) {
    out += R"({"met_by":"close","at":")";
    AppendInstant(out, *flag.met_at);
    out += "\"}";
    return;
  }
  if (flag.status == engine::FlagStatus::kMet) {
    out += flag.rule == RuleId::kRelationsMissing
               ? R"({"met_by":"data","fields":["installer_id","homeowner_id"]})"
               : R"({"met_by":"data"})";
    return;
  }
  out += R"({"met_by":null,"awaiting":)";
  AppendJsonString(out, AwaitedEvidence(mappings::RuleName(flag.rule)));
  if (flag.stopped_by_close && snapshot.closed_at) {
    out += R"(,"clock":"stopped","closed_at":")";
    AppendInstant(out, *snapshot.closed_at);
    out += "\"}";
  } else {
    out += R"(,"clock":"running"})";
  }
}

bool ClockRunning(store::FlagRecord const& flag) {
  if (flag.met_at || !flag.due) return false;
  if (flag.status == "pending") return true;  // only an open case has a pending flag
  if (flag.status != "breached") return false;
  std::string_view const evidence = flag.evidence;
  if (evidence.find(kClockRunning) != std::string_view::npos) return true;
  if (evidence.find(kClockStopped) != std::string_view::npos) return false;
  // Written before the evidence said so: the clock ran to the instant the flag was evaluated
  // (updated_at) when its minutes late are counted to it; a closed case's stopped earlier.
  return flag.late_minutes == engine::LateMinutes(*flag.due, flag.updated_at);
}

bool RestateAsOf(store::FlagRecord& flag, Instant as_of) {
  if (!ClockRunning(flag)) return false;
  if (as_of <= *flag.due) {
    flag.status.assign("pending");
    flag.late_minutes.reset();
  } else {
    flag.status.assign("breached");
    flag.late_minutes = engine::LateMinutes(*flag.due, as_of);
  }
  return true;
}

void ToFlagRecord(engine::Snapshot const& snapshot, engine::Flag const& flag,
                  CaseFacts const& facts, store::FlagRecord& out) {
  out.case_id.assign(snapshot.id);
  out.case_number.assign(snapshot.number);
  out.source_system.assign(snapshot.source);
  out.rule_id.assign(mappings::RuleName(flag.rule));
  out.started = flag.started;
  out.due = Writable(flag.due);
  out.met_at = Writable(flag.met_at);
  out.status.assign(engine::FlagStatusName(flag.status));
  out.late_minutes = flag.status == engine::FlagStatus::kBreached
                         ? std::optional<std::int64_t>(flag.late_minutes)
                         : std::nullopt;
  out.evidence.clear();
  AppendEvidenceJson(out.evidence, snapshot, flag);
  out.owner.assign(snapshot.owner);
  out.installer.assign(snapshot.installer_id);
  out.tier =
      snapshot.tier >= 1 && snapshot.tier <= 4 ? std::optional<int>(snapshot.tier) : std::nullopt;
  out.subject.assign(facts.subject);
  out.owner_name.assign(facts.owner_name);
  out.installer_name.assign(facts.installer_name);
  out.queue.assign(QueueOf(snapshot, facts.queue));
  out.record_url.assign(facts.record_url);
}

}  // namespace casebridge::adapters
