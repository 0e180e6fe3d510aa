// The runs' Prometheus metrics (connector/sync/run_metrics.h): counters add up over runs, gauges
// are the last run's, flags are counted from the store as the reports state them, and the
// readiness of a `sync --every` process follows its runs and its interval.
#include "connector/sync/run_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connector/store/state_store.h"
#include "tests/unit/engine/test_policy.h"

namespace casebridge::sync_test {
namespace {

using engine::testing_util::T;
using sync::FlagCounts;
using sync::Readiness;
using sync::RunFacts;
using sync::RunMetrics;
using sync::SyncOutcome;
using ::testing::HasSubstr;
using ::testing::Not;

SyncOutcome Outcome(std::int64_t read, std::int64_t written, std::int64_t failed) {
  SyncOutcome o;
  o.stats.cases_read = read;
  o.stats.actions_by_system["salesforce"] = {
      {"planned", written}, {"written", written}, {"failed", failed}};
  o.calls.by_kind = {{"auth", 1}, {"query", 3}, {"write", written}};
  return o;
}

TEST(RunMetricsTest, CountersAddUpOverRunsAndGaugesAreTheLastRuns) {
  RunMetrics metrics;
  RunFacts first;
  first.duration_seconds = 1.5;
  first.last_success = T("2026-03-05T15:00:00Z");
  first.flags = FlagCounts{{"tier_followup", {{"pending", 4}, {"info", 1}}}};
  first.api_usage_ratio["salesforce"] = 0.25;
  metrics.AddRun(Outcome(10, 4, 1), first);
  RunFacts second;
  second.duration_seconds = 0.5;
  second.flags = FlagCounts{{"tier_followup", {{"breached", 2}}}};
  metrics.AddRun(Outcome(3, 2, 0), second);

  std::string const text = metrics.Text();
  EXPECT_THAT(text, HasSubstr("\ncasebridge_cases_read_total 13\n"));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_actions_written_total{system=\"salesforce\"} 6\n"));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_actions_failed_total{system=\"salesforce\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("\ncasebridge_api_calls_total{system=\"salesforce\",kind=\"query\"} 6\n"));
  // Gauges: the second run's flags only (every status of the three named, 0 when none).
  EXPECT_THAT(text,
              HasSubstr("\ncasebridge_flags{rule=\"tier_followup\",status=\"breached\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_flags{rule=\"tier_followup\",status=\"pending\"} 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("status=\"info\"")));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_run_duration_seconds 0.5\n"));
  // The second run reported no usage: no sample (unknown), but the family is declared.
  EXPECT_THAT(text, HasSubstr("# TYPE casebridge_api_usage_ratio gauge\n"));
  EXPECT_THAT(text, Not(HasSubstr("casebridge_api_usage_ratio{")));
  // The last success stays known when a later run does not say.
  EXPECT_THAT(text, HasSubstr("\ncasebridge_last_success_timestamp_seconds 1772722800\n"));
}

TEST(RunMetricsTest, EachOrgHasItsSeriesUnderOneFamilyAndOrgDefaultHasNoLabel) {
  RunMetrics metrics;
  RunFacts emea;
  emea.org = "emea";
  emea.flags = FlagCounts{{"tier_followup", {{"breached", 2}}}};
  metrics.AddRun(Outcome(5, 2, 0), emea);
  RunFacts apac;
  apac.org = "apac";
  metrics.AddRun(Outcome(7, 1, 1), apac);
  RunFacts single;  // org default: the samples of a config without orgs, unchanged
  metrics.AddRun(Outcome(1, 0, 0), single);
  std::string const text = metrics.Text();
  EXPECT_THAT(text, HasSubstr("\ncasebridge_cases_read_total 1\n"));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_cases_read_total{org=\"emea\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_cases_read_total{org=\"apac\"} 7\n"));
  EXPECT_THAT(text,
              HasSubstr("\ncasebridge_actions_failed_total{org=\"apac\",system=\"salesforce\"} "
                        "1\n"));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_flags{org=\"emea\",rule=\"tier_followup\","
                              "status=\"breached\"} 2\n"));
  // Each family is declared once, its samples of every org after it.
  for (char const* family :
       {"casebridge_cases_read_total", "casebridge_flags", "casebridge_run_duration_seconds"}) {
    std::string const help = std::string("# HELP ") + family + " ";
    EXPECT_EQ(text.find(help), text.rfind(help)) << family;
  }
  EXPECT_LT(text.find("casebridge_cases_read_total{org=\"apac\"}"),
            text.find("# HELP casebridge_flags"));
}

TEST(RunMetricsTest, EverySystemHasItsSeriesAndLabelValuesAreEscaped) {
  RunMetrics metrics;
  SyncOutcome o;
  o.stats.forge = true;
  RunFacts facts;
  facts.flags = FlagCounts{{"odd\"rule\\\n", {{"met", 1}}}};
  metrics.AddRun(o, facts);
  std::string const text = metrics.Text();
  EXPECT_THAT(text, HasSubstr("\ncasebridge_actions_written_total{system=\"salesforce\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("\ncasebridge_actions_written_total{system=\"forge\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("casebridge_flags{rule=\"odd\\\"rule\\\\\\n\",status=\"met\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# HELP casebridge_cases_read_total "));
  EXPECT_EQ(text.rfind("# HELP casebridge_cases_read_total ", 0), 0u);
  EXPECT_EQ(text.back(), '\n');
}

store::FlagRecord Flag(std::string const& case_id, std::string const& rule,
                       std::string const& status, std::string const& due) {
  store::FlagRecord f;
  f.case_id = case_id;
  f.source_system = "salesforce";
  f.rule_id = rule;
  f.started = T("2026-03-01T10:00:00Z");
  f.due = T(due);
  f.status = status;
  if (status == "met") f.met_at = T("2026-03-01T11:00:00Z");
  f.evidence = status == "met" ? R"({"met_by":"close","at":"2026-03-01T11:00:00Z"})"
                               : R"({"met_by":null,"awaiting":"x","clock":"running"})";
  return f;
}

TEST(RunMetricsTest, StoredFlagsAreCountedAsOfTheRunLikeTheReports) {
  auto store = store::OpenStateStore("sqlite::memory:");
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<store::CaseFlags> cases = {
      {"500A",
       {Flag("500A", "handoff", "pending", "2026-03-02T10:00:00Z"),
        Flag("500A", "followup", "met", "2026-03-02T10:00:00Z")}},
      {"500B", {Flag("500B", "handoff", "pending", "2026-03-09T10:00:00Z")}}};
  ASSERT_TRUE((*store)->ReplaceCaseFlags(cases, T("2026-03-01T12:00:00Z")).ok());

  // As of the 5th, 500A's hand-off was due on the 2nd: breached; 500B's is still pending.
  auto counts = sync::CountStoredFlags(**store, T("2026-03-05T15:00:00Z"));
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(*counts, (FlagCounts{{"followup", {{"met", 1}}},
                                 {"handoff", {{"breached", 1}, {"pending", 1}}}}));
}

TEST(ReadinessTest, FollowsTheRunsAndTheFirstInterval) {
  auto const start = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  Readiness readiness(start, std::chrono::minutes(15));
  EXPECT_EQ(readiness.NotReadyReason(start), std::nullopt);
  EXPECT_EQ(readiness.NotReadyReason(start + std::chrono::minutes(15)), std::nullopt);
  EXPECT_EQ(readiness.NotReadyReason(start + std::chrono::minutes(16)),
            "the first run has not finished within the interval (15m)");

  readiness.RunFinished("");
  EXPECT_EQ(readiness.NotReadyReason(start + std::chrono::hours(5)), std::nullopt);
  readiness.RunFinished("salesforce: REQUEST_LIMIT_EXCEEDED\ndetails");
  EXPECT_EQ(readiness.NotReadyReason(start + std::chrono::hours(5)),
            "the last run failed: salesforce: REQUEST_LIMIT_EXCEEDED details");
  readiness.RunFinished("");
  EXPECT_EQ(readiness.NotReadyReason(start + std::chrono::hours(6)), std::nullopt);
}

}  // namespace
}  // namespace casebridge::sync_test
