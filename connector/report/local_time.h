// Internal: wall-clock time in the business calendar's zone for report columns, report ranges
// given as dates, and ISO-week grouping. Uses the OS tz database through date/tz.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "connector/common/status.h"
#include "connector/common/time.h"

namespace date {
class time_zone;
}  // namespace date

namespace casebridge::report::report_internal {

/// Converts instants to local wall time in one IANA zone. Caches the current UTC-offset period,
/// so converting instants in time order costs a comparison. Not thread-safe (the cache).
class LocalTime {
 public:
  /// kInvalidArgument naming the zone when the tz database does not know it.
  static StatusOr<LocalTime> Create(std::string const& zone_name);

  [[nodiscard]] std::string const& zone_name() const { return name_; }

  /// Appends `YYYY-MM-DD HH:MM:SS` (local wall time, no offset: spreadsheets read it as a
  /// date-time).
  void Append(std::string& out, Instant t);
  /// The local calendar date of `t`.
  std::chrono::sys_days LocalDate(Instant t);
  /// The instant local midnight begins on `day` (the first instant of the day when a DST change
  /// skips midnight).
  [[nodiscard]] Instant StartOfDay(std::chrono::sys_days day) const;

 private:
  LocalTime(date::time_zone const* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
  std::chrono::seconds Offset(Instant t);

  date::time_zone const* zone_;
  std::string name_;
  Instant begin_ = Instant::max();  // the cached period [begin_, end_) and its offset
  Instant end_ = Instant::min();
  std::chrono::seconds offset_{0};
};

/// ISO-8601 week of a date: the Monday it starts on and its label, e.g. `2026-W12`.
struct IsoWeek {
  std::chrono::sys_days monday;
  int year = 0;
  int week = 0;
  [[nodiscard]] std::string Label() const;
};
IsoWeek IsoWeekOf(std::chrono::sys_days day);

}  // namespace casebridge::report::report_internal
