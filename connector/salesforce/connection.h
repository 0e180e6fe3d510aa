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

/// How one logical call is made. ClientOptions (client.h) nests these.
struct ConnectionOptions {
  std::string api_version = "62.0";  // the `vNN.N` in /services/data/vNN.N
  RetryOptions retry;                // attempts and backoff for idempotent calls
  std::uint64_t jitter_seed = 0x5eedULL;
  std::chrono::milliseconds request_timeout{120'000};
  /// A Retry-After longer than this is not waited out: the call fails with kResourceExhausted
  /// (stop, save progress, exit 5, the next run resumes) instead of sleeping.
  std::chrono::milliseconds max_retry_after{std::chrono::hours(1)};
  std::shared_ptr<spdlog::logger> logger;  // retries are logged here; default logger when null
  /// What an HTTP-date Retry-After is relative to; the system clock when null.
  std::shared_ptr<Clock const> clock;
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
  [[nodiscard]] Instant Now() const { return options_.clock->Now(); }

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  ConnectionOptions options_;
  Sleeper sleeper_;
  mutable std::atomic<std::uint64_t> calls_{0};
};

}  // namespace casebridge::salesforce
