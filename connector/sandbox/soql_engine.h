// Binds parsed SOQL to the org's schema and evaluates it against the record store:
// field and relationship resolution (case-insensitive), type checks of filter values (as
// Salesforce does: quoted strings only for text and id fields, unquoted date/dateTime
// literals only for fields of that type), WHERE, ORDER BY, LIMIT/OFFSET, child subqueries,
// semi-joins and anti-joins (`ParentId IN (SELECT Id FROM Case WHERE …)`, `NOT IN`; in REST
// queries and Bulk jobs alike; the sub-select runs once per query), COUNT(), and rendering as
// REST JSON records or Bulk CSV rows.
//
// Not thread-safe on its own: the caller holds the org's lock while a query runs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/sandbox/record_store.h"
#include "connector/sandbox/schema.h"

namespace casebridge::sandbox {

struct QueryOptions {
  Instant now{};                 // for TODAY, LAST_N_DAYS:n, … (UTC days)
  bool include_deleted = false;  // queryAll
  std::string api_version = "62.0";
};

struct QueryResult {
  std::string object;
  bool count_only = false;
  std::int64_t total_size = 0;
  std::vector<nlohmann::ordered_json> records;  // REST shape, with "attributes"
};

/// The 15-character key of a selected record.
using RowKey = std::array<char, 15>;

/// The records a REST query selected, in result order, not yet rendered: query cursors keep
/// this and render one page at a time.
struct QuerySelection {
  std::string object;
  bool count_only = false;
  std::int64_t total_size = 0;
  std::vector<RowKey> rows;  // empty for COUNT()
};

struct CsvResult {
  std::string object;
  std::vector<std::string> columns;  // e.g. "Id", "Owner.Name" (SELECT order)
  std::vector<std::vector<std::string>> rows;
};

class SoqlEngine {
 public:
  SoqlEngine(Schema const& schema, RecordStore const& store) : schema_(schema), store_(store) {}

  /// Runs a query for the REST API. Errors carry HTTP 400 and the Salesforce errorCode
  /// (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, INVALID_QUERY_FILTER_OPERATOR,
  /// NUMBER_OUTSIDE_VALID_RANGE) in ErrorInfo::vendor_code.
  [[nodiscard]] StatusOr<QueryResult> Run(std::string_view soql, QueryOptions const& options) const;

  /// The first half of Run: checks the query and selects its records (WHERE, ORDER BY, OFFSET,
  /// LIMIT), using the store's indexes when a top-level condition pins `Id` or a lookup field.
  [[nodiscard]] StatusOr<QuerySelection> Select(std::string_view soql,
                                                QueryOptions const& options) const;

  /// The second half: renders `rows` of a selection of the same query as REST records (with
  /// their child subqueries), from the records' current values. A row whose record no longer
  /// exists (a rolled-back insert) is left out.
  [[nodiscard]] StatusOr<std::vector<nlohmann::ordered_json>> Render(
      std::string_view soql, QueryOptions const& options, std::span<RowKey const> rows) const;

  /// Checks that a query is valid for a Bulk API 2.0 job (no COUNT(), subqueries or OFFSET).
  [[nodiscard]] Status CheckForBulk(std::string_view soql, QueryOptions const& options) const;

  /// Runs a query for a Bulk API 2.0 job: flat CSV values (dateTimes as `…Z`).
  [[nodiscard]] StatusOr<CsvResult> RunForBulk(std::string_view soql,
                                               QueryOptions const& options) const;

 private:
  Schema const& schema_;
  RecordStore const& store_;
};

}  // namespace casebridge::sandbox
