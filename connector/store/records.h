// The value types the state store keeps (see state_store.h for the operations).
//
// Plain types only: the store is layer 3 and knows nothing of the engine or the mappings; the
// sync converts engine flags/actions to these records. Instants are stored to the second (as
// epoch seconds); JSON fields (`payload`, `evidence`, `counters`, `data`) are opaque text that
// the store never parses. Source-system timestamps used for paging (`modstamp`) are kept as the
// source's own text, verbatim: Salesforce's SystemModstamp has milliseconds that an Instant
// would drop, and the store never compares them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/time.h"

namespace casebridge::store {

/// Incremental-read position for one object of one system, e.g. ("salesforce", "Case").
/// Pages are ordered by (modstamp, id); the watermark is the last record fully processed.
struct Watermark {
  std::string system;    // "salesforce", "forge"
  std::string object;    // "Case", "tickets"
  std::string modstamp;  // source timestamp text, verbatim
  std::string last_id;   // id of the last record processed at `modstamp`
  Instant updated_at{};
};

// ---------------------------------------------------------------------------------------------
// Action ledger

enum class ActionState : std::uint8_t { kPlanned, kWritten, kFailed };

/// "planned", "written", "failed".
std::string_view ActionStateName(ActionState state);
std::optional<ActionState> ParseActionState(std::string_view text);

/// One action the sync intends to write. `key` must be `<case_id>:<action_id>:<n>`.
struct PlannedAction {
  std::string key;
  std::string case_id;
  std::string action_id;      // catalogue id, e.g. "call_installer"
  std::int64_t n = 1;         // 1 for the first occurrence, 2 for the next recurrence...
  std::string rule_id;        // rule that motivated it; empty when none
  std::string kind;           // "task", "reassign", "feed_post", "forge_record"...
  std::string target_system;  // "salesforce", "forge"
  std::optional<Instant> due;
  std::string payload = "{}";   // JSON: everything the writer needs to (re)send it
  std::string evidence = "{}";  // JSON: why it was planned
};

/// A ledger row: the planned action plus what happened to it.
struct LedgerEntry {
  PlannedAction action;
  ActionState state = ActionState::kPlanned;
  std::string remote_id;      // id of the record in the target system once written
  std::int64_t attempts = 0;  // write attempts so far (successful or not)
  std::string last_error;     // reason of the last failure (cleared when written)
  Instant planned_at{};
  std::optional<Instant> written_at;
  Instant updated_at{};
};

/// Outcome of PlanActions: the keys that were new (inserted as `planned`), in input order.
/// Keys already in the ledger keep their state and are only counted.
struct PlanResult {
  std::vector<std::string> new_keys;
  std::size_t already_known = 0;
};

/// Result of writing one action (a batch writer reports one per record).
struct WriteResult {
  std::string key;
  bool ok = false;
  std::string remote_id;  // when ok
  std::string error;      // when !ok: the reason (never a secret)
};

/// Selects ledger rows: `states` (at least one), keys strictly after `after_key` (paging; ""
/// starts at the beginning), at most `limit` rows, ordered by key. When `max_attempts` is set,
/// rows with `attempts >= max_attempts` are left out (give-up threshold for retries).
struct ActionQuery {
  std::vector<ActionState> states;
  std::string after_key;
  std::size_t limit = 200;
  std::optional<std::int64_t> max_attempts;
  /// Only rows whose target system is this one ("" = every system).
  std::string target_system;
};

// ---------------------------------------------------------------------------------------------
// Flags (report rows)

/// One flag of one case as last evaluated, with the case facts the reports filter on.
/// `status` is "met", "breached", "pending" or "info" (SPEC 1.4).
struct FlagRecord {
  std::string case_id;
  std::string case_number;
  std::string source_system;
  std::string rule_id;
  Instant started{};
  std::optional<Instant> due;
  std::optional<Instant> met_at;
  std::string status;
  std::optional<std::int64_t> late_minutes;
  std::string evidence = "{}";
  std::string owner;
  std::string installer;
  std::optional<int> tier;
  Instant updated_at{};  // set by the store on write
  // Case facts for the reports (schema migration 3). Each is "" when the writer does not know
  // it; a report then shows the id instead of the name and builds the link from the configured
  // instance URL.
  std::string subject;         // case subject / ticket title
  std::string owner_name;      // display name of `owner` (user or queue)
  std::string installer_name;  // name of the installer Account
  std::string queue;           // queue key the case is (or was last handed to), e.g. "back_office"
  std::string record_url;      // absolute link to the record in its source system
};

/// All current flags of one case (an empty list clears the case's flags).
struct CaseFlags {
  std::string case_id;
  std::vector<FlagRecord> flags;  // each flag's case_id must equal `case_id`
};

enum class FlagTimeField : std::uint8_t { kStarted, kDue };

/// Flags whose `field` lies in [from, to), optionally filtered (exact match). Rows come ordered
/// by (`field`, case_id, flag position).
struct FlagQuery {
  FlagTimeField field = FlagTimeField::kStarted;
  Instant from{};
  Instant to{};
  std::optional<std::string> rule_id;
  std::optional<std::string> owner;
  std::optional<std::string> installer;
  std::optional<std::string> status;
};

// ---------------------------------------------------------------------------------------------
// Tracked cases and the re-evaluation schedule

/// What the sync remembers of a case between runs: the source version it last evaluated
/// (to deduplicate records re-read through the watermark overlap) and the next instant at which
/// the passage of time alone can change its state (earliest `due` of its pending flags; nullopt
/// when nothing is pending or the case is closed).
struct TrackedCase {
  std::string system;
  std::string case_id;
  std::string modstamp;  // source timestamp text of the evaluated version, verbatim
  std::optional<Instant> next_check;
  Instant updated_at{};  // set by the store on write
};

// ---------------------------------------------------------------------------------------------
// Forge records that refer to Salesforce (the Forge side of the sync)

/// One Forge record casebridge has seen that refers to Salesforce: `kind` is "ticket" (ref = the
/// Salesforce case id the ticket names), "service_case" (ref = a service ticket's Salesforce case
/// id), "service_ticket" (ref = a service ticket's Forge ticket id) or "mirror" (ref = the
/// Salesforce record an interaction mirrors). Unique by (kind, forge_id).
struct ForgeRef {
  std::string kind;
  std::string forge_id;
  std::string ref;
  std::string ticket_id;    // the Forge ticket the record belongs to ("" = none)
  std::string customer_id;  // the Forge customer ("" = unknown)
};

// ---------------------------------------------------------------------------------------------
// Case snapshots (issue 15)

/// The snapshot of one case as a sync last evaluated it, unique by (system, case_id).
/// `snapshot` is one compact JSON object as engine::AppendSnapshotJson writes it (SPEC 2), so
/// engine::SnapshotReader reads it back; `created_at` is the case's creation (range queries).
struct CaseSnapshot {
  std::string system;
  std::string case_id;
  Instant created_at{};
  std::string snapshot;
  Instant updated_at{};  // set by the store on write
};

/// Snapshots of the cases created in [from, to), ordered by (created_at, system, case_id).
struct SnapshotQuery {
  Instant from{};
  Instant to{};
};

// ---------------------------------------------------------------------------------------------
// Audit trail

enum class AuditResult : std::uint8_t { kOk, kFailed };

/// One write attempt (append-only). `id` is assigned by the store (increasing).
struct AuditEntry {
  std::int64_t id = 0;
  std::string run_id;
  Instant at{};
  std::string action_key;
  std::string kind;    // what: "task", "reassign", "feed_post", "forge_record"...
  std::string target;  // where: e.g. "salesforce:Task" or "salesforce:Case/500..."
  std::string rule_id;
  std::string evidence = "{}";
  AuditResult result = AuditResult::kOk;
  std::string reason;  // failure reason (never a secret); empty when ok
};

/// Audit rows matching every set filter, ordered by id; `at` in [from, to) when set.
struct AuditQuery {
  std::optional<std::string> run_id;
  std::optional<std::string> action_key;
  std::optional<Instant> from;
  std::optional<Instant> to;
};

// ---------------------------------------------------------------------------------------------
// Runs and checkpoints

enum class RunKind : std::uint8_t { kSync, kBackfill };
enum class RunStatus : std::uint8_t {
  kRunning,
  kSucceeded,
  kFailed,
  kBudgetExhausted,  // stopped cleanly on the API budget; the next run resumes
  kInterrupted,      // the process died or was stopped before finishing
};

std::string_view RunKindName(RunKind kind);        // "sync", "backfill"
std::string_view RunStatusName(RunStatus status);  // "running", "succeeded", ...
std::optional<RunKind> ParseRunKind(std::string_view text);
std::optional<RunStatus> ParseRunStatus(std::string_view text);

struct RunRecord {
  std::string run_id;
  RunKind kind = RunKind::kSync;
  Instant started{};
  std::optional<Instant> finished;
  RunStatus status = RunStatus::kRunning;
  std::string counters = "{}";  // JSON
};

/// A named resume point of a long job (e.g. "backfill"): the range being processed, the last
/// record fully processed in (modstamp, id) order and the chunk number.
struct Checkpoint {
  std::string name;
  std::string run_id;
  Instant range_from{};
  Instant range_to{};
  std::string last_modstamp;  // verbatim source text; "" before the first record
  std::string last_id;
  std::int64_t chunk = 0;
  bool completed = false;
  std::string data = "{}";  // JSON: anything else the job needs to resume
  Instant updated_at{};
};

/// One queue of a primary system's queue directory (migration 008): a queue a mapping names
/// (queues.json DeveloperName) and its id as of `refreshed_at`; "" when the org had no such
/// queue then. A row with an empty `name` records a queue id the mapping does not name.
struct QueueEntry {
  std::string name;
  std::string queue_id;
  Instant refreshed_at{};
};

// ---------------------------------------------------------------------------------------------
// Schema and locking

struct AppliedMigration {
  int version = 0;
  std::string name;
  Instant applied_at{};  // database server clock
};

/// Who is taking the run lock; recorded so a competing run can say who holds it.
struct LockOptions {
  Instant now{};
  std::string run_id;
  /// Several workers of one shared run hold it together (PostgreSQL only: a shared advisory
  /// lock, which excludes the ordinary exclusive run lock and is excluded by it).
  bool shared = false;
};

}  // namespace casebridge::store
