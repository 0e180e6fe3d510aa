// A redacting logging decorator for HttpTransport (ARCHITECTURE.md section 1, layer 1).
//
// One line per request: method, URL origin (scheme, host, and the port unless it is the scheme's
// default) and path, the *length* of the query string (never its text:
// SOQL carries record values), status, latency, and an allow-list of headers
// (`Sforce-Limit-Info`, `Sforce-Locator`, …). Never logged: `Authorization` or any header outside
// the allow-list, request and response bodies (form bodies carry assertions and client secrets,
// token responses carry access tokens), URL query values.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connector/http/http_transport.h"

namespace spdlog {
class logger;
}  // namespace spdlog

namespace casebridge::http {

/// Headers that may appear in logs (case-insensitive). Everything else is omitted.
std::vector<std::string> const& LoggableHeaders();

/// The line logged for one exchange; exposed so tests can check the redaction directly.
/// `response` is null when the transport failed (then `error` describes why).
std::string FormatLogLine(HttpRequest const& request, HttpResponse const* response,
                          Status const& error, std::chrono::milliseconds latency);

struct LoggingTransportOptions {
  /// Monotonic time source for latencies (not wall time); steady_clock when empty.
  std::function<std::chrono::steady_clock::time_point()> now;
};

/// Logs every exchange through `logger` (spdlog; the default logger when null): debug for
/// 1xx–3xx, info for 4xx, warn for 5xx and transport failures. Thread-safe when `inner` is.
class LoggingTransport final : public HttpTransport {
 public:
  LoggingTransport(std::shared_ptr<HttpTransport> inner, std::shared_ptr<spdlog::logger> logger,
                   LoggingTransportOptions options = {});
  StatusOr<HttpResponse> Send(HttpRequest const& request) override;

 private:
  std::shared_ptr<HttpTransport> inner_;
  std::shared_ptr<spdlog::logger> logger_;
  LoggingTransportOptions options_;
};

}  // namespace casebridge::http
