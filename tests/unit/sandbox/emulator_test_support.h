// Test-only helpers for the Salesforce emulator conformance tests: a deliberately minimal HTTP
// client written on cpprest's http_client (the tests must not use casebridge's own
// connector/http or connector/salesforce code, so the emulator is checked against the vendor
// documentation rather than against our client), a fake clock, and RS256 JWT signing with
// OpenSSL.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cpprest/http_client.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/common/clock.h"
#include "connector/common/time.h"
#include "connector/sandbox/salesforce_emulator.h"
#include "tests/support/rsa_key.h"

namespace casebridge::sandbox::testing {

using json = nlohmann::json;

inline Instant At(std::string_view iso) { return ParseInstant(iso).value(); }

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant now) : seconds_(now.time_since_epoch().count()) {}
  [[nodiscard]] Instant Now() const override {
    return Instant(std::chrono::seconds(seconds_.load()));
  }
  void Set(Instant t) { seconds_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::seconds d) { seconds_ += d.count(); }

 private:
  std::atomic<std::int64_t> seconds_;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string transport_error;  // set when no complete response arrived

  [[nodiscard]] json Json() const { return json::parse(body, nullptr, false); }
  [[nodiscard]] std::string Header(std::string const& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

inline std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

inline std::string FormBody(std::vector<std::pair<std::string, std::string>> const& fields) {
  std::string out;
  for (auto const& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return out;
}

/// One http_client per base URL; every call blocks until the response body has arrived.
class TestHttp {
 public:
  explicit TestHttp(std::string const& base) : client_(base, Config()) {}

  HttpResult Send(std::string const& method, std::string const& path_and_query,
                  std::string const& body = "",
                  std::map<std::string, std::string> const& headers = {},
                  std::string const& content_type = "application/json") {
    HttpResult result;
    try {
      web::http::http_request request(method);
      request.set_request_uri(path_and_query);
      for (auto const& [k, v] : headers) request.headers().add(k, v);
      if (!body.empty()) request.set_body(body, content_type);
      web::http::http_response response = client_.request(request).get();
      result.status = response.status_code();
      for (auto const& [k, v] : response.headers()) {
        std::string name = k;
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        result.headers[name] = v;
      }
      std::vector<unsigned char> const bytes = response.extract_vector().get();
      result.body.assign(bytes.begin(), bytes.end());
    } catch (std::exception const& e) {
      result.transport_error = e.what();
    }
    return result;
  }

 private:
  static web::http::client::http_client_config Config() {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(30));
    return config;
  }
  web::http::client::http_client client_;
};

inline std::string Base64Std(std::string_view data) {
  std::string b64(4 * ((data.size() + 2) / 3) + 1, '\0');
  int const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                reinterpret_cast<unsigned char const*>(data.data()),
                                static_cast<int>(data.size()));
  b64.resize(static_cast<std::size_t>(n));
  return b64;
}

inline std::string Base64Url(std::string_view data) {
  std::string const b64 = Base64Std(data);
  std::string out;
  for (char c : b64) {
    if (c == '+') {
      out += '-';
    } else if (c == '/') {
      out += '_';
    } else if (c != '=') {
      out += c;
    }
  }
  return out;
}

/// Signs `claims` as an RS256 JWT with a PEM private key (independently of the emulator).
inline std::string SignJwt(std::string const& private_pem, json const& claims,
                           std::string const& alg = "RS256") {
  std::string const header = Base64Url(json{{"alg", alg}}.dump());
  std::string const payload = Base64Url(claims.dump());
  std::string const signing_input = header + "." + payload;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!key || !ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    ADD_FAILURE() << "cannot load the signing key";
    return {};
  }
  std::size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len,
                 reinterpret_cast<unsigned char const*>(signing_input.data()),
                 signing_input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<unsigned char const*>(signing_input.data()),
                 signing_input.size());
  sig.resize(len);
  return signing_input + "." + Base64Url(sig);
}

// Ids of the small test org (15 characters; the emulator answers with 18).
inline constexpr char kIntegrationUser[] = "005Dn0000000001";
inline constexpr char kAgentUser[] = "005Dn0000000002";
inline constexpr char kInactiveUser[] = "005Dn0000000003";
inline constexpr char kBackOfficeQueue[] = "00GDn0000000001";
inline constexpr char kRegularGroup[] = "00GDn0000000002";
inline constexpr char kInstaller[] = "001Dn0000000001";
inline constexpr char kHomeowner[] = "003Dn0000000001";

/// Users, a queue, an installer Account, a homeowner Contact and `cases` Cases.
inline json SmallOrgSeed(int cases = 3) {
  json seed;
  seed["_fields"] = {{"Case",
                      {{"Installer__c",
                        {{"type", "reference"},
                         {"referenceTo", "Account"},
                         {"childRelationshipName", "Installer_Cases__r"}}},
                       {"Escalation_Tier__c", "number"}}},
                     {"Account", {{"Escalation_Phone__c", "phone"}}}};
  seed["User"] = json::array({{{"Id", kIntegrationUser},
                               {"Username", "integration@example.test"},
                               {"FirstName", "Integration"},
                               {"LastName", "User"},
                               {"Email", "integration@example.test"}},
                              {{"Id", kAgentUser},
                               {"Username", "agent@example.test"},
                               {"FirstName", "Dana"},
                               {"LastName", "Agent"}},
                              {{"Id", kInactiveUser},
                               {"Username", "gone@example.test"},
                               {"LastName", "Gone"},
                               {"IsActive", false}}});
  seed["Group"] = json::array({{{"Id", kBackOfficeQueue},
                                {"Name", "Back Office"},
                                {"DeveloperName", "Back_Office"},
                                {"Type", "Queue"}},
                               {{"Id", kRegularGroup}, {"Name", "Everyone"}, {"Type", "Regular"}}});
  seed["Account"] = json::array({{{"Id", kInstaller},
                                  {"Name", "SunPeak Installations"},
                                  {"Escalation_Phone__c", "+1 512 555 9000"}}});
  seed["Contact"] =
      json::array({{{"Id", kHomeowner}, {"FirstName", "Maria"}, {"LastName", "Gonzalez"}}});
  json list = json::array();
  for (int i = 0; i < cases; ++i) {
    list.push_back({{"Subject", "Case " + std::to_string(i)},
                    {"Status", "New"},
                    {"OwnerId", kBackOfficeQueue},
                    {"Installer__c", kInstaller},
                    {"ContactId", kHomeowner},
                    {"CreatedDate", "2026-03-02T14:05:00Z"}});
  }
  seed["Case"] = std::move(list);
  return seed;
}

/// A running emulator with a connected app (JWT key, secret, run-as user, refresh token) and
/// the small org, on a fake clock at 2026-03-06T18:00:00Z.
class EmulatorTest : public ::testing::Test {
 protected:
  static constexpr char kClientId[] = "test-client-id";
  static constexpr char kClientSecret[] = "test-client-secret";
  static constexpr char kRefreshToken[] = "test-refresh-token";
  static constexpr char kVersion[] = "62.0";

  virtual void Customize(SalesforceEmulatorOptions& /*options*/) {}
  virtual json Seed() { return SmallOrgSeed(); }

  /// One RSA key pair per test program (generating one takes a noticeable fraction of a
  /// second).
  static testing_util::RsaKeyPair const& SharedKeys() {
    static testing_util::RsaKeyPair const keys = testing_util::GenerateRsaKeyPair();
    return keys;
  }

  void SetUp() override {
    keys_ = SharedKeys();
    clock_ = std::make_shared<FakeClock>(At("2026-03-06T18:00:00Z"));
    SalesforceEmulatorOptions options;
    options.api_version = kVersion;
    options.clock = clock_;
    ConnectedAppOptions app;
    app.client_id = kClientId;
    app.client_secret = kClientSecret;
    app.jwt_public_key_pem = keys_.public_pem;
    app.client_credentials_username = "integration@example.test";
    app.refresh_tokens[kRefreshToken] = "integration@example.test";
    options.apps.push_back(app);
    Customize(options);
    emulator_ = std::make_unique<SalesforceEmulator>(options);
    auto seeded = emulator_->SeedFromJson(Seed());
    ASSERT_TRUE(seeded.ok()) << seeded;
    auto started = emulator_->Start();
    ASSERT_TRUE(started.ok()) << started;
    http_ = std::make_unique<TestHttp>(emulator_->base_url());
  }

  void TearDown() override {
    if (emulator_) emulator_->Stop();
  }

  HttpResult Token(std::vector<std::pair<std::string, std::string>> const& form,
                   std::map<std::string, std::string> const& headers = {}) {
    return http_->Send("POST", "/services/oauth2/token", FormBody(form), headers,
                       "application/x-www-form-urlencoded");
  }

  std::string AccessToken() {
    if (token_.empty()) {
      HttpResult r = Token({{"grant_type", "client_credentials"},
                            {"client_id", kClientId},
                            {"client_secret", kClientSecret}});
      EXPECT_EQ(r.status, 200) << r.body;
      token_ = r.Json().value("access_token", "");
    }
    return token_;
  }

  /// A REST call under /services/data/v62.0 with the cached access token.
  HttpResult Rest(std::string const& method, std::string const& path, json const& body = nullptr,
                  std::map<std::string, std::string> headers = {}) {
    headers.emplace("Authorization", "Bearer " + AccessToken());
    return http_->Send(method, std::string("/services/data/v") + kVersion + path,
                       body.is_null() ? "" : body.dump(), headers);
  }

  HttpResult Query(std::string const& soql, std::map<std::string, std::string> headers = {},
                   std::string const& resource = "query") {
    return Rest("GET", "/" + resource + "?q=" + UrlEncode(soql), nullptr, std::move(headers));
  }

  json MakeJwtClaims(std::chrono::seconds exp_in = std::chrono::seconds(170)) {
    return {{"iss", kClientId},
            {"sub", "integration@example.test"},
            {"aud", "https://login.salesforce.com"},
            {"exp", (clock_->Now() + exp_in).time_since_epoch().count()}};
  }

  testing_util::RsaKeyPair keys_;
  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<SalesforceEmulator> emulator_;
  std::unique_ptr<TestHttp> http_;
  std::string token_;
};

}  // namespace casebridge::sandbox::testing
