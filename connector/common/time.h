// Instants and their ISO-8601 text form. Everything casebridge computes is to the second, in UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace casebridge {

/// A point on the UTC time line, to the second.
using Instant = std::chrono::sys_seconds;

/// Parses an ISO-8601 date-time with an explicit offset: `2026-03-02T14:05:00Z`,
/// `2026-03-02T09:05:00-05:00`, `2026-03-02T14:05:00.000+0000` (Salesforce REST),
/// `2026-03-02T14:05:00.123Z`, `+05` (hours-only offset). A space may replace `T`.
/// Fractional seconds are truncated. A value without an offset is rejected (it would be
/// ambiguous), as is any out-of-range field. Returns nullopt on failure.
std::optional<Instant> ParseInstant(std::string_view text);

/// Parses a calendar date `YYYY-MM-DD` (days since the epoch, no zone attached).
std::optional<std::chrono::sys_days> ParseDate(std::string_view text);

/// `YYYY-MM-DDTHH:MM:SSZ`.
std::string FormatInstant(Instant t);
/// Appends `YYYY-MM-DDTHH:MM:SSZ` to `out` (no allocation beyond the string's growth).
void AppendInstant(std::string& out, Instant t);
/// `YYYY-MM-DD`.
std::string FormatDate(std::chrono::sys_days d);

}  // namespace casebridge
