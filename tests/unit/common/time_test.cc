#include "connector/common/time.h"

#include <gtest/gtest.h>

namespace casebridge {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Instant At(std::string_view s) {
  auto t = ParseInstant(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(Instant{});
}

TEST(Time, ParsesUtcZulu) {
  EXPECT_EQ(FormatInstant(At("2026-03-02T14:05:00Z")), "2026-03-02T14:05:00Z");
}

TEST(Time, ParsesSalesforceRestFormWithMillisAndCompactOffset) {
  EXPECT_EQ(At("2026-03-02T14:05:00.000+0000"), At("2026-03-02T14:05:00Z"));
}

TEST(Time, AppliesNegativeAndPositiveOffsets) {
  EXPECT_EQ(At("2026-03-02T09:05:00-05:00"), At("2026-03-02T14:05:00Z"));
  EXPECT_EQ(At("2026-03-02T19:35:00+05:30"), At("2026-03-02T14:05:00Z"));
  EXPECT_EQ(At("2026-03-02T16:05:00+02"), At("2026-03-02T14:05:00Z"));
}

TEST(Time, TruncatesFractionalSeconds) {
  EXPECT_EQ(At("2026-03-02T14:05:00.999Z"), At("2026-03-02T14:05:00Z"));
}

TEST(Time, OffsetCrossesMidnightAndYear) {
  EXPECT_EQ(FormatInstant(At("2026-12-31T22:00:00-05:00")), "2027-01-01T03:00:00Z");
}

TEST(Time, RejectsMalformedValues) {
  for (auto const* bad : {"", "2026-03-02", "2026-03-02T14:05:00", "2026-13-02T14:05:00Z",
                          "2026-02-30T14:05:00Z", "2026-03-02T24:00:00Z", "2026-03-02T14:60:00Z",
                          "2026-03-02T14:05:00ZZ", "2026-03-02T14:05Z", "x026-03-02T14:05:00Z",
                          "2026-03-02T14:05:00+5", "2026-03-02T14:05:00.Z"}) {
    EXPECT_FALSE(ParseInstant(bad).has_value()) << bad;
  }
}

TEST(Time, AcceptsLeapDay) { EXPECT_TRUE(ParseInstant("2028-02-29T00:00:00Z").has_value()); }

TEST(Time, ParsesDates) {
  auto d = ParseDate("2026-11-26");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(FormatDate(*d), "2026-11-26");
  EXPECT_FALSE(ParseDate("2026-11-31").has_value());
  EXPECT_FALSE(ParseDate("2026-11-26T00:00:00Z").has_value());
}

TEST(Time, AppendInstantAppends) {
  std::string s = "at ";
  AppendInstant(s, At("2026-03-02T14:05:07Z") + hours{1} + minutes{1});
  EXPECT_EQ(s, "at 2026-03-02T15:06:07Z");
}

TEST(Time, AppendInstantAcrossDaysAndBackUsesTheRightDate) {
  std::string s;
  for (auto const* text : {"2026-03-02T23:59:59Z", "2026-03-03T00:00:00Z", "2026-03-02T00:00:01Z",
                           "1999-12-31T12:00:00Z", "2026-03-03T10:00:00Z"}) {
    s.clear();
    AppendInstant(s, At(text));
    EXPECT_EQ(s, text);
  }
}

}  // namespace
}  // namespace casebridge
