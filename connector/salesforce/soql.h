// Building SOQL from data so that no value from a record can change a query.
//
// Every value goes through Soql::Literal()/Soql::Value(), which escape exactly as Salesforce
// documents for quoted strings (salesforce-api.md 2.3): `\'`, `\"`, `\\`, `\n`, `\r`, `\t`,
// `\b`, `\f`, and `\uXXXX` for any other control character; bytes >= 0x80 (UTF-8) pass through
// unchanged. LikeLiteral() additionally escapes the wildcards `%` and `_`. dateTime literals are
// unquoted UTC `YYYY-MM-DDTHH:MM:SSZ`, dates `YYYY-MM-DD`. Object and field names are validated
// against `[A-Za-z0-9_.]` (no leading digit, no empty segment) instead of being escaped: a name
// that does not match is rejected, never spliced into the query.
//
// Example:
//   auto soql = SoqlBuilder()
//                   .Select({"Id", "CaseNumber", "Owner.Name"})
//                   .From("Case")
//                   .Where("Status", "=", std::string("New"))
//                   .Where("SystemModstamp", ">", watermark)
//                   .WhereIn("Id", ids)
//                   .OrderBy("SystemModstamp")
//                   .Build();  // StatusOr<std::string>
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"
#include "connector/salesforce/field_value.h"

namespace casebridge::salesforce {

enum class LikeMatch : std::uint8_t { kExact, kPrefix, kSuffix, kContains };

class Soql {
 public:
  /// `'…'` with the value escaped (see the file comment).
  static std::string Literal(std::string_view value);
  /// A LIKE pattern literal: the value escaped like Literal() plus `%`→`\%`, `_`→`\_`, then the
  /// wildcards `match` asks for (kPrefix: `'value%'`, kContains: `'%value%'`, …).
  static std::string LikeLiteral(std::string_view value, LikeMatch match = LikeMatch::kExact);
  /// `2026-03-02T14:05:00Z` (unquoted).
  static std::string DateTime(Instant t);
  /// `2026-03-02` (unquoted).
  static std::string Date(std::chrono::sys_days d);
  /// Any FieldValue as a literal: strings quoted and escaped, numbers, true/false, null, dates.
  static std::string Value(FieldValue const& v);
  /// `field IN ('a','b',…)`. kInvalidArgument for an invalid field path or no values (SOQL has no
  /// empty IN list).
  static StatusOr<std::string> In(std::string_view field, std::vector<std::string> const& values);
};

/// A SELECT statement built from validated names and escaped values. Conditions are ANDed.
/// Invalid names or operators are remembered and reported by Build() (kInvalidArgument naming the
/// offending name), so a chain never produces a partially built query. Not thread-safe.
class SoqlBuilder {
 public:
  SoqlBuilder& Select(std::vector<std::string> const& fields);
  SoqlBuilder& From(std::string_view object);
  /// `field op value`; op is one of = != < <= > >= LIKE (value is then a LikeLiteral
  /// with match kExact; use WhereLike for wildcards).
  SoqlBuilder& Where(std::string_view field, std::string_view op, FieldValue const& value);
  SoqlBuilder& WhereLike(std::string_view field, std::string_view value, LikeMatch match);
  SoqlBuilder& WhereIn(std::string_view field, std::vector<std::string> const& values);
  SoqlBuilder& OrderBy(std::string_view field, bool ascending = true);
  SoqlBuilder& Limit(std::int64_t n);

  /// The statement, or the first problem recorded.
  [[nodiscard]] StatusOr<std::string> Build() const;
  /// `SELECT COUNT() FROM <object> WHERE <same conditions>` — sizes the result of Build().
  [[nodiscard]] StatusOr<std::string> BuildCount() const;

 private:
  void Fail(std::string message);

  std::vector<std::string> fields_;
  std::string object_;
  std::vector<std::string> conditions_;
  std::vector<std::string> order_by_;
  std::optional<std::int64_t> limit_;
  std::optional<std::string> error_;
};

}  // namespace casebridge::salesforce
