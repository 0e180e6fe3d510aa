// SalesforceCaseAdapter::BulkQueries(): the Bulk API 2.0 queries read the same fields and cases
// as BuildQuery(), with the child relationships as semi-join queries of their own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "connector/adapters/salesforce/case_adapter.h"
#include "mappings/loader.h"

namespace casebridge::adapters {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SalesforceAdapterBulkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = mappings::LoadPolicyOrError("");
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = *policy;
    auto signals = mappings::LoadSignalsOrError("");
    ASSERT_TRUE(signals.ok()) << signals.status();
    signals_ = *signals;
  }

  SalesforceCaseAdapter Adapter() const { return {signals_, policy_, QueueDirectory{}}; }

  // The select list of the REST subquery `(SELECT … FROM <relationship>)` of BuildQuery().
  static std::string SubqueryFields(std::string const& soql, std::string const& relationship) {
    auto const end = soql.find(" FROM " + relationship + ")");
    if (end == std::string::npos) return "";
    auto const begin = soql.rfind("(SELECT ", end);
    return soql.substr(begin + 8, end - begin - 8);
  }

  mappings::Policy policy_;
  mappings::SignalsMapping signals_;
};

constexpr char const* kCondition =
    "CreatedDate >= 2026-03-02T00:00:00Z AND CreatedDate < 2026-03-09T00:00:00Z";

TEST_F(SalesforceAdapterBulkTest, CaseQueryIsTheRestQueryWithoutSubqueriesAndOrder) {
  auto const adapter = Adapter();
  std::string const rest = adapter.BuildQuery(kCondition);
  auto q = adapter.BulkQueries(kCondition);
  ASSERT_TRUE(q.ok()) << q.status();
  std::string const rest_fields = rest.substr(0, rest.find(", (SELECT "));
  std::string const rest_where = rest.substr(rest.find(" FROM Case WHERE "),
                                             rest.find(" ORDER BY ") - rest.find(" FROM Case"));
  EXPECT_EQ(q->cases.soql, rest_fields + rest_where);
  EXPECT_THAT(q->cases.soql, HasSubstr("Owner.Name"));
  EXPECT_THAT(q->cases.soql, Not(HasSubstr("ORDER BY")));
  EXPECT_THAT(q->cases.soql, Not(HasSubstr("(SELECT")));
  EXPECT_EQ(q->order_by, (std::vector<std::string>{"SystemModstamp", "Id"}));
}

TEST_F(SalesforceAdapterBulkTest, EachRelationshipIsASemiJoinOnTheSameCases) {
  auto const adapter = Adapter();
  std::string const rest = adapter.BuildQuery(kCondition);
  auto q = adapter.BulkQueries(kCondition);
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->children.size(), signals_.salesforce.related.size());
  std::string const cases =
      "(SELECT Id FROM Case WHERE (CreatedDate >= 2026-03-02T00:00:00Z AND CreatedDate < "
      "2026-03-09T00:00:00Z))";
  // relationship -> {object, parent field}
  std::map<std::string, std::pair<std::string, std::string>> const expected = {
      {"EmailMessages", {"EmailMessage", "ParentId"}},
      {"Tasks", {"Task", "WhatId"}},
      {"Feeds", {"FeedItem", "ParentId"}},
      {"Histories", {"CaseHistory", "CaseId"}}};
  ASSERT_EQ(q->children.size(), expected.size());
  for (std::size_t i = 0; i < q->children.size(); ++i) {
    auto const& c = q->children[i];
    EXPECT_EQ(c.child.relationship, signals_.salesforce.related[i].first);  // same order
    auto const it = expected.find(c.child.relationship);
    ASSERT_NE(it, expected.end()) << c.child.relationship;
    auto const& [object, parent] = it->second;
    EXPECT_EQ(c.child.object, object);
    EXPECT_EQ(c.child.parent_field, parent);
    EXPECT_FALSE(c.parent_field_selected) << c.child.relationship;
    std::string const fields = SubqueryFields(rest, c.child.relationship);
    ASSERT_FALSE(fields.empty()) << c.child.relationship;
    std::string want = "SELECT " + fields;
    want += ", " + parent;
    want += " FROM " + object;
    want += " WHERE " + parent;
    want += " IN " + cases;
    EXPECT_EQ(c.query.soql, want);
    if (c.child.relationship == "Tasks") {
      EXPECT_THAT(c.query.soql, HasSubstr("Casebridge_Key__c"));
    }
  }
}

TEST_F(SalesforceAdapterBulkTest, ALinkFieldAlreadySelectedIsNotAddedTwice) {
  for (auto& [relationship, extra] : signals_.salesforce.related) {
    if (relationship == "EmailMessages") extra.push_back("ParentId");
  }
  auto q = Adapter().BulkQueries("");
  ASSERT_TRUE(q.ok()) << q.status();
  auto const& mail = q->children.front();
  ASSERT_EQ(mail.child.relationship, "EmailMessages");
  EXPECT_TRUE(mail.parent_field_selected);
  std::string const select = mail.query.soql.substr(0, mail.query.soql.find(" FROM "));
  EXPECT_EQ(select.find("ParentId"), select.rfind("ParentId")) << select;  // once
  EXPECT_THAT(mail.query.soql,
              ::testing::EndsWith("FROM EmailMessage WHERE ParentId IN (SELECT Id FROM Case)"));
}

TEST_F(SalesforceAdapterBulkTest, CaseWhereOfSignalsJoinsTheConditionEverywhere) {
  signals_.salesforce.case_fields.where = "Status != 'Spam'";
  auto q = Adapter().BulkQueries("CreatedDate >= 2026-03-02T00:00:00Z");
  ASSERT_TRUE(q.ok()) << q.status();
  std::string const where = "WHERE (CreatedDate >= 2026-03-02T00:00:00Z) AND (Status != 'Spam')";
  EXPECT_THAT(q->cases.soql, ::testing::EndsWith("FROM Case " + where));
  for (auto const& c : q->children) {
    EXPECT_THAT(c.query.soql, ::testing::EndsWith("(SELECT Id FROM Case " + where + ")"));
  }
}

TEST_F(SalesforceAdapterBulkTest, FieldsConvertReadsAsTimesFlagsAndNumbersAreTyped) {
  auto q = Adapter().BulkQueries("");
  ASSERT_TRUE(q.ok()) << q.status();
  auto const& t = q->cases.column_types;
  EXPECT_EQ(t.at("CreatedDate"), BulkColumnType::kDateTime);
  EXPECT_EQ(t.at("ClosedDate"), BulkColumnType::kDateTime);
  EXPECT_EQ(t.at("SystemModstamp"), BulkColumnType::kDateTime);
  EXPECT_EQ(t.at(policy_.relations.pre_m3_pto_field), BulkColumnType::kBoolean);
  EXPECT_EQ(t.at(policy_.relations.tier_field), BulkColumnType::kNumber);
  EXPECT_EQ(t.count("Subject"), 0U);
  for (auto const& c : q->children) {
    EXPECT_EQ(c.query.column_types.at("CreatedDate"), BulkColumnType::kDateTime);
    if (c.child.relationship == "EmailMessages") {
      EXPECT_EQ(c.query.column_types.at("MessageDate"), BulkColumnType::kDateTime);
      EXPECT_EQ(c.query.column_types.at("Incoming"), BulkColumnType::kBoolean);
      EXPECT_EQ(c.query.column_types.count("ToAddress"), 0U);
    }
    if (c.child.relationship == "Tasks") {
      EXPECT_EQ(c.query.column_types.at("CompletedDateTime"), BulkColumnType::kDateTime);
      EXPECT_EQ(c.query.column_types.count("Subject"), 0U);
      EXPECT_EQ(c.query.column_types.count("Escalation_Step__c"), 0U);  // "" + names: text
    }
  }
}

TEST_F(SalesforceAdapterBulkTest, UnknownRelationshipNeedsItsObjectNamed) {
  signals_.salesforce.related.emplace_back("Inspections__r", std::vector<std::string>{"Name"});
  auto const adapter = Adapter();
  auto q = adapter.BulkQueries("");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(q.status().info().field, "Inspections__r");
  EXPECT_THAT(q.status().message(), HasSubstr("'Inspections__r'"));
  auto children = StandardCaseChildObjects();
  children.push_back({"Inspections__r", "Inspection__c", "Case__c"});
  q = adapter.BulkQueries("", children);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->children.back().query.soql,
            "SELECT Id, Name, Case__c FROM Inspection__c WHERE Case__c IN (SELECT Id FROM Case)");
}

}  // namespace
}  // namespace casebridge::adapters
