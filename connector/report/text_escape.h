// Internal: escaping record values for each output format. Every function appends to a
// caller-owned buffer. Invalid UTF-8 in a value (a byte that does not start or continue a
// well-formed sequence) is replaced by U+FFFD, so every output is valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace casebridge::report::report_internal {

/// `s` as a JSON string literal, quotes included: `"`, `\` and control characters escaped.
void AppendJsonString(std::string& out, std::string_view s);

/// `s` as HTML text or attribute value: `& < > " '` become entities; control characters other
/// than tab and newline become U+FFFD.
void AppendHtml(std::string& out, std::string_view s);

/// `s` as the text of a Markdown table cell: line breaks and tabs become spaces and the
/// characters with Markdown or HTML meaning (\ ` * _ [ ] < > | ~ & ! #) are backslash-escaped,
/// so a value renders as the literal text it is.
void AppendMarkdown(std::string& out, std::string_view s);

/// `s` as one RFC 4180 field: quoted (with `"` doubled) when it holds a comma, a quote, CR, LF
/// or leading/trailing spaces. With `formula_guard`, a value starting with `=`, `+`, `-`, `@`,
/// tab or CR gets a leading `'` so spreadsheet programs show it as text instead of running it
/// as a formula (OWASP "CSV injection").
void AppendCsvField(std::string& out, std::string_view s, bool formula_guard);

/// `s` percent-encoded for one URL path segment (unreserved characters stay as they are).
void AppendUrlPathSegment(std::string& out, std::string_view s);

}  // namespace casebridge::report::report_internal
