#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "auth/salesforce_token_sources.h"
#include "tests/support/fake_transport.h"
#include "tests/support/rsa_key.h"
#include "tests/support/temp_dir.h"

namespace casebridge::auth {
namespace {

using nlohmann::json;
using testing_util::FakeTransport;
using testing_util::SettableClock;
using testing_util::TempDir;

Instant const kNow = *ParseInstant("2026-03-02T14:05:00Z");

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(std::string const& body) {
  std::map<std::string, std::string> out;
  std::stringstream ss(body);
  std::string pair;
  while (std::getline(ss, pair, '&')) {
    auto const eq = pair.find('=');
    out[PercentDecode(pair.substr(0, eq))] = PercentDecode(pair.substr(eq + 1));
  }
  return out;
}

std::string Base64UrlDecode(std::string_view in) {
  std::string b64(in);
  for (auto& c : b64) c = c == '-' ? '+' : (c == '_' ? '/' : c);
  std::size_t pad = 0;
  while (b64.size() % 4 != 0) {
    b64.push_back('=');
    ++pad;
  }
  std::string out(b64.size() / 4 * 3, '\0');
  int const n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),        // NOLINT
                                reinterpret_cast<unsigned char const*>(b64.data()),  // NOLINT
                                static_cast<int>(b64.size()));
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

bool VerifyRs256(std::string const& jwt, std::string const& public_pem) {
  auto const dot = jwt.rfind('.');
  std::string const input = jwt.substr(0, dot);
  std::string const sig = Base64UrlDecode(jwt.substr(dot + 1));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return key && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<unsigned char const*>(sig.data()),  // NOLINT
                          sig.size(),
                          reinterpret_cast<unsigned char const*>(input.data()),  // NOLINT
                          input.size()) == 1;
}

std::string TokenResponse(std::string const& token, std::string const& instance,
                          std::string const& extra = "") {
  return R"({"access_token":")" + token + R"(","instance_url":")" + instance +
         R"(","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",)"
         R"("token_type":"Bearer","issued_at":"1772460300123","scope":"api")" +
         extra + "}";
}

class JwtBearerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = testing_util::GenerateRsaKeyPair(); }
  void SetUp() override {
    key_path_ = dir_.Write("sf.key", keys_.private_pem);
    chmod(key_path_.c_str(), 0600);
  }
  std::shared_ptr<JwtBearerTokenSource> Source(std::string login_url, std::string audience = "") {
    JwtBearerOptions o;
    o.login_url = std::move(login_url);
    o.client_id = "3MVG9client";
    o.username = "integration@solar.example";
    o.private_key.file = key_path_;
    o.audience = std::move(audience);
    return std::make_shared<JwtBearerTokenSource>(transport_, o, clock_);
  }
  static inline testing_util::RsaKeyPair keys_;
  TempDir dir_;
  std::string key_path_;
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  std::shared_ptr<SettableClock> clock_ = std::make_shared<SettableClock>(kNow);
};

TEST_F(JwtBearerTest, PostsASignedAssertionAndReturnsTheToken) {
  transport_->Enqueue(200, TokenResponse("00Dxx!AQ4AQ.tok", "https://acme.my.salesforce.com"));
  auto token = Source("https://acme.my.salesforce.com")->Fetch();
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->access_token.Reveal(), "00Dxx!AQ4AQ.tok");
  EXPECT_EQ(token->instance_url, "https://acme.my.salesforce.com");
  EXPECT_EQ(token->identity_url,
            "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA");
  EXPECT_EQ(token->issued_at, *ParseInstant("2026-03-02T14:05:00Z"));  // 1772460300123 ms

  auto const req = transport_->requests().at(0);
  EXPECT_EQ(req.method, http::Method::kPost);
  EXPECT_EQ(req.url, "https://acme.my.salesforce.com/services/oauth2/token");
  EXPECT_EQ(req.headers.Get("Content-Type").value_or(""), "application/x-www-form-urlencoded");
  EXPECT_FALSE(req.headers.Get("Authorization").has_value());
  auto form = ParseForm(req.body);
  EXPECT_EQ(form["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer");
  EXPECT_EQ(form.count("client_secret"), 0U);
  std::string const assertion = form["assertion"];
  ASSERT_EQ(std::count(assertion.begin(), assertion.end(), '.'), 2);
  EXPECT_TRUE(VerifyRs256(assertion, keys_.public_pem));
  auto const claims = json::parse(Base64UrlDecode(
      assertion.substr(assertion.find('.') + 1, assertion.rfind('.') - assertion.find('.') - 1)));
  EXPECT_EQ(claims.at("iss"), "3MVG9client");
  EXPECT_EQ(claims.at("sub"), "integration@solar.example");
  EXPECT_EQ(claims.at("aud"), "https://login.salesforce.com");  // My Domain → login
  EXPECT_EQ(claims.at("exp").get<long long>(), kNow.time_since_epoch().count() + 180);
}

TEST_F(JwtBearerTest, AudienceFollowsTheLoginHostOrTheOverride) {
  for (auto const& [url, aud] : std::vector<std::pair<std::string, std::string>>{
           {"https://test.salesforce.com", "https://test.salesforce.com"},
           {"https://login.salesforce.com/", "https://login.salesforce.com"},
           {"https://acme--uat.sandbox.my.salesforce.com", "https://test.salesforce.com"},
           {"http://127.0.0.1:8443", "https://login.salesforce.com"}}) {
    transport_->Enqueue(200, TokenResponse("t", "https://acme.my.salesforce.com"));
    ASSERT_TRUE(Source(url)->Fetch().ok()) << url;
    auto const assertion = ParseForm(transport_->requests().back().body)["assertion"];
    auto const claims = json::parse(Base64UrlDecode(
        assertion.substr(assertion.find('.') + 1, assertion.rfind('.') - assertion.find('.') - 1)));
    EXPECT_EQ(claims.at("aud"), aud) << url;
  }
  EXPECT_EQ(JwtAudienceFor("http://localhost:9000", "https://sandbox.example"),
            "https://sandbox.example");
  EXPECT_EQ(JwtAudienceFor("https://test.salesforce.com", "https://ignored.example"),
            "https://test.salesforce.com");
}

TEST_F(JwtBearerTest, OAuthErrorIsUnauthenticatedWithTheSafeFieldsOnly) {
  transport_->Enqueue(400,
                      R"({"error":"invalid_grant","error_description":"audience is invalid"})");
  auto token = Source("https://login.salesforce.com")->Fetch();
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(token.status().message(),
            "Salesforce refused the jwt_bearer token request (HTTP 400): invalid_grant: audience "
            "is invalid");
  EXPECT_EQ(token.status().info().vendor_code, "invalid_grant");
}

TEST_F(JwtBearerTest, AServerEchoingTheAssertionCannotGetItIntoTheMessage) {
  transport_->SetHandler([](http::HttpRequest const& r) -> StatusOr<http::HttpResponse> {
    auto const assertion = ParseForm(r.body)["assertion"];
    return testing_util::MakeResponse(
        400,
        json({{"error", "invalid_grant"}, {"error_description", "bad jwt " + assertion}}).dump());
  });
  auto token = Source("https://login.salesforce.com")->Fetch();
  ASSERT_FALSE(token.ok());
  auto const assertion = ParseForm(transport_->requests().at(0).body)["assertion"];
  EXPECT_EQ(token.status().message().find(assertion.substr(0, 40)), std::string::npos);
  EXPECT_NE(token.status().message().find("<redacted>"), std::string::npos);
}

TEST_F(JwtBearerTest, PlainHttpOutsideLoopbackIsRefusedBeforeSending) {
  auto token = Source("http://login.salesforce.com")->Fetch();
  EXPECT_EQ(token.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0U);
  transport_->Enqueue(200, TokenResponse("t", "http://127.0.0.1:8443"));
  EXPECT_TRUE(Source("http://127.0.0.1:8443")->Fetch().ok());
  transport_->Enqueue(200, TokenResponse("t", "http://[::1]:8443"));
  EXPECT_TRUE(Source("http://[::1]:8443")->Fetch().ok());
  transport_->Enqueue(200, TokenResponse("t", "http://localhost:8443"));
  EXPECT_TRUE(Source("http://localhost:8443")->Fetch().ok());
}

TEST_F(JwtBearerTest, InstanceUrlMustBeHttpsUnlessLoopback) {
  transport_->Enqueue(200, TokenResponse("t", "http://acme.my.salesforce.com"));
  auto token = Source("https://login.salesforce.com")->Fetch();
  EXPECT_EQ(token.status().code(), StatusCode::kInternal);
}

TEST_F(JwtBearerTest, MalformedOrIncompleteTokenResponses) {
  transport_->Enqueue(200, "not json");
  EXPECT_EQ(Source("https://login.salesforce.com")->Fetch().status().code(), StatusCode::kInternal);
  transport_->Enqueue(200, R"({"instance_url":"https://x.my.salesforce.com"})");
  EXPECT_EQ(Source("https://login.salesforce.com")->Fetch().status().code(), StatusCode::kInternal);
  transport_->Enqueue(
      200,
      TokenResponse("t", "https://x.my.salesforce.com")
          .replace(TokenResponse("t", "https://x.my.salesforce.com").find("Bearer"), 6, "MAC"));
  EXPECT_EQ(Source("https://login.salesforce.com")->Fetch().status().code(), StatusCode::kInternal);
  transport_->Enqueue(503, "");
  EXPECT_EQ(Source("https://login.salesforce.com")->Fetch().status().code(),
            StatusCode::kUnavailable);
  transport_->EnqueueError(UnavailableError("connection refused"));
  EXPECT_EQ(Source("https://login.salesforce.com")->Fetch().status().code(),
            StatusCode::kUnavailable);
}

TEST_F(JwtBearerTest, GroupReadableKeyIsAConfigurationError) {
  chmod(key_path_.c_str(), 0640);
  auto token = Source("https://login.salesforce.com")->Fetch();
  EXPECT_EQ(token.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(token.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(token.status().message().find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(transport_->request_count(), 0U);
}

TEST_F(JwtBearerTest, KeyFromAnEnvironmentVariable) {
  setenv("CASEBRIDGE_TEST_SF_KEY", keys_.private_pem.c_str(), 1);
  JwtBearerOptions o;
  o.login_url = "https://login.salesforce.com";
  o.client_id = "c";
  o.username = "u@x.example";
  o.private_key.env = "CASEBRIDGE_TEST_SF_KEY";
  transport_->Enqueue(200, TokenResponse("t", "https://x.my.salesforce.com"));
  auto token = JwtBearerTokenSource(transport_, o, clock_).Fetch();
  unsetenv("CASEBRIDGE_TEST_SF_KEY");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_TRUE(
      VerifyRs256(ParseForm(transport_->requests().at(0).body)["assertion"], keys_.public_pem));
}

TEST(ClientCredentials, SendsIdAndSecretInTheBodyReadAtFetchTime) {
  auto transport = std::make_shared<FakeTransport>();
  auto clock = std::make_shared<SettableClock>(kNow);
  ClientCredentialsOptions o;
  o.login_url = "https://acme.my.salesforce.com";
  o.client_id = "3MVG9client";
  o.client_secret.env = "CASEBRIDGE_TEST_CC_SECRET";
  ClientCredentialsTokenSource source(transport, o, clock);
  unsetenv("CASEBRIDGE_TEST_CC_SECRET");
  auto missing = source.Fetch();
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("CASEBRIDGE_TEST_CC_SECRET"), std::string::npos);
  EXPECT_EQ(transport->request_count(), 0U);

  setenv("CASEBRIDGE_TEST_CC_SECRET", "s3cr3t+/=&value", 1);
  transport->Enqueue(200,
                     R"({"access_token":"tok","instance_url":"https://acme.my.salesforce.com",)"
                     R"("id":"https://acme.my.salesforce.com/id/00D/005","token_type":"Bearer"})");
  auto token = source.Fetch();
  unsetenv("CASEBRIDGE_TEST_CC_SECRET");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->issued_at, kNow);  // no issued_at: the fetch time
  auto form = ParseForm(transport->requests().at(0).body);
  EXPECT_EQ(form["grant_type"], "client_credentials");
  EXPECT_EQ(form["client_id"], "3MVG9client");
  EXPECT_EQ(form["client_secret"], "s3cr3t+/=&value");
}

TEST(ClientCredentials, RefusalNamesTheOAuthErrorOnly) {
  auto transport = std::make_shared<FakeTransport>();
  setenv("CASEBRIDGE_TEST_CC_SECRET2", "very-secret-value", 1);
  ClientCredentialsOptions o{
      "https://login.salesforce.com", "id", {"CASEBRIDGE_TEST_CC_SECRET2", ""}};
  transport->Enqueue(
      400,
      R"({"error":"invalid_grant","error_description":"request not supported on this domain"})");
  auto token =
      ClientCredentialsTokenSource(transport, o, std::make_shared<SettableClock>(kNow)).Fetch();
  unsetenv("CASEBRIDGE_TEST_CC_SECRET2");
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(token.status().message().find("request not supported on this domain"),
            std::string::npos);
  EXPECT_EQ(token.status().ToString().find("very-secret-value"), std::string::npos);
}

TEST(RefreshToken, RotatedRefreshTokenIsKeptInMemoryAndUsedNext) {
  TempDir dir;
  auto const rt_file = dir.WritePrivate("refresh.txt", "rt-original\n");
  auto transport = std::make_shared<FakeTransport>();
  RefreshTokenOptions o;
  o.login_url = "https://login.salesforce.com";
  o.client_id = "3MVG9client";
  o.refresh_token.file = rt_file;
  RefreshTokenSource source(transport, o, std::make_shared<SettableClock>(kNow));
  transport->Enqueue(200, TokenResponse("tok-1", "https://acme.my.salesforce.com",
                                        R"(,"refresh_token":"rt-rotated")"));
  transport->Enqueue(200, TokenResponse("tok-2", "https://acme.my.salesforce.com"));
  ASSERT_TRUE(source.Fetch().ok());
  EXPECT_TRUE(source.rotated());
  auto second = source.Fetch();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->access_token.Reveal(), "tok-2");
  auto const reqs = transport->requests();
  auto first_form = ParseForm(reqs[0].body);
  EXPECT_EQ(first_form["grant_type"], "refresh_token");
  EXPECT_EQ(first_form["refresh_token"], "rt-original");  // trailing newline trimmed
  EXPECT_EQ(first_form["client_id"], "3MVG9client");
  EXPECT_EQ(first_form.count("client_secret"), 0U);
  EXPECT_EQ(ParseForm(reqs[1].body)["refresh_token"], "rt-rotated");
  // The configured file is not rewritten.
  std::ifstream in(rt_file);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "rt-original\n");
}

TEST(RefreshToken, ExpiredRefreshTokenIsUnauthenticated) {
  auto transport = std::make_shared<FakeTransport>();
  setenv("CASEBRIDGE_TEST_RT", "rt", 1);
  setenv("CASEBRIDGE_TEST_RT_SECRET", "cs", 1);
  RefreshTokenOptions o{"https://login.salesforce.com",
                        "id",
                        {"CASEBRIDGE_TEST_RT_SECRET", ""},
                        {"CASEBRIDGE_TEST_RT", ""}};
  transport->Enqueue(
      400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})");
  auto token = RefreshTokenSource(transport, o, std::make_shared<SettableClock>(kNow)).Fetch();
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseForm(transport->requests().at(0).body)["client_secret"], "cs");
  unsetenv("CASEBRIDGE_TEST_RT");
  unsetenv("CASEBRIDGE_TEST_RT_SECRET");
}

TEST(MakeSalesforceTokenSource, BuildsTheConfiguredFlowOrNamesTheMissingSetting) {
  auto transport = std::make_shared<FakeTransport>();
  auto clock = std::make_shared<SettableClock>(kNow);
  mappings::SalesforceConfig c;
  c.client_id = "id";
  c.username = "u@x.example";
  c.private_key.file = "/nonexistent.key";
  auto jwt = MakeSalesforceTokenSource(c, transport, clock);
  ASSERT_TRUE(jwt.ok());
  EXPECT_NE(dynamic_cast<JwtBearerTokenSource*>(jwt->get()), nullptr);

  c.auth_flow = mappings::SalesforceAuthFlow::kClientCredentials;
  auto cc = MakeSalesforceTokenSource(c, transport, clock);
  EXPECT_EQ(cc.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cc.status().info().field, "salesforce.client_secret");
  c.client_secret.env = "X";
  cc = MakeSalesforceTokenSource(c, transport, clock);
  ASSERT_TRUE(cc.ok());
  EXPECT_NE(dynamic_cast<ClientCredentialsTokenSource*>(cc->get()), nullptr);

  c.auth_flow = mappings::SalesforceAuthFlow::kRefreshToken;
  EXPECT_EQ(MakeSalesforceTokenSource(c, transport, clock).status().info().field,
            "salesforce.refresh_token");
  c.refresh_token.file = "/x";
  EXPECT_NE(
      dynamic_cast<RefreshTokenSource*>(MakeSalesforceTokenSource(c, transport, clock)->get()),
      nullptr);

  c.login_url = "http://sf.example.com";
  EXPECT_EQ(MakeSalesforceTokenSource(c, transport, clock).status().code(),
            StatusCode::kInvalidArgument);
  c.login_url = "https://login.salesforce.com";
  c.client_id.clear();
  EXPECT_EQ(MakeSalesforceTokenSource(c, transport, clock).status().info().field,
            "salesforce.client_id");
  EXPECT_EQ(transport->request_count(), 0U);
}

}  // namespace
}  // namespace casebridge::auth
