// Test doubles for the transport seam: a FakeTransport that replays queued replies (or answers
// through a handler) and records every request, and a RecordingSleeper that records delays
// instead of sleeping.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/clock.h"
#include "connector/http/http_transport.h"

namespace casebridge::testing_util {

/// Thread-safe. Each Send() records the request, then answers with the first queued reply; when
/// the queue is empty, with the handler if one is set; otherwise with kInternal
/// "FakeTransport: no reply queued for <METHOD> <url>" (the test then fails on that status).
class FakeTransport : public http::HttpTransport {
 public:
  using Handler = std::function<StatusOr<http::HttpResponse>(http::HttpRequest const&)>;

  /// Queues an HTTP reply.
  void Enqueue(int status, std::string body, http::Headers headers = {});
  /// Queues a transport failure (no response arrived), e.g. UnavailableError("dropped").
  void EnqueueError(Status error);
  /// Answers requests once the queue is empty.
  void SetHandler(Handler handler);

  StatusOr<http::HttpResponse> Send(http::HttpRequest const& request) override;

  /// Every request sent so far, in order.
  [[nodiscard]] std::vector<http::HttpRequest> requests() const;
  [[nodiscard]] std::size_t request_count() const;
  /// Replies still queued.
  [[nodiscard]] std::size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::deque<StatusOr<http::HttpResponse>> replies_;
  Handler handler_;
  std::vector<http::HttpRequest> requests_;
};

/// A copyable Sleeper: copies share one record, so a test can hand it to a client by value and
/// inspect the delays afterwards.
class RecordingSleeper {
 public:
  RecordingSleeper() : delays_(std::make_shared<State>()) {}
  void operator()(std::chrono::milliseconds d) const;
  [[nodiscard]] std::vector<std::chrono::milliseconds> delays() const;
  [[nodiscard]] std::chrono::milliseconds total() const;
  // NOLINTNEXTLINE(google-explicit-constructor)
  operator Sleeper() const {
    return [s = *this](std::chrono::milliseconds d) { s(d); };
  }

 private:
  struct State {
    std::mutex mu;
    std::vector<std::chrono::milliseconds> delays;
  };
  std::shared_ptr<State> delays_;
};

/// A Clock whose time only moves when told to. Thread-safe.
class SettableClock : public Clock {
 public:
  explicit SettableClock(Instant now) : now_(now) {}
  [[nodiscard]] Instant Now() const override;
  void Set(Instant now);
  void Advance(std::chrono::seconds d);

 private:
  mutable std::mutex mu_;
  Instant now_;
};

/// Shorthand for an HttpResponse value.
http::HttpResponse MakeResponse(int status, std::string body, http::Headers headers = {});

}  // namespace casebridge::testing_util
