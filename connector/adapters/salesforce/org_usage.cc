#include "connector/adapters/salesforce/org_usage.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "connector/adapters/ports.h"
#include "connector/adapters/salesforce/action_content.h"
#include "connector/adapters/salesforce/case_adapter.h"
#include "mappings/app_config.h"
#include "mappings/catalogue.h"
#include "mappings/loader.h"
#include "mappings/signals.h"

namespace casebridge::adapters {
namespace {

bool IsCustom(std::string_view field) { return field.size() > 3 && field.ends_with("__c"); }

// Standard picklists whose values an admin edits (standard value sets CaseReason, TaskStatus,
// TaskPriority, …): a value casebridge names there must exist in the org.
bool HasEditableValueSet(std::string const& object_field) {
  static std::set<std::string> const kEditable = {"Case.Reason",   "Case.Status", "Case.Origin",
                                                  "Case.Priority", "Case.Type",   "Task.Status",
                                                  "Task.Priority", "Task.Type"};
  return kEditable.contains(object_field);
}

// The fields of `SELECT a, b.c, d FROM …`.
std::vector<std::string> SelectList(std::string const& soql) {
  std::vector<std::string> out;
  auto const from = soql.find(" FROM ");
  if (soql.rfind("SELECT ", 0) != 0 || from == std::string::npos) return out;
  std::string const list = soql.substr(7, from - 7);
  std::size_t start = 0;
  while (start <= list.size()) {
    auto const comma = list.find(", ", start);
    out.push_back(
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return out;
}

std::string ObjectOf(std::string const& soql) {
  auto const from = soql.find(" FROM ");
  if (from == std::string::npos) return {};
  auto const end = soql.find(' ', from + 6);
  return soql.substr(from + 6, end == std::string::npos ? std::string::npos : end - from - 6);
}

class UsageBuilder {
 public:
  UsageBuilder(mappings::Policy policy, mappings::SignalsMapping signals,
               std::vector<std::string>& problems)
      : policy_(std::move(policy)), signals_(std::move(signals)), problems_(problems) {}

  SalesforceUsage Build() {
    usage_.api_version = mappings::SalesforceConfig{}.api_version;
    for (auto const& [key, name] : policy_.queues.developer_names) usage_.queues.insert(name);
    usage_.objects_read.insert("Case");
    LookupTargets();
    Roles();
    Signals();
    Queries();
    Payloads();
    return std::move(usage_);
  }

 private:
  struct Resolved {
    std::string object;
    std::string field;
  };

  // Lookups the relations give a target: the installer Account, the homeowner Contact.
  void LookupTargets() {
    auto const& r = policy_.relations;
    for (auto const& [lookup, target] :
         {std::pair{r.installer_field, "Account"}, std::pair{r.homeowner_field, "Contact"}}) {
      auto const rel = adapters::RelationshipOf(lookup);
      if (!rel.empty()) targets_["Case." + rel] = target;
    }
  }

  // `path` from `object` ("Installer__r.Escalation_Email__c" from Case) to its last object and
  // field; the lookups on the way are used too. nullopt (and a problem) when a hop is unknown.
  std::optional<Resolved> Resolve(std::string object, std::string const& path,
                                  std::string const& named_by) {
    static std::map<std::string, std::string> const kStandard = {
        {"Contact", "Contact"}, {"Account", "Account"},     {"Owner", "User"},
        {"CreatedBy", "User"},  {"LastModifiedBy", "User"}, {"Parent", "Case"}};
    std::size_t start = 0;
    for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
      std::string const rel = path.substr(start, dot - start);
      auto const known = targets_.find(object + "." + rel);
      std::string target;
      if (known != targets_.end()) {
        target = known->second;
        if (rel.ends_with("__r")) Use(object, rel.substr(0, rel.size() - 1) + "c", named_by);
      } else if (auto const standard = kStandard.find(rel); standard != kStandard.end()) {
        target = standard->second;
      } else {
        problems_.push_back(named_by + ": cannot tell which object " + object + "." + rel +
                            " leads to (only the relations.json lookups are known)");
        return std::nullopt;
      }
      usage_.objects_read.insert(target);
      object = target;
      start = dot + 1;
    }
    return Resolved{object, path.substr(start)};
  }

  // Records that `object`.`path` is used; returns the custom field's use, or nullptr.
  FieldUse* Use(std::string const& object, std::string const& path, std::string const& named_by) {
    if (path.empty()) return nullptr;
    auto const r = Resolve(object, path, named_by);
    if (!r) return nullptr;
    usage_.objects_read.insert(r->object);
    usage_.fields_used[r->object].insert(r->field);
    if (!IsCustom(r->field)) return nullptr;
    FieldUse& u = usage_.custom_fields[r->object + "." + r->field];
    u.object = r->object;
    u.field = r->field;
    u.named_by.insert(named_by);
    return &u;
  }

  // A field a role gives a type (and maybe a lookup target or picklist values).
  void Role(std::string const& object, std::string const& path, std::string const& named_by,
            std::string const& type, std::set<std::string> const& values = {}) {
    if (path.empty()) return;
    if (!IsCustom(path.substr(path.rfind('.') + 1))) {
      auto const r = Resolve(object, path, named_by);
      if (r) usage_.fields_used[r->object].insert(r->field);
      if (r && !values.empty() && HasEditableValueSet(r->object + "." + r->field)) {
        usage_.standard_values[r->object + "." + r->field].insert(values.begin(), values.end());
      }
      return;
    }
    FieldUse* u = Use(object, path, named_by);
    if (u == nullptr) return;
    u->types.insert(type);
    u->values.insert(values.begin(), values.end());
    if (auto const t = targets_.find(object + "." + adapters::RelationshipOf(path));
        type == "Lookup" && t != targets_.end()) {
      u->reference_to = t->second;
    }
  }

  void Roles() {
    auto const& r = policy_.relations;
    auto const& c = signals_.salesforce.case_fields;
    std::set<std::string> financing;
    for (auto const& [raw, kind] : r.financing_values) financing.insert(raw);
    Role("Case", r.installer_field, "relations.json installer_field", "Lookup");
    Role("Case", r.homeowner_field, "relations.json homeowner_field", "Lookup");
    Role("Case", r.financing_field, "relations.json financing_field", "Picklist", financing);
    Role("Case", r.pre_m3_pto_field, "relations.json pre_m3_pto_field", "Checkbox");
    Role("Case", r.tier_field, "relations.json tier_field", "Number");
    std::string const installer = adapters::RelationshipOf(r.installer_field);
    if (!installer.empty()) {
      Role("Case", installer + "." + r.installer_escalation_phone_field,
           "relations.json installer_escalation_phone_field", "Phone");
    }
    std::set<std::string> const secondary(policy_.reasons.secondary_reasons.begin(),
                                          policy_.reasons.secondary_reasons.end());
    Role("Case", c.secondary_reason, "signals.json case.secondary_reason_field", "Picklist",
         secondary);
    Role("Case", c.primary_reason, "signals.json case.primary_reason_field", "Picklist",
         {policy_.reasons.installer_complaint});
    Role("Case", c.homeowner_email, "signals.json case.homeowner_email_field", "Email");
    Role("Case", c.installer_email, "signals.json case.installer_email_field", "Email");
    for (auto const* f : {&c.created, &c.closed, &c.modstamp}) {
      Role("Case", *f, "signals.json case (date-time field)", "DateTime");
    }
    std::string const& key = signals_.salesforce.task_key_field;
    Role("Task", key, "signals.json task_key_field", "Text");
    if (auto it = usage_.custom_fields.find("Task." + key); it != usage_.custom_fields.end()) {
      it->second.external_id = true;
    }
  }

  // `when`/`inbound` conditions: values of a checkbox ("true"/"false") or of a picklist.
  void Conditions(std::string const& object, std::vector<mappings::FieldValues> const& conditions,
                  std::string const& named_by) {
    for (auto const& w : conditions) {
      std::set<std::string> values;
      bool flags_only = true;
      for (auto const& v : w.values) {
        if (v.empty()) continue;
        values.insert(v);
        flags_only = flags_only && (v == "true" || v == "false");
      }
      if (values.empty()) {
        Use(object, w.field, named_by);
      } else if (flags_only) {
        Role(object, w.field, named_by, "Checkbox");
      } else {
        Role(object, w.field, named_by, "Picklist", values);
      }
    }
  }

  void Outcome(std::string const& object, std::string const& field,
               std::map<std::string, std::string> const& outcome_values,
               std::string const& named_by) {
    std::set<std::string> raw;
    for (auto const& [value, outcome] : outcome_values) raw.insert(value);
    Role(object, field, named_by, "Picklist", raw);
  }

  static std::string ObjectOfRelationship(std::string const& relationship) {
    for (auto const& child : adapters::StandardCaseChildObjects()) {
      if (child.relationship == relationship) return child.object;
    }
    return {};
  }

  void Signals() {
    auto const& sf = signals_.salesforce;
    for (std::size_t i = 0; i < sf.events.size(); ++i) {
      auto const& e = sf.events[i];
      std::string const object = ObjectOfRelationship(e.from);
      std::string const named_by = "signals.json events[" + std::to_string(i) + "]";
      if (object.empty()) continue;  // reported by Queries()
      for (auto const& at : e.at) Role(object, at, named_by + ".at", "DateTime");
      Conditions(object, e.when, named_by + ".when");
      if (!e.outcome_field.empty()) Outcome(object, e.outcome_field, e.outcome_values, named_by);
    }
    for (std::size_t i = 0; i < sf.documents.size(); ++i) {
      auto const& d = sf.documents[i];
      std::string const object = ObjectOfRelationship(d.from);
      std::string const named_by = "signals.json documents[" + std::to_string(i) + "]";
      if (object.empty()) continue;
      for (auto const& at : d.at) Role(object, at, named_by + ".at", "DateTime");
      Conditions(object, d.when, named_by + ".when");
      Conditions(object, d.inbound, named_by + ".inbound");
      if (!d.outcome_field.empty()) Outcome(object, d.outcome_field, d.outcome_values, named_by);
    }
  }

  // Every field the adapter's queries select (the REST query reads the same).
  void Queries() {
    adapters::SalesforceCaseAdapter const adapter(signals_, policy_, adapters::QueueDirectory{});
    auto const queries = adapter.BulkQueries("");
    if (!queries.ok()) {
      problems_.push_back(queries.status().message());
      return;
    }
    for (auto const& f : SelectList(queries->cases.soql)) Use("Case", f, "the Case query");
    for (auto const& child : queries->children) {
      std::string const object = ObjectOf(child.query.soql);
      usage_.objects_read.insert(object);
      for (auto const& f : SelectList(child.query.soql)) {
        Use(object, f, "the " + child.child.relationship + " query");
      }
    }
  }

  // The ledger payload of every Salesforce action, for a sample case.
  void Payloads() {
    adapters::QueueDirectory queues;
    int n = 0;
    for (auto const& [key, name] : policy_.queues.developer_names) {
      std::string id = std::to_string(++n);
      queues.Add("00G" + std::string(15 - id.size(), '0') + id, key);
    }
    adapters::SalesforceCaseAdapter const adapter(signals_, policy_, queues);
    adapters::SourcedCase c;
    c.system = "salesforce";
    c.snapshot.id = "500000000000001AAA";
    c.snapshot.homeowner_id = "003000000000001AAA";
    c.owner_id = "005000000000001AAA";
    for (std::size_t i = 0; i < mappings::kActionCount; ++i) {
      auto const id = static_cast<mappings::ActionId>(i);
      engine::PlannedAction action;
      action.action = id;
      action.kind = mappings::KindOf(id);
      action.due = Instant{std::chrono::seconds{1'772'000'000}};
      action.key = c.snapshot.id + ":" + std::string(mappings::ActionName(id)) + ":1";
      auto payload = adapters::RenderSalesforceAction(c, action, policy_, adapter);
      if (!payload.ok()) {
        problems_.push_back(std::string(mappings::ActionName(id)) + ": " +
                            payload.status().message());
        continue;
      }
      if (*payload) {  // nullopt: a record in another system (Forge)
        Written(nlohmann::json::parse(**payload), std::string(mappings::ActionName(id)));
      }
    }
  }

  void Written(nlohmann::json const& payload, std::string const& action) {
    std::string const object = payload.at("sobject").get<std::string>();
    usage_.writes[object].insert(payload.at("op").get<std::string>());
    for (auto const& [field, value] : payload.at("fields").items()) {
      usage_.fields_written[object].insert(field);
      if (FieldUse* u = Use(object, field, "the " + action + " payload")) u->written = true;
      if (value.is_string() && HasEditableValueSet(object + "." + field)) {
        usage_.standard_values[object + "." + field].insert(value.get<std::string>());
      }
    }
  }

  mappings::Policy policy_;
  mappings::SignalsMapping signals_;
  std::vector<std::string>& problems_;
  std::map<std::string, std::string> targets_;  // "Case.Installer__r" -> "Account"
  SalesforceUsage usage_;
};

}  // namespace

SalesforceUsage DeriveSalesforceUsage(std::string const& mappings_dir,
                                      std::vector<std::string>& problems) {
  std::vector<mappings::Problem> load;
  auto policy = mappings::LoadPolicy(mappings_dir, load);
  auto signals = mappings::LoadSignals(mappings_dir, load);
  if (!load.empty()) {
    for (auto const& p : load) problems.push_back(p.ToString());
    return {};
  }
  return UsageBuilder(std::move(policy), std::move(signals), problems).Build();
}

std::string FieldMetadataFile(std::string const& object, std::string const& field) {
  std::string const folder = object == "Task" || object == "Event" ? "Activity" : object;
  return "force-app/main/default/objects/" + folder + "/fields/" + field + ".field-meta.xml";
}

std::string QueueMetadataFile(std::string const& developer_name) {
  return "force-app/main/default/queues/" + developer_name + ".queue-meta.xml";
}

std::string PermissionSetMetadataFile() {
  return "force-app/main/default/permissionsets/" + std::string(kPermissionSetName) +
         ".permissionset-meta.xml";
}

}  // namespace casebridge::adapters
