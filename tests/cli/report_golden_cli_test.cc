// `casebridge report` on the sample snapshots (tests/data/samples.jsonl at
// 2026-03-20T15:00:00Z, all of March 2026) compared byte for byte with the reviewed goldens in
// tests/data/report/. After an intended format change, regenerate them with
//   CASEBRIDGE_UPDATE_GOLDENS=1 build/tests/cli_test --gtest_filter='ReportGolden*'
// and review the diff before committing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using testing_util::RunCli;
using testing_util::SourcePath;

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first line where `a` and `b` differ, for a readable failure.
std::string FirstDifference(std::string const& a, std::string const& b) {
  std::istringstream sa(a);
  std::istringstream sb(b);
  std::string la;
  std::string lb;
  for (int line = 1;; ++line) {
    bool const more_a = static_cast<bool>(std::getline(sa, la));
    bool const more_b = static_cast<bool>(std::getline(sb, lb));
    if (!more_a && !more_b) return "no difference";
    if (!more_a || !more_b || la != lb) {
      return "line " + std::to_string(line) + ":\n  got:      " + (more_a ? la : "<end>") +
             "\n  expected: " + (more_b ? lb : "<end>");
    }
  }
}

class ReportGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ReportGolden, SampleReportMatchesTheReviewedGolden) {
  std::string const format = GetParam();
  testing_util::TempDir dir;
  std::string const out = dir.path() + "/samples." + format;
  auto r = RunCli({"report", "--input", SourcePath("tests/data/samples.jsonl"), "--now",
                   "2026-03-20T15:00:00Z", "--from", "2026-03-01", "--to", "2026-03-31", "--format",
                   format, "--out", out, "--salesforce-url", "https://example.my.salesforce.com",
                   "--forge-url", "https://forge.example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("126 flags (26 breached, 12 pending, 86 met, 2 info)"));
  std::string const got = ReadFile(out);
  std::string const golden_path = SourcePath("tests/data/report/samples." + format);
  if (char const* update = std::getenv("CASEBRIDGE_UPDATE_GOLDENS");
      update != nullptr && std::string(update) == "1") {
    std::ofstream(golden_path, std::ios::binary) << got;
    GTEST_SKIP() << "rewrote " << golden_path << ": review the diff";
  }
  std::string const expected = ReadFile(golden_path);
  ASSERT_FALSE(expected.empty()) << "missing golden " << golden_path;
  EXPECT_TRUE(got == expected) << golden_path << " differs at " << FirstDifference(got, expected);
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, ReportGolden, ::testing::Values("csv", "json", "md", "html"),
                         [](auto const& info) { return info.param; });

}  // namespace
}  // namespace casebridge
