// Loading and validating a mappings directory (or the embedded shipped defaults) into a Policy.
// Every file is checked fully and every problem recorded; see mappings/README.md for the keys.
#include "mappings/loader.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "mappings/defaults.h"
#include "mappings/json_check.h"

namespace casebridge::mappings {
namespace {

namespace fs = std::filesystem;
using json_internal::Checker;
using json_internal::Index;
using json_internal::Join;
using json_internal::Json;
using json_internal::TypeName;

// Longest accepted rule duration: ten years. Longer is surely a typo (and would overflow).
constexpr double kMaxDurationSeconds = 3660.0 * 24 * 3600;

constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kFullDayNames = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// "HH:MM" (two digits each), 00:00..23:59, plus "24:00" when `allow_midnight_end`.
std::optional<std::chrono::minutes> ParseClock(std::string_view s, bool allow_midnight_end) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (std::size_t i : {0U, 1U, 3U, 4U}) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return std::nullopt;
  }
  int const h = (s[0] - '0') * 10 + (s[1] - '0');
  int const m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59) return std::nullopt;
  if (h > 23 && !(allow_midnight_end && h == 24 && m == 0)) return std::nullopt;
  return std::chrono::minutes(h * 60 + m);
}

// "YYYY-MM-DD", a real calendar date.
std::optional<std::chrono::sys_days> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  std::chrono::year_month_day const ymd{std::chrono::year(num(0, 4)),
                                        std::chrono::month(static_cast<unsigned>(num(5, 2))),
                                        std::chrono::day(static_cast<unsigned>(num(8, 2)))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

// A Salesforce API name, optionally a relationship path: Identifier(.Identifier)*, each
// starting with a letter, letters/digits/underscores only, not ending in '_'.
bool IsApiName(std::string_view s) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    auto const part = s.substr(start, end - start);
    if (part.empty() || std::isalpha(static_cast<unsigned char>(part.front())) == 0 ||
        part.back() == '_') {
      return false;
    }
    for (char c : part) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
    }
    start = end + 1;
  }
  return true;
}

// A Group DeveloperName: starts with a letter, letters/digits/underscores, no "__", no
// trailing underscore, at most 80 characters.
bool IsDeveloperName(std::string_view s) {
  return s.size() <= 80 && s.find('.') == std::string_view::npos &&
         s.find("__") == std::string_view::npos && IsApiName(s);
}

// A mapping key used in snapshots as "queue:<key>": lower-case letters, digits, '_' and '-'.
bool IsMappingKey(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// A Salesforce User id: 15 or 18 alphanumerics with the User key prefix 005.
bool IsUserId(std::string_view s) {
  return (s.size() == 15 || s.size() == 18) && s.substr(0, 3) == "005" &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

// ---- calendar.json ------------------------------------------------------------------------

void LoadCalendar(Checker& c, Json const& doc, CalendarPolicy& out) {
  std::string const root = "calendar";
  c.KnownKeys(doc, root, {"time_zone", "open_days", "opens", "closes", "holidays"});

  if (auto tz = c.String(doc, root, "time_zone")) {
    try {
      (void)date::locate_zone(*tz);
      out.time_zone = *tz;
    } catch (std::exception const&) {
      c.Add(Join(root, "time_zone"), "unknown time zone " + Quote(*tz) +
                                         " (expected an IANA name such as America/New_York)");
    }
  }

  if (Json const* days = c.Required(doc, root, "open_days")) {
    std::string const path = Join(root, "open_days");
    if (c.IsArray(*days, path)) {
      for (std::size_t i = 0; i < days->size(); ++i) {
        auto name = c.StringValue((*days)[i], Index(path, i));
        if (!name) continue;
        std::string const lower = Lower(*name);
        std::optional<std::size_t> index;
        for (std::size_t d = 0; d < 7; ++d) {
          if (lower == kDayNames.at(d) || lower == kFullDayNames.at(d)) index = d;
        }
        if (!index) {
          c.Add(Index(path, i), "unknown day " + Quote(*name) + " (expected mon … sun)");
        } else if (out.open_days.at(*index)) {
          c.Add(Index(path, i), "day " + Quote(*name) + " is listed twice");
        } else {
          out.open_days.at(*index) = true;
        }
      }
      if (std::none_of(out.open_days.begin(), out.open_days.end(), [](bool b) { return b; })) {
        c.Add(path, "at least one open day is required");
      }
    }
  }

  std::optional<std::chrono::minutes> opens;
  std::optional<std::chrono::minutes> closes;
  if (auto s = c.String(doc, root, "opens")) {
    opens = ParseClock(*s, /*allow_midnight_end=*/false);
    if (!opens)
      c.Add(Join(root, "opens"), "invalid time " + Quote(*s) + " (expected HH:MM, 00:00-23:59)");
  }
  if (auto s = c.String(doc, root, "closes")) {
    closes = ParseClock(*s, /*allow_midnight_end=*/true);
    if (!closes)
      c.Add(Join(root, "closes"), "invalid time " + Quote(*s) + " (expected HH:MM, 00:00-24:00)");
  }
  if (opens && closes) {
    if (*opens >= *closes) {
      c.Add(Join(root, "closes"),
            "must be later than opens (the calendar would have no business hours)");
    } else {
      out.opens = *opens;
      out.closes = *closes;
    }
  }

  auto it = doc.find("holidays");
  if (it != doc.end() && !it->is_null()) {
    std::string const path = Join(root, "holidays");
    if (c.IsArray(*it, path)) {
      for (std::size_t i = 0; i < it->size(); ++i) {
        auto s = c.StringValue((*it)[i], Index(path, i));
        if (!s) continue;
        if (auto day = ParseDate(*s)) {
          out.holidays.push_back(*day);
        } else {
          c.Add(Index(path, i), "invalid date " + Quote(*s) + " (expected YYYY-MM-DD)");
        }
      }
      std::sort(out.holidays.begin(), out.holidays.end());
      out.holidays.erase(std::unique(out.holidays.begin(), out.holidays.end()), out.holidays.end());
    }
  }
}

// ---- rules.json ---------------------------------------------------------------------------

// `business_day`: one business day's length (closes - opens) when the calendar is valid.
void LoadRules(Checker& c, Json const& doc, std::optional<std::chrono::seconds> business_day,
               std::array<RuleDuration, kRuleCount>& out) {
  std::string const root = "rules";
  std::array<bool, kRuleCount> seen{};
  for (auto const& [name, entry] : doc.items()) {
    std::string const path = Join(root, name);
    auto id = ParseRuleId(name);
    if (!id) {
      std::string msg = "unknown rule id " + Quote(name);
      std::string_view best;
      std::size_t best_d = 4;
      for (auto r : kAllRules) {
        auto const d = json_internal::EditDistance(name, RuleName(r));
        if (d < best_d) {
          best = RuleName(r);
          best_d = d;
        }
      }
      if (!best.empty()) msg += "; did you mean '" + std::string(best) + "'?";
      c.Add(path, std::move(msg));
      continue;
    }
    if (*id == RuleId::kCaseNotRequired) {
      c.Add(path, "case_not_required is informational and has no duration; remove this entry");
      continue;
    }
    seen.at(static_cast<std::size_t>(*id)) = true;
    if (!c.IsObject(entry, path)) continue;
    c.KnownKeys(entry, path, {"minutes", "hours", "days", "kind"});

    std::optional<DurationKind> kind;
    if (auto k = c.String(entry, path, "kind")) {
      if (*k == "business") {
        kind = DurationKind::kBusiness;
      } else if (*k == "calendar") {
        kind = DurationKind::kCalendar;
      } else {
        c.Add(Join(path, "kind"), "unknown kind " + Quote(*k) + " (expected business or calendar)");
      }
    }

    std::vector<std::string_view> units;
    for (std::string_view u : {"minutes", "hours", "days"}) {
      if (entry.contains(u)) units.push_back(u);
    }
    if (units.empty()) {
      c.Add(path, "missing the length: give exactly one of minutes, hours or days");
      continue;
    }
    if (units.size() > 1) {
      c.Add(path, "give exactly one of minutes, hours or days (found " + std::string(units[0]) +
                      " and " + std::string(units[1]) + ")");
      continue;
    }
    std::string_view const unit = units.front();
    std::string const upath = Join(path, unit);
    Json const& v = entry.at(std::string(unit));
    if (!v.is_number()) {
      c.Add(upath, "expected a number, got " + TypeName(v));
      continue;
    }
    double const n = v.get<double>();
    if (!std::isfinite(n) || n < 0) {
      c.Add(upath, "must be a finite number >= 0");
      continue;
    }
    if (!kind) continue;
    double seconds = 0;
    if (unit == "minutes") {
      seconds = n * 60;
    } else if (unit == "hours") {
      seconds = n * 3600;
    } else if (*kind == DurationKind::kCalendar) {
      seconds = n * 86400;
    } else {
      if (!business_day) continue;  // the calendar's own problems are already reported
      seconds = n * static_cast<double>(business_day->count());
    }
    if (seconds > kMaxDurationSeconds) {
      c.Add(upath, "longer than ten years; is the unit right?");
      continue;
    }
    out.at(static_cast<std::size_t>(*id)) =
        RuleDuration{std::chrono::seconds(std::llround(seconds)), *kind};
  }
  for (auto id : kAllRules) {
    if (id == RuleId::kCaseNotRequired || seen.at(static_cast<std::size_t>(id))) continue;
    c.Add(Join(root, RuleName(id)),
          "missing rule (every rule except case_not_required needs a "
          "duration)");
  }
}

// ---- reasons.json -------------------------------------------------------------------------

void LoadReasons(Checker& c, Json const& doc, ReasonsPolicy& out) {
  std::string const root = "reasons";
  c.KnownKeys(doc, root, {"installer_complaint", "secondary_reasons", "complaint_types"});
  if (auto s = c.String(doc, root, "installer_complaint")) out.installer_complaint = *s;

  bool secondary_ok = false;
  if (Json const* list = c.Required(doc, root, "secondary_reasons")) {
    std::string const path = Join(root, "secondary_reasons");
    if (c.IsArray(*list, path)) {
      secondary_ok = true;
      std::set<std::string> seen;
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto s = c.StringValue((*list)[i], Index(path, i));
        if (!s) continue;
        if (!seen.insert(*s).second) {
          c.Add(Index(path, i), "duplicate secondary reason " + Quote(*s));
          continue;
        }
        out.secondary_reasons.push_back(*s);
      }
      if (list->empty()) c.Add(path, "at least one secondary reason is required");
    }
  }

  if (Json const* types = c.Required(doc, root, "complaint_types")) {
    std::string const path = Join(root, "complaint_types");
    if (c.IsObject(*types, path)) {
      if (types->empty()) c.Add(path, "at least one complaint type is required");
      for (auto const& [type, target] : types->items()) {
        std::string const tpath = Join(path, type);
        if (type.empty()) {
          c.Add(tpath, "complaint type names must not be empty");
          continue;
        }
        auto s = c.StringValue(target, tpath);
        if (!s) continue;
        if (secondary_ok && std::find(out.secondary_reasons.begin(), out.secondary_reasons.end(),
                                      *s) == out.secondary_reasons.end()) {
          c.Add(tpath, "maps to " + Quote(*s) + ", which is not in reasons.secondary_reasons");
          continue;
        }
        out.complaint_types.emplace(type, *s);
      }
    }
  }
}

// ---- queues.json --------------------------------------------------------------------------

void LoadQueues(Checker& c, Json const& doc, QueuesPolicy& out) {
  std::string const root = "queues";
  c.KnownKeys(doc, root, {"queues", "back_office"});
  bool queues_ok = false;
  if (Json const* queues = c.Required(doc, root, "queues")) {
    std::string const path = Join(root, "queues");
    if (c.IsObject(*queues, path)) {
      queues_ok = true;
      if (queues->empty()) c.Add(path, "at least one queue is required");
      for (auto const& [key, name] : queues->items()) {
        std::string const qpath = Join(path, key);
        if (!IsMappingKey(key)) {
          c.Add(qpath, "invalid queue key " + Quote(key) +
                           " (use lower-case letters, digits, '_' or '-')");
          continue;
        }
        auto s = c.StringValue(name, qpath);
        if (!s) continue;
        if (!IsDeveloperName(*s)) {
          c.Add(qpath, "invalid DeveloperName " + Quote(*s) +
                           " (a letter first, then letters, digits and single underscores)");
          continue;
        }
        out.developer_names.emplace(key, *s);
      }
    }
  }
  if (auto key = c.String(doc, root, "back_office")) {
    if (queues_ok && doc.at("queues").find(*key) == doc.at("queues").end()) {
      c.Add(Join(root, "back_office"), Quote(*key) + " is not a key of queues.queues");
    } else {
      out.back_office = *key;
    }
  }
}

// ---- relations.json -----------------------------------------------------------------------

void LoadRelations(Checker& c, Json const& doc, RelationsPolicy& out) {
  std::string const root = "relations";
  struct Field {
    std::string_view key;
    std::string* target;
  };
  std::array<Field, 6> const fields = {{
      {"installer_field", &out.installer_field},
      {"homeowner_field", &out.homeowner_field},
      {"financing_field", &out.financing_field},
      {"pre_m3_pto_field", &out.pre_m3_pto_field},
      {"tier_field", &out.tier_field},
      {"installer_escalation_phone_field", &out.installer_escalation_phone_field},
  }};
  c.KnownKeys(doc, root,
              {"installer_field", "homeowner_field", "financing_field", "financing_values",
               "pre_m3_pto_field", "tier_field", "installer_escalation_phone_field"});
  for (auto const& f : fields) {
    auto s = c.String(doc, root, f.key);
    if (!s) continue;
    if (!IsApiName(*s)) {
      c.Add(Join(root, f.key), "invalid field API name " + Quote(*s) +
                                   " (letters, digits and underscores, e.g. Installer__c)");
      continue;
    }
    *f.target = *s;
  }
  if (Json const* values = c.Required(doc, root, "financing_values")) {
    std::string const path = Join(root, "financing_values");
    if (c.IsObject(*values, path)) {
      if (values->empty()) c.Add(path, "at least one financing value is required");
      for (auto const& [raw, partner] : values->items()) {
        std::string const vpath = Join(path, raw);
        auto s = c.StringValue(partner, vpath);
        if (!s) continue;
        if (*s != "beam" && *s != "concert") {
          c.Add(vpath, "maps to " + Quote(*s) + R"(; expected "beam" or "concert")");
          continue;
        }
        out.financing_values.emplace(raw, *s);
      }
    }
  }
}

// ---- quick_replies.json -------------------------------------------------------------------

void LoadQuickReplies(Checker& c, Json const& doc, QuickRepliesPolicy& out) {
  std::string const root = "quick_replies";
  c.KnownKeys(doc, root,
              {"unresponsive_install", "unresponsive_beam_ho", "install_complaint_done"});
  if (auto s = c.String(doc, root, "unresponsive_install")) out.unresponsive_install = *s;
  if (auto s = c.String(doc, root, "unresponsive_beam_ho")) out.unresponsive_beam_ho = *s;
  if (auto s = c.String(doc, root, "install_complaint_done")) out.install_complaint_done = *s;
}

// ---- people.json --------------------------------------------------------------------------

std::optional<Person> LoadPerson(Checker& c, Json const& v, std::string const& path) {
  if (!c.IsObject(v, path)) return std::nullopt;
  c.KnownKeys(v, path, {"name", "user_id", "email"});
  std::size_t const before = c.count();
  Person p;
  if (auto s = c.String(v, path, "name")) p.name = *s;
  if (auto s = c.OptionalString(v, path, "user_id")) {
    if (!s->empty() && !IsUserId(*s)) {
      c.Add(Join(path, "user_id"), "invalid Salesforce User id " + Quote(*s) +
                                       " (15 or 18 letters/digits starting with 005)");
    }
    p.user_id = *s;
  }
  if (auto s = c.OptionalString(v, path, "email")) {
    if (!s->empty() && !json_internal::LooksLikeEmail(*s)) {
      c.Add(Join(path, "email"), Quote(*s) + " is not an e-mail address");
    }
    p.email = *s;
  }
  if (c.count() != before) return std::nullopt;
  return p;
}

void LoadPeople(Checker& c, Json const& doc, PeoplePolicy& out) {
  std::string const root = "people";
  c.KnownKeys(doc, root, {"escalation_contact", "managers", "beam_risk_email"});
  if (Json const* v = c.Required(doc, root, "escalation_contact")) {
    if (auto p = LoadPerson(c, *v, Join(root, "escalation_contact"))) out.escalation_contact = *p;
  }
  if (Json const* list = c.Required(doc, root, "managers")) {
    std::string const path = Join(root, "managers");
    if (c.IsArray(*list, path)) {
      if (list->empty()) c.Add(path, "at least one manager is required (tier 4 notifications)");
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (auto p = LoadPerson(c, (*list)[i], Index(path, i))) out.managers.push_back(*p);
      }
    }
  }
  if (auto s = c.String(doc, root, "beam_risk_email")) {
    if (json_internal::LooksLikeEmail(*s)) {
      out.beam_risk_email = *s;
    } else {
      c.Add(Join(root, "beam_risk_email"), Quote(*s) + " is not an e-mail address");
    }
  }
}

// ---- templates.json -----------------------------------------------------------------------

void LoadTemplates(Checker& c, Json const& doc, TemplatesPolicy& out) {
  std::string const root = "templates";
  c.KnownKeys(doc, root, {"referral_comment"});
  Json const* v = c.Required(doc, root, "referral_comment");
  if (v == nullptr) return;
  std::string const path = Join(root, "referral_comment");
  std::string text;
  if (v->is_string()) {
    text = v->get<std::string>();
  } else if (v->is_array()) {
    bool ok = true;
    for (std::size_t i = 0; i < v->size(); ++i) {
      Json const& line = (*v)[i];
      if (!line.is_string()) {
        c.Add(Index(path, i),
              "expected a string (one line of the template), got " + TypeName(line));
        ok = false;
        continue;
      }
      if (i > 0) text += '\n';
      text += line.get<std::string>();
    }
    if (!ok) return;
  } else {
    c.Add(path, "expected a string or an array of lines, got " + TypeName(*v));
    return;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    c.Add(path, "must not be empty");
    return;
  }
  bool has_complaint = false;
  for (std::size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    auto const close = text.find('}', open);
    if (close == std::string::npos) {
      c.Add(path, "unterminated placeholder (a '{' without '}')");
      return;
    }
    auto const name = text.substr(open + 1, close - open - 1);
    if (name == "complaint") {
      has_complaint = true;
    } else {
      c.Add(path, "unknown placeholder {" + name + "} (only {complaint} is replaced)");
      return;
    }
  }
  if (!has_complaint) {
    c.Add(path, "must contain the {complaint} placeholder (the ______ of the seed template)");
    return;
  }
  out.referral_comment = std::move(text);
}

// ---- the directory ------------------------------------------------------------------------

using FileLoader = void (*)(Checker&, Json const&, Policy&, std::optional<std::chrono::seconds>);

struct MappingFile {
  std::string_view name;
  FileLoader load;
};

// Order matters: calendar.json first, rules.json needs its business-day length.
constexpr std::array<MappingFile, 8> kFiles = {{
    {"calendar.json", [](Checker& c, Json const& d, Policy& p,
                         std::optional<std::chrono::seconds>) { LoadCalendar(c, d, p.calendar); }},
    {"rules.json",
     [](Checker& c, Json const& d, Policy& p, std::optional<std::chrono::seconds> day) {
       LoadRules(c, d, day, p.durations);
     }},
    {"reasons.json", [](Checker& c, Json const& d, Policy& p,
                        std::optional<std::chrono::seconds>) { LoadReasons(c, d, p.reasons); }},
    {"queues.json", [](Checker& c, Json const& d, Policy& p,
                       std::optional<std::chrono::seconds>) { LoadQueues(c, d, p.queues); }},
    {"relations.json",
     [](Checker& c, Json const& d, Policy& p, std::optional<std::chrono::seconds>) {
       LoadRelations(c, d, p.relations);
     }},
    {"quick_replies.json",
     [](Checker& c, Json const& d, Policy& p, std::optional<std::chrono::seconds>) {
       LoadQuickReplies(c, d, p.quick_replies);
     }},
    {"people.json", [](Checker& c, Json const& d, Policy& p,
                       std::optional<std::chrono::seconds>) { LoadPeople(c, d, p.people); }},
    {"templates.json",
     [](Checker& c, Json const& d, Policy& p, std::optional<std::chrono::seconds>) {
       LoadTemplates(c, d, p.templates);
     }},
}};

std::optional<std::string> ReadFile(fs::path const& path, std::string& error) {
  std::error_code ec;
  auto const status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    error = "missing file (every mappings file is required)";
    return std::nullopt;
  }
  if (!fs::is_regular_file(status)) {
    error = "not a regular file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot be read (check its permissions)";
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return std::nullopt;
  }
  return std::move(buf).str();
}

// Reports `*.json` files in `dir` whose name is a near miss of a mappings file (a typo that
// leaves the intended file missing or shadowed). Other extra files are ignored.
void CheckStrayFiles(fs::path const& dir, std::vector<Problem>& problems) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return;
  std::vector<fs::path> strays;
  for (auto const& entry : it) {
    auto const& p = entry.path();
    if (p.extension() != ".json") continue;
    auto const name = p.filename().string();
    bool known = false;
    for (auto const& f : kFiles) known = known || f.name == name;
    if (known) continue;
    auto const stem = p.stem().string();
    for (auto const& f : kFiles) {
      auto const want = f.name.substr(0, f.name.size() - 5);
      auto const d = json_internal::EditDistance(Lower(stem), want);
      if (d <= 2 && d < want.size()) {
        problems.push_back(Problem{
            p.string(), "", "unknown mappings file; did you mean " + std::string(f.name) + "?"});
        break;
      }
    }
  }
}

}  // namespace

std::string Problem::ToString() const {
  std::string out = file;
  out += ": ";
  if (!key.empty()) {
    out += key;
    out += ": ";
  }
  out += message;
  return out;
}

std::ostream& operator<<(std::ostream& os, Problem const& p) { return os << p.ToString(); }

Policy LoadPolicy(std::string const& dir, std::vector<Problem>& problems) {
  Policy policy;
  bool const shipped = dir.empty();
  if (!shipped) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      problems.push_back(Problem{dir, "",
                                 fs::exists(dir, ec) ? "not a directory (expected a mappings "
                                                       "directory)"
                                                     : "mappings directory does not exist"});
      return policy;
    }
    CheckStrayFiles(dir, problems);
  }
  std::optional<std::chrono::seconds> business_day;
  for (auto const& f : kFiles) {
    std::string const label = shipped
                                  ? std::string(kShippedMappingsLabel) + "/" + std::string(f.name)
                                  : (fs::path(dir) / f.name).string();
    std::string const root(f.name.substr(0, f.name.size() - 5));
    Checker checker(label, problems);
    std::optional<std::string> text;
    if (shipped) {
      if (auto embedded = ShippedMappingFile(f.name)) {
        text = std::string(*embedded);
      } else {
        checker.Add(root, "missing from the embedded defaults (build problem)");
      }
    } else {
      std::string error;
      text = ReadFile(fs::path(dir) / f.name, error);
      if (!text) checker.Add(root, error);
    }
    if (!text) continue;
    auto doc = checker.Parse(*text, root);
    if (!doc) continue;
    f.load(checker, *doc, policy, business_day);
    if (f.name == "calendar.json" && policy.calendar.closes > policy.calendar.opens) {
      business_day = policy.calendar.closes - policy.calendar.opens;
    }
  }
  return policy;
}

StatusOr<Policy> LoadPolicyOrError(std::string const& dir) {
  std::vector<Problem> problems;
  Policy policy = LoadPolicy(dir, problems);
  if (problems.empty()) return policy;
  std::string message = std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem" : " problems") + " in the mappings:";
  for (auto const& p : problems) message += "\n" + p.ToString();
  ErrorInfo info;
  info.file = problems.front().file;
  info.field = problems.front().key;
  return InvalidArgumentError(std::move(message), std::move(info));
}

std::optional<std::string_view> ShippedMappingFile(std::string_view name) {
  for (auto const& f : ShippedMappingFiles()) {
    if (f.name == name) return f.content;
  }
  return std::nullopt;
}

}  // namespace casebridge::mappings
