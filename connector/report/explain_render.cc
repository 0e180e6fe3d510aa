// The three forms of an explanation: text (chat), HTML (one self-contained page), JSON.
#include <nlohmann/json.hpp>

#include <string>

#include "connector/report/explain_internal.h"
#include "connector/report/text_escape.h"

namespace casebridge::report {
namespace explain_internal {
namespace {

using nlohmann::json;
using report_internal::AppendHtml;

std::string Pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

void HtmlCell(std::string& out, char const* tag, std::string const& text) {
  out += '<';
  out += tag;
  out += '>';
  AppendHtml(out, text);
  out += "</";
  out += tag;
  out += '>';
}

void HtmlTable(std::string& out, std::vector<std::string> const& head,
               std::vector<std::vector<std::string>> const& rows) {
  out += "<table><tr>";
  for (auto const& h : head) HtmlCell(out, "th", h);
  out += "</tr>\n";
  for (auto const& row : rows) {
    out += "<tr>";
    for (auto const& c : row) HtmlCell(out, "td", c);
    out += "</tr>\n";
  }
  out += "</table>\n";
}

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}.MET{color:#176f2c}.BREACHED{color:#b00020}.PENDING{color:#8a5a00}"
    "pre{background:#f7f7f7;padding:.5em}";

json SpanJson(engine::CalendarSpan const& s) {
  static constexpr char const* kKinds[] = {"counted", "closing_hours", "weekend", "holiday"};
  return json{{"kind", kKinds[static_cast<int>(s.kind)]},
              {"begin", FormatInstant(s.begin)},
              {"end", FormatInstant(s.end)},
              {"local_day", LocalClock::Day(s.local_day).substr(4)},
              {"dst_change", s.dst_change},
              {"seconds", (s.end - s.begin).count()}};
}

json OptInstant(std::optional<Instant> const& t) {
  return t ? json(FormatInstant(*t)) : json(nullptr);
}

json EventJson(engine::Snapshot const& s, int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= s.events.size()) return nullptr;
  engine::Event const& e = s.events[static_cast<std::size_t>(index)];
  return json{{"type", engine::EventTypeName(e.type)},
              {"at", FormatInstant(e.at)},
              {"record", e.record.empty() ? json(nullptr) : json(e.record)}};
}

json RuleJson(Explanation const& e, ExplainedRule const& r) {
  engine::Flag const& f = r.flag;
  json spans = json::array();
  for (auto const& s : r.arithmetic.spans) spans.push_back(SpanJson(s));
  json j{
      {"rule", mappings::RuleName(f.rule)},
      {"status", engine::FlagStatusName(f.status)},
      {"started", FormatInstant(f.started)},
      {"started_by", EventJson(e.snapshot, r.started_by_event)},
      {"due", OptInstant(f.due)},
      {"duration",
       {{"seconds", r.duration.length.count()},
        {"kind", r.duration.kind == mappings::DurationKind::kBusiness ? "business" : "calendar"}}},
      {"arithmetic", std::move(spans)},
      {"met_at", OptInstant(f.met_at)},
      {"met_by", EventJson(e.snapshot, f.met_by_event)},
      {"met_by_close", f.met_by_close},
      {"awaited", f.met_at || f.status == engine::FlagStatus::kInfo ? json(nullptr)
                                                                    : json(AwaitedText(f.rule))}};
  if (f.status == engine::FlagStatus::kBreached) j["late_minutes"] = f.late_minutes;
  return j;
}

json ActionJson(ExplainedAction const& a) {
  json ledger = nullptr;
  if (a.ledger) {
    ledger = json{{"state", store::ActionStateName(a.ledger->state)},
                  {"remote_id", a.ledger->remote_id},
                  {"attempts", a.ledger->attempts},
                  {"last_error", a.ledger->last_error},
                  {"written_at", OptInstant(a.ledger->written_at)}};
  }
  return json{{"key", a.action.key},
              {"action", mappings::ActionName(a.action.action)},
              {"kind", mappings::ActionKindName(a.action.kind)},
              {"due", OptInstant(a.action.due)},
              {"rule", mappings::RuleName(a.action.rule)},
              {"ledger", std::move(ledger)}};
}

}  // namespace

std::string RenderText(ExplainDoc const& doc) {
  std::string out = doc.title + "\n";
  for (auto const& [label, text] : doc.facts) out += "  " + Pad(label, 13) + text + "\n";
  out += "\nTimeline\n";
  for (auto const& row : doc.timeline) {
    out += "  " + row[0] + " [" + row[1] + "]  " + row[2];
    if (!row[3].empty()) out += "  (record " + row[3] + ")";
    out += "\n";
  }
  out += "\nRules\n";
  for (auto const& r : doc.rules) {
    out += "  " + r.rule + ": " + r.verdict + "\n";
    for (auto const& [label, text] : r.rows) {
      out += "    " + Pad(label, 14) + text + "\n";
      if (label != "due") continue;
      for (auto const& line : r.arithmetic) out += "      " + line + "\n";
    }
  }
  out += "\nActions\n";
  if (!doc.actions_note.empty()) out += "  " + doc.actions_note + "\n";
  for (auto const& a : doc.actions) {
    out +=
        "  " + a[0] + "  " + a[1] + ", due " + a[2] + ", for " + a[3] + "; ledger: " + a[4] + "\n";
  }
  return out;
}

std::string RenderHtml(ExplainDoc const& doc) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>";
  AppendHtml(out, doc.title);
  out += "</title><style>";
  out += kStyle;
  out += "</style></head><body>\n";
  HtmlCell(out, "h1", doc.title);
  out += "\n<table>";
  for (auto const& [label, text] : doc.facts) {
    out += "<tr>";
    HtmlCell(out, "th", label);
    HtmlCell(out, "td", text);
    out += "</tr>";
  }
  out += "</table>\n<h2>Timeline</h2>\n";
  HtmlTable(out, {"local time", "UTC", "what", "record"}, doc.timeline);
  out += "<h2>Rules</h2>\n";
  for (auto const& r : doc.rules) {
    out += "<h3>";
    AppendHtml(out, r.rule);
    out += ": <span class=\"" + r.verdict.substr(0, r.verdict.find(' ')) + "\">";
    AppendHtml(out, r.verdict);
    out += "</span></h3>\n<table>";
    for (auto const& [label, text] : r.rows) {
      out += "<tr>";
      HtmlCell(out, "th", label);
      out += "<td>";
      AppendHtml(out, text);
      if (label == "due" && !r.arithmetic.empty()) {
        out += "<pre>";
        for (auto const& line : r.arithmetic) {
          AppendHtml(out, line);
          out += '\n';
        }
        out += "</pre>";
      }
      out += "</td></tr>";
    }
    out += "</table>\n";
  }
  out += "<h2>Actions</h2>\n";
  if (!doc.actions_note.empty()) HtmlCell(out, "p", doc.actions_note);
  if (!doc.actions.empty()) HtmlTable(out, {"key", "kind", "due", "rule", "ledger"}, doc.actions);
  out += "</body></html>\n";
  return out;
}

StatusOr<std::string> RenderJson(Explanation const& e) {
  engine::Snapshot const& s = e.snapshot;
  json timeline = json::array();
  for (std::size_t i : TimelineOrder(s)) {
    json ev = EventJson(s, static_cast<int>(i));
    ev["ignored"] = s.events[i].at > e.now;
    timeline.push_back(std::move(ev));
  }
  json rules = json::array();
  for (auto const& r : e.rules) rules.push_back(RuleJson(e, r));
  json actions = json::array();
  for (auto const& a : e.actions) actions.push_back(ActionJson(a));
  json j{{"case",
          {{"id", s.id},
           {"number", s.number},
           {"system", e.system},
           {"created_at", FormatInstant(s.created_at)},
           {"closed_at", OptInstant(s.closed_at)},
           {"stage", engine::StageName(e.stage)}}},
         {"now", FormatInstant(e.now)},
         {"time_zone", e.time_zone},
         {"source", e.source},
         {"timeline", std::move(timeline)},
         {"rules", std::move(rules)},
         {"actions", std::move(actions)},
         {"ledger_read", e.ledger_read}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace explain_internal

StatusOr<std::string> RenderExplanation(Explanation const& explanation, ExplainFormat format) {
  if (format == ExplainFormat::kJson) return explain_internal::RenderJson(explanation);
  auto doc = explain_internal::BuildDoc(explanation);
  if (!doc.ok()) return doc.status();
  return format == ExplainFormat::kText ? explain_internal::RenderText(*doc)
                                        : explain_internal::RenderHtml(*doc);
}

}  // namespace casebridge::report
