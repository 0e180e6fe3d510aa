// The Salesforce ActionSink (ports.h): renders planned actions into Salesforce payloads
// (action_content.h) and writes pending ledger rows in batches, recording each result in the
// ledger and the audit trail.
//
// Batches: Tasks go 200 per sObject Collections upsert on the Task key field; reassignments 200
// per collections update; feed posts 200 per collections create. So write calls ≈ actions / 200.
//
// Exactly-once in effect (SPEC 1.4, 6):
//   * Tasks are upserted on their key: re-sending a Task that a crashed run already created
//     updates it instead of creating a second one;
//   * a reassignment sets the same owner again: idempotent;
//   * FeedItem has no external id: before creating posts the sink looks for posts already
//     carrying the key marker on those cases (one query per 200 cases) and records those as
//     written instead of posting again. Before a create is sent its rows are marked "in flight
//     since <real time>": a create of a run that died may still complete at the server after the
//     next run's lookup, so such rows wait `in_flight_grace` before they are looked up again.
// Per-record failures are recorded (`failed`, with the reason) and retried by later runs until
// the caller's attempt limit (UNABLE_TO_LOCK_ROW included). A call that fails as a whole after
// the client's retries stops the write (the rest stay pending); kResourceExhausted (budget /
// REQUEST_LIMIT_EXCEEDED) likewise, so the caller can exit 5.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "connector/adapters/ports.h"
#include "connector/adapters/salesforce/case_source.h"
#include "connector/common/status.h"
#include "connector/store/state_store.h"

namespace casebridge::adapters {

class SalesforceActionSink final : public ActionSink {
 public:
  /// Keeps references: `org` and `store` must outlive it.
  SalesforceActionSink(SalesforceOrg& org, store::StateStore& store) : org_(org), store_(store) {}

  [[nodiscard]] std::string_view system() const override { return kSalesforceSystem; }
  StatusOr<std::optional<std::string>> Render(SourcedCase const& c,
                                              engine::PlannedAction const& action) override;
  WriteReport Write(std::span<store::LedgerEntry const> pending,
                    WriteOptions const& options) override;

 private:
  class WriteCall;

  SalesforceOrg& org_;
  store::StateStore& store_;
};

}  // namespace casebridge::adapters
