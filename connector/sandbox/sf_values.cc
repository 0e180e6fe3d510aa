#include "connector/sandbox/sf_values.h"

#include <algorithm>
#include <cctype>

namespace casebridge::sandbox {

std::string FormatRestDateTime(Instant t) {
  std::string s = FormatInstant(t);  // YYYY-MM-DDTHH:MM:SSZ
  s.pop_back();
  s += ".000+0000";
  return s;
}

std::string FormatRestDate(std::chrono::sys_days d) { return FormatDate(d); }

std::optional<std::string> NormalizeDateTimeInput(std::string_view text) {
  if (auto t = ParseInstant(text)) return FormatRestDateTime(*t);
  if (auto d = ParseDate(text)) return FormatRestDateTime(Instant{*d});
  return std::nullopt;
}

std::optional<std::string> NormalizeDateInput(std::string_view text) {
  if (auto d = ParseDate(text)) return FormatRestDate(*d);
  if (auto t = ParseInstant(text)) return FormatRestDate(std::chrono::floor<std::chrono::days>(*t));
  return std::nullopt;
}

std::string DateTimeToCsv(std::string_view stored) {
  if (stored.size() == 28 && stored.substr(23) == "+0000") {
    return std::string(stored.substr(0, 23)) + "Z";
  }
  return std::string(stored);
}

std::optional<Instant> StoredDateTimeToInstant(std::string_view stored) {
  return ParseInstant(stored);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CompareIgnoreCase(a, b) == 0;
}

int CompareIgnoreCase(std::string_view a, std::string_view b) {
  std::size_t const n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    int const ca = std::tolower(static_cast<unsigned char>(a[i]));
    int const cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace casebridge::sandbox
