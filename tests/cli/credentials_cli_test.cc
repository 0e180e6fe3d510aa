// Secrets as systemd credentials: {"credential": "NAME"} reads $CREDENTIALS_DIRECTORY/NAME, the
// directory systemd fills from a unit's LoadCredential=NAME:PATH (deploy/systemd). Driven through
// the built binary with the shipped deploy/systemd/casebridge.json.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_util::Lines;
using testing_util::RunCli;
using testing_util::SourcePath;

constexpr char kPem[] =
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
constexpr char kForgePassword[] = "forge-password-from-credential-3141";

class CredentialsCli : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("CREDENTIALS_DIRECTORY"); }
  void TearDown() override { unsetenv("CREDENTIALS_DIRECTORY"); }

  // deploy/systemd/casebridge.json with its SQLite file moved from /var/lib/casebridge (the
  // unit's StateDirectory) into a temporary directory. Returns the config path.
  std::string SystemdConfig() {
    std::ifstream in(SourcePath("deploy/systemd/casebridge.json"), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    std::string const state = "/var/lib/casebridge/";
    auto const at = config.find(state);
    EXPECT_NE(at, std::string::npos) << "the example no longer keeps its state in /var/lib";
    if (at != std::string::npos) config.replace(at, state.size(), work_.path() + "/");
    return work_.Write("casebridge.json", config);
  }

  // The credentials directory as systemd makes it: files readable by the service's user only.
  void Credential(std::string const& name, std::string const& content) {
    std::string const path = credentials_.Write(name, content);
    chmod(path.c_str(), 0400);
    setenv("CREDENTIALS_DIRECTORY", credentials_.path().c_str(), 1);
  }

  testing_util::TempDir work_;
  testing_util::TempDir credentials_;
};

TEST_F(CredentialsCli, SecretsComeFromTheCredentialsDirectory) {
  std::string const config = SystemdConfig();
  Credential("salesforce-jwt.key", kPem);
  Credential("forge-password", kForgePassword);
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string const dir = credentials_.path();
  EXPECT_THAT(r.out,
              HasSubstr("key from credential salesforce-jwt.key (" + dir + "/salesforce-jwt.key)"));
  EXPECT_THAT(r.out,
              HasSubstr("password from credential forge-password (" + dir + "/forge-password)"));
  EXPECT_THAT(r.out, Not(HasSubstr(kForgePassword)));
  EXPECT_THAT(r.out, Not(HasSubstr("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")));
}

TEST_F(CredentialsCli, WithoutCredentialsDirectoryEachCredentialIsNamed) {
  std::string const config = SystemdConfig();
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": salesforce.private_key.credential: credential "
                                        "salesforce-jwt.key: $CREDENTIALS_DIRECTORY is not set "
                                        "(systemd sets it for a service with "
                                        "LoadCredential=salesforce-jwt.key:PATH)"));
  EXPECT_THAT(r.err, HasSubstr(config + ": forge.password.credential: credential forge-password: "
                                        "$CREDENTIALS_DIRECTORY is not set"));
  EXPECT_THAT(Lines(r.err).back(), "2 problems found");
}

TEST_F(CredentialsCli, CredentialMissingFromTheDirectoryIsNamed) {
  std::string const config = SystemdConfig();
  Credential("salesforce-jwt.key", kPem);
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": forge.password.credential: credential forge-password (" +
                               credentials_.path() +
                               "/forge-password) does not exist or cannot be reached"));
  EXPECT_THAT(Lines(r.err).back(), "1 problem found");
}

TEST_F(CredentialsCli, CredentialNameMustBeAFileName) {
  std::string const config =
      work_.Write("casebridge.json",
                  R"({"forge": {"base_url": "https://forge.example.com", "email": "cb@example.com",
                    "password": {"credential": "../etc/shadow"}}})");
  Credential("forge-password", kForgePassword);
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": forge.password.credential: '../etc/shadow' is not a "
                                        "credential name"));
}

TEST_F(CredentialsCli, CredentialAndFileTogetherAreRefused) {
  std::string const config =
      work_.Write("casebridge.json",
                  R"({"forge": {"base_url": "https://forge.example.com", "email": "cb@example.com",
                    "password": {"credential": "forge-password", "file": "pw"}}})");
  auto r = RunCli({"check-config", "--config", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(config + ": forge.password: give either env or file (or "
                                        "credential), not several"));
}

}  // namespace
}  // namespace casebridge
