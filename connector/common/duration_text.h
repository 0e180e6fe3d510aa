// Durations written by people on the command line: `90s`, `15m`, `1h30m`, `2d`, `1w`.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace casebridge {

/// Parses one or more `<integer><unit>` parts (units s, m, h, d, w), summed: `1h30m` = 5400 s.
/// nullopt for anything else (empty text, a missing unit, an unknown unit, overflow).
std::optional<std::chrono::seconds> ParseDurationText(std::string_view text);

}  // namespace casebridge
