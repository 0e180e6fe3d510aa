#include "connector/engine/evaluation_json.h"

#include <charconv>
#include <cstddef>

#include "connector/common/time.h"

namespace casebridge::engine {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

void AppendInt(std::string& out, std::int64_t v) {
  char buf[24];
  auto const r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

// Instants ISO-8601 text can carry: years 0000-9999.
constexpr Instant kFirstWritable{std::chrono::sys_days{std::chrono::year{0} / 1 / 1}};
constexpr Instant kLastWritable{std::chrono::sys_days{std::chrono::year{9999} / 12 / 31} +
                                std::chrono::seconds{86399}};

// `"…"`, or null when absent or not writable (BusinessCalendar::kNever: the clock never runs out).
void AppendOptionalInstant(std::string& out, std::optional<Instant> const& t) {
  if (t && *t >= kFirstWritable && *t <= kLastWritable) {
    out.push_back('"');
    AppendInstant(out, *t);
    out.push_back('"');
  } else {
    out += "null";
  }
}

// Text form of an optional instant: the instant, or "-" when there is none.
void AppendTextInstant(std::string& out, std::optional<Instant> const& t) {
  if (t && *t >= kFirstWritable && *t <= kLastWritable) {
    AppendInstant(out, *t);
  } else {
    out.push_back('-');
  }
}

// Left-aligned `s` padded with spaces to `width` (at least one space after it).
void AppendPadded(std::string& out, std::string_view s, std::size_t width) {
  out.append(s);
  out.append(s.size() < width ? width - s.size() : 1, ' ');
}

// Right-aligned number in `width` columns.
void AppendRight(std::string& out, std::int64_t v, std::size_t width) {
  char buf[24];
  auto const r = std::to_chars(buf, buf + sizeof(buf), v);
  auto const len = static_cast<std::size_t>(r.ptr - buf);
  if (len < width) out.append(width - len, ' ');
  out.append(buf, r.ptr);
}

// "2d 3h 05m", "3h 05m", "45m".
void AppendDuration(std::string& out, std::int64_t minutes) {
  std::int64_t const d = minutes / 1440;
  std::int64_t const h = minutes / 60 % 24;
  std::int64_t const m = minutes % 60;
  if (d > 0) {
    AppendInt(out, d);
    out += "d ";
  }
  if (d > 0 || h > 0) {
    AppendInt(out, h);
    out += "h ";
    if (m < 10) out.push_back('0');
  }
  AppendInt(out, m);
  out.push_back('m');
}

// A value printed in text output: control characters are escaped so one field cannot break
// the layout of the terminal.
void AppendTextValue(std::string& out, std::string_view s) {
  for (char c : s) {
    auto const u = static_cast<unsigned char>(c);
    if (u < 0x20U || u == 0x7FU) {
      out.push_back('?');
    } else {
      out.push_back(c);
    }
  }
}

constexpr std::size_t kRuleColumn = 24;
constexpr std::size_t kActionColumn = 24;

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto const c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20U && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\u00";
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 0xFU]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendEvaluationJson(std::string& out, std::string_view case_id, Evaluation const& e) {
  out += "{\"id\":";
  AppendJsonString(out, case_id);
  out += ",\"stage\":\"";
  out += StageName(e.stage);
  out += "\",\"flags\":[";
  bool first = true;
  for (Flag const& f : e.flags) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"rule\":\"";
    out += mappings::RuleName(f.rule);
    out += "\",\"started\":\"";
    AppendInstant(out, f.started);
    out += "\",\"due\":";
    AppendOptionalInstant(out, f.due);
    out += ",\"met_at\":";
    AppendOptionalInstant(out, f.met_at);
    out += ",\"status\":\"";
    out += FlagStatusName(f.status);
    out.push_back('"');
    if (f.status == FlagStatus::kBreached) {
      out += ",\"late_minutes\":";
      AppendInt(out, f.late_minutes);
    }
    out.push_back('}');
  }
  out += "],\"actions\":[";
  first = true;
  for (PlannedAction const& a : e.actions) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"action\":\"";
    out += mappings::ActionName(a.action);
    out += "\",\"kind\":\"";
    out += mappings::ActionKindName(a.kind);
    out += "\",\"key\":";
    AppendJsonString(out, a.key);
    out += ",\"due\":";
    AppendOptionalInstant(out, a.due);
    out.push_back('}');
  }
  out += "]}";
}

void AppendEvaluationText(std::string& out, Snapshot const& snapshot, Evaluation const& e) {
  out += "case ";
  AppendTextValue(out, snapshot.id);
  if (!snapshot.number.empty()) {
    out += " (#";
    AppendTextValue(out, snapshot.number);
    out.push_back(')');
  }
  out += "  stage: ";
  out += StageName(e.stage);
  out.push_back('\n');

  std::int64_t met = 0;
  for (Flag const& f : e.flags) {
    if (f.status == FlagStatus::kMet) {
      ++met;
      continue;
    }
    out += "  ";
    AppendPadded(out, FlagStatusName(f.status), 10);
    AppendPadded(out, mappings::RuleName(f.rule), kRuleColumn);
    switch (f.status) {
      case FlagStatus::kBreached:
        out += "due ";
        AppendTextInstant(out, f.due);
        out += "  late ";
        AppendDuration(out, f.late_minutes);
        if (f.met_at) {
          out += " (done ";
          AppendInstant(out, *f.met_at);
          out.push_back(')');
        } else {
          out += " (still not done)";
        }
        break;
      case FlagStatus::kPending:
        out += "due ";
        AppendTextInstant(out, f.due);
        break;
      default:  // info
        out += mappings::RuleDescription(f.rule);
        break;
    }
    out.push_back('\n');
  }
  if (met > 0) {
    out += "  ";
    AppendInt(out, met);
    out += met == 1 ? " flag met on time\n" : " flags met on time\n";
  }
  if (e.flags.empty()) out += "  no rule applies\n";
  for (PlannedAction const& a : e.actions) {
    out += "  plan      ";
    AppendPadded(out, mappings::ActionName(a.action), kRuleColumn);
    if (a.due) {
      out += "due ";
      AppendTextInstant(out, a.due);
    } else {
      out += "now                 ";
    }
    out += "  ";
    out += mappings::ActionKindName(a.kind);
    out += "  key ";
    AppendTextValue(out, a.key);
    out.push_back('\n');
  }
  out.push_back('\n');
}

void EvaluationTotals::Add(Evaluation const& e) {
  ++cases_;
  for (Flag const& f : e.flags) {
    ++flags_.at(static_cast<std::size_t>(f.rule)).at(static_cast<std::size_t>(f.status));
  }
  for (PlannedAction const& a : e.actions) ++actions_.at(static_cast<std::size_t>(a.action));
}

void EvaluationTotals::AppendText(std::string& out, std::int64_t bad_lines) const {
  out += "== totals ==\n";
  out += "cases evaluated: ";
  AppendInt(out, cases_);
  if (bad_lines > 0) {
    out += "  (bad lines skipped: ";
    AppendInt(out, bad_lines);
    out.push_back(')');
  }
  out.push_back('\n');

  out += "\nflags by rule";
  out.append(kRuleColumn + 2 - 13, ' ');
  out += "      met breached  pending     info\n";
  bool any_flag = false;
  for (auto rule : mappings::kAllRules) {
    auto const& row = flags_.at(static_cast<std::size_t>(rule));
    if (row[0] + row[1] + row[2] + row[3] == 0) continue;
    any_flag = true;
    out += "  ";
    AppendPadded(out, mappings::RuleName(rule), kRuleColumn);
    for (auto status :
         {FlagStatus::kMet, FlagStatus::kBreached, FlagStatus::kPending, FlagStatus::kInfo}) {
      AppendRight(out, row.at(static_cast<std::size_t>(status)), 9);
    }
    out += "  ";
    out += mappings::RuleDescription(rule);
    out.push_back('\n');
  }
  if (!any_flag) out += "  (none)\n";

  out += "\nplanned actions\n";
  bool any_action = false;
  for (auto action : mappings::kAllActions) {
    auto const n = actions_.at(static_cast<std::size_t>(action));
    if (n == 0) continue;
    any_action = true;
    out += "  ";
    AppendPadded(out, mappings::ActionName(action), kActionColumn);
    AppendRight(out, n, 9);
    out.push_back('\n');
  }
  if (!any_action) out += "  (none)\n";
}

}  // namespace casebridge::engine
