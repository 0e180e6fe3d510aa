#include "connector/sandbox/schema.h"

#include <utility>

#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

FieldDef Str(std::string name, std::size_t max_length = 255) {
  FieldDef f;
  f.name = std::move(name);
  f.type = FieldType::kString;
  f.max_length = max_length;
  return f;
}

FieldDef Typed(std::string name, FieldType type) {
  FieldDef f;
  f.name = std::move(name);
  f.type = type;
  return f;
}

FieldDef Ref(std::string name, std::vector<std::string> to, std::string relationship) {
  FieldDef f;
  f.name = std::move(name);
  f.type = FieldType::kReference;
  f.reference_to = std::move(to);
  f.relationship_name = std::move(relationship);
  return f;
}

// A standard picklist with the values a new org ships (an org's own values come from the seed).
FieldDef Picklist(std::string name, std::vector<std::string> values) {
  FieldDef f = Str(std::move(name), 40);
  f.describe_type = "picklist";
  f.picklist_values = std::move(values);
  return f;
}

FieldDef ReadOnly(FieldDef f) {
  f.createable = false;
  f.updateable = false;
  return f;
}

FieldDef Required(FieldDef f) {
  f.required = true;
  return f;
}

void Add(ObjectSchema& o, FieldDef f) { (void)o.AddField(std::move(f)); }

// Id, IsDeleted, CreatedDate/ById and (unless `history`) the last-modified audit fields.
void AddSystemFields(ObjectSchema& o, bool history = false) {
  Add(o, ReadOnly(Typed("Id", FieldType::kId)));
  Add(o, ReadOnly(Typed("IsDeleted", FieldType::kBoolean)));
  Add(o, ReadOnly(Typed("CreatedDate", FieldType::kDateTime)));
  Add(o, ReadOnly(Ref("CreatedById", {"User"}, "CreatedBy")));
  if (history) return;
  Add(o, ReadOnly(Typed("LastModifiedDate", FieldType::kDateTime)));
  Add(o, ReadOnly(Ref("LastModifiedById", {"User"}, "LastModifiedBy")));
  Add(o, ReadOnly(Typed("SystemModstamp", FieldType::kDateTime)));
}

void AddAddress(ObjectSchema& o, std::string const& prefix) {
  Add(o, Str(prefix + "Street"));
  Add(o, Str(prefix + "City", 40));
  Add(o, Str(prefix + "State", 80));
  Add(o, Str(prefix + "PostalCode", 20));
  Add(o, Str(prefix + "Country", 80));
}

ObjectSchema MakeAccount() {
  ObjectSchema o("Account", "001");
  AddSystemFields(o);
  Add(o, Required(Str("Name")));
  Add(o, Str("Type"));
  Add(o, Str("Industry"));
  Add(o, Str("Phone", 40));
  Add(o, Str("Website"));
  Add(o, Str("Description", 32000));
  AddAddress(o, "Billing");
  Add(o, Ref("ParentId", {"Account"}, "Parent"));
  Add(o, Ref("OwnerId", {"User"}, "Owner"));
  o.AddChild({"Contacts", "Contact", "AccountId"});
  o.AddChild({"Cases", "Case", "AccountId"});
  o.AddChild({"Tasks", "Task", "WhatId"});
  o.AddChild({"ChildAccounts", "Account", "ParentId"});
  return o;
}

ObjectSchema MakeContact() {
  ObjectSchema o("Contact", "003");
  AddSystemFields(o);
  Add(o, Str("FirstName", 40));
  Add(o, Required(Str("LastName", 80)));
  Add(o, ReadOnly(Str("Name", 121)));
  Add(o, Str("Salutation", 40));
  Add(o, Str("Title", 128));
  Add(o, Str("Email", 80));
  Add(o, Str("Phone", 40));
  Add(o, Str("MobilePhone", 40));
  Add(o, Str("Description", 32000));
  AddAddress(o, "Mailing");
  Add(o, Ref("AccountId", {"Account"}, "Account"));
  Add(o, Ref("OwnerId", {"User"}, "Owner"));
  o.AddChild({"Cases", "Case", "ContactId"});
  o.AddChild({"Tasks", "Task", "WhoId"});
  return o;
}

ObjectSchema MakeUser() {
  ObjectSchema o("User", "005");
  AddSystemFields(o);
  Add(o, Required(Str("Username", 80)));
  Add(o, Str("FirstName", 40));
  Add(o, Required(Str("LastName", 80)));
  Add(o, ReadOnly(Str("Name", 121)));
  Add(o, Str("Alias", 8));
  Add(o, Str("Email", 128));
  Add(o, Str("Title", 80));
  Add(o, Str("Department", 80));
  Add(o, Str("Phone", 40));
  Add(o, Typed("IsActive", FieldType::kBoolean));
  Add(o, Str("UserType", 40));
  Add(o, Str("TimeZoneSidKey", 40));
  Add(o, Str("LocaleSidKey", 40));
  Add(o, Str("LanguageLocaleKey", 40));
  Add(o, Ref("ManagerId", {"User"}, "Manager"));
  return o;
}

ObjectSchema MakeGroup() {
  ObjectSchema o("Group", "00G");
  AddSystemFields(o);
  Add(o, Required(Str("Name", 40)));
  Add(o, Str("DeveloperName", 80));
  Add(o, Str("Type", 40));
  Add(o, Str("Email"));
  Add(o, Typed("DoesSendEmailToMembers", FieldType::kBoolean));
  Add(o, Ref("OwnerId", {"User"}, "Owner"));
  o.AddChild({"QueueSobjects", "QueueSobject", "QueueId"});
  return o;
}

ObjectSchema MakeQueueSobject() {
  ObjectSchema o("QueueSobject", "03g");
  AddSystemFields(o);
  Add(o, Required(Ref("QueueId", {"Group"}, "Queue")));
  Add(o, Required(Str("SobjectType", 40)));
  return o;
}

ObjectSchema MakeCase() {
  ObjectSchema o("Case", "500");
  AddSystemFields(o);
  Add(o, ReadOnly(Str("CaseNumber", 30)));
  Add(o, Str("Subject"));
  Add(o, Str("Description", 32000));
  Add(o, Picklist("Status", {"New", "Working", "Escalated", "Closed"}));
  Add(o, Picklist("Priority", {"High", "Medium", "Low"}));
  Add(o, Picklist("Origin", {"Phone", "Email", "Web"}));
  Add(o, Picklist("Reason", {"Installation", "Equipment Complexity", "Performance", "Breakdown",
                             "Equipment Design", "Feedback", "Other"}));
  Add(o, Picklist("Type", {"Mechanical", "Electrical", "Electronic", "Structural", "Other"}));
  Add(o, ReadOnly(Typed("IsClosed", FieldType::kBoolean)));
  Add(o, ReadOnly(Typed("ClosedDate", FieldType::kDateTime)));
  Add(o, Typed("IsEscalated", FieldType::kBoolean));
  Add(o, Str("SuppliedName", 80));
  Add(o, Str("SuppliedEmail", 80));
  Add(o, Str("SuppliedPhone", 40));
  Add(o, Str("BusinessHoursId", 18));
  Add(o, Ref("OwnerId", {"Group", "User"}, "Owner"));
  Add(o, Ref("AccountId", {"Account"}, "Account"));
  Add(o, Ref("ContactId", {"Contact"}, "Contact"));
  Add(o, Ref("ParentId", {"Case"}, "Parent"));
  o.AddChild({"Tasks", "Task", "WhatId"});
  o.AddChild({"EmailMessages", "EmailMessage", "ParentId"});
  o.AddChild({"Feeds", "FeedItem", "ParentId"});
  o.AddChild({"Histories", "CaseHistory", "CaseId"});
  o.AddChild({"CaseComments", "CaseComment", "ParentId"});
  o.AddChild({"Cases", "Case", "ParentId"});
  return o;
}

ObjectSchema MakeTask(SchemaOptions const& options) {
  ObjectSchema o("Task", "00T");
  AddSystemFields(o);
  Add(o, Str("Subject"));
  Add(o, Str("Description", 32000));
  Add(o, Picklist("Status", {"Not Started", "In Progress", "Completed", "Waiting on someone else",
                             "Deferred"}));
  Add(o, Picklist("Priority", {"High", "Normal", "Low"}));
  Add(o, Typed("ActivityDate", FieldType::kDate));
  Add(o, Picklist("Type", {"Call", "Email", "Meeting", "Other"}));
  Add(o, Picklist("CallType", {"Internal", "Inbound", "Outbound"}));
  Add(o, Str("CallDisposition"));
  Add(o, Typed("ReminderDateTime", FieldType::kDateTime));
  Add(o, Typed("IsReminderSet", FieldType::kBoolean));
  FieldDef subtype = Str("TaskSubtype", 40);
  subtype.updateable = false;  // create-only
  Add(o, subtype);
  Add(o, ReadOnly(Typed("IsClosed", FieldType::kBoolean)));
  Add(o, ReadOnly(Typed("IsHighPriority", FieldType::kBoolean)));
  Add(o, ReadOnly(Typed("CompletedDateTime", FieldType::kDateTime)));
  Add(o, Ref("OwnerId", {"User", "Group"}, "Owner"));
  Add(o, Ref("WhatId", {"Case", "Account"}, "What"));
  Add(o, Ref("WhoId", {"Contact"}, "Who"));
  if (!options.task_external_id_field.empty()) {
    FieldDef key = Str(options.task_external_id_field);
    key.external_id = true;
    key.unique = true;
    Add(o, key);
  }
  return o;
}

ObjectSchema MakeEmailMessage() {
  ObjectSchema o("EmailMessage", "02s");
  AddSystemFields(o);
  Add(o, Ref("ParentId", {"Case"}, "Parent"));
  Add(o, Ref("RelatedToId", {"Case", "Account"}, "RelatedTo"));
  Add(o, Ref("ActivityId", {"Task"}, "Activity"));
  Add(o, Ref("ReplyToEmailMessageId", {"EmailMessage"}, "ReplyToEmailMessage"));
  Add(o, Typed("Incoming", FieldType::kBoolean));
  Add(o, Typed("MessageDate", FieldType::kDateTime));
  Add(o, Str("Status", 40));
  Add(o, Str("FromAddress"));
  Add(o, Str("FromName", 1000));
  Add(o, Str("ToAddress", 4000));
  Add(o, Str("CcAddress", 4000));
  Add(o, Str("BccAddress", 4000));
  Add(o, Str("Subject", 3000));
  Add(o, Str("TextBody", 131072));
  Add(o, Str("HtmlBody", 131072));
  Add(o, Typed("IsExternallyVisible", FieldType::kBoolean));
  return o;
}

ObjectSchema MakeFeedItem() {
  ObjectSchema o("FeedItem", "0D5");
  AddSystemFields(o);
  Add(o, Required(Ref("ParentId", {"Case", "Account", "User", "Group"}, "Parent")));
  Add(o, Str("Body", 10000));
  Add(o, Str("Type", 40));
  Add(o, Str("Title"));
  Add(o, Str("LinkUrl", 1000));
  Add(o, Typed("IsRichText", FieldType::kBoolean));
  Add(o, ReadOnly(Typed("CommentCount", FieldType::kNumber)));
  return o;
}

ObjectSchema MakeCaseComment() {
  ObjectSchema o("CaseComment", "00a");
  AddSystemFields(o);
  Add(o, Required(Ref("ParentId", {"Case"}, "Parent")));
  Add(o, Str("CommentBody", 4000));
  Add(o, Typed("IsPublished", FieldType::kBoolean));
  return o;
}

ObjectSchema MakeCaseHistory() {
  ObjectSchema o("CaseHistory", "017");
  AddSystemFields(o, /*history=*/true);
  Add(o, ReadOnly(Ref("CaseId", {"Case"}, "Case")));
  Add(o, ReadOnly(Str("Field")));
  Add(o, ReadOnly(Str("DataType", 40)));
  Add(o, ReadOnly(Typed("OldValue", FieldType::kAny)));
  Add(o, ReadOnly(Typed("NewValue", FieldType::kAny)));
  return o;
}

struct DeclaredType {
  FieldType type;
  std::string describe;  // "" = FieldTypeName(type)
};

StatusOr<DeclaredType> ParseDeclaredType(std::string const& t) {
  std::string const l = Lower(t);
  if (l == "string" || l == "text") return DeclaredType{FieldType::kString, ""};
  if (l == "textarea" || l == "picklist" || l == "email" || l == "phone" || l == "url" ||
      l == "multipicklist") {
    return DeclaredType{FieldType::kString, l};
  }
  if (l == "boolean" || l == "checkbox") return DeclaredType{FieldType::kBoolean, ""};
  if (l == "number" || l == "double") return DeclaredType{FieldType::kNumber, ""};
  if (l == "int" || l == "integer") return DeclaredType{FieldType::kNumber, "int"};
  if (l == "currency" || l == "percent") return DeclaredType{FieldType::kNumber, l};
  if (l == "date") return DeclaredType{FieldType::kDate, ""};
  if (l == "datetime") return DeclaredType{FieldType::kDateTime, ""};
  if (l == "reference" || l == "lookup") return DeclaredType{FieldType::kReference, ""};
  return InvalidArgumentError("unknown field type '" + t + "'");
}

// The boolean member `key` of a declaration into `out` (left alone when absent).
void ReadFlag(nlohmann::json const& decl, char const* key, bool& out) {
  if (decl.is_object() && decl.contains(key) && decl.at(key).is_boolean()) {
    out = decl.at(key).get<bool>();
  }
}

// The describe facts of a declaration (values, flags) onto `f`.
Status ReadDescribeFacts(nlohmann::json const& decl, FieldDef& f) {
  ReadFlag(decl, "externalId", f.external_id);
  ReadFlag(decl, "unique", f.unique);
  ReadFlag(decl, "required", f.required);
  ReadFlag(decl, "createable", f.createable);
  ReadFlag(decl, "updateable", f.updateable);
  if (!decl.is_object() || !decl.contains("values")) return OkStatus();
  auto const& values = decl.at("values");
  if (!values.is_array()) return InvalidArgumentError("\"values\" must be an array of strings");
  f.picklist_values.clear();
  for (auto const& v : values) {
    if (!v.is_string()) return InvalidArgumentError("\"values\" must be an array of strings");
    f.picklist_values.push_back(v.get<std::string>());
  }
  return OkStatus();
}

// Custom lookups Foo__c get the relationship Foo__r; standard XxxId gets Xxx.
std::string DefaultRelationshipName(std::string const& n) {
  if (n.size() > 3 && EqualsIgnoreCase(n.substr(n.size() - 3), "__c")) {
    return n.substr(0, n.size() - 3) + "__r";
  }
  if (n.size() > 2 && EqualsIgnoreCase(n.substr(n.size() - 2), "Id")) {
    return n.substr(0, n.size() - 2);
  }
  return {};
}

}  // namespace

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kId:
      return "id";
    case FieldType::kReference:
      return "reference";
    case FieldType::kString:
      return "string";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kNumber:
      return "double";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "datetime";
    case FieldType::kAny:
      return "anyType";
  }
  return "string";
}

ObjectSchema::ObjectSchema(std::string name, std::string key_prefix)
    : name_(std::move(name)), key_prefix_(std::move(key_prefix)) {}

FieldDef const* ObjectSchema::FindField(std::string_view name) const {
  auto it = by_name_.find(Lower(name));
  return it == by_name_.end() ? nullptr : &fields_[it->second];
}

FieldDef const* ObjectSchema::FindRelationship(std::string_view name) const {
  auto it = by_relationship_.find(Lower(name));
  return it == by_relationship_.end() ? nullptr : &fields_[it->second];
}

FieldDef* ObjectSchema::FindFieldMutable(std::string_view name) {
  auto it = by_name_.find(Lower(name));
  return it == by_name_.end() ? nullptr : &fields_[it->second];
}

ChildRelationship const* ObjectSchema::FindChild(std::string_view name) const {
  for (auto const& c : children_) {
    if (EqualsIgnoreCase(c.name, name)) return &c;
  }
  return nullptr;
}

Status ObjectSchema::AddField(FieldDef field) {
  std::string const key = Lower(field.name);
  if (auto it = by_name_.find(key); it != by_name_.end()) {
    if (fields_[it->second].type != field.type) {
      return InvalidArgumentError(name_ + "." + field.name + " is already a " +
                                  std::string(FieldTypeName(fields_[it->second].type)) + " field");
    }
    return OkStatus();
  }
  if (!field.relationship_name.empty()) {
    by_relationship_[Lower(field.relationship_name)] = fields_.size();
  }
  by_name_[key] = fields_.size();
  fields_.push_back(std::move(field));
  return OkStatus();
}

void ObjectSchema::AddChild(ChildRelationship child) { children_.push_back(std::move(child)); }

Schema Schema::Standard(SchemaOptions const& options) {
  Schema s;
  s.objects_.push_back(MakeAccount());
  s.objects_.push_back(MakeContact());
  s.objects_.push_back(MakeUser());
  s.objects_.push_back(MakeGroup());
  s.objects_.push_back(MakeQueueSobject());
  s.objects_.push_back(MakeCase());
  s.objects_.push_back(MakeTask(options));
  s.objects_.push_back(MakeEmailMessage());
  s.objects_.push_back(MakeFeedItem());
  s.objects_.push_back(MakeCaseComment());
  s.objects_.push_back(MakeCaseHistory());
  return s;
}

ObjectSchema const* Schema::Find(std::string_view name) const {
  for (auto const& o : objects_) {
    if (EqualsIgnoreCase(o.name(), name)) return &o;
  }
  return nullptr;
}

ObjectSchema* Schema::FindMutable(std::string_view name) {
  for (auto& o : objects_) {
    if (EqualsIgnoreCase(o.name(), name)) return &o;
  }
  return nullptr;
}

ObjectSchema const* Schema::FindByIdPrefix(std::string_view id) const {
  if (id.size() < 3) return nullptr;
  for (auto const& o : objects_) {
    if (id.substr(0, 3) == o.key_prefix()) return &o;
  }
  return nullptr;
}

Status Schema::DeclareFields(nlohmann::json const& declarations) {
  if (!declarations.is_object()) {
    return InvalidArgumentError("_fields must be an object of {\"<Object>\": {\"<Field>\": …}}");
  }
  for (auto const& [object_name, fields] : declarations.items()) {
    ObjectSchema* object = FindMutable(object_name);
    if (object == nullptr) {
      return InvalidArgumentError("_fields: unknown object '" + object_name + "'");
    }
    if (!fields.is_object()) {
      return InvalidArgumentError("_fields." + object_name + " must be an object");
    }
    for (auto const& [field_name, decl] : fields.items()) {
      if (auto s = DeclareField(*object, field_name, decl); !s.ok()) {
        return InvalidArgumentError("_fields." + object_name + "." + field_name + ": " +
                                    s.message());
      }
    }
  }
  return OkStatus();
}

Status Schema::DeclareField(ObjectSchema& object, std::string const& name,
                            nlohmann::json const& decl) {
  std::string type_name;
  if (decl.is_string()) {
    type_name = decl.get<std::string>();
  } else if (decl.is_object() && decl.contains("type") && decl.at("type").is_string()) {
    type_name = decl.at("type").get<std::string>();
  } else {
    return InvalidArgumentError("expected a type name or {\"type\": …}");
  }
  auto type = ParseDeclaredType(type_name);
  if (!type.ok()) return type.status();
  if (FieldDef* existing = object.FindFieldMutable(name)) {
    // A redefinition of what describe says about a field the org already has.
    if (existing->type != type->type) {
      return InvalidArgumentError("is already a " + std::string(FieldTypeName(existing->type)) +
                                  " field");
    }
    if (!type->describe.empty()) existing->describe_type = type->describe;
    return ReadDescribeFacts(decl, *existing);
  }
  FieldDef f;
  f.name = name;
  f.type = type->type;
  f.describe_type = type->describe;
  if (f.type == FieldType::kString) f.max_length = 255;
  if (auto s = ReadDescribeFacts(decl, f); !s.ok()) return s;
  std::string child_name;
  if (decl.is_object()) {
    if (decl.contains("length") && decl.at("length").is_number_unsigned()) {
      f.max_length = decl.at("length").get<std::size_t>();
    }
    if (decl.contains("referenceTo")) {
      auto const& to = decl.at("referenceTo");
      if (to.is_string()) {
        f.reference_to.push_back(to.get<std::string>());
      } else if (to.is_array()) {
        for (auto const& t : to) {
          if (t.is_string()) f.reference_to.push_back(t.get<std::string>());
        }
      }
    }
    if (decl.contains("relationshipName") && decl.at("relationshipName").is_string()) {
      f.relationship_name = decl.at("relationshipName").get<std::string>();
    }
    if (decl.contains("childRelationshipName") && decl.at("childRelationshipName").is_string()) {
      child_name = decl.at("childRelationshipName").get<std::string>();
    }
  }
  if (f.type == FieldType::kReference) {
    if (f.reference_to.empty()) return InvalidArgumentError("a reference needs \"referenceTo\"");
    for (auto& target : f.reference_to) {
      ObjectSchema const* t = Find(target);
      if (t == nullptr) {
        return InvalidArgumentError("unknown referenceTo object '" + target + "'");
      }
      target = t->name();
    }
    if (f.relationship_name.empty()) f.relationship_name = DefaultRelationshipName(f.name);
  }
  if (auto s = object.AddField(f); !s.ok()) return s;
  if (!child_name.empty()) {
    for (auto const& target : f.reference_to) {
      FindMutable(target)->AddChild({child_name, object.name(), f.name});
    }
  }
  return OkStatus();
}

}  // namespace casebridge::sandbox
