#include "connector/sandbox/soql_lexer.h"

#include <cctype>

#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

void AppendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of a `YYYY-MM-DD` prefix at s[pos] (10) or 0.
bool LooksLikeDate(std::string_view s, std::size_t pos) {
  if (pos + 10 > s.size()) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    char const c = s[pos + i];
    bool const dash = i == 4 || i == 7;
    if (dash ? c != '-' : !IsDigit(c)) return false;
  }
  return true;
}

}  // namespace

Status SoqlError(std::string_view soql, std::size_t offset, std::string const& error_code,
                 std::string const& description) {
  if (offset > soql.size()) offset = soql.size();
  std::size_t line_start = 0;
  int row = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (soql[i] == '\n') {
      ++row;
      line_start = i + 1;
    }
  }
  std::size_t line_end = soql.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = soql.size();
  std::size_t const column = offset - line_start + 1;
  std::string message(soql.substr(line_start, line_end - line_start));
  message += "\n" + std::string(column - 1, ' ') + "^\nERROR at Row:" + std::to_string(row) +
             ":Column:" + std::to_string(column) + "\n" + description;
  ErrorInfo info;
  info.http_status = 400;
  info.vendor_code = error_code;
  return InvalidArgumentError(std::move(message), std::move(info));
}

StatusOr<std::vector<Token>> TokenizeSoql(std::string_view s) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  auto malformed = [&](std::size_t at, std::string const& what) {
    return SoqlError(s, at, "MALFORMED_QUERY", what);
  };
  while (i < s.size()) {
    char const c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (c == '\'') {
      t.kind = TokenKind::kString;
      std::size_t j = i + 1;
      bool closed = false;
      while (j < s.size()) {
        char const d = s[j];
        if (d == '\'') {
          closed = true;
          ++j;
          break;
        }
        if (d != '\\') {
          t.value.push_back(d);
          t.like_pattern.push_back(d);  // an unescaped % or _ is a LIKE wildcard
          ++j;
          continue;
        }
        if (j + 1 >= s.size()) break;
        char const e = s[j + 1];
        char decoded = 0;
        switch (e) {
          case 'n':
          case 'N':
            decoded = '\n';
            break;
          case 'r':
          case 'R':
            decoded = '\r';
            break;
          case 't':
          case 'T':
            decoded = '\t';
            break;
          case 'b':
          case 'B':
            decoded = '\b';
            break;
          case 'f':
          case 'F':
            decoded = '\f';
            break;
          case '"':
          case '\'':
          case '\\':
            decoded = e;
            break;
          case '%':
          case '_':
            t.like_only_escape = true;
            t.value.push_back(e);
            t.like_pattern += '\\';
            t.like_pattern += e;
            j += 2;
            continue;
          case 'u':
          case 'U': {
            if (j + 6 > s.size()) {
              return malformed(j, "Invalid string literal: incomplete \\u escape sequence");
            }
            unsigned cp = 0;
            for (std::size_t k = j + 2; k < j + 6; ++k) {
              char const h = s[k];
              unsigned v = 0;
              if (IsDigit(h)) {
                v = static_cast<unsigned>(h - '0');
              } else if (h >= 'a' && h <= 'f') {
                v = static_cast<unsigned>(h - 'a' + 10);
              } else if (h >= 'A' && h <= 'F') {
                v = static_cast<unsigned>(h - 'A' + 10);
              } else {
                return malformed(j, "Invalid string literal: bad hex digit in \\u escape");
              }
              cp = cp * 16 + v;
            }
            std::string utf8;
            AppendUtf8(utf8, cp);
            t.value += utf8;
            for (char u : utf8) {
              if (u == '%' || u == '_' || u == '\\') t.like_pattern += '\\';
              t.like_pattern += u;
            }
            j += 6;
            continue;
          }
          default:
            return malformed(
                j, std::string("Invalid string literal. Illegal character sequence '\\") + e +
                       "' in string literal.");
        }
        t.value.push_back(decoded);
        if (decoded == '\\') t.like_pattern += '\\';
        t.like_pattern.push_back(decoded);
        j += 2;
      }
      if (!closed) return malformed(i, "Unterminated string literal");
      t.text = std::string(s.substr(i, j - i));
      i = j;
      tokens.push_back(std::move(t));
      continue;
    }
    if (IsDigit(c) || ((c == '-' || c == '+') && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      if (IsDigit(c) && LooksLikeDate(s, i)) {
        std::size_t j = i + 10;
        if (j < s.size() && s[j] == 'T') {
          while (j < s.size() && (IsDigit(s[j]) || s[j] == ':' || s[j] == '.' || s[j] == 'T' ||
                                  s[j] == 'Z' || s[j] == '+' || s[j] == '-')) {
            ++j;
          }
          std::string_view const text = s.substr(i, j - i);
          // SOQL accepts hh:mm:ss with Z or a ±hh:mm offset (fractional seconds tolerated).
          auto stored = NormalizeDateTimeInput(text);
          bool const has_offset = text.back() == 'Z' ||
                                  (text.size() >= 6 && text[text.size() - 3] == ':' &&
                                   (text[text.size() - 6] == '+' || text[text.size() - 6] == '-'));
          if (!stored || !has_offset) {
            return malformed(i,
                             "invalid dateTime literal '" + std::string(text) +
                                 "' (expected YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+hh:mm)");
          }
          t.kind = TokenKind::kDateTime;
          t.text = std::string(text);
          t.value = *stored;
        } else {
          std::string_view const text = s.substr(i, 10);
          if (!ParseDate(text))
            return malformed(i, "invalid date literal '" + std::string(text) + "'");
          t.kind = TokenKind::kDate;
          t.text = std::string(text);
          t.value = t.text;
        }
        i = j > i + 10 ? j : i + 10;
        if (i < s.size() && IsIdentChar(s[i])) {
          return malformed(i, "unexpected character after date literal");
        }
        tokens.push_back(std::move(t));
        continue;
      }
      std::size_t j = i + 1;
      while (j < s.size() && IsDigit(s[j])) ++j;
      if (j < s.size() && s[j] == '.' && j + 1 < s.size() && IsDigit(s[j + 1])) {
        ++j;
        while (j < s.size() && IsDigit(s[j])) ++j;
      }
      if (j < s.size() && IsIdentChar(s[j])) {
        return malformed(j, "unexpected token: '" + std::string(s.substr(i, j - i + 1)) + "'");
      }
      t.kind = TokenKind::kNumber;
      t.text = std::string(s.substr(i, j - i));
      t.value = t.text;
      i = j;
      tokens.push_back(std::move(t));
      continue;
    }
    if (IsIdentStart(c)) {
      std::size_t j = i + 1;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      t.kind = TokenKind::kIdent;
      t.text = std::string(s.substr(i, j - i));
      t.value = t.text;
      if (t.text.back() == '.' || t.text.find("..") != std::string::npos) {
        return malformed(i, "unexpected token: '" + t.text + "'");
      }
      i = j;
      tokens.push_back(std::move(t));
      continue;
    }
    auto two = s.substr(i, 2);
    if (two == "!=" || two == "<>") {
      t.kind = TokenKind::kNe;
    } else if (two == "<=") {
      t.kind = TokenKind::kLe;
    } else if (two == ">=") {
      t.kind = TokenKind::kGe;
    }
    if (t.kind != TokenKind::kEnd) {
      t.text = std::string(two);
      i += 2;
      tokens.push_back(std::move(t));
      continue;
    }
    switch (c) {
      case '(':
        t.kind = TokenKind::kLParen;
        break;
      case ')':
        t.kind = TokenKind::kRParen;
        break;
      case ',':
        t.kind = TokenKind::kComma;
        break;
      case ':':
        t.kind = TokenKind::kColon;
        break;
      case '=':
        t.kind = TokenKind::kEq;
        break;
      case '<':
        t.kind = TokenKind::kLt;
        break;
      case '>':
        t.kind = TokenKind::kGt;
        break;
      default:
        return malformed(i, std::string("unexpected character: '") + c + "'");
    }
    t.text = std::string(1, c);
    ++i;
    tokens.push_back(std::move(t));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.offset = s.size();
  tokens.push_back(std::move(end));
  return tokens;
}

}  // namespace casebridge::sandbox
