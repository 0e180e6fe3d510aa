#include "connector/forge/record_codec.h"

#include <algorithm>
#include <string>
#include <utility>

namespace casebridge::forge::forge_internal {
namespace {

std::string Shorten(std::string s, std::size_t max = 40) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (s.size() > max) s = s.substr(0, max) + "…";
  return s;
}

std::string Describe(Json const& v) {
  if (v.is_string()) return "'" + Shorten(v.get<std::string>()) + "'";
  return Shorten(v.dump());
}

// Reads the fields of one record; the first problem is kept and later reads are no-ops.
class FieldReader {
 public:
  FieldReader(Json const& doc, std::string what) : doc_(doc), what_(std::move(what)) {
    if (!doc_.is_object()) Fail("", "expected a JSON object, got " + Describe(doc_));
  }

  void SetId(std::string const& id) { what_ += " " + id; }

  // A string (or integer) value; "" for null, absent or unmapped unless `required`.
  std::string String(std::string const& field, bool required = false) {
    if (!status_.ok()) return {};
    Json const* v = field.empty() ? nullptr : Member(doc_, field);
    if (v == nullptr || v->is_null()) {
      if (required) Fail(field, "missing");
      return {};
    }
    if (v->is_string()) {
      if (required && v->get<std::string>().empty()) Fail(field, "empty");
      return v->get<std::string>();
    }
    if (v->is_number_integer()) return v->dump();
    Fail(field, "expected a string, got " + Describe(*v));
    return {};
  }

  std::optional<Instant> Time(std::string const& field, bool required = false) {
    if (!status_.ok()) return std::nullopt;
    Json const* v = field.empty() ? nullptr : Member(doc_, field);
    if (v == nullptr || v->is_null()) {
      if (required) Fail(field, "missing");
      return std::nullopt;
    }
    if (!v->is_string()) {
      Fail(field, "expected an ISO-8601 date-time, got " + Describe(*v));
      return std::nullopt;
    }
    auto t = ParseInstant(v->get<std::string>());
    if (!t) Fail(field, "expected an ISO-8601 date-time with offset, got " + Describe(*v));
    return t;
  }

  bool Bool(std::string const& field) {
    if (!status_.ok()) return false;
    Json const* v = field.empty() ? nullptr : Member(doc_, field);
    if (v == nullptr || v->is_null()) return false;
    if (!v->is_boolean()) {
      Fail(field, "expected true or false, got " + Describe(*v));
      return false;
    }
    return v->get<bool>();
  }

  std::vector<std::string> Strings(std::string const& field) {
    std::vector<std::string> out;
    if (!status_.ok()) return out;
    Json const* v = field.empty() ? nullptr : Member(doc_, field);
    if (v == nullptr || v->is_null()) return out;
    if (!v->is_array()) {
      Fail(field, "expected an array of strings, got " + Describe(*v));
      return out;
    }
    for (auto const& e : *v) {
      if (!e.is_string()) {
        Fail(field, "expected an array of strings, got an element " + Describe(e));
        return {};
      }
      out.push_back(e.get<std::string>());
    }
    return out;
  }

  int Tier(std::string const& field, std::map<std::string, int> const& values) {
    if (!status_.ok()) return 0;
    Json const* v = field.empty() ? nullptr : Member(doc_, field);
    if (v == nullptr || v->is_null()) return 0;
    if (v->is_number_integer()) {
      auto const n = v->get<std::int64_t>();
      if (n >= 1 && n <= 4) return static_cast<int>(n);
    } else if (v->is_string()) {
      auto const s = v->get<std::string>();
      if (s.empty()) return 0;
      if (auto it = values.find(s); it != values.end()) return it->second;
      if (s.size() == 1 && s[0] >= '1' && s[0] <= '4') return s[0] - '0';
    }
    Fail(field, "expected an escalation tier 1-4 (or a value of tickets.tier_values), got " +
                    Describe(*v));
    return 0;
  }

  [[nodiscard]] Status status() const { return status_; }

 private:
  void Fail(std::string const& field, std::string const& message) {
    if (!status_.ok()) return;
    ErrorInfo info;
    info.field = field;
    status_ = InvalidArgumentError(
        "Forge " + what_ + (field.empty() ? "" : ": field `" + field + "`") + ": " + message,
        std::move(info));
  }

  Json const& doc_;
  std::string what_;
  Status status_;
};

Status MissingValue(std::string_view what, std::string_view value) {
  return InvalidArgumentError(std::string(what) + ": " + std::string(value) + " is required");
}

Status Unmapped(std::string_view what, std::string_view key) {
  return InvalidArgumentError(std::string(what) + ": forge.json leaves " + std::string(key) +
                              " unmapped, so the value cannot be sent");
}

// Sets `field` to `value` when both are non-empty; a non-empty value for an unmapped field is
// an error when `required`, silently dropped otherwise (Forge has no place for it).
Status Put(Json& body, std::string const& field, std::string const& value, std::string_view what,
           std::string_view key, bool required = false) {
  if (value.empty()) {
    if (required) return MissingValue(what, key);
    return OkStatus();
  }
  if (field.empty()) {
    if (required) return Unmapped(what, key);
    return OkStatus();
  }
  SetMember(body, field, value);
  return OkStatus();
}

std::string_view KindName(DocumentKind k) {
  switch (k) {
    case DocumentKind::kEmail:
      return "email";
    case DocumentKind::kCall:
      return "call";
    case DocumentKind::kNote:
      return "note";
  }
  return "note";
}

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kInbound:
      return "inbound";
    case Direction::kOutbound:
      return "outbound";
    case Direction::kInternal:
      return "internal";
  }
  return "internal";
}

std::string_view PartyName(Party p) {
  switch (p) {
    case Party::kNone:
      return "";
    case Party::kCustomer:
      return "customer";
    case Party::kInstaller:
      return "installer";
    case Party::kSales:
      return "sales";
    case Party::kManager:
      return "manager";
    case Party::kInternal:
      return "internal";
  }
  return "";
}

std::string Lookup(std::map<std::string, std::string> const& m, std::string_view key) {
  auto it = m.find(std::string(key));
  return it == m.end() ? std::string() : it->second;
}

}  // namespace

Json const* Member(Json const& doc, std::string_view path) {
  if (path.empty()) return nullptr;
  Json const* cur = &doc;
  for (;;) {
    auto const dot = path.find('.');
    std::string const key(path.substr(0, dot));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string_view::npos) return cur;
    path.remove_prefix(dot + 1);
  }
}

void SetMember(Json& doc, std::string_view path, Json value) {
  if (path.empty()) return;
  if (!doc.is_object()) doc = Json::object();
  Json* cur = &doc;
  for (;;) {
    auto const dot = path.find('.');
    std::string const key(path.substr(0, dot));
    if (dot == std::string_view::npos) {
      (*cur)[key] = std::move(value);
      return;
    }
    Json& next = (*cur)[key];
    if (!next.is_object()) next = Json::object();
    cur = &next;
    path.remove_prefix(dot + 1);
  }
}

StatusOr<User> ParseUser(Json const& doc, mappings::ForgeAuthMapping const& m) {
  FieldReader r(doc, "user");
  User u;
  u.id = r.String(m.user_id_field, true);
  u.email = r.String(m.user_email_field);
  u.name = r.String(m.user_name_field);
  if (!r.status().ok()) return r.status();
  return u;
}

StatusOr<Ticket> ParseTicket(Json const& doc, mappings::ForgeTicketMapping const& m) {
  auto const& f = m.fields;
  FieldReader r(doc, "ticket");
  Ticket t;
  t.id = r.String(f.id, true);
  if (!t.id.empty()) r.SetId(t.id);
  t.number = r.String(f.number);
  t.status = r.String(f.status);
  t.tier = r.Tier(f.tier, m.tier_values);
  t.primary_reason = r.String(f.primary_reason);
  t.secondary_reason = r.String(f.secondary_reason);
  t.customer_id = r.String(f.customer_id);
  t.installer_id = r.String(f.installer_id);
  t.assigned_to = r.String(f.assigned_to);
  t.team = r.String(f.team);
  t.financing = r.String(f.financing);
  t.pre_m3_pto = r.Bool(f.pre_m3_pto);
  t.salesforce_case_id = r.String(f.salesforce_case_id);
  auto const created = r.Time(f.created_at, true);
  auto const updated = r.Time(f.updated_at, true);
  t.closed_at = r.Time(f.closed_at);
  if (!r.status().ok()) return r.status();
  t.created_at = *created;
  t.updated_at = *updated;
  if (!t.closed_at && !t.status.empty() &&
      std::find(m.closed_statuses.begin(), m.closed_statuses.end(), t.status) !=
          m.closed_statuses.end()) {
    t.closed_at = t.updated_at;
  }
  return t;
}

StatusOr<Interaction> ParseInteraction(Json const& doc,
                                       mappings::ForgeInteractionMapping const& m) {
  auto const& f = m.fields;
  FieldReader r(doc, "interaction");
  Interaction i;
  i.id = r.String(f.id, true);
  if (!i.id.empty()) r.SetId(i.id);
  i.ticket_id = r.String(f.ticket_id);
  i.customer_id = r.String(f.customer_id);
  i.kind = r.String(f.kind);
  i.direction = r.String(f.direction);
  i.party = r.String(f.party);
  i.outcome = r.String(f.outcome);
  i.tags = r.Strings(f.tags);
  i.subject = r.String(f.subject);
  i.body = r.String(f.body);
  auto const occurred = r.Time(f.occurred_at, true);
  auto const updated = r.Time(f.updated_at, true);
  i.source = r.String(f.source);
  i.source_ref = r.String(f.source_ref);
  i.external_key = r.String(f.external_key);
  if (!r.status().ok()) return r.status();
  i.occurred_at = *occurred;
  i.updated_at = *updated;
  return i;
}

StatusOr<ServiceTicket> ParseServiceTicket(Json const& doc,
                                           mappings::ForgeServiceTicketMapping const& m) {
  auto const& f = m.fields;
  FieldReader r(doc, "service ticket");
  ServiceTicket s;
  s.id = r.String(f.id, true);
  if (!s.id.empty()) r.SetId(s.id);
  s.number = r.String(f.number);
  s.ticket_id = r.String(f.ticket_id);
  s.customer_id = r.String(f.customer_id);
  s.salesforce_case_id = r.String(f.salesforce_case_id);
  s.summary = r.String(f.summary);
  s.description = r.String(f.description);
  s.status = r.String(f.status);
  s.external_key = r.String(f.external_key);
  s.created_at = r.Time(f.created_at);
  s.updated_at = r.Time(f.updated_at);
  if (!r.status().ok()) return r.status();
  return s;
}

StatusOr<Task> ParseTask(Json const& doc, mappings::ForgeTaskMapping const& m) {
  auto const& f = m.fields;
  FieldReader r(doc, "task");
  Task t;
  t.id = r.String(f.id, true);
  if (!t.id.empty()) r.SetId(t.id);
  t.title = r.String(f.title);
  t.description = r.String(f.description);
  t.status = r.String(f.status);
  t.assigned_to = r.String(f.assigned_to);
  t.due_at = r.Time(f.due_at);
  t.ticket_id = r.String(f.ticket_id);
  t.external_key = r.String(f.external_key);
  if (!r.status().ok()) return r.status();
  return t;
}

StatusOr<Json> DocumentBody(DocumentRequest const& r, mappings::ForgeInteractionMapping const& m) {
  constexpr std::string_view kWhat = "forge_document";
  auto const& f = m.fields;
  if (r.idempotency_key.empty()) return MissingValue(kWhat, "the idempotency key");
  if (r.ticket_id.empty() && r.customer_id.empty()) {
    return MissingValue(kWhat, "a ticket id or a customer id");
  }
  Json body = Json::object();
  for (auto s : {Put(body, f.ticket_id, r.ticket_id, kWhat, "interactions.fields.ticket_id"),
                 Put(body, f.customer_id, r.customer_id, kWhat, "interactions.fields.customer_id"),
                 Put(body, f.kind, Lookup(m.document.kinds, KindName(r.kind)), kWhat,
                     "interactions.fields.kind", true),
                 Put(body, f.direction, Lookup(m.document.directions, DirectionName(r.direction)),
                     kWhat, "interactions.fields.direction", true),
                 Put(body, f.party, Lookup(m.document.parties, PartyName(r.party)), kWhat,
                     "interactions.fields.party"),
                 Put(body, f.subject, r.subject, kWhat, "interactions.fields.subject"),
                 Put(body, f.body, r.body, kWhat, "interactions.fields.body"),
                 Put(body, f.occurred_at, FormatInstant(r.occurred_at), kWhat,
                     "interactions.fields.occurred_at", true),
                 Put(body, f.source, m.document.source, kWhat, "interactions.fields.source"),
                 Put(body, f.source_ref, r.source_ref, kWhat, "interactions.fields.source_ref")}) {
    if (!s.ok()) return s;
  }
  if (Member(body, f.ticket_id) == nullptr && Member(body, f.customer_id) == nullptr) {
    return Unmapped(kWhat, "both interactions.fields.ticket_id and customer_id");
  }
  if (!r.outcome.empty()) {
    std::string raw;
    for (auto const& [k, v] : m.outcome_values) {
      if (v == r.outcome) {
        raw = k;
        break;
      }
    }
    if (raw.empty()) {
      return InvalidArgumentError(std::string(kWhat) + ": call outcome '" + r.outcome +
                                  "' has no value in interactions.outcome_values");
    }
    if (auto s = Put(body, f.outcome, raw, kWhat, "interactions.fields.outcome"); !s.ok()) {
      return s;
    }
  }
  if (!r.tags.empty() && !f.tags.empty()) SetMember(body, f.tags, r.tags);
  return body;
}

StatusOr<Json> ServiceTicketBody(ServiceTicketRequest const& r,
                                 mappings::ForgeServiceTicketMapping const& m) {
  constexpr std::string_view kWhat = "forge_service_ticket";
  auto const& f = m.fields;
  if (r.idempotency_key.empty()) return MissingValue(kWhat, "the idempotency key");
  Json body = Json::object();
  for (auto s :
       {Put(body, f.customer_id, r.customer_id, kWhat, "the customer id", true),
        Put(body, f.summary, r.summary, kWhat, "the summary", true),
        Put(body, f.ticket_id, r.ticket_id, kWhat, "service_tickets.fields.ticket_id"),
        Put(body, f.salesforce_case_id, r.salesforce_case_id, kWhat,
            "service_tickets.fields.salesforce_case_id"),
        Put(body, f.description, r.description, kWhat, "service_tickets.fields.description")}) {
    if (!s.ok()) return s;
  }
  return body;
}

StatusOr<Json> TaskBody(TaskRequest const& r, mappings::ForgeTaskMapping const& m) {
  constexpr std::string_view kWhat = "forge task";
  auto const& f = m.fields;
  if (r.idempotency_key.empty()) return MissingValue(kWhat, "the idempotency key");
  std::string status;
  switch (r.status) {
    case TaskStatus::kAny:
    case TaskStatus::kOpen:
      status = m.status_open;
      break;
    case TaskStatus::kInProgress:
      status = m.status_in_progress;
      break;
  }
  Json body = Json::object();
  for (auto s : {Put(body, f.title, r.title, kWhat, "the title", true),
                 Put(body, f.assigned_to, r.assigned_to, kWhat, "the assignee", true),
                 Put(body, f.status, status, kWhat, "tasks.statuses", true),
                 Put(body, f.description, r.description, kWhat, "tasks.fields.description"),
                 Put(body, f.due_at, r.due_at ? FormatInstant(*r.due_at) : std::string(), kWhat,
                     "tasks.fields.due_at"),
                 Put(body, f.ticket_id, r.ticket_id, kWhat, "tasks.fields.ticket_id")}) {
    if (!s.ok()) return s;
  }
  return body;
}

}  // namespace casebridge::forge::forge_internal
