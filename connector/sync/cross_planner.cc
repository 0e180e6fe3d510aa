#include "connector/sync/cross_planner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

namespace casebridge::sync {
namespace {

using mappings::ActionId;
using nlohmann::json;
// The ledger's rule ids of the two actions (seed 000: "always document interactions in Forge";
// tier 3: "create a service ticket in Forge").
constexpr char kDocumentRule[] = "forge_documentation";
constexpr char kServiceRule[] = "tier3_service_ticket";

}  // namespace

struct CrossPlanner::Linked {
  adapters::SourcedCase const* c = nullptr;
  store::ForgeRef link;  // the (first) linked record naming the case
};

CrossPlanner::CrossPlanner(adapters::ActionSink& sink, store::StateStore& store,
                           std::shared_ptr<spdlog::logger> logger, bool dry_run)
    : sink_(sink),
      store_(store),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      dry_run_(dry_run) {}

std::string_view CrossPlanner::system() const { return sink_.system(); }

StatusOr<std::vector<store::ForgeRef>> CrossPlanner::Refs(std::string const& kind,
                                                          std::vector<std::string> const& refs) {
  auto found = store_.GetForgeRefs(kind, refs);
  if (!found.ok()) return found.status();
  auto index = memory_by_ref_.find(kind);
  if (index == memory_by_ref_.end()) return found;
  auto const& by_id = memory_[kind];
  for (auto const& ref : refs) {
    auto [a, b] = index->second.equal_range(ref);
    for (auto it = a; it != b; ++it) found->push_back(by_id.at(it->second));
  }
  return found;
}

Status CrossPlanner::Remember(std::vector<store::ForgeRef> links, Instant now) {
  if (links.empty()) return OkStatus();
  if (!dry_run_) return store_.UpsertForgeRefs(links, now);
  for (auto& r : links) {
    auto& by_id = memory_[r.kind];
    auto& by_ref = memory_by_ref_[r.kind];
    if (auto old = by_id.find(r.forge_id); old != by_id.end()) {
      auto [a, b] = by_ref.equal_range(old->second.ref);
      for (auto it = a; it != b; ++it) {
        if (it->second == r.forge_id) {
          by_ref.erase(it);
          break;
        }
      }
    }
    by_ref.emplace(r.ref, r.forge_id);
    by_id[r.forge_id] = std::move(r);
  }
  return OkStatus();
}

StatusOr<std::vector<CrossPlanner::Linked>> CrossPlanner::LinkedCases(
    std::span<adapters::SourcedCase const* const> cases, std::int64_t& unlinked_open) {
  std::vector<Linked> out;
  std::vector<std::string> keys;
  for (auto const* c : cases) {
    if (!c->snapshot.closed_at) keys.push_back(c->link_key);
  }
  if (keys.empty()) return out;
  auto tickets = Refs("ticket", keys);
  if (!tickets.ok()) return tickets.status();
  std::map<std::string, store::ForgeRef> link_of;  // case key -> its (first) linked record
  for (auto const& t : *tickets) link_of.try_emplace(t.ref, t);
  for (auto const* c : cases) {
    if (c->snapshot.closed_at) continue;
    auto it = link_of.find(c->link_key);
    if (it == link_of.end()) {
      ++unlinked_open;
      continue;
    }
    out.push_back({c, it->second});
  }
  return out;
}

StatusOr<std::vector<store::PlannedAction>> CrossPlanner::PlanForCases(
    std::span<adapters::SourcedCase const* const> cases, Instant now, std::int64_t& unlinked_open) {
  std::vector<store::PlannedAction> out;
  auto linked = LinkedCases(cases, unlinked_open);
  if (!linked.ok()) return linked.status();
  if (linked->empty()) return out;
  if (auto s = PlanDocuments(*linked, now, out); !s.ok()) return s;
  if (auto s = PlanServiceTickets(*linked, now, out); !s.ok()) return s;
  return out;
}

// One `forge_document` per interaction neither mirrored nor planned yet.
Status CrossPlanner::PlanDocuments(std::vector<Linked> const& linked, Instant now,
                                   std::vector<store::PlannedAction>& out) {
  std::vector<std::string> case_ids;
  std::vector<std::string> record_keys;
  for (auto const& l : linked) {
    case_ids.push_back(l.c->snapshot.id);
    for (auto const& i : l.c->interactions) record_keys.push_back(i.link_key);
  }
  auto mirrors = Refs("mirror", record_keys);
  if (!mirrors.ok()) return mirrors.status();
  std::set<std::string> mirrored;
  for (auto const& m : *mirrors) mirrored.insert(m.ref);
  auto planned = store_.ListCaseActions(case_ids, "forge_document");
  if (!planned.ok()) return planned.status();
  std::map<std::string, std::int64_t> last_n;
  for (auto const& row : *planned) {
    auto const evidence = json::parse(row.action.evidence, nullptr, false);
    if (evidence.is_object()) {
      mirrored.insert(evidence.value("record_key", ""));
    }
    last_n[row.action.case_id] = std::max(last_n[row.action.case_id], row.action.n);
  }
  for (auto const& l : linked) {
    for (auto const& i : l.c->interactions) {
      if (mirrored.contains(i.link_key)) continue;
      std::int64_t const n = ++last_n[l.c->snapshot.id];
      json evidence = {{"rule", kDocumentRule},
                       {"forge_ticket", l.link.forge_id},
                       {"evaluated_at", FormatInstant(now)},
                       {"record", i.id},
                       {"record_key", i.link_key}};
      auto a = NewAction(l.c->snapshot.id, ActionId::kForgeDocument, n, *l.c, l.link, &i,
                         std::move(evidence));
      if (!a.ok()) return a.status();
      out.push_back(*std::move(a));
    }
  }
  return OkStatus();
}

StatusOr<bool> CrossPlanner::PlannedBeforeTheLink(std::string const& ticket_id,
                                                  std::string const& case_id) {
  // The linked system's own service tickets are in the links (the first run lists them all,
  // later runs what changed); here: one planned under the ticket's key before it was linked.
  if (case_id.empty()) return false;
  std::vector<std::string> const keys = {ticket_id + ":forge_service_ticket:1"};
  auto rows = store_.GetActions(keys);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

// `forge_service_ticket` for linked tier-3 cases that have none (by case or by ticket).
Status CrossPlanner::PlanServiceTickets(std::vector<Linked> const& linked, Instant now,
                                        std::vector<store::PlannedAction>& out) {
  std::vector<std::string> case_keys;
  std::vector<std::string> tickets;
  for (auto const& l : linked) {
    if (l.c->snapshot.tier != 3) continue;
    case_keys.push_back(l.c->link_key);
    tickets.push_back(l.link.forge_id);
  }
  if (case_keys.empty()) return OkStatus();
  auto by_case = Refs("service_case", case_keys);
  if (!by_case.ok()) return by_case.status();
  auto by_ticket = Refs("service_ticket", tickets);
  if (!by_ticket.ok()) return by_ticket.status();
  std::set<std::string> has_service;
  for (auto const& r : *by_case) has_service.insert(r.ref);
  for (auto const& r : *by_ticket) has_service.insert(r.ref);
  for (auto const& l : linked) {
    auto const& s = l.c->snapshot;
    if (s.tier != 3 || has_service.contains(l.c->link_key) ||
        has_service.contains(l.link.forge_id)) {
      continue;
    }
    if (l.link.customer_id.empty()) {
      logger_->warn("case {}: tier 3, but its Forge ticket {} names no customer: no service ticket",
                    s.id, l.link.forge_id);
      continue;
    }
    auto known = PlannedBeforeTheLink(l.link.forge_id, s.id);
    if (!known.ok()) return known.status();
    if (*known) continue;
    json evidence = {{"rule", kServiceRule},
                     {"tier", 3},
                     {"forge_ticket", l.link.forge_id},
                     {"evaluated_at", FormatInstant(now)}};
    auto a = NewAction(s.id, ActionId::kForgeServiceTicket, 1, *l.c, l.link, nullptr,
                       std::move(evidence));
    if (!a.ok()) return a.status();
    out.push_back(*std::move(a));
  }
  return OkStatus();
}

StatusOr<std::vector<store::PlannedAction>> CrossPlanner::PlanForOwnCases(
    std::span<adapters::SourcedCase const* const> cases, Instant now) {
  std::vector<store::PlannedAction> out;
  auto wants = [](adapters::SourcedCase const& c) {
    return !c.snapshot.closed_at && c.snapshot.tier == 3 && !c.customer_id.empty();
  };
  std::vector<std::string> keys;
  for (auto const* c : cases) {
    if (wants(*c)) keys.push_back(c->link_key);
  }
  if (keys.empty()) return out;
  auto services = Refs("service_ticket", keys);  // one look-up for the page
  if (!services.ok()) return services.status();
  std::set<std::string> has_service;
  for (auto const& r : *services) has_service.insert(r.ref);
  for (auto const* c : cases) {
    auto const& s = c->snapshot;
    if (!wants(*c) || has_service.contains(c->link_key)) continue;
    store::ForgeRef const self{"ticket", s.id, "", s.id, c->customer_id};
    json evidence = {{"rule", kServiceRule}, {"tier", 3}, {"evaluated_at", FormatInstant(now)}};
    auto a =
        NewAction(s.id, ActionId::kForgeServiceTicket, 1, *c, self, nullptr, std::move(evidence));
    if (!a.ok()) return a.status();
    out.push_back(*std::move(a));
  }
  return out;
}

StatusOr<store::PlannedAction> CrossPlanner::NewAction(
    std::string const& case_id, ActionId action, std::int64_t n, adapters::SourcedCase const& c,
    store::ForgeRef const& link, adapters::Interaction const* interaction, json evidence) {
  auto payload = sink_.RenderLinked(action, c, link, interaction);
  if (!payload.ok()) return payload.status();
  if (!*payload) {
    return FailedPreconditionError(std::string(mappings::ActionName(action)) + " has no form in " +
                                   std::string(sink_.system()));
  }
  store::PlannedAction p;
  p.action_id = std::string(mappings::ActionName(action));
  p.key = case_id + ":" + p.action_id + ":" + std::to_string(n);
  p.case_id = case_id;
  p.n = n;
  p.rule_id = evidence.value("rule", "");
  p.kind = std::string(mappings::ActionKindName(mappings::KindOf(action)));
  p.target_system = std::string(sink_.system());
  p.payload = std::move(**payload);
  p.evidence = evidence.dump();
  return p;
}

}  // namespace casebridge::sync
