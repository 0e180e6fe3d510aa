// `casebridge auth check` against the Forge emulator: a wrong password exits 3 without echoing
// the password anywhere; the right one prints who casebridge is logged in as. The password may
// also be a systemd credential ({"credential": NAME} reads $CREDENTIALS_DIRECTORY/NAME).
//
// The Forge part of the auth command is wired by the CLI's owner (connector/cli/auth_command.cc
// calls forge::CheckForgeAuth). Until then the binary says so, and these tests are skipped with
// that reason rather than passing vacuously.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

#include "connector/sandbox/forge_emulator.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

constexpr char const* kPasswordEnv = "CASEBRIDGE_IT_FORGE_CLI_PASSWORD";

class ForgeAuthCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(emulator_.Start().ok());
    nlohmann::json config = {{"forge",
                              {{"base_url", emulator_.base_url()},
                               {"email", "integration@forge.sandbox"},
                               {"password", {{"env", kPasswordEnv}}}}}};
    config_ = dir_.Write("casebridge.json", config.dump(2));
  }

  testing_util::CliResult Run(std::string const& password) {
    ::setenv(kPasswordEnv, password.c_str(), 1);
    auto r = testing_util::RunCli({"auth", "check", "--config", config_});
    if (r.err.find("unknown command 'auth'") != std::string::npos ||
        r.out.find("login check not available") != std::string::npos) {
      skip_ = true;
    }
    return r;
  }

  sandbox::ForgeEmulator emulator_;
  testing_util::TempDir dir_;
  std::string config_;
  bool skip_ = false;
};

TEST_F(ForgeAuthCli, WrongPasswordExitsThreeWithoutEchoingThePassword) {
  auto const r = Run("Wrong-Cli-Pa55word");
  if (skip_) GTEST_SKIP() << "`casebridge auth check` does not call forge::CheckForgeAuth yet";
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.out.find("Wrong-Cli-Pa55word"), std::string::npos);
  EXPECT_EQ(r.err.find("Wrong-Cli-Pa55word"), std::string::npos);
  EXPECT_NE(r.err.find("forge"), std::string::npos) << r.err;
  EXPECT_EQ(emulator_.Logins(), 0);
}

TEST_F(ForgeAuthCli, RightPasswordReachesTheEmulatorAndPrintsTheUser) {
  auto const r = Run("forge-sandbox-password");
  if (skip_) GTEST_SKIP() << "`casebridge auth check` does not call forge::CheckForgeAuth yet";
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("forge: authenticated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("integration@forge.sandbox"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("forge-sandbox-password"), std::string::npos);
  EXPECT_EQ(emulator_.Logins(), 1);
}

// deploy/systemd hands secrets over with LoadCredential=; casebridge reads them from
// $CREDENTIALS_DIRECTORY.
TEST_F(ForgeAuthCli, PasswordFromASystemdCredentialLogsIn) {
  testing_util::TempDir credentials;
  std::string const file = credentials.Write("forge-password", "forge-sandbox-password\n");
  ::chmod(file.c_str(), 0400);
  nlohmann::json config = {{"forge",
                            {{"base_url", emulator_.base_url()},
                             {"email", "integration@forge.sandbox"},
                             {"password", {{"credential", "forge-password"}}}}}};
  std::string const path = dir_.Write("credential.json", config.dump(2));
  ::setenv("CREDENTIALS_DIRECTORY", credentials.path().c_str(), 1);
  auto const r = testing_util::RunCli({"auth", "check", "--config", path});
  ::unsetenv("CREDENTIALS_DIRECTORY");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("forge: authenticated"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("forge-sandbox-password"), std::string::npos);
  EXPECT_EQ(emulator_.Logins(), 1);
}

}  // namespace
}  // namespace casebridge
