// The Forge ActionSink (ports.h): what casebridge writes to Forge, as self-contained ledger
// payloads, and the writes themselves.
//
// Payloads (opaque to the store):
//   {"op":"task", "title", "description", "assigned_to", "due_at", "ticket_id"}
//       the procedures' follow-ups on Forge-only cases (POST tasks, confirmed);
//   {"op":"document", "ticket_id", "customer_id", "kind", "direction", "party", "outcome",
//    "occurred_at", "subject", "body", "source_ref"}
//       a Salesforce interaction mirrored onto the linked ticket (`forge_document`);
//   {"op":"service_ticket", "customer_id", "ticket_id", "salesforce_case_id", "summary",
//    "description"}   tier 3 field service (`forge_service_ticket`).
// Who a task goes to and which actions have no Forge form is forge.json's `tasks.assign` and
// `tasks.not_in_forge` — no code decides it.
//
// Writes: one create per row with the action key as Idempotency-Key: a create a crashed run
// already made answers with the first record instead of a second one, so re-sending heals the
// ledger; a mirror Forge already has (store forge_refs `mirror`) is recorded without sending.
// Per-record refusals are recorded as failed (retried by later runs); Forge down, out of budget
// or refusing our credentials stops the write with the row unchanged.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/forge/client.h"
#include "connector/store/state_store.h"
#include "mappings/policy.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::adapters {

class ForgeActionSink final : public ActionSink {
 public:
  /// Keeps references: `policy` and `store` must outlive it.
  ForgeActionSink(forge::Client client, mappings::Policy const& policy, store::StateStore& store,
                  std::shared_ptr<spdlog::logger> logger);

  [[nodiscard]] std::string_view system() const override { return "forge"; }
  StatusOr<std::optional<std::string>> Render(SourcedCase const& c,
                                              engine::PlannedAction const& action) override;
  StatusOr<std::optional<std::string>> RenderLinked(mappings::ActionId action, SourcedCase const& c,
                                                    store::ForgeRef const& link,
                                                    Interaction const* interaction) override;
  WriteReport Write(std::span<store::LedgerEntry const> pending,
                    WriteOptions const& options) override;

 private:
  /// Who a task of `c` goes to; "" when forge.json names nobody.
  [[nodiscard]] std::string AssigneeOf(SourcedCase const& c) const;
  /// Sends one row; the links its record makes go into `links`.
  StatusOr<forge::WriteOutcome> Send(store::LedgerEntry const& row, std::string& target,
                                     std::vector<store::ForgeRef>& links);
  StatusOr<forge::WriteOutcome> SendDocument(std::string const& key, nlohmann::json const& p,
                                             std::vector<store::ForgeRef>& links);
  StatusOr<forge::WriteOutcome> SendServiceTicket(std::string const& key, nlohmann::json const& p,
                                                  std::vector<store::ForgeRef>& links) const;
  StatusOr<forge::WriteOutcome> SendTask(std::string const& key, nlohmann::json const& p) const;
  Status Record(store::LedgerEntry const& row, StatusOr<forge::WriteOutcome> const& sent,
                std::string const& target, std::vector<store::ForgeRef> const& links,
                WriteOptions const& options);

  forge::Client client_;
  mappings::Policy const& policy_;
  store::StateStore& store_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace casebridge::adapters
