// `casebridge explain` (issue 15): why one case stands where it does. The case's snapshot is
// evaluated with the engine at `now`, and every flag is explained: what started its clock, the
// due-time arithmetic (BusinessCalendar::ExplainDue: the business windows counted and the
// closing hours, weekends, holidays and DST days skipped), what met it or what is still
// awaited, the verdict and minutes late; then the actions planned and their ledger state.
//
// Flow: Snapshot --Explain()--> Explanation (+ ledger rows the caller looked up)
//       --RenderExplanation(text | json | html)--> one document.
// Text is for pasting into a chat thread; HTML is one self-contained page (every record value
// escaped, no scripts, no network access); JSON is for tools.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "connector/store/records.h"
#include "connector/store/state_store.h"
#include "mappings/policy.h"

namespace casebridge::report {

struct ExplainedRule {
  engine::Flag flag;
  mappings::RuleDuration duration;
  /// The working of a business-hours due time (empty spans for calendar durations).
  engine::DueExplanation arithmetic;
  int started_by_event = -1;  // index into snapshot.events of the event that started the clock
};

struct ExplainedAction {
  engine::PlannedAction action;
  std::optional<store::LedgerEntry> ledger;  // nullopt: not in the ledger (or no store)
};

struct Explanation {
  engine::Snapshot snapshot;
  std::string system;  // where the case lives ("salesforce" | "forge"), "" when unknown
  std::string source;  // where the snapshot came from, for the reader
  Instant now{};
  std::string time_zone;
  engine::Stage stage = engine::Stage::kOpen;
  std::vector<ExplainedRule> rules;
  std::vector<ExplainedAction> actions;
  bool ledger_read = false;  // the ledger was consulted (a store was given)
};

/// Evaluates `snapshot` at `now` and explains every flag. `calendar` must be built from
/// `policy.calendar`. The actions have no ledger state yet (see AttachLedger).
Explanation Explain(engine::Snapshot snapshot, mappings::Policy const& policy,
                    engine::BusinessCalendar const& calendar, Instant now);

/// Fills each action's ledger row from `rows` (matched by key) and marks the ledger as read.
void AttachLedger(Explanation& explanation, std::vector<store::LedgerEntry> rows);

enum class ExplainFormat : std::uint8_t { kText, kJson, kHtml };
std::optional<ExplainFormat> ParseExplainFormat(std::string_view name);

/// The explanation as a document. kInvalidArgument when the time zone is unknown.
StatusOr<std::string> RenderExplanation(Explanation const& explanation, ExplainFormat format);

/// For `casebridge report --format html --explain-pages`: writes `<dir>/explain/<case id>.html`
/// for every case with a flag matching `query` (the report's range, status breached), from the
/// case's stored snapshot evaluated at `as_of`, with its ledger rows. Cases without a stored
/// snapshot, or whose id is not a plain file name ([A-Za-z0-9._-], not starting with '.'), are
/// skipped and counted. Pages are created readable by their owner only.
struct ExplainPagesResult {
  std::int64_t written = 0;
  std::int64_t skipped = 0;
};
StatusOr<ExplainPagesResult> WriteExplainPages(store::StateStore& store,
                                               mappings::Policy const& policy,
                                               engine::BusinessCalendar const& calendar,
                                               store::FlagQuery const& query, Instant as_of,
                                               std::string const& dir);

}  // namespace casebridge::report
