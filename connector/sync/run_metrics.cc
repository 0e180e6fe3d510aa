#include "connector/sync/run_metrics.h"

#include <array>
#include <charconv>
#include <limits>
#include <set>
#include <string_view>
#include <vector>

#include "connector/adapters/flag_rows.h"

namespace casebridge::sync {
namespace {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// Writes one family at a time: HELP and TYPE, then its samples.
class Exposition {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;  // plain text of ours: no backslash or line break to escape
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void Sample(std::string_view name, Labels const& labels, std::int64_t value) {
    Start(name, labels);
    out_ += std::to_string(value);
    out_ += '\n';
  }

  void Sample(std::string_view name, Labels const& labels, double value) {
    Start(name, labels);
    std::array<char, 64> buffer{};
    auto const [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out_.append(buffer.data(), ec == std::errc() ? end : buffer.data());
    out_ += '\n';
  }

  [[nodiscard]] std::string const& text() const { return out_; }
  /// The org of the samples that follow: an `org` label first, except for org default.
  void SetOrg(std::string_view org) { org_ = org == "default" ? std::string_view() : org; }

 private:
  void Start(std::string_view name, Labels const& given) {
    out_ += name;
    Labels labels;
    if (!org_.empty()) labels.emplace_back("org", org_);
    labels.insert(labels.end(), given.begin(), given.end());
    if (!labels.empty()) {
      char sep = '{';
      for (auto const& [label, value] : labels) {
        out_ += sep;
        out_ += label;
        out_ += "=\"";
        AppendEscaped(value);
        out_ += '"';
        sep = ',';
      }
      out_ += '}';
    }
    out_ += ' ';
  }

  // Label values: backslash, double quote and line feed are escaped.
  void AppendEscaped(std::string_view value) {
    for (char c : value) {
      if (c == '\\' || c == '"') {
        out_ += '\\';
        out_ += c;
      } else if (c == '\n') {
        out_ += "\\n";
      } else {
        out_ += c;
      }
    }
  }

  std::string out_;
  std::string_view org_;
};

std::int64_t CountOf(std::map<std::string, std::int64_t> const& counts, char const* key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

void WriteFlagsFamily(Exposition& e) {
  e.Family("casebridge_flags", "gauge",
           "Flags in the state store by rule and status, stated as of the last run (pending "
           "flags past their due count as breached).");
}

void WriteFlags(Exposition& e, FlagCounts const& flags) {
  for (auto const& [rule, by_status] : flags) {
    for (char const* status : {"met", "breached", "pending"}) {
      e.Sample("casebridge_flags", {{"rule", rule}, {"status", status}},
               CountOf(by_status, status));
    }
    for (auto const& [status, n] : by_status) {
      if (status != "met" && status != "breached" && status != "pending") {
        e.Sample("casebridge_flags", {{"rule", rule}, {"status", status}}, n);
      }
    }
  }
}

// A reason on one line, short enough for a probe's log.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  constexpr std::size_t kMax = 300;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

// "15m", "1h30m", "45s": the interval as it was written on the command line.
std::string IntervalText(std::chrono::seconds interval) {
  auto s = interval.count();
  std::string out;
  for (auto const& [unit, size] : {std::pair{'h', 3600L}, std::pair{'m', 60L}}) {
    if (s >= size) {
      out += std::to_string(s / size) + unit;
      s %= size;
    }
  }
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

}  // namespace

StatusOr<FlagCounts> CountStoredFlags(store::StateStore& store, Instant as_of) {
  store::FlagQuery query;
  query.field = store::FlagTimeField::kStarted;
  query.from = Instant(std::chrono::seconds(std::numeric_limits<std::int64_t>::min()));
  query.to = Instant(std::chrono::seconds(std::numeric_limits<std::int64_t>::max()));
  FlagCounts counts;
  store::FlagRecord restated;
  Status s = store.ForEachFlag(query, [&](store::FlagRecord const& f) {
    if (adapters::ClockRunning(f)) {
      restated = f;
      adapters::RestateAsOf(restated, as_of);
      ++counts[restated.rule_id][restated.status];
    } else {
      ++counts[f.rule_id][f.status];
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  return counts;
}

void RunMetrics::AddRun(SyncOutcome const& outcome, RunFacts const& facts) {
  SyncStats const& st = outcome.stats;
  Series& series = orgs_[facts.org];
  auto& written_ = series.written;
  auto& failed_ = series.failed;
  auto& calls_ = series.calls;
  series.cases_read += st.cases_read;
  // Every system gets its series, with 0 when it wrote nothing.
  std::set<std::string> systems = {facts.system};
  if (st.forge) systems.insert(facts.linked_system);
  for (auto const& [system, counts] : st.actions_by_system) systems.insert(system);
  for (auto const& system : systems) {
    auto it = st.actions_by_system.find(system);
    std::map<std::string, std::int64_t> const none;
    auto const& counts = it == st.actions_by_system.end() ? none : it->second;
    written_[system] += CountOf(counts, "written");
    failed_[system] += CountOf(counts, "failed");
  }
  for (auto const& [kind, n] : outcome.calls.by_kind) calls_[{facts.system, kind}] += n;
  if (st.forge) {
    for (auto const& [kind, n] : outcome.forge_calls.by_kind) {
      calls_[{facts.linked_system, kind}] += n;
    }
  }
  series.flags = facts.flags.value_or(FlagCounts{});  // unknown: no samples, not stale ones
  series.usage = facts.api_usage_ratio;
  series.duration_seconds = facts.duration_seconds;
  if (facts.last_success) series.last_success = facts.last_success;
}

std::vector<std::pair<std::string const*, RunMetrics::Series const*>> RunMetrics::Ordered() const {
  std::vector<std::pair<std::string const*, Series const*>> out;
  if (auto it = orgs_.find("default"); it != orgs_.end()) out.emplace_back(&it->first, &it->second);
  for (auto const& [org, series] : orgs_) {
    if (org != "default") out.emplace_back(&org, &series);
  }
  return out;
}

std::string RunMetrics::Text() const {
  Exposition e;
  auto ordered = Ordered();
  Series const empty;
  std::string const default_org = "default";
  if (ordered.empty()) ordered.emplace_back(&default_org, &empty);  // before the first run
  // Each family once, with the samples of every org under it.
  auto each = [&](auto const& write) {
    for (auto const& [org, series] : ordered) {
      e.SetOrg(*org);
      write(*series);
    }
    e.SetOrg("");
  };
  e.Family("casebridge_cases_read_total", "counter",
           "Case records read from the source system (changed, due and re-read cases).");
  each([&](Series const& s) { e.Sample("casebridge_cases_read_total", {}, s.cases_read); });
  WriteFlagsFamily(e);
  each([&](Series const& s) { WriteFlags(e, s.flags); });
  e.Family("casebridge_actions_written_total", "counter",
           "Actions (tasks, reassignments, posts) written, by target system.");
  each([&](Series const& s) {
    for (auto const& [system, n] : s.written) {
      e.Sample("casebridge_actions_written_total", {{"system", system}}, n);
    }
  });
  e.Family("casebridge_actions_failed_total", "counter",
           "Action writes that failed (retried by later runs), by target system.");
  each([&](Series const& s) {
    for (auto const& [system, n] : s.failed) {
      e.Sample("casebridge_actions_failed_total", {{"system", system}}, n);
    }
  });
  e.Family("casebridge_api_calls_total", "counter",
           "HTTP calls made to each system, by kind (retries and token requests included).");
  each([&](Series const& s) {
    for (auto const& [key, n] : s.calls) {
      e.Sample("casebridge_api_calls_total", {{"system", key.first}, {"kind", key.second}}, n);
    }
  });
  e.Family("casebridge_api_usage_ratio", "gauge",
           "Share of the daily API allocation used, as the system last reported it (0 to 1).");
  each([&](Series const& s) {
    for (auto const& [system, ratio] : s.usage) {
      e.Sample("casebridge_api_usage_ratio", {{"system", system}}, ratio);
    }
  });
  e.Family("casebridge_run_duration_seconds", "gauge", "Wall time of the last run.");
  each([&](Series const& s) {
    e.Sample("casebridge_run_duration_seconds", {}, s.duration_seconds);
  });
  e.Family("casebridge_last_success_timestamp_seconds", "gauge",
           "Unix time the last succeeded run (recorded in the state store) evaluated as of.");
  each([&](Series const& s) {
    if (s.last_success) {
      e.Sample("casebridge_last_success_timestamp_seconds", {},
               std::int64_t{s.last_success->time_since_epoch().count()});
    }
  });
  return e.text();
}

void Readiness::RunFinished(std::string failure) {
  std::lock_guard lock(mu_);
  finished_any_ = true;
  failure_ = OneLine(std::move(failure));
}

std::optional<std::string> Readiness::NotReadyReason(TimePoint now) const {
  std::lock_guard lock(mu_);
  if (!finished_any_) {
    if (now - started_ <= interval_) return std::nullopt;
    return "the first run has not finished within the interval (" + IntervalText(interval_) + ")";
  }
  if (failure_.empty()) return std::nullopt;
  return "the last run failed: " + failure_;
}

}  // namespace casebridge::sync
