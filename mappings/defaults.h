// The shipped mapping files (mappings/default/*.json), embedded in the binary at build time by
// mappings/embed_defaults.cmake. LoadPolicy("") reads these; `check-config` names them.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace casebridge::mappings {

/// One embedded file: its name (e.g. "rules.json") and its text, exactly as shipped.
struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

/// Every shipped mapping file, sorted by name. Static storage; thread-safe.
std::span<EmbeddedFile const> ShippedMappingFiles();

/// The text of one shipped file by name, or nullopt when there is no such file.
std::optional<std::string_view> ShippedMappingFile(std::string_view name);

/// The label used as the directory of the shipped files in problems and summaries.
inline constexpr std::string_view kShippedMappingsLabel = "<shipped defaults>";

}  // namespace casebridge::mappings
