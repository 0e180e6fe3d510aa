// RFC 4180 CSV reading for Bulk API 2.0 query results.
//
// Records end at LF or CRLF. A field may be enclosed in double quotes and then contain the
// delimiter, CR, LF and doubled quotes (`""` → `"`). A final line break does not start a record;
// an empty line inside the text is a record with one empty field (a single-column row whose value
// is null). A quote inside an unquoted field, text after a closing quote, and an unterminated
// quoted field are errors naming the 1-based line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"

namespace casebridge::salesforce {

/// Reads records one at a time from a complete CSV text (which must outlive the reader).
/// Not thread-safe.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text, char delimiter = ',')
      : text_(text), delimiter_(delimiter) {}

  /// Reads the next record into `fields` (reusing its strings). False at the end of the text or
  /// on an error (then status() is not OK).
  bool Next(std::vector<std::string>& fields);
  [[nodiscard]] Status const& status() const { return status_; }
  /// 1-based line number where the next record starts.
  [[nodiscard]] std::size_t line() const { return line_; }

 private:
  bool Fail(std::string message);

  std::string_view text_;
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  Status status_;
};

/// Convenience: all records of `text` (header included). kInvalidArgument on malformed CSV.
StatusOr<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text,
                                                         char delimiter = ',');

}  // namespace casebridge::salesforce
