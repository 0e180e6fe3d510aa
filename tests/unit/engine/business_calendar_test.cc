#include "connector/engine/business_calendar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/time.h"
#include "mappings/policy.h"

namespace casebridge::engine {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Instant At(std::string_view text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

std::chrono::sys_days Date(std::string_view text) {
  auto d = ParseDate(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(std::chrono::sys_days{});
}

// The shipped default: America/New_York, Monday-Friday 09:00-18:00, no holidays.
mappings::CalendarPolicy NewYorkPolicy() {
  mappings::CalendarPolicy p;
  p.time_zone = "America/New_York";
  p.open_days = {true, true, true, true, true, false, false};
  p.opens = hours{9};
  p.closes = hours{18};
  return p;
}

BusinessCalendar Make(mappings::CalendarPolicy const& p) {
  auto cal = BusinessCalendar::Create(p);
  if (!cal.ok()) {
    ADD_FAILURE() << cal.status();
    std::abort();
  }
  return *cal;
}

seconds Hours(double h) { return seconds{std::llround(h * 3600)}; }

// Due, formatted, so failures print readable instants.
std::string DueIso(BusinessCalendar const& cal, std::string_view start, double h) {
  return FormatInstant(cal.Due(At(start), Hours(h)));
}

// ---- SPEC 1.1 examples -------------------------------------------------------------------------

TEST(BusinessCalendar, FridayEveningContactIsDueMondayNoon) {
  auto const cal = Make(NewYorkPolicy());
  // Friday 2026-02-27 17:00 EST + 4h: 1h Friday, 3h Monday.
  EXPECT_EQ(DueIso(cal, "2026-02-27T17:00:00-05:00", 4), "2026-03-02T17:00:00Z");
  EXPECT_EQ(cal.Due(At("2026-02-27T17:00:00-05:00"), hours{4}), At("2026-03-02T12:00:00-05:00"));
}

TEST(BusinessCalendar, SaturdayContactIsDueMondayOnePm) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("2026-02-28T10:00:00-05:00"), hours{4}), At("2026-03-02T13:00:00-05:00"));
}

TEST(BusinessCalendar, AfternoonContactIsDueAtClosingSameDayNotNextOpening) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(DueIso(cal, "2026-03-03T14:00:00-05:00", 4), "2026-03-03T23:00:00Z");
  // The spec's sample evaluation: 2026-03-02T14:05Z (09:05 EST) + 4h = 18:05Z.
  EXPECT_EQ(DueIso(cal, "2026-03-02T14:05:00Z", 4), "2026-03-02T18:05:00Z");
}

// ---- starts relative to the window -------------------------------------------------------------

TEST(BusinessCalendar, StartBeforeOpeningCountsFromOpening) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("2026-03-03T07:30:00-05:00"), hours{2}), At("2026-03-03T11:00:00-05:00"));
  EXPECT_EQ(cal.Due(At("2026-03-03T00:00:00-05:00"), hours{9}), At("2026-03-03T18:00:00-05:00"));
}

TEST(BusinessCalendar, StartAfterClosingCountsFromNextOpening) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("2026-03-03T19:00:00-05:00"), hours{1}), At("2026-03-04T10:00:00-05:00"));
  EXPECT_EQ(cal.Due(At("2026-03-03T23:59:59-05:00"), hours{1}), At("2026-03-04T10:00:00-05:00"));
}

TEST(BusinessCalendar, StartExactlyAtOpeningCountsImmediately) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("2026-03-03T09:00:00-05:00"), hours{1}), At("2026-03-03T10:00:00-05:00"));
  EXPECT_EQ(cal.Due(At("2026-03-03T09:00:00-05:00"), hours{9}), At("2026-03-03T18:00:00-05:00"));
  EXPECT_EQ(cal.Due(At("2026-03-03T09:00:00-05:00"), seconds{9 * 3600 + 1}),
            At("2026-03-04T09:00:01-05:00"));
}

TEST(BusinessCalendar, StartExactlyAtClosingCountsFromNextOpening) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("2026-03-03T18:00:00-05:00"), hours{1}), At("2026-03-04T10:00:00-05:00"));
  EXPECT_EQ(cal.Due(At("2026-03-06T18:00:00-05:00"), minutes{1}), At("2026-03-09T09:01:00-04:00"));
}

TEST(BusinessCalendar, ElapsedUpToClosingIncludesTheLastMinute) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Elapsed(At("2026-03-03T17:59:00-05:00"), At("2026-03-03T18:00:00-05:00")),
            minutes{1});
  EXPECT_EQ(cal.Elapsed(At("2026-03-03T17:00:00-05:00"), At("2026-03-03T18:00:00-05:00")),
            hours{1});
  EXPECT_EQ(cal.Elapsed(At("2026-03-03T18:00:00-05:00"), At("2026-03-03T23:00:00-05:00")),
            seconds{0});
  EXPECT_EQ(cal.Elapsed(At("2026-03-03T08:00:00-05:00"), At("2026-03-03T09:00:00-05:00")),
            seconds{0});
}

TEST(BusinessCalendar, WeekendStartCountsFromMonday) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("2026-02-28T23:00:00-05:00"), minutes{30}), At("2026-03-02T09:30:00-05:00"));
  EXPECT_EQ(cal.Due(At("2026-03-01T12:00:00-05:00"), hours{9}), At("2026-03-02T18:00:00-05:00"));
}

TEST(BusinessCalendar, ZeroHoursIsDueAtStartEvenOutsideBusinessTime) {
  auto const cal = Make(NewYorkPolicy());
  for (auto const* s : {"2026-02-28T10:00:00Z", "2026-03-03T15:00:00Z", "2026-03-03T23:00:00Z"}) {
    EXPECT_EQ(cal.Due(At(s), seconds{0}), At(s)) << s;
  }
  EXPECT_EQ(cal.Due(At("2026-02-28T10:00:00Z"), seconds{-5}), At("2026-02-28T10:00:00Z"));
}

TEST(BusinessCalendar, FractionalHours) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("2026-03-03T10:00:00-05:00"), Hours(0.5)), At("2026-03-03T10:30:00-05:00"));
  // 1.25 h from 17:30: 30 minutes Tuesday, 45 minutes Wednesday.
  EXPECT_EQ(cal.Due(At("2026-03-03T17:30:00-05:00"), Hours(1.25)), At("2026-03-04T09:45:00-05:00"));
  EXPECT_EQ(cal.Elapsed(At("2026-03-03T17:30:00-05:00"), At("2026-03-04T09:45:00-05:00")),
            Hours(1.25));
}

TEST(BusinessCalendar, InputsWithNonUtcOffsetsAreTheSameInstants) {
  auto const cal = Make(NewYorkPolicy());
  // 19:35 +05:30 == 14:05Z == 09:05 EST.
  EXPECT_EQ(DueIso(cal, "2026-03-02T19:35:00+05:30", 4), "2026-03-02T18:05:00Z");
  EXPECT_EQ(DueIso(cal, "2026-03-02T06:05:00-08:00", 4), "2026-03-02T18:05:00Z");
  EXPECT_EQ(cal.Elapsed(At("2026-03-02T19:35:00+05:30"), At("2026-03-02T12:05:00-06:00")),
            hours{4});
}

// ---- holidays -----------------------------------------------------------------------------------

TEST(BusinessCalendar, MondayHolidayAfterFridayStartIsSkipped) {
  auto p = NewYorkPolicy();
  p.holidays = {Date("2026-05-25")};  // Memorial Day
  auto const cal = Make(p);
  EXPECT_EQ(cal.Due(At("2026-05-22T17:00:00-04:00"), hours{4}), At("2026-05-26T12:00:00-04:00"));
  EXPECT_EQ(cal.Elapsed(At("2026-05-22T17:00:00-04:00"), At("2026-05-26T12:00:00-04:00")),
            hours{4});
  EXPECT_EQ(cal.Elapsed(At("2026-05-25T00:00:00-04:00"), At("2026-05-26T00:00:00-04:00")),
            seconds{0});
}

TEST(BusinessCalendar, StartOnHolidayCountsFromNextBusinessDay) {
  auto p = NewYorkPolicy();
  p.holidays = {Date("2026-07-03"), Date("2026-12-25")};
  auto const cal = Make(p);
  EXPECT_EQ(cal.Due(At("2026-07-03T11:00:00-04:00"), hours{1}), At("2026-07-06T10:00:00-04:00"));
  EXPECT_EQ(cal.Due(At("2026-12-25T11:00:00-05:00"), hours{10}), At("2026-12-29T10:00:00-05:00"));
}

TEST(BusinessCalendar, UnsortedDuplicateHolidaysAreAccepted) {
  auto p = NewYorkPolicy();
  p.holidays = {Date("2026-12-25"), Date("2026-07-03"), Date("2026-12-25")};
  auto const cal = Make(p);
  EXPECT_EQ(cal.Due(At("2026-07-02T17:00:00-04:00"), hours{2}), At("2026-07-06T10:00:00-04:00"));
}

// ---- spans --------------------------------------------------------------------------------------

TEST(BusinessCalendar, SpansSeveralDaysAndWeeks) {
  auto const cal = Make(NewYorkPolicy());
  Instant const monday = At("2026-04-06T09:00:00-04:00");
  EXPECT_EQ(cal.Due(monday, hours{45}), At("2026-04-10T18:00:00-04:00"));
  EXPECT_EQ(cal.Due(monday, hours{46}), At("2026-04-13T10:00:00-04:00"));
  EXPECT_EQ(cal.Due(monday, hours{90}), At("2026-04-17T18:00:00-04:00"));
  // 20 full weeks.
  EXPECT_EQ(cal.Due(monday, hours{45 * 20}), At("2026-08-21T18:00:00-04:00"));
  EXPECT_EQ(cal.Elapsed(monday, At("2026-08-21T18:00:00-04:00")), hours{45 * 20});
  EXPECT_EQ(cal.Elapsed(monday, At("2026-08-24T09:00:00-04:00")), hours{45 * 20});
}

TEST(BusinessCalendar, ElapsedIsZeroWhenEndIsNotAfterStart) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Elapsed(At("2026-03-03T12:00:00Z"), At("2026-03-03T12:00:00Z")), seconds{0});
  EXPECT_EQ(cal.Elapsed(At("2026-03-04T15:00:00Z"), At("2026-03-03T15:00:00Z")), seconds{0});
}

TEST(BusinessCalendar, ElapsedOverAWeekendCountsOnlyOpenDays) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Elapsed(At("2026-02-27T17:00:00-05:00"), At("2026-03-02T12:00:00-05:00")),
            hours{4});
  EXPECT_EQ(cal.Elapsed(At("2026-02-28T00:00:00-05:00"), At("2026-03-02T00:00:00-05:00")),
            seconds{0});
  EXPECT_EQ(cal.Elapsed(At("2026-03-02T00:00:00-05:00"), At("2026-03-09T00:00:00-04:00")),
            hours{45});
}

// ---- DST (2026: starts Sun Mar 8, ends Sun Nov 1 in New York) ----------------------------------

TEST(BusinessCalendar, SpringForwardFridayEveningStartIsDueMondayNoonDaylightTime) {
  auto const cal = Make(NewYorkPolicy());
  // Friday 17:00 EST (22:00Z) + 4h -> Monday 12:00 EDT (16:00Z).
  EXPECT_EQ(DueIso(cal, "2026-03-06T17:00:00-05:00", 4), "2026-03-09T16:00:00Z");
  EXPECT_EQ(cal.Elapsed(At("2026-03-06T17:00:00-05:00"), At("2026-03-09T16:00:00Z")), hours{4});
  // A full Friday-to-Monday span is exactly two 9-hour days.
  EXPECT_EQ(cal.Elapsed(At("2026-03-06T09:00:00-05:00"), At("2026-03-09T18:00:00-04:00")),
            hours{18});
}

TEST(BusinessCalendar, StartOnSpringForwardSundayCountsFromMondayDaylightOpening) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(DueIso(cal, "2026-03-08T01:30:00-05:00", 1), "2026-03-09T14:00:00Z");
  EXPECT_EQ(DueIso(cal, "2026-03-08T12:00:00-04:00", 1), "2026-03-09T14:00:00Z");
}

TEST(BusinessCalendar, FallBackFridayEveningStartIsDueMondayNoonStandardTime) {
  auto const cal = Make(NewYorkPolicy());
  // Friday 17:00 EDT (21:00Z) + 4h -> Monday 12:00 EST (17:00Z).
  EXPECT_EQ(DueIso(cal, "2026-10-30T17:00:00-04:00", 4), "2026-11-02T17:00:00Z");
  EXPECT_EQ(cal.Elapsed(At("2026-10-30T09:00:00-04:00"), At("2026-11-02T18:00:00-05:00")),
            hours{18});
}

TEST(BusinessCalendar, StartOnFallBackSundayCountsFromMondayStandardOpening) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(DueIso(cal, "2026-11-01T01:30:00-04:00", 1), "2026-11-02T15:00:00Z");
  EXPECT_EQ(DueIso(cal, "2026-11-01T01:30:00-05:00", 1), "2026-11-02T15:00:00Z");
}

TEST(BusinessCalendar, AlwaysOpenCalendarCountsRealTimeOnDstDays) {
  auto p = NewYorkPolicy();
  p.open_days.fill(true);
  p.opens = minutes{0};
  p.closes = hours{24};
  auto const cal = Make(p);
  // The local day of the spring change has 23 real hours, the fall one 25.
  EXPECT_EQ(cal.Elapsed(At("2026-03-08T00:00:00-05:00"), At("2026-03-09T00:00:00-04:00")),
            hours{23});
  EXPECT_EQ(cal.Elapsed(At("2026-11-01T00:00:00-04:00"), At("2026-11-02T00:00:00-05:00")),
            hours{25});
  EXPECT_EQ(cal.Due(At("2026-03-08T00:00:00-05:00"), hours{24}), At("2026-03-09T01:00:00-04:00"));
}

TEST(BusinessCalendar, OpeningInDstGapUsesFirstInstantAfterGapAndOverlapUsesEarlierInstant) {
  auto p = NewYorkPolicy();
  p.open_days.fill(true);
  p.opens = minutes{90};    // 01:30: ambiguous on Nov 1
  p.closes = minutes{150};  // 02:30: does not exist on Mar 8
  auto const cal = Make(p);
  // Mar 8: 01:30 EST (06:30Z) to the gap's end 03:00 EDT (07:00Z).
  EXPECT_EQ(cal.Elapsed(At("2026-03-08T00:00:00Z"), At("2026-03-09T00:00:00Z")), minutes{30});
  EXPECT_EQ(cal.Due(At("2026-03-08T00:00:00Z"), minutes{30}), At("2026-03-08T07:00:00Z"));
  // Nov 1: 01:30 EDT (05:30Z, the earlier instant) to 02:30 EST (07:30Z).
  EXPECT_EQ(cal.Elapsed(At("2026-11-01T00:00:00Z"), At("2026-11-02T00:00:00Z")), hours{2});
  EXPECT_EQ(cal.Due(At("2026-11-01T00:00:00Z"), minutes{1}), At("2026-11-01T05:31:00Z"));
  // An ordinary day: one hour.
  EXPECT_EQ(cal.Elapsed(At("2026-03-10T00:00:00Z"), At("2026-03-11T00:00:00Z")), hours{1});
}

TEST(BusinessCalendar, DaylightSavingTimeStillAppliesAfter2037) {
  auto const cal = Make(NewYorkPolicy());
  // Monday 2040-07-02 opens 09:00 EDT (13:00Z); Monday 2040-01-02 opens 09:00 EST (14:00Z).
  EXPECT_EQ(DueIso(cal, "2040-07-02T00:00:00Z", 1), "2040-07-02T14:00:00Z");
  EXPECT_EQ(DueIso(cal, "2040-01-02T00:00:00Z", 1), "2040-01-02T15:00:00Z");
  // Beyond the precomputed years too (2150-06-03 is a Wednesday).
  EXPECT_EQ(DueIso(cal, "2150-06-03T00:00:00Z", 1), "2150-06-03T14:00:00Z");
  EXPECT_EQ(DueIso(cal, "2150-12-02T00:00:00Z", 1), "2150-12-02T15:00:00Z");
}

// ---- other zones and open days ------------------------------------------------------------------

TEST(BusinessCalendar, LondonCalendarFollowsBritishSummerTime) {
  auto p = NewYorkPolicy();
  p.time_zone = "Europe/London";
  auto const cal = Make(p);
  // BST starts Sun 2026-03-29. Friday 17:00 GMT + 4h -> Monday 12:00 BST (11:00Z).
  EXPECT_EQ(DueIso(cal, "2026-03-27T17:00:00Z", 4), "2026-03-30T11:00:00Z");
  EXPECT_EQ(DueIso(cal, "2026-03-02T09:00:00Z", 9), "2026-03-02T18:00:00Z");
}

TEST(BusinessCalendar, KolkataCalendarUsesHalfHourOffset) {
  auto p = NewYorkPolicy();
  p.time_zone = "Asia/Kolkata";
  auto const cal = Make(p);
  // 09:00 IST is 03:30Z; Friday 17:00 IST + 4h -> Monday 12:00 IST (06:30Z).
  EXPECT_EQ(DueIso(cal, "2026-03-02T00:00:00Z", 1), "2026-03-02T04:30:00Z");
  EXPECT_EQ(DueIso(cal, "2026-03-06T17:00:00+05:30", 4), "2026-03-09T06:30:00Z");
}

TEST(BusinessCalendar, SaturdayOpenCalendarCountsSaturday) {
  auto p = NewYorkPolicy();
  p.open_days[5] = true;
  auto const cal = Make(p);
  EXPECT_EQ(cal.Due(At("2026-02-27T17:00:00-05:00"), hours{4}), At("2026-02-28T12:00:00-05:00"));
  EXPECT_EQ(cal.Due(At("2026-02-28T17:00:00-05:00"), hours{4}), At("2026-03-02T12:00:00-05:00"));
  EXPECT_EQ(cal.Elapsed(At("2026-02-28T00:00:00-05:00"), At("2026-03-01T00:00:00-05:00")),
            hours{9});
}

// ---- Add, copies, range -------------------------------------------------------------------------

TEST(BusinessCalendar, AddUsesCalendarOrBusinessTimeByKind) {
  auto const cal = Make(NewYorkPolicy());
  Instant const friday = At("2026-02-27T17:00:00-05:00");
  mappings::RuleDuration calendar{hours{48}, mappings::DurationKind::kCalendar};
  mappings::RuleDuration business{hours{4}, mappings::DurationKind::kBusiness};
  EXPECT_EQ(cal.Add(friday, calendar), At("2026-03-01T17:00:00-05:00"));
  EXPECT_EQ(cal.Add(friday, business), At("2026-03-02T12:00:00-05:00"));
}

TEST(BusinessCalendar, CopiesAnswerTheSame) {
  auto const cal = Make(NewYorkPolicy());
  BusinessCalendar copy = cal;
  BusinessCalendar moved = std::move(copy);
  EXPECT_EQ(moved.Due(At("2026-02-27T17:00:00-05:00"), hours{4}),
            cal.Due(At("2026-02-27T17:00:00-05:00"), hours{4}));
}

TEST(BusinessCalendar, DueBeyondYear9999IsNever) {
  auto const cal = Make(NewYorkPolicy());
  EXPECT_EQ(cal.Due(At("9999-12-31T12:00:00Z"), hours{24}), BusinessCalendar::kNever);
  EXPECT_EQ(cal.Due(At("9999-12-31T12:00:00Z"), hours{1}), At("9999-12-31T15:00:00Z"));
  EXPECT_EQ(cal.Due(Instant::max(), hours{1}), BusinessCalendar::kNever);
  EXPECT_EQ(cal.Elapsed(Instant::min(), At("0000-01-04T00:00:00Z")),
            cal.Elapsed(At("0000-01-01T00:00:00Z"), At("0000-01-04T00:00:00Z")));
}

TEST(BusinessCalendar, EarlyYearsAreComputedOutsideThePrecomputedSpan) {
  auto const cal = Make(NewYorkPolicy());
  // 1965-06-01 was a Tuesday; New York kept daylight time then (EDT, -4).
  EXPECT_EQ(DueIso(cal, "1965-06-01T00:00:00Z", 2), "1965-06-01T15:00:00Z");
  // A span across the start of the precomputed years (Wed 1969-12-31 to Mon 1970-01-05):
  // Wed, Thu 1 Jan, Fri.
  EXPECT_EQ(cal.Elapsed(At("1969-12-31T00:00:00Z"), At("1970-01-05T00:00:00Z")), hours{27});
  EXPECT_EQ(DueIso(cal, "1969-12-31T17:00:00-05:00", 2), "1970-01-01T15:00:00Z");
  // And across its end (Fri 2100-12-31 to Mon 2101-01-03).
  EXPECT_EQ(cal.Elapsed(At("2100-12-31T17:00:00-05:00"), At("2101-01-03T10:00:00-05:00")),
            hours{2});
  EXPECT_EQ(DueIso(cal, "2100-12-31T17:00:00-05:00", 2), "2101-01-03T15:00:00Z");
}

// ---- Create() errors ----------------------------------------------------------------------------

TEST(BusinessCalendar, CreateRejectsUnknownTimeZone) {
  auto p = NewYorkPolicy();
  p.time_zone = "America/Atlantis";
  auto const cal = BusinessCalendar::Create(p);
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cal.status().message().find("unknown time zone 'America/Atlantis'"), std::string::npos)
      << cal.status();
  EXPECT_EQ(cal.status().info().field, "time_zone");
  p.time_zone.clear();
  EXPECT_EQ(BusinessCalendar::Create(p).status().code(), StatusCode::kInvalidArgument);
}

TEST(BusinessCalendar, CreateRejectsOpeningNotBeforeClosing) {
  auto p = NewYorkPolicy();
  p.opens = hours{18};
  p.closes = hours{9};
  auto const cal = BusinessCalendar::Create(p);
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cal.status().message().find("18:00 must be before closing time 09:00"),
            std::string::npos)
      << cal.status();
  p.closes = hours{18};
  EXPECT_EQ(BusinessCalendar::Create(p).status().code(), StatusCode::kInvalidArgument);
}

TEST(BusinessCalendar, CreateRejectsHoursOutsideTheDay) {
  auto p = NewYorkPolicy();
  p.closes = hours{25};
  EXPECT_EQ(BusinessCalendar::Create(p).status().code(), StatusCode::kInvalidArgument);
  p = NewYorkPolicy();
  p.opens = minutes{-30};
  EXPECT_EQ(BusinessCalendar::Create(p).status().code(), StatusCode::kInvalidArgument);
}

TEST(BusinessCalendar, CreateRejectsCalendarWithoutOpenDay) {
  auto p = NewYorkPolicy();
  p.open_days.fill(false);
  auto const cal = BusinessCalendar::Create(p);
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cal.status().message().find("no open day"), std::string::npos) << cal.status();
}

// ---- properties against an independent reference ------------------------------------------------

// A deliberately simple calendar on glibc's tz code (localtime_r with TZ set), day by day: shares
// no code with BusinessCalendar.
class ReferenceCalendar {
 public:
  ReferenceCalendar(mappings::CalendarPolicy p) : p_(std::move(p)) {
    for (auto h : p_.holidays) holidays_.insert(h.time_since_epoch().count());
    char const* old = std::getenv("TZ");
    if (old != nullptr) old_tz_ = old;
    setenv("TZ", p_.time_zone.c_str(), 1);
    tzset();
  }
  ~ReferenceCalendar() {
    if (old_tz_) {
      setenv("TZ", old_tz_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ReferenceCalendar(ReferenceCalendar const&) = delete;
  ReferenceCalendar& operator=(ReferenceCalendar const&) = delete;

  static std::int64_t Offset(std::int64_t utc) {
    std::time_t const t = utc;
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
  }

  // Earliest instant whose local time is `local`; for a gap, the instant local time jumps past.
  static std::int64_t ToUtc(std::int64_t local) {
    std::optional<std::int64_t> best;
    for (std::int64_t probe = local - 30 * 3600; probe <= local + 30 * 3600; probe += 3 * 3600) {
      std::int64_t const off = Offset(probe);
      std::int64_t const u = local - off;
      if (Offset(u) == off && (!best || u < *best)) best = u;
    }
    if (best) return *best;
    std::int64_t lo = local - 30 * 3600;  // local(lo) < local
    std::int64_t hi = local + 30 * 3600;  // local(hi) >= local
    while (hi - lo > 1) {
      std::int64_t const mid = lo + (hi - lo) / 2;
      (mid + Offset(mid) >= local ? hi : lo) = mid;
    }
    return hi;
  }

  bool Window(std::int64_t day, std::int64_t& open, std::int64_t& close) const {
    int const wd = static_cast<int>(((day % 7) + 7 + 3) % 7);
    if (!p_.open_days[static_cast<std::size_t>(wd)] || holidays_.count(day) != 0) return false;
    open = ToUtc(day * 86400 + seconds(p_.opens).count());
    close = ToUtc(day * 86400 + seconds(p_.closes).count());
    return true;
  }

  static std::int64_t LocalDay(std::int64_t utc) {
    std::int64_t const l = utc + Offset(utc);
    return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
  }

  std::int64_t Elapsed(std::int64_t a, std::int64_t b) const {
    std::int64_t sum = 0;
    for (std::int64_t d = LocalDay(a) - 1; d <= LocalDay(b) + 1; ++d) {
      std::int64_t open = 0;
      std::int64_t close = 0;
      if (Window(d, open, close) && std::min(close, b) > std::max(open, a)) {
        sum += std::min(close, b) - std::max(open, a);
      }
    }
    return b > a ? sum : 0;
  }

  std::int64_t Due(std::int64_t s, std::int64_t h) const {
    if (h == 0) return s;
    for (std::int64_t d = LocalDay(s) - 1;; ++d) {
      std::int64_t open = 0;
      std::int64_t close = 0;
      if (!Window(d, open, close)) continue;
      std::int64_t const lo = std::max(open, s);
      if (lo >= close) continue;
      if (close - lo >= h) return lo + h;
      h -= close - lo;
    }
  }

 private:
  mappings::CalendarPolicy p_;
  std::set<std::int64_t> holidays_;
  std::optional<std::string> old_tz_;
};

std::int64_t Secs(Instant t) { return t.time_since_epoch().count(); }
Instant FromSecs(std::int64_t s) { return Instant{seconds{s}}; }

void CheckAgainstReference(mappings::CalendarPolicy const& p, std::int64_t from, std::int64_t to,
                           int samples, std::uint32_t seed) {
  auto const cal = Make(p);
  ReferenceCalendar const ref(p);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> start_dist(from, to);
  std::uniform_int_distribution<std::int64_t> hours_dist(0, 120 * 3600);
  std::uniform_int_distribution<int> align(0, 3);
  for (int i = 0; i < samples; ++i) {
    std::int64_t s = start_dist(rng);
    if (align(rng) == 0) s -= s % 1800;  // often land exactly on an opening or closing
    std::int64_t const h = hours_dist(rng);
    std::int64_t const due = Secs(cal.Due(FromSecs(s), seconds{h}));
    ASSERT_EQ(due, ref.Due(s, h)) << p.time_zone << " start " << FormatInstant(FromSecs(s)) << " h "
                                  << h;
    ASSERT_GE(due, s);
    ASSERT_EQ(cal.Elapsed(FromSecs(s), FromSecs(due)).count(), h)
        << "start " << FormatInstant(FromSecs(s)) << " h " << h;
    if (h > 0) {
      ASSERT_LT(cal.Elapsed(FromSecs(s), FromSecs(due - 1)).count(), h)
          << "not minimal: start " << FormatInstant(FromSecs(s)) << " h " << h;
    }
    std::int64_t const b = s + hours_dist(rng) * 4 - 40 * 3600;
    ASSERT_EQ(cal.Elapsed(FromSecs(s), FromSecs(b)).count(), ref.Elapsed(s, b))
        << "elapsed " << FormatInstant(FromSecs(s)) << " " << FormatInstant(FromSecs(b));
  }
}

TEST(BusinessCalendarProperty, DueIsMinimalAndElapsedInvertsItInNewYork) {
  auto p = NewYorkPolicy();
  p.holidays = {Date("2026-01-01"), Date("2026-05-25"), Date("2026-07-03"), Date("2026-11-26"),
                Date("2026-12-25")};
  CheckAgainstReference(p, Secs(At("2025-06-01T00:00:00Z")), Secs(At("2027-06-01T00:00:00Z")), 3000,
                        20260302);
}

TEST(BusinessCalendarProperty, MatchesReferenceFrom1960To2150) {
  CheckAgainstReference(NewYorkPolicy(), Secs(At("1960-01-01T00:00:00Z")),
                        Secs(At("2150-01-01T00:00:00Z")), 1000, 7);
}

TEST(BusinessCalendarProperty, MatchesReferenceForOtherZonesAndHours) {
  auto london = NewYorkPolicy();
  london.time_zone = "Europe/London";
  london.opens = minutes{8 * 60 + 30};
  london.closes = minutes{17 * 60 + 15};
  CheckAgainstReference(london, Secs(At("2020-01-01T00:00:00Z")), Secs(At("2045-01-01T00:00:00Z")),
                        400, 11);
  auto sydney = NewYorkPolicy();
  sydney.time_zone = "Australia/Sydney";  // southern hemisphere DST
  sydney.open_days = {false, true, true, true, true, true, true};
  CheckAgainstReference(sydney, Secs(At("2020-01-01T00:00:00Z")), Secs(At("2045-01-01T00:00:00Z")),
                        400, 12);
  auto gaps = NewYorkPolicy();
  gaps.open_days.fill(true);
  gaps.opens = minutes{90};
  gaps.closes = minutes{150};
  CheckAgainstReference(gaps, Secs(At("2024-01-01T00:00:00Z")), Secs(At("2060-01-01T00:00:00Z")),
                        400, 13);
}

// Every canonical zone of the tz database (zone1970.tab), including the footer-rule years after
// the last stored transition.
TEST(BusinessCalendarProperty, EveryCanonicalZoneMatchesReference) {
  std::ifstream tab("/usr/share/zoneinfo/zone1970.tab");
  ASSERT_TRUE(tab) << "the OS tz database is missing";
  std::vector<std::string> zones;
  for (std::string line; std::getline(tab, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string codes;
    std::string coordinates;
    std::string zone;
    if (fields >> codes >> coordinates >> zone) zones.push_back(zone);
  }
  ASSERT_GT(zones.size(), 200U);
  for (auto const& zone : zones) {
    auto p = NewYorkPolicy();
    p.time_zone = zone;
    SCOPED_TRACE(zone);
    CheckAgainstReference(p, Secs(At("1972-01-01T00:00:00Z")), Secs(At("2120-01-01T00:00:00Z")), 8,
                          1970);
    if (HasFatalFailure()) return;
  }
}

// ---- ExplainDue ---------------------------------------------------------------------------------

namespace explain {

using Kind = CalendarSpan::Kind;

// Friday 2026-03-06 17:00 EST + 4 business hours over the spring-forward weekend: 1 hour on
// Friday, closing hours Friday 18:00-24:00, Saturday, Sunday (a 23-hour day), closing hours
// Monday 00:00-09:00 EDT, 3 hours on Monday: due Monday 12:00 EDT = 16:00Z.
TEST(ExplainDue, FridayEveningOverTheDstWeekendNamesEveryStretch) {
  BusinessCalendar const cal = Make(NewYorkPolicy());
  DueExplanation const e = cal.ExplainDue(At("2026-03-06T22:00:00Z"), hours{4});
  EXPECT_EQ(e.due, At("2026-03-09T16:00:00Z"));
  EXPECT_FALSE(e.truncated);
  ASSERT_EQ(e.spans.size(), 6U);
  EXPECT_EQ(e.spans[0].kind, Kind::kCounted);
  EXPECT_EQ(e.spans[0].end, At("2026-03-06T23:00:00Z"));
  EXPECT_EQ(e.spans[1].kind, Kind::kClosedHours);
  EXPECT_EQ(e.spans[1].end, At("2026-03-07T05:00:00Z"));
  EXPECT_EQ(e.spans[2].kind, Kind::kWeekend);
  EXPECT_EQ(e.spans[2].local_day, Date("2026-03-07"));
  EXPECT_FALSE(e.spans[2].dst_change);
  EXPECT_EQ(e.spans[3].kind, Kind::kWeekend);
  EXPECT_EQ(e.spans[3].local_day, Date("2026-03-08"));
  EXPECT_TRUE(e.spans[3].dst_change);
  EXPECT_EQ(e.spans[3].end - e.spans[3].begin, hours{23});
  EXPECT_EQ(e.spans[4].kind, Kind::kClosedHours);
  EXPECT_EQ(e.spans[4].begin, At("2026-03-09T04:00:00Z"));
  EXPECT_EQ(e.spans[4].end, At("2026-03-09T13:00:00Z"));
  EXPECT_EQ(e.spans[5].kind, Kind::kCounted);
  EXPECT_EQ(e.spans[5].end - e.spans[5].begin, hours{3});
}

// Friday 2026-05-22 16:00 EDT + 4 h with Memorial Day (Monday 05-25) a holiday: 2 hours Friday,
// the weekend, the holiday, 2 hours Tuesday: due Tuesday 11:00 EDT.
TEST(ExplainDue, HolidayIsNamedAndSkipped) {
  auto p = NewYorkPolicy();
  p.holidays = {Date("2026-05-25")};
  BusinessCalendar const cal = Make(p);
  DueExplanation const e = cal.ExplainDue(At("2026-05-22T20:00:00Z"), hours{4});
  EXPECT_EQ(e.due, At("2026-05-26T15:00:00Z"));
  std::vector<Kind> kinds;
  for (auto const& s : e.spans) kinds.push_back(s.kind);
  EXPECT_EQ(kinds,
            (std::vector<Kind>{Kind::kCounted, Kind::kClosedHours, Kind::kWeekend, Kind::kWeekend,
                               Kind::kHoliday, Kind::kClosedHours, Kind::kCounted}));
  EXPECT_EQ(e.spans[4].local_day, Date("2026-05-25"));
}

// The spans cover [start, due) without gaps or overlaps, the counted ones add up to the duration,
// and the due instant is Due()'s, for every start of 2026 at a 7-minute step and several
// durations, with holidays and both DST changes in the year.
TEST(ExplainDue, AgreesWithDueOverAWholeYear) {
  auto p = NewYorkPolicy();
  p.holidays = {Date("2026-01-01"), Date("2026-05-25"), Date("2026-07-03"), Date("2026-11-26"),
                Date("2026-12-25")};
  BusinessCalendar const cal = Make(p);
  Instant const end = At("2027-01-01T00:00:00Z");
  int checked = 0;
  for (Instant t = At("2026-01-01T00:00:00Z"); t < end; t += minutes{7}) {
    for (seconds const h : {Hours(4), Hours(0.5), Hours(45)}) {
      DueExplanation const e = cal.ExplainDue(t, h);
      ASSERT_EQ(e.due, cal.Due(t, h)) << FormatInstant(t);
      ASSERT_FALSE(e.spans.empty());
      ASSERT_EQ(e.spans.front().begin, t);
      ASSERT_EQ(e.spans.back().end, e.due);
      seconds counted{0};
      for (std::size_t i = 0; i < e.spans.size(); ++i) {
        if (i > 0) {
          ASSERT_EQ(e.spans[i].begin, e.spans[i - 1].end) << FormatInstant(t);
        }
        if (e.spans[i].kind == Kind::kCounted) counted += e.spans[i].end - e.spans[i].begin;
      }
      ASSERT_EQ(counted, h) << FormatInstant(t);
      ++checked;
    }
  }
  EXPECT_GT(checked, 200000);
}

TEST(ExplainDue, ZeroDurationIsTheStartWithNoSpans) {
  BusinessCalendar const cal = Make(NewYorkPolicy());
  DueExplanation const e = cal.ExplainDue(At("2026-03-06T22:00:00Z"), seconds{0});
  EXPECT_EQ(e.due, At("2026-03-06T22:00:00Z"));
  EXPECT_TRUE(e.spans.empty());
}

}  // namespace explain

}  // namespace
}  // namespace casebridge::engine
