// Escaping record values for each report format.
#include "connector/report/text_escape.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace casebridge::report::report_internal {
namespace {

std::string Html(std::string_view s) {
  std::string out;
  AppendHtml(out, s);
  return out;
}
std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}
std::string Csv(std::string_view s, bool guard = true) {
  std::string out;
  AppendCsvField(out, s, guard);
  return out;
}
std::string Md(std::string_view s) {
  std::string out;
  AppendMarkdown(out, s);
  return out;
}

TEST(HtmlEscape, ScriptTagsAndAttributeBreakoutsBecomeText) {
  EXPECT_EQ(Html("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(Html(R"("><img src=x onerror=alert(1)>)"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
  EXPECT_EQ(Html("Tom & Jerry"), "Tom &amp; Jerry");
}

TEST(HtmlEscape, ControlCharactersAndInvalidUtf8BecomeReplacementCharacters) {
  EXPECT_EQ(Html(std::string("a\x01") + "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(Html("line\nbreak\ttab"), "line\nbreak\ttab");
  EXPECT_EQ(Html("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");  // été passes through
  EXPECT_EQ(Html("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(Html("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated sequence
  EXPECT_EQ(Html("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(Html("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
}

TEST(JsonEscape, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(Json(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(Json("a\nb\rc\td\x01"), R"("a\nb\rc\td\u0001")");
  EXPECT_EQ(Json("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");  // emoji kept
  EXPECT_EQ(Json("x\xFEy"), "\"x\xEF\xBF\xBDy\"");
}

TEST(CsvEscape, FieldsWithSeparatorsQuotesOrLineBreaksAreQuoted) {
  EXPECT_EQ(Csv("plain"), "plain");
  EXPECT_EQ(Csv("a,b"), "\"a,b\"");
  EXPECT_EQ(Csv(R"(say "hi")"), R"("say ""hi""")");
  EXPECT_EQ(Csv("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Csv("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(Csv(" padded "), "\" padded \"");
  EXPECT_EQ(Csv(""), "");
}

TEST(CsvEscape, FormulaLookingValuesGetAnApostropheOnlyWhenGuarded) {
  EXPECT_EQ(Csv("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(Csv("+1"), "'+1");
  EXPECT_EQ(Csv("-2"), "'-2");
  EXPECT_EQ(Csv("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(Csv("=1", /*guard=*/false), "=1");
  EXPECT_EQ(Csv("a=b"), "a=b");
}

TEST(MarkdownEscape, MarkupCharactersAreBackslashedAndLinesJoined) {
  EXPECT_EQ(Md("<script>x</script>"), "\\<script\\>x\\</script\\>");
  EXPECT_EQ(Md("a|b"), "a\\|b");
  EXPECT_EQ(Md("*bold* _it_ [link](u) `code`"), "\\*bold\\* \\_it\\_ \\[link\\](u) \\`code\\`");
  EXPECT_EQ(Md("one\ntwo\r\nthree"), "one two  three");
  EXPECT_EQ(Md("Tom & Jerry!"), "Tom \\& Jerry\\!");
}

TEST(UrlPathSegment, ReservedCharactersArePercentEncoded) {
  std::string out;
  AppendUrlPathSegment(out, "500A/../x y?z#\xC3\xA9");
  EXPECT_EQ(out, "500A%2F..%2Fx%20y%3Fz%23%C3%A9");
}

}  // namespace
}  // namespace casebridge::report::report_internal
