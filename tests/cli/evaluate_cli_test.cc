// `casebridge evaluate` driven as a user would: the built binary, real files, stdin.
// Rule details belong to the engine tests; these check the command's contract (SPEC 2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing_util::Lines;
using testing_util::RunCli;
using testing_util::SourcePath;

constexpr char const* kMonday = "2026-03-09T17:30:00Z";

std::string Data(std::string const& name) { return SourcePath("tests/data/evaluate/" + name); }

// The ids of the JSON lines of `out`, in order; fails the test on a line that is not JSON.
std::vector<std::string> Ids(std::string const& out) {
  std::vector<std::string> ids;
  for (auto const& line : Lines(out)) {
    auto const j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << line;
    if (j.is_discarded() || !j.contains("id")) continue;
    ids.push_back(j.at("id").get<std::string>());
  }
  return ids;
}

TEST(EvaluateCli, HelpDescribesTheOptionsAndExitsZero) {
  auto r = RunCli({"evaluate", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, AllOf(HasSubstr("--input"), HasSubstr("--now"), HasSubstr("--policy"),
                           HasSubstr("--format")));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(EvaluateCli, AllGoodFileGivesOneLinePerCaseInInputOrderAndExitsZero) {
  auto r = RunCli({"evaluate", "--input", Data("good.jsonl"), "--now", kMonday});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_THAT(Ids(r.out), ElementsAre("500A", "500B", "F-77"));
  for (auto const& line : Lines(r.out)) {
    auto const j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_TRUE(j.at("stage").is_string());
    EXPECT_TRUE(j.at("flags").is_array());
    EXPECT_TRUE(j.at("actions").is_array());
  }
}

TEST(EvaluateCli, BadLinesAreReportedWithTheirNumbersAndTheRestIsEvaluated) {
  auto const path = Data("mixed.jsonl");
  auto r = RunCli({"evaluate", "--input", path, "--now", kMonday});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(Ids(r.out), ElementsAre("GOOD-1", "GOOD-2", "GOOD-3"));
  auto const err = Lines(r.err);
  ASSERT_EQ(err.size(), 5U) << r.err;
  EXPECT_THAT(err[0], AllOf(HasSubstr(path + ":2: "), HasSubstr("not valid JSON")));
  EXPECT_THAT(err[1], HasSubstr(path + ":4: id: required field is missing"));
  EXPECT_THAT(err[2], HasSubstr(path + ":6: created_at: required field is missing"));
  EXPECT_THAT(err[3],
              AllOf(HasSubstr(path + ":7: events[1].at: "), HasSubstr("\"2026-03-02 16:00\"")));
  EXPECT_THAT(err[4], HasSubstr("4 bad lines skipped"));
  EXPECT_THAT(r.err, Not(HasSubstr(":5:")));  // the blank line is skipped silently
}

TEST(EvaluateCli, ReadsStandardInputWhenInputIsDash) {
  std::string const input =
      R"({"id":"S1","created_at":"2026-03-02T14:05:00Z"})"
      "\n"
      R"({"id":"S2","created_at":"yesterday"})"
      "\n"
      R"({"id":"S3","created_at":"2026-03-02T14:05:00Z"})";  // no final newline
  auto r = RunCli({"evaluate", "--input", "-", "--now", kMonday}, input);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(Ids(r.out), ElementsAre("S1", "S3"));
  EXPECT_THAT(r.err, HasSubstr("<stdin>:2: created_at: "));
  EXPECT_THAT(r.err, HasSubstr("\"yesterday\""));
}

TEST(EvaluateCli, FridayFivePmEstContactIsDueMondayNoonEdtAcrossTheDstChange) {
  // Created Friday 2026-03-06 17:00 EST (22:00Z), never answered. One business hour is left on
  // Friday; DST starts Sunday Mar 8, so the remaining three hours end Monday 12:00 EDT = 16:00Z.
  // At Monday 17:30Z the flag is 90 minutes late.
  auto r = RunCli({"evaluate", "--input", Data("friday_evening.jsonl"), "--now", kMonday});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Lines(r.out).size(), 1U);
  EXPECT_THAT(r.out, HasSubstr(R"({"id":"FRI-1700","stage":")"));
  EXPECT_THAT(r.out, HasSubstr(R"({"rule":"response_4bh","started":"2026-03-06T22:00:00Z",)"
                               R"("due":"2026-03-09T16:00:00Z","met_at":null,)"
                               R"("status":"breached","late_minutes":90})"));
}

TEST(EvaluateCli, SameCaseBeforeItsDueIsPendingWithoutLateMinutes) {
  auto r = RunCli(
      {"evaluate", "--input", Data("friday_evening.jsonl"), "--now", "2026-03-09T11:59:59-04:00"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"rule":"response_4bh","started":"2026-03-06T22:00:00Z",)"
                               R"("due":"2026-03-09T16:00:00Z","met_at":null,)"
                               R"("status":"pending"})"));
}

TEST(EvaluateCli, ContactBeforeTheDueMeetsTheResponseRule) {
  std::string const input = R"({"id":"FRI-MET","created_at":"2026-03-06T22:00:00Z","events":[)"
                            R"({"type":"homeowner_contacted","at":"2026-03-09T14:00:00Z"}]})";
  auto r = RunCli({"evaluate", "--input", "-", "--now", kMonday}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"rule":"response_4bh","started":"2026-03-06T22:00:00Z",)"
                               R"("due":"2026-03-09T16:00:00Z","met_at":"2026-03-09T14:00:00Z",)"
                               R"("status":"met"})"));
}

TEST(EvaluateCli, TextFormatIsReadableAndEndsWithTotals) {
  auto r =
      RunCli({"evaluate", "--input", Data("mixed.jsonl"), "--now", kMonday, "--format", "text"});
  EXPECT_EQ(r.exit_code, 2);  // mixed.jsonl has bad lines
  EXPECT_THAT(r.out, AllOf(HasSubstr("case GOOD-1"), HasSubstr("case GOOD-2"),
                           HasSubstr("case GOOD-3"), HasSubstr("stage: ")));
  EXPECT_THAT(r.out, HasSubstr("== totals =="));
  EXPECT_THAT(r.out, HasSubstr("cases evaluated: 3  (bad lines skipped: 4)"));
  EXPECT_THAT(r.out, HasSubstr("flags by rule"));
  EXPECT_THAT(r.out, HasSubstr("response_4bh"));
  EXPECT_THAT(r.out, Not(HasSubstr("{\"id\"")));  // no JSON in text mode
}

TEST(EvaluateCli, TextFormatShowsTheBreachAndHowLate) {
  auto r = RunCli(
      {"evaluate", "--input", Data("friday_evening.jsonl"), "--now", kMonday, "--format", "text"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("case FRI-1700"));
  EXPECT_THAT(r.out, HasSubstr("due 2026-03-09T16:00:00Z  late 1h 30m"));
  EXPECT_THAT(r.out, HasSubstr("cases evaluated: 1\n"));
}

TEST(EvaluateCli, BadNowIsRejected) {
  for (char const* bad : {"2026-03-09T17:30:00", "monday", "2026-13-01T00:00:00Z"}) {
    auto r = RunCli({"evaluate", "--input", Data("good.jsonl"), "--now", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.err, AllOf(HasSubstr("--now"), HasSubstr(bad))) << bad;
    EXPECT_THAT(r.out, IsEmpty());
  }
}

TEST(EvaluateCli, NowDefaultsToTheCurrentTime) {
  auto r = RunCli({"evaluate", "--input", Data("good.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Ids(r.out), ElementsAre("500A", "500B", "F-77"));
}

TEST(EvaluateCli, MissingInputFileIsAClearError) {
  auto r = RunCli({"evaluate", "--input", "/nonexistent/cases.jsonl", "--now", kMonday});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("/nonexistent/cases.jsonl"), HasSubstr("No such file")));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(EvaluateCli, MissingInputOptionIsAUsageError) {
  auto r = RunCli({"evaluate", "--now", kMonday});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--input"));
}

TEST(EvaluateCli, UnknownFormatAndUnknownOptionAreUsageErrors) {
  auto r = RunCli({"evaluate", "--input", Data("good.jsonl"), "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("xml"));
  auto r2 = RunCli({"evaluate", "--input", Data("good.jsonl"), "--frobnicate"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_THAT(r2.err, HasSubstr("frobnicate"));
}

TEST(EvaluateCli, ExplicitPolicyDirectoryIsUsed) {
  auto r = RunCli({"evaluate", "--input", Data("friday_evening.jsonl"), "--now", kMonday,
                   "--policy", SourcePath("mappings/default")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("due":"2026-03-09T16:00:00Z")"));
}

TEST(EvaluateCli, BadPolicyDirectoryIsReportedAndNothingIsEvaluated) {
  testing_util::TempDir dir;
  auto r = RunCli({"evaluate", "--input", Data("good.jsonl"), "--now", kMonday, "--policy",
                   dir.path() + "/missing"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("policy"));
  EXPECT_THAT(r.out, IsEmpty());
}

// The response_4bh flags of the first case of `out` (one JSON line per case).
std::vector<nlohmann::json> ResponseFlags(std::string const& out) {
  std::vector<nlohmann::json> flags;
  auto const lines = Lines(out);
  if (lines.empty()) return flags;
  auto const j = nlohmann::json::parse(lines.front(), nullptr, false);
  if (j.is_discarded()) return flags;
  for (auto const& f : j.at("flags")) {
    if (f.at("rule") == "response_4bh") flags.push_back(f);
  }
  return flags;
}

TEST(EvaluateCli, AnEmailToCaseCaseHasOneResponseClock) {
  // Email-to-Case: the incoming e-mail opened the case, so both carry the same instant. The
  // creation clock covers it (SPEC 1.4); the sync stores the same single flag.
  std::string const input =
      R"({"id":"500E2C","source":"salesforce","created_at":"2026-03-02T14:05:00Z","events":[)"
      R"({"type":"customer_message","at":"2026-03-02T14:05:00Z"},)"
      R"({"type":"homeowner_contacted","at":"2026-03-02T15:00:00Z"}]})";
  auto r = RunCli({"evaluate", "--input", "-", "--now", kMonday}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto const flags = ResponseFlags(r.out);
  ASSERT_EQ(flags.size(), 1U) << r.out;
  EXPECT_EQ(flags[0].dump(),
            R"({"due":"2026-03-02T18:05:00Z","met_at":"2026-03-02T15:00:00Z",)"
            R"("rule":"response_4bh","started":"2026-03-02T14:05:00Z","status":"met"})");
}

TEST(EvaluateCli, TwoCustomerEmailsAtTheSameSecondAreTwoClocks) {
  std::string const input = R"({"id":"500TWO","created_at":"2026-03-02T14:05:00Z","events":[)"
                            R"({"type":"customer_message","at":"2026-03-03T15:00:00Z"},)"
                            R"({"type":"customer_message","at":"2026-03-03T15:00:00Z"}]})";
  auto r = RunCli({"evaluate", "--input", "-", "--now", kMonday}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto const flags = ResponseFlags(r.out);
  ASSERT_EQ(flags.size(), 3U) << r.out;
  EXPECT_EQ(flags[1].at("started"), "2026-03-03T15:00:00Z");
  EXPECT_EQ(flags[2].at("started"), "2026-03-03T15:00:00Z");
}

TEST(EvaluateCli, NowInThePastEvaluatesTheCaseAsItStoodThen) {
  // The answer and the closing came after --now: a replay at --now sees neither.
  std::string const input =
      R"({"id":"500PAST","created_at":"2026-03-02T14:05:00Z","closed_at":"2026-03-04T12:00:00Z",)"
      R"("events":[{"type":"homeowner_contacted","at":"2026-03-03T15:00:00Z"}]})";
  auto r = RunCli({"evaluate", "--input", "-", "--now", "2026-03-02T20:00:00Z"}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("stage":"open")"));
  auto const flags = ResponseFlags(r.out);
  ASSERT_EQ(flags.size(), 1U) << r.out;
  EXPECT_EQ(flags[0].at("met_at"), nullptr);
  EXPECT_EQ(flags[0].at("status"), "breached");
  EXPECT_EQ(flags[0].at("late_minutes"), 115);
}

TEST(EvaluateCli, CrlfLinesAByteOrderMarkAndWhitespaceLinesAreAccepted) {
  std::string const input =
      "\xEF\xBB\xBF"
      R"({"id":"W1","created_at":"2026-03-02T14:05:00Z"})"
      "\r\n   \r\n\t\n"
      R"({"id":"W2","created_at":"2026-03-02T14:05:00Z"})"
      "\r\n";
  auto r = RunCli({"evaluate", "--input", "-", "--now", kMonday}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Ids(r.out), ElementsAre("W1", "W2"));
}

TEST(EvaluateCli, ManyLinesStreamThroughInOrder) {
  // ~6 MB: lines straddle the reader's 1 MiB chunks and the output is flushed several times.
  std::string input;
  std::string const events = R"([{"type":"customer_message","at":"2026-03-02T14:05:00Z"},)"
                             R"({"type":"homeowner_contacted","at":"2026-03-02T15:00:00Z"},)"
                             R"({"type":"outreach_note","at":"2026-03-02T15:05:00Z"}])";
  int const n = 20000;
  for (int i = 0; i < n; ++i) {
    input += R"({"id":"N)" + std::to_string(i) +
             R"(","created_at":"2026-03-02T14:05:00Z","primary_reason":"Installer Complaints",)"
             R"("homeowner_id":"003A","installer_id":"001A","events":)" +
             events + "}\n";
  }
  auto r = RunCli({"evaluate", "--input", "-", "--now", kMonday}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 500);
  auto const ids = Ids(r.out);
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(ids[static_cast<std::size_t>(i)], "N" + std::to_string(i));
  }
}

TEST(EvaluateCli, ALineLongerThanTheReadChunkIsRead) {
  std::string line = R"({"id":"LONG","created_at":"2026-03-02T14:05:00Z","events":[)";
  for (int i = 0; i < 40000; ++i) {  // ~2.4 MB on one line
    if (i > 0) line += ',';
    line += R"({"type":"customer_message","at":"2026-03-02T14:05:00Z"})";
  }
  line += "]}\n";
  testing_util::TempDir dir;
  auto const path =
      dir.Write("long.jsonl", line + R"({"id":"AFTER","created_at":"2026-03-02T14:05:00Z"})"
                                     "\n");
  auto r = RunCli({"evaluate", "--input", path, "--now", kMonday});
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 500);
  EXPECT_THAT(Ids(r.out), ElementsAre("LONG", "AFTER"));
}

TEST(EvaluateCli, EmptyInputGivesNoOutputAndExitsZero) {
  testing_util::TempDir dir;
  auto const path = dir.Write("empty.jsonl", "");
  auto r = RunCli({"evaluate", "--input", path, "--now", kMonday});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, IsEmpty());
}

// Golden output of the whole sample file (tests/data/samples.md documents every case; the engine
// tests check the rule details). After an intended change of the engine's output, regenerate
// with `casebridge evaluate --input tests/data/samples.jsonl --now 2026-03-20T15:00:00Z
// > tests/data/evaluate/samples.expected.jsonl` and review the diff.
TEST(EvaluateCli, SampleFileMatchesItsGoldenOutput) {
  auto r = RunCli({"evaluate", "--input", SourcePath("tests/data/samples.jsonl"), "--now",
                   "2026-03-20T15:00:00Z"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream golden(Data("samples.expected.jsonl"), std::ios::binary);
  ASSERT_TRUE(golden.is_open()) << Data("samples.expected.jsonl");
  std::string const expected((std::istreambuf_iterator<char>(golden)),
                             std::istreambuf_iterator<char>());
  auto const got_lines = Lines(r.out);
  auto const want_lines = Lines(expected);
  ASSERT_EQ(got_lines.size(), want_lines.size());
  for (std::size_t i = 0; i < want_lines.size(); ++i) {
    EXPECT_EQ(got_lines[i], want_lines[i]) << "line " << i + 1;
  }
  EXPECT_EQ(r.out, expected);
}

}  // namespace
}  // namespace casebridge
