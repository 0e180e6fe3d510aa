#include "connector/common/redact.h"

namespace casebridge {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Whether the occurrence at [pos, pos + len) of `text` is a word of its own.
bool StandsAlone(std::string_view text, std::size_t pos, std::size_t len) {
  bool const before = pos == 0 || !IsWordChar(text[pos - 1]);
  bool const after = pos + len >= text.size() || !IsWordChar(text[pos + len]);
  return before && after;
}

}  // namespace

std::string RedactSecret(std::string text, std::string_view secret, std::string_view replacement) {
  if (secret.empty()) return text;
  bool const anywhere = secret.size() >= kMinRedactedSecretLength;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
    if (!anywhere && !StandsAlone(text, pos, secret.size())) {
      ++pos;
      continue;
    }
    text.replace(pos, secret.size(), replacement);
    pos += replacement.size();
  }
  return text;
}

}  // namespace casebridge
