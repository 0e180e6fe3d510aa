// Internal to the explain renderers: the explanation laid out once as a document of plain-text
// rows (ExplainDoc), which the text and HTML forms both render (so they say the same thing),
// and the local-time formatting they share with the JSON form.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.h"
#include "connector/report/explain.h"
#include "mappings/catalogue.h"

namespace date {
class time_zone;
}  // namespace date

namespace casebridge::report::explain_internal {

/// What meets a rule's clock, in the snapshot's vocabulary (SPEC 1.4 "met by").
std::string_view AwaitedText(mappings::RuleId rule);

/// Indices of the snapshot's events ordered by `at`, ties in input order (as the engine reads).
std::vector<std::size_t> TimelineOrder(engine::Snapshot const& s);

/// Wall-clock time in the calendar's zone: `Fri 2026-03-06 17:00 EST`.
class LocalClock {
 public:
  static StatusOr<LocalClock> Create(std::string const& zone_name);
  [[nodiscard]] std::string Format(Instant t) const;              // Fri 2026-03-06 17:00 EST
  [[nodiscard]] std::string TimeOfDay(Instant t) const;           // 17:00
  [[nodiscard]] static std::string Day(std::chrono::sys_days d);  // Sat 2026-03-07

 private:
  explicit LocalClock(date::time_zone const* zone) : zone_(zone) {}
  date::time_zone const* zone_;
};

/// `4 h`, `1 h 30 min`, `45 min`, `2 d` (whole minutes).
std::string DurationWords(std::chrono::seconds d);

/// One stretch of the due-time arithmetic, worded: "counted   Fri 2026-03-06 17:00–18:00 (1 h)".
std::vector<std::string> ArithmeticLines(ExplainedRule const& rule, LocalClock const& clock);

struct DocRule {
  std::string rule;     // rule id
  std::string verdict;  // "MET", "BREACHED 1410 min late", "PENDING", "INFO"
  std::vector<std::pair<std::string, std::string>> rows;  // label, text
  std::vector<std::string> arithmetic;
};

struct ExplainDoc {
  std::string title;
  std::vector<std::pair<std::string, std::string>> facts;  // label, text
  std::vector<std::vector<std::string>> timeline;          // local time, UTC, what, record
  std::vector<DocRule> rules;
  std::vector<std::vector<std::string>> actions;  // key, kind, due, rule, ledger state
  std::string actions_note;
};

StatusOr<ExplainDoc> BuildDoc(Explanation const& e);

std::string RenderText(ExplainDoc const& doc);
std::string RenderHtml(ExplainDoc const& doc);
StatusOr<std::string> RenderJson(Explanation const& e);

}  // namespace casebridge::report::explain_internal
