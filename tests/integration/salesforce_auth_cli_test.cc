// `casebridge auth check` against the Salesforce emulator started in this process: each OAuth
// flow, an authentication failure (exit 3) and bad configurations (exit 2). Nothing secret may
// appear in what the command prints.
//
// Needs `auth` in the dispatcher table of connector/cli/cli.cc; until then every test skips
// with a message saying so.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "connector/sandbox/salesforce_emulator.h"
#include "tests/support/cli_runner.h"
#include "tests/support/rsa_key.h"
#include "tests/support/temp_dir.h"

namespace casebridge {
namespace {

using nlohmann::json;
using testing_util::RunCli;

constexpr char const* kClientId = "3MVG9CasebridgeCliTestApp";
constexpr char const* kClientSecret = "cli-test-client-secret-4d2f9a";
constexpr char const* kRefreshToken = "cli-test-refresh-token-81c07e";
constexpr char const* kUser = "integration@casebridge.sandbox";
constexpr char const* kSecretEnv = "CASEBRIDGE_TEST_AUTH_CLI_SECRET";

class AuthCheckCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = testing_util::GenerateRsaKeyPair(); }

  void SetUp() override {
    auto help = RunCli({"auth", "--help"});
    if (help.exit_code != 0) {
      GTEST_SKIP() << "`casebridge auth` is not wired into connector/cli/cli.cc yet: "
                   << help.err.substr(0, 80);
    }
    sandbox::SalesforceEmulatorOptions o;
    sandbox::ConnectedAppOptions app;
    app.client_id = kClientId;
    app.client_secret = kClientSecret;
    app.jwt_public_key_pem = keys_.public_pem;
    app.client_credentials_username = kUser;
    app.refresh_tokens[kRefreshToken] = kUser;
    o.apps.push_back(app);
    emulator_ = std::make_unique<sandbox::SalesforceEmulator>(o);
    json seed = {{"User", json::array({{{"Username", kUser},
                                        {"FirstName", "Casebridge"},
                                        {"LastName", "Integration"},
                                        {"Email", kUser},
                                        {"IsActive", true}}})}};
    ASSERT_TRUE(emulator_->SeedFromJson(seed).ok());
    auto s = emulator_->Start("127.0.0.1", 0);
    ASSERT_TRUE(s.ok()) << s;
    key_path_ = dir_.Write("keys/sf.key", keys_.private_pem);
    chmod(key_path_.c_str(), 0600);
    dir_.WritePrivate("refresh.txt", std::string(kRefreshToken) + "\n");
    setenv(kSecretEnv, kClientSecret, 1);
  }

  void TearDown() override {
    unsetenv(kSecretEnv);
    if (emulator_) emulator_->Stop();
  }

  std::string WriteConfig(json salesforce) {
    json doc = {{"salesforce", std::move(salesforce)}};
    return dir_.Write("casebridge.json", doc.dump(2));
  }

  json Jwt() const {
    return {{"login_url", emulator_->base_url()},
            {"api_version", "62.0"},
            {"auth_flow", "jwt_bearer"},
            {"client_id", kClientId},
            {"username", kUser},
            {"private_key", {{"file", "keys/sf.key"}}}};
  }

  // Nothing secret in anything the command printed.
  void ExpectNoSecrets(testing_util::CliResult const& r) const {
    std::string const all = r.out + r.err;
    EXPECT_EQ(all.find("PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(all.find(kClientSecret), std::string::npos);
    EXPECT_EQ(all.find(kRefreshToken), std::string::npos);
    EXPECT_EQ(all.find("eyJ"), std::string::npos) << "a JWT was printed";
    // Emulator access tokens start with the 15-character org id and '!'.
    EXPECT_EQ(all.find(emulator_->org_id().substr(0, 15) + "!"), std::string::npos)
        << "an access token was printed";
    EXPECT_EQ(all.find("Bearer"), std::string::npos);
  }

  static inline testing_util::RsaKeyPair keys_;
  testing_util::TempDir dir_;
  std::string key_path_;
  std::unique_ptr<sandbox::SalesforceEmulator> emulator_;
};

TEST_F(AuthCheckCli, JwtBearerPrintsOrgUserAndInstance) {
  auto r = RunCli({"auth", "check", "--config", WriteConfig(Jwt())});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("salesforce: authenticated (jwt_bearer)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(emulator_->org_id()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kUser), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("instance: " + emulator_->base_url()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("forge: not configured"), std::string::npos) << r.out;
  ExpectNoSecrets(r);
}

TEST_F(AuthCheckCli, ClientCredentialsWithTheSecretFromAnEnvironmentVariable) {
  json sf = Jwt();
  sf["auth_flow"] = "client_credentials";
  sf["client_secret"] = {{"env", kSecretEnv}};
  auto r = RunCli({"auth", "check", "--config", WriteConfig(sf)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("salesforce: authenticated (client_credentials)"), std::string::npos);
  EXPECT_NE(r.out.find(kUser), std::string::npos) << r.out;
  ExpectNoSecrets(r);
}

TEST_F(AuthCheckCli, RefreshTokenFromAFile) {
  json sf = Jwt();
  sf["auth_flow"] = "refresh_token";
  sf["client_secret"] = {{"env", kSecretEnv}};
  sf["refresh_token"] = {{"file", "refresh.txt"}};
  auto r = RunCli({"auth", "check", "--config", WriteConfig(sf)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("salesforce: authenticated (refresh_token)"), std::string::npos);
  ExpectNoSecrets(r);
}

TEST_F(AuthCheckCli, RefusedCredentialsExitThreeWithoutEchoingThem) {
  setenv(kSecretEnv, "wrong-secret-value-1234", 1);
  json sf = Jwt();
  sf["auth_flow"] = "client_credentials";
  sf["client_secret"] = {{"env", kSecretEnv}};
  auto r = RunCli({"auth", "check", "--config", WriteConfig(sf)});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("invalid_client"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("wrong-secret-value-1234"), std::string::npos);
  ExpectNoSecrets(r);
}

TEST_F(AuthCheckCli, UnknownUserForJwtExitsThree) {
  json sf = Jwt();
  sf["username"] = "nobody@casebridge.sandbox";
  auto r = RunCli({"auth", "check", "--config", WriteConfig(sf)});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  ExpectNoSecrets(r);
}

TEST_F(AuthCheckCli, BadConfigurationExitsTwo) {
  json plain_http = Jwt();
  plain_http["login_url"] = "http://login.example.com";
  auto r = RunCli({"auth", "check", "--config", WriteConfig(plain_http)});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("salesforce.login_url"), std::string::npos) << r.err;

  chmod(key_path_.c_str(), 0644);
  auto readable = RunCli({"auth", "check", "--config", WriteConfig(Jwt())});
  EXPECT_EQ(readable.exit_code, 2) << readable.out << readable.err;
  EXPECT_NE(readable.err.find("chmod 600"), std::string::npos) << readable.err;
  ExpectNoSecrets(readable);

  auto missing = RunCli({"auth", "check", "--config", dir_.path() + "/nope.json"});
  EXPECT_EQ(missing.exit_code, 2);
  auto usage = RunCli({"auth", "frobnicate"});
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(AuthCheckCli, UnreachableLoginUrlIsARemoteFailure) {
  json sf = Jwt();
  int const port = emulator_->port();
  emulator_->Stop();
  sf["login_url"] = "http://127.0.0.1:" + std::to_string(port);
  auto r = RunCli({"auth", "check", "--config", WriteConfig(sf), "--timeout", "5"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  ExpectNoSecrets(r);
}

}  // namespace
}  // namespace casebridge
