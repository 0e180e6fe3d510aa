// Reports from the state store: flags written with the store API (as the sync writes them,
// through ToFlagRecord) are reported exactly like the same snapshots reported with --input,
// through the library and through the `casebridge report --store` command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/snapshot_codec.h"
#include "connector/report/case_flags.h"
#include "connector/report/report.h"
#include "connector/report/sources.h"
#include "connector/store/state_store.h"
#include "mappings/loader.h"
#include "tests/support/cli_runner.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace casebridge::report {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing_util::RunCli;
using testing_util::SourcePath;

constexpr char const* kNow = "2026-03-20T15:00:00Z";

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lines of a CSV report without its header, sorted (the store orders rows by start, the
// snapshot input by input order).
std::vector<std::string> SortedRows(std::string const& csv) {
  std::vector<std::string> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) rows.push_back(line);
  std::sort(rows.begin(), rows.end());
  return rows;
}

class ReportStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = mappings::LoadPolicyOrError("");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = std::make_unique<mappings::Policy>(std::move(policy).value());
    auto calendar = engine::BusinessCalendar::Create(policy_->calendar);
    ASSERT_TRUE(calendar.ok());
    calendar_ = std::make_unique<engine::BusinessCalendar>(std::move(calendar).value());
    engine_ = std::make_unique<engine::Engine>(*policy_, *calendar_);
    db_ = dir_.path() + "/state.db";
    auto store = store::OpenStateStore("sqlite:" + db_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // Evaluates the sample snapshots at kNow and stores their flags the way the sync does, with
  // names for a few owners and installers.
  void StoreSamples() { StoreSamplesIn(*store_); }

  void StoreSamplesIn(store::StateStore& target) {
    std::map<std::string, std::string> const owner_names = {
        {"user:005S000000000010", "Dana Back-Office"}, {"queue:customer_support", "Support"}};
    std::map<std::string, std::string> const installer_names = {
        {"001S000000000004", "Sunny Installs, LLC"}};
    std::ifstream in(SourcePath("tests/data/samples.jsonl"));
    std::string line;
    engine::SnapshotReader reader;
    std::vector<store::CaseFlags> cases;
    while (std::getline(in, line)) {
      engine::Snapshot s;
      ASSERT_TRUE(reader.Parse(line, s).ok());
      engine::Evaluation const e = engine_->Evaluate(s, *ParseInstant(kNow));
      CaseFacts facts;
      if (auto it = owner_names.find(s.owner); it != owner_names.end())
        facts.owner_name = it->second;
      if (auto it = installer_names.find(s.installer_id); it != installer_names.end()) {
        facts.installer_name = it->second;
      }
      facts.subject = "Case " + s.number;
      store::CaseFlags cf{s.id, {}};
      for (auto const& f : e.flags) ToFlagRecord(s, f, facts, cf.flags.emplace_back());
      cases.push_back(std::move(cf));
    }
    ASSERT_EQ(cases.size(), 27U);
    ASSERT_TRUE(target.ReplaceCaseFlags(cases, *ParseInstant(kNow)).ok());
  }

  ReportOptions Options(Format format) {
    ReportOptions o;
    o.format = format;
    o.time_zone = policy_->calendar.time_zone;
    o.from = *ParseRangeBound("2026-03-01", false, o.time_zone);
    o.to = *ParseRangeBound("2026-03-31", true, o.time_zone);
    o.generated_at = *ParseInstant(kNow);
    o.links.salesforce_instance_url = "https://example.my.salesforce.com";
    return o;
  }

  testing_util::TempDir dir_;
  std::string db_;
  std::unique_ptr<mappings::Policy> policy_;
  std::unique_ptr<engine::BusinessCalendar> calendar_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<store::StateStore> store_;
};

TEST_F(ReportStoreTest, AStoreReportHoldsTheSameRowsAsTheSnapshotReportOfTheSameCases) {
  StoreSamples();
  std::string const from_store = dir_.path() + "/store.csv";
  auto written = WriteReportFile(Options(Format::kCsv), from_store,
                                 [&](ReportWriter& w) { return AddFlagsFromStore(*store_, w); });
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->flags, 126);
  EXPECT_EQ(written->breached, 26);

  // The same snapshots with the same facts, through --input's path.
  std::string jsonl;
  {
    std::ifstream in(SourcePath("tests/data/samples.jsonl"));
    std::string line;
    while (std::getline(in, line)) {
      engine::Snapshot s;
      ASSERT_TRUE(engine::ParseSnapshotLine(line, s).ok());
      std::string facts = R"(,"subject":"Case )" + s.number + "\"";
      if (s.owner == "user:005S000000000010") facts += R"(,"owner_name":"Dana Back-Office")";
      if (s.owner == "queue:customer_support") facts += R"(,"owner_name":"Support")";
      if (s.installer_id == "001S000000000004") {
        facts += R"(,"installer_name":"Sunny Installs, LLC")";
      }
      line.insert(line.rfind('}'), facts);
      jsonl += line + "\n";
    }
  }
  std::istringstream input(jsonl);
  std::ostringstream problems;
  std::string const from_snapshots = dir_.path() + "/snapshots.csv";
  auto again = WriteReportFile(Options(Format::kCsv), from_snapshots, [&](ReportWriter& w) {
    auto stats =
        AddFlagsFromSnapshots(input, "samples", *engine_, *ParseInstant(kNow), w, problems);
    return stats.ok() ? OkStatus() : stats.status();
  });
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(problems.str(), "");

  auto const store_rows = SortedRows(ReadFile(from_store));
  auto const snapshot_rows = SortedRows(ReadFile(from_snapshots));
  ASSERT_EQ(store_rows.size(), 126U);
  EXPECT_EQ(store_rows, snapshot_rows);
  EXPECT_THAT(ReadFile(from_store),
              AllOf(HasSubstr(",\"Sunny Installs, LLC\","), HasSubstr(",Dana Back-Office,")));
}

TEST_F(ReportStoreTest, APostgresStoreGivesTheSameReportAsAnSqliteStore) {
  auto server = testing_util::SharedPostgresServer();
  ASSERT_TRUE(server.ok()) << server.status();
  auto url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  auto pg = store::OpenStateStore(*url);
  ASSERT_TRUE(pg.ok()) << pg.status();
  StoreSamplesIn(**pg);
  StoreSamples();
  for (Format format : {Format::kCsv, Format::kJson, Format::kHtml}) {
    std::string const from_pg = dir_.path() + "/pg." + std::string(FormatName(format));
    std::string const from_sqlite = dir_.path() + "/sqlite." + std::string(FormatName(format));
    auto a = WriteReportFile(Options(format), from_pg,
                             [&](ReportWriter& w) { return AddFlagsFromStore(**pg, w); });
    ASSERT_TRUE(a.ok()) << a.status();
    auto b = WriteReportFile(Options(format), from_sqlite,
                             [&](ReportWriter& w) { return AddFlagsFromStore(*store_, w); });
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(a->flags, 126);
    // Same rows in the same order (both order by start, case id, position; text compares
    // byte-wise on both engines).
    EXPECT_TRUE(ReadFile(from_pg) == ReadFile(from_sqlite)) << FormatName(format);
  }
}

TEST_F(ReportStoreTest, TheReportCommandReadsAnSqliteStoreAndPushesFiltersToIt) {
  StoreSamples();
  store::FlagRecord named;
  {
    auto flags = store_->GetCaseFlags("500S000000000013");
    ASSERT_TRUE(flags.ok());
    ASSERT_FALSE(flags->empty());
    std::vector<store::FlagRecord> changed = *flags;
    for (auto& f : changed) {
      f.subject = "<script>alert(1)</script>";
      f.record_url = "https://acme.lightning.force.com/lightning/r/Case/500S000000000013/view";
    }
    std::vector<store::CaseFlags> one = {{"500S000000000013", changed}};
    ASSERT_TRUE(store_->ReplaceCaseFlags(one, *ParseInstant(kNow)).ok());
  }
  store_.reset();  // the command opens the file itself

  std::string const out = dir_.path() + "/r.csv";
  auto r = RunCli({"report", "--store", "sqlite:" + db_, "--from", "2026-03-01", "--to",
                   "2026-03-31", "--format", "csv", "--out", out, "--now", kNow, "--status",
                   "breached", "--rule", "installer_contact_2d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote csv report " + out + ": 6 flags (6 breached"));
  std::string const csv = ReadFile(out);
  auto const rows = SortedRows(csv);
  ASSERT_EQ(rows.size(), 6U);
  for (auto const& row : rows) EXPECT_THAT(row, HasSubstr(",installer_contact_2d,"));

  std::string const html_out = dir_.path() + "/r.html";
  auto h = RunCli({"report", "--store", "sqlite:" + db_, "--from", "2026-03-01", "--to",
                   "2026-03-31", "--format", "html", "--out", html_out, "--now", kNow});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  std::string const html = ReadFile(html_out);
  EXPECT_THAT(html, HasSubstr("state store sqlite:"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(
      html,
      HasSubstr(
          "href=\"https://acme.lightning.force.com/lightning/r/Case/500S000000000013/view\""));
  EXPECT_THAT(html, HasSubstr("Dana Back-Office"));
}

TEST_F(ReportStoreTest, AnEmptyRangeGivesAValidEmptyReport) {
  std::string const out = dir_.path() + "/empty.json";
  store_.reset();
  auto r = RunCli({"report", "--store", "sqlite:" + db_, "--from", "2020-01-01", "--to",
                   "2020-01-31", "--format", "json", "--out", out, "--now", kNow});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(": 0 flags"));
  std::string const json = ReadFile(out);
  EXPECT_THAT(json, HasSubstr("\"flags\":[],"));
  EXPECT_THAT(json, HasSubstr("\"breach_rate\":null"));
}

}  // namespace
}  // namespace casebridge::report
