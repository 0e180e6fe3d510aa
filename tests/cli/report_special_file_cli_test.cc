// `report --out` to something that is not a regular file (a FIFO here; /dev/null in practice)
// writes into it instead of renaming a temporary file over it: the special file must survive.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <future>
#include <sstream>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using testing_util::RunCli;

TEST(ReportSpecialFileCli, WritingToAFifoKeepsTheFifo) {
  testing_util::TempDir dir;
  std::string const fifo = dir.path() + "/report.pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The reader must be open before the writer's open() returns.
  auto reader = std::async(std::launch::async, [&] {
    std::ifstream in(fifo, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  });
  auto r = RunCli({"report", "--input", testing_util::SourcePath("tests/data/samples.jsonl"),
                   "--now", "2026-03-20T15:00:00Z", "--from", "2026-03-01", "--to", "2026-03-31",
                   "--format", "csv", "--out", fifo});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string const csv = reader.get();
  EXPECT_THAT(csv, ::testing::HasSubstr("response_4bh"));
  struct stat st {};
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced by a regular file";
}

}  // namespace
}  // namespace casebridge
