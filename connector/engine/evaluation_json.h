// Writing evaluations: the JSON line of `casebridge evaluate` (SPEC section 2, a public
// interface: exact format) and the human-readable `--format text` form with its totals.
//
// Flow: Engine::Evaluate() -> Evaluation -> AppendEvaluationJson() / AppendEvaluationText()
//       -> output buffer (the caller flushes it in large chunks).
// All functions append to a caller-owned string so one buffer can be reused for many cases.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "mappings/catalogue.h"

namespace casebridge::engine {

/// Appends `s` as a JSON string literal, quotes included: `"` and `\` are backslash-escaped,
/// control characters (< 0x20) become `\u00XX`; every other byte (UTF-8) passes through.
void AppendJsonString(std::string& out, std::string_view s);

/// Appends one evaluation as the SPEC 2 JSON object, on one line, without spaces and without a
/// trailing newline. Keys in this order:
///   {"id":…,"stage":…,"flags":[{"rule":…,"started":…,"due":…|null,"met_at":…|null,
///    "status":…[,"late_minutes":N]}…],"actions":[{"action":…,"kind":…,"key":…,"due":…|null}…]}
/// `late_minutes` appears on breached flags only. Instants are UTC `Z`, to the second; an
/// optional instant (`due`, `met_at`) is null when absent or when it lies beyond what ISO-8601
/// can write (years 0000-9999), e.g. BusinessCalendar::kNever for a clock that never runs out.
void AppendEvaluationJson(std::string& out, std::string_view case_id, Evaluation const& e);

/// Appends a readable block for one case (several lines, each ending in '\n', then a blank
/// line): id and number, stage, every flag that is not met (status, due, lateness), how many
/// were met, and every planned action with its due time and key.
void AppendEvaluationText(std::string& out, Snapshot const& snapshot, Evaluation const& e);

/// Running totals over many evaluations, printed as the footer of `--format text`.
/// Not thread-safe.
class EvaluationTotals {
 public:
  void Add(Evaluation const& e);
  /// Appends the footer: cases evaluated (and `bad_lines` skipped when non-zero), flags by rule
  /// and status, planned actions by id.
  void AppendText(std::string& out, std::int64_t bad_lines) const;

  [[nodiscard]] std::int64_t cases() const { return cases_; }
  [[nodiscard]] std::int64_t flags(mappings::RuleId rule, FlagStatus status) const {
    return flags_.at(static_cast<std::size_t>(rule)).at(static_cast<std::size_t>(status));
  }
  [[nodiscard]] std::int64_t actions(mappings::ActionId action) const {
    return actions_.at(static_cast<std::size_t>(action));
  }

 private:
  std::int64_t cases_ = 0;
  std::array<std::array<std::int64_t, 4>, mappings::kRuleCount> flags_{};  // [rule][status]
  std::array<std::int64_t, mappings::kActionCount> actions_{};
};

}  // namespace casebridge::engine
