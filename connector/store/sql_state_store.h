// Internal: the StateStore written once over SqlConnection, for SQLite and PostgreSQL alike.
#pragma once

#include <memory>
#include <string>

#include "connector/store/run_locker.h"
#include "connector/store/sql_connection.h"
#include "connector/store/state_store.h"

namespace casebridge::store::store_internal {

class SqlStateStore final : public StateStore, private TransactionDriver {
 public:
  /// `conn` must already be migrated. Every row read or written is org `org`'s.
  SqlStateStore(std::shared_ptr<SqlConnection> conn, std::string description,
                std::unique_ptr<RunLocker> locker, std::string org);
  ~SqlStateStore() override = default;
  SqlStateStore(SqlStateStore const&) = delete;
  SqlStateStore& operator=(SqlStateStore const&) = delete;

  [[nodiscard]] std::string const& description() const override { return description_; }
  [[nodiscard]] std::string const& org() const override { return org_; }
  StatusOr<std::vector<AppliedMigration>> AppliedMigrations() override;
  StatusOr<Transaction> Begin() override;
  StatusOr<RunLock> TryLock(LockOptions const& options) override;

  StatusOr<std::optional<Watermark>> GetWatermark(std::string_view system,
                                                  std::string_view object) override;
  Status SetWatermark(Watermark const& watermark) override;

  StatusOr<PlanResult> PlanActions(std::span<PlannedAction const> actions, Instant now) override;
  Status MarkWritten(std::string_view key, std::string_view remote_id, Instant now) override;
  Status MarkFailed(std::string_view key, std::string_view reason, Instant now) override;
  Status RecordWriteResults(std::span<WriteResult const> results, Instant now) override;
  Status MarkSending(std::span<std::string const> keys, std::string_view note,
                     Instant now) override;
  StatusOr<std::vector<LedgerEntry>> ListActions(ActionQuery const& query) override;
  StatusOr<std::vector<LedgerEntry>> GetActions(std::span<std::string const> keys) override;
  StatusOr<std::vector<LedgerEntry>> ListCaseActions(std::span<std::string const> case_ids,
                                                     std::string_view action_id) override;
  Status UpsertForgeRefs(std::span<ForgeRef const> refs, Instant now) override;
  Status UpsertCaseSnapshots(std::span<CaseSnapshot const> snapshots, Instant now) override;
  StatusOr<std::vector<CaseSnapshot>> GetCaseSnapshots(std::string_view case_id) override;
  Status ForEachCaseSnapshot(SnapshotQuery const& query,
                             SnapshotCallback const& on_snapshot) override;
  StatusOr<std::vector<ForgeRef>> GetForgeRefs(std::string_view kind,
                                               std::span<std::string const> refs) override;
  StatusOr<std::vector<ForgeRef>> GetForgeRefsById(std::string_view kind,
                                                   std::span<std::string const> forge_ids) override;
  Status RemoveForgeRefs(std::string_view kind, std::span<std::string const> forge_ids) override;

  Status ReplaceCaseFlags(std::span<CaseFlags const> cases, Instant now) override;
  StatusOr<std::vector<FlagRecord>> GetCaseFlags(std::string_view case_id) override;
  Status ForEachFlag(FlagQuery const& query, FlagCallback const& on_flag) override;

  Status UpsertTrackedCases(std::span<TrackedCase const> cases, Instant now) override;
  Status SetNextCheck(std::string_view system, std::string_view case_id,
                      std::optional<Instant> next_check, Instant now) override;
  StatusOr<std::vector<TrackedCase>> GetTrackedCases(
      std::string_view system, std::span<std::string const> case_ids) override;
  StatusOr<std::vector<TrackedCase>> ListDueCases(Instant now, std::size_t limit) override;

  Status AppendAudit(std::span<AuditEntry const> entries) override;
  Status ForEachAudit(AuditQuery const& query, AuditCallback const& on_entry) override;

  Status StartRun(RunRecord const& run) override;
  Status UpdateRunCounters(std::string_view run_id, std::string_view counters) override;
  Status FinishRun(std::string_view run_id, RunStatus status, Instant finished,
                   std::string_view counters) override;
  StatusOr<std::optional<RunRecord>> GetRun(std::string_view run_id) override;
  StatusOr<std::vector<RunRecord>> ListRuns(std::size_t limit) override;
  StatusOr<std::optional<RunRecord>> LastFinishedRun(RunStatus status) override;
  StatusOr<std::size_t> CloseAbandonedRuns(std::string_view current_run_id, Instant now) override;

  Status SaveCheckpoint(Checkpoint const& checkpoint) override;
  StatusOr<std::optional<Checkpoint>> LoadCheckpoint(std::string_view name) override;
  Status DeleteCheckpoint(std::string_view name) override;

  StatusOr<std::vector<QueueEntry>> GetQueueDirectory() override;
  Status ReplaceQueueDirectory(std::span<QueueEntry const> entries) override;
  // Shared work items (sql_work_items.cc).
  StatusOr<WorkRun> JoinWorkRun(WorkRunSpec const& spec) override;
  StatusOr<WorkClaim> ClaimWorkItem(std::string_view run_name, std::string_view worker, Instant now,
                                    std::chrono::seconds lease) override;
  Status RenewWorkLease(std::string_view run_name, std::int64_t item, std::string_view worker,
                        Instant now, std::chrono::seconds lease) override;
  StatusOr<WorkProgress> CompleteWorkItem(std::string_view run_name, std::int64_t item,
                                          std::string_view worker, Instant now) override;
  StatusOr<std::optional<WorkRun>> GetWorkRun(std::string_view run_name) override;

 private:
  Status CommitTransaction() override;
  Status RollbackTransaction() override;
  [[nodiscard]] bool TransactionActive() const override { return in_transaction_; }
  StatusOr<std::vector<ForgeRef>> ForgeRefsWhere(std::string_view column, std::string_view kind,
                                                 std::span<std::string const> values);

  /// Fails while a streaming callback is running (re-entrant use of the connection).
  [[nodiscard]] Status CheckIdle() const;
  /// Runs `body` atomically: in its own transaction, or as a savepoint of the explicit one.
  Status Atomically(std::function<Status()> const& body);
  /// Runs a read; inside an explicit PostgreSQL transaction as a savepoint, so that a failed
  /// read does not poison the transaction.
  Status Reading(std::function<Status()> const& body);
  /// Marks one ledger row written / failed (inside Atomically).
  Status ApplyWriteResult(WriteResult const& result, Instant now);
  /// The run's row (sql_work_items.cc); `lock`: FOR UPDATE on PostgreSQL.
  StatusOr<std::optional<WorkRun>> ReadWorkRun(std::string_view run_name, bool lock);
  /// Items not done, and the earliest lease end of the claimed ones (sql_work_items.cc).
  Status CountOpenItems(std::string_view run_name, WorkClaim& claim);

  std::shared_ptr<SqlConnection> conn_;
  std::string description_;
  std::unique_ptr<RunLocker> locker_;
  bool in_transaction_ = false;
  bool streaming_ = false;
  std::string org_;
};

}  // namespace casebridge::store::store_internal
