// The Forge emulator's state and request handling (connector/sandbox/forge_service.h), without
// HTTP: login and bearer checks, expiring tokens, keyset paging, idempotent creates, validation,
// rate limiting, injected faults and seeding.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "connector/sandbox/fault_injector.h"
#include "connector/sandbox/forge_emulator.h"
#include "connector/sandbox/forge_service.h"
#include "tests/support/fake_transport.h"

namespace casebridge::sandbox {
namespace {

using nlohmann::json;

class ForgeServiceTest : public ::testing::Test {
 protected:
  ForgeServiceTest() : service_(Options()) {}

  ForgeEmulatorOptions Options() {
    ForgeEmulatorOptions o;
    o.clock = clock_;
    o.token_lifetime = std::chrono::minutes(30);
    return o;
  }

  static ApiRequest Request(std::string method, std::string const& target, std::string body = {},
                            std::string const& token = {}) {
    ApiRequest r;
    r.method = std::move(method);
    EXPECT_TRUE(SetTarget(r, target));
    r.body = std::move(body);
    if (!r.body.empty()) r.headers["content-type"] = "application/json";
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return r;
  }

  static json Body(ApiResponse const& r) { return json::parse(r.body, nullptr, false); }

  std::string Login() {
    auto r = service_.Handle(
        Request("POST", "/api/auth/login",
                R"({"email":"integration@forge.sandbox","password":"forge-sandbox-password"})"));
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r).at("token").get<std::string>();
  }

  void SeedTickets(int n) {
    json tickets = json::array();
    for (int i = 0; i < n; ++i) {
      std::string const id = (i < 10 ? "T0" : "T") + std::to_string(i);
      tickets.push_back({{"id", id},
                         {"number", "F-" + id},
                         {"escalation_tier", 1 + i % 4},
                         {"customer_id", i % 2 == 0 ? "C-even" : "C-odd"},
                         {"created_at", "2026-03-02T14:00:00Z"},
                         // Several share an updated_at: the cursor must still be exact.
                         {"updated_at", "2026-03-02T15:0" + std::to_string(i / 3) + ":00Z"}});
    }
    ASSERT_TRUE(service_.Seed({{"tickets", tickets}}).ok());
  }

  std::shared_ptr<testing_util::SettableClock> clock_ =
      std::make_shared<testing_util::SettableClock>(*ParseInstant("2026-03-02T16:00:00Z"));
  ForgeService service_;
};

TEST_F(ForgeServiceTest, LoginWithTheConfiguredUserReturnsABearerToken) {
  auto r = service_.Handle(
      Request("POST", "/api/auth/login",
              R"({"email":"Integration@Forge.Sandbox","password":"forge-sandbox-password"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto const body = Body(r);
  EXPECT_FALSE(body.at("token").get<std::string>().empty());
  EXPECT_EQ(body.at("token_type"), "Bearer");
  EXPECT_EQ(body.at("expires_in"), 1800);
  EXPECT_EQ(body.at("user").at("id"), "u-integration");
  EXPECT_TRUE(r.Header("X-Request-Id").has_value());
  EXPECT_EQ(service_.logins(), 1);
}

TEST_F(ForgeServiceTest, AWrongPasswordIs401WithoutEchoingIt) {
  auto r = service_.Handle(Request(
      "POST", "/api/auth/login", R"({"email":"integration@forge.sandbox","password":"guess-1"})"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r).at("error").at("code"), "invalid_credentials");
  EXPECT_EQ(r.body.find("guess-1"), std::string::npos);
  EXPECT_EQ(service_.logins(), 0);
}

TEST_F(ForgeServiceTest, LoginNeedsJsonWithBothFields) {
  auto r = service_.Handle(Request("POST", "/api/auth/login", R"({"email":"x@y.z"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r).at("error").at("field"), "password");
  auto form = Request("POST", "/api/auth/login", "email=a&password=b");
  form.headers["content-type"] = "application/x-www-form-urlencoded";
  EXPECT_EQ(service_.Handle(form).status, 415);
}

TEST_F(ForgeServiceTest, ApiCallsNeedAValidBearerToken) {
  auto r = service_.Handle(Request("GET", "/api/v1/tickets"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r).at("error").at("code"), "unauthorized");
  r = service_.Handle(Request("GET", "/api/v1/tickets", {}, "made-up"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(service_.Handle(Request("GET", "/api/v1/tickets", {}, Login())).status, 200);
}

TEST_F(ForgeServiceTest, TokensExpireAfterTheirLifetime) {
  auto const token = Login();
  clock_->Advance(std::chrono::minutes(29));
  EXPECT_EQ(service_.Handle(Request("GET", "/api/v1/me", {}, token)).status, 200);
  clock_->Advance(std::chrono::minutes(1));
  auto r = service_.Handle(Request("GET", "/api/v1/me", {}, token));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r).at("error").at("code"), "token_expired");
}

TEST_F(ForgeServiceTest, ExpireAllTokensRevokesEveryIssuedToken) {
  auto const token = Login();
  service_.ExpireAllTokens();
  EXPECT_EQ(service_.Handle(Request("GET", "/api/v1/me", {}, token)).status, 401);
  EXPECT_EQ(service_.Handle(Request("GET", "/api/v1/me", {}, Login())).status, 200);
}

TEST_F(ForgeServiceTest, ListsPageWithAStableCursorEvenWhenTimestampsTie) {
  SeedTickets(11);
  auto const token = Login();
  std::vector<std::string> ids;
  std::string cursor;
  int pages = 0;
  do {
    std::string target = "/api/v1/tickets?limit=4";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto r = service_.Handle(Request("GET", target, {}, token));
    ASSERT_EQ(r.status, 200) << r.body;
    auto const page = Body(r);
    EXPECT_LE(page.at("data").size(), 4U);
    for (auto const& t : page.at("data")) ids.push_back(t.at("id"));
    cursor = page.at("next_cursor").is_null() ? "" : page.at("next_cursor").get<std::string>();
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(ids.size(), 11U);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 11U);
  EXPECT_EQ(ids.front(), "T00");
  EXPECT_EQ(ids.back(), "T10");
}

TEST_F(ForgeServiceTest, ListsFilterByUpdatedSinceInclusiveAndByField) {
  SeedTickets(9);
  auto const token = Login();
  auto r = service_.Handle(Request(
      "GET", "/api/v1/tickets?updated_since=2026-03-02T15:02:00Z&customer_id=C-even", {}, token));
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> ids;
  auto const page = Body(r);
  for (auto const& t : page.at("data")) ids.push_back(t.at("id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"T06", "T08"})) << r.body;
}

// The list index is built by the first list and kept current by creates: a record created
// while a client pages is listed in its place, once.
TEST_F(ForgeServiceTest, ARecordCreatedBetweenListPagesIsListedInItsPlace) {
  SeedTickets(3);
  auto const token = Login();
  auto create = [&](std::string const& occurred_at) {
    auto r = service_.Handle(Request("POST", "/api/v1/interactions",
                                     R"({"ticket_id":"T00","kind":"note","direction":"internal",
                                         "party":"internal","occurred_at":")" +
                                         occurred_at + R"("})",
                                     token));
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).at("id").get<std::string>();
  };
  std::string const first = create("2026-03-02T10:00:00Z");
  clock_->Set(*ParseInstant("2026-03-02T16:05:00Z"));
  std::string const second = create("2026-03-02T10:05:00Z");
  auto page = Body(service_.Handle(Request("GET", "/api/v1/interactions?limit=1", {}, token)));
  ASSERT_EQ(page.at("data").size(), 1U);
  EXPECT_EQ(page.at("data")[0].at("id"), first);
  clock_->Set(*ParseInstant("2026-03-02T16:10:00Z"));
  std::string const third = create("2026-03-02T10:10:00Z");
  std::vector<std::string> rest;
  std::string cursor = page.at("next_cursor").get<std::string>();
  while (!cursor.empty()) {
    page = Body(service_.Handle(
        Request("GET", "/api/v1/interactions?limit=1&cursor=" + cursor, {}, token)));
    for (auto const& i : page.at("data")) rest.push_back(i.at("id"));
    cursor = page.at("next_cursor").is_null() ? "" : page.at("next_cursor").get<std::string>();
  }
  EXPECT_EQ(rest, (std::vector<std::string>{second, third}));
  page = Body(service_.Handle(
      Request("GET", "/api/v1/interactions?updated_since=2026-03-02T16:05:00Z", {}, token)));
  ASSERT_EQ(page.at("data").size(), 2U);
  EXPECT_EQ(page.at("data")[1].at("id"), third);
}

TEST_F(ForgeServiceTest, BadListParametersAre400NamingTheParameter) {
  auto const token = Login();
  for (auto const& [target, field] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/tickets?limit=0", "limit"},
           {"/api/v1/tickets?limit=201", "limit"},
           {"/api/v1/tickets?updated_since=yesterday", "updated_since"},
           {"/api/v1/tickets?cursor=zz", "cursor"},
           {"/api/v1/tickets?status=waiting", "status"},
           {"/api/v1/tasks?status=open", "status"}}) {
    auto r = service_.Handle(Request("GET", target, {}, token));
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(Body(r).at("error").at("field"), field) << target;
  }
}

TEST_F(ForgeServiceTest, GetTicketIs404ForAnUnknownId) {
  SeedTickets(1);
  auto const token = Login();
  EXPECT_EQ(service_.Handle(Request("GET", "/api/v1/tickets/T00", {}, token)).status, 200);
  auto r = service_.Handle(Request("GET", "/api/v1/tickets/T99", {}, token));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r).at("error").at("code"), "not_found");
}

TEST_F(ForgeServiceTest, AnIdempotencyKeyUsedTwiceCreatesOneInteraction) {
  SeedTickets(1);
  auto const token = Login();
  auto make = [&] {
    auto req = Request("POST", "/api/v1/interactions",
                       R"({"ticket_id":"T00","kind":"email","direction":"outbound",
                           "party":"customer","occurred_at":"2026-03-02T10:00:00-05:00"})",
                       token);
    req.headers["idempotency-key"] = "500A:forge_document:1";
    return service_.Handle(req);
  };
  auto first = make();
  ASSERT_EQ(first.status, 201) << first.body;
  auto const created = Body(first);
  EXPECT_EQ(created.at("customer_id"), "C-even");  // inherited from the ticket
  EXPECT_EQ(created.at("occurred_at"), "2026-03-02T15:00:00Z");
  EXPECT_EQ(created.at("external_key"), "500A:forge_document:1");
  EXPECT_EQ(created.at("tags"), json::array());
  auto second = make();
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(Body(second).at("id"), created.at("id"));
  EXPECT_EQ(service_.Records("interactions").size(), 1U);
}

TEST_F(ForgeServiceTest, CreatesAreValidatedAgainstTheDocument) {
  SeedTickets(1);
  auto const token = Login();
  struct Case {
    std::string path;
    std::string body;
    std::string field;
  };
  for (auto const& c : std::vector<Case>{
           {"/api/v1/interactions", R"({"kind":"fax","direction":"inbound","ticket_id":"T00",
                                        "occurred_at":"2026-03-02T10:00:00Z"})",
            "kind"},
           {"/api/v1/interactions",
            R"({"kind":"note","direction":"internal","occurred_at":"2026-03-02T10:00:00Z"})",
            "ticket_id"},
           {"/api/v1/interactions", R"({"kind":"note","direction":"internal","ticket_id":"T77",
                                        "occurred_at":"2026-03-02T10:00:00Z"})",
            "ticket_id"},
           {"/api/v1/interactions", R"({"kind":"note","direction":"internal","ticket_id":"T00",
                                        "occurred_at":"2026-03-02T10:00:00Z","colour":"red"})",
            "colour"},
           {"/api/v1/service-tickets", R"({"customer_id":"C-1","summary":""})", "summary"},
           {"/api/v1/tasks", R"({"title":"x","assigned_to":"nobody"})", "assigned_to"},
           {"/api/v1/tasks", R"({"title":"x","assigned_to":"u-integration","status":"open"})",
            "status"}}) {
    auto r = service_.Handle(Request("POST", c.path, c.body, token));
    EXPECT_EQ(r.status, 422) << c.path << " " << c.body << " -> " << r.body;
    EXPECT_EQ(Body(r).at("error").at("code"), "validation_failed");
    EXPECT_EQ(Body(r).at("error").at("field"), c.field) << r.body;
  }
  EXPECT_TRUE(service_.Records("interactions").empty());
  EXPECT_EQ(service_.Handle(Request("POST", "/api/v1/tasks", "{not json", token)).status, 400);
}

TEST_F(ForgeServiceTest, TasksAreCreatedAsTodoAndFilteredByAssigneeAndStatus) {
  auto const token = Login();
  auto r = service_.Handle(Request(
      "POST", "/api/v1/tasks", R"({"title":"Call back","assigned_to":"u-integration"})", token));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r).at("status"), "todo");
  EXPECT_TRUE(Body(r).at("external_key").is_null());
  r = service_.Handle(
      Request("GET", "/api/v1/tasks?assigned_to=u-integration&status=todo", {}, token));
  EXPECT_EQ(Body(r).at("data").size(), 1U);
  r = service_.Handle(
      Request("GET", "/api/v1/tasks?assigned_to=u-integration&status=in-progress", {}, token));
  EXPECT_EQ(Body(r).at("data").size(), 0U);
}

TEST_F(ForgeServiceTest, RateLimitAnswers429WithRetryAfterUntilTheNextMinute) {
  ForgeEmulatorOptions o = Options();
  o.rate_limit_per_minute = 2;
  clock_->Set(*ParseInstant("2026-03-02T16:00:45Z"));
  ForgeService limited(o);
  auto login =
      Request("POST", "/api/auth/login",
              R"({"email":"integration@forge.sandbox","password":"forge-sandbox-password"})");
  EXPECT_EQ(limited.Handle(login).status, 200);
  EXPECT_EQ(limited.Handle(login).status, 200);
  auto r = limited.Handle(login);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Body(r).at("error").at("code"), "rate_limited");
  EXPECT_EQ(r.Header("Retry-After"), "15");
  clock_->Advance(std::chrono::seconds(15));
  EXPECT_EQ(limited.Handle(login).status, 200);
}

TEST_F(ForgeServiceTest, FaultResponsesUseTheDocumentedShapes) {
  auto const token = Login();
  ForgeFaultSpec spec;
  spec.kind = ForgeFaultKind::kRateLimited;
  spec.retry_after = std::chrono::seconds(3);
  auto r = service_.FaultResponse(Request("GET", "/api/v1/tickets", {}, token), spec);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "3");
  spec.kind = ForgeFaultKind::kTokenExpired;
  r = service_.FaultResponse(Request("GET", "/api/v1/tickets", {}, token), spec);
  EXPECT_EQ(r.status, 401);
  // The presented token is now expired for good.
  EXPECT_EQ(service_.Handle(Request("GET", "/api/v1/me", {}, token)).status, 401);
}

TEST_F(ForgeServiceTest, QuotaExceededIsTheDocumentedErrorShape) {
  std::string const token = Login();
  ForgeFaultSpec spec;
  spec.kind = ForgeFaultKind::kQuotaExceeded;
  auto const r = service_.FaultResponse(Request("GET", "/api/v1/tickets", {}, token), spec);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r).at("error").at("code"), "quota_exceeded");
  auto garbled = ForgeFaultSpecFromJson(json{{"kind", "garbled_body"}, {"after", 3}});
  ASSERT_TRUE(garbled.ok()) << garbled.status();
  EXPECT_EQ(garbled->kind, ForgeFaultKind::kGarbledBody);
  EXPECT_EQ(garbled->after, 3);
}

TEST(ForgeFaults, SpecsParseAndInvalidOnesAreRejected) {
  auto spec = ForgeFaultSpecFromJson(
      json{{"endpoint", "tickets"}, {"kind", "rate_limited"}, {"count", 2}, {"retry_after_s", 5}});
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->endpoint, ForgeEndpoint::kTickets);
  EXPECT_EQ(spec->kind, ForgeFaultKind::kRateLimited);
  EXPECT_EQ(spec->count, 2);
  EXPECT_EQ(spec->retry_after, std::chrono::seconds(5));
  EXPECT_EQ(ForgeFaultSpecToJson(*spec).at("endpoint"), "tickets");
  EXPECT_FALSE(ForgeFaultSpecFromJson(json{{"kind", "teapot"}}).ok());
  EXPECT_FALSE(ForgeFaultSpecFromJson(json{{"kind", "http_503"}, {"endpoint", "query"}}).ok());
  EXPECT_FALSE(ForgeFaultSpecFromJson(json{{"kind", "http_503"}, {"count", -1}}).ok());
  EXPECT_FALSE(ForgeFaultSpecFromJson(json{{"kind", "http_503"}, {"probability", 0}}).ok());
  EXPECT_FALSE(ForgeFaultSpecFromJson(json{{"kind", "http_503"}, {"colour", 1}}).ok());
}

TEST(ForgeFaults, CountedFaultsHitOnlyTheirEndpointAndRunOut) {
  ForgeFaultInjector faults;
  ForgeFaultSpec spec;
  spec.endpoint = ForgeEndpoint::kTasks;
  spec.kind = ForgeFaultKind::kHttp503;
  spec.count = 2;
  faults.Add(spec);
  EXPECT_FALSE(faults.Next(ForgeEndpoint::kTickets).fault.has_value());
  EXPECT_TRUE(faults.Next(ForgeEndpoint::kTasks).fault.has_value());
  EXPECT_EQ(faults.Pending().at(0).count, 1);
  EXPECT_TRUE(faults.Next(ForgeEndpoint::kTasks).fault.has_value());
  EXPECT_FALSE(faults.Next(ForgeEndpoint::kTasks).fault.has_value());
  EXPECT_TRUE(faults.Pending().empty());
}

TEST_F(ForgeServiceTest, SeedErrorsNameCollectionIndexAndFieldAndAddNothing) {
  auto s = service_.Seed(json::parse(R"({"tickets":[{"id":"A"},{"id":"B","escalation_tier":9}]})"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("tickets[1]"), std::string::npos) << s.message();
  EXPECT_EQ(s.info().field, "escalation_tier");
  EXPECT_TRUE(service_.Records("tickets").empty());
  s = service_.Seed(json::parse(R"({"interactions":[{"ticket_id":"nope","kind":"note",
      "direction":"internal","occurred_at":"2026-03-02T10:00:00Z"}]})"));
  EXPECT_EQ(s.info().field, "ticket_id");
  EXPECT_FALSE(service_.Seed(json::parse(R"({"customers":[]})")).ok());
}

TEST_F(ForgeServiceTest, TheDefaultSeedLoadsAndCoversEveryTier) {
  ASSERT_TRUE(service_.Seed(json::parse(DefaultForgeSeed())).ok());
  std::set<int> tiers;
  bool untriaged = false;
  for (auto const& t : service_.Records("tickets")) {
    if (t.at("escalation_tier").is_null()) {
      untriaged = true;
    } else {
      tiers.insert(t.at("escalation_tier").get<int>());
    }
  }
  EXPECT_EQ(tiers, (std::set<int>{1, 2, 3, 4}));
  EXPECT_TRUE(untriaged);
  for (auto const& u : service_.Records("users")) EXPECT_FALSE(u.contains("password"));
}

}  // namespace
}  // namespace casebridge::sandbox
