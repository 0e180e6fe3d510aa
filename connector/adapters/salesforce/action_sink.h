// The Salesforce ActionSink (ports.h): renders planned actions into Salesforce payloads
// (action_content.h) and writes pending ledger rows in batches, recording each result in the
// ledger and the audit trail.
//
// Batches: Tasks go 200 per sObject Collections upsert on the Task key field; reassignments 200
// per collections update; feed posts 200 per collections create. So write calls ≈ actions / 200.
//
// Exactly-once in effect (SPEC 1.4, 6), and never undoing what a person did since:
//   * before a batch is sent its rows are noted "in flight since <real time>" in the ledger
//     (StateStore::MarkSending). A row with that note, or a `failed` row, may have reached the
//     server; a `planned` row without it never left casebridge and is sent without a lookup;
//   * Tasks are upserted on their key. One that may have reached the server is first looked
//     up by its key (sent_lookup.h, one queryAll per 200): found, it is recorded as written and
//     not sent again, so a Task an agent completed (or deleted) after the crash stays so;
//   * a reassignment that may have reached the server is checked against the Case's owner and
//     its CaseHistory Owner changes (one query per 200): recorded as written when the case
//     already has the owner, or when its owner changed after the reassignment was planned (a
//     person's later decision is never overwritten); sent again otherwise;
//   * FeedItem has no external id: posts that may have reached the server (the in-flight note:
//     sent without learning the outcome, by an earlier run or by this call) are looked for by
//     their key marker on their cases (one query per 200 cases) and recorded as written instead
//     of posting again. A `failed` post without the note was refused and is simply sent again. A
//     create of a run that died may still complete at the server after the next run's lookup, so
//     rows in flight wait `in_flight_grace` before they are looked up.
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
  /// The case owned by the reassignment's queue (its id from the queue directory), with the
  /// Owner change the org records; false when the queue is not in the org.
  bool ApplyReassignment(SourcedCase& c, engine::PlannedAction const& action,
                         Instant at) const override;
  WriteReport Write(std::span<store::LedgerEntry const> pending,
                    WriteOptions const& options) override;

 private:
  class WriteCall;

  SalesforceOrg& org_;
  store::StateStore& store_;
};

}  // namespace casebridge::adapters
