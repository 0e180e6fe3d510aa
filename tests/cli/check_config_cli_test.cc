// `casebridge check-config`, driven through the built binary.
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using testing_util::Lines;
using testing_util::RunCli;
using testing_util::SourcePath;

constexpr char kPem[] =
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

std::string ReadText(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs with a controlled environment: no CASEBRIDGE_CONFIG unless a test sets it, and the
// working directory a fresh temporary directory (so no stray ./casebridge.json is picked up).
class CheckConfigCli : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("CASEBRIDGE_CONFIG");
    old_cwd_ = std::filesystem::current_path();
    std::filesystem::current_path(cwd_.path());
  }
  void TearDown() override {
    std::filesystem::current_path(old_cwd_);
    unsetenv("CASEBRIDGE_CONFIG");
    unsetenv("CASEBRIDGE_FORGE_PASSWORD");
  }

  // A copy of deploy/casebridge.json in a temp dir with its key file (mode `key_mode`) and the
  // Forge password variable set. Returns the config path.
  std::string DeployExample(mode_t key_mode) {
    std::string const config =
        work_.Write("casebridge.json", ReadText(SourcePath("deploy/casebridge.json")));
    std::string const key = work_.Write("secrets/salesforce-jwt.key", kPem);
    chmod(key.c_str(), key_mode);
    setenv("CASEBRIDGE_FORGE_PASSWORD", "forge-password-from-env-2718", 1);
    return config;
  }

  testing_util::TempDir cwd_;
  testing_util::TempDir work_;
  std::filesystem::path old_cwd_;
};

TEST_F(CheckConfigCli, HelpDescribesTheOptionsAndExitsZero) {
  auto r = RunCli({"check-config", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--config"));
  EXPECT_THAT(r.out, HasSubstr("--policy"));
  EXPECT_THAT(r.out, HasSubstr("CASEBRIDGE_CONFIG"));
}

TEST_F(CheckConfigCli, UnknownOptionIsAUsageError) {
  auto r = RunCli({"check-config", "--polcy", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("usage: casebridge check-config"));
}

TEST_F(CheckConfigCli, ShippedDefaultsPassWithASummary) {
  auto r = RunCli({"check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_THAT(r.out, HasSubstr("config: none"));
  EXPECT_THAT(r.out, HasSubstr("mappings: <shipped defaults>"));
  EXPECT_THAT(r.out, HasSubstr("calendar: America/New_York, Mon Tue Wed Thu Fri 09:00-18:00"));
  EXPECT_THAT(r.out, HasSubstr("rules: 11 durations"));
  EXPECT_THAT(r.out, HasSubstr("back_office=Back_Office (back office)"));
}

TEST_F(CheckConfigCli, ShippedDefaultsDirectoryPassesAsAPolicyDir) {
  auto r = RunCli({"check-config", "--policy", SourcePath("mappings/default")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("mappings: " + SourcePath("mappings/default")));
}

TEST_F(CheckConfigCli, BrokenMappingsListEveryProblemWithFileAndKey) {
  std::string const dir = SourcePath("tests/data/config/broken_mappings");
  auto r = RunCli({"check-config", "--policy", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.out, IsEmpty());
  auto const lines = Lines(r.err);
  auto expect_line = [&](std::string const& file, std::string const& key,
                         std::string const& message) {
    EXPECT_THAT(lines, Contains(StartsWith(dir + "/" + file + ": " + key + ": " + message)))
        << r.err;
  };
  expect_line("calendar.json", "calendar.time_zone", "unknown time zone 'Mars/Olympus_Mons'");
  expect_line("calendar.json", "calendar.opens", "invalid time '25:00'");
  expect_line("rules.json", "rules.followup_5d.days", "must be a finite number >= 0");
  expect_line("rules.json", "rules.beam_followup_1w", "missing rule");
  expect_line("rules.json", "rules.am_response_5d_typo", "unknown rule id");
  expect_line("reasons.json", "reasons.complaint_types.rude_installer", "maps to 'Rudeness'");
  expect_line("queues.json", "queues.back_office", "'backoffice' is not a key of queues.queues");
  expect_line("relations.json", "relations.financing_values.Greentech", "maps to 'greentech'");
  expect_line("people.json", "people.manager_email", "unknown key 'manager_email'");
  expect_line("people.json", "people.managers", "at least one manager");
  EXPECT_THAT(lines, Contains(dir + "/calender.json: unknown mappings file; did you mean "
                                    "calendar.json?"));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "11 problems found");
  EXPECT_EQ(lines.size(), 12U);
}

TEST_F(CheckConfigCli, MissingPolicyDirectoryIsReported) {
  auto r = RunCli({"check-config", "--policy", "/nonexistent/mappings"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/mappings: mappings directory does not exist"));
}

TEST_F(CheckConfigCli, DeployExamplePassesWhenItsSecretsAreInPlace) {
  std::string const config = DeployExample(0600);
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("config: " + config + " (from --config)"));
  EXPECT_THAT(r.out, HasSubstr("salesforce: https://login.salesforce.com API v62.0, jwt_bearer"));
  EXPECT_THAT(r.out, HasSubstr("key from file " + work_.path() + "/secrets/salesforce-jwt.key"));
  EXPECT_THAT(r.out, HasSubstr("password from env CASEBRIDGE_FORGE_PASSWORD"));
  EXPECT_THAT(r.out, HasSubstr("state store: sqlite:" + work_.path() + "/casebridge-state.db"));
  EXPECT_THAT(r.out, Not(HasSubstr("forge-password-from-env-2718")));
  EXPECT_THAT(r.out, Not(HasSubstr("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")));
}

TEST_F(CheckConfigCli, DeployExampleWithoutItsEnvironmentVariableFails) {
  std::string const config = DeployExample(0600);
  unsetenv("CASEBRIDGE_FORGE_PASSWORD");
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": forge.password.env: environment variable "
                                        "CASEBRIDGE_FORGE_PASSWORD is not set"));
}

TEST_F(CheckConfigCli, PrivateKeyReadableByOthersIsRefused) {
  std::string const config = DeployExample(0644);
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": salesforce.private_key.file: private key file "));
  EXPECT_THAT(r.err, HasSubstr("is readable by group/others; chmod 600"));
  EXPECT_THAT(r.err, Not(HasSubstr("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")));
  EXPECT_THAT(Lines(r.err).back(), "1 problem found");
}

TEST_F(CheckConfigCli, InlineSecretsAreRefusedAndNeverPrinted) {
  std::string const config = SourcePath("tests/data/config/inline_secret.json");
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": salesforce.client_secret: secrets must not be stored "
                                        "in the config file"));
  EXPECT_THAT(r.err, HasSubstr(config + ": forge.password.value: secrets must not be stored"));
  for (auto const* secret : {"fixture-inline-client-secret-4711",
                             "fixture-inline-forge-password-0815", "4711", "0815"}) {
    EXPECT_THAT(r.err, Not(HasSubstr(secret)));
    EXPECT_THAT(r.out, Not(HasSubstr(secret)));
  }
}

TEST_F(CheckConfigCli, ConfigAndMappingsProblemsAreReportedTogether) {
  std::string const config =
      work_.Write("casebridge.json", ReadText(SourcePath("tests/data/config/broken_config.json")));
  auto r = RunCli({"check-config", "--config", config, "--policy",
                   SourcePath("tests/data/config/broken_mappings")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": mapping_dir: unknown key 'mapping_dir'; did you mean "
                                        "'mappings_dir'?"));
  EXPECT_THAT(r.err, HasSubstr(config + ": salesforce.auth_flow: unknown auth flow 'jwt'"));
  EXPECT_THAT(r.err, HasSubstr(config + ": salesforce.login_url: must use https://"));
  EXPECT_THAT(r.err, HasSubstr(config + ": state_store: unknown state store"));
  EXPECT_THAT(r.err, HasSubstr(config + ": api_budget_share: must be greater than 0"));
  EXPECT_THAT(r.err, HasSubstr("queues.back_office: 'backoffice' is not a key"));
  EXPECT_THAT(Lines(r.err).back(), "16 problems found");
}

TEST_F(CheckConfigCli, ConfigComesFromTheEnvironmentVariable) {
  std::string const config = work_.Write("cb.json", R"({"api_budget_share": 0.1})");
  setenv("CASEBRIDGE_CONFIG", config.c_str(), 1);
  auto r = RunCli({"check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("config: " + config + " (from CASEBRIDGE_CONFIG)"));
  EXPECT_THAT(r.out, HasSubstr("api budget share: 0.1"));
}

TEST_F(CheckConfigCli, ConfigFlagWinsOverTheEnvironmentVariable) {
  std::string const good = work_.Write("good.json", "{}");
  setenv("CASEBRIDGE_CONFIG", "/nonexistent/casebridge.json", 1);
  auto r = RunCli({"check-config", "--config", good});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("config: " + good + " (from --config)"));
}

TEST_F(CheckConfigCli, ConfigInTheWorkingDirectoryIsFoundLast) {
  cwd_.Write("casebridge.json", R"({"state_store": "postgresql://cb@db.internal/cb"})");
  auto r = RunCli({"check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("config: casebridge.json (from ./casebridge.json)"));
  EXPECT_THAT(r.out, HasSubstr("state store: postgresql://cb@db.internal/cb"));
}

TEST_F(CheckConfigCli, MissingConfigFileIsReported) {
  auto r = RunCli({"check-config", "--config", work_.path() + "/none.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(work_.path() + "/none.json: config file does not exist"));
}

TEST_F(CheckConfigCli, ConfigMappingsDirIsUsedAndPolicyFlagOverridesIt) {
  std::string const config = work_.Write("casebridge.json", R"({"mappings_dir": "broken"})");
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(work_.path() + "/broken: mappings directory does not exist"));

  auto r2 =
      RunCli({"check-config", "--config", config, "--policy", SourcePath("mappings/default")});
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
}

}  // namespace
}  // namespace casebridge
