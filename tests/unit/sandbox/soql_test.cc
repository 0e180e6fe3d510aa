// The emulator's SOQL subset: tokenizer (official escape table), parser (syntax errors as
// MALFORMED_QUERY), and evaluation against an in-memory org (operators, relationship fields,
// child subqueries, ORDER BY/LIMIT/OFFSET, date literals, type checks).
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/sandbox/record_store.h"
#include "connector/sandbox/schema.h"
#include "connector/sandbox/sf_ids.h"
#include "connector/sandbox/sobject_writer.h"
#include "connector/sandbox/soql_engine.h"
#include "connector/sandbox/soql_lexer.h"
#include "connector/sandbox/soql_parser.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;

Instant At(std::string_view iso) { return ParseInstant(iso).value(); }

class SoqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(schema_
                    .DeclareFields(json::parse(R"({
      "Case": {"Installer__c": {"type": "reference", "referenceTo": "Account",
                                "childRelationshipName": "Installer_Cases__r"},
               "Escalation_Tier__c": "number"},
      "Account": {"Escalation_Phone__c": "phone"}})"))
                    .ok());
    user_ = Add("User",
                {{"Username", "dana@example.test"}, {"FirstName", "Dana"}, {"LastName", "Agent"}});
    queue_ = Add("Group",
                 {{"Name", "Back Office"}, {"Type", "Queue"}, {"DeveloperName", "Back_Office"}});
    installer_ = Add(
        "Account", {{"Name", "SunPeak Installations"}, {"Escalation_Phone__c", "+1 512 555 9000"}});
    contact_ = Add("Contact", {{"FirstName", "Maria"}, {"LastName", "Gonzalez"}});
    c1_ = Add("Case", {{"Subject", "Leaking roof"},
                       {"Status", "New"},
                       {"Priority", "High"},
                       {"OwnerId", queue_},
                       {"Installer__c", installer_},
                       {"ContactId", contact_},
                       {"Escalation_Tier__c", 3},
                       {"CreatedDate", "2026-03-02T14:05:00Z"}});
    c2_ = Add("Case", {{"Subject", "50% off? it's a_deal"},
                       {"Status", "Working"},
                       {"Priority", "Medium"},
                       {"OwnerId", user_},
                       {"Escalation_Tier__c", 1},
                       {"CreatedDate", "2026-03-05T09:00:00-05:00"}});
    c3_ = Add("Case", {{"Subject", "Line\nbreak \"quoted\" back\\slash"},
                       {"Status", "Closed"},
                       {"OwnerId", user_},
                       {"CreatedDate", "2026-03-06T08:00:00Z"}});
    Add("Task", {{"Subject", "Call installer"},
                 {"WhatId", c1_},
                 {"Status", "Completed"},
                 {"ActivityDate", "2026-03-03"},
                 {"CreatedDate", "2026-03-02T15:00:00Z"}});
    Add("Task", {{"Subject", "Follow up"},
                 {"WhatId", c1_},
                 {"Status", "Not Started"},
                 {"ActivityDate", "2026-03-09"},
                 {"CreatedDate", "2026-03-03T15:00:00Z"}});
    Add("Task", {{"Subject", "Unrelated"}, {"WhatId", installer_}, {"Status", "Not Started"}});
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

  StatusOr<QueryResult> Run(std::string const& soql, bool include_deleted = false) {
    SoqlEngine engine(schema_, store_);
    QueryOptions options;
    options.now = now_;
    options.include_deleted = include_deleted;
    options.api_version = "62.0";
    return engine.Run(soql, options);
  }

  std::vector<std::string> Subjects(std::string const& soql) {
    auto r = Run(soql);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (auto const& rec : r->records) out.push_back(rec.value("Subject", "<null>"));
    return out;
  }

  std::string ErrorCode(std::string const& soql) {
    auto r = Run(soql);
    EXPECT_FALSE(r.ok()) << soql;
    if (r.ok()) return "";
    EXPECT_EQ(r.status().info().http_status, 400);
    return r.status().info().vendor_code;
  }

  Schema schema_ = Schema::Standard({});
  RecordStore store_;
  SObjectWriter writer_{schema_, store_, WriterOptions{}};
  Instant now_ = At("2026-03-06T18:00:00Z");
  std::string user_, queue_, installer_, contact_, c1_, c2_, c3_;
};

// --- Tokenizer -------------------------------------------------------------------------------

TEST(SoqlLexer, DecodesTheOfficialEscapeSequences) {
  auto tokens =
      TokenizeSoql(R"(SELECT Id FROM Case WHERE Subject = 'a\'b\"c\\d\ne\tf\rg\bh\fi\u00e9\N')");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  Token const& s = (*tokens)[tokens->size() - 2];
  ASSERT_EQ(s.kind, TokenKind::kString);
  EXPECT_EQ(s.value, "a'b\"c\\d\ne\tf\rg\bh\fi\xC3\xA9\n");
  EXPECT_FALSE(s.like_only_escape);
}

TEST(SoqlLexer, RejectsUnknownBackslashSequence) {
  auto tokens = TokenizeSoql(R"(SELECT Id FROM Case WHERE Subject = 'a\qb')");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().info().vendor_code, "MALFORMED_QUERY");
  EXPECT_NE(tokens.status().message().find("ERROR at Row:1:Column:39"), std::string::npos)
      << tokens.status().message();
}

TEST(SoqlLexer, RejectsUnterminatedString) {
  auto tokens = TokenizeSoql("SELECT Id FROM Case WHERE Subject = 'abc");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().info().vendor_code, "MALFORMED_QUERY");
}

TEST(SoqlLexer, ReadsDateAndDateTimeLiterals) {
  auto tokens = TokenizeSoql(
      "2026-03-02 2026-03-02T14:05:00Z 2026-03-02T09:05:00-05:00 2026-03-02T19:35:00+05:30");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 5U);
  EXPECT_EQ((*tokens)[0].kind, TokenKind::kDate);
  EXPECT_EQ((*tokens)[1].value, "2026-03-02T14:05:00.000+0000");
  EXPECT_EQ((*tokens)[2].value, "2026-03-02T14:05:00.000+0000");
  EXPECT_EQ((*tokens)[3].value, "2026-03-02T14:05:00.000+0000");
}

TEST(SoqlLexer, RejectsDateTimeWithoutOffset) {
  EXPECT_FALSE(TokenizeSoql("SELECT Id FROM Case WHERE CreatedDate > 2026-03-02T14:05:00").ok());
  // A '+' that arrived unencoded in a URL became a space: the literal is incomplete.
  EXPECT_FALSE(
      TokenizeSoql("SELECT Id FROM Case WHERE CreatedDate > 2026-03-02T14:05:00 05:00").ok());
}

// --- Parser ----------------------------------------------------------------------------------

TEST(SoqlParser, ParsesSelectWithSubqueryOrderLimitOffset) {
  auto q = ParseSoql(
      "select Id, Owner.Name, (SELECT Id FROM Tasks WHERE IsClosed = false) from Case "
      "where Status != 'Closed' and (Priority = 'High' or Escalation_Tier__c >= 3) "
      "order by CreatedDate desc nulls last, Id limit 10 offset 5");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->from, "Case");
  ASSERT_EQ(q->select.size(), 3U);
  EXPECT_EQ(q->select[1].field.parts, (std::vector<std::string>{"Owner", "Name"}));
  EXPECT_EQ(q->select[2].kind, SoqlSelectItem::Kind::kSubquery);
  EXPECT_EQ(q->where->kind, SoqlCondition::Kind::kAnd);
  EXPECT_EQ(q->where->children[1]->kind, SoqlCondition::Kind::kOr);
  ASSERT_EQ(q->order_by.size(), 2U);
  EXPECT_TRUE(q->order_by[0].descending);
  EXPECT_EQ(q->order_by[0].nulls_first, false);
  EXPECT_EQ(q->limit, 10);
  EXPECT_EQ(q->offset, 5);
}

TEST(SoqlParser, MixingAndWithOrNeedsParentheses) {
  auto q = ParseSoql("SELECT Id FROM Case WHERE Status = 'New' AND Priority = 'High' OR Id = null");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().info().vendor_code, "MALFORMED_QUERY");
  EXPECT_NE(q.status().message().find("parentheses"), std::string::npos);
}

TEST(SoqlParser, ReportsSyntaxErrorsAsMalformedQuery) {
  for (char const* bad :
       {"SELECT FROM Case", "SELECT Id Case", "SELECT Id FROM Case WHERE",
        "SELECT Id FROM Case WHERE Subject LIKE 5", "SELECT Id FROM Case LIMIT -1",
        "SELECT Id FROM Case extra", "SELECT Id, COUNT() FROM Case",
        "SELECT Id FROM Case WHERE Id = :x", "SELECT Id FROM Case WHERE CreatedDate = LAST_WEEK"}) {
    auto q = ParseSoql(bad);
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_EQ(q.status().info().vendor_code, "MALFORMED_QUERY") << bad;
    EXPECT_EQ(q.status().info().http_status, 400);
  }
}

TEST(SoqlParser, DeepNestingIsAnErrorNotACrash) {
  std::string const soql = "SELECT Id FROM Case WHERE " + std::string(50000, '(') + "Id = null" +
                           std::string(50000, ')');
  auto q = ParseSoql(soql);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().info().vendor_code, "MALFORMED_QUERY");
  std::string nots = "SELECT Id FROM Case WHERE ";
  for (int i = 0; i < 20000; ++i) nots += "NOT ";
  EXPECT_FALSE(ParseSoql(nots + "Id = null").ok());
  EXPECT_TRUE(ParseSoql("SELECT Id FROM Case WHERE ((NOT (Id = null)))").ok());
}

TEST(SoqlParser, UnsupportedClausesSaySo) {
  auto q = ParseSoql("SELECT Status FROM Case GROUP BY Status");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("not supported by the casebridge Salesforce emulator"),
            std::string::npos)
      << q.status().message();
}

// --- Evaluation ------------------------------------------------------------------------------

TEST_F(SoqlTest, EqualsOnTextIsCaseInsensitive) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Status = 'new'"),
            std::vector<std::string>{"Leaking roof"});
}

TEST_F(SoqlTest, NotEqualsIncludesNullValues) {
  // SOQL != keeps records whose field is null (unlike SQL).
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Installer__c != '" + installer_ + "'").size(),
            2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Installer__c = null").size(), 2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Installer__c != null").size(), 1U);
}

TEST_F(SoqlTest, OrderedComparisonsOnNumbersDateTimesAndDates) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Escalation_Tier__c > 1"),
            std::vector<std::string>{"Leaking roof"});
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Escalation_Tier__c <= 1").size(), 1U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE CreatedDate >= 2026-03-05T14:00:00Z").size(),
            2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE CreatedDate < 2026-03-05T09:00:00-05:00"),
            std::vector<std::string>{"Leaking roof"});
  auto tasks = Run("SELECT Subject FROM Task WHERE ActivityDate > 2026-03-05");
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->records.size(), 1U);
  EXPECT_EQ(tasks->records[0].value("Subject", ""), "Follow up");
}

TEST_F(SoqlTest, InAndNotIn) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Status IN ('New', 'CLOSED')").size(), 2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Status NOT IN ('New', 'Closed')"),
            std::vector<std::string>{"50% off? it's a_deal"});
  EXPECT_EQ(
      Subjects("SELECT Subject FROM Case WHERE Id IN ('" + c1_ + "', '" + c2_.substr(0, 15) + "')")
          .size(),
      2U);
}

TEST_F(SoqlTest, LikeWildcardsAndEscapes) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject LIKE 'leak%'"),
            std::vector<std::string>{"Leaking roof"});
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject LIKE '_eaking%'").size(), 1U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject LIKE '50\\% off%'").size(), 1U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject LIKE '%a\\_deal'").size(), 1U);
  // An escaped wildcard only matches itself.
  EXPECT_TRUE(Subjects("SELECT Subject FROM Case WHERE Subject LIKE 'Leaking\\%'").empty());
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject LIKE '%\\\\slash'").size(), 1U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject LIKE '%\\\"quoted\\\"%'").size(), 1U);
}

TEST_F(SoqlTest, LikeOnlyEscapesAreRejectedOutsideLike) {
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case WHERE Subject = '50\\% off'"), "MALFORMED_QUERY");
}

TEST_F(SoqlTest, EscapedStringLiteralMatchesStoredValue) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject = 'Line\\nbreak \\\"quoted\\\" "
                     "back\\\\slash'")
                .size(),
            1U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Subject = '50% off? it\\'s a_deal'").size(),
            1U);
}

TEST_F(SoqlTest, AndOrNotCombine) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Status = 'New' OR Status = 'Working'").size(),
            2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE (Status = 'New' OR Status = 'Working') AND "
                     "Priority = 'High'"),
            std::vector<std::string>{"Leaking roof"});
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE NOT Status = 'New'").size(), 2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Priority = 'Medium' AND (NOT Status = "
                     "'Closed')"),
            std::vector<std::string>{"50% off? it's a_deal"});
}

TEST_F(SoqlTest, IdsMatchIn15And18CharacterForms) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Id = '" + c1_.substr(0, 15) + "'").size(), 1U);
  std::string lower = c1_;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Id = '" + lower + "'").size(), 1U);
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case WHERE Id = 'not-an-id'"),
            "INVALID_QUERY_FILTER_OPERATOR");
}

TEST_F(SoqlTest, FilterValuesMustMatchTheFieldType) {
  auto r = Run("SELECT Id FROM Case WHERE CreatedDate > '2026-03-02T00:00:00Z'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().info().vendor_code, "INVALID_FIELD");
  EXPECT_NE(r.status().message().find("must be of type dateTime and should not be enclosed in "
                                      "quotes"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case WHERE CreatedDate > 2026-03-02"), "INVALID_FIELD");
  EXPECT_EQ(ErrorCode("SELECT Id FROM Task WHERE ActivityDate > 2026-03-02T00:00:00Z"),
            "INVALID_FIELD");
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case WHERE Subject = 5"), "INVALID_FIELD");
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case WHERE IsClosed = 'true'"), "INVALID_FIELD");
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case WHERE Escalation_Tier__c = '3'"), "INVALID_FIELD");
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case WHERE IsClosed LIKE 'x'"),
            "INVALID_QUERY_FILTER_OPERATOR");
}

TEST_F(SoqlTest, UnknownNamesAreReportedWithPosition) {
  auto r = Run("SELECT Id, Bogus__c FROM Case");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().info().vendor_code, "INVALID_FIELD");
  EXPECT_NE(r.status().message().find("No such column 'Bogus__c' on entity 'Case'"),
            std::string::npos);
  EXPECT_NE(r.status().message().find("ERROR at Row:1:Column:12"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(ErrorCode("SELECT Id FROM Widget"), "INVALID_TYPE");
  EXPECT_EQ(ErrorCode("SELECT Id, Bogus.Name FROM Case"), "INVALID_FIELD");
  EXPECT_EQ(ErrorCode("SELECT Id, (SELECT Id FROM Widgets) FROM Case"), "INVALID_TYPE");
  EXPECT_EQ(ErrorCode("SELECT Id, id FROM Case"), "MALFORMED_QUERY");
}

TEST_F(SoqlTest, RelationshipFieldsRenderAsNestedRecords) {
  auto r =
      Run("SELECT Id, Owner.Name, Owner.Type, Installer__r.Escalation_Phone__c, "
          "Contact.Name FROM Case ORDER BY CreatedDate");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 3U);
  auto const& first = r->records[0];
  EXPECT_EQ(first["Owner"]["attributes"]["type"], "Group");
  EXPECT_EQ(first["Owner"]["Name"], "Back Office");
  EXPECT_EQ(first["Owner"]["Type"], "Queue");
  EXPECT_EQ(first["Installer__r"]["Escalation_Phone__c"], "+1 512 555 9000");
  EXPECT_EQ(first["Contact"]["Name"], "Maria Gonzalez");
  auto const& second = r->records[1];
  EXPECT_EQ(second["Owner"]["attributes"]["type"], "User");
  EXPECT_EQ(second["Owner"]["Name"], "Dana Agent");
  EXPECT_EQ(second["Owner"]["Type"], "User");
  EXPECT_TRUE(second["Installer__r"].is_null());
  EXPECT_TRUE(second["Contact"].is_null());
  // Key order follows the SELECT list, after "attributes".
  std::vector<std::string> keys;
  for (auto const& [k, v] : first.items()) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"attributes", "Id", "Owner", "Installer__r", "Contact"}));
}

TEST_F(SoqlTest, RelationshipFieldsFilterAndNullParentsMatchNull) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Owner.Name = 'back office'"),
            std::vector<std::string>{"Leaking roof"});
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Contact.LastName = null").size(), 2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE Owner.Type = 'Queue'").size(), 1U);
}

TEST_F(SoqlTest, ChildSubqueriesFilterSortAndLimit) {
  auto r =
      Run("SELECT Subject, (SELECT Subject, Status FROM Tasks WHERE Status != 'Deferred' "
          "ORDER BY CreatedDate DESC LIMIT 5) FROM Case ORDER BY CreatedDate");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 3U);
  auto const& tasks = r->records[0]["Tasks"];
  EXPECT_EQ(tasks["totalSize"], 2);
  EXPECT_EQ(tasks["done"], true);
  ASSERT_EQ(tasks["records"].size(), 2U);
  EXPECT_EQ(tasks["records"][0]["Subject"], "Follow up");
  EXPECT_EQ(tasks["records"][0]["attributes"]["type"], "Task");
  EXPECT_TRUE(r->records[1]["Tasks"].is_null());  // no children -> null, not an empty list

  auto accounts = Run("SELECT Name, (SELECT Subject FROM Installer_Cases__r) FROM Account");
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  EXPECT_EQ(accounts->records[0]["Installer_Cases__r"]["totalSize"], 1);
}

TEST_F(SoqlTest, OrderByDirectionsAndNulls) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case ORDER BY CreatedDate DESC"),
            (std::vector<std::string>{"Line\nbreak \"quoted\" back\\slash", "50% off? it's a_deal",
                                      "Leaking roof"}));
  // ASC puts nulls first by default; NULLS LAST moves them.
  EXPECT_EQ(Subjects("SELECT Subject FROM Case ORDER BY Escalation_Tier__c").front(),
            "Line\nbreak \"quoted\" back\\slash");
  EXPECT_EQ(Subjects("SELECT Subject FROM Case ORDER BY Escalation_Tier__c NULLS LAST").back(),
            "Line\nbreak \"quoted\" back\\slash");
  EXPECT_EQ(Subjects("SELECT Subject FROM Case ORDER BY Escalation_Tier__c DESC").back(),
            "Line\nbreak \"quoted\" back\\slash");
  EXPECT_EQ(Subjects("SELECT Subject FROM Case ORDER BY Priority, CreatedDate DESC"),
            (std::vector<std::string>{"Leaking roof", "Line\nbreak \"quoted\" back\\slash",
                                      "50% off? it's a_deal"}));
}

TEST_F(SoqlTest, LimitOffsetAndCount) {
  EXPECT_EQ(Subjects("SELECT Subject FROM Case ORDER BY CreatedDate LIMIT 1"),
            std::vector<std::string>{"Leaking roof"});
  EXPECT_EQ(Subjects("SELECT Subject FROM Case ORDER BY CreatedDate LIMIT 1 OFFSET 1"),
            std::vector<std::string>{"50% off? it's a_deal"});
  auto count = Run("SELECT COUNT() FROM Case WHERE Status != 'Closed'");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_TRUE(count->count_only);
  EXPECT_EQ(count->total_size, 2);
  EXPECT_TRUE(count->records.empty());
  EXPECT_EQ(ErrorCode("SELECT Id FROM Case OFFSET 2001"), "NUMBER_OUTSIDE_VALID_RANGE");
}

TEST_F(SoqlTest, DateLiteralsAreUtcDayRanges) {
  // now = 2026-03-06T18:00Z: TODAY is 03-06, LAST_N_DAYS:1 covers 03-05 and 03-06.
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE CreatedDate = TODAY").size(), 1U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE CreatedDate = YESTERDAY"),
            std::vector<std::string>{"50% off? it's a_deal"});
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE CreatedDate = LAST_N_DAYS:1").size(), 2U);
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE CreatedDate < LAST_N_DAYS:3"),
            std::vector<std::string>{"Leaking roof"});
  EXPECT_EQ(Subjects("SELECT Subject FROM Case WHERE CreatedDate = N_DAYS_AGO:4"),
            std::vector<std::string>{"Leaking roof"});
  auto tasks = Run("SELECT Subject FROM Task WHERE ActivityDate = NEXT_N_DAYS:3");
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  EXPECT_EQ(tasks->records.size(), 1U);
}

TEST_F(SoqlTest, DeletedRecordsOnlyInQueryAll) {
  Record* r = store_.FindMutable(c3_);
  WriteContext ctx;
  ctx.user_id = user_;
  ctx.now = now_;
  ASSERT_FALSE(writer_.Delete(*r, ctx).has_value());
  EXPECT_EQ(Subjects("SELECT Subject FROM Case").size(), 2U);
  auto all = Run("SELECT Subject, IsDeleted FROM Case WHERE IsDeleted = true", true);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->records.size(), 1U);
  EXPECT_EQ(all->records[0]["IsDeleted"], true);
}

TEST_F(SoqlTest, OutputUsesCanonicalNamesAndRestDateTimes) {
  auto r = Run("select subject, createddate, CASENUMBER from case where id = '" + c2_ + "'");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->records.size(), 1U);
  auto const& rec = r->records[0];
  EXPECT_EQ(rec["CreatedDate"], "2026-03-05T14:00:00.000+0000");
  EXPECT_TRUE(rec.contains("Subject"));
  EXPECT_TRUE(rec.contains("CaseNumber"));
  EXPECT_EQ(rec["attributes"]["url"], "/services/data/v62.0/sobjects/Case/" + c2_);
  EXPECT_EQ(rec["attributes"]["type"], "Case");
}

TEST_F(SoqlTest, BulkRendersFlatCsvValues) {
  SoqlEngine engine(schema_, store_);
  QueryOptions options;
  options.now = now_;
  auto csv = engine.RunForBulk(
      "SELECT Id, Owner.Name, CreatedDate, Escalation_Tier__c, IsClosed FROM Case ORDER BY "
      "CreatedDate LIMIT 2",
      options);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->columns, (std::vector<std::string>{"Id", "Owner.Name", "CreatedDate",
                                                    "Escalation_Tier__c", "IsClosed"}));
  ASSERT_EQ(csv->rows.size(), 2U);
  EXPECT_EQ(csv->rows[0], (std::vector<std::string>{c1_, "Back Office", "2026-03-02T14:05:00.000Z",
                                                    "3", "false"}));
  EXPECT_FALSE(engine.CheckForBulk("SELECT COUNT() FROM Case", options).ok());
  EXPECT_FALSE(engine.CheckForBulk("SELECT Id, (SELECT Id FROM Tasks) FROM Case", options).ok());
}

// --- Ids -------------------------------------------------------------------------------------

TEST(SalesforceIds, ChecksumEncodesUpperCasePositions) {
  // "005Dn" has one upper-case letter at position 3 -> bit 3 -> 'I'; the rest are digits.
  EXPECT_EQ(NormalizeId("005Dn0000000002"), "005Dn0000000002IAA");
  EXPECT_EQ(NormalizeId("500aBcDe0000000"), "500aBcDe0000000" + IdChecksum("500aBcDe0000000"));
  EXPECT_EQ(IdChecksum("ABCDEABCDEABCDE"), "555");
}

TEST(SalesforceIds, EighteenCharacterIdsAreCaseInsensitive) {
  EXPECT_EQ(NormalizeId("005dn0000000002iaa"), "005Dn0000000002IAA");
  EXPECT_TRUE(SameId("005Dn0000000002", "005DN0000000002IAA"));
  EXPECT_FALSE(SameId("005Dn0000000002", "005dn0000000002"));  // 15 chars: case-sensitive
  EXPECT_FALSE(NormalizeId("005Dn00000000").has_value());
  EXPECT_FALSE(NormalizeId("005Dn000000000!").has_value());
  EXPECT_FALSE(NormalizeId("005Dn0000000002ZAA").has_value());  // bit set on a digit
}

TEST(SalesforceIds, MakeIdUsesKeyPrefixAndBase62Sequence) {
  std::string const id = MakeId("500", 63);
  EXPECT_EQ(id.size(), 18U);
  EXPECT_EQ(id.substr(0, 15), "500Dn0000000011");
  EXPECT_EQ(NormalizeId(id), id);
}

}  // namespace
}  // namespace casebridge::sandbox
