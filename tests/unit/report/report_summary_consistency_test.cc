// The summaries of a JSON report recomputed independently from its own flag rows (sorting
// instead of histograms): counts, breach rates and nearest-rank percentiles per rule, owner,
// queue, installer and ISO week must agree, on the golden sample report and on a large
// generated one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "connector/report/report.h"
#include "tests/support/cli_runner.h"

namespace casebridge::report {
namespace {

using json = nlohmann::json;

struct Expected {
  std::int64_t met = 0;
  std::int64_t breached = 0;
  std::int64_t pending = 0;
  std::int64_t info = 0;
  std::vector<std::int64_t> late;
};

std::int64_t NearestRank(std::vector<std::int64_t> v, double p) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return v[rank - 1];
}

std::string IsoWeekOfLocal(std::string const& local) {
  auto const day = ParseDate(local.substr(0, 10));
  EXPECT_TRUE(day.has_value()) << local;
  std::chrono::sys_days const d = *day;
  std::chrono::weekday const wd{d};
  std::chrono::sys_days const thursday =
      d - std::chrono::days(wd.iso_encoding() - 1) + std::chrono::days(3);
  std::chrono::year_month_day const ymd{thursday};
  std::chrono::sys_days const jan1{ymd.year() / std::chrono::January / 1};
  int const week = static_cast<int>((thursday - jan1).count() / 7) + 1;
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-W%02d", static_cast<int>(ymd.year()), week);
  return buf.data();
}

// Compares one summary list with groups recomputed from the rows. `tolerance` is the relative
// error allowed on percentiles the report marks as not exact.
void CheckGroups(json const& groups, std::map<std::string, Expected> const& expected,
                 std::string const& name) {
  ASSERT_EQ(groups.size(), expected.size()) << name;
  for (auto const& g : groups) {
    std::string const key = g.at("key").get<std::string>();
    auto it = expected.find(key);
    ASSERT_NE(it, expected.end()) << name << ": unexpected group " << key;
    Expected const& e = it->second;
    std::string trace = name;
    trace += ' ';
    trace += key;
    SCOPED_TRACE(trace);
    EXPECT_EQ(g.at("met"), e.met);
    EXPECT_EQ(g.at("breached"), e.breached);
    EXPECT_EQ(g.at("pending"), e.pending);
    EXPECT_EQ(g.at("info"), e.info);
    EXPECT_EQ(g.at("flags"), e.met + e.breached + e.pending + e.info);
    if (e.met + e.breached == 0) {
      EXPECT_TRUE(g.at("breach_rate").is_null());
    } else {
      double const rate = static_cast<double>(e.breached) / static_cast<double>(e.met + e.breached);
      EXPECT_NEAR(g.at("breach_rate").get<double>(), rate, 0.00005);
    }
    if (e.late.empty()) {
      EXPECT_TRUE(g.at("median_late_minutes").is_null());
      continue;
    }
    bool const exact = g.at("percentiles_exact").get<bool>();
    for (auto [member, p] : {std::pair{"median_late_minutes", 0.5}, {"p90_late_minutes", 0.9}}) {
      std::int64_t const want = NearestRank(e.late, p);
      std::int64_t const got = g.at(member).get<std::int64_t>();
      if (exact) {
        EXPECT_EQ(got, want) << member;
      } else {
        EXPECT_LE(got, want) << member;
        EXPECT_GE(static_cast<double>(got), static_cast<double>(want) * (1.0 - 1.0 / 64)) << member;
      }
    }
  }
  // Worst first (weeks: in time order).
  for (std::size_t i = 1; name != "by_week" && i < groups.size(); ++i) {
    EXPECT_GE(groups[i - 1].at("breached").get<std::int64_t>(),
              groups[i].at("breached").get<std::int64_t>())
        << name << " is not worst first at " << i;
  }
}

void CheckReport(json const& doc) {
  std::map<std::string, Expected> by_rule;
  std::map<std::string, Expected> by_owner;
  std::map<std::string, Expected> by_queue;
  std::map<std::string, Expected> by_installer;
  std::map<std::string, Expected> by_week;
  Expected total;
  auto count = [](Expected& e, json const& f) {
    std::string const status = f.at("status").get<std::string>();
    if (status == "met") ++e.met;
    if (status == "pending") ++e.pending;
    if (status == "info") ++e.info;
    if (status == "breached") {
      ++e.breached;
      e.late.push_back(f.at("late_minutes").get<std::int64_t>());
    }
  };
  for (auto const& f : doc.at("flags")) {
    count(total, f);
    count(by_rule[f.at("rule").get<std::string>()], f);
    count(by_owner[f.at("owner_id").get<std::string>()], f);
    count(by_queue[f.at("queue").get<std::string>()], f);
    count(by_installer[f.at("installer_id").get<std::string>()], f);
    count(by_week[IsoWeekOfLocal(f.at("started_local").get<std::string>())], f);
  }
  json const& s = doc.at("summary");
  CheckGroups(s.at("by_rule"), by_rule, "by_rule");
  CheckGroups(s.at("by_owner"), by_owner, "by_owner");
  CheckGroups(s.at("by_queue"), by_queue, "by_queue");
  CheckGroups(s.at("by_installer"), by_installer, "by_installer");
  CheckGroups(s.at("by_week"), by_week, "by_week");
  json totals = doc.at("totals");
  totals["key"] = "";
  CheckGroups(json::array({totals}), {{"", total}}, "totals");
}

TEST(ReportSummaries, TheGoldenSampleSummariesAgreeWithItsRows) {
  std::ifstream in(testing_util::SourcePath("tests/data/report/samples.json"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto const doc = json::parse(ss.str(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  CheckReport(doc);
  // The samples are small: every percentile is exact.
  for (auto const& g : doc.at("summary").at("by_installer")) EXPECT_TRUE(g.at("percentiles_exact"));
}

TEST(ReportSummaries, GeneratedSummariesAgreeWithTheirRowsIncludingBucketedGroups) {
  ReportOptions o;
  o.format = Format::kJson;
  o.from = *ParseInstant("2025-01-01T00:00:00Z");
  o.to = *ParseInstant("2026-01-01T00:00:00Z");
  o.time_zone = "America/New_York";
  std::ostringstream out;
  auto w = ReportWriter::Create(o, out);
  ASSERT_TRUE(w.ok());
  std::mt19937 rng(42);
  constexpr std::uint64_t kMinutesPerYear = std::uint64_t{365} * 24 * 60;
  std::array<std::string, 5> const statuses = {"met", "breached", "breached", "pending", "info"};
  std::array<std::string, 4> const rules = {"response_4bh", "followup_5d", "am_response_5d",
                                            "installer_contact_2d"};
  store::FlagRecord f;
  for (int i = 0; i < 20'000; ++i) {
    f.case_id = "C" + std::to_string(i);
    f.rule_id = rules.at(rng() % rules.size());
    f.status = statuses.at(rng() % statuses.size());
    f.started = o.from + std::chrono::minutes(rng() % kMinutesPerYear);
    f.due = f.started + std::chrono::hours(4);
    f.owner = "user:" + std::to_string(rng() % 7);  // few owners: > 256 distinct values each
    f.installer = "001" + std::to_string(rng() % 200);
    f.queue = rng() % 2 == 0 ? "back_office" : "";
    f.late_minutes = f.status == "breached"
                         ? std::optional<std::int64_t>(rng() % 200'000)  // up to ~139 days
                         : std::nullopt;
    ASSERT_TRUE((*w)->Add(f).ok());
  }
  ASSERT_TRUE((*w)->Finish().ok());
  auto const doc = json::parse(out.str(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  CheckReport(doc);
  EXPECT_FALSE(doc.at("summary").at("by_owner").at(0).at("percentiles_exact"));
}

}  // namespace
}  // namespace casebridge::report
