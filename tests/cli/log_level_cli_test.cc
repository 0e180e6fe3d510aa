// `--log-level debug|info|warn|error` and CASEBRIDGE_LOG_LEVEL on every command that logs
// (issue 12), and the promise that even debug never prints a secret: the demo runs its sync
// against the bundled sandbox at debug level and every byte it prints is searched for the
// sandbox's client secret, the Forge password and anything shaped like an access token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::RunCli;

// The demo's sandbox credentials (connector/cli/demo_command.cc, connector/sandbox/demo_org.h).
constexpr char kDemoClientSecret[] = "casebridge-demo-sandbox-secret";
constexpr char kDemoForgePassword[] = "forge-sandbox-password";

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class LogLevelCli : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("CASEBRIDGE_LOG_LEVEL"); }
  void TearDown() override { unsetenv("CASEBRIDGE_LOG_LEVEL"); }

  testing_util::CliResult Demo(std::vector<std::string> extra) {
    std::vector<std::string> args = {"demo",    "--dir", dir_.path() + "/demo", "--now", kNow,
                                     "--cases", "20",    "--log-format",        "text"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  static constexpr char const* kNow = "2026-03-20T15:00:00Z";
  testing_util::TempDir dir_;
};

TEST_F(LogLevelCli, EveryCommandThatLogsOffersTheOption) {
  for (auto const* command : {"sync", "backfill", "demo", "auth"}) {
    auto r = RunCli({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr("--log-level")) << command;
    EXPECT_THAT(r.out, HasSubstr("CASEBRIDGE_LOG_LEVEL")) << command;
  }
}

TEST_F(LogLevelCli, AnUnknownLevelIsAUsageErrorNamingWhereItCameFrom) {
  auto r = RunCli({"sync", "--once", "--log-level", "verbose"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--log-level: expected debug, info, warn or error, got 'verbose'"));
  setenv("CASEBRIDGE_LOG_LEVEL", "loud", 1);
  auto e = RunCli({"demo", "--dir", dir_.path() + "/demo"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_THAT(e.err, HasSubstr("CASEBRIDGE_LOG_LEVEL: expected debug, info, warn or error, got "
                               "'loud'"));
  auto a = RunCli({"auth", "check", "--log-level", "trace"});
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_THAT(a.err, HasSubstr("--log-level: expected"));
}

TEST_F(LogLevelCli, DebugShowsEveryExchangeWithItsPortAndNeverASecret) {
  auto r = Demo({"--log-level", "debug"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err.substr(0, 2000);
  // Debug is really on: the HTTP exchanges with the sandbox, port included.
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex(R"(debug +\[[^\]]+\] http POST http://127\.0\.0\.1:[0-9]+/services/)"
                        R"(oauth2/token body=[0-9]+B)")))
      << r.err.substr(0, 2000);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(http POST http://127\.0\.0\.1:[0-9]+/api/)"
                                                  R"(auth/login)")))
      << r.err.substr(0, 2000);
  // The secrets are known (the demo keeps the Forge password in its forge.json) and absent.
  ASSERT_THAT(ReadFile(dir_.path() + "/demo/forge.json"), HasSubstr(kDemoForgePassword));
  for (auto const* text : {&r.out, &r.err}) {
    EXPECT_THAT(*text, Not(HasSubstr(kDemoClientSecret)));
    EXPECT_THAT(*text, Not(HasSubstr(kDemoForgePassword)));
    EXPECT_FALSE(std::regex_search(*text, std::regex(R"([0-9A-Za-z]{15}![0-9A-Za-z._]{20,})")))
        << "a Salesforce access token";
    EXPECT_THAT(*text, Not(HasSubstr("Bearer ")));
    EXPECT_THAT(*text, Not(HasSubstr("access_token")));
  }
}

TEST_F(LogLevelCli, TheEnvironmentVariableSetsTheLevelAndTheOptionWins) {
  setenv("CASEBRIDGE_LOG_LEVEL", "debug", 1);
  auto env = Demo({});
  ASSERT_EQ(env.exit_code, 0) << env.err.substr(0, 2000);
  EXPECT_THAT(env.err, HasSubstr("http POST"));
  auto option = Demo({"--log-level", "error"});
  ASSERT_EQ(option.exit_code, 0) << option.err.substr(0, 2000);
  // No log line at all (stderr may still carry a sanitizer's own summary in that build).
  EXPECT_THAT(option.err, Not(HasSubstr("http POST")));
  for (auto const* level : {" debug ", " info ", " warning "}) {
    EXPECT_THAT(option.err, Not(HasSubstr(level))) << option.err;
  }
}

}  // namespace
}  // namespace casebridge
