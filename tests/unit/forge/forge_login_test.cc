// The Forge login token source (auth/forge_login.h): request shape, token extraction and the
// mapping of login failures — without ever echoing the password.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/forge_login.h"
#include "tests/support/fake_transport.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/forge/forge_test_util.h"

namespace casebridge::auth {
namespace {

using forge::testing::kPassword;
using forge::testing::kPasswordEnv;
using nlohmann::json;

struct LoginHarness {
  std::shared_ptr<testing_util::FakeTransport> transport =
      std::make_shared<testing_util::FakeTransport>();
  std::shared_ptr<testing_util::SettableClock> clock =
      std::make_shared<testing_util::SettableClock>(*ParseInstant("2026-03-02T14:05:00Z"));

  static ForgeLoginOptions Options() {
    ::setenv(kPasswordEnv, kPassword, 1);
    ForgeLoginOptions o;
    o.base_url = "https://forge.example.com/";
    o.email = "ops@example.com";
    o.password.env = kPasswordEnv;
    return o;
  }

  StatusOr<Token> Fetch(ForgeLoginOptions o) const {
    auto source = MakeForgeLoginTokenSource(transport, std::move(o), clock);
    EXPECT_TRUE(source.ok()) << source.status();
    return (*source)->Fetch();
  }
};

TEST(ForgeLogin, PostsTheConfiguredFieldsAndReturnsTheTokenForTheBaseUrl) {
  LoginHarness h;
  h.transport->Enqueue(200, R"({"token":"abc","expires_in":60})");
  auto token = h.Fetch(LoginHarness::Options());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->access_token.Reveal(), "abc");
  EXPECT_EQ(token->instance_url, "https://forge.example.com");
  EXPECT_EQ(token->issued_at, *ParseInstant("2026-03-02T14:05:00Z"));
  auto const r = h.transport->requests().at(0);
  EXPECT_EQ(r.url, "https://forge.example.com/api/auth/login");
  EXPECT_EQ(json::parse(r.body), (json{{"email", "ops@example.com"}, {"password", kPassword}}));
}

TEST(ForgeLogin, NestedFieldNamesAreHonoured) {
  LoginHarness h;
  h.transport->Enqueue(200, R"({"session":{"jwt":"xyz"}})");
  auto o = LoginHarness::Options();
  o.email_field = "credentials.login";
  o.password_field = "credentials.secret";
  o.token_field = "session.jwt";
  auto token = h.Fetch(o);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->access_token.Reveal(), "xyz");
  EXPECT_EQ(json::parse(h.transport->requests().at(0).body),
            (json{{"credentials", {{"login", "ops@example.com"}, {"secret", kPassword}}}}));
}

TEST(ForgeLogin, ASuccessWithoutATokenIsAnInternalErrorNamingTheField) {
  LoginHarness h;
  h.transport->Enqueue(200, R"({"access_token":"abc"})");
  auto token = h.Fetch(LoginHarness::Options());
  EXPECT_EQ(token.status().code(), StatusCode::kInternal);
  EXPECT_EQ(token.status().info().field, "token");
  EXPECT_EQ(token.status().message().find("abc"), std::string::npos);
}

TEST(ForgeLogin, RefusedCredentialsAreUnauthenticated) {
  for (int code : {401, 403}) {
    LoginHarness h;
    h.transport->Enqueue(code, R"({"error":{"code":"invalid_credentials","message":"nope"}})");
    auto token = h.Fetch(LoginHarness::Options());
    EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated) << code;
    EXPECT_EQ(token.status().info().vendor_code, "invalid_credentials");
    EXPECT_EQ(token.status().message().find(kPassword), std::string::npos);
  }
}

TEST(ForgeLogin, RateLimitedLoginIsUnavailableWithRetryAfter) {
  LoginHarness h;
  h.transport->Enqueue(429, R"({"error":{"code":"rate_limited","message":"slow"}})",
                       {{"Retry-After", "4"}});
  auto token = h.Fetch(LoginHarness::Options());
  EXPECT_EQ(token.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(token.status().retry_after(), std::chrono::seconds(4));
}

TEST(ForgeLogin, AWrongLoginPathIsAConfigurationError) {
  LoginHarness h;
  h.transport->Enqueue(404, "Not Found");
  auto token = h.Fetch(LoginHarness::Options());
  EXPECT_EQ(token.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(token.status().message().find("forge.json"), std::string::npos);
}

TEST(ForgeLogin, ServerErrorsAndTransportFailuresAreTransient) {
  LoginHarness h;
  h.transport->Enqueue(502, "bad gateway");
  EXPECT_EQ(h.Fetch(LoginHarness::Options()).status().code(), StatusCode::kUnavailable);
  h.transport->EnqueueError(Status(StatusCode::kDeadlineExceeded, "timed out"));
  EXPECT_EQ(h.Fetch(LoginHarness::Options()).status().code(), StatusCode::kDeadlineExceeded);
}

TEST(ForgeLogin, OptionsAreValidatedBeforeAnythingIsSent) {
  LoginHarness h;
  auto o = LoginHarness::Options();
  o.base_url = "http://forge.example.com";
  EXPECT_EQ(MakeForgeLoginTokenSource(h.transport, o, h.clock).status().code(),
            StatusCode::kInvalidArgument);
  o = LoginHarness::Options();
  o.base_url = "http://127.0.0.1:8080";
  EXPECT_TRUE(MakeForgeLoginTokenSource(h.transport, o, h.clock).ok());
  o = LoginHarness::Options();
  o.email.clear();
  EXPECT_NE(
      MakeForgeLoginTokenSource(h.transport, o, h.clock).status().message().find("forge.email"),
      std::string::npos);
  o = LoginHarness::Options();
  o.password = {};
  EXPECT_NE(
      MakeForgeLoginTokenSource(h.transport, o, h.clock).status().message().find("forge.password"),
      std::string::npos);
  EXPECT_EQ(h.transport->request_count(), 0U);
}

TEST(ForgeLogin, ThePasswordIsReadFromAFileAtEachLogin) {
  LoginHarness h;
  testing_util::TempDir dir;
  auto const path = dir.WritePrivate("forge-password", "from-file\n");
  auto o = LoginHarness::Options();
  o.password = {};
  o.password.file = path;
  h.transport->Enqueue(200, R"({"token":"t1"})");
  ASSERT_TRUE(h.Fetch(o).ok());
  EXPECT_EQ(json::parse(h.transport->requests().at(0).body).at("password"), "from-file");
}

TEST(ForgeLogin, AOneLetterPasswordDoesNotMangleMessages) {
  // Every "p" used to become "<redacted>": "htt<redacted>s://…".
  LoginHarness h;
  auto o = LoginHarness::Options();
  ::setenv(kPasswordEnv, "p", 1);
  h.transport->EnqueueError(
      UnavailableError("no response from https://forge.example.com/api/auth/login"));
  auto failed = h.Fetch(o);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("https://forge.example.com/api/auth/login"),
            std::string::npos)
      << failed.status().message();
  ::setenv(kPasswordEnv, "p", 1);
  h.transport->Enqueue(401, R"({"error":{"code":"bad_credentials","message":"password p is )"
                            R"(wrong for https://forge.example.com"}})");
  auto refused = h.Fetch(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("password <redacted> is wrong for https://forge"),
            std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace casebridge::auth
