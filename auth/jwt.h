// RS256 JWT assertions for the Salesforce OAuth 2.0 JWT bearer flow (salesforce-api.md 1.2).
//
// The private key is read from a PEM file whose mode must not allow group/other access. The key
// material, the assertion and the signature never appear in a Status message.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "connector/common/status.h"
#include "connector/common/time.h"

namespace casebridge::auth {

/// base64url without padding (RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view bytes);

/// The claims of a Salesforce JWT bearer assertion.
struct JwtClaims {
  std::string issuer;    // iss: connected-app / external-client-app client id
  std::string subject;   // sub: integration username
  std::string audience;  // aud: https://login.salesforce.com, https://test.salesforce.com, …
  Instant expires_at{};  // exp: at most 3 minutes after now
};

/// Signs JWTs with an RSA private key (RS256). Immutable and thread-safe after creation.
class JwtSigner {
 public:
  /// Loads a PEM private key file. kPermissionDenied when the file is readable by group or
  /// others ("chmod 600"), kNotFound when missing/unreadable, kInvalidArgument when it is not an
  /// RSA private key. Messages name the file, never its contents.
  static StatusOr<JwtSigner> FromPemFile(std::string const& path);
  /// Loads from PEM text already in memory (e.g. read from an environment variable).
  static StatusOr<JwtSigner> FromPem(std::string_view pem, std::string const& source_name);

  /// `header.claims.signature`, header `{"alg":"RS256","typ":"JWT"}`.
  [[nodiscard]] StatusOr<std::string> Sign(JwtClaims const& claims) const;

  /// Builds the claims for `now`: exp = now + lifetime, capped at 3 minutes.
  static JwtClaims MakeClaims(std::string issuer, std::string subject, std::string audience,
                              Instant now,
                              std::chrono::seconds lifetime = std::chrono::seconds(180));

  struct Key;

 private:
  explicit JwtSigner(std::shared_ptr<Key const> key) : key_(std::move(key)) {}
  std::shared_ptr<Key const> key_;
};

}  // namespace casebridge::auth
