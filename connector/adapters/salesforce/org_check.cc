#include "connector/adapters/salesforce/org_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/salesforce/soql.h"

namespace casebridge::adapters {
namespace {

using nlohmann::json;

bool IsCustom(std::string const& field) { return field.size() > 3 && field.ends_with("__c"); }

std::string Join(std::set<std::string> const& items, bool quoted = false) {
  std::string out;
  for (auto const& i : items) {
    if (!out.empty()) out += ", ";
    out += quoted ? "'" + i + "'" : i;
  }
  return out;
}

// "1 value", "3 values".
std::string Count(int n, std::string const& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// The describe types that fit a role's metadata type (org_usage.h FieldUse::types).
std::set<std::string> DescribeTypesOf(std::string const& metadata_type) {
  static std::map<std::string, std::set<std::string>> const kTypes = {
      {"Lookup", {"reference"}},  {"Picklist", {"picklist"}},
      {"Checkbox", {"boolean"}},  {"Number", {"double", "int", "currency", "percent"}},
      {"Phone", {"phone"}},       {"Email", {"email"}},
      {"DateTime", {"datetime"}}, {"Text", {"string"}}};
  auto const it = kTypes.find(metadata_type);
  return it == kTypes.end() ? std::set<std::string>{} : it->second;
}

std::string Deploy(std::string const& file) {
  return "deploy " + std::string(kMetadataSourceDir) + "/" + file + " (sf project deploy start)";
}

class OrgChecker {
 public:
  OrgChecker(salesforce::Client const& client, SalesforceUsage const& usage, double budget_share)
      : client_(client), usage_(usage), budget_share_(budget_share) {}

  std::vector<DoctorCheck> Run() {
    if (!Login()) return std::move(checks_);
    std::set<std::string> objects = usage_.objects_read;
    for (auto const& [object, ops] : usage_.writes) objects.insert(object);
    for (auto const& object : objects) Object(object);
    for (auto const& [key, use] : usage_.custom_fields) CustomField(use);
    ExternalIds();
    Picklists();
    for (auto const& [object, ops] : usage_.writes) Access(object, ops);
    Queues();
    Budget();
    return std::move(checks_);
  }

 private:
  void Add(DoctorCheck check) { checks_.push_back(std::move(check)); }

  bool Login() {
    auto identity = client_.GetIdentity();
    if (!identity.ok()) {
      Add(Failed(VerdictFor(identity.status()), "Salesforce login", identity.status().message(),
                 "check the salesforce section of casebridge.json and its secret source "
                 "(`casebridge auth check` shows the same error); nothing else was checked"));
      return false;
    }
    user_ = identity->username;
    Add(Passed("Salesforce login", "as " + identity->username + " (org " +
                                       identity->organization_id + ", " + identity->instance_url +
                                       ")"));
    return true;
  }

  // The describe of `object`, fetched once per run (nullptr when it failed).
  salesforce::SObjectDescribe const* Describe(std::string const& object) {
    auto it = describes_.find(object);
    if (it == describes_.end()) it = describes_.emplace(object, client_.Describe(object)).first;
    return it->second.ok() ? &*it->second : nullptr;
  }

  // The object is there and has the standard fields casebridge uses (custom ones: below).
  void Object(std::string const& object) {
    std::string const subject = "object " + object;
    auto const* d = Describe(object);
    if (d == nullptr) {
      Status const& s = describes_.at(object).status();
      Add(Failed(VerdictFor(s), subject, s.message(),
                 "give the integration user read access to " + object + " (the permission set " +
                     PermissionSetMetadataFile() + ")"));
      return;
    }
    std::set<std::string> missing;
    int standard = 0;
    if (auto const used = usage_.fields_used.find(object); used != usage_.fields_used.end()) {
      for (auto const& f : used->second) {
        if (IsCustom(f)) continue;
        ++standard;
        if (d->Field(f) == nullptr) missing.insert(f);
      }
    }
    if (missing.empty()) {
      Add(Passed(subject, Count(standard, "standard field") + " used, all present"));
    } else {
      Add(Failed("missing", subject, "no standard field " + Join(missing),
                 "these fields come with Salesforce features casebridge relies on (Email-to-Case, "
                 "Chatter, field history); enable them or check field-level security"));
    }
  }

  void CustomField(FieldUse const& use) {
    std::string const subject = "field " + use.object + "." + use.field;
    auto const* d = Describe(use.object);
    if (d == nullptr) return;  // reported on the object's line
    std::string const fix = Deploy(FieldMetadataFile(use.object, use.field));
    auto const* f = d->Field(use.field);
    if (f == nullptr) {
      Add(Failed("missing", subject,
                 "the org has no such field (used by " + Join(use.named_by) + ")", fix));
      return;
    }
    std::set<std::string> want;
    for (auto const& t : use.types) {
      for (auto const& d_type : DescribeTypesOf(t)) want.insert(d_type);
    }
    std::string found = f->type;
    if (!f->reference_to.empty()) found += " to " + f->reference_to.front();
    if (!want.empty() && !want.contains(f->type)) {
      Add(Failed(
          "wrong type", subject,
          "is " + found + "; casebridge needs " + Join(use.types) + " (" + Join(use.named_by) + ")",
          fix));
      return;
    }
    if (!use.reference_to.empty() && std::find(f->reference_to.begin(), f->reference_to.end(),
                                               use.reference_to) == f->reference_to.end()) {
      Add(Failed("wrong type", subject,
                 "is " + found + "; casebridge needs a lookup to " + use.reference_to, fix));
      return;
    }
    Add(Passed(subject, found));
  }

  void ExternalIds() {
    for (auto const& [key, use] : usage_.custom_fields) {
      if (!use.external_id) continue;
      auto const* d = Describe(use.object);
      auto const* f = d == nullptr ? nullptr : d->Field(use.field);
      if (f == nullptr) continue;  // reported on the field's line
      std::string const subject = "upsert key " + key;
      std::string const fix =
          "make it Unique and External ID: " + Deploy(FieldMetadataFile(use.object, use.field));
      if (!f->external_id) {
        Add(Failed("not external id", subject,
                   "is not an external id: casebridge cannot upsert Tasks on it", fix));
      } else if (!f->unique) {
        Add(Failed("not unique", subject,
                   "is an external id but not unique: two Tasks may then share a key, and an "
                   "upsert matching both fails (300 Multiple Choices)",
                   fix));
      } else {
        Add(Passed(subject, "unique external id"));
      }
    }
  }

  void Picklist(std::string const& object, std::string const& field,
                std::set<std::string> const& values, std::string const& fix) {
    auto const* d = Describe(object);
    auto const* f = d == nullptr ? nullptr : d->Field(field);
    if (f == nullptr || values.empty()) return;  // reported on the field's line
    std::string const subject = "picklist " + object + "." + field;
    std::set<std::string> const have(f->picklist_values.begin(), f->picklist_values.end());
    std::set<std::string> missing;
    for (auto const& v : values) {
      if (!have.contains(v)) missing.insert(v);
    }
    if (missing.empty()) {
      Add(Passed(subject, Count(static_cast<int>(values.size()), "value") + " used, all active"));
    } else {
      Add(Failed("missing", subject, "no active value " + Join(missing, true), fix));
    }
  }

  void Picklists() {
    for (auto const& [key, use] : usage_.custom_fields) {
      Picklist(use.object, use.field, use.values, Deploy(FieldMetadataFile(use.object, use.field)));
    }
    for (auto const& [key, values] : usage_.standard_values) {
      auto const dot = key.find('.');
      Picklist(key.substr(0, dot), key.substr(dot + 1), values,
               "add the values in Setup (standard picklist; " + std::string(kMetadataSourceDir) +
                   "/README.md lists them)");
    }
  }

  void Access(std::string const& object, std::set<std::string> const& ops) {
    auto const* d = Describe(object);
    if (d == nullptr) return;  // reported on the object's line
    bool const create = ops.contains("create") || ops.contains("upsert");
    bool const update = ops.contains("update") || ops.contains("upsert");
    std::set<std::string> refused;
    if (create && !d->createable) refused.insert("create " + object);
    if (update && !d->updateable) refused.insert("update " + object);
    std::set<std::string> fields;
    if (auto const w = usage_.fields_written.find(object); w != usage_.fields_written.end()) {
      fields = w->second;
    }
    for (auto const& name : fields) {
      auto const* f = d->Field(name);
      if (f == nullptr) continue;  // reported as missing
      if (create && !f->createable) refused.insert("set " + name + " on create");
      if (update && !f->updateable) refused.insert("edit " + name);
    }
    std::string const what = std::string(create && update ? "create and update "
                                         : create         ? "create "
                                                          : "update ") +
                             object + " (" + Join(fields) + ")";
    std::string const subject = "access " + object;
    if (refused.empty()) {
      Add(Passed(subject, user_ + " can " + what));
    } else {
      Add(Failed("no access", subject, user_ + " cannot " + Join(refused),
                 "assign the permission set " + std::string(kMetadataSourceDir) + "/" +
                     PermissionSetMetadataFile() + " to " + user_));
    }
  }

  void Queues() {
    if (usage_.queues.empty()) return;
    std::string in;
    for (auto const& q : usage_.queues) {
      in += (in.empty() ? "" : ", ") + salesforce::Soql::Literal(q);
    }
    std::map<std::string, std::pair<std::string, std::set<std::string>>> found;
    Status const s = client_.Query(
        "SELECT Id, DeveloperName, (SELECT SobjectType FROM QueueSobjects) FROM Group WHERE "
        "Type = 'Queue' AND DeveloperName IN (" +
            in + ")",
        [&](salesforce::QueryPage const& page) {
          for (auto const& raw : page.records) {
            json const r = json::parse(raw, nullptr, false);
            if (!r.is_object() || !r.contains("DeveloperName") ||
                !r.at("DeveloperName").is_string()) {
              continue;
            }
            auto& entry = found[r.at("DeveloperName").get<std::string>()];
            entry.first = r.value("Id", "");
            auto const children = r.value("QueueSobjects", json());
            if (!children.is_object() || !children.contains("records")) continue;
            for (auto const& c : children.at("records")) {
              if (c.is_object()) entry.second.insert(c.value("SobjectType", ""));
            }
          }
          return OkStatus();
        });
    for (auto const& q : usage_.queues) {
      std::string const subject = "queue " + q;
      std::string const fix = Deploy(QueueMetadataFile(q));
      auto const it = found.find(q);
      if (!s.ok()) {
        Add(Failed(VerdictFor(s), subject, s.message(), fix));
      } else if (it == found.end()) {
        Add(Failed("missing", subject, "no queue has this DeveloperName (queues.json names it)",
                   fix));
      } else if (!it->second.second.contains("Case")) {
        Add(Failed("no Case", subject,
                   "queue " + it->second.first + " does not support Cases (no QueueSobject)", fix));
      } else {
        Add(Passed(subject, "queue " + it->second.first + " supports Cases"));
      }
    }
  }

  void Budget() {
    std::string const subject = "API budget";
    auto limits = client_.Limits();
    if (!limits.ok()) {
      Add(Failed(VerdictFor(limits.status()), subject, limits.status().message(),
                 "the integration user needs View Setup and Configuration to read /limits"));
      return;
    }
    auto const it = limits->find("DailyApiRequests");
    if (it == limits->end()) {
      Add(Failed("missing", subject, "/limits has no DailyApiRequests", "check the API version"));
      return;
    }
    auto const [max, remaining] = it->second;
    auto const allowed = static_cast<std::int64_t>(static_cast<double>(max) * budget_share_);
    std::int64_t const left = allowed - (max - remaining);
    std::string const share = std::to_string(static_cast<int>(budget_share_ * 100 + 0.5)) + "%";
    std::string const detail = std::to_string(remaining) + " of " + std::to_string(max) +
                               " daily API requests left; casebridge may use up to " + share +
                               " of the limit";
    if (left <= 0) {
      Add(Failed("exhausted", subject, detail + ", which is used up",
                 "wait for the rolling 24-hour window, or raise api_budget_share in "
                 "casebridge.json"));
    } else {
      Add(Passed(subject, detail + " (" + std::to_string(left) + " more for casebridge)"));
    }
  }

  salesforce::Client const& client_;
  SalesforceUsage const& usage_;
  double budget_share_;
  std::string user_;
  std::map<std::string, StatusOr<salesforce::SObjectDescribe>> describes_;
  std::vector<DoctorCheck> checks_;
};

}  // namespace

std::vector<DoctorCheck> CheckSalesforceOrg(salesforce::Client const& client,
                                            SalesforceUsage const& usage, double budget_share) {
  return OrgChecker(client, usage, budget_share).Run();
}

}  // namespace casebridge::adapters
