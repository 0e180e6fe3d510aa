#include "connector/adapters/salesforce/case_adapter.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <tuple>
#include <utility>

#include "connector/adapters/salesforce_ids.h"
#include "connector/salesforce/records.h"
#include "connector/salesforce/soql.h"

namespace casebridge::adapters {
namespace {

using salesforce::FlatRecord;

bool ContainsNoCase(std::string_view haystack, std::string_view lower_needle) {
  if (lower_needle.empty()) return false;
  auto const it =
      std::search(haystack.begin(), haystack.end(), lower_needle.begin(), lower_needle.end(),
                  [](char h, char n) { return std::tolower(static_cast<unsigned char>(h)) == n; });
  return it != haystack.end();
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Flat lookup that treats absent and null alike.
std::string Get(FlatRecord const& r, std::string_view name) {
  if (name.empty()) return {};
  for (auto const& f : r) {
    if (f.name == name) return f.value.value_or(std::string());
  }
  return {};
}

std::optional<Instant> FirstTime(FlatRecord const& r, std::vector<std::string> const& fields) {
  for (auto const& f : fields) {
    std::string const v = Get(r, f);
    if (v.empty()) continue;
    return ParseInstant(v);  // nullopt: present but unparsable
  }
  return std::nullopt;
}

int ParseTier(std::string const& text) {
  if (text.empty()) return 0;
  double v = 0;
  auto const [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return -1;
  double const r = std::round(v);
  if (r != v || r < 1 || r > 4) return -1;
  return static_cast<int>(r);
}

void AddField(std::vector<std::string>& fields, std::string const& f) {
  if (!f.empty() && std::find(fields.begin(), fields.end(), f) == fields.end()) {
    fields.push_back(f);
  }
}

std::string Join(std::vector<std::string> const& parts, std::string_view sep) {
  std::string out;
  for (auto const& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

}  // namespace

void QueueDirectory::Add(std::string const& id, std::string const& key) {
  by_id_[std::string(sfid::Key(id))] = key;
  by_key_[key] = id;
}

std::optional<std::string> QueueDirectory::KeyOf(std::string_view id) const {
  auto it = by_id_.find(sfid::Key(id));
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> QueueDirectory::IdOf(std::string_view key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::string RelationshipOf(std::string_view lookup_field) {
  if (lookup_field.size() > 3 && lookup_field.substr(lookup_field.size() - 3) == "__c") {
    return std::string(lookup_field.substr(0, lookup_field.size() - 1)) + "r";
  }
  if (lookup_field.size() > 2 && lookup_field.substr(lookup_field.size() - 2) == "Id") {
    return std::string(lookup_field.substr(0, lookup_field.size() - 2));
  }
  return {};
}

std::string QueueQuery(mappings::Policy const& policy) {
  std::vector<std::string> names;
  names.reserve(policy.queues.developer_names.size());
  for (auto const& [key, name] : policy.queues.developer_names) {
    names.push_back(salesforce::Soql::Literal(name));
  }
  std::string soql = "SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue'";
  if (!names.empty()) soql += " AND DeveloperName IN (" + Join(names, ",") + ")";
  return soql;
}

SalesforceCaseAdapter::SalesforceCaseAdapter(mappings::SignalsMapping signals,
                                             mappings::Policy const& policy, QueueDirectory queues)
    : signals_(std::move(signals)), relations_(policy.relations), queues_(std::move(queues)) {
  std::string const rel = RelationshipOf(relations_.installer_field);
  if (!rel.empty() && !relations_.installer_escalation_phone_field.empty()) {
    installer_phone_path_ = rel + "." + relations_.installer_escalation_phone_field;
  }
}

std::vector<std::string> SalesforceCaseAdapter::CaseFields() const {
  auto const& c = signals_.salesforce.case_fields;
  std::vector<std::string> fields{"Id"};
  for (auto const* f :
       {&c.number, &c.created, &c.closed, &c.primary_reason, &c.secondary_reason, &c.owner,
        &c.owner_name, &c.subject, &c.installer_name, &c.homeowner_email, &c.installer_email,
        &c.modstamp, &relations_.installer_field, &relations_.homeowner_field,
        &relations_.financing_field, &relations_.pre_m3_pto_field, &relations_.tier_field,
        &installer_phone_path_}) {
    AddField(fields, *f);
  }
  return fields;
}

std::vector<std::string> SalesforceCaseAdapter::ChildFields(std::string const& relationship) const {
  std::vector<std::string> child = signals_.salesforce.FieldsOf(relationship);
  if (relationship == "Tasks") AddField(child, signals_.salesforce.task_key_field);
  return child;
}

std::string SalesforceCaseAdapter::CaseWhere(std::string const& condition) const {
  std::vector<std::string> where;
  if (!condition.empty()) where.push_back("(" + condition + ")");
  auto const& c = signals_.salesforce.case_fields;
  if (!c.where.empty()) where.push_back("(" + c.where + ")");
  return where.empty() ? std::string() : " WHERE " + Join(where, " AND ");
}

std::string SalesforceCaseAdapter::BuildQuery(std::string const& condition) const {
  std::string soql = "SELECT " + Join(CaseFields(), ", ");
  for (auto const& [relationship, extra] : signals_.salesforce.related) {
    soql += ", (SELECT " + Join(ChildFields(relationship), ", ") + " FROM " + relationship + ")";
  }
  soql += " FROM Case" + CaseWhere(condition);
  soql += " ORDER BY " + signals_.salesforce.case_fields.modstamp + ", Id";
  return soql;
}

StatusOr<BulkCaseQueries> SalesforceCaseAdapter::BulkQueries(std::string const& condition) const {
  std::vector<CaseChildObject> children = signals_.salesforce.child_objects;
  auto const& standard = StandardCaseChildObjects();
  children.insert(children.end(), standard.begin(), standard.end());
  return BulkQueries(condition, children);
}

std::string SalesforceCaseAdapter::ChangedChildrenQuery(CaseChildObject const& child, Instant since,
                                                        std::optional<Instant> cases_before) const {
  // A feed post's body tells casebridge's own posts (their key marker) from the others.
  std::string const body = child.object == "FeedItem" ? ", Body" : "";
  std::string soql = "SELECT " + child.parent_field + ", " + child.stamp_field + body + " FROM " +
                     child.object + " WHERE " + child.stamp_field +
                     " >= " + salesforce::Soql::DateTime(since);
  // casebridge's own Tasks are not news about the case (the run that wrote them knows them).
  auto const& key_field = signals_.salesforce.task_key_field;
  if (child.object == "Task" && !key_field.empty()) soql += " AND " + key_field + " = null";
  std::string const before = cases_before ? signals_.salesforce.case_fields.modstamp + " < " +
                                                salesforce::Soql::DateTime(*cases_before)
                                          : std::string();
  return soql + " AND " + child.parent_field + " IN (SELECT Id FROM Case" + CaseWhere(before) + ")";
}

StatusOr<BulkCaseQueries> SalesforceCaseAdapter::BulkQueries(
    std::string const& condition, std::vector<CaseChildObject> const& child_objects) const {
  auto const& sig = signals_.salesforce;
  auto const& c = sig.case_fields;
  BulkCaseQueries out;
  out.cases.soql = "SELECT " + Join(CaseFields(), ", ") + " FROM Case" + CaseWhere(condition);
  // The fields Convert() reads as date-times, flags or numbers, typed as the REST API returns
  // them (the modstamp is kept verbatim, so its text must match the REST path's exactly).
  for (auto const* f : {&c.created, &c.closed, &c.modstamp}) {
    if (!f->empty()) out.cases.column_types[*f] = BulkColumnType::kDateTime;
  }
  if (!relations_.pre_m3_pto_field.empty()) {
    out.cases.column_types[relations_.pre_m3_pto_field] = BulkColumnType::kBoolean;
  }
  if (!relations_.tier_field.empty()) {
    out.cases.column_types[relations_.tier_field] = BulkColumnType::kNumber;
  }
  out.order_by = {c.modstamp, "Id"};

  std::string const cases = "SELECT Id FROM Case" + CaseWhere(condition);
  for (auto const& [relationship, extra] : sig.related) {
    std::string const& name = relationship;  // (a structured binding is not captured)
    auto const it = std::find_if(child_objects.begin(), child_objects.end(),
                                 [&](CaseChildObject const& o) { return o.relationship == name; });
    if (it == child_objects.end()) {
      ErrorInfo info;
      info.field = relationship;
      std::string message = "signals.json related: no object is known for the Case child ";
      message += "relationship '" + relationship + "', so it cannot be read with Bulk API 2.0 ";
      message += "(which runs no subqueries); name it in signals.json `child_objects`";
      return InvalidArgumentError(std::move(message), std::move(info));
    }
    BulkChildQuery q;
    q.child = *it;
    std::vector<std::string> fields = ChildFields(relationship);
    q.parent_field_selected = std::any_of(fields.begin(), fields.end(), [&](std::string const& f) {
      return LowerCopy(f) == LowerCopy(it->parent_field);
    });
    if (!q.parent_field_selected) fields.push_back(it->parent_field);
    q.query.soql = "SELECT " + Join(fields, ", ") + " FROM " + it->object + " WHERE " +
                   it->parent_field + " IN (" + cases + ")";
    q.query.column_types["CreatedDate"] = BulkColumnType::kDateTime;
    for (auto const& signal : sig.events) {
      if (signal.from != relationship) continue;
      for (auto const& f : signal.at) q.query.column_types[f] = BulkColumnType::kDateTime;
      // A `when` field matched only against "true"/"false" is a checkbox (REST: a JSON bool).
      for (auto const& w : signal.when) {
        bool flag = false;
        bool other = false;
        for (auto const& v : w.values) {
          if (v == "true" || v == "false") {
            flag = true;
          } else if (!v.empty()) {
            other = true;
          }
        }
        if (flag && !other) q.query.column_types[w.field] = BulkColumnType::kBoolean;
      }
    }
    out.children.push_back(std::move(q));
  }
  return out;
}

std::string SalesforceCaseAdapter::FeedMarker(std::string_view key) const {
  std::string marker = signals_.salesforce.feed_key_marker;
  auto const at = marker.find("{key}");
  if (at != std::string::npos) marker.replace(at, 5, key);
  return marker;
}

std::optional<std::string> SalesforceCaseAdapter::KeyInFeedBody(std::string_view body) const {
  std::string const& marker = signals_.salesforce.feed_key_marker;
  auto const at = marker.find("{key}");
  if (at == std::string::npos) return std::nullopt;
  std::string_view const prefix = std::string_view(marker).substr(0, at);
  std::string_view const suffix = std::string_view(marker).substr(at + 5);
  auto const start = body.rfind(prefix);
  if (start == std::string_view::npos) return std::nullopt;
  auto const key_begin = start + prefix.size();
  auto const end = suffix.empty() ? body.size() : body.find(suffix, key_begin);
  if (end == std::string_view::npos || end == key_begin) return std::nullopt;
  return std::string(body.substr(key_begin, end - key_begin));
}

// Turns one Case record into a SalesforceCase: the case's own fields, then each related record
// (events through the signals, casebridge's own records, interactions to mirror).
class SalesforceCaseAdapter::Converter {
 public:
  Converter(SalesforceCaseAdapter const& adapter, FlatRecord const& record,
            std::vector<std::string>* warnings)
      : a_(adapter), sig_(adapter.signals_.salesforce), r_(record), warnings_(warnings) {}

  StatusOr<SalesforceCase> Run() {
    if (auto st = ReadCase(); !st.ok()) return st;
    for (auto const& [relationship, extra] : sig_.related) {
      if (auto st = ReadRelationship(relationship); !st.ok()) return st;
    }
    std::sort(out_.interactions.begin(), out_.interactions.end(), [](auto const& x, auto const& y) {
      return std::tie(x.at, x.id) < std::tie(y.at, y.id);
    });
    return std::move(out_);
  }

 private:
  Status FieldError(std::string const& field, std::string const& message) const {
    ErrorInfo info;
    info.field = field;
    return InvalidArgumentError("Case " + out_.snapshot.id + ": " + field + ": " + message,
                                std::move(info));
  }

  std::string OwnerOf(std::string const& id) const {
    if (id.empty()) return {};
    if (id.rfind("00G", 0) == 0) {
      if (auto key = a_.queues_.KeyOf(id)) return "queue:" + *key;
      return "queue:" + id;
    }
    return "user:" + id;
  }

  Status ReadCase() {
    auto const& cf = sig_.case_fields;
    auto const& rel = a_.relations_;
    engine::Snapshot& s = out_.snapshot;
    s.id = Get(r_, "Id");
    if (s.id.empty()) return InvalidArgumentError("a Case record has no Id");
    s.source = "salesforce";
    s.number = Get(r_, cf.number);
    auto created = ParseInstant(Get(r_, cf.created));
    if (!created) return FieldError(cf.created, "missing or not a date-time");
    s.created_at = *created;
    if (std::string const closed = Get(r_, cf.closed); !closed.empty()) {
      auto t = ParseInstant(closed);
      if (!t) return FieldError(cf.closed, "not a date-time: '" + closed + "'");
      s.closed_at = *t;
    }
    s.primary_reason = Get(r_, cf.primary_reason);
    s.secondary_reason = Get(r_, cf.secondary_reason);
    int const tier = ParseTier(Get(r_, rel.tier_field));
    if (tier < 0) {
      return FieldError(rel.tier_field,
                        "not an escalation tier 1-4: '" + Get(r_, rel.tier_field) + "'");
    }
    s.tier = tier;
    out_.owner_id = Get(r_, cf.owner);
    s.owner = OwnerOf(out_.owner_id);
    if (std::string const fin = Get(r_, rel.financing_field); !fin.empty()) {
      auto it = rel.financing_values.find(fin);
      if (it != rel.financing_values.end()) {
        s.financing = it->second == "beam" ? engine::Financing::kBeam : engine::Financing::kConcert;
      }
    }
    s.pre_m3_pto = Get(r_, rel.pre_m3_pto_field) == "true";
    s.homeowner_id = Get(r_, rel.homeowner_field);
    s.installer_id = Get(r_, rel.installer_field);
    out_.modstamp = Get(r_, cf.modstamp);
    out_.subject = Get(r_, cf.subject);
    out_.owner_name = Get(r_, cf.owner_name);
    out_.installer_name = Get(r_, cf.installer_name);
    out_.installer_phone = Get(r_, a_.installer_phone_path_);
    homeowner_email_ = LowerCopy(Get(r_, cf.homeowner_email));
    installer_email_ = LowerCopy(Get(r_, cf.installer_email));
    return OkStatus();
  }

  Status ReadRelationship(std::string const& relationship) {
    std::string children;
    bool present = false;
    for (auto const& f : r_) {
      if (f.name == relationship) {
        present = f.value.has_value();
        if (present) children = *f.value;
        break;
      }
    }
    if (!present) return OkStatus();  // null: no related records
    auto page = salesforce::ParseQueryPage(children, relationship);
    if (!page.ok()) return page.status();
    if (!page->done) {
      return FailedPreconditionError("Case " + out_.snapshot.id + ": the " + relationship +
                                     " subquery returned more records than one page holds; "
                                     "read this case with a narrower signals.json `related`");
    }
    for (std::string_view child_json : page->records) {
      auto child = salesforce::FlattenRecord(child_json);
      if (!child.ok()) return child.status();
      ReadChild(relationship, *child);
    }
    return OkStatus();
  }

  void ReadChild(std::string const& relationship, FlatRecord const& child) {
    std::string const child_id = Get(child, "Id");
    // casebridge's own Tasks and feed posts: task_created (SPEC 1.4: not planned again).
    std::optional<std::string> own_key;
    if (relationship == "Tasks" && !sig_.task_key_field.empty()) {
      if (std::string key = Get(child, sig_.task_key_field); !key.empty()) {
        out_.tasks_by_key[key] = child_id;
        own_key = std::move(key);
      }
    }
    if (relationship == "Feeds") {
      if (auto key = a_.KeyInFeedBody(Get(child, "Body"))) {
        out_.feed_posts_by_key[*key] = child_id;
        own_key = std::move(key);
      }
    }
    for (auto const& signal : sig_.events) {
      if (signal.from == relationship && Matches(signal, child)) AddEvent(signal, child, child_id);
    }
    if (own_key) {
      AddCreated(*own_key, child, child_id);
    } else {
      AddInteraction(relationship, child, child_id);
    }
  }

  bool Matches(mappings::SalesforceSignal const& signal, FlatRecord const& child) const {
    engine::Snapshot const& s = out_.snapshot;
    for (auto const& w : signal.when) {
      std::string const v = Get(child, w.field);
      if (std::find(w.values.begin(), w.values.end(), v) == w.values.end()) return false;
    }
    for (auto const& t : signal.contains) {
      if (!ContainsNoCase(Get(child, t.field), t.text)) return false;
    }
    for (auto const& p : signal.recipient) {
      std::string const& email =
          p.party == mappings::Party::kHomeowner ? homeowner_email_ : installer_email_;
      if (!ContainsNoCase(Get(child, p.field), email)) return false;
    }
    for (auto const& p : signal.who) {
      std::string const& id =
          p.party == mappings::Party::kHomeowner ? s.homeowner_id : s.installer_id;
      if (!sfid::Same(Get(child, p.field), id)) return false;
    }
    return true;
  }

  void AddEvent(mappings::SalesforceSignal const& signal, FlatRecord const& child,
                std::string const& child_id) {
    engine::Snapshot& s = out_.snapshot;
    auto at = FirstTime(child, signal.at);
    if (!at) {
      if (warnings_ != nullptr) {
        warnings_->push_back("Case " + s.id + ": " + signal.from + " " + child_id +
                             ": no usable timestamp in " + Join(signal.at, "/") +
                             "; record ignored for " + signal.event);
      }
      return;
    }
    engine::Event e;
    e.type = engine::ParseEventType(signal.event);
    e.at = *at;
    e.record = child_id;
    if (e.type == engine::EventType::kCustomerMessage && e.at <= s.created_at) return;
    if (e.type == engine::EventType::kReassigned) {
      e.to = OwnerOf(Get(child, signal.to_field));
      if (e.to.empty()) return;
    }
    if (e.type == engine::EventType::kInstallerCalled && !signal.outcome_field.empty()) {
      auto it = signal.outcome_values.find(Get(child, signal.outcome_field));
      if (it != signal.outcome_values.end()) {
        e.outcome = it->second == "reached" ? engine::CallOutcome::kReached
                                            : engine::CallOutcome::kVoicemail;
      }
    }
    s.events.push_back(std::move(e));
  }

  void AddCreated(std::string const& key, FlatRecord const& child, std::string const& child_id) {
    auto const first = key.find(':');
    auto const second = key.find(':', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos) return;
    engine::Event e;
    e.type = engine::EventType::kTaskCreated;
    e.at = ParseInstant(Get(child, "CreatedDate")).value_or(out_.snapshot.created_at);
    e.action = key.substr(first + 1, second - first - 1);
    e.key = key;
    e.record = child_id;
    out_.snapshot.events.push_back(std::move(e));
  }

  // A record of signals.json `documents` becomes an interaction another system mirrors.
  void AddInteraction(std::string const& relationship, FlatRecord const& child,
                      std::string const& child_id) {
    if (child_id.empty() || !interaction_ids_.insert(child_id).second) return;
    for (auto const& doc : sig_.documents) {
      if (doc.from != relationship || !AllHold(child, doc.when)) continue;
      // A feed post carrying a casebridge marker in its own body field is casebridge's.
      if (a_.KeyInFeedBody(Get(child, doc.body_field))) return;
      auto at = FirstTime(child, doc.at);
      if (!at) continue;
      Interaction i;
      i.id = child_id;
      i.link_key = std::string(sfid::Key(child_id));
      i.at = *at;
      i.kind = doc.kind;
      if (doc.kind == "note") {
        i.direction = "internal";
      } else {
        i.direction = !doc.inbound.empty() && AllHold(child, doc.inbound) ? "inbound" : "outbound";
      }
      for (auto const& f : doc.party_fields) {
        i.party = PartyOf(Get(child, f));
        if (!i.party.empty()) break;
      }
      if (!doc.outcome_field.empty()) {
        auto it = doc.outcome_values.find(Get(child, doc.outcome_field));
        if (it != doc.outcome_values.end()) i.outcome = it->second;
      }
      i.subject = Get(child, doc.subject_field);
      i.body = Get(child, doc.body_field);
      out_.interactions.push_back(std::move(i));
      return;
    }
  }

  static bool AllHold(FlatRecord const& r, std::vector<mappings::FieldValues> const& conds) {
    return std::all_of(conds.begin(), conds.end(), [&](mappings::FieldValues const& w) {
      return std::find(w.values.begin(), w.values.end(), Get(r, w.field)) != w.values.end();
    });
  }

  // "customer" / "installer" when `value` holds their e-mail address or id, else "".
  std::string PartyOf(std::string const& value) const {
    if (value.empty()) return {};
    engine::Snapshot const& s = out_.snapshot;
    std::string const v = LowerCopy(value);
    if ((!homeowner_email_.empty() && v.find(homeowner_email_) != std::string::npos) ||
        sfid::Same(value, s.homeowner_id)) {
      return "customer";
    }
    if ((!installer_email_.empty() && v.find(installer_email_) != std::string::npos) ||
        sfid::Same(value, s.installer_id)) {
      return "installer";
    }
    return {};
  }

  SalesforceCaseAdapter const& a_;
  mappings::SalesforceSignals const& sig_;
  FlatRecord const& r_;
  std::vector<std::string>* warnings_;
  SalesforceCase out_;
  std::string homeowner_email_;
  std::string installer_email_;
  std::set<std::string> interaction_ids_;
};

StatusOr<SalesforceCase> SalesforceCaseAdapter::Convert(std::string_view record_json,
                                                        std::vector<std::string>* warnings) const {
  auto flat = salesforce::FlattenRecord(record_json);
  if (!flat.ok()) return flat.status();
  return Converter(*this, *flat, warnings).Run();
}

}  // namespace casebridge::adapters
