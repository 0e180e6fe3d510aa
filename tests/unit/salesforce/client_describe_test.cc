// Client::Describe and Client::Limits (`casebridge doctor`): one GET each, retried, the answer
// parsed into plain structs (only active picklist values; flags default to false).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connector/salesforce/client.h"
#include "connector/salesforce/describe.h"
#include "tests/support/fake_transport.h"
#include "tests/unit/salesforce/salesforce_test_util.h"

namespace casebridge::salesforce {
namespace {

using nlohmann::json;
using test::MakeTestClient;

std::string TaskDescribe() {
  json const values = json::array({{{"active", true}, {"value", "Installer Called"}},
                                   {{"active", false}, {"value", "Retired Step"}},
                                   {{"active", true}, {"value", "Manager Notified"}}});
  json const fields = json::array(
      {{{"name", "Casebridge_Key__c"},
        {"type", "string"},
        {"length", 255},
        {"createable", true},
        {"updateable", true},
        {"externalId", true},
        {"unique", true}},
       {{"name", "Escalation_Step__c"}, {"type", "picklist"}, {"picklistValues", values}},
       {{"name", "WhatId"}, {"type", "reference"}, {"referenceTo", {"Case", "Account"}}}});
  return json{{"name", "Task"}, {"createable", true}, {"updateable", false}, {"fields", fields}}
      .dump();
}

TEST(ClientDescribe, ParsesFieldsFlagsAndActivePicklistValues) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, TaskDescribe());
  auto d = t.client.Describe("Task");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(t.transport->requests().size(), 1U);
  EXPECT_EQ(t.transport->requests()[0].url,
            std::string(test::kInstance) + "/services/data/v62.0/sobjects/Task/describe");
  EXPECT_TRUE(d->createable);
  EXPECT_FALSE(d->updateable);
  auto const* key = d->Field("casebridge_key__c");  // names resolve case-insensitively
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(key->external_id);
  EXPECT_TRUE(key->unique);
  EXPECT_EQ(key->length, 255);
  auto const* step = d->Field("Escalation_Step__c");
  ASSERT_NE(step, nullptr);
  EXPECT_EQ(step->picklist_values,
            (std::vector<std::string>{"Installer Called", "Manager Notified"}));
  EXPECT_FALSE(step->createable);
  EXPECT_EQ(d->Field("WhatId")->reference_to, (std::vector<std::string>{"Case", "Account"}));
  EXPECT_EQ(d->Field("Nope__c"), nullptr);
}

TEST(ClientDescribe, AnUnknownObjectIsNotFoundAndAMalformedAnswerIsInternal) {
  auto t = MakeTestClient();
  t.transport->Enqueue(
      404, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])");
  EXPECT_EQ(t.client.Describe("Widget__c").status().code(), StatusCode::kNotFound);
  t.transport->Enqueue(200, R"({"name":"Task","fields":[{"name":"X"}]})");
  auto const bad = t.client.Describe("Task");
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find("fields[0]"), std::string::npos) << bad.status();
  EXPECT_EQ(t.client.Describe("Task; DROP").status().code(), StatusCode::kInvalidArgument);
}

TEST(ClientLimits, ReadsMaxAndRemainingAndRetriesA503) {
  auto t = MakeTestClient();
  t.transport->Enqueue(503, R"([{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}])");
  t.transport->Enqueue(200, R"({"DailyApiRequests":{"Max":15000,"Remaining":14250},
                               "DailyBulkV2QueryJobs":{"Max":10000,"Remaining":10000},
                               "Other":{"Nested":{"Max":1}}})");
  auto limits = t.client.Limits();
  ASSERT_TRUE(limits.ok()) << limits.status();
  EXPECT_EQ(t.transport->requests().size(), 2U);
  EXPECT_EQ(t.transport->requests()[1].url,
            std::string(test::kInstance) + "/services/data/v62.0/limits");
  EXPECT_EQ(limits->at("DailyApiRequests").max, 15000);
  EXPECT_EQ(limits->at("DailyApiRequests").remaining, 14250);
  EXPECT_FALSE(limits->contains("Other"));
}

}  // namespace
}  // namespace casebridge::salesforce
