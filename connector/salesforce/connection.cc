#include "connector/salesforce/connection.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "connector/salesforce/errors.h"

namespace casebridge::salesforce {

Connection::Connection(std::shared_ptr<http::HttpTransport> transport, ConnectionOptions options,
                       Sleeper sleeper)
    : transport_(std::move(transport)), options_(std::move(options)), sleeper_(std::move(sleeper)) {
  if (!sleeper_) sleeper_ = RealSleeper();
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
  std::string const endpoint = EndpointName(request.method, request.url);
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
                       failure = ErrorFromResponse(*response, endpoint);
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
                     return failure;
                   });
}

}  // namespace casebridge::salesforce
