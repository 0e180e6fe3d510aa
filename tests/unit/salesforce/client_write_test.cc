#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connector/salesforce/client.h"
#include "tests/support/fake_transport.h"
#include "tests/unit/salesforce/salesforce_test_util.h"

namespace casebridge::salesforce {
namespace {

using nlohmann::json;
using test::MakeTestClient;
using test::SalesforceError;

SObject Task(std::string const& key, std::string const& subject = "Call installer") {
  return {"Task",
          {{"Ext_Key__c", key},
           {"Subject", subject},
           {"ActivityDate", *ParseDate("2026-03-04")},
           {"ReminderDateTime", *ParseInstant("2026-03-04T09:00:00-05:00")}}};
}

std::vector<SObject> Tasks(int n) {
  std::vector<SObject> out;
  for (int i = 0; i < n; ++i) out.push_back(Task("500A:call_installer:" + std::to_string(i)));
  return out;
}

// A collection response: success for every record, ids "00T<call>-<i>".
std::string AllSucceeded(int call, int n) {
  json out = json::array();
  for (int i = 0; i < n; ++i) {
    out.push_back({{"id", "00T" + std::to_string(call) + "x" + std::to_string(i)},
                   {"success", true},
                   {"errors", json::array()},
                   {"created", true}});
  }
  return out.dump();
}

TEST(ClientUpsert, SendsCollectionUpsertOnExternalIdWithUtcDatetimes) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, AllSucceeded(1, 1));
  auto r = t.client.Upsert("Task", "Ext_Key__c", {Task("500A:call_installer:1")});
  ASSERT_TRUE(r.status.ok()) << r.status;
  auto const req = t.transport->requests().at(0);
  EXPECT_EQ(req.method, http::Method::kPatch);
  EXPECT_EQ(req.url, std::string(test::kInstance) +
                         "/services/data/v62.0/composite/sobjects/Task/Ext_Key__c");
  EXPECT_EQ(req.headers.Get("Content-Type").value_or(""), "application/json");
  auto body = json::parse(req.body);
  EXPECT_EQ(body.at("allOrNone"), false);
  auto const& rec = body.at("records").at(0);
  EXPECT_EQ(rec.at("attributes").at("type"), "Task");
  EXPECT_EQ(rec.at("Ext_Key__c"), "500A:call_installer:1");
  EXPECT_EQ(rec.at("ActivityDate"), "2026-03-04");
  EXPECT_EQ(rec.at("ReminderDateTime"), "2026-03-04T14:00:00Z");
  EXPECT_FALSE(req.headers.Get("Sforce-Auto-Assign").has_value());
}

TEST(ClientUpsert, PartialFailureIsMappedBackToTheRightRecords) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, R"([
    {"id":"00T1","success":true,"errors":[],"created":true},
    {"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Subject]","fields":["Subject"]}]},
    {"id":"00T3","success":true,"errors":[],"created":false}])");
  auto r = t.client.Upsert("Task", "Ext_Key__c", Tasks(3));
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 3U);
  EXPECT_TRUE(r.records[0].success);
  EXPECT_EQ(r.records[0].id, "00T1");
  EXPECT_EQ(r.records[0].created, true);
  EXPECT_FALSE(r.records[1].success);
  EXPECT_TRUE(r.records[1].attempted);
  ASSERT_EQ(r.records[1].errors.size(), 1U);
  EXPECT_EQ(r.records[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(r.records[1].errors[0].fields, std::vector<std::string>{"Subject"});
  EXPECT_EQ(r.records[2].id, "00T3");
  EXPECT_EQ(r.records[2].created, false);
  EXPECT_EQ(r.succeeded(), 2U);
  EXPECT_EQ(r.failed(), 1U);
}

TEST(ClientUpsert, FourHundredFiftyRecordsTakeThreeCallsMappedByPosition) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, AllSucceeded(1, 200));
  t.transport->Enqueue(200, AllSucceeded(2, 200));
  t.transport->Enqueue(200, AllSucceeded(3, 50));
  auto const input = Tasks(450);
  auto r = t.client.Upsert("Task", "Ext_Key__c", input);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.calls, 3);
  EXPECT_EQ(t.client.calls().write, 3);
  auto const reqs = t.transport->requests();
  ASSERT_EQ(reqs.size(), 3U);
  std::vector<std::size_t> sizes;
  std::size_t index = 0;
  for (auto const& req : reqs) {
    auto body = json::parse(req.body);
    sizes.push_back(body.at("records").size());
    for (auto const& rec : body.at("records")) {
      EXPECT_EQ(rec.at("Ext_Key__c"), "500A:call_installer:" + std::to_string(index++));
    }
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{200, 200, 50}));
  EXPECT_EQ(r.records[0].id, "00T1x0");
  EXPECT_EQ(r.records[199].id, "00T1x199");
  EXPECT_EQ(r.records[200].id, "00T2x0");
  EXPECT_EQ(r.records[449].id, "00T3x49");
  EXPECT_EQ(r.succeeded(), 450U);
}

TEST(ClientUpsert, RetriesLockContentionBecauseUpsertOnExternalIdIsIdempotent) {
  auto t = MakeTestClient();
  t.transport->Enqueue(400, SalesforceError("UNABLE_TO_LOCK_ROW",
                                            "unable to obtain exclusive access to this record"));
  t.transport->Enqueue(503, "");
  t.transport->Enqueue(200, AllSucceeded(1, 2));
  auto r = t.client.Upsert("Task", "Ext_Key__c", Tasks(2));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(t.transport->request_count(), 3U);
  EXPECT_EQ(t.sleeper.delays().size(), 2U);
}

TEST(ClientUpsert, FailureMidBatchKeepsEarlierResultsAndMarksTheRestUnattempted) {
  ClientOptions options;
  options.connection.retry.max_attempts = 2;
  auto t = MakeTestClient(options);
  t.transport->Enqueue(200, AllSucceeded(1, 200));
  t.transport->Enqueue(503, "");
  t.transport->Enqueue(503, "");
  auto r = t.client.Upsert("Task", "Ext_Key__c", Tasks(450));
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.calls, 1);
  EXPECT_TRUE(r.records[199].success);
  EXPECT_FALSE(r.records[200].attempted);
  EXPECT_FALSE(r.records[449].attempted);
  EXPECT_EQ(r.succeeded(), 200U);
  EXPECT_NE(r.status.message().find("200 done before"), std::string::npos) << r.status;
}

TEST(ClientUpsert, RecordsWithoutTheExternalIdAreRejectedBeforeAnyCall) {
  auto t = MakeTestClient();
  auto input = Tasks(3);
  input[2].fields.erase(input[2].fields.begin());  // drop Ext_Key__c
  auto r = t.client.Upsert("Task", "Ext_Key__c", input);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.transport->request_count(), 0U);
  auto bad_field = Tasks(1);
  bad_field[0].fields.emplace_back("Subject\":\"x", std::string("y"));
  EXPECT_EQ(t.client.Upsert("Task", "Ext_Key__c", bad_field).status.code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(t.transport->request_count(), 0U);
}

TEST(ClientCreate, PlainCreateIsNotRetried) {
  auto t = MakeTestClient();
  t.transport->Enqueue(503, SalesforceError("SERVER_UNAVAILABLE", "busy"));
  t.transport->Enqueue(200, AllSucceeded(1, 2));
  auto r = t.client.Create(Tasks(2));
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.transport->request_count(), 1U);
  EXPECT_TRUE(t.sleeper.delays().empty());
  EXPECT_FALSE(r.records[0].attempted);
  EXPECT_EQ(t.transport->requests()[0].method, http::Method::kPost);
}

TEST(ClientCreate, DroppedConnectionOnCreateIsNotRetried) {
  auto t = MakeTestClient();
  t.transport->EnqueueError(UnavailableError("connection dropped"));
  auto id = t.client.CreateRecord("Task", {{"Subject", std::string("x")}});
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

TEST(ClientCreate, CreateRecordReturnsTheNewId) {
  auto t = MakeTestClient();
  t.transport->Enqueue(201, R"({"id":"00T9","success":true,"errors":[]})");
  auto id = t.client.CreateRecord("Task", {{"Subject", std::string("x")}});
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "00T9");
}

TEST(ClientUpdate, OwnerChangesCarrySforceAutoAssignFalse) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, AllSucceeded(1, 1));
  t.transport->Enqueue(200, AllSucceeded(2, 1));
  t.transport->Enqueue(204, "");
  t.transport->Enqueue(204, "");
  SObject const owner{"Case", {{"Id", std::string("500A")}, {"OwnerId", std::string("00G1")}}};
  SObject const status{"Case", {{"Id", std::string("500B")}, {"Status", std::string("Open")}}};
  ASSERT_TRUE(t.client.Update({owner}).status.ok());
  ASSERT_TRUE(t.client.Update({status}).status.ok());
  ASSERT_TRUE(t.client.UpdateRecord("Case", "500A", {{"OwnerId", std::string("00G1")}}).ok());
  ASSERT_TRUE(t.client.UpdateRecord("Case", "500A", {{"Priority", std::string("High")}}).ok());
  auto const reqs = t.transport->requests();
  ASSERT_EQ(reqs.size(), 4U);
  EXPECT_EQ(reqs[0].headers.Get("Sforce-Auto-Assign").value_or(""), "FALSE");
  EXPECT_FALSE(reqs[1].headers.Get("Sforce-Auto-Assign").has_value());
  EXPECT_EQ(reqs[2].headers.Get("Sforce-Auto-Assign").value_or(""), "FALSE");
  EXPECT_EQ(reqs[2].method, http::Method::kPatch);
  EXPECT_EQ(reqs[2].url, std::string(test::kInstance) + "/services/data/v62.0/sobjects/Case/500A");
  EXPECT_FALSE(reqs[3].headers.Get("Sforce-Auto-Assign").has_value());
}

TEST(ClientUpdate, EveryRecordNeedsAnId) {
  auto t = MakeTestClient();
  auto r = t.client.Update({SObject{"Case", {{"Status", std::string("Open")}}}});
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.transport->request_count(), 0U);
}

TEST(ClientUpsertRecord, DistinguishesCreatedUpdatedAndAmbiguous) {
  auto t = MakeTestClient();
  t.transport->Enqueue(201, R"({"id":"00T1","success":true,"errors":[],"created":true})");
  t.transport->Enqueue(200, R"({"id":"00T1","success":true,"errors":[],"created":false})");
  t.transport->Enqueue(
      300,
      R"(["/services/data/v62.0/sobjects/Task/00T1","/services/data/v62.0/sobjects/Task/00T2"])");
  Fields const f = {{"Subject", std::string("Call installer")}};
  auto created = t.client.UpsertRecord("Task", "Ext_Key__c", "500A:call installer/1", f);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);
  EXPECT_EQ(t.transport->requests()[0].url,
            std::string(test::kInstance) +
                "/services/data/v62.0/sobjects/Task/Ext_Key__c/500A%3Acall%20installer%2F1");
  auto updated = t.client.UpsertRecord("Task", "Ext_Key__c", "k", f);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->created);
  auto ambiguous = t.client.UpsertRecord("Task", "Ext_Key__c", "k", f);
  EXPECT_EQ(ambiguous.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(t.transport->request_count(), 3U);  // 300 is final, not retried
}

TEST(ClientComposite, SendsDependentSubrequestsAndMapsEachResult) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, R"({"compositeResponse":[
    {"body":{"id":"00T1","success":true,"errors":[]},"httpHeaders":{},"httpStatusCode":201,"referenceId":"newTask"},
    {"body":[{"errorCode":"PROCESSING_HALTED","message":"halted"}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"ownerChange"}]})");
  std::vector<CompositeSubrequest> subs = {
      {http::Method::kPost,
       "/services/data/v62.0/sobjects/Task",
       "newTask",
       R"({"Subject":"Call installer","WhatId":"500A"})",
       {}},
      {http::Method::kPatch,
       "/services/data/v62.0/sobjects/Case/500A",
       "ownerChange",
       R"({"OwnerId":"00G1","Description":"see @{newTask.id}"})",
       {}},
  };
  auto r = t.client.Composite(subs);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].reference_id, "newTask");
  EXPECT_TRUE((*r)[0].status.ok());
  EXPECT_EQ((*r)[1].status.code(), StatusCode::kInvalidArgument);
  auto const req = t.transport->requests().at(0);
  EXPECT_EQ(req.url, std::string(test::kInstance) + "/services/data/v62.0/composite");
  auto body = json::parse(req.body);
  EXPECT_EQ(body.at("allOrNone"), true);
  EXPECT_EQ(body.at("compositeRequest").size(), 2U);
  EXPECT_EQ(body.at("compositeRequest")[1].at("httpHeaders").at("Sforce-Auto-Assign"), "FALSE");
  EXPECT_EQ(req.headers.Get("Sforce-Auto-Assign").value_or(""), "FALSE");
}

TEST(ClientComposite, IsNotRetriedByDefaultAndLimitedTo25) {
  auto t = MakeTestClient();
  t.transport->Enqueue(503, "");
  std::vector<CompositeSubrequest> one = {
      {http::Method::kPost, "/services/data/v62.0/sobjects/Task", "t", R"({"Subject":"x"})", {}}};
  EXPECT_EQ(t.client.Composite(one).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(t.transport->request_count(), 1U);
  std::vector<CompositeSubrequest> many(26, one[0]);
  EXPECT_EQ(t.client.Composite(many).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.transport->request_count(), 1U);
}

TEST(ClientWrite, MalformedCollectionResponseIsAClearError) {
  auto t = MakeTestClient();
  t.transport->Enqueue(200, R"([{"id":"00T1","success":true}])");  // 1 result for 2 records
  auto r = t.client.Upsert("Task", "Ext_Key__c", Tasks(2));
  EXPECT_EQ(r.status.code(), StatusCode::kInternal);
  EXPECT_NE(
      r.status.message().find("PATCH /services/data/v62.0/composite/sobjects/Task/Ext_Key__c"),
      std::string::npos)
      << r.status;
}

}  // namespace
}  // namespace casebridge::salesforce
