#include "connector/http/url.h"

#include <gtest/gtest.h>

namespace casebridge::http {
namespace {

TEST(ParseUrl, SplitsSchemeHostPortPathAndQuery) {
  auto u = ParseUrl("HTTPS://Acme.My.Salesforce.com/services/data/v62.0/query?q=SELECT#frag");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "acme.my.salesforce.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/services/data/v62.0/query");
  EXPECT_EQ(u->query, "q=SELECT");
  EXPECT_EQ(u->Origin(), "https://acme.my.salesforce.com:443");
  auto v = ParseUrl("http://[::1]:8080");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->host, "[::1]");
  EXPECT_EQ(v->port, 8080);
  EXPECT_EQ(v->path, "/");
  EXPECT_FALSE(ParseUrl("/services/data").has_value());
  EXPECT_FALSE(ParseUrl("ftp://x").has_value());
  EXPECT_FALSE(ParseUrl("https://:443/").has_value());
  EXPECT_FALSE(ParseUrl("https://x:99999/").has_value());
  EXPECT_TRUE(ParseUrl("https://user:pw@x/")->has_userinfo);
}

TEST(IsLoopbackHost, OnlyLocalhost127SlashEightAndIpv6Loopback) {
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.evil.example"));
  EXPECT_FALSE(IsLoopbackHost("127.example.com"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.256"));
}

TEST(RequireSecureUrl, HttpsEverywhereHttpOnlyOnLoopback) {
  EXPECT_TRUE(RequireSecureUrl("https://login.salesforce.com", "x").ok());
  EXPECT_TRUE(RequireSecureUrl("http://127.0.0.1:9000", "x").ok());
  EXPECT_TRUE(RequireSecureUrl("http://localhost:9000/path", "x").ok());
  auto plain = RequireSecureUrl("http://login.salesforce.com", "salesforce.login_url");
  EXPECT_EQ(plain.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(plain.message().find("salesforce.login_url"), std::string::npos);
  EXPECT_EQ(RequireSecureUrl("http://127.0.0.1.nip.io", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RequireSecureUrl("https://u:p@x.example", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RequireSecureUrl("login.salesforce.com", "x").code(), StatusCode::kInvalidArgument);
}

TEST(PathOf, DropsTheQueryString) {
  EXPECT_EQ(PathOf("https://x/services/data/v62.0/query?q=SELECT%20Name"),
            "/services/data/v62.0/query");
  EXPECT_EQ(PathOf("/services/data/v62.0/query?q=x"), "/services/data/v62.0/query");
}

}  // namespace
}  // namespace casebridge::http
