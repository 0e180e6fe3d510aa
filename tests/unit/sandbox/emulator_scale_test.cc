// Call counts at volume: 10,000 Cases read in 5 query calls at 2,000 per page, and 1,000 Tasks
// upserted in 5 sObject Collections calls of 200 (the figures the issue asks to report).
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

class ScaleTest : public EmulatorTest {
 protected:
  json Seed() override { return SmallOrgSeed(10000); }
};

TEST_F(ScaleTest, TenThousandCasesPageInFiveQueryCallsAndThousandTasksInFiveCollectionCalls) {
  AccessToken();
  emulator_->ResetRequestCounts();

  auto const read_start = std::chrono::steady_clock::now();
  std::set<std::string> ids;
  HttpResult page =
      Query("SELECT Id, Subject, Status, CreatedDate, Owner.Name FROM Case ORDER BY CreatedDate");
  while (true) {
    ASSERT_EQ(page.status, 200) << page.body.substr(0, 300);
    json const j = page.Json();
    EXPECT_EQ(j.at("totalSize"), 10000);
    EXPECT_LE(j.at("records").size(), 2000U);
    for (auto const& r : j.at("records")) ids.insert(r.at("Id").get<std::string>());
    if (j.at("done").get<bool>()) break;
    page = http_->Send("GET", j.at("nextRecordsUrl").get<std::string>(), "",
                       {{"Authorization", "Bearer " + AccessToken()}});
  }
  auto const read_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - read_start)
                           .count();
  EXPECT_EQ(ids.size(), 10000U);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 5);

  auto const write_start = std::chrono::steady_clock::now();
  for (int batch = 0; batch < 5; ++batch) {
    json records = json::array();
    for (int i = 0; i < 200; ++i) {
      int const n = batch * 200 + i;
      records.push_back({{"attributes", {{"type", "Task"}}},
                         {"Casebridge_Key__c", "case-" + std::to_string(n) + ":call_installer:1"},
                         {"Subject", "Call installer"},
                         {"WhatId", std::string(kInstaller)}});
    }
    HttpResult const r = Rest("PATCH", "/composite/sobjects/Task/Casebridge_Key__c",
                              {{"allOrNone", false}, {"records", records}});
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    for (auto const& result : r.Json()) EXPECT_EQ(result.at("created"), true);
  }
  auto const write_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - write_start)
                            .count();
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kCollections), 5);
  EXPECT_EQ(emulator_->Records("Task").size(), 1000U);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kAny), 10);
  RecordProperty("read_10000_cases_ms", std::to_string(read_ms));
  RecordProperty("upsert_1000_tasks_ms", std::to_string(write_ms));
  std::cout << "[ scale    ] 10,000 cases: " << emulator_->RequestCount(EndpointKind::kQuery)
            << " query calls in " << read_ms
            << " ms; 1,000 tasks: " << emulator_->RequestCount(EndpointKind::kCollections)
            << " collection calls in " << write_ms << " ms\n";
}

}  // namespace
}  // namespace casebridge::sandbox::testing
