// sObject Collections and Composite conformance (salesforce-api.md section 3): per-record
// results in request order, allOrNone rollback, the 200-record cap, upsert collections, and
// Composite references, rollback and the single API call it costs.
#include <gtest/gtest.h>

#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

class CompositeTest : public EmulatorTest {
 protected:
  static json TaskRecord(std::string const& subject, json what = kInstaller) {
    return {{"attributes", {{"type", "Task"}}}, {"Subject", subject}, {"WhatId", what}};
  }

  std::size_t TaskCount() { return emulator_->Records("Task").size(); }
};

TEST_F(CompositeTest, CollectionCreateReportsPartialFailureInRequestOrder) {
  json body = {
      {"allOrNone", false},
      {"records", json::array({TaskRecord("first"), TaskRecord("second", "500Dn0000000999"),
                               TaskRecord("third")})}};
  HttpResult const r = Rest("POST", "/composite/sobjects", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json const results = r.Json();
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(results[0].at("success"), true);
  EXPECT_TRUE(results[0].at("id").get<std::string>().starts_with("00T"));
  EXPECT_EQ(results[0].at("errors"), json::array());
  EXPECT_EQ(results[1].at("success"), false);
  EXPECT_FALSE(results[1].contains("id"));
  ASSERT_EQ(results[1].at("errors").size(), 1U);
  EXPECT_EQ(results[1].at("errors")[0].at("statusCode"), "INVALID_CROSS_REFERENCE_KEY");
  EXPECT_EQ(results[1].at("errors")[0].at("fields"), json::array({"WhatId"}));
  EXPECT_EQ(results[2].at("success"), true);
  EXPECT_EQ(TaskCount(), 2U);
}

TEST_F(CompositeTest, CollectionAllOrNoneRollsEverythingBack) {
  json body = {{"allOrNone", true},
               {"records", json::array({TaskRecord("first"), TaskRecord(std::string(300, 'x')),
                                        TaskRecord("third")})}};
  HttpResult const r = Rest("POST", "/composite/sobjects", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json const results = r.Json();
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(results[0].at("errors")[0].at("statusCode"), "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(results[1].at("errors")[0].at("statusCode"), "STRING_TOO_LONG");
  EXPECT_EQ(results[2].at("errors")[0].at("statusCode"), "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(TaskCount(), 0U);
}

TEST_F(CompositeTest, CollectionOver200RecordsIs400) {
  json records = json::array();
  for (int i = 0; i < 201; ++i) records.push_back(TaskRecord("t" + std::to_string(i)));
  HttpResult const r = Rest("POST", "/composite/sobjects", {{"records", records}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json()[0].at("errorCode"), "EXCEEDED_ID_LIMIT");
  EXPECT_EQ(TaskCount(), 0U);
}

TEST_F(CompositeTest, MalformedCollectionRequestsAre400) {
  EXPECT_EQ(Rest("POST", "/composite/sobjects", {{"allOrNone", false}}).status, 400);
  EXPECT_EQ(
      Rest("POST", "/composite/sobjects", {{"records", json::array({{{"Subject", "no type"}}})}})
          .status,
      400);
  HttpResult const unknown_field =
      Rest("POST", "/composite/sobjects",
           {{"records", json::array({{{"attributes", {{"type", "Task"}}}, {"Bogus__c", 1}}})}});
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(unknown_field.Json()[0].at("errorCode"), "INVALID_FIELD");
}

TEST_F(CompositeTest, CollectionUpdateAndDelete) {
  HttpResult const created = Rest("POST", "/composite/sobjects",
                                  {{"records", json::array({TaskRecord("a"), TaskRecord("b")})}});
  json const ids = {created.Json()[0].at("id"), created.Json()[1].at("id")};
  HttpResult const updated = Rest(
      "PATCH", "/composite/sobjects",
      {{"records",
        json::array({{{"attributes", {{"type", "Task"}}}, {"id", ids[0]}, {"Status", "Completed"}},
                     {{"attributes", {{"type", "Task"}}}, {"Status", "Completed"}}})}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json()[0].at("success"), true);
  EXPECT_EQ(updated.Json()[1].at("errors")[0].at("statusCode"), "MISSING_ARGUMENT");
  EXPECT_EQ(emulator_->FindRecord(ids[0].get<std::string>())->at("IsClosed"), true);

  HttpResult const deleted =
      Rest("DELETE", "/composite/sobjects?ids=" + ids[0].get<std::string>() + "," +
                         ids[1].get<std::string>() + "&allOrNone=false");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Json()[0].at("success"), true);
  EXPECT_EQ(deleted.Json()[1].at("success"), true);
  EXPECT_EQ(emulator_->FindRecord(ids[1].get<std::string>())->at("IsDeleted"), true);
}

TEST_F(CompositeTest, CollectionUpsertByExternalIdIsIdempotent) {
  auto upsert = [&](std::vector<std::string> const& keys) {
    json records = json::array();
    for (auto const& k : keys) {
      records.push_back(
          {{"attributes", {{"type", "Task"}}}, {"Casebridge_Key__c", k}, {"Subject", "task " + k}});
    }
    return Rest("PATCH", "/composite/sobjects/Task/Casebridge_Key__c",
                {{"allOrNone", false}, {"records", records}});
  };
  HttpResult const first = upsert({"500A:call_installer:1", "500B:tier_followup:1"});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json()[0].at("created"), true);
  EXPECT_EQ(first.Json()[1].at("created"), true);
  HttpResult const second = upsert({"500A:call_installer:1", "500B:tier_followup:1"});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.Json()[0].at("created"), false);
  EXPECT_EQ(second.Json()[0].at("id"), first.Json()[0].at("id"));
  EXPECT_EQ(TaskCount(), 2U);

  HttpResult const dup = upsert({"k", "K"});
  ASSERT_EQ(dup.status, 200) << dup.body;
  EXPECT_EQ(dup.Json()[0].at("errors")[0].at("statusCode"), "DUPLICATE_VALUE");
  EXPECT_EQ(dup.Json()[1].at("errors")[0].at("statusCode"), "DUPLICATE_VALUE");
  EXPECT_EQ(Rest("PATCH", "/composite/sobjects/Task/Subject", {{"records", json::array()}}).status,
            400);
}

TEST_F(CompositeTest, CompositeResolvesReferencesAndCostsOneCall) {
  AccessToken();
  std::int64_t const before = emulator_->ApiUsage();
  json body = {
      {"allOrNone", true},
      {"compositeRequest",
       json::array({{{"method", "POST"},
                     {"url", "/services/data/v62.0/sobjects/Account"},
                     {"referenceId", "refAccount"},
                     {"body", {{"Name", "Helios Home Power"}}}},
                    {{"method", "POST"},
                     {"url", "/services/data/v62.0/sobjects/Contact"},
                     {"referenceId", "refContact"},
                     {"body", {{"LastName", "Kim"}, {"AccountId", "@{refAccount.id}"}}}},
                    {{"method", "GET"},
                     {"url",
                      "/services/data/v62.0/query?q=SELECT+Id,Account.Name+FROM+Contact+"
                      "WHERE+Id='@{refContact.id}'"},
                     {"referenceId", "refQuery"}},
                    {{"method", "PATCH"},
                     {"url", "/services/data/v62.0/sobjects/Contact/@{refQuery.records[0].Id}"},
                     {"referenceId", "refUpdate"},
                     {"body", {{"Title", "Homeowner"}}}}})}};
  HttpResult const r = Rest("POST", "/composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json const responses = r.Json().at("compositeResponse");
  ASSERT_EQ(responses.size(), 4U);
  EXPECT_EQ(responses[0].at("httpStatusCode"), 201);
  EXPECT_EQ(responses[0].at("referenceId"), "refAccount");
  std::string const account = responses[0].at("body").at("id").get<std::string>();
  EXPECT_EQ(responses[0].at("httpHeaders").at("Location"),
            "/services/data/v62.0/sobjects/Account/" + account);
  EXPECT_EQ(responses[1].at("httpStatusCode"), 201);
  EXPECT_EQ(responses[2].at("httpStatusCode"), 200);
  EXPECT_EQ(responses[2].at("body").at("records")[0].at("Account").at("Name"), "Helios Home Power");
  EXPECT_EQ(responses[3].at("httpStatusCode"), 204);
  EXPECT_TRUE(responses[3].at("body").is_null());
  auto const contact = emulator_->FindRecord(responses[1].at("body").at("id").get<std::string>());
  EXPECT_EQ(contact->at("AccountId"), account);
  EXPECT_EQ(contact->at("Title"), "Homeowner");
  EXPECT_EQ(emulator_->ApiUsage(), before + 1);
}

TEST_F(CompositeTest, CompositeAllOrNoneRollsBackEarlierSubrequests) {
  json body = {{"allOrNone", true},
               {"compositeRequest", json::array({{{"method", "POST"},
                                                  {"url", "/services/data/v62.0/sobjects/Task"},
                                                  {"referenceId", "ok"},
                                                  {"body", {{"Subject", "kept?"}}}},
                                                 {{"method", "POST"},
                                                  {"url", "/services/data/v62.0/sobjects/Account"},
                                                  {"referenceId", "bad"},
                                                  {"body", {{"Phone", "1"}}}},
                                                 {{"method", "POST"},
                                                  {"url", "/services/data/v62.0/sobjects/Task"},
                                                  {"referenceId", "later"},
                                                  {"body", {{"Subject", "never"}}}}})}};
  HttpResult const r = Rest("POST", "/composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json const responses = r.Json().at("compositeResponse");
  ASSERT_EQ(responses.size(), 3U);
  EXPECT_EQ(responses[0].at("httpStatusCode"), 400);
  EXPECT_EQ(responses[0].at("body")[0].at("errorCode"), "PROCESSING_HALTED");
  EXPECT_EQ(responses[1].at("httpStatusCode"), 400);
  EXPECT_EQ(responses[1].at("body")[0].at("errorCode"), "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(responses[2].at("body")[0].at("errorCode"), "PROCESSING_HALTED");
  EXPECT_EQ(TaskCount(), 0U);
}

TEST_F(CompositeTest, CompositeWithoutAllOrNoneSkipsOnlyDependents) {
  json body = {{"compositeRequest", json::array({{{"method", "POST"},
                                                  {"url", "/services/data/v62.0/sobjects/Account"},
                                                  {"referenceId", "bad"},
                                                  {"body", {{"Phone", "1"}}}},
                                                 {{"method", "POST"},
                                                  {"url", "/services/data/v62.0/sobjects/Task"},
                                                  {"referenceId", "dependent"},
                                                  {"body", {{"WhatId", "@{bad.id}"}}}},
                                                 {{"method", "POST"},
                                                  {"url", "/services/data/v62.0/sobjects/Task"},
                                                  {"referenceId", "independent"},
                                                  {"body", {{"Subject", "stays"}}}}})}};
  HttpResult const r = Rest("POST", "/composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json const responses = r.Json().at("compositeResponse");
  EXPECT_EQ(responses[0].at("httpStatusCode"), 400);
  EXPECT_EQ(responses[1].at("body")[0].at("errorCode"), "PROCESSING_HALTED");
  EXPECT_EQ(responses[2].at("httpStatusCode"), 201);
  EXPECT_EQ(TaskCount(), 1U);
}

TEST_F(CompositeTest, CompositeSubrequestHeadersApply) {
  json body = {{"compositeRequest",
                json::array({{{"method", "POST"},
                              {"url", "/services/data/v62.0/sobjects/Case"},
                              {"referenceId", "c"},
                              {"httpHeaders", {{"Sforce-Auto-Assign", "FALSE"}}},
                              {"body", {{"OwnerId", std::string(kBackOfficeQueue)}}}}})}};
  ASSERT_EQ(Rest("POST", "/composite", body).status, 200);
  auto const writes = emulator_->OwnerWrites();
  ASSERT_EQ(writes.size(), 1U);
  EXPECT_EQ(writes[0].auto_assign_header, "FALSE");
}

TEST_F(CompositeTest, CompositeRejectsTooManySubrequestsAndBadReferenceIds) {
  json many = json::array();
  for (int i = 0; i < 26; ++i) {
    many.push_back({{"method", "GET"},
                    {"url", "/services/data/v62.0/sobjects/Case/describe"},
                    {"referenceId", "r" + std::to_string(i)}});
  }
  EXPECT_EQ(Rest("POST", "/composite", {{"compositeRequest", many}}).status, 400);
  json bad_ref = json::array({{{"method", "GET"},
                               {"url", "/services/data/v62.0/sobjects/Case/describe"},
                               {"referenceId", "has space"}}});
  EXPECT_EQ(Rest("POST", "/composite", {{"compositeRequest", bad_ref}}).status, 400);
  json six_queries = json::array();
  for (int i = 0; i < 6; ++i) {
    six_queries.push_back({{"method", "GET"},
                           {"url", "/services/data/v62.0/query?q=SELECT+Id+FROM+Case"},
                           {"referenceId", "q" + std::to_string(i)}});
  }
  EXPECT_EQ(Rest("POST", "/composite", {{"compositeRequest", six_queries}}).status, 400);
}

}  // namespace
}  // namespace casebridge::sandbox::testing
