// Bulk API 2.0 query jobs (salesforce-api.md section 5): job lifecycle, CSV results (RFC 4180,
// header row, dateTimes as …Z) paged with Sforce-Locator / Sforce-NumberOfRecords.
#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

// Minimal RFC 4180 reader for the assertions (quoted fields, doubled quotes, CR/LF inside).
std::vector<std::vector<std::string>> ParseCsv(std::string const& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  return rows;
}

class BulkTest : public EmulatorTest {
 protected:
  json Seed() override {
    json seed = SmallOrgSeed(25);
    seed["Case"][0]["Subject"] = "Comma, \"quote\" and\nnewline";
    return seed;
  }

  std::string CreateJob(std::string const& soql, std::string const& operation = "query") {
    HttpResult const r = Rest("POST", "/jobs/query", {{"operation", operation}, {"query", soql}});
    EXPECT_EQ(r.status, 200) << r.body;
    json const j = r.Json();
    EXPECT_EQ(j.value("state", ""), "UploadComplete");
    EXPECT_EQ(j.value("contentType", ""), "CSV");
    EXPECT_EQ(j.value("object", ""), "Case");
    EXPECT_EQ(j.value("lineEnding", ""), "LF");
    EXPECT_EQ(j.value("columnDelimiter", ""), "COMMA");
    return j.value("id", "");
  }

  std::string Poll(std::string const& id) {
    HttpResult const r = Rest("GET", "/jobs/query/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("state", "");
  }
};

TEST_F(BulkTest, JobMovesThroughStatesAndServesCsvInPages) {
  std::string const id =
      CreateJob("SELECT Id, Subject, Owner.Name, CreatedDate FROM Case ORDER BY Subject");
  EXPECT_TRUE(id.starts_with("750"));

  HttpResult const early = Rest("GET", "/jobs/query/" + id + "/results");
  EXPECT_EQ(early.status, 412) << early.body;
  EXPECT_EQ(early.Json()[0].at("errorCode"), "JOB_NOT_COMPLETE");

  EXPECT_EQ(Poll(id), "InProgress");
  EXPECT_EQ(Poll(id), "JobComplete");
  HttpResult const info = Rest("GET", "/jobs/query/" + id);
  EXPECT_EQ(info.Json().at("numberRecordsProcessed"), 25);

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> locators;
  std::string locator;
  for (int guard = 0; guard < 10; ++guard) {
    std::string path = "/jobs/query/" + id + "/results?maxRecords=10";
    if (!locator.empty()) path += "&locator=" + locator;
    HttpResult const page = Rest("GET", path, nullptr, {{"Accept", "text/csv"}});
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.Header("content-type").find("text/csv"), std::string::npos);
    auto const parsed = ParseCsv(page.body);
    ASSERT_FALSE(parsed.empty());
    EXPECT_EQ(parsed[0], (std::vector<std::string>{"Id", "Subject", "Owner.Name", "CreatedDate"}));
    EXPECT_EQ(page.Header("sforce-numberofrecords"), std::to_string(parsed.size() - 1));
    rows.insert(rows.end(), parsed.begin() + 1, parsed.end());
    locator = page.Header("sforce-locator");
    locators.push_back(locator);
    if (locator == "null") break;
  }
  EXPECT_EQ(locators.size(), 3U);
  EXPECT_EQ(locators.back(), "null");
  ASSERT_EQ(rows.size(), 25U);
  EXPECT_EQ(rows[0][1], "Case 1");
  EXPECT_EQ(rows[0][2], "Back Office");
  EXPECT_EQ(rows[0][3], "2026-03-02T14:05:00.000Z");
  bool found_special = false;
  for (auto const& row : rows) found_special |= row[1] == "Comma, \"quote\" and\nnewline";
  EXPECT_TRUE(found_special);

  // A locator stays valid: the same set can be fetched again.
  HttpResult const again =
      Rest("GET", "/jobs/query/" + id + "/results?maxRecords=10&locator=" + locators[0]);
  ASSERT_EQ(again.status, 200);
  auto const again_rows = ParseCsv(again.body);
  EXPECT_EQ(std::vector<std::vector<std::string>>(again_rows.begin() + 1, again_rows.end()),
            std::vector<std::vector<std::string>>(rows.begin() + 10, rows.begin() + 20));
}

TEST_F(BulkTest, UnsupportedQueriesAreRejectedAtCreation) {
  EXPECT_EQ(
      Rest("POST", "/jobs/query", {{"operation", "query"}, {"query", "SELECT COUNT() FROM Case"}})
          .status,
      400);
  EXPECT_EQ(Rest("POST", "/jobs/query",
                 {{"operation", "query"}, {"query", "SELECT Id, (SELECT Id FROM Tasks) FROM Case"}})
                .status,
            400);
  HttpResult const bad =
      Rest("POST", "/jobs/query", {{"operation", "query"}, {"query", "SELECT Nope FROM Case"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()[0].at("errorCode"), "INVALID_FIELD");
  EXPECT_EQ(Rest("POST", "/jobs/query", {{"operation", "insert"}, {"query", "SELECT Id FROM Case"}})
                .status,
            400);
}

TEST_F(BulkTest, QueryAllJobIncludesDeletedRecordsAndAbortStopsAJob) {
  HttpResult const one = Query("SELECT Id FROM Case LIMIT 1");
  ASSERT_EQ(
      Rest("DELETE", "/sobjects/Case/" + one.Json().at("records")[0].at("Id").get<std::string>())
          .status,
      204);
  std::string const all = CreateJob("SELECT Id FROM Case", "queryAll");
  Poll(all);
  ASSERT_EQ(Poll(all), "JobComplete");
  HttpResult const r = Rest("GET", "/jobs/query/" + all + "/results");
  EXPECT_EQ(r.Header("sforce-numberofrecords"), "25");
  EXPECT_EQ(r.Header("sforce-locator"), "null");

  std::string const aborted = CreateJob("SELECT Id FROM Case");
  HttpResult const abort = Rest("PATCH", "/jobs/query/" + aborted, {{"state", "Aborted"}});
  ASSERT_EQ(abort.status, 200) << abort.body;
  EXPECT_EQ(abort.Json().at("state"), "Aborted");
  EXPECT_EQ(Poll(aborted), "Aborted");
  EXPECT_EQ(Rest("DELETE", "/jobs/query/" + aborted).status, 204);
  EXPECT_EQ(Rest("GET", "/jobs/query/" + aborted).status, 404);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kBulk), 9);
}

}  // namespace
}  // namespace casebridge::sandbox::testing
