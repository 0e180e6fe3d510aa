// What the engine returns for one case: its stage in the procedure, every flag of the rule
// catalogue that applies (SPEC 1.4) and the actions it plans, each with a deterministic key.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/time.h"
#include "mappings/catalogue.h"

namespace casebridge::engine {

/// Where a case stands. Names are the `stage` strings of `casebridge evaluate`.
/// Decided in this order: `closed_at` set -> closed. An installer complaint (primary reason) is
/// then placed in the seed-001 procedure: pre-M3 PTO -> case_not_required; never reassigned to
/// the back-office queue -> agent_steps; Beam/Concert -> beam_followup; then the furthest
/// back-office step reached: installer_contacted, else sales_referral, else installer_called,
/// else back_office. Any other case by its seed-000 tier (4, 3, 2, 1), else open.
enum class Stage : std::uint8_t {
  kClosed,               // "closed": closed_at is set (a reopened case has it null again)
  kCaseNotRequired,      // "case_not_required": pre-M3 PTO installer complaint
  kAgentSteps,           // "agent_steps": installer complaint not yet in back office
  kBeamFollowup,         // "beam_followup": Beam/Concert case in back office
  kBackOffice,           // "back_office": waiting for the installer to contact the homeowner
  kInstallerCalled,      // "installer_called": back office called the installer, no contact yet
  kSalesReferral,        // "sales_referral": referred to the AM, rolling follow-ups
  kInstallerContacted,   // "installer_contacted": installer reached the homeowner; resolve
  kExecutiveEscalation,  // "executive_escalation": tier 4
  kFieldService,         // "field_service": tier 3
  kAgentAssisted,        // "agent_assisted": tier 2
  kSelfService,          // "self_service": tier 1
  kOpen,                 // "open": any other open case
};
std::string_view StageName(Stage stage);

enum class FlagStatus : std::uint8_t { kMet, kBreached, kPending, kInfo };
std::string_view FlagStatusName(FlagStatus status);

/// SPEC 1.4 `late_minutes`: whole minutes from `due` to `end` (met_at, or the clock's end),
/// rounded down.
inline std::int64_t LateMinutes(Instant due, Instant end) {
  return std::chrono::floor<std::chrono::minutes>(end - due).count();
}

struct Flag {
  mappings::RuleId rule{};
  Instant started{};
  std::optional<Instant> due;     // null only for case_not_required
  std::optional<Instant> met_at;  // null when unmet (and for relations_missing met by data)
  FlagStatus status = FlagStatus::kPending;
  std::int64_t late_minutes = 0;  // breached only
  /// Evidence: index into the snapshot's events of the event that met the clock, -1 if none
  /// (unmet, met by closing, or met by data such as relations).
  int met_by_event = -1;
  bool met_by_close = false;  // met because the case closed before `due`
  /// Unmet and breached on a closed case: its clock stopped at `closed_at` (late_minutes are
  /// counted to the close). An unmet flag of an open case runs on until `now`.
  bool stopped_by_close = false;
};

struct PlannedAction {
  mappings::ActionId action{};
  mappings::ActionKind kind{};
  int n = 1;  // occurrence number: 1 first, 2 next recurrence, …
  std::optional<Instant> due;
  std::string key;          // "<case id>:<action id>:<n>"
  mappings::RuleId rule{};  // the rule whose clock this action serves (audit evidence)
};

/// Engine-internal working memory. It lives in the Evaluation so that a caller that reuses one
/// Evaluation per thread evaluates without allocating in steady state while the Engine itself
/// stays immutable (and thread-safe). Not part of the result: its contents are unspecified
/// between calls and writers ignore it.
struct EvaluationScratch {
  std::vector<std::uint32_t> order;     // indices of the evaluated events, sorted by `at`
  std::vector<std::string> spare_keys;  // key buffers of dropped actions, reused for new ones
};

struct Evaluation {
  Stage stage = Stage::kOpen;
  std::vector<Flag> flags;
  std::vector<PlannedAction> actions;
  /// The earliest instant later than `now` of an event or of `closed_at` that the evaluation
  /// ignored (SPEC 1.4: the case as it stood at `now`); nullopt when there is none. A caller
  /// evaluating a live snapshot should evaluate the case again once that instant has passed
  /// (e.g. a record stamped a few seconds ahead of this host's clock), or the change is missed.
  std::optional<Instant> later_than_now;
  EvaluationScratch scratch;

  /// Empties the result (Engine::Evaluate() does not need it: it replaces the contents). Keeps
  /// capacity, including the actions' key buffers, so clearing does not defeat reuse.
  void Clear() {
    flags.clear();
    for (auto& a : actions) scratch.spare_keys.push_back(std::move(a.key));
    actions.clear();
    later_than_now.reset();
    stage = Stage::kOpen;
  }
};

}  // namespace casebridge::engine
