#include "tests/deploy/metadata_agreement.h"

#include <map>
#include <set>
#include <sstream>

namespace casebridge::deploy_test {
namespace {

// Objects without object permissions of their own: their access follows the Case they belong
// to, or (User, Group) every user may read them.
bool HasObjectPermissions(std::string const& object) {
  static std::set<std::string> const kWithout = {
      "Task",        "Event",       "EmailMessage", "FeedItem", "CaseFeed",
      "CaseHistory", "CaseComment", "Attachment",   "User",     "Group"};
  return !kWithout.contains(object);
}

// "'a', 'b'" (quoted) or "a; b".
std::string Join(std::set<std::string> const& items, bool quoted = true) {
  std::string out;
  for (auto const& i : items) {
    if (!out.empty()) out += quoted ? ", " : "; ";
    out += quoted ? "'" + i + "'" : i;
  }
  return out;
}

std::string Describe(ObjectAccess const& a) {
  std::string out;
  auto add = [&](bool on, char const* name) {
    if (on) out += std::string(out.empty() ? "" : " ") + name;
  };
  add(a.read, "read");
  add(a.create, "create");
  add(a.edit, "edit");
  add(a.remove, "delete");
  add(a.view_all, "view-all");
  add(a.modify_all, "modify-all");
  return out.empty() ? "none" : out;
}

class Agreement {
 public:
  Agreement(SalesforceUsage const& usage, MetadataSource const& source)
      : usage_(usage), source_(source) {}

  std::vector<std::string> Check(std::string const& readme) {
    if (source_.api_version != usage_.api_version) {
      Add("sfdx-project.json: sourceApiVersion " + source_.api_version +
          " is not casebridge's salesforce.api_version " + usage_.api_version);
    }
    Fields();
    PermissionSets();
    Queues();
    Readme(readme);
    return std::move(problems_);
  }

 private:
  void Add(std::string message) { problems_.push_back(std::move(message)); }

  void Fields() {
    std::map<std::string, DeclaredField const*> declared;
    for (auto const& f : source_.fields) {
      std::string const object = f.folder == "Activity" ? "Task" : f.folder;
      if (!declared.emplace(object + "." + f.name, &f).second) {
        Add(f.file + ": " + object + "." + f.name + " is declared twice");
      }
    }
    for (auto const& [key, use] : usage_.custom_fields) {
      auto const it = declared.find(key);
      if (it == declared.end()) {
        Add(key + " is not declared (used by " + Join(use.named_by, false) + "): add " +
            adapters::FieldMetadataFile(use.object, use.field));
        continue;
      }
      Field(use, *it->second);
      declared.erase(it);
    }
    for (auto const& [key, f] : declared) {
      Add(f->file + ": " + key +
          " is declared but casebridge does not use it (no mapping names it)");
    }
  }

  void Field(FieldUse const& use, DeclaredField const& f) {
    std::string const where = f.file + ": " + use.object + "." + use.field;
    if (!use.types.empty() && !use.types.contains(f.type)) {
      Add(where + " is a " + f.type + "; casebridge needs " + Join(use.types) + " (" +
          Join(use.named_by, false) + ")");
    }
    if (use.types.size() > 1) {
      Add(where + ": the mappings give it conflicting types " + Join(use.types));
    }
    if (!use.reference_to.empty() && f.reference_to != use.reference_to) {
      Add(where + " must be a lookup to " + use.reference_to + ", not '" + f.reference_to + "'");
    }
    if (use.external_id && !(f.external_id && f.unique)) {
      Add(where + " is casebridge's upsert key: it must be an external id and unique");
    }
    if (!use.external_id && (f.external_id || f.unique)) {
      Add(where + " is unique/an external id, which casebridge does not need");
    }
    if (f.type != "Picklist") return;
    std::set<std::string> const values(f.values.begin(), f.values.end());
    for (auto const& v : use.values) {
      if (!values.contains(v)) Add(where + ": picklist value '" + v + "' is not declared");
    }
    for (auto const& v : values) {
      if (!use.values.contains(v))
        Add(where + ": declares value '" + v + "', which no mapping names");
    }
  }

  // The permission set casebridge's integration user needs.
  DeclaredPermissionSet Expected() const {
    DeclaredPermissionSet ps;
    std::set<std::string> objects = usage_.objects_read;
    for (auto const& [object, ops] : usage_.writes) objects.insert(object);
    for (auto const& object : objects) {
      if (!HasObjectPermissions(object)) continue;
      auto const ops =
          usage_.writes.contains(object) ? usage_.writes.at(object) : std::set<std::string>{};
      ObjectAccess a;
      a.read = a.view_all = usage_.objects_read.contains(object);
      a.create = ops.contains("create") || ops.contains("upsert");
      a.edit = ops.contains("update") || ops.contains("upsert");
      ps.objects[object] = a;
    }
    for (auto const& [key, use] : usage_.custom_fields) ps.fields[key] = {true, use.written};
    ps.user_permissions["ApiEnabled"] = true;
    if (usage_.writes.contains("Task") || usage_.writes.contains("Event")) {
      ps.user_permissions["EditTask"] = true;
    }
    if (usage_.fields_written.contains("Case") &&
        usage_.fields_written.at("Case").contains("OwnerId")) {
      ps.user_permissions["TransferAnyCase"] = true;
    }
    return ps;
  }

  template <typename Map, typename Show>
  void Compare(std::string const& file, char const* what, Map const& want, Map const& have,
               Show show) {
    for (auto const& [key, access] : want) {
      auto const it = have.find(key);
      if (it == have.end()) {
        Add(file + ": " + what + " " + key + " missing: casebridge needs " + show(access));
      } else if (!(it->second == access)) {
        Add(file + ": " + what + " " + key + " grants " + show(it->second) + "; casebridge needs " +
            show(access));
      }
    }
    for (auto const& [key, access] : have) {
      if (!want.contains(key)) {
        Add(file + ": " + what + " " + key + " granted (" + show(access) +
            ") but casebridge does not use it");
      }
    }
  }

  void PermissionSets() {
    DeclaredPermissionSet const* found = nullptr;
    for (auto const& ps : source_.permission_sets) {
      if (ps.name == kPermissionSetName) {
        found = &ps;
      } else {
        Add(ps.file + ": only the " + std::string(kPermissionSetName) +
            " permission set is shipped");
      }
    }
    if (found == nullptr) {
      Add("the permission set " + std::string(kPermissionSetName) + " is not declared");
      return;
    }
    auto const want = Expected();
    Compare(found->file, "object", want.objects, found->objects, Describe);
    Compare(found->file, "field", want.fields, found->fields, [](FieldAccess const& a) {
      return std::string(a.editable ? "read and edit" : a.readable ? "read" : "none");
    });
    Compare(found->file, "user permission", want.user_permissions, found->user_permissions,
            [](bool on) { return std::string(on ? "enabled" : "disabled"); });
  }

  void Queues() {
    std::set<std::string> declared;
    for (auto const& q : source_.queues) {
      declared.insert(q.developer_name);
      if (!usage_.queues.contains(q.developer_name)) {
        Add(q.file + ": queue " + q.developer_name +
            " is declared but queues.json does not name it");
      }
      if (q.sobjects != std::vector<std::string>{"Case"}) {
        Add(q.file + ": queue " + q.developer_name + " must support Case (and only Case)");
      }
    }
    for (auto const& name : usage_.queues) {
      if (!declared.contains(name)) {
        Add("queue " + name + " (queues.json) is not declared: add " +
            adapters::QueueMetadataFile(name));
      }
    }
  }

  void Readme(std::string const& readme) {
    for (auto const& [field, values] : usage_.standard_values) {
      for (auto const& value : values) {
        bool listed = false;
        std::istringstream lines(readme);
        for (std::string line; std::getline(lines, line) && !listed;) {
          listed = line.find("`" + field + "`") != std::string::npos &&
                   line.find("`" + value + "`") != std::string::npos;
        }
        if (!listed) {
          Add("README.md: no line lists the standard picklist value `" + field + "` `" + value +
              "` the org must have");
        }
      }
    }
  }

  SalesforceUsage const& usage_;
  MetadataSource const& source_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> CheckAgreement(SalesforceUsage const& usage, MetadataSource const& source,
                                        std::string const& readme) {
  return Agreement(usage, source).Check(readme);
}

std::vector<std::string> CheckMetadataAgainstMappings(std::string const& source_dir,
                                                      std::string const& mappings_dir) {
  std::vector<std::string> problems;
  auto const source = ReadMetadataSource(source_dir, problems);
  auto const usage = adapters::DeriveSalesforceUsage(mappings_dir, problems);
  std::string const readme = ReadTextFile(source_dir + "/README.md");
  for (auto& p : CheckAgreement(usage, source, readme)) problems.push_back(std::move(p));
  return problems;
}

}  // namespace casebridge::deploy_test
