// REST conformance of the Salesforce emulator, written from the vendor documentation
// (salesforce-api.md sections 2 and 4): query paging with nextRecordsUrl, sObject CRUD and
// upsert by external id, error bodies and statuses, Sforce-Limit-Info, /limits.
#include <gtest/gtest.h>

#include <set>

#include "connector/sandbox/schema.h"
#include "tests/unit/sandbox/emulator_test_support.h"

namespace casebridge::sandbox::testing {
namespace {

using std::chrono::seconds;

void ExpectErrorBody(HttpResult const& r, int status, std::string const& code) {
  EXPECT_EQ(r.status, status) << r.body;
  json const j = r.Json();
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r.body;
  EXPECT_EQ(j[0].value("errorCode", ""), code) << r.body;
  EXPECT_TRUE(j[0].contains("message") && j[0].at("message").is_string()) << r.body;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// `api-usage=N/M` -> N, or -1 when the header is missing or malformed.
std::int64_t UsageFromHeader(HttpResult const& r) {
  std::string const h = r.Header("sforce-limit-info");
  std::string_view const prefix = "api-usage=";
  if (!h.starts_with(prefix)) return -1;
  std::size_t const slash = h.find('/');
  if (slash == std::string::npos) return -1;
  std::string const used = h.substr(prefix.size(), slash - prefix.size());
  if (!AllDigits(used) || !AllDigits(std::string_view(h).substr(slash + 1))) return -1;
  return std::stoll(used);
}

class RestTest : public EmulatorTest {
 protected:
  json Seed() override { return SmallOrgSeed(450); }
};

TEST_F(RestTest, QueryPagesThroughNextRecordsUrlUntilDone) {
  HttpResult page = Query("SELECT Id, Subject FROM Case ORDER BY Subject",
                          {{"Sforce-Query-Options", "batchSize=200"}});
  std::set<std::string> ids;
  std::vector<std::size_t> sizes;
  std::vector<bool> dones;
  for (int guard = 0; guard < 10; ++guard) {
    ASSERT_EQ(page.status, 200) << page.body;
    json const j = page.Json();
    EXPECT_EQ(j.at("totalSize"), 450);
    sizes.push_back(j.at("records").size());
    dones.push_back(j.at("done").get<bool>());
    for (auto const& rec : j.at("records")) {
      EXPECT_EQ(rec.at("attributes").at("type"), "Case");
      ids.insert(rec.at("Id").get<std::string>());
    }
    if (j.at("done").get<bool>()) {
      EXPECT_FALSE(j.contains("nextRecordsUrl"));
      break;
    }
    std::string const next = j.at("nextRecordsUrl").get<std::string>();
    std::string_view const prefix = "/services/data/v62.0/query/01g";
    ASSERT_TRUE(next.starts_with(prefix)) << next;
    EXPECT_TRUE(AllDigits(std::string_view(next).substr(next.rfind('-') + 1))) << next;
    page = http_->Send("GET", next, "", {{"Authorization", "Bearer " + AccessToken()}});
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{200, 200, 50}));
  EXPECT_EQ(dones, (std::vector<bool>{false, false, true}));
  EXPECT_EQ(ids.size(), 450U);
  EXPECT_EQ(emulator_->RequestCount(EndpointKind::kQuery), 3);
}

TEST_F(RestTest, BatchSizeIsClampedToTheDocumentedRange) {
  HttpResult const r = Query("SELECT Id FROM Case", {{"Sforce-Query-Options", "batchSize=50"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json().at("records").size(), 200U);
}

TEST_F(RestTest, StaleOrUnknownLocatorIsInvalidQueryLocator) {
  HttpResult const first =
      Query("SELECT Id FROM Case", {{"Sforce-Query-Options", "batchSize=200"}});
  std::string const next = first.Json().at("nextRecordsUrl").get<std::string>();
  ExpectErrorBody(Rest("GET", "/query/01gDn0000000999AAA-200"), 400, "INVALID_QUERY_LOCATOR");
  clock_->Advance(std::chrono::hours(49));
  token_.clear();  // the session expired too
  HttpResult const stale =
      http_->Send("GET", next, "", {{"Authorization", "Bearer " + AccessToken()}});
  ExpectErrorBody(stale, 400, "INVALID_QUERY_LOCATOR");
}

TEST_F(RestTest, QueryAllIncludesDeletedRecords) {
  HttpResult const one = Query("SELECT Id FROM Case LIMIT 1");
  std::string const id = one.Json().at("records")[0].at("Id").get<std::string>();
  ASSERT_EQ(Rest("DELETE", "/sobjects/Case/" + id).status, 204);
  EXPECT_EQ(Query("SELECT COUNT() FROM Case").Json().at("totalSize"), 449);
  HttpResult const all =
      Query("SELECT Id, IsDeleted FROM Case WHERE IsDeleted = true", {}, "queryAll");
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.Json().at("records").size(), 1U);
  EXPECT_EQ(all.Json().at("records")[0].at("Id"), id);
}

TEST_F(RestTest, EveryRestResponseCarriesLimitInfoAndCountsOneCall) {
  std::vector<HttpResult> responses;
  responses.push_back(Query("SELECT Id FROM Case LIMIT 1"));
  responses.push_back(Query("SELECT Nope FROM Case"));
  responses.push_back(Rest("GET", "/sobjects/Case/500Dn0000000999"));
  responses.push_back(Rest("GET", "/limits/"));
  responses.push_back(
      Rest("POST", "/composite/sobjects",
           {{"records", json::array({{{"attributes", {{"type", "Task"}}}, {"Subject", "x"}}})}}));
  responses.push_back(Rest(
      "POST", "/composite",
      {{"compositeRequest", json::array({{{"method", "GET"},
                                          {"url", "/services/data/v62.0/sobjects/Task/describe"},
                                          {"referenceId", "a"}},
                                         {{"method", "GET"},
                                          {"url", "/services/data/v62.0/sobjects/Case/describe"},
                                          {"referenceId", "b"}}})}}));
  responses.push_back(Rest("GET", "/jobs/query"));
  std::int64_t previous = 0;
  for (auto const& r : responses) {
    std::int64_t const used = UsageFromHeader(r);
    EXPECT_EQ(used, previous + 1) << r.Header("sforce-limit-info") << " " << r.body;
    EXPECT_TRUE(r.Header("sforce-limit-info").ends_with("/100000"));
    previous = used;
  }
  EXPECT_EQ(emulator_->ApiUsage(), previous);
}

// Issue 11 item 5: jsforce's identity() follows the versions root's `identity` as an absolute URL.
TEST_F(RestTest, VersionRootListsAnAbsoluteIdentityUrlThatAnswers) {
  HttpResult const root = Rest("GET", "/");
  ASSERT_EQ(root.status, 200) << root.body;
  std::string const identity = root.Json().value("identity", "");
  std::string const base = emulator_->base_url();
  ASSERT_TRUE(identity.starts_with(base + "/id/")) << root.body;
  EXPECT_NE(identity.find(kIntegrationUser), std::string::npos) << identity;
  HttpResult const who = http_->Send("GET", identity.substr(base.size()), "",
                                     {{"Authorization", "Bearer " + AccessToken()}});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.Json().value("username", ""), "integration@example.test");
  EXPECT_EQ(root.Json().value("sobjects", ""), "/services/data/v62.0/sobjects");
}

TEST_F(RestTest, LimitsReportsDailyApiRequests) {
  HttpResult const r = Rest("GET", "/limits/");
  ASSERT_EQ(r.status, 200) << r.body;
  json const j = r.Json();
  EXPECT_EQ(j.at("DailyApiRequests").at("Max"), 100000);
  EXPECT_EQ(j.at("DailyApiRequests").at("Remaining"), 100000 - UsageFromHeader(r));
  EXPECT_TRUE(j.contains("DailyBulkV2QueryJobs"));
}

TEST_F(RestTest, DailyLimitReachedIsRequestLimitExceeded) {
  AccessToken();
  emulator_->SetApiUsage(100000);
  HttpResult const r = Query("SELECT Id FROM Case LIMIT 1");
  ExpectErrorBody(r, 403, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(r.Header("sforce-limit-info"), "api-usage=100000/100000");
}

TEST_F(RestTest, MissingOrUnknownTokenIs401InvalidSessionId) {
  HttpResult const none = http_->Send("GET", "/services/data/v62.0/limits/");
  ExpectErrorBody(none, 401, "INVALID_SESSION_ID");
  EXPECT_EQ(none.Json()[0].at("message"), "Session expired or invalid");
  HttpResult const bogus =
      http_->Send("GET", "/services/data/v62.0/limits/", "", {{"Authorization", "Bearer abc"}});
  ExpectErrorBody(bogus, 401, "INVALID_SESSION_ID");
}

TEST_F(RestTest, UnknownResourcesAre404NotFound) {
  ExpectErrorBody(Rest("GET", "/sobjects/Widget/describe"), 404, "NOT_FOUND");
  ExpectErrorBody(Rest("GET", "/nothing-here"), 404, "NOT_FOUND");
  ExpectErrorBody(Rest("GET", "/sobjects/Case/500Dn0000000999"), 404, "NOT_FOUND");
  HttpResult const version = http_->Send("GET", "/services/data/v99.0/limits", "",
                                         {{"Authorization", "Bearer " + AccessToken()}});
  ExpectErrorBody(version, 404, "NOT_FOUND");
}

TEST_F(RestTest, BadQueriesAre400WithSalesforceErrorCodes) {
  ExpectErrorBody(Query("SELEC Id FROM Case"), 400, "MALFORMED_QUERY");
  ExpectErrorBody(Query("SELECT Id FROM Case WHERE Status = 'a\\qb'"), 400, "MALFORMED_QUERY");
  ExpectErrorBody(Query("SELECT Nope__c FROM Case"), 400, "INVALID_FIELD");
  ExpectErrorBody(Query("SELECT Id FROM Nope__c"), 400, "INVALID_TYPE");
  ExpectErrorBody(Rest("GET", "/query"), 400, "MALFORMED_QUERY");
  // '+' in an unencoded URL is a space: the dateTime literal no longer parses.
  HttpResult const plus =
      Rest("GET", "/query?q=SELECT+Id+FROM+Case+WHERE+CreatedDate+%3E+2026-03-02T09:05:00+05:00");
  ExpectErrorBody(plus, 400, "MALFORMED_QUERY");
  HttpResult const encoded =
      Query("SELECT Id FROM Case WHERE CreatedDate > 2026-03-02T09:05:00+05:00");
  EXPECT_EQ(encoded.status, 200) << encoded.body;
}

TEST_F(RestTest, VersionsListNeedsNoAuthentication) {
  HttpResult const r = http_->Send("GET", "/services/data/");
  ASSERT_EQ(r.status, 200) << r.body;
  json const j = r.Json();
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j.back().at("version"), "62.0");
  EXPECT_EQ(j.back().at("url"), "/services/data/v62.0");
  EXPECT_EQ(j.back().at("label"), "Winter '25");
}

TEST_F(RestTest, SObjectCreateReadUpdateDelete) {
  HttpResult const created = Rest("POST", "/sobjects/Task",
                                  {{"Subject", "Call installer"},
                                   {"WhatId", std::string(kInstaller)},
                                   {"ActivityDate", "2026-03-09"},
                                   {"ReminderDateTime", "2026-03-08T09:05:00-05:00"}});
  ASSERT_EQ(created.status, 201) << created.body;
  json const c = created.Json();
  EXPECT_EQ(c.at("success"), true);
  EXPECT_EQ(c.at("errors"), json::array());
  std::string const id = c.at("id").get<std::string>();
  EXPECT_EQ(id.size(), 18U);
  EXPECT_TRUE(id.starts_with("00T"));

  HttpResult const read = Rest("GET", "/sobjects/Task/" + id);
  ASSERT_EQ(read.status, 200) << read.body;
  json const t = read.Json();
  EXPECT_EQ(t.at("attributes").at("type"), "Task");
  EXPECT_EQ(t.at("Status"), "Not Started");  // default
  EXPECT_EQ(t.at("Priority"), "Normal");
  EXPECT_EQ(t.at("ReminderDateTime"), "2026-03-08T14:05:00.000+0000");
  EXPECT_EQ(t.at("CreatedDate"), "2026-03-06T18:00:00.000+0000");
  EXPECT_EQ(t.at("OwnerId"), "005Dn0000000001IAA");  // the session user

  clock_->Advance(seconds(90));
  HttpResult const patched = Rest("PATCH", "/sobjects/Task/" + id, {{"Status", "Completed"}});
  EXPECT_EQ(patched.status, 204);
  EXPECT_TRUE(patched.body.empty());
  HttpResult const fields = Rest("GET", "/sobjects/Task/" + id +
                                            "?fields=Status,IsClosed,"
                                            "SystemModstamp,CompletedDateTime");
  ASSERT_EQ(fields.status, 200) << fields.body;
  json const f = fields.Json();
  EXPECT_EQ(f.at("Status"), "Completed");
  EXPECT_EQ(f.at("IsClosed"), true);
  EXPECT_EQ(f.at("SystemModstamp"), "2026-03-06T18:01:30.000+0000");
  EXPECT_EQ(f.at("CompletedDateTime"), "2026-03-06T18:01:30.000+0000");
  EXPECT_FALSE(f.contains("Subject"));

  EXPECT_EQ(Rest("DELETE", "/sobjects/Task/" + id).status, 204);
  ExpectErrorBody(Rest("GET", "/sobjects/Task/" + id), 404, "NOT_FOUND");
  ExpectErrorBody(Rest("DELETE", "/sobjects/Task/" + id), 404, "ENTITY_IS_DELETED");
}

TEST_F(RestTest, InvalidWritesReturnSalesforceErrors) {
  ExpectErrorBody(Rest("POST", "/sobjects/Task", {{"Nope__c", "x"}}), 400, "INVALID_FIELD");
  HttpResult const missing = Rest("POST", "/sobjects/Account", {{"Phone", "1"}});
  ExpectErrorBody(missing, 400, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(missing.Json()[0].at("fields"), json::array({"Name"}));
  ExpectErrorBody(Rest("POST", "/sobjects/Case", {{"IsClosed", true}}), 400,
                  "INVALID_FIELD_FOR_INSERT_UPDATE");
  ExpectErrorBody(Rest("POST", "/sobjects/Case", {{"IsEscalated", "yes"}}), 400,
                  "JSON_PARSER_ERROR");
  ExpectErrorBody(Rest("POST", "/sobjects/Task", {{"WhatId", "garbage"}}), 400, "MALFORMED_ID");
  ExpectErrorBody(Rest("POST", "/sobjects/Task", {{"WhatId", "500Dn0000000999"}}), 400,
                  "INVALID_CROSS_REFERENCE_KEY");
  ExpectErrorBody(Rest("POST", "/sobjects/Task", {{"WhatId", std::string(kHomeowner)}}), 400,
                  "FIELD_INTEGRITY_EXCEPTION");
  ExpectErrorBody(Rest("POST", "/sobjects/Task", {{"Subject", std::string(256, 'x')}}), 400,
                  "STRING_TOO_LONG");
  ExpectErrorBody(Rest("POST", "/sobjects/Case", {{"OwnerId", std::string(kRegularGroup)}}), 400,
                  "FIELD_INTEGRITY_EXCEPTION");
  HttpResult const bad_json = http_->Send("POST", "/services/data/v62.0/sobjects/Task", "{oops",
                                          {{"Authorization", "Bearer " + AccessToken()}});
  ExpectErrorBody(bad_json, 400, "JSON_PARSER_ERROR");
}

TEST_F(RestTest, UpsertByExternalIdCreatesThenUpdates) {
  std::string const path = "/sobjects/Task/Casebridge_Key__c/500A%3Acall_installer%3A1";
  HttpResult const created = Rest("PATCH", path, {{"Subject", "Call installer"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().at("created"), true);
  EXPECT_EQ(created.Json().at("success"), true);
  std::string const id = created.Json().at("id").get<std::string>();

  HttpResult const updated = Rest("PATCH", path, {{"Subject", "Call installer again"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json().at("created"), false);
  EXPECT_EQ(updated.Json().at("id"), id);
  auto const record = emulator_->FindRecord(id);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->at("Subject"), "Call installer again");
  EXPECT_EQ(record->at("Casebridge_Key__c"), "500A:call_installer:1");

  HttpResult const update_only =
      Rest("PATCH", "/sobjects/Task/Casebridge_Key__c/new-key?updateOnly=true", {{"Subject", "x"}});
  ExpectErrorBody(update_only, 404, "NOT_FOUND");
  ExpectErrorBody(Rest("PATCH", "/sobjects/Task/Subject/abc", {{"Status", "Completed"}}), 404,
                  "NOT_FOUND");
}

TEST_F(RestTest, UpsertMatchingSeveralRecordsIs300AndWritesNothing) {
  ASSERT_TRUE(emulator_
                  ->SeedFromJson(
                      {{"Task", json::array({{{"Subject", "a"}, {"Casebridge_Key__c", "dup"}},
                                             {{"Subject", "b"}, {"Casebridge_Key__c", "DUP"}}})}})
                  .ok());
  HttpResult const r = Rest("PATCH", "/sobjects/Task/Casebridge_Key__c/dup", {{"Subject", "c"}});
  EXPECT_EQ(r.status, 300) << r.body;
  ASSERT_TRUE(r.Json().is_array());
  EXPECT_EQ(r.Json().size(), 2U);
  for (auto const& t : emulator_->Records("Task")) EXPECT_NE(t.at("Subject"), "c");
}

TEST_F(RestTest, OwnerChangesRecordAutoAssignHeaderAndCaseHistory) {
  HttpResult const one = Query("SELECT Id FROM Case LIMIT 1");
  std::string const id = one.Json().at("records")[0].at("Id").get<std::string>();
  HttpResult const r = Rest("PATCH", "/sobjects/Case/" + id, {{"OwnerId", std::string(kAgentUser)}},
                            {{"Sforce-Auto-Assign", "FALSE"}});
  ASSERT_EQ(r.status, 204) << r.body;
  auto const writes = emulator_->OwnerWrites();
  ASSERT_EQ(writes.size(), 1U);
  EXPECT_EQ(writes[0].id, id);
  EXPECT_EQ(writes[0].owner_id, "005Dn0000000002IAA");
  EXPECT_EQ(writes[0].auto_assign_header, "FALSE");
  HttpResult const history =
      Query("SELECT Field, OldValue, NewValue FROM CaseHistory WHERE CaseId = '" + id +
            "' AND Field = 'Owner'");
  ASSERT_EQ(history.status, 200) << history.body;
  ASSERT_EQ(history.Json().at("totalSize"), 2);
  EXPECT_EQ(history.Json().at("records")[0].at("OldValue"), "Back Office");
  EXPECT_EQ(history.Json().at("records")[0].at("NewValue"), "Dana Agent");
  EXPECT_EQ(history.Json().at("records")[1].at("NewValue"), "005Dn0000000002IAA");
}

class AssignmentRuleTest : public EmulatorTest {
 protected:
  void Customize(SalesforceEmulatorOptions& options) override {
    options.assignment_rule_owner_id = kBackOfficeQueue;
  }
};

TEST_F(AssignmentRuleTest, ActiveRuleOverridesOwnerUnlessAutoAssignIsFalse) {
  HttpResult const overridden =
      Rest("POST", "/sobjects/Case", {{"Subject", "a"}, {"OwnerId", std::string(kAgentUser)}});
  ASSERT_EQ(overridden.status, 201) << overridden.body;
  auto const a = emulator_->FindRecord(overridden.Json().at("id").get<std::string>());
  EXPECT_EQ(a->at("OwnerId"), "00GDn0000000001MAA");

  HttpResult const kept =
      Rest("POST", "/sobjects/Case", {{"Subject", "b"}, {"OwnerId", std::string(kAgentUser)}},
           {{"Sforce-Auto-Assign", "FALSE"}});
  ASSERT_EQ(kept.status, 201) << kept.body;
  auto const b = emulator_->FindRecord(kept.Json().at("id").get<std::string>());
  EXPECT_EQ(b->at("OwnerId"), "005Dn0000000002IAA");
  auto const writes = emulator_->OwnerWrites();
  ASSERT_EQ(writes.size(), 2U);
  EXPECT_TRUE(writes[0].reassigned_by_rule);
  EXPECT_FALSE(writes[0].auto_assign_header.has_value());
  EXPECT_FALSE(writes[1].reassigned_by_rule);
}

// Describe answers from the schema: the precise type, picklist values, external id / unique and
// the calling user's create/update access, as a seed declares them (issue 15: `casebridge
// doctor` reads them, and tests break an org through its seed).
class DescribeTest : public EmulatorTest {
 protected:
  json Seed() override {
    json seed = SmallOrgSeed(1);
    seed["_fields"]["Task"] = {
        {"Escalation_Step__c",
         {{"type", "picklist"}, {"values", json::array({"call_installer", "other"})}}},
        {"Casebridge_Key__c", {{"type", "text"}, {"externalId", true}, {"unique", false}}}};
    seed["_fields"]["Case"]["Reason"] = {
        {"type", "picklist"}, {"values", json::array({"Installer Complaints", "Other"})}};
    seed["_fields"]["Case"]["OwnerId"] = {{"type", "reference"}, {"updateable", false}};
    return seed;
  }

  json Field(std::string const& object, std::string const& name) {
    HttpResult const r = Rest("GET", "/sobjects/" + object + "/describe");
    EXPECT_EQ(r.status, 200) << r.body;
    json const describe = r.Json();  // the range below must not outlive a temporary
    for (auto const& f : describe.at("fields")) {
      if (f.at("name") == name) return f;
    }
    ADD_FAILURE() << object << "." << name << " is not described";
    return json::object();
  }

  static std::vector<std::string> Values(json const& field) {
    std::vector<std::string> out;
    for (auto const& v : field.at("picklistValues")) {
      EXPECT_TRUE(v.at("active").get<bool>());
      out.push_back(v.at("value").get<std::string>());
    }
    return out;
  }
};

TEST_F(DescribeTest, ReportsTypesPicklistValuesKeysAndAccessAsTheSeedDeclares) {
  json const step = Field("Task", "Escalation_Step__c");
  EXPECT_EQ(step.at("type"), "picklist");
  EXPECT_EQ(Values(step), (std::vector<std::string>{"call_installer", "other"}));
  json const key = Field("Task", "Casebridge_Key__c");
  EXPECT_EQ(key.at("type"), "string");
  EXPECT_TRUE(key.at("externalId").get<bool>());
  EXPECT_FALSE(key.at("unique").get<bool>());  // redeclared: the standard schema makes it unique
  json const reason = Field("Case", "Reason");
  EXPECT_EQ(reason.at("type"), "picklist");
  EXPECT_EQ(Values(reason), (std::vector<std::string>{"Installer Complaints", "Other"}));
  EXPECT_FALSE(Field("Case", "OwnerId").at("updateable").get<bool>());
  EXPECT_TRUE(Field("Case", "Subject").at("updateable").get<bool>());
  json const status = Field("Task", "Status");
  EXPECT_EQ(status.at("type"), "picklist");
  EXPECT_EQ(Values(status).front(), "Not Started");  // a new org's standard values
  EXPECT_EQ(Field("Account", "Escalation_Phone__c").at("type"), "phone");
}

TEST_F(DescribeTest, TheStandardExternalIdFieldIsUniqueUnlessRedeclared) {
  sandbox::Schema const schema = sandbox::Schema::Standard({});
  auto const* key = schema.Find("Task")->FindField("Casebridge_Key__c");
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(key->external_id);
  EXPECT_TRUE(key->unique);
}

TEST_F(DescribeTest, ARedeclarationWithAnotherStoredTypeIsRefused) {
  sandbox::SalesforceEmulator other;
  Status const s = other.SeedFromJson({{"_fields", {{"Case", {{"Reason", "checkbox"}}}}}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("_fields.Case.Reason"), std::string::npos) << s.message();
}

TEST_F(RestTest, DescribeListsFieldsAndChildRelationships) {
  HttpResult const r = Rest("GET", "/sobjects/Case/describe");
  ASSERT_EQ(r.status, 200) << r.body;
  json const d = r.Json();
  EXPECT_EQ(d.at("keyPrefix"), "500");
  bool has_installer = false;
  for (auto const& f : d.at("fields")) {
    if (f.at("name") == "Installer__c") {
      has_installer = true;
      EXPECT_EQ(f.at("type"), "reference");
      EXPECT_EQ(f.at("relationshipName"), "Installer__r");
    }
  }
  EXPECT_TRUE(has_installer);
  bool has_tasks = false;
  for (auto const& c : d.at("childRelationships")) {
    if (c.at("relationshipName") == "Tasks") has_tasks = c.at("field") == "WhatId";
  }
  EXPECT_TRUE(has_tasks);
}

}  // namespace
}  // namespace casebridge::sandbox::testing
