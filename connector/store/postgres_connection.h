// Internal: SqlConnection over one libpq session. Statements with `?` placeholders are rewritten
// to `$n`; cached statements are prepared once per session under generated names; rows are read
// in single-row mode so a streamed result never sits whole in memory.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "connector/store/sql_connection.h"

struct pg_conn;

namespace casebridge::store::store_internal {

class PostgresConnection final : public SqlConnection {
 public:
  /// Connects with a libpq connection URI. `redacted_url` names the server in errors and
  /// `secrets` (the password, if any) are scrubbed from every message. kInvalidArgument for a
  /// malformed URI, kUnavailable when the server cannot be reached or refuses the login,
  /// kFailedPrecondition for a server older than PostgreSQL 12.
  static StatusOr<std::unique_ptr<PostgresConnection>> Connect(std::string const& url,
                                                               std::string const& redacted_url,
                                                               std::vector<std::string> secrets);
  ~PostgresConnection() override;
  PostgresConnection(PostgresConnection const&) = delete;
  PostgresConnection& operator=(PostgresConnection const&) = delete;

  [[nodiscard]] Dialect dialect() const override { return Dialect::kPostgres; }
  Status ExecScript(std::string const& sql) override;
  using SqlConnection::Execute;
  StatusOr<std::int64_t> Execute(std::string const& sql, std::span<SqlValue const> params,
                                 RowCallback const& on_row, bool cache) override;

 private:
  PostgresConnection(pg_conn* conn, std::vector<std::string> secrets)
      : conn_(conn), secrets_(std::move(secrets)) {}
  [[nodiscard]] std::string Scrub(std::string message) const;
  [[nodiscard]] Status ConnectionError(std::string_view what) const;
  void CancelRunningQuery();

  pg_conn* conn_;
  std::vector<std::string> secrets_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

/// `?` -> `$1..$n` outside quoted literals and identifiers; sets `count` to n.
std::string RewritePlaceholders(std::string_view sql, int& count);

}  // namespace casebridge::store::store_internal
