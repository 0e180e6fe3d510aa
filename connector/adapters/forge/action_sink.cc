#include "connector/adapters/forge/action_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/action_text.h"
#include "connector/adapters/salesforce_ids.h"
#include "connector/common/failpoint.h"

namespace casebridge::adapters {
namespace {

using nlohmann::json;

std::string Key(std::string const& salesforce_id) { return std::string(sfid::Key(salesforce_id)); }

forge::DocumentKind KindOf(std::string const& s) {
  if (s == "email") return forge::DocumentKind::kEmail;
  if (s == "call") return forge::DocumentKind::kCall;
  return forge::DocumentKind::kNote;
}

forge::Direction DirectionOf(std::string const& s) {
  if (s == "inbound") return forge::Direction::kInbound;
  if (s == "outbound") return forge::Direction::kOutbound;
  return forge::Direction::kInternal;
}

forge::Party PartyOf(std::string const& s) {
  if (s == "customer") return forge::Party::kCustomer;
  if (s == "installer") return forge::Party::kInstaller;
  return forge::Party::kNone;
}

// Forge down (after the client's retries), out of budget, refusing our credentials, or
// answering what cannot be read (kInternal: a garbled or cut-off reply to a create Forge may
// have carried out): the write stops with the row unchanged (no attempt used; the idempotency
// key makes a re-send safe) and the run fails. Anything else is this record's failure.
bool StopsTheWrite(Status const& s) {
  StatusCode const code = s.code();
  return !s.ok() &&
         (code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
          code == StatusCode::kResourceExhausted || code == StatusCode::kUnauthenticated ||
          code == StatusCode::kPermissionDenied || code == StatusCode::kInternal);
}

json DocumentPayload(Interaction const& i, store::ForgeRef const& link) {
  return {{"op", "document"},
          {"ticket_id", link.forge_id},
          {"customer_id", link.customer_id},
          {"kind", i.kind},
          {"direction", i.direction},
          {"party", i.party},
          {"outcome", i.outcome},
          {"occurred_at", FormatInstant(i.at)},
          {"subject", i.subject},
          {"body", i.body},
          {"source_ref", i.id}};
}

json ServiceTicketPayload(SourcedCase const& c, store::ForgeRef const& link) {
  auto const& s = c.snapshot;
  std::string const reasons =
      s.primary_reason + (s.secondary_reason.empty() ? "" : " / " + s.secondary_reason);
  bool const forge_only = c.system == "forge";
  std::string const subject = c.subject.empty() ? s.primary_reason : c.subject;
  return {
      {"op", "service_ticket"},
      {"customer_id", link.customer_id},
      {"ticket_id", link.forge_id},
      {"salesforce_case_id", forge_only ? std::string() : s.id},
      {"summary", forge_only ? "Field service: Forge ticket " + s.number
                             : "Field service: " + subject + " (Salesforce case " + s.number + ")"},
      {"description", (forge_only ? "Tier 3 field service for Forge ticket " + s.number
                                  : "Tier 3 field service for Salesforce case " + s.number) +
                          " (" + (forge_only ? s.primary_reason : reasons) +
                          "). Coordinate scheduling with the homeowner."}};
}

}  // namespace

ForgeActionSink::ForgeActionSink(forge::Client client, mappings::Policy const& policy,
                                 store::StateStore& store, std::shared_ptr<spdlog::logger> logger)
    : client_(std::move(client)),
      policy_(policy),
      store_(store),
      logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

std::string ForgeActionSink::AssigneeOf(SourcedCase const& c) const {
  auto const& tasks = client_.mapping().tasks;
  if (!c.owner_id.empty()) return c.owner_id;
  if (auto it = tasks.team_assignees.find(c.team); it != tasks.team_assignees.end()) {
    return it->second;
  }
  return tasks.default_assignee;
}

StatusOr<std::optional<std::string>> ForgeActionSink::Render(SourcedCase const& c,
                                                             engine::PlannedAction const& action) {
  using Result = std::optional<std::string>;
  auto const& tasks = client_.mapping().tasks;
  std::string const name(mappings::ActionName(action.action));
  if (std::find(tasks.not_in_forge.begin(), tasks.not_in_forge.end(), name) !=
      tasks.not_in_forge.end()) {
    return Result();
  }
  ActionText const text = DescribeAction(c, action, policy_);
  if (text.form == ActionForm::kRecord) return Result();  // planned across systems
  if (text.form == ActionForm::kReassign) {
    return FailedPreconditionError(name +
                                   " has no Forge form: list it in forge.json "
                                   "tasks.not_in_forge");
  }
  std::string const assignee =
      text.form == ActionForm::kPost ? tasks.notify_assignee : AssigneeOf(c);
  if (assignee.empty()) {
    return FailedPreconditionError(name + ": forge.json tasks.assign names nobody to give the " +
                                   "task of ticket " + c.snapshot.id + " to");
  }
  std::string title = text.title;
  if (text.form == ActionForm::kPost) title = Mentions(text.people) + " " + text.title;
  json payload = {{"op", "task"},
                  {"title", title},
                  {"description", text.description},
                  {"assigned_to", assignee},
                  {"ticket_id", c.snapshot.id},
                  {"due_at", nullptr}};
  if (action.due) payload["due_at"] = FormatInstant(*action.due);
  return Result(payload.dump());
}

StatusOr<std::optional<std::string>> ForgeActionSink::RenderLinked(mappings::ActionId action,
                                                                   SourcedCase const& c,
                                                                   store::ForgeRef const& link,
                                                                   Interaction const* interaction) {
  using Result = std::optional<std::string>;
  if (action == mappings::ActionId::kForgeDocument && interaction != nullptr) {
    return Result(DocumentPayload(*interaction, link).dump());
  }
  if (action == mappings::ActionId::kForgeServiceTicket) {
    return Result(ServiceTicketPayload(c, link).dump());
  }
  return Result();
}

StatusOr<forge::WriteOutcome> ForgeActionSink::SendDocument(std::string const& key, json const& p,
                                                            std::vector<store::ForgeRef>& links) {
  forge::DocumentRequest r;
  r.idempotency_key = key;
  r.kind = KindOf(p.value("kind", ""));
  r.direction = DirectionOf(p.value("direction", ""));
  r.party = PartyOf(p.value("party", ""));
  r.outcome = p.value("outcome", "");
  r.occurred_at = ParseInstant(p.value("occurred_at", "")).value_or(Instant{});
  r.subject = p.value("subject", "");
  r.body = p.value("body", "");
  r.ticket_id = p.value("ticket_id", "");
  r.customer_id = p.value("customer_id", "");
  r.source_ref = p.value("source_ref", "");
  // Forge already mirrors this record (e.g. the ledger was lost): heal, do not send.
  std::vector<std::string> const refs = {Key(r.source_ref)};
  auto existing = store_.GetForgeRefs("mirror", refs);
  if (!existing.ok()) return existing.status();
  StatusOr<forge::WriteOutcome> sent =
      existing->empty()
          ? client_.CreateDocument(r)
          : StatusOr<forge::WriteOutcome>(forge::WriteOutcome{existing->front().forge_id, false});
  if (sent.ok()) {
    links.push_back({"mirror", sent->id, Key(r.source_ref), r.ticket_id, r.customer_id});
  }
  return sent;
}

StatusOr<forge::WriteOutcome> ForgeActionSink::SendServiceTicket(
    std::string const& key, json const& p, std::vector<store::ForgeRef>& links) const {
  forge::ServiceTicketRequest r;
  r.idempotency_key = key;
  r.customer_id = p.value("customer_id", "");
  r.ticket_id = p.value("ticket_id", "");
  r.salesforce_case_id = p.value("salesforce_case_id", "");
  r.summary = p.value("summary", "");
  r.description = p.value("description", "");
  auto sent = client_.CreateServiceTicket(r);
  if (sent.ok() && !r.salesforce_case_id.empty()) {
    links.push_back(
        {"service_case", sent->id, Key(r.salesforce_case_id), r.ticket_id, r.customer_id});
  }
  if (sent.ok() && !r.ticket_id.empty()) {
    links.push_back({"service_ticket", sent->id, r.ticket_id, r.ticket_id, r.customer_id});
  }
  return sent;
}

StatusOr<forge::WriteOutcome> ForgeActionSink::SendTask(std::string const& key,
                                                        json const& p) const {
  forge::TaskRequest r;
  r.idempotency_key = key;
  r.title = p.value("title", "");
  r.description = p.value("description", "");
  r.assigned_to = p.value("assigned_to", "");
  r.ticket_id = p.value("ticket_id", "");
  if (p.contains("due_at") && p.at("due_at").is_string()) {
    r.due_at = ParseInstant(p.at("due_at").get<std::string>());
  }
  return client_.CreateTask(r);
}

StatusOr<forge::WriteOutcome> ForgeActionSink::Send(store::LedgerEntry const& row,
                                                    std::string& target,
                                                    std::vector<store::ForgeRef>& links) {
  auto const& a = row.action;
  auto const payload = json::parse(a.payload, nullptr, false);
  if (!payload.is_object()) return InvalidArgumentError("the ledger payload is not a JSON object");
  std::string const op = payload.value("op", "");
  if (op == "document") {
    target = "forge:interactions";
    return SendDocument(a.key, payload, links);
  }
  if (op == "service_ticket") {
    target = "forge:service-tickets";
    return SendServiceTicket(a.key, payload, links);
  }
  if (op == "task") {
    target = "forge:tasks";
    return SendTask(a.key, payload);
  }
  return InvalidArgumentError("unknown Forge operation '" + op + "'");
}

Status ForgeActionSink::Record(store::LedgerEntry const& row,
                               StatusOr<forge::WriteOutcome> const& sent, std::string const& target,
                               std::vector<store::ForgeRef> const& links,
                               WriteOptions const& options) {
  auto const& a = row.action;
  store::WriteResult w{a.key, sent.ok(), sent.ok() ? sent->id : "",
                       sent.ok() ? "" : sent.status().message()};
  store::AuditEntry e;
  e.run_id = options.run_id;
  e.at = options.now;
  e.action_key = a.key;
  e.kind = a.kind;
  e.target = target + (sent.ok() ? "/" + sent->id : "");
  e.rule_id = a.rule_id;
  e.evidence = a.evidence;
  e.result = sent.ok() ? store::AuditResult::kOk : store::AuditResult::kFailed;
  e.reason = w.error;
  auto tx = store_.Begin();
  if (!tx.ok()) return tx.status();
  std::vector<store::WriteResult> const results{w};
  std::vector<store::AuditEntry> const audit{e};
  if (auto s = store_.RecordWriteResults(results, options.now); !s.ok()) return s;
  if (auto s = store_.AppendAudit(audit); !s.ok()) return s;
  if (auto s = store_.UpsertForgeRefs(links, options.now); !s.ok()) return s;
  return tx->Commit();
}

WriteReport ForgeActionSink::Write(std::span<store::LedgerEntry const> pending,
                                   WriteOptions const& options) {
  WriteReport report;
  for (auto const& row : pending) {
    std::string target;
    std::vector<store::ForgeRef> links;
    auto sent = Send(row, target, links);
    Failpoint("forge.after_remote_write");
    if (StopsTheWrite(sent.status())) {
      report.status = sent.status();
      return report;
    }
    if (auto s = Record(row, sent, target, links, options); !s.ok()) {
      report.status = s;
      return report;
    }
    Failpoint("forge.after_record");
    if (sent.ok()) {
      ++(sent->created ? report.written : report.healed);
    } else {
      ++report.failed;
      logger_->warn("action {} not written: {}", row.action.key, sent.status().message());
    }
  }
  return report;
}

}  // namespace casebridge::adapters
