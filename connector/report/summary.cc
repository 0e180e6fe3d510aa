#include "connector/report/summary.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "connector/common/time.h"

namespace casebridge::report::report_internal {
namespace {

constexpr std::string_view kInstallerContactRule = "installer_contact_2d";

GroupStats& Group(std::map<std::string, GroupStats, std::less<>>& m, std::string_view key,
                  LateHistogram::Precision precision = LateHistogram::Precision::kCompact) {
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), GroupStats(precision)).first;
  return it->second;
}

// The group of `key`; once `m` holds Summary::kMaxGroups groups, a new key is counted in the
// "(other)" group instead (`other` says so), which keeps memory bounded whatever the input.
GroupStats& GroupOrOther(std::map<std::string, GroupStats, std::less<>>& m, std::string_view key,
                         bool& other,
                         LateHistogram::Precision precision = LateHistogram::Precision::kCompact) {
  auto it = m.find(key);
  if (it != m.end()) {
    other = key == Summary::kOtherKey;
    return it->second;
  }
  other = m.size() >= Summary::kMaxGroups;
  GroupStats& g = Group(m, other ? Summary::kOtherKey : key, precision);
  if (other && g.label.empty()) {
    g.label = "(other: beyond the first " + std::to_string(Summary::kMaxGroups) + " groups)";
  }
  return g;
}

void Count(GroupStats& g, store::FlagRecord const& f) {
  std::string_view const status = f.status;
  if (status == "met") {
    ++g.met;
  } else if (status == "breached") {
    ++g.breached;
    g.late.Add(std::max<std::int64_t>(0, f.late_minutes.value_or(0)));
  } else if (status == "pending") {
    ++g.pending;
  } else if (status == "info") {
    ++g.info;
  }
}

void SetLabel(GroupStats& g, std::string_view name, std::string_view fallback) {
  if (!g.label.empty() && g.label != fallback) return;  // keep the first real name seen
  if (!name.empty()) {
    g.label.assign(name);
  } else if (g.label.empty()) {
    g.label.assign(fallback);
  }
}

}  // namespace

LateHistogram::LateHistogram(Precision precision)
    : exact_bits_(precision == Precision::kExact ? 17 : 7),
      sub_bits_(precision == Precision::kExact ? 10 : 6),
      use_values_(precision == Precision::kCompact) {}

std::size_t LateHistogram::IndexOf(std::int64_t minutes) const {
  auto const v = static_cast<std::uint64_t>(std::max<std::int64_t>(0, minutes));
  std::uint64_t const exact_below = std::uint64_t{1} << exact_bits_;
  if (v < exact_below) return static_cast<std::size_t>(v);
  int const width = static_cast<int>(std::bit_width(v));  // > exact_bits_
  int const shift = width - 1 - sub_bits_;
  std::uint64_t const sub = (v >> shift) - (std::uint64_t{1} << sub_bits_);
  return static_cast<std::size_t>(
      exact_below +
      static_cast<std::uint64_t>(width - 1 - exact_bits_) * (std::uint64_t{1} << sub_bits_) + sub);
}

std::int64_t LateHistogram::ValueOf(std::size_t index) const {
  std::uint64_t const exact_below = std::uint64_t{1} << exact_bits_;
  if (index < exact_below) return static_cast<std::int64_t>(index);
  std::uint64_t const rest = index - exact_below;
  std::uint64_t const per_octave = std::uint64_t{1} << sub_bits_;
  int const octave = exact_bits_ + static_cast<int>(rest / per_octave);  // value's top bit
  std::uint64_t const sub = rest % per_octave;
  return static_cast<std::int64_t>((per_octave + sub) << (octave - sub_bits_));
}

void LateHistogram::AddToBuckets(std::int64_t minutes, std::uint32_t n) {
  std::size_t const i = IndexOf(minutes);
  if (i >= counts_.size()) counts_.resize(i + 1, 0);
  counts_[i] += n;
  // Above the exact range every bucket spans several minutes (exact_bits_ > sub_bits_).
  if (minutes >= (std::int64_t{1} << exact_bits_)) exact_ = false;
}

void LateHistogram::Add(std::int64_t minutes) {
  minutes = std::max<std::int64_t>(0, minutes);
  ++count_;
  if (use_values_) {
    auto it = std::lower_bound(values_.begin(), values_.end(), minutes,
                               [](auto const& e, std::int64_t v) { return e.first < v; });
    if (it != values_.end() && it->first == minutes) {
      ++it->second;
      return;
    }
    if (values_.size() < kCompactExactValues) {
      values_.insert(it, {minutes, 1});
      return;
    }
    // Too many distinct values for one group: switch to buckets.
    use_values_ = false;
    for (auto const& [v, n] : values_) AddToBuckets(v, n);
    values_.clear();
    values_.shrink_to_fit();
  }
  AddToBuckets(minutes, 1);
}

std::optional<std::int64_t> LateHistogram::Percentile(double p) const {
  if (count_ == 0) return std::nullopt;
  auto rank = static_cast<std::int64_t>(std::ceil(p * static_cast<double>(count_)));
  rank = std::clamp<std::int64_t>(rank, 1, count_);
  std::int64_t seen = 0;
  if (use_values_) {
    for (auto const& [v, n] : values_) {
      seen += n;
      if (seen >= rank) return v;
    }
    return values_.back().first;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return ValueOf(i);
  }
  return ValueOf(counts_.size() - 1);
}

std::optional<double> GroupStats::BreachRate() const {
  std::int64_t const decided = met + breached;
  if (decided == 0) return std::nullopt;
  return static_cast<double>(breached) / static_cast<double>(decided);
}

void Summary::Add(store::FlagRecord const& f, std::string_view rule_label, std::string_view queue,
                  std::chrono::sys_days week_monday, std::string_view week_label) {
  Count(totals_, f);

  bool other = false;
  GroupStats& rule = GroupOrOther(by_rule_, f.rule_id, other, LateHistogram::Precision::kExact);
  if (!other) SetLabel(rule, rule_label, f.rule_id);
  Count(rule, f);

  GroupStats& owner = GroupOrOther(by_owner_, f.owner, other);
  if (!other) SetLabel(owner, f.owner_name, f.owner.empty() ? std::string_view("(none)") : f.owner);
  Count(owner, f);

  GroupStats& q = GroupOrOther(by_queue_, queue, other);
  if (!other) SetLabel(q, queue, "(none)");
  Count(q, f);

  GroupStats& installer = GroupOrOther(by_installer_, f.installer, other);
  if (!other) {
    SetLabel(installer, f.installer_name,
             f.installer.empty() ? std::string_view("(none)") : f.installer);
  }
  Count(installer, f);
  if (f.rule_id == kInstallerContactRule) {
    ++installer.installer_contact_total;
    if (f.status == "breached") ++installer.installer_contact_breached;
  }

  std::string const key = FormatDate(week_monday);
  GroupStats& week = GroupOrOther(by_week_, key, other);
  if (!other) SetLabel(week, week_label, key);
  Count(week, f);
}

std::vector<GroupView> Summary::WorstFirst(
    std::map<std::string, GroupStats, std::less<>> const& m) {
  std::vector<GroupView> out;
  out.reserve(m.size());
  for (auto const& [key, stats] : m) out.push_back({key, &stats});
  std::stable_sort(out.begin(), out.end(), [](GroupView const& a, GroupView const& b) {
    if (a.stats->breached != b.stats->breached) return a.stats->breached > b.stats->breached;
    double const ra = a.stats->BreachRate().value_or(-1.0);
    double const rb = b.stats->BreachRate().value_or(-1.0);
    if (ra != rb) return ra > rb;
    if (a.stats->total() != b.stats->total()) return a.stats->total() > b.stats->total();
    return a.key < b.key;
  });
  return out;
}

std::vector<GroupView> Summary::ByWeek() const {
  std::vector<GroupView> out;
  out.reserve(by_week_.size());
  for (auto const& [key, stats] : by_week_) out.push_back({key, &stats});
  return out;
}

}  // namespace casebridge::report::report_internal
