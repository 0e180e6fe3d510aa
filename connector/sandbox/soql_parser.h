// SOQL parser for the emulator: a recursive-descent parser over TokenizeSoql's tokens that
// builds the syntax tree below. It checks syntax only; SoqlEngine binds names to the schema.
//
// Grammar (keywords case-insensitive):
//   query     := SELECT items FROM name [WHERE cond] [ORDER BY order {, order}]
//                [LIMIT int] [OFFSET int]
//   items     := item {, item};  item := COUNT() | path | '(' subquery ')'
//   cond      := term {AND term} | term {OR term}   -- mixing AND/OR needs parentheses
//   term      := NOT term | '(' cond ')' | path op value | path [NOT] IN '(' value {, value} ')'
//                | path [NOT] IN '(' semijoin ')' | path LIKE string
//   semijoin  := SELECT field FROM name [WHERE cond]   -- no ORDER BY, LIMIT, OFFSET, COUNT(),
//                                                       -- child subquery or nested semi-join
//   value     := string | number | TRUE | FALSE | NULL | date | dateTime | TODAY | YESTERDAY
//                | TOMORROW | LAST_N_DAYS:n | NEXT_N_DAYS:n | N_DAYS_AGO:n
//   order     := path [ASC|DESC] [NULLS FIRST|LAST]
//
// Semi-joins (`Id IN (SELECT ParentId FROM EmailMessage …)`) and anti-joins (`NOT IN`) follow
// Salesforce's rules where they are syntactic: the left operand is a plain field (no
// relationship path), the sub-select selects exactly one plain field, sub-selects do not nest,
// a WHERE holds at most two of them, and they may not appear under OR or NOT. The type rules
// (id/reference fields, matching object types, different inner and outer objects) are checked
// by SoqlEngine when it binds the query.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"

namespace casebridge::sandbox {

struct FieldRef {
  std::vector<std::string> parts;  // "Owner.Name" -> {"Owner", "Name"}
  std::string text;
  std::size_t offset = 0;
};

struct SoqlValue {
  enum class Kind { kString, kNumber, kBoolean, kNull, kDate, kDateTime, kDateLiteral };
  Kind kind = Kind::kNull;
  std::string text;          // kString: decoded; kDate: YYYY-MM-DD; kDateTime: stored form;
                             // kDateLiteral: upper-case name (TODAY, LAST_N_DAYS, …)
  std::string like_pattern;  // kString
  bool like_only_escape = false;
  double number = 0;
  bool boolean = false;
  int n = 0;  // kDateLiteral: the :n argument
  std::string source;
  std::size_t offset = 0;
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct SoqlQuery;

struct SoqlCondition {
  enum class Kind { kAnd, kOr, kNot, kCompare, kIn, kNotIn, kLike };
  Kind kind = Kind::kCompare;
  std::vector<std::shared_ptr<SoqlCondition>> children;  // kAnd/kOr/kNot
  FieldRef field;
  CompareOp op = CompareOp::kEq;
  std::vector<SoqlValue> values;  // one for kCompare/kLike, the list for kIn/kNotIn
  /// kIn/kNotIn with a sub-select (semi-join / anti-join) instead of `values`.
  std::shared_ptr<SoqlQuery> semi_join;
  std::size_t semi_join_offset = 0;  // the sub-select's SELECT, for error messages
};

struct SoqlOrder {
  FieldRef field;
  bool descending = false;
  std::optional<bool> nulls_first;
};

struct SoqlQuery;

struct SoqlSelectItem {
  enum class Kind { kField, kSubquery, kCount };
  Kind kind = Kind::kField;
  FieldRef field;
  std::shared_ptr<SoqlQuery> subquery;
  std::size_t offset = 0;
};

struct SoqlQuery {
  std::vector<SoqlSelectItem> select;
  std::string from;
  std::size_t from_offset = 0;
  std::shared_ptr<SoqlCondition> where;
  std::vector<SoqlOrder> order_by;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
  std::size_t limit_offset = 0;  // source offsets, for error messages
  std::size_t offset_offset = 0;
  bool count_only = false;
};

/// Parses one SOQL statement. Errors: HTTP 400 MALFORMED_QUERY with row/column.
StatusOr<SoqlQuery> ParseSoql(std::string_view soql);

}  // namespace casebridge::sandbox
