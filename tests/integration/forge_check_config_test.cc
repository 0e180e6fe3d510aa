// `casebridge check-config` validates forge.json of the mappings directory (or the shipped one)
// and names the file and key of every problem.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

namespace fs = std::filesystem;

// A copy of the shipped mappings directory, optionally with forge.json replaced.
std::string CopyMappings(testing_util::TempDir const& dir, std::string const& forge_json) {
  for (auto const& entry : fs::directory_iterator(testing_util::SourcePath("mappings/default"))) {
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    dir.Write(entry.path().filename().string(), buf.str());
  }
  if (!forge_json.empty()) dir.Write("forge.json", forge_json);
  return dir.path();
}

TEST(ForgeCheckConfig, TheShippedForgeMappingIsReportedInTheSummary) {
  auto const r = testing_util::RunCli({"check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("forge mapping: <shipped defaults>/forge.json (12 signals)"),
            std::string::npos)
      << r.out;
}

TEST(ForgeCheckConfig, AForgeJsonInTheMappingsDirectoryIsValidatedWithFileAndKey) {
  testing_util::TempDir dir;
  std::string text;
  {
    std::ifstream in(testing_util::SourcePath("mappings/default/forge.json"));
    std::stringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  auto const pos = text.find("\"/api/v1/tickets\"");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, std::string("\"/api/v1/tickets\"").size(), "\"api/v1/tickets\"");
  auto const path = CopyMappings(dir, text);
  auto const r = testing_util::RunCli({"check-config", "--policy", path});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find(path + "/forge.json: forge.tickets.path: expected an absolute path"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 problem found"), std::string::npos) << r.err;
}

TEST(ForgeCheckConfig, AValidForgeJsonInTheMappingsDirectoryIsUsed) {
  testing_util::TempDir dir;
  auto const path = CopyMappings(dir, "");
  auto const r = testing_util::RunCli({"check-config", "--policy", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("forge mapping: " + path + "/forge.json (12 signals)"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace casebridge
