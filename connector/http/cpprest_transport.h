// The production HttpTransport on cpprestsdk (HTTPS with certificate verification always on).
#pragma once

#include <memory>
#include <string>

#include "connector/http/http_transport.h"

namespace casebridge::http {

struct CpprestTransportOptions {
  /// PEM bundle of trusted CAs; empty = the system store.
  std::string ca_bundle;
  /// Proxy URL; empty = $HTTPS_PROXY / $https_proxy when set, else direct.
  std::string proxy;
};

/// Thread-safe. Keeps one cpprest client per origin and timeout so connections are reused.
class CpprestTransport final : public HttpTransport {
 public:
  explicit CpprestTransport(CpprestTransportOptions options);
  ~CpprestTransport() override;
  CpprestTransport(CpprestTransport const&) = delete;
  CpprestTransport& operator=(CpprestTransport const&) = delete;

  StatusOr<HttpResponse> Send(HttpRequest const& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace casebridge::http
