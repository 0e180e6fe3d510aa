#include "connector/salesforce/api_usage.h"

#include <gtest/gtest.h>

#include "tests/support/fake_transport.h"

namespace casebridge::salesforce {
namespace {

using http::Method;

TEST(LimitInfo, ParsesOrgUsageAndIgnoresPerAppUsage) {
  auto a = ParseLimitInfo("api-usage=18/5000");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->used, 18);
  EXPECT_EQ(a->limit, 5000);
  auto b = ParseLimitInfo("per-app-api-usage=17/250(appName=sample-app); api-usage=25/5000");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->used, 25);
  auto c = ParseLimitInfo("api-usage=7/100000; api-bursts=1/750");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->limit, 100000);
  EXPECT_FALSE(ParseLimitInfo("per-app-api-usage=17/250(appName=x)").has_value());
  EXPECT_FALSE(ParseLimitInfo("api-usage=abc").has_value());
  EXPECT_FALSE(ParseLimitInfo("api-usage=5/0").has_value());
  EXPECT_FALSE(ParseLimitInfo("").has_value());
}

TEST(ClassifyCall, ByPathAndMethod) {
  std::string const base = "https://acme.my.salesforce.com/services/data/v62.0";
  EXPECT_EQ(ClassifyCall(Method::kPost, "https://login.salesforce.com/services/oauth2/token"),
            CallKind::kAuth);
  EXPECT_EQ(ClassifyCall(Method::kGet, "https://login.salesforce.com/id/00D/005"), CallKind::kAuth);
  EXPECT_EQ(ClassifyCall(Method::kGet, base + "/query?q=SELECT"), CallKind::kQuery);
  EXPECT_EQ(ClassifyCall(Method::kGet, base + "/query/01gD0000002HU6KIAW-2000"), CallKind::kQuery);
  EXPECT_EQ(ClassifyCall(Method::kGet, base + "/queryAll?q=x"), CallKind::kQuery);
  EXPECT_EQ(ClassifyCall(Method::kGet, base + "/sobjects/Case/500A"), CallKind::kQuery);
  EXPECT_EQ(ClassifyCall(Method::kPatch, base + "/sobjects/Case/500A"), CallKind::kWrite);
  EXPECT_EQ(ClassifyCall(Method::kPost, base + "/composite/sobjects"), CallKind::kWrite);
  EXPECT_EQ(ClassifyCall(Method::kPatch, base + "/composite/sobjects/Task/Ext__c"),
            CallKind::kWrite);
  EXPECT_EQ(ClassifyCall(Method::kPost, base + "/composite"), CallKind::kWrite);
  EXPECT_EQ(ClassifyCall(Method::kPost, base + "/jobs/query"), CallKind::kBulk);
  EXPECT_EQ(ClassifyCall(Method::kGet, base + "/jobs/query/750A/results?locator=x"),
            CallKind::kBulk);
  EXPECT_EQ(ClassifyCall(Method::kGet, base + "/limits"), CallKind::kOther);
  EXPECT_EQ(ClassifyCall(Method::kGet, "/services/data/v62.0/query/01g-4000"), CallKind::kQuery);
}

TEST(ApiUsage, BudgetGuardTripsAtTheShareOfTheLimit) {
  ApiUsage usage(0.5);
  EXPECT_TRUE(usage.CheckBudget().ok());  // nothing observed yet
  usage.Observe({2499, 5000});
  EXPECT_TRUE(usage.CheckBudget().ok());
  usage.Observe({2500, 5000});
  auto const s = usage.CheckBudget();
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("2500 of 5000"), std::string::npos) << s;
  usage.set_budget_share(1.0);
  EXPECT_TRUE(usage.CheckBudget().ok());
  usage.MarkLimitExceeded();
  EXPECT_EQ(usage.CheckBudget().code(), StatusCode::kResourceExhausted);
}

TEST(MeteringTransport, CountsObservesAndRefusesBeforeSending) {
  auto fake = std::make_shared<testing_util::FakeTransport>();
  auto usage = std::make_shared<ApiUsage>(0.1);
  MeteringTransport metered(fake, usage);
  fake->Enqueue(200, "{}", {{"Sforce-Limit-Info", "api-usage=10/100"}});
  http::HttpRequest q;
  q.url = "https://x.my.salesforce.com/services/data/v62.0/query?q=x";
  ASSERT_TRUE(metered.Send(q).ok());
  EXPECT_EQ(usage->last_usage()->used, 10);
  // 10 >= 0.1 * 100: the next API call is refused without reaching the wire…
  auto refused = metered.Send(q);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fake->request_count(), 1U);
  // …but a token request still goes out (it does not count against the allocation).
  fake->Enqueue(200, "{}");
  http::HttpRequest token;
  token.method = Method::kPost;
  token.url = "https://login.salesforce.com/services/oauth2/token";
  EXPECT_TRUE(metered.Send(token).ok());
  auto counts = usage->counts();
  EXPECT_EQ(counts.query, 1);
  EXPECT_EQ(counts.auth, 1);
  EXPECT_EQ(counts.total(), 2);
}

TEST(MeteringTransport, RequestLimitExceededAnswerBlocksLaterCalls) {
  auto fake = std::make_shared<testing_util::FakeTransport>();
  auto usage = std::make_shared<ApiUsage>();
  MeteringTransport metered(fake, usage);
  fake->Enqueue(
      403, R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])");
  http::HttpRequest q;
  q.url = "https://x.my.salesforce.com/services/data/v62.0/query?q=x";
  auto first = metered.Send(q);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 403);
  EXPECT_EQ(metered.Send(q).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fake->request_count(), 1U);
}

}  // namespace
}  // namespace casebridge::salesforce
