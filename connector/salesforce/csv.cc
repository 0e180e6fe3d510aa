#include "connector/salesforce/csv.h"

namespace casebridge::salesforce {

bool CsvReader::Fail(std::string message) {
  ErrorInfo info;
  info.line = static_cast<decltype(info.line)>(line_);
  status_ =
      InvalidArgumentError("CSV line " + std::to_string(line_) + ": " + std::move(message), info);
  pos_ = text_.size();
  return false;
}

bool CsvReader::Next(std::vector<std::string>& fields) {
  if (!status_.ok() || pos_ >= text_.size()) return false;
  std::size_t used = 0;
  auto next_field = [&]() -> std::string& {
    if (used == fields.size()) fields.emplace_back();
    auto& f = fields[used++];
    f.clear();
    return f;
  };
  std::size_t const record_line = line_;
  for (;;) {
    auto& field = next_field();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      // Quoted field.
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size()) {
          line_ = record_line;
          return Fail("unterminated quoted field");
        }
        char const c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
        ++pos_;
      }
      if (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n' &&
          text_[pos_] != '\r') {
        return Fail("unexpected text after a closing quote");
      }
    } else {
      // Unquoted field: up to the delimiter or the end of the line.
      while (pos_ < text_.size()) {
        char const c = text_[pos_];
        if (c == delimiter_ || c == '\n' || c == '\r') break;
        if (c == '"') return Fail("quote inside an unquoted field");
        field.push_back(c);
        ++pos_;
      }
    }
    if (pos_ >= text_.size()) break;
    char const c = text_[pos_];
    if (c == delimiter_) {
      ++pos_;
      continue;
    }
    // End of record: LF or CRLF (a lone CR is accepted as a line end as well).
    ++pos_;
    if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    break;
  }
  fields.resize(used);
  return true;
}

StatusOr<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text, char delimiter) {
  CsvReader reader(text, delimiter);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (reader.Next(fields)) rows.push_back(fields);
  if (!reader.status().ok()) return reader.status();
  return rows;
}

}  // namespace casebridge::salesforce
