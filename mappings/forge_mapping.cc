// Loading and validating forge.json (see forge_mapping.h and mappings/README.md).
#include "mappings/forge_mapping.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "mappings/catalogue.h"
#include "mappings/json_check.h"

namespace casebridge::mappings {
namespace {

using json_internal::Checker;
using json_internal::Index;
using json_internal::Join;
using json_internal::Json;
using json_internal::TypeName;

constexpr std::string_view kFileName = "forge.json";
constexpr std::string_view kRoot = "forge";

bool IsFieldChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '$' ||
         c == '@';
}

// `a` or `a.b.c`: dot-separated non-empty segments of letters, digits, `_`, `-`, `$`, `@`.
bool IsFieldPath(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsFieldChar(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

// A query parameter name: letters, digits, `_`, `-`, `.`, `[`, `]`.
bool IsParamName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
           c == '[' || c == ']';
  });
}

// An HTTP header field name (RFC 9110 token).
bool IsHeaderName(std::string_view s) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kExtra.find(c) != std::string_view::npos;
  });
}

// An absolute path on the Forge host: `/…`, visible ASCII, no query or fragment.
bool IsUrlPath(std::string_view s) {
  return s.size() > 1 && s.front() == '/' && std::all_of(s.begin(), s.end(), [](char c) {
           auto const u = static_cast<unsigned char>(c);
           return u > 0x20 && u < 0x7f && c != '?' && c != '#' && c != '\\';
         });
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Typed readers on top of Checker that add forge.json's own value rules.
class Reader {
 public:
  explicit Reader(Checker& c) : c_(c) {}
  Checker& checker() { return c_; }

  // A required object member; nullptr (reported) when missing or not an object.
  Json const* Object(Json const& obj, std::string const& path, std::string_view key) {
    Json const* v = c_.Required(obj, path, key);
    if (v == nullptr || !c_.IsObject(*v, Join(path, key))) return nullptr;
    return v;
  }

  void Path(Json const& obj, std::string const& path, std::string_view key, std::string& out,
            bool item = false) {
    auto v = c_.String(obj, path, key);
    if (!v) return;
    if (!IsUrlPath(*v)) {
      c_.Add(Join(path, key),
             "expected an absolute path such as /api/v1/tickets (no query, no "
             "spaces), got " +
                 Quote(*v));
      return;
    }
    if (item) {
      auto const first = v->find("{id}");
      if (first == std::string::npos || v->find("{id}", first + 1) != std::string::npos) {
        c_.Add(Join(path, key), "must contain the placeholder {id} exactly once, got " + Quote(*v));
        return;
      }
    } else if (v->find('{') != std::string::npos || v->find('}') != std::string::npos) {
      c_.Add(Join(path, key), "must not contain placeholders, got " + Quote(*v));
      return;
    }
    out = *v;
  }

  void Param(Json const& obj, std::string const& path, std::string_view key, std::string& out) {
    auto v = c_.String(obj, path, key);
    if (!v) return;
    if (!IsParamName(*v)) {
      c_.Add(Join(path, key),
             "expected a query parameter name (letters, digits, _ - . [ ]), got " + Quote(*v));
      return;
    }
    out = *v;
  }

  // A field path; `required` fields must be non-empty, others may be "" (not mapped).
  void Field(Json const& obj, std::string const& path, std::string_view key, std::string& out,
             bool required) {
    auto v = required ? c_.String(obj, path, key) : OptionalPresent(obj, path, key);
    if (!v) return;
    if (v->empty()) {
      out.clear();
      return;
    }
    if (!IsFieldPath(*v)) {
      c_.Add(Join(path, key),
             "expected a JSON member name or dotted path (letters, digits, _ - $ "
             "@), got " +
                 Quote(*v));
      return;
    }
    out = *v;
  }

  // A string that must be present (may be empty): "" means "not mapped".
  std::optional<std::string> OptionalPresent(Json const& obj, std::string const& path,
                                             std::string_view key) {
    Json const* v = c_.Required(obj, path, key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      c_.Add(Join(path, key),
             "expected a string (\"\" when Forge has no such field), got " + TypeName(*v));
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  void Bool(Json const& obj, std::string const& path, std::string_view key, bool& out) {
    Json const* v = c_.Required(obj, path, key);
    if (v == nullptr) return;
    if (!v->is_boolean()) {
      c_.Add(Join(path, key), "expected true or false, got " + TypeName(*v));
      return;
    }
    out = v->get<bool>();
  }

  // A non-empty string -> string map whose values must satisfy `accept` (described by `what`).
  void StringMap(Json const& obj, std::string const& path, std::string_view key,
                 std::map<std::string, std::string>& out, bool allow_empty, std::string_view what,
                 std::function<bool(std::string const&)> const& accept) {
    Json const* m = Object(obj, path, key);
    if (m == nullptr) return;
    std::string const here = Join(path, key);
    if (m->empty() && !allow_empty) c_.Add(here, "must have at least one entry");
    for (auto const& [k, v] : m->items()) {
      if (k.empty()) {
        c_.Add(here, "keys must not be empty");
        continue;
      }
      if (!v.is_string()) {
        c_.Add(Join(here, k), "expected a string, got " + TypeName(v));
        continue;
      }
      auto const value = v.get<std::string>();
      if (!accept(value)) {
        c_.Add(Join(here, k), "expected " + std::string(what) + ", got " + Quote(value));
        continue;
      }
      out[k] = value;
    }
  }

  // A map that must contain exactly the keys `keys` (each a non-empty string value).
  void FixedMap(Json const& obj, std::string const& path, std::string_view key,
                std::initializer_list<std::string_view> keys,
                std::map<std::string, std::string>& out) {
    Json const* m = Object(obj, path, key);
    if (m == nullptr) return;
    std::string const here = Join(path, key);
    c_.KnownKeys(*m, here, keys);
    for (auto k : keys) {
      if (auto v = c_.String(*m, here, k)) out[std::string(k)] = *v;
    }
  }

 private:
  Checker& c_;
};

void LoadAuth(Reader& r, Json const& doc, ForgeAuthMapping& out) {
  auto& c = r.checker();
  std::string const path = Join(kRoot, "auth");
  Json const* a = r.Object(doc, std::string(kRoot), "auth");
  if (a == nullptr) return;
  c.KnownKeys(
      *a, path,
      {"login_path", "email_field", "password_field", "token_field", "me_path", "user_fields"});
  r.Path(*a, path, "login_path", out.login_path);
  r.Field(*a, path, "email_field", out.email_field, true);
  r.Field(*a, path, "password_field", out.password_field, true);
  r.Field(*a, path, "token_field", out.token_field, true);
  if (auto me = r.OptionalPresent(*a, path, "me_path"); me && !me->empty()) {
    r.Path(*a, path, "me_path", out.me_path);
  }
  if (Json const* u = r.Object(*a, path, "user_fields")) {
    std::string const up = Join(path, "user_fields");
    c.KnownKeys(*u, up, {"id", "email", "name"});
    r.Field(*u, up, "id", out.user_id_field, true);
    r.Field(*u, up, "email", out.user_email_field, false);
    r.Field(*u, up, "name", out.user_name_field, false);
  }
}

void LoadPaging(Reader& r, Json const& doc, ForgePagingMapping& out) {
  auto& c = r.checker();
  std::string const path = Join(kRoot, "paging");
  Json const* p = r.Object(doc, std::string(kRoot), "paging");
  if (p == nullptr) return;
  c.KnownKeys(*p, path,
              {"limit_param", "cursor_param", "items_field", "next_cursor_field", "page_size"});
  r.Param(*p, path, "limit_param", out.limit_param);
  r.Param(*p, path, "cursor_param", out.cursor_param);
  r.Field(*p, path, "items_field", out.items_field, true);
  r.Field(*p, path, "next_cursor_field", out.next_cursor_field, true);
  if (Json const* n = c.Required(*p, path, "page_size")) {
    if (!n->is_number_integer()) {
      c.Add(Join(path, "page_size"), "expected an integer, got " + TypeName(*n));
    } else if (n->get<std::int64_t>() < 1 || n->get<std::int64_t>() > 1000) {
      c.Add(Join(path, "page_size"), "must be between 1 and 1000");
    } else {
      out.page_size = n->get<int>();
    }
  }
}

bool IsQueueKey(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
  });
}

void LoadTickets(Reader& r, Json const& doc, ForgeTicketMapping& out) {
  auto& c = r.checker();
  std::string const path = Join(kRoot, "tickets");
  Json const* t = r.Object(doc, std::string(kRoot), "tickets");
  if (t == nullptr) return;
  c.KnownKeys(*t, path,
              {"path", "item_path", "updated_since_param", "customer_param", "fields",
               "closed_statuses", "tier_values", "financing_values", "team_queues"});
  r.Path(*t, path, "path", out.path);
  r.Path(*t, path, "item_path", out.item_path, /*item=*/true);
  r.Param(*t, path, "updated_since_param", out.updated_since_param);
  r.Param(*t, path, "customer_param", out.customer_param);
  if (Json const* f = r.Object(*t, path, "fields")) {
    std::string const fp = Join(path, "fields");
    c.KnownKeys(*f, fp,
                {"id", "number", "status", "tier", "primary_reason", "secondary_reason",
                 "customer_id", "installer_id", "assigned_to", "team", "financing", "pre_m3_pto",
                 "salesforce_case_id", "created_at", "updated_at", "closed_at"});
    auto& o = out.fields;
    r.Field(*f, fp, "id", o.id, true);
    r.Field(*f, fp, "number", o.number, false);
    r.Field(*f, fp, "status", o.status, false);
    r.Field(*f, fp, "tier", o.tier, false);
    r.Field(*f, fp, "primary_reason", o.primary_reason, false);
    r.Field(*f, fp, "secondary_reason", o.secondary_reason, false);
    r.Field(*f, fp, "customer_id", o.customer_id, false);
    r.Field(*f, fp, "installer_id", o.installer_id, false);
    r.Field(*f, fp, "assigned_to", o.assigned_to, false);
    r.Field(*f, fp, "team", o.team, false);
    r.Field(*f, fp, "financing", o.financing, false);
    r.Field(*f, fp, "pre_m3_pto", o.pre_m3_pto, false);
    r.Field(*f, fp, "salesforce_case_id", o.salesforce_case_id, false);
    r.Field(*f, fp, "created_at", o.created_at, true);
    r.Field(*f, fp, "updated_at", o.updated_at, true);
    r.Field(*f, fp, "closed_at", o.closed_at, false);
  }
  if (Json const* cs = c.Required(*t, path, "closed_statuses")) {
    std::string const cp = Join(path, "closed_statuses");
    if (c.IsArray(*cs, cp)) {
      std::set<std::string> seen;
      for (std::size_t i = 0; i < cs->size(); ++i) {
        auto v = c.StringValue(cs->at(i), Index(cp, i));
        if (!v) continue;
        if (!seen.insert(*v).second) {
          c.Add(Index(cp, i), "duplicate status " + Quote(*v));
          continue;
        }
        out.closed_statuses.push_back(*v);
      }
    }
  }
  if (Json const* tv = r.Object(*t, path, "tier_values")) {
    std::string const tp = Join(path, "tier_values");
    for (auto const& [k, v] : tv->items()) {
      if (k.empty()) {
        c.Add(tp, "keys must not be empty");
      } else if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 4) {
        c.Add(Join(tp, k), "expected a tier 1-4, got " + (v.is_number() ? v.dump() : TypeName(v)));
      } else {
        out.tier_values[k] = v.get<int>();
      }
    }
  }
  r.StringMap(*t, path, "financing_values", out.financing_values, true, R"("beam" or "concert")",
              [](std::string const& v) { return v == "beam" || v == "concert"; });
  r.StringMap(*t, path, "team_queues", out.team_queues, true,
              "a queue key of queues.json (lower-case letters, digits, _ and -)",
              [](std::string const& v) { return IsQueueKey(v); });
  if (out.fields.status.empty() && !out.closed_statuses.empty()) {
    c.Add(Join(path, "closed_statuses"), "needs tickets.fields.status to be mapped");
  }
}

void LoadInteractions(Reader& r, Json const& doc, ForgeInteractionMapping& out) {
  auto& c = r.checker();
  std::string const path = Join(kRoot, "interactions");
  Json const* t = r.Object(doc, std::string(kRoot), "interactions");
  if (t == nullptr) return;
  c.KnownKeys(*t, path,
              {"path", "updated_since_param", "ticket_param", "customer_param", "fields",
               "outcome_values", "document", "idempotency_key"});
  r.Path(*t, path, "path", out.path);
  r.Param(*t, path, "updated_since_param", out.updated_since_param);
  r.Param(*t, path, "ticket_param", out.ticket_param);
  r.Param(*t, path, "customer_param", out.customer_param);
  if (Json const* f = r.Object(*t, path, "fields")) {
    std::string const fp = Join(path, "fields");
    c.KnownKeys(
        *f, fp,
        {"id", "ticket_id", "customer_id", "kind", "direction", "party", "outcome", "tags",
         "subject", "body", "occurred_at", "updated_at", "source", "source_ref", "external_key"});
    auto& o = out.fields;
    r.Field(*f, fp, "id", o.id, true);
    r.Field(*f, fp, "ticket_id", o.ticket_id, true);
    r.Field(*f, fp, "customer_id", o.customer_id, true);
    r.Field(*f, fp, "kind", o.kind, false);
    r.Field(*f, fp, "direction", o.direction, false);
    r.Field(*f, fp, "party", o.party, false);
    r.Field(*f, fp, "outcome", o.outcome, false);
    r.Field(*f, fp, "tags", o.tags, false);
    r.Field(*f, fp, "subject", o.subject, false);
    r.Field(*f, fp, "body", o.body, false);
    r.Field(*f, fp, "occurred_at", o.occurred_at, true);
    r.Field(*f, fp, "updated_at", o.updated_at, true);
    r.Field(*f, fp, "source", o.source, false);
    r.Field(*f, fp, "source_ref", o.source_ref, false);
    r.Field(*f, fp, "external_key", o.external_key, false);
  }
  r.StringMap(*t, path, "outcome_values", out.outcome_values, true, R"("reached" or "voicemail")",
              [](std::string const& v) { return v == "reached" || v == "voicemail"; });
  if (Json const* d = r.Object(*t, path, "document")) {
    std::string const dp = Join(path, "document");
    c.KnownKeys(*d, dp, {"kinds", "directions", "parties", "source"});
    r.FixedMap(*d, dp, "kinds", {"email", "call", "note"}, out.document.kinds);
    r.FixedMap(*d, dp, "directions", {"inbound", "outbound", "internal"}, out.document.directions);
    r.FixedMap(*d, dp, "parties", {"customer", "installer", "sales", "manager", "internal"},
               out.document.parties);
    if (auto s = r.OptionalPresent(*d, dp, "source")) out.document.source = *s;
  }
  r.Bool(*t, path, "idempotency_key", out.idempotency_key);
}

void LoadSignals(Reader& r, Json const& doc, ForgeInteractionFields const& fields,
                 std::vector<ForgeSignal>& out) {
  auto& c = r.checker();
  std::string const path = Join(kRoot, "signals");
  Json const* s = c.Required(doc, std::string(kRoot), "signals");
  if (s == nullptr || !c.IsArray(*s, path)) return;
  auto const& events = ForgeSignalEventNames();
  for (std::size_t i = 0; i < s->size(); ++i) {
    std::string const ip = Index(path, i);
    Json const& item = s->at(i);
    if (!c.IsObject(item, ip)) continue;
    c.KnownKeys(item, ip, {"event", "match"});
    ForgeSignal signal;
    bool ok = true;
    if (auto e = c.String(item, ip, "event")) {
      if (std::find(events.begin(), events.end(), *e) == events.end()) {
        std::string known;
        for (auto const& n : events) known += (known.empty() ? "" : ", ") + n;
        c.Add(Join(ip, "event"),
              "unknown or unsupported event type " + Quote(*e) + " (one of: " + known + ")");
        ok = false;
      } else {
        signal.event = *e;
      }
    } else {
      ok = false;
    }
    Json const* m = r.Object(item, ip, "match");
    if (m == nullptr) continue;
    std::string const mp = Join(ip, "match");
    if (m->empty()) {
      c.Add(mp, "needs at least one condition");
      ok = false;
    }
    c.KnownKeys(*m, mp, {"kind", "direction", "party", "outcome", "tag"});
    for (auto const& [k, v] : m->items()) {
      std::string const* field = nullptr;
      if (k == "kind") field = &fields.kind;
      if (k == "direction") field = &fields.direction;
      if (k == "party") field = &fields.party;
      if (k == "outcome") field = &fields.outcome;
      if (k == "tag") field = &fields.tags;
      if (field == nullptr) {
        ok = false;
        continue;  // reported by KnownKeys
      }
      if (field->empty()) {
        c.Add(Join(mp, k), "needs interactions.fields." + std::string(k == "tag" ? "tags" : k) +
                               " to be mapped");
        ok = false;
      }
      std::vector<std::string> values;
      if (v.is_string() && !v.get<std::string>().empty()) {
        values.push_back(v.get<std::string>());
      } else if (v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), [](Json const& e) {
                   return e.is_string() && !e.get<std::string>().empty();
                 })) {
        for (auto const& e : v) values.push_back(e.get<std::string>());
      } else {
        c.Add(Join(mp, k),
              "expected a non-empty string or a non-empty array of them, got " + TypeName(v));
        ok = false;
        continue;
      }
      signal.match[k] = std::move(values);
    }
    if (ok) out.push_back(std::move(signal));
  }
}

void LoadServiceTickets(Reader& r, Json const& doc, ForgeServiceTicketMapping& out) {
  auto& c = r.checker();
  std::string const path = Join(kRoot, "service_tickets");
  Json const* t = r.Object(doc, std::string(kRoot), "service_tickets");
  if (t == nullptr) return;
  c.KnownKeys(
      *t, path,
      {"path", "updated_since_param", "ticket_param", "case_param", "fields", "idempotency_key"});
  r.Path(*t, path, "path", out.path);
  r.Param(*t, path, "updated_since_param", out.updated_since_param);
  r.Param(*t, path, "ticket_param", out.ticket_param);
  r.Param(*t, path, "case_param", out.case_param);
  if (Json const* f = r.Object(*t, path, "fields")) {
    std::string const fp = Join(path, "fields");
    c.KnownKeys(*f, fp,
                {"id", "number", "ticket_id", "customer_id", "salesforce_case_id", "summary",
                 "description", "status", "external_key", "created_at", "updated_at"});
    auto& o = out.fields;
    r.Field(*f, fp, "id", o.id, true);
    r.Field(*f, fp, "number", o.number, false);
    r.Field(*f, fp, "ticket_id", o.ticket_id, false);
    r.Field(*f, fp, "customer_id", o.customer_id, true);
    r.Field(*f, fp, "salesforce_case_id", o.salesforce_case_id, false);
    r.Field(*f, fp, "summary", o.summary, true);
    r.Field(*f, fp, "description", o.description, false);
    r.Field(*f, fp, "status", o.status, false);
    r.Field(*f, fp, "external_key", o.external_key, false);
    r.Field(*f, fp, "created_at", o.created_at, false);
    r.Field(*f, fp, "updated_at", o.updated_at, false);
  }
  r.Bool(*t, path, "idempotency_key", out.idempotency_key);
}

// tasks.assign {"default", "notify", "teams"} and tasks.not_in_forge [action names].
void LoadTaskAssignment(Reader& r, Json const& t, std::string const& path, ForgeTaskMapping& out) {
  auto& c = r.checker();
  // Both optional: without them Forge-only cases get no tasks but their flags.
  if (Json const* a = t.contains("assign") ? r.Object(t, path, "assign") : nullptr) {
    std::string const ap = Join(path, "assign");
    c.KnownKeys(*a, ap, {"default", "notify", "teams"});
    if (auto v = c.String(*a, ap, "default")) out.default_assignee = *v;
    if (auto v = c.String(*a, ap, "notify")) out.notify_assignee = *v;
    r.StringMap(*a, ap, "teams", out.team_assignees, true, "a Forge user id",
                [](std::string const& v) { return !v.empty(); });
  }
  Json const* n = t.contains("not_in_forge") ? c.Required(t, path, "not_in_forge") : nullptr;
  std::string const np = Join(path, "not_in_forge");
  if (n == nullptr || !c.IsArray(*n, np)) return;
  for (std::size_t i = 0; i < n->size(); ++i) {
    auto v = c.StringValue(n->at(i), Index(np, i));
    if (!v) continue;
    if (!ParseActionId(*v)) {
      c.Add(Index(np, i), "not an action of the catalogue: " + Quote(*v));
      continue;
    }
    out.not_in_forge.push_back(*v);
  }
}

void LoadTasks(Reader& r, Json const& doc, ForgeTaskMapping& out) {
  auto& c = r.checker();
  std::string const path = Join(kRoot, "tasks");
  Json const* t = r.Object(doc, std::string(kRoot), "tasks");
  if (t == nullptr) return;
  c.KnownKeys(*t, path,
              {"path", "assigned_to_param", "status_param", "fields", "statuses", "idempotency_key",
               "assign", "not_in_forge"});
  r.Path(*t, path, "path", out.path);
  r.Param(*t, path, "assigned_to_param", out.assigned_to_param);
  r.Param(*t, path, "status_param", out.status_param);
  if (Json const* f = r.Object(*t, path, "fields")) {
    std::string const fp = Join(path, "fields");
    c.KnownKeys(*f, fp,
                {"id", "title", "description", "status", "assigned_to", "due_at", "ticket_id",
                 "external_key"});
    auto& o = out.fields;
    r.Field(*f, fp, "id", o.id, true);
    r.Field(*f, fp, "title", o.title, true);
    r.Field(*f, fp, "description", o.description, false);
    r.Field(*f, fp, "status", o.status, true);
    r.Field(*f, fp, "assigned_to", o.assigned_to, true);
    r.Field(*f, fp, "due_at", o.due_at, false);
    r.Field(*f, fp, "ticket_id", o.ticket_id, false);
    r.Field(*f, fp, "external_key", o.external_key, false);
  }
  std::map<std::string, std::string> statuses;
  r.FixedMap(*t, path, "statuses", {"open", "in_progress"}, statuses);
  if (auto it = statuses.find("open"); it != statuses.end()) out.status_open = it->second;
  if (auto it = statuses.find("in_progress"); it != statuses.end()) {
    out.status_in_progress = it->second;
  }
  r.Bool(*t, path, "idempotency_key", out.idempotency_key);
  LoadTaskAssignment(r, *t, path, out);
}

}  // namespace

std::vector<std::string> const& ForgeSignalEventNames() {
  static auto const* const kNames = new std::vector<std::string>{
      "customer_message",
      "homeowner_contacted",
      "installer_emailed",
      "outreach_note",
      "installer_contacted_homeowner",
      "homeowner_satisfied",
      "installer_called",
      "sales_referral",
      "am_responded",
      "homeowner_requested_followup",
      "homeowner_unresponsive",
      "manager_notified",
  };
  return *kNames;
}

ForgeMapping ParseForgeMapping(std::string_view text, std::string const& file,
                               std::vector<Problem>& problems) {
  ForgeMapping m;
  m.origin = file;
  Checker c(file, problems);
  auto doc = c.Parse(text, std::string(kRoot));
  if (!doc) return m;
  c.KnownKeys(*doc, kRoot,
              {"idempotency_header", "auth", "paging", "tickets", "interactions", "signals",
               "service_tickets", "tasks"});
  Reader r(c);
  if (auto h = c.String(*doc, std::string(kRoot), "idempotency_header")) {
    if (IsHeaderName(*h)) {
      m.idempotency_header = *h;
    } else {
      c.Add(Join(kRoot, "idempotency_header"), "expected an HTTP header name, got " + Quote(*h));
    }
  }
  LoadAuth(r, *doc, m.auth);
  LoadPaging(r, *doc, m.paging);
  LoadTickets(r, *doc, m.tickets);
  LoadInteractions(r, *doc, m.interactions);
  LoadSignals(r, *doc, m.interactions.fields, m.signals);
  LoadServiceTickets(r, *doc, m.service_tickets);
  LoadTasks(r, *doc, m.tasks);
  return m;
}

ForgeMapping LoadForgeMapping(std::string const& dir, std::vector<Problem>& problems) {
  auto file = json_internal::ReadMappingFile(dir, kFileName, kRoot, problems);
  if (!file) return {};
  return ParseForgeMapping(file->text, file->label, problems);
}

StatusOr<ForgeMapping> LoadForgeMappingOrError(std::string const& dir) {
  std::vector<Problem> problems;
  ForgeMapping mapping = LoadForgeMapping(dir, problems);
  if (auto s = json_internal::ProblemsStatus(problems, "Forge mapping"); !s.ok()) return s;
  return mapping;
}

}  // namespace casebridge::mappings
