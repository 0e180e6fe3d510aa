// Internal: SqlConnection over one SQLite database handle (multi-thread mode: one thread at a
// time, which the store's contract already requires).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "connector/store/sql_connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace casebridge::store::store_internal {

class SqliteConnection final : public SqlConnection {
 public:
  /// Opens (creating) the database file at `path`, or a private in-memory database for
  /// ":memory:". A new file is created 0600 (owner only, whatever the umask; SQLite gives its
  /// -wal and -shm files the same mode); an existing file keeps its mode. Files get WAL
  /// journaling, synchronous=NORMAL, foreign keys on and a busy timeout of `busy_timeout_ms`.
  /// kInvalidArgument when `path` cannot hold a database (missing or unwritable directory, a
  /// directory, not a SQLite file); kUnavailable when the file cannot be opened otherwise.
  static StatusOr<std::unique_ptr<SqliteConnection>> Open(std::string const& path,
                                                          int busy_timeout_ms = 5000);
  ~SqliteConnection() override;
  SqliteConnection(SqliteConnection const&) = delete;
  SqliteConnection& operator=(SqliteConnection const&) = delete;

  [[nodiscard]] Dialect dialect() const override { return Dialect::kSqlite; }
  Status ExecScript(std::string const& sql) override;
  using SqlConnection::Execute;
  StatusOr<std::int64_t> Execute(std::string const& sql, std::span<SqlValue const> params,
                                 RowCallback const& on_row, bool cache) override;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Status Error(int rc, std::string_view what) const;

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace casebridge::store::store_internal
