// The Salesforce client against the Salesforce emulator over loopback, through the production
// transport (CpprestTransport): the three OAuth flows, paging, collections, re-auth, retries,
// budget errors and the API-call counts the sync relies on.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "auth/salesforce_token_sources.h"
#include "connector/http/cpprest_transport.h"
#include "connector/salesforce/client.h"
#include "connector/salesforce/soql.h"
#include "connector/sandbox/salesforce_emulator.h"
#include "tests/support/fake_transport.h"
#include "tests/support/rsa_key.h"
#include "tests/support/temp_dir.h"

namespace casebridge::salesforce {
namespace {

using nlohmann::json;
using sandbox::EndpointKind;
using sandbox::FaultKind;
using sandbox::FaultSpec;

constexpr char const* kClientId = "3MVG9CasebridgeIntegrationTestApp";
constexpr char const* kClientSecret = "integration-test-client-secret-7c1e";
constexpr char const* kRefreshToken = "integration-test-refresh-token-93ab";
constexpr char const* kUser = "integration@casebridge.sandbox";
constexpr char const* kTaskKey = "Casebridge_Key__c";

json Seed(int cases) {
  json seed = {{"User", json::array({{{"Username", kUser},
                                      {"FirstName", "Casebridge"},
                                      {"LastName", "Integration"},
                                      {"Email", kUser},
                                      {"IsActive", true}}})},
               {"Group", json::array({{{"Id", "00GDn0QU0000001MGA"},
                                       {"Name", "Back Office"},
                                       {"DeveloperName", "Back_Office"},
                                       {"Type", "Queue"}}})},
               {"QueueSobject",
                json::array({{{"QueueId", "00GDn0QU0000001MGA"}, {"SobjectType", "Case"}}})}};
  json list = json::array();
  for (int i = 0; i < cases; ++i) {
    list.push_back({{"Subject", "Inverter fault " + std::to_string(i)},
                    {"Status", i % 3 == 0 ? "New" : "Working"},
                    {"Origin", "Phone"}});
  }
  seed["Case"] = std::move(list);
  return seed;
}

class SalesforceClientIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = testing_util::GenerateRsaKeyPair(); }

  void StartEmulator(int cases, std::int64_t daily_limit = 100000) {
    sandbox::SalesforceEmulatorOptions o;
    o.daily_api_limit = daily_limit;
    o.bulk_polls_until_complete = 2;
    sandbox::ConnectedAppOptions app;
    app.client_id = kClientId;
    app.client_secret = kClientSecret;
    app.jwt_public_key_pem = keys_.public_pem;
    app.client_credentials_username = kUser;
    app.refresh_tokens[kRefreshToken] = kUser;
    app.rotate_refresh_tokens = true;
    o.apps.push_back(app);
    emulator_ = std::make_unique<sandbox::SalesforceEmulator>(o);
    ASSERT_TRUE(emulator_->SeedFromJson(Seed(cases)).ok());
    auto s = emulator_->Start("127.0.0.1", 0);
    ASSERT_TRUE(s.ok()) << s;
    key_path_ = dir_.Write("sf.key", keys_.private_pem);
    chmod(key_path_.c_str(), 0600);
    refresh_path_ = dir_.WritePrivate("refresh.txt", std::string(kRefreshToken) + "\n");
    secret_path_ = dir_.Write("client_secret.txt", kClientSecret);
    chmod(secret_path_.c_str(), 0600);
  }

  void TearDown() override {
    if (emulator_) emulator_->Stop();
  }

  mappings::SalesforceConfig Config(mappings::SalesforceAuthFlow flow) const {
    mappings::SalesforceConfig c;
    c.login_url = emulator_->base_url();
    c.api_version = "62.0";
    c.auth_flow = flow;
    c.client_id = kClientId;
    c.username = kUser;
    c.private_key.file = key_path_;
    c.client_secret.file = secret_path_;
    c.refresh_token.file = refresh_path_;
    return c;
  }

  Client MakeClient(mappings::SalesforceAuthFlow flow = mappings::SalesforceAuthFlow::kJwtBearer,
                    ClientOptions options = {}) {
    auto config = Config(flow);
    options.connection.request_timeout = std::chrono::seconds(20);
    auto client = Client::Create(
        std::make_shared<http::CpprestTransport>(http::CpprestTransportOptions{}),
        [config](std::shared_ptr<http::HttpTransport> t) {
          return auth::MakeSalesforceTokenSource(config, std::move(t),
                                                 std::make_shared<SystemClock const>());
        },
        options, sleeper_);
    EXPECT_TRUE(client.ok()) << client.status();
    return *client;
  }

  static std::vector<SObject> Tasks(int n, int offset = 0) {
    std::vector<SObject> out;
    for (int i = offset; i < offset + n; ++i) {
      out.push_back({"Task",
                     {{kTaskKey, "case-" + std::to_string(i) + ":call_installer:1"},
                      {"Subject", std::string("Call installer")},
                      {"Status", std::string("Not Started")},
                      {"ActivityDate", *ParseDate("2026-03-04")}}});
    }
    return out;
  }

  static inline testing_util::RsaKeyPair keys_;
  testing_util::TempDir dir_;
  std::string key_path_;
  std::string refresh_path_;
  std::string secret_path_;
  std::unique_ptr<sandbox::SalesforceEmulator> emulator_;
  testing_util::RecordingSleeper sleeper_;
};

// Counts records and distinct ids across pages.
struct PageCounter {
  std::set<std::string> ids;
  int records = 0;
  int pages = 0;
  Status operator()(QueryPage const& page) {
    ++pages;
    for (auto raw : page.records) {
      auto flat = FlattenRecord(raw);
      if (!flat.ok()) return flat.status();
      ids.insert(FindField(*flat, "Id").value_or(""));
      ++records;
    }
    return OkStatus();
  }
};

TEST_F(SalesforceClientIntegration, JwtBearerFlowReachesTheOrgAndUser) {
  StartEmulator(3);
  auto client = MakeClient(mappings::SalesforceAuthFlow::kJwtBearer);
  auto id = client.GetIdentity();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->organization_id, emulator_->org_id());
  EXPECT_EQ(id->username, kUser);
  EXPECT_EQ(id->instance_url, emulator_->base_url());
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kToken), 1);
  EXPECT_EQ(client.calls().auth, 2);  // token + identity
}

TEST_F(SalesforceClientIntegration, ClientCredentialsFlowReachesTheRunAsUser) {
  StartEmulator(3);
  auto client = MakeClient(mappings::SalesforceAuthFlow::kClientCredentials);
  auto id = client.GetIdentity();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->username, kUser);
  auto n = client.Count("SELECT COUNT() FROM Case");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3);
}

TEST_F(SalesforceClientIntegration, RefreshTokenFlowFollowsRotationAcrossReauth) {
  StartEmulator(3);
  auto client = MakeClient(mappings::SalesforceAuthFlow::kRefreshToken);
  ASSERT_TRUE(client.GetIdentity().ok());
  // The org rotated the refresh token: the configured one is dead now. An expiry forces a
  // refresh, which only works with the rotated token kept in memory.
  emulator_->ExpireAllTokens();
  auto n = client.Count("SELECT COUNT() FROM Case");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kToken), 2);
  // A fresh client starting from the configured (now rotated-away) token is refused: exit 3.
  auto stale = MakeClient(mappings::SalesforceAuthFlow::kRefreshToken);
  auto refused = stale.GetIdentity();
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated) << refused.status();
  EXPECT_EQ(refused.status().message().find(kRefreshToken), std::string::npos);
}

TEST_F(SalesforceClientIntegration, WrongKeyIsRefusedAsUnauthenticated) {
  StartEmulator(1);
  auto other = testing_util::GenerateRsaKeyPair();
  key_path_ = dir_.Write("other.key", other.private_pem);
  chmod(key_path_.c_str(), 0600);
  auto client = MakeClient();
  auto id = client.GetIdentity();
  EXPECT_EQ(id.status().code(), StatusCode::kUnauthenticated) << id.status();
}

TEST_F(SalesforceClientIntegration, PagesAcrossThreePages) {
  StartEmulator(450);
  ClientOptions options;
  options.query_batch_size = 200;
  auto client = MakeClient(mappings::SalesforceAuthFlow::kJwtBearer, options);
  PageCounter c;
  auto s = client.Query("SELECT Id, Subject FROM Case ORDER BY Id", std::ref(c));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.records, 450);
  EXPECT_EQ(c.ids.size(), 450U);
  EXPECT_EQ(c.pages, 3);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 3);
  EXPECT_EQ(client.calls().query, 3);
}

TEST_F(SalesforceClientIntegration, EscapedLiteralsMatchExactlyAndInjectionMatchesNothing) {
  StartEmulator(5);
  auto client = MakeClient();
  auto exact = SoqlBuilder()
                   .Select({"Id"})
                   .From("Case")
                   .Where("Subject", "=", std::string("Inverter fault 3"))
                   .BuildCount();
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*client.Count(*exact), 1);
  auto hostile = SoqlBuilder()
                     .Select({"Id"})
                     .From("Case")
                     .Where("Subject", "=", std::string("x' OR Subject != 'y"))
                     .BuildCount();
  ASSERT_TRUE(hostile.ok());
  auto n = client.Count(*hostile);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0);
}

TEST_F(SalesforceClientIntegration, ReauthenticatesOnExpiryMidPaging) {
  StartEmulator(450);
  ClientOptions options;
  options.query_batch_size = 200;
  auto client = MakeClient(mappings::SalesforceAuthFlow::kJwtBearer, options);
  PageCounter c;
  auto s = client.Query("SELECT Id FROM Case", [&](QueryPage const& page) {
    if (page.page_number == 1) emulator_->ExpireAllTokens();
    return c(page);
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.ids.size(), 450U);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kToken), 2);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 4);  // page 2 replayed once
  EXPECT_TRUE(sleeper_.delays().empty());
}

TEST_F(SalesforceClientIntegration, InjectedTokenExpiryOnEveryCallIsAnAuthenticationError) {
  StartEmulator(3);
  auto client = MakeClient();
  ASSERT_TRUE(client.Count("SELECT COUNT() FROM Case").ok());
  emulator_->InjectFault({EndpointKind::kQuery, FaultKind::kTokenExpired, 2});
  auto s = client.Count("SELECT COUNT() FROM Case");
  EXPECT_EQ(s.status().code(), StatusCode::kUnauthenticated) << s.status();
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kToken), 2);  // exactly one re-auth
}

TEST_F(SalesforceClientIntegration, BacksOffOnInjected503s) {
  StartEmulator(10);
  auto client = MakeClient();
  emulator_->InjectFault({EndpointKind::kQuery, FaultKind::kHttp503, 2});
  PageCounter c;
  auto s = client.Query("SELECT Id FROM Case", std::ref(c));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.records, 10);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 3);
  auto const d = sleeper_.delays();
  ASSERT_EQ(d.size(), 2U);
  EXPECT_LE(d[0], d[1] * 2);  // exponential: 250..500 ms then 500..1000 ms
  EXPECT_GE(d[1].count(), 500);
}

TEST_F(SalesforceClientIntegration, LockContentionOnCollectionsIsRetried) {
  StartEmulator(1);
  auto client = MakeClient();
  emulator_->InjectFault({EndpointKind::kCollections, FaultKind::kUnableToLockRow, 1});
  auto r = client.Upsert("Task", kTaskKey, Tasks(3));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.succeeded(), 3U);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kCollections), 2);
  EXPECT_EQ(sleeper_.delays().size(), 1U);
}

TEST_F(SalesforceClientIntegration, RequestLimitExceededIsABudgetErrorWithoutRetry) {
  StartEmulator(3);
  auto client = MakeClient();
  emulator_->InjectFault({EndpointKind::kQuery, FaultKind::kRequestLimitExceeded, 1});
  auto s = client.Query("SELECT Id FROM Case", [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s;
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 1);
  EXPECT_TRUE(sleeper_.delays().empty());
  // Nothing more is sent this run.
  auto again = client.Upsert("Task", kTaskKey, Tasks(1));
  EXPECT_EQ(again.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kCollections), 0);
}

TEST_F(SalesforceClientIntegration, BudgetGuardStopsAtTheConfiguredShare) {
  StartEmulator(450, /*daily_limit=*/10000);
  emulator_->SetApiUsage(4999);
  ClientOptions options;
  options.budget_share = 0.5;
  options.query_batch_size = 200;
  auto client = MakeClient(mappings::SalesforceAuthFlow::kJwtBearer, options);
  PageCounter c;
  auto s = client.Query("SELECT Id FROM Case", std::ref(c));
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s;
  // The first page's Sforce-Limit-Info reports 5000/10000: the next call is never sent.
  EXPECT_EQ(c.pages, 1);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 1);
  ASSERT_TRUE(client.api_usage().has_value());
  EXPECT_EQ(client.api_usage()->used, 5000);
  EXPECT_EQ(client.api_usage()->limit, 10000);
}

TEST_F(SalesforceClientIntegration, MalformedBodyIsAClearError) {
  StartEmulator(10);
  auto client = MakeClient();
  emulator_->InjectFault({EndpointKind::kQuery, FaultKind::kMalformedBody, 1});
  auto s = client.Query("SELECT Id FROM Case", [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s;
  EXPECT_NE(s.message().find("GET /services/data/v62.0/query"), std::string::npos) << s;
  EXPECT_NE(s.message().find("malformed response body"), std::string::npos) << s;
}

TEST_F(SalesforceClientIntegration, DroppedConnectionIsRetried) {
  StartEmulator(10);
  auto client = MakeClient();
  emulator_->InjectFault({EndpointKind::kQuery, FaultKind::kDropConnection, 1});
  PageCounter c;
  auto s = client.Query("SELECT Id FROM Case", std::ref(c));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.records, 10);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 2);
  EXPECT_EQ(sleeper_.delays().size(), 1U);
}

TEST_F(SalesforceClientIntegration, CollectionsPartialFailureMapsBackToTheRightRecords) {
  StartEmulator(1);
  auto client = MakeClient();
  auto tasks = Tasks(3);
  tasks[1].fields.emplace_back("Status", std::string(41, 'x'));  // > 40 chars
  tasks[1].fields.erase(tasks[1].fields.begin() + 2);            // the valid Status
  auto r = client.Upsert("Task", kTaskKey, tasks);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 3U);
  EXPECT_TRUE(r.records[0].success);
  EXPECT_FALSE(r.records[1].success);
  ASSERT_FALSE(r.records[1].errors.empty());
  EXPECT_EQ(r.records[1].errors[0].status_code, "STRING_TOO_LONG");
  EXPECT_TRUE(r.records[2].success);
  EXPECT_EQ(r.records[0].created, true);
  // The ids point at the caller's records.
  for (int i : {0, 2}) {
    auto stored = emulator_->FindRecord(r.records[i].id);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->at(kTaskKey), "case-" + std::to_string(i) + ":call_installer:1");
  }
}

TEST_F(SalesforceClientIntegration, TenThousandCasesTakeFiveQueryCalls) {
  StartEmulator(10000);
  auto client = MakeClient();
  emulator_->ResetRequestCounts();
  PageCounter c;
  auto s = client.Query("SELECT Id, Subject, Status FROM Case", std::ref(c));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.records, 10000);
  EXPECT_EQ(c.ids.size(), 10000U);
  EXPECT_EQ(c.pages, 5);
  EXPECT_EQ(client.calls().query, 5);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 5);
  std::cout << "[ calls    ] 10,000-case paged read: query=" << client.calls().query
            << " auth=" << client.calls().auth << " total=" << client.calls().total() << "\n";
}

TEST_F(SalesforceClientIntegration, ThousandTaskUpsertTakesFiveCollectionCallsAndIsIdempotent) {
  StartEmulator(1);
  auto client = MakeClient();
  auto r = client.Upsert("Task", kTaskKey, Tasks(1000));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.succeeded(), 1000U);
  EXPECT_EQ(r.calls, 5);
  EXPECT_EQ(client.calls().write, 5);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kCollections), 5);
  EXPECT_EQ(emulator_->Records("Task").size(), 1000U);
  std::cout << "[ calls    ] 1,000-task upsert: write=" << client.calls().write
            << " auth=" << client.calls().auth << " total=" << client.calls().total() << "\n";
  // Running the same upsert again writes nothing new.
  auto again = client.Upsert("Task", kTaskKey, Tasks(1000));
  ASSERT_TRUE(again.status.ok()) << again.status;
  EXPECT_EQ(again.records[999].created, false);
  EXPECT_EQ(emulator_->Records("Task").size(), 1000U);
}

TEST_F(SalesforceClientIntegration, OwnerChangeToAQueueCarriesAutoAssignFalse) {
  StartEmulator(2);
  auto client = MakeClient();
  std::string queue_id;
  std::string case_id;
  ASSERT_TRUE(
      client
          .Export({"SELECT Id FROM Group WHERE DeveloperName = 'Back_Office'", 1, "", false},
                  [&](FlatRecord const& r) {
                    queue_id = FindField(r, "Id").value_or("");
                    return OkStatus();
                  })
          .ok());
  ASSERT_TRUE(client
                  .Export({"SELECT Id FROM Case LIMIT 1", 1, "", false},
                          [&](FlatRecord const& r) {
                            case_id = FindField(r, "Id").value_or("");
                            return OkStatus();
                          })
                  .ok());
  ASSERT_FALSE(queue_id.empty());
  ASSERT_FALSE(case_id.empty());
  auto r = client.Update({SObject{"Case", {{"Id", case_id}, {"OwnerId", queue_id}}}});
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(r.records[0].success);
  auto const writes = emulator_->OwnerWrites();
  ASSERT_FALSE(writes.empty());
  EXPECT_EQ(writes.back().auto_assign_header.value_or(""), "FALSE");
  EXPECT_EQ(writes.back().owner_id.substr(0, 15), queue_id.substr(0, 15));
}

TEST_F(SalesforceClientIntegration, BulkQueryPollsWithBackoffAndPagesByLocator) {
  StartEmulator(450);
  ClientOptions options;
  options.bulk_max_records = 200;
  auto client = MakeClient(mappings::SalesforceAuthFlow::kJwtBearer, options);
  std::set<std::string> ids;
  int pages = 0;
  auto s = client.BulkQuery("SELECT Id, Subject FROM Case", [&](BulkPage const& page) {
    ++pages;
    EXPECT_EQ(page.header, (std::vector<std::string>{"Id", "Subject"}));
    for (auto const& row : page.rows) ids.insert(row.at(0));
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(ids.size(), 450U);
  EXPECT_EQ(pages, 3);
  auto const d = sleeper_.delays();
  ASSERT_GE(d.size(), 2U);
  EXPECT_EQ(d[0], std::chrono::seconds(1));
  EXPECT_EQ(d[1], std::chrono::seconds(2));
}

TEST_F(SalesforceClientIntegration, ExportSwitchesToBulkAboveTheThreshold) {
  StartEmulator(300);
  ClientOptions options;
  options.bulk_threshold_rows = 250;
  auto client = MakeClient(mappings::SalesforceAuthFlow::kJwtBearer, options);
  int rows = 0;
  ExportRequest req;
  req.soql = "SELECT Id, Subject FROM Case";
  req.count_soql = "SELECT COUNT() FROM Case";
  auto path = client.Export(req, [&](FlatRecord const& r) {
    rows += FindField(r, "Subject").has_value() ? 1 : 0;
    return OkStatus();
  });
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, ExportPath::kBulk);
  EXPECT_EQ(rows, 300);
  EXPECT_EQ(client.calls().query, 1);  // the COUNT()
  EXPECT_GE(client.calls().bulk, 3);   // create, poll(s), results
}

}  // namespace
}  // namespace casebridge::salesforce
