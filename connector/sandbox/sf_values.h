// How the emulator stores and prints Salesforce field values.
//
// A dateTime is stored in the REST JSON form `2026-03-02T14:05:00.000+0000` (always UTC, fixed
// width, so stored values compare as strings); a date as `2026-03-02`. Bulk CSV prints
// dateTimes as `2026-03-02T14:05:00.000Z`.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "connector/common/time.h"

namespace casebridge::sandbox {

/// `2026-03-02T14:05:00.000+0000`.
std::string FormatRestDateTime(Instant t);

/// `2026-03-02` (the UTC day of `t`).
std::string FormatRestDate(std::chrono::sys_days d);

/// Parses any ISO-8601 dateTime with an offset (or a bare date, meaning midnight UTC) into
/// the stored form. Nullopt when unparseable.
std::optional<std::string> NormalizeDateTimeInput(std::string_view text);

/// Parses `YYYY-MM-DD` (or a dateTime, whose UTC day is taken) into the stored date form.
std::optional<std::string> NormalizeDateInput(std::string_view text);

/// Stored dateTime -> the Bulk CSV form (`…000Z`).
std::string DateTimeToCsv(std::string_view stored);

/// Stored dateTime -> Instant (nullopt if not a stored dateTime).
std::optional<Instant> StoredDateTimeToInstant(std::string_view stored);

/// ASCII lower-case copy.
std::string Lower(std::string_view s);

/// Case-insensitive ASCII equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

/// Case-insensitive three-way comparison (ASCII), <0, 0, >0.
int CompareIgnoreCase(std::string_view a, std::string_view b);

}  // namespace casebridge::sandbox
