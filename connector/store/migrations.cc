#include "connector/store/migrations.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace casebridge::store::store_internal {
namespace {

// All times are epoch seconds (BIGINT); JSON is TEXT. ${TEXT} is TEXT with byte-wise ordering
// on both engines (PostgreSQL otherwise sorts by the database's locale).
constexpr std::string_view k001Init = R"sql(
CREATE TABLE watermarks (
  system      ${TEXT} NOT NULL,
  object      ${TEXT} NOT NULL,
  modstamp    ${TEXT} NOT NULL,
  last_id     ${TEXT} NOT NULL,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (system, object)
);

CREATE TABLE action_ledger (
  action_key    ${TEXT} PRIMARY KEY,
  case_id       ${TEXT} NOT NULL,
  action_id     ${TEXT} NOT NULL,
  n             BIGINT NOT NULL CHECK (n >= 1),
  rule_id       ${TEXT} NOT NULL,
  kind          ${TEXT} NOT NULL,
  target_system ${TEXT} NOT NULL,
  due_at        BIGINT,
  payload       ${TEXT} NOT NULL,
  evidence      ${TEXT} NOT NULL,
  state         ${TEXT} NOT NULL CHECK (state IN ('planned', 'written', 'failed')),
  remote_id     ${TEXT},
  attempts      BIGINT NOT NULL DEFAULT 0,
  last_error    ${TEXT},
  planned_at    BIGINT NOT NULL,
  written_at    BIGINT,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX action_ledger_by_state ON action_ledger (state, action_key);
CREATE INDEX action_ledger_by_case ON action_ledger (case_id);

CREATE TABLE case_flags (
  case_id       ${TEXT} NOT NULL,
  seq           BIGINT NOT NULL,
  case_number   ${TEXT} NOT NULL,
  source_system ${TEXT} NOT NULL,
  rule_id       ${TEXT} NOT NULL,
  started       BIGINT NOT NULL,
  due           BIGINT,
  met_at        BIGINT,
  status        ${TEXT} NOT NULL CHECK (status IN ('met', 'breached', 'pending', 'info')),
  late_minutes  BIGINT,
  evidence      ${TEXT} NOT NULL,
  owner         ${TEXT} NOT NULL,
  installer     ${TEXT} NOT NULL,
  tier          BIGINT,
  updated_at    BIGINT NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_flags_by_started ON case_flags (started, case_id, seq);
CREATE INDEX case_flags_by_due ON case_flags (due, case_id, seq);

CREATE TABLE tracked_cases (
  system      ${TEXT} NOT NULL,
  case_id     ${TEXT} NOT NULL,
  modstamp    ${TEXT} NOT NULL,
  next_check  BIGINT,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (system, case_id)
);
CREATE INDEX tracked_cases_by_next_check ON tracked_cases (next_check, system, case_id)
  WHERE next_check IS NOT NULL;

CREATE TABLE audit_log (
  id          ${IDENTITY_PK},
  run_id      ${TEXT} NOT NULL,
  at          BIGINT NOT NULL,
  action_key  ${TEXT} NOT NULL,
  kind        ${TEXT} NOT NULL,
  target      ${TEXT} NOT NULL,
  rule_id     ${TEXT} NOT NULL,
  evidence    ${TEXT} NOT NULL,
  result      ${TEXT} NOT NULL CHECK (result IN ('ok', 'failed')),
  reason      ${TEXT} NOT NULL
);
CREATE INDEX audit_log_by_run ON audit_log (run_id, id);
CREATE INDEX audit_log_by_key ON audit_log (action_key, id);
CREATE INDEX audit_log_by_time ON audit_log (at, id);

CREATE TABLE runs (
  run_id      ${TEXT} PRIMARY KEY,
  kind        ${TEXT} NOT NULL CHECK (kind IN ('sync', 'backfill')),
  started_at  BIGINT NOT NULL,
  finished_at BIGINT,
  status      ${TEXT} NOT NULL
              CHECK (status IN ('running', 'succeeded', 'failed', 'budget_exhausted',
                                'interrupted')),
  counters    ${TEXT} NOT NULL
);
CREATE INDEX runs_by_start ON runs (started_at, run_id);
CREATE INDEX runs_by_status ON runs (status);

CREATE TABLE checkpoints (
  name          ${TEXT} PRIMARY KEY,
  run_id        ${TEXT} NOT NULL,
  range_from    BIGINT NOT NULL,
  range_to      BIGINT NOT NULL,
  last_modstamp ${TEXT} NOT NULL,
  last_id       ${TEXT} NOT NULL,
  chunk         BIGINT NOT NULL,
  completed     BIGINT NOT NULL CHECK (completed IN (0, 1)),
  data          ${TEXT} NOT NULL,
  updated_at    BIGINT NOT NULL
);

-- Who holds the run lock (PostgreSQL advisory lock; the SQLite lock file carries the same).
CREATE TABLE run_lock_holder (
  id      BIGINT PRIMARY KEY CHECK (id = 1),
  pid     BIGINT NOT NULL,
  since   BIGINT NOT NULL,
  run_id  ${TEXT} NOT NULL
);
)sql";

// The audit trail is append-only: the database itself refuses to change or delete a row.
constexpr std::string_view k002AuditAppendOnlySqlite = R"sql(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";
constexpr std::string_view k002AuditAppendOnlyPostgres = R"sql(
CREATE FUNCTION casebridge_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION casebridge_audit_log_append_only();
)sql";

// Case facts the compliance reports show (subject, owner and installer names, queue, link).
// Existing rows get "" (the report then falls back to ids and configured instance URLs).
// One column per statement: SQLite's ALTER TABLE adds a single column.
constexpr std::string_view k003FlagReportColumns = R"sql(
ALTER TABLE case_flags ADD COLUMN subject ${TEXT} NOT NULL DEFAULT '';
ALTER TABLE case_flags ADD COLUMN owner_name ${TEXT} NOT NULL DEFAULT '';
ALTER TABLE case_flags ADD COLUMN installer_name ${TEXT} NOT NULL DEFAULT '';
ALTER TABLE case_flags ADD COLUMN queue ${TEXT} NOT NULL DEFAULT '';
ALTER TABLE case_flags ADD COLUMN record_url ${TEXT} NOT NULL DEFAULT '';
)sql";

// What casebridge knows of Forge records that link to Salesforce (the Forge side of the sync):
// kind "ticket" (ref = the Salesforce case id a Forge ticket names), "service_case" /
// "service_ticket" (a service ticket's Salesforce case id / Forge ticket id) and "mirror" (ref =
// the Salesforce record an interaction mirrors). One row per (kind, Forge record id); looked up by
// (kind, ref).
constexpr std::string_view k004ForgeRefs = R"sql(
CREATE TABLE forge_refs (
  kind        ${TEXT} NOT NULL,
  forge_id    ${TEXT} NOT NULL,
  ref         ${TEXT} NOT NULL,
  ticket_id   ${TEXT} NOT NULL,
  customer_id ${TEXT} NOT NULL,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (kind, forge_id)
);
CREATE INDEX forge_refs_by_ref ON forge_refs (kind, ref);
)sql";

// The snapshot of each case as a sync last evaluated it (issue 15: `casebridge explain` and
// `whatif` re-evaluate it offline). `snapshot` is the engine's compact JSON
// (engine::AppendSnapshotJson); `created_at` is the case's creation, for range queries.
constexpr std::string_view k005CaseSnapshots = R"sql(
CREATE TABLE case_snapshots (
  system      ${TEXT} NOT NULL,
  case_id     ${TEXT} NOT NULL,
  created_at  BIGINT NOT NULL,
  snapshot    ${TEXT} NOT NULL,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (system, case_id)
);
CREATE INDEX case_snapshots_by_created ON case_snapshots (created_at, system, case_id);
CREATE INDEX case_snapshots_by_case ON case_snapshots (case_id);
)sql";

// Work shared by several processes (issue 14: several workers on PostgreSQL). A work run is
// named by its parameters; its items (backfill chunks) are claimed with SELECT ... FOR UPDATE
// SKIP LOCKED and leased: a worker that dies leaves a lease that expires (lease_until, epoch
// seconds), and another worker claims the item again. `done_prefix` is the run's checkpoint:
// items [0, done_prefix) are all done. `org` is part of every key (default 'default').
constexpr std::string_view k007WorkItems = R"sql(
CREATE TABLE work_runs (
  org          ${TEXT} NOT NULL DEFAULT 'default',
  run_name     ${TEXT} NOT NULL,
  kind         ${TEXT} NOT NULL,
  params       ${TEXT} NOT NULL,
  items        BIGINT NOT NULL CHECK (items >= 0),
  done_prefix  BIGINT NOT NULL DEFAULT 0,
  created_by   ${TEXT} NOT NULL,
  created_at   BIGINT NOT NULL,
  completed_at BIGINT,
  PRIMARY KEY (org, run_name)
);

CREATE TABLE work_items (
  org          ${TEXT} NOT NULL DEFAULT 'default',
  run_name     ${TEXT} NOT NULL,
  item         BIGINT NOT NULL CHECK (item >= 0),
  range_from   BIGINT NOT NULL,
  range_to     BIGINT NOT NULL,
  state        ${TEXT} NOT NULL CHECK (state IN ('pending', 'claimed', 'done')),
  lease_owner  ${TEXT},
  lease_until  BIGINT,
  claims       BIGINT NOT NULL DEFAULT 0,
  done_by      ${TEXT},
  updated_at   BIGINT NOT NULL,
  PRIMARY KEY (org, run_name, item)
);
CREATE INDEX work_items_open ON work_items (org, run_name, state, item);
)sql";

constexpr std::array<Migration, 6> kMigrations = {{
    {1, "001_init", k001Init, "", ""},
    {2, "002_audit_append_only", "", k002AuditAppendOnlySqlite, k002AuditAppendOnlyPostgres},
    {3, "003_flag_report_columns", k003FlagReportColumns, "", ""},
    {4, "004_forge_refs", k004ForgeRefs, "", ""},
    {5, "005_case_snapshots", k005CaseSnapshots, "", ""},
    {7, "007_work_items", k007WorkItems, "", ""},
}};

/// The only place the two engines' DDL differs (besides the engine-specific statements above).
std::vector<std::pair<std::string_view, std::string_view>> DialectTokens(Dialect d) {
  if (d == Dialect::kSqlite) {
    return {{"${TEXT}", "TEXT"}, {"${IDENTITY_PK}", "INTEGER PRIMARY KEY AUTOINCREMENT"}};
  }
  return {{"${TEXT}", "TEXT COLLATE \"C\""},
          {"${IDENTITY_PK}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"}};
}

// Serialises concurrent migrators on PostgreSQL ("casebridge migrations" as a 63-bit key).
constexpr std::int64_t kMigrationLockKey = 0x43424D4947524154;  // "CBMIGRAT"

}  // namespace

std::span<Migration const> AllMigrations() { return kMigrations; }

std::string RenderMigration(Migration const& migration, Dialect dialect) {
  std::string sql(migration.common_sql);
  for (auto const& [token, value] : DialectTokens(dialect)) {
    for (auto pos = sql.find(token); pos != std::string::npos;
         pos = sql.find(token, pos + value.size())) {
      sql.replace(pos, token.size(), value);
    }
  }
  sql += dialect == Dialect::kSqlite ? migration.sqlite_sql : migration.postgres_sql;
  return sql;
}

Status ApplyMigrations(SqlConnection& conn) {
  Dialect const dialect = conn.dialect();
  Status s = conn.ExecScript(DialectBeginSql(dialect));
  if (!s.ok()) return s;
  auto body = [&]() -> Status {
    if (dialect == Dialect::kPostgres) {
      auto r = conn.Execute("SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))",
                            {SqlValue(kMigrationLockKey)}, {}, /*cache=*/false);
      if (!r.ok()) return r.status();
    }
    Status st = conn.ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    if (!st.ok()) return st;
    std::map<int, std::string> applied;
    auto r = conn.Execute(
        "SELECT version, name FROM schema_migrations", {},
        [&applied](SqlRow const& row) {
          applied.emplace(static_cast<int>(row.Int(0)), row.String(1));
          return OkStatus();
        },
        /*cache=*/false);
    if (!r.ok()) return r.status();
    auto const known = AllMigrations();
    for (auto const& [version, name] : applied) {
      auto it = std::find_if(known.begin(), known.end(),
                             [v = version](Migration const& m) { return m.version == v; });
      if (it == known.end()) {
        return FailedPreconditionError(
            "the database schema has migration " + std::to_string(version) + " (" + name +
            ") that this casebridge does not know (it knows up to " +
            std::to_string(known.back().version) + "): a newer casebridge migrated it; upgrade");
      }
      if (it->name != name) {
        return FailedPreconditionError("schema migration " + std::to_string(version) +
                                       " is recorded as '" + name +
                                       "' but this casebridge calls "
                                       "it '" +
                                       std::string(it->name) + "'");
      }
    }
    std::string const insert =
        "INSERT INTO schema_migrations (version, name, applied_at) "
        "VALUES (?, ?, " +
        DialectNowEpochSql(dialect) + ")";
    for (Migration const& m : known) {
      if (applied.count(m.version) != 0) continue;
      st = conn.ExecScript(RenderMigration(m, dialect));
      if (!st.ok()) {
        return Status(st.code(),
                      "schema migration " + std::string(m.name) + " failed: " + st.message(),
                      st.info());
      }
      auto ins = conn.Execute(insert, {SqlValue(m.version), SqlValue(m.name)}, {}, false);
      if (!ins.ok()) return ins.status();
    }
    return OkStatus();
  };
  s = body();
  if (!s.ok()) {
    (void)conn.ExecScript("ROLLBACK");
    return s;
  }
  s = conn.ExecScript("COMMIT");
  if (!s.ok()) (void)conn.ExecScript("ROLLBACK");
  return s;
}

}  // namespace casebridge::store::store_internal
