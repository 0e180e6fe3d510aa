// The connection layer of the Forge client (google-cloud-cpp style client -> connection ->
// retry loop -> transport): one logical API call = the shared RetryLoop (connector/common/retry.h)
// around one HTTP exchange, the response mapped through the one HTTP -> Status table (errors.h)
// and its JSON body parsed inside the attempt (a truncated 2xx body is transient).
// Internal to connector/forge: the public surface is client.h.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "connector/common/clock.h"
#include "connector/common/retry.h"
#include "connector/http/http_transport.h"

namespace casebridge::forge {

/// How one logical call is made. ClientOptions (client.h) nests these; the defaults here are the
/// only statement of them (the login's timeout is `request_timeout` too).
struct ConnectionOptions {
  RetryOptions retry;
  std::uint64_t jitter_seed = 0xf07eULL;
  std::chrono::milliseconds request_timeout{30'000};
  /// A Retry-After longer than this is not waited out: the call fails with kResourceExhausted
  /// (stop, save progress, exit 5, the next run resumes) instead of sleeping.
  std::chrono::milliseconds max_retry_after{120'000};
};

/// A 2xx response: its status and parsed body (null for an empty body).
struct JsonReply {
  int status = 0;
  nlohmann::json body;
};

/// Thread-safe.
class Connection {
 public:
  /// `transport` is the authorized stack (AuthorizingTransport -> MeteringTransport -> wire), so
  /// relative `/api/…` URLs work.
  Connection(std::shared_ptr<http::HttpTransport> transport, ConnectionOptions options,
             Sleeper sleeper, std::shared_ptr<Clock const> clock);

  /// Sends `request` (adding `Accept` and `Content-Type: application/json`), retrying transient
  /// failures (kUnavailable: 429, 5xx, dropped connections, malformed 2xx bodies;
  /// kDeadlineExceeded: timeouts) only when `idempotency` is kIdempotent, sleeping
  /// max(backoff, Retry-After) between attempts. Returns the 2xx reply or the mapped error;
  /// a Retry-After above `max_retry_after` becomes kResourceExhausted.
  StatusOr<JsonReply> Execute(http::HttpRequest request, Idempotency idempotency) const;

  [[nodiscard]] Clock const& clock() const { return *clock_; }

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  ConnectionOptions options_;
  Sleeper sleeper_;
  std::shared_ptr<Clock const> clock_;
  mutable std::atomic<std::uint64_t> calls_{0};
};

}  // namespace casebridge::forge
