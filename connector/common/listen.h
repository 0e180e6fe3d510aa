// Listening on a TCP port that may be 0 ("pick a free one"), for servers whose library cannot
// report the port it bound (cpprest's http_listener): ask the kernel for a free port, then listen
// on it, retrying when another process took it in between. OpenListener()/CloseListener() do
// the whole open/close of such a listener; they are templates so that this layer does not link
// the HTTP library (the sandbox's emulator listener and connector/http's server instantiate
// them with cpprest's http_listener).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "connector/common/status.h"

namespace casebridge {

/// Calls `listen(port)`; when `port` is 0, with a port the kernel reports free on `host` (an IPv4
/// address or "localhost"), up to 5 times until one succeeds. Returns the port listened on.
/// Errors: kUnavailable "cannot listen on HOST:PORT: <the last error of `listen`>", or "cannot
/// find a free port on HOST".
StatusOr<int> ListenOnPort(std::string const& host, int port,
                           std::function<Status(int port)> const& listen);

/// A listener opened by OpenListener().
template <typename Listener>
struct OpenedListener {
  std::unique_ptr<Listener> listener;
  std::string base_url;  // http://host:port
  int port = 0;
};

/// Builds a `Listener` from `http://host:port` (port 0: a free one, see ListenOnPort), lets
/// `setup` install its handlers, and opens it (`open().wait()`); an exception while doing so is
/// an error of that attempt.
template <typename Listener, typename Setup>
StatusOr<OpenedListener<Listener>> OpenListener(std::string const& host, int port,
                                                Setup const& setup) {
  OpenedListener<Listener> out;
  auto listened = ListenOnPort(host, port, [&](int chosen) -> Status {
    std::string const url = "http://" + host + ":" + std::to_string(chosen);
    try {
      auto listener = std::make_unique<Listener>(url);
      setup(*listener);
      listener->open().wait();
      out.listener = std::move(listener);
      out.base_url = url;
      return OkStatus();
    } catch (std::exception const& e) {
      return UnavailableError(e.what());
    }
  });
  if (!listened.ok()) return listened.status();
  out.port = *listened;
  return out;
}

/// Closes a listener opened by OpenListener() (`close().wait()`); null is a no-op. A failure to
/// close is ignored: there is nothing left to release.
template <typename Listener>
void CloseListener(std::unique_ptr<Listener> listener) {
  if (!listener) return;
  try {
    listener->close().wait();
  } catch (std::exception const&) {
    // Closing a listener that failed mid-way.
  }
}

}  // namespace casebridge
