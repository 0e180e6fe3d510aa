// One retry loop for every client (ARCHITECTURE.md section 3): a retry policy decides which
// failures are transient and how many attempts to make, a backoff policy spaces them out
// (exponential with full jitter, floored by any retry-after the server sent), and an operation
// that is not idempotent is never repeated.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <type_traits>

#include "connector/common/clock.h"
#include "connector/common/status.h"

namespace casebridge {

enum class Idempotency : std::uint8_t { kIdempotent, kNonIdempotent };

struct RetryOptions {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  double multiplier = 2.0;
};

/// Transient failures: kUnavailable (5xx, lock contention, dropped connection) and
/// kDeadlineExceeded (timeouts). Everything else — including kResourceExhausted (the API
/// budget) and kUnauthenticated (handled once by the auth decorator) — is final.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions const& options) : max_attempts_(options.max_attempts) {}
  /// Called after each failed attempt; true when another attempt should be made.
  bool ShouldRetry(Status const& status) {
    ++failures_;
    if (failures_ >= max_attempts_) return false;
    return IsTransient(status);
  }
  static bool IsTransient(Status const& status) {
    return status.code() == StatusCode::kUnavailable ||
           status.code() == StatusCode::kDeadlineExceeded;
  }

 private:
  int max_attempts_;
  int failures_ = 0;
};

/// Exponential backoff with full jitter: the n-th delay is uniform in
/// [cap/2, cap] where cap = min(max_delay, initial * multiplier^(n-1)).
class BackoffPolicy {
 public:
  BackoffPolicy(RetryOptions const& options, std::uint64_t seed)
      : options_(options), rng_(seed), current_(options.initial_delay) {}
  std::chrono::milliseconds NextDelay() {
    auto const cap = std::min(current_, options_.max_delay);
    auto const next = static_cast<double>(current_.count()) * options_.multiplier;
    current_ = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::min(next, static_cast<double>(options_.max_delay.count()))));
    std::uniform_int_distribution<std::int64_t> jitter(cap.count() / 2, cap.count());
    return std::chrono::milliseconds(jitter(rng_));
  }

 private:
  RetryOptions options_;
  std::mt19937_64 rng_;
  std::chrono::milliseconds current_;
};

/// Runs `attempt` (() -> Status or StatusOr<T>) until it succeeds, fails finally, or the
/// operation is not idempotent. Sleeps through `sleep` between attempts.
template <typename Attempt>
auto RetryLoop(RetryPolicy retry, BackoffPolicy backoff, Idempotency idempotency,
               Sleeper const& sleep, Attempt&& attempt) -> std::invoke_result_t<Attempt> {
  for (;;) {
    auto result = attempt();
    Status status;
    if constexpr (std::is_same_v<decltype(result), Status>) {
      status = result;
    } else {
      status = result.status();
    }
    if (status.ok() || idempotency == Idempotency::kNonIdempotent || !retry.ShouldRetry(status)) {
      return result;
    }
    sleep(std::max(backoff.NextDelay(), status.retry_after()));
  }
}

}  // namespace casebridge
