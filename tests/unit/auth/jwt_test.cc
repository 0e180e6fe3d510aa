#include "auth/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/rsa_key.h"
#include "tests/support/temp_dir.h"

namespace casebridge::auth {
namespace {

using testing_util::TempDir;

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

std::string ReadFile(std::string const& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = testing_util::GenerateRsaKeyPair(); }
  void SetUp() override {
    key_path_ = dir_.Write("key.pem", keys_.private_pem);
    chmod(key_path_.c_str(), 0600);
  }
  static inline testing_util::RsaKeyPair keys_;  // generated once: RSA generation is slow
  TempDir dir_;
  std::string key_path_;
};

TEST(Base64Url, EncodesWithoutPaddingUsingUrlAlphabet) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
}

TEST_F(JwtTest, AssertionVerifiesWithOpenSslCommandLineTool) {
  auto signer = JwtSigner::FromPemFile(key_path_);
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto const now = *ParseInstant("2026-03-02T14:05:00Z");
  auto jwt = signer->Sign(JwtSigner::MakeClaims("3MVG9client", "integration@solar.example",
                                                "https://login.salesforce.com", now));
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  auto const dot2 = jwt->rfind('.');
  ASSERT_NE(dot2, std::string::npos);
  dir_.Write("input.txt", jwt->substr(0, dot2));
  dir_.Write("sig.bin", Base64UrlDecode(jwt->substr(dot2 + 1)));
  dir_.Write("pub.pem", keys_.public_pem);
  std::string const cmd = "openssl dgst -sha256 -verify " + dir_.path() + "/pub.pem -signature " +
                          dir_.path() + "/sig.bin " + dir_.path() + "/input.txt > " + dir_.path() +
                          "/verify.out 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFile(dir_.path() + "/verify.out");
  EXPECT_NE(ReadFile(dir_.path() + "/verify.out").find("Verified OK"), std::string::npos);

  // A tampered payload must not verify: proves the check above can fail.
  dir_.Write("input.txt", jwt->substr(0, dot2) + "x");
  EXPECT_NE(std::system(cmd.c_str()), 0);
}

TEST_F(JwtTest, ClaimsCarryIssuerSubjectAudienceAndShortExpiry) {
  auto signer = JwtSigner::FromPemFile(key_path_);
  ASSERT_TRUE(signer.ok());
  auto const now = *ParseInstant("2026-03-02T14:05:00Z");
  auto jwt = signer->Sign(JwtSigner::MakeClaims("cid", "user@x", "https://test.salesforce.com", now,
                                                std::chrono::seconds(3600)));
  ASSERT_TRUE(jwt.ok());
  auto const dot1 = jwt->find('.');
  auto const dot2 = jwt->rfind('.');
  auto header = nlohmann::json::parse(Base64UrlDecode(jwt->substr(0, dot1)));
  auto claims = nlohmann::json::parse(Base64UrlDecode(jwt->substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_EQ(header.at("alg"), "RS256");
  EXPECT_EQ(claims.at("iss"), "cid");
  EXPECT_EQ(claims.at("sub"), "user@x");
  EXPECT_EQ(claims.at("aud"), "https://test.salesforce.com");
  // exp is capped at 3 minutes even when a longer lifetime is asked for.
  EXPECT_EQ(claims.at("exp").get<long long>(), now.time_since_epoch().count() + 180);
}

TEST_F(JwtTest, RefusesKeyFileReadableByGroupOrOthers) {
  chmod(key_path_.c_str(), 0644);
  auto signer = JwtSigner::FromPemFile(key_path_);
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(signer.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(signer.status().message().find("PRIVATE KEY"), std::string::npos);
}

TEST_F(JwtTest, RejectsNonKeyFileWithoutEchoingItsContents) {
  auto path = dir_.Write("not-a-key.pem", "hunter2-secret-value");
  chmod(path.c_str(), 0600);
  auto signer = JwtSigner::FromPemFile(path);
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(signer.status().ToString().find("hunter2"), std::string::npos);
}

TEST_F(JwtTest, MissingKeyFileIsNotFound) {
  auto signer = JwtSigner::FromPemFile(dir_.path() + "/absent.pem");
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace casebridge::auth
