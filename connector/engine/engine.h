// The procedure engine: a pure function of (snapshot, policy, calendar, now). No I/O, no clock.
//
// Flow: Snapshot --Evaluate()--> Evaluation{stage, flags (SPEC 1.4 semantics), planned actions}.
// Thread-safe: an Engine is immutable after construction; Evaluate() may run concurrently
// (each thread with its own Evaluation).
//
// How the snapshot is read (SPEC 1.4):
//  * The case is evaluated as it stood at `now`: events later than `now`, and a `closed_at` later
//    than `now`, are ignored (so a `--now` replay of history is exact). The earliest such instant
//    is reported in Evaluation::later_than_now, for a caller that must look at the case again.
//  * Events are ordered by `at` with a stable sort: ties keep input order and none is dropped
//    (two customer messages at the same second are two clocks). `kUnknown` events are ignored,
//    and so are events after `closed_at` on a closed case.
//  * A `customer_message` at or before `created_at` is the contact that opened the case
//    (Email-to-Case): it starts no `response_4bh` clock of its own, the creation clock covers it.
//  * A case is closed iff `closed_at` is set and not later than `now`. A reopened case (closed
//    once, `closed_at` null again) is simply open: its earlier closing meets nothing.
//  * Installer complaint = `primary_reason == policy.reasons.installer_complaint`; the Beam branch
//    is `financing` beam or concert; "in back office" = a `reassigned` event to
//    "queue:<policy.queues.back_office>" (the current owner may since be a back-office user).
//  * Pre-M3 PTO installer complaints (`pre_m3_pto: true`): per seed 001 such a complaint did not
//    need a Salesforce case at all, so the installer-complaint procedure does not apply to it:
//    no relations/outreach/handoff/installer/sales-referral/follow-up/AM/Beam flags and none of
//    their actions, only the `case_not_required` info flag. The general rules of seed 000
//    (`response_4bh`, the tier rules) still apply: the homeowner still gets a timely answer.
//  * `am_response_5d` applies to any case with a `sales_referral` except a pre-M3 one;
//    `followup_5d` and `homeowner_followup` to installer complaints with a `sales_referral`
//    (Beam or not).
//
// Flags come in catalogue order (mappings::kAllRules), several instances of one rule by
// `started`; actions (open cases only) in catalogue order (mappings::kAllActions), then by `n`.
// An action whose key is the `key` of a `task_created` event of the snapshot (at or before `now`)
// is not planned.
// `forge_document` and `forge_service_ticket` are never planned here (the sync plans them).
#pragma once

#include <vector>

#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/evaluation.h"
#include "connector/engine/snapshot.h"
#include "mappings/policy.h"

namespace casebridge::engine {

class Engine {
 public:
  /// Keeps references: `policy` and `calendar` must outlive the engine.
  Engine(mappings::Policy const& policy, BusinessCalendar const& calendar);

  /// Evaluates one case at `now`, replacing the contents of `out` (its capacity is reused:
  /// evaluating many cases into one Evaluation does not allocate once it has grown). Never fails:
  /// any snapshot is evaluable. `out` must not be shared with a concurrent call.
  void Evaluate(Snapshot const& snapshot, Instant now, Evaluation& out) const;

  /// Convenience wrapper that allocates a fresh Evaluation.
  [[nodiscard]] Evaluation Evaluate(Snapshot const& snapshot, Instant now) const;

 private:
  mappings::Policy const& policy_;
  BusinessCalendar const& calendar_;
  std::string back_office_owner_;  // "queue:<back office key>"
};

}  // namespace casebridge::engine
