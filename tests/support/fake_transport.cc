#include "tests/support/fake_transport.h"

#include <numeric>

namespace casebridge::testing_util {

http::HttpResponse MakeResponse(int status, std::string body, http::Headers headers) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

void FakeTransport::Enqueue(int status, std::string body, http::Headers headers) {
  std::lock_guard<std::mutex> lock(mu_);
  replies_.emplace_back(MakeResponse(status, std::move(body), std::move(headers)));
}

void FakeTransport::EnqueueError(Status error) {
  std::lock_guard<std::mutex> lock(mu_);
  replies_.emplace_back(std::move(error));
}

void FakeTransport::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

StatusOr<http::HttpResponse> FakeTransport::Send(http::HttpRequest const& request) {
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (!replies_.empty()) {
      auto reply = std::move(replies_.front());
      replies_.pop_front();
      return reply;
    }
    handler = handler_;
  }
  if (handler) return handler(request);
  return InternalError("FakeTransport: no reply queued for " +
                       std::string(http::MethodName(request.method)) + " " + request.url);
}

std::vector<http::HttpRequest> FakeTransport::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::size_t FakeTransport::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

std::size_t FakeTransport::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return replies_.size();
}

void RecordingSleeper::operator()(std::chrono::milliseconds d) const {
  std::lock_guard<std::mutex> lock(delays_->mu);
  delays_->delays.push_back(d);
}

std::vector<std::chrono::milliseconds> RecordingSleeper::delays() const {
  std::lock_guard<std::mutex> lock(delays_->mu);
  return delays_->delays;
}

std::chrono::milliseconds RecordingSleeper::total() const {
  auto const d = delays();
  return std::accumulate(d.begin(), d.end(), std::chrono::milliseconds(0));
}

Instant SettableClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void SettableClock::Set(Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = now;
}

void SettableClock::Advance(std::chrono::seconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += d;
}

}  // namespace casebridge::testing_util
