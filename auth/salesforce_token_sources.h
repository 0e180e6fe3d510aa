// The three Salesforce OAuth 2.0 server-to-server flows (salesforce-api.md section 1):
// JWT bearer (the production default), client credentials, refresh token.
//
// Each source POSTs an `application/x-www-form-urlencoded` body to
// `<login_url>/services/oauth2/token` through the given transport and returns the access token
// with its `instance_url` and identity URL. Secrets (private key, client secret, refresh token)
// are read from their SecretSource at every Fetch() and dropped afterwards; a rotated refresh
// token is kept in memory only. Nothing secret is logged or put into a Status message.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "auth/secret.h"
#include "auth/token_source.h"
#include "connector/common/clock.h"
#include "connector/http/http_transport.h"
#include "mappings/app_config.h"

namespace casebridge::auth {

/// The JWT `aud` for a login URL: https://test.salesforce.com for test.salesforce.com and sandbox
/// My Domains (`*.sandbox.my.salesforce.com`), https://login.salesforce.com for
/// login.salesforce.com. For any other host (a production My Domain, an Experience Cloud site,
/// the sandbox emulator on loopback) `override_audience` when given, else
/// https://login.salesforce.com — Salesforce accepts login/test as audience on My Domain token
/// endpoints, while a My Domain audience is reported as "audience is invalid" (section 1.2).
std::string JwtAudienceFor(std::string const& login_url, std::string const& override_audience);

/// `<login_url>/services/oauth2/token` (a trailing slash on login_url is ignored).
std::string TokenEndpoint(std::string const& login_url);

struct JwtBearerOptions {
  std::string login_url = "https://login.salesforce.com";
  std::string client_id;               // iss
  std::string username;                // sub
  mappings::SecretSource private_key;  // PEM RSA private key: file (mode 0600) or env
  std::string audience;                // override, see JwtAudienceFor(); empty = derived
  std::chrono::seconds lifetime{180};  // exp - now; capped at 3 minutes
};

/// JWT bearer flow: signs {iss, sub, aud, exp} with RS256 and exchanges it
/// (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer). Thread-safe.
class JwtBearerTokenSource final : public TokenSource {
 public:
  JwtBearerTokenSource(std::shared_ptr<http::HttpTransport> transport, JwtBearerOptions options,
                       std::shared_ptr<Clock const> clock);
  StatusOr<Token> Fetch() override;

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  JwtBearerOptions options_;
  std::shared_ptr<Clock const> clock_;
};

struct ClientCredentialsOptions {
  std::string login_url;  // must be the org's My Domain (section 1.3)
  std::string client_id;
  mappings::SecretSource client_secret;
};

/// Client credentials flow (grant_type=client_credentials, id and secret in the POST body).
/// Thread-safe.
class ClientCredentialsTokenSource final : public TokenSource {
 public:
  ClientCredentialsTokenSource(std::shared_ptr<http::HttpTransport> transport,
                               ClientCredentialsOptions options,
                               std::shared_ptr<Clock const> clock);
  StatusOr<Token> Fetch() override;

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  ClientCredentialsOptions options_;
  std::shared_ptr<Clock const> clock_;
};

struct RefreshTokenOptions {
  std::string login_url = "https://login.salesforce.com";
  std::string client_id;
  mappings::SecretSource client_secret;  // optional (empty = not sent)
  mappings::SecretSource refresh_token;
};

/// Refresh token flow (grant_type=refresh_token). With refresh-token rotation on, the response
/// carries a new refresh token that invalidates the old one: it is kept in memory and used for
/// the next Fetch() (the configured source is not rewritten). Thread-safe.
class RefreshTokenSource final : public TokenSource {
 public:
  RefreshTokenSource(std::shared_ptr<http::HttpTransport> transport, RefreshTokenOptions options,
                     std::shared_ptr<Clock const> clock);
  StatusOr<Token> Fetch() override;
  /// True once the server has rotated the refresh token during this process's life.
  [[nodiscard]] bool rotated() const;

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  RefreshTokenOptions options_;
  std::shared_ptr<Clock const> clock_;
  mutable std::mutex mu_;
  std::optional<SecretString> rotated_;
};

/// Settings that are not in casebridge.json.
struct TokenSourceOverrides {
  std::string jwt_audience;  // JwtBearerOptions::audience
};

/// Builds the source for `config.auth_flow`. kInvalidArgument (naming the setting) when the login
/// URL is not https (plain http only on loopback) or a required setting of the flow is missing.
StatusOr<std::shared_ptr<TokenSource>> MakeSalesforceTokenSource(
    mappings::SalesforceConfig const& config, std::shared_ptr<http::HttpTransport> transport,
    std::shared_ptr<Clock const> clock, TokenSourceOverrides const& overrides = {});

/// "jwt_bearer", "client_credentials", "refresh_token".
std::string_view FlowName(mappings::SalesforceAuthFlow flow);

}  // namespace casebridge::auth
