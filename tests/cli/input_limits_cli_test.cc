// Hostile snapshot input for `casebridge evaluate` and `report --input` (issue 12): nesting that
// would exhaust the stack and lines that would exhaust memory are bad lines, reported with their
// number, and the rest of the file is still evaluated; the process stays within bounded memory
// and exits with a contract code (SPEC 3), never a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::RunCli;

constexpr char const* kNow = "2026-03-09T17:30:00Z";
constexpr char const* kGood = R"({"id":"AFTER","created_at":"2026-03-02T14:05:00Z"})";

// A snapshot line whose unknown field nests `depth` arrays deep.
std::string DeepLine(int depth) {
  auto const n = static_cast<std::size_t>(depth);
  return R"({"id":"DEEP","created_at":"2026-03-02T14:05:00Z","x_custom":)" + std::string(n, '[') +
         std::string(n, ']') + "}";
}

// The process never held the over-long line: its peak RSS stays far below the line's size.
// (Under AddressSanitizer the shadow memory and quarantine make RSS meaningless: skipped.)
void ExpectBoundedMemory(testing_util::CliResult const& r) {
#if defined(__SANITIZE_ADDRESS__)
  (void)r;
#else
  EXPECT_LT(r.max_rss_kb, 48 * 1024) << "peak RSS in KiB";
#endif
}

std::vector<std::string> ReportArgs(std::string const& input, std::string const& out) {
  return {"report", "--input",    input,      "--now", kNow,    "--from", "2026-03-01",
          "--to",   "2026-03-31", "--format", "json",  "--out", out};
}

TEST(InputLimitsCli, EvaluateReportsADeeplyNestedLineAndEvaluatesTheRest) {
  testing_util::TempDir dir;
  auto const path = dir.Write("deep.jsonl", DeepLine(50'000) + "\n" + std::string(kGood) + "\n");
  auto r = RunCli({"evaluate", "--input", path, "--now", kNow});
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);  // was 139 (SIGSEGV)
  EXPECT_THAT(r.err, HasSubstr(path + ":1: x_custom: nested more than 512 levels deep"));
  EXPECT_THAT(r.err, HasSubstr("1 bad line skipped"));
  EXPECT_THAT(r.out, HasSubstr(R"({"id":"AFTER")"));
  EXPECT_THAT(r.out, Not(HasSubstr("DEEP")));
}

TEST(InputLimitsCli, ReportInputReportsADeeplyNestedLineAndStillWritesTheReport) {
  testing_util::TempDir dir;
  auto const path = dir.Write("deep.jsonl", DeepLine(50'000) + "\n" + std::string(kGood) + "\n");
  std::string const out = dir.path() + "/r.json";
  auto r = RunCli(ReportArgs(path, out));
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);  // was 139 (SIGSEGV)
  EXPECT_THAT(r.err, AllOf(HasSubstr("deep.jsonl:1: x_custom: nested more than 512 levels deep"),
                           HasSubstr("1 bad line skipped")));
  std::ifstream written(out);
  EXPECT_TRUE(written.good()) << "the report is still written";
}

// Writes `path`: a snapshot line with a string value of `mib` MiB, then `after`. Written in
// pieces: the child's peak RSS (wait4) also counts this process's peak, which must stay small.
void WriteHugeLine(std::string const& path, std::size_t mib, std::string const& after) {
  std::ofstream out(path, std::ios::binary);
  out << R"({"id":"BIG","created_at":"2026-03-02T14:05:00Z","x":")";
  std::string const piece(std::size_t{1} << 20, 'a');
  for (std::size_t i = 0; i < mib; ++i) out << piece;
  out << "\"}\n" << after << "\n";
}

TEST(InputLimitsCli, EvaluateSkipsALineOverSixteenMebibytesWithoutHoldingIt) {
  testing_util::TempDir dir;
  // 60 MiB in one string value: reading it whole (and the parser's copy) took ~200 MB.
  std::string const path = dir.path() + "/big.jsonl";
  WriteHugeLine(path, 60, kGood);
  auto r = RunCli({"evaluate", "--input", path, "--now", kNow});
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);
  EXPECT_THAT(r.err, HasSubstr(path + ":1: the line is longer than 16 MiB"));
  EXPECT_THAT(r.out, AllOf(HasSubstr(R"({"id":"AFTER")"), Not(HasSubstr("BIG"))));
  ExpectBoundedMemory(r);
}

TEST(InputLimitsCli, ReportInputSkipsALineOverSixteenMebibytesAndReportsTheRest) {
  testing_util::TempDir dir;
  std::string const path = dir.path() + "/big.jsonl";
  WriteHugeLine(path, 60, kGood);
  std::string const out = dir.path() + "/r.json";
  auto r = RunCli(ReportArgs(path, out));
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);
  EXPECT_THAT(r.err, HasSubstr(path + ":1: the line is longer than 16 MiB"));
  std::ifstream written(out);
  std::string const report((std::istreambuf_iterator<char>(written)),
                           std::istreambuf_iterator<char>());
  EXPECT_THAT(report, AllOf(HasSubstr("AFTER"), Not(HasSubstr("BIG"))));
  ExpectBoundedMemory(r);
}

TEST(InputLimitsCli, ReportInputOfDevZeroEndsWithAClearErrorAndExitTwo) {
  testing_util::TempDir dir;
  auto r = RunCli(ReportArgs("/dev/zero", dir.path() + "/r.json"));
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);
  EXPECT_THAT(r.err, HasSubstr("reading /dev/zero stopped after line 1: a line runs on for more "
                               "than 1 GiB without a line end: the input is not JSON Lines"));
  ExpectBoundedMemory(r);
}

TEST(InputLimitsCli, EvaluateOfDevZeroEndsWithAClearErrorAndExitTwo) {
  auto r = RunCli({"evaluate", "--input", "/dev/zero", "--now", kNow});
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);  // was 70 (std::bad_alloc)
  EXPECT_THAT(r.err, HasSubstr("/dev/zero:1: the line is longer than 16 MiB"));
  EXPECT_THAT(r.err, HasSubstr("reading /dev/zero stopped after line 1: a line runs on for more "
                               "than 1 GiB without a line end: the input is not JSON Lines"));
  EXPECT_THAT(r.err, Not(HasSubstr("bad_alloc")));
  ExpectBoundedMemory(r);
}

}  // namespace
}  // namespace casebridge
