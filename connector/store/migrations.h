// Internal: the numbered schema migrations and their runner.
//
// Each migration is portable SQL with a few `${TOKEN}`s that the dialect fills in (see
// migrations.cc), plus optional engine-specific statements. Migrations are applied at start-up,
// all pending ones in one transaction, each recorded in `schema_migrations` (version, name,
// applied_at). Concurrent openers are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
// transaction-scoped advisory lock), so exactly one applies them.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "connector/store/sql_connection.h"

namespace casebridge::store::store_internal {

struct Migration {
  int version;
  std::string_view name;          // "001_init"
  std::string_view common_sql;    // with ${TOKEN}s
  std::string_view sqlite_sql;    // appended on SQLite
  std::string_view postgres_sql;  // appended on PostgreSQL
};

/// Every migration this build knows, by increasing version.
std::span<Migration const> AllMigrations();

/// The SQL script of `migration` for `dialect`.
std::string RenderMigration(Migration const& migration, Dialect dialect);

/// Applies the pending migrations. kFailedPrecondition when the database records a version this
/// build does not know (a newer casebridge migrated it) or a known version under another name.
Status ApplyMigrations(SqlConnection& conn);

}  // namespace casebridge::store::store_internal
