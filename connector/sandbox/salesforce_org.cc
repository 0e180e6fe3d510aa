#include "connector/sandbox/salesforce_org.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "connector/sandbox/sf_ids.h"
#include "connector/sandbox/sf_values.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "62.0" from "v62.0"; nullopt when not a version segment.
std::optional<double> ParseVersion(std::string_view segment) {
  if (segment.size() < 2 || segment[0] != 'v') return std::nullopt;
  std::string const s(segment.substr(1));
  char* end = nullptr;
  double const v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || s.find('.') == std::string::npos) return std::nullopt;
  return v;
}

std::string FormatVersion(double v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string ReleaseLabel(double version) {
  // v62.0 was Winter '25; three releases a year.
  static constexpr char const* kSeasons[] = {"Winter", "Spring", "Summer"};
  int const idx = static_cast<int>(std::lround(version)) - 62;
  int const season = ((idx % 3) + 3) % 3;
  int const year = 25 + (idx - season) / 3;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s '%02d", kSeasons[season], year);
  return buf;
}

constexpr std::string_view kSeedOrder[] = {"User",    "Group",   "QueueSobject",
                                           "Account", "Contact", "Case"};

}  // namespace

ApiResponse SalesforceError(int status, std::string const& error_code, std::string const& message,
                            std::optional<std::vector<std::string>> fields) {
  ApiResponse r;
  r.status = status;
  ordered_json e;
  e["message"] = message;
  e["errorCode"] = error_code;
  if (fields) e["fields"] = *fields;
  r.json = ordered_json::array({e});
  return r;
}

ApiResponse SalesforceError(Status const& status) {
  int const http = status.info().http_status != 0 ? status.info().http_status : 400;
  std::string const code =
      status.info().vendor_code.empty() ? "MALFORMED_QUERY" : status.info().vendor_code;
  return SalesforceError(http, code, status.message());
}

SalesforceOrg::SalesforceOrg(SalesforceEmulatorOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : std::make_shared<SystemClock>()),
      schema_(Schema::Standard({options_.task_external_id_field})),
      writer_(schema_, store_,
              WriterOptions{options_.closed_case_statuses, options_.closed_task_statuses,
                            options_.case_history_fields, options_.assignment_rule_owner_id}) {
  if (!options_.org_id.empty()) {
    org_id_ = NormalizeId(options_.org_id).value_or(options_.org_id);
  } else {
    org_id_ = MakeId("00D", 1);
  }
  for (auto const& app : options_.apps) {
    for (auto const& [token, username] : app.refresh_tokens) {
      refresh_tokens_[token] = RefreshGrant{app.client_id, username};
    }
    if (app.jwt_public_key_pem.empty()) continue;
    auto key = RsaPublicKey::FromPem(app.jwt_public_key_pem);
    if (!key.ok()) {
      key_status_ = InvalidArgumentError("connected app '" + app.client_id +
                                         "': jwt_public_key_pem: " + key.status().message());
      continue;
    }
    app_keys_.emplace(app.client_id, *key);
  }
  if (!options_.assignment_rule_owner_id.empty()) {
    if (auto id = NormalizeId(options_.assignment_rule_owner_id)) {
      writer_.options().assignment_rule_owner_id = *id;
    }
  }
}

Status SalesforceOrg::Validate() const {
  if (!key_status_.ok()) return key_status_;
  auto const v = ParseVersion("v" + options_.api_version);
  if (!v || *v < 20.0) {
    return InvalidArgumentError("api_version '" + options_.api_version + "' is not like \"62.0\"");
  }
  if (!NormalizeId(org_id_) || org_id_.substr(0, 3) != "00D") {
    return InvalidArgumentError("org_id '" + options_.org_id + "' is not a 00D… id");
  }
  if (!options_.assignment_rule_owner_id.empty() &&
      !NormalizeId(options_.assignment_rule_owner_id)) {
    return InvalidArgumentError("assignment_rule_owner_id is not a record id");
  }
  if (options_.default_batch_size < 200 || options_.default_batch_size > 2000) {
    return InvalidArgumentError("default_batch_size must be within 200..2000");
  }
  for (auto const& app : options_.apps) {
    if (app.client_id.empty()) return InvalidArgumentError("a connected app needs a client_id");
  }
  return OkStatus();
}

void SalesforceOrg::set_base_url(std::string url) {
  std::lock_guard lock(mu_);
  while (!url.empty() && url.back() == '/') url.pop_back();
  base_url_ = std::move(url);
}

std::string SalesforceOrg::base_url() const {
  std::lock_guard lock(mu_);
  return base_url_;
}

Instant SalesforceOrg::Now() const { return clock_->Now(); }

std::optional<EndpointKind> SalesforceOrg::Classify(ApiRequest const& request) {
  std::string_view const path = request.path;
  if (path.starts_with("/__sandbox")) return std::nullopt;
  if (path.starts_with("/services/oauth2/")) return EndpointKind::kToken;
  if (path.starts_with("/id/")) return EndpointKind::kIdentity;
  auto const segments = SplitPath(path);
  if (segments.size() >= 4 && segments[0] == "services" && segments[1] == "data") {
    std::string const& resource = segments[3];
    if (resource == "query" || resource == "queryAll") return EndpointKind::kQuery;
    if (resource == "sobjects") return EndpointKind::kSObject;
    if (resource == "composite") {
      return segments.size() >= 5 && segments[4] == "sobjects" ? EndpointKind::kCollections
                                                               : EndpointKind::kComposite;
    }
    if (resource == "jobs") return EndpointKind::kBulk;
    if (resource == "limits") return EndpointKind::kLimits;
  }
  return EndpointKind::kOther;
}

void SalesforceOrg::AddLimitHeader(ApiResponse& response) const {
  response.SetHeader("Sforce-Limit-Info", "api-usage=" + std::to_string(api_usage_) + "/" +
                                              std::to_string(options_.daily_api_limit));
}

std::optional<SalesforceOrg::Session> SalesforceOrg::Authenticate(ApiRequest const& request) {
  auto header = request.Header("Authorization");
  std::string token;
  if (header) {
    std::string_view h = *header;
    for (std::string_view scheme : {"Bearer ", "OAuth "}) {
      if (h.size() > scheme.size() && EqualsIgnoreCase(h.substr(0, scheme.size()), scheme)) {
        token = std::string(h.substr(scheme.size()));
        break;
      }
    }
  }
  if (token.empty()) return std::nullopt;
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (Now() >= it->second.expires) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

WriteContext SalesforceOrg::MakeWriteContext(RestContext const& ctx) const {
  WriteContext w;
  w.user_id = ctx.session.user_id;
  w.now = Now();
  w.auto_assign = ctx.request->Header("Sforce-Auto-Assign");
  return w;
}

ApiResponse SalesforceOrg::Handle(ApiRequest const& request) {
  std::lock_guard lock(mu_);
  std::string_view const path = request.path;
  ApiResponse response;
  if (path == "/services/oauth2/token") {
    response = HandleToken(request);
  } else if (path == "/services/oauth2/revoke") {
    response = HandleRevoke(request);
  } else if (path.starts_with("/id/")) {
    response = HandleIdentity(request);
  } else if (path == "/services/data" || path == "/services/data/") {
    response = HandleVersions();
  } else if (path.starts_with("/services/data/")) {
    auto segments = SplitPath(path.substr(std::string_view("/services/data/").size()));
    std::string version;
    if (!segments.empty() && segments[0] == "latest") {
      version = options_.api_version;
    } else if (!segments.empty()) {
      auto v = ParseVersion(segments[0]);
      auto const max = ParseVersion("v" + options_.api_version);
      if (v && max && *v >= 20.0 && *v <= *max + 1e-9) version = FormatVersion(*v);
    }
    if (version.empty()) {
      response = SalesforceError(404, "NOT_FOUND", "The requested resource does not exist");
    } else if (auto session = Authenticate(request); !session) {
      response = SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid");
    } else if (api_usage_ >= options_.daily_api_limit) {
      response = SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    } else {
      ++api_usage_;
      RestContext ctx;
      ctx.request = &request;
      ctx.version = version;
      ctx.session = *session;
      std::string rest;
      for (std::size_t i = 1; i < segments.size(); ++i) {
        rest += (rest.empty() ? "" : "/") + segments[i];
      }
      response = HandleRestResource(ctx, rest);
    }
    AddLimitHeader(response);
  } else {
    response = SalesforceError(404, "NOT_FOUND", "The requested resource does not exist");
  }
  response.Finish();
  return response;
}

ApiResponse SalesforceOrg::HandleRestResource(RestContext const& ctx, std::string_view rest) {
  auto const segments = SplitPath(rest);
  std::string const& method = ctx.request->method;
  auto not_allowed = [&](std::string const& allowed) {
    return SalesforceError(405, "METHOD_NOT_ALLOWED",
                           "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
  };
  std::string const base = "/services/data/v" + ctx.version;
  if (segments.empty()) {
    if (method != "GET") return not_allowed("GET,HEAD");
    ApiResponse r;
    ordered_json j;
    // Absolute, as Salesforce's (clients such as jsforce's identity() follow it as is).
    j["identity"] = base_url_ + "/id/" + org_id_ + "/" + ctx.session.user_id;
    j["sobjects"] = base + "/sobjects";
    j["query"] = base + "/query";
    j["queryAll"] = base + "/queryAll";
    j["composite"] = base + "/composite";
    j["jobs"] = base + "/jobs";
    j["limits"] = base + "/limits";
    r.json = std::move(j);
    return r;
  }
  std::string const& head = segments[0];
  if (head == "query" || head == "queryAll") {
    if (method != "GET") return not_allowed("GET,HEAD");
    if (segments.size() == 1) return HandleQuery(ctx, head == "queryAll");
    if (segments.size() == 2) return HandleQueryMore(ctx, segments[1]);
  } else if (head == "sobjects") {
    return HandleSObjects(ctx, {segments.begin() + 1, segments.end()});
  } else if (head == "composite") {
    if (segments.size() >= 2 && segments[1] == "sobjects") {
      return HandleCollections(ctx, {segments.begin() + 2, segments.end()});
    }
    if (segments.size() == 1 && !ctx.in_composite) {
      if (method != "POST") return not_allowed("POST");
      return HandleComposite(ctx);
    }
  } else if (head == "jobs" && segments.size() >= 2 && segments[1] == "query" &&
             !ctx.in_composite) {
    return HandleBulk(ctx, {segments.begin() + 2, segments.end()});
  } else if (head == "limits" && segments.size() == 1 && !ctx.in_composite) {
    if (method != "GET") return not_allowed("GET,HEAD");
    return HandleLimits(ctx);
  }
  return SalesforceError(404, "NOT_FOUND", "The requested resource does not exist");
}

ApiResponse SalesforceOrg::HandleVersions() const {
  ApiResponse r;
  ordered_json list = ordered_json::array();
  auto const max = ParseVersion("v" + options_.api_version).value_or(62.0);
  for (double v = 31.0; v <= max + 1e-9; v += 1.0) {
    ordered_json e;
    e["label"] = ReleaseLabel(v);
    e["url"] = "/services/data/v" + FormatVersion(v);
    e["version"] = FormatVersion(v);
    list.push_back(std::move(e));
  }
  r.json = std::move(list);
  return r;
}

ApiResponse SalesforceOrg::HandleLimits(RestContext const& /*ctx*/) const {
  ApiResponse r;
  ordered_json j;
  auto limit = [](std::int64_t max, std::int64_t remaining) {
    ordered_json e;
    e["Max"] = max;
    e["Remaining"] = std::max<std::int64_t>(0, remaining);
    return e;
  };
  j["DailyApiRequests"] = limit(options_.daily_api_limit, options_.daily_api_limit - api_usage_);
  j["DailyBulkV2QueryJobs"] = limit(10000, 10000 - static_cast<std::int64_t>(jobs_.size()));
  j["DailyBulkV2QueryFileStorageMB"] = limit(976562, 976562);
  j["DataStorageMB"] = limit(1024, 1024 - static_cast<std::int64_t>(store_.size() / 500));
  r.json = std::move(j);
  return r;
}

ApiResponse SalesforceOrg::FaultResponse(ApiRequest const& request, EndpointKind kind,
                                         FaultKind fault) {
  std::lock_guard lock(mu_);
  ApiResponse r;
  if (kind == EndpointKind::kToken) {
    ordered_json j;
    switch (fault) {
      case FaultKind::kHttp500:
        r.status = 500;
        j["error"] = "server_error";
        j["error_description"] = "internal server error";
        break;
      case FaultKind::kHttp503:
      case FaultKind::kUnableToLockRow:
        r.status = 503;
        j["error"] = "temporarily_unavailable";
        j["error_description"] = "service temporarily unavailable";
        break;
      case FaultKind::kTokenExpired:
        r.status = 400;
        j["error"] = "invalid_grant";
        j["error_description"] = "expired access/refresh token";
        break;
      default:
        r.status = 400;
        j["error"] = "rate_limit_exceeded";
        j["error_description"] = "rate limit exceeded";
        break;
    }
    r.json = std::move(j);
    r.Finish();
    return r;
  }
  if (fault == FaultKind::kTokenExpired) {
    if (auto header = request.Header("Authorization")) {
      auto const space = header->find(' ');
      if (space != std::string::npos) sessions_.erase(header->substr(space + 1));
    }
    if (kind == EndpointKind::kIdentity) {
      r.status = 403;
      r.content_type = "text/plain;charset=UTF-8";
      r.body = "Bad_OAuth_Token";
      return r;
    }
  }
  switch (fault) {
    case FaultKind::kHttp500:
      r = SalesforceError(500, "UNKNOWN_EXCEPTION",
                          "An unexpected error occurred. Please include this ErrorId if you "
                          "contact support: 1432081839-1234 (-1198364823)");
      break;
    case FaultKind::kHttp503:
      r = SalesforceError(503, "SERVER_UNAVAILABLE",
                          "Server unavailable to handle the request; the server is down for "
                          "maintenance or overloaded");
      break;
    case FaultKind::kUnableToLockRow:
      r = SalesforceError(400, "UNABLE_TO_LOCK_ROW",
                          "unable to obtain exclusive access to this record or 1 records");
      break;
    case FaultKind::kTokenExpired:
      r = SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid");
      break;
    case FaultKind::kRequestLimitExceeded:
      r = SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
      break;
    default:
      r = SalesforceError(500, "UNKNOWN_EXCEPTION", "unexpected fault");
      break;
  }
  if (request.path.starts_with("/services/data/v")) AddLimitHeader(r);
  r.Finish();
  return r;
}

Status SalesforceOrg::Seed(json const& seed) {
  std::lock_guard lock(mu_);
  return SeedLocked(seed);
}

Status SalesforceOrg::SeedLocked(json const& seed) {
  if (!seed.is_object()) {
    return InvalidArgumentError("seed: expected an object {\"Case\": [ … ], …}");
  }
  if (seed.contains("_fields")) {
    if (auto s = schema_.DeclareFields(seed.at("_fields")); !s.ok()) {
      return InvalidArgumentError("seed: " + s.message());
    }
  }
  std::vector<std::string> order;
  for (auto name : kSeedOrder) {
    for (auto const& [key, value] : seed.items()) {
      if (EqualsIgnoreCase(key, name)) order.push_back(key);
    }
  }
  for (auto const& [key, value] : seed.items()) {
    if (key.starts_with("_")) continue;
    if (std::find(order.begin(), order.end(), key) == order.end()) order.push_back(key);
  }
  StoreTransaction tx(store_);
  for (auto const& key : order) {
    ObjectSchema* object = schema_.FindMutable(key);
    if (object == nullptr) return InvalidArgumentError("seed: unknown object '" + key + "'");
    json const& records = seed.at(key);
    if (!records.is_array()) {
      return InvalidArgumentError("seed: " + key + " must be an array of records");
    }
    // Undeclared custom fields get a type from their first non-null value.
    for (std::size_t i = 0; i < records.size(); ++i) {
      json const& rec = records[i];
      if (!rec.is_object()) {
        return InvalidArgumentError("seed: " + key + "[" + std::to_string(i) +
                                    "] must be an object");
      }
      for (auto const& [field, value] : rec.items()) {
        if (field == "attributes" || object->FindField(field) != nullptr) continue;
        if (!(field.size() > 3 && EqualsIgnoreCase(field.substr(field.size() - 3), "__c"))) {
          ErrorInfo info;
          info.field = field;
          return InvalidArgumentError("seed: " + key + "[" + std::to_string(i) +
                                          "]: unknown field '" + field +
                                          "' (standard fields must exist on " + object->name() +
                                          "; custom fields end in __c)",
                                      info);
        }
        FieldDef f;
        f.name = field;
        if (value.is_boolean()) {
          f.type = FieldType::kBoolean;
        } else if (value.is_number()) {
          f.type = FieldType::kNumber;
        } else if (value.is_string()) {
          std::string const& s = value.get_ref<std::string const&>();
          auto const id = NormalizeId(s);
          ObjectSchema const* target = id ? schema_.FindByIdPrefix(*id) : nullptr;
          if (target != nullptr && s.size() >= 15) {
            f.type = FieldType::kReference;
            f.reference_to = {target->name()};
            f.relationship_name = field.substr(0, field.size() - 3) + "__r";
          } else if (s.size() > 10 && s.find('T') != std::string::npos && ParseInstant(s)) {
            f.type = FieldType::kDateTime;
          } else if (s.size() == 10 && ParseDate(s)) {
            f.type = FieldType::kDate;
          } else {
            f.type = FieldType::kString;
          }
        } else if (value.is_null()) {
          continue;  // wait for a non-null value to decide
        } else {
          return InvalidArgumentError("seed: " + key + "[" + std::to_string(i) + "]." + field +
                                      ": values must be strings, numbers, booleans or null");
        }
        (void)object->AddField(std::move(f));
      }
    }
    // Fields that were null everywhere are text.
    for (auto const& rec : records) {
      for (auto const& [field, value] : rec.items()) {
        if (field != "attributes" && object->FindField(field) == nullptr) {
          FieldDef f;
          f.name = field;
          (void)object->AddField(std::move(f));
        }
      }
    }
    std::string default_user;
    for (Record const* u : store_.Table("User")) {
      if (!u->deleted() && u->Get("IsActive") != json(false)) {
        default_user = u->id;
        break;
      }
    }
    WriteContext ctx;
    ctx.now = Now();
    ctx.user_id = default_user;
    for (std::size_t i = 0; i < records.size(); ++i) {
      std::string const where = "seed: " + key + "[" + std::to_string(i) + "]";
      auto parsed = writer_.ParseBody(*object, records[i], /*allow_id=*/false);
      if (auto* e = std::get_if<WriteError>(&parsed)) {
        ErrorInfo info;
        if (!e->fields.empty()) info.field = e->fields.front();
        return InvalidArgumentError(where + ": " + e->message, info);
      }
      json values = std::get<json>(parsed);
      if (records[i].contains("Id")) values["Id"] = records[i].at("Id");
      if (default_user.empty() && object->name() == "User") {
        // The first user creates itself.
        ctx.user_id = "";
      }
      auto seeded = writer_.Seed(*object, std::move(values), ctx);
      if (auto* e = std::get_if<WriteError>(&seeded)) {
        ErrorInfo info;
        if (!e->fields.empty()) info.field = e->fields.front();
        return InvalidArgumentError(where + ": " + e->message, info);
      }
      if (object->name() == "User" && default_user.empty()) {
        default_user = std::get<std::string>(seeded);
        ctx.user_id = default_user;
      }
    }
  }
  tx.Commit();
  return OkStatus();
}

std::vector<json> SalesforceOrg::Records(std::string_view object) const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  ObjectSchema const* o = schema_.Find(object);
  if (o == nullptr) return out;
  for (Record const* r : store_.Table(o->name())) out.push_back(r->Fields());
  return out;
}

std::optional<json> SalesforceOrg::FindRecord(std::string_view id) const {
  std::lock_guard lock(mu_);
  Record const* r = store_.Find(id);
  if (r == nullptr) return std::nullopt;
  return r->Fields();
}

std::vector<OwnerWrite> SalesforceOrg::OwnerWrites() const {
  std::lock_guard lock(mu_);
  return writer_.owner_writes();
}

std::int64_t SalesforceOrg::api_usage() const {
  std::lock_guard lock(mu_);
  return api_usage_;
}

void SalesforceOrg::set_api_usage(std::int64_t used) {
  std::lock_guard lock(mu_);
  api_usage_ = used;
}

void SalesforceOrg::ExpireAllTokens() {
  std::lock_guard lock(mu_);
  sessions_.clear();
}

std::size_t SalesforceOrg::active_sessions() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace casebridge::sandbox
