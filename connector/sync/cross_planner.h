// The cross-system planner (SPEC 1.4: `forge_document` and `forge_service_ticket` are planned by
// the sync, which sees both systems' records): actions in the linked system (Forge) for cases of
// the primary one (Salesforce), and service tickets for Forge-only cases. It knows the links the
// sources reported (store forge_refs; kept in memory in a dry run) and asks the linked system's
// sink for the payloads, so it holds no vendor format.
//
//   * For open cases a linked record names (`ticket` links): one `forge_document` per
//     interaction of the case that the linked system has no mirror of and the ledger has not
//     planned yet, numbered after the case's earlier ones (so a deleted or back-dated record
//     never makes a key name another interaction); and for tier 3 without a service ticket,
//     `forge_service_ticket`.
//   * For open tier-3 Forge-only cases without a service ticket: `forge_service_ticket`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/store/state_store.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::sync {

class CrossPlanner {
 public:
  /// Keeps references: everything must outlive it. `sink`: the linked system's sink.
  CrossPlanner(adapters::ActionSink& sink, store::StateStore& store,
               std::shared_ptr<spdlog::logger> logger, bool dry_run);

  /// Remembers links a source reported (a dry run: in memory only).
  Status Remember(std::vector<store::ForgeRef> links, Instant now);

  /// The linked system's actions for cases of the primary system evaluated at `now` (closed
  /// cases get nothing). `unlinked_open`: open cases no linked record names.
  StatusOr<std::vector<store::PlannedAction>> PlanForCases(
      std::span<adapters::SourcedCase const* const> cases, Instant now,
      std::int64_t& unlinked_open);

  /// `forge_service_ticket` for the open tier-3 cases of the linked system itself.
  StatusOr<std::vector<store::PlannedAction>> PlanForOwnCases(
      std::span<adapters::SourcedCase const* const> cases, Instant now);

  [[nodiscard]] std::string_view system() const;

 private:
  struct Linked;  // an open case with its linked record
  StatusOr<std::vector<store::ForgeRef>> Refs(std::string const& kind,
                                              std::vector<std::string> const& refs);
  StatusOr<std::vector<Linked>> LinkedCases(std::span<adapters::SourcedCase const* const> cases,
                                            std::int64_t& unlinked_open);
  Status PlanDocuments(std::vector<Linked> const& linked, Instant now,
                       std::vector<store::PlannedAction>& out);
  Status PlanServiceTickets(std::vector<Linked> const& linked, Instant now,
                            std::vector<store::PlannedAction>& out);
  /// Whether a service ticket was planned for linked record `ticket_id` under its own key
  /// before it was linked to case `case_id` (then the case must not get another).
  StatusOr<bool> PlannedBeforeTheLink(std::string const& ticket_id, std::string const& case_id);
  StatusOr<store::PlannedAction> NewAction(std::string const& case_id, mappings::ActionId action,
                                           std::int64_t n, adapters::SourcedCase const& c,
                                           store::ForgeRef const& link,
                                           adapters::Interaction const* interaction,
                                           nlohmann::json evidence);

  adapters::ActionSink& sink_;
  store::StateStore& store_;
  std::shared_ptr<spdlog::logger> logger_;
  bool dry_run_;
  /// Dry run: the links reported, by kind then linked id, and by kind then ref.
  std::map<std::string, std::map<std::string, store::ForgeRef>> memory_;
  std::map<std::string, std::multimap<std::string, std::string>> memory_by_ref_;
};

}  // namespace casebridge::sync
