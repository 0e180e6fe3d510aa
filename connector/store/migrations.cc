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

// Several orgs in one store (issue 14): every row belongs to an org, and the org leads every
// primary key and index, so two orgs' equal case ids, keys, names and run ids never meet. Rows
// written before orgs belong to org 'default' (the org of a config without `orgs`). SQLite cannot
// change a primary key in place: its tables are rebuilt (the audit trail keeps its id key and only
// gains the column, so its append-only triggers stay). The two scripts end in the same schema.
constexpr std::string_view k006OrgsCommon = R"sql(
ALTER TABLE audit_log ADD COLUMN org ${TEXT} NOT NULL DEFAULT 'default';
DROP INDEX audit_log_by_run;
DROP INDEX audit_log_by_key;
DROP INDEX audit_log_by_time;
CREATE INDEX audit_log_by_run ON audit_log (org, run_id, id);
CREATE INDEX audit_log_by_key ON audit_log (org, action_key, id);
CREATE INDEX audit_log_by_time ON audit_log (org, at, id);
)sql";
constexpr std::string_view k006OrgsSqlite = R"sql(
CREATE TABLE watermarks_006 (
  org TEXT NOT NULL DEFAULT 'default', system TEXT NOT NULL, object TEXT NOT NULL,
  modstamp TEXT NOT NULL, last_id TEXT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (org, system, object));
INSERT INTO watermarks_006 (system, object, modstamp, last_id, updated_at)
  SELECT system, object, modstamp, last_id, updated_at FROM watermarks;
DROP TABLE watermarks;
ALTER TABLE watermarks_006 RENAME TO watermarks;

CREATE TABLE action_ledger_006 (
  org TEXT NOT NULL DEFAULT 'default', action_key TEXT NOT NULL, case_id TEXT NOT NULL,
  action_id TEXT NOT NULL, n BIGINT NOT NULL CHECK (n >= 1), rule_id TEXT NOT NULL,
  kind TEXT NOT NULL, target_system TEXT NOT NULL, due_at BIGINT, payload TEXT NOT NULL,
  evidence TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('planned', 'written', 'failed')), remote_id TEXT,
  attempts BIGINT NOT NULL DEFAULT 0, last_error TEXT, planned_at BIGINT NOT NULL,
  written_at BIGINT, updated_at BIGINT NOT NULL,
  PRIMARY KEY (org, action_key));
INSERT INTO action_ledger_006 (action_key, case_id, action_id, n, rule_id, kind, target_system,
    due_at, payload, evidence, state, remote_id, attempts, last_error, planned_at, written_at,
    updated_at)
  SELECT action_key, case_id, action_id, n, rule_id, kind, target_system, due_at, payload,
    evidence, state, remote_id, attempts, last_error, planned_at, written_at, updated_at
  FROM action_ledger;
DROP TABLE action_ledger;
ALTER TABLE action_ledger_006 RENAME TO action_ledger;
CREATE INDEX action_ledger_by_state ON action_ledger (org, state, action_key);
CREATE INDEX action_ledger_by_case ON action_ledger (org, case_id);

CREATE TABLE case_flags_006 (
  org TEXT NOT NULL DEFAULT 'default', case_id TEXT NOT NULL, seq BIGINT NOT NULL,
  case_number TEXT NOT NULL, source_system TEXT NOT NULL, rule_id TEXT NOT NULL,
  started BIGINT NOT NULL, due BIGINT, met_at BIGINT,
  status TEXT NOT NULL CHECK (status IN ('met', 'breached', 'pending', 'info')),
  late_minutes BIGINT, evidence TEXT NOT NULL, owner TEXT NOT NULL, installer TEXT NOT NULL,
  tier BIGINT, updated_at BIGINT NOT NULL, subject TEXT NOT NULL DEFAULT '',
  owner_name TEXT NOT NULL DEFAULT '', installer_name TEXT NOT NULL DEFAULT '',
  queue TEXT NOT NULL DEFAULT '', record_url TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (org, case_id, seq));
INSERT INTO case_flags_006 (case_id, seq, case_number, source_system, rule_id, started, due,
    met_at, status, late_minutes, evidence, owner, installer, tier, updated_at, subject,
    owner_name, installer_name, queue, record_url)
  SELECT case_id, seq, case_number, source_system, rule_id, started, due, met_at, status,
    late_minutes, evidence, owner, installer, tier, updated_at, subject, owner_name,
    installer_name, queue, record_url
  FROM case_flags;
DROP TABLE case_flags;
ALTER TABLE case_flags_006 RENAME TO case_flags;
CREATE INDEX case_flags_by_started ON case_flags (org, started, case_id, seq);
CREATE INDEX case_flags_by_due ON case_flags (org, due, case_id, seq);

CREATE TABLE tracked_cases_006 (
  org TEXT NOT NULL DEFAULT 'default', system TEXT NOT NULL, case_id TEXT NOT NULL,
  modstamp TEXT NOT NULL, next_check BIGINT, updated_at BIGINT NOT NULL,
  PRIMARY KEY (org, system, case_id));
INSERT INTO tracked_cases_006 (system, case_id, modstamp, next_check, updated_at)
  SELECT system, case_id, modstamp, next_check, updated_at FROM tracked_cases;
DROP TABLE tracked_cases;
ALTER TABLE tracked_cases_006 RENAME TO tracked_cases;
CREATE INDEX tracked_cases_by_next_check ON tracked_cases (org, next_check, system, case_id)
  WHERE next_check IS NOT NULL;

CREATE TABLE runs_006 (
  org TEXT NOT NULL DEFAULT 'default', run_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('sync', 'backfill')), started_at BIGINT NOT NULL,
  finished_at BIGINT,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'budget_exhausted',
                                         'interrupted')),
  counters TEXT NOT NULL,
  PRIMARY KEY (org, run_id));
INSERT INTO runs_006 (run_id, kind, started_at, finished_at, status, counters)
  SELECT run_id, kind, started_at, finished_at, status, counters FROM runs;
DROP TABLE runs;
ALTER TABLE runs_006 RENAME TO runs;
CREATE INDEX runs_by_start ON runs (org, started_at, run_id);
CREATE INDEX runs_by_status ON runs (org, status);

CREATE TABLE checkpoints_006 (
  org TEXT NOT NULL DEFAULT 'default', name TEXT NOT NULL, run_id TEXT NOT NULL,
  range_from BIGINT NOT NULL, range_to BIGINT NOT NULL, last_modstamp TEXT NOT NULL,
  last_id TEXT NOT NULL, chunk BIGINT NOT NULL,
  completed BIGINT NOT NULL CHECK (completed IN (0, 1)), data TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (org, name));
INSERT INTO checkpoints_006 (name, run_id, range_from, range_to, last_modstamp, last_id, chunk,
    completed, data, updated_at)
  SELECT name, run_id, range_from, range_to, last_modstamp, last_id, chunk, completed, data,
    updated_at FROM checkpoints;
DROP TABLE checkpoints;
ALTER TABLE checkpoints_006 RENAME TO checkpoints;

CREATE TABLE run_lock_holder_006 (
  org TEXT NOT NULL DEFAULT 'default', id BIGINT NOT NULL CHECK (id = 1), pid BIGINT NOT NULL,
  since BIGINT NOT NULL, run_id TEXT NOT NULL,
  PRIMARY KEY (org, id));
INSERT INTO run_lock_holder_006 (id, pid, since, run_id)
  SELECT id, pid, since, run_id FROM run_lock_holder;
DROP TABLE run_lock_holder;
ALTER TABLE run_lock_holder_006 RENAME TO run_lock_holder;

CREATE TABLE forge_refs_006 (
  org TEXT NOT NULL DEFAULT 'default', kind TEXT NOT NULL, forge_id TEXT NOT NULL,
  ref TEXT NOT NULL, ticket_id TEXT NOT NULL, customer_id TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (org, kind, forge_id));
INSERT INTO forge_refs_006 (kind, forge_id, ref, ticket_id, customer_id, updated_at)
  SELECT kind, forge_id, ref, ticket_id, customer_id, updated_at FROM forge_refs;
DROP TABLE forge_refs;
ALTER TABLE forge_refs_006 RENAME TO forge_refs;
CREATE INDEX forge_refs_by_ref ON forge_refs (org, kind, ref);

CREATE TABLE case_snapshots_006 (
  org TEXT NOT NULL DEFAULT 'default', system TEXT NOT NULL, case_id TEXT NOT NULL,
  created_at BIGINT NOT NULL, snapshot TEXT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (org, system, case_id));
INSERT INTO case_snapshots_006 (system, case_id, created_at, snapshot, updated_at)
  SELECT system, case_id, created_at, snapshot, updated_at FROM case_snapshots;
DROP TABLE case_snapshots;
ALTER TABLE case_snapshots_006 RENAME TO case_snapshots;
CREATE INDEX case_snapshots_by_created ON case_snapshots (org, created_at, system, case_id);
CREATE INDEX case_snapshots_by_case ON case_snapshots (org, case_id);
)sql";
constexpr std::string_view k006OrgsPostgres = R"sql(
ALTER TABLE watermarks ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE watermarks DROP CONSTRAINT watermarks_pkey;
ALTER TABLE watermarks ADD PRIMARY KEY (org, system, object);

ALTER TABLE action_ledger ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE action_ledger DROP CONSTRAINT action_ledger_pkey;
ALTER TABLE action_ledger ADD PRIMARY KEY (org, action_key);
DROP INDEX action_ledger_by_state;
DROP INDEX action_ledger_by_case;
CREATE INDEX action_ledger_by_state ON action_ledger (org, state, action_key);
CREATE INDEX action_ledger_by_case ON action_ledger (org, case_id);

ALTER TABLE case_flags ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE case_flags DROP CONSTRAINT case_flags_pkey;
ALTER TABLE case_flags ADD PRIMARY KEY (org, case_id, seq);
DROP INDEX case_flags_by_started;
DROP INDEX case_flags_by_due;
CREATE INDEX case_flags_by_started ON case_flags (org, started, case_id, seq);
CREATE INDEX case_flags_by_due ON case_flags (org, due, case_id, seq);

ALTER TABLE tracked_cases ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE tracked_cases DROP CONSTRAINT tracked_cases_pkey;
ALTER TABLE tracked_cases ADD PRIMARY KEY (org, system, case_id);
DROP INDEX tracked_cases_by_next_check;
CREATE INDEX tracked_cases_by_next_check ON tracked_cases (org, next_check, system, case_id)
  WHERE next_check IS NOT NULL;

ALTER TABLE runs ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE runs DROP CONSTRAINT runs_pkey;
ALTER TABLE runs ADD PRIMARY KEY (org, run_id);
DROP INDEX runs_by_start;
DROP INDEX runs_by_status;
CREATE INDEX runs_by_start ON runs (org, started_at, run_id);
CREATE INDEX runs_by_status ON runs (org, status);

ALTER TABLE checkpoints ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE checkpoints DROP CONSTRAINT checkpoints_pkey;
ALTER TABLE checkpoints ADD PRIMARY KEY (org, name);

ALTER TABLE run_lock_holder ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE run_lock_holder DROP CONSTRAINT run_lock_holder_pkey;
ALTER TABLE run_lock_holder ADD PRIMARY KEY (org, id);

ALTER TABLE forge_refs ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE forge_refs DROP CONSTRAINT forge_refs_pkey;
ALTER TABLE forge_refs ADD PRIMARY KEY (org, kind, forge_id);
DROP INDEX forge_refs_by_ref;
CREATE INDEX forge_refs_by_ref ON forge_refs (org, kind, ref);

ALTER TABLE case_snapshots ADD COLUMN org TEXT COLLATE "C" NOT NULL DEFAULT 'default';
ALTER TABLE case_snapshots DROP CONSTRAINT case_snapshots_pkey;
ALTER TABLE case_snapshots ADD PRIMARY KEY (org, system, case_id);
DROP INDEX case_snapshots_by_created;
DROP INDEX case_snapshots_by_case;
CREATE INDEX case_snapshots_by_created ON case_snapshots (org, created_at, system, case_id);
CREATE INDEX case_snapshots_by_case ON case_snapshots (org, case_id);
)sql";

// The queue directory of a primary system (issue 13): the queues queues.json names and their ids
// (queue_id "" = not in the org when read), plus queue ids it does not name (name ""), so a run
// reads the org's queues only when one is unknown or the directory is a day old. `org` leads the
// key, as in every table since migration 006.
constexpr std::string_view k008QueueDirectory = R"sql(
CREATE TABLE queue_directory (
  org          ${TEXT} NOT NULL DEFAULT 'default',
  name         ${TEXT} NOT NULL,
  queue_id     ${TEXT} NOT NULL,
  refreshed_at BIGINT NOT NULL,
  PRIMARY KEY (org, name, queue_id)
);
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

constexpr std::array<Migration, 8> kMigrations = {{
    {1, "001_init", k001Init, "", ""},
    {2, "002_audit_append_only", "", k002AuditAppendOnlySqlite, k002AuditAppendOnlyPostgres},
    {3, "003_flag_report_columns", k003FlagReportColumns, "", ""},
    {4, "004_forge_refs", k004ForgeRefs, "", ""},
    {5, "005_case_snapshots", k005CaseSnapshots, "", ""},
    {6, "006_orgs", k006OrgsCommon, k006OrgsSqlite, k006OrgsPostgres},
    {7, "007_work_items", k007WorkItems, "", ""},
    {8, "008_queue_directory", k008QueueDirectory, "", ""},
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
