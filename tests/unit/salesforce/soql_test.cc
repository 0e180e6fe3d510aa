#include "connector/salesforce/soql.h"

#include <gtest/gtest.h>

#include <optional>

namespace casebridge::salesforce {
namespace {

// Scans a SOQL string literal starting at s[0] == '\'' the way the SOQL lexer does (backslash
// escapes one character) and returns the index of the closing quote, or nullopt.
std::optional<std::size_t> ClosingQuote(std::string_view s) {
  if (s.empty() || s[0] != '\'') return std::nullopt;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '\'') return i;
  }
  return std::nullopt;
}

TEST(SoqlLiteral, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Soql::Literal("O'Brien"), R"('O\'Brien')");
  EXPECT_EQ(Soql::Literal(R"(say "hi")"), R"('say \"hi\"')");
  EXPECT_EQ(Soql::Literal(R"(C:\path)"), R"('C:\\path')");
  EXPECT_EQ(Soql::Literal("a\nb\rc\td"), R"('a\nb\rc\td')");
  EXPECT_EQ(Soql::Literal("x\by\fz"), R"('x\by\fz')");
  EXPECT_EQ(Soql::Literal(std::string("nul\0x", 5)), R"('nul\u0000x')");
  EXPECT_EQ(Soql::Literal("bell\x07"), R"('bell\u0007')");
  EXPECT_EQ(Soql::Literal(""), "''");
}

TEST(SoqlLiteral, BackslashIsEscapedBeforeQuoteSoItCannotEscapeTheEscape) {
  // A trailing backslash would otherwise escape the closing quote.
  EXPECT_EQ(Soql::Literal("ends with \\"), R"('ends with \\')");
  EXPECT_EQ(Soql::Literal("\\'"), R"('\\\'')");
}

TEST(SoqlLiteral, PercentAndUnderscoreAreLiteralOutsideLike) {
  EXPECT_EQ(Soql::Literal("50%_off"), "'50%_off'");
}

TEST(SoqlLiteral, UnicodePassesThroughUnchanged) {
  EXPECT_EQ(Soql::Literal("Zoë Müller — 太陽"), "'Zoë Müller — 太陽'");
}

TEST(SoqlLiteral, InjectionAttemptStaysOneLiteral) {
  for (std::string const attack :
       {"' OR Name != '", "x' OR Id != null OR Name = 'y", "\\' OR '1'='1", "'; DELETE",
        "\\\\' OR Name LIKE '%", "a'\n OR Name != '", "\\"}) {
    auto const lit = Soql::Literal(attack);
    auto const end = ClosingQuote(lit);
    ASSERT_TRUE(end.has_value()) << lit;
    EXPECT_EQ(*end, lit.size() - 1) << "literal ends early: " << lit;
  }
  EXPECT_EQ(Soql::Literal("' OR Name != '"), R"('\' OR Name != \'')");
}

TEST(SoqlLikeLiteral, EscapesWildcardsAndAddsRequestedOnes) {
  EXPECT_EQ(Soql::LikeLiteral("50%_off"), R"('50\%\_off')");
  EXPECT_EQ(Soql::LikeLiteral("Acme", LikeMatch::kPrefix), "'Acme%'");
  EXPECT_EQ(Soql::LikeLiteral("Acme", LikeMatch::kSuffix), "'%Acme'");
  EXPECT_EQ(Soql::LikeLiteral("it's 5%", LikeMatch::kContains), R"('%it\'s 5\%%')");
  auto const lit = Soql::LikeLiteral("' OR Name LIKE '%", LikeMatch::kContains);
  EXPECT_EQ(*ClosingQuote(lit), lit.size() - 1);
}

TEST(SoqlValue, DateTimesAreUnquotedUtcAndDatesPlain) {
  auto const t = *ParseInstant("2026-03-02T09:05:00-05:00");
  EXPECT_EQ(Soql::DateTime(t), "2026-03-02T14:05:00Z");
  EXPECT_EQ(Soql::Value(t), "2026-03-02T14:05:00Z");
  EXPECT_EQ(Soql::Value(*ParseDate("2026-03-02")), "2026-03-02");
  EXPECT_EQ(Soql::Value(true), "true");
  EXPECT_EQ(Soql::Value(std::int64_t{42}), "42");
  EXPECT_EQ(Soql::Value(1.5), "1.5");
  EXPECT_EQ(Soql::Value(nullptr), "null");
  EXPECT_EQ(Soql::Value(std::string("a'b")), R"('a\'b')");
}

TEST(SoqlIn, QuotesEveryValueAndRejectsEmptyListsAndBadFields) {
  auto in = Soql::In("Id", {"500A", "500'B"});
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(*in, R"(Id IN ('500A','500\'B'))");
  EXPECT_EQ(Soql::In("Id", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Soql::In("Id) OR (Name", {"x"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(SoqlNames, OnlyLettersDigitsUnderscoresAndDots) {
  EXPECT_TRUE(IsValidFieldPath("Owner.Name"));
  EXPECT_TRUE(IsValidFieldPath("Installer__r.Region__c"));
  EXPECT_TRUE(IsValidName("Ext_Id__c"));
  EXPECT_FALSE(IsValidName("Owner.Name"));
  EXPECT_FALSE(IsValidFieldPath("Name, (SELECT Id FROM Tasks)"));
  EXPECT_FALSE(IsValidFieldPath("Name'"));
  EXPECT_FALSE(IsValidFieldPath("Owner..Name"));
  EXPECT_FALSE(IsValidFieldPath(".Name"));
  EXPECT_FALSE(IsValidFieldPath("1Name"));
  EXPECT_FALSE(IsValidFieldPath(""));
  EXPECT_FALSE(IsValidFieldPath("Näme"));
}

TEST(SoqlBuilder, BuildsSelectWithEscapedConditions) {
  auto const t = *ParseInstant("2026-03-02T14:05:00.000+0000");
  auto soql = SoqlBuilder()
                  .Select({"Id", "CaseNumber", "Owner.Name"})
                  .From("Case")
                  .Where("Status", "=", std::string("New"))
                  .Where("SystemModstamp", ">", t)
                  .WhereIn("Id", {"500A", "500B"})
                  .WhereLike("Subject", "50%", LikeMatch::kPrefix)
                  .OrderBy("SystemModstamp")
                  .Limit(200)
                  .Build();
  ASSERT_TRUE(soql.ok()) << soql.status();
  EXPECT_EQ(*soql,
            "SELECT Id, CaseNumber, Owner.Name FROM Case WHERE Status = 'New' AND SystemModstamp "
            "> 2026-03-02T14:05:00Z AND Id IN ('500A','500B') AND Subject LIKE '50\\%%' ORDER "
            "BY SystemModstamp ASC LIMIT 200");
}

TEST(SoqlBuilder, CountQueryKeepsConditionsAndDropsOrdering) {
  auto count = SoqlBuilder()
                   .Select({"Id"})
                   .From("Case")
                   .Where("IsClosed", "=", false)
                   .OrderBy("CreatedDate", false)
                   .BuildCount();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, "SELECT COUNT() FROM Case WHERE IsClosed = false");
}

TEST(SoqlBuilder, InvalidNamesAndOperatorsAreReportedNotSpliced) {
  EXPECT_EQ(SoqlBuilder().Select({"Id"}).From("Case; DROP").Build().status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SoqlBuilder()
                .Select({"Id"})
                .From("Case")
                .Where("Name = 'x' OR Name", "=", std::string("y"))
                .Build()
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  auto bad_op =
      SoqlBuilder().Select({"Id"}).From("Case").Where("Name", "= 'x' OR Name =", std::string("y"));
  EXPECT_EQ(bad_op.Build().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SoqlBuilder().From("Case").Build().status().code(), StatusCode::kInvalidArgument);
}

TEST(SoqlBuilder, ValueFromARecordCannotAddACondition) {
  std::string const hostile = "x' OR Name != 'y";
  auto soql = SoqlBuilder().Select({"Id"}).From("Case").Where("Subject", "=", hostile).Build();
  ASSERT_TRUE(soql.ok());
  auto const pos = soql->find('\'');
  auto const lit = std::string_view(*soql).substr(pos);
  EXPECT_EQ(*ClosingQuote(lit), lit.size() - 1) << *soql;
}

}  // namespace
}  // namespace casebridge::salesforce
