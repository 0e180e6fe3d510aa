#include "tests/support/rsa_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>

namespace casebridge::testing_util {
namespace {

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long const len = BIO_get_mem_data(bio, &data);
  return {data, static_cast<std::size_t>(len)};
}

}  // namespace

RsaKeyPair GenerateRsaKeyPair() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  if (!key) throw std::runtime_error("RSA key generation failed");
  std::unique_ptr<BIO, decltype(&BIO_free)> priv(BIO_new(BIO_s_mem()), &BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> pub(BIO_new(BIO_s_mem()), &BIO_free);
  if (PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1) {
    throw std::runtime_error("PEM encoding failed");
  }
  return {BioToString(priv.get()), BioToString(pub.get())};
}

}  // namespace casebridge::testing_util
