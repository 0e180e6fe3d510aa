#include "mappings/signals.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace casebridge::mappings {
namespace {

using ::testing::HasSubstr;

std::string AllProblems(std::vector<Problem> const& problems) {
  std::string out;
  for (auto const& p : problems) out += p.ToString() + "\n";
  return out;
}

TEST(SignalsTest, ShippedDefaultLoadsAndCoversEveryEventTheAdapterMustRecognise) {
  auto m = LoadSignalsOrError("");
  ASSERT_TRUE(m.ok()) << m.status();
  std::set<std::string> events;
  for (auto const& s : m->salesforce.events) events.insert(s.event);
  for (auto const* e :
       {"customer_message", "homeowner_contacted", "installer_emailed", "outreach_note",
        "reassigned", "installer_contacted_homeowner", "homeowner_satisfied", "installer_called",
        "sales_referral", "am_responded", "homeowner_requested_followup", "homeowner_unresponsive",
        "manager_notified"}) {
    EXPECT_EQ(events.count(e), 1u) << e;
  }
  EXPECT_EQ(m->salesforce.task_key_field, "Casebridge_Key__c");
  EXPECT_EQ(m->salesforce.case_fields.modstamp, "SystemModstamp");
}

TEST(SignalsTest, FieldsOfARelationshipIncludeEveryFieldItsSignalsUse) {
  auto m = LoadSignalsOrError("");
  ASSERT_TRUE(m.ok());
  auto fields = m->salesforce.FieldsOf("Histories");
  EXPECT_EQ(fields.front(), "Id");
  for (auto const* f : {"Field", "DataType", "NewValue", "CreatedDate"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
}

TEST(SignalsTest, EveryProblemIsReportedWithItsKey) {
  std::vector<Problem> problems;
  ParseSignals(R"({
    "salesforce": {
      "case": {"number_field": "CaseNumber", "created_field": "Created Date",
               "closed_field": "", "primary_reason_field": "Reason", "owner_field": "OwnerId",
               "modstamp_field": "SystemModstamp", "colour": "red"},
      "task_key_field": "Key__c",
      "feed_key_marker": "no placeholder",
      "related": {"EmailMessages": ["Incoming", "Message Date"]},
      "events": [
        {"event": "customer_mesage", "from": "EmailMessages", "at": ["MessageDate"]},
        {"event": "reassigned", "from": "Histories", "at": []},
        {"event": "installer_called", "from": "EmailMessages", "at": ["CreatedDate"],
         "outcome_values": {"Reached": "answered"}, "recipient": {"ToAddress": "neighbour"}}
      ]
    }
  })",
               "signals.json", problems);
  std::string const all = AllProblems(problems);
  EXPECT_THAT(all, HasSubstr("signals.salesforce.case.created_field: not a Salesforce field name"));
  EXPECT_THAT(all, HasSubstr("signals.salesforce.case.colour"));
  EXPECT_THAT(all, HasSubstr("signals.salesforce.feed_key_marker: must contain the placeholder"));
  EXPECT_THAT(all, HasSubstr("signals.salesforce.related.EmailMessages[1]"));
  EXPECT_THAT(all, HasSubstr("unknown snapshot event type 'customer_mesage'"));
  EXPECT_THAT(all, HasSubstr("'Histories' is not a relationship listed in `related`"));
  EXPECT_THAT(all, HasSubstr("needs at least one timestamp field"));
  EXPECT_THAT(all, HasSubstr("a `reassigned` signal needs the field holding the new owner"));
  EXPECT_THAT(all, HasSubstr("expected \"reached\" or \"voicemail\", got 'answered'"));
  EXPECT_THAT(all, HasSubstr("expected \"homeowner\" or \"installer\", got 'neighbour'"));
  for (auto const& p : problems) EXPECT_EQ(p.file, "signals.json");
}

// Where each related relationship's records live, for the related-changes query (issue 16):
// standard relationships are known, others must be named in `child_objects`.
TEST(SignalsTest, EveryRelatedRelationshipHasItsChildObject) {
  auto m = LoadSignalsOrError("");
  ASSERT_TRUE(m.ok()) << m.status();
  auto const& children = m->salesforce.child_objects;
  ASSERT_EQ(children.size(), m->salesforce.related.size());
  auto child = [&](std::string const& relationship) {
    for (auto const& c : children) {
      if (c.relationship == relationship) return c;
    }
    return CaseChildObject{};
  };
  EXPECT_EQ(child("Tasks").object, "Task");
  EXPECT_EQ(child("Tasks").parent_field, "WhatId");
  EXPECT_EQ(child("Histories").object, "CaseHistory");
  EXPECT_EQ(child("Histories").stamp_field, "CreatedDate");
  EXPECT_EQ(child("Feeds").object, "FeedItem");

  std::string const doc = R"({
    "salesforce": {
      "case": {"created_field": "CreatedDate", "primary_reason_field": "Reason",
               "owner_field": "OwnerId", "modstamp_field": "SystemModstamp"},
      "related": {"Site_Visits__r": ["Name"], "Inspections__r": []%s},
      "events": []
    }
  })";
  auto parse = [&](std::string const& extra, std::vector<Problem>& problems) {
    std::string text = doc;
    text.replace(text.find("%s"), 2, extra);
    return ParseSignals(text, "signals.json", problems);
  };
  std::vector<Problem> problems;
  parse("", problems);
  std::string all = AllProblems(problems);
  EXPECT_THAT(all, HasSubstr("signals.salesforce.child_objects.Site_Visits__r: 'Site_Visits__r' "
                             "is not a standard Case relationship"));
  EXPECT_THAT(all, HasSubstr("child_objects.Inspections__r"));
  problems.clear();
  auto named = parse(R"(}, "child_objects": {"Site_Visits__r": {"object": "Site_Visit__c",
      "parent_field": "Case__c", "stamp_field": "SystemModstamp"}, "Inspections__r": {
      "object": "Inspection__c", "parent_field": "Case__c", "stamp_field": "LastModifiedDate"},
      "Ghosts__r": {"object": "Ghost__c", "parent_field": "Case__c", "stamp_field": "X"})",
                     problems);
  all = AllProblems(problems);
  EXPECT_THAT(all, HasSubstr("'Ghosts__r' is not a relationship listed in `related`"));
  ASSERT_EQ(named.salesforce.child_objects.size(), 2U) << all;
  EXPECT_EQ(named.salesforce.child_objects[0].object, "Inspection__c");  // `related` order
  EXPECT_EQ(named.salesforce.child_objects[0].stamp_field, "LastModifiedDate");
  EXPECT_EQ(named.salesforce.child_objects[1].object, "Site_Visit__c");
}

TEST(SignalsTest, DocumentsOfTheDefaultAreReadAndTheirFieldsSelected) {
  auto m = LoadSignalsOrError("");
  ASSERT_TRUE(m.ok()) << m.status();
  std::set<std::string> kinds;
  for (auto const& d : m->salesforce.documents) kinds.insert(d.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"email", "call", "note"}));
  auto fields = m->salesforce.FieldsOf("EmailMessages");
  EXPECT_NE(std::find(fields.begin(), fields.end(), "Subject"), fields.end());
  auto feeds = m->salesforce.FieldsOf("Feeds");
  EXPECT_NE(std::find(feeds.begin(), feeds.end(), "Type"), feeds.end());
}

TEST(SignalsTest, DocumentProblemsAreReportedWithTheirKey) {
  std::vector<Problem> problems;
  ParseSignals(R"({
    "salesforce": {
      "case": {"number_field": "CaseNumber", "created_field": "CreatedDate",
               "primary_reason_field": "Reason", "owner_field": "OwnerId",
               "modstamp_field": "SystemModstamp"},
      "related": {"EmailMessages": ["Incoming"]},
      "events": [],
      "documents": [
        {"from": "Calls", "kind": "fax", "at": ["CreatedDate"], "colour": 1},
        {"from": "EmailMessages", "kind": "email", "at": [],
         "outcome_values": {"Reached": "answered"}}
      ]
    }
  })",
               "signals.json", problems);
  std::string const all = AllProblems(problems);
  EXPECT_THAT(all,
              HasSubstr("signals.salesforce.documents[0].from: 'Calls' is not a relationship"));
  EXPECT_THAT(all, HasSubstr("signals.salesforce.documents[0].kind: expected \"email\""));
  EXPECT_THAT(all, HasSubstr("signals.salesforce.documents[0].colour"));
  EXPECT_THAT(all, HasSubstr("signals.salesforce.documents[1].at: needs at least one timestamp"));
  EXPECT_THAT(all, HasSubstr("got 'answered'"));
}

TEST(SignalsTest, AMissingDirectoryIsAProblem) {
  std::vector<Problem> problems;
  LoadSignals("/nonexistent/mappings", problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, HasSubstr("does not exist"));
}

}  // namespace
}  // namespace casebridge::mappings
