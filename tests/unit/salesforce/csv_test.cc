#include "connector/salesforce/csv.h"

#include <gtest/gtest.h>

namespace casebridge::salesforce {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(Csv, ReadsHeaderAndRowsWithLfAndCrlf) {
  auto rows = ParseCsv("Id,Name\n1,Acme\r\n2,Solar\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"Id", "Name"}, {"1", "Acme"}, {"2", "Solar"}}));
}

TEST(Csv, QuotedFieldsKeepDelimitersNewlinesAndDoubledQuotes) {
  auto rows = ParseCsv(
      "Id,Description\n\"1\",\"line one\nline two, with comma\"\n"
      "2,\"she said \"\"hi\"\"\"\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3U);
  EXPECT_EQ((*rows)[1][1], "line one\nline two, with comma");
  EXPECT_EQ((*rows)[2][1], "she said \"hi\"");
}

TEST(Csv, EmptyFieldsAndMissingFinalNewline) {
  auto rows = ParseCsv("a,b,c\n,,\n1,,3");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"a", "b", "c"}, {"", "", ""}, {"1", "", "3"}}));
}

TEST(Csv, EmptyLineIsASingleNullFieldRecord) {
  auto rows = ParseCsv("Description\n\nx\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"Description"}, {""}, {"x"}}));
}

TEST(Csv, UnicodePassesThrough) {
  auto rows = ParseCsv("Name\n\"Zoë, Müller\"\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[1][0], "Zoë, Müller");
}

TEST(Csv, OtherDelimiters) {
  auto rows = ParseCsv("a|b\n\"x|y\"|z\n", '|');
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"a", "b"}, {"x|y", "z"}}));
}

TEST(Csv, MalformedInputIsAnErrorNamingTheLine) {
  auto unterminated = ParseCsv("a,b\n1,\"open\n2,3\n");
  EXPECT_EQ(unterminated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unterminated.status().message().find("line 2"), std::string::npos)
      << unterminated.status();
  auto stray = ParseCsv("a,b\n1,x\"y\n");
  EXPECT_EQ(stray.status().code(), StatusCode::kInvalidArgument);
  auto after = ParseCsv("a\n\"x\"y\n");
  EXPECT_EQ(after.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(after.status().info().line, 2);
}

TEST(Csv, ReaderReusesFieldStorageAcrossRecords) {
  CsvReader reader("a,b,c\n1\n");
  std::vector<std::string> fields;
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(fields.size(), 3U);
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"1"}));
  EXPECT_FALSE(reader.Next(fields));
  EXPECT_TRUE(reader.status().ok());
}

}  // namespace
}  // namespace casebridge::salesforce
