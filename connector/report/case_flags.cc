#include "connector/report/case_flags.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "connector/engine/business_calendar.h"
#include "connector/engine/evaluation_json.h"
#include "mappings/catalogue.h"

namespace casebridge::report {
namespace {

namespace od = simdjson::ondemand;
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

// --- CaseFacts ---------------------------------------------------------------------------------

void CaseFacts::Clear() {
  subject.clear();
  owner_name.clear();
  installer_name.clear();
  queue.clear();
  record_url.clear();
}

struct CaseFactsReader::Impl {
  od::parser parser;
  std::string buffer;  // the line plus simdjson's padding
};

CaseFactsReader::CaseFactsReader() : impl_(std::make_unique<Impl>()) {}
CaseFactsReader::~CaseFactsReader() = default;

Status CaseFactsReader::Parse(std::string_view line, CaseFacts& out) {
  out.Clear();
  // Cheap exit: none of the member names occurs on the line.
  if (line.find("subject") == std::string_view::npos &&
      line.find("_name") == std::string_view::npos &&
      line.find("queue\"") == std::string_view::npos &&
      line.find("record_url") == std::string_view::npos) {
    return OkStatus();
  }
  std::string& buf = impl_->buffer;
  buf.assign(line);
  buf.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (impl_->parser.iterate(buf.data(), buf.size(), buf.capacity()).get(doc) != simdjson::SUCCESS) {
    return InvalidArgumentError("not valid JSON");
  }
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) {
    return InvalidArgumentError("not valid JSON (a snapshot line must be a JSON object)");
  }
  for (auto field_result : root) {
    od::field field;
    if (std::move(field_result).get(field) != simdjson::SUCCESS) {
      return InvalidArgumentError("not valid JSON");
    }
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return InvalidArgumentError("not valid JSON");
    }
    std::string* dest = nullptr;
    if (key == "subject") {
      dest = &out.subject;
    } else if (key == "owner_name") {
      dest = &out.owner_name;
    } else if (key == "installer_name") {
      dest = &out.installer_name;
    } else if (key == "queue") {
      dest = &out.queue;
    } else if (key == "record_url") {
      dest = &out.record_url;
    } else {
      continue;
    }
    od::value v = field.value();
    od::json_type type{};
    if (v.type().get(type) != simdjson::SUCCESS) return InvalidArgumentError("not valid JSON");
    if (type == od::json_type::null) continue;
    std::string_view s;
    if (type != od::json_type::string || v.get_string().get(s) != simdjson::SUCCESS) {
      ErrorInfo info;
      info.field = std::string(key);
      return InvalidArgumentError("must be a string or null", std::move(info));
    }
    dest->assign(s);
  }
  return OkStatus();
}

// --- Flag rows ---------------------------------------------------------------------------------

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

// --- Evidence text -----------------------------------------------------------------------------

void AppendEvidenceText(std::string& out, std::string_view status, std::string_view evidence) {
  if (evidence.empty() || evidence == "{}") return;
  auto const j = nlohmann::json::parse(evidence, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    out += evidence;
    return;
  }
  auto str = [&j](char const* key) -> std::string_view {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    return it->get_ref<std::string const&>();
  };
  auto const met_by = j.find("met_by");
  if (met_by != j.end() && met_by->is_string()) {
    std::string_view const how = met_by->get_ref<std::string const&>();
    if (how == "event" && !str("event").empty()) {
      out += "met by ";
      out += str("event");
      if (!str("to").empty()) {
        out += " to ";
        out += str("to");
      }
      if (!str("at").empty()) {
        out += " at ";
        out += str("at");
      }
      if (!str("record").empty()) {
        out += " (record ";
        out += str("record");
        out += ')';
      }
      return;
    }
    if (how == "close") {
      out += "met by closing the case";
      if (!str("at").empty()) {
        out += " at ";
        out += str("at");
      }
      return;
    }
    if (how == "data") {
      out += "met by data";
      auto const fields = j.find("fields");
      if (fields != j.end() && fields->is_array() && !fields->empty()) {
        out += ": ";
        bool first = true;
        for (auto const& f : *fields) {
          if (!f.is_string()) continue;
          if (!first) out += " and ";
          out += f.get_ref<std::string const&>();
          first = false;
        }
        out += " set";
      }
      return;
    }
  }
  if (met_by != j.end() && met_by->is_null()) {
    if (!str("note").empty()) {
      out += str("note");
      return;
    }
    out += "none: no ";
    out += str("awaiting").empty() ? std::string_view("qualifying event") : str("awaiting");
    if (status == "pending") out += " yet";
    if (str("clock") == "stopped" && !str("closed_at").empty()) {
      out += " before the case closed at ";
      out += str("closed_at");
    }
    return;
  }
  if (!str("text").empty()) {
    out += str("text");
    return;
  }
  out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace casebridge::report
