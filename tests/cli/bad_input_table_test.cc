// The bad-input table (issue 12, "prove it" 5): one row per malformed input — snapshot lines
// (invalid JSON, invalid UTF-8, missing and wrongly typed fields, deep nesting, an oversized
// line), config and mappings files (syntax, unknown keys, wrong types, deep nesting, invalid
// UTF-8), calendar arguments, unusable paths and a full device, every other subcommand's missing
// or invalid arguments, and `casebridge sandbox`'s seed files. Each row asserts the exit code of
// SPEC 3, a message naming the file and line or the field, that the good records of the same
// file were still processed, and that no state store was created by a command that refused
// its input. A second table: a state store migrated by a newer casebridge, for every subcommand
// that uses a store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "connector/store/sqlite_connection.h"
#include "connector/store/state_store.h"
#include "tests/support/cli_deadline.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using testing_util::RunCli;

constexpr char kNow[] = "2026-03-05T00:00:00Z";
constexpr char kGoodA[] = R"({"id":"500GOODA","created_at":"2026-03-02T14:05:00Z","events":[]})";
constexpr char kGoodB[] = R"({"id":"500GOODB","created_at":"2026-03-02T14:05:00Z","events":[]})";

struct Row {
  std::string name;
  std::vector<std::string> args;                           // "{dir}" stands for the row's directory
  std::vector<std::pair<std::string, std::string>> files;  // written before the run
  int exit_code;
  std::vector<std::string> says;          // in stderr (or stdout): names the problem
  std::vector<std::string> out_has{};     // in stdout: the good records were processed
  std::vector<std::string> report_has{};  // in {dir}/report.csv
};

// Rows are printed by their name only.
void PrintTo(Row const& row, std::ostream* os) { *os << row.name; }

// A snapshot file: a good line, `bad` on line 2, another good line.
std::string Jsonl(std::string const& bad) {
  return std::string(kGoodA) + "\n" + bad + "\n" + kGoodB + "\n";
}

Row Evaluate(std::string name, std::string const& bad, std::string says) {
  return {std::move(name),
          {"evaluate", "--input", "{dir}/in.jsonl", "--now", kNow},
          {{"in.jsonl", Jsonl(bad)}},
          2,
          {"in.jsonl:2: " + std::move(says), "1 bad line skipped"},
          {"\"id\":\"500GOODA\"", "\"id\":\"500GOODB\""}};
}

Row ReportInput(std::string name, std::string const& bad, std::string says) {
  return {std::move(name),
          {"report", "--from", "2026-03-01", "--to", "2026-03-05", "--format", "csv", "--out",
           "{dir}/report.csv", "--input", "{dir}/in.jsonl", "--now", kNow},
          {{"in.jsonl", Jsonl(bad)}},
          2,
          {"in.jsonl:2: " + std::move(says)},
          {},
          {"500GOODA", "500GOODB"}};
}

Row CheckConfig(std::string name, std::string const& text, std::string says) {
  return {std::move(name),
          {"check-config", "--config", "{dir}/casebridge.json"},
          {{"casebridge.json", text}},
          2,
          {"casebridge.json: " + std::move(says)}};
}

// check-config over the shipped mappings with `file` replaced by `text`.
Row Mapping(std::string name, std::string const& file, std::string const& text, std::string says) {
  return {std::move(name),
          {"check-config", "--policy", "{dir}/policy"},
          {{"policy/" + file, text}},
          2,
          {"policy/" + file + ": " + std::move(says)}};
}

// Large inputs are written as placeholders and expanded only when the file is written, so the
// test process stays small (a child's peak RSS, which other CLI tests measure, starts at its
// parent's size).
std::string Deep(int levels) { return "{deep:" + std::to_string(levels) + "}"; }
std::string Long(int bytes) { return "{long:" + std::to_string(bytes) + "}"; }

std::string ExpandLarge(std::string const& content) {
  std::string out;
  std::size_t pos = 0;
  for (auto at = content.find("{deep:"); at != std::string::npos;
       at = content.find("{deep:", pos)) {
    out.append(content, pos, at - pos);
    auto const end = content.find('}', at);
    auto const n = std::stoul(content.substr(at + 6, end - at - 6));
    out.append(n, '[');
    out.append(n, ']');
    pos = end + 1;
  }
  out.append(content, pos);
  if (auto at = out.find("{long:"); at != std::string::npos) {
    auto const end = out.find('}', at);
    auto const n = std::stoul(out.substr(at + 6, end - at - 6));
    out.replace(at, end - at + 1, std::string(n, 'x'));
  }
  return out;
}

// Snapshot lines: evaluate and report --input.
std::vector<Row> SnapshotRows() {
  std::string const created = R"("created_at":"2026-03-02T14:05:00Z")";
  return {
      Evaluate("TruncatedJson", R"({"id":"500X")", "not valid JSON"),
      Evaluate("NotAnObject", "[1,2,3]", "not valid JSON (a snapshot line must be a JSON object)"),
      Evaluate("InvalidUtf8", "{\"id\":\"500\xff\"," + created + "}",
               "not valid JSON (The input is not valid UTF-8)"),
      Evaluate("MissingId", "{" + created + "}", "id: required field is missing"),
      Evaluate("MissingCreatedAt", R"({"id":"500X"})", "created_at: required field is missing"),
      Evaluate("IdOfTheWrongType", R"({"id":42,)" + created + "}", "id: must be a string"),
      Evaluate("TimestampWithoutOffset", R"({"id":"500X","created_at":"2026-03-02T14:05:00"})",
               "created_at: not an ISO-8601 date-time with an offset"),
      Evaluate("TierOutOfRange", R"({"id":"500X",)" + created + R"(,"tier":9})",
               "tier: must be null or an integer 1-4, got 9"),
      Evaluate("EventsNotAnArray", R"({"id":"500X",)" + created + R"(,"events":{}})",
               "events: must be an array or null"),
      Evaluate("EventWithoutTime",
               R"({"id":"500X",)" + created + R"(,"events":[{"type":"homeowner_contacted"}]})",
               "events[0].at: required field is missing"),
      Evaluate("ReassignedWithoutTarget",
               R"({"id":"500X",)" + created +
                   R"(,"events":[{"type":"reassigned","at":"2026-03-02T15:00:00Z"}]})",
               "events[0].to:"),
      Evaluate("UnknownFieldNestedTooDeep",
               R"({"id":"500X",)" + created + R"(,"x":)" + Deep(100000) + "}",
               "x: nested more than 512 levels deep"),
      Evaluate("LineOverSixteenMebibytes", R"({"id":")" + Long(17 << 20) + R"(",)" + created + "}",
               "the line is longer than 16 MiB (the limit for one snapshot)"),
      ReportInput("ReportInputWrongType", R"({"id":"500X",)" + created + R"(,"tier":"high"})",
                  "tier: must be null or an integer 1-4"),
      ReportInput("ReportInputNestedTooDeep", R"({"id":"500X","x":)" + Deep(50000) + "}",
                  "x: nested more than 512 levels deep"),
  };
}

// casebridge.json and mappings files.
std::vector<Row> ConfigRows() {
  return {
      CheckConfig("ConfigSyntax", "{\n  \"state_store\": \"sqlite:x.db\",\n",
                  "invalid JSON at line 3"),
      CheckConfig("ConfigUnknownKey", R"({"state_stor": "sqlite:x.db"})",
                  "state_stor: unknown key 'state_stor'; did you mean 'state_store'?"),
      CheckConfig("ConfigWrongType", R"({"api_budget_share": "half"})",
                  "api_budget_share: expected a number, got a string"),
      CheckConfig("ConfigOutOfRange", R"({"api_budget_share": 7})",
                  "api_budget_share: must be greater than 0 and at most 1"),
      CheckConfig("ConfigMissingRequired", R"({"salesforce": {"auth_flow": "jwt_bearer"}})",
                  "salesforce.client_id: missing required key"),
      CheckConfig("ConfigInvalidUtf8", "{\"state_store\": \"sqlite:x\xff.db\"}",
                  "invalid JSON at line 1, column 26"),
      CheckConfig("ConfigNestedTooDeep", "{\"state_store\": " + Deep(100000) + "}",
                  "invalid JSON at line 1, column 528: nested more than 512 levels deep"),
      CheckConfig("ConfigUnknownStateStore", R"({"state_store": "mysql://db"})",
                  "state_store: unknown state store"),
      Mapping("CalendarSyntax", "calendar.json", R"({"time_zone": 5)", "calendar: invalid JSON"),
      Mapping("QueuesNestedTooDeep", "queues.json", R"({"x": )" + Deep(100000) + "}",
              "queues: invalid JSON at line 1, column 518: nested more than 512 levels deep"),
  };
}

// Arguments and paths.
std::vector<Row> ArgumentRows() {
  return {
      {"CalendarHoursNotANumber",
       {"calendar", "due", "--start", "2026-03-02T14:05:00Z", "--hours", "abc"},
       {},
       2,
       {"--hours 'abc': not a number of hours"}},
      {"CalendarStartWithoutOffset",
       {"calendar", "due", "--start", "2026-03-02T14:05:00", "--hours", "4"},
       {},
       2,
       {"--start"}},
      {"InputIsADirectory",
       {"evaluate", "--input", "{dir}", "--now", kNow},
       {},
       2,
       {"cannot read {dir}: Is a directory"}},
      {"InputMissing",
       {"evaluate", "--input", "{dir}/missing.jsonl", "--now", kNow},
       {},
       2,
       {"cannot read {dir}/missing.jsonl: No such file or directory"}},
      {"ReportToAFullDevice",
       {"report", "--from", "2026-03-01", "--to", "2026-03-05", "--format", "csv", "--out",
        "/dev/full", "--input", "{dir}/in.jsonl", "--now", kNow},
       {{"in.jsonl", std::string(kGoodA) + "\n"}},
       2,
       {"cannot write /dev/full: No space left on device"}},
      {"BackfillRangeBackwards",
       {"backfill", "--from", "2026-03-05", "--to", "2026-03-01", "--store",
        "sqlite:{dir}/state.db", "--config", "{dir}/casebridge.json"},
       {{"casebridge.json", "{}"}},
       2,
       {"--to must be after --from"}},
      {"SyncWithABrokenConfig",
       {"sync", "--once", "--store", "sqlite:{dir}/state.db", "--config", "{dir}/casebridge.json"},
       {{"casebridge.json", R"({"bogus": 1})"}},
       2,
       {"casebridge.json", "check-config"}},
      {"SyncStoreOnAFullDevice",
       {"sync", "--once", "--store", "sqlite:/dev/full", "--config", "{dir}/casebridge.json"},
       {{"casebridge.json", "{}"}},
       2,
       {"casebridge sync:"}},
  };
}

// The other subcommands' arguments and files, and `casebridge sandbox`'s seed files.
std::vector<Row> CommandRows() {
  std::string const case_type = R"({"Case": [{"Id": "500000000000001AAA", "Subject": 5}]})";
  return {
      {"UnknownCommand", {"frobnicate"}, {}, 2, {"unknown command 'frobnicate'"}},
      {"DemoDirOnAFullDevice",
       {"demo", "--dir", "/dev/full/demo"},
       {},
       2,
       {"cannot create /dev/full/demo: Not a directory"}},
      {"AuthCheckConfigIsADirectory",
       {"auth", "check", "--config", "{dir}"},
       {},
       2,
       {"{dir}: not a regular file"}},
      {"DoctorConfigMissing",
       {"doctor", "--config", "{dir}/missing.json"},
       {},
       2,
       {"{dir}/missing.json: config file does not exist"}},
      {"ExplainWithoutCaseId", {"explain"}, {}, 2, {"CASE_ID is required"}},
      {"ExplainWithoutAStore",
       {"explain", "500000000000001AAA", "--store", "sqlite:{dir}/state.db"},
       {},
       2,
       {"no state store at {dir}/state.db"}},
      {"WhatifWithoutPolicy",
       {"whatif", "--store", "sqlite:{dir}/state.db"},
       {},
       2,
       {"--policy is required"}},
      {"SandboxPortOutOfRange",
       {"sandbox", "--port", "70000"},
       {},
       2,
       {"--port must be between 0 and 65535"}},
      {"SandboxDemoOrgNotPositive",
       {"sandbox", "--port", "0", "--demo-org", "-5"},
       {},
       2,
       {"--demo-org must be between 1 and 1000000"}},
      {"SandboxSeedMissing",
       {"sandbox", "--port", "0", "--seed", "{dir}/missing.json"},
       {},
       2,
       {"cannot read seed file {dir}/missing.json: No such file or directory"}},
      {"SandboxSeedIsADirectory",
       {"sandbox", "--port", "0", "--seed", "{dir}"},
       {},
       2,
       {"cannot read seed file {dir}: Is a directory"}},
      {"SandboxSeedMalformed",
       {"sandbox", "--port", "0", "--seed", "{dir}/seed.json"},
       {{"seed.json", "{\"Case\": [\n  {\"Id\": }\n"}},
       2,
       {"{dir}/seed.json: not valid JSON at line 2, column 10"}},
      {"SandboxSeedWrongFieldType",
       {"sandbox", "--port", "0", "--seed", "{dir}/seed.json"},
       {{"seed.json", case_type}},
       2,
       {"{dir}/seed.json: seed: Case[0]:", "(field Subject)"}},
      {"SandboxSeedWrongShape",
       {"sandbox", "--port", "0", "--seed", "{dir}/seed.json"},
       {{"seed.json", R"({"Case": {"Id": "500000000000001AAA"}})"}},
       2,
       {"{dir}/seed.json: seed: Case must be an array of records"}},
      {"SandboxForgeSeedWrongFieldType",
       {"sandbox", "--port", "0", "--forge-seed", "{dir}/forge.json"},
       {{"forge.json", R"({"tickets": [{"id": 5}]})"}},
       2,
       {"forge seed: {dir}/forge.json: seed: tickets[0]: `id` must be a string"}},
      {"SandboxForgeSeedMalformed",
       {"sandbox", "--port", "0", "--forge-seed", "{dir}/forge.json"},
       {{"forge.json", "{\"tickets\": ["}},
       2,
       {"forge seed: {dir}/forge.json: not valid JSON at line 1, column 14"}},
      {"SandboxJwtKeyMissing",
       {"sandbox", "--port", "0", "--jwt-public-key", "{dir}/missing.pem"},
       {},
       2,
       {"cannot read {dir}/missing.pem"}},
  };
}

std::vector<Row> Rows() {
  std::vector<Row> rows = SnapshotRows();
  for (auto more : {ConfigRows(), ArgumentRows(), CommandRows()})
    rows.insert(rows.end(), more.begin(), more.end());
  return rows;
}

std::string Expand(std::string s, std::string const& dir) {
  for (auto at = s.find("{dir}"); at != std::string::npos; at = s.find("{dir}", at + dir.size())) {
    s.replace(at, 5, dir);
  }
  return s;
}

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class BadInputTable : public ::testing::TestWithParam<Row> {};

TEST_P(BadInputTable, ExitCodeMessageAndTheGoodRecords) {
  Row const& row = GetParam();
  testing_util::TempDir dir;
  if (row.args[0] == "check-config" && row.args[1] == "--policy") {
    std::filesystem::copy(testing_util::SourcePath("mappings/default"), dir.path() + "/policy");
  }
  for (auto const& [name, content] : row.files) dir.Write(name, ExpandLarge(content));
  std::vector<std::string> args;
  for (auto const& a : row.args) args.push_back(Expand(a, dir.path()));
  // A command that accepted its input by mistake (a sandbox would serve) is stopped.
  auto const run = testing_util::RunCliWithin(args, std::chrono::seconds(30));
  auto const& r = run.result;
  EXPECT_FALSE(run.timed_out) << "still running after 30 s: " << r.out.substr(0, 500);
  EXPECT_EQ(r.exit_code, row.exit_code) << r.out.substr(0, 500) << r.err.substr(0, 2000);
  for (auto const& says : row.says) {
    EXPECT_THAT(r.err + r.out, HasSubstr(Expand(says, dir.path()))) << r.err.substr(0, 2000);
  }
  for (auto const& good : row.out_has) EXPECT_THAT(r.out, HasSubstr(good));
  std::string const report = ReadFile(dir.path() + "/report.csv");
  for (auto const& good : row.report_has) EXPECT_THAT(report, HasSubstr(good));
  // A command that refused its input created no state store.
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/state.db"));
  // Nothing was echoed in bulk: messages stay short even for a 17 MiB line.
  EXPECT_LT(r.err.size(), 4096U);
}

INSTANTIATE_TEST_SUITE_P(Rows, BadInputTable, ::testing::ValuesIn(Rows()),
                         [](auto const& info) { return info.param.name; });

// A state store migrated by a newer casebridge (its schema_migrations holds a version this one
// does not know): every subcommand that uses the store refuses it with exit 2, says so, and
// leaves the file as it was.
struct StoreRow {
  std::string name;
  std::vector<std::string> args;  // "{dir}" as above; the store is {dir}/state.db
};

void PrintTo(StoreRow const& row, std::ostream* os) { *os << row.name; }

std::vector<StoreRow> StoreRows() {
  std::vector<std::string> const config = {"--config", "{dir}/casebridge.json"};
  std::vector<std::string> const store = {"--store", "sqlite:{dir}/state.db"};
  auto with = [](std::vector<std::string> args, std::vector<std::string> const& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  return {
      {"Sync", with({"sync", "--once"}, config)},
      {"SyncDryRun", with({"sync", "--once", "--dry-run"}, config)},
      {"Backfill", with({"backfill", "--from", "2026-03-01", "--to", "2026-03-05"}, config)},
      {"Report", with({"report", "--from", "2026-03-01", "--to", "2026-03-05", "--format", "csv",
                       "--out", "{dir}/report.csv"},
                      store)},
      {"Explain", with({"explain", "500000000000001AAA"}, store)},
      {"Whatif", with({"whatif", "--policy", testing_util::SourcePath("mappings/default"), "--from",
                       "2026-03-01", "--to", "2026-03-05"},
                      store)},
  };
}

// Every file of `dir` with its bytes.
std::map<std::string, std::string> Files(std::string const& dir) {
  std::map<std::string, std::string> out;
  for (auto const& e : std::filesystem::directory_iterator(dir)) {
    out[e.path().filename().string()] = ReadFile(e.path().string());
  }
  return out;
}

class NewerStoreTable : public ::testing::TestWithParam<StoreRow> {};

TEST_P(NewerStoreTable, RefusedWithExitTwoAndTheStoreUnchanged) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/state.db";
  {
    auto made = store::OpenStateStore("sqlite:" + path);  // created and migrated
    ASSERT_TRUE(made.ok()) << made.status();
  }
  {
    auto conn = store::store_internal::SqliteConnection::Open(path);
    ASSERT_TRUE(conn.ok()) << conn.status();
    auto s = (*conn)->ExecScript(
        "INSERT INTO schema_migrations (version, name, applied_at) "
        "VALUES (999, 'from_the_future', 0)");
    ASSERT_TRUE(s.ok()) << s;
  }
  setenv("CASEBRIDGE_TEST_BAD_INPUT_SECRET", "bad-input-secret-value", 1);
  dir.Write("casebridge.json", R"({"salesforce": {"login_url": "http://127.0.0.1:9",
      "auth_flow": "client_credentials", "client_id": "bad-input-client",
      "client_secret": {"env": "CASEBRIDGE_TEST_BAD_INPUT_SECRET"}},
    "state_store": "sqlite:)" + path +
                                   "\"}");
  auto const before = Files(dir.path());
  std::vector<std::string> args;
  for (auto const& a : GetParam().args) args.push_back(Expand(a, dir.path()));
  auto const run = testing_util::RunCliWithin(args, std::chrono::seconds(60));
  auto const& r = run.result;
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.out.substr(0, 500) << r.err.substr(0, 2000);
  EXPECT_THAT(r.err, HasSubstr("the database schema has migration 999 (from_the_future) that "
                               "this casebridge does not know"));
  EXPECT_THAT(r.err, HasSubstr("a newer casebridge migrated it; upgrade"));
  EXPECT_EQ(Files(dir.path()), before) << "the store directory changed";
}

INSTANTIATE_TEST_SUITE_P(Commands, NewerStoreTable, ::testing::ValuesIn(StoreRows()),
                         [](auto const& info) { return info.param.name; });

}  // namespace
}  // namespace casebridge
