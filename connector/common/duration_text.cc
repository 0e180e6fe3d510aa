#include "connector/common/duration_text.h"

#include <cstdint>
#include <limits>

namespace casebridge {

std::optional<std::chrono::seconds> ParseDurationText(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 4;
  while (i < text.size()) {
    std::int64_t n = 0;
    std::size_t const start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > kMax / 604800) return std::nullopt;
      ++i;
    }
    if (i == start || i == text.size()) return std::nullopt;
    std::int64_t unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 604800;
        break;
      default:
        return std::nullopt;
    }
    ++i;
    total += n * unit;
    if (total > kMax) return std::nullopt;
  }
  return std::chrono::seconds(total);
}

}  // namespace casebridge
