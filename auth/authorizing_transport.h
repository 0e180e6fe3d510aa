// An HttpTransport decorator that authenticates requests (ARCHITECTURE.md section 1, layer 2).
//
// For every request it takes the current token from the TokenCache, resolves a relative URL
// (`/services/…`) onto the token's instance_url, and adds `Authorization: Bearer <token>`.
// On a 401 (Salesforce: `INVALID_SESSION_ID`, "Session expired or invalid"; the identity URL
// answers a 403 `Bad_OAuth_Token` instead) it invalidates the token, fetches a new one ONCE and
// replays the request; if the replay is rejected as well the result is kUnauthenticated (exit
// code 3) — never a loop.
//
// A response body never carries the access token back out: a server that echoes the request in
// an error body gets the token replaced by "<redacted>" (the body becomes user-visible text).
//
// The token is sent only to the instance_url's origin and to the identity URL's origin;
// an absolute URL elsewhere is refused. Plain http:// is accepted only for loopback hosts.
#pragma once

#include <memory>

#include "auth/token_cache.h"
#include "connector/http/http_transport.h"

namespace casebridge::auth {

/// Thread-safe when the inner transport is.
class AuthorizingTransport final : public http::HttpTransport {
 public:
  AuthorizingTransport(std::shared_ptr<http::HttpTransport> inner,
                       std::shared_ptr<TokenCache> tokens)
      : inner_(std::move(inner)), tokens_(std::move(tokens)) {}

  /// Errors besides the inner transport's: the token fetch errors (TokenCache::Get),
  /// kInvalidArgument for a URL outside the token's origins or a non-loopback http:// URL,
  /// kUnauthenticated when a freshly fetched token is rejected too (ErrorInfo carries the 401 and
  /// vendor code).
  StatusOr<http::HttpResponse> Send(http::HttpRequest const& request) override;

  [[nodiscard]] std::shared_ptr<TokenCache> const& tokens() const { return tokens_; }

 private:
  StatusOr<http::HttpResponse> SendWith(http::HttpRequest const& request, Token const& token);

  std::shared_ptr<http::HttpTransport> inner_;
  std::shared_ptr<TokenCache> tokens_;
};

}  // namespace casebridge::auth
