#include "connector/sandbox/sobject_writer.h"

#include <algorithm>
#include <utility>

#include "connector/sandbox/sf_ids.h"
#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;

std::string JsonTokenName(json const& v) {
  if (v.is_string()) return "VALUE_STRING";
  if (v.is_boolean()) return v.get<bool>() ? "VALUE_TRUE" : "VALUE_FALSE";
  if (v.is_number_float()) return "VALUE_NUMBER_FLOAT";
  if (v.is_number()) return "VALUE_NUMBER_INT";
  if (v.is_array()) return "START_ARRAY";
  if (v.is_object()) return "START_OBJECT";
  return "VALUE_NULL";
}

std::string Preview(json const& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > 40) s = s.substr(0, 40) + "...";
  return s;
}

WriteError ParserError(std::string const& type, json const& v, std::string const& field) {
  return {"JSON_PARSER_ERROR",
          "Cannot deserialize instance of " + type + " from " + JsonTokenName(v) + " value " +
              Preview(v) + " or request may be missing a required field (field " + field + ")",
          {field}};
}

bool Contains(std::vector<std::string> const& list, json const& v) {
  if (!v.is_string()) return false;
  auto const& s = v.get_ref<std::string const&>();
  return std::any_of(list.begin(), list.end(),
                     [&](std::string const& x) { return EqualsIgnoreCase(x, s); });
}

void SetIfAbsent(json& fields, char const* name, json value) {
  if (!fields.contains(name)) fields[name] = std::move(value);
}

std::string Utf8Prefix(std::string const& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n) + "...";
}

// Text length in characters (UTF-8 code points), as Salesforce counts it.
std::size_t CharLength(std::string const& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

SObjectWriter::SObjectWriter(Schema const& schema, RecordStore& store, WriterOptions options)
    : schema_(schema), store_(store), options_(std::move(options)) {}

std::variant<json, WriteError> SObjectWriter::ParseBody(ObjectSchema const& object,
                                                        json const& body, bool allow_id) const {
  if (!body.is_object()) {
    return WriteError{"JSON_PARSER_ERROR",
                      "Cannot deserialize instance of " + object.name() + " from " +
                          JsonTokenName(body) + " value",
                      {}};
  }
  json out = json::object();
  for (auto const& [key, value] : body.items()) {
    if (key == "attributes") continue;
    FieldDef const* f = object.FindField(key);
    if (f == nullptr) {
      return WriteError{"INVALID_FIELD",
                        "No such column '" + key + "' on sobject of type " + object.name(),
                        {key}};
    }
    if (f->type == FieldType::kId) {
      if (allow_id) continue;
      out[f->name] = value;  // rejected later as not createable/updateable
      continue;
    }
    if (value.is_null()) {
      out[f->name] = nullptr;
      continue;
    }
    switch (f->type) {
      case FieldType::kString:
        if (!value.is_string()) return ParserError("string", value, f->name);
        out[f->name] = value;
        break;
      case FieldType::kAny:
        if (value.is_object() || value.is_array()) return ParserError("anyType", value, f->name);
        out[f->name] = value;
        break;
      case FieldType::kBoolean:
        if (!value.is_boolean()) return ParserError("boolean", value, f->name);
        out[f->name] = value;
        break;
      case FieldType::kNumber:
        if (!value.is_number()) return ParserError("double", value, f->name);
        out[f->name] = value.get<double>();
        break;
      case FieldType::kDate: {
        if (!value.is_string()) return ParserError("date", value, f->name);
        auto d = NormalizeDateInput(value.get<std::string>());
        if (!d) return ParserError("date", value, f->name);
        out[f->name] = *d;
        break;
      }
      case FieldType::kDateTime: {
        if (!value.is_string()) return ParserError("dateTime", value, f->name);
        auto d = NormalizeDateTimeInput(value.get<std::string>());
        if (!d) return ParserError("dateTime", value, f->name);
        out[f->name] = *d;
        break;
      }
      case FieldType::kReference:
        if (!value.is_string()) return ParserError("reference", value, f->name);
        if (value.get<std::string>().empty()) {
          out[f->name] = nullptr;
        } else {
          out[f->name] = value;
        }
        break;
      case FieldType::kId:
        break;
    }
  }
  return out;
}

std::optional<WriteError> SObjectWriter::CheckValues(ObjectSchema const& object, json const& values,
                                                     bool create) const {
  std::vector<std::string> read_only;
  for (auto const& [name, value] : values.items()) {
    FieldDef const* f = object.FindField(name);
    if (f == nullptr) continue;
    if (create ? !f->createable : !f->updateable) read_only.push_back(f->name);
  }
  if (!read_only.empty()) {
    std::string list;
    for (auto const& n : read_only) list += (list.empty() ? "" : ", ") + n;
    return WriteError{"INVALID_FIELD_FOR_INSERT_UPDATE",
                      "Unable to create/update fields: " + list +
                          ". Please check the security settings of this field and verify that it "
                          "is read/write for your profile or permission set.",
                      read_only};
  }
  for (auto const& [name, value] : values.items()) {
    FieldDef const* f = object.FindField(name);
    if (f == nullptr || value.is_null()) continue;
    if (f->type == FieldType::kString && f->max_length > 0 &&
        CharLength(value.get<std::string>()) > f->max_length) {
      return WriteError{"STRING_TOO_LONG",
                        f->name +
                            ": data value too large: " + Utf8Prefix(value.get<std::string>(), 20) +
                            " (max length=" + std::to_string(f->max_length) + ")",
                        {f->name}};
    }
    if (f->type != FieldType::kReference) continue;
    std::string const& raw = value.get_ref<std::string const&>();
    auto normalized = NormalizeId(raw);
    if (!normalized) {
      return WriteError{
          "MALFORMED_ID", f->name + ": id value of incorrect type: " + raw, {f->name}};
    }
    Record const* target = store_.Find(*normalized);
    ObjectSchema const* target_object = schema_.FindByIdPrefix(*normalized);
    bool const type_ok =
        target_object != nullptr &&
        std::any_of(f->reference_to.begin(), f->reference_to.end(),
                    [&](std::string const& t) { return t == target_object->name(); });
    if (!type_ok) {
      return WriteError{
          "FIELD_INTEGRITY_EXCEPTION", f->name + ": id value of incorrect type: " + raw, {f->name}};
    }
    if (target == nullptr) {
      return WriteError{"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {f->name}};
    }
    if (target->deleted()) {
      return WriteError{"ENTITY_IS_DELETED", "entity is deleted", {f->name}};
    }
    if (f->name == "OwnerId" && target->object == "Group" &&
        !EqualsIgnoreCase(target->Get("Type").is_string() ? target->Get("Type").get<std::string>()
                                                          : std::string(),
                          "Queue")) {
      return WriteError{"FIELD_INTEGRITY_EXCEPTION",
                        "Owner ID: only a user or a queue can own a record",
                        {f->name}};
    }
  }
  return std::nullopt;
}

void SObjectWriter::NormalizeReferences(ObjectSchema const& object, json& fields) const {
  for (auto& [name, value] : fields.items()) {
    FieldDef const* f = object.FindField(name);
    if (f == nullptr || f->type != FieldType::kReference || !value.is_string()) continue;
    if (auto id = NormalizeId(value.get<std::string>())) value = *id;  // stored as 18 chars
  }
}

void SObjectWriter::ApplyDefaults(ObjectSchema const& object, json& fields,
                                  WriteContext const& ctx) const {
  std::string const& o = object.name();
  bool const has_owner = object.FindField("OwnerId") != nullptr;
  if (has_owner && o != "Group" && !ctx.user_id.empty()) {
    SetIfAbsent(fields, "OwnerId", ctx.user_id);
  }
  if (o == "Case") {
    SetIfAbsent(fields, "Status", "New");
    SetIfAbsent(fields, "Priority", "Medium");
    SetIfAbsent(fields, "IsEscalated", false);
  } else if (o == "Task") {
    SetIfAbsent(fields, "Status", "Not Started");
    SetIfAbsent(fields, "Priority", "Normal");
    SetIfAbsent(fields, "IsReminderSet", false);
    SetIfAbsent(fields, "TaskSubtype", "Task");
  } else if (o == "FeedItem") {
    SetIfAbsent(fields, "Type", "TextPost");
    SetIfAbsent(fields, "IsRichText", false);
    SetIfAbsent(fields, "CommentCount", 0.0);
  } else if (o == "EmailMessage") {
    SetIfAbsent(fields, "Incoming", false);
  } else if (o == "User") {
    SetIfAbsent(fields, "IsActive", true);
    SetIfAbsent(fields, "UserType", "Standard");
  } else if (o == "Group") {
    SetIfAbsent(fields, "Type", "Regular");
  } else if (o == "CaseComment") {
    SetIfAbsent(fields, "IsPublished", false);
  }
}

void SObjectWriter::ApplyDerived(ObjectSchema const& object, json const* before, json& fields,
                                 WriteContext const& ctx) const {
  std::string const& o = object.name();
  auto was = [&](char const* name) -> json {
    if (before == nullptr) return nullptr;
    auto it = before->find(name);
    return it == before->end() ? json(nullptr) : *it;
  };
  if (o == "Contact" || o == "User") {
    std::string name;
    if (fields.contains("FirstName") && fields["FirstName"].is_string()) {
      name = fields["FirstName"].get<std::string>();
    }
    if (fields.contains("LastName") && fields["LastName"].is_string()) {
      name += (name.empty() ? "" : " ") + fields["LastName"].get<std::string>();
    }
    fields["Name"] = name;
  }
  if (o == "Case" || o == "Task") {
    auto const& closed =
        o == "Case" ? options_.closed_case_statuses : options_.closed_task_statuses;
    char const* closed_at = o == "Case" ? "ClosedDate" : "CompletedDateTime";
    bool const is_closed = Contains(closed, fields.contains("Status") ? fields["Status"] : json());
    json const prior = was("IsClosed");
    bool const was_closed = prior.is_boolean() && prior.get<bool>();
    fields["IsClosed"] = is_closed;
    if (is_closed && !was_closed) {
      fields[closed_at] = FormatRestDateTime(ctx.now);
    } else if (!is_closed) {
      fields[closed_at] = nullptr;
    }
  }
  if (o == "Task") {
    fields["IsHighPriority"] = fields.contains("Priority") && fields["Priority"].is_string() &&
                               EqualsIgnoreCase(fields["Priority"].get<std::string>(), "High");
  }
}

void SObjectWriter::ApplyAssignmentRule(ObjectSchema const& object, json& fields,
                                        WriteContext const& ctx, bool& reassigned) const {
  reassigned = false;
  if (object.name() != "Case" || options_.assignment_rule_owner_id.empty()) return;
  if (ctx.auto_assign && EqualsIgnoreCase(*ctx.auto_assign, "FALSE")) return;
  fields["OwnerId"] = options_.assignment_rule_owner_id;
  reassigned = true;
}

std::string SObjectWriter::DisplayName(json const& id) const {
  if (!id.is_string()) return "";
  Record const* r = store_.Find(id.get<std::string>());
  if (r == nullptr) return id.get<std::string>();
  json const& name = r->Get("Name");
  return name.is_string() ? name.get<std::string>() : r->id;
}

void SObjectWriter::WriteCaseHistory(Record const& record, json const* before,
                                     WriteContext const& ctx) {
  ObjectSchema const* history = schema_.Find("CaseHistory");
  auto add = [&](std::string const& field, json old_value, json new_value, char const* type) {
    json row;
    row["CaseId"] = record.id;
    row["Field"] = field;
    row["DataType"] = type;
    row["OldValue"] = std::move(old_value);
    row["NewValue"] = std::move(new_value);
    row["IsDeleted"] = false;
    row["CreatedDate"] = FormatRestDateTime(ctx.now);
    row["CreatedById"] = ctx.user_id;
    store_.Insert(*history, store_.NextId(*history), std::move(row));
  };
  if (before == nullptr) {
    add("created", nullptr, nullptr, "Text");
    return;
  }
  for (auto const& tracked : options_.case_history_fields) {
    json const old_value = before->contains(tracked) ? before->at(tracked) : json();
    json const new_value = record.Get(tracked);
    if (old_value == new_value) continue;
    if (tracked == "OwnerId") {
      // A lookup change is recorded twice: by name and by id.
      add("Owner", DisplayName(old_value), DisplayName(new_value), "Text");
      add("Owner", old_value, new_value, "EntityId");
    } else {
      add(tracked, old_value, new_value, "Text");
    }
  }
}

std::variant<std::string, WriteError> SObjectWriter::Create(ObjectSchema const& object,
                                                            json const& values,
                                                            WriteContext const& ctx) {
  if (auto e = CheckValues(object, values, /*create=*/true)) return *e;
  json fields = values;
  NormalizeReferences(object, fields);
  ApplyDefaults(object, fields, ctx);
  std::vector<std::string> missing;
  for (auto const& f : object.fields()) {
    if (f.required && (!fields.contains(f.name) || fields[f.name].is_null())) {
      missing.push_back(f.name);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (auto const& n : missing) list += (list.empty() ? "" : ", ") + n;
    return WriteError{"REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]",
                      missing};
  }
  bool reassigned = false;
  ApplyAssignmentRule(object, fields, ctx, reassigned);
  std::string const now = FormatRestDateTime(ctx.now);
  fields["IsDeleted"] = false;
  fields["CreatedDate"] = now;
  fields["CreatedById"] = ctx.user_id;
  if (object.FindField("SystemModstamp") != nullptr) {
    fields["LastModifiedDate"] = now;
    fields["LastModifiedById"] = ctx.user_id;
    fields["SystemModstamp"] = now;
  }
  if (object.name() == "Case") fields["CaseNumber"] = store_.NextCaseNumber();
  ApplyDerived(object, nullptr, fields, ctx);
  std::string const id = store_.NextId(object);
  Record const& record = store_.Insert(object, id, std::move(fields));
  if (object.name() == "Case") WriteCaseHistory(record, nullptr, ctx);
  if (values.contains("OwnerId") || reassigned) {
    owner_writes_.push_back({object.name(), id,
                             record.Get("OwnerId").is_string()
                                 ? record.Get("OwnerId").get<std::string>()
                                 : std::string(),
                             ctx.auto_assign, reassigned});
  }
  return id;
}

std::optional<WriteError> SObjectWriter::Update(Record& record, json const& values,
                                                WriteContext const& ctx) {
  ObjectSchema const* object = schema_.Find(record.object);
  if (record.deleted()) return WriteError{"ENTITY_IS_DELETED", "entity is deleted", {}};
  if (auto e = CheckValues(*object, values, /*create=*/false)) return e;
  json const before = record.Fields();
  json fields = before;
  for (auto const& [name, value] : values.items()) fields[name] = value;
  NormalizeReferences(*object, fields);
  std::vector<std::string> missing;
  for (auto const& f : object->fields()) {
    if (f.required && values.contains(f.name) && values.at(f.name).is_null()) {
      missing.push_back(f.name);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (auto const& n : missing) list += (list.empty() ? "" : ", ") + n;
    return WriteError{"REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]",
                      missing};
  }
  bool reassigned = false;
  ApplyAssignmentRule(*object, fields, ctx, reassigned);
  std::string const now = FormatRestDateTime(ctx.now);
  if (object->FindField("SystemModstamp") != nullptr) {
    fields["LastModifiedDate"] = now;
    fields["LastModifiedById"] = ctx.user_id;
    fields["SystemModstamp"] = now;
  }
  ApplyDerived(*object, &before, fields, ctx);
  store_.Replace(record, std::move(fields));
  if (record.object == "Case") WriteCaseHistory(record, &before, ctx);
  if (values.contains("OwnerId") || reassigned) {
    owner_writes_.push_back({record.object, record.id,
                             record.Get("OwnerId").is_string()
                                 ? record.Get("OwnerId").get<std::string>()
                                 : std::string(),
                             ctx.auto_assign, reassigned});
  }
  return std::nullopt;
}

std::optional<WriteError> SObjectWriter::Delete(Record& record, WriteContext const& ctx) {
  if (record.deleted()) return WriteError{"ENTITY_IS_DELETED", "entity is deleted", {}};
  json fields = record.Fields();
  fields["IsDeleted"] = true;
  if (fields.contains("SystemModstamp")) fields["SystemModstamp"] = FormatRestDateTime(ctx.now);
  store_.Replace(record, std::move(fields));
  return std::nullopt;
}

std::variant<std::string, WriteError> SObjectWriter::Seed(ObjectSchema const& object, json values,
                                                          WriteContext const& ctx) {
  std::string id;
  if (values.contains("Id") && !values["Id"].is_null()) {
    if (!values["Id"].is_string()) return WriteError{"MALFORMED_ID", "Id must be a string", {"Id"}};
    auto normalized = NormalizeId(values["Id"].get<std::string>());
    if (!normalized || normalized->substr(0, 3) != object.key_prefix()) {
      return WriteError{"MALFORMED_ID",
                        "Id '" + values["Id"].get<std::string>() + "' is not a 15/18-character " +
                            object.name() + " id (key prefix " + object.key_prefix() + ")",
                        {"Id"}};
    }
    if (store_.Find(*normalized) != nullptr) {
      return WriteError{"DUPLICATE_VALUE", "duplicate id " + *normalized, {"Id"}};
    }
    id = *normalized;
  } else {
    id = store_.NextId(object);
  }
  values.erase("Id");
  for (auto& [name, value] : values.items()) {
    FieldDef const* f = object.FindField(name);
    if (f != nullptr && f->type == FieldType::kReference && value.is_string()) {
      auto normalized = NormalizeId(value.get<std::string>());
      if (!normalized) {
        return WriteError{"MALFORMED_ID",
                          name + ": id value of incorrect type: " + value.get<std::string>(),
                          {name}};
      }
      value = *normalized;
    }
  }
  ApplyDefaults(object, values, ctx);
  std::string const now = FormatRestDateTime(ctx.now);
  SetIfAbsent(values, "IsDeleted", false);
  SetIfAbsent(values, "CreatedDate", now);
  // The first seeded user is its own creator.
  SetIfAbsent(values, "CreatedById",
              ctx.user_id.empty() ? (object.name() == "User" ? json(id) : json(nullptr))
                                  : json(ctx.user_id));
  if (object.FindField("SystemModstamp") != nullptr) {
    json const created = values["CreatedDate"];
    SetIfAbsent(values, "LastModifiedDate", created);
    SetIfAbsent(values, "LastModifiedById", values["CreatedById"]);
    SetIfAbsent(values, "SystemModstamp", values["LastModifiedDate"]);
  }
  if (object.name() == "Case") {
    if (values.contains("CaseNumber") && values["CaseNumber"].is_string()) {
      store_.NoteCaseNumber(values["CaseNumber"].get<std::string>());
    } else {
      values["CaseNumber"] = store_.NextCaseNumber();
    }
  }
  // Derived values given by the seed win (e.g. a ClosedDate in the past).
  json derived = values;
  WriteContext at_creation = ctx;
  if (auto t =
          ParseInstant(values["CreatedDate"].is_string() ? values["CreatedDate"].get<std::string>()
                                                         : std::string())) {
    at_creation.now = *t;
  }
  ApplyDerived(object, nullptr, derived, at_creation);
  for (auto& [name, value] : derived.items()) {
    if (!values.contains(name)) values[name] = value;
  }
  store_.Insert(object, id, std::move(values));
  return id;
}

}  // namespace casebridge::sandbox
