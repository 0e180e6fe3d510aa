// Observability of the run commands (issue 14 item 6): `--metrics-file PATH` (sync, backfill)
// writes the runs' Prometheus metrics (connector/sync/run_metrics.h) after each run, atomically
// (a temporary file renamed into place, for node-exporter's textfile collector); in
// `sync --every` mode `--metrics-listen HOST:PORT` serves
//   /metrics  the same text,
//   /healthz  200 while the process is alive,
//   /readyz   200 when the last run succeeded, or before the first run finished while it is
//             still within its interval; otherwise 503 with a one-line reason.
#pragma once

#include <boost/program_options.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

#include "connector/common/status.h"
#include "connector/http/http_server.h"
#include "connector/salesforce/client.h"
#include "connector/store/state_store.h"
#include "connector/sync/run_metrics.h"
#include "connector/sync/sync_job.h"

namespace casebridge::cli {

/// Adds --metrics-file, and with `listen` --metrics-listen.
void AddMetricsOptions(boost::program_options::options_description& opts, bool listen);

struct MetricsOptionValues {
  std::string file;  // "" = none
  std::optional<std::pair<std::string, int>> listen;
  [[nodiscard]] bool any() const { return !file.empty() || listen.has_value(); }
};

/// Reads the AddMetricsOptions() values; the error names the option. The metrics file's
/// directory must exist.
std::variant<MetricsOptionValues, std::string> ReadMetricsOptions(
    boost::program_options::variables_map const& vm);

/// Writes `text` to `path` through a temporary file in the same directory renamed into place,
/// so a reader sees the old file or the new one, never a part. kUnavailable naming the path.
Status WriteFileAtomically(std::string const& path, std::string const& text);

/// The facts of a finished run RunMetrics needs that SyncOutcome does not carry: the flags and
/// the last success from `store` (as of `now`), the API usage `client` last saw.
sync::RunFacts CollectRunFacts(store::StateStore& store, Instant now,
                               salesforce::Client const& client, double duration_seconds);

/// The metrics of the runs of one command, published after each run. Thread-safe.
class MetricsPublisher {
 public:
  /// `interval`: the --every interval (for /readyz); 0 when the command runs once.
  MetricsPublisher(MetricsOptionValues options, std::chrono::seconds interval);
  ~MetricsPublisher();
  MetricsPublisher(MetricsPublisher const&) = delete;
  MetricsPublisher& operator=(MetricsPublisher const&) = delete;

  /// Starts the listener when one was asked for and prints its address to `out`
  /// (`casebridge <command>: serving /metrics, /healthz and /readyz on http://HOST:PORT`).
  Status Start(std::string const& command, std::ostream& out);
  /// After a run: adds it to the metrics (`facts` nullopt: the run did not happen, e.g. another
  /// run held the lock; only readiness changes), writes the file, updates /readyz. `failure` as
  /// in sync::Readiness::RunFinished. Errors: writing the file failed.
  Status RunFinished(sync::SyncOutcome const& outcome, std::optional<sync::RunFacts> const& facts,
                     std::string failure);
  /// RunFinished() for a run with the facts collected by CollectRunFacts() (none
  /// when another run held the lock), when any metrics output was asked for. A file error is
  /// printed to `err` after `prefix` (e.g. `casebridge sync: `); the run's result stands.
  void Publish(std::string const& prefix, sync::SyncOutcome const& outcome,
               store::StateStore& store, Instant now, salesforce::Client const& client,
               double duration_seconds, std::ostream& err);

 private:
  http::ServerResponse Serve(http::ServerRequest const& request) const;

  MetricsOptionValues options_;
  sync::Readiness readiness_;
  mutable std::mutex mu_;  // metrics_
  sync::RunMetrics metrics_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace casebridge::cli
