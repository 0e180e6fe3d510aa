#include "connector/adapters/salesforce_ids.h"

#include <algorithm>
#include <cctype>

namespace casebridge::adapters::sfid {

std::string_view Key(std::string_view id) { return id.size() > 15 ? id.substr(0, 15) : id; }

bool Same(std::string_view a, std::string_view b) {
  return !a.empty() && !b.empty() && Key(a) == Key(b);
}

bool HasPrefix(std::string_view id, std::string_view prefix) {
  return (id.size() == 15 || id.size() == 18) && id.starts_with(prefix) &&
         std::all_of(id.begin(), id.end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; });
}

}  // namespace casebridge::adapters::sfid
