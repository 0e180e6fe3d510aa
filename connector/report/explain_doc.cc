// The explanation laid out as rows of text (explain_internal.h).
#include <date/date.h>
#include <date/tz.h>

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "connector/report/explain_internal.h"

namespace casebridge::report::explain_internal {
namespace {

using engine::CalendarSpan;
using engine::FlagStatus;

std::string Utc(Instant t) { return FormatInstant(t); }

std::string LocalAndUtc(LocalClock const& clock, Instant t) {
  return clock.Format(t) + " [" + Utc(t) + "]";
}

std::string EventWhat(engine::Event const& e) {
  std::string what(engine::EventTypeName(e.type));
  if (!e.to.empty()) what += " to " + e.to;
  if (e.outcome == engine::CallOutcome::kReached) what += " (reached)";
  if (e.outcome == engine::CallOutcome::kVoicemail) what += " (voicemail)";
  if (!e.key.empty()) what += " " + e.key;
  return what;
}

std::string EventRef(engine::Snapshot const& s, int index, LocalClock const& clock) {
  engine::Event const& e = s.events[static_cast<std::size_t>(index)];
  std::string text = EventWhat(e) + " at " + LocalAndUtc(clock, e.at);
  text += e.record.empty() ? std::string(" (no record id)") : " (record " + e.record + ")";
  return text;
}

std::string SpanName(CalendarSpan const& s) {
  std::string name;
  switch (s.kind) {
    case CalendarSpan::Kind::kWeekend:
      name = "weekend " + LocalClock::Day(s.local_day);
      break;
    case CalendarSpan::Kind::kHoliday:
      name = "holiday " + LocalClock::Day(s.local_day);
      break;
    default:
      name = "closing hours";
      break;
  }
  if (s.dst_change) {
    name += s.kind == CalendarSpan::Kind::kClosedHours
                ? " (DST change on " + LocalClock::Day(s.local_day) + ")"
                : " (DST change that day)";
  }
  return name;
}

std::string Verdict(engine::Flag const& f) {
  switch (f.status) {
    case FlagStatus::kMet:
      return "MET";
    case FlagStatus::kBreached:
      return "BREACHED " + std::to_string(f.late_minutes) + " min late";
    case FlagStatus::kPending:
      return "PENDING";
    case FlagStatus::kInfo:
      break;
  }
  return "INFO";
}

std::string VerdictText(engine::Flag const& f, Instant now) {
  using std::chrono::floor;
  using std::chrono::minutes;
  switch (f.status) {
    case FlagStatus::kMet:
      if (f.met_at && f.due) {
        return "met, " + std::to_string(floor<minutes>(*f.due - *f.met_at).count()) +
               " min before the due time";
      }
      return "met";
    case FlagStatus::kBreached:
      return "breached: " + std::to_string(f.late_minutes) + " min late (counted to " +
             (f.met_at             ? "when it was met"
              : f.stopped_by_close ? "the close"
                                   : "now") +
             ")";
    case FlagStatus::kPending:
      return "pending: " + (f.due
                                ? std::to_string(floor<minutes>(*f.due - now).count()) + " min left"
                                : std::string("no due time"));
    case FlagStatus::kInfo:
      break;
  }
  return "info: per seed 001 this complaint did not need a Salesforce case (pre-M3 PTO)";
}

std::string Outcome(Explanation const& e, ExplainedRule const& r, LocalClock const& clock) {
  engine::Flag const& f = r.flag;
  engine::Snapshot const& s = e.snapshot;
  if (f.met_by_event >= 0 && static_cast<std::size_t>(f.met_by_event) < s.events.size()) {
    return "met by " + EventRef(s, f.met_by_event, clock);
  }
  if (f.met_by_close && f.met_at) {
    return "met by closing the case at " + LocalAndUtc(clock, *f.met_at) + " before the due time";
  }
  if (f.status == FlagStatus::kMet) {
    return "met by the case data: installer " + s.installer_id + ", homeowner " + s.homeowner_id;
  }
  if (f.status == FlagStatus::kInfo) return "nothing awaited";
  std::string const awaited(AwaitedText(f.rule));
  if (f.stopped_by_close && s.closed_at) {
    return "never came: awaited " + awaited + "; the case closed at " +
           LocalAndUtc(clock, *s.closed_at);
  }
  return "still awaiting " + awaited;
}

DocRule RuleDoc(Explanation const& e, ExplainedRule const& r, LocalClock const& clock) {
  DocRule d;
  d.rule = std::string(mappings::RuleName(r.flag.rule));
  d.verdict = Verdict(r.flag);
  std::string started = LocalAndUtc(clock, r.flag.started) + ", ";
  started += r.started_by_event >= 0 ? EventRef(e.snapshot, r.started_by_event, clock)
                                     : "the case's creation";
  d.rows.emplace_back("clock started", std::move(started));
  if (r.flag.due) {
    std::string due = LocalAndUtc(clock, *r.flag.due) + " = clock start + ";
    due += DurationWords(r.duration.length);
    due += r.duration.kind == mappings::DurationKind::kBusiness
               ? " of business time"
               : " of calendar time (nights, weekends and holidays count)";
    d.rows.emplace_back("due", std::move(due));
    d.arithmetic = ArithmeticLines(r, clock);
  } else {
    d.rows.emplace_back("due", "none (information only)");
  }
  d.rows.emplace_back(r.flag.status == FlagStatus::kPending ? "awaiting" : "outcome",
                      Outcome(e, r, clock));
  d.rows.emplace_back("verdict", VerdictText(r.flag, e.now));
  return d;
}

std::vector<std::string> TimelineRow(LocalClock const& clock, Instant at, std::string what,
                                     std::string record) {
  return {clock.Format(at), Utc(at), std::move(what), std::move(record)};
}

void AddTimeline(Explanation const& e, LocalClock const& clock, ExplainDoc& doc) {
  engine::Snapshot const& s = e.snapshot;
  doc.timeline.push_back(TimelineRow(clock, s.created_at, "case created", s.id));
  bool closed_listed = false;
  auto add_close = [&] {
    std::string what = "case closed";
    if (*s.closed_at > e.now) what += " (after now: ignored)";
    doc.timeline.push_back(TimelineRow(clock, *s.closed_at, std::move(what), s.id));
    closed_listed = true;
  };
  for (std::size_t i : TimelineOrder(s)) {
    engine::Event const& ev = s.events[i];
    if (s.closed_at && !closed_listed && *s.closed_at < ev.at) add_close();
    std::string what = EventWhat(ev);
    if (ev.at > e.now) {
      what += " (after now: ignored)";
    } else if (s.closed_at && *s.closed_at <= e.now && ev.at > *s.closed_at) {
      what += " (after the close: ignored)";
    }
    doc.timeline.push_back(TimelineRow(clock, ev.at, std::move(what), ev.record));
  }
  if (s.closed_at && !closed_listed) add_close();
}

std::string LedgerText(Explanation const& e, ExplainedAction const& a, LocalClock const& clock) {
  if (!a.ledger) return e.ledger_read ? "not in the ledger yet" : "ledger not read";
  store::LedgerEntry const& l = *a.ledger;
  std::string text(store::ActionStateName(l.state));
  if (l.state == store::ActionState::kWritten) {
    text += " as " + l.remote_id;
    if (l.written_at) text += " at " + clock.Format(*l.written_at);
  } else if (l.state == store::ActionState::kFailed) {
    text += " after " + std::to_string(l.attempts) + " attempt(s): " + l.last_error;
  } else {
    text += " at " + clock.Format(l.planned_at) + ", not written yet";
  }
  return text;
}

}  // namespace

StatusOr<LocalClock> LocalClock::Create(std::string const& zone_name) {
  try {
    return LocalClock(date::locate_zone(zone_name));
  } catch (std::exception const&) {
    return InvalidArgumentError("unknown time zone '" + zone_name + "'");
  }
}

std::string LocalClock::Format(Instant t) const {
  return date::format("%a %Y-%m-%d %H:%M %Z", date::make_zoned(zone_, t));
}

std::string LocalClock::TimeOfDay(Instant t) const {
  return date::format("%H:%M", date::make_zoned(zone_, t));
}

std::string LocalClock::Day(std::chrono::sys_days d) {
  return date::format("%a %Y-%m-%d", date::sys_days{d.time_since_epoch()});
}

std::string DurationWords(std::chrono::seconds d) {
  auto const total = std::chrono::floor<std::chrono::minutes>(d).count();
  auto const days = total / (24 * 60);
  auto const mins = total % 60;
  std::string out;
  auto add = [&out](std::int64_t v, char const* unit) {
    if (v == 0) return;
    if (!out.empty()) out += ' ';
    out += std::to_string(v) + " " + unit;
  };
  if (days >= 2 && total % (24 * 60) == 0) return std::to_string(days) + " d";
  add(total / 60, "h");
  add(mins, "min");
  return out.empty() ? "0 min" : out;
}

std::vector<std::string> ArithmeticLines(ExplainedRule const& r, LocalClock const& clock) {
  std::vector<std::string> lines;
  auto const& spans = r.arithmetic.spans;
  for (std::size_t i = 0; i < spans.size();) {
    CalendarSpan const& s = spans[i];
    if (s.kind == CalendarSpan::Kind::kCounted) {
      std::string line = "counted " + clock.Format(s.begin) + " - " + clock.TimeOfDay(s.end) +
                         " (" + DurationWords(s.end - s.begin) + ")";
      if (s.dst_change) line += ", a DST change day";
      lines.push_back(std::move(line));
      ++i;
      continue;
    }
    std::size_t j = i;
    std::string names;
    for (; j < spans.size() && spans[j].kind != CalendarSpan::Kind::kCounted; ++j) {
      if (!names.empty()) names += "; ";
      names += SpanName(spans[j]);
    }
    lines.push_back("skipped " + clock.Format(s.begin) + " - " + clock.Format(spans[j - 1].end) +
                    ": " + names);
    i = j;
  }
  if (r.arithmetic.truncated) lines.emplace_back("(the working is cut after 400 days)");
  return lines;
}

StatusOr<ExplainDoc> BuildDoc(Explanation const& e) {
  auto clock = LocalClock::Create(e.time_zone);
  if (!clock.ok()) return clock.status();
  engine::Snapshot const& s = e.snapshot;
  ExplainDoc doc;
  doc.title = "Case " + (s.number.empty() ? s.id : s.number + " (" + s.id + ")");
  doc.facts = {{"system", e.system.empty() ? std::string("unknown") : e.system},
               {"stage", std::string(engine::StageName(e.stage))},
               {"evaluated at", LocalAndUtc(*clock, e.now)},
               {"times", "local to " + e.time_zone + ", UTC in brackets"},
               {"from", e.source}};
  if (!s.primary_reason.empty()) doc.facts.emplace_back("reason", s.primary_reason);
  if (s.tier != 0) doc.facts.emplace_back("tier", std::to_string(s.tier));
  if (!s.owner.empty()) doc.facts.emplace_back("owner", s.owner);
  if (s.financing != engine::Financing::kNone) {
    doc.facts.emplace_back("financing",
                           s.financing == engine::Financing::kBeam ? "beam" : "concert");
  }
  AddTimeline(e, *clock, doc);
  for (auto const& r : e.rules) doc.rules.push_back(RuleDoc(e, r, *clock));
  for (auto const& a : e.actions) {
    doc.actions.push_back({a.action.key, std::string(mappings::ActionKindName(a.action.kind)),
                           a.action.due ? clock->Format(*a.action.due) : std::string("now"),
                           std::string(mappings::RuleName(a.action.rule)),
                           LedgerText(e, a, *clock)});
  }
  if (e.actions.empty()) {
    doc.actions_note = s.closed_at && *s.closed_at <= e.now
                           ? "none: a closed case gets no new actions"
                           : "none planned";
  }
  return doc;
}

}  // namespace casebridge::report::explain_internal
