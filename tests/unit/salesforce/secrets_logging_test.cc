// Secrets never reach the logs or error messages: a full run (all three OAuth flows, queries with
// a re-auth mid-paging, writes, a bulk job, the identity call, failures) is logged at trace level
// into an spdlog ostream sink — as the default logger and as the transport/client logger — and
// the captured text is searched for every token, assertion, secret and private-key line used.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "auth/salesforce_token_sources.h"
#include "connector/http/logging_transport.h"
#include "connector/salesforce/client.h"
#include "tests/support/fake_transport.h"
#include "tests/support/rsa_key.h"
#include "tests/support/temp_dir.h"

namespace casebridge::salesforce {
namespace {

using nlohmann::json;

std::string FormValue(std::string const& body, std::string const& key) {
  auto const start = body.find(key + "=");
  if (start == std::string::npos) return {};
  auto const end = body.find('&', start);
  std::string v =
      body.substr(start + key.size() + 1,
                  end == std::string::npos ? std::string::npos : end - start - key.size() - 1);
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size()) {
      out.push_back(static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

// A scripted org: token endpoint, identity, query paging with one expiry, collections, bulk.
class FakeOrg {
 public:
  explicit FakeOrg(std::string base) : base_(std::move(base)) {}

  StatusOr<http::HttpResponse> Handle(http::HttpRequest const& r) {
    std::lock_guard<std::mutex> lock(mu_);
    http::Headers limits = {
        {"Sforce-Limit-Info", "api-usage=" + std::to_string(++usage_) + "/15000"}};
    auto const path = r.url.substr(0, r.url.find('?'));
    if (path == base_ + "/services/oauth2/token") {
      std::string const grant = FormValue(r.body, "grant_type");
      if (auto a = FormValue(r.body, "assertion"); !a.empty()) secrets.insert(a);
      if (auto s = FormValue(r.body, "client_secret"); !s.empty()) secrets.insert(s);
      if (auto s = FormValue(r.body, "refresh_token"); !s.empty()) secrets.insert(s);
      if (fail_next_token_) {
        fail_next_token_ = false;
        // A hostile server that echoes what it was sent.
        return testing_util::MakeResponse(
            400,
            json({{"error", "invalid_grant"}, {"error_description", "echo: " + r.body}}).dump());
      }
      std::string const token =
          "00DFAKEORG!ACCESS_TOKEN_" + std::to_string(++tokens_) + "_" + grant;
      secrets.insert(token);
      json body = {{"access_token", token},
                   {"instance_url", base_},
                   {"id", base_ + "/id/00D000000000001AAA/005000000000001AAA"},
                   {"token_type", "Bearer"},
                   {"issued_at", "1772460300123"},
                   {"signature", "SIGNATURE_" + std::to_string(tokens_)}};
      if (grant == "refresh_token") {
        std::string const rotated = "ROTATED_REFRESH_TOKEN_" + std::to_string(tokens_);
        secrets.insert(rotated);
        body["refresh_token"] = rotated;
      }
      return testing_util::MakeResponse(200, body.dump());
    }
    if (path.find("/id/") != std::string::npos) {
      return testing_util::MakeResponse(
          200,
          R"({"organization_id":"00D000000000001AAA","user_id":"005000000000001AAA",)"
          R"("username":"integration@solar.example","display_name":"Integration"})",
          limits);
    }
    if (path == base_ + "/services/data/v62.0/query") {
      return testing_util::MakeResponse(
          200,
          R"({"totalSize":2,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01g-1",)"
          R"("records":[{"Id":"500A","Subject":"Panels"}]})",
          limits);
    }
    if (path == base_ + "/services/data/v62.0/query/01g-1") {
      if (!expired_once_) {
        expired_once_ = true;
        return testing_util::MakeResponse(
            401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
      }
      return testing_util::MakeResponse(
          200, R"({"totalSize":2,"done":true,"records":[{"Id":"500B","Subject":"Inverter"}]})",
          limits);
    }
    if (path == base_ + "/services/data/v62.0/composite/sobjects/Task/Ext_Key__c") {
      auto const n = json::parse(r.body).at("records").size();
      json out = json::array();
      for (std::size_t i = 0; i < n; ++i) out.push_back({{"id", "00T1"}, {"success", true}});
      return testing_util::MakeResponse(200, out.dump(), limits);
    }
    if (path == base_ + "/services/data/v62.0/jobs/query") {
      return testing_util::MakeResponse(200, R"({"id":"750A","state":"JobComplete"})", limits);
    }
    if (path == base_ + "/services/data/v62.0/jobs/query/750A/results") {
      http::Headers h = limits;
      h.Set("Sforce-Locator", "null");
      return testing_util::MakeResponse(200, "Id\n500A\n", h);
    }
    return testing_util::MakeResponse(404, R"([{"errorCode":"NOT_FOUND","message":"nope"}])");
  }

  void FailNextToken() {
    std::lock_guard<std::mutex> lock(mu_);
    fail_next_token_ = true;
  }

  std::set<std::string> secrets;  // every secret value that crossed the wire

 private:
  std::mutex mu_;
  std::string base_;
  int usage_ = 0;
  int tokens_ = 0;
  bool expired_once_ = false;
  bool fail_next_token_ = false;
};

class SecretsNeverLogged : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    logger_ = std::make_shared<spdlog::logger>("capture", sink);
    logger_->set_level(spdlog::level::trace);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(logger_);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  StatusOr<Client> MakeClient(std::shared_ptr<http::HttpTransport> wire,
                              mappings::SalesforceConfig const& config) {
    ClientOptions options;
    options.connection.logger = logger_;
    return Client::Create(
        std::make_shared<http::LoggingTransport>(std::move(wire), logger_),
        [&](std::shared_ptr<http::HttpTransport> t) {
          return auth::MakeSalesforceTokenSource(
              config, std::move(t),
              std::make_shared<testing_util::SettableClock>(*ParseInstant("2026-03-02T14:05:00Z")));
        },
        options, testing_util::RecordingSleeper());
  }

  // Runs queries (with the mid-paging expiry), writes, a bulk job and the identity call.
  void RunWorkload(Client const& client) {
    Note(client.Query("SELECT Id, Subject FROM Case WHERE Subject = 'Panels'",
                      [](QueryPage const&) { return OkStatus(); }));
    std::vector<SObject> tasks;
    for (int i = 0; i < 3; ++i) {
      tasks.push_back(
          {"Task",
           {{"Ext_Key__c", "k" + std::to_string(i)}, {"Subject", std::string("Call installer")}}});
    }
    Note(client.Upsert("Task", "Ext_Key__c", tasks).status);
    Note(client.BulkQuery("SELECT Id FROM Case", [](BulkPage const&) { return OkStatus(); }));
    auto id = client.GetIdentity();
    Note(id.status());
    Note(client.GetRecord("Case", "500NOPE", {}).status());
  }

  void Note(Status const& s) { statuses_ << s.ToString() << "\n"; }

  std::ostringstream log_;
  std::ostringstream statuses_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(SecretsNeverLogged, FullRunWithAllThreeFlowsLeaksNoSecret) {
  testing_util::TempDir dir;
  auto const keys = testing_util::GenerateRsaKeyPair();
  auto const key_path = dir.Write("sf.key", keys.private_pem);
  chmod(key_path.c_str(), 0600);
  std::string const client_secret = "CLIENT_SECRET_8f7d6c5b4a39";
  std::string const refresh_token = "ORIGINAL_REFRESH_TOKEN_5aa1c9";
  setenv("CASEBRIDGE_TEST_LOG_CLIENT_SECRET", client_secret.c_str(), 1);
  auto const refresh_path = dir.WritePrivate("refresh.txt", refresh_token + "\n");

  std::string const base = "https://acme.my.salesforce.com";
  auto org = std::make_shared<FakeOrg>(base);
  auto wire = std::make_shared<testing_util::FakeTransport>();
  wire->SetHandler([org](http::HttpRequest const& r) { return org->Handle(r); });

  mappings::SalesforceConfig jwt;
  jwt.login_url = base;
  jwt.client_id = "3MVG9CLIENTID";
  jwt.username = "integration@solar.example";
  jwt.private_key.file = key_path;
  auto jwt_client = MakeClient(wire, jwt);
  ASSERT_TRUE(jwt_client.ok()) << jwt_client.status();
  RunWorkload(*jwt_client);
  EXPECT_EQ(jwt_client->calls().auth, 3);  // first token, one re-auth, the identity call

  mappings::SalesforceConfig cc = jwt;
  cc.auth_flow = mappings::SalesforceAuthFlow::kClientCredentials;
  cc.client_secret.env = "CASEBRIDGE_TEST_LOG_CLIENT_SECRET";
  auto cc_client = MakeClient(wire, cc);
  ASSERT_TRUE(cc_client.ok());
  RunWorkload(*cc_client);

  mappings::SalesforceConfig rt = cc;
  rt.auth_flow = mappings::SalesforceAuthFlow::kRefreshToken;
  rt.refresh_token.file = refresh_path;
  auto rt_client = MakeClient(wire, rt);
  ASSERT_TRUE(rt_client.ok());
  RunWorkload(*rt_client);

  // Failures: a token endpoint echoing the request, for each flow.
  for (auto const* config : {&jwt, &cc, &rt}) {
    org->FailNextToken();
    auto failing = MakeClient(wire, *config);
    ASSERT_TRUE(failing.ok());
    auto s = failing->Query("SELECT Id FROM Case", [](QueryPage const&) { return OkStatus(); });
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s;
    Note(s);
  }
  unsetenv("CASEBRIDGE_TEST_LOG_CLIENT_SECRET");
  logger_->flush();

  std::string const log = log_.str();
  std::string const statuses = statuses_.str();
  // The capture worked: the exchanges are there.
  EXPECT_NE(log.find("POST https://acme.my.salesforce.com/services/oauth2/token"),
            std::string::npos);
  EXPECT_NE(log.find("-> 401"), std::string::npos);
  EXPECT_NE(log.find("api-usage="), std::string::npos);
  EXPECT_NE(statuses.find("invalid_grant"), std::string::npos) << statuses;

  std::set<std::string> secrets = org->secrets;
  secrets.insert(client_secret);
  secrets.insert(refresh_token);
  // 4 access tokens, 1 rotated refresh token, the client secret, the original refresh token and
  // the JWT assertion (identical for every JWT fetch here: the clock stands still and RS256 with
  // PKCS#1 v1.5 is deterministic).
  EXPECT_EQ(secrets.size(), 8U) << statuses;
  for (auto const& secret : secrets) {
    ASSERT_GE(secret.size(), 16U);
    EXPECT_EQ(log.find(secret), std::string::npos) << "log leaks a secret";
    EXPECT_EQ(statuses.find(secret), std::string::npos) << "a Status leaks a secret";
    // Not even a recognisable chunk of one (e.g. a JWT header or signature part).
    for (std::size_t i = 0; i + 24 <= secret.size(); i += 24) {
      EXPECT_EQ(log.find(secret.substr(i, 24)), std::string::npos);
      EXPECT_EQ(statuses.find(secret.substr(i, 24)), std::string::npos);
    }
  }
  EXPECT_EQ(log.find("PRIVATE KEY"), std::string::npos);
  std::istringstream pem(keys.private_pem);
  for (std::string line; std::getline(pem, line);) {
    if (line.size() < 32 || line.find("-----") != std::string::npos) continue;
    EXPECT_EQ(log.find(line), std::string::npos) << "private key text in the log";
  }
  EXPECT_EQ(log.find("eyJ"), std::string::npos) << "a JWT in the log";
  EXPECT_EQ(statuses.find("eyJ"), std::string::npos);
  EXPECT_EQ(log.find("Bearer"), std::string::npos);
  EXPECT_EQ(log.find("SIGNATURE_"), std::string::npos);
}

}  // namespace
}  // namespace casebridge::salesforce
