#include "connector/sync/forge_side.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/salesforce/ids.h"
#include "connector/common/failpoint.h"

namespace casebridge::sync {
namespace {

using nlohmann::json;
constexpr char kSystem[] = "forge";
constexpr char kDocumentAction[] = "forge_document";
constexpr char kServiceAction[] = "forge_service_ticket";
// The ledger's rule ids of the two Forge actions (seed 000: "always document interactions in
// Forge"; tier 3: "create a service ticket in Forge").
constexpr char kDocumentRule[] = "forge_documentation";
constexpr char kServiceRule[] = "tier3_service_ticket";

// Salesforce ids are compared on their 15-character prefix (a Forge record may hold either form).
std::string SfKey(std::string const& id) { return std::string(adapters::sfid::Key(id)); }

store::PlannedAction NewAction(std::string const& case_id, char const* action, std::int64_t n,
                               char const* rule, json const& payload, json const& evidence) {
  store::PlannedAction p;
  p.key = case_id + ":" + action + ":" + std::to_string(n);
  p.case_id = case_id;
  p.action_id = action;
  p.n = n;
  p.rule_id = rule;
  p.kind = "forge_record";
  p.target_system = kSystem;
  p.payload = payload.dump();
  p.evidence = evidence.dump();
  return p;
}

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

}  // namespace

ForgeSide::ForgeSide(forge::Client client, store::StateStore& store,
                     std::shared_ptr<spdlog::logger> logger, bool dry_run)
    : client_(std::move(client)),
      store_(store),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      dry_run_(dry_run) {}

StatusOr<std::vector<store::ForgeRef>> ForgeSide::Refs(std::string const& kind,
                                                       std::vector<std::string> const& refs) {
  auto found = store_.GetForgeRefs(kind, refs);
  if (!found.ok()) return found.status();
  auto mem = memory_.find(kind);
  if (mem != memory_.end()) {
    for (auto const& ref : refs) {
      auto [a, b] = mem->second.equal_range(ref);
      for (auto it = a; it != b; ++it) found->push_back(it->second);
    }
  }
  return found;
}

Status ForgeSide::Remember(std::vector<store::ForgeRef> refs, Instant now) {
  if (refs.empty()) return OkStatus();
  if (dry_run_) {
    for (auto& r : refs) {
      auto& by_ref = memory_[r.kind];
      std::erase_if(by_ref, [&](auto const& e) { return e.second.forge_id == r.forge_id; });
      by_ref.emplace(r.ref, r);
    }
    return OkStatus();
  }
  return store_.UpsertForgeRefs(refs, now);
}

namespace {

// Splits what the reader returned into Forge-only cases and links to Salesforce (`refs`).
ForgeRefresh Classify(forge::ForgeChanges& changes, std::vector<store::ForgeRef>& refs) {
  ForgeRefresh out;
  out.watermark = changes.watermark;
  out.skipped = std::move(changes.skipped);
  out.tickets_read = static_cast<std::int64_t>(changes.tickets.size());
  for (std::size_t i = 0; i < changes.tickets.size(); ++i) {
    forge::Ticket& t = changes.tickets[i];
    if (t.salesforce_case_id.empty()) {
      out.forge_only_tickets.push_back(std::move(t));
      out.forge_only.push_back(std::move(changes.snapshots[i]));
      continue;
    }
    out.linked_cases.push_back(t.salesforce_case_id);
    refs.push_back({"ticket", t.id, SfKey(t.salesforce_case_id), t.id, t.customer_id});
  }
  for (auto const& m : changes.mirrors) {
    refs.push_back({"mirror", m.id, SfKey(m.source_ref), m.ticket_id, m.customer_id});
  }
  return out;
}

}  // namespace

StatusOr<ForgeRefresh> ForgeSide::ReadDue(std::vector<std::string> const& ticket_ids, Instant now) {
  auto changes = forge::ReadTickets(client_, ticket_ids);
  if (!changes.ok()) return changes.status();
  std::vector<store::ForgeRef> refs;
  ForgeRefresh out = Classify(*changes, refs);
  if (auto st = Remember(std::move(refs), now); !st.ok()) return st;
  return out;
}

StatusOr<ForgeRefresh> ForgeSide::Refresh(Instant since, Instant now, bool first_run) {
  auto changes = forge::ReadChangedSince(client_, since);
  if (!changes.ok()) return changes.status();
  std::vector<store::ForgeRef> refs;
  ForgeRefresh out = Classify(*changes, refs);
  // The first run learns every link, however old (later runs see new ones as changes).
  if (first_run) {
    Status s = client_.ListTickets(
        forge::TicketQuery{},
        [&](forge::Ticket const& t) {
          if (!t.salesforce_case_id.empty()) {
            refs.push_back({"ticket", t.id, SfKey(t.salesforce_case_id), t.id, t.customer_id});
          }
          return OkStatus();
        },
        [&](Status const& bad) { out.skipped.push_back(bad); });
    if (!s.ok()) return s;
  }
  forge::ServiceTicketQuery sq;
  if (!first_run) sq.updated_since = since;
  Status s = client_.ListServiceTickets(
      sq,
      [&](forge::ServiceTicket const& st) {
        if (st.updated_at) out.watermark = std::max(out.watermark, *st.updated_at);
        if (!st.salesforce_case_id.empty()) {
          refs.push_back(
              {"service_case", st.id, SfKey(st.salesforce_case_id), st.ticket_id, st.customer_id});
        }
        if (!st.ticket_id.empty()) {
          refs.push_back({"service_ticket", st.id, st.ticket_id, st.ticket_id, st.customer_id});
        }
        return OkStatus();
      },
      [&](Status const& bad) { out.skipped.push_back(bad); });
  if (!s.ok()) return s;
  // One row per (kind, Forge id): the service-ticket rows use two kinds, so their ids repeat
  // only across kinds.
  if (auto st = Remember(std::move(refs), now); !st.ok()) return st;
  return out;
}

StatusOr<bool> ForgeSide::HasServiceTicket(std::string const& ticket_id,
                                           std::string const& case_id) {
  // Forge's own service tickets are in forge_refs (the first run lists them all, later runs
  // what changed); here: one planned under the ticket's key before the ticket was linked.
  if (case_id.empty()) return false;
  std::vector<std::string> const keys = {ticket_id + ":" + kServiceAction + ":1"};
  auto rows = store_.GetActions(keys);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

StatusOr<std::vector<store::PlannedAction>> ForgeSide::PlanForCases(
    std::vector<adapters::SourcedCase const*> const& cases, Instant now, ForgePlanStats& stats) {
  std::vector<store::PlannedAction> out;
  std::vector<std::string> ids;  // 15-character keys of the open cases
  for (auto const& c : cases) {
    if (!c->snapshot.closed_at) ids.push_back(SfKey(c->snapshot.id));
  }
  if (ids.empty()) return out;
  auto tickets = Refs("ticket", ids);
  if (!tickets.ok()) return tickets.status();
  std::map<std::string, store::ForgeRef> ticket_of;  // case key -> its (first) Forge ticket
  for (auto const& t : *tickets) ticket_of.try_emplace(t.ref, t);
  std::vector<std::string> linked;       // full case ids (the ledger's)
  std::vector<std::string> linked_keys;  // their 15-character keys
  std::vector<std::string> linked_tickets;
  for (auto const& c : cases) {
    auto const& s = c->snapshot;
    if (s.closed_at) continue;
    auto it = ticket_of.find(SfKey(s.id));
    if (it == ticket_of.end()) {
      ++stats.unlinked_open_cases;
      continue;
    }
    linked.push_back(s.id);
    linked_keys.push_back(SfKey(s.id));
    linked_tickets.push_back(it->second.forge_id);
  }
  if (linked.empty()) return out;

  // Interactions per linked case, and which of them Forge or the ledger already has.
  std::map<std::string, std::vector<adapters::Interaction> const*> interactions;
  std::vector<std::string> record_ids;
  for (auto const& c : cases) {
    auto const& s = c->snapshot;
    if (s.closed_at || !ticket_of.contains(SfKey(s.id))) continue;
    for (auto const& i : c->interactions) record_ids.push_back(SfKey(i.id));
    interactions[s.id] = &c->interactions;
  }
  auto mirrors = Refs("mirror", record_ids);
  if (!mirrors.ok()) return mirrors.status();
  std::set<std::string> mirrored;
  for (auto const& m : *mirrors) mirrored.insert(m.ref);
  auto planned = store_.ListCaseActions(linked, kDocumentAction);
  if (!planned.ok()) return planned.status();
  std::map<std::string, std::int64_t> last_n;
  for (auto const& row : *planned) {
    auto const payload = json::parse(row.action.payload, nullptr, false);
    if (payload.is_object()) mirrored.insert(SfKey(payload.value("source_ref", "")));
    last_n[row.action.case_id] = std::max(last_n[row.action.case_id], row.action.n);
  }
  auto services_by_case = Refs("service_case", linked_keys);
  if (!services_by_case.ok()) return services_by_case.status();
  auto services_by_ticket = Refs("service_ticket", linked_tickets);
  if (!services_by_ticket.ok()) return services_by_ticket.status();
  std::set<std::string> has_service;
  for (auto const& r : *services_by_case) has_service.insert(r.ref);
  for (auto const& r : *services_by_ticket) has_service.insert(r.ref);

  for (auto const& c : cases) {
    auto const& s = c->snapshot;
    auto t = ticket_of.find(SfKey(s.id));
    if (s.closed_at || t == ticket_of.end()) continue;
    store::ForgeRef const& ticket = t->second;
    json const evidence = {{"rule", kDocumentRule},
                           {"forge_ticket", ticket.forge_id},
                           {"evaluated_at", FormatInstant(now)}};
    for (auto const& i : *interactions[s.id]) {
      if (mirrored.contains(SfKey(i.id))) continue;
      std::int64_t const n = ++last_n[s.id];
      json payload = {{"op", "document"},
                      {"ticket_id", ticket.forge_id},
                      {"customer_id", ticket.customer_id},
                      {"kind", i.kind},
                      {"direction", i.direction},
                      {"party", i.party},
                      {"outcome", i.outcome},
                      {"occurred_at", FormatInstant(i.at)},
                      {"subject", i.subject},
                      {"body", i.body},
                      {"source_ref", i.id}};
      json ev = evidence;
      ev["salesforce_record"] = i.id;
      out.push_back(NewAction(s.id, kDocumentAction, n, kDocumentRule, payload, ev));
    }
    bool service_needed =
        s.tier == 3 && !has_service.contains(SfKey(s.id)) && !has_service.contains(ticket.forge_id);
    if (service_needed && ticket.customer_id.empty()) {
      logger_->warn("case {}: tier 3, but its Forge ticket {} names no customer: no service ticket",
                    s.id, ticket.forge_id);
      service_needed = false;
    }
    if (service_needed) {
      auto known = HasServiceTicket(ticket.forge_id, s.id);
      if (!known.ok()) return known.status();
      service_needed = !*known;
    }
    if (service_needed) {
      std::string const subject = c->subject.empty() ? s.primary_reason : c->subject;
      json payload = {
          {"op", "service_ticket"},
          {"customer_id", ticket.customer_id},
          {"ticket_id", ticket.forge_id},
          {"salesforce_case_id", s.id},
          {"summary", "Field service: " + subject + " (Salesforce case " + s.number + ")"},
          {"description", "Tier 3 field service for Salesforce case " + s.number + " (" +
                              s.primary_reason +
                              (s.secondary_reason.empty() ? "" : " / " + s.secondary_reason) +
                              "). Coordinate scheduling with the homeowner."}};
      json ev = {{"rule", kServiceRule},
                 {"tier", 3},
                 {"forge_ticket", ticket.forge_id},
                 {"evaluated_at", FormatInstant(now)}};
      out.push_back(NewAction(s.id, kServiceAction, 1, kServiceRule, payload, ev));
    }
  }
  return out;
}

StatusOr<std::optional<store::PlannedAction>> ForgeSide::PlanForForgeTicket(
    forge::Ticket const& ticket, engine::Snapshot const& s, Instant now) {
  using Result = std::optional<store::PlannedAction>;
  if (s.closed_at || s.tier != 3 || ticket.customer_id.empty()) return Result();
  auto services = Refs("service_ticket", {ticket.id});
  if (!services.ok()) return services.status();
  if (!services->empty()) return Result();
  json payload = {{"op", "service_ticket"},
                  {"customer_id", ticket.customer_id},
                  {"ticket_id", ticket.id},
                  {"salesforce_case_id", ""},
                  {"summary", "Field service: Forge ticket " + ticket.number},
                  {"description", "Tier 3 field service for Forge ticket " + ticket.number + " (" +
                                      ticket.primary_reason +
                                      "). Coordinate scheduling with "
                                      "the homeowner."}};
  json ev = {{"rule", kServiceRule}, {"tier", 3}, {"evaluated_at", FormatInstant(now)}};
  return Result(NewAction(ticket.id, kServiceAction, 1, kServiceRule, payload, ev));
}

adapters::WriteReport ForgeSide::WritePending(adapters::WriteOptions const& options,
                                              std::int64_t max_attempts) {
  adapters::WriteReport report;
  store::ActionQuery query;
  query.states = {store::ActionState::kPlanned, store::ActionState::kFailed};
  query.limit = 2000;
  query.max_attempts = max_attempts;
  query.target_system = kSystem;
  while (true) {
    auto rows = store_.ListActions(query);
    if (!rows.ok()) {
      report.status = rows.status();
      return report;
    }
    if (rows->empty()) break;
    query.after_key = rows->back().action.key;
    for (auto const& row : *rows) {
      auto const& a = row.action;
      if (a.target_system != kSystem) continue;
      auto const payload = json::parse(a.payload, nullptr, false);
      StatusOr<forge::WriteOutcome> sent = InternalError("unsent");
      std::vector<store::ForgeRef> refs;
      std::string target;
      if (!payload.is_object()) {
        sent = InvalidArgumentError("the ledger payload is not a JSON object");
      } else if (payload.value("op", "") == "document") {
        forge::DocumentRequest r;
        r.idempotency_key = a.key;
        r.kind = KindOf(payload.value("kind", ""));
        r.direction = DirectionOf(payload.value("direction", ""));
        r.party = PartyOf(payload.value("party", ""));
        r.outcome = payload.value("outcome", "");
        r.occurred_at = ParseInstant(payload.value("occurred_at", "")).value_or(Instant{});
        r.subject = payload.value("subject", "");
        r.body = payload.value("body", "");
        r.ticket_id = payload.value("ticket_id", "");
        r.customer_id = payload.value("customer_id", "");
        r.source_ref = payload.value("source_ref", "");
        target = "forge:interactions";
        // Forge already mirrors this record (e.g. the ledger was lost): heal, do not send.
        auto existing = Refs("mirror", {SfKey(r.source_ref)});
        if (!existing.ok()) {
          report.status = existing.status();
          return report;
        }
        if (!existing->empty()) {
          sent = forge::WriteOutcome{existing->front().forge_id, false};
        } else {
          sent = client_.CreateDocument(r);
        }
        if (sent.ok()) {
          refs.push_back({"mirror", sent->id, SfKey(r.source_ref), r.ticket_id, r.customer_id});
        }
      } else if (payload.value("op", "") == "service_ticket") {
        forge::ServiceTicketRequest r;
        r.idempotency_key = a.key;
        r.customer_id = payload.value("customer_id", "");
        r.ticket_id = payload.value("ticket_id", "");
        r.salesforce_case_id = payload.value("salesforce_case_id", "");
        r.summary = payload.value("summary", "");
        r.description = payload.value("description", "");
        target = "forge:service-tickets";
        sent = client_.CreateServiceTicket(r);
        if (sent.ok()) {
          if (!r.salesforce_case_id.empty()) {
            refs.push_back({"service_case", sent->id, SfKey(r.salesforce_case_id), r.ticket_id,
                            r.customer_id});
          }
          if (!r.ticket_id.empty()) {
            refs.push_back({"service_ticket", sent->id, r.ticket_id, r.ticket_id, r.customer_id});
          }
        }
      } else {
        sent = InvalidArgumentError("unknown Forge operation '" + payload.value("op", "") + "'");
      }
      Failpoint("forge.after_remote_write");
      StatusCode const code = sent.status().code();
      // Forge down (after the client's retries), out of budget or refusing our credentials:
      // stop with the row unchanged (no attempt used; the idempotency key makes a re-send
      // safe). Anything else is this record's failure: recorded, retried by later runs.
      bool const stop =
          !sent.ok() &&
          (code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
           code == StatusCode::kResourceExhausted || code == StatusCode::kUnauthenticated ||
           code == StatusCode::kPermissionDenied);
      if (stop) {
        report.status = sent.status();
        return report;
      }
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
      Status recorded = tx.status();
      if (tx.ok()) {
        std::vector<store::WriteResult> results{w};
        std::vector<store::AuditEntry> audit{e};
        recorded = store_.RecordWriteResults(results, options.now);
        if (recorded.ok()) recorded = store_.AppendAudit(audit);
        if (recorded.ok()) recorded = store_.UpsertForgeRefs(refs, options.now);
        if (recorded.ok()) recorded = tx->Commit();
      }
      if (!recorded.ok()) {
        report.status = recorded;
        return report;
      }
      Failpoint("forge.after_record");
      if (sent.ok()) {
        ++(sent->created ? report.written : report.healed);
      } else {
        ++report.failed;
        logger_->warn("action {} not written: {}", a.key, sent.status().message());
      }
    }
  }
  return report;
}

}  // namespace casebridge::sync
