// Fault injection of the Salesforce emulator: every fault kind through the C++ API and over
// HTTP (/__sandbox/faults), count- and probability-based arming, endpoint matching, and the
// emulator's own state/seed/counter endpoints.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

using std::chrono::milliseconds;

class FaultsTest : public EmulatorTest {
 protected:
  void Inject(EndpointKind endpoint, FaultKind kind, int count = 1, double probability = 1.0,
              milliseconds latency = milliseconds(0)) {
    FaultSpec spec;
    spec.endpoint = endpoint;
    spec.kind = kind;
    spec.count = count;
    spec.probability = probability;
    spec.latency = latency;
    emulator_->InjectFault(spec);
  }

  HttpResult SimpleQuery() { return Query("SELECT Id FROM Case LIMIT 1"); }
};

void ExpectError(HttpResult const& r, int status, std::string const& code) {
  EXPECT_EQ(r.status, status) << r.body;
  json const j = r.Json();
  ASSERT_TRUE(j.is_array() && !j.empty()) << r.body;
  EXPECT_EQ(j[0].value("errorCode", ""), code);
}

TEST_F(FaultsTest, Http503ForTheNextTwoMatchingRequestsOnly) {
  AccessToken();
  Inject(EndpointKind::kQuery, FaultKind::kHttp503, 2);
  HttpResult const first = SimpleQuery();
  ExpectError(first, 503, "SERVER_UNAVAILABLE");
  EXPECT_FALSE(first.Header("sforce-limit-info").empty());
  ExpectError(SimpleQuery(), 503, "SERVER_UNAVAILABLE");
  EXPECT_EQ(SimpleQuery().status, 200);
  EXPECT_TRUE(emulator_->PendingFaults().empty());
}

TEST_F(FaultsTest, Http500IsUnknownException) {
  AccessToken();
  Inject(EndpointKind::kAny, FaultKind::kHttp500);
  ExpectError(Rest("GET", "/limits/"), 500, "UNKNOWN_EXCEPTION");
  EXPECT_EQ(Rest("GET", "/limits/").status, 200);
}

TEST_F(FaultsTest, FaultsOnlyHitTheirEndpoint) {
  AccessToken();
  Inject(EndpointKind::kSObject, FaultKind::kUnableToLockRow);
  EXPECT_EQ(SimpleQuery().status, 200);
  HttpResult const r =
      Rest("PATCH", "/sobjects/Account/" + std::string(kInstaller), {{"Phone", "1"}});
  ExpectError(r, 400, "UNABLE_TO_LOCK_ROW");
  EXPECT_EQ(Rest("PATCH", "/sobjects/Account/" + std::string(kInstaller), {{"Phone", "1"}}).status,
            204);
}

TEST_F(FaultsTest, TokenExpiryRevokesTheTokenUntilTheClientReauthenticates) {
  std::string const old = AccessToken();
  Inject(EndpointKind::kQuery, FaultKind::kTokenExpired);
  ExpectError(SimpleQuery(), 401, "INVALID_SESSION_ID");
  ExpectError(Rest("GET", "/limits/"), 401, "INVALID_SESSION_ID");  // still revoked
  token_.clear();
  EXPECT_NE(AccessToken(), old);
  EXPECT_EQ(SimpleQuery().status, 200);
}

TEST_F(FaultsTest, RequestLimitExceededIs403) {
  AccessToken();
  Inject(EndpointKind::kCollections, FaultKind::kRequestLimitExceeded);
  HttpResult const r = Rest("POST", "/composite/sobjects",
                            {{"records", json::array({{{"attributes", {{"type", "Task"}}}}})}});
  ExpectError(r, 403, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_TRUE(emulator_->Records("Task").empty());
}

TEST_F(FaultsTest, MalformedBodyIsA200WithTruncatedJson) {
  AccessToken();
  Inject(EndpointKind::kQuery, FaultKind::kMalformedBody);
  HttpResult const r = SimpleQuery();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.transport_error.empty()) << r.transport_error;
  EXPECT_FALSE(r.body.empty());
  EXPECT_TRUE(r.Json().is_discarded()) << r.body;
}

TEST_F(FaultsTest, GarbledBodyIsValidJsonOfTheWrongShapeAfterTheWriteWasApplied) {
  AccessToken();
  Inject(EndpointKind::kQuery, FaultKind::kGarbledBody);
  HttpResult const page = SimpleQuery();
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(page.Json().is_array()) << page.body;  // a query page is an object
  Inject(EndpointKind::kCollections, FaultKind::kGarbledBody);
  json const task = {{"attributes", {{"type", "Task"}}}, {"Subject", "written"}};
  HttpResult const r = Rest("POST", "/composite/sobjects", {{"records", json::array({task})}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Json().is_object()) << r.body;  // collection results are an array
  EXPECT_EQ(emulator_->Records("Task").size(), 1U);
}

TEST_F(FaultsTest, AFaultArmedAfterNRequestsLetsThoseThrough) {
  AccessToken();
  FaultSpec spec;
  spec.endpoint = EndpointKind::kQuery;
  spec.kind = FaultKind::kRequestLimitExceeded;
  spec.after = 2;
  emulator_->InjectFault(spec);
  EXPECT_EQ(Rest("GET", "/limits").status, 200);  // another endpoint does not count
  EXPECT_EQ(SimpleQuery().status, 200);
  EXPECT_EQ(emulator_->PendingFaults().at(0).after, 1);
  EXPECT_EQ(SimpleQuery().status, 200);
  ExpectError(SimpleQuery(), 403, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(SimpleQuery().status, 200);
  EXPECT_EQ(emulator_->FaultHits(),
            (std::map<std::string, std::int64_t>{{"request_limit_exceeded", 1}}));
  EXPECT_EQ(
      http_->Send("GET", "/__sandbox/counters").Json().at("faults").at("request_limit_exceeded"),
      1);
  HttpResult const armed =
      http_->Send("POST", "/__sandbox/faults", json{{"kind", "http_503"}, {"after", 1}}.dump());
  ASSERT_EQ(armed.status, 200) << armed.body;
  EXPECT_EQ(armed.Json().at("pending").at(0).at("after"), 1);
  EXPECT_EQ(
      http_->Send("POST", "/__sandbox/faults", json{{"kind", "http_503"}, {"after", -1}}.dump())
          .status,
      400);
}

TEST_F(FaultsTest, DroppedConnectionFailsTheTransferAfterTheWriteWasApplied) {
  AccessToken();
  Inject(EndpointKind::kSObject, FaultKind::kDropConnection);
  HttpResult const r =
      Rest("PATCH", "/sobjects/Task/Casebridge_Key__c/drop-1", {{"Subject", "written"}});
  EXPECT_FALSE(r.transport_error.empty()) << "status " << r.status << " body " << r.body;
  // The emulator applied the upsert before the connection broke; a retry is an update.
  ASSERT_EQ(emulator_->Records("Task").size(), 1U);
  HttpResult const retry =
      Rest("PATCH", "/sobjects/Task/Casebridge_Key__c/drop-1", {{"Subject", "written"}});
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.Json().at("created"), false);
}

TEST_F(FaultsTest, LatencyDelaysTheResponse) {
  AccessToken();
  Inject(EndpointKind::kQuery, FaultKind::kLatency, 1, 1.0, milliseconds(300));
  auto const start = std::chrono::steady_clock::now();
  EXPECT_EQ(SimpleQuery().status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(300));
}

TEST_F(FaultsTest, TokenEndpointFaultsUseTheOAuthErrorShape) {
  Inject(EndpointKind::kToken, FaultKind::kHttp503);
  HttpResult const r = Token({{"grant_type", "client_credentials"},
                              {"client_id", kClientId},
                              {"client_secret", kClientSecret}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Json().value("error", ""), "temporarily_unavailable");
}

TEST_F(FaultsTest, ProbabilisticFaultsAreReproducibleWithTheSeed) {
  auto pattern = [&](std::uint64_t seed) {
    SalesforceEmulatorOptions options;
    options.fault_seed = seed;
    options.clock = clock_;
    ConnectedAppOptions app;
    app.client_id = kClientId;
    app.client_secret = kClientSecret;
    app.client_credentials_username = "integration@example.test";
    options.apps.push_back(app);
    SalesforceEmulator emulator(options);
    EXPECT_TRUE(emulator.SeedFromJson(SmallOrgSeed(1)).ok());
    EXPECT_TRUE(emulator.Start().ok());
    FaultSpec spec;
    spec.endpoint = EndpointKind::kLimits;
    spec.kind = FaultKind::kHttp503;
    spec.count = 0;  // unlimited
    spec.probability = 0.5;
    emulator.InjectFault(spec);
    TestHttp http(emulator.base_url());
    HttpResult const token = http.Send("POST", "/services/oauth2/token",
                                       FormBody({{"grant_type", "client_credentials"},
                                                 {"client_id", kClientId},
                                                 {"client_secret", kClientSecret}}),
                                       {}, "application/x-www-form-urlencoded");
    std::string const bearer = "Bearer " + token.Json().value("access_token", "");
    std::string out;
    for (int i = 0; i < 30; ++i) {
      out +=
          http.Send("GET", "/services/data/v62.0/limits", "", {{"Authorization", bearer}}).status ==
                  503
              ? 'x'
              : '.';
    }
    emulator.Stop();
    return out;
  };
  std::string const a = pattern(7);
  EXPECT_EQ(a, pattern(7));
  EXPECT_NE(a.find('x'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
}

TEST_F(FaultsTest, FaultsCanBeArmedOverHttp) {
  AccessToken();
  HttpResult const armed = http_->Send(
      "POST", "/__sandbox/faults",
      json{{"faults", json::array({{{"endpoint", "query"}, {"kind", "http_503"}, {"count", 1}},
                                   {{"endpoint", "sobject"}, {"kind", "unable_to_lock_row"}}})}}
          .dump());
  ASSERT_EQ(armed.status, 200) << armed.body;
  EXPECT_EQ(armed.Json().at("pending").size(), 2U);
  ExpectError(SimpleQuery(), 503, "SERVER_UNAVAILABLE");
  HttpResult const bad = http_->Send("POST", "/__sandbox/faults", json{{"kind", "explode"}}.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(http_->Send("DELETE", "/__sandbox/faults").status, 200);
  EXPECT_TRUE(emulator_->PendingFaults().empty());
}

// One fault document for both emulators, with the Forge copy's stricter checks (issue 11 item 5).
TEST_F(FaultsTest, TheFaultDocumentRefusesUnknownMembersAndUnboundedCounts) {
  auto refused = [&](json const& spec) {
    HttpResult const r = http_->Send("POST", "/__sandbox/faults", spec.dump());
    EXPECT_EQ(r.status, 400) << spec.dump() << " " << r.body;
    return r.Json().value("error", "");
  };
  EXPECT_NE(refused({{"kind", "http_503"}, {"colour", "red"}}).find("unknown member 'colour'"),
            std::string::npos);
  EXPECT_NE(refused({{"kind", "http_503"}, {"count", 2000000}}).find("at most 1000000"),
            std::string::npos);
  EXPECT_NE(refused({{"kind", "http_503"}, {"count", 0}}).find("probability below 1"),
            std::string::npos);
  EXPECT_NE(refused({{"kind", "http_503"}, {"endpoint", "tickets"}}).find("unknown endpoint"),
            std::string::npos);
  EXPECT_TRUE(emulator_->PendingFaults().empty());
  HttpResult const latency =
      http_->Send("POST", "/__sandbox/faults",
                  json{{"kind", "latency"}, {"count", 0}, {"latency_ms", 1}}.dump());
  EXPECT_EQ(latency.status, 200) << latency.body;
}

TEST_F(FaultsTest, SandboxEndpointsExposeStateSeedAndCounters) {
  AccessToken();
  SimpleQuery();
  HttpResult const seeded =
      http_->Send("POST", "/__sandbox/seed",
                  json{{"Case", json::array({{{"Subject", "seeded over HTTP"}}})}}.dump());
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  HttpResult const state = http_->Send("GET", "/__sandbox/state/Case");
  ASSERT_EQ(state.status, 200);
  EXPECT_EQ(state.Json().size(), 4U);
  EXPECT_EQ(state.Json().back().at("Subject"), "seeded over HTTP");
  HttpResult const counters = http_->Send("GET", "/__sandbox/counters");
  ASSERT_EQ(counters.status, 200);
  EXPECT_EQ(counters.Json().at("requests").at("query"), 1);
  EXPECT_EQ(counters.Json().at("requests").at("token"), 1);
  EXPECT_EQ(counters.Json().at("api_usage"), 1);
  HttpResult const bad_seed =
      http_->Send("POST", "/__sandbox/seed", json{{"Case", json::array({{{"Nope", 1}}})}}.dump());
  EXPECT_EQ(bad_seed.status, 400);
  EXPECT_NE(bad_seed.Json().value("error", "").find("Case[0]"), std::string::npos);
  HttpResult const usage =
      http_->Send("PUT", "/__sandbox/api-usage", json{{"used", 100000}}.dump());
  EXPECT_EQ(usage.status, 200);
  ExpectError(SimpleQuery(), 403, "REQUEST_LIMIT_EXCEEDED");
}

}  // namespace
}  // namespace casebridge::sandbox::testing
