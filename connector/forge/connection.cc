#include "connector/forge/connection.h"

#include <string>
#include <utility>

#include "connector/forge/errors.h"
#include "connector/http/response_errors.h"

namespace casebridge::forge {

Connection::Connection(std::shared_ptr<http::HttpTransport> transport, ConnectionOptions options,
                       Sleeper sleeper, std::shared_ptr<Clock const> clock)
    : transport_(std::move(transport)),
      options_(options),
      sleeper_(std::move(sleeper)),
      clock_(std::move(clock)) {
  if (!sleeper_) sleeper_ = RealSleeper();
}

StatusOr<JsonReply> Connection::Execute(http::HttpRequest request, Idempotency idempotency) const {
  if (request.timeout == http::HttpRequest{}.timeout) request.timeout = options_.request_timeout;
  request.headers.Set("Accept", "application/json");
  request.headers.Set("Content-Type", "application/json");
  std::string const endpoint = http::EndpointName(request.method, request.url);
  auto const seed = options_.jitter_seed + calls_.fetch_add(1);
  auto attempt = [&]() -> StatusOr<JsonReply> {
    auto response = transport_->Send(request);
    Status failure;
    if (!response.ok()) {
      failure = response.status();
    } else if (response->status < 200 || response->status >= 300) {
      failure = ErrorFromResponse(*response, endpoint, clock_->Now());
    } else {
      JsonReply reply;
      reply.status = response->status;
      if (response->body.empty()) return reply;
      reply.body = nlohmann::json::parse(response->body, nullptr, false);
      if (!reply.body.is_discarded()) return reply;
      ErrorInfo info;
      info.http_status = response->status;
      // A 2xx whose JSON stops half-way is a cut connection or a proxy: transient.
      failure = UnavailableError(endpoint + ": HTTP " + std::to_string(response->status) +
                                     " with a truncated or malformed JSON body",
                                 info);
    }
    return http::StopOnLongRetryAfter(std::move(failure), options_.max_retry_after, "Forge");
  };
  return RetryLoop(RetryPolicy(options_.retry), BackoffPolicy(options_.retry, seed), idempotency,
                   sleeper_, attempt);
}

}  // namespace casebridge::forge
