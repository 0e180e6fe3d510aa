// Salesforce record ids: 15-character case-sensitive ids and their 18-character
// case-insensitive form (the 15 characters plus a 3-character checksum that encodes which of
// them are upper case). The first three characters are the object's key prefix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace casebridge::sandbox {

/// The 3-character checksum suffix of a 15-character id.
std::string IdChecksum(std::string_view id15);

/// Returns the canonical 18-character id for a 15- or 18-character id, or nullopt when `id`
/// is not 15/18 ASCII alphanumerics or its checksum does not match. An 18-character id is
/// case-insensitive: its checksum restores the case of the first 15 characters.
std::optional<std::string> NormalizeId(std::string_view id);

/// The case-sensitive 15-character key of a valid id (see NormalizeId), or nullopt.
std::optional<std::string> IdKey(std::string_view id);

/// True when both are valid ids of the same record (15/18 characters, any case for 18).
bool SameId(std::string_view a, std::string_view b);

/// Builds an 18-character id: `prefix` (3 chars) + pod "Dn" + "0" + `sequence` in base 62.
std::string MakeId(std::string_view prefix, std::uint64_t sequence);

}  // namespace casebridge::sandbox
