// URL helpers shared by the decorators: splitting an absolute URL, the loopback test and the
// "https, or plain http on loopback only" rule (SPEC section 6: TLS verification is on; the
// sandbox on 127.0.0.1 is the only place plain HTTP is allowed).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "connector/common/status.h"

namespace casebridge::http {

/// The parts of an absolute URL `scheme://host[:port][/path][?query][#fragment]`.
struct UrlParts {
  std::string scheme;  // lower-case
  std::string host;    // lower-case; IPv6 literals keep their brackets: "[::1]"
  int port = 0;        // explicit port, or the scheme default (443 https, 80 http)
  std::string path;    // starts with '/', "/" when absent
  std::string query;   // without '?', may be empty
  bool has_userinfo = false;
  /// scheme://host:port — two URLs with equal origins may share credentials.
  [[nodiscard]] std::string Origin() const;
};

/// Splits an absolute http(s) URL. nullopt when it is not one (no scheme, empty host, bad port).
std::optional<UrlParts> ParseUrl(std::string_view url);

/// localhost, 127.0.0.0/8 or [::1].
bool IsLoopbackHost(std::string_view host);

/// OK for https:// URLs and for http:// URLs on a loopback host; kInvalidArgument otherwise
/// (also for URLs with user info). `what` names the setting or endpoint in the message, e.g.
/// "salesforce.login_url". The URL itself is not echoed beyond its scheme and host.
Status RequireSecureUrl(std::string_view url, std::string_view what);

/// `path` of an absolute URL, or the part of a relative one before '?': what may be logged or
/// put into a Status message (query strings may carry record values).
std::string PathOf(std::string_view url);

}  // namespace casebridge::http
