#include "connector/sandbox/sf_ids.h"

#include <cctype>

namespace casebridge::sandbox {
namespace {

constexpr std::string_view kChecksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

}  // namespace

std::string IdChecksum(std::string_view id15) {
  std::string out;
  for (std::size_t chunk = 0; chunk < 3; ++chunk) {
    unsigned bits = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      if (IsUpper(id15[chunk * 5 + i])) bits |= 1U << i;
    }
    out.push_back(kChecksumAlphabet[bits]);
  }
  return out;
}

std::optional<std::string> NormalizeId(std::string_view id) {
  if (id.size() != 15 && id.size() != 18) return std::nullopt;
  for (char c : id) {
    if (!IsAlnum(c)) return std::nullopt;
  }
  std::string base(id.substr(0, 15));
  if (id.size() == 18) {
    // The suffix says which of the 15 characters are upper case; restore them.
    for (std::size_t chunk = 0; chunk < 3; ++chunk) {
      char const s = static_cast<char>(std::toupper(static_cast<unsigned char>(id[15 + chunk])));
      auto const bits = kChecksumAlphabet.find(s);
      if (bits == std::string_view::npos) return std::nullopt;
      for (std::size_t i = 0; i < 5; ++i) {
        char& c = base[chunk * 5 + i];
        bool const upper = ((bits >> i) & 1U) != 0;
        if (std::isalpha(static_cast<unsigned char>(c)) != 0) {
          c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                      : std::tolower(static_cast<unsigned char>(c)));
        } else if (upper) {
          return std::nullopt;  // a digit cannot be upper case
        }
      }
    }
  }
  return base + IdChecksum(base);
}

std::optional<std::string> IdKey(std::string_view id) {
  auto normalized = NormalizeId(id);
  if (!normalized) return std::nullopt;
  normalized->resize(15);
  return normalized;
}

bool SameId(std::string_view a, std::string_view b) {
  auto ka = IdKey(a);
  auto kb = IdKey(b);
  return ka && kb && *ka == *kb;
}

std::string MakeId(std::string_view prefix, std::uint64_t sequence) {
  std::string tail(9, '0');
  for (std::size_t i = 9; i-- > 0 && sequence > 0;) {
    tail[i] = kBase62[sequence % 62];
    sequence /= 62;
  }
  std::string id15 = std::string(prefix) + "Dn0" + tail;
  return id15 + IdChecksum(id15);
}

}  // namespace casebridge::sandbox
