// Summary counters: percentiles, breach rates, worst-first ordering, ISO weeks.
#include "connector/report/summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "connector/report/local_time.h"

namespace casebridge::report::report_internal {
namespace {

using ::testing::ElementsAre;

std::chrono::sys_days Day(std::string_view text) {
  auto d = ParseDate(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(std::chrono::sys_days{});
}

store::FlagRecord Flag(std::string rule, std::string status, std::int64_t late = 0,
                       std::string owner = "user:005A", std::string installer = "001I") {
  store::FlagRecord f;
  f.rule_id = std::move(rule);
  f.status = std::move(status);
  if (f.status == "breached") f.late_minutes = late;
  f.owner = std::move(owner);
  f.installer = std::move(installer);
  return f;
}

std::vector<std::string> Keys(std::vector<GroupView> const& groups) {
  std::vector<std::string> keys;
  keys.reserve(groups.size());
  for (auto const& g : groups) keys.emplace_back(g.key);
  return keys;
}

TEST(LateHistogram, PercentilesAreNearestRankOverTheRecordedMinutes) {
  LateHistogram h;
  EXPECT_FALSE(h.Percentile(0.5).has_value());
  for (std::int64_t m : {10, 20, 30, 40, 50, 60, 70, 80, 90, 100}) h.Add(m);
  EXPECT_EQ(h.Percentile(0.5), 50);    // rank ceil(5) = 5th value
  EXPECT_EQ(h.Percentile(0.9), 90);    // rank 9
  EXPECT_EQ(h.Percentile(0.91), 100);  // rank ceil(9.1) = 10
  EXPECT_EQ(h.Percentile(1.0), 100);
  LateHistogram one;
  one.Add(7);
  EXPECT_EQ(one.Percentile(0.5), 7);
  EXPECT_EQ(one.Percentile(0.9), 7);
}

TEST(LateHistogram, MemoryFollowsTheLargestValueNotTheNumberOfFlags) {
  LateHistogram h(LateHistogram::Precision::kExact);
  for (int i = 0; i < 100'000; ++i) h.Add(i % 3 == 0 ? 5 : 600);
  EXPECT_EQ(h.count(), 100'000);
  EXPECT_EQ(h.buckets(), 601U);
  EXPECT_EQ(h.Percentile(0.3), 5);
  EXPECT_EQ(h.Percentile(0.5), 600);
}

TEST(LateHistogram, ExactPrecisionBeyondItsRangeIsWithinOneThousandth) {
  LateHistogram h(LateHistogram::Precision::kExact);
  for (std::int64_t m = LateHistogram::kExactBelow; m < 4 * LateHistogram::kExactBelow; ++m) {
    h.Add(m);
  }
  // 393,216 distinct values land in 2 powers of two x 1024 buckets above the exact range.
  EXPECT_LE(h.buckets(), static_cast<std::size_t>(LateHistogram::kExactBelow) + 2048U);
  auto const median = h.Percentile(0.5);
  ASSERT_TRUE(median.has_value());
  double const exact = 2.5 * static_cast<double>(LateHistogram::kExactBelow);
  EXPECT_NEAR(static_cast<double>(*median), exact, exact / 1000.0);
  EXPECT_LE(*median, static_cast<std::int64_t>(exact));  // rounded down, never up
  LateHistogram big(LateHistogram::Precision::kExact);
  big.Add(std::int64_t{1} << 40);  // ~2 million years late: still a small array
  EXPECT_LT(big.buckets(), 200'000U);
  EXPECT_EQ(big.Percentile(0.5), std::int64_t{1} << 40);
}

TEST(LateHistogram, CompactPrecisionIsExactUpTo256DistinctValuesThenWithinTwoPercent) {
  LateHistogram h;  // compact
  for (int round = 0; round < 2; ++round) {
    for (std::int64_t v = 1000; v < 1256; ++v) h.Add(v);
  }
  EXPECT_TRUE(h.exact());
  EXPECT_EQ(h.buckets(), 256U);
  EXPECT_EQ(h.Percentile(0.5), 1127);  // rank 256 of 512: the 128th distinct value
  h.Add(5000);                         // a 257th distinct value: switch to buckets
  EXPECT_FALSE(h.exact());
  EXPECT_LE(h.buckets(), 128U + 7U * 64U);
  EXPECT_EQ(h.count(), 513);
  auto const median = h.Percentile(0.5);  // exact answer 1128 (rank 257)
  ASSERT_TRUE(median.has_value());
  EXPECT_LE(*median, 1128);
  EXPECT_GE(static_cast<double>(*median), 1128.0 * (1.0 - 1.0 / 64));
  EXPECT_LE(*h.Percentile(1.0), 5000);
  EXPECT_GE(static_cast<double>(*h.Percentile(1.0)), 5000.0 * (1.0 - 1.0 / 64));

  LateHistogram small;
  for (std::int64_t v = 0; v <= 300; ++v) small.Add(v);
  EXPECT_EQ(small.Percentile(0.1), 30);  // below 128 minutes buckets are still exact

  LateHistogram wide;
  for (std::int64_t v = 0; v < LateHistogram::kExactBelow; v += 7) wide.Add(v);
  EXPECT_LE(wide.buckets(), 128U + 10U * 64U);  // 91 days of lateness in ~3 KB
}

TEST(LateHistogram, ExactPrecisionSaysWhenAValueFellIntoAWideBucket) {
  LateHistogram h(LateHistogram::Precision::kExact);
  h.Add(LateHistogram::kExactBelow - 1);
  EXPECT_TRUE(h.exact());
  h.Add(LateHistogram::kExactBelow);
  EXPECT_FALSE(h.exact());
}

TEST(GroupStats, BreachRateCountsOnlyDecidedClocks) {
  GroupStats g;
  EXPECT_FALSE(g.BreachRate().has_value());
  g.pending = 5;
  g.info = 2;
  EXPECT_FALSE(g.BreachRate().has_value());
  g.met = 3;
  g.breached = 1;
  EXPECT_DOUBLE_EQ(*g.BreachRate(), 0.25);
}

TEST(Summary, GroupsComeWorstFirstAndWeeksInTimeOrder) {
  Summary s;
  auto const w1 = Day("2026-03-09");
  auto const w2 = Day("2026-03-02");
  s.Add(Flag("response_4bh", "breached", 30, "user:A"), "Respond", "back_office", w1, "2026-W11");
  s.Add(Flag("response_4bh", "met", 0, "user:B"), "Respond", "back_office", w1, "2026-W11");
  s.Add(Flag("followup_5d", "breached", 90, "user:B"), "Follow up", "", w2, "2026-W10");
  s.Add(Flag("followup_5d", "breached", 10, "user:B"), "Follow up", "", w2, "2026-W10");
  s.Add(Flag("am_response_5d", "pending", 0, "user:C"), "AM", "", w2, "2026-W10");

  EXPECT_THAT(Keys(s.ByRule()), ElementsAre("followup_5d", "response_4bh", "am_response_5d"));
  EXPECT_THAT(Keys(s.ByOwner()), ElementsAre("user:B", "user:A", "user:C"));
  EXPECT_THAT(Keys(s.ByWeek()), ElementsAre("2026-03-02", "2026-03-09"));
  EXPECT_EQ(s.ByWeek()[0].stats->label, "2026-W10");
  EXPECT_EQ(s.totals().breached, 3);
  EXPECT_EQ(s.totals().late.Percentile(0.5), 30);
  auto const rules = s.ByRule();
  EXPECT_EQ(rules[0].stats->label, "Follow up");
  EXPECT_EQ(rules[0].stats->late.Percentile(0.9), 90);
  auto const queues = s.ByQueue();
  ASSERT_EQ(queues.size(), 2U);
  EXPECT_EQ(queues[0].key, "");  // 2 breached without a queue
  EXPECT_EQ(queues[0].stats->label, "(none)");
}

TEST(Summary, OwnerAndInstallerLabelsPreferNamesAndInstallersCountTheTwoDayContactClock) {
  Summary s;
  auto const w = Day("2026-03-09");
  auto f = Flag("installer_contact_2d", "breached", 100, "user:005A", "001I");
  s.Add(f, "", "", w, "2026-W11");  // no names yet: ids shown
  f.owner_name = "Dana";
  f.installer_name = "Sunny Installs";
  f.status = "met";
  s.Add(f, "", "", w, "2026-W11");
  s.Add(Flag("response_4bh", "breached", 5, "user:005A", "001I"), "", "", w, "2026-W11");

  auto const owners = s.ByOwner();
  ASSERT_EQ(owners.size(), 1U);
  EXPECT_EQ(owners[0].stats->label, "Dana");
  auto const installers = s.ByInstaller();
  ASSERT_EQ(installers.size(), 1U);
  EXPECT_EQ(installers[0].stats->label, "Sunny Installs");
  EXPECT_EQ(installers[0].stats->installer_contact_total, 2);
  EXPECT_EQ(installers[0].stats->installer_contact_breached, 1);
  EXPECT_EQ(installers[0].stats->total(), 3);
}

TEST(Summary, NewKeysBeyondTheGroupCapAreCountedTogetherAsOther) {
  Summary s;
  auto const w = Day("2026-03-09");
  std::size_t const n = Summary::kMaxGroups + 5;
  for (std::size_t i = 0; i < n; ++i) {
    auto f = Flag("response_4bh", i % 2 == 0 ? "breached" : "met", 10, "user:" + std::to_string(i),
                  "001I");
    s.Add(f, "", "", w, "2026-W11");
  }
  s.Add(Flag("response_4bh", "met", 0, "user:0"), "", "", w, "2026-W11");  // a known key
  auto const owners = s.ByOwner();
  ASSERT_EQ(owners.size(), Summary::kMaxGroups + 1);
  auto const other = std::find_if(owners.begin(), owners.end(),
                                  [](GroupView const& g) { return g.key == Summary::kOtherKey; });
  ASSERT_NE(other, owners.end());
  EXPECT_EQ(other->stats->total(), 5);
  EXPECT_THAT(other->stats->label, ::testing::HasSubstr("beyond the first 20000"));
  EXPECT_EQ(s.totals().total(), static_cast<std::int64_t>(n) + 1);
  EXPECT_EQ(s.ByInstaller().size(), 1U);
}

TEST(IsoWeek, WeeksStartOnMondayAndYearsFollowTheThursdayRule) {
  EXPECT_EQ(IsoWeekOf(Day("2026-03-20")).Label(), "2026-W12");
  EXPECT_EQ(IsoWeekOf(Day("2026-03-20")).monday, Day("2026-03-16"));
  EXPECT_EQ(IsoWeekOf(Day("2026-03-22")).Label(), "2026-W12");  // Sunday
  EXPECT_EQ(IsoWeekOf(Day("2026-01-01")).Label(), "2026-W01");  // a Thursday
  EXPECT_EQ(IsoWeekOf(Day("2027-01-01")).Label(), "2026-W53");  // a Friday
  EXPECT_EQ(IsoWeekOf(Day("2024-12-30")).Label(), "2025-W01");  // a Monday
  EXPECT_EQ(IsoWeekOf(Day("2021-01-03")).Label(), "2020-W53");
}

TEST(LocalTime, WallClockFollowsDaylightSavingTime) {
  auto lt = LocalTime::Create("America/New_York");
  ASSERT_TRUE(lt.ok()) << lt.status();
  std::string out;
  lt->Append(out, *ParseInstant("2026-03-06T22:30:00Z"));  // Friday, EST
  out += '|';
  lt->Append(out, *ParseInstant("2026-03-09T14:05:09Z"));  // Monday, EDT
  EXPECT_EQ(out, "2026-03-06 17:30:00|2026-03-09 10:05:09");
  EXPECT_EQ(lt->LocalDate(*ParseInstant("2026-03-07T03:00:00Z")), Day("2026-03-06"));
  EXPECT_EQ(lt->StartOfDay(Day("2026-03-08")), *ParseInstant("2026-03-08T05:00:00Z"));
  EXPECT_EQ(lt->StartOfDay(Day("2026-03-09")), *ParseInstant("2026-03-09T04:00:00Z"));
}

TEST(LocalTime, UnknownZoneIsRejectedByName) {
  auto lt = LocalTime::Create("Mars/Olympus_Mons");
  ASSERT_FALSE(lt.ok());
  EXPECT_EQ(lt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(lt.status().message(), ::testing::HasSubstr("Mars/Olympus_Mons"));
}

}  // namespace
}  // namespace casebridge::report::report_internal
