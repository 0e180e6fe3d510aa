// Reports from the state store: flags written with the store API (as the sync writes them,
// through ToFlagRecord) are reported exactly like the same snapshots reported with --input,
// through the library and through the `casebridge report --store` command; flags stored by
// different runs are stated as of one instant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
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
using ::testing::Not;
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

// The latest instant a snapshot mentions.
Instant LastActivity(engine::Snapshot const& s) {
  Instant last = s.created_at;
  if (s.closed_at) last = std::max(last, *s.closed_at);
  for (auto const& e : s.events) last = std::max(last, e.at);
  return last;
}

// Issue 16 item 2: a report from the store states one "as of" instant, and the minutes late and
// pending/breached status of every unmet flag are those at that instant, whichever run last
// evaluated its case. The store is filled the way two sync runs fill it: the first run (T1)
// evaluates every sample case known then; the second (T2) re-reads only the cases that changed
// since, so the others keep the flags of T1. A report from the store must then equal a report of
// all the snapshots evaluated at T2.
class ReportAsOfTest : public ReportStoreTest {
 protected:
  static constexpr char const* kT1 = "2026-03-16T15:00:00Z";  // first run
  static constexpr char const* kT2 = kNow;                    // second run, the last to succeed
  static constexpr char const* kT3 = "2026-03-20T16:00:00Z";  // a later run that failed

  void SetUp() override {
    ReportStoreTest::SetUp();
    std::ifstream in(SourcePath("tests/data/samples.jsonl"));
    std::string line;
    while (std::getline(in, line)) {
      engine::Snapshot s;
      ASSERT_TRUE(engine::ParseSnapshotLine(line, s).ok());
      snapshots_.push_back(std::move(s));
    }
    ASSERT_EQ(snapshots_.size(), 27U);
  }

  static Instant T(std::string_view text) { return ParseInstant(text).value_or(Instant{}); }

  // One run at `at` that evaluates `cases` and stores their flags, as the sync does.
  void Run(std::string const& id, char const* at, std::vector<engine::Snapshot> const& cases,
           store::RunStatus status) {
    store::RunRecord run;
    run.run_id = id;
    run.started = T(at);
    ASSERT_TRUE(store_->StartRun(run).ok());
    std::vector<store::CaseFlags> flags;
    for (auto const& s : cases) {
      engine::Evaluation const e = engine_->Evaluate(s, T(at));
      store::CaseFlags& cf = flags.emplace_back();
      cf.case_id = s.id;
      for (auto const& f : e.flags) ToFlagRecord(s, f, CaseFacts{}, cf.flags.emplace_back());
    }
    ASSERT_TRUE(store_->ReplaceCaseFlags(flags, T(at)).ok());
    ASSERT_TRUE(store_->FinishRun(id, status, T(at), "{}").ok());
  }

  // Run 1 at T1 evaluates every case created by then; run 2 at T2 only those with activity after
  // T1; run 3 at T3 fails without touching flags. Returns the ids of the cases left at T1.
  std::set<std::string> TwoRuns() {
    std::vector<engine::Snapshot> known_at_t1;
    std::vector<engine::Snapshot> changed_since;
    std::set<std::string> quiet;
    for (auto const& s : snapshots_) {
      if (s.created_at <= T(kT1)) known_at_t1.push_back(s);
      if (LastActivity(s) > T(kT1)) {
        changed_since.push_back(s);
      } else {
        quiet.insert(s.id);
      }
    }
    Run("run-1", kT1, known_at_t1, store::RunStatus::kSucceeded);
    Run("run-2", kT2, changed_since, store::RunStatus::kSucceeded);
    Run("run-3", kT3, {}, store::RunStatus::kFailed);
    return quiet;
  }

  // `casebridge report` of March from the store, in `format`; extra arguments appended.
  testing_util::CliResult Report(std::string const& format, std::string const& out,
                                 std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "report",     "--store",  "sqlite:" + db_, "--from", "2026-03-01", "--to",
        "2026-03-31", "--format", format,          "--out",  out};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  std::vector<engine::Snapshot> snapshots_;
};

TEST_F(ReportAsOfTest, FlagsEvaluatedAtDifferentRunsAreStatedAsOfTheLastSuccessfulRun) {
  std::set<std::string> const quiet = TwoRuns();
  ASSERT_EQ(quiet.size(), 8U);

  // The store really mixes instants: some flags of the quiet cases, stored at T1, are not what
  // they are at T2 (a pending clock has since come due, or a breached one is later now).
  int stale = 0;
  for (auto const& s : snapshots_) {
    if (quiet.count(s.id) == 0) continue;
    auto stored = store_->GetCaseFlags(s.id);
    ASSERT_TRUE(stored.ok());
    engine::Evaluation const now = engine_->Evaluate(s, T(kT2));
    ASSERT_EQ(stored->size(), now.flags.size());
    for (std::size_t i = 0; i < now.flags.size(); ++i) {
      store::FlagRecord fresh;
      ToFlagRecord(s, now.flags[i], CaseFacts{}, fresh);
      if ((*stored)[i].status != fresh.status || (*stored)[i].late_minutes != fresh.late_minutes) {
        ++stale;
      }
    }
  }
  EXPECT_GE(stale, 3);
  store_.reset();  // the command opens the file itself

  // The store report, without --now, is as of the end of run 2 (run 3 failed)...
  std::string const store_csv = dir_.path() + "/store.csv";
  auto r = Report("csv", store_csv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(std::string("as of ") + kT2));
  // ...and equals the report of every snapshot evaluated at T2: one instant for every row.
  std::string const input_csv = dir_.path() + "/input.csv";
  auto i =
      RunCli({"report", "--input", SourcePath("tests/data/samples.jsonl"), "--now", kT2, "--from",
              "2026-03-01", "--to", "2026-03-31", "--format", "csv", "--out", input_csv});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  auto const store_rows = SortedRows(ReadFile(store_csv));
  ASSERT_EQ(store_rows.size(), 126U);
  EXPECT_EQ(store_rows, SortedRows(ReadFile(input_csv)));

  // The JSON and HTML reports say which instant that is.
  std::string const json_out = dir_.path() + "/store.json";
  ASSERT_EQ(Report("json", json_out, {"--now", kT2}).exit_code, 0);
  std::string const auto_json = dir_.path() + "/auto.json";
  ASSERT_EQ(Report("json", auto_json).exit_code, 0);
  auto const j = nlohmann::json::parse(ReadFile(auto_json));
  EXPECT_EQ(j.at("as_of"), kT2);
  EXPECT_NE(j.at("generated_at"), kT2);  // the report's own time is the clock's
  EXPECT_EQ(j.at("flags"), nlohmann::json::parse(ReadFile(json_out)).at("flags"));
  std::string const html_out = dir_.path() + "/store.html";
  ASSERT_EQ(Report("html", html_out).exit_code, 0);
  EXPECT_THAT(ReadFile(html_out), HasSubstr(std::string("flags as of <time datetime=\"") + kT2 +
                                            "\">" + kT2 + "</time>"));
}

TEST_F(ReportAsOfTest, NowStatesTheStoredFlagsAsOfThatInstant) {
  TwoRuns();
  store_.reset();
  // A week after the last run, with nothing re-read: every unmet clock has run on.
  char const* const later = "2026-03-27T15:00:00Z";
  std::string const store_csv = dir_.path() + "/store.csv";
  auto r = Report("csv", store_csv, {"--now", later});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("note:")));
  std::string const input_csv = dir_.path() + "/input.csv";
  ASSERT_EQ(
      RunCli({"report", "--input", SourcePath("tests/data/samples.jsonl"), "--now", later, "--from",
              "2026-03-01", "--to", "2026-03-31", "--format", "csv", "--out", input_csv})
          .exit_code,
      0);
  EXPECT_EQ(SortedRows(ReadFile(store_csv)), SortedRows(ReadFile(input_csv)));

  // A status filter sees the restated status: flags pending in the store but due since.
  std::string const breached_csv = dir_.path() + "/breached.csv";
  ASSERT_EQ(Report("csv", breached_csv, {"--now", later, "--status", "breached"}).exit_code, 0);
  std::vector<std::string> expected;
  for (auto const& row : SortedRows(ReadFile(input_csv))) {
    if (row.find(",breached,") != std::string::npos) expected.push_back(row);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(SortedRows(ReadFile(breached_csv)), expected);
}

TEST_F(ReportAsOfTest, NowBeforeTheLastRunIsNotedAndAStoreWithoutASuccessfulRunUsesTheClock) {
  TwoRuns();
  store_.reset();
  auto early = Report("json", dir_.path() + "/early.json", {"--now", kT1});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  EXPECT_THAT(early.err, HasSubstr("note: --now 2026-03-16T15:00:00Z is before the end of the "
                                   "last successful run (2026-03-20T15:00:00Z)"));

  testing_util::TempDir other;
  {
    auto fresh = store::OpenStateStore("sqlite:" + other.path() + "/state.db");
    ASSERT_TRUE(fresh.ok());
  }
  std::string const out = other.path() + "/r.json";
  auto r = RunCli({"report", "--store", "sqlite:" + other.path() + "/state.db", "--from",
                   "2026-03-01", "--to", "2026-03-31", "--format", "json", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("note: the state store has no successful run yet"));
  auto const j = nlohmann::json::parse(ReadFile(out));
  EXPECT_EQ(j.at("as_of"), j.at("generated_at"));
}

}  // namespace
}  // namespace casebridge::report
