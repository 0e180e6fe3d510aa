// One incremental sync (SPEC section 3 `casebridge sync`; issue 5): read what changed, evaluate,
// plan actions into the ledger, write them, keep the flags for the reports.
//
// The sync sees no vendor: it reads through a CaseSource and writes through an ActionSink
// (connector/adapters/ports.h), which the CLI builds (the composition root).
//
// Flow of RunOnce() (sync_run.h has one method per step):
//   1. take the run lock (a competing run -> outcome.lock_held, nothing else happens), record the
//      run, mark runs that died as interrupted;
//   2. prepare the source (Salesforce: read the org's queues, one query);
//   3. incremental read: cases changed since watermark - overlap (the first run: now -
//      initial_lookback), with their related records, in (version, id) order, page by page. A
//      case whose version equals the one it was last evaluated at is skipped (records re-read
//      through the overlap window are not processed twice); the others are evaluated;
//   4. re-evaluation: cases whose next check (earliest due of a pending flag) has passed are read
//      by id and evaluated even if unchanged — the index on next_check finds them without
//      scanning every open case;
//   5. per page, in one store transaction: new actions into the ledger (key -> planned, with the
//      payload the sink rendered), the cases' flags, their version and next check, and the
//      watermark;
//   6. every pending ledger row is written by the sink of its target system.
// A crash anywhere loses nothing: the watermark only moves with the page's ledger rows, and
// pending rows are written (idempotently) by the next run.
//
// --dry-run: steps 2-4 only; nothing is written to Salesforce or to the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "connector/adapters/ports.h"
#include "connector/common/status.h"
#include "connector/store/state_store.h"
#include "mappings/policy.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::sync {

/// Progress of a backfill, reported after every page and chunk.
struct BackfillProgress {
  std::int64_t chunk = 0;   // chunks completed
  std::int64_t chunks = 0;  // chunks in the range
  std::int64_t cases_done = 0;
  std::int64_t cases_total = 0;  // COUNT() of the range at the start
};

/// A backfill shared by several worker processes through the state store (PostgreSQL): each
/// chunk is a work item (store/work_items.h) claimed by one worker at a time under a lease.
struct SharedBackfill {
  std::string run_name;  // the run every worker joins; "" = derived from range, chunk and mode
  std::string worker;    // this worker's lease name (unique among the run's live workers)
  std::chrono::seconds lease{30};  // a dead worker's items are taken over after this long
  std::function<Instant()> clock;  // the real time (leases)
  std::function<void(std::chrono::milliseconds)> sleep;  // while others hold the last items
};

/// What this worker did in a shared backfill.
struct SharedOutcome {
  std::string run_name;
  std::int64_t items = 0;             // items of the run
  std::int64_t done_prefix = 0;       // the run's checkpoint when this worker stopped
  std::int64_t items_done = 0;        // completed by this worker
  std::int64_t items_taken_over = 0;  // of those, items whose previous worker's lease expired
  std::int64_t items_lost = 0;        // given up: the lease ran out and another worker took them
  bool already_complete = false;      // the run had completed before this worker joined
};

/// `casebridge backfill`: re-evaluate the cases created in [from, to), `chunk` at a time, each
/// chunk's results committed and checkpointed (named "backfill", or "backfill-dry-run") so an
/// interrupted or budget-stopped backfill resumes after its last complete chunk.
struct BackfillSpec {
  Instant from{};
  Instant to{};
  std::chrono::seconds chunk{std::chrono::hours(24 * 7)};
  bool resume = false;
  std::function<void(BackfillProgress const&)> on_progress;
  /// Set: share the chunks with the other workers of the same run (no --resume needed: a
  /// worker joining an interrupted run continues it).
  std::optional<SharedBackfill> shared;
};

struct SyncOptions {
  Instant now{};
  std::string run_id;
  bool dry_run = false;
  /// Records modified up to this long before the watermark are read again (late commits).
  std::chrono::seconds overlap{std::chrono::minutes(10)};
  /// How far back the very first run reads.
  std::chrono::seconds initial_lookback{std::chrono::hours(24 * 30)};
  /// Due cases listed (and read by id) per round of the re-evaluation.
  std::size_t due_per_round = 200;
  /// Give up retrying a failed action after this many attempts.
  std::int64_t max_attempts = 5;
  /// The real time, and how long a feed post sent by a run that died may still be in flight
  /// (see connector/adapters/salesforce/action_sink.h).
  Instant wall_now{};
  std::chrono::seconds in_flight_grace{std::chrono::minutes(2)};
  /// Set: run a backfill of this range instead of an incremental sync (watermarks untouched,
  /// every case in the range evaluated; writes only unless dry_run).
  std::optional<BackfillSpec> backfill;
};

struct SyncStats {
  std::int64_t cases_read = 0;       // Case records received (incremental + re-evaluation)
  std::int64_t cases_evaluated = 0;  // evaluated (changed or due)
  std::int64_t cases_unchanged = 0;  // re-read through the overlap, same modstamp: skipped
  std::int64_t cases_due = 0;        // evaluated because a pending clock came due
  std::int64_t cases_reread = 0;     // evaluated again after this run's own writes changed them
  std::int64_t cases_linked = 0;     // evaluated because a Forge ticket naming them changed
  std::int64_t cases_related = 0;    // evaluated because a related record of theirs changed
  std::int64_t related_records = 0;  // changed related records read (their case ids only)
  bool bulk = false;                 // backfill: chunks read with bulk jobs
  std::int64_t bad_records = 0;      // records that could not be converted (see problems)
  std::map<std::string, std::map<std::string, std::int64_t>> flags;  // rule -> status -> count
  std::int64_t actions_planned = 0;  // new ledger rows (dry run: would be planned)
  std::int64_t actions_known = 0;    // already in the ledger
  std::int64_t actions_written = 0;
  std::int64_t actions_failed = 0;
  std::int64_t actions_healed = 0;    // found already written remotely
  std::int64_t actions_deferred = 0;  // feed posts possibly in flight from a run that died
  std::map<std::string, std::int64_t> actions_by_type;  // new ledger rows by action id
  /// Per target system: "planned" (new ledger rows), "written", "failed".
  std::map<std::string, std::map<std::string, std::int64_t>> actions_by_system;
  std::vector<std::string> problems;  // bad records, first 100
  // The linked system (Forge), when one is configured.
  bool forge = false;
  std::int64_t forge_tickets_read = 0;    // tickets changed since the Forge watermark
  std::int64_t forge_only_evaluated = 0;  // of those, tickets no Salesforce case is linked to
  std::int64_t forge_due = 0;             // Forge-only tickets read again because a clock came due
  std::int64_t forge_unlinked_open_cases = 0;  // open Salesforce cases no Forge ticket names
  std::int64_t forge_skipped = 0;              // Forge records that could not be used
};

struct SyncOutcome {
  SyncStats stats;
  Status status;           // OK, or why the run stopped (kResourceExhausted = budget, exit 5)
  bool lock_held = false;  // another run holds the lock: nothing was done
  std::int64_t resumed_from_chunk = -1;  // backfill --resume: the first chunk of this run
  std::optional<SharedOutcome> shared;   // a shared backfill
  std::string lock_message;
  adapters::ApiCalls calls;        // the source system's API calls
  adapters::ApiCalls forge_calls;  // the linked system's, when stats.forge
};

/// One system the sync works with: where its cases come from and where its actions go.
struct SyncSystem {
  adapters::CaseSource* source = nullptr;
  adapters::ActionSink* sink = nullptr;
};

class SyncJob {
 public:
  /// Keeps references: everything must outlive the job. `source` reads the cases, `sink` renders
  /// and writes the actions of the same system.
  SyncJob(adapters::CaseSource& source, adapters::ActionSink& sink, store::StateStore& store,
          mappings::Policy const& policy, std::shared_ptr<spdlog::logger> logger);

  /// Adds the linked system (Forge): its changed cases are read first (those naming a case of
  /// the primary system are that case, read there; the others are evaluated as its own cases,
  /// their actions rendered by `sink`), the links it reports are kept, and the cross-system
  /// actions (cross_planner.h) planned and written. Its failure does not stop the primary
  /// system's work; the run then ends with its error. Keeps references.
  void AddLinkedSystem(adapters::CaseSource& source, adapters::ActionSink& sink) {
    linked_ = SyncSystem{&source, &sink};
  }

  SyncOutcome RunOnce(SyncOptions const& options);

 private:
  adapters::CaseSource& source_;
  adapters::ActionSink& sink_;
  store::StateStore& store_;
  mappings::Policy const& policy_;
  std::shared_ptr<spdlog::logger> logger_;
  std::optional<SyncSystem> linked_;
};

/// The human summary of a run: cases, flags by rule, actions, API calls.
void WriteSummary(std::ostream& out, SyncOutcome const& outcome, bool dry_run);

/// A counters JSON object for run records and summaries.
std::string StatsJson(SyncStats const& stats, adapters::ApiCalls const& calls,
                      adapters::ApiCalls const& forge_calls = {});

}  // namespace casebridge::sync
