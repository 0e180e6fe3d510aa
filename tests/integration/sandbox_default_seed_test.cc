// Issue 12 defect 3: `casebridge sandbox` with its bundled seed, then `casebridge sync --once`
// against it with the shipped mappings, exactly as a newcomer would try it. The sync read
// `Installer__r.Escalation_Email__c`, which the bundled seed lacked: HTTP 400 INVALID_FIELD.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/background_process.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using testing_util::BackgroundProcess;
using testing_util::RunCli;
using testing_util::TempDir;

constexpr char const* kSecretEnv = "CASEBRIDGE_TEST_SANDBOX_SECRET";
constexpr char const* kForgePasswordEnv = "CASEBRIDGE_TEST_SANDBOX_FORGE_PASSWORD";

// The value after `label` on a line of the sandbox's banner, e.g. "login / instance URL:".
std::string ValueAfter(std::string const& text, std::string const& label) {
  auto const at = text.find(label);
  if (at == std::string::npos) return {};
  auto begin = text.find_first_not_of(' ', at + label.size());
  auto const end = text.find_first_of(" \n", begin);
  return text.substr(begin, end - begin);
}

class SandboxDefaultSeed : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{CASEBRIDGE_BINARY, "sandbox", "--port", "0"});
    ASSERT_TRUE(sandbox_->WaitForLine(
        [](std::string const& line) { return line.find("Press Ctrl-C") != std::string::npos; },
        std::chrono::seconds(30)))
        << sandbox_->output();
    auto const& banner = sandbox_->output();
    salesforce_url_ = ValueAfter(banner, "login / instance URL:");
    forge_url_ = ValueAfter(banner, "Forge emulator listening on");
    ASSERT_FALSE(salesforce_url_.empty()) << banner;
    ASSERT_FALSE(forge_url_.empty()) << banner;
    setenv(kSecretEnv, ValueAfter(banner, "client secret:").c_str(), 1);
    auto const demo_user = ValueAfter(banner, "demo user:");
    auto const slash = banner.find(" / ", banner.find("demo user:"));
    setenv(kForgePasswordEnv, ValueAfter(banner.substr(slash), " /").c_str(), 1);
    nlohmann::json config = {{"salesforce",
                              {{"login_url", salesforce_url_},
                               {"api_version", "62.0"},
                               {"auth_flow", "client_credentials"},
                               {"client_id", ValueAfter(banner, "client id:")},
                               {"client_secret", {{"env", kSecretEnv}}}}},
                             {"forge",
                              {{"base_url", forge_url_},
                               {"email", demo_user},
                               {"password", {{"env", kForgePasswordEnv}}}}},
                             {"state_store", "sqlite:" + dir_.path() + "/state.db"},
                             {"api_budget_share", 1.0}};
    config_ = dir_.Write("casebridge.json", config.dump(2));
  }

  TempDir dir_;
  std::unique_ptr<BackgroundProcess> sandbox_;
  std::string salesforce_url_;
  std::string forge_url_;
  std::string config_;
};

TEST_F(SandboxDefaultSeed, SyncOnceSucceedsAgainstTheBundledSeed) {
  auto const check = RunCli({"check-config", "--config", config_});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  auto const run = RunCli({"sync", "--once", "--config", config_, "--log-format", "text"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.err.find("INVALID_FIELD"), std::string::npos) << run.err;
  // A second run finds nothing new to write and succeeds as well.
  auto const again = RunCli({"sync", "--once", "--config", config_, "--log-format", "text"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

}  // namespace
}  // namespace casebridge
