// Query results as the client hands them out, and write results.
//
// Query pages are parsed with simdjson's on-demand API: the page body is scanned once and each
// record is handed out as the raw JSON text of its object (a view into the page body, valid
// during the page callback). FlattenRecord() turns one record into `path → text value` pairs,
// the same shape Bulk API CSV rows have, so callers can treat both alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"

namespace casebridge::salesforce {

/// One page of a REST query result.
struct QueryPage {
  std::int64_t total_size = 0;
  bool done = true;
  int page_number = 0;                    // 1-based
  std::vector<std::string_view> records;  // raw JSON objects, valid during the callback
};

/// The parts of a page body the client needs.
struct ParsedQueryPage {
  std::int64_t total_size = 0;
  bool done = true;
  std::string next_records_url;
  std::vector<std::string_view> records;  // views into the parsed body
};

/// Parses a `/query` page (`{"totalSize","done","nextRecordsUrl","records":[…]}`, any field
/// order). `body` may be grown in capacity for simdjson's padding but its content is unchanged;
/// the record views point into it. Errors: kInternal naming `endpoint` for a body that is not
/// such a page (MalformedBody()).
StatusOr<ParsedQueryPage> ParseQueryPage(std::string& body, std::string_view endpoint);

/// A record as (field path, value text) pairs: nested relationship objects become dotted paths
/// (`Owner.Name`), `attributes` is dropped, null is nullopt, booleans are "true"/"false", numbers
/// their JSON text, strings unescaped. A child-relationship result (`{"records":[…]}`) or an
/// array stays one entry holding its raw JSON.
struct FlatField {
  std::string name;
  std::optional<std::string> value;
};
using FlatRecord = std::vector<FlatField>;

/// Flattens one record's JSON text. kInvalidArgument if it is not a JSON object.
StatusOr<FlatRecord> FlattenRecord(std::string_view record_json);

/// The value of `name` in a flat record (case-sensitive), nullopt if absent or null.
std::optional<std::string> FindField(FlatRecord const& record, std::string_view name);

/// One error of one record in an sObject Collections / upsert result.
struct RecordError {
  std::string status_code;  // e.g. REQUIRED_FIELD_MISSING, UNABLE_TO_LOCK_ROW
  std::string message;
  std::vector<std::string> fields;
};

/// The outcome for one of the caller's records, at the caller's index.
struct RecordResult {
  bool attempted = false;  // false when the call carrying it was never answered (see WriteResult)
  bool success = false;
  std::string id;
  std::optional<bool> created;  // upserts: true = inserted, false = updated
  std::vector<RecordError> errors;
};

/// Results of a batched write, one per input record in input order. `status` is OK when every
/// call was answered (individual records may still have failed: check `records[i].success`);
/// otherwise it is the error that stopped the batch, and the records of that call and all later
/// calls have attempted == false (earlier calls' results are kept so progress can be saved).
struct WriteResult {
  std::vector<RecordResult> records;
  Status status;
  int calls = 0;  // collection requests answered
  [[nodiscard]] std::size_t succeeded() const;
  [[nodiscard]] std::size_t failed() const;  // attempted but not successful
};

}  // namespace casebridge::salesforce
