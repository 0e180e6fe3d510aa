// Internal: the small SQL seam both engines implement, so the store logic is written once.
//
// Statements are written with `?` placeholders (the PostgreSQL connection rewrites them to
// `$1..$n`) and only portable SQL; every dialect difference lives in Dialect* helpers below and
// in migrations.cc. Prepared statements are cached by their text and reused.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "connector/common/status.h"
#include "connector/common/time.h"

namespace casebridge::store::store_internal {

enum class Dialect : std::uint8_t { kSqlite, kPostgres };

/// A bound parameter: NULL, an integer or text. Text is a view: the referenced characters must
/// stay alive until Execute returns.
class SqlValue {
 public:
  SqlValue() = default;                     // NULL
  SqlValue(std::nullptr_t) {}               // NOLINT(google-explicit-constructor)
  SqlValue(std::int64_t v) : v_(v) {}       // NOLINT(google-explicit-constructor)
  SqlValue(int v) : v_(std::int64_t{v}) {}  // NOLINT(google-explicit-constructor)
  SqlValue(std::string_view v) : v_(v) {}   // NOLINT(google-explicit-constructor)
  SqlValue(std::string const& v) : v_(std::string_view(v)) {}  // NOLINT
  SqlValue(char const* v) : v_(std::string_view(v)) {}         // NOLINT
  SqlValue(std::string&&) = delete;                            // would dangle

  static SqlValue Time(Instant t) { return SqlValue(std::int64_t{t.time_since_epoch().count()}); }
  static SqlValue Time(std::optional<Instant> const& t) { return t ? Time(*t) : SqlValue(); }
  template <typename T>
  static SqlValue Opt(std::optional<T> const& v) {
    return v ? SqlValue(*v) : SqlValue();
  }

  [[nodiscard]] bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  [[nodiscard]] bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }
  [[nodiscard]] std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  [[nodiscard]] std::string_view as_text() const { return std::get<std::string_view>(v_); }

 private:
  std::variant<std::monostate, std::int64_t, std::string_view> v_;
};

/// The current row of a result; valid only during the row callback.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  [[nodiscard]] virtual bool IsNull(int col) const = 0;
  [[nodiscard]] virtual std::int64_t Int(int col) const = 0;
  [[nodiscard]] virtual std::string_view Text(int col) const = 0;

  [[nodiscard]] Instant Time(int col) const { return Instant(std::chrono::seconds(Int(col))); }
  [[nodiscard]] std::optional<Instant> OptTime(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Time(col);
  }
  [[nodiscard]] std::optional<std::int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }
  [[nodiscard]] std::string String(int col) const { return std::string(Text(col)); }
};

using RowCallback = std::function<Status(SqlRow const&)>;

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  [[nodiscard]] virtual Dialect dialect() const = 0;

  /// Runs statements without parameters or results (DDL, BEGIN/COMMIT...).
  virtual Status ExecScript(std::string const& sql) = 0;

  /// Runs one statement. Rows are passed one at a time to `on_row` (ignored when empty); a
  /// non-OK status from it stops the statement and is returned. Returns the number of rows the
  /// statement changed (DML) or 0. `cache` = keep the prepared statement for reuse (use false
  /// for statements whose text varies).
  virtual StatusOr<std::int64_t> Execute(std::string const& sql, std::span<SqlValue const> params,
                                         RowCallback const& on_row = {}, bool cache = true) = 0;

  StatusOr<std::int64_t> Execute(std::string const& sql, std::initializer_list<SqlValue> params,
                                 RowCallback const& on_row = {}, bool cache = true) {
    return Execute(sql, std::span<SqlValue const>(params.begin(), params.size()), on_row, cache);
  }
};

/// "BEGIN IMMEDIATE" (SQLite: take the write lock now, no upgrade deadlock) or "BEGIN".
inline std::string DialectBeginSql(Dialect d) {
  return d == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
}

/// An integer expression for the database server's current time in epoch seconds (used only
/// for `schema_migrations.applied_at`, which is written before any caller time exists).
inline std::string DialectNowEpochSql(Dialect d) {
  return d == Dialect::kSqlite ? "CAST(strftime('%s','now') AS INTEGER)"
                               : "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)";
}

}  // namespace casebridge::store::store_internal
