// The transport seam (ARCHITECTURE.md section 5). Clients speak to HttpTransport only; the
// production implementation wraps cpprestsdk (cpprest_transport.cc is the only file that includes
// it), tests use a fake that records requests and replays responses.
//
// Flow: client -> [AuthorizingTransport (auth/)] -> [RedactingLogTransport] -> CpprestTransport.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.h"

namespace casebridge::http {

enum class Method : std::uint8_t { kGet, kPost, kPatch, kPut, kDelete };
std::string_view MethodName(Method m);

/// Ordered header list with case-insensitive lookup (HTTP field names are case-insensitive).
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> init) : items_(init) {}
  /// Replaces any existing value of `name`.
  void Set(std::string name, std::string value);
  void Add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  [[nodiscard]] std::optional<std::string> Get(std::string_view name) const;
  void Remove(std::string_view name);
  [[nodiscard]] auto begin() const { return items_.begin(); }
  [[nodiscard]] auto end() const { return items_.end(); }
  [[nodiscard]] std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct HttpRequest {
  Method method = Method::kGet;
  std::string url;  // absolute: scheme://host[:port]/path?query
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30'000};
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

/// Sends one request. A non-OK Status means no (complete) response arrived: kUnavailable for
/// connection failures and dropped connections, kDeadlineExceeded for timeouts. 4xx/5xx are
/// values. Implementations are thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual StatusOr<HttpResponse> Send(HttpRequest const& request) = 0;
};

/// Case-insensitive ASCII comparison of header names.
bool HeaderNameEquals(std::string_view a, std::string_view b);

/// Percent-encodes a query-string value (RFC 3986 unreserved characters are kept).
std::string UrlEncode(std::string_view value);

}  // namespace casebridge::http
