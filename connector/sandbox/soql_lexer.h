// SOQL tokenizer for the emulator. Keywords are not distinguished here (identifiers are
// matched case-insensitively by the parser). String literals are decoded with the official
// escape table; `\%` and `\_` are kept apart for LIKE patterns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"

namespace casebridge::sandbox {

enum class TokenKind {
  kIdent,     // letters, digits, `_` and `.` (a dotted field path is one token)
  kString,    // '…'
  kNumber,    // 12, -3, 4.5
  kDate,      // 2026-03-02
  kDateTime,  // 2026-03-02T14:05:00Z, …+05:00
  kLParen,
  kRParen,
  kComma,
  kColon,
  kEq,
  kNe,  // != or <>
  kLt,
  kLe,
  kGt,
  kGe,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;               // source text of the token
  std::string value;              // kIdent: text; kString: decoded value; kDateTime: stored form
  std::string like_pattern;       // kString: pattern where `\` escapes the next character
  bool like_only_escape = false;  // kString used `\%` or `\_` (valid in LIKE only)
  std::size_t offset = 0;         // byte offset in the query
};

/// Splits a SOQL statement into tokens (always ending with kEnd). Errors are
/// MALFORMED_QUERY (vendor_code) with the row/column of the offending character.
StatusOr<std::vector<Token>> TokenizeSoql(std::string_view soql);

/// Builds a SOQL error Status: HTTP 400, `error_code` as vendor code, and a message in the
/// Salesforce style: the query line, a caret, "ERROR at Row:r:Column:c" and `description`.
Status SoqlError(std::string_view soql, std::size_t offset, std::string const& error_code,
                 std::string const& description);

}  // namespace casebridge::sandbox
