// The connection layer of the Salesforce client (google-cloud-cpp style client → connection →
// retry loop → transport): one logical API call = the shared RetryLoop around one HTTP exchange,
// with the response mapped through the single HTTP → Status table (errors.h).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "connector/common/clock.h"
#include "connector/common/retry.h"
#include "connector/http/http_transport.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::salesforce {

struct ConnectionOptions {
  std::string api_version = "62.0";  // the `vNN.N` in /services/data/vNN.N
  RetryOptions retry;                // attempts and backoff for idempotent calls
  std::uint64_t jitter_seed = 0x5eedULL;
  std::chrono::milliseconds request_timeout{120'000};
  std::shared_ptr<spdlog::logger> logger;  // retries are logged here; default logger when null
};

/// Thread-safe.
class Connection {
 public:
  /// `transport` is the authorized stack (AuthorizingTransport → MeteringTransport → wire), so
  /// relative `/services/…` URLs work.
  Connection(std::shared_ptr<http::HttpTransport> transport, ConnectionOptions options,
             Sleeper sleeper);

  /// Sends `request`, retrying transient failures (kUnavailable: 5xx, UNABLE_TO_LOCK_ROW,
  /// dropped connections; kDeadlineExceeded: timeouts) only when `idempotency` is kIdempotent.
  /// Returns the 2xx response, or the mapped error (errors.h) / the transport's error /
  /// kResourceExhausted from the budget guard. Non-idempotent requests are sent exactly once.
  StatusOr<http::HttpResponse> Execute(http::HttpRequest request, Idempotency idempotency) const;

  /// "/services/data/v<api_version>" + resource, e.g. DataPath("/query").
  [[nodiscard]] std::string DataPath(std::string_view resource) const;

  [[nodiscard]] Sleeper const& sleeper() const { return sleeper_; }
  [[nodiscard]] ConnectionOptions const& options() const { return options_; }
  [[nodiscard]] std::shared_ptr<spdlog::logger> logger() const;

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  ConnectionOptions options_;
  Sleeper sleeper_;
  mutable std::atomic<std::uint64_t> calls_{0};
};

}  // namespace casebridge::salesforce
