// Semi-joins (`field IN (SELECT …)`) and anti-joins (`NOT IN`) in the emulator's SOQL: parsing,
// Salesforce's restrictions (one id/reference field selected, no nesting, at most two, not
// under OR/NOT, different inner and outer objects, matching id types), and evaluation in REST
// queries and Bulk jobs.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/sandbox/record_store.h"
#include "connector/sandbox/schema.h"
#include "connector/sandbox/sobject_writer.h"
#include "connector/sandbox/soql_engine.h"
#include "connector/sandbox/soql_parser.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;

Instant At(std::string_view iso) { return ParseInstant(iso).value(); }

// --- Parser ----------------------------------------------------------------------------------

std::string ParseError(std::string const& soql) {
  auto q = ParseSoql(soql);
  EXPECT_FALSE(q.ok()) << soql;
  if (q.ok()) return "";
  EXPECT_EQ(q.status().info().vendor_code, "MALFORMED_QUERY") << soql;
  EXPECT_EQ(q.status().info().http_status, 400) << soql;
  return q.status().message();
}

TEST(SoqlSemiJoinParser, ParsesSemiJoinAndAntiJoinWithTheirOwnWhere) {
  auto q = ParseSoql(
      "SELECT Id FROM Task WHERE Status = 'Open' AND WhatId IN (SELECT Id FROM Case WHERE "
      "(Status = 'New' OR Priority = 'High')) AND WhoId NOT IN (SELECT Id FROM Contact)");
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_TRUE(q->where);
  ASSERT_EQ(q->where->kind, SoqlCondition::Kind::kAnd);
  ASSERT_EQ(q->where->children.size(), 3U);
  SoqlCondition const& in = *q->where->children[1];
  EXPECT_EQ(in.kind, SoqlCondition::Kind::kIn);
  EXPECT_EQ(in.field.text, "WhatId");
  ASSERT_TRUE(in.semi_join);
  EXPECT_EQ(in.semi_join->from, "Case");
  ASSERT_EQ(in.semi_join->select.size(), 1U);
  EXPECT_EQ(in.semi_join->select[0].field.text, "Id");
  ASSERT_TRUE(in.semi_join->where);
  EXPECT_EQ(in.semi_join->where->kind, SoqlCondition::Kind::kOr);
  EXPECT_TRUE(in.values.empty());
  SoqlCondition const& not_in = *q->where->children[2];
  EXPECT_EQ(not_in.kind, SoqlCondition::Kind::kNotIn);
  ASSERT_TRUE(not_in.semi_join);
  EXPECT_EQ(not_in.semi_join->from, "Contact");
  EXPECT_FALSE(not_in.semi_join->where);
}

TEST(SoqlSemiJoinParser, SubSelectMustSelectExactlyOnePlainField) {
  EXPECT_NE(ParseError("SELECT Id FROM Case WHERE Id IN (SELECT WhatId, WhoId FROM Task)")
                .find("can only select one field"),
            std::string::npos);
  EXPECT_NE(ParseError("SELECT Id FROM Case WHERE Id IN (SELECT What.Id FROM Task)")
                .find("semi join sub selects can only query id fields, cannot use: 'What.Id'"),
            std::string::npos);
  EXPECT_NE(
      ParseError("SELECT Id FROM Case WHERE Id IN (SELECT COUNT() FROM Task)").find("COUNT()"),
      std::string::npos);
  ParseError("SELECT Id FROM Account WHERE Id IN (SELECT (SELECT Id FROM Tasks) FROM Case)");
}

TEST(SoqlSemiJoinParser, SubSelectTakesNoOrderByLimitOrOffset) {
  EXPECT_NE(ParseError("SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case ORDER BY Id)")
                .find("ORDER BY is not allowed in semi join sub-selects"),
            std::string::npos);
  EXPECT_NE(ParseError("SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case LIMIT 5)")
                .find("LIMIT is not allowed"),
            std::string::npos);
  EXPECT_NE(ParseError("SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case OFFSET 5)")
                .find("OFFSET is not allowed"),
            std::string::npos);
}

TEST(SoqlSemiJoinParser, NestedSemiJoinsAreRejectedWithTheirPosition) {
  std::string const msg = ParseError(
      "SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case WHERE ContactId IN (SELECT Id "
      "FROM Contact))");
  EXPECT_NE(msg.find("Nesting of semi join sub-selects is not supported"), std::string::npos)
      << msg;
  // The caret points at the inner SELECT (column 78, 1-based).
  EXPECT_NE(msg.find("ERROR at Row:1:Column:78"), std::string::npos) << msg;
}

TEST(SoqlSemiJoinParser, SemiJoinsAreNotAllowedUnderOrOrNot) {
  EXPECT_NE(ParseError("SELECT Id FROM Task WHERE Status = 'Open' OR WhatId IN (SELECT Id FROM "
                       "Case)")
                .find("not allowed with the 'OR' operator"),
            std::string::npos);
  EXPECT_NE(ParseError("SELECT Id FROM Task WHERE Status = 'Open' AND (Subject = 'x' OR WhatId "
                       "IN (SELECT Id FROM Case))")
                .find("'OR' operator"),
            std::string::npos);
  EXPECT_NE(ParseError("SELECT Id FROM Task WHERE NOT (WhatId IN (SELECT Id FROM Case))")
                .find("not allowed with the 'NOT' operator"),
            std::string::npos);
  // NOT IN is the anti-join, and an AND group in parentheses is still top level.
  EXPECT_TRUE(ParseSoql("SELECT Id FROM Task WHERE (Status = 'Open' AND WhatId NOT IN (SELECT Id "
                        "FROM Case)) AND Subject != null")
                  .ok());
}

TEST(SoqlSemiJoinParser, AtMostTwoSemiJoinsPerWhere) {
  std::string const two =
      "SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case) AND WhoId IN (SELECT Id FROM "
      "Contact)";
  EXPECT_TRUE(ParseSoql(two).ok());
  EXPECT_NE(ParseError(two + " AND OwnerId NOT IN (SELECT Id FROM User)")
                .find("Maximum of 2 semi join sub-selects"),
            std::string::npos);
}

TEST(SoqlSemiJoinParser, LeftOperandCannotTraverseARelationship) {
  EXPECT_NE(ParseError("SELECT Id FROM Task WHERE What.Id IN (SELECT Id FROM Case)")
                .find("not allowed on relationship fields: 'What.Id'"),
            std::string::npos);
}

TEST(SoqlSemiJoinParser, UnclosedSubSelectIsASyntaxError) {
  ParseError("SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case");
  ParseError("SELECT Id FROM Task WHERE WhatId IN (SELECT FROM Case)");
}

// --- Evaluation ------------------------------------------------------------------------------

class SoqlSemiJoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    user_ = Add("User",
                {{"Username", "dana@example.test"}, {"FirstName", "Dana"}, {"LastName", "Agent"}});
    installer_ = Add("Account", {{"Name", "SunPeak Installations"}});
    other_account_ = Add("Account", {{"Name", "Bright Roofs"}});
    contact_ = Add("Contact", {{"FirstName", "Maria"}, {"LastName", "Gonzalez"}});
    c1_ = Add("Case", {{"Subject", "Leaking roof"},
                       {"Status", "New"},
                       {"AccountId", installer_},
                       {"ContactId", contact_},
                       {"CreatedDate", "2026-03-02T14:05:00Z"}});
    c2_ = Add("Case", {{"Subject", "Inverter fault"},
                       {"Status", "Working"},
                       {"AccountId", other_account_},
                       {"CreatedDate", "2026-03-03T09:00:00Z"}});
    c3_ = Add("Case", {{"Subject", "Billing question"},
                       {"Status", "Closed"},
                       {"CreatedDate", "2026-03-04T08:00:00Z"}});
    Add("Task", {{"Subject", "Call installer"}, {"WhatId", c1_}, {"Status", "Completed"}});
    Add("Task", {{"Subject", "Follow up"}, {"WhatId", c1_}, {"Status", "Not Started"}});
    Add("Task", {{"Subject", "Send invoice"}, {"WhatId", c3_}, {"Status", "Not Started"}});
    Add("Task", {{"Subject", "Account review"}, {"WhatId", installer_}, {"Status", "Completed"}});
    Add("Task", {{"Subject", "Loose task"}, {"Status", "Not Started"}});
    Add("EmailMessage", {{"Subject", "Water in the attic"}, {"ParentId", c1_}, {"Incoming", true}});
    Add("EmailMessage", {{"Subject", "Re: inverter"}, {"ParentId", c2_}, {"Incoming", false}});
  }

  std::string Add(std::string const& object, json const& fields) {
    ObjectSchema const* o = schema_.Find(object);
    auto parsed = writer_.ParseBody(*o, fields, false);
    EXPECT_TRUE(std::holds_alternative<json>(parsed)) << std::get<WriteError>(parsed).message;
    WriteContext ctx;
    ctx.user_id = user_;
    ctx.now = At("2026-03-06T12:00:00Z");
    auto seeded = writer_.Seed(*o, std::get<json>(parsed), ctx);
    EXPECT_TRUE(std::holds_alternative<std::string>(seeded))
        << std::get<WriteError>(seeded).message;
    return std::get<std::string>(seeded);
  }

  static QueryOptions Options() {
    QueryOptions options;
    options.now = At("2026-03-06T18:00:00Z");
    return options;
  }

  StatusOr<QueryResult> Run(std::string const& soql) const {
    return SoqlEngine(schema_, store_).Run(soql, Options());
  }

  std::vector<std::string> Subjects(std::string const& soql) const {
    auto r = Run(soql);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (auto const& rec : r->records) out.push_back(rec.value("Subject", "<null>"));
    return out;
  }

  Status Error(std::string const& soql) const {
    auto r = Run(soql);
    EXPECT_FALSE(r.ok()) << soql;
    if (r.ok()) return OkStatus();
    EXPECT_EQ(r.status().info().http_status, 400) << soql;
    return r.status();
  }

  Schema schema_ = Schema::Standard({});
  RecordStore store_;
  SObjectWriter writer_{schema_, store_, WriterOptions{}};
  std::string user_, installer_, other_account_, contact_, c1_, c2_, c3_;
};

TEST_F(SoqlSemiJoinTest, ChildRecordsOfTheCasesTheSubSelectMatches) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Task WHERE WhatId IN (SELECT Id FROM Case WHERE "
                     "Status != 'Closed')"),
            (std::vector<std::string>{"Call installer", "Follow up"}));
  EXPECT_EQ(Subjects("SELECT Subject FROM EmailMessage WHERE ParentId IN (SELECT Id FROM Case "
                     "WHERE CreatedDate >= 2026-03-03T00:00:00Z)"),
            (std::vector<std::string>{"Re: inverter"}));
}

TEST_F(SoqlSemiJoinTest, ParentsSelectedThroughTheirChildrensReferenceField) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Id IN (SELECT WhatId FROM Task WHERE Status "
                     "= 'Completed')"),
            (std::vector<std::string>{"Leaking roof"}));
  // Child to child: cases whose account has a Task.
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE AccountId IN (SELECT WhatId FROM Task)"),
            (std::vector<std::string>{"Leaking roof"}));
}

TEST_F(SoqlSemiJoinTest, PolymorphicReferenceMatchesOnlyIdsOfTheSubSelectsObject) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Task WHERE WhatId IN (SELECT Id FROM Account)"),
            (std::vector<std::string>{"Account review"}));
}

TEST_F(SoqlSemiJoinTest, AntiJoinKeepsRecordsWithoutAMatchIncludingNullReferences) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Id NOT IN (SELECT WhatId FROM Task)"),
            (std::vector<std::string>{"Inverter fault"}));
  // As with `NOT IN ('…')`, a null reference is not in the list.
  EXPECT_EQ(Subjects("SELECT Subject FROM Task WHERE WhatId NOT IN (SELECT Id FROM Case)"),
            (std::vector<std::string>{"Account review", "Loose task"}));
}

TEST_F(SoqlSemiJoinTest, CombinesWithOtherFiltersOrderCountAndTwoSubSelects) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Task WHERE Status = 'Not Started' AND WhatId IN "
                     "(SELECT Id FROM Case) ORDER BY Subject DESC"),
            (std::vector<std::string>{"Send invoice", "Follow up"}));
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Id IN (SELECT WhatId FROM Task) AND Id IN "
                     "(SELECT ParentId FROM EmailMessage WHERE Incoming = true)"),
            (std::vector<std::string>{"Leaking roof"}));
  auto count = Run("SELECT COUNT() FROM Task WHERE WhatId IN (SELECT Id FROM Case)");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->total_size, 3);
}

TEST_F(SoqlSemiJoinTest, SemiJoinInsideAChildSubqueryFiltersTheChildren) {
  auto r =
      Run("SELECT Subject, (SELECT Subject FROM Tasks WHERE WhatId IN (SELECT Id FROM Case WHERE "
          "Status = 'New')) FROM Case ORDER BY CreatedDate");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 3U);
  EXPECT_EQ(r->records[0]["Tasks"]["totalSize"], 2);
  EXPECT_TRUE(r->records[2]["Tasks"].is_null());  // c3's task fails the sub-select
}

TEST_F(SoqlSemiJoinTest, LeftOperandMustBeAnIdOrReferenceField) {
  Status const s = Error("SELECT Id FROM Task WHERE Subject IN (SELECT Id FROM Case)");
  EXPECT_EQ(s.info().vendor_code, "MALFORMED_QUERY");
  EXPECT_NE(s.message().find("only allowed on id or reference fields, cannot use: 'Subject'"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("ERROR at Row:1:Column:27"), std::string::npos) << s.message();
}

TEST_F(SoqlSemiJoinTest, SubSelectMustQueryAnIdOrReferenceField) {
  Status const s = Error("SELECT Id FROM Case WHERE Id IN (SELECT Subject FROM Task)");
  EXPECT_EQ(s.info().vendor_code, "MALFORMED_QUERY");
  EXPECT_NE(s.message().find("semi join sub selects can only query id fields, cannot use: "
                             "'Subject'"),
            std::string::npos)
      << s.message();
}

TEST_F(SoqlSemiJoinTest, InnerAndOuterSelectsMustBeOnDifferentObjects) {
  Status const s = Error("SELECT Id FROM Case WHERE ParentId IN (SELECT Id FROM Case)");
  EXPECT_EQ(s.info().vendor_code, "MALFORMED_QUERY");
  EXPECT_NE(s.message().find("The inner and outer selects should not be on the same object type"),
            std::string::npos)
      << s.message();
}

TEST_F(SoqlSemiJoinTest, IdTypesOfBothSidesMustMatch) {
  Status const s = Error("SELECT Id FROM Case WHERE ContactId IN (SELECT Id FROM Account)");
  EXPECT_EQ(s.info().vendor_code, "MALFORMED_QUERY");
  EXPECT_NE(s.message().find("returns Account ids"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'ContactId' holds Contact ids"), std::string::npos) << s.message();
}

TEST_F(SoqlSemiJoinTest, UnknownNamesInTheSubSelectAreReported) {
  EXPECT_EQ(Error("SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Cases)").info().vendor_code,
            "INVALID_TYPE");
  EXPECT_EQ(Error("SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case WHERE Nope__c = 1)")
                .info()
                .vendor_code,
            "INVALID_FIELD");
  EXPECT_EQ(Error("SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case WHERE Status = 1)")
                .info()
                .vendor_code,
            "INVALID_FIELD");
}

TEST_F(SoqlSemiJoinTest, BulkJobsRunSemiJoins) {
  SoqlEngine engine(schema_, store_);
  std::string const soql =
      "SELECT Id, Subject, What.Type FROM Task WHERE WhatId IN (SELECT Id FROM Case WHERE "
      "Status = 'New')";
  EXPECT_TRUE(engine.CheckForBulk(soql, Options()).ok());
  auto csv = engine.RunForBulk(soql, Options());
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->object, "Task");
  ASSERT_EQ(csv->rows.size(), 2U);
  EXPECT_EQ(csv->rows[0][1], "Call installer");
  EXPECT_EQ(csv->rows[0][2], "Case");
  EXPECT_EQ(csv->rows[1][1], "Follow up");
  // The restrictions hold for Bulk jobs too.
  EXPECT_EQ(
      engine.CheckForBulk("SELECT Id FROM Case WHERE ParentId IN (SELECT Id FROM Case)", Options())
          .info()
          .vendor_code,
      "MALFORMED_QUERY");
}

}  // namespace
}  // namespace casebridge::sandbox
