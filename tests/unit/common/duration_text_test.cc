#include "connector/common/duration_text.h"

#include <gtest/gtest.h>

namespace casebridge {
namespace {

TEST(DurationTextTest, ParsesUnitsAndSums) {
  EXPECT_EQ(ParseDurationText("90s"), std::chrono::seconds(90));
  EXPECT_EQ(ParseDurationText("15m"), std::chrono::minutes(15));
  EXPECT_EQ(ParseDurationText("1h30m"), std::chrono::seconds(5400));
  EXPECT_EQ(ParseDurationText("2d"), std::chrono::hours(48));
  EXPECT_EQ(ParseDurationText("1w"), std::chrono::hours(168));
  EXPECT_EQ(ParseDurationText("0m"), std::chrono::seconds(0));
}

TEST(DurationTextTest, RejectsMalformedText) {
  for (auto const* bad : {"", "15", "m", "15x", "1h30", "-5m", "1.5h", "99999999999999999999s"}) {
    EXPECT_EQ(ParseDurationText(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace casebridge
