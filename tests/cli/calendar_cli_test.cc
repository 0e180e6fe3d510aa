// `casebridge calendar due|elapsed`, run as a user would: stdout, stderr and the exit code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using testing::HasSubstr;
using testing_util::CliResult;
using testing_util::RunCli;

CliResult Due(std::string const& start, std::string const& hours) {
  return RunCli({"calendar", "due", "--start", start, "--hours", hours});
}

CliResult Elapsed(std::string const& start, std::string const& end) {
  return RunCli({"calendar", "elapsed", "--start", start, "--end", end});
}

void ExpectOutput(CliResult const& r, std::string const& out) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, out);
  EXPECT_EQ(r.err, "");
}

// Exit 2, nothing on stdout, and a message naming the problem on stderr.
void ExpectUsageError(CliResult const& r, std::string const& message) {
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(message));
}

// A copy of the shipped mappings with calendar.json replaced.
class PolicyDir {
 public:
  explicit PolicyDir(std::string const& calendar_json) {
    namespace fs = std::filesystem;
    for (auto const& entry : fs::directory_iterator(testing_util::SourcePath("mappings/default"))) {
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      dir_.Write(entry.path().filename().string(), text.str());
    }
    dir_.Write("calendar.json", calendar_json);
  }
  [[nodiscard]] std::string const& path() const { return dir_.path(); }

 private:
  testing_util::TempDir dir_;
};

// ---- due ----------------------------------------------------------------------------------------

TEST(CalendarCli, FridayEveningContactIsDueMondayNoon) {
  ExpectOutput(Due("2026-02-27T17:00:00-05:00", "4"), "2026-03-02T17:00:00Z\n");
}

TEST(CalendarCli, SaturdayContactIsDueMondayOnePm) {
  ExpectOutput(Due("2026-02-28T10:00:00-05:00", "4"), "2026-03-02T18:00:00Z\n");
}

TEST(CalendarCli, AfternoonContactIsDueAtClosingSameDay) {
  ExpectOutput(Due("2026-03-03T14:00:00-05:00", "4"), "2026-03-03T23:00:00Z\n");
}

TEST(CalendarCli, DueAcrossSpringForwardWeekendIsMondayNoonDaylightTime) {
  ExpectOutput(Due("2026-03-06T17:00:00-05:00", "4"), "2026-03-09T16:00:00Z\n");
}

TEST(CalendarCli, DueAcceptsUtcAndSalesforceTimestampForms) {
  ExpectOutput(Due("2026-03-02T14:05:00Z", "4"), "2026-03-02T18:05:00Z\n");
  ExpectOutput(Due("2026-03-02T14:05:00.000+0000", "4"), "2026-03-02T18:05:00Z\n");
}

TEST(CalendarCli, FractionalHoursRoundToTheNearestSecond) {
  ExpectOutput(Due("2026-03-03T17:30:00-05:00", "1.25"), "2026-03-04T14:45:00Z\n");
  ExpectOutput(Due("2026-03-03T15:00:00Z", "0.0002"), "2026-03-03T15:00:01Z\n");  // 0.72 s
  ExpectOutput(Due("2026-03-03T15:00:00Z", "0.0001"), "2026-03-03T15:00:00Z\n");  // 0.36 s
}

TEST(CalendarCli, ZeroHoursPrintsTheStart) {
  ExpectOutput(Due("2026-02-28T10:00:00-05:00", "0"), "2026-02-28T15:00:00Z\n");
}

TEST(CalendarCli, PolicyDirectorySuppliesTheCalendar) {
  PolicyDir const dir(R"({
    "time_zone": "America/New_York",
    "open_days": ["mon", "tue", "wed", "thu", "fri"],
    "opens": "09:00",
    "closes": "18:00",
    "holidays": ["2026-03-02"]
  })");
  auto const r = RunCli({"calendar", "due", "--start", "2026-02-27T17:00:00-05:00", "--hours", "4",
                         "--policy", dir.path()});
  ExpectOutput(r, "2026-03-03T17:00:00Z\n");
  auto const e = RunCli({"calendar", "elapsed", "--start", "2026-02-27T17:00:00-05:00", "--end",
                         "2026-03-03T17:00:00Z", "--policy", dir.path()});
  ExpectOutput(e, "240\n");
}

// ---- elapsed ------------------------------------------------------------------------------------

TEST(CalendarCli, ElapsedPrintsWholeBusinessMinutesRoundedDown) {
  ExpectOutput(Elapsed("2026-02-27T17:00:00-05:00", "2026-03-02T12:00:59-05:00"), "240\n");
  ExpectOutput(Elapsed("2026-03-03T09:00:00-05:00", "2026-03-03T09:00:59-05:00"), "0\n");
  ExpectOutput(Elapsed("2026-03-02T00:00:00-05:00", "2026-03-09T00:00:00-04:00"), "2700\n");
}

TEST(CalendarCli, ElapsedIsZeroWhenEndIsBeforeStart) {
  ExpectOutput(Elapsed("2026-03-03T16:00:00Z", "2026-03-03T15:00:00Z"), "0\n");
}

// ---- help ---------------------------------------------------------------------------------------

TEST(CalendarCli, HelpDescribesActionsAndOptions) {
  auto const top = RunCli({"calendar", "--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("usage: casebridge calendar <action>"));
  EXPECT_THAT(top.out, HasSubstr("elapsed"));
  EXPECT_EQ(top.err, "");

  auto const due = RunCli({"calendar", "due", "--help"});
  EXPECT_EQ(due.exit_code, 0);
  EXPECT_THAT(due.out, HasSubstr("usage: casebridge calendar due --start ISO --hours H"));
  EXPECT_THAT(due.out, HasSubstr("--policy"));
  EXPECT_EQ(due.err, "");

  auto const elapsed = RunCli({"calendar", "elapsed", "--help"});
  EXPECT_EQ(elapsed.exit_code, 0);
  EXPECT_THAT(elapsed.out, HasSubstr("usage: casebridge calendar elapsed --start ISO --end ISO"));
  EXPECT_EQ(elapsed.err, "");
}

TEST(CalendarCli, HelpWinsOverMissingOptions) {
  auto const r = RunCli({"calendar", "due", "--start", "garbage", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: casebridge calendar due"));
}

// ---- usage errors -------------------------------------------------------------------------------

TEST(CalendarCli, MissingOptionsAreNamed) {
  ExpectUsageError(RunCli({"calendar", "due", "--hours", "4"}), "missing required option --start");
  ExpectUsageError(RunCli({"calendar", "due", "--start", "2026-03-03T15:00:00Z"}),
                   "missing required option --hours");
  ExpectUsageError(RunCli({"calendar", "elapsed", "--start", "2026-03-03T15:00:00Z"}),
                   "missing required option --end");
  ExpectUsageError(RunCli({"calendar", "due", "--start", "2026-03-03T15:00:00Z", "--hours"}),
                   "'--hours' is missing");
}

TEST(CalendarCli, TimestampWithoutOffsetIsRejected) {
  ExpectUsageError(Due("2026-03-03T15:00:00", "4"),
                   "--start '2026-03-03T15:00:00': expected an ISO-8601 date-time with an offset");
  ExpectUsageError(Elapsed("2026-03-03T15:00:00Z", "2026-03-04"),
                   "--end '2026-03-04': expected an ISO-8601 date-time with an offset");
}

TEST(CalendarCli, UnparsableTimestampIsRejected) {
  ExpectUsageError(Due("yesterday", "4"), "--start 'yesterday'");
  ExpectUsageError(Due("2026-02-30T10:00:00Z", "4"), "--start '2026-02-30T10:00:00Z'");
}

TEST(CalendarCli, BadHoursAreRejected) {
  ExpectUsageError(Due("2026-03-03T15:00:00Z", "-1"), "--hours '-1': must not be negative");
  ExpectUsageError(Due("2026-03-03T15:00:00Z", "nan"), "--hours 'nan': not a number of hours");
  ExpectUsageError(Due("2026-03-03T15:00:00Z", "four"), "--hours 'four': not a number of hours");
  ExpectUsageError(Due("2026-03-03T15:00:00Z", "4h"), "--hours '4h': not a number of hours");
  ExpectUsageError(Due("2026-03-03T15:00:00Z", "inf"), "--hours 'inf': not a number of hours");
  ExpectUsageError(Due("2026-03-03T15:00:00Z", ""), "--hours '': not a number of hours");
  ExpectUsageError(Due("2026-03-03T15:00:00Z", "1e9"), "--hours '1e9': must be at most");
}

TEST(CalendarCli, UnknownOrMissingActionIsRejected) {
  auto const unknown = RunCli({"calendar", "overdue", "--start", "2026-03-03T15:00:00Z"});
  ExpectUsageError(unknown, "unknown action 'overdue' (expected 'due' or 'elapsed')");
  ExpectUsageError(RunCli({"calendar"}), "missing action");
}

TEST(CalendarCli, UnknownOptionAndStrayArgumentAreRejected) {
  ExpectUsageError(
      RunCli({"calendar", "due", "--start", "2026-03-03T15:00:00Z", "--hours", "4", "--business"}),
      "unrecognised option '--business'");
  ExpectUsageError(
      RunCli({"calendar", "due", "--start", "2026-03-03T15:00:00Z", "--hours", "4", "extra"}),
      "unexpected argument 'extra'");
}

TEST(CalendarCli, BadPolicyDirectoryIsReportedWithItsProblem) {
  ExpectUsageError(RunCli({"calendar", "due", "--start", "2026-03-03T15:00:00Z", "--hours", "4",
                           "--policy", "/nonexistent/mappings"}),
                   "--policy '/nonexistent/mappings'");
  PolicyDir const dir(R"({"time_zone": "Mars/Olympus", "open_days": ["mon"],
                          "opens": "09:00", "closes": "18:00", "holidays": []})");
  ExpectUsageError(RunCli({"calendar", "elapsed", "--start", "2026-03-03T15:00:00Z", "--end",
                           "2026-03-04T15:00:00Z", "--policy", dir.path()}),
                   "Mars/Olympus");
}

TEST(CalendarCli, DueBeyondYear9999IsAnError) {
  ExpectUsageError(Due("9999-12-31T17:00:00Z", "40"), "after 9999-12-31T23:59:59Z");
}

}  // namespace
}  // namespace casebridge
