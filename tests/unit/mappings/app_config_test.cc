#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "mappings/loader.h"
#include "tests/support/temp_dir.h"

namespace casebridge::mappings {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

MATCHER_P2(IsProblem, key, message_part,
           std::string("problem at '") + key + "' saying '" + message_part + "'") {
  return arg.key == key && arg.message.find(message_part) != std::string::npos;
}

constexpr char const* kPem =
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
constexpr char const* kSecretValue = "hunter2-S3CR3T-value";

// Sets an environment variable for the test's lifetime.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, char const* value) : name_(std::move(name)) {
    if (value == nullptr) {
      unsetenv(name_.c_str());
    } else {
      setenv(name_.c_str(), value, 1);
    }
  }
  ~ScopedEnv() { unsetenv(name_.c_str()); }
  ScopedEnv(ScopedEnv const&) = delete;
  ScopedEnv& operator=(ScopedEnv const&) = delete;

 private:
  std::string name_;
};

class AppConfigTest : public ::testing::Test {
 protected:
  // Writes casebridge.json with `text` and loads it.
  AppConfig Load(std::string const& text) {
    path_ = dir_.Write("conf/casebridge.json", text);
    problems_.clear();
    return LoadAppConfig(path_, problems_);
  }
  std::string WriteKey(std::string const& name, mode_t mode, std::string const& text = kPem) {
    auto p = dir_.Write("conf/" + name, text);
    chmod(p.c_str(), mode);
    return p;
  }
  // Every problem's text, to check that no secret leaks into any of them.
  std::string AllText() const {
    std::string out;
    for (auto const& p : problems_) out += p.ToString() + "\n";
    return out;
  }

  testing_util::TempDir dir_;
  std::string path_;
  std::vector<Problem> problems_;
};

constexpr char const* kJwtConfig = R"({
  // comments are allowed
  "salesforce": {
    "login_url": "https://login.salesforce.com",
    "api_version": "61.0",
    "auth_flow": "jwt_bearer",
    "client_id": "3MVGabc",
    "username": "integration@example.com",
    "private_key": {"file": "keys/sf.key"}
  },
  "forge": {"base_url": "https://forge.example.com", "email": "cb@example.com",
            "password": {"env": "CB_TEST_FORGE_PASSWORD"}},
  "state_store": "sqlite:state/cb.db",
  "api_budget_share": 0.25,
  "mappings_dir": "../mappings"
})";

TEST_F(AppConfigTest, ValidJwtConfigLoadsAndResolvesPathsAgainstTheConfigDirectory) {
  WriteKey("keys/sf.key", 0600);
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", kSecretValue);
  AppConfig const c = Load(kJwtConfig);
  EXPECT_THAT(problems_, IsEmpty());
  EXPECT_EQ(c.salesforce.api_version, "61.0");
  EXPECT_EQ(c.salesforce.auth_flow, SalesforceAuthFlow::kJwtBearer);
  EXPECT_EQ(c.salesforce.client_id, "3MVGabc");
  EXPECT_EQ(c.salesforce.username, "integration@example.com");
  EXPECT_EQ(c.salesforce.private_key.file, dir_.path() + "/conf/keys/sf.key");
  EXPECT_TRUE(c.salesforce.private_key.env.empty());
  EXPECT_EQ(c.forge.password.env, "CB_TEST_FORGE_PASSWORD");
  EXPECT_EQ(c.state_store, "sqlite:" + dir_.path() + "/conf/state/cb.db");
  EXPECT_DOUBLE_EQ(c.api_budget_share, 0.25);
  EXPECT_EQ(c.mappings_dir, dir_.path() + "/mappings");
}

TEST_F(AppConfigTest, EmptyObjectKeepsTheDefaults) {
  AppConfig const c = Load("{}");
  EXPECT_THAT(problems_, IsEmpty());
  EXPECT_EQ(c.salesforce.login_url, "https://login.salesforce.com");
  EXPECT_EQ(c.state_store, "sqlite:casebridge-state.db");
  EXPECT_DOUBLE_EQ(c.api_budget_share, 0.5);
  EXPECT_EQ(c.mappings_dir, "");
}

TEST_F(AppConfigTest, InlineSecretStringIsRefusedWithoutEchoingIt) {
  (void)Load(std::string(R"({"forge": {"base_url": "https://f.example.com", "email": "a@b.co",
                              "password": ")") +
             kSecretValue + "\"}}");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.password",
                                               "secrets must not be stored in the config file; "
                                               "use {\"env\": …} or {\"file\": …}")));
  EXPECT_THAT(AllText(), Not(HasSubstr(kSecretValue)));
}

TEST_F(AppConfigTest, InlineSecretValueKeyIsRefusedWithoutEchoingIt) {
  (void)Load(std::string(R"({"salesforce": {"auth_flow": "client_credentials",
      "client_id": "x", "client_secret": {"value": ")") +
             kSecretValue + "\"}}}");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.client_secret.value",
                                               "secrets must not be stored in the config file")));
  EXPECT_THAT(AllText(), Not(HasSubstr(kSecretValue)));
}

TEST_F(AppConfigTest, SecretInBrokenJsonIsNotEchoedByTheParseError) {
  (void)Load(std::string(R"({"forge": {"password": ")") + kSecretValue + "\n}}");
  ASSERT_THAT(problems_, ElementsAre(Field(&Problem::message, HasSubstr("invalid JSON at line"))));
  EXPECT_THAT(AllText(), Not(HasSubstr("hunter2")));
}

TEST_F(AppConfigTest, PrivateKeyReadableByOthersIsRefused) {
  WriteKey("keys/sf.key", 0644);
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", kSecretValue);
  (void)Load(kJwtConfig);
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.private_key.file",
                                               "is readable by group/others; chmod 600")));
}

TEST_F(AppConfigTest, PrivateKeyReadableByGroupIsRefused) {
  WriteKey("keys/sf.key", 0640);
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", kSecretValue);
  (void)Load(kJwtConfig);
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.private_key.file", "chmod 600")));
}

TEST_F(AppConfigTest, SecretFilesReadableByGroupOrOthersAreRefusedLikeKeys) {
  WriteKey("client_secret.txt", 0644, kSecretValue);
  WriteKey("refresh_token.txt", 0640, kSecretValue);
  WriteKey("forge_password.txt", 0604, kSecretValue);
  (void)Load(R"({"salesforce": {"login_url": "https://login.salesforce.com",
      "auth_flow": "refresh_token", "client_id": "x",
      "client_secret": {"file": "client_secret.txt"},
      "refresh_token": {"file": "refresh_token.txt"}},
    "forge": {"base_url": "https://forge.example.com", "email": "a@example.com",
      "password": {"file": "forge_password.txt"}}})");
  EXPECT_THAT(problems_,
              ElementsAre(IsProblem("salesforce.client_secret.file",
                                    "secret file " + dir_.path() +
                                        "/conf/client_secret.txt is readable by group/others; "
                                        "chmod 600"),
                          IsProblem("salesforce.refresh_token.file", "chmod 600"),
                          IsProblem("forge.password.file", "chmod 600")));
  EXPECT_THAT(AllText(), Not(HasSubstr(kSecretValue)));
}

TEST_F(AppConfigTest, SecretFilesOnlyTheOwnerCanReadAreAccepted) {
  WriteKey("client_secret.txt", 0600, kSecretValue);
  WriteKey("forge_password.txt", 0400, kSecretValue);
  (void)Load(R"({"salesforce": {"login_url": "https://login.salesforce.com",
      "auth_flow": "client_credentials", "client_id": "x",
      "client_secret": {"file": "client_secret.txt"}},
    "forge": {"base_url": "https://forge.example.com", "email": "a@example.com",
      "password": {"file": "forge_password.txt"}}})");
  EXPECT_THAT(problems_, IsEmpty());
}

TEST_F(AppConfigTest, PrivateKeyThatIsNotPemIsReportedWithoutItsContent) {
  WriteKey("keys/sf.key", 0600, kSecretValue);
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", kSecretValue);
  (void)Load(kJwtConfig);
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.private_key.file",
                                               "does not look like a PEM private key")));
  EXPECT_THAT(AllText(), Not(HasSubstr(kSecretValue)));
}

TEST_F(AppConfigTest, MissingSecretFileIsReported) {
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", kSecretValue);
  (void)Load(kJwtConfig);
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.private_key.file", "does not exist")));
}

TEST_F(AppConfigTest, UnsetEnvironmentVariableIsReportedByName) {
  WriteKey("keys/sf.key", 0600);
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", nullptr);
  (void)Load(kJwtConfig);
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.password.env",
                                               "environment variable CB_TEST_FORGE_PASSWORD is "
                                               "not set")));
}

TEST_F(AppConfigTest, SecretWithBothSourcesOrNeitherIsReported) {
  (void)Load(R"({"forge": {"base_url": "https://f.example.com", "email": "a@b.co",
                           "password": {"env": "X", "file": "y"}}})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.password", "either env or file")));
  (void)Load(R"({"forge": {"base_url": "https://f.example.com", "email": "a@b.co",
                           "password": {}}})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.password", "expected {\"env\"")));
  (void)Load(R"({"forge": {"base_url": "https://f.example.com", "email": "a@b.co",
                           "password": {"env": "not a name"}}})");
  EXPECT_THAT(problems_,
              ElementsAre(IsProblem("forge.password.env", "not an environment variable name")));
}

TEST_F(AppConfigTest, JwtBearerNeedsClientIdUsernameAndPrivateKey) {
  (void)Load(R"({"salesforce": {"auth_flow": "jwt_bearer"}})");
  EXPECT_THAT(problems_,
              ElementsAre(IsProblem("salesforce.client_id", "missing required key"),
                          IsProblem("salesforce.username", "missing required key"),
                          IsProblem("salesforce.private_key", "missing required secret")));
}

TEST_F(AppConfigTest, ClientCredentialsNeedsClientIdAndSecretOnly) {
  ScopedEnv env("CB_TEST_SF_SECRET", kSecretValue);
  (void)Load(R"({"salesforce": {"auth_flow": "client_credentials"}})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.client_id", "missing required key"),
                                     IsProblem("salesforce.client_secret", "missing required")));
  AppConfig const c = Load(R"({"salesforce": {"auth_flow": "client_credentials",
      "client_id": "abc", "client_secret": {"env": "CB_TEST_SF_SECRET"}}})");
  EXPECT_THAT(problems_, IsEmpty());
  EXPECT_EQ(c.salesforce.auth_flow, SalesforceAuthFlow::kClientCredentials);
  EXPECT_EQ(c.salesforce.client_secret.env, "CB_TEST_SF_SECRET");
}

TEST_F(AppConfigTest, RefreshTokenNeedsTokenAndSecret) {
  (void)Load(R"({"salesforce": {"auth_flow": "refresh_token", "client_id": "abc"}})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.client_secret", "missing required"),
                                     IsProblem("salesforce.refresh_token", "missing required")));
}

TEST_F(AppConfigTest, UnusedSecretIsCheckedForShapeOnly) {
  ScopedEnv env("CB_TEST_SF_SECRET", kSecretValue);
  (void)Load(R"({"salesforce": {"auth_flow": "client_credentials", "client_id": "abc",
      "client_secret": {"env": "CB_TEST_SF_SECRET"},
      "private_key": {"file": "no/such.key"}, "refresh_token": "inline"}})");
  EXPECT_THAT(problems_,
              ElementsAre(IsProblem("salesforce.refresh_token", "secrets must not be stored")));
}

TEST_F(AppConfigTest, UnknownKeysAndWrongTypesAreReported) {
  (void)Load(R"({"salesforce": {"auth_flow": "saml", "client_id": 5, "loginurl": "x"},
                 "forge": [], "state_store": 3, "api_budget_share": "half",
                 "mappings_dir": true, "logging": {}})");
  EXPECT_THAT(problems_,
              ElementsAre(IsProblem("logging", "unknown key 'logging'"),
                          IsProblem("salesforce.loginurl", "did you mean 'login_url'?"),
                          IsProblem("salesforce.auth_flow", "unknown auth flow 'saml'"),
                          IsProblem("salesforce.client_id", "expected a string or null"),
                          IsProblem("forge", "expected an object, got an array"),
                          IsProblem("state_store", "expected a string, got a number"),
                          IsProblem("api_budget_share", "expected a number, got a string"),
                          IsProblem("mappings_dir", "expected a string, got a boolean")));
}

TEST_F(AppConfigTest, ApiBudgetShareMustBeAboveZeroAndAtMostOne) {
  for (char const* bad : {"0", "-0.1", "1.5"}) {
    (void)Load(std::string(R"({"api_budget_share": )") + bad + "}");
    EXPECT_THAT(problems_,
                ElementsAre(IsProblem("api_budget_share", "greater than 0 and at most 1")))
        << bad;
  }
  EXPECT_DOUBLE_EQ(Load(R"({"api_budget_share": 1})").api_budget_share, 1.0);
  EXPECT_THAT(problems_, IsEmpty());
}

TEST_F(AppConfigTest, StateStoreMustBeSqliteOrPostgresWithoutAPassword) {
  (void)Load(R"({"state_store": "mysql://db/cb"})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("state_store", "unknown state store")));
  (void)Load(R"({"state_store": "sqlite:"})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("state_store", "needs a file path")));
  (void)Load(std::string(R"({"state_store": "postgresql://cb:)") + kSecretValue + "@db/cb\"}");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("state_store", "PGPASSWORD")));
  EXPECT_THAT(AllText(), Not(HasSubstr(kSecretValue)));
  EXPECT_EQ(Load(R"({"state_store": "postgresql://cb@db.internal:5432/cb"})").state_store,
            "postgresql://cb@db.internal:5432/cb");
  EXPECT_THAT(problems_, IsEmpty());
}

TEST_F(AppConfigTest, ServiceUrlsMustUseHttpsExceptOnLoopback) {
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", kSecretValue);
  (void)Load(R"({"forge": {"base_url": "http://forge.example.com", "email": "a@b.co",
                           "password": {"env": "CB_TEST_FORGE_PASSWORD"}}})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.base_url", "must use https://")));
  (void)Load(R"({"forge": {"base_url": "http://127.0.0.1:8443", "email": "a@b.co",
                           "password": {"env": "CB_TEST_FORGE_PASSWORD"}}})");
  EXPECT_THAT(problems_, IsEmpty());
  (void)Load(R"({"forge": {"base_url": "http://127.0.0.1.example.com", "email": "a@b.co",
                           "password": {"env": "CB_TEST_FORGE_PASSWORD"}}})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.base_url", "must use https://")));
  (void)Load(R"({"salesforce": {"login_url": "login.salesforce.com", "client_id": "x",
                                "username": "u@example.com", "private_key": {"env": "K"}}})");
  EXPECT_THAT(problems_, Contains(IsProblem("salesforce.login_url", "not a URL")));
}

TEST_F(AppConfigTest, ProxyWithAPasswordIsRefusedWithoutEchoingIt) {
  ScopedEnv env("CB_TEST_SF_SECRET", "x");
  (void)Load(std::string(R"({"salesforce": {"auth_flow": "client_credentials", "client_id": "a",
      "client_secret": {"env": "CB_TEST_SF_SECRET"}, "proxy": "http://me:)") +
             kSecretValue + "@proxy:3128\"}}");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("salesforce.proxy", "has a password")));
  EXPECT_THAT(AllText(), Not(HasSubstr(kSecretValue)));
}

TEST_F(AppConfigTest, MissingCaBundleIsReported) {
  ScopedEnv env("CB_TEST_SF_SECRET", "x");
  (void)Load(R"({"salesforce": {"auth_flow": "client_credentials", "client_id": "a",
      "client_secret": {"env": "CB_TEST_SF_SECRET"}, "ca_bundle": "ca.pem",
      "api_version": "v62"}})");
  EXPECT_THAT(problems_,
              ElementsAre(IsProblem("salesforce.api_version", "invalid API version 'v62'"),
                          IsProblem("salesforce.ca_bundle", "is not a readable file")));
}

// Issue 12 defect 6: Forge has its own CA bundle and proxy (an internal Forge behind a company CA).
TEST_F(AppConfigTest, ForgeCaBundleAndProxyAreReadAndResolved) {
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", "x");
  dir_.Write("conf/forge-ca.pem", kPem);
  auto const c = Load(R"({"forge": {"base_url": "https://forge.internal", "email": "a@b.co",
      "password": {"env": "CB_TEST_FORGE_PASSWORD"}, "ca_bundle": "forge-ca.pem",
      "proxy": "http://proxy.internal:3128"}})");
  EXPECT_THAT(problems_, IsEmpty());
  EXPECT_EQ(c.forge.ca_bundle, dir_.path() + "/conf/forge-ca.pem");
  EXPECT_EQ(c.forge.proxy, "http://proxy.internal:3128");
  EXPECT_EQ(c.salesforce.ca_bundle, "");
  EXPECT_EQ(c.salesforce.proxy, "");
}

TEST_F(AppConfigTest, ForgeCaBundleAndProxyAreValidated) {
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", "x");
  (void)Load(std::string(R"({"forge": {"base_url": "https://forge.internal", "email": "a@b.co",
      "password": {"env": "CB_TEST_FORGE_PASSWORD"}, "ca_bundle": "missing.pem",
      "proxy": "http://me:)") +
             kSecretValue + "@proxy:3128\"}}");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.ca_bundle", "is not a readable file"),
                                     IsProblem("forge.proxy", "has a password")));
  EXPECT_THAT(AllText(), Not(HasSubstr(kSecretValue)));
  (void)Load(R"({"forge": {"base_url": "https://forge.internal", "email": "a@b.co",
      "password": {"env": "CB_TEST_FORGE_PASSWORD"}, "proxy": "proxy.internal:3128"}})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("forge.proxy", "not a proxy URL")));
}

TEST_F(AppConfigTest, AConfigWithoutOrgsIsTheOneOrgNamedDefault) {
  WriteKey("keys/sf.key", 0600);
  ScopedEnv env("CB_TEST_FORGE_PASSWORD", kSecretValue);
  AppConfig const c = Load(kJwtConfig);
  EXPECT_THAT(problems_, IsEmpty());
  ASSERT_EQ(c.orgs.size(), 1U);
  EXPECT_EQ(c.org, "default");
  EXPECT_EQ(c.orgs[0].name, "default");
  EXPECT_EQ(c.orgs[0].salesforce.client_id, "3MVGabc");
  EXPECT_EQ(c.orgs[0].forge.base_url, "https://forge.example.com");
  EXPECT_DOUBLE_EQ(c.orgs[0].api_budget_share, 0.25);
  EXPECT_EQ(c.orgs[0].mappings_dir, dir_.path() + "/mappings");
}

constexpr char const* kTwoOrgs = R"({
  "state_store": "sqlite:cb.db",
  "api_budget_share": 0.3,
  "mappings_dir": "shared-mappings",
  "orgs": [
    {"name": "emea",
     "salesforce": {"auth_flow": "client_credentials", "client_id": "A",
                    "client_secret": {"env": "CB_TEST_ORG_SECRET"}},
     "forge": {"base_url": "https://forge.example.com", "email": "cb@example.com",
               "password": {"env": "CB_TEST_ORG_SECRET"}},
     "mappings": "emea-mappings", "api_budget_share": 0.6},
    {"name": "apac",
     "salesforce": {"auth_flow": "client_credentials", "client_id": "B",
                    "login_url": "https://apac.my.salesforce.com",
                    "client_secret": {"env": "CB_TEST_ORG_SECRET"}}}
  ]
})";

TEST_F(AppConfigTest, SeveralOrgsEachHaveTheirConnectionsMappingsAndShare) {
  ScopedEnv env("CB_TEST_ORG_SECRET", kSecretValue);
  AppConfig const c = Load(kTwoOrgs);
  EXPECT_THAT(problems_, IsEmpty());
  ASSERT_EQ(c.orgs.size(), 2U);
  EXPECT_EQ(c.OrgNames(), "emea, apac");
  EXPECT_EQ(c.orgs[0].salesforce.client_id, "A");
  EXPECT_EQ(c.orgs[0].forge.base_url, "https://forge.example.com");
  EXPECT_EQ(c.orgs[0].mappings_dir, dir_.path() + "/conf/emea-mappings");
  EXPECT_DOUBLE_EQ(c.orgs[0].api_budget_share, 0.6);
  // An org without its own mappings or share takes the top-level ones; Forge is optional.
  EXPECT_EQ(c.orgs[1].salesforce.login_url, "https://apac.my.salesforce.com");
  EXPECT_TRUE(c.orgs[1].forge.base_url.empty());
  EXPECT_EQ(c.orgs[1].mappings_dir, dir_.path() + "/conf/shared-mappings");
  EXPECT_DOUBLE_EQ(c.orgs[1].api_budget_share, 0.3);
  // The top level describes the first org until ForOrg() selects another.
  EXPECT_EQ(c.org, "emea");
  EXPECT_EQ(c.salesforce.client_id, "A");
  ASSERT_NE(c.FindOrg("apac"), nullptr);
  EXPECT_EQ(c.FindOrg("nope"), nullptr);
  AppConfig const apac = c.ForOrg(*c.FindOrg("apac"));
  EXPECT_EQ(apac.org, "apac");
  EXPECT_EQ(apac.salesforce.client_id, "B");
  EXPECT_TRUE(apac.forge.base_url.empty());
  EXPECT_EQ(apac.mappings_dir, dir_.path() + "/conf/shared-mappings");
  EXPECT_DOUBLE_EQ(apac.api_budget_share, 0.3);
  EXPECT_EQ(apac.state_store, c.state_store);
}

TEST_F(AppConfigTest, BadOrgsAreReportedByIndexAndField) {
  ScopedEnv env("CB_TEST_ORG_SECRET", kSecretValue);
  (void)Load(R"({"salesforce": {}, "orgs": [
      {"name": "emea", "salesforce": {"auth_flow": "client_credentials", "client_id": "A",
                                      "client_secret": {"env": "CB_TEST_ORG_SECRET"}}},
      {"name": "emea", "salesforce": {"auth_flow": "client_credentials", "client_id": "B",
                                      "client_secret": {"env": "CB_TEST_ORG_SECRET"}}},
      {"name": "Bad Name", "salesforce": {"auth_flow": "client_credentials", "client_id": "C",
                                          "client_secret": {"env": "CB_TEST_ORG_SECRET"}},
       "api_budget_share": 2, "colour": "red"},
      {"salesforce": {"auth_flow": "nope"}},
      "emea"]})");
  EXPECT_THAT(problems_, Contains(IsProblem("salesforce", "move this section into orgs[]")));
  EXPECT_THAT(problems_, Contains(IsProblem("orgs[1].name", "duplicate org name 'emea'")));
  EXPECT_THAT(problems_, Contains(IsProblem("orgs[2].name", "is not an org name")));
  EXPECT_THAT(problems_, Contains(IsProblem("orgs[2].api_budget_share", "at most 1")));
  EXPECT_THAT(problems_, Contains(IsProblem("orgs[2].colour", "unknown key")));
  EXPECT_THAT(problems_, Contains(IsProblem("orgs[3].name", "missing")));
  EXPECT_THAT(problems_, Contains(IsProblem("orgs[3].salesforce.auth_flow", "unknown auth flow")));
  EXPECT_THAT(problems_, Contains(IsProblem("orgs[4]", "expected an object")));
  for (auto const& p : problems_) EXPECT_EQ(p.file, path_);
  (void)Load(R"({"orgs": []})");
  EXPECT_THAT(problems_, ElementsAre(IsProblem("orgs", "names no org")));
}

TEST(LoadAppConfig, MissingFileIsOneProblemNamingIt) {
  std::vector<Problem> problems;
  (void)LoadAppConfig("/nonexistent/casebridge.json", problems);
  EXPECT_THAT(problems, ElementsAre(AllOf(Field(&Problem::file, "/nonexistent/casebridge.json"),
                                          Field(&Problem::message, HasSubstr("does not exist")))));
}

// Issue 12 (bad input): a config nesting 100,000 levels deep took minutes and gigabytes
// (the duplicate-key paths grow with the square of the depth); it is refused unparsed, with
// where it got too deep. Brackets inside strings and comments do not count.
TEST_F(AppConfigTest, AConfigNestedTooDeepIsRefusedWithItsLineAndColumn) {
  std::string const deep = std::string(100000, '[') + std::string(100000, ']');
  Load("// \"[[[[\n{\n  \"state_store\": " + deep + "\n}\n");
  EXPECT_THAT(problems_,
              ElementsAre(IsProblem("",
                                    "invalid JSON at line 3, column 529: nested more than "
                                    "512 levels deep")));
  std::string const fine = std::string(500, '[') + std::string(500, ']');
  Load("{\"state_store\": " + fine + ", \"x\": \"[[[[{{{{\" /* [[[[ */}");
  EXPECT_THAT(problems_, Contains(IsProblem("state_store", "expected a string, got an array")));
  EXPECT_THAT(problems_, Not(Contains(IsProblem("", "nested"))));
}

}  // namespace
}  // namespace casebridge::mappings
