#include "tests/deploy/metadata_source.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/deploy/strict_xml.h"

namespace casebridge::deploy_test {
namespace {

namespace fs = std::filesystem;

// Elements with children: the children the Metadata API schema allows, in its order.
std::map<std::string_view, std::vector<std::string_view>> const& Schema() {
  static auto const* const kSchema = new std::map<std::string_view, std::vector<std::string_view>>{
      {"CustomField", {"fullName",         "caseSensitive", "defaultValue",   "deleteConstraint",
                       "description",      "externalId",    "inlineHelpText", "label",
                       "length",           "precision",     "referenceTo",    "relationshipLabel",
                       "relationshipName", "required",      "scale",          "trackFeedHistory",
                       "trackHistory",     "type",          "unique",         "valueSet"}},
      {"valueSet", {"controllingField", "restricted", "valueSetDefinition"}},
      {"valueSetDefinition", {"sorted", "value"}},
      {"value", {"fullName", "color", "default", "description", "isActive", "label"}},
      {"PermissionSet",
       {"description", "fieldPermissions", "hasActivationRequired", "label", "license",
        "objectPermissions", "userPermissions"}},
      {"fieldPermissions", {"editable", "field", "readable"}},
      {"objectPermissions",
       {"allowCreate", "allowDelete", "allowEdit", "allowRead", "modifyAllRecords", "object",
        "viewAllRecords"}},
      {"userPermissions", {"enabled", "name"}},
      {"Queue", {"fullName", "doesSendEmailToMembers", "email", "name", "queueSobject"}},
      {"queueSobject", {"sobjectType"}},
  };
  return *kSchema;
}

bool IsRepeatable(std::string_view element) {
  static auto const* const kRepeatable = new std::set<std::string_view>{
      "value", "fieldPermissions", "objectPermissions", "userPermissions", "queueSobject"};
  return kRepeatable->contains(element);
}

bool IsBoolean(std::string_view element) {
  static auto const* const kBooleans = new std::set<std::string_view>{"caseSensitive",
                                                                      "externalId",
                                                                      "required",
                                                                      "unique",
                                                                      "restricted",
                                                                      "sorted",
                                                                      "default",
                                                                      "isActive",
                                                                      "trackFeedHistory",
                                                                      "trackHistory",
                                                                      "editable",
                                                                      "readable",
                                                                      "allowCreate",
                                                                      "allowDelete",
                                                                      "allowEdit",
                                                                      "allowRead",
                                                                      "modifyAllRecords",
                                                                      "viewAllRecords",
                                                                      "enabled",
                                                                      "hasActivationRequired",
                                                                      "doesSendEmailToMembers"};
  return kBooleans->contains(element);
}

std::string Trim(std::string_view s) {
  auto const b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto const e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Collects the problems of one file as "<file>: <message>".
class FileProblems {
 public:
  FileProblems(std::string file, std::vector<std::string>& out)
      : file_(std::move(file)), out_(out) {}
  void Add(XmlElement const& at, std::string const& message) {
    out_.push_back(file_ + ": line " + std::to_string(at.line) + ": " + message);
  }
  void Add(std::string const& message) { out_.push_back(file_ + ": " + message); }
  [[nodiscard]] std::string const& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string>& out_;
};

// Structure: no prefixes, no attributes below the root, known children in schema order.
void CheckShape(XmlElement const& e, FileProblems& p) {
  if (e.name.find(':') != std::string::npos) p.Add(e, "prefixed name <" + e.name + ">");
  auto const it = Schema().find(e.name);
  if (it == Schema().end()) {
    if (!e.children.empty()) p.Add(e, "<" + e.name + "> holds no elements");
    if (IsBoolean(e.name) && Trim(e.text) != "true" && Trim(e.text) != "false") {
      p.Add(e, "<" + e.name + "> must be true or false, not '" + Trim(e.text) + "'");
    }
    return;
  }
  if (!Trim(e.text).empty()) p.Add(e, "text directly inside <" + e.name + ">");
  auto const& allowed = it->second;
  std::ptrdiff_t last = -1;
  std::string previous;
  for (auto const& c : e.children) {
    if (!c.attributes.empty()) p.Add(c, "attributes on <" + c.name + ">");
    auto const at = std::find(allowed.begin(), allowed.end(), c.name);
    if (at == allowed.end()) {
      p.Add(c, "<" + c.name + "> is not an element of <" + e.name + ">");
      continue;
    }
    auto const index = at - allowed.begin();
    if (index < last) p.Add(c, "<" + c.name + "> must come before <" + previous + ">");
    if (index == last && !IsRepeatable(c.name)) p.Add(c, "<" + c.name + "> repeated");
    last = std::max(last, index);
    previous = c.name;
    CheckShape(c, p);
  }
}

std::string ChildText(XmlElement const& e, std::string_view child) {
  auto const found = e.Children(child);
  return found.empty() ? std::string() : Trim(found.front()->text);
}

bool ChildFlag(XmlElement const& e, std::string_view child) {
  return ChildText(e, child) == "true";
}

void RequireText(XmlElement const& e, std::string_view child, std::size_t max_length,
                 FileProblems& p) {
  std::string const text = ChildText(e, child);
  if (text.empty()) {
    p.Add(e, "<" + e.name + "> needs <" + std::string(child) + ">");
  } else if (text.size() > max_length) {
    p.Add(e, "<" + std::string(child) + "> is longer than " + std::to_string(max_length));
  }
}

bool IsInteger(std::string const& s, int lo, int hi) {
  if (s.empty() || s.size() > 4 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int const v = std::stoi(s);
  return v >= lo && v <= hi;
}

std::vector<std::string> PicklistValues(XmlElement const& root, FileProblems& p) {
  std::vector<std::string> values;
  auto const sets = root.Children("valueSet");
  auto const defs = sets.empty() ? std::vector<XmlElement const*>{}
                                 : sets.front()->Children("valueSetDefinition");
  if (defs.empty()) {
    p.Add(root, "a Picklist needs <valueSet><valueSetDefinition>");
    return values;
  }
  int defaults = 0;
  for (auto const* v : defs.front()->Children("value")) {
    std::string const name = ChildText(*v, "fullName");
    RequireText(*v, "fullName", 255, p);
    RequireText(*v, "label", 255, p);
    if (std::find(values.begin(), values.end(), name) != values.end()) {
      p.Add(*v, "duplicate picklist value '" + name + "'");
    }
    if (ChildFlag(*v, "default")) ++defaults;
    values.push_back(name);
  }
  if (values.empty()) p.Add(root, "a Picklist needs at least one <value>");
  if (defaults > 1) p.Add(root, "more than one default picklist value");
  return values;
}

// The elements each supported field type needs.
void CheckFieldType(XmlElement const& root, DeclaredField& f, FileProblems& p) {
  std::string const& t = f.type;
  if (t == "Text") {
    if (!IsInteger(ChildText(root, "length"), 1, 255))
      p.Add(root, "a Text field needs <length> 1-255");
  } else if (t == "Number") {
    std::string const precision = ChildText(root, "precision");
    if (!IsInteger(precision, 1, 18) ||
        !IsInteger(ChildText(root, "scale"), 0, std::stoi(precision.empty() ? "0" : precision))) {
      p.Add(root, "a Number field needs <precision> 1-18 and <scale> 0-precision");
    }
  } else if (t == "Checkbox") {
    std::string const d = ChildText(root, "defaultValue");
    if (d != "true" && d != "false") p.Add(root, "a Checkbox needs <defaultValue> true or false");
  } else if (t == "Picklist") {
    f.values = PicklistValues(root, p);
  } else if (t == "Lookup") {
    RequireText(root, "referenceTo", 80, p);
    RequireText(root, "relationshipName", 40, p);
    std::string const d = ChildText(root, "deleteConstraint");
    if (d != "SetNull" && d != "Restrict")
      p.Add(root, "a Lookup needs <deleteConstraint> SetNull or Restrict");
  } else if (t != "Email" && t != "Phone" && t != "DateTime" && t != "Date") {
    p.Add(root, "type '" + t + "' is not one this package uses (or this check knows)");
  }
  if ((f.external_id || f.unique) && t != "Text" && t != "Number" && t != "Email") {
    p.Add(root, "only Text, Number and Email fields can be unique or external ids");
  }
}

void ReadField(XmlElement const& root, std::string const& folder, std::string const& stem,
               FileProblems& p, MetadataSource& out) {
  DeclaredField f;
  f.file = p.file();
  f.folder = folder;
  f.name = stem;
  if (folder == "Task" || folder == "Event") {
    p.Add(
        "custom fields of Task and Event belong in objects/Activity/fields: the Metadata API "
        "refuses them under objects/" +
        folder);
  }
  if (stem.size() < 4 || stem.substr(stem.size() - 3) != "__c") p.Add("not a custom field name");
  if (ChildText(root, "fullName") != stem) p.Add(root, "<fullName> must be the file name, " + stem);
  RequireText(root, "label", 40, p);
  if (ChildText(root, "description").size() > 1000)
    p.Add(root, "<description> over 1000 characters");
  f.type = ChildText(root, "type");
  f.reference_to = ChildText(root, "referenceTo");
  f.external_id = ChildFlag(root, "externalId");
  f.unique = ChildFlag(root, "unique");
  CheckFieldType(root, f, p);
  out.fields.push_back(std::move(f));
}

template <typename Map, typename Value>
void PutOnce(Map& map, std::string const& key, Value value, XmlElement const& at, FileProblems& p) {
  if (key.empty()) {
    p.Add(at, "<" + at.name + "> names nothing");
  } else if (!map.emplace(key, value).second) {
    p.Add(at, "'" + key + "' is listed twice");
  }
}

void ReadPermissionSet(XmlElement const& root, std::string const& stem, FileProblems& p,
                       MetadataSource& out) {
  DeclaredPermissionSet ps;
  ps.file = p.file();
  ps.name = stem;
  RequireText(root, "label", 80, p);
  if (ChildText(root, "description").size() > 255) p.Add(root, "<description> over 255 characters");
  for (auto const* o : root.Children("objectPermissions")) {
    ObjectAccess a{ChildFlag(*o, "allowCreate"),    ChildFlag(*o, "allowRead"),
                   ChildFlag(*o, "allowEdit"),      ChildFlag(*o, "allowDelete"),
                   ChildFlag(*o, "viewAllRecords"), ChildFlag(*o, "modifyAllRecords")};
    PutOnce(ps.objects, ChildText(*o, "object"), a, *o, p);
  }
  for (auto const* f : root.Children("fieldPermissions")) {
    std::string const field = ChildText(*f, "field");
    if (field.find('.') == std::string::npos) p.Add(*f, "<field> must be Object.Field");
    PutOnce(ps.fields, field, FieldAccess{ChildFlag(*f, "readable"), ChildFlag(*f, "editable")}, *f,
            p);
  }
  for (auto const* u : root.Children("userPermissions")) {
    PutOnce(ps.user_permissions, ChildText(*u, "name"), ChildFlag(*u, "enabled"), *u, p);
  }
  out.permission_sets.push_back(std::move(ps));
}

void ReadQueue(XmlElement const& root, std::string const& stem, FileProblems& p,
               MetadataSource& out) {
  DeclaredQueue q;
  q.file = p.file();
  q.developer_name = stem;
  RequireText(root, "name", 80, p);
  for (auto const* s : root.Children("queueSobject")) {
    q.sobjects.push_back(ChildText(*s, "sobjectType"));
  }
  if (q.sobjects.empty()) p.Add(root, "a queue needs at least one <queueSobject>");
  out.queues.push_back(std::move(q));
}

// What a file under the package directory is, by its path: {root element, folder, stem}.
struct FileKind {
  std::string root;
  std::string folder;
  std::string stem;
};

std::optional<FileKind> KindOf(fs::path const& rel) {
  std::vector<std::string> parts;
  for (auto const& part : rel) parts.push_back(part.string());
  auto strip = [](std::string const& name, std::string_view suffix) -> std::string {
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) return {};
    return name.substr(0, name.size() - suffix.size());
  };
  if (parts.size() == 6 && parts[0] == "main" && parts[1] == "default" && parts[2] == "objects" &&
      parts[4] == "fields") {
    if (auto stem = strip(parts[5], ".field-meta.xml"); !stem.empty()) {
      return FileKind{"CustomField", parts[3], stem};
    }
  }
  if (parts.size() == 4 && parts[0] == "main" && parts[1] == "default") {
    if (auto stem = strip(parts[3], ".permissionset-meta.xml");
        parts[2] == "permissionsets" && !stem.empty()) {
      return FileKind{"PermissionSet", "", stem};
    }
    if (auto stem = strip(parts[3], ".queue-meta.xml"); parts[2] == "queues" && !stem.empty()) {
      return FileKind{"Queue", "", stem};
    }
  }
  return std::nullopt;
}

void ReadXmlFile(fs::path const& path, std::string const& rel, FileKind const& kind,
                 MetadataSource& out, std::vector<std::string>& problems) {
  FileProblems p(rel, problems);
  out.xml_files.push_back(rel);
  auto doc = ParseXml(ReadTextFile(path.string()));
  if (!doc.ok()) {
    p.Add("not well-formed XML: " + doc.status().message());
    return;
  }
  XmlElement const& root = *doc;
  if (root.name != kind.root) p.Add(root, "the root element must be <" + kind.root + ">");
  auto const* ns = root.Attribute("xmlns");
  if (ns == nullptr || *ns != kMetadataNamespace) {
    p.Add(root, "the root element needs xmlns=\"" + std::string(kMetadataNamespace) + "\"");
  }
  if (root.attributes.size() != 1) p.Add(root, "the root element carries only xmlns");
  CheckShape(root, p);
  if (root.name != kind.root) return;
  if (kind.root == "CustomField") ReadField(root, kind.folder, kind.stem, p, out);
  if (kind.root == "PermissionSet") ReadPermissionSet(root, kind.stem, p, out);
  if (kind.root == "Queue") ReadQueue(root, kind.stem, p, out);
}

// sfdx-project.json: the package directory (relative) and the API version.
std::string ReadProject(fs::path const& root, MetadataSource& out,
                        std::vector<std::string>& problems) {
  std::string const file = "sfdx-project.json";
  auto const json = nlohmann::json::parse(ReadTextFile((root / file).string()), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    problems.push_back(file + ": missing or not valid JSON");
    return {};
  }
  std::string dir;
  auto const dirs = json.value("packageDirectories", nlohmann::json::array());
  if (dirs.is_array() && dirs.size() == 1 && dirs[0].is_object() &&
      dirs[0].value("default", false) && dirs[0].value("path", nlohmann::json()).is_string()) {
    dir = dirs[0]["path"].get<std::string>();
  } else {
    problems.push_back(file + ": packageDirectories must list one default {\"path\": …}");
  }
  out.api_version = json.value("sourceApiVersion", nlohmann::json()).is_string()
                        ? json["sourceApiVersion"].get<std::string>()
                        : std::string();
  if (out.api_version.empty()) problems.push_back(file + ": sourceApiVersion is missing");
  if (!dir.empty() && (fs::path(dir).is_absolute() || !fs::is_directory(root / dir))) {
    problems.push_back(file + ": package directory '" + dir + "' is not a folder of the source");
    dir.clear();
  }
  return dir;
}

}  // namespace

std::string ReadTextFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

MetadataSource ReadMetadataSource(std::string const& root_dir, std::vector<std::string>& problems) {
  MetadataSource out;
  fs::path const root(root_dir);
  std::string const package = ReadProject(root, out, problems);
  if (package.empty()) return out;
  std::vector<fs::path> files;
  for (auto const& entry : fs::recursive_directory_iterator(root / package)) {
    if (!entry.is_directory()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (auto const& path : files) {
    std::string const rel = fs::relative(path, root).generic_string();
    auto const kind = KindOf(fs::relative(path, root / package));
    if (!kind) {
      problems.push_back(rel +
                         ": not a custom field, permission set or queue file (the only "
                         "metadata this package declares)");
      continue;
    }
    ReadXmlFile(path, rel, *kind, out, problems);
  }
  return out;
}

}  // namespace casebridge::deploy_test
