// The business calendar of SPEC 1.1, on the IANA tz database (Howard Hinnant's date/tz).
//
//   due(start, H)   = earliest t >= start such that business time in [start, t) equals H;
//   elapsed(a, b)   = business time in [a, b), 0 when b <= a.
// Business time is the real time (UTC seconds) inside the local-wall-clock windows
// [opens, closes) of open days that are not holidays. Immutable and thread-safe after Create().
//
// Local wall times that do not map to exactly one instant (DST changes):
//   * a local opening or closing time inside a gap (spring forward) is the first instant after
//     the gap, i.e. the transition itself;
//   * one inside an overlap (fall back) is the earlier of its two instants.
// A window therefore holds the real time between its two instants: 9 hours, or 8/10 hours when
// a change falls inside it.
//
// The zone's rules come from the OS tzdb (/usr/share/zoneinfo). After the last transition stored
// in a zone file (2037 for Debian's files) the file's POSIX TZ footer rule is applied, so DST
// stays right in later years; date/tz alone would freeze the last offset.
//
// Range: business time is counted only inside [kEarliest, kLatest) (the years 0000-9999 that
// ISO-8601 text can carry). Due() returns kNever when the requested business time does not fit
// before kLatest.
//
// Cost: Create() precomputes every day's window for the local years 1970-2100 (about 1.1 MB,
// well under a millisecond), so Due() and Elapsed() there are a few array reads; instants outside
// that span are computed day by day through the zone rules. Copies share the precomputed data.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "mappings/policy.h"

namespace casebridge::engine {

/// One stretch of [start, due) as ExplainDue() walked it.
struct CalendarSpan {
  enum class Kind : std::uint8_t {
    kCounted,      // business time counted towards the duration
    kClosedHours,  // an open day's hours outside [opens, closes) (overnight, before opening)
    kWeekend,      // a day that is not an open day of the week
    kHoliday,      // an open weekday listed as a holiday
  };
  Kind kind = Kind::kCounted;
  Instant begin{};
  Instant end{};                      // exclusive
  std::chrono::sys_days local_day{};  // the local date the stretch lies on
  /// The local day is not 24 hours long: a DST change falls on it (23 or 25 hours).
  bool dst_change = false;
};

/// Due() with its working: the stretches from `start` to `due`, in order and without gaps.
struct DueExplanation {
  Instant due{};
  std::vector<CalendarSpan> spans;
  /// The walk stopped after kMaxExplainedDays local days: `due` is still Due()'s answer but
  /// `spans` end before it.
  bool truncated = false;
};

class BusinessCalendar {
 public:
  /// 0000-01-01T00:00:00Z: no business time is counted before it.
  static constexpr Instant kEarliest{std::chrono::seconds{-62167219200}};
  /// 9999-12-31T23:59:59Z: no business time is counted from it on.
  static constexpr Instant kLatest{std::chrono::seconds{253402300799}};
  /// Returned by Due() when the answer would lie after kLatest.
  static constexpr Instant kNever = Instant::max();

  /// Fails with kInvalidArgument for an unknown time zone, opens >= closes, opening hours
  /// outside 00:00-24:00, or no open day. Never throws.
  static StatusOr<BusinessCalendar> Create(mappings::CalendarPolicy const& policy);

  /// SPEC 1.1 due(). `business` >= 0; 0 (or a negative value) returns `start`.
  /// kNever when the answer lies after kLatest.
  [[nodiscard]] Instant Due(Instant start, std::chrono::seconds business) const;
  /// Due(start, business) and how it was reached: the counted business windows and the closing
  /// hours, weekends and holidays skipped (each adjacent stretch of closing hours merged into
  /// one), for `casebridge explain`. Walks the same day windows (Cursor::Window) Due()'s table is
  /// built from, day by day (cost grows with the days spanned, at most kMaxExplainedDays); its
  /// `due` equals Due() (tested over every start of a year at a 7-minute step).
  [[nodiscard]] DueExplanation ExplainDue(Instant start, std::chrono::seconds business) const;
  static constexpr int kMaxExplainedDays = 400;
  /// SPEC 1.1 elapsed(), in seconds.
  [[nodiscard]] std::chrono::seconds Elapsed(Instant a, Instant b) const;
  /// `start` + d: calendar kind adds d.length; business kind is Due(start, d.length).
  [[nodiscard]] Instant Add(Instant start, mappings::RuleDuration const& d) const;

  BusinessCalendar(BusinessCalendar const&) = default;
  BusinessCalendar& operator=(BusinessCalendar const&) = default;
  BusinessCalendar(BusinessCalendar&&) noexcept = default;
  BusinessCalendar& operator=(BusinessCalendar&&) noexcept = default;
  ~BusinessCalendar();

  struct Impl;

 private:
  explicit BusinessCalendar(std::shared_ptr<Impl const> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl const> impl_;
};

}  // namespace casebridge::engine
