// The idempotent action writer: sends every pending ledger action (state `planned`, or `failed`
// with attempts left) to Salesforce in batches and records each result in the ledger and the
// audit trail.
//
// Batches: Tasks go 200 per sObject Collections upsert on the Task key field; reassignments 200
// per collections update; feed posts 200 per collections create. So write calls ≈ actions / 200.
//
// Exactly-once in effect (SPEC 1.4, 6):
//   * Tasks are upserted on their key: re-sending a Task that a crashed run already created
//     updates it instead of creating a second one;
//   * a reassignment sets the same owner again: idempotent;
//   * FeedItem has no external id: before creating posts the writer looks for posts already
//     carrying the key marker on those cases (one query per 200 cases) and records those as
//     written instead of posting again. Before a create is sent its rows are marked "in flight
//     since <real time>": a create of a run that died may still complete at the server after the
//     next run's lookup, so such rows wait `in_flight_grace` before they are looked up again.
// Per-record failures are recorded (`failed`, with the reason) and retried by the next run until
// `max_attempts` (UNABLE_TO_LOCK_ROW included). A call
// that fails as a whole after the client's retries stops the writer (the rest stay pending);
// kResourceExhausted (budget / REQUEST_LIMIT_EXCEEDED) likewise, so the caller can exit 5.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connector/adapters/salesforce_adapter.h"
#include "connector/common/status.h"
#include "connector/salesforce/client.h"
#include "connector/store/state_store.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::sync {

struct WriterOptions {
  Instant now{};
  /// The real time (not the evaluation instant) and how long a feed-post create of a run that
  /// died may still be in flight at the server: such rows are looked up only once it has passed.
  Instant wall_now{};
  std::chrono::seconds in_flight_grace{std::chrono::minutes(2)};
  std::string run_id;
  std::int64_t max_attempts = 5;
  std::size_t page_rows = 2000;  // ledger rows read per round (then grouped into batches of 200)
};

struct WriterReport {
  std::int64_t written = 0;
  std::int64_t failed = 0;
  std::int64_t healed = 0;    // found already written remotely (feed posts), not re-sent
  std::int64_t deferred = 0;  // feed posts possibly still in flight from a run that died
  std::vector<std::string> updated_records;  // ids of records updated (reassigned cases)
  Status status;                             // OK, or what stopped the writer
};

class ActionWriter {
 public:
  ActionWriter(salesforce::Client client, store::StateStore& store,
               adapters::SalesforceCaseAdapter const& adapter,
               std::shared_ptr<spdlog::logger> logger);

  /// Writes every pending Salesforce action of the ledger; see the file comment.
  WriterReport WritePending(WriterOptions const& options);

 private:
  struct Pending;
  using PendingRef = Pending const*;
  /// Feed posts already carrying the key marker of one of `items`: key -> FeedItem id.
  StatusOr<std::map<std::string, std::string>> FindFeedPosts(
      std::vector<PendingRef> const& items) const;

  salesforce::Client client_;
  store::StateStore& store_;
  adapters::SalesforceCaseAdapter const& adapter_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace casebridge::sync
