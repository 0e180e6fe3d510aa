// OpenSSL-backed helpers for the emulator's OAuth endpoint: base64, random tokens,
// HMAC-SHA256, RS256 signature verification and throwaway key generation.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "connector/common/status.h"

namespace casebridge::sandbox {

std::string Base64Encode(std::string_view data);
/// Standard base64 (padding optional). Nullopt on bad input.
std::optional<std::string> Base64Decode(std::string_view text);
/// base64url without padding (JWT). Nullopt on bad input.
std::optional<std::string> Base64UrlDecode(std::string_view text);

/// `n` random bytes from OpenSSL's CSPRNG, as URL-safe text (base64url, no padding).
std::string RandomToken(std::size_t n);

/// base64(HMAC-SHA256(key, data)).
std::string HmacSha256Base64(std::string_view key, std::string_view data);

/// An RSA public key loaded from a PEM public key or an X.509 certificate (as Salesforce
/// stores the certificate uploaded to a connected app).
class RsaPublicKey {
 public:
  static StatusOr<RsaPublicKey> FromPem(std::string const& pem);
  /// True when `signature` is a valid RS256 (RSASSA-PKCS1-v1_5 SHA-256) signature of `data`.
  [[nodiscard]] bool VerifyRs256(std::string_view data, std::string_view signature) const;

 private:
  std::shared_ptr<void> key_;  // EVP_PKEY
};

struct PemKeyPair {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
};
/// A fresh 2048-bit RSA key pair (for `casebridge sandbox` demo credentials).
StatusOr<PemKeyPair> GenerateRsaKeyPair();

}  // namespace casebridge::sandbox
