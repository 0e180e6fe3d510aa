// Counting Forge calls by kind. MeteringTransport sits directly above the wire transport, so it
// sees every HTTP call actually made: logins, retries and 401 replays included.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "connector/http/http_transport.h"

namespace casebridge::forge {

enum class CallKind : std::uint8_t { kLogin, kRead, kWrite, kOther };

/// "login", "read", "write", "other".
std::string_view CallKindName(CallKind kind);

/// Calls made, by kind.
struct CallCounts {
  std::int64_t login = 0;
  std::int64_t read = 0;   // GET
  std::int64_t write = 0;  // POST, PATCH, PUT, DELETE (except the login)
  std::int64_t other = 0;
  [[nodiscard]] std::int64_t total() const { return login + read + write + other; }
};

/// The login path's POST -> kLogin; GET -> kRead; POST/PATCH/PUT/DELETE -> kWrite.
/// `login_path` is compared with the URL's path (query ignored; a base-URL prefix allowed).
CallKind ClassifyCall(http::Method method, std::string_view url, std::string_view login_path);

/// Shared, thread-safe call counters of one client.
class CallCounter {
 public:
  void Count(CallKind kind);
  [[nodiscard]] CallCounts counts() const;

 private:
  mutable std::mutex mu_;
  CallCounts counts_;
};

/// Counts every request (sent or failed in the transport) through `counter`. Thread-safe when
/// `inner` is.
class MeteringTransport final : public http::HttpTransport {
 public:
  MeteringTransport(std::shared_ptr<http::HttpTransport> inner,
                    std::shared_ptr<CallCounter> counter, std::string login_path)
      : inner_(std::move(inner)),
        counter_(std::move(counter)),
        login_path_(std::move(login_path)) {}
  StatusOr<http::HttpResponse> Send(http::HttpRequest const& request) override;

 private:
  std::shared_ptr<http::HttpTransport> inner_;
  std::shared_ptr<CallCounter> counter_;
  std::string login_path_;
};

}  // namespace casebridge::forge
