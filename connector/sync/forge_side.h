// The Forge side of the sync (SPEC 1.4: `forge_document` and `forge_service_ticket` are planned by
// the sync, which sees both systems' records; issue 5).
//
// Flow of one run (driven by sync_job.cc):
//   1. Refresh(): Forge tickets, interactions and service tickets changed since the Forge
//      watermark (forge::ReadChangedSince + one service-ticket listing). What links Forge to
//      Salesforce is remembered in the store's forge_refs: a ticket naming a Salesforce case
//      (`salesforce_case_id`), a service ticket of a case or ticket, an interaction mirroring a
//      Salesforce record (`source_ref`). Tickets that name no Salesforce case are Forge-only cases:
//      their snapshots are returned for evaluation (a linked ticket is the same case as its
//      Salesforce case, which is evaluated instead, so nothing is flagged twice).
//   2. PlanForCases(): for open Salesforce cases linked to a Forge ticket, one `forge_document`
//      per Salesforce interaction (signals.json `documents`) that Forge has no mirror of and the
//      ledger has not planned yet, numbered after the case's earlier ones (so a deleted or
//      back-dated record never makes a key name another interaction); and for tier 3 without a
//      service ticket, `forge_service_ticket`. PlanForForgeTicket() does the latter for
//      Forge-only tickets.
//   3. WritePending(): every pending Forge action of the ledger, one create per action with
//      the action key as `Idempotency-Key`: a create a crashed run already made answers with the
//      first record instead of a second one, so re-sending heals the ledger.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/engine/snapshot.h"
#include "connector/forge/client.h"
#include "connector/forge/reader.h"
#include "connector/store/state_store.h"
#include "mappings/signals.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::sync {

/// What Refresh() found.
struct ForgeRefresh {
  std::vector<forge::Ticket> forge_only_tickets;  // open or closed, not linked to Salesforce
  std::vector<engine::Snapshot> forge_only;       // their snapshots, same order
  std::vector<std::string> linked_cases;          // Salesforce cases of the tickets read
  Instant watermark{};                            // the next run's `since`
  std::int64_t tickets_read = 0;
  std::vector<Status> skipped;  // Forge records that could not be used
};

struct ForgePlanStats {
  std::int64_t unlinked_open_cases = 0;  // open Salesforce cases no Forge ticket names
};

class ForgeSide {
 public:
  /// Keeps references: everything must outlive it. `dry_run`: links found by Refresh() are kept
  /// in memory only and nothing is written.
  ForgeSide(forge::Client client, store::StateStore& store, std::shared_ptr<spdlog::logger> logger,
            bool dry_run);

  /// Step 1 of the file comment. Errors: the Forge client's (the caller keeps its watermark).
  /// `first_run`: no Forge watermark yet, so every ticket and service ticket is listed once
  /// for its links (only those changed since `since` are evaluated).
  StatusOr<ForgeRefresh> Refresh(Instant since, Instant now, bool first_run);

  /// The given Forge-only tickets read again (their clocks came due), like Refresh() but by id;
  /// a ticket that now names a Salesforce case is returned in `linked_cases` instead.
  StatusOr<ForgeRefresh> ReadDue(std::vector<std::string> const& ticket_ids, Instant now);

  /// Step 2 for Salesforce cases evaluated at `now` (closed cases get nothing).
  StatusOr<std::vector<store::PlannedAction>> PlanForCases(
      std::vector<adapters::SourcedCase const*> const& cases, Instant now, ForgePlanStats& stats);
  /// `forge_service_ticket` for an open tier-3 Forge-only ticket without one (else nullopt).
  StatusOr<std::optional<store::PlannedAction>> PlanForForgeTicket(forge::Ticket const& ticket,
                                                                   engine::Snapshot const& s,
                                                                   Instant now);

  /// Step 3. Per-record refusals (validation, not found) are recorded as failed and retried by
  /// later runs up to `max_attempts`; an error that stops Forge (unavailable after retries,
  /// rate limit, refused login) stops the writer with the rest pending.
  adapters::WriteReport WritePending(adapters::WriteOptions const& options,
                                     std::int64_t max_attempts);

  [[nodiscard]] forge::Client const& client() const { return client_; }

 private:
  StatusOr<std::vector<store::ForgeRef>> Refs(std::string const& kind,
                                              std::vector<std::string> const& refs);
  Status Remember(std::vector<store::ForgeRef> refs, Instant now);
  /// Whether a service ticket was planned for Forge ticket `ticket_id` under its own key before
  /// the ticket was linked to Salesforce case `case_id` (then the case must not get another).
  StatusOr<bool> HasServiceTicket(std::string const& ticket_id, std::string const& case_id);

  forge::Client client_;
  store::StateStore& store_;
  std::shared_ptr<spdlog::logger> logger_;
  bool dry_run_;
  /// Dry run: the references Refresh() found, by kind then ref.
  std::map<std::string, std::multimap<std::string, store::ForgeRef>> memory_;
};

}  // namespace casebridge::sync
