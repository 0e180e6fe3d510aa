#include "auth/salesforce_token_sources.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "auth/jwt.h"
#include "connector/common/redact.h"
#include "connector/http/url.h"

namespace casebridge::auth {
namespace {

using nlohmann::json;

constexpr std::string_view kLogin = "https://login.salesforce.com";
constexpr std::string_view kTest = "https://test.salesforce.com";
constexpr std::size_t kMaxDescription = 200;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Form encoding: application/x-www-form-urlencoded with RFC 3986 percent-encoding.
void AddField(std::string& body, std::string_view name, std::string_view value) {
  if (!body.empty()) body += '&';
  body += http::UrlEncode(name);
  body += '=';
  body += http::UrlEncode(value);
}

// Removes every occurrence of the values we sent from a server-provided text (defence in depth:
// a server that echoes the request must not make us print a secret), and control characters.
std::string Sanitize(std::string text, std::vector<std::string_view> const& sent) {
  for (auto const s : sent) text = RedactSecret(std::move(text), s);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  if (text.size() > kMaxDescription) text = text.substr(0, kMaxDescription) + "…";
  return text;
}

std::string StringField(json const& doc, char const* name) {
  if (!doc.is_object() || !doc.contains(name)) return {};
  auto const& v = doc.at(name);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// The shared token-endpoint exchange: POST the form, map the answer.
// `sent` lists the secret values in the form so a server echo can be scrubbed from messages.
StatusOr<Token> Exchange(http::HttpTransport& transport, std::string const& login_url,
                         std::string_view flow, std::string body,
                         std::vector<std::string_view> const& sent, Clock const& clock,
                         std::optional<SecretString>* new_refresh_token) {
  std::string const where = "POST /services/oauth2/token (" + std::string(flow) + ")";
  if (auto s = http::RequireSecureUrl(login_url, "salesforce.login_url"); !s.ok()) return s;
  http::HttpRequest request;
  request.method = http::Method::kPost;
  request.url = TokenEndpoint(login_url);
  request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Set("Accept", "application/json");
  request.body = std::move(body);
  auto response = transport.Send(request);
  // Overwrite the form (it holds the assertion or a secret) as soon as it has been sent.
  std::fill(request.body.begin(), request.body.end(), '\0');
  if (!response.ok()) {
    auto const& st = response.status();
    return Status(st.code(), "token request " + where + " failed: " + st.message(), st.info());
  }
  auto doc = json::parse(response->body, nullptr, false);
  ErrorInfo info;
  info.http_status = response->status;
  if (response->status != 200) {
    std::string error = Sanitize(StringField(doc, "error"), sent);
    std::string description = Sanitize(StringField(doc, "error_description"), sent);
    info.vendor_code = error;
    if (response->status >= 500) {
      return UnavailableError(
          where + ": Salesforce answered HTTP " + std::to_string(response->status), info);
    }
    if (response->status == 404) {
      return FailedPreconditionError(
          where +
              ": no token endpoint at the configured login URL (HTTP 404); check "
              "salesforce.login_url",
          info);
    }
    std::string msg = "Salesforce refused the " + std::string(flow) + " token request (HTTP " +
                      std::to_string(response->status) + ")";
    if (!error.empty()) msg += ": " + error;
    if (!description.empty()) msg += ": " + description;
    return UnauthenticatedError(std::move(msg), info);
  }
  if (doc.is_discarded() || !doc.is_object()) {
    return InternalError(where + ": the token response is not a JSON object", info);
  }
  Token token;
  auto access = StringField(doc, "access_token");
  token.instance_url = StringField(doc, "instance_url");
  token.identity_url = StringField(doc, "id");
  if (access.empty() || token.instance_url.empty()) {
    return InternalError(where + ": the token response lacks access_token or instance_url", info);
  }
  token.access_token = SecretString(std::move(access));
  if (auto type = StringField(doc, "token_type"); !type.empty()) {
    std::string lower = type;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower != "bearer") {
      return InternalError(where + ": unsupported token_type '" + Sanitize(type, sent) + "'", info);
    }
  }
  if (auto s = http::RequireSecureUrl(token.instance_url, "instance_url of the token response");
      !s.ok()) {
    return Status(StatusCode::kInternal, where + ": " + s.message(), info);
  }
  if (!token.identity_url.empty()) {
    if (auto s = http::RequireSecureUrl(token.identity_url, "id of the token response"); !s.ok()) {
      return Status(StatusCode::kInternal, where + ": " + s.message(), info);
    }
  }
  token.issued_at = clock.Now();
  // issued_at is milliseconds since the epoch, as a string (section 1.6).
  if (auto issued = StringField(doc, "issued_at"); !issued.empty()) {
    std::int64_t ms = 0;
    auto [p, ec] = std::from_chars(issued.data(), issued.data() + issued.size(), ms);
    if (ec == std::errc() && p == issued.data() + issued.size() && ms > 0) {
      token.issued_at = Instant(std::chrono::seconds(ms / 1000));
    }
  }
  if (new_refresh_token != nullptr) {
    if (auto rt = StringField(doc, "refresh_token"); !rt.empty()) {
      *new_refresh_token = SecretString(std::move(rt));
    }
  }
  return token;
}

}  // namespace

std::string_view FlowName(mappings::SalesforceAuthFlow flow) {
  switch (flow) {
    case mappings::SalesforceAuthFlow::kJwtBearer:
      return "jwt_bearer";
    case mappings::SalesforceAuthFlow::kClientCredentials:
      return "client_credentials";
    case mappings::SalesforceAuthFlow::kRefreshToken:
      return "refresh_token";
  }
  return "unknown";
}

std::string JwtAudienceFor(std::string const& login_url, std::string const& override_audience) {
  auto parts = http::ParseUrl(login_url);
  std::string const host = parts ? parts->host : std::string();
  if (host == "login.salesforce.com") return std::string(kLogin);
  if (host == "test.salesforce.com" || EndsWith(host, ".sandbox.my.salesforce.com")) {
    return std::string(kTest);
  }
  if (!override_audience.empty()) return override_audience;
  return std::string(kLogin);
}

std::string TokenEndpoint(std::string const& login_url) {
  std::string base = login_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/services/oauth2/token";
}

JwtBearerTokenSource::JwtBearerTokenSource(std::shared_ptr<http::HttpTransport> transport,
                                           JwtBearerOptions options,
                                           std::shared_ptr<Clock const> clock)
    : transport_(std::move(transport)), options_(std::move(options)), clock_(std::move(clock)) {}

StatusOr<Token> JwtBearerTokenSource::Fetch() {
  // The key is loaded at every fetch (tokens are fetched rarely) and released right after.
  StatusOr<JwtSigner> signer = Status(StatusCode::kInternal, "unset");
  if (!options_.private_key.file.empty()) {
    signer = JwtSigner::FromPemFile(options_.private_key.file);
  } else {
    auto pem = ReadSecret(options_.private_key, "salesforce.private_key", SecretFormat::kVerbatim);
    if (!pem.ok()) return pem.status();
    signer = JwtSigner::FromPem(pem->Reveal(), "environment variable " + options_.private_key.env);
  }
  if (!signer.ok()) {
    auto const& st = signer.status();
    ErrorInfo info = st.info();
    info.field = "salesforce.private_key";
    return FailedPreconditionError("salesforce.private_key: " + st.message(), info);
  }
  auto const claims = JwtSigner::MakeClaims(options_.client_id, options_.username,
                                            JwtAudienceFor(options_.login_url, options_.audience),
                                            clock_->Now(), options_.lifetime);
  auto assertion = signer->Sign(claims);
  if (!assertion.ok()) return assertion.status();
  SecretString const secret_assertion(std::move(*assertion));
  std::string body;
  AddField(body, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
  AddField(body, "assertion", secret_assertion.Reveal());
  return Exchange(*transport_, options_.login_url, "jwt_bearer", std::move(body),
                  {secret_assertion.Reveal()}, *clock_, nullptr);
}

ClientCredentialsTokenSource::ClientCredentialsTokenSource(
    std::shared_ptr<http::HttpTransport> transport, ClientCredentialsOptions options,
    std::shared_ptr<Clock const> clock)
    : transport_(std::move(transport)), options_(std::move(options)), clock_(std::move(clock)) {}

StatusOr<Token> ClientCredentialsTokenSource::Fetch() {
  auto secret = ReadSecret(options_.client_secret, "salesforce.client_secret");
  if (!secret.ok()) return secret.status();
  std::string body;
  AddField(body, "grant_type", "client_credentials");
  AddField(body, "client_id", options_.client_id);
  AddField(body, "client_secret", secret->Reveal());
  return Exchange(*transport_, options_.login_url, "client_credentials", std::move(body),
                  {secret->Reveal()}, *clock_, nullptr);
}

RefreshTokenSource::RefreshTokenSource(std::shared_ptr<http::HttpTransport> transport,
                                       RefreshTokenOptions options,
                                       std::shared_ptr<Clock const> clock)
    : transport_(std::move(transport)), options_(std::move(options)), clock_(std::move(clock)) {}

bool RefreshTokenSource::rotated() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rotated_.has_value();
}

StatusOr<Token> RefreshTokenSource::Fetch() {
  // Serialised: with rotation on, two concurrent refreshes with the same token would make the
  // second one fail.
  std::lock_guard<std::mutex> lock(mu_);
  SecretString refresh;
  if (rotated_) {
    refresh = *rotated_;
  } else {
    auto configured = ReadSecret(options_.refresh_token, "salesforce.refresh_token");
    if (!configured.ok()) return configured.status();
    refresh = std::move(*configured);
  }
  std::optional<SecretString> client_secret;
  if (!options_.client_secret.empty()) {
    auto s = ReadSecret(options_.client_secret, "salesforce.client_secret");
    if (!s.ok()) return s.status();
    client_secret = std::move(*s);
  }
  std::string body;
  AddField(body, "grant_type", "refresh_token");
  AddField(body, "refresh_token", refresh.Reveal());
  AddField(body, "client_id", options_.client_id);
  std::vector<std::string_view> sent = {refresh.Reveal()};
  if (client_secret) {
    AddField(body, "client_secret", client_secret->Reveal());
    sent.push_back(client_secret->Reveal());
  }
  std::optional<SecretString> next;
  auto token = Exchange(*transport_, options_.login_url, "refresh_token", std::move(body), sent,
                        *clock_, &next);
  if (token.ok() && next && !(*next == refresh)) rotated_ = std::move(next);
  return token;
}

StatusOr<std::shared_ptr<TokenSource>> MakeSalesforceTokenSource(
    mappings::SalesforceConfig const& config, std::shared_ptr<http::HttpTransport> transport,
    std::shared_ptr<Clock const> clock, TokenSourceOverrides const& overrides) {
  if (auto s = http::RequireSecureUrl(config.login_url, "salesforce.login_url"); !s.ok()) {
    return s;
  }
  auto missing = [](std::string const& key) {
    ErrorInfo info;
    info.field = key;
    return InvalidArgumentError(key + " is required for the configured auth flow", info);
  };
  if (config.client_id.empty()) return missing("salesforce.client_id");
  switch (config.auth_flow) {
    case mappings::SalesforceAuthFlow::kJwtBearer: {
      if (config.username.empty()) return missing("salesforce.username");
      if (config.private_key.empty()) return missing("salesforce.private_key");
      JwtBearerOptions o;
      o.login_url = config.login_url;
      o.client_id = config.client_id;
      o.username = config.username;
      o.private_key = config.private_key;
      o.audience = overrides.jwt_audience;
      return std::shared_ptr<TokenSource>(
          std::make_shared<JwtBearerTokenSource>(std::move(transport), o, std::move(clock)));
    }
    case mappings::SalesforceAuthFlow::kClientCredentials: {
      if (config.client_secret.empty()) return missing("salesforce.client_secret");
      ClientCredentialsOptions o{config.login_url, config.client_id, config.client_secret};
      return std::shared_ptr<TokenSource>(std::make_shared<ClientCredentialsTokenSource>(
          std::move(transport), o, std::move(clock)));
    }
    case mappings::SalesforceAuthFlow::kRefreshToken: {
      if (config.refresh_token.empty()) return missing("salesforce.refresh_token");
      RefreshTokenOptions o{config.login_url, config.client_id, config.client_secret,
                            config.refresh_token};
      return std::shared_ptr<TokenSource>(
          std::make_shared<RefreshTokenSource>(std::move(transport), o, std::move(clock)));
    }
  }
  return InvalidArgumentError("salesforce.auth_flow: unknown flow");
}

}  // namespace casebridge::auth
