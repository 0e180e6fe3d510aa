// Internal helpers for reading a JSON configuration file while collecting every problem:
// parsing with line/column errors and duplicate-key detection, and typed accessors that record
// "missing", "wrong type" and "unknown key" problems under a key path instead of failing.
// Used by loader.cc (mappings) and app_config_loader.cc (casebridge.json). Not thread-safe per
// object (a Checker appends to one problem list).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/loader.h"

namespace casebridge::mappings::json_internal {
/// The text of one mapping file and the label that names it in problems.
struct MappingText {
  std::string text;
  std::string label;  // the file's path, or "<shipped defaults>/<name>"
};
/// Reads mapping file `name` of directory `dir`; the embedded shipped default when `dir` is
/// empty or has no such file. Reports a missing/unreadable directory or file under `root_key`
/// and returns nullopt then.
std::optional<MappingText> ReadMappingFile(std::string const& dir, std::string_view name,
                                           std::string_view root_key,
                                           std::vector<Problem>& problems);

using Json = nlohmann::json;

/// "a string", "a number", "null", … for messages.
std::string TypeName(Json const& v);

/// `path.key` (or `key` when path is empty).
std::string Join(std::string_view path, std::string_view key);
/// `path[index]`.
std::string Index(std::string_view path, std::size_t index);

/// Levenshtein distance, for "did you mean …?" suggestions.
std::size_t EditDistance(std::string_view a, std::string_view b);
/// The closest candidate within distance 2 (and less than the word's length), if any.
std::optional<std::string_view> Closest(std::string_view word,
                                        std::initializer_list<std::string_view> candidates);

/// True when `s` looks like an e-mail address: one '@', a non-empty local part, a dotted
/// domain, no spaces.
bool LooksLikeEmail(std::string_view s);

/// kInvalidArgument "<N> problem(s) in the <what>:" followed by every problem, one per line
/// (file and field of the first in the ErrorInfo); OK when `problems` is empty.
Status ProblemsStatus(std::vector<Problem> const& problems, std::string_view what);

/// Collects problems for one file.
/// Config and mappings files nest far less; deeper documents are refused unparsed (issue 12).
inline constexpr std::size_t kMaxJsonDepth = 512;

class Checker {
 public:
  Checker(std::string file, std::vector<Problem>& problems)
      : file_(std::move(file)), problems_(problems) {}

  [[nodiscard]] std::string const& file() const { return file_; }
  /// Problems this checker has added so far.
  [[nodiscard]] std::size_t count() const { return count_; }
  void Add(std::string key, std::string message);

  /// Parses `text` (comments allowed). A document nesting more than kMaxJsonDepth levels is
  /// refused (with the line and column where it gets too deep) before it is parsed. Reports invalid
  /// JSON with line and column (never the offending text, which may be a secret), duplicate keys,
  /// and a non-object root; returns nullopt only when the text is not valid JSON or the root is not
  /// an object.
  std::optional<Json> Parse(std::string_view text, std::string const& root_key);

  /// Reports every key of `obj` not in `known` (with a suggestion when one is close).
  void KnownKeys(Json const& obj, std::string_view path,
                 std::initializer_list<std::string_view> known);

  /// Returns the member or reports it missing; nullptr when missing.
  Json const* Required(Json const& obj, std::string_view path, std::string_view key);

  /// True for an object; else reports "expected an object".
  bool IsObject(Json const& v, std::string_view path);
  bool IsArray(Json const& v, std::string_view path);

  /// A required non-empty string (reports missing, wrong type, empty).
  std::optional<std::string> String(Json const& obj, std::string_view path, std::string_view key);
  /// An optional string: absent or null gives "", a string is returned as is, other types are
  /// reported (and give nullopt).
  std::optional<std::string> OptionalString(Json const& obj, std::string_view path,
                                            std::string_view key);
  /// `v` itself must be a non-empty string.
  std::optional<std::string> StringValue(Json const& v, std::string_view path);

 private:
  std::string file_;
  std::vector<Problem>& problems_;
  std::size_t count_ = 0;
};

}  // namespace casebridge::mappings::json_internal
