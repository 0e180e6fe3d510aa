#include "connector/salesforce/connection.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "connector/http/response_errors.h"
#include "connector/salesforce/errors.h"

namespace casebridge::salesforce {

Connection::Connection(std::shared_ptr<http::HttpTransport> transport, ConnectionOptions options,
                       Sleeper sleeper)
    : transport_(std::move(transport)), options_(std::move(options)), sleeper_(std::move(sleeper)) {
  if (!sleeper_) sleeper_ = RealSleeper();
  if (!options_.clock) options_.clock = std::make_shared<SystemClock const>();
}

std::shared_ptr<spdlog::logger> Connection::logger() const {
  return options_.logger ? options_.logger : spdlog::default_logger();
}

std::string Connection::DataPath(std::string_view resource) const {
  return "/services/data/v" + options_.api_version + std::string(resource);
}

StatusOr<http::HttpResponse> Connection::Execute(http::HttpRequest request,
                                                 Idempotency idempotency) const {
  request.timeout = options_.request_timeout;
  std::string const endpoint = http::EndpointName(request.method, request.url);
  auto const seed = options_.jitter_seed + calls_.fetch_add(1);
  int attempt = 0;
  auto log = logger();
  return RetryLoop(RetryPolicy(options_.retry), BackoffPolicy(options_.retry, seed), idempotency,
                   sleeper_, [&]() -> StatusOr<http::HttpResponse> {
                     ++attempt;
                     auto response = transport_->Send(request);
                     Status failure;
                     if (!response.ok()) {
                       failure = response.status();
                     } else if (response->status < 200 || response->status >= 300) {
                       failure = ErrorFromResponse(*response, endpoint, Now());
                     } else {
                       return response;
                     }
                     if (log && RetryPolicy::IsTransient(failure)) {
                       log->log(spdlog::level::warn, "{} attempt {} failed ({}): {}", endpoint,
                                attempt,
                                idempotency == Idempotency::kIdempotent ? "will retry if allowed"
                                                                        : "not idempotent",
                                failure.message());
                     }
                     return http::StopOnLongRetryAfter(std::move(failure), options_.max_retry_after,
                                                       "Salesforce");
                   });
}

}  // namespace casebridge::salesforce
