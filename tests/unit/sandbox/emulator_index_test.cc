// The emulator's indexes and lazily rendered query cursors (what lets it serve a million-case
// org), seen through its HTTP interface: child subqueries, lookup and id filters and
// external-id upserts follow every write and rollback, and a cursor renders each page when it
// is fetched.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

class EmulatorIndexTest : public EmulatorTest {
 protected:
  json Seed() override { return SmallOrgSeed(450); }

  std::string CaseId(std::size_t index) {
    return emulator_->Records("Case").at(index).at("Id").get<std::string>();
  }

  // The Ids of the Tasks a child subquery lists under `case_id` (empty when null).
  std::vector<std::string> TasksUnder(std::string const& case_id) {
    HttpResult r =
        Query("SELECT Id, (SELECT Id FROM Tasks) FROM Case WHERE Id = '" + case_id + "'");
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    json const records = r.Json().at("records");
    EXPECT_EQ(records.size(), 1U);
    if (records.empty() || records[0].at("Tasks").is_null()) return out;
    for (auto const& t : records[0].at("Tasks").at("records")) out.push_back(t.at("Id"));
    return out;
  }

  std::vector<std::string> Ids(std::string const& soql) {
    HttpResult r = Query(soql);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    json const body = r.Json();  // a range-for over r.Json().at(...) would outlive the temporary
    for (auto const& rec : body.at("records")) out.push_back(rec.at("Id"));
    return out;
  }
};

TEST_F(EmulatorIndexTest, ChildSubqueriesAndLookupFiltersFollowUpdatesAndRollbacks) {
  std::string const a = CaseId(0);
  std::string const b = CaseId(1);
  EXPECT_TRUE(TasksUnder(a).empty());  // builds the index before the writes below
  HttpResult created = Rest("POST", "/sobjects/Task", {{"Subject", "Call"}, {"WhatId", a}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string const task = created.Json().at("id");
  EXPECT_EQ(TasksUnder(a), std::vector<std::string>{task});

  ASSERT_EQ(Rest("PATCH", "/sobjects/Task/" + task, {{"WhatId", b}}).status, 204);
  EXPECT_TRUE(TasksUnder(a).empty());
  EXPECT_EQ(TasksUnder(b), std::vector<std::string>{task});
  EXPECT_EQ(Ids("SELECT Id FROM Task WHERE WhatId = '" + b + "'"), std::vector<std::string>{task});

  // An allOrNone request whose second record fails moves nothing.
  HttpResult failed = Rest(
      "PATCH", "/composite/sobjects",
      {{"allOrNone", true},
       {"records", json::array({{{"attributes", {{"type", "Task"}}}, {"id", task}, {"WhatId", a}},
                                {{"attributes", {{"type", "Task"}}},
                                 {"id", "00TDn00000000ZZ"},
                                 {"Subject", "missing"}}})}});
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_TRUE(TasksUnder(a).empty());
  EXPECT_EQ(TasksUnder(b), std::vector<std::string>{task});
  EXPECT_TRUE(Ids("SELECT Id FROM Task WHERE WhatId IN ('" + a + "')").empty());

  // A second task under b comes after the first (insertion order), and Id IN keeps it too.
  HttpResult later = Rest("POST", "/sobjects/Task", {{"Subject", "Again"}, {"WhatId", b}});
  ASSERT_EQ(later.status, 201) << later.body;
  std::string const task2 = later.Json().at("id");
  EXPECT_EQ(TasksUnder(b), (std::vector<std::string>{task, task2}));
  EXPECT_EQ(Ids("SELECT Id FROM Task WHERE Id IN ('" + task2 + "', '" + task + "')"),
            (std::vector<std::string>{task, task2}));
}

TEST_F(EmulatorIndexTest, ExternalIdUpsertsFollowKeyChangesIgnoringCase) {
  HttpResult first = Rest("PATCH", "/sobjects/Task/Casebridge_Key__c/Case-1:call:1",
                          {{"Subject", "Call"}, {"WhatId", CaseId(0)}});
  ASSERT_EQ(first.status, 201) << first.body;
  std::string const id = first.Json().at("id");
  HttpResult again =
      Rest("PATCH", "/sobjects/Task/Casebridge_Key__c/case-1:CALL:1", {{"Subject", "Call 2"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("id"), id);

  ASSERT_EQ(Rest("PATCH", "/sobjects/Task/" + id, {{"Casebridge_Key__c", "Case-1:call:2"}}).status,
            204);
  HttpResult old_key = Rest("GET", "/sobjects/Task/Casebridge_Key__c/Case-1:call:1");
  EXPECT_EQ(old_key.status, 404) << old_key.body;
  HttpResult new_key = Rest("GET", "/sobjects/Task/Casebridge_Key__c/CASE-1:call:2");
  ASSERT_EQ(new_key.status, 200) << new_key.body;
  EXPECT_EQ(new_key.Json().at("Id"), id);
}

TEST_F(EmulatorIndexTest, QueryMoreRendersEachPageWhenItIsFetched) {
  HttpResult page =
      Query("SELECT Id, Subject FROM Case", {{"Sforce-Query-Options", "batchSize=200"}});
  ASSERT_EQ(page.status, 200) << page.body;
  json first = page.Json();
  EXPECT_EQ(first.at("totalSize"), 450);
  ASSERT_EQ(first.at("records").size(), 200U);
  // Case 300 is on the second page: changed after the query, it shows its new subject there.
  std::string const changed = CaseId(300);
  ASSERT_EQ(Rest("PATCH", "/sobjects/Case/" + changed, {{"Subject", "Changed"}}).status, 204);
  HttpResult second = http_->Send("GET", first.at("nextRecordsUrl").get<std::string>(), "",
                                  {{"Authorization", "Bearer " + AccessToken()}});
  ASSERT_EQ(second.status, 200) << second.body;
  json const records = second.Json().at("records");
  ASSERT_EQ(records.size(), 200U);
  EXPECT_EQ(records[100].at("Id"), changed);
  EXPECT_EQ(records[100].at("Subject"), "Changed");
  EXPECT_EQ(records[99].at("Subject"), "Case 299");
}

}  // namespace
}  // namespace casebridge::sandbox::testing
