#include "connector/adapters/salesforce/case_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connector/adapters/salesforce_ids.h"
#include "mappings/loader.h"

namespace casebridge::adapters {
namespace {

using engine::EventType;
using nlohmann::json;

json Children(json records) {
  return json{{"totalSize", records.size()}, {"done", true}, {"records", std::move(records)}};
}

class SalesforceAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = mappings::LoadPolicyOrError("");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
    auto signals = mappings::LoadSignalsOrError("");
    ASSERT_TRUE(signals.ok()) << signals.status();
    QueueDirectory queues;
    queues.Add("00GDn0QU0000001MGA", "back_office");
    adapter_.emplace(*signals, policy_, queues);
  }

  static json BaseCase() {
    return json{
        {"attributes", {{"type", "Case"}}},
        {"Id", "500Dn0CA0000001IGA"},
        {"CaseNumber", "00001001"},
        {"CreatedDate", "2026-03-02T14:05:00.000+0000"},
        {"ClosedDate", nullptr},
        {"Reason", "Installer Complaints"},
        {"Secondary_Reason__c", "Unresponsive Installer"},
        {"OwnerId", "00GDn0QU0000001MGAAB"},
        {"Owner", {{"attributes", {{"type", "Name"}}}, {"Name", "Back Office"}}},
        {"Subject", "Installer silent"},
        {"ContactId", "003Dn0CO0000001IGA"},
        {"Contact", {{"Email", "Maria@Example.com"}}},
        {"Installer__c", "001Dn0AC0000001IGA"},
        {"Installer__r", {{"Name", "SunPeak"}, {"Escalation_Email__c", "esc@sunpeak.example"}}},
        {"Financing_Partner__c", "Beam"},
        {"Pre_M3_PTO__c", false},
        {"Escalation_Tier__c", 2.0},
        {"SystemModstamp", "2026-03-03T10:00:00.000+0000"},
        {"EmailMessages", nullptr},
        {"Tasks", nullptr},
        {"Feeds", nullptr},
        {"Histories", nullptr}};
  }

  mappings::Policy policy_;
  std::optional<SalesforceCaseAdapter> adapter_;
};

TEST_F(SalesforceAdapterTest, QueryReadsRelatedRecordsThroughSubqueriesOrderedByModstamp) {
  std::string const soql = adapter_->BuildQuery("SystemModstamp >= 2026-03-01T00:00:00Z");
  EXPECT_THAT(soql, ::testing::StartsWith("SELECT Id, CaseNumber, CreatedDate"));
  EXPECT_THAT(soql, ::testing::HasSubstr("FROM EmailMessages)"));
  EXPECT_THAT(soql, ::testing::HasSubstr("Casebridge_Key__c FROM Tasks)"));
  EXPECT_THAT(soql, ::testing::HasSubstr("FROM Histories)"));
  EXPECT_THAT(soql, ::testing::HasSubstr("Installer__r.Escalation_Email__c"));
  EXPECT_THAT(soql, ::testing::EndsWith("FROM Case WHERE (SystemModstamp >= 2026-03-01T00:00:00Z) "
                                        "ORDER BY SystemModstamp, Id"));
}

TEST_F(SalesforceAdapterTest, CaseFactsComeThroughRelationsAndQueues) {
  auto c = adapter_->Convert(BaseCase().dump());
  ASSERT_TRUE(c.ok()) << c.status();
  auto const& s = c->snapshot;
  EXPECT_EQ(s.id, "500Dn0CA0000001IGA");
  EXPECT_EQ(s.source, "salesforce");
  EXPECT_EQ(s.number, "00001001");
  EXPECT_EQ(FormatInstant(s.created_at), "2026-03-02T14:05:00Z");
  EXPECT_FALSE(s.closed_at.has_value());
  EXPECT_EQ(s.tier, 2);
  EXPECT_EQ(s.owner, "queue:back_office");  // 18-char id matched on its 15-char prefix
  EXPECT_EQ(s.financing, engine::Financing::kBeam);
  EXPECT_EQ(s.homeowner_id, "003Dn0CO0000001IGA");
  EXPECT_EQ(s.installer_id, "001Dn0AC0000001IGA");
  EXPECT_EQ(c->modstamp, "2026-03-03T10:00:00.000+0000");
  EXPECT_EQ(c->owner_name, "Back Office");
  EXPECT_EQ(c->installer_name, "SunPeak");
  EXPECT_TRUE(s.events.empty());
}

TEST_F(SalesforceAdapterTest, RelatedRecordsBecomeEventsPerSignal) {
  json r = BaseCase();
  r["EmailMessages"] = Children(json::array({
      // The message that opened the case: not a second customer_message.
      {{"Id", "02s1"}, {"Incoming", true}, {"MessageDate", "2026-03-02T14:05:00.000+0000"}},
      {{"Id", "02s2"}, {"Incoming", true}, {"MessageDate", "2026-03-03T09:00:00.000+0000"}},
      {{"Id", "02s3"},
       {"Incoming", false},
       {"MessageDate", "2026-03-02T15:00:00.000+0000"},
       {"ToAddress", "maria@example.com"}},
      {{"Id", "02s4"},
       {"Incoming", false},
       {"MessageDate", "2026-03-02T15:30:00.000+0000"},
       {"ToAddress", "ESC@sunpeak.example; other@x.example"}},
      {{"Id", "02s5"},
       {"Incoming", false},
       {"MessageDate", "2026-03-02T16:00:00.000+0000"},
       {"ToAddress", "someone.else@example.com"}},
  }));
  r["Tasks"] = Children(json::array({
      {{"Id", "00T1"},
       {"TaskSubtype", "Call"},
       {"Status", "Completed"},
       {"WhoId", "003Dn0CO0000001"},
       {"CompletedDateTime", "2026-03-04T12:00:00.000+0000"},
       {"CreatedDate", "2026-03-04T11:00:00.000+0000"},
       {"Escalation_Step__c", nullptr}},
      {{"Id", "00T2"},
       {"TaskSubtype", "Call"},
       {"Status", "Completed"},
       {"CompletedDateTime", nullptr},
       {"CreatedDate", "2026-03-05T11:00:00.000+0000"},
       {"Escalation_Step__c", "Installer Called"},
       {"CallDisposition", "Left voicemail"}},
      {{"Id", "00T3"},
       {"Subject", "Call installer"},
       {"Status", "Not Started"},
       {"CreatedDate", "2026-03-04T09:00:00.000+0000"},
       {"Casebridge_Key__c", "500Dn0CA0000001IGA:call_installer:1"}},
  }));
  r["Feeds"] = Children(json::array({
      {{"Id", "0D51"},
       {"Body", "OUTREACH NOTE: called the homeowner"},
       {"CreatedDate", "2026-03-02T15:20:00.000+0000"}},
      {{"Id", "0D52"},
       {"Body", "Tier 4 [casebridge:500Dn0CA0000001IGA:notify_manager:1]"},
       {"CreatedDate", "2026-03-02T15:25:00.000+0000"}},
  }));
  r["Histories"] = Children(json::array({
      {{"Id", "0171"},
       {"Field", "Owner"},
       {"DataType", "Text"},
       {"NewValue", "Back Office"},
       {"CreatedDate", "2026-03-02T16:00:00.000+0000"}},
      {{"Id", "0172"},
       {"Field", "Owner"},
       {"DataType", "EntityId"},
       {"NewValue", "00GDn0QU0000001MGA"},
       {"CreatedDate", "2026-03-02T16:00:00.000+0000"}},
      {{"Id", "0173"},
       {"Field", "Owner"},
       {"DataType", "EntityId"},
       {"NewValue", "005Dn0US0000003IGA"},
       {"CreatedDate", "2026-03-02T17:00:00.000+0000"}},
  }));
  std::vector<std::string> warnings;
  auto c = adapter_->Convert(r.dump(), &warnings);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(warnings.empty());
  std::vector<std::string> got;
  for (auto const& e : c->snapshot.events) {
    std::string line = std::string(engine::EventTypeName(e.type)) + "@" + FormatInstant(e.at);
    if (!e.to.empty()) line += " to " + e.to;
    if (e.outcome == engine::CallOutcome::kVoicemail) line += " voicemail";
    if (!e.key.empty()) line += " key " + e.key;
    got.push_back(line);
  }
  EXPECT_THAT(
      got, ::testing::UnorderedElementsAre(
               "customer_message@2026-03-03T09:00:00Z", "homeowner_contacted@2026-03-02T15:00:00Z",
               "installer_emailed@2026-03-02T15:30:00Z", "homeowner_contacted@2026-03-04T12:00:00Z",
               "installer_called@2026-03-05T11:00:00Z voicemail",
               "task_created@2026-03-04T09:00:00Z key 500Dn0CA0000001IGA:call_installer:1",
               "outreach_note@2026-03-02T15:20:00Z", "manager_notified@2026-03-02T15:25:00Z",
               "task_created@2026-03-02T15:25:00Z key 500Dn0CA0000001IGA:notify_manager:1",
               "reassigned@2026-03-02T16:00:00Z to queue:back_office",
               "reassigned@2026-03-02T17:00:00Z to user:005Dn0US0000003IGA"));
  EXPECT_EQ(c->tasks_by_key.at("500Dn0CA0000001IGA:call_installer:1"), "00T3");
  EXPECT_EQ(c->feed_posts_by_key.at("500Dn0CA0000001IGA:notify_manager:1"), "0D52");
}

TEST_F(SalesforceAdapterTest, BadFactsNameTheCaseAndField) {
  json r = BaseCase();
  r["Escalation_Tier__c"] = 7;
  auto c = adapter_->Convert(r.dump());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), ::testing::HasSubstr("500Dn0CA0000001IGA"));
  EXPECT_THAT(c.status().message(), ::testing::HasSubstr("Escalation_Tier__c"));

  r = BaseCase();
  r["CreatedDate"] = "yesterday";
  c = adapter_->Convert(r.dump());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), ::testing::HasSubstr("CreatedDate"));
}

TEST_F(SalesforceAdapterTest, PagedChildRelationshipIsRefusedNotHalfRead) {
  json r = BaseCase();
  r["Tasks"] = json{{"totalSize", 500},
                    {"done", false},
                    {"nextRecordsUrl", "/services/data/v62.0/query/01g-200"},
                    {"records", json::array()}};
  auto c = adapter_->Convert(r.dump());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SalesforceAdapterTest, FeedMarkerRoundTrips) {
  std::string const body = "Please respond. " + adapter_->FeedMarker("500X:escalate_am_silence:1");
  EXPECT_EQ(adapter_->KeyInFeedBody(body), "500X:escalate_am_silence:1");
  EXPECT_EQ(adapter_->KeyInFeedBody("no marker here"), std::nullopt);
}

TEST(QueueQueryTest, EscapesDeveloperNames) {
  mappings::Policy policy;
  policy.queues.developer_names = {{"a", "Back_Office"}, {"b", "It's"}};
  EXPECT_EQ(QueueQuery(policy),
            "SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue' AND DeveloperName IN "
            "('Back_Office','It\\'s')");
}

}  // namespace
}  // namespace casebridge::adapters

namespace casebridge::adapters {
namespace {

// An 18-character id whose last three characters are not the checksum of its first 15 is not
// an id: Salesforce refuses a whole query naming one (INVALID_QUERY_FILTER_OPERATOR).
TEST(SalesforceIds, An18CharacterIdMustCarryItsChecksum) {
  EXPECT_TRUE(sfid::IsCaseId("500Dn0CA0000002IGA"));
  EXPECT_TRUE(sfid::IsCaseId("500Dn0CA0000002iga"));  // the suffix is case-insensitive
  EXPECT_TRUE(sfid::IsCaseId("500Dn0CA0000002"));
  EXPECT_FALSE(sfid::IsCaseId("500Dn0CA0000002IGB"));
  EXPECT_FALSE(sfid::IsCaseId("500Dn00000SbX0003A"));
  EXPECT_TRUE(sfid::IsUserId("005Dn0US0000003IGA"));
}

}  // namespace
}  // namespace casebridge::adapters
