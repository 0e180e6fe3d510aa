#include "connector/http/http_server.h"

#include <cpprest/http_listener.h>

#include <cctype>
#include <charconv>
#include <mutex>
#include <utility>

#include "connector/common/listen.h"

namespace casebridge::http {
namespace {

namespace web_http = web::http;
using Listener = web_http::experimental::listener::http_listener;

ServerResponse Answer(HttpServer::Handler const& handler, web_http::http_request const& request) {
  try {
    ServerRequest r;
    r.method = request.method();
    for (char& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    r.path = request.relative_uri().path();
    return handler(r);
  } catch (std::exception const& e) {
    return ServerResponse{500, "text/plain; charset=utf-8", std::string("error: ") + e.what()};
  }
}

}  // namespace

struct HttpServer::Impl {
  Handler handler;
  mutable std::mutex mu;  // listener, base_url, port
  std::unique_ptr<Listener> listener;
  std::string base_url;
  int port = 0;

  void OnRequest(web_http::http_request const& request) const {
    ServerResponse answer = Answer(handler, request);
    web_http::http_response out(static_cast<web_http::status_code>(answer.status));
    out.set_body(std::move(answer.body), answer.content_type);
    try {
      request.reply(out).wait();
    } catch (std::exception const&) {
      // The client went away: nothing to do.
    }
  }
};

HttpServer::HttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(std::string const& host, int port) {
  std::lock_guard lock(impl_->mu);
  if (impl_->listener) return FailedPreconditionError("the HTTP server is already running");
  Impl* impl = impl_.get();
  auto opened = OpenListener<Listener>(host, port, [impl](Listener& listener) {
    listener.support([impl](web_http::http_request const& r) { impl->OnRequest(r); });
  });
  if (!opened.ok()) return opened.status();
  impl_->listener = std::move(opened->listener);
  impl_->base_url = opened->base_url;
  impl_->port = opened->port;
  return OkStatus();
}

void HttpServer::Stop() {
  std::unique_ptr<Listener> listener;
  {
    std::lock_guard lock(impl_->mu);
    listener = std::move(impl_->listener);
  }
  CloseListener(std::move(listener));
}

std::string HttpServer::base_url() const {
  std::lock_guard lock(impl_->mu);
  return impl_->base_url;
}

int HttpServer::port() const {
  std::lock_guard lock(impl_->mu);
  return impl_->port;
}

StatusOr<std::pair<std::string, int>> ParseHostPort(std::string const& text) {
  auto const colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgumentError("expected HOST:PORT, e.g. 0.0.0.0:9464 or 127.0.0.1:0");
  }
  std::string const host = text.substr(0, colon);
  std::string_view const digits = std::string_view(text).substr(colon + 1);
  int port = -1;
  auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port < 0 ||
      port > 65535) {
    return InvalidArgumentError("the port must be a number from 0 to 65535 (0 picks a free one)");
  }
  return std::make_pair(host, port);
}

}  // namespace casebridge::http
