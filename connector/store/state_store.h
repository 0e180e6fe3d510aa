// The state store: everything casebridge remembers between runs.
//
// Flow: OpenStateStore(url, org) connects (SQLite file / in-memory, or PostgreSQL through libpq)
// and applies the numbered schema migrations in one transaction (recorded in `schema_migrations`).
// A run then takes the run lock (TryLock), reads the watermarks and the due re-evaluations,
// plans actions into the ledger (idempotent by key), records write results, replaces the flags
// of each evaluated case, appends to the audit trail, and commits "ledger + watermark" together
// inside an explicit Transaction. Reports stream flags with ForEachFlag in bounded memory.
//
// Orgs: a store object is scoped to one org (issue 14; migration 006 keys every table by org):
// every call reads and writes only that org's rows, and each org has its own run lock, so one
// database holds several Salesforce orgs side by side. Rows written before orgs are org
// "default", the org of a config without `orgs`.
//
// URLs:
//   sqlite:PATH            a file (WAL journal, busy_timeout 5 s, foreign keys on,
//                          synchronous=NORMAL); `sqlite:///abs/path` is accepted too; a new
//                          file (and its -wal, -shm and .lock files) is created 0600
//   sqlite::memory:        a private in-memory database (tests)
//   postgresql://user@host:port/db?...   (or postgres://) any libpq connection URI; PostgreSQL
//                          12 or later. Passwords are never echoed: errors and description()
//                          show the URL redacted (RedactStoreUrl).
//
// Errors: every SQLite/libpq failure becomes a Status. Lock contention / busy database and a
// lost PostgreSQL connection are kUnavailable (retry later); a constraint violation is
// kFailedPrecondition; bad arguments kInvalidArgument; a missing row kNotFound; a competing run
// holding the run lock kAborted (vendor code "RUN_LOCK_HELD"). A broken PostgreSQL connection is
// not re-established (the run lock died with it): open a new store.
//
// Atomicity: each mutating call is atomic on its own. Inside an explicit Transaction every call
// joins it (as a savepoint: a failed call leaves the transaction usable and undoes only itself).
//
// Thread-safety: a StateStore is NOT thread-safe: use one per thread / per run. Several stores
// (in one or several processes) may share a database: SQLite serialises writers (WAL, busy
// timeout), PostgreSQL uses its own MVCC. Streaming callbacks (ForEach*) must not call back into
// the same store (such calls fail with kFailedPrecondition).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/store/records.h"
#include "connector/store/work_items.h"

namespace casebridge::store {

namespace store_internal {
/// Implemented by each store; a Transaction forwards to it.
class TransactionDriver {
 public:
  virtual ~TransactionDriver() = default;
  virtual Status CommitTransaction() = 0;
  virtual Status RollbackTransaction() = 0;
  /// False once the transaction has ended (a refused Commit may leave it active).
  [[nodiscard]] virtual bool TransactionActive() const = 0;
};
/// Releases a held run lock.
class LockHolder {
 public:
  virtual ~LockHolder() = default;
  virtual Status Release() = 0;
};
}  // namespace store_internal

/// An explicit database transaction (RAII): rolled back on destruction unless committed.
/// The store that began it must outlive it. Move-only.
class Transaction {
 public:
  explicit Transaction(store_internal::TransactionDriver* driver) : driver_(driver) {}
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&& other) noexcept;
  Transaction(Transaction const&) = delete;
  Transaction& operator=(Transaction const&) = delete;
  ~Transaction();

  /// Commits. Fails (and rolls back) when the database refuses; kFailedPrecondition when the
  /// transaction is no longer active.
  Status Commit();
  /// Rolls back; kFailedPrecondition when no longer active.
  Status Rollback();
  [[nodiscard]] bool active() const { return driver_ != nullptr; }

 private:
  store_internal::TransactionDriver* driver_;
};

/// A held run lock (RAII): released on destruction. Move-only.
class RunLock {
 public:
  explicit RunLock(std::unique_ptr<store_internal::LockHolder> holder)
      : holder_(std::move(holder)) {}
  RunLock(RunLock&&) noexcept = default;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(RunLock const&) = delete;
  RunLock& operator=(RunLock const&) = delete;
  ~RunLock();

  /// Releases now (idempotent).
  Status Release();
  [[nodiscard]] bool held() const { return holder_ != nullptr; }

 private:
  std::unique_ptr<store_internal::LockHolder> holder_;
};

using FlagCallback = std::function<Status(FlagRecord const&)>;
using AuditCallback = std::function<Status(AuditEntry const&)>;
using SnapshotCallback = std::function<Status(CaseSnapshot const&)>;

class StateStore {
 public:
  virtual ~StateStore() = default;

  /// The store URL with any password redacted, for logs.
  [[nodiscard]] virtual std::string const& description() const = 0;
  /// The org whose rows this store reads and writes.
  [[nodiscard]] virtual std::string const& org() const = 0;

  /// The rows of `schema_migrations`, by version.
  virtual StatusOr<std::vector<AppliedMigration>> AppliedMigrations() = 0;

  /// Begins an explicit transaction; every call on this store joins it until it ends.
  /// kFailedPrecondition when one is already open (no nesting).
  virtual StatusOr<Transaction> Begin() = 0;

  /// Takes the org's run lock without waiting so two schedulers never run the same org at once
  /// (runs of different orgs do not exclude each other).
  /// SQLite file: an exclusive flock on `<db path>.lock` (org default) or `<db path>.<org>.lock`
  /// (released by the kernel if the process dies); in-memory SQLite: per store object;
  /// PostgreSQL: a session advisory lock (pg_try_advisory_lock on a key fixed per org, released
  /// if the session ends). The store must outlive
  /// the returned lock. When another run holds it: kAborted, vendor code "RUN_LOCK_HELD", message
  /// "another casebridge run holds the lock (since <instant>, pid <pid>, run <id>)" — the CLI
  /// prints it and exits 0. Taking it again through the store that holds it is
  /// kFailedPrecondition (kAborted for an in-memory store). On PostgreSQL it must be taken
  /// outside an explicit transaction (kFailedPrecondition). Other failures: kUnavailable.
  virtual StatusOr<RunLock> TryLock(LockOptions const& options) = 0;

  // --- Watermarks ---------------------------------------------------------------------------
  /// nullopt when nothing has been read yet for (system, object).
  virtual StatusOr<std::optional<Watermark>> GetWatermark(std::string_view system,
                                                          std::string_view object) = 0;
  /// Creates or replaces the watermark of (system, object) as given.
  virtual Status SetWatermark(Watermark const& watermark) = 0;

  // --- Action ledger ------------------------------------------------------------------------
  /// Inserts the actions whose key is not yet in the ledger (state `planned`, attempts 0,
  /// planned_at = now); existing keys keep their row untouched. Idempotent. kInvalidArgument when
  /// a key is not `<case_id>:<action_id>:<n>` (nothing is inserted then).
  virtual StatusOr<PlanResult> PlanActions(std::span<PlannedAction const> actions, Instant now) = 0;
  /// `written` with the remote id, attempts+1, error cleared. kNotFound for an unknown key.
  /// Marking an already written action again just updates the remote id.
  virtual Status MarkWritten(std::string_view key, std::string_view remote_id, Instant now) = 0;
  /// `failed` with the reason (truncated to 2000 bytes), attempts+1. kNotFound for an unknown
  /// key; kFailedPrecondition for a written action (a write is never undone by a later failure).
  virtual Status MarkFailed(std::string_view key, std::string_view reason, Instant now) = 0;
  /// MarkWritten / MarkFailed for a whole batch, atomically (any error leaves all rows as before).
  virtual Status RecordWriteResults(std::span<WriteResult const> results, Instant now) = 0;
  /// Write-ahead note that a write of these rows is about to be sent: `note` becomes their
  /// last_error until their result is recorded; state and attempts are unchanged, written rows
  /// and unknown keys are left alone. A row still `planned` with a last_error was sent by a run
  /// that did not learn the outcome, so it may have reached the server; a `planned` row without
  /// one never left casebridge. All rows atomically.
  virtual Status MarkSending(std::span<std::string const> keys, std::string_view note,
                             Instant now) = 0;
  /// Ledger rows matching `query` (see ActionQuery), ordered by key.
  virtual StatusOr<std::vector<LedgerEntry>> ListActions(ActionQuery const& query) = 0;
  /// The rows of the given keys that exist, in the order of `keys` (unknown keys are skipped).
  virtual StatusOr<std::vector<LedgerEntry>> GetActions(std::span<std::string const> keys) = 0;
  /// Every row of action `action_id` of the given cases, ordered by case id and n.
  virtual StatusOr<std::vector<LedgerEntry>> ListCaseActions(std::span<std::string const> case_ids,
                                                             std::string_view action_id) = 0;

  // --- Flags --------------------------------------------------------------------------------
  /// For each case: deletes all its flags and inserts the given ones, all cases atomically.
  /// kInvalidArgument when a flag's case_id differs from its CaseFlags; kFailedPrecondition when
  /// the database rejects a row (e.g. an unknown status).
  virtual Status ReplaceCaseFlags(std::span<CaseFlags const> cases, Instant now) = 0;
  /// The flags of one case in the order they were stored.
  virtual StatusOr<std::vector<FlagRecord>> GetCaseFlags(std::string_view case_id) = 0;
  /// Streams the flags matching `query` to `on_flag`, one row at a time (memory use does not
  /// grow with the number of rows). The FlagRecord passed is reused between calls: copy what
  /// must outlive the call. A non-OK status from `on_flag` stops the stream and is returned.
  virtual Status ForEachFlag(FlagQuery const& query, FlagCallback const& on_flag) = 0;

  // --- Tracked cases / re-evaluation schedule ------------------------------------------------
  /// Creates or replaces each (system, case_id): modstamp and next_check as given.
  virtual Status UpsertTrackedCases(std::span<TrackedCase const> cases, Instant now) = 0;
  /// Sets (or clears, with nullopt) only the next check of a case, creating its row (with an
  /// empty modstamp) if it is not tracked yet.
  virtual Status SetNextCheck(std::string_view system, std::string_view case_id,
                              std::optional<Instant> next_check, Instant now) = 0;
  /// The tracked rows of the given case ids of `system` that exist, in the order of `case_ids`.
  virtual StatusOr<std::vector<TrackedCase>> GetTrackedCases(
      std::string_view system, std::span<std::string const> case_ids) = 0;
  /// Cases (any system) whose next_check <= now, earliest first (ties by system, case id), at
  /// most `limit`. Uses an index on next_check: cost grows with the answer, not with the number
  /// of tracked cases.
  virtual StatusOr<std::vector<TrackedCase>> ListDueCases(Instant now, std::size_t limit) = 0;

  // --- Forge records that refer to Salesforce ------------------------------------------------
  /// Creates or replaces each (kind, forge_id), atomically. kInvalidArgument for an empty kind,
  /// Forge id or ref.
  virtual Status UpsertForgeRefs(std::span<ForgeRef const> refs, Instant now) = 0;
  /// The rows of `kind` whose ref is one of `refs`, ordered by ref then Forge id.
  virtual StatusOr<std::vector<ForgeRef>> GetForgeRefs(std::string_view kind,
                                                       std::span<std::string const> refs) = 0;
  /// The rows of `kind` with one of the given Forge ids, ordered by Forge id.
  virtual StatusOr<std::vector<ForgeRef>> GetForgeRefsById(
      std::string_view kind, std::span<std::string const> forge_ids) = 0;
  /// Forgets the rows of `kind` with the given Forge ids (e.g. tickets that no longer name a
  /// case), atomically.
  virtual Status RemoveForgeRefs(std::string_view kind, std::span<std::string const> forge_ids) = 0;

  // --- Case snapshots (what `explain` and `whatif` re-evaluate) -----------------------------
  /// Creates or replaces each (system, case_id), atomically. kInvalidArgument for an empty
  /// system, case id or snapshot (nothing is written then).
  virtual Status UpsertCaseSnapshots(std::span<CaseSnapshot const> snapshots, Instant now) = 0;
  /// The stored snapshots of `case_id` in every system (usually one), ordered by system.
  virtual StatusOr<std::vector<CaseSnapshot>> GetCaseSnapshots(std::string_view case_id) = 0;
  /// Streams the snapshots matching `query` (see SnapshotQuery) in bounded memory, like
  /// ForEachFlag (the CaseSnapshot passed is reused between calls).
  virtual Status ForEachCaseSnapshot(SnapshotQuery const& query,
                                     SnapshotCallback const& on_snapshot) = 0;

  // --- Audit trail (append-only: the schema refuses updates and deletes) --------------------
  /// Appends the entries (their `id` is ignored and assigned by the store), atomically.
  virtual Status AppendAudit(std::span<AuditEntry const> entries) = 0;
  /// Streams matching entries by id, like ForEachFlag.
  virtual Status ForEachAudit(AuditQuery const& query, AuditCallback const& on_entry) = 0;

  // --- Runs -----------------------------------------------------------------------------------
  /// Records a new run. kAlreadyExists when the id is taken.
  virtual Status StartRun(RunRecord const& run) = 0;
  /// Replaces the counters of a run (progress). kNotFound for an unknown run.
  virtual Status UpdateRunCounters(std::string_view run_id, std::string_view counters) = 0;
  /// Sets status, finished time and counters. kNotFound for an unknown run.
  virtual Status FinishRun(std::string_view run_id, RunStatus status, Instant finished,
                           std::string_view counters) = 0;
  virtual StatusOr<std::optional<RunRecord>> GetRun(std::string_view run_id) = 0;
  /// The most recent runs first (by start time, then id), at most `limit`.
  virtual StatusOr<std::vector<RunRecord>> ListRuns(std::size_t limit) = 0;
  /// The run with `status` that finished last (by finished time, then id); nullopt when none.
  /// Reports state their "as of" instant with it (the end of the last successful run).
  virtual StatusOr<std::optional<RunRecord>> LastFinishedRun(RunStatus status) = 0;
  /// Marks every run still `running` other than `current_run_id` as `interrupted` (finished =
  /// now) and returns how many. Call it while holding the run lock: such runs died.
  virtual StatusOr<std::size_t> CloseAbandonedRuns(std::string_view current_run_id,
                                                   Instant now) = 0;

  // --- Checkpoints ----------------------------------------------------------------------------
  /// Creates or replaces the checkpoint named `checkpoint.name`.
  virtual Status SaveCheckpoint(Checkpoint const& checkpoint) = 0;
  /// nullopt when there is none of that name.
  virtual StatusOr<std::optional<Checkpoint>> LoadCheckpoint(std::string_view name) = 0;
  /// Removes it (no error when absent).
  virtual Status DeleteCheckpoint(std::string_view name) = 0;

  // --- Queue directory (the org's queues, so a run need not read them each time) -------------
  /// The directory of this store's org, ordered by name then queue id; empty when never stored.
  virtual StatusOr<std::vector<QueueEntry>> GetQueueDirectory() = 0;
  /// Replaces the directory of this store's org with `entries`, atomically. kInvalidArgument for
  /// an entry with neither a name nor a queue id (nothing is written then).
  virtual Status ReplaceQueueDirectory(std::span<QueueEntry const> entries) = 0;
  // --- Work shared by several workers (work_items.h) ------------------------------------------
  /// Creates the run and its items (all `pending`) unless a run of that name exists, in one
  /// transaction (concurrent callers: exactly one creates it), and returns the stored run.
  /// kFailedPrecondition when the existing run has other parameters or kind; kInvalidArgument
  /// for an empty name.
  virtual StatusOr<WorkRun> JoinWorkRun(WorkRunSpec const& spec) = 0;
  /// Leases to `worker` until now + lease the lowest-numbered item of `run_name` that is pending
  /// or whose lease ended at or before `now`. PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent
  /// claimers never get the same item. kNotFound for an unknown run.
  virtual StatusOr<WorkClaim> ClaimWorkItem(std::string_view run_name, std::string_view worker,
                                            Instant now, std::chrono::seconds lease) = 0;
  /// Extends the lease of `worker` on the item to now + lease. kAborted (vendor code
  /// "LEASE_LOST") when the item is done or leased to another worker.
  virtual Status RenewWorkLease(std::string_view run_name, std::int64_t item,
                                std::string_view worker, Instant now,
                                std::chrono::seconds lease) = 0;
  /// Marks the item done and advances the run's done prefix (the run row is locked while it is
  /// computed, so concurrent completions never move it back), atomically; join an explicit
  /// Transaction to commit it with the work's own checkpoint. Done by whoever finishes first:
  /// an item another worker claimed meanwhile is still marked done (lease_was_lost). kNotFound
  /// for an unknown run or item.
  virtual StatusOr<WorkProgress> CompleteWorkItem(std::string_view run_name, std::int64_t item,
                                                  std::string_view worker, Instant now) = 0;
  /// nullopt when there is no run of that name.
  virtual StatusOr<std::optional<WorkRun>> GetWorkRun(std::string_view run_name) = 0;
};

/// The org of a single-org config, and of every row written before orgs existed.
inline constexpr std::string_view kDefaultOrg = "default";

/// Opens (creating the SQLite file if needed) and migrates the store named by `url` (see the
/// file comment), scoped to `org`. kInvalidArgument for an unsupported URL or an empty org;
/// kUnavailable when the database cannot be reached; kFailedPrecondition when its schema is
/// newer than this build knows.
StatusOr<std::unique_ptr<StateStore>> OpenStateStore(std::string const& url,
                                                     std::string_view org = kDefaultOrg);

/// For a `sqlite:PATH` URL, checks without creating the database that PATH can hold it: an
/// existing PATH must be a regular file this user can read and write; otherwise its directory
/// must exist and accept a new file (probed by creating and removing a temporary file, so
/// read-only and pseudo file systems are found even for root). OK for sqlite::memory: and
/// other URLs. kInvalidArgument naming the path and the reason. For `check-config`.
Status CheckSqliteLocation(std::string_view url);

/// The URL with the password (userinfo or `password=` parameter) replaced by "***".
std::string RedactStoreUrl(std::string_view url);

}  // namespace casebridge::store
