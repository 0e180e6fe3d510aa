#include "connector/adapters/salesforce_ids.h"

#include <algorithm>
#include <cctype>

namespace casebridge::adapters::sfid {

std::string_view Key(std::string_view id) { return id.size() > 15 ? id.substr(0, 15) : id; }

bool Same(std::string_view a, std::string_view b) {
  return !a.empty() && !b.empty() && Key(a) == Key(b);
}

bool ChecksumHolds(std::string_view id) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  for (std::size_t chunk = 0; chunk < 3; ++chunk) {
    unsigned bits = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      char const ch = id[chunk * 5 + i];
      if (ch >= 'A' && ch <= 'Z') bits |= 1U << i;
    }
    char const given = static_cast<char>(std::toupper(static_cast<unsigned char>(id[15 + chunk])));
    if (kAlphabet[bits] != given) return false;
  }
  return true;
}

bool HasPrefix(std::string_view id, std::string_view prefix) {
  return (id.size() == 15 || id.size() == 18) && id.starts_with(prefix) &&
         std::all_of(id.begin(), id.end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; }) &&
         (id.size() == 15 || ChecksumHolds(id));
}

}  // namespace casebridge::adapters::sfid
