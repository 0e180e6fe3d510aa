// Access tokens and where they come from.
//
// Flow: TokenSource (one OAuth flow: JWT bearer, client credentials, refresh token) →
// TokenCache (keeps the current token, re-fetches after Invalidate) → AuthorizingTransport
// (adds `Authorization: Bearer`, resolves relative URLs on the token's instance_url, re-auths
// once on 401). See salesforce_token_sources.h, token_cache.h, authorizing_transport.h.
#pragma once

#include <string>

#include "auth/secret.h"
#include "connector/common/status.h"
#include "connector/common/time.h"

namespace casebridge::auth {

/// An OAuth access token and what the token response said about where to use it.
struct Token {
  SecretString access_token;  // prints as <redacted>
  std::string instance_url;   // base URL for API calls, e.g. https://acme.my.salesforce.com
  std::string identity_url;   // `id` of the token response: https://login…/id/<org>/<user>
  Instant issued_at{};        // from `issued_at` (ms) when present, else the fetch time
};

/// One way of obtaining a fresh access token. Each Fetch() performs the OAuth exchange (one HTTP
/// call); callers cache the result (TokenCache). Errors: kUnauthenticated when the server refused
/// the credentials (message carries only the OAuth `error`/`error_description`),
/// kFailedPrecondition when a secret cannot be read, kUnavailable/kDeadlineExceeded when the
/// token endpoint could not be reached, kInternal for a malformed token response.
/// Implementations are thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  virtual StatusOr<Token> Fetch() = 0;
};

}  // namespace casebridge::auth
