// A strict, non-validating XML 1.0 reader for the Salesforce metadata source of deploy/salesforce.
//
// It accepts exactly the well-formed documents of the subset metadata files use — an optional
// XML declaration (version 1.0, UTF-8), comments, elements with attributes, character data with
// the five predefined entities and character references, CDATA sections — and rejects everything
// else with the line it happened on: malformed or unbalanced tags, a second root, text outside the
// root, invalid UTF-8 or control characters, unknown entities, duplicate attributes, `]]>` in
// text, DOCTYPEs and processing instructions (which metadata files never contain), and names
// outside ASCII. Namespaces are not interpreted: `xmlns` is an ordinary attribute here, and the
// metadata checker insists that only the root carries one and that no name has a prefix.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.h"

namespace casebridge::deploy_test {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;  // in document order, decoded
  std::vector<XmlElement> children;
  std::string text;  // the character data directly inside, decoded, CDATA included
  int line = 0;      // line of the start tag (1-based)

  /// The attribute's value, or nullptr.
  [[nodiscard]] std::string const* Attribute(std::string_view attribute) const;
  /// The children named `child`, in document order.
  [[nodiscard]] std::vector<XmlElement const*> Children(std::string_view child) const;
};

/// Parses a whole document. Errors: kInvalidArgument "line N: <what is wrong>".
StatusOr<XmlElement> ParseXml(std::string_view text);

}  // namespace casebridge::deploy_test
