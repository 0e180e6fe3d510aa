#include "connector/sandbox/forge_service.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <random>
#include <set>
#include <tuple>
#include <utility>

#include "connector/common/time.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// ---- field specifications (openapi.yaml components/schemas) --------------------------------

enum class Type { kString, kDateTime, kTier, kBool, kStringArray };

struct Field {
  std::string_view name;
  Type type = Type::kString;
  bool nullable = true;
  bool required = false;
  std::vector<std::string_view> values = {};  // enum (strings) when non-empty
  bool non_empty = false;                     // minLength 1
};

constexpr std::array<std::string_view, 4> kTicketStatuses = {"open", "pending", "resolved",
                                                             "closed"};
constexpr std::array<std::string_view, 4> kKinds = {"email", "call", "note", "message"};
constexpr std::array<std::string_view, 3> kDirections = {"inbound", "outbound", "internal"};
constexpr std::array<std::string_view, 5> kParties = {"customer", "installer", "sales", "manager",
                                                      "internal"};
constexpr std::array<std::string_view, 3> kOutcomes = {"reached", "voicemail", "no_answer"};
constexpr std::array<std::string_view, 4> kServiceStatuses = {"requested", "scheduled", "completed",
                                                              "cancelled"};
constexpr std::array<std::string_view, 3> kTaskStatuses = {"todo", "in-progress", "done"};

template <std::size_t N>
std::vector<std::string_view> V(std::array<std::string_view, N> const& a) {
  return {a.begin(), a.end()};
}

std::vector<Field> const& TicketFields() {
  static auto const* const k = new std::vector<Field>{
      {"id", Type::kString, false},
      {"number", Type::kString, false},
      {"subject"},
      {"status", Type::kString, false, false, V(kTicketStatuses)},
      {"escalation_tier", Type::kTier},
      {"category"},
      {"subcategory"},
      {"customer_id"},
      {"installer_id"},
      {"assigned_to"},
      {"team"},
      {"financing_partner"},
      {"pre_m3_pto", Type::kBool},
      {"salesforce_case_id"},
      {"created_at", Type::kDateTime, false},
      {"updated_at", Type::kDateTime, false},
      {"closed_at", Type::kDateTime},
  };
  return *k;
}

std::vector<Field> const& InteractionFields() {
  static auto const* const k = new std::vector<Field>{
      {"id", Type::kString, false},
      {"ticket_id"},
      {"customer_id"},
      {"kind", Type::kString, false, true, V(kKinds)},
      {"direction", Type::kString, false, true, V(kDirections)},
      {"party", Type::kString, true, false, V(kParties)},
      {"outcome", Type::kString, true, false, V(kOutcomes)},
      {"tags", Type::kStringArray, false},
      {"subject"},
      {"body"},
      {"occurred_at", Type::kDateTime, false, true},
      {"source"},
      {"source_ref"},
      {"external_key"},
      {"created_by"},
      {"created_at", Type::kDateTime, false},
      {"updated_at", Type::kDateTime, false},
  };
  return *k;
}

// The members a client may send when creating an interaction (InteractionCreate).
std::vector<std::string_view> const& InteractionCreateNames() {
  static auto const* const k = new std::vector<std::string_view>{
      "ticket_id", "customer_id", "kind", "direction",   "party",  "outcome",
      "tags",      "subject",     "body", "occurred_at", "source", "source_ref"};
  return *k;
}

std::vector<Field> const& ServiceTicketFields() {
  static auto const* const k = new std::vector<Field>{
      {"id", Type::kString, false},
      {"number", Type::kString, false},
      {"ticket_id"},
      {"customer_id", Type::kString, false, true, {}, true},
      {"salesforce_case_id"},
      {"summary", Type::kString, false, true, {}, true},
      {"description"},
      {"status", Type::kString, false, false, V(kServiceStatuses)},
      {"external_key"},
      {"created_at", Type::kDateTime, false},
      {"updated_at", Type::kDateTime, false},
  };
  return *k;
}

std::vector<std::string_view> const& ServiceTicketCreateNames() {
  static auto const* const k = new std::vector<std::string_view>{
      "ticket_id", "customer_id", "salesforce_case_id", "summary", "description"};
  return *k;
}

std::vector<Field> const& TaskFields() {
  static auto const* const k = new std::vector<Field>{
      {"id", Type::kString, false},
      {"title", Type::kString, false, true, {}, true},
      {"description"},
      {"status", Type::kString, false, false, V(kTaskStatuses)},
      {"assigned_to", Type::kString, false, true, {}, true},
      {"due_at", Type::kDateTime},
      {"ticket_id"},
      {"external_key"},
      {"created_at", Type::kDateTime, false},
      {"updated_at", Type::kDateTime, false},
  };
  return *k;
}

std::vector<std::string_view> const& TaskCreateNames() {
  static auto const* const k = new std::vector<std::string_view>{
      "title", "description", "status", "assigned_to", "due_at", "ticket_id"};
  return *k;
}

Status FieldError(std::string const& where, std::string_view field, std::string const& message) {
  ErrorInfo info;
  info.field = std::string(field);
  return InvalidArgumentError(
      where + (where.empty() ? "" : ": ") + "`" + std::string(field) + "` " + message,
      std::move(info));
}

// Checks `in` against `fields` (only the members in `allowed` may appear; `required` ones must)
// and returns the given members normalized: date-times as `YYYY-MM-DDTHH:MM:SSZ`.
StatusOr<ordered_json> Normalize(json const& in, std::vector<Field> const& fields,
                                 std::vector<std::string_view> const& allowed,
                                 bool enforce_required, std::string const& where) {
  if (!in.is_object()) {
    return InvalidArgumentError(where + (where.empty() ? "" : ": ") + "expected a JSON object");
  }
  for (auto const& [key, value] : in.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return FieldError(where, key, "is not a known field");
    }
  }
  ordered_json out = ordered_json::object();
  for (auto const& f : fields) {
    if (std::find(allowed.begin(), allowed.end(), f.name) == allowed.end()) continue;
    std::string const name(f.name);
    if (!in.contains(name)) {
      if (enforce_required && f.required) return FieldError(where, f.name, "is required");
      continue;
    }
    json const& v = in.at(name);
    if (v.is_null()) {
      if (!f.nullable || (enforce_required && f.required)) {
        return FieldError(where, f.name, "must not be null");
      }
      out[name] = nullptr;
      continue;
    }
    switch (f.type) {
      case Type::kString: {
        if (!v.is_string()) return FieldError(where, f.name, "must be a string");
        auto const s = v.get<std::string>();
        if (f.non_empty && s.empty()) return FieldError(where, f.name, "must not be empty");
        if (!f.values.empty() && std::find(f.values.begin(), f.values.end(), s) == f.values.end()) {
          std::string list;
          for (auto e : f.values) list += (list.empty() ? "" : ", ") + std::string(e);
          return FieldError(where, f.name, "must be one of " + list);
        }
        out[name] = s;
        break;
      }
      case Type::kDateTime: {
        auto t = v.is_string() ? ParseInstant(v.get<std::string>()) : std::nullopt;
        if (!t) return FieldError(where, f.name, "must be an ISO-8601 date-time with offset");
        out[name] = FormatInstant(*t);
        break;
      }
      case Type::kTier: {
        if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 4) {
          return FieldError(where, f.name, "must be an integer 1-4 or null");
        }
        out[name] = v.get<int>();
        break;
      }
      case Type::kBool:
        if (!v.is_boolean()) return FieldError(where, f.name, "must be true, false or null");
        out[name] = v.get<bool>();
        break;
      case Type::kStringArray: {
        if (!v.is_array() ||
            !std::all_of(v.begin(), v.end(), [](json const& e) { return e.is_string(); })) {
          return FieldError(where, f.name, "must be an array of strings");
        }
        out[name] = ordered_json::parse(v.dump());
        break;
      }
    }
  }
  return out;
}

std::vector<std::string_view> Names(std::vector<Field> const& fields) {
  std::vector<std::string_view> out;
  out.reserve(fields.size());
  for (auto const& f : fields) out.push_back(f.name);
  return out;
}

// `given` completed with every member of `fields` in schema order: given values win, then
// `defaults`, then null (arrays: []).
ordered_json Complete(ordered_json const& given, std::vector<Field> const& fields,
                      ordered_json const& defaults) {
  ordered_json out = ordered_json::object();
  for (auto const& f : fields) {
    std::string const name(f.name);
    if (given.contains(name)) {
      out[name] = given.at(name);
    } else if (defaults.contains(name)) {
      out[name] = defaults.at(name);
    } else if (f.type == Type::kStringArray) {
      out[name] = ordered_json::array();
    } else {
      out[name] = nullptr;
    }
  }
  return out;
}

std::string Str(ordered_json const& r, char const* key) {
  if (r.contains(key) && r.at(key).is_string()) return r.at(key).get<std::string>();
  return {};
}

Instant TimeOf(ordered_json const& r, char const* key) {
  return ParseInstant(Str(r, key)).value_or(Instant{});
}

std::string Hex(std::string_view s) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
    if (ec != std::errc() || p != s.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<char>(v));
  }
  return out;
}

// The keyset cursor "c1|<epoch seconds>|<id>", hex-encoded so clients treat it as opaque.
std::string EncodeCursor(Instant t, std::string const& id) {
  return Hex("c1|" + std::to_string(t.time_since_epoch().count()) + "|" + id);
}

std::optional<std::pair<Instant, std::string>> DecodeCursor(std::string_view cursor) {
  auto raw = Unhex(cursor);
  if (!raw || raw->rfind("c1|", 0) != 0) return std::nullopt;
  auto const bar = raw->find('|', 3);
  if (bar == std::string::npos) return std::nullopt;
  std::int64_t secs = 0;
  auto [p, ec] = std::from_chars(raw->data() + 3, raw->data() + bar, secs);
  if (ec != std::errc() || p != raw->data() + bar) return std::nullopt;
  return std::make_pair(Instant(std::chrono::seconds(secs)), raw->substr(bar + 1));
}

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsJsonContentType(std::optional<std::string> const& value) {
  if (!value) return false;
  auto const v = Lowered(*value);
  return v.rfind("application/json", 0) == 0;
}

}  // namespace

ForgeUserOptions DemoForgeUser() {
  return ForgeUserOptions{"u-integration", "integration@forge.sandbox", "forge-sandbox-password",
                          "casebridge integration", "integration"};
}

ForgeService::ForgeService(ForgeEmulatorOptions const& options)
    : options_(options), clock_(options.clock), token_rng_(std::random_device{}()) {
  if (!clock_) clock_ = std::make_shared<SystemClock const>();
  auto users = options_.users;
  if (users.empty()) users.push_back(DemoForgeUser());
  for (auto const& u : users) users_[u.id] = u;
}

Status ForgeService::Validate() const {
  std::set<std::string> emails;
  std::set<std::string> ids;
  for (auto const& u : options_.users) {
    if (u.id.empty() || u.email.empty()) {
      return InvalidArgumentError("forge emulator: every user needs an id and an e-mail");
    }
    if (!emails.insert(Lowered(u.email)).second) {
      return InvalidArgumentError("forge emulator: duplicate user e-mail " + u.email);
    }
    if (!ids.insert(u.id).second) {
      return InvalidArgumentError("forge emulator: duplicate user id " + u.id);
    }
  }
  if (options_.default_page_size < 1 || options_.max_page_size < options_.default_page_size) {
    return InvalidArgumentError("forge emulator: need 1 <= default_page_size <= max_page_size");
  }
  if (options_.token_lifetime.count() <= 0) {
    return InvalidArgumentError("forge emulator: token_lifetime must be positive");
  }
  return OkStatus();
}

std::optional<ForgeEndpoint> ForgeService::Classify(ApiRequest const& request) {
  std::string_view const p = request.path;
  if (!p.starts_with("/api/") && p != "/api") return std::nullopt;
  if (p == "/api/auth/login") return ForgeEndpoint::kLogin;
  if (p == "/api/v1/me") return ForgeEndpoint::kMe;
  if (p == "/api/v1/tickets" || p.starts_with("/api/v1/tickets/")) return ForgeEndpoint::kTickets;
  if (p == "/api/v1/interactions") return ForgeEndpoint::kInteractions;
  if (p == "/api/v1/service-tickets") return ForgeEndpoint::kServiceTickets;
  if (p == "/api/v1/tasks") return ForgeEndpoint::kTasks;
  return ForgeEndpoint::kOther;
}

Instant ForgeService::Now() const { return clock_->Now(); }

std::string ForgeService::NextRequestId() {
  std::string digits = std::to_string(next_request_++);
  if (digits.size() < 8) digits.insert(0, 8 - digits.size(), '0');
  return "req-" + digits;
}

ApiResponse ForgeService::Json(int status, Record body) {
  ApiResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.json = std::move(body);
  r.SetHeader("X-Request-Id", NextRequestId());
  r.Finish();
  return r;
}

ApiResponse ForgeService::Error(int status, std::string_view code, std::string const& message,
                                std::string const& field) {
  ApiResponse r;
  r.status = status;
  r.content_type = "application/json";
  std::string const id = NextRequestId();
  r.SetHeader("X-Request-Id", id);
  Record e = Record::object();
  e["code"] = code;
  e["message"] = message;
  e["field"] = field.empty() ? Record(nullptr) : Record(field);
  e["request_id"] = id;
  r.json = Record{{"error", std::move(e)}};
  r.Finish();
  return r;
}

ApiResponse ForgeService::FaultResponse(ApiRequest const& request, ForgeFaultSpec const& fault) {
  std::lock_guard lock(mu_);
  switch (fault.kind) {
    case ForgeFaultKind::kHttp500:
      return Error(500, "internal", "injected fault: internal server error");
    case ForgeFaultKind::kHttp503: {
      auto r = Error(503, "unavailable", "injected fault: service unavailable");
      r.SetHeader("Retry-After", std::to_string(fault.retry_after.count()));
      return r;
    }
    case ForgeFaultKind::kRateLimited: {
      auto r = Error(429, "rate_limited", "injected fault: too many requests");
      r.SetHeader("Retry-After", std::to_string(fault.retry_after.count()));
      return r;
    }
    case ForgeFaultKind::kTokenExpired: {
      if (auto auth = request.Header("authorization"); auth && auth->rfind("Bearer ", 0) == 0) {
        auto it = tokens_.find(auth->substr(7));
        if (it != tokens_.end()) it->second.revoked = true;
      }
      return Error(401, "token_expired", "the access token has expired; log in again");
    }
    case ForgeFaultKind::kQuotaExceeded:
      return Error(403, "quota_exceeded", "injected fault: the API quota is used up");
    case ForgeFaultKind::kLatency:
    case ForgeFaultKind::kMalformedBody:
    case ForgeFaultKind::kDropConnection:
    case ForgeFaultKind::kGarbledBody:
      break;
  }
  return Error(500, "internal", "injected fault without a response of its own");
}

std::optional<ApiResponse> ForgeService::RateLimit() {
  if (options_.rate_limit_per_minute <= 0) return std::nullopt;
  auto const now = Now();
  auto const minute = std::chrono::floor<std::chrono::minutes>(now);
  if (minute != window_start_) {
    window_start_ = minute;
    window_count_ = 0;
  }
  if (window_count_ < options_.rate_limit_per_minute) {
    ++window_count_;
    return std::nullopt;
  }
  auto const wait = std::chrono::duration_cast<std::chrono::seconds>(window_start_ +
                                                                     std::chrono::minutes(1) - now);
  auto r = Error(
      429, "rate_limited",
      "more than " + std::to_string(options_.rate_limit_per_minute) + " requests this minute");
  r.SetHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, wait.count())));
  return r;
}

std::optional<ApiResponse> ForgeService::Authenticate(ApiRequest const& request,
                                                      std::string& user_id) {
  auto auth = request.Header("authorization");
  if (!auth || auth->size() <= 7 || Lowered(auth->substr(0, 7)) != "bearer ") {
    return Error(401, "unauthorized", "missing bearer token (Authorization: Bearer <token>)");
  }
  auto it = tokens_.find(auth->substr(7));
  if (it == tokens_.end()) return Error(401, "unauthorized", "unknown bearer token");
  if (it->second.revoked || Now() >= it->second.expires_at) {
    return Error(401, "token_expired", "the access token has expired; log in again");
  }
  if (!users_.contains(it->second.user_id)) {
    return Error(401, "unauthorized", "the token's user no longer exists");
  }
  user_id = it->second.user_id;
  return std::nullopt;
}

ApiResponse ForgeService::Handle(ApiRequest const& request) {
  std::lock_guard lock(mu_);
  if (auto limited = RateLimit()) return *limited;
  std::string_view const p = request.path;
  std::string const& m = request.method;
  auto not_allowed = [&](std::string_view allowed) {
    auto r = Error(405, "bad_request", m + " is not supported on " + request.path);
    r.SetHeader("Allow", std::string(allowed));
    return r;
  };
  if (p == "/api/auth/login") return m == "POST" ? Login(request) : not_allowed("POST");

  std::string user_id;
  if (auto denied = Authenticate(request, user_id)) return *denied;
  if (p == "/api/v1/me") return m == "GET" ? Me(user_id) : not_allowed("GET");
  if (p == "/api/v1/tickets") {
    return m == "GET" ? List(request, tickets_, {"customer_id", "status"}) : not_allowed("GET");
  }
  if (p.starts_with("/api/v1/tickets/")) {
    std::string const id(p.substr(std::string_view("/api/v1/tickets/").size()));
    if (id.empty() || id.find('/') != std::string::npos) {
      return Error(404, "not_found", "no such resource " + request.path);
    }
    return m == "GET" ? GetTicket(id) : not_allowed("GET");
  }
  if (p == "/api/v1/interactions") {
    if (m == "GET") return List(request, interactions_, {"ticket_id", "customer_id"});
    if (m == "POST") return CreateInteraction(request, user_id);
    return not_allowed("GET, POST");
  }
  if (p == "/api/v1/service-tickets") {
    if (m == "GET") return List(request, service_tickets_, {"ticket_id", "salesforce_case_id"});
    if (m == "POST") return CreateServiceTicket(request, user_id);
    return not_allowed("GET, POST");
  }
  if (p == "/api/v1/tasks") {
    if (m == "GET") return List(request, tasks_, {"assigned_to", "status"});
    if (m == "POST") return CreateTask(request, user_id);
    return not_allowed("GET, POST");
  }
  return Error(404, "not_found", "no such resource " + request.path);
}

ForgeService::Record ForgeService::UserJson(std::string const& id) const {
  auto const& u = users_.at(id);
  Record r = Record::object();
  r["id"] = u.id;
  r["email"] = u.email;
  r["name"] = u.name.empty() ? Record(nullptr) : Record(u.name);
  r["role"] = u.role.empty() ? Record(nullptr) : Record(u.role);
  return r;
}

ApiResponse ForgeService::Login(ApiRequest const& request) {
  if (!IsJsonContentType(request.Header("content-type"))) {
    return Error(415, "unsupported_media_type", "send the credentials as application/json");
  }
  json const body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error(400, "bad_request", "the body is not a JSON object");
  }
  for (char const* key : {"email", "password"}) {
    if (!body.contains(key) || !body.at(key).is_string()) {
      return Error(400, "bad_request", std::string("`") + key + "` (string) is required", key);
    }
  }
  auto const email = Lowered(body.at("email").get<std::string>());
  auto const& password = body.at("password").get_ref<std::string const&>();
  for (auto const& [id, user] : users_) {
    if (Lowered(user.email) != email || user.password.empty() || user.password != password) {
      continue;
    }
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string token = "fg_";
    for (int i = 0; i < 40; ++i) token.push_back(kHex[token_rng_() % 16]);
    tokens_[token] = Token{id, Now() + options_.token_lifetime, false};
    ++logins_;
    Record r = Record::object();
    r["token"] = token;
    r["token_type"] = "Bearer";
    r["expires_in"] = options_.token_lifetime.count();
    r["user"] = UserJson(id);
    return Json(200, std::move(r));
  }
  // Never say which of the two was wrong, never echo either.
  return Error(401, "invalid_credentials", "invalid e-mail or password");
}

ApiResponse ForgeService::Me(std::string const& user_id) { return Json(200, UserJson(user_id)); }

ApiResponse ForgeService::GetTicket(std::string const& id) {
  auto it = tickets_.find(id);
  if (it == tickets_.end()) return Error(404, "not_found", "no ticket " + id);
  return Json(200, it->second);
}

ApiResponse ForgeService::List(ApiRequest const& request, Collection const& items,
                               std::vector<std::string> const& filters) {
  int limit = options_.default_page_size;
  if (auto l = request.Param("limit")) {
    int v = 0;
    auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), v);
    if (ec != std::errc() || p != l->data() + l->size() || v < 1 || v > options_.max_page_size) {
      return Error(400, "bad_request",
                   "limit must be an integer 1-" + std::to_string(options_.max_page_size), "limit");
    }
    limit = v;
  }
  std::optional<Instant> since;
  bool const tasks = &items == &tasks_;
  if (auto s = request.Param("updated_since"); s && !tasks) {
    since = ParseInstant(*s);
    if (!since) {
      return Error(400, "bad_request", "updated_since must be an ISO-8601 date-time with offset",
                   "updated_since");
    }
  }
  std::optional<std::pair<Instant, std::string>> after;
  if (auto c = request.Param("cursor")) {
    after = DecodeCursor(*c);
    if (!after)
      return Error(400, "invalid_cursor", "the cursor is not one this server issued", "cursor");
  }
  std::vector<std::pair<std::string, std::string>> equal;
  for (auto const& f : filters) {
    if (auto v = request.Param(f)) equal.emplace_back(f, *v);
  }
  for (auto const& [name, value] : equal) {
    if (name != "status") continue;
    bool const ok =
        tasks ? std::find(kTaskStatuses.begin(), kTaskStatuses.end(), value) != kTaskStatuses.end()
              : std::find(kTicketStatuses.begin(), kTicketStatuses.end(), value) !=
                    kTicketStatuses.end();
    if (!ok) return Error(400, "bad_request", "unknown status '" + value + "'", "status");
  }

  // Walk the (updated_at, id) order from the later of `updated_since` and the cursor, and stop
  // once a row past the page is found.
  UpdateOrder const& order = OrderOf(items);
  auto it = since ? order.lower_bound({*since, std::string()}) : order.begin();
  if (after && (it == order.end() || !(*after < it->first))) it = order.upper_bound(*after);
  std::vector<UpdateOrder::const_iterator> rows;
  for (; it != order.end() && rows.size() <= static_cast<std::size_t>(limit); ++it) {
    bool match = true;
    for (auto const& [name, value] : equal)
      match = match && Str(*it->second, name.c_str()) == value;
    if (match) rows.push_back(it);
  }
  Record data = Record::array();
  std::size_t const n = std::min<std::size_t>(rows.size(), static_cast<std::size_t>(limit));
  for (std::size_t i = 0; i < n; ++i) data.push_back(*rows[i]->second);
  Record page = Record::object();
  page["data"] = std::move(data);
  page["next_cursor"] =
      rows.size() > n ? Record(EncodeCursor(rows[n - 1]->first.first, rows[n - 1]->first.second))
                      : Record(nullptr);
  return Json(200, std::move(page));
}

ForgeService::UpdateOrder const& ForgeService::OrderOf(Collection const& items) {
  auto [it, added] = orders_.try_emplace(&items);
  if (added) {
    for (auto const& [id, r] : items)
      it->second.emplace(std::pair(TimeOf(r, "updated_at"), id), &r);
  }
  return it->second;
}

void ForgeService::Put(Collection& items, std::string const& id, Record record) {
  auto order = orders_.find(&items);
  auto [slot, added] = items.try_emplace(id);
  if (order != orders_.end() && !added)
    order->second.erase({TimeOf(slot->second, "updated_at"), id});
  slot->second = std::move(record);
  if (order != orders_.end()) {
    order->second.emplace(std::pair(TimeOf(slot->second, "updated_at"), id), &slot->second);
  }
}

template <typename Build>
ApiResponse ForgeService::CreateWith(ApiRequest const& request, std::string const& user_id,
                                     std::string_view endpoint, Collection& items, Build build) {
  if (!IsJsonContentType(request.Header("content-type"))) {
    return Error(415, "unsupported_media_type", "send the body as application/json");
  }
  json const body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return Error(400, "bad_request", "the body is not valid JSON");
  std::string key;
  if (auto k = request.Header("idempotency-key")) {
    key = *k;
    if (key.empty() || key.size() > 255) {
      return Error(400, "bad_request", "Idempotency-Key must be 1-255 characters",
                   "Idempotency-Key");
    }
    std::string const slot = std::string(endpoint) + "\n" + user_id + "\n" + key;
    if (auto it = idempotency_.find(slot); it != idempotency_.end()) {
      if (auto rec = items.find(it->second); rec != items.end()) return Json(200, rec->second);
    }
  }
  StatusOr<Record> record = build(body, key);
  if (!record.ok()) {
    return Error(422, "validation_failed", record.status().message(), record.status().info().field);
  }
  std::string const id = Str(*record, "id");
  Put(items, id, *record);
  if (!key.empty()) idempotency_[std::string(endpoint) + "\n" + user_id + "\n" + key] = id;
  return Json(201, *record);
}

ApiResponse ForgeService::CreateInteraction(ApiRequest const& request, std::string const& user_id) {
  return CreateWith(
      request, user_id, "interactions", interactions_,
      [&](json const& body, std::string const& key) -> StatusOr<Record> {
        auto given = Normalize(body, InteractionFields(), InteractionCreateNames(), true, "");
        if (!given.ok()) return given.status();
        std::string const ticket_id = Str(*given, "ticket_id");
        std::string customer_id = Str(*given, "customer_id");
        if (!ticket_id.empty()) {
          auto t = tickets_.find(ticket_id);
          if (t == tickets_.end()) return FieldError("", "ticket_id", "names no ticket");
          if (customer_id.empty()) customer_id = Str(t->second, "customer_id");
        }
        if (ticket_id.empty() && customer_id.empty()) {
          return FieldError("", "ticket_id", "or customer_id is required");
        }
        auto const now = FormatInstant(Now());
        Record defaults = Record::object();
        defaults["id"] = "INT-" + std::to_string(100000 + next_id_++);
        defaults["customer_id"] = customer_id.empty() ? Record(nullptr) : Record(customer_id);
        defaults["external_key"] = key.empty() ? Record(nullptr) : Record(key);
        defaults["created_by"] = user_id;
        defaults["created_at"] = now;
        defaults["updated_at"] = now;
        if (!given->contains("customer_id") || given->at("customer_id").is_null()) {
          given->erase("customer_id");
        }
        return Complete(*given, InteractionFields(), defaults);
      });
}

ApiResponse ForgeService::CreateServiceTicket(ApiRequest const& request,
                                              std::string const& user_id) {
  return CreateWith(request, user_id, "service_tickets", service_tickets_,
                    [&](json const& body, std::string const& key) -> StatusOr<Record> {
                      auto given = Normalize(body, ServiceTicketFields(),
                                             ServiceTicketCreateNames(), true, "");
                      if (!given.ok()) return given.status();
                      std::string const ticket_id = Str(*given, "ticket_id");
                      if (!ticket_id.empty() && !tickets_.contains(ticket_id)) {
                        return FieldError("", "ticket_id", "names no ticket");
                      }
                      auto const seq = next_id_++;
                      auto const now = FormatInstant(Now());
                      Record defaults = Record::object();
                      defaults["id"] = "SVC-" + std::to_string(100000 + seq);
                      defaults["number"] = "FS-" + std::to_string(20000 + seq);
                      defaults["status"] = "requested";
                      defaults["external_key"] = key.empty() ? Record(nullptr) : Record(key);
                      defaults["created_at"] = now;
                      defaults["updated_at"] = now;
                      return Complete(*given, ServiceTicketFields(), defaults);
                    });
}

ApiResponse ForgeService::CreateTask(ApiRequest const& request, std::string const& user_id) {
  return CreateWith(request, user_id, "tasks", tasks_,
                    [&](json const& body, std::string const& key) -> StatusOr<Record> {
                      auto given = Normalize(body, TaskFields(), TaskCreateNames(), true, "");
                      if (!given.ok()) return given.status();
                      if (!users_.contains(Str(*given, "assigned_to"))) {
                        return FieldError("", "assigned_to", "names no user");
                      }
                      std::string const ticket_id = Str(*given, "ticket_id");
                      if (!ticket_id.empty() && !tickets_.contains(ticket_id)) {
                        return FieldError("", "ticket_id", "names no ticket");
                      }
                      auto const now = FormatInstant(Now());
                      Record defaults = Record::object();
                      defaults["id"] = "TSK-" + std::to_string(100000 + next_id_++);
                      defaults["status"] = "todo";
                      defaults["external_key"] = key.empty() ? Record(nullptr) : Record(key);
                      defaults["created_at"] = now;
                      defaults["updated_at"] = now;
                      return Complete(*given, TaskFields(), defaults);
                    });
}

Status ForgeService::Seed(nlohmann::json const& seed) {
  if (!seed.is_object()) return InvalidArgumentError("seed: expected a JSON object");
  static constexpr std::array<std::string_view, 5> kCollections = {
      "users", "tickets", "interactions", "service_tickets", "tasks"};
  for (auto const& [key, value] : seed.items()) {
    if (std::find(kCollections.begin(), kCollections.end(), key) == kCollections.end()) {
      return InvalidArgumentError("seed: unknown collection '" + key +
                                  "' (users, tickets, interactions, service_tickets, tasks)");
    }
    if (!value.is_array()) return InvalidArgumentError("seed: " + key + " must be an array");
  }
  std::lock_guard lock(mu_);
  // Work on copies so that nothing is added on error.
  auto users = users_;
  auto tickets = tickets_;
  auto interactions = interactions_;
  auto service_tickets = service_tickets_;
  auto tasks = tasks_;
  auto next_id = next_id_;
  auto const now = FormatInstant(Now());
  auto where = [](std::string_view collection, std::size_t i) {
    return "seed: " + std::string(collection) + "[" + std::to_string(i) + "]";
  };
  auto list = [&seed](char const* name) {
    return seed.contains(name) ? seed.at(name) : json::array();
  };

  json const seed_users = list("users");
  for (std::size_t i = 0; i < seed_users.size(); ++i) {
    json const& u = seed_users.at(i);
    ForgeUserOptions user;
    if (!u.is_object()) return InvalidArgumentError(where("users", i) + ": expected an object");
    for (auto const& [k, v] : u.items()) {
      if (k != "id" && k != "email" && k != "password" && k != "name" && k != "role") {
        return FieldError(where("users", i), k, "is not a known field");
      }
      if (!v.is_string()) return FieldError(where("users", i), k, "must be a string");
    }
    auto get = [&u](char const* k) { return u.contains(k) ? u.at(k).get<std::string>() : ""; };
    user = ForgeUserOptions{get("id"), get("email"), get("password"), get("name"), get("role")};
    if (user.id.empty() || user.email.empty()) {
      return InvalidArgumentError(where("users", i) + ": id and email are required");
    }
    for (auto const& [id, other] : users) {
      if (id != user.id && Lowered(other.email) == Lowered(user.email)) {
        return FieldError(where("users", i), "email", "is already used by user " + id);
      }
    }
    users[user.id] = user;
  }

  // Tickets first: the other collections may refer to them.
  auto add = [&](char const* name, std::vector<Field> const& fields, Collection& into,
                 char const* prefix, auto&& extra) -> Status {
    json const items = list(name);
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto given = Normalize(items.at(i), fields, Names(fields), true, where(name, i));
      if (!given.ok()) return given.status();
      auto const seq = next_id++;
      Record defaults = Record::object();
      defaults["id"] = std::string(prefix) + std::to_string(100000 + seq);
      defaults["created_at"] = now;
      defaults["updated_at"] = now;
      std::string const id = Str(*given, "id");
      if (!id.empty()) {
        if (auto old = into.find(id); old != into.end()) {
          defaults["created_at"] = old->second.at("created_at");
        }
      }
      if (auto s = extra(*given, defaults, seq, where(name, i)); !s.ok()) return s;
      Record r = Complete(*given, fields, defaults);
      std::string const key = Str(r, "id");
      into[key] = std::move(r);
    }
    return OkStatus();
  };
  auto ticket_ref = [&tickets](Record const& given, std::string const& at) -> Status {
    std::string const t = Str(given, "ticket_id");
    if (!t.empty() && !tickets.contains(t)) return FieldError(at, "ticket_id", "names no ticket");
    return OkStatus();
  };

  if (auto s = add("tickets", TicketFields(), tickets, "TCK-",
                   [](Record&, Record& defaults, std::int64_t seq, std::string const&) {
                     defaults["number"] = "F-" + std::to_string(10000 + seq);
                     defaults["status"] = "open";
                     return OkStatus();
                   });
      !s.ok()) {
    return s;
  }
  if (auto s = add("interactions", InteractionFields(), interactions, "INT-",
                   [&](Record& given, Record& defaults, std::int64_t, std::string const& at) {
                     if (auto r = ticket_ref(given, at); !r.ok()) return r;
                     std::string const t = Str(given, "ticket_id");
                     if (!t.empty() && Str(given, "customer_id").empty()) {
                       defaults["customer_id"] = tickets.at(t).at("customer_id");
                       given.erase("customer_id");
                     }
                     if (t.empty() && Str(given, "customer_id").empty()) {
                       return FieldError(at, "ticket_id", "or customer_id is required");
                     }
                     return OkStatus();
                   });
      !s.ok()) {
    return s;
  }
  if (auto s = add("service_tickets", ServiceTicketFields(), service_tickets, "SVC-",
                   [&](Record& given, Record& defaults, std::int64_t seq, std::string const& at) {
                     defaults["number"] = "FS-" + std::to_string(20000 + seq);
                     defaults["status"] = "requested";
                     return ticket_ref(given, at);
                   });
      !s.ok()) {
    return s;
  }
  if (auto s = add("tasks", TaskFields(), tasks, "TSK-",
                   [&](Record& given, Record& defaults, std::int64_t, std::string const& at) {
                     defaults["status"] = "todo";
                     if (!users.contains(Str(given, "assigned_to"))) {
                       return FieldError(at, "assigned_to", "names no user");
                     }
                     return ticket_ref(given, at);
                   });
      !s.ok()) {
    return s;
  }
  users_ = std::move(users);
  tickets_ = std::move(tickets);
  interactions_ = std::move(interactions);
  service_tickets_ = std::move(service_tickets);
  tasks_ = std::move(tasks);
  orders_.clear();
  next_id_ = next_id;
  return OkStatus();
}

std::vector<nlohmann::json> ForgeService::Records(std::string_view collection) const {
  std::lock_guard lock(mu_);
  std::vector<nlohmann::json> out;
  if (collection == "users") {
    for (auto const& [id, u] : users_) out.push_back(json::parse(UserJson(id).dump()));
    return out;
  }
  Collection const* items = nullptr;
  if (collection == "tickets") items = &tickets_;
  if (collection == "interactions") items = &interactions_;
  if (collection == "service_tickets") items = &service_tickets_;
  if (collection == "tasks") items = &tasks_;
  if (items == nullptr) return out;
  std::vector<std::tuple<Instant, std::string, Record const*>> rows;
  for (auto const& [id, r] : *items) rows.emplace_back(TimeOf(r, "updated_at"), id, &r);
  std::sort(rows.begin(), rows.end(), [](auto const& a, auto const& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  for (auto const& row : rows) out.push_back(json::parse(std::get<2>(row)->dump()));
  return out;
}

nlohmann::json ForgeService::State() const {
  json out = json::object();
  for (char const* c : {"users", "tickets", "interactions", "service_tickets", "tasks"}) {
    out[c] = Records(c);
  }
  return out;
}

void ForgeService::ExpireAllTokens() {
  std::lock_guard lock(mu_);
  for (auto& [token, t] : tokens_) t.revoked = true;
}

std::int64_t ForgeService::logins() const {
  std::lock_guard lock(mu_);
  return logins_;
}

}  // namespace casebridge::sandbox
