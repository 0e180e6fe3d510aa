// The Prometheus metrics of sync and backfill runs (issue 14 item 6), in the text exposition
// format 0.0.4: what `--metrics-file` writes for node-exporter's textfile collector and what
// `sync --every --metrics-listen` serves on /metrics. README.md ("Running it as a service")
// documents each metric for alerting.
//
//   casebridge_cases_read_total                      counter  SyncStats::cases_read
//   casebridge_flags{rule,status}                    gauge    the flags in the state store, each
//                                                             stated as of the run (as reports do)
//   casebridge_actions_written_total{system}         counter  SyncStats::actions_by_system
//   casebridge_actions_failed_total{system}          counter  SyncStats::actions_by_system
//   casebridge_api_calls_total{system,kind}          counter  SyncOutcome::calls / forge_calls
//   casebridge_api_usage_ratio{system}               gauge    used / limit of the daily API
//                                                             allocation, where the system says
//   casebridge_run_duration_seconds                  gauge    the last run's wall time
//   casebridge_last_success_timestamp_seconds        gauge    the last succeeded run in the state
//                                                             store (its "as of" instant)
// Counters add up over the runs of one process (a `--once` process has one run); gauges are the
// last run's. With several orgs (issue 14) every sample of an org other than "default" carries
// an `org` label first (`casebridge_flags{org="emea",rule=…}`); org default's samples have none,
// as before orgs existed, so single-org dashboards and alerts keep working. A figure that is not
// known (no successful run yet, no usage reported) has no sample.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"
#include "connector/store/state_store.h"
#include "connector/sync/sync_job.h"

namespace casebridge::sync {

/// rule -> status -> count.
using FlagCounts = std::map<std::string, std::map<std::string, std::int64_t>>;

/// Counts the flags in `store` by rule and status, a flag whose clock still runs stated as of
/// `as_of` (pending until its due, breached after), as the reports state them. Reads every flag
/// row once (streamed).
StatusOr<FlagCounts> CountStoredFlags(store::StateStore& store, Instant as_of);

/// What a run's metrics need besides its SyncOutcome.
struct RunFacts {
  std::string org = "default";          // the org the run was for (the store's org)
  std::string system = "salesforce";    // the system of SyncOutcome::calls
  std::string linked_system = "forge";  // of SyncOutcome::forge_calls, when stats.forge
  double duration_seconds = 0;
  std::optional<Instant> last_success;
  std::optional<FlagCounts> flags;                // nullopt: could not be read (no samples)
  std::map<std::string, double> api_usage_ratio;  // by system, where known
};

/// The metrics of the runs of one process. Not thread-safe.
class RunMetrics {
 public:
  /// Adds a finished run: its counters to the totals, its gauges in place of the last run's.
  void AddRun(SyncOutcome const& outcome, RunFacts const& facts);
  /// The text exposition: `# HELP` and `# TYPE` before each family's samples.
  [[nodiscard]] std::string Text() const;

 private:
  /// The figures of one org.
  struct Series {
    std::int64_t cases_read = 0;
    std::map<std::string, std::int64_t> written;                        // by system
    std::map<std::string, std::int64_t> failed;                         // by system
    std::map<std::pair<std::string, std::string>, std::int64_t> calls;  // (system, kind)
    FlagCounts flags;
    std::map<std::string, double> usage;
    double duration_seconds = 0;
    std::optional<Instant> last_success;
  };
  std::map<std::string, Series> orgs_;  // by org; "default" first when present
  /// The orgs in output order: "default" first, then by name.
  [[nodiscard]] std::vector<std::pair<std::string const*, Series const*>> Ordered() const;
};

/// Readiness of a `sync --every` process (/readyz): ready when the last run succeeded, or before
/// the first run finished while the process is younger than one interval. Thread-safe. Times
/// are passed in (a steady clock).
class Readiness {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  Readiness(TimePoint started, std::chrono::seconds interval)
      : started_(started), interval_(interval) {}
  /// A run finished: `failure` is empty when it succeeded, else why it did not.
  void RunFinished(std::string failure);
  /// nullopt when ready as of `now`, else the reason (one line).
  [[nodiscard]] std::optional<std::string> NotReadyReason(TimePoint now) const;

 private:
  mutable std::mutex mu_;
  TimePoint started_;
  std::chrono::seconds interval_;
  bool finished_any_ = false;
  std::string failure_;
};

}  // namespace casebridge::sync
