#include "connector/common/listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

namespace casebridge {
namespace {

// Binds a socket to port 0 on `host`, reads the port the kernel chose, closes the socket.
std::optional<int> FreePort(std::string const& host) {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  std::string const ip = host == "localhost" ? "127.0.0.1" : host;
  bool ok = ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) == 1 &&
            ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  socklen_t len = sizeof(addr);
  ok = ok && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return std::nullopt;
  return static_cast<int>(ntohs(addr.sin_port));
}

}  // namespace

StatusOr<int> ListenOnPort(std::string const& host, int port,
                           std::function<Status(int port)> const& listen) {
  std::string last_error;
  int const attempts = port == 0 ? 5 : 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    int chosen = port;
    if (chosen == 0) {
      auto picked = FreePort(host);
      if (!picked) return UnavailableError("cannot find a free port on " + host);
      chosen = *picked;
    }
    Status s = listen(chosen);
    if (s.ok()) return chosen;
    last_error = s.message();
  }
  return UnavailableError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                          last_error);
}

}  // namespace casebridge
