#include <gtest/gtest.h>

#include "connector/salesforce/client.h"
#include "tests/support/fake_transport.h"
#include "tests/unit/salesforce/salesforce_test_util.h"

namespace casebridge::salesforce {
namespace {

using test::CasePage;
using test::MakeTestClient;
using test::SalesforceError;

std::string const kSoql = "SELECT Id, CaseNumber FROM Case WHERE Subject = 'x\\'y'";
std::string const kQueryUrl =
    std::string(test::kInstance) + "/services/data/v62.0/query?q=" + http::UrlEncode(kSoql);
std::string const kPage2 = "/services/data/v62.0/query/01gD0000002HU6KIAW-2000";
std::string const kPage3 = "/services/data/v62.0/query/01gD0000002HU6KIAW-4000";

// Collects the CaseNumber of every record, page by page.
struct Collector {
  std::vector<std::string> case_numbers;
  std::vector<int> pages;
  Status operator()(QueryPage const& page) {
    pages.push_back(page.page_number);
    for (auto raw : page.records) {
      auto flat = FlattenRecord(raw);
      if (!flat.ok()) return flat.status();
      case_numbers.push_back(FindField(*flat, "CaseNumber").value_or("?"));
    }
    return OkStatus();
  }
};

TEST(ClientQuery, PagesThroughNextRecordsUrlUntilDone) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, CasePage(0, 3, 8, kPage2));
  t.transport->Enqueue(200, CasePage(3, 3, 8, kPage3));
  t.transport->Enqueue(200, CasePage(6, 2, 8, std::nullopt));
  Collector c;
  auto s = t.client.Query(kSoql, std::ref(c));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.case_numbers, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7"}));
  EXPECT_EQ(c.pages, (std::vector<int>{1, 2, 3}));
  auto const reqs = t.transport->requests();
  ASSERT_EQ(reqs.size(), 3U);
  EXPECT_EQ(reqs[0].url, kQueryUrl);
  EXPECT_EQ(reqs[1].url, std::string(test::kInstance) + kPage2);
  EXPECT_EQ(reqs[2].url, std::string(test::kInstance) + kPage3);
  for (auto const& r : reqs) {
    EXPECT_EQ(r.method, http::Method::kGet);
    EXPECT_EQ(r.headers.Get("Authorization").value_or(""), "Bearer tok-1");
    EXPECT_EQ(r.headers.Get("Sforce-Query-Options").value_or(""), "batchSize=2000");
  }
  EXPECT_EQ(t.client.calls().query, 3);
  EXPECT_EQ(t.tokens->fetches(), 1);
}

TEST(ClientQuery, QueryAllUsesTheQueryAllResourceAndBatchSizeIsClamped) {
  ClientOptions options;
  options.query_batch_size = 50;
  auto t = MakeTestClient(options);
  t.transport->Enqueue(200, CasePage(0, 1, 1, std::nullopt));
  ASSERT_TRUE(
      t.client.QueryAll("SELECT Id FROM Task", [](QueryPage const&) { return OkStatus(); }).ok());
  auto const r = t.transport->requests().at(0);
  EXPECT_NE(r.url.find("/services/data/v62.0/queryAll?q=SELECT%20Id%20FROM%20Task"),
            std::string::npos);
  EXPECT_EQ(r.headers.Get("Sforce-Query-Options").value_or(""), "batchSize=200");
}

TEST(ClientQuery, CallbackErrorStopsPaging) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, CasePage(0, 2, 4, kPage2));
  auto s = t.client.Query(
      kSoql, [](QueryPage const&) { return Status(StatusCode::kAborted, "caller stopped"); });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

TEST(ClientQuery, ExpiredTokenMidPagingReauthenticatesOnceAndReplaysThePage) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, CasePage(0, 2, 6, kPage2));
  t.transport->Enqueue(401, SalesforceError("INVALID_SESSION_ID", "Session expired or invalid"));
  t.transport->Enqueue(200, CasePage(2, 2, 6, kPage3));
  t.transport->Enqueue(200, CasePage(4, 2, 6, std::nullopt));
  Collector c;
  auto s = t.client.Query(kSoql, std::ref(c));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(c.case_numbers, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  EXPECT_EQ(t.tokens->fetches(), 2);  // the first token and exactly one re-auth
  auto const reqs = t.transport->requests();
  ASSERT_EQ(reqs.size(), 4U);
  EXPECT_EQ(reqs[1].url, reqs[2].url);  // page 2 replayed
  EXPECT_EQ(reqs[1].headers.Get("Authorization").value_or(""), "Bearer tok-1");
  EXPECT_EQ(reqs[2].headers.Get("Authorization").value_or(""), "Bearer tok-2");
  EXPECT_EQ(reqs[3].headers.Get("Authorization").value_or(""), "Bearer tok-2");
  EXPECT_TRUE(t.sleeper.delays().empty());
}

TEST(ClientQuery, SecondUnauthorizedIsAnAuthenticationErrorNotALoop) {
  auto t = MakeTestClient();
  t.transport->Enqueue(401, SalesforceError("INVALID_SESSION_ID", "Session expired or invalid"));
  t.transport->Enqueue(401, SalesforceError("INVALID_SESSION_ID", "Session expired or invalid"));
  t.transport->Enqueue(200, CasePage(0, 1, 1, std::nullopt));  // must never be requested
  auto s = t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s;
  EXPECT_EQ(s.info().vendor_code, "INVALID_SESSION_ID");
  EXPECT_EQ(t.transport->request_count(), 2U);
  EXPECT_EQ(t.tokens->fetches(), 2);
  EXPECT_TRUE(t.sleeper.delays().empty());
}

TEST(ClientQuery, RetriesOn503ThenSucceedsWithBackoffDelays) {
  auto t = MakeTestClient();
  t.transport->Enqueue(503, SalesforceError("SERVER_UNAVAILABLE", "busy"));
  t.transport->Enqueue(503, "");
  t.transport->Enqueue(200, CasePage(0, 1, 1, std::nullopt));
  ASSERT_TRUE(t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); }).ok());
  EXPECT_EQ(t.transport->request_count(), 3U);
  auto const d = t.sleeper.delays();
  ASSERT_EQ(d.size(), 2U);
  // Exponential with full jitter in [cap/2, cap]: cap 500 ms, then 1000 ms.
  EXPECT_GE(d[0].count(), 250);
  EXPECT_LE(d[0].count(), 500);
  EXPECT_GE(d[1].count(), 500);
  EXPECT_LE(d[1].count(), 1000);
}

TEST(ClientQuery, GivesUpAfterMaxAttemptsWithUnavailable) {
  ClientOptions options;
  options.connection.retry.max_attempts = 3;
  auto t = MakeTestClient(options);
  for (int i = 0; i < 5; ++i) t.transport->Enqueue(500, "");
  auto s = t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.transport->request_count(), 3U);
  EXPECT_EQ(t.sleeper.delays().size(), 2U);
}

TEST(ClientQuery, RetryAfterHeaderFloorsTheDelay) {
  auto t = MakeTestClient();
  t.transport->Enqueue(503, "", {{"Retry-After", "9"}});
  t.transport->Enqueue(200, CasePage(0, 1, 1, std::nullopt));
  ASSERT_TRUE(t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); }).ok());
  ASSERT_EQ(t.sleeper.delays().size(), 1U);
  EXPECT_EQ(t.sleeper.delays()[0], std::chrono::seconds(9));
}

TEST(ClientQuery, DroppedConnectionIsRetried) {
  auto t = MakeTestClient();
  t.transport->EnqueueError(UnavailableError("no response (connection reset): GET /q"));
  t.transport->Enqueue(200, CasePage(0, 2, 2, std::nullopt));
  Collector c;
  ASSERT_TRUE(t.client.Query(kSoql, std::ref(c)).ok());
  EXPECT_EQ(c.case_numbers.size(), 2U);
  EXPECT_EQ(t.transport->request_count(), 2U);
  EXPECT_EQ(t.sleeper.delays().size(), 1U);
}

TEST(ClientQuery, TimeoutIsRetried) {
  auto t = MakeTestClient();
  t.transport->EnqueueError(Status(StatusCode::kDeadlineExceeded, "timed out: GET /q"));
  t.transport->Enqueue(200, CasePage(0, 1, 1, std::nullopt));
  EXPECT_TRUE(t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); }).ok());
  EXPECT_EQ(t.transport->request_count(), 2U);
}

TEST(ClientQuery, RequestLimitExceededIsResourceExhaustedWithoutRetry) {
  auto t = MakeTestClient();
  t.transport->Enqueue(403,
                       SalesforceError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
  t.transport->Enqueue(200, CasePage(0, 1, 1, std::nullopt));
  auto s = t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s;
  EXPECT_EQ(s.info().vendor_code, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(t.transport->request_count(), 1U);
  EXPECT_TRUE(t.sleeper.delays().empty());
  // The client refuses further calls without sending them.
  auto again = t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(again.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

TEST(ClientQuery, BudgetGuardStopsBeforeSendingOnceTheShareIsUsed) {
  ClientOptions options;
  options.budget_share = 0.5;
  auto t = MakeTestClient(options);
  t.transport->Enqueue(200, CasePage(0, 2, 6, kPage2), test::LimitInfo(2499, 5000));
  t.transport->Enqueue(200, CasePage(2, 2, 6, kPage3), test::LimitInfo(2500, 5000));
  t.transport->Enqueue(200, CasePage(4, 2, 6, std::nullopt));  // never requested
  Collector c;
  auto s = t.client.Query(kSoql, std::ref(c));
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s;
  EXPECT_EQ(c.case_numbers.size(), 4U);  // the pages read before the guard tripped
  EXPECT_EQ(t.transport->request_count(), 2U);
  ASSERT_TRUE(t.client.api_usage().has_value());
  EXPECT_EQ(t.client.api_usage()->used, 2500);
  EXPECT_EQ(t.client.CheckBudget().code(), StatusCode::kResourceExhausted);
}

TEST(ClientQuery, MalformedBodyIsAClearErrorNamingTheEndpoint) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, R"({"totalSize":3,"done":true,"records":[{"Id":"500A"},{"Id":)");
  auto s = t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s;
  EXPECT_NE(s.message().find("GET /services/data/v62.0/query"), std::string::npos) << s;
  EXPECT_NE(s.message().find("malformed response body"), std::string::npos) << s;
  EXPECT_EQ(s.message().find("SELECT"), std::string::npos) << "no SOQL in messages: " << s;
  EXPECT_EQ(t.transport->request_count(), 1U);  // a 200 with garbage is not retried
}

TEST(ClientQuery, NonJsonAndWrongShapesAreMalformed) {
  for (std::string const body :
       {"<html>maintenance</html>", "[]", R"({"totalSize":1,"done":false,"records":[]})",
        R"({"totalSize":1,"done":true,"records":[1]})", R"({"done":true})",
        R"({"totalSize":0,"done":true,"records":[]} trailing)"}) {
    auto t = MakeTestClient();
    t.transport->Enqueue(200, body);
    auto s = t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); });
    EXPECT_EQ(s.code(), StatusCode::kInternal) << body;
  }
}

TEST(ClientQuery, MalformedQueryIsInvalidArgument) {
  auto t = MakeTestClient();
  t.transport->Enqueue(400, SalesforceError("MALFORMED_QUERY", "unexpected token: FORM"));
  auto s = t.client.Query("SELECT Id FORM Case", [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

TEST(ClientQuery, NextRecordsUrlOutsideTheDataApiIsRefused) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, CasePage(0, 1, 2, std::string("https://evil.example/steal")));
  auto s = t.client.Query(kSoql, [](QueryPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

TEST(ClientQuery, CountReadsTotalSizeInOneCall) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, R"({"totalSize":12345,"done":true,"records":[]})");
  auto n = t.client.Count("SELECT COUNT() FROM Case");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 12345);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

TEST(ClientQuery, FlattenRecordGivesDottedPathsAndNulls) {
  auto flat = FlattenRecord(
      R"({"attributes":{"type":"Case"},"Id":"500A","IsEscalated":false,"Amount__c":12.5,)"
      R"("Owner":{"attributes":{"type":"User"},"Name":"Ann \"A\""},"ParentId":null,)"
      R"("Tasks":{"totalSize":1,"done":true,"records":[{"Id":"00T1"}]}})");
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(FindField(*flat, "Id"), "500A");
  EXPECT_EQ(FindField(*flat, "IsEscalated"), "false");
  EXPECT_EQ(FindField(*flat, "Amount__c"), "12.5");
  EXPECT_EQ(FindField(*flat, "Owner.Name"), "Ann \"A\"");
  EXPECT_FALSE(FindField(*flat, "ParentId").has_value());
  EXPECT_NE(FindField(*flat, "Tasks").value_or("").find("00T1"), std::string::npos);
  EXPECT_EQ((*flat)[0].name, "Id");  // document order
}

TEST(ClientGetRecord, ReturnsRawJsonAndMaps404) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, R"({"attributes":{"type":"Case"},"Id":"500A","Status":"New"})");
  t.transport->Enqueue(404, SalesforceError("NOT_FOUND", "The requested resource does not exist"));
  auto rec = t.client.GetRecord("Case", "500A", {"Id", "Status"});
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_NE(rec->find("\"Status\":\"New\""), std::string::npos);
  EXPECT_EQ(
      t.transport->requests()[0].url,
      std::string(test::kInstance) + "/services/data/v62.0/sobjects/Case/500A?fields=Id%2CStatus");
  EXPECT_EQ(t.client.GetRecord("Case", "500B", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.client.GetRecord("Case", "../x", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.transport->request_count(), 2U);
}

TEST(ClientIdentity, ReadsOrgUserAndInstanceFromTheIdentityUrl) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200,
                       R"({"id":"x","organization_id":"00D000000000001AAA",)"
                       R"("user_id":"005000000000001AAA","username":"integration@solar.example",)"
                       R"("display_name":"Integration"})");
  auto id = t.client.GetIdentity();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->organization_id, "00D000000000001AAA");
  EXPECT_EQ(id->username, "integration@solar.example");
  EXPECT_EQ(id->instance_url, test::kInstance);
  auto const req = t.transport->requests().at(0);
  EXPECT_EQ(req.url, test::kIdentity);
  EXPECT_EQ(req.headers.Get("Authorization").value_or(""), "Bearer tok-1");
  EXPECT_EQ(t.client.calls().auth, 1);
}

TEST(ClientIdentity, BadOAuthTokenFromTheIdentityUrlReauthenticatesOnce) {
  auto t = MakeTestClient();
  t.transport->Enqueue(403, "Bad_OAuth_Token");
  t.transport->Enqueue(200,
                       R"({"organization_id":"00D1","user_id":"0051","username":"u@x.example"})");
  auto id = t.client.GetIdentity();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(t.tokens->fetches(), 2);
  EXPECT_EQ(t.transport->request_count(), 2U);
}

TEST(ClientIdentity, IncompleteIdentityIsMalformed) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, R"({"user_id":"0051"})");
  EXPECT_EQ(t.client.GetIdentity().status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace casebridge::salesforce
