// Listening on a TCP port that may be 0 ("pick a free one"), for servers whose library cannot
// report the port it bound (cpprest's http_listener): ask the kernel for a free port, then listen
// on it, retrying when another process took it in between.
#pragma once

#include <functional>
#include <string>

#include "connector/common/status.h"

namespace casebridge {

/// Calls `listen(port)`; when `port` is 0, with a port the kernel reports free on `host` (an IPv4
/// address or "localhost"), up to 5 times until one succeeds. Returns the port listened on.
/// Errors: kUnavailable "cannot listen on HOST:PORT: <the last error of `listen`>", or "cannot
/// find a free port on HOST".
StatusOr<int> ListenOnPort(std::string const& host, int port,
                           std::function<Status(int port)> const& listen);

}  // namespace casebridge
