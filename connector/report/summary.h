// Internal: the summary counters of a report (per rule, owner, queue, installer and ISO week),
// kept while the per-flag rows stream past.
//
// Memory: counters per group, plus one late-minutes histogram per group (never a list of flags):
//  * overall and per rule (Precision::kExact): a flat array with one count per minute below
//    131,072 minutes (~91 days), then 1,024 buckets per power of two (relative error < 0.1%),
//    sized by the largest value seen: at most 512 KB per rule for lateness up to 91 days;
//  * per owner, queue, installer and week (Precision::kCompact): the exact distinct values while
//    a group has at most kCompactExactValues of them (4 KB), then a flat array exact below 128
//    minutes and with 64 buckets per power of two above (relative error < 1.6%; ~3 KB for
//    lateness up to 91 days). exact() says which.
// Groups are the distinct rules, owners, queues, installers and weeks in the range, at most
// Summary::kMaxGroups per list (then "(other)"): memory does not grow with the number of flags.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/store/records.h"

namespace casebridge::report::report_internal {

/// Late minutes of breached flags; nearest-rank percentiles.
class LateHistogram {
 public:
  enum class Precision : std::uint8_t { kExact, kCompact };
  /// Exact-minute range of kExact.
  static constexpr std::int64_t kExactBelow = std::int64_t{1} << 17;
  /// Distinct values kCompact keeps exactly before switching to buckets.
  static constexpr std::size_t kCompactExactValues = 256;

  explicit LateHistogram(Precision precision = Precision::kCompact);

  /// Counts one value (negative values count as 0).
  void Add(std::int64_t minutes);
  [[nodiscard]] std::int64_t count() const { return count_; }
  /// Nearest-rank percentile for `p` in (0, 1]: the smallest recorded value v such that at least
  /// ceil(p * count) values are <= v; when !exact(), v rounded down to its bucket. nullopt when
  /// empty.
  [[nodiscard]] std::optional<std::int64_t> Percentile(double p) const;
  /// True while every value recorded is kept exactly (percentiles are exact).
  [[nodiscard]] bool exact() const { return exact_; }
  /// Entries held (memory bound checks).
  [[nodiscard]] std::size_t buckets() const { return values_.size() + counts_.size(); }

 private:
  [[nodiscard]] std::size_t IndexOf(std::int64_t minutes) const;
  [[nodiscard]] std::int64_t ValueOf(std::size_t index) const;
  void AddToBuckets(std::int64_t minutes, std::uint32_t n);

  int exact_bits_;   // bucket array: values below 2^exact_bits_ have their own bucket
  int sub_bits_;     // and 2^sub_bits_ buckets per power of two above that
  bool use_values_;  // kCompact before switching: exact (value, count) pairs, sorted
  bool exact_ = true;
  std::vector<std::pair<std::int64_t, std::uint32_t>> values_;
  std::vector<std::uint32_t> counts_;
  std::int64_t count_ = 0;
};

struct GroupStats {
  std::string label;  // display name (owner or installer name, rule description, week label)
  std::int64_t met = 0;
  std::int64_t breached = 0;
  std::int64_t pending = 0;
  std::int64_t info = 0;
  std::int64_t installer_contact_total = 0;     // installer_contact_2d flags (installers)
  std::int64_t installer_contact_breached = 0;  // of which breached
  LateHistogram late;

  explicit GroupStats(LateHistogram::Precision precision = LateHistogram::Precision::kCompact)
      : late(precision) {}
  [[nodiscard]] std::int64_t total() const { return met + breached + pending + info; }
  /// breached / (met + breached): the share of decided clocks that were broken; nullopt when
  /// none is decided yet (pending and info flags do not count).
  [[nodiscard]] std::optional<double> BreachRate() const;
};

/// One group of a summary with its key (rule id, owner id, queue key, installer id, or the
/// week's Monday as YYYY-MM-DD; "" for "none").
struct GroupView {
  std::string_view key;
  GroupStats const* stats = nullptr;
};

class Summary {
 public:
  /// Most groups one summary list holds; flags of further new keys are counted in one group
  /// keyed kOtherKey, labelled "(other: beyond the first 20000 groups)".
  static constexpr std::size_t kMaxGroups = 20'000;
  static constexpr std::string_view kOtherKey = "(other)";

  /// Counts one flag. `queue` is the queue the flag's case is handled in ("" = none); `week`
  /// the ISO week of its start in the report's time zone.
  void Add(store::FlagRecord const& f, std::string_view rule_label, std::string_view queue,
           std::chrono::sys_days week_monday, std::string_view week_label);

  [[nodiscard]] GroupStats const& totals() const { return totals_; }
  /// Worst first: most breached, then highest breach rate, then most flags, then key.
  [[nodiscard]] std::vector<GroupView> ByRule() const { return WorstFirst(by_rule_); }
  [[nodiscard]] std::vector<GroupView> ByOwner() const { return WorstFirst(by_owner_); }
  [[nodiscard]] std::vector<GroupView> ByQueue() const { return WorstFirst(by_queue_); }
  [[nodiscard]] std::vector<GroupView> ByInstaller() const { return WorstFirst(by_installer_); }
  /// Weeks in time order (a time series), keyed by their Monday `YYYY-MM-DD`.
  [[nodiscard]] std::vector<GroupView> ByWeek() const;

 private:
  static std::vector<GroupView> WorstFirst(std::map<std::string, GroupStats, std::less<>> const& m);

  GroupStats totals_{LateHistogram::Precision::kExact};
  std::map<std::string, GroupStats, std::less<>> by_rule_;
  std::map<std::string, GroupStats, std::less<>> by_owner_;
  std::map<std::string, GroupStats, std::less<>> by_queue_;
  std::map<std::string, GroupStats, std::less<>> by_installer_;
  std::map<std::string, GroupStats, std::less<>> by_week_;  // YYYY-MM-DD sorts in time order
};

}  // namespace casebridge::report::report_internal
