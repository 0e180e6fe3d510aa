// Forge's login flow as a TokenSource (ARCHITECTURE.md layer 2), so the Forge client reuses the
// TokenCache and the AuthorizingTransport (bearer header, one re-login on 401) of auth/.
//
// Confirmed by Forge: `POST /api/auth/login` with `{"email": …, "password": …}` returns a bearer
// token. The response member holding the token is configurable (forge.json `auth.token_field`,
// proposed `token`). The password is read from its SecretSource at every Fetch() and dropped
// afterwards; it is never logged, never stored, never put into a Status message (a server error
// message that echoes it is redacted).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "auth/token_source.h"
#include "connector/common/clock.h"
#include "connector/http/http_transport.h"
#include "mappings/app_config.h"

namespace casebridge::auth {

struct ForgeLoginOptions {
  std::string base_url;  // https://forge…; plain http only on loopback (the emulator)
  std::string email;
  mappings::SecretSource password;
  std::string login_path = "/api/auth/login";
  std::string email_field = "email";
  std::string password_field = "password";
  std::string token_field = "token";  // member (or dotted path) of the response
  std::chrono::milliseconds timeout{30'000};
};

/// Logs in once per Fetch(). The returned Token's instance_url is `base_url` (without a trailing
/// slash), so relative `/api/v1/…` URLs resolve onto Forge. Errors: kFailedPrecondition when the
/// password cannot be read (names the variable or file); kUnauthenticated when Forge refuses
/// the credentials (401/403; the message names the e-mail and Forge's error code, never the
/// password); kInvalidArgument for 400/404/405/422 (wrong login path or field names);
/// kUnavailable for 429 (with ErrorInfo::retry_after) and 5xx, kDeadlineExceeded for 408 and
/// the transport's own failures; kInternal for a 2xx without a token. Thread-safe.
class ForgeLoginTokenSource final : public TokenSource {
 public:
  ForgeLoginTokenSource(std::shared_ptr<http::HttpTransport> transport, ForgeLoginOptions options,
                        std::shared_ptr<Clock const> clock);
  StatusOr<Token> Fetch() override;

 private:
  std::shared_ptr<http::HttpTransport> transport_;
  ForgeLoginOptions options_;
  std::shared_ptr<Clock const> clock_;
};

/// Validates the options (kInvalidArgument naming the setting: base_url not https — http only on
/// loopback —, email empty, password source empty, login_path not starting with '/') and builds
/// the source. `clock` must not be null.
StatusOr<std::shared_ptr<TokenSource>> MakeForgeLoginTokenSource(
    std::shared_ptr<http::HttpTransport> transport, ForgeLoginOptions options,
    std::shared_ptr<Clock const> clock);

/// `{"error": {"code", "message"}}` (Forge's proposed error shape), also the flat
/// `{"error": "<code>", "message": …}`; empty strings when the body is neither.
struct ForgeErrorBody {
  std::string code;
  std::string message;
  std::string field;
};
ForgeErrorBody ParseForgeErrorBody(std::string_view body);

/// `text` shortened to `max` characters with control characters replaced by spaces and `secret`
/// redacted as RedactSecrets() does (a short one only where it stands alone): for server
/// messages that go into a Status.
std::string SanitizeServerMessage(std::string_view text, std::string_view secret = {},
                                  std::size_t max = 200);

}  // namespace casebridge::auth
