// The procedure engine: a pure function of (snapshot, policy, calendar, now). No I/O, no clock.
//
// Flow: Snapshot --Evaluate()--> Evaluation{stage, flags (SPEC 1.4 semantics), planned actions}.
// Thread-safe: an Engine is immutable after construction; Evaluate() may run concurrently.
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

  /// Evaluates one case at `now`, replacing the contents of `out` (its capacity is reused).
  void Evaluate(Snapshot const& snapshot, Instant now, Evaluation& out) const;

  /// Convenience wrapper that allocates a fresh Evaluation.
  [[nodiscard]] Evaluation Evaluate(Snapshot const& snapshot, Instant now) const;

 private:
  mappings::Policy const& policy_;
  BusinessCalendar const& calendar_;
  std::string back_office_owner_;  // "queue:<back office key>"
};

}  // namespace casebridge::engine
