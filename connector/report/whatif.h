// `casebridge whatif` (issue 15): the stored case snapshots of a range evaluated under the
// current policy and under another one, side by side, writing nothing. Per rule it counts met /
// breached / pending / info under each policy (the report's `summary.by_rule` shape) and lists
// every flag whose status changes.
//
// Flags of one case are matched across the policies by (rule, clock start, occurrence): a policy
// change moves due times, not clock starts. A flag present under one policy only (say a rule
// that no longer applies) is a change from or to "absent".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/engine/engine.h"
#include "mappings/catalogue.h"

namespace casebridge::report {

/// Flags of one rule by status under one policy.
struct RuleCounts {
  std::int64_t met = 0;
  std::int64_t breached = 0;
  std::int64_t pending = 0;
  std::int64_t info = 0;
  [[nodiscard]] std::int64_t total() const { return met + breached + pending + info; }
};

struct WhatifChange {
  std::string case_id;
  std::string case_number;
  std::string system;
  mappings::RuleId rule{};
  Instant started{};
  std::optional<engine::Flag> current;  // nullopt: absent under that policy
  std::optional<engine::Flag> whatif;
};

struct WhatifResult {
  std::int64_t cases = 0;
  std::int64_t unreadable = 0;  // stored snapshots the reader refused (reported, skipped)
  std::array<RuleCounts, mappings::kRuleCount> current{};  // indexed by RuleId
  std::array<RuleCounts, mappings::kRuleCount> whatif{};
  std::vector<WhatifChange> changes;  // in case order, then catalogue order
};

/// Evaluates each case under both engines at `now` and accumulates the result.
class WhatifRun {
 public:
  WhatifRun(engine::Engine const& current, engine::Engine const& whatif, Instant now)
      : current_(current), whatif_(whatif), now_(now) {}
  void Add(std::string const& system, engine::Snapshot const& snapshot);
  WhatifResult& result() { return result_; }

 private:
  engine::Engine const& current_;
  engine::Engine const& whatif_;
  Instant now_;
  engine::Evaluation a_;
  engine::Evaluation b_;
  WhatifResult result_;
};

struct WhatifLabels {
  std::string current_policy;  // e.g. "mappings/default"
  std::string whatif_policy;
  std::string range;  // e.g. "2026-03-01 to 2026-03-31"
  Instant now{};
};

enum class WhatifFormat : std::uint8_t { kText, kCsv, kJson };
std::optional<WhatifFormat> ParseWhatifFormat(std::string_view name);

std::string RenderWhatif(WhatifResult const& result, WhatifLabels const& labels,
                         WhatifFormat format);

}  // namespace casebridge::report
