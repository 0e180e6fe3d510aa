// The JSON export against connector/report/report.schema.json, checked by a small validator
// for the subset of JSON Schema (draft 2020-12) the schema uses. The validator refuses any
// keyword it does not implement, so the schema cannot quietly say more than is checked. When
// the Python `jsonschema` module is installed, it must agree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "connector/report/report.h"
#include "tests/support/cli_runner.h"
#include "tests/support/temp_dir.h"

namespace casebridge::report {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing_util::SourcePath;

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

// Validates the subset of JSON Schema used by report.schema.json.
class SchemaValidator {
 public:
  explicit SchemaValidator(json schema) : root_(std::move(schema)) {}

  std::vector<std::string> Validate(json const& doc) const {
    std::vector<std::string> problems;
    Check(root_, doc, "", problems);
    return problems;
  }

  // Keywords anywhere in the schema that Check() does not implement.
  std::vector<std::string> UnsupportedKeywords() const {
    std::vector<std::string> out;
    Walk(root_, "", out);
    return out;
  }

 private:
  static bool IsAnnotation(std::string const& k) {
    return k == "$schema" || k == "$id" || k == "$comment" || k == "title" || k == "description";
  }
  static bool IsImplemented(std::string const& k) {
    static std::set<std::string> const kKnown = {
        "$defs", "$ref",     "type",       "enum",
        "const", "required", "properties", "additionalProperties",
        "items", "minimum",  "maximum",    "pattern"};
    return kKnown.contains(k);
  }

  void Walk(json const& schema, std::string const& path, std::vector<std::string>& out) const {
    if (!schema.is_object()) {
      out.push_back(Cat({path, ": a schema must be an object"}));
      return;
    }
    for (auto const& [k, v] : schema.items()) {
      if (IsAnnotation(k)) continue;
      if (!IsImplemented(k)) {
        out.push_back(Cat({path, "/", k}));
        continue;
      }
      if (k == "properties" || k == "$defs") {
        for (auto const& [name, sub] : v.items()) Walk(sub, Cat({path, "/", k, "/", name}), out);
      } else if (k == "items" || (k == "additionalProperties" && v.is_object())) {
        Walk(v, Cat({path, "/", k}), out);
      }
    }
  }

  json const& Resolve(std::string const& ref) const {
    static json const kNothing;
    std::string const prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0) return kNothing;
    auto const& defs = root_.at("$defs");
    auto it = defs.find(ref.substr(prefix.size()));
    return it == defs.end() ? kNothing : *it;
  }

  static bool HasType(json const& v, std::string const& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    return false;
  }

  void Check(json const& schema, json const& v, std::string const& path,
             std::vector<std::string>& out) const {
    auto fail = [&](std::string const& what) {
      out.push_back((path.empty() ? "/" : path) + ": " + what);
    };
    if (schema.contains("$ref")) {
      json const& target = Resolve(schema.at("$ref").get<std::string>());
      if (target.is_null()) {
        fail("unresolvable $ref " + schema.at("$ref").dump());
      } else {
        Check(target, v, path, out);
      }
    }
    if (schema.contains("type")) {
      json const& t = schema.at("type");
      bool ok = false;
      if (t.is_string()) ok = HasType(v, t.get<std::string>());
      for (auto const& one : t.is_array() ? t : json::array())
        ok = ok || HasType(v, one.get<std::string>());
      if (!ok) {
        fail("expected type " + t.dump() + ", got " + v.dump());
        return;
      }
    }
    if (schema.contains("enum")) {
      bool found = false;
      for (auto const& e : schema.at("enum")) found = found || e == v;
      if (!found) fail(v.dump() + " is not one of " + schema.at("enum").dump());
    }
    if (schema.contains("const") && schema.at("const") != v) {
      fail(v.dump() + " is not " + schema.at("const").dump());
    }
    if (v.is_number()) {
      if (schema.contains("minimum") && v.get<double>() < schema.at("minimum").get<double>()) {
        fail(v.dump() + " is below the minimum");
      }
      if (schema.contains("maximum") && v.get<double>() > schema.at("maximum").get<double>()) {
        fail(v.dump() + " is above the maximum");
      }
    }
    if (v.is_string() && schema.contains("pattern")) {
      std::regex const re(schema.at("pattern").get<std::string>(), std::regex::ECMAScript);
      if (!std::regex_search(v.get<std::string>(), re)) {
        fail(v.dump() + " does not match " + schema.at("pattern").dump());
      }
    }
    if (v.is_object()) {
      for (auto const& name : schema.value("required", json::array())) {
        if (!v.contains(name.get<std::string>())) fail("missing required member " + name.dump());
      }
      json const props = schema.value("properties", json::object());
      for (auto const& [k, member] : v.items()) {
        if (props.contains(k)) {
          Check(props.at(k), member, Cat({path, "/", k}), out);
        } else if (schema.contains("additionalProperties")) {
          json const& extra = schema.at("additionalProperties");
          if (extra.is_boolean() && !extra.get<bool>()) {
            fail(Cat({"unexpected member \"", k, "\""}));
          } else if (extra.is_object()) {
            Check(extra, member, Cat({path, "/", k}), out);
          }
        }
      }
    }
    if (v.is_array() && schema.contains("items")) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        Check(schema.at("items"), v.at(i), path + "/" + std::to_string(i), out);
      }
    }
  }

  json root_;
};

class ReportSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ =
        json::parse(ReadFile(SourcePath("connector/report/report.schema.json")), nullptr, false);
    ASSERT_FALSE(schema_.is_discarded()) << "report.schema.json is not valid JSON";
  }
  json schema_;
};

// A report exercising every kind of value: all statuses, null and set optional members,
// hostile text, several groups.
std::string FullReport() {
  ReportOptions o;
  o.format = Format::kJson;
  o.from = *ParseInstant("2026-03-01T05:00:00Z");
  o.to = *ParseInstant("2026-04-01T04:00:00Z");
  o.range_label = "2026-03-01 to 2026-03-31";
  o.time_zone = "America/New_York";
  o.generated_at = *ParseInstant("2026-03-20T15:00:00Z");
  o.source = "unit test";
  o.filters.statuses = {"met", "breached", "pending", "info"};
  o.links.salesforce_instance_url = "https://acme.my.salesforce.com";
  std::ostringstream out;
  auto w = ReportWriter::Create(o, out);
  EXPECT_TRUE(w.ok()) << w.status();
  store::FlagRecord f;
  f.case_id = "500A";
  f.case_number = "00001";
  f.source_system = "salesforce";
  f.subject = "<script>\"x\"</script>\n\x01";
  f.owner = "user:005A";
  f.owner_name = "Zo\xC3\xAB";
  f.installer = "001I";
  f.tier = 4;
  f.started = *ParseInstant("2026-03-02T14:00:00Z");
  f.due = *ParseInstant("2026-03-02T15:00:00Z");
  for (std::string status : {"met", "breached", "pending", "info"}) {
    f.rule_id = status == "info" ? "case_not_required" : "manager_notified";
    f.status = status;
    f.met_at = status == "met" ? f.due : std::nullopt;
    f.late_minutes = status == "breached" ? std::optional<std::int64_t>(61) : std::nullopt;
    if (status == "info") f.due.reset();
    EXPECT_TRUE((*w)->Add(f).ok());
  }
  f.source_system = "forge";  // no Forge base URL: link null
  f.case_id = "F-1";
  f.installer.clear();
  f.owner = "queue:back_office";
  f.tier.reset();
  f.rule_id = "response_4bh";
  f.status = "breached";
  f.late_minutes = 5;
  f.due = *ParseInstant("2026-03-10T15:00:00Z");
  f.started = *ParseInstant("2026-03-10T13:00:00Z");
  EXPECT_TRUE((*w)->Add(f).ok());
  EXPECT_TRUE((*w)->Finish().ok());
  return out.str();
}

TEST_F(ReportSchemaTest, SchemaUsesOnlyKeywordsTheValidatorChecks) {
  SchemaValidator const v(schema_);
  EXPECT_THAT(v.UnsupportedKeywords(), IsEmpty());
  EXPECT_EQ(schema_.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
}

TEST_F(ReportSchemaTest, AReportWithEveryKindOfValueMatchesTheSchema) {
  auto const doc = json::parse(FullReport(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_THAT(SchemaValidator(schema_).Validate(doc), IsEmpty());
  EXPECT_EQ(doc.at("flags").size(), 5U);
  EXPECT_TRUE(doc.at("flags").at(4).at("link").is_null());
  EXPECT_TRUE(doc.at("flags").at(3).at("due").is_null());
}

TEST_F(ReportSchemaTest, TheGoldenSampleReportMatchesTheSchema) {
  auto const doc =
      json::parse(ReadFile(SourcePath("tests/data/report/samples.json")), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "tests/data/report/samples.json is not valid JSON";
  EXPECT_THAT(SchemaValidator(schema_).Validate(doc), IsEmpty());
  EXPECT_GT(doc.at("flags").size(), 100U);
}

TEST_F(ReportSchemaTest, TheValidatorRejectsDocumentsThatBreakTheSchema) {
  auto const good = json::parse(FullReport());
  SchemaValidator const v(schema_);
  auto broken = [&](auto&& edit) {
    json doc = good;
    edit(doc);
    return v.Validate(doc);
  };
  EXPECT_THAT(broken([](json& d) { d.erase("schema_version"); }),
              ::testing::Contains(HasSubstr("schema_version")));
  EXPECT_THAT(broken([](json& d) { d["schema_version"] = 2; }),
              ::testing::Contains(HasSubstr("is not 1")));
  EXPECT_THAT(broken([](json& d) { d["flags"][0]["tier"] = "4"; }),
              ::testing::Contains(HasSubstr("/flags/0/tier")));
  EXPECT_THAT(broken([](json& d) { d["flags"][0]["tier"] = 5; }),
              ::testing::Contains(HasSubstr("above the maximum")));
  EXPECT_THAT(broken([](json& d) { d["flags"][0]["started"] = "2026-03-02 14:00"; }),
              ::testing::Contains(HasSubstr("does not match")));
  EXPECT_THAT(broken([](json& d) { d["flags"][0]["status"] = "late"; }),
              ::testing::Contains(HasSubstr("is not one of")));
  EXPECT_THAT(broken([](json& d) { d["flags"][0]["surprise"] = true; }),
              ::testing::Contains(HasSubstr("unexpected member \"surprise\"")));
  EXPECT_THAT(broken([](json& d) { d["summary"]["by_week"][0]["key"] = "week 12"; }),
              ::testing::Contains(HasSubstr("/summary/by_week/0/key")));
  EXPECT_THAT(broken([](json& d) { d["totals"]["breach_rate"] = 1.5; }),
              ::testing::Contains(HasSubstr("/totals/breach_rate")));
  EXPECT_THAT(broken([](json& d) { d["flags"][0]["link"] = "javascript:alert(1)"; }),
              ::testing::Contains(HasSubstr("/flags/0/link")));
}

TEST_F(ReportSchemaTest, PythonJsonschemaAgreesWhenInstalled) {
  if (std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "the Python jsonschema module is not installed (Debian: python3-jsonschema); "
                    "the built-in validator above still checks the schema";
  }
  testing_util::TempDir dir;
  std::string const report = dir.Write("full.json", FullReport());
  std::string const script = dir.Write("check.py", R"(import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = list(validator.iter_errors(json.load(open(path, encoding="utf-8"))))
    for e in errors:
        print(path, list(e.absolute_path), e.message)
    if errors:
        sys.exit(1)
print("ok")
)");
  std::string const cmd = "python3 '" + script + "' '" +
                          SourcePath("connector/report/report.schema.json") + "' '" + report +
                          "' '" + SourcePath("tests/data/report/samples.json") + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) output += buf.data();
  int const rc = pclose(p);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_THAT(output, HasSubstr("ok"));
}

}  // namespace
}  // namespace casebridge::report
