#include "connector/report/text_escape.h"

#include <array>
#include <cstdint>

namespace casebridge::report::report_internal {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                       '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};

bool IsContinuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

// Length of the well-formed UTF-8 sequence starting at s[i] (which is >= 0x80), or 0 when it
// is not one (overlong forms, surrogates and values above U+10FFFF are not well-formed).
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  auto const at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char const c = at(0);
  std::size_t const left = s.size() - i;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && IsContinuation(at(1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !IsContinuation(at(1)) || !IsContinuation(at(2))) return 0;
    if (c == 0xE0 && at(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && at(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !IsContinuation(at(1)) || !IsContinuation(at(2)) || !IsContinuation(at(3))) {
      return 0;
    }
    if (c == 0xF0 && at(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && at(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Calls on_ascii(c) for each ASCII byte and appends every valid multi-byte sequence as is
// (invalid bytes become U+FFFD).
template <typename OnAscii>
void ForEachChar(std::string& out, std::string_view s, OnAscii&& on_ascii) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto const c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      on_ascii(static_cast<char>(c));
      ++i;
      continue;
    }
    std::size_t const n = SequenceLength(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  ForEachChar(out, s, [&out](char c) {
    switch (c) {
      case '"':
        out += "\\\"";
        return;
      case '\\':
        out += "\\\\";
        return;
      case '\n':
        out += "\\n";
        return;
      case '\r':
        out += "\\r";
        return;
      case '\t':
        out += "\\t";
        return;
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out += "\\u00";
      out.push_back(kHex.at((static_cast<unsigned char>(c) >> 4U) & 0xFU));
      out.push_back(kHex.at(static_cast<unsigned char>(c) & 0xFU));
      return;
    }
    out.push_back(c);
  });
  out.push_back('"');
}

void AppendHtml(std::string& out, std::string_view s) {
  ForEachChar(out, s, [&out](char c) {
    switch (c) {
      case '&':
        out += "&amp;";
        return;
      case '<':
        out += "&lt;";
        return;
      case '>':
        out += "&gt;";
        return;
      case '"':
        out += "&quot;";
        return;
      case '\'':
        out += "&#39;";
        return;
      case '\t':
      case '\n':
        out.push_back(c);
        return;
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out += kReplacement;
      return;
    }
    out.push_back(c);
  });
}

void AppendMarkdown(std::string& out, std::string_view s) {
  constexpr std::string_view kSpecial = "\\`*_[]<>|~&!#";
  ForEachChar(out, s, [&out, kSpecial](char c) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out.push_back(' ');
      return;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out += kReplacement;
      return;
    }
    if (kSpecial.find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  });
}

void AppendCsvField(std::string& out, std::string_view s, bool formula_guard) {
  bool const guard =
      formula_guard && !s.empty() &&
      (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
  bool const quote = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (quote) out.push_back('"');
  if (guard) out.push_back('\'');
  ForEachChar(out, s, [&out](char c) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  });
  if (quote) out.push_back('"');
}

void AppendUrlPathSegment(std::string& out, std::string_view s) {
  for (char const ch : s) {
    auto const c = static_cast<unsigned char>(ch);
    bool const unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex.at(c >> 4U));
      out.push_back(kHex.at(c & 0xFU));
    }
  }
}

}  // namespace casebridge::report::report_internal
