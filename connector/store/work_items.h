// Work shared by several casebridge processes through the state store (issue 14, item 5).
//
// Flow: every worker calls StateStore::JoinWorkRun with the same WorkRunSpec (the first creates
// the run and its items, the others join it), then loops: ClaimWorkItem (the lowest item that is
// pending or whose lease expired; on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`, so two
// workers never claim the same item), RenewWorkLease while working on it, CompleteWorkItem when
// its results are committed. A worker that dies stops renewing: its lease expires and another
// worker claims the item again (the work is idempotent: the ledger's unique keys and the sinks'
// healing keep every action written once). The run's checkpoint (`done_prefix`) advances only
// when every item before it is done.
//
// Lease times are the callers' real time in whole seconds (workers on several hosts need clocks
// in sync to well within the lease length; NTP does that).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/time.h"

namespace casebridge::store {

/// One item's range (a backfill chunk: cases created in [from, to)).
struct WorkItemRange {
  Instant from{};
  Instant to{};
};

/// What a worker knows when it starts: the run's name and parameters, and its items.
struct WorkRunSpec {
  std::string name;    // identifies the run (e.g. derived from the parameters)
  std::string kind;    // "backfill"
  std::string params;  // canonical text of the parameters; a run of the same name must match
  std::vector<WorkItemRange> items;
  std::string worker;  // who creates it (for the record)
  Instant now{};
};

/// A work run as stored.
struct WorkRun {
  std::string name;
  std::string kind;
  std::string params;
  std::int64_t items = 0;
  std::int64_t done_prefix = 0;  // items [0, done_prefix) are done: the checkpoint
  std::string created_by;
  Instant created_at{};
  std::optional<Instant> completed_at;  // every item done
};

/// An item leased to a worker.
struct WorkItem {
  std::int64_t item = 0;
  WorkItemRange range;
  std::int64_t claims = 0;     // times it was claimed, this claim included
  std::string previous_owner;  // whose lease expired ("" for a pending item)
};

/// The answer of ClaimWorkItem.
struct WorkClaim {
  std::optional<WorkItem> item;  // nullopt: nothing to claim now
  std::int64_t open = 0;         // items not done (after this claim), this one included
  /// When nothing could be claimed but items are still leased: the earliest lease end.
  std::optional<Instant> next_expiry;
};

/// The answer of CompleteWorkItem.
struct WorkProgress {
  std::int64_t done_prefix = 0;
  std::int64_t items = 0;
  bool lease_was_lost = false;  // another worker had claimed the item meanwhile
};

}  // namespace casebridge::store
