// The strict XML reader the metadata check parses deploy/salesforce with: what it accepts and
// that it refuses every kind of document that is not well-formed.
#include "tests/deploy/strict_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace casebridge::deploy_test {
namespace {

using ::testing::HasSubstr;

TEST(StrictXmlTest, ReadsElementsAttributesTextReferencesCdataAndComments) {
  auto doc = ParseXml(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<!-- a comment -->\n"
      "<Root xmlns='urn:x' a=\"1 &amp; 2\">\n"
      "  <v>Tom O&apos;Hearen &lt;&#65;&#x42;&gt; caf\xC3\xA9</v>\n"
      "  <!-- inside -->\n"
      "  <c><![CDATA[<raw> & ]]></c>\n"
      "  <e/>\n"
      "  <v>second</v>\n"
      "</Root>\n");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->name, "Root");
  ASSERT_NE(doc->Attribute("xmlns"), nullptr);
  EXPECT_EQ(*doc->Attribute("xmlns"), "urn:x");
  EXPECT_EQ(*doc->Attribute("a"), "1 & 2");
  auto const v = doc->Children("v");
  ASSERT_EQ(v.size(), 2U);
  EXPECT_EQ(v[0]->text, "Tom O'Hearen <AB> caf\xC3\xA9");
  EXPECT_EQ(v[0]->line, 4);
  EXPECT_EQ(v[1]->text, "second");
  EXPECT_EQ(doc->Children("c").front()->text, "<raw> & ");
  EXPECT_TRUE(doc->Children("e").front()->children.empty());
}

struct Malformed {
  char const* name;
  char const* xml;
  char const* error;
};
void PrintTo(Malformed const& m, std::ostream* os) { *os << m.name; }

class StrictXmlRejectsTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(StrictXmlRejectsTest, NamesTheLineAndTheProblem) {
  auto doc = ParseXml(GetParam().xml);
  ASSERT_FALSE(doc.ok()) << GetParam().xml;
  EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(doc.status().message(), HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    NotWellFormed, StrictXmlRejectsTest,
    ::testing::Values(
        Malformed{"Empty", "", "line 1: expected the root element"},
        Malformed{"MismatchedEndTag", "<a>\n<b></a></b>", "line 2: </a> closes <b> of line 2"},
        Malformed{"Unclosed", "<a><b></b>", "<a> of line 1 is not closed"},
        Malformed{"TwoRoots", "<a/><b/>", "content after the root element"},
        Malformed{"TextAfterRoot", "<a/>x", "content after the root element"},
        Malformed{"TextBeforeRoot", "x<a/>", "expected the root element"},
        Malformed{"UnknownEntity", "<a>&nbsp;</a>", "unknown entity &nbsp;"},
        Malformed{"BareAmpersand", "<a>Q & A</a>", "unterminated '&' reference"},
        Malformed{"BadCharReference", "<a>&#1;</a>", "bad character reference"},
        Malformed{"LessThanInText", "<a>1 < 2</a>", "expected an (ASCII) name"},
        Malformed{"CdataEndInText", "<a>]]></a>", "']]>' in character data"},
        Malformed{"DuplicateAttribute", "<a x='1' x='2'/>", "duplicate attribute x"},
        Malformed{"UnquotedAttribute", "<a x=1/>", "expected a quoted value"},
        Malformed{"LessThanInAttribute", "<a x='<'/>", "'<' in an attribute value"},
        Malformed{"AttributesRunTogether", "<a x='1'y='2'/>", "expected whitespace"},
        Malformed{"Doctype", "<!DOCTYPE a><a/>", "DOCTYPE"},
        Malformed{"ProcessingInstruction", "<a><?pi x?></a>", "processing instructions"},
        Malformed{"LateDeclaration", "<a/>\n<?xml version=\"1.0\"?>", "processing instructions"},
        Malformed{"WrongVersion", "<?xml version=\"1.1\"?><a/>", "version 1.0"},
        Malformed{"NotUtf8Declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
                  "encoding must be UTF-8"},
        Malformed{"InvalidUtf8", "<a>\xC3(</a>", "invalid UTF-8"},
        Malformed{"OverlongUtf8", "<a>\xC0\xAF</a>", "invalid UTF-8"},
        Malformed{"ControlCharacter", "<a>\x01</a>", "a character XML does not allow"},
        Malformed{"DoubleHyphenInComment", "<a><!-- a -- b --></a>", "'--' inside a comment"},
        Malformed{"UnterminatedComment", "<a><!-- a </a>", "unterminated comment"},
        Malformed{"NonAsciiName", "<caf\xC3\xA9/>", "expected whitespace"}),
    [](::testing::TestParamInfo<Malformed> const& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace casebridge::deploy_test
