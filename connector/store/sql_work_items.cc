// SqlStateStore: the work shared by several workers (work_items.h), over migration 007's
// work_runs and work_items tables.
#include <algorithm>
#include <string>
#include <utility>

#include "connector/store/sql_state_store.h"

namespace casebridge::store::store_internal {
namespace {

constexpr std::size_t kItemsPerInsert = 100;

Status ToStatus(StatusOr<std::int64_t> const& r) { return r.ok() ? OkStatus() : r.status(); }

// Row locks taken by a claim or a completion; SQLite has one writer at a time instead.
std::string LockClause(Dialect d, bool skip_locked) {
  if (d == Dialect::kSqlite) return "";
  return skip_locked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE";
}

constexpr char const* kRunColumns =
    "run_name, kind, params, items, done_prefix, created_by, created_at, completed_at";

WorkRun ReadRunRow(SqlRow const& row) {
  WorkRun r;
  r.name = row.String(0);
  r.kind = row.String(1);
  r.params = row.String(2);
  r.items = row.Int(3);
  r.done_prefix = row.Int(4);
  r.created_by = row.String(5);
  r.created_at = row.Time(6);
  r.completed_at = row.OptTime(7);
  return r;
}

Status LeaseLost(std::string_view run_name, std::int64_t item) {
  ErrorInfo info;
  info.vendor_code = "LEASE_LOST";
  return Status(StatusCode::kAborted,
                "work item " + std::to_string(item) + " of " + std::string(run_name) +
                    " is no longer leased to this worker (its lease expired and another worker "
                    "took it, or it is done)",
                std::move(info));
}

}  // namespace

StatusOr<std::optional<WorkRun>> SqlStateStore::ReadWorkRun(std::string_view run_name, bool lock) {
  std::optional<WorkRun> out;
  auto r = conn_->Execute(std::string("SELECT ") + kRunColumns +
                              " FROM work_runs WHERE org = ? AND run_name = ?" +
                              (lock ? LockClause(conn_->dialect(), false) : ""),
                          {SqlValue(org_), run_name}, [&out](SqlRow const& row) {
                            out = ReadRunRow(row);
                            return OkStatus();
                          });
  if (!r.ok()) return r.status();
  return out;
}

Status SqlStateStore::CountOpenItems(std::string_view run_name, WorkClaim& claim) {
  return ToStatus(conn_->Execute(
      "SELECT COUNT(*), MIN(CASE WHEN state = 'claimed' THEN lease_until END) FROM work_items "
      "WHERE org = ? AND run_name = ? AND state <> 'done'",
      {SqlValue(org_), run_name}, [&claim](SqlRow const& row) {
        claim.open = row.Int(0);
        claim.next_expiry = row.OptTime(1);
        return OkStatus();
      }));
}

StatusOr<WorkRun> SqlStateStore::JoinWorkRun(WorkRunSpec const& spec) {
  if (spec.name.empty()) return InvalidArgumentError("work run: a name is required");
  std::optional<WorkRun> run;
  Status s = Atomically([&]() -> Status {
    auto created = conn_->Execute(
        "INSERT INTO work_runs (org, run_name, kind, params, items, done_prefix, created_by, "
        "created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (org, run_name) DO NOTHING",
        {SqlValue(org_), spec.name, spec.kind, spec.params,
         SqlValue(static_cast<std::int64_t>(spec.items.size())), spec.worker,
         SqlValue::Time(spec.now)});
    if (!created.ok()) return created.status();
    for (std::size_t i = 0; *created == 1 && i < spec.items.size(); i += kItemsPerInsert) {
      std::size_t const n = std::min(kItemsPerInsert, spec.items.size() - i);
      std::string sql =
          "INSERT INTO work_items (org, run_name, item, range_from, range_to, state, "
          "updated_at) VALUES ";
      std::vector<SqlValue> params;
      params.reserve(n * 6);
      for (std::size_t k = 0; k < n; ++k) {
        sql += k == 0 ? "(?, ?, ?, ?, ?, 'pending', ?)" : ", (?, ?, ?, ?, ?, 'pending', ?)";
        WorkItemRange const& item = spec.items[i + k];
        params.insert(
            params.end(),
            {SqlValue(org_), SqlValue(spec.name), SqlValue(static_cast<std::int64_t>(i + k)),
             SqlValue::Time(item.from), SqlValue::Time(item.to), SqlValue::Time(spec.now)});
      }
      auto r = conn_->Execute(sql, params, {}, /*cache=*/n == kItemsPerInsert);
      if (!r.ok()) return r.status();
    }
    auto read = ReadWorkRun(spec.name, false);
    if (!read.ok()) return read.status();
    run = std::move(*read);
    return OkStatus();
  });
  if (!s.ok()) return s;
  if (!run) return InternalError("work run " + spec.name + " vanished while joining it");
  if (run->kind != spec.kind || run->params != spec.params) {
    return FailedPreconditionError("work run '" + spec.name + "' already exists with other " +
                                   "parameters (" + run->kind + " " + run->params +
                                   "): give this one another run name");
  }
  return *std::move(run);
}

StatusOr<WorkClaim> SqlStateStore::ClaimWorkItem(std::string_view run_name, std::string_view worker,
                                                 Instant now, std::chrono::seconds lease) {
  WorkClaim claim;
  Status s = Atomically([&]() -> Status {
    auto run = ReadWorkRun(run_name, false);
    if (!run.ok()) return run.status();
    if (!*run) return NotFoundError("no work run named '" + std::string(run_name) + "'");
    std::optional<WorkItem> item;
    auto r = conn_->Execute(
        "SELECT item, range_from, range_to, claims, COALESCE(lease_owner, '') FROM work_items "
        "WHERE org = ? AND run_name = ? AND (state = 'pending' OR (state = 'claimed' AND "
        "lease_until <= ?)) ORDER BY item LIMIT 1" +
            LockClause(conn_->dialect(), true),
        {SqlValue(org_), run_name, SqlValue::Time(now)}, [&item](SqlRow const& row) {
          item = WorkItem{row.Int(0), {row.Time(1), row.Time(2)}, row.Int(3) + 1, row.String(4)};
          return OkStatus();
        });
    if (!r.ok()) return r.status();
    if (item) {
      auto u = conn_->Execute(
          "UPDATE work_items SET state = 'claimed', lease_owner = ?, lease_until = ?, "
          "claims = claims + 1, updated_at = ? WHERE org = ? AND run_name = ? AND item = ?",
          {worker, SqlValue::Time(now + lease), SqlValue::Time(now), SqlValue(org_), run_name,
           SqlValue(item->item)});
      if (!u.ok()) return u.status();
    }
    claim.item = std::move(item);
    return CountOpenItems(run_name, claim);
  });
  if (!s.ok()) return s;
  if (claim.item) claim.next_expiry.reset();
  return claim;
}

Status SqlStateStore::RenewWorkLease(std::string_view run_name, std::int64_t item,
                                     std::string_view worker, Instant now,
                                     std::chrono::seconds lease) {
  return Atomically([&]() -> Status {
    auto r = conn_->Execute(
        "UPDATE work_items SET lease_until = ?, updated_at = ? WHERE org = ? AND run_name = ? "
        "AND item = ? AND state = 'claimed' AND lease_owner = ?",
        {SqlValue::Time(now + lease), SqlValue::Time(now), SqlValue(org_), run_name, SqlValue(item),
         worker});
    if (!r.ok()) return r.status();
    return *r == 1 ? OkStatus() : LeaseLost(run_name, item);
  });
}

StatusOr<WorkProgress> SqlStateStore::CompleteWorkItem(std::string_view run_name, std::int64_t item,
                                                       std::string_view worker, Instant now) {
  WorkProgress progress;
  Status s = Atomically([&]() -> Status {
    auto run = ReadWorkRun(run_name, /*lock=*/true);  // serialises the prefix's advance
    if (!run.ok()) return run.status();
    if (!*run) return NotFoundError("no work run named '" + std::string(run_name) + "'");
    std::optional<bool> mine;
    auto r = conn_->Execute(
        "SELECT CASE WHEN state = 'claimed' AND lease_owner = ? THEN 1 ELSE 0 END "
        "FROM work_items WHERE org = ? AND run_name = ? AND item = ?",
        {worker, SqlValue(org_), run_name, SqlValue(item)}, [&mine](SqlRow const& row) {
          mine = row.Int(0) == 1;
          return OkStatus();
        });
    if (!r.ok()) return r.status();
    if (!mine)
      return NotFoundError("work run '" + std::string(run_name) + "' has no item " +
                           std::to_string(item));
    progress.lease_was_lost = !*mine;
    auto u = conn_->Execute(
        "UPDATE work_items SET state = 'done', done_by = ?, lease_owner = NULL, "
        "lease_until = NULL, updated_at = ? WHERE org = ? AND run_name = ? AND item = ? "
        "AND state <> 'done'",
        {worker, SqlValue::Time(now), SqlValue(org_), run_name, SqlValue(item)});
    if (!u.ok()) return u.status();
    std::optional<std::int64_t> first_open;
    auto q = conn_->Execute(
        "SELECT MIN(item) FROM work_items WHERE org = ? AND run_name = ? AND state <> 'done'",
        {SqlValue(org_), run_name}, [&first_open](SqlRow const& row) {
          first_open = row.OptInt(0);
          return OkStatus();
        });
    if (!q.ok()) return q.status();
    progress.items = (*run)->items;
    progress.done_prefix = first_open.value_or(progress.items);
    return ToStatus(conn_->Execute(
        "UPDATE work_runs SET done_prefix = ?, completed_at = CASE WHEN ? = items THEN "
        "COALESCE(completed_at, ?) END WHERE org = ? AND run_name = ?",
        {SqlValue(progress.done_prefix), SqlValue(progress.done_prefix), SqlValue::Time(now),
         SqlValue(org_), run_name}));
  });
  if (!s.ok()) return s;
  return progress;
}

StatusOr<std::optional<WorkRun>> SqlStateStore::GetWorkRun(std::string_view run_name) {
  std::optional<WorkRun> out;
  Status s = Reading([&]() -> Status {
    auto r = ReadWorkRun(run_name, false);
    if (!r.ok()) return r.status();
    out = std::move(*r);
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace casebridge::store::store_internal
