// sObject resources (CRUD, upsert by external id, describe), sObject Collections and
// Composite.
#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "connector/sandbox/salesforce_org.h"
#include "connector/sandbox/sf_ids.h"
#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr std::size_t kMaxCollectionRecords = 200;
constexpr std::size_t kMaxCompositeSubrequests = 25;
constexpr int kMaxCompositeQueryOrCollections = 5;

ordered_json ToOrdered(json const& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) return v.get<double>();
  if (v.is_null()) return nullptr;
  return ordered_json::parse(v.dump());
}

ordered_json ErrorEntry(WriteError const& e) {
  ordered_json j;
  j["statusCode"] = e.status_code;
  j["message"] = e.message;
  j["fields"] = e.fields;
  return j;
}

// The REST single-record error body: [{"message","errorCode","fields"}].
ApiResponse DmlError(int status, WriteError const& e) {
  return SalesforceError(status, e.status_code, e.message, e.fields);
}

ordered_json Failure(WriteError const& e, std::optional<std::string> id = std::nullopt) {
  ordered_json j;
  if (id) j["id"] = *id;
  j["success"] = false;
  j["errors"] = ordered_json::array({ErrorEntry(e)});
  return j;
}

ordered_json Success(std::string const& id, std::optional<bool> created = std::nullopt) {
  ordered_json j;
  j["id"] = id;
  j["success"] = true;
  j["errors"] = ordered_json::array();
  if (created) j["created"] = *created;
  return j;
}

WriteError RolledBack() {
  return {"ALL_OR_NONE_OPERATION_ROLLED_BACK",
          "Record rolled back because not all records were valid and the request was using "
          "AllOrNone header",
          {}};
}

ApiResponse NotFound() {
  return SalesforceError(404, "NOT_FOUND", "The requested resource does not exist");
}

ApiResponse ExternalIdNotFound(std::string const& field) {
  return SalesforceError(
      404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: " + field);
}

bool ApiVersionAtLeast(std::string const& version, double v) {
  return std::strtod(version.c_str(), nullptr) + 1e-9 >= v;
}

std::vector<std::string> SplitComma(std::string const& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// Resolves `refId.path[0].field` against earlier composite results.
std::optional<ordered_json> ResolveReference(std::map<std::string, ordered_json> const& results,
                                             std::string const& expr) {
  std::size_t const dot = expr.find_first_of(".[");
  std::string const ref = expr.substr(0, dot);
  auto it = results.find(ref);
  if (it == results.end()) return std::nullopt;
  ordered_json const* node = &it->second;
  std::size_t i = dot;
  while (i != std::string::npos && i < expr.size()) {
    if (expr[i] == '.') {
      std::size_t const next = expr.find_first_of(".[", i + 1);
      std::string const key = expr.substr(i + 1, next == std::string::npos ? next : next - i - 1);
      if (!node->is_object() || !node->contains(key)) return std::nullopt;
      node = &(*node)[key];
      i = next;
    } else if (expr[i] == '[') {
      std::size_t const close = expr.find(']', i);
      if (close == std::string::npos) return std::nullopt;
      std::string const index = expr.substr(i + 1, close - i - 1);
      if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos ||
          !node->is_array()) {
        return std::nullopt;
      }
      std::size_t const n = std::stoul(index);
      if (n >= node->size()) return std::nullopt;
      node = &(*node)[n];
      i = close + 1;
    } else {
      return std::nullopt;
    }
  }
  return *node;
}

std::string RefText(ordered_json const& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// Substitutes every @{…} in `text`; the first unresolvable expression is reported.
std::optional<std::string> SubstituteText(std::map<std::string, ordered_json> const& results,
                                          std::string const& text, std::string& bad) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t const start = text.find("@{", i);
    if (start == std::string::npos) {
      out += text.substr(i);
      break;
    }
    std::size_t const end = text.find('}', start);
    if (end == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, start - i);
    std::string const expr = text.substr(start + 2, end - start - 2);
    auto value = ResolveReference(results, expr);
    if (!value) {
      bad = expr;
      return std::nullopt;
    }
    out += RefText(*value);
    i = end + 1;
  }
  return out;
}

bool SubstituteJson(std::map<std::string, ordered_json> const& results, json& node,
                    std::string& bad) {
  if (node.is_string()) {
    std::string const& s = node.get_ref<std::string const&>();
    if (s.size() > 3 && s.starts_with("@{") && s.back() == '}' &&
        s.find("@{", 2) == std::string::npos) {
      auto value = ResolveReference(results, s.substr(2, s.size() - 3));
      if (!value) {
        bad = s.substr(2, s.size() - 3);
        return false;
      }
      node = json::parse(value->dump());
      return true;
    }
    auto text = SubstituteText(results, s, bad);
    if (!text) return false;
    node = *text;
    return true;
  }
  if (node.is_object() || node.is_array()) {
    for (auto& child : node) {
      if (!SubstituteJson(results, child, bad)) return false;
    }
  }
  return true;
}

bool ValidReferenceId(std::string const& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

}  // namespace

ordered_json SalesforceOrg::Describe(ObjectSchema const& object) const {
  ordered_json d;
  d["name"] = object.name();
  d["label"] = object.name();
  d["keyPrefix"] = object.key_prefix();
  d["createable"] = object.name() != "CaseHistory";
  d["updateable"] = object.name() != "CaseHistory";
  d["deletable"] = object.name() != "CaseHistory";
  d["queryable"] = true;
  ordered_json fields = ordered_json::array();
  for (auto const& f : object.fields()) {
    ordered_json e;
    e["name"] = f.name;
    e["label"] = f.name;
    e["type"] = f.describe_type.empty() ? std::string(FieldTypeName(f.type)) : f.describe_type;
    e["length"] = f.max_length;
    e["createable"] = f.createable;
    e["updateable"] = f.updateable;
    e["nillable"] = !f.required && f.type != FieldType::kBoolean;
    e["externalId"] = f.external_id;
    e["unique"] = f.unique;
    e["custom"] = f.name.size() > 3 && f.name.ends_with("__c");
    e["referenceTo"] = f.reference_to;
    e["relationshipName"] =
        f.relationship_name.empty() ? ordered_json(nullptr) : ordered_json(f.relationship_name);
    ordered_json values = ordered_json::array();
    for (auto const& v : f.picklist_values) {
      values.push_back(ordered_json{{"active", true},
                                    {"defaultValue", false},
                                    {"label", v},
                                    {"validFor", nullptr},
                                    {"value", v}});
    }
    e["picklistValues"] = std::move(values);
    fields.push_back(std::move(e));
  }
  d["fields"] = std::move(fields);
  ordered_json children = ordered_json::array();
  for (auto const& c : object.children()) {
    ordered_json e;
    e["childSObject"] = c.child_object;
    e["field"] = c.field;
    e["relationshipName"] = c.name;
    children.push_back(std::move(e));
  }
  d["childRelationships"] = std::move(children);
  d["urls"] = {
      {"sobject", "/services/data/v" + options_.api_version + "/sobjects/" + object.name()}};
  return d;
}

namespace {

ordered_json RenderRecord(Record const& r, ObjectSchema const& object,
                          std::vector<FieldDef const*> const& fields, std::string const& version) {
  ordered_json j;
  j["attributes"] = {{"type", r.object},
                     {"url", "/services/data/v" + version + "/sobjects/" + r.object + "/" + r.id}};
  if (fields.empty()) {
    for (auto const& f : object.fields()) j[f.name] = ToOrdered(r.Get(f.name));
  } else {
    for (auto const* f : fields) j[f->name] = ToOrdered(r.Get(f->name));
  }
  return j;
}

// `fields=A,B` -> field definitions; an unknown name is an INVALID_FIELD error.
std::variant<std::vector<FieldDef const*>, ApiResponse> RequestedFields(ApiRequest const& request,
                                                                        ObjectSchema const& o) {
  std::vector<FieldDef const*> out;
  if (auto fields = request.Param("fields")) {
    for (auto const& name : SplitComma(*fields)) {
      FieldDef const* f = o.FindField(name);
      if (f == nullptr) {
        return SalesforceError(400, "INVALID_FIELD",
                               "No such column '" + name + "' on entity '" + o.name() +
                                   "'. If you are attempting to use a custom field, be sure to "
                                   "append the '__c' after the custom field name. Please reference "
                                   "your WSDL or the describe call for the appropriate names.");
      }
      out.push_back(f);
    }
  }
  return out;
}

}  // namespace

ApiResponse SalesforceOrg::HandleSObjects(RestContext const& ctx,
                                          std::vector<std::string> const& segments) {
  std::string const& method = ctx.request->method;
  auto not_allowed = [&](std::string const& allowed) {
    return SalesforceError(405, "METHOD_NOT_ALLOWED",
                           "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
  };
  if (segments.empty()) {
    if (method != "GET") return not_allowed("GET,HEAD");
    ApiResponse r;
    ordered_json j;
    j["encoding"] = "UTF-8";
    j["maxBatchSize"] = 200;
    ordered_json list = ordered_json::array();
    for (auto const& o : schema_.objects()) {
      ordered_json e;
      e["name"] = o.name();
      e["label"] = o.name();
      e["keyPrefix"] = o.key_prefix();
      e["queryable"] = true;
      e["urls"] = {
          {"sobject", "/services/data/v" + ctx.version + "/sobjects/" + o.name()},
          {"describe", "/services/data/v" + ctx.version + "/sobjects/" + o.name() + "/describe"}};
      list.push_back(std::move(e));
    }
    j["sobjects"] = std::move(list);
    r.json = std::move(j);
    return r;
  }
  ObjectSchema const* object = schema_.Find(segments[0]);
  if (object == nullptr) return NotFound();
  WriteContext const wctx = MakeWriteContext(ctx);

  if (segments.size() == 1) {
    if (method == "GET") {
      ApiResponse r;
      ordered_json j;
      ordered_json d = Describe(*object);
      d.erase("fields");
      d.erase("childRelationships");
      j["objectDescribe"] = std::move(d);
      j["recentItems"] = ordered_json::array();
      r.json = std::move(j);
      return r;
    }
    if (method != "POST") return not_allowed("GET,HEAD,POST");
    json const body = json::parse(ctx.request->body, nullptr, false);
    if (body.is_discarded()) {
      return SalesforceError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON");
    }
    auto values = writer_.ParseBody(*object, body, /*allow_id=*/false);
    if (auto* e = std::get_if<WriteError>(&values)) return DmlError(400, *e);
    auto created = writer_.Create(*object, std::get<json>(values), wctx);
    if (auto* e = std::get_if<WriteError>(&created)) return DmlError(400, *e);
    std::string const& id = std::get<std::string>(created);
    ApiResponse r;
    r.status = 201;
    r.json = Success(id);
    r.SetHeader("Location",
                "/services/data/v" + ctx.version + "/sobjects/" + object->name() + "/" + id);
    return r;
  }

  if (segments.size() == 2) {
    if (segments[1] == "describe") {
      if (method != "GET") return not_allowed("GET,HEAD");
      ApiResponse r;
      r.json = Describe(*object);
      return r;
    }
    auto const id = NormalizeId(segments[1]);
    if (!id) return ExternalIdNotFound(segments[1]);
    Record* record = store_.FindMutable(*id);
    if (record == nullptr || record->object != object->name()) return NotFound();
    if (method == "GET") {
      if (record->deleted()) return NotFound();
      auto fields = RequestedFields(*ctx.request, *object);
      if (auto* error = std::get_if<ApiResponse>(&fields)) return *error;
      ApiResponse r;
      r.json = RenderRecord(*record, *object, std::get<std::vector<FieldDef const*>>(fields),
                            ctx.version);
      return r;
    }
    if (method == "PATCH") {
      if (record->deleted()) return SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted");
      json const body = json::parse(ctx.request->body, nullptr, false);
      if (body.is_discarded()) {
        return SalesforceError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON");
      }
      auto values = writer_.ParseBody(*object, body, /*allow_id=*/false);
      if (auto* e = std::get_if<WriteError>(&values)) return DmlError(400, *e);
      if (auto e = writer_.Update(*record, std::get<json>(values), wctx)) return DmlError(400, *e);
      ApiResponse r;
      r.status = 204;
      r.content_type.clear();
      return r;
    }
    if (method == "DELETE") {
      if (auto e = writer_.Delete(*record, wctx)) return DmlError(404, *e);
      ApiResponse r;
      r.status = 204;
      r.content_type.clear();
      return r;
    }
    return not_allowed("GET,HEAD,PATCH,DELETE");
  }

  if (segments.size() == 3) {
    FieldDef const* field = object->FindField(segments[1]);
    if (field == nullptr || !(field->external_id || field->type == FieldType::kId)) {
      return ExternalIdNotFound(segments[1]);
    }
    if (method == "PATCH") return Upsert(ctx, *object, field->name, segments[2]);
    std::vector<Record*> const matches =
        LiveMatches(*object, field->name, field->type == FieldType::kId, segments[2]);
    if (matches.empty()) return NotFound();
    if (matches.size() > 1) {
      ApiResponse r;
      r.status = 300;
      ordered_json urls = ordered_json::array();
      for (Record* m : matches) {
        urls.push_back("/services/data/v" + ctx.version + "/sobjects/" + object->name() + "/" +
                       m->id);
      }
      r.json = std::move(urls);
      return r;
    }
    if (method == "GET") {
      auto fields = RequestedFields(*ctx.request, *object);
      if (auto* error = std::get_if<ApiResponse>(&fields)) return *error;
      ApiResponse r;
      r.json = RenderRecord(*matches.front(), *object,
                            std::get<std::vector<FieldDef const*>>(fields), ctx.version);
      return r;
    }
    if (method == "DELETE") {
      if (auto e = writer_.Delete(*matches.front(), wctx)) return DmlError(404, *e);
      ApiResponse r;
      r.status = 204;
      r.content_type.clear();
      return r;
    }
    return not_allowed("GET,HEAD,PATCH,DELETE");
  }
  return NotFound();
}

std::vector<Record*> SalesforceOrg::LiveMatches(ObjectSchema const& object,
                                                std::string const& field, bool by_id,
                                                std::string_view value) {
  std::vector<Record*> out;
  if (by_id) {
    Record* r = store_.FindMutable(value);
    if (r != nullptr && r->object == object.name() && !r->deleted()) out.push_back(r);
    return out;
  }
  for (Record* r : store_.Matching(object.name(), field, value)) {
    if (!r->deleted()) out.push_back(r);
  }
  return out;
}

ApiResponse SalesforceOrg::Upsert(RestContext const& ctx, ObjectSchema const& object,
                                  std::string const& field, std::string const& value) {
  json const body = json::parse(ctx.request->body, nullptr, false);
  if (body.is_discarded()) {
    return SalesforceError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON");
  }
  auto parsed = writer_.ParseBody(object, body, /*allow_id=*/false);
  if (auto* e = std::get_if<WriteError>(&parsed)) return DmlError(400, *e);
  json values = std::get<json>(parsed);
  bool const by_id = field == "Id";
  if (!by_id && values.contains(field)) {
    if (!values[field].is_string() || !EqualsIgnoreCase(values[field].get<std::string>(), value)) {
      return SalesforceError(400, "INVALID_FIELD",
                             "The value of " + field + " in the body (" + values[field].dump() +
                                 ") does not match the value in the URL (" + value + ")",
                             std::vector<std::string>{field});
    }
    values.erase(field);
  }
  std::vector<Record*> const matches = LiveMatches(object, field, by_id, value);
  if (matches.size() > 1) {
    ApiResponse r;
    r.status = 300;
    ordered_json urls = ordered_json::array();
    for (Record* m : matches) {
      urls.push_back("/services/data/v" + ctx.version + "/sobjects/" + object.name() + "/" + m->id);
    }
    r.json = std::move(urls);
    return r;
  }
  WriteContext const wctx = MakeWriteContext(ctx);
  if (matches.empty()) {
    bool const update_only = ctx.request->Param("updateOnly").value_or("") == "true";
    if (by_id || update_only) return NotFound();
    values[field] = value;
    auto created = writer_.Create(object, values, wctx);
    if (auto* e = std::get_if<WriteError>(&created)) return DmlError(400, *e);
    ApiResponse r;
    r.status = 201;
    r.json = Success(std::get<std::string>(created), true);
    return r;
  }
  if (auto e = writer_.Update(*matches.front(), values, wctx)) return DmlError(400, *e);
  ApiResponse r;
  if (!ApiVersionAtLeast(ctx.version, 46.0)) {
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  r.status = 200;
  r.json = Success(matches.front()->id, false);
  return r;
}

ApiResponse SalesforceOrg::HandleCollections(RestContext const& ctx,
                                             std::vector<std::string> const& segments) {
  std::string const& method = ctx.request->method;
  WriteContext const wctx = MakeWriteContext(ctx);
  auto not_allowed = [&](std::string const& allowed) {
    return SalesforceError(405, "METHOD_NOT_ALLOWED",
                           "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
  };

  // DELETE ?ids=…&allOrNone=…
  if (segments.empty() && method == "DELETE") {
    auto ids = SplitComma(ctx.request->Param("ids").value_or(""));
    if (ids.empty()) return SalesforceError(400, "MISSING_ARGUMENT", "ids is required");
    if (ids.size() > kMaxCollectionRecords) {
      return SalesforceError(400, "EXCEEDED_ID_LIMIT",
                             "record limit reached. cannot submit more than 200 records into this "
                             "call");
    }
    bool const all_or_none = ctx.request->Param("allOrNone").value_or("false") == "true";
    StoreTransaction tx(store_);
    ordered_json results = ordered_json::array();
    bool failed = false;
    for (auto const& raw : ids) {
      auto id = NormalizeId(raw);
      Record* record = id ? store_.FindMutable(*id) : nullptr;
      std::optional<WriteError> error;
      if (!id) {
        error = WriteError{"MALFORMED_ID", "malformed id " + raw, {}};
      } else if (record == nullptr) {
        error = WriteError{"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}};
      } else {
        error = writer_.Delete(*record, wctx);
      }
      if (error) {
        failed = true;
        results.push_back(Failure(*error, id.value_or(raw)));
      } else {
        results.push_back(Success(*id));
      }
    }
    if (all_or_none && failed) {
      tx.Rollback();
      for (auto& r : results) {
        if (r["success"] == true) r = Failure(RolledBack(), r["id"].get<std::string>());
      }
    } else {
      tx.Commit();
    }
    ApiResponse r;
    r.json = std::move(results);
    return r;
  }

  // GET /composite/sobjects/{Type}?ids=…&fields=…
  if (segments.size() == 1 && method == "GET") {
    ObjectSchema const* object = schema_.Find(segments[0]);
    if (object == nullptr) return NotFound();
    auto fields = RequestedFields(*ctx.request, *object);
    if (auto* error = std::get_if<ApiResponse>(&fields)) return *error;
    auto ids = SplitComma(ctx.request->Param("ids").value_or(""));
    if (ids.empty()) return SalesforceError(400, "MISSING_ARGUMENT", "ids is required");
    if (ids.size() > 2000) {
      return SalesforceError(400, "EXCEEDED_ID_LIMIT", "cannot retrieve more than 2000 records");
    }
    ordered_json out = ordered_json::array();
    for (auto const& raw : ids) {
      Record const* record = store_.Find(raw);
      if (record == nullptr || record->deleted() || record->object != object->name()) {
        out.push_back(nullptr);
      } else {
        out.push_back(RenderRecord(*record, *object, std::get<std::vector<FieldDef const*>>(fields),
                                   ctx.version));
      }
    }
    ApiResponse r;
    r.json = std::move(out);
    return r;
  }

  bool const create = segments.empty() && method == "POST";
  bool const update = segments.empty() && method == "PATCH";
  bool const upsert = segments.size() == 2 && method == "PATCH";
  if (!create && !update && !upsert) {
    if (segments.size() > 2) return NotFound();
    return not_allowed(segments.empty() ? "POST,PATCH,DELETE" : "PATCH");
  }
  ObjectSchema const* upsert_object = nullptr;
  FieldDef const* ext = nullptr;
  if (upsert) {
    upsert_object = schema_.Find(segments[0]);
    if (upsert_object == nullptr) return NotFound();
    ext = upsert_object->FindField(segments[1]);
    if (ext == nullptr || !(ext->external_id || ext->type == FieldType::kId)) {
      return SalesforceError(400, "INVALID_FIELD",
                             "Field name provided, " + segments[1] +
                                 " is not an External ID or indexed field for " +
                                 upsert_object->name());
    }
  }

  json const body = json::parse(ctx.request->body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return SalesforceError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON");
  }
  if (!body.contains("records") || !body.at("records").is_array()) {
    return SalesforceError(400, "JSON_PARSER_ERROR",
                           "The request body must have a \"records\" array");
  }
  json const& records = body.at("records");
  if (records.size() > kMaxCollectionRecords) {
    return SalesforceError(400, "EXCEEDED_ID_LIMIT",
                           "record limit reached. cannot submit more than 200 records into this "
                           "call");
  }
  bool const all_or_none = body.contains("allOrNone") && body.at("allOrNone").is_boolean() &&
                           body.at("allOrNone").get<bool>();

  // Pass 1: deserialise every record (request-level errors, like Salesforce's parser).
  struct Item {
    ObjectSchema const* object = nullptr;
    json values;
    std::optional<std::string> id;  // as given
  };
  std::vector<Item> items;
  for (std::size_t i = 0; i < records.size(); ++i) {
    json const& rec = records[i];
    if (!rec.is_object()) {
      return SalesforceError(400, "JSON_PARSER_ERROR",
                             "records[" + std::to_string(i) + "] is not an object");
    }
    ObjectSchema const* object = upsert_object;
    if (rec.contains("attributes") && rec.at("attributes").is_object() &&
        rec.at("attributes").contains("type") && rec.at("attributes").at("type").is_string()) {
      std::string const type = rec.at("attributes").at("type").get<std::string>();
      object = schema_.Find(type);
      if (object == nullptr || (upsert_object != nullptr && object != upsert_object)) {
        return SalesforceError(400, "INVALID_TYPE",
                               "sObject type '" + type + "' is not supported here");
      }
    }
    if (object == nullptr) {
      return SalesforceError(400, "INVALID_TYPE",
                             "records[" + std::to_string(i) +
                                 "]: specify the sObject type in \"attributes\": {\"type\": …}");
    }
    Item item;
    item.object = object;
    for (char const* key : {"id", "Id"}) {
      if (rec.contains(key) && rec.at(key).is_string()) item.id = rec.at(key).get<std::string>();
    }
    auto parsed = writer_.ParseBody(*object, rec, /*allow_id=*/true);
    if (auto* e = std::get_if<WriteError>(&parsed)) return DmlError(400, *e);
    item.values = std::get<json>(parsed);
    items.push_back(std::move(item));
  }

  // Upsert: external-id values repeated within the request fail together.
  std::map<std::string, int> key_counts;
  if (upsert && ext->type != FieldType::kId) {
    for (auto const& item : items) {
      json const& v = item.values.contains(ext->name) ? item.values.at(ext->name) : json();
      if (v.is_string()) ++key_counts[Lower(v.get<std::string>())];
    }
  }

  StoreTransaction tx(store_);
  ordered_json results = ordered_json::array();
  bool failed = false;
  for (auto& item : items) {
    ordered_json result;
    if (create) {
      if (item.id) {
        result = Failure({"INVALID_FIELD", "cannot specify Id in an insert call", {"Id"}});
      } else {
        auto created = writer_.Create(*item.object, item.values, wctx);
        if (auto* e = std::get_if<WriteError>(&created)) {
          result = Failure(*e);
        } else {
          result = Success(std::get<std::string>(created));
        }
      }
    } else if (update) {
      auto const id = item.id ? NormalizeId(*item.id) : std::nullopt;
      Record* record = id ? store_.FindMutable(*id) : nullptr;
      if (!item.id) {
        result = Failure({"MISSING_ARGUMENT", "Id not specified in an update call", {}});
      } else if (!id || id->substr(0, 3) != item.object->key_prefix()) {
        result = Failure({"MALFORMED_ID", "malformed id " + *item.id, {"Id"}}, *item.id);
      } else if (record == nullptr) {
        result = Failure({"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}}, *id);
      } else if (auto e = writer_.Update(*record, item.values, wctx)) {
        result = Failure(*e, *id);
      } else {
        result = Success(*id);
      }
    } else {  // upsert
      std::string key;
      if (ext->type == FieldType::kId) {
        key = item.id.value_or("");
      } else if (item.values.contains(ext->name) && item.values.at(ext->name).is_string()) {
        key = item.values.at(ext->name).get<std::string>();
      }
      if (key.empty()) {
        result = Failure({"MISSING_ARGUMENT", ext->name + " not specified", {ext->name}});
      } else if (key_counts[Lower(key)] > 1) {
        result =
            Failure({"DUPLICATE_VALUE", "Duplicate external id specified: " + key, {ext->name}});
      } else {
        std::vector<Record*> const matches =
            LiveMatches(*item.object, ext->name, ext->type == FieldType::kId, key);
        if (matches.size() > 1) {
          std::string ids;
          for (Record* m : matches) ids += (ids.empty() ? "" : ", ") + m->id;
          result = Failure(
              {"DUPLICATE_EXTERNAL_ID",
               ext->name + ": more than one record found for external id field: [" + ids + "]",
               {ext->name}});
        } else if (matches.empty()) {
          if (ext->type == FieldType::kId) {
            result = Failure({"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}});
          } else {
            auto created = writer_.Create(*item.object, item.values, wctx);
            if (auto* e = std::get_if<WriteError>(&created)) {
              result = Failure(*e);
            } else {
              result = Success(std::get<std::string>(created), true);
            }
          }
        } else if (auto e = writer_.Update(*matches.front(), item.values, wctx)) {
          result = Failure(*e, matches.front()->id);
        } else {
          result = Success(matches.front()->id, false);
        }
      }
    }
    if (result["success"] == false) failed = true;
    results.push_back(std::move(result));
  }
  if (all_or_none && failed) {
    tx.Rollback();
    for (auto& r : results) {
      if (r["success"] == true) {
        r = Failure(RolledBack());
      }
    }
  } else {
    tx.Commit();
  }
  ApiResponse r;
  r.json = std::move(results);
  return r;
}

ApiResponse SalesforceOrg::HandleComposite(RestContext const& ctx) {
  json const body = json::parse(ctx.request->body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("compositeRequest") ||
      !body.at("compositeRequest").is_array()) {
    return SalesforceError(400, "JSON_PARSER_ERROR",
                           "The request body must be {\"compositeRequest\": [ … ]}");
  }
  json const& subrequests = body.at("compositeRequest");
  if (subrequests.empty()) {
    return SalesforceError(400, "JSON_PARSER_ERROR", "compositeRequest must not be empty");
  }
  if (subrequests.size() > kMaxCompositeSubrequests) {
    return SalesforceError(400, "LIMIT_EXCEEDED",
                           "A composite request can have at most 25 subrequests; this one has " +
                               std::to_string(subrequests.size()));
  }
  bool const all_or_none = body.contains("allOrNone") && body.at("allOrNone").is_boolean() &&
                           body.at("allOrNone").get<bool>();
  std::set<std::string> reference_ids;
  int heavy = 0;
  for (std::size_t i = 0; i < subrequests.size(); ++i) {
    json const& s = subrequests[i];
    std::string const where = "compositeRequest[" + std::to_string(i) + "]";
    if (!s.is_object() || !s.contains("method") || !s.at("method").is_string() ||
        !s.contains("url") || !s.at("url").is_string() || !s.contains("referenceId") ||
        !s.at("referenceId").is_string()) {
      return SalesforceError(400, "JSON_PARSER_ERROR",
                             where + " needs \"method\", \"url\" and \"referenceId\" strings");
    }
    std::string const ref = s.at("referenceId").get<std::string>();
    if (!ValidReferenceId(ref)) {
      return SalesforceError(
          400, "INVALID_FIELD",
          where + ": referenceId '" + ref + "' may only contain letters, numbers and underscores");
    }
    if (!reference_ids.insert(ref).second) {
      return SalesforceError(400, "DUPLICATE_VALUE", "Duplicate referenceId provided: " + ref);
    }
    std::string const url = s.at("url").get<std::string>();
    if (url.find("/query") != std::string::npos ||
        url.find("/composite/sobjects") != std::string::npos) {
      ++heavy;
    }
  }
  if (heavy > kMaxCompositeQueryOrCollections) {
    return SalesforceError(400, "LIMIT_EXCEEDED",
                           "A composite request can have at most 5 query or sObject Collections "
                           "subrequests");
  }

  StoreTransaction tx(store_);
  std::map<std::string, ordered_json> results_by_ref;  // bodies of successful subrequests
  std::vector<ordered_json> responses;
  std::optional<std::size_t> failed_at;
  for (std::size_t i = 0; i < subrequests.size(); ++i) {
    json const& s = subrequests[i];
    std::string const ref = s.at("referenceId").get<std::string>();
    auto respond = [&](ApiResponse const& sub) {
      ordered_json entry;
      entry["body"] = sub.json
                          ? *sub.json
                          : (sub.body.empty() ? ordered_json(nullptr) : ordered_json(sub.body));
      ordered_json headers = ordered_json::object();
      for (auto const& [k, v] : sub.headers) {
        if (!EqualsIgnoreCase(k, "Sforce-Limit-Info")) headers[k] = v;
      }
      entry["httpHeaders"] = std::move(headers);
      entry["httpStatusCode"] = sub.status;
      entry["referenceId"] = ref;
      responses.push_back(std::move(entry));
    };
    std::string bad;
    auto url = SubstituteText(results_by_ref, s.at("url").get<std::string>(), bad);
    json sub_body = s.contains("body") ? s.at("body") : json();
    bool const resolved = url.has_value() && SubstituteJson(results_by_ref, sub_body, bad);
    if (!resolved) {
      std::string const target = bad.substr(0, bad.find_first_of(".["));
      respond(SalesforceError(400, "PROCESSING_HALTED",
                              "Invalid reference specified. No value for " + bad + " found in " +
                                  target + ". Provided referenceId ('" + target +
                                  "') must start with a letter or a number, and it can contain "
                                  "only letters, numbers and underscores ('_'), and it must refer "
                                  "to an earlier, successful subrequest."));
      if (!failed_at) failed_at = i;
      if (all_or_none) break;
      continue;
    }
    ApiRequest sub;
    sub.method = s.at("method").get<std::string>();
    for (char& c : sub.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    sub.headers = ctx.request->headers;
    sub.headers.erase("content-length");
    if (s.contains("httpHeaders") && s.at("httpHeaders").is_object()) {
      for (auto const& [k, v] : s.at("httpHeaders").items()) {
        if (v.is_string()) sub.headers[Lower(k)] = v.get<std::string>();
      }
    }
    if (!sub_body.is_null()) sub.body = sub_body.dump();
    ApiResponse result;
    std::string const prefix = "/services/data/v";
    if (!SetTarget(sub, *url) || !sub.path.starts_with(prefix)) {
      result = NotFound();
    } else {
      std::string const rest = sub.path.substr(prefix.size());
      std::size_t const slash = rest.find('/');
      std::string const version = rest.substr(0, slash);
      RestContext sub_ctx;
      sub_ctx.request = &sub;
      sub_ctx.version = version;
      sub_ctx.session = ctx.session;
      sub_ctx.in_composite = true;
      if (slash == std::string::npos || std::strtod(version.c_str(), nullptr) < 20.0) {
        result = NotFound();
      } else {
        result = HandleRestResource(sub_ctx, rest.substr(slash + 1));
      }
    }
    respond(result);
    if (result.status >= 400) {
      if (!failed_at) failed_at = i;
      if (all_or_none) break;
    } else {
      results_by_ref[ref] = result.json ? *result.json : ordered_json(nullptr);
    }
  }
  if (all_or_none && failed_at) {
    tx.Rollback();
    ApiResponse const halted = SalesforceError(
        400, "PROCESSING_HALTED",
        "The transaction was rolled back since another operation in the same transaction "
        "failed.");
    std::vector<ordered_json> final;
    for (std::size_t i = 0; i < subrequests.size(); ++i) {
      if (i == *failed_at) {
        final.push_back(responses[i]);
        continue;
      }
      ordered_json entry;
      entry["body"] = *halted.json;
      entry["httpHeaders"] = ordered_json::object();
      entry["httpStatusCode"] = 400;
      entry["referenceId"] = subrequests[i].at("referenceId").get<std::string>();
      final.push_back(std::move(entry));
    }
    responses = std::move(final);
  } else {
    tx.Commit();
  }
  ApiResponse r;
  ordered_json j;
  j["compositeResponse"] = std::move(responses);
  r.json = std::move(j);
  return r;
}

}  // namespace casebridge::sandbox
