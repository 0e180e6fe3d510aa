// Loading and validating signals.json (see signals.h and mappings/default/signals.json).
#include "mappings/signals.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "mappings/json_check.h"

namespace casebridge::mappings {
namespace {

using json_internal::Checker;
using json_internal::Index;
using json_internal::Join;
using json_internal::Json;
using json_internal::TypeName;

constexpr std::string_view kFileName = "signals.json";
constexpr std::string_view kRoot = "signals";

// SPEC section 2: the snapshot event types an adapter may produce (task_created is produced
// from the Task key field, not from a signal).
constexpr std::array<std::string_view, 13> kEventNames = {"customer_message",
                                                          "homeowner_contacted",
                                                          "installer_emailed",
                                                          "outreach_note",
                                                          "reassigned",
                                                          "installer_contacted_homeowner",
                                                          "homeowner_satisfied",
                                                          "installer_called",
                                                          "sales_referral",
                                                          "am_responded",
                                                          "homeowner_requested_followup",
                                                          "homeowner_unresponsive",
                                                          "manager_notified"};

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// `Name` or `Rel__r.Name`: dotted segments of [A-Za-z0-9_], each starting with a letter.
bool IsSalesforcePath(std::string_view s) {
  if (s.empty()) return false;
  bool segment_start = true;
  for (char c : s) {
    if (c == '.') {
      if (segment_start) return false;
      segment_start = true;
      continue;
    }
    if (segment_start && std::isalpha(static_cast<unsigned char>(c)) == 0) return false;
    if (!IsNameChar(c)) return false;
    segment_start = false;
  }
  return !segment_start;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Reader {
 public:
  explicit Reader(Checker& c) : c_(c) {}

  // A Salesforce field path; `optional` accepts "" / null / absent (leaves `out` empty).
  void Field(Json const& obj, std::string const& path, std::string_view key, std::string& out,
             bool optional) {
    auto v = optional ? c_.OptionalString(obj, path, key) : c_.String(obj, path, key);
    if (!v) return;
    if (!v->empty() && !IsSalesforcePath(*v)) {
      c_.Add(Join(path, key), "not a Salesforce field name: '" + *v + "'");
      return;
    }
    out = *v;
  }

  bool FieldName(Json const& v, std::string const& path, std::string& out) {
    auto s = c_.StringValue(v, path);
    if (!s) return false;
    if (!IsSalesforcePath(*s)) {
      c_.Add(path, "not a Salesforce field name: '" + *s + "'");
      return false;
    }
    out = *s;
    return true;
  }

  std::optional<Party> PartyValue(Json const& v, std::string const& path) {
    auto s = c_.StringValue(v, path);
    if (!s) return std::nullopt;
    if (*s == "homeowner") return Party::kHomeowner;
    if (*s == "installer") return Party::kInstaller;
    c_.Add(path, "expected \"homeowner\" or \"installer\", got '" + *s + "'");
    return std::nullopt;
  }

  Checker& c_;
};

void LoadCase(Reader& r, Json const& sf, std::string const& path, SalesforceCaseFields& out) {
  Checker& c = r.c_;
  Json const* cs = c.Required(sf, path, "case");
  std::string const cp = Join(path, "case");
  if (cs == nullptr || !c.IsObject(*cs, cp)) return;
  c.KnownKeys(*cs, cp,
              {"number_field", "created_field", "closed_field", "primary_reason_field",
               "secondary_reason_field", "owner_field", "owner_name_field", "subject_field",
               "installer_name_field", "homeowner_email_field", "installer_email_field",
               "modstamp_field", "where"});
  r.Field(*cs, cp, "number_field", out.number, true);
  r.Field(*cs, cp, "created_field", out.created, false);
  r.Field(*cs, cp, "closed_field", out.closed, true);
  r.Field(*cs, cp, "primary_reason_field", out.primary_reason, false);
  r.Field(*cs, cp, "secondary_reason_field", out.secondary_reason, true);
  r.Field(*cs, cp, "owner_field", out.owner, false);
  r.Field(*cs, cp, "owner_name_field", out.owner_name, true);
  r.Field(*cs, cp, "subject_field", out.subject, true);
  r.Field(*cs, cp, "installer_name_field", out.installer_name, true);
  r.Field(*cs, cp, "homeowner_email_field", out.homeowner_email, true);
  r.Field(*cs, cp, "installer_email_field", out.installer_email, true);
  r.Field(*cs, cp, "modstamp_field", out.modstamp, false);
  if (auto w = c.OptionalString(*cs, cp, "where")) out.where = *w;
}

void LoadRelated(Reader& r, Json const& sf, std::string const& path, SalesforceSignals& out) {
  Checker& c = r.c_;
  Json const* rel = c.Required(sf, path, "related");
  std::string const rp = Join(path, "related");
  if (rel == nullptr || !c.IsObject(*rel, rp)) return;
  for (auto const& [name, fields] : rel->items()) {
    std::string const np = Join(rp, name);
    if (!IsSalesforcePath(name) || name.find('.') != std::string::npos) {
      c.Add(np, "not a child relationship name");
      continue;
    }
    if (!c.IsArray(fields, np)) continue;
    std::vector<std::string> list;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::string f;
      if (r.FieldName(fields[i], Index(np, i), f)) list.push_back(std::move(f));
    }
    out.related.emplace_back(name, std::move(list));
  }
}

// `child_objects`: relationship -> {object, parent_field, stamp_field}, for relationships that
// are not standard Case children.
void LoadChildObjects(Reader& r, Json const& sf, std::string const& path, SalesforceSignals& out) {
  Checker& c = r.c_;
  std::string const cp = Join(path, "child_objects");
  Json const* given = sf.contains("child_objects") ? &sf.at("child_objects") : nullptr;
  if (given != nullptr && !c.IsObject(*given, cp)) given = nullptr;
  if (given != nullptr) {
    for (auto const& item : given->items()) {
      std::string const& name = item.key();  // (a structured binding is not captured)
      bool const listed = std::any_of(out.related.begin(), out.related.end(),
                                      [&](auto const& rel) { return rel.first == name; });
      if (!listed) {
        c.Add(Join(cp, name), "'" + name + "' is not a relationship listed in `related`");
      }
    }
  }
  for (auto const& rel : out.related) {
    std::string const& name = rel.first;
    std::string const np = Join(cp, name);
    if (given != nullptr && given->contains(name)) {
      Json const& v = given->at(name);
      if (!c.IsObject(v, np)) continue;
      c.KnownKeys(v, np, {"object", "parent_field", "stamp_field"});
      CaseChildObject src{name, "", "", ""};
      r.Field(v, np, "object", src.object, false);
      r.Field(v, np, "parent_field", src.parent_field, false);
      r.Field(v, np, "stamp_field", src.stamp_field, false);
      out.child_objects.push_back(std::move(src));
      continue;
    }
    auto const& standard = StandardCaseChildObjects();
    auto const it = std::find_if(standard.begin(), standard.end(),
                                 [&](CaseChildObject const& o) { return o.relationship == name; });
    if (it != standard.end()) {
      out.child_objects.push_back(*it);
      continue;
    }
    c.Add(np, "'" + name +
                  "' is not a standard Case relationship: name its object, parent_field (the "
                  "field holding the case id) and stamp_field in `child_objects`, so that "
                  "changes to its records are seen");
  }
}

// `from` (a relationship of `related`) and `at` (timestamp fields), shared by events and
// documents.
void LoadFromAndAt(Reader& r, Json const& e, std::string const& ep, SalesforceSignals const& sf,
                   std::string& from_out, std::vector<std::string>& at_out) {
  Checker& c = r.c_;
  if (auto from = c.String(e, ep, "from")) {
    bool const known = std::any_of(sf.related.begin(), sf.related.end(),
                                   [&](auto const& rel) { return rel.first == *from; });
    if (!known) {
      c.Add(Join(ep, "from"), "'" + *from + "' is not a relationship listed in `related`");
    }
    from_out = *from;
  }
  if (Json const* at = c.Required(e, ep, "at"); at != nullptr && c.IsArray(*at, Join(ep, "at"))) {
    for (std::size_t i = 0; i < at->size(); ++i) {
      std::string f;
      if (r.FieldName((*at)[i], Index(Join(ep, "at"), i), f)) at_out.push_back(std::move(f));
    }
    if (at->empty()) c.Add(Join(ep, "at"), "needs at least one timestamp field");
  }
}

// `outcome_values`: raw call outcome -> "reached" | "voicemail".
void LoadOutcomeValues(Checker& c, Json const& e, std::string const& ep,
                       std::map<std::string, std::string>& out) {
  if (!e.contains("outcome_values") ||
      !c.IsObject(e.at("outcome_values"), Join(ep, "outcome_values"))) {
    return;
  }
  for (auto const& [raw, outcome] : e.at("outcome_values").items()) {
    std::string const op = Join(Join(ep, "outcome_values"), raw);
    auto o = c.StringValue(outcome, op);
    if (!o) continue;
    if (*o != "reached" && *o != "voicemail") {
      c.Add(op, "expected \"reached\" or \"voicemail\", got '" + *o + "'");
      continue;
    }
    out[raw] = *o;
  }
}

void LoadValueConditions(Checker& c, Json const& e, std::string const& ep, char const* key,
                         std::vector<FieldValues>& out);

void LoadEvent(Reader& r, Json const& e, std::string const& ep, SalesforceSignals const& sf,
               std::vector<SalesforceSignal>& out) {
  Checker& c = r.c_;
  if (!c.IsObject(e, ep)) return;
  c.KnownKeys(e, ep,
              {"event", "from", "at", "when", "contains", "recipient", "who", "to_field",
               "outcome_field", "outcome_values"});
  std::size_t const before = c.count();
  SalesforceSignal s;
  if (auto ev = c.String(e, ep, "event")) {
    if (std::find(kEventNames.begin(), kEventNames.end(), *ev) == kEventNames.end()) {
      c.Add(Join(ep, "event"), "unknown snapshot event type '" + *ev + "'");
    }
    s.event = *ev;
  }
  LoadFromAndAt(r, e, ep, sf, s.from, s.at);
  LoadValueConditions(c, e, ep, "when", s.when);
  if (e.contains("contains") && c.IsObject(e.at("contains"), Join(ep, "contains"))) {
    for (auto const& [field, text] : e.at("contains").items()) {
      std::string const tp = Join(Join(ep, "contains"), field);
      if (!IsSalesforcePath(field)) {
        c.Add(tp, "not a Salesforce field name");
        continue;
      }
      if (auto t = c.StringValue(text, tp)) s.contains.push_back({field, Lower(*t)});
    }
  }
  for (auto [key, list] :
       {std::pair<std::string_view, std::vector<FieldParty>*>{"recipient", &s.recipient},
        {"who", &s.who}}) {
    if (!e.contains(key) || !c.IsObject(e.at(key), Join(ep, key))) continue;
    for (auto const& [field, party] : e.at(key).items()) {
      std::string const pp = Join(Join(ep, key), field);
      if (!IsSalesforcePath(field)) {
        c.Add(pp, "not a Salesforce field name");
        continue;
      }
      if (auto p = r.PartyValue(party, pp)) list->push_back({field, *p});
    }
  }
  r.Field(e, ep, "to_field", s.to_field, true);
  r.Field(e, ep, "outcome_field", s.outcome_field, true);
  if (s.event == "reassigned" && s.to_field.empty()) {
    c.Add(Join(ep, "to_field"), "a `reassigned` signal needs the field holding the new owner");
  }
  LoadOutcomeValues(c, e, ep, s.outcome_values);
  if (c.count() == before) out.push_back(std::move(s));
}

void LoadValueConditions(Checker& c, Json const& e, std::string const& ep, char const* key,
                         std::vector<FieldValues>& out) {
  if (!e.contains(key) || !c.IsObject(e.at(key), Join(ep, key))) return;
  for (auto const& [field, values] : e.at(key).items()) {
    std::string const wp = Join(Join(ep, key), field);
    if (!IsSalesforcePath(field)) {
      c.Add(wp, "not a Salesforce field name");
      continue;
    }
    if (!c.IsArray(values, wp)) continue;
    FieldValues fv{field, {}};
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!values[i].is_string()) {
        c.Add(Index(wp, i), "expected a string, got " + TypeName(values[i]));
        continue;
      }
      fv.values.push_back(values[i].get<std::string>());
    }
    out.push_back(std::move(fv));
  }
}

void LoadDocument(Reader& r, Json const& e, std::string const& ep, SalesforceSignals const& sf,
                  std::vector<SalesforceDocument>& out) {
  Checker& c = r.c_;
  if (!c.IsObject(e, ep)) return;
  c.KnownKeys(e, ep,
              {"from", "kind", "at", "when", "inbound", "subject_field", "body_field",
               "party_fields", "outcome_field", "outcome_values"});
  std::size_t const before = c.count();
  SalesforceDocument d;
  LoadFromAndAt(r, e, ep, sf, d.from, d.at);
  if (auto kind = c.String(e, ep, "kind")) {
    if (*kind != "email" && *kind != "call" && *kind != "note") {
      c.Add(Join(ep, "kind"), "expected \"email\", \"call\" or \"note\", got '" + *kind + "'");
    }
    d.kind = *kind;
  }
  LoadValueConditions(c, e, ep, "when", d.when);
  LoadValueConditions(c, e, ep, "inbound", d.inbound);
  r.Field(e, ep, "subject_field", d.subject_field, true);
  r.Field(e, ep, "body_field", d.body_field, true);
  if (e.contains("party_fields") && c.IsArray(e.at("party_fields"), Join(ep, "party_fields"))) {
    auto const& list = e.at("party_fields");
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string f;
      if (r.FieldName(list[i], Index(Join(ep, "party_fields"), i), f)) {
        d.party_fields.push_back(std::move(f));
      }
    }
  }
  r.Field(e, ep, "outcome_field", d.outcome_field, true);
  LoadOutcomeValues(c, e, ep, d.outcome_values);
  if (c.count() == before) out.push_back(std::move(d));
}

}  // namespace

std::vector<CaseChildObject> const& StandardCaseChildObjects() {
  static auto const* const kChildren = new std::vector<CaseChildObject>{
      {"EmailMessages", "EmailMessage", "ParentId", "SystemModstamp"},
      {"Tasks", "Task", "WhatId", "SystemModstamp"},
      {"Events", "Event", "WhatId", "SystemModstamp"},
      {"Feeds", "FeedItem", "ParentId", "SystemModstamp"},
      {"Histories", "CaseHistory", "CaseId", "CreatedDate"},
      {"CaseComments", "CaseComment", "ParentId", "SystemModstamp"},
      {"Attachments", "Attachment", "ParentId", "SystemModstamp"}};
  return *kChildren;
}

std::vector<std::string> SalesforceSignals::FieldsOf(std::string const& from) const {
  std::vector<std::string> fields{"Id"};
  auto add = [&](std::string const& f) {
    if (!f.empty() && std::find(fields.begin(), fields.end(), f) == fields.end()) {
      fields.push_back(f);
    }
  };
  for (auto const& [name, list] : related) {
    if (name != from) continue;
    for (auto const& f : list) add(f);
  }
  for (auto const& s : events) {
    if (s.from != from) continue;
    for (auto const& f : s.at) add(f);
    for (auto const& w : s.when) add(w.field);
    for (auto const& t : s.contains) add(t.field);
    for (auto const& p : s.recipient) add(p.field);
    for (auto const& p : s.who) add(p.field);
    add(s.to_field);
    add(s.outcome_field);
  }
  for (auto const& d : documents) {
    if (d.from != from) continue;
    for (auto const& f : d.at) add(f);
    for (auto const& w : d.when) add(w.field);
    for (auto const& w : d.inbound) add(w.field);
    add(d.subject_field);
    add(d.body_field);
    for (auto const& f : d.party_fields) add(f);
    add(d.outcome_field);
  }
  return fields;
}

SignalsMapping ParseSignals(std::string_view text, std::string const& file,
                            std::vector<Problem>& problems) {
  SignalsMapping m;
  m.origin = file;
  Checker c(file, problems);
  auto doc = c.Parse(text, std::string(kRoot));
  if (!doc) return m;
  c.KnownKeys(*doc, std::string(kRoot), {"salesforce"});
  Json const* sf = c.Required(*doc, std::string(kRoot), "salesforce");
  std::string const path = Join(kRoot, "salesforce");
  if (sf == nullptr || !c.IsObject(*sf, path)) return m;
  c.KnownKeys(*sf, path,
              {"case", "task_key_field", "feed_key_marker", "related", "child_objects", "events",
               "documents"});
  Reader r(c);
  auto& out = m.salesforce;
  LoadCase(r, *sf, path, out.case_fields);
  r.Field(*sf, path, "task_key_field", out.task_key_field, false);
  if (auto marker = c.String(*sf, path, "feed_key_marker")) {
    auto const at = marker->find("{key}");
    if (at == std::string::npos || marker->find("{key}", at + 1) != std::string::npos) {
      c.Add(Join(path, "feed_key_marker"), "must contain the placeholder {key} exactly once");
    } else {
      out.feed_key_marker = *marker;
    }
  }
  LoadRelated(r, *sf, path, out);
  LoadChildObjects(r, *sf, path, out);
  Json const* events = c.Required(*sf, path, "events");
  std::string const ep = Join(path, "events");
  if (events != nullptr && c.IsArray(*events, ep)) {
    for (std::size_t i = 0; i < events->size(); ++i) {
      LoadEvent(r, (*events)[i], Index(ep, i), out, out.events);
    }
  }
  if (sf->contains("documents")) {
    std::string const dp = Join(path, "documents");
    if (c.IsArray(sf->at("documents"), dp)) {
      for (std::size_t i = 0; i < sf->at("documents").size(); ++i) {
        LoadDocument(r, sf->at("documents")[i], Index(dp, i), out, out.documents);
      }
    }
  }
  return m;
}

SignalsMapping LoadSignals(std::string const& dir, std::vector<Problem>& problems) {
  auto file = json_internal::ReadMappingFile(dir, kFileName, kRoot, problems);
  if (!file) return {};
  return ParseSignals(file->text, file->label, problems);
}

StatusOr<SignalsMapping> LoadSignalsOrError(std::string const& dir) {
  std::vector<Problem> problems;
  SignalsMapping mapping = LoadSignals(dir, problems);
  if (auto s = json_internal::ProblemsStatus(problems, "signals mapping"); !s.ok()) return s;
  return mapping;
}

}  // namespace casebridge::mappings
