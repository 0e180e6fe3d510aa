#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connector/salesforce/client.h"
#include "tests/support/fake_transport.h"
#include "tests/unit/salesforce/salesforce_test_util.h"

namespace casebridge::salesforce {
namespace {

using nlohmann::json;
using test::MakeTestClient;

constexpr char const* kJob = "750R0000000zlh9IAA";
std::string const kJobUrl =
    std::string(test::kInstance) + "/services/data/v62.0/jobs/query/" + kJob;

std::string JobState(std::string const& state) {
  return json({{"id", kJob}, {"operation", "query"}, {"state", state}}).dump();
}

TEST(ClientBulk, CreatesPollsWithBackoffAndPagesResultsByLocator) {
  ClientOptions options;
  options.bulk_max_records = 2;
  auto t = MakeTestClient(options);
  t.transport->Enqueue(200, JobState("UploadComplete"));
  t.transport->Enqueue(200, JobState("InProgress"));
  t.transport->Enqueue(200, JobState("InProgress"));
  t.transport->Enqueue(200, JobState("JobComplete"));
  t.transport->Enqueue(200, "Id,Subject\n500A,\"Panels, roof\"\n500B,\"line1\nline2\"\n",
                       {{"Sforce-Locator", "MTAwMDA"}, {"Sforce-NumberOfRecords", "2"}});
  t.transport->Enqueue(200, "Id,Subject\n500C,\"said \"\"no\"\"\"\n",
                       {{"Sforce-Locator", "null"}, {"Sforce-NumberOfRecords", "1"}});
  std::vector<BulkPage> pages;
  auto s = t.client.BulkQuery("SELECT Id, Subject FROM Case", [&](BulkPage const& p) {
    pages.push_back(p);
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  // Backoff between polls: 1 s, 2 s, 4 s (no jitter on job polling).
  EXPECT_EQ(t.sleeper.delays(),
            (std::vector<std::chrono::milliseconds>{
                std::chrono::seconds(1), std::chrono::seconds(2), std::chrono::seconds(4)}));
  ASSERT_EQ(pages.size(), 2U);
  EXPECT_EQ(pages[0].header, (std::vector<std::string>{"Id", "Subject"}));
  ASSERT_EQ(pages[0].rows.size(), 2U);
  EXPECT_EQ(pages[0].rows[0][1], "Panels, roof");
  EXPECT_EQ(pages[0].rows[1][1], "line1\nline2");
  EXPECT_EQ(pages[1].rows[0][1], "said \"no\"");
  EXPECT_EQ(pages[1].page_number, 2);

  auto const reqs = t.transport->requests();
  ASSERT_EQ(reqs.size(), 6U);
  EXPECT_EQ(reqs[0].method, http::Method::kPost);
  EXPECT_EQ(reqs[0].url, std::string(test::kInstance) + "/services/data/v62.0/jobs/query");
  auto create = json::parse(reqs[0].body);
  EXPECT_EQ(create.at("operation"), "query");
  EXPECT_EQ(create.at("query"), "SELECT Id, Subject FROM Case");
  EXPECT_EQ(create.at("contentType"), "CSV");
  EXPECT_EQ(create.at("lineEnding"), "LF");
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(reqs[i].url, kJobUrl);
  EXPECT_EQ(reqs[4].url, kJobUrl + "/results?maxRecords=2");
  EXPECT_EQ(reqs[5].url, kJobUrl + "/results?maxRecords=2&locator=MTAwMDA");
  EXPECT_EQ(reqs[5].headers.Get("Accept").value_or(""), "text/csv");
  EXPECT_EQ(t.client.calls().bulk, 6);
}

TEST(ClientBulk, PollDelaysAreCapped) {
  ClientOptions options;
  options.bulk_poll_initial = std::chrono::milliseconds(10'000);
  options.bulk_poll_max = std::chrono::milliseconds(15'000);
  auto t = MakeTestClient(options);
  t.transport->Enqueue(200, JobState("UploadComplete"));
  t.transport->Enqueue(200, JobState("InProgress"));
  t.transport->Enqueue(200, JobState("InProgress"));
  t.transport->Enqueue(200, JobState("JobComplete"));
  t.transport->Enqueue(200, "Id\n", {{"Sforce-Locator", "null"}});
  ASSERT_TRUE(
      t.client.BulkQuery("SELECT Id FROM Case", [](BulkPage const&) { return OkStatus(); }).ok());
  EXPECT_EQ(t.sleeper.delays(),
            (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(10'000),
                                                    std::chrono::milliseconds(15'000),
                                                    std::chrono::milliseconds(15'000)}));
}

TEST(ClientBulk, FailedJobReportsItsErrorMessage) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, JobState("UploadComplete"));
  t.transport->Enqueue(200, json({{"id", kJob},
                                  {"state", "Failed"},
                                  {"errorMessage", "INVALID_FIELD: No such column 'Foo'"}})
                                .dump());
  auto s = t.client.BulkQuery("SELECT Foo FROM Case", [](BulkPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("No such column"), std::string::npos) << s;
}

TEST(ClientBulk, GivesUpAfterMaxWaitAndAbortsTheJob) {
  ClientOptions options;
  options.bulk_max_wait = std::chrono::seconds(3);
  auto t = MakeTestClient(options);
  t.transport->Enqueue(200, JobState("UploadComplete"));
  t.transport->Enqueue(200, JobState("InProgress"));
  t.transport->Enqueue(200, JobState("InProgress"));
  t.transport->Enqueue(200, JobState("Aborted"));  // answer to the abort PATCH
  auto s = t.client.BulkQuery("SELECT Id FROM Case", [](BulkPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s;
  auto const reqs = t.transport->requests();
  ASSERT_EQ(reqs.size(), 4U);
  EXPECT_EQ(reqs[3].method, http::Method::kPatch);
  EXPECT_EQ(reqs[3].url, kJobUrl);
  EXPECT_EQ(json::parse(reqs[3].body).at("state"), "Aborted");
}

TEST(ClientBulk, JobCreationIsNotRetriedButPollsAndPagesAre) {
  auto t = MakeTestClient();
  t.transport->Enqueue(503, "");
  auto s = t.client.BulkQuery("SELECT Id FROM Case", [](BulkPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.transport->request_count(), 1U);

  auto u = MakeTestClient();
  u.transport->Enqueue(200, JobState("JobComplete"));
  u.transport->EnqueueError(UnavailableError("dropped"));
  u.transport->Enqueue(200, "Id\n500A\n", {{"Sforce-Locator", "null"}});
  int rows = 0;
  ASSERT_TRUE(u.client
                  .BulkQuery("SELECT Id FROM Case",
                             [&](BulkPage const& p) {
                               rows += static_cast<int>(p.rows.size());
                               return OkStatus();
                             })
                  .ok());
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(u.transport->request_count(), 3U);
}

TEST(ClientBulk, MalformedCsvIsAClearError) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, JobState("JobComplete"));
  t.transport->Enqueue(200, "Id,Subject\n500A,\"unterminated\n", {{"Sforce-Locator", "null"}});
  auto s = t.client.BulkQuery("SELECT Id, Subject FROM Case",
                              [](BulkPage const&) { return OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("/jobs/query/" + std::string(kJob) + "/results"), std::string::npos)
      << s;
}

TEST(ClientExport, SmallEstimateUsesRestPaging) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, test::CasePage(0, 2, 2, std::nullopt));
  std::vector<std::string> ids;
  ExportRequest req;
  req.soql = "SELECT Id, CaseNumber FROM Case";
  req.estimated_rows = 2;
  auto path = t.client.Export(req, [&](FlatRecord const& r) {
    ids.push_back(FindField(r, "Id").value_or(""));
    return OkStatus();
  });
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, ExportPath::kRest);
  EXPECT_EQ(ids, (std::vector<std::string>{"500100000", "500100001"}));
}

TEST(ClientExport, CountAboveThresholdSwitchesToBulkAndFlattensCsvRows) {
  ClientOptions options;
  options.bulk_threshold_rows = 10'000;
  auto t = MakeTestClient(options);
  t.transport->Enqueue(200, R"({"totalSize":25000,"done":true,"records":[]})");
  t.transport->Enqueue(200, JobState("JobComplete"));
  t.transport->Enqueue(200,
                       "Id,Owner.Name,ClosedDate\n500A,Ann,\n500B,Bob,2026-03-02T14:05:00.000Z\n",
                       {{"Sforce-Locator", "null"}});
  std::vector<FlatRecord> rows;
  ExportRequest req;
  req.soql = "SELECT Id, Owner.Name, ClosedDate FROM Case";
  req.count_soql = "SELECT COUNT() FROM Case";
  auto path = t.client.Export(req, [&](FlatRecord const& r) {
    rows.push_back(r);
    return OkStatus();
  });
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, ExportPath::kBulk);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(FindField(rows[0], "Owner.Name"), "Ann");
  EXPECT_FALSE(FindField(rows[0], "ClosedDate").has_value());  // empty CSV field = null
  auto const closed = FindField(rows[1], "ClosedDate");
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(ParseInstant(*closed), ParseInstant("2026-03-02T14:05:00Z"));
  auto const counts = t.client.calls();
  EXPECT_EQ(counts.query, 1);
  EXPECT_EQ(counts.bulk, 2);
}

TEST(ClientExport, NoEstimateAndNoCountQueryUsesRest) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, test::CasePage(0, 1, 1, std::nullopt));
  ExportRequest req;
  req.soql = "SELECT Id FROM Case";
  auto path = t.client.Export(req, [](FlatRecord const&) { return OkStatus(); });
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, ExportPath::kRest);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

}  // namespace
}  // namespace casebridge::salesforce
