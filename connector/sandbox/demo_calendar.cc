// The business calendar of the demo org: US Eastern time and the federal holidays (the
// shipped mappings' calendar), for placing activities in and out of business hours.
#include "connector/sandbox/demo_org_parts.h"

#include <algorithm>
#include <array>
#include <vector>

namespace casebridge::sandbox::demo_org_internal {

namespace {

sys_days NthWeekday(int y, unsigned m, chr::weekday wd, unsigned n) {
  return sys_days(chr::year_month_weekday(chr::year(y), chr::month(m), wd[n]));
}

sys_days LastWeekday(int y, unsigned m, chr::weekday wd) {
  return sys_days(chr::year_month_weekday_last(chr::year(y), chr::month(m), wd[chr::last]));
}

sys_days Observed(sys_days d) {
  chr::weekday const wd(d);
  if (wd == chr::Saturday) return d - days(1);
  if (wd == chr::Sunday) return d + days(1);
  return d;
}

sys_days Date(int y, unsigned m, unsigned d) {
  return sys_days(chr::year(y) / chr::month(m) / chr::day(d));
}

}  // namespace

std::vector<sys_days> UsFederalHolidays(int year) {
  std::vector<sys_days> out = {
      Observed(Date(year, 1, 1)),              // New Year's Day
      NthWeekday(year, 1, chr::Monday, 3),     // Birthday of Martin Luther King, Jr.
      NthWeekday(year, 2, chr::Monday, 3),     // Washington's Birthday
      LastWeekday(year, 5, chr::Monday),       // Memorial Day
      Observed(Date(year, 6, 19)),             // Juneteenth
      Observed(Date(year, 7, 4)),              // Independence Day
      NthWeekday(year, 9, chr::Monday, 1),     // Labor Day
      NthWeekday(year, 10, chr::Monday, 2),    // Columbus Day
      Observed(Date(year, 11, 11)),            // Veterans Day
      NthWeekday(year, 11, chr::Thursday, 4),  // Thanksgiving Day
      Observed(Date(year, 12, 25)),            // Christmas Day
  };
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

int YearOf(sys_days d) { return static_cast<int>(chr::year_month_day(d).year()); }

}  // namespace

// US Eastern daylight time: from the second Sunday of March 02:00 EST (07:00Z) to the first
// Sunday of November 02:00 EDT (06:00Z).
bool IsEasternDst(Instant t) {
  int const y = YearOf(chr::floor<days>(t));
  Instant const start = Instant(NthWeekday(y, 3, chr::Sunday, 2)) + hours(7);
  Instant const end = Instant(NthWeekday(y, 11, chr::Sunday, 1)) + hours(6);
  return t >= start && t < end;
}

Instant EasternToUtc(sys_days local_day, minutes local_time) {
  Instant const as_edt = Instant(local_day) + local_time + hours(4);
  if (IsEasternDst(as_edt)) return as_edt;
  return Instant(local_day) + local_time + hours(5);
}

// ---- the business calendar of the shipped mappings (America/New_York, Mon-Fri 09-18) --------

LocalTime ToLocal(Instant t) {
  Instant const local = t - (demo_org_internal::IsEasternDst(t) ? hours(4) : hours(5));
  sys_days const day = chr::floor<days>(local);
  return {day, chr::floor<minutes>(local - day)};
}

bool IsFederalHoliday(sys_days d) {
  int const y = static_cast<int>(chr::year_month_day(d).year());
  // New Year's Day of the next year may be observed on December 31.
  return std::ranges::any_of(std::array<int, 2>{y, y + 1}, [d](int year) {
    auto const list = demo_org_internal::UsFederalHolidays(year);
    return std::binary_search(list.begin(), list.end(), d);
  });
}

bool IsOpenDay(sys_days d, bool holidays) {
  chr::weekday const wd(d);
  if (wd == chr::Saturday || wd == chr::Sunday) return false;
  return !(holidays && IsFederalHoliday(d));
}

Instant OpensAt(sys_days d) { return EasternToUtc(d, hours(9)); }
Instant ClosesAt(sys_days d) { return EasternToUtc(d, hours(18)); }

/// The last business instant at or before `t`.
Instant PrevBusiness(Instant t) {
  for (sys_days d = ToLocal(t).day;; d -= days(1)) {
    if (IsOpenDay(d, false) && t >= OpensAt(d)) return std::min(t, ClosesAt(d) - seconds(1));
  }
}

/// SPEC 1.1 due(): the earliest instant by which `amount` of business time has passed.
Instant AddBusiness(Instant t, seconds amount, bool holidays) {
  for (sys_days d = ToLocal(t).day;; d += days(1)) {
    if (!IsOpenDay(d, holidays)) continue;
    Instant const start = std::max(t, OpensAt(d));
    Instant const close = ClosesAt(d);
    if (start >= close) continue;
    if (start + amount <= close) return start + amount;
    amount -= close - start;
  }
}

/// Business time inside [a, b).
seconds BusinessBetween(Instant a, Instant b) {
  seconds total{0};
  if (b <= a) return total;
  for (sys_days d = ToLocal(a).day; d <= ToLocal(b).day; d += days(1)) {
    if (!IsOpenDay(d, false)) continue;
    Instant const lo = std::max(a, OpensAt(d));
    Instant const hi = std::min(b, ClosesAt(d));
    if (hi > lo) total += hi - lo;
  }
  return total;
}

}  // namespace casebridge::sandbox::demo_org_internal
