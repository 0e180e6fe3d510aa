#include "connector/salesforce/describe.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace casebridge::salesforce {
namespace {

using nlohmann::json;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool Flag(json const& o, char const* key) {
  return o.contains(key) && o.at(key).is_boolean() && o.at(key).get<bool>();
}

std::string Text(json const& o, char const* key) {
  return o.contains(key) && o.at(key).is_string() ? o.at(key).get<std::string>() : std::string();
}

StatusOr<FieldDescribe> ParseField(json const& f, std::size_t index) {
  std::string const where = "describe: fields[" + std::to_string(index) + "]";
  if (!f.is_object() || Text(f, "name").empty() || Text(f, "type").empty()) {
    return InternalError(where + " is not an object with a name and a type");
  }
  FieldDescribe d;
  d.name = Text(f, "name");
  d.type = Text(f, "type");
  if (f.contains("length") && f.at("length").is_number_integer()) {
    d.length = f.at("length").get<std::int64_t>();
  }
  d.createable = Flag(f, "createable");
  d.updateable = Flag(f, "updateable");
  d.external_id = Flag(f, "externalId");
  d.unique = Flag(f, "unique");
  if (f.contains("referenceTo") && f.at("referenceTo").is_array()) {
    for (auto const& t : f.at("referenceTo")) {
      if (t.is_string()) d.reference_to.push_back(t.get<std::string>());
    }
  }
  if (f.contains("picklistValues") && f.at("picklistValues").is_array()) {
    for (auto const& v : f.at("picklistValues")) {
      // Inactive values are kept by Salesforce for old records but cannot be written.
      if (v.is_object() && !Text(v, "value").empty() &&
          (!v.contains("active") || Flag(v, "active"))) {
        d.picklist_values.push_back(Text(v, "value"));
      }
    }
  }
  return d;
}

}  // namespace

FieldDescribe const* SObjectDescribe::Field(std::string_view field_name) const {
  for (auto const& f : fields) {
    if (EqualsIgnoreCase(f.name, field_name)) return &f;
  }
  return nullptr;
}

StatusOr<SObjectDescribe> ParseSObjectDescribe(std::string_view body) {
  json const doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || Text(doc, "name").empty() ||
      !doc.contains("fields") || !doc.at("fields").is_array()) {
    return InternalError("describe: expected an object with `name` and a `fields` array");
  }
  SObjectDescribe d;
  d.name = Text(doc, "name");
  d.createable = Flag(doc, "createable");
  d.updateable = Flag(doc, "updateable");
  d.queryable = Flag(doc, "queryable");
  auto const& fields = doc.at("fields");
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto field = ParseField(fields[i], i);
    if (!field.ok()) return field.status();
    d.fields.push_back(*std::move(field));
  }
  return d;
}

StatusOr<std::map<std::string, OrgLimit>> ParseLimits(std::string_view body) {
  json const doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InternalError("limits: expected a JSON object of limits");
  }
  std::map<std::string, OrgLimit> out;
  for (auto const& [name, limit] : doc.items()) {
    if (!limit.is_object() || !limit.contains("Max") || !limit.contains("Remaining") ||
        !limit.at("Max").is_number_integer() || !limit.at("Remaining").is_number_integer()) {
      continue;  // nested per-app limits and other shapes are not needed here
    }
    out[name] = {limit.at("Max").get<std::int64_t>(), limit.at("Remaining").get<std::int64_t>()};
  }
  return out;
}

}  // namespace casebridge::salesforce
