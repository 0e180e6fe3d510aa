#include "auth/jwt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "auth/secret.h"

namespace casebridge::auth {

struct JwtSigner::Key {
  EVP_PKEY* pkey = nullptr;
  Key() = default;
  Key(Key const&) = delete;
  Key& operator=(Key const&) = delete;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Overwrites a buffer that held key material before it is released.
void Wipe(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned const v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out.push_back(kAlphabet[(v >> 18U) & 63U]);
    out.push_back(kAlphabet[(v >> 12U) & 63U]);
    out.push_back(kAlphabet[(v >> 6U) & 63U]);
    out.push_back(kAlphabet[v & 63U]);
  }
  if (i + 1 == bytes.size()) {
    unsigned const v = byte(i) << 16U;
    out.push_back(kAlphabet[(v >> 18U) & 63U]);
    out.push_back(kAlphabet[(v >> 12U) & 63U]);
  } else if (i + 2 == bytes.size()) {
    unsigned const v = (byte(i) << 16U) | (byte(i + 1) << 8U);
    out.push_back(kAlphabet[(v >> 18U) & 63U]);
    out.push_back(kAlphabet[(v >> 12U) & 63U]);
    out.push_back(kAlphabet[(v >> 6U) & 63U]);
  }
  return out;
}

StatusOr<JwtSigner> JwtSigner::FromPemFile(std::string const& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return NotFoundError("private key file " + path + " does not exist or cannot be read");
  }
  if (auto problem = SecretFileModeProblem("private key file", path, st.st_mode);
      !problem.empty()) {
    return Status(StatusCode::kPermissionDenied, std::move(problem));
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFoundError("private key file " + path + " cannot be opened");
  std::ostringstream buf;
  buf << f.rdbuf();
  std::string pem = buf.str();
  auto signer = FromPem(pem, path);
  Wipe(pem);
  return signer;
}

StatusOr<JwtSigner> JwtSigner::FromPem(std::string_view pem, std::string const& source_name) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return InternalError("out of memory reading the private key");
  auto key = std::make_shared<Key>();
  key->pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key->pkey == nullptr || EVP_PKEY_base_id(key->pkey) != EVP_PKEY_RSA) {
    return InvalidArgumentError(source_name + " does not hold a PEM RSA private key");
  }
  return JwtSigner(std::move(key));
}

JwtClaims JwtSigner::MakeClaims(std::string issuer, std::string subject, std::string audience,
                                Instant now, std::chrono::seconds lifetime) {
  lifetime = std::clamp(lifetime, std::chrono::seconds(1), std::chrono::seconds(180));
  return {std::move(issuer), std::move(subject), std::move(audience), now + lifetime};
}

StatusOr<std::string> JwtSigner::Sign(JwtClaims const& claims) const {
  nlohmann::json payload = {{"iss", claims.issuer},
                            {"sub", claims.subject},
                            {"aud", claims.audience},
                            {"exp", claims.expires_at.time_since_epoch().count()}};
  std::string signing_input =
      Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." + Base64UrlEncode(payload.dump());
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) != 1 ||
      EVP_DigestSignUpdate(ctx.get(), signing_input.data(), signing_input.size()) != 1) {
    return InternalError("could not initialise RS256 signing");
  }
  std::size_t len = 0;
  if (EVP_DigestSignFinal(ctx.get(), nullptr, &len) != 1) {
    return InternalError("could not size the RS256 signature");
  }
  std::vector<unsigned char> sig(len);
  if (EVP_DigestSignFinal(ctx.get(), sig.data(), &len) != 1) {
    return InternalError("RS256 signing failed");
  }
  signing_input += '.';
  signing_input +=
      Base64UrlEncode(std::string_view(reinterpret_cast<char const*>(sig.data()), len));  // NOLINT
  return signing_input;
}

}  // namespace casebridge::auth
