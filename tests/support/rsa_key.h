// A throwaway RSA key pair generated for a test run (never a checked-in key).
#pragma once

#include <string>

namespace casebridge::testing_util {

struct RsaKeyPair {
  std::string private_pem;  // PKCS#8 PEM
  std::string public_pem;   // SubjectPublicKeyInfo PEM
};

/// Generates a fresh 2048-bit RSA key pair.
RsaKeyPair GenerateRsaKeyPair();

}  // namespace casebridge::testing_util
