// Salesforce record ids, in one place: 15-character (case-sensitive) and 18-character forms
// name the same record; the first three characters are the object's key prefix.
#pragma once

#include <string>
#include <string_view>

namespace casebridge::adapters::sfid {

inline constexpr std::string_view kCasePrefix = "500";
inline constexpr std::string_view kUserPrefix = "005";

/// The 15-character form of `id` (ids are compared on it).
[[nodiscard]] std::string_view Key(std::string_view id);
/// Whether `a` and `b` name the same record (both non-empty, same 15-character form).
[[nodiscard]] bool Same(std::string_view a, std::string_view b);
/// Whether the last three characters of the 18-character `id` are the checksum of the case of
/// its first 15 (compared case-insensitively).
[[nodiscard]] bool ChecksumHolds(std::string_view id);
/// Whether `id` looks like a Salesforce id of the object with key prefix `prefix`: 15 or 18
/// letters and digits starting with it, an 18-character one with its checksum (Salesforce
/// refuses a whole query naming an id whose checksum is wrong).
[[nodiscard]] bool HasPrefix(std::string_view id, std::string_view prefix);
[[nodiscard]] inline bool IsCaseId(std::string_view id) { return HasPrefix(id, kCasePrefix); }
[[nodiscard]] inline bool IsUserId(std::string_view id) { return HasPrefix(id, kUserPrefix); }

}  // namespace casebridge::adapters::sfid
