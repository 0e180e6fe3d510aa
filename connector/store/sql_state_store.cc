#include "connector/store/sql_state_store.h"

#include <algorithm>
#include <limits>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace casebridge::store::store_internal {
namespace {

// Ids per `IN (...)` list and rows per multi-row INSERT: keeps statements well under both
// engines' parameter limits while cutting round trips.
constexpr std::size_t kInChunk = 100;
constexpr std::size_t kFlagRowsPerInsert = 250;
constexpr std::size_t kMaxErrorBytes = 2000;

std::string Placeholders(std::size_t n) {
  std::string out;
  out.reserve(n * 3);
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

SqlValue Limit(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return SqlValue(static_cast<std::int64_t>(std::min(limit, kMax)));
}

std::string_view Truncated(std::string_view text) {
  if (text.size() <= kMaxErrorBytes) return text;
  std::size_t n = kMaxErrorBytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
  return text.substr(0, n);
}

Status ToStatus(StatusOr<std::int64_t> const& r) { return r.ok() ? OkStatus() : r.status(); }

// --- Ledger -----------------------------------------------------------------------------------

constexpr char const* kLedgerColumns =
    "action_key, case_id, action_id, n, rule_id, kind, target_system, due_at, payload, "
    "evidence, state, remote_id, attempts, last_error, planned_at, written_at, updated_at";

LedgerEntry ReadLedger(SqlRow const& row) {
  LedgerEntry e;
  e.action.key = row.String(0);
  e.action.case_id = row.String(1);
  e.action.action_id = row.String(2);
  e.action.n = row.Int(3);
  e.action.rule_id = row.String(4);
  e.action.kind = row.String(5);
  e.action.target_system = row.String(6);
  e.action.due = row.OptTime(7);
  e.action.payload = row.String(8);
  e.action.evidence = row.String(9);
  e.state = ParseActionState(row.Text(10)).value_or(ActionState::kPlanned);
  e.remote_id = row.String(11);
  e.attempts = row.Int(12);
  e.last_error = row.String(13);
  e.planned_at = row.Time(14);
  e.written_at = row.OptTime(15);
  e.updated_at = row.Time(16);
  return e;
}

Status ValidateAction(PlannedAction const& a) {
  if (a.case_id.empty() || a.action_id.empty() || a.n < 1) {
    return InvalidArgumentError("ledger: action '" + a.key +
                                "' needs a case id, an action id and n >= 1");
  }
  std::string const expected = a.case_id + ":" + a.action_id + ":" + std::to_string(a.n);
  if (a.key != expected) {
    return InvalidArgumentError("ledger: action key '" + a.key + "' is not '" + expected +
                                "' (<case id>:<action id>:<n>)");
  }
  return OkStatus();
}

// --- Flags ------------------------------------------------------------------------------------

constexpr char const* kFlagColumns =
    "case_id, case_number, source_system, rule_id, started, due, met_at, status, late_minutes, "
    "evidence, owner, installer, tier, updated_at, subject, owner_name, installer_name, queue, "
    "record_url";
constexpr std::size_t kFlagInsertColumns = 21;  // kFlagColumns + seq + org

void ReadFlag(SqlRow const& row, FlagRecord& f) {
  // assign() reuses the strings' capacity: streaming does not allocate per row once warm.
  f.case_id.assign(row.Text(0));
  f.case_number.assign(row.Text(1));
  f.source_system.assign(row.Text(2));
  f.rule_id.assign(row.Text(3));
  f.started = row.Time(4);
  f.due = row.OptTime(5);
  f.met_at = row.OptTime(6);
  f.status.assign(row.Text(7));
  f.late_minutes = row.OptInt(8);
  f.evidence.assign(row.Text(9));
  f.owner.assign(row.Text(10));
  f.installer.assign(row.Text(11));
  f.tier = row.IsNull(12) ? std::nullopt : std::optional<int>(static_cast<int>(row.Int(12)));
  f.updated_at = row.Time(13);
  f.subject.assign(row.Text(14));
  f.owner_name.assign(row.Text(15));
  f.installer_name.assign(row.Text(16));
  f.queue.assign(row.Text(17));
  f.record_url.assign(row.Text(18));
}

std::string FlagInsertSql(std::size_t rows) {
  std::string sql =
      "INSERT INTO case_flags (org, case_id, seq, case_number, source_system, rule_id, started, "
      "due, "
      "met_at, status, late_minutes, evidence, owner, installer, tier, updated_at, subject, "
      "owner_name, installer_name, queue, record_url) VALUES ";
  std::string const row = "(" + Placeholders(kFlagInsertColumns) + ")";
  for (std::size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ", ";
    sql += row;
  }
  return sql;
}

// --- Tracked cases ----------------------------------------------------------------------------

constexpr char const* kTrackedColumns = "system, case_id, modstamp, next_check, updated_at";

TrackedCase ReadTracked(SqlRow const& row) {
  TrackedCase t;
  t.system = row.String(0);
  t.case_id = row.String(1);
  t.modstamp = row.String(2);
  t.next_check = row.OptTime(3);
  t.updated_at = row.Time(4);
  return t;
}

// --- Audit ------------------------------------------------------------------------------------

std::string_view AuditResultName(AuditResult r) { return r == AuditResult::kOk ? "ok" : "failed"; }

void ReadAudit(SqlRow const& row, AuditEntry& e) {
  e.id = row.Int(0);
  e.run_id.assign(row.Text(1));
  e.at = row.Time(2);
  e.action_key.assign(row.Text(3));
  e.kind.assign(row.Text(4));
  e.target.assign(row.Text(5));
  e.rule_id.assign(row.Text(6));
  e.evidence.assign(row.Text(7));
  e.result = row.Text(8) == "ok" ? AuditResult::kOk : AuditResult::kFailed;
  e.reason.assign(row.Text(9));
}

// --- Runs and checkpoints ---------------------------------------------------------------------

constexpr char const* kRunColumns = "run_id, kind, started_at, finished_at, status, counters";

RunRecord ReadRun(SqlRow const& row) {
  RunRecord r;
  r.run_id = row.String(0);
  r.kind = ParseRunKind(row.Text(1)).value_or(RunKind::kSync);
  r.started = row.Time(2);
  r.finished = row.OptTime(3);
  r.status = ParseRunStatus(row.Text(4)).value_or(RunStatus::kFailed);
  r.counters = row.String(5);
  return r;
}

constexpr char const* kCheckpointColumns =
    "name, run_id, range_from, range_to, last_modstamp, last_id, chunk, completed, data, "
    "updated_at";

Checkpoint ReadCheckpoint(SqlRow const& row) {
  Checkpoint c;
  c.name = row.String(0);
  c.run_id = row.String(1);
  c.range_from = row.Time(2);
  c.range_to = row.Time(3);
  c.last_modstamp = row.String(4);
  c.last_id = row.String(5);
  c.chunk = row.Int(6);
  c.completed = row.Int(7) != 0;
  c.data = row.String(8);
  c.updated_at = row.Time(9);
  return c;
}

/// Sets a flag for the lifetime of the guard.
class FlagGuard {
 public:
  explicit FlagGuard(bool& flag) : flag_(flag) { flag_ = true; }
  ~FlagGuard() { flag_ = false; }
  FlagGuard(FlagGuard const&) = delete;
  FlagGuard& operator=(FlagGuard const&) = delete;

 private:
  bool& flag_;
};

}  // namespace

SqlStateStore::SqlStateStore(std::shared_ptr<SqlConnection> conn, std::string description,
                             std::unique_ptr<RunLocker> locker, std::string org)
    : conn_(std::move(conn)),
      description_(std::move(description)),
      locker_(std::move(locker)),
      org_(std::move(org)) {}

// --- Transactions -----------------------------------------------------------------------------

Status SqlStateStore::CheckIdle() const {
  if (streaming_) {
    return FailedPreconditionError(
        "state store: a streaming callback must not call back into the same store");
  }
  return OkStatus();
}

Status SqlStateStore::Atomically(std::function<Status()> const& body) {
  if (Status idle = CheckIdle(); !idle.ok()) return idle;
  if (in_transaction_) {
    if (Status sp = conn_->ExecScript("SAVEPOINT cb_op"); !sp.ok()) return sp;
    Status s = body();
    if (!s.ok()) (void)conn_->ExecScript("ROLLBACK TO SAVEPOINT cb_op");
    Status released = conn_->ExecScript("RELEASE SAVEPOINT cb_op");
    return s.ok() ? released : s;
  }
  if (Status begun = conn_->ExecScript(DialectBeginSql(conn_->dialect())); !begun.ok()) {
    return begun;
  }
  Status s = body();
  if (s.ok()) {
    s = conn_->ExecScript("COMMIT");
    if (s.ok()) return s;
  }
  (void)conn_->ExecScript("ROLLBACK");
  return s;
}

Status SqlStateStore::Reading(std::function<Status()> const& body) {
  if (Status idle = CheckIdle(); !idle.ok()) return idle;
  if (!in_transaction_ || conn_->dialect() != Dialect::kPostgres) return body();
  if (Status sp = conn_->ExecScript("SAVEPOINT cb_read"); !sp.ok()) return sp;
  Status s = body();
  if (!s.ok()) (void)conn_->ExecScript("ROLLBACK TO SAVEPOINT cb_read");
  Status released = conn_->ExecScript("RELEASE SAVEPOINT cb_read");
  return s.ok() ? released : s;
}

StatusOr<Transaction> SqlStateStore::Begin() {
  if (Status idle = CheckIdle(); !idle.ok()) return idle;
  if (in_transaction_) {
    return FailedPreconditionError("state store: a transaction is already open on this store");
  }
  if (Status s = conn_->ExecScript(DialectBeginSql(conn_->dialect())); !s.ok()) return s;
  in_transaction_ = true;
  return Transaction(this);
}

Status SqlStateStore::CommitTransaction() {
  if (Status idle = CheckIdle(); !idle.ok()) return idle;
  if (!in_transaction_) return FailedPreconditionError("state store: no open transaction");
  in_transaction_ = false;
  Status s = conn_->ExecScript("COMMIT");
  if (!s.ok()) (void)conn_->ExecScript("ROLLBACK");
  return s;
}

Status SqlStateStore::RollbackTransaction() {
  if (Status idle = CheckIdle(); !idle.ok()) return idle;
  if (!in_transaction_) return FailedPreconditionError("state store: no open transaction");
  in_transaction_ = false;
  return conn_->ExecScript("ROLLBACK");
}

StatusOr<RunLock> SqlStateStore::TryLock(LockOptions const& options) {
  if (Status idle = CheckIdle(); !idle.ok()) return idle;
  if (in_transaction_ && conn_->dialect() == Dialect::kPostgres) {
    return FailedPreconditionError("state store: take the run lock before beginning a transaction");
  }
  return locker_->TryLock(options);
}

StatusOr<std::vector<AppliedMigration>> SqlStateStore::AppliedMigrations() {
  std::vector<AppliedMigration> out;
  Status s = Reading([&] {
    return ToStatus(
        conn_->Execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
                       {}, [&out](SqlRow const& row) {
                         out.push_back({static_cast<int>(row.Int(0)), row.String(1), row.Time(2)});
                         return OkStatus();
                       }));
  });
  if (!s.ok()) return s;
  return out;
}

// --- Watermarks -------------------------------------------------------------------------------

StatusOr<std::optional<Watermark>> SqlStateStore::GetWatermark(std::string_view system,
                                                               std::string_view object) {
  std::optional<Watermark> out;
  Status s = Reading([&] {
    return ToStatus(
        conn_->Execute("SELECT modstamp, last_id, updated_at FROM watermarks "
                       "WHERE org = ? AND system = ? AND object = ?",
                       {org_, system, object}, [&](SqlRow const& row) {
                         out = Watermark{std::string(system), std::string(object), row.String(0),
                                         row.String(1), row.Time(2)};
                         return OkStatus();
                       }));
  });
  if (!s.ok()) return s;
  return out;
}

Status SqlStateStore::SetWatermark(Watermark const& w) {
  if (w.system.empty() || w.object.empty()) {
    return InvalidArgumentError("watermark: system and object are required");
  }
  return Atomically([&] {
    return ToStatus(conn_->Execute(
        "INSERT INTO watermarks (org, system, object, modstamp, last_id, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org, system, object) DO UPDATE SET "
        "modstamp = excluded.modstamp, last_id = excluded.last_id, "
        "updated_at = excluded.updated_at",
        {org_, w.system, w.object, w.modstamp, w.last_id, SqlValue::Time(w.updated_at)}));
  });
}

// --- Action ledger ----------------------------------------------------------------------------

StatusOr<PlanResult> SqlStateStore::PlanActions(std::span<PlannedAction const> actions,
                                                Instant now) {
  for (auto const& a : actions) {
    if (Status v = ValidateAction(a); !v.ok()) return v;
  }
  PlanResult result;
  Status s = Atomically([&] {
    result = PlanResult{};
    for (auto const& a : actions) {
      auto r = conn_->Execute(
          "INSERT INTO action_ledger (org, action_key, case_id, action_id, n, rule_id, kind, "
          "target_system, due_at, payload, evidence, state, attempts, planned_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?) "
          "ON CONFLICT (org, action_key) DO NOTHING",
          {org_, a.key, a.case_id, a.action_id, SqlValue(a.n), a.rule_id, a.kind, a.target_system,
           SqlValue::Time(a.due), a.payload, a.evidence, SqlValue::Time(now), SqlValue::Time(now)});
      if (!r.ok()) return r.status();
      if (*r > 0) {
        result.new_keys.push_back(a.key);
      } else {
        ++result.already_known;
      }
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

Status SqlStateStore::ApplyWriteResult(WriteResult const& result, Instant now) {
  if (result.ok) {
    auto r = conn_->Execute(
        "UPDATE action_ledger SET "
        "attempts = CASE WHEN state = 'written' THEN attempts ELSE attempts + 1 END, "
        "written_at = CASE WHEN state = 'written' THEN written_at ELSE CAST(? AS BIGINT) END, "
        "state = 'written', remote_id = ?, last_error = NULL, updated_at = ? "
        "WHERE org = ? AND action_key = ?",
        {SqlValue::Time(now), result.remote_id, SqlValue::Time(now), org_, result.key});
    if (!r.ok()) return r.status();
    if (*r == 0) return NotFoundError("ledger: no action with key '" + result.key + "'");
    return OkStatus();
  }
  auto r = conn_->Execute(
      "UPDATE action_ledger SET state = 'failed', attempts = attempts + 1, last_error = ?, "
      "updated_at = ? WHERE org = ? AND action_key = ? AND state <> 'written'",
      {Truncated(result.error), SqlValue::Time(now), org_, result.key});
  if (!r.ok()) return r.status();
  if (*r > 0) return OkStatus();
  bool exists = false;
  auto q = conn_->Execute("SELECT 1 FROM action_ledger WHERE org = ? AND action_key = ?",
                          {org_, result.key}, [&exists](SqlRow const&) {
                            exists = true;
                            return OkStatus();
                          });
  if (!q.ok()) return q.status();
  if (!exists) return NotFoundError("ledger: no action with key '" + result.key + "'");
  return FailedPreconditionError("ledger: action '" + result.key +
                                 "' is already written; a later failure cannot undo it");
}

Status SqlStateStore::MarkWritten(std::string_view key, std::string_view remote_id, Instant now) {
  WriteResult const r{std::string(key), true, std::string(remote_id), {}};
  return RecordWriteResults(std::span<WriteResult const>(&r, 1), now);
}

Status SqlStateStore::MarkFailed(std::string_view key, std::string_view reason, Instant now) {
  WriteResult const r{std::string(key), false, {}, std::string(reason)};
  return RecordWriteResults(std::span<WriteResult const>(&r, 1), now);
}

Status SqlStateStore::RecordWriteResults(std::span<WriteResult const> results, Instant now) {
  return Atomically([&] {
    for (auto const& r : results) {
      if (Status s = ApplyWriteResult(r, now); !s.ok()) return s;
    }
    return OkStatus();
  });
}

Status SqlStateStore::MarkSending(std::span<std::string const> keys, std::string_view note,
                                  Instant now) {
  return Atomically([&] {
    for (auto const& key : keys) {
      auto r = conn_->Execute(
          "UPDATE action_ledger SET last_error = ?, updated_at = ? "
          "WHERE org = ? AND action_key = ? AND state <> 'written'",
          {Truncated(note), SqlValue::Time(now), org_, key});
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
}

StatusOr<std::vector<LedgerEntry>> SqlStateStore::ListActions(ActionQuery const& query) {
  if (query.states.empty()) {
    return InvalidArgumentError("ledger: ListActions needs at least one state");
  }
  std::vector<LedgerEntry> out;
  if (query.limit == 0) return out;
  std::string sql = std::string("SELECT ") + kLedgerColumns +
                    " FROM action_ledger WHERE org = ? AND state IN (" +
                    Placeholders(query.states.size()) + ") AND action_key > ?";
  std::vector<SqlValue> params{SqlValue(org_)};
  for (ActionState st : query.states) params.emplace_back(ActionStateName(st));
  params.emplace_back(query.after_key);
  if (query.max_attempts) {
    sql += " AND attempts < ?";
    params.emplace_back(*query.max_attempts);
  }
  if (!query.target_system.empty()) {
    sql += " AND target_system = ?";
    params.emplace_back(query.target_system);
  }
  sql += " ORDER BY action_key LIMIT ?";
  params.push_back(Limit(query.limit));
  Status s = Reading([&] {
    return ToStatus(conn_->Execute(sql, params, [&out](SqlRow const& row) {
      out.push_back(ReadLedger(row));
      return OkStatus();
    }));
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<LedgerEntry>> SqlStateStore::GetActions(std::span<std::string const> keys) {
  std::unordered_map<std::string, LedgerEntry> found;
  Status s = Reading([&] {
    for (std::size_t i = 0; i < keys.size(); i += kInChunk) {
      std::size_t const n = std::min(kInChunk, keys.size() - i);
      std::string const sql = std::string("SELECT ") + kLedgerColumns +
                              " FROM action_ledger WHERE org = ? AND action_key IN (" +
                              Placeholders(n) + ")";
      std::vector<SqlValue> params{SqlValue(org_)};
      params.insert(params.end(), keys.begin() + static_cast<std::ptrdiff_t>(i),
                    keys.begin() + static_cast<std::ptrdiff_t>(i + n));
      auto r = conn_->Execute(
          sql, params,
          [&found](SqlRow const& row) {
            LedgerEntry e = ReadLedger(row);
            std::string key = e.action.key;
            found.emplace(std::move(key), std::move(e));
            return OkStatus();
          },
          /*cache=*/n == kInChunk);
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  std::vector<LedgerEntry> out;
  for (auto const& key : keys) {
    auto node = found.extract(key);
    if (!node.empty()) out.push_back(std::move(node.mapped()));
  }
  return out;
}

StatusOr<std::vector<LedgerEntry>> SqlStateStore::ListCaseActions(
    std::span<std::string const> case_ids, std::string_view action_id) {
  std::vector<LedgerEntry> out;
  Status s = Reading([&] {
    for (std::size_t i = 0; i < case_ids.size(); i += kInChunk) {
      std::size_t const n = std::min(kInChunk, case_ids.size() - i);
      std::string const sql =
          std::string("SELECT ") + kLedgerColumns +
          " FROM action_ledger WHERE org = ? AND action_id = ? AND case_id IN (" + Placeholders(n) +
          ")";
      std::vector<SqlValue> params;
      params.reserve(n + 2);
      params.emplace_back(org_);
      params.emplace_back(action_id);
      for (std::size_t j = i; j < i + n; ++j) params.emplace_back(case_ids[j]);
      auto r = conn_->Execute(
          sql, params,
          [&out](SqlRow const& row) {
            out.push_back(ReadLedger(row));
            return OkStatus();
          },
          /*cache=*/n == kInChunk);
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), [](LedgerEntry const& a, LedgerEntry const& b) {
    return std::tie(a.action.case_id, a.action.n) < std::tie(b.action.case_id, b.action.n);
  });
  return out;
}

// --- Forge references ---------------------------------------------------------------------------

Status SqlStateStore::UpsertForgeRefs(std::span<ForgeRef const> refs, Instant now) {
  for (auto const& r : refs) {
    if (r.kind.empty() || r.forge_id.empty() || r.ref.empty()) {
      return InvalidArgumentError("forge ref: kind, Forge id and ref are required");
    }
  }
  return Atomically([&] {
    for (auto const& r : refs) {
      auto done = conn_->Execute(
          "INSERT INTO forge_refs (org, kind, forge_id, ref, ticket_id, customer_id, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, kind, forge_id) DO UPDATE SET "
          "ref = excluded.ref, ticket_id = excluded.ticket_id, "
          "customer_id = excluded.customer_id, updated_at = excluded.updated_at",
          {org_, r.kind, r.forge_id, r.ref, r.ticket_id, r.customer_id, SqlValue::Time(now)});
      if (!done.ok()) return done.status();
    }
    return OkStatus();
  });
}

StatusOr<std::vector<ForgeRef>> SqlStateStore::GetForgeRefs(std::string_view kind,
                                                            std::span<std::string const> refs) {
  auto out = ForgeRefsWhere("ref", kind, refs);
  if (!out.ok()) return out;
  std::sort(out->begin(), out->end(), [](ForgeRef const& a, ForgeRef const& b) {
    return std::tie(a.ref, a.forge_id) < std::tie(b.ref, b.forge_id);
  });
  return out;
}

StatusOr<std::vector<ForgeRef>> SqlStateStore::GetForgeRefsById(
    std::string_view kind, std::span<std::string const> forge_ids) {
  auto out = ForgeRefsWhere("forge_id", kind, forge_ids);
  if (!out.ok()) return out;
  std::sort(out->begin(), out->end(),
            [](ForgeRef const& a, ForgeRef const& b) { return a.forge_id < b.forge_id; });
  return out;
}

Status SqlStateStore::RemoveForgeRefs(std::string_view kind,
                                      std::span<std::string const> forge_ids) {
  return Atomically([&] {
    for (std::size_t i = 0; i < forge_ids.size(); i += kInChunk) {
      std::size_t const n = std::min(kInChunk, forge_ids.size() - i);
      std::vector<SqlValue> params;
      params.reserve(n + 2);
      params.emplace_back(org_);
      params.emplace_back(kind);
      for (std::size_t j = i; j < i + n; ++j) params.emplace_back(forge_ids[j]);
      auto r =
          conn_->Execute("DELETE FROM forge_refs WHERE org = ? AND kind = ? AND forge_id IN (" +
                             Placeholders(n) + ")",
                         params);
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
}

// The forge_refs rows of `kind` whose `column` (ref or forge_id) is one of `values`.
StatusOr<std::vector<ForgeRef>> SqlStateStore::ForgeRefsWhere(std::string_view column,
                                                              std::string_view kind,
                                                              std::span<std::string const> values) {
  std::vector<ForgeRef> out;
  Status s = Reading([&] {
    for (std::size_t i = 0; i < values.size(); i += kInChunk) {
      std::size_t const n = std::min(kInChunk, values.size() - i);
      std::string const sql =
          "SELECT kind, forge_id, ref, ticket_id, customer_id FROM forge_refs "
          "WHERE org = ? AND kind = ? AND " +
          std::string(column) + " IN (" + Placeholders(n) + ")";
      std::vector<SqlValue> params;
      params.reserve(n + 2);
      params.emplace_back(org_);
      params.emplace_back(kind);
      for (std::size_t j = i; j < i + n; ++j) params.emplace_back(values[j]);
      auto r = conn_->Execute(
          sql, params,
          [&out](SqlRow const& row) {
            out.push_back(ForgeRef{row.String(0), row.String(1), row.String(2), row.String(3),
                                   row.String(4)});
            return OkStatus();
          },
          /*cache=*/n == kInChunk);
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// --- Case snapshots ---------------------------------------------------------------------------

Status SqlStateStore::UpsertCaseSnapshots(std::span<CaseSnapshot const> snapshots, Instant now) {
  for (auto const& c : snapshots) {
    if (c.system.empty() || c.case_id.empty() || c.snapshot.empty()) {
      return InvalidArgumentError("case snapshot: system, case id and snapshot are required");
    }
  }
  return Atomically([&] {
    for (auto const& c : snapshots) {
      auto done = conn_->Execute(
          "INSERT INTO case_snapshots (org, system, case_id, created_at, snapshot, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org, system, case_id) DO UPDATE SET "
          "created_at = excluded.created_at, snapshot = excluded.snapshot, "
          "updated_at = excluded.updated_at",
          {org_, c.system, c.case_id, SqlValue::Time(c.created_at), c.snapshot,
           SqlValue::Time(now)});
      if (!done.ok()) return done.status();
    }
    return OkStatus();
  });
}

namespace {

constexpr char const* kSnapshotColumns = "system, case_id, created_at, snapshot, updated_at";

void ReadSnapshot(SqlRow const& row, CaseSnapshot& out) {
  out.system = row.String(0);
  out.case_id = row.String(1);
  out.created_at = row.Time(2);
  out.snapshot = row.String(3);
  out.updated_at = row.Time(4);
}

}  // namespace

StatusOr<std::vector<CaseSnapshot>> SqlStateStore::GetCaseSnapshots(std::string_view case_id) {
  std::vector<CaseSnapshot> out;
  Status s = Reading([&] {
    return ToStatus(
        conn_->Execute(std::string("SELECT ") + kSnapshotColumns +
                           " FROM case_snapshots WHERE org = ? AND case_id = ? ORDER BY system",
                       {org_, case_id}, [&out](SqlRow const& row) {
                         ReadSnapshot(row, out.emplace_back());
                         return OkStatus();
                       }));
  });
  if (!s.ok()) return s;
  return out;
}

Status SqlStateStore::ForEachCaseSnapshot(SnapshotQuery const& query,
                                          SnapshotCallback const& on_snapshot) {
  CaseSnapshot record;
  return Reading([&] {
    FlagGuard streaming(streaming_);
    return ToStatus(conn_->Execute(
        std::string("SELECT ") + kSnapshotColumns +
            " FROM case_snapshots WHERE org = ? AND created_at >= ? AND created_at < ? "
            "ORDER BY created_at, system, case_id",
        {SqlValue(org_), SqlValue::Time(query.from), SqlValue::Time(query.to)},
        [&](SqlRow const& row) {
          ReadSnapshot(row, record);
          return on_snapshot(record);
        }));
  });
}

// --- Flags ------------------------------------------------------------------------------------

Status SqlStateStore::ReplaceCaseFlags(std::span<CaseFlags const> cases, Instant now) {
  std::unordered_set<std::string_view> seen;
  for (auto const& c : cases) {
    if (c.case_id.empty()) return InvalidArgumentError("flags: a case id is required");
    if (!seen.insert(c.case_id).second) {
      return InvalidArgumentError("flags: case '" + c.case_id + "' appears twice in one batch");
    }
    for (auto const& f : c.flags) {
      if (!f.case_id.empty() && f.case_id != c.case_id) {
        return InvalidArgumentError("flags: a flag of case '" + f.case_id +
                                    "' was given under case '" + c.case_id + "'");
      }
    }
  }
  return Atomically([&]() -> Status {
    for (std::size_t i = 0; i < cases.size(); i += kInChunk) {
      std::size_t const n = std::min(kInChunk, cases.size() - i);
      std::vector<SqlValue> ids;
      ids.reserve(n + 1);
      ids.emplace_back(org_);
      for (std::size_t j = i; j < i + n; ++j) ids.emplace_back(cases[j].case_id);
      auto r = conn_->Execute(
          "DELETE FROM case_flags WHERE org = ? AND case_id IN (" + Placeholders(n) + ")", ids, {},
          /*cache=*/n == kInChunk);
      if (!r.ok()) return r.status();
    }
    std::vector<SqlValue> params;
    params.reserve(kFlagRowsPerInsert * kFlagInsertColumns);
    std::size_t rows = 0;
    auto flush = [&]() -> Status {
      if (rows == 0) return OkStatus();
      auto r = conn_->Execute(FlagInsertSql(rows), params, {}, rows == kFlagRowsPerInsert);
      params.clear();
      rows = 0;
      return ToStatus(r);
    };
    for (auto const& c : cases) {
      for (std::size_t seq = 0; seq < c.flags.size(); ++seq) {
        FlagRecord const& f = c.flags[seq];
        params.emplace_back(org_);
        params.emplace_back(c.case_id);
        params.emplace_back(static_cast<std::int64_t>(seq));
        params.emplace_back(f.case_number);
        params.emplace_back(f.source_system);
        params.emplace_back(f.rule_id);
        params.push_back(SqlValue::Time(f.started));
        params.push_back(SqlValue::Time(f.due));
        params.push_back(SqlValue::Time(f.met_at));
        params.emplace_back(f.status);
        params.push_back(SqlValue::Opt(f.late_minutes));
        params.emplace_back(f.evidence);
        params.emplace_back(f.owner);
        params.emplace_back(f.installer);
        params.push_back(f.tier ? SqlValue(std::int64_t{*f.tier}) : SqlValue());
        params.push_back(SqlValue::Time(now));
        params.emplace_back(f.subject);
        params.emplace_back(f.owner_name);
        params.emplace_back(f.installer_name);
        params.emplace_back(f.queue);
        params.emplace_back(f.record_url);
        if (++rows == kFlagRowsPerInsert) {
          if (Status s = flush(); !s.ok()) return s;
        }
      }
    }
    return flush();
  });
}

StatusOr<std::vector<FlagRecord>> SqlStateStore::GetCaseFlags(std::string_view case_id) {
  std::vector<FlagRecord> out;
  Status s = Reading([&] {
    return ToStatus(
        conn_->Execute(std::string("SELECT ") + kFlagColumns +
                           " FROM case_flags WHERE org = ? AND case_id = ? ORDER BY seq",
                       {org_, case_id}, [&out](SqlRow const& row) {
                         ReadFlag(row, out.emplace_back());
                         return OkStatus();
                       }));
  });
  if (!s.ok()) return s;
  return out;
}

Status SqlStateStore::ForEachFlag(FlagQuery const& query, FlagCallback const& on_flag) {
  char const* const column = query.field == FlagTimeField::kStarted ? "started" : "due";
  std::string sql = std::string("SELECT ") + kFlagColumns + " FROM case_flags WHERE org = ? AND " +
                    column + " >= ? AND " + column + " < ?";
  std::vector<SqlValue> params{SqlValue(org_), SqlValue::Time(query.from),
                               SqlValue::Time(query.to)};
  auto filter = [&](char const* name, std::optional<std::string> const& value) {
    if (!value) return;
    sql += " AND ";
    sql += name;
    sql += " = ?";
    params.emplace_back(*value);
  };
  filter("rule_id", query.rule_id);
  filter("owner", query.owner);
  filter("installer", query.installer);
  filter("status", query.status);
  sql += std::string(" ORDER BY ") + column + ", case_id, seq";
  FlagRecord record;
  return Reading([&] {
    FlagGuard streaming(streaming_);
    return ToStatus(conn_->Execute(sql, params, [&](SqlRow const& row) {
      ReadFlag(row, record);
      return on_flag(record);
    }));
  });
}

// --- Tracked cases ----------------------------------------------------------------------------

Status SqlStateStore::UpsertTrackedCases(std::span<TrackedCase const> cases, Instant now) {
  for (auto const& c : cases) {
    if (c.system.empty() || c.case_id.empty()) {
      return InvalidArgumentError("tracked case: system and case id are required");
    }
  }
  return Atomically([&] {
    for (auto const& c : cases) {
      auto r = conn_->Execute(
          "INSERT INTO tracked_cases (org, system, case_id, modstamp, next_check, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org, system, case_id) DO UPDATE SET "
          "modstamp = excluded.modstamp, next_check = excluded.next_check, "
          "updated_at = excluded.updated_at",
          {org_, c.system, c.case_id, c.modstamp, SqlValue::Time(c.next_check),
           SqlValue::Time(now)});
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
}

Status SqlStateStore::SetNextCheck(std::string_view system, std::string_view case_id,
                                   std::optional<Instant> next_check, Instant now) {
  if (system.empty() || case_id.empty()) {
    return InvalidArgumentError("tracked case: system and case id are required");
  }
  return Atomically([&] {
    return ToStatus(conn_->Execute(
        "INSERT INTO tracked_cases (org, system, case_id, modstamp, next_check, updated_at) "
        "VALUES (?, ?, ?, '', ?, ?) ON CONFLICT (org, system, case_id) DO UPDATE SET "
        "next_check = excluded.next_check, updated_at = excluded.updated_at",
        {org_, system, case_id, SqlValue::Time(next_check), SqlValue::Time(now)}));
  });
}

StatusOr<std::vector<TrackedCase>> SqlStateStore::GetTrackedCases(
    std::string_view system, std::span<std::string const> case_ids) {
  std::unordered_map<std::string, TrackedCase> found;
  Status s = Reading([&] {
    for (std::size_t i = 0; i < case_ids.size(); i += kInChunk) {
      std::size_t const n = std::min(kInChunk, case_ids.size() - i);
      std::string const sql = std::string("SELECT ") + kTrackedColumns +
                              " FROM tracked_cases WHERE org = ? AND system = ? AND case_id IN (" +
                              Placeholders(n) + ")";
      std::vector<SqlValue> params;
      params.reserve(n + 2);
      params.emplace_back(org_);
      params.emplace_back(system);
      for (std::size_t j = i; j < i + n; ++j) params.emplace_back(case_ids[j]);
      auto r = conn_->Execute(
          sql, params,
          [&found](SqlRow const& row) {
            TrackedCase t = ReadTracked(row);
            std::string id = t.case_id;
            found.emplace(std::move(id), std::move(t));
            return OkStatus();
          },
          /*cache=*/n == kInChunk);
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  std::vector<TrackedCase> out;
  for (auto const& id : case_ids) {
    auto node = found.extract(id);
    if (!node.empty()) out.push_back(std::move(node.mapped()));
  }
  return out;
}

StatusOr<std::vector<TrackedCase>> SqlStateStore::ListDueCases(Instant now, std::size_t limit) {
  std::vector<TrackedCase> out;
  if (limit == 0) return out;
  Status s = Reading([&] {
    return ToStatus(conn_->Execute(
        std::string("SELECT ") + kTrackedColumns +
            " FROM tracked_cases WHERE org = ? AND next_check IS NOT NULL AND "
            "next_check <= ? ORDER BY next_check, system, case_id LIMIT ?",
        {SqlValue(org_), SqlValue::Time(now), Limit(limit)}, [&out](SqlRow const& row) {
          out.push_back(ReadTracked(row));
          return OkStatus();
        }));
  });
  if (!s.ok()) return s;
  return out;
}

// --- Audit ------------------------------------------------------------------------------------

Status SqlStateStore::AppendAudit(std::span<AuditEntry const> entries) {
  return Atomically([&] {
    for (auto const& e : entries) {
      auto r = conn_->Execute(
          "INSERT INTO audit_log (org, run_id, at, action_key, kind, target, rule_id, evidence, "
          "result, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {org_, e.run_id, SqlValue::Time(e.at), e.action_key, e.kind, e.target, e.rule_id,
           e.evidence, AuditResultName(e.result), Truncated(e.reason)});
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
}

Status SqlStateStore::ForEachAudit(AuditQuery const& query, AuditCallback const& on_entry) {
  std::string sql =
      "SELECT id, run_id, at, action_key, kind, target, rule_id, evidence, result, reason "
      "FROM audit_log WHERE org = ?";
  std::vector<SqlValue> params{SqlValue(org_)};
  if (query.run_id) {
    sql += " AND run_id = ?";
    params.emplace_back(*query.run_id);
  }
  if (query.action_key) {
    sql += " AND action_key = ?";
    params.emplace_back(*query.action_key);
  }
  if (query.from) {
    sql += " AND at >= ?";
    params.push_back(SqlValue::Time(*query.from));
  }
  if (query.to) {
    sql += " AND at < ?";
    params.push_back(SqlValue::Time(*query.to));
  }
  sql += " ORDER BY id";
  AuditEntry entry;
  return Reading([&] {
    FlagGuard streaming(streaming_);
    return ToStatus(conn_->Execute(sql, params, [&](SqlRow const& row) {
      ReadAudit(row, entry);
      return on_entry(entry);
    }));
  });
}

// --- Runs -------------------------------------------------------------------------------------

Status SqlStateStore::StartRun(RunRecord const& run) {
  if (run.run_id.empty()) return InvalidArgumentError("run: an id is required");
  Status s = Atomically([&] {
    return ToStatus(
        conn_->Execute("INSERT INTO runs (org, run_id, kind, started_at, finished_at, status, "
                       "counters) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       {org_, run.run_id, RunKindName(run.kind), SqlValue::Time(run.started),
                        SqlValue::Time(run.finished), RunStatusName(run.status), run.counters}));
  });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status(StatusCode::kAlreadyExists, "run '" + run.run_id + "' already exists", s.info());
  }
  return s;
}

Status SqlStateStore::UpdateRunCounters(std::string_view run_id, std::string_view counters) {
  return Atomically([&]() -> Status {
    auto r = conn_->Execute("UPDATE runs SET counters = ? WHERE org = ? AND run_id = ?",
                            {counters, org_, run_id});
    if (!r.ok()) return r.status();
    if (*r == 0) return NotFoundError("no run '" + std::string(run_id) + "'");
    return OkStatus();
  });
}

Status SqlStateStore::FinishRun(std::string_view run_id, RunStatus status, Instant finished,
                                std::string_view counters) {
  return Atomically([&]() -> Status {
    auto r = conn_->Execute(
        "UPDATE runs SET status = ?, finished_at = ?, counters = ? WHERE org = ? AND run_id = ?",
        {RunStatusName(status), SqlValue::Time(finished), counters, org_, run_id});
    if (!r.ok()) return r.status();
    if (*r == 0) return NotFoundError("no run '" + std::string(run_id) + "'");
    return OkStatus();
  });
}

StatusOr<std::optional<RunRecord>> SqlStateStore::GetRun(std::string_view run_id) {
  std::optional<RunRecord> out;
  Status s = Reading([&] {
    return ToStatus(conn_->Execute(
        std::string("SELECT ") + kRunColumns + " FROM runs WHERE org = ? AND run_id = ?",
        {org_, run_id}, [&out](SqlRow const& row) {
          out = ReadRun(row);
          return OkStatus();
        }));
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<RunRecord>> SqlStateStore::ListRuns(std::size_t limit) {
  std::vector<RunRecord> out;
  if (limit == 0) return out;
  Status s = Reading([&] {
    return ToStatus(
        conn_->Execute(std::string("SELECT ") + kRunColumns +
                           " FROM runs WHERE org = ? ORDER BY started_at DESC, run_id DESC LIMIT ?",
                       {SqlValue(org_), Limit(limit)}, [&out](SqlRow const& row) {
                         out.push_back(ReadRun(row));
                         return OkStatus();
                       }));
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::optional<RunRecord>> SqlStateStore::LastFinishedRun(RunStatus status) {
  std::optional<RunRecord> out;
  Status s = Reading([&] {
    return ToStatus(
        conn_->Execute(std::string("SELECT ") + kRunColumns +
                           " FROM runs WHERE org = ? AND status = ? AND finished_at IS NOT NULL"
                           " ORDER BY finished_at DESC, run_id DESC LIMIT 1",
                       {org_, RunStatusName(status)}, [&out](SqlRow const& row) {
                         out = ReadRun(row);
                         return OkStatus();
                       }));
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::size_t> SqlStateStore::CloseAbandonedRuns(std::string_view current_run_id,
                                                        Instant now) {
  std::int64_t changed = 0;
  Status s = Atomically([&]() -> Status {
    auto r = conn_->Execute(
        "UPDATE runs SET status = 'interrupted', finished_at = ? "
        "WHERE org = ? AND status = 'running' AND run_id <> ?",
        {SqlValue::Time(now), org_, current_run_id});
    if (!r.ok()) return r.status();
    changed = *r;
    return OkStatus();
  });
  if (!s.ok()) return s;
  return static_cast<std::size_t>(changed);
}

// --- Checkpoints ------------------------------------------------------------------------------

Status SqlStateStore::SaveCheckpoint(Checkpoint const& c) {
  if (c.name.empty()) return InvalidArgumentError("checkpoint: a name is required");
  return Atomically([&] {
    return ToStatus(conn_->Execute(
        "INSERT INTO checkpoints (org, name, run_id, range_from, range_to, last_modstamp, last_id, "
        "chunk, completed, data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (org, name) DO UPDATE SET run_id = excluded.run_id, "
        "range_from = excluded.range_from, range_to = excluded.range_to, "
        "last_modstamp = excluded.last_modstamp, last_id = excluded.last_id, "
        "chunk = excluded.chunk, completed = excluded.completed, data = excluded.data, "
        "updated_at = excluded.updated_at",
        {org_, c.name, c.run_id, SqlValue::Time(c.range_from), SqlValue::Time(c.range_to),
         c.last_modstamp, c.last_id, SqlValue(c.chunk), SqlValue(c.completed ? 1 : 0), c.data,
         SqlValue::Time(c.updated_at)}));
  });
}

StatusOr<std::optional<Checkpoint>> SqlStateStore::LoadCheckpoint(std::string_view name) {
  std::optional<Checkpoint> out;
  Status s = Reading([&] {
    return ToStatus(conn_->Execute(std::string("SELECT ") + kCheckpointColumns +
                                       " FROM checkpoints WHERE org = ? AND name = ?",
                                   {org_, name}, [&out](SqlRow const& row) {
                                     out = ReadCheckpoint(row);
                                     return OkStatus();
                                   }));
  });
  if (!s.ok()) return s;
  return out;
}

Status SqlStateStore::DeleteCheckpoint(std::string_view name) {
  return Atomically([&] {
    return ToStatus(
        conn_->Execute("DELETE FROM checkpoints WHERE org = ? AND name = ?", {org_, name}));
  });
}

// --- Queue directory --------------------------------------------------------------------------

StatusOr<std::vector<QueueEntry>> SqlStateStore::GetQueueDirectory() {
  std::vector<QueueEntry> out;
  Status s = Reading([&] {
    return ToStatus(
        conn_->Execute("SELECT name, queue_id, refreshed_at FROM queue_directory WHERE org = ? "
                       "ORDER BY name, queue_id",
                       {org_}, [&out](SqlRow const& row) {
                         out.push_back(QueueEntry{row.String(0), row.String(1), row.Time(2)});
                         return OkStatus();
                       }));
  });
  if (!s.ok()) return s;
  return out;
}

Status SqlStateStore::ReplaceQueueDirectory(std::span<QueueEntry const> entries) {
  for (auto const& e : entries) {
    if (e.name.empty() && e.queue_id.empty()) {
      return InvalidArgumentError("queue directory: an entry needs a name or a queue id");
    }
  }
  return Atomically([&]() -> Status {
    auto d = conn_->Execute("DELETE FROM queue_directory WHERE org = ?", {org_});
    if (!d.ok()) return d.status();
    for (auto const& e : entries) {
      auto r = conn_->Execute(
          "INSERT INTO queue_directory (org, name, queue_id, refreshed_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (org, name, queue_id) DO UPDATE SET refreshed_at = excluded.refreshed_at",
          {org_, e.name, e.queue_id, SqlValue::Time(e.refreshed_at)});
      if (!r.ok()) return r.status();
    }
    return OkStatus();
  });
}

}  // namespace casebridge::store::store_internal
