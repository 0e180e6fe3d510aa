// What an org says about its objects (`GET /sobjects/{type}/describe`) and its limits
// (`GET /limits`), as plain structs. Describe answers for the calling user: an object's
// createable/updateable and a field's createable/updateable already account for that user's
// object and field-level permissions, which is why `casebridge doctor` reads access from it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"

namespace casebridge::salesforce {

struct FieldDescribe {
  std::string name;
  std::string type;  // describe type: "string", "picklist", "reference", "boolean", "double", …
  std::int64_t length = 0;
  bool createable = false;
  bool updateable = false;
  bool external_id = false;
  bool unique = false;
  std::vector<std::string> reference_to;
  std::vector<std::string> picklist_values;  // active values only
};

struct SObjectDescribe {
  std::string name;
  bool createable = false;
  bool updateable = false;
  bool queryable = false;
  std::vector<FieldDescribe> fields;

  /// The field of that API name (case-insensitive, as Salesforce resolves names), or nullptr.
  [[nodiscard]] FieldDescribe const* Field(std::string_view name) const;
};

struct OrgLimit {
  std::int64_t max = 0;
  std::int64_t remaining = 0;
};

/// Parses a describe response. kInternal (naming the member) when it is not the documented
/// shape: an object with `name` and a `fields` array of objects with `name` and `type`.
StatusOr<SObjectDescribe> ParseSObjectDescribe(std::string_view body);

/// Parses a /limits response: every member with numeric `Max` and `Remaining`.
StatusOr<std::map<std::string, OrgLimit>> ParseLimits(std::string_view body);

}  // namespace casebridge::salesforce
