#include "connector/report/whatif.h"

#include <nlohmann/json.hpp>

#include <map>
#include <tuple>
#include <utility>

#include "connector/report/text_escape.h"

namespace casebridge::report {
namespace {

using nlohmann::json;

void Count(RuleCounts& g, engine::Flag const& f) {
  switch (f.status) {
    case engine::FlagStatus::kMet:
      ++g.met;
      break;
    case engine::FlagStatus::kBreached:
      ++g.breached;
      break;
    case engine::FlagStatus::kPending:
      ++g.pending;
      break;
    case engine::FlagStatus::kInfo:
      ++g.info;
      break;
  }
}

// (rule, started, occurrence) of each flag, for matching across policies.
using FlagKey = std::tuple<int, std::int64_t, int>;

std::map<FlagKey, engine::Flag const*> Keyed(std::vector<engine::Flag> const& flags) {
  std::map<FlagKey, engine::Flag const*> out;
  for (auto const& f : flags) {
    FlagKey k{static_cast<int>(f.rule), f.started.time_since_epoch().count(), 0};
    while (out.count(k) != 0) ++std::get<2>(k);
    out.emplace(k, &f);
  }
  return out;
}

std::string_view StatusOf(std::optional<engine::Flag> const& f) {
  return f ? engine::FlagStatusName(f->status) : std::string_view("absent");
}

json OptTime(std::optional<Instant> const& t) {
  return t ? json(FormatInstant(*t)) : json(nullptr);
}

json Side(std::optional<engine::Flag> const& f) {
  if (!f) return json{{"status", "absent"}};
  json j{{"status", engine::FlagStatusName(f->status)},
         {"due", OptTime(f->due)},
         {"met_at", OptTime(f->met_at)}};
  j["late_minutes"] = f->status == engine::FlagStatus::kBreached ? json(f->late_minutes) : json();
  return j;
}

json ByRule(std::array<RuleCounts, mappings::kRuleCount> const& stats) {
  json out = json::array();
  for (std::size_t i = 0; i < stats.size(); ++i) {
    RuleCounts const& g = stats[i];
    if (g.total() == 0) continue;
    auto const rule = static_cast<mappings::RuleId>(i);
    std::int64_t const decided = g.met + g.breached;
    out.push_back(json{{"key", mappings::RuleName(rule)},
                       {"label", mappings::RuleDescription(rule)},
                       {"flags", g.total()},
                       {"met", g.met},
                       {"breached", g.breached},
                       {"pending", g.pending},
                       {"info", g.info},
                       {"breach_rate", decided > 0 ? json(static_cast<double>(g.breached) /
                                                          static_cast<double>(decided))
                                                   : json()}});
  }
  return out;
}

std::string Json(WhatifResult const& r, WhatifLabels const& l) {
  json changes = json::array();
  for (auto const& c : r.changes) {
    changes.push_back(json{{"case_number", c.case_number},
                           {"case_id", c.case_id},
                           {"source_system", c.system},
                           {"rule", mappings::RuleName(c.rule)},
                           {"started", FormatInstant(c.started)},
                           {"current", Side(c.current)},
                           {"whatif", Side(c.whatif)}});
  }
  json j{
      {"as_of", FormatInstant(l.now)},
      {"range", l.range},
      {"cases", r.cases},
      {"unreadable_snapshots", r.unreadable},
      {"policies",
       {{"current", {{"policy", l.current_policy}, {"summary", {{"by_rule", ByRule(r.current)}}}}},
        {"whatif", {{"policy", l.whatif_policy}, {"summary", {{"by_rule", ByRule(r.whatif)}}}}}}},
      {"changes", std::move(changes)}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// One CSV row per side of each change, the report's leading flag columns plus `policy`.
std::string Csv(WhatifResult const& r) {
  std::string out =
      "policy,case_number,case_id,source_system,rule,rule_description,status,started,due,met_at,"
      "late_minutes\n";
  auto row = [&out](char const* policy, WhatifChange const& c,
                    std::optional<engine::Flag> const& f) {
    auto field = [&out](std::string_view v) {
      report_internal::AppendCsvField(out, v, /*formula_guard=*/true);
      out.push_back(',');
    };
    field(policy);
    field(c.case_number);
    field(c.case_id);
    field(c.system);
    field(mappings::RuleName(c.rule));
    field(mappings::RuleDescription(c.rule));
    field(StatusOf(f));
    field(FormatInstant(c.started));
    field(f && f->due ? FormatInstant(*f->due) : "");
    field(f && f->met_at ? FormatInstant(*f->met_at) : "");
    if (f && f->status == engine::FlagStatus::kBreached) out += std::to_string(f->late_minutes);
    out.push_back('\n');
  };
  for (auto const& c : r.changes) {
    row("current", c, c.current);
    row("whatif", c, c.whatif);
  }
  return out;
}

std::string Text(WhatifResult const& r, WhatifLabels const& l) {
  std::string out = "whatif: " + std::to_string(r.cases) + " stored cases (" + l.range +
                    "), evaluated at " + FormatInstant(l.now) + "; nothing written\n";
  out += "  current: " + l.current_policy + "\n  whatif:  " + l.whatif_policy + "\n\n";
  out += "rule                     current met/breached/pending   whatif met/breached/pending\n";
  for (std::size_t i = 0; i < r.current.size(); ++i) {
    RuleCounts const& a = r.current[i];
    RuleCounts const& b = r.whatif[i];
    if (a.total() + b.total() == 0) continue;
    std::string name(mappings::RuleName(static_cast<mappings::RuleId>(i)));
    name.resize(std::max<std::size_t>(name.size(), 25), ' ');
    std::string left =
        std::to_string(a.met) + "/" + std::to_string(a.breached) + "/" + std::to_string(a.pending);
    left.resize(std::max<std::size_t>(left.size(), 31), ' ');
    out += name + left + std::to_string(b.met) + "/" + std::to_string(b.breached) + "/" +
           std::to_string(b.pending) + "\n";
  }
  out += "\n" + std::to_string(r.changes.size()) + " flag(s) change verdict\n";
  for (auto const& c : r.changes) {
    out += "  " + (c.case_number.empty() ? c.case_id : c.case_number + " (" + c.case_id + ")") +
           " " + std::string(mappings::RuleName(c.rule)) + " started " + FormatInstant(c.started) +
           ": " + std::string(StatusOf(c.current)) + " -> " + std::string(StatusOf(c.whatif));
    if (c.current && c.whatif && c.current->due && c.whatif->due) {
      out +=
          " (due " + FormatInstant(*c.current->due) + " -> " + FormatInstant(*c.whatif->due) + ")";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

void WhatifRun::Add(std::string const& system, engine::Snapshot const& snapshot) {
  ++result_.cases;
  current_.Evaluate(snapshot, now_, a_);
  whatif_.Evaluate(snapshot, now_, b_);
  for (auto const& f : a_.flags) Count(result_.current[static_cast<std::size_t>(f.rule)], f);
  for (auto const& f : b_.flags) Count(result_.whatif[static_cast<std::size_t>(f.rule)], f);
  auto const before = Keyed(a_.flags);
  auto after = Keyed(b_.flags);
  auto change = [&](FlagKey const& k, engine::Flag const* x, engine::Flag const* y) {
    WhatifChange c{snapshot.id,
                   snapshot.number,
                   system,
                   static_cast<mappings::RuleId>(std::get<0>(k)),
                   Instant{std::chrono::seconds{std::get<1>(k)}},
                   std::nullopt,
                   std::nullopt};
    if (x != nullptr) c.current = *x;
    if (y != nullptr) c.whatif = *y;
    result_.changes.push_back(std::move(c));
  };
  for (auto const& [k, f] : before) {
    auto it = after.find(k);
    if (it == after.end()) {
      change(k, f, nullptr);
      continue;
    }
    if (it->second->status != f->status) change(k, f, it->second);
    after.erase(it);
  }
  for (auto const& [k, f] : after) change(k, nullptr, f);
}

std::optional<WhatifFormat> ParseWhatifFormat(std::string_view name) {
  if (name == "text") return WhatifFormat::kText;
  if (name == "csv") return WhatifFormat::kCsv;
  if (name == "json") return WhatifFormat::kJson;
  return std::nullopt;
}

std::string RenderWhatif(WhatifResult const& result, WhatifLabels const& labels,
                         WhatifFormat format) {
  switch (format) {
    case WhatifFormat::kCsv:
      return Csv(result);
    case WhatifFormat::kJson:
      return Json(result, labels);
    case WhatifFormat::kText:
      break;
  }
  return Text(result, labels);
}

}  // namespace casebridge::report
