#include "connector/http/logging_transport.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "connector/http/url.h"

namespace casebridge::http {
namespace {

bool IsLoggable(std::string_view name) {
  auto const& allowed = LoggableHeaders();
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](std::string const& a) { return HeaderNameEquals(a, name); });
}

// Header values are printed verbatim only for allow-listed names; control characters are
// replaced so a hostile server cannot forge log lines.
void AppendHeaderValue(std::string& out, std::string_view value) {
  for (char const c : value.substr(0, 200)) {
    out.push_back((static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c);
  }
}

void AppendHeaders(std::string& out, std::string_view label, Headers const& headers) {
  bool first = true;
  for (auto const& [name, value] : headers) {
    if (!IsLoggable(name)) continue;
    out += first ? " " : ", ";
    if (first) {
      out += label;
      out += "{";
    }
    first = false;
    out += name;
    out += ": ";
    AppendHeaderValue(out, value);
  }
  if (!first) out += "}";
}

}  // namespace

std::vector<std::string> const& LoggableHeaders() {
  static auto const* const kHeaders = new std::vector<std::string>{"Content-Type",
                                                                   "Content-Length",
                                                                   "Accept",
                                                                   "Retry-After",
                                                                   "Sforce-Limit-Info",
                                                                   "Sforce-Locator",
                                                                   "Sforce-NumberOfRecords",
                                                                   "Sforce-Query-Options",
                                                                   "Sforce-Auto-Assign",
                                                                   "X-Request-Id",
                                                                   "X-SFDC-Request-Id"};
  return *kHeaders;
}

std::string FormatLogLine(HttpRequest const& request, HttpResponse const* response,
                          Status const& error, std::chrono::milliseconds latency) {
  std::string line = "http ";
  line += MethodName(request.method);
  line += ' ';
  // Origin and path only; the query string is reduced to its length.
  if (auto parts = ParseUrl(request.url)) {
    line += parts->scheme + "://" + parts->host;
    // The port unless it is the scheme's default (the sandbox and proxies listen elsewhere).
    int const default_port = parts->scheme == "https" ? 443 : 80;
    if (parts->port != default_port) line += ":" + std::to_string(parts->port);
    line += parts->path;
    if (!parts->query.empty()) line += "?<" + std::to_string(parts->query.size()) + " bytes>";
  } else {
    auto const q = request.url.find('?');
    line += request.url.substr(0, q);
    if (q != std::string::npos) {
      line += "?<" + std::to_string(request.url.size() - q - 1) + " bytes>";
    }
  }
  if (!request.body.empty()) line += " body=" + std::to_string(request.body.size()) + "B";
  AppendHeaders(line, "req", request.headers);
  if (response != nullptr) {
    line += " -> " + std::to_string(response->status);
    line += " " + std::to_string(response->body.size()) + "B";
    AppendHeaders(line, "resp", response->headers);
  } else {
    line += " -> failed: ";
    line += StatusCodeName(error.code());
    line += " (";
    AppendHeaderValue(line, error.message());
    line += ")";
  }
  line += " in " + std::to_string(latency.count()) + "ms";
  return line;
}

LoggingTransport::LoggingTransport(std::shared_ptr<HttpTransport> inner,
                                   std::shared_ptr<spdlog::logger> logger,
                                   LoggingTransportOptions options)
    : inner_(std::move(inner)), logger_(std::move(logger)), options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return std::chrono::steady_clock::now(); };
}

StatusOr<HttpResponse> LoggingTransport::Send(HttpRequest const& request) {
  auto const start = options_.now();
  auto result = inner_->Send(request);
  auto const latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.now() - start);
  auto logger = logger_ ? logger_ : spdlog::default_logger();
  if (!logger) return result;
  if (result.ok()) {
    auto const level = result->status >= 500   ? spdlog::level::warn
                       : result->status >= 400 ? spdlog::level::info
                                               : spdlog::level::debug;
    if (logger->should_log(level)) {
      logger->log(level, "{}", FormatLogLine(request, &*result, OkStatus(), latency));
    }
  } else if (logger->should_log(spdlog::level::warn)) {
    logger->log(spdlog::level::warn, "{}",
                FormatLogLine(request, nullptr, result.status(), latency));
  }
  return result;
}

}  // namespace casebridge::http
