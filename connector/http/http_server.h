// A small HTTP server for the process's own endpoints (`casebridge sync --every`'s /metrics,
// /healthz and /readyz): requests in, a handler's answer out. cpprest's http_listener does the
// work; http_server.cc is the only file of this layer that includes it (as cpprest_transport.cc
// is for the client side).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "connector/common/status.h"

namespace casebridge::http {

struct ServerRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string path;    // without the query, e.g. "/metrics"
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  /// Called on the server's threads, concurrently: must be thread-safe. An exception becomes a
  /// 500 reply.
  using Handler = std::function<ServerResponse(ServerRequest const&)>;

  explicit HttpServer(Handler handler);
  ~HttpServer();
  HttpServer(HttpServer const&) = delete;
  HttpServer& operator=(HttpServer const&) = delete;

  /// Serves http://host:port. Port 0 picks a free port (see ListenOnPort). Errors: kUnavailable
  /// when the address cannot be listened on; kFailedPrecondition when already started.
  Status Start(std::string const& host, int port);
  /// Stops serving (idempotent; also done by the destructor).
  void Stop();
  /// `http://<host>:<port>`; empty before Start.
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Splits `HOST:PORT` (host an IPv4 address or a name, port 0-65535; port 0 = a free one).
/// Errors: kInvalidArgument saying what is wrong.
StatusOr<std::pair<std::string, int>> ParseHostPort(std::string const& text);

}  // namespace casebridge::http
