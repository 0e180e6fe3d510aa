// `casebridge report` driven as a user would: options, filters, errors and exit codes.
// Formats are pinned by report_golden_cli_test.cc; the store path by tests/unit/report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing_util::Lines;
using testing_util::RunCli;
using testing_util::SourcePath;

constexpr char const* kNow = "2026-03-20T15:00:00Z";

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `report` over the samples in March 2026 with `extra` options appended.
std::vector<std::string> SampleArgs(std::string const& format, std::string const& out,
                                    std::vector<std::string> const& extra = {}) {
  std::vector<std::string> args = {"report",     "--input", SourcePath("tests/data/samples.jsonl"),
                                   "--now",      kNow,      "--from",
                                   "2026-03-01", "--to",    "2026-03-31",
                                   "--format",   format,    "--out",
                                   out};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

nlohmann::json ReadJson(std::string const& path) {
  auto j = nlohmann::json::parse(ReadFile(path), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << path;
  return j;
}

TEST(ReportCli, HelpDescribesTheOptionsAndExitsZero) {
  auto r = RunCli({"report", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("--from"), HasSubstr("--to"), HasSubstr("--format"),
                           HasSubstr("--out"), HasSubstr("--rule"), HasSubstr("--owner"),
                           HasSubstr("--installer"), HasSubstr("--status"), HasSubstr("--store"),
                           HasSubstr("--input"), HasSubstr("--max-rows"), HasSubstr("--bom")));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(ReportCli, MissingOrBadOptionsExitTwoNamingTheOption) {
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.csv";
  auto missing = RunCli({"report", "--from", "2026-03-01", "--format", "csv", "--out", out});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("--to is required"));

  auto format = RunCli(SampleArgs("xlsx", out));
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_THAT(format.err, HasSubstr("--format: unknown format \"xlsx\""));

  auto rule = RunCli(SampleArgs("csv", out, {"--rule", "response_4h"}));
  EXPECT_EQ(rule.exit_code, 2);
  EXPECT_THAT(rule.err, AllOf(HasSubstr("response_4h"), HasSubstr("response_4bh")));

  auto status = RunCli(SampleArgs("csv", out, {"--status", "late"}));
  EXPECT_EQ(status.exit_code, 2);
  EXPECT_THAT(status.err, HasSubstr("--status"));

  auto date =
      RunCli({"report", "--input", SourcePath("tests/data/samples.jsonl"), "--now", kNow, "--from",
              "03/01/2026", "--to", "2026-03-31", "--format", "csv", "--out", out});
  EXPECT_EQ(date.exit_code, 2);
  EXPECT_THAT(date.err, AllOf(HasSubstr("--from"), HasSubstr("03/01/2026")));

  auto empty =
      RunCli({"report", "--input", SourcePath("tests/data/samples.jsonl"), "--now", kNow, "--from",
              "2026-03-31", "--to", "2026-03-01", "--format", "csv", "--out", out});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("range is empty"));

  auto both = RunCli(SampleArgs("csv", out, {"--store", "sqlite:" + dir.path() + "/s.db"}));
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("either --input"));
  EXPECT_FALSE(std::filesystem::exists(out)) << "no report is written on bad usage";
}

TEST(ReportCli, AMissingSqliteStoreIsAnErrorAndNoDatabaseIsCreated) {
  testing_util::TempDir dir;
  std::string const db = dir.path() + "/nothing-here.db";
  auto r = RunCli({"report", "--store", "sqlite:" + db, "--from", "2026-03-01", "--to",
                   "2026-03-31", "--format", "csv", "--out", dir.path() + "/r.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("no state store at"), HasSubstr("nothing-here.db")));
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(ReportCli, FiltersNarrowTheRowsAndTheSummaries) {
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.json";
  auto r = RunCli(SampleArgs(
      "json", out,
      {"--rule", "installer_contact_2d", "--status", "breached", "--rule", "sales_referral_2d"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto const j = ReadJson(out);
  ASSERT_TRUE(j.contains("flags"));
  EXPECT_EQ(j.at("flags").size(), 9U);  // 6 installer_contact_2d + 3 sales_referral_2d breached
  for (auto const& f : j.at("flags")) {
    EXPECT_EQ(f.at("status"), "breached");
    EXPECT_THAT(f.at("rule").get<std::string>(),
                ::testing::AnyOf("installer_contact_2d", "sales_referral_2d"));
  }
  EXPECT_EQ(j.at("totals").at("breached"), 9);
  EXPECT_EQ(j.at("filters").at("rules").size(), 2U);

  auto owner = RunCli(SampleArgs("json", out, {"--owner", "005S000000000021"}));
  ASSERT_EQ(owner.exit_code, 0) << owner.err;
  auto const jo = ReadJson(out);
  ASSERT_FALSE(jo.at("flags").empty());
  for (auto const& f : jo.at("flags")) EXPECT_EQ(f.at("owner_id"), "user:005S000000000021");

  auto installer = RunCli(SampleArgs("json", out, {"--installer", "001S000000000004"}));
  ASSERT_EQ(installer.exit_code, 0) << installer.err;
  auto const ji = ReadJson(out);
  EXPECT_EQ(ji.at("flags").size(), 17U);
}

TEST(ReportCli, KnownSampleBreachesAreReportedWithTheirMinutesLate) {
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.json";
  auto r = RunCli(SampleArgs("json", out, {"--rule", "sales_referral_2d", "--status", "breached"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto const j = ReadJson(out);
  std::vector<std::int64_t> case4;
  for (auto const& f : j.at("flags")) {
    if (f.at("case_id") == "500S000000000004")
      case4.push_back(f.at("late_minutes").get<std::int64_t>());
  }
  // tests/data/samples.md, case 04: both sales_referral_2d flags breached, 7140 and 2940 late.
  EXPECT_THAT(case4, ::testing::ElementsAre(7140, 2940));
}

TEST(ReportCli, BadSnapshotLinesAreReportedSkippedAndCountedAndTheReportIsStillWritten) {
  testing_util::TempDir dir;
  std::string const input =
      dir.Write("mixed.jsonl",
                ReadFile(SourcePath("tests/data/samples.jsonl")) + "{\"id\":\"X\"}\nnot json\n");
  std::string const out = dir.path() + "/r.json";
  auto r = RunCli({"report", "--input", input, "--now", kNow, "--from", "2026-03-01", "--to",
                   "2026-03-31", "--format", "json", "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("mixed.jsonl:28: created_at"), HasSubstr("mixed.jsonl:29:"),
                           HasSubstr("2 bad lines skipped")));
  auto const j = ReadJson(out);
  EXPECT_EQ(j.at("skipped_input_lines"), 2);
  EXPECT_EQ(j.at("totals").at("flags"), 126);
}

TEST(ReportCli, AWrongTypeInAReportFieldOfASnapshotNamesTheLineAndField) {
  testing_util::TempDir dir;
  std::string const input = dir.Write(
      "facts.jsonl",
      R"({"id":"500A","created_at":"2026-03-02T14:05:00Z","owner_name":["not","a","name"]})"
      "\n");
  auto r = RunCli({"report", "--input", input, "--now", kNow, "--from", "2026-03-01", "--to",
                   "2026-03-31", "--format", "csv", "--out", dir.path() + "/r.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("facts.jsonl:1: owner_name: must be a string or null"));
}

TEST(ReportCli, FailOnBreachExitsOneWhenTheReportHoldsABreach) {
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.csv";
  EXPECT_EQ(RunCli(SampleArgs("csv", out, {"--fail-on-breach"})).exit_code, 1);
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_EQ(RunCli(SampleArgs("csv", out, {"--fail-on-breach", "--status", "met"})).exit_code, 0);
}

TEST(ReportCli, OutDashWritesTheReportToStandardOutputAndTheNoteToStandardError) {
  auto r = RunCli(SampleArgs("csv", "-", {"--rule", "manager_notified"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto const lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3U);  // header + 2 manager_notified flags
  EXPECT_EQ(lines[0].rfind("case_number,case_id,", 0), 0U);
  EXPECT_THAT(r.err, HasSubstr("wrote csv report to standard output: 2 flags"));
}

TEST(ReportCli, MaxRowsCapsTheHtmlTableAndThePageSaysSo) {
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.html";
  auto r = RunCli(SampleArgs("html", out, {"--max-rows", "3"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("the breached table lists the 3 worst"));
  std::string const html = ReadFile(out);
  EXPECT_THAT(html, HasSubstr("Showing the 3 worst of 26 breached flags"));
  std::size_t rows = 0;
  for (auto p = html.find("class=\"flag-row\""); p != std::string::npos;
       p = html.find("class=\"flag-row\"", p + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 3U);
}

TEST(ReportCli, MaxRowsBelowOneIsRefusedInsteadOfWrappingToNoLimit) {
  // Issue 12: an unsigned option read -1 as the largest size, i.e. every breached row.
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.html";
  for (char const* bad : {"-1", "0", "-18446744073709551615"}) {
    auto r = RunCli(SampleArgs("html", out, {"--max-rows", bad}));
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.err, HasSubstr("--max-rows")) << bad;
    EXPECT_FALSE(std::filesystem::exists(out)) << bad;
  }
  auto minus_one = RunCli(SampleArgs("md", out, {"--max-rows=-1"}));
  EXPECT_EQ(minus_one.exit_code, 2);
  EXPECT_THAT(minus_one.err, HasSubstr("--max-rows must be at least 1 (got -1)"));
}

TEST(ReportCli, AnEmailToCaseCaseHasOneResponseRowLikeEvaluate) {
  // The e-mail that opened the case carries the case's creation instant (SPEC 1.4).
  std::string const input =
      R"({"id":"500E2C","source":"salesforce","number":"00077","created_at":"2026-03-02T14:05:00Z",)"
      R"("events":[{"type":"customer_message","at":"2026-03-02T14:05:00Z"}]})"
      "\n";
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.json";
  auto r = RunCli({"report", "--input", "-", "--now", kNow, "--from", "2026-03-01", "--to",
                   "2026-03-31", "--format", "json", "--out", out, "--rule", "response_4bh"},
                  input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto const j = ReadJson(out);
  ASSERT_EQ(j.at("flags").size(), 1U) << j.at("flags").dump();
  EXPECT_EQ(j.at("flags")[0].at("started"), "2026-03-02T14:05:00Z");
  EXPECT_EQ(j.at("as_of"), kNow);
}

TEST(ReportCli, ByDuePlacesFlagsByTheirDueInstant) {
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/r.json";
  auto r = RunCli({"report", "--input", SourcePath("tests/data/samples.jsonl"), "--now", kNow,
                   "--from", "2026-03-21T00:00:00Z", "--to", "2026-04-30T00:00:00Z", "--by", "due",
                   "--format", "json", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto const j = ReadJson(out);
  ASSERT_FALSE(j.at("flags").empty());
  for (auto const& f : j.at("flags")) {
    EXPECT_GE(f.at("due").get<std::string>(), "2026-03-21T00:00:00Z");
    EXPECT_NE(f.at("status"), "breached");  // due after now: nothing can be late yet
  }
  EXPECT_EQ(j.at("range").at("field"), "due");
}

TEST(ReportCli, AFailedRunLeavesNoPartialFileBehind) {
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/missing-dir/r.csv";
  auto r = RunCli(SampleArgs("csv", out));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot write"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace casebridge
