// OAuth 2.0 token endpoint and identity URL of the Salesforce emulator, checked against the
// documented shapes (salesforce-api.md section 1): success bodies, 400 {"error",
// "error_description"} failures, token expiry.
#include <gtest/gtest.h>

#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

using std::chrono::seconds;

class OAuthTest : public EmulatorTest {};

void ExpectTokenResponse(HttpResult const& r, std::string const& base) {
  ASSERT_EQ(r.status, 200) << r.body;
  json const j = r.Json();
  ASSERT_TRUE(j.is_object()) << r.body;
  for (char const* key :
       {"access_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"}) {
    EXPECT_TRUE(j.contains(key) && j.at(key).is_string()) << key << " in " << r.body;
  }
  EXPECT_EQ(j.value("token_type", ""), "Bearer");
  EXPECT_EQ(j.value("instance_url", ""), base);
  EXPECT_TRUE(j.value("id", "").starts_with(base + "/id/00D")) << j.value("id", "");
  EXPECT_FALSE(j.contains("expires_in"));
  EXPECT_FALSE(j.contains("refresh_token"));
  // issued_at is epoch milliseconds: 2026-03-06T18:00:00Z.
  EXPECT_EQ(j.value("issued_at", ""), "1772820000000");
  EXPECT_NE(r.Header("content-type").find("application/json"), std::string::npos);
}

void ExpectOAuthError(HttpResult const& r, std::string const& error) {
  EXPECT_EQ(r.status, 400) << r.body;
  json const j = r.Json();
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j.value("error", ""), error) << r.body;
  EXPECT_TRUE(j.contains("error_description") && j.at("error_description").is_string());
}

TEST_F(OAuthTest, JwtBearerGrantIssuesTokenForSignedAssertion) {
  std::string const assertion = SignJwt(keys_.private_pem, MakeJwtClaims());
  HttpResult const r = Token(
      {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion}});
  ExpectTokenResponse(r, emulator_->base_url());
}

TEST_F(OAuthTest, JwtAcceptsSandboxAudienceAndEmulatorUrlAndAudienceArray) {
  for (json const& aud :
       {json("https://test.salesforce.com"), json(emulator_->base_url()),
        json::array({"https://example.invalid", "https://login.salesforce.com"})}) {
    json claims = MakeJwtClaims();
    claims["aud"] = aud;
    HttpResult const r = Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                                {"assertion", SignJwt(keys_.private_pem, claims)}});
    EXPECT_EQ(r.status, 200) << aud << " " << r.body;
  }
}

TEST_F(OAuthTest, JwtWithWrongAudienceIsInvalidGrant) {
  json claims = MakeJwtClaims();
  claims["aud"] = "https://mycompany.my.salesforce.com";
  HttpResult const r = Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                              {"assertion", SignJwt(keys_.private_pem, claims)}});
  ExpectOAuthError(r, "invalid_grant");
  EXPECT_EQ(r.Json().value("error_description", ""), "audience is invalid");
}

TEST_F(OAuthTest, ExpiredJwtIsInvalidGrant) {
  HttpResult const r =
      Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
             {"assertion", SignJwt(keys_.private_pem, MakeJwtClaims(seconds(-1)))}});
  ExpectOAuthError(r, "invalid_grant");
}

TEST_F(OAuthTest, JwtExpiringMoreThanThreeMinutesAheadIsInvalidGrant) {
  HttpResult const r =
      Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
             {"assertion", SignJwt(keys_.private_pem, MakeJwtClaims(seconds(3600)))}});
  ExpectOAuthError(r, "invalid_grant");
}

TEST_F(OAuthTest, JwtSignedWithAnotherKeyIsInvalidGrant) {
  testing_util::RsaKeyPair const other = testing_util::GenerateRsaKeyPair();
  HttpResult const r = Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                              {"assertion", SignJwt(other.private_pem, MakeJwtClaims())}});
  ExpectOAuthError(r, "invalid_grant");
  EXPECT_EQ(r.Json().value("error_description", ""), "invalid assertion");
}

TEST_F(OAuthTest, JwtWithTamperedClaimsIsInvalidGrant) {
  std::string assertion = SignJwt(keys_.private_pem, MakeJwtClaims());
  json claims = MakeJwtClaims();
  claims["sub"] = "agent@example.test";
  std::size_t const first = assertion.find('.');
  std::size_t const second = assertion.find('.', first + 1);
  assertion = assertion.substr(0, first + 1) + Base64Url(claims.dump()) + assertion.substr(second);
  HttpResult const r = Token(
      {{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", assertion}});
  ExpectOAuthError(r, "invalid_grant");
}

TEST_F(OAuthTest, JwtWithHs256AlgorithmIsRejected) {
  HttpResult const r = Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                              {"assertion", SignJwt(keys_.private_pem, MakeJwtClaims(), "HS256")}});
  ExpectOAuthError(r, "invalid_grant");
}

TEST_F(OAuthTest, JwtFromUnknownClientIsInvalidClientId) {
  json claims = MakeJwtClaims();
  claims["iss"] = "someone-else";
  HttpResult const r = Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                              {"assertion", SignJwt(keys_.private_pem, claims)}});
  ExpectOAuthError(r, "invalid_client_id");
}

TEST_F(OAuthTest, JwtForUnknownOrInactiveUserIsNotApproved) {
  for (char const* user : {"nobody@example.test", "gone@example.test"}) {
    json claims = MakeJwtClaims();
    claims["sub"] = user;
    HttpResult const r = Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                                {"assertion", SignJwt(keys_.private_pem, claims)}});
    ExpectOAuthError(r, "invalid_grant");
    EXPECT_EQ(r.Json().value("error_description", ""), "user hasn't approved this consumer");
  }
}

TEST_F(OAuthTest, JwtPrnClaimWinsOverSub) {
  json claims = MakeJwtClaims();
  claims["sub"] = "nobody@example.test";
  claims["prn"] = "agent@example.test";
  HttpResult const r = Token({{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
                              {"assertion", SignJwt(keys_.private_pem, claims)}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.Json().value("id", "").ends_with("/005Dn0000000002IAA")) << r.body;
}

TEST_F(OAuthTest, ClientCredentialsInBodyOrBasicHeaderIssueToken) {
  ExpectTokenResponse(Token({{"grant_type", "client_credentials"},
                             {"client_id", kClientId},
                             {"client_secret", kClientSecret}}),
                      emulator_->base_url());
  std::string const basic = "Basic " + Base64Std(std::string(kClientId) + ":" + kClientSecret);
  ExpectTokenResponse(Token({{"grant_type", "client_credentials"}}, {{"Authorization", basic}}),
                      emulator_->base_url());
}

TEST_F(OAuthTest, ClientCredentialsWithWrongSecretIsInvalidClient) {
  ExpectOAuthError(Token({{"grant_type", "client_credentials"},
                          {"client_id", kClientId},
                          {"client_secret", "wrong"}}),
                   "invalid_client");
  ExpectOAuthError(Token({{"grant_type", "client_credentials"},
                          {"client_id", "unknown"},
                          {"client_secret", kClientSecret}}),
                   "invalid_client_id");
}

TEST_F(OAuthTest, RefreshTokenGrantIssuesTokenAndRejectsUnknownToken) {
  ExpectTokenResponse(Token({{"grant_type", "refresh_token"},
                             {"refresh_token", kRefreshToken},
                             {"client_id", kClientId}}),
                      emulator_->base_url());
  ExpectTokenResponse(Token({{"grant_type", "refresh_token"},
                             {"refresh_token", kRefreshToken},
                             {"client_id", kClientId},
                             {"client_secret", kClientSecret}}),
                      emulator_->base_url());
  HttpResult const bad = Token({{"grant_type", "refresh_token"},
                                {"refresh_token", "not-a-token"},
                                {"client_id", kClientId}});
  ExpectOAuthError(bad, "invalid_grant");
  EXPECT_EQ(bad.Json().value("error_description", ""), "expired access/refresh token");
  ExpectOAuthError(Token({{"grant_type", "refresh_token"},
                          {"refresh_token", kRefreshToken},
                          {"client_id", kClientId},
                          {"client_secret", "wrong"}}),
                   "invalid_client");
}

TEST_F(OAuthTest, UnsupportedOrMissingGrantType) {
  ExpectOAuthError(Token({{"grant_type", "password"}}), "unsupported_grant_type");
  ExpectOAuthError(Token({{"client_id", kClientId}}), "unsupported_grant_type");
  HttpResult const get = http_->Send("GET", "/services/oauth2/token");
  ExpectOAuthError(get, "invalid_request");
}

TEST_F(OAuthTest, IdentityUrlDescribesTheTokenUser) {
  HttpResult const token = Token({{"grant_type", "client_credentials"},
                                  {"client_id", kClientId},
                                  {"client_secret", kClientSecret}});
  ASSERT_EQ(token.status, 200);
  std::string const id_url = token.Json().at("id").get<std::string>();
  std::string const path = id_url.substr(emulator_->base_url().size());
  HttpResult const r = http_->Send(
      "GET", path, "",
      {{"Authorization", "Bearer " + token.Json().at("access_token").get<std::string>()}});
  ASSERT_EQ(r.status, 200) << r.body;
  json const j = r.Json();
  EXPECT_EQ(j.value("username", ""), "integration@example.test");
  EXPECT_EQ(j.value("user_id", ""), "005Dn0000000001IAA");
  EXPECT_EQ(j.value("organization_id", ""), emulator_->org_id());
  EXPECT_EQ(j.value("display_name", ""), "Integration User");
  ASSERT_TRUE(j.contains("urls"));
  EXPECT_EQ(j.at("urls").value("rest", ""), emulator_->base_url() + "/services/data/v{version}/");

  HttpResult const bad = http_->Send("GET", path, "", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(bad.body, "Bad_OAuth_Token");
}

TEST_F(OAuthTest, AccessTokenExpiresAfterTheSessionTimeout) {
  HttpResult const before = Rest("GET", "/limits/");
  ASSERT_EQ(before.status, 200) << before.body;
  clock_->Advance(std::chrono::hours(2) + seconds(1));
  HttpResult const after = Rest("GET", "/limits/");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.Json(), json::parse(R"([{"message":"Session expired or invalid",
                                           "errorCode":"INVALID_SESSION_ID"}])"));
}

TEST_F(OAuthTest, RevokedTokenIsRejected) {
  std::string const token = AccessToken();
  HttpResult const revoke =
      http_->Send("POST", "/services/oauth2/revoke", FormBody({{"token", token}}), {},
                  "application/x-www-form-urlencoded");
  EXPECT_EQ(revoke.status, 200);
  EXPECT_EQ(Rest("GET", "/limits/").status, 401);
}

}  // namespace
}  // namespace casebridge::sandbox::testing
